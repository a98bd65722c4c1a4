// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_IMMEDIATE_DELIVERY_HPP
#define IOCPX_WINDOWS_DETAIL_IMMEDIATE_DELIVERY_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/delivery_scope.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>

namespace iocpx {
namespace windows {
namespace detail {

// The fast path for operations that complete at once.
//
// With skip-on-success, an immediate success queues no packet. Asio's own
// answer (overlapped_ptr::complete, asio::post) is to post the result to the
// port: one more kernel round trip per operation, which costs more than
// skip-on-success saves. iocpx instead notices when the operation was started
// from inside a completion that iocpx is delivering on a thread that runs the
// same io_context (a handler that starts its next read or write, a composed
// operation looping, a readiness handler), and queues the result on the
// thread's delivery_scope (iocpx/detail/delivery_scope.hpp), shared with the
// portable readiness layer: the delivery in progress runs the queued
// completions, in order, right after the current handler returns. The
// handler therefore still never runs inside its initiating function, and no
// port round trip is spent.
//
// Bounded by the scope's budget and capacity; beyond them, completions are
// posted to the port like any other, so a chain of always-immediate
// operations cannot starve other handlers or timers. Queued completions are
// also posted if the io_context was stopped or a handler threw.
class immediate_delivery_scope
{
public:
  // Opens a scope on this thread around the delivery of a completion that
  // `iocp`'s loop dequeued; it queues completions of that io_context only
  // (a handler drain() runs joins this queue; one that runs a loop itself
  // gets its own scopes: see delivery_scope.hpp).
  explicit immediate_delivery_scope(iocp_context& iocp) noexcept : scope_(key(iocp)) {}

  immediate_delivery_scope(const immediate_delivery_scope&) = delete;
  immediate_delivery_scope& operator=(const immediate_delivery_scope&) = delete;

  // Runs what was queued (nothing if this scope joined the queue of the
  // delivery that runs it). Call after the handler returned normally.
  void drain()
  {
    scope_.drain();
  }

  // Queues the completion of `op` on this thread's open scope, if there is
  // one with room and budget left and this thread runs `iocp`. Otherwise
  // the caller posts it. work_started() must have been called for `op`.
  IOCPX_DECL static bool try_queue(iocp_context& iocp, iocp_operation* op,
      DWORD error, DWORD bytes_transferred) noexcept;

  // The io_context behind `iocp`, as delivery_scope's key.
  static const void* key(iocp_context& iocp) noexcept
  {
    return static_cast<const asio::execution_context*>(&iocp.context());
  }

private:

  IOCPX_DECL static void run(void* op, void* iocp, std::uint32_t error,
      std::uint32_t bytes, bool run_now);

  iocpx::detail::delivery_scope scope_;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_IMMEDIATE_DELIVERY_HPP
