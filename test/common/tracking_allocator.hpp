// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// An allocator that records what it was asked for, to check that an
// operation honours its handler's associated allocator (bind_allocator, or a
// handler's own get_allocator()).

#ifndef IOCPX_TEST_COMMON_TRACKING_ALLOCATOR_HPP
#define IOCPX_TEST_COMMON_TRACKING_ALLOCATOR_HPP

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace iocpx_test {

// What a tracking_allocator was asked for. Atomic: an operation may be
// allocated on one thread and freed on another.
struct allocator_log
{
  std::atomic<long> allocations{0};
  std::atomic<long> deallocations{0};
  std::atomic<long> live_bytes{0};
};

template <typename T>
struct tracking_allocator
{
  using value_type = T;

  allocator_log* log;

  explicit tracking_allocator(allocator_log* l) noexcept : log(l) {}
  template <typename U>
  tracking_allocator(const tracking_allocator<U>& o) noexcept : log(o.log)
  {
  }

  T* allocate(std::size_t n)
  {
    log->allocations.fetch_add(1);
    log->live_bytes.fetch_add(static_cast<long>(n * sizeof(T)));
    // malloc, not operator new: the global counter (alloc_counter.hpp) then
    // sees only what did not come from this allocator.
    if (void* p = std::malloc(n * sizeof(T)))
      return static_cast<T*>(p);
    throw std::bad_alloc();
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    log->deallocations.fetch_add(1);
    log->live_bytes.fetch_sub(static_cast<long>(n * sizeof(T)));
    std::free(p);
  }

  template <typename U>
  bool operator==(const tracking_allocator<U>& o) const noexcept
  {
    return log == o.log;
  }
  template <typename U>
  bool operator!=(const tracking_allocator<U>& o) const noexcept
  {
    return log != o.log;
  }
};

} // namespace iocpx_test

#endif // IOCPX_TEST_COMMON_TRACKING_ALLOCATOR_HPP
