// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

#if defined(_WIN32)
#  include <malloc.h> // _msize
#elif defined(__GLIBC__)
#  include <malloc.h> // malloc_usable_size
#endif

#if defined(__SANITIZE_THREAD__)
#  define IOCPX_TEST_NO_NEW_COUNT 1
#elif defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define IOCPX_TEST_NO_NEW_COUNT 1
#  endif
#endif

namespace {
std::atomic<long long> count{0};
std::atomic<long long> bytes{0};
std::atomic<long long> frees{0};
std::atomic<long long> live{0};
thread_local int failing = 0;
thread_local int failing_after = 0; // allocations that still succeed first

// The size the heap gives a block: the same on allocation and on free, so
// that live bytes come back to where they were once everything is freed.
[[maybe_unused]] long long block_size(void* p) noexcept
{
#if defined(_WIN32)
  return static_cast<long long>(::_msize(p)); // the size asked for
#elif defined(__GLIBC__)
  return static_cast<long long>(::malloc_usable_size(p)); // rounded up
#else
  (void)p;
  return 0;
#endif
}

[[maybe_unused]] void* counted_malloc(std::size_t size) noexcept
{
  count.fetch_add(1, std::memory_order_relaxed);
  bytes.fetch_add(static_cast<long long>(size), std::memory_order_relaxed);
  void* p = std::malloc(size ? size : 1);
  if (p)
    live.fetch_add(block_size(p), std::memory_order_relaxed);
  return p;
}

[[maybe_unused]] void counted_free(void* p) noexcept
{
  if (p)
  {
    frees.fetch_add(1, std::memory_order_relaxed);
    live.fetch_sub(block_size(p), std::memory_order_relaxed);
  }
  std::free(p);
}
} // namespace

long long iocpx_test::allocations() noexcept
{
  return count.load(std::memory_order_relaxed);
}

long long iocpx_test::deallocations() noexcept
{
  return frees.load(std::memory_order_relaxed);
}

long long iocpx_test::allocated_bytes() noexcept
{
  return bytes.load(std::memory_order_relaxed);
}

long long iocpx_test::live_bytes() noexcept
{
  return live.load(std::memory_order_relaxed);
}

void iocpx_test::fail_next_allocations(int n, int after) noexcept
{
  failing = n;
  failing_after = after;
}

int iocpx_test::pending_allocation_failures() noexcept
{
  return failing;
}

bool iocpx_test::counting_allocations() noexcept
{
#if defined(IOCPX_TEST_NO_NEW_COUNT)
  return false;
#else
  return true;
#endif
}

#if !defined(IOCPX_TEST_NO_NEW_COUNT)

void* operator new(std::size_t size)
{
  if (failing > 0)
  {
    if (failing_after > 0)
      --failing_after;
    else
    {
      --failing;
      throw std::bad_alloc();
    }
  }
  if (void* p = counted_malloc(size))
    return p;
  throw std::bad_alloc();
}

void* operator new[](std::size_t size)
{
  return ::operator new(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
  return counted_malloc(size);
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
  return counted_malloc(size);
}

void operator delete(void* p) noexcept
{
  counted_free(p);
}

void operator delete[](void* p) noexcept
{
  counted_free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
  counted_free(p);
}

void operator delete[](void* p, std::size_t) noexcept
{
  counted_free(p);
}

#endif
