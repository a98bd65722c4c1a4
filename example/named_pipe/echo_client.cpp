// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A named pipe echo client: connects (waiting while the server is busy or
// not there yet), sends messages of varying sizes, reads each echo back and
// checks every byte.
//
//   echo_client <pipe-name> <id> <messages>
//
// Exits 0 when every byte came back intact, 1 otherwise.

#include "echo_protocol.hpp"

#include <iocpx/windows/named_pipe.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;

int main(int argc, char** argv)
{
  if (argc < 4)
  {
    std::fprintf(stderr, "usage: echo_client <pipe-name> <id> <messages>\n");
    return 2;
  }
  const std::string name = argv[1];
  const long id = std::atol(argv[2]);
  const long messages = std::atol(argv[3]);

  asio::io_context ctx;
  ix::named_pipe pipe(ctx);
  asio::steady_timer retry(ctx);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  long done = 0;
  bool ok = true;
  std::string out, in;

  std::function<void(long)> exchange = [&](long i) {
    if (i == messages)
    {
      pipe.close();
      return;
    }
    out = echo_message(id, i);
    in.assign(out.size(), '\0');
    asio::async_write(pipe, asio::buffer(out), [&, i](error_code ec, std::size_t) {
      if (ec)
      {
        std::fprintf(stderr, "echo_client %ld: write: %s\n", id, ec.message().c_str());
        ok = false;
        return;
      }
      asio::async_read(pipe, asio::buffer(in), [&, i](error_code rec, std::size_t) {
        if (rec || in != out)
        {
          std::fprintf(stderr, "echo_client %ld: message %ld: %s\n", id, i,
              rec ? rec.message().c_str() : "echo differs");
          ok = false;
          return;
        }
        ++done;
        exchange(i + 1);
      });
    });
  };

  //[echo_client_connect
  // Busy instances are waited for by async_connect itself; a server that is
  // not there yet (the demo starts everyone at once) is retried here.
  std::function<void()> connect = [&] {
    pipe.async_connect(name, [&](error_code ec) {
      if (ec == iocpx::error::pipe_not_found && std::chrono::steady_clock::now() < give_up)
      {
        retry.expires_after(std::chrono::milliseconds(20));
        retry.async_wait([&](error_code) { connect(); });
        return;
      }
      if (ec)
      {
        std::fprintf(stderr, "echo_client %ld: connect: %s\n", id, ec.message().c_str());
        ok = false;
        return;
      }
      exchange(0);
    });
  };
  //]
  connect();
  ctx.run();
  ok = ok && done == messages;
  return ok ? 0 : 1;
}
