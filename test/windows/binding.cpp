// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/windows/binding.hpp>

#include "support.hpp"

#include "../common/alloc_counter.hpp"
#include "../common/fault_injection.hpp"

#include <iocpx/error.hpp>
#include <iocpx/windows/async_overlapped.hpp>

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <boost/test/unit_test.hpp>

#include <vector>

namespace ix = iocpx::windows;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace iocpx_test;

BOOST_AUTO_TEST_SUITE(binding)

BOOST_AUTO_TEST_CASE(default_binding_is_empty)
{
  ix::binding b;
  BOOST_TEST(!b.is_bound());
  BOOST_TEST(!b);
  BOOST_TEST(b.native_handle() == nullptr);
  BOOST_TEST(!b.skips_completion_port_on_success());
  BOOST_TEST(b.operations_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(bind_reports_handle_context_and_modes)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  error_code ec;
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(b.is_bound());
  BOOST_TEST(b.native_handle() == p.server.get());
  BOOST_TEST(&b.context() == &ctx);
  BOOST_TEST((b.get_executor() == ctx.get_executor()));
  BOOST_TEST(b.skips_completion_port_on_success());
  BOOST_TEST(b.skips_set_event_on_handle());
  BOOST_TEST((b.requested_options() == ix::bind_options::fast()));

  ix::binding plain = ix::bind(ctx, p.client.get());
  BOOST_TEST(plain.is_bound());
  BOOST_TEST(!plain.skips_completion_port_on_success());
  BOOST_TEST(!plain.skips_set_event_on_handle());
}

// An Asio user holds executors (an I/O object's, a coroutine's), not
// contexts: bind() takes any executor whose context is an io_context.
BOOST_AUTO_TEST_CASE(bind_with_an_executor_binds_to_its_io_context)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  error_code ec;
  const asio::any_io_executor any = asio::make_strand(ctx);
  ix::binding b;
  b.bind(any, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(b.is_bound());
  BOOST_TEST(&b.context() == &ctx);
  BOOST_TEST((b.get_executor() == ctx.get_executor()));
  BOOST_TEST(b.skips_completion_port_on_success());

  // The same handle through the plain executor, the free function and the
  // throwing form: the same io_context, so a no-op success.
  ix::binding again = ix::bind(ctx.get_executor(), p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(again.is_bound());
  ix::binding client = ix::bind(asio::make_strand(ctx.get_executor()), p.client.get());
  BOOST_TEST(&client.context() == &ctx);

  // Another io_context's executor: the handle is bound already.
  asio::io_context other;
  ix::binding elsewhere;
  elsewhere.bind(other.get_executor(), p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(ec == iocpx::error::bound_elsewhere);
  BOOST_TEST(!elsewhere.is_bound());

  // A context that is no io_context has no completion port to bind to.
  asio::thread_pool pool(1);
  pipe_pair q = make_pipe_pair();
  ix::binding on_pool = ix::bind(ctx, q.server.get());
  BOOST_REQUIRE(on_pool.is_bound());
  on_pool.bind(pool.get_executor(), q.client.get(), {}, ec);
  BOOST_TEST(ec == asio::error::operation_not_supported);
  BOOST_TEST(!on_pool.is_bound()); // left empty, as for every failed bind
  BOOST_CHECK_THROW(ix::bind(pool.get_executor(), q.client.get()), boost::system::system_error);
  pool.join();

  // The binding works: a write through it completes on ctx.
  bool done = false;
  ix::async_overlapped(client,
      [h = p.client.get()](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(h, "x", 1, nullptr, ov)); },
      [&](error_code e, std::size_t n) {
        BOOST_TEST(!e);
        BOOST_TEST(n == 1u);
        done = true;
      });
  ctx.run();
  BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(rebinding_to_the_same_context_is_a_no_op)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding first = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  error_code ec;
  ix::binding second = ix::bind(ctx, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(second.is_bound());
  BOOST_TEST(second.skips_completion_port_on_success());

  // The same binding object, again.
  first.bind(ctx, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(first.is_bound());

  // After every binding is gone the handle is still associated; binding it
  // again still works (iocpx remembers the association).
  first = ix::binding();
  second = ix::binding();
  ix::binding third = ix::bind(ctx, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(third.is_bound());
}

BOOST_AUTO_TEST_CASE(move_transfers_the_binding)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding a = ix::bind(ctx, p.server.get());
  ix::binding b(std::move(a));
  BOOST_TEST(!a.is_bound());
  BOOST_TEST(b.is_bound());
  a = std::move(b);
  BOOST_TEST(a.is_bound());
  BOOST_TEST(!b.is_bound());
}

BOOST_AUTO_TEST_CASE(binds_a_disk_file_and_a_socket)
{
  asio::io_context ctx;
  unique_handle file = make_temp_file();
  ix::binding fb = ix::bind(ctx, file.get(), ix::bind_options::fast());
  BOOST_TEST(fb.is_bound());

  winsock ws;
  socket_pair sp;
  make_socket_pair(sp);
  error_code ec;
  ix::binding sb = ix::bind(ctx, sp.a, ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(sb.is_bound());
  // Wine's sockets are IFS handles, so skip-on-success is accepted.
  BOOST_TEST(sb.skips_completion_port_on_success());
}

// --- bad inputs, each with its own error ---------------------------------

BOOST_AUTO_TEST_CASE(null_handle_is_invalid)
{
  asio::io_context ctx;
  error_code ec;
  ix::binding b = ix::bind(ctx, HANDLE(nullptr), {}, ec);
  BOOST_TEST(ec == iocpx::error::invalid_handle);
  BOOST_TEST(!b.is_bound());
}

BOOST_AUTO_TEST_CASE(invalid_handle_value_is_invalid)
{
  asio::io_context ctx;
  error_code ec;
  ix::bind(ctx, INVALID_HANDLE_VALUE, {}, ec);
  BOOST_TEST(ec == iocpx::error::invalid_handle);
}

BOOST_AUTO_TEST_CASE(closed_handle_is_invalid)
{
  asio::io_context ctx;
  HANDLE h;
  {
    pipe_pair p = make_pipe_pair();
    h = p.server.get();
  } // closed here
  error_code ec;
  ix::bind(ctx, h, {}, ec);
  BOOST_TEST(ec == iocpx::error::invalid_handle);
}

BOOST_AUTO_TEST_CASE(event_handle_cannot_be_bound)
{
  asio::io_context ctx;
  unique_handle ev(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  error_code ec;
  ix::bind(ctx, ev.get(), {}, ec);
  BOOST_TEST(ec == iocpx::error::invalid_handle);
}

BOOST_AUTO_TEST_CASE(synchronous_file_is_not_overlapped)
{
  asio::io_context ctx;
  unique_handle file = make_temp_file(false);
  error_code ec;
  ix::bind(ctx, file.get(), {}, ec);
  BOOST_TEST(ec == iocpx::error::not_overlapped);
  BOOST_TEST(ec.message() == "handle was not opened for overlapped I/O");
}

BOOST_AUTO_TEST_CASE(synchronous_socket_is_not_overlapped)
{
  asio::io_context ctx;
  winsock ws;
  SOCKET s = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, 0);
  BOOST_REQUIRE(s != INVALID_SOCKET);
  error_code ec;
  ix::bind(ctx, s, {}, ec);
  BOOST_TEST(ec == iocpx::error::not_overlapped);
  ::closesocket(s);
}

BOOST_AUTO_TEST_CASE(invalid_socket_is_invalid)
{
  asio::io_context ctx;
  error_code ec;
  ix::bind(ctx, INVALID_SOCKET, {}, ec);
  BOOST_TEST(ec == iocpx::error::invalid_handle);
}

BOOST_AUTO_TEST_CASE(second_context_gets_bound_elsewhere)
{
  asio::io_context ctx1, ctx2;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx1, p.server.get());
  error_code ec;
  ix::binding other = ix::bind(ctx2, p.server.get(), {}, ec);
  BOOST_TEST(ec == iocpx::error::bound_elsewhere);
  BOOST_TEST(!other.is_bound());
  BOOST_TEST(b.is_bound());
}

BOOST_AUTO_TEST_CASE(handle_asio_associated_is_already_associated)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  // Asio's own stream_handle associates the handle with the port itself;
  // iocpx does not know that association and must say so clearly.
  asio::windows::stream_handle sh(ctx, p.server.release());
  error_code ec;
  ix::bind(ctx, sh.native_handle(), {}, ec);
  BOOST_TEST(ec == iocpx::error::already_associated);
  BOOST_TEST(ec != error_code(ERROR_INVALID_PARAMETER, boost::system::system_category()));
}

BOOST_AUTO_TEST_CASE(handle_on_a_private_port_is_already_associated)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  unique_handle port(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0));
  BOOST_REQUIRE(::CreateIoCompletionPort(p.client.get(), port.get(), 7, 0) == port.get());
  error_code ec;
  ix::bind(ctx, p.client.get(), {}, ec);
  BOOST_TEST(ec == iocpx::error::already_associated);
}

BOOST_AUTO_TEST_CASE(rebinding_with_other_modes_conflicts)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), {});
  error_code ec;
  ix::bind(ctx, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(ec == iocpx::error::options_conflict);
}

