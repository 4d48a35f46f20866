#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing (Debian 12), builds TaskSteper and runs
# `tasksteper --demo` from the build directory: a private PostgreSQL server
# with the example projects, three people and their tickets (see README).
# Arguments are passed on to tasksteper.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/deps.sh
[ -d build ] || meson setup build
ninja -C build

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run.sh: built, but there is no display to show TaskSteper on." >&2
  echo "Run this from a desktop session (or over ssh -X), or see the demo in the" >&2
  echo "tests instead: meson test -C build test-demo (screenshots in build/screenshots/)." >&2
  exit 1
fi

# Uninstalled, in meson's developer environment (meson.add_devenv in
# meson.build): the build's GSettings schema and catalogues (Chinese under
# LANG=zh_CN.UTF-8), the example projects of the source tree.
exec meson devenv -C build --workdir "$top" tasksteper --demo "$@"
