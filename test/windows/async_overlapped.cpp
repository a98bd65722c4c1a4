// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/windows/async_overlapped.hpp>

#include "../common/alloc_counter.hpp"
#include "../common/asio_features.hpp"
#include "../common/tracking_allocator.hpp"
#include "support.hpp"

#include <iocpx/error.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/detail/thread_info_base.hpp> // BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE
#include <boost/asio/io_context_strand.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple, deferred, bind_allocator: Boost 1.80
#  include <boost/asio/as_tuple.hpp>
#  include <boost/asio/bind_allocator.hpp>
#  include <boost/asio/deferred.hpp>
#endif
// parallel_group: Boost 1.77 (cancellation slots); deferred: Boost 1.80
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) && defined(IOCPX_TEST_HAS_ASIO_1_80)
#  include <boost/asio/experimental/parallel_group.hpp>
#endif

#include <array>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <future>
#include <atomic>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace ix = iocpx::windows;
namespace asio = boost::asio;

// A completion token whose initiation first asks the initiation object for
// its executor (asio::get_associated_executor), as use_promise does, and
// binds the handler to it.
struct asks_initiation_executor
{
  std::function<void(boost::system::error_code)> done;
};

template <typename Signature>
struct boost::asio::async_result<asks_initiation_executor, Signature>
{
  using return_type = void;

  template <typename Initiation, typename... Args>
  static void initiate(Initiation&& init, asks_initiation_executor token, Args&&... args)
  {
    auto ex = boost::asio::get_associated_executor(init);
    std::move(init)(boost::asio::bind_executor(ex,
                        [done = std::move(token.done)](
                            boost::system::error_code ec, std::size_t) { done(ec); }),
        std::forward<Args>(args)...);
  }
};

using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

namespace {

// Start functions a user would write.
auto read_into(HANDLE h, void* data, DWORD size)
{
  return [=](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(h, data, size, nullptr, ov)); };
}

auto write_from(HANDLE h, const void* data, DWORD size)
{
  return [=](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(h, data, size, nullptr, ov)); };
}

struct result
{
  int calls = 0;
  error_code ec;
  std::size_t n = 0;

  auto handler()
  {
    return [this](error_code e, std::size_t bytes) {
      ++calls;
      ec = e;
      n = bytes;
    };
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(async_overlapped)

BOOST_AUTO_TEST_CASE(pending_read_completes_when_data_arrives)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf[32] = {};
  result r;
  ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), r.handler());
  ctx.poll();
  BOOST_TEST(r.calls == 0); // nothing to read yet
  write_all(p.client.get(), "hello", 5);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  ctx.poll();
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.n == 5u);
  BOOST_TEST(std::string(buf, 5) == "hello");
}

// An immediate success must complete exactly once, through the io_context,
// with or without skip-on-success; and with it, no packet may follow (a
// stray packet would complete the next operation, which reuses the memory).
void immediate_success_completes_once(ix::bind_options options)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), options);
  BOOST_TEST(b.skips_completion_port_on_success() == options.skip_completion_port_on_success);

  result w;
  ix::async_overlapped(b, write_from(p.server.get(), "ping", 4), w.handler());
  BOOST_TEST(w.calls == 0); // never inside the initiating function
  BOOST_TEST(run_until(ctx, [&] { return w.calls > 0; }));
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(!w.ec);
  BOOST_TEST(w.n == 4u);
  BOOST_TEST(read_exact(p.client.get(), 4) == "ping");

  char buf[8];
  result r;
  ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), r.handler());
  ctx.restart();
  ctx.run_for(200ms);
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(r.calls == 0); // still pending: no stray packet completed it
  BOOST_TEST(b.operations_in_flight() == 1u);
  write_all(p.client.get(), "pong", 4);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.n == 4u);
  BOOST_TEST(std::string(buf, 4) == "pong");
}

BOOST_AUTO_TEST_CASE(immediate_success_with_skip_on_success)
{
  immediate_success_completes_once(ix::bind_options::fast());
}

BOOST_AUTO_TEST_CASE(immediate_success_without_skip_on_success)
{
  immediate_success_completes_once({});
}

BOOST_AUTO_TEST_CASE(immediate_read_success_with_skip)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  write_all(p.client.get(), "data!", 5);
  char buf[16];
  result r;
  ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), r.handler());
  BOOST_TEST(r.calls == 0);
  BOOST_TEST(ctx.poll() == 1u);
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.n == 5u);
  BOOST_TEST(std::string(buf, 5) == "data!");
}

BOOST_AUTO_TEST_CASE(immediate_failure_is_delivered_through_the_context)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  p.client.reset(); // the peer is gone: writes fail at once
  result r;
  ix::async_overlapped(b, write_from(p.server.get(), "x", 1), r.handler());
  BOOST_TEST(r.calls == 0);
  BOOST_TEST(ctx.poll() == 1u);
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.ec == error_code(ERROR_NO_DATA, boost::system::system_category()));
  BOOST_TEST(r.n == 0u);
}

BOOST_AUTO_TEST_CASE(start_may_report_a_failure_of_its_own)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  result r;
  ix::async_overlapped(b, [](OVERLAPPED*) -> DWORD { return ERROR_NOT_SUPPORTED; }, r.handler());
  BOOST_TEST(r.calls == 0);
  ctx.poll();
  BOOST_TEST(r.ec == error_code(ERROR_NOT_SUPPORTED, boost::system::system_category()));
  BOOST_TEST(b.operations_in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(connect_named_pipe_pending_and_already_connected)
{
  asio::io_context ctx;
  const std::string name = unique_pipe_name();
  unique_handle server(::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 2, 4096, 4096, 0, nullptr));
  BOOST_REQUIRE(server.get() != INVALID_HANDLE_VALUE);
  ix::binding b = ix::bind(ctx, server.get(), ix::bind_options::fast());
  auto connect = [&](OVERLAPPED* ov) { return ix::win32_result(::ConnectNamedPipe(server.get(), ov)); };

  result r;
  ix::async_overlapped(b, connect, r.handler());
  ctx.poll();
  BOOST_TEST(r.calls == 0); // listening
  unique_handle client(::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr));
  BOOST_REQUIRE(client.get() != INVALID_HANDLE_VALUE);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(!r.ec);

  // A second instance whose client connects before ConnectNamedPipe: the
  // call reports ERROR_PIPE_CONNECTED at once, and no packet follows.
  unique_handle server2(::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 2, 4096, 4096, 0, nullptr));
  ix::binding b2 = ix::bind(ctx, server2.get());
  unique_handle client2(::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr));
  BOOST_REQUIRE(client2.get() != INVALID_HANDLE_VALUE);
  result r2;
  ix::async_overlapped(b2,
      [&](OVERLAPPED* ov) { return ix::win32_result(::ConnectNamedPipe(server2.get(), ov)); },
      r2.handler());
  BOOST_TEST(run_until(ctx, [&] { return r2.calls > 0; }));
  BOOST_TEST(r2.ec == error_code(ERROR_PIPE_CONNECTED, boost::system::system_category()));
  let_stray_completions_arrive(ctx, 100ms);
  BOOST_TEST(r2.calls == 1);
}

void more_data_is_distinguishable(ix::bind_options options)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair(true);
  ix::binding b = ix::bind(ctx, p.server.get(), options);
  write_all(p.client.get(), "0123456789", 10);

  char small[4];
  result r;
  ix::async_overlapped(b, read_into(p.server.get(), small, sizeof small), r.handler());
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(ix::is_more_data(r.ec));
  BOOST_TEST(r.n == 4u);
  BOOST_TEST(std::string(small, 4) == "0123");

  char rest[16];
  result r2;
  ix::async_overlapped(b, read_into(p.server.get(), rest, sizeof rest), r2.handler());
  BOOST_TEST(run_until(ctx, [&] { return r2.calls > 0; }));
  BOOST_TEST(!r2.ec);
  BOOST_TEST(!ix::is_more_data(r2.ec));
  BOOST_TEST(r2.n == 6u);
  BOOST_TEST(std::string(rest, 6) == "456789");
  let_stray_completions_arrive(ctx, 100ms);
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r2.calls == 1);
}

