// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_POLLER_STATE_HPP
#define IOCPX_DETAIL_POLLER_STATE_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/readiness_core.hpp>
#include <iocpx/detail/readiness_service.hpp>
#include <iocpx/error.hpp>
#include <iocpx/event.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/trigger.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace iocpx {
namespace detail {

// Intrusive list of poller entries, through either the queue links or the
// list links.
template <poller_entry* poller_entry::*Next, poller_entry* poller_entry::*Prev>
class poller_entry_list
{
public:
  bool empty() const noexcept { return head_ == nullptr; }
  poller_entry* front() const noexcept { return head_; }

  void push_back(poller_entry* e) noexcept
  {
    e->*Next = nullptr;
    e->*Prev = tail_;
    if (tail_)
      tail_->*Next = e;
    else
      head_ = e;
    tail_ = e;
  }

  void erase(poller_entry* e) noexcept
  {
    if (e->*Prev)
      (e->*Prev)->*Next = e->*Next;
    else
      head_ = e->*Next;
    if (e->*Next)
      (e->*Next)->*Prev = e->*Prev;
    else
      tail_ = e->*Prev;
    e->*Next = e->*Prev = nullptr;
  }

  poller_entry* back() const noexcept { return tail_; }

  // Inserts `e` after `pos` (null: at the front).
  void insert_after(poller_entry* pos, poller_entry* e) noexcept
  {
    poller_entry* next = pos ? pos->*Next : head_;
    e->*Prev = pos;
    e->*Next = next;
    if (pos)
      pos->*Next = e;
    else
      head_ = e;
    if (next)
      next->*Prev = e;
    else
      tail_ = e;
  }

  poller_entry* pop_front() noexcept
  {
    poller_entry* e = head_;
    if (e)
      erase(e);
    return e;
  }

  void splice_back(poller_entry_list& o) noexcept
  {
    if (o.empty())
      return;
    if (tail_)
    {
      tail_->*Next = o.head_;
      o.head_->*Prev = tail_;
    }
    else
      head_ = o.head_;
    tail_ = o.tail_;
    o.head_ = o.tail_ = nullptr;
  }

private:
  poller_entry* head_ = nullptr;
  poller_entry* tail_ = nullptr;
};

using poller_ready_queue = poller_entry_list<&poller_entry::q_next, &poller_entry::q_prev>;
using poller_all_list = poller_entry_list<&poller_entry::l_next, &poller_entry::l_prev>;

// The shared state of a poller: its sources (entries), the FIFO queue of
// entries that may be ready, and pending polls. Lock order: a source's core
// mutex, then this mutex.
class poller_state final : public poller_link, public readiness_service_node
{
public:
  explicit poller_state(readiness_service* svc) noexcept : service_(svc)
  {
    if (service_)
      service_->attach(this);
  }

  poller_state(const poller_state&) = delete;
  poller_state& operator=(const poller_state&) = delete;

  void add_ref() noexcept override { refs_.fetch_add(1, std::memory_order_relaxed); }

  void release() noexcept override
  {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

  void add(readiness_core* core, std::size_t token, ready interest, trigger t,
      boost::system::error_code& ec)
  {
    reap();
    if (interest.is_none())
    {
      ec = error::empty_interest;
      return;
    }
    poller_entry* e = new poller_entry;
    e->owner = this;
    e->core = core;
    e->token = token;
    e->interest = static_cast<std::uint8_t>(interest.bits());
    e->trig = t;
    core->add_ref();
    readiness_op_list done;
    {
      std::lock_guard<slim_mutex> core_lock(core->mutex());
      if (core->closed_locked())
        ec = error::registration_gone;
      else if (core->entry_locked() != nullptr)
        ec = error::already_registered;
      else
      {
        ec.clear();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          e->taken = long_ago(); // no event taken yet: like one aged out
          all_.push_back(e);
        }
        core->entry_locked() = e;
        if (core->publish_demand_locked(e->interest) & e->interest)
          on_ready(e, done);
      }
    }
    if (ec)
    {
      delete e;
      core->release();
      return;
    }
    post_served(done);
  }

