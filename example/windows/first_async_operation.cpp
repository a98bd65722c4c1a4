// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// Your first asynchronous operation with iocpx::windows::async_overlapped.
//
// Asio has no type for a raw pipe HANDLE you got from somewhere else (a
// third-party library, CreateNamedPipe, a device). Binding it and wrapping
// ReadFile/WriteFile in async_overlapped is enough to make a stream that
// asio::async_read / async_write (and therefore Beast) accept — with every
// completion token, per-operation cancellation, and no allocation per
// operation.

#include <iocpx/windows.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace asio = boost::asio;
namespace ix = iocpx::windows;
using boost::system::error_code;

//[first_async_operation_stream
// A minimal AsyncReadStream + AsyncWriteStream over a HANDLE opened with
// FILE_FLAG_OVERLAPPED. It owns nothing but the binding.
class handle_stream
{
public:
  using executor_type = ix::binding::executor_type;

  handle_stream(asio::io_context& ctx, HANDLE h)
    : binding_(ix::bind(ctx, h, ix::bind_options::fast())) // skip the port on success
  {
  }

  executor_type get_executor() const noexcept
  {
    return binding_.get_executor();
  }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token)
  {
    return start(first_non_empty<asio::mutable_buffer>(buffers), std::forward<Token>(token),
        [](HANDLE h, asio::mutable_buffer b, OVERLAPPED* ov) {
          return ix::win32_result(::ReadFile(h, b.data(), dword_size(b), nullptr, ov));
        });
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token)
  {
    return start(first_non_empty<asio::const_buffer>(buffers), std::forward<Token>(token),
        [](HANDLE h, asio::const_buffer b, OVERLAPPED* ov) {
          return ix::win32_result(::WriteFile(h, b.data(), dword_size(b), nullptr, ov));
        });
  }

private:
  // What Asio's own streams do, and asio::async_read / async_write count on:
  // one call moves (part of) the first non-empty buffer of the sequence —
  // async_write passes {empty, rest} once a first buffer is done, and a
  // zero-byte write would end it early — and a request for no bytes
  // completes at once with 0 (a zero-byte ReadFile would instead wait for
  // data: it is the readiness probe of pipe_watcher.cpp).
  template <typename Buffer, typename Buffers>
  static Buffer first_non_empty(const Buffers& buffers)
  {
    for (auto i = asio::buffer_sequence_begin(buffers); i != asio::buffer_sequence_end(buffers); ++i)
      if (Buffer b(*i); b.size() != 0)
        return b;
    return Buffer();
  }

  template <typename Buffer>
  static DWORD dword_size(const Buffer& b) // a call moves less than 4 GiB
  {
    return static_cast<DWORD>(std::min<std::size_t>(b.size(), MAXDWORD));
  }

  template <typename Buffer, typename Token, typename Call>
  auto start(Buffer b, Token&& token, Call call)
  {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this, b, call](auto handler) {
          if (b.size() == 0)
          {
            auto ex = asio::get_associated_executor(handler, get_executor());
            asio::post(ex, [h = std::move(handler)]() mutable { h(error_code(), 0); });
            return;
          }
          HANDLE h = binding_.native_handle();
          ix::async_overlapped(binding_, [h, b, call](OVERLAPPED* ov) { return call(h, b, ov); },
              std::move(handler));
        },
        token);
  }

  ix::binding binding_;
};
//]

int main()
{
  // A connected pipe pair, as any Win32 code would make it. (The process
  // id in the name: two copies of this program may run at once.)
  const std::string name = "\\\\.\\pipe\\iocpx-example-first-async-operation-"
      + std::to_string(::GetCurrentProcessId());
  HANDLE server = ::CreateNamedPipeA(name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, nullptr);
  HANDLE client = ::CreateFileA(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
      OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  if (server == INVALID_HANDLE_VALUE || client == INVALID_HANDLE_VALUE)
  {
    std::fprintf(stderr, "cannot create the pipe pair: %lu\n", ::GetLastError());
    return 1;
  }

  asio::io_context ctx;
  handle_stream writer(ctx, client);
  handle_stream reader(ctx, server);

  // 64 KiB through a 4 KiB pipe: async_write and async_read loop over
  // async_write_some / async_read_some until everything has moved.
  std::string out(64 * 1024, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>('a' + i % 26);
  std::string in(out.size(), '\0');

  // A read of no bytes completes at once: run() returns without any data.
  bool nothing_read = false;
  reader.async_read_some(asio::mutable_buffer(), [&](error_code ec, std::size_t n) {
    nothing_read = !ec && n == 0;
  });
  ctx.run();
  ctx.restart();

  // Written as two buffers (a header and a body, say): async_write moves the
  // first, then the rest, without a gap in the stream.
  const std::array<asio::const_buffer, 2> pieces{
      asio::buffer(out.data(), 100), asio::buffer(out.data() + 100, out.size() - 100)};
  asio::async_write(writer, pieces, [](error_code ec, std::size_t n) {
    std::printf("wrote %zu bytes: %s\n", n, ec.message().c_str());
  });
  bool ok = false;
  asio::async_read(reader, asio::buffer(in), [&](error_code ec, std::size_t n) {
    ok = !ec && n == out.size() && in == out;
    std::printf("read %zu bytes: %s, %s\n", n, ec.message().c_str(), ok ? "verified" : "MISMATCH");
  });
  ctx.run();
  ok = ok && nothing_read;

  ::CloseHandle(client);
  ::CloseHandle(server);
  return ok ? 0 : 1;
}
