// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// basic_named_pipe's readiness API: async_wait, try_read_some /
// try_write_some with would_block, the buffered strategy, and a poller
// driving many pipes.

#include <iocpx/windows/named_pipe.hpp>

#include "named_pipe_support.hpp"

#include "../common/alloc_counter.hpp"
#include "../common/fault_injection.hpp"

#include <iocpx/event.hpp>
#include <iocpx/poller.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#if defined(IOCPX_HAS_CANCELLATION_SLOTS) // cancellation slots: Boost 1.77
#  include <boost/asio/bind_cancellation_slot.hpp>
#  include <boost/asio/cancellation_signal.hpp>
#endif

#include <array>
#include <chrono>
#include <cstring>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;
using iocpx::ready;
using namespace iocpx_test;
using namespace std::chrono_literals;

// The memory per idle pipe is a goal (bench/SHORTFALLS.md): the readiness
// state must not grow unnoticed. (64-bit MinGW's layout; MSVC's differs.)
#if defined(__MINGW64__)
static_assert(sizeof(ix::detail::named_pipe_readiness) <= 104,
    "named_pipe_readiness grew: update bench/SHORTFALLS.md's breakdown, or shrink it");
static_assert(sizeof(ix::detail::handle_state) <= 56,
    "handle_state grew: update bench/SHORTFALLS.md's breakdown, or shrink it");
#endif

// The tests' look inside a pipe (the library declares named_pipe_access
// for them and never defines it).
namespace iocpx {
namespace windows {
namespace detail {

template <>
struct named_pipe_access<ix::named_pipe>
{
  // Whether the lock of the pipe's readiness state is free (nobody holds
  // it, this thread included). The lock is an SRWLOCK, the only member of
  // a standard-layout class, so it is at the class's address.
  static bool readiness_lock_is_free(named_pipe_readiness* state)
  {
    static_assert(std::is_standard_layout<iocpx::detail::slim_mutex>::value,
        "slim_mutex is its SRWLOCK");
    SRWLOCK* lock = reinterpret_cast<SRWLOCK*>(&state->mutex_);
    if (!::TryAcquireSRWLockExclusive(lock))
      return false;
    ::ReleaseSRWLockExclusive(lock);
    return true;
  }

  static named_pipe_readiness* readiness_state(ix::named_pipe& pipe)
  {
    return &pipe.readiness_state();
  }
};

} // namespace detail
} // namespace windows
} // namespace iocpx

using pipe_access = ix::detail::named_pipe_access<ix::named_pipe>;

BOOST_AUTO_TEST_SUITE(named_pipe_readiness)

BOOST_AUTO_TEST_CASE(would_block_then_readable_then_no_port_traffic)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  error_code ec;
  char buf[16];
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  BOOST_TEST(!p.server.readiness().is_readable());
  BOOST_TEST(p.server.readiness().is_writable());

  ready seen;
  bool woke = false;
  p.server.async_wait(ready::readable(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    seen = r;
    woke = true;
  });
  ctx.poll();
  BOOST_TEST(!woke);
  write_all(p.client.native_handle(), "hello", 5);
  BOOST_TEST(run_until(ctx, [&] { return woke; }));
  BOOST_TEST(seen.is_readable());

  // The data is there: reading it costs no port traffic (skip-on-success,
  // and the read's OVERLAPPED never reaches the port).
  ctx.restart();
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 5u);
  BOOST_TEST(!ec);
  BOOST_TEST(ctx.poll() == 0u);
  BOOST_TEST(std::string(buf, 5) == "hello");
  // Drained: would_block clears readable and re-arms.
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  BOOST_TEST(!p.server.readiness().is_readable());
  write_all(p.client.native_handle(), "again", 5);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  BOOST_TEST(drain(p.server, ec) == "again");
  BOOST_TEST(ec == iocpx::error::would_block);
}

BOOST_AUTO_TEST_CASE(hangup_then_eof_after_the_data)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  (void)p.server.readiness(); // start the probe
  write_all(p.client.native_handle(), "last words", 10);
  p.client.close();
  bool hung_up = false;
  p.server.async_wait(ready::hangup(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    BOOST_TEST(r.is_hangup());
    hung_up = true;
  });
  error_code ec;
  std::string got;
  BOOST_TEST(run_until(ctx, [&] {
    if (p.server.readiness().is_readable())
      got += drain(p.server, ec);
    return hung_up;
  }));
  got += drain(p.server, ec);
  BOOST_TEST(got == "last words");
  BOOST_TEST(ec == asio::error::eof);
}

namespace {

// Writes 4 KiB chunks until the pipe pushes back; returns the bytes it
// reported written. The chunk that reported would_block is held in the
// system, waiting for its retry.
template <typename Pipe>
std::size_t fill_until_would_block(asio::io_context& ctx, Pipe& pipe, const std::string& chunk)
{
  std::size_t written = 0;
  error_code ec;
  for (int i = 0; i < 64; ++i)
  {
    const std::size_t n = pipe.try_write_some(asio::buffer(chunk), ec);
    if (ec == iocpx::error::would_block)
    {
      // Without skip-on-success a finished write's packet may still be on
      // its way: let it run, then see whether the writer is free again.
      ctx.restart();
      ctx.poll();
      if (pipe.readiness().is_writable())
        continue; // the retry (same bytes) reports the held write
      return written;
    }
    BOOST_REQUIRE(!ec);
    BOOST_REQUIRE(n == chunk.size());
    written += n;
  }
  BOOST_FAIL("the pipe never pushed back");
  return written;
}

} // namespace

BOOST_AUTO_TEST_CASE(would_block_holds_the_write_and_its_retry_reports_it)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  const std::string chunk(4096, 'w');
  const std::size_t written = fill_until_would_block(ctx, p.server, chunk);
  BOOST_TEST(written > 0u);
  BOOST_TEST(!p.server.readiness().is_writable());

  // Still full: the retry is refused again, without writing anything.
  error_code ec;
  BOOST_TEST(p.server.try_write_some(asio::buffer(chunk), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  // Given up, the held write's bytes may reach the reader or not, and a
  // retry through the handle could write them twice: release() refuses
  // (iocpx::error::bytes_held) and leaves the pipe as it was.
  BOOST_TEST(p.server.release(ec) == nullptr);
  BOOST_TEST(ec == iocpx::error::bytes_held);
  BOOST_TEST(p.server.is_open());

  bool writable = false;
  p.server.async_wait(ready::writable(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    BOOST_TEST(!r.is_error());
    writable = true;
  });
  // The reader takes everything reported written plus the held chunk: the
  // held chunk is there exactly once.
  const std::string in = read_exact(p.client.native_handle(), DWORD(written + chunk.size()));
  BOOST_TEST(in == std::string(written + chunk.size(), 'w'));
  BOOST_TEST(run_until(ctx, [&] { return writable; }));
  // Finished, but its retry has not reported it yet: still held.
  BOOST_TEST(p.server.release(ec) == nullptr);
  BOOST_TEST(ec == iocpx::error::bytes_held);

  // The retry reports the held write's bytes and writes nothing again.
  BOOST_TEST(p.server.try_write_some(asio::buffer(chunk), ec) == chunk.size());
  BOOST_TEST(!ec);
  BOOST_TEST(p.server.try_write_some(asio::buffer("x", 1), ec) == 1u);
  BOOST_TEST(!ec);
  BOOST_TEST(read_exact(p.client.native_handle(), 1) == "x");

  // Reported: the handle goes, and its next owner writes after the rest.
  HANDLE h = p.server.release(ec);
  BOOST_TEST(!ec, ec.message());
  BOOST_REQUIRE(h != nullptr);
  ix::named_pipe next(ctx, h);
  next.write_some(asio::buffer("y", 1));
  BOOST_TEST(read_exact(p.client.native_handle(), 1) == "y");
}

// A zero-length try_write_some writes nothing and reports nothing, as every
// zero-length write of the pipe (Asio's convention): also while a write is
// held, whose outcome stays for its own retry. Before the fix such a call
// was taken for that retry: while the write was in the system it reported
// would_block; once the write had finished it reported
// write_retry_mismatch and dropped the held write's outcome, so the real
// retry that followed wrote the same bytes a second time.
BOOST_AUTO_TEST_CASE(a_zero_length_try_write_leaves_a_held_write_to_its_retry)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  const std::string chunk(4096, 'w');
  const std::size_t written = fill_until_would_block(ctx, p.server, chunk);
  BOOST_TEST(written > 0u);

  error_code ec = iocpx::error::would_block;
  BOOST_TEST(p.server.try_write_some(asio::const_buffer(), ec) == 0u);
  BOOST_TEST(!ec);

  bool writable = false;
  p.server.async_wait(ready::writable(), [&](error_code e, ready) {
    BOOST_TEST(!e);
    writable = true;
  });
  const std::string in = read_exact(p.client.native_handle(), DWORD(written + chunk.size()));
  BOOST_TEST(in == std::string(written + chunk.size(), 'w'));
  BOOST_TEST(run_until(ctx, [&] { return writable; }));

  ec = iocpx::error::would_block;
  BOOST_TEST(p.server.try_write_some(asio::const_buffer(), ec) == 0u);
  BOOST_TEST(!ec);
  // The retry still reports the held write, and writes nothing again.
  BOOST_TEST(p.server.try_write_some(asio::buffer(chunk), ec) == chunk.size());
  BOOST_TEST(!ec);
  BOOST_TEST(p.server.try_write_some(asio::buffer("x", 1), ec) == 1u);
  BOOST_TEST(!ec);
  BOOST_TEST(read_exact(p.client.native_handle(), 1) == "x");
}

