// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Helpers shared by the readiness tests.

#ifndef IOCPX_TEST_READINESS_TEST_UTIL_HPP
#define IOCPX_TEST_READINESS_TEST_UTIL_HPP

#include <iocpx/ready.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <new>

namespace iocpx_test {

// What a wait handler saw.
struct wait_result
{
  int calls = 0;
  boost::system::error_code ec;
  iocpx::ready readiness;
};

// A handler recording into a wait_result.
struct record
{
  wait_result* out;
  void operator()(boost::system::error_code ec, iocpx::ready r) const
  {
    ++out->calls;
    out->ec = ec;
    out->readiness = r;
  }
};

// An allocator that counts what goes through it.
template <typename T>
struct counting_allocator
{
  using value_type = T;
  std::size_t* allocations;
  std::size_t* deallocations;

  counting_allocator(std::size_t* a, std::size_t* d) noexcept : allocations(a), deallocations(d) {}
  template <typename U>
  counting_allocator(const counting_allocator<U>& o) noexcept
    : allocations(o.allocations), deallocations(o.deallocations)
  {
  }

  T* allocate(std::size_t n)
  {
    ++*allocations;
    return std::allocator<T>().allocate(n);
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    ++*deallocations;
    std::allocator<T>().deallocate(p, n);
  }

  template <typename U>
  friend bool operator==(const counting_allocator& a, const counting_allocator<U>& b) noexcept
  {
    return a.allocations == b.allocations;
  }
  template <typename U>
  friend bool operator!=(const counting_allocator& a, const counting_allocator<U>& b) noexcept
  {
    return a.allocations != b.allocations;
  }
};

} // namespace iocpx_test

#endif // IOCPX_TEST_READINESS_TEST_UTIL_HPP