  // `t` empty: the source keeps its trigger.
  void modify(readiness_core* core, std::size_t token, ready interest, std::optional<trigger> t,
      boost::system::error_code& ec)
  {
    reap();
    if (interest.is_none())
    {
      ec = error::empty_interest;
      return;
    }
    readiness_op_list done;
    {
      std::lock_guard<slim_mutex> core_lock(core->mutex());
      poller_entry* e = core->entry_locked();
      if (e == nullptr || e->owner != this)
      {
        ec = error::not_registered;
        return;
      }
      ec.clear();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        e->token = token;
        e->interest = static_cast<std::uint8_t>(interest.bits());
        if (t)
          e->trig = *t;
        e->armed = true;
      }
      core->recompute_demand_locked();
      if (core->publish_demand_locked(e->interest) & e->interest)
        on_ready(e, done);
    }
    post_served(done);
  }

  void remove(readiness_core* core, boost::system::error_code& ec)
  {
    reap();
    poller_entry* e = nullptr;
    {
      std::lock_guard<slim_mutex> core_lock(core->mutex());
      e = core->entry_locked();
      if (e == nullptr || e->owner != this)
      {
        ec = error::not_registered;
        return;
      }
      ec.clear();
      core->entry_locked() = nullptr;
      core->recompute_demand_locked();
      std::lock_guard<std::mutex> lock(mutex_);
      if (e->queued)
        ready_.erase(e);
      all_.erase(e);
    }
    delete e;
    core->release();
  }

  // Starts an asynchronous poll; completes it through its executor at once
  // if events are available.
  void start_poll(readiness_op* op)
  {
    std::size_t n = 0;
    std::uint32_t first = 0;
    reaped_entries reaped; // a program that only polls frees them here
    {
      std::unique_lock<std::mutex> lock(mutex_);
      reaped.take(dead_);
      if (shut_down_)
      {
        lock.unlock();
        op->destroy();
        return;
      }
      first = taken_ + 1;
      n = drain_locked(op->events_, op->result_);
      if (n == 0)
      {
        polls_.push_back(op);
        return;
      }
    }
    // A post that throws (the executor cannot allocate) destroys the
    // handler, and async_poll throws: the events it took go back to the
    // queue, or an edge source would stay silent until its next edge and a
    // oneshot source disarmed for good. (The reference: the handler
    // destroyed may own the poller.)
    ref_ptr<poller_state> self = ref_ptr<poller_state>::share(this);
    try
    {
      op->post(boost::system::error_code(), n);
    }
    catch (...)
    {
      give_back(first, n);
      throw;
    }
  }

