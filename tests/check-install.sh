#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary DESTDIR, as a package build does, and
# checks that every file a desktop needs is in its place: the programs, the
# desktop entry, the metainfo, the icons, the GSettings schema and the
# translations of po/LINGUAS; then lets appstreamcli check the installed
# tree as a whole (the metainfo's launchable names the desktop entry, whose
# icon is installed).
#
#   check-install.sh BUILDDIR PREFIX BINDIR DATADIR
set -eu

builddir=$1
prefix=$2
bindir=$3
datadir=$4
app_id=io.github.tasksteper.TaskSteper
srcdir=$(cd "$(dirname "$0")/.." && pwd)

destdir=$(mktemp -d "${TMPDIR:-/tmp}/ts-install.XXXXXX")
trap 'rm -rf "$destdir"' EXIT

# Relative BINDIR and DATADIR are under PREFIX (meson's own rule).
case $bindir in /*) ;; *) bindir=$prefix/$bindir ;; esac
case $datadir in /*) ;; *) datadir=$prefix/$datadir ;; esac
root=$destdir$prefix

# --no-rebuild: meson test has built everything already, and a second ninja
# in the same build directory while tests run is asking for trouble.
meson install -C "$builddir" --no-rebuild --destdir "$destdir" --quiet

failed=0
expect () {
  if [ -e "$destdir$1" ]; then
    echo "ok: $1"
  else
    echo "missing: $1" >&2
    failed=1
  fi
}

expect_executable () {
  expect "$1"
  if [ -e "$destdir$1" ] && [ ! -x "$destdir$1" ]; then
    echo "not executable: $1" >&2
    failed=1
  fi
}

expect_executable "$bindir/tasksteper"
expect_executable "$bindir/tasksteper-admin"
expect "$datadir/applications/$app_id.desktop"
expect "$datadir/metainfo/$app_id.metainfo.xml"
expect "$datadir/icons/hicolor/scalable/apps/$app_id.svg"
expect "$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
expect "$datadir/glib-2.0/schemas/$app_id.gschema.xml"

if [ -f "$srcdir/po/LINGUAS" ]; then
  for lang in $(sed 's/#.*//' "$srcdir/po/LINGUAS"); do
    expect "$datadir/locale/$lang/LC_MESSAGES/tasksteper.mo"
  done
fi

# With DESTDIR set, the post-install steps are the packager's: nothing may
# have been compiled or cached into the tree.
for generated in \
    "$datadir/glib-2.0/schemas/gschemas.compiled" \
    "$datadir/icons/hicolor/icon-theme.cache" \
    "$datadir/applications/mimeinfo.cache"; do
  if [ -e "$destdir$generated" ]; then
    echo "generated during a DESTDIR install: $generated" >&2
    failed=1
  fi
done

# The desktop entry runs what was installed, and opens tasksteper:// links.
desktop=$destdir$datadir/applications/$app_id.desktop
if [ -f "$desktop" ]; then
  exec_line=$(grep '^Exec=' "$desktop")
  program=${exec_line#Exec=}
  program=${program%% *}
  expect_executable "$bindir/$program"
  grep -q '^MimeType=.*x-scheme-handler/tasksteper;' "$desktop" ||
    { echo "the desktop entry does not handle tasksteper:// links" >&2; failed=1; }
  grep -q "^Icon=$app_id\$" "$desktop" ||
    { echo "the desktop entry's Icon is not $app_id" >&2; failed=1; }
fi

if command -v appstreamcli >/dev/null 2>&1; then
  appstreamcli validate-tree --no-net --explain "$root" || failed=1
fi

if [ $failed -ne 0 ]; then
  echo "Installed tree:" >&2
  (cd "$destdir" && find . -type f | sort) >&2
fi
exit $failed
