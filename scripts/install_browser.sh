#!/usr/bin/env bash
# Install Debian's Chromium for the web chat page's browser tests. Playwright drives it through
# executable_path, so `playwright install` (which downloads its own browser) is never needed.
# Idempotent: returns at once when /usr/bin/chromium is already there.
set -euo pipefail

[ -x /usr/bin/chromium ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run (e.g. a parallel setup script) instead of failing on its lock.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq)
# A fresh machine has no package lists, and old lists point at versions the mirror no longer
# has: refresh them when chromium is unknown, and once more if the install fails.
apt-cache show chromium >/dev/null 2>&1 || "${APT[@]}" update
"${APT[@]}" install --no-install-recommends chromium >/dev/null \
  || { "${APT[@]}" update && "${APT[@]}" install --no-install-recommends chromium >/dev/null; }
/usr/bin/chromium --version
