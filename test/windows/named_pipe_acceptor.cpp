// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// basic_named_pipe_acceptor: backlog, bursts, reuse with generations,
// cancellation and close, bad inputs.

// Test that the header is self-contained.
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include "../common/alloc_counter.hpp"
#include "../common/fault_injection.hpp"
#include "../common/asio_features.hpp"
#include "named_pipe_support.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // deferred: Boost 1.80
#  include <boost/asio/deferred.hpp>
#endif

#include <array>
#include <cstdint>
#include <future>
#include <new>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

static_assert(std::is_nothrow_move_constructible_v<ix::named_pipe_acceptor>);
static_assert(std::is_nothrow_move_assignable_v<ix::named_pipe_acceptor>);
// Converting the executor may throw (any_io_executor may allocate).
static_assert(std::is_constructible_v<ix::named_pipe_acceptor,
    ix::basic_named_pipe_acceptor<asio::io_context::executor_type>&&>);
static_assert(!std::is_nothrow_constructible_v<ix::named_pipe_acceptor,
    ix::basic_named_pipe_acceptor<asio::io_context::executor_type>&&>);
static_assert(std::is_assignable_v<ix::named_pipe_acceptor&,
    ix::basic_named_pipe_acceptor<asio::io_context::executor_type>&&>);
static_assert(!std::is_assignable_v<ix::basic_named_pipe_acceptor<asio::io_context::executor_type>&,
    ix::named_pipe_acceptor&&>);
static_assert(std::is_same_v<ix::named_pipe_acceptor::pipe_type, ix::named_pipe>);

namespace {

// asio::is_executor derives from the type it tests, which a final class
// forbids: a final handler must still pick async_accept(token).
struct final_accept_handler final
{
  void operator()(error_code, ix::named_pipe) {}
};

[[maybe_unused]] void compile_overloads(asio::io_context& ctx)
{
  ix::named_pipe_acceptor a(ctx);
  ix::basic_named_pipe_acceptor<asio::io_context::executor_type> typed(ctx.get_executor());
  ix::named_pipe p(ctx);
  error_code ec;
  a.open("\\\\.\\pipe\\x", ec);
  a.open("\\\\.\\pipe\\x", ix::named_pipe_options(), ec);
  a.open(L"\\\\.\\pipe\\x", ec); // UTF-16 names too (pipe_name_view)
  a.open(std::wstring(L"\\\\.\\pipe\\x"), ix::named_pipe_options(), ec);
  ix::named_pipe_acceptor wide_named(ctx, std::wstring_view(L"\\\\.\\pipe\\x"));
  a.async_accept(p, [](error_code) {});
  a.async_accept([](error_code, ix::named_pipe) {});
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // deferred: Boost 1.80
  a.async_accept(asio::deferred)([](error_code, ix::named_pipe) {});
  a.async_accept(p, asio::deferred)([](error_code) {});
#endif
  typed.async_accept([](error_code, ix::basic_named_pipe<asio::io_context::executor_type>) {});
  typed.async_accept(p, [](error_code) {});
  // A pipe with an executor of the caller's choice (same io_context).
  a.async_accept(asio::make_strand(ctx),
      [](error_code, ix::basic_named_pipe<asio::strand<asio::io_context::executor_type>>) {});
  a.async_accept(ctx, [](error_code, ix::basic_named_pipe<asio::io_context::executor_type>) {});
  asio::any_io_executor any = ctx.get_executor();
  a.async_accept(any, [](error_code, ix::named_pipe) {});
  a.async_accept(final_accept_handler{});
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // deferred: Boost 1.80
  a.async_accept(asio::make_strand(ctx), asio::deferred)(
      [](error_code, ix::basic_named_pipe<asio::strand<asio::io_context::executor_type>>) {});
#endif
  a.cancel(ec);
  a.close(ec);
}

// Opens `name` and closes it at once: a client that comes and goes before
// any accept looks at the instance it took (which is then closing: its next
// ConnectNamedPipe fails with ERROR_NO_DATA).
void leave_a_client(const std::string& name)
{
  HANDLE gone = ::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  BOOST_REQUIRE(gone != INVALID_HANDLE_VALUE);
  ::CloseHandle(gone);
}

// An instance of `name` listens: the next client connects within 500 ms,
// and the next accept into `server` takes it (the two talk).
void the_next_client_is_accepted(asio::io_context& ctx, ix::named_pipe_acceptor& acceptor,
    const std::string& name, ix::named_pipe& server)
{
  ix::named_pipe next(ctx);
  ix::named_pipe_connect_options copts;
  copts.busy_timeout = 500ms;
  error_code ec;
  next.connect(name, copts, ec);
  BOOST_TEST(!ec, ec.message());
  error_code accept_ec = asio::error::would_block;
  acceptor.async_accept(server, [&](error_code e) { accept_ec = e; });
  if (!run_until(ctx, [&] { return accept_ec != asio::error::would_block; }))
  {
    BOOST_ERROR("the accept did not complete");
    acceptor.cancel(); // (its handler refers to this frame)
    run_until(ctx, [&] { return accept_ec != asio::error::would_block; });
    return;
  }
  BOOST_TEST(!accept_ec);
  char c = 'n';
  BOOST_TEST(next.write_some(asio::buffer(&c, 1)) == 1u);
  BOOST_TEST(server.read_some(asio::buffer(&c, 1)) == 1u);
}

// Assigns to `server` a fresh instance of `name` (outside any acceptor),
// which a client then opens and leaves before any accept looks at it.
void assign_an_instance_a_client_left(ix::named_pipe& server, const std::string& name)
{
  HANDLE h = ::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE, 1, 4096, 4096, 0, nullptr);
  BOOST_REQUIRE(h != INVALID_HANDLE_VALUE);
  server.assign(h);
  leave_a_client(name);
}

} // namespace

BOOST_AUTO_TEST_SUITE(named_pipe_acceptor)

BOOST_AUTO_TEST_CASE(connect_before_accept_and_burst_within_backlog)
{
  asio::io_context ctx;
  const std::string name = np_name("burst");
  ix::named_pipe_options options;
  options.listen_instances = 6;
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  BOOST_TEST(acceptor.listening_instances() == 6u);

  // Six clients connect at once, before any accept, and none is refused.
  std::vector<std::unique_ptr<ix::named_pipe>> clients;
  for (int i = 0; i < 6; ++i)
  {
    clients.push_back(std::make_unique<ix::named_pipe>(ctx));
    ix::named_pipe_connect_options copts;
    copts.busy_timeout = std::chrono::milliseconds(0); // busy would fail at once
    error_code ec;
    clients.back()->connect(name, copts, ec);
    BOOST_TEST(!ec);
    write_all(clients.back()->native_handle(), &"012345"[i], 1);
  }

  std::vector<ix::named_pipe> servers;
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
      BOOST_REQUIRE(!ec);
      servers.push_back(std::move(pipe));
      if (servers.size() < 6)
        accept();
    });
  };
  accept();
  BOOST_TEST(run_until(ctx, [&] { return servers.size() == 6; }));
  std::string seen;
  for (auto& s : servers)
  {
    char c;
    asio::read(s, asio::buffer(&c, 1));
    seen += c;
  }
  std::sort(seen.begin(), seen.end());
  BOOST_TEST(seen == "012345");
  // The backlog was refilled.
  BOOST_TEST(acceptor.listening_instances() == 6u);
}

BOOST_AUTO_TEST_CASE(idle_acceptor_is_no_outstanding_work)
{
  asio::io_context ctx;
  ix::named_pipe_acceptor acceptor(ctx, np_name("idle"));
  ix::named_pipe server(ctx);
  ix::named_pipe client(ctx);
  int aborted = 0, not_found = 0;
  acceptor.async_accept(server, [&](error_code ec) {
    BOOST_TEST(ec == asio::error::operation_aborted);
    ++aborted;
  });
  client.async_connect(np_name("idle-none"), [&](error_code ec) {
    BOOST_TEST(ec == iocpx::error::pipe_not_found);
    ++not_found;
  });
  // Nothing is pending after a cancel: run() returns, once both handlers
  // have run (an operation dropped without its handler would return too).
  acceptor.cancel();
  const auto start = std::chrono::steady_clock::now();
  ctx.run();
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
  BOOST_TEST(aborted == 1);
  BOOST_TEST(not_found == 1);
  BOOST_TEST(acceptor.is_open());
}

