// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_IMPL_BINDING_IPP
#define IOCPX_WINDOWS_IMPL_BINDING_IPP

#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/immediate_delivery.hpp>
#include <iocpx/windows/detail/statistics.hpp>

#include <boost/asio/error.hpp>
#include <boost/assert.hpp>
#include <boost/asio/execution_context.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

namespace iocpx {
namespace windows {
namespace detail {

// ---------------------------------------------------------------------------
// NT calls resolved at run time (no link dependency on ntdll's import library,
// and FileReplaceCompletionInformation is missing before Windows 8.1 and on
// Wine).

struct nt_io_status_block
{
  union
  {
    LONG Status;
    PVOID Pointer;
  };
  ULONG_PTR Information;
};

struct nt_file_completion_information
{
  HANDLE Port;
  PVOID Key;
};

using nt_query_information_file_t = LONG(WINAPI*)(HANDLE, nt_io_status_block*, PVOID, ULONG, int);
using nt_set_information_file_t = LONG(WINAPI*)(HANDLE, nt_io_status_block*, PVOID, ULONG, int);
using rtl_nt_status_to_dos_error_t = ULONG(WINAPI*)(LONG);

constexpr int file_mode_information = 16;
constexpr int file_io_completion_notification_information = 41;
constexpr int file_replace_completion_information = 61;
constexpr ULONG file_synchronous_io_alert = 0x10;
constexpr ULONG file_synchronous_io_nonalert = 0x20;
constexpr LONG status_object_type_mismatch = static_cast<LONG>(0xC0000024L);
constexpr LONG status_invalid_handle = static_cast<LONG>(0xC0000008L);
constexpr LONG status_not_implemented = static_cast<LONG>(0xC0000002L);
constexpr LONG status_invalid_info_class = static_cast<LONG>(0xC0000003L);
constexpr LONG status_invalid_parameter = static_cast<LONG>(0xC000000DL);

// ERROR_HANDLES_CLOSED: not in every SDK's winerror.h (MinGW's lacks it).
constexpr DWORD error_handles_closed = 676;

struct ntdll_functions
{
  nt_query_information_file_t query_information_file = nullptr;
  nt_set_information_file_t set_information_file = nullptr;
  rtl_nt_status_to_dos_error_t status_to_dos_error = nullptr;

