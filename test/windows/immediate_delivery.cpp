// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The fast path for immediate completions: an operation that completes at
// once, started from inside a completion iocpx is delivering, is delivered on
// the same thread right after the current handler returns — never inside its
// initiating call, in order, bounded so that nothing starves.

#include <iocpx/windows/async_overlapped.hpp>
#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/overlapped.hpp>

#include "support.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <stdexcept>
#include <vector>

namespace ix = iocpx::windows;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

namespace {

// An operation that always completes at once (a write into a pipe with room,
// on a handle that skips the port on success).
struct immediate_writer
{
  ix::binding& b;

  template <typename Handler>
  void write(Handler&& h)
  {
    HANDLE handle = b.native_handle();
    ix::async_overlapped(b,
        [handle](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(handle, "x", 1, nullptr, ov)); },
        std::forward<Handler>(h));
  }
};

// An operation that always fails at once, without touching any handle.
template <typename Handler>
void immediate_failure(ix::binding& b, Handler&& h)
{
  ix::async_overlapped(b, [](OVERLAPPED*) -> DWORD { return ERROR_NOT_SUPPORTED; }, std::forward<Handler>(h));
}

} // namespace

BOOST_AUTO_TEST_SUITE(immediate_delivery)

BOOST_AUTO_TEST_CASE(never_inside_the_initiating_call_even_from_a_handler)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  immediate_writer w{b};
  int inner_calls = 0;
  bool checked = false;
  bool returned = false; // outlives the outer handler: the inner one runs after it
  w.write([&](error_code, std::size_t) {
    w.write([&](error_code ec, std::size_t n) {
      BOOST_TEST(returned); // the initiating call had returned
      BOOST_TEST(!ec);
      BOOST_TEST(n == 1u);
      ++inner_calls;
    });
    returned = true;
    BOOST_TEST(inner_calls == 0);
    checked = true;
  });
  ctx.run();
  BOOST_TEST(checked);
  BOOST_TEST(inner_calls == 1);
}

BOOST_AUTO_TEST_CASE(delivered_in_order)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  immediate_writer w{b};
  std::vector<int> order;
  w.write([&](error_code, std::size_t) {
    for (int i = 0; i < 8; ++i)
      w.write([&order, i](error_code, std::size_t) { order.push_back(i); });
    immediate_failure(b, [&order](error_code ec, std::size_t) {
      BOOST_TEST(ec.value() == ERROR_NOT_SUPPORTED);
      order.push_back(8);
    });
  });
  ctx.run();
  BOOST_TEST(order == (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

BOOST_AUTO_TEST_CASE(a_chain_runs_without_port_round_trips_up_to_the_budget)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  int completed = 0;
  std::function<void(error_code, std::size_t)> next = [&](error_code, std::size_t) {
    if (++completed < 1000)
      immediate_failure(b, next);
  };
  immediate_failure(b, next); // from outside any handler: posted
  // One run_one() dequeues the posted completion; the chain it starts is
  // delivered on this thread, without the port, until the budget is spent.
  BOOST_TEST(ctx.run_one() == 1u);
  constexpr int budget = int(iocpx::detail::delivery_scope::budget);
  BOOST_TEST(completed == 1 + budget);
  ctx.run();
  BOOST_TEST(completed == 1000);
}

BOOST_AUTO_TEST_CASE(an_always_immediate_loop_does_not_starve_timers_or_posts)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  bool stop = false;
  long loops = 0;
  std::function<void(error_code, std::size_t)> spin = [&](error_code, std::size_t) {
    ++loops;
    if (!stop)
      immediate_failure(b, spin);
  };
  immediate_failure(b, spin);

  bool posted_ran = false;
  asio::post(ctx, [&] { posted_ran = true; });
  asio::steady_timer timer(ctx, 30ms);
  bool timer_ran = false;
  timer.async_wait([&](error_code ec) {
    BOOST_TEST(!ec);
    timer_ran = true;
    stop = true;
  });
  ctx.run_for(10s);
  BOOST_TEST(posted_ran);
  BOOST_TEST(timer_ran);
  BOOST_TEST(loops > 1);
  BOOST_TEST_MESSAGE("immediate completions before the timer fired: " << loops);
}

