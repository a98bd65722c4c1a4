// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Readiness over completion: several pipes, each a readable_pipe (a zero-byte
// read probe turned into `readable`), watched by one iocpx::poller with a
// token per pipe — an epoll/mio-style loop on Windows completion ports.

#include "readable_pipe.hpp"

#include <iocpx/event.hpp>
#include <iocpx/poller.hpp>

#include <boost/asio/io_context.hpp>

#include <array>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;

int main()
{
  constexpr int pipes = 3;
  constexpr int lines_per_pipe = 4;

  asio::io_context ctx;
  iocpx::poller poller(ctx);
  std::vector<std::unique_ptr<readable_pipe>> readers;
  std::vector<HANDLE> writers;
  for (int i = 0; i < pipes; ++i)
  {
    // (The process id in the name: two copies of this program may run at once.)
    const std::string name = "\\\\.\\pipe\\iocpx-example-readiness-"
        + std::to_string(::GetCurrentProcessId()) + "-" + std::to_string(i);
    HANDLE server = ::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
        PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, nullptr);
    HANDLE client = ::CreateFileA(name.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (server == INVALID_HANDLE_VALUE || client == INVALID_HANDLE_VALUE)
    {
      std::fprintf(stderr, "cannot create pipe %d: %lu\n", i, ::GetLastError());
      return 1;
    }
    readers.push_back(std::make_unique<readable_pipe>(ctx, server));
    writers.push_back(client);
    // token = index; edge-triggered: one event per new readiness, drain until would_block
    poller.add(*readers.back(), static_cast<std::size_t>(i),
        iocpx::ready::readable() | iocpx::ready::hangup(), iocpx::trigger::edge);
  }

  // Writers on other threads, with plain blocking WriteFile.
  std::vector<std::thread> threads;
  for (int i = 0; i < pipes; ++i)
  {
    threads.emplace_back([i, h = writers[std::size_t(i)]] {
      for (int k = 0; k < lines_per_pipe; ++k)
      {
        std::string line = "pipe " + std::to_string(i) + " line " + std::to_string(k) + "\n";
        DWORD written = 0;
        ::WriteFile(h, line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (i + 1)));
      }
      ::CloseHandle(h);
    });
  }

  std::array<std::string, pipes> received;
  int open = pipes;
  std::array<iocpx::event, 8> events;
  // The loop: poll, then for each event drain its pipe until would_block.
  std::function<void()> poll_once = [&] {
    poller.async_poll(events, [&](error_code ec, std::size_t n) {
      if (ec)
        return;
      for (std::size_t e = 0; e < n; ++e)
      {
        const std::size_t token = events[e].token;
        char buf[256];
        for (;;)
        {
          error_code rec;
          std::size_t got = readers[token]->try_read_some(asio::buffer(buf), rec);
          if (rec == iocpx::error::would_block)
            break;
          if (rec)
          {
            std::printf("pipe %zu: writer closed (%s)\n", token, rec.message().c_str());
            poller.remove(*readers[token]);
            --open;
            break;
          }
          received[token].append(buf, got);
        }
      }
      if (open > 0)
        poll_once();
    });
  };
  poll_once();
  ctx.run();
  for (auto& t : threads)
    t.join();

  bool ok = true;
  for (int i = 0; i < pipes; ++i)
  {
    std::string expected;
    for (int k = 0; k < lines_per_pipe; ++k)
      expected += "pipe " + std::to_string(i) + " line " + std::to_string(k) + "\n";
    std::printf("%s", received[std::size_t(i)].c_str());
    ok = ok && received[std::size_t(i)] == expected;
  }
  std::printf("%s\n", ok ? "all lines received in order" : "MISMATCH");
  return ok ? 0 : 1;
}
