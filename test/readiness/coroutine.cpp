// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// C++20 only: use_awaitable / co_await with registrations and pollers,
// including the default completion token of a rebound I/O object.

// Before any Boost header: Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility> (an error with gcc 12 in C++20).
#include <utility>

#include <iocpx/poller.hpp>
#include <iocpx/registration.hpp>

#include "../common/asio_features.hpp"

#include <boost/test/unit_test.hpp>

#if defined(IOCPX_HAS_CO_AWAIT)

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple: Boost 1.80
#  include <boost/asio/as_tuple.hpp>
#else
#  include <boost/asio/redirect_error.hpp>
#endif
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <exception>
#include <thread>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::event;
using iocpx::ready;
using iocpx::trigger;

BOOST_AUTO_TEST_SUITE(readiness_coroutine)

BOOST_AUTO_TEST_CASE(co_await_wait_and_poll)
{
  asio::io_context io;
  iocpx::registration reg(io);
  iocpx::poller poller(io);
  poller.add(reg, 77, ready::writable(), trigger::edge);
  ready waited;
  std::size_t polled = 0;
  std::array<event, 4> ev;
  bool finished = false;
  asio::co_spawn(io,
      [&]() -> asio::awaitable<void> {
        waited = co_await reg.async_wait(ready::readable(), asio::use_awaitable);
        polled = co_await poller.async_poll(ev, asio::use_awaitable);
        finished = true;
      },
      [](std::exception_ptr e) {
        if (e)
          std::rethrow_exception(e);
      });
  io.poll();
  BOOST_TEST(!finished);
  reg.setter().add(ready::readable());
  io.restart();
  io.poll();
  BOOST_TEST(waited == ready::readable());
  BOOST_TEST(!finished);
  reg.setter().add(ready::writable());
  io.restart();
  io.run();
  BOOST_TEST(finished);
  BOOST_TEST(polled == 1u);
  BOOST_TEST((ev[0] == event{77, ready::writable()}));
}

BOOST_AUTO_TEST_CASE(default_token_as_default_on)
{
  using awaitable_registration = asio::use_awaitable_t<>::as_default_on_t<iocpx::registration>;
  asio::io_context io;
  awaitable_registration reg(io);
  error_code got;
  bool second_done = false;
  asio::co_spawn(io,
      [&]() -> asio::awaitable<void> {
        try
        {
          co_await reg.async_wait(ready::none()); // default token: use_awaitable
        }
        catch (const boost::system::system_error& e)
        {
          got = e.code();
        }
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple: Boost 1.80; redirect_error before that
        auto [ec, r] = co_await reg.async_wait(ready::none(), asio::as_tuple(asio::use_awaitable));
#else
        error_code ec;
        ready r = co_await reg.async_wait(ready::none(), asio::redirect_error(asio::use_awaitable, ec));
#endif
        BOOST_TEST(ec == iocpx::error::empty_interest);
        BOOST_TEST(r.is_none());
        second_done = true;
      },
      asio::detached);
  io.run();
  BOOST_TEST(got == iocpx::error::empty_interest);
  BOOST_TEST(second_done); // the second wait's handler ran (not just destroyed)
}

BOOST_AUTO_TEST_CASE(co_await_set_from_a_foreign_thread)
{
  asio::io_context io;
  iocpx::registration reg(io);
  int rounds = 0;
  asio::co_spawn(io,
      [&]() -> asio::awaitable<void> {
        auto s = reg.setter();
        for (int i = 0; i < 100; ++i)
        {
          co_await reg.async_wait(ready::readable(), asio::use_awaitable);
          s.clear(ready::readable());
          ++rounds;
        }
      },
      asio::detached);
  std::thread producer([s = reg.setter()] {
    // Keep setting until the registration has seen 100 rounds; sets
    // coalesce, so the producer cannot know how many it needs. (No count
    // of its own either: one that ran out while the consumer's thread was
    // kept from running, on a loaded machine, would leave the last wait
    // pending and io.run() would never return.)
    error_code ec;
    for (unsigned i = 0;; ++i)
    {
      s.add(ready::readable(), ec);
      if (ec) // registration_gone: the consumer is done
        break;
      std::this_thread::yield();
      if (i % 64 == 0)
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  io.run();
  BOOST_TEST(rounds == 100);
  reg = iocpx::registration(io); // ends the producer's loop
  producer.join();
}

BOOST_AUTO_TEST_SUITE_END()

#else

BOOST_AUTO_TEST_CASE(coroutines_unavailable)
{
  BOOST_TEST_MESSAGE("no C++20 coroutine support: nothing to test");
  BOOST_TEST(true);
}

#endif
