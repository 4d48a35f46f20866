#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds TaskSteper twice (a normal build and one
# with AddressSanitizer and UndefinedBehaviorSanitizer) and runs every test
# suite in both.  The last line counts individual test cases:
#   N passed, N failed
# Exits non-zero when anything failed.  One suite alone:
#   meson test -C build --suite unit
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/deps.sh || { echo "installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

status=0
logs=()

run_build () {
  local dir=$1; shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@" || return 1
  else
    meson setup "$dir" "$@" || return 1
  fi
  ninja -C "$dir" || return 1
  meson test -C "$dir" --print-errorlogs --num-processes 2
}

run_build build
[ $? -eq 0 ] || status=1
logs+=(build/meson-logs/testlog.json)

# Sanitizers: leaks, overflows and undefined behaviour fail the run.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_build build-asan -Db_sanitize=address,undefined -Db_lundef=false
[ $? -eq 0 ] || status=1
logs+=(build-asan/meson-logs/testlog.json)

python3 build-aux/count-tests.py "${logs[@]}" || status=1
exit $status
