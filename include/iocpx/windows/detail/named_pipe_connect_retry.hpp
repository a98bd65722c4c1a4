// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_NAMED_PIPE_CONNECT_RETRY_HPP
#define IOCPX_WINDOWS_DETAIL_NAMED_PIPE_CONNECT_RETRY_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/detail/deadline.hpp>
#include <iocpx/error.hpp>
#include <iocpx/windows/named_pipe_options.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>

namespace iocpx {
namespace windows {
namespace detail {

// When a client connect (connect() and async_connect() alike) tries
// CreateFile again, and when it gives up.
//
// Every instance busy (ERROR_PIPE_BUSY): again, until busy_timeout. A pipe
// that is not there: give up at once (error::pipe_not_found) — unless this
// connect has found it busy before. Then the server has closed its last
// instance and not yet made the next, as a server with one instance does
// between clients (an iocpx acceptor with max_instances = 1 too): the
// connect looks again until reappear_timeout (and busy_timeout) runs out.
// Without that, whether a waiting client got the next turn or
// pipe_not_found depended on when its retry fell.
class named_pipe_connect_retry
{
public:
  using clock = std::chrono::steady_clock;

  // Not started: async_connect assigns a started one when the operation
  // starts (with `deferred`, that may be long after it was made).
  named_pipe_connect_retry() noexcept = default;

  // Started now: busy_timeout counts from here.
  explicit named_pipe_connect_retry(const named_pipe_connect_options& options) noexcept
    : deadline_(iocpx::detail::deadline_after(options.busy_timeout)),
      reappear_timeout_(options.reappear_timeout)
  {
  }

  // After an attempt that found every instance busy (`busy`) or ended with
  // `ec` (empty: connected): true to try again after a wait; false when
  // `ec` is the outcome — asio::error::timed_out once busy_timeout is over.
  bool again(bool busy, boost::system::error_code& ec) noexcept
  {
    const clock::time_point now = clock::now();
    if (busy)
    {
      seen_busy_ = true;
      gone_ = false;
    }
    else if (seen_busy_ && ec == iocpx::error::pipe_not_found)
    {
      if (!gone_)
      {
        gone_ = true;
        // Zero or less: `now` itself, so the comparison below gives up at
        // once (deadline_after would read the clock again, later than
        // `now`, and allow one more attempt).
        gone_deadline_ = reappear_timeout_ > clock::duration::zero()
            ? iocpx::detail::deadline_after(reappear_timeout_)
            : now;
      }
      if (now >= gone_deadline_)
        return false; // it did not come back: pipe_not_found
    }
    else
      return false; // connected, or failed for another reason
    if (now >= deadline_)
    {
      ec = asio::error::timed_out;
      return false;
    }
    ec = {};
    last_ = now;
    return true;
  }

  // The pipe was not there at the last attempt: nothing (WaitNamedPipe
  // included) can wake a waiter when it comes back, so wait by backoff().
  bool pipe_gone() const noexcept
  {
    return gone_;
  }

  // How long to wait before the next attempt: `longest`, or just past the
  // nearer deadline if that comes first (so the next again() sees it).
  std::chrono::milliseconds wait_at_most(std::chrono::milliseconds longest) const noexcept
  {
    const clock::time_point until = gone_ ? (std::min)(deadline_, gone_deadline_) : deadline_;
    if (until - last_ >= longest)
      return longest;
    return std::chrono::duration_cast<std::chrono::milliseconds>(until - last_)
        + std::chrono::milliseconds(1);
  }

  // The next retry's wait: 1 ms, doubling up to 50 ms, as wait_at_most.
  std::chrono::milliseconds backoff() noexcept
  {
    const std::chrono::milliseconds wait = wait_at_most(backoff_);
    backoff_ = (std::min)(backoff_ * 2, std::chrono::milliseconds(50));
    return wait;
  }

private:
  clock::time_point deadline_{};
  clock::duration reappear_timeout_{};
  clock::time_point gone_deadline_{};
  clock::time_point last_{};
  std::chrono::milliseconds backoff_{1};
  bool seen_busy_ = false;
  bool gone_ = false;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_DETAIL_NAMED_PIPE_CONNECT_RETRY_HPP
