// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_REFUSED_OPS_HPP
#define IOCPX_DETAIL_REFUSED_OPS_HPP

#include <iocpx/detail/config.hpp>

#include <iocpx/detail/readiness_service.hpp>

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
  refused_ops_scope() noexcept : prev_(top())
  {
    top() = this;
  }
  refused_ops_scope(const refused_ops_scope&) = delete;
  refused_ops_scope& operator=(const refused_ops_scope&) = delete;

  ~refused_ops_scope()
  {
    top() = prev_;
    while (readiness_op* op = ops_.pop_front())
      op->destroy();
  }

  // Whether `op`, which nobody else holds any more, is kept for this
  // thread's innermost scope to destroy; false outside every scope.
  static bool defer(readiness_op* op) noexcept
  {
    refused_ops_scope* s = top();
    if (!s)
      return false;
    s->ops_.push_back(op);
    return true;
  }

private:
  static refused_ops_scope*& top() noexcept
  {
    static thread_local refused_ops_scope* t = nullptr;
    return t;
  }

  refused_ops_scope* prev_;
  readiness_op_list ops_;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_REFUSED_OPS_HPP
