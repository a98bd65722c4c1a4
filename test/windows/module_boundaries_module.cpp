// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// One of the two DLLs of the module_boundaries test (built twice, as
// module_boundaries_a.dll and module_boundaries_b.dll). Each starts iocpx
// operations with its own copy of every inline function and every static
// in the headers — as a plug-in or any DLL built against iocpx does — on
// objects the test program made. Loaded with LoadLibrary and called through
// GetProcAddress, so both DLLs can export the same names.

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77

#  include "module_boundaries_module.hpp"

#  include <boost/asio/bind_cancellation_slot.hpp>

namespace asio = boost::asio;
using boost::system::error_code;

extern "C" {

__declspec(dllexport) void iocpx_test_start_wait(
    iocpx::registration& r, asio::cancellation_slot slot, iocpx_test_result* out)
{
  r.async_wait(iocpx::ready::readable(),
      asio::bind_cancellation_slot(slot, [out](error_code ec, iocpx::ready) {
        out->ec = ec;
        ++out->calls;
        if (out->clock)
          out->at = ++*out->clock;
      }));
}

__declspec(dllexport) void iocpx_test_start_poll(iocpx::poller& p,
    std::vector<iocpx::event>& events, asio::cancellation_slot slot, iocpx_test_result* out)
{
  p.async_poll(events, asio::bind_cancellation_slot(slot, [out](error_code ec, std::size_t n) {
    out->ec = ec;
    out->count = n;
    ++out->calls;
  }));
}

__declspec(dllexport) void iocpx_test_start_accept(iocpx::windows::named_pipe_acceptor& a,
    iocpx::windows::named_pipe& peer, asio::cancellation_slot slot, iocpx_test_result* out)
{
  a.async_accept(peer, asio::bind_cancellation_slot(slot, [out](error_code ec) {
    out->ec = ec;
    ++out->calls;
  }));
}

// A readiness wait on a pipe, without a slot; reports the readiness in
// out->count.
__declspec(dllexport) void iocpx_test_start_pipe_wait(
    iocpx::windows::named_pipe& pipe, iocpx::ready interest, iocpx_test_result* out)
{
  pipe.async_wait(interest, [out](error_code ec, iocpx::ready r) {
    out->ec = ec;
    out->count = r.bits();
    ++out->calls;
  });
}

__declspec(dllexport) void iocpx_test_close_binding(
    iocpx::windows::binding& b, error_code& ec)
{
  b.close(ec);
}

} // extern "C"

#endif
