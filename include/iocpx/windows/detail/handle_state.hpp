// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_HANDLE_STATE_HPP
#define IOCPX_WINDOWS_DETAIL_HANDLE_STATE_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/windows/bind_options.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>

#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <type_traits>

namespace iocpx {
namespace windows {
namespace detail {

class binding_service;

// What iocpx knows about one handle associated with one io_context's port.
//
// Shared by every `binding` of the handle and by every operation in flight on
// it (reference counted), so an operation that outlives its binding, or a
// binding that outlives a close(), never touches freed memory. A process-wide
// registry maps each associated handle to its state: that is how a second
// bind() tells "same io_context" from "another io_context" from "a port iocpx
// does not own".
struct handle_state
{
  HANDLE handle = nullptr;
  asio::io_context* context = nullptr;
  iocp_context* iocp = nullptr;

  std::atomic<long> refs{1};         // registry + bindings + operations in flight
  std::atomic<long> pending{0};      // operations in flight
  std::atomic<unsigned long> cancel_epoch{0}; // bumped by cancel() and close()

  // Whether cancel() or close() ran since `epoch` was read from
  // cancel_epoch. (seq_cst, as their bump: a start asks this right after
  // its Win32 call, to catch a cancel that came before the kernel had the
  // request.)
  bool cancelled_since(unsigned long epoch) const noexcept
  {
    return cancel_epoch.load(std::memory_order_seq_cst) != epoch;
  }
  // Bumped by the I/O object that owns the handle when what the handle
  // carries ends (a pipe's connection): its operations remember the value
  // they started with, and one that completes for an older value is stale.
  std::atomic<unsigned long> generation{0};

  handle_state* registry_next = nullptr; // the registry's chain (guarded by its mutex)

  bind_options requested{};
  bind_options effective{};
  // Two facts in one byte (a handle state is part of every idle pipe's
  // memory): the handle is a SOCKET (set when it is bound afresh), and an
  // iocpx object owns it (will close it): a named pipe, or an acceptor's
  // instance. A pipe's assign() refuses an owned handle, as Asio's
  // assign() refuses an associated one — two owners would both close it,
  // and the one left would go on with a value that may by then name an
  // unrelated handle. A binding owns nothing and may still share it.
  std::atomic<unsigned char> kind{0};
  static constexpr unsigned char socket_kind = 1, owned_kind = 2;

  bool is_socket() const noexcept
  {
    return (kind.load(std::memory_order_relaxed) & socket_kind) != 0;
  }

  // Marks the handle owned; true if it was owned already.
  bool take_ownership() noexcept
  {
    return (kind.fetch_or(owned_kind, std::memory_order_acq_rel) & owned_kind) != 0;
  }
  std::atomic<bool> detached{false}; // unbound, closed, or its io_context shut down
  // Set by the first close(), or by unbind() (which gives the handle back to
  // its owner, who may close it): several bindings may share the state, and
  // a handle value is reused as soon as it is closed, so a later CloseHandle
  // or CancelIoEx through another binding could hit an unrelated handle.
  std::atomic<bool> closed{false};
  // Held for an instant by close() and unbind() around setting `closed`,
  // and by a cancel made from outside the object that owns the handle
  // (another binding's cancel(), an acceptor aborting the reuse of a pipe)
  // around "not closed? then CancelIoEx": such a cancel then either runs
  // before the handle is closed or given back, or sees it closed — never
  // between, when the value may already name another handle. A byte of
  // what was padding.
  std::atomic<bool> close_guard{false};

  // Calls `f(handle)` under the guard unless the handle is closed (or given
  // back); returns whether it did.
  template <typename F>
  bool with_open_handle(F&& f) noexcept
  {
    guard g(*this);
    if (closed.load(std::memory_order_relaxed))
      return false;
    f(handle);
    return true;
  }

  // Sets `closed` under the guard; returns whether it was set already.
  bool mark_closed() noexcept
  {
    guard g(*this);
    return closed.exchange(true, std::memory_order_acq_rel);
  }

  void add_ref() noexcept
  {
    refs.fetch_add(1, std::memory_order_relaxed);
  }

