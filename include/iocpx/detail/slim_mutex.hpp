// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_SLIM_MUTEX_HPP
#define IOCPX_WINDOWS_DETAIL_SLIM_MUTEX_HPP

#include <iocpx/detail/config.hpp>

#include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does

namespace iocpx {
namespace windows {
namespace detail {

// A slim reader/writer lock used exclusively: the size of a pointer, no
// allocation, no kernel object, two interlocked operations when nobody
// else holds it. For state kept per I/O object, where std::mutex (with
// MinGW's winpthreads, a pointer to a lazily allocated block) costs more.
// Not recursive.
class slim_mutex
{
public:
  slim_mutex() noexcept = default;
  slim_mutex(const slim_mutex&) = delete;
  slim_mutex& operator=(const slim_mutex&) = delete;

  void lock() noexcept
  {
    ::AcquireSRWLockExclusive(&lock_);
  }

  void unlock() noexcept
  {
    ::ReleaseSRWLockExclusive(&lock_);
  }

private:
  SRWLOCK lock_ = SRWLOCK_INIT;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_SLIM_MUTEX_HPP
