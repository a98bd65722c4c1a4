// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Counts every global operator new of the program. Include in exactly one
// translation unit of a test executable (it replaces the global operators).

#ifndef IOCPX_TEST_ALLOC_COUNTER_HPP
#define IOCPX_TEST_ALLOC_COUNTER_HPP

#include <atomic>
#include <cstdlib>
#include <new>

namespace iocpx_test {

inline std::atomic<long long> allocation_count{0};

inline long long allocations() noexcept
{
  return allocation_count.load(std::memory_order_relaxed);
}

} // namespace iocpx_test

void* operator new(std::size_t size)
{
  iocpx_test::allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1))
    return p;
  throw std::bad_alloc();
}

void* operator new[](std::size_t size)
{
  return ::operator new(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
  iocpx_test::allocation_count.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size ? size : 1);
}

void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept
{
  return ::operator new(size, tag);
}

void operator delete(void* p) noexcept
{
  std::free(p);
}

void operator delete[](void* p) noexcept
{
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
  std::free(p);
}

void operator delete[](void* p, std::size_t) noexcept
{
  std::free(p);
}

#endif // IOCPX_TEST_ALLOC_COUNTER_HPP
