// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_IO_EXECUTOR_HPP
#define IOCPX_DETAIL_IO_EXECUTOR_HPP

#include <iocpx/detail/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/io_context_strand.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>

#include <type_traits>
#include <utility>

namespace iocpx {
namespace detail {

// An io_context executor that counts as outstanding work: what an operation
// keeps when its handler's executor is (or wraps) an io_context's.
using io_tracked_executor = std::decay_t<decltype(asio::prefer(
    std::declval<asio::io_context::executor_type>(), asio::execution::outstanding_work.tracked))>;

// The io_context behind `ex` if `ex` is a work-tracking io_context executor,
// plain or held by an any_io_executor, and this thread is running that
// io_context; null otherwise (strands, thread pools, other contexts, or not
// on its thread). Where it is not null, dispatching to `ex` would run a
// function here and now — and calling the function directly does the same
// without the allocated wrapper an any_io_executor's dispatch makes first.
template <typename Executor>
asio::io_context* io_context_running_here(const Executor& ex) noexcept
{
  if constexpr (std::is_same<Executor, io_tracked_executor>::value)
    return ex.running_in_this_thread() ? &ex.context() : nullptr;
  else if constexpr (std::is_same<Executor, asio::any_io_executor>::value)
  {
    const io_tracked_executor* p = ex.template target<io_tracked_executor>();
    return p && p->running_in_this_thread() ? &p->context() : nullptr;
  }
  else
    return nullptr;
}

// The io_context (as an execution context) that runs the handlers of a
// completion whose handler has `ex` as its associated executor, if `ex` is
// of a kind whose completion may wait on the delivery scope of the thread
// that made it ready (run there right after that thread's current handler;
// delivery_scope.hpp): an io_context's executor, an any_io_executor (as a
// rule an io_context's), or a strand of one. Null for any other kind —
// use_future's, whose user may block this very thread waiting for the
// result; a thread pool's; the system executor's; a type derived from one
// of these — and for an empty any_io_executor: such completions are
// posted, so that another thread can deliver them.
template <typename Executor>
const asio::execution_context* executor_context(const Executor&) noexcept
{
  return nullptr;
}

// (`auto`: the property bits are an unsigned int before Boost 1.75.)
template <typename Allocator, auto Bits>
const asio::execution_context* executor_context(
    const asio::io_context::basic_executor_type<Allocator, Bits>& ex) noexcept
{
  return &ex.context();
}

inline const asio::execution_context* executor_context(const asio::any_io_executor& ex) noexcept
{
  return ex ? &asio::query(ex, asio::execution::context) : nullptr;
}

#if !defined(BOOST_ASIO_NO_EXTENSIONS) && !defined(BOOST_ASIO_NO_TS_EXECUTORS)
inline const asio::execution_context* executor_context(const asio::io_context::strand& ex) noexcept
{
  return &ex.context();
}
#endif

template <typename Inner>
const asio::execution_context* executor_context(const asio::strand<Inner>& ex) noexcept
{
  return executor_context(ex.get_inner_executor());
}

// The type alone is not enough: an io_context executor may be another
// io_context's, and an any_io_executor may hold anything (a thread pool's
// executor). Only a completion whose executor runs its handlers on `ctx`
// (the io_context whose thread made it ready) may wait on that thread's
// delivery scope; any other is posted, so that another thread of `ctx`
// delivers it while the handler on this thread waits for it.
template <typename Executor>
bool may_deliver_on_this_thread_of(
    const Executor& ex, const asio::execution_context& ctx) noexcept
{
  return executor_context(ex) == &ctx;
}

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_IO_EXECUTOR_HPP