BOOST_AUTO_TEST_CASE(more_data_with_skip_on_success)
{
  more_data_is_distinguishable(ix::bind_options::fast());
}

BOOST_AUTO_TEST_CASE(more_data_without_skip_on_success)
{
  more_data_is_distinguishable({});
}

// A datagram longer than the buffer: WSARecv fails with WSAEMSGSIZE, but
// the kernel completed the receive with a warning (STATUS_BUFFER_OVERFLOW)
// and, without skip-on-success, queues a packet as for a success. The
// operation completes once, as more data, and the socket goes on working.
void oversized_datagram_completes_once(ix::bind_options options)
{
  winsock ws;
  asio::io_context ctx;
  udp_pair udp;
  const SOCKET receiver = udp.a;
  ix::binding b = ix::bind(ctx, reinterpret_cast<HANDLE>(receiver), options);
  udp.send({"0123456789", "ok"});

  char small[2];
  WSABUF small_wsa{sizeof small, small};
  DWORD flags = 0;
  result first;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        return ix::wsa_result(::WSARecv(receiver, &small_wsa, 1, nullptr, &flags, ov, nullptr));
      },
      first.handler());
  BOOST_TEST(run_until(ctx, [&] { return first.calls > 0; }));
  BOOST_TEST(ix::is_more_data(first.ec));
  BOOST_TEST(first.n == 2u);
  BOOST_TEST(std::string(small, 2) == "01");

  char buf[16];
  WSABUF wsa{sizeof buf, buf};
  DWORD flags2 = 0;
  result second;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) { return ix::wsa_result(::WSARecv(receiver, &wsa, 1, nullptr, &flags2, ov, nullptr)); },
      second.handler());
  BOOST_TEST(run_until(ctx, [&] { return second.calls > 0; }));
  BOOST_TEST(!second.ec);
  BOOST_TEST(std::string(buf, second.n) == "ok");
  let_stray_completions_arrive(ctx, 100ms);
  BOOST_TEST(first.calls == 1);
  BOOST_TEST(second.calls == 1);
}

BOOST_AUTO_TEST_CASE(oversized_datagram_with_skip_on_success)
{
  oversized_datagram_completes_once(ix::bind_options::fast());
}

BOOST_AUTO_TEST_CASE(oversized_datagram_without_skip_on_success)
{
  oversized_datagram_completes_once({});
}

// The same without skip-on-success, while another thread runs the
// io_context: it may dequeue the oversized datagram's packet before the
// start function has returned. Asio's loop then keeps the result in the
// OVERLAPPED, where the kernel's status was; the operation must still
// complete once, as more data, not as a failure.
BOOST_AUTO_TEST_CASE(oversized_datagram_whose_packet_is_dequeued_during_the_start)
{
  winsock ws;
  asio::io_context ctx;
  udp_pair udp;
  const SOCKET receiver = udp.a;
  ix::binding b = ix::bind(ctx, reinterpret_cast<HANDLE>(receiver), {});
  udp.send({"0123456789"});
  auto work = asio::make_work_guard(ctx);
  std::thread runner([&] { ctx.run(); });

  char small[2];
  WSABUF small_wsa{sizeof small, small};
  DWORD flags = 0;
  bool dequeued = false;
  std::atomic<int> calls{0};
  error_code ec;
  std::size_t n = 0;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        const DWORD r = ix::wsa_result(::WSARecv(receiver, &small_wsa, 1, nullptr, &flags, ov, nullptr));
        // Wait until the runner has dequeued the packet: its loop writes
        // its own value over the status the kernel left here (compared
        // with that value, not with the status read now: the runner may
        // have taken the packet already).
        dequeued = wait_until(
            [&] {
              std::atomic_thread_fence(std::memory_order_acquire);
              return ix::detail::packet_taken_by_loop(*ov);
            },
            5s);
        return r;
      },
      [&](error_code e, std::size_t bytes) { // on the runner; checked after join()
        ec = e;
        n = bytes;
        ++calls;
      });
  wait_until([&] { return calls.load() > 0; }, 10s);
  std::this_thread::sleep_for(100ms); // a second completion would come now
  work.reset();
  ctx.stop();
  runner.join();
  BOOST_TEST(dequeued);
  BOOST_TEST(calls.load() == 1);
  BOOST_TEST(ix::is_more_data(ec), ec.message());
  BOOST_TEST(n == 2u);
  BOOST_TEST(std::string(small, 2) == "01");
}

BOOST_AUTO_TEST_CASE(disk_file_write_then_read_at_offsets)
{
  asio::io_context ctx;
  unique_handle file = make_temp_file();
  ix::binding b = ix::bind(ctx, file.get(), ix::bind_options::fast());
  const std::string text = "abcdefghijklmnopqrstuvwxyz";
  result w;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        ov->Offset = 100; // the start function owns the OVERLAPPED's offset
        return ix::win32_result(::WriteFile(file.get(), text.data(), DWORD(text.size()), nullptr, ov));
      },
      w.handler());
  BOOST_TEST(run_until(ctx, [&] { return w.calls > 0; }));
  BOOST_TEST(!w.ec);
  BOOST_TEST(w.n == text.size());

  char buf[5] = {};
  result r;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        ov->Offset = 110;
        return ix::win32_result(::ReadFile(file.get(), buf, sizeof buf, nullptr, ov));
      },
      r.handler());
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(!r.ec);
  BOOST_TEST(std::string(buf, 5) == "klmno");

  result eof;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        ov->Offset = 1000;
        return ix::win32_result(::ReadFile(file.get(), buf, sizeof buf, nullptr, ov));
      },
      eof.handler());
  BOOST_TEST(run_until(ctx, [&] { return eof.calls > 0; }));
  BOOST_TEST(eof.ec == error_code(ERROR_HANDLE_EOF, boost::system::system_category()));
}

BOOST_AUTO_TEST_CASE(socket_send_and_receive)
{
  winsock ws;
  asio::io_context ctx;
  socket_pair sp;
  make_socket_pair(sp);
  ix::binding a = ix::bind(ctx, sp.a, ix::bind_options::fast());
  ix::binding c = ix::bind(ctx, sp.b);

  char rbuf[16] = {};
  WSABUF rwsa{sizeof rbuf, rbuf};
  DWORD flags = 0;
  result r;
  ix::async_overlapped(c,
      [&](OVERLAPPED* ov) { return ix::wsa_result(::WSARecv(sp.b, &rwsa, 1, nullptr, &flags, ov, nullptr)); },
      r.handler());
  ctx.poll();
  BOOST_TEST(r.calls == 0);

  char text[] = "socket";
  WSABUF swsa{6, text};
  result s;
  ix::async_overlapped(a,
      [&](OVERLAPPED* ov) { return ix::wsa_result(::WSASend(sp.a, &swsa, 1, nullptr, 0, ov, nullptr)); },
      s.handler());
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0 && s.calls > 0; }));
  BOOST_TEST(!s.ec);
  BOOST_TEST(s.n == 6u);
  BOOST_TEST(!r.ec);
  BOOST_TEST(std::string(rbuf, r.n) == "socket");
}

