// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_SLIM_MUTEX_HPP
#define IOCPX_DETAIL_SLIM_MUTEX_HPP

#include <iocpx/detail/config.hpp>

#if defined(_WIN32)
#  include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does
#else
#  include <mutex>
#endif

namespace iocpx {
namespace detail {

#if defined(_WIN32)

// The lock kept per I/O object (a registration's core, a pipe's readiness
// state), where every byte counts an idle connection's cost. On Windows a
// slim reader/writer lock used exclusively: the size of a pointer, no
// allocation, no kernel object, two interlocked operations when nobody
// else holds it. std::mutex is 80 bytes with MSVC's library, and with
// MinGW's winpthreads a pointer to a block malloc'd at the first lock
// (memory that the operator new counts of the benchmarks and tests would
// not see). Not recursive.
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

#else

// Elsewhere std::mutex (40 bytes with glibc, no allocation).
using slim_mutex = std::mutex;

#endif

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_SLIM_MUTEX_HPP
