// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_DEADLINE_HPP
#define IOCPX_DETAIL_DEADLINE_HPP

#include <iocpx/detail/config.hpp>

#include <chrono>

namespace iocpx {
namespace detail {

// The steady-clock deadline `timeout` from now, for a user's timeout of any
// duration type (poller::poll's, a named pipe connect's busy_timeout): `now`
// for zero or less (also a floating-point NaN), and time_point::max(), "no
// limit", for a timeout longer than half the time left on the clock (more
// than a century). Compared in floating-point seconds, which no duration
// overflows. A double holds 53 of the clock's 63 bits, and each conversion
// rounds: a timeout within a few microseconds of the time left could pass a
// plain >= and overflow the addition; hence the margin.
template <typename Rep, typename Period>
std::chrono::steady_clock::time_point deadline_after(
    const std::chrono::duration<Rep, Period>& timeout) noexcept
{
  using clock = std::chrono::steady_clock;
  const clock::time_point now = clock::now();
  if (!(timeout > timeout.zero()))
    return now;
  const std::chrono::duration<double> left = clock::time_point::max() - now;
  if (std::chrono::duration<double>(timeout) >= left / 2)
    return clock::time_point::max();
  return now + std::chrono::ceil<clock::duration>(timeout);
}

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_DEADLINE_HPP
