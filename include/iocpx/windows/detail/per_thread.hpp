// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_PER_THREAD_HPP
#define IOCPX_WINDOWS_DETAIL_PER_THREAD_HPP

#include <iocpx/detail/config.hpp>

#include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does

#include <new>

namespace iocpx {
namespace windows {
namespace detail {

// One `T` per thread (per fiber, strictly: each fiber has its own, freed
// by DeleteFiber), made on first use and destroyed when the thread exits.
//
// Not a `thread_local T`: with MinGW-w64's emulated TLS, a thread's
// thread_local storage is freed (in one pthread key destructor) before
// libstdc++ runs the destructors of the thread_local objects in it (in
// another, created later), so a destructor that frees memory corrupts the
// heap at thread exit. A fiber-local slot's callback runs when the thread
// exits and owns `T` on the heap, so nothing depends on that order.
//
// The callbacks run first at thread exit, before thread_local destructors
// and DLL_THREAD_DETACH: code that uses a pipe from those gets a new `T`
// that is not freed. T must be default-constructible and its destructor
// must not throw.
template <typename T>
class per_thread
{
public:
  // This thread's `T`; null if it could not be made (out of memory or of
  // fiber-local slots): callers then work without it.
  static T* get() noexcept
  {
    const DWORD slot = index();
    if (slot == FLS_OUT_OF_INDEXES)
      return nullptr;
    if (void* p = ::FlsGetValue(slot))
      return static_cast<T*>(p);
    T* made = new (std::nothrow) T();
    if (made && !::FlsSetValue(slot, made))
    {
      delete made;
      made = nullptr;
    }
    return made;
  }

private:
  static void WINAPI destroy(void* p) noexcept
  {
    delete static_cast<T*>(p);
  }

  // One slot per T for the life of the process. The slot is never freed,
  // and its callback is code in this module: if this module is a DLL,
  // it is pinned so that unloading it cannot leave the callback dangling
  // for the threads that exit later.
  static DWORD index() noexcept
  {
    static const DWORD slot = [] {
      const DWORD s = ::FlsAlloc(&destroy);
      if (s != FLS_OUT_OF_INDEXES)
      {
        static const char in_this_module = 0;
        HMODULE self = nullptr;
        ::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_PIN | GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
            reinterpret_cast<LPCWSTR>(&in_this_module), &self);
      }
      return s;
    }();
    return slot;
  }
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_PER_THREAD_HPP
