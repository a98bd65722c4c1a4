// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_BASIC_NAMED_PIPE_HPP
#define IOCPX_WINDOWS_BASIC_NAMED_PIPE_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/delivery_scope.hpp>
#include <iocpx/detail/io_executor.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/windows/async_overlapped.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/client_impersonation.hpp>
#include <iocpx/windows/detail/named_pipe_connect_retry.hpp>
#include <iocpx/windows/detail/named_pipe_core.hpp>
#include <iocpx/windows/detail/named_pipe_readiness.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/pipe_name_view.hpp>
#include <iocpx/windows/overlapped_result.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {

template <typename Executor>
class basic_named_pipe_acceptor;

namespace detail {
template <typename Executor>
class named_pipe_connect_op;
template <typename Executor>
struct named_pipe_connect_wait;
template <typename Pipe>
struct named_pipe_access;
} // namespace detail

/// One connected end of a Windows named pipe — client or server side — as
/// an Asio I/O object with a completion API and a readiness API.
///
/// - **Completion API**: `async_read_some` / `async_write_some` make it an
///   AsyncReadStream and AsyncWriteStream, so `asio::async_read`,
///   `async_write`, `async_read_until` and Boost.Beast work on it unchanged.
///   Each is one overlapped ReadFile/WriteFile through `async_overlapped`.
/// - **Readiness API** (mio style): `async_wait`, `try_read_some`,
///   `try_write_some`, `readiness()`, and `readiness_registration()`, which
///   makes the pipe a readiness source for `iocpx::basic_poller`. The
///   machinery behind it (a read probe and a writer) is created on first
///   use: the completion API does not pay for it. From then on the probe
///   is in flight, i.e. outstanding work for the io_context, until the
///   pipe is closed or disconnected or its peer closes: close a pipe you
///   are done with, or `run()` does not return.
///
/// A client end is opened by `connect` / `async_connect`; a server end by
/// `basic_named_pipe_acceptor::async_accept`; any overlapped pipe handle by
/// `assign`.
///
/// @par End of stream and errors
/// - The peer closed: reads return the remaining data, then
///   `asio::error::eof`; writes fail with `asio::error::broken_pipe`.
/// - Message mode: a read whose buffer is shorter than the message
///   completes with the bytes that fit and an error for which
///   `is_more_data(ec)` is true (the passthrough ERROR_MORE_DATA); the rest
///   of the message comes with the next reads. `asio::async_read` stops at
///   such an error: read whole messages with `read_message` /
///   `async_read_message` (`<iocpx/windows/read_message.hpp>`).
/// - An operation on a closed pipe: `asio::error::bad_descriptor`; on a
///   server end with no client (after disconnect(), or assigned while it
///   listens): `asio::error::not_connected`, in both APIs.
/// - Zero-length reads and writes complete at once (through the executor)
///   with no error and 0 bytes, as Asio's streams do.
/// - Cancelled, closed or disconnected: `asio::error::operation_aborted`.
///
/// @par Thread Safety
/// @e Distinct @e objects: Safe.@n
/// @e Shared @e objects: Unsafe (as Asio's I/O objects): make one call at
/// a time on a pipe — from one thread, or through a strand when several
/// threads run the io_context (give the pipe a strand executor, e.g.
/// `named_pipe pipe(asio::make_strand(ctx))`, and its handlers run there).
/// Both APIs work on an io_context that several threads run. The readiness
/// API's own completions (its probe's and its writer's) run on whichever
/// thread dequeues them and take a per-pipe lock against the pipe's calls,
/// so a strand around your calls is enough; closing a pipe while one of
/// them runs elsewhere is safe.
template <typename Executor = asio::any_io_executor>
class basic_named_pipe
{
private:
  class initiate_async_wait;
  class initiate_async_wait_for_type;
  class initiate_async_read_some;
  class initiate_async_write_some;

public:
  /// The type of the executor associated with the object.
  using executor_type = Executor;

  /// Rebinds the pipe type to another executor.
  template <typename Executor1>
  struct rebind_executor
  {
    /// The pipe type when rebound to the specified executor.
    using other = basic_named_pipe<Executor1>;
  };

  /// The native representation of a pipe end.
  using native_handle_type = HANDLE;

  /// The lowest layer: the pipe itself, as for Asio's sockets. Stream
  /// adapters that reach for it (`asio::ssl::stream`,
  /// `asio::buffered_stream`) work on a pipe through it.
  using lowest_layer_type = basic_named_pipe;

  /// A closed pipe that uses `ex`. Its execution context must be an
  /// `asio::io_context` (the only context whose loop is a completion port).
  explicit basic_named_pipe(const executor_type& ex) : ex_(ex) {}

  /// A closed pipe that uses the context's executor.
  template <typename ExecutionContext,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  explicit basic_named_pipe(ExecutionContext& context) : ex_(context.get_executor())
  {
  }

  /// Adopts an open, overlapped pipe handle (see assign()).
  basic_named_pipe(const executor_type& ex, native_handle_type handle) : ex_(ex)
  {
    assign(handle);
  }

  /// Adopts an open, overlapped pipe handle (see assign()).
  template <typename ExecutionContext,
      typename std::enable_if<std::is_convertible<ExecutionContext&,
          asio::execution_context&>::value, int>::type = 0>
  basic_named_pipe(ExecutionContext& context, native_handle_type handle)
    : ex_(context.get_executor())
  {
    assign(handle);
  }

  /// Moves a pipe; operations in flight keep running and complete as
  /// usual. `other` is left as if constructed from its executor.
  basic_named_pipe(basic_named_pipe&& other) noexcept
    : ex_(other.ex_),
      binding_(std::move(other.binding_)),
      readiness_(std::move(other.readiness_)),
      probe_buffer_(std::exchange(other.probe_buffer_, 0)),
      mode_(std::exchange(other.mode_, pipe_mode::byte)),
      server_end_(std::exchange(other.server_end_, false)),
      connected_(std::exchange(other.connected_, false))
  {
  }

  /// Moves from a pipe with another executor type, as the move above: a
  /// readiness write held in the system stays held (its retry on this
  /// object reports its outcome), and readiness waits and a poller follow.
  /// Only the object `other.readiness_registration()` returned goes (it
  /// has `other`'s executor type); this pipe makes its own when asked.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_named_pipe(basic_named_pipe<Executor1>&& other)
    : ex_(other.ex_),
      binding_(std::move(other.binding_)),
      readiness_(std::move(other.readiness_)),
      probe_buffer_(std::exchange(other.probe_buffer_, 0)),
      mode_(std::exchange(other.mode_, pipe_mode::byte)),
      server_end_(std::exchange(other.server_end_, false)),
      connected_(std::exchange(other.connected_, false))
  {
    // The readiness state does not depend on the executor type (its
    // callbacks refer to the state itself, on the heap), except for that
    // registration object; dropping the state instead would cancel a held
    // write whose bytes may already be in the pipe, so a retry here would
    // write them twice.
    if (readiness_)
      readiness_->template forget_registration<Executor1>();
  }

