-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 3: hardening against a member (or admin)
-- with psql who uses the public API in ways the client never would.
-- Applied by `tasksteper-admin init` after 0002-people.sql, in one
-- transaction; described in docs/sql-api.md ("Guarantees").
--
--   * Ticket numbers come from a sequence per project, so creating a ticket
--     no longer locks the project's row for the rest of the transaction:
--     members do not wait behind one another's open transactions.  A number
--     whose creation is rolled back is not reused (numbers may have gaps;
--     they stay unique).
--   * Functions that must wait for a lock wait a bounded time (lock_timeout
--     as a function attribute) and then fail with TS503 "busy, try again".
--   * Times are the time of the change (clock_timestamp()), not of the
--     transaction's start: history cannot be backdated with BEGIN and a
--     sleep.
--   * fire(), save_ticket() and create_ticket() hold the project's row
--     FOR KEY SHARE, which import_project()'s FOR UPDATE waits for: a
--     re-import sees every ticket that was moved meanwhile.  Locks are
--     taken in one order everywhere: the project, then the ticket.
--   * import_project() re-checks the whole definition in SQL
--     (check_definition()), whatever the client's validator said.
--   * At most 100 changes (creations, saves, triggers) per transaction.
--   * Memberships and display names record the role's oid: a role dropped
--     and re-created with the same name is somebody else.
--   * history is append-only for everyone, its owner included.
--
-- SQLSTATEs added (class TS):
--   TS422 import_project: the definition breaks a rule of
--         check_definition(); DETAIL lists every problem, one a line
--   TS423 add_member: a membership of a dropped role of the same name is
--         still there; remove it first
--   TS429 more than 100 changes in one transaction
--   TS503 busy: a lock could not be had in time; try again
--   42501 an UPDATE, DELETE or TRUNCATE of history, by anyone

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- Times: the moment of the change.

ALTER TABLE tasksteper.projects ALTER COLUMN created_at SET DEFAULT clock_timestamp(),
                                ALTER COLUMN updated_at SET DEFAULT clock_timestamp();
ALTER TABLE tasksteper.members ALTER COLUMN added_at SET DEFAULT clock_timestamp();
ALTER TABLE tasksteper.tickets ALTER COLUMN created_at SET DEFAULT clock_timestamp(),
                               ALTER COLUMN updated_at SET DEFAULT clock_timestamp();
ALTER TABLE tasksteper.history ALTER COLUMN at SET DEFAULT clock_timestamp();
ALTER TABLE tasksteper.people ALTER COLUMN updated_at SET DEFAULT clock_timestamp();

