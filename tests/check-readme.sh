#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's commands, as it prints them, from a tree laid out like a
# fresh clone after `meson setup build && ninja -C build` (the source tree
# with the build directory as build/), without installing anything: the
# uninstalled programs find their schema and catalogues themselves.  Each
# command is first looked up in README.md, so that the two stay the same.
#
#   check-readme.sh SOURCE_ROOT BUILD_ROOT
set -eu

srcdir=$1
builddir=$2

tree=$(mktemp -d "${TMPDIR:-/tmp}/ts-readme.XXXXXX")
trap 'rm -rf "$tree"' EXIT
for entry in README.md schemas build-aux; do
  ln -s "$srcdir/$entry" "$tree/$entry"
done
ln -s "$builddir" "$tree/build"
cd "$tree"

# What a person's shell has, not the test environment's: no fatal
# warnings (GTK warns when there is no session bus), no schema directory.
unset G_DEBUG GSETTINGS_SCHEMA_DIR TASKSTEPER_LOCALEDIR LANGUAGE LC_ALL
export LANG=C.UTF-8

n=0
fail=0
step() {
  n=$((n + 1))
  if [ "$1" = ok ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    fail=1
  fi
}

readme_has() {
  grep -qF -- "$1" README.md
}

check() {
  # check DESCRIPTION README-TEXT: the text must be in the README
  if ! readme_has "$2"; then
    echo "# README.md no longer says: $2"
    step fail "$1"
    return 1
  fi
  return 0
}

# Validating a project and drawing its workflow.
cmd='build/src/admin/tasksteper-admin validate schemas/issue_track.json'
if check "validate" "$cmd" && sh -c "$cmd" >out 2>&1; then
  step ok "$cmd"
else
  sed 's/^/# /' out 2>/dev/null || true
  step fail "$cmd"
fi

cmd='build/src/admin/tasksteper-admin dot schemas/issue_track.json | dot -Tsvg > issue_track.svg'
if ! command -v dot >/dev/null; then
  echo "ok $((n = n + 1)) - $cmd # SKIP no Graphviz"
elif check "dot" "$cmd" && sh -c "set -e; $cmd" && grep -q '<svg' issue_track.svg; then
  step ok "$cmd"
else
  step fail "$cmd"
fi

# meson devenv gives the programs of the build, in Chinese.
cmd='meson devenv -C build'
if check "devenv" "$cmd" &&
   LANG=zh_CN.UTF-8 meson devenv -C build tasksteper-admin --help >out 2>&1 &&
   grep -q '用法' out; then
  step ok "LANG=zh_CN.UTF-8 $cmd tasksteper-admin --help speaks Chinese"
else
  sed 's/^/# /' out
  step fail "LANG=zh_CN.UTF-8 $cmd tasksteper-admin --help speaks Chinese"
fi

if LANG=zh_CN.UTF-8 meson devenv -C build tasksteper --help >out 2>&1 && grep -q '演示' out; then
  step ok "LANG=zh_CN.UTF-8 $cmd tasksteper --help speaks Chinese"
else
  sed 's/^/# /' out
  step fail "LANG=zh_CN.UTF-8 $cmd tasksteper --help speaks Chinese"
fi

# The uninstalled client: its help, in English and in Chinese, then the
# client itself, which runs (until the timeout) rather than aborting for
# want of an installed GSettings schema.
if check "client" 'build/src/gui/tasksteper' &&
   build/src/gui/tasksteper --help >out 2>&1 && grep -q -- '--demo' out &&
   LANG=zh_CN.UTF-8 build/src/gui/tasksteper --help >out 2>&1 && grep -q '演示' out; then
  step ok "build/src/gui/tasksteper --help, also in Chinese"
else
  sed 's/^/# /' out
  step fail "build/src/gui/tasksteper --help, also in Chinese"
fi

conninfo='host=db.example.com dbname=tasksteper user=zhangwei'
cmd="tasksteper -d \"$conninfo\""
status=0
if check "client -d" "$cmd"; then
  "$srcdir/tests/xvfb-run.sh" timeout 5 build/src/gui/tasksteper -d "$conninfo" >out 2>&1 || status=$?
  # 124: still running when the timeout ended it.
  if [ "$status" -eq 124 ] && ! grep -q 'is not installed' out; then
    step ok "build/src/gui/$cmd runs without an installed schema"
  else
    sed 's/^/# /' out
    step fail "build/src/gui/$cmd runs without an installed schema (exit status $status)"
  fi
fi

# Not a README command: a copy outside the build tree, on a system without
# the schema installed, still runs, on settings kept in memory, and says
# so once.
mkdir elsewhere
cp build/src/gui/tasksteper elsewhere/
status=0
XDG_DATA_DIRS=/nonexistent XDG_DATA_HOME=/nonexistent "$srcdir/tests/xvfb-run.sh" timeout 5 elsewhere/tasksteper >out 2>&1 || status=$?
if [ "$status" -eq 124 ] && [ "$(grep -c 'is not installed' out)" -eq 1 ]; then
  step ok "a copy without an installed schema runs on settings in memory, with one warning"
else
  sed 's/^/# /' out
  step fail "a copy without an installed schema runs on settings in memory (exit status $status)"
fi

# build-aux/run.sh builds (nothing to do here) and starts the demo in
# meson's developer environment; the arguments go to tasksteper, so --help
# shows what it would run, in the person's language.
cmd='bash build-aux/run.sh'
if check "run.sh" "$cmd" &&
   DISPLAY=${DISPLAY:-:0} LANG=zh_CN.UTF-8 bash build-aux/run.sh --help >out 2>&1 &&
   grep -q '演示' out; then
  step ok "LANG=zh_CN.UTF-8 $cmd --help speaks Chinese"
else
  sed 's/^/# /' out
  step fail "LANG=zh_CN.UTF-8 $cmd --help speaks Chinese"
fi

echo "1..$n"
exit $fail