// Binding again a handle whose bindings are all gone binds it afresh: the
// new options apply (modes already set stay set: they cannot be cleared).
BOOST_AUTO_TEST_CASE(rebinding_a_handle_nobody_holds_takes_the_new_options)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  {
    ix::binding plain = ix::bind(ctx, p.server.get(), {});
    BOOST_TEST(!plain.skips_completion_port_on_success());
  }
  error_code ec;
  ix::binding fast = ix::bind(ctx, p.server.get(), ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST((fast.requested_options() == ix::bind_options::fast()));
  BOOST_TEST(fast.skips_completion_port_on_success());
  // While that binding lives, other options still conflict.
  ix::bind(ctx, p.server.get(), {}, ec);
  BOOST_TEST(ec == iocpx::error::options_conflict);
}

// Opens pipe pairs (kept in `pairs`) until one of their handles has the
// value `old_value`, which a closed handle had; null if the system did not
// reuse it.
static HANDLE reopen_handle_value(HANDLE old_value, std::vector<pipe_pair>& pairs)
{
  for (int i = 0; i < 64; ++i)
  {
    pairs.push_back(make_pipe_pair());
    if (pairs.back().server.get() == old_value || pairs.back().client.get() == old_value)
      return old_value;
  }
  return nullptr;
}