BOOST_AUTO_TEST_CASE(a_held_write_that_fails_is_reported_by_its_own_retry)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  const std::string chunk(4096, 'f');
  fill_until_would_block(ctx, p.server, chunk);

  // The reader goes away without reading: the held write fails.
  ready seen;
  bool woke = false;
  p.server.async_wait(ready::writable() | ready::error(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    seen = r;
    woke = true;
  });
  p.client.close();
  BOOST_TEST(run_until(ctx, [&] { return woke; }));
  BOOST_TEST(seen.is_error());

  // Every write reported written before succeeded; the one that failed is
  // the one whose retry reports it.
  error_code ec;
  BOOST_TEST(p.server.try_write_some(asio::buffer(chunk), ec) == 0u);
  BOOST_TEST(ec == asio::error::broken_pipe);
  // A new write on the dead pipe fails by itself, at once.
  ec.clear();
  BOOST_TEST(p.server.try_write_some(asio::buffer("x", 1), ec) == 0u);
  BOOST_TEST(ec == asio::error::broken_pipe);
}

BOOST_AUTO_TEST_CASE(a_cancelled_held_write_is_reported_by_its_retry_and_sets_no_error)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  const std::string chunk(4096, 'c');
  BOOST_TEST(fill_until_would_block(ctx, p.server, chunk) > 0u);
  p.server.cancel();
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_writable(); }));
  // The connection is fine: no lasting error for a level-triggered wait to
  // wake on again and again.
  BOOST_TEST(!p.server.readiness().is_error());
  error_code ec;
  BOOST_TEST(p.server.try_write_some(asio::buffer(chunk), ec) == 0u);
  BOOST_TEST(ec == asio::error::operation_aborted);
  BOOST_TEST(!p.server.readiness().is_error());
}

// A pipe of one executor type moved into a pipe of another type (here
// io_context's own executor into any_io_executor) keeps its readiness
// state: a held write is still held by the new object, and its retry there
// reports it. Dropping it would lose its outcome and write its bytes twice.
using strict_pipe = ix::basic_named_pipe<asio::io_context::executor_type>;

BOOST_AUTO_TEST_CASE(a_held_write_that_finished_is_reported_after_a_converting_move)
{
  asio::io_context ctx;
  pipe_pair raw = make_pipe_pair(false, 4096);
  strict_pipe writer(ctx.get_executor(), raw.server.get());
  raw.server.release();
  const std::string chunk(4096, 'm');
  const std::size_t written = fill_until_would_block(ctx, writer, chunk);
  BOOST_TEST(written > 0u);
  // The reader takes everything, the held chunk included: the held write
  // has finished, its outcome waits for its retry.
  BOOST_TEST(read_exact(raw.client.get(), DWORD(written + chunk.size()))
      == std::string(written + chunk.size(), 'm'));
  BOOST_TEST(run_until(ctx, [&] { return writer.readiness().is_writable(); }));

  ix::named_pipe moved(std::move(writer));
  BOOST_TEST(!writer.is_open());
  BOOST_TEST(moved.readiness().is_writable());
  error_code ec;
  BOOST_TEST(moved.try_write_some(asio::buffer(chunk), ec) == chunk.size());
  BOOST_TEST(!ec);
  // Nothing was written twice: the next byte the reader sees is a new one.
  BOOST_TEST(moved.try_write_some(asio::buffer("x", 1), ec) == 1u);
  BOOST_TEST(!ec);
  BOOST_TEST(read_exact(raw.client.get(), 1) == "x");
}

BOOST_AUTO_TEST_CASE(a_held_write_in_flight_and_its_wait_follow_a_converting_move)
{
  asio::io_context ctx;
  pipe_pair raw = make_pipe_pair(false, 4096);
  strict_pipe writer(ctx.get_executor(), raw.server.get());
  raw.server.release();
  (void)writer.readiness_registration(); // made for the old type; must not close the readiness
  const std::string chunk(4096, 'i');
  const std::size_t written = fill_until_would_block(ctx, writer, chunk);
  error_code wait_ec = asio::error::would_block;
  ready seen;
  writer.async_wait(ready::writable(), [&](error_code e, ready r) {
    wait_ec = e;
    seen = r;
  });
  ctx.restart();
  ctx.poll();

  // Moved while the write is held in the system, its OVERLAPPED in flight.
  ix::named_pipe moved(std::move(writer));
  BOOST_TEST(!moved.readiness().is_writable());
  error_code ec;
  BOOST_TEST(moved.try_write_some(asio::buffer(chunk), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  BOOST_TEST(read_exact(raw.client.get(), DWORD(written + chunk.size()))
      == std::string(written + chunk.size(), 'i'));
  // The wait started on the old object is woken by the held write's
  // completion, as a wait on the new one would be.
  BOOST_TEST(run_until(ctx, [&] { return wait_ec != asio::error::would_block; }));
  BOOST_TEST(!wait_ec);
  BOOST_TEST(seen.is_writable());
  BOOST_TEST(moved.try_write_some(asio::buffer(chunk), ec) == chunk.size());
  BOOST_TEST(!ec);
  BOOST_TEST(moved.try_write_some(asio::buffer("y", 1), ec) == 1u);
  BOOST_TEST(read_exact(raw.client.get(), 1) == "y");
  // The new object's own registration is the same readiness.
  BOOST_TEST(moved.readiness_registration().readiness() == moved.readiness());
}

BOOST_AUTO_TEST_CASE(a_retry_with_other_bytes_is_refused)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  const std::string chunk(4096, 'a');
  const std::size_t written = fill_until_would_block(ctx, p.server, chunk);
  bool writable = false;
  p.server.async_wait(ready::writable(), [&](error_code, ready) { writable = true; });
  read_exact(p.client.native_handle(), DWORD(written + chunk.size()));
  BOOST_TEST(run_until(ctx, [&] { return writable; }));

  error_code ec;
  const std::string other(4096, 'b');
  BOOST_TEST(p.server.try_write_some(asio::buffer(other), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::write_retry_mismatch);
  BOOST_TEST(ec.message().find("retried") != std::string::npos);
  // The held write is settled: the next write is a new one.
  BOOST_TEST(p.server.try_write_some(asio::buffer(other), ec) == other.size());
  BOOST_TEST(!ec);
  BOOST_TEST(read_exact(p.client.native_handle(), DWORD(other.size())) == other);
}

BOOST_AUTO_TEST_CASE(message_mode_try_write_sends_a_large_message_whole)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  std::string message(40000, '\0');
  for (std::size_t i = 0; i < message.size(); ++i)
    message[i] = static_cast<char>('a' + i % 26);
  error_code ec;
  std::size_t n = p.server.try_write_some(asio::buffer(message), ec);
  const bool held = ec == iocpx::error::would_block; // larger than the pipe's buffer
  if (!held)
  {
    BOOST_TEST(!ec);
    BOOST_TEST(n == message.size());
  }
  // One message: a read with room for more gets exactly this one.
  BOOST_TEST(read_message(p.client.native_handle(), DWORD(message.size() + 100)) == message);
  if (held)
  {
    BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_writable(); }));
    n = p.server.try_write_some(asio::buffer(message), ec);
    BOOST_TEST(!ec);
    BOOST_TEST(n == message.size());
  }
}

BOOST_AUTO_TEST_CASE(a_stream_written_with_retries_arrives_exactly_once)
{
  // Both ends driven by readiness alone, through a 4 KiB pipe: many writes
  // are held and retried. Every byte must arrive once, in order.
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  std::string out(1 << 20, '\0');
  unsigned seed = 12345;
  auto next = [&seed] { seed = seed * 1103515245u + 12345u; return seed >> 8; };
  for (char& c : out)
    c = static_cast<char>(next());
  std::size_t written = 0;
  std::size_t retry_size = 0; // the size of a write that reported would_block
  std::string in;
  int held = 0;

  std::function<void()> write_more = [&] {
    while (written < out.size())
    {
      const std::size_t want = retry_size
          ? std::exchange(retry_size, 0)
          : std::min<std::size_t>(1 + next() % 20000, out.size() - written);
      error_code ec;
      const std::size_t n = p.server.try_write_some(asio::buffer(out.data() + written, want), ec);
      if (ec == iocpx::error::would_block)
      {
        // Retried with the same bytes once writable again.
        ++held;
        retry_size = want;
        p.server.async_wait(ready::writable() | ready::error(), [&](error_code, ready) { write_more(); });
        return;
      }
      BOOST_REQUIRE(!ec);
      written += n;
    }
  };
  std::function<void()> read_more = [&] {
    char buf[3000];
    for (;;)
    {
      error_code ec;
      const std::size_t n = p.client.try_read_some(asio::buffer(buf), ec);
      if (ec == iocpx::error::would_block)
      {
        p.client.async_wait(ready::readable(), [&](error_code, ready) { read_more(); });
        return;
      }
      BOOST_REQUIRE(!ec);
      in.append(buf, n);
    }
  };
  write_more();
  read_more();
  BOOST_TEST(run_until(ctx, [&] { return in.size() >= out.size(); }, 60s));
  BOOST_TEST(held > 0);
  BOOST_TEST(in.size() == out.size());
  BOOST_TEST((in == out));
}

