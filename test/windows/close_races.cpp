// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// A cancel made from outside the object that owns a handle, racing that
// object's close() on another thread: it must cancel before the close or
// not at all, never the unrelated handle that takes the closed one's value
// (handle values are reused at once: Wine and Windows hand out the lowest
// free one).
//
// The race is a window of nanoseconds inside iocpx — between "is the handle
// still open?" and the CancelIoEx — so this file widens it: every
// CancelIoEx of this program, iocpx's included, goes through a hook that
// holds the first call made on a marked thread until the test has closed
// the handle and opened another one with its value (or, where iocpx makes
// the close wait for the cancel, until a time-out). Built only where the
// iocpx headers are compiled into the test itself: the separately compiled
// library would call the system's CancelIoEx, not the hook.

#include <winsock2.h>
#include <windows.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace {

// The hook: forwards to kernel32's CancelIoEx; on a thread that called
// hold_next_cancel_on_this_thread(), the next call first says it arrived
// and waits (up to 500 ms) for release_held_cancel().
struct cancel_hook
{
  std::mutex mutex;
  std::condition_variable cv;
  bool arrived = false;
  bool released = false;

  static cancel_hook& get()
  {
    static cancel_hook h;
    return h;
  }
};

thread_local bool hold_here = false;

// Before each test's canceller starts.
void reset_cancel_hook()
{
  cancel_hook& h = cancel_hook::get();
  std::lock_guard<std::mutex> lock(h.mutex);
  h.arrived = h.released = false;
}

void hold_next_cancel_on_this_thread()
{
  hold_here = true;
}

// Waits until a held cancel has arrived (true), or 5 s.
bool wait_for_held_cancel()
{
  cancel_hook& h = cancel_hook::get();
  std::unique_lock<std::mutex> lock(h.mutex);
  return h.cv.wait_for(lock, std::chrono::seconds(5), [&] { return h.arrived; });
}

void release_held_cancel()
{
  cancel_hook& h = cancel_hook::get();
  std::lock_guard<std::mutex> lock(h.mutex);
  h.released = true;
  h.cv.notify_all();
}

} // namespace

extern "C" BOOL WINAPI iocpx_test_hooked_cancel_io_ex(HANDLE handle, LPOVERLAPPED ov)
{
  using cancel_fn = BOOL(WINAPI*)(HANDLE, LPOVERLAPPED);
  static const auto real = reinterpret_cast<cancel_fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "CancelIoEx")));
  if (hold_here)
  {
    hold_here = false;
    cancel_hook& h = cancel_hook::get();
    std::unique_lock<std::mutex> lock(h.mutex);
    h.arrived = true;
    h.cv.notify_all();
    h.cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return h.released; });
  }
  return real(handle, ov);
}

#define CancelIoEx iocpx_test_hooked_cancel_io_ex

#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include "named_pipe_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using namespace iocpx_test;

namespace {


// Runs `cancel` on another thread, held inside its CancelIoEx, while this
// thread runs `close` (closing `h`) and then opens an unrelated handle
// with I/O pending — with h's value, as a rule. Then the cancel goes on;
// the unrelated handle's I/O must still be pending.
template <typename Cancel, typename Close>
void check_cancel_racing_close(HANDLE h, Cancel cancel, Close close)
{
  reset_cancel_hook();
  std::thread canceller([&] {
    hold_next_cancel_on_this_thread();
    cancel();
  });
  if (!wait_for_held_cancel())
  {
    canceller.join();
    BOOST_FAIL("the cancel made no CancelIoEx call");
  }
  close();
  bystander_pipe next(np_name("race-next"));
  const bool same_value = next.pipe == h;
  release_held_cancel();
  canceller.join();

  BOOST_TEST(next.still_pending());
  if (!same_value)
    BOOST_TEST_MESSAGE("(the new handle did not take the closed one's value here: the race "
                       "was not exercised)");
}

} // namespace

BOOST_AUTO_TEST_SUITE(close_races)

// The acceptor's cancel() aborts an accept that reuses a pipe it does not
// own; that pipe's close() runs on another thread at the same moment. Until
// 2026-11-29 the acceptor checked the pipe's closed flag and then called
// CancelIoEx on the handle value: a close in between, and a new handle
// with that value, had the new handle's I/O cancelled.
BOOST_AUTO_TEST_CASE(an_acceptor_cancel_racing_the_reused_pipe_close_spares_the_next_handle)
{
  asio::io_context ctx;
  ix::named_pipe_acceptor acceptor(ctx, np_name("race-acceptor"));
  ix::named_pipe server(ctx);
  pending_reuse_accept accept(ctx, acceptor, server);

  check_cancel_racing_close(
      accept.instance, [&] { acceptor.cancel(); }, [&] { server.close(); });
  BOOST_TEST(run_until(ctx, [&] { return accept.done; }));
  BOOST_TEST(accept.result == asio::error::operation_aborted);
}

// The same between two bindings of one handle: cancel() through one while
// the other closes it.
BOOST_AUTO_TEST_CASE(a_cancel_through_another_binding_racing_close_spares_the_next_handle)
{
  asio::io_context ctx;
  const HANDLE h = new_listening_instance(np_name("race-binding"));
  ix::binding owner;
  owner.bind(ctx, h);
  ix::binding other;
  other.bind(ctx, h);

  error_code cancel_ec;
  check_cancel_racing_close(h, [&] { other.cancel(cancel_ec); }, [&] { owner.close(); });
  // It reached the handle before the close: the cancel succeeded.
  BOOST_TEST(!cancel_ec, cancel_ec.message());
  // Afterwards the closed binding's partner is not bound any more.
  other.cancel(cancel_ec);
  BOOST_TEST(cancel_ec == iocpx::error::not_bound);
}

BOOST_AUTO_TEST_SUITE_END()
