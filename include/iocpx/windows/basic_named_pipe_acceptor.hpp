// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_BASIC_NAMED_PIPE_ACCEPTOR_HPP
#define IOCPX_WINDOWS_BASIC_NAMED_PIPE_ACCEPTOR_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/detail/cancellation.hpp>
#include <iocpx/detail/default_allocator.hpp>
#include <iocpx/detail/io_executor.hpp>
#include <iocpx/error.hpp>
#include <iocpx/windows/basic_named_pipe.hpp>
#include <iocpx/windows/detail/named_pipe_acceptor_core.hpp>
#include <iocpx/windows/detail/named_pipe_core.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/pipe_name_view.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/allocator.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution/execute.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {

/// The server side of a Windows named pipe: creates pipe instances and
/// hands each connecting client over as a connected `basic_named_pipe`.
///
/// An open acceptor keeps `options().listen_instances` instances waiting
/// for clients, so a burst of that many clients never sees
/// ERROR_PIPE_BUSY — also before `async_accept` is called ("connect before
/// accept"): such a client is queued and handed to the next accept. Each
/// accepted instance is replaced by a new one (as far as `max_instances`
/// allows). An idle acceptor is no outstanding work: `io_context::run()`
/// returns when nothing else is pending.
///
/// A completion that belongs to an instance that was closed or handed over
/// never reaches another instance or accept (instances carry generations).
///
/// @par Security
/// `PIPE_REJECT_REMOTE_CLIENTS` and `FILE_FLAG_FIRST_PIPE_INSTANCE` are on
/// by default (see named_pipe_options): `open` fails with
/// ERROR_ACCESS_DENIED when another process already serves the name.
///
/// @par Thread Safety
/// @e Distinct @e objects: Safe.@n
/// @e Shared @e objects: `async_accept`, `cancel` and `close` may be called
/// concurrently with the acceptor's own completions; calls on one acceptor
/// from several threads at once are unsafe, as for Asio's I/O objects.
template <typename Executor = asio::any_io_executor>
class basic_named_pipe_acceptor
{
private:
  class initiate_async_accept_into;
  template <typename PipeExecutor>
  class initiate_async_accept_new;

  // Keeps async_accept(token) out of the way of async_accept(ex) and
  // async_accept(ctx) with their default token.
  template <typename T, typename U = std::decay_t<T>>
  using is_executor_or_context = std::integral_constant<bool,
      iocpx::detail::is_executor_like<U>::value
          || std::is_convertible<U&, asio::execution_context&>::value>;

public:
  /// The type of the executor associated with the object.
  using executor_type = Executor;

  /// Rebinds the acceptor type to another executor.
  template <typename Executor1>
  struct rebind_executor
  {
    /// The acceptor type when rebound to the specified executor.
    using other = basic_named_pipe_acceptor<Executor1>;
  };

  /// The pipe type that `async_accept(token)` produces.
  using pipe_type = basic_named_pipe<Executor>;

  /// A closed acceptor that uses `ex` (whose context must be an
  /// `asio::io_context`).
  explicit basic_named_pipe_acceptor(const executor_type& ex) : ex_(ex) {}

  /// A closed acceptor that uses the context's executor.
  template <typename ExecutionContext,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  explicit basic_named_pipe_acceptor(ExecutionContext& context) : ex_(context.get_executor())
  {
  }

  /// An acceptor opened on `name` (see open()).
  basic_named_pipe_acceptor(const executor_type& ex, pipe_name_view name,
      const named_pipe_options& options = named_pipe_options())
    : ex_(ex)
  {
    open(name, options);
  }

  /// An acceptor opened on `name` (see open()).
  template <typename ExecutionContext,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  basic_named_pipe_acceptor(ExecutionContext& context, pipe_name_view name,
      const named_pipe_options& options = named_pipe_options())
    : ex_(context.get_executor())
  {
    open(name, options);
  }

