// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_REGISTRATION_HPP
#define IOCPX_REGISTRATION_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/readiness_core.hpp>
#include <iocpx/detail/readiness_op.hpp>
#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/set_readiness.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/system/error_code.hpp>

#include <type_traits>
#include <utility>

namespace iocpx {

template <typename Executor>
class basic_poller;

template <typename Executor>
class basic_registration;

namespace detail {

// Starts a readiness wait on `core` (null: the registration is gone) for a
// handler whose default executor is `ex`. Shared by registrations and by I/O
// objects that hold a readiness core without a registration object of their
// own (a pipe's readiness, see basic_named_pipe).
template <typename Executor, typename WaitHandler>
void start_readiness_wait(WaitHandler&& handler, const Executor& ex,
    readiness_core* core, ready interest)
{
  using op_type = readiness_handler_op<typename std::decay<WaitHandler>::type, Executor, ready>;
  op_type* op = op_type::create(std::forward<WaitHandler>(handler), ex);
  if (!core)
    return op->post(error::registration_gone, 0);
  if (interest.is_none())
    return op->post(error::empty_interest, 0);
  op->interest_ = static_cast<std::uint8_t>(interest.bits()); // (five bits)
  readiness_connect_slot(op->handler(), op, core);
  core->start_wait(op, op->io_context());
}

// What the library's own readiness sources need of a registration: its
// core, and a registration that shares a core someone else owns.
struct registration_access
{
  template <typename Executor>
  static readiness_core* core(const basic_registration<Executor>& r) noexcept
  {
    return r.core_;
  }

  // A registration over `core` that holds a reference of its own (its
  // destruction closes the readiness, as any registration's does).
  template <typename Executor>
  static basic_registration<Executor> share(const Executor& ex, readiness_core* core) noexcept
  {
    core->add_ref();
    return basic_registration<Executor>(ex, core);
  }

  // Gives up `r`'s reference to its core without closing the readiness
  // (which its destruction would do): for a readiness source whose state
  // outlives the registration object it made (see named_pipe_readiness).
  template <typename Executor>
  static void forget(basic_registration<Executor>& r) noexcept
  {
    if (r.core_)
      std::exchange(r.core_, nullptr)->release();
  }
};

} // namespace detail

/// A readiness source that anyone can drive: mio's `Registration` as an Asio
/// I/O object.
///
/// A registration holds a readiness (a `ready` set, initially empty). Its
/// setters (`setter()`) change it from any thread; `async_wait` waits until it
/// intersects an interest. Readiness is a *level*: a wait completes at once
/// (through the executor) while the readiness intersects its interest, and
/// nothing clears the readiness except a setter — the usual discipline is
/// "wait, try the operation until it would block, clear the kind, wait
/// again". A registration is also a readiness source for `basic_poller`.
///
/// A moved-from registration has no readiness: its waits complete with
/// `iocpx::error::registration_gone`, and its `setter()` returns a setter that
/// reports the same error. (Unlike a moved-from socket it is not "as if newly
/// constructed": the setters handed out before the move follow the moved-to
/// object.)
///
/// @par Thread Safety
/// @e Distinct @e objects: Safe.@n
/// @e Shared @e objects: `async_wait`, `cancel`, `readiness` and `setter` may
/// be called concurrently; moving, assigning, closing and destroying may not
/// overlap any other call. Setters are safe everywhere.
template <typename Executor = asio::any_io_executor>
class basic_registration
{
private:
  class initiate_async_wait;

public:
  /// The type of the executor associated with the object.
  using executor_type = Executor;

  /// Rebinds the registration type to another executor.
  template <typename Executor1>
  struct rebind_executor
  {
    /// The registration type when rebound to the specified executor.
    using other = basic_registration<Executor1>;
  };

  /// Constructs a registration with empty readiness that uses `ex` to
  /// dispatch handlers for operations that do not have an executor of their
  /// own.
  explicit basic_registration(const executor_type& ex)
    : ex_(ex), core_(new detail::readiness_core(&detail::readiness_service_for(ex_)))
  {
  }

  /// Constructs a registration with empty readiness that uses the context's
  /// executor.
  template <typename ExecutionContext,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  explicit basic_registration(ExecutionContext& context)
    : basic_registration(executor_type(context.get_executor()))
  {
  }

  /// Move-constructs a registration. Setters and pending waits follow the
  /// readiness to the new object; `other` is left moved-from (see above).
  basic_registration(basic_registration&& other) noexcept
    // (The executor is copied, so that the moved-from object keeps one. That
    // cannot throw: Asio's executor requirements make copies nothrow.)
    : ex_(other.ex_), core_(std::exchange(other.core_, nullptr))
  {
  }

  /// Move-constructs from a registration with another executor type.
  ///
  /// Not `noexcept`: converting the executor may allocate (an
  /// `any_io_executor` made from an executor too large to hold inline). If
  /// it throws, `other` is unchanged.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_registration(basic_registration<Executor1>&& other)
    : ex_(other.ex_), core_(std::exchange(other.core_, nullptr))
  {
  }

  /// Move-assigns. The readiness this object held is destroyed first, as by
  /// the destructor.
  basic_registration& operator=(basic_registration&& other) noexcept
  {
    if (this != &other)
    {
      reset();
      ex_ = other.ex_;
      core_ = std::exchange(other.core_, nullptr);
    }
    return *this;
  }

  /// Move-assigns from a registration with another executor type.
  ///
  /// Not `noexcept` (see the converting constructor). The executor is
  /// converted first: if that throws, both objects are unchanged.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_registration& operator=(basic_registration<Executor1>&& other)
  {
    Executor ex(other.ex_);
    reset();
    ex_ = std::move(ex);
    core_ = std::exchange(other.core_, nullptr);
    return *this;
  }