BOOST_AUTO_TEST_CASE(empty_binding_completes_with_not_bound)
{
  asio::io_context ctx;
  ix::binding empty;
  bool called_start = false;
  result r;
  ix::async_overlapped(empty,
      [&](OVERLAPPED*) -> DWORD { called_start = true; return ERROR_SUCCESS; },
      asio::bind_executor(ctx, r.handler()));
  BOOST_TEST(r.calls == 0);
  ctx.poll();
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.ec == iocpx::error::not_bound);
  BOOST_TEST(!called_start);
}

// A token that asks the initiation for its executor before initiating, as
// asio::experimental::use_promise does: an empty binding has no io_context,
// and gives the system executor, through which not_bound arrives (until
// 2026-11-29 a read through a null pointer; found by review). A bound one
// gives its io_context's.
BOOST_AUTO_TEST_CASE(a_token_asking_the_initiation_for_its_executor_gets_one)
{
  ix::binding empty;
  std::atomic<bool> done{false};
  error_code seen;
  bool called_start = false;
  ix::async_overlapped(empty,
      [&](OVERLAPPED*) -> DWORD {
        called_start = true;
        return ERROR_SUCCESS;
      },
      asks_initiation_executor{[&](error_code ec) {
        seen = ec;
        done = true;
      }});
  for (int i = 0; i < 1000 && !done; ++i) // on a thread of the system executor
    std::this_thread::sleep_for(10ms);
  BOOST_TEST(done.load());
  BOOST_TEST(seen == iocpx::error::not_bound);
  BOOST_TEST(!called_start);

  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  done = false;
  ix::async_overlapped(b, [](OVERLAPPED*) -> DWORD { return ERROR_INVALID_PARAMETER; },
      asks_initiation_executor{[&](error_code ec) {
        seen = ec;
        done = true;
      }});
  BOOST_TEST(!done.load());
  ctx.run(); // ran by this io_context
  BOOST_TEST(done.load());
  BOOST_TEST(seen.value() == ERROR_INVALID_PARAMETER);
}

BOOST_AUTO_TEST_CASE(closed_binding_completes_with_not_bound)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding owner = ix::bind(ctx, p.server.release());
  ix::binding other = ix::bind(ctx, owner.native_handle());
  owner.close();
  BOOST_TEST(!other.is_bound());
  bool called_start = false;
  result r;
  ix::async_overlapped(other,
      [&](OVERLAPPED*) -> DWORD { called_start = true; return ERROR_SUCCESS; }, r.handler());
  ctx.poll();
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.ec == iocpx::error::not_bound);
  BOOST_TEST(!called_start);
}

BOOST_AUTO_TEST_CASE(exception_from_start_propagates_and_starts_nothing)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  auto token = std::make_shared<int>(1);
  bool called = false;
  BOOST_CHECK_THROW(ix::async_overlapped(b,
                        [](OVERLAPPED*) -> DWORD { throw std::runtime_error("start failed"); },
                        [&called, token](error_code, std::size_t) { called = true; }),
      std::runtime_error);
  BOOST_TEST(token.use_count() == 1); // the handler was destroyed
  BOOST_TEST(b.operations_in_flight() == 0u);

  // The work counted for the operation was given back without stopping the
  // io_context, which is not running yet: later work still runs.
  bool later = false;
  asio::post(ctx, [&] { later = true; });
  ctx.run_for(std::chrono::seconds(10)); // no restart(): it must not be stopped
  BOOST_TEST(later);
  BOOST_TEST(!called);
}

BOOST_AUTO_TEST_CASE(exception_from_start_in_a_handler_starts_nothing)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  bool threw = false, called = false, later = false;
  asio::post(ctx, [&] {
    try
    {
      ix::async_overlapped(b, [](OVERLAPPED*) -> DWORD { throw std::runtime_error("start failed"); },
          [&](error_code, std::size_t) { called = true; });
    }
    catch (const std::runtime_error&)
    {
      threw = true;
    }
    asio::post(ctx, [&] { later = true; });
  });
  BOOST_TEST(run_until(ctx, [&] { return later; }));
  BOOST_TEST(threw);
  BOOST_TEST(later);
  BOOST_TEST(!called);
  BOOST_TEST(b.operations_in_flight() == 0u);
}

// An operation counts as work from before its start function runs, as Asio's
// own operations do. Here the start function runs on the main thread while
// the io_context's only other work finishes on the thread that runs it;
// counted only after the call, the io_context would find no work, stop, and
// leave the read in flight with nobody to deliver it.
BOOST_AUTO_TEST_CASE(work_is_counted_before_the_start_function_runs)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  std::atomic<bool> in_start{false}, last_handler_done{false}, read_done{false};
  // Waits of at most 10 s, so that a broken build fails instead of hanging.
  auto wait_for = [](const std::atomic<bool>& flag) {
    return wait_until([&] { return flag.load(); }, std::chrono::seconds(10));
  };
  asio::post(ctx, [&] {
    wait_for(in_start);
    last_handler_done = true;
  });
  std::thread runner([&] { ctx.run(); });

  char byte = 0;
  error_code read_ec;
  std::size_t read_n = 0;
  bool saw_last_handler = false;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        const DWORD r = ix::win32_result(::ReadFile(p.server.get(), &byte, 1, nullptr, ov));
        in_start = true;
        saw_last_handler = wait_for(last_handler_done);
        ::Sleep(100); // time for the runner to stop if it found no work
        return r;
      },
      [&](error_code ec, std::size_t n) { // on the runner; checked after join()
        read_ec = ec;
        read_n = n;
        read_done = true;
      });
  BOOST_TEST(saw_last_handler);
  BOOST_TEST(!ctx.stopped());
  write_all(p.client.get(), "x", 1);
  if (!wait_for(read_done))
    ctx.stop(); // let the runner go
  runner.join(); // run() returns once the read's handler has run
  BOOST_TEST(read_done.load());
  BOOST_TEST(!read_ec);
  BOOST_TEST(read_n == 1u);
  BOOST_TEST(byte == 'x');
}

// --- completion tokens ----------------------------------------------------

BOOST_AUTO_TEST_CASE(token_use_future)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  auto work = asio::make_work_guard(ctx);
  std::thread runner([&] { ctx.run(); });
  char buf[8];
  std::future<std::size_t> f = ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), asio::use_future);
  write_all(p.client.get(), "fut", 3);
  BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
  BOOST_TEST(f.get() == 3u);

  p.client.reset();
  std::future<std::size_t> broken = ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), asio::use_future);
  BOOST_REQUIRE(broken.wait_for(10s) == std::future_status::ready);
  BOOST_CHECK_EXCEPTION(broken.get(), boost::system::system_error,
      [](const boost::system::system_error& e) { return e.code().value() == ERROR_BROKEN_PIPE; });
  work.reset();
  runner.join();
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::deferred: Boost 1.80
BOOST_AUTO_TEST_CASE(token_deferred_starts_only_when_invoked)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  int starts = 0;
  auto op = ix::async_overlapped(b,
      [&](OVERLAPPED* ov) { ++starts; return ix::win32_result(::WriteFile(p.server.get(), "d", 1, nullptr, ov)); },
      asio::deferred);
  BOOST_TEST(starts == 0);
  result r;
  std::move(op)(r.handler());
  BOOST_TEST(starts == 1);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(r.n == 1u);
}
#endif

BOOST_AUTO_TEST_CASE(token_as_tuple_and_redirect_error)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  p.client.reset();
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::as_tuple: Boost 1.80 (redirect_error is older)
  bool done = false;
  ix::async_overlapped(b, write_from(p.server.get(), "x", 1),
      asio::as_tuple([&](std::tuple<error_code, std::size_t> t) {
        BOOST_TEST(std::get<0>(t).value() == ERROR_NO_DATA);
        done = true;
      }));
  ctx.poll();
  BOOST_TEST(done);
