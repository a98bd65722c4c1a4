// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_NAMED_PIPE_READINESS_HPP
#define IOCPX_WINDOWS_DETAIL_NAMED_PIPE_READINESS_HPP

// Readiness over completion for one pipe end, built from public layers (with
// two internal shortcuts that save memory per pipe): an `overlapped` read
// probe (zero bytes by default) and an `overlapped` writer whose callbacks
// change the readiness — a registration's core, held directly rather than
// through a registration object and a setter (a registration is made only
// if someone asks for one). Created on the pipe's first readiness use, so
// the completion API never pays for it. It lives on the heap, so moving the pipe
// does not move what the callbacks refer to. A buffer the kernel may still
// fill is owned by the callback of the overlapped that uses it (it lives in
// the overlapped's state), so it outlives an abandoned operation until its
// packet is dequeued.
//
// Not a template on the pipe's executor: only the registration object made
// on demand has the executor's type, and it is kept behind a type-erased
// holder. So a pipe moved into a pipe of another executor type keeps this
// state whole — a held write, its buffer and its OVERLAPPED in flight, the
// readiness, waits and a poller's entry — instead of dropping it (the held
// write's outcome would be lost, and its retry would write the bytes twice).
//
// Threads: the probe's and the writer's completions run on whichever thread
// dequeues their packet, while the pipe's calls run on the user's. A slim
// lock serializes the two (uncontended on an io_context that one thread
// runs: two interlocked operations per call), and the callbacks hold a
// counted reference, so a pipe may be closed on one thread while a
// completion runs on another. The pipe's own calls follow Asio's rule for
// I/O objects: one at a time (a strand, or one thread). What runs under the
// lock is short but may block briefly: PeekNamedPipe, a read that is
// cancelled and waited for when someone else took the data first, and the
// re-bind of a new connection (the registry's lock). A completion that
// arrives meanwhile waits for it. A wait that a change made under the lock
// completes, and whose handler cannot be posted (no memory), is destroyed
// only after the lock is released (see `locked`): that handler may hold the
// last reference to its pipe (a session's shared_ptr, the usual Asio
// pattern), whose close() takes the lock again; close() itself ends the
// registration after unlocking.
//
// Port traffic: every operation is started with start_or_complete, so a
// probe or a write that completes at once (skip-on-success) is handled right
// here, with no packet and no callback. Only a probe that really waits for
// data, and a write the pipe could not take at once, come back through the
// port.

#include <iocpx/detail/config.hpp>
#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/registration.hpp>
#include <iocpx/windows/binding.hpp>
#include <iocpx/windows/detail/named_pipe_core.hpp>
#include <iocpx/windows/detail/per_thread.hpp>
#include <iocpx/detail/refused_ops.hpp>
#include <iocpx/detail/slim_mutex.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/overlapped.hpp>
#include <iocpx/windows/overlapped_result.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstring>
#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

// Default size of the writer's buffer: in byte mode one try_write_some
// writes at most this many bytes (a message is written whole).
constexpr std::size_t readiness_write_chunk = 16 * 1024;

// The buffer of one readiness write: the bytes are copied there, because a
// write the pipe cannot take at once keeps them in the system.
struct write_buffer
{
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
};

// A few write buffers per thread, reused by every pipe's writes on that
// thread: a write that completes at once (the usual case) gives its buffer
// back before the call returns, so an idle pipe holds no write buffer, and
// steady writing allocates nothing. Buffers of readiness_write_chunk bytes
// are kept; a larger one (a long message) is freed.
//
// A held write gives its buffer back on the thread of its retry, which is
// another one when several threads run the io_context (a strand's handlers
// run on any of them): the writing thread's cache would run dry and the
// retrying thread's overflow, one allocation per held write for good. So a
// buffer that finds its thread's cache full goes to a small pool shared by
// all threads, which a thread whose cache is empty takes from first. Only
// a cache that is empty or full takes that pool's lock: on one thread it
// is never touched.
class write_buffers
{
public:
  static write_buffer take(std::size_t n)
  {
    if (n <= readiness_write_chunk)
    {
      cache* c = per_thread<cache>::get();
      if (c && c->count > 0)
        return std::move(c->slots[--c->count]);
      write_buffer b = shared().take();
      if (b.data)
        return b;
      n = readiness_write_chunk;
    }
    return write_buffer{std::unique_ptr<char[]>(new char[n]), n};
  }

