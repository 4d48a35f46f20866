#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Exporting N tickets (default 100,000) as CSV and XLSX, every field,
# through the export job as a member would, on a throwaway server:
#   bench/export-bench.sh [BUILD_DIR] [N [PAGE_SIZE]]
# prints the time, the longest the main loop stalled, the file's size and
# the peak memory of each.  Peak memory is the client process's (the
# server's is not counted); /usr/bin/time, when installed, adds the whole
# run's maximum.
set -eu
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$source_dir/build}
count=${2:-100000}
page_size=${3:-0}   # 0: the job's own

ninja -C "$build_dir" tests/bench-export >/dev/null
export TS_SCHEMAS_DIR="$source_dir/schemas"
export LC_ALL=C.UTF-8
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f 'whole run: %e s, max RSS %M KiB' "$build_dir/tests/bench-export" "$source_dir" "$count" "$page_size"
else
  "$build_dir/tests/bench-export" "$source_dir" "$count" "$page_size"
fi
