#!/usr/bin/env bash
# Installs the system packages the study and its tests use, from Debian's archive:
#   python3-numpy  the CPython peers of `weft bench` (Debian's /usr/bin/python3 with numpy)
#   chromium       the headless browser that checks the HTML report (test/bench/report-browser.test.ts)
# Idempotent: does nothing when both are present. Needs root (or sudo). Call it from .ci/run before
# the tests; developers run it once. Without it the study still runs: it says the peers were
# skipped, and the browser test is skipped with a message.
set -euo pipefail

missing=()
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-ci: python3-numpy and chromium already installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "setup-ci: need root to install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "setup-ci: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-ci: done"
