// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Shared helpers of the named pipe tests: unique names, connected
// basic_named_pipe pairs made through an acceptor, and a name whose only
// instance a client holds.

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
#include <utility>

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

// A pipe name whose only instance a client holds: an acceptor that keeps
// at most one instance of `name` (max_instances and listen_instances 1) and
// `first`, a client connected to that instance, not accepted yet. Until the
// instance is free again every other client of the name finds it busy
// (ERROR_PIPE_BUSY), which the tests of async_connect's busy retries wait
// on; and since clients pick any listening instance of a name, the next
// client can only reach this one, which the tests of accepts that reuse a
// disconnected instance need.
//
// Made in the order those tests made it by hand (name, acceptor, client),
// and declared before the test's own pipes, so that these are destroyed
// first and the acceptor last. `Acceptor` and the constructor's
// `acceptor_on` (its io_context or executor) let a test put the acceptor on
// an executor of its own; the client is always on `ctx`.
template <typename Acceptor = iocpx::windows::named_pipe_acceptor>
struct basic_busy_single_instance
{
  const std::string name;
  Acceptor acceptor;
  iocpx::windows::named_pipe first;

  basic_busy_single_instance(boost::asio::io_context& ctx, const char* what)
    : basic_busy_single_instance(ctx, ctx, what)
  {
  }

  template <typename ExecutionContextOrExecutor>
  basic_busy_single_instance(
      boost::asio::io_context& ctx, ExecutionContextOrExecutor&& acceptor_on, const char* what)
    : name(np_name(what)),
      acceptor(std::forward<ExecutionContextOrExecutor>(acceptor_on), name, options()),
      first(ctx)
  {
    first.connect(name); // takes the only instance
  }

  // Ends `first`'s turn the way a server with one instance does: accepts
  // `first` into `server` and closes both ends, so the instance goes away;
  // the acceptor makes the next one at its next accept. Until then no pipe
  // of `name` exists at all.
  void end_the_first_turn(boost::asio::io_context& ctx, iocpx::windows::named_pipe& server)
  {
    acceptor.async_accept(server, [](boost::system::error_code ec) { BOOST_TEST(!ec); });
    BOOST_TEST(run_until(ctx, [&] { return server.is_open(); }));
    server.close();
    first.close();
  }

private:
  static iocpx::windows::named_pipe_options options()
  {
    iocpx::windows::named_pipe_options o;
    o.max_instances = 1;
    o.listen_instances = 1;
    return o;
  }
};

using busy_single_instance = basic_busy_single_instance<>;

// An instance of a pipe of its own (CreateNamedPipe, outside any
// acceptor), listening; nobody opens it.
inline HANDLE new_listening_instance(const std::string& name)
{
  HANDLE h = ::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE, 1, 4096, 4096, 0, nullptr);
  BOOST_REQUIRE(h != INVALID_HANDLE_VALUE);
  return h;
}

// A reuse accept that waits: `server` is given a fresh instance of a pipe
// of its own (`instance`), and `acceptor.async_accept(server)` waits on it,
// its ConnectNamedPipe pending. `done` and `result` tell its completion.
struct pending_reuse_accept
{
  HANDLE instance;
  bool done = false;
  boost::system::error_code result;

  pending_reuse_accept(boost::asio::io_context& ctx,
      iocpx::windows::named_pipe_acceptor& acceptor, iocpx::windows::named_pipe& server)
    : instance(new_listening_instance(np_name("reuse-instance")))
  {
    server.assign(instance);
    acceptor.async_accept(server, [this](boost::system::error_code ec) {
      result = ec;
      done = true;
    });
    ctx.poll();
    BOOST_REQUIRE(!done);
  }

  pending_reuse_accept(const pending_reuse_accept&) = delete;
  pending_reuse_accept& operator=(const pending_reuse_accept&) = delete;
};

// A pipe instance nobody connects to, with a ConnectNamedPipe pending on a
// private event: an unrelated handle whose I/O must survive what iocpx does
// to a handle that had its value before (close_races.cpp).
struct bystander_pipe
{
  HANDLE pipe = INVALID_HANDLE_VALUE;
  OVERLAPPED ov{};

  explicit bystander_pipe(const std::string& name)
  {
    pipe = ::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE, 1, 4096, 4096, 0, nullptr);
    BOOST_REQUIRE(pipe != INVALID_HANDLE_VALUE);
    ov.hEvent = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
    BOOST_REQUIRE(!::ConnectNamedPipe(pipe, &ov));
    BOOST_REQUIRE_EQUAL(::GetLastError(), DWORD(ERROR_IO_PENDING));
  }

  // Whether its ConnectNamedPipe is still pending (not cancelled).
  bool still_pending()
  {
    DWORD n = 0;
    return !::GetOverlappedResult(pipe, &ov, &n, FALSE) && ::GetLastError() == ERROR_IO_INCOMPLETE;
  }

  ~bystander_pipe()
  {
    ::CancelIoEx(pipe, &ov);
    DWORD n = 0;
    ::GetOverlappedResult(pipe, &ov, &n, TRUE);
    ::CloseHandle(ov.hEvent);
    ::CloseHandle(pipe);
  }

  bystander_pipe(const bystander_pipe&) = delete;
  bystander_pipe& operator=(const bystander_pipe&) = delete;
};

} // namespace iocpx_test

#endif // IOCPX_TEST_WINDOWS_NAMED_PIPE_SUPPORT_HPP
