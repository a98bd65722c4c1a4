// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Zero heap allocations per wait in steady state: set -> handler -> re-wait
// on an io_context thread (the way an overlapped completion callback drives
// a registration), and async_poll likewise. Counts every global operator new
// of this program.

#include "../common/alloc_counter.hpp"
#include "../common/fault_injection.hpp"
#include "../common/asio_features.hpp"
#include "../common/tracking_allocator.hpp"

#include <iocpx/detail/delivery_allocator.hpp>
#include <iocpx/poller.hpp>
#include <iocpx/registration.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/version.hpp>

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // bind_allocator: Boost 1.80; slots: 1.77
#  include <boost/asio/bind_allocator.hpp>
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::event;
using iocpx::ready;
using iocpx::trigger;

namespace {

// Asio keeps freed operation blocks in a per-thread cache: two of them
// where it has BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE (Boost 1.81), one
// in Boost 1.74, where the test's own unrelated post would take the block
// a posted wait needs, so it is left out there.
#if defined(BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE)
constexpr bool asio_caches_two_blocks = BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE >= 2;
#else
constexpr bool asio_caches_two_blocks = false;
#endif
static_assert(BOOST_VERSION < 108100 || asio_caches_two_blocks,
    "the macro is seen where it exists (by default two blocks)");

// How the handler of a wait starts the next wait.
enum class rearm
{
  in_the_handler,     // itself, at once
  through_posted_work // through a plain handler it posts
};

// set -> handler -> re-wait, 100 cycles of warm-up and then 10,000
// counted: the program's heap allocations over the counted cycles.
struct wait_loop
{
  static constexpr int warmup = 100;
  static constexpr int measured = 10000;

  asio::io_context* io;
  iocpx::registration* reg;
  const iocpx::set_readiness* s;
  rearm how;
  int* count;
  long long* before;
  long long* after;

  void operator()(error_code ec, ready r) const
  {
    if (ec || !r.is_readable())
      return;
    ++*count;
    if (*count == warmup)
      *before = iocpx_test::allocations();
    if (*count == warmup + measured)
    {
      *after = iocpx_test::allocations();
      return;
    }
    s->clear(ready::readable());
    if (how == rearm::in_the_handler)
    {
      reg->async_wait(ready::readable(), *this); // pending
      s->add(ready::readable());                 // completes it (posted)
      return;
    }
    if (asio_caches_two_blocks)
      asio::post(*io, [] {});
    wait_loop self = *this;
    asio::post(*io, [self] {
      self.reg->async_wait(ready::readable(), self);
      self.s->add(ready::readable());
    });
  }
};

void check_steady_state_allocations(rearm how)
{
  asio::io_context io;
  iocpx::registration reg(io);
  const iocpx::set_readiness s = reg.setter();
  int count = 0;
  long long before = 0, after = 0;
  reg.async_wait(ready::readable(), wait_loop{&io, &reg, &s, how, &count, &before, &after});
  asio::post(io, [&] { s.add(ready::readable()); });
  io.run();
  BOOST_TEST(count == wait_loop::warmup + wait_loop::measured);
  if (iocpx_test::counting_allocations())
  {
    BOOST_TEST(before > 0); // the counter counts
    BOOST_TEST(after - before == 0);
  }
  else
  {
    BOOST_TEST_MESSAGE("allocation counts not checked under ThreadSanitizer");
  }
}

} // namespace

namespace {

// A handler whose associated allocator lives in the handler and is changed
// by a move (any_completion_handler's is emptied): the operation's memory
// must be freed with the allocator asked before the handler was moved out.
// A moved-from handler's allocator logs into moved_from_log().
iocpx_test::allocator_log& moved_from_log()
{
  static iocpx_test::allocator_log log;
  return log;
}

template <typename Result>
struct allocator_changed_by_move
{
  using allocator_type = iocpx_test::tracking_allocator<void>;

  iocpx_test::allocator_log* log;
  int* calls;

