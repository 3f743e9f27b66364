#!/usr/bin/env bash
# Install what the browser tests (tests/e2e) need on a Debian machine: Debian's own Chromium,
# driven by the Python `playwright` package through `executable_path`. Idempotent: does nothing
# when /usr/bin/chromium is already there. Never runs `playwright install` (no browser downloads
# from outside the Debian archive).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "install_e2e: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install_e2e: needs root to apt-get install chromium (run with sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# fonts-liberation gives the screenshots a stable, metric-compatible sans-serif face.
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "install_e2e: installed $(/usr/bin/chromium --version)"
