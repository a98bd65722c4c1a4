// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_NAMED_PIPE_READINESS_HPP
#define IOCPX_WINDOWS_DETAIL_NAMED_PIPE_READINESS_HPP

// Readiness over completion for one pipe end, built from public layers only:
// an `overlapped` read probe (zero bytes by default) and an `overlapped`
// writer whose callbacks change a registration's readiness through its
// set_readiness. Created on the pipe's first readiness use, so the
// completion API never pays for it. It lives on the heap, so moving the pipe
// does not move what the callbacks refer to; buffers the kernel may still
// fill are owned jointly with the callbacks, so they outlive an abandoned
// operation until its packet is dequeued.

#include <iocpx/detail/config.hpp>
#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/set_readiness.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/named_pipe_core.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/overlapped.hpp>
#include <iocpx/windows/overlapped_result.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

// Default size of the writer's buffer: one try_write_some copies at most
// this many bytes.
constexpr std::size_t readiness_write_chunk = 16 * 1024;

template <typename Executor>
class named_pipe_readiness
{
public:
  named_pipe_readiness(const Executor& ex, readiness_strategy strategy)
    : registration_(ex),
      setter_(registration_.setter()),
      strategy_(strategy),
      read_buffer_(strategy.buffer_size ? new char[strategy.buffer_size] : nullptr),
      write_buffer_(new char[readiness_write_chunk]),
      probe_([this, keep = read_buffer_](const boost::system::error_code& ec, std::size_t n) {
        on_probe(ec, n);
      }),
      writer_([this, keep = write_buffer_](const boost::system::error_code& ec, std::size_t) {
        on_write(ec);
      }),
      event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr))
  {
    if (!event_)
      iocpx::detail::throw_if(last_error(), "iocpx::windows::basic_named_pipe: CreateEvent");
  }

  named_pipe_readiness(const named_pipe_readiness&) = delete;
  named_pipe_readiness& operator=(const named_pipe_readiness&) = delete;

  ~named_pipe_readiness()
  {
    // Cancel first; the callbacks are never called again and the buffers
    // stay alive with them until the kernel is done.
    writer_ = overlapped();
    probe_ = overlapped();
    ::CloseHandle(event_);
  }

  basic_registration<Executor>& registration() noexcept
  {
    return registration_;
  }

  ready readiness() const
  {
    return registration_.readiness();
  }

  // A connection is established (or this state was created on an already
  // connected pipe): writable at once, readable when the probe says so.
  void start(binding& b, unsigned long generation)
  {
    // A binding of our own to the same handle (a no-op re-bind): the
    // callbacks re-arm through it, and it does not move with the pipe.
    boost::system::error_code ec;
    own_.bind(b.context(), b.native_handle(), b.requested_options(), ec);
    generation_ = generation;
    active_ = true;
    buffered_pos_ = buffered_len_ = 0;
    buffered_more_ = false;
    write_error_ = {};
    write_reported_ = false;
    setter_.set(ready::writable());
    if (ec)
      setter_.add(ready::error());
    else
      arm();
  }

  // The connection ended (disconnect, close): nothing in flight may change
  // readiness any more.
  void stop(unsigned long new_generation)
  {
    generation_ = new_generation;
    active_ = false;
    probe_.cancel();
    writer_.cancel();
    buffered_pos_ = buffered_len_ = 0;
    setter_.set(ready::none());
  }

  std::size_t try_read_some(asio::mutable_buffer buffer, pipe_mode mode,
      boost::system::error_code& ec)
  {
    if (buffered_pos_ < buffered_len_)
    {
      const std::size_t n = std::min(buffer.size(), buffered_len_ - buffered_pos_);
      std::memcpy(buffer.data(), read_buffer_.get() + buffered_pos_, n);
      buffered_pos_ += n;
      ec = {};
      if (buffered_pos_ < buffered_len_ || buffered_more_)
      {
        if (buffered_pos_ == buffered_len_)
          buffered_more_ = false;
        if (mode == pipe_mode::message)
          ec = boost::system::error_code(ERROR_MORE_DATA, boost::system::system_category());
      }
      return n;
    }
    if (buffer.size() == 0)
    {
      ec = {};
      return 0;
    }

    HANDLE h = own_.native_handle();
    DWORD available = 0;
    DWORD message_left = 0;
    if (!::PeekNamedPipe(h, nullptr, 0, nullptr, &available, &message_left))
    {
      const boost::system::error_code peek_ec = last_error();
      ec = map_read_error(peek_ec);
      if (ec == asio::error::eof)
        setter_.add(ready::readable() | ready::hangup());
      return 0;
    }
    if (available == 0 && !(mode == pipe_mode::message && message_left == 0 && has_zero_message(h)))
    {
      if (setter_.get().is_hangup())
      {
        ec = asio::error::eof;
        return 0;
      }
      // Clear first, then re-arm: data that arrives in between is seen by
      // the new probe (or by the one still in flight).
      ec = error::would_block;
      setter_.clear(ready::readable());
      arm();
      return 0;
    }

    // Data is there, so the read completes at once. Its event has the low
    // bit set: no packet reaches the port (the OVERLAPPED is not iocpx's).
    DWORD size = clamp_dword(buffer.size());
    if (mode == pipe_mode::byte)
      size = std::min<DWORD>(size, available);
    return sync_io(h, buffer.data(), size, true, ec);
  }

  std::size_t try_write_some(asio::const_buffer buffer, boost::system::error_code& ec)
  {
    if (write_error_)
    {
      // A write that was accepted earlier (it went pending) failed later.
      ec = std::exchange(write_error_, boost::system::error_code());
      return 0;
    }
    if (buffer.size() == 0)
    {
      ec = {};
      return 0;
    }
    if (writer_.in_flight())
    {
      setter_.clear(ready::writable());
      if (writer_.in_flight())
      {
        ec = error::would_block;
        return 0;
      }
      setter_.add(ready::writable());
    }

    const std::size_t n = std::min(buffer.size(), readiness_write_chunk);
    std::memcpy(write_buffer_.get(), buffer.data(), n);
    HANDLE h = own_.native_handle();
    char* data = write_buffer_.get();
    DWORD immediate = ERROR_SUCCESS;
    write_reported_ = false;
    write_generation_ = generation_;
    writer_.start(own_,
        [&](OVERLAPPED* ov) {
          immediate = win32_result(::WriteFile(h, data, static_cast<DWORD>(n), nullptr, ov));
          return immediate;
        },
        ec);
    if (ec)
      return 0;
    switch (immediate)
    {
    case ERROR_SUCCESS:
      return n;
    case ERROR_IO_PENDING:
      // Accepted: the system holds the data until the reader makes room.
      // Further writes would block until it completes.
      setter_.clear(ready::writable());
      return n;
    default:
      // Failed now: reported here, not again by the callback.
      write_reported_ = true;
      ec = map_write_error(
          boost::system::error_code(static_cast<int>(immediate), boost::system::system_category()));
      return 0;
    }
  }

  // A blocking read or write that never reaches the port (for the
  // synchronous read_some/write_some and for try_read_some).
  std::size_t sync_io(HANDLE h, const void* data, DWORD size, bool is_read,
      boost::system::error_code& ec)
  {
    return sync_pipe_io(event_, h, data, size, is_read, ec);
  }

  static std::size_t sync_pipe_io(HANDLE event, HANDLE h, const void* data, DWORD size,
      bool is_read, boost::system::error_code& ec)
  {
    OVERLAPPED ov{};
    ::ResetEvent(event);
    ov.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event) | 1);
    DWORD done = 0;
    BOOL ok = is_read ? ::ReadFile(h, const_cast<void*>(data), size, nullptr, &ov)
                      : ::WriteFile(h, data, size, nullptr, &ov);
    if (ok || ::GetLastError() == ERROR_IO_PENDING || ::GetLastError() == ERROR_MORE_DATA)
      ok = ::GetOverlappedResult(h, &ov, &done, TRUE);
    if (ok)
    {
      ec = {};
      return done;
    }
    const boost::system::error_code raw = last_error();
    if (is_more_data(raw))
    {
      ec = raw;
      return done;
    }
    ec = is_read ? map_read_error(raw) : map_write_error(raw);
    return 0;
  }

