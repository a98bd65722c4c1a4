// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_ASIO_IOCP_HPP
#define IOCPX_WINDOWS_DETAIL_ASIO_IOCP_HPP

// The one place where iocpx reaches into boost::asio::detail.
//
// Asio's public extension point for foreign OVERLAPPED I/O,
// windows::overlapped_ptr, cannot carry completion tokens or cancellation
// slots and hangs with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS. iocpx therefore
// plugs into the same machinery overlapped_ptr uses: the IOCP scheduler
// (win_iocp_io_context) and its operation type, whose OVERLAPPED the dequeue
// loop casts every packet to. Every other iocpx header uses only the names
// imported below, so a change in Asio's internals is fixed here.

#include <iocpx/detail/config.hpp>

#include <boost/asio/detail/bind_handler.hpp>
#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/memory.hpp>
#include <boost/asio/detail/win_iocp_io_context.hpp>
#include <boost/asio/detail/win_iocp_operation.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#if !defined(BOOST_ASIO_HAS_IOCP)
#  error "iocpx::windows needs the IOCP backend of Asio (do not define BOOST_ASIO_DISABLE_IOCP)"
#endif

namespace iocpx {
namespace windows {
namespace detail {

/// Asio's completion-port scheduler behind an io_context on Windows.
using iocp_context = asio::detail::win_iocp_io_context;

/// An OVERLAPPED plus the completion function Asio's loop calls when the
/// packet that carries it is dequeued.
using iocp_operation = asio::detail::win_iocp_operation;

using asio::detail::binder2;
/// A handler with its arguments bound, keeping the handler's associated
/// executor and allocator: what iocpx posts when a result is known at once.
using asio::detail::bind_handler;
using asio::detail::fenced_block;
using asio::detail::handler_work;

/// Allocation of operation objects through the handler's associated allocator
/// (Asio's thread-local recycling allocator by default).
#define IOCPX_DEFINE_HANDLER_PTR(op) BOOST_ASIO_DEFINE_HANDLER_PTR(op)

inline iocp_context& iocp_of(asio::io_context& ctx)
{
  return asio::use_service<iocp_context>(ctx);
}

/// Whether a thread running the loop has dequeued the packet of `op` while
/// its initiating call was still being made. The loop then keeps the result
/// in the OVERLAPPED for on_pending() to re-post (win_iocp_io_context's
/// do_one): in `Internal`, where the kernel left the request's status, the
/// address of the result's error category, which no status equals in
/// practice (statuses are fixed 32-bit values; on 64-bit targets a
/// module's statics usually lie above 4 GiB).
inline bool packet_taken_by_loop(const OVERLAPPED& ov) noexcept
{
  return ov.Internal == reinterpret_cast<ULONG_PTR>(&asio::error::get_system_category());
}

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_ASIO_IOCP_HPP
