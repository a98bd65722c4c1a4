// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Readiness notifications, natively: set_readiness -> handler, against the two
// idioms Asio users reach for today — an experimental::channel (concurrent_
// channel across threads) and a steady_timer whose cancel() is the wake-up.
//
//   readiness_bench [--quick] [--only registration|channel] [--count N]
//
// Single-threaded: the handler re-arms the wait and makes the next
// notification itself. Cross-thread: a second thread makes each notification
// and waits until the handler has seen it (a latency-bound ping-pong).
// `--only registration --count N` runs just the single-threaded registration
// loop (`--only channel`: the channel loop), for `valgrind --tool=callgrind`
// (instructions per notification).

#include "bench_support.hpp"

#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/set_readiness.hpp>

#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::ready;
using namespace iocpx_bench;

namespace {

struct result
{
  double per_second = 0;
  double allocs_per_notification = 0;
};

double median_rate(const std::vector<result>& rounds)
{
  std::vector<double> v;
  for (const result& r : rounds)
    v.push_back(r.per_second);
  return median(v);
}

double rate_of(const result& r)
{
  return r.per_second;
}

double median_ratio(const std::vector<result>& a, const std::vector<result>& b)
{
  return median_of_ratios(a, b, rate_of);
}

std::string ratio_spread(const std::vector<result>& a, const std::vector<result>& b)
{
  return format_spread(spread_of_ratios(a, b, rate_of));
}

// Runs one round of the contenders, every other round in the reverse order
// (as pipe_bench does), so that a steady drift of the machine favours none.
template <typename... Runs>
void run_round(int round, Runs... runs)
{
  std::function<void()> in_order[] = {runs...};
  constexpr std::size_t count = sizeof...(Runs);
  for (std::size_t k = 0; k < count; ++k)
    in_order[round % 2 == 0 ? k : count - 1 - k]();
}

double max_allocs(const std::vector<result>& rounds)
{
  double m = 0;
  for (const result& r : rounds)
    m = std::max(m, r.allocs_per_notification);
  return m;
}

result finish(clock::time_point start, long long allocs_before, long n)
{
  result r;
  r.per_second = static_cast<double>(n) / seconds_since(start);
  r.allocs_per_notification = static_cast<double>(allocations() - allocs_before) / static_cast<double>(n);
  return r;
}

// Where a single-threaded loop starts counting allocations: after its first
// eighth, inside the same run(). The first notifications fill Asio's
// per-thread cache (the first posted delivery of each kind allocates once
// per run() call); what is counted is the steady state.
struct steady_mark
{
  long at;
  long long allocs = 0;

