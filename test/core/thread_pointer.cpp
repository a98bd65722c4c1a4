// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// detail::thread_pointer: one pointer per thread and tag (natively a
// thread_local; with MinGW-w64 a Win32 TLS slot read from the TEB).

// Test that the header is self-contained.
#include <iocpx/detail/thread_pointer.hpp>

#include <boost/test/unit_test.hpp>

#include <thread>

namespace {

struct tag_a
{
};
struct tag_b
{
};
using pointer_a = iocpx::detail::thread_pointer<tag_a, int>;
using pointer_b = iocpx::detail::thread_pointer<tag_b, int>;

} // namespace

BOOST_AUTO_TEST_SUITE(thread_pointer)

BOOST_AUTO_TEST_CASE(each_thread_and_tag_has_its_own_pointer)
{
  int here = 1, there = 2, other_tag = 3;
  BOOST_TEST(pointer_a::get() == nullptr);
  pointer_a::set(&here);
  pointer_b::set(&other_tag);
  BOOST_TEST(pointer_a::get() == &here);
  BOOST_TEST(pointer_b::get() == &other_tag);

  const int* seen_first = &here;
  const int* seen_after = nullptr;
  std::thread t([&] {
    seen_first = pointer_a::get(); // a new thread starts with null
    pointer_a::set(&there);
    seen_after = pointer_a::get();
  });
  t.join();
  BOOST_TEST(seen_first == nullptr);
  BOOST_TEST(seen_after == &there);
  BOOST_TEST(pointer_a::get() == &here); // untouched by the other thread
  BOOST_TEST(pointer_b::get() == &other_tag);

  pointer_a::set(nullptr);
  pointer_b::set(nullptr);
  BOOST_TEST(pointer_a::get() == nullptr);
  BOOST_TEST(pointer_b::get() == nullptr);
}

#if defined(IOCPX_THREAD_POINTER_IN_TEB)
// The pointer is where TlsGetValue reads its slot: the TEB layout the
// header assumes is the system's (under Wine too). Found by value: the
// slot's index is the header's own business.
BOOST_AUTO_TEST_CASE(the_pointer_is_in_a_tls_slot_that_TlsGetValue_reads)
{
  int value = 0;
  pointer_a::set(&value);
  // The header took the lowest free slot when it first ran, so if a slot
  // below 64 is free now, its own is one of the 64 inline slots too (it
  // uses the thread_local otherwise, and then nothing is to be found).
  const DWORD probe = ::TlsAlloc();
  const bool inline_slot = probe != TLS_OUT_OF_INDEXES && probe < 64;
  if (probe != TLS_OUT_OF_INDEXES)
    ::TlsFree(probe);
  if (!inline_slot)
  {
    BOOST_TEST_MESSAGE("no TLS slot below 64 is free: the thread_local serves, nothing to check");
    pointer_a::set(nullptr);
    return;
  }
  int found = 0;
  for (DWORD i = 0; i < 64; ++i)
    if (::TlsGetValue(i) == &value)
      ++found;
  BOOST_TEST(found == 1);
  pointer_a::set(nullptr);
  found = 0;
  for (DWORD i = 0; i < 64; ++i)
    if (::TlsGetValue(i) == &value)
      ++found;
  BOOST_TEST(found == 0);
}

// Unlike TlsGetValue, neither call touches the thread's last error: a
// caller may read it after them.
BOOST_AUTO_TEST_CASE(get_and_set_keep_the_last_error)
{
  int value = 0;
  ::SetLastError(ERROR_MORE_DATA);
  pointer_a::set(&value);
  BOOST_TEST(pointer_a::get() == &value);
  pointer_a::set(nullptr);
  BOOST_TEST(::GetLastError() == DWORD(ERROR_MORE_DATA));
}
#endif

BOOST_AUTO_TEST_SUITE_END()
