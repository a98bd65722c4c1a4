// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_SET_READINESS_HPP
#define IOCPX_SET_READINESS_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/readiness_core.hpp>
#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>

#include <boost/system/error_code.hpp>

namespace iocpx {

template <typename Executor>
class basic_registration;

/// The producer side of a registration: changes its readiness.
///
/// Obtained from `basic_registration::setter()`. Copies are cheap (one atomic
/// reference count) and all refer to the same registration; a registration
/// that is moved keeps its setters. A setter may outlive its registration:
/// every call then reports `iocpx::error::registration_gone` and changes
/// nothing. A default-constructed setter behaves the same way.
///
/// Changing readiness never runs a handler inline: a wait (or poll) that the
/// change satisfies is completed through its own executor. A change that
/// completes nothing is one compare-and-swap and takes no lock. Completing
/// the first wait is lock-free too; it hands that wait to its executor
/// (from a thread not running the wait's io_context, with two more atomic
/// operations that count the hand-over). The registration's lock is taken
/// only when the change makes a kind appear that a second wait on the same
/// registration, or a poller, waits for.
///
/// Handing a satisfied wait to its executor may throw (an executor that
/// cannot allocate throws `std::bad_alloc`): the readiness is changed
/// regardless, that wait's handler is destroyed without being called, the
/// other satisfied waits are still handed on, and then the exception leaves
/// `set` or `add` (also the `error_code&` overloads, which report only
/// iocpx's own errors). Destroying a registration never throws for this.
///
/// The members are `const`: a setter is a handle, and what it changes is the
/// registration it refers to (so a setter captured by value in a lambda can
/// be used directly).
///
/// Every modifying call returns the readiness as it was just before the call
/// (useful to know whether *this* call made a kind appear or disappear).
///
/// @par Thread Safety
/// @e Distinct @e objects: Safe.@n
/// @e Shared @e objects: Safe. Any thread may call any member, including
/// threads that never run the registration's execution context and handlers
/// running on it (an overlapped completion callback, for example).
class set_readiness
{
public:
  /// A setter that belongs to no registration.
  set_readiness() noexcept = default;

  /// Replaces the readiness with `r`.
  /// @returns The previous readiness.
  /// @throws boost::system::system_error with `iocpx::error::registration_gone`.
  ready set(ready r) const
  {
    return update_or_throw<detail::readiness_core::update_kind::set>(r,
        "iocpx::set_readiness::set");
  }

  /// Replaces the readiness with `r`.
  /// @returns The previous readiness, or `ready::none()` on error.
  ready set(ready r, boost::system::error_code& ec) const
  {
    return update(detail::readiness_core::update_kind::set, r, ec);
  }

  /// Adds (ORs in) the kinds in `r`.
  /// @returns The previous readiness.
  /// @throws boost::system::system_error with `iocpx::error::registration_gone`.
  ready add(ready r) const
  {
    return update_or_throw<detail::readiness_core::update_kind::add>(r,
        "iocpx::set_readiness::add");
  }

  /// Adds (ORs in) the kinds in `r`.
  /// @returns The previous readiness, or `ready::none()` on error.
  ready add(ready r, boost::system::error_code& ec) const
  {
    return update(detail::readiness_core::update_kind::add, r, ec);
  }

  /// Removes the kinds in `r`.
  /// @returns The previous readiness.
  /// @throws boost::system::system_error with `iocpx::error::registration_gone`.
  ready clear(ready r) const
  {
    return update_or_throw<detail::readiness_core::update_kind::clear>(r,
        "iocpx::set_readiness::clear");
  }

  /// Removes the kinds in `r`.
  /// @returns The previous readiness, or `ready::none()` on error.
  ready clear(ready r, boost::system::error_code& ec) const
  {
    return update(detail::readiness_core::update_kind::clear, r, ec);
  }

  /// The current readiness.
  /// @throws boost::system::system_error with `iocpx::error::registration_gone`.
  ready get() const
  {
    boost::system::error_code ec;
    ready r = get(ec);
    detail::throw_if(ec, "iocpx::set_readiness::get");
    return r;
  }

  /// The current readiness, or `ready::none()` on error.
  ready get(boost::system::error_code& ec) const noexcept
  {
    ready::bits_type cur = 0;
    if (!core_ || !core_->load(cur))
    {
      ec = error::registration_gone;
      return ready::none();
    }
    ec.clear();
    return ready::from_bits(cur);
  }

  /// True while the registration exists (a hint: it may go away at once).
  bool registration_alive() const noexcept
  {
    ready::bits_type cur = 0;
    return core_ && core_->load(cur);
  }

  /// True when both refer to the same registration (or both to none).
  friend bool operator==(const set_readiness& a, const set_readiness& b) noexcept
  {
    return a.core_.get() == b.core_.get();
  }

  friend bool operator!=(const set_readiness& a, const set_readiness& b) noexcept
  {
    return !(a == b);
  }

private:
  template <typename Executor>
  friend class basic_registration;

  explicit set_readiness(detail::readiness_core* c) noexcept
    : core_(detail::ref_ptr<detail::readiness_core>::share(c))
  {
  }

  ready update(detail::readiness_core::update_kind k, ready r,
      boost::system::error_code& ec) const
  {
    ready::bits_type prev = 0;
    if (!core_ || !core_->update(k, r.bits(), prev))
    {
      ec = error::registration_gone;
      return ready::none();
    }
    ec.clear();
    return ready::from_bits(prev);
  }

  // (The throwing calls make no error_code unless they fail: the
  // notification path of a handler is a clear and a set.)
  template <detail::readiness_core::update_kind K>
  ready update_or_throw(ready r, const char* what) const
  {
    ready::bits_type prev = 0;
    if (!core_ || !core_->template update<K>(r.bits(), prev))
      detail::throw_if(make_error_code(error::registration_gone), what);
    return ready::from_bits(prev);
  }

  detail::ref_ptr<detail::readiness_core> core_;
};

} // namespace iocpx

#endif // IOCPX_SET_READINESS_HPP
