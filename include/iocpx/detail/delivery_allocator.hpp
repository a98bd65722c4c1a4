// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_DELIVERY_ALLOCATOR_HPP
#define IOCPX_DETAIL_DELIVERY_ALLOCATOR_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/default_allocator.hpp>

#include <iocpx/detail/asio_loop.hpp>

#include <boost/asio/detail/recycling_allocator.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace iocpx {
namespace detail {

// Fixed blocks for deliveries posted from threads that run no Asio loop.
//
// Asio's recycling allocator caches operation memory per thread, but only
// on threads inside run() (or run_one(), poll()): elsewhere it takes every
// block from the heap. A set() on a producer thread — the way a
// set_readiness is meant to be used — posts the wait's delivery from such a
// thread, so each notification would cost a heap allocation. These blocks
// serve those posts instead: process-wide (so no io_context's lifetime
// bounds them), taken and given back with one atomic operation each
// (usually: a taken block makes the search go on to the next). When all are
// taken, or a request is larger than a block, the heap serves as before.
class delivery_pool
{
public:
  static constexpr std::size_t block_size = 128; // an executor_op is 40-72 bytes
  static constexpr std::size_t block_count = 64;

  // A free block, or null.
  static void* take(std::size_t size, std::size_t align) noexcept
  {
    if (size > block_size || align > alignof(std::max_align_t))
      return nullptr;
    for (std::size_t i = 0; i < block_count; ++i)
      if (!taken_[i].load(std::memory_order_relaxed)
          && !taken_[i].exchange(true, std::memory_order_acquire))
        return blocks_[i].bytes;
    return nullptr;
  }

  // Gives `p` back if it is one of the blocks; false otherwise.
  static bool give_back(void* p) noexcept
  {
    // (Compared as integers: `p` may point into another object, and < on
    // unrelated pointers is unspecified.)
    const std::uintptr_t c = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t first = reinterpret_cast<std::uintptr_t>(&blocks_[0]);
    if (c < first || c - first >= sizeof(blocks_))
      return false;
    taken_[(c - first) / sizeof(block)].store(false, std::memory_order_release);
    return true;
  }

private:
  struct alignas(std::max_align_t) block
  {
    unsigned char bytes[block_size];
  };

  static inline block blocks_[block_count];
  static inline std::atomic<bool> taken_[block_count] = {};
};

// The allocator of a posted delivery when the handler has none of its own.
// On a thread inside run(): Asio's recycling allocator, with the
// executor_function purpose rather than the wait's own: while a delivery is
// queued the wait's block is alive too, Boost 1.74 keeps one free block per
// thread and purpose, and a block of another size in the wait's purpose
// would push the wait's block out of the cache (Asio drops a cached block
// too small for a request). Elsewhere: delivery_pool.
template <typename T>
class delivery_allocator
{
public:
  using value_type = T;

  delivery_allocator() noexcept = default;

  template <typename U>
  delivery_allocator(const delivery_allocator<U>&) noexcept
  {
  }

  template <typename U>
  struct rebind
  {
    using other = delivery_allocator<U>;
  };

  T* allocate(std::size_t n)
  {
    if (!innermost_asio_loop()) // (no Asio loop: no thread cache)
      if (void* p = delivery_pool::take(sizeof(T) * n, alignof(T)))
        return static_cast<T*>(p);
    return recycling_type().allocate(n);
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    if (!delivery_pool::give_back(p))
      recycling_type().deallocate(p, n);
  }

  template <typename U>
  bool operator==(const delivery_allocator<U>&) const noexcept
  {
    return true;
  }

  template <typename U>
  bool operator!=(const delivery_allocator<U>&) const noexcept
  {
    return false;
  }

private:
  using recycling_type =
      asio::detail::recycling_allocator<T, asio::detail::thread_info_base::executor_function_tag>;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_DELIVERY_ALLOCATOR_HPP
