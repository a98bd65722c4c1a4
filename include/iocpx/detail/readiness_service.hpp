// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_READINESS_SERVICE_HPP
#define IOCPX_DETAIL_READINESS_SERVICE_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/cancellation.hpp>
#include <iocpx/detail/delivery_scope.hpp>
#include <iocpx/detail/service_list.hpp>

#include <iocpx/event.hpp>
#include <iocpx/ready.hpp>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>

namespace iocpx {
namespace detail {

// A pending readiness wait or poll, type-erased. The concrete operation
// (readiness_op.hpp) owns the handler, its work guard and its memory, which
// comes from the handler's associated allocator.
class readiness_op
{
public:
  enum class action
  {
    complete, // queue on this thread's delivery_scope, or post (see post())
    destroy   // free the op and destroy the handler without calling it
  };

  using func_type = void (*)(readiness_op*, action);

  // Completes the operation, never inside the caller: right after the
  // handler iocpx is delivering on this thread, if this thread runs the
  // handler's executor (an io_context executor); otherwise posted at once.
  // (The concrete operation decides, in one call: it knows its executor,
  // and a queued entry then runs through a function of its own type.)
  void post(const boost::system::error_code& ec, std::size_t result)
  {
    ec_ = ec;
    result_ = result;
    func_(this, action::complete);
  }

  void destroy() { func_(this, action::destroy); }

  readiness_op* next_ = nullptr;
  readiness_op* prev_ = nullptr;
  // (A byte, so that the polls' number fits in what was padding.)
  std::uint8_t interest_ = 0;         // waits: readiness bits (five)
  bool on_home_context_ = false;      // waits: see readiness_core::slot_home_bit
  std::uint32_t first_event_ = 0;     // polls: the poller's number of the first event taken
  std::uint64_t cancel_key_ = 0;      // its slot handler's key, if any (readiness_cancellation)
  event* events_ = nullptr;           // polls
  boost::system::error_code ec_;
  std::size_t result_ = 0;            // polls: the events' capacity until done

protected:
  explicit readiness_op(func_type f) noexcept : func_(f) {}

  ~readiness_op() = default;

  func_type func_;
};

// Intrusive FIFO of operations.
class readiness_op_list
{
public:
  readiness_op_list() noexcept = default;
  readiness_op_list(const readiness_op_list&) = delete;
  readiness_op_list& operator=(const readiness_op_list&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }
  readiness_op* front() const noexcept { return head_; }

  void push_back(readiness_op* op) noexcept
  {
    op->next_ = nullptr;
    op->prev_ = tail_;
    if (tail_)
      tail_->next_ = op;
    else
      head_ = op;
    tail_ = op;
  }

  void erase(readiness_op* op) noexcept
  {
    if (op->prev_)
      op->prev_->next_ = op->next_;
    else
      head_ = op->next_;
    if (op->next_)
      op->next_->prev_ = op->prev_;
    else
      tail_ = op->prev_;
    op->next_ = op->prev_ = nullptr;
  }

  readiness_op* pop_front() noexcept
  {
    readiness_op* op = head_;
    if (op)
      erase(op);
    return op;
  }

  void splice_back(readiness_op_list& other) noexcept
  {
    if (other.empty())
      return;
    if (tail_)
    {
      tail_->next_ = other.head_;
      other.head_->prev_ = tail_;
    }
    else
      head_ = other.head_;
    tail_ = other.tail_;
    other.head_ = other.tail_ = nullptr;
  }

private:
  readiness_op* head_ = nullptr;
  readiness_op* tail_ = nullptr;
};

// Something that holds pending operations for an execution context and must
// give them up when the context shuts down.
class readiness_service_node : public service_list_hook<readiness_service_node>
{
public:
  virtual void shutdown(readiness_op_list& out) = 0;

  // Operations that other threads took from this node before its shutdown
  // and are still posting (see hand_over.hpp); waits for them to end.
  virtual bool handing_over_elsewhere() const noexcept = 0;
  virtual void wait_for_hand_overs() noexcept = 0;

  // The node's reference count: held while the service waits for its
  // hand-overs outside the list's lock.
  virtual void add_ref() noexcept = 0;
  virtual void release() noexcept = 0;

protected:
  ~readiness_service_node() = default;
};

// One per execution context: at shutdown (the context's destructor), every
// wait and poll still pending on a registration or poller of that context is
// destroyed without being invoked, as Asio does with its own operations.
class readiness_service : public asio::execution_context::service
{
public:
  static inline asio::execution_context::id id;

  explicit readiness_service(asio::execution_context& ctx)
    : asio::execution_context::service(ctx)
  {
  }

  void attach(readiness_service_node* n) noexcept
  {
    nodes_.attach(n);
  }

  void detach(readiness_service_node* n) noexcept
  {
    nodes_.detach(n);
  }

  // The key of a wait's or poll's slot handler (see cancellation.hpp): here
  // rather than in each registration, which an idle pipe holds one of. Each
  // registration and poller keeps the service it was made with, so every
  // operation on one object draws from one counter, whatever module (DLL)
  // starts it.
  std::uint64_t next_cancellation_key() noexcept
  {
    return keys_.next();
  }

private:
  void shutdown() override
  {
    // The nodes stay attached: registrations and pollers detach themselves
    // when they go, before or after the context.
    readiness_op_list ops;
    nodes_.for_each([&ops](readiness_service_node* n) { n->shutdown(ops); });
    // Destroyed outside every lock: a handler may own a registration whose
    // destructor takes those locks.
    while (readiness_op* op = ops.pop_front())
      op->destroy();
    // A setter on another thread may have taken a wait (or a poll) before
    // the shutdown and still be posting it: into this context, whose
    // scheduler goes right after the services. Wait until each such post
    // has ended (so the scheduler's shutdown destroys what it queued). A
    // registration that the wait's own handler owns is not closed by its
    // owner first — which would wait for it too — and this was a
    // use-after-free until 2026-11-30 (helper-80). The node is held, and
    // the list's lock released, while its hand-overs end: a post that fails
    // destroys its handler, which may own a registration whose close()
    // detaches it (that lock). None starts after the node's shutdown above
    // (it holds no wait or poll any more), so this ends.
    for (;;)
    {
      readiness_service_node* busy = nullptr;
      nodes_.for_each([&busy](readiness_service_node* n) {
        if (!busy && n->handing_over_elsewhere())
        {
          n->add_ref();
          busy = n;
        }
      });
      if (!busy)
        break;
      busy->wait_for_hand_overs();
      busy->release();
    }
  }

  service_list<readiness_service_node> nodes_;
  cancellation_key_source keys_;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_READINESS_SERVICE_HPP
