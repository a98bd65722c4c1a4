# SPDX-License-Identifier: BSL-1.0
#
# iocpx_find_boost(<minimum version>)
#
# Makes sure the target Boost::headers exists (Boost's header-only libraries:
# Asio, System, and Boost.Test's "included" variant that the tests use).
#
#  1. an existing Boost::headers target is used as it is (a superproject, or
#     a consumer that found Boost before);
#  2. otherwise find_package(Boost CONFIG) (Boost >= 1.70 installs
#     BoostConfig.cmake; Debian does), then CMake's FindBoost module;
#  3. when cross-compiling and neither finds a Boost for the target (Debian
#     has none for MinGW), the build host's headers are used through a shim:
#     a directory in the build tree holding only a symlink
#     `boost -> ${IOCPX_BOOST_HOST_INCLUDE_DIR}/boost`. Adding the host's
#     /usr/include itself would pull Linux headers into a Windows build.
#     Boost's header-only libraries are the same for every target.
#
# Boost::headers is an IMPORTED target, so its include directory is a system
# include directory (-isystem): our -Werror never trips on Boost's warnings.
#
# This file is installed next to iocpxConfig.cmake and used from there too.

include_guard(GLOBAL)

macro(iocpx_find_boost _iocpx_boost_min)
  if(NOT TARGET Boost::headers)
    find_package(Boost ${_iocpx_boost_min} CONFIG QUIET)
    if(NOT Boost_FOUND AND NOT CMAKE_CROSSCOMPILING)
      # CMake's FindBoost module (removed by policy CMP0167 in CMake 3.30).
      if(NOT POLICY CMP0167)
        find_package(Boost ${_iocpx_boost_min} MODULE QUIET)
      endif()
    endif()
    if(NOT TARGET Boost::headers AND TARGET Boost::boost)
      add_library(Boost::headers INTERFACE IMPORTED)
      set_target_properties(Boost::headers PROPERTIES INTERFACE_LINK_LIBRARIES Boost::boost)
    endif()
    if(NOT TARGET Boost::headers AND CMAKE_CROSSCOMPILING)
      _iocpx_boost_shim(${_iocpx_boost_min})
    endif()
    if(NOT TARGET Boost::headers)
      # Let find_package say what is missing, the usual way.
      find_package(Boost ${_iocpx_boost_min} REQUIRED)
    endif()
  endif()
endmacro()

function(_iocpx_boost_shim min_version)
  if(NOT IOCPX_BOOST_HOST_INCLUDE_DIR)
    if(DEFINED ENV{IOCPX_BOOST_INCLUDE})
      set(IOCPX_BOOST_HOST_INCLUDE_DIR "$ENV{IOCPX_BOOST_INCLUDE}")
    else()
      set(IOCPX_BOOST_HOST_INCLUDE_DIR /usr/include)
    endif()
  endif()
  set(host "${IOCPX_BOOST_HOST_INCLUDE_DIR}")
  set(version_file "${host}/boost/version.hpp")
  if(NOT EXISTS "${version_file}")
    message(WARNING "iocpx: no Boost headers in ${host} (IOCPX_BOOST_HOST_INCLUDE_DIR)")
    return()
  endif()
  file(STRINGS "${version_file}" line REGEX "^#define BOOST_VERSION [0-9]+")
  string(REGEX REPLACE "^#define BOOST_VERSION ([0-9]+).*" "\\1" num "${line}")
  math(EXPR major "${num} / 100000")
  math(EXPR minor "${num} / 100 % 1000")
  math(EXPR patch "${num} % 100")
  set(found_version "${major}.${minor}.${patch}")
  if(found_version VERSION_LESS min_version)
    message(WARNING "iocpx: Boost ${found_version} in ${host} is older than ${min_version}")
    return()
  endif()

  # Named after the version: ccache with CCACHE_BASEDIR (tools/test) sees
  # include paths relative to the build folder, so with one shim name the
  # Boost 1.74 build's command lines equalled the host Boost build's, and
  # ccache handed it the objects compiled against the host's Boost.
  set(shim "${CMAKE_BINARY_DIR}/_iocpx/boost-${found_version}")
  file(MAKE_DIRECTORY "${shim}")
  if(NOT EXISTS "${shim}/boost/version.hpp")
    file(REMOVE "${shim}/boost")
    file(CREATE_LINK "${host}/boost" "${shim}/boost" SYMBOLIC)
  endif()
  add_library(Boost::headers INTERFACE IMPORTED GLOBAL)
  set_target_properties(Boost::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${shim}")
  set(Boost_FOUND TRUE PARENT_SCOPE)
  set(Boost_VERSION "${found_version}" PARENT_SCOPE)
  message(STATUS "iocpx: Boost ${found_version} headers from ${host} (shim ${shim})")
endfunction()