BOOST_AUTO_TEST_CASE(write_error_is_reported_by_the_write_that_failed)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  p.client.close();
  error_code ec;
  BOOST_TEST(p.server.try_write_some(asio::buffer("x", 1), ec) == 0u);
  BOOST_TEST(ec == asio::error::broken_pipe);
}

BOOST_AUTO_TEST_CASE(message_mode_try_read_reports_partial_messages)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  write_all(p.client.native_handle(), "abcdefgh", 8);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  char buf[5];
  error_code ec;
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 5u);
  BOOST_TEST(ix::is_more_data(ec));
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 3u);
  BOOST_TEST(!ec);
  BOOST_TEST(std::string(buf, 3) == "fgh");
}

// Message mode and zero-length messages. The system keeps a zero-length
// message like any other (the control below), but the readiness probe is a
// zero-byte ReadFile, and a zero-byte read takes a zero-length message whole.
// So once the readiness machinery runs, such messages are consumed by the
// probe: no read sees them, the readiness API cannot report them, and the
// completion API on the same pipe cannot either. (Pinned down under Wine 8.)
BOOST_AUTO_TEST_CASE(message_mode_zero_length_messages_are_taken_by_the_probe)
{
  // Control: without readiness a read gets the empty message, then the next.
  {
    pipe_pair raw = make_pipe_pair(true);
    write_all(raw.client.get(), "", 0);
    write_all(raw.client.get(), "abc", 3);
    BOOST_TEST(read_message(raw.server.get(), 16) == "");
    BOOST_TEST(read_message(raw.server.get(), 16) == "abc");
  }

  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  error_code ec;
  char buf[16];
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  bool woke = false;
  p.server.async_wait(ready::readable(), [&](error_code, ready) { woke = true; });
  write_all(p.client.native_handle(), "", 0);
  // The probe completes (taking the message): readable is reported, but
  // there is nothing to read.
  BOOST_TEST(run_until(ctx, [&] { return woke; }));
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);

  // The next message is read normally; the empty one is gone.
  write_all(p.client.native_handle(), "abc", 3);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 3u);
  BOOST_TEST(!ec);
  BOOST_TEST(std::string(buf, 3) == "abc");
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
}

BOOST_AUTO_TEST_CASE(message_mode_zero_length_messages_are_lost_to_completion_reads_too)
{
  asio::io_context ctx;
  char buf[16];
  std::size_t got = 99;
  error_code read_ec = asio::error::would_block;
  auto on_read = [&](error_code e, std::size_t n) {
    read_ec = e;
    got = n;
  };
  {
    // What to use instead: on a pipe that never used readiness,
    // async_read_some returns the empty message as 0 bytes, no error.
    np_pair q = make_np_pair(ctx, ix::pipe_mode::message);
    write_all(q.client.native_handle(), "", 0);
    q.server.async_read_some(asio::buffer(buf), on_read);
    BOOST_TEST(run_until(ctx, [&] { return read_ec != asio::error::would_block; }));
    BOOST_TEST(!read_ec);
    BOOST_TEST(got == 0u);
  }

  // Any readiness use starts the probe — here a try_write_some — and from
  // then on async_read_some does not see zero-length messages either.
  np_pair p = make_np_pair(ctx, ix::pipe_mode::message);
  error_code ec;
  BOOST_TEST(p.server.try_write_some(asio::buffer("w", 1), ec) == 1u);
  BOOST_TEST(read_message(p.client.native_handle(), 16) == "w");
  ctx.restart();
  ctx.poll();
  write_all(p.client.native_handle(), "", 0);
  write_all(p.client.native_handle(), "abc", 3);
  got = 99;
  read_ec = asio::error::would_block;
  p.server.async_read_some(asio::buffer(buf), on_read);
  BOOST_TEST(run_until(ctx, [&] { return read_ec != asio::error::would_block; }));
  BOOST_TEST(!read_ec);
  BOOST_TEST(got == 3u); // "abc": the empty message before it is gone
  BOOST_TEST(std::string(buf, 3) == "abc");
}

BOOST_AUTO_TEST_CASE(buffered_strategy)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  p.server.set_readiness_strategy(ix::readiness_strategy::buffered(64));
  (void)p.server.readiness();
  error_code ec;
  p.server.set_readiness_strategy(ix::readiness_strategy::zero_byte_probe(), ec);
  BOOST_TEST(ec == asio::error::already_started);

  write_all(p.client.native_handle(), "buffered bytes", 14);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  // The probe took the bytes already; try_read_some hands them out.
  DWORD available = 1;
  BOOST_REQUIRE(::PeekNamedPipe(p.server.native_handle(), nullptr, 0, nullptr, &available, nullptr));
  BOOST_TEST(available == 0u);
  // available() counts them all the same.
  BOOST_TEST(p.server.available() == 14u);
  char first[4];
  BOOST_TEST(p.server.try_read_some(asio::buffer(first), ec) == 4u);
  BOOST_TEST(p.server.available() == 10u);
  BOOST_TEST(drain(p.server, ec) == "ered bytes");
  BOOST_TEST(p.server.available() == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  write_all(p.client.native_handle(), "more", 4);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  BOOST_TEST(drain(p.server, ec) == "more");
}

// A zero-length try_read_some reads nothing and reports nothing (Asio's
// convention, as a zero-length try_write_some): also while a buffered probe
// holds bytes, which stay for the next read. Before the fix such a call
// copied zero bytes to the buffer's address (null for an empty
// mutable_buffer, which memcpy must not get), and in message mode reported
// is_more_data, as if a message had been cut.
BOOST_AUTO_TEST_CASE(a_zero_length_try_read_leaves_buffered_bytes_to_the_next_read)
{
  for (const ix::pipe_mode mode : {ix::pipe_mode::byte, ix::pipe_mode::message})
  {
    BOOST_TEST_CONTEXT((mode == ix::pipe_mode::byte ? "byte" : "message") << " mode")
    {
      asio::io_context ctx;
      np_pair p = make_np_pair(ctx, mode);
      p.server.set_readiness_strategy(ix::readiness_strategy::buffered(64));
      write_all(p.client.native_handle(), "held", 4);
      BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));

      error_code ec = iocpx::error::would_block;
      BOOST_TEST(p.server.try_read_some(asio::mutable_buffer(), ec) == 0u);
      BOOST_TEST(!ec, ec.message());
      BOOST_TEST(p.server.readiness().is_readable());
      char buf[16];
      BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 4u);
      BOOST_TEST(!ec, ec.message());
      BOOST_TEST(std::string(buf, 4) == "held");
    }
  }
}

// release() gives the handle back with the stream whole. While the
// readiness state holds bytes the handle alone would lose, it refuses with
// iocpx::error::bytes_held and leaves the pipe as it was (a held write:
// would_block_holds_the_write_and_its_retry_reports_it). Before the fix it
// dropped bytes a buffered probe had read ahead: the handle's next owner
// read the stream with them missing (review of 2026-11-30).
BOOST_AUTO_TEST_CASE(release_refuses_while_a_buffered_probe_holds_bytes)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  p.server.set_readiness_strategy(ix::readiness_strategy::buffered(64));
  write_all(p.client.native_handle(), "abc", 3);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));

  error_code ec;
  BOOST_TEST(p.server.release(ec) == nullptr);
  BOOST_TEST(ec == iocpx::error::bytes_held);
  BOOST_TEST(p.server.is_open());
  try
  {
    p.server.release();
    BOOST_ERROR("the throwing release() did not throw");
  }
  catch (const boost::system::system_error& e)
  {
    BOOST_TEST(e.code() == iocpx::error::bytes_held);
  }

  BOOST_TEST(drain(p.server, ec) == "abc");
  BOOST_TEST(ec == iocpx::error::would_block);

  // Bytes the probe in flight took, whose completion the io_context has
  // not delivered, count too: release() cancels the probe and waits for
  // its outcome (helper-84 lost "def" so), and the bytes arrive as
  // readable once the io_context runs.
  write_all(p.client.native_handle(), "def", 3);
  ::Sleep(100); // the probe's read completes; the io_context does not run
  BOOST_TEST(p.server.release(ec) == nullptr);
  BOOST_TEST(ec == iocpx::error::bytes_held);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  BOOST_TEST(drain(p.server, ec) == "def");

  // Once read, the bytes are the reader's: release() hands the handle over
  // (the probe in flight, cancelled, took nothing), and its next owner
  // reads the stream from where this one stopped.
  HANDLE h = p.server.release(ec);
  BOOST_TEST(!ec, ec.message());
  BOOST_REQUIRE(h != nullptr);
  BOOST_TEST(!p.server.is_open());
  ix::named_pipe next(ctx, h);
  write_all(p.client.native_handle(), "ghi", 3);
  char buf[8];
  BOOST_TEST(next.read_some(asio::buffer(buf)) == 3u);
  BOOST_TEST(std::string(buf, 3) == "ghi");
}

