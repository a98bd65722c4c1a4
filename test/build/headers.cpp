// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Every public header compiles on its own (and twice: include guards): the
// build generates one translation unit per header, each including only that
// header, and links them into this program. The build also passes their
// number, which each unit's static initializer counts: a unit left out of
// the link (as an unreferenced object of a static library would be) is
// noticed. Which headers are public is the build's glob over include/iocpx
// (all but detail/, impl/ and src.hpp; windows/ only for Windows targets).

#include <boost/test/unit_test.hpp>

#if !defined(IOCPX_TEST_PUBLIC_HEADER_COUNT)
#  error the build must define IOCPX_TEST_PUBLIC_HEADER_COUNT
#endif

// Zero-initialized before any dynamic initialization runs.
int iocpx_test_header_units = 0;

BOOST_AUTO_TEST_CASE(every_public_header_is_self_contained)
{
  // Each generated unit adds one at static-initialization time.
  BOOST_TEST(iocpx_test_header_units == IOCPX_TEST_PUBLIC_HEADER_COUNT);
}
