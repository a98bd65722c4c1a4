// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_READY_HPP
#define IOCPX_READY_HPP

#include <iocpx/detail/config.hpp>

#include <ostream>
#include <string>

namespace iocpx {

/// A set of readiness kinds: readable, writable, error, hangup, priority.
///
/// `ready` is a small value type (one `unsigned int`) with the usual bit
/// operations. It is used both for what a source *is* ready for (its
/// readiness) and for what a waiter *wants* (its interest); a wait is
/// satisfied when the two intersect.
///
/// @par Thread Safety
/// Plain value type: distinct objects are independent; a shared object is
/// safe to read concurrently.
class ready
{
public:
  /// The underlying integer type of the bit set.
  using bits_type = unsigned int;

  /// The empty set.
  constexpr ready() noexcept = default;

  /// No readiness.
  static constexpr ready none() noexcept { return ready(); }
  /// Data (or a connection, or end-of-file) can be read without blocking.
  static constexpr ready readable() noexcept { return ready(readable_bit); }
  /// Data can be written without blocking.
  static constexpr ready writable() noexcept { return ready(writable_bit); }
  /// The source has a pending error.
  static constexpr ready error() noexcept { return ready(error_bit); }
  /// The peer hung up (closed its end).
  static constexpr ready hangup() noexcept { return ready(hangup_bit); }
  /// Priority (out-of-band) data can be read.
  static constexpr ready priority() noexcept { return ready(priority_bit); }
  /// Every kind at once.
  static constexpr ready all() noexcept { return ready(all_bits); }

  /// Makes a set from raw bits; bits that name no kind are dropped.
  static constexpr ready from_bits(bits_type b) noexcept { return ready(b & all_bits); }

  /// The raw bits (a subset of `all().bits()`).
  constexpr bits_type bits() const noexcept { return bits_; }

  /// True when the set is empty.
  constexpr bool is_none() const noexcept { return bits_ == 0; }
  constexpr bool is_readable() const noexcept { return (bits_ & readable_bit) != 0; }
  constexpr bool is_writable() const noexcept { return (bits_ & writable_bit) != 0; }
  constexpr bool is_error() const noexcept { return (bits_ & error_bit) != 0; }
  constexpr bool is_hangup() const noexcept { return (bits_ & hangup_bit) != 0; }
  constexpr bool is_priority() const noexcept { return (bits_ & priority_bit) != 0; }

  /// True when every kind in `other` is also in `*this`.
  constexpr bool contains(ready other) const noexcept
  {
    return (bits_ & other.bits_) == other.bits_;
  }

  /// True when `*this` and `other` share at least one kind.
  constexpr bool intersects(ready other) const noexcept
  {
    return (bits_ & other.bits_) != 0;
  }

  /// True when the set is not empty.
  constexpr explicit operator bool() const noexcept { return bits_ != 0; }

  constexpr ready& operator|=(ready r) noexcept { bits_ |= r.bits_; return *this; }
  constexpr ready& operator&=(ready r) noexcept { bits_ &= r.bits_; return *this; }
  constexpr ready& operator^=(ready r) noexcept { bits_ ^= r.bits_; return *this; }
  /// Removes the kinds in `r`.
  constexpr ready& operator-=(ready r) noexcept { bits_ &= ~r.bits_; return *this; }

  friend constexpr ready operator|(ready a, ready b) noexcept { return ready(a.bits_ | b.bits_); }
  friend constexpr ready operator&(ready a, ready b) noexcept { return ready(a.bits_ & b.bits_); }
  friend constexpr ready operator^(ready a, ready b) noexcept { return ready(a.bits_ ^ b.bits_); }
  /// Set difference: the kinds in `a` that are not in `b`.
  friend constexpr ready operator-(ready a, ready b) noexcept { return ready(a.bits_ & ~b.bits_); }
  /// Complement within `all()`.
  friend constexpr ready operator~(ready a) noexcept { return ready(~a.bits_ & all_bits); }
  friend constexpr bool operator==(ready a, ready b) noexcept { return a.bits_ == b.bits_; }
  friend constexpr bool operator!=(ready a, ready b) noexcept { return a.bits_ != b.bits_; }

  /// Formats the set for diagnostics: `"none"`, or kind names joined by
  /// `" | "` in the order readable, writable, error, hangup, priority
  /// (for example `"readable | hangup"`).
  std::string to_string() const
  {
    if (bits_ == 0)
      return "none";
    static const char* const names[] = {"readable", "writable", "error", "hangup", "priority"};
    std::string s;
    for (bits_type i = 0; i < 5; ++i)
    {
      if (bits_ & (bits_type(1) << i))
      {
        if (!s.empty())
          s += " | ";
        s += names[i];
      }
    }
    return s;
  }

  /// Writes `r.to_string()`.
  friend std::ostream& operator<<(std::ostream& os, ready r)
  {
    return os << r.to_string();
  }

private:
  static constexpr bits_type readable_bit = 1u << 0;
  static constexpr bits_type writable_bit = 1u << 1;
  static constexpr bits_type error_bit = 1u << 2;
  static constexpr bits_type hangup_bit = 1u << 3;
  static constexpr bits_type priority_bit = 1u << 4;
  static constexpr bits_type all_bits = (1u << 5) - 1;

  constexpr explicit ready(bits_type b) noexcept : bits_(b) {}

  bits_type bits_ = 0;
};

} // namespace iocpx

#endif // IOCPX_READY_HPP
