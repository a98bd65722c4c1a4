// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Shared helpers of the named pipe tests: unique names and connected
// basic_named_pipe pairs made through an acceptor.

#ifndef IOCPX_TEST_WINDOWS_NAMED_PIPE_SUPPORT_HPP
#define IOCPX_TEST_WINDOWS_NAMED_PIPE_SUPPORT_HPP

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include "support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <string>

namespace iocpx_test {

inline std::string np_name(const char* what)
{
  static std::atomic<unsigned> counter{0};
  char name[160];
  std::snprintf(name, sizeof(name), "\\\\.\\pipe\\iocpx-np-%s-%lu-%u", what,
      static_cast<unsigned long>(::GetCurrentProcessId()), counter.fetch_add(1));
  return name;
}

struct np_pair
{
  iocpx::windows::named_pipe server;
  iocpx::windows::named_pipe client;
  explicit np_pair(boost::asio::io_context& ctx) : server(ctx), client(ctx) {}
};

// A connected pair: server end accepted by an acceptor (closed again
// afterwards), client end connected to it.
inline np_pair make_np_pair(boost::asio::io_context& ctx,
    iocpx::windows::pipe_mode mode = iocpx::windows::pipe_mode::byte,
    unsigned long buffer_size = 64 * 1024)
{
  np_pair p(ctx);
  const std::string name = np_name("pair");
  iocpx::windows::named_pipe_options options;
  options.mode = mode;
  options.in_buffer_size = options.out_buffer_size = buffer_size;
  options.listen_instances = 1;
  iocpx::windows::named_pipe_acceptor acceptor(ctx, name, options);
  iocpx::windows::named_pipe_connect_options copts;
  copts.mode = mode;
  p.client.connect(name, copts);
  bool accepted = false;
  acceptor.async_accept(p.server, [&](boost::system::error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });
  BOOST_REQUIRE(run_until(ctx, [&] { return accepted; }));
  acceptor.close();
  ctx.restart();
  ctx.poll(); // the acceptor's own housekeeping
  ctx.restart();
  return p;
}

} // namespace iocpx_test

#endif // IOCPX_TEST_WINDOWS_NAMED_PIPE_SUPPORT_HPP
