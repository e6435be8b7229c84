#!/usr/bin/env bash
# Installs copydesk's build and test dependencies from Debian 12 packages
# (tools/debian-packages.txt). Runs as root; skips apt when all are present.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t pkgs < <(grep -v '^#' debian-packages.txt | sed '/^$/d')
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