  static void give_back(write_buffer&& b) noexcept
  {
    if (!b.data)
      return;
    if (b.capacity != readiness_write_chunk)
    {
      b = write_buffer();
      return;
    }
    cache* c = per_thread<cache>::get();
    if (c && c->count < cache::size)
      c->slots[c->count++] = std::move(b);
    else
      shared().give_back(std::move(b)); // frees it if that is full too
  }

private:
  struct cache
  {
    static constexpr std::size_t size = 4;
    write_buffer slots[size];
    std::size_t count = 0;
  };

  struct shared_pool
  {
    static constexpr std::size_t size = 16;
    iocpx::detail::slim_mutex mutex;
    write_buffer slots[size];
    std::size_t count = 0;

    write_buffer take() noexcept
    {
      std::lock_guard<iocpx::detail::slim_mutex> lock(mutex);
      return count > 0 ? std::move(slots[--count]) : write_buffer();
    }

    void give_back(write_buffer&& b) noexcept
    {
      {
        std::lock_guard<iocpx::detail::slim_mutex> lock(mutex);
        if (count < size)
        {
          slots[count++] = std::move(b);
          return;
        }
      }
      b = write_buffer(); // freed outside the lock
    }
  };

  // Never destroyed (made in static storage): pipes may still write while
  // statics are destroyed at exit (a static io_context's), and what it
  // holds then is at most size * readiness_write_chunk bytes.
  static shared_pool& shared() noexcept
  {
    alignas(shared_pool) static unsigned char storage[sizeof(shared_pool)];
    static shared_pool* const pool = ::new (static_cast<void*>(storage)) shared_pool();
    return *pool;
  }
};

// Declared for tests, which define it to look inside (basic_named_pipe
// befriends it too); the library never defines it.
template <typename Pipe>
struct named_pipe_access;

class named_pipe_readiness
{
  template <typename Pipe>
  friend struct named_pipe_access;

  // A counted reference, held by the overlappeds' callbacks: a completion
  // running on one thread while the pipe closes on another still finds the
  // state (closed) rather than freed memory.
  class state_ref
  {
  public:
    explicit state_ref(named_pipe_readiness* p) noexcept : p_(p)
    {
      p_->refs_.fetch_add(1, std::memory_order_relaxed);
    }
    state_ref(state_ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    state_ref& operator=(state_ref&&) = delete;
    ~state_ref()
    {
      if (p_)
        p_->release();
    }
    named_pipe_readiness* operator->() const noexcept { return p_; }

  private:
    named_pipe_readiness* p_;
  };

public:
  using core_type = iocpx::detail::readiness_core;

  // `ex` only finds the execution context's readiness service.
  template <typename Executor>
  named_pipe_readiness(const Executor& ex, readiness_strategy strategy)
    : core_(new core_type(&iocpx::detail::readiness_service_for(ex))),
      buffer_size_(clamp_dword(strategy.buffer_size)),
      active_(false),
      buffered_more_(false),
      data_known_(false),
      probe_busy_(false),
      writer_busy_(false),
      closed_(false)
  {
    try
    {
      make_probe();
    }
    catch (...)
    {
      core_->close(); // our reference: frees the core
      throw;
    }
  }

  named_pipe_readiness(const named_pipe_readiness&) = delete;
  named_pipe_readiness& operator=(const named_pipe_readiness&) = delete;