  /// Closes this pipe (as by close()), then moves `other` into it.
  basic_named_pipe& operator=(basic_named_pipe&& other) noexcept
  {
    if (this != &other)
    {
      Executor ex(other.ex_);
      take(std::move(ex), other);
    }
    return *this;
  }

  /// Closes this pipe (as by close()), then moves `other`, whose executor
  /// type differs, into it, as the converting move constructor does. If
  /// converting the executor throws, both are left as they were.
  template <typename Executor1,
      typename std::enable_if<std::is_convertible<Executor1, Executor>::value, int>::type = 0>
  basic_named_pipe& operator=(basic_named_pipe<Executor1>&& other)
  {
    Executor ex(other.ex_); // (before anything changes: it may throw)
    take(std::move(ex), other);
    if (readiness_)
      readiness_->template forget_registration<Executor1>(); // (see the constructor)
    return *this;
  }

  basic_named_pipe(const basic_named_pipe&) = delete;
  basic_named_pipe& operator=(const basic_named_pipe&) = delete;

  /// Closes the pipe (as by close(), errors ignored).
  ~basic_named_pipe()
  {
    boost::system::error_code ignored;
    close(ignored);
  }

  /// The associated executor.
  executor_type get_executor() const noexcept
  {
    return ex_;
  }

  /// The lowest layer: this pipe.
  lowest_layer_type& lowest_layer() noexcept
  {
    return *this;
  }

  /// The lowest layer: this pipe.
  const lowest_layer_type& lowest_layer() const noexcept
  {
    return *this;
  }

  // -------------------------------------------------------------- state --

  /// Whether the pipe holds a handle.
  bool is_open() const noexcept
  {
    return binding_.native_handle() != nullptr;
  }

  /// Whether the pipe holds a handle with a peer: false for a closed pipe
  /// and for a server end with no client (after disconnect(), or assigned
  /// while it listens).
  bool is_connected() const noexcept
  {
    return is_open() && connected_;
  }

  /// Whether this is the server end of its pipe (made by an acceptor or by
  /// CreateNamedPipe), as opposed to a client end.
  bool is_server_end() const noexcept
  {
    return server_end_;
  }

  /// Byte or message mode (read mode of this end).
  pipe_mode mode() const noexcept
  {
    return mode_;
  }

  /// The id of the process at the other end — the pipe's counterpart of
  /// a socket's `remote_endpoint()`: a server end's client
  /// (`GetNamedPipeClientProcessId`), a client end's server
  /// (`GetNamedPipeServerProcessId`; for a pipe on another machine, the id
  /// of a process there). A server end keeps its client's id after the
  /// client closed its end. `asio::error::bad_descriptor` on a closed pipe,
  /// `asio::error::not_connected` on a server end with no client (and on a
  /// client end whose server disconnected it, if the system no longer
  /// knows the id). A process id is reused once its process has exited: to
  /// decide what a client may do, check its token (`run_as_client()`),
  /// not its id.
  unsigned long peer_process_id(boost::system::error_code& ec) const
  {
    return peer_number(::GetNamedPipeClientProcessId, ::GetNamedPipeServerProcessId, ec);
  }

