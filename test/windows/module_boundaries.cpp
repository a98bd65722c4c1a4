// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// iocpx used from several modules of one process. A Windows DLL built
// against the headers gets its own copy of every inline function's statics
// and every thread_local: PE images have no symbol interposition, so
// nothing merges them as an ELF dynamic linker would. State that must be
// one per process, per io_context or per object therefore may not live in
// such a static. Here two DLLs (module_boundaries_module.cpp, built twice)
// start operations on objects this program made, as plug-ins do.
//
// Per-operation cancellation names an operation to its slot handler by a
// number. Drawn from a per-module counter, both DLLs handed out the same
// numbers, so the signal of one DLL's operation cancelled the other DLL's
// operation on the same object. Each case below starts as many operations
// with a slot from one DLL as from the other (one each), so that two such
// counters would stay in step and their numbers meet; the cancellation
// cases then emit the signal of the operation an object searches for second
// (a registration looks through its list of further waits before its slot;
// a poller and an acceptor search in order). Then: the order of completions
// across modules (disabled: known, not fixed) and a pipe's readiness asked
// for by a module that did not bind the pipe, and a handle closed by a
// module that did not bind it.

#include <iocpx/detail/config.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/version.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77

#  include "module_boundaries_module.hpp"
#  include "named_pipe_support.hpp"

#  include <boost/asio/buffer.hpp>
#  include <boost/asio/error.hpp>
#  include <boost/asio/io_context.hpp>

#  include <string>
#  include <vector>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using iocpx::ready;
using namespace iocpx_test;

namespace {

// The directory of the two DLLs: the program's own (where CMake puts
// them), or the one given after "--" (b2, which builds them elsewhere).
std::wstring module_directory()
{
  const auto& suite = boost::unit_test::framework::master_test_suite();
  for (int i = 1; i < suite.argc; ++i)
  {
    const std::string arg = suite.argv[i];
    if (arg != "--")
      return std::wstring(arg.begin(), arg.end()) + L"\\"; // (ASCII paths)
  }
  wchar_t path[MAX_PATH];
  const DWORD n = ::GetModuleFileNameW(nullptr, path, MAX_PATH);
  BOOST_TEST_REQUIRE((n > 0 && n < MAX_PATH));
  std::wstring p(path, n);
  p.erase(p.find_last_of(L"\\/") + 1);
  return p;
}

// The two DLLs, each loaded once.
struct module
{
  iocpx_test_start_wait_fn start_wait = nullptr;
  iocpx_test_start_poll_fn start_poll = nullptr;
  iocpx_test_start_accept_fn start_accept = nullptr;
  iocpx_test_start_pipe_wait_fn start_pipe_wait = nullptr;
  iocpx_test_close_binding_fn close_binding = nullptr;

  explicit module(const wchar_t* file)
  {
    const std::wstring p = module_directory() + file;
    HMODULE m = ::LoadLibraryW(p.c_str());
    BOOST_TEST_REQUIRE(m != nullptr, "LoadLibrary failed: " << ::GetLastError());
    start_wait = reinterpret_cast<iocpx_test_start_wait_fn>(
        reinterpret_cast<void (*)()>(::GetProcAddress(m, "iocpx_test_start_wait")));
    start_poll = reinterpret_cast<iocpx_test_start_poll_fn>(
        reinterpret_cast<void (*)()>(::GetProcAddress(m, "iocpx_test_start_poll")));
    start_accept = reinterpret_cast<iocpx_test_start_accept_fn>(
        reinterpret_cast<void (*)()>(::GetProcAddress(m, "iocpx_test_start_accept")));
    start_pipe_wait = reinterpret_cast<iocpx_test_start_pipe_wait_fn>(
        reinterpret_cast<void (*)()>(::GetProcAddress(m, "iocpx_test_start_pipe_wait")));
    close_binding = reinterpret_cast<iocpx_test_close_binding_fn>(
        reinterpret_cast<void (*)()>(::GetProcAddress(m, "iocpx_test_close_binding")));
    BOOST_TEST_REQUIRE(
        (start_wait && start_poll && start_accept && start_pipe_wait && close_binding));
  }
};

module& module_a()
{
  static module m(L"libmodule_boundaries_a.dll");
  return m;
}

module& module_b()
{
  static module m(L"libmodule_boundaries_b.dll");
  return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(module_boundaries)

BOOST_AUTO_TEST_CASE(a_signal_cancels_its_own_wait_not_another_modules)
{
  asio::io_context ctx;
  iocpx::registration r(ctx);
  asio::cancellation_signal sig_a, sig_b;
  iocpx_test_result a, b;
  module_a().start_wait(r, sig_a.slot(), &a); // the registration's slot
  module_b().start_wait(r, sig_b.slot(), &b); // its list
  ctx.poll();
  BOOST_TEST((a.calls == 0 && b.calls == 0));

  sig_a.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return a.calls + b.calls > 0; }));
  ctx.restart();
  ctx.poll();
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(a.ec == asio::error::operation_aborted);
  BOOST_TEST(b.calls == 0); // still waiting

  r.setter().set(ready::readable());
  BOOST_TEST(run_until(ctx, [&] { return b.calls > 0; }));
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(!b.ec);
}

