#!/usr/bin/env bash
# Installs the Debian packages weft uses beyond npm, only those missing:
#   numpy     python3-numpy: the CPython peers of `weft bench` (Debian's /usr/bin/python3 with numpy)
#   chromium  the headless browser that checks the HTML reports in the tests
#   redis     redis-server: the cluster backend's tests start their own on a free loopback port
#   torch     python3-torch (about 1 GB with its dependencies), the reference libblas3 and liblapack3, and
#             libopenblas0-pthread: the FL cases' PyTorch peer, run on each BLAS build (the study picks one per
#             series with LD_LIBRARY_PATH). The reference builds are named because apt counts OpenBLAS as torch's
#             BLAS and would leave them out; installing OpenBLAS makes it the system's default libblas.so.3.
# Usage: scripts/setup-system.sh [--optional] numpy|chromium|redis|torch ...
# Each name is installed on its own, so one that cannot be installed does not keep the others out.
# With --optional (used by `npm start`), a machine where we cannot install (not root, no sudo,
# no network) gets a note and the study runs without those peers; without it (CI), any failure stops.
set -uo pipefail

optional=0
groups=()
for arg in "$@"; do
  wanted=()
  case "$arg" in
    --optional) optional=1; continue ;;
    numpy) /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || wanted+=(python3-numpy) ;;
    chromium) [ -x /usr/bin/chromium ] || wanted+=(chromium) ;;
    redis) command -v redis-server >/dev/null 2>&1 || wanted+=(redis-server) ;;
    torch)
      /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || wanted+=(python3-torch)
      compgen -G '/usr/lib/*/blas/libblas.so.3' >/dev/null || wanted+=(libblas3)
      compgen -G '/usr/lib/*/lapack/liblapack.so.3' >/dev/null || wanted+=(liblapack3)
      compgen -G '/usr/lib/*/openblas-pthread/libblas.so.3' >/dev/null || wanted+=(libopenblas0-pthread)
      ;;
    *) echo "setup-system: unknown package '$arg' (expected numpy, chromium, redis or torch)" >&2; exit 2 ;;
  esac
  [ ${#wanted[@]} -gt 0 ] && groups+=("${wanted[*]}")
done
[ ${#groups[@]} -eq 0 ] && exit 0

failed=0
fail() { # $1: what could not be installed, $2: why
  if [ "$optional" -eq 1 ]; then
    echo "setup-system: could not install $1 ($2); continuing without it" >&2
  else
    echo "setup-system: could not install $1: $2" >&2
  fi
  failed=1
}
finish() { [ "$failed" -eq 1 ] && [ "$optional" -eq 0 ] && exit 1; exit 0; }

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else fail "${groups[*]}" "needs root or passwordless sudo"; finish; fi
fi
command -v apt-get >/dev/null 2>&1 || { fail "${groups[*]}" "no apt-get on this system"; finish; }
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null || { fail "${groups[*]}" "apt-get update failed"; finish; }
for group in "${groups[@]}"; do
  read -ra packages <<<"$group"
  echo "setup-system: installing ${packages[*]} with apt-get"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null || fail "${packages[*]}" "apt-get install failed"
done
finish
