// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_EVENT_HPP
#define IOCPX_EVENT_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/ready.hpp>

#include <cstddef>
#include <ostream>

namespace iocpx {

/// One readiness event taken from a poller.
///
/// `token` is the value the source was added (or last modified) with;
/// `readiness` is the source's readiness intersected with its interest at the
/// moment the event was taken, never empty.
struct event
{
  /// The user's token for the source (mio's `Token`).
  std::size_t token = 0;

  /// What the source was ready for, within its interest.
  ready readiness;

  friend constexpr bool operator==(const event& a, const event& b) noexcept
  {
    return a.token == b.token && a.readiness == b.readiness;
  }

  friend constexpr bool operator!=(const event& a, const event& b) noexcept
  {
    return !(a == b);
  }

  /// Writes `{token, readiness}` for diagnostics.
  friend std::ostream& operator<<(std::ostream& os, const event& e)
  {
    return os << '{' << e.token << ", " << e.readiness << '}';
  }
};

} // namespace iocpx

#endif // IOCPX_EVENT_HPP
