// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the headers are self-contained.
#include <iocpx/ready.hpp>
#include <iocpx/trigger.hpp>
#include <iocpx/event.hpp>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <type_traits>

using iocpx::ready;
using iocpx::trigger;

// Compile-time checks: ready is a literal, trivially copyable value type.
static_assert(std::is_trivially_copyable<ready>::value, "");
static_assert(sizeof(ready) == sizeof(unsigned int), "");
static_assert(ready::none().is_none(), "");
static_assert((ready::readable() | ready::writable()).contains(ready::writable()), "");
static_assert(!ready::readable().intersects(ready::writable()), "");
static_assert((~ready::readable()).bits() == (ready::all() - ready::readable()).bits(), "");

BOOST_AUTO_TEST_SUITE(readiness_ready)

BOOST_AUTO_TEST_CASE(kinds_are_distinct_bits)
{
  const ready kinds[] = {ready::readable(), ready::writable(), ready::error(),
      ready::hangup(), ready::priority()};
  ready all;
  for (ready k : kinds)
  {
    BOOST_TEST(!k.is_none());
    BOOST_TEST(!all.intersects(k));
    all |= k;
  }
  BOOST_TEST(all == ready::all());
  BOOST_TEST(ready::all().bits() == 0x1Fu);
}

BOOST_AUTO_TEST_CASE(predicates)
{
  ready r = ready::readable() | ready::hangup();
  BOOST_TEST(r.is_readable());
  BOOST_TEST(!r.is_writable());
  BOOST_TEST(!r.is_error());
  BOOST_TEST(r.is_hangup());
  BOOST_TEST(!r.is_priority());
  BOOST_TEST(static_cast<bool>(r));
  BOOST_TEST(!static_cast<bool>(ready::none()));
  BOOST_TEST(r.contains(ready::readable()));
  BOOST_TEST(!r.contains(ready::readable() | ready::writable()));
  BOOST_TEST(r.contains(ready::none()));
  BOOST_TEST(r.intersects(ready::readable() | ready::writable()));
  BOOST_TEST(!r.intersects(ready::none()));
  BOOST_TEST(ready::priority().is_priority());
  BOOST_TEST(ready::error().is_error());
  BOOST_TEST(ready::writable().is_writable());
}

BOOST_AUTO_TEST_CASE(operators)
{
  const ready rw = ready::readable() | ready::writable();
  BOOST_TEST((rw & ready::writable()) == ready::writable());
  BOOST_TEST((rw ^ ready::readable()) == ready::writable());
  BOOST_TEST((rw - ready::readable()) == ready::writable());
  BOOST_TEST((~rw) == (ready::error() | ready::hangup() | ready::priority()));
  BOOST_TEST((~ready::all()) == ready::none());
  ready x = rw;
  x -= ready::writable();
  BOOST_TEST(x == ready::readable());
  x ^= ready::error();
  BOOST_TEST(x == (ready::readable() | ready::error()));
  x &= ready::error();
  BOOST_TEST(x == ready::error());
  BOOST_TEST(x != ready::readable());
}

BOOST_AUTO_TEST_CASE(from_bits_drops_unknown_bits)
{
  BOOST_TEST(ready::from_bits(0xFFFFFFFFu) == ready::all());
  BOOST_TEST(ready::from_bits(0x20u).is_none());
  BOOST_TEST(ready::from_bits(ready::writable().bits()) == ready::writable());
}

BOOST_AUTO_TEST_CASE(formatting)
{
  BOOST_TEST(ready::none().to_string() == "none");
  BOOST_TEST(ready::readable().to_string() == "readable");
  BOOST_TEST((ready::hangup() | ready::readable()).to_string() == "readable | hangup");
  BOOST_TEST(ready::all().to_string() == "readable | writable | error | hangup | priority");
  std::ostringstream os;
  os << (ready::writable() | ready::priority());
  BOOST_TEST(os.str() == "writable | priority");
}

BOOST_AUTO_TEST_CASE(trigger_names)
{
  BOOST_TEST(std::string(iocpx::to_string(trigger::level)) == "level");
  BOOST_TEST(std::string(iocpx::to_string(trigger::edge)) == "edge");
  BOOST_TEST(std::string(iocpx::to_string(trigger::oneshot)) == "oneshot");
  std::ostringstream os;
  os << trigger::edge;
  BOOST_TEST(os.str() == "edge");
}

BOOST_AUTO_TEST_CASE(event_value)
{
  iocpx::event a{7, ready::readable()};
  iocpx::event b{7, ready::readable()};
  iocpx::event c{8, ready::readable()};
  BOOST_TEST((a == b));
  BOOST_TEST((a != c));
  std::ostringstream os;
  os << a;
  BOOST_TEST(os.str() == "{7, readable}");
  iocpx::event d;
  BOOST_TEST(d.token == 0u);
  BOOST_TEST(d.readiness.is_none());
}

BOOST_AUTO_TEST_SUITE_END()
