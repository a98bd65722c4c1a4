// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/windows/overlapped.hpp>

#include "../common/alloc_counter.hpp"
#include "support.hpp"

#include <iocpx/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>

#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace ix = iocpx::windows;
namespace asio = boost::asio;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

namespace {

auto zero_byte_read(HANDLE h)
{
  return [h](OVERLAPPED* ov) {
    static char none;
    return ix::win32_result(::ReadFile(h, &none, 0, nullptr, ov));
  };
}

struct record
{
  int calls = 0;
  error_code ec;
  std::size_t n = 0;

  // An overlapped callback that records each call here.
  auto callback()
  {
    return [this](const error_code& e, std::size_t bytes) {
      ++calls;
      ec = e;
      n = bytes;
    };
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(overlapped)

BOOST_AUTO_TEST_CASE(default_overlapped_is_empty)
{
  ix::overlapped ov;
  BOOST_TEST(!ov.valid());
  BOOST_TEST(!ov.in_flight());
  BOOST_TEST(ov.native_overlapped() == nullptr);
  ov.cancel(); // harmless
}

BOOST_AUTO_TEST_CASE(zero_byte_read_probe_reports_readable_repeatedly)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());

  // A readiness-style object: a persistent zero-byte read that says
  // "readable"; the owner then drains the pipe and re-arms.
  int readable = 0;
  std::string received;
  ix::overlapped probe;
  probe = ix::overlapped([&](const error_code& ec, std::size_t n) {
    BOOST_TEST(!ec);
    BOOST_TEST(n == 0u);
    ++readable;
    DWORD avail = 0;
    BOOST_REQUIRE(::PeekNamedPipe(p.server.get(), nullptr, 0, nullptr, &avail, nullptr));
    std::string chunk = read_exact(p.server.get(), avail);
    received += chunk;
    if (received.size() < 9)
      probe.start(b, zero_byte_read(p.server.get()));
  });
  BOOST_TEST(probe.valid());
  probe.start(b, zero_byte_read(p.server.get()));
  BOOST_TEST(probe.in_flight());
  ctx.poll();
  BOOST_TEST(readable == 0); // nothing to read: the probe is pending

  write_all(p.client.get(), "abc", 3);
  BOOST_TEST(run_until(ctx, [&] { return readable == 1; }));
  BOOST_TEST(probe.in_flight()); // re-armed by the callback
  write_all(p.client.get(), "def", 3);
  BOOST_TEST(run_until(ctx, [&] { return readable == 2; }));
  write_all(p.client.get(), "ghi", 3);
  BOOST_TEST(run_until(ctx, [&] { return readable == 3; }));
  BOOST_TEST(received == "abcdefghi");
  BOOST_TEST(!probe.in_flight());
}

BOOST_AUTO_TEST_CASE(immediate_success_is_delivered_through_the_context)
{
  for (ix::bind_options options : {ix::bind_options{}, ix::bind_options::fast()})
  {
    asio::io_context ctx;
    pipe_pair p = make_pipe_pair();
    ix::binding b = ix::bind(ctx, p.server.get(), options);
    record r;
    ix::overlapped ov(r.callback());
    ov.start(b, [&](OVERLAPPED* o) { return ix::win32_result(::WriteFile(p.server.get(), "12345", 5, nullptr, o)); });
    BOOST_TEST(r.calls == 0);
    BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
    let_stray_completions_arrive(ctx, 50ms);
    BOOST_TEST(r.calls == 1);
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.n == 5u);
  }
}

BOOST_AUTO_TEST_CASE(immediate_failure_is_delivered_through_the_context)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  p.client.reset();
  record r;
  ix::overlapped ov(r.callback());
  ov.start(b, [&](OVERLAPPED* o) { return ix::win32_result(::WriteFile(p.server.get(), "x", 1, nullptr, o)); });
  BOOST_TEST(r.calls == 0);
  ctx.poll();
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.ec.value() == ERROR_NO_DATA);
}