  /// Moves an acceptor; its instances and pending accepts follow. `other`
  /// is left closed.
  basic_named_pipe_acceptor(basic_named_pipe_acceptor&& other) noexcept
    : ex_(other.ex_), core_(std::move(other.core_))
  {
  }

  /// Moves from an acceptor with another executor type. (Not noexcept:
  /// converting the executor may throw; `other` is then left as it was.)
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_named_pipe_acceptor(basic_named_pipe_acceptor<Executor1>&& other)
    : ex_(other.ex_), core_(std::move(other.core_))
  {
  }

  /// Closes this acceptor, then moves `other` into it.
  basic_named_pipe_acceptor& operator=(basic_named_pipe_acceptor&& other) noexcept
  {
    if (this != &other)
    {
      close_noexcept();
      ex_ = other.ex_;
      core_ = std::move(other.core_);
    }
    return *this;
  }

  /// Closes this acceptor, then moves `other`, whose executor type differs,
  /// into it. If converting the executor throws, both are left as they were.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_named_pipe_acceptor& operator=(basic_named_pipe_acceptor<Executor1>&& other)
  {
    Executor ex(other.ex_); // (before anything changes: it may throw)
    close_noexcept();
    ex_ = std::move(ex);
    core_ = std::move(other.core_);
    return *this;
  }

  basic_named_pipe_acceptor(const basic_named_pipe_acceptor&) = delete;
  basic_named_pipe_acceptor& operator=(const basic_named_pipe_acceptor&) = delete;

  /// Closes the acceptor (see close()).
  ~basic_named_pipe_acceptor()
  {
    close_noexcept();
  }

  /// The associated executor.
  executor_type get_executor() const noexcept
  {
    return ex_;
  }

  /// Creates the pipe `name` (`\\.\pipe\NAME`, UTF-8 or UTF-16: see
  /// pipe_name_view) and its first instances.
  ///
  /// Errors: `asio::error::already_open`; `error::pipe_name_empty`,
  /// `pipe_name_invalid`, `pipe_name_too_long`; `asio::error::invalid_argument` for
  /// max_instances outside 1..255 or listen_instances 0;
  /// ERROR_ACCESS_DENIED when an instance of the name exists already (with
  /// `first_instance`, the default: also one of this process) or the
  /// security descriptor refuses; ERROR_PIPE_BUSY when max_instances
  /// instances of the name exist and `first_instance` is off.
  void open(pipe_name_view name, const named_pipe_options& options,
      boost::system::error_code& ec)
  {
    if (is_open())
    {
      ec = asio::error::already_open;
      return;
    }
    std::wstring wide = detail::make_pipe_name(name, true, ec);
    if (ec)
      return;
    asio::io_context* ctx = iocpx::detail::io_context_of(ex_);
    if (!ctx)
    {
      ec = asio::error::operation_not_supported;
      return;
    }
    auto core = std::make_shared<detail::named_pipe_acceptor_core>(*ctx);
    core->open(std::move(wide), options, ec);
    if (!ec)
      core_ = std::move(core);
  }

  /// open() with default options.
  void open(pipe_name_view name, boost::system::error_code& ec)
  {
    open(name, named_pipe_options(), ec);
  }

