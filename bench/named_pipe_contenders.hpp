// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The iocpx named pipe in pipe_bench: its completion API through the shared
// async workloads, its readiness API as a user's readiness loop would drive
// it, and the memory an idle connection costs.

#ifndef IOCPX_BENCH_NAMED_PIPE_CONTENDERS_HPP
#define IOCPX_BENCH_NAMED_PIPE_CONTENDERS_HPP

#include "pipe_contenders.hpp"

#include <iocpx/error.hpp>
#include <iocpx/event.hpp>
#include <iocpx/poller.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/windows/named_pipe.hpp>

#include <boost/asio/bind_allocator.hpp>

namespace iocpx_bench {

// The completion API: async_read_some / async_write_some.
class named_pipe_io : public context_io
{
public:
  named_pipe_io() : a_(ctx_, pipes_.a), b_(ctx_, pipes_.b)
  {
    pipes_.a = pipes_.b = INVALID_HANDLE_VALUE; // owned by the pipes now
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
  ix::named_pipe a_, b_;
};

// The readiness API, driven as a mio/epoll loop drives a socket: wait for
// readable/writable, then try_read_some / try_write_some until would_block.
class named_pipe_readiness_io : public context_io
{
public:
  // probe_buffer 0: the default zero-byte probe; otherwise a buffered probe
  // of that size (it reads the data itself, so try_read_some needs no
  // system call).
  explicit named_pipe_readiness_io(std::size_t probe_buffer = 0)
    : a_(ctx_, pipes_.a), b_(ctx_, pipes_.b)
  {
    pipes_.a = pipes_.b = INVALID_HANDLE_VALUE;
    if (probe_buffer)
    {
      a_.set_readiness_strategy(ix::readiness_strategy::buffered(probe_buffer));
      b_.set_readiness_strategy(ix::readiness_strategy::buffered(probe_buffer));
    }
    warm_up();
  }

  sample ping_pong(int rounds)
  {
    int done = 0;
    char abuf[1], bbuf[1];
    error_code ec;
    std::function<void()> b_wait, a_wait;
    b_wait = [&] {
      b_.async_wait(iocpx::ready::readable(), [&](error_code wec, iocpx::ready) {
        if (wec || done >= rounds)
          return;
        error_code rec;
        const std::size_t n = b_.try_read_some(asio::buffer(bbuf), rec);
        if (!rec && n == 1)
        {
          ++c_.ops;
          b_.try_write_some(asio::buffer(bbuf, 1), rec);
          if (rec)
            fail("try_write_some (b)", static_cast<DWORD>(rec.value()));
          ++c_.ops;
        }
        else if (rec != iocpx::error::would_block)
          fail("try_read_some (b)", static_cast<DWORD>(rec.value()));
        b_wait();
      });
    };
    a_wait = [&] {
      a_.async_wait(iocpx::ready::readable(), [&](error_code wec, iocpx::ready) {
        if (wec)
          return;
        error_code rec;
        const std::size_t n = a_.try_read_some(asio::buffer(abuf), rec);
        if (!rec && n == 1)
        {
          ++c_.ops;
          if (++done == warm_up_rounds(rounds))
            c_.steady(done);
          if (done >= rounds)
          {
            stop();
            return;
          }
          ping();
        }
        else if (rec != iocpx::error::would_block)
          fail("try_read_some (a)", static_cast<DWORD>(rec.value()));
        a_wait();
      });
    };
    run_until(
        [&] {
          c_.begin();
          b_wait();
          ping();
          a_wait();
        },
        [&] { return done >= rounds; });
    sample s = c_.finish(rounds);
    finish();
    (void)ec;
    return s;
  }

