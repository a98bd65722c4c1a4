// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The one translation unit of the separately compiled iocpx library
// (CMake: -DIOCPX_SEPARATE_COMPILATION=ON; b2: the iocpx_sepcomp library).
#include <iocpx/src.hpp>
