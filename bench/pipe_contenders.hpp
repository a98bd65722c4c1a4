// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The contenders of pipe_bench: the same two workloads written against a raw
// GetQueuedCompletionStatus loop, Asio's windows::stream_handle and
// windows::overlapped_ptr, and iocpx.

#ifndef IOCPX_BENCH_PIPE_CONTENDERS_HPP
#define IOCPX_BENCH_PIPE_CONTENDERS_HPP

#include "bench_support.hpp"
#include "win32_call_counter.hpp"

#include <iocpx/windows.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace iocpx_bench {

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;

[[noreturn]] inline void fail(const char* what, DWORD error = ::GetLastError())
{
  std::fprintf(stderr, "pipe_bench: %s failed: %lu\n", what, error);
  std::exit(2);
}

// A connected overlapped byte-mode pipe pair with 64 KiB buffers. `a` is the
// client side (pings, writes in bulk), `b` the server side.
struct pipe_pair
{
  HANDLE a = INVALID_HANDLE_VALUE;
  HANDLE b = INVALID_HANDLE_VALUE;

  pipe_pair()
  {
    static int counter = 0;
    char name[96];
    std::snprintf(name, sizeof name, "\\\\.\\pipe\\iocpx-bench-%lu-%d",
        static_cast<unsigned long>(::GetCurrentProcessId()), counter++);
    b = ::CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1, 65536, 65536, 0, nullptr);
    if (b == INVALID_HANDLE_VALUE)
      fail("CreateNamedPipe");
    a = ::CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    if (a == INVALID_HANDLE_VALUE)
      fail("CreateFile");
  }
  pipe_pair(const pipe_pair&) = delete;
  pipe_pair& operator=(const pipe_pair&) = delete;
  ~pipe_pair()
  {
    close();
  }
  void close()
  {
    if (a != INVALID_HANDLE_VALUE)
      ::CloseHandle(a);
    if (b != INVALID_HANDLE_VALUE)
      ::CloseHandle(b);
    a = b = INVALID_HANDLE_VALUE;
  }
};

inline void set_skip(HANDLE h)
{
  if (!::SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE))
    fail("SetFileCompletionNotificationModes");
}

// What a benchmark run counts besides time.
//
// Time and allocations are measured in the steady state: a workload calls
// steady() once its first eighth is done (warm_up_rounds / warm_up_bytes),
// inside the same run() as the rest, so that start-up costs (the first
// operations of each kind filling Asio's per-thread cache, iocpx's one-time
// state) are not counted as a cost per operation. Packets, posts and calls
// are whole-run counts: they are deterministic, warm-up or not. They are
// the program's real calls, counted at their import slots
// (win32_call_counter.hpp) from begin() to finish(), whoever makes them: the
// contender, Asio or iocpx. With an io_context they include its stop(): one
// posted packet, dequeued to end run(), and a second one Asio posts as it
// dequeues the first (to wake another thread; dequeued after finish()), at
// most 0.002 per operation in a full run.
struct run_counters
{
  long long ops = 0; // user operations completed (reads + writes)

  // Called as the workload starts.
  void begin()
  {
    at_begin_ = win32_calls_so_far();
    mark(0);
    steady_ = false;
  }

  // Called when the warm-up is done, with the units (round trips or MB) done
  // so far; later calls do nothing.
  void steady(double units_done)
  {
    if (!steady_)
    {
      mark(units_done);
      steady_ = true;
    }
  }

  sample finish(double units) const
  {
    sample s;
    const double elapsed = seconds_since(start_);
    const long long allocs = allocations() - allocs_at_mark_;
    const long long steady_ops = ops - ops_at_mark_;
    const double all_ops = ops > 0 ? static_cast<double>(ops) : 1.0;
    s.rate = (units - units_at_mark_) / elapsed;
    s.allocs_per_op = static_cast<double>(allocs) / static_cast<double>(steady_ops > 0 ? steady_ops : 1);
    const win32_calls now = win32_calls_so_far();
    s.dequeues_per_op = static_cast<double>(now.dequeues - at_begin_.dequeues) / all_ops;
    s.posts_per_op = static_cast<double>(now.posts - at_begin_.posts) / all_ops;
    s.calls_per_op = static_cast<double>(now.calls - at_begin_.calls) / all_ops;
    return s;
  }

private:
  void mark(double units_done)
  {
    units_at_mark_ = units_done;
    ops_at_mark_ = ops;
    allocs_at_mark_ = allocations();
    start_ = clock::now();
  }

