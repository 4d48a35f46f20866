#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/search-bench.sh [TASKSTEPER-ADMIN] [TICKETS]
#
# Measures TaskSteper's search (data/sql/0006-search.sql) at 1,000,000
# tickets: the first page of representative searches through
# tasksteper.search_tickets(), as a member, side by side with the same
# search written by hand against a plain copy of the table (no row-level
# security, no functions, the same indexes), and their plans.  See
# bench/README.md.
#
# It starts a throwaway PostgreSQL cluster of its own (bench/cluster.sh:
# initdb in a fresh directory under $TMPDIR, a Unix socket there, no TCP; as
# the "postgres" system user through runuser when run as root), installs the server side
# with TASKSTEPER-ADMIN init (default: build/src/admin/tasksteper-admin),
# generates TICKETS tickets (default 1000000) with bench/generate-tickets.sql
# and removes everything when it ends.  It needs PostgreSQL's server
# programs and contrib modules ($TS_PG_BINDIR, else pg_config --bindir, else
# /usr/lib/postgresql/*/bin) and about 6 GB of disk; it takes several minutes.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
admin=${1:-$top/build/src/admin/tasksteper-admin}
tickets=${2:-1000000}
runs=${TS_BENCH_RUNS:-7}

case $tickets in
  ''|*[!0-9]*) echo "search-bench: the number of tickets must be a whole number, not $tickets" >&2; exit 2 ;;
esac

prog=search-bench
. "$here/cluster.sh"
ts_bench_start

