#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/stats-bench.sh [TASKSTEPER-ADMIN] [TICKETS]
#
# Measures TaskSteper's statistics (data/sql/0007-statistics.sql) at
# 1,000,000 tickets and some 5,000,000 history rows: ticket_counts(),
# created_closed() and time_in_state() as a member, with no filter and with
# a typical one, side by side with the same query written by hand against
# plain copies of the tables (no row-level security, no functions, the same
# indexes), and their plans.  See bench/README.md.
#
# It starts a throwaway PostgreSQL cluster of its own (bench/cluster.sh),
# installs the server side with TASKSTEPER-ADMIN init (default:
# build/src/admin/tasksteper-admin), generates TICKETS tickets (default
# 1000000) with bench/generate-tickets.sql, a round trip back to the first
# state for most of those reviewed, and removes everything when it ends.  It
# needs PostgreSQL's server programs and contrib modules and about 5 GB of
# disk; it takes some 10 minutes.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
admin=${1:-$top/build/src/admin/tasksteper-admin}
tickets=${2:-1000000}
runs=${TS_BENCH_RUNS:-5}

case $tickets in
  ''|*[!0-9]*) echo "stats-bench: the number of tickets must be a whole number, not $tickets" >&2; exit 2 ;;
esac

prog=stats-bench
. "$here/cluster.sh"
ts_bench_start

