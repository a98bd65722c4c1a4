// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/registration.hpp>

#include <iocpx/poller.hpp>

#include "../common/asio_features.hpp"
#include "../common/tracking_allocator.hpp"
#include "readiness_test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/io_context_strand.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/version.hpp>
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots, parallel_group: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#  include <boost/asio/experimental/parallel_group.hpp>
#endif
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple, deferred, bind_allocator: Boost 1.80
#  include <boost/asio/as_tuple.hpp>
#  include <boost/asio/bind_allocator.hpp>
#  include <boost/asio/deferred.hpp>
#endif
#if BOOST_VERSION >= 108100 // any_completion_handler: Boost 1.81
#  include <boost/asio/any_completion_handler.hpp>
#endif
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::ready;
using iocpx_test::record;
using iocpx_test::wait_result;

// --- compile-time shape -------------------------------------------------
using io_exec = asio::io_context::executor_type;
static_assert(std::is_same<iocpx::registration::executor_type, asio::any_io_executor>::value, "");
static_assert(std::is_same<iocpx::registration::rebind_executor<io_exec>::other,
                  iocpx::basic_registration<io_exec>>::value, "");
static_assert(!std::is_copy_constructible<iocpx::registration>::value, "");
static_assert(!std::is_copy_assignable<iocpx::registration>::value, "");
static_assert(std::is_nothrow_move_constructible<iocpx::registration>::value, "");
static_assert(std::is_nothrow_move_assignable<iocpx::registration>::value, "");
static_assert(std::is_constructible<iocpx::registration, iocpx::basic_registration<io_exec>&&>::value, "");
static_assert(!std::is_constructible<iocpx::registration, int&>::value, "");
static_assert(std::is_copy_constructible<iocpx::set_readiness>::value, "");

namespace {

// Runs what is ready now. restart() first: poll() stops a context that runs
// out of work, and a stopped context runs nothing until restarted.
std::size_t run_ready(asio::io_context& io)
{
  io.restart();
  return io.poll();
}

} // namespace

BOOST_AUTO_TEST_SUITE(readiness_registration)

BOOST_AUTO_TEST_CASE(construction_and_executor)
{
  asio::io_context io;
  iocpx::registration a(io);
  iocpx::registration b(io.get_executor());
  iocpx::basic_registration<io_exec> c(io);
  BOOST_TEST((a.get_executor() == asio::any_io_executor(io.get_executor())));
  BOOST_TEST((c.get_executor() == io.get_executor()));
  BOOST_TEST(a.is_open());
  BOOST_TEST(a.readiness().is_none());
  BOOST_TEST(&a.readiness_registration() == &a);
  iocpx::registration d(std::move(c)); // converting move
  BOOST_TEST(d.is_open());
  BOOST_TEST(!c.is_open());
  a = std::move(b);
  BOOST_TEST(a.is_open());
  BOOST_TEST(!b.is_open());
}

// A registration (and a poller) on the legacy `io_context::strand`, a
// Networking TS executor that answers no `execution::context` query: its
// waits complete on the strand. (It did not compile before: finding the
// readiness service asked the executor that query.)
BOOST_AUTO_TEST_CASE(a_registration_on_a_legacy_io_context_strand_works)
{
  asio::io_context io;
  asio::io_context::strand strand(io);
  iocpx::basic_registration<asio::io_context::strand> reg(strand);
  iocpx::basic_poller<asio::io_context::strand> poller(strand);
  poller.add(reg, 7, ready::writable());
  int on_strand = 0;
  reg.async_wait(ready::readable(), [&](error_code ec, ready r) {
    BOOST_TEST(!ec);
    BOOST_TEST(r == ready::readable());
    on_strand += strand.running_in_this_thread();
  });
  std::array<iocpx::event, 4> events;
  poller.async_poll(events, [&](error_code ec, std::size_t n) {
    BOOST_TEST(!ec);
    BOOST_TEST_REQUIRE(n == 1u);
    BOOST_TEST(events[0].token == 7u);
    on_strand += strand.running_in_this_thread();
  });
  reg.setter().set(ready::readable() | ready::writable());
  io.run();
  BOOST_TEST(on_strand == 2);
}

BOOST_AUTO_TEST_CASE(wait_completes_when_readiness_intersects)
{
  asio::io_context io;
  iocpx::registration reg(io);
  wait_result w;
  reg.async_wait(ready::readable() | ready::hangup(), record{&w});
  run_ready(io);
  BOOST_TEST(w.calls == 0);
  reg.setter().add(ready::writable()); // outside the interest
  run_ready(io);
  BOOST_TEST(w.calls == 0);
  reg.setter().add(ready::hangup());
  BOOST_TEST(w.calls == 0); // never inline in the setter
  run_ready(io);
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(!w.ec);
  BOOST_TEST(w.readiness == ready::hangup()); // intersected with the interest
  BOOST_TEST(reg.readiness() == (ready::writable() | ready::hangup()));
}

