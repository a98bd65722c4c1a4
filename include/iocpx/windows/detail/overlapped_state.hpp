// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_OVERLAPPED_STATE_HPP
#define IOCPX_WINDOWS_DETAIL_OVERLAPPED_STATE_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>
#include <iocpx/windows/detail/handle_state.hpp>
#include <iocpx/windows/detail/immediate_delivery.hpp>

#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

// The heap block behind an `overlapped`: the OVERLAPPED Asio's loop
// dequeues, plus the callback. Two references keep it alive: the owner's,
// and the one an operation in flight holds until its packet is dequeued, so
// destroying the owner mid-flight frees nothing the kernel may still write.
class overlapped_state : public iocp_operation
{
public:
  // Set while an operation is in flight (read by overlapped::in_flight()).
  // It and the next two flags come first: on 64-bit targets, GCC and Clang
  // with the Itanium layout (MinGW's too) place them in the tail padding of
  // Asio's operation; the MSVC layout (also clang-cl's) does not reuse a
  // base's tail padding, and 32-bit targets have none there.
  std::atomic<bool> in_flight{false};

  // Called by overlapped::start before the Win32 call.
  void begin(handle_state& handle) noexcept
  {
    iocp_operation::reset();
    mark_status_unknown(*this);
    handle_ = &handle;
    os_handle_.store(handle.handle, std::memory_order_relaxed);
    epoch_ = handle.cancel_epoch.load(std::memory_order_acquire);
    cancel_requested_.store(false, std::memory_order_relaxed);
    operation_started(handle);
    refs_.fetch_add(1, std::memory_order_relaxed);
    in_flight.store(true, std::memory_order_release);
  }

  // Undoes begin() when the start function threw.
  void abort_begin() noexcept
  {
    in_flight.store(false, std::memory_order_release);
    operation_finished(*std::exchange(handle_, nullptr));
    release();
  }

  // May run on any thread, also while the completion runs on another one:
  // it reads only atomics (never handle_, which the completion gives up).
  // Cancelling an operation that has just completed finds nothing to cancel.
  // (One that comes after begin() but before the Win32 call has handed the
  // request to the kernel finds nothing to cancel either: the start side
  // then cancels it, see cancel_if_cancelled_during_call().)
  void cancel() noexcept
  {
    if (in_flight.load(std::memory_order_acquire))
    {
      cancel_requested_.store(true, std::memory_order_seq_cst);
      ::CancelIoEx(os_handle_.load(std::memory_order_relaxed), this);
    }
  }

  // Called by overlapped::start after a Win32 call that left the operation
  // pending, before finish_start() lets its completion run: a cancel() of
  // this operation, or a binding::cancel() or close() of its handle, that
  // came while the call was being made (on another thread; in flight since
  // begin(), but not yet known to the kernel) called CancelIoEx too early
  // and cancelled nothing, so the operation is cancelled now. Either the
  // canceller's flag or epoch is seen here, or its CancelIoEx came after
  // the kernel queued the request (the kernel orders the two calls).
  void cancel_if_cancelled_during_call() noexcept
  {
    if (cancelled_since_begin())
      ::CancelIoEx(os_handle_.load(std::memory_order_relaxed), this);
  }

  // Whether the operation begun was cancelled since begin(): by cancel(),
  // or by a binding::cancel() or close() of its handle. Valid until the
  // operation completes or abort_begin() runs.
  bool cancelled_since_begin() const noexcept
  {
    return cancel_requested_.load(std::memory_order_seq_cst)
        || handle_->cancelled_since(epoch_);
  }

  // The owner goes away: cancel, never call the callback again, and drop
  // the owner's reference.
  void abandon() noexcept
  {
    abandoned_.store(true, std::memory_order_release);
    cancel();
    release();
  }

protected:
  // Runs the callback with (*ec, bytes), or destroys the state when `ec` is
  // null: one function pointer per state instead of two.
  using manage_fn = void (*)(overlapped_state*, const boost::system::error_code* ec, std::size_t);

  explicit overlapped_state(manage_fn manage) noexcept
    : iocp_operation(&overlapped_state::do_complete), manage_(manage)
  {
  }

  ~overlapped_state() = default;

private:
  void release() noexcept
  {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      manage_(this, nullptr, 0);
  }

  static void do_complete(void* owner, iocp_operation* base,
      const boost::system::error_code& result_ec, std::size_t bytes_transferred)
  {
    auto* self = static_cast<overlapped_state*>(base);
    handle_state& handle = *std::exchange(self->handle_, nullptr);
    const boost::system::error_code ec = translate_result(result_ec, handle);
    operation_finished(handle);
    self->in_flight.store(false, std::memory_order_release);

    // The in-flight reference is dropped after the callback, which may
    // restart the operation (taking a new one) or destroy the owner.
    struct in_flight_reference
    {
      overlapped_state* state;
      ~in_flight_reference()
      {
        state->release();
      }
    } reference{self};

    if (owner && !self->abandoned_.load(std::memory_order_acquire))
    {
      immediate_delivery_scope scope(*static_cast<iocp_context*>(owner));
      self->manage_(self, &ec, bytes_transferred);
      scope.drain();
    }
  }

  std::atomic<bool> abandoned_{false};
  std::atomic<bool> cancel_requested_{false};
  manage_fn manage_;
  handle_state* handle_ = nullptr;       // the operation's reference; given up by the completion
  std::atomic<HANDLE> os_handle_{nullptr}; // what cancel() cancels on; never cleared
  std::atomic<long> refs_{1};
  unsigned long epoch_ = 0;
};

template <typename Callback>
class overlapped_state_impl final : public overlapped_state
{
public:
  template <typename C>
  explicit overlapped_state_impl(C&& callback)
    : overlapped_state(&overlapped_state_impl::manage), callback_(std::forward<C>(callback))
  {
  }

  Callback& callback() noexcept
  {
    return callback_;
  }

private:
  static void manage(overlapped_state* base, const boost::system::error_code* ec,
      std::size_t bytes_transferred)
  {
    auto* self = static_cast<overlapped_state_impl*>(base);
    if (ec)
      self->callback_(*ec, bytes_transferred);
    else
      delete self;
  }

  Callback callback_;
};

template <typename Callback>
overlapped_state* make_overlapped_state(Callback&& callback)
{
  using callback_type = std::decay_t<Callback>;
  static_assert(std::is_invocable_v<callback_type&, const boost::system::error_code&, std::size_t>,
      "iocpx: the overlapped callback must be callable as "
      "void(const boost::system::error_code&, std::size_t)");
  return new overlapped_state_impl<callback_type>(std::forward<Callback>(callback));
}

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_OVERLAPPED_STATE_HPP
