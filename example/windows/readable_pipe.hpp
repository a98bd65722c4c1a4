// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Readiness over completion: the bridge from a Windows completion to mio-style
// readiness, in one small I/O object.
//
// A pipe end that offers async_wait(ready) + try_read_some, like a
// non-blocking socket under epoll, although Windows only reports completions:
// - an iocpx::windows::overlapped keeps one zero-byte ReadFile in flight; it
//   completes when data arrives, consumes nothing, and holds no buffer while
//   the pipe is idle;
// - its callback (on an io_context thread) adds `readable` to the object's
//   registration through a set_readiness, or `readable | hangup` when the
//   writer has gone;
// - try_read_some takes what is there without blocking. When it finds
//   nothing, it reports would_block, clears `readable` and re-arms the probe —
//   in that order, so data that arrives in between is seen by the new probe.
//   Readiness is re-armed exactly when a try-operation reports would_block,
//   never otherwise (the mio#533/#1131 class of stuck or spurious readiness).
// - readiness_registration() makes it a readiness source: a poller can watch
//   many of them with tokens.
//
// Used by example/windows/readiness_over_completion.cpp and tested by
// test/windows/readiness_bridge.cpp.

#ifndef IOCPX_EXAMPLE_READABLE_PIPE_HPP
#define IOCPX_EXAMPLE_READABLE_PIPE_HPP

#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/windows.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <utility>

class readable_pipe
{
public:
  // Takes ownership of `pipe`, an overlapped pipe handle.
  readable_pipe(boost::asio::io_context& ctx, HANDLE pipe)
    : binding_(iocpx::windows::bind(ctx, pipe, iocpx::windows::bind_options::fast())),
      registration_(ctx),
      setter_(registration_.setter()),
      probe_([this](const boost::system::error_code& ec, std::size_t) { on_probe(ec); })
  {
    arm();
  }

  readable_pipe(const readable_pipe&) = delete;
  readable_pipe& operator=(const readable_pipe&) = delete;

  ~readable_pipe()
  {
    probe_ = iocpx::windows::overlapped(); // cancel the probe before the handle goes
    binding_.close();
    ::CloseHandle(drain_event_);
  }

  // Waits for readiness (readable, hangup, ...), as Asio's socket wait does.
  template <typename Token>
  auto async_wait(iocpx::ready interest, Token&& token)
  {
    return registration_.async_wait(interest, std::forward<Token>(token));
  }

  // Reads what is available without blocking: the bytes read; or 0 with
  // iocpx::error::would_block (nothing yet: wait for readable) or
  // asio::error::eof (the writer closed and everything was read).
  std::size_t try_read_some(boost::asio::mutable_buffer buffer, boost::system::error_code& ec)
  {
    DWORD available = 0;
    if (!::PeekNamedPipe(binding_.native_handle(), nullptr, 0, nullptr, &available, nullptr))
    {
      const DWORD error = ::GetLastError();
      if (error != ERROR_BROKEN_PIPE && error != ERROR_PIPE_NOT_CONNECTED)
      {
        ec.assign(static_cast<int>(error), boost::system::system_category());
        return 0;
      }
      // The writer is gone and everything was read.
      setter_.add(iocpx::ready::readable() | iocpx::ready::hangup());
      ec = boost::asio::error::eof;
      return 0;
    }
    if (available == 0)
    {
      if (setter_.get().is_hangup())
      {
        ec = boost::asio::error::eof;
        return 0;
      }
      ec = iocpx::error::would_block;
      setter_.clear(iocpx::ready::readable()); // first clear ...
      if (!probe_.in_flight())
        arm();                                  // ... then re-arm
      return 0;
    }
    // The data is there, so this read completes at once. Its event has the
    // low bit set: no packet reaches the port (it is not an iocpx operation).
    OVERLAPPED ov{};
    ov.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(drain_event_) | 1);
    DWORD size = static_cast<DWORD>(std::min<std::size_t>(buffer.size(), available));
    DWORD got = 0;
    BOOL ok = ::ReadFile(binding_.native_handle(), buffer.data(), size, nullptr, &ov);
    if (ok || ::GetLastError() == ERROR_IO_PENDING)
      ok = ::GetOverlappedResult(binding_.native_handle(), &ov, &got, TRUE);
    ec = ok ? boost::system::error_code()
            : boost::system::error_code(static_cast<int>(::GetLastError()), boost::system::system_category());
    return got;
  }

  iocpx::ready readiness() const
  {
    return registration_.readiness();
  }

  // The readiness source concept: a poller can watch this object.
  iocpx::registration& readiness_registration() noexcept
  {
    return registration_;
  }

private:
  void arm()
  {
    HANDLE h = binding_.native_handle();
    probe_.start(binding_, [h](OVERLAPPED* ov) {
      return iocpx::windows::win32_result(::ReadFile(h, nullptr, 0, nullptr, ov));
    });
  }

  // Runs on an io_context thread each time the probe completes.
  void on_probe(const boost::system::error_code& ec)
  {
    if (!ec)
      setter_.add(iocpx::ready::readable());
    else if (ec != boost::asio::error::operation_aborted)
      setter_.add(iocpx::ready::readable() | iocpx::ready::hangup()); // read the rest, then eof
  }

  iocpx::windows::binding binding_;
  iocpx::registration registration_;
  iocpx::set_readiness setter_;
  iocpx::windows::overlapped probe_;
  HANDLE drain_event_ = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
};

#endif // IOCPX_EXAMPLE_READABLE_PIPE_HPP