BOOST_AUTO_TEST_CASE(already_ready_completes_through_the_executor_never_inline)
{
  asio::io_context io;
  iocpx::registration reg(io);
  reg.setter().set(ready::readable());
  wait_result w;
  reg.async_wait(ready::readable(), record{&w});
  BOOST_TEST(w.calls == 0);
  BOOST_TEST(run_ready(io) == 1u); // poll() before run(): nothing ran inline
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(!w.ec);
  BOOST_TEST(w.readiness == ready::readable());
  // Readiness is a level: it stays until cleared, so a new wait completes.
  wait_result w2;
  reg.async_wait(ready::readable(), record{&w2});
  BOOST_TEST(w2.calls == 0);
  run_ready(io);
  BOOST_TEST(w2.calls == 1);
}

BOOST_AUTO_TEST_CASE(reader_and_writer_wait_at_the_same_time)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto s = reg.setter();
  wait_result r, w;
  reg.async_wait(ready::readable(), record{&r});
  reg.async_wait(ready::writable(), record{&w});
  s.add(ready::writable());
  run_ready(io);
  BOOST_TEST(r.calls == 0);
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(w.readiness == ready::writable());
  s.add(ready::readable());
  run_ready(io);
  BOOST_TEST(r.calls == 1);
  BOOST_TEST(r.readiness == ready::readable());
  BOOST_TEST(w.calls == 1);
}

BOOST_AUTO_TEST_CASE(one_change_completes_every_satisfied_wait)
{
  asio::io_context io;
  iocpx::registration reg(io);
  wait_result a, b, c;
  reg.async_wait(ready::readable(), record{&a});
  reg.async_wait(ready::readable() | ready::writable(), record{&b});
  reg.async_wait(ready::error(), record{&c});
  reg.setter().set(ready::readable() | ready::writable());
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(b.readiness == (ready::readable() | ready::writable()));
  BOOST_TEST(c.calls == 0);
  reg.cancel();
  run_ready(io);
  BOOST_TEST(c.calls == 1);
  BOOST_TEST(c.ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(sets_coalesce)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto s = reg.setter();
  wait_result w;
  reg.async_wait(ready::readable(), record{&w});
  for (int i = 0; i < 100; ++i)
  {
    s.add(ready::readable());
    s.set(ready::readable());
  }
  // One handler in all: neither a delivery per change nor a second call.
  BOOST_TEST(run_ready(io) == 1u);
  BOOST_TEST(w.calls == 1);
}

BOOST_AUTO_TEST_CASE(cleared_readiness_does_not_complete)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto s = reg.setter();
  s.set(ready::readable());
  s.clear(ready::readable());
  wait_result w;
  reg.async_wait(ready::readable(), record{&w});
  run_ready(io);
  BOOST_TEST(w.calls == 0);
  s.add(ready::readable());
  run_ready(io);
  BOOST_TEST(w.calls == 1);
}

BOOST_AUTO_TEST_CASE(cancel_aborts_all_pending_waits)
{
  asio::io_context io;
  iocpx::registration reg(io);
  reg.setter().set(ready::error());
  wait_result a, b;
  reg.async_wait(ready::readable(), record{&a});
  reg.async_wait(ready::writable(), record{&b});
  reg.cancel();
  BOOST_TEST(a.calls == 0); // not inline either
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(a.ec == asio::error::operation_aborted);
  BOOST_TEST(b.ec == asio::error::operation_aborted);
  BOOST_TEST(a.readiness.is_none());
  BOOST_TEST(reg.readiness() == ready::error()); // unchanged
  // A later set completes nothing.
  reg.setter().set(ready::all());
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(b.calls == 1);
  error_code ec;
  reg.cancel(ec); // nothing pending: fine
  BOOST_TEST(!ec);
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // per-operation cancellation: Boost 1.77
BOOST_AUTO_TEST_CASE(per_operation_cancellation_each_type)
{
  const asio::cancellation_type types[] = {asio::cancellation_type::terminal,
      asio::cancellation_type::partial, asio::cancellation_type::total};
  for (auto type : types)
  {
    asio::io_context io;
    iocpx::registration reg(io);
    asio::cancellation_signal sig, other;
    wait_result a, b;
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), record{&a}));
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(other.slot(), record{&b}));
    sig.emit(type);
    run_ready(io);
    BOOST_TEST(a.calls == 1);
    BOOST_TEST(a.ec == asio::error::operation_aborted);
    BOOST_TEST(b.calls == 0); // only that operation
    sig.emit(type);           // cancelling twice: harmless
    reg.setter().add(ready::readable());
    run_ready(io);
    BOOST_TEST(a.calls == 1);
    BOOST_TEST(b.calls == 1);
    BOOST_TEST(!b.ec);
    other.emit(type); // after completion: harmless
    run_ready(io);
    BOOST_TEST(b.calls == 1);
  }
}

// A slot given to a second wait while the first still waits: Asio destroys
// the first's slot handler and builds the second's, usually in the same
// memory. The signal now belongs to the second wait, and the first can no
// longer be cancelled per operation (as with Asio's own operations). Keyed
// by the slot handler's address, the emit found the first wait instead.
// Both places a wait can be in: the slot (first wait) and the list.
BOOST_AUTO_TEST_CASE(a_slot_reused_while_its_first_wait_waits_cancels_the_second)
{
  for (int listed = 0; listed < 2; ++listed)
  {
    asio::io_context io;
    iocpx::registration reg(io);
    asio::cancellation_signal sig;
    wait_result before, first, second;
    if (listed)
      reg.async_wait(ready::readable(), record{&before}); // takes the slot
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), record{&first}));
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), record{&second}));
    sig.emit(asio::cancellation_type::terminal);
    run_ready(io);
    BOOST_TEST(first.calls == 0);
    BOOST_TEST(second.calls == 1);
    BOOST_TEST(second.ec == asio::error::operation_aborted);
    reg.setter().set(ready::readable());
    run_ready(io);
    BOOST_TEST(before.calls == listed);
    BOOST_TEST(first.calls == 1);
    BOOST_TEST(!first.ec);
  }
}

