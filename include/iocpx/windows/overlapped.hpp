// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_OVERLAPPED_HPP
#define IOCPX_WINDOWS_OVERLAPPED_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/error.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/overlapped_result.hpp>
#include <iocpx/windows/detail/overlapped_state.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {

/// The outcome of an operation that completed at once
/// (overlapped::start_or_complete).
struct immediate_result
{
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

/// A persistent, reusable OVERLAPPED owned by an I/O object, whose callback
/// runs on an io_context thread with the result each time its packet is
/// dequeued — mio's `Overlapped`.
///
/// Where `async_overlapped` is one operation per handler, an `overlapped` is
/// started again and again by the object that owns it: the building block
/// of readiness-style objects (a zero-byte read that turns into "readable",
/// a standing DeviceIoControl). Its state is allocated once, at
/// construction; starting it allocates nothing.
///
/// The callback, `void(const boost::system::error_code&, std::size_t)`,
/// runs directly on the thread that dequeued the completion (no executor
/// hop), never inside start(). It may start the overlapped again; with
/// several threads running the io_context, that operation's callback may
/// then run on another thread before this one returns (a callback cannot be
/// put on a strand), so make start() its last use of state it shares, or
/// guard that state.
///
/// @par Destroying the owner while an operation is in flight
/// The destructor cancels the operation (CancelIoEx on this OVERLAPPED) and
/// returns without waiting. The OVERLAPPED and the callback object stay
/// alive, owned by the operation, until the kernel's packet is dequeued;
/// the callback is then destroyed without being called. Nothing is freed
/// while the kernel may still write to it. If the io_context is destroyed
/// first, its shutdown dequeues the packet and frees the state. With other
/// threads running the io_context, a completion that one of them has begun
/// to deliver when the destructor runs may still call the callback, during
/// or just after the destructor (see Thread Safety).
///
/// @par Thread Safety
/// Like an Asio I/O object: start() must not run concurrently with itself,
/// with the destructor or with the callback — call it from the callback, or
/// from an io_context that one thread runs, or guard it yourself. (A strand
/// around your calls does not cover the callback: it runs on whichever
/// thread dequeues its packet.) cancel() and in_flight() may run at any
/// time, also while the callback runs on another thread, or while start()
/// makes its Win32 call there (such a cancel is not lost: start() cancels
/// the operation once the call returns): a cancel that loses the race with
/// the completion finds nothing to cancel (or, if the callback has started
/// the overlapped again, cancels that new operation). The destructor may
/// run while the callback runs on another thread: it touches only the
/// state's atomics and reference count, the running callback finishes (its
/// object lives until it returns), and the callback is not called again.
/// That includes a callback another thread is about to call, its packet
/// dequeued: it may start after the destructor has returned. So with more
/// than one thread running the io_context, what the callback touches is
/// the owner's to keep alive and guard (a reference the callback holds,
/// and a lock, as named_pipe's readiness does) — or destroy the overlapped
/// from its own callback, or while no thread runs the io_context.
class overlapped
{
public:
  /// An empty overlapped (no callback).
  overlapped() noexcept = default;

  /// Creates the OVERLAPPED and stores `callback` with it (the only
  /// allocation an overlapped makes).
  template <typename Callback,
      typename = std::enable_if_t<!std::is_same_v<std::decay_t<Callback>, overlapped>>>
  explicit overlapped(Callback&& callback)
    : state_(detail::make_overlapped_state(std::forward<Callback>(callback)))
  {
  }

  overlapped(overlapped&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}

