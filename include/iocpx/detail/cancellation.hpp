// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_CANCELLATION_HPP
#define IOCPX_DETAIL_CANCELLATION_HPP

// Per-operation cancellation, in one place. Cancellation slots came with
// Boost 1.77; with an older Boost every handler counts as having no slot
// (as a plain callback has none on any version), so operations can still be
// cancelled as a whole with the object's cancel() and close().

#include <iocpx/detail/config.hpp>

#include <atomic>
#include <cstdint>
#include <utility>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
#  include <boost/asio/associated_cancellation_slot.hpp>
#  include <boost/asio/cancellation_type.hpp>
#endif

namespace iocpx {
namespace detail {

// Numbers that name operations to the slot handlers installed for them
// (never 0: "no slot handler"); an object cancels, per operation, the
// pending operation whose number its slot handler holds. Not the slot
// handler's address: Asio lets a slot drop its handler while the operation
// waits (the slot given to another operation, whose handler Asio builds in
// the same memory; the signal destroyed), and a new handler at the same
// address would then cancel the old operation instead of its own. With
// numbers, the old operation just stops being cancellable per operation,
// as Asio's own do.
//
// A number only has to differ from those of the other operations pending on
// the same object, so each object draws them from a source it reaches
// itself (a registration's or poller's from its context's readiness
// service, an acceptor's from its own), never from a static: on Windows
// every DLL built against these headers has its own copy of a static in an
// inline function (PE has no symbol interposition), so two DLLs would hand
// out the same numbers, and the signal of one DLL's operation would cancel
// the other's on a shared object (test/windows/module_boundaries.cpp).
// One relaxed atomic add per operation that has a slot.
class cancellation_key_source
{
public:
  std::uint64_t next() noexcept
  {
    return last_.fetch_add(1, std::memory_order_relaxed) + 1;
  }

private:
  std::atomic<std::uint64_t> last_{0};
};

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)

using cancellation_type_t = asio::cancellation_type_t;

// True for the kinds of cancellation iocpx's operations honour: all three
// (terminal, partial, total), since cancelling a Win32 call leaves no state
// behind that a later operation could trip over.
inline bool requests_cancellation(cancellation_type_t type) noexcept
{
  return !!(type & (asio::cancellation_type::terminal | asio::cancellation_type::partial
                       | asio::cancellation_type::total));
}

// If `handler` has a connected cancellation slot, constructs a Slot handler
// in it from `args` and returns it; otherwise returns nullptr.
template <typename SlotHandler, typename Handler, typename... Args>
SlotHandler* install_cancellation_handler(const Handler& handler, Args&&... args)
{
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (!slot.is_connected())
    return nullptr;
  return &slot.template emplace<SlotHandler>(std::forward<Args>(args)...);
}

// Removes whatever handler's slot holds (before the handler is invoked, so
// a late signal finds nothing).
template <typename Handler>
void clear_cancellation_handler(const Handler& handler)
{
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected())
    slot.clear();
}

// Whether the composed operation `self` (async_compose) was asked to stop.
template <typename Self>
bool cancellation_requested(const Self& self) noexcept
{
  return self.get_cancellation_state().cancelled() != asio::cancellation_type::none;
}

#else // Boost older than 1.77: no slots.

enum class cancellation_type_t : unsigned int
{
  none = 0
};

inline bool requests_cancellation(cancellation_type_t) noexcept { return false; }

template <typename SlotHandler, typename Handler, typename... Args>
SlotHandler* install_cancellation_handler(const Handler&, Args&&...) noexcept
{
  return nullptr;
}

template <typename Handler>
void clear_cancellation_handler(const Handler&) noexcept
{
}

template <typename Self>
bool cancellation_requested(const Self&) noexcept
{
  return false;
}

#endif

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_CANCELLATION_HPP
