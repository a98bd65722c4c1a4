// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Counts the program's real ReadFile/WriteFile calls, its successful
// PostQueuedCompletionStatus calls and the completion-port packets it
// dequeues, by putting counting wrappers in their import slots.
//
// kernel32 is a DLL even in a static link, so every call of these functions
// made by code in this program (the benchmark's own, Asio's and iocpx's
// alike) goes through its `__imp_<Name>` pointer (the same name with MinGW
// and with x64 MSVC), as test/windows/named_pipe.cpp uses for
// WaitNamedPipeW. Counting there sees the calls a library makes inside
// itself, which no contender can count by hand, and counts every contender
// the same way.

#ifndef IOCPX_BENCH_WIN32_CALL_COUNTER_HPP
#define IOCPX_BENCH_WIN32_CALL_COUNTER_HPP

#include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does

#include <atomic>
#include <cstdio>
#include <cstdlib>

extern "C" {
extern decltype(&::ReadFile) __imp_ReadFile;
extern decltype(&::WriteFile) __imp_WriteFile;
extern decltype(&::PostQueuedCompletionStatus) __imp_PostQueuedCompletionStatus;
extern decltype(&::GetQueuedCompletionStatus) __imp_GetQueuedCompletionStatus;
extern decltype(&::GetQueuedCompletionStatusEx) __imp_GetQueuedCompletionStatusEx;
}

namespace iocpx_bench {

/// Totals since the counters were installed.
struct win32_calls
{
  long long calls = 0;    // ReadFile + WriteFile calls
  long long posts = 0;    // PostQueuedCompletionStatus calls that succeeded
  long long dequeues = 0; // packets removed from a completion port
};

namespace win32_call_counter_detail {

// Relaxed atomics: a contender may make its calls on more than one thread,
// and an atomic increment costs nothing beside a system call.
inline std::atomic<long long> calls{0};
inline std::atomic<long long> posts{0};
inline std::atomic<long long> dequeues{0};

inline decltype(&::ReadFile) real_read_file = nullptr;
inline decltype(&::WriteFile) real_write_file = nullptr;
inline decltype(&::PostQueuedCompletionStatus) real_post = nullptr;
inline decltype(&::GetQueuedCompletionStatus) real_get = nullptr;
inline decltype(&::GetQueuedCompletionStatusEx) real_get_ex = nullptr;

inline void count(std::atomic<long long>& counter, long long n = 1)
{
  counter.fetch_add(n, std::memory_order_relaxed);
}

inline BOOL WINAPI read_file(HANDLE file, LPVOID buffer, DWORD size, LPDWORD done, LPOVERLAPPED ov)
{
  count(calls);
  return real_read_file(file, buffer, size, done, ov);
}

inline BOOL WINAPI write_file(HANDLE file, LPCVOID buffer, DWORD size, LPDWORD done, LPOVERLAPPED ov)
{
  count(calls);
  return real_write_file(file, buffer, size, done, ov);
}

inline BOOL WINAPI post(HANDLE port, DWORD bytes, ULONG_PTR key, LPOVERLAPPED ov)
{
  const BOOL ok = real_post(port, bytes, key, ov);
  if (ok)
    count(posts);
  return ok;
}

// A packet was dequeued if the call succeeded (a posted packet may carry a
// null OVERLAPPED) or if it failed with an OVERLAPPED: a failed I/O's
// packet. A failure without one (a timeout, a closed port) dequeued nothing.
inline BOOL WINAPI get(HANDLE port, LPDWORD bytes, PULONG_PTR key, LPOVERLAPPED* ov, DWORD timeout)
{
  const BOOL ok = real_get(port, bytes, key, ov, timeout);
  if (ok || *ov)
    count(dequeues);
  return ok;
}

inline BOOL WINAPI get_ex(HANDLE port, LPOVERLAPPED_ENTRY entries, ULONG size, PULONG removed, DWORD timeout,
    BOOL alertable)
{
  const BOOL ok = real_get_ex(port, entries, size, removed, timeout, alertable);
  if (ok)
    count(dequeues, static_cast<long long>(*removed));
  return ok;
}

template <typename Function>
void replace(Function& slot, Function& real, Function wrapper)
{
  real = slot;
  DWORD old = 0;
  if (!::VirtualProtect(&slot, sizeof slot, PAGE_READWRITE, &old))
  {
    std::fprintf(stderr, "pipe_bench: VirtualProtect failed: %lu\n", ::GetLastError());
    std::exit(2);
  }
  slot = wrapper;
  ::VirtualProtect(&slot, sizeof slot, old, &old);
}

} // namespace win32_call_counter_detail

/// Puts the counting wrappers in the import slots, for the rest of the
/// program. Call it once, before any other thread runs (a later call does
/// nothing).
inline void install_win32_call_counter()
{
  namespace d = win32_call_counter_detail;
  static const bool installed = [] {
    d::replace(__imp_ReadFile, d::real_read_file, &d::read_file);
    d::replace(__imp_WriteFile, d::real_write_file, &d::write_file);
    d::replace(__imp_PostQueuedCompletionStatus, d::real_post, &d::post);
    d::replace(__imp_GetQueuedCompletionStatus, d::real_get, &d::get);
    d::replace(__imp_GetQueuedCompletionStatusEx, d::real_get_ex, &d::get_ex);
    return true;
  }();
  (void)installed;
}

/// The counts so far (all zero before install_win32_call_counter()).
inline win32_calls win32_calls_so_far()
{
  namespace d = win32_call_counter_detail;
  win32_calls c;
  c.calls = d::calls.load(std::memory_order_relaxed);
  c.posts = d::posts.load(std::memory_order_relaxed);
  c.dequeues = d::dequeues.load(std::memory_order_relaxed);
  return c;
}

} // namespace iocpx_bench

#endif // IOCPX_BENCH_WIN32_CALL_COUNTER_HPP
