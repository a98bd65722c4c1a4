// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_CLIENT_IMPERSONATION_HPP
#define IOCPX_WINDOWS_DETAIL_CLIENT_IMPERSONATION_HPP

// The calling thread under a pipe client's security context, for as long as
// one object lives (basic_named_pipe::run_as_client).
//
// Impersonation belongs to the thread, and the threads running an
// io_context run every handler of it: a thread left impersonating would run
// the next connection's handler with this client's rights. So the object is
// scoped to one call (neither copied nor moved), and on the way out it puts
// back the token the thread had before — not simply RevertToSelf, which
// would also end an impersonation the caller itself was inside.

#include <iocpx/detail/config.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <exception>

#include <windows.h>

namespace iocpx {
namespace windows {
namespace detail {

class client_impersonation
{
public:
  // Impersonates the client of the server end `pipe`; on failure `ec` is
  // set and the thread's token is unchanged.
  client_impersonation(HANDLE pipe, boost::system::error_code& ec) noexcept
  {
    // OpenAsSelf: a thread already impersonating someone may not be allowed
    // to open its own token with that someone's rights.
    if (!::OpenThreadToken(::GetCurrentThread(), TOKEN_IMPERSONATE, TRUE, &previous_))
    {
      const DWORD e = ::GetLastError();
      previous_ = nullptr;
      if (e != ERROR_NO_TOKEN) // ERROR_NO_TOKEN: the thread runs as its process
      {
        ec.assign(static_cast<int>(e), boost::system::system_category());
        return;
      }
    }
    if (!::ImpersonateNamedPipeClient(pipe))
    {
      const DWORD e = ::GetLastError();
      if (e == ERROR_PIPE_NOT_CONNECTED)
        ec = boost::asio::error::not_connected; // as the pipe's other calls say it
      else
        ec.assign(static_cast<int>(e), boost::system::system_category());
      close_previous();
      return;
    }
    active_ = true;
    ec = {};
  }

  client_impersonation(const client_impersonation&) = delete;
  client_impersonation& operator=(const client_impersonation&) = delete;

  ~client_impersonation()
  {
    if (active_ && !::SetThreadToken(nullptr, previous_))
    {
      // The thread would go on — into other connections' handlers — with
      // this client's rights. Nothing here can make that safe; it does not
      // happen while the thread and the token it had are valid.
      std::terminate();
    }
    close_previous();
  }

private:
  void close_previous() noexcept
  {
    if (previous_)
      ::CloseHandle(previous_);
    previous_ = nullptr;
  }

  HANDLE previous_ = nullptr; // the thread's own token before, if it had one
  bool active_ = false;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_CLIENT_IMPERSONATION_HPP
