// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A mio-style event loop on iocpx::poller.
//
// Two readiness sources, each added to one poller with its own token:
// - a message queue fed by a producer thread (readable while not empty),
// - a ticker driven by an Asio timer (readable while ticks are unread).
// The loop takes events in batches with async_poll and dispatches on the
// token; each source is drained until it reports would_block, which is
// also the moment its readiness is cleared. The last part shows the
// synchronous form, poll(events, timeout), for loops ported from mio/epoll.

#include <iocpx/error.hpp>
#include <iocpx/event.hpp>
#include <iocpx/poller.hpp>
#include <iocpx/registration.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;

// A queue that any thread may push to; a readiness source.
class message_queue
{
public:
  explicit message_queue(asio::io_context& io) : reg_(io), ready_(reg_.setter()) {}

  // The ReadinessSource concept.
  iocpx::registration& readiness_registration() noexcept { return reg_; }

  // Any thread.
  void push(std::string m)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(m));
    ready_.add(iocpx::ready::readable());
  }

  // Takes one message, or reports would_block and clears the readiness.
  // Clearing under the same lock as push() means a push can never be
  // hidden by a clear that happened after it.
  std::optional<std::string> try_pop(error_code& ec)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (items_.empty())
    {
      ready_.clear(iocpx::ready::readable());
      ec = iocpx::error::would_block;
      return std::nullopt;
    }
    ec.clear();
    std::string m = std::move(items_.front());
    items_.pop_front();
    return m;
  }

private:
  iocpx::registration reg_;
  iocpx::set_readiness ready_;
  std::mutex mutex_;
  std::deque<std::string> items_;
};

// A periodic timer as a readiness source.
class ticker
{
public:
  ticker(asio::io_context& io, std::chrono::milliseconds period)
    : reg_(io), ready_(reg_.setter()), timer_(io), period_(period)
  {
    arm();
  }

  iocpx::registration& readiness_registration() noexcept { return reg_; }

  // Ticks since the last call; would_block when there were none.
  int try_take(error_code& ec)
  {
    if (ticks_ == 0)
    {
      ready_.clear(iocpx::ready::readable());
      ec = iocpx::error::would_block;
      return 0;
    }
    ec.clear();
    return std::exchange(ticks_, 0);
  }

  // A tick whose handler is already queued is not cancelled by cancel():
  // the flag stops the chain too.
  void stop()
  {
    stopped_ = true;
    timer_.cancel();
  }

private:
  void arm()
  {
    timer_.expires_after(period_);
    timer_.async_wait([this](error_code ec) {
      if (ec || stopped_)
        return;
      ++ticks_; // this handler and try_take both run on the io_context thread
      ready_.add(iocpx::ready::readable());
      arm();
    });
  }

  iocpx::registration reg_;
  iocpx::set_readiness ready_;
  asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  int ticks_ = 0;
  bool stopped_ = false;
};

// Tokens, as in mio.
constexpr std::size_t queue_token = 0;
constexpr std::size_t ticker_token = 1;

class event_loop
{
public:
  event_loop(asio::io_context& io, message_queue& q, ticker& t)
    : poller_(io), queue_(q), ticker_(t), events_(16)
  {
    poller_.add(queue_, queue_token, iocpx::ready::readable(), iocpx::trigger::edge);
    poller_.add(ticker_, ticker_token, iocpx::ready::readable(), iocpx::trigger::edge);
  }

  void start()
  {
    poller_.async_poll(events_, [this](error_code ec, std::size_t n) { on_events(ec, n); });
  }

private:
  void on_events(error_code ec, std::size_t n)
  {
    if (ec)
      return;
    for (std::size_t i = 0; i < n; ++i)
    {
      switch (events_[i].token)
      {
      case queue_token:
        drain_queue();
        break;
      case ticker_token:
        drain_ticker();
        break;
      }
    }
    if (!done_)
      start();
  }

  void drain_queue()
  {
    error_code ec;
    while (auto m = queue_.try_pop(ec))
    {
      std::cout << "message: " << *m << '\n';
      if (*m == "quit")
      {
        done_ = true;
        ticker_.stop();
        poller_.remove(queue_);
        poller_.remove(ticker_);
        std::cout << "ticks seen: " << ticks_ << '\n';
        return;
      }
    }
  }

  void drain_ticker()
  {
    error_code ec;
    for (int t; (t = ticker_.try_take(ec)) != 0;)
      ticks_ += t;
  }

  iocpx::poller poller_;
  message_queue& queue_;
  ticker& ticker_;
  std::vector<iocpx::event> events_;
  int ticks_ = 0;
  bool done_ = false;
};

int main()
{
  asio::io_context io;
  message_queue queue(io);
  ticker tick(io, std::chrono::milliseconds(5));
  event_loop loop(io, queue, tick);
  loop.start();

  std::thread producer([&queue] {
    for (int i = 0; i < 5; ++i)
    {
      queue.push("hello #" + std::to_string(i));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    queue.push("quit");
  });
  io.run();
  producer.join();

  // The synchronous form: a blocking mio/epoll-style loop on this thread,
  // with readiness set by another thread.
  iocpx::poller sync_poller(io);
  message_queue q2(io);
  sync_poller.add(q2, 7, iocpx::ready::readable(), iocpx::trigger::level);
  std::thread feeder([&q2] { q2.push("from another thread"); });
  std::vector<iocpx::event> events(4);
  std::size_t n = sync_poller.poll(events, std::chrono::seconds(5));
  feeder.join();
  for (std::size_t i = 0; i < n; ++i)
  {
    error_code ec;
    while (auto m = q2.try_pop(ec))
      std::cout << "token " << events[i].token << ": " << *m << '\n';
  }
  return n == 1 ? 0 : 1;
}
