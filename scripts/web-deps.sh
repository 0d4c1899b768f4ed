#!/usr/bin/env bash
# Debian packages the browser tests (tests/web) need, installed if missing (idempotent): Debian's
# Chromium, which playwright-core drives through executablePath (no browser download), and a font
# so text renders the same in screenshots on a bare CI image.
set -euo pipefail

packages=(chromium fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
