#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/change-bench.sh [TASKSTEPER-ADMIN] [SECONDS] [TICKETS]
#
# What one change costs on the server, against the bare transaction it
# must do at least, with 8 clients that are each their own login role
# (issue 15).  See bench/README.md.
#
# It starts a throwaway PostgreSQL cluster (bench/cluster.sh, fsync off),
# imports schemas/issue_track.json, makes 8 login roles bench_1 .. bench_8,
# each a member that creates 500 tickets of its own through create_ticket(),
# pads the project to TICKETS tickets (default 100000, one history row each,
# written by the superuser with triggers off), and copies tickets and
# history to plain tables with the same indexes (no functions, no
# row-level security, no triggers).  Then, for 3 rounds, each for SECONDS
# (default 10), in turn:
#   bare         one statement: UPDATE the ticket, INSERT its history row
#                (on the plain tables), one commit
#   save         tasksteper.save_ticket() of current_process
#   fire         tasksteper.fire() of the seed's 更新进展 (back to the creator)
#   bare+notify  bare with a pg_notify() of the id and version
#   bare-steps   the bare transaction statement by statement, as the issue's
#                first figures had it: BEGIN, SELECT ... FOR UPDATE, UPDATE,
#                INSERT, COMMIT (five round trips)
# Each is run as 8 pgbench processes of 1 client each in parallel, client k
# logged in as bench_k and working on bench_k's tickets (nobody waits for
# anybody's row); their tps are summed.  Prints each round, then for each
# script the median and min-max tps and of its ratio to the bare
# transaction of the same round.
#
# TS_BENCH_PROFILE=1 also loads pg_stat_statements (track = all) and prints
# the statements, nested ones included, that took the most time over all
# rounds.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
admin=${1:-$top/build/src/admin/tasksteper-admin}
seconds=${2:-10}
tickets=${3:-100000}
roles=8
per_role=500
rounds=3

for n in "$seconds" "$tickets"; do
  case $n in
    ''|*[!0-9]*) echo "change-bench: durations and counts are whole numbers, not $n" >&2; exit 2 ;;
  esac
done

prog=change-bench
. "$here/cluster.sh"
ts_bench_start
pgbench=$bindir/pgbench

if [ "${TS_BENCH_PROFILE:-0}" = 1 ]; then
  printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" >> "$dir/data/postgresql.conf"
  $as_server "$bindir/pg_ctl" -D "$dir/data" -w restart >/dev/null
  q -c "CREATE EXTENSION pg_stat_statements" >/dev/null
fi

