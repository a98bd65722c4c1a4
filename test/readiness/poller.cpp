// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/poller.hpp>

#include "../common/asio_features.hpp"
#include "readiness_test_util.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif
#if defined(IOCPX_TEST_HAS_ASIO_1_80) // as_tuple, deferred: Boost 1.80
#  include <boost/asio/as_tuple.hpp>
#  include <boost/asio/deferred.hpp>
#endif
#include <boost/test/unit_test.hpp>

#include <array>
#include <limits>
#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>
#include <tuple>
#include <memory>
#include <type_traits>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using iocpx::event;
using iocpx::ready;
using iocpx::trigger;

static_assert(iocpx::is_readiness_source_v<iocpx::registration>, "");
static_assert(iocpx::is_readiness_source_v<iocpx::basic_registration<asio::io_context::executor_type>>, "");
static_assert(!iocpx::is_readiness_source_v<int>, "");
static_assert(!std::is_copy_constructible<iocpx::poller>::value, "");
static_assert(std::is_nothrow_move_constructible<iocpx::poller>::value, "");
static_assert(std::is_same<iocpx::poller::rebind_executor<asio::io_context::executor_type>::other,
                  iocpx::basic_poller<asio::io_context::executor_type>>::value, "");

namespace {

// A source of its own, modelling ReadinessSource by wrapping a registration.
class custom_source
{
public:
  explicit custom_source(asio::io_context& io) : reg_(io) {}
  iocpx::registration& readiness_registration() noexcept { return reg_; }
  iocpx::set_readiness setter() const { return reg_.setter(); }

private:
  iocpx::registration reg_;
};

static_assert(iocpx::is_readiness_source_v<custom_source>, "");

std::size_t run_ready(asio::io_context& io)
{
  io.restart();
  return io.poll();
}

// Takes what is queued now, synchronously.
std::vector<event> take(iocpx::poller& p, std::size_t max = 16)
{
  std::vector<event> ev(max);
  std::size_t n = p.poll(ev, std::chrono::milliseconds(0));
  ev.resize(n);
  return ev;
}

std::string str(const std::vector<event>& v)
{
  std::ostringstream os;
  for (const event& e : v)
    os << e;
  return os.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(readiness_poller)

BOOST_AUTO_TEST_CASE(construction)
{
  asio::io_context io;
  iocpx::poller a(io);
  iocpx::poller b(io.get_executor());
  iocpx::basic_poller<asio::io_context::executor_type> c(io);
  iocpx::poller d(std::move(c));
  BOOST_TEST(a.is_open());
  BOOST_TEST(d.is_open());
  BOOST_TEST(!c.is_open());
  BOOST_TEST((a.get_executor() == asio::any_io_executor(io.get_executor())));
  a = std::move(b);
  BOOST_TEST(!b.is_open());
}

BOOST_AUTO_TEST_CASE(level_is_reported_while_ready)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 1, ready::readable(), trigger::level);
  BOOST_TEST(take(p).empty());
  r.setter().add(ready::readable() | ready::writable());
  BOOST_TEST(str(take(p)) == "{1, readable}");
  BOOST_TEST(str(take(p)) == "{1, readable}");
  r.setter().clear(ready::readable());
  BOOST_TEST(take(p).empty());
  BOOST_TEST(take(p).empty());
  r.setter().add(ready::readable());
  BOOST_TEST(str(take(p)) == "{1, readable}");
}

BOOST_AUTO_TEST_CASE(edge_is_reported_once_per_new_readiness)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  auto s = r.setter();
  p.add(r, 2, ready::readable() | ready::writable(), trigger::edge);
  s.add(ready::readable());
  s.add(ready::readable()); // repeats: coalesced
  BOOST_TEST(str(take(p)) == "{2, readable}");
  BOOST_TEST(take(p).empty());
  s.set(ready::readable()); // nothing new
  BOOST_TEST(take(p).empty());
  s.add(ready::writable()); // new kind
  BOOST_TEST(str(take(p)) == "{2, readable | writable}");
  s.clear(ready::readable());
  s.add(ready::readable()); // appears again
  BOOST_TEST(str(take(p)) == "{2, readable | writable}");
  s.add(ready::error()); // outside the interest
  BOOST_TEST(take(p).empty());
}

