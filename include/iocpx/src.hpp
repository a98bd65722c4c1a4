// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Include this file in exactly one translation unit of a program built with
// IOCPX_SEPARATE_COMPILATION (src/iocpx.cpp does so for the CMake and b2
// library targets).

#ifndef IOCPX_SRC_HPP
#define IOCPX_SRC_HPP

#if !defined(IOCPX_SEPARATE_COMPILATION)
#  error iocpx/src.hpp is for builds that define IOCPX_SEPARATE_COMPILATION
#endif

#include <iocpx/detail/config.hpp>

#include <iocpx/impl/delivery_scope.ipp>
#include <iocpx/impl/error.ipp>

#if defined(IOCPX_HAS_WINDOWS)
#  include <iocpx/windows/impl/binding.ipp>
#endif

#endif // IOCPX_SRC_HPP
