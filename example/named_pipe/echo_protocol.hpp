// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// What the echo clients send: message `i` of client `id` has a size and
// bytes that follow from (id, i), so the demo knows the totals without
// talking to anyone.

#ifndef IOCPX_EXAMPLE_ECHO_PROTOCOL_HPP
#define IOCPX_EXAMPLE_ECHO_PROTOCOL_HPP

#include <cstddef>
#include <string>

inline std::size_t echo_message_size(long id, long i)
{
  return 1 + static_cast<std::size_t>((id * 7919 + i * 104729) % 3000);
}

inline std::string echo_message(long id, long i)
{
  std::string m(echo_message_size(id, i), '\0');
  for (std::size_t k = 0; k < m.size(); ++k)
    m[k] = static_cast<char>('!' + (id * 31 + i * 17 + static_cast<long>(k)) % 90);
  return m;
}

#endif // IOCPX_EXAMPLE_ECHO_PROTOCOL_HPP