  overlapped& operator=(overlapped&& other) noexcept
  {
    if (this != &other)
    {
      abandon();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }

  overlapped(const overlapped&) = delete;
  overlapped& operator=(const overlapped&) = delete;

  /// Cancels an operation in flight; see the class notes.
  ~overlapped()
  {
    abandon();
  }

  /// Starts one operation on the handle of `b`.
  ///
  /// `start` is called once with the OVERLAPPED and returns the Win32 error
  /// code of its call, exactly as for async_overlapped (use win32_result()
  /// or wsa_result()). The result reaches the callback through the
  /// io_context, also when the call fails or succeeds at once. If `start`
  /// throws, nothing counts as started and the exception propagates; so it
  /// must not throw once its call has taken the OVERLAPPED, which would
  /// then be marked free while the kernel still owns it.
  ///
  /// @param ec Set to `error::not_bound` for an empty or closed binding, and
  /// to `error::already_in_flight` while the previous operation is in
  /// flight; `start` is then not called and the callback will not run.
  template <typename Start>
  void start(binding& b, Start&& start, boost::system::error_code& ec)
  {
    detail::check_start_signature<Start>();
    detail::handle_state* handle = b.state_for_iocpx();
    if (!state_ || !handle || handle->detached.load(std::memory_order_acquire))
    {
      ec = error::not_bound;
      return;
    }
    if (state_->in_flight.load(std::memory_order_acquire))
    {
      ec = error::already_in_flight;
      return;
    }
    state_->begin(*handle);
    handle->iocp->work_started(); // before the call: see detail::finish_start()
    DWORD result;
    try
    {
      result = static_cast<DWORD>(start(static_cast<OVERLAPPED*>(state_)));
    }
    catch (...)
    {
      detail::return_work(*handle->iocp);
      state_->abort_begin();
      throw;
    }
    ec = {};
    if (result == ERROR_IO_PENDING)
      state_->cancel_if_cancelled_during_call();
    detail::finish_start(*handle, state_, result, true);
  }

  /// Starts one operation like start(), but if it completes at once
  /// without a packet — an immediate failure, or an immediate success on a
  /// handle that skips the port on success — returns its result here
  /// instead of calling the callback: the operation is then over, and the
  /// overlapped can be started again at once.
  ///
  /// This is how composed and readiness-style operations (a try_write_some,
  /// a loop writing a whole buffer) continue synchronously while the data
  /// moves, with no port round trip. Otherwise (ERROR_IO_PENDING, or no
  /// skip-on-success) the callback runs when the packet is dequeued, exactly
  /// as with start().
  ///
  /// Unlike start(), it counts the operation as io_context work only once it
  /// is known to be in flight: from a thread that does not run the
  /// io_context, hold a work guard if `run()` may otherwise run out of work.
  ///
  /// @returns true if `result` holds the completed operation's outcome
  /// (error code after the same translation the callback would see, and
  /// bytes transferred); false if the operation is in flight or could not
  /// start (then `ec` says why, as for start()).
  template <typename Start>
  bool start_or_complete(binding& b, Start&& start, immediate_result& result,
      boost::system::error_code& ec)
  {
    detail::check_start_signature<Start>();
    detail::handle_state* handle = b.state_for_iocpx();
    if (!state_ || !handle || handle->detached.load(std::memory_order_acquire))
    {
      ec = error::not_bound;
      return false;
    }
    if (state_->in_flight.load(std::memory_order_acquire))
    {
      ec = error::already_in_flight;
      return false;
    }
    state_->begin(*handle);
    DWORD code;
    try
    {
      code = static_cast<DWORD>(start(static_cast<OVERLAPPED*>(state_)));
    }
    catch (...)
    {
      state_->abort_begin();
      throw;
    }
    ec = {};
    const detail::start_outcome outcome = detail::classify_start(code, *state_);
    if (detail::completed_without_packet(*handle, outcome))
    {
      const detail::packetless_result r = detail::packetless_result_of(outcome, code, *state_);
      result.bytes = r.bytes;
      // (Translated as do_complete would for the callback: a cancel that
      // came while the call was being made counts.)
      result.ec = detail::translate_result(
          boost::system::error_code(static_cast<int>(r.code), boost::system::system_category()),
          *handle);
      state_->abort_begin(); // nothing in flight: drop the operation's references
      return true;
    }
    // Counted only now, so that the synchronous outcome above never touches
    // the count: on a thread that does not run the io_context, giving a
    // count back costs a posted completion (detail::return_work), too much
    // for every immediate success. (On a thread that runs it, the running
    // handler's own count keeps run() going meanwhile; elsewhere, hold a
    // work guard — see doc/binding_and_overlapped.md.)
    handle->iocp->work_started();
    if (code == ERROR_IO_PENDING)
      state_->cancel_if_cancelled_during_call();
    detail::finish_start(*handle, state_, code, true);
    return false;
  }

  /// Throwing form of start().
  template <typename Start>
  void start(binding& b, Start&& start)
  {
    boost::system::error_code ec;
    this->start(b, std::forward<Start>(start), ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::overlapped::start");
  }

  /// Throwing form of start_or_complete(). Throws boost::system::system_error
  /// only for what keeps the operation from starting (`error::not_bound`,
  /// `error::already_in_flight`); the outcome of an operation that completed
  /// at once — a failure too — is in `result`, as with the other form.
  template <typename Start>
  bool start_or_complete(binding& b, Start&& start, immediate_result& result)
  {
    boost::system::error_code ec;
    const bool completed = start_or_complete(b, std::forward<Start>(start), result, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::overlapped::start_or_complete");
    return completed;
  }

  /// Cancels the operation in flight, if any (CancelIoEx on exactly this
  /// OVERLAPPED). The callback then receives `asio::error::operation_aborted`
  /// — or the real result, if the operation completed first.
  void cancel() noexcept
  {
    if (state_)
      state_->cancel();
  }

  /// Whether an operation is in flight: started, and its completion not yet
  /// taken for delivery. It turns false just before the callback is called
  /// (so that the callback can start the overlapped again): false does not
  /// mean that the callback has run.
  bool in_flight() const noexcept
  {
    return state_ && state_->in_flight.load(std::memory_order_acquire);
  }

#if !defined(GENERATING_DOCUMENTATION)
  // Internal: the callback object, for an owner that made this overlapped
  // with a callback of exactly this type (unchecked). It lives as long as
  // the state: past an abandoned operation, until its packet is dequeued.
  template <typename Callback>
  Callback& callback_for_iocpx() noexcept
  {
    return static_cast<detail::overlapped_state_impl<Callback>*>(state_)->callback();
  }
#endif

  /// Whether this object holds an OVERLAPPED and a callback.
  bool valid() const noexcept
  {
    return state_ != nullptr;
  }

  /// The OVERLAPPED, to recognise it (say, in an OVERLAPPED* that a Win32
  /// API hands back). Start operations only through start(). Its fields
  /// belong to iocpx and Asio's loop, which reuse `Internal` and `Offset`
  /// for their own bookkeeping: the result is what the callback receives
  /// (GetOverlappedResult or HasOverlappedIoCompleted on it say nothing
  /// true).
  OVERLAPPED* native_overlapped() const noexcept
  {
    return state_;
  }

private:
  void abandon() noexcept
  {
    if (state_)
    {
      state_->abandon();
      state_ = nullptr;
    }
  }

  detail::overlapped_state* state_ = nullptr;
};

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_OVERLAPPED_HPP