#endif

  error_code redirected;
  bool done2 = false;
  ix::async_overlapped(b, write_from(p.server.get(), "x", 1),
      asio::redirect_error([&](std::size_t n) { BOOST_TEST(n == 0u); done2 = true; }, redirected));
  ctx.restart();
  ctx.poll();
  BOOST_TEST(done2);
  BOOST_TEST(redirected.value() == ERROR_NO_DATA);
}

BOOST_AUTO_TEST_CASE(token_bind_executor_runs_on_the_strand)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  auto strand = asio::make_strand(ctx);
  std::atomic<int> on_strand{0};
  std::atomic<int> calls{0};
  for (int i = 0; i < 8; ++i)
  {
    ix::async_overlapped(b, write_from(p.server.get(), "s", 1),
        asio::bind_executor(strand, [&](error_code ec, std::size_t) {
          BOOST_TEST(!ec);
          if (strand.running_in_this_thread())
            ++on_strand;
          ++calls;
        }));
  }
  std::thread t([&] { ctx.run(); });
  ctx.run();
  t.join();
  BOOST_TEST(calls == 8);
  BOOST_TEST(on_strand == 8);
}

// The same with the legacy io_context::strand (a Networking TS executor),
// which older code still binds its handlers to; an operation that waits
// keeps run() from returning.
BOOST_AUTO_TEST_CASE(token_bound_to_a_legacy_io_context_strand_runs_on_it)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  asio::io_context::strand strand(ctx);
  int on_strand = 0, calls = 0;
  char buf[8] = {};
  auto on_it = [&](error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    on_strand += strand.running_in_this_thread();
    ++calls;
  };
  ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), asio::bind_executor(strand, on_it));
  for (int i = 0; i < 4; ++i)
    ix::async_overlapped(b, write_from(p.server.get(), "s", 1), asio::bind_executor(strand, on_it));
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    write_all(p.client.get(), "x", 1);
  });
  ctx.run(); // returns only once the pending read has completed
  writer.join();
  BOOST_TEST(calls == 5);
  BOOST_TEST(on_strand == 5);
  BOOST_TEST(buf[0] == 'x');
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // asio::bind_allocator: Boost 1.80
BOOST_AUTO_TEST_CASE(token_bind_allocator_is_used_for_the_operation)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  allocator_log log;
  result r;
  ix::async_overlapped(b, write_from(p.server.get(), "a", 1),
      asio::bind_allocator(tracking_allocator<void>(&log), r.handler()));
  BOOST_TEST(log.allocations == 1);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  BOOST_TEST(r.n == 1u);
  BOOST_TEST(log.deallocations == 1);
  BOOST_TEST(log.live_bytes == 0);
}
#endif

// parallel_group: Boost 1.77 (cancellation slots); deferred: Boost 1.80
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) && defined(IOCPX_TEST_HAS_ASIO_1_80)
BOOST_AUTO_TEST_CASE(token_parallel_group_cancels_the_loser)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf[8];
  asio::steady_timer timer(ctx, 50ms);
  bool done = false;
  asio::experimental::make_parallel_group(
      ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf), asio::deferred),
      timer.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
          [&](std::array<std::size_t, 2> order, error_code read_ec, std::size_t n, error_code timer_ec) {
            BOOST_TEST(order[0] == 1u); // the timer won
            BOOST_TEST(!timer_ec);
            BOOST_TEST(read_ec == asio::error::operation_aborted); // the read was cancelled
            BOOST_TEST(n == 0u);
            done = true;
          });
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(b.operations_in_flight() == 0u);
}
#endif

// --- cancellation ---------------------------------------------------------

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
void cancel_one_of_several(asio::cancellation_type type)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf1[8], buf2[8];
  asio::cancellation_signal signal;
  result cancelled, survivor;
  ix::async_overlapped(b, read_into(p.server.get(), buf1, sizeof buf1),
      asio::bind_cancellation_slot(signal.slot(), cancelled.handler()));
  ix::async_overlapped(b, read_into(p.server.get(), buf2, sizeof buf2), survivor.handler());
  ctx.poll();
  BOOST_TEST(b.operations_in_flight() == 2u);
  signal.emit(type);
  BOOST_TEST(run_until(ctx, [&] { return cancelled.calls > 0; }));
  BOOST_TEST(cancelled.ec == asio::error::operation_aborted);
  BOOST_TEST(survivor.calls == 0);
  signal.emit(type); // a second emit after completion is harmless
  write_all(p.client.get(), "alive", 5);
  BOOST_TEST(run_until(ctx, [&] { return survivor.calls > 0; }));
  BOOST_TEST(!survivor.ec);
  BOOST_TEST(std::string(buf2, survivor.n) == "alive");
  BOOST_TEST(cancelled.calls == 1);
}

BOOST_AUTO_TEST_CASE(cancel_terminal)
{
  cancel_one_of_several(asio::cancellation_type::terminal);
}

BOOST_AUTO_TEST_CASE(cancel_partial)
{
  cancel_one_of_several(asio::cancellation_type::partial);
}

BOOST_AUTO_TEST_CASE(cancel_total)
{
  cancel_one_of_several(asio::cancellation_type::total);
}

BOOST_AUTO_TEST_CASE(cancel_twice_before_completion)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf[8];
  asio::cancellation_signal signal;
  result r;
  ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf),
      asio::bind_cancellation_slot(signal.slot(), r.handler()));
  signal.emit(asio::cancellation_type::terminal);
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
  let_stray_completions_arrive(ctx, 50ms);
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(cancellation_after_immediate_completion_keeps_the_result)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  asio::cancellation_signal signal;
  result r;
  ix::async_overlapped(b, write_from(p.server.get(), "k", 1),
      asio::bind_cancellation_slot(signal.slot(), r.handler()));
  signal.emit(asio::cancellation_type::terminal); // too late: it already succeeded
  ctx.poll();
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.n == 1u);
}

// A read ended by the peer closing (ERROR_BROKEN_PIPE: a code Wine also
// gives for I/O ended by closing one's own handle) completes in the kernel;
// a cancel that comes while its packet waits finds nothing to cancel, and
// the handler gets the real result. Until 2026-11-30 iocpx turned it into
// operation_aborted once any cancel had been asked for. (The other side —
// the same code after our own close is an abort — is lifetime.cpp's
// binding_close_aborts_reads_and_writes.)
BOOST_AUTO_TEST_CASE(a_cancel_after_the_peer_closed_keeps_the_broken_pipe)
{
  for (int variant = 0; variant < 2; ++variant)
  {
    BOOST_TEST_CONTEXT((variant == 0 ? "slot emit" : "binding::cancel"))
    {
      asio::io_context ctx;
      pipe_pair p = make_pipe_pair();
      ix::binding b = ix::bind(ctx, p.server.get());
      asio::cancellation_signal signal;
      char buf[8];
      result r;
      ix::async_overlapped(b, read_into(p.server.get(), buf, sizeof buf),
          asio::bind_cancellation_slot(signal.slot(), r.handler()));
      p.client.reset(); // the read completes now, with ERROR_BROKEN_PIPE
      ::Sleep(100);     // (Wine: the result reaches the port meanwhile)
      if (variant == 0)
        signal.emit(asio::cancellation_type::terminal);
      else
        b.cancel();
      BOOST_TEST(run_until(ctx, [&] { return r.calls > 0; }));
      BOOST_TEST(r.calls == 1);
      BOOST_TEST(r.ec == error_code(ERROR_BROKEN_PIPE, boost::system::system_category()));
    }
  }
}