BOOST_AUTO_TEST_CASE(edge_cleared_before_taken_is_not_reported)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 3, ready::readable(), trigger::edge);
  r.setter().add(ready::readable());
  r.setter().clear(ready::readable());
  BOOST_TEST(take(p).empty());
}

BOOST_AUTO_TEST_CASE(oneshot_is_reported_once_until_modified)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  auto s = r.setter();
  p.add(r, 4, ready::readable(), trigger::oneshot);
  s.add(ready::readable());
  BOOST_TEST(str(take(p)) == "{4, readable}");
  BOOST_TEST(take(p).empty());
  s.clear(ready::readable());
  s.add(ready::readable());
  BOOST_TEST(take(p).empty()); // disarmed
  p.modify(r, 5, ready::readable(), trigger::oneshot); // re-armed; still ready
  BOOST_TEST(str(take(p)) == "{5, readable}");
  BOOST_TEST(take(p).empty());
}

// modify() without a trigger keeps the source's own: re-arming a oneshot
// source (the usual call after its event) does not turn it into an edge
// one, and a level source stays level.
BOOST_AUTO_TEST_CASE(modify_without_a_trigger_keeps_the_sources_trigger)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration once(io), level(io);
  p.add(once, 1, ready::readable(), trigger::oneshot);
  p.add(level, 2, ready::writable(), trigger::level);
  once.setter().add(ready::readable());
  BOOST_TEST(str(take(p)) == "{1, readable}");
  BOOST_TEST(take(p).empty()); // disarmed
  p.modify(once, 3, ready::readable()); // re-armed, still ready
  BOOST_TEST(str(take(p)) == "{3, readable}");
  // Still oneshot: a new edge is not reported until the next modify.
  once.setter().clear(ready::readable());
  once.setter().add(ready::readable());
  BOOST_TEST(take(p).empty());
  error_code ec = asio::error::would_block;
  p.modify(once, 4, ready::readable(), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(str(take(p)) == "{4, readable}");
  BOOST_TEST(take(p).empty());

  // Level stays level: reported again and again while it holds.
  level.setter().add(ready::writable());
  p.modify(level, 5, ready::writable());
  BOOST_TEST(str(take(p)) == "{5, writable}");
  BOOST_TEST(str(take(p)) == "{5, writable}");

  // Errors as for the other form.
  iocpx::registration stranger(io);
  p.modify(stranger, 6, ready::readable(), ec);
  BOOST_TEST(ec == iocpx::error::not_registered);
  p.modify(level, 6, ready::none(), ec);
  BOOST_TEST(ec == iocpx::error::empty_interest);
  BOOST_CHECK_THROW(p.modify(stranger, 6, ready::readable()), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(already_ready_source_is_reported_on_add)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  r.setter().set(ready::writable());
  p.add(r, 6, ready::writable(), trigger::edge);
  BOOST_TEST(str(take(p)) == "{6, writable}");
}

BOOST_AUTO_TEST_CASE(removed_before_taken_is_never_reported_and_readd_uses_new_token)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 7, ready::readable(), trigger::level);
  r.setter().add(ready::readable());
  p.remove(r);
  BOOST_TEST(take(p).empty());
  p.add(r, 8, ready::readable(), trigger::level);
  BOOST_TEST(str(take(p)) == "{8, readable}");
  // modify changes the token of a queued event too
  p.modify(r, 9, ready::readable(), trigger::level);
  BOOST_TEST(str(take(p)) == "{9, readable}");
}

BOOST_AUTO_TEST_CASE(destroyed_source_is_never_reported)
{
  asio::io_context io;
  iocpx::poller p(io);
  auto r = std::make_unique<iocpx::registration>(io);
  iocpx::registration keep(io);
  p.add(*r, 1, ready::readable(), trigger::level);
  p.add(keep, 2, ready::readable(), trigger::level);
  r->setter().add(ready::readable());
  keep.setter().add(ready::readable());
  r.reset();
  BOOST_TEST(str(take(p)) == "{2, readable}");
  BOOST_TEST(str(take(p)) == "{2, readable}");
  // The poller stays usable, and reaps the dead entry.
  iocpx::registration fresh(io);
  p.add(fresh, 3, ready::writable(), trigger::edge);
  fresh.setter().add(ready::writable());
  BOOST_TEST(str(take(p)) == "{2, readable}{3, writable}");
}

