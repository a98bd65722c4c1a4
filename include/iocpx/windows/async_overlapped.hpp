// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_ASYNC_OVERLAPPED_HPP
#define IOCPX_WINDOWS_ASYNC_OVERLAPPED_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/overlapped_result.hpp>
#include <iocpx/windows/impl/async_overlapped.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <utility>

namespace iocpx {
namespace windows {

/// Runs one overlapped Win32 call on a bound handle and completes with its
/// result, through the io_context, with any completion token.
///
/// @param b The binding of the handle the call operates on.
///
/// @param start A callable `R(OVERLAPPED*)` that makes the Win32 call with
/// the given OVERLAPPED (ReadFile, WriteFile, DeviceIoControl,
/// ConnectNamedPipe, WSARecv, ...) and returns its outcome as a Win32 error
/// code of an integral type other than `BOOL`/`bool`/`int`, so that a call's
/// BOOL cannot be returned by mistake. Use win32_result() or wsa_result():
/// @code
/// [&](OVERLAPPED* ov) { return win32_result(::ReadFile(h, p, n, nullptr, ov)); }
/// @endcode
/// It is called once, inside this function — or not at all if the binding
/// is empty, or its handle was closed or unbound or its io_context shut
/// down: the handler then receives `error::not_bound`. The OVERLAPPED belongs to iocpx: do not set
/// `hEvent`, and do not use it after `start` returns. If `start` throws,
/// nothing is started, the handler is destroyed without being called, and
/// the exception propagates — so `start` must not throw once its call has
/// taken the OVERLAPPED (a pending request, or one that queued a packet):
/// the operation's memory is freed while the kernel still writes to it.
///
/// @param token The completion token.
///
/// @par What the result means
/// - `ERROR_IO_PENDING`: completes when the kernel's packet is dequeued.
/// - `ERROR_SUCCESS`: completes with the bytes transferred. If the handle
///   skips the port on success, no packet exists and iocpx delivers the
///   result itself (Asio's overlapped_ptr would hang here).
/// - `ERROR_MORE_DATA` (a message longer than the buffer): completes with
///   that error and the bytes read; the rest of the message is still there.
///   Test for it with is_more_data(). It is a warning, not a failure.
/// - A code that stands for a warning the kernel completed — WSARecv's
///   WSAEMSGSIZE for a datagram longer than the buffer — is treated as
///   ERROR_MORE_DATA: it has a packet unless the handle skips the port on
///   success, and completes once with ERROR_MORE_DATA and the bytes that
///   fit (iocpx reads the status the kernel left in the OVERLAPPED).
/// - Any other code: an immediate failure (no packet) — completes with that
///   code. Some are not failures to the caller: ConnectNamedPipe's
///   ERROR_PIPE_CONNECTED means a client connected before the call.
///
/// Aborted operations complete with `asio::error::operation_aborted`, also
/// where the system reports ERROR_HANDLES_CLOSED, or ERROR_BROKEN_PIPE /
/// ERROR_NETNAME_DELETED / ERROR_NO_DATA for an operation ended by closing
/// the handle — binding::close(), unbind(), release(), or a handle closed
/// directly (Wine does so). Otherwise those codes are the peer's doing and
/// stay, also when a cancel came after the operation had completed.
///
/// An empty or closed binding completes with `error::not_bound` (through
/// the handler's associated executor if the binding is empty).
///
/// @par Completion Signature
/// @code void(boost::system::error_code, std::size_t) @endcode
///
/// The handler is never invoked from inside this function.
///
/// @par Per-Operation Cancellation (Boost 1.77 and newer)
/// `cancellation_type::terminal`, `partial` and `total` call CancelIoEx on
/// exactly this operation's OVERLAPPED; other operations on the handle go
/// on. A cancelled operation that had already completed keeps its result.
///
/// @par Allocation
/// The operation state is allocated with the handler's associated allocator
/// (by default Asio's recycling allocator: no heap allocation per operation
/// in steady state).
template <typename Start,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t)) CompletionToken
        = asio::default_completion_token_t<binding::executor_type>>
auto async_overlapped(binding& b, Start&& start,
    CompletionToken&& token = asio::default_completion_token_t<binding::executor_type>())
    -> decltype(asio::async_initiate<CompletionToken,
        void(boost::system::error_code, std::size_t)>(
        std::declval<detail::initiate_async_overlapped>(), token, std::forward<Start>(start)))
{
  detail::check_start_signature<Start>();
  return asio::async_initiate<CompletionToken, void(boost::system::error_code, std::size_t)>(
      detail::initiate_async_overlapped(b), token, std::forward<Start>(start));
}

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_ASYNC_OVERLAPPED_HPP
