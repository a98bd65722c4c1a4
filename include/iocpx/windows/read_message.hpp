// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_READ_MESSAGE_HPP
#define IOCPX_WINDOWS_READ_MESSAGE_HPP

// Reading one whole message of a message-mode pipe into a dynamic buffer.
// `asio::read` and `asio::async_read` stop at the first short read of a
// message (ERROR_MORE_DATA is an error to them), so without this a caller
// loops over read_some itself.

#include <iocpx/detail/config.hpp>

#if defined(IOCPX_HAS_WINDOWS)

#include <iocpx/detail/cancellation.hpp>
#include <iocpx/error.hpp>
#include <iocpx/windows/basic_named_pipe.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/overlapped_result.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

// The first read of a message asks for this much (or the room left, if
// less): a message that fits takes one read. A longer one takes, after
// that read, one PeekNamedPipe for the size of its rest and one read more.
constexpr std::size_t first_message_read = 4096;

// How much of the current message is still in the pipe, after a read that
// returned ERROR_MORE_DATA; `fallback` if the system does not say.
inline std::size_t message_left(HANDLE h, std::size_t fallback) noexcept
{
  DWORD left = 0;
  if (::PeekNamedPipe(h, nullptr, 0, nullptr, nullptr, &left) && left != 0)
    return left;
  return fallback;
}

// A dynamic buffer seen through one interface: prepare `n` bytes at the
// end, read into them, keep the `got` bytes read. DynamicBuffer_v2 (what
// `asio::dynamic_buffer` makes) is used as v2, as Asio's own read
// functions do; a buffer that is only v1 (`asio::streambuf`, Beast's
// buffers) through prepare/commit.
template <typename DynamicBuffer, typename = void>
class message_buffer
{
public:
  explicit message_buffer(DynamicBuffer& b) noexcept : b_(b) {}

  std::size_t room() const noexcept
  {
    return b_.max_size() - b_.size();
  }

  auto prepare(std::size_t n)
  {
    return b_.prepare(n);
  }

  void commit(std::size_t /*prepared*/, std::size_t got)
  {
    b_.commit(got);
  }

private:
  DynamicBuffer& b_;
};

template <typename DynamicBuffer>
class message_buffer<DynamicBuffer,
    std::enable_if_t<asio::is_dynamic_buffer_v2<DynamicBuffer>::value>>
{
public:
  explicit message_buffer(DynamicBuffer& b) noexcept : b_(b) {}

  std::size_t room() const noexcept
  {
    return b_.max_size() - b_.size();
  }

  auto prepare(std::size_t n)
  {
    const std::size_t at = b_.size();
    b_.grow(n);
    return b_.data(at, n);
  }

  void commit(std::size_t prepared, std::size_t got)
  {
    b_.shrink(prepared - got);
  }

private:
  DynamicBuffer& b_;
};

template <typename DynamicBuffer>
constexpr bool is_message_dynamic_buffer = asio::is_dynamic_buffer_v1<DynamicBuffer>::value
    || asio::is_dynamic_buffer_v2<DynamicBuffer>::value;

// Why a read of a message cannot start, before any read: a connected
// byte-mode end has no messages. (Unconnected and closed pipes are
// reported by the read itself.)
template <typename Pipe>
boost::system::error_code message_read_refused(const Pipe& pipe) noexcept
{
  if (pipe.is_connected() && pipe.mode() != pipe_mode::message)
    return asio::error::operation_not_supported;
  return {};
}

// After a read of `got` bytes that ended with `ec`: whether the message
// goes on, and if so how much to ask for next (0: no room left).
struct message_step
{
  std::size_t want = first_message_read;

  template <typename Handle>
  bool more(const boost::system::error_code& ec, Handle h, std::size_t room) noexcept
  {
    if (!is_more_data(ec))
      return false;
    want = std::min(room, message_left(h, want * 2));
    return true;
  }
};

