#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (as root, as on CI); a no-op when it is there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests will be skipped outside CI)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
command -v chromium
