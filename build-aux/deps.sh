#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages TaskSteper needs to build, run and test,
# skipping those already installed.  Run as root or with sudo available.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libjson-glib-dev libpq-dev libgtk-4-dev libadwaita-1-dev
  # XLSX export; the workflow picture's layout (Graphviz's libgvc)
  libxlsxwriter-dev libgraphviz-dev
  # run and test
  postgresql postgresql-contrib pgbouncer xvfb xauth graphviz fonts-noto-cjk fonts-cantarell
  desktop-file-utils appstream python3 flatpak-builder
  # GUI tests type and click through the X server's XTest extension
  libxtst-dev
  # the accessibility test walks the AT-SPI tree in a D-Bus session of its own
  at-spi2-core dbus python3-pyatspi gir1.2-atspi-2.0 gir1.2-gtk-4.0
  # the TLS tests make their own certificate authority
  openssl
  # the export tests unpack the XLSX files they write
  unzip
  # the Chinese interface tests run under LANG=zh_CN.UTF-8 (generated below)
  locales
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The zh_CN.UTF-8 locale, for the tests of the Chinese interface (suites
# data and gui).  Debian's locales package ships the sources; only this one
# locale is compiled, into /usr/lib/locale/locale-archive.
if ! locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then
  echo "Generating the zh_CN.UTF-8 locale"
  "${sudo[@]}" localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
fi
