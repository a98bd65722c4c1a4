// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_TEST_COMMON_ASIO_FEATURES_HPP
#define IOCPX_TEST_COMMON_ASIO_FEATURES_HPP

// iocpx supports Boost 1.74 and newer, and CI tests 1.74 and 1.81. Tests
// that use a part of Asio an older Boost lacks are compiled only where it
// exists; everything else runs on every version.
//
//   IOCPX_HAS_CANCELLATION_SLOTS (iocpx/detail/config.hpp, Boost 1.77):
//     per-operation cancellation: cancellation_signal, bind_cancellation_slot,
//     cancellation_type, experimental::parallel_group.
//   IOCPX_TEST_HAS_ASIO_1_80 (Boost 1.80): the completion tokens
//     asio::as_tuple and asio::deferred, asio::bind_allocator,
//     experimental::awaitable_operators.

#include <iocpx/detail/config.hpp>

#include <boost/version.hpp>

#if BOOST_VERSION >= 108000
#  define IOCPX_TEST_HAS_ASIO_1_80 1
#endif

#endif // IOCPX_TEST_COMMON_ASIO_FEATURES_HPP