  /// Throwing form of peer_process_id().
  unsigned long peer_process_id() const
  {
    boost::system::error_code ec;
    const unsigned long id = peer_process_id(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::peer_process_id");
    return id;
  }

  /// The session (`ProcessIdToSessionId`: Remote Desktop, services in
  /// session 0) of the process at the other end, as `peer_process_id()`
  /// names it (`GetNamedPipeClientSessionId`,
  /// `GetNamedPipeServerSessionId`), with the same errors.
  unsigned long peer_session_id(boost::system::error_code& ec) const
  {
    return peer_number(::GetNamedPipeClientSessionId, ::GetNamedPipeServerSessionId, ec);
  }

  /// Throwing form of peer_session_id().
  unsigned long peer_session_id() const
  {
    boost::system::error_code ec;
    const unsigned long id = peer_session_id(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::peer_session_id");
    return id;
  }

  /// Calls `f()` on this thread under the security context of the client
  /// at the other end (`ImpersonateNamedPipeClient`) and returns what it
  /// returns; when `f` returns or throws, the thread gets back the token it
  /// had before (its process's, or an impersonation of the caller's own).
  /// Server ends only. `f` runs only if the impersonation succeeded — on
  /// failure the error is reported and `f` is not called, so nothing meant
  /// for the client runs with the server's rights.
  ///
  /// The context is that of the last message the server read (before the
  /// server has read anything Windows may refuse with
  /// `ERROR_CANNOT_IMPERSONATE`), at the level the
  /// client allowed: iocpx clients allow identification only by default
  /// (`named_pipe_connect_options::security_qos`), and a server without
  /// `SeImpersonatePrivilege` gets no more. With identification `f` can
  /// learn who the client is — `CheckTokenMembership(nullptr, sid, &member)`,
  /// `GetTokenInformation` on `OpenThreadToken(GetCurrentThread(), ...)` —
  /// but not open files or keys as the client; that needs the client's
  /// `SECURITY_IMPERSONATION`.
  ///
  /// `f` must not wait for the io_context's other work: the thread's
  /// identity is the client's until `f` returns, so it must not run other
  /// handlers (or suspend a coroutine) inside `f`.
  ///
  /// Errors: `asio::error::bad_descriptor` on a closed pipe,
  /// `asio::error::not_connected` on a server end with no client,
  /// `asio::error::operation_not_supported` on a client end, and the
  /// system's error when Windows refuses. The `error_code` form returns a
  /// value-initialized result when it fails.
  template <typename Function>
  std::invoke_result_t<Function> run_as_client(Function&& f, boost::system::error_code& ec) const
  {
    using result = std::invoke_result_t<Function>;
    static_assert(std::is_void<result>::value || std::is_default_constructible<result>::value,
        "run_as_client(f, ec) returns a value-initialized result when it fails: "
        "use the throwing form for a result that is not default-constructible");
    ec = run_as_client_precondition();
    if (!ec)
    {
      detail::client_impersonation as_client(native_handle(), ec);
      if (!ec)
        return std::invoke(std::forward<Function>(f));
    }
    return result();
  }

  /// Throwing form of run_as_client(); exceptions from `f` pass through
  /// (after the thread's token is put back).
  template <typename Function>
  std::invoke_result_t<Function> run_as_client(Function&& f) const
  {
    boost::system::error_code ec = run_as_client_precondition();
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::run_as_client");
    detail::client_impersonation as_client(native_handle(), ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::run_as_client");
    return std::invoke(std::forward<Function>(f));
  }

  /// The handle (nullptr when closed). Do not start overlapped I/O on it
  /// with an OVERLAPPED of your own (see binding's rules).
  native_handle_type native_handle() const noexcept
  {
    return binding_.native_handle();
  }

  /// The binding of the handle to the io_context's port (empty when
  /// closed): for operations of your own through async_overlapped.
  binding& get_binding() noexcept
  {
    return binding_;
  }

  // ------------------------------------------------------ open & close --

  /// Adopts an open pipe handle opened with FILE_FLAG_OVERLAPPED: binds it
  /// to the io_context (skip-on-success on) and reads its type, read mode
  /// and end. The pipe must be closed. On success the pipe owns the handle.
  ///
  /// A server end is connected only if a client has opened the instance
  /// (even one that has closed its end since: reads then see eof). An
  /// instance still listening (fresh from CreateNamedPipe, or after
  /// DisconnectNamedPipe) is open but not connected, as after
  /// disconnect(): reads, writes and waits fail with
  /// `asio::error::not_connected`, and `acceptor.async_accept(pipe, ...)`
  /// waits for its client.
  ///
  /// A handle in the legacy nonblocking mode (`PIPE_NOWAIT`) is switched
  /// to `PIPE_WAIT`: nonblocking, a read of an idle pipe fails at once and
  /// a write to a full one succeeds with nothing written. A failed assign
  /// leaves the handle in its old mode.
  ///
  /// The pipe owns the handle from then on (close() closes it): a handle
  /// that another pipe, or an acceptor's instance, owns is refused with
  /// `iocpx::error::already_owned` (or with the binding's
  /// `options_conflict` / `bound_elsewhere` if `options` or the io_context
  /// differ from the owner's); a `binding` of it, which owns nothing, is
  /// no obstacle.
  ///
  /// Errors: `asio::error::already_open`; `iocpx::error::already_owned`;
  /// the binding's errors (`iocpx::error::invalid_handle`,
  /// `not_overlapped`, `bound_elsewhere`, ...); Win32 errors of
  /// GetNamedPipeInfo for a handle that is no pipe (and of
  /// SetNamedPipeHandleState for a `PIPE_NOWAIT` one).
  void assign(native_handle_type handle, boost::system::error_code& ec)
  {
    assign(handle, bind_options::fast(), ec);
  }

  /// Adopts a pipe handle, bound with `options`.
  void assign(native_handle_type handle, bind_options options, boost::system::error_code& ec)
  {
    if (is_open())
    {
      ec = asio::error::already_open;
      return;
    }
    asio::io_context* ctx = iocpx::detail::io_context_of(ex_);
    if (!ctx)
    {
      ec = asio::error::operation_not_supported;
      return;
    }
    DWORD flags = 0;
    if (handle == nullptr || handle == INVALID_HANDLE_VALUE)
    {
      ec = error::invalid_handle;
      return;
    }
    if (!::GetNamedPipeInfo(handle, &flags, nullptr, nullptr, nullptr))
    {
      ec = detail::last_error();
      if (ec.value() == ERROR_INVALID_HANDLE)
        ec = error::invalid_handle;
      return;
    }
    DWORD state = 0;
    if (!::GetNamedPipeHandleStateW(handle, &state, nullptr, nullptr, nullptr, nullptr, 0))
      state = 0;
    if (state & PIPE_NOWAIT)
    {
      // The legacy nonblocking mode: a read of an idle pipe would fail at
      // once (reported as eof), a write to a full one succeed with nothing
      // written (asio::write would stop there, reporting success). The
      // pipe's operations wait, as overlapped I/O is meant to.
      DWORD wait_mode = PIPE_WAIT | (state & PIPE_READMODE_MESSAGE);
      if (!::SetNamedPipeHandleState(handle, &wait_mode, nullptr, nullptr))
      {
        ec = detail::last_error();
        return;
      }
    }
    // A failed assign leaves the handle as it was given: in its old wait
    // mode (set before the bind, whose failure associates nothing).
    const auto give_back_mode = [&] {
      if (state & PIPE_NOWAIT)
      {
        DWORD old_mode = PIPE_NOWAIT | (state & PIPE_READMODE_MESSAGE);
        ::SetNamedPipeHandleState(handle, &old_mode, nullptr, nullptr);
      }
    };
    binding_.bind(*ctx, handle, options, ec);
    if (ec)
    {
      give_back_mode();
      return;
    }
    if (binding_.state_for_iocpx()->take_ownership())
    {
      // Another pipe's (or an acceptor's): this binding only shared it.
      binding_ = binding();
      give_back_mode();
      ec = error::already_owned;
      return;
    }
    const bool server_end = (flags & PIPE_SERVER_END) != 0;
    const pipe_mode mode = (state & PIPE_READMODE_MESSAGE) ? pipe_mode::message : pipe_mode::byte;
    if (server_end && !detail::server_end_has_client(handle))
    {
      // Waiting for a client: the state disconnect() leaves.
      server_end_ = true;
      mode_ = mode;
      connected_ = false;
      return;
    }
    opened(server_end, mode);
  }

  /// Throwing form of assign().
  void assign(native_handle_type handle, bind_options options = bind_options::fast())
  {
    boost::system::error_code ec;
    assign(handle, options, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::assign");
  }

  /// Closes the handle. Operations in flight complete with
  /// `asio::error::operation_aborted`; readiness waits too; the readiness
  /// registration is destroyed (a poller forgets the pipe). Closing a closed
  /// pipe succeeds.
  void close(boost::system::error_code& ec)
  {
    abort_connect();
    ended();
    readiness_.reset();
    if (!is_open())
    {
      ec = {};
      return;
    }
    binding_.close(ec);
    server_end_ = false;
    connected_ = false;
  }

  /// Throwing form of close().
  void close()
  {
    boost::system::error_code ec;
    close(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::close");
  }

  /// Gives up ownership of the handle without closing it; operations in
  /// flight (an async_connect that waits for a busy pipe too, also while
  /// the pipe is still closed) complete with `operation_aborted`. The
  /// handle stays associated
  /// with this io_context's port (Windows cannot undo that before 8.1): use
  /// it only through iocpx on the same io_context (Asio's I/O objects
  /// refuse an associated handle), or close it. A closed pipe
  /// has no handle to give: `asio::error::bad_descriptor` (and nullptr).
  ///
  /// The stream stays whole: while the readiness API holds bytes of it
  /// that the handle alone would lose — bytes a buffered probe
  /// (`readiness_strategy::buffered`) read ahead and no read has taken
  /// yet, or a write that reported would_block and whose retry has not
  /// reported it — release() fails with `iocpx::error::bytes_held` and
  /// changes nothing; read the bytes (`try_read_some` until would_block),
  /// or retry the write, and release then. A buffered probe in flight is
  /// cancelled and its outcome waited for: if it took bytes (also ones
  /// whose completion the io_context has not yet delivered), they count
  /// as held, and arrive as readable once the io_context delivers the
  /// probe's completion; a probe that took nothing is re-armed by it.
  native_handle_type release(boost::system::error_code& ec)
  {
    // A connect that waits for a busy pipe first: it may wait since before
    // the pipe was opened, or with the pipe still closed.
    abort_connect();
    if (!is_open())
    {
      ec = asio::error::bad_descriptor;
      return nullptr;
    }
    if (readiness_ && readiness_->holds_stream_bytes())
    {
      ec = error::bytes_held;
      return nullptr;
    }
    ended();
    readiness_.reset();
    // (binding::release: iocpx, the acceptor of a reuse accept included,
    // never cancels the handle again once the caller has it.)
    HANDLE h = binding_.release(ec);
    server_end_ = false;
    connected_ = false;
    return h;
  }

  /// Throwing form of release().
  native_handle_type release()
  {
    boost::system::error_code ec;
    HANDLE h = release(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::release");
    return h;
  }

  /// Cancels every read, write and readiness wait in flight, and an
  /// async_connect that waits for a busy pipe: each completes with
  /// `asio::error::operation_aborted`. The connection stays up.
  void cancel(boost::system::error_code& ec)
  {
    if (!is_open())
    {
      // An async_connect waiting for a busy pipe is the only operation of
      // a pipe that is not open yet.
      ec = connect_wait_ ? boost::system::error_code() : asio::error::bad_descriptor;
      abort_connect();
      return;
    }
    // The readiness probe is cancelled with the rest and re-arms itself,
    // so a poller keeps seeing this pipe; a readiness write held in the
    // system is cancelled too, and its retry reports operation_aborted
    // (with no byte count, even if the reader took part of it already).
    // The system's operations first: aborting the waits may throw (an
    // executor that cannot take a handler).
    binding_.cancel(ec);
    abort_connect(); // one that waits since before the pipe was opened
    if (readiness_)
      readiness_->core()->cancel_all();
  }

  /// Throwing form of cancel().
  void cancel()
  {
    boost::system::error_code ec;
    cancel(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::cancel");
  }

  /// Server end only: ends the connection with the current client
  /// (DisconnectNamedPipe) but keeps the instance, which an acceptor can
  /// reuse with `async_accept(pipe)`. Operations in flight and readiness
  /// waits — and any completion of this connection still on its way —
  /// reach their handlers as `asio::error::operation_aborted`; the client's
  /// reads see eof. A poller keeps watching the pipe.
  ///
  /// Errors: `error::not_server_end`, `asio::error::bad_descriptor`;
  /// `asio::error::not_connected` when there is no client (disconnected
  /// already, or an accept reusing the instance is pending: it ends with
  /// `operation_aborted`, and the instance may still take the next
  /// client of its pipe).
  void disconnect(boost::system::error_code& ec)
  {
    if (!is_open())
    {
      ec = asio::error::bad_descriptor;
      return;
    }
    if (!server_end_)
    {
      ec = error::not_server_end;
      return;
    }
    const bool had_client = connected_;
    ended();
    binding_.cancel(ec);
    connected_ = false;
    if (!::DisconnectNamedPipe(binding_.native_handle()))
    {
      ec = detail::last_error();
      // No client to end: disconnected already, or listening (assigned
      // so, or with an accept reusing the instance, which the cancel
      // above ended). Said as reads and writes there say it.
      if (!had_client && ec.category() == boost::system::system_category()
          && (ec.value() == ERROR_PIPE_NOT_CONNECTED || ec.value() == ERROR_PIPE_LISTENING))
        ec = asio::error::not_connected;
    }
    // Readiness waits of this connection end too (a wait left pending would
    // be completed by the next connection's readiness). Last: it may throw
    // (an executor that refuses its handler). A poller keeps the pipe.
    if (readiness_)
      readiness_->core()->cancel_all();
  }

  /// Throwing form of disconnect().
  void disconnect()
  {
    boost::system::error_code ec;
    disconnect(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::disconnect");
  }

  // ------------------------------------------------------------ connect --

  /// Opens the client end of pipe `name` (`\\.\pipe\NAME`, or
  /// `\\server\pipe\NAME`; UTF-8 or UTF-16: see pipe_name_view), blocking while every instance is busy
  /// (up to `options.busy_timeout`; see also `options.reappear_timeout`).
  ///
  /// Errors: `asio::error::already_open`; `error::pipe_name_empty`,
  /// `pipe_name_invalid` (also for a name with a NUL character in it),
  /// `pipe_name_too_long`, `pipe_not_found`; `asio::error::timed_out`;
  /// `asio::error::operation_not_supported` (no io_context behind the
  /// executor; doc/named_pipes.md lists the executors that work); Win32
  /// errors of CreateFile
  /// (ERROR_ACCESS_DENIED, ...) and SetNamedPipeHandleState (a message-mode
  /// connect to a byte pipe); the binding's errors.
  void connect(pipe_name_view name, const named_pipe_connect_options& options,
      boost::system::error_code& ec)
  {
    const std::wstring wide = detail::make_pipe_name(name, false, ec);
    if (ec)
      return;
    if (is_open())
    {
      ec = asio::error::already_open;
      return;
    }
    detail::named_pipe_connect_retry retry(options);
    for (;;)
    {
      const bool busy = open_client(wide, options, ec);
      if (!retry.again(busy, ec))
        return; // connected, or failed
      if (retry.pipe_gone())
        ::Sleep(static_cast<DWORD>(retry.backoff().count()));
      else // let the system wake us when an instance is free (in slices, to keep the deadline)
        ::WaitNamedPipeW(wide.c_str(),
            static_cast<DWORD>(retry.wait_at_most(std::chrono::milliseconds(1000)).count()));
    }
  }

  /// connect() with default options.
  void connect(pipe_name_view name, boost::system::error_code& ec)
  {
    connect(name, named_pipe_connect_options(), ec);
  }

  /// Throwing form of connect().
  void connect(pipe_name_view name,
      const named_pipe_connect_options& options = named_pipe_connect_options())
  {
    boost::system::error_code ec;
    connect(name, options, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::connect");
  }

  /// Opens the client end of pipe `name` asynchronously. While every
  /// instance is busy (ERROR_PIPE_BUSY) it retries on a timer — the
  /// io_context is never blocked — until an instance is free, until
  /// `options.busy_timeout` (then `asio::error::timed_out`) or until
  /// cancelled; a pipe that disappears once found busy is looked for again
  /// for up to `options.reappear_timeout`. Errors are those of connect(), and
  /// `asio::error::already_started` while another async_connect of this
  /// pipe waits for a busy pipe. The name is copied.
  ///
  /// The pipe must not be moved until the handler runs. close() (also by
  /// the destructor), cancel() and release() end a connect that waits for
  /// a busy pipe with `asio::error::operation_aborted`; if the pipe is
  /// opened otherwise meanwhile (connect(), assign()), the connect ends
  /// with `asio::error::already_open` at its next retry and the pipe keeps
  /// that handle.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code) @endcode
  /// The handler is never invoked from inside this function.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`: the connect ends with `asio::error::operation_aborted` and
  /// the pipe stays closed.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
          ConnectToken = asio::default_completion_token_t<executor_type>>
  auto async_connect(pipe_name_view name, const named_pipe_connect_options& options,
      ConnectToken&& token = asio::default_completion_token_t<executor_type>())
  {
    boost::system::error_code name_ec;
    std::wstring wide = detail::make_pipe_name(name, false, name_ec);
    return asio::async_compose<ConnectToken, void(boost::system::error_code)>(
        detail::named_pipe_connect_op<Executor>(this, std::move(wide), name_ec, options), token,
        ex_);
  }

  /// async_connect() with default options.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
          ConnectToken = asio::default_completion_token_t<executor_type>>
  auto async_connect(pipe_name_view name,
      ConnectToken&& token = asio::default_completion_token_t<executor_type>())
  {
    return async_connect(name, named_pipe_connect_options(), std::forward<ConnectToken>(token));
  }

  // ---------------------------------------------------- completion API --

  /// Reads some data (one overlapped ReadFile into the first non-empty
  /// buffer).
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code, std::size_t) @endcode
  /// `asio::error::eof` after all data once the peer closed; in message
  /// mode, `is_more_data(ec)` with the bytes that fit when the message is
  /// longer than the buffer. The handler is never invoked from inside this
  /// function; with skip-on-success, a read that finds data completes
  /// without a port packet.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`, `partial`, `total`: CancelIoEx on exactly this read; no
  /// data is lost (a read that already completed keeps its bytes).
  template <typename MutableBufferSequence,
      BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
          ReadToken = asio::default_completion_token_t<executor_type>>
  auto async_read_some(const MutableBufferSequence& buffers,
      ReadToken&& token = asio::default_completion_token_t<executor_type>())
      -> decltype(asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
          std::declval<initiate_async_read_some>(), token, asio::mutable_buffer()))
  {
    return asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        initiate_async_read_some(this), token,
        detail::first_buffer<asio::mutable_buffer>(buffers));
  }

  /// Writes some data (one overlapped WriteFile from the first non-empty
  /// buffer). It completes when the system has taken the bytes — at once
  /// while the pipe buffer has room, otherwise when the reader makes room.
  /// Use `asio::async_write` to write everything.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code, std::size_t) @endcode
  /// `asio::error::broken_pipe` once the peer closed; the error belongs to
  /// this write, never to a later one. `asio::error::message_size` in
  /// message mode for a buffer of 4 GiB or more, which one message cannot
  /// carry (written in parts it would arrive as several messages). The
  /// handler is never invoked from inside this function.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`, `partial`, `total`: CancelIoEx on exactly this write. A
  /// write cancelled while it waits for room may have passed part of its
  /// bytes to the reader already (under Wine 8 its handler then gets 0
  /// bytes): treat every type as `terminal` for writes (see
  /// doc/named_pipes.md).
  template <typename ConstBufferSequence,
      BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
          WriteToken = asio::default_completion_token_t<executor_type>>
  auto async_write_some(const ConstBufferSequence& buffers,
      WriteToken&& token = asio::default_completion_token_t<executor_type>())
      -> decltype(asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
          std::declval<initiate_async_write_some>(), token, asio::const_buffer()))
  {
    return asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        initiate_async_write_some(this), token,
        detail::first_buffer<asio::const_buffer>(buffers));
  }

  /// Blocking read of some data (SyncReadStream). Same results as
  /// async_read_some. Does not touch the port.
  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec)
  {
    return sync_io(detail::first_buffer<asio::mutable_buffer>(buffers).data(),
        asio::buffer_size(detail::first_buffer<asio::mutable_buffer>(buffers)), true, ec);
  }

  /// Throwing form of read_some().
  template <typename MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers)
  {
    boost::system::error_code ec;
    std::size_t n = read_some(buffers, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::read_some");
    return n;
  }

  /// Blocking write of some data (SyncWriteStream). Same results as
  /// async_write_some.
  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec)
  {
    const asio::const_buffer b = detail::first_buffer<asio::const_buffer>(buffers);
    return sync_io(b.data(), b.size(), false, ec);
  }

  /// Throwing form of write_some().
  template <typename ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers)
  {
    boost::system::error_code ec;
    std::size_t n = write_some(buffers, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::write_some");
    return n;
  }

  /// The number of bytes that can be read without waiting: those in the
  /// pipe (`PeekNamedPipe`), plus those a buffered readiness probe took
  /// from it that no `try_read_some` has taken yet (only `try_read_some`
  /// hands those out: do not mix the two APIs' reads on one pipe). In
  /// message mode it counts the bytes of every queued message. A snapshot,
  /// and a lower bound: bytes on their way into a pending read (a probe's
  /// or `async_read_some`'s) are counted by neither. Once the peer closed
  /// and everything was read, 0 with no error (as `FIONREAD` on a socket;
  /// the next read reports eof); `asio::error::bad_descriptor` on a closed
  /// pipe, `asio::error::not_connected` on a server end with no client.
  std::size_t available(boost::system::error_code& ec) const
  {
    if (!is_connected())
    {
      ec = unconnected_error();
      return 0;
    }
    // The probe's bytes first: a probe that completes in between moves
    // bytes out of the pipe (missed), never into both counts.
    const std::size_t buffered = readiness_ ? readiness_->buffered_bytes() : 0;
    DWORD in_pipe = 0;
    if (!::PeekNamedPipe(native_handle(), nullptr, 0, nullptr, &in_pipe, nullptr))
    {
      const boost::system::error_code peek_ec = detail::map_read_error(detail::last_error());
      if (peek_ec != asio::error::eof)
      {
        ec = peek_ec;
        return 0;
      }
      in_pipe = 0; // the peer closed (or this client was disconnected)
    }
    ec = {};
    return buffered + in_pipe;
  }

  /// Throwing form of available().
  std::size_t available() const
  {
    boost::system::error_code ec;
    const std::size_t n = available(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::available");
    return n;
  }

  // ----------------------------------------------------- readiness API --

  /// Chooses how readiness is derived from completions (default: a
  /// zero-byte read probe). Call before the first readiness use; later
  /// calls fail with `asio::error::already_started`.
  void set_readiness_strategy(readiness_strategy strategy, boost::system::error_code& ec)
  {
    if (readiness_)
    {
      ec = asio::error::already_started;
      return;
    }
    probe_buffer_ = detail::clamp_dword(strategy.buffer_size);
    ec = {};
  }

  /// Throwing form of set_readiness_strategy().
  void set_readiness_strategy(readiness_strategy strategy)
  {
    boost::system::error_code ec;
    set_readiness_strategy(strategy, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::set_readiness_strategy");
  }

  /// The readiness source concept (see `iocpx::is_readiness_source`): the
  /// registration whose readiness is this pipe's — readable (data, or eof
  /// to read), writable, hangup (the peer closed), error. Starts the
  /// readiness machinery on first use. Stays the same object until the
  /// pipe is closed, and follows a move to a pipe of the same type (after
  /// a move into another executor type, the new pipe makes a new one over
  /// the same readiness). It belongs to the pipe: do not close() it or
  /// move from it — that ends the pipe's readiness (waits and poller adds
  /// fail) until the pipe itself is closed.
  basic_registration<Executor>& readiness_registration()
  {
    return readiness_state().registration(ex_);
  }

  /// The current readiness (starts the readiness machinery).
  ready readiness()
  {
    return readiness_state().readiness();
  }

  /// Waits until the pipe's readiness intersects `interest` (as
  /// `basic_registration::async_wait`).
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code, iocpx::ready) @endcode
  /// `asio::error::bad_descriptor` on a closed pipe, `asio::error::not_connected`
  /// on a server end with no client (as reads and writes; a poller and the
  /// object `readiness_registration()` returns keep watching such a pipe
  /// for its next connection instead). The handler is never invoked from
  /// inside this function.
  ///
  /// @par Per-Operation Cancellation (Boost 1.77 and newer)
  /// `terminal`, `partial`, `total`: the wait ends with
  /// `asio::error::operation_aborted`.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, ready))
          WaitToken = asio::default_completion_token_t<executor_type>>
  auto async_wait(ready interest,
      WaitToken&& token = asio::default_completion_token_t<executor_type>())
  {
    return asio::async_initiate<WaitToken, void(boost::system::error_code, ready)>(
        initiate_async_wait(this), token, interest);
  }

  /// Socket-style wait types (`asio::socket_base::wait_type`), so that code
  /// written for Asio's sockets — `s.async_wait(S::wait_read, token)` —
  /// works on a pipe.
  using wait_type = asio::socket_base::wait_type;
  /// Wait until a read would not block (data, eof, or an error to report).
  static constexpr wait_type wait_read = asio::socket_base::wait_read;
  /// Wait until a write would not block (or would report an error).
  static constexpr wait_type wait_write = asio::socket_base::wait_write;
  /// Wait until the connection fails or the peer closes it.
  static constexpr wait_type wait_error = asio::socket_base::wait_error;

  /// Waits as `async_wait(ready, token)` does, for the readiness that
  /// `w` stands for — with the completion signature of Asio's
  /// `basic_socket::async_wait`. As on a socket (where the system reports
  /// a hang-up and an error to every wait), `hangup` and `error` end every
  /// kind of wait, so a wait for one direction never outlives the
  /// connection: `wait_read` is `readable | hangup | error`, `wait_write`
  /// is `writable | hangup | error`, `wait_error` is `hangup | error`.
  /// (There is no blocking `wait()`: the readiness comes from a probe
  /// whose completion the io_context's loop delivers.)
  ///
  /// Unlike a socket, a pipe hears of the peer's close only from a read
  /// that finds the pipe empty: Windows reports the close behind the data
  /// sent before it. While such data is unread, `hangup` is not set, and a
  /// wait for `hangup` or `error` alone (`wait_error`) completes only once
  /// the data has been read; `wait_read` completes for the data.
  ///
  /// @par Completion Signature
  /// @code void(boost::system::error_code) @endcode
  /// Errors, cancellation and the rule that the handler never runs inside
  /// this call: as for the other overload.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code))
          WaitToken = asio::default_completion_token_t<executor_type>>
  auto async_wait(wait_type w,
      WaitToken&& token = asio::default_completion_token_t<executor_type>())
  {
    return asio::async_initiate<WaitToken, void(boost::system::error_code)>(
        initiate_async_wait_for_type(this), token, w);
  }

  /// Reads what is available without blocking. Returns the bytes read; or
  /// 0 with `iocpx::error::would_block` (nothing yet: `readable` is cleared
  /// and the probe re-armed — wait for `readable`), `asio::error::eof`
  /// (the peer closed and everything was read), `is_more_data(ec)` in
  /// message mode (with the bytes that fit). With skip-on-success, a read
  /// that finds data causes no port traffic. A read that empties the pipe
  /// clears `readable` (the probe is re-armed at once and waits), so the
  /// next call reports would_block without a system call. A zero-length
  /// call returns 0 with no error and leaves what is there to the next.
  ///
  /// Message mode: the probe (a read) takes zero-length messages, so no
  /// read of this pipe returns one once any readiness call was made; such
  /// a message may wake a `readable` wait for nothing. Use only the
  /// completion API on pipes whose peer sends empty messages.
  template <typename MutableBufferSequence>
  std::size_t try_read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec)
  {
    if (!is_connected())
    {
      ec = unconnected_error();
      return 0;
    }
    return readiness_state().try_read_some(
        detail::first_buffer<asio::mutable_buffer>(buffers), mode_, ec);
  }

  /// Throwing form of try_read_some() (throws also for would_block).
  template <typename MutableBufferSequence>
  std::size_t try_read_some(const MutableBufferSequence& buffers)
  {
    boost::system::error_code ec;
    std::size_t n = try_read_some(buffers, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::try_read_some");
    return n;
  }

  /// Writes without blocking. Returns the bytes written, or 0 with an
  /// error: `iocpx::error::would_block` when the pipe cannot take them now,
  /// or the write's own failure (`asio::error::broken_pipe`, ...). A count
  /// is returned only for bytes the system has finished writing, and a
  /// failure only by the call whose bytes failed.
  ///
  /// The bytes are copied into a write buffer (up to 16 KiB per call in
  /// byte mode, a whole message in message mode) and written with one
  /// overlapped WriteFile. With skip-on-success (the default binding) a
  /// write that finishes at once costs no port packet; without it the
  /// packet is still queued, and until it is dequeued the next call reports
  /// would_block (`writable` cleared) even if the pipe has room. Write buffers are shared by the pipes written on the same
  /// thread: a pipe holds one only while its write is held in the system. If the pipe is full, that write stays in
  /// the system and the call reports would_block (`writable` is cleared):
  /// when `writable` returns, **retry with the same bytes** (as with
  /// `SSL_write`) — the retry reports the held write's outcome, its byte
  /// count or its error, and writes nothing again. A retry with other bytes
  /// gets `iocpx::error::write_retry_mismatch` (the held bytes were written
  /// all the same); a zero-length call is none: it returns 0 with no error
  /// and leaves the held write to its retry. A held write ended by `cancel()` is retried with
  /// `operation_aborted` and no count, even if the reader had taken part of
  /// it (Wine 8 reports no count for a cancelled pipe write): the stream
  /// may then hold a prefix of those bytes.
  template <typename ConstBufferSequence>
  std::size_t try_write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec)
  {
    if (!is_connected())
    {
      ec = unconnected_error();
      return 0;
    }
    return readiness_state().try_write_some(
        detail::first_buffer<asio::const_buffer>(buffers), mode_, ec);
  }

  /// Throwing form of try_write_some() (throws also for would_block).
  template <typename ConstBufferSequence>
  std::size_t try_write_some(const ConstBufferSequence& buffers)
  {
    boost::system::error_code ec;
    std::size_t n = try_write_some(buffers, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::basic_named_pipe::try_write_some");
    return n;
  }

private:
  template <typename Executor1>
  friend class basic_named_pipe;
  template <typename Executor1>
  friend class basic_named_pipe_acceptor;
  template <typename Executor1>
  friend class detail::named_pipe_connect_op;
  template <typename Executor1>
  friend struct detail::named_pipe_connect_wait;
  template <typename Pipe>
  friend struct detail::named_pipe_access;

  // The move assignments: closes this pipe, then takes `other`'s state and
  // `ex` (already converted from `other`'s executor, so nothing below
  // throws).
  template <typename Executor1>
  void take(Executor&& ex, basic_named_pipe<Executor1>& other) noexcept
  {
    boost::system::error_code ignored;
    close(ignored);
    ex_ = std::move(ex);
    binding_ = std::move(other.binding_);
    readiness_ = std::move(other.readiness_);
    probe_buffer_ = std::exchange(other.probe_buffer_, 0);
    mode_ = std::exchange(other.mode_, pipe_mode::byte);
    server_end_ = std::exchange(other.server_end_, false);
    connected_ = std::exchange(other.connected_, false);
  }

  // One CreateFile attempt for a client end. Returns true while every
  // instance is busy; otherwise `ec` tells connected (empty) or failed.
  bool open_client(const std::wstring& name, const named_pipe_connect_options& options,
      boost::system::error_code& ec)
  {
    // Before the pipe is opened: a client that opened an instance and closed
    // it again would still reach the server (its accept would complete).
    asio::io_context* ctx = iocpx::detail::io_context_of(ex_);
    if (!ctx)
    {
      ec = asio::error::operation_not_supported;
      return false;
    }
    HANDLE h = ::CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0,
        options.security_attributes, OPEN_EXISTING, FILE_FLAG_OVERLAPPED | options.security_qos,
        nullptr);
    if (h == INVALID_HANDLE_VALUE)
    {
      const DWORD e = ::GetLastError();
      switch (e)
      {
      case ERROR_PIPE_BUSY:
        ec = {};
        return true;
      case ERROR_FILE_NOT_FOUND:
        ec = error::pipe_not_found;
        return false;
      case ERROR_INVALID_NAME:
      case ERROR_BAD_PATHNAME:
      case ERROR_PATH_NOT_FOUND:
        ec = error::pipe_name_invalid;
        return false;
      default:
        ec = boost::system::error_code(static_cast<int>(e), boost::system::system_category());
        return false;
      }
    }
    // A local name that opened something other than a pipe instance
    // (make_pipe_name refuses the `..` that would lead there; this catches
    // what it cannot know of): a disk file, a device, or the pipe file
    // system's root is not this pipe's to read. (Remote names stay under
    // their share, `\\server\pipe\`, whose pipes the redirector serves.)
    if (name.compare(0, 4, L"\\\\.\\") == 0
        && !::GetNamedPipeInfo(h, nullptr, nullptr, nullptr, nullptr))
    {
      ::CloseHandle(h);
      ec = error::pipe_name_invalid;
      return false;
    }
    if (options.mode == pipe_mode::message)
    {
      DWORD read_mode = PIPE_READMODE_MESSAGE;
      if (!::SetNamedPipeHandleState(h, &read_mode, nullptr, nullptr))
      {
        ec = detail::last_error();
        ::CloseHandle(h);
        return false;
      }
    }
    binding_.bind(*ctx, h, options.binding, ec);
    if (ec)
    {
      ::CloseHandle(h);
      return false;
    }
    binding_.state_for_iocpx()->take_ownership(); // (a new handle: nobody else's)
    opened(false, options.mode);
    return false;
  }

  // Ends an async_connect that waits for a busy pipe (operation_aborted).
  void abort_connect() noexcept
  {
    if (connect_wait_)
      connect_wait_->abort();
  }

  // The handle now carries a new connection.
  void opened(bool server_end, pipe_mode mode)
  {
    // (Always bound here. Said once more for gcc 12 at -O2, which otherwise
    // sees a path through an empty binding — an accept's error path,
    // inlined — and rejects the increment below as a write through null.)
    if (!binding_.state_for_iocpx())
      return;
    server_end_ = server_end;
    mode_ = mode;
    connected_ = true;
    const unsigned long now = generation().fetch_add(1, std::memory_order_acq_rel) + 1;
    if (readiness_)
      readiness_->start(binding_, now);
  }

  // The connection ends: nothing of it may reach anyone after this.
  void ended()
  {
    if (is_open())
    {
      const unsigned long next = generation().fetch_add(1, std::memory_order_acq_rel) + 1;
      if (readiness_)
        readiness_->stop(next);
    }
  }

  // The generation of the handle's connection (see detail::started_generation).
  std::atomic<unsigned long>& generation() const noexcept
  {
    return binding_.state_for_iocpx()->generation;
  }

  detail::named_pipe_readiness& readiness_state()
  {
    if (!readiness_)
    {
      readiness_.reset(new detail::named_pipe_readiness(ex_, readiness_strategy{probe_buffer_}));
      if (is_connected())
        readiness_->start(binding_, generation().load(std::memory_order_acquire));
    }
    return *readiness_;
  }

  // A message longer than one WriteFile can take (4 GiB - 1): written in
  // parts, it would reach the peer as several messages.
  bool cannot_write_whole(std::size_t size) const noexcept
  {
    return mode_ == pipe_mode::message && static_cast<std::uint64_t>(size) > 0xffffffffu;
  }

  std::size_t sync_io(const void* data, std::size_t size, bool is_read,
      boost::system::error_code& ec)
  {
    if (!is_connected())
    {
      ec = unconnected_error();
      return 0;
    }
    if (size == 0)
    {
      ec = {};
      return 0;
    }
    if (!is_read && cannot_write_whole(size))
    {
      ec = asio::error::message_size;
      return 0;
    }
    return detail::named_pipe_readiness::sync_pipe_io(
        binding_.native_handle(), data, detail::clamp_dword(size), is_read, ec);
  }

  // What a read, write or wait says on a pipe that is not connected:
  // closed, or a server end with no client.
  boost::system::error_code unconnected_error() const noexcept
  {
    return is_open() ? asio::error::not_connected : asio::error::bad_descriptor;
  }

  // peer_process_id() and peer_session_id(): a number about the process at
  // the other end, asked of the client's end or of the server's.
  unsigned long peer_number(BOOL(WINAPI* of_client)(HANDLE, PULONG),
      BOOL(WINAPI* of_server)(HANDLE, PULONG), boost::system::error_code& ec) const
  {
    if (!is_connected())
    {
      ec = unconnected_error();
      return 0;
    }
    ULONG n = 0;
    if (!(server_end_ ? of_client : of_server)(native_handle(), &n))
    {
      ec = ::GetLastError() == ERROR_PIPE_NOT_CONNECTED
               ? boost::system::error_code(asio::error::not_connected)
               : detail::last_error();
      return 0;
    }
    ec = {};
    return n;
  }

  boost::system::error_code run_as_client_precondition() const noexcept
  {
    if (!is_connected())
      return unconnected_error();
    if (!server_end_)
      return asio::error::operation_not_supported;
    return {};
  }

  template <typename Handler, typename... Values>
  void post_result(Handler&& handler, Values... values)
  {
    asio::post(ex_, detail::bind_handler(std::forward<Handler>(handler), values...));
    // Completions made ready later in the handler running here (if any) go
    // behind this one, not ahead of it on the fast path.
    iocpx::detail::delivery_scope::post_later_ones(iocpx::detail::execution_context_key(ex_));
  }

  template <typename Handler, typename Buffer>
  void start_io(Handler&& handler, Buffer buffer, bool is_read)
  {
    if (!is_connected())
      return post_result(std::forward<Handler>(handler), unconnected_error(), std::size_t(0));
    if (buffer.size() == 0)
      return post_result(
          std::forward<Handler>(handler), boost::system::error_code(), std::size_t(0));
    if (!is_read && cannot_write_whole(buffer.size()))
      return post_result(std::forward<Handler>(handler),
          boost::system::error_code(asio::error::message_size), std::size_t(0));

    using wrapped = detail::pipe_handler<std::decay_t<Handler>, Executor, detail::io_finish>;
    HANDLE h = binding_.native_handle();
    void* data = const_cast<void*>(static_cast<const void*>(buffer.data()));
    const DWORD size = detail::clamp_dword(buffer.size());
    wrapped w(std::forward<Handler>(handler), ex_,
        detail::io_finish{detail::started_generation(binding_.state_for_iocpx()), is_read});
    if (is_read)
      async_overlapped(binding_,
          [h, data, size](OVERLAPPED* ov) {
            return win32_result(::ReadFile(h, data, size, nullptr, ov));
          },
          std::move(w));
    else
      async_overlapped(binding_,
          [h, data, size](OVERLAPPED* ov) {
            return win32_result(::WriteFile(h, data, size, nullptr, ov));
          },
          std::move(w));
  }

  // A poller reaches the readiness without a registration object (see
  // iocpx::detail::readiness_core_of).
  friend iocpx::detail::readiness_core* iocpx_readiness_core(basic_named_pipe& pipe)
  {
    return pipe.readiness_state().core();
  }

  class initiate_async_wait
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_wait(basic_named_pipe* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept
    {
      return self_->get_executor();
    }

    template <typename WaitHandler>
    void operator()(WaitHandler&& handler, ready interest) const
    {
      // Nothing would ever complete it (a closed pipe has no readiness
      // machinery running), or the next connection would — which a server
      // end with no client (after disconnect(), or assigned while
      // listening) has yet to get, and whose readiness is not this wait's
      // (disconnect() ends the waits of its connection for that reason).
      // So bad_descriptor or not_connected at once, as reads and writes.
      if (!self_->is_connected())
        return self_->post_result(
            std::forward<WaitHandler>(handler), self_->unconnected_error(), ready::none());
      iocpx::detail::start_readiness_wait(std::forward<WaitHandler>(handler), self_->ex_,
          self_->readiness_state().core(), interest);
    }

  private:
    basic_named_pipe* self_;
  };

  // The socket-style wait: the readiness wait, whose `ready` argument the
  // handler's wrapper drops (keeping the handler's associations).
  class initiate_async_wait_for_type
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_wait_for_type(basic_named_pipe* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept
    {
      return self_->get_executor();
    }

    template <typename WaitHandler>
    void operator()(WaitHandler&& handler, wait_type w) const
    {
      using wrapped = detail::pipe_handler<std::decay_t<WaitHandler>, Executor,
          detail::drop_readiness>;
      const initiate_async_wait initiate(self_);
      initiate(wrapped(std::forward<WaitHandler>(handler), self_->ex_, detail::drop_readiness()),
          interest_of(w));
    }

  private:
    static ready interest_of(wait_type w) noexcept
    {
      const ready ends = ready::hangup() | ready::error();
      switch (w)
      {
      case asio::socket_base::wait_read:
        return ready::readable() | ends;
      case asio::socket_base::wait_write:
        return ready::writable() | ends;
      default:
        return ends;
      }
    }

    basic_named_pipe* self_;
  };

  class initiate_async_read_some
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_read_some(basic_named_pipe* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept
    {
      return self_->get_executor();
    }

    template <typename ReadHandler>
    void operator()(ReadHandler&& handler, asio::mutable_buffer buffer) const
    {
      self_->start_io(std::forward<ReadHandler>(handler), buffer, true);
    }

  private:
    basic_named_pipe* self_;
  };

  class initiate_async_write_some
  {
  public:
    using executor_type = Executor;

    explicit initiate_async_write_some(basic_named_pipe* self) noexcept : self_(self) {}

    executor_type get_executor() const noexcept
    {
      return self_->get_executor();
    }

    template <typename WriteHandler>
    void operator()(WriteHandler&& handler, asio::const_buffer buffer) const
    {
      self_->start_io(std::forward<WriteHandler>(handler), buffer, false);
    }

  private:
    basic_named_pipe* self_;
  };

  Executor ex_;
  binding binding_;
  std::unique_ptr<detail::named_pipe_readiness, detail::named_pipe_readiness::closer> readiness_;
  DWORD probe_buffer_ = 0; // the readiness strategy: 0 is the zero-byte probe
  pipe_mode mode_ = pipe_mode::byte;
  bool server_end_ = false;
  bool connected_ = false;
  // The retry timer of an async_connect while it waits (not moved: the pipe
  // must not be moved while it connects).
  detail::named_pipe_connect_wait<Executor>* connect_wait_ = nullptr;
};

} // namespace windows
} // namespace iocpx

#include <iocpx/windows/impl/named_pipe_connect.hpp>

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_BASIC_NAMED_PIPE_HPP
