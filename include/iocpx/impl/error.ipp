// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_IMPL_ERROR_IPP
#define IOCPX_IMPL_ERROR_IPP

#include <iocpx/error.hpp>

#include <boost/asio/error.hpp>

#include <string>

namespace iocpx {
namespace error {
namespace detail {

class category final : public boost::system::error_category
{
public:
  const char* name() const noexcept override
  {
    return "iocpx";
  }

  std::string message(int value) const override
  {
    return describe(value);
  }

  char const* message(int value, char*, std::size_t) const noexcept override
  {
    return describe(value);
  }

  bool failed(int value) const noexcept override
  {
    return value != 0;
  }

  boost::system::error_condition default_error_condition(int value) const noexcept override
  {
    // Lets portable code test `ec == boost::system::errc::operation_would_block`.
    namespace errc = boost::system::errc;
    switch (value)
    {
    case would_block:
      return errc::make_error_condition(errc::operation_would_block);
    case pipe_name_empty:
    case pipe_name_invalid:
    case pipe_name_too_long:
      return errc::make_error_condition(errc::invalid_argument);
    case pipe_not_found:
      return errc::make_error_condition(errc::no_such_file_or_directory);
    case not_server_end:
      return errc::make_error_condition(errc::operation_not_supported);
    default:
      break;
    }
    return boost::system::error_condition(value, *this);
  }

private:
  static const char* describe(int value) noexcept
  {
    switch (value)
    {
    case bound_elsewhere:
      return "handle is bound to another io_context";
    case already_associated:
      return "handle is already associated with a completion port that iocpx does not own";
    case not_overlapped:
      return "handle was not opened for overlapped I/O";
    case invalid_handle:
      return "invalid handle, or a handle that cannot be associated with a completion port";
    case unbind_not_supported:
      return "disassociating a handle from its completion port needs Windows 8.1 "
             "(NtSetInformationFile FileReplaceCompletionInformation); this system lacks it";
    case not_bound:
      return "handle is not bound to an io_context";
    case operations_pending:
      return "handle still has operations in flight";
    case options_conflict:
      return "handle is already bound with other completion notification modes";
    case already_in_flight:
      return "overlapped operation is already in flight";
    case would_block:
      return "would block";
    case registration_gone:
      return "registration no longer exists";
    case empty_interest:
      return "empty readiness interest";
    case not_registered:
      return "source is not registered with this poller";
    case already_registered:
      return "source is already registered with a poller";
    case empty_buffer:
      return "empty buffer";
    case pipe_name_empty:
      return "named pipe name is empty";
    case pipe_name_invalid:
      return "named pipe name must start with \\\\.\\pipe\\ (or \\\\server\\pipe\\ for a "
             "client) and name a pipe after it";
    case pipe_name_too_long:
      return "named pipe name is longer than 256 characters";
    case pipe_not_found:
      return "no named pipe with this name exists";
    case not_server_end:
      return "operation needs the server end of a named pipe";
    case write_retry_mismatch:
      return "a write that reported would block was retried with other bytes";
    case bytes_held:
      return "the pipe holds bytes read ahead or a write held after would block; read them or "
             "retry the write before releasing the handle";
    case already_owned:
      return "the handle is already owned by another iocpx object (a named pipe or an acceptor)";
    default:
      return "unknown iocpx error";
    }
  }
};

} // namespace detail

IOCPX_DECL const boost::system::error_category& get_category() noexcept
{
  static const detail::category instance;
  return instance;
}

} // namespace error
} // namespace iocpx

#endif // IOCPX_IMPL_ERROR_IPP