  void release() noexcept
  {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

  // What the owning pipe holds: closes the state, then gives up the pipe's
  // reference (the callbacks of operations in flight hold the others).
  struct closer
  {
    void operator()(named_pipe_readiness* state) const noexcept
    {
      state->close();
      state->release();
    }
  };

  // Done with the pipe: may run while a completion runs on another thread,
  // which then finds the state closed (it holds a reference, so the memory
  // stays until it returns).
  void close() noexcept
  {
    std::unique_ptr<registration_holder> registration;
    {
      locked lock(mutex_);
      closed_ = true;
      // Cancel first; the callbacks are never called again and the buffers
      // stay alive with them until the kernel is done.
      writer_ = overlapped();
      probe_ = overlapped();
      registration = std::move(registration_);
    }
    // As a registration's destruction: waits end with operation_aborted, a
    // poller forgets the pipe, our reference goes. Outside the lock: a wait
    // whose handler cannot be posted (no memory) is destroyed right there,
    // and its destructor is the user's code, which must not run under our
    // lock (a probe or write completion of this pipe on another thread
    // would wait for it). Nothing needs the lock any more: closed_ keeps
    // every completion that comes now away from the readiness.
    registration.reset();
    core_->close();
  }

  // The readiness itself: what the pipe's async_wait, cancel and a poller
  // use. No registration object (and no second executor copy) is needed
  // for them.
  core_type* core() const noexcept
  {
    return core_;
  }

  // A registration over the same readiness, made when someone asks for one
  // (`readiness_registration()`); it stays until this state is destroyed or
  // passes to a pipe of another executor type. Its type is always that of
  // the executor of the pipe that owns this state (see forget_registration).
  template <typename Executor>
  basic_registration<Executor>& registration(const Executor& ex)
  {
    locked lock(mutex_);
    // The memory first, then the registration (in the holder's noexcept
    // constructor): a registration destroyed because its holder could not
    // be allocated would close this pipe's readiness — and destroy the
    // handlers of its waits under this lock.
    if (!registration_)
      registration_.reset(new typed_registration<Executor>(ex, core_));
    return static_cast<typed_registration<Executor>&>(*registration_).registration;
  }

  // This state passes from a pipe whose executor type is `Executor` to a
  // pipe of another executor type: the registration object made for the
  // old pipe (of the old type) goes, *without* closing the readiness — it
  // only gives up its reference. Waits, a poller's entry and the probe and
  // writer in flight stay; the new pipe makes a registration of its own
  // type when asked. Never throws.
  template <typename Executor>
  void forget_registration() noexcept
  {
    locked lock(mutex_);
    if (!registration_)
      return;
    iocpx::detail::registration_access::forget(
        static_cast<typed_registration<Executor>&>(*registration_).registration);
    registration_.reset();
  }

  ready readiness() const noexcept
  {
    return ready::from_bits(core_->readiness_bits());
  }

  // Bytes a buffered probe took out of the pipe that no read has taken yet
  // (0 with the zero-byte probe). Changes nothing, so a plain lock: no
  // wait can complete under it.
  std::size_t buffered_bytes() const noexcept
  {
    std::lock_guard<iocpx::detail::slim_mutex> guard(mutex_);
    return buffered_len_ - buffered_pos_;
  }

  // Whether this state holds bytes of the stream that the handle alone
  // would lose (basic_named_pipe::release): bytes a buffered probe read
  // ahead, or a write held after would_block whose retry has not taken
  // its outcome (given up, its bytes may have gone or not: a retry through
  // the handle could write them twice).
  //
  // A buffered probe in flight may have read bytes already that its
  // callback has not seen (the packet not yet dequeued, or a loop thread
  // waiting for this lock with it), or read some in the instant before a
  // cancel: it is cancelled here, and the kernel's verdict waited for. If
  // it took bytes, they count (the release is refused; its packet brings
  // them to the readiness as any probe's). If it ended without, the
  // release may go ahead; refused for other bytes, the cancelled probe's
  // callback arms a new one. Under the lock throughout, so no callback
  // re-arms the probe meanwhile. A plain lock (no wait completes here).
  bool holds_stream_bytes() noexcept
  {
    std::lock_guard<iocpx::detail::slim_mutex> guard(mutex_);
    if (buffered_pos_ < buffered_len_ || held_ != 0)
      return true;
    if (buffer_size_ == 0 || !probe_busy_)
      return false;
    // The status block: the kernel's status in `Internal` until it
    // completes the request (Asio's loop puts its own mark there when it
    // dequeues the packet), the bytes in `InternalHigh`.
    OVERLAPPED* ov = probe_.native_overlapped();
    const auto status = [ov] { return *static_cast<volatile ULONG_PTR*>(&ov->Internal); };
    probe_.cancel();
    // A cancelled request completes at once on Windows; Wine completes it
    // in a system APC, which a sleeping thread runs. Bounded: a driver
    // that ignores cancellation must not hang release().
    for (int i = 0; status() == status_pending && i < 2000; ++i)
      ::Sleep(i < 16 ? 0 : 1);
    if (status() == status_pending)
      return true; // unknown: keep the handle rather than lose bytes
    return *static_cast<volatile ULONG_PTR*>(&ov->InternalHigh) != 0;
  }

  // A connection is established (or this state was created on an already
  // connected pipe): writable at once, readable when the probe says so.
  void start(binding& b, unsigned long generation)
  {
    locked lock(mutex_);
    // A binding of our own to the same handle: the callbacks re-arm
    // through it, and it does not move with the pipe. A share of the
    // pipe's, not a bind() of its handle again: that goes through the
    // handle registry of the module (DLL) that runs this, which need not
    // be the one that bound the handle (see binding::share_for_iocpx).
    own_.share_for_iocpx(b);
    generation_ = generation;
    active_ = true;
    buffered_pos_ = buffered_len_ = 0;
    buffered_more_ = false;
    data_known_ = false;
    held_ = held_error_ = 0;
    set(ready::writable());
    if (!own_.is_bound())
      add(ready::error());
    else
      arm();
  }

  // The connection ended (disconnect, close): nothing in flight may change
  // readiness any more.
  void stop(unsigned long new_generation)
  {
    locked lock(mutex_);
    generation_ = new_generation;
    active_ = false;
    probe_.cancel();
    writer_.cancel();
    buffered_pos_ = buffered_len_ = 0;
    data_known_ = false;
    held_ = held_error_ = 0;
    set(ready::none());
  }

  std::size_t try_read_some(asio::mutable_buffer buffer, pipe_mode mode,
      boost::system::error_code& ec)
  {
    // Nothing to read into (Asio's convention): bytes a buffered probe
    // holds stay for the next read, and a message is not cut.
    if (buffer.size() == 0)
    {
      ec = {};
      return 0;
    }
    locked lock(mutex_);
    if (buffered_pos_ < buffered_len_)
    {
      const std::size_t n = std::min<std::size_t>(buffer.size(), buffered_len_ - buffered_pos_);
      std::memcpy(buffer.data(), read_data_ + buffered_pos_, n);
      buffered_pos_ += static_cast<DWORD>(n);
      ec = {};
      if (buffered_pos_ < buffered_len_ || buffered_more_)
      {
        if (buffered_pos_ == buffered_len_)
          buffered_more_ = false;
        if (mode == pipe_mode::message)
          ec = boost::system::error_code(ERROR_MORE_DATA, boost::system::system_category());
      }
      else
      {
        // Everything the probe brought was taken: look for more at once.
        rearm_after_read();
      }
      return n;
    }

    // Not readable while the probe waits: the pipe was empty when the probe
    // started and its completion has not been seen yet. would_block with no
    // system call; readiness is already cleared and the probe armed.
    const ready now = readiness();
    if (!now.is_readable() && !now.is_hangup() && probe_busy_)
    {
      ec = error::would_block;
      return 0;
    }

    HANDLE h = own_.native_handle();
    DWORD size = clamp_dword(buffer.size());
    const bool data_known = data_known_;
    data_known_ = false;
    if (!data_known)
    {
      DWORD available = 0;
      DWORD message_left = 0;
      if (!::PeekNamedPipe(h, nullptr, 0, nullptr, &available, &message_left))
      {
        const boost::system::error_code peek_ec = last_error();
        ec = map_read_error(peek_ec);
        if (ec == asio::error::eof)
          add(ready::readable() | ready::hangup());
        return 0;
      }
      if (available == 0 && !(mode == pipe_mode::message && message_left == 0 && has_zero_message(h)))
        return report_empty(ec);
      if (mode == pipe_mode::byte)
        size = std::min<DWORD>(size, available);
    }

    // Data is there (the probe or PeekNamedPipe said so), so the read
    // completes at once. Its event has the low bit set: no packet reaches the
    // port (the OVERLAPPED is not iocpx's).
    bool empty = false;
    const std::size_t n = try_sync_read(h, buffer.data(), size, empty, ec);
    if (empty)
      return report_empty(ec);
    if (!ec)
      rearm_after_read(); // the read may have emptied the pipe
    else if (is_more_data(ec))
      data_known_ = true; // the rest of the message waits
    else if (ec == asio::error::eof)
      add(ready::readable() | ready::hangup());
    return n;
  }

  // Exact writes: a byte count is returned only for bytes the system has
  // finished writing, and a failure only by the call whose bytes failed. A
  // write the pipe cannot finish at once (it is full) stays in the system
  // with its bytes, and the call reports would_block; the caller retries
  // the same bytes when `writable` returns, and that retry reports the held
  // write's outcome (bytes or error) without writing them again.
  std::size_t try_write_some(asio::const_buffer buffer, pipe_mode mode,
      boost::system::error_code& ec)
  {
    // Nothing to write (Asio's convention): not the retry of a held write,
    // whose outcome stays for the call that passes its bytes again.
    if (buffer.size() == 0)
    {
      ec = {};
      return 0;
    }
    locked lock(mutex_);
    if (writer_busy_)
    {
      // Its completion has not been seen yet (it takes the lock after us):
      // that sets `writable` again.
      clear(ready::writable());
      ec = error::would_block;
      return 0;
    }
    if (held_)
      return finish_held_write(buffer, mode, ec);

    // A message is written whole; a byte stream in chunks of the writer's
    // buffer.
    const std::size_t n = mode == pipe_mode::message
        ? buffer.size()
        : std::min(buffer.size(), readiness_write_chunk);
    if (n > 0x7fffffff)
    {
      ec = asio::error::message_size;
      return 0;
    }
    if (!writer_.valid())
      make_writer();
    // A write left by an ended connection is done with its buffer now.
    write_buffers::give_back(std::move(writer_slot_->buffer));
    write_buffer scratch = write_buffers::take(n);
    std::memcpy(scratch.data.get(), buffer.data(), n);

    HANDLE h = own_.native_handle();
    char* data = scratch.data.get();
    DWORD code = ERROR_SUCCESS;
    immediate_result done;
    write_generation_ = generation_;
    if (writer_.start_or_complete(own_,
            [&](OVERLAPPED* ov) {
              code = win32_result(::WriteFile(h, data, static_cast<DWORD>(n), nullptr, ov));
              return code;
            },
            done, ec))
    {
      // Finished now, with no packet and no callback: the writer is free
      // again and `writable` stays set.
      write_buffers::give_back(std::move(scratch));
      if (done.ec)
      {
        ec = map_write_error(done.ec);
        return 0;
      }
      return done.bytes;
    }
    if (ec)
    {
      write_buffers::give_back(std::move(scratch));
      return 0;
    }
    writer_busy_ = true; // until on_write has seen its completion
    if (code == ERROR_IO_PENDING)
    {
      // The system holds the bytes until the reader makes room; their
      // outcome belongs to the retry of this call, which compares them:
      // the buffer stays with the write (its callback owns it, so it also
      // outlives an abandoned write) until then.
      writer_slot_->buffer = std::move(scratch);
      held_ = static_cast<DWORD>(n);
      held_error_ = 0;
      clear(ready::writable()); // on_write, which takes the lock after us, sets it again
      ec = error::would_block;
      return 0;
    }
    // It finished at once on a handle that does not skip the port: written
    // (the system is done with the bytes); the writer is busy until its
    // packet has been dequeued.
    write_buffers::give_back(std::move(scratch));
    return n;
  }

  // A blocking read or write that never reaches the port (for the
  // synchronous read_some/write_some).
  static std::size_t sync_pipe_io(HANDLE h, const void* data, DWORD size, bool is_read,
      boost::system::error_code& ec)
  {
    OVERLAPPED ov{};
    if (!prepare_sync_call(ov, ec))
      return 0;
    BOOL ok = is_read ? ::ReadFile(h, const_cast<void*>(data), size, nullptr, &ov)
                      : ::WriteFile(h, data, size, nullptr, &ov);
    const bool started = ok || ::GetLastError() == ERROR_IO_PENDING
        || ::GetLastError() == ERROR_MORE_DATA;
    return finish_sync_call(h, ov, started, TRUE, is_read, ec);
  }

private:
  // The retry of a write that reported would_block, once that write has
  // left the system: its outcome, if the caller passes the same bytes.
  std::size_t finish_held_write(asio::const_buffer buffer, pipe_mode mode,
      boost::system::error_code& ec)
  {
    const DWORD n = std::exchange(held_, 0);
    const DWORD failure = std::exchange(held_error_, 0);
    // The held write has left the system: its buffer goes back to this
    // thread's cache once the retry has been compared with it.
    write_buffer held = std::move(writer_slot_->buffer);
    struct give_back_on_exit
    {
      write_buffer& buffer;
      ~give_back_on_exit() { write_buffers::give_back(std::move(buffer)); }
    } give_back{held};
    if (failure)
    {
      ec = map_write_error(
          boost::system::error_code(static_cast<int>(failure), boost::system::system_category()));
      return 0;
    }
    // A byte stream may retry with more bytes after the held ones; a
    // message must be the same message.
    const bool same_size = mode == pipe_mode::message ? buffer.size() == n : buffer.size() >= n;
    if (!same_size || std::memcmp(buffer.data(), held.data.get(), n) != 0)
    {
      ec = error::write_retry_mismatch; // the held bytes were written all the same
      return 0;
    }
    ec = {};
    return n;
  }

  // The registration object, whatever the executor type of its pipe.
  struct registration_holder
  {
    virtual ~registration_holder() = default;
  };

  template <typename Executor>
  struct typed_registration final : registration_holder
  {
    typed_registration(const Executor& ex, core_type* core) noexcept
      : registration(iocpx::detail::registration_access::share(ex, core))
    {
    }
    basic_registration<Executor> registration;
  };

  // The writer's callback. It owns the buffer of a write held in the
  // system (none otherwise), so that buffer lives as long as the writer's
  // state: past an abandoned write, until the kernel is done with it.
  struct write_callback
  {
    state_ref self;
    write_buffer buffer;

    void operator()(const boost::system::error_code& ec, std::size_t)
    {
      self->on_write(ec);
    }
  };

  // The probe, with its callback (and the buffer of the buffered strategy).
  void make_probe()
  {
    if (buffer_size_)
    {
      // The probe's buffer belongs to the probe's callback: it is freed with
      // the overlapped's state, after the kernel is done with it.
      std::unique_ptr<char[]> buffer(new char[buffer_size_]);
      read_data_ = buffer.get();
      probe_ = overlapped([self = state_ref(this), keep = std::move(buffer)](
                              const boost::system::error_code& ec, std::size_t n) {
        self->on_probe(ec, n);
      });
    }
    else
    {
      probe_ = overlapped([self = state_ref(this)](const boost::system::error_code& ec,
                              std::size_t n) { self->on_probe(ec, n); });
    }
  }

  // The writer is made by the first write (a pipe that is only read from
  // never holds one). Its buffers come from the thread's cache and go back
  // to it as soon as the system is done with them: a pipe holds a write
  // buffer only while a write of its own is held in the system.
  void make_writer()
  {
    writer_ = overlapped(write_callback{state_ref(this), write_buffer()});
    writer_slot_ = &writer_.callback_for_iocpx<write_callback>();
  }

  // PeekNamedPipe cannot tell "empty" from "a zero-length message waits";
  // message mode treats both as empty. It hardly matters: the probe is a
  // read and takes a zero-length message whole as soon as it arrives, so
  // with readiness running no read ever sees one (documented in
  // doc/completion_vs_readiness.md; pinned by the Wine tests).
  static bool has_zero_message(HANDLE) noexcept
  {
    return false;
  }

  // A read that must not wait: one ReadFile with an event (low bit set, so
  // no packet). If it goes pending after all (someone else took the data),
  // it is cancelled: `empty` then says nothing was read.
  std::size_t try_sync_read(HANDLE h, void* data, DWORD size, bool& empty,
      boost::system::error_code& ec)
  {
    OVERLAPPED ov{};
    if (!prepare_sync_call(ov, ec))
      return 0;
    const BOOL ok = ::ReadFile(h, data, size, nullptr, &ov);
    if (!ok && ::GetLastError() == ERROR_IO_PENDING)
    {
      ::CancelIoEx(h, &ov);
      const std::size_t n = finish_sync_call(h, ov, true, TRUE, true, ec);
      if (ec.category() == boost::system::system_category() && ec.value() == ERROR_OPERATION_ABORTED)
      {
        empty = true; // the cancel took: nothing was read
        ec = {};
        return 0;
      }
      return n; // it completed before the cancel took
    }
    return finish_sync_call(h, ov, ok || ::GetLastError() == ERROR_MORE_DATA, FALSE, true, ec);
  }

  // The OVERLAPPED of a synchronous call: this thread's event with the low
  // bit set, so that no packet reaches the port. No ResetEvent: ReadFile
  // and WriteFile reset it when they start (documented; Wine does the same).
  static bool prepare_sync_call(OVERLAPPED& ov, boost::system::error_code& ec) noexcept
  {
    HANDLE event = thread_io_event();
    if (!event)
    {
      ec = boost::system::error_code(ERROR_NOT_ENOUGH_MEMORY, boost::system::system_category());
      return false;
    }
    ov.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event) | 1);
    return true;
  }

