// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_IMPL_ASYNC_OVERLAPPED_HPP
#define IOCPX_WINDOWS_IMPL_ASYNC_OVERLAPPED_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/cancellation.hpp>
#include <iocpx/detail/io_executor.hpp>
#include <iocpx/detail/slim_mutex.hpp>
#include <iocpx/error.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>
#include <iocpx/windows/detail/handle_state.hpp>
#include <iocpx/windows/detail/immediate_delivery.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

class overlapped_cancellation;

// Orders a slot handler's work (a cancel, its destruction) against the
// completion of its operation. They run on different threads when several
// threads run the io_context: the slot is used on the handler's executor
// (a strand), while the operation completes — and is freed — on whichever
// thread dequeues its packet, outside that strand. Without the lock, an
// emit that found the operation still in flight could go on after that
// thread freed it: write its "cancel requested" flag into freed memory and
// CancelIoEx another operation that reuses the memory on the same handle.
// The lock cannot live in either object (each side may free its own at any
// time), so it is one of a few static ones, chosen by the slot handler's
// address, which both sides know. Held across CancelIoEx, which runs no
// handler; taken by a completion only if its slot handler still exists.
inline iocpx::detail::slim_mutex& cancellation_lock(const void* canceller) noexcept
{
  static iocpx::detail::slim_mutex locks[32];
  return locks[(reinterpret_cast<std::uintptr_t>(canceller) / 64) % 32];
}

// An operation that records whether per-operation cancellation asked for it
// to stop, so that an abort reported with another code can be recognised.
// The operation itself is the OVERLAPPED given to the Win32 call: its memory
// lives until its packet is dequeued (or iocpx delivers it), whatever
// happens to the cancellation slot meanwhile.
class cancellable_operation : public iocp_operation
{
public:
  // Written under cancellation_lock(canceller_), read once the operation
  // is detached from its slot handler (detach_canceller).
  bool cancel_requested_ = false;

  // The handler installed in the cancellation slot, while both exist.
  // Cleared under cancellation_lock(the handler); read without it first by
  // the completion, which does not know the handler otherwise.
  std::atomic<overlapped_cancellation*> canceller_{nullptr};

  // Called when the operation completes, before it is freed: a signal
  // emitted later finds nothing to cancel.
  inline void detach_canceller() noexcept;

  // Whether the slot's signal asked to cancel the operation so far. Read
  // after the start function's call left it pending, before finish_start()
  // lets its completion run: a signal emitted while the call was being
  // made (on another thread) called CancelIoEx before the kernel had the
  // request, and cancelled nothing.
  inline bool cancel_requested_so_far() noexcept;

protected:
  explicit cancellable_operation(func_type func) noexcept : iocp_operation(func) {}
};

// Installed in the handler's cancellation slot when it is connected. It
// points at the operation only while the operation is in flight: the
// operation detaches it when it completes, so a signal emitted after the
// completion cancels nothing (the operation's memory may already be
// recycled for another operation on the handle). It owns no memory the
// kernel uses, so the slot may drop it at any time (a new handler emplaced,
// the slot cleared, the signal destroyed): the operation then simply cannot
// be cancelled per operation any more, as with Asio's own operations.
class overlapped_cancellation
{
public:
  // (Before the operation starts: nothing else can see either yet.)
  overlapped_cancellation(HANDLE handle, cancellable_operation* target) noexcept
    : handle_(handle), target_(target)
  {
    target->canceller_.store(this, std::memory_order_release);
  }

  overlapped_cancellation(const overlapped_cancellation&) = delete;
  overlapped_cancellation& operator=(const overlapped_cancellation&) = delete;

  ~overlapped_cancellation()
  {
    std::lock_guard<iocpx::detail::slim_mutex> lock(cancellation_lock(this));
    if (target_)
      target_->canceller_.store(nullptr, std::memory_order_release);
  }

  void operator()(iocpx::detail::cancellation_type_t type) noexcept
  {
    if (!iocpx::detail::requests_cancellation(type))
      return;
    // Under the lock: the operation cannot complete and be freed (or
    // reused) between the check and the cancel.
    std::lock_guard<iocpx::detail::slim_mutex> lock(cancellation_lock(this));
    if (target_)
    {
      target_->cancel_requested_ = true;
      ::CancelIoEx(handle_, target_);
    }
  }

private:
  friend class cancellable_operation;

  HANDLE handle_;
  cancellable_operation* target_;
};

inline void cancellable_operation::detach_canceller() noexcept
{
  overlapped_cancellation* c = canceller_.load(std::memory_order_acquire);
  if (!c)
    return;
  std::lock_guard<iocpx::detail::slim_mutex> lock(cancellation_lock(c));
  // Again under the lock: the slot may have destroyed that handler (and
  // reused its memory) meanwhile; it then cleared canceller_ under this lock.
  if (canceller_.load(std::memory_order_relaxed) == c)
  {
    c->target_ = nullptr;
    canceller_.store(nullptr, std::memory_order_relaxed);
  }
}

inline bool cancellable_operation::cancel_requested_so_far() noexcept
{
  // With no handler in the slot, the flag was written (if at all) by one
  // destroyed since, whose clearing of canceller_ (release) came after the
  // write; with one, it is read under the handler's lock, as it is written.
  overlapped_cancellation* c = canceller_.load(std::memory_order_acquire);
  if (!c)
    return cancel_requested_;
  std::lock_guard<iocpx::detail::slim_mutex> lock(cancellation_lock(c));
  return cancel_requested_;
}

template <typename Handler, typename IoExecutor>
class async_overlapped_op : public cancellable_operation
{
public:
  IOCPX_DEFINE_HANDLER_PTR(async_overlapped_op);