  void check(long seen) noexcept
  {
    if (seen == at)
      allocs = allocations();
  }
};

result finish_steady(clock::time_point start, const steady_mark& mark, long n, long long allocs_at_start)
{
  result r;
  r.per_second = static_cast<double>(n) / seconds_since(start);
  // (A run too short to reach the mark is counted from its start.)
  const bool marked = n > mark.at;
  r.allocs_per_notification = static_cast<double>(allocations() - (marked ? mark.allocs : allocs_at_start))
      / static_cast<double>(marked ? n - mark.at : std::max(n, 1L));
  return r;
}

// --- single-threaded --------------------------------------------------------

result registration_single(long n)
{
  asio::io_context ctx(1);
  iocpx::registration reg(ctx);
  iocpx::set_readiness setter = reg.setter();
  long seen = 0;
  struct waiter
  {
    iocpx::registration& reg;
    iocpx::set_readiness& setter;
    long& seen;
    long n;
    steady_mark& mark;
    void operator()(error_code ec, ready)
    {
      if (ec)
        return;
      setter.clear(ready::readable());
      mark.check(++seen);
      if (seen < n)
      {
        reg.async_wait(ready::readable(), *this);
        setter.set(ready::readable());
      }
    }
  };
  const auto start = clock::now();
  steady_mark mark{std::max(n / 8, 1L)};
  const long long allocs_at_start = allocations();
  reg.async_wait(ready::readable(), waiter{reg, setter, seen, n, mark});
  setter.set(ready::readable());
  ctx.run();
  return finish_steady(start, mark, seen, allocs_at_start);
}

result channel_single(long n)
{
  asio::io_context ctx(1);
  asio::experimental::channel<void(error_code)> ch(ctx, 1);
  long seen = 0;
  struct receiver
  {
    asio::experimental::channel<void(error_code)>& ch;
    long& seen;
    long n;
    steady_mark& mark;
    void operator()(error_code ec)
    {
      if (ec)
        return;
      mark.check(++seen);
      if (seen < n)
      {
        ch.async_receive(*this);
        ch.try_send(error_code());
      }
    }
  };
  const auto start = clock::now();
  steady_mark mark{std::max(n / 8, 1L)};
  const long long allocs_at_start = allocations();
  ch.async_receive(receiver{ch, seen, n, mark});
  ch.try_send(error_code());
  ctx.run();
  return finish_steady(start, mark, seen, allocs_at_start);
}

result timer_single(long n)
{
  asio::io_context ctx(1);
  asio::steady_timer timer(ctx, asio::steady_timer::time_point::max());
  long seen = 0;
  struct waiter
  {
    asio::steady_timer& timer;
    long& seen;
    long n;
    steady_mark& mark;
    void operator()(error_code)
    {
      mark.check(++seen);
      if (seen < n)
      {
        timer.async_wait(*this);
        timer.cancel();
      }
    }
  };
  const auto start = clock::now();
  steady_mark mark{std::max(n / 8, 1L)};
  const long long allocs_at_start = allocations();
  timer.async_wait(waiter{timer, seen, n, mark});
  timer.cancel();
  ctx.run();
  return finish_steady(start, mark, seen, allocs_at_start);
}

// --- cross-thread -----------------------------------------------------------

// Runs `notify` on another thread n times; each time waits until the
// io_context thread has counted the notification in `seen`.
template <typename Notify>
void notifier(std::atomic<long>& seen, long n, Notify notify)
{
  for (long i = 0; i < n; ++i)
  {
    notify();
    while (seen.load(std::memory_order_acquire) <= i)
      std::this_thread::yield();
  }
}

result registration_cross(long n)
{
  asio::io_context ctx(1);
  iocpx::registration reg(ctx);
  iocpx::set_readiness setter = reg.setter();
  std::atomic<long> seen{0};
  struct waiter
  {
    iocpx::registration& reg;
    iocpx::set_readiness& setter;
    std::atomic<long>& seen;
    long n;
    void operator()(error_code ec, ready)
    {
      if (ec)
        return;
      setter.clear(ready::readable());
      const long s = seen.load(std::memory_order_relaxed) + 1;
      if (s < n)
        reg.async_wait(ready::readable(), *this);
      seen.store(s, std::memory_order_release);
    }
  };
  reg.async_wait(ready::readable(), waiter{reg, setter, seen, n});
  // Counted from inside the setter's thread: not the thread's own start-up.
  long long a = 0;
  const auto start = clock::now();
  std::thread t([&] {
    a = allocations();
    notifier(seen, n, [&] { setter.set(ready::readable()); });
  });
  ctx.run();
  t.join();
  return finish(start, a, seen.load());
}

result channel_cross(long n)
{
  asio::io_context ctx(1);
  asio::experimental::concurrent_channel<void(error_code)> ch(ctx, 1);
  std::atomic<long> seen{0};
  struct receiver
  {
    asio::experimental::concurrent_channel<void(error_code)>& ch;
    std::atomic<long>& seen;
    long n;
    void operator()(error_code ec)
    {
      if (ec)
        return;
      const long s = seen.load(std::memory_order_relaxed) + 1;
      if (s < n)
        ch.async_receive(*this);
      seen.store(s, std::memory_order_release);
    }
  };
  ch.async_receive(receiver{ch, seen, n});
  // Counted from inside the setter's thread: not the thread's own start-up.
  long long a = 0;
  const auto start = clock::now();
  std::thread t([&] {
    a = allocations();
    notifier(seen, n, [&] { ch.try_send(error_code()); });
  });
  ctx.run();
  t.join();
  return finish(start, a, seen.load());
}

result timer_cross(long n)
{
  asio::io_context ctx(1);
  asio::steady_timer timer(ctx, asio::steady_timer::time_point::max());
  std::atomic<long> seen{0};
  struct waiter
  {
    asio::steady_timer& timer;
    std::atomic<long>& seen;
    long n;
    void operator()(error_code)
    {
      const long s = seen.load(std::memory_order_relaxed) + 1;
      if (s < n)
        timer.async_wait(*this);
      seen.store(s, std::memory_order_release);
    }
  };
  timer.async_wait(waiter{timer, seen, n});
  // Counted from inside the setter's thread: not the thread's own start-up.
  long long a = 0;
  const auto start = clock::now();
  // A timer is not thread-safe: the other thread must post the cancel.
  std::thread t([&] {
    a = allocations();
    notifier(seen, n, [&] { asio::post(ctx, [&] { timer.cancel(); }); });
  });
  ctx.run();
  t.join();
  return finish(start, a, seen.load());
}

} // namespace

