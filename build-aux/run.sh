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

# Uninstalled: the GSettings schema and the example projects come from the
# build and source trees.
export GSETTINGS_SCHEMA_DIR="$top/build/data"
export TASKSTEPER_SCHEMAS_DIR="$top/schemas"
exec ./build/src/gui/tasksteper --demo "$@"