// Writes one byte to `h` through `b` and runs `ctx`: the handler must run
// exactly once (twice, or a crash, if iocpx and the kernel both delivered
// an immediate success).
static void check_one_write_completes_once(asio::io_context& ctx, ix::binding& b, HANDLE h)
{
  int completions = 0;
  ix::async_overlapped(b,
      [h](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(h, "x", 1, nullptr, ov)); },
      [&](error_code ec, std::size_t n) {
        BOOST_TEST(!ec);
        BOOST_TEST(n == 1u);
        ++completions;
      });
  ctx.run();
  BOOST_TEST(completions == 1);
}

// A handle closed behind iocpx, its value reused by a new handle that
// iocpx then binds: the old record (nothing holds it any more) serves the
// new handle, with the new handle's modes and io_context.
BOOST_AUTO_TEST_CASE(a_record_left_by_a_closed_handle_serves_the_reused_value)
{
  asio::io_context old_ctx, ctx;
  HANDLE old_value = nullptr;
  {
    pipe_pair p = make_pipe_pair();
    ix::binding b = ix::bind(old_ctx, p.server.get(), ix::bind_options::fast());
    BOOST_REQUIRE(b.skips_completion_port_on_success());
    old_value = p.server.get();
  } // the binding goes, then the handles are closed behind iocpx

  std::vector<pipe_pair> pairs;
  HANDLE reused = reopen_handle_value(old_value, pairs);
  if (!reused)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }
  error_code ec;
  ix::binding b = ix::bind(ctx, reused, {}, ec); // another io_context, other options
  BOOST_TEST(!ec);
  BOOST_TEST(&b.context() == &ctx);
  BOOST_TEST(!b.skips_completion_port_on_success());
  BOOST_TEST((b.requested_options() == ix::bind_options{}));
  check_one_write_completes_once(ctx, b, reused);
}