#endif

BOOST_AUTO_TEST_CASE(binding_cancel_aborts_everything_in_flight)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf1[8], buf2[8];
  result r1, r2;
  ix::async_overlapped(b, read_into(p.server.get(), buf1, sizeof buf1), r1.handler());
  ix::async_overlapped(b, read_into(p.server.get(), buf2, sizeof buf2), r2.handler());
  b.cancel();
  BOOST_TEST(run_until(ctx, [&] { return r1.calls && r2.calls; }));
  BOOST_TEST(r1.ec == asio::error::operation_aborted);
  BOOST_TEST(r2.ec == asio::error::operation_aborted);
  b.cancel(); // nothing in flight: still fine
}

// --- allocation -----------------------------------------------------------

// Two operations are in flight at a time: zero allocations needs Asio's
// recycling allocator to cache two blocks per thread, as it does since
// BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE (Boost 1.74 caches one and
// allocates for about every operation). Cancellation slots: Boost 1.77.
#if defined(BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE) && defined(IOCPX_HAS_CANCELLATION_SLOTS)
BOOST_AUTO_TEST_CASE(zero_allocations_per_operation_in_steady_state)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding server = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  ix::binding client = ix::bind(ctx, p.client.get());

  // A ping-pong between two chains of operations, with a cancellation slot
  // connected on one side (the slot's storage is reused too).
  struct pinger
  {
    ix::binding& server;
    ix::binding& client;
    asio::cancellation_signal signal;
    char sbuf[4] = {};
    char cbuf[4] = {};
    int remaining = 0;

    long long before = 0; // allocations when 500 rounds are left
    long long after = 0;  // and when none are

    void round()
    {
      if (remaining == 500)
        before = iocpx_test::allocations();
      if (remaining-- == 0)
      {
        after = iocpx_test::allocations();
        return;
      }
      HANDLE c = client.native_handle();
      ix::async_overlapped(client,
          [this, c](OVERLAPPED* ov) { return ix::win32_result(::ReadFile(c, cbuf, 4, nullptr, ov)); },
          asio::bind_cancellation_slot(signal.slot(), [this](error_code ec, std::size_t n) {
            BOOST_REQUIRE(!ec);
            BOOST_REQUIRE(n == 4u);
            round();
          }));
      HANDLE s = server.native_handle();
      ix::async_overlapped(server,
          [s](OVERLAPPED* ov) { return ix::win32_result(::WriteFile(s, "ping", 4, nullptr, ov)); },
          [](error_code ec, std::size_t n) {
            BOOST_REQUIRE(!ec);
            BOOST_REQUIRE(n == 4u);
          });
    }
  } chain{server, client, {}, {}, {}, 0, 0, 0};

  // Warm-up and measurement in one run(): Asio's recycled blocks belong to
  // the run() call that freed them and are released when it returns.
  chain.remaining = 520;
  chain.round();
  ctx.run();
  BOOST_REQUIRE(chain.remaining < 0);
  const long long per_500 = chain.after - chain.before;
  BOOST_TEST_MESSAGE("allocations for 1000 operations: " << per_500);
  BOOST_TEST(per_500 == 0);
}
#endif

// --- stress ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(four_threads_ten_thousand_operations_each_completes_once)
{
  asio::io_context ctx(4);
  constexpr int pairs = 8;
  constexpr int ops_per_pair = 625; // 8 * 625 * 2 = 10,000 operations
  std::vector<pipe_pair> pipes;
  std::vector<ix::binding> writers, readers;
  for (int i = 0; i < pairs; ++i)
  {
    pipes.push_back(make_pipe_pair(false, 4096));
    writers.push_back(ix::bind(ctx, pipes.back().server.get(), i % 2 ? ix::bind_options::fast() : ix::bind_options{}));
    readers.push_back(ix::bind(ctx, pipes.back().client.get(), i % 2 ? ix::bind_options{} : ix::bind_options::fast()));
  }
  std::vector<std::atomic<int>> completions(pairs * ops_per_pair * 2);
  std::atomic<long> bytes_read{0};
  std::atomic<int> errors{0};

  struct chain
  {
    ix::binding* b;
    std::vector<std::atomic<int>>* completions;
    std::atomic<int>* errors;
    std::atomic<long>* bytes;
    int base;
    int index = 0;
    bool writer;
    char buf[64];
    long transferred = 0;
    long target;

    void next()
    {
      if (transferred >= target)
        return;
      const int id = base + index++;
      HANDLE h = b->native_handle();
      auto start = [this, h](OVERLAPPED* ov) {
        return writer ? ix::win32_result(::WriteFile(h, buf, 8, nullptr, ov))
                      : ix::win32_result(::ReadFile(h, buf, sizeof buf, nullptr, ov));
      };
      ix::async_overlapped(*b, start, [this, id](error_code ec, std::size_t n) {
        if (ec)
          ++*errors;
        if ((*completions)[static_cast<std::size_t>(id)].fetch_add(1) != 0)
          ++*errors;
        transferred += static_cast<long>(n);
        if (!writer)
          *bytes += static_cast<long>(n);
        if (!ec)
          next();
      });
    }
  };

  std::vector<std::unique_ptr<chain>> chains;
  for (int i = 0; i < pairs; ++i)
  {
    const int base = i * ops_per_pair * 2;
    chains.push_back(std::make_unique<chain>(chain{&writers[std::size_t(i)], &completions, &errors,
        &bytes_read, base, 0, true, {}, 0, ops_per_pair * 8L}));
    chains.push_back(std::make_unique<chain>(chain{&readers[std::size_t(i)], &completions, &errors,
        &bytes_read, base + ops_per_pair, 0, false, {}, 0, ops_per_pair * 8L}));
  }
  for (auto& c : chains)
    c->next();

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] { ctx.run(); });
  for (auto& t : threads)
    t.join();

  BOOST_TEST(errors == 0);
  BOOST_TEST(bytes_read == long(pairs) * ops_per_pair * 8);
  int writes_done = 0, total = 0;
  for (int i = 0; i < pairs; ++i)
  {
    for (int k = 0; k < ops_per_pair; ++k)
    {
      const int c = completions[std::size_t(i * ops_per_pair * 2 + k)].load();
      BOOST_TEST_REQUIRE(c == 1); // every write completed exactly once
      ++writes_done;
    }
  }
  for (auto& c : completions)
    total += c.load();
  BOOST_TEST(writes_done == pairs * ops_per_pair);
  // Reads may coalesce several writes, so there are at most as many reads as
  // writes; each started read completed exactly once.
  BOOST_TEST(total >= writes_done + pairs);
  for (auto& c : completions)
    BOOST_TEST_REQUIRE(c.load() <= 1);
}

BOOST_AUTO_TEST_SUITE_END()

// --- found by review, 2026-11-27 ---------------------------------------------

