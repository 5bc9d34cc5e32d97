#!/usr/bin/env bash
# Install the Unicode TTF font the staff-assistant tests write Vietnamese PDFs with
# (tests/staff/corpus.py uses DejaVuSans from Debian's fonts-dejavu-core).
# Idempotent: returns at once when the font is already there.
set -euo pipefail

[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq)
apt-cache show fonts-dejavu-core >/dev/null 2>&1 || "${APT[@]}" update
"${APT[@]}" install --no-install-recommends fonts-dejavu-core >/dev/null \
  || { "${APT[@]}" update && "${APT[@]}" install --no-install-recommends fonts-dejavu-core >/dev/null; }
