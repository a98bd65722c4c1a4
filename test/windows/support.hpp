// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Real handles for the Windows tests: overlapped named pipe pairs (byte and
// message mode), a temporary disk file, and a connected TCP socket pair.

#ifndef IOCPX_TEST_WINDOWS_SUPPORT_HPP
#define IOCPX_TEST_WINDOWS_SUPPORT_HPP

#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/socket_types.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>

namespace iocpx_test {

// Owns a HANDLE; closes it on destruction unless released.
class unique_handle
{
public:
  unique_handle() noexcept = default;
  explicit unique_handle(HANDLE h) noexcept : h_(h) {}
  unique_handle(unique_handle&& o) noexcept : h_(std::exchange(o.h_, INVALID_HANDLE_VALUE)) {}
  unique_handle& operator=(unique_handle&& o) noexcept
  {
    reset();
    h_ = std::exchange(o.h_, INVALID_HANDLE_VALUE);
    return *this;
  }
  ~unique_handle()
  {
    reset();
  }
  HANDLE get() const noexcept
  {
    return h_;
  }
  HANDLE release() noexcept
  {
    return std::exchange(h_, INVALID_HANDLE_VALUE);
  }
  void reset() noexcept
  {
    if (h_ != INVALID_HANDLE_VALUE && h_ != nullptr)
      ::CloseHandle(h_);
    h_ = INVALID_HANDLE_VALUE;
  }

private:
  HANDLE h_ = INVALID_HANDLE_VALUE;
};

// Whether this program runs under Wine (its ntdll exports
// wine_get_version), for the few checks of behaviour Wine does not have;
// such a check says so in its message.
inline bool running_under_wine()
{
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

inline std::string unique_pipe_name()
{
  static std::atomic<unsigned> counter{0};
  char name[128];
  std::snprintf(name, sizeof(name), "\\\\.\\pipe\\iocpx-test-%lu-%u",
      static_cast<unsigned long>(::GetCurrentProcessId()), counter.fetch_add(1));
  return name;
}

struct pipe_pair
{
  unique_handle server;
  unique_handle client;
};

// A connected overlapped pipe pair, server end first. `message` selects
// message mode (type and read mode) on both ends.
inline pipe_pair make_pipe_pair(bool message = false, DWORD buffer_size = 65536)
{
  const std::string name = unique_pipe_name();
  const DWORD mode = message ? (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE) : PIPE_TYPE_BYTE;
  pipe_pair p;
  p.server = unique_handle(::CreateNamedPipeA(name.c_str(),
      PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      mode | PIPE_REJECT_REMOTE_CLIENTS, 1, buffer_size, buffer_size, 0, nullptr));
  BOOST_REQUIRE(p.server.get() != INVALID_HANDLE_VALUE);
  p.client = unique_handle(::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr));
  BOOST_REQUIRE(p.client.get() != INVALID_HANDLE_VALUE);
  if (message)
  {
    DWORD read_mode = PIPE_READMODE_MESSAGE;
    BOOST_REQUIRE(::SetNamedPipeHandleState(p.client.get(), &read_mode, nullptr, nullptr));
  }
  return p;
}

// The OVERLAPPED of one blocking call on the peer side of a test: a private
// event whose low bit is set, which keeps the completion out of any port
// (documented Win32 behaviour), so Asio's loop never sees it even when the
// handle is bound.
class private_overlapped : public OVERLAPPED
{
public:
  private_overlapped() : OVERLAPPED(), event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr))
  {
    hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event_) | 1);
  }
  private_overlapped(const private_overlapped&) = delete;
  private_overlapped& operator=(const private_overlapped&) = delete;
  ~private_overlapped()
  {
    if (event_)
      ::CloseHandle(event_);
  }

private:
  HANDLE event_;
};

// Blocking write through a private event (for the peer side of a test).
inline void write_all(HANDLE h, const void* data, DWORD size)
{
  private_overlapped ov;
  DWORD done = 0;
  BOOL ok = ::WriteFile(h, data, size, nullptr, &ov);
  if (!ok)
    BOOST_REQUIRE_EQUAL(::GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  BOOST_REQUIRE(::GetOverlappedResult(h, &ov, &done, TRUE));
  BOOST_REQUIRE_EQUAL(done, size);
}

// write_all for a thread of the test's own, where Boost.Test must not be
// called: false once a write fails (the other end closed, or a cancel).
inline bool write_all_from_thread(HANDLE h, const void* data, std::size_t size)
{
  const char* bytes = static_cast<const char*>(data);
  private_overlapped ov;
  bool ok = true;
  for (std::size_t at = 0; ok && at < size;)
  {
    DWORD n = 0;
    ok = (::WriteFile(h, bytes + at, DWORD(size - at), nullptr, &ov)
             || ::GetLastError() == ERROR_IO_PENDING)
        && ::GetOverlappedResult(h, &ov, &n, TRUE);
    at += n;
  }
  return ok;
}

// Waits on this thread, for at most `limit`, until `done()`; returns done().
// For conditions another thread makes true (run_until runs an io_context).
template <typename Done>
bool wait_until(Done done, std::chrono::milliseconds limit)
{
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline)
    ::Sleep(1);
  return done();
}

