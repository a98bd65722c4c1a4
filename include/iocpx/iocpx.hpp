// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_IOCPX_HPP
#define IOCPX_IOCPX_HPP

// Everything iocpx offers on this platform: the portable readiness layers
// everywhere, and the Windows layers on Windows.

#include <iocpx/detail/config.hpp>

#include <iocpx/error.hpp>
#include <iocpx/event.hpp>
#include <iocpx/poller.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/set_readiness.hpp>
#include <iocpx/trigger.hpp>
#include <iocpx/version.hpp>
#include <iocpx/windows.hpp>

#endif // IOCPX_IOCPX_HPP
