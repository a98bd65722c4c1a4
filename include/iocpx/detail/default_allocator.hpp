// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_DEFAULT_ALLOCATOR_HPP
#define IOCPX_DETAIL_DEFAULT_ALLOCATOR_HPP

#include <iocpx/detail/config.hpp>

#include <boost/asio/version.hpp>
#if BOOST_ASIO_VERSION >= 102200
#  include <boost/asio/recycling_allocator.hpp>
#else
#  include <boost/asio/detail/recycling_allocator.hpp>
#endif

namespace iocpx {
namespace detail {

// What an operation's state is allocated with when its handler has no
// associated allocator: Asio's thread-local recycling allocator, the
// default of Asio's own operations, so that an operation costs no heap
// allocation in steady state.
#if BOOST_ASIO_VERSION >= 102200
using default_operation_allocator = asio::recycling_allocator<void>;
#else
using default_operation_allocator = asio::detail::recycling_allocator<void>;
#endif

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_DEFAULT_ALLOCATOR_HPP