private:
  // PeekNamedPipe cannot tell "empty" from "a zero-length message waits";
  // message mode treats both as empty (a zero-length message is read by the
  // next read that finds data, or by async_read_some).
  static bool has_zero_message(HANDLE) noexcept
  {
    return false;
  }

  void arm()
  {
    if (probe_.in_flight() || !active_)
      return;
    probe_generation_ = generation_;
    HANDLE h = own_.native_handle();
    char* data = read_buffer_.get();
    const DWORD size = clamp_dword(strategy_.buffer_size);
    boost::system::error_code ec;
    probe_.start(own_,
        [h, data, size](OVERLAPPED* ov) {
          return win32_result(::ReadFile(h, data, size, nullptr, ov));
        },
        ec);
    if (ec)
      setter_.add(ready::error());
  }

  // On an io_context thread, each time the probe completes.
  void on_probe(const boost::system::error_code& ec, std::size_t n)
  {
    if (probe_generation_ != generation_)
    {
      // A probe of a previous connection: it changes nothing, but the
      // current connection (if any) needs its own probe.
      arm();
      return;
    }
    if (ec == asio::error::operation_aborted)
    {
      // Cancelled with the pipe's other operations (basic_named_pipe::
      // cancel) while the connection goes on: keep watching.
      arm();
      return;
    }
    if (!ec || is_more_data(ec))
    {
      if (strategy_.buffer_size)
      {
        buffered_pos_ = 0;
        buffered_len_ = n;
        buffered_more_ = is_more_data(ec);
      }
      setter_.add(ready::readable());
    }
    else if (map_read_error(ec) == asio::error::eof)
      setter_.add(ready::readable() | ready::hangup()); // read the rest, then eof
    else
      setter_.add(ready::readable() | ready::error());
  }

  void on_write(const boost::system::error_code& ec)
  {
    if (write_generation_ != generation_)
    {
      if (active_)
        setter_.add(ready::writable());
      return;
    }
    if (ec == asio::error::operation_aborted && !active_)
      return;
    if (ec && !write_reported_)
    {
      write_error_ = map_write_error(ec);
      setter_.add(ready::writable() | ready::error());
      return;
    }
    setter_.add(ready::writable());
  }

  basic_registration<Executor> registration_;
  set_readiness setter_;
  readiness_strategy strategy_;
  std::shared_ptr<char[]> read_buffer_;
  std::shared_ptr<char[]> write_buffer_;
  binding own_;
  overlapped probe_;
  overlapped writer_;
  HANDLE event_;
  unsigned long generation_ = 0;
  unsigned long probe_generation_ = 0;
  unsigned long write_generation_ = 0;
  bool active_ = false;
  std::size_t buffered_pos_ = 0;
  std::size_t buffered_len_ = 0;
  bool buffered_more_ = false;
  bool write_reported_ = false;
  boost::system::error_code write_error_;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_NAMED_PIPE_READINESS_HPP