  // Waits at most until `deadline` for at least one event.
  std::size_t poll_sync(event* events, std::size_t capacity,
      std::chrono::steady_clock::time_point deadline)
  {
    reap();
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;)
    {
      if (std::size_t n = drain_locked(events, capacity))
        return n;
      if (std::chrono::steady_clock::now() >= deadline)
        return 0;
      ++sync_waiters_;
      if (deadline == std::chrono::steady_clock::time_point::max())
        cv_.wait(lock);
      else
        cv_.wait_until(lock, deadline);
      --sync_waiters_;
    }
  }

  void cancel_all()
  {
    readiness_op_list done;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done.splice_back(polls_);
    }
    readiness_core::post_all(done, asio::error::operation_aborted);
  }

  // A key for a poll's slot handler, unique among this poller's polls (see
  // readiness_service::next_cancellation_key).
  std::uint64_t next_cancellation_key() noexcept
  {
    return service_->next_cancellation_key();
  }

  void cancel_by_key(std::uint64_t key)
  {
    readiness_op* found = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (readiness_op* op = polls_.front(); op; op = op->next_)
      {
        if (op->cancel_key_ == key)
        {
          polls_.erase(op);
          found = op;
          break;
        }
      }
      if (!found)
        return;
      // The signal may be emitted on another thread while the owner
      // destroys the poller (and then the context): close() locks after
      // this and waits for the hand-over, as a registration's does.
      hand_overs.add(std::memory_order_relaxed);
    }
    // Declared before the scope, so released after it ends: a post that
    // fails destroys the handler, which may own the poller and the
    // cancellation signal, whose slot handler holds what may be the last
    // reference to this state (the one that called us).
    ref_ptr<poller_state> self = ref_ptr<poller_state>::share(this);
    hand_over_scope h(&hand_overs);
    found->post(asio::error::operation_aborted, 0);
  }

  // The poller goes away: abort polls, detach every source, release the
  // poller's reference.
  void close()
  {
    if (service_)
      service_->detach(this);
    readiness_op_list done;
    poller_all_list entries;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
      done.splice_back(polls_);
      entries.splice_back(all_);
      entries.splice_back(dead_);
      while (poller_entry* e = ready_.pop_front())
        e->queued = false;
    }
    readiness_core::post_all_from_close(done);
    // Detach from each core under its mutex: after this, no core can reach
    // this poller.
    while (poller_entry* e = entries.pop_front())
    {
      {
        std::lock_guard<slim_mutex> core_lock(e->core->mutex());
        if (e->core->entry_locked() == e)
        {
          e->core->entry_locked() = nullptr;
          e->core->recompute_demand_locked();
        }
      }
      e->core->release();
      delete e;
    }
    // A setter on another thread may still be handing over a poll that its
    // core took from this poller before the detach; the owner may destroy
    // the poll's io_context as soon as this returns.
    hand_overs.wait_for_others();
    release();
  }

  void shutdown(readiness_op_list& out) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shut_down_ = true;
    out.splice_back(polls_);
  }

  bool handing_over_elsewhere() const noexcept override
  {
    return hand_overs.busy_elsewhere();
  }

  void wait_for_hand_overs() noexcept override
  {
    hand_overs.wait_for_others();
  }

  // poller_link, called with the entry's core mutex held.
  bool on_ready(poller_entry* e, readiness_op_list& done) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || !e->armed)
      return false;
    if (!e->queued)
    {
      e->queued = true;
      ready_.push_back(e);
    }
    return serve_locked(done);
  }

  void on_source_closed(poller_entry* e) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    e->dead = true;
    if (e->queued)
    {
      ready_.erase(e);
      e->queued = false;
    }
    if (!closed_)
    {
      all_.erase(e);
      dead_.push_back(e);
    }
  }

