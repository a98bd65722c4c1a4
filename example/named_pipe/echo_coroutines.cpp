// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The echo server and a client as C++20 coroutines (asio::awaitable), in
// one process: the same named pipe API as echo_server.cpp, with co_await.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <string>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using asio::awaitable;
using asio::use_awaitable;

//[echo_coroutines_server
awaitable<void> echo(ix::named_pipe pipe)
{
  char data[4096];
  for (;;)
  {
    boost::system::error_code ec;
    std::size_t n =
        co_await pipe.async_read_some(asio::buffer(data), asio::redirect_error(use_awaitable, ec));
    if (ec) // asio::error::eof when the client closed its end
      co_return;
    co_await asio::async_write(pipe, asio::buffer(data, n), use_awaitable);
  }
}

awaitable<void> serve(ix::named_pipe_acceptor& acceptor, int clients)
{
  for (int i = 0; i < clients; ++i)
  {
    ix::named_pipe pipe = co_await acceptor.async_accept(use_awaitable);
    asio::co_spawn(acceptor.get_executor(), echo(std::move(pipe)), asio::detached);
  }
}
//]

//[echo_coroutines_client
awaitable<bool> client(std::string name, std::string text)
{
  ix::named_pipe pipe(co_await asio::this_coro::executor);
  co_await pipe.async_connect(name, use_awaitable);
  co_await asio::async_write(pipe, asio::buffer(text), use_awaitable);
  std::string reply(text.size(), '\0');
  co_await asio::async_read(pipe, asio::buffer(reply), use_awaitable);
  co_return reply == text;
}
//]

int main()
{
  const std::string name =
      "\\\\.\\pipe\\iocpx-echo-coroutines-" + std::to_string(::GetCurrentProcessId());
  asio::io_context ctx;
  ix::named_pipe_acceptor acceptor(ctx, name);
  asio::co_spawn(ctx, serve(acceptor, 3), asio::detached);

  int verified = 0;
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(ctx, client(name, "hello from coroutine " + std::to_string(i)),
        [&](std::exception_ptr e, bool ok) {
          if (e)
            std::fprintf(stderr, "client failed\n");
          verified += !e && ok;
        });
  ctx.run();
  std::printf("echo_coroutines: %d/3 clients got their echo\n", verified);
  return verified == 3 ? 0 : 1;
}
