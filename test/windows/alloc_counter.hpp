// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Counts every global operator new of the program. Link alloc_counter.cpp
// into the test executable (it replaces the global operators; kept out of
// line so the compiler cannot pair an inlined new with free).

#ifndef IOCPX_TEST_ALLOC_COUNTER_HPP
#define IOCPX_TEST_ALLOC_COUNTER_HPP


namespace iocpx_test {

/// Global operator new calls so far (all threads).
long long allocations() noexcept;

} // namespace iocpx_test

#endif // IOCPX_TEST_ALLOC_COUNTER_HPP