  win32_calls at_begin_;
  bool steady_ = false;
  double units_at_mark_ = 0;
  long long ops_at_mark_ = 0;
  long long allocs_at_mark_ = 0;
  clock::time_point start_;
};

// The warm-up of each workload: its first eighth.
inline int warm_up_rounds(int rounds)
{
  return rounds / 8;
}

inline std::size_t warm_up_bytes(std::size_t total)
{
  return total / 8;
}

// ---------------------------------------------------------------------------
// The raw Win32 loop: GetQueuedCompletionStatus one packet at a time. With
// `skip`, immediate successes are handled inline without a packet or a post
// (the fewest packets and calls of this design).

class raw_loop
{
public:
  explicit raw_loop(bool skip) : skip_(skip) {}

  sample ping_pong(int rounds)
  {
    setup();
    // 0: a writes 1 byte, 1: a reads 1 byte, 2: b reads 1 byte, 3: b echoes it.
    // The order of async_ping_pong below, which every other contender runs:
    // a reads, then writes; b echoes, then reads again at once (not when its
    // echo completes). The order decides which reads find their data
    // already there, and under Wine a read that waits costs more requests
    // than one that does not (doc/performance.md), so it must be the same.
    int done = 0;
    handler_ = [&](int id, DWORD) {
      ++c_.ops;
      switch (id)
      {
      case 1:
        if (++done == warm_up_rounds(rounds))
          c_.steady(done);
        if (done < rounds)
        {
          issue(1, nullptr, 1);
          issue(0, nullptr, 1);
        }
        break;
      case 2:
        issue(3, nullptr, 1);
        issue(2, nullptr, 1);
        break;
      default:
        break;
      }
    };
    c_.begin();
    issue(2, nullptr, 1);
    issue(1, nullptr, 1);
    issue(0, nullptr, 1);
    run([&] { return done >= rounds; });
    sample s = c_.finish(rounds);
    teardown();
    return s;
  }

  sample bulk(std::size_t total, std::size_t chunk)
  {
    setup();
    std::size_t written = 0, read = 0;
    handler_ = [&](int id, DWORD bytes) {
      ++c_.ops;
      if (id == 0)
      {
        written += bytes;
        if (written < total)
          issue(0, nullptr, static_cast<DWORD>(std::min(chunk, total - written)));
      }
      else
      {
        read += bytes;
        if (read >= warm_up_bytes(total))
          c_.steady(static_cast<double>(read) / 1e6);
        if (read < total)
          issue(2, nullptr, 65536);
      }
    };
    c_.begin();
    issue(2, nullptr, 65536);
    issue(0, nullptr, static_cast<DWORD>(chunk));
    run([&] { return read >= total; });
    sample s = c_.finish(static_cast<double>(total) / 1e6);
    teardown();
    return s;
  }

private:
  struct op
  {
    OVERLAPPED ov;
    int id;
  };

  void setup()
  {
    pipes_ = std::make_unique<pipe_pair>();
    port_ = ::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
    if (!port_ || !::CreateIoCompletionPort(pipes_->a, port_, 0, 0) || !::CreateIoCompletionPort(pipes_->b, port_, 0, 0))
      fail("CreateIoCompletionPort");
    if (skip_)
    {
      set_skip(pipes_->a);
      set_skip(pipes_->b);
    }
    c_ = run_counters{};
    outstanding_ = 0;
    inline_head_ = inline_size_ = 0;
  }

  void teardown()
  {
    ::CancelIoEx(pipes_->a, nullptr);
    ::CancelIoEx(pipes_->b, nullptr);
    while (outstanding_ > 0)
    {
      DWORD bytes;
      ULONG_PTR key;
      OVERLAPPED* ov = nullptr;
      ::GetQueuedCompletionStatus(port_, &bytes, &key, &ov, 5000);
      if (!ov)
        break;
      --outstanding_;
    }
    pipes_.reset();
    ::CloseHandle(port_);
  }

