// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

#ifndef IOCPX_DETAIL_CONFIG_HPP
#define IOCPX_DETAIL_CONFIG_HPP

// Compilation model, as in Asio: header-only unless the user asks for
// separate compilation, in which case exactly one translation unit of the
// program includes <iocpx/src.hpp> (or links the iocpx library built from
// src/iocpx.cpp).
#if defined(IOCPX_SEPARATE_COMPILATION)
#  define IOCPX_DECL
#else
#  define IOCPX_HEADER_ONLY 1
#  define IOCPX_DECL inline
#endif

// Keeps a cold or large function out of a small hot one (whose prologue
// would otherwise save every register the large one uses).
#if defined(_MSC_VER)
#  define IOCPX_NOINLINE __declspec(noinline)
#elif defined(__GNUC__)
#  define IOCPX_NOINLINE __attribute__((noinline))
#else
#  define IOCPX_NOINLINE
#endif

#if defined(_WIN32) || defined(GENERATING_DOCUMENTATION)
#  if defined(_WIN32)
// CancelIoEx, SetFileCompletionNotificationModes and GetQueuedCompletionStatusEx
// need Windows Vista; iocpx is built and tested for Windows 10.
#    if !defined(_WIN32_WINNT)
#      error iocpx: define _WIN32_WINNT (0x0A00 recommended, 0x0600 at least) in your build
#    elif _WIN32_WINNT < 0x0600
#      error iocpx: _WIN32_WINNT must be at least 0x0600 (CancelIoEx)
#    endif
#  endif
#  define IOCPX_HAS_WINDOWS 1
#endif

#include <boost/asio/detail/config.hpp>
#include <boost/version.hpp>

// Boost 1.74 is the oldest Boost iocpx supports (CI builds and tests 1.74
// and 1.81). Per-operation cancellation needs cancellation slots, new in
// Boost 1.77: with an older Boost, operations are cancelled by the object's
// cancel() and close() only (see detail/cancellation.hpp).
#if BOOST_VERSION < 107400
#  error iocpx needs Boost 1.74 or newer; it is tested with Boost 1.74 and 1.81
#endif
#if BOOST_VERSION >= 107700
#  define IOCPX_HAS_CANCELLATION_SLOTS 1
#endif

#if defined(BOOST_ASIO_HAS_CO_AWAIT) && defined(__cpp_impl_coroutine)
#  define IOCPX_HAS_CO_AWAIT 1
#endif

namespace boost { namespace asio {} }

namespace iocpx {
/// iocpx is written against Boost.Asio; this alias keeps signatures short.
namespace asio = ::boost::asio;
} // namespace iocpx

#endif // IOCPX_DETAIL_CONFIG_HPP
