-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 7: statistics.  Applied by
-- `tasksteper-admin init` after the earlier versions, as a superuser, in
-- one transaction; described in docs/sql-api.md ("Statistics").
--
--   * ticket_counts(): how many tickets of a project hold each value of
--     its state, its assignee, or a field of type choice, user or boolean.
--   * created_closed(): per day, ISO week or month, how many tickets were
--     created and how many reached a final state.
--   * time_in_state(): per state, from history, how many tickets passed
--     through it, how many are in it now, and the median and 90th
--     percentile of the time they spent in it.
--
-- Each takes the search filter of version 6 and narrows its tickets with
-- it: the filter is checked, and its conditions put together, by
-- search_query() itself (the same validation, refusals TS440..TS443 and
-- SQL fragments as search_tickets() and count_tickets()).  Like those, each
-- runs as the owner after checking that the caller is a member of the
-- project (TS404 otherwise), reads that project's rows only, and runs no
-- function of the caller's.
--
-- SQLSTATEs raised (class TS), facts as JSON in DETAIL (version 5):
--   TS404 no such project, or not a member
--   TS440..TS443 the filter, as in version 6 (COLUMN: the key)
--   TS440 ticket_counts(): the grouping names no field (COLUMN: it)
--   TS442 created_closed(): a bucket, day or window that is not one
--         (COLUMN: bucket, from, to)
--   TS444 ticket_counts(): a field that cannot be grouped by (COLUMN: it)

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- Indexes.
--
-- time_in_state() walks every history row of the tickets it looks at, a
-- ticket after the other, each ticket's in the order of time: this index
-- gives them in that order, project by project, with the state entered, so
-- that the walk reads the index alone (history is append-only: its pages
-- become all-visible) and sorts nothing.  Tickets and their creation days
-- are counted on the indexes of version 6 (tickets_state_idx,
-- tickets_assigned_to_idx, tickets_created_at_idx); the closings are found
-- in history_reached_idx, which gets the state left as well, so that
-- telling a closing from a move between two final states reads no row.

CREATE INDEX history_stays_idx ON tasksteper.history (project, ticket_id, at, id) INCLUDE (to_state);

DROP INDEX tasksteper.history_reached_idx;
CREATE INDEX history_reached_idx ON tasksteper.history (project, to_state, at, ticket_id) INCLUDE (from_state)
  WHERE from_state IS DISTINCT FROM to_state;

-- ---------------------------------------------------------------------------
-- The statements.  stats_query() checks the caller and the arguments of one
-- statistic (@p_kind: 'ticket_counts', 'created_closed', 'time_in_state')
-- and puts its statement together, from fixed fragments and the filter's
-- conditions; every value of the caller's is a parameter.  The statement
-- runs with EXECUTE … USING p_project, t, j, ts, i, n, b (the filter's, as
-- in search) and these:
--   $8  text[]       the values listed first, in order (counts: the states,
--                    the choices, false and true; time_in_state: the states)
--   $9  text         counts: the field's name; created_closed: the bucket
--   $10 timestamptz  created_closed: the window's first instant;
--                    time_in_state: now
--   $11 timestamptz  created_closed: the first instant after the window
--   $12 text[]       the project's final states
--   $13 date[]       created_closed: the first days of the first and last buckets

