// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Shared pieces of the benchmarks: allocation counting, timing, result rows.

#ifndef IOCPX_BENCH_SUPPORT_HPP
#define IOCPX_BENCH_SUPPORT_HPP

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "../test/common/alloc_counter.hpp"

namespace iocpx_bench {

// Global operator new calls and bytes (test/common/alloc_counter.cpp).
using iocpx_test::allocated_bytes;
using iocpx_test::live_bytes;
using iocpx_test::allocations;

using clock = std::chrono::steady_clock;

inline double seconds_since(clock::time_point start)
{
  return std::chrono::duration<double>(clock::now() - start).count();
}

/// What one contender did for one workload (one run).
struct sample
{
  double rate = 0;           // operations (round trips) or MB per second
  double allocs_per_op = 0;  // heap allocations per user operation, steady state
  double dequeues_per_op = 0; // completion-port packets dequeued per user operation
  double posts_per_op = 0;   // of which posted by user space (not the kernel)
  double calls_per_op = 0;   // ReadFile/WriteFile calls per user operation
};

inline double median(std::vector<double> v)
{
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The ratios rate(a[i]) / rate(b[i]): contenders compared run by run, each
// pair measured seconds apart, because the machine's speed drifts between
// runs (a ratio of two medians could pair a fast run of one with a slow run
// of the other).
template <typename Run, typename Rate>
std::vector<double> ratios_of_runs(const std::vector<Run>& a, const std::vector<Run>& b, Rate rate)
{
  std::vector<double> v;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (rate(b[i]) > 0)
      v.push_back(rate(a[i]) / rate(b[i]));
  return v;
}

template <typename Run, typename Rate>
double median_of_ratios(const std::vector<Run>& a, const std::vector<Run>& b, Rate rate)
{
  return median(ratios_of_runs(a, b, rate));
}

/// How far the runs' ratios behind a median spread: from the (n/4+1)-th
/// smallest to the (n/4+1)-th largest of n — the middle 9 of 15 runs, 7 of
/// 11, 3 of 5, all of 3 — so that a target that passes or falls short by
/// less than the runs differ can be seen as such in the table.
struct spread
{
  double low = 0;
  double high = 0;
};

template <typename Run, typename Rate>
spread spread_of_ratios(const std::vector<Run>& a, const std::vector<Run>& b, Rate rate)
{
  std::vector<double> v = ratios_of_runs(a, b, rate);
  if (v.empty())
    return {};
  std::sort(v.begin(), v.end());
  const std::size_t k = v.size() / 4;
  return {v[k], v[v.size() - 1 - k]};
}

/// The targets table's "runs" cell: "1.05-1.19", or nothing for a count.
inline std::string format_spread(spread s)
{
  if (s.high <= 0)
    return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f-%.2f", s.low, s.high);
  return buf;
}

/// The targets table's header, and a line above it saying what "runs" is.
inline const char* targets_header()
{
  return "\n*runs*: how far the per-run ratios behind each median spread (the middle 9 of 15 runs, 7 of "
         "11, 3 of 5; all of 3). A goal inside it is met or missed by less than the runs differ.\n\n"
         "| target | measured | runs | goal | |\n|---|---:|---:|---:|---|\n";
}

} // namespace iocpx_bench

#endif // IOCPX_BENCH_SUPPORT_HPP
