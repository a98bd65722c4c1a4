// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that header file is self-contained.
#include <iocpx/version.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/version.hpp>

#include <string>

// The build system passes the version it was configured with: CMake its
// project(iocpx VERSION ...), b2 the same numbers read from CMakeLists.txt.
#if !defined(IOCPX_TEST_EXPECTED_VERSION_MAJOR) \
    || !defined(IOCPX_TEST_EXPECTED_VERSION_MINOR) \
    || !defined(IOCPX_TEST_EXPECTED_VERSION_PATCH)
#  error the build must define IOCPX_TEST_EXPECTED_VERSION_{MAJOR,MINOR,PATCH}
#endif

namespace {

constexpr long expected_major = IOCPX_TEST_EXPECTED_VERSION_MAJOR;
constexpr long expected_minor = IOCPX_TEST_EXPECTED_VERSION_MINOR;
constexpr long expected_patch = IOCPX_TEST_EXPECTED_VERSION_PATCH;

std::string expected_string()
{
  return std::to_string(expected_major) + "." + std::to_string(expected_minor) + "."
         + std::to_string(expected_patch);
}

} // namespace

BOOST_AUTO_TEST_SUITE(build_version)

#if defined(IOCPX_TEST_EXPECTED_BOOST_VERSION)
// The Boost found at configure time is the one compiled in: the Boost 1.74
// build really tests Boost 1.74. (Until 2026-11-27 ccache handed it
// objects compiled against the host's Boost 1.81.)
BOOST_AUTO_TEST_CASE(boost_is_the_one_configured)
{
  BOOST_TEST(BOOST_VERSION == IOCPX_TEST_EXPECTED_BOOST_VERSION);
}
#endif

BOOST_AUTO_TEST_CASE(number_matches_the_build_system)
{
  BOOST_TEST(IOCPX_VERSION == expected_major * 100000 + expected_minor * 100 + expected_patch);
}

BOOST_AUTO_TEST_CASE(string_matches_the_build_system)
{
  BOOST_TEST(std::string(IOCPX_VERSION_STRING) == expected_string());
}

BOOST_AUTO_TEST_CASE(number_and_string_agree)
{
  const long n = IOCPX_VERSION;
  const std::string from_number = std::to_string(n / 100000) + "."
                                  + std::to_string(n / 100 % 1000) + "."
                                  + std::to_string(n % 100);
  BOOST_TEST(std::string(IOCPX_VERSION_STRING) == from_number);
}

BOOST_AUTO_TEST_CASE(usable_in_the_preprocessor)
{
#if IOCPX_VERSION >= 100
  BOOST_TEST(true);
#else
  BOOST_TEST(false, "IOCPX_VERSION is not a preprocessor number >= 100");
#endif
}

BOOST_AUTO_TEST_SUITE_END()