echo "== $tickets tickets"
q <<EOF
\\set project \`cat "$top/tests/data/search.json"\`
SELECT name FROM tasksteper.import_project(jsonb_set((:'project'::jsonb) -> 'project', '{name}', '"bench"')) \\g /dev/null
CREATE ROLE bench_member LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('bench', 'bench_member') \\g /dev/null
-- The indexes are built after the data, as an upgrade of a full database
-- does.  The trigram index of search (0006) is not made again: no
-- statistic here uses it.
CREATE TABLE public.stats_indexes AS
  SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE c.relname IN ('tickets_fields_idx', 'tickets_state_idx', 'tickets_assigned_to_idx',
                       'tickets_created_by_idx', 'tickets_created_at_idx', 'tickets_updated_at_idx',
                       'history_reached_idx', 'history_stays_idx');
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM public.stats_indexes LOOP
    EXECUTE format('DROP INDEX tasksteper.%I', r.name);
  END LOOP;
END \$\$;
DROP INDEX tasksteper.ticket_texts_text_idx;
\\i $here/generate-tickets.sql
\\timing on
\\echo generating:
SELECT pg_temp.ts_generate_tickets('bench', $tickets) \\g /dev/null
SELECT pg_temp.ts_generate_round_trips('bench') \\g /dev/null
\\timing off
EOF

echo "== building the indexes"
q -At <<'EOF'
SET search_path = pg_catalog, pg_temp;
DO $$
DECLARE
  r record;
  t timestamptz;
BEGIN
  FOR r IN SELECT name, definition FROM public.stats_indexes ORDER BY name LOOP
    t := clock_timestamp();
    EXECUTE r.definition;
    RAISE NOTICE '%: % s, %', r.name, round(extract(epoch FROM clock_timestamp() - t)::numeric, 1),
                 pg_size_pretty(pg_relation_size(format('tasksteper.%I', r.name)::regclass));
  END LOOP;
END
$$;
VACUUM (ANALYZE) tasksteper.tickets;
VACUUM (ANALYZE) tasksteper.history;
SELECT format('tickets %s (%s with indexes), history %s rows, %s a ticket (%s with indexes)',
              (SELECT count(*) FROM tasksteper.tickets), pg_size_pretty(pg_total_relation_size('tasksteper.tickets')),
              (SELECT count(*) FROM tasksteper.history),
              round((SELECT count(*) FROM tasksteper.history)::numeric / (SELECT count(*) FROM tasksteper.tickets), 2),
              pg_size_pretty(pg_total_relation_size('tasksteper.history')));
EOF

echo "== the plain copy: the same rows and indexes, no row-level security, no functions"
q -At <<'EOF'
SET search_path = pg_catalog, pg_temp;
CREATE SCHEMA plain;
CREATE TABLE plain.tickets AS SELECT * FROM tasksteper.tickets;
CREATE TABLE plain.history AS SELECT * FROM tasksteper.history;
ALTER TABLE plain.tickets ADD PRIMARY KEY (id), ADD UNIQUE (project, number);
ALTER TABLE plain.history ADD PRIMARY KEY (id);
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT pg_get_indexdef(i.indexrelid) AS definition
             FROM pg_index i
            WHERE i.indrelid IN ('tasksteper.tickets'::regclass, 'tasksteper.history'::regclass)
              AND NOT i.indisprimary AND NOT i.indisunique LOOP
    EXECUTE replace(replace(r.definition, 'ON tasksteper.tickets', 'ON plain.tickets'),
                    'ON tasksteper.history', 'ON plain.history');
  END LOOP;
END
$$;
VACUUM (ANALYZE) plain.tickets;
VACUUM (ANALYZE) plain.history;
GRANT USAGE ON SCHEMA plain TO bench_member;
GRANT SELECT ON ALL TABLES IN SCHEMA plain TO bench_member;
EOF

# What is measured: a name, the call, its arguments for stats_plan() (the
# plan of the statement it runs), and the same query written by hand on
# plain.tickets and plain.history (days of Asia/Shanghai, as the member's
# session has them).  The typical filter: the urgent problems (10%).
f='{"issue_level": "紧急问题"}'
hand_filter="fields @> '$f'"
closed_by_hand() { # bucket from to [filter]
  echo "WITH b AS (SELECT generate_series(date_trunc('$1', '$2'::timestamp), date_trunc('$1', '$3'::timestamp), '1 $1')::date AS bucket),"\
       "c AS (SELECT date_trunc('$1', created_at::timestamp)::date AS bucket, count(*) AS n FROM plain.tickets"\
       "      WHERE project = 'bench' AND created_at >= '$2' AND created_at < date '$3' + 1 ${4:+AND $4} GROUP BY 1),"\
       "d AS (SELECT date_trunc('$1', h.at::timestamp)::date AS bucket, count(DISTINCT h.ticket_id) AS n FROM plain.history h"\
       "      WHERE h.project = 'bench' AND h.to_state = '关闭' AND h.from_state IS DISTINCT FROM h.to_state"\
       "        AND h.at >= '$2' AND h.at < date '$3' + 1"\
       "        ${4:+AND EXISTS (SELECT 1 FROM plain.tickets t WHERE t.id = h.ticket_id AND t.$4)} GROUP BY 1)"\
       "SELECT b.bucket, coalesce(c.n, 0), coalesce(d.n, 0) FROM b LEFT JOIN c USING (bucket) LEFT JOIN d USING (bucket) ORDER BY 1"
}
stays_by_hand() { # [filter]
  echo "WITH s AS (SELECT ticket_id, to_state,"\
       "             extract(epoch FROM coalesce(lead(at) OVER (PARTITION BY ticket_id ORDER BY at, id), clock_timestamp()) - at) AS secs"\
       "           FROM plain.history WHERE project = 'bench'"\
       "           ${1:+AND ticket_id IN (SELECT id FROM plain.tickets WHERE project = 'bench' AND $1)}),"\
       "p AS (SELECT ticket_id, to_state, sum(secs) AS secs FROM s GROUP BY 1, 2),"\
       "now_in AS (SELECT state, count(*) AS n FROM plain.tickets WHERE project = 'bench' ${1:+AND $1} GROUP BY 1)"\
       "SELECT p.to_state, count(*), max(now_in.n), percentile_cont(0.5) WITHIN GROUP (ORDER BY secs),"\
       "       percentile_cont(0.9) WITHIN GROUP (ORDER BY secs)"\
       "  FROM p LEFT JOIN now_in ON now_in.state = p.to_state GROUP BY 1"
}
cat > "$dir/stats.txt" <<EOF
counts by state|SELECT * FROM tasksteper.ticket_counts('bench', 'state')|'ticket_counts', 'bench', '{}', p_group_by => 'state'|SELECT state, count(*) FROM plain.tickets WHERE project = 'bench' GROUP BY 1
  with the filter|SELECT * FROM tasksteper.ticket_counts('bench', 'state', '$f')|'ticket_counts', 'bench', '$f', p_group_by => 'state'|SELECT state, count(*) FROM plain.tickets WHERE project = 'bench' AND $hand_filter GROUP BY 1
counts by a choice (customer_type)|SELECT * FROM tasksteper.ticket_counts('bench', 'customer_type')|'ticket_counts', 'bench', '{}', p_group_by => 'customer_type'|SELECT fields ->> 'customer_type', count(*) FROM plain.tickets WHERE project = 'bench' GROUP BY 1
  with the filter|SELECT * FROM tasksteper.ticket_counts('bench', 'customer_type', '$f')|'ticket_counts', 'bench', '$f', p_group_by => 'customer_type'|SELECT fields ->> 'customer_type', count(*) FROM plain.tickets WHERE project = 'bench' AND $hand_filter GROUP BY 1
counts by assignee|SELECT * FROM tasksteper.ticket_counts('bench', 'assigned_to')|'ticket_counts', 'bench', '{}', p_group_by => 'assigned_to'|SELECT assigned_to, count(*) FROM plain.tickets WHERE project = 'bench' GROUP BY 1 ORDER BY 2 DESC, 1
created/closed, 2020 by month|SELECT * FROM tasksteper.created_closed('bench', '2020-01-01', '2020-12-31', 'month')|'created_closed', 'bench', '{}', p_from => '2020-01-01', p_to => '2020-12-31', p_bucket => 'month'|$(closed_by_hand month 2020-01-01 2020-12-31)
  with the filter|SELECT * FROM tasksteper.created_closed('bench', '2020-01-01', '2020-12-31', 'month', '$f')|'created_closed', 'bench', '$f', p_from => '2020-01-01', p_to => '2020-12-31', p_bucket => 'month'|$(closed_by_hand month 2020-01-01 2020-12-31 "$hand_filter")
created/closed, 1000 days by day|SELECT * FROM tasksteper.created_closed('bench', '2019-01-01', '2021-09-26', 'day')|'created_closed', 'bench', '{}', p_from => '2019-01-01', p_to => '2021-09-26', p_bucket => 'day'|$(closed_by_hand day 2019-01-01 2021-09-26)
  with the filter|SELECT * FROM tasksteper.created_closed('bench', '2019-01-01', '2021-09-26', 'day', '$f')|'created_closed', 'bench', '$f', p_from => '2019-01-01', p_to => '2021-09-26', p_bucket => 'day'|$(closed_by_hand day 2019-01-01 2021-09-26 "$hand_filter")
created/closed, 9 years by week|SELECT * FROM tasksteper.created_closed('bench', '2015-01-01', '2023-12-31', 'week')|'created_closed', 'bench', '{}', p_from => '2015-01-01', p_to => '2023-12-31', p_bucket => 'week'|$(closed_by_hand week 2015-01-01 2023-12-31)
time in state|SELECT * FROM tasksteper.time_in_state('bench')|'time_in_state', 'bench', '{}'|$(stays_by_hand)
  with the filter|SELECT * FROM tasksteper.time_in_state('bench', '$f')|'time_in_state', 'bench', '$f'|$(stays_by_hand "$hand_filter")
EOF

ts_bench_median_file
member() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U bench_member -d bench -f "$dir/median.sql" "$@"
}

echo
echo "== median of $runs runs, in ms, as the member; rows returned"
printf '%-34s %12s %10s %6s\n' "statistic" "function" "by hand" "rows"
while IFS='|' read -r name call plan plain; do
  line=$(member -At -F ' ' -c "SELECT pg_temp.median_ms(\$q\$$call\$q\$, $runs),
               pg_temp.median_ms(\$q\$SET LOCAL work_mem = '64MB'; $plain\$q\$, $runs),
               (SELECT count(*) FROM ($call) x)")
  set -- $line
  printf '%-34s %12s %10s %6s\n' "$name" "$1" "$2" "$3"
done < "$dir/stats.txt"

echo
echo "== the rows"
for call in "SELECT * FROM tasksteper.ticket_counts('bench', 'customer_type', '$f')" \
            "SELECT * FROM tasksteper.created_closed('bench', '2020-01-01', '2020-12-31', 'month')" \
            "SELECT * FROM tasksteper.time_in_state('bench')" \
            "SELECT * FROM tasksteper.time_in_state('bench', '$f')"; do
  echo "-- $call"
  member -c "$call"
done

echo
echo "== plans (EXPLAIN ANALYZE of the statement the function runs, then of the one by hand)"
while IFS='|' read -r name call plan plain; do
  echo
  echo "-- $name: $call"
  q -At -c "SET TimeZone = 'Asia/Shanghai'" -c "SELECT * FROM tasksteper.stats_plan($plan, p_analyze => true)"
  echo "-- by hand:"
  q -At -c "SET TimeZone = 'Asia/Shanghai'" -c "SET work_mem = '64MB'" -c "EXPLAIN (ANALYZE, BUFFERS) $plain"
done < "$dir/stats.txt"