BOOST_AUTO_TEST_SUITE(async_overlapped_review)

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
// Asio lets a slot be given a new handler (or be cleared, or its signal be
// destroyed) while an operation that installed one is in flight: that
// operation merely stops being cancellable. The OVERLAPPED the kernel owns
// must not live in the slot's storage, or the second operation's emplace
// destroys and reuses the first one's OVERLAPPED while the kernel owns it.
BOOST_AUTO_TEST_CASE(slot_reused_while_the_first_operation_is_in_flight)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf1[4] = {}, buf2[4] = {};
  asio::cancellation_signal signal;
  result r1, r2;
  ix::async_overlapped(b, read_into(p.server.get(), buf1, 1),
      asio::bind_cancellation_slot(signal.slot(), r1.handler()));
  ix::async_overlapped(b, read_into(p.server.get(), buf2, 1),
      asio::bind_cancellation_slot(signal.slot(), r2.handler()));
  ctx.poll();
  BOOST_TEST(b.operations_in_flight() == 2u);
  write_all(p.client.get(), "a", 1);
  BOOST_TEST(run_until(ctx, [&] { return r1.calls + r2.calls > 0; }));
  BOOST_TEST(r1.calls == 1); // the first read got the first byte
  BOOST_TEST(r2.calls == 0);
  write_all(p.client.get(), "b", 1);
  BOOST_TEST(run_until(ctx, [&] { return r1.calls + r2.calls >= 2; }, 2000ms));
  let_stray_completions_arrive(ctx, 50ms);
  BOOST_TEST(r1.calls == 1);
  BOOST_TEST(r2.calls == 1);
  BOOST_TEST(buf1[0] == 'a');
  BOOST_TEST(buf2[0] == 'b');
  BOOST_TEST(b.operations_in_flight() == 0u);
}

// A signal emitted after its operation completed must not cancel the
// operation that reuses the completed one's memory (the recycling allocator
// hands the same block to the next operation started from the handler).
BOOST_AUTO_TEST_CASE(late_emit_does_not_cancel_the_operation_reusing_the_memory)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf1[4] = {}, buf2[4] = {};
  asio::cancellation_signal signal;
  result r2;
  int r1_calls = 0;
  ix::async_overlapped(b, read_into(p.server.get(), buf1, 1),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, std::size_t) {
        ++r1_calls;
        BOOST_TEST(!ec);
        ix::async_overlapped(b, read_into(p.server.get(), buf2, 1), r2.handler());
        signal.emit(asio::cancellation_type::terminal); // too late for the first read
      }));
  write_all(p.client.get(), "a", 1);
  BOOST_TEST(run_until(ctx, [&] { return r1_calls > 0; }));
  ctx.restart();
  ctx.run_for(100ms);
  BOOST_TEST(r2.calls == 0); // still pending: not cancelled
  write_all(p.client.get(), "b", 1);
  BOOST_TEST(run_until(ctx, [&] { return r2.calls > 0; }));
  BOOST_TEST(!r2.ec);
  BOOST_TEST(buf2[0] == 'b');
}

#endif

// Single thread, no skip-on-success: a handler writes (immediate success:
// the kernel queues its packet at once), then starts an operation that
// fails at once. Asio posts an immediate failure behind the packet, so the
// write completes first; the fast path used to run the failure first.
BOOST_AUTO_TEST_CASE(completion_order_of_a_success_with_a_packet_and_a_later_failure)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  std::string order;
  asio::post(ctx, [&] {
    ix::async_overlapped(b, write_from(p.server.get(), "a", 1), [&](error_code, std::size_t) {
      // a handler delivered by iocpx: the fast path is open in it
      ix::async_overlapped(b, write_from(p.server.get(), "b", 1),
          [&](error_code, std::size_t) { order += 'W'; });
      ix::async_overlapped(b, [](OVERLAPPED*) -> DWORD { return ERROR_NOT_SUPPORTED; },
          [&](error_code, std::size_t) { order += 'F'; });
    });
  });
  BOOST_TEST(run_until(ctx, [&] { return order.size() == 2; }));
  BOOST_TEST(order == "WF");
}

// With two threads running the io_context, a handler delivered by iocpx that
// waits for another operation (use_future) relies on the other thread to
// deliver it, as it does with Asio's own operations. The fast path must not
// keep that completion on the waiting thread's queue: nobody could run it
// while the thread waits.
void handler_waits_on_a_future(ix::bind_options options)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), options);
  auto guard = asio::make_work_guard(ctx);
  std::thread other([&] { ctx.run(); });
  std::atomic<int> status{-1};
  ix::async_overlapped(b, write_from(p.server.get(), "a", 1), [&](error_code, std::size_t) {
    std::future<std::size_t> f =
        ix::async_overlapped(b, write_from(p.server.get(), "b", 1), asio::use_future);
    status = f.wait_for(std::chrono::seconds(3)) == std::future_status::ready ? 1 : 0;
  });
  BOOST_TEST(run_until(ctx, [&] { return status.load() >= 0; }, 10000ms));
  BOOST_TEST(status.load() == 1);
  guard.reset();
  ctx.stop();
  other.join();
}

// use_future's handler has an executor of its own (not the io_context's):
// its immediate completion is posted, so the other thread delivers it while
// this handler blocks. (Until 2026-11-27 it waited on this thread's delivery
// scope, behind the blocked handler, for ever.)
BOOST_AUTO_TEST_CASE(a_handler_waiting_on_a_future_with_another_thread_running)
{
  handler_waits_on_a_future(ix::bind_options::fast());
}

// Control: without skip-on-success the immediate success has a packet,
// which the other thread dequeues.
BOOST_AUTO_TEST_CASE(a_handler_waiting_on_a_future_without_skip_on_success)
{
  handler_waits_on_a_future({});
}

// The same when the handler's executor is an io_context's, or an
// any_io_executor, that is not this io_context's: another io_context's (run
// by a thread of its own), or a thread pool's held by an any_io_executor.
// The executor's type said "io_context", so the completion waited on this
// thread's delivery scope, behind the handler waiting for it (3 s, then
// too late), though Asio's own operation would have been delivered by the
// other thread running this io_context.
BOOST_AUTO_TEST_CASE(a_handler_waiting_on_a_completion_for_another_context)
{
  for (int kind = 0; kind < 2; ++kind)
  {
    BOOST_TEST_CONTEXT((kind == 0 ? "another io_context" : "a thread pool in an any_io_executor"))
    {
      asio::io_context ctx;
      asio::io_context elsewhere;
      asio::thread_pool pool(1);
      pipe_pair p = make_pipe_pair();
      ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
      auto guard = asio::make_work_guard(ctx);
      auto elsewhere_guard = asio::make_work_guard(elsewhere);
      std::thread other([&] { ctx.run(); });
      std::thread elsewhere_thread([&] { elsewhere.run(); });
      std::atomic<int> status{-1};
      ix::async_overlapped(b, write_from(p.server.get(), "a", 1), [&](error_code, std::size_t) {
        auto done = std::make_shared<std::promise<void>>();
        std::future<void> f = done->get_future();
        auto set = [done](error_code, std::size_t) { done->set_value(); };
        if (kind == 0)
          ix::async_overlapped(b, write_from(p.server.get(), "b", 1),
              asio::bind_executor(elsewhere.get_executor(), set));
        else
          ix::async_overlapped(b, write_from(p.server.get(), "b", 1),
              asio::bind_executor(asio::any_io_executor(pool.get_executor()), set));
        status = f.wait_for(std::chrono::seconds(3)) == std::future_status::ready ? 1 : 0;
      });
      BOOST_TEST(run_until(ctx, [&] { return status.load() >= 0; }, 10000ms));
      BOOST_TEST(status.load() == 1);
      guard.reset();
      ctx.stop();
      other.join();
      elsewhere_guard.reset();
      elsewhere.stop();
      elsewhere_thread.join();
      pool.join();
    }
  }
}

// A completion posted because its handler's executor is not an io_context's
// (here the system executor) keeps its place: a completion made ready after
// it in the same handler, which could have run on the fast path, goes
// behind it through the port.
BOOST_AUTO_TEST_CASE(a_posted_completion_for_another_executor_is_not_overtaken)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get(), ix::bind_options::fast());
  std::string order;
  ix::async_overlapped(b, write_from(p.server.get(), "a", 1), [&](error_code, std::size_t) {
    ix::async_overlapped(b, write_from(p.server.get(), "b", 1),
        asio::bind_executor(asio::system_executor(),
            [&](error_code ec, std::size_t) { order += ec ? 'x' : 'S'; }));
    ix::async_overlapped(b, write_from(p.server.get(), "c", 1),
        [&](error_code ec, std::size_t) { order += ec ? 'x' : 'P'; });
    order += 'H';
  });
  BOOST_TEST(run_until(ctx, [&] { return order.size() == 3; }));
  BOOST_TEST(order == "HSP");
}

