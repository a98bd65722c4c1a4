// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The handler's associated allocator and executor on every initiating
// function of the named pipe and its acceptor: the operation's memory comes
// from the handler's allocator and all of it goes back there, and the
// handler runs on its own executor (a strand here) — for operations that
// wait for a packet and for those that complete at once through the
// immediate-completion fast path alike.
//
// The handlers declare their associations the pre-1.80 way (nested
// allocator_type / executor_type), which every supported Boost honours, so
// the same test covers named_pipe_core's association forwarding on Boost
// 1.74 (one trait at a time) and on 1.80+ (asio::associator). On 1.80+ the
// usual wrappers, bind_allocator and bind_executor, are tested as well.

#include <iocpx/windows/named_pipe.hpp>
#include <iocpx/windows/named_pipe_acceptor.hpp>

#include "../common/asio_features.hpp"
#include "../common/tracking_allocator.hpp"
#include "named_pipe_support.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // bind_allocator: Boost 1.80
#  include <boost/asio/bind_allocator.hpp>
#endif

#include "../common/alloc_counter.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using namespace iocpx_test;
using namespace std::chrono_literals;

namespace {

using strand_type = asio::strand<asio::io_context::executor_type>;

// What one handler saw.
struct call_record
{
  long live_bytes_at_call = -1; // the allocator's bytes still held when the handler ran
  int calls = 0;
  bool on_strand = false;
  error_code ec;
  std::size_t n = 0;
};

// A completion handler with both associations nested, as a hand-written
// composed operation declares them.
struct associated_handler
{
  using allocator_type = tracking_allocator<void>;
  using executor_type = strand_type;

  allocator_log* log;
  strand_type strand;
  call_record* record;

  allocator_type get_allocator() const noexcept
  {
    return allocator_type(log);
  }
  executor_type get_executor() const noexcept
  {
    return strand;
  }

  void operator()(error_code ec)
  {
    note(ec, 0);
  }
  void operator()(error_code ec, std::size_t n)
  {
    note(ec, n);
  }
  void operator()(error_code ec, iocpx::ready)
  {
    note(ec, 0);
  }

  void note(error_code ec, std::size_t n)
  {
    record->live_bytes_at_call = log->live_bytes.load();
    ++record->calls;
    record->on_strand = strand.running_in_this_thread();
    record->ec = ec;
    record->n = n;
  }
};

// Runs what is left (the acceptor's housekeeping, freed operations).
void settle(asio::io_context& ctx)
{
  ctx.restart();
  ctx.poll();
  ctx.restart();
}

// What most tests here share: an io_context, a strand of it and an
// allocator log, and handlers associated with both.
struct associations
{
  asio::io_context ctx;
  strand_type strand = asio::make_strand(ctx);
  allocator_log log;

