// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_STATISTICS_HPP
#define IOCPX_WINDOWS_DETAIL_STATISTICS_HPP

// Counters of how iocpx delivered immediate completions, for the benchmarks
// (posts to the port versus deliveries on the completing thread). Compiled
// in only with IOCPX_ENABLE_STATISTICS, which must then be defined the same
// way in every translation unit of the program.

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_ENABLE_STATISTICS)
#  include <atomic>
#endif

namespace iocpx {
namespace windows {
namespace detail {

#if defined(IOCPX_ENABLE_STATISTICS)
struct statistics
{
  std::atomic<long long> posted_completions{0};
  std::atomic<long long> local_completions{0};

  static statistics& instance() noexcept
  {
    static statistics s;
    return s;
  }
};
#  define IOCPX_STATISTIC(counter) \
    (::iocpx::windows::detail::statistics::instance().counter.fetch_add(1, std::memory_order_relaxed))
#else
#  define IOCPX_STATISTIC(counter) ((void)0)
#endif

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_STATISTICS_HPP
