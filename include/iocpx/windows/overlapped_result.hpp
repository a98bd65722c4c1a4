// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_OVERLAPPED_RESULT_HPP
#define IOCPX_WINDOWS_OVERLAPPED_RESULT_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <boost/asio/detail/socket_types.hpp> // winsock2.h before windows.h, as Asio does
#include <boost/system/error_code.hpp>

namespace iocpx {
namespace windows {

/// The outcome of a Win32 call that returns BOOL (ReadFile, WriteFile,
/// DeviceIoControl, ConnectNamedPipe, ...) as the error code that
/// `async_overlapped` and `overlapped` expect from their start function.
inline DWORD win32_result(BOOL ok) noexcept
{
  return ok ? static_cast<DWORD>(ERROR_SUCCESS) : ::GetLastError();
}

/// The outcome of a Winsock call that returns 0 or SOCKET_ERROR (WSARecv,
/// WSASend, ...) as a Win32 error code (WSA_IO_PENDING == ERROR_IO_PENDING).
inline DWORD wsa_result(int result) noexcept
{
  return result == 0 ? static_cast<DWORD>(ERROR_SUCCESS)
                     : static_cast<DWORD>(::WSAGetLastError());
}

/// Whether a completion reports a message longer than the buffer
/// (ERROR_MORE_DATA): the bytes that fit were transferred, the rest of the
/// message waits for the next read.
inline bool is_more_data(const boost::system::error_code& ec) noexcept
{
  return ec.value() == ERROR_MORE_DATA && ec.category() == boost::system::system_category();
}

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_OVERLAPPED_RESULT_HPP
