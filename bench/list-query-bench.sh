#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/list-query-bench.sh [TASKSTEPER-ADMIN] [TICKETS]
#
# Measures the statements of the client's lists (src/db/ts-list-sql.h, the
# indexes of data/sql/0013-list-indexes.sql) at 1,000,000 tickets in one
# project, as a member with 100,000 open tickets assigned to them: for the
# pending list and the all list, in each order the lists offer
# (descending), the first page (100 rows), a keyset page in the middle,
# an OFFSET jump from the first row to the middle and to the last page
# ($TS_BENCH_JUMP_RUNS runs, default 3; in the all list by number and
# updated_at), and the count; each beside the same lookup on a plain copy of the table
# (no row-level security, the same rows, the right index, the values
# written in).  Before them, the statements of version 10's client (pages
# by number only, newest first, the pending list comparing assigned_to
# with the name-typed session_user) with version 10's indexes.  Times are
# the median of $TS_BENCH_RUNS (default 7) runs after one to warm the
# cache, and the fastest and slowest, in ms.  See bench/README.md.
#
# The client's statements are printed by a small C program built here
# from src/db/ts-list-sql.h (it needs cc and GLib's headers), so what is
# measured is what the client sends; its parameters are written into the
# statement as untyped literals, as the client sends them (one custom plan
# each time).
#
# It starts a throwaway PostgreSQL cluster of its own (bench/cluster.sh),
# installs the server side with TASKSTEPER-ADMIN init (default:
# build/src/admin/tasksteper-admin), generates TICKETS tickets (default
# 1000000) with bench/generate-tickets.sql and removes everything when it
# ends.  About 5 GB of disk; it takes some 15 minutes on 2 cores.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
admin=${1:-$top/build/src/admin/tasksteper-admin}
tickets=${2:-1000000}
runs=${TS_BENCH_RUNS:-7}
# An OFFSET jump from the first row reads every row it skips (at 1,000,000
# a jump to the end of the all list takes seconds): fewer runs of those,
# and in the all list only by number and by updated_at (the others read
# as many rows the same way).
jump_runs=${TS_BENCH_JUMP_RUNS:-3}

case $tickets in
  ''|*[!0-9]*) echo "list-query-bench: the number of tickets must be a whole number, not $tickets" >&2; exit 2 ;;
esac

prog=list-query-bench
. "$here/cluster.sh"
ts_bench_start

# The client's statements, from the header itself.
cat > "$dir/print.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "ts-list-sql.h"
/* print PENDING SORT DESCENDING none|cursor|count */
int
main (int argc, char **argv)
{
  gboolean pending = atoi (argv[1]);
  char *sql;

  if (g_str_equal (argv[4], "count"))
    {
      puts (pending ? TS_LIST_SQL_COUNT_PENDING : TS_LIST_SQL_COUNT_ALL);
      return 0;
    }
  sql = ts_list_sql_page (pending, argv[2], atoi (argv[3]),
                          g_str_equal (argv[4], "none") ? TS_LIST_AFTER_NONE
                                                        : (TsListAfter) ts_list_sql_after_kind (pending, argv[2]));
  puts (sql);
  g_free (sql);
  return 0;
}
EOF
# shellcheck disable=SC2046
cc -o "$dir/print" "$dir/print.c" -I"$top/src/db" $(pkg-config --cflags --libs glib-2.0)