// A binding does not own its handle: closed behind iocpx, its value is
// soon reused by a new handle. If an Asio I/O object of the same
// io_context associates that new handle, and iocpx then binds it, iocpx
// must take the new handle's modes, not the old one's: believing an old
// skip-on-success, it would deliver an immediate success itself and Asio
// would deliver its packet too.
BOOST_AUTO_TEST_CASE(a_reused_handle_value_is_bound_with_its_own_modes)
{
  asio::io_context ctx;
  HANDLE old_value = nullptr;
  {
    pipe_pair p = make_pipe_pair();
    // Skips the port already when iocpx binds it (set by whoever opened it).
    BOOST_REQUIRE(::SetFileCompletionNotificationModes(
        p.server.get(), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    ix::binding b = ix::bind(ctx, p.server.get(), {});
    BOOST_REQUIRE(b.skips_completion_port_on_success());
    old_value = p.server.get();
  } // the binding goes, then the handles are closed behind iocpx

  std::vector<pipe_pair> pairs;
  HANDLE reused = reopen_handle_value(old_value, pairs);
  if (!reused)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }
  pipe_pair& p = pairs.back();
  HANDLE peer = p.server.get() == reused ? p.client.get() : p.server.get();
  asio::windows::stream_handle sh(ctx); // Asio associates it; no skip mode
  sh.assign(p.server.get() == reused ? p.server.release() : p.client.release());

  error_code ec;
  ix::binding b = ix::bind(ctx, reused, {}, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(!b.skips_completion_port_on_success());
  check_one_write_completes_once(ctx, b, reused);
  DWORD available = 0;
  BOOST_REQUIRE(::PeekNamedPipe(peer, nullptr, 0, nullptr, &available, nullptr));
  BOOST_TEST(available == 1u);
}

// Out of memory, bind(ec) fails with no_memory and leaves the handle
// unassociated, so that it can be bound once memory is back (had the
// association been made first, that bind would find a port iocpx does not
// know: already_associated).
BOOST_AUTO_TEST_CASE(a_bind_that_runs_out_of_memory_leaves_no_association,
    *iocpx_test::needs_injected_allocation_failures())
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding warm = ix::bind(ctx, p.client.get()); // the service and the table exist
  error_code ec;
  iocpx_test::fail_next_allocations(1);
  ix::binding b = ix::bind(ctx, p.server.get(), {}, ec);
  iocpx_test::fail_next_allocations(0);
  BOOST_TEST(ec == asio::error::no_memory);
  BOOST_TEST(!b.is_bound());
  b = ix::bind(ctx, p.server.get(), {}, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(b.is_bound());
}

BOOST_AUTO_TEST_CASE(throwing_bind_throws_system_error)
{
  asio::io_context ctx;
  BOOST_CHECK_EXCEPTION(ix::bind(ctx, INVALID_HANDLE_VALUE), boost::system::system_error,
      [](const boost::system::system_error& e) { return e.code() == iocpx::error::invalid_handle; });
}

BOOST_AUTO_TEST_CASE(operations_on_an_empty_binding_are_not_bound)
{
  ix::binding b;
  error_code ec = asio::error::would_block; // each call must set it
  b.unbind(ec);
  BOOST_TEST(ec == iocpx::error::not_bound);
  ec = asio::error::would_block;
  b.cancel(ec);
  BOOST_TEST(ec == iocpx::error::not_bound);
  ec = asio::error::would_block;
  b.close(ec);
  BOOST_TEST(ec == iocpx::error::not_bound);
}

BOOST_AUTO_TEST_CASE(unbind_where_the_system_lacks_it)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  ix::binding shared = ix::bind(ctx, p.server.get()); // a second binding of the handle
  error_code ec;
  b.unbind(ec);
  if (ec == iocpx::error::unbind_not_supported)
  {
    // Wine 8.0 answers FileReplaceCompletionInformation with
    // STATUS_NOT_IMPLEMENTED: the success path is not exercised under Wine.
    BOOST_TEST_MESSAGE("unbind not supported here (Wine): success path skipped");
    BOOST_TEST(b.is_bound());
    BOOST_TEST(ec.message().find("8.1") != std::string::npos);
  }
  else
  {
    // Windows 8.1+: the handle is free to be bound to another context.
    BOOST_TEST(!ec);
    BOOST_TEST(!b.is_bound());
    BOOST_TEST(!shared.is_bound());
    asio::io_context other;
    ix::binding again = ix::bind(other, p.server.get(), {}, ec);
    BOOST_TEST(!ec);
    // The other binding of the unbound handle no longer owns it: its
    // close() empties it and leaves the handle (now bound elsewhere) open.
    shared.close(ec);
    BOOST_TEST(!ec);
    DWORD flags = 0;
    BOOST_TEST(::GetHandleInformation(p.server.get(), &flags));
    BOOST_TEST(again.is_bound());
  }
}

BOOST_AUTO_TEST_CASE(unbind_with_operations_pending)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf[16];
  error_code result;
  bool done = false;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(p.server.get(), buf, sizeof buf, nullptr, ov)); },
      [&](error_code ec, std::size_t) { result = ec; done = true; });
  BOOST_TEST(b.operations_in_flight() == 1u);
  error_code ec;
  b.unbind(ec);
  BOOST_TEST(ec == iocpx::error::operations_pending);
  b.cancel();
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(result == asio::error::operation_aborted);
  BOOST_TEST(b.operations_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(close_twice)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.release());
  error_code ec;
  b.close(ec);
  BOOST_TEST(!ec);
  BOOST_TEST(!b.is_bound());
  b.close(ec);
  BOOST_TEST(ec == iocpx::error::not_bound);
}