BOOST_AUTO_TEST_CASE(a_signal_cancels_its_own_poll_not_another_modules)
{
  asio::io_context ctx;
  iocpx::poller p(ctx);
  iocpx::registration r(ctx);
  p.add(r, 7, ready::readable());
  std::vector<iocpx::event> events_a(4), events_b(4);
  asio::cancellation_signal sig_a, sig_b;
  iocpx_test_result a, b;
  module_a().start_poll(p, events_a, sig_a.slot(), &a); // first in line
  module_b().start_poll(p, events_b, sig_b.slot(), &b);
  ctx.poll();
  BOOST_TEST((a.calls == 0 && b.calls == 0));

  sig_b.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return a.calls + b.calls > 0; }));
  ctx.restart();
  ctx.poll();
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(b.ec == asio::error::operation_aborted);
  BOOST_TEST(a.calls == 0); // still waiting

  r.setter().set(ready::readable());
  BOOST_TEST(run_until(ctx, [&] { return a.calls > 0; }));
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(!a.ec);
  BOOST_TEST(a.count == 1u);
  BOOST_TEST(events_a[0].token == 7u);
}

BOOST_AUTO_TEST_CASE(a_signal_cancels_its_own_accept_not_another_modules)
{
  asio::io_context ctx;
  const std::string name = np_name("modules");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe pipe_a(ctx), pipe_b(ctx);
  asio::cancellation_signal sig_a, sig_b;
  iocpx_test_result a, b;
  module_a().start_accept(acceptor, pipe_a, sig_a.slot(), &a); // first in line
  module_b().start_accept(acceptor, pipe_b, sig_b.slot(), &b);
  ctx.poll();
  BOOST_TEST((a.calls == 0 && b.calls == 0));

  sig_b.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return a.calls + b.calls > 0; }));
  ctx.restart();
  ctx.poll();
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(b.ec == asio::error::operation_aborted);
  BOOST_TEST(a.calls == 0); // still waiting

  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return a.calls > 0; }));
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(!a.ec);
  BOOST_TEST(pipe_a.is_open());
  BOOST_TEST(!pipe_b.is_open());
}

// One change completes waits in the order they were started, and on one
// thread their handlers run in that order (doc/readiness.md) — also when
// they were started from different modules. Inside a handler that iocpx
// delivers, a completion is queued on the thread's delivery_scope, to run
// right after that handler, when the thread runs the handler's io_context;
// otherwise it is posted. Both the scope and Asio's record of the loops a
// thread runs are per-thread pointers of the module whose code looks at
// them (a thread_local, or with MinGW-w64 a TLS slot the module allocates:
// detail/thread_pointer.hpp), so
// a DLL's wait sees no scope and no loop here: it is posted, and a later
// wait of this program that the same change completes is queued and runs
// before it. Disabled: known, not fixed (making those pointers one per
// process needs storage that every module finds, e.g. a TLS index
// published under a name; run it with --run_test=<this case>). With both
// waits started here, the same case passes.
BOOST_AUTO_TEST_CASE(waits_from_two_modules_complete_in_the_order_they_started,
    *boost::unit_test::description("known, not fixed: the delivery_scope and Asio's "
                                   "loop record are per module (DLL)")
        * boost::unit_test::disabled())
{
  asio::io_context ctx;
  iocpx::registration trigger(ctx), r(ctx);
  int clock = 0;
  iocpx_test_result b, mine;
  b.clock = mine.clock = &clock;
  asio::cancellation_signal unused_a, sig_b;
  // (A wait from module A too, without a use: the DLLs' key counters stay
  // in step for the cases above, whatever runs before them.)
  iocpx_test_result a;
  module_a().start_wait(trigger, unused_a.slot(), &a);
  module_b().start_wait(r, sig_b.slot(), &b); // started first
  r.async_wait(ready::readable(), [&](error_code ec, ready) {
    mine.ec = ec;
    ++mine.calls;
    mine.at = ++clock;
  });
  // A handler that iocpx delivers (a wait of this program) makes r ready.
  trigger.async_wait(ready::readable(), [&](error_code, ready) {
    r.setter().set(ready::readable());
  });
  trigger.setter().set(ready::readable());
  BOOST_TEST(run_until(ctx, [&] { return b.calls + mine.calls == 2; }));
  BOOST_TEST(!b.ec);
  BOOST_TEST(!mine.ec);
  BOOST_TEST(b.at == 1);
  BOOST_TEST(mine.at == 2);
}

