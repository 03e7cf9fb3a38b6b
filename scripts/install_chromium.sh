#!/usr/bin/env bash
# Idempotent: make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/browser).
# Playwright (PyPI) drives it through executable_path; Playwright's own browser download is not used.
# Exit 0 when Chromium is there (already or now installed); non-zero with a clear message when apt cannot install it.
set -euo pipefail

CHROMIUM="${JENGU_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "install_chromium: $CHROMIUM already installed ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_chromium: $CHROMIUM is missing and apt-get is not available on this machine;" \
    "install Chromium yourself (or set JENGU_CHROMIUM to its path) to run the browser tests" >&2
  exit 2
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install_chromium: $CHROMIUM is missing; installing it needs root and sudo is unavailable" \
      "(or asks for a password). Run: sudo apt-get install -y chromium" >&2
    exit 2
  fi
fi

echo "install_chromium: $CHROMIUM is missing; installing Debian's chromium package with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; then
  echo "install_chromium: apt-get install failed; refreshing the package lists and trying again"
  $SUDO apt-get update -q >/dev/null \
    || { echo "install_chromium: apt-get update failed (no network or no apt sources?)" >&2; exit 3; }
  $SUDO apt-get install -y -q --no-install-recommends chromium \
    || { echo "install_chromium: apt-get install chromium failed (see the apt output above)" >&2; exit 3; }
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "install_chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 3
fi
echo "install_chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