// Two bindings of one handle share what iocpx knows about it: after one
// closes it, the other must not cancel or close the handle value again — by
// then it may name another handle.
BOOST_AUTO_TEST_CASE(closing_a_handle_shared_by_two_bindings_closes_it_once)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  HANDLE h = p.server.release();
  ix::binding first = ix::bind(ctx, h);
  ix::binding second = ix::bind(ctx, h);
  first.close();
  BOOST_TEST(!second.is_bound());

  // Windows and Wine hand out the freed value again soon: make handles
  // until one has it, so that a second close would close that one.
  std::vector<unique_handle> events;
  for (int i = 0; i < 64 && (events.empty() || events.back().get() != h); ++i)
  {
    events.emplace_back(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
    BOOST_REQUIRE(events.back().get() != nullptr);
  }
  if (events.back().get() != h)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }

  error_code ec;
  second.close(ec);
  BOOST_TEST(!ec);
  BOOST_TEST(!second.is_bound());
  BOOST_TEST(second.native_handle() == nullptr);
  DWORD flags = 0;
  BOOST_TEST(::GetHandleInformation(h, &flags)); // the reused value is still open
}

// A handle closed behind iocpx's back leaves its entry; when its value comes
// back as a new handle and that is bound, the old entry is dropped, and a
// close() through an old binding must not close the new handle.
BOOST_AUTO_TEST_CASE(a_binding_of_a_handle_closed_directly_leaves_its_successor_alone)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  HANDLE h = p.server.release();
  ix::binding old = ix::bind(ctx, h);
  BOOST_REQUIRE(::CloseHandle(h)); // not through the binding

  pipe_pair q = make_pipe_pair(); // Wine and Windows hand out the freed value again
  if (q.server.get() != h)
  {
    BOOST_TEST_MESSAGE("the handle value was not reused; nothing to check");
    return;
  }
  ix::binding fresh = ix::bind(ctx, q.server.get());
  BOOST_TEST(fresh.is_bound());
  BOOST_TEST(!old.is_bound());
  error_code ec;
  old.close(ec);
  BOOST_TEST(!ec);
  DWORD flags = 0;
  BOOST_TEST(::GetHandleInformation(q.server.get(), &flags)); // still open
  BOOST_TEST(fresh.is_bound());
}

