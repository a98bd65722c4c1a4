// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// What the module_boundaries test and its two DLLs share: the functions each
// DLL exports (by the same names) and where their handlers report.

#ifndef IOCPX_TEST_WINDOWS_MODULE_BOUNDARIES_MODULE_HPP
#define IOCPX_TEST_WINDOWS_MODULE_BOUNDARIES_MODULE_HPP

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77

#  include <iocpx/poller.hpp>
#  include <iocpx/registration.hpp>
#  include <iocpx/windows/named_pipe.hpp>
#  include <iocpx/windows/named_pipe_acceptor.hpp>

#  include <boost/asio/cancellation_signal.hpp>
#  include <boost/system/error_code.hpp>

#  include <cstddef>
#  include <vector>

// Written by a handler that a DLL's operation ran.
struct iocpx_test_result
{
  boost::system::error_code ec;
  std::size_t count = 0; // polls: the events
  int calls = 0;
  int* clock = nullptr; // if set: counted up by every handler that reports
  int at = 0;           // the clock's value this handler set
};

// Each starts one operation, bound to `slot`, that reports into `out`.
using iocpx_test_start_wait_fn = void (*)(
    iocpx::registration&, boost::asio::cancellation_slot, iocpx_test_result*);
using iocpx_test_start_poll_fn = void (*)(iocpx::poller&, std::vector<iocpx::event>&,
    boost::asio::cancellation_slot, iocpx_test_result*);
using iocpx_test_start_accept_fn = void (*)(iocpx::windows::named_pipe_acceptor&,
    iocpx::windows::named_pipe&, boost::asio::cancellation_slot, iocpx_test_result*);
using iocpx_test_start_pipe_wait_fn = void (*)(
    iocpx::windows::named_pipe&, iocpx::ready, iocpx_test_result*);
// Closes a binding this program made.
using iocpx_test_close_binding_fn = void (*)(
    iocpx::windows::binding&, boost::system::error_code&);

#endif

#endif // IOCPX_TEST_WINDOWS_MODULE_BOUNDARIES_MODULE_HPP