  void issue(int id, void*, DWORD size)
  {
    op& o = ops_[id];
    o.ov = OVERLAPPED{};
    o.id = id;
    const bool is_write = id == 0 || id == 3;
    HANDLE h = (id <= 1) ? pipes_->a : pipes_->b;
    char* buf = id <= 1 ? abuf_.data() : bbuf_.data();
    BOOL ok = is_write ? ::WriteFile(h, buf, size, nullptr, &o.ov) : ::ReadFile(h, buf, size, nullptr, &o.ov);
    if (ok && skip_)
    {
      inline_[(inline_head_ + inline_size_++) % inline_.size()] = id; // no packet will come
      return;
    }
    if (!ok && ::GetLastError() != ERROR_IO_PENDING)
      fail(is_write ? "WriteFile" : "ReadFile");
    ++outstanding_;
  }

  template <typename Done>
  void run(Done done)
  {
    while (!done())
    {
      if (inline_size_ > 0)
      {
        int id = inline_[inline_head_];
        inline_head_ = (inline_head_ + 1) % inline_.size();
        --inline_size_;
        handler_(id, static_cast<DWORD>(ops_[id].ov.InternalHigh));
        continue;
      }
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      BOOL ok = ::GetQueuedCompletionStatus(port_, &bytes, &key, &ov, INFINITE);
      if (!ov)
        fail("GetQueuedCompletionStatus");
      if (!ok)
        fail("I/O", ::GetLastError());
      --outstanding_;
      handler_(reinterpret_cast<op*>(ov)->id, bytes);
    }
  }

  bool skip_;
  std::unique_ptr<pipe_pair> pipes_;
  HANDLE port_ = nullptr;
  std::array<op, 4> ops_{};
  std::array<char, 65536> abuf_{};
  std::array<char, 65536> bbuf_{};
  std::array<int, 8> inline_{};
  std::size_t inline_head_ = 0, inline_size_ = 0;
  long outstanding_ = 0;
  run_counters c_;
  std::function<void(int, DWORD)> handler_;
};

// ---------------------------------------------------------------------------
// Asynchronous contenders share the workloads; each supplies two primitives:
//   read(side, data, size, handler)  and  write(side, data, size, handler)
// with handler(error_code, std::size_t). side 0 = a (client), 1 = b (server).

template <typename Io>
sample async_ping_pong(Io& io, int rounds)
{
  run_counters& c = io.counters();
  int done = 0;
  char abuf[1], bbuf[1];
  struct chain
  {
    Io& io;
    int& done;
    int rounds;
    char* abuf;
    char* bbuf;
    run_counters& c;

    void a_round()
    {
      io.read(0, abuf, 1, [this](error_code ec, std::size_t) {
        check(ec);
        ++c.ops;
        if (++done == warm_up_rounds(rounds))
          c.steady(done);
        if (done < rounds)
          a_round();
        else
          io.stop();
      });
      io.write(0, "p", 1, [this](error_code ec, std::size_t) {
        if (ec && done >= rounds)
          return; // shutting down
        check(ec);
        ++c.ops;
      });
    }

    void b_loop()
    {
      io.read(1, bbuf, 1, [this](error_code ec, std::size_t) {
        if (ec && (done >= rounds || ec == asio::error::operation_aborted))
          return; // shutting down
        check(ec);
        ++c.ops;
        io.write(1, bbuf, 1, [this](error_code ec2, std::size_t) {
          if (ec2 && done >= rounds)
            return; // shutting down
          check(ec2);
          ++c.ops;
        });
        b_loop();
      });
    }

    static void check(const error_code& ec)
    {
      if (ec)
        fail(ec.message().c_str(), static_cast<DWORD>(ec.value()));
    }
  } ch{io, done, rounds, abuf, bbuf, c};
  io.run_until(
      [&] {
        c.begin();
        ch.b_loop();
        ch.a_round();
      },
      [&] { return done >= rounds; });
  sample s = c.finish(rounds);
  io.shutdown();
  return s;
}

