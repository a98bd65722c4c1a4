// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Named pipes against code no one here wrote: Boost.Beast HTTP/1.1 over the
// pipe, Asio's own windows::stream_handle as the peer, and Wine's cmd.exe
// writing into an iocpx acceptor.

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include "named_pipe_support.hpp"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ix = iocpx::windows;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

static_assert(beast::is_async_read_stream<ix::named_pipe>::value);
static_assert(beast::is_async_write_stream<ix::named_pipe>::value);
static_assert(beast::is_sync_read_stream<ix::named_pipe>::value);
static_assert(beast::is_sync_write_stream<ix::named_pipe>::value);

BOOST_AUTO_TEST_SUITE(named_pipe_interop)

BOOST_AUTO_TEST_CASE(beast_http_request_and_response)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);

  // Server: read a request, answer it.
  beast::flat_buffer server_buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  bool served = false;
  http::async_read(p.server, server_buffer, request, [&](error_code ec, std::size_t) {
    BOOST_REQUIRE(!ec);
    response.version(11);
    response.result(http::status::ok);
    response.set(http::field::content_type, "text/plain");
    response.body() = "you asked for " + std::string(request.target()) + " with "
        + request.body();
    response.prepare_payload();
    http::async_write(p.server, response, [&](error_code wec, std::size_t) {
      BOOST_TEST(!wec);
      served = true;
    });
  });

  // Client: send a request with a body, read the response.
  http::request<http::string_body> out(http::verb::post, "/containers/json", 11);
  out.set(http::field::host, "docker");
  out.body() = std::string(100000, 'b'); // larger than one pipe read
  out.prepare_payload();
  beast::flat_buffer client_buffer;
  http::response<http::string_body> in;
  bool answered = false;
  http::async_write(p.client, out, [&](error_code ec, std::size_t) {
    BOOST_REQUIRE(!ec);
    http::async_read(p.client, client_buffer, in, [&](error_code rec, std::size_t) {
      BOOST_TEST(!rec);
      answered = true;
    });
  });
  BOOST_TEST(run_until(ctx, [&] { return served && answered; }, 30s));
  BOOST_TEST(request.method() == http::verb::post);
  BOOST_TEST(request.body().size() == 100000u);
  BOOST_TEST(in.result() == http::status::ok);
  BOOST_TEST(in.body() == "you asked for /containers/json with " + std::string(100000, 'b'));

  // The synchronous path works too (SyncReadStream / SyncWriteStream).
  http::request<http::string_body> sync_req(http::verb::get, "/sync", 11);
  sync_req.prepare_payload();
  http::write(p.client, sync_req);
  http::request<http::string_body> sync_in;
  beast::flat_buffer sync_buffer;
  http::read(p.server, sync_buffer, sync_in);
  BOOST_TEST(sync_in.target() == "/sync");
}

BOOST_AUTO_TEST_CASE(asio_stream_handle_as_the_peer)
{
  asio::io_context ctx;
  const std::string name = np_name("stream-handle");
  ix::named_pipe_acceptor acceptor(ctx, name);
  HANDLE raw = ::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  BOOST_REQUIRE(raw != INVALID_HANDLE_VALUE);
  asio::windows::stream_handle peer(ctx, raw);

  ix::named_pipe server(ctx);
  bool accepted = false;
  acceptor.async_accept(server, [&](error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return accepted; }));

  std::string to_iocpx(200000, 'a');
  std::string from_iocpx(150000, 'z');
  std::string got_by_iocpx(to_iocpx.size(), '\0');
  std::string got_by_asio(from_iocpx.size(), '\0');
  int done = 0;
  asio::async_write(peer, asio::buffer(to_iocpx), [&](error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    ++done;
  });
  asio::async_read(server, asio::buffer(got_by_iocpx), [&](error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    ++done;
  });
  asio::async_write(server, asio::buffer(from_iocpx), [&](error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    ++done;
  });
  asio::async_read(peer, asio::buffer(got_by_asio), [&](error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    ++done;
  });
  BOOST_TEST(run_until(ctx, [&] { return done == 4; }, 30s));
  BOOST_TEST((got_by_iocpx == to_iocpx));
  BOOST_TEST((got_by_asio == from_iocpx));

  // Asio's handle closes: iocpx reads eof.
  peer.close();
  error_code last;
  char c;
  bool finished = false;
  server.async_read_some(asio::buffer(&c, 1), [&](error_code ec, std::size_t) {
    last = ec;
    finished = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return finished; }));
  BOOST_TEST(last == asio::error::eof);
}

BOOST_AUTO_TEST_CASE(cmd_exe_writes_into_an_acceptor)
{
  asio::io_context ctx;
  const std::string name = np_name("cmd");
  ix::named_pipe_acceptor acceptor(ctx, name);

  std::string command = "cmd.exe /c echo hello from cmd>" + name;
  STARTUPINFOA si{};
  si.cb = sizeof(si);
  PROCESS_INFORMATION pi{};
  BOOST_REQUIRE(::CreateProcessA(nullptr, &command[0], nullptr, nullptr, FALSE,
      CREATE_NO_WINDOW, nullptr, nullptr, &si, &pi));

  ix::named_pipe server(ctx);
  asio::streambuf sb;
  error_code last;
  bool finished = false;
  acceptor.async_accept(server, [&](error_code ec) {
    BOOST_REQUIRE(!ec);
    asio::async_read(server, sb, [&](error_code rec, std::size_t) {
      last = rec;
      finished = true;
    });
  });
  BOOST_TEST(run_until(ctx, [&] { return finished; }, 60s));
  BOOST_TEST(::WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0);
  DWORD exit_code = 1;
  ::GetExitCodeProcess(pi.hProcess, &exit_code);
  ::CloseHandle(pi.hThread);
  ::CloseHandle(pi.hProcess);
  BOOST_TEST(exit_code == 0u);
  BOOST_TEST(last == asio::error::eof); // all of cmd's output, then eof
  const std::string text(asio::buffers_begin(sb.data()), asio::buffers_end(sb.data()));
  BOOST_TEST(text.rfind("hello from cmd", 0) == 0u, "cmd wrote: " << text);
}

BOOST_AUTO_TEST_SUITE_END()
