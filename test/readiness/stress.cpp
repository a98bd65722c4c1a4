// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Stress: 4 threads set readiness on 64 registrations while 2 threads run the
// io_context and re-arm waits (or polls). Every kind that a setter makes
// appear (a 0 -> 1 transition, known exactly from the previous readiness the
// setter returns) must later disappear exactly once, either because a
// handler observed and cleared it or because a setter replaced it. When the
// setters stop, every registration must drain to empty readiness: a kind
// left set with a wait pending would be a lost wake-up. A per-wait flag
// catches a handler that runs twice for one wait.

#include <iocpx/poller.hpp>
#include <iocpx/registration.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <random>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::event;
using iocpx::ready;
using iocpx::trigger;

namespace {

constexpr int registrations = 64;
constexpr int setter_threads = 4;
constexpr int io_threads = 2;
constexpr int kinds = 5;

constexpr int ops_per_setter = 100000;

struct accounting
{
  std::atomic<long> appeared[kinds] = {};
  std::atomic<long> consumed[kinds] = {};
  std::atomic<long> withdrawn[kinds] = {};

  static void count(std::atomic<long>* into, unsigned bits)
  {
    for (int k = 0; k < kinds; ++k)
      if (bits & (1u << k))
        into[k].fetch_add(1, std::memory_order_relaxed);
  }
};

// Random set/add/clear on random registrations, recording transitions.
void run_setter(std::vector<iocpx::set_readiness> setters, std::vector<accounting>* acc,
    unsigned seed)
{
  std::mt19937 rng(seed);
  for (int i = 0; i < ops_per_setter; ++i)
  {
    const int j = static_cast<int>(rng() % registrations);
    const unsigned bits = static_cast<unsigned>(rng() % 32);
    const int what = static_cast<int>(rng() % 10);
    accounting& a = (*acc)[static_cast<std::size_t>(j)];
    iocpx::set_readiness& s = setters[static_cast<std::size_t>(j)];
    if (what < 7)
    {
      const unsigned prev = s.add(ready::from_bits(bits)).bits();
      accounting::count(a.appeared, bits & ~prev);
    }
    else if (what < 9)
    {
      const unsigned prev = s.set(ready::from_bits(bits)).bits();
      accounting::count(a.appeared, bits & ~prev);
      accounting::count(a.withdrawn, prev & ~bits);
    }
    else
    {
      const unsigned prev = s.clear(ready::from_bits(bits)).bits();
      accounting::count(a.withdrawn, prev & bits);
    }
    if ((i & 1023) == 0)
      std::this_thread::yield();
  }
}

bool all_empty(const std::vector<iocpx::set_readiness>& setters)
{
  for (const auto& s : setters)
    if (!s.get().is_none())
      return false;
  return true;
}

// After the setters stopped: every registration must drain to empty
// readiness (a kind left set with a wait pending is a lost wake-up). Then
// stop re-arming; a handler that read `stopping` just before it was set
// re-arms once more, so cancel until no wait is pending.
void settle_and_stop(const std::vector<iocpx::set_readiness>& setters,
    std::vector<std::unique_ptr<iocpx::registration>>& regs,
    const std::vector<std::atomic<bool>>& pending, std::atomic<bool>& stopping)
{
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  bool drained = false;
  while (!(drained = all_empty(setters)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  BOOST_TEST(drained, "lost wake-up: readiness left set with a wait pending");

  stopping = true;
  while (std::any_of(pending.begin(), pending.end(), [](const auto& p) { return p.load(); }))
  {
    for (auto& r : regs)
      r->cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void check_balance(const std::vector<accounting>& acc)
{
  long appeared = 0;
  for (int j = 0; j < registrations; ++j)
  {
    for (int k = 0; k < kinds; ++k)
    {
      const accounting& a = acc[static_cast<std::size_t>(j)];
      const long in = a.appeared[k].load();
      const long out = a.consumed[k].load() + a.withdrawn[k].load();
      appeared += in;
      if (in != out)
        BOOST_ERROR("registration " << j << " kind " << k << ": appeared " << in
                                    << ", consumed " << a.consumed[k].load() << ", withdrawn "
                                    << a.withdrawn[k].load());
    }
  }
  BOOST_TEST(appeared > 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(readiness_stress)

BOOST_AUTO_TEST_CASE(setters_vs_rearmed_waits)
{
  asio::io_context io(io_threads);
  auto guard = asio::make_work_guard(io);
  std::vector<std::unique_ptr<iocpx::registration>> regs;
  std::vector<iocpx::set_readiness> setters;
  std::vector<accounting> acc(registrations);
  std::vector<std::atomic<bool>> pending(registrations);
  std::atomic<long> double_calls{0}, handled{0};
  std::atomic<bool> stopping{false};
  for (int j = 0; j < registrations; ++j)
  {
    regs.push_back(std::make_unique<iocpx::registration>(io));
    setters.push_back(regs.back()->setter());
  }

  struct waiter
  {
    int j;
    iocpx::registration* reg;
    iocpx::set_readiness setter;
    accounting* acc;
    std::atomic<bool>* pending;
    std::atomic<long>* double_calls;
    std::atomic<long>* handled;
    std::atomic<bool>* stopping;

    void arm() const
    {
      pending->store(true);
      reg->async_wait(ready::all(), *this);
    }

    void operator()(error_code ec, ready r) const
    {
      if (!pending->exchange(false))
        double_calls->fetch_add(1);
      if (ec)
        return; // cancelled at the end
      handled->fetch_add(1, std::memory_order_relaxed);
      const unsigned prev = setter.clear(r).bits();
      accounting::count(acc->consumed, prev & r.bits());
      if (!stopping->load())
        arm();
    }
  };

  for (int j = 0; j < registrations; ++j)
    waiter{j, regs[static_cast<std::size_t>(j)].get(), setters[static_cast<std::size_t>(j)],
        &acc[static_cast<std::size_t>(j)], &pending[static_cast<std::size_t>(j)], &double_calls,
        &handled, &stopping}
        .arm();

  std::vector<std::thread> runners;
  for (int i = 0; i < io_threads; ++i)
    runners.emplace_back([&io] { io.run(); });
  std::vector<std::thread> producers;
  for (int i = 0; i < setter_threads; ++i)
    producers.emplace_back(run_setter, setters, &acc, 1000u + static_cast<unsigned>(i));
  for (auto& t : producers)
    t.join();

  settle_and_stop(setters, regs, pending, stopping);
  guard.reset();
  for (auto& t : runners)
    t.join();

  BOOST_TEST_MESSAGE("waits: " << handled.load() << " handlers ran");
  BOOST_TEST(double_calls.load() == 0);
  BOOST_TEST(handled.load() > 0);
  for (auto& p : pending)
    BOOST_TEST(!p.load()); // every wait ended exactly once
  check_balance(acc);
}

// Two waits per registration (one takes the lock-free slot, the other the
// list) re-armed by their handlers, while setters run and a third thread
// cancels registrations at random: every wait still ends exactly once and
// no kind is left set with a wait for it pending.
BOOST_AUTO_TEST_CASE(two_waits_per_registration_vs_setters_and_cancel)
{
  asio::io_context io(io_threads);
  auto guard = asio::make_work_guard(io);
  std::vector<std::unique_ptr<iocpx::registration>> regs;
  std::vector<iocpx::set_readiness> setters;
  std::vector<accounting> acc(registrations);
  std::vector<std::atomic<bool>> pending(2 * registrations);
  std::atomic<long> double_calls{0}, handled{0}, aborted{0};
  std::atomic<bool> stopping{false};
  for (int j = 0; j < registrations; ++j)
  {
    regs.push_back(std::make_unique<iocpx::registration>(io));
    setters.push_back(regs.back()->setter());
  }

  struct waiter
  {
    iocpx::registration* reg;
    ready interest;
    iocpx::set_readiness setter;
    accounting* acc;
    std::atomic<bool>* pending;
    std::atomic<long>* double_calls;
    std::atomic<long>* handled;
    std::atomic<long>* aborted;
    std::atomic<bool>* stopping;

    void arm() const
    {
      pending->store(true);
      reg->async_wait(interest, *this);
    }

    void operator()(error_code ec, ready r) const
    {
      if (!pending->exchange(false))
        double_calls->fetch_add(1);
      if (ec)
        aborted->fetch_add(1, std::memory_order_relaxed);
      else
      {
        if (!(r & interest) || (r & ~interest))
          double_calls->fetch_add(1); // reported a kind it did not ask for
        handled->fetch_add(1, std::memory_order_relaxed);
        const unsigned prev = setter.clear(r).bits();
        accounting::count(acc->consumed, prev & r.bits());
      }
      if (!stopping->load())
        arm();
    }
  };

  const ready interests[2] = {ready::readable() | ready::error() | ready::hangup(),
      ready::writable() | ready::priority()};
  for (int j = 0; j < registrations; ++j)
    for (int w = 0; w < 2; ++w)
      waiter{regs[static_cast<std::size_t>(j)].get(), interests[w],
          setters[static_cast<std::size_t>(j)], &acc[static_cast<std::size_t>(j)],
          &pending[static_cast<std::size_t>(2 * j + w)], &double_calls, &handled, &aborted,
          &stopping}
          .arm();

  std::vector<std::thread> runners;
  for (int i = 0; i < io_threads; ++i)
    runners.emplace_back([&io] { io.run(); });
  std::atomic<bool> setters_done{false};
  std::thread canceller([&] {
    std::mt19937 rng(7);
    while (!setters_done.load())
    {
      regs[rng() % registrations]->cancel();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> producers;
  for (int i = 0; i < setter_threads; ++i)
    producers.emplace_back(run_setter, setters, &acc, 2000u + static_cast<unsigned>(i));
  for (auto& t : producers)
    t.join();
  setters_done = true;
  canceller.join();

  settle_and_stop(setters, regs, pending, stopping);
  guard.reset();
  for (auto& t : runners)
    t.join();

  BOOST_TEST_MESSAGE("waits: " << handled.load() << " handled, " << aborted.load() << " aborted");
  BOOST_TEST(double_calls.load() == 0);
  BOOST_TEST(handled.load() > 0);
  BOOST_TEST(aborted.load() > 0);
  for (auto& p : pending)
    BOOST_TEST(!p.load());
  check_balance(acc);
}

BOOST_AUTO_TEST_CASE(setters_vs_two_concurrent_polls)
{
  asio::io_context io(io_threads);
  auto guard = asio::make_work_guard(io);
  iocpx::poller poller(io);
  std::vector<std::unique_ptr<iocpx::registration>> regs;
  std::vector<iocpx::set_readiness> setters;
  std::vector<accounting> acc(registrations);
  for (int j = 0; j < registrations; ++j)
  {
    regs.push_back(std::make_unique<iocpx::registration>(io));
    setters.push_back(regs.back()->setter());
    poller.add(*regs.back(), static_cast<std::size_t>(j), ready::all(),
        static_cast<trigger>(j % 3));
  }

  constexpr int polls = 2;
  std::array<std::array<event, 16>, polls> buffers;
  std::array<std::atomic<bool>, polls> pending{};
  std::atomic<long> double_calls{0}, events_seen{0};
  std::atomic<bool> stopping{false};

  struct poll_handler
  {
    int k;
    iocpx::poller* poller;
    std::array<std::array<event, 16>, polls>* buffers;
    std::array<std::atomic<bool>, polls>* pending;
    std::vector<iocpx::set_readiness>* setters;
    std::vector<accounting>* acc;
    std::atomic<long>* double_calls;
    std::atomic<long>* events_seen;
    std::atomic<bool>* stopping;

    void arm() const
    {
      (*pending)[static_cast<std::size_t>(k)].store(true);
      poller->async_poll((*buffers)[static_cast<std::size_t>(k)], *this);
    }

    void operator()(error_code ec, std::size_t n) const
    {
      if (!(*pending)[static_cast<std::size_t>(k)].exchange(false))
        double_calls->fetch_add(1);
      if (ec)
        return;
      for (std::size_t i = 0; i < n; ++i)
      {
        const event e = (*buffers)[static_cast<std::size_t>(k)][i];
        events_seen->fetch_add(1, std::memory_order_relaxed);
        const unsigned prev = (*setters)[e.token].clear(e.readiness).bits();
        accounting::count((*acc)[e.token].consumed, prev & e.readiness.bits());
        if (e.token % 3 == 2) // oneshot: re-arm
          poller->modify(*(*regs)[e.token], e.token, ready::all(), trigger::oneshot);
      }
      if (!stopping->load())
        arm();
    }

    std::vector<std::unique_ptr<iocpx::registration>>* regs;
  };

  for (int k = 0; k < polls; ++k)
  {
    poll_handler h{k, &poller, &buffers, &pending, &setters, &acc, &double_calls, &events_seen,
        &stopping, &regs};
    h.arm();
  }

  std::vector<std::thread> runners;
  for (int i = 0; i < io_threads; ++i)
    runners.emplace_back([&io] { io.run(); });
  std::vector<std::thread> producers;
  for (int i = 0; i < setter_threads; ++i)
    producers.emplace_back(run_setter, setters, &acc, 2000u + static_cast<unsigned>(i));
  for (auto& t : producers)
    t.join();

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  bool drained = false;
  while (!(drained = all_empty(setters)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  BOOST_TEST(drained, "lost wake-up: readiness left set with polls pending");

  stopping = true;
  while (std::any_of(pending.begin(), pending.end(), [](const auto& p) { return p.load(); }))
  {
    poller.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  guard.reset();
  for (auto& t : runners)
    t.join();

  BOOST_TEST_MESSAGE("polls: " << events_seen.load() << " events taken");
  BOOST_TEST(double_calls.load() == 0);
  BOOST_TEST(events_seen.load() > 0);
  for (auto& p : pending)
    BOOST_TEST(!p.load());
  check_balance(acc);
}

BOOST_AUTO_TEST_CASE(registrations_destroyed_while_setters_run)
{
  // Setters racing the destruction of their registrations (and of the
  // poller entries) must only ever see registration_gone.
  asio::io_context io(io_threads);
  iocpx::poller poller(io);
  std::atomic<long> unexpected{0};
  for (int round = 0; round < 20; ++round)
  {
    std::vector<std::unique_ptr<iocpx::registration>> regs;
    std::vector<iocpx::set_readiness> setters;
    for (int j = 0; j < 16; ++j)
    {
      regs.push_back(std::make_unique<iocpx::registration>(io));
      setters.push_back(regs.back()->setter());
      poller.add(*regs.back(), static_cast<std::size_t>(j), ready::readable(), trigger::level);
      regs.back()->async_wait(ready::writable(), [](error_code, ready) {});
    }
    // The registrations go only once both setters are busy (each has
    // changed a readiness once), and each setter goes on until a whole pass
    // over the sources made after they all went: the destruction overlaps
    // the setters in every round.
    std::array<std::atomic<bool>, 2> started{}, saw_gone{};
    std::atomic<bool> all_gone{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
      threads.emplace_back([&, i] {
        error_code ec;
        bool last_pass = false;
        for (int n = 0;; ++n)
        {
          auto& s = setters[static_cast<std::size_t>((n + i) % 16)];
          s.add(ready::readable() | ready::writable(), ec);
          if (!ec)
            started[i] = true;
          else if (ec == iocpx::error::registration_gone)
            saw_gone[i] = true;
          else
            ++unexpected;
          s.clear(ready::all(), ec);
          if (ec && ec != iocpx::error::registration_gone)
            ++unexpected;
          if (n % 16 == 15)
          {
            if (last_pass)
              break;
            last_pass = all_gone.load();
          }
        }
      });
    while (!started[0].load() || !started[1].load())
      std::this_thread::yield();
    for (auto& r : regs)
      r.reset();
    all_gone = true;
    for (auto& t : threads)
      t.join();
    BOOST_TEST(saw_gone[0].load());
    BOOST_TEST(saw_gone[1].load());
    std::array<event, 16> ev;
    BOOST_TEST(poller.poll(ev, std::chrono::milliseconds(0)) == 0u);
    io.restart();
    io.poll();
  }
  BOOST_TEST(unexpected.load() == 0);
}

// Poller membership changing (add, modify, remove, a source replaced by a
// new one) on one thread while setters run on two others and two polls are
// re-armed by handlers on the two threads that run the context. Afterwards
// every source still in the poller is reported exactly once by a level
// poll, under the token it was given last: no entry is lost, duplicated or
// left with a stale token (and the sanitizer builds see no race).
BOOST_AUTO_TEST_CASE(membership_changes_vs_setters_and_polls)
{
  constexpr int n = 16;
  for (int round = 0; round < 20; ++round)
  {
    asio::io_context io(io_threads);
    auto guard = asio::make_work_guard(io);
    iocpx::poller poller(io);
    std::mutex m; // regs: the churn thread replaces sources
    std::vector<std::shared_ptr<iocpx::registration>> regs(n);
    std::vector<iocpx::set_readiness> first_setters(n);
    std::vector<bool> member(n, true);
    std::vector<std::size_t> token(n);
    for (int j = 0; j < n; ++j)
    {
      regs[j] = std::make_shared<iocpx::registration>(io);
      first_setters[j] = regs[j]->setter();
      token[j] = static_cast<std::size_t>(j);
      poller.add(*regs[j], token[j], ready::all(), static_cast<trigger>(j % 3));
    }

    std::atomic<bool> stopping{false};
    std::atomic<int> pending{2};
    std::atomic<long> double_calls{0};
    struct poll_handler
    {
      iocpx::poller* p;
      std::array<event, 4>* ev;
      std::atomic<bool>* armed;
      std::atomic<bool>* stopping;
      std::atomic<int>* pending;
      std::atomic<long>* double_calls;
      void operator()(error_code ec, std::size_t) const
      {
        if (!armed->exchange(false))
          ++*double_calls;
        if (!ec && !stopping->load())
        {
          armed->store(true);
          p->async_poll(*ev, *this);
        }
        else
          --*pending;
      }
    };
    std::array<std::array<event, 4>, 2> buffers;
    std::array<std::atomic<bool>, 2> armed{};
    for (std::size_t k = 0; k < 2; ++k)
    {
      armed[k] = true;
      poller.async_poll(buffers[k],
          poll_handler{&poller, &buffers[k], &armed[k], &stopping, &pending, &double_calls});
    }

    std::vector<std::thread> runners, others;
    for (int i = 0; i < io_threads; ++i)
      runners.emplace_back([&io] { io.run(); });
    for (int i = 0; i < 2; ++i)
      others.emplace_back([&, i] {
        // Half the time a first source's setter (replaced ones report
        // registration_gone), else the current source's.
        std::mt19937 rng(static_cast<unsigned>(31 * round + i));
        error_code ec;
        for (int k = 0; k < 20000; ++k)
        {
          const std::size_t j = rng() % n;
          iocpx::set_readiness s = first_setters[j];
          if (rng() % 2)
          {
            std::lock_guard<std::mutex> lock(m);
            s = regs[j]->setter();
          }
          if (rng() % 3)
            s.add(ready::from_bits(static_cast<ready::bits_type>(rng() % 32)), ec);
          else
            s.clear(ready::from_bits(static_cast<ready::bits_type>(rng() % 32)), ec);
        }
      });
    std::atomic<long> unexpected{0};
    // Tokens are j (the first sources) or 1000 * (k + 1) + j.
    auto is_current = [&](std::size_t t) {
      const std::size_t j = t < n ? t : t % 1000;
      return j < std::size_t(n) && member[j] && token[j] == t;
    };
    others.emplace_back([&] {
      std::mt19937 rng(static_cast<unsigned>(97 + round));
      for (int k = 0; k < 3000; ++k)
      {
        const int j = static_cast<int>(rng() % n);
        std::shared_ptr<iocpx::registration> r;
        {
          std::lock_guard<std::mutex> lock(m);
          r = regs[j];
        }
        error_code ec;
        const std::size_t t = static_cast<std::size_t>(1000 * (k + 1) + j);
        switch (rng() % 5)
        {
        case 0:
          poller.remove(*r, ec);
          if (ec ? member[j] || ec != iocpx::error::not_registered : !member[j])
            ++unexpected;
          member[j] = false;
          break;
        case 1:
          poller.add(*r, t, ready::all(), static_cast<trigger>(rng() % 3), ec);
          if (ec ? !member[j] || ec != iocpx::error::already_registered : member[j])
            ++unexpected;
          if (!ec)
            token[j] = t;
          member[j] = true;
          break;
        case 2:
          poller.modify(*r, t, ready::from_bits(static_cast<ready::bits_type>(1 + rng() % 31)),
              static_cast<trigger>(rng() % 3), ec);
          if (ec ? member[j] || ec != iocpx::error::not_registered : !member[j])
            ++unexpected;
          if (!ec)
            token[j] = t;
          break;
        case 3:
        {
          auto fresh = std::make_shared<iocpx::registration>(io);
          poller.add(*fresh, t, ready::all(), trigger::level, ec);
          if (ec)
            ++unexpected;
          std::lock_guard<std::mutex> lock(m);
          regs[j] = fresh; // the old one goes (its entry dies)
          member[j] = true;
          token[j] = t;
          break;
        }
        default:
        {
          // Only this thread changes membership and tokens, so whatever
          // this poll takes must come from a current member, under the
          // token it was given last (modify() re-tokens queued events too).
          std::array<event, 3> ev;
          const std::size_t got = poller.poll(ev, std::chrono::milliseconds(0), ec);
          if (ec)
            ++unexpected;
          for (std::size_t i = 0; i < got; ++i)
            if (!is_current(ev[i].token))
              ++unexpected;
          break;
        }
        }
      }
    });
    for (auto& t : others)
      t.join();
    stopping = true;
    while (pending.load() > 0)
    {
      poller.cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    guard.reset();
    for (auto& t : runners)
      t.join();
    BOOST_TEST(unexpected.load() == 0);
    BOOST_TEST(double_calls.load() == 0);

    // Everything quiet: each member, made level and ready, is reported
    // once, with its last token; nothing else is.
    std::vector<event> ev(2 * n + 1);
    const std::size_t left = poller.poll(ev, std::chrono::milliseconds(0)); // what the churn left queued
    for (std::size_t i = 0; i < left; ++i)
      BOOST_TEST(is_current(ev[i].token), "round " << round << ": stale token " << ev[i].token);
    std::multiset<std::size_t> expected;
    for (int j = 0; j < n; ++j)
    {
      if (!member[j])
        continue;
      regs[j]->setter().set(ready::none());
      poller.modify(*regs[j], token[j], ready::readable(), trigger::level);
      expected.insert(token[j]);
    }
    poller.poll(ev, std::chrono::milliseconds(0)); // (no event: nothing ready)
    for (int j = 0; j < n; ++j)
      if (member[j])
        regs[j]->setter().set(ready::readable());
    const std::size_t got = poller.poll(ev, std::chrono::milliseconds(0));
    std::multiset<std::size_t> reported;
    for (std::size_t i = 0; i < got; ++i)
    {
      reported.insert(ev[i].token);
      BOOST_TEST(ev[i].readiness == ready::readable());
    }
    BOOST_TEST((reported == expected), "round " << round << ": " << got << " events for "
                                                 << expected.size() << " members");
  }
}

BOOST_AUTO_TEST_SUITE_END()
