// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_BIND_OPTIONS_HPP
#define IOCPX_WINDOWS_BIND_OPTIONS_HPP

#include <iocpx/detail/config.hpp>

namespace iocpx {
namespace windows {

/// How a bound handle notifies completions (SetFileCompletionNotificationModes).
///
/// The modes are applied whenever bind() sets the handle up afresh: the first
/// bind, or a later one after every binding and operation of it is gone
/// (a handle first bound with `{}` gains them when rebound with `fast()`).
/// Once set, they can never be cleared for the life of the handle. The
/// binding reports which ones the handle actually has.
struct bind_options
{
  /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an operation that succeeds at once
  /// queues no packet. iocpx then delivers the completion itself, so the
  /// handler still runs exactly once and never inside its initiating call.
  /// For sockets, iocpx only sets it when every protocol layer is an IFS
  /// layer (otherwise the OS may still queue packets).
  bool skip_completion_port_on_success = false;

  /// FILE_SKIP_SET_EVENT_ON_HANDLE: do not signal the handle itself when an
  /// operation completes. Saves a kernel event operation per completion when
  /// nobody waits on the handle.
  bool skip_set_event_on_handle = false;

  /// Both modes on: the fastest setting for handles used only through iocpx.
  static constexpr bind_options fast() noexcept
  {
    return bind_options{true, true};
  }

  friend constexpr bool operator==(const bind_options& a, const bind_options& b) noexcept
  {
    return a.skip_completion_port_on_success == b.skip_completion_port_on_success
        && a.skip_set_event_on_handle == b.skip_set_event_on_handle;
  }

  friend constexpr bool operator!=(const bind_options& a, const bind_options& b) noexcept
  {
    return !(a == b);
  }
};

} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_BIND_OPTIONS_HPP
