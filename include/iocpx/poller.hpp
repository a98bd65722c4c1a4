// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_POLLER_HPP
#define IOCPX_POLLER_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/deadline.hpp>
#include <iocpx/detail/poller_state.hpp>
#include <iocpx/detail/readiness_op.hpp>
#include <iocpx/error.hpp>
#include <iocpx/event.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/trigger.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

namespace iocpx {

namespace detail {

template <typename T>
struct is_basic_registration : std::false_type
{
};

template <typename E>
struct is_basic_registration<basic_registration<E>> : std::true_type
{
};

template <typename S, typename = void>
struct is_readiness_source_impl : std::false_type
{
};

template <typename S>
struct is_readiness_source_impl<S,
    std::void_t<decltype(std::declval<S&>().readiness_registration())>>
  : std::integral_constant<bool,
        std::is_lvalue_reference<decltype(std::declval<S&>().readiness_registration())>::value
        && is_basic_registration<typename std::decay<
            decltype(std::declval<S&>().readiness_registration())>::type>::value>
{
};

// The readiness core behind a source. A source may offer it without a
// registration object through a function `iocpx_readiness_core(s)` found by
// argument-dependent lookup (a pipe does: no second executor copy per pipe in
// a poller); otherwise it is the core of `s.readiness_registration()`.
template <typename S, typename = void>
struct has_readiness_core_hook : std::false_type
{
};

template <typename S>
struct has_readiness_core_hook<S,
    std::void_t<decltype(iocpx_readiness_core(std::declval<S&>()))>>
  : std::true_type
{
};

template <typename S>
readiness_core* readiness_core_of(S& source)
{
  if constexpr (has_readiness_core_hook<S>::value)
    return iocpx_readiness_core(source);
  else
    return registration_access::core(source.readiness_registration());
}

} // namespace detail

/// True when `S` models the *ReadinessSource* concept.
///
/// A type `S` is a readiness source when, for an lvalue `s` of type `S`,
/// `s.readiness_registration()` is valid and returns an lvalue reference to a
/// `basic_registration<E>` (for any `E`) whose readiness *is* the readiness of
/// `s`. The source sets kinds (through the registration's setter) when the
/// underlying resource becomes ready, and clears a kind only when it knows
/// an operation of that kind would block — at the latest when one reports
/// `iocpx::error::would_block`; it may set kinds from any thread. The reference must stay the same for as long as
/// `s` is neither moved nor destroyed. Destroying `s` destroys that
/// registration: a poller then forgets `s` without reporting it again.
/// Moving `s` moves the registration: the poller follows the moved-to object.
/// `basic_registration` models the concept (it returns `*this`), and so
/// does `windows::basic_named_pipe` (its `readiness_registration()`; a move
/// into a pipe of another executor type replaces that object while the
/// readiness, its waits and poller membership carry on, and references
/// taken before do not; the pipe's `close()` and `release()` end it as
/// destruction does: waits end with `operation_aborted` and a poller
/// forgets the pipe).
template <typename S>
struct is_readiness_source : detail::is_readiness_source_impl<S>
{
};

/// True when `S` models *ReadinessSource*.
template <typename S>
constexpr bool is_readiness_source_v = is_readiness_source<S>::value;

/// Gathers readiness from many sources, each tagged with a user token: mio's
/// `Poll` as an Asio I/O object.
///
/// A source (see `is_readiness_source`) is added with a token, an interest
/// and a `trigger`. Whenever the source's readiness gains a kind in its
/// interest, the poller queues it; `async_poll` (or the synchronous `poll`)
/// takes queued sources in FIFO order and reports each as an `event`
/// `{token, readiness within interest}`:
/// - `trigger::level`: a reported source that is still ready goes to the back
///   of the queue, so it is reported by every poll while ready, and no source
///   can starve the others;
/// - `trigger::edge`: reported once each time readiness in the interest
///   appears (coalesced while queued);
/// - `trigger::oneshot`: reported once, then disarmed until `modify`.
///
/// A source whose readiness was cleared before its event was taken is not
/// reported; a source removed (or destroyed) before its event was taken is
/// never reported; a source re-added with a new token reports only the new
/// token. Under concurrent setters an edge source may, rarely, be reported
/// once more than strictly needed; readiness is never lost.
///
/// A source belongs to at most one poller at a time.
///
/// @par Thread Safety
/// @e Distinct @e objects: Safe.@n
/// @e Shared @e objects: `add`, `modify`, `remove`, `async_poll`, `poll` and
/// `cancel` may be called concurrently; moving, assigning, closing and
/// destroying may not overlap any other call (a `poll` blocked on another
/// thread included).
template <typename Executor = asio::any_io_executor>
class basic_poller
{
private:
  class initiate_async_poll;

public:
  /// The type of the executor associated with the object.
  using executor_type = Executor;

