// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Test that the header is self-contained.
#include <iocpx/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using boost::system::error_code;
namespace err = iocpx::error;

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(enum_converts_to_error_code_in_iocpx_category)
{
  error_code ec = err::bound_elsewhere;
  BOOST_TEST(ec.failed());
  BOOST_TEST(std::string(ec.category().name()) == "iocpx");
  BOOST_TEST(&ec.category() == &err::get_category());
  BOOST_TEST(ec == err::bound_elsewhere);
  BOOST_TEST(ec != err::already_associated);
  BOOST_TEST(ec != error_code(err::bound_elsewhere, boost::system::system_category()));
}

BOOST_AUTO_TEST_CASE(every_error_has_its_own_clear_message)
{
  const err::errors all[] = {err::bound_elsewhere, err::already_associated, err::not_overlapped,
      err::invalid_handle, err::unbind_not_supported, err::not_bound, err::operations_pending,
      err::options_conflict, err::already_in_flight, err::would_block, err::registration_gone,
      err::empty_interest, err::not_registered, err::already_registered, err::empty_buffer,
      err::pipe_name_empty, err::pipe_name_invalid, err::pipe_name_too_long, err::pipe_not_found,
      err::not_server_end, err::write_retry_mismatch, err::bytes_held,
      err::already_owned};
  std::set<std::string> messages;
  for (err::errors e : all)
  {
    const std::string m = error_code(e).message();
    BOOST_TEST(!m.empty());
    BOOST_TEST(m != "unknown iocpx error");
    messages.insert(m);
  }
  BOOST_TEST(messages.size() == sizeof(all) / sizeof(all[0]));
  BOOST_TEST(error_code(err::unbind_not_supported).message().find("8.1") != std::string::npos);
  BOOST_TEST(error_code(static_cast<err::errors>(999)).message() == "unknown iocpx error");
}

BOOST_AUTO_TEST_CASE(would_block_matches_the_portable_condition)
{
  error_code ec = err::would_block;
  BOOST_TEST(ec == boost::system::errc::operation_would_block);
  BOOST_TEST(ec != boost::system::errc::invalid_argument);
  BOOST_TEST(error_code(err::not_bound) != boost::system::errc::operation_would_block);
}

BOOST_AUTO_TEST_CASE(pipe_errors_match_portable_conditions)
{
  namespace errc = boost::system::errc;
  BOOST_TEST(error_code(err::pipe_name_empty) == errc::invalid_argument);
  BOOST_TEST(error_code(err::pipe_name_invalid) == errc::invalid_argument);
  BOOST_TEST(error_code(err::pipe_name_too_long) == errc::invalid_argument);
  BOOST_TEST(error_code(err::pipe_not_found) == errc::no_such_file_or_directory);
  BOOST_TEST(error_code(err::not_server_end) == errc::operation_not_supported);
  BOOST_TEST(error_code(err::write_retry_mismatch) != errc::invalid_argument);
  BOOST_TEST(error_code(err::pipe_not_found).category().name() == std::string("iocpx"));
}

BOOST_AUTO_TEST_CASE(system_error_carries_the_code)
{
  try
  {
    throw boost::system::system_error(err::not_bound, "bind");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == err::not_bound);
    BOOST_TEST(std::string(e.what()).find("not bound") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
