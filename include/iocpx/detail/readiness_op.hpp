// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_READINESS_OP_HPP
#define IOCPX_DETAIL_READINESS_OP_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/cancellation.hpp>
#include <iocpx/detail/default_allocator.hpp>
#include <iocpx/detail/delivery_allocator.hpp>
#include <iocpx/detail/io_executor.hpp>
#include <iocpx/detail/readiness_service.hpp>
#include <iocpx/detail/refused_ops.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/assert.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/version.hpp>

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace detail {

// The allocator for a posted delivery when the handler has none (see
// delivery_allocator.hpp: a set() on a thread outside run() costs no heap
// allocation either).
using readiness_post_allocator = delivery_allocator<void>;

// The readiness service of the execution context behind an I/O executor.
template <typename Executor>
readiness_service& readiness_service_for(const Executor& ex)
{
  asio::execution_context& ctx = execution_context_of(ex);
  return asio::use_service<readiness_service>(ctx);
}

// Keeps the handler's execution context from running out of work while a
// wait is pending, and delivers the handler through its executor: a
// standard executor is kept once, already tracking work (an
// executor_work_guard would keep it twice); a Networking TS one (a legacy
// io_context::strand) in a work guard (see track_work).
//
// A handler executor that cannot be required not to run a function inside
// post() (Boost 1.81's any_completion_executor, the executor of a plain
// any_completion_handler: its properties are preferable only) cannot be
// posted to. The handler is then posted to the I/O object's executor, bound
// to its own, and Asio dispatches it there from the I/O executor's thread —
// what asio::post(io_executor, handler) does for such a handler. Only then
// is the I/O object's executor kept (an empty base otherwise).
template <typename Executor>
constexpr bool posts_via_io_executor_v = asio::execution::is_executor<Executor>::value
    && !asio::can_require<const tracked_work_t<Executor>&, asio::execution::blocking_t::never_t>::value;

template <bool Kept>
struct readiness_io_executor
{
  template <typename IoExecutor>
  explicit readiness_io_executor(const IoExecutor&) noexcept
  {
  }
};

template <>
struct readiness_io_executor<true>
{
  // Tracking work, as Asio's operations keep their I/O executor's: the I/O
  // object's context must not run out of work while the wait is pending,
  // since the completion is posted there.
  template <typename IoExecutor>
  explicit readiness_io_executor(const IoExecutor& io_ex)
    : io_executor_(asio::prefer(io_ex, asio::execution::outstanding_work.tracked))
  {
  }

  asio::any_io_executor io_executor_;
};

template <typename Executor>
class readiness_work : private readiness_io_executor<posts_via_io_executor_v<Executor>>
{
  using tracked_type = tracked_work_t<Executor>;
  static constexpr bool standard = asio::execution::is_executor<Executor>::value;
  static constexpr bool via_io_executor = posts_via_io_executor_v<Executor>;
  using io_executor_base = readiness_io_executor<via_io_executor>;

public:
  // (No work count is taken over: see the any_io_executor one.)
  template <typename IoExecutor>
  readiness_work(const Executor& ex, readiness_work*, const IoExecutor& io_ex)
    : io_executor_base(io_ex), work_(track_work(ex))
  {
  }

  // The io_context behind the executor if it is an io_context executor and
  // this thread runs it; null otherwise (strands, thread pools, other
  // contexts, legacy executors: those are posted).
  asio::io_context* running_here() const noexcept
  {
    return io_context_running_here(work_);
  }

  // The execution context whose loop runs the handler.
  const void* context_key() const
  {
    if constexpr (standard)
      return execution_context_key(work_);
    else
      return execution_context_key(work_.get_executor());
  }

  // The key of the delivery_scope opened around the handler (see
  // invoker): its io_context if the handler runs straight on that
  // context's loop. Null for a strand, which runs the invoker inside its
  // own invocation: waits the handler makes ready are then posted, not run
  // right after it while the strand is still held — where they would keep
  // the strand's next handlers from every other thread, and deadlock a
  // handler that waits for one of them (helper-80, 2026-11-30). Null also
  // for any other executor (a thread pool's...), whose waits never match.
  const void* scope_key() const
  {
    if constexpr (std::is_same<tracked_type, io_tracked_executor>::value)
      return context_key();
    else
      return nullptr;
  }

  // The io_context a post goes straight into, if the executor is a plain
  // io_context executor (see readiness_core's slot_home_bit).
  const asio::io_context* io_context() const noexcept
  {
    if constexpr (std::is_same<tracked_type, io_tracked_executor>::value)
      return &work_.context();
    else
      return nullptr;
  }

  template <typename Function>
  void post(Function&& f) const
  {
    if constexpr (via_io_executor)
      asio::post(this->io_executor_, asio::bind_executor(work_, std::forward<Function>(f)));
    else if constexpr (standard)
      asio::post(work_, std::forward<Function>(f));
    else
      asio::post(work_.get_executor(), std::forward<Function>(f));
  }

private:
  tracked_type work_;
};

// The common case — an any_io_executor that holds an io_context executor —
// is kept unwrapped: its work count, thread check and post are then direct
// calls (one pointer) instead of calls through the type-erased wrapper.
template <>
class readiness_work<asio::any_io_executor>
{
public:
  using io_tracked = io_tracked_executor;

  // Takes over `donor`'s work count if it holds the same io_context
  // executor as the one `ex` holds: the work of the handler that is
  // starting this wait (see readiness_handler_op::donor_offer). (An
  // any_io_executor can always be posted to: the I/O object's executor is
  // not needed.)
  template <typename IoExecutor>
  readiness_work(const asio::any_io_executor& ex, readiness_work* donor, const IoExecutor&)
  {
    // An I/O object's executor is usually the plain one: test it first (a
    // type test that fails costs a string comparison).
    if (const asio::io_context::executor_type* p = target_of<asio::io_context::executor_type>(ex))
    {
      if (donor && donor->is_io_
          && *p == asio::prefer(donor->io_, asio::execution::outstanding_work.untracked))
        ::new (static_cast<void*>(&io_)) io_tracked(std::move(donor->io_));
      else
        ::new (static_cast<void*>(&io_)) io_tracked(
            asio::prefer(*p, asio::execution::outstanding_work.tracked));
    }
    else if (const io_tracked* t = target_of<io_tracked>(ex))
    {
      if (donor && donor->is_io_ && *t == donor->io_)
        ::new (static_cast<void*>(&io_)) io_tracked(std::move(donor->io_));
      else
        ::new (static_cast<void*>(&io_)) io_tracked(*t);
    }
    else
    {
      ::new (static_cast<void*>(&any_)) asio::any_io_executor(
          asio::prefer(ex, asio::execution::outstanding_work.tracked));
      is_io_ = false;
    }
  }

  readiness_work(readiness_work&& o) noexcept : is_io_(o.is_io_)
  {
    if (is_io_)
      ::new (static_cast<void*>(&io_)) io_tracked(std::move(o.io_));
    else
      ::new (static_cast<void*>(&any_)) asio::any_io_executor(std::move(o.any_));
  }

  readiness_work& operator=(readiness_work&&) = delete;

  ~readiness_work()
  {
    // (destroy_at: before Boost 1.80 any_io_executor is a typedef, which a
    // destructor call cannot name.)
    if (is_io_)
      std::destroy_at(&io_);
    else
      std::destroy_at(&any_);
  }

  asio::io_context* running_here() const noexcept
  {
    return is_io_ && io_.running_in_this_thread() ? &io_.context() : nullptr;
  }

  const void* context_key() const
  {
    if (is_io_)
      return static_cast<const asio::execution_context*>(&io_.context());
    return execution_context_key(any_);
  }

  // As above: only an io_context executor's handler runs straight on its
  // loop (one held as anything else — a strand — is not looked into).
  const void* scope_key() const noexcept
  {
    return is_io_ ? static_cast<const asio::execution_context*>(&io_.context()) : nullptr;
  }

  const asio::io_context* io_context() const noexcept
  {
    return is_io_ ? &io_.context() : nullptr;
  }

  template <typename Function>
  void post(Function&& f) const
  {
    if (is_io_)
      asio::post(io_, std::forward<Function>(f));
    else
      asio::post(any_, std::forward<Function>(f));
  }

private:
  union
  {
    io_tracked io_;
    asio::any_io_executor any_;
  };
  bool is_io_ = true;
};

// A readiness wait or poll holding its handler. `Result` is what the second
// argument of the completion signature is made from (`ready` or
// `std::size_t`).
template <typename Handler, typename IoExecutor, typename Result>
class readiness_handler_op final : public readiness_op
{
public:
  using allocator_type =
      asio::associated_allocator_t<Handler, default_operation_allocator>;
  using handler_executor_type = asio::associated_executor_t<Handler, IoExecutor>;

  // Allocates the operation with the handler's associated allocator.
  template <typename H>
  static readiness_handler_op* create(H&& h, const IoExecutor& io_ex)
  {
    const allocator_type a = operation_allocator(h);
    return operation_storage::create<readiness_handler_op>(a, std::forward<H>(h), io_ex, take_donor());
  }

  Handler& handler() noexcept { return handler_; }

  // The io_context the handler is posted to, if a plain io_context executor
  // delivers it (see readiness_core::start_wait).
  const asio::io_context* io_context() const noexcept { return work_.io_context(); }

private:
  friend class operation_storage;

  // What is posted to the handler's executor. Owns the operation: if the
  // executor drops it without running it (context shutdown), the operation
  // is destroyed.
  class invoker
  {
  public:
    using allocator_type = asio::associated_allocator_t<Handler, readiness_post_allocator>;

    explicit invoker(readiness_handler_op* op) noexcept : op_(op) {}
    invoker(invoker&& o) noexcept : op_(o.op_) { o.op_ = nullptr; }
    invoker& operator=(invoker&&) = delete;
    ~invoker()
    {
      // Not run: its executor refused it (or the context shut down with it
      // queued). Destroyed here, or later where a lock is held around the
      // change that completed it (see refused_ops.hpp).
      if (op_ && !refused_ops_scope::defer(op_))
        op_->destroy();
    }

    allocator_type get_allocator() const noexcept
    {
      return asio::get_associated_allocator(op_->handler_, readiness_post_allocator());
    }

    void operator()()
    {
      // (Asked first: should it throw, the invoker still owns the operation
      // and destroys it.)
      const void* context = op_->work_.scope_key();
      readiness_handler_op* op = op_;
      op_ = nullptr;
      // Waits this handler completes (by setting readiness) run right after
      // it, on this thread (see delivery_scope.hpp), if they are waits of
      // the context whose loop runs it (not inside a strand: scope_key()).
      delivery_scope scope(context);
      do_invoke(op);
      scope.drain();
    }

  private:
    readiness_handler_op* op_;
  };

  template <typename H>
  readiness_handler_op(H&& h, const IoExecutor& io_ex, readiness_work<handler_executor_type>* donor)
    : readiness_op(&do_func),
      handler_(std::forward<H>(h)),
      work_(asio::get_associated_executor(handler_, io_ex), donor, io_ex)
  {
  }

  static void deallocate_op(readiness_handler_op* op) noexcept
  {
    const allocator_type a = operation_allocator(op->handler_);
    operation_storage::destroy(a, op);
  }

  // The finished operation's work count (held by do_invoke until the
  // handler returns) is offered, on this thread, to the operation of this
  // type that the handler starts — most often at once (a wait that
  // re-arms). That operation takes it over if it is for the same
  // io_context (see readiness_work), instead of counting new work while
  // the old is released when the handler returns: the two atomic
  // operations that Asio also saves for an operation a handler starts.
  // The running handler needs no count of its own meanwhile: a handler
  // that holds an io_context's work is run by that io_context's loop on
  // this thread (posted to it, or queued on a delivery_scope only if this
  // thread runs it, in the loop the scope was opened in), and the loop
  // counts the operation it is running until it returns. (The memory is
  // not handed over likewise: freed before the upcall, it is in the
  // thread's cache for whatever the handler allocates first; kept for the
  // next wait instead, it made handlers that post their re-arming wait
  // allocate in steady state.) Only an any_io_executor's readiness_work
  // takes a count over; for other executors there is nothing to offer.
  static constexpr bool offers_work =
      std::is_same<handler_executor_type, asio::any_io_executor>::value;

  using donor_type = readiness_work<handler_executor_type>;

  // A thread_local, not a thread_pointer (thread_pointer.hpp): there is one
  // per operation type, i.e. per handler type, and each thread_pointer
  // takes one of the process's TLS slots with MinGW-w64.
  static donor_type*& donor() noexcept
  {
    static thread_local donor_type* d = nullptr;
    return d;
  }

  static donor_type* take_donor() noexcept
  {
    if constexpr (offers_work)
      return std::exchange(donor(), nullptr);
    else
      return nullptr;
  }

  // Offers the finished operation's work count to the operation of this
  // type the handler starts (if nothing further out offers one), and
  // withdraws the offer when the handler returns or throws.
  class donor_offer
  {
  public:
    explicit donor_offer(donor_type& w) noexcept
    {
      donor_type*& d = donor();
      if (!d)
        d = mine_ = &w;
    }
    donor_offer(const donor_offer&) = delete;
    donor_offer& operator=(const donor_offer&) = delete;
    ~donor_offer()
    {
      if (mine_ && donor() == mine_)
        donor() = nullptr;
    }

  private:
    donor_type* mine_ = nullptr;
  };

  // Only dispatches: every case is a tail call, so the call costs no
  // prologue of the bulkier paths.
  static void do_func(readiness_op* base, action act)
  {
    readiness_handler_op* op = static_cast<readiness_handler_op*>(base);
    if (act == action::complete)
      return do_complete(op);
    return deallocate_op(op);
  }

  // Queues the completion on this thread's delivery_scope when this thread
  // runs the handler's io_context; otherwise posts it, and every later
  // completion of that context that the deliveries in progress make ready
  // with it.
  static void do_complete(readiness_handler_op* op)
  {
    if (delivery_scope::active())
    {
      if (asio::io_context* io = op->work_.running_here())
      {
        // (Refused, it has told the scopes: see try_queue.)
        if (delivery_scope::try_queue(static_cast<asio::execution_context*>(io), &run_queued, op, io))
          return;
      }
      else
      {
        // Posted (a strand, another executor...): the waits of its context
        // that the delivery of that context in progress here makes ready
        // later go behind it, in the order they became ready, instead of
        // overtaking it on the fast path.
        delivery_scope::post_later_ones(op->work_.context_key());
      }
    }
    op->work_.post(invoker(op));
  }

  // Runs a queued completion between handlers — unless its io_context was
  // stopped meanwhile, or a handler threw (run_now false): then it is
  // posted, as it would have been. The io_context still runs on this
  // thread: running_here() found its loop on this thread's stack when the
  // completion was queued, and delivery_scope only queues while the loop
  // that was innermost when the scope opened still is, so that loop, and
  // every loop outside it, lasts until the scope drains. So a handler run
  // here always runs inside its io_context's loop, which counts the
  // operation it is running as work until it returns (see donor_offer).
  static void run_queued(void* p, void* io_context, std::uint32_t, std::uint32_t, bool run_now)
  {
    readiness_handler_op* op = static_cast<readiness_handler_op*>(p);
    asio::io_context* io = static_cast<asio::io_context*>(io_context);
    BOOST_ASSERT(!run_now || io->get_executor().running_in_this_thread());
    if (run_now && !io->stopped())
    {
      // (What invoker{op}() would do, in a scope that joins drain()'s.)
      delivery_scope::joined_run joined;
      do_invoke(op);
      return;
    }
    try
    {
      op->work_.post(invoker(op));
    }
    catch (...)
    {
      // (The invoker destroyed the operation.) From drain(), nothing is
      // unwinding: the failure goes to the caller, and the scope's
      // destructor posts what is left. From the destructor, a handler
      // threw: a post that cannot allocate loses this handler rather than
      // the process.
      if (run_now)
        throw;
    }
  }

  IOCPX_NOINLINE static void do_invoke(readiness_handler_op* op)
  {
    // Free the operation's memory before the upcall, so that the handler
    // can reuse it (from the thread's cache) for what it starts — with the
    // allocator asked of the handler before it is moved out: a moved-from
    // handler's allocator may be empty (any_completion_handler's is; until
    // 2026-11-29 the block was freed through it).
    const allocator_type a = operation_allocator(op->handler_);
    Handler handler(take_handler(op, a));
    // Kept until the handler returns: the context keeps its work till then.
    // (Or by the operation the handler starts: see donor_offer.)
    readiness_work<handler_executor_type> work(std::move(op->work_));
    const boost::system::error_code ec = op->ec_;
    const std::size_t result = op->result_;
    operation_storage::destroy(a, op);
    if constexpr (offers_work)
    {
      donor_offer offer(work);
      std::move(handler)(ec, make_result(result));
    }
    else
      std::move(handler)(ec, make_result(result));
  }

  // Moves the handler out of the operation. A move that throws frees the
  // operation first — destroying its handler and giving its work back — as
  // Asio's own operations do, so neither is lost with the exception that
  // leaves run(). (The result initializes do_invoke's handler directly: no
  // second move.)
  static Handler take_handler(readiness_handler_op* op, const allocator_type& a) noexcept(
      std::is_nothrow_move_constructible<Handler>::value)
  {
    if constexpr (std::is_nothrow_move_constructible<Handler>::value)
    {
      (void)a;
      return std::move(op->handler_);
    }
    else
    {
      try
      {
        return std::move(op->handler_);
      }
      catch (...)
      {
        operation_storage::destroy(a, op); // (a: asked before the move began)
        throw;
      }
    }
  }

  static Result make_result(std::size_t r) noexcept
  {
    if constexpr (std::is_same<Result, ready>::value)
      return ready::from_bits(static_cast<ready::bits_type>(r));
    else
      return static_cast<Result>(r);
  }

  Handler handler_;
  readiness_work<handler_executor_type> work_;
};

// Installed in a handler's cancellation slot: cancels, by key, the pending
// operation the slot belongs to (a number the object hands out, not this
// handler's address: see cancellation.hpp). Holds a reference to the object
// (core or poller state) so that a late emit is harmless.
template <typename Target>
class readiness_cancellation
{
public:
  explicit readiness_cancellation(Target* t) noexcept
    : target_(t), key_(t->next_cancellation_key())
  {
    target_->add_ref();
  }
  readiness_cancellation(const readiness_cancellation&) = delete;
  readiness_cancellation& operator=(const readiness_cancellation&) = delete;
  ~readiness_cancellation() { target_->release(); }

  std::uint64_t key() const noexcept
  {
    return key_;
  }

  void operator()(cancellation_type_t type)
  {
    if (requests_cancellation(type))
      target_->cancel_by_key(key_);
  }

private:
  Target* target_;
  std::uint64_t key_;
};

// Connects the handler's cancellation slot, if it has one, to `target`.
// The slot's memory may fail to allocate: the operation (`h` is its
// handler) is then destroyed, so that neither it nor its work is leaked.
template <typename Handler, typename Target>
void readiness_connect_slot(Handler& h, readiness_op* op, Target* target)
{
  try
  {
    if (const auto* c = install_cancellation_handler<readiness_cancellation<Target>>(h, target))
      op->cancel_key_ = c->key();
  }
  catch (...)
  {
    op->destroy();
    throw;
  }
}

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_READINESS_OP_HPP
