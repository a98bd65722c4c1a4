// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_HPP
#define IOCPX_WINDOWS_HPP

// The Windows parts of iocpx: binding, overlapped, and the named pipe.
// Empty elsewhere.

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)
#  include <iocpx/windows/async_overlapped.hpp>
#  include <iocpx/windows/bind_options.hpp>
#  include <iocpx/windows/binding.hpp>
#  include <iocpx/windows/named_pipe.hpp>
#  include <iocpx/windows/named_pipe_acceptor.hpp>
#  include <iocpx/windows/named_pipe_options.hpp>
#  include <iocpx/windows/overlapped.hpp>
#  include <iocpx/windows/overlapped_result.hpp>
#  include <iocpx/windows/pipe_name_view.hpp>
#  include <iocpx/windows/read_message.hpp>
#endif

#endif // IOCPX_WINDOWS_HPP