  sample bulk(std::size_t total, std::size_t chunk)
  {
    std::vector<char> out(chunk, 'x');
    std::vector<char> in(65536);
    std::size_t written = 0, read = 0;
    std::function<void()> write_more, read_more;
    write_more = [&] {
      while (written < total)
      {
        error_code ec;
        const std::size_t n = a_.try_write_some(asio::buffer(out.data(), std::min(chunk, total - written)), ec);
        if (ec == iocpx::error::would_block)
        {
          a_.async_wait(iocpx::ready::writable(), [&](error_code wec, iocpx::ready) {
            if (!wec)
              write_more();
          });
          return;
        }
        if (ec)
          fail("try_write_some", static_cast<DWORD>(ec.value()));
        ++c_.ops;
        written += n;
      }
      if (read >= total)
        stop();
    };
    read_more = [&] {
      while (read < total)
      {
        error_code ec;
        const std::size_t n = b_.try_read_some(asio::buffer(in), ec);
        if (ec == iocpx::error::would_block)
        {
          b_.async_wait(iocpx::ready::readable(), [&](error_code wec, iocpx::ready) {
            if (!wec)
              read_more();
          });
          return;
        }
        if (ec)
          fail("try_read_some", static_cast<DWORD>(ec.value()));
        ++c_.ops;
        read += n;
        if (read >= warm_up_bytes(total))
          c_.steady(static_cast<double>(read) / 1e6);
      }
      if (written >= total)
        stop();
    };
    // Done when both sides are: the reader can have every byte before the
    // writer has its last write's result — a write that found the pipe full
    // is held in the system (its bytes reach the reader) and reported by its
    // retry, after a writable wait. (Stopping at the reader's end left that
    // wait to run after finish() had closed the pipe: the retry then failed
    // with bad_descriptor, seen with 9 MiB runs, 2026-11-29.)
    run_until(
        [&] {
          c_.begin();
          read_more();
          write_more();
        },
        [&] { return read >= total && written >= total; });
    sample s = c_.finish(static_cast<double>(total) / 1e6);
    finish();
    return s;
  }

private:
  // One-time setup (the readiness state, its registration and probe, the
  // writer's buffer, the first wait) happens here, outside the measurement:
  // the allocation counts are for the steady state.
  void warm_up()
  {
    for (ix::named_pipe* p : {&a_, &b_})
    {
      (void)p->readiness();
      error_code ec;
      p->try_write_some(asio::buffer("w", 1), ec);
      if (ec)
        fail("warm-up write", static_cast<DWORD>(ec.value()));
    }
    int got = 0;
    for (ix::named_pipe* p : {&a_, &b_})
    {
      p->async_wait(iocpx::ready::readable(), [&, p](error_code wec, iocpx::ready) {
        char byte;
        error_code rec;
        if (!wec && p->try_read_some(asio::buffer(&byte, 1), rec) == 1 && ++got == 2)
          stop();
      });
    }
    run_until([] {}, [&] { return got == 2; });
  }

  void ping()
  {
    error_code ec;
    a_.try_write_some(asio::buffer("p", 1), ec);
    if (ec)
      fail("try_write_some (a)", static_cast<DWORD>(ec.value()));
    ++c_.ops;
  }

  void finish()
  {
    a_.close();
    b_.close();
    ctx_.restart();
    ctx_.run();
  }

