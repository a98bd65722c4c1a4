// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Counts the program's global operator new calls and bytes, for the
// zero-allocation tests and the benchmarks. Add common/alloc_counter.cpp to
// the program's sources: it replaces the global allocation operators (out of
// line, so the compiler cannot pair an inlined new with free).

#ifndef IOCPX_TEST_COMMON_ALLOC_COUNTER_HPP
#define IOCPX_TEST_COMMON_ALLOC_COUNTER_HPP

#include <boost/asio/detail/config.hpp>

// Asio's recycling allocator gets its blocks from aligned_alloc where it
// can, and a block it could not recycle would then go uncounted. (With
// MSVC it uses _aligned_malloc whatever these say: there the counts miss
// Asio's own blocks.)
#if defined(BOOST_ASIO_HAS_STD_ALIGNED_ALLOC) || defined(BOOST_ASIO_HAS_BOOST_ALIGN)
#  error build with BOOST_ASIO_DISABLE_STD_ALIGNED_ALLOC and BOOST_ASIO_DISABLE_BOOST_ALIGN (CMakeLists.txt: IOCPX_COUNTED_ALLOCATION_DEFINES), or the allocations of Asio are not counted
#endif

namespace iocpx_test {

/// Global operator new calls so far (all threads).
long long allocations() noexcept;

/// Global operator delete calls with a non-null pointer so far (all threads).
long long deallocations() noexcept;

/// Bytes requested from global operator new so far.
long long allocated_bytes() noexcept;

/// Bytes of the blocks from global operator new not yet deleted, as the
/// heap sizes them (Windows: the size asked for; glibc: rounded up; 0
/// elsewhere).
long long live_bytes() noexcept;

/// False where the operators cannot be replaced (ThreadSanitizer's runtime
/// defines them itself): the counts then stay 0 and must not be checked.
bool counting_allocations() noexcept;

/// Makes the next `n` global operator new calls of this thread throw
/// std::bad_alloc (0 turns it off) — after `after` more that succeed, to
/// reach each allocation of a path in turn. Only where
/// counting_allocations().
void fail_next_allocations(int n, int after = 0) noexcept;

/// How many of the failures fail_next_allocations asked for on this thread
/// have not happened yet: a test that makes "allocation k" fail checks with
/// it that there was an allocation k.
int pending_allocation_failures() noexcept;

} // namespace iocpx_test

#endif // IOCPX_TEST_COMMON_ALLOC_COUNTER_HPP