  /// Throwing form of open().
  void open(pipe_name_view name, const named_pipe_options& options = named_pipe_options())
  {
    boost::system::error_code ec;
    open(name, options, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe_acceptor::open");
  }

  /// Whether the acceptor is open.
  bool is_open() const
  {
    return core_ && core_->is_open();
  }

  /// The pipe's name as open() was given it, in UTF-8 (also when it was
  /// given as UTF-16), for clients to connect to — the acceptor's
  /// counterpart of `local_endpoint()`. Empty when closed.
  std::string name() const
  {
    return core_ ? core_->name() : std::string();
  }

  /// The options the acceptor was opened with.
  named_pipe_options options() const
  {
    return core_ ? core_->options() : named_pipe_options();
  }

  /// How many instances the acceptor keeps for clients right now
  /// (diagnostics). One that a client opened while no accept waited is
  /// counted until an accept takes that client (or, if the client left
  /// meanwhile, until an accept makes it listen again).
  std::size_t listening_instances() const
  {
    return core_ ? core_->listening_instances() : 0;
  }

  /// Closes every instance that is not handed over yet; pending accepts
  /// complete with `asio::error::operation_aborted`. Pipes already accepted
  /// are not affected. Closing a closed acceptor succeeds.
  ///
  /// The acceptor is closed even if this throws: an accept whose handler
  /// could not be queued (its executor refused it, or memory ran out) is
  /// destroyed without running, the others are queued, and the first such
  /// exception is rethrown. (The destructor and the move assignment drop
  /// that exception.)
  void close(boost::system::error_code& ec)
  {
    if (core_)
      std::exchange(core_, nullptr)->close();
    ec = {};
  }

  /// Throwing form of close().
  void close()
  {
    boost::system::error_code ec;
    close(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe_acceptor::close");
  }

  /// Aborts pending accepts (`asio::error::operation_aborted`); the
  /// instances keep listening, so no client is lost.
  void cancel(boost::system::error_code& ec)
  {
    if (!core_)
    {
      ec = asio::error::bad_descriptor;
      return;
    }
    core_->cancel();
    ec = {};
  }

  /// Throwing form of cancel().
  void cancel()
  {
    boost::system::error_code ec;
    cancel(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe_acceptor::cancel");
  }

  /// Accepts the next client into `peer`.
  ///
  /// `peer` must be closed — or a server end with no client (after
  /// `disconnect()`, or assigned while it listens), whose instance is then
  /// reused for the next client of its pipe
  /// (ConnectNamedPipe on it; completions of its previous connection never
  /// reach the new one). It must stay alive, and not be moved, until the
  /// handler runs.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code) @endcode
  /// Errors: `asio::error::already_open` (peer is open and connected, or
  /// was opened while the accept was pending: the client's instance is
  /// then closed),
  /// `asio::error::already_started` (an accept into peer waits for a
  /// client; once one has found its client, with its completion on the
  /// way, a second accept into peer is taken as another accept, and ends
  /// with `already_open`, its client closed — as Asio's accept into an
  /// open socket does),
  /// `asio::error::bad_descriptor` (acceptor closed),
  /// `iocpx::error::bound_elsewhere` (peer's executor belongs to another
  /// io_context: the instances are bound to the acceptor's),
  /// `asio::error::operation_not_supported` (peer's executor is not, or
  /// does not show, an io_context's: see basic_named_pipe),
  /// `asio::error::operation_aborted`. The handler is never invoked from
  /// inside this function.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`, `partial`, `total`: the accept ends with
  /// `operation_aborted`; a client that connects later goes to the next
  /// accept.
  template <typename PipeExecutor,
      BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
          AcceptToken = asio::default_completion_token_t<executor_type>>
  auto async_accept(basic_named_pipe<PipeExecutor>& peer,
      AcceptToken&& token = asio::default_completion_token_t<executor_type>())
  {
    return asio::async_initiate<AcceptToken, void(boost::system::error_code)>(
        initiate_async_accept_into(this), token, &peer);
  }

  /// Accepts the next client as a new pipe that uses this acceptor's
  /// executor.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code, basic_named_pipe<Executor>) @endcode
  /// Errors as for the other overload. The handler is never invoked from
  /// inside this function.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// As for the other overload.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, pipe_type))
          AcceptToken = asio::default_completion_token_t<executor_type>,
      typename std::enable_if<!is_executor_or_context<AcceptToken>::value, int>::type = 0>
  auto async_accept(AcceptToken&& token = asio::default_completion_token_t<executor_type>())
  {
    return asio::async_initiate<AcceptToken, void(boost::system::error_code, pipe_type)>(
        initiate_async_accept_new<Executor>(this), token, get_executor());
  }

  /// Accepts the next client as a new pipe that uses `ex`: typically a
  /// strand of the acceptor's io_context, one per connection
  /// (`acceptor.async_accept(asio::make_strand(ctx), token)`).
  ///
  /// The pipe instance is bound to the acceptor's io_context when it is
  /// created, before any client comes, and a handle's port cannot change:
  /// `ex` must therefore belong to that same io_context. One of another
  /// io_context completes with `iocpx::error::bound_elsewhere` (no client
  /// is taken); one of a context that is no io_context with
  /// `asio::error::operation_not_supported`. The handler runs on its own
  /// associated executor, or else on the acceptor's (not on `ex`), as
  /// with Asio's acceptors.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code, basic_named_pipe<Executor1>) @endcode
  /// Other errors as for `async_accept(peer, token)`. The handler is never
  /// invoked from inside this function.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// As for the other overloads.
  template <typename Executor1,
      BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code,
          basic_named_pipe<Executor1>)) AcceptToken = asio::default_completion_token_t<executor_type>,
      typename std::enable_if<iocpx::detail::is_executor_like<Executor1>::value, int>::type = 0>
  auto async_accept(const Executor1& ex,
      AcceptToken&& token = asio::default_completion_token_t<executor_type>())
  {
    return asio::async_initiate<AcceptToken,
        void(boost::system::error_code, basic_named_pipe<Executor1>)>(
        initiate_async_accept_new<Executor1>(this), token, ex);
  }

  /// Accepts the next client as a new pipe that uses the executor of
  /// `context`, which must be the acceptor's io_context (see the overload
  /// above).
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code,
  ///     basic_named_pipe<typename ExecutionContext::executor_type>) @endcode
  template <typename ExecutionContext,
      BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code,
          basic_named_pipe<typename ExecutionContext::executor_type>)) AcceptToken
      = asio::default_completion_token_t<executor_type>,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  auto async_accept(ExecutionContext& context,
      AcceptToken&& token = asio::default_completion_token_t<executor_type>())
  {
    using context_executor = typename ExecutionContext::executor_type;
    return asio::async_initiate<AcceptToken,
        void(boost::system::error_code, basic_named_pipe<context_executor>)>(
        initiate_async_accept_new<context_executor>(this), token, context.get_executor());
  }

