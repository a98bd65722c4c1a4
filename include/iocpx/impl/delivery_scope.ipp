// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_IMPL_DELIVERY_SCOPE_IPP
#define IOCPX_IMPL_DELIVERY_SCOPE_IPP

#include <iocpx/detail/delivery_scope.hpp>
#include <iocpx/detail/thread_pointer.hpp>

namespace iocpx {
namespace detail {

IOCPX_DECL delivery_scope* delivery_scope::current() noexcept
{
  return thread_pointer<delivery_scope>::get();
}

IOCPX_DECL void delivery_scope::set_current(delivery_scope* scope) noexcept
{
  thread_pointer<delivery_scope>::set(scope);
}

IOCPX_DECL bool delivery_scope::try_queue(const void* key, run_fn fn, void* op, void* context,
    std::uint32_t a, std::uint32_t b) noexcept
{
  delivery_scope* scope = current();
  if (!scope)
    return false;
  if (key != scope->context_ || scope->delivered_ + scope->size_ >= budget
      || scope->size_ == capacity || scope->loop_ != innermost_asio_loop())
  {
    // Posted: another context's completion to that context, as when it does
    // not run on this thread at all; this context's when the queue is full,
    // the budget spent, or a loop entered since the scope opened runs. Every
    // open scope of that context turns away what is made ready later —
    // also one further out, whose handler runs this loop — or a completion
    // queued later (once drain() made room, or after the nested loop
    // returned) would run before this one.
    turn_away(key);
    return false;
  }
  scope->queue_[(scope->head_ + scope->size_) % capacity] = entry{fn, op, context, a, b};
  ++scope->size_;
  return true;
}

IOCPX_DECL void delivery_scope::post_later_ones(const void* key) noexcept
{
  for (delivery_scope* scope = current(); scope; scope = scope->previous_)
    if (!key || scope->context_ == key)
      scope->delivered_ = budget;
}

IOCPX_DECL void delivery_scope::drain()
{
  if (joined_)
    return;
  struct not_draining_on_exit
  {
    bool& flag;
    ~not_draining_on_exit()
    {
      flag = false;
    }
  } on_exit{draining_};
  while (size_ > 0)
  {
    const entry e = queue_[head_];
    head_ = (head_ + 1) % capacity;
    --size_;
    ++delivered_;
    draining_ = true; // the handler this runs joins this queue
    e.fn(e.op, e.context, e.a, e.b, true);
  }
}

IOCPX_DECL delivery_scope::~delivery_scope()
{
  if (joined_)
  {
    previous_->draining_ = true;
    return;
  }
  set_current(previous_);
  // Left over only if a handler threw: hand the completions to their
  // ordinary path, in order.
  while (size_ > 0)
  {
    const entry e = queue_[head_];
    head_ = (head_ + 1) % capacity;
    --size_;
    e.fn(e.op, e.context, e.a, e.b, false);
  }
}

} // namespace detail
} // namespace iocpx

#endif // IOCPX_IMPL_DELIVERY_SCOPE_IPP
