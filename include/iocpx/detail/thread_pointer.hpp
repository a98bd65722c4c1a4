// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_THREAD_POINTER_HPP
#define IOCPX_DETAIL_THREAD_POINTER_HPP

#include <iocpx/detail/config.hpp>

// MinGW-w64 on x86 and x64: thread_local is emulated (see below).
#if defined(__MINGW32__) && (defined(__x86_64__) || defined(__i386__))
#  define IOCPX_THREAD_POINTER_IN_TEB 1
#  include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does
#endif

namespace iocpx {
namespace detail {

// One `T*` per thread for each `Tag`, null until set: what
// `static thread_local T* p = nullptr;` gives, and with the same scope (one
// per module, like a thread_local).
//
// Why not that thread_local everywhere: MinGW-w64's gcc has no native TLS
// and emulates it through winpthreads — every access calls
// __emutls_get_address, which runs pthread_once and then
// pthread_getspecific, which takes a spin lock and saves and restores the
// thread's last error. Under Wine 8 on the machine of 2026-11-29 a get and
// a set took 19.9 ns together, against 4.6 ns through TlsGetValue and
// TlsSetValue, and iocpx reads and writes these pointers a few times per
// operation (the delivery scope, the scope stacks of scope_stack.hpp); in
// a profile of the named pipe's ping-pong, winpthreads was about 9% of the
// program's own code. So with MinGW-w64 the pointer lives in a Win32 TLS
// slot of its own, read from the thread's TEB: TlsGetValue would also do,
// but it clears the thread's last error, which a caller may be about to
// read. The slot is allocated on first use (TlsAlloc zeroes it in every
// thread) and never freed: it lasts as long as the process, so a DLL built
// with iocpx that is unloaded and loaded again leaves its slots (three)
// allocated each time; the process's slots are shared by every module.
// Only the 64 slots every TEB holds are used so; if none of them is left,
// the thread_local serves.
template <typename Tag, typename T = Tag>
class thread_pointer
{
public:
  static T* get() noexcept
  {
#if defined(IOCPX_THREAD_POINTER_IN_TEB)
    const unsigned long i = slot();
    if (i < inline_slots)
      return static_cast<T*>(slots()[i]);
#endif
    return fallback();
  }

  static void set(T* p) noexcept
  {
#if defined(IOCPX_THREAD_POINTER_IN_TEB)
    const unsigned long i = slot();
    if (i < inline_slots)
    {
      slots()[i] = p;
      return;
    }
#endif
    fallback() = p;
  }

private:
  static T*& fallback() noexcept
  {
    static thread_local T* p = nullptr;
    return p;
  }

#if defined(IOCPX_THREAD_POINTER_IN_TEB)
  // The TLS slots every TEB holds (indexes 0-63); higher indexes live in a
  // block allocated apart.
  static constexpr unsigned long inline_slots = 64;

  // This thread's TEB::TlsSlots, as winternl.h lays the TEB out (not
  // included here: it declares NT types that users' own headers may declare
  // differently): 12 pointers, the PEB pointer, 399 pointers and 1,952
  // bytes come before it — 0x1480 on x64, 0xE10 on x86, what TlsGetValue
  // reads. The TEB's own address is at gs:0x30 (x64) or fs:0x18 (x86), what
  // NtCurrentTeb() reads; read here directly, because gcc 12 takes the
  // intrinsic NtCurrentTeb() uses for an access beyond an array of size 0
  // (-Warray-bounds at -O2). Volatile, so that no read is reused: code
  // after a coroutine's resumption may run on another thread.
  static void** slots() noexcept
  {
    char* teb;
#  if defined(__x86_64__)
    __asm__ __volatile__("movq %%gs:0x30, %0" : "=r"(teb));
#  else
    __asm__ __volatile__("movl %%fs:0x18, %0" : "=r"(teb));
#  endif
    return reinterpret_cast<void**>(teb + 412 * sizeof(void*) + 1952);
  }

  static unsigned long slot() noexcept
  {
    static const unsigned long index = [] {
      const DWORD i = ::TlsAlloc();
      if (i != TLS_OUT_OF_INDEXES && i >= inline_slots)
      {
        ::TlsFree(i); // an expansion slot: the thread_local serves instead
        return inline_slots;
      }
      return i == TLS_OUT_OF_INDEXES ? inline_slots : static_cast<unsigned long>(i);
    }();
    return index;
  }
#endif
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_THREAD_POINTER_HPP
