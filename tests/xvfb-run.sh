#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command on an X server of its own (Xvfb, 1280x1024), like
# xvfb-run -a but without its race: two xvfb-run -a started at once can
# both pick the same free display number, and then one test's clicks land
# in another's windows.  Xvfb -displayfd chooses the number itself, and
# atomically.  Exits with the command's status.
#   xvfb-run.sh COMMAND [ARGUMENT...]
set -u

dir=$(mktemp -d "${TMPDIR:-/tmp}/ts-xvfb-XXXXXX") || exit 1
fifo="$dir/display"
mkfifo "$fifo" || exit 1

Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$fifo" >"$dir/log" 2>&1 &
xvfb=$!
read -r number <"$fifo"
if [ -z "$number" ]; then
  echo "xvfb-run.sh: Xvfb did not start:" >&2
  cat "$dir/log" >&2
  rm -rf "$dir"
  exit 1
fi

DISPLAY=":$number" "$@"
status=$?

kill "$xvfb" 2>/dev/null
wait "$xvfb" 2>/dev/null
rm -rf "$dir"
exit $status
