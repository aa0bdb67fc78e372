#!/usr/bin/env bash
# The Debian packages of the servers the test suite runs for real: WordPress on MariaDB and PHP (the
# publisher's website channel), Prometheus with promtool (the SOP clocks' rules and scrape),
# Chromium with its Indonesian words, chromium-l10n (the console's browser tests, driven by
# Playwright without its own browser download), Node.js (the OpenID Connect provider the console
# signs in through in tests, tools/idp), kubectl (its kustomize builds the Kubernetes overlays
# offline in tests/deploy) and exiftool (an independent reader of what the published photos say
# about themselves).
# Installs only what is missing; needs root or sudo the first time.
set -euo pipefail

PACKAGES=(
  wordpress wordpress-theme-twentytwentythree mariadb-server
  php-cli php-mysql php-gd php-curl php-xml php-mbstring
  prometheus
  chromium chromium-l10n
  nodejs
  kubectl
  libimage-exiftool-perl
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "installing Debian packages: ${missing[*]}"
# Keep apt from starting the servers it installs: the tests start their own, in private folders.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