BOOST_AUTO_TEST_CASE(queued_completions_survive_a_throwing_handler)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  int after = 0;
  immediate_failure(b, [&](error_code, std::size_t) {
    immediate_failure(b, [&](error_code, std::size_t) { ++after; });
    immediate_failure(b, [&](error_code, std::size_t) { ++after; });
    throw std::runtime_error("handler failed");
  });
  BOOST_CHECK_THROW(ctx.run(), std::runtime_error);
  BOOST_TEST(after == 0);
  ctx.restart();
  ctx.run(); // the two queued completions were handed to the port, not lost
  BOOST_TEST(after == 2);
}

BOOST_AUTO_TEST_CASE(stop_inside_a_handler_keeps_queued_completions)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  int after = 0;
  immediate_failure(b, [&](error_code, std::size_t) {
    immediate_failure(b, [&](error_code, std::size_t) { ++after; });
    ctx.stop();
  });
  ctx.run();
  BOOST_TEST(after == 0);
  ctx.restart();
  ctx.run();
  BOOST_TEST(after == 1);
}

BOOST_AUTO_TEST_CASE(overlapped_callbacks_use_the_fast_path_too)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  int calls = 0;
  HANDLE h = p.server.get();
  auto start = [h](OVERLAPPED* o) { return ix::win32_result(::WriteFile(h, "o", 1, nullptr, o)); };
  std::unique_ptr<ix::overlapped> ov;
  ov = std::make_unique<ix::overlapped>([&](const error_code& ec, std::size_t) {
    BOOST_TEST(!ec);
    if (++calls < 10)
      ov->start(b, start);
  });
  ov->start(b, start);
  BOOST_TEST(ctx.run_one() == 1u);
  BOOST_TEST(calls == 10);
}

BOOST_AUTO_TEST_CASE(another_contexts_operations_are_posted_to_it)
{
  asio::io_context ctx1, ctx2;
  pipe_pair p1 = make_pipe_pair(), p2 = make_pipe_pair();
  ix::binding b1 = ix::bind(ctx1, p1.server.get(), ix::bind_options::fast());
  ix::binding b2 = ix::bind(ctx2, p2.server.get(), ix::bind_options::fast());
  bool ran_on_2 = false;
  immediate_failure(b1, [&](error_code, std::size_t) {
    immediate_failure(b2, [&](error_code, std::size_t) { ran_on_2 = true; });
  });
  ctx1.run();
  BOOST_TEST(!ran_on_2); // not delivered on ctx1's thread
  ctx2.run();
  BOOST_TEST(ran_on_2);
}

// A handler of ctx1 runs ctx2's loop itself; a completion of ctx2 delivered
// there starts an operation of ctx1 that completes at once. ctx1's loop is
// on this thread's stack but not the innermost: running that completion
// right after ctx2's handler would run it inside the ctx1 handler still
// running further out. It must wait for ctx1's own loop. (Found by review,
// 2026-11-29.)
BOOST_AUTO_TEST_CASE(an_outer_loops_context_is_not_run_inside_a_nested_loop)
{
  asio::io_context ctx1, ctx2;
  pipe_pair p1 = make_pipe_pair(), p2 = make_pipe_pair();
  ix::binding b1 = ix::bind(ctx1, p1.server.get(), ix::bind_options::fast());
  ix::binding b2 = ix::bind(ctx2, p2.server.get(), ix::bind_options::fast());
  bool in_ctx1_handler = false, ran_on_1 = false, ran_nested = false;
  asio::post(ctx1, [&] {
    in_ctx1_handler = true;
    immediate_failure(b2, [&](error_code, std::size_t) {
      immediate_failure(b1, [&](error_code, std::size_t) {
        ran_on_1 = true;
        ran_nested = in_ctx1_handler;
      });
    });
    ctx2.run();
    in_ctx1_handler = false;
  });
  ctx1.run();
  BOOST_TEST(ran_on_1);
  BOOST_TEST(!ran_nested);
}

