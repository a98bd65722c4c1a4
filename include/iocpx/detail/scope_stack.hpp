// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_SCOPE_STACK_HPP
#define IOCPX_DETAIL_SCOPE_STACK_HPP

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/thread_pointer.hpp>

namespace iocpx {
namespace detail {

// This thread's stack of the open scopes of one kind, `Scope` (as Asio's
// call_stack): a scope holds a scope_stack<Scope> member, made with the
// scope's `this`, which puts the scope on top (and makes the scope
// non-copyable). The scope's destructor takes it off again with pop(), as
// the first thing it does, so that whatever it does on the way out sees the
// enclosing scope as this thread's innermost.
//
// A member rather than a base, which would come first in the scope's
// layout: the scope places it where its own prev pointer would stand, and
// the compilers make the same code as for the idiom written out in each
// scope. One thread pointer per kind (thread_pointer.hpp), read and written
// when a scope opens, written when it closes; all inline.
template <typename Scope>
class scope_stack
{
public:
  explicit scope_stack(Scope* scope) noexcept : prev_(innermost::get())
  {
    innermost::set(scope);
  }
  scope_stack(const scope_stack&) = delete;
  scope_stack& operator=(const scope_stack&) = delete;

  void pop() noexcept
  {
    innermost::set(prev_);
  }

  // This thread's innermost open scope of the kind; null if none is open.
  static Scope* top() noexcept
  {
    return innermost::get();
  }

  // The scope that was this thread's innermost when this one opened.
  Scope* prev() const noexcept
  {
    return prev_;
  }

private:
  using innermost = thread_pointer<scope_stack, Scope>;

  Scope* prev_;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_SCOPE_STACK_HPP
