// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_IMMEDIATE_DELIVERY_HPP
#define IOCPX_WINDOWS_DETAIL_IMMEDIATE_DELIVERY_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>

namespace iocpx {
namespace windows {
namespace detail {

// The fast path for operations that complete at once.
//
// With skip-on-success, an immediate success queues no packet. Asio's own
// answer (overlapped_ptr::complete, asio::post) is to post the result to the
// port: one more kernel round trip per operation, which costs more than
// skip-on-success saves. iocpx instead notices when the operation was started
// from inside a completion that iocpx is delivering on this thread (a handler
// that starts its next read or write, a composed operation looping), and
// queues the result on that thread; the delivery that is in progress runs the
// queued completions, in order, right after the current handler returns. The
// handler therefore still never runs inside its initiating function, and no
// port round trip is spent.
//
// Bounded: a delivery scope runs at most `budget` queued completions (and
// queues at most `capacity` at a time); beyond that, completions are posted
// to the port like any other, so a chain of always-immediate operations
// cannot starve other handlers or timers. Queued completions are also posted
// if the io_context was stopped or a handler threw.
class immediate_delivery_scope
{
public:
  static constexpr std::size_t capacity = 16;
  static constexpr std::size_t budget = 32;

  // Opens a scope on this thread unless one is already open (the outermost
  // scope owns the queue; nested deliveries add to it).
  explicit immediate_delivery_scope(iocp_context& iocp) noexcept
    : iocp_(iocp), outer_(current())
  {
    if (!outer_)
      current() = this;
  }

  immediate_delivery_scope(const immediate_delivery_scope&) = delete;
  immediate_delivery_scope& operator=(const immediate_delivery_scope&) = delete;

  // Runs what was queued (outermost scope only). Call after the handler
  // returned normally.
  IOCPX_DECL void drain();

  // Posts what is left (only if a handler threw) and closes the scope.
  IOCPX_DECL ~immediate_delivery_scope();

  // Queues the completion of `op` on this thread's open scope, if there is
  // one for the same io_context with room and budget left. Otherwise the
  // caller posts it. work_started() must have been called for `op`.
  IOCPX_DECL static bool try_queue(iocp_context& iocp, iocp_operation* op,
      DWORD error, DWORD bytes_transferred) noexcept;

private:
  struct entry
  {
    iocp_operation* op;
    DWORD error;
    DWORD bytes;
  };

  IOCPX_DECL static immediate_delivery_scope*& current() noexcept;

  iocp_context& iocp_;
  immediate_delivery_scope* outer_;
  entry queue_[capacity];
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t delivered_ = 0;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_IMMEDIATE_DELIVERY_HPP