// As above, with the ctx1 handler an iocpx delivery: the ctx1 operation
// that ctx2's handler completes at once is posted to ctx1, and one the
// ctx1 handler completes at once after ctx2.run() returned must not be
// queued on its delivery and run first. (Until 2026-11-29 the scope of the
// ctx1 delivery was not told, and 2 ran before 1. Found by review.)
BOOST_AUTO_TEST_CASE(a_completion_posted_from_a_nested_loop_is_not_overtaken)
{
  asio::io_context ctx1, ctx2;
  pipe_pair p1 = make_pipe_pair(), p2 = make_pipe_pair();
  ix::binding b1 = ix::bind(ctx1, p1.server.get(), ix::bind_options::fast());
  ix::binding b2 = ix::bind(ctx2, p2.server.get(), ix::bind_options::fast());
  std::vector<int> order;
  immediate_failure(b1, [&](error_code, std::size_t) { // a delivery of ctx1
    immediate_failure(b2, [&](error_code, std::size_t) {
      immediate_failure(b1, [&](error_code, std::size_t) { order.push_back(1); });
    });
    ctx2.run();
    immediate_failure(b1, [&](error_code, std::size_t) { order.push_back(2); });
  });
  ctx1.run();
  BOOST_TEST(order == (std::vector<int>{1, 2}), boost::test_tools::per_element());
}

// A handler starts an operation on a binding whose handle was closed through
// another binding (completed with not_bound through the port), then one that
// fails at once: the second must not overtake the first. Until 2026-11-27 it
// was queued on the thread and ran right after the handler, ahead of it.
BOOST_AUTO_TEST_CASE(an_immediate_completion_does_not_overtake_a_posted_not_bound)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair(), q = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  ix::binding owner = ix::bind(ctx, q.server.release());
  ix::binding other = ix::bind(ctx, owner.native_handle());
  owner.close();
  BOOST_TEST_REQUIRE(!other.is_bound());
  ix::binding empty;
  std::vector<int> order;
  immediate_failure(b, [&](error_code, std::size_t) {
    ix::async_overlapped(other, [](OVERLAPPED*) -> DWORD { return ERROR_SUCCESS; },
        [&](error_code ec, std::size_t) {
          BOOST_TEST(ec == iocpx::error::not_bound);
          order.push_back(1);
        });
    immediate_failure(b, [&](error_code, std::size_t) { order.push_back(2); });
    // The same with an empty binding, whose completion is posted to the
    // handler's executor (here the io_context's).
    ix::async_overlapped(empty, [](OVERLAPPED*) -> DWORD { return ERROR_SUCCESS; },
        asio::bind_executor(ctx, [&](error_code ec, std::size_t) {
          BOOST_TEST(ec == iocpx::error::not_bound);
          order.push_back(3);
        }));
    immediate_failure(b, [&](error_code, std::size_t) { order.push_back(4); });
  });
  ctx.run();
  BOOST_TEST(order == (std::vector<int>{1, 2, 3, 4}), boost::test_tools::per_element());
}

// The same for a named pipe operation whose outcome is known in its
// initiating call (a closed pipe, an empty buffer): posted, so the
// immediate completion made ready after it must not run ahead of it.
BOOST_AUTO_TEST_CASE(an_immediate_completion_does_not_overtake_a_posted_pipe_result)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  ix::named_pipe closed(ctx);
  std::vector<int> order;
  immediate_failure(b, [&](error_code, std::size_t) {
    closed.async_write_some(asio::buffer("x", 1), [&](error_code ec, std::size_t) {
      BOOST_TEST(ec == asio::error::bad_descriptor);
      order.push_back(1);
    });
    immediate_failure(b, [&](error_code, std::size_t) { order.push_back(2); });
  });
  ctx.run();
  BOOST_TEST(order == (std::vector<int>{1, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