echo "== $tickets tickets"
q <<EOF
\\set project \`cat "$top/tests/data/search.json"\`
SELECT name FROM tasksteper.import_project(jsonb_set((:'project'::jsonb) -> 'project', '{name}', '"bench"')) \\g /dev/null
CREATE ROLE bench_member LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('bench', 'bench_member') \\g /dev/null
-- Build the search's indexes after the data, as an upgrade of a full
-- database does: their definitions are kept and they are made again.
CREATE TABLE public.search_indexes AS
  SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE c.relname IN ('tickets_fields_idx', 'ticket_texts_text_idx', 'tickets_state_idx', 'tickets_assigned_to_idx',
                       'tickets_created_by_idx', 'tickets_created_at_idx', 'tickets_updated_at_idx',
                       'history_reached_idx');
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM public.search_indexes LOOP
    EXECUTE format('DROP INDEX tasksteper.%I', r.name);
  END LOOP;
END \$\$;
\\i $here/generate-tickets.sql
\\timing on
\\echo generating:
SELECT pg_temp.ts_generate_tickets('bench', $tickets) \\g /dev/null
\\timing off
EOF

echo "== building the indexes of 0006-search.sql"
q -At <<'EOF'
SET search_path = pg_catalog, pg_temp;
DO $$
DECLARE
  r record;
  t timestamptz;
BEGIN
  FOR r IN SELECT name, definition FROM public.search_indexes ORDER BY name LOOP
    t := clock_timestamp();
    EXECUTE r.definition;
    RAISE NOTICE '%: % s, %', r.name, round(extract(epoch FROM clock_timestamp() - t)::numeric, 1),
                 pg_size_pretty(pg_relation_size(format('tasksteper.%I', r.name)::regclass));
  END LOOP;
END
$$;
VACUUM (ANALYZE) tasksteper.tickets;
VACUUM (ANALYZE) tasksteper.history;
VACUUM (ANALYZE) tasksteper.ticket_texts;
SELECT format('tickets %s (%s with indexes), history %s rows (%s)',
              (SELECT count(*) FROM tasksteper.tickets), pg_size_pretty(pg_total_relation_size('tasksteper.tickets')),
              (SELECT count(*) FROM tasksteper.history), pg_size_pretty(pg_total_relation_size('tasksteper.history')))
       || format(', ticket_texts %s (with its index)', pg_size_pretty(pg_total_relation_size('tasksteper.ticket_texts')));
EOF

echo "== the plain copy: the same rows and indexes, no row-level security, no functions"
q -At <<'EOF'
SET search_path = pg_catalog, pg_temp;
CREATE SCHEMA plain;
CREATE TABLE plain.tickets AS SELECT * FROM tasksteper.tickets;
CREATE TABLE plain.history AS SELECT * FROM tasksteper.history;
CREATE TABLE plain.ticket_texts AS SELECT * FROM tasksteper.ticket_texts;
ALTER TABLE plain.tickets ADD PRIMARY KEY (id), ADD UNIQUE (project, number);
ALTER TABLE plain.ticket_texts ADD PRIMARY KEY (ticket_id);
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT pg_get_indexdef(i.indexrelid) AS definition
             FROM pg_index i
            WHERE i.indrelid IN ('tasksteper.tickets'::regclass, 'tasksteper.history'::regclass,
                                 'tasksteper.ticket_texts'::regclass)
              AND NOT i.indisprimary AND NOT i.indisunique LOOP
    EXECUTE replace(replace(replace(r.definition, 'ON tasksteper.tickets', 'ON plain.tickets'),
                            'ON tasksteper.history', 'ON plain.history'),
                    'ON tasksteper.ticket_texts', 'ON plain.ticket_texts');
  END LOOP;
END
$$;
-- What one would write without TaskSteper's doubling: pg_trgm on the
-- summary itself.
CREATE INDEX plain_summary_trgm_idx ON plain.tickets USING gin ((fields ->> 'summary') tasksteper_ext.gin_trgm_ops);
VACUUM (ANALYZE) plain.tickets;
VACUUM (ANALYZE) plain.history;
VACUUM (ANALYZE) plain.ticket_texts;
GRANT USAGE ON SCHEMA plain TO bench_member;
GRANT SELECT ON ALL TABLES IN SCHEMA plain TO bench_member;
EOF

# The searches: a name, the filter, and the same search written by hand
# against plain.tickets (first page: 100 rows, newest first).
cat > "$dir/searches.txt" <<'EOF'
choice equality|{"issue_level": "紧急问题"}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND fields @> '{"issue_level": "紧急问题"}' ORDER BY number DESC LIMIT 100
rare choice pair|{"class_2": "主板", "customer_type": "电网"}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND fields @> '{"class_2": "主板"}' AND fields @> '{"customer_type": "电网"}' ORDER BY number DESC LIMIT 100
Chinese in a field (2 characters)|{"summary": {"contains": "北京"}}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND EXISTS (SELECT 1 FROM plain.ticket_texts x WHERE x.ticket_id = t.id AND x.project = 'bench' AND x.text LIKE '%北北京京%') AND strpos(lower(fields ->> 'summary'), '北京') > 0 ORDER BY number DESC LIMIT 100
  the same without doubling|-|SELECT * FROM plain.tickets t WHERE project = 'bench' AND (fields ->> 'summary') ILIKE '%北京%' ORDER BY number DESC LIMIT 100
rare Chinese in a field|{"summary": {"contains": "乌鲁木齐局点磁带库"}}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND EXISTS (SELECT 1 FROM plain.ticket_texts x WHERE x.ticket_id = t.id AND x.project = 'bench' AND x.text LIKE '%乌乌鲁鲁木木齐齐局局点点磁磁带带库库%') AND strpos(lower(fields ->> 'summary'), '乌鲁木齐局点磁带库') > 0 ORDER BY number DESC LIMIT 100
  the same without doubling|-|SELECT * FROM plain.tickets t WHERE project = 'bench' AND (fields ->> 'summary') ILIKE '%乌鲁木齐局点磁带库%' ORDER BY number DESC LIMIT 100
text over all fields|{"text": "psu2"}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND EXISTS (SELECT 1 FROM plain.ticket_texts x WHERE x.ticket_id = t.id AND x.project = 'bench' AND x.text LIKE '%psu2%') AND (strpos(lower(key), 'psu2') > 0 OR strpos(lower(fields ->> 'summary'), 'psu2') > 0 OR strpos(lower(fields ->> 'detail'), 'psu2') > 0 OR strpos(lower(fields ->> 'buglist_url'), 'psu2') > 0 OR strpos(lower(fields ->> 'improvement_url'), 'psu2') > 0 OR strpos(lower(fields ->> 'release_notes'), 'psu2') > 0) ORDER BY number DESC LIMIT 100
rare text over all fields|{"text": "show_bug.cgi?id=1000042"}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND EXISTS (SELECT 1 FROM plain.ticket_texts x WHERE x.ticket_id = t.id AND x.project = 'bench' AND x.text LIKE '%show\_bug.cgi?id=1000042%') AND (strpos(lower(key), 'show_bug.cgi?id=1000042') > 0 OR strpos(lower(fields ->> 'summary'), 'show_bug.cgi?id=1000042') > 0 OR strpos(lower(fields ->> 'detail'), 'show_bug.cgi?id=1000042') > 0 OR strpos(lower(fields ->> 'buglist_url'), 'show_bug.cgi?id=1000042') > 0 OR strpos(lower(fields ->> 'improvement_url'), 'show_bug.cgi?id=1000042') > 0 OR strpos(lower(fields ->> 'release_notes'), 'show_bug.cgi?id=1000042') > 0) ORDER BY number DESC LIMIT 100
reached in a month|{"reached": {"state": "关闭", "from": "2020-03-01", "to": "2020-03-31"}}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND EXISTS (SELECT 1 FROM plain.history h WHERE h.ticket_id = t.id AND h.project = 'bench' AND h.to_state = '关闭' AND h.from_state IS DISTINCT FROM h.to_state AND h.at >= '2020-03-01 00:00+08' AND h.at < '2020-04-01 00:00+08') ORDER BY number DESC LIMIT 100
created in a month|{"created_at": {"gte": "2019-06-01", "lte": "2019-06-30"}}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND created_at >= '2019-06-01 00:00+08' AND created_at < '2019-07-01 00:00+08' ORDER BY number DESC LIMIT 100
a combination|{"issue_level": "严重问题", "summary": {"contains": "深圳"}, "reached": {"state": "关闭", "from": "2019-01-01", "to": "2019-12-31"}}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND fields @> '{"issue_level": "严重问题"}' AND EXISTS (SELECT 1 FROM plain.ticket_texts x WHERE x.ticket_id = t.id AND x.project = 'bench' AND x.text LIKE '%深深圳圳%') AND strpos(lower(fields ->> 'summary'), '深圳') > 0 AND EXISTS (SELECT 1 FROM plain.history h WHERE h.ticket_id = t.id AND h.project = 'bench' AND h.to_state = '关闭' AND h.from_state IS DISTINCT FROM h.to_state AND h.at >= '2019-01-01 00:00+08' AND h.at < '2020-01-01 00:00+08') ORDER BY number DESC LIMIT 100
open tickets of one person|{"assigned_to": "user_7", "state": ["维护人员处理", "维护代表审核", "SE分析改进"]}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND assigned_to = 'user_7' AND state IN ('维护人员处理', '维护代表审核', 'SE分析改进') ORDER BY number DESC LIMIT 100
a range on a field (no index)|{"device_count": {"gte": 150, "lte": 160}}|SELECT * FROM plain.tickets t WHERE project = 'bench' AND jsonb_typeof(fields -> 'device_count') = 'number' AND (fields -> 'device_count')::numeric BETWEEN 150 AND 160 ORDER BY number DESC LIMIT 100
EOF

# The median of $runs runs of a statement, in milliseconds, as the member,
# after one run to warm the cache; the member's session searches in the
# time zone of tests/data/search.json.
ts_bench_median_file

member() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U bench_member -d bench -f "$dir/median.sql" "$@"
}

echo
echo "== first page (100 tickets), median of $runs runs, in ms; count of all matches"
printf '%-36s %14s %12s %10s %10s\n' "search" "search_tickets" "by hand" "count ms" "matches"
while IFS='|' read -r name filter plain; do
  if [ "$filter" = "-" ]; then
    by_hand=$(member -At -c "SELECT pg_temp.median_ms(\$q\$$plain\$q\$, $runs)")
    printf '%-36s %14s %12s\n' "$name" "" "$by_hand"
    continue
  fi
  line=$(member -At -F ' ' -c "SELECT pg_temp.median_ms(format('SELECT * FROM tasksteper.search_tickets(%L, %L)', 'bench', \$q\$$filter\$q\$), $runs),
               pg_temp.median_ms(\$q\$$plain\$q\$, $runs),
               pg_temp.median_ms(format('SELECT tasksteper.count_tickets(%L, %L)', 'bench', \$q\$$filter\$q\$), 3),
               tasksteper.count_tickets('bench', \$q\$$filter\$q\$)")
  set -- $line
  printf '%-36s %14s %12s %10s %10s\n' "$name" "$1" "$2" "$3" "$4"
done < "$dir/searches.txt"

echo
echo "== plans (EXPLAIN ANALYZE of the statement search_tickets() runs, then of the one by hand)"
while IFS='|' read -r name filter plain; do
  echo
  echo "-- $name: $filter"
  if [ "$filter" != "-" ]; then
    q -At -c "SET TimeZone = 'Asia/Shanghai'" \
      -c "SELECT * FROM tasksteper.search_plan('bench', \$q\$$filter\$q\$, p_analyze => true)"
    echo "-- by hand:"
  fi
  q -At -c "SET TimeZone = 'Asia/Shanghai'" -c "EXPLAIN (ANALYZE, BUFFERS) $plain"
done < "$dir/searches.txt"

echo
echo "== search_tickets() by other orders (first page, median of $runs runs, ms)"
for order in "updated_at|true" "state|false" "issue_level|true" "device_count|false"; do
  sort=${order%|*}
  desc=${order#*|}
  ms=$(member -At -c "SELECT string_agg(f || ' ' || pg_temp.median_ms(format('SELECT * FROM tasksteper.search_tickets(%L, %L, %L, %s)', 'bench', f, '$sort', '$desc'), $runs), ', ')
          FROM unnest(ARRAY['{}', '{\"summary\": {\"contains\": \"北京\"}}']) f")
  echo "$sort $( [ "$desc" = true ] && echo descending || echo ascending): $ms"
done