// A binding whose handle was closed behind iocpx, bound again to the same
// value once a new handle has it: the new handle is not associated with any
// port yet. Taken for "what this binding already holds", it would stay
// unassociated, and its operations would never complete (nor would
// ~io_context return, waiting for their packets).
BOOST_AUTO_TEST_CASE(a_binding_bound_again_to_a_reused_value_associates_the_new_handle)
{
  asio::io_context ctx;
  HANDLE old_value = nullptr;
  ix::binding b;
  {
    pipe_pair p = make_pipe_pair();
    b.bind(ctx, p.server.get());
    old_value = p.server.get();
  } // closed behind iocpx; the binding stays

  std::vector<pipe_pair> pairs;
  HANDLE reused = reopen_handle_value(old_value, pairs);
  if (!reused)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }
  error_code ec;
  b.bind(ctx, reused, {}, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(b.is_bound());
  // Associated with ctx's port: a second association fails.
  HANDLE port = ::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  BOOST_REQUIRE(port != nullptr);
  const bool associated_here = ::CreateIoCompletionPort(reused, port, 0, 0) != nullptr;
  ::CloseHandle(port);
  BOOST_TEST(!associated_here);
  if (associated_here)
    return; // an operation would never complete
  check_one_write_completes_once(ctx, b, reused);
}

// The completion modes cannot be cleared once set. A handle that already
// skips the port on success (set by whoever opened it, or left from a
// binding that was unbound) must be treated as skipping it even when the
// options do not ask for it: otherwise iocpx would wait forever for the
// packet of an immediate success.
BOOST_AUTO_TEST_CASE(a_handle_that_already_skips_the_port_is_bound_as_skipping)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  BOOST_REQUIRE(::SetFileCompletionNotificationModes(p.server.get(),
      FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options{});
  BOOST_TEST(b.skips_completion_port_on_success());
  BOOST_TEST(!b.skips_set_event_on_handle());
  BOOST_TEST((b.requested_options() == ix::bind_options{}));

  bool done = false;
  error_code result;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        return ix::win32_result(::WriteFile(p.server.get(), "x", 1, nullptr, ov));
      },
      [&](error_code ec, std::size_t) {
        result = ec;
        done = true;
      });
  BOOST_TEST(run_until(ctx, [&] { return done; }, std::chrono::milliseconds(3000)));
  BOOST_TEST(!result);
  BOOST_TEST(read_exact(p.client.get(), 1) == "x");
}

// A socket whose protocol chain is not all IFS is bound without
// skip-on-success even when asked for it; a second bind with the same
// options must still find them equal. (Under Wine every socket is IFS, so
// there this checks the ordinary path.)
BOOST_AUTO_TEST_CASE(a_socket_rebinds_with_the_options_it_asked_for)
{
  winsock ws;
  socket_pair sp;
  make_socket_pair(sp);
  asio::io_context ctx;
  ix::binding first = ix::bind(ctx, sp.a, ix::bind_options::fast());
  error_code ec;
  ix::binding second = ix::bind(ctx, sp.a, ix::bind_options::fast(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(second.is_bound());
  BOOST_TEST((second.requested_options() == ix::bind_options::fast()));
}

BOOST_AUTO_TEST_CASE(error_category_and_messages)
{
  error_code ec = iocpx::error::bound_elsewhere;
  BOOST_TEST(ec.category().name() == std::string("iocpx"));
  BOOST_TEST(ec.message() == "handle is bound to another io_context");
  BOOST_TEST(error_code(iocpx::error::already_associated).message()
      == "handle is already associated with a completion port that iocpx does not own");
}

BOOST_AUTO_TEST_SUITE_END()

// --- found by review, 2026-11-27 ---------------------------------------------

BOOST_AUTO_TEST_SUITE(binding_review)

// A binding does not own its handle: the normal life of a handle is bind,
// drop the binding, CloseHandle. The record stays (unheld). When the value
// is reused by a new handle that someone else associated with a port iocpx
// does not own, bind() must fail with already_associated: otherwise every
// completion goes to that other port (an io_context whose work never comes
// back, and a foreign port that receives an Asio operation).
// Known limit, not fixed (doc/binding_and_overlapped.md): both checks fail
// today. Disabled by default; run it by name.
BOOST_AUTO_TEST_CASE(a_reused_value_on_a_foreign_port_is_already_associated,
    *boost::unit_test::disabled())
{
  asio::io_context ctx;
  HANDLE old_value = nullptr;
  {
    pipe_pair p = make_pipe_pair();
    ix::binding b = ix::bind(ctx, p.server.get());
    old_value = p.server.get();
  } // the binding goes, then the handles are closed by their owner

  std::vector<pipe_pair> pairs;
  HANDLE reused = binding::reopen_handle_value(old_value, pairs);
  if (!reused)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }
  unique_handle port(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1));
  BOOST_REQUIRE(::CreateIoCompletionPort(reused, port.get(), 7, 0) == port.get());

  error_code ec;
  ix::binding b = ix::bind(ctx, reused, {}, ec);
  BOOST_TEST(ec == iocpx::error::already_associated);
  BOOST_TEST(!b.is_bound());
}