BOOST_AUTO_TEST_CASE(hundred_concurrent_clients_echo)
{
  constexpr int clients = 100;
  asio::io_context ctx;
  const std::string name = np_name("hundred");
  ix::named_pipe_options options;
  options.listen_instances = 16;
  ix::named_pipe_acceptor acceptor(ctx, name, options);

  struct session
  {
    ix::named_pipe pipe;
    std::array<char, 64> buf{};
    explicit session(ix::named_pipe p) : pipe(std::move(p)) {}
  };
  int served = 0;
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
      if (ec)
        return;
      auto s = std::make_shared<session>(std::move(pipe));
      s->pipe.async_read_some(asio::buffer(s->buf), [&, s](error_code rec, std::size_t n) {
        BOOST_REQUIRE(!rec);
        asio::async_write(s->pipe, asio::buffer(s->buf.data(), n),
            [&, s](error_code wec, std::size_t) {
              BOOST_TEST(!wec);
              ++served;
            });
      });
      if (served < clients)
        accept();
    });
  };
  accept();

  struct client
  {
    ix::named_pipe pipe;
    std::string out;
    std::array<char, 64> in{};
    std::size_t got = 0;
    explicit client(asio::io_context& ctx) : pipe(ctx) {}
  };
  std::vector<std::unique_ptr<client>> cs;
  int verified = 0;
  for (int i = 0; i < clients; ++i)
  {
    cs.push_back(std::make_unique<client>(ctx));
    client& c = *cs.back();
    c.out = "client " + std::to_string(i);
    c.pipe.async_connect(name, [&](error_code ec) {
      BOOST_REQUIRE(!ec);
      asio::async_write(c.pipe, asio::buffer(c.out), [&](error_code wec, std::size_t) {
        BOOST_TEST(!wec);
        asio::async_read(c.pipe, asio::buffer(c.in.data(), c.out.size()),
            [&](error_code rec, std::size_t n) {
              BOOST_TEST(!rec);
              verified += std::string(c.in.data(), n) == c.out;
            });
      });
    });
  }
  BOOST_TEST(run_until(ctx, [&] { return verified == clients; }, 60s));
  BOOST_TEST(served == clients);
  acceptor.close();
}

BOOST_AUTO_TEST_CASE(reconnected_instance_never_sees_a_stale_completion)
{
  asio::io_context ctx;
  // One instance only, so the next client can only reach the reused one
  // (clients pick any listening instance of the name).
  busy_single_instance busy(ctx, "reuse");
  ix::named_pipe server(ctx);
  bool accepted = false;
  busy.acceptor.async_accept(server, [&](error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return accepted; }));
  const HANDLE instance = server.native_handle();

  // A read of the first connection is pending on the instance ...
  char old_buf[16];
  error_code old_ec;
  std::size_t old_n = 99;
  bool old_done = false;
  server.async_read_some(asio::buffer(old_buf), [&](error_code ec, std::size_t n) {
    old_ec = ec;
    old_n = n;
    old_done = true;
  });
  // ... and the readiness probe too.
  (void)server.readiness();
  ctx.poll();

  // The connection ends; the same instance takes the next client.
  server.disconnect();
  BOOST_TEST(server.is_open());
  BOOST_TEST(!server.is_connected());
  accepted = false;
  busy.acceptor.async_accept(server, [&](error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });
  ix::named_pipe second(ctx);
  bool connected = false;
  second.async_connect(busy.name, [&](error_code ec) {
    BOOST_TEST(!ec);
    connected = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return accepted && connected; }));
  BOOST_TEST(server.native_handle() == instance); // reused, not replaced
  write_all(second.native_handle(), "for the new one", 15);

  char buf[32];
  std::size_t n = 0;
  server.async_read_some(asio::buffer(buf), [&](error_code ec, std::size_t got) {
    BOOST_TEST(!ec);
    n = got;
  });
  BOOST_TEST(run_until(ctx, [&] { return old_done && n != 0; }));
  BOOST_TEST(old_ec == asio::error::operation_aborted); // never the new client's data
  BOOST_TEST(std::string(buf, n) == "for the new one");
  // The old client sees its connection ended.
  char c;
  error_code ec;
  busy.first.read_some(asio::buffer(&c, 1), ec);
  BOOST_TEST(ec == asio::error::eof);
  // Readiness belongs to the new connection: writable, not hung up.
  BOOST_TEST(!server.readiness().is_hangup());
  BOOST_TEST(server.readiness().is_writable());
}

// An accept that reuses a disconnected instance (async_accept(pipe) on a
// server end after disconnect()) is an accept like the others: the
// acceptor's cancel() and close() end it with operation_aborted, and a
// closed acceptor refuses it. Before the fix its ConnectNamedPipe stayed
// pending on the instance — the handler never ran (or ran for a client
// that arrived after the acceptor was closed) and run() never returned.
BOOST_AUTO_TEST_CASE(cancel_and_close_abort_an_accept_that_reuses_an_instance)
{
  asio::io_context ctx;
  busy_single_instance busy(ctx, "reuse-abort");
  ix::named_pipe server(ctx);
  bool done = false;
  error_code aec;
  auto handler = [&](error_code ec) {
    aec = ec;
    done = true;
  };
  busy.acceptor.async_accept(server, handler);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(!aec);
  server.disconnect();

  done = false;
  busy.acceptor.async_accept(server, handler);
  ctx.restart();
  ctx.poll();
  BOOST_TEST(!done);
  busy.acceptor.cancel();
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2000ms));
  BOOST_TEST(aec == asio::error::operation_aborted);
  BOOST_TEST(server.is_open());
  BOOST_TEST(!server.is_connected());

  done = false;
  busy.acceptor.async_accept(server, handler);
  ctx.restart();
  ctx.poll();
  BOOST_TEST(!done);
  busy.acceptor.close();
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2000ms));
  BOOST_TEST(aec == asio::error::operation_aborted);
  BOOST_TEST(!server.is_connected());

  done = false;
  busy.acceptor.async_accept(server, handler);
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2000ms));
  BOOST_TEST(aec == asio::error::bad_descriptor);
  BOOST_TEST(!server.is_connected());
}

// The pipe of a reuse accept is released (the handle is the caller's), the
// caller closes the handle, and another handle takes its value; then the
// acceptor's cancel() — its reuse entry lives until the aborted completion
// is dequeued — must leave that handle alone. Until 2026-11-29 release()
// did not mark the handle closed, and the cancel reached the new handle
// (helper-76).
BOOST_AUTO_TEST_CASE(a_cancel_after_the_reused_pipe_was_released_spares_the_next_handle)
{
  asio::io_context ctx;
  ix::named_pipe_acceptor acceptor(ctx, np_name("released-acceptor"));
  ix::named_pipe server(ctx);
  pending_reuse_accept accept(ctx, acceptor, server);

  error_code ec;
  const HANDLE h = server.release(ec);
  BOOST_TEST(!ec);
  BOOST_TEST(h == accept.instance);
  ::CloseHandle(h);
  bystander_pipe next(np_name("released-next"));
  if (next.pipe != h)
    BOOST_TEST_MESSAGE("(the new handle did not take the released one's value here)");
  acceptor.cancel(); // before the loop has seen the aborted reuse
  BOOST_TEST(next.still_pending());
  ctx.restart();
  BOOST_TEST(run_until(ctx, [&] { return accept.done; }));
  BOOST_TEST(accept.result == asio::error::operation_aborted);
}

// A second accept into a disconnected instance while the first is pending
// fails with already_started, as for a closed pipe: one client, one
// completion.
BOOST_AUTO_TEST_CASE(a_second_accept_reusing_one_instance_is_already_started)
{
  asio::io_context ctx;
  busy_single_instance busy(ctx, "reuse-twice");
  ix::named_pipe server(ctx);
  bool accepted = false;
  busy.acceptor.async_accept(server, [&](error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return accepted; }));
  server.disconnect();

  std::vector<error_code> results;
  busy.acceptor.async_accept(server, [&](error_code ec) { results.push_back(ec); });
  busy.acceptor.async_accept(server, [&](error_code ec) { results.push_back(ec); });
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 1; }, 2000ms));
  BOOST_TEST(results.size() == 1u);
  if (!results.empty())
    BOOST_TEST(results[0] == asio::error::already_started);

  ix::named_pipe second(ctx);
  second.connect(busy.name);
  BOOST_TEST(run_until(ctx, [&] { return results.size() >= 2; }, 2000ms));
  let_stray_completions_arrive(ctx, 50ms);
  BOOST_TEST_REQUIRE(results.size() == 2u);
  BOOST_TEST(!results[1]);
  BOOST_TEST(server.is_connected());
  write_all(second.native_handle(), "y", 1);
  char c = 0;
  BOOST_TEST(asio::read(server, asio::buffer(&c, 1)) == 1u);
  BOOST_TEST(c == 'y');
}

// A handler with no executor of its own runs on the acceptor's executor
// (the I/O object that initiated the accept, as in Asio), also when the
// accept reuses a disconnected instance. Before the fix such an accept ran
// its handler on the pipe's executor: off the acceptor's strand.
BOOST_AUTO_TEST_CASE(an_accept_reusing_an_instance_runs_on_the_acceptors_executor)
{
  asio::io_context ctx;
  auto strand = asio::make_strand(ctx);
  basic_busy_single_instance<
      ix::basic_named_pipe_acceptor<asio::strand<asio::io_context::executor_type>>>
      busy(ctx, strand, "reuse-strand");
  ix::named_pipe server(ctx); // the pipe's executor is the plain io_context's
  int calls = 0;
  bool on_strand = true;
  auto handler = [&](error_code ec) {
    BOOST_TEST(!ec);
    ++calls;
    on_strand = on_strand && strand.running_in_this_thread();
  };
  busy.acceptor.async_accept(server, handler);
  BOOST_TEST(run_until(ctx, [&] { return calls == 1; }));
  server.disconnect();

  busy.acceptor.async_accept(server, handler); // reuses the instance
  ix::named_pipe second(ctx);
  second.async_connect(busy.name, [](error_code ec) { BOOST_TEST(!ec); });
  BOOST_TEST(run_until(ctx, [&] { return calls == 2; }));
  BOOST_TEST(on_strand);
  BOOST_TEST(server.is_connected());
}

