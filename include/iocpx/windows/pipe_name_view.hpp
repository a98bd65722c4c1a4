// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_WINDOWS_PIPE_NAME_VIEW_HPP
#define IOCPX_WINDOWS_PIPE_NAME_VIEW_HPP

#include <iocpx/detail/config.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace iocpx {
namespace windows {

/// The name a named pipe function is given (`\\.\pipe\NAME`), in either of
/// the two forms Windows programs hold names in: UTF-8 — anything that
/// converts to `std::string_view`, such as `"..."` or a `std::string` — or
/// UTF-16 — anything that converts to `std::wstring_view`, such as `L"..."`
/// or the `std::wstring` a program passes to `CreateNamedPipeW`.
///
/// Refers to the caller's characters, like a string view; the functions
/// that take one copy what they keep (`async_connect` included).
class pipe_name_view
{
public:
  /// A UTF-8 name. (Implicit, as the string views it stands for are.)
  template <typename String,
      typename std::enable_if<std::is_convertible<const String&, std::string_view>::value,
          int>::type = 0>
  pipe_name_view(const String& utf8) noexcept
    : utf8_(utf8)
  {
  }

  /// A UTF-16 name.
  template <typename String,
      typename std::enable_if<std::is_convertible<const String&, std::wstring_view>::value,
          int>::type = 0>
  pipe_name_view(const String& utf16) noexcept
    : utf16_(utf16), wide_(true)
  {
  }

  /// A UTF-8 name of `size` chars at `data` (`{data, size}`, as for a
  /// string view).
  pipe_name_view(const char* data, std::size_t size) noexcept
    : utf8_(data, size)
  {
  }

  /// A UTF-16 name of `size` characters at `data`.
  pipe_name_view(const wchar_t* data, std::size_t size) noexcept
    : utf16_(data, size), wide_(true)
  {
  }

  /// Whether the name was given as UTF-16.
  bool is_utf16() const noexcept
  {
    return wide_;
  }

  /// The UTF-8 name (empty if it was given as UTF-16).
  std::string_view utf8() const noexcept
  {
    return utf8_;
  }

  /// The UTF-16 name (empty if it was given as UTF-8).
  std::wstring_view utf16() const noexcept
  {
    return utf16_;
  }

private:
  std::string_view utf8_;
  std::wstring_view utf16_;
  bool wide_ = false;
};

} // namespace windows
} // namespace iocpx

#endif // IOCPX_WINDOWS_PIPE_NAME_VIEW_HPP
