// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_NAMED_PIPE_ACCEPTOR_CORE_HPP
#define IOCPX_WINDOWS_DETAIL_NAMED_PIPE_ACCEPTOR_CORE_HPP

// The server side of basic_named_pipe_acceptor, independent of executor
// types.
//
// Instances: the acceptor keeps `listen_instances` pipe instances in
// existence. A client can open an instance that exists even while no
// ConnectNamedPipe is pending on it (ConnectNamedPipe then reports
// ERROR_PIPE_CONNECTED), so a burst of clients up to the backlog never sees
// ERROR_PIPE_BUSY. ConnectNamedPipe is kept pending on every instance only
// while accepts are waiting ("armed"); when the last waiter is gone the
// instances are disarmed (CancelIoEx on each instance: a listening instance
// has no I/O but its ConnectNamedPipe), so an idle acceptor is no
// outstanding work and io_context::run() can return.
//
// Generations: every instance has an id that is never reused; a
// ConnectNamedPipe completion names the instance it was started on, and a
// completion for an instance that was closed or handed over changes
// nothing.

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/cancellation.hpp>
#include <iocpx/detail/service_list.hpp>
#include <iocpx/windows/async_overlapped.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/named_pipe_core.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/overlapped_result.hpp>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace iocpx {
namespace windows {
namespace detail {

// A pending accept, type-erased. complete() consumes it: it schedules the
// user's handler (with the connected instance on success) and frees itself.
class named_pipe_accept_waiter
{
public:
  // Identifies the peer pipe of async_accept(pipe), to refuse a second
  // accept into the same pipe while one is pending.
  const void* target = nullptr;
  // The key of the handler installed in the accept's cancellation slot, if
  // any (named_pipe_acceptor_core::next_cancellation_key; 0: none): what a
  // per-operation cancel names. (Not the waiter's address: a completed
  // waiter's memory is reused by the next accept at once, while the
  // completed one's slot handler stays installed and may still fire.)
  std::uint64_t cancel_key = 0;

  virtual void complete(const boost::system::error_code& ec, binding b, pipe_mode mode,
      bool may_dispatch) = 0;

  // Destroys the accept without running its handler: its initiating call
  // is failing with an exception.
  virtual void discard() noexcept = 0;

protected:
  ~named_pipe_accept_waiter() = default;

private:
  friend class named_pipe_accept_queue;
  named_pipe_accept_waiter* next_ = nullptr; // the acceptor's queue
};

// The waiting accepts, in order, linked through the waiters themselves:
// queueing one, and taking them all away (cancel(), close(), and so the
// acceptor's destructor), allocates nothing — so none of them can fail
// for want of memory half-way (a std::deque allocates even when it is
// default-constructed or moved, in libstdc++).
class named_pipe_accept_queue
{
public:
  named_pipe_accept_queue() noexcept = default;
  named_pipe_accept_queue(const named_pipe_accept_queue&) = delete;
  named_pipe_accept_queue& operator=(const named_pipe_accept_queue&) = delete;

  bool empty() const noexcept
  {
    return head_ == nullptr;
  }

  named_pipe_accept_waiter* front() const noexcept
  {
    return head_;
  }

  void push_back(named_pipe_accept_waiter* w) noexcept
  {
    w->next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = w;
    tail_ = w;
  }

  named_pipe_accept_waiter* pop_front() noexcept
  {
    named_pipe_accept_waiter* w = head_;
    if (w)
    {
      head_ = std::exchange(w->next_, nullptr);
      if (!head_)
        tail_ = nullptr;
    }
    return w;
  }

  // The first waiter for which `pred` holds, or nullptr.
  template <typename Pred>
  named_pipe_accept_waiter* find_if(Pred pred) const
  {
    for (named_pipe_accept_waiter* w = head_; w; w = w->next_)
      if (pred(w))
        return w;
    return nullptr;
  }

  // Takes `w` (queued) out of the queue.
  void erase(named_pipe_accept_waiter* w) noexcept
  {
    named_pipe_accept_waiter* prev = nullptr;
    for (named_pipe_accept_waiter* i = head_; i; prev = i, i = i->next_)
      if (i == w)
      {
        (prev ? prev->next_ : head_) = w->next_;
        if (tail_ == w)
          tail_ = prev;
        w->next_ = nullptr;
        return;
      }
  }

