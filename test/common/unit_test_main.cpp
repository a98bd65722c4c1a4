// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The one Boost.Test translation unit shared by every iocpx test program
// (CMake: static library iocpx_test_main; b2: library test_main).
//
// It compiles Boost.Test's "included" variant once: Debian ships no Boost.Test
// library for MinGW, and compiling it once is also faster than per test. Test
// sources include <boost/test/unit_test.hpp> only, and must not define
// BOOST_TEST_MODULE or a main() of their own.
#define BOOST_TEST_MODULE iocpx
#include <boost/test/included/unit_test.hpp>
