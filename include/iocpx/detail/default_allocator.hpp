// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_DEFAULT_ALLOCATOR_HPP
#define IOCPX_DETAIL_DEFAULT_ALLOCATOR_HPP

#include <iocpx/detail/config.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/version.hpp>
#if BOOST_ASIO_VERSION >= 102200
#  include <boost/asio/recycling_allocator.hpp>
#else
#  include <boost/asio/detail/recycling_allocator.hpp>
#endif

#include <memory>
#include <new>
#include <utility>

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

// The allocator an operation's state is allocated with: the handler's
// associated allocator, else the default above.
template <typename Handler>
asio::associated_allocator_t<Handler, default_operation_allocator>
operation_allocator(const Handler& handler) noexcept
{
  return asio::get_associated_allocator(handler, default_operation_allocator());
}

// Creates and destroys an operation's state with an allocator (normally
// operation_allocator(handler)), rebound to the state's type. A state type
// with a private constructor or destructor befriends this class.
class operation_storage
{
public:
  template <typename T, typename Allocator, typename... Args>
  static T* create(const Allocator& allocator, Args&&... args)
  {
    using traits = typename std::allocator_traits<Allocator>::template rebind_traits<T>;
    typename traits::allocator_type a(allocator);
    T* p = traits::allocate(a, 1);
    try
    {
      return ::new (static_cast<void*>(p)) T(std::forward<Args>(args)...);
    }
    catch (...)
    {
      traits::deallocate(a, p, 1);
      throw;
    }
  }

  // `allocator` must not live inside *p (copy it out of the handler first):
  // the state is destroyed before its memory is given back.
  template <typename T, typename Allocator>
  static void destroy(const Allocator& allocator, T* p) noexcept
  {
    using traits = typename std::allocator_traits<Allocator>::template rebind_traits<T>;
    typename traits::allocator_type a(allocator);
    p->~T();
    traits::deallocate(a, p, 1);
  }
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_DEFAULT_ALLOCATOR_HPP