private:
  template <typename Executor1>
  friend class basic_named_pipe_acceptor;

  // Whether a pipe with executor `ex` can take an instance of this
  // acceptor: only one of the same io_context (the instances are bound to
  // its port from their creation). A closed acceptor is reported as such
  // by the accept itself.
  template <typename PipeExecutor>
  boost::system::error_code check_pipe_executor(const PipeExecutor& ex) const noexcept
  {
    if (!core_)
      return {};
    asio::io_context* pipe_ctx = iocpx::detail::io_context_of(ex);
    if (!pipe_ctx)
      return asio::error::operation_not_supported;
    if (pipe_ctx != iocpx::detail::io_context_of(ex_))
      return error::bound_elsewhere;
    return {};
  }

  // close() where nothing may throw: the accepts whose handlers could not
  // be queued are gone all the same (see close()).
  void close_noexcept() noexcept
  {
    try
    {
      boost::system::error_code ignored;
      close(ignored);
    }
    catch (...)
    {
    }
  }

  // Slot handler: cancels exactly one waiting accept, the one it was
  // installed for, by a key no other slot handler of this acceptor has
  // (named_pipe_acceptor_core::next_cancellation_key). Asio lets the slot
  // drop it while the accept waits (its signal destroyed, the slot cleared
  // or given another handler, built in the same memory); the accept then
  // merely stops being cancellable per operation. Its destruction takes no
  // lock: a slot handler may be replaced while the acceptor's lock is held.
  struct waiter_cancellation
  {
    std::shared_ptr<detail::named_pipe_acceptor_core> core;
    std::uint64_t key = core->next_cancellation_key(); // (core is initialized first)

    void operator()(iocpx::detail::cancellation_type_t type)
    {
      if (iocpx::detail::requests_cancellation(type))
        core->cancel_waiter(key);
    }
  };

  // A connected instance on its way to an accept's handler. A binding does
  // not own its handle: if the completion is destroyed without running (the
  // io_context it was queued on is destroyed first), the instance is closed
  // here, as Asio closes the socket of an accept it destroys.
  struct pending_instance
  {
    binding b;

    pending_instance(binding&& connected) noexcept : b(std::move(connected)) {}
    pending_instance(pending_instance&&) noexcept = default;
    pending_instance& operator=(pending_instance&&) = delete;

    ~pending_instance()
    {
      if (b.native_handle())
      {
        boost::system::error_code ignored;
        b.close(ignored);
      }
    }
  };

  // A pending accept: the handler, work on its executor, and how the
  // connected instance reaches the user (Deliver). Allocated, and its
  // completion posted, with the handler's associated allocator (Asio's
  // recycling allocator by default), like Asio's own operations.
  template <typename Handler, typename Deliver>
  class waiter final : public detail::named_pipe_accept_waiter
  {
  public:
    using handler_executor =
        asio::associated_executor_t<Handler, Executor>;
    // A standard executor that counts the work, or a work guard on a
    // Networking TS executor (the legacy io_context::strand).
    using work_type = iocpx::detail::tracked_work_t<handler_executor>;
    using allocator_type =
        asio::associated_allocator_t<Handler, iocpx::detail::default_operation_allocator>;

    static waiter* create(Handler&& handler, const Executor& io_ex, Deliver deliver)
    {
      const allocator_type a = iocpx::detail::operation_allocator(handler);
      return iocpx::detail::operation_storage::create<waiter>(
          a, std::move(handler), io_ex, std::move(deliver));
    }

    void connect_slot(const std::shared_ptr<detail::named_pipe_acceptor_core>& core)
    {
      if (const waiter_cancellation* c =
              iocpx::detail::install_cancellation_handler<waiter_cancellation>(
                  handler_, waiter_cancellation{core}))
        cancel_key = c->key;
    }

    // The slot is left as it is, here and in complete(): its signal may be
    // gone by now (Asio allows that while the operation waits), and a slot
    // handler left behind cancels nothing (its key names no waiter).
    void discard() noexcept override
    {
      const allocator_type alloc = iocpx::detail::operation_allocator(handler_);
      iocpx::detail::operation_storage::destroy(alloc, this);
    }

    void complete(const boost::system::error_code& ec, binding b, pipe_mode mode,
        bool may_dispatch) override
    {
      const allocator_type alloc = iocpx::detail::operation_allocator(handler_);
      auto function = [handler = std::move(handler_), deliver = std::move(deliver_), ec,
                          instance = pending_instance{std::move(b)}, mode]() mutable {
        deliver(handler, ec, std::move(instance.b), mode);
      };
      work_type work = std::move(work_);
      // Free this block before the completion is queued, so that it can
      // reuse it (and the handler, the next accept).
      iocpx::detail::operation_storage::destroy(alloc, this);
      if constexpr (!asio::execution::is_executor<handler_executor>::value)
      {
        // (The executor counts the work while the function is queued; the
        // guard lets go after that.)
        if (may_dispatch)
          work.get_executor().dispatch(std::move(function), alloc);
        else
          work.get_executor().post(std::move(function), alloc);
      }
      else if (may_dispatch && iocpx::detail::io_context_running_here(work))
        function(); // what dispatch would do, without wrapping it first (an allocation)
      else if (may_dispatch)
        asio::execution::execute(asio::prefer(work, asio::execution::blocking.possibly,
                                     asio::execution::allocator(alloc)),
            std::move(function));
      else
        asio::execution::execute(asio::prefer(work, asio::execution::blocking.never,
                                     asio::execution::allocator(alloc)),
            std::move(function));
    }

  private:
    friend class iocpx::detail::operation_storage;

    waiter(Handler&& handler, const Executor& io_ex, Deliver deliver)
      : handler_(std::move(handler)),
        work_(iocpx::detail::track_work(asio::get_associated_executor(handler_, io_ex))),
        deliver_(std::move(deliver))
    {
    }

    ~waiter() = default;

    Handler handler_;
    work_type work_;
    Deliver deliver_;
  };

  // Completes async_accept(peer): the instance becomes peer's.
  template <typename PipeExecutor>
  struct deliver_into
  {
    basic_named_pipe<PipeExecutor>* peer;

    template <typename Handler>
    void operator()(Handler& handler, boost::system::error_code ec, binding b, pipe_mode mode)
    {
      if (!ec && peer->is_open())
      {
        // Opened since the accept started (connect(), assign()): taking
        // the instance would drop the pipe's handle without closing it.
        // The client's instance is closed instead, as Asio does.
        boost::system::error_code ignored;
        b.close(ignored);
        ec = asio::error::already_open;
      }
      if (!ec)
      {
        peer->binding_ = std::move(b);
        peer->opened(true, mode);
      }
      std::move(handler)(ec);
    }
  };

  // Completes async_accept() and async_accept(ex): a new pipe with the
  // acceptor's executor or the given one.
  template <typename PipeExecutor>
  struct deliver_new
  {
    PipeExecutor ex;

    template <typename Handler>
    void operator()(Handler& handler, boost::system::error_code ec, binding b, pipe_mode mode)
    {
      basic_named_pipe<PipeExecutor> pipe(ex);
      if (!ec)
      {
        pipe.binding_ = std::move(b);
        pipe.opened(true, mode);
      }
      std::move(handler)(ec, std::move(pipe));
    }
  };

  // Completes the reuse of a disconnected server instance.
  template <typename PipeExecutor>
  struct reconnect_finish
  {
    basic_named_pipe<PipeExecutor>* peer;
    detail::started_generation started;
    std::shared_ptr<detail::named_pipe_acceptor_core> core;
    std::uint64_t id;

    template <typename Handler>
    void operator()(Handler& handler, boost::system::error_code ec, std::size_t)
    {
      const bool aborted = std::exchange(core, nullptr)->end_reconnect(id);
      const bool connected = !ec
          || (ec.category() == boost::system::system_category()
              && ec.value() == ERROR_PIPE_CONNECTED);
      if (!started.is_current())
        ec = asio::error::operation_aborted; // closed or reused meanwhile
      else if (connected)
      {
        ec = {};
        peer->opened(true, peer->mode_);
      }
      else if (aborted)
        // The acceptor's cancel() or close() came after the call had
        // failed, with this completion queued: nothing was left to cancel,
        // but the accept ends as cancelled all the same.
        ec = asio::error::operation_aborted;
      started.reset();
      std::move(handler)(ec);
    }
  };

  // The ConnectNamedPipe of a reuse, through the acceptor (whose cancel()
  // and close() abort it too). `handler` is moved from only on success.
  template <typename Handler, typename PipeExecutor>
  static boost::system::error_code start_reuse(Handler& handler,
      basic_named_pipe<PipeExecutor>* peer,
      const std::shared_ptr<detail::named_pipe_acceptor_core>& core, const Executor& io_ex)
  {
    // A handler with no executor of its own runs on the acceptor's, as
    // every other accept's does (the acceptor initiated it), not on the
    // pipe's.
    using wrapped = detail::pipe_handler<std::decay_t<Handler>, Executor,
        reconnect_finish<PipeExecutor>>;
    if (!core)
      return asio::error::bad_descriptor;
    // The ConnectNamedPipe below installs its slot handler with the
    // acceptor's lock held (start_reconnect), replacing — destroying — the
    // handler the slot holds, which may be a finished accept's
    // waiter_cancellation (left in the slot). Destroying it takes no lock
    // since keys are numbers, but it may hold the last reference to
    // another acceptor's core: the slot is emptied here, before the lock,
    // so that no user-visible destruction runs under it.
    iocpx::detail::clear_cancellation_handler(handler);
    HANDLE h = peer->native_handle();
    return core->start_reconnect(peer->binding_.state_for_iocpx(), [&](std::uint64_t id) {
      async_overlapped(peer->binding_,
          [h](OVERLAPPED* ov) { return detail::connect_recycling(h, ov); },
          wrapped(std::move(handler), io_ex,
              reconnect_finish<PipeExecutor>{peer,
                  detail::started_generation(peer->binding_.state_for_iocpx()), core, id}));
    });
  }

  template <typename Handler, typename Deliver>
  void start_accept(Handler&& handler, Deliver deliver, const void* target,
      boost::system::error_code error = {})
  {
    using handler_type = std::decay_t<Handler>;
    handler_type h(std::forward<Handler>(handler));
    auto* w = waiter<handler_type, Deliver>::create(std::move(h), ex_, std::move(deliver));
    w->target = target;
    if (!error && !core_)
      error = asio::error::bad_descriptor;
    if (error)
    {
      w->complete(error, binding(), pipe_mode::byte, false);
      return;
    }
    try
    {
      w->connect_slot(core_); // (may not allocate: then nothing is installed)
    }
    catch (...)
    {
      w->discard();
      throw;
    }
    core_->accept(w); // discards w itself if it throws
  }

  class initiate_async_accept_into
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_accept_into(basic_named_pipe_acceptor* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept
    {
      return self_->get_executor();
    }

    template <typename AcceptHandler, typename PipeExecutor>
    void operator()(AcceptHandler&& handler, basic_named_pipe<PipeExecutor>* peer) const
    {
      if (peer->is_open())
      {
        if (peer->is_server_end() && !peer->connected_)
          return reconnect(std::forward<AcceptHandler>(handler), peer);
        return self_->start_accept(std::forward<AcceptHandler>(handler),
            deliver_into<PipeExecutor>{peer}, nullptr, asio::error::already_open);
      }
      self_->start_accept(std::forward<AcceptHandler>(handler), deliver_into<PipeExecutor>{peer},
          peer, self_->check_pipe_executor(peer->get_executor()));
    }

  private:
    template <typename AcceptHandler, typename PipeExecutor>
    void reconnect(AcceptHandler&& handler, basic_named_pipe<PipeExecutor>* peer) const
    {
      const boost::system::error_code ec =
          start_reuse(handler, peer, self_->core_, self_->get_executor());
      if (!ec)
        return;
      self_->start_accept(std::forward<AcceptHandler>(handler), deliver_into<PipeExecutor>{peer},
          nullptr, ec);
    }

    basic_named_pipe_acceptor* self_;
  };

  template <typename PipeExecutor>
  class initiate_async_accept_new
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_accept_new(basic_named_pipe_acceptor* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept
    {
      return self_->get_executor();
    }

    template <typename AcceptHandler>
    void operator()(AcceptHandler&& handler, const PipeExecutor& pipe_ex) const
    {
      self_->start_accept(std::forward<AcceptHandler>(handler),
          deliver_new<PipeExecutor>{pipe_ex}, nullptr, self_->check_pipe_executor(pipe_ex));
    }

  private:
    basic_named_pipe_acceptor* self_;
  };

  Executor ex_;
  std::shared_ptr<detail::named_pipe_acceptor_core> core_;
};

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_BASIC_NAMED_PIPE_ACCEPTOR_HPP