  ntdll_functions() noexcept
  {
    if (HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll"))
    {
      query_information_file = reinterpret_cast<nt_query_information_file_t>(
          reinterpret_cast<void (*)()>(::GetProcAddress(ntdll, "NtQueryInformationFile")));
      set_information_file = reinterpret_cast<nt_set_information_file_t>(
          reinterpret_cast<void (*)()>(::GetProcAddress(ntdll, "NtSetInformationFile")));
      status_to_dos_error = reinterpret_cast<rtl_nt_status_to_dos_error_t>(
          reinterpret_cast<void (*)()>(::GetProcAddress(ntdll, "RtlNtStatusToDosError")));
    }
  }
};

IOCPX_DECL const ntdll_functions& ntdll() noexcept
{
  static const ntdll_functions functions;
  return functions;
}

// The handle's completion notification modes (FILE_SKIP_*), if the system
// tells them (FileIoCompletionNotificationInformation: Windows Vista and
// later, and Wine).
inline std::optional<ULONG> completion_modes_of(HANDLE handle) noexcept
{
  auto query = ntdll().query_information_file;
  if (!query)
    return std::nullopt;
  nt_io_status_block iosb{};
  ULONG modes = 0;
  if (query(handle, &iosb, &modes, sizeof(modes), file_io_completion_notification_information) < 0)
    return std::nullopt;
  return modes;
}

// Sets up `state` for a handle bound afresh: the options as requested, the
// completion modes applied, and what the handle then really does.
inline void adopt(handle_state& state, bind_options options, bind_options applied,
    bool is_socket, bool skip_reliable) noexcept
{
  state.requested = options;
  // (Not owned: a record bound afresh, or an unheld one, whose owner is gone.)
  state.kind.store(is_socket ? handle_state::socket_kind : 0, std::memory_order_relaxed);
  state.effective = bind_options{};

  UCHAR modes = 0;
  if (applied.skip_completion_port_on_success)
    modes |= FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
  if (applied.skip_set_event_on_handle)
    modes |= FILE_SKIP_SET_EVENT_ON_HANDLE;
  if (modes != 0 && ::SetFileCompletionNotificationModes(state.handle, modes))
    state.effective = applied;
  // The modes cannot be cleared once set, and setting adds to them: a
  // handle whoever opened it already set to skip the port, or one unbound
  // from an earlier binding that skipped it, still skips it. Believing
  // otherwise, iocpx would wait forever for the packet of an immediate
  // success, so it takes the modes from the handle where the system tells.
  // Except for skip-on-success behind a non-IFS layer, which may queue a
  // packet all the same: delivering such a success itself as well would
  // complete the operation twice, so iocpx keeps waiting for packets there.
  if (auto modes_now = completion_modes_of(state.handle))
  {
    state.effective.skip_completion_port_on_success = skip_reliable
        && (*modes_now & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
    state.effective.skip_set_event_on_handle =
        (*modes_now & FILE_SKIP_SET_EVENT_ON_HANDLE) != 0;
  }
}

// ---------------------------------------------------------------------------
// The process-wide registry of associated handles.

// A hash set of handle states keyed by handle, chained through
// handle_state::registry_next: about 16 bytes per handle (the link and a
// bucket) where a std::unordered_map spends about 32 (a node and a bucket).
// Guarded by the registry's mutex.
class handle_table
{
public:
  handle_state* find(HANDLE handle) const noexcept
  {
    if (buckets_.empty())
      return nullptr;
    for (handle_state* s = buckets_[index(handle)]; s; s = s->registry_next)
      if (s->handle == handle)
        return s;
    return nullptr;
  }

  // Makes room for one more entry; the only step that may throw.
  void reserve_one()
  {
    if (size_ + 1 > buckets_.size())
      rehash(buckets_.empty() ? 16 : 2 * buckets_.size());
  }

  // Adds `state` (no entry for its handle may exist) after reserve_one().
  void insert(handle_state* state) noexcept
  {
    link(state);
    ++size_;
  }

  // Removes `state` if it is in the table.
  bool erase(handle_state* state) noexcept
  {
    if (buckets_.empty())
      return false;
    for (handle_state** pos = &buckets_[index(state->handle)]; *pos;
         pos = &(*pos)->registry_next)
    {
      if (*pos == state)
      {
        *pos = state->registry_next;
        state->registry_next = nullptr;
        --size_;
        return true;
      }
    }
    return false;
  }

  // Calls `f(state)` for every entry; `f` may erase that entry.
  template <typename F>
  void for_each(F f)
  {
    for_each_in(buckets_, f);
  }

private:
  // Fibonacci hashing: handle values are multiples of 4, so the high bits of
  // the product spread them better than the low bits of the value.
  std::size_t index(HANDLE handle) const noexcept
  {
    const std::uint64_t v = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(handle));
    return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  // Prepends `state` to its bucket's chain.
  void link(handle_state* state) noexcept
  {
    handle_state*& head = buckets_[index(state->handle)];
    state->registry_next = head;
    head = state;
  }

  // Reads each entry's successor before calling `f`, so `f` may relink or
  // unlink the entry.
  template <typename F>
  static void for_each_in(const std::vector<handle_state*>& buckets, F f)
  {
    for (handle_state* head : buckets)
    {
      for (handle_state* s = head; s;)
      {
        handle_state* next = s->registry_next;
        f(s);
        s = next;
      }
    }
  }

  void rehash(std::size_t count)
  {
    std::vector<handle_state*> old(count, nullptr);
    old.swap(buckets_);
    unsigned bits = 0;
    while ((std::size_t(1) << bits) < count)
      ++bits;
    shift_ = 64 - bits;
    for_each_in(old, [this](handle_state* s) { link(s); });
  }

  std::vector<handle_state*> buckets_; // a power of two in size
  std::size_t size_ = 0;
  unsigned shift_ = 64;
};

struct handle_registry
{
  std::mutex mutex;
  handle_table states; // each entry holds one reference

  // Removes `state` if it is still the entry for its handle. Lock held.
  void erase(handle_state* state) noexcept
  {
    if (states.erase(state))
    {
      state->detached.store(true, std::memory_order_release);
      state->release();
    }
  }
};

IOCPX_DECL handle_registry& registry() noexcept
{
  // Never destroyed: an io_context with static storage duration is made
  // before the first bind() makes the registry, so as an ordinary static
  // the registry would be destroyed first, and that io_context's shutdown
  // at exit (or close() in the destructor of a static I/O object) would
  // then use a destroyed table.
  alignas(handle_registry) static unsigned char storage[sizeof(handle_registry)];
  static handle_registry* const instance = ::new (static_cast<void*>(storage)) handle_registry;
  return *instance;
}

// Cancels what is still in flight on the handles of an io_context that is
// shutting down. It is added to the context after Asio's scheduler, so it
// shuts down first: the scheduler's own shutdown then drains the packets of
// the cancelled operations and destroys their handlers without calling them.
class binding_service : public asio::execution_context::service
{
public:
  static inline asio::execution_context::id id;

  explicit binding_service(asio::execution_context& ctx)
    : asio::execution_context::service(ctx)
  {
  }

  void shutdown() override
  {
    handle_registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    reg.states.for_each([&](handle_state* state) {
      if (static_cast<asio::execution_context*>(state->context) == &context())
      {
        // (Not a handle closed already, through a binding another module
        // made of it, whose record stayed here: its value may name another
        // handle now.)
        if (state->pending.load(std::memory_order_acquire) > 0)
          state->with_open_handle([](HANDLE h) { ::CancelIoEx(h, nullptr); });
        reg.erase(state);
      }
    });
  }
};

// ---------------------------------------------------------------------------
// The fast path for immediate completions (see immediate_delivery.hpp).

IOCPX_DECL bool immediate_delivery_scope::try_queue(iocp_context& iocp, iocp_operation* op,
    DWORD error, DWORD bytes_transferred) noexcept
{
  // Completing inline is only right on a thread that runs this io_context.
  if (!iocpx::detail::delivery_scope::active() || !iocp.can_dispatch())
    return false;
  return iocpx::detail::delivery_scope::try_queue(key(iocp), &immediate_delivery_scope::run, op, &iocp,
      static_cast<std::uint32_t>(error), static_cast<std::uint32_t>(bytes_transferred));
}

IOCPX_DECL void immediate_delivery_scope::run(void* op, void* context, std::uint32_t error,
    std::uint32_t bytes, bool run_now)
{
  iocp_context& iocp = *static_cast<iocp_context*>(context);
  iocp_operation* o = static_cast<iocp_operation*>(op);
  // This thread still runs the context: try_queue checked it, and the
  // delivery_scope only queues while the loop innermost at its opening
  // still is (see run_queued in detail/readiness_op.hpp).
  BOOST_ASSERT(!run_now || iocp.can_dispatch());
  if (!run_now || iocp.stopped())
  {
    // A handler threw, or the context was stopped: through the port, in
    // order.
    iocp.on_completion(o, error, bytes);
    return;
  }
  // As Asio's loop does for a dequeued packet: complete, then count the
  // work as finished (even if the handler throws).
  struct work_finished_on_exit
  {
    iocp_context& iocp;
    ~work_finished_on_exit()
    {
      iocp.work_finished();
    }
  } on_exit{iocp};
  o->complete(&iocp, boost::system::error_code(static_cast<int>(error),
                         boost::system::system_category()), bytes);
}

// ---------------------------------------------------------------------------

// A completion that has no packet: on this thread right after the current
// handler if possible, otherwise through the port.
inline void deliver_immediately(iocp_context& iocp, iocp_operation* op, DWORD error, DWORD bytes,
    bool may_deliver_here)
{
  if (!may_deliver_here)
  {
    // Posted, so that any thread running the io_context can deliver it:
    // the handler running here may block waiting for it (use_future).
    // Later completions of the same handler go behind it, in order.
    if (iocp.can_dispatch())
      iocpx::detail::delivery_scope::post_later_ones(immediate_delivery_scope::key(iocp));
  }
  else if (immediate_delivery_scope::try_queue(iocp, op, error, bytes))
  {
    IOCPX_STATISTIC(local_completions);
    return;
  }
  IOCPX_STATISTIC(posted_completions);
  iocp.on_completion(op, error, bytes);
}

// Carries a work count through the port and frees itself; also when the
// io_context is destroyed with it still queued (Asio destroys queued
// operations by calling their function with no owner).
struct returned_work_op : iocp_operation
{
  returned_work_op() noexcept : iocp_operation(&do_complete) {}

  static void do_complete(void*, iocp_operation* base, const boost::system::error_code&,
      std::size_t) noexcept
  {
    delete static_cast<returned_work_op*>(base);
  }
};

IOCPX_DECL void return_work(iocp_context& iocp) noexcept
{
  if (!iocp.can_dispatch())
  {
    if (auto* op = new (std::nothrow) returned_work_op)
    {
      iocp.post_deferred_completion(op); // the loop calls work_finished() after it
      return;
    }
    // Out of memory: the count goes back at once, and if it was the last
    // one, the io_context stops (as resetting the last work guard does).
  }
  iocp.work_finished();
}

IOCPX_DECL void finish_start(handle_state& state, iocp_operation* op, DWORD result,
    bool may_deliver_here)
{
  iocp_context& iocp = *state.iocp;

  const start_outcome outcome = classify_start(result, *op);
  if (!completed_without_packet(state, outcome))
  {
    // Pending, or a completion that queues a packet: a success, or a
    // warning (STATUS_BUFFER_OVERFLOW: the message did not fit, the rest
    // is still in the pipe; also when the function reported it as an
    // error, see classify_start). If another thread already dequeued the
    // packet, on_pending() re-posts it; otherwise the dequeue completes it.
    // A completion with its packet already queued comes before any made
    // ready later in the handler running on this thread: those are then
    // posted behind it instead of overtaking it on the fast path.
    if (outcome == start_outcome::completed && iocp.can_dispatch())
      iocpx::detail::delivery_scope::post_later_ones(immediate_delivery_scope::key(iocp));
    iocp.on_pending(op);
    return;
  }
  // An immediate failure, or a completion on a handle that skips the port
  // on success: no packet, the result is in the OVERLAPPED, and iocpx
  // delivers it.
  const packetless_result r = packetless_result_of(outcome, result, *op);
  deliver_immediately(iocp, op, r.code, r.bytes, may_deliver_here);
}

IOCPX_DECL boost::system::error_code translate_result(
    const boost::system::error_code& ec, const handle_state& state) noexcept
{
  if (!ec || ec.category() != boost::system::system_category())
    return ec;
  switch (ec.value())
  {
  case ERROR_OPERATION_ABORTED:
  case error_handles_closed: // Wine: I/O ended by closing the last handle
    return asio::error::operation_aborted;
  case ERROR_BROKEN_PIPE:     // Wine: pipe I/O ended by closing our own handle
  case ERROR_NETNAME_DELETED: // socket I/O ended by closing our own socket
  case ERROR_NO_DATA:         // "the pipe is being closed"
  {
    // The same codes mean "the peer went away" (or, for ConnectNamedPipe,
    // "a client came and went"): the operation's real result, which a
    // cancel that came after it completed does not change (CancelIoEx
    // never produces them; until 2026-11-30 a cancel or a per-operation
    // cancellation that found the operation done turned them into
    // operation_aborted all the same). An abort only if our own handle was
    // closed or given back — iocpx was told so — or is no longer valid
    // (closed directly with CloseHandle or closesocket).
    DWORD flags = 0;
    if (state.closed.load(std::memory_order_acquire) || !::GetHandleInformation(state.handle, &flags))
      return asio::error::operation_aborted;
    return ec;
  }
  default:
    return ec;
  }
}

} // namespace detail

// ---------------------------------------------------------------------------

IOCPX_DECL void binding::bind(asio::io_context& ctx, HANDLE handle, bind_options options,
    boost::system::error_code& ec)
{
  bind_impl(ctx, handle, options, options, false, true, ec);
}

// The error_code forms report running out of memory as an error too, so
// that a caller which closes the handle when bind() fails (an I/O object
// that owns it) does not leak it when memory runs out.
IOCPX_DECL void binding::bind_impl(asio::io_context& ctx, HANDLE handle, bind_options options,
    bind_options applied, bool is_socket, bool skip_reliable, boost::system::error_code& ec)
{
  try
  {
    bind_fresh_or_shared(ctx, handle, options, applied, is_socket, skip_reliable, ec);
  }
  catch (const std::bad_alloc&)
  {
    reset();
    ec = asio::error::no_memory;
  }
}

IOCPX_DECL void binding::bind_socket(asio::io_context& ctx, SOCKET socket, bind_options options,
    boost::system::error_code& ec)
{
  if (socket == INVALID_SOCKET)
  {
    reset();
    ec = error::invalid_handle;
    return;
  }

  // Skipping the port is only reliable when every protocol layer of the
  // socket is an installable file system layer; a non-IFS LSP may still
  // queue packets for immediate successes.
  WSAPROTOCOL_INFOW info;
  int length = sizeof(info);
  const bool all_ifs = ::getsockopt(socket, SOL_SOCKET, SO_PROTOCOL_INFOW,
                           reinterpret_cast<char*>(&info), &length) == 0
      && (info.dwServiceFlags1 & XP1_IFS_HANDLES) != 0;
  // Remembered as requested (under the registry's lock, so a second bind
  // with the same options finds them), applied without an unreliable skip.
  bind_options applied = options;
  if (!all_ifs)
    applied.skip_completion_port_on_success = false;
  bind_impl(ctx, reinterpret_cast<HANDLE>(socket), options, applied, true, all_ifs, ec);
}

IOCPX_DECL void binding::bind_fresh_or_shared(asio::io_context& ctx, HANDLE handle,
    bind_options options, bind_options applied, bool is_socket, bool skip_reliable,
    boost::system::error_code& ec)
{
  // No shortcut for a binding bound again to the handle value it holds: the
  // handle may have been closed behind iocpx and its value reused by a new
  // handle, which only the association below tells (and associates). The
  // path below makes that a no-op for the same handle all the same.
  reset();

  if (handle == nullptr || handle == INVALID_HANDLE_VALUE)
  {
    ec = error::invalid_handle;
    return;
  }

  // A handle opened for synchronous I/O can be associated, but its I/O never
  // completes through the port: refuse it with a clear error up front.
  if (auto query = detail::ntdll().query_information_file)
  {
    detail::nt_io_status_block iosb{};
    ULONG mode = 0;
    LONG status = query(handle, &iosb, &mode, sizeof(mode), detail::file_mode_information);
    if (status == detail::status_object_type_mismatch || status == detail::status_invalid_handle)
    {
      ec = error::invalid_handle;
      return;
    }
    if (status >= 0
        && (mode & (detail::file_synchronous_io_alert | detail::file_synchronous_io_nonalert)) != 0)
    {
      ec = error::not_overlapped;
      return;
    }
  }

  detail::iocp_context& iocp = detail::iocp_of(ctx);
  asio::use_service<detail::binding_service>(ctx);

  detail::handle_registry& reg = detail::registry();
  std::lock_guard<std::mutex> lock(reg.mutex);

  // The memory of a fresh association first: once the handle is associated,
  // failing to record it would leave an association iocpx does not know.
  // (Not when the registry knows the handle value: binding an associated
  // handle again, as a named pipe's readiness does, allocates nothing.)
  detail::handle_state* known = reg.states.find(handle);
  std::unique_ptr<detail::handle_state> fresh;
  if (!known)
  {
    reg.states.reserve_one();
    fresh = std::make_unique<detail::handle_state>();
  }
  // Whether only the registry holds `known`: no binding of it is alive and
  // nothing is in flight (both hold references, and a new binding is made
  // only under this lock), so nothing reads its fields and it may be set
  // up afresh for whatever handle now has this value — the one it was made
  // for, bound again, or, as a handle value is reused once closed, a new
  // handle. A new handle's modes are not the old one's: believing an old
  // skip-on-success would deliver an immediate success twice (iocpx and
  // the packet).
  const bool known_unheld = known && known->refs.load(std::memory_order_acquire) == 1;

  boost::system::error_code assoc_ec;
  iocp.register_handle(handle, assoc_ec);
  if (assoc_ec)
  {
    if (assoc_ec.value() == ERROR_INVALID_HANDLE)
    {
      ec = error::invalid_handle;
      return;
    }
    if (assoc_ec.value() != ERROR_INVALID_PARAMETER)
    {
      ec = assoc_ec;
      return;
    }

    // Already associated with some port: ours, another io_context's, or one
    // iocpx does not own (or, for a known but unheld value, a new handle an
    // Asio I/O object of this io_context associated).
    if (!known)
    {
      ec = error::already_associated;
      return;
    }
    if (known->context != &ctx)
    {
      ec = error::bound_elsewhere;
      return;
    }
    // (Closed and detached: a close() that is over, or a release(). A
    // close() still running on another thread has set `closed` but not yet
    // `detached`: the handle is the one it closes, and this binding shares
    // its end, as before.)
    const bool dead = known->closed.load(std::memory_order_acquire)
        && known->detached.load(std::memory_order_acquire);
    if (!known_unheld && !dead)
    {
      if (known->requested != options)
      {
        ec = error::options_conflict;
        return;
      }
      known->add_ref();
      state_ = known;
      ec = {};
      return;
    }
    if (!known_unheld)
    {
      // Released with operations of it still on their way, or closed
      // through a binding that another module (a DLL) made of it:
      // that module's close() looked in its own registry, so the record
      // stayed here, dead (closed, detached), while bindings of this module
      // still hold it. Its value names another handle now; shared, the
      // record would make this binding dead too. (Associated with this
      // port, as for an unheld record: the new handle is taken as bound
      // to this io_context.)
      reg.erase(known);
      fresh = std::make_unique<detail::handle_state>();
    }
  }
  else if (known && !known_unheld)
  {
    // A fresh association of a value whose record belongs to a handle
    // closed without close(), with bindings of it still alive: they must
    // leave the new handle alone (close() on one of them would cancel and
    // close it).
    known->mark_closed();
    reg.erase(known);
    // The new record's memory comes only now, after the association: if it
    // cannot be had, the handle stays associated with this port unknown to
    // iocpx (a later bind() reports already_associated). This takes a
    // handle closed behind iocpx's back, bindings of it still alive, its
    // value reused — and no memory.
    fresh = std::make_unique<detail::handle_state>();
  }

  // Set up afresh: a new record, or the unheld one (no allocation; a
  // binding of another module may have closed or detached it, its close()
  // missing it in this module's registry).
  detail::handle_state* state = known_unheld ? known : fresh.release();
  state->closed.store(false, std::memory_order_relaxed);
  state->detached.store(false, std::memory_order_relaxed);
  state->handle = handle;
  state->context = &ctx;
  state->iocp = &iocp;
  detail::adopt(*state, options, applied, is_socket, skip_reliable);
  if (!known_unheld)
    reg.states.insert(state); // the registry's reference
  state->add_ref();           // this binding's reference
  state_ = state;
  ec = {};
}

IOCPX_DECL void binding::unbind(boost::system::error_code& ec)
{
  if (!is_bound())
  {
    ec = error::not_bound;
    return;
  }
  if (state_->pending.load(std::memory_order_acquire) > 0)
  {
    ec = error::operations_pending;
    return;
  }
  auto set_information = detail::ntdll().set_information_file;
  if (!set_information)
  {
    ec = error::unbind_not_supported;
    return;
  }

  detail::nt_io_status_block iosb{};
  detail::nt_file_completion_information info{nullptr, nullptr};
  LONG status = set_information(state_->handle, &iosb, &info, sizeof(info),
      detail::file_replace_completion_information);
  if (status == detail::status_not_implemented || status == detail::status_invalid_info_class
      || status == detail::status_invalid_parameter)
  {
    ec = error::unbind_not_supported;
    return;
  }
  if (status < 0)
  {
    auto to_dos = detail::ntdll().status_to_dos_error;
    ec = boost::system::error_code(
        static_cast<int>(to_dos ? to_dos(status) : ERROR_GEN_FAILURE),
        boost::system::system_category());
    return;
  }

  // The handle is its owner's again: no other binding of it may cancel or
  // close it from now on (their close() only empties them), nor start an
  // operation (no packet would come). Set here, not only by the registry's
  // erase, which finds nothing when another module made the record.
  state_->mark_closed();
  state_->detached.store(true, std::memory_order_release);
  {
    detail::handle_registry& reg = detail::registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    reg.erase(state_);
  }
  reset();
  ec = {};
}

IOCPX_DECL HANDLE binding::release(boost::system::error_code& ec)
{
  if (!state_)
  {
    ec = error::not_bound;
    return nullptr;
  }
  detail::handle_state* state = state_;
  const HANDLE handle = state->handle;
  state->cancel_epoch.fetch_add(1, std::memory_order_seq_cst); // ordered with start's check after its call
  // Cancelled while still open, then marked closed: from then on no other
  // binding, acceptor or shutdown cancels or closes it (the caller may close
  // it, and its value may name another handle). The record stays in the
  // registry, closed and detached, since the association stays: a later
  // bind() of the handle sets it up afresh (or takes a new one, while
  // operations of this one are still on their way).
  const bool was_open = state->with_open_handle([](HANDLE h) { ::CancelIoEx(h, nullptr); });
  const bool closed_meanwhile = state->mark_closed();
  state->detached.store(true, std::memory_order_release);
  reset();
  if (!was_open || closed_meanwhile)
  {
    ec = error::not_bound;
    return nullptr;
  }
  ec = {};
  return handle;
}

IOCPX_DECL void binding::cancel(boost::system::error_code& ec)
{
  if (!is_bound())
  {
    ec = error::not_bound;
    return;
  }
  state_->cancel_epoch.fetch_add(1, std::memory_order_seq_cst); // ordered with start's check after its call
  // Under the handle's close guard: another binding of it may be closing
  // it, or unbinding it for its owner to close, on another thread.
  DWORD last_error = 0;
  const bool open = state_->with_open_handle([&](HANDLE h) {
    if (!::CancelIoEx(h, nullptr))
      last_error = ::GetLastError();
  });
  if (!open)
    ec = error::not_bound;
  else if (last_error != 0 && last_error != ERROR_NOT_FOUND)
    ec = boost::system::error_code(static_cast<int>(last_error), boost::system::system_category());
  else
    ec = {};
}

IOCPX_DECL void binding::close(boost::system::error_code& ec)
{
  if (!state_)
  {
    ec = error::not_bound;
    return;
  }
  detail::handle_state* state = state_;
  if (state->mark_closed())
  {
    // Another binding of the handle closed it: its value may already name
    // another handle, which must not be cancelled or closed.
    reset();
    ec = {};
    return;
  }
  state->cancel_epoch.fetch_add(1, std::memory_order_seq_cst); // ordered with start's check after its call
  {
    detail::handle_registry& reg = detail::registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    reg.erase(state);
  }
  state->detached.store(true, std::memory_order_release);
  ::CancelIoEx(state->handle, nullptr);
  BOOL closed = state->is_socket()
      ? ::closesocket(reinterpret_cast<SOCKET>(state->handle)) == 0
      : ::CloseHandle(state->handle);
  DWORD last_error = closed ? 0 : ::GetLastError();
  reset();
  ec = last_error ? boost::system::error_code(static_cast<int>(last_error),
                        boost::system::system_category())
                  : boost::system::error_code();
}

} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_IMPL_BINDING_IPP