  basic_registration(const basic_registration&) = delete;
  basic_registration& operator=(const basic_registration&) = delete;

  /// Destroys the registration: pending waits complete with
  /// `asio::error::operation_aborted`, setters start reporting
  /// `iocpx::error::registration_gone`, and a poller it was added to forgets
  /// it (an event not yet taken is never reported).
  ~basic_registration() { reset(); }

  /// The associated executor.
  executor_type get_executor() const noexcept { return ex_; }

  /// False for a moved-from or closed registration.
  bool is_open() const noexcept { return core_ != nullptr; }

  /// A setter for this registration's readiness (an empty setter when
  /// moved-from).
  set_readiness setter() const noexcept { return set_readiness(core_); }

  /// The current readiness.
  /// @throws boost::system::system_error with `iocpx::error::registration_gone`
  /// when moved-from.
  ready readiness() const
  {
    boost::system::error_code ec;
    ready r = readiness(ec);
    detail::throw_if(ec, "iocpx::registration::readiness");
    return r;
  }

  /// The current readiness (`ready::none()` and
  /// `iocpx::error::registration_gone` when moved-from).
  ready readiness(boost::system::error_code& ec) const noexcept
  {
    if (!core_)
    {
      ec = error::registration_gone;
      return ready::none();
    }
    ec.clear();
    return ready::from_bits(core_->readiness_bits());
  }

  /// Aborts every pending wait: each completes with
  /// `asio::error::operation_aborted`. Readiness is unchanged.
  /// @throws boost::system::system_error with `iocpx::error::registration_gone`
  /// when moved-from.
  void cancel()
  {
    boost::system::error_code ec;
    cancel(ec);
    detail::throw_if(ec, "iocpx::registration::cancel");
  }

  /// Aborts every pending wait (see above).
  void cancel(boost::system::error_code& ec)
  {
    if (!core_)
    {
      ec = error::registration_gone;
      return;
    }
    ec.clear();
    core_->cancel_all();
  }

  /// Closes the registration now, as its destructor would: pending waits
  /// complete with `asio::error::operation_aborted`, setters start reporting
  /// `iocpx::error::registration_gone`, and a poller it was added to forgets
  /// it. The object is then as if moved-from (`is_open()` is false). Closing
  /// a closed registration does nothing. Never throws. Like the destructor,
  /// it must not overlap another call on this registration.
  void close(boost::system::error_code& ec) noexcept
  {
    reset();
    ec.clear();
  }

  /// Closes the registration (see above).
  void close() noexcept { reset(); }

  /// The readiness source concept: a registration is its own source.
  basic_registration& readiness_registration() noexcept { return *this; }

  /// Waits until the readiness intersects `interest`.
  ///
  /// Completes with the readiness intersected with `interest` as soon as it
  /// is not empty — at once if it already is not, but never inside this
  /// call. The handler runs on its associated executor (defaulting to the
  /// registration's): posted, or, when the wait completes inside a handler
  /// iocpx is delivering on that io_context's thread, right after that
  /// handler returns (doc/readiness.md, "Delivery without a post"). Any
  /// number of waits, with the same or different interests, may be pending
  /// at the same time; one readiness change completes every wait it
  /// satisfies. A pending wait counts as outstanding work for the handler's
  /// executor.
  ///
  /// @param interest The kinds to wait for; must not be empty.
  /// @param token The completion token.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code ec, iocpx::ready readiness) @endcode
  /// `ec` is empty on success, `asio::error::operation_aborted` after
  /// `cancel()`, per-operation cancellation or destruction of the
  /// registration, `iocpx::error::empty_interest` for an empty interest and
  /// `iocpx::error::registration_gone` on a moved-from registration;
  /// `readiness` is `ready::none()` on error.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`, `partial` and `total`: a wait has no side effects, so all
  /// three end it with `asio::error::operation_aborted` (unless it has
  /// already completed).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, ready))
                WaitToken = asio::default_completion_token_t<executor_type>>
  auto async_wait(ready interest,
      WaitToken&& token = asio::default_completion_token_t<executor_type>())
      -> decltype(asio::async_initiate<WaitToken, void(boost::system::error_code, ready)>(
          std::declval<initiate_async_wait>(), token, interest))
  {
    return asio::async_initiate<WaitToken, void(boost::system::error_code, ready)>(
        initiate_async_wait(this), token, interest);
  }

private:
  template <typename Executor1>
  friend class basic_registration;
  template <typename Executor1>
  friend class basic_poller;
  friend struct detail::registration_access;

  // Adopts one reference to `core`.
  basic_registration(const executor_type& ex, detail::readiness_core* core) noexcept
    : ex_(ex), core_(core)
  {
  }

  void reset() noexcept
  {
    if (core_)
      std::exchange(core_, nullptr)->close();
  }

  class initiate_async_wait
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_wait(basic_registration* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept { return self_->get_executor(); }

    template <typename WaitHandler>
    void operator()(WaitHandler&& handler, ready interest) const
    {
      detail::start_readiness_wait(std::forward<WaitHandler>(handler), self_->ex_,
          self_->core_, interest);
    }

  private:
    basic_registration* self_;
  };

  Executor ex_;
  detail::readiness_core* core_; // owns one reference
};

/// A registration that uses `asio::any_io_executor`.
using registration = basic_registration<>;

} // namespace iocpx

#endif // IOCPX_REGISTRATION_HPP
