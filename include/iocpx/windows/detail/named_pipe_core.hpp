// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_DETAIL_NAMED_PIPE_CORE_HPP
#define IOCPX_WINDOWS_DETAIL_NAMED_PIPE_CORE_HPP

// Internals shared by basic_named_pipe and basic_named_pipe_acceptor. Only
// public iocpx layers (binding, async_overlapped, overlapped, registration)
// and public Asio are used here.

#include <iocpx/detail/config.hpp>
#include <iocpx/detail/io_executor.hpp>
#include <iocpx/error.hpp>
#include <iocpx/ready.hpp>
#include <iocpx/windows/overlapped_result.hpp>
#include <iocpx/windows/detail/asio_iocp.hpp>
#include <iocpx/windows/detail/handle_state.hpp>
#include <iocpx/windows/detail/per_thread.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <iocpx/windows/named_pipe_options.hpp>
#include <iocpx/windows/pipe_name_view.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/version.hpp>
#if BOOST_VERSION >= 108000
#  include <boost/asio/associator.hpp>
#elif defined(IOCPX_HAS_CANCELLATION_SLOTS)
#  include <boost/asio/associated_cancellation_slot.hpp>
#endif
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace iocpx {
namespace windows {
namespace detail {

// ---------------------------------------------------------------------------
// Names.

// The longest pipe name Windows accepts (the whole `\\.\pipe\...` string).
constexpr std::size_t max_pipe_name_length = 256;

// The name in UTF-16, as given or converted from UTF-8; empty, with `ec`
// set, if it is empty, too long, or not well formed (a lone surrogate has
// no UTF-8 form, which an acceptor's name() gives, as ill-formed UTF-8 has
// none in UTF-16).
inline std::wstring utf16_pipe_name(pipe_name_view given, boost::system::error_code& ec)
{
  ec = {};
  if (given.is_utf16())
  {
    const std::wstring_view wide = given.utf16();
    if (wide.empty())
      ec = error::pipe_name_empty;
    else if (wide.size() > max_pipe_name_length)
      ec = error::pipe_name_too_long;
    else if (::WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide.data(),
                 static_cast<int>(wide.size()), nullptr, 0, nullptr, nullptr)
        <= 0)
      ec = error::pipe_name_invalid;
    return ec ? std::wstring() : std::wstring(wide);
  }
  const std::string_view utf8 = given.utf8();
  if (utf8.empty())
  {
    ec = error::pipe_name_empty;
    return {};
  }
  if (utf8.size() > 4 * max_pipe_name_length)
  {
    ec = error::pipe_name_too_long;
    return {};
  }
  const int n = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(),
      static_cast<int>(utf8.size()), nullptr, 0);
  if (n <= 0)
  {
    ec = error::pipe_name_invalid;
    return {};
  }
  std::wstring name(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(),
      static_cast<int>(utf8.size()), &name[0], n);
  if (name.size() > max_pipe_name_length)
  {
    ec = error::pipe_name_too_long;
    return {};
  }
  return name;
}

// The name in UTF-16, then the checks both ends share. A server name must
// be local (`\\.\pipe\x`); a client may also name `\\server\pipe\x`.
inline std::wstring make_pipe_name(pipe_name_view given, bool server,
    boost::system::error_code& ec)
{
  std::wstring name = utf16_pipe_name(given, ec);
  if (ec)
    return name;

  auto lower = [](wchar_t c) { return (c >= L'A' && c <= L'Z') ? wchar_t(c - L'A' + L'a') : c; };
  auto starts_with_ci = [&](std::size_t at, std::wstring_view prefix) {
    if (name.size() < at + prefix.size())
      return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (lower(name[at + i]) != prefix[i])
        return false;
    return true;
  };

  std::size_t rest = 0;
  if (starts_with_ci(0, L"\\\\.\\pipe\\"))
  {
    rest = 9;
  }
  else if (!server && name.size() > 2 && name[0] == L'\\' && name[1] == L'\\')
  {
    const std::size_t slash = name.find(L'\\', 2);
    if (slash == std::wstring::npos || slash == 2 || !starts_with_ci(slash, L"\\pipe\\"))
    {
      ec = error::pipe_name_invalid;
      name.clear();
      return name;
    }
    rest = slash + 6;
  }
  else
  {
    ec = error::pipe_name_invalid;
    name.clear();
    return name;
  }
  // A NUL ends the name for the system: CreateFile / CreateNamedPipe would
  // open or create the pipe named by what comes before it, another pipe.
  if (rest >= name.size() || name.find(L'\0') != std::wstring::npos)
  {
    ec = error::pipe_name_invalid;
    name.clear();
    return name;
  }
  // Win32 normalizes a `\\.\` path before the pipe file system sees it:
  // `/` becomes `\`, and a `..` component climbs out of `pipe\` —
  // `\\.\pipe\..\C:\x` opens a disk file, `\\.\pipe\..\NUL` a device, and
  // `\\.\pipe\a\..\b` names the pipe `b`; and it strips a component's
  // trailing dots and spaces, so that `\\.\pipe\ ` names the pipe file
  // system's root, no pipe. A component made only of dots and spaces is
  // refused wherever it is (also in a `\\?\` name, which Win32 leaves
  // alone: no pipe is worth the distinction).
  for (std::size_t at = rest; at <= name.size();)
  {
    std::size_t end = name.find_first_of(L"\\/", at);
    if (end == std::wstring::npos)
      end = name.size();
    const std::wstring_view part(name.data() + at, end - at);
    if (!part.empty() && part.find_first_not_of(L". ") == std::wstring_view::npos)
    {
      ec = error::pipe_name_invalid;
      name.clear();
      return name;
    }
    at = end + 1;
  }
  ec = {};
  return name;
}

// A name back in UTF-8 (for an acceptor's name(); make_pipe_name() took
// well-formed UTF-16 only).
inline std::string utf8_of(std::wstring_view wide)
{
  std::string utf8;
  if (wide.empty())
    return utf8;
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()),
      nullptr, 0, nullptr, nullptr);
  if (n <= 0)
    return utf8;
  utf8.resize(static_cast<std::size_t>(n));
  ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), &utf8[0], n,
      nullptr, nullptr);
  return utf8;
}

