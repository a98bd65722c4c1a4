// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_BINDING_HPP
#define IOCPX_WINDOWS_BINDING_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/detail/io_executor.hpp>
#include <iocpx/error.hpp>
#include <iocpx/windows/bind_options.hpp>
#include <iocpx/windows/detail/handle_state.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/assert.hpp>
#include <boost/system/error_code.hpp>

#include <type_traits>

namespace iocpx {
namespace windows {

/// The association of one HANDLE or SOCKET with the completion port behind
/// an `asio::io_context` — mio's `Binding`, made safe.
///
/// A handle can be associated with one port for its whole life. `bind()`
/// does that once and remembers it for the module (the process with
/// separate compilation; in a header-only build each DLL keeps its own
/// record, and a bind() of the same handle from another module fails with
/// `error::already_associated`: hand the binding over instead), so that
/// binding the same handle to the same io_context again is a no-op success
/// (with other options: `error::options_conflict` while another binding of
/// it is alive or an operation is in flight, otherwise bound afresh), binding it to
/// another io_context fails with `error::bound_elsewhere`, and a handle that
/// someone else associated fails with `error::already_associated` instead of
/// a bare ERROR_INVALID_PARAMETER.
///
/// A binding does not own the handle: destroying it leaves the handle open
/// and associated (Windows cannot undo an association before 8.1; see
/// unbind()). Operations on the handle go through `async_overlapped` or
/// `overlapped`, which need the binding only while they start.
///
/// @par Rules
/// - Only iocpx (or Asio) operations may use an OVERLAPPED on a bound handle
///   without an event: Asio's loop treats every packet's OVERLAPPED as its own.
/// - Destroy bindings before their io_context.
///
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: unsafe (like Asio I/O objects).
/// Binding the same handle from several threads at once is safe.
class binding
{
#if !defined(GENERATING_DOCUMENTATION)
  // The executor forms of bind(): an executor, and a HANDLE or a SOCKET.
  template <typename Executor, typename Native>
  using is_executor_and_native = std::integral_constant<bool,
      iocpx::detail::is_executor_like<Executor>::value
          && (std::is_same<Native, HANDLE>::value || std::is_same<Native, SOCKET>::value)>;
#endif

public:
  /// The executor of the io_context this binding's completions run on.
  using executor_type = asio::io_context::executor_type;

  /// An empty binding (`is_bound() == false`).
  binding() noexcept = default;

  binding(binding&& other) noexcept : state_(other.state_)
  {
    other.state_ = nullptr;
  }

  binding& operator=(binding&& other) noexcept
  {
    if (this != &other)
    {
      reset();
      state_ = other.state_;
      other.state_ = nullptr;
    }
    return *this;
  }

  binding(const binding&) = delete;
  binding& operator=(const binding&) = delete;

  /// Forgets the handle; the handle stays open and associated.
  ~binding()
  {
    reset();
  }

  /// Associates `handle` with `ctx`'s completion port (see the class notes).
  /// On failure the binding is left empty, and this call associated nothing
  /// — except when memory runs out while binding a reused value of a handle
  /// that was closed without close() while bindings of it are still alive:
  /// the new handle then stays associated, unknown to iocpx, and a later
  /// bind() of it reports `error::already_associated`. Running out of
  /// memory is reported as `asio::error::no_memory`.
  IOCPX_DECL void bind(asio::io_context& ctx, HANDLE handle, bind_options options,
      boost::system::error_code& ec);