echo "== $tickets tickets, one member with 100,000 open"
q <<EOF
\\set project \`cat "$top/tests/data/search.json"\`
SELECT name FROM tasksteper.import_project(jsonb_set((:'project'::jsonb) -> 'project', '{name}', '"bench"')) \\g /dev/null
CREATE ROLE bench_member LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('bench', 'bench_member') \\g /dev/null
-- Every index of tickets but the keys is made after the data; version
-- 13's pending indexes (tickets_pending_*_idx) after the statements before.
CREATE TABLE public.list_indexes AS
  SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE i.indrelid = 'tasksteper.tickets'::regclass AND NOT i.indisprimary AND NOT i.indisunique;
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM public.list_indexes LOOP
    EXECUTE format('DROP INDEX tasksteper.%I', r.name);
  END LOOP;
END \$\$;
\\i $here/generate-tickets.sql
\\timing on
\\echo generating:
SELECT pg_temp.ts_generate_tickets('bench', $tickets) \\g /dev/null
\\timing off
-- A third of the open tickets (some 100,000 of 1,000,000) are the member's.
UPDATE tasksteper.tickets SET assigned_to = 'bench_member' WHERE NOT is_final AND number % 3 = 0;
EOF

# Version 10's pending index, for the statements before.
q -At <<'EOF'
INSERT INTO public.list_indexes
  VALUES ('tickets_pending_idx', 'CREATE INDEX tickets_pending_idx ON tasksteper.tickets USING btree (project, assigned_to, updated_at DESC) WHERE (NOT is_final)');
DO $$
DECLARE
  r record;
  t timestamptz;
BEGIN
  FOR r IN SELECT name, definition FROM public.list_indexes WHERE name NOT LIKE 'tickets\_pending\_%\_idx' ORDER BY name LOOP
    t := clock_timestamp();
    EXECUTE r.definition;
    RAISE NOTICE '%: % s, %', r.name, round(extract(epoch FROM clock_timestamp() - t)::numeric, 1),
                 pg_size_pretty(pg_relation_size(format('tasksteper.%I', r.name)::regclass));
  END LOOP;
END
$$;
VACUUM (ANALYZE) tasksteper.tickets;
SELECT format('tickets %s (%s with indexes); the member''s open tickets %s',
              (SELECT count(*) FROM tasksteper.tickets), pg_size_pretty(pg_total_relation_size('tasksteper.tickets')),
              (SELECT count(*) FROM tasksteper.tickets WHERE assigned_to = 'bench_member' AND NOT is_final));
EOF

echo "== the plain copy: the same rows, no row-level security, the indexes with the member's name compared as written"
q -At <<'EOF'
SET search_path = pg_catalog, pg_temp;
CREATE SCHEMA plain;
CREATE TABLE plain.tickets AS SELECT * FROM tasksteper.tickets;
ALTER TABLE plain.tickets ADD PRIMARY KEY (id), ADD UNIQUE (project, number);
CREATE INDEX ON plain.tickets (project, assigned_to, number) WHERE NOT is_final;
CREATE INDEX ON plain.tickets (project, assigned_to, updated_at, number) WHERE NOT is_final;
CREATE INDEX ON plain.tickets (project, assigned_to, created_at, number) WHERE NOT is_final;
CREATE INDEX ON plain.tickets (project, assigned_to, state COLLATE "C", number) WHERE NOT is_final;
CREATE INDEX ON plain.tickets (project, assigned_to, created_by COLLATE "C", number) WHERE NOT is_final;
CREATE INDEX ON plain.tickets (project, updated_at, number);
CREATE INDEX ON plain.tickets (project, created_at, number);
CREATE INDEX ON plain.tickets (project, state COLLATE "C", number);
CREATE INDEX ON plain.tickets (project, assigned_to COLLATE "C", number);
CREATE INDEX ON plain.tickets (project, created_by COLLATE "C", number);
VACUUM (ANALYZE) plain.tickets;
GRANT USAGE ON SCHEMA plain TO bench_member;
GRANT SELECT ON ALL TABLES IN SCHEMA plain TO bench_member;
EOF

# pg_temp.stats_ms(sql, runs): 'median (min-max)' in ms of @runs runs of
# @sql after one to warm the cache; pg_temp.bind(sql, values): @sql with
# $1, $2, ... replaced by the literals of @values (untyped, as the client
# sends its parameters).
cat > "$dir/stats.sql" <<'SQL'
CREATE FUNCTION pg_temp.stats_ms(p_sql text, p_runs int) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
  t timestamptz;
  times numeric[] := '{}';
BEGIN
  EXECUTE p_sql;
  FOR i IN 1 .. p_runs LOOP
    t := clock_timestamp();
    EXECUTE p_sql;
    times := times || (extract(epoch FROM clock_timestamp() - t) * 1000)::numeric;
  END LOOP;
  RETURN (SELECT format('%s (%s-%s)', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2),
                        round(min(x), 2), round(max(x), 2))
            FROM unnest(times) x);
END
$f$;
CREATE FUNCTION pg_temp.bind(p_sql text, p_values text[]) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
  s text := p_sql;
BEGIN
  FOR i IN REVERSE cardinality(p_values) .. 1 LOOP
    s := replace(s, '$' || i, quote_literal(p_values[i]));
  END LOOP;
  RETURN s;
END
$f$;
SQL

member() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U bench_member -d bench -f "$dir/stats.sql" "$@"
}

# The time of @1 (SQL with $n) with the values @2... as the member.
timed() {
  sql=$1
  shift
  values=""
  for v in "$@"; do
    values="$values${values:+,}\$v\$$v\$v\$"
  done
  member -At -c "SELECT pg_temp.stats_ms(pg_temp.bind(\$s\$$sql\$s\$, ARRAY[$values]::text[]), $runs)"
}

plain_timed() {
  member -At -c "SELECT pg_temp.stats_ms(\$s\$$1\$s\$, ${2:-$runs})"
}

jump_timed() {
  saved=$runs
  runs=$jump_runs
  timed "$@"
  runs=$saved
}

cols="id, project, number, key, state, assigned_to, created_by, (extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM updated_at) * 1000000)::bigint, version, fields::text"
pending_n=$(q -At -c "SELECT count(*) FROM tasksteper.tickets WHERE project = 'bench' AND assigned_to = 'bench_member' AND NOT is_final")
all_n=$(q -At -c "SELECT count(*) FROM tasksteper.tickets WHERE project = 'bench'")

echo
echo "== before: version 10's statements and indexes (pages by number, newest first), median (min-max) of $runs runs, ms"
printf '%-52s %26s %26s\n' "" "version 10" "plain table"
middle_pending=$(q -At -c "SELECT number FROM tasksteper.tickets WHERE project = 'bench' AND assigned_to = 'bench_member' AND NOT is_final ORDER BY number DESC OFFSET $((pending_n / 2)) LIMIT 1")
middle_all=$(q -At -c "SELECT number FROM tasksteper.tickets WHERE project = 'bench' ORDER BY number DESC OFFSET $((all_n / 2)) LIMIT 1")
old_pending="SELECT $cols FROM tasksteper.tickets WHERE project = \$1 AND assigned_to = session_user AND NOT is_final AND number < \$2 ORDER BY number DESC LIMIT \$3"
old_all="SELECT $cols FROM tasksteper.tickets WHERE project = \$1 AND number < \$2 ORDER BY number DESC LIMIT \$3"
plain_pending="SELECT $cols FROM plain.tickets WHERE project = 'bench' AND assigned_to = 'bench_member' AND NOT is_final"
plain_all="SELECT $cols FROM plain.tickets WHERE project = 'bench'"
printf '%-52s %26s %26s\n' "pending, first page" "$(timed "$old_pending" bench 2147483647 100)" \
  "$(plain_timed "$plain_pending ORDER BY number DESC LIMIT 100")"
printf '%-52s %26s %26s\n' "pending, a page in the middle" "$(timed "$old_pending" bench "$middle_pending" 100)" \
  "$(plain_timed "$plain_pending AND number < $middle_pending ORDER BY number DESC LIMIT 100")"
printf '%-52s %26s %26s\n' "pending count (list_projects)" \
  "$(timed "SELECT count(*) FROM tasksteper.tickets t WHERE t.project = \$1 AND t.assigned_to = session_user AND NOT t.is_final" bench)" \
  "$(plain_timed "SELECT count(*) FROM plain.tickets WHERE project = 'bench' AND assigned_to = 'bench_member' AND NOT is_final")"
printf '%-52s %26s %26s\n' "all, first page" "$(timed "$old_all" bench 2147483647 100)" \
  "$(plain_timed "$plain_all ORDER BY number DESC LIMIT 100")"
printf '%-52s %26s %26s\n' "all, a page in the middle" "$(timed "$old_all" bench "$middle_all" 100)" \
  "$(plain_timed "$plain_all AND number < $middle_all ORDER BY number DESC LIMIT 100")"

echo
echo "== version 13's indexes (0013-list-indexes.sql)"
q -At <<'EOF'
SET search_path = pg_catalog, pg_temp;
DROP INDEX tasksteper.tickets_pending_idx;
DO $$
DECLARE
  r record;
  t timestamptz;
BEGIN
  FOR r IN SELECT name, definition FROM public.list_indexes WHERE name LIKE 'tickets\_pending\_%\_idx' ORDER BY name LOOP
    t := clock_timestamp();
    EXECUTE r.definition;
    RAISE NOTICE '%: % s, %', r.name, round(extract(epoch FROM clock_timestamp() - t)::numeric, 1),
                 pg_size_pretty(pg_relation_size(format('tasksteper.%I', r.name)::regclass));
  END LOOP;
END
$$;
ANALYZE tasksteper.tickets;
EOF

echo
echo "== after: the client's statements (src/db/ts-list-sql.h), descending, median (min-max) of $runs runs, ms"
printf '%-52s %26s %26s\n' "" "the client" "plain table"
# sort | the plain copy's ORDER BY key (empty: number) | its type | the cursor value's SQL
for order in "number|||number::text" \
             "updated_at|updated_at|timestamptz|to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" \
             "created_at|created_at|timestamptz|to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" \
             "state|state COLLATE \"C\"|text|state" \
             "assigned_to|assigned_to COLLATE \"C\"|text|assigned_to" \
             "created_by|created_by COLLATE \"C\"|text|created_by"; do
  IFS='|' read -r sort key type value_sql <<EOF
$order
EOF
  for list in pending all; do
    if [ $list = pending ]; then p=1; n=$pending_n; plain=$plain_pending; else p=0; n=$all_n; plain=$plain_all; fi
    # The pending list's assigned_to order is the number's.
    k=$key; [ $list = pending ] && [ "$sort" = assigned_to ] && k=""
    order_by="${k:+$k DESC, }number DESC"
    first=$("$dir/print" $p "$sort" 1 none)
    next=$("$dir/print" $p "$sort" 1 cursor)
    # The cursor of the row in the middle, as the client would have it.
    row=$(q -At -F "|" -c "SELECT $value_sql AS v, number AS n FROM plain.tickets WHERE project = 'bench'$( [ $list = pending ] && echo " AND assigned_to = 'bench_member' AND NOT is_final") ORDER BY $order_by OFFSET $((n / 2)) LIMIT 1")
    value=${row%|*}
    number=${row#*|}
    if [ -z "$k" ]; then
      after_plain="number < $number"
      next_time=$(timed "$next" bench 0 100 "$number")
    else
      after_plain="($k, number) < ('$value'::$type, $number)"
      next_time=$(timed "$next" bench 0 100 "$value" "$number")
    fi
    printf '%-52s %26s %26s\n' "$list by $sort, first page" "$(timed "$first" bench 0 100)" \
      "$(plain_timed "$plain ORDER BY $order_by LIMIT 100")"
    printf '%-52s %26s %26s\n' "$list by $sort, keyset page in the middle" "$next_time" \
      "$(plain_timed "$plain AND $after_plain ORDER BY $order_by LIMIT 100")"
    if [ $list = pending ] || [ "$sort" = number ] || [ "$sort" = updated_at ]; then
      printf '%-52s %26s %26s\n' "$list by $sort, OFFSET to the middle ($jump_runs)" "$(jump_timed "$first" bench $((n / 2)) 100)" \
        "$(plain_timed "$plain ORDER BY $order_by OFFSET $((n / 2)) LIMIT 100" "$jump_runs")"
      printf '%-52s %26s %26s\n' "$list by $sort, OFFSET to the last page ($jump_runs)" "$(jump_timed "$first" bench $((n - 100)) 100)" \
        "$(plain_timed "$plain ORDER BY $order_by OFFSET $((n - 100)) LIMIT 100" "$jump_runs")"
    fi
  done
done
printf '%-52s %26s %26s\n' "pending count" "$(timed "$("$dir/print" 1 - 1 count)" bench)" \
  "$(plain_timed "SELECT count(*) FROM plain.tickets WHERE project = 'bench' AND assigned_to = 'bench_member' AND NOT is_final")"
printf '%-52s %26s %26s\n' "all count" "$(timed "$("$dir/print" 0 - 1 count)" bench)" \
  "$(plain_timed "SELECT count(*) FROM plain.tickets WHERE project = 'bench'")"

echo
echo "== plans (EXPLAIN ANALYZE as the member) of the pending list's first page, by number and by updated_at"
for sort in number updated_at; do
  first=$("$dir/print" 1 $sort 1 none)
  member -At -c "SELECT 'EXPLAIN (ANALYZE, BUFFERS) ' || pg_temp.bind(\$s\$$first\$s\$, ARRAY['bench', '0', '100'])" -o "$dir/explain.sql"
  member -At -f "$dir/explain.sql"
done
