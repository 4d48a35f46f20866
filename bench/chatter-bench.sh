#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/chatter-bench.sh [TASKSTEPER-ADMIN] [BENCH-CHATTER] [CHANGES-PER-WRITER]
#
# What an idle client sends while others work (issue 15, "no chatter"):
# 8 writers make 8 x CHANGES-PER-WRITER (default 768: 6,144) changes, each
# in a transaction of its own, first in a project the idle client is not a
# member of (issue_track), then in one it is (issue_track_b, a copy); the
# idle client is tests/bench-chatter (BENCH-CHATTER, default
# build/tests/bench-chatter, built here), a store as the desktop client
# opens it (poll every 30 s), listing its projects.  Counted by the server
# (log_statement = all for the idle role only): the statements the idle
# client sent during each phase; and what the client says it heard.
#
# The "before" is the same program built from an older tree, against that
# tree's server side: pass that tree's tasksteper-admin and bench-chatter.
#
# It starts a throwaway PostgreSQL cluster (bench/cluster.sh) and removes
# everything when it ends.  See bench/README.md.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
admin=${1:-$top/build/src/admin/tasksteper-admin}
client=${2:-}
per_writer=${3:-768}
writers=8

case $per_writer in
  ''|*[!0-9]*) echo "chatter-bench: the changes per writer must be a whole number, not $per_writer" >&2; exit 2 ;;
esac
if [ -z "$client" ]; then
  ninja -C "$top/build" tests/bench-chatter >/dev/null
  client=$top/build/tests/bench-chatter
fi
if [ ! -x "$client" ]; then
  echo "chatter-bench: $client is not a program" >&2
  exit 2
fi

prog=chatter-bench
. "$here/cluster.sh"
ts_bench_start

q <<EOF
\\set project \`cat "$top/schemas/issue_track.json"\`
SELECT name FROM tasksteper.import_project(:'project'::jsonb) \\g /dev/null
SELECT name FROM tasksteper.import_project(jsonb_set(jsonb_set(:'project'::jsonb, '{name}', '"issue_track_b"'),
                                                     '{key_prefix}', '"b"')) \\g /dev/null
CREATE ROLE bench_idle LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('issue_track_b', 'bench_idle') \\g /dev/null
ALTER ROLE bench_idle SET log_statement = 'all';
ALTER SYSTEM SET log_line_prefix = '%m [%p] %u ';
SELECT pg_reload_conf() \\g /dev/null
EOF
i=1
while [ $i -le $writers ]; do
  q <<EOF
CREATE ROLE bench_w$i LOGIN IN ROLE tasksteper_user;
SELECT tasksteper.add_member('issue_track', 'bench_w$i') \\g /dev/null
SELECT tasksteper.add_member('issue_track_b', 'bench_w$i') \\g /dev/null
SET SESSION AUTHORIZATION bench_w$i;
SELECT 1 FROM tasksteper.create_ticket('issue_track', '{"summary": "【20170101】北京局点磁带库硬盘故障"}') \\g /dev/null
SELECT 1 FROM tasksteper.create_ticket('issue_track_b', '{"summary": "【20170101】上海局点服务器电源故障"}') \\g /dev/null
EOF
  i=$((i + 1))
done

# The statements the idle client has sent so far, by the server's log.
sent() {
  grep -c ' bench_idle LOG:  \(statement\|execute\)' "$dir/server.log" || true
}

mkfifo "$dir/client.out"
"$client" "host=$dir user=bench_idle dbname=bench" > "$dir/client.out" &
client_pid=$!
exec 3< "$dir/client.out"
read -r ready <&3
echo "== the idle client: $ready"
sleep 1

# One writer: its own ticket in @1, saved $per_writer times, a transaction
# each (COMMIT in the loop).
write() {
  q -c "SET SESSION AUTHORIZATION bench_w$2" -f - <<EOF >/dev/null
DO \$\$
DECLARE
  v_id bigint := (SELECT t.id FROM tasksteper.tickets t WHERE t.project = '$1' AND t.created_by = session_user);
  v int := (SELECT t.version FROM tasksteper.tickets t WHERE t.project = '$1' AND t.created_by = session_user);
BEGIN
  FOR i IN 1 .. $per_writer LOOP
    SELECT t.version INTO v FROM tasksteper.save_ticket(v_id, v, jsonb_build_object('current_process', '第 ' || i || ' 次')) t;
    COMMIT;
  END LOOP;
END
\$\$;
EOF
}

phase() {
  project=$1
  what=$2
  before=$(sent)
  changes_before=$(q -Atc "SELECT count(*) FROM tasksteper.changes WHERE project = '$project'")
  start=$(date +%s.%N)
  i=1
  pids=""
  while [ $i -le $writers ]; do
    write "$project" $i &
    pids="$pids $!"
    i=$((i + 1))
  done
  for pid in $pids; do
    wait "$pid"
  done
  end=$(date +%s.%N)
  # The client's last catch-up: well within a second.
  sleep 2
  q -c "SELECT pg_notify('tasksteper', 'bench-report')" >/dev/null
  read -r heard <&3
  after=$(sent)
  changes=$(q -Atc "SELECT count(*) - $changes_before FROM tasksteper.changes WHERE project = '$project'")
  printf '== %s (%s): %s changes in %.1f s; the idle client sent %d statements; it says: %s\n' \
    "$project" "$what" "$changes" "$(awk "BEGIN { print $end - $start }")" $((after - before)) "$heard"
}

phase issue_track "not a member"
phase issue_track_b "a member"

q -c "SELECT pg_notify('tasksteper', 'bench-done')" >/dev/null
wait "$client_pid"
exec 3<&-