  /// Throwing form of bind(); throws boost::system::system_error.
  void bind(asio::io_context& ctx, HANDLE handle, bind_options options = {})
  {
    boost::system::error_code ec;
    bind(ctx, handle, options, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::bind");
  }

  /// Associates a socket (opened with WSA_FLAG_OVERLAPPED).
  void bind(asio::io_context& ctx, SOCKET socket, bind_options options,
      boost::system::error_code& ec)
  {
    bind_socket(ctx, socket, options, ec);
  }

  /// Throwing form of bind() for sockets.
  void bind(asio::io_context& ctx, SOCKET socket, bind_options options = {})
  {
    boost::system::error_code ec;
    bind_socket(ctx, socket, options, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::bind");
  }

  /// Associates `handle` (a HANDLE or a SOCKET) with the completion port of
  /// the io_context behind `ex`: its executor (with any properties), a
  /// strand of one, the legacy `io_context::strand`, or an
  /// `any_io_executor` holding one of those — what an I/O object's
  /// `get_executor()` or a coroutine's `this_coro::executor` gives. The
  /// binding's executor is that io_context's own. An executor of any other
  /// context fails with `asio::error::operation_not_supported` and leaves
  /// the binding empty.
  template <typename Executor, typename Native,
      typename std::enable_if<is_executor_and_native<Executor, Native>::value, int>::type = 0>
  void bind(const Executor& ex, Native handle, bind_options options, boost::system::error_code& ec)
  {
    asio::io_context* ctx = iocpx::detail::io_context_of(ex);
    if (!ctx)
    {
      reset();
      ec = asio::error::operation_not_supported;
      return;
    }
    bind(*ctx, handle, options, ec);
  }

  /// Throwing form of bind() with an executor.
  template <typename Executor, typename Native,
      typename std::enable_if<is_executor_and_native<Executor, Native>::value, int>::type = 0>
  void bind(const Executor& ex, Native handle, bind_options options = {})
  {
    boost::system::error_code ec;
    bind(ex, handle, options, ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::bind");
  }

  /// Disassociates the handle from the port, so it can be bound elsewhere.
  ///
  /// Needs NtSetInformationFile(FileReplaceCompletionInformation), looked up
  /// at run time (Windows 8.1 and later); without it fails with
  /// `error::unbind_not_supported` and the binding is unchanged. Fails with
  /// `error::operations_pending` while operations are in flight. Every
  /// binding of the handle becomes unusable; this one becomes empty. The
  /// handle is then the caller's again: close() on another binding of it
  /// only empties that binding and leaves the handle open. Do not start
  /// operations through another binding of the handle while unbind() runs
  /// on another thread: one that starts between its check for operations
  /// in flight and the disassociation would never complete through the
  /// port (and its io_context's run() would not return).
  IOCPX_DECL void unbind(boost::system::error_code& ec);

  /// Throwing form of unbind().
  void unbind()
  {
    boost::system::error_code ec;
    unbind(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::unbind");
  }

  /// Gives the handle back to its owner without closing it, and returns it
  /// (as `release()` of an Asio I/O object does). Operations in flight on
  /// it are cancelled (`operation_aborted`), every binding of it becomes
  /// unusable and this one empty, and iocpx never cancels or closes the
  /// handle again, so the caller may close it at once. Unlike unbind() it
  /// leaves the handle associated with the port (which needs nothing from
  /// the system, and works with operations in flight): bind() it to the
  /// same io_context again (Asio's own I/O objects cannot take it: their
  /// assign() fails with `invalid_argument` for an associated handle; an
  /// `asio::windows::overlapped_ptr` of that io_context can). Fails with
  /// `error::not_bound` (and returns nullptr) on an empty binding, or if
  /// another binding of the handle closed, unbound or released it.
  IOCPX_DECL HANDLE release(boost::system::error_code& ec);

  /// Throwing form of release().
  HANDLE release()
  {
    boost::system::error_code ec;
    HANDLE h = release(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::release");
    return h;
  }

  /// Cancels every operation in flight on the handle (CancelIoEx with no
  /// OVERLAPPED, so also operations that did not start through iocpx). Their
  /// handlers receive `asio::error::operation_aborted`. Cancelling with
  /// nothing in flight succeeds. Fails with `error::not_bound` if the
  /// binding is empty or the handle was closed or unbound through another
  /// binding of it — also while that close() or unbind() runs on another
  /// thread: a cancel never reaches the handle once it may have been
  /// closed.
  IOCPX_DECL void cancel(boost::system::error_code& ec);

  /// Throwing form of cancel().
  void cancel()
  {
    boost::system::error_code ec;
    cancel(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::cancel");
  }

  /// Cancels the handle's operations, closes the handle and empties the
  /// binding — for bindings that own their handle. Operations in flight
  /// complete with `asio::error::operation_aborted` (whatever code the
  /// system reports for an I/O ended by a close: 995, 676 or 109). If
  /// another binding of the same handle closed or unbound it already, only
  /// empties this one and succeeds: the handle value may by then name
  /// another handle, which is left alone. Another binding's cancel() may
  /// run meanwhile on another thread (see cancel()); starting operations
  /// through other bindings may not: like closing any handle, that races
  /// with their calls.
  IOCPX_DECL void close(boost::system::error_code& ec);

  /// Throwing form of close().
  void close()
  {
    boost::system::error_code ec;
    close(ec);
    iocpx::detail::throw_if(ec, "iocpx::windows::binding::close");
  }

  /// Whether this binding holds a handle that is still associated with its
  /// io_context's port.
  bool is_bound() const noexcept
  {
    return state_ && !state_->detached.load(std::memory_order_acquire);
  }

  explicit operator bool() const noexcept
  {
    return is_bound();
  }

  /// The bound handle, or nullptr for an empty binding.
  HANDLE native_handle() const noexcept
  {
    return state_ ? state_->handle : nullptr;
  }

  /// The io_context the handle is bound to. Precondition: not empty.
  asio::io_context& context() const noexcept
  {
    BOOST_ASSERT_MSG(state_, "iocpx::windows::binding::context(): the binding is empty");
    return *state_->context;
  }

  /// The executor of context(). Precondition: not empty.
  executor_type get_executor() const noexcept
  {
    BOOST_ASSERT_MSG(state_, "iocpx::windows::binding::get_executor(): the binding is empty");
    return state_->context->get_executor();
  }

  /// The options of the bind() that set up the handle's current record: the
  /// first bind, or a later one made after every binding and operation of
  /// the handle was gone.
  bind_options requested_options() const noexcept
  {
    return state_ ? state_->requested : bind_options{};
  }

  /// Whether immediate successes skip the port: the system accepted
  /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS for this handle, or the handle
  /// already had it when it was bound (the mode cannot be cleared; iocpx
  /// reads the handle's modes and delivers such completions itself, even if
  /// the options did not ask for it).
  bool skips_completion_port_on_success() const noexcept
  {
    return state_ && state_->effective.skip_completion_port_on_success;
  }

  /// Whether the handle has FILE_SKIP_SET_EVENT_ON_HANDLE (as above).
  bool skips_set_event_on_handle() const noexcept
  {
    return state_ && state_->effective.skip_set_event_on_handle;
  }

  /// Number of iocpx operations in flight on the handle (for diagnostics).
  std::size_t operations_in_flight() const noexcept
  {
    return state_ ? static_cast<std::size_t>(state_->pending.load(std::memory_order_relaxed)) : 0;
  }

#if !defined(GENERATING_DOCUMENTATION)
  // Internal: the shared state, for async_overlapped and overlapped.
  detail::handle_state* state_for_iocpx() const noexcept
  {
    return state_;
  }

  // Internal: makes this a binding of `other`'s handle too, as bind() of
  // that handle with its context and options would (another reference to
  // the same state), without asking the handle registry. The registry is a
  // static: in a header-only build every DLL has one of its own, which
  // does not know a handle that another module bound, and bind() there
  // fails as for a port iocpx does not own (already_associated).
  void share_for_iocpx(const binding& other) noexcept
  {
    if (this == &other)
      return;
    reset();
    if (other.state_)
    {
      other.state_->add_ref();
      state_ = other.state_;
    }
  }
#endif

private:
  IOCPX_DECL void bind_socket(asio::io_context& ctx, SOCKET socket, bind_options options,
      boost::system::error_code& ec);
  IOCPX_DECL void bind_impl(asio::io_context& ctx, HANDLE handle, bind_options options,
      bind_options applied, bool is_socket, bool skip_reliable, boost::system::error_code& ec);
  IOCPX_DECL void bind_fresh_or_shared(asio::io_context& ctx, HANDLE handle,
      bind_options options, bind_options applied, bool is_socket, bool skip_reliable,
      boost::system::error_code& ec);

  void reset() noexcept
  {
    if (state_)
    {
      state_->release();
      state_ = nullptr;
    }
  }

  detail::handle_state* state_ = nullptr;
};

/// Binds `handle` to `ctx` and returns the binding (see binding::bind()).
inline binding bind(asio::io_context& ctx, HANDLE handle, bind_options options,
    boost::system::error_code& ec)
{
  binding b;
  b.bind(ctx, handle, options, ec);
  return b;
}

/// Throwing form of bind().
inline binding bind(asio::io_context& ctx, HANDLE handle, bind_options options = {})
{
  binding b;
  b.bind(ctx, handle, options);
  return b;
}

/// Binds a socket to `ctx` and returns the binding.
inline binding bind(asio::io_context& ctx, SOCKET socket, bind_options options,
    boost::system::error_code& ec)
{
  binding b;
  b.bind(ctx, socket, options, ec);
  return b;
}

/// Throwing form of bind() for sockets.
inline binding bind(asio::io_context& ctx, SOCKET socket, bind_options options = {})
{
  binding b;
  b.bind(ctx, socket, options);
  return b;
}

/// Binds `handle` (a HANDLE or a SOCKET) to the io_context behind `ex` and
/// returns the binding (see binding::bind() with an executor).
template <typename Executor, typename Native,
    typename std::enable_if<iocpx::detail::is_executor_like<Executor>::value, int>::type = 0>
auto bind(const Executor& ex, Native handle, bind_options options, boost::system::error_code& ec)
    -> decltype(std::declval<binding&>().bind(ex, handle, options, ec), binding())
{
  binding b;
  b.bind(ex, handle, options, ec);
  return b;
}

/// Throwing form of bind() with an executor.
template <typename Executor, typename Native,
    typename std::enable_if<iocpx::detail::is_executor_like<Executor>::value, int>::type = 0>
auto bind(const Executor& ex, Native handle, bind_options options = {})
    -> decltype(std::declval<binding&>().bind(ex, handle, options), binding())
{
  binding b;
  b.bind(ex, handle, options);
  return b;
}

} // namespace windows
} // namespace iocpx

#if defined(IOCPX_HEADER_ONLY)
#  include <iocpx/windows/impl/binding.ipp>
#endif

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_BINDING_HPP