template <typename Io>
sample async_bulk(Io& io, std::size_t total, std::size_t chunk)
{
  run_counters& c = io.counters();
  std::vector<char> out(chunk, 'x');
  std::vector<char> in(65536);
  std::size_t written = 0, read = 0;
  std::function<void()> write_next = [&] {
    io.write(0, out.data(), std::min(chunk, total - written), [&](error_code ec, std::size_t n) {
      if (ec && read >= total)
        return; // shutting down: the reader has everything
      if (ec)
        fail("bulk write", static_cast<DWORD>(ec.value()));
      ++c.ops;
      written += n;
      if (written < total)
        write_next();
    });
  };
  std::function<void()> read_next = [&] {
    io.read(1, in.data(), in.size(), [&](error_code ec, std::size_t n) {
      if (ec)
        fail("bulk read", static_cast<DWORD>(ec.value()));
      ++c.ops;
      read += n;
      if (read >= warm_up_bytes(total))
        c.steady(static_cast<double>(read) / 1e6);
      if (read < total)
        read_next();
      else
        io.stop();
    });
  };
  io.run_until(
      [&] {
        c.begin();
        read_next();
        write_next();
      },
      [&] { return read >= total; });
  sample s = c.finish(static_cast<double>(total) / 1e6);
  io.shutdown();
  return s;
}

// Common parts of the io_context-based contenders.
class context_io
{
public:
  run_counters& counters()
  {
    return c_;
  }

  // Runs `start` as a handler, then the io_context until the workload calls
  // stop() and `done` holds. One run() call for the whole workload, started
  // before its first operation: Asio's per-thread cache of operation memory
  // lives as long as one run() (or run_one()) call and works only inside
  // one, so a loop of run_one() calls, or operations started before run(),
  // would count its misses as allocations. The workload's warm-up (its
  // first eighth, see run_counters) fills that cache before anything is
  // counted.
  template <typename Start, typename Done>
  void run_until(Start start, Done done)
  {
    asio::post(ctx_, start);
    do
    {
      ctx_.restart();
      ctx_.run();
    } while (!done());
  }

  // Ends run_until's run() once the workload is done.
  void stop()
  {
    ctx_.stop();
  }

protected:
  HANDLE handle(int side) const
  {
    return side == 0 ? pipes_.a : pipes_.b;
  }

  asio::io_context ctx_{1};
  pipe_pair pipes_;
  run_counters c_;
};

// Asio's windows::stream_handle.
class asio_stream_handle_io : public context_io
{
public:
  asio_stream_handle_io() : a_(ctx_, pipes_.a), b_(ctx_, pipes_.b)
  {
    pipes_.a = pipes_.b = INVALID_HANDLE_VALUE; // owned by the stream handles now
  }

  template <typename Handler>
  void read(int side, void* data, std::size_t size, Handler&& h)
  {
    (side == 0 ? a_ : b_).async_read_some(asio::buffer(data, size), std::forward<Handler>(h));
  }

  template <typename Handler>
  void write(int side, const void* data, std::size_t size, Handler&& h)
  {
    (side == 0 ? a_ : b_).async_write_some(asio::buffer(data, size), std::forward<Handler>(h));
  }

  void shutdown()
  {
    a_.close();
    b_.close();
    ctx_.restart();
    ctx_.run();
  }

private:
  asio::windows::stream_handle a_, b_;
};

// Asio's windows::overlapped_ptr, as its documentation shows it. With
// `skip`, immediate successes are completed with complete() (a post), as
// overlapped_ptr cannot work otherwise in that mode.
class asio_overlapped_ptr_io : public context_io
{
public:
  explicit asio_overlapped_ptr_io(bool skip) : skip_(skip), a_(ctx_, pipes_.a), b_(ctx_, pipes_.b)
  {
    if (skip_)
    {
      set_skip(pipes_.a);
      set_skip(pipes_.b);
    }
    pipes_.a = pipes_.b = INVALID_HANDLE_VALUE;
  }

  template <typename Handler>
  void read(int side, void* data, std::size_t size, Handler&& h)
  {
    start(side, false, data, size, std::forward<Handler>(h));
  }

  template <typename Handler>
  void write(int side, const void* data, std::size_t size, Handler&& h)
  {
    start(side, true, const_cast<void*>(data), size, std::forward<Handler>(h));
  }

  void shutdown()
  {
    a_.close();
    b_.close();
    ctx_.restart();
    ctx_.run();
  }

private:
  template <typename Handler>
  void start(int side, bool is_write, void* data, std::size_t size, Handler&& h)
  {
    HANDLE hd = (side == 0 ? a_ : b_).native_handle();
    asio::windows::overlapped_ptr ptr(ctx_, std::forward<Handler>(h));
    BOOL ok = is_write ? ::WriteFile(hd, data, static_cast<DWORD>(size), nullptr, ptr.get())
                       : ::ReadFile(hd, data, static_cast<DWORD>(size), nullptr, ptr.get());
    DWORD error = ok ? 0 : ::GetLastError();
    if (!ok && error != ERROR_IO_PENDING)
      ptr.complete(error_code(static_cast<int>(error), asio::error::get_system_category()), 0);
    else if (ok && skip_)
      ptr.complete(error_code(), static_cast<std::size_t>(ptr.get()->InternalHigh));
    else
      ptr.release();
  }

