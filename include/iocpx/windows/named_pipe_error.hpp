// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_NAMED_PIPE_ERROR_HPP
#define IOCPX_WINDOWS_NAMED_PIPE_ERROR_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/windows/overlapped_result.hpp>

#include <boost/system/error_code.hpp>

#include <ostream>
#include <string>
#include <type_traits>

namespace iocpx {
namespace windows {

/// Errors the named pipe objects report themselves, in their own category
/// (name "iocpx.named_pipe"). Everything else is either an Asio error
/// (`eof`, `broken_pipe`, `operation_aborted`, `timed_out`,
/// `bad_descriptor`, `already_open`, `already_started`) or a Win32 error
/// passed through in `system_category()`.
///
/// A message longer than the read buffer is not an error of this category:
/// the read completes with the passthrough ERROR_MORE_DATA, tested by
/// `is_more_data(ec)` (see `<iocpx/windows/overlapped_result.hpp>`).
enum class pipe_errc
{
  /// The pipe name is empty.
  empty_name = 1,

  /// The pipe name does not start with `\\.\pipe\` (or, for a client,
  /// `\\server\pipe\`), or names no pipe after that prefix.
  invalid_name,

  /// The pipe name is longer than the 256 characters Windows allows.
  name_too_long,

  /// No pipe with this name exists (the client's CreateFile reported
  /// ERROR_FILE_NOT_FOUND). Compares equal to
  /// `boost::system::errc::no_such_file_or_directory`.
  not_found,

  /// The operation needs the server end of a pipe (disconnect).
  not_server_end
};

namespace detail {

class pipe_category_impl : public boost::system::error_category
{
public:
  const char* name() const noexcept override
  {
    return "iocpx.named_pipe";
  }

  std::string message(int value) const override
  {
    switch (static_cast<pipe_errc>(value))
    {
    case pipe_errc::empty_name:
      return "named pipe name is empty";
    case pipe_errc::invalid_name:
      return "named pipe name must start with \\\\.\\pipe\\ (or \\\\server\\pipe\\ for a "
             "client) and name a pipe after it";
    case pipe_errc::name_too_long:
      return "named pipe name is longer than 256 characters";
    case pipe_errc::not_found:
      return "no named pipe with this name exists";
    case pipe_errc::not_server_end:
      return "operation needs the server end of a named pipe";
    }
    return "unknown iocpx.named_pipe error";
  }

  boost::system::error_condition default_error_condition(int value) const noexcept override
  {
    switch (static_cast<pipe_errc>(value))
    {
    case pipe_errc::empty_name:
    case pipe_errc::invalid_name:
    case pipe_errc::name_too_long:
      return boost::system::errc::invalid_argument;
    case pipe_errc::not_found:
      return boost::system::errc::no_such_file_or_directory;
    case pipe_errc::not_server_end:
      return boost::system::errc::operation_not_supported;
    }
    return boost::system::error_condition(value, *this);
  }
};

} // namespace detail

/// The category of `pipe_errc`.
inline const boost::system::error_category& pipe_category() noexcept
{
  static const detail::pipe_category_impl instance;
  return instance;
}

/// Writes the error's message (for diagnostics and test output).
inline std::ostream& operator<<(std::ostream& os, pipe_errc e)
{
  return os << pipe_category().message(static_cast<int>(e));
}

/// Makes an error_code in `pipe_category()`.
inline boost::system::error_code make_error_code(pipe_errc e) noexcept
{
  return boost::system::error_code(static_cast<int>(e), pipe_category());
}

} // namespace windows
} // namespace iocpx

namespace boost {
namespace system {

template <>
struct is_error_code_enum<iocpx::windows::pipe_errc> : std::true_type
{
};

} // namespace system
} // namespace boost

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_NAMED_PIPE_ERROR_HPP
