#!/usr/bin/env bash
# Installs the Debian packages weft uses beyond npm, only those missing:
#   numpy     python3-numpy: the CPython peers of `weft bench` (Debian's /usr/bin/python3 with numpy)
#   chromium  the headless browser that checks the HTML reports in the tests
#   redis     redis-server: the cluster backend's tests start their own on a free loopback port
#   torch     python3-torch, libblas3 and libopenblas0-pthread: the FL cases' PyTorch peer, run on Debian's
#             reference BLAS and on OpenBLAS (both stay installed; the study picks one per series). libblas3 is
#             named because apt counts OpenBLAS as torch's BLAS and would not install the reference one.
# Usage: scripts/setup-system.sh [--optional] numpy|chromium|redis|torch ...
# With --optional (used by `npm start`), a machine where we cannot install (not root, no sudo,
# no network) gets a note and the study runs without the Python peers; without it (CI), failure stops.
set -uo pipefail

optional=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --optional) optional=1 ;;
    numpy) /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || wanted+=(python3-numpy) ;;
    chromium) [ -x /usr/bin/chromium ] || wanted+=(chromium) ;;
    redis) command -v redis-server >/dev/null 2>&1 || wanted+=(redis-server) ;;
    torch)
      /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || wanted+=(python3-torch)
      compgen -G '/usr/lib/*/blas/libblas.so.3' >/dev/null || wanted+=(libblas3)
      compgen -G '/usr/lib/*/openblas-pthread/libblas.so.3' >/dev/null || wanted+=(libopenblas0-pthread)
      ;;
    *) echo "setup-system: unknown package '$arg' (expected numpy, chromium, redis or torch)" >&2; exit 2 ;;
  esac
done
[ ${#wanted[@]} -eq 0 ] && exit 0

fail() {
  if [ "$optional" -eq 1 ]; then
    echo "setup-system: could not install ${wanted[*]} ($1); continuing without it" >&2
    exit 0
  fi
  echo "setup-system: could not install ${wanted[*]}: $1" >&2
  exit 1
}

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else fail "needs root or passwordless sudo"; fi
fi
command -v apt-get >/dev/null 2>&1 || fail "no apt-get on this system"
echo "setup-system: installing ${wanted[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null || fail "apt-get update failed"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null || fail "apt-get install failed"