-- Refuses a parameter of created_closed() (TS442, COLUMN @p_column).
CREATE FUNCTION tasksteper.refuse_window(p_column text, p_value text, p_message text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM tasksteper.refuse('TS442', 'bad_value',
                            jsonb_build_object('field', p_column, 'value', p_value,
                                               'expected', CASE WHEN p_column = 'bucket' THEN 'bucket' ELSE 'date' END),
                            p_message, p_column);
END
$$;

CREATE FUNCTION tasksteper.stats_query(p_kind text, p_project text, p_filter jsonb,
                                       p_group_by text DEFAULT NULL, p_from date DEFAULT NULL,
                                       p_to date DEFAULT NULL, p_bucket text DEFAULT NULL,
                                       p_check_member boolean DEFAULT true,
                                       OUT sql text, OUT t text[], OUT j jsonb[], OUT ts timestamptz[],
                                       OUT i int[], OUT n numeric[], OUT b boolean[],
                                       OUT listed text[], OUT name text, OUT since timestamptz,
                                       OUT until timestamptz, OUT finals text[], OUT buckets date[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c_head constant text := 'SELECT count(*) FROM tasksteper.tickets t WHERE ';
  q record;
  v_def jsonb;
  v_states text[];
  v_where text;     -- the filter's conditions on tickets t
  v_plain boolean;  -- the filter has none
  v_field jsonb;
  v_type text;
  v_raw text;       -- ticket_counts: the value grouped by, as stored
  v_norm text;      -- that value as a row's value: text, NULL for the empty group
  v_first date;
  v_last date;
  v_buckets numeric;
BEGIN
  -- Membership (TS404) and the filter (TS440..TS443), as count_tickets():
  -- its statement is 'SELECT count(*) FROM tasksteper.tickets t WHERE ' and
  -- the filter's conditions on t, which refer to $1 .. $7.
  q := tasksteper.search_query(p_project, p_filter, 'number', true, NULL, 100, 'count', p_check_member);
  IF left(q.sql, length(c_head)) IS DISTINCT FROM c_head THEN
    RAISE EXCEPTION 'search_query() no longer writes the statement the statistics expect: %', q.sql;
  END IF;
  v_where := substr(q.sql, length(c_head) + 1);
  v_plain := v_where = 't.project = $1';
  t := q.t; j := q.j; ts := q.ts; i := q.i; n := q.n; b := q.b;
  SELECT x.definition, x.states, x.final_states INTO v_def, v_states, finals
    FROM tasksteper.projects x WHERE x.name = p_project;

  CASE p_kind
  WHEN 'ticket_counts' THEN
    IF p_group_by IS NULL THEN
      PERFORM tasksteper.refuse('TS442', 'bad_value', jsonb_build_object('parameter', 'p_group_by'),
                                'ticket_counts() needs what to group by: state, assigned_to or the name of a field of type choice, user or boolean');
    END IF;
    IF p_group_by = 'state' THEN
      v_raw := 't.state COLLATE "C"';
      v_norm := 'CASE WHEN tasksteper.is_empty(to_jsonb(r)) THEN NULL ELSE r COLLATE "default" END';
      listed := v_states;
    ELSIF p_group_by = 'assigned_to' THEN
      v_raw := 't.assigned_to COLLATE "C"';
      v_norm := 'CASE WHEN tasksteper.is_empty(to_jsonb(r)) THEN NULL ELSE r COLLATE "default" END';
      listed := '{}';
    ELSE
      v_field := tasksteper.field_def(v_def, p_group_by);
      v_type := v_field ->> 'type';
      IF v_field IS NULL AND p_group_by NOT IN ('key', 'created_by', 'created_at', 'updated_at') THEN
        PERFORM tasksteper.refuse('TS440', 'unknown_field',
                                  jsonb_build_object('field', p_group_by, 'project', p_project, 'parameter', 'p_group_by'),
                                  coalesce((SELECT format('cannot group by “%s”: it is a label, not a field name; write “%s” (the name of the field %s)',
                                                          p_group_by, f ->> 'name', p_group_by)
                                              FROM jsonb_array_elements(v_def -> 'fields') f
                                             WHERE f ->> 'label' = p_group_by LIMIT 1),
                                           format('cannot group by “%s”: it is not a field of project %s; group by state, assigned_to or the name of a field of type choice, user or boolean',
                                                  p_group_by, p_project)),
                                  p_group_by);
      END IF;
      IF v_field IS NULL OR v_type NOT IN ('choice', 'user', 'boolean') THEN
        PERFORM tasksteper.refuse('TS444', 'group_by',
                                  jsonb_build_object('field', p_group_by, 'type', coalesce(v_type, p_group_by),
                                                     'project', p_project),
                                  format('cannot group by “%s”: %s; group by state, assigned_to or a field of type choice, user or boolean',
                                         tasksteper.filter_label(v_def, p_group_by),
                                         CASE WHEN v_field IS NULL THEN 'tickets seldom share its value'
                                              ELSE format('it is a field of type %s', v_type) END),
                                  p_group_by);
      END IF;
      name := p_group_by;
      v_raw := 't.fields -> $9';
      v_norm := 'CASE WHEN tasksteper.is_empty(r) THEN NULL ELSE r #>> ''{}'' END';
      listed := CASE v_type
                  WHEN 'choice' THEN ARRAY(SELECT c FROM jsonb_array_elements_text(v_field -> 'choices')
                                                         WITH ORDINALITY AS x(c, o) ORDER BY o)
                  WHEN 'boolean' THEN '{false,true}'::text[]
                  ELSE '{}'::text[]
                END;
    END IF;

    -- Grouped as stored (one pass over the tickets, or over the state's or
    -- assignee's index), then the few groups made values.
    sql := 'WITH raw AS (SELECT ' || v_raw || ' AS r, count(*) AS n FROM tasksteper.tickets t WHERE ' || v_where
           || E' GROUP BY 1),\n'
           || 'c AS (SELECT ' || v_norm || E' AS v, sum(n)::bigint AS n FROM raw GROUP BY 1)\n'
           || 'SELECT x.v, x.n FROM ('
           || 'SELECT d.v, coalesce(c.n, 0)::bigint AS n, 0 AS part, d.o'
           || '  FROM unnest($8) WITH ORDINALITY AS d(v, o) LEFT JOIN c ON c.v = d.v'
           || ' UNION ALL'
           || ' SELECT c.v, c.n, 1, NULL FROM c WHERE c.v IS NOT NULL AND c.v <> ALL ($8)'
           || ' UNION ALL'
           || ' SELECT NULL, c.n, 2, NULL FROM c WHERE c.v IS NULL'
           || E') x\n ORDER BY x.part, x.o, x.n DESC, x.v COLLATE "C"';

  WHEN 'created_closed' THEN
    IF p_bucket IS NULL OR p_bucket NOT IN ('day', 'week', 'month') THEN
      PERFORM tasksteper.refuse_window('bucket', p_bucket,
                                       format('a bucket is day, week or month, not %s', coalesce(p_bucket, 'nothing')));
    END IF;
    IF p_from IS NULL OR NOT p_from BETWEEN date '0001-01-01' AND date '9999-12-31' THEN
      PERFORM tasksteper.refuse_window('from', p_from::text,
                                       format('the window needs a first day between 0001-01-01 and 9999-12-31, not %s',
                                              coalesce(p_from::text, 'nothing')));
    END IF;
    IF p_to IS NULL OR NOT p_to BETWEEN date '0001-01-01' AND date '9999-12-31' THEN
      PERFORM tasksteper.refuse_window('to', p_to::text,
                                       format('the window needs a last day between 0001-01-01 and 9999-12-31, not %s',
                                              coalesce(p_to::text, 'nothing')));
    END IF;
    IF p_from > p_to THEN
      PERFORM tasksteper.refuse_window('to', p_to::text,
                                       format('the window ends on %s, before it starts on %s: give a last day after the first',
                                              p_to, p_from));
    END IF;

    v_first := date_trunc(p_bucket, p_from::timestamp)::date;
    v_last := date_trunc(p_bucket, p_to::timestamp)::date;
    v_buckets := CASE p_bucket
                   WHEN 'day' THEN v_last - v_first + 1
                   WHEN 'week' THEN (v_last - v_first) / 7 + 1
                   ELSE (extract(year FROM v_last) * 12 + extract(month FROM v_last))
                        - (extract(year FROM v_first) * 12 + extract(month FROM v_first)) + 1
                 END;
    IF v_buckets > 1000 THEN
      PERFORM tasksteper.refuse_window('from', p_from::text,
                                       format('from %s to %s is %s %ss; a chart has at most 1000: start later, or take a longer bucket',
                                              p_from, p_to, v_buckets, p_bucket));
    END IF;
    name := p_bucket;
    buckets := ARRAY[v_first, v_last];
    -- Days of the session's time zone: the window runs from the first
    -- instant of p_from to the first of the day after p_to; a row's day is
    -- its instant's, there.
    since := p_from::timestamptz;
    until := (p_to + 1)::timestamptz;

    -- Closings: history rows entering a final state from one that is not,
    -- found in history_reached_idx; then, with a filter, those of the
    -- tickets it selects.
    sql := 'WITH created AS ('
           || 'SELECT date_trunc($9, t.created_at::timestamp)::date AS bucket, count(*) AS n'
           || ' FROM tasksteper.tickets t WHERE ' || v_where
           || E'   AND t.created_at >= $10 AND t.created_at < $11 GROUP BY 1),\n'
           || 'closed AS ('
           || 'SELECT date_trunc($9, c.at::timestamp)::date AS bucket, count(DISTINCT c.ticket_id) AS n'
           || ' FROM tasksteper.history c'
           || ' WHERE c.project = $1 AND c.to_state = ANY ($12) AND c.from_state IS DISTINCT FROM c.to_state'
           || '   AND NOT coalesce(c.from_state = ANY ($12), false) AND c.at >= $10 AND c.at < $11'
           || CASE WHEN v_plain THEN ''
                   ELSE E'\n   AND EXISTS (SELECT 1 FROM tasksteper.tickets t WHERE t.id = c.ticket_id AND '
                        || v_where || ')' END
           || E' GROUP BY 1)\n'
           || 'SELECT s.s::date, coalesce(x.n, 0)::bigint, coalesce(y.n, 0)::bigint'
           || ' FROM generate_series($13[1]::timestamp, $13[2]::timestamp, (''1 '' || $9)::interval) s'
           || ' LEFT JOIN created x ON x.bucket = s.s::date LEFT JOIN closed y ON y.bucket = s.s::date'
           || ' ORDER BY 1';

  WHEN 'time_in_state' THEN
    listed := v_states;
    since := clock_timestamp();
    -- Each history row lasts until the ticket's next one (in the order of
    -- history_stays_idx), the last one until now ($10).
    sql := 'WITH stays AS ('
           || 'SELECT h.ticket_id, h.to_state,'
           || ' extract(epoch FROM coalesce(lead(h.at) OVER (PARTITION BY h.ticket_id ORDER BY h.at, h.id), $10)'
           || ' - h.at)::float8 AS secs'
           || ' FROM tasksteper.history h WHERE h.project = $1'
           || CASE WHEN v_plain THEN ''
                   ELSE E'\n   AND h.ticket_id IN (SELECT t.id FROM tasksteper.tickets t WHERE ' || v_where || ')' END
           || E'),\n'
           || E'per_ticket AS (SELECT s.ticket_id, s.to_state, sum(s.secs) AS secs FROM stays s GROUP BY 1, 2),\n'
           || 'per_state AS (SELECT p.to_state AS state, count(*) AS n,'
           || ' percentile_cont(0.5) WITHIN GROUP (ORDER BY p.secs) AS median,'
           || ' percentile_cont(0.9) WITHIN GROUP (ORDER BY p.secs) AS p90'
           || E' FROM per_ticket p GROUP BY 1),\n'
           || 'now_in AS (SELECT t.state AS state, count(*) AS n FROM tasksteper.tickets t WHERE '
           || v_where || E' GROUP BY 1),\n'
           || 'listed AS (SELECT d.state, d.o FROM unnest($8) WITH ORDINALITY AS d(state, o)'
           || ' UNION ALL'
           || ' SELECT x.state, NULL FROM (SELECT state FROM per_state UNION SELECT state FROM now_in) x'
           || E' WHERE x.state <> ALL ($8))\n'
           || 'SELECT l.state, coalesce(p.n, 0)::bigint, coalesce(c.n, 0)::bigint,'
           || ' CASE WHEN l.state = ANY ($12) THEN NULL ELSE p.median END,'
           || ' CASE WHEN l.state = ANY ($12) THEN NULL ELSE p.p90 END'
           || ' FROM listed l LEFT JOIN per_state p ON p.state = l.state LEFT JOIN now_in c ON c.state = l.state'
           || ' ORDER BY l.o NULLS LAST, l.state COLLATE "C"';

  ELSE
    RAISE EXCEPTION 'no statistic %', p_kind;
  END CASE;
END
$$;

-- Each statistic runs its statement as the owner, for the reason search
-- does (docs/sql-api.md, "How it runs, and why as the owner"), after
-- stats_query()'s checks; it reads the project the caller is a member of
-- and nothing else.

CREATE FUNCTION tasksteper.ticket_counts(p_project text, p_group_by text, p_filter jsonb DEFAULT '{}')
RETURNS TABLE (value text, tickets bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  q record;
BEGIN
  q := tasksteper.stats_query('ticket_counts', p_project, p_filter, p_group_by => p_group_by);
  RETURN QUERY EXECUTE q.sql
    USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b, q.listed, q.name, q.since, q.until, q.finals, q.buckets;
END
$$;

CREATE FUNCTION tasksteper.created_closed(p_project text, p_from date, p_to date, p_bucket text,
                                          p_filter jsonb DEFAULT '{}')
RETURNS TABLE (bucket date, created bigint, closed bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  q record;
BEGIN
  q := tasksteper.stats_query('created_closed', p_project, p_filter,
                              p_from => p_from, p_to => p_to, p_bucket => p_bucket);
  RETURN QUERY EXECUTE q.sql
    USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b, q.listed, q.name, q.since, q.until, q.finals, q.buckets;
END
$$;

-- work_mem: the per-ticket times are sorted for the percentiles, a row for
-- each ticket and state it was in (some 3,000,000 at 1,000,000 tickets).
-- enable_hashagg off: history comes in ticket order, so the sum per ticket
-- and state is an incremental sort of each ticket's few rows and a
-- streaming group, where a hash of 3,000,000 groups spills to disk
-- (bench/stats-bench.sh: some 25% less time).  Only this function's
-- statement is planned with it.
CREATE FUNCTION tasksteper.time_in_state(p_project text, p_filter jsonb DEFAULT '{}')
RETURNS TABLE (state text, tickets bigint, current bigint,
               median_seconds double precision, p90_seconds double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
SET enable_hashagg = off
AS $$
DECLARE
  q record;
BEGIN
  q := tasksteper.stats_query('time_in_state', p_project, p_filter);
  RETURN QUERY EXECUTE q.sql
    USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b, q.listed, q.name, q.since, q.until, q.finals, q.buckets;
END
$$;

-- For the database's administrator (superusers only: nothing is granted):
-- the plan of the statement a statistic runs for these arguments, as
-- EXPLAIN shows it (with @p_analyze, EXPLAIN ANALYZE, which runs it), as
-- search_plan() does for search.  @p_kind: 'ticket_counts',
-- 'created_closed' or 'time_in_state'.
CREATE FUNCTION tasksteper.stats_plan(p_kind text, p_project text, p_filter jsonb DEFAULT '{}',
                                      p_group_by text DEFAULT NULL, p_from date DEFAULT NULL,
                                      p_to date DEFAULT NULL, p_bucket text DEFAULT NULL,
                                      p_analyze boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
SET enable_hashagg = on
AS $$
DECLARE
  q record;
BEGIN
  -- Planned as time_in_state() plans it (its SET above keeps this local).
  IF p_kind = 'time_in_state' THEN
    PERFORM pg_catalog.set_config('enable_hashagg', 'off', true);
  END IF;
  q := tasksteper.stats_query(p_kind, p_project, p_filter, p_group_by, p_from, p_to, p_bucket, false);
  RETURN QUERY EXECUTE CASE WHEN p_analyze THEN 'EXPLAIN (ANALYZE, BUFFERS) ' ELSE 'EXPLAIN ' END || q.sql
    USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b, q.listed, q.name, q.since, q.until, q.finals, q.buckets;
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.

GRANT EXECUTE ON FUNCTION
  tasksteper.ticket_counts(text, text, jsonb),
  tasksteper.created_closed(text, date, date, text, jsonb),
  tasksteper.time_in_state(text, jsonb)
TO tasksteper_user;

INSERT INTO tasksteper.migrations (version) VALUES (7);
