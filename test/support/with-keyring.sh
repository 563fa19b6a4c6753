#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked, throw-away gnome-keyring (Secret Service),
# so @napi-rs/keyring reaches a real OS keychain headless. Needs: dbus, gnome-keyring (apt).
set -euo pipefail
export XDG_DATA_HOME; XDG_DATA_HOME="$(mktemp -d "${TMPDIR:-/tmp}/btp-keyring-XXXXXX")"
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
export KEYRING_PASSWORD="btp-connect-test-keyring"
# dbus-run-session ends the bus, and the keyring daemon with it, when the command exits.
dbus-run-session -- bash -c '
  printf "%s" "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset KEYRING_PASSWORD
  exec "$@"' with-keyring "$@" 2> >(grep -vE "Failed to set fd limit|Activating service name|Successfully activated service" >&2)