// disconnect() on a server end with no client — disconnected already, or
// with an accept that reuses the instance pending (which it ends) —
// reports not_connected, as reads, writes and waits there do, rather than
// a raw Win32 code outside the documented errors (before the fix:
// ERROR_PIPE_NOT_CONNECTED or ERROR_PIPE_LISTENING).
BOOST_AUTO_TEST_CASE(disconnect_without_a_client_is_not_connected)
{
  asio::io_context ctx;
  busy_single_instance busy(ctx, "disconnect-twice");
  ix::named_pipe server(ctx);
  int calls = 0;
  error_code last;
  auto handler = [&](error_code ec) {
    ++calls;
    last = ec;
  };
  busy.acceptor.async_accept(server, handler);
  BOOST_TEST(run_until(ctx, [&] { return calls == 1; }));
  error_code ec;
  server.disconnect(ec);
  BOOST_TEST(!ec);
  server.disconnect(ec);
  BOOST_TEST(ec == asio::error::not_connected);

  busy.acceptor.async_accept(server, handler);
  ctx.poll();
  server.disconnect(ec);
  BOOST_TEST(ec == asio::error::not_connected);
  BOOST_TEST(run_until(ctx, [&] { return calls == 2; }, 2000ms));
  BOOST_TEST(last == asio::error::operation_aborted);
  BOOST_TEST(server.is_open());

  // The instance serves the next client all the same.
  busy.acceptor.async_accept(server, handler);
  ix::named_pipe second(ctx);
  second.async_connect(busy.name, [](error_code e) { BOOST_TEST(!e); });
  BOOST_TEST(run_until(ctx, [&] { return calls == 3; }, 2000ms));
  BOOST_TEST(!last);
  BOOST_TEST(server.is_connected());
}

BOOST_AUTO_TEST_CASE(close_and_cancel_with_accepts_pending)
{
  asio::io_context ctx;
  const std::string name = np_name("close");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe a(ctx), b(ctx);
  std::vector<error_code> results;
  acceptor.async_accept(a, [&](error_code ec) { results.push_back(ec); });
  acceptor.async_accept([&](error_code ec, ix::named_pipe p) {
    BOOST_TEST(!p.is_open());
    results.push_back(ec);
  });
  ctx.poll();
  BOOST_TEST(results.empty());

  // cancel: both abort; the instances keep listening, no client is lost.
  acceptor.cancel();
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 2; }));
  BOOST_TEST(results[0] == asio::error::operation_aborted);
  BOOST_TEST(results[1] == asio::error::operation_aborted);
  ix::named_pipe client(ctx);
  client.connect(name);
  results.clear();
  acceptor.async_accept(a, [&](error_code ec) { results.push_back(ec); });
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 1; }));
  BOOST_TEST(!results[0]);
  BOOST_TEST(a.is_connected());

  // close: pending accepts abort, later ones fail with bad_descriptor.
  results.clear();
  acceptor.async_accept(b, [&](error_code ec) { results.push_back(ec); });
  ctx.poll();
  acceptor.close();
  BOOST_TEST(!acceptor.is_open());
  acceptor.async_accept(b, [&](error_code ec) { results.push_back(ec); });
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 2; }));
  BOOST_TEST(results[0] == asio::error::operation_aborted);
  BOOST_TEST(results[1] == asio::error::bad_descriptor);
  // The accepted pipe is not affected.
  BOOST_TEST(a.is_connected());
  // The name is gone once every instance is closed.
  a.close();
  ix::named_pipe late(ctx);
  error_code ec;
  late.connect(name, ec);
  BOOST_TEST(ec == iocpx::error::pipe_not_found);
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
BOOST_AUTO_TEST_CASE(per_operation_cancellation_of_an_accept)
{
  asio::io_context ctx;
  const std::string name = np_name("slot");
  ix::named_pipe_acceptor acceptor(ctx, name);
  asio::cancellation_signal signal;
  ix::named_pipe a(ctx);
  error_code result = asio::error::would_block;
  acceptor.async_accept(a, asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) {
    result = ec;
  }));
  ctx.poll();
  signal.emit(asio::cancellation_type::terminal);
  signal.emit(asio::cancellation_type::terminal); // twice: harmless
  BOOST_TEST(run_until(ctx, [&] { return result != asio::error::would_block; }));
  BOOST_TEST(result == asio::error::operation_aborted);
  BOOST_TEST(!a.is_open());
}
#endif

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
// Asio lets a signal go away while its operation waits: the operation
// merely stops being cancellable per operation. A later accept's signal
// then gets the same memory for its slot handler (in a handler, Asio's
// per-thread recycling hands it over). The slot handler's address was the
// key of the first accept still, and the first match won: emitting the new
// signal aborted the first accept, while the one it belonged to kept
// waiting.
BOOST_AUTO_TEST_CASE(an_accept_whose_signal_went_away_is_not_cancelled_by_the_next_signal)
{
  asio::io_context ctx;
  const std::string name = np_name("slot-gone");
  ix::named_pipe_acceptor acceptor(ctx, name);
  error_code r1 = asio::error::would_block, r2 = asio::error::would_block;
  auto signal1 = std::make_unique<asio::cancellation_signal>();
  std::optional<asio::cancellation_signal> signal2;
  asio::post(ctx, [&] {
    acceptor.async_accept(asio::bind_cancellation_slot(signal1->slot(),
        [&](error_code ec, ix::named_pipe) { r1 = ec; }));
  });
  ctx.poll();
  asio::post(ctx, [&] {
    signal1.reset(); // the first accept can no longer be cancelled per operation
    signal2.emplace();
    acceptor.async_accept(asio::bind_cancellation_slot(signal2->slot(),
        [&](error_code ec, ix::named_pipe) { r2 = ec; }));
  });
  ctx.restart();
  ctx.poll();
  signal2->emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return r2 != asio::error::would_block; }, 2s));
  BOOST_TEST(r2 == asio::error::operation_aborted);
  BOOST_TEST(r1 == asio::error::would_block); // still waiting
  // ... and it takes the next client.
  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return r1 != asio::error::would_block; }));
  BOOST_TEST(!r1);
}
#endif

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
// The same with one slot for two accepts: the second accept's handler
// replaces the first's in the slot (same size, same memory), so the first
// accept can no longer be cancelled per operation, and an emit is for the
// second one only.
BOOST_AUTO_TEST_CASE(a_slot_reused_while_its_first_accept_waits_cancels_the_second)
{
  asio::io_context ctx;
  const std::string name = np_name("slot-reused");
  ix::named_pipe_acceptor acceptor(ctx, name);
  error_code r1 = asio::error::would_block, r2 = asio::error::would_block;
  asio::cancellation_signal signal;
  acceptor.async_accept(asio::bind_cancellation_slot(signal.slot(),
      [&](error_code ec, ix::named_pipe) { r1 = ec; }));
  acceptor.async_accept(asio::bind_cancellation_slot(signal.slot(),
      [&](error_code ec, ix::named_pipe) { r2 = ec; }));
  ctx.poll();
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return r2 != asio::error::would_block; }, 2s));
  BOOST_TEST(r2 == asio::error::operation_aborted);
  BOOST_TEST(r1 == asio::error::would_block); // still waiting
  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return r1 != asio::error::would_block; }));
  BOOST_TEST(!r1);
}
#endif

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
// The same, when the accept then takes a client: its completion used to
// clear the handler's slot, which points into the destroyed signal (here
// its memory is reused at once, as it would be in a busy program).
BOOST_AUTO_TEST_CASE(an_accept_whose_signal_went_away_takes_the_next_client)
{
  asio::io_context ctx;
  const std::string name = np_name("slot-gone-client");
  ix::named_pipe_acceptor acceptor(ctx, name);
  error_code r = asio::error::would_block;
  auto signal = std::make_unique<asio::cancellation_signal>();
  acceptor.async_accept(
      asio::bind_cancellation_slot(signal->slot(), [&](error_code ec, ix::named_pipe) { r = ec; }));
  ctx.poll();
  signal.reset();
  std::vector<std::unique_ptr<std::uintptr_t>> reuse;
  for (int i = 0; i < 64; ++i)
    reuse.push_back(std::make_unique<std::uintptr_t>(0x5a5a5a5a5a5a5a5a));
  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return r != asio::error::would_block; }));
  BOOST_TEST(!r);
}
#endif

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
// One signal for a server's successive accepts: a finished accept leaves
// its slot handler in the slot (8e411f9). An accept that reuses an
// instance installs its own slot handler — replacing, and so destroying,
// the old one — from inside the acceptor's lock (start_reconnect). While
// that old handler took the acceptor's lock when it went (its key was its
// address, taken back on destruction), the thread locked the acceptor's
// mutex a second time and hung in async_accept; keys are numbers now, and
// the slot is emptied before the lock.
BOOST_AUTO_TEST_CASE(a_reuse_accept_with_the_slot_of_a_finished_accept)
{
  asio::io_context ctx;
  busy_single_instance busy(ctx, "reuse-slot-after-accept");
  ix::named_pipe server(ctx);
  asio::cancellation_signal signal;
  bool done = false;
  error_code aec;
  auto handler = asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) {
    aec = ec;
    done = true;
  });
  busy.acceptor.async_accept(server, handler); // a waiting accept: its slot handler stays
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(!aec);
  server.disconnect();

  done = false;
  busy.acceptor.async_accept(server, handler); // a reuse, through the same slot
  ctx.restart();
  ctx.poll();
  BOOST_TEST(!done);
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2s));
  BOOST_TEST(aec == asio::error::operation_aborted);
  BOOST_TEST(server.is_open());
  BOOST_TEST(!server.is_connected());
}
#endif

