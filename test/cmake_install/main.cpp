// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A consumer of iocpx, built against an installed iocpx (find_package, in
// test/cmake_install) and against the source tree (add_subdirectory, in
// test/cmake_subdir). Uses the convenience header when there is one, and
// something that must be linked in a separately compiled build.

#if __has_include(<iocpx/iocpx.hpp>)
#  include <iocpx/iocpx.hpp>
#endif
#include <iocpx/version.hpp>
#if __has_include(<iocpx/error.hpp>)
#  include <iocpx/error.hpp>
#  define CONSUMER_HAS_ERROR 1
#endif

#include <cstdio>
#include <cstring>

int main()
{
  int failures = 0;

#if defined(CONSUMER_EXPECTED_VERSION)
  // find_package's iocpx_VERSION must be what the installed header says.
  if (std::strcmp(IOCPX_VERSION_STRING, CONSUMER_EXPECTED_VERSION) != 0)
  {
    std::printf("version mismatch: header %s, package %s\n", IOCPX_VERSION_STRING,
                CONSUMER_EXPECTED_VERSION);
    ++failures;
  }
#endif

#if defined(CONSUMER_HAS_ERROR)
  // Defined in the library in a separately compiled build: this links only
  // if the consumer links what iocpx::iocpx says.
  const char* category = iocpx::error::get_category().name();
  if (category == nullptr || *category == '\0')
  {
    std::printf("iocpx error category has no name\n");
    ++failures;
  }
  std::printf("iocpx %s (category %s)\n", IOCPX_VERSION_STRING, category);
#else
  std::printf("iocpx %s\n", IOCPX_VERSION_STRING);
#endif

  return failures == 0 ? 0 : 1;
}