// Which handler executors may wait on the delivery scope of a thread of
// `ctx` (the others are posted): `ctx`'s own executors, plain, tracking work,
// held by an any_io_executor or behind a strand — never those of another
// context, even of the same type.
BOOST_AUTO_TEST_CASE(which_handler_executors_may_wait_on_the_delivery_scope)
{
  using iocpx::detail::may_deliver_on_this_thread_of;
  asio::io_context ctx, other;
  asio::thread_pool pool(1);
  const iocpx::detail::io_tracked_executor tracked =
      asio::prefer(ctx.get_executor(), asio::execution::outstanding_work.tracked);

  BOOST_TEST(may_deliver_on_this_thread_of(ctx.get_executor(), ctx));
  BOOST_TEST(may_deliver_on_this_thread_of(tracked, ctx));
  BOOST_TEST(may_deliver_on_this_thread_of(asio::any_io_executor(ctx.get_executor()), ctx));
  BOOST_TEST(may_deliver_on_this_thread_of(asio::any_io_executor(tracked), ctx));
  BOOST_TEST(may_deliver_on_this_thread_of(asio::make_strand(ctx), ctx));
  BOOST_TEST(may_deliver_on_this_thread_of(
      asio::make_strand(asio::any_io_executor(ctx.get_executor())), ctx));
#if !defined(BOOST_ASIO_NO_EXTENSIONS) && !defined(BOOST_ASIO_NO_TS_EXECUTORS)
  BOOST_TEST(may_deliver_on_this_thread_of(asio::io_context::strand(ctx), ctx));
#endif

  BOOST_TEST(!may_deliver_on_this_thread_of(other.get_executor(), ctx));
  BOOST_TEST(!may_deliver_on_this_thread_of(asio::any_io_executor(other.get_executor()), ctx));
  BOOST_TEST(!may_deliver_on_this_thread_of(asio::make_strand(other), ctx));
  BOOST_TEST(!may_deliver_on_this_thread_of(asio::any_io_executor(), ctx));
  BOOST_TEST(!may_deliver_on_this_thread_of(pool.get_executor(), pool));
  BOOST_TEST(!may_deliver_on_this_thread_of(asio::any_io_executor(pool.get_executor()), ctx));
  BOOST_TEST(!may_deliver_on_this_thread_of(asio::make_strand(pool), pool));
  BOOST_TEST(!may_deliver_on_this_thread_of(asio::system_executor(), ctx));
  pool.join();
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
// The signal goes away (say, with the object that owned it) while its
// operation is in flight; a later operation's signal reuses the memory.
BOOST_AUTO_TEST_CASE(signal_destroyed_while_the_operation_is_in_flight)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  char buf1[4] = {}, buf2[4] = {};
  result r1, r2;
  auto signal1 = std::make_unique<asio::cancellation_signal>();
  ix::async_overlapped(b, read_into(p.server.get(), buf1, 1),
      asio::bind_cancellation_slot(signal1->slot(), r1.handler()));
  ctx.poll();
  signal1.reset(); // r1's read can no longer be cancelled per operation; fine
  asio::cancellation_signal signal2;
  ix::async_overlapped(b, read_into(p.server.get(), buf2, 1),
      asio::bind_cancellation_slot(signal2.slot(), r2.handler()));
  ctx.poll();
  write_all(p.client.get(), "a", 1);
  BOOST_TEST(run_until(ctx, [&] { return r1.calls + r2.calls > 0; }));
  write_all(p.client.get(), "b", 1);
  BOOST_TEST(run_until(ctx, [&] { return r1.calls + r2.calls >= 2; }, 2000ms));
  let_stray_completions_arrive(ctx, 50ms);
  BOOST_TEST(r1.calls == 1);
  BOOST_TEST(r2.calls == 1);
  BOOST_TEST(buf1[0] == 'a');
  BOOST_TEST(buf2[0] == 'b');
}

// Every ::CancelIoEx call of this program goes through its import slot
// (kernel32 is a DLL even in a static link).
extern "C" {
extern decltype(&::CancelIoEx) __imp_CancelIoEx;
}

namespace {

// Puts `fn` in the import slot of CancelIoEx while alive: a way to hold a
// thread inside the call, to line up a race deterministically.
class cancel_io_ex_hook
{
public:
  using fn_type = decltype(&::CancelIoEx);

  explicit cancel_io_ex_hook(fn_type fn) : real_(__imp_CancelIoEx)
  {
    set(fn);
  }
  cancel_io_ex_hook(const cancel_io_ex_hook&) = delete;
  cancel_io_ex_hook& operator=(const cancel_io_ex_hook&) = delete;
  ~cancel_io_ex_hook()
  {
    set(real_);
  }

  fn_type real() const noexcept
  {
    return real_;
  }

private:
  static void set(fn_type fn)
  {
    DWORD old = 0;
    BOOST_REQUIRE(::VirtualProtect(&__imp_CancelIoEx, sizeof(fn_type), PAGE_READWRITE, &old));
    __imp_CancelIoEx = fn;
    ::VirtualProtect(&__imp_CancelIoEx, sizeof(fn_type), old, &old);
  }

  fn_type real_;
};

// The first CancelIoEx call made while the hook is in place waits (at most
// 5 s) until the test lets it go on; later ones go straight through.
cancel_io_ex_hook::fn_type held_cancel_real = nullptr;
std::atomic<int> held_cancel_entered{0};
std::atomic<bool> held_cancel_release{false};

BOOL WINAPI held_cancel_io_ex(HANDLE h, LPOVERLAPPED ov)
{
  if (held_cancel_entered.fetch_add(1) == 0)
    wait_until([] { return held_cancel_release.load(); }, 5000ms);
  return held_cancel_real(h, ov);
}

// One block of memory that each handler's allocator takes at most
// `*takes` times (else it uses malloc): the test decides which operation
// reuses a freed operation's memory, as Asio's recycling allocator does on
// its own on one thread.
struct block_pool
{
  alignas(std::max_align_t) unsigned char block[4096];
  std::atomic<bool> in_use{false};
  std::atomic<int> handed_out{0};
  std::atomic<int> frees{0};
};

template <typename T>
struct block_allocator
{
  using value_type = T;

  block_pool* pool;
  std::atomic<int>* takes;

  block_allocator(block_pool* p, std::atomic<int>* t) noexcept : pool(p), takes(t) {}
  template <typename U>
  block_allocator(const block_allocator<U>& o) noexcept : pool(o.pool), takes(o.takes)
  {
  }

  T* allocate(std::size_t n)
  {
    if (n * sizeof(T) <= sizeof(pool->block) && takes->load() > 0
        && !pool->in_use.exchange(true))
    {
      takes->fetch_sub(1);
      pool->handed_out.fetch_add(1);
      return reinterpret_cast<T*>(pool->block);
    }
    if (void* p = std::malloc(n * sizeof(T)))
      return static_cast<T*>(p);
    throw std::bad_alloc();
  }

  void deallocate(T* p, std::size_t) noexcept
  {
    if (reinterpret_cast<unsigned char*>(p) == pool->block)
    {
      // The block is free before the free is counted: a test thread that
      // sees `frees` go up (on another thread than this one) may take the
      // block at once.
      pool->in_use.store(false);
      pool->frees.fetch_add(1);
    }
    else
      std::free(p);
  }