BOOST_AUTO_TEST_CASE(double_accept_on_one_pipe_object)
{
  asio::io_context ctx;
  const std::string name = np_name("double");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe p(ctx);
  std::vector<error_code> results;
  acceptor.async_accept(p, [&](error_code ec) { results.push_back(ec); });
  acceptor.async_accept(p, [&](error_code ec) { results.push_back(ec); });
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 1; }));
  BOOST_TEST(results[0] == asio::error::already_started);

  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 2; }));
  BOOST_TEST(!results[1]);
  // Accepting into a connected pipe.
  acceptor.async_accept(p, [&](error_code ec) { results.push_back(ec); });
  BOOST_TEST(run_until(ctx, [&] { return results.size() == 3; }));
  BOOST_TEST(results[2] == asio::error::already_open);
  acceptor.close();
}

// The pipe an accept delivers into was opened meanwhile: the accept fails
// with already_open and closes the client's instance; the pipe keeps its
// own connection (its handle is neither dropped nor leaked).
BOOST_AUTO_TEST_CASE(an_accept_into_a_pipe_opened_meanwhile_is_already_open)
{
  asio::io_context ctx;
  const std::string name = np_name("opened-meanwhile");
  const std::string other_name = np_name("opened-meanwhile-other");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe_acceptor other(ctx, other_name);
  ix::named_pipe p(ctx);
  bool done = false;
  error_code accept_ec;
  acceptor.async_accept(p, [&](error_code ec) {
    accept_ec = ec;
    done = true;
  });
  ctx.poll();
  BOOST_TEST(!done);

  p.connect(other_name); // p is open now, as another pipe's client
  ix::named_pipe other_server(ctx);
  other.async_accept(other_server, [](error_code ec) { BOOST_TEST(!ec); });

  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return done && other_server.is_open(); }));
  BOOST_TEST(accept_ec == asio::error::already_open);

  // The pipe still talks to the other server ...
  BOOST_TEST(p.write_some(asio::buffer("x", 1)) == 1u);
  char c = 0;
  BOOST_TEST(asio::read(other_server, asio::buffer(&c, 1)) == 1u);
  BOOST_TEST(c == 'x');
  // ... and the client's instance was closed.
  error_code ec;
  client.read_some(asio::buffer(&c, 1), ec);
  BOOST_TEST(ec == asio::error::eof);
}

BOOST_AUTO_TEST_CASE(first_instance_protection_and_bad_inputs)
{
  asio::io_context ctx;
  const std::string name = np_name("squat");
  ix::named_pipe_acceptor owner(ctx, name);
  ix::named_pipe_acceptor squatter(ctx);
  error_code ec;
  squatter.open(name, ec);
  BOOST_TEST(ec.value() == ERROR_ACCESS_DENIED);
  BOOST_TEST(!squatter.is_open());
  owner.open(name, ec);
  BOOST_TEST(ec == asio::error::already_open);

  squatter.open("", ec);
  BOOST_TEST(ec == iocpx::error::pipe_name_empty);
  squatter.open("no-prefix", ec);
  BOOST_TEST(ec == iocpx::error::pipe_name_invalid);
  squatter.open("\\\\server\\pipe\\remote", ec); // servers are local
  BOOST_TEST(ec == iocpx::error::pipe_name_invalid);
  squatter.open("\\\\.\\pipe\\" + std::string(260, 'z'), ec);
  BOOST_TEST(ec == iocpx::error::pipe_name_too_long);
  ix::named_pipe_options bad;
  bad.listen_instances = 0;
  squatter.open(np_name("bad"), bad, ec);
  BOOST_TEST(ec == asio::error::invalid_argument);
  bad = ix::named_pipe_options();
  bad.max_instances = 0;
  squatter.open(np_name("bad"), bad, ec);
  BOOST_TEST(ec == asio::error::invalid_argument);

  error_code cec;
  squatter.cancel(cec);
  BOOST_TEST(cec == asio::error::bad_descriptor);
  bool done = false;
  squatter.async_accept([&](error_code aec, ix::named_pipe) {
    BOOST_TEST(aec == asio::error::bad_descriptor);
    done = true;
  });
  BOOST_TEST(!done);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
}

BOOST_AUTO_TEST_CASE(max_instances_are_respected)
{
  asio::io_context ctx;
  const std::string name = np_name("max");
  ix::named_pipe_options options;
  options.max_instances = 2;
  options.listen_instances = 4; // capped by max_instances
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  BOOST_TEST(acceptor.listening_instances() == 2u);
  ix::named_pipe c1(ctx), c2(ctx), c3(ctx);
  c1.connect(name);
  c2.connect(name);
  ix::named_pipe_connect_options copts;
  copts.busy_timeout = 50ms;
  error_code ec;
  c3.connect(name, copts, ec);
  BOOST_TEST(ec == asio::error::timed_out);
}

// A connected instance on its way to an accept's handler belongs to that
// handler: if the handler is destroyed without running (the io_context it
// was queued on is destroyed first), the instance is closed with it, as Asio closes the socket of an
// accept it destroys. Before the fix its handle leaked, and the client's
// end stayed connected to a server end nobody could reach.
BOOST_AUTO_TEST_CASE(an_accept_destroyed_before_its_handler_ran_closes_the_instance)
{
  const std::string name = np_name("undelivered");
  HANDLE client = INVALID_HANDLE_VALUE;
  bool delivered = false;
  {
    asio::io_context ctx;
    ix::named_pipe_acceptor acceptor(ctx, name);
    client = ::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
        FILE_FLAG_OVERLAPPED, nullptr);
    BOOST_REQUIRE(client != INVALID_HANDLE_VALUE);
    {
      // The handler's executor is another io_context's, never run: the
      // accept's completion queues the handler there.
      asio::io_context handler_ctx;
      acceptor.async_accept(asio::bind_executor(handler_ctx, [&](error_code, ix::named_pipe) {
        delivered = true;
      }));
      BOOST_TEST(ctx.poll_one() == 1u); // the instance is connected; its handler is queued
      BOOST_TEST(!delivered);
      acceptor.close();
    } // that io_context goes, with the handler and the instance in it
  }
  BOOST_TEST(!delivered);
  DWORD available = 0;
  BOOL peeked = ::PeekNamedPipe(client, nullptr, 0, nullptr, &available, nullptr);
  const DWORD peek_error = peeked ? 0 : ::GetLastError();
  BOOST_TEST(!peeked);
  BOOST_TEST(peek_error == DWORD(ERROR_BROKEN_PIPE));
  ::CloseHandle(client);
}

// Out of memory at each allocation of async_accept in turn (a second
// listening instance to create and arm, and a cancellation slot where
// Boost has them): the call either works or throws std::bad_alloc, and
// then no handler runs and no instance stays armed (run() runs out of
// work). Either way nothing is leaked (run() runs out of work once the
// acceptor is closed) and the acceptor goes on accepting.
BOOST_AUTO_TEST_CASE(an_accept_that_runs_out_of_memory_fails_cleanly,
    *iocpx_test::needs_injected_allocation_failures())
{
  int failed = 0;
  for (int after = 0; after < 16; ++after)
  {
    BOOST_TEST_CONTEXT("allocation " << after + 1 << " fails")
    {
      asio::io_context ctx;
      const std::string name = np_name("oom");
      ix::named_pipe_options options;
      options.listen_instances = 2;
      ix::named_pipe_acceptor acceptor(ctx, name, options);
      int ran = 0;
      error_code aec;
      auto handler = [&](error_code ec, ix::named_pipe) {
        aec = ec;
        ++ran;
      };
#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
      asio::cancellation_signal signal;
      auto token = asio::bind_cancellation_slot(signal.slot(), handler);
#else
      auto token = handler;
#endif
      bool threw = false;
      fail_next_allocations(1, after);
      try
      {
        acceptor.async_accept(token);
      }
      catch (const std::bad_alloc&)
      {
        threw = true;
      }
      fail_next_allocations(0);
      if (threw)
      {
        ++failed;
        // Nothing is left waiting for a client either: an idle acceptor is
        // no outstanding work (before the fix, an instance armed before
        // the allocation failed kept run() from returning).
        ctx.run_for(std::chrono::seconds(2));
        BOOST_TEST(ctx.stopped());
        ctx.restart();
        BOOST_TEST(ran == 0);
        acceptor.async_accept(handler);
      }
      ix::named_pipe client(ctx);
      client.connect(name);
      BOOST_TEST(run_until(ctx, [&] { return ran == 1; }));
      BOOST_TEST(!aec);
      acceptor.close();
      ctx.restart();
      ctx.run_for(std::chrono::seconds(5));
      BOOST_TEST(ctx.stopped()); // no work left behind
    }
  }
  BOOST_TEST(failed > 0); // some allocation did fail
}

