// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// For tests that make operator new fail (iocpx_test::fail_next_allocations)
// or that only count allocations:
//
//   BOOST_AUTO_TEST_CASE(a_bind_that_runs_out_of_memory_...,
//       *iocpx_test::needs_injected_allocation_failures())
//   BOOST_AUTO_TEST_CASE(..., *iocpx_test::needs_counted_allocations())
//
// Where the global allocation operators cannot be replaced (under
// ThreadSanitizer, whose runtime defines them) Boost.Test then reports the
// case as skipped, with the reason, instead of as passed having checked
// nothing.

#ifndef IOCPX_TEST_COMMON_FAULT_INJECTION_HPP
#define IOCPX_TEST_COMMON_FAULT_INJECTION_HPP

#include "alloc_counter.hpp"

#include <boost/test/unit_test.hpp>

namespace iocpx_test {

// Met where operator new is replaced; otherwise says why `what` is not possible.
inline boost::unit_test::decorator::precondition needs_replaced_operator_new(const char* what)
{
  return boost::unit_test::precondition([what](boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result result(counting_allocations());
    result.message() << "operator new is not replaced in this build "
                        "(ThreadSanitizer's runtime defines it), so "
                     << what;
    return result;
  });
}

inline boost::unit_test::decorator::precondition needs_injected_allocation_failures()
{
  return needs_replaced_operator_new("no allocation failure can be injected");
}

// The same for a test that only counts allocations (nothing else to check
// without the count).
inline boost::unit_test::decorator::precondition needs_counted_allocations()
{
  return needs_replaced_operator_new("allocations cannot be counted");
}

} // namespace iocpx_test

#endif // IOCPX_TEST_COMMON_FAULT_INJECTION_HPP
