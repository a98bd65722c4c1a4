# SPDX-License-Identifier: BSL-1.0
#
# iocpx_target_warnings(<target>)
#
# The warning set of iocpx's own targets (the separately compiled library,
# tests, examples, benchmarks) — never propagated to users of iocpx::iocpx:
#   gcc, MinGW gcc, clang: -Wall -Wextra -Wpedantic [-Werror]
#   MSVC (kept clean, cannot run here): /W4 /permissive- [/WX]
# -Werror follows IOCPX_WARNINGS_AS_ERRORS (ON at top level). Boost comes in
# as a system include directory, so its own warnings are not ours.

include_guard(GLOBAL)

function(iocpx_target_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(IOCPX_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  elseif(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(IOCPX_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