// Same, with the new handle associated by an Asio I/O object of another
// io_context.
// Known limit, not fixed (doc/binding_and_overlapped.md): both checks fail
// today. Disabled by default; run it by name.
BOOST_AUTO_TEST_CASE(a_reused_value_on_another_contexts_port_is_refused,
    *boost::unit_test::disabled())
{
  asio::io_context ctx, other;
  HANDLE old_value = nullptr;
  {
    pipe_pair p = make_pipe_pair();
    ix::binding b = ix::bind(ctx, p.server.get());
    old_value = p.server.get();
  }

  std::vector<pipe_pair> pairs;
  HANDLE reused = binding::reopen_handle_value(old_value, pairs);
  if (!reused)
  {
    BOOST_TEST_MESSAGE("the system did not reuse the handle value: nothing to check");
    return;
  }
  pipe_pair& p = pairs.back();
  asio::windows::stream_handle sh(other);
  sh.assign(p.server.get() == reused ? p.server.release() : p.client.release());

  error_code ec;
  ix::binding b = ix::bind(ctx, reused, {}, ec);
  BOOST_TEST(!!ec); // already_associated (or bound_elsewhere): not a success
  BOOST_TEST(!b.is_bound());
}

// release() gives the handle back open: what was in flight is cancelled,
// every binding of the handle is done with it (none cancels or closes it
// again: the caller may close it at once, and its value may name another
// handle next), and it stays associated, so it binds to the same
// io_context again — also before the aborted read's completion arrived,
// and afterwards.
BOOST_AUTO_TEST_CASE(release_gives_the_handle_back_open_and_associated)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  const HANDLE h = p.server.get();
  ix::binding b = ix::bind(ctx, h);
  ix::binding other = ix::bind(ctx, h);
  char buf[4];
  int calls = 0;
  error_code seen;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(h, buf, sizeof buf, nullptr, ov)); },
      [&](error_code ec, std::size_t) {
        ++calls;
        seen = ec;
      });
  error_code ec;
  BOOST_TEST(b.release(ec) == h);
  BOOST_TEST(!ec);
  BOOST_TEST(!b.is_bound());
  BOOST_TEST(b.native_handle() == nullptr);
  BOOST_TEST(!other.is_bound());
  other.cancel(ec);
  BOOST_TEST(ec == iocpx::error::not_bound);
  other.close(ec); // only empties it: the handle is not iocpx's to close
  BOOST_TEST(!ec);
  BOOST_TEST(other.release(ec) == nullptr); // empty now
  BOOST_TEST(ec == iocpx::error::not_bound);

  // Bound again while the aborted read is still on its way, then used.
  ix::binding again = ix::bind(ctx, h);
  BOOST_TEST(again.is_bound());
  BOOST_TEST(run_until(ctx, [&] { return calls > 0; }));
  BOOST_TEST(seen == asio::error::operation_aborted);
  write_all(p.client.get(), "ping", 4);
  calls = 0;
  std::size_t got = 0;
  ix::async_overlapped(again,
      [&](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(h, buf, sizeof buf, nullptr, ov)); },
      [&](error_code e, std::size_t n) {
        ++calls;
        seen = e;
        got = n;
      });
  ctx.restart();
  BOOST_TEST(run_until(ctx, [&] { return calls > 0; }));
  BOOST_TEST(!seen);
  BOOST_TEST(got == 4u);
  BOOST_TEST(again.release() == h);
  DWORD flags = 0;
  BOOST_TEST(::GetHandleInformation(h, &flags)); // still open: p closes it
}

BOOST_AUTO_TEST_SUITE_END()