BOOST_AUTO_TEST_CASE(cancel_aborts_waits_and_keeps_readiness_working)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  error_code wait_ec;
  p.server.async_wait(ready::readable(), [&](error_code e, ready) { wait_ec = e; });
  ctx.poll();
  p.server.cancel();
  BOOST_TEST(run_until(ctx, [&] { return !!wait_ec; }));
  BOOST_TEST(wait_ec == asio::error::operation_aborted);
  write_all(p.client.native_handle(), "still", 5);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  error_code ec;
  BOOST_TEST(drain(p.server, ec) == "still");
}

BOOST_AUTO_TEST_CASE(the_readiness_registration_shares_the_pipes_readiness)
{
  // The pipe keeps its readiness without a registration object; one is made
  // when asked for, and it is the same readiness: waits through it see the
  // pipe's data, the pipe's cancel() and close() end them.
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  iocpx::registration& reg = p.server.readiness_registration();
  BOOST_TEST(&reg == &p.server.readiness_registration());
  BOOST_TEST((reg.get_executor() == p.server.get_executor()));
  ready seen;
  reg.async_wait(ready::readable(), [&](error_code e, ready r) {
    BOOST_TEST(!e);
    seen = r;
  });
  write_all(p.client.native_handle(), "x", 1);
  BOOST_TEST(run_until(ctx, [&] { return seen.is_readable(); }));
  BOOST_TEST(reg.readiness() == p.server.readiness());

  error_code cancelled;
  reg.async_wait(ready::hangup(), [&](error_code e, ready) { cancelled = e; });
  p.server.cancel();
  BOOST_TEST(run_until(ctx, [&] { return !!cancelled; }));
  BOOST_TEST(cancelled == asio::error::operation_aborted);

  error_code closed;
  reg.async_wait(ready::hangup(), [&](error_code e, ready) { closed = e; });
  p.server.close(); // destroys the registration too
  BOOST_TEST(run_until(ctx, [&] { return !!closed; }));
  BOOST_TEST(closed == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(poller_drives_fifty_pipes)
{
  constexpr std::size_t count = 50;
  asio::io_context ctx;
  iocpx::poller poller(ctx);
  const std::string name = np_name("poller");
  ix::named_pipe_options options;
  options.listen_instances = 8;
  ix::named_pipe_acceptor acceptor(ctx, name, options);

  std::vector<ix::named_pipe> servers;
  std::vector<ix::named_pipe> clients;
  servers.reserve(count);
  clients.reserve(count);
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](error_code ec, ix::named_pipe pipe) {
      BOOST_REQUIRE(!ec);
      servers.push_back(std::move(pipe));
      if (servers.size() < count)
        accept();
    });
  };
  accept();
  for (std::size_t i = 0; i < count; ++i)
  {
    clients.emplace_back(ctx);
    clients.back().async_connect(name, [](error_code ec) { BOOST_REQUIRE(!ec); });
  }
  BOOST_TEST(run_until(ctx, [&] { return servers.size() == count; }, 30s));
  acceptor.close();

  // Each client tells its index; the server side learns which pipe is which
  // from the readiness events alone.
  for (std::size_t i = 0; i < count; ++i)
    poller.add(servers[i], 1000 + i, ready::readable() | ready::hangup(), iocpx::trigger::edge);
  for (std::size_t i = 0; i < count; i += 1)
  {
    const std::string text = "#" + std::to_string(i) + ";";
    error_code ec;
    BOOST_TEST(clients[i].try_write_some(asio::buffer(text), ec) == text.size());
  }

  std::vector<std::string> received(count);
  std::size_t complete = 0;
  std::array<iocpx::event, 16> events;
  std::function<void()> poll = [&] {
    poller.async_poll(events, [&](error_code ec, std::size_t n) {
      BOOST_REQUIRE(!ec);
      for (std::size_t e = 0; e < n; ++e)
      {
        const std::size_t i = events[e].token - 1000;
        BOOST_TEST_REQUIRE(i < count);
        error_code rec;
        received[i] += drain(servers[i], rec);
        BOOST_TEST(rec == iocpx::error::would_block);
        if (!received[i].empty() && received[i].back() == ';')
          ++complete;
      }
      if (complete < count)
        poll();
    });
  };
  poll();
  BOOST_TEST(run_until(ctx, [&] { return complete >= count; }, 30s));
  // Accept order is not connect order: each server pipe got exactly one
  // client's text, and every client's text arrived once.
  std::vector<int> seen(count, 0);
  std::size_t server_of_7 = count;
  for (std::size_t i = 0; i < count; ++i)
  {
    BOOST_REQUIRE(received[i].size() >= 3u);
    const std::size_t k = std::stoul(received[i].substr(1));
    BOOST_REQUIRE(k < count);
    BOOST_TEST(received[i] == "#" + std::to_string(k) + ";");
    ++seen[k];
    if (k == 7)
      server_of_7 = i;
  }
  for (std::size_t k = 0; k < count; ++k)
    BOOST_TEST(seen[k] == 1);

  // A hangup on one pipe reaches the poller with that pipe's token.
  clients[7].close();
  bool hung_up = false;
  poller.async_poll(events, [&](error_code ec, std::size_t n) {
    BOOST_REQUIRE(!ec);
    BOOST_REQUIRE(n >= 1u);
    BOOST_TEST(events[0].token == 1000 + server_of_7);
    hung_up = events[0].readiness.is_hangup();
  });
  BOOST_TEST(run_until(ctx, [&] { return hung_up; }));
}

// --- performance properties (counted, not timed) ---------------------------

BOOST_AUTO_TEST_CASE(try_write_some_that_completes_at_once_leaves_no_packet)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  (void)p.server.readiness();
  ctx.poll();
  ctx.restart();
  error_code ec;
  // The pipe has room: each write completes inside try_write_some (skip-on-
  // success, result taken inline) — no packet, no post, no callback, and
  // the writer is free again at once.
  BOOST_TEST(p.server.try_write_some(asio::buffer("abc", 3), ec) == 3u);
  BOOST_TEST(!ec);
  BOOST_TEST(ctx.poll() == 0u);
  BOOST_TEST(p.server.readiness().is_writable());
  BOOST_TEST(p.server.try_write_some(asio::buffer("def", 3), ec) == 3u);
  BOOST_TEST(!ec);
  BOOST_TEST(ctx.poll() == 0u);
  BOOST_TEST(read_exact(p.client.native_handle(), 6) == "abcdef");
}

BOOST_AUTO_TEST_CASE(a_pipe_holds_no_write_buffer_once_its_writes_are_done)
{
  asio::io_context ctx;
  np_pair first = make_np_pair(ctx);
  np_pair second = make_np_pair(ctx);
  (void)first.server.readiness();
  (void)second.server.readiness();
  ctx.poll();
  ctx.restart();
  error_code ec;
  // The first write on this thread makes a buffer; a write that completes
  // at once gives it back to the thread before it returns.
  BOOST_TEST(first.server.try_write_some(asio::buffer("abc", 3), ec) == 3u);
  BOOST_TEST(!ec);
  // So another pipe's first write reuses it: what it allocates is its
  // writer (an OVERLAPPED and a callback), not a 16 KiB buffer per pipe.
  const long long before = allocated_bytes();
  BOOST_TEST(second.server.try_write_some(asio::buffer("def", 3), ec) == 3u);
  BOOST_TEST(!ec);
  const long long made = allocated_bytes() - before;
  BOOST_TEST(made > 0); // the writer
  BOOST_TEST(made < 1024);
  BOOST_TEST(read_exact(first.client.native_handle(), 3) == "abc");
  BOOST_TEST(read_exact(second.client.native_handle(), 3) == "def");
}

