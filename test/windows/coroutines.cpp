// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// C++20: async_overlapped with use_awaitable / co_await, and cancellation of
// an awaited operation through the coroutine's cancellation state.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <iocpx/windows/async_overlapped.hpp>

#include "../common/asio_features.hpp"
#include "named_pipe_support.hpp"
#include "support.hpp"

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple, deferred, awaitable_operators: Boost 1.80
#  include <boost/asio/as_tuple.hpp>
#  include <boost/asio/deferred.hpp>
#  include <boost/asio/experimental/awaitable_operators.hpp>
#endif

#include <string>
#include <type_traits>

namespace ix = iocpx::windows;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(coroutines)

// The I/O objects with use_awaitable as their default token, as Asio's
// sockets are written (`use_awaitable_t<>::as_default_on_t<tcp::acceptor>`):
// their executor is derived from any_io_executor. Before the fix iocpx did
// not find the io_context behind it: open(), connect() and both accepts
// failed with operation_not_supported (review of 2026-11-30).
BOOST_AUTO_TEST_CASE(pipes_and_acceptors_with_a_default_token)
{
  using acceptor_type = asio::use_awaitable_t<>::as_default_on_t<ix::named_pipe_acceptor>;
  using pipe_type = asio::use_awaitable_t<>::as_default_on_t<ix::named_pipe>;
  static_assert(!std::is_same_v<pipe_type::executor_type, asio::any_io_executor>);
  static_assert(std::is_base_of_v<asio::any_io_executor, pipe_type::executor_type>);

  asio::io_context ctx;
  const std::string name = np_name("default-token");
  ix::named_pipe_options options;
  options.max_instances = 1; // one instance, accepted, then reused
  options.listen_instances = 1;
  acceptor_type acceptor(ctx, name, options);
  pipe_type first(ctx);
  first.connect(name); // the synchronous connect
  std::string reply;
  bool reused = false, second_connected = false;

  auto serve = [&]() -> asio::awaitable<void> {
    auto pipe = co_await acceptor.async_accept(); // a pipe_type, through the default token
    char buf[16];
    const std::size_t n = co_await pipe.async_read_some(asio::buffer(buf));
    co_await asio::async_write(pipe, asio::buffer(buf, n));
    error_code ec;
    co_await pipe.async_read_some(
        asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec)); // until the client has gone
    BOOST_TEST(ec == asio::error::eof);
    // The accept into a pipe of one's own: the same instance, once more.
    pipe.disconnect();
    co_await acceptor.async_accept(pipe);
    reused = true;
  };
  auto ask = [&]() -> asio::awaitable<void> {
    co_await asio::async_write(first, asio::buffer("marco", 5));
    char buf[16];
    const std::size_t n = co_await first.async_read_some(asio::buffer(buf));
    reply.assign(buf, n);
    first.close();
    pipe_type second(co_await asio::this_coro::executor);
    co_await second.async_connect(name); // busy until the reuse accept listens
    second_connected = second.is_connected();
  };
  asio::co_spawn(ctx, serve(), [](std::exception_ptr e) { BOOST_TEST(!e); });
  asio::co_spawn(ctx, ask(), [](std::exception_ptr e) { BOOST_TEST(!e); });
  BOOST_TEST(run_until(ctx, [&] { return reused && second_connected; }));
  BOOST_TEST(reply == "marco");
}

BOOST_AUTO_TEST_CASE(echo_with_use_awaitable)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding server = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  ix::binding client = ix::bind(ctx, p.client.get(), ix::bind_options::fast());
  std::string reply;

  auto echo_once = [&]() -> asio::awaitable<void> {
    char buf[64];
    std::size_t n = co_await ix::async_overlapped(server,
        [&](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(p.server.get(), buf, sizeof buf, nullptr, ov)); },
        asio::use_awaitable);
    co_await ix::async_overlapped(server,
        [&](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(p.server.get(), buf, DWORD(n), nullptr, ov)); },
        asio::use_awaitable);
  };
  auto ask = [&]() -> asio::awaitable<void> {
    co_await ix::async_overlapped(client,
        [&](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(p.client.get(), "marco", 5, nullptr, ov)); },
        asio::use_awaitable);
    char buf[64];
    // deferred is awaitable too
    std::size_t n = co_await ix::async_overlapped(client,
        [&](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(p.client.get(), buf, sizeof buf, nullptr, ov)); },
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::deferred: Boost 1.80
        asio::deferred);
#else
        asio::use_awaitable);
