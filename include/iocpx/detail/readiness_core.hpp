// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_READINESS_CORE_HPP
#define IOCPX_DETAIL_READINESS_CORE_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/asio_loop.hpp>
#include <iocpx/detail/hand_over.hpp>

#include <iocpx/detail/readiness_service.hpp>
#include <iocpx/detail/slim_mutex.hpp>
#include <iocpx/error.hpp>
#include <iocpx/event.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/trigger.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/config.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>

namespace iocpx {
namespace detail {

class readiness_core;

// An owning pointer to a reference-counted readiness object (core, poller
// state or poller link).
template <typename T>
class ref_ptr
{
public:
  ref_ptr() noexcept = default;
  // Adopts one reference.
  explicit ref_ptr(T* p) noexcept : p_(p) {}
  ref_ptr(const ref_ptr& o) noexcept : p_(o.p_)
  {
    if (p_)
      p_->add_ref();
  }
  ref_ptr(ref_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ref_ptr& operator=(ref_ptr o) noexcept
  {
    T* t = p_;
    p_ = o.p_;
    o.p_ = t;
    return *this;
  }
  ~ref_ptr()
  {
    if (p_)
      p_->release();
  }
  static ref_ptr share(T* p) noexcept
  {
    if (p)
      p->add_ref();
    return ref_ptr(p);
  }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

private:
  T* p_ = nullptr;
};

// A poller's record of one registered source. Owned by the poller; reached
// from the core through readiness_core::entry_ (under the core's mutex).
struct poller_entry;

// What a core needs from the poller its entry belongs to. Both calls are
// made with the core's mutex held (lock order: core, then poller).
class poller_link
{
public:
  // The source became ready for bits in its interest: queue the entry and
  // hand any poll operation that can now complete to `done`. Returns
  // whether it did.
  virtual bool on_ready(poller_entry* e, readiness_op_list& done) = 0;

  // The source is going away: never report the entry again.
  virtual void on_source_closed(poller_entry* e) = 0;

  // A poll that on_ready() handed out was refused by its executor: the `n`
  // events it took, numbered from `first`, go back to the queue.
  virtual void give_back(std::uint32_t first, std::size_t n) noexcept = 0;

  // The poller's reference count: a setter that hands polls over keeps the
  // poller alive until it has ended that hand-over (a refused poll's handler
  // may own the poller, and destroy it inside the post).
  virtual void add_ref() noexcept = 0;
  virtual void release() noexcept = 0;

  // Polls that a core's setter is posting (see readiness_core::notify).
  hand_over_count hand_overs;

protected:
  ~poller_link() = default;
};

struct poller_entry
{
  poller_entry() noexcept : armed(true), queued(false), dead(false) {}

  poller_link* owner = nullptr;
  readiness_core* core = nullptr; // one reference held
  std::size_t token = 0;
  std::uint8_t interest = 0; // readiness bits: five
  trigger trig = trigger::edge;
  // Under the poller's mutex; the flags are bit-fields and the interest a
  // byte, so that `taken` fits in what was padding (an idle pipe in a
  // poller holds one of these).
  bool armed : 1;  // false after a oneshot report, until modify()
  bool queued : 1;
  bool dead : 1;
  // The poller's number (modulo 2^32) for the last event a poll took from
  // this entry, or one long ago (see poller_state::give_back and
  // age_out_locked).
  std::uint32_t taken = 0;

  // The poller's ready queue.
  poller_entry* q_next = nullptr;
  poller_entry* q_prev = nullptr;
  // The poller's list of all its entries (live or dead).
  poller_entry* l_next = nullptr;
  poller_entry* l_prev = nullptr;
};

// The state shared by a registration, its setters, poller entries and
// cancellation slot handlers. Reference counted; the registration "closes"
// it when it goes away, after which setters report registration_gone.
//
// One atomic word holds the readiness, the closed and shut-down bits, and
// the *slot*: the one wait a registration most often has, as its address
// and interest. The slot is lock-free: a wait takes it (when it is free and
// no other wait is pending) with one compare-and-swap that also checks the
// readiness; a setter whose change makes the slot's interest ready empties
// the slot in the same compare-and-swap that changes the readiness. So
// exactly one party — that setter, a canceller, close or shutdown — takes
// the wait out, and the word never holds a slot whose interest is ready.
// Cancellers, close and shutdown work under the mutex; a per-operation
// cancel that takes out a wait that is not its own marks the slot *held*
// meanwhile (new waits then use the list, behind it) and puts the wait back
// — or takes it, if a setter made it ready meanwhile — before it unlocks,
// so that nothing sees the wait missing. Handlers are posted outside the
// lock. Waits are taken in the order they were started; when changes and
// waits come from several threads, their handlers may be posted in another
// order (the posts race).
//
// Further waits and a poller entry use a list under the mutex. For those, a
// waiter publishes its interest in demand_ and re-reads the readiness after
// doing so; a setter changes the readiness and then reads demand_. Both
// sides use sequentially consistent operations, so at least one of them sees
// the other and no wake-up is lost. A setter never locks unless a list
// waiter (or poller entry) is interested in a kind it has just made appear.
class readiness_core final : public readiness_service_node
{
public:
  using word_type = std::uint64_t;