  void release() noexcept
  {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

private:
  // The guard's holders make one system call at most while they hold it.
  struct guard
  {
    handle_state& s;

    explicit guard(handle_state& state) noexcept
      : s(state)
    {
      while (s.close_guard.exchange(true, std::memory_order_acquire))
        ::SwitchToThread();
    }

    ~guard()
    {
      s.close_guard.store(false, std::memory_order_release);
    }

    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
  };
};

// How an operation's Win32 call ended, as far as the port is concerned.
enum class start_outcome
{
  pending,   // the kernel queues a packet when it completes
  completed, // the kernel completed it: a packet unless the handle skips the port on success
  failed     // failed before the kernel completed anything: never a packet
};

// STATUS_PENDING, spelled here: <windows.h> leaves it out when the user
// defines WIN32_NO_STATUS (to include <ntstatus.h> instead).
constexpr unsigned long status_pending = 0x00000103ul;

// Set before the Win32 call: the kernel overwrites it with the request's
// final status when it completes the request, pending or not.
inline void mark_status_unknown(OVERLAPPED& ov) noexcept
{
  ov.Internal = status_pending;
}

// Classifies the Win32 result of a call made with `ov` (marked with
// mark_status_unknown first). Success and ERROR_MORE_DATA are completions.
// Some functions report a warning-level status as an error — WSARecv on a
// datagram larger than the buffer returns WSAEMSGSIZE for
// STATUS_BUFFER_OVERFLOW — although the kernel completed the request and
// queues a packet as for a success (seen under Wine: one packet without
// skip-on-success, none with it). The status block tells those apart from
// real failures. Only warning-level statuses count: ConnectNamedPipe's
// ERROR_PIPE_CONNECTED (a success-level status) queues no packet.
inline start_outcome classify_start(DWORD result, const OVERLAPPED& ov) noexcept
{
  switch (result)
  {
  case ERROR_IO_PENDING:
    return start_outcome::pending;
  case ERROR_SUCCESS:
  case ERROR_MORE_DATA:
    return start_outcome::completed;
  default:
  {
    // Only a request the kernel completed queues a packet; without
    // skip-on-success another thread may have dequeued it before the call
    // returned, and its loop then keeps its own result where the status was.
    if (packet_taken_by_loop(ov))
      return start_outcome::completed;
    const auto status = static_cast<unsigned long>(ov.Internal);
    const bool warning_level = (status >> 30) == 2;
    return warning_level ? start_outcome::completed : start_outcome::failed;
  }
  }
}

// Whether an operation that ended as `outcome` queued no packet: an
// immediate failure, or an immediate completion on a handle that skips the
// port on success.
inline bool completed_without_packet(const handle_state& state, start_outcome outcome) noexcept
{
  return outcome == start_outcome::failed
      || (outcome == start_outcome::completed && state.effective.skip_completion_port_on_success);
}

// What iocpx delivers for an operation that ended without a packet: a
// completion's bytes from the OVERLAPPED, with the code its packet would
// have carried (ERROR_MORE_DATA for a buffer overflow, also when the
// function reported it as another code); a failure's code and no bytes.
struct packetless_result
{
  DWORD code;
  DWORD bytes;
};

inline packetless_result packetless_result_of(start_outcome outcome, DWORD result,
    const OVERLAPPED& ov) noexcept
{
  if (outcome != start_outcome::completed)
    return {result, 0};
  constexpr unsigned long status_buffer_overflow = 0x80000005ul;
  const bool overflow = static_cast<unsigned long>(ov.Internal) == status_buffer_overflow;
  return {result != ERROR_SUCCESS && overflow ? DWORD(ERROR_MORE_DATA) : result,
      static_cast<DWORD>(ov.InternalHigh)};
}

// Decides, after the Win32 call of an operation returned `result`, who
// delivers the completion: the kernel's packet (on_pending), or iocpx itself
// (an immediate failure, or an immediate success that queues no packet
// because the handle skips the port on success). `op` is the OVERLAPPED that
// was passed to the call. The caller has counted the operation as work
// (work_started()): before the call, as Asio does for its own operations,
// because a count taken after it leaves a window in which another thread's
// last handler finishes, finds no work and stops the io_context while the
// operation is in flight. overlapped::start_or_complete alone counts after
// the call, once it knows a completion will come (see there).
// `may_deliver_here`: whether a completion iocpx delivers may wait on this
// thread's delivery scope (detail::may_deliver_on_this_thread_of the
// handler's executor and the io_context); if not, it goes through the port.
IOCPX_DECL void finish_start(handle_state& state, iocp_operation* op, DWORD result,
    bool may_deliver_here);

// Gives back the work count taken for an operation whose start function
// threw. On a thread that runs the io_context a plain work_finished() is
// right (the handler running there still counts, so the count cannot reach
// zero). Elsewhere it could be the last count, and work_finished() would
// then stop the io_context — also one that is not running yet, whose next
// run() would return at once — so the count is handed to a no-op completion
// that the loop finishes like any other.
IOCPX_DECL void return_work(iocp_context& iocp) noexcept;

// The contract of the start functions given to async_overlapped and
// overlapped::start: called with the OVERLAPPED, returning a Win32 error code.
template <typename Start>
constexpr void check_start_signature() noexcept
{
  static_assert(std::is_invocable_v<Start&, OVERLAPPED*>,
      "iocpx: the start function must be callable with an OVERLAPPED*");
  using result = std::decay_t<std::invoke_result_t<Start&, OVERLAPPED*>>;
  static_assert(std::is_integral_v<result> && !std::is_same_v<result, bool>
          && !std::is_same_v<result, int>,
      "iocpx: the start function must return the Win32 error code of its call "
      "(ERROR_SUCCESS, ERROR_IO_PENDING or the failure), not the call's BOOL or int: "
      "wrap the call in iocpx::windows::win32_result() or wsa_result()");
}

// Maps the result of a completed operation to what the handler receives.
// Aborts that Wine (and Windows, for some drivers) report with other codes
// become asio::error::operation_aborted when iocpx knows that the handle of
// `state` was closed. A cancel that came after the operation completed
// changes nothing: its result is kept.
IOCPX_DECL boost::system::error_code translate_result(
    const boost::system::error_code& ec, const handle_state& state) noexcept;

// Accounting shared by every kind of operation on a handle.
inline void operation_started(handle_state& state) noexcept
{
  state.add_ref();
  state.pending.fetch_add(1, std::memory_order_relaxed);
}

inline void operation_finished(handle_state& state) noexcept
{
  state.pending.fetch_sub(1, std::memory_order_relaxed);
  state.release();
}

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_HANDLE_STATE_HPP
