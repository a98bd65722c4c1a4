// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// HTTP/1.1 over a named pipe with Boost.Beast — the way Docker's engine API
// is reached on Windows (\\.\pipe\docker_engine). Beast's http::async_read
// and http::async_write take an iocpx named pipe as they take a TCP socket.
// Server and client run in this one process, on one io_context.

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ix = iocpx::windows;
using boost::system::error_code;

//[http_over_named_pipe_server
// Answers every request on one connection until the client closes it.
struct http_session : std::enable_shared_from_this<http_session>
{
  explicit http_session(ix::named_pipe p) : pipe(std::move(p)) {}

  void read()
  {
    request = {};
    http::async_read(pipe, buffer, request, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec)
        return; // http::error::end_of_stream: the client is done
      self->respond();
    });
  }

  void respond()
  {
    response = {};
    response.version(request.version());
    response.result(http::status::ok);
    response.set(http::field::content_type, "application/json");
    response.body() = "{\"path\":\"" + std::string(request.target()) + "\"}";
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::async_write(pipe, response, [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec)
        self->read();
    });
  }

  ix::named_pipe pipe;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
};
//]

int main()
{
  const std::string name =
      "\\\\.\\pipe\\iocpx-http-example-" + std::to_string(::GetCurrentProcessId());
  asio::io_context ctx;

  ix::named_pipe_acceptor acceptor(ctx, name);
  acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
    if (!ec)
      std::make_shared<http_session>(std::move(pipe))->read();
    acceptor.close(); // one connection is enough for the example
  });

  //[http_over_named_pipe_client
  ix::named_pipe client(ctx);
  beast::flat_buffer buffer;
  http::request<http::string_body> request(http::verb::get, "/v1.43/containers/json", 11);
  request.set(http::field::host, "localhost");
  http::response<http::string_body> response;
  bool ok = false;
  client.async_connect(name, [&](error_code ec) {
    if (ec)
      return std::fprintf(stderr, "connect: %s\n", ec.message().c_str()), void();
    http::async_write(client, request, [&](error_code wec, std::size_t) {
      if (wec)
        return std::fprintf(stderr, "write: %s\n", wec.message().c_str()), void();
      http::async_read(client, buffer, response, [&](error_code rec, std::size_t) {
        if (rec)
          return std::fprintf(stderr, "read: %s\n", rec.message().c_str()), void();
        std::printf("GET %s -> %u %s\n", std::string(request.target()).c_str(),
            response.result_int(), response.body().c_str());
        ok = response.result() == http::status::ok;
        client.close(); // the server's session ends with end_of_stream
      });
    });
  });
  //]

  ctx.run();
  return ok ? 0 : 1;
}
