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
#include <iocpx/error.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>
#include <iocpx/windows/detail/handle_state.hpp>
#include <iocpx/windows/detail/immediate_delivery.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

class overlapped_cancellation;

// An operation that records whether per-operation cancellation asked for it
// to stop, so that an abort reported with another code can be recognised.
// The operation itself is the OVERLAPPED given to the Win32 call: its memory
// lives until its packet is dequeued (or iocpx delivers it), whatever
// happens to the cancellation slot meanwhile.
class cancellable_operation : public iocp_operation
{
public:
  bool cancel_requested_ = false;

  // The handler installed in the cancellation slot, while both exist.
  overlapped_cancellation* canceller_ = nullptr;

  // Called when the operation completes, before it is freed: a signal
  // emitted later finds nothing to cancel.
  inline void detach_canceller() noexcept;

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
  overlapped_cancellation(HANDLE handle, cancellable_operation* target) noexcept
    : handle_(handle), target_(target)
  {
    target->canceller_ = this;
  }

  overlapped_cancellation(const overlapped_cancellation&) = delete;
  overlapped_cancellation& operator=(const overlapped_cancellation&) = delete;

  ~overlapped_cancellation()
  {
    if (target_)
      target_->canceller_ = nullptr;
  }

  void operator()(iocpx::detail::cancellation_type_t type) noexcept
  {
    if (target_ && iocpx::detail::requests_cancellation(type))
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
  if (canceller_)
  {
    canceller_->target_ = nullptr;
    canceller_ = nullptr;
  }
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

  static void do_complete(void* owner, iocp_operation* base,
      const boost::system::error_code& result_ec, std::size_t bytes_transferred)
  {
    auto* o = static_cast<async_overlapped_op*>(base);
    o->detach_canceller();
    ptr p = {std::addressof(o->handler_), o, o};

    handler_work<Handler, IoExecutor> w(std::move(o->work_));

    handle_state& state = o->state_;
    const boost::system::error_code ec = translate_result(result_ec, o->cancel_requested_,
        state.cancel_epoch.load(std::memory_order_acquire) != o->epoch_, state.handle);
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
  using executor_type = asio::io_context::executor_type;

  explicit initiate_async_overlapped(binding& b) noexcept : binding_(b) {}

  executor_type get_executor() const noexcept
  {
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
      return;
    }

    iocp_operation* ov = p.p;
    iocpx::detail::install_cancellation_handler<overlapped_cancellation>(
        p.p->handler(), state->handle, p.p);

    operation_started(*state);
    state->iocp->work_started(); // before the call: see finish_start()
    mark_status_unknown(*ov);
    DWORD result;
    try
    {
      result = static_cast<DWORD>(start(static_cast<OVERLAPPED*>(ov)));
    }
    catch (...)
    {
      return_work(*state->iocp);
      operation_finished(*state);
      if (p.p->canceller_)
        iocpx::detail::clear_cancellation_handler(p.p->handler());
      throw; // p destroys the operation and its handler
    }
    p.v = p.p = nullptr;
    finish_start(*state, ov, result,
        iocpx::detail::may_deliver_on_this_thread<
            asio::associated_executor_t<handler_type, executor_type>>::value);
  }

private:
  binding& binding_;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_IMPL_ASYNC_OVERLAPPED_HPP