#endif
    reply.assign(buf, n);
  };
  asio::co_spawn(ctx, echo_once(), asio::detached);
  asio::co_spawn(ctx, ask(), asio::detached);
  ctx.run_for(10s);
  BOOST_TEST(reply == "marco");
}

BOOST_AUTO_TEST_CASE(errors_are_thrown_or_returned_as_tuples)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  p.client.reset();
  bool threw = false;
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::as_tuple: Boost 1.80
  bool tupled = false;
#endif
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    try
    {
      co_await ix::async_overlapped(b,
          [&](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(p.server.get(), "x", 1, nullptr, ov)); },
          asio::use_awaitable);
    }
    catch (const boost::system::system_error& e)
    {
      threw = e.code().value() == ERROR_NO_DATA;
    }
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::as_tuple: Boost 1.80
    auto [ec, n] = co_await ix::async_overlapped(b,
        [&](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(p.server.get(), "x", 1, nullptr, ov)); },
        asio::as_tuple(asio::use_awaitable));
    tupled = ec.value() == ERROR_NO_DATA && n == 0;
#endif
  }, asio::detached);
  ctx.run_for(10s);
  BOOST_TEST(threw);
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::as_tuple: Boost 1.80
  BOOST_TEST(tupled);
#endif
}

// The pipe objects with use_awaitable: async_accept's move-only pipe (with
// the acceptor's executor and with a strand of its own), connect, the
// completion API, the readiness API, and errors as exceptions.
BOOST_AUTO_TEST_CASE(named_pipe_server_and_client_as_coroutines)
{
  using strand_pipe = ix::basic_named_pipe<asio::strand<asio::io_context::executor_type>>;
  asio::io_context ctx;
  const std::string name = np_name("coro");
  ix::named_pipe_acceptor acceptor(ctx, name);
  std::string first_reply, second_reply;
  bool server_done = false;
  bool closed_accept_threw = false;

  auto serve = [&]() -> asio::awaitable<void> {
    // The first client: a pipe with the acceptor's executor, completion API.
    ix::named_pipe one = co_await acceptor.async_accept(asio::use_awaitable);
    char buf[16];
    std::size_t n = co_await one.async_read_some(asio::buffer(buf), asio::use_awaitable);
    co_await asio::async_write(one, asio::buffer(buf, n), asio::use_awaitable);

    // The second: on a strand of its own, readiness API.
    strand_pipe two =
        co_await acceptor.async_accept(asio::make_strand(ctx), asio::use_awaitable);
    iocpx::ready r = co_await two.async_wait(iocpx::ready::readable(), asio::use_awaitable);
    BOOST_TEST(r.is_readable());
    n = two.try_read_some(asio::buffer(buf));
    co_await asio::async_write(two, asio::buffer(buf, n), asio::use_awaitable);

    acceptor.close();
    try
    {
      co_await acceptor.async_accept(asio::use_awaitable);
    }
    catch (const boost::system::system_error& e)
    {
      closed_accept_threw = e.code() == asio::error::bad_descriptor;
    }
    server_done = true;
  };
  auto ask = [&](std::string text, std::string& reply) -> asio::awaitable<void> {
    ix::named_pipe pipe(co_await asio::this_coro::executor);
    co_await pipe.async_connect(name, asio::use_awaitable);
    co_await asio::async_write(pipe, asio::buffer(text), asio::use_awaitable);
    reply.resize(text.size());
    co_await asio::async_read(pipe, asio::buffer(reply), asio::use_awaitable);
  };
  auto clients = [&]() -> asio::awaitable<void> {
    co_await ask("first", first_reply);
    co_await ask("second", second_reply);
  };
  asio::co_spawn(ctx, serve(), asio::detached);
  asio::co_spawn(ctx, clients(), asio::detached);
  ctx.run_for(20s);
  BOOST_TEST(first_reply == "first");
  BOOST_TEST(second_reply == "second");
  BOOST_TEST(server_done);
  BOOST_TEST(closed_accept_threw);
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // awaitable_operators: Boost 1.80
BOOST_AUTO_TEST_CASE(awaitable_operators_cancel_the_slower_read)
{
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  bool timed_out = false;
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    char buf[8];
    asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
    auto which = co_await (ix::async_overlapped(b,
        [&](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(p.server.get(), buf, sizeof buf, nullptr, ov)); },
        asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
    timed_out = which.index() == 1;
  }, asio::detached);
  ctx.run_for(10s);
  BOOST_TEST(timed_out);
  BOOST_TEST(b.operations_in_flight() == 0u); // the read was cancelled, not leaked
}
#endif

BOOST_AUTO_TEST_SUITE_END()
