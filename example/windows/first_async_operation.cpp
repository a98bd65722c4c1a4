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

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

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
    asio::mutable_buffer b = *asio::buffer_sequence_begin(buffers);
    HANDLE h = binding_.native_handle();
    return ix::async_overlapped(binding_,
        [h, b](OVERLAPPED* ov) {
          return ix::win32_result(::ReadFile(h, b.data(), static_cast<DWORD>(b.size()), nullptr, ov));
        },
        std::forward<Token>(token));
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token)
  {
    asio::const_buffer b = *asio::buffer_sequence_begin(buffers);
    HANDLE h = binding_.native_handle();
    return ix::async_overlapped(binding_,
        [h, b](OVERLAPPED* ov) {
          return ix::win32_result(::WriteFile(h, b.data(), static_cast<DWORD>(b.size()), nullptr, ov));
        },
        std::forward<Token>(token));
  }

private:
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

  asio::async_write(writer, asio::buffer(out), [](error_code ec, std::size_t n) {
    std::printf("wrote %zu bytes: %s\n", n, ec.message().c_str());
  });
  bool ok = false;
  asio::async_read(reader, asio::buffer(in), [&](error_code ec, std::size_t n) {
    ok = !ec && n == out.size() && in == out;
    std::printf("read %zu bytes: %s, %s\n", n, ec.message().c_str(), ok ? "verified" : "MISMATCH");
  });
  ctx.run();

  ::CloseHandle(client);
  ::CloseHandle(server);
  return ok ? 0 : 1;
}