  // The outcome of a synchronous call that `started` (succeeded, went
  // pending, or returned a partial message): the byte count; for a message
  // longer than the buffer the bytes read and ERROR_MORE_DATA; otherwise
  // the mapped error and 0.
  static std::size_t finish_sync_call(HANDLE h, OVERLAPPED& ov, bool started, BOOL wait,
      bool is_read, boost::system::error_code& ec)
  {
    DWORD done = 0;
    if (started && ::GetOverlappedResult(h, &ov, &done, wait))
    {
      ec = {};
      return done;
    }
    const boost::system::error_code raw = last_error();
    if (is_more_data(raw))
    {
      ec = raw;
      return done;
    }
    ec = is_read ? map_read_error(raw) : map_write_error(raw);
    return 0;
  }

  // Nothing to read: eof after a hangup, otherwise would_block — readable
  // is cleared, then the probe re-armed, in that order, so data that
  // arrives in between is seen by the new probe (or by the one in flight).
  std::size_t report_empty(boost::system::error_code& ec)
  {
    if (readiness().is_hangup())
    {
      ec = asio::error::eof;
      return 0;
    }
    ec = error::would_block;
    clear(ready::readable());
    arm();
    return 0;
  }

  // After a read that may have emptied the pipe: start the probe again at
  // once. If it completes at once there is more (readable stays set, with
  // no packet); if it waits, the pipe is empty and `readable` is cleared,
  // so a level-triggered wait does not wake for nothing and the next
  // try_read_some reports would_block without a system call. (On a handle
  // without skip-on-success a zero-byte probe that found data at once
  // still has its packet to come, which sets `readable` again when it
  // arrives, also if reads emptied the pipe meanwhile: one wake-up for
  // nothing then, whose try_read_some reports would_block and re-arms.)
  void rearm_after_read()
  {
    if (probe_busy_ || !active_)
      return;
    bool data_there = false;
    if (start_probe(&data_there) && probe_busy_ && !(data_there && buffer_size_ == 0))
      clear(ready::readable()); // on_probe, which takes the lock after us, sets it again
    // (A zero-byte probe on a handle that does not skip the port on success
    // found data at once, its packet still to come: the data is in the pipe,
    // and try_read_some may take it meanwhile. A buffered probe's data is
    // in its buffer, which only its completion hands over.)
  }

