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
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/io_context_strand.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>
#include <boost/version.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace iocpx {
namespace detail {

#if BOOST_VERSION < 107500 && defined(BOOST_ASIO_NO_TYPEID)
// Boost 1.74 without RTTI: any_io_executor's target_type() is the address of
// a tag per executor type, which only the executor's (protected) base can
// name. (A tag is a static of a function template: an executor stored by
// another module (DLL) has that module's tag and is not recognised.)
struct any_executor_target_tag : asio::execution::detail::any_executor_base
{
  using any_executor_base::target_type_ex;
};
#endif

// The executor of type T that `ex` holds, or null: any_io_executor's
// target<T>(), which Boost 1.74 does not check (it returns whatever `ex`
// holds, as a T*, for every T; 1.75 fixed it). Checked here by the
// target's type: its typeid, or without RTTI its tag.
template <typename T>
const T* target_of(const asio::any_io_executor& ex) noexcept
{
#if BOOST_VERSION < 107500
#  if defined(BOOST_ASIO_NO_TYPEID)
  return ex && ex.target_type() == any_executor_target_tag::target_type_ex<T>()
      ? ex.template target<T>()
      : nullptr;
#  else
  return ex && ex.target_type() == typeid(T) ? ex.template target<T>() : nullptr;
#  endif
#else
  return ex.template target<T>();
#endif
}

template <typename Executor>
struct is_asio_strand : std::false_type
{
};

template <typename Inner>
struct is_asio_strand<asio::strand<Inner>> : std::true_type
{
};

// The io_context whose executor, strand of one, or strand of such a
// strand `ex` holds: the executor with any of its property bits
// (blocking.never, relationship.continuation, outstanding_work.tracked)
// and the default allocator. (execution_context is not polymorphic, so the
// context an any_io_executor answers for cannot be checked for being an
// io_context.)
template <std::size_t... Bits>
asio::io_context* io_context_in(
    const asio::any_io_executor& ex, std::index_sequence<Bits...>) noexcept
{
  asio::io_context* found = nullptr;
  auto look = [&](auto* type) {
    using executor = std::remove_pointer_t<decltype(type)>;
    if (const executor* e = target_of<executor>(ex))
      found = &e->context();
    else if (const auto* s = target_of<asio::strand<executor>>(ex))
      found = &s->get_inner_executor().context();
    else if (const auto* ss = target_of<asio::strand<asio::strand<executor>>>(ex))
      found = &ss->get_inner_executor().get_inner_executor().context();
    return found != nullptr;
  };
  (look(static_cast<asio::io_context::basic_executor_type<std::allocator<void>, Bits>*>(nullptr))
      || ...);
  return found;
}

// The execution context of an executor of either model: a standard executor
// answers the `execution::context` query, a Networking TS one (a legacy
// `io_context::strand`, an `executor` of the TS model) its `context()`.
template <typename Executor>
auto& execution_context_of(const Executor& ex) noexcept
{
  if constexpr (asio::execution::is_executor<Executor>::value)
    return asio::query(ex, asio::execution::context);
  else
    return ex.context();
}

// The execution context of an executor, as a key to compare (see
// delivery_scope), or null if the executor does not say (use_future's in
// Boost 1.74, say) or its context is no execution_context.
template <typename Executor>
const void* execution_context_key(const Executor& ex)
{
  if constexpr (!asio::execution::is_executor<Executor>::value
      || asio::can_query<const Executor&, asio::execution::context_t>::value)
  {
    using context_type = std::remove_reference_t<decltype(execution_context_of(ex))>;
    if constexpr (std::is_convertible<context_type*, const asio::execution_context*>::value)
      return static_cast<const asio::execution_context*>(&execution_context_of(ex));
    else
      return nullptr;
  }
  else
    return nullptr;
}

// What keeps an executor's context from running out of work while an
// operation waits: a standard executor that tracks the work, or, for a
// Networking TS executor, an executor_work_guard.
template <typename Executor>
auto track_work(const Executor& ex)
{
  if constexpr (asio::execution::is_executor<Executor>::value)
    return asio::prefer(ex, asio::execution::outstanding_work.tracked);
  else
    return asio::executor_work_guard<Executor>(ex);
}

template <typename Executor>
using tracked_work_t = decltype(track_work(std::declval<const Executor&>()));

// The io_context behind an I/O executor (a binding needs an io_context), or
// nullptr. Executors of an io_context say so by type; a strand is asked for
// its inner executor, whatever that is (`asio::make_strand` of an
// any_io_executor — a coroutine's `this_coro::executor`, an acceptor's
// get_executor() — is a strand<any_io_executor>); a polymorphic executor
// (or a type derived from it or a strand of it: a token's as_default_on)
// is asked for the io_context executor it holds (any properties, such as
// outstanding_work.tracked; the default allocator), a strand of one, or a
// strand of such a strand (`asio::make_strand` of a strand; deeper
// nesting inside an any_io_executor is not looked for). A context that
// merely has a completion-port service is not necessarily an io_context,
// so nothing else is accepted.
template <typename Executor>
asio::io_context* io_context_of(const Executor& ex) noexcept
{
  using io_executor = asio::io_context::executor_type;
  if constexpr (std::is_same_v<Executor, io_executor>)
  {
    return &ex.context();
  }
  else if constexpr (is_asio_strand<Executor>::value)
  {
    return io_context_of(ex.get_inner_executor());
  }
  else if constexpr (std::is_same_v<Executor, asio::any_io_executor>)
  {
    if (const auto* s = target_of<asio::strand<asio::any_io_executor>>(ex))
      return io_context_of(s->get_inner_executor());
    if (const auto* ss = target_of<asio::strand<asio::strand<asio::any_io_executor>>>(ex))
      return io_context_of(ss->get_inner_executor().get_inner_executor());
    return io_context_in(ex, std::make_index_sequence<8>());
  }
  else if constexpr (std::is_base_of_v<asio::any_io_executor, Executor>)
  {
    // A type derived from it: the executor of an I/O object made by a
    // completion token's as_default_on (asio::use_awaitable_t<>::
    // as_default_on_t<named_pipe>), executor_with_default<any_io_executor>.
    return io_context_of(static_cast<const asio::any_io_executor&>(ex));
  }
  else if constexpr (std::is_base_of_v<asio::strand<asio::any_io_executor>, Executor>)
  {
    // The same over a strand (as_default_on of a strand's I/O object).
    return io_context_of(static_cast<const asio::strand<asio::any_io_executor>&>(ex));
  }
  else
  {
    // Decided by the type of the context, before asking for it: a
    // polymorphic executor (an empty one throws bad_executor when asked)
    // answers with a plain execution_context, which is not looked into.
    using context_type = std::decay_t<decltype(execution_context_of(ex))>;
    if constexpr (std::is_base_of_v<asio::io_context, context_type>)
      return &execution_context_of(ex);
    else
      return nullptr;
  }
}

// Whether T is an executor of either model. asio::is_executor<T> (the
// Networking TS model) derives from T to look for a member, which a final
// class does not allow: a final class — a handler, say — is asked only
// whether it is a standard executor.
template <typename T>
struct is_executor_like
  : std::disjunction<asio::execution::is_executor<T>,
        std::conjunction<std::negation<std::is_final<T>>, asio::is_executor<T>>>
{
};

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
    const io_tracked_executor* p = target_of<io_tracked_executor>(ex);
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