  template <typename U>
  bool operator==(const block_allocator<U>& o) const noexcept
  {
    return pool == o.pool;
  }
  template <typename U>
  bool operator!=(const block_allocator<U>& o) const noexcept
  {
    return pool != o.pool;
  }
};

// A result written on an io_context thread and read on the test's.
struct shared_result
{
  std::atomic<int> calls{0};
  error_code ec;
};

// A handler with an executor, an allocator and a cancellation slot of its
// own (a default slot: none).
template <typename Executor>
struct full_handler
{
  using executor_type = Executor;
  using allocator_type = block_allocator<void>;
  using cancellation_slot_type = asio::cancellation_slot;

  Executor ex;
  allocator_type alloc;
  asio::cancellation_slot slot;
  shared_result* r;

  executor_type get_executor() const noexcept
  {
    return ex;
  }
  allocator_type get_allocator() const noexcept
  {
    return alloc;
  }
  cancellation_slot_type get_cancellation_slot() const noexcept
  {
    return slot;
  }
  void operator()(error_code ec, std::size_t)
  {
    r->ec = ec;
    r->calls.fetch_add(1);
  }
};

} // namespace

// The usual way to cancel one operation of an io_context that several
// threads run: its handler and the code that emits the signal share a
// strand. The completion itself (the packet dequeued, the operation freed,
// the handler dispatched to the strand) happens on any thread, outside the
// strand. An emit that started while the operation was in flight used to
// carry on after that thread freed the operation: it wrote the "cancel
// requested" flag and called CancelIoEx on memory that another operation
// on the same handle could use by then — and cancelled that operation. The
// hook holds the emit inside CancelIoEx to line the race up; with the fix
// the completion waits for the emit instead (the test then waits 1 s).
BOOST_AUTO_TEST_CASE(emit_on_the_strand_while_the_operation_completes_on_another_thread)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  ix::binding b = ix::bind(ctx, p.server.get());
  auto strand = asio::make_strand(ctx);
  using strand_type = decltype(strand);
  block_pool pool;
  asio::cancellation_signal signal;
  char buf1[4] = {}, buf2[4] = {};
  shared_result r1, r2;
  auto guard = asio::make_work_guard(ctx);
  std::thread t1([&] { ctx.run(); });
  std::thread t2([&] { ctx.run(); });

  std::atomic<bool> started{false};
  std::atomic<int> takes1{1}, takes2{1}; // the first allocation of each handler
  asio::post(strand, [&] {
    ix::async_overlapped(b, read_into(p.server.get(), buf1, 1),
        full_handler<strand_type>{
            strand, block_allocator<void>(&pool, &takes1), signal.slot(), &r1});
    started = true;
  });
  BOOST_TEST_REQUIRE(wait_until([&] { return started.load(); }, 5000ms));
  BOOST_TEST_REQUIRE(pool.handed_out.load() == 1);
  {
    held_cancel_entered = 0;
    held_cancel_release = false;
    cancel_io_ex_hook hook(&held_cancel_io_ex);
    held_cancel_real = hook.real();
    asio::post(strand, [&] { signal.emit(asio::cancellation_type::terminal); });
    BOOST_TEST_REQUIRE(wait_until([] { return held_cancel_entered.load() > 0; }, 5000ms));
    // The read completes now, on the other thread.
    write_all(p.client.get(), "a", 1);
    if (!wait_until([&] { return pool.frees.load() > 0; }, 1000ms))
      held_cancel_release = true; // the completion waits for the emit: let it finish
    BOOST_TEST_REQUIRE(wait_until([&] { return pool.frees.load() > 0; }, 5000ms));
    // A new read on the handle gets the first one's memory.
    ix::async_overlapped(b, read_into(p.server.get(), buf2, 1),
        full_handler<asio::io_context::executor_type>{ctx.get_executor(),
            block_allocator<void>(&pool, &takes2), asio::cancellation_slot(), &r2});
    BOOST_TEST(pool.handed_out.load() == 2);
    held_cancel_release = true;
    BOOST_TEST(wait_until([&] { return r1.calls.load() > 0; }, 5000ms));
  }
  BOOST_TEST(buf1[0] == 'a');
  ::Sleep(100);
  BOOST_TEST(r2.calls.load() == 0); // still pending: the emit was not for it
  write_all(p.client.get(), "b", 1);
  BOOST_TEST(wait_until([&] { return r2.calls.load() > 0; }, 5000ms));
  BOOST_TEST(r2.calls.load() == 1);
  BOOST_TEST(!r2.ec);
  BOOST_TEST(buf2[0] == 'b');
  guard.reset();
  ctx.stop();
  t1.join();
  t2.join();
}
#endif

// --- found by review, 2026-11-28 ---------------------------------------------

// A read of an empty pipe whose start function, before its ReadFile, has
// `cancel` run on another thread (joined: the cancel is over before the
// call) — before the kernel has the request, so that cancel's CancelIoEx
// finds nothing. iocpx must cancel the read once the call returns: lost,
// a read that nothing completes waits for ever. `wrap` gives the handler
// what the cancel needs (a cancellation slot).
template <typename Cancel, typename Wrap>
void a_cancel_during_the_call_is_not_lost(ix::binding& b, HANDLE h, Cancel cancel, Wrap wrap)
{
  asio::io_context& ctx = b.context();
  char buf[4];
  int calls = 0;
  error_code seen;
  ix::async_overlapped(b,
      [&](OVERLAPPED* ov) {
        std::thread(cancel).join(); // before the call
        return read_into(h, buf, sizeof buf)(ov);
      },
      wrap([&](error_code ec, std::size_t) {
        ++calls;
        seen = ec;
      }));
  BOOST_TEST(run_until(ctx, [&] { return calls > 0; }, 2000ms));
  BOOST_TEST(calls == 1);
  BOOST_TEST(seen == asio::error::operation_aborted);
  if (calls == 0) // (lost: end it before the handler's captures go)
  {
    b.cancel();
    run_until(ctx, [&] { return calls > 0; });
  }
}

// binding::cancel() cancels "every operation in flight on the handle". An
// operation counts as in flight from before its start function runs, so a
// cancel through another binding of the handle while the Win32 call is
// being made must still cancel it. (overlapped::start had the same gap:
// overlapped/cancel_while_the_call_is_being_made_is_not_lost.)
BOOST_AUTO_TEST_CASE(binding_cancel_while_the_call_is_being_made_is_not_lost)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  HANDLE h = p.server.get();
  ix::binding b = ix::bind(ctx, h);
  ix::binding other = ix::bind(ctx, h);
  a_cancel_during_the_call_is_not_lost(
      b, h, [&] { other.cancel(); }, [](auto handler) { return handler; });
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
// --- found by review, 2026-11-29 ---------------------------------------------

// The same for the operation's own cancellation slot: a signal emitted on
// another thread while the call is being made (a strand's timer, a
// parallel_group on a pool) found nothing to cancel, and the read waited
// for ever (helper-74).
BOOST_AUTO_TEST_CASE(slot_emit_while_the_call_is_being_made_is_not_lost)
{
  asio::io_context ctx;
  pipe_pair p = make_pipe_pair();
  HANDLE h = p.server.get();
  ix::binding b = ix::bind(ctx, h);
  asio::cancellation_signal signal;
  a_cancel_during_the_call_is_not_lost(
      b, h, [&] { signal.emit(asio::cancellation_type::terminal); },
      [&](auto handler) { return asio::bind_cancellation_slot(signal.slot(), handler); });
}
#endif

BOOST_AUTO_TEST_SUITE_END()