  void arm()
  {
    if (probe_busy_ || !active_)
      return;
    start_probe();
  }

  // Starts the probe; a result that is there at once is applied here (no
  // packet, no callback). Returns false if it could not start. If
  // `data_there` is given, it tells whether the call found data at once
  // (with or without a packet to come).
  bool start_probe(bool* data_there = nullptr)
  {
    probe_generation_ = generation_;
    HANDLE h = own_.native_handle();
    char* data = read_data_;
    const DWORD size = buffer_size_;
    boost::system::error_code ec;
    immediate_result done;
    const auto read = [h, data, size, data_there](OVERLAPPED* ov) {
      const DWORD result = win32_result(::ReadFile(h, data, size, nullptr, ov));
      if (data_there)
        *data_there = result == ERROR_SUCCESS || result == ERROR_MORE_DATA;
      return result;
    };
    bool at_once = probe_.start_or_complete(own_, read, done, ec);
    // A cancel() during the call (the pipe's, which takes no lock here)
    // turns a result that was there at once — the peer's close, say — into
    // operation_aborted. As for a probe cancelled while it waited
    // (on_probe), keep watching: once more, which reports what the pipe has
    // (before 2026-11-29 the abort was taken for an error, and `error`
    // stayed set for the connection).
    if (at_once && done.ec == asio::error::operation_aborted)
      at_once = probe_.start_or_complete(own_, read, done, ec);
    if (at_once)
    {
      probe_result(done.ec, done.bytes);
      return true;
    }
    if (ec)
    {
      add(ready::error());
      return false;
    }
    probe_busy_ = true; // until on_probe has seen its completion
    return true;
  }

