// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_SERVICE_LIST_HPP
#define IOCPX_DETAIL_SERVICE_LIST_HPP

#include <iocpx/detail/config.hpp>

#include <mutex>

namespace iocpx {
namespace detail {

template <typename Node>
class service_list;

// The links a `Node` needs to be on a service_list: derive from
// service_list_hook<Node>. Only the list touches them, under its lock.
template <typename Node>
class service_list_hook
{
protected:
  service_list_hook() = default;
  ~service_list_hook() = default;

private:
  friend class service_list<Node>;

  Node* svc_prev_ = nullptr;
  Node* svc_next_ = nullptr;
};

// The objects an execution-context service must reach when the context shuts
// down (registrations, pollers, acceptors with operations pending): each
// attaches itself when it is made and detaches itself when it goes, from any
// thread. Intrusive, so attaching allocates nothing and cannot fail.
template <typename Node>
class service_list
{
public:
  void attach(Node* n) noexcept
  {
    std::lock_guard<std::mutex> lock(mutex_);
    link(n).svc_prev_ = nullptr;
    link(n).svc_next_ = head_;
    if (head_)
      link(head_).svc_prev_ = n;
    head_ = n;
  }

  void detach(Node* n) noexcept
  {
    std::lock_guard<std::mutex> lock(mutex_);
    service_list_hook<Node>& l = link(n);
    if (l.svc_prev_)
      link(l.svc_prev_).svc_next_ = l.svc_next_;
    else if (head_ == n)
      head_ = l.svc_next_;
    if (l.svc_next_)
      link(l.svc_next_).svc_prev_ = l.svc_prev_;
    l.svc_prev_ = l.svc_next_ = nullptr;
  }

  // Calls `f(node)` for every node, with the list's lock held (so no node
  // can detach, and be destroyed, meanwhile). The nodes stay on the list.
  template <typename Function>
  void for_each(Function f)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Node* n = head_; n; n = link(n).svc_next_)
      f(n);
  }

  // Unlinks every node and calls `f(node)` for it, with the list's lock
  // held. For nodes that forget their service at shutdown (the service goes
  // with the context) and so never detach.
  template <typename Function>
  void take_each(Function f)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (Node* n = head_)
    {
      head_ = link(n).svc_next_;
      link(n).svc_prev_ = link(n).svc_next_ = nullptr;
      f(n);
    }
  }

private:
  static service_list_hook<Node>& link(Node* n) noexcept
  {
    return *n;
  }

  std::mutex mutex_;
  Node* head_ = nullptr;
};

} // namespace detail
} // namespace iocpx

#endif // IOCPX_DETAIL_SERVICE_LIST_HPP