  void swap(named_pipe_accept_queue& other) noexcept
  {
    std::swap(head_, other.head_);
    std::swap(tail_, other.tail_);
  }

private:
  named_pipe_accept_waiter* head_ = nullptr;
  named_pipe_accept_waiter* tail_ = nullptr;
};

class named_pipe_acceptor_core;

// ConnectNamedPipe that leaves the instance listening. A client that opened
// the instance while it listened and left before ConnectNamedPipe looked
// leaves it closing: ConnectNamedPipe fails at once with ERROR_NO_DATA (an
// immediate failure: no packet), and a closing or disconnected instance
// takes no client — CreateFile finds it busy (ERROR_PIPE_BUSY) — until
// ConnectNamedPipe makes it listen again. So the instance is recycled
// (DisconnectNamedPipe) and connected again within this call. For an
// acceptor's own instance that keeps it listening whether or not an accept
// waits (recycled from the failure's completion instead, until 2026-11-29,
// it was re-armed only if an accept still waited by then, and otherwise
// refused every client until the next accept, though counted as
// listening). For a reuse it makes the accept one operation in the kernel
// from start to end, so its cancellation slot, the acceptor's cancel() and
// close() reach it all along (recycled from the completion, as until
// 2026-11-27, the accept was between two kernel operations while that
// completion waited in the queue, and a cancel then found nothing to
// cancel). Once is enough: a disconnected instance takes no client until
// the second ConnectNamedPipe, so that call cannot find a client gone
// again.
inline DWORD connect_recycling(HANDLE h, OVERLAPPED* ov) noexcept
{
  const DWORD result = win32_result(::ConnectNamedPipe(h, ov));
  if (result != ERROR_NO_DATA || !::DisconnectNamedPipe(h))
    return result;
  mark_status_unknown(*ov); // (for the classification of this call)
  return win32_result(::ConnectNamedPipe(h, ov));
}

// One per io_context with acceptors. A waiting accept holds work on its
// handler's executor (as every Asio operation does) but lives in its
// acceptor, not in the io_context's queues, so the io_context's own
// shutdown cannot reach it: without this service, an accept still waiting
// when the io_context is destroyed — its acceptor owned by its handler, or
// destroyed after the io_context — keeps ~io_context waiting for that work
// forever. At shutdown the waiting accepts are destroyed without running,
// as Asio destroys its own pending operations.
class named_pipe_acceptor_service : public asio::execution_context::service
{
public:
  static inline asio::execution_context::id id;

  explicit named_pipe_acceptor_service(asio::execution_context& ctx)
    : asio::execution_context::service(ctx)
  {
  }

  void attach(named_pipe_acceptor_core* core) noexcept
  {
    cores_.attach(core);
  }

  void detach(named_pipe_acceptor_core* core) noexcept
  {
    cores_.detach(core);
  }

private:
  inline void shutdown() override;

  iocpx::detail::service_list<named_pipe_acceptor_core> cores_;
};

class named_pipe_acceptor_core : public std::enable_shared_from_this<named_pipe_acceptor_core>,
                                 public iocpx::detail::service_list_hook<named_pipe_acceptor_core>
{
public:
  explicit named_pipe_acceptor_core(asio::io_context& ctx)
    : ctx_(ctx), service_(&asio::use_service<named_pipe_acceptor_service>(ctx))
  {
    service_->attach(this);
  }

  ~named_pipe_acceptor_core()
  {
    // Not after the io_context's shutdown, which detached us (the service
    // may be gone by now).
    if (service_)
      service_->detach(this);
    // Reuses whose completion was destroyed without running (the
    // io_context went first).
    for (const reconnect& r : reconnecting_)
      r.state->release();
  }

  named_pipe_acceptor_core(const named_pipe_acceptor_core&) = delete;
  named_pipe_acceptor_core& operator=(const named_pipe_acceptor_core&) = delete;

  asio::io_context& context() const noexcept
  {
    return ctx_;
  }

  const named_pipe_options& options() const noexcept
  {
    return options_;
  }

  // Fixed by open() before the acceptor shares this core: no lock.
  std::string name() const
  {
    return utf8_of(name_);
  }

  bool is_open() const
  {
    std::lock_guard<std::mutex> lock(mutex_);
    return open_;
  }

  void open(std::wstring name, const named_pipe_options& options,
      boost::system::error_code& ec)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (open_)
    {
      ec = asio::error::already_open;
      return;
    }
    if (options.max_instances < 1 || options.max_instances > PIPE_UNLIMITED_INSTANCES
        || options.listen_instances < 1)
    {
      ec = asio::error::invalid_argument;
      return;
    }
    name_ = std::move(name);
    options_ = options;
    created_any_ = false;
    if (!create_instance(ec))
      return;
    open_ = true;
    replenish();
    ec = {};
  }

