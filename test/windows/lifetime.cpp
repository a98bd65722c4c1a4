// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Shutdown and lifetime: destroying the io_context or closing the handle with
// operations in flight never hangs, never crashes, and handlers are destroyed
// or aborted as Asio users expect.

#include <iocpx/windows.hpp>

#include "support.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <memory>
#include <new>
#include <thread>

namespace ix = iocpx::windows;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

namespace {

auto read_into(HANDLE h, void* data, DWORD size)
{
  return [=](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(h, data, size, nullptr, ov)); };
}

// An io_context with static storage duration: made before main(), so
// destroyed after every static that iocpx makes on first use (its registry
// of handles is made by the first bind).
asio::io_context static_context;

// Destroyed at exit between iocpx's statics and static_context: fills
// memory of the sizes a freed table of handles has, so that a shutdown of
// static_context that read such a table would find garbage there, not the
// stale but intact pointers it would otherwise find. And makes a crash
// from then on fail the program: after main() returned, Wine reports a
// crash with exit code 0.
struct scribbler
{
  static LONG WINAPI fail(EXCEPTION_POINTERS*)
  {
    ::TerminateProcess(::GetCurrentProcess(), 3);
    return EXCEPTION_EXECUTE_HANDLER;
  }

  ~scribbler()
  {
    ::SetUnhandledExceptionFilter(&fail);
    for (std::size_t size = 64; size <= 8192; size *= 2)
      for (int i = 0; i < 16; ++i)
        std::memset(::operator new(size), 0xA5, size); // kept: the process is exiting
  }
} scribble;

} // namespace

BOOST_AUTO_TEST_SUITE(lifetime)

// A static io_context with a handle still bound and a read in flight when
// the program exits: its shutdown runs after iocpx's own statics were
// destroyed, and must not use them. Checked by the program's exit code.
BOOST_AUTO_TEST_CASE(a_static_context_with_an_operation_in_flight_at_exit)
{
  static pipe_pair p = make_pipe_pair();
  static ix::binding b = ix::bind(static_context, p.server.get());
  static char buf[8];
  ix::async_overlapped(b, read_into(p.server.get(), buf, 8), [](error_code, std::size_t) {});
  BOOST_TEST(b.operations_in_flight() == 1u);
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_operations_pending)
{
  pipe_pair p = make_pipe_pair();
  auto life = std::make_shared<int>(0);
  bool called = false;
  char buf1[8], buf2[8];
  {
    asio::io_context ctx;
    ix::binding b = ix::bind(ctx, p.server.get());
    ix::async_overlapped(b, read_into(p.server.get(), buf1, 8), [&called, life](error_code, std::size_t) { called = true; });
    ix::async_overlapped(b, read_into(p.server.get(), buf2, 8), [&called, life](error_code, std::size_t) { called = true; });
    BOOST_TEST(life.use_count() == 3);
  } // must not hang: iocpx cancels, Asio drains and destroys
  BOOST_TEST(!called);
  BOOST_TEST(life.use_count() == 1); // both handlers destroyed
}

BOOST_AUTO_TEST_CASE(context_destroyed_after_stop_and_after_binding)
{
  pipe_pair p = make_pipe_pair();
  auto life = std::make_shared<int>(0);
  char buf[8];
  {
    asio::io_context ctx;
    {
      ix::binding b = ix::bind(ctx, p.server.get());
      ix::async_overlapped(b, read_into(p.server.get(), buf, 8), [life](error_code, std::size_t) {});
    } // the binding goes first; the operation keeps what it needs
    ctx.stop();
    ctx.run();
  }
  BOOST_TEST(life.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(context_run_by_threads_destroyed_with_pending_ops)
{
  pipe_pair p = make_pipe_pair();
  auto life = std::make_shared<int>(0);
  char buf[8];
  {
    asio::io_context ctx;
    ix::binding b = ix::bind(ctx, p.server.get());
    ix::async_overlapped(b, read_into(p.server.get(), buf, 8), [life](error_code, std::size_t) {});
    auto work = asio::make_work_guard(ctx);
    std::thread t1([&] { ctx.run(); }), t2([&] { ctx.run(); });
    std::this_thread::sleep_for(50ms);
    ctx.stop();
    t1.join();
    t2.join();
  }
  BOOST_TEST(life.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(binding_close_aborts_reads_and_writes)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair(false, 1024);
  ix::binding b = ix::bind(ctx, p.server.release());
  HANDLE h = b.native_handle();
  char buf[8];
  std::vector<char> big(256 * 1024, 'x'); // far beyond the pipe buffer: stays pending
  error_code read_ec, write_ec;
  int calls = 0;
  ix::async_overlapped(b, read_into(h, buf, 8), [&](error_code ec, std::size_t) { read_ec = ec; ++calls; });
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(h, big.data(), DWORD(big.size()), nullptr, ov)); },
      [&](error_code ec, std::size_t) { write_ec = ec; ++calls; });
  ctx.poll();
  BOOST_TEST(calls == 0);
  b.close();
  BOOST_TEST(run_until(ctx, [&] { return calls == 2; }));
  BOOST_TEST(read_ec == asio::error::operation_aborted);
  BOOST_TEST(write_ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(closehandle_directly_aborts)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf[8];
  error_code ec;
  bool done = false;
  ix::async_overlapped(b, read_into(p.server.get(), buf, 8), [&](error_code e, std::size_t) { ec = e; done = true; });
  p.server.reset(); // CloseHandle behind iocpx's back (Wine reports 109)
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(peer_close_is_not_an_abort)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf[8];
  error_code ec;
  bool done = false;
  ix::async_overlapped(b, read_into(p.server.get(), buf, 8), [&](error_code e, std::size_t) { ec = e; done = true; });
  p.client.reset();
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == error_code(ERROR_BROKEN_PIPE, boost::system::system_category()));
}

BOOST_AUTO_TEST_SUITE_END()
