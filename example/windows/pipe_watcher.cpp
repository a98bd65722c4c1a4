// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// An I/O object built on iocpx::windows::overlapped: a pipe watcher that
// keeps one zero-byte read in flight. The read completes when data arrives
// (without consuming it, and without holding a buffer while idle); the
// watcher then drains what is there with a non-blocking read and re-arms.
// This is the building block of readiness ("readable") over completion.

#include <iocpx/windows.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;

//[pipe_watcher
class pipe_watcher
{
public:
  // Calls on_data with each chunk that arrives, and on_close once at the end.
  pipe_watcher(asio::io_context& ctx, HANDLE pipe, std::function<void(const std::string&)> on_data,
      std::function<void(error_code)> on_close)
    : binding_(ix::bind(ctx, pipe, ix::bind_options::fast())),
      on_data_(std::move(on_data)),
      on_close_(std::move(on_close)),
      // The only allocation: the OVERLAPPED and this callback, once.
      probe_([this](const error_code& ec, std::size_t) { on_readable(ec); })
  {
    arm();
  }

  // Destroying the watcher with the probe in flight is safe: the probe is
  // cancelled and its callback will not run.
  ~pipe_watcher()
  {
    ::CloseHandle(drain_event_);
  }

  pipe_watcher(const pipe_watcher&) = delete;
  pipe_watcher& operator=(const pipe_watcher&) = delete;

private:
  void arm()
  {
    HANDLE h = binding_.native_handle();
    probe_.start(binding_, [h](OVERLAPPED* ov) {
      return ix::win32_result(::ReadFile(h, nullptr, 0, nullptr, ov)); // zero bytes: a probe
    });
  }

  void on_readable(const error_code& ec)
  {
    if (ec)
    {
      on_close_(ec); // ERROR_BROKEN_PIPE: the writer is gone
      return;
    }
    // Data is there: take all of it without blocking.
    DWORD available = 0;
    ::PeekNamedPipe(binding_.native_handle(), nullptr, 0, nullptr, &available, nullptr);
    std::string chunk(available, '\0');
    DWORD got = 0;
    OVERLAPPED ov{}; // the data is already in the pipe: completes at once
    // An event whose low bit is set keeps this read's completion out of the
    // port (documented Win32 behaviour): it is not an iocpx operation.
    ov.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(drain_event_) | 1);
    if (available > 0)
    {
      BOOL ok = ::ReadFile(binding_.native_handle(), chunk.data(), available, nullptr, &ov);
      if (ok || ::GetLastError() == ERROR_IO_PENDING)
        ok = ::GetOverlappedResult(binding_.native_handle(), &ov, &got, TRUE);
      if (ok)
        on_data_(chunk.substr(0, got));
    }
    arm();
  }

  ix::binding binding_;
  std::function<void(const std::string&)> on_data_;
  std::function<void(error_code)> on_close_;
  ix::overlapped probe_;
  HANDLE drain_event_ = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
};
//]

int main()
{
  // (The process id in the name: two copies of this program may run at once.)
  const std::string name =
      "\\\\.\\pipe\\iocpx-example-pipe-watcher-" + std::to_string(::GetCurrentProcessId());
  HANDLE server = ::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, nullptr);
  HANDLE client = ::CreateFileA(name.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  if (server == INVALID_HANDLE_VALUE || client == INVALID_HANDLE_VALUE)
  {
    std::fprintf(stderr, "cannot create the pipe pair: %lu\n", ::GetLastError());
    return 1;
  }

  asio::io_context ctx;
  std::string received;
  error_code closed_with;
  pipe_watcher watcher(ctx, server,
      [&](const std::string& chunk) { received += chunk; },
      [&](error_code ec) { closed_with = ec; });

  // Another thread writes five lines with plain blocking WriteFile, then
  // closes its end.
  std::thread writer([client] {
    for (int i = 1; i <= 5; ++i)
    {
      std::string line = "line " + std::to_string(i) + "\n";
      DWORD written = 0;
      ::WriteFile(client, line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::CloseHandle(client);
  });
  ctx.run(); // returns when the watcher stops re-arming (writer closed)
  writer.join();

  std::printf("%s", received.c_str());
  std::printf("watcher stopped: %s\n", closed_with.message().c_str());
  const bool ok = received == "line 1\nline 2\nline 3\nline 4\nline 5\n"
      && closed_with.value() == ERROR_BROKEN_PIPE;
  ::CloseHandle(server);
  return ok ? 0 : 1;
}