// Out of memory when a client's ConnectNamedPipe completes and the
// acceptor replaces the instance it hands over: the new instance is not
// made (the next accept makes it, as replenish() promises), but the
// waiting accept still gets its client. Before the fix the allocation
// failure escaped from run() after the accept had been taken off the
// queue: its handler never ran, its work kept run() busy, and the client's
// instance leaked.
BOOST_AUTO_TEST_CASE(running_out_of_memory_when_replacing_an_accepted_instance,
    *iocpx_test::needs_injected_allocation_failures())
{
  asio::io_context ctx;
  const std::string name = np_name("oom-replace");
  ix::named_pipe_options options;
  options.listen_instances = 1;
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  int ran = 0;
  error_code aec;
  ix::named_pipe server(ctx);
  acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
    aec = ec;
    ++ran;
    server = std::move(pipe);
  });
  ctx.poll(); // ConnectNamedPipe pending
  ix::named_pipe client(ctx);
  client.connect(name);

  // The completion's first allocation is the replacement instance's.
  bool threw = false;
  fail_next_allocations(1);
  try
  {
    ctx.run_one_for(std::chrono::seconds(2));
  }
  catch (const std::bad_alloc&)
  {
    threw = true;
  }
  fail_next_allocations(0);
  BOOST_TEST(!threw);
  BOOST_TEST(run_until(ctx, [&] { return ran == 1; }, 2000ms));
  BOOST_TEST(!aec);
  BOOST_TEST(server.is_connected());
  BOOST_TEST(acceptor.listening_instances() == 0u); // the replacement was not made
  client.write_some(asio::buffer("k", 1));
  char c = 0;
  if (server.is_connected())
  {
    BOOST_TEST(asio::read(server, asio::buffer(&c, 1)) == 1u);
    BOOST_TEST(c == 'k');
  }

  // The next accept makes the instance that could not be made then.
  ran = 0;
  acceptor.async_accept([&](error_code ec, ix::named_pipe) {
    aec = ec;
    ++ran;
  });
  BOOST_TEST(acceptor.listening_instances() == 1u);
  ix::named_pipe second(ctx);
  ix::named_pipe_connect_options copts;
  copts.busy_timeout = 500ms;
  error_code cec;
  second.connect(name, copts, cec);
  BOOST_TEST(!cec);
  BOOST_TEST(run_until(ctx, [&] { return ran == 1; }, 2000ms));
  BOOST_TEST(!aec);
}

// Clients that connect while no accept waits are kept for the next
// accepts. Keeping one must not allocate: it happens in a completion on the
// io_context's thread, where a bad_alloc would escape from run() and the
// connected client would be lost. Here two clients connect before the
// first accept, whose arming finds both instances connected: one goes to
// that accept, the other is kept — with each allocation of the run in turn
// failing. (The kept client survived before the kept clients moved over
// as list nodes too: the std::deque that kept them allocated its first
// block when it was made, and its next only at the 65th kept client. What
// failed was the first accept's delivery: dispatching through the
// any_io_executor wrapped the handler in an allocated block, and its
// bad_alloc left run() with that client.)
BOOST_AUTO_TEST_CASE(a_client_kept_for_a_later_accept_survives_running_out_of_memory,
    *iocpx_test::needs_injected_allocation_failures())
{
  int fired = 0;
  for (int after = 0; after < 8; ++after)
  {
    BOOST_TEST_CONTEXT("allocation " << after + 1 << " of the run fails")
    {
      asio::io_context ctx;
      const std::string name = np_name("oom-keep");
      ix::named_pipe_options options;
      options.listen_instances = 2;
      ix::named_pipe_acceptor acceptor(ctx, name, options);
      ix::named_pipe_connect_options copts;
      copts.busy_timeout = 0ms;
      ix::named_pipe first(ctx), second(ctx);
      first.connect(name, copts);
      second.connect(name, copts);
      write_all(first.native_handle(), "1", 1);
      write_all(second.native_handle(), "2", 1);

      std::vector<ix::named_pipe> servers;
      servers.reserve(2); // the handler itself allocates nothing
      error_code aec;
      auto on_accept = [&](error_code ec, ix::named_pipe pipe) {
        if (ec)
          aec = ec;
        else
          servers.push_back(std::move(pipe));
      };
      acceptor.async_accept(on_accept);
      bool threw = false;
      fail_next_allocations(1, after);
      try
      {
        ctx.run_for(300ms);
      }
      catch (const std::bad_alloc&)
      {
        threw = true;
      }
      if (pending_allocation_failures() == 0)
        ++fired;
      fail_next_allocations(0);
      // Nothing of the run throws: the replacement instance that cannot
      // be made is made later, and the first accept's handler, whose
      // executor is the io_context's (in an any_io_executor), runs
      // without being wrapped in an allocated block first.
      BOOST_TEST(!threw);
      BOOST_TEST(!aec);
      ctx.restart();
      acceptor.async_accept(on_accept);
      BOOST_TEST(run_until(ctx, [&] { return servers.size() == 2 || aec; }, 2000ms));
      BOOST_TEST(!aec);
      std::string seen;
      for (auto& s : servers)
      {
        char c = 0;
        asio::read(s, asio::buffer(&c, 1));
        seen += c;
      }
      std::sort(seen.begin(), seen.end());
      BOOST_TEST(seen == "12");
    }
  }
  BOOST_TEST_MESSAGE("injected allocation failures that fired: " << fired);
  BOOST_TEST(fired > 0); // the run allocates: some failures were injected
}

// Out of memory at each allocation of close() in turn, with an accept
// pending — called, or by the destructor. The acceptor is closed either
// way: the accept is aborted (or, where its handler could not be queued,
// destroyed without running: close() throws, the destructor does not), and
// nothing is left waiting (run() runs out of work). Before the fix close()
// failed at its first allocation, before changing anything: the accept and
// its ConnectNamedPipe stayed pending for an acceptor already gone (run()
// never returned, ~io_context hung), and the destructor called
// std::terminate.
BOOST_AUTO_TEST_CASE(closing_with_accepts_pending_when_memory_runs_out,
    *iocpx_test::needs_injected_allocation_failures())
{
  int fired[2] = {0, 0};
  for (int by_destructor = 0; by_destructor < 2; ++by_destructor)
    for (int after = 0; after < 8; ++after)
    {
      BOOST_TEST_CONTEXT((by_destructor ? "~acceptor" : "close()") << ", allocation "
                         << after + 1 << " fails")
      {
        asio::io_context ctx;
        const std::string name = np_name("oom-close");
        int calls = 0;
        error_code aec;
        bool threw = false;
        std::optional<ix::named_pipe_acceptor> acceptor(std::in_place, ctx, name);
        acceptor->async_accept([&](error_code ec, ix::named_pipe) {
          aec = ec;
          ++calls;
        });
        ctx.poll(); // ConnectNamedPipe pending
        fail_next_allocations(1, after);
        if (by_destructor)
        {
          acceptor.reset();
        }
        else
        {
          try
          {
            acceptor->close();
          }
          catch (const std::bad_alloc&)
          {
            threw = true;
          }
        }
        if (pending_allocation_failures() == 0)
          ++fired[by_destructor];
        fail_next_allocations(0);
        BOOST_TEST(!(acceptor && acceptor->is_open()));
        ctx.restart();
        ctx.run_for(std::chrono::seconds(2));
        BOOST_TEST(ctx.stopped()); // no work left behind
        if (threw)
          BOOST_TEST(calls == 0); // its handler could not be queued
        BOOST_TEST(calls <= 1);
        if (calls == 1)
          BOOST_TEST(aec == asio::error::operation_aborted);
      }
    }
  BOOST_TEST_MESSAGE("injected allocation failures that fired: close() " << fired[0]
                     << ", ~acceptor " << fired[1]);
  BOOST_TEST(fired[0] > 0); // close() allocates: failures were injected
  BOOST_TEST(fired[1] > 0);
}

