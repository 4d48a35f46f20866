#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/change-bench.sh [TASKSTEPER-ADMIN] [SECONDS]
#
# Measures what one change costs on the server as it is now (version 10:
# the membership trigger of 0008, the comments of 0009, the form rules of
# 0010): save_ticket(), fire() (the seed's 更新进展, which goes back to its
# creator), fire() with a comment, and add_comment(), each as a member in
# its own transaction, from pgbench with 1 and 2 clients working on their
# own tickets (no waiting on each other); side by side with the bare
# transaction the same change needs on plain copies of the tables (no
# functions, no row-level security, no triggers): lock the row, UPDATE it,
# INSERT the history row.  Prints transactions per second and the mean
# latency.  See bench/README.md.
#
# It starts a throwaway PostgreSQL cluster (bench/cluster.sh), imports
# schemas/issue_track.json, makes 2000 tickets, runs each script for
# SECONDS (default 15) and removes everything when it ends.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
admin=${1:-$top/build/src/admin/tasksteper-admin}
seconds=${2:-15}
per_client=1000

case $seconds in
  ''|*[!0-9]*) echo "change-bench: the duration must be a whole number of seconds, not $seconds" >&2; exit 2 ;;
esac

prog=change-bench
. "$here/cluster.sh"
ts_bench_start
pgbench=$bindir/pgbench

q <<EOF
\\set project \`cat "$top/schemas/issue_track.json"\`
SELECT name FROM tasksteper.import_project(:'project'::jsonb) \\g /dev/null
CREATE ROLE bench_member LOGIN IN ROLE tasksteper_user;
CREATE ROLE bench_other LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('issue_track', 'bench_member') \\g /dev/null
SELECT tasksteper.add_member('issue_track', 'bench_other') \\g /dev/null
EOF

# One statement a transaction: create_ticket() counts at most 100 changes
# in one.
i=0
: > "$dir/create.sql"
while [ $i -lt $((2 * per_client)) ]; do
  echo "SELECT 1 FROM tasksteper.create_ticket('issue_track', '{\"summary\": \"【20170101】北京局点磁带库第 $i 号硬盘故障\"}');" >> "$dir/create.sql"
  i=$((i + 1))
done
q -c "SET SESSION AUTHORIZATION bench_member" -f "$dir/create.sql" >/dev/null

q <<'EOF'
CREATE SCHEMA plain;
CREATE TABLE plain.tickets AS SELECT * FROM tasksteper.tickets;
ALTER TABLE plain.tickets ADD PRIMARY KEY (id);
CREATE INDEX ON plain.tickets (project, assigned_to, updated_at DESC) WHERE NOT is_final;
CREATE TABLE plain.history (LIKE tasksteper.history INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES);
GRANT USAGE ON SCHEMA plain TO bench_member;
GRANT SELECT, UPDATE ON plain.tickets TO bench_member;
GRANT INSERT ON plain.history TO bench_member;
VACUUM ANALYZE;
EOF

# Each client keeps to its own 1000 tickets (ids client*1000+1 ..).
pick="\\set id :client_id * $per_client + random(1, $per_client)"
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
cat > "$dir/fire-comment.sql" <<EOF
$pick
SELECT 1 FROM tasksteper.fire(:id, (SELECT version FROM tasksteper.tickets WHERE id = :id), '更新进展',
  jsonb_build_object('current_process', 'bench ' || random()), '已更换硬盘，等待客户确认');
EOF
cat > "$dir/comment.sql" <<EOF
$pick
SELECT 1 FROM tasksteper.add_comment(:id, '已更换硬盘，等待客户确认');
EOF
cat > "$dir/plain.sql" <<EOF
$pick
BEGIN;
SELECT fields FROM plain.tickets WHERE id = :id FOR UPDATE;
UPDATE plain.tickets SET fields = fields || jsonb_build_object('current_process', 'bench ' || random()),
       version = version + 1, updated_at = now() WHERE id = :id;
INSERT INTO plain.history (ticket_id, project, at, actor, trigger, from_state, to_state, from_assignee, to_assignee, changes)
  VALUES (:id, 'issue_track', now(), session_user, NULL, '维护人员处理', '维护人员处理', session_user, session_user,
          '{"current_process": {"old": null, "new": "bench"}}');
COMMIT;
EOF

run() {
  # $1 script, $2 clients: "tps latency-ms"; pgbench's own words when it fails
  "$pgbench" -n -h "$dir" -U bench_member -d bench -c "$2" -j "$2" -T "$seconds" -f "$dir/$1.sql" \
    > "$dir/pgbench.out" 2>&1 || { cat "$dir/pgbench.out" >&2; exit 1; }
  awk '/^latency average/ { lat = $4 } /^tps/ { tps = $3 } END { printf "%8.0f tps %7.3f ms", tps, lat }' "$dir/pgbench.out"
}

# An older server (TASKSTEPER-ADMIN of an earlier build) has no comments:
# then only the rest is measured, for a comparison across versions.
version=$(q -Atc "SELECT max(version) FROM tasksteper.migrations")
scripts="plain save fire"
[ "$version" -ge 9 ] && scripts="$scripts fire-comment comment"

echo "== server version $version: one change a transaction, $seconds s each (tps, mean latency)"
for clients in 1 2; do
  echo "-- $clients client(s)"
  for script in $scripts; do
    printf '%-14s %s\n' "$script" "$(run "$script" "$clients")"
  done
done
q -Atc "SELECT 'history rows: ' || count(*) FROM tasksteper.history"
[ "$version" -lt 9 ] || q -Atc "SELECT 'comments: ' || count(*) FROM tasksteper.comments"