-- ---------------------------------------------------------------------------
-- history is append-only.  Nothing but SELECT is granted on it; these
-- triggers refuse an UPDATE, DELETE or TRUNCATE by its owner too (and by a
-- superuser, who can only get past them by dropping or disabling them:
-- ENABLE ALWAYS keeps them on under session_replication_role = replica).
-- The BEFORE INSERT trigger keeps every row's time within the statement
-- that writes it: the functions give the moment of the change (the same
-- as the ticket's updated_at), and nobody can give an earlier one.

CREATE FUNCTION tasksteper.history_append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.at IS NULL OR NOT NEW.at BETWEEN statement_timestamp() AND clock_timestamp() THEN
      NEW.at := clock_timestamp();
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'history is append-only: % is not allowed, not even for its owner', TG_OP
    USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER history_dated BEFORE INSERT ON tasksteper.history
  FOR EACH ROW EXECUTE FUNCTION tasksteper.history_append_only();
-- Per statement, so that even one that would touch no row is refused.
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON tasksteper.history
  FOR EACH STATEMENT EXECUTE FUNCTION tasksteper.history_append_only();
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON tasksteper.history
  FOR EACH STATEMENT EXECUTE FUNCTION tasksteper.history_append_only();
ALTER TABLE tasksteper.history ENABLE ALWAYS TRIGGER history_dated,
                               ENABLE ALWAYS TRIGGER history_append_only,
                               ENABLE ALWAYS TRIGGER history_no_truncate;

-- ---------------------------------------------------------------------------
-- Ticket numbers: a sequence per project, named in projects.number_sequence.
-- nextval() never waits and is not rolled back.  next_number stays as it
-- was at the upgrade (and 1 for projects imported later); it is no longer
-- the next number.

ALTER TABLE tasksteper.projects ADD COLUMN number_sequence regclass;

-- Creates the sequence of project @p_name, starting after its highest
-- ticket number, and returns it.
CREATE FUNCTION tasksteper.create_number_sequence(p_name text) RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- Project names have at most 63 bytes, like identifiers: a long one is
  -- shortened and made unique with a hash.
  v_seq text := CASE WHEN octet_length(p_name) <= 55 THEN 'numbers_' || p_name
                     ELSE 'numbers_' || left(p_name, 30) || '_' || left(md5(p_name), 16) END;
  v_next int;
BEGIN
  EXECUTE format('CREATE SEQUENCE IF NOT EXISTS tasksteper.%I AS int MINVALUE 1', v_seq);
  SELECT coalesce(max(number), 0) + 1 INTO v_next FROM tasksteper.tickets WHERE project = p_name;
  PERFORM setval(format('tasksteper.%I', v_seq)::regclass, v_next, false);
  RETURN format('tasksteper.%I', v_seq)::regclass;
END
$$;

UPDATE tasksteper.projects SET number_sequence = tasksteper.create_number_sequence(name);

-- ---------------------------------------------------------------------------
-- Role identity: the oid of the role a membership or display name was
-- given to.  Rows of roles that no longer exist at the upgrade get NULL and
-- count for nobody.

ALTER TABLE tasksteper.members ADD COLUMN member_oid oid;
UPDATE tasksteper.members m SET member_oid = r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = m.member;
ALTER TABLE tasksteper.people ADD COLUMN login_oid oid;
UPDATE tasksteper.people p SET login_oid = r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = p.login;

-- The oid of the login role @p_login, or NULL.
CREATE FUNCTION tasksteper.role_oid(p_login text) RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT oid FROM pg_catalog.pg_roles WHERE rolname = p_login
$$;

CREATE OR REPLACE FUNCTION tasksteper.my_projects() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(array_agg(project), '{}') FROM tasksteper.members
   WHERE member = session_user AND member_oid = tasksteper.role_oid(session_user)
$$;

CREATE OR REPLACE FUNCTION tasksteper.is_member(p_project text, p_who text DEFAULT session_user)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM tasksteper.members
                  WHERE project = p_project AND member = p_who AND member_oid = tasksteper.role_oid(p_who))
     AND (p_who = session_user
          OR EXISTS (SELECT 1 FROM tasksteper.members
                      WHERE project = p_project AND member = session_user
                        AND member_oid = tasksteper.role_oid(session_user))
          OR pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER'))
$$;

-- Display names of a dropped role are not shown for a new role of the
-- same name.
CREATE OR REPLACE FUNCTION tasksteper.project_members(p_project text)
RETURNS TABLE (login text, display_name text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT m.member, p.display_name
    FROM tasksteper.members m
    LEFT JOIN tasksteper.people p ON p.login = m.member AND p.login_oid = m.member_oid
   WHERE m.project = p_project
     AND m.member_oid = tasksteper.role_oid(m.member)
   ORDER BY coalesce(p.display_name, m.member), m.member
$$;

-- ---------------------------------------------------------------------------
-- The flood guard: at most 100 changes per transaction and connection,
-- counted in an unlogged table with one row per backend, which only that
-- backend ever touches (so nobody waits for anybody).

CREATE UNLOGGED TABLE tasksteper.change_counts (
  pid   int PRIMARY KEY,
  xact  xid8 NOT NULL,
  n     int NOT NULL
);
ALTER TABLE tasksteper.change_counts ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION tasksteper.count_change() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_n int;
BEGIN
  INSERT INTO tasksteper.change_counts AS c (pid, xact, n)
  VALUES (pg_backend_pid(), pg_current_xact_id(), 1)
  ON CONFLICT (pid) DO UPDATE
    SET n = CASE WHEN c.xact = EXCLUDED.xact THEN c.n + 1 ELSE 1 END, xact = EXCLUDED.xact
  RETURNING n INTO v_n;
  IF v_n > 100 THEN
    RAISE EXCEPTION 'too many changes in one transaction: at most 100 creations, saves and triggers may be made before COMMIT'
      USING ERRCODE = 'TS429', HINT = 'Commit after every change, or at least every 100 changes.';
  END IF;
END
$$;

-- An open transaction that made a change holds its project's row
-- (FOR KEY SHARE), which a re-import must wait for; one left idle is ended
-- after a minute, unless the caller chose a shorter time.
CREATE FUNCTION tasksteper.limit_idle_transaction() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_ms bigint;
BEGIN
  SELECT setting::bigint INTO v_ms FROM pg_catalog.pg_settings
   WHERE name = 'idle_in_transaction_session_timeout';
  IF v_ms = 0 OR v_ms > 60000 THEN
    PERFORM set_config('idle_in_transaction_session_timeout', '60s', true);
  END IF;
END
$$;

-- The project @p_project, locked FOR KEY SHARE: many may hold it at once,
-- and import_project() (FOR UPDATE) waits for them all.
CREATE FUNCTION tasksteper.share_project(p_project text) RETURNS tasksteper.projects
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p tasksteper.projects;
BEGIN
  SELECT * INTO p FROM tasksteper.projects WHERE name = p_project FOR KEY SHARE;
  RETURN p;
END
$$;

-- The project of the ticket @p_id when the caller may see it, else TS404.
-- Without a lock: a non-member gets their answer at once.
CREATE FUNCTION tasksteper.project_of(p_id bigint) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_project text;
BEGIN
  SELECT x.project INTO v_project FROM tasksteper.tickets x
   WHERE x.id = p_id AND tasksteper.is_member(x.project);
  IF v_project IS NULL THEN
    RAISE EXCEPTION 'there is no ticket % that you can see', p_id
      USING ERRCODE = 'TS404';
  END IF;
  RETURN v_project;
END
$$;

-- ---------------------------------------------------------------------------
-- The definition, re-checked in SQL: everything the server's integrity
-- rests on.  Returns the problems, each "PATH: what is wrong", in the order
-- found; an empty array when there are none.

CREATE FUNCTION tasksteper.is_identifier(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s ~ '^[a-z][a-z0-9_]*$' AND octet_length(s) <= 63
$$;

CREATE FUNCTION tasksteper.check_definition(p_definition jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  system_fields constant text[] := ARRAY['key', 'state', 'assigned_to', 'created_by', 'created_at', 'updated_at'];
  condition_fields constant text[] := ARRAY['key', 'state', 'assigned_to', 'created_by'];
  field_types constant text[] := ARRAY['string', 'text', 'choice', 'date', 'integer', 'boolean', 'url', 'user'];
  problems text[] := '{}';
  v_states text[] := '{}';
  v_fields jsonb := '{}';   -- name → definition, of the fields that passed
  v_pairs text[] := '{}';   -- "source\ttrigger" seen
  el record;
  item record;
  clause record;
  f jsonb;
  tr jsonb;
  path text;
  v_name text;
  v_type text;
  v_sources text[];
  problem text;
  s text;
BEGIN
  IF jsonb_typeof(p_definition) IS DISTINCT FROM 'object' THEN
    RETURN ARRAY['$: a project definition is a JSON object'];
  END IF;

  IF p_definition -> 'tasksteper' IS DISTINCT FROM '1'::jsonb THEN
    problems := problems || '$.tasksteper: must be the number 1'::text;
  END IF;
  IF jsonb_typeof(p_definition -> 'name') IS DISTINCT FROM 'string'
     OR NOT tasksteper.is_identifier(p_definition ->> 'name') THEN
    problems := problems || '$.name: must be lower-case ASCII letters, digits and “_”, starting with a letter, at most 63 bytes'::text;
  END IF;
  IF jsonb_typeof(p_definition -> 'title') IS DISTINCT FROM 'string' THEN
    problems := problems || '$.title: must be a string'::text;
  END IF;
  IF p_definition ? 'key_prefix'
     AND (jsonb_typeof(p_definition -> 'key_prefix') IS DISTINCT FROM 'string'
          OR (p_definition ->> 'key_prefix') !~ '^[A-Za-z][A-Za-z0-9_]{0,31}$') THEN
    problems := problems || '$.key_prefix: must be ASCII letters, digits and “_”, starting with a letter, at most 32 characters'::text;
  END IF;

  -- States.
  IF jsonb_typeof(p_definition -> 'states') IS DISTINCT FROM 'array'
     OR jsonb_array_length(p_definition -> 'states') = 0 THEN
    problems := problems || '$.states: must be a list of at least one state name'::text;
  ELSE
    FOR el IN SELECT value, ordinality - 1 AS i
                FROM jsonb_array_elements(p_definition -> 'states') WITH ORDINALITY LOOP
      path := format('$.states[%s]', el.i);
      IF jsonb_typeof(el.value) IS DISTINCT FROM 'string' THEN
        problems := problems || format('%s: a state must be a string', path);
        CONTINUE;
      END IF;
      s := el.value #>> '{}';
      IF tasksteper.is_empty(el.value) THEN
        problems := problems || format('%s: a state name cannot be blank', path);
      ELSIF char_length(s) > 100 THEN
        problems := problems || format('%s: a state name may have at most 100 characters', path);
      ELSIF s = ANY (v_states) THEN
        problems := problems || format('%s: the state “%s” is listed twice', path, s);
      ELSE
        v_states := v_states || s;
      END IF;
    END LOOP;
  END IF;

  -- Fields.
  IF jsonb_typeof(p_definition -> 'fields') IS DISTINCT FROM 'array'
     OR jsonb_array_length(p_definition -> 'fields') = 0 THEN
    problems := problems || '$.fields: must be a list of at least one field'::text;
  ELSE
    FOR el IN SELECT value, ordinality - 1 AS i
                FROM jsonb_array_elements(p_definition -> 'fields') WITH ORDINALITY LOOP
      path := format('$.fields[%s]', el.i);
      f := el.value;
      IF jsonb_typeof(f) IS DISTINCT FROM 'object' THEN
        problems := problems || format('%s: a field must be an object', path);
        CONTINUE;
      END IF;
      v_name := f ->> 'name';
      v_type := f ->> 'type';
      IF jsonb_typeof(f -> 'name') IS DISTINCT FROM 'string' OR NOT tasksteper.is_identifier(v_name) THEN
        problems := problems || format('%s.name: must be lower-case ASCII letters, digits and “_”, starting with a letter, at most 63 bytes', path);
        CONTINUE;
      END IF;
      IF v_name = ANY (system_fields) THEN
        problems := problems || format('%s.name: “%s” is a system field', path, v_name);
        CONTINUE;
      END IF;
      IF v_fields ? v_name THEN
        problems := problems || format('%s.name: the field name “%s” is used twice', path, v_name);
        CONTINUE;
      END IF;
      IF jsonb_typeof(f -> 'type') IS DISTINCT FROM 'string' OR NOT v_type = ANY (field_types) THEN
        problems := problems || format('%s.type: must be one of %s', path, array_to_string(field_types, ', '));
        CONTINUE;
      END IF;
      IF f ? 'label' AND jsonb_typeof(f -> 'label') IS DISTINCT FROM 'string' THEN
        problems := problems || format('%s.label: must be a string', path);
        CONTINUE;
      END IF;
      IF (f ? 'required' AND jsonb_typeof(f -> 'required') IS DISTINCT FROM 'boolean')
         OR (f ? 'readonly' AND jsonb_typeof(f -> 'readonly') IS DISTINCT FROM 'boolean') THEN
        problems := problems || format('%s: “required” and “readonly” must be true or false', path);
        CONTINUE;
      END IF;
      IF f ? 'max_length' AND (v_type NOT IN ('string', 'text')
                               OR jsonb_typeof(f -> 'max_length') IS DISTINCT FROM 'number'
                               OR (f ->> 'max_length') !~ '^[0-9]{1,7}$'
                               OR (f ->> 'max_length')::int NOT BETWEEN 1 AND 1000000) THEN
        problems := problems || format('%s.max_length: a string or text field’s maximum length, a whole number from 1 to 1000000', path);
        CONTINUE;
      END IF;
      IF (f ? 'min' OR f ? 'max') AND v_type <> 'integer' THEN
        problems := problems || format('%s: “min” and “max” apply to integer fields only', path);
        CONTINUE;
      END IF;
      IF (f ? 'min' AND (jsonb_typeof(f -> 'min') IS DISTINCT FROM 'number' OR (f ->> 'min') !~ '^-?[0-9]{1,19}$'))
         OR (f ? 'max' AND (jsonb_typeof(f -> 'max') IS DISTINCT FROM 'number' OR (f ->> 'max') !~ '^-?[0-9]{1,19}$')) THEN
        problems := problems || format('%s: “min” and “max” must be whole numbers', path);
        CONTINUE;
      END IF;
      IF f ? 'min' AND f ? 'max' AND (f ->> 'max')::numeric < (f ->> 'min')::numeric THEN
        problems := problems || format('%s.max: is less than “min”', path);
        CONTINUE;
      END IF;
      IF v_type = 'choice' THEN
        IF jsonb_typeof(f -> 'choices') IS DISTINCT FROM 'array' OR jsonb_array_length(f -> 'choices') = 0
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(f -> 'choices') c
                       WHERE jsonb_typeof(c) <> 'string' OR c #>> '{}' = '' OR char_length(c #>> '{}') > 200)
           OR (SELECT count(DISTINCT c) <> count(*) FROM jsonb_array_elements(f -> 'choices') c) THEN
          problems := problems || format('%s.choices: must be a list of distinct, non-empty strings of at most 200 characters', path);
          CONTINUE;
        END IF;
      ELSIF f ? 'choices' THEN
        problems := problems || format('%s.choices: applies to choice fields only', path);
        CONTINUE;
      END IF;
      IF f ? 'default' AND jsonb_typeof(f -> 'default') IN ('object', 'array') THEN
        problems := problems || format('%s.default: must be a single value', path);
        CONTINUE;
      END IF;
      problem := tasksteper.check_value(f, f -> 'default');
      IF problem IS NOT NULL THEN
        problems := problems || format('%s.default: %s', path, problem);
        CONTINUE;
      END IF;
      v_fields := v_fields || jsonb_build_object(v_name, f);
    END LOOP;
  END IF;

  -- Transitions.
  IF jsonb_typeof(p_definition -> 'transitions') IS DISTINCT FROM 'array' THEN
    problems := problems || '$.transitions: must be a list'::text;
    RETURN problems;
  END IF;
  FOR el IN SELECT value, ordinality - 1 AS i
              FROM jsonb_array_elements(p_definition -> 'transitions') WITH ORDINALITY LOOP
    path := format('$.transitions[%s]', el.i);
    tr := el.value;
    IF jsonb_typeof(tr) IS DISTINCT FROM 'object' THEN
      problems := problems || format('%s: a transition must be an object', path);
      CONTINUE;
    END IF;

    v_sources := NULL;
    IF jsonb_typeof(tr -> 'source') = 'string' THEN
      v_sources := ARRAY[tr ->> 'source'];
    ELSIF jsonb_typeof(tr -> 'source') = 'array' AND jsonb_array_length(tr -> 'source') > 0
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(tr -> 'source') x WHERE jsonb_typeof(x) <> 'string') THEN
      SELECT array_agg(x) INTO v_sources FROM jsonb_array_elements_text(tr -> 'source') x;
    END IF;
    IF v_sources IS NULL THEN
      problems := problems || format('%s.source: must be a state name or a non-empty list of state names', path);
    ELSE
      FOREACH s IN ARRAY v_sources LOOP
        IF NOT s = ANY (v_states) THEN
          problems := problems || format('%s.source: unknown state “%s”', path, s);
        END IF;
      END LOOP;
    END IF;

    IF jsonb_typeof(tr -> 'dest') IS DISTINCT FROM 'string' OR NOT (tr ->> 'dest') = ANY (v_states) THEN
      problems := problems || format('%s.dest: must be one of the states, not %s', path, coalesce(tr ->> 'dest', 'nothing'));
    END IF;

    IF jsonb_typeof(tr -> 'trigger') IS DISTINCT FROM 'string' OR tasksteper.is_empty(tr -> 'trigger')
       OR char_length(tr ->> 'trigger') > 100 THEN
      problems := problems || format('%s.trigger: must be a non-empty string of at most 100 characters', path);
    ELSIF v_sources IS NOT NULL THEN
      FOREACH s IN ARRAY v_sources LOOP
        IF (s || E'\t' || (tr ->> 'trigger')) = ANY (v_pairs) THEN
          problems := problems || format('%s.trigger: “%s” from “%s” is defined twice', path, tr ->> 'trigger', s);
        ELSE
          v_pairs := v_pairs || (s || E'\t' || (tr ->> 'trigger'));
        END IF;
      END LOOP;
    END IF;

    IF tr ? 'trans_condition' AND jsonb_typeof(tr -> 'trans_condition') <> 'null' THEN
      IF jsonb_typeof(tr -> 'trans_condition') <> 'object' THEN
        problems := problems || format('%s.trans_condition: must be an object', path);
      ELSE
        FOR clause IN SELECT key, value FROM jsonb_each(tr -> 'trans_condition') LOOP
          IF NOT (v_fields ? clause.key OR clause.key = ANY (condition_fields)) THEN
            problems := problems || format('%s.trans_condition.%s: not a field of the project', path, clause.key);
          ELSIF NOT (jsonb_typeof(clause.value) IN ('string', 'number', 'boolean')
                     OR (jsonb_typeof(clause.value) = 'array' AND jsonb_array_length(clause.value) > 0
                         AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(clause.value) x
                                          WHERE jsonb_typeof(x) NOT IN ('string', 'number', 'boolean')))
                     OR clause.value IN ('{"empty": true}'::jsonb, '{"not_empty": true}'::jsonb)) THEN
            problems := problems || format('%s.trans_condition.%s: must be a value, a list of values, {"empty": true} or {"not_empty": true}',
                                           path, clause.key);
          END IF;
        END LOOP;
      END IF;
    END IF;

    IF tr ? 'require' AND jsonb_typeof(tr -> 'require') <> 'null' THEN
      IF jsonb_typeof(tr -> 'require') <> 'array'
         OR EXISTS (SELECT 1 FROM jsonb_array_elements(tr -> 'require') x
                     WHERE jsonb_typeof(x) <> 'string' OR NOT v_fields ? (x #>> '{}')) THEN
        problems := problems || format('%s.require: must be a list of the project’s field names', path);
      END IF;
    END IF;

    IF tr ? 'trans_action' AND jsonb_typeof(tr -> 'trans_action') <> 'null' THEN
      IF jsonb_typeof(tr -> 'trans_action') <> 'object' THEN
        problems := problems || format('%s.trans_action: must be an object', path);
        CONTINUE;
      END IF;
      FOR item IN SELECT key FROM jsonb_object_keys(tr -> 'trans_action') key
                   WHERE key NOT IN ('assign_to', 'set') LOOP
        problems := problems || format('%s.trans_action.%s: unknown action (use “assign_to” and “set”)', path, item.key);
      END LOOP;
      IF tr -> 'trans_action' ? 'assign_to' THEN
        s := tr -> 'trans_action' ->> 'assign_to';
        IF jsonb_typeof(tr -> 'trans_action' -> 'assign_to') IS DISTINCT FROM 'string'
           OR NOT (s = 'created_by' OR v_fields -> s ->> 'type' IS NOT DISTINCT FROM 'user') THEN
          problems := problems || format('%s.trans_action.assign_to: must be “created_by” or the name of a user field', path);
        END IF;
      END IF;
      IF tr -> 'trans_action' ? 'set' THEN
        IF jsonb_typeof(tr -> 'trans_action' -> 'set') IS DISTINCT FROM 'object' THEN
          problems := problems || format('%s.trans_action.set: must be an object of field names and values', path);
        ELSE
          FOR item IN SELECT key, value FROM jsonb_each(tr -> 'trans_action' -> 'set') LOOP
            IF NOT v_fields ? item.key THEN
              problems := problems || format('%s.trans_action.set.%s: not a field of the project', path, item.key);
            ELSIF jsonb_typeof(item.value) IN ('object', 'array') THEN
              problems := problems || format('%s.trans_action.set.%s: must be a single value', path, item.key);
            ELSE
              problem := tasksteper.check_value(v_fields -> item.key, item.value);
              IF problem IS NOT NULL THEN
                problems := problems || format('%s.trans_action.set.%s: %s', path, item.key, problem);
              END IF;
            END IF;
          END LOOP;
        END IF;
      END IF;
    END IF;
  END LOOP;

  RETURN problems;
END
$$;

-- ---------------------------------------------------------------------------
-- The public functions, again: each locks the project (FOR KEY SHARE), then
-- the ticket; waits at most 2 s for either (TS503); counts towards the
-- flood guard; dates what it writes with clock_timestamp().

CREATE OR REPLACE FUNCTION tasksteper.create_ticket(p_project text, p_fields jsonb DEFAULT '{}')
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  p tasksteper.projects;
  vals jsonb;
  v_number int;
  v_now timestamptz;
  t tasksteper.tickets;
BEGIN
  IF NOT tasksteper.is_member(p_project) THEN
    RAISE EXCEPTION 'there is no project % that you are a member of', p_project
      USING ERRCODE = 'TS404';
  END IF;

  BEGIN
    p := tasksteper.share_project(p_project);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'project % is busy (being re-imported): try again', p_project
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;

  vals := tasksteper.apply_patch(p, tasksteper.initial_values(p.definition), p_fields);
  PERFORM tasksteper.check_required(p, vals);
  PERFORM tasksteper.count_change();
  PERFORM tasksteper.limit_idle_transaction();

  -- Only now, so that a refused creation uses up no number.
  v_number := nextval(p.number_sequence);
  v_now := clock_timestamp();

  INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by, is_final, fields,
                                  created_at, updated_at)
  VALUES (p.name, v_number, p.key_prefix || '_' || v_number, p.states[1],
          session_user, session_user, p.states[1] = ANY (p.final_states), vals, v_now, v_now)
  RETURNING * INTO t;

  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, v_now, session_user, NULL, NULL, t.state, NULL, t.assigned_to,
          tasksteper.diff('{}', vals));

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.save_ticket(p_id bigint, p_version int, p_fields jsonb)
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  t tasksteper.tickets;
  p tasksteper.projects;
  vals jsonb;
  changes jsonb;
  v_now timestamptz;
BEGIN
  BEGIN
    p := tasksteper.share_project(tasksteper.project_of(p_id));
    t := tasksteper.lock_for_change(p_id, p_version);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'ticket % is busy (being changed, or its project re-imported): try again', p_id
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;

  vals := tasksteper.apply_patch(p, t.fields, p_fields);
  PERFORM tasksteper.check_required(p, vals);
  changes := tasksteper.diff(t.fields, vals);

  IF changes = '{}' THEN
    RETURN t;  -- nothing to save; the version stays
  END IF;

  PERFORM tasksteper.count_change();
  PERFORM tasksteper.limit_idle_transaction();

  v_now := clock_timestamp();
  UPDATE tasksteper.tickets
     SET fields = vals, version = version + 1, updated_at = v_now
   WHERE id = t.id
  RETURNING * INTO t;

  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, v_now, session_user, NULL, t.state, t.state, t.assigned_to, t.assigned_to, changes);

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.fire(p_id bigint, p_version int, p_trigger text, p_fields jsonb DEFAULT '{}')
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  t tasksteper.tickets;
  p tasksteper.projects;
  tr jsonb;
  vals jsonb;
  failing text;
  required text;
  assign_to text;
  new_assignee text;
  new_state text;
  set_item record;
  v_now timestamptz;
BEGIN
  -- The project first (the definition this trigger follows stays until we
  -- commit), then the ticket: the order import_project() takes them in.
  BEGIN
    p := tasksteper.share_project(tasksteper.project_of(p_id));
    t := tasksteper.lock_for_change(p_id, p_version);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'ticket % is busy (being changed, or its project re-imported): try again', p_id
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;

  SELECT x INTO tr
    FROM jsonb_array_elements(p.definition -> 'transitions') x
   WHERE x ->> 'trigger' = p_trigger
     AND (CASE jsonb_typeof(x -> 'source') WHEN 'array' THEN (x -> 'source') ? t.state
                                           ELSE x ->> 'source' = t.state END)
   LIMIT 1;
  IF tr IS NULL THEN
    RAISE EXCEPTION '“%” is not a trigger of the state “%” (ticket %)', p_trigger, t.state, t.key
      USING ERRCODE = 'TS410';
  END IF;

  vals := tasksteper.apply_patch(p, t.fields, p_fields);
  PERFORM tasksteper.check_required(p, vals);

  failing := tasksteper.failing_clause(tr -> 'trans_condition', t.key, t.state, t.assigned_to,
                                       t.created_by, vals);
  IF failing IS NOT NULL THEN
    RAISE EXCEPTION '“%” is not possible now: the condition on “%” does not hold',
                    p_trigger, tasksteper.label_of(p.definition, failing)
      USING ERRCODE = 'TS412', COLUMN = failing;
  END IF;

  FOR required IN SELECT jsonb_array_elements_text(coalesce(tr -> 'require', '[]')) LOOP
    IF tasksteper.is_empty(vals -> required) THEN
      RAISE EXCEPTION '“%” needs “%”: fill it in first', p_trigger, tasksteper.label_of(p.definition, required)
        USING ERRCODE = 'TS428', COLUMN = required;
    END IF;
  END LOOP;

  new_assignee := t.assigned_to;
  assign_to := tr -> 'trans_action' ->> 'assign_to';
  IF assign_to = 'created_by' THEN
    new_assignee := t.created_by;
  ELSIF assign_to IS NOT NULL THEN
    IF tasksteper.is_empty(vals -> assign_to) THEN
      RAISE EXCEPTION '“%” goes to the person in “%”, which is empty: fill it in first',
                      p_trigger, tasksteper.label_of(p.definition, assign_to)
        USING ERRCODE = 'TS428', COLUMN = assign_to;
    END IF;
    new_assignee := vals ->> assign_to;
  END IF;
  -- FOR KEY SHARE: a concurrent remove_member() waits for this transaction
  -- and then counts the ticket it leaves with that person.  The role must
  -- be the one that was made a member, not a new one of the same name.
  BEGIN
    PERFORM 1 FROM tasksteper.members
      WHERE project = p.name AND member = new_assignee
        AND member_oid = tasksteper.role_oid(new_assignee)
      FOR KEY SHARE;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'the membership of % in % is being changed: try again', new_assignee, p.name
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% is not a member of project %, so the ticket cannot go to them',
                    new_assignee, p.name
      USING ERRCODE = 'TS422', COLUMN = coalesce(assign_to, 'assigned_to'),
            HINT = 'Pick one of the project''s members, or ask an admin to add this person.';
  END IF;

  FOR set_item IN SELECT key, value FROM jsonb_each(coalesce(tr -> 'trans_action' -> 'set', '{}')) LOOP
    vals := jsonb_set(vals, ARRAY[set_item.key], set_item.value, true);
  END LOOP;

  new_state := tr ->> 'dest';

  PERFORM tasksteper.count_change();
  PERFORM tasksteper.limit_idle_transaction();

  v_now := clock_timestamp();
  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, v_now, session_user, p_trigger, t.state, new_state, t.assigned_to, new_assignee,
          tasksteper.diff(t.fields, vals));

  UPDATE tasksteper.tickets
     SET fields = vals, state = new_state, assigned_to = new_assignee,
         is_final = new_state = ANY (p.final_states),
         version = version + 1, updated_at = v_now
   WHERE id = t.id
  RETURNING * INTO t;

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

