// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// An echo server written against the readiness API (async_wait, then
// try_read_some / try_write_some until would_block), on an io_context that
// four threads run. Each server-side pipe has a strand of its own: its wait
// handlers run there, so its calls never overlap, while the pipe's own
// completions run on any of the threads. Clients, in the same process, use
// the completion API and check every byte that comes back.
//
//   readiness_echo_threads [clients] [bytes-per-client]
//
// Exits 0 when every client got its bytes back, in order.

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using iocpx::ready;

//[readiness_echo_threads_session
// One server-side connection: echoes what it reads until the client closes.
class echo_session : public std::enable_shared_from_this<echo_session>
{
public:
  // `pipe` has a strand of its own as its executor (see main).
  explicit echo_session(ix::named_pipe pipe) : pipe_(std::move(pipe)) {}

  void start()
  {
    asio::dispatch(pipe_.get_executor(), [self = shared_from_this()] { self->pump(); });
  }

private:
  // On the pipe's strand: move data until a call reports would_block, then
  // wait for the readiness that would let it go on.
  void pump()
  {
    error_code ec;
    while (!eof_)
    {
      const std::size_t n = pipe_.try_read_some(asio::buffer(buffer_), ec);
      if (ec == iocpx::error::would_block)
        break;
      if (ec == asio::error::eof)
        eof_ = true;
      else if (ec)
        return; // the pipe broke: the session ends with its last handler
      else
        pending_.append(buffer_.data(), n);
    }
    while (!pending_.empty())
    {
      // A write that reports would_block is held in the system: the next
      // call passes the same bytes again and gets that write's result.
      const std::size_t n = pipe_.try_write_some(asio::buffer(pending_), ec);
      if (ec == iocpx::error::would_block)
        break;
      if (ec)
        return;
      pending_.erase(0, n);
    }
    if (eof_ && pending_.empty())
      return; // all echoed: the pipe closes with the session

    ready interest = ready::error();
    if (!eof_)
      interest |= ready::readable();
    if (!pending_.empty())
      interest |= ready::writable();
    pipe_.async_wait(interest, [self = shared_from_this()](error_code wait_ec, ready) {
      if (!wait_ec)
        self->pump();
    });
  }

  ix::named_pipe pipe_;
  std::array<char, 2048> buffer_;
  std::string pending_; // read, not yet written back
  bool eof_ = false;
};
//]

// A client: writes its bytes and reads them back (completion API).
struct echo_client
{
  ix::named_pipe pipe;
  std::string sent;
  std::string received;
  bool ok = false;

  echo_client(asio::io_context& ctx, std::size_t size, int id)
    : pipe(asio::make_strand(ctx)), sent(size, '\0'), received(size, '\0')
  {
    for (std::size_t i = 0; i < size; ++i)
      sent[i] = static_cast<char>('a' + (i * 31 + static_cast<std::size_t>(id)) % 26);
  }

  void start()
  {
    asio::async_write(pipe, asio::buffer(sent), [](error_code ec, std::size_t) {
      if (ec)
        std::fprintf(stderr, "readiness_echo_threads: write: %s\n", ec.message().c_str());
    });
    asio::async_read(pipe, asio::buffer(received), [this](error_code ec, std::size_t) {
      ok = !ec && received == sent;
      pipe.close(); // the server sees eof and ends the session
    });
  }
};

int main(int argc, char** argv)
{
  const int clients = argc > 1 ? std::atoi(argv[1]) : 8;
  const std::size_t bytes = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 256 * 1024;
  const std::string name =
      "\\\\.\\pipe\\iocpx-readiness-echo-threads-" + std::to_string(::GetCurrentProcessId());

  asio::io_context ctx;
  ix::named_pipe_options options;
  options.listen_instances = clients;
  options.in_buffer_size = options.out_buffer_size = 4096; // small: writes are held often
  ix::named_pipe_acceptor acceptor(ctx, name, options);

  // Accept every client as a pipe with a strand of its own (the strand
  // type converts into the session's any_io_executor pipe).
  using strand_pipe = ix::basic_named_pipe<asio::strand<asio::io_context::executor_type>>;
  std::atomic<int> accepted{0};
  for (int i = 0; i < clients; ++i)
  {
    acceptor.async_accept(asio::make_strand(ctx),
        [&accepted, &acceptor, clients](error_code ec, strand_pipe pipe) {
          if (ec)
          {
            std::fprintf(stderr, "readiness_echo_threads: accept: %s\n", ec.message().c_str());
            return;
          }
          std::make_shared<echo_session>(std::move(pipe))->start();
          if (++accepted == clients)
            acceptor.close(); // no more instances: run() ends when the sessions do
        });
  }

  std::vector<std::unique_ptr<echo_client>> peers;
  for (int i = 0; i < clients; ++i)
  {
    peers.push_back(std::make_unique<echo_client>(ctx, bytes, i));
    peers.back()->pipe.connect(name);
    peers.back()->start();
  }

  // Four threads run the io_context; run() returns when every session and
  // client is done.
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&ctx] { ctx.run(); });
  for (auto& t : threads)
    t.join();

  int good = 0;
  for (const auto& peer : peers)
    good += peer->ok ? 1 : 0;
  std::printf("readiness_echo_threads: %d of %d clients got their %zu bytes back "
              "(%d connections accepted, 4 threads)\n",
      good, clients, bytes, accepted.load());
  return good == clients ? 0 : 1;
}