BOOST_AUTO_TEST_CASE(bad_starts)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  ix::overlapped ov([](const error_code&, std::size_t) {});
  error_code ec;

  ov.start(b, zero_byte_read(p.server.get()), ec);
  BOOST_TEST(!ec);
  bool called = false;
  ov.start(b, [&](OVERLAPPED*) -> DWORD { called = true; return ERROR_SUCCESS; }, ec);
  BOOST_TEST(ec == iocpx::error::already_in_flight);
  BOOST_TEST(!called);

  ix::binding empty;
  ix::overlapped other([](const error_code&, std::size_t) {});
  ec = asio::error::would_block; // each start must set it
  other.start(empty, [&](OVERLAPPED*) -> DWORD { called = true; return ERROR_SUCCESS; }, ec);
  BOOST_TEST(ec == iocpx::error::not_bound);

  ix::overlapped invalid;
  ec = asio::error::would_block;
  invalid.start(b, [&](OVERLAPPED*) -> DWORD { called = true; return ERROR_SUCCESS; }, ec);
  BOOST_TEST(ec == iocpx::error::not_bound);
  BOOST_TEST(!called);

  BOOST_CHECK_EXCEPTION(ov.start(b, zero_byte_read(p.server.get())), boost::system::system_error,
      [](const boost::system::system_error& e) { return e.code() == iocpx::error::already_in_flight; });
  ov.cancel();
  BOOST_TEST(run_until(ctx, [&] { return !ov.in_flight(); }));
}

// A start function that throws leaves nothing in flight, and the work the
// operation counted is given back without stopping the io_context (which is
// not running yet here, so work_finished() would have stopped it).
BOOST_AUTO_TEST_CASE(exception_from_start_leaves_the_overlapped_reusable)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  record r;
  ix::overlapped ov(r.callback());
  BOOST_CHECK_THROW(ov.start(b, [](OVERLAPPED*) -> DWORD { throw std::runtime_error("start failed"); }),
      std::runtime_error);
  BOOST_TEST(!ov.in_flight());
  BOOST_TEST(b.operations_in_flight() == 0u);

  bool later = false;
  asio::post(ctx, [&] { later = true; });
  ctx.run_for(std::chrono::seconds(10)); // no restart(): it must not be stopped
  BOOST_TEST(later);
  BOOST_TEST(r.calls == 0);

  ov.start(b, [&](OVERLAPPED* o) { return ix::win32_result(::WriteFile(p.server.get(), "ab", 2, nullptr, o)); });
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.n == 2u);
}

BOOST_AUTO_TEST_CASE(cancel_delivers_operation_aborted)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  record r;
  ix::overlapped ov(r.callback());
  ov.start(b, zero_byte_read(p.server.get()));
  ov.cancel();
  ov.cancel(); // twice: harmless
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(r.ec == asio::error::operation_aborted);
  BOOST_TEST(!ov.in_flight());

  // Reusable after a cancel.
  ov.start(b, zero_byte_read(p.server.get()));
  write_all(p.client.get(), "z", 1);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 1; }));
  BOOST_TEST(!r.ec);
}

// "or the real result, if the operation completed first": here the peer's
// close (ERROR_BROKEN_PIPE, which Wine also reports for I/O ended by
// closing one's own handle) before the cancel. Until 2026-11-30 it became
// operation_aborted.
BOOST_AUTO_TEST_CASE(cancel_after_the_peer_closed_keeps_the_real_result)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  record r;
  ix::overlapped ov(r.callback());
  ov.start(b, zero_byte_read(p.server.get()));
  p.client.reset(); // the read completes now
  ::Sleep(100);     // (Wine: the result reaches the port meanwhile)
  ov.cancel();
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.ec == error_code(ERROR_BROKEN_PIPE, boost::system::system_category()));
}