  ix::named_pipe a_, b_;
};

inline void add_named_pipe_contenders(std::vector<contender>& v)
{
  v.push_back(make_async_contender("iocpx named_pipe, completion API", "iocpx_named_pipe",
      [] { return std::make_unique<named_pipe_io>(); }));
  auto readiness = [&v](const char* name, const char* key, std::size_t probe_buffer) {
    v.push_back({name, key,
        [probe_buffer](int r) {
          named_pipe_readiness_io io(probe_buffer);
          return io.ping_pong(r);
        },
        [probe_buffer](std::size_t t, std::size_t c) {
          named_pipe_readiness_io io(probe_buffer);
          return io.bulk(t, c);
        }});
  };
  readiness("iocpx named_pipe, readiness API", "iocpx_named_pipe_readiness", 0);
  readiness("iocpx named_pipe, readiness API, 4 KiB probe", "iocpx_named_pipe_readiness_buffered", 4096);
}

// User-space bytes per idle connected pipe: the named_pipe object plus every
// heap byte it allocates, watched for `readable` (the zero-byte probe or the
// buffered read in flight) either by its own pending async_wait or, the
// mio way, by one poller that watches every pipe (its entry counted, its one
// pending async_poll spread over all pipes). Returns 0 if the system refused
// `count` pipes (the caller reports how many it allowed).
struct idle_cost
{
  std::size_t pipes = 0;
  double bytes_per_pipe = 0;
};

enum class idle_watch
{
  own_wait,
  poller
};

// A connected pair of small overlapped byte-mode pipe ends named `name`
// (server first); false if the system refused either end.
inline bool open_idle_pair(const char* name, HANDLE& server, HANDLE& client)
{
  server = ::CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, nullptr);
  if (server == INVALID_HANDLE_VALUE)
    return false;
  client = ::CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  if (client == INVALID_HANDLE_VALUE)
  {
    ::CloseHandle(server);
    return false;
  }
  return true;
}

// Writes once through a pipe of its own, so that this thread's write-buffer
// cache (made by the first write on a thread, then shared by every pipe the
// thread writes to) exists before a measurement counts bytes per pipe. On an
// io_context of its own: what a context makes once stays counted.
inline void warm_write_buffers()
{
  asio::io_context ctx(1);
  char name[96];
  std::snprintf(name, sizeof name, "\\\\.\\pipe\\iocpx-bench-warm-%lu",
      static_cast<unsigned long>(::GetCurrentProcessId()));
  HANDLE s, c;
  if (!open_idle_pair(name, s, c))
    return;
  {
    ix::named_pipe pipe(ctx, s);
    error_code ec;
    pipe.try_write_some(asio::buffer("warm", 4), ec);
    pipe.close();
  }
  ::CloseHandle(c);
  ctx.run();
}

// `written`: each pipe first writes a few bytes through try_write_some (a
// server that has answered its client), so that what its writes leave
// behind is counted too.
inline idle_cost measure_idle(std::size_t count, std::size_t buffer_size,
    idle_watch watch = idle_watch::own_wait, bool written = false)
{
  asio::io_context ctx(1);
  std::vector<HANDLE> clients;
  std::vector<HANDLE> servers;
  clients.reserve(count);
  servers.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
  {
    char name[96];
    std::snprintf(name, sizeof name, "\\\\.\\pipe\\iocpx-bench-idle-%lu-%zu",
        static_cast<unsigned long>(::GetCurrentProcessId()), i);
    HANDLE s, c;
    if (!open_idle_pair(name, s, c))
      break;
    servers.push_back(s);
    clients.push_back(c);
  }
  idle_cost cost;
  if (servers.size() == count)
  {
    // Reserve the vector first so its own growth is not counted.
    std::vector<ix::named_pipe> pipes;
    pipes.reserve(count);
    std::array<iocpx::event, 16> events;
    if (written)
      warm_write_buffers();
    // Live bytes: what the pipes hold while idle (memory freed on the way,
    // such as a table that grew, is not).
    const long long before = live_bytes();
    iocpx::poller poller(ctx); // counted: it is part of watching the pipes
    int waits_done = 0;
    for (HANDLE s : servers)
    {
      pipes.emplace_back(ctx, s);
      if (buffer_size)
        pipes.back().set_readiness_strategy(ix::readiness_strategy{buffer_size});
      if (written)
      {
        error_code ec;
        pipes.back().try_write_some(asio::buffer("hello", 5), ec);
      }
      // The wait's operation is allocated through std::allocator, so the
      // counter sees it (Asio's default recycling allocator gets its memory
      // from aligned_new, which global operator new counting misses).
      if (watch == idle_watch::own_wait)
        pipes.back().async_wait(iocpx::ready::readable(),
            asio::bind_allocator(std::allocator<void>(), [&](error_code, iocpx::ready) { ++waits_done; }));
      else
        poller.add(pipes.back(), pipes.size() - 1, iocpx::ready::readable());
    }
    if (watch == idle_watch::poller)
      poller.async_poll(events,
          asio::bind_allocator(std::allocator<void>(), [&](error_code, std::size_t) { ++waits_done; }));
    ctx.poll();
    const long long heap = live_bytes() - before;
    cost.pipes = count;
    cost.bytes_per_pipe = static_cast<double>(heap) / static_cast<double>(count) + sizeof(ix::named_pipe);
    poller.cancel();
    for (auto& p : pipes)
      p.close();
    ctx.restart();
    ctx.run();
    servers.clear(); // closed by the pipes
  }
  for (HANDLE s : servers)
    ::CloseHandle(s);
  for (HANDLE c : clients)
    ::CloseHandle(c);
  return cost;
}

} // namespace iocpx_bench

#endif // IOCPX_BENCH_NAMED_PIPE_CONTENDERS_HPP
