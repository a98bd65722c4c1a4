// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The build configuration reaches the code as the build system says: the
// compilation mode (header-only / separate compilation) and, on Windows,
// _WIN32_WINNT. The build passes what it intended; this checks what the
// compiler actually sees through the iocpx target's usage requirements.

#include <iocpx/detail/config.hpp>

#include <boost/test/unit_test.hpp>

#if !defined(IOCPX_TEST_EXPECT_SEPARATE_COMPILATION)
#  error the build must define IOCPX_TEST_EXPECT_SEPARATE_COMPILATION (0 or 1)
#endif
#if !defined(IOCPX_TEST_EXPECT_WIN32_WINNT)
#  if defined(_WIN32)
#    error the build must define IOCPX_TEST_EXPECT_WIN32_WINNT (0: not set by the build)
#  else
#    define IOCPX_TEST_EXPECT_WIN32_WINNT 0
#  endif
#endif

BOOST_AUTO_TEST_SUITE(build_config)

BOOST_AUTO_TEST_CASE(compilation_mode)
{
#if defined(IOCPX_SEPARATE_COMPILATION)
  constexpr bool separate = true;
#else
  constexpr bool separate = false;
#endif
  BOOST_TEST(separate == (IOCPX_TEST_EXPECT_SEPARATE_COMPILATION != 0));
#if defined(IOCPX_HEADER_ONLY)
  BOOST_TEST(!separate);
#endif
}

BOOST_AUTO_TEST_CASE(windows_target_version)
{
#if defined(_WIN32)
#  if IOCPX_TEST_EXPECT_WIN32_WINNT
  BOOST_TEST(_WIN32_WINNT == IOCPX_TEST_EXPECT_WIN32_WINNT);
#  endif
  BOOST_TEST(_WIN32_WINNT >= 0x0600);
  BOOST_TEST(IOCPX_HAS_WINDOWS == 1);
#else
  // Not a Windows target: no Windows layer, and no Windows target version
  // leaked in through the iocpx target's usage requirements.
#  if defined(IOCPX_HAS_WINDOWS)
  constexpr bool windows_layer = true;
#  else
  constexpr bool windows_layer = false;
#  endif
#  if defined(_WIN32_WINNT)
  constexpr bool target_version = true;
#  else
  constexpr bool target_version = false;
#  endif
  BOOST_TEST(!windows_layer);
  BOOST_TEST(!target_version);
#endif
}

BOOST_AUTO_TEST_CASE(language_standard)
{
  // iocpx's floor is C++17 (MSVC reports it in _MSVC_LANG).
#if defined(_MSVC_LANG)
  BOOST_TEST(_MSVC_LANG >= 201703L);
#else
  BOOST_TEST(__cplusplus >= 201703L);
#endif
}

BOOST_AUTO_TEST_SUITE_END()