  // Takes ownership of `w`.
  void accept(named_pipe_accept_waiter* w)
  {
    boost::system::error_code ec;
    binding ready;
    std::exception_ptr failure;
    bool shut_down = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (shut_down_)
        shut_down = true; // as Asio's operations started then: destroyed below
      else if (!open_)
        ec = asio::error::bad_descriptor;
      else if (w->target
          && waiters_.find_if(
              [&](named_pipe_accept_waiter* o) { return o->target == w->target; }))
        ec = asio::error::already_started;
      else if (!connected_.empty())
      {
        ready = std::move(connected_.front().b);
        connected_.pop_front();
      }
      else
      {
        try
        {
          waiters_.push_back(w);
          try
          {
            replenish();
            for (instance& inst : instances_)
              if (!inst.armed && !inst.closing)
                arm(inst);
            if (instances_.empty())
              start_retry();
          }
          catch (...)
          {
            waiters_.erase(w);
            // Instances armed for it before the failure would keep their
            // ConnectNamedPipe pending for nobody: outstanding work that
            // keeps run() from returning.
            if (waiters_.empty())
              schedule_disarm();
            throw;
          }
          return;
        }
        catch (...)
        {
          // Out of memory: the initiating call fails, as Asio's do, and the
          // accept is discarded below (its handler's destructor may take
          // locks of its own, so not under this one).
          failure = std::current_exception();
        }
      }
    }
    if (shut_down)
      return w->discard();
    if (failure)
    {
      w->discard();
      std::rethrow_exception(failure);
    }
    w->complete(ec, std::move(ready), options_.mode, false);
  }

  // An accept that reuses a disconnected instance of its own (the handle
  // of `state`): `start(id)` starts its ConnectNamedPipe, which never
  // completes inside that call, and its completion calls
  // end_reconnect(id). Started under the lock, so cancel() and close(),
  // which abort such accepts too, see every one that started. Returns
  // (and does not call `start`) `bad_descriptor` when the acceptor is
  // closed, `already_started` while another reuse of the same instance
  // waits for the same connection — the instance would take a second
  // ConnectNamedPipe, and its client would complete both.
  template <typename Start>
  boost::system::error_code start_reconnect(handle_state* state, Start&& start)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_)
      return asio::error::bad_descriptor;
    // The same handle and the same generation: the pipe was not closed,
    // reassigned or disconnected since that accept started (each ends it
    // with operation_aborted, and then a new one may start at once).
    const unsigned long generation = state->generation.load(std::memory_order_acquire);
    if (std::any_of(reconnecting_.begin(), reconnecting_.end(), [&](const reconnect& r) {
          return r.state == state && r.generation == generation;
        }))
      return asio::error::already_started;
    const std::uint64_t id = ++next_id_;
    reconnecting_.push_back(reconnect{id, state, generation, false});
    state->add_ref();
    try
    {
      start(id);
    }
    catch (...)
    {
      reconnecting_.pop_back();
      state->release();
      throw;
    }
    return {};
  }

  // Returns whether cancel() or close() came while the reuse was in flight
  // (see abort_reconnects()).
  bool end_reconnect(std::uint64_t id) noexcept
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(reconnecting_.begin(), reconnecting_.end(),
        [id](const reconnect& r) { return r.id == id; });
    if (it == reconnecting_.end())
      return false;
    const bool aborted = it->aborted;
    it->state->release();
    reconnecting_.erase(it);
    return aborted;
  }

  // A key for an accept's slot handler, unique among this acceptor's
  // accepts (see cancellation.hpp): drawn here, not from a static, so that
  // accepts started from different DLLs never share one.
  std::uint64_t next_cancellation_key() noexcept
  {
    return keys_.next();
  }

  // Per-operation cancellation of one waiting accept: aborts the waiting
  // accept whose slot handler has `key` (a finished one's finds nothing).
  void cancel_waiter(std::uint64_t key)
  {
    named_pipe_accept_waiter* w = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      w = waiters_.find_if([key](named_pipe_accept_waiter* o) { return o->cancel_key == key; });
      if (!w)
        return; // already completed
      waiters_.erase(w);
      if (waiters_.empty())
        schedule_disarm();
    }
    w->complete(asio::error::operation_aborted, binding(), options_.mode, false);
  }

  // Aborts every waiting accept; the instances keep listening.
  void cancel()
  {
    named_pipe_accept_queue aborted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      aborted.swap(waiters_);
      schedule_disarm();
      abort_reconnects();
    }
    abort_all(aborted);
  }

  // Aborts waiting accepts and closes every instance (clients connected
  // but not yet accepted see the pipe broken).
  void close()
  {
    named_pipe_accept_queue aborted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = false;
      aborted.swap(waiters_);
      for (auto it = instances_.begin(); it != instances_.end();)
      {
        boost::system::error_code ignored;
        it->b.close(ignored);
        if (it->armed)
        {
          it->closing = true; // its completion removes it
          ++it;
        }
        else
        {
          it = instances_.erase(it);
        }
      }
      for (instance& i : connected_)
      {
        boost::system::error_code ignored;
        i.b.close(ignored);
      }
      connected_.clear();
      abort_reconnects();
      if (auto timer = retry_timer_.lock())
        timer->cancel();
    }
    abort_all(aborted);
  }

  std::size_t listening_instances() const
  {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(std::count_if(instances_.begin(), instances_.end(),
        [](const instance& i) { return !i.closing; }));
  }