// A readiness wait belongs to its connection: disconnect() ends it, so the
// next connection's readiness cannot complete it.
BOOST_AUTO_TEST_CASE(disconnect_aborts_the_connections_readiness_waits)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  (void)p.server.readiness();
  ctx.poll();
  ctx.restart();
  bool done = false;
  p.server.async_wait(ready::readable(), [&](error_code ec, ready r) {
    BOOST_TEST(ec == asio::error::operation_aborted);
    BOOST_TEST(r == ready::none());
    done = true;
  });
  BOOST_TEST(ctx.poll() == 0u);
  p.server.disconnect();
  BOOST_TEST(run_until(ctx, [&] { return done; }));
}

// A readiness wait on a closed pipe fails at once with bad_descriptor, as
// every other operation on a closed pipe does (try_read_some included).
// Before the fix it waited for ever — run() never returned — or, if the
// pipe was opened again, was completed by the next connection's readiness.
BOOST_AUTO_TEST_CASE(a_readiness_wait_on_a_closed_pipe_fails_at_once)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  p.server.close();
  bool done = false;
  error_code wec;
  p.server.async_wait(ready::readable() | ready::writable(), [&](error_code ec, ready) {
    wec = ec;
    done = true;
  });
  BOOST_TEST(!done); // never inside the initiating call
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2000ms));
  BOOST_TEST(wec == asio::error::bad_descriptor);
  char c;
  wec = asio::error::would_block; // try_read_some must set it
  BOOST_TEST(p.server.try_read_some(asio::buffer(&c, 1), wec) == 0u);
  BOOST_TEST(wec == asio::error::bad_descriptor);

  ix::named_pipe never_opened(ctx);
  done = false;
  never_opened.async_wait(ready::writable(), [&](error_code ec, ready) {
    wec = ec;
    done = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2000ms));
  BOOST_TEST(wec == asio::error::bad_descriptor);
}

// A readiness wait on a server end with no client (after disconnect())
// fails at once with not_connected, as reads and writes there do. Before
// the fix it waited for the next client — for ever, if none came — and
// was then completed by that connection's readiness.
BOOST_AUTO_TEST_CASE(a_readiness_wait_without_a_peer_is_not_connected)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  (void)p.server.readiness();
  p.server.disconnect();
  BOOST_TEST(!p.server.is_connected());
  bool done = false;
  error_code wec;
  ready got = ready::all();
  p.server.async_wait(ready::readable() | ready::writable(), [&](error_code ec, ready r) {
    wec = ec;
    got = r;
    done = true;
  });
  BOOST_TEST(!done); // never inside the initiating call
  BOOST_TEST(run_until(ctx, [&] { return done; }, 2000ms));
  BOOST_TEST(wec == asio::error::not_connected);
  BOOST_TEST(got == ready::none());
}

namespace {

// Code written for Asio's sockets: waits with the stream's own wait types
// and the socket completion signature, then reads without blocking.
template <typename Stream>
void wait_then_read(Stream& s, std::string& out, error_code& result, bool& done)
{
  s.async_wait(Stream::wait_read, [&s, &out, &result, &done](error_code ec) {
    if (!ec)
    {
      char buf[64];
      const std::size_t n = s.try_read_some(asio::buffer(buf), ec);
      out.assign(buf, n);
    }
    result = ec;
    done = true;
  });
}

} // namespace

BOOST_AUTO_TEST_CASE(socket_style_waits)
{
  static_assert(std::is_same<ix::named_pipe::wait_type, asio::socket_base::wait_type>::value,
      "the socket's wait types, so that asio::socket_base::wait_read works too");
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);

  // wait_read: not while the pipe is empty; then once data comes.
  std::string got;
  error_code read_ec;
  bool read_done = false;
  wait_then_read(p.server, got, read_ec, read_done);
  BOOST_TEST(!read_done); // never inside the initiating call
  ctx.poll();
  BOOST_TEST(!read_done);
  // wait_error: not while the connection is sound.
  error_code error_ec = asio::error::would_block;
  bool error_done = false;
  p.server.async_wait(asio::socket_base::wait_error, [&](error_code ec) {
    error_ec = ec;
    error_done = true;
  });
  // wait_write: a pipe with nothing held in the system is writable.
  bool write_done = false;
  error_code write_ec = asio::error::would_block;
  p.server.async_wait(ix::named_pipe::wait_write, [&](error_code ec) {
    write_ec = ec;
    write_done = true;
  });
  BOOST_TEST(run_until(ctx, [&] { return write_done; }));
  BOOST_TEST(!write_ec, write_ec.message());
  BOOST_TEST(!read_done);

  write_all(p.client.native_handle(), "ping", 4);
  BOOST_TEST(run_until(ctx, [&] { return read_done; }));
  BOOST_TEST(!read_ec, read_ec.message());
  BOOST_TEST(got == "ping");
  ctx.restart();
  ctx.poll();
  BOOST_TEST(!error_done);

  // The peer closes: wait_error ends, and so does a wait_read with no data
  // left (the read it allows reports eof).
  p.client.close();
  BOOST_TEST(run_until(ctx, [&] { return error_done; }));
  BOOST_TEST(!error_ec, error_ec.message());
  got = "unchanged";
  read_done = false;
  wait_then_read(p.server, got, read_ec, read_done);
  BOOST_TEST(run_until(ctx, [&] { return read_done; }));
  BOOST_TEST(read_ec == asio::error::eof);
  BOOST_TEST(got.empty());

  // Errors as for the readiness wait: a closed pipe, at once.
  p.server.close();
  read_done = false;
  wait_then_read(p.server, got, read_ec, read_done);
  BOOST_TEST(!read_done);
  BOOST_TEST(run_until(ctx, [&] { return read_done; }, 2000ms));
  BOOST_TEST(read_ec == asio::error::bad_descriptor);
}

BOOST_AUTO_TEST_CASE(a_socket_style_wait_is_cancelled_with_the_pipe)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  error_code wait_ec;
  p.server.async_wait(ix::named_pipe::wait_read, [&](error_code e) { wait_ec = e; });
  ctx.poll();
  p.server.cancel();
  BOOST_TEST(run_until(ctx, [&] { return !!wait_ec; }));
  BOOST_TEST(wait_ec == asio::error::operation_aborted);
}

#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
// The wrapper that drops the readiness argument keeps the handler's
// cancellation slot: a per-operation cancel ends that wait only.
BOOST_AUTO_TEST_CASE(a_socket_style_wait_is_cancelled_per_operation)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  asio::cancellation_signal signal;
  error_code cancelled_ec, other_ec;
  bool cancelled_done = false, other_done = false;
  p.server.async_wait(ix::named_pipe::wait_read,
      asio::bind_cancellation_slot(signal.slot(), [&](error_code e) {
        cancelled_ec = e;
        cancelled_done = true;
      }));
  p.server.async_wait(ix::named_pipe::wait_read, [&](error_code e) {
    other_ec = e;
    other_done = true;
  });
  ctx.poll();
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(run_until(ctx, [&] { return cancelled_done; }));
  BOOST_TEST(cancelled_ec == asio::error::operation_aborted);
  BOOST_TEST(!other_done);
  write_all(p.client.native_handle(), "go", 2);
  BOOST_TEST(run_until(ctx, [&] { return other_done; }));
  BOOST_TEST(!other_ec, other_ec.message());
}
#endif

// The readiness calls keep per-thread state (write buffers, the event for a
// synchronous call). Threads that used it and exit must free it cleanly:
// the heap stays sound and the thread's event is closed.
BOOST_AUTO_TEST_CASE(threads_that_used_pipes_exit_cleanly)
{
  for (int round = 0; round < 8; ++round)
  {
    std::string received;
    HANDLE thread_event = nullptr;
    std::exception_ptr failed; // a failed BOOST_REQUIRE must not end the thread
    std::thread worker([&] {
      try
      {
        asio::io_context ctx;
        np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
        const std::string chunk(4096, char('a' + round));
        // Fill the pipe so that a write is held (it keeps a buffer), then
        // let the reader take everything and the retry finish it: the
        // buffers go back to this thread's cache.
        const std::size_t written = fill_until_would_block(ctx, p.server, chunk);
        received = read_exact(p.client.native_handle(), DWORD(written + chunk.size()));
        BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_writable(); }));
        error_code ec;
        BOOST_TEST(p.server.try_write_some(asio::buffer(chunk), ec) == chunk.size());
        BOOST_TEST(!ec);
        // A synchronous read on this thread uses its event.
        write_all(p.client.native_handle(), "bye", 3);
        BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
        BOOST_TEST(drain(p.server, ec) == "bye");
        thread_event = ix::detail::thread_io_event();
      }
      catch (...)
      {
        failed = std::current_exception();
      }
    });
    worker.join();
    if (failed)
      std::rethrow_exception(failed);
    BOOST_TEST(received.size() > 4096u);
    BOOST_TEST(received.find_first_not_of(char('a' + round)) == std::string::npos);
    // The thread's event was closed when it exited. (Checked at once: a
    // handle value is reused by the next handle made. Not with
    // GetProcessHandleCount, which reports 0 under Wine 8.)
    BOOST_REQUIRE(thread_event != nullptr);
    DWORD flags = 0;
    BOOST_TEST(!::GetHandleInformation(thread_event, &flags));
  }

  // Heap churn after the exits: a corrupted heap fails here, if not before.
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 2000; ++i)
    blocks.emplace_back(new char[16 * 1024 + i]);
  blocks.clear();
}

