// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Helpers shared by the readiness tests.

#ifndef IOCPX_TEST_READINESS_TEST_UTIL_HPP
#define IOCPX_TEST_READINESS_TEST_UTIL_HPP

#include <iocpx/ready.hpp>

#include <boost/system/error_code.hpp>

#include <cstddef>

namespace iocpx_test {

// What a wait handler saw.
struct wait_result
{
  int calls = 0;
  boost::system::error_code ec;
  iocpx::ready readiness;
};

// A handler recording into a wait_result.
struct record
{
  wait_result* out;
  void operator()(boost::system::error_code ec, iocpx::ready r) const
  {
    ++out->calls;
    out->ec = ec;
    out->readiness = r;
  }
};

} // namespace iocpx_test

#endif // IOCPX_TEST_READINESS_TEST_UTIL_HPP
