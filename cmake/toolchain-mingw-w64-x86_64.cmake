# SPDX-License-Identifier: BSL-1.0
#
# Cross-compiling iocpx for 64-bit Windows with Debian's MinGW-w64
# (package g++-mingw-w64-x86-64-posix: the posix threads model, which
# std::thread and std::mutex need), running what it builds under Wine.
#
#   cmake -S . -B build/mingw -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64-x86_64.cmake
#   tools/with-wine ctest --test-dir build/mingw      # every test under Wine
#
# or simply `cmake --preset mingw` (CMakePresets.json).

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 10.0)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(IOCPX_MINGW_TRIPLE x86_64-w64-mingw32 CACHE STRING "MinGW-w64 target triple")
set(_iocpx_triple ${IOCPX_MINGW_TRIPLE})

set(CMAKE_C_COMPILER   ${_iocpx_triple}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_iocpx_triple}-g++-posix)
set(CMAKE_RC_COMPILER  ${_iocpx_triple}-windres)
set(CMAKE_AR           ${_iocpx_triple}-gcc-ar-posix CACHE FILEPATH "archiver")
set(CMAKE_RANLIB       ${_iocpx_triple}-gcc-ranlib-posix CACHE FILEPATH "ranlib")

# Look for programs on the build host, for headers, libraries and packages
# only in the MinGW sysroot: never pick up Linux headers from /usr/include.
set(CMAKE_FIND_ROOT_PATH /usr/${_iocpx_triple})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Wine cannot find MinGW's runtime DLLs (libstdc++-6, libgcc_s_seh-1,
# libwinpthread-1): link every executable fully static.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")

# The linker: "bfd" (GNU ld, the one the compiler was built with; the
# default) or "lld" (LLVM's, package lld). GNU ld 2.40 needs about 25 s for
# each Debug test program (Boost.Test and Asio make some 17,000 COMDAT
# sections), lld a fraction of a second: the CMake presets choose lld. gcc
# reaches lld through the collect2 script in mingw-lld/ (see there); lld
# cannot load gcc's LTO plugin, so keep bfd for -flto builds. Read when the
# build folder is first configured (it sets the *_LINKER_FLAGS defaults).
set(IOCPX_MINGW_LINKER bfd CACHE STRING "linker for the MinGW-w64 build: bfd (GNU ld) or lld")
set_property(CACHE IOCPX_MINGW_LINKER PROPERTY STRINGS bfd lld)
if(IOCPX_MINGW_LINKER STREQUAL "lld")
  find_program(IOCPX_LD_LLD ld.lld)
  if(NOT IOCPX_LD_LLD)
    message(FATAL_ERROR "iocpx: IOCPX_MINGW_LINKER=lld but ld.lld is not installed "
                        "(Debian package lld; tools/bootstrap installs it)")
  endif()
  # Quoted for the shell that runs the link: the folder may contain spaces.
  set(_iocpx_lld_flag "-B\"${CMAKE_CURRENT_LIST_DIR}/mingw-lld/\"")
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " ${_iocpx_lld_flag}")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT " ${_iocpx_lld_flag}")
  string(APPEND CMAKE_MODULE_LINKER_FLAGS_INIT " ${_iocpx_lld_flag}")
elseif(NOT IOCPX_MINGW_LINKER STREQUAL "bfd")
  message(FATAL_ERROR "iocpx: IOCPX_MINGW_LINKER must be bfd or lld, not '${IOCPX_MINGW_LINKER}'")
endif()

# Boost is taken from the build host's Debian headers through a shim
# directory (see cmake/iocpxBoost.cmake): only <boost/...> becomes visible.
set(IOCPX_BOOST_HOST_INCLUDE_DIR /usr/include CACHE PATH
    "directory that contains the host's boost/ headers, shimmed into the MinGW build")

# `ctest` (and CMake's add_test with a target as COMMAND) runs every program
# through this runner: Wine, with a time limit, exit code passed through.
get_filename_component(_iocpx_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR "${_iocpx_root}/tools/wine-exec" CACHE FILEPATH
    "runs Windows programs on this Linux host")
