// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_NAMED_PIPE_ACCEPTOR_HPP
#define IOCPX_WINDOWS_NAMED_PIPE_ACCEPTOR_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/windows/basic_named_pipe_acceptor.hpp>

namespace iocpx {
namespace windows {

/// A named pipe acceptor that uses `asio::any_io_executor`.
using named_pipe_acceptor = basic_named_pipe_acceptor<>;

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_NAMED_PIPE_ACCEPTOR_HPP