// cancel() may run at any time, on any thread ("also while the callback
// runs on another thread": the callback may be restarting the operation).
// A cancel that comes while start() or start_or_complete() is making its
// Win32 call — the operation already counts as in flight, but the kernel
// does not have it yet, so CancelIoEx finds nothing — must still cancel it;
// lost, a zero-byte read on an idle pipe waits for ever. So must a
// binding::cancel() of the handle from another binding of it (distinct
// objects) in that window. Here the cancel runs on another thread, inside
// the start function, before the call.
BOOST_AUTO_TEST_CASE(cancel_while_the_call_is_being_made_is_not_lost)
{
  for (int variant = 0; variant < 3; ++variant)
  {
    BOOST_TEST_CONTEXT((variant == 0   ? "overlapped::cancel, start()"
                           : variant == 1 ? "overlapped::cancel, start_or_complete()"
                                          : "binding::cancel of another binding, start()"))
    {
      asio::io_context ctx;
      pipe_pair p = make_pipe_pair();
      HANDLE h = p.server.get();
      ix::binding b = ix::bind(ctx, h);
      ix::binding other = ix::bind(ctx, h);
      record r;
      ix::overlapped ov(r.callback());
      auto start = [&](OVERLAPPED* o) {
        std::thread([&] {
          if (variant == 2)
            other.cancel();
          else
            ov.cancel();
        }).join();
        return zero_byte_read(h)(o);
      };
      if (variant == 1)
      {
        ix::immediate_result result;
        error_code ec;
        BOOST_TEST(!ov.start_or_complete(b, start, result, ec));
        BOOST_TEST(!ec);
      }
      else
        ov.start(b, start);
      BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }, 2000ms));
      BOOST_TEST(r.calls == 1);
      BOOST_TEST(r.ec == asio::error::operation_aborted);
      BOOST_TEST(!ov.in_flight());
      if (ov.in_flight()) // (lost: end it, so that the next variant starts clean)
      {
        ov.cancel();
        run_until(ctx, [&] { return !ov.in_flight(); });
      }
    }
  }
}

// start_or_complete() returns an immediate result "after the same
// translation the callback would see". After a cancel — here one that came
// while the call was being made, which then failed at once because the
// reader had gone (ERROR_NO_DATA) — the callback sees that real result, as
// a cancel that finds an operation done leaves it (until 2026-11-30 iocpx
// turned "the peer went away" codes into aborts once the caller had asked
// for one); so must start_or_complete's result.
BOOST_AUTO_TEST_CASE(start_or_complete_translates_an_immediate_failure_as_the_callback_does)
{
  for (int variant = 0; variant < 2; ++variant)
  {
    BOOST_TEST_CONTEXT((variant == 0 ? "overlapped::cancel" : "binding::cancel of another binding"))
    {
      asio::io_context ctx;
      pipe_pair p = make_pipe_pair();
      HANDLE h = p.server.get();
      ix::binding b = ix::bind(ctx, h, ix::bind_options::fast());
      ix::binding other = ix::bind(ctx, h, ix::bind_options::fast());
      p.client.reset(); // writes now fail at once with ERROR_NO_DATA
      record r;
      std::optional<ix::overlapped> ov;
      ov.emplace(r.callback());
      auto write = [&](OVERLAPPED* o) {
        std::thread([&] {
          if (variant == 1)
            other.cancel();
          else
            ov->cancel();
        }).join();
        return ix::win32_result(::WriteFile(h, "x", 1, nullptr, o));
      };

      ov->start(b, write);
      BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
      BOOST_TEST(r.ec == error_code(ERROR_NO_DATA, boost::system::system_category()));

      ix::immediate_result result;
      error_code ec;
      BOOST_TEST(ov->start_or_complete(b, write, result, ec));
      BOOST_TEST(!ec);
      BOOST_TEST(result.ec == r.ec);
    }
  }
}

BOOST_AUTO_TEST_CASE(no_allocation_per_start)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  int calls = 0;
  std::optional<ix::overlapped> ov;
  HANDLE h = p.server.get();
  auto start = [h](OVERLAPPED* o) { return ix::win32_result(::WriteFile(h, "w", 1, nullptr, o)); };
  ov.emplace([&](const error_code& ec, std::size_t) {
    BOOST_REQUIRE(!ec);
    if (++calls < 200)
      ov->start(b, start);
  });
  ov->start(b, start);
  ctx.run_for(5s); // warm-up round (drains once calls hit 200)
  ctx.restart();
  BOOST_REQUIRE(calls == 200);
  read_exact(p.client.get(), 200);

  const long long before = iocpx_test::allocations();
  calls = 0;
  ov->start(b, start);
  ctx.run_for(5s);
  BOOST_TEST(calls == 200);
  BOOST_TEST(iocpx_test::allocations() - before == 0);
}

