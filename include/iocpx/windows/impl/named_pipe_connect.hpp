// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_IMPL_NAMED_PIPE_CONNECT_HPP
#define IOCPX_WINDOWS_IMPL_NAMED_PIPE_CONNECT_HPP

// basic_named_pipe::async_connect: CreateFile, and while every instance is
// busy, a retry on a steady_timer (WaitNamedPipe would block the
// io_context's thread). Cancellable through the handler's slot, bounded by
// busy_timeout (named_pipe_connect_retry says when to try again).

#include <iocpx/detail/cancellation.hpp>
#include <iocpx/windows/detail/named_pipe_connect_retry.hpp>
#include <iocpx/windows/basic_named_pipe.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

// The retry timer of an async_connect, linked with its pipe while the
// connect waits for a busy pipe: the pipe's close() (also its destructor)
// and cancel() abort the wait through it, and whichever of the two goes
// first unlinks itself, so neither touches the other after it is gone.
template <typename Executor>
struct named_pipe_connect_wait
{
  using timer_type = asio::basic_waitable_timer<std::chrono::steady_clock,
      asio::wait_traits<std::chrono::steady_clock>, Executor>;

  named_pipe_connect_wait(basic_named_pipe<Executor>* p, const Executor& ex)
    : timer(ex), pipe(p)
  {
    pipe->connect_wait_ = this;
  }

  named_pipe_connect_wait(const named_pipe_connect_wait&) = delete;
  named_pipe_connect_wait& operator=(const named_pipe_connect_wait&) = delete;

  ~named_pipe_connect_wait()
  {
    if (pipe)
      pipe->connect_wait_ = nullptr;
  }

  // The pipe is closed, cancelled or destroyed: the connect ends with
  // operation_aborted at its next step and no longer touches the pipe.
  void abort() noexcept
  {
    if (pipe)
      std::exchange(pipe, nullptr)->connect_wait_ = nullptr;
    try
    {
      timer.cancel();
    }
    catch (...)
    {
      // The step after the wait sees the abort all the same.
    }
  }

  timer_type timer;
  basic_named_pipe<Executor>* pipe; // null once aborted
};

template <typename Executor>
class named_pipe_connect_op
{
public:
  using wait_type = named_pipe_connect_wait<Executor>;

  named_pipe_connect_op(basic_named_pipe<Executor>* pipe, std::wstring name,
      boost::system::error_code name_ec, const named_pipe_connect_options& options)
    : pipe_(pipe), name_(std::move(name)), result_(name_ec), options_(options)
  {
  }

  template <typename Self>
  void operator()(Self& self, boost::system::error_code ec = {})
  {
    switch (step_)
    {
    case step::start:
      if (!result_ && pipe_->is_open())
        result_ = asio::error::already_open;
      // One connect at a time: the pipe links to one waiting connect only
      // (the one its close() and cancel() end), so a second one would cut
      // the first loose — to retry on after the pipe was closed.
      if (!result_ && pipe_->connect_wait_)
        result_ = asio::error::already_started;
      if (result_)
        return deliver_later(self);
      retry_ = named_pipe_connect_retry(options_); // busy_timeout counts from here
      return attempt(self, true);

    case step::retry:
      if (!timer_->pipe) // the pipe was closed, cancelled or destroyed meanwhile
        return finish(self, asio::error::operation_aborted);
      if (ec || iocpx::detail::cancellation_requested(self))
        return finish(self, ec ? ec : boost::system::error_code(asio::error::operation_aborted));
      // Opened meanwhile (connect(), assign()): opening an instance now
      // would bind it over the pipe's handle, which would leak, and the
      // pipe would talk to another server than the one it was given.
      if (pipe_->is_open())
        return finish(self, asio::error::already_open);
      return attempt(self, false);

    case step::deliver:
      return finish(self, result_);
    }
  }

private:
  enum class step
  {
    start,
    retry,
    deliver
  };

  // Completes after a retry. The timer's memory is the handler's
  // allocator's, and goes back before the handler runs (Asio's rule: the
  // handler may reuse or tear down that memory); its wait is over.
  template <typename Self>
  void finish(Self& self, const boost::system::error_code& ec)
  {
    const boost::system::error_code result = ec; // may refer to result_
    timer_.reset();
    self.complete(result);
  }

  // The outcome is known inside the initiating call: deliver it through
  // the executor, never inline.
  template <typename Self>
  void deliver_later(Self& self)
  {
    step_ = step::deliver;
    asio::post(pipe_->get_executor(), std::move(self));
    // (Later completions of the handler running here go behind it.)
    iocpx::detail::delivery_scope::post_later_ones(
        iocpx::detail::execution_context_key(pipe_->get_executor()));
  }

  template <typename Self>
  void attempt(Self& self, bool inside_initiation)
  {
    boost::system::error_code ec;
    const bool busy = pipe_->open_client(name_, options_, ec);
    if (!retry_.again(busy, ec))
    {
      result_ = ec;
      if (inside_initiation)
        return deliver_later(self);
      return finish(self, result_);
    }

    // Busy (or gone a moment): wait a little (1 ms, doubling up to 50 ms)
    // and try again.
    if (!timer_) // from the handler's allocator, as the rest of the operation
      timer_ = std::allocate_shared<wait_type>(
          asio::get_associated_allocator(self), pipe_, pipe_->get_executor());
    step_ = step::retry;
    timer_->timer.expires_after(retry_.backoff());
    auto& timer = timer_->timer;
    timer.async_wait(std::move(self));
  }

  basic_named_pipe<Executor>* pipe_;
  std::wstring name_;
  boost::system::error_code result_;
  named_pipe_connect_options options_;
  named_pipe_connect_retry retry_; // started by step::start
  std::shared_ptr<wait_type> timer_; // (shared: allocate_shared takes an allocator)
  step step_ = step::start;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_IMPL_NAMED_PIPE_CONNECT_HPP