  // On an io_context thread, each time the probe completes through the port.
  void on_probe(const boost::system::error_code& ec, std::size_t n)
  {
    locked lock(mutex_);
    probe_busy_ = false;
    if (closed_)
      return;
    if (probe_generation_ != generation_)
    {
      // A probe of a previous connection: it changes nothing, but the
      // current connection (if any) needs its own probe.
      arm();
      return;
    }
    if (ec == asio::error::operation_aborted)
    {
      // Cancelled with the pipe's other operations (basic_named_pipe::
      // cancel) while the connection goes on: keep watching.
      arm();
      return;
    }
    probe_result(ec, n);
  }

  void probe_result(const boost::system::error_code& ec, std::size_t n)
  {
    if (!ec || is_more_data(ec))
    {
      if (buffer_size_)
      {
        buffered_pos_ = 0;
        buffered_len_ = static_cast<DWORD>(n); // at most the buffer's size
        buffered_more_ = is_more_data(ec);
      }
      else
        data_known_ = true;
      add(ready::readable());
    }
    else if (map_read_error(ec) == asio::error::eof)
      add(ready::readable() | ready::hangup()); // read the rest, then eof
    else
      add(ready::readable() | ready::error());
  }

  void on_write(const boost::system::error_code& ec)
  {
    locked lock(mutex_);
    writer_busy_ = false;
    if (closed_)
      return;
    if (write_generation_ != generation_)
    {
      if (active_)
        add(ready::writable());
      return;
    }
    if (ec == asio::error::operation_aborted && !active_)
      return;
    if (ec && held_)
    {
      // Kept as the Win32 code (4 bytes instead of an error_code): every
      // failure of an overlapped WriteFile is one. The retry reports it.
      held_error_ = ec.category() == boost::system::system_category() && ec.value() != 0
          ? static_cast<DWORD>(ec.value())
          : static_cast<DWORD>(ERROR_GEN_FAILURE);
      // A write cancelled by cancel() is no fault of the pipe: its retry
      // reports operation_aborted, but `error` (which would stay set for
      // the rest of the connection) is not set.
      add(ec == asio::error::operation_aborted ? ready::writable()
                                               : ready::writable() | ready::error());
      return;
    }
    add(ready::writable());
  }

