// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_HAND_OVER_HPP
#define IOCPX_DETAIL_HAND_OVER_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/scope_stack.hpp>

#include <atomic>
#include <cstdint>
#include <thread>

namespace iocpx {
namespace detail {

// Hand-overs in progress: operations a thread has taken out of an object (a
// registration's waits, a poller's polls) and is posting to their executors
// outside the object's lock. Any thread may make one (set_readiness is
// thread-safe), and the object's owner may destroy the io_context as soon
// as the object's destructor returns: so the destructor waits, with
// wait_for_others(), until the hand-overs that took operations before it
// closed the object have ended. They are short: a post each.
//
// The party that is about to take operations counts itself (add()) before
// it takes them, where the closer will see the count: in the same lock, or
// sequentially consistent before a compare-and-swap that the closer's own
// sequentially consistent change of that word follows. A hand_over_scope
// then ends the count once the posts are made.
class hand_over_count
{
public:
  void add(std::memory_order order) noexcept
  {
    n_.fetch_add(1, order);
  }

  // Ends a count that took nothing after all.
  void remove() noexcept
  {
    n_.fetch_sub(1, std::memory_order_release);
  }

  // Waits for the other threads' hand-overs. Not for this thread's own: a
  // post that fails destroys its handler, and a handler that owns the
  // object destroys it inside that post.
  inline void wait_for_others() noexcept;

  // Whether other threads' hand-overs are in progress.
  inline bool busy_elsewhere() const noexcept;

private:
  friend class hand_over_scope;
  std::atomic<std::uint16_t> n_{0}; // (small: an idle pipe's core holds one)
};

// Ends one counted hand-over when it goes out of scope, and meanwhile marks
// this thread as handing over for that count. (Null: nothing.)
class hand_over_scope
{
public:
  explicit hand_over_scope(hand_over_count* c) noexcept : count_(c), stack_(this) {}
  ~hand_over_scope()
  {
    stack_.pop();
    if (count_)
      count_->n_.fetch_sub(1, std::memory_order_release);
  }

  // This thread's hand-overs in progress for `c`.
  static unsigned on_this_thread(const hand_over_count* c) noexcept
  {
    unsigned n = 0;
    for (const hand_over_scope* s = stack::top(); s; s = s->stack_.prev())
      n += s->count_ == c;
    return n;
  }

private:
  using stack = scope_stack<hand_over_scope>;

  hand_over_count* count_;
  stack stack_;
};

inline bool hand_over_count::busy_elsewhere() const noexcept
{
  return n_.load(std::memory_order_seq_cst) > hand_over_scope::on_this_thread(this);
}

inline void hand_over_count::wait_for_others() noexcept
{
  if (n_.load(std::memory_order_seq_cst) == 0)
    return;
  const unsigned mine = hand_over_scope::on_this_thread(this);
  while (n_.load(std::memory_order_acquire) > mine)
    std::this_thread::yield();
}

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_HAND_OVER_HPP