int main(int argc, char** argv)
{
  long single = 2000000, cross = 100000;
  const char* only = nullptr;
  for (int i = 1; i < argc; ++i)
  {
    if (std::strcmp(argv[i], "--quick") == 0)
    {
      single = 100000;
      cross = 10000;
    }
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      only = argv[++i];
    else if (std::strcmp(argv[i], "--count") == 0 && i + 1 < argc)
      single = std::atol(argv[++i]);
  }
  if (only)
  {
    result r;
    if (std::strcmp(only, "registration") == 0)
      r = registration_single(single);
    else if (std::strcmp(only, "channel") == 0)
      r = channel_single(single);
    else
    {
      std::fprintf(stderr, "--only registration|channel\n");
      return 2;
    }
    std::printf("%ld notifications\n", static_cast<long>(r.per_second > 0 ? single : 0));
    return 0;
  }

  // The contenders run in alternating rounds and each round's ratio is
  // taken; the median of those is reported. A virtual machine's speed
  // drifts by 2x within seconds here, so one long run per contender (one
  // after the other) compares two different machines.
  // Odd counts, so that a median is a measured value; every contender is
  // warmed up, and every other round runs them in the reverse order.
  const int single_rounds = 11, cross_rounds = 5;
  registration_single(single / 10);
  channel_single(single / 10);
  timer_single(single / 10);
  std::vector<result> rs, cs, ts, rx, cx, tx;
  const long n1 = single / single_rounds, nx = cross / cross_rounds;
  for (int i = 0; i < single_rounds; ++i)
    run_round(i, [&] { rs.push_back(registration_single(n1)); },
        [&] { cs.push_back(channel_single(n1)); }, [&] { ts.push_back(timer_single(n1)); });
  for (int i = 0; i < cross_rounds; ++i)
    run_round(i, [&] { rx.push_back(registration_cross(nx)); },
        [&] { cx.push_back(channel_cross(nx)); }, [&] { tx.push_back(timer_cross(nx)); });

  std::printf("Each figure is the median of %d (single-threaded) or %d (across threads) "
              "rounds, every other one in the reverse order, after a warm-up of each contender; a "
              "ratio is the median of the rounds' ratios.\n\n",
      single_rounds, cross_rounds);
  std::printf("| contender | single-threaded (notifications/s) | ratio | allocs/notification | "
              "setter on another thread (notifications/s) | ratio | allocs/notification |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  auto row = [&](const char* name, const std::vector<result>& s, const std::vector<result>& x) {
    std::printf("| %s | %.0f | %.3f | %.4g | %.0f | %.3f | %.4g |\n", name, median_rate(s),
        median_ratio(s, cs), max_allocs(s), median_rate(x), median_ratio(x, cx), max_allocs(x));
  };
  row("iocpx set_readiness -> async_wait", rs, rx);
  row("asio::experimental::channel (concurrent_channel across threads)", cs, cx);
  row("steady_timer cancel() idiom (posted cancel across threads)", ts, tx);
  std::printf("%s", targets_header());
  const double r1 = median_ratio(rs, cs), r2 = median_ratio(rx, cx);
  const std::string s1 = ratio_spread(rs, cs), s2 = ratio_spread(rx, cx);
  // Three decimals, and allocations as they are: a ratio just under its
  // goal, or a small count, must not print as the goal.
  std::printf("| set_readiness -> handler vs channel, single-threaded | %.3f x | %s | >= 2.00 x | %s |\n", r1,
      s1.c_str(), r1 >= 2.0 ? "pass" : "short");
  std::printf("| set_readiness -> handler vs concurrent_channel, across threads | %.3f x | %s | >= 2.00 x | %s |\n",
      r2, s2.c_str(), r2 >= 2.0 ? "pass" : "short");
  const double allocs = std::max(max_allocs(rs), max_allocs(rx));
  std::printf("| heap allocations per notification, set_readiness -> handler (both columns) | %.4g | | 0 | %s |\n",
      allocs, allocs == 0 ? "pass" : "short");
  return 0;
}
