// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Zero heap allocations per wait in steady state: set -> handler -> re-wait
// on an io_context thread (the way an overlapped completion callback drives
// a registration), and async_poll likewise. Counts every global operator new
// of this program.

#include <iocpx/poller.hpp>
#include <iocpx/registration.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>

// ThreadSanitizer's runtime defines the global operator new itself (it
// cannot be replaced there): the loops still run and are checked, but the
// allocation counts are only checked in the other builds.
#if defined(__SANITIZE_THREAD__)
#  define IOCPX_TEST_NO_NEW_COUNT 1
#elif defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define IOCPX_TEST_NO_NEW_COUNT 1
#  endif
#endif

namespace {
std::atomic<std::size_t> allocations{0};
}

#if !defined(IOCPX_TEST_NO_NEW_COUNT)
void* operator new(std::size_t n)
{
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::event;
using iocpx::ready;
using iocpx::trigger;

BOOST_AUTO_TEST_SUITE(readiness_allocation)

BOOST_AUTO_TEST_CASE(wait_set_rewait_allocates_nothing_in_steady_state)
{
  asio::io_context io;
  iocpx::registration reg(io);
  const iocpx::set_readiness s = reg.setter();
  constexpr int warmup = 100, measured = 10000;
  int count = 0;
  std::size_t before = 0, after = 0;

  struct loop
  {
    iocpx::registration* reg;
    const iocpx::set_readiness* s;
    int* count;
    std::size_t* before;
    std::size_t* after;

    void operator()(error_code ec, ready r) const
    {
      if (ec || !r.is_readable())
        return;
      ++*count;
      if (*count == warmup)
        *before = allocations.load();
      if (*count == warmup + measured)
      {
        *after = allocations.load();
        return;
      }
      s->clear(ready::readable());
      reg->async_wait(ready::readable(), *this); // pending
      s->add(ready::readable());                 // completes it (posted)
    }
  };

  reg.async_wait(ready::readable(), loop{&reg, &s, &count, &before, &after});
  asio::post(io, [&] { s.add(ready::readable()); });
  io.run();
  BOOST_TEST(count == warmup + measured);
#if !defined(IOCPX_TEST_NO_NEW_COUNT)
  BOOST_TEST(before > 0u); // the counter counts
  BOOST_TEST(after - before == 0u);
#else
  BOOST_TEST_MESSAGE("allocation counts not checked under ThreadSanitizer");
#endif
}

BOOST_AUTO_TEST_CASE(poll_set_repoll_allocates_nothing_in_steady_state)
{
  asio::io_context io;
  iocpx::poller poller(io);
  iocpx::registration reg(io);
  poller.add(reg, 1, ready::readable(), trigger::edge);
  const iocpx::set_readiness s = reg.setter();
  std::array<event, 8> ev;
  constexpr int warmup = 100, measured = 10000;
  int count = 0;
  std::size_t before = 0, after = 0;

  struct loop
  {
    iocpx::poller* poller;
    std::array<event, 8>* ev;
    const iocpx::set_readiness* s;
    int* count;
    std::size_t* before;
    std::size_t* after;

    void operator()(error_code ec, std::size_t n) const
    {
      if (ec || n != 1)
        return;
      ++*count;
      if (*count == warmup)
        *before = allocations.load();
      if (*count == warmup + measured)
      {
        *after = allocations.load();
        return;
      }
      s->clear(ready::readable());
      poller->async_poll(*ev, *this);
      s->add(ready::readable());
    }
  };

  poller.async_poll(ev, loop{&poller, &ev, &s, &count, &before, &after});
  asio::post(io, [&] { s.add(ready::readable()); });
  io.run();
  BOOST_TEST(count == warmup + measured);
#if !defined(IOCPX_TEST_NO_NEW_COUNT)
  BOOST_TEST(before > 0u); // the counter counts
  BOOST_TEST(after - before == 0u);
#else
  BOOST_TEST_MESSAGE("allocation counts not checked under ThreadSanitizer");
#endif
}

BOOST_AUTO_TEST_SUITE_END()
