// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The bridge from completions to readiness (example/windows/readable_pipe.hpp):
// an overlapped zero-byte read whose callback sets readiness on a registration.

#include "readable_pipe.hpp"

#include "support.hpp"

#include <iocpx/event.hpp>
#include <iocpx/poller.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::ready;
using namespace iocpx_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(readiness_bridge)

BOOST_AUTO_TEST_CASE(readable_after_data_then_would_block_rearms)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  readable_pipe pipe(ctx, p.server.release());

  error_code ec;
  char buf[8];
  BOOST_TEST(pipe.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  BOOST_TEST(pipe.readiness().is_none());

  int waits = 0;
  ready seen;
  pipe.async_wait(ready::readable(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    seen = r;
    ++waits;
  });
  ctx.poll();
  BOOST_TEST(waits == 0); // no data yet

  write_all(p.client.get(), "first chunk", 11);
  BOOST_TEST(run_until(ctx, [&] { return waits == 1; }));
  BOOST_TEST(seen.is_readable());
  BOOST_TEST(drain(pipe, ec) == "first chunk");
  BOOST_TEST(ec == iocpx::error::would_block); // readiness cleared and probe re-armed
  BOOST_TEST(!pipe.readiness().is_readable());

  // A write right after would_block is not lost.
  write_all(p.client.get(), "second", 6);
  pipe.async_wait(ready::readable(), [&](error_code e, ready) {
    BOOST_TEST(!e);
    ++waits;
  });
  BOOST_TEST(run_until(ctx, [&] { return waits == 2; }));
  BOOST_TEST(drain(pipe, ec) == "second");
  BOOST_TEST(ec == iocpx::error::would_block);
}

BOOST_AUTO_TEST_CASE(writer_close_gives_hangup_then_eof_after_the_data)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  readable_pipe pipe(ctx, p.server.release());
  write_all(p.client.get(), "last words", 10);
  p.client.reset();

  ready seen;
  bool done = false;
  pipe.async_wait(ready::hangup(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    seen = r;
    done = true;
  });
  // The probe first reports the data; after a drain, it reports the hangup.
  error_code ec;
  std::string got;
  BOOST_TEST(run_until(ctx, [&] {
    if (pipe.readiness().is_readable())
      got += drain(pipe, ec);
    return done;
  }));
  got += drain(pipe, ec);
  BOOST_TEST(seen.is_hangup());
  BOOST_TEST(got == "last words");
  BOOST_TEST(ec == asio::error::eof);
}

BOOST_AUTO_TEST_CASE(poller_watches_many_pipes_by_token)
{
  constexpr std::size_t count = 10;
  asio::io_context ctx;
  iocpx::poller poller(ctx);
  std::vector<pipe_pair> pairs;
  std::vector<std::unique_ptr<readable_pipe>> pipes;
  for (std::size_t i = 0; i < count; ++i)
  {
    pairs.push_back(make_pipe_pair());
    pipes.push_back(std::make_unique<readable_pipe>(ctx, pairs.back().server.release()));
    poller.add(*pipes.back(), 100 + i, ready::readable(), iocpx::trigger::edge);
  }
  // Write to every other pipe; only those tokens may be reported.
  for (std::size_t i = 0; i < count; i += 2)
  {
    const std::string text = "to " + std::to_string(i);
    write_all(pairs[i].client.get(), text.data(), DWORD(text.size()));
  }
  std::vector<std::string> received(count);
  std::size_t reported = 0;
  std::array<iocpx::event, 4> events;
  // The poll stays armed to the end, so that a token reported twice, or a
  // pipe nobody wrote to, would be seen while the test waits below.
  std::function<void()> poll = [&] {
    poller.async_poll(events, [&](error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted)
        return;
      BOOST_REQUIRE(!ec);
      for (std::size_t e = 0; e < n; ++e)
      {
        const std::size_t i = events[e].token - 100;
        BOOST_TEST_REQUIRE(i < count);
        BOOST_TEST(i % 2 == 0u);
        BOOST_TEST(events[e].readiness.is_readable());
        error_code rec;
        received[i] += drain(*pipes[i], rec);
        BOOST_TEST(rec == iocpx::error::would_block);
        ++reported;
      }
      poll();
    });
  };
  poll();
  BOOST_TEST(run_until(ctx, [&] { return reported >= count / 2; }));
  let_stray_completions_arrive(ctx, 100ms);
  BOOST_TEST(reported == count / 2); // each written pipe reported once (edge)
  poller.cancel();
  ctx.restart();
  ctx.poll();
  for (std::size_t i = 0; i < count; ++i)
    BOOST_TEST(received[i] == (i % 2 == 0 ? "to " + std::to_string(i) : std::string()));
}

BOOST_AUTO_TEST_SUITE_END()
