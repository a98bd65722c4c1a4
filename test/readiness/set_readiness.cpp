// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/set_readiness.hpp>

#include <iocpx/registration.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::ready;

BOOST_AUTO_TEST_SUITE(readiness_set_readiness)

BOOST_AUTO_TEST_CASE(set_add_clear_get_return_previous)
{
  asio::io_context io;
  iocpx::registration reg(io);
  iocpx::set_readiness s = reg.setter();
  BOOST_TEST(s.get().is_none());
  BOOST_TEST(s.add(ready::readable()).is_none());
  BOOST_TEST(s.add(ready::writable()) == ready::readable());
  BOOST_TEST(s.get() == (ready::readable() | ready::writable()));
  BOOST_TEST(s.clear(ready::readable()) == (ready::readable() | ready::writable()));
  BOOST_TEST(s.get() == ready::writable());
  BOOST_TEST(s.set(ready::error()) == ready::writable());
  BOOST_TEST(s.get() == ready::error());
  BOOST_TEST(s.set(ready::none()) == ready::error());
  BOOST_TEST(reg.readiness().is_none());
  error_code ec;
  BOOST_TEST(s.add(ready::priority(), ec).is_none());
  BOOST_TEST(!ec);
  BOOST_TEST(s.get(ec) == ready::priority());
  BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(copies_share_the_registration)
{
  asio::io_context io;
  iocpx::registration reg(io), other(io);
  iocpx::set_readiness a = reg.setter();
  iocpx::set_readiness b = a;
  iocpx::set_readiness c = other.setter();
  BOOST_TEST((a == b));
  BOOST_TEST((a == reg.setter()));
  BOOST_TEST((a != c));
  b.add(ready::hangup());
  BOOST_TEST(a.get() == ready::hangup());
  BOOST_TEST(c.get().is_none());
}

BOOST_AUTO_TEST_CASE(default_constructed_and_orphaned_setters_report_gone)
{
  iocpx::set_readiness empty;
  BOOST_TEST(!empty.registration_alive());
  error_code ec;
  BOOST_TEST(empty.set(ready::readable(), ec).is_none());
  BOOST_TEST(ec == iocpx::error::registration_gone);
  empty.add(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  empty.clear(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  empty.get(ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);

  asio::io_context io;
  iocpx::set_readiness orphan;
  {
    iocpx::registration reg(io);
    orphan = reg.setter();
    orphan.set(ready::readable());
    BOOST_TEST(orphan.registration_alive());
  }
  BOOST_TEST(!orphan.registration_alive());
  orphan.set(ready::writable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  orphan.get(ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  try
  {
    orphan.add(ready::readable());
    BOOST_FAIL("expected an exception");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == iocpx::error::registration_gone);
  }
  BOOST_CHECK_THROW(orphan.clear(ready::readable()), boost::system::system_error);
  BOOST_CHECK_THROW(orphan.get(), boost::system::system_error);
  BOOST_CHECK_THROW(orphan.set(ready::none()), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(error_overload_clears_a_stale_error)
{
  asio::io_context io;
  iocpx::registration reg(io);
  error_code ec = iocpx::error::would_block;
  reg.setter().add(ready::readable(), ec);
  BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(concurrent_adds_and_clears_keep_every_bit_accounted)
{
  // Each thread owns one kind, sets and clears it; the previous values
  // returned must form a consistent history of that bit.
  asio::io_context io;
  iocpx::registration reg(io);
  const ready kinds[] = {ready::readable(), ready::writable(), ready::error(), ready::hangup()};
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (ready k : kinds)
  {
    threads.emplace_back([&, k, s = reg.setter()]() mutable {
      for (int i = 0; i < 2000; ++i)
      {
        if (s.add(k).intersects(k))
          ++bad; // this thread alone sets k: it was clear before
        if (!s.clear(k).intersects(k))
          ++bad; // and it was set before clearing
      }
    });
  }
  for (auto& t : threads)
    t.join();
  BOOST_TEST(bad.load() == 0);
  BOOST_TEST(reg.readiness().is_none());
}

BOOST_AUTO_TEST_CASE(setter_racing_the_registration_destructor)
{
  asio::io_context io;
  for (int round = 0; round < 50; ++round)
  {
    auto reg = std::make_unique<iocpx::registration>(io);
    iocpx::set_readiness s = reg->setter();
    // The destructor runs only once the setter is busy (it has changed the
    // readiness once), and the setter goes on until it sees the registration
    // gone: every round overlaps the two.
    std::atomic<bool> started{false};
    std::atomic<int> bad{0};
    std::thread t([&] {
      error_code ec;
      for (long i = 0;; ++i)
      {
        s.add(ready::readable(), ec);
        if (ec)
        {
          if (ec != iocpx::error::registration_gone)
            ++bad; // Boost.Test is not thread-safe: check on the main thread
          break;
        }
        started = true;
        s.clear(ready::readable(), ec);
        if (i == 100000000)
        {
          ++bad; // the registration never went
          break;
        }
      }
    });
    while (!started.load())
      std::this_thread::yield();
    reg.reset();
    t.join();
    BOOST_TEST(bad.load() == 0);
    error_code ec;
    s.add(ready::readable(), ec);
    BOOST_TEST(ec == iocpx::error::registration_gone);
  }
}

BOOST_AUTO_TEST_SUITE_END()