  // The word: bits 0-47 the slot wait's address (user-space addresses fit
  // in 48 bits on x86-64 and ARM64; a wait at an address that does not fit
  // goes to the list), 48-52 the readiness, 53-57 the slot's interest, 58
  // held (a canceller, under the mutex, is looking at the slot's wait), 59
  // the slot wait's handler runs on the home context (below), 62 shut
  // down, 63 closed.
  static constexpr ready::bits_type ready_mask = ready::all().bits();
  static constexpr word_type slot_address_mask = (word_type(1) << 48) - 1;
  static constexpr unsigned readiness_shift = 48;
  static constexpr unsigned interest_shift = 53;
  static constexpr word_type held_bit = word_type(1) << 58;
  // The slot's wait delivers its handler through a plain executor of the
  // io_context this core's service belongs to (its *home*). A setter on a
  // thread that is running the home context then hands that wait over
  // without counting the hand-over: the count exists so that close() can
  // wait until no post into the wait's io_context is in progress before
  // its owner destroys that io_context, and an io_context some thread is
  // running cannot be destroyed until that thread's run() returns. It
  // spares the two atomic operations of the count on the most common path,
  // a handler that sets readiness that another wait of its own io_context
  // is waiting for.
  static constexpr word_type slot_home_bit = word_type(1) << 59;
  static constexpr word_type slot_mask =
      slot_address_mask | (word_type(ready_mask) << interest_shift) | slot_home_bit;
  static constexpr word_type shut_down_bit = word_type(1) << 62;
  static constexpr word_type closed_bit = word_type(1) << 63;
  static_assert((ready_mask >> 5) == 0, "five readiness kinds fit in the word");

  enum class update_kind { set, add, clear };

  explicit readiness_core(readiness_service* svc) noexcept
    : service_(svc), closed_(false), shut_down_(false)
  {
    if (service_)
      service_->attach(this);
  }

  readiness_core(const readiness_core&) = delete;
  readiness_core& operator=(const readiness_core&) = delete;

  void add_ref() noexcept override { refs_.fetch_add(1, std::memory_order_relaxed); }

