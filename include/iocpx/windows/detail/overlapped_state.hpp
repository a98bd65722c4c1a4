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
  std::atomic<bool> in_flight{false};

  // Called by overlapped::start before the Win32 call.
  void begin(handle_state& handle) noexcept
  {
    iocp_operation::reset();
    handle_ = &handle;
    epoch_ = handle.cancel_epoch.load(std::memory_order_acquire);
    cancel_requested_ = false;
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

  void cancel() noexcept
  {
    if (in_flight.load(std::memory_order_acquire) && handle_)
    {
      cancel_requested_ = true;
      ::CancelIoEx(handle_->handle, this);
    }
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
  using invoke_fn = void (*)(overlapped_state*, const boost::system::error_code&, std::size_t);
  using destroy_fn = void (*)(overlapped_state*) noexcept;

  overlapped_state(invoke_fn invoke, destroy_fn destroy) noexcept
    : iocp_operation(&overlapped_state::do_complete), invoke_(invoke), destroy_(destroy)
  {
  }

  ~overlapped_state() = default;

private:
  void release() noexcept
  {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      destroy_(this);
  }

  static void do_complete(void* owner, iocp_operation* base,
      const boost::system::error_code& result_ec, std::size_t bytes_transferred)
  {
    auto* self = static_cast<overlapped_state*>(base);
    handle_state& handle = *std::exchange(self->handle_, nullptr);
    const boost::system::error_code ec = translate_result(result_ec, self->cancel_requested_,
        handle.cancel_epoch.load(std::memory_order_acquire) != self->epoch_, handle.handle);
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
      self->invoke_(self, ec, bytes_transferred);
      scope.drain();
    }
  }

  invoke_fn invoke_;
  destroy_fn destroy_;
  std::atomic<long> refs_{1};
  std::atomic<bool> abandoned_{false};
  handle_state* handle_ = nullptr;
  unsigned long epoch_ = 0;
  bool cancel_requested_ = false;
};

template <typename Callback>
class overlapped_state_impl final : public overlapped_state
{
public:
  template <typename C>
  explicit overlapped_state_impl(C&& callback)
    : overlapped_state(&overlapped_state_impl::invoke, &overlapped_state_impl::destroy),
      callback_(std::forward<C>(callback))
  {
  }

private:
  static void invoke(overlapped_state* base, const boost::system::error_code& ec,
      std::size_t bytes_transferred)
  {
    static_cast<overlapped_state_impl*>(base)->callback_(ec, bytes_transferred);
  }

  static void destroy(overlapped_state* base) noexcept
  {
    delete static_cast<overlapped_state_impl*>(base);
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