inline std::string read_exact(HANDLE h, DWORD size)
{
  std::string out(size, '\0');
  DWORD total = 0;
  while (total < size)
  {
    private_overlapped ov;
    DWORD done = 0;
    BOOL ok = ::ReadFile(h, &out[total], size - total, nullptr, &ov);
    if (!ok)
      BOOST_REQUIRE_EQUAL(::GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    BOOST_REQUIRE(::GetOverlappedResult(h, &ov, &done, TRUE));
    total += done;
  }
  return out;
}

// One blocking read of at most `capacity` bytes: in message mode, exactly
// one whole message (it must fit).
inline std::string read_message(HANDLE h, DWORD capacity)
{
  std::string out(capacity, '\0');
  private_overlapped ov;
  DWORD done = 0;
  BOOL ok = ::ReadFile(h, &out[0], capacity, nullptr, &ov);
  if (!ok)
    BOOST_REQUIRE_EQUAL(::GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  BOOST_REQUIRE(::GetOverlappedResult(h, &ov, &done, TRUE));
  out.resize(done);
  return out;
}

// Reads with try_read_some (7 bytes at a time, so reads split the data)
// until it reports an error (would_block, eof, ...), left in `last`.
template <typename ReadinessSource>
std::string drain(ReadinessSource& source, boost::system::error_code& last)
{
  std::string out;
  char buf[7];
  for (;;)
  {
    std::size_t n = source.try_read_some(boost::asio::buffer(buf), last);
    if (last)
      return out;
    out.append(buf, n);
  }
}

// A temporary file opened for overlapped I/O, deleted on close.
inline unique_handle make_temp_file(bool overlapped = true)
{
  wchar_t dir[MAX_PATH];
  wchar_t path[MAX_PATH];
  BOOST_REQUIRE(::GetTempPathW(MAX_PATH, dir) != 0);
  BOOST_REQUIRE(::GetTempFileNameW(dir, L"ipx", 0, path) != 0);
  HANDLE h = ::CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
      FILE_FLAG_DELETE_ON_CLOSE | (overlapped ? FILE_FLAG_OVERLAPPED : 0), nullptr);
  BOOST_REQUIRE(h != INVALID_HANDLE_VALUE);
  return unique_handle(h);
}

struct winsock
{
  winsock()
  {
    WSADATA data;
    BOOST_REQUIRE_EQUAL(::WSAStartup(MAKEWORD(2, 2), &data), 0);
  }
  ~winsock()
  {
    ::WSACleanup();
  }
};

struct socket_pair
{
  SOCKET a = INVALID_SOCKET;
  SOCKET b = INVALID_SOCKET;
  ~socket_pair()
  {
    if (a != INVALID_SOCKET)
      ::closesocket(a);
    if (b != INVALID_SOCKET)
      ::closesocket(b);
  }
};

// A connected loopback TCP pair of overlapped sockets (requires winsock).
inline void make_socket_pair(socket_pair& pair, DWORD flags = WSA_FLAG_OVERLAPPED)
{
  SOCKET listener = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  BOOST_REQUIRE(listener != INVALID_SOCKET);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  BOOST_REQUIRE_EQUAL(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  int len = sizeof(addr);
  BOOST_REQUIRE_EQUAL(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  BOOST_REQUIRE_EQUAL(::listen(listener, 1), 0);
  pair.a = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, flags);
  BOOST_REQUIRE(pair.a != INVALID_SOCKET);
  BOOST_REQUIRE_EQUAL(::connect(pair.a, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  pair.b = ::accept(listener, nullptr, nullptr);
  BOOST_REQUIRE(pair.b != INVALID_SOCKET);
  ::closesocket(listener);
}

// A bound loopback UDP receiver and a sender (requires winsock).
struct udp_pair : socket_pair // a: receiver, b: sender
{
  sockaddr_in to{};

  udp_pair()
  {
    a = ::WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    b = ::WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    BOOST_REQUIRE(a != INVALID_SOCKET);
    BOOST_REQUIRE(b != INVALID_SOCKET);
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE_EQUAL(::bind(a, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
    int len = sizeof(to);
    BOOST_REQUIRE_EQUAL(::getsockname(a, reinterpret_cast<sockaddr*>(&to), &len), 0);
  }

  // Sends each text as one datagram, then waits until all of them can be
  // received, so that receives complete at once.
  void send(std::initializer_list<std::string> texts)
  {
    u_long total = 0;
    for (const std::string& t : texts)
    {
      BOOST_REQUIRE_EQUAL(::sendto(b, t.data(), int(t.size()), 0, reinterpret_cast<sockaddr*>(&to),
                              sizeof(to)),
          int(t.size()));
      total += u_long(t.size());
    }
    u_long available = 0;
    for (int i = 0; i < 200 && available < total; ++i)
    {
      BOOST_REQUIRE_EQUAL(::ioctlsocket(a, FIONREAD, &available), 0);
      if (available < total)
        ::Sleep(5);
    }
  }
};

// Lets `d` pass with the context dispatching whatever arrives meanwhile, for
// the checks that nothing more arrives. A plain run_for() on an io_context
// with no outstanding work returns at once, so a stray packet or a second
// completion that came a moment later would go unseen.
inline void let_stray_completions_arrive(boost::asio::io_context& ctx, std::chrono::milliseconds d)
{
  ctx.restart();
  auto work = boost::asio::make_work_guard(ctx);
  ctx.run_for(d);
}

// Runs the context until `done()` or the deadline; returns done().
template <typename Done>
bool run_until(boost::asio::io_context& ctx, Done done,
    std::chrono::milliseconds limit = std::chrono::milliseconds(10000))
{
  const auto deadline = std::chrono::steady_clock::now() + limit;
  ctx.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline)
  {
    ctx.run_one_for(std::chrono::milliseconds(20));
    ctx.restart();
  }
  return done();
}

} // namespace iocpx_test

#endif // IOCPX_TEST_WINDOWS_SUPPORT_HPP
