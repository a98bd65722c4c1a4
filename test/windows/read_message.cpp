// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// read_message / async_read_message: whole messages of a message-mode pipe
// into dynamic buffers (v2 views, v1 buffers in place), messages longer
// than the buffer may grow, byte-mode ends, eof, cancellation.

// Test that the header is self-contained.
#include <iocpx/windows/read_message.hpp>

#include "named_pipe_support.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/test/unit_test.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using namespace iocpx_test;

namespace {

std::string message_of(std::size_t size, char seed)
{
  std::string m(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    m[i] = static_cast<char>(seed + i % 23);
  return m;
}

// One message, written by the peer with one WriteFile (also an empty one:
// the pipe's own write_some sends nothing for an empty buffer, as Asio's
// streams do). Blocks until written; callable from any thread.
bool write_message(HANDLE h, const std::string& m)
{
  private_overlapped ov;
  DWORD n = 0;
  return (::WriteFile(h, m.data(), static_cast<DWORD>(m.size()), nullptr, &ov)
             || ::GetLastError() == ERROR_IO_PENDING)
      && ::GetOverlappedResult(h, &ov, &n, TRUE) && n == m.size();
}

// A DynamicBuffer_v1 only (no grow/shrink), over a string, that counts its
// prepare() calls: one per read of the pipe.
class counting_v1_buffer
{
public:
  using const_buffers_type = asio::const_buffer;
  using mutable_buffers_type = asio::mutable_buffer;

  counting_v1_buffer(std::string& s, int& prepares) : s_(&s), prepares_(&prepares) {}

  std::size_t size() const noexcept { return size_; }
  std::size_t max_size() const noexcept { return s_->max_size(); }
  std::size_t capacity() const noexcept { return s_->capacity(); }
  const_buffers_type data() const noexcept { return asio::buffer(*s_, size_); }
  mutable_buffers_type prepare(std::size_t n)
  {
    ++*prepares_;
    s_->resize(size_ + n);
    return asio::buffer(&(*s_)[size_], n);
  }
  void commit(std::size_t n)
  {
    size_ += std::min(n, s_->size() - size_);
    s_->resize(size_);
  }
  void consume(std::size_t n)
  {
    n = std::min(n, size_);
    s_->erase(0, n);
    size_ -= n;
  }

private:
  std::string* s_;
  int* prepares_;
  std::size_t size_ = 0;
};

static_assert(asio::is_dynamic_buffer_v1<counting_v1_buffer>::value, "a v1 buffer");
static_assert(!asio::is_dynamic_buffer_v2<counting_v1_buffer>::value, "and only v1");

// Sizes around the first read's 4 KiB, and one larger than the pipe's
// buffers (its write completes only as it is read).
const std::vector<std::size_t> sizes = {0, 1, 4095, 4096, 4097, 70000};

} // namespace

BOOST_AUTO_TEST_SUITE(read_message)

BOOST_AUTO_TEST_CASE(async_reads_whole_messages_of_every_size)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  std::atomic<bool> first_written{false};
  std::thread writer([&] {
    char seed = 'a';
    for (std::size_t size : sizes)
    {
      const bool ok = write_message(p.client.native_handle(), message_of(size, seed++));
      first_written = true;
      if (!ok)
        return;
    }
  });
  // The first message is in the pipe before the first read starts, so that
  // the read could complete at once: it must still not run its handler
  // inside the initiating call.
  while (!first_written.load())
    std::this_thread::yield();
  std::vector<std::string> got;
  std::string message;
  bool failed = false;
  std::function<void()> next = [&] {
    message.clear();
    ix::async_read_message(p.server, asio::dynamic_buffer(message), [&](error_code ec, std::size_t n) {
      if (ec || n != message.size())
      {
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(n == message.size());
        failed = true;
        return;
      }
      got.push_back(message);
      if (got.size() < sizes.size())
        next();
    });
  };
  next();
  BOOST_TEST(got.empty()); // never inside the initiating call
  BOOST_TEST(run_until(ctx, [&] { return failed || got.size() == sizes.size(); }));
  writer.join();
  BOOST_REQUIRE(got.size() == sizes.size());
  char seed = 'a';
  for (std::size_t i = 0; i < sizes.size(); ++i)
    BOOST_TEST((got[i] == message_of(sizes[i], seed++)), "message " << i << " of " << sizes[i] << " bytes");
}

