// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_ERROR_HPP
#define IOCPX_ERROR_HPP

#include <iocpx/detail/config.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <type_traits>

namespace iocpx {
namespace error {

/// Errors that iocpx itself reports.
///
/// They live in their own category, `iocpx::error::get_category()`; errors
/// returned by Win32 or POSIX calls are passed through unchanged in
/// `boost::system::system_category()`. Cancellation is always reported as
/// `boost::asio::error::operation_aborted`.
enum errors
{
  // --- binding (Windows) -------------------------------------------------

  /// The handle is already bound to another io_context.
  bound_elsewhere = 1,

  /// The handle is already associated with a completion port that iocpx does
  /// not own (the OS allows one association per handle).
  already_associated,

  /// The handle was not opened for overlapped I/O (FILE_FLAG_OVERLAPPED /
  /// WSA_FLAG_OVERLAPPED), so it cannot complete through a port.
  not_overlapped,

  /// The handle is null, INVALID_HANDLE_VALUE, closed, or not a kind of
  /// handle that can be associated with a completion port.
  invalid_handle,

  /// Disassociating a handle from its port needs
  /// NtSetInformationFile(FileReplaceCompletionInformation), which this system
  /// lacks (Windows before 8.1, Wine).
  unbind_not_supported,

  /// The operation needs a bound handle, and this binding is empty.
  not_bound,

  /// The handle still has iocpx operations in flight.
  operations_pending,

  /// The handle is already bound to this io_context with other completion
  /// notification modes (they can be set once, never cleared).
  options_conflict,

  /// A persistent `overlapped` was started while its previous operation was
  /// still in flight.
  already_in_flight,

  // --- readiness (portable) ---------------------------------------------

  /// The operation cannot proceed now; wait for readiness and retry.
  would_block,

  /// The registration behind a set_readiness (or a moved-from registration)
  /// no longer exists.
  registration_gone,

  /// A readiness wait or registration was given an empty interest set.
  empty_interest,

  /// The readiness source is not registered with this poller.
  not_registered,

  /// The readiness source is already registered with a poller (this one or
  /// another: a source belongs to at most one poller at a time).
  already_registered,

  /// An empty buffer was given where at least one element is needed.
  empty_buffer,

  // --- named pipes (Windows) --------------------------------------------

  /// The pipe name is empty. Compares equal to `errc::invalid_argument`.
  pipe_name_empty,

  /// The pipe name does not start with `\\.\pipe\` (or, for a client,
  /// `\\server\pipe\`), names no pipe after that prefix, or has a
  /// component made only of dots and spaces (`.`, `..`, `. `: Win32 would
  /// apply it or strip it, and leave the pipe namespace). Compares
  /// equal to `errc::invalid_argument`.
  pipe_name_invalid,

  /// The pipe name is longer than the 256 characters Windows allows.
  /// Compares equal to `errc::invalid_argument`.
  pipe_name_too_long,

  /// No pipe with this name exists (the client's CreateFile reported
  /// ERROR_FILE_NOT_FOUND). Compares equal to
  /// `errc::no_such_file_or_directory`.
  pipe_not_found,

  /// The operation needs the server end of a pipe (disconnect). Compares
  /// equal to `errc::operation_not_supported`.
  not_server_end,

  /// A readiness `try_write_some` that completes an earlier write (one that
  /// reported would_block while its bytes were in the system) was called
  /// with bytes that do not begin with that write's bytes. Retry a write
  /// that reported would_block with the same bytes (as with `SSL_write`).
  write_retry_mismatch,

  /// A pipe's `release()` while its readiness state holds bytes of the
  /// stream that the handle alone would lose: bytes a buffered probe read
  /// ahead and no read has taken, or a write held after would_block whose
  /// retry has not reported it. Read them (or retry the write), then
  /// release.
  bytes_held,

  /// A pipe's `assign()` of a handle that another iocpx object owns (a
  /// named pipe, or an acceptor's listening instance). A plain `binding`
  /// of the handle owns nothing and is no obstacle.
  already_owned
};

/// The category of iocpx's own errors (name "iocpx").
IOCPX_DECL const boost::system::error_category& get_category() noexcept;

/// Makes an error_code in iocpx's category.
inline boost::system::error_code make_error_code(errors e) noexcept
{
  return boost::system::error_code(static_cast<int>(e), get_category());
}

} // namespace error

namespace detail {

// Throws boost::system::system_error for a failed synchronous call, in the
// style of asio::detail::throw_error.
inline void throw_if(const boost::system::error_code& ec, const char* what)
{
  if (ec)
    throw boost::system::system_error(ec, what);
}

} // namespace detail
} // namespace iocpx

namespace boost {
namespace system {

template <>
struct is_error_code_enum<iocpx::error::errors> : std::true_type
{
};

} // namespace system
} // namespace boost

#if defined(IOCPX_HEADER_ONLY)
#  include <iocpx/impl/error.ipp>
#endif

#endif // IOCPX_ERROR_HPP
