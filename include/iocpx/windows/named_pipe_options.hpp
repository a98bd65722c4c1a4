// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_NAMED_PIPE_OPTIONS_HPP
#define IOCPX_WINDOWS_NAMED_PIPE_OPTIONS_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/windows/bind_options.hpp>

#include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does

#include <chrono>
#include <cstddef>

namespace iocpx {
namespace windows {

/// How a named pipe carries data.
enum class pipe_mode : unsigned char
{
  /// A byte stream (PIPE_TYPE_BYTE | PIPE_READMODE_BYTE): writes may be
  /// split or merged by the reader, like TCP.
  byte,

  /// Messages (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE): each write is one
  /// message and each read returns at most one message. A read whose buffer
  /// is too small for the message completes with the bytes that fit and an
  /// error for which `is_more_data(ec)` is true; the rest of the message is
  /// returned by the next reads.
  message
};

/// How a named pipe object turns completions into readiness (its
/// `async_wait`, `try_read_some` and poller support).
struct readiness_strategy
{
  /// 0: a zero-byte read probe (the default). It completes when data
  /// arrives, consumes nothing and holds no buffer while the pipe is idle.
  /// Otherwise: a read of up to this many bytes into a buffer the pipe
  /// owns; `try_read_some` returns those bytes first. Use it where a
  /// zero-byte read is not reported by the driver, or to save the second
  /// kernel call per readable event on busy pipes. Intended for byte mode.
  std::size_t buffer_size = 0;

  /// The default: a zero-byte probe.
  static constexpr readiness_strategy zero_byte_probe() noexcept
  {
    return readiness_strategy{0};
  }

  /// A buffered probe of `size` bytes (at least 1).
  static constexpr readiness_strategy buffered(std::size_t size) noexcept
  {
    return readiness_strategy{size == 0 ? 1 : size};
  }
};

/// The server side of a named pipe: what `basic_named_pipe_acceptor` passes
/// to `CreateNamedPipe` for each instance it creates.
struct named_pipe_options
{
  /// Byte or message mode, for both directions.
  pipe_mode mode = pipe_mode::byte;

  /// The most instances of this pipe name that may exist at once (connected
  /// plus listening): 1 to 254, or 255 (PIPE_UNLIMITED_INSTANCES) for no
  /// limit. The first instance fixes it for the name.
  unsigned max_instances = PIPE_UNLIMITED_INSTANCES;

  /// How many instances the acceptor keeps waiting for clients (the
  /// backlog). A burst of up to this many clients connecting at once never
  /// sees ERROR_PIPE_BUSY, even before `async_accept` is called. At least 1
  /// (0 fails); more than `max_instances` allows is not an error: the
  /// acceptor then keeps as many as the name can have.
  std::size_t listen_instances = 4;

  /// Size hints for the inbound and outbound buffers of each instance.
  unsigned long in_buffer_size = 64 * 1024;
  unsigned long out_buffer_size = 64 * 1024;

  /// PIPE_REJECT_REMOTE_CLIENTS: only local processes may connect. On by
  /// default; turn it off only for a pipe meant to be reached over SMB.
  bool reject_remote_clients = true;

  /// FILE_FLAG_FIRST_PIPE_INSTANCE on the first instance: `open` fails (with
  /// ERROR_ACCESS_DENIED) when another process already serves this name,
  /// instead of silently adding instances to its pipe — the protection
  /// against name squatting. On by default.
  bool first_instance = true;

  /// Passed unchanged to `CreateNamedPipe` (nullptr: the default security
  /// descriptor). Must stay valid while the acceptor is open, because
  /// replacement instances are created with it too.
  SECURITY_ATTRIBUTES* security_attributes = nullptr;

  /// How the accepted pipes' handles are bound (default: skip the port on
  /// success and skip setting the handle's event).
  bind_options binding = bind_options::fast();
};

/// The client side: how `basic_named_pipe::connect` / `async_connect` open
/// a pipe.
struct named_pipe_connect_options
{
  /// The read mode to set on the client end. Must match the server's pipe
  /// type: message mode needs a PIPE_TYPE_MESSAGE pipe.
  pipe_mode mode = pipe_mode::byte;

  /// How long to keep retrying while every instance of the pipe is busy
  /// (ERROR_PIPE_BUSY). `duration::max()` (or any timeout longer than a
  /// century) waits until the connect succeeds, fails for another reason or
  /// is cancelled; zero or less tries once.
  /// On expiry the connect fails with `asio::error::timed_out`. A pipe that
  /// does not exist fails at once (`error::pipe_not_found`), except as
  /// `reappear_timeout` says.
  std::chrono::steady_clock::duration busy_timeout = std::chrono::steady_clock::duration::max();

  /// How long a connect that has found the pipe busy keeps looking when the
  /// pipe then disappears: its server has closed its last instance and not
  /// yet made the next, as a server with one instance does between clients
  /// (an acceptor with `max_instances = 1` too). Within `busy_timeout`.
  /// If the pipe is not back in time, the connect fails with
  /// `error::pipe_not_found` (with `asio::error::timed_out` if
  /// `busy_timeout` ends first); zero or less fails at the first miss. A pipe
  /// that is not there at the first attempt fails at once regardless.
  std::chrono::steady_clock::duration reappear_timeout = std::chrono::seconds(1);

  /// Impersonation level the server may use (SECURITY_SQOS_PRESENT plus one
  /// of SECURITY_ANONYMOUS, SECURITY_IDENTIFICATION, SECURITY_IMPERSONATION,
  /// SECURITY_DELEGATION). Default: identification only, so a hostile server
  /// cannot act as the client.
  unsigned long security_qos = SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;

  /// Passed unchanged to `CreateFile`.
  SECURITY_ATTRIBUTES* security_attributes = nullptr;

  /// How the client handle is bound.
  bind_options binding = bind_options::fast();
};

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_NAMED_PIPE_OPTIONS_HPP