  void release() noexcept override
  {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

  // Setter side. Returns false when the registration is gone; otherwise
  // stores the previous readiness in `prev`.
  bool update(update_kind k, ready::bits_type bits, ready::bits_type& prev)
  {
    switch (k)
    {
    case update_kind::set:
      return update<update_kind::set>(bits, prev);
    case update_kind::add:
      return update<update_kind::add>(bits, prev);
    default:
      return update<update_kind::clear>(bits, prev);
    }
  }

  // The same, one function per kind (set_readiness calls these: each is
  // then small enough to inline where it is called).
  template <update_kind K>
  bool update(ready::bits_type bits, ready::bits_type& prev)
  {
    bits &= ready_mask;
    word_type old = state_.load(std::memory_order_acquire), now = 0;
    ready::bits_type claimed = 0;
    bool counted = false;
    do
    {
      if (old & closed_bit)
      {
        if (counted)
          hand_overs_.remove();
        return false;
      }
      const ready::bits_type r = readiness_of(old);
      const ready::bits_type nr = K == update_kind::set ? bits
          : K == update_kind::add                       ? (r | bits)
                                                        : (r & ~bits);
      claimed = nr & slot_interest_of(old);
      now = (old & ~(word_type(ready_mask) << readiness_shift))
          | (word_type(nr) << readiness_shift);
      if (claimed)
      {
        now &= ~slot_mask;
        // Counted before the compare-and-swap that takes the wait, so that
        // a close() that comes after it sees the count (see close()) —
        // unless this thread runs the io_context the wait is posted to.
        if (!counted && !home_running_here(old))
        {
          hand_overs_.add(std::memory_order_seq_cst);
          counted = true;
        }
      }
    } while (!state_.compare_exchange_weak(
        old, now, std::memory_order_seq_cst, std::memory_order_acquire));
    prev = readiness_of(old);
    if (claimed)
    {
      if (counted)
        hand_over_counted_slot(old, claimed, prev, now);
      else
        hand_over_slot(old, claimed, prev, now);
    }
    else if (counted)
      hand_overs_.remove();
    wake_others(prev, now);
    return true;
  }

  bool load(ready::bits_type& cur) const noexcept
  {
    const word_type s = state_.load(std::memory_order_acquire);
    cur = readiness_of(s);
    return (s & closed_bit) == 0;
  }

  ready::bits_type readiness_bits() const noexcept
  {
    return readiness_of(state_.load(std::memory_order_acquire));
  }

  // Starts a wait. Completes it (through its executor) at once when the
  // readiness already intersects its interest. `io`: the io_context the
  // wait's handler is posted to, if it goes there through a plain io_context
  // executor (no strand, no other executor); null otherwise.
  void start_wait(readiness_op* op, const asio::io_context* io = nullptr)
  {
    op->on_home_context_ = io && service_
        && static_cast<const asio::execution_context*>(io) == &service_->context();
    const word_type entry = slot_entry(op);
    if (entry != 0 && demand_.load(std::memory_order_relaxed) == 0)
    {
      word_type s = state_.load(std::memory_order_acquire);
      while ((s & (closed_bit | shut_down_bit | held_bit | slot_mask)) == 0)
      {
        if (const ready::bits_type r = readiness_of(s) & slot_interest_of(entry))
          return op->post(boost::system::error_code(), r);
        if (state_.compare_exchange_weak(
                s, s | entry, std::memory_order_seq_cst, std::memory_order_acquire))
          return;
      }
    }
    start_wait_locked_path(op);
  }

  // Aborts every pending wait.
  void cancel_all()
  {
    readiness_op_list done;
    {
      std::lock_guard<slim_mutex> lock(mutex_);
      if (readiness_op* op = take_slot())
        done.push_back(op); // the oldest
      done.splice_back(waits_);
      recompute_demand_locked();
    }
    post_all(done, asio::error::operation_aborted);
  }

  // A key for a wait's slot handler, unique among this core's waits (see
  // readiness_service::next_cancellation_key).
  std::uint64_t next_cancellation_key() noexcept
  {
    return service_->next_cancellation_key();
  }

  // Aborts the pending wait whose cancellation slot handler has `key` (a
  // key whose wait has completed finds nothing).
  void cancel_by_key(std::uint64_t key)
  {
    readiness_op* found = nullptr;
    readiness_op* ready_now = nullptr; // a held wait that became ready
    ready::bits_type ready_bits = 0;
    {
      std::lock_guard<slim_mutex> lock(mutex_);
      for (readiness_op* op = waits_.front(); op; op = op->next_)
      {
        if (op->cancel_key_ == key)
        {
          waits_.erase(op);
          recompute_demand_locked();
          found = op;
          break;
        }
      }
      if (!found)
      {
        // Only the party that takes the slot's wait out may look at it.
        if (readiness_op* op = take_slot(held_bit))
        {
          if (op->cancel_key_ == key)
          {
            state_.fetch_and(~held_bit, std::memory_order_seq_cst);
            found = op;
          }
          else if ((ready_bits = put_back_locked(op)) != 0)
            ready_now = op;
        }
      }
      if (!found && !ready_now)
        return;
      hand_overs_.add(std::memory_order_relaxed); // (close() locks after)
    }
    // Posted outside the lock: a post that fails destroys the handler, whose
    // destructor may come back here — or destroy the registration and the
    // cancellation signal, whose slot handler holds what may be the last
    // reference to this core (the one that called us): kept until the
    // scope has ended (declared before it).
    ref_ptr<readiness_core> self = ref_ptr<readiness_core>::share(this);
    hand_over_scope h(&hand_overs_);
    if (ready_now)
      ready_now->post(boost::system::error_code(), ready_bits);
    if (found)
      found->post(asio::error::operation_aborted, 0);
  }

  // The registration goes away: setters now report registration_gone,
  // pending waits end with operation_aborted, a poller forgets the source.
  // Releases the registration's reference. Returns only once no other
  // thread is still handing one of its waits to an executor: a setter (or
  // canceller) that took a wait before the close may be inside that post,
  // and the owner may destroy the io_context as soon as this returns. (A
  // setter that runs the wait's io_context itself is not waited for: see
  // slot_home_bit.)
  void close()
  {
    state_.fetch_or(closed_bit, std::memory_order_seq_cst);
    if (service_)
      service_->detach(this);
    readiness_op_list done;
    {
      std::lock_guard<slim_mutex> lock(mutex_);
      closed_ = true;
      if (readiness_op* op = take_slot())
        done.push_back(op);
      done.splice_back(waits_);
      if (entry_)
      {
        entry_->owner->on_source_closed(entry_);
        entry_ = nullptr;
      }
      demand_.store(0, std::memory_order_seq_cst);
    }
    post_all_from_close(done);
    hand_overs_.wait_for_others();
    release();
  }

  bool handing_over_elsewhere() const noexcept override
  {
    return hand_overs_.busy_elsewhere();
  }

  void wait_for_hand_overs() noexcept override
  {
    hand_overs_.wait_for_others();
  }

  // The execution context is shutting down: hand over pending waits so that
  // they are destroyed without being invoked.
  void shutdown(readiness_op_list& out) override
  {
    std::lock_guard<slim_mutex> lock(mutex_);
    shut_down_ = true;
    state_.fetch_or(shut_down_bit, std::memory_order_seq_cst);
    if (readiness_op* op = take_slot())
      out.push_back(op);
    out.splice_back(waits_);
    recompute_demand_locked();
  }

  // --- used by the poller (poller_state.hpp) ---------------------------
  slim_mutex& mutex() noexcept { return mutex_; }
  poller_entry*& entry_locked() noexcept { return entry_; }
  bool closed_locked() const noexcept { return closed_; }

  // Publishes demand for `bits` and returns the readiness read after doing
  // so (see the class comment). Called with the mutex held.
  ready::bits_type publish_demand_locked(ready::bits_type bits) noexcept
  {
    demand_.fetch_or(static_cast<std::uint8_t>(bits), std::memory_order_seq_cst);
    return readiness_of(state_.load(std::memory_order_seq_cst));
  }

  void recompute_demand_locked() noexcept
  {
    ready::bits_type d = entry_ ? entry_->interest : 0;
    for (readiness_op* op = waits_.front(); op; op = op->next_)
      d |= op->interest_;
    demand_.store(static_cast<std::uint8_t>(d), std::memory_order_seq_cst);
  }

  // Posts every operation, in order. A post that throws (its executor
  // could not allocate) destroys that operation's handler without calling
  // it; the others are still posted, and the first exception is rethrown
  // once all have been handed on, so none is lost in the list.
  static void post_all(readiness_op_list& ops, const boost::system::error_code& ec)
  {
    std::exception_ptr failed;
    post_each(ops, ec, failed);
    if (failed)
      std::rethrow_exception(failed);
  }

  // post_all for the polls a poller's on_ready() handed out: a refused
  // poll's events go back to `owner`'s queue, or an edge source would stay
  // silent until its next edge and a oneshot one disarmed for good. (The
  // caller keeps `owner` alive: the refused handler may own the poller.)
  static void post_polls(readiness_op_list& polls, poller_link& owner)
  {
    std::exception_ptr failed;
    post_polls(polls, owner, failed);
    if (failed)
      std::rethrow_exception(failed);
  }

  // post_all with operation_aborted, for a close, which destructors call:
  // it cannot throw, so a wait whose executor could not take its handler
  // has lost it (as at the context's shutdown) while the rest are posted.
  static void post_all_from_close(readiness_op_list& ops) noexcept
  {
    try
    {
      post_all(ops, asio::error::operation_aborted);
    }
    catch (...)
    {
    }
  }

private:
  ~readiness_core() = default;

  // Posts every operation in order; the first exception is kept in `failed`.
  static void post_each(readiness_op_list& ops, const boost::system::error_code& ec,
      std::exception_ptr& failed) noexcept
  {
    while (readiness_op* op = ops.pop_front())
    {
      try
      {
        op->post(ec, ec ? 0 : op->result_);
      }
      catch (...)
      {
        if (!failed)
          failed = std::current_exception();
      }
    }
  }

  static void post_polls(
      readiness_op_list& polls, poller_link& owner, std::exception_ptr& failed) noexcept
  {
    while (readiness_op* op = polls.pop_front())
    {
      // Read first: a refused operation is freed inside post().
      const std::uint32_t first = op->first_event_;
      const std::size_t n = op->result_;
      try
      {
        op->post(boost::system::error_code(), n);
      }
      catch (...)
      {
        owner.give_back(first, n);
        if (!failed)
          failed = std::current_exception();
      }
    }
  }

  // Whether the slot's wait in `w` is posted to the home context (see
  // slot_home_bit) and this thread runs it. (The bit was set by a wait whose
  // io_context is the service's context, so that context is an io_context.)
  // Asked before the wait is taken and the hand-over counted, so nothing
  // keeps that context alive yet: a thread that runs no Asio loop at all —
  // a setter thread of its own — answers without reaching the service or
  // the context, which another thread may be destroying meanwhile (until
  // 2026-11-30 it read them, possibly freed: helper-80). (A thread inside
  // another io_context's loop still reads them: the window is then that
  // of a context destroyed while such a thread sets readiness for it.)
  bool home_running_here(word_type w) const noexcept
  {
    return (w & slot_home_bit) != 0 && innermost_asio_loop() != nullptr
        && static_cast<asio::io_context&>(service_->context()).get_executor().running_in_this_thread();
  }

  // Posts (or queues: see readiness_op::post) the slot's wait that update()
  // took out of the word `old`. (Inlined: the uncounted path is the hot one.)
  BOOST_FORCEINLINE void hand_over_slot(
      word_type old, ready::bits_type claimed, ready::bits_type prev, word_type now)
  {
    try
    {
      slot_of(old)->post(boost::system::error_code(), claimed);
    }
    catch (...)
    {
      // Its executor refused the slot's handler: the other waits this
      // change satisfies must still be handed on (see post_all).
      wake_others(prev, now);
      throw;
    }
  }

  // The same, for a counted hand-over.
  IOCPX_NOINLINE void hand_over_counted_slot(
      word_type old, ready::bits_type claimed, ready::bits_type prev, word_type now)
  {
    hand_over_scope h(&hand_overs_);
    hand_over_slot(old, claimed, prev, now);
  }

  // Hands on the waits in the list, and a poller's entry, that the kinds
  // this change added satisfy (the slot's wait is the caller's).
  void wake_others(ready::bits_type prev, word_type now)
  {
    const ready::bits_type added = readiness_of(now) & ~prev;
    if (added != 0 && (added & demand_.load(std::memory_order_seq_cst)) != 0)
      notify(added);
  }

  static ready::bits_type readiness_of(word_type w) noexcept
  {
    return static_cast<ready::bits_type>(w >> readiness_shift) & ready_mask;
  }

  static ready::bits_type slot_interest_of(word_type w) noexcept
  {
    return static_cast<ready::bits_type>(w >> interest_shift) & ready_mask;
  }

  static readiness_op* slot_of(word_type w) noexcept
  {
    return reinterpret_cast<readiness_op*>(static_cast<std::uintptr_t>(w & slot_address_mask));
  }

  // The slot bits for `op` (its address and interest), or 0 if its address
  // does not fit in the word (it then uses the list).
  static word_type slot_entry(const readiness_op* op) noexcept
  {
    const word_type address = reinterpret_cast<std::uintptr_t>(op);
    if ((address & ~slot_address_mask) != 0)
      return 0;
    return address | (word_type(op->interest_ & ready_mask) << interest_shift)
        | (op->on_home_context_ ? slot_home_bit : 0);
  }

  // Takes the slot's wait out, if there is one and nobody else took it.
  // `leave`: held_bit to take it out only for a look (new waits then go to
  // the list, setters complete nothing in it; with the mutex held).
  readiness_op* take_slot(word_type leave = 0) noexcept
  {
    word_type s = state_.load(std::memory_order_relaxed);
    while (s & slot_mask)
      if (state_.compare_exchange_weak(s, (s & ~slot_mask) | leave,
              std::memory_order_seq_cst, std::memory_order_relaxed))
        return slot_of(s);
    return nullptr;
  }

  // Returns a held wait to the slot, or — if a setter made it ready
  // meanwhile — releases the slot and returns the readiness the wait is to
  // complete with (the caller posts it after unlocking). With the mutex held
  // (so close, shutdown and other cancellers wait).
  ready::bits_type put_back_locked(readiness_op* op)
  {
    const word_type entry = slot_entry(op); // it was in the slot: it fits
    word_type s = state_.load(std::memory_order_acquire);
    for (;;)
    {
      if (const ready::bits_type r = readiness_of(s) & slot_interest_of(entry))
      {
        state_.fetch_and(~held_bit, std::memory_order_seq_cst);
        return r;
      }
      if (state_.compare_exchange_weak(s, (s & ~held_bit) | entry, std::memory_order_seq_cst,
              std::memory_order_acquire))
        return 0;
    }
  }

  // (Out of line, as notify(): the lock-free paths that call them then
  // need fewer registers and no stack frame of their own.)
  IOCPX_NOINLINE void start_wait_locked_path(readiness_op* op)
  {
    {
      std::unique_lock<slim_mutex> lock(mutex_);
      if (shut_down_)
      {
        lock.unlock();
        op->destroy();
        return;
      }
      if (closed_)
      {
        lock.unlock();
        op->post(make_error_code(error::registration_gone), 0);
        return;
      }
      ready::bits_type s = readiness_of(state_.load(std::memory_order_seq_cst)) & op->interest_;
      if (s == 0)
      {
        waits_.push_back(op);
        demand_.fetch_or(static_cast<std::uint8_t>(op->interest_), std::memory_order_seq_cst);
        s = readiness_of(state_.load(std::memory_order_seq_cst)) & op->interest_;
        if (s == 0)
          return;
        waits_.erase(op);
        recompute_demand_locked();
      }
      op->result_ = s;
    }
    op->post(boost::system::error_code(), op->result_);
  }

  IOCPX_NOINLINE void notify(ready::bits_type added)
  {
    readiness_op_list done;
    readiness_op_list polls;
    hand_over_count* polls_of = nullptr;
    // Declared before the scopes, so released after they end: a poll whose
    // executor refuses it destroys its handler, which may own the poller.
    ref_ptr<poller_link> poller;
    {
      std::lock_guard<slim_mutex> lock(mutex_);
      if (closed_ || shut_down_)
        return;
      const ready::bits_type s = readiness_of(state_.load(std::memory_order_seq_cst));
      bool removed = false;
      for (readiness_op* op = waits_.front(); op;)
      {
        readiness_op* next = op->next_;
        if (op->interest_ & s)
        {
          waits_.erase(op);
          op->result_ = op->interest_ & s;
          done.push_back(op);
          removed = true;
        }
        op = next;
      }
      if (removed)
        recompute_demand_locked();
      if (entry_ && (added & entry_->interest) != 0 && entry_->owner->on_ready(entry_, polls))
      {
        // Polls: the poller waits for their hand-over when it goes away
        // (it detaches from this core under the lock, so it sees this).
        poller_link* owner = entry_->owner;
        owner->add_ref();
        poller = ref_ptr<poller_link>(owner);
        polls_of = &owner->hand_overs;
        polls_of->add(std::memory_order_relaxed);
      }
      if (done.empty() && polls.empty())
        return;
      hand_overs_.add(std::memory_order_relaxed); // (close() locks after)
    }
    hand_over_scope h(&hand_overs_);
    hand_over_scope hp(polls_of);
    std::exception_ptr failed;
    post_each(done, boost::system::error_code(), failed);
    if (poller.get())
      post_polls(polls, *poller.get(), failed);
    if (failed)
      std::rethrow_exception(failed);
  }

  // Ordered and sized for space (an idle pipe holds one of these): the
  // reference count, the hand-over count, the demand and the two flags
  // share one 8-byte unit.
  std::atomic<word_type> state_{0};
  slim_mutex mutex_;
  readiness_op_list waits_;
  poller_entry* entry_ = nullptr;
  readiness_service* service_;
  std::atomic<std::uint32_t> refs_{1}; // setters, registrations, poller entries
  hand_over_count hand_overs_; // 2 bytes
  std::atomic<std::uint8_t> demand_{0}; // readiness kinds: five bits
  bool closed_ : 1;
  bool shut_down_ : 1;
  static_assert(ready_mask <= 0xFF, "the demand holds every readiness kind");
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_READINESS_CORE_HPP