// A v1-only buffer passed as an lvalue is filled in place, and a message
// longer than the first read takes exactly one more read, sized by
// PeekNamedPipe for the rest.
BOOST_AUTO_TEST_CASE(a_long_message_takes_two_reads_into_a_v1_buffer_in_place)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  const std::string big = message_of(70000, 'k');
  std::thread writer([&] { write_message(p.client.native_handle(), big); });
  std::string storage;
  int prepares = 0;
  counting_v1_buffer buffer(storage, prepares);
  error_code ec = asio::error::would_block;
  std::size_t n = 0;
  bool done = false;
  ix::async_read_message(p.server, buffer, [&](error_code e, std::size_t k) {
    ec = e;
    n = k;
    done = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  writer.join();
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(n == big.size());
  BOOST_TEST(buffer.size() == big.size()); // this object, not a copy
  BOOST_TEST((storage == big));
  BOOST_TEST(prepares == 2);
}

BOOST_AUTO_TEST_CASE(sync_reads_whole_messages_into_v1_and_v2_buffers)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  // (All of them fit in the pipe's 64 KiB, so the writes finish now.)
  const std::vector<std::size_t> small = {0, 1, 4096, 4097, 20000, 3};
  char seed = 'A';
  for (std::size_t size : small)
  {
    BOOST_REQUIRE(write_message(p.client.native_handle(), message_of(size, seed++)));
  }
  seed = 'A';
  for (std::size_t i = 0; i + 1 < small.size(); ++i)
  {
    std::string message;
    error_code ec;
    BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(message), ec) == small[i]);
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST((message == message_of(small[i], seed++)), "message " << i << " of " << small[i] << " bytes");
  }
  // The throwing form, into an asio::streambuf (v1, used in place).
  asio::streambuf sb;
  BOOST_TEST(ix::read_message(p.server, sb) == 3u);
  BOOST_TEST((std::string(asio::buffers_begin(sb.data()), asio::buffers_end(sb.data()))
      == message_of(3, seed)));
}

// More than max_size() - size(): the bytes that fit, message_size, and the
// rest of that message left in the pipe for the next read.
BOOST_AUTO_TEST_CASE(a_message_longer_than_the_buffer_may_grow)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  p.client.write_some(asio::buffer("0123456789abcdefghijklmno", 25));
  p.client.write_some(asio::buffer("second", 6));

  std::string s = "xy"; // appended to: room for 10 - 2
  error_code ec;
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(s, 10), ec) == 8u);
  BOOST_TEST(ec == asio::error::message_size);
  BOOST_TEST(s == "xy01234567");
  std::string rest;
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(rest), ec) == 17u);
  BOOST_TEST(!ec);
  BOOST_TEST(rest == "89abcdefghijklmno");

  // The same asynchronously; and a buffer with no room fails before any
  // read (the message stays whole).
  std::string full = "full";
  bool done = false;
  std::size_t n = 1;
  ix::async_read_message(p.server, asio::dynamic_buffer(full, 4), [&](error_code e, std::size_t k) {
    ec = e;
    n = k;
    done = true;
  });
  BOOST_TEST(!done);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::message_size);
  BOOST_TEST(n == 0u);
  BOOST_TEST(full == "full");
  std::string second;
  done = false;
  ix::async_read_message(p.server, asio::dynamic_buffer(second, 3), [&](error_code e, std::size_t k) {
    ec = e;
    n = k;
    done = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::message_size);
  BOOST_TEST(n == 3u);
  BOOST_TEST(second == "sec");
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(second)) == 3u);
  BOOST_TEST(second == "second");
}

BOOST_AUTO_TEST_CASE(a_byte_mode_end_has_no_messages)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx); // byte mode
  p.client.write_some(asio::buffer("bytes", 5));
  std::string s;
  error_code ec;
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(s), ec) == 0u);
  BOOST_TEST(ec == asio::error::operation_not_supported);
  bool done = false;
  ix::async_read_message(p.server, asio::dynamic_buffer(s), [&](error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  BOOST_TEST(!done); // never inside the initiating call
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::operation_not_supported);
  BOOST_TEST(s.empty());
  char buf[5];
  BOOST_TEST(p.server.read_some(asio::buffer(buf)) == 5u); // nothing was taken
}