BOOST_AUTO_TEST_CASE(destroying_the_owner_in_flight_is_safe)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  auto life = std::make_shared<int>(0);
  bool called = false;
  {
    ix::overlapped ov([&called, life](const error_code&, std::size_t) { called = true; });
    ov.start(b, zero_byte_read(p.server.get()));
    BOOST_TEST(life.use_count() == 2);
  } // destroyed in flight: cancelled, state kept until the packet is dequeued
  BOOST_TEST(life.use_count() == 2);
  BOOST_TEST(run_until(ctx, [&] { return life.use_count() == 1; }));
  BOOST_TEST(!called); // the callback of a destroyed owner never runs
  BOOST_TEST(b.operations_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(owner_destroyed_from_its_own_callback)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  auto ov = std::make_unique<ix::overlapped>();
  int calls = 0;
  *ov = ix::overlapped([&](const error_code&, std::size_t) {
    ++calls;
    ov.reset(); // the owner goes away inside the callback
  });
  ov->start(b, zero_byte_read(p.server.get()));
  write_all(p.client.get(), "q", 1);
  BOOST_TEST(run_until(ctx, [&] { return !ov; }));
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_overlapped_in_flight)
{
  pipe_pair p = make_pipe_pair();
  auto life = std::make_shared<int>(0);
  bool called = false;
  std::optional<ix::overlapped> ov;
  {
    asio::io_context ctx;
    ix::binding b = ix::bind(ctx, p.server.get());
    ov.emplace([&called, life](const error_code&, std::size_t) { called = true; });
    ov->start(b, zero_byte_read(p.server.get()));
  } // the context's shutdown cancels the read and drains its packet
  BOOST_TEST(!called);
  BOOST_TEST(!ov->in_flight());
  ov.reset();
  BOOST_TEST(life.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(start_or_complete_returns_immediate_results_inline)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding fast = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  int callbacks = 0;
  ix::overlapped ov([&](const error_code&, std::size_t) { ++callbacks; });
  HANDLE h = p.server.get();
  auto write = [h](OVERLAPPED* o) { return ix::win32_result(::WriteFile(h, "inline", 6, nullptr, o)); };

  // Immediate success with skip-on-success: the result comes back here.
  ix::immediate_result r;
  error_code ec;
  BOOST_TEST(ov.start_or_complete(fast, write, r, ec));
  BOOST_TEST(!ec);
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.bytes == 6u);
  BOOST_TEST(!ov.in_flight());
  BOOST_TEST(fast.operations_in_flight() == 0u);
  // ... and it can start again at once.
  r = ix::immediate_result{}; // (each call must fill it)
  BOOST_TEST(ov.start_or_complete(fast, write, r, ec));
  BOOST_TEST(r.bytes == 6u);
  BOOST_TEST(read_exact(p.client.get(), 12) == "inlineinline");

  // Immediate failure: also inline.
  BOOST_TEST(ov.start_or_complete(fast, [](OVERLAPPED*) -> DWORD { return ERROR_NOT_SUPPORTED; }, r, ec));
  BOOST_TEST(r.ec.value() == ERROR_NOT_SUPPORTED);

  // Pending: goes through the callback as with start().
  char buf[4];
  BOOST_TEST(!ov.start_or_complete(fast,
      [h, &buf](OVERLAPPED* o) { return ix::win32_result(::ReadFile(h, buf, 4, nullptr, o)); }, r, ec));
  BOOST_TEST(!ec);
  BOOST_TEST(ov.in_flight());
  write_all(p.client.get(), "abcd", 4);
  BOOST_TEST(run_until(ctx, [&] { return callbacks == 1; }));
  BOOST_TEST(ctx.poll() == 0u); // no packet was left behind by the inline completions
  BOOST_TEST(callbacks == 1);

  // Without skip-on-success an immediate success still has its packet, so it
  // is delivered to the callback.
  ix::binding plain = ix::bind(ctx, p.client.get());
  HANDLE c = p.client.get();
  ix::overlapped ov2([&](const error_code& e, std::size_t n) {
    BOOST_TEST(!e);
    BOOST_TEST(n == 2u);
    ++callbacks;
  });
  BOOST_TEST(!ov2.start_or_complete(plain,
      [c](OVERLAPPED* o) { return ix::win32_result(::WriteFile(c, "ok", 2, nullptr, o)); }, r, ec));
  BOOST_TEST(run_until(ctx, [&] { return callbacks == 2; }));

  // The throwing form: an immediate failure is a result, not an exception;
  // what keeps the operation from starting is thrown.
  r = ix::immediate_result{};
  BOOST_TEST(ov.start_or_complete(fast, [](OVERLAPPED*) -> DWORD { return ERROR_NOT_SUPPORTED; }, r));
  BOOST_TEST(r.ec.value() == ERROR_NOT_SUPPORTED);
  r = ix::immediate_result{};
  BOOST_TEST(ov.start_or_complete(fast, write, r));
  BOOST_TEST(r.bytes == 6u);
  BOOST_TEST(read_exact(p.client.get(), 6) == "inline");
  ix::binding empty;
  BOOST_CHECK_EXCEPTION(ov.start_or_complete(empty, write, r), boost::system::system_error,
      [](const boost::system::system_error& e) { return e.code() == iocpx::error::not_bound; });
  auto read = [h, &buf](OVERLAPPED* o) { return ix::win32_result(::ReadFile(h, buf, 4, nullptr, o)); };
  BOOST_TEST(ov.start_or_complete(fast, read, r)); // the "ok" ov2 wrote is there
  BOOST_TEST(r.bytes == 2u);
  BOOST_TEST(!ov.start_or_complete(fast, read, r)); // now it waits
  BOOST_CHECK_EXCEPTION(ov.start_or_complete(fast, write, r), boost::system::system_error,
      [](const boost::system::system_error& e) { return e.code() == iocpx::error::already_in_flight; });
  write_all(p.client.get(), "efgh", 4);
  BOOST_TEST(run_until(ctx, [&] { return callbacks == 3; }));
}