// The first wait of a registration takes a lock-free slot, later ones a
// list; cancelling a later one must leave the first pending, and waits still
// complete in the order they started.
BOOST_AUTO_TEST_CASE(cancelling_a_later_wait_keeps_the_others_in_order)
{
  asio::io_context io;
  iocpx::registration reg(io);
  asio::cancellation_signal sig;
  std::vector<int> order;
  error_code ec_b;
  reg.async_wait(ready::readable(), [&](error_code ec, ready) { order.push_back(ec ? -1 : 1); });
  reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, ready) {
    ec_b = ec;
    order.push_back(2);
  }));
  reg.async_wait(ready::readable(), [&](error_code ec, ready) { order.push_back(ec ? -3 : 3); });
  sig.emit(asio::cancellation_type::terminal);
  run_ready(io);
  BOOST_TEST(order == std::vector<int>({2}));
  BOOST_TEST(ec_b == asio::error::operation_aborted);
  reg.async_wait(ready::readable(), [&](error_code ec, ready) { order.push_back(ec ? -4 : 4); });
  reg.setter().set(ready::readable());
  run_ready(io);
  BOOST_TEST(order == std::vector<int>({2, 1, 3, 4}));
}

// A wait whose cancellation slot fires after the wait completed and another
// wait took its place cancels nothing.
BOOST_AUTO_TEST_CASE(stale_cancellation_leaves_the_next_wait_pending)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto s = reg.setter();
  asio::cancellation_signal sig;
  wait_result a, b;
  reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), record{&a}));
  s.set(ready::readable());
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  s.clear(ready::readable());
  reg.async_wait(ready::readable(), record{&b});
  sig.emit(asio::cancellation_type::terminal);
  run_ready(io);
  BOOST_TEST(b.calls == 0);
  s.set(ready::readable());
  run_ready(io);
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(!b.ec);
}

// A per-operation cancel of a listed wait looks at the slot's wait on its
// way; a cancel of the slot's wait (or registration::cancel) at the same
// moment must still find it. Both waits end, aborted, every time.
BOOST_AUTO_TEST_CASE(concurrent_cancels_of_the_slot_and_a_listed_wait_both_end)
{
  for (int round = 0; round < 400; ++round)
  {
    asio::io_context io;
    iocpx::registration reg(io);
    asio::cancellation_signal s0, s1;
    wait_result a, b;
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(s0.slot(), record{&a}));
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(s1.slot(), record{&b}));
    std::atomic<int> ready_to_go{0};
    auto rendezvous = [&] {
      ready_to_go.fetch_add(1);
      while (ready_to_go.load() < 2)
        std::this_thread::yield();
    };
    std::thread other([&] {
      rendezvous();
      s1.emit(asio::cancellation_type::terminal);
    });
    rendezvous();
    if (round % 2)
      s0.emit(asio::cancellation_type::terminal);
    else
      reg.cancel();
    other.join();
    run_ready(io);
    BOOST_REQUIRE_EQUAL(a.calls, 1);
    BOOST_REQUIRE_EQUAL(b.calls, 1);
    BOOST_REQUIRE(a.ec == asio::error::operation_aborted);
    BOOST_REQUIRE(b.ec == asio::error::operation_aborted);
  }
}

BOOST_AUTO_TEST_CASE(cancellation_after_completion_is_posted_is_ignored)
{
  asio::io_context io;
  iocpx::registration reg(io);
  asio::cancellation_signal sig;
  wait_result a;
  reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), record{&a}));
  reg.setter().add(ready::readable()); // completion posted, handler not yet run
  sig.emit(asio::cancellation_type::terminal);
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(!a.ec);
}

BOOST_AUTO_TEST_CASE(slot_outliving_the_registration_is_harmless)
{
  asio::io_context io;
  asio::cancellation_signal sig;
  wait_result a;
  {
    iocpx::registration reg(io);
    reg.async_wait(ready::readable(), asio::bind_cancellation_slot(sig.slot(), record{&a}));
  }
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(a.ec == asio::error::operation_aborted);
  sig.emit(asio::cancellation_type::terminal);
  run_ready(io);
  BOOST_TEST(a.calls == 1);
}
#endif