  allocator_changed_by_move(iocpx_test::allocator_log* l, int* c) noexcept : log(l), calls(c) {}
  allocator_changed_by_move(allocator_changed_by_move&& o) noexcept
    : log(std::exchange(o.log, &moved_from_log())), calls(o.calls)
  {
  }

  allocator_type get_allocator() const noexcept
  {
    return allocator_type(log);
  }

  void operator()(error_code ec, Result) const
  {
    BOOST_TEST(!ec);
    ++*calls;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(readiness_allocation)

// (Until 2026-11-29 the block of a wait or poll was freed with the
// allocator of the moved-from handler. Found by review.)
BOOST_AUTO_TEST_CASE(an_operation_is_freed_with_the_allocator_of_its_handler_before_the_move)
{
  asio::io_context io;
  iocpx::registration r(io);
  iocpx::poller p(io);
  iocpx::registration q(io);
  p.add(q, 7, ready::readable());
  iocpx_test::allocator_log log;
  int calls = 0;
  r.async_wait(ready::readable(), allocator_changed_by_move<ready>(&log, &calls));
  static std::array<event, 2> events;
  p.async_poll(events, allocator_changed_by_move<std::size_t>(&log, &calls));
  BOOST_TEST(log.allocations.load() == 2);
  r.setter().set(ready::readable());
  q.setter().set(ready::readable());
  io.run();
  BOOST_TEST(calls == 2);
  // (The posts of the two completions allocate with it too.)
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
  BOOST_TEST(moved_from_log().deallocations.load() == 0);
}

BOOST_AUTO_TEST_CASE(wait_set_rewait_allocates_nothing_in_steady_state)
{
  check_steady_state_allocations(rearm::in_the_handler);
}

BOOST_AUTO_TEST_CASE(a_handler_that_rearms_through_posted_work_allocates_nothing_in_steady_state)
{
  // The wait is re-armed not by its handler but by a plain handler it
  // posts (after a second, unrelated post where Asio caches two blocks per
  // thread): the finished wait's block must be back in Asio's per-thread
  // cache while the handler runs, where those posts take it from. (Boost
  // 1.74 caches one block: a single post then.)
  check_steady_state_allocations(rearm::through_posted_work);
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
  long long before = 0, after = 0;

  struct loop
  {
    iocpx::poller* poller;
    std::array<event, 8>* ev;
    const iocpx::set_readiness* s;
    int* count;
    long long* before;
    long long* after;

    void operator()(error_code ec, std::size_t n) const
    {
      if (ec || n != 1)
        return;
      ++*count;
      if (*count == warmup)
        *before = iocpx_test::allocations();
      if (*count == warmup + measured)
      {
        *after = iocpx_test::allocations();
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
  if (iocpx_test::counting_allocations())
  {
    BOOST_TEST(before > 0); // the counter counts
    BOOST_TEST(after - before == 0);
  }
  else
  {
    BOOST_TEST_MESSAGE("allocation counts not checked under ThreadSanitizer");
  }
}

// A set() on a thread that is not running the io_context posts the
// delivery from a thread where Asio keeps no cache of operation memory:
// iocpx's delivery_pool serves it, and the io_context's thread gives the
// block back. (Before it, each notification cost one heap allocation on the
// setter's thread, and before that a second one on the io_context's
// thread, whose cache the setter's small blocks crowded.)
BOOST_AUTO_TEST_CASE(a_set_from_another_thread_allocates_nothing_in_steady_state)
{
  asio::io_context io;
  iocpx::registration reg(io);
  const iocpx::set_readiness s = reg.setter();
  constexpr long warmup = 100, total = 2100;
  std::atomic<long> seen{0};
  long long before = 0, after = 0;

  struct loop
  {
    iocpx::registration* reg;
    const iocpx::set_readiness* s;
    std::atomic<long>* seen;
    long long* before;
    long long* after;

    void operator()(error_code ec, ready r) const
    {
      if (ec || !r.is_readable())
        return;
      s->clear(ready::readable());
      const long n = seen->load(std::memory_order_relaxed) + 1;
      if (n == warmup)
        *before = iocpx_test::allocations();
      if (n == total)
        *after = iocpx_test::allocations();
      else
        reg->async_wait(ready::readable(), *this);
      seen->store(n, std::memory_order_release); // the setter's cue
    }
  };

  reg.async_wait(ready::readable(), loop{&reg, &s, &seen, &before, &after});
  std::atomic<bool> gave_up{false};
  std::thread setter([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    long last = 0;
    while (last < total)
    {
      s.set(ready::readable());
      while (seen.load(std::memory_order_acquire) == last)
      {
        if (std::chrono::steady_clock::now() > deadline)
        {
          gave_up = true;
          io.stop();
          return;
        }
        std::this_thread::yield();
      }
      last = seen.load(std::memory_order_acquire);
    }
  });
  io.run();
  setter.join();
  BOOST_TEST(!gave_up);
  BOOST_TEST(seen.load() == total);
  if (iocpx_test::counting_allocations())
  {
    BOOST_TEST(before > 0); // the counter counts
    BOOST_TEST(after - before == 0);
  }
  else
  {
    BOOST_TEST_MESSAGE("allocation counts not checked under ThreadSanitizer");
  }
}

// More deliveries posted from outside run() at once than delivery_pool has
// blocks: the rest come from the heap, every handler runs, and the blocks
// go back (a second round is served the same way).
BOOST_AUTO_TEST_CASE(deliveries_beyond_the_pools_blocks_come_from_the_heap)
{
  constexpr int count = 200;
  constexpr long long beyond_pool = count - static_cast<long long>(iocpx::detail::delivery_pool::block_count);
  asio::io_context io;
  std::vector<std::unique_ptr<iocpx::registration>> regs;
  std::vector<iocpx::set_readiness> setters;
  for (int i = 0; i < count; ++i)
  {
    regs.push_back(std::make_unique<iocpx::registration>(io));
    setters.push_back(regs.back()->setter());
  }
  for (int round = 0; round < 2; ++round)
  {
    int delivered = 0;
    for (auto& r : regs)
      r->async_wait(ready::readable(), [&](error_code ec, ready) {
        if (!ec)
          ++delivered;
      });
    long long allocated = 0;
    std::thread setter([&] {
      const long long before = iocpx_test::allocations();
      for (auto& s : setters)
        s.set(ready::readable()); // the io_context is not running: posted
      allocated = iocpx_test::allocations() - before;
    });
    setter.join();
    io.restart();
    io.run();
    BOOST_TEST(delivered == count);
    if (iocpx_test::counting_allocations())
      BOOST_TEST(allocated == beyond_pool); // the pool's blocks all came back
    for (auto& s : setters)
      s.clear(ready::readable());
  }
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // bind_allocator: Boost 1.80; slots: 1.77
// Connecting the handler's cancellation slot allocates (Asio's slot memory,
// from the global heap outside a loop). When that fails, the operation is
// already made: it must be freed, its handler destroyed and its work given
// back, or run() never returns.
BOOST_AUTO_TEST_CASE(a_cancellation_slot_that_cannot_allocate_leaks_no_operation,
    *iocpx_test::needs_injected_allocation_failures())
{
  asio::io_context io;
  iocpx::registration reg(io);
  iocpx::poller poller(io);
  iocpx_test::allocator_log log; // the operations' memory (malloc: not failed)
  asio::cancellation_signal sig;
  auto handler = [&](auto&&...) { BOOST_FAIL("the handler of a failed start ran"); };
  auto token = [&] {
    return asio::bind_cancellation_slot(sig.slot(),
        asio::bind_allocator(iocpx_test::tracking_allocator<void>(&log), handler));
  };
  iocpx_test::fail_next_allocations(1);
  BOOST_CHECK_THROW(reg.async_wait(ready::readable(), token()), std::bad_alloc);
  iocpx_test::fail_next_allocations(0);
  std::array<event, 4> ev;
  iocpx_test::fail_next_allocations(1);
  BOOST_CHECK_THROW(poller.async_poll(ev, token()), std::bad_alloc);
  iocpx_test::fail_next_allocations(0);
  BOOST_TEST(log.allocations.load() == 2);
  BOOST_TEST(log.deallocations.load() == 2);
  BOOST_TEST(log.live_bytes.load() == 0);
  // No work left behind: poll() finds none and stops the context.
  io.poll();
  BOOST_TEST(io.stopped());
}
#endif

// Converting a registration (or poller) to another executor type converts
// the executor, and an any_io_executor made from a large executor (a strand
// of an any_io_executor) allocates its target: that move can throw, so it is
// not noexcept (it terminated the program), and a failed one leaves both
// objects as they were.
BOOST_AUTO_TEST_CASE(a_converting_move_that_cannot_allocate_throws_and_changes_nothing,
    *iocpx_test::needs_injected_allocation_failures())
{
  using strand_type = asio::strand<asio::any_io_executor>;
  asio::io_context io;
  iocpx::basic_registration<strand_type> from(asio::make_strand(asio::any_io_executor(io.get_executor())));
  iocpx::registration to(io);
  from.setter().set(ready::readable());
  to.setter().set(ready::writable());
  iocpx_test::fail_next_allocations(1);
  BOOST_CHECK_THROW(iocpx::registration r(std::move(from)), std::bad_alloc);
  iocpx_test::fail_next_allocations(1);
  BOOST_CHECK_THROW(to = std::move(from), std::bad_alloc);
  iocpx_test::fail_next_allocations(0);
  BOOST_TEST(from.is_open());
  BOOST_TEST(from.readiness() == ready::readable());
  BOOST_TEST(to.is_open());
  BOOST_TEST(to.readiness() == ready::writable());
  iocpx::basic_poller<strand_type> pfrom(from.get_executor());
  iocpx::poller pto(io);
  iocpx_test::fail_next_allocations(1);
  BOOST_CHECK_THROW(iocpx::poller p(std::move(pfrom)), std::bad_alloc);
  iocpx_test::fail_next_allocations(1);
  BOOST_CHECK_THROW(pto = std::move(pfrom), std::bad_alloc);
  iocpx_test::fail_next_allocations(0);
  BOOST_TEST(pfrom.is_open());
  BOOST_TEST(pto.is_open());
  // Once the executor converts, the move works.
  to = std::move(from);
  BOOST_TEST(to.readiness() == ready::readable());
  BOOST_TEST(!from.is_open());
}

// A source that goes away leaves its poller entry (and, through it, its
// core) behind until the poller next takes its lock for something that can
// free them. A program that adds its sources once and from then on only
// polls must free them too, or every source it ever closed stays in memory.
BOOST_AUTO_TEST_CASE(a_poller_that_only_polls_frees_the_entries_of_sources_that_went_away,
    *iocpx_test::needs_counted_allocations())
{
  constexpr int sources = 100;
  asio::io_context io;
  iocpx::poller poller(io);
  iocpx::registration keep(io);
  poller.add(keep, 0, ready::readable(), iocpx::trigger::edge);
  std::vector<std::unique_ptr<iocpx::registration>> gone;
  for (int i = 1; i <= sources; ++i)
  {
    gone.push_back(std::make_unique<iocpx::registration>(io));
    poller.add(*gone.back(), std::size_t(i), ready::readable(), iocpx::trigger::edge);
  }
  gone.clear();

  std::array<iocpx::event, 4> events;
  std::size_t polled = 0;
  const long long freed_before = iocpx_test::deallocations();
  poller.async_poll(events, [&](boost::system::error_code ec, std::size_t n) {
    BOOST_TEST(!ec);
    polled = n;
  });
  keep.setter().set(ready::readable());
  io.run();
  BOOST_TEST(polled == 1u);
  BOOST_TEST(events[0].token == 0u);
  // Each source's entry and core (the registrations themselves are gone).
  BOOST_TEST(iocpx_test::deallocations() - freed_before >= 2 * sources);
}

BOOST_AUTO_TEST_SUITE_END()