// A datagram longer than the buffer (WSAEMSGSIZE, a warning the kernel
// completes like a success): with skip-on-success it comes back inline as
// more data; without, its packet reaches the callback, once.
BOOST_AUTO_TEST_CASE(start_or_complete_oversized_datagram)
{
  winsock ws;
  asio::io_context ctx;
  int callbacks = 0;
  error_code seen;
  std::size_t seen_bytes = 0;
  ix::overlapped ov([&](const error_code& e, std::size_t n) {
    ++callbacks;
    seen = e;
    seen_bytes = n;
  });
  char small[2];
  WSABUF wsa{sizeof small, small};
  DWORD flags = 0;
  ix::immediate_result r;
  error_code ec;

  udp_pair fast_udp;
  fast_udp.send({"0123456789"});
  ix::binding fast = ix::bind(ctx, reinterpret_cast<HANDLE>(fast_udp.a), ix::bind_options::fast());
  BOOST_TEST(ov.start_or_complete(fast,
      [&](OVERLAPPED* o) { return ix::wsa_result(::WSARecv(fast_udp.a, &wsa, 1, nullptr, &flags, o, nullptr)); },
      r, ec));
  BOOST_TEST(!ec);
  BOOST_TEST(ix::is_more_data(r.ec));
  BOOST_TEST(r.bytes == 2u);
  BOOST_TEST(std::string(small, 2) == "01");

  udp_pair plain_udp;
  plain_udp.send({"abcdef"});
  ix::binding plain = ix::bind(ctx, reinterpret_cast<HANDLE>(plain_udp.a));
  BOOST_TEST(!ov.start_or_complete(plain,
      [&](OVERLAPPED* o) { return ix::wsa_result(::WSARecv(plain_udp.a, &wsa, 1, nullptr, &flags, o, nullptr)); },
      r, ec));
  BOOST_TEST(!ec);
  BOOST_TEST(run_until(ctx, [&] { return callbacks > 0; }));
  BOOST_TEST(ix::is_more_data(seen));
  BOOST_TEST(seen_bytes == 2u);
  BOOST_TEST(std::string(small, 2) == "ab");
  let_stray_completions_arrive(ctx, 100ms);
  BOOST_TEST(callbacks == 1);
}

BOOST_AUTO_TEST_SUITE_END()