BOOST_AUTO_TEST_CASE(fair_order_no_starvation)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration a(io), b(io), c(io);
  p.add(a, 1, ready::readable(), trigger::level);
  p.add(b, 2, ready::readable(), trigger::level);
  p.add(c, 3, ready::readable(), trigger::level);
  a.setter().add(ready::readable());
  b.setter().add(ready::readable());
  c.setter().add(ready::readable());
  std::string seen;
  for (int i = 0; i < 6; ++i)
    seen += str(take(p, 1));
  BOOST_TEST(seen == "{1, readable}{2, readable}{3, readable}{1, readable}{2, readable}{3, readable}");
  // A batch reports each source at most once.
  BOOST_TEST(str(take(p, 16)) == "{1, readable}{2, readable}{3, readable}");
}

BOOST_AUTO_TEST_CASE(moved_source_is_followed)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 1, ready::readable(), trigger::edge);
  iocpx::registration moved(std::move(r));
  moved.setter().add(ready::readable());
  BOOST_TEST(str(take(p)) == "{1, readable}");
  p.remove(moved);
  error_code ec;
  p.remove(moved, ec);
  BOOST_TEST(ec == iocpx::error::not_registered);
}

BOOST_AUTO_TEST_CASE(custom_source_models_the_concept)
{
  asio::io_context io;
  iocpx::poller p(io);
  custom_source src(io);
  p.add(src, 42, ready::hangup(), trigger::edge);
  src.setter().add(ready::hangup());
  BOOST_TEST(str(take(p)) == "{42, hangup}");
}

BOOST_AUTO_TEST_CASE(async_poll_completes_when_a_source_becomes_ready)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration a(io), b(io);
  p.add(a, 10, ready::readable(), trigger::edge);
  p.add(b, 11, ready::writable(), trigger::edge);
  std::array<event, 4> ev;
  int calls = 0;
  std::size_t got = 0;
  p.async_poll(ev, [&](error_code ec, std::size_t n) {
    BOOST_TEST(!ec);
    ++calls;
    got = n;
  });
  run_ready(io);
  BOOST_TEST(calls == 0);
  b.setter().add(ready::writable());
  BOOST_TEST(calls == 0); // not inline in the setter
  run_ready(io);
  BOOST_TEST(calls == 1);
  BOOST_TEST(got == 1u);
  BOOST_TEST((ev[0] == event{11, ready::writable()}));
}

BOOST_AUTO_TEST_CASE(async_poll_with_events_queued_is_not_inline)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration a(io);
  p.add(a, 1, ready::readable(), trigger::level);
  a.setter().add(ready::readable());
  std::vector<event> ev(2);
  int calls = 0;
  p.async_poll(ev, [&](error_code ec, std::size_t n) {
    BOOST_TEST(!ec);
    BOOST_TEST(n == 1u);
    ++calls;
  });
  BOOST_TEST(calls == 0);
  BOOST_TEST(run_ready(io) == 1u);
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(async_poll_set_from_another_thread)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration a(io);
  p.add(a, 5, ready::readable(), trigger::edge);
  std::array<event, 1> ev;
  auto f = p.async_poll(ev, asio::use_future);
  std::thread t([s = a.setter()]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s.add(ready::readable());
  });
  io.run(); // a pending poll is outstanding work
  t.join();
  BOOST_TEST(f.get() == 1u);
  BOOST_TEST((ev[0] == event{5, ready::readable()}));
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // per-operation cancellation: Boost 1.77
BOOST_AUTO_TEST_CASE(async_poll_cancellation)
{
  asio::io_context io;
  iocpx::poller p(io);
  std::array<event, 1> ev1, ev2;
  asio::cancellation_signal sig;
  error_code e1, e2;
  int calls = 0;
  p.async_poll(ev1, asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, std::size_t n) {
    e1 = ec;
    BOOST_TEST(n == 0u);
    ++calls;
  }));
  p.async_poll(ev2, [&](error_code ec, std::size_t) {
    e2 = ec;
    ++calls;
  });
  sig.emit(asio::cancellation_type::partial);
  run_ready(io);
  BOOST_TEST(calls == 1);
  BOOST_TEST(e1 == asio::error::operation_aborted);
  p.cancel();
  run_ready(io);
  BOOST_TEST(calls == 2);
  BOOST_TEST(e2 == asio::error::operation_aborted);
}