-- ---------------------------------------------------------------------------
-- Administration.  Waits at most 3 s for a lock (TS503).

CREATE OR REPLACE FUNCTION tasksteper.import_project(p_definition jsonb, p_state_map jsonb DEFAULT '{}')
RETURNS tasksteper.projects
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  p tasksteper.projects;
  v_name text := p_definition ->> 'name';
  v_states text[];
  v_finals text[];
  v_prefix text;
  problems text[];
  stranded text;
  mapped record;
  t tasksteper.tickets;
  v_now timestamptz;
BEGIN
  p_state_map := coalesce(p_state_map, '{}');
  problems := tasksteper.check_definition(p_definition);
  IF cardinality(problems) > 0 THEN
    RAISE EXCEPTION 'not a valid TaskSteper project definition: % problem(s)', cardinality(problems)
      USING ERRCODE = 'TS422', DETAIL = array_to_string(problems, E'\n'),
            HINT = 'Check it with tasksteper-admin validate FILE first.';
  END IF;
  IF jsonb_typeof(p_state_map) IS DISTINCT FROM 'object'
     OR EXISTS (SELECT 1 FROM jsonb_each(p_state_map) m WHERE jsonb_typeof(m.value) <> 'string') THEN
    RAISE EXCEPTION 'the state map must be an object of old state → new state names'
      USING ERRCODE = 'TS422';
  END IF;

  SELECT array_agg(s ORDER BY i) INTO v_states
    FROM jsonb_array_elements_text(p_definition -> 'states') WITH ORDINALITY AS x(s, i);
  SELECT coalesce(array_agg(s), '{}') INTO v_finals
    FROM unnest(v_states) s
   WHERE NOT EXISTS (
     SELECT 1 FROM jsonb_array_elements(p_definition -> 'transitions') tr
      WHERE CASE jsonb_typeof(tr -> 'source') WHEN 'array' THEN (tr -> 'source') ? s
                                               ELSE tr ->> 'source' = s END);
  v_prefix := coalesce(p_definition ->> 'key_prefix', v_name);

  -- FOR UPDATE waits for every fire(), save_ticket() and create_ticket()
  -- in progress in the project (they hold it FOR KEY SHARE), so the check
  -- for stranded tickets below sees where they left their tickets.
  BEGIN
    SELECT * INTO p FROM tasksteper.projects WHERE name = v_name FOR UPDATE;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'project % is busy (tickets are being changed): try again', v_name
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same import can be run again.';
  END;
  IF NOT FOUND THEN
    INSERT INTO tasksteper.projects (name, title, definition, key_prefix, states, final_states)
    VALUES (v_name, p_definition ->> 'title', p_definition, v_prefix, v_states, v_finals)
    RETURNING * INTO p;
    UPDATE tasksteper.projects SET number_sequence = tasksteper.create_number_sequence(v_name)
     WHERE name = v_name
    RETURNING * INTO p;
    RETURN p;
  END IF;

  -- Every state that tickets are in must survive, or be mapped.
  FOR mapped IN SELECT key, value #>> '{}' AS dest FROM jsonb_each(p_state_map) LOOP
    IF NOT mapped.dest = ANY (v_states) THEN
      RAISE EXCEPTION 'cannot map state “%” to “%”: the new definition has no state “%”',
                      mapped.key, mapped.dest, mapped.dest
        USING ERRCODE = 'TS422';
    END IF;
  END LOOP;

  SELECT string_agg(format('“%s” (%s tickets)', state, n), ', ') INTO stranded
    FROM (SELECT state, count(*) AS n FROM tasksteper.tickets
           WHERE project = v_name AND NOT state = ANY (v_states)
             AND NOT p_state_map ? state
           GROUP BY state ORDER BY state) s;
  IF stranded IS NOT NULL THEN
    RAISE EXCEPTION 'the new definition of % removes states that tickets are in: %', v_name, stranded
      USING ERRCODE = 'TS424',
            HINT = 'Map each to a state of the new definition, e.g. --map-state OLD=NEW.';
  END IF;

  BEGIN
    FOR t IN SELECT * FROM tasksteper.tickets
              WHERE project = v_name AND p_state_map ? state
                AND p_state_map ->> state IS DISTINCT FROM state
              FOR UPDATE LOOP
      v_now := clock_timestamp();
      UPDATE tasksteper.tickets
         SET state = p_state_map ->> t.state, version = version + 1, updated_at = v_now
       WHERE id = t.id;
      INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                      from_assignee, to_assignee, changes)
      VALUES (t.id, t.project, v_now, session_user, NULL, t.state, p_state_map ->> t.state,
              t.assigned_to, t.assigned_to, '{}');
    END LOOP;

    -- New fields start at their default; removed fields keep their data.
    UPDATE tasksteper.tickets
       SET fields = tasksteper.initial_values(p_definition) || fields,
           key = v_prefix || '_' || number,
           is_final = state = ANY (v_finals)
     WHERE project = v_name;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'project % is busy (tickets are being changed): try again', v_name
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same import can be run again.';
  END;

  UPDATE tasksteper.projects
     SET title = p_definition ->> 'title', definition = p_definition, revision = revision + 1,
         key_prefix = v_prefix, states = v_states, final_states = v_finals,
         updated_at = clock_timestamp()
   WHERE name = v_name
  RETURNING * INTO p;

  -- One announcement for the re-import: clients re-read their projects.
  -- It names no project, since anyone may listen.
  PERFORM pg_notify('tasksteper', '{"reimport": true}');

  RETURN p;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.add_member(p_project text, p_member text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  v_oid oid;
  v_old oid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tasksteper.projects WHERE name = p_project) THEN
    RAISE EXCEPTION 'there is no project %', p_project USING ERRCODE = 'TS404';
  END IF;
  -- A direct member of tasksteper_user that can log in; pg_has_role() would
  -- also say yes for a superuser, who is not a TaskSteper user.
  SELECT r.oid INTO v_oid
    FROM pg_catalog.pg_roles r
    JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
   WHERE r.rolname = p_member AND r.rolcanlogin AND NOT r.rolsuper
     AND g.rolname = 'tasksteper_user';
  IF v_oid IS NULL THEN
    RAISE EXCEPTION '% is not a TaskSteper user', p_member
      USING ERRCODE = 'TS404', HINT = 'Add them first with tasksteper-admin user add NAME.';
  END IF;

  BEGIN
    SELECT member_oid INTO v_old FROM tasksteper.members WHERE project = p_project AND member = p_member;
    IF FOUND AND v_old IS DISTINCT FROM v_oid THEN
      RAISE EXCEPTION '% was a member of project % as a role that has since been dropped; the new role of that name is someone else',
                      p_member, p_project
        USING ERRCODE = 'TS423',
              HINT = 'Remove the old membership first (tasksteper-admin member remove), which also says how many tickets the old role still holds.';
    END IF;
    INSERT INTO tasksteper.members (project, member, member_oid) VALUES (p_project, p_member, v_oid)
    ON CONFLICT DO NOTHING;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'project % is busy (being re-imported, or its members changed): try again', p_project
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.remove_member(p_project text, p_member text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  held bigint;
BEGIN
  BEGIN
    DELETE FROM tasksteper.members WHERE project = p_project AND member = p_member;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'a ticket of project % is being passed to %: try again', p_project, p_member
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% is not a member of project %', p_member, p_project USING ERRCODE = 'TS404';
  END IF;
  -- Returned so the admin can reassign what they still hold.
  SELECT count(*) INTO held FROM tasksteper.tickets
   WHERE project = p_project AND assigned_to = p_member AND NOT is_final;
  RETURN held;
END
$$;

-- As in version 2, and the name now belongs to the role's oid.
CREATE OR REPLACE FUNCTION tasksteper.set_display_name(p_login text, p_display_name text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  v_name text := nullif(p_display_name, '');
  v_oid oid;
  problem text;
BEGIN
  IF v_name IS NULL THEN
    DELETE FROM tasksteper.people WHERE login = p_login;
    IF FOUND THEN
      PERFORM pg_notify('tasksteper', '{"people": true}');
      RETURN;
    END IF;
  END IF;

  SELECT r.oid INTO v_oid
    FROM pg_catalog.pg_roles r
    JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
   WHERE r.rolname = p_login AND r.rolcanlogin AND NOT r.rolsuper
     AND g.rolname = 'tasksteper_user';
  IF v_oid IS NULL THEN
    RAISE EXCEPTION '% is not a TaskSteper user', p_login
      USING ERRCODE = 'TS404', HINT = 'Add them first with tasksteper-admin user add NAME.';
  END IF;

  IF v_name IS NULL THEN
    RETURN;  -- a user without a name: nothing to clear
  END IF;

  v_name := normalize(v_name, NFC);
  problem := tasksteper.check_display_name(v_name);
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION '%', problem
      USING ERRCODE = 'TS422', COLUMN = 'display_name';
  END IF;

  INSERT INTO tasksteper.people AS x (login, display_name, login_oid)
  VALUES (p_login, v_name, v_oid)
  ON CONFLICT (login) DO UPDATE
    SET display_name = EXCLUDED.display_name, login_oid = EXCLUDED.login_oid,
        updated_at = clock_timestamp(), updated_by = session_user
    WHERE x.display_name IS DISTINCT FROM EXCLUDED.display_name
       OR x.login_oid IS DISTINCT FROM EXCLUDED.login_oid;
  IF FOUND THEN
    PERFORM pg_notify('tasksteper', '{"people": true}');
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.  The replaced functions keep their grants; the
-- internals above are nobody's but the owner's.

GRANT EXECUTE ON FUNCTION tasksteper.check_definition(jsonb), tasksteper.is_identifier(text),
  tasksteper.role_oid(text)
TO tasksteper_user, tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (3);