  associated_handler handler(call_record& record)
  {
    return associated_handler{&log, strand, &record};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(named_pipe_associations)

BOOST_FIXTURE_TEST_CASE(read_write_and_wait_use_the_handlers_allocator_and_executor, associations)
{
  np_pair p = make_np_pair(ctx);
  BOOST_REQUIRE(p.client.get_binding().skips_completion_port_on_success());

  // A read that waits for its packet; a wait for readable that the data
  // completes; a write that completes at once (skip-on-success, so its
  // handler takes the immediate-completion path instead of a packet).
  call_record read, wait, write;
  char in[5] = {};
  p.server.async_read_some(asio::buffer(in), handler(read));
  p.client.async_wait(iocpx::ready::writable(), handler(wait));
  const long before_write = log.allocations.load();
  p.client.async_write_some(asio::buffer("hello", 5), handler(write));
  BOOST_TEST(log.allocations.load() > before_write); // the write's operation, from this allocator
  BOOST_TEST(read.calls + wait.calls + write.calls == 0); // none ran inside its initiating call
  BOOST_TEST(log.allocations.load() >= 3);

  BOOST_TEST(run_until(ctx, [&] { return read.calls && wait.calls && write.calls; }));
  for (const call_record* r : {&read, &wait, &write})
  {
    BOOST_TEST(r->calls == 1);
    BOOST_TEST(!r->ec);
    BOOST_TEST(r->on_strand);
  }
  BOOST_TEST(read.n == 5u);
  BOOST_TEST(write.n == 5u);
  BOOST_TEST(std::string(in, 5) == "hello");

  // The same write started inside a handler, where an immediate completion
  // can be delivered right after that handler instead of being posted
  // (delivery_scope): the strand still runs it.
  call_record write_in_handler;
  bool started = false;
  asio::post(ctx, [&] {
    p.client.async_write_some(asio::buffer("again", 5), handler(write_in_handler));
    started = true;
    BOOST_TEST(write_in_handler.calls == 0);
  });
  BOOST_TEST(run_until(ctx, [&] { return write_in_handler.calls > 0; }));
  BOOST_TEST(started);
  BOOST_TEST(write_in_handler.calls == 1);
  BOOST_TEST(!write_in_handler.ec);
  BOOST_TEST(write_in_handler.n == 5u);
  BOOST_TEST(write_in_handler.on_strand);

  settle(ctx);
  // Everything taken from the handler's allocator went back to it.
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
}

BOOST_FIXTURE_TEST_CASE(connect_and_accept_use_the_handlers_allocator_and_executor, associations)
{
  const std::string name = np_name("assoc");
  ix::named_pipe_acceptor acceptor(ctx, name);
  ix::named_pipe server(ctx), client(ctx), second_server(ctx);

  call_record accepted, connected;
  const long before_accept = log.allocations.load();
  acceptor.async_accept(server, handler(accepted));
  BOOST_TEST(log.allocations.load() > before_accept); // the accept's own state
  client.async_connect(name, handler(connected));
  BOOST_TEST(accepted.calls + connected.calls == 0);
  BOOST_TEST(run_until(ctx, [&] { return accepted.calls && connected.calls; }));
  for (const call_record* r : {&accepted, &connected})
  {
    BOOST_TEST(r->calls == 1);
    BOOST_TEST(!r->ec);
    BOOST_TEST(r->on_strand);
  }
  BOOST_TEST(server.is_connected());
  BOOST_TEST(client.is_connected());

  // An accept that fails (the acceptor is closed under it) reports through
  // the same executor and gives the memory back too.
  call_record aborted;
  const long before_second = log.allocations.load();
  acceptor.async_accept(second_server, handler(aborted));
  BOOST_TEST(log.allocations.load() > before_second);
  acceptor.close();
  BOOST_TEST(run_until(ctx, [&] { return aborted.calls > 0; }));
  BOOST_TEST(aborted.calls == 1);
  BOOST_TEST(aborted.ec == asio::error::operation_aborted);
  BOOST_TEST(aborted.on_strand);

  settle(ctx);
  BOOST_TEST(log.allocations.load() >= 3);
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
}

// While every instance is busy, async_connect retries on a timer: the
// timer and its waits come from the handler's allocator too, so the retries
// cost no other heap allocation.
BOOST_FIXTURE_TEST_CASE(a_busy_connect_retries_with_the_handlers_allocator, associations)
{
  busy_single_instance busy(ctx, "assoc-busy");
  ix::named_pipe second(ctx);

  ix::named_pipe_connect_options copts;
  copts.busy_timeout = 2s; // well past the 250 ms the checks below run for
  // Asio's timer machinery (its timer thread and queue) is set up by the
  // first timer of the io_context: do that first.
  asio::steady_timer warm(ctx, 1ms);
  warm.async_wait([](error_code) {});
  ctx.run();
  ctx.restart();

  call_record connected;
  const long long global_at_start = allocations();
  second.async_connect(busy.name, copts, handler(connected));
  // The only allocation that is not from the handler's allocator: the
  // name converted to UTF-16 (too long for the string's own storage). The
  // retry timer, made in the first attempt, is the handler's.
  if (counting_allocations())
    BOOST_TEST(allocations() - global_at_start <= 1);
  ctx.run_for(100ms);
  BOOST_TEST(connected.calls == 0);
  BOOST_TEST(log.live_bytes.load() > 0);
  const long long global_before = allocations();
  const long from_handler_before = log.allocations.load();
  ctx.run_for(150ms); // more retries: 1 ms doubling up to 50 ms
  BOOST_TEST(connected.calls == 0);
  BOOST_TEST(log.allocations.load() > from_handler_before); // each retry's wait
  if (counting_allocations())
    BOOST_TEST(allocations() - global_before == 0);

  BOOST_TEST(run_until(ctx, [&] { return connected.calls > 0; }));
  BOOST_TEST(connected.ec == asio::error::timed_out);
  BOOST_TEST(connected.on_strand);
  // Everything from the handler's allocator (the retry timer, the timer's
  // last wait) went back before the handler ran, as Asio's rule says: the
  // handler may reuse or tear down that memory.
  BOOST_TEST(connected.live_bytes_at_call == 0);
  settle(ctx);
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
}

// The socket-style wait wraps the handler to drop the readiness argument;
// the wrapper keeps the handler's allocator and executor.
BOOST_FIXTURE_TEST_CASE(the_socket_style_wait_uses_the_handlers_allocator_and_executor, associations)
{
  np_pair p = make_np_pair(ctx);
  call_record wait;
  const long before = log.allocations.load();
  p.server.async_wait(ix::named_pipe::wait_read, handler(wait));
  BOOST_TEST(log.allocations.load() > before); // the wait's operation, from this allocator
  write_all(p.client.native_handle(), "x", 1);
  BOOST_TEST(run_until(ctx, [&] { return wait.calls != 0; }));
  BOOST_TEST(wait.calls == 1);
  BOOST_TEST(!wait.ec);
  BOOST_TEST(wait.on_strand);
  BOOST_TEST(wait.live_bytes_at_call == 0); // freed before the handler ran
  settle(ctx);
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
}

BOOST_FIXTURE_TEST_CASE(a_pipe_closed_with_operations_pending_gives_the_memory_back, associations)
{
  call_record read, wait;
  {
    np_pair p = make_np_pair(ctx);
    char in[8];
    p.server.async_read_some(asio::buffer(in), handler(read));
    p.server.async_wait(iocpx::ready::readable(), handler(wait));
    BOOST_TEST(log.allocations.load() >= 2);
    p.server.close();
    BOOST_TEST(run_until(ctx, [&] { return read.calls && wait.calls; }));
  }
  BOOST_TEST(read.ec == asio::error::operation_aborted);
  BOOST_TEST(wait.ec == asio::error::operation_aborted);
  BOOST_TEST(read.on_strand);
  BOOST_TEST(wait.on_strand);
  settle(ctx);
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
}

BOOST_AUTO_TEST_CASE(destroying_the_io_context_with_operations_pending_gives_the_memory_back)
{
  allocator_log log;
  call_record read, wait;
  {
    asio::io_context ctx;
    strand_type strand = asio::make_strand(ctx);
    np_pair p = make_np_pair(ctx);
    char in[8];
    p.server.async_read_some(asio::buffer(in), associated_handler{&log, strand, &read});
    p.client.async_wait(iocpx::ready::readable(), associated_handler{&log, strand, &wait});
    BOOST_TEST(log.allocations.load() >= 2);
    // The pipes outlive nothing: they close first, then the io_context's
    // shutdown destroys what is still queued.
  }
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // bind_allocator: Boost 1.80
BOOST_FIXTURE_TEST_CASE(bind_allocator_and_bind_executor_wrap_a_lambda, associations)
{
  np_pair p = make_np_pair(ctx);
  int calls = 0;
  bool read_on_strand = false, write_on_strand = false;
  char in[3] = {};
  p.server.async_read_some(asio::buffer(in),
      asio::bind_allocator(tracking_allocator<void>(&log),
          asio::bind_executor(strand, [&](error_code ec, std::size_t n) {
            BOOST_TEST(!ec);
            BOOST_TEST(n == 3u);
            read_on_strand = strand.running_in_this_thread();
            ++calls;
          })));
  p.client.async_write_some(asio::buffer("abc", 3),
      asio::bind_executor(strand,
          asio::bind_allocator(tracking_allocator<void>(&log), [&](error_code ec, std::size_t n) {
            BOOST_TEST(!ec);
            BOOST_TEST(n == 3u);
            write_on_strand = strand.running_in_this_thread();
            ++calls;
          })));
  BOOST_TEST(log.allocations.load() >= 2);
  BOOST_TEST(run_until(ctx, [&] { return calls == 2; }));
  BOOST_TEST(read_on_strand);
  BOOST_TEST(write_on_strand);
  settle(ctx);
  BOOST_TEST(log.deallocations.load() == log.allocations.load());
  BOOST_TEST(log.live_bytes.load() == 0);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
