// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Requests and replies as whole messages over a message-mode pipe, with
// C++20 coroutines, in one process. The server reads each request with
// async_read_message into a buffer bounded at 64 KiB, so a client cannot
// make it allocate more; a longer request is answered "too long" and the
// rest of it is skipped, still message by message.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>
#include <iocpx/windows/read_message.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;

constexpr std::size_t request_limit = 64 * 1024;

//[message_requests_server
awaitable<void> serve(ix::named_pipe pipe)
{
  for (;;)
  {
    std::string request;
    error_code ec;
    std::size_t n = co_await ix::async_read_message(pipe,
        asio::dynamic_buffer(request, request_limit), asio::redirect_error(use_awaitable, ec));
    std::string reply;
    if (ec == asio::error::message_size)
    {
      // Skip the rest of that request, at most request_limit at a time.
      while (ec == asio::error::message_size)
      {
        std::string rest;
        n += co_await ix::async_read_message(pipe, asio::dynamic_buffer(rest, request_limit),
            asio::redirect_error(use_awaitable, ec));
      }
      reply = "too long: " + std::to_string(n) + " bytes";
    }
    else if (!ec)
      reply = "ok: " + std::to_string(n) + " bytes";
    if (ec) // asio::error::eof when the client closed its end
      co_return;
    // One write is one message.
    co_await pipe.async_write_some(asio::buffer(reply), use_awaitable);
  }
}
//]

//[message_requests_client
awaitable<int> client(std::string name, std::vector<std::size_t> sizes)
{
  ix::named_pipe pipe(co_await asio::this_coro::executor);
  ix::named_pipe_connect_options options;
  options.mode = ix::pipe_mode::message; // read whole replies
  co_await pipe.async_connect(name, options, use_awaitable);
  int answered = 0;
  for (std::size_t size : sizes)
  {
    std::string request(size, 'r');
    co_await pipe.async_write_some(asio::buffer(request), use_awaitable);
    std::string reply;
    co_await ix::async_read_message(pipe, asio::dynamic_buffer(reply), use_awaitable);
    std::printf("request of %zu bytes: %s\n", size, reply.c_str());
    answered += reply == (size <= request_limit ? "ok: " : "too long: ") + std::to_string(size) + " bytes";
  }
  co_return answered;
}
//]

int main()
{
  const std::string name =
      "\\\\.\\pipe\\iocpx-message-requests-" + std::to_string(::GetCurrentProcessId());
  asio::io_context ctx;
  ix::named_pipe_options options;
  options.mode = ix::pipe_mode::message;
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
    if (!ec)
      asio::co_spawn(ctx, serve(std::move(pipe)), asio::detached);
    acceptor.close(); // one client
  });

  // A request longer than the pipe's 64 KiB buffers is written while the
  // server reads it.
  const std::vector<std::size_t> sizes = {12, 5000, 65536, 200000, 7};
  int answered = -1;
  asio::co_spawn(ctx, client(name, sizes), [&](std::exception_ptr e, int n) {
    if (e)
      std::fprintf(stderr, "client failed\n");
    else
      answered = n;
  });
  ctx.run();
  std::printf("message_requests: %d/%zu requests answered as expected\n", answered, sizes.size());
  return answered == static_cast<int>(sizes.size()) ? 0 : 1;
}
