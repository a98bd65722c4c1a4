// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A named pipe echo server with callbacks: every byte a client writes comes
// back to it, until the client closes its end.
//
//   echo_server <pipe-name> [clients]
//
// Serves `clients` connections (0: forever), then exits 0; exits 1 if
// accepting fails.

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;

//[echo_server_client_user
// The account a client runs as, asked while the thread impersonates it.
// Windows lets a server impersonate the writer of what it has read, so this
// is asked after the first read. iocpx clients allow identification only:
// enough to ask who the client is, not to act as the client.
std::string client_user(const ix::named_pipe& pipe)
{
  error_code ec;
  std::string user = pipe.run_as_client(
      [] {
        char name[257]; // UNLEN + 1
        DWORD size = sizeof(name);
        return ::GetUserNameA(name, &size) ? std::string(name, size - 1) : std::string("?");
      },
      ec);
  return ec ? "(" + ec.message() + ")" : user;
}
//]

//[echo_server_session
// One connection: read some, write it all back, repeat until eof.
class session : public std::enable_shared_from_this<session>
{
public:
  session(ix::named_pipe pipe, unsigned long long& bytes, std::set<std::string>& users)
    : pipe_(std::move(pipe)), bytes_(bytes), users_(users)
  {
  }

  void start()
  {
    read();
  }

private:
  void read()
  {
    pipe_.async_read_some(asio::buffer(buffer_),
        [self = shared_from_this()](error_code ec, std::size_t n) {
          if (ec)
            return; // eof: the client is done (anything else: give up on it)
          if (self->bytes_read_ == 0)
            self->users_.insert(client_user(self->pipe_)); // whom we serve
          self->bytes_read_ += n;
          self->bytes_ += n;
          asio::async_write(self->pipe_, asio::buffer(self->buffer_.data(), n),
              [self](error_code wec, std::size_t) {
                if (!wec)
                  self->read();
              });
        });
  }

  ix::named_pipe pipe_;
  std::array<char, 4096> buffer_;
  unsigned long long bytes_read_ = 0;
  unsigned long long& bytes_;
  std::set<std::string>& users_;
};
//]

int main(int argc, char** argv)
{
  if (argc < 2)
  {
    std::fprintf(stderr, "usage: echo_server <pipe-name> [clients]\n");
    return 2;
  }
  const std::string name = argv[1];
  const long clients = argc > 2 ? std::atol(argv[2]) : 0;

  asio::io_context ctx;
  //[echo_server_accept
  ix::named_pipe_options options;
  options.listen_instances = 8; // a burst of 8 clients never sees "busy"
  ix::named_pipe_acceptor acceptor(ctx, name, options);

  long accepted = 0;
  bool accept_failed = false;
  unsigned long long bytes = 0;
  std::set<unsigned long> client_processes;
  std::set<std::string> client_users;
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
      if (ec)
      {
        std::fprintf(stderr, "echo_server: accept: %s\n", ec.message().c_str());
        accept_failed = true;
        acceptor.close(); // run() ends when the sessions do
        return;
      }
      error_code pid_ec;
      const unsigned long pid = pipe.peer_process_id(pid_ec); // whom we serve
      if (!pid_ec)
        client_processes.insert(pid);
      std::make_shared<session>(std::move(pipe), bytes, client_users)->start();
      ++accepted;
      if (clients == 0 || accepted < clients)
        accept();
      else
        acceptor.close(); // no more clients; run() ends when the sessions do
    });
  };
  accept();
  ctx.run();
  //]
  std::string users;
  for (const std::string& u : client_users)
    users += (users.empty() ? "" : ", ") + u;
  std::printf("echo_server: served %ld clients from %lu processes (user %s), echoed %llu bytes\n",
      accepted, static_cast<unsigned long>(client_processes.size()), users.c_str(), bytes);
  return accept_failed ? 1 : 0;
}