  /// Rebinds the poller type to another executor.
  template <typename Executor1>
  struct rebind_executor
  {
    /// The poller type when rebound to the specified executor.
    using other = basic_poller<Executor1>;
  };

  /// Constructs an empty poller.
  explicit basic_poller(const executor_type& ex)
    : ex_(ex), state_(new detail::poller_state(&detail::readiness_service_for(ex_)))
  {
  }

  /// Constructs an empty poller that uses the context's executor.
  template <typename ExecutionContext,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  explicit basic_poller(ExecutionContext& context)
    : basic_poller(executor_type(context.get_executor()))
  {
  }

  /// Move-constructs a poller; sources, queued events and pending polls
  /// follow. A moved-from poller reports `asio::error::bad_descriptor` from
  /// every operation.
  basic_poller(basic_poller&& other) noexcept
    : ex_(other.ex_), state_(std::exchange(other.state_, nullptr))
  {
  }

  /// Move-constructs from a poller with another executor type.
  ///
  /// Not `noexcept`: converting the executor may allocate (an
  /// `any_io_executor` made from an executor too large to hold inline). If
  /// it throws, `other` is unchanged.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_poller(basic_poller<Executor1>&& other)
    : ex_(other.ex_), state_(std::exchange(other.state_, nullptr))
  {
  }

