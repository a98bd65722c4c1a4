// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Counting replacements of the global allocation operators (out of line, so
// the compiler cannot pair an inlined new with free).

#include "bench_support.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long long> count{0};
std::atomic<long long> bytes{0};
} // namespace

long long iocpx_bench::allocations() noexcept
{
  return count.load(std::memory_order_relaxed);
}

long long iocpx_bench::allocated_bytes() noexcept
{
  return bytes.load(std::memory_order_relaxed);
}

void* operator new(std::size_t size)
{
  count.fetch_add(1, std::memory_order_relaxed);
  bytes.fetch_add(static_cast<long long>(size), std::memory_order_relaxed);
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
  count.fetch_add(1, std::memory_order_relaxed);
  bytes.fetch_add(static_cast<long long>(size), std::memory_order_relaxed);
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