// A slot given to a second poll while the first still waits: the signal now
// belongs to the second (Asio builds its handler in the first's memory).
BOOST_AUTO_TEST_CASE(a_slot_reused_while_its_first_poll_waits_cancels_the_second)
{
  asio::io_context io;
  iocpx::poller p(io);
  std::array<event, 1> ev1, ev2;
  asio::cancellation_signal sig;
  error_code e1, e2;
  int calls1 = 0, calls2 = 0;
  p.async_poll(ev1, asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, std::size_t) {
    e1 = ec;
    ++calls1;
  }));
  p.async_poll(ev2, asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, std::size_t) {
    e2 = ec;
    ++calls2;
  }));
  sig.emit(asio::cancellation_type::terminal);
  run_ready(io);
  BOOST_TEST(calls1 == 0);
  BOOST_TEST(calls2 == 1);
  BOOST_TEST(e2 == asio::error::operation_aborted);
  p.cancel();
  run_ready(io);
  BOOST_TEST(calls1 == 1);
}
#endif

BOOST_AUTO_TEST_CASE(destruction_with_polls_pending)
{
  asio::io_context io;
  iocpx::registration r(io);
  error_code e;
  int calls = 0;
  std::array<event, 1> ev;
  {
    iocpx::poller p(io);
    p.add(r, 1, ready::readable(), trigger::edge);
    p.async_poll(ev, [&](error_code ec, std::size_t) {
      e = ec;
      ++calls;
    });
  }
  run_ready(io);
  BOOST_TEST(calls == 1);
  BOOST_TEST(e == asio::error::operation_aborted);
  // The source was detached and may join another poller.
  iocpx::poller q(io);
  q.add(r, 2, ready::readable(), trigger::edge);
  r.setter().add(ready::readable());
  BOOST_TEST(str(take(q)) == "{2, readable}");
}

BOOST_AUTO_TEST_CASE(close_ends_the_poller_as_destruction_does)
{
  asio::io_context io;
  iocpx::registration r(io);
  iocpx::poller p(io);
  p.add(r, 1, ready::readable(), trigger::edge);
  error_code e;
  int calls = 0;
  std::array<event, 1> ev;
  p.async_poll(ev, [&](error_code ec, std::size_t) {
    e = ec;
    ++calls;
  });
  error_code ec = asio::error::fault;
  p.close(ec);
  BOOST_TEST(!ec);
  BOOST_TEST(!p.is_open());
  run_ready(io);
  BOOST_TEST(calls == 1);
  BOOST_TEST(e == asio::error::operation_aborted);
  // Its operations now report bad_descriptor, as a moved-from poller's do.
  p.add(r, 2, ready::readable(), trigger::edge, ec);
  BOOST_TEST(ec == asio::error::bad_descriptor);
  p.cancel(ec);
  BOOST_TEST(ec == asio::error::bad_descriptor);
  // The source was detached and may join another poller.
  iocpx::poller q(io);
  q.add(r, 3, ready::readable(), trigger::edge);
  r.setter().add(ready::readable());
  BOOST_TEST(str(take(q)) == "{3, readable}");
  // Closing again does nothing.
  p.close(ec);
  BOOST_TEST(!ec);
  p.close();
}

#if defined(IOCPX_TEST_HAS_ASIO_1_80) // deferred, as_tuple: Boost 1.80
BOOST_AUTO_TEST_CASE(tokens_deferred_and_as_tuple)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 1, ready::readable(), trigger::edge);
  std::array<event, 2> ev;
  auto op = p.async_poll(ev, asio::deferred);
  r.setter().add(ready::readable());
  std::size_t got = 0;
  std::move(op)(asio::as_tuple([&](std::tuple<error_code, std::size_t> t) {
    BOOST_TEST(!std::get<0>(t));
    got = std::get<1>(t);
  }));
  run_ready(io);
  BOOST_TEST(got == 1u);
}
#endif

BOOST_AUTO_TEST_CASE(sync_poll_timeout_and_wakeup)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 1, ready::readable(), trigger::edge);
  std::array<event, 1> ev;
  auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(p.poll(ev, std::chrono::milliseconds(30)) == 0u);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(30)));
  std::thread t([s = r.setter()]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s.add(ready::readable());
  });
  BOOST_TEST(p.poll(ev, std::chrono::hours(24 * 365 * 1000)) == 1u); // "forever"
  t.join();
  BOOST_TEST((ev[0] == event{1, ready::readable()}));
}