  /// Move-assigns; this poller's previous state is destroyed first.
  basic_poller& operator=(basic_poller&& other) noexcept
  {
    if (this != &other)
    {
      reset();
      ex_ = other.ex_;
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }

  /// Move-assigns from a poller with another executor type.
  ///
  /// Not `noexcept` (see the converting constructor). The executor is
  /// converted first: if that throws, both objects are unchanged.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_poller& operator=(basic_poller<Executor1>&& other)
  {
    Executor ex(other.ex_);
    reset();
    ex_ = std::move(ex);
    state_ = std::exchange(other.state_, nullptr);
    return *this;
  }

  basic_poller(const basic_poller&) = delete;
  basic_poller& operator=(const basic_poller&) = delete;

  /// Destroys the poller: pending polls complete with
  /// `asio::error::operation_aborted`; sources are detached (they stay
  /// usable and may be added to another poller).
  ~basic_poller() { reset(); }

  /// The associated executor.
  executor_type get_executor() const noexcept { return ex_; }

  /// False for a moved-from or closed poller.
  bool is_open() const noexcept { return state_ != nullptr; }

  /// Adds a source with a token, an interest and a trigger. If the source is
  /// already ready for its interest, an event is queued at once. (If that
  /// completes a pending poll whose executor refuses its handler, the
  /// exception leaves this call — also the `error_code&` form — after the
  /// source is added; the poll's events stay queued: doc/readiness.md.)
  ///
  /// @throws boost::system::system_error with `iocpx::error::empty_interest`,
  /// `iocpx::error::already_registered` (the source is in this or another
  /// poller), `iocpx::error::registration_gone` (moved-from source) or
  /// `asio::error::bad_descriptor` (moved-from poller).
  template <typename Source>
  void add(Source& source, std::size_t token, ready interest, trigger t = trigger::edge)
  {
    boost::system::error_code ec;
    add(source, token, interest, t, ec);
    detail::throw_if(ec, "iocpx::poller::add");
  }

  /// Adds a source (see above), reporting errors through `ec`.
  template <typename Source>
  void add(Source& source, std::size_t token, ready interest, trigger t,
      boost::system::error_code& ec)
  {
    if (detail::readiness_core* core = prepare(source, ec))
      state_->add(core, token, interest, t, ec);
  }

  /// Changes a source's token, interest and trigger, and re-arms a oneshot
  /// source. If the source is ready for the new interest, an event is queued
  /// (and a pending poll whose executor refuses its handler makes the call
  /// throw after the change, as `add()` does). An event already queued is
  /// reported with the new token.
  ///
  /// @throws boost::system::system_error with `iocpx::error::not_registered`
  /// (not in this poller), `iocpx::error::empty_interest`,
  /// `iocpx::error::registration_gone` or `asio::error::bad_descriptor`.
  template <typename Source>
  void modify(Source& source, std::size_t token, ready interest, trigger t)
  {
    boost::system::error_code ec;
    modify(source, token, interest, t, ec);
    detail::throw_if(ec, "iocpx::poller::modify");
  }

  /// Changes a source (see above), reporting errors through `ec`.
  template <typename Source>
  void modify(Source& source, std::size_t token, ready interest, trigger t,
      boost::system::error_code& ec)
  {
    if (detail::readiness_core* core = prepare(source, ec))
      state_->modify(core, token, interest, t, ec);
  }

  /// Changes a source's token and interest and keeps its trigger: a oneshot
  /// source stays oneshot and is re-armed — the usual call after handling
  /// its event. Otherwise as the overload that takes a trigger.
  template <typename Source>
  void modify(Source& source, std::size_t token, ready interest)
  {
    boost::system::error_code ec;
    modify(source, token, interest, ec);
    detail::throw_if(ec, "iocpx::poller::modify");
  }

  /// Changes a source's token and interest, keeping its trigger (see
  /// above), reporting errors through `ec`.
  template <typename Source>
  void modify(Source& source, std::size_t token, ready interest, boost::system::error_code& ec)
  {
    if (detail::readiness_core* core = prepare(source, ec))
      state_->modify(core, token, interest, std::nullopt, ec);
  }

  /// Removes a source; an event of it not yet taken is never reported.
  ///
  /// @throws boost::system::system_error with `iocpx::error::not_registered`,
  /// `iocpx::error::registration_gone` or `asio::error::bad_descriptor`.
  template <typename Source>
  void remove(Source& source)
  {
    boost::system::error_code ec;
    remove(source, ec);
    detail::throw_if(ec, "iocpx::poller::remove");
  }

  /// Removes a source (see above), reporting errors through `ec`.
  template <typename Source>
  void remove(Source& source, boost::system::error_code& ec)
  {
    if (detail::readiness_core* core = prepare(source, ec))
      state_->remove(core, ec);
  }

  /// Waits for events and stores up to `std::size(events)` of them (at
  /// least one) at the start of `events`.
  ///
  /// `events` is a contiguous range of `iocpx::event` (`std::vector`,
  /// `std::array`, a C array, `std::span`); only its address and size are
  /// kept, and it must stay valid until the handler runs. Events are written
  /// before the handler is scheduled. The handler never runs inside this
  /// call: it runs on its associated executor — posted, or, when the poll
  /// completes inside a handler iocpx is delivering on that io_context's
  /// thread, right after that handler returns (doc/readiness.md, "Delivery
  /// without a post"). Several polls may be pending; they are served in the
  /// order they were started.
  /// If events are queued and the handler's executor refuses the handler
  /// (it throws, as one that cannot allocate does), the exception leaves
  /// this call and the events stay queued for the next poll.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code ec, std::size_t n) @endcode
  /// `n` events were stored; `n >= 1` on success. Errors:
  /// `iocpx::error::empty_buffer` for an empty range,
  /// `asio::error::operation_aborted` after `cancel()`, per-operation
  /// cancellation or destruction of the poller, `asio::error::bad_descriptor`
  /// on a moved-from poller; `n == 0` then.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`, `partial` and `total`: a pending poll has taken no event, so
  /// all three end it with `asio::error::operation_aborted`.
  template <typename EventRange,
      BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
          PollToken = asio::default_completion_token_t<executor_type>>
  auto async_poll(EventRange&& events,
      PollToken&& token = asio::default_completion_token_t<executor_type>())
      -> decltype(asio::async_initiate<PollToken, void(boost::system::error_code, std::size_t)>(
          std::declval<initiate_async_poll>(), token, static_cast<event*>(nullptr),
          std::size_t()))
  {
    static_assert(std::is_convertible<decltype(std::data(events)), event*>::value,
        "events must be a contiguous range of iocpx::event");
    return asio::async_initiate<PollToken, void(boost::system::error_code, std::size_t)>(
        initiate_async_poll(this), token, static_cast<event*>(std::data(events)),
        static_cast<std::size_t>(std::size(events)));
  }

  /// Blocks the calling thread until at least one event is available or
  /// `timeout` has passed, and stores up to `std::size(events)` events.
  ///
  /// A zero timeout only takes what is queued;
  /// `std::chrono::steady_clock::duration::max()` (or any duration longer
  /// than a century) waits without limit; a NaN one is taken as zero. Never call it on the only thread that
  /// runs the context whose handlers would set the readiness it waits for.
  ///
  /// @returns The number of events stored: 0 on timeout.
  /// @throws boost::system::system_error with `iocpx::error::empty_buffer`
  /// or `asio::error::bad_descriptor`.
  template <typename EventRange, typename Rep, typename Period>
  std::size_t poll(EventRange&& events, const std::chrono::duration<Rep, Period>& timeout)
  {
    boost::system::error_code ec;
    std::size_t n = poll(events, timeout, ec);
    detail::throw_if(ec, "iocpx::poller::poll");
    return n;
  }

  /// Synchronous poll (see above), reporting errors through `ec`.
  template <typename EventRange, typename Rep, typename Period>
  std::size_t poll(EventRange&& events, const std::chrono::duration<Rep, Period>& timeout,
      boost::system::error_code& ec)
  {
    static_assert(std::is_convertible<decltype(std::data(events)), event*>::value,
        "events must be a contiguous range of iocpx::event");
    if (!state_)
    {
      ec = asio::error::bad_descriptor;
      return 0;
    }
    if (std::size(events) == 0)
    {
      ec = error::empty_buffer;
      return 0;
    }
    ec.clear();
    return state_->poll_sync(std::data(events), std::size(events), detail::deadline_after(timeout));
  }

  /// Aborts every pending `async_poll` with `asio::error::operation_aborted`.
  /// Queued events stay queued.
  /// @throws boost::system::system_error with `asio::error::bad_descriptor`.
  void cancel()
  {
    boost::system::error_code ec;
    cancel(ec);
    detail::throw_if(ec, "iocpx::poller::cancel");
  }

  /// Aborts every pending `async_poll` (see above).
  void cancel(boost::system::error_code& ec)
  {
    if (!state_)
    {
      ec = asio::error::bad_descriptor;
      return;
    }
    ec.clear();
    state_->cancel_all();
  }

  /// Closes the poller now, as its destructor would: pending polls complete
  /// with `asio::error::operation_aborted`, queued events are dropped, and
  /// the sources are detached (they stay usable and may be added to another
  /// poller). The object is then as if moved-from (`is_open()` is false;
  /// its operations report `asio::error::bad_descriptor`). Closing a closed
  /// poller does nothing. Never throws. Like the destructor, it must not
  /// overlap another call on this poller (see Thread Safety).
  void close(boost::system::error_code& ec) noexcept
  {
    reset();
    ec.clear();
  }

  /// Closes the poller (see above).
  void close() noexcept { reset(); }

private:
  template <typename Executor1>
  friend class basic_poller;

  void reset() noexcept
  {
    if (state_)
      std::exchange(state_, nullptr)->close();
  }

  template <typename Source>
  detail::readiness_core* prepare(Source& source, boost::system::error_code& ec)
  {
    static_assert(is_readiness_source<Source>::value,
        "Source must model ReadinessSource (see iocpx::is_readiness_source)");
    if (!state_)
    {
      ec = asio::error::bad_descriptor;
      return nullptr;
    }
    detail::readiness_core* core = detail::readiness_core_of(source);
    if (!core)
      ec = error::registration_gone;
    return core;
  }

  class initiate_async_poll
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_poll(basic_poller* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept { return self_->get_executor(); }

    template <typename PollHandler>
    void operator()(PollHandler&& handler, event* events, std::size_t size) const
    {
      using op_type = detail::readiness_handler_op<
          typename std::decay<PollHandler>::type, Executor, std::size_t>;
      op_type* op = op_type::create(std::forward<PollHandler>(handler), self_->ex_);
      detail::poller_state* state = self_->state_;
      if (!state)
        return op->post(asio::error::bad_descriptor, 0);
      if (size == 0)
        return op->post(error::empty_buffer, 0);
      op->events_ = events;
      op->result_ = size; // capacity, until the poll completes
      detail::readiness_connect_slot(op->handler(), op, state);
      state->start_poll(op);
    }

  private:
    basic_poller* self_;
  };

  Executor ex_;
  detail::poller_state* state_; // owns one reference
};

/// A poller that uses `asio::any_io_executor`.
using poller = basic_poller<>;

} // namespace iocpx

#endif // IOCPX_POLLER_HPP