  using update_kind = core_type::update_kind;

  // The setter side, on our own reference (the core outlives every call).
  //
  // Never throws. These changes are the pipe's own, made inside its calls
  // and completions: if a satisfied wait's executor refuses its handler
  // (cannot allocate), that handler is dropped, as a close drops it, and
  // the other waits are still handed on (readiness_core::update). Letting
  // the exception out would lose more: the bytes a try_read_some has
  // already taken, the rest of a reconnection (writable, the probe), an
  // accept's handler.
  void change(update_kind kind, ready r) noexcept
  {
    ready::bits_type previous = 0;
    try
    {
      core_->update(kind, r.bits(), previous);
    }
    catch (...)
    {
    }
  }
  void set(ready r) noexcept { change(update_kind::set, r); }
  void add(ready r) noexcept { change(update_kind::add, r); }
  void clear(ready r) noexcept { change(update_kind::clear, r); }

  ~named_pipe_readiness() = default; // by release(), after close()

  // The lock, with a refused_ops_scope around it: a wait that a readiness
  // change made under the lock completes, and whose handler cannot be
  // posted (no memory), is destroyed after the lock is released. Its
  // handler may hold the last reference to this pipe, whose close() takes
  // the lock again.
  struct locked
  {
    explicit locked(iocpx::detail::slim_mutex& m) : guard(m) {}
    iocpx::detail::refused_ops_scope refused; // (destroyed after the guard)
    std::lock_guard<iocpx::detail::slim_mutex> guard;
  };

