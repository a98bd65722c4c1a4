// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_TRIGGER_HPP
#define IOCPX_TRIGGER_HPP

#include <iocpx/detail/config.hpp>

#include <ostream>

namespace iocpx {

/// How a poller reports a source's readiness (see doc/readiness.md for
/// timelines).
enum class trigger : unsigned char
{
  /// Reported by every poll while the source's readiness intersects the
  /// interest.
  level,

  /// Reported once each time readiness in the interest *appears* (a kind
  /// goes from not-set to set); sets that only repeat existing readiness are
  /// not reported again.
  edge,

  /// Reported once when ready, then disarmed until the next
  /// `basic_poller::modify` of the source.
  oneshot
};

/// The name of a trigger: `"level"`, `"edge"` or `"oneshot"`.
constexpr const char* to_string(trigger t) noexcept
{
  return t == trigger::level ? "level"
      : t == trigger::edge   ? "edge"
      : t == trigger::oneshot ? "oneshot"
      : "invalid";
}

/// Writes `to_string(t)`.
inline std::ostream& operator<<(std::ostream& os, trigger t)
{
  return os << to_string(t);
}

} // namespace iocpx

#endif // IOCPX_TRIGGER_HPP