q <<EOF
\\set project \`cat "$top/schemas/issue_track.json"\`
SELECT name FROM tasksteper.import_project(:'project'::jsonb) \\g /dev/null
EOF
k=1
while [ $k -le $roles ]; do
  q -c "CREATE ROLE bench_$k LOGIN IN ROLE tasksteper_user" \
    -c "SELECT tasksteper.add_member('issue_track', 'bench_$k')" >/dev/null
  k=$((k + 1))
done

# One statement a transaction (create_ticket() counts at most 100 changes
# in one); the roles one after the other, so each one's tickets have
# consecutive ids.
i=0
: > "$dir/create.sql"
while [ $i -lt $per_role ]; do
  echo "SELECT 1 FROM tasksteper.create_ticket('issue_track', '{\"summary\": \"【20170101】北京局点磁带库第 $i 号硬盘故障\"}');" >> "$dir/create.sql"
  i=$((i + 1))
done
k=1
while [ $k -le $roles ]; do
  "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U "bench_$k" -d bench -f "$dir/create.sql" >/dev/null
  k=$((k + 1))
done

q <<EOF
SET session_replication_role = replica;
INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by, created_at, updated_at,
                                fields)
SELECT 'issue_track', n, 'ISSUE_' || n, '维护人员处理', 'bench_' || (1 + n % $roles), 'bench_' || (1 + n % $roles),
       now(), now(), jsonb_set(t.fields, '{summary}', to_jsonb('【20170101】上海局点第 ' || n || ' 号故障'))
  FROM generate_series($((roles * per_role + 1)), greatest($tickets, $((roles * per_role)))) n,
       (SELECT fields FROM tasksteper.tickets ORDER BY id LIMIT 1) t;
INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                from_assignee, to_assignee, changes)
SELECT id, project, created_at, created_by, NULL, NULL, state, NULL, assigned_to, '{}'
  FROM tasksteper.tickets WHERE number > $((roles * per_role));
SELECT setval(number_sequence, (SELECT max(number) FROM tasksteper.tickets)) FROM tasksteper.projects \\g /dev/null
RESET session_replication_role;

CREATE SCHEMA plain;
CREATE TABLE plain.tickets (LIKE tasksteper.tickets INCLUDING ALL);
INSERT INTO plain.tickets OVERRIDING SYSTEM VALUE SELECT * FROM tasksteper.tickets;
CREATE TABLE plain.history (LIKE tasksteper.history INCLUDING ALL);
INSERT INTO plain.history OVERRIDING SYSTEM VALUE SELECT * FROM tasksteper.history;
SELECT setval(pg_get_serial_sequence('plain.history', 'id'), (SELECT max(id) FROM plain.history)) \\g /dev/null
GRANT USAGE ON SCHEMA plain TO tasksteper_user;
GRANT SELECT, UPDATE ON plain.tickets TO tasksteper_user;
GRANT INSERT ON plain.history TO tasksteper_user;
VACUUM ANALYZE;
EOF
q -Atc "SELECT 'tickets: ' || count(*) || ', history rows: ' || (SELECT count(*) FROM tasksteper.history) FROM tasksteper.tickets"

# Role k's tickets are ids lo .. lo + per_role - 1.
pick="\\set id :lo + random(0, $((per_role - 1)))"
bare_update="UPDATE plain.tickets SET fields = fields || jsonb_build_object('current_process', 'bench ' || random()),
                        version = version + 1, updated_at = clock_timestamp()
                  WHERE id = :id
              RETURNING id, project, state, assigned_to, version"
bare_insert="INSERT INTO plain.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                    from_assignee, to_assignee, changes)
             SELECT id, project, clock_timestamp(), session_user, NULL, state, state, assigned_to, assigned_to,
                    '{\"current_process\": {\"old\": \"bench\", \"new\": \"bench\"}}' FROM u"
cat > "$dir/bare.sql" <<EOF
$pick
WITH u AS ($bare_update), h AS ($bare_insert RETURNING 1) SELECT 1 FROM h;
EOF
cat > "$dir/bare+notify.sql" <<EOF
$pick
WITH u AS ($bare_update), h AS ($bare_insert RETURNING 1)
SELECT pg_notify('tasksteper', json_build_object('id', u.id, 'version', u.version)::text) FROM u, h;
EOF
# The same as the issue's first figures measured it: the transaction by
# hand, statement by statement (five round trips).
cat > "$dir/bare-steps.sql" <<EOF
$pick
BEGIN;
SELECT fields FROM plain.tickets WHERE id = :id FOR UPDATE;
UPDATE plain.tickets SET fields = fields || jsonb_build_object('current_process', 'bench ' || random()),
       version = version + 1, updated_at = clock_timestamp() WHERE id = :id;
INSERT INTO plain.history (ticket_id, project, at, actor, trigger, from_state, to_state, from_assignee, to_assignee, changes)
  VALUES (:id, 'issue_track', clock_timestamp(), session_user, NULL, '维护人员处理', '维护人员处理', session_user, session_user,
          '{"current_process": {"old": "bench", "new": "bench"}}');
COMMIT;
EOF
cat > "$dir/save.sql" <<EOF
$pick
SELECT 1 FROM tasksteper.save_ticket(:id, (SELECT version FROM tasksteper.tickets WHERE id = :id),
  jsonb_build_object('current_process', 'bench ' || random()));
EOF
cat > "$dir/fire.sql" <<EOF
$pick
SELECT 1 FROM tasksteper.fire(:id, (SELECT version FROM tasksteper.tickets WHERE id = :id), '更新进展',
  jsonb_build_object('current_process', 'bench ' || random()));
EOF

run() {
  # $1 script: the summed tps of the 8 processes (and their failures)
  k=1
  for lo in $los; do
    "$pgbench" -n -h "$dir" -U "bench_$k" -d bench -c 1 -j 1 -T "$seconds" -D lo="$lo" -f "$dir/$1.sql" \
      > "$dir/pgbench.$k.out" 2>&1 &
    k=$((k + 1))
  done
  wait
  k=1
  while [ $k -le $roles ]; do
    if ! grep -q '^tps' "$dir/pgbench.$k.out" || grep -q 'number of failed transactions: [1-9]' "$dir/pgbench.$k.out"; then
      cat "$dir/pgbench.$k.out" >&2
      exit 1
    fi
    k=$((k + 1))
  done
  cat "$dir"/pgbench.*.out | awk '/^tps/ { tps += $3 } END { printf "%.0f", tps }'
}

# The first id of each role's tickets, in the order of the roles.
los=$(q -Atc "SELECT min(id) FROM tasksteper.tickets WHERE number <= $((roles * per_role))
               GROUP BY created_by ORDER BY substr(created_by, 7)::int")
version=$(q -Atc "SELECT max(version) FROM tasksteper.migrations")
scripts="bare save fire bare+notify bare-steps"
echo "== server version $version: $roles clients, each its own login, $rounds rounds of $seconds s a script"
: > "$dir/figures"
r=1
while [ $r -le $rounds ]; do
  line="round $r:"
  for script in $scripts; do
    tps=$(run "$script")
    echo "$r $script $tps" >> "$dir/figures"
    line="$line $script $tps"
  done
  echo "$line tps"
  r=$((r + 1))
done

echo "== tps, median (min-max); ratio to the bare transaction of the same round (one statement; by steps), median (min-max); limit 0.8"
awk '
  { tps[$2, $1] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } rounds = $1 }
  function median(a, m,   i, j, t) {
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    for (s = 1; s <= n; s++) {
      name = order[s]
      for (r = 1; r <= rounds; r++) {
        t[r] = tps[name, r]; q[r] = tps[name, r] / tps["bare", r]; w[r] = tps[name, r] / tps["bare-steps", r]
      }
      mt = median(t, rounds); mq = median(q, rounds); mw = median(w, rounds)
      printf "%-12s %7.0f tps (%.0f-%.0f)", name, mt, t[1], t[rounds]
      if (name != "bare" && name != "bare-steps")
        printf "   ratio %.2f (%.2f-%.2f); to bare-steps %.2f (%.2f-%.2f)", mq, q[1], q[rounds], mw, w[1], w[rounds]
      printf "\n"
    }
  }' "$dir/figures"

q -Atc "SELECT 'history rows now: ' || count(*) FROM tasksteper.history"

if [ "${TS_BENCH_PROFILE:-0}" = 1 ]; then
  echo "== pg_stat_statements: the statements that took the most time (nested ones included)"
  q -c "SELECT round(sum(total_exec_time)::numeric, 0) AS ms, sum(calls) AS calls,
               round((sum(total_exec_time) / sum(calls))::numeric, 4) AS ms_each, toplevel AS top,
               left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
          FROM pg_stat_statements GROUP BY query, toplevel ORDER BY 1 DESC LIMIT 50"
fi