private:
  ~poller_state() = default;

  // Completes pending polls (in order) from the ready queue into `done`,
  // and wakes synchronous polls if events are left. Returns whether a poll
  // was completed.
  bool serve_locked(readiness_op_list& done)
  {
    bool handed = false;
    while (!polls_.empty() && !ready_.empty())
    {
      readiness_op* op = polls_.front();
      op->first_event_ = taken_ + 1; // for give_back, if its executor refuses it
      std::size_t n = drain_locked(op->events_, op->result_);
      if (n == 0)
        break;
      polls_.erase(op);
      op->result_ = n;
      done.push_back(op);
      handed = true;
    }
    if (sync_waiters_ != 0 && !ready_.empty())
      cv_.notify_all();
    return handed;
  }

  // Posts the polls add() or modify() completed. (The reference: a refused
  // poll's handler may own the poller, whose state then gets the poll's
  // events back after the handler is gone.)
  void post_served(readiness_op_list& done)
  {
    if (done.empty())
      return;
    ref_ptr<poller_state> self = ref_ptr<poller_state>::share(this);
    readiness_core::post_polls(done, *this);
  }

  // Puts the entries whose events a refused poll took (the `n` numbers from
  // `first`, modulo 2^32; no other entry has one, see age_out_locked) back
  // at the front of the queue, in the order they were taken,
  // and re-arms the oneshot ones. Entries removed or gone meanwhile are not
  // in all_; one queued again meanwhile stays where it is (level entries
  // went back already). Only on that failure path: it walks every entry.
  void give_back(std::uint32_t first, std::size_t n) noexcept override
  {
    readiness_op_list done;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_)
        return;
      poller_ready_queue back;
      for (poller_entry* e = all_.front(); e; e = e->l_next)
      {
        if (std::uint32_t(e->taken - first) >= n || e->queued)
          continue;
        if (e->trig == trigger::oneshot)
          e->armed = true;
        e->queued = true;
        // Insertion by number: at most one batch, on a failure path.
        poller_entry* after = back.back();
        while (after && std::uint32_t(after->taken - first) > std::uint32_t(e->taken - first))
          after = after->q_prev;
        back.insert_after(after, e);
      }
      back.splice_back(ready_);
      ready_.splice_back(back);
      serve_locked(done);
    }
    // Polls started meanwhile (on other threads) that these events
    // complete. The caller is already throwing: a refusal here loses that
    // handler, as in a setter (see readiness_core::post_all), and gives its
    // events back once more.
    try
    {
      readiness_core::post_polls(done, *this); // (their own refusals come back here)
    }
    catch (...)
    {
    }
  }

  // Takes up to `capacity` events from the ready queue, in FIFO order.
  // Level entries that were reported go to the back of the queue (after the
  // entries not yet taken), so no source can starve the others.
  std::size_t drain_locked(event* events, std::size_t capacity)
  {
    std::size_t n = 0;
    poller_ready_queue again;
    while (n < capacity)
    {
      poller_entry* e = ready_.pop_front();
      if (!e)
        break;
      e->queued = false;
      if (!e->armed)
        continue;
      const ready::bits_type r = e->core->readiness_bits() & e->interest;
      if (r == 0)
        continue;
      if ((++taken_ & (age_out_period - 1)) == 0)
        age_out_locked();
      e->taken = taken_;
      events[n].token = e->token;
      events[n].readiness = ready::from_bits(r);
      ++n;
      switch (e->trig)
      {
      case trigger::level:
        e->queued = true;
        again.push_back(e);
        break;
      case trigger::edge:
        break;
      case trigger::oneshot:
        e->armed = false;
        break;
      }
    }
    ready_.splice_back(again);
    return n;
  }

  // give_back() tells a refused batch's entries by their numbers modulo
  // 2^32, so no entry may keep a number 2^32 events old, which would look
  // like one of the batch's. Every 2^30 events, the entries whose number is
  // 2^30 or more events old get one "2^31 events old" instead: then every
  // entry's number is less than 2^31 + 2^30 events old, none wraps, and
  // none out of the last 2^31 events looks recent. (The price: a refused
  // batch whose give_back() comes 2^30 events after it was taken, on other
  // threads, gives nothing back.) Lock held.
  static constexpr std::uint32_t age_out_period = std::uint32_t(1) << 30;

  std::uint32_t long_ago() const noexcept
  {
    return taken_ - (std::uint32_t(1) << 31);
  }

  void age_out_locked() noexcept
  {
    for (poller_entry* e = all_.front(); e; e = e->l_next)
      if (std::uint32_t(taken_ - e->taken) >= age_out_period)
        e->taken = long_ago();
  }

  // The entries of sources that went away, taken from dead_ under the mutex
  // and freed when this goes, after the mutex is released: releasing an
  // entry's core may destroy the core.
  class reaped_entries
  {
  public:
    reaped_entries() = default;
    reaped_entries(const reaped_entries&) = delete;
    reaped_entries& operator=(const reaped_entries&) = delete;

    void take(poller_all_list& dead) noexcept { entries_.splice_back(dead); }

    ~reaped_entries()
    {
      while (poller_entry* e = entries_.pop_front())
      {
        e->core->release();
        delete e;
      }
    }

  private:
    poller_all_list entries_;
  };

  // Frees the entries of sources that went away.
  void reap()
  {
    reaped_entries reaped;
    std::lock_guard<std::mutex> lock(mutex_);
    reaped.take(dead_);
  }

  std::atomic<std::size_t> refs_{1};
  std::mutex mutex_;
  std::condition_variable cv_;
  poller_ready_queue ready_;
  poller_all_list all_;
  poller_all_list dead_;
  readiness_op_list polls_;
  readiness_service* service_;
  std::size_t sync_waiters_ = 0;
  std::uint32_t taken_ = 0; // events taken so far, modulo 2^32 (numbers them; see age_out_locked)
  bool closed_ = false;
  bool shut_down_ = false;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_POLLER_STATE_HPP