// --- several threads running the io_context --------------------------------

namespace {

// One end of an echo over the readiness API: reads what arrives (and, for
// the echoing end, writes it back), waiting for readiness when a call
// reports would_block. Every call runs on the pipe's strand; the probe's
// and the writer's completions run on whichever thread dequeues them.
struct readiness_echo_end
{
  readiness_echo_end(ix::named_pipe& p, bool echoes, std::string to_write, std::size_t to_read,
      std::atomic<int>& done) : pipe(p), echo(echoes), out(std::move(to_write)),
      expect(to_read), ends_done(done)
  {
  }

  ix::named_pipe& pipe;
  bool echo;
  std::string out;           // to write (the echoing end appends what it reads)
  std::size_t out_pos = 0;
  std::string in;            // read so far
  std::size_t expect = 0;    // bytes to read before this end is done
  std::atomic<int>& ends_done;
  error_code failure;
  std::array<char, 1000> buffer{};

  void pump()
  {
    for (;;)
    {
      error_code ec;
      const std::size_t n = pipe.try_read_some(asio::buffer(buffer), ec);
      if (ec == iocpx::error::would_block)
        break;
      if (ec)
        return fail(ec);
      in.append(buffer.data(), n);
      if (echo)
        out.append(buffer.data(), n);
    }
    while (out_pos < out.size())
    {
      error_code ec;
      const std::size_t n =
          pipe.try_write_some(asio::buffer(out.data() + out_pos, out.size() - out_pos), ec);
      if (ec == iocpx::error::would_block)
        break;
      if (ec)
        return fail(ec);
      out_pos += n;
    }
    if (in.size() >= expect && out_pos == out.size())
    {
      ++ends_done;
      return;
    }
    ready interest = ready::readable();
    if (out_pos < out.size())
      interest |= ready::writable();
    pipe.async_wait(interest, [this](error_code ec, ready) {
      if (ec)
        return fail(ec);
      pump();
    });
  }

  void fail(error_code ec)
  {
    failure = ec;
    ++ends_done;
  }
};

} // namespace

// The readiness API on an io_context that four threads run, each pipe on a
// strand: the probe's and the writer's completions run on any of the four
// threads while the pipe's calls run on its strand. 256 KiB go through a
// 4 KiB pipe and back, so writes are held in the system again and again.
void echo_on_four_threads(ix::readiness_strategy strategy)
{
  asio::io_context ctx;
  pipe_pair raw = make_pipe_pair(false, 4096);
  ix::named_pipe server(asio::make_strand(ctx), raw.server.release());
  ix::named_pipe client(asio::make_strand(ctx), raw.client.release());
  server.set_readiness_strategy(strategy);
  client.set_readiness_strategy(strategy);

  std::string message(256 * 1024, '\0');
  for (std::size_t i = 0; i < message.size(); ++i)
    message[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);

  std::atomic<int> ends_done{0};
  readiness_echo_end echoer(server, true, {}, message.size(), ends_done);
  readiness_echo_end sender(client, false, message, message.size(), ends_done);
  asio::post(server.get_executor(), [&] { echoer.pump(); });
  asio::post(client.get_executor(), [&] { sender.pump(); });

  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] { ctx.run(); });
  const bool done = wait_until([&] { return ends_done.load() >= 2; }, std::chrono::seconds(60));
  ctx.stop();
  for (auto& t : threads)
    t.join();

  BOOST_TEST(done);
  BOOST_TEST(!echoer.failure);
  BOOST_TEST(!sender.failure);
  BOOST_TEST(echoer.in.size() == message.size());
  BOOST_TEST((echoer.in == message));
  BOOST_TEST(sender.in.size() == message.size());
  BOOST_TEST((sender.in == message)); // in order, each byte once
}

BOOST_AUTO_TEST_CASE(an_echo_over_the_readiness_api_on_four_threads)
{
  echo_on_four_threads(ix::readiness_strategy::zero_byte_probe());
}

// With a small probe buffer the probe itself reads most of the data, and a
// read on the strand must never overtake the bytes of a probe whose
// completion another thread is still delivering.
BOOST_AUTO_TEST_CASE(an_echo_with_a_buffered_probe_on_four_threads)
{
  for (int round = 0; round < 4; ++round)
    echo_on_four_threads(ix::readiness_strategy::buffered(64));
}

// A reader that polls try_read_some on its strand without waiting, while
// the probe's completions arrive on the other threads: the calls and the
// completions overlap all the time. With a buffered probe, a read that
// overtook a probe whose completion is still being delivered would hand
// out later bytes first.
BOOST_AUTO_TEST_CASE(a_polling_reader_on_a_strand_gets_every_byte_in_order)
{
  for (int round = 0; round < 3; ++round)
  {
    asio::io_context ctx;
    pipe_pair raw = make_pipe_pair(false, 4096);
    ix::named_pipe reader(asio::make_strand(ctx), raw.server.release());
    reader.set_readiness_strategy(ix::readiness_strategy::buffered(round == 0 ? 0 : 16 * round));

    const std::size_t total = 32 * 1024;
    std::string expected(total, '\0');
    for (std::size_t i = 0; i < total; ++i)
      expected[i] = static_cast<char>(i % 251);

    std::string received;
    error_code failure;
    std::atomic<int> done{0};
    std::function<void()> poll;
    poll = [&] {
      std::array<char, 100> buffer;
      error_code ec;
      const std::size_t n = reader.try_read_some(asio::buffer(buffer), ec);
      if (ec && ec != iocpx::error::would_block)
      {
        failure = ec;
        ++done;
        return;
      }
      received.append(buffer.data(), n);
      if (received.size() >= total)
      {
        ++done;
        return;
      }
      asio::post(reader.get_executor(), poll);
    };
    asio::post(reader.get_executor(), poll);

    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([&] { ctx.run(); });
    std::atomic<bool> wrote_all{false};
    std::thread writer([&] {
      bool ok = true;
      for (std::size_t at = 0, step = 1; ok && at < total; at += step, step = step % 61 + 1)
        ok = write_all_from_thread(raw.client.get(), expected.data() + at, std::min(step, total - at));
      wrote_all = ok;
    });
    // A reader that stalls leaves the writer blocked on a full pipe: the
    // time limit comes first, then a cancel lets the writer go.
    const bool finished = wait_until([&] { return done.load() >= 1; }, std::chrono::seconds(40));
    if (!finished)
      ::CancelIoEx(raw.client.get(), nullptr);
    writer.join();
    ctx.stop();
    for (auto& t : threads)
      t.join();
    BOOST_TEST(wrote_all.load());
    BOOST_TEST_REQUIRE(finished);
    BOOST_TEST(!failure);
    BOOST_TEST(received.size() == total);
    BOOST_TEST((received == expected));
  }
}

// Closing a pipe on its strand while its probe's completion may be running
// on another thread: the completion finds the state closed, not freed.
BOOST_AUTO_TEST_CASE(closing_a_pipe_while_its_completions_run_on_other_threads)
{
  for (int round = 0; round < 40; ++round)
  {
    asio::io_context ctx;
    auto work = asio::make_work_guard(ctx);
    pipe_pair raw = make_pipe_pair(false, 4096);
    HANDLE peer = raw.client.get();
    ix::named_pipe server(asio::make_strand(ctx), raw.server.release());

    std::atomic<int> closed{0};
    std::size_t received = 0;
    std::function<void()> read_some;
    read_some = [&] {
      error_code ec;
      std::array<char, 512> buffer;
      for (;;)
      {
        const std::size_t n = server.try_read_some(asio::buffer(buffer), ec);
        if (ec)
          break;
        received += n;
      }
      // Close once a little has arrived, with the peer still writing: the
      // next probe completion races with the close.
      if (received >= std::size_t(2000 + 100 * round) || (ec && ec != iocpx::error::would_block))
      {
        server.close();
        ++closed;
        return;
      }
      server.async_wait(ready::readable(), [&](error_code wait_ec, ready) {
        if (wait_ec)
        {
          ++closed;
          return;
        }
        read_some();
      });
    };
    asio::post(server.get_executor(), read_some);

    std::atomic<bool> stop_writing{false};
    std::thread writer([&] {
      char chunk[100];
      std::memset(chunk, 'w', sizeof(chunk));
      while (!stop_writing.load() && write_all_from_thread(peer, chunk, sizeof(chunk)))
      {
      }
    });

    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
      threads.emplace_back([&] { ctx.run(); });
    const bool done = wait_until([&] { return closed.load() >= 1; }, std::chrono::seconds(20));
    stop_writing = true;
    // A write still waiting for room ends when the server end closes; if
    // the test failed before that, a cancel ends it. The handle is closed
    // only after the writer is done with it.
    if (!done)
      ::CancelIoEx(peer, nullptr);
    writer.join();
    raw.client.reset();
    work.reset();
    ctx.stop();
    for (auto& t : threads)
      t.join();
    BOOST_TEST_REQUIRE(done);
    BOOST_TEST(!server.is_open());
  }
}