// Destroys `ctx` on another thread and waits for at most 10 s; true if the
// destructor returned. A destructor that hangs is left behind (and with
// it everything it may still use): the test fails instead of hanging.
static bool destroyed_in_time(std::unique_ptr<asio::io_context>& ctx)
{
  auto done = std::make_shared<std::atomic<bool>>(false);
  asio::io_context* raw = ctx.release();
  std::thread destroyer([raw, done] {
    delete raw;
    *done = true;
  });
  if (wait_until([&] { return done->load(); }, std::chrono::seconds(10)))
  {
    destroyer.join();
    return true;
  }
  destroyer.detach();
  return false;
}

// An accept still pending when its io_context is destroyed is destroyed
// without running, as Asio destroys its own pending operations — here its
// handler owns the acceptor, the usual shape of a server object whose
// io_context is stopped and destroyed. Before the fix the pending accept's
// work count on the io_context was never given back: ~io_context waited
// for it forever.
BOOST_AUTO_TEST_CASE(destroying_the_io_context_with_an_accept_pending_does_not_hang)
{
  auto ctx = std::make_unique<asio::io_context>();
  auto acceptor = std::make_shared<ix::named_pipe_acceptor>(*ctx, np_name("ctx-gone"));
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> sentinel_alive = sentinel;
  bool called = false;
  acceptor->async_accept([acceptor, sentinel, &called](error_code, ix::named_pipe) {
    called = true;
  });
  acceptor.reset();
  sentinel.reset();
  ctx->poll(); // nothing connects: the accept stays pending
  BOOST_TEST(!called);
  BOOST_TEST(destroyed_in_time(ctx));
  BOOST_TEST(!called);
  BOOST_TEST(sentinel_alive.expired()); // the handler, and the acceptor with it, are gone
}

// The same with the acceptor owned outside the handler and destroyed after
// the io_context (declared first): ~io_context must not wait for the
// accept, and the acceptor's destructor afterwards must not run it.
BOOST_AUTO_TEST_CASE(destroying_the_io_context_before_an_acceptor_with_an_accept_pending)
{
  auto ctx = std::make_unique<asio::io_context>();
  std::optional<ix::named_pipe_acceptor> acceptor;
  acceptor.emplace(*ctx, np_name("ctx-first"));
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> sentinel_alive = sentinel;
  bool called = false;
  acceptor->async_accept([sentinel, &called](error_code, ix::named_pipe) { called = true; });
  sentinel.reset();
  ctx->poll();
  const bool in_time = destroyed_in_time(ctx);
  BOOST_TEST(in_time);
  if (!in_time)
    return; // (the acceptor is left alone: the hung destructor may still use it)
  BOOST_TEST(!called);
  BOOST_TEST(sentinel_alive.expired());
  acceptor.reset();
  BOOST_TEST(!called);
}

// A client that opens a listening instance (here one whose reuse was
// cancelled) and leaves again before an accept reuses it: the acceptor's
// own instances recycle such an instance and wait for the next client, and
// an accept that reuses an instance does the same. (Until it did, its
// handler got the raw ERROR_NO_DATA, "the pipe is being closed", and the
// instance stayed closing: the next client found the pipe busy until the
// server disconnected it.)
BOOST_AUTO_TEST_CASE(an_accept_reusing_an_instance_a_client_left_waits_for_the_next)
{
  asio::io_context ctx;
  const std::string name = np_name("reuse-left");
  ix::named_pipe_options options;
  options.max_instances = 1;
  options.listen_instances = 1;
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  ix::named_pipe server(ctx);
  ix::named_pipe first(ctx);
  first.connect(name);
  bool accepted = false;
  acceptor.async_accept(server, [&](error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return accepted; }));
  server.disconnect();
  first.close();
  // A reuse that is cancelled leaves the instance listening ...
  error_code cancelled_ec;
  acceptor.async_accept(server, [&](error_code ec) { cancelled_ec = ec; });
  acceptor.cancel();
  BOOST_TEST(run_until(ctx, [&] { return !!cancelled_ec; }));
  BOOST_TEST(cancelled_ec == asio::error::operation_aborted);

  // ... and a client comes and goes while nobody accepts on it.
  leave_a_client(name);

  error_code reuse_ec = asio::error::would_block;
  acceptor.async_accept(server, [&](error_code ec) { reuse_ec = ec; });
  ix::named_pipe second(ctx);
  bool connected = false;
  second.async_connect(name, [&](error_code ec) {
    BOOST_TEST(!ec);
    connected = true;
  });
  run_until(ctx, [&] { return reuse_ec != asio::error::would_block && connected; }, 3s);
  BOOST_TEST(reuse_ec.message() == error_code().message());
  BOOST_TEST(!reuse_ec);
  BOOST_TEST(connected);
  BOOST_TEST(server.is_connected());
}

// The acceptor's own instance that a client came and went on keeps
// listening when no accept waits any more: here the accept takes the other
// instance's client, and the next client connects before the next accept.
// (Until 2026-11-29 the instance was disconnected and re-armed only if an
// accept still waited: it refused every client with ERROR_PIPE_BUSY until
// the next accept, though listening_instances() counted it. Found by
// review.)
BOOST_AUTO_TEST_CASE(an_instance_a_client_left_listens_when_no_accept_waits)
{
  asio::io_context ctx;
  const std::string name = np_name("left-no-accept");
  ix::named_pipe_options options;
  options.listen_instances = 2;
  options.max_instances = 2;
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  ix::named_pipe stays(ctx);
  stays.connect(name); // the first instance
  leave_a_client(name); // the second
  ix::named_pipe server(ctx);
  error_code accept_ec = asio::error::would_block;
  acceptor.async_accept(server, [&](error_code ec) { accept_ec = ec; });
  BOOST_TEST(run_until(ctx, [&] { return accept_ec != asio::error::would_block; }));
  BOOST_TEST(!accept_ec);
  let_stray_completions_arrive(ctx, 100ms); // the other instance's, and the disarm
  BOOST_TEST(acceptor.listening_instances() == 1u);

  ix::named_pipe next_server(ctx);
  the_next_client_is_accepted(ctx, acceptor, name, next_server);
}

// The same when the accept that found the client gone is cancelled: the
// instance still listens for the next client.
BOOST_AUTO_TEST_CASE(an_instance_a_client_left_listens_after_a_cancelled_accept)
{
  asio::io_context ctx;
  const std::string name = np_name("left-cancelled");
  ix::named_pipe_options options;
  options.listen_instances = 1;
  options.max_instances = 1;
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  leave_a_client(name);
  ix::named_pipe server(ctx);
  error_code accept_ec;
  acceptor.async_accept(server, [&](error_code ec) { accept_ec = ec; });
  acceptor.cancel();
  BOOST_TEST(run_until(ctx, [&] { return !!accept_ec; }));
  BOOST_TEST(accept_ec == asio::error::operation_aborted);
  let_stray_completions_arrive(ctx, 100ms);

  the_next_client_is_accepted(ctx, acceptor, name, server);
}

// The reuse started again after a client came and went is still the same
// accept: the acceptor's cancel() and, with Boost 1.77 or later, the
// handler's own cancellation slot abort it.
BOOST_AUTO_TEST_CASE(a_reuse_recycled_after_a_client_left_can_still_be_cancelled)
{
  for (int by_slot = 0; by_slot < 2; ++by_slot)
  {
#if !defined(IOCPX_HAS_CANCELLATION_SLOTS)
    if (by_slot)
      break;
#endif
    BOOST_TEST_CONTEXT((by_slot ? "cancellation slot" : "acceptor.cancel()"))
    {
      asio::io_context ctx;
      const std::string name = np_name("reuse-left-cancel");
      // The acceptor listens on a name of its own; the instance it reuses
      // is a fresh one of `name`, assigned, which a client opens and
      // leaves before any accept looks.
      ix::named_pipe_acceptor acceptor(ctx, name + "-acceptor");
      ix::named_pipe server(ctx);
      assign_an_instance_a_client_left(server, name);

      error_code result = asio::error::would_block;
      auto on_accept = [&](error_code ec) { result = ec; };
#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
      asio::cancellation_signal signal;
      if (by_slot)
        acceptor.async_accept(server, asio::bind_cancellation_slot(signal.slot(), on_accept));
      else
#endif
        acceptor.async_accept(server, on_accept);
      // Its first ConnectNamedPipe finds the client gone; the recycled
      // one waits.
      for (int i = 0; i < 20; ++i)
      {
        ctx.restart();
        ctx.poll();
      }
      BOOST_TEST(result == asio::error::would_block);
#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
      if (by_slot)
        signal.emit(asio::cancellation_type::terminal);
      else
#endif
        acceptor.cancel();
      BOOST_TEST(run_until(ctx, [&] { return result != asio::error::would_block; }));
      BOOST_TEST(result == asio::error::operation_aborted);

      // The instance listens again for the next accept.
      bool accepted = false;
      acceptor.async_accept(server, [&](error_code ec) {
        BOOST_TEST(!ec);
        accepted = true;
      });
      ix::named_pipe client(ctx);
      bool connected = false;
      client.async_connect(name, [&](error_code ec) {
        BOOST_TEST(!ec);
        connected = true;
      });
      BOOST_TEST(run_until(ctx, [&] { return accepted && connected; }));
      BOOST_TEST(server.is_connected());
    }
  }
}