// ---------------------------------------------------------------------------
// Connection generations.
//
// The handle's state carries a generation (handle_state::generation), bumped
// whenever the connection the handle carries ends (disconnect, close,
// release) or a new one starts. An operation remembers the generation it
// started in; a completion from an older generation reaches its handler as
// operation_aborted, and a readiness probe from an older generation changes
// no readiness — so a reconnected server instance never sees a completion of
// its previous client. Kept in the handle's state rather than in a block of
// its own: one allocation less per pipe.

// The generation an operation started in. Holds a reference to the handle's
// state, so the check still works after the pipe is closed or destroyed.
class started_generation
{
public:
  explicit started_generation(handle_state* state) noexcept
    : state_(state), value_(state->generation.load(std::memory_order_acquire))
  {
    state_->add_ref();
  }

  started_generation(started_generation&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), value_(other.value_)
  {
  }

  started_generation& operator=(started_generation&&) = delete;

  ~started_generation()
  {
    reset();
  }

  bool is_current() const noexcept
  {
    return state_->generation.load(std::memory_order_acquire) == value_;
  }

  void reset() noexcept
  {
    if (state_)
      std::exchange(state_, nullptr)->release();
  }

private:
  handle_state* state_;
  unsigned long value_;
};

// ---------------------------------------------------------------------------
// Synchronous calls.

// A manual-reset event for one synchronous pipe call at a time on this
// thread (try_read_some, read_some, write_some): the call passes it with the
// low bit set, so no packet reaches the port, and waits on it only when the
// call itself must wait. One per thread instead of one per pipe: 10,000 idle
// pipes do not hold 10,000 events. Null if the system refused to make one.
struct thread_io_event_holder
{
  HANDLE h = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  thread_io_event_holder() = default;
  thread_io_event_holder(const thread_io_event_holder&) = delete;
  thread_io_event_holder& operator=(const thread_io_event_holder&) = delete;
  ~thread_io_event_holder()
  {
    if (h)
      ::CloseHandle(h);
  }
};

inline HANDLE thread_io_event() noexcept
{
  thread_io_event_holder* event = per_thread<thread_io_event_holder>::get();
  return event ? event->h : nullptr;
}

// ---------------------------------------------------------------------------
// Buffers: the first non-empty buffer of a sequence, as Asio's Windows
// handles do (an overlapped ReadFile/WriteFile takes one buffer).

template <typename Buffer, typename Buffers>
Buffer first_buffer(const Buffers& buffers) noexcept
{
  auto it = asio::buffer_sequence_begin(buffers);
  const auto end = asio::buffer_sequence_end(buffers);
  for (; it != end; ++it)
  {
    Buffer b(*it);
    if (b.size() != 0)
      return b;
  }
  return Buffer();
}

inline DWORD clamp_dword(std::size_t n) noexcept
{
  return n > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<DWORD>(n);
}

// ---------------------------------------------------------------------------
// Error mapping of pipe reads and writes.

inline boost::system::error_code map_read_error(const boost::system::error_code& ec) noexcept
{
  if (ec.category() == boost::system::system_category())
  {
    switch (ec.value())
    {
    case ERROR_BROKEN_PIPE:        // the writer closed: everything was read
    case ERROR_PIPE_NOT_CONNECTED: // the server disconnected this client
    case ERROR_NO_DATA:
      return asio::error::eof;
    case ERROR_PIPE_LISTENING:     // a server end with no client yet
      return asio::error::not_connected;
    default:
      break;
    }
  }
  return ec;
}

inline boost::system::error_code map_write_error(const boost::system::error_code& ec) noexcept
{
  if (ec.category() == boost::system::system_category())
  {
    switch (ec.value())
    {
    case ERROR_BROKEN_PIPE:
    case ERROR_PIPE_NOT_CONNECTED:
    case ERROR_NO_DATA: // "the pipe is being closed"
      return asio::error::broken_pipe;
    case ERROR_PIPE_LISTENING:
      return asio::error::not_connected;
    default:
      break;
    }
  }
  return ec;
}