// A pipe connected by this program, its readiness first asked for by a DLL.
// The readiness keeps a binding of its own to the pipe's handle. It used to
// make it by binding the handle once more, which iocpx's handle registry
// turns into a share of the pipe's binding; but the registry is a static
// too, the DLL's did not know the handle, and the pipe never became
// readable. It now shares the pipe's binding directly.
BOOST_AUTO_TEST_CASE(a_pipe_connected_here_is_readable_in_another_module)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  iocpx_test_result r;
  module_a().start_pipe_wait(p.server, ready::readable(), &r);
  ctx.poll();
  BOOST_TEST(r.calls == 0);
  const char byte = 'x';
  p.client.write_some(asio::buffer(&byte, 1));
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.count == std::size_t(ready::readable().bits()));
  char got = 0;
  BOOST_TEST(p.server.read_some(asio::buffer(&got, 1)) == 1u);
  BOOST_TEST(got == 'x');
}

// A binding handed to a DLL that closes it: the DLL's close() looks for the
// handle's record in its own registry, so the record stays in this
// program's, closed. Windows reuses the handle value for the next handle;
// binding that one here must give a live binding. (Until 2026-11-29 it was
// given the dead record: is_bound() false, every operation not_bound, and
// close() left the new handle open. Found by review.)
BOOST_AUTO_TEST_CASE(a_handle_closed_by_another_module_leaves_no_dead_record)
{
  asio::io_context ctx;
  pipe_pair first = make_pipe_pair();
  const HANDLE old_value = first.server.release(); // the binding's to close
  ix::binding b = ix::bind(ctx, old_value, ix::bind_options::fast());
  error_code ec = asio::error::fault;
  module_a().close_binding(b, ec);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(!b.is_bound());

  std::vector<pipe_pair> pairs;
  HANDLE reused = nullptr, other_end = nullptr;
  for (int i = 0; i < 64 && !reused; ++i)
  {
    pairs.push_back(make_pipe_pair());
    if (pairs.back().server.get() == old_value)
    {
      reused = pairs.back().server.release();
      other_end = pairs.back().client.get();
    }
    else if (pairs.back().client.get() == old_value)
    {
      reused = pairs.back().client.release();
      other_end = pairs.back().server.get();
    }
  }
  if (!reused)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }
  ix::binding again = ix::bind(ctx, reused, ix::bind_options::fast(), ec);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(again.is_bound());
  error_code write_ec = asio::error::would_block;
  ix::async_overlapped(again,
      [reused](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(reused, "x", 1, nullptr, ov)); },
      [&](error_code e, std::size_t) { write_ec = e; });
  BOOST_TEST(run_until(ctx, [&] { return write_ec != asio::error::would_block; }));
  BOOST_TEST(!write_ec, write_ec.message());
  BOOST_TEST(read_exact(other_end, 1) == "x");
  again.close(ec); // closes the new handle
  BOOST_TEST(!ec, ec.message());
  DWORD flags = 0;
  BOOST_TEST(!::GetHandleInformation(reused, &flags));
}

BOOST_AUTO_TEST_SUITE_END()

#else // Boost older than 1.77

BOOST_AUTO_TEST_CASE(module_boundaries_skipped)
{
  BOOST_TEST_MESSAGE("module_boundaries: skipped, Boost " << BOOST_VERSION / 100000 << "."
                     << BOOST_VERSION / 100 % 1000 << " has no cancellation slots");
}

#endif