BOOST_AUTO_TEST_CASE(destruction_with_waits_pending_aborts_them)
{
  asio::io_context io;
  wait_result a, b;
  iocpx::set_readiness s;
  {
    iocpx::registration reg(io);
    s = reg.setter();
    reg.async_wait(ready::readable(), record{&a});
    reg.async_wait(ready::writable(), record{&b});
  }
  BOOST_TEST(a.calls == 0);
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(b.calls == 1);
  BOOST_TEST(a.ec == asio::error::operation_aborted);
  BOOST_TEST(b.ec == asio::error::operation_aborted);
  // Setting after destruction is harmless and reports registration_gone.
  error_code ec;
  s.add(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  BOOST_CHECK_THROW(s.set(ready::readable()), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(close_ends_the_registration_as_destruction_does)
{
  asio::io_context io;
  wait_result a;
  iocpx::registration reg(io);
  iocpx::set_readiness s = reg.setter();
  iocpx::poller p(io);
  p.add(reg, 7, ready::readable());
  reg.async_wait(ready::writable(), record{&a});
  s.set(ready::readable()); // an event for the poller to drop
  error_code ec = asio::error::fault;
  reg.close(ec);
  BOOST_TEST(!ec);
  BOOST_TEST(!reg.is_open());
  run_ready(io);
  BOOST_TEST(a.calls == 1);
  BOOST_TEST(a.ec == asio::error::operation_aborted);
  // Setters and the object itself report what a moved-from one does.
  s.add(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  reg.readiness(ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  wait_result b;
  reg.async_wait(ready::readable(), record{&b});
  run_ready(io);
  BOOST_TEST(b.ec == iocpx::error::registration_gone);
  // The poller forgot it: nothing to report.
  std::array<iocpx::event, 4> ev;
  BOOST_TEST(p.poll(ev, std::chrono::milliseconds(0)) == 0u);
  // Closing again does nothing; the throwing form never throws.
  reg.close(ec);
  BOOST_TEST(!ec);
  reg.close();
  BOOST_TEST(!reg.is_open());
}

BOOST_AUTO_TEST_CASE(pending_wait_is_outstanding_work)
{
  asio::io_context io;
  iocpx::registration reg(io);
  wait_result w;
  reg.async_wait(ready::readable(), record{&w});
  auto s = reg.setter();
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s.add(ready::readable());
  });
  io.run(); // must not return before the wait completed
  t.join();
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(!w.ec);
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_waits_pending_destroys_handlers)
{
  auto io = std::make_unique<asio::io_context>();
  auto reg = std::make_shared<iocpx::registration>(*io);
  auto token = std::make_shared<int>(0);
  bool called = false;
  // The handler owns the registration and a sentinel.
  reg->async_wait(ready::readable(), [reg, token, &called](error_code, ready) { called = true; });
  std::weak_ptr<int> alive = token;
  std::weak_ptr<iocpx::registration> reg_alive = reg;
  token.reset();
  reg.reset();
  io.reset(); // shutdown destroys the pending wait without calling it
  BOOST_TEST(!called);
  BOOST_TEST(alive.expired());
  BOOST_TEST(reg_alive.expired());
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // bind_allocator
using iocpx_test::slow_allocation;
using iocpx_test::slow_allocator;

// The same, with a setter on a thread of its own that has taken the wait
// and is still posting it when the owner destroys the io_context (helper-80).
// The readiness service's shutdown found nothing pending, the scheduler's
// nothing queued yet, and the setter then posted into the destroyed
// io_context (ASan: heap-use-after-free; elsewhere the handler, and the
// registration it owns, were never destroyed). The shutdown now waits for
// that post, whose handler the scheduler's shutdown then destroys.
BOOST_AUTO_TEST_CASE(context_destroyed_while_another_thread_posts_a_handler_owned_wait)
{
  auto io = std::make_unique<asio::io_context>();
  slow_allocation slow;
  auto reg = std::make_shared<iocpx::registration>(*io);
  iocpx::set_readiness setter = reg->setter();
  std::atomic<int> called{0};
  reg->async_wait(ready::readable(),
      asio::bind_allocator(slow_allocator<void>(&slow), [reg, &called](error_code, ready) { ++called; }));
  reg.reset(); // the pending wait's handler is its only owner now
  slow.armed = true;
  std::thread t([&] { setter.add(ready::readable()); });
  while (!slow.entered.load())
    std::this_thread::yield();
  io.reset(); // while the setter is inside its post (a slow allocation)
  t.join();
  BOOST_TEST(called.load() == 0);
  BOOST_TEST(!setter.registration_alive()); // the handler, and with it the registration, went
}
#endif

BOOST_AUTO_TEST_CASE(bad_inputs)
{
  asio::io_context io;
  iocpx::registration reg(io);
  // Empty interest.
  wait_result w;
  reg.async_wait(ready::none(), record{&w});
  BOOST_TEST(w.calls == 0);
  run_ready(io);
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(w.ec == iocpx::error::empty_interest);
  // Moved-from registration.
  iocpx::registration moved(std::move(reg));
  wait_result g;
  reg.async_wait(ready::readable(), record{&g});
  run_ready(io);
  BOOST_TEST(g.calls == 1);
  BOOST_TEST(g.ec == iocpx::error::registration_gone);
  error_code ec;
  BOOST_TEST(reg.readiness(ec).is_none());
  BOOST_TEST(ec == iocpx::error::registration_gone);
  reg.cancel(ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  BOOST_CHECK_THROW(reg.readiness(), boost::system::system_error);
  BOOST_CHECK_THROW(reg.cancel(), boost::system::system_error);
  reg.setter().add(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  // The moved-to registration works.
  BOOST_TEST(moved.setter().add(ready::readable(), ec).is_none());
  BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(setters_follow_a_moved_registration)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto s = reg.setter();
  wait_result w;
  reg.async_wait(ready::readable(), record{&w});
  iocpx::registration moved(std::move(reg));
  s.add(ready::readable());
  run_ready(io);
  BOOST_TEST(w.calls == 1); // the pending wait followed too
  BOOST_TEST(!w.ec);
  BOOST_TEST(moved.readiness() == ready::readable());
  // Move assignment destroys the target's readiness.
  iocpx::registration other(io);
  auto os = other.setter();
  other = std::move(moved);
  BOOST_TEST(!os.registration_alive());
  BOOST_TEST(s.registration_alive());
  BOOST_TEST(other.readiness() == ready::readable());
}

BOOST_AUTO_TEST_CASE(setter_called_from_a_handler)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto s = reg.setter();
  wait_result second;
  bool first = false;
  reg.async_wait(ready::readable(), [&](error_code ec, ready) {
    BOOST_TEST(!ec);
    first = true;
    s.clear(ready::readable());
    reg.async_wait(ready::writable(), record{&second});
    s.add(ready::writable());
    BOOST_TEST(second.calls == 0); // not inline in the handler either
  });
  asio::post(io, [&] { s.add(ready::readable()); });
  io.run();
  BOOST_TEST(first);
  BOOST_TEST(second.calls == 1);
  BOOST_TEST(second.readiness == ready::writable());
}

// --- completion tokens --------------------------------------------------

BOOST_AUTO_TEST_CASE(token_use_future)
{
  asio::io_context io;
  iocpx::registration reg(io);
  std::future<ready> f = reg.async_wait(ready::writable(), asio::use_future);
  reg.setter().add(ready::writable() | ready::readable());
  io.run();
  BOOST_TEST(f.get() == ready::writable());

  // (The error path is not tested through use_future: an exception carried
  // across threads by std::future trips ThreadSanitizer inside libstdc++,
  // and as_tuple(use_future) does not compose in Boost 1.81.)
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // deferred: Boost 1.80
BOOST_AUTO_TEST_CASE(token_deferred)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto op = reg.async_wait(ready::readable(), asio::deferred);
  reg.setter().add(ready::readable());
  run_ready(io);
  wait_result w;
  std::move(op)(record{&w}); // started only now
  BOOST_TEST(w.calls == 0);
  run_ready(io);
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(w.readiness == ready::readable());
}
#endif

#if BOOST_VERSION >= 108100 // any_completion_handler: Boost 1.81
// A type-erased handler (what a user's separately compiled initiating
// function takes). Its executor, any_completion_executor, cannot be
// required not to run a function inside post(): the wait is posted to the
// registration's executor and dispatched from there, as asio::post does
// for such a handler. (Until 2026-11-29 this did not compile, and one bound
// to an executor crashed when its memory was freed. Found by review.)
BOOST_AUTO_TEST_CASE(token_any_completion_handler)
{
  asio::io_context io;
  iocpx::registration reg(io), other(io);
  iocpx::poller p(io);
  p.add(other, 3, ready::readable());
  int calls = 0;
  reg.async_wait(ready::readable(),
      asio::any_completion_handler<void(error_code, ready)>([&](error_code ec, ready r) {
        BOOST_TEST(!ec);
        BOOST_TEST(r.is_readable());
        ++calls;
      }));
  reg.async_wait(ready::readable(),
      asio::any_completion_handler<void(error_code, ready)>(
          asio::bind_executor(io.get_executor(), [&](error_code ec, ready) {
            BOOST_TEST(!ec);
            ++calls;
          })));
  static std::array<iocpx::event, 1> events;
  p.async_poll(events,
      asio::any_completion_handler<void(error_code, std::size_t)>([&](error_code ec, std::size_t n) {
        BOOST_TEST(!ec);
        BOOST_TEST(n == 1u);
        ++calls;
      }));
  reg.setter().set(ready::readable());
  other.setter().set(ready::readable());
  BOOST_TEST(calls == 0); // never inside set()
  io.run();
  BOOST_TEST(calls == 3);
  BOOST_TEST(events[0].token == 3u);

  // Bound to another io_context: the completion goes through the
  // registration's, which keeps work while the wait is pending (as for a
  // timer's wait with such a handler).
  asio::io_context io1, io2;
  iocpx::registration r1(io1);
  bool ran = false;
  r1.async_wait(ready::readable(),
      asio::any_completion_handler<void(error_code, ready)>(
          asio::bind_executor(io2.get_executor(), [&](error_code ec, ready) {
            BOOST_TEST(!ec);
            ran = true;
          })));
  io1.poll();
  BOOST_TEST(!io1.stopped()); // the pending wait is io1's work
  r1.setter().set(ready::readable());
  io1.run_for(std::chrono::seconds(5)); // posts it on to io2
  BOOST_TEST(!ran);
  io2.run_for(std::chrono::seconds(5)); // (bounded: without io1's work, nothing came)
  BOOST_TEST(ran);
}
#endif

BOOST_AUTO_TEST_CASE(token_as_tuple_and_redirect_error)
{
  asio::io_context io;
  iocpx::registration reg(io);
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple: Boost 1.80; redirect_error below runs everywhere
  bool done = false;
  reg.async_wait(ready::none(), asio::as_tuple([&](std::tuple<error_code, ready> t) {
    BOOST_TEST(std::get<0>(t) == iocpx::error::empty_interest);
    done = true;
  }));
  run_ready(io);
  BOOST_TEST(done);
#endif

  error_code ec;
  ready got;
  bool done2 = false;
  reg.async_wait(ready::readable(), asio::redirect_error([&](ready r) {
    got = r;
    done2 = true;
  }, ec));
  reg.cancel();
  run_ready(io);
  BOOST_TEST(done2);
  BOOST_TEST(ec == asio::error::operation_aborted);
  BOOST_TEST(got.is_none());
}

BOOST_AUTO_TEST_CASE(token_bind_executor_strand)
{
  asio::io_context io;
  iocpx::registration reg(io);
  auto strand = asio::make_strand(io);
  bool in_strand = false;
  int calls = 0;
  reg.async_wait(ready::readable(), asio::bind_executor(strand, [&](error_code ec, ready) {
    BOOST_TEST(!ec);
    in_strand = strand.running_in_this_thread();
    ++calls;
  }));
  // Set from a foreign thread: the handler still runs in the strand.
  std::thread t([s = reg.setter()]() mutable { s.add(ready::readable()); });
  t.join();
  io.run();
  BOOST_TEST(calls == 1);
  BOOST_TEST(in_strand);
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // bind_allocator: Boost 1.80
BOOST_AUTO_TEST_CASE(token_bind_allocator)
{
  asio::io_context io;
  iocpx::registration reg(io);
  iocpx_test::allocator_log log;
  iocpx_test::tracking_allocator<int> alloc(&log);
  wait_result w;
  reg.async_wait(ready::readable(), asio::bind_allocator(alloc, record{&w}));
  BOOST_TEST(log.allocations >= 1); // the operation lives in the handler's allocator
  reg.setter().add(ready::readable());
  io.run();
  BOOST_TEST(w.calls == 1);
  BOOST_TEST(log.allocations == log.deallocations);
  BOOST_TEST(log.live_bytes == 0);
}
#endif

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // deferred: Boost 1.80 (parallel_group: 1.77)
BOOST_AUTO_TEST_CASE(token_parallel_group_wait_for_one)
{
  asio::io_context io;
  iocpx::registration reader(io), writer(io);
  bool done = false;
  asio::experimental::make_parallel_group(
      reader.async_wait(ready::readable(), asio::deferred),
      writer.async_wait(ready::writable(), asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
          [&](std::array<std::size_t, 2> order, error_code ec1, ready r1, error_code ec2, ready r2) {
            BOOST_TEST(order[0] == 1u); // the writer finished first
            BOOST_TEST(!ec2);
            BOOST_TEST(r2 == ready::writable());
            BOOST_TEST(ec1 == asio::error::operation_aborted); // the reader was cancelled
            BOOST_TEST(r1.is_none());
            done = true;
          });
  run_ready(io);
  BOOST_TEST(!done);
  writer.setter().add(ready::writable());
  io.run();
  BOOST_TEST(done);
}
#endif

using iocpx_test::refusing_executor;

// Counts its destruction (moved-from copies do not count).
struct destruction_counter
{
  int* count;
  explicit destruction_counter(int* c) : count(c) {}
  destruction_counter(destruction_counter&& o) noexcept : count(std::exchange(o.count, nullptr)) {}
  destruction_counter(const destruction_counter&) = delete;
  ~destruction_counter()
  {
    if (count)
      ++*count;
  }
};

BOOST_AUTO_TEST_CASE(a_post_that_throws_loses_only_its_own_wait)
{
  asio::io_context ctx;
  iocpx::registration reg(ctx);
  int refused_destroyed = 0;
  int others_ran = 0;
  auto refused = [&] {
    return asio::bind_executor(refusing_executor{&ctx},
        [c = destruction_counter(&refused_destroyed)](error_code, ready) {
          BOOST_FAIL("a handler its executor refused ran");
        });
  };
  auto other = [&](error_code ec, ready) {
    BOOST_TEST(!ec);
    ++others_ran;
  };
  // The first wait is kept apart from the others (lock-free, in the
  // registration's word): a refusal there and one in the list.
  reg.async_wait(ready::readable(), refused());
  reg.async_wait(ready::readable(), other);
  reg.async_wait(ready::readable(), refused());
  reg.async_wait(ready::readable(), other);
  // The refusal reaches the setter, after every other wait was handed on.
  BOOST_CHECK_THROW(reg.setter().set(ready::readable()), std::bad_alloc);
  BOOST_TEST(refused_destroyed == 2);
  BOOST_TEST(reg.readiness().is_readable());
  // Bounded: a wait lost in the setter would keep run() from returning.
  ctx.run_for(std::chrono::seconds(10));
  BOOST_TEST(others_ran == 2);
}

BOOST_AUTO_TEST_CASE(closing_with_a_refusing_executor_aborts_the_other_waits)
{
  asio::io_context ctx;
  int refused_destroyed = 0;
  int aborted = 0;
  {
    iocpx::registration reg(ctx);
    reg.async_wait(ready::readable(),
        asio::bind_executor(refusing_executor{&ctx},
            [c = destruction_counter(&refused_destroyed)](error_code, ready) {
              BOOST_FAIL("a handler its executor refused ran");
            }));
    reg.async_wait(ready::readable(), [&](error_code ec, ready) {
      BOOST_TEST(ec == asio::error::operation_aborted);
      ++aborted;
    });
    // The destructor closes: it must not throw, nor lose the second wait.
  }
  BOOST_TEST(refused_destroyed == 1);
  ctx.run_for(std::chrono::seconds(10));
  BOOST_TEST(aborted == 1);
}

// A setter on another thread completes a wait while the registration's owner
// destroys it and then the io_context. Once the destructor has returned, no
// setter may still be handing a wait to the context (it would post into a
// destroyed io_context): the destructor waits for that hand-over to end.
BOOST_AUTO_TEST_CASE(destructor_waits_for_a_setter_handing_a_wait_over)
{
  auto io = std::make_unique<asio::io_context>();
  auto reg = std::make_unique<iocpx::registration>(*io);
  iocpx::set_readiness s = reg->setter();
  std::atomic<bool> entered{false}, handed_over{false};
  int destroyed = 0;
  reg->async_wait(ready::readable(),
      asio::bind_executor(iocpx_test::slow_executor{io.get(), &entered, &handed_over},
          [c = destruction_counter(&destroyed)](error_code, ready) {
            BOOST_FAIL("a handler ran in a context that never ran");
          }));
  std::thread setter([&] { s.set(ready::readable()); });
  while (!entered.load())
    std::this_thread::yield();
  reg.reset();
  BOOST_TEST(handed_over.load());
  setter.join(); // (before the context goes, even when the check failed)
  io.reset(); // destroys the handed-over wait without calling it
  BOOST_TEST(destroyed == 1);
  error_code ec;
  s.set(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
}

// The same with a wait delivered through its io_context's own executor (its
// handler's allocator slows the post down), by a setter that runs a handler
// of another io_context. A setter skips counting its hand-over only when its
// thread runs the io_context the wait is posted to (see readiness_core's
// slot_home_bit); this one does not, so the destructor must still wait for
// it.
BOOST_AUTO_TEST_CASE(destructor_waits_for_a_setter_that_runs_another_io_context)
{
  struct handler
  {
    destruction_counter counter;
    iocpx_test::slow_allocation* slow;

    using allocator_type = iocpx_test::slow_allocator<void>;
    allocator_type get_allocator() const noexcept
    {
      return allocator_type(slow);
    }

    void operator()(error_code, ready)
    {
      BOOST_FAIL("a handler ran in a context that never ran");
    }
  };

  iocpx_test::slow_allocation slow;
  auto io = std::make_unique<asio::io_context>();
  auto reg = std::make_unique<iocpx::registration>(*io);
  iocpx::set_readiness s = reg->setter();
  int destroyed = 0;
  reg->async_wait(ready::readable(), handler{destruction_counter(&destroyed), &slow});
  slow.armed = true; // (the wait is allocated: the next allocation is the post's)
  asio::io_context setter_ctx;
  asio::post(setter_ctx, [&] { s.set(ready::readable()); });
  std::thread setter([&] { setter_ctx.run(); });
  while (!slow.entered.load())
    std::this_thread::yield();
  reg.reset();
  BOOST_TEST(slow.handed_over.load());
  setter.join(); // (before the context goes, even when the check failed)
  io.reset(); // destroys the handed-over wait without calling it
  BOOST_TEST(destroyed == 1);
}

// The hand-over the setter does not count: a handler of the wait's own
// io_context sets the readiness, on the thread running that context, while
// another thread destroys the registration. Neither waits for the other,
// and the wait is delivered exactly once, completed or aborted.
BOOST_AUTO_TEST_CASE(registration_destroyed_while_a_handler_of_its_context_sets_it)
{
  for (int i = 0; i < 300; ++i)
  {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    auto reg = std::make_unique<iocpx::registration>(io);
    iocpx::set_readiness s = reg->setter();
    std::atomic<int> delivered{0};
    std::atomic<bool> go{false};
    reg->async_wait(ready::readable(), [&](error_code ec, ready r) {
      BOOST_TEST((ec == asio::error::operation_aborted || (!ec && r == ready::readable())));
      ++delivered;
    });
    asio::post(io, [&] {
      while (!go.load())
        std::this_thread::yield();
      error_code ignored; // (registration_gone if the destructor came first)
      s.set(ready::readable(), ignored);
    });
    std::thread runner([&] { io.run(); });
    go = true;
    if (i % 2)
      std::this_thread::yield();
    reg.reset();
    work.reset();
    runner.join();
    BOOST_TEST_REQUIRE(delivered.load() == 1);
  }
}

// A refused hand-over destroys the handler inside the setter; a handler that
// owns the registration destroys it there. The destructor, waiting for
// hand-overs in progress, must not wait for the one its own thread makes.
BOOST_AUTO_TEST_CASE(registration_destroyed_by_a_refused_handler_inside_its_setter)
{
  asio::io_context ctx;
  auto reg = std::make_shared<iocpx::registration>(ctx);
  iocpx::set_readiness s = reg->setter();
  std::weak_ptr<iocpx::registration> alive = reg;
  reg->async_wait(ready::readable(),
      asio::bind_executor(refusing_executor{&ctx}, [reg](error_code, ready) {
        BOOST_FAIL("a handler its executor refused ran");
      }));
  reg.reset();
  BOOST_CHECK_THROW(s.set(ready::readable()), std::bad_alloc);
  BOOST_TEST(alive.expired());
  error_code ec;
  s.set(ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // per-operation cancellation: Boost 1.77
// The same inside a per-operation cancellation: the signal's emit aborts a
// wait whose executor refuses its handler, and that handler holds the last
// references to the registration and to the cancellation signal. Destroying
// the signal destroys the slot's handler, which held the core's last
// reference: the canceller's hand-over must not touch the core after that
// (a heap-use-after-free under AddressSanitizer before the fix). Both
// places a wait can be in: the slot (the first wait) and the list.
BOOST_AUTO_TEST_CASE(registration_destroyed_by_a_refused_handler_inside_a_cancellation)
{
  for (int listed = 0; listed < 2; ++listed)
  {
    asio::io_context ctx;
    auto reg = std::make_shared<iocpx::registration>(ctx);
    auto sig = std::make_shared<asio::cancellation_signal>();
    asio::cancellation_signal* emitter = sig.get();
    std::weak_ptr<iocpx::registration> alive = reg;
    wait_result first;
    if (listed)
      reg->async_wait(ready::readable(), record{&first}); // takes the slot
    reg->async_wait(ready::readable(),
        asio::bind_cancellation_slot(sig->slot(),
            asio::bind_executor(refusing_executor{&ctx}, [reg, sig](error_code, ready) {
              BOOST_FAIL("a handler its executor refused ran");
            })));
    reg.reset();
    sig.reset();
    BOOST_TEST(!alive.expired());
    BOOST_CHECK_THROW(emitter->emit(asio::cancellation_type::terminal), std::bad_alloc);
    BOOST_TEST(alive.expired());
    ctx.run_for(std::chrono::seconds(10));
    BOOST_TEST(first.calls == listed);
  }
}
#endif

// A setter on another thread takes a wait whose executor refuses it (no
// memory) and destroys the handler there. That handler's destructor (user
// code) needs a lock that the registration's owner holds while destroying
// the registration (a session erased from a map under the map's mutex). The
// registration's destructor waits for the setter's hand-over, which lasts
// until the handler's destructor returns: each waits for the other. (Here
// the handler's destructor gives up after a few seconds instead of hanging.)
// Found by review; not fixed: the hand-over must also cover the operation's
// work, which the handler's destruction gives back. Disabled by default.
BOOST_AUTO_TEST_CASE(destructor_does_not_wait_for_a_refused_handler_destroyed_elsewhere,
    *boost::unit_test::disabled())
{
  asio::io_context io;
  auto reg = std::make_unique<iocpx::registration>(io);
  iocpx::set_readiness s = reg->setter();
  std::timed_mutex sessions; // the owner's lock
  std::atomic<bool> in_destructor{false}, owner_locked{false};
  bool gave_up = false;
  std::shared_ptr<int> session(new int(0), [&](int* p) {
    in_destructor = true;
    if (sessions.try_lock_for(std::chrono::seconds(3)))
      sessions.unlock();
    else
      gave_up = true;
    delete p;
  });
  reg->async_wait(ready::readable(),
      asio::bind_executor(iocpx_test::refusing_executor{&io},
          [session](error_code, ready) { BOOST_FAIL("a handler its executor refused ran"); }));
  session.reset();
  std::thread owner([&] {
    std::lock_guard<std::timed_mutex> lock(sessions);
    owner_locked = true;
    while (!in_destructor.load())
      std::this_thread::yield();
    reg.reset();
  });
  while (!owner_locked.load())
    std::this_thread::yield();
  std::thread setter([&] {
    try
    {
      s.set(ready::readable());
    }
    catch (const std::bad_alloc&)
    {
    }
  });
  owner.join();
  setter.join();
  BOOST_TEST(!gave_up);
}

// A handler whose move constructor throws. Asio's own operations free the
// operation and give its work back when moving the handler out throws (their
// ptr and handler_work are destroyed as the exception leaves do_complete).
struct throwing_move_handler
{
  int* live;
  bool* fail;
  throwing_move_handler(int* l, bool* f) : live(l), fail(f) { ++*live; }
  throwing_move_handler(const throwing_move_handler&) = delete;
  throwing_move_handler(throwing_move_handler&& o) : live(o.live), fail(o.fail)
  {
    if (*fail)
      throw std::runtime_error("handler move");
    ++*live;
  }
  ~throwing_move_handler() { --*live; }
  void operator()(error_code, ready) const { BOOST_FAIL("a handler that could not move ran"); }
};

BOOST_AUTO_TEST_CASE(a_handler_whose_move_throws_leaks_no_operation)
{
  asio::io_context io;
  iocpx::registration reg(io);
  int live = 0;
  bool fail = false;
  reg.async_wait(ready::readable(), throwing_move_handler(&live, &fail));
  reg.setter().set(ready::readable());
  fail = true;
  BOOST_CHECK_THROW(io.run(), std::runtime_error);
  fail = false;
  // The operation is gone with its handler, and so is its work: run()
  // returns at once.
  BOOST_TEST(live == 0);
  io.restart();
  io.run_for(std::chrono::seconds(10));
  BOOST_TEST(io.stopped());
}

BOOST_AUTO_TEST_SUITE_END()
