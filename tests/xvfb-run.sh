#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command on an X server of its own (Xvfb, 1280x1024), like
# xvfb-run -a but without its races: two xvfb-run -a started at once can
# pick the same display number (and then one test's clicks land in the
# other's windows), and a display number freed a moment ago may still
# have its old server's socket being torn down.  Here each run takes a
# random number in a wide range that Xvfb itself locks (it refuses one in
# use), and -displayfd says when the server accepts clients.  Exits with
# the command's status.
#   xvfb-run.sh COMMAND [ARGUMENT...]
set -u

dir=$(mktemp -d "${TMPDIR:-/tmp}/ts-xvfb-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fifo="$dir/ready"
number=
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  candidate=$(( $(od -An -N2 -tu2 /dev/urandom) % 5000 + 1000 ))
  rm -f "$fifo"
  mkfifo "$fifo" || exit 1
  Xvfb ":$candidate" -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$fifo" >"$dir/log" 2>&1 &
  xvfb=$!
  read -r ready <"$fifo"
  if [ "$ready" = "$candidate" ]; then
    number=$candidate
    break
  fi
  wait "$xvfb" 2>/dev/null
done
if [ -z "$number" ]; then
  echo "xvfb-run.sh: Xvfb did not start:" >&2
  cat "$dir/log" >&2
  exit 1
fi

DISPLAY=":$number" "$@"
status=$?

kill "$xvfb" 2>/dev/null
wait "$xvfb" 2>/dev/null
exit $status
