#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/list-bench.sh [BUILD-DIR] [TICKETS]
#
# Measures the project lists of the client (src/db/ts-ticket-list.c in a
# real TsTicketTable, bench/list-bench.c) at 1,000,000 tickets in one
# project: the first rows on screen against the first page query alone,
# RSS, and the longest main-loop iteration while loading, scrolling to the
# end, sorting by a column and receiving 500 changes a second.  See
# bench/README.md.
#
# It starts a throwaway PostgreSQL cluster of its own (bench/cluster.sh),
# installs the server side with BUILD-DIR/src/admin/tasksteper-admin init
# (default BUILD-DIR: build), generates TICKETS tickets (default 1000000)
# with bench/generate-tickets.sql in the project of tests/data/search.json
# (named "bench", with the member bench_member), builds list-bench
# (ninja -C BUILD-DIR tests/list-bench) and runs it under xvfb-run.  It
# removes everything when it ends; it takes several minutes and some 6 GB
# of disk.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=${1:-$top/build}
tickets=${2:-1000000}
admin=$build/src/admin/tasksteper-admin

case $tickets in
  ''|*[!0-9]*) echo "list-bench: the number of tickets must be a whole number, not $tickets" >&2; exit 2 ;;
esac

ninja -C "$build" tests/list-bench >/dev/null

prog=list-bench
. "$here/cluster.sh"
ts_bench_start

echo "== $tickets tickets"
q <<EOF2
\\set project \`cat "$top/tests/data/search.json"\`
SELECT name FROM tasksteper.import_project(jsonb_set((:'project'::jsonb) -> 'project', '{name}', '"bench"')) \\g /dev/null
CREATE ROLE bench_member LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('bench', 'bench_member') \\g /dev/null
\\i $here/generate-tickets.sql
\\timing on
\\echo generating:
SELECT pg_temp.ts_generate_tickets('bench', $tickets) \\g /dev/null
\\timing off
VACUUM (ANALYZE) tasksteper.tickets;
EOF2

# LIST_BENCH_RUNS (default 1): how many times the client is measured.
for run in $(seq 1 "${LIST_BENCH_RUNS:-1}"); do
  echo "== the list (run $run)"
  GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=memory \
    xvfb-run -a -s "-screen 0 1400x1000x24" \
    "$build/tests/list-bench" "host=$dir user=bench_member dbname=bench" bench "host=$dir user=postgres dbname=bench"
done
