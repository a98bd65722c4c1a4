// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_ASIO_LOOP_HPP
#define IOCPX_DETAIL_ASIO_LOOP_HPP

#include <iocpx/detail/config.hpp>

#include <boost/asio/detail/call_stack.hpp>
#include <boost/asio/detail/thread_context.hpp>
#include <boost/asio/detail/thread_info_base.hpp>

namespace iocpx {
namespace detail {

// The innermost Asio loop (run(), run_one(), poll()...) this thread is in,
// of any io_context, or null outside all of them.
//
// Each loop call pushes a frame with its own thread_info_base (the block
// that holds the thread's cache of operation memory) on one per-thread
// stack, so the pointer identifies that call for as long as it lasts:
// delivery_scope uses it to tell a loop entered after it opened, the
// delivery allocator to tell whether the thread has a cache at all.
inline void* innermost_asio_loop() noexcept
{
  return boost::asio::detail::call_stack<boost::asio::detail::thread_context,
      boost::asio::detail::thread_info_base>::top();
}

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_ASIO_LOOP_HPP