  async_overlapped_op(handle_state& state, Handler& handler, const IoExecutor& io_ex)
    : cancellable_operation(&async_overlapped_op::do_complete),
      state_(state),
      epoch_(state.cancel_epoch.load(std::memory_order_acquire)),
      handler_(std::move(handler)),
      work_(handler_, io_ex)
  {
  }

  Handler& handler() noexcept
  {
    return handler_;
  }

  // The handle's cancel epoch when the operation was made.
  unsigned long epoch() const noexcept
  {
    return epoch_;
  }

  static void do_complete(void* owner, iocp_operation* base,
      const boost::system::error_code& result_ec, std::size_t bytes_transferred)
  {
    auto* o = static_cast<async_overlapped_op*>(base);
    o->detach_canceller();
    ptr p = {std::addressof(o->handler_), o, o};

    handler_work<Handler, IoExecutor> w(std::move(o->work_));

    handle_state& state = o->state_;
    const boost::system::error_code ec = translate_result(result_ec, state);
    operation_finished(state);

    // Free the operation before the upcall, so the handler can start the
    // next one with the same memory.
    binder2<Handler, boost::system::error_code, std::size_t> handler(
        o->handler_, ec, bytes_transferred);
    p.h = std::addressof(handler.handler_);
    p.reset();

    if (owner)
    {
      // Operations this handler starts that complete at once are delivered
      // right after it returns (see immediate_delivery.hpp).
      immediate_delivery_scope scope(*static_cast<iocp_context*>(owner));
      fenced_block b(fenced_block::half);
      w.complete(handler, handler.handler_);
      scope.drain();
    }
  }

private:
  handle_state& state_;
  unsigned long epoch_;
  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
};

class initiate_async_overlapped
{
public:
  // What a token that asks the initiation for its executor before
  // initiating gets (asio::experimental::use_promise does, through
  // get_associated_executor, which may not throw): the binding's
  // io_context's executor; for an empty binding, which has no io_context,
  // the system executor, through which the operation's not_bound then
  // arrives (until 2026-11-29 a read through a null pointer). Hence a
  // polymorphic type.
  using executor_type = asio::any_io_executor;

  explicit initiate_async_overlapped(binding& b) noexcept : binding_(b) {}

  executor_type get_executor() const
  {
    if (!binding_.native_handle())
      return asio::system_executor();
    return binding_.get_executor();
  }

  template <typename Handler, typename Start>
  void operator()(Handler&& handler, Start&& start) const
  {
    using handler_type = std::decay_t<Handler>;
    handler_type h(std::forward<Handler>(handler));

    handle_state* state = binding_.state_for_iocpx();
    if (!state)
    {
      // No io_context to complete through: use the handler's own executor.
      auto ex = asio::get_associated_executor(h);
      asio::post(ex, detail::bind_handler(std::move(h),
          boost::system::error_code(error::not_bound), std::size_t(0)));
      // Completions made ready later in the handler running here go
      // behind this one, not ahead of it on the fast path.
      iocpx::detail::delivery_scope::post_later_ones(
          iocpx::detail::execution_context_key(ex));
      return;
    }

    using op = async_overlapped_op<handler_type, executor_type>;
    typename op::ptr p = {std::addressof(h), op::ptr::allocate(h), nullptr};
    p.p = new (p.v) op(*state, h, state->context->get_executor());

    if (state->detached.load(std::memory_order_acquire))
    {
      operation_started(*state);
      state->iocp->work_started();
      state->iocp->on_completion(p.p, boost::system::error_code(error::not_bound), 0);
      p.v = p.p = nullptr;
      iocpx::detail::delivery_scope::post_later_ones(
          immediate_delivery_scope::key(*state->iocp)); // (as above)
      return;
    }

    auto* const started = p.p;
    iocp_operation* ov = started;
    iocpx::detail::install_cancellation_handler<overlapped_cancellation>(
        p.p->handler(), state->handle, p.p);

    // Decided before the call (the operation may be gone after it), and
    // by the executor itself, not only its type: see io_executor.hpp.
    const bool may_deliver_here = iocpx::detail::may_deliver_on_this_thread_of(
        asio::get_associated_executor(p.p->handler(), state->context->get_executor()),
        *state->context);

    operation_started(*state);
    state->iocp->work_started(); // before the call: see finish_start()
    mark_status_unknown(*ov);
    const unsigned long epoch = p.p->epoch();
    DWORD result;
    try
    {
      result = static_cast<DWORD>(start(static_cast<OVERLAPPED*>(ov)));
    }
    catch (...)
    {
      return_work(*state->iocp);
      operation_finished(*state);
      if (p.p->canceller_.load(std::memory_order_relaxed))
        iocpx::detail::clear_cancellation_handler(p.p->handler());
      throw; // p destroys the operation and its handler
    }
    p.v = p.p = nullptr;
    // A binding::cancel() or close() of the handle that came while the
    // call was being made (on another thread, through another binding of
    // the handle) called CancelIoEx before the kernel had the request, and
    // cancelled nothing: cancel it now, before finish_start() lets its
    // completion run. Either the epoch is seen here, or that CancelIoEx
    // came after the kernel queued the request (the kernel orders the two
    // calls).
    // The same for the slot's signal (the operation is not completed before
    // finish_start(), even if another thread dequeued its packet).
    if (result == ERROR_IO_PENDING
        && (state->cancelled_since(epoch) || started->cancel_requested_so_far()))
      ::CancelIoEx(state->handle, ov);
    finish_start(*state, ov, result, may_deliver_here);
  }

private:
  binding& binding_;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_IMPL_ASYNC_OVERLAPPED_HPP