  bool skip_;
  asio::windows::stream_handle a_, b_; // only to associate and own the handles
};

// iocpx::windows::async_overlapped with a plain callback.
class iocpx_async_overlapped_io : public context_io
{
public:
  explicit iocpx_async_overlapped_io(bool skip)
    : a_(ix::bind(ctx_, pipes_.a, skip ? ix::bind_options::fast() : ix::bind_options{})),
      b_(ix::bind(ctx_, pipes_.b, skip ? ix::bind_options::fast() : ix::bind_options{}))
  {
  }

  template <typename Handler>
  void read(int side, void* data, std::size_t size, Handler&& h)
  {
    HANDLE hd = handle(side);
    ix::async_overlapped(side == 0 ? a_ : b_,
        [hd, data, size](OVERLAPPED* ov) {
          return ix::win32_result(::ReadFile(hd, data, static_cast<DWORD>(size), nullptr, ov));
        },
        std::forward<Handler>(h));
  }

  template <typename Handler>
  void write(int side, const void* data, std::size_t size, Handler&& h)
  {
    HANDLE hd = handle(side);
    ix::async_overlapped(side == 0 ? a_ : b_,
        [hd, data, size](OVERLAPPED* ov) {
          return ix::win32_result(::WriteFile(hd, data, static_cast<DWORD>(size), nullptr, ov));
        },
        std::forward<Handler>(h));
  }

  void shutdown()
  {
    a_.cancel();
    b_.cancel();
    ctx_.restart();
    ctx_.run();
  }

private:
  ix::binding a_, b_;
};

// ---------------------------------------------------------------------------

struct contender
{
  std::string name;
  std::string key; // stable identifier used by the report's targets
  std::function<sample(int)> ping_pong;
  std::function<sample(std::size_t, std::size_t)> bulk;
};

template <typename Make>
contender make_async_contender(std::string name, std::string key, Make make)
{
  return contender{std::move(name), std::move(key),
      [make](int rounds) {
        auto io = make();
        return async_ping_pong(*io, rounds);
      },
      [make](std::size_t total, std::size_t chunk) {
        auto io = make();
        return async_bulk(*io, total, chunk);
      }};
}

inline std::vector<contender> all_contenders()
{
  std::vector<contender> v;
  v.push_back({"raw GQCS loop", "raw",
      [](int r) { raw_loop l(false); return l.ping_pong(r); },
      [](std::size_t t, std::size_t c) { raw_loop l(false); return l.bulk(t, c); }});
  v.push_back({"raw GQCS loop + skip-on-success inline", "raw_skip",
      [](int r) { raw_loop l(true); return l.ping_pong(r); },
      [](std::size_t t, std::size_t c) { raw_loop l(true); return l.bulk(t, c); }});
  v.push_back(make_async_contender("Asio windows::stream_handle", "asio_stream_handle",
      [] { return std::make_unique<asio_stream_handle_io>(); }));
  v.push_back(make_async_contender("Asio windows::overlapped_ptr", "asio_overlapped_ptr",
      [] { return std::make_unique<asio_overlapped_ptr_io>(false); }));
  v.push_back(make_async_contender("Asio overlapped_ptr + skip, complete()", "asio_overlapped_ptr_skip",
      [] { return std::make_unique<asio_overlapped_ptr_io>(true); }));
  v.push_back(make_async_contender("iocpx async_overlapped", "iocpx_async_overlapped",
      [] { return std::make_unique<iocpx_async_overlapped_io>(false); }));
  v.push_back(make_async_contender("iocpx async_overlapped + skip-on-success", "iocpx_async_overlapped_skip",
      [] { return std::make_unique<iocpx_async_overlapped_io>(true); }));
  return v;
}

} // namespace iocpx_bench

#endif // IOCPX_BENCH_PIPE_CONTENDERS_HPP
