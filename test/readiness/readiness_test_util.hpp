// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Helpers shared by the readiness tests.

#ifndef IOCPX_TEST_READINESS_TEST_UTIL_HPP
#define IOCPX_TEST_READINESS_TEST_UTIL_HPP

#include <iocpx/ready.hpp>

#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <new>
#include <thread>
#include <utility>

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

// What every test executor here shares with an io_context's own executor:
// the context it runs functions in, never blocking, and equality by
// context. Derived adds execute().
template <typename Derived>
struct io_context_executor_base
{
  boost::asio::io_context* ctx;

  explicit constexpr io_context_executor_base(boost::asio::io_context* c) noexcept : ctx(c) {}

  boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept
  {
    return *ctx;
  }
  static constexpr boost::asio::execution::blocking_t query(
      boost::asio::execution::blocking_t) noexcept
  {
    return boost::asio::execution::blocking.never;
  }
  friend bool operator==(const Derived& a, const Derived& b) noexcept
  {
    return a.ctx == b.ctx;
  }
  friend bool operator!=(const Derived& a, const Derived& b) noexcept
  {
    return a.ctx != b.ctx;
  }
};

// An executor that takes its time to accept a function, then posts it to
// an io_context: a setter on another thread is still handing a wait (or a
// poll) over when the owner destroys the registration (or the poller).
struct slow_executor : io_context_executor_base<slow_executor>
{
  std::atomic<bool>* entered;
  std::atomic<bool>* handed_over;

  constexpr slow_executor(
      boost::asio::io_context* c, std::atomic<bool>* e, std::atomic<bool>* h) noexcept
    : io_context_executor_base(c), entered(e), handed_over(h)
  {
  }

  template <typename F>
  void execute(F&& f) const
  {
    entered->store(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    boost::asio::post(*ctx, std::forward<F>(f));
    handed_over->store(true);
  }
};

// An executor that refuses every function (as one that cannot allocate).
struct refusing_executor : io_context_executor_base<refusing_executor>
{
  using io_context_executor_base::io_context_executor_base;

  template <typename F>
  void execute(F&&) const
  {
    throw std::bad_alloc();
  }
};

// Once armed, the next allocation made through a slow_allocator is slow: it
// marks `entered`, sleeps, and marks `handed_over` once it has allocated. A
// handler that has one as its associated allocator makes the post of its
// completion slow, through a plain io_context executor.
struct slow_allocation
{
  std::atomic<bool> armed{false};
  std::atomic<bool> entered{false};
  std::atomic<bool> handed_over{false};
};

template <typename T>
struct slow_allocator
{
  using value_type = T;

  slow_allocation* control;

  explicit slow_allocator(slow_allocation* c) noexcept : control(c) {}
  template <typename U>
  slow_allocator(const slow_allocator<U>& o) noexcept : control(o.control)
  {
  }

  T* allocate(std::size_t n)
  {
    const bool slow = control->armed.exchange(false);
    if (slow)
    {
      control->entered.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    T* p = std::allocator<T>().allocate(n);
    if (slow)
      control->handed_over.store(true);
    return p;
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    std::allocator<T>().deallocate(p, n);
  }

  template <typename U>
  bool operator==(const slow_allocator<U>& o) const noexcept
  {
    return control == o.control;
  }
  template <typename U>
  bool operator!=(const slow_allocator<U>& o) const noexcept
  {
    return control != o.control;
  }
};

} // namespace iocpx_test

#endif // IOCPX_TEST_READINESS_TEST_UTIL_HPP