// How the operation holds the caller's buffer: a v2 buffer (a view) by
// value, as Asio does; a v1-only buffer given as an lvalue (asio::streambuf,
// Beast's flat_buffer) by reference — a copy would receive the message.
template <typename DynamicBuffer>
using message_buffer_storage = std::conditional_t<std::is_lvalue_reference<DynamicBuffer>::value
        && !asio::is_dynamic_buffer_v2<std::decay_t<DynamicBuffer>>::value,
    DynamicBuffer, std::decay_t<DynamicBuffer>>;

template <typename Pipe, typename Storage>
class read_message_op
{
public:
  template <typename DynamicBuffer>
  read_message_op(Pipe& pipe, DynamicBuffer&& buffer)
    : pipe_(pipe), buffer_(std::forward<DynamicBuffer>(buffer))
  {
  }

  template <typename Self>
  void operator()(Self& self, boost::system::error_code ec = {}, std::size_t got = 0)
  {
    message_buffer<std::remove_reference_t<Storage>> b(buffer_);
    switch (state_)
    {
    case starting:
      refusal_ = message_read_refused(pipe_);
      step_.want = std::min(step_.want, b.room());
      if (!refusal_ && step_.want == 0)
        refusal_ = asio::error::message_size;
      if (refusal_)
      {
        // Never inside the initiating call: the operation itself is
        // posted, so the handler's executor and allocator apply (a lambda
        // around it would have neither).
        state_ = refused;
        return asio::post(pipe_.get_executor(), std::move(self));
      }
      break;
    case reading:
      b.commit(prepared_, got);
      total_ += got;
      if (!step_.more(ec, pipe_.native_handle(), b.room()))
        return self.complete(ec, total_);
      if (step_.want == 0)
        return self.complete(asio::error::message_size, total_);
#if defined(IOCPX_HAS_CANCELLATION_SLOTS)
      // Cancelled while no read was in flight (between two reads of one
      // message): nothing would see it, so ask before the next read.
      if (iocpx::detail::cancellation_requested(self))
        return self.complete(asio::error::operation_aborted, total_);
#endif
      break;
    default: // refused
      return self.complete(refusal_, 0);
    }
    state_ = reading;
    prepared_ = step_.want;
    pipe_.async_read_some(b.prepare(prepared_), std::move(self));
  }

private:
  enum state_type { starting, reading, refused };

  Pipe& pipe_;
  Storage buffer_;
  message_step step_;
  std::size_t prepared_ = 0;
  std::size_t total_ = 0;
  boost::system::error_code refusal_;
  state_type state_ = starting;
};

// read_message()'s loop, on the caller's (v1) buffer or on a copy of a v2
// view.
template <typename Pipe, typename DynamicBuffer>
std::size_t read_message_into(Pipe& pipe, DynamicBuffer& buffer, boost::system::error_code& ec)
{
  message_buffer<DynamicBuffer> b(buffer);
  if ((ec = message_read_refused(pipe)))
    return 0;
  message_step step;
  std::size_t total = 0;
  for (step.want = std::min(step.want, b.room()); step.want != 0;)
  {
    const std::size_t prepared = step.want;
    const std::size_t got = pipe.read_some(b.prepare(prepared), ec);
    b.commit(prepared, got);
    total += got;
    if (!step.more(ec, pipe.native_handle(), b.room()))
      return total;
  }
  ec = asio::error::message_size;
  return total;
}

} // namespace detail