BOOST_AUTO_TEST_CASE(a_read_that_empties_the_pipe_clears_readable)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  (void)p.server.readiness();
  write_all(p.client.native_handle(), "hi", 2);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  ctx.restart();
  error_code ec;
  char buf[16];
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 2u);
  BOOST_TEST(!ec);
  // The probe was re-armed by the read and waits: readable is clear, so a
  // level-triggered wait does not wake for nothing, and no packet is left.
  BOOST_TEST(!p.server.readiness().is_readable());
  bool woke = false;
  p.server.async_wait(ready::readable(), [&](error_code e, ready) {
    BOOST_TEST(!e);
    woke = true;
  });
  BOOST_TEST(ctx.poll() == 0u);
  BOOST_TEST(!woke);
  // would_block with no port traffic; the pending probe wakes the wait.
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 0u);
  BOOST_TEST(ec == iocpx::error::would_block);
  write_all(p.client.native_handle(), "more", 4);
  BOOST_TEST(run_until(ctx, [&] { return woke; }));
  BOOST_TEST(drain(p.server, ec) == "more");
  BOOST_TEST(ec == iocpx::error::would_block);
}

BOOST_AUTO_TEST_CASE(a_read_that_leaves_data_keeps_readable_without_traffic)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  (void)p.server.readiness();
  write_all(p.client.native_handle(), "abcdef", 6);
  BOOST_TEST(run_until(ctx, [&] { return p.server.readiness().is_readable(); }));
  ctx.restart();
  error_code ec;
  char buf[4];
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 4u);
  BOOST_TEST(!ec);
  BOOST_TEST(p.server.readiness().is_readable());
  BOOST_TEST(ctx.poll() == 0u);
  BOOST_TEST(p.server.try_read_some(asio::buffer(buf), ec) == 2u);
  BOOST_TEST(std::string(buf, 2) == "ef");
  BOOST_TEST(!p.server.readiness().is_readable());
}

// readiness_registration() that runs out of memory throws and changes
// nothing else. Before the fix the registration object was made before the
// memory to keep it in, and destroying it when that allocation failed
// closed the pipe's readiness: the pending wait ended with
// operation_aborted and the pipe never reported readiness again (and a
// wait's handler destroyed there, inside the pipe's lock, could have
// closed the pipe and deadlocked on that lock).
BOOST_AUTO_TEST_CASE(a_registration_that_cannot_be_allocated_leaves_the_readiness_alone,
    *iocpx_test::needs_injected_allocation_failures())
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  bool done = false;
  error_code wec;
  ready got;
  p.server.async_wait(ready::readable(), [&](error_code ec, ready r) {
    wec = ec;
    got = r;
    done = true;
  });
  ctx.poll();
  BOOST_TEST(!done);
  fail_next_allocations(1);
  BOOST_CHECK_THROW(p.server.readiness_registration(), std::bad_alloc);
  fail_next_allocations(0);
  ctx.restart();
  ctx.poll();
  BOOST_TEST(!done); // still waiting
  write_all(p.client.native_handle(), "x", 1);
  BOOST_TEST(run_until(ctx, [&] { return done; }));
  BOOST_TEST(!wec);
  BOOST_TEST(got.is_readable());
  BOOST_TEST(p.server.readiness_registration().readiness().is_readable());
}

BOOST_AUTO_TEST_CASE(an_idle_pipe_allocates_nothing_after_its_first_wait)
{
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  // A wait ended (here by cancel) and started again reuses its memory; the
  // probe and the registration allocate nothing while the pipe is idle.
  // Waits are started and cancelled inside handlers of one run(), as in a
  // program: Asio recycles memory only inside the run() (or run_one(),
  // poll()) call that freed it.
  struct cycle
  {
    ix::named_pipe& pipe;
    asio::io_context& ctx;
    int& woke;
    long long& before;
    long long& after;

    void operator()(error_code ec, ready)
    {
      BOOST_TEST(ec == asio::error::operation_aborted);
      if (++woke == 2) // after one cycle inside run(), which warms Asio's cache
        before = allocations();
      if (woke == 22)
      {
        after = allocations();
        ctx.stop();
        return;
      }
      pipe.async_wait(ready::readable(), *this);
      pipe.cancel();
    }
  };
  int woke = 0;
  long long before = 0, after = 0;
  p.server.async_wait(ready::readable(), cycle{p.server, ctx, woke, before, after});
  asio::post(ctx, [&] { p.server.cancel(); });
  // One run() (run_for would be a loop of run_one calls); a timer makes a
  // hang fail instead.
  asio::steady_timer guard(ctx, std::chrono::seconds(30));
  guard.async_wait([&](error_code) { ctx.stop(); });
  ctx.run();
  BOOST_TEST(after - before == 0);
  BOOST_TEST(woke == 22);
}

BOOST_AUTO_TEST_CASE(steady_state_readiness_ping_pong_allocates_nothing)
{
  // Measured within one run(): Asio's recycled blocks belong to the run()
  // (or run_one(), poll()) call that freed them and are released when it
  // returns, as they are in a program's one long run().
  constexpr int warmup = 20, measured = 200;
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx);
  int rounds = 0;
  long long before = 0, after = 0;
  char abuf[1];
  char bbuf[1];
  struct loop
  {
    ix::named_pipe& self;
    char* buf;
    bool echo;
    int& rounds;
    long long& before;
    long long& after;
    asio::io_context& ctx;

    void wait()
    {
      self.async_wait(ready::readable(), *this);
    }

    void operator()(error_code ec, ready)
    {
      if (ec)
        return;
      error_code rec;
      for (;;)
      {
        const std::size_t n = self.try_read_some(asio::buffer(buf, 1), rec);
        if (rec)
          break;
        BOOST_TEST(n == 1u);
        if (!echo)
        {
          // warm-up: readiness state, writers, recycled operation memory
          if (++rounds == warmup)
            before = allocations();
          if (rounds == warmup + measured)
          {
            after = allocations();
            ctx.stop();
            return;
          }
        }
        self.try_write_some(asio::buffer(buf, 1), rec);
        BOOST_TEST(!rec);
      }
      BOOST_TEST(rec == iocpx::error::would_block);
      wait();
    }
  };
  loop server_side{p.server, bbuf, true, rounds, before, after, ctx};
  loop client_side{p.client, abuf, false, rounds, before, after, ctx};
  server_side.wait();
  error_code ec;
  p.client.try_write_some(asio::buffer("p", 1), ec);
  BOOST_TEST(!ec);
  client_side.wait();
  // One run() (run_for would be a loop of run_one calls); a timer makes a
  // hang fail instead.
  asio::steady_timer guard(ctx, std::chrono::seconds(60));
  guard.async_wait([&](error_code) { ctx.stop(); });
  ctx.run();
  BOOST_TEST(rounds == warmup + measured);
  BOOST_TEST(after - before == 0);
}

