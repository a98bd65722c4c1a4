# SPDX-License-Identifier: BSL-1.0
#
# The MinGW-w64 cross build of toolchain-mingw-w64-x86_64.cmake, compiled by
# clang (--target=x86_64-w64-mingw32) instead of gcc: a second compiler for
# the Windows code, as MSVC cannot run here. It uses the same MinGW-w64
# headers, libstdc++ and linker (Debian's g++-mingw-w64-x86-64-posix; clang
# 14 does not find that gcc's "12-posix" folder by itself, so its C++
# headers and libraries are named here), and the programs run under Wine.
#
#   cmake --preset mingw-clang       (CMakePresets.json)

include(${CMAKE_CURRENT_LIST_DIR}/toolchain-mingw-w64-x86_64.cmake)

execute_process(COMMAND ${_iocpx_triple}-g++-posix -print-libgcc-file-name
                OUTPUT_VARIABLE _iocpx_libgcc OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE _iocpx_rc)
if(NOT _iocpx_rc EQUAL 0 OR NOT EXISTS "${_iocpx_libgcc}")
  message(FATAL_ERROR "iocpx: ${_iocpx_triple}-g++-posix not found (tools/bootstrap installs it)")
endif()
get_filename_component(_iocpx_gcc_dir "${_iocpx_libgcc}" DIRECTORY)

set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET ${_iocpx_triple})
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_COMPILER_TARGET ${_iocpx_triple})

# Emulated thread-locals, as gcc's MinGW target and its libstdc++.a use
# (std::call_once's state, for one, is one).
set(CMAKE_CXX_FLAGS_INIT
    "-femulated-tls -Wno-unused-command-line-argument -nostdinc++ -isystem ${_iocpx_gcc_dir}/include/c++ -isystem ${_iocpx_gcc_dir}/include/c++/${_iocpx_triple} -isystem ${_iocpx_gcc_dir}/include/c++/backward")
# -static as for gcc. libstdc++ needs winpthreads after it, which clang's
# driver does not add. In C++20 clang emits libstdc++'s inline
# std::type_info::operator== as an ordinary definition, which then clashes
# with the same function compiled into libstdc++.a: both are the header's
# one definition, so the linker may keep either (lld still warns about it,
# once per program: harmless). (GNU ld also reports, per
# object, that the typeinfo names of standard types that clang and gcc emit
# differ in size: harmless, libstdc++ on MinGW compares type names as
# strings.)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -L${_iocpx_gcc_dir} -Wl,--allow-multiple-definition")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
# IOCPX_MINGW_LINKER (see the gcc toolchain): clang's MinGW driver takes
# -fuse-ld=lld itself.
if(IOCPX_MINGW_LINKER STREQUAL "lld")
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -fuse-ld=lld")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT " -fuse-ld=lld")
  string(APPEND CMAKE_MODULE_LINKER_FLAGS_INIT " -fuse-ld=lld")
endif()
set(CMAKE_CXX_STANDARD_LIBRARIES "-lstdc++ -lpthread" CACHE STRING
    "libraries linked into every C++ program (libstdc++, then the winpthreads it needs)")