// The reuse's first ConnectNamedPipe finds the client gone, and the
// acceptor's cancel() or close(), or the accept's own cancellation slot,
// comes right after the accept started. Until 2026-11-27 that failure's
// completion (ERROR_NO_DATA) then waited in the io_context's queue, with
// nothing left to cancel in the kernel, and went on to start the reuse
// again: after cancel() or the slot's emit the accept kept waiting for the
// next client (it took one), after close() it ended with bad_descriptor
// instead of operation_aborted. Now the instance is recycled within the
// call, and each of them cancels the recycled ConnectNamedPipe.
BOOST_AUTO_TEST_CASE(cancel_or_close_while_a_reuse_recycles_an_instance_a_client_left)
{
  for (int how = 0; how < 3; ++how)
  {
#if !defined(IOCPX_HAS_CANCELLATION_SLOTS)
    if (how == 2)
      break;
#endif
    BOOST_TEST_CONTEXT((how == 0 ? "acceptor.cancel()" : how == 1 ? "acceptor.close()"
                                                                  : "cancellation slot"))
    {
      asio::io_context ctx;
      const std::string name = np_name("reuse-left-queued");
      ix::named_pipe_acceptor acceptor(ctx, name + "-acceptor");
      ix::named_pipe server(ctx);
      assign_an_instance_a_client_left(server, name);

      error_code result = asio::error::would_block;
      auto on_accept = [&](error_code ec) { result = ec; };
#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
      asio::cancellation_signal signal;
      if (how == 2)
        acceptor.async_accept(server, asio::bind_cancellation_slot(signal.slot(), on_accept));
      else
#endif
        acceptor.async_accept(server, on_accept);
      // (Its ConnectNamedPipe failed at once: the completion is queued.)
      if (how == 1)
        acceptor.close();
      else if (how == 0)
        acceptor.cancel();
#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
      else
        signal.emit(asio::cancellation_type::terminal);
#endif
      // A client that comes now must not be taken by the cancelled accept.
      ix::named_pipe client(ctx);
      client.async_connect(name, [](error_code) {});
      BOOST_TEST(run_until(ctx, [&] { return result != asio::error::would_block; }, 2s));
      BOOST_TEST(result == asio::error::operation_aborted);
    }
  }
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
// The same with the handler on a strand, and the signal emitted on that
// strand right after the accept started — before anything of the accept
// could run there. When the instance was recycled from the completion of
// the first ConnectNamedPipe's failure (until 2026-11-27), that completion
// was dequeued first, found no slot handler left to arm, and waited on the
// strand behind the emit, which found nothing to cancel: the accept then
// recycled the instance and took the next client.
BOOST_AUTO_TEST_CASE(an_emit_on_the_strand_reaches_a_reuse_recycling_an_instance_a_client_left)
{
  asio::io_context ctx;
  const std::string name = np_name("reuse-left-strand");
  ix::named_pipe_acceptor acceptor(ctx, name + "-acceptor");
  ix::named_pipe server(ctx);
  assign_an_instance_a_client_left(server, name);

  auto strand = asio::make_strand(ctx);
  asio::cancellation_signal signal;
  error_code result = asio::error::would_block;
  acceptor.async_accept(server, asio::bind_cancellation_slot(signal.slot(),
                                    asio::bind_executor(strand, [&](error_code ec) { result = ec; })));
  ix::named_pipe client(ctx);
  bool client_done = false;
  asio::post(strand, [&] {
    signal.emit(asio::cancellation_type::terminal);
    // A client that comes now must not be taken by the cancelled accept.
    client.async_connect(name, [&](error_code) { client_done = true; });
  });
  BOOST_TEST(run_until(ctx, [&] { return result != asio::error::would_block && client_done; }, 2s));
  BOOST_TEST(result == asio::error::operation_aborted);
  BOOST_TEST(!server.is_connected());
}
#endif

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// The accepted pipe's executor, and moves of the acceptor.

BOOST_AUTO_TEST_SUITE(named_pipe_acceptor_executors)

using strand_type = asio::strand<asio::io_context::executor_type>;
using strand_pipe = ix::basic_named_pipe<strand_type>;

// The pattern of Asio servers on a multi-threaded io_context: each
// connection gets a strand of its own, and its handlers run there.
BOOST_AUTO_TEST_CASE(accepts_each_client_with_a_strand_of_its_own)
{
  asio::io_context ctx;
  const std::string name = np_name("strand-each");
  ix::named_pipe_acceptor acceptor(ctx, name);
  constexpr int clients = 3;
  std::vector<std::unique_ptr<ix::named_pipe>> client;
  std::vector<strand_pipe> servers;
  std::vector<bool> handler_on_its_strand;
  bool accept_handler_on_pipe_strand = false;
  std::string echoed;
  for (int i = 0; i < clients; ++i)
  {
    client.push_back(std::make_unique<ix::named_pipe>(ctx));
    client.back()->connect(name);
    write_all(client.back()->native_handle(), &"abc"[i], 1);
  }
  std::array<char, clients> byte{};
  std::function<void()> accept = [&] {
    acceptor.async_accept(asio::make_strand(ctx), [&](error_code ec, strand_pipe pipe) {
      BOOST_REQUIRE(!ec);
      BOOST_TEST(pipe.is_open());
      BOOST_TEST(pipe.is_connected());
      BOOST_TEST(pipe.is_server_end());
      // The accept's handler has no executor of its own: it runs on the
      // acceptor's, as with Asio's acceptors, not on the new pipe's strand.
      accept_handler_on_pipe_strand |= pipe.get_executor().running_in_this_thread();
      const std::size_t i = servers.size();
      servers.push_back(std::move(pipe));
      handler_on_its_strand.push_back(false);
      servers.back().async_read_some(asio::buffer(&byte[i], 1), [&, i](error_code e, std::size_t n) {
        BOOST_TEST(!e);
        BOOST_TEST(n == 1u);
        handler_on_its_strand[i] = servers[i].get_executor().running_in_this_thread();
        echoed += byte[i];
      });
      if (servers.size() < clients)
        accept();
    });
  };
  servers.reserve(clients);
  accept();
  BOOST_TEST(run_until(ctx, [&] { return echoed.size() == clients; }));
  std::sort(echoed.begin(), echoed.end());
  BOOST_TEST(echoed == "abc");
  BOOST_TEST(!accept_handler_on_pipe_strand);
  for (bool b : handler_on_its_strand)
    BOOST_TEST(b);
  // Three distinct strands.
  BOOST_TEST((servers[0].get_executor() != servers[1].get_executor()));
  BOOST_TEST((servers[1].get_executor() != servers[2].get_executor()));
}

BOOST_AUTO_TEST_CASE(accepts_a_client_with_the_executor_of_an_execution_context)
{
  asio::io_context ctx;
  const std::string name = np_name("ctx-exec");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe client(ctx);
  client.connect(name);
  std::optional<ix::basic_named_pipe<asio::io_context::executor_type>> server;
  acceptor.async_accept(ctx, [&](error_code ec, ix::basic_named_pipe<asio::io_context::executor_type> p) {
    BOOST_TEST(!ec);
    server.emplace(std::move(p));
  });
  BOOST_TEST(run_until(ctx, [&] { return server.has_value(); }));
  BOOST_REQUIRE(server->is_connected());
  BOOST_TEST((server->get_executor() == ctx.get_executor()));
  write_all(client.native_handle(), "x", 1);
  char c = 0;
  BOOST_TEST(asio::read(*server, asio::buffer(&c, 1)) == 1u);
  BOOST_TEST(c == 'x');
}

// The instances are bound to the acceptor's io_context before any client
// comes, and a handle's port cannot change: a pipe of another io_context
// cannot take one. The accept fails at once and takes no client.
BOOST_AUTO_TEST_CASE(a_pipe_of_another_io_context_is_refused_and_takes_no_client)
{
  asio::io_context ctx;
  asio::io_context other;
  const std::string name = np_name("other-ctx");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe client(ctx);
  client.connect(name); // waits in the backlog

  error_code new_ec;
  bool new_done = false;
  acceptor.async_accept(other.get_executor(),
      [&](error_code ec, ix::basic_named_pipe<asio::io_context::executor_type> p) {
        new_ec = ec;
        new_done = true;
        BOOST_TEST(!p.is_open());
      });
  error_code into_ec;
  bool into_done = false;
  ix::named_pipe peer(other);
  acceptor.async_accept(peer, [&](error_code ec) {
    into_ec = ec;
    into_done = true;
  });
  BOOST_TEST(!new_done); // never from inside async_accept
  BOOST_TEST(!into_done);
  BOOST_TEST(run_until(ctx, [&] { return new_done && into_done; }));
  BOOST_TEST(new_ec == iocpx::error::bound_elsewhere);
  BOOST_TEST(into_ec == iocpx::error::bound_elsewhere);
  BOOST_TEST(!peer.is_open());
  BOOST_TEST(other.poll() == 0u); // nothing of the accepts went there

  // The client is still there for an accept that can take it.
  std::optional<ix::named_pipe> server;
  acceptor.async_accept([&](error_code ec, ix::named_pipe p) {
    BOOST_TEST(!ec);
    server.emplace(std::move(p));
  });
  ctx.restart();
  BOOST_TEST(run_until(ctx, [&] { return server.has_value(); }));
  write_all(client.native_handle(), "y", 1);
  char c = 0;
  BOOST_TEST(asio::read(*server, asio::buffer(&c, 1)) == 1u);
  BOOST_TEST(c == 'y');
}

BOOST_AUTO_TEST_CASE(a_pipe_on_a_context_that_is_no_io_context_is_not_supported)
{
  asio::io_context ctx;
  asio::thread_pool pool(1);
  ix::named_pipe_acceptor acceptor(ctx, np_name("pool-exec"));
  error_code result;
  bool done = false;
  acceptor.async_accept(pool.get_executor(),
      [&](error_code ec, ix::basic_named_pipe<asio::thread_pool::executor_type> p) {
        result = ec;
        BOOST_TEST(!p.is_open());
        done = true;
      });
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(result == asio::error::operation_not_supported);
  pool.join();
}

// On a closed acceptor the executor does not matter: bad_descriptor, as for
// every accept.
BOOST_AUTO_TEST_CASE(a_closed_acceptor_reports_bad_descriptor_whatever_the_executor)
{
  asio::io_context ctx;
  asio::io_context other;
  ix::named_pipe_acceptor acceptor(ctx);
  error_code a, b;
  acceptor.async_accept(other.get_executor(),
      [&](error_code ec, ix::basic_named_pipe<asio::io_context::executor_type>) { a = ec; });
  acceptor.async_accept(asio::make_strand(ctx), [&](error_code ec, strand_pipe) { b = ec; });
  ctx.run();
  BOOST_TEST(a == asio::error::bad_descriptor);
  BOOST_TEST(b == asio::error::bad_descriptor);
}

BOOST_AUTO_TEST_CASE(use_future_delivers_the_move_only_pipe)
{
  asio::io_context ctx;
  const std::string name = np_name("future");
  ix::named_pipe_acceptor acceptor(ctx, name);
  auto work = asio::make_work_guard(ctx);
  std::thread runner([&] { ctx.run(); });
  std::future<ix::named_pipe> accepted = acceptor.async_accept(asio::use_future);
  std::future<strand_pipe> on_strand = acceptor.async_accept(asio::make_strand(ctx), asio::use_future);
  ix::named_pipe first(ctx), second(ctx);
  first.connect(name);
  second.connect(name);
  BOOST_REQUIRE(accepted.wait_for(20s) == std::future_status::ready);
  BOOST_REQUIRE(on_strand.wait_for(20s) == std::future_status::ready);
  ix::named_pipe a = accepted.get();
  strand_pipe b = on_strand.get();
  BOOST_TEST(a.is_connected());
  BOOST_TEST(b.is_connected());

  // Errors arrive as exceptions (system_error with the code).
  acceptor.close();
  std::future<ix::named_pipe> refused = acceptor.async_accept(asio::use_future);
  BOOST_REQUIRE(refused.wait_for(20s) == std::future_status::ready);
  try
  {
    refused.get();
    BOOST_ERROR("a closed acceptor's accept succeeded");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == asio::error::bad_descriptor);
  }
  work.reset();
  a.close();
  b.close();
  first.close();
  second.close();
  runner.join();
}