// Timeouts at the edges: a NaN one counts as zero; a floating-point one
// within a microsecond of the clock's end, the time left itself, the largest
// double and infinity all wait without limit (here: until a setter on
// another thread makes the source ready), with no overflow on the way —
// the sanitizer builds check the arithmetic.
BOOST_AUTO_TEST_CASE(sync_poll_timeouts_at_the_edges)
{
  using clock = std::chrono::steady_clock;
  using seconds_d = std::chrono::duration<double>;
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io);
  p.add(r, 1, ready::readable(), trigger::level);
  std::array<event, 1> ev;
  BOOST_TEST(p.poll(ev, seconds_d(std::numeric_limits<double>::quiet_NaN())) == 0u);
  const auto left = [] { return seconds_d(clock::time_point::max() - clock::now()); };
  const seconds_d timeouts[] = {left() - seconds_d(1e-6), left(),
      seconds_d(std::numeric_limits<double>::max()),
      seconds_d(std::numeric_limits<double>::infinity())};
  for (const seconds_d& timeout : timeouts)
  {
    iocpx::set_readiness s = r.setter();
    std::thread t([&s] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      s.add(ready::readable());
    });
    BOOST_TEST(p.poll(ev, timeout) == 1u);
    t.join();
    BOOST_TEST((ev[0] == event{1, ready::readable()}));
    s.clear(ready::readable());
  }
}

BOOST_AUTO_TEST_CASE(bad_inputs)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration r(io), never(io);
  error_code ec;
  // Empty interest.
  p.add(r, 1, ready::none(), trigger::level, ec);
  BOOST_TEST(ec == iocpx::error::empty_interest);
  BOOST_CHECK_THROW(p.add(r, 1, ready::none()), boost::system::system_error);
  // Removing / modifying a source never added.
  p.remove(never, ec);
  BOOST_TEST(ec == iocpx::error::not_registered);
  p.modify(never, 1, ready::readable(), trigger::level, ec);
  BOOST_TEST(ec == iocpx::error::not_registered);
  BOOST_CHECK_THROW(p.remove(never), boost::system::system_error);
  // Adding the same source twice (to this or another poller).
  p.add(r, 1, ready::readable(), trigger::level, ec);
  BOOST_TEST(!ec);
  p.add(r, 2, ready::readable(), trigger::level, ec);
  BOOST_TEST(ec == iocpx::error::already_registered);
  iocpx::poller q(io);
  q.add(r, 3, ready::readable(), trigger::level, ec);
  BOOST_TEST(ec == iocpx::error::already_registered);
  q.remove(r, ec);
  BOOST_TEST(ec == iocpx::error::not_registered);
  p.modify(r, 1, ready::none(), trigger::level, ec);
  BOOST_TEST(ec == iocpx::error::empty_interest);
  // Empty event buffer.
  std::vector<event> none;
  error_code aec;
  int calls = 0;
  p.async_poll(none, [&](error_code e, std::size_t n) {
    aec = e;
    BOOST_TEST(n == 0u);
    ++calls;
  });
  BOOST_TEST(calls == 0);
  run_ready(io);
  BOOST_TEST(calls == 1);
  BOOST_TEST(aec == iocpx::error::empty_buffer);
  p.poll(none, std::chrono::seconds(0), ec);
  BOOST_TEST(ec == iocpx::error::empty_buffer);
  BOOST_CHECK_THROW(p.poll(none, std::chrono::seconds(0)), boost::system::system_error);
  // Moved-from registration.
  iocpx::registration moved(std::move(never));
  p.add(never, 9, ready::readable(), trigger::level, ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  p.remove(never, ec);
  BOOST_TEST(ec == iocpx::error::registration_gone);
  // Moved-from poller.
  iocpx::poller moved_p(std::move(q));
  q.add(moved, 1, ready::readable(), trigger::level, ec);
  BOOST_TEST(ec == asio::error::bad_descriptor);
  std::array<event, 1> one;
  q.poll(one, std::chrono::seconds(0), ec);
  BOOST_TEST(ec == asio::error::bad_descriptor);
  q.cancel(ec);
  BOOST_TEST(ec == asio::error::bad_descriptor);
  q.async_poll(one, [&](error_code e, std::size_t) {
    aec = e;
    ++calls;
  });
  run_ready(io);
  BOOST_TEST(calls == 2);
  BOOST_TEST(aec == asio::error::bad_descriptor);
}

