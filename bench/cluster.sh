# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/cluster.sh: sourced by the benchmarks (search-bench.sh,
# stats-bench.sh), not run.  Before sourcing, set
#   prog     the benchmark's name, for messages
#   admin    the path of tasksteper-admin
# Then call ts_bench_start, which finds PostgreSQL's server programs
# ($TS_PG_BINDIR, else pg_config --bindir, else /usr/lib/postgresql/*/bin),
# starts a throwaway cluster of its own (initdb in a fresh directory under
# $TMPDIR, a Unix socket there, no TCP; as the "postgres" system user
# through runuser when run as root), creates the database "bench" and
# installs the server side into it with `$admin init`.  Everything is
# removed when the shell exits.  Afterwards:
#   $dir     the cluster's directory (and socket)
#   $bindir  PostgreSQL's programs; $psql its psql
#   q ARGS   psql as postgres on the database bench, stopping at an error

ts_bench_start() {
  if [ ! -x "$admin" ]; then
    echo "$prog: $admin is not a program; build first (meson setup build && ninja -C build)" >&2
    echo "or give the path of tasksteper-admin as the first argument." >&2
    exit 2
  fi

  bindir=${TS_PG_BINDIR:-}
  if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1; then
    bindir=$(pg_config --bindir)
  fi
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "$prog: PostgreSQL's server programs (initdb, pg_ctl) were not found; set TS_PG_BINDIR" >&2
    exit 2
  fi
  psql=$bindir/psql
  [ -x "$psql" ] || psql=psql

  dir=$(mktemp -d "${TMPDIR:-/tmp}/tasksteper-bench.XXXXXX")
  as_server=""
  if [ "$(id -u)" = 0 ]; then
    user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$dir"
    as_server="runuser -u $user --"
  fi
  trap ts_bench_stop EXIT
  trap 'exit 130' INT TERM

  echo "== a cluster in $dir (PostgreSQL in $bindir)"
  $as_server "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust --no-sync >/dev/null
  $as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c shared_buffers=512MB -c maintenance_work_mem=512MB -c max_wal_size=4GB \
        -c max_parallel_maintenance_workers=1 -c max_parallel_workers_per_gather=1" start >/dev/null

  "$psql" -X -q -h "$dir" -U postgres -d postgres -c "CREATE DATABASE bench" >/dev/null
  "$admin" init -d "host=$dir user=postgres dbname=bench"
  q -Atc "SELECT 'LC_CTYPE ' || datctype || ', ' || version() FROM pg_database WHERE datname = 'bench'"
}

ts_bench_stop() {
  $as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

q() {
  "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U postgres -d bench "$@"
}

# The median of N runs of a statement, in milliseconds, after one run to
# warm the cache: pg_temp.median_ms(sql, N), defined by the file
# $dir/median.sql that ts_bench_median_file writes (with the session's
# time zone set to tests/data/search.json's).
ts_bench_median_file() {
  cat > "$dir/median.sql" <<'SQL'
SET TimeZone = 'Asia/Shanghai';
CREATE FUNCTION pg_temp.median_ms(p_sql text, p_runs int) RETURNS numeric
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
  RETURN (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(times) x);
END
$f$;
SQL
}