// A held write takes its buffer from the cache of the thread that wrote it
// and gives it back on the thread of its retry — another one, when several
// threads run the io_context (a strand's handlers run on any of them). The
// writer's cache then runs dry while the retrier's overflows, and each held
// write allocated a buffer that the retry freed. Here thread A writes until
// the pipe is full and thread B retries, in turns, as two io_context
// threads would; the main thread reads and delivers the write's completion.
BOOST_AUTO_TEST_CASE(held_writes_retried_on_another_thread_allocate_nothing)
{
  constexpr int warmup = 8, measured = 16;
  asio::io_context ctx;
  np_pair p = make_np_pair(ctx, ix::pipe_mode::byte, 4096);
  const std::string chunk(4096, 'h');
  static char sink[256 * 1024];
  (void)p.server.readiness();

  // Turn 3k: A fills the pipe; 3k+1: the main thread reads it all and
  // sees `writable`; 3k+2: B retries; 3k+3: the next round.
  std::atomic<int> turn{0};
  std::atomic<std::size_t> written{0};
  std::atomic<int> failures{0};
  const int rounds = warmup + measured;
  std::atomic<bool> give_up{false};
  // Until the turn is t or later: the main thread's wait for the end of a
  // round (3k+3) can miss that turn when A, scheduled first, has already
  // taken the next one (3k+4). Waiting for exactly t hung then.
  auto wait_turn = [&](int t) {
    while (turn.load(std::memory_order_acquire) < t)
    {
      if (give_up.load(std::memory_order_acquire))
        return false;
      std::this_thread::yield();
    }
    return true;
  };
  std::thread a([&] {
    for (int r = 0; r < rounds; ++r)
    {
      if (!wait_turn(3 * r))
        return;
      std::size_t n = 0;
      error_code ec;
      for (;;)
      {
        const std::size_t w = p.server.try_write_some(asio::buffer(chunk), ec);
        if (ec)
          break;
        n += w;
      }
      if (ec != iocpx::error::would_block)
        ++failures;
      written.store(n, std::memory_order_relaxed);
      turn.store(3 * r + 1, std::memory_order_release);
    }
  });
  std::thread b([&] {
    for (int r = 0; r < rounds; ++r)
    {
      if (!wait_turn(3 * r + 2))
        return;
      error_code ec;
      if (p.server.try_write_some(asio::buffer(chunk), ec) != chunk.size() || ec)
        ++failures;
      turn.store(3 * r + 3, std::memory_order_release);
    }
  });

  long long before = 0, after = 0;
  bool delivered = true;
  for (int r = 0; r < rounds; ++r)
  {
    if (r == warmup)
      before = allocations();
    if (!wait_turn(3 * r + 1))
      break;
    // Everything reported written, and the held chunk.
    DWORD left = static_cast<DWORD>(written.load(std::memory_order_relaxed) + chunk.size());
    while (left > 0)
    {
      private_overlapped ov;
      DWORD done = 0;
      const DWORD want = std::min<DWORD>(left, sizeof(sink));
      if (!::ReadFile(p.client.native_handle(), sink, want, nullptr, &ov)
          && ::GetLastError() != ERROR_IO_PENDING)
        break;
      if (!::GetOverlappedResult(p.client.native_handle(), &ov, &done, TRUE))
        break;
      left -= done;
    }
    // The held write's completion comes through the port.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!p.server.readiness().is_writable() && std::chrono::steady_clock::now() < deadline)
    {
      ctx.restart();
      ctx.poll();
    }
    delivered = left == 0 && p.server.readiness().is_writable();
    if (!delivered)
      break;
    turn.store(3 * r + 2, std::memory_order_release);
    wait_turn(3 * r + 3);
  }
  after = allocations();
  give_up = true;
  a.join();
  b.join();
  BOOST_TEST(delivered);
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(after - before == 0);
}

namespace {

// An allocator that refuses once *refuse is set: an executor that cannot
// take a handler, without touching the program's other allocations.
template <typename T>
struct refusing_allocator
{
  using value_type = T;

  const bool* refuse;

  explicit refusing_allocator(const bool* r) noexcept : refuse(r) {}
  template <typename U>
  refusing_allocator(const refusing_allocator<U>& o) noexcept : refuse(o.refuse)
  {
  }

  T* allocate(std::size_t n)
  {
    if (*refuse)
      throw std::bad_alloc();
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }

  void deallocate(T* p, std::size_t) noexcept
  {
    ::operator delete(p);
  }

  template <typename U>
  bool operator==(const refusing_allocator<U>& o) const noexcept
  {
    return refuse == o.refuse;
  }
  template <typename U>
  bool operator!=(const refusing_allocator<U>& o) const noexcept
  {
    return refuse != o.refuse;
  }
};

// What a wait handler's destructor saw: user code, which may run anything
// (a session's destructor), so it must not run under the pipe's lock.
struct destruction_record
{
  ix::detail::named_pipe_readiness* state = nullptr;
  int destroyed = 0;
  bool lock_was_free = false;
};

struct destruction_check
{
  destruction_record* record;
  ~destruction_check()
  {
    ++record->destroyed;
    record->lock_was_free = pipe_access::readiness_lock_is_free(record->state);
  }
};

struct refusable_wait_handler
{
  using allocator_type = refusing_allocator<void>;

  std::unique_ptr<destruction_check> check; // moved-from handlers check nothing
  allocator_type allocator;
  bool* ran;

  allocator_type get_allocator() const noexcept
  {
    return allocator;
  }

  void operator()(error_code, ready)
  {
    *ran = true;
  }
};

} // namespace

// close() with a wait whose completion cannot be posted (its executor
// cannot allocate): the wait's handler is destroyed without being called,
// as at the context's shutdown — and outside the pipe's readiness lock.
// Before the fix it was destroyed under that lock, so its destructor (user
// code: a session's, say) ran while the pipe's probe and write completions
// on other threads had to wait for it.
BOOST_AUTO_TEST_CASE(close_destroys_a_refused_wait_handler_outside_the_pipes_lock)
{
  for (const bool with_registration : {false, true})
  {
    BOOST_TEST_CONTEXT("with a registration object: " << with_registration)
    {
      asio::io_context ctx;
      np_pair p = make_np_pair(ctx);
      destruction_record record;
      record.state = pipe_access::readiness_state(p.server);
      if (with_registration)
        (void)p.server.readiness_registration(); // close() destroys it
      ctx.poll();
      ctx.restart();
      bool refuse = false;
      bool ran = false;
      p.server.async_wait(ready::readable(),
          refusable_wait_handler{std::unique_ptr<destruction_check>(new destruction_check{&record}),
              refusing_allocator<void>(&refuse), &ran});
      BOOST_TEST(ctx.poll() == 0u);
      BOOST_TEST(record.destroyed == 0);

      refuse = true;
      p.server.close();
      refuse = false;
      BOOST_TEST(record.destroyed == 1); // refused: destroyed, not called
      BOOST_TEST(record.lock_was_free);
      ctx.restart();
      ctx.run_for(2s); // returns at once: no work left behind
      BOOST_TEST(!ran);
      BOOST_TEST(ctx.stopped());
    }
  }
}

// A readiness change made under the pipe's lock — here by the probe's
// completion: data arrived — completes a wait whose handler cannot be
// posted (its executor, another io_context's, cannot allocate). The handler
// is destroyed without being called, after the lock is released: a
// session that owned its pipe through the handler would close the pipe
// from that destructor, and close() takes the lock.
BOOST_AUTO_TEST_CASE(a_change_destroys_a_refused_wait_handler_outside_the_pipes_lock)
{
  asio::io_context ctx;
  asio::io_context other; // never run: the wait's completion is posted there
  np_pair p = make_np_pair(ctx);
  destruction_record record;
  record.state = pipe_access::readiness_state(p.server);
  bool refuse = false;
  bool ran = false;
  p.server.async_wait(ready::readable(),
      asio::bind_executor(other,
          refusable_wait_handler{std::unique_ptr<destruction_check>(new destruction_check{&record}),
              refusing_allocator<void>(&refuse), &ran}));
  BOOST_TEST(ctx.poll() == 0u); // the probe waits for data
  BOOST_TEST(record.destroyed == 0);

  refuse = true;
  char byte = 'x';
  BOOST_TEST(p.client.write_some(asio::buffer(&byte, 1)) == 1u);
  ctx.restart();
  BOOST_TEST(run_until(ctx, [&] { return record.destroyed > 0; }));
  refuse = false;
  BOOST_TEST(record.destroyed == 1); // refused: destroyed, not called
  BOOST_TEST(record.lock_was_free);
  BOOST_TEST(p.server.readiness().is_readable()); // the change itself happened
  other.run_for(2s); // nothing was posted there
  BOOST_TEST(!ran);
}

// On a handle bound without skip-on-success, the zero-byte probe that a
// read starts again finds the rest of the data at once, but its packet is
// still to come. The data is in the pipe: `readable` stays set and the
// next try_read_some takes it. Until 2026-11-29 `readable` was cleared
// until that packet was dequeued, and the next try_read_some reported
// would_block with data waiting (helper-75; every other readiness test
// binds with skip-on-success).
BOOST_AUTO_TEST_CASE(without_skip_on_success_a_read_that_leaves_data_keeps_readable)
{
  asio::io_context ctx;
  const std::string name = np_name("no-skip");
  ix::named_pipe_options options;
  options.listen_instances = 1;
  options.binding = ix::bind_options{};
  ix::named_pipe_acceptor acceptor(ctx, name, options);
  ix::named_pipe server(ctx);
  ix::named_pipe client(ctx);
  ix::named_pipe_connect_options connect_options;
  connect_options.binding = ix::bind_options{};
  client.connect(name, connect_options);
  bool accepted = false;
  acceptor.async_accept(server, [&](error_code ec) { accepted = !ec; });
  BOOST_REQUIRE(run_until(ctx, [&] { return accepted; }));
  BOOST_REQUIRE(!server.get_binding().skips_completion_port_on_success());

  (void)server.readiness(); // starts the probe
  BOOST_TEST(client.write_some(asio::buffer("0123456789", 10)) == 10u);
  ctx.restart();
  BOOST_REQUIRE(run_until(ctx, [&] { return server.readiness().is_readable(); }));
  char buf[5];
  error_code ec;
  BOOST_TEST(server.try_read_some(asio::buffer(buf), ec) == 5u);
  BOOST_TEST(!ec);
  BOOST_TEST(server.readiness().is_readable()); // five bytes wait
  BOOST_TEST(server.try_read_some(asio::buffer(buf), ec) == 5u); // with no turn of the loop
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(std::string(buf, 5) == "56789");
}

BOOST_AUTO_TEST_SUITE_END()
