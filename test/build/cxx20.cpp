// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Proves that a test marked CXX20 (CMake) / <cxxstd>20 (b2) really is built
// as C++20 with Asio's coroutine support on, in every configuration, and that
// a coroutine runs on an io_context: the lead's co_await tests rely on it.

// Before any Boost header: Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility> (an error with gcc 12 in C++20).
#include <utility>

#include <iocpx/detail/config.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(build_cxx20)

BOOST_AUTO_TEST_CASE(language_is_cxx20)
{
  BOOST_TEST(__cplusplus >= 202002L);
}

#if defined(IOCPX_HAS_CO_AWAIT)

namespace {
boost::asio::awaitable<int> twice(int x)
{
  co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
  co_return 2 * x;
}
} // namespace

BOOST_AUTO_TEST_CASE(co_await_runs_on_an_io_context)
{
  boost::asio::io_context ctx;
  int result = 0;
  boost::asio::co_spawn(
      ctx, [&]() -> boost::asio::awaitable<void> { result = co_await twice(21); },
      boost::asio::detached);
  BOOST_TEST(result == 0); // not run inside co_spawn
  ctx.run();
  BOOST_TEST(result == 42);
}

#else

BOOST_AUTO_TEST_CASE(co_await_runs_on_an_io_context)
{
  BOOST_TEST(false, "IOCPX_HAS_CO_AWAIT is not defined in a C++20 build");
}

#endif

BOOST_AUTO_TEST_SUITE_END()