BOOST_AUTO_TEST_CASE(moves_carry_the_instances_and_the_pending_accepts)
{
  asio::io_context ctx;
  const std::string name = np_name("move");
  ix::basic_named_pipe_acceptor<asio::io_context::executor_type> typed(ctx, name);
  bool accepted = false;
  ix::named_pipe server(ctx);
  typed.async_accept(server, [&](error_code ec) {
    BOOST_TEST(!ec);
    accepted = true;
  });

  // Converting move construction, then same-type move assignment.
  ix::named_pipe_acceptor moved(std::move(typed));
  BOOST_TEST(!typed.is_open());
  BOOST_TEST(moved.is_open());
  ix::named_pipe_acceptor assigned(ctx);
  assigned = std::move(moved);
  BOOST_TEST(!moved.is_open());
  BOOST_TEST(assigned.is_open());
  BOOST_TEST((assigned.get_executor() == asio::any_io_executor(ctx.get_executor())));

  ix::named_pipe client(ctx);
  client.connect(name);
  BOOST_TEST(run_until(ctx, [&] { return accepted; }));
  BOOST_TEST(server.is_connected());

  // A moved-from acceptor is closed, and usable again.
  error_code ec;
  ix::named_pipe another(ctx);
  typed.async_accept(another, [&](error_code e) { ec = e; });
  ctx.restart();
  ctx.poll();
  BOOST_TEST(ec == asio::error::bad_descriptor);
  typed.open(np_name("move-again"));
  BOOST_TEST(typed.is_open());
}

BOOST_AUTO_TEST_CASE(converting_move_assignment_closes_the_target_first)
{
  asio::io_context ctx;
  const std::string old_name = np_name("assign-old");
  const std::string new_name = np_name("assign-new");
  ix::named_pipe_acceptor target(ctx, old_name);
  error_code target_accept;
  bool target_done = false;
  target.async_accept([&](error_code ec, ix::named_pipe) {
    target_accept = ec;
    target_done = true;
  });
  ix::basic_named_pipe_acceptor<asio::io_context::executor_type> source(ctx, new_name);
  target = std::move(source);
  BOOST_TEST(!source.is_open());
  BOOST_TEST(target.is_open());
  // The target's own accept was aborted and its name is gone.
  BOOST_TEST(run_until(ctx, [&] { return target_done; }));
  BOOST_TEST(target_accept == asio::error::operation_aborted);
  ix::named_pipe probe(ctx);
  error_code connect_ec;
  ix::named_pipe_connect_options copts;
  copts.busy_timeout = std::chrono::milliseconds(0);
  probe.connect(old_name, copts, connect_ec);
  BOOST_TEST(connect_ec == iocpx::error::pipe_not_found);
  // The moved-in acceptor serves its own name.
  std::optional<ix::named_pipe> server;
  target.async_accept([&](error_code ec, ix::named_pipe p) {
    BOOST_TEST(!ec);
    server.emplace(std::move(p));
  });
  ix::named_pipe client(ctx);
  client.connect(new_name);
  ctx.restart();
  BOOST_TEST(run_until(ctx, [&] { return server.has_value(); }));
  BOOST_TEST(server->is_connected());
}

BOOST_AUTO_TEST_CASE(options_and_name_report_what_open_was_given)
{
  asio::io_context ctx;
  ix::named_pipe_acceptor acceptor(ctx);
  BOOST_TEST(acceptor.options().listen_instances == ix::named_pipe_options().listen_instances);
  ix::named_pipe_options o;
  o.mode = ix::pipe_mode::message;
  o.max_instances = 7;
  o.listen_instances = 3;
  o.in_buffer_size = 1234;
  const std::string name = np_name("options");
  BOOST_TEST(acceptor.name().empty());
  acceptor.open(name, o);
  BOOST_TEST(acceptor.name() == name);
  const ix::named_pipe_options seen = acceptor.options();
  BOOST_TEST((seen.mode == ix::pipe_mode::message));
  BOOST_TEST(seen.max_instances == 7u);
  BOOST_TEST(seen.listen_instances == 3u);
  BOOST_TEST(seen.in_buffer_size == 1234u);
  BOOST_TEST(acceptor.listening_instances() == 3u);
  ix::named_pipe client(ctx);
  client.connect(acceptor.name(), ix::named_pipe_connect_options{ix::pipe_mode::message});
  BOOST_TEST(client.is_connected());
  acceptor.close();
  BOOST_TEST(acceptor.name().empty());
}

BOOST_AUTO_TEST_CASE(throwing_forms_throw_system_error_with_the_code)
{
  asio::io_context ctx;
  const std::string name = np_name("throwing");
  ix::named_pipe_acceptor acceptor(ctx, name);
  try
  {
    acceptor.open(np_name("throwing-again"));
    BOOST_ERROR("open of an open acceptor succeeded");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == asio::error::already_open);
  }
  ix::named_pipe_acceptor closed(ctx);
  try
  {
    closed.cancel();
    BOOST_ERROR("cancel of a closed acceptor succeeded");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == asio::error::bad_descriptor);
  }
  try
  {
    ix::named_pipe_acceptor second(ctx, name); // first_instance is on
    BOOST_ERROR("a second acceptor of the name opened");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code().value() == int(ERROR_ACCESS_DENIED));
  }
  try
  {
    ix::named_pipe_acceptor bad(ctx, "not-a-pipe-name");
    BOOST_ERROR("a bad name opened");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == iocpx::error::pipe_name_invalid);
  }
}

BOOST_AUTO_TEST_SUITE_END()
