// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_VERSION_HPP
#define IOCPX_VERSION_HPP

/// The iocpx version as one number, in Boost's style:
/// `major * 100000 + minor * 100 + patch` (0.1.0 is 100, 1.2.3 is 100203).
///
/// It must match `project(iocpx VERSION ...)` in the top-level CMakeLists.txt;
/// test/build/version.cpp checks that in both the CMake and the b2 build.
#define IOCPX_VERSION 100

/// The iocpx version as a string, "major.minor.patch".
#define IOCPX_VERSION_STRING "0.1.0"

#endif // IOCPX_VERSION_HPP
