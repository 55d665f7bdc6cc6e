#!/usr/bin/env bash
# Makes sure the Debian/Ubuntu packages Veritas builds against are installed.
# Idempotent: prints one line and exits 0 when everything is already present.
set -euo pipefail

# System packages the build and the tests need.
# libzmq3-dev: ZeroMQ; libsqlite3-dev: SQLite (GRDB, raw benchmark); libxml2-dev: the HTML parser
# (VeritasHTML); chromium + fonts-dejavu-core: the runner's headless screenshots (with fonts so
# pages render text); postgresql: the server the tests start throwaway clusters of (initdb, pg_ctl)
# for the PostgreSQL store's suites.
PACKAGES="libzmq3-dev libsqlite3-dev libxml2-dev pkg-config chromium fonts-dejavu-core postgresql"

if ! command -v swift >/dev/null 2>&1; then
    echo "deps: 'swift' is not on PATH. Install a Swift 6.x toolchain (https://www.swift.org/install/)" >&2
    echo "      and add its usr/bin directory to PATH." >&2
    exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
    echo "      Install the equivalents of: $PACKAGES" >&2
    exit 1
fi

missing=()
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "deps: all present"
    exit 0
fi

echo "deps: missing: ${missing[*]}"
install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}")

if [[ $(id -u) -eq 0 ]]; then
    apt-get update
    "${install[@]}"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update
    sudo "${install[@]}"
else
    echo "deps: cannot install packages without root. Run:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "deps: installed ${missing[*]}"