  // Kept small: one of these per pipe that uses readiness, idle or not.
  mutable iocpx::detail::slim_mutex mutex_; // the state below, between calls and completions
  core_type* core_; // one reference, given up by close()
  std::unique_ptr<registration_holder> registration_; // on demand
  char* read_data_ = nullptr;  // owned by probe_'s callback (buffered strategy)
  write_callback* writer_slot_ = nullptr; // writer_'s callback (made by the first write)
  binding own_;
  overlapped probe_;
  overlapped writer_;
  std::atomic<long> refs_{1}; // the pipe's, and one per overlapped's callback
  DWORD buffer_size_;
  DWORD held_ = 0;       // bytes of a write that reported would_block
  DWORD held_error_ = 0; // its failure (Win32 code), for its retry
  DWORD buffered_pos_ = 0;
  DWORD buffered_len_ = 0;
  unsigned long generation_ = 0;
  unsigned long probe_generation_ = 0;
  unsigned long write_generation_ = 0;
  // Bits, all guarded by the lock (they share a byte): 8 bytes less per
  // pipe. (C++17 has no default initializers for bit-fields: see the
  // constructor.)
  bool active_ : 1;
  bool buffered_more_ : 1;
  bool data_known_ : 1; // the probe saw data that no read has taken yet
  // Set from the start of an operation that completes through the port
  // until its callback has run: the overlapped's own in_flight() turns
  // false before the callback runs (on another thread, perhaps), and
  // starting the probe again in between would let the kernel fill its
  // buffer while the callback still reads the previous result.
  bool probe_busy_ : 1;
  bool writer_busy_ : 1;
  bool closed_ : 1;
};

} // namespace detail
} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_DETAIL_NAMED_PIPE_READINESS_HPP
