// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_DELIVERY_SCOPE_HPP
#define IOCPX_DETAIL_DELIVERY_SCOPE_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/asio_loop.hpp>

#include <cstddef>
#include <cstdint>

namespace iocpx {
namespace detail {

// Completions that become ready while iocpx is delivering a completion on
// this thread, run right after the current handler returns.
//
// Posting a completion costs a trip through the io_context's queue (on
// Windows a port packet: a kernel call). Most completions that become ready
// "now" do so inside a handler iocpx is running: a readiness handler that
// sets readiness another wait is waiting for, a completion handler that
// starts an operation which finishes at once (skip-on-success). Those are
// queued here, on the thread, and the delivery in progress runs them after
// its handler returns — so a handler still never runs inside the function
// that made it ready, and no queue trip is spent.
//
// A scope is opened around each handler iocpx delivers (readiness waits and
// polls, overlapped completions on Windows). A handler run by a scope's
// drain() joins that scope's queue, so a chain of completions shares one
// budget; any other scope (a handler that runs an io_context's loop itself,
// run_one() or poll() inside a handler) gets a queue of its own, drained when
// its own handler returns, so nothing waits on a queue that only an outer
// frame will drain; and a completion made ready inside an Asio loop entered
// after the scope opened (run_one() in a handler) is posted, as the scope
// may outlive that loop and its io_context. A scope queues only
// completions of the execution context whose loop delivers its handler:
// another context's loop may be an outer frame on this thread, but running
// that context's handler here would run it inside one of its own handlers
// still running further out. Bounded: a scope runs at most
// `budget` queued completions and holds at most `capacity` at a time; beyond that
// completions take the ordinary path (posted), so a chain of always-ready
// operations cannot starve other handlers or timers. Once a scope turned a
// completion away (full, or made ready in a nested loop), it turns away every
// later one, so that none overtakes it; so does a scope further out whose
// context's completion an inner scope (another context's) turned away, or
// that was posted while it was open (post_later_ones). If a handler's
// exception leaves the scope, what is queued is posted. (Asio catches the
// exception of a handler it runs through a strand or an any_io_executor and
// rethrows it from run() later: the scope then drains on.)
class delivery_scope
{
public:
  static constexpr std::size_t capacity = 16;
  static constexpr std::size_t budget = 32;

  // Runs (run_now == true) or posts (false) one queued completion.
  using run_fn = void (*)(void* op, void* context, std::uint32_t a, std::uint32_t b, bool run_now);

  // `context`: the execution context (as asio::execution_context*) whose
  // loop delivers the handler this scope is opened around; only its
  // completions are queued (null: none are).
  explicit delivery_scope(const void* context) noexcept : previous_(current())
  {
    if (previous_ && previous_->draining_)
    {
      // Run by previous_'s drain(): join its queue, and let scopes opened
      // deeper inside this handler have their own.
      joined_ = true;
      previous_->draining_ = false;
    }
    else
    {
      context_ = context;
      loop_ = innermost_asio_loop();
      set_current(this);
    }
  }

  delivery_scope(const delivery_scope&) = delete;
  delivery_scope& operator=(const delivery_scope&) = delete;

  // Posts what is left (a handler threw) and closes; a joined scope hands
  // the queue back to the scope that drains it.
  IOCPX_DECL ~delivery_scope();

  // Runs what was queued, in order, within the budget (nothing for a
  // joined scope: its owner drains). Call after the handler returned
  // normally.
  IOCPX_DECL void drain();

  // What a completion run by drain() may open instead of a scope of its
  // own when it runs exactly one handler and queues nothing itself: the
  // same as a joined scope (completions that handler makes ready join the
  // draining queue; scopes opened deeper get their own), without a queue
  // of its own to set up.
  class joined_run
  {
  public:
    joined_run() noexcept : owner_(current())
    {
      owner_->draining_ = false;
    }

    joined_run(const joined_run&) = delete;
    joined_run& operator=(const joined_run&) = delete;

    ~joined_run()
    {
      owner_->draining_ = true;
    }

  private:
    delivery_scope* owner_;
  };

  // Whether a scope is open on this thread.
  static bool active() noexcept
  {
    return current() != nullptr;
  }

  // The caller just posted a completion to the execution context `key` (as
  // asio::execution_context*), or queued a kernel packet there: every open
  // scope on this thread that queues that context's completions turns away
  // every completion made ready from now on, so that none overtakes it —
  // not only the innermost scope (a handler of `key`'s context may be
  // running another context's loop, or its own: run_one() in a handler). A
  // null key (a context that cannot be told) turns every open scope on the
  // thread away.
  IOCPX_DECL static void post_later_ones(const void* key) noexcept;

  // Queues a completion on this thread's open scope if it has room and
  // budget left and `key` (the execution context whose loop must run the
  // completion, as asio::execution_context*) is the scope's; otherwise
  // returns false, after post_later_ones(key): the caller posts it.
  // `context`, `a` and `b` go to fn.
  IOCPX_DECL static bool try_queue(const void* key, run_fn fn, void* op, void* context,
      std::uint32_t a = 0, std::uint32_t b = 0) noexcept;

private:
  struct entry
  {
    run_fn fn;
    void* op;
    void* context;
    std::uint32_t a;
    std::uint32_t b;
  };

  // try_queue's refusal path, kept out of line: inlined, its loop made the
  // queued path about 15 instructions longer.
  IOCPX_NOINLINE static void turn_away(const void* key) noexcept
  {
    post_later_ones(key);
  }

  // This thread's innermost open scope (null if none), in a thread_pointer.
  IOCPX_DECL static delivery_scope* current() noexcept;
  IOCPX_DECL static void set_current(delivery_scope* scope) noexcept;

  // The innermost Asio loop when the scope opened (innermost_asio_loop()):
  // a completion made ready inside a loop entered after the scope opened
  // is posted, not queued — the scope may outlive that loop and its
  // context. So whatever loop (and io_context) was running on this thread
  // when a completion was queued still runs here when drain() takes it.
  void* loop_ = nullptr;

  // The execution context whose loop delivers this scope's handler.
  const void* context_ = nullptr;

  delivery_scope* previous_;
  bool joined_ = false;
  bool draining_ = false;
  entry queue_[capacity];
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t delivered_ = 0;
};

} // namespace detail
} // namespace iocpx

#if defined(IOCPX_HEADER_ONLY)
#  include <iocpx/impl/delivery_scope.ipp>
#endif

#endif // IOCPX_DETAIL_DELIVERY_SCOPE_HPP