BOOST_AUTO_TEST_CASE(eof_after_the_last_message_and_a_closed_pipe)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  p.client.write_some(asio::buffer("last", 4));
  p.client.close();
  std::string s;
  error_code ec;
  std::size_t n = 0;
  bool done = false;
  auto handler = [&](error_code e, std::size_t k) {
    ec = e;
    n = k;
    done = true;
  };
  ix::async_read_message(p.server, asio::dynamic_buffer(s), handler);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(s == "last");
  done = false;
  ix::async_read_message(p.server, asio::dynamic_buffer(s), handler);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::eof);
  BOOST_TEST(n == 0u);

  p.server.close();
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(s), ec) == 0u);
  BOOST_TEST(ec == asio::error::bad_descriptor);
  done = false;
  ix::async_read_message(p.server, asio::dynamic_buffer(s), handler);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::bad_descriptor);
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
BOOST_AUTO_TEST_CASE(terminal_cancellation_ends_the_read)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  asio::cancellation_signal signal;
  std::string s;
  error_code ec;
  bool done = false;
  ix::async_read_message(p.server, asio::dynamic_buffer(s),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code e, std::size_t) {
        ec = e;
        done = true;
      }));
  ctx.poll();
  BOOST_TEST(!done);
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::operation_aborted);
  // The pipe goes on: the next message is read whole.
  p.client.write_some(asio::buffer("after", 5));
  s.clear();
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(s)) == 5u);
  BOOST_TEST(s == "after");
}

// A cancellation that comes while no read is in flight — here after the
// first read of a long message finished, before its completion ran — is
// seen before the next read: the part read stays in the buffer, the rest
// in the pipe.
BOOST_AUTO_TEST_CASE(terminal_cancellation_between_two_reads_of_a_message)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  const std::string big = message_of(10000, 'c');
  BOOST_REQUIRE(write_message(p.client.native_handle(), big));
  asio::cancellation_signal signal;
  std::string s;
  error_code ec;
  std::size_t n = 0;
  bool done = false;
  ix::async_read_message(p.server, asio::dynamic_buffer(s),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code e, std::size_t k) {
        ec = e;
        n = k;
        done = true;
      }));
  // The first read found the message there and finished inside the call
  // (its completion is queued, not run).
  BOOST_TEST(!done);
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(ec == asio::error::operation_aborted);
  BOOST_TEST(n == 4096u);
  BOOST_TEST((s == big.substr(0, 4096)));
  std::string rest;
  BOOST_TEST(ix::read_message(p.server, asio::dynamic_buffer(rest)) == big.size() - 4096);
  BOOST_TEST((rest == big.substr(4096)));
}
#endif

// The handler runs on its own executor (a strand) and never inside the
// initiating call — also when the operation is refused before any read.
BOOST_AUTO_TEST_CASE(the_handler_runs_on_its_own_executor)
{
  asio::io_context ctx;
  auto strand = asio::make_strand(ctx);
  np_pair bytes = make_np_pair(ctx);
  np_pair messages = make_np_pair(ctx, ix::pipe_mode::message);
  BOOST_REQUIRE(write_message(messages.client.native_handle(), "hello"));
  std::string a, b;
  int calls = 0;
  bool refused_on_strand = false, read_on_strand = false;
  error_code refused_ec, read_ec;
  ix::async_read_message(bytes.server, asio::dynamic_buffer(a),
      asio::bind_executor(strand, [&](error_code e, std::size_t) {
        refused_ec = e;
        refused_on_strand = strand.running_in_this_thread();
        ++calls;
      }));
  ix::async_read_message(messages.server, asio::dynamic_buffer(b),
      asio::bind_executor(strand, [&](error_code e, std::size_t) {
        read_ec = e;
        read_on_strand = strand.running_in_this_thread();
        ++calls;
      }));
  BOOST_TEST(calls == 0);
  BOOST_TEST(run_until(ctx, [&] { return calls == 2; }));
  BOOST_TEST(refused_ec == asio::error::operation_not_supported);
  BOOST_TEST(refused_on_strand);
  BOOST_TEST(!read_ec);
  BOOST_TEST(read_on_strand);
  BOOST_TEST(b == "hello");
}

// A const v2 view works in the synchronous form too (it is copied, as
// Asio's read functions copy it).
BOOST_AUTO_TEST_CASE(a_const_view_is_accepted)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  BOOST_REQUIRE(write_message(p.client.native_handle(), "const"));
  std::string s;
  const auto view = asio::dynamic_buffer(s);
  BOOST_TEST(ix::read_message(p.server, view) == 5u);
  BOOST_TEST(s == "const");
}

BOOST_AUTO_TEST_SUITE_END()