/// Reads one whole message of a message-mode pipe and appends it to
/// `buffer` (a DynamicBuffer, v1 or v2: `asio::dynamic_buffer(str)`,
/// `asio::streambuf`, ...). Returns the message's size: 0 for an empty
/// message.
///
/// A message that fits in 4 KiB takes one read; a longer one a second read
/// sized by `PeekNamedPipe` for its rest. If the message is longer than
/// `buffer.max_size() - buffer.size()`, the bytes that fit are appended and
/// the call fails with `asio::error::message_size`; the rest of that
/// message stays in the pipe, for the next read. A buffer with no room at
/// all (`size() == max_size()`) fails with `asio::error::message_size`
/// before reading anything, whatever the next message's size — an empty
/// message too stays in the pipe.
///
/// Errors: those of `read_some` (`asio::error::eof` once the peer closed
/// and every message was read, ...), `asio::error::operation_not_supported`
/// on a connected end in byte mode (see `basic_named_pipe::mode()`).
///
/// These are the completion API's reads: on a pipe whose readiness API
/// reads too, the rules of mixing the two apply (doc/completion_vs_readiness.md):
/// once the readiness machinery runs, its probe takes zero-length messages
/// (a read then waits for the next message), and a buffered probe may hold
/// the start of a message that these reads do not see.
template <typename Executor, typename DynamicBuffer,
    typename std::enable_if<
        detail::is_message_dynamic_buffer<std::decay_t<DynamicBuffer>>, int>::type = 0>
std::size_t read_message(basic_named_pipe<Executor>& pipe, DynamicBuffer&& buffer,
    boost::system::error_code& ec)
{
  using buffer_type = std::decay_t<DynamicBuffer>;
  if constexpr (asio::is_dynamic_buffer_v2<buffer_type>::value)
  {
    // A view: used through a copy, as Asio's read functions take it (so a
    // const view works too).
    buffer_type view(buffer);
    return detail::read_message_into(pipe, view, ec);
  }
  else
    return detail::read_message_into(pipe, buffer, ec);
}

/// Throwing form of read_message().
template <typename Executor, typename DynamicBuffer,
    typename std::enable_if<
        detail::is_message_dynamic_buffer<std::decay_t<DynamicBuffer>>, int>::type = 0>
std::size_t read_message(basic_named_pipe<Executor>& pipe, DynamicBuffer&& buffer)
{
  boost::system::error_code ec;
  const std::size_t n = read_message(pipe, std::forward<DynamicBuffer>(buffer), ec);
  iocpx::detail::throw_if(ec, "iocpx::windows::read_message");
  return n;
}

/// Reads one whole message of a message-mode pipe into `buffer`, as
/// read_message() does, through `async_read_some`.
///
/// A DynamicBuffer_v2 such as `asio::dynamic_buffer(str)` is a view: the
/// operation keeps a copy of it, and `str` must outlive the operation. A
/// buffer that is only v1 (`asio::streambuf`, Beast's `flat_buffer`) given
/// as an lvalue is used in place, and must outlive the operation (an
/// rvalue is moved into the operation, so it must be a view itself).
///
/// @par Completion Signature
/// @code void(boost::system::error_code, std::size_t) @endcode
/// The size of the message (or of the part that fit, with
/// `asio::error::message_size`). Errors as for read_message(). The
/// handler is never invoked from inside this function.
///
/// @par Per-Operation Cancellation (Boost 1.77 and newer)
/// `terminal`: the read in flight is cancelled and the operation ends with
/// `asio::error::operation_aborted`; the part of the message read so far
/// stays in the buffer, the rest in the pipe. (Like Asio's composed
/// operations, it lets only terminal cancellation through.)
template <typename Executor, typename DynamicBuffer,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::size_t))
        ReadToken = asio::default_completion_token_t<Executor>,
    typename std::enable_if<
        detail::is_message_dynamic_buffer<std::decay_t<DynamicBuffer>>, int>::type = 0>
auto async_read_message(basic_named_pipe<Executor>& pipe, DynamicBuffer&& buffer,
    ReadToken&& token = asio::default_completion_token_t<Executor>())
{
  return asio::async_compose<ReadToken, void(boost::system::error_code, std::size_t)>(
      detail::read_message_op<basic_named_pipe<Executor>,
          detail::message_buffer_storage<DynamicBuffer>>(pipe, std::forward<DynamicBuffer>(buffer)),
      token, pipe);
}

} // namespace windows
} // namespace iocpx

#endif // defined(IOCPX_HAS_WINDOWS)

#endif // IOCPX_WINDOWS_READ_MESSAGE_HPP
