#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/memory-bench.sh [BUILD-DIR] [TICKETS] [RUNS]
#
# What tickets cost in memory and on disk, at TICKETS tickets (default
# 100,000) made by generate-tickets.sql in a throwaway cluster (cluster.sh):
# (a) the server: bytes per ticket of tasksteper.tickets, ticket_texts and
#     their indexes, and per row of tasksteper.history with its indexes,
#     beside plain tables holding the same columns without any index;
# (b) the client (tests/memory-bench, built here): resident memory per
#     TsTicket held after reading them all through the store, and bytes per
#     ticket in the offline copy on disk;
# (c) the longest the main loop is blocked while a list of 5000 tickets is
#     saved to the offline copy, median and min-max of RUNS (default 5).
# See bench/README.md.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=${1:-$top/build}
tickets=${2:-100000}
runs=${3:-5}
admin=$build/src/admin/tasksteper-admin

case $tickets$runs in
  ''|*[!0-9]*) echo "memory-bench: the number of tickets and of runs must be whole numbers" >&2; exit 2 ;;
esac

# TS_MEMORY_BENCH: the client programs to run, separated by spaces (say,
# an older build's tests/memory-bench beside this one's), each against the
# same cluster; by default this build's.
programs=${TS_MEMORY_BENCH:-}
if [ -z "$programs" ]; then
  ninja -C "$build" tests/memory-bench >/dev/null
  programs=$build/tests/memory-bench
fi

prog=memory-bench
. "$here/cluster.sh"
ts_bench_start

echo "== $tickets tickets"
q <<EOF
\\set project \`cat "$top/tests/data/search.json"\`
SELECT name FROM tasksteper.import_project(jsonb_set((:'project'::jsonb) -> 'project', '{name}', '"bench"')) \\g /dev/null
CREATE ROLE bench_member LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('bench', 'bench_member') \\g /dev/null
\\i $here/generate-tickets.sql
SELECT pg_temp.ts_generate_tickets('bench', $tickets) \\g /dev/null
VACUUM (ANALYZE);
CREATE SCHEMA plain;
CREATE TABLE plain.tickets AS SELECT * FROM tasksteper.tickets;
CREATE TABLE plain.ticket_texts AS SELECT * FROM tasksteper.ticket_texts;
CREATE TABLE plain.history AS SELECT * FROM tasksteper.history;
VACUUM (ANALYZE) plain.tickets, plain.ticket_texts, plain.history;
EOF

echo "== (a) server: bytes per row (heap and TOAST; indexes; all), beside a plain table without indexes"
q -P footer=off <<'EOF'
WITH t(name, rel, plain, per) AS (VALUES
  ('tickets', 'tasksteper.tickets'::regclass, 'plain.tickets'::regclass, 'ticket'),
  ('ticket_texts', 'tasksteper.ticket_texts', 'plain.ticket_texts', 'ticket'),
  ('history', 'tasksteper.history', 'plain.history', 'history row'))
SELECT name, per,
       (SELECT count(*) FROM tasksteper.tickets) AS tickets,
       c.reltuples::bigint AS rows,
       round(pg_table_size(rel)::numeric / (SELECT count(*) FROM tasksteper.tickets) * CASE WHEN per = 'ticket' THEN 1 ELSE 0 END
             + pg_table_size(rel)::numeric / greatest(c.reltuples, 1) * CASE WHEN per = 'ticket' THEN 0 ELSE 1 END) AS table_b,
       round(pg_indexes_size(rel)::numeric / CASE WHEN per = 'ticket' THEN (SELECT count(*) FROM tasksteper.tickets) ELSE greatest(c.reltuples, 1) END) AS indexes_b,
       round(pg_total_relation_size(rel)::numeric / CASE WHEN per = 'ticket' THEN (SELECT count(*) FROM tasksteper.tickets) ELSE greatest(c.reltuples, 1) END) AS total_b,
       round(pg_total_relation_size(plain)::numeric / CASE WHEN per = 'ticket' THEN (SELECT count(*) FROM tasksteper.tickets) ELSE greatest(c.reltuples, 1) END) AS plain_b,
       pg_size_pretty(pg_total_relation_size(rel)) AS total,
       pg_size_pretty(pg_total_relation_size(plain)) AS plain
  FROM t JOIN pg_class c ON c.oid = t.rel;
SELECT 'all three' AS name,
       round((pg_total_relation_size('tasksteper.tickets') + pg_total_relation_size('tasksteper.ticket_texts')
              + pg_total_relation_size('tasksteper.history'))::numeric / count(*)) AS bytes_per_ticket,
       round((pg_total_relation_size('plain.tickets') + pg_total_relation_size('plain.ticket_texts')
              + pg_total_relation_size('plain.history'))::numeric / count(*)) AS plain_bytes_per_ticket
  FROM tasksteper.tickets;
SELECT round(avg((SELECT count(*) FROM jsonb_object_keys(fields)))::numeric, 1) AS fields_per_ticket,
       round(avg(octet_length(fields::text))) AS fields_json_bytes
  FROM tasksteper.tickets;
SELECT i.indexrelid::regclass AS index, pg_size_pretty(pg_relation_size(i.indexrelid)) AS size
  FROM pg_index i
 WHERE i.indrelid IN ('tasksteper.tickets'::regclass, 'tasksteper.ticket_texts'::regclass, 'tasksteper.history'::regclass)
 ORDER BY pg_relation_size(i.indexrelid) DESC;
EOF

for program in $programs; do
  echo "== (b), (c) client: $program"
  "$program" "host=$dir user=bench_member dbname=bench" bench "$runs"
done
