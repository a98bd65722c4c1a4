// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Built with BOOST_ASIO_NO_TYPEID, which Asio defines when RTTI is off
// (-fno-rtti). A pipe or acceptor finds the io_context inside an
// any_io_executor by asking for its target. Boost 1.74's target<T>() does
// not check the type (it casts), and its target_type() is then no
// std::type_info but the address of a per-type tag; before the fix iocpx
// found nothing there, and a pipe on an any_io_executor could not be opened
// (operation_not_supported) when built without RTTI. (Boost 1.75 and newer
// check the type in target<T>() themselves; the preset with Boost 1.74 is
// the one that shows the difference.)

#if !defined(BOOST_ASIO_NO_TYPEID)
#  error "built with BOOST_ASIO_NO_TYPEID (see test/windows/CMakeLists.txt)"
#endif

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include "named_pipe_support.hpp"

#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using namespace iocpx_test;

BOOST_AUTO_TEST_SUITE(named_pipe_no_typeid)

// The look-up itself: the right type is found, another one is not.
BOOST_AUTO_TEST_CASE(target_of_finds_the_executor_an_any_io_executor_holds)
{
  asio::io_context ctx;
  const asio::any_io_executor plain = ctx.get_executor();
  const asio::io_context::executor_type* p =
      iocpx::detail::target_of<asio::io_context::executor_type>(plain);
  BOOST_TEST_REQUIRE(p != nullptr);
  BOOST_TEST((*p == ctx.get_executor()));
  BOOST_TEST(iocpx::detail::target_of<iocpx::detail::io_tracked_executor>(plain) == nullptr);
  BOOST_TEST((iocpx::detail::target_of<asio::strand<asio::any_io_executor>>(plain) == nullptr));
  BOOST_TEST(iocpx::detail::target_of<asio::io_context::executor_type>(asio::any_io_executor())
      == nullptr);
  BOOST_TEST(iocpx::detail::io_context_of(plain) == &ctx);
  BOOST_TEST(iocpx::detail::io_context_of(asio::any_io_executor(asio::make_strand(plain))) == &ctx);
}

// A pipe and an acceptor on an any_io_executor (plain, and a strand of it)
// open, connect, and transfer.
BOOST_AUTO_TEST_CASE(a_pipe_on_an_any_io_executor_opens_and_works)
{
  asio::io_context ctx;
  const asio::any_io_executor executors[] = {
      ctx.get_executor(), asio::make_strand(asio::any_io_executor(ctx.get_executor()))};
  int n = 0;
  for (const asio::any_io_executor& ex : executors)
  {
    BOOST_TEST_CONTEXT("executor " << n++)
    {
      const std::string name = np_name("no-typeid");
      error_code ec;
      ix::named_pipe_acceptor acceptor(ex);
      acceptor.open(name, ix::named_pipe_options(), ec);
      BOOST_TEST_REQUIRE(!ec, ec.message());
      ix::named_pipe client(ex);
      ix::named_pipe server(ex);
      error_code connect_ec = asio::error::would_block;
      bool accepted = false;
      client.async_connect(name, [&](error_code e) { connect_ec = e; });
      acceptor.async_accept(server, [&](error_code e) {
        BOOST_TEST(!e, e.message());
        accepted = true;
      });
      BOOST_TEST_REQUIRE(
          run_until(ctx, [&] { return accepted && connect_ec != asio::error::would_block; }));
      BOOST_TEST_REQUIRE(!connect_ec, connect_ec.message());
      std::size_t written = 0;
      client.async_write_some(asio::buffer("hello", 5), [&](error_code e, std::size_t k) {
        BOOST_TEST(!e, e.message());
        written = k;
      });
      char buf[8] = {};
      std::size_t got = 0;
      server.async_read_some(asio::buffer(buf), [&](error_code e, std::size_t k) {
        BOOST_TEST(!e, e.message());
        got = k;
      });
      BOOST_TEST_REQUIRE(run_until(ctx, [&] { return written == 5u && got != 0u; }));
      BOOST_TEST(std::string(buf, got) == "hello");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