private:
  friend class named_pipe_acceptor_service;

  // The io_context shuts down (its service's lock held): the waiting
  // accepts go to `out`, to be destroyed without running once every lock
  // is released; this core forgets the service, which goes with the
  // io_context.
  void shutdown(named_pipe_accept_queue& out) noexcept
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shut_down_ = true;
    while (named_pipe_accept_waiter* w = waiters_.pop_front())
      out.push_back(w);
    service_ = nullptr;
  }

  struct instance
  {
    std::uint64_t id = 0;
    binding b;
    bool armed = false;
    bool closing = false;
  };

  // Completes every accept in `aborted` with operation_aborted; if one
  // cannot be posted, the others still are, and the first failure is
  // rethrown.
  void abort_all(named_pipe_accept_queue& aborted)
  {
    std::exception_ptr failure;
    while (named_pipe_accept_waiter* w = aborted.pop_front())
    {
      try
      {
        w->complete(asio::error::operation_aborted, binding(), options_.mode, false);
      }
      catch (...)
      {
        if (!failure)
          failure = std::current_exception();
      }
    }
    if (failure)
      std::rethrow_exception(failure);
  }

  struct reconnect
  {
    std::uint64_t id;
    handle_state* state; // a reference: the handle's closed flag stays readable
    unsigned long generation; // the connection generation it started in
    bool aborted = false;     // cancel() or close() came while it was in flight
  };

  // Lock held. Cancels the ConnectNamedPipe of every reuse in flight (the
  // disconnected instance has no other I/O of a current connection); one
  // whose pipe was closed meanwhile has completed already, and its handle
  // value may name another handle now: the check and the cancel are made
  // under the handle's close guard, since the pipe's close() may run on
  // another thread right now. Each is also marked: one whose
  // ConnectNamedPipe already completed, with its completion still queued,
  // has nothing left to cancel, and must not start again (ERROR_NO_DATA
  // recycles the instance and waits on, see reconnect_finish).
  void abort_reconnects() noexcept
  {
    for (reconnect& r : reconnecting_)
    {
      r.aborted = true;
      r.state->with_open_handle([](HANDLE h) { ::CancelIoEx(h, nullptr); });
    }
  }

  struct connect_done
  {
    std::shared_ptr<named_pipe_acceptor_core> core;
    std::uint64_t id;

    void operator()(const boost::system::error_code& ec, std::size_t)
    {
      core->on_connect(id, ec);
    }
  };

  // Lock held.
  bool create_instance(boost::system::error_code& ec)
  {
    DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
    if (!created_any_ && options_.first_instance)
    {
      open_mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
      // The flag is the protection on Windows; some implementations (Wine
      // 8) ignore it, so also refuse a name that already has instances.
      // (Racy on its own, which is why the flag is still set.)
      if (::WaitNamedPipeW(name_.c_str(), 1) || ::GetLastError() != ERROR_FILE_NOT_FOUND)
      {
        ec = boost::system::error_code(ERROR_ACCESS_DENIED, boost::system::system_category());
        return false;
      }
    }
    DWORD mode = options_.mode == pipe_mode::message
        ? (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE)
        : (PIPE_TYPE_BYTE | PIPE_READMODE_BYTE);
    mode |= PIPE_WAIT;
    if (options_.reject_remote_clients)
      mode |= PIPE_REJECT_REMOTE_CLIENTS;
    // The list's node first: a failure to allocate it then leaves no handle.
    instances_.emplace_back();
    HANDLE h = ::CreateNamedPipeW(name_.c_str(), open_mode, mode, options_.max_instances,
        options_.out_buffer_size, options_.in_buffer_size, 0, options_.security_attributes);
    if (h == INVALID_HANDLE_VALUE)
    {
      ec = last_error();
      instances_.pop_back();
      return false;
    }
    instance& inst = instances_.back();
    inst.id = ++next_id_;
    inst.b.bind(ctx_, h, options_.binding, ec);
    if (ec)
    {
      ::CloseHandle(h);
      instances_.pop_back();
      return false;
    }
    inst.b.state_for_iocpx()->take_ownership(); // (a new handle: nobody else's)
    created_any_ = true;
    if (!waiters_.empty())
      arm(inst);
    return true;
  }

  // Lock held: keep `listen_instances` instances (as far as max_instances
  // allows; creation that fails now is retried on the next accept). Never
  // throws: out of memory is such a failure too — on_connect() calls this
  // with an accept already taken off the queue, which must still get its
  // client.
  void replenish() noexcept
  {
    std::size_t live = static_cast<std::size_t>(std::count_if(instances_.begin(),
        instances_.end(), [](const instance& i) { return !i.closing; }));
    while (live < options_.listen_instances)
    {
      boost::system::error_code ec;
      try
      {
        if (!create_instance(ec))
          break;
      }
      catch (...)
      {
        // Out of memory (nothing else throws here): for the list node, or
        // for arming the new instance, which then listens unarmed until
        // the next accept arms it.
        break;
      }
      ++live;
    }
  }

  // Lock held. Starts ConnectNamedPipe on `inst` (recycling it if a client
  // came and went: see connect_recycling).
  void arm(instance& inst)
  {
    HANDLE h = inst.b.native_handle();
    async_overlapped(inst.b, [h](OVERLAPPED* ov) { return connect_recycling(h, ov); },
        connect_done{shared_from_this(), inst.id});
    inst.armed = true; // (not if the operation could not be allocated)
  }

  // Lock held. Once no accept waits, cancel the pending ConnectNamedPipe
  // calls — after a round through the io_context, so a handler that starts
  // its next accept right away keeps the instances armed.
  // Never throws: without memory for the round trip, it disarms at once.
  void schedule_disarm() noexcept
  {
    if (disarm_posted_)
      return;
    try
    {
      asio::post(ctx_, [self = shared_from_this()] {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->disarm_posted_ = false;
        if (self->waiters_.empty())
          self->disarm();
      });
      disarm_posted_ = true;
    }
    catch (...)
    {
      disarm();
    }
  }

  // Lock held.
  void disarm() noexcept
  {
    for (instance& inst : instances_)
      if (inst.armed && !inst.closing)
      {
        boost::system::error_code ignored; // nothing to cancel: it completed
        inst.b.cancel(ignored);
      }
  }

  // Lock held. No instance could be created (max_instances reached by
  // connected pipes) while accepts wait: try again shortly.
  void start_retry()
  {
    if (!retry_timer_.expired())
      return;
    auto timer = std::make_shared<asio::steady_timer>(ctx_, std::chrono::milliseconds(10));
    retry_timer_ = timer;
    timer->async_wait([self = shared_from_this(), timer](const boost::system::error_code& ec) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      // This timer is done: from here on start_retry() makes a new one.
      // (Forgotten under the lock: the capture keeps it alive until after
      // the lock is released, and an accept on another thread in between
      // took it for a timer still to come, and waited with none.)
      if (self->retry_timer_.lock() == timer)
        self->retry_timer_.reset();
      if (ec || !self->open_ || self->waiters_.empty())
        return;
      self->replenish();
      if (self->instances_.empty())
        self->start_retry();
    });
  }

  void on_connect(std::uint64_t id, const boost::system::error_code& ec)
  {
    named_pipe_accept_waiter* to_complete = nullptr;
    boost::system::error_code result;
    binding connected;
    std::exception_ptr failure;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = std::find_if(
          instances_.begin(), instances_.end(), [id](const instance& i) { return i.id == id; });
      if (it == instances_.end())
        return; // a stale completion: nothing of it reaches anyone
      instance& inst = *it;
      inst.armed = false;
      if (inst.closing || !open_)
      {
        instances_.erase(it);
        return;
      }

      const bool is_system = ec.category() == boost::system::system_category();
      if (!ec || (is_system && ec.value() == ERROR_PIPE_CONNECTED))
      {
        if (!waiters_.empty())
        {
          connected = std::move(inst.b);
          instances_.erase(it);
          to_complete = waiters_.pop_front();
        }
        else
        {
          // Its list node moves over: keeping it for a later accept
          // allocates nothing, so a completion cannot fail for lack of
          // memory here.
          connected_.splice(connected_.end(), instances_, it);
        }
        replenish();
      }
      else if (ec == asio::error::operation_aborted)
      {
        // Disarmed; someone may be waiting again by now.
        if (!waiters_.empty())
          arm(inst);
      }
      else if (is_system && ec.value() == ERROR_NO_DATA)
      {
        // A client connected and left before we looked, and arm() could
        // not recycle the instance (DisconnectNamedPipe failed): try again.
        // Armed whether or not an accept waits — a closing instance takes
        // no client until ConnectNamedPipe (the disarm below leaves it
        // listening).
        ::DisconnectNamedPipe(inst.b.native_handle());
        arm(inst);
      }
      else
      {
        // Unexpected: drop this instance and tell one waiter.
        boost::system::error_code ignored;
        inst.b.close(ignored);
        instances_.erase(it);
        if (!waiters_.empty())
        {
          to_complete = waiters_.pop_front();
          result = ec;
        }
        replenish();
      }
      // (Out of memory here must not take the client of the accept
      // already taken off the queue with it: that accept completes first.)
      try
      {
        if (waiters_.empty())
          schedule_disarm();
        else if (instances_.empty())
          start_retry();
      }
      catch (...)
      {
        failure = std::current_exception();
      }
    }
    if (to_complete)
      to_complete->complete(result, std::move(connected), options_.mode, true);
    if (failure)
      std::rethrow_exception(failure);
  }

  asio::io_context& ctx_;
  named_pipe_acceptor_service* service_; // null once the io_context shut down
  bool shut_down_ = false; // (mutex_)
  mutable std::mutex mutex_;
  std::wstring name_;
  named_pipe_options options_;
  bool open_ = false;
  bool created_any_ = false;
  bool disarm_posted_ = false;
  std::uint64_t next_id_ = 0;
  iocpx::detail::cancellation_key_source keys_; // (one per acceptor, not per pipe)
  std::list<instance> instances_;     // listening (stable addresses)
  std::list<instance> connected_;    // connected before an accept took them
  named_pipe_accept_queue waiters_;
  std::vector<reconnect> reconnecting_; // reuses of disconnected instances in flight
  std::weak_ptr<asio::steady_timer> retry_timer_;
};

inline void named_pipe_acceptor_service::shutdown()
{
  named_pipe_accept_queue dropped;
  // Each core is unlinked and forgets the service, which goes with the
  // io_context: a core that outlives it does not detach.
  cores_.take_each([&dropped](named_pipe_acceptor_core* core) { core->shutdown(dropped); });
  // Outside every lock: a handler may own its acceptor, whose destruction
  // takes them.
  while (named_pipe_accept_waiter* w = dropped.pop_front())
    w->discard();
}

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_NAMED_PIPE_ACCEPTOR_CORE_HPP