// A setter on another thread satisfies a poll (the source's core hands the
// poll to its executor) while the poller's owner destroys the poller and
// then the io_context. Once the poller's destructor has returned, nothing
// may still be posting into that context: it waits for the hand-over.
BOOST_AUTO_TEST_CASE(destructor_waits_for_a_setter_handing_a_poll_over)
{
  auto io = std::make_unique<asio::io_context>();
  auto p = std::make_unique<iocpx::poller>(*io);
  iocpx::registration a(*io);
  p->add(a, 1, ready::readable(), trigger::edge);
  std::array<event, 1> ev;
  std::atomic<bool> entered{false}, handed_over{false};
  p->async_poll(ev, asio::bind_executor(iocpx_test::slow_executor{io.get(), &entered, &handed_over},
                        [](error_code, std::size_t) {
                          BOOST_FAIL("a handler ran in a context that never ran");
                        }));
  std::thread setter([s = a.setter()]() mutable { s.set(ready::readable()); });
  while (!entered.load())
    std::this_thread::yield();
  p.reset();
  BOOST_TEST(handed_over.load());
  setter.join(); // (before the context goes, even when the check failed)
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // per-operation cancellation: Boost 1.77
// The same with a per-operation cancellation emitted on another thread: the
// canceller takes the poll out and hands it over (operation_aborted) while
// the owner destroys the poller and then the io_context. The registration's
// destructor waits for such a canceller; the poller's must too.
BOOST_AUTO_TEST_CASE(destructor_waits_for_a_canceller_handing_a_poll_over)
{
  auto io = std::make_unique<asio::io_context>();
  auto p = std::make_unique<iocpx::poller>(*io);
  std::array<event, 1> ev;
  std::atomic<bool> entered{false}, handed_over{false};
  asio::cancellation_signal sig;
  p->async_poll(ev,
      asio::bind_cancellation_slot(sig.slot(),
          asio::bind_executor(iocpx_test::slow_executor{io.get(), &entered, &handed_over},
              [](error_code, std::size_t) {
                BOOST_FAIL("a handler ran in a context that never ran");
              })));
  std::thread canceller([&sig] { sig.emit(asio::cancellation_type::terminal); });
  while (!entered.load())
    std::this_thread::yield();
  p.reset();
  BOOST_TEST(handed_over.load());
  canceller.join(); // (before the context goes, even when the check failed)
}
#endif

// An async_poll whose executor refuses its handler (it cannot allocate)
// throws from the initiating function. The events the poll had taken must
// not go with it: an edge source would be silent until its next edge, and a
// oneshot source disarmed for good. The next poll reports them.
BOOST_AUTO_TEST_CASE(async_poll_refused_by_its_executor_loses_no_event)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration a(io), b(io), c(io);
  p.add(a, 1, ready::readable(), trigger::oneshot);
  p.add(b, 2, ready::readable(), trigger::edge);
  p.add(c, 3, ready::readable(), trigger::level);
  a.setter().add(ready::readable());
  b.setter().add(ready::readable());
  c.setter().add(ready::readable());
  std::array<event, 4> ev;
  BOOST_CHECK_THROW(p.async_poll(ev, asio::bind_executor(iocpx_test::refusing_executor{&io},
                                         [](error_code, std::size_t) {
                                           BOOST_FAIL("a handler its executor refused ran");
                                         })),
      std::bad_alloc);
  BOOST_TEST(str(take(p)) == "{1, readable}{2, readable}{3, readable}");
  BOOST_TEST(str(take(p)) == "{3, readable}");
  // No work left behind: poll() finds none and stops the context.
  io.poll();
  BOOST_TEST(io.stopped());
}

