# SPDX-License-Identifier: BSL-1.0
#
# Shared settings of the tools/ scripts (sourced, not run).

IOCPX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export IOCPX_ROOT

# Debian keeps the 64-bit Wine loader and server in Wine's library folder.
: "${IOCPX_WINE_LOADER:=/usr/lib/wine/wine64}"
: "${IOCPX_WINESERVER:=/usr/lib/wine/wineserver}"
: "${IOCPX_WINE_PREFIX:=${HOME:-/root}/.cache/iocpx/wine-prefix}"
# Where Debian's Boost headers are (the directory that contains boost/).
: "${IOCPX_BOOST_INCLUDE:=/usr/include}"
# Boost 1.74 (the oldest Boost iocpx supports), unpacked from Debian's
# libboost1.74-dev by tools/bootstrap; it cannot be installed beside 1.81.
# CMakePresets.json (mingw-boost174) names the same default place.
: "${IOCPX_BOOST174_ROOT:=${HOME:-/root}/.cache/iocpx/boost-1.74}"
export IOCPX_WINE_LOADER IOCPX_WINESERVER IOCPX_WINE_PREFIX IOCPX_BOOST_INCLUDE IOCPX_BOOST174_ROOT

log() { printf '[iocpx] %s\n' "$*" >&2; }
die() { printf '[iocpx] error: %s\n' "$*" >&2; exit 1; }

wine_version() { "$IOCPX_WINE_LOADER" --version 2>/dev/null || echo unknown; }