// Whether a client has opened this server end's instance (and it was not
// disconnected since). PeekNamedPipe asks without changing anything (a
// ConnectNamedPipe would start listening): on an instance that listens,
// fresh or after DisconnectNamedPipe, it fails with ERROR_BAD_PIPE (the
// pipe driver's "invalid pipe state"; seen under Wine 8); the errors a
// read gets there, ERROR_PIPE_LISTENING and ERROR_PIPE_NOT_CONNECTED, are
// taken the same way. Once a connected client has closed its end it fails
// with ERROR_BROKEN_PIPE: a connection still, whose reads see eof.
// Anything else is taken as connected, so that the reads report it.
inline bool server_end_has_client(HANDLE h) noexcept
{
  DWORD available = 0;
  if (::PeekNamedPipe(h, nullptr, 0, nullptr, &available, nullptr))
    return true;
  switch (::GetLastError())
  {
  case ERROR_BAD_PIPE:
  case ERROR_PIPE_LISTENING:
  case ERROR_PIPE_NOT_CONNECTED:
    return false;
  default:
    return true;
  }
}

inline boost::system::error_code last_error() noexcept
{
  return boost::system::error_code(static_cast<int>(::GetLastError()),
      boost::system::system_category());
}

// ---------------------------------------------------------------------------
// A handler wrapper: runs `Finish` on the result before the user's handler,
// and keeps the user's associated executor (defaulting to the I/O object's
// executor, not the io_context's), allocator and cancellation slot. `Finish`
// is called as finish(handler, results...).

template <typename Handler, typename IoExecutor, typename Finish>
class pipe_handler
{
public:
  using executor_type = asio::associated_executor_t<Handler, IoExecutor>;

  template <typename H>
  pipe_handler(H&& handler, const IoExecutor& io_ex, Finish finish)
    : handler_(std::forward<H>(handler)), io_ex_(io_ex), finish_(std::move(finish))
  {
  }

  executor_type get_executor() const noexcept
  {
    return asio::get_associated_executor(handler_, io_ex_);
  }

  template <typename... Args>
  void operator()(Args&&... args)
  {
    finish_(handler_, std::forward<Args>(args)...);
  }

  Handler handler_;
  IoExecutor io_ex_;
  Finish finish_;
};

// The finish step of reads and writes: generation check and error mapping.
struct io_finish
{
  started_generation started;
  bool is_read;

  template <typename Handler>
  void operator()(Handler& handler, boost::system::error_code ec, std::size_t n)
  {
    if (!started.is_current())
      ec = asio::error::operation_aborted;
    else if (ec)
      ec = is_read ? map_read_error(ec) : map_write_error(ec);
    started.reset();
    std::move(handler)(ec, n);
  }
};

// The finish step of the socket-style async_wait: the readiness wait's
// result without its `ready`.
struct drop_readiness
{
  template <typename Handler>
  void operator()(Handler& handler, const boost::system::error_code& ec, ready)
  {
    std::move(handler)(ec);
  }
};

} // namespace detail
} // namespace windows
} // namespace iocpx

namespace boost {
namespace asio {

// Allocator and cancellation slot come from the user's handler (the
// executor is handled by pipe_handler's own executor_type).
#if BOOST_VERSION >= 108000

template <template <typename, typename> class Associator, typename Handler,
    typename IoExecutor, typename Finish, typename DefaultCandidate>
struct associator<Associator,
    iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>, DefaultCandidate>
  : Associator<Handler, DefaultCandidate>
{
  static typename Associator<Handler, DefaultCandidate>::type get(
      const iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>& h) noexcept
  {
    return Associator<Handler, DefaultCandidate>::get(h.handler_);
  }

  static auto get(const iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>& h,
      const DefaultCandidate& c) noexcept -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler_, c))
  {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};

#else // Boost before 1.80 has no associator: one trait at a time.

template <typename Handler, typename IoExecutor, typename Finish, typename Allocator>
struct associated_allocator<iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>,
    Allocator>
{
  using type = typename associated_allocator<Handler, Allocator>::type;

  static type get(const iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>& h,
      const Allocator& a = Allocator()) noexcept
  {
    return associated_allocator<Handler, Allocator>::get(h.handler_, a);
  }
};

#  if defined(IOCPX_HAS_CANCELLATION_SLOTS)
template <typename Handler, typename IoExecutor, typename Finish, typename Slot>
struct associated_cancellation_slot<
    iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>, Slot>
{
  using type = typename associated_cancellation_slot<Handler, Slot>::type;

  static type get(const iocpx::windows::detail::pipe_handler<Handler, IoExecutor, Finish>& h,
      const Slot& s = Slot()) noexcept
  {
    return associated_cancellation_slot<Handler, Slot>::get(h.handler_, s);
  }
};
#  endif

#endif

} // namespace asio
} // namespace boost

#endif // IOCPX_WINDOWS_DETAIL_NAMED_PIPE_CORE_HPP
