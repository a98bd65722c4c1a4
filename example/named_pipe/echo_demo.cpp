// SPDX-License-Identifier: BSL-1.0
//
// Copyright (c) 2026 The iocpx authors
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

// The README's demo: the named pipe echo server and its clients as separate
// processes. Starts echo_server.exe and N echo_client.exe (from the folder
// this program is in), waits for all of them, checks their exit codes and
// prints one summary line.
//
//   echo_demo [clients] [messages-per-client]     (default 8 and 50)

#include "echo_protocol.hpp"

#include <boost/asio/detail/socket_types.hpp> // windows.h, as iocpx includes it

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::string program_folder()
{
  char path[MAX_PATH];
  const DWORD n = ::GetModuleFileNameA(nullptr, path, MAX_PATH);
  std::string s(path, n);
  const std::size_t slash = s.find_last_of("\\/");
  return slash == std::string::npos ? std::string() : s.substr(0, slash + 1);
}

HANDLE start(const std::string& command)
{
  // A few attempts: under Wine, CreateProcess has been seen to fail once
  // with ERROR_INTERNAL_ERROR (1359) while other processes were starting,
  // and to succeed when called again.
  for (int attempt = 1;; ++attempt)
  {
    std::string line = command; // (CreateProcessA may write into it)
    STARTUPINFOA si{};
    si.cb = sizeof(si);
    PROCESS_INFORMATION pi{};
    if (::CreateProcessA(nullptr, &line[0], nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si, &pi))
    {
      ::CloseHandle(pi.hThread);
      return pi.hProcess;
    }
    const DWORD error = ::GetLastError();
    std::fprintf(stderr, "echo_demo: cannot start %s (error %lu)%s\n", command.c_str(), error,
        attempt < 3 ? ", trying again" : "");
    if (attempt == 3)
      return nullptr;
    ::Sleep(200);
  }
}

DWORD finish(HANDLE process)
{
  DWORD code = 1;
  if (::WaitForSingleObject(process, 60000) != WAIT_OBJECT_0)
  {
    ::TerminateProcess(process, 3);
    ::WaitForSingleObject(process, 5000);
  }
  ::GetExitCodeProcess(process, &code);
  ::CloseHandle(process);
  return code;
}

} // namespace

int main(int argc, char** argv)
{
  const long clients = argc > 1 ? std::atol(argv[1]) : 8;
  const long messages = argc > 2 ? std::atol(argv[2]) : 50;
  const std::string folder = program_folder();
  const std::string name =
      "\\\\.\\pipe\\iocpx-echo-demo-" + std::to_string(::GetCurrentProcessId());
  const auto began = std::chrono::steady_clock::now();

  HANDLE server = start("\"" + folder + "echo_server.exe\" " + name + " " + std::to_string(clients));
  if (!server)
    return 1;
  std::vector<HANDLE> client_processes;
  for (long id = 0; id < clients; ++id)
    if (HANDLE h = start("\"" + folder + "echo_client.exe\" " + name + " " + std::to_string(id)
            + " " + std::to_string(messages)))
      client_processes.push_back(h);

  long clients_ok = 0;
  for (HANDLE h : client_processes)
    clients_ok += finish(h) == 0;
  const DWORD server_code = finish(server);

  unsigned long long bytes = 0;
  for (long id = 0; id < clients; ++id)
    for (long i = 0; i < messages; ++i)
      bytes += echo_message_size(id, i);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const bool ok = server_code == 0 && clients_ok == clients;
  std::printf("echo demo: 1 server + %ld client processes, %ld messages each, %llu bytes echoed "
              "and verified by %ld/%ld clients, server exit %lu, %.1f s: %s\n",
      clients, messages, bytes, clients_ok, clients, server_code, seconds, ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
