// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_REFUSED_OPS_HPP
#define IOCPX_DETAIL_REFUSED_OPS_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/readiness_service.hpp>
#include <iocpx/detail/scope_stack.hpp>

namespace iocpx {
namespace detail {

// Keeps, until it ends, the waits and polls whose completion this thread
// could not post (their executor refused them: no memory), instead of
// destroying them where the post failed.
//
// Destroying such an operation destroys its handler, i.e. runs the user's
// code, which may destroy the very object whose lock is held around the
// readiness change that completed the wait (a session that owned its pipe
// through the handler). An object that changes readiness under a lock of
// its own opens one of these before taking the lock, so that the refused
// handlers are destroyed after the lock is released. Only the failure path
// looks at it: a post that succeeds never does.
class refused_ops_scope
{
public:
  refused_ops_scope() noexcept : stack_(this) {}

  ~refused_ops_scope()
  {
    // Off the stack first: what destroying these handlers refuses in turn
    // is for the enclosing scope to keep (or, outside every scope, to
    // destroy where it was refused), not for this one to destroy here.
    stack_.pop();
    while (readiness_op* op = ops_.pop_front())
      op->destroy();
  }

  // Whether `op`, which nobody else holds any more, is kept for this
  // thread's innermost scope to destroy; false outside every scope.
  static bool defer(readiness_op* op) noexcept
  {
    refused_ops_scope* s = stack::top();
    if (!s)
      return false;
    s->ops_.push_back(op);
    return true;
  }

private:
  using stack = scope_stack<refused_ops_scope>;

  stack stack_;
  readiness_op_list ops_;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_REFUSED_OPS_HPP