// The same for a poll that was pending when the events came: a setter,
// add() or modify() completes it, its executor refuses it, and the events
// it took go back to the queue. (Until 2026-11-29 only async_poll's own
// refusal gave them back: a oneshot source stayed disarmed and silent, an
// edge source silent until its next edge. Found by review.) The exception
// still leaves the call that completed the poll, after its change is made.
BOOST_AUTO_TEST_CASE(a_pending_poll_refused_by_its_executor_loses_no_event)
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration a(io), b(io), c(io), d(io);
  p.add(a, 1, ready::readable(), trigger::oneshot);
  p.add(b, 2, ready::readable(), trigger::edge);
  const auto refused = [&] {
    static std::array<event, 4> ev;
    p.async_poll(ev, asio::bind_executor(iocpx_test::refusing_executor{&io},
                         [](error_code, std::size_t) {
                           BOOST_FAIL("a handler its executor refused ran");
                         }));
  };

  // A setter completes it.
  refused();
  BOOST_CHECK_THROW(a.setter().add(ready::readable()), std::bad_alloc);
  b.setter().add(ready::readable());
  BOOST_TEST(str(take(p)) == "{1, readable}{2, readable}");

  // add() completes it: the source is added all the same.
  c.setter().add(ready::readable());
  refused();
  BOOST_CHECK_THROW(p.add(c, 3, ready::readable(), trigger::oneshot), std::bad_alloc);
  error_code ec;
  p.add(c, 3, ready::readable(), trigger::oneshot, ec);
  BOOST_TEST(ec == iocpx::error::already_registered);
  BOOST_TEST(str(take(p)) == "{3, readable}");

  // modify() completes it (re-arming the oneshot source reported above).
  refused();
  BOOST_CHECK_THROW(p.modify(c, 4, ready::readable()), std::bad_alloc);
  BOOST_TEST(str(take(p)) == "{4, readable}");

  // A poll still pending when the refused one gives its events back takes
  // them (in the order they were taken).
  p.add(d, 5, ready::readable(), trigger::edge);
  refused();
  std::array<event, 4> ev;
  std::size_t got = 0;
  p.async_poll(ev, [&](error_code e, std::size_t n) {
    BOOST_TEST(!e);
    got = n;
  });
  BOOST_CHECK_THROW(d.setter().add(ready::readable()), std::bad_alloc);
  io.restart();
  io.poll();
  BOOST_TEST(got == 1u);
  BOOST_TEST(ev[0].token == 5u);
  BOOST_TEST(take(p).empty()); // reported once
  io.restart();
  io.poll();
  BOOST_TEST(io.stopped()); // no work left behind
}

// A setter's set() completes a poll whose executor refuses its handler,
// and that handler holds the last reference to the poller: the poller is
// destroyed inside the setter's hand-over. Its destructor does not wait for
// that hand-over (it is this thread's own), but the hand-over must not touch
// the poller once it is gone (the setter holds no reference to it).
BOOST_AUTO_TEST_CASE(poller_destroyed_by_a_refused_poll_handler_inside_a_setter)
{
  asio::io_context io;
  iocpx::registration a(io);
  auto p = std::make_shared<iocpx::poller>(io);
  p->add(a, 1, ready::readable(), trigger::edge);
  std::weak_ptr<iocpx::poller> alive = p;
  static std::array<event, 1> ev;
  p->async_poll(ev, asio::bind_executor(iocpx_test::refusing_executor{&io},
                        [p](error_code, std::size_t) {
                          BOOST_FAIL("a handler its executor refused ran");
                        }));
  p.reset();
  BOOST_TEST(!alive.expired());
  BOOST_CHECK_THROW(a.setter().set(ready::readable()), std::bad_alloc);
  BOOST_TEST(alive.expired());
  error_code ec;
  a.setter().set(ready::none(), ec);
  BOOST_TEST(!ec);
}

