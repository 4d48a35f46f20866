#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds TaskSteper twice (a normal build and one
# with AddressSanitizer and UndefinedBehaviorSanitizer) and runs every test
# suite in both (the zh_CN variants in the first only).  The last line counts individual test cases:
#   N passed, N failed
# Exits non-zero when anything failed.  One suite alone:
#   meson test -C build --suite unit
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/deps.sh || { echo "installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

status=0
logs=()

# run_build DIR TESTS [MESON-OPTION...]: TESTS "all", or "no-zh_CN" for
# every test but the zh_CN variants.
run_build () {
  local dir=$1 which=$2; shift 2
  local names=()
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@" || return 1
  else
    meson setup "$dir" "$@" || return 1
  fi
  ninja -C "$dir" || return 1
  if [ "$which" = no-zh_CN ]; then
    mapfile -t names < <(meson test -C "$dir" --list 2>/dev/null | sed -n 's|^[^ ]* / ||p' | grep -v -- '-zh_CN$')
    [ ${#names[@]} -gt 0 ] || return 1
  fi
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${names[@]}"
}

run_build build all
[ $? -eq 0 ] || status=1
logs+=(build/meson-logs/testlog.json)

# Sanitizers: leaks, overflows and undefined behaviour fail the run.  The
# zh_CN variants run the same code as their C-locale twins with other
# message catalogs; they run in the first build only, which keeps CI near
# its time budget.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_build build-asan no-zh_CN -Db_sanitize=address,undefined -Db_lundef=false
[ $? -eq 0 ] || status=1
logs+=(build-asan/meson-logs/testlog.json)

python3 build-aux/count-tests.py "${logs[@]}" || status=1
exit $status