// The same inside the poller's own add(): the poll it completes is refused,
// its handler holds the last reference to the poller, and its events go
// back to the poller's state after the poller is gone (a heap-use-after-
// free under AddressSanitizer if that state went with it).
BOOST_AUTO_TEST_CASE(poller_destroyed_by_a_refused_poll_handler_inside_its_add)
{
  asio::io_context io;
  iocpx::registration a(io);
  a.setter().set(ready::readable());
  auto p = std::make_shared<iocpx::poller>(io);
  std::weak_ptr<iocpx::poller> alive = p;
  static std::array<event, 1> ev;
  p->async_poll(ev, asio::bind_executor(iocpx_test::refusing_executor{&io},
                        [p](error_code, std::size_t) {
                          BOOST_FAIL("a handler its executor refused ran");
                        }));
  iocpx::poller& raw = *p;
  p.reset();
  BOOST_TEST(!alive.expired());
  BOOST_CHECK_THROW(raw.add(a, 1, ready::readable(), trigger::edge), std::bad_alloc);
  BOOST_TEST(alive.expired());
  error_code ec;
  a.setter().set(ready::none(), ec); // the source is free of the poller
  BOOST_TEST(!ec);
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // per-operation cancellation: Boost 1.77
// The same inside a per-operation cancellation: the signal's emit aborts a
// poll whose executor refuses its handler, and that handler holds the last
// references to the poller and to the cancellation signal. Destroying the
// signal destroys the slot's handler, which held the poller state's last
// reference: the canceller's hand-over must not touch the state after that
// (a heap-use-after-free under AddressSanitizer before the fix).
BOOST_AUTO_TEST_CASE(poller_destroyed_by_a_refused_poll_handler_inside_a_cancellation)
{
  asio::io_context io;
  auto p = std::make_shared<iocpx::poller>(io);
  auto sig = std::make_shared<asio::cancellation_signal>();
  asio::cancellation_signal* emitter = sig.get();
  std::weak_ptr<iocpx::poller> alive = p;
  static std::array<event, 1> ev;
  p->async_poll(ev, asio::bind_cancellation_slot(sig->slot(),
                        asio::bind_executor(iocpx_test::refusing_executor{&io},
                            [p, sig](error_code, std::size_t) {
                              BOOST_FAIL("a handler its executor refused ran");
                            })));
  p.reset();
  sig.reset();
  BOOST_TEST(!alive.expired());
  BOOST_CHECK_THROW(emitter->emit(asio::cancellation_type::terminal), std::bad_alloc);
  BOOST_TEST(alive.expired());
}
#endif

// give_back() matches the numbers a refused poll took modulo 2^32: an entry
// whose last event was taken 2^32 events earlier looked like one of the
// refused batch's, and a oneshot source reported once (disarmed until
// modify()) was re-armed and reported again. Found by review; fixed by
// poller_state::age_out_locked. It takes 2^32 events (about a minute in an
// optimized build, far longer in the sanitizer builds): disabled by
// default, run it by name.
BOOST_AUTO_TEST_CASE(a_refused_poll_does_not_rearm_a_oneshot_reported_2_to_the_32_events_earlier,
    *boost::unit_test::disabled())
{
  asio::io_context io;
  iocpx::poller p(io);
  iocpx::registration o(io), e(io);
  p.add(o, 1, ready::readable(), trigger::oneshot);
  o.setter().set(ready::readable());
  BOOST_TEST(str(take(p)) == "{1, readable}"); // the poller's event number 1
  constexpr std::size_t k = 4096;
  std::vector<std::unique_ptr<iocpx::registration>> levels;
  for (std::size_t i = 0; i < k; ++i)
  {
    levels.push_back(std::make_unique<iocpx::registration>(io));
    p.add(*levels.back(), 100 + i, ready::readable(), trigger::level);
    levels.back()->setter().set(ready::readable());
  }
  // 2^32 - 1 events more: the next event taken is numbered 1 again.
  const std::uint64_t total = (std::uint64_t(1) << 32) - 1;
  std::vector<event> ev(k), last(static_cast<std::size_t>(total % k));
  std::uint64_t taken = 0;
  bool all = true;
  while (taken < total)
  {
    std::vector<event>& v = total - taken >= k ? ev : last;
    const std::size_t n = p.poll(v, std::chrono::milliseconds(0));
    all = all && n == v.size();
    taken += n;
  }
  BOOST_TEST(all);
  levels.clear();
  p.add(e, 2, ready::readable(), trigger::edge);
  e.setter().set(ready::readable());
  std::array<event, 1> one;
  BOOST_CHECK_THROW(p.async_poll(one, asio::bind_executor(iocpx_test::refusing_executor{&io},
                                          [](error_code, std::size_t) {
                                            BOOST_FAIL("a handler its executor refused ran");
                                          })),
      std::bad_alloc);
  // Only the refused event comes back; the oneshot stays disarmed.
  BOOST_TEST(str(take(p)) == "{2, readable}");
}

BOOST_AUTO_TEST_SUITE_END()
