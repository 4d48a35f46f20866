-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 1.  PostgreSQL is the server: every rule
-- of SPEC §2 is enforced here, for the desktop client and for psql alike.
-- Applied by `tasksteper-admin init` as a superuser, in one transaction.
-- The public API (tables, functions, SQLSTATEs, notifications) is described
-- in docs/sql-api.md.
--
-- Roles (cluster-wide, created once):
--   tasksteper_owner  NOLOGIN; owns every object here.  No login role owns
--                     the tables, so nobody bypasses row-level security.
--   tasksteper_user   NOLOGIN group; every person is a member.
--   tasksteper_admin  NOLOGIN group; may import projects and manage members.
--
-- Identity is the login role (session_user): SET ROLE does not change who
-- a person is to TaskSteper.
--
-- SQLSTATEs raised (class TS):
--   TS403 not allowed        TS404 no such ticket or project (or not yours to see)
--   TS409 stale version      TS410 no such trigger from the ticket's state
--   TS412 condition false    TS428 a required field is empty
--   TS422 invalid value (the field's name is in the error's COLUMN field)
--   TS424 a re-import would strand tickets in a removed state

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'tasksteper_owner') THEN
    CREATE ROLE tasksteper_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'tasksteper_user') THEN
    CREATE ROLE tasksteper_user NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'tasksteper_admin') THEN
    CREATE ROLE tasksteper_admin NOLOGIN;
  END IF;
END
$roles$;

CREATE SCHEMA tasksteper AUTHORIZATION tasksteper_owner;
REVOKE ALL ON SCHEMA tasksteper FROM PUBLIC;
GRANT USAGE ON SCHEMA tasksteper TO tasksteper_user, tasksteper_admin;

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- Functions are not executable by everyone unless granted below.  (A
-- per-schema default can only add privileges, so this is the owner's
-- global default.)
ALTER DEFAULT PRIVILEGES FOR ROLE tasksteper_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

CREATE TABLE tasksteper.migrations (
  version     int PRIMARY KEY,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  applied_by  text NOT NULL DEFAULT session_user
);

CREATE TABLE tasksteper.projects (
  name          text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$' AND octet_length(name) <= 63),
  title         text NOT NULL,
  definition    jsonb NOT NULL,
  revision      int NOT NULL DEFAULT 1,
  key_prefix    text NOT NULL,
  states        text[] NOT NULL,
  final_states  text[] NOT NULL,
  next_number   int NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasksteper.members (
  project  text NOT NULL REFERENCES tasksteper.projects (name) ON DELETE CASCADE,
  member   text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project, member)
);
CREATE INDEX members_member_idx ON tasksteper.members (member);

CREATE TABLE tasksteper.tickets (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project     text NOT NULL REFERENCES tasksteper.projects (name),
  number      int NOT NULL,
  key         text NOT NULL,
  state       text NOT NULL,
  assigned_to text NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     int NOT NULL DEFAULT 1,
  is_final    boolean NOT NULL DEFAULT false,
  fields      jsonb NOT NULL DEFAULT '{}',
  UNIQUE (project, number)
);
-- The pending table: open tickets of a project assigned to one person.
CREATE INDEX tickets_pending_idx ON tasksteper.tickets (project, assigned_to, updated_at DESC)
  WHERE NOT is_final;
-- The all-tickets table pages by number, newest first, on the UNIQUE index.

CREATE TABLE tasksteper.history (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticket_id     bigint NOT NULL REFERENCES tasksteper.tickets (id),
  project       text NOT NULL,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  trigger       text,
  from_state    text,
  to_state      text NOT NULL,
  from_assignee text,
  to_assignee   text NOT NULL,
  changes       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX history_ticket_idx ON tasksteper.history (ticket_id, id);

-- ---------------------------------------------------------------------------
-- Who may see what: row-level security.  Nothing but SELECT is granted on a
-- table; every change goes through the functions below.

-- The projects the login role is a member of.  SECURITY DEFINER, so that
-- the policies below can ask without recursing into the members policy.
CREATE FUNCTION tasksteper.my_projects() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(array_agg(project), '{}') FROM tasksteper.members WHERE member = session_user
$$;

-- Whether @p_who is a member of @p_project.  Only answered for oneself, for
-- the members of the same project and for admins: anyone else learns
-- nothing about who is in which project.
CREATE FUNCTION tasksteper.is_member(p_project text, p_who text DEFAULT session_user)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM tasksteper.members WHERE project = p_project AND member = p_who)
     AND (p_who = session_user
          OR EXISTS (SELECT 1 FROM tasksteper.members WHERE project = p_project AND member = session_user)
          OR pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER'))
$$;

ALTER TABLE tasksteper.projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasksteper.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasksteper.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasksteper.history ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasksteper.migrations ENABLE ROW LEVEL SECURITY;

CREATE POLICY members_read ON tasksteper.projects FOR SELECT
  USING (name = ANY ((SELECT tasksteper.my_projects())::text[]));
CREATE POLICY members_read ON tasksteper.members FOR SELECT
  USING (project = ANY ((SELECT tasksteper.my_projects())::text[]));
CREATE POLICY members_read ON tasksteper.tickets FOR SELECT
  USING (project = ANY ((SELECT tasksteper.my_projects())::text[]));
CREATE POLICY members_read ON tasksteper.history FOR SELECT
  USING (project = ANY ((SELECT tasksteper.my_projects())::text[]));
CREATE POLICY everyone_reads ON tasksteper.migrations FOR SELECT USING (true);
-- Admins manage projects and members, so they see those (not the tickets).
CREATE POLICY admins_read ON tasksteper.projects FOR SELECT
  USING (pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER'));
CREATE POLICY admins_read ON tasksteper.members FOR SELECT
  USING (pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER'));

GRANT SELECT ON tasksteper.projects, tasksteper.members, tasksteper.tickets,
                tasksteper.history, tasksteper.migrations
  TO tasksteper_user, tasksteper_admin;

-- ---------------------------------------------------------------------------
-- Values and conditions.  The same rules as src/core (ts-field.c and
-- ts-condition.c); tests/data/conditions.json is run against both.

-- Empty: missing, JSON null, or a string of only these white-space
-- characters: space, tab, LF, CR, VT, FF, U+00A0, U+3000.
CREATE FUNCTION tasksteper.is_empty(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT v IS NULL
      OR jsonb_typeof(v) = 'null'
      OR (jsonb_typeof(v) = 'string'
          AND btrim(v #>> '{}', E' \t\n\r\u000b\f\u00a0\u3000') = '')
$$;

-- One clause of a trans_condition: a scalar (equality), a list (one of), or
-- {"empty": true} / {"not_empty": true}.  jsonb equality is what we want:
-- strings byte for byte, numbers by value, no cross-type equality.
CREATE FUNCTION tasksteper.clause_holds(test jsonb, v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE jsonb_typeof(test)
    WHEN 'object' THEN
      CASE WHEN test ? 'empty' THEN tasksteper.is_empty(v)
           ELSE NOT tasksteper.is_empty(v) END
    WHEN 'array' THEN
      coalesce(jsonb_typeof(v) NOT IN ('null', 'object', 'array')
               AND EXISTS (SELECT 1 FROM jsonb_array_elements(test) e WHERE e = v), false)
    ELSE
      coalesce(jsonb_typeof(v) NOT IN ('null', 'object', 'array') AND test = v, false)
  END
$$;

-- The value a condition sees for a name: system fields as strings.
CREATE FUNCTION tasksteper.value_of(name text, p_key text, p_state text, p_assigned_to text,
                                    p_created_by text, p_fields jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE name
    WHEN 'key' THEN to_jsonb(p_key)
    WHEN 'state' THEN to_jsonb(p_state)
    WHEN 'assigned_to' THEN to_jsonb(p_assigned_to)
    WHEN 'created_by' THEN to_jsonb(p_created_by)
    ELSE p_fields -> name
  END
$$;

-- The first clause of @condition that does not hold, or NULL when all do.
CREATE FUNCTION tasksteper.failing_clause(condition jsonb, p_key text, p_state text,
                                          p_assigned_to text, p_created_by text, p_fields jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT c.key
    FROM jsonb_each(coalesce(condition, '{}')) c
   WHERE NOT tasksteper.clause_holds(c.value,
           tasksteper.value_of(c.key, p_key, p_state, p_assigned_to, p_created_by, p_fields))
   LIMIT 1
$$;

CREATE FUNCTION tasksteper.condition_holds(condition jsonb, p_key text, p_state text,
                                           p_assigned_to text, p_created_by text, p_fields jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT tasksteper.failing_clause(condition, p_key, p_state, p_assigned_to, p_created_by, p_fields) IS NULL
$$;

CREATE FUNCTION tasksteper.is_valid_date(s text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  IF s !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' OR substr(s, 1, 4) = '0000' THEN
    RETURN false;
  END IF;
  PERFORM make_date(substr(s, 1, 4)::int, substr(s, 6, 2)::int, substr(s, 9, 2)::int);
  RETURN true;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
  RETURN false;
END
$$;

-- Checks one value against its field definition; returns what is wrong, in
-- words for a person, or NULL.  Null is accepted (it means empty).
CREATE FUNCTION tasksteper.check_value(field jsonb, v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  label text := coalesce(field ->> 'label', field ->> 'name');
  kind text := field ->> 'type';
  s text;
  n numeric;
  max_length int;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
    RETURN NULL;
  END IF;

  IF kind = 'boolean' THEN
    IF jsonb_typeof(v) <> 'boolean' THEN
      RETURN format('“%s” must be true or false', label);
    END IF;
    RETURN NULL;
  END IF;

  IF kind = 'integer' THEN
    IF jsonb_typeof(v) <> 'number' OR v::text !~ '^-?[0-9]+$' OR length(v::text) > 20 THEN
      RETURN format('“%s” must be a whole number', label);
    END IF;
    n := v::text::numeric;
    IF n < -9223372036854775808 OR n > 9223372036854775807 THEN
      RETURN format('“%s” must be a whole number', label);
    END IF;
    IF (field ? 'min' AND n < (field ->> 'min')::numeric)
       OR (field ? 'max' AND n > (field ->> 'max')::numeric) THEN
      RETURN format('“%s” must be between %s and %s, not %s', label,
                    coalesce(field ->> 'min', '-9223372036854775808'),
                    coalesce(field ->> 'max', '9223372036854775807'), n);
    END IF;
    RETURN NULL;
  END IF;

  IF jsonb_typeof(v) <> 'string' THEN
    RETURN format('“%s” must be a string', label);
  END IF;
  s := v #>> '{}';

  CASE kind
  WHEN 'string', 'text' THEN
    IF kind = 'string' AND (position(E'\n' IN s) > 0 OR position(E'\r' IN s) > 0) THEN
      RETURN format('“%s” is a single line: remove the line breaks', label);
    END IF;
    max_length := coalesce((field ->> 'max_length')::int, CASE kind WHEN 'text' THEN 5000 ELSE 200 END);
    IF char_length(s) > max_length THEN
      RETURN format('“%s” is %s characters long; it may have at most %s: shorten it',
                    label, char_length(s), max_length);
    END IF;
  WHEN 'choice' THEN
    IF s <> '' AND NOT (field -> 'choices') ? s THEN
      RETURN format('“%s” must be one of %s, not “%s”', label,
                    (SELECT string_agg(c, '、') FROM jsonb_array_elements_text(field -> 'choices') c), s);
    END IF;
  WHEN 'date' THEN
    IF s <> '' AND NOT tasksteper.is_valid_date(s) THEN
      RETURN format('“%s” must be a date written YYYY-MM-DD, such as 2018-01-28, not “%s”', label, s);
    END IF;
  WHEN 'url' THEN
    IF s <> '' AND char_length(s) > 2000 THEN
      RETURN format('“%s” may have at most 2000 characters: shorten the link', label);
    END IF;
    IF s <> '' AND s !~ E'^[A-Za-z][A-Za-z0-9+.-]*:[^ \t\n\r\u000b\f\u00a0\u3000]+$' THEN
      RETURN format('“%s” must be a link such as https://example.com/bug/1 or tasksteper://issue_track/3, not “%s”',
                    label, s);
    END IF;
  WHEN 'user' THEN
    IF octet_length(s) > 63 OR position(E'\n' IN s) > 0 THEN
      RETURN format('“%s” must be a login name of at most 63 bytes', label);
    END IF;
  ELSE
    RETURN format('“%s” has an unknown type %s', label, kind);
  END CASE;

  RETURN NULL;
END
$$;

CREATE FUNCTION tasksteper.field_def(p_definition jsonb, p_name text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT f FROM jsonb_array_elements(p_definition -> 'fields') f WHERE f ->> 'name' = p_name LIMIT 1
$$;

CREATE FUNCTION tasksteper.label_of(p_definition jsonb, p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(tasksteper.field_def(p_definition, p_name) ->> 'label',
                  CASE p_name WHEN 'key' THEN 'ID' WHEN 'state' THEN '当前状态'
                              WHEN 'assigned_to' THEN '当前处理人' WHEN 'created_by' THEN '创建人'
                              ELSE p_name END)
$$;

-- The values a new ticket starts with: each field's default, or "" / false
-- / null.
CREATE FUNCTION tasksteper.initial_values(p_definition jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(jsonb_object_agg(f ->> 'name',
           CASE WHEN f ? 'default' AND jsonb_typeof(f -> 'default') <> 'null' THEN f -> 'default'
                WHEN f ->> 'type' = 'boolean' THEN 'false'::jsonb
                WHEN f ->> 'type' = 'integer' THEN 'null'::jsonb
                ELSE '""'::jsonb END), '{}')
    FROM jsonb_array_elements(p_definition -> 'fields') f
$$;

-- Applies @patch to @current after checking every key and value against the
-- project's definition; raises TS422 naming the field.  Read-only fields
-- may be sent unchanged (a client sends its whole form) but not changed.
-- A changed user field must name a member of the project.
CREATE FUNCTION tasksteper.apply_patch(p_project tasksteper.projects, current jsonb, patch jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  item record;
  field jsonb;
  problem text;
  result jsonb := current;
BEGIN
  IF patch IS NULL THEN
    RETURN result;
  END IF;
  IF jsonb_typeof(patch) <> 'object' THEN
    RAISE EXCEPTION 'fields must be a JSON object of field names and values'
      USING ERRCODE = 'TS422';
  END IF;

  FOR item IN SELECT key, value FROM jsonb_each(patch) LOOP
    field := tasksteper.field_def(p_project.definition, item.key);
    IF field IS NULL THEN
      RAISE EXCEPTION '“%” is not a field of project %', item.key, p_project.name
        USING ERRCODE = 'TS422', COLUMN = item.key,
              HINT = 'Send only the fields the project schema defines; system fields change through the functions.';
    END IF;

    IF (field ->> 'readonly')::boolean IS TRUE AND (current -> item.key) IS DISTINCT FROM item.value THEN
      RAISE EXCEPTION '“%” is read-only: only a transition sets it', field ->> 'label'
        USING ERRCODE = 'TS422', COLUMN = item.key;
    END IF;

    problem := tasksteper.check_value(field, item.value);
    IF problem IS NOT NULL THEN
      RAISE EXCEPTION '%', problem USING ERRCODE = 'TS422', COLUMN = item.key;
    END IF;

    IF field ->> 'type' = 'user' AND NOT tasksteper.is_empty(item.value)
       AND (current -> item.key) IS DISTINCT FROM item.value
       AND NOT tasksteper.is_member(p_project.name, item.value #>> '{}') THEN
      RAISE EXCEPTION '“%” names %, who is not a member of project %', field ->> 'label',
                      item.value #>> '{}', p_project.name
        USING ERRCODE = 'TS422', COLUMN = item.key,
              HINT = 'Pick one of the project''s members, or ask an admin to add this person.';
    END IF;

    result := jsonb_set(result, ARRAY[item.key], item.value, true);
  END LOOP;

  RETURN result;
END
$$;

-- Required fields must be non-empty whenever a ticket is saved.
CREATE FUNCTION tasksteper.check_required(p_project tasksteper.projects, vals jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  field jsonb;
BEGIN
  FOR field IN SELECT f FROM jsonb_array_elements(p_project.definition -> 'fields') f
                WHERE (f ->> 'required')::boolean IS TRUE LOOP
    IF tasksteper.is_empty(vals -> (field ->> 'name')) THEN
      RAISE EXCEPTION '“%” is required: fill it in', field ->> 'label'
        USING ERRCODE = 'TS428', COLUMN = field ->> 'name';
    END IF;
  END LOOP;
END
$$;

-- field → {"old": …, "new": …} for every field that differs.
CREATE FUNCTION tasksteper.diff(old_values jsonb, new_values jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('old', old_values -> k, 'new', new_values -> k)), '{}')
    FROM (SELECT jsonb_object_keys(coalesce(old_values, '{}')) AS k
          UNION SELECT jsonb_object_keys(new_values)) keys
   WHERE (old_values -> k) IS DISTINCT FROM (new_values -> k)
$$;

-- Announces a change after commit.  Any role can LISTEN, so the payload
-- carries ids and versions only, never a value.
CREATE FUNCTION tasksteper.announce(t tasksteper.tickets) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT pg_notify('tasksteper', json_build_object('id', t.id, 'version', t.version)::text)
$$;

-- Loads a ticket for a change by the caller, locked; raises TS404 when the
-- caller may not see it, TS403 when they may see but not change it, TS409
-- when @p_version is not the current version.
CREATE FUNCTION tasksteper.lock_for_change(p_id bigint, p_version int)
RETURNS tasksteper.tickets
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t tasksteper.tickets;
BEGIN
  -- Membership first, without a lock: a non-member must get its answer at
  -- once, not wait on (and so learn about) someone's edit in progress.
  IF NOT EXISTS (SELECT 1 FROM tasksteper.tickets x WHERE x.id = p_id AND tasksteper.is_member(x.project)) THEN
    RAISE EXCEPTION 'there is no ticket % that you can see', p_id
      USING ERRCODE = 'TS404';
  END IF;
  SELECT * INTO t FROM tasksteper.tickets WHERE id = p_id FOR UPDATE;
  -- A stale version first: the caller's picture of the ticket is out of
  -- date, whoever holds it now, and reloading shows them who does.
  IF p_version IS NULL OR t.version <> p_version THEN
    RAISE EXCEPTION 'ticket % was changed by someone else (you have version %, it is now at version %)',
                    t.key, p_version, t.version
      USING ERRCODE = 'TS409', HINT = 'Reload the ticket and apply your edits again.';
  END IF;
  IF t.assigned_to <> session_user THEN
    RAISE EXCEPTION 'ticket % is assigned to %, so only they can change it', t.key, t.assigned_to
      USING ERRCODE = 'TS403';
  END IF;
  RETURN t;
END
$$;

-- ---------------------------------------------------------------------------
-- The public functions.  Each is one round trip and one transaction, writes
-- history, announces the change, and returns the ticket's new row.

CREATE FUNCTION tasksteper.create_ticket(p_project text, p_fields jsonb DEFAULT '{}')
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p tasksteper.projects;
  vals jsonb;
  t tasksteper.tickets;
BEGIN
  IF NOT tasksteper.is_member(p_project) THEN
    RAISE EXCEPTION 'there is no project % that you are a member of', p_project
      USING ERRCODE = 'TS404';
  END IF;
  -- The lock numbers the project's tickets one after another.
  SELECT * INTO p FROM tasksteper.projects WHERE name = p_project FOR UPDATE;

  vals := tasksteper.apply_patch(p, tasksteper.initial_values(p.definition), p_fields);
  PERFORM tasksteper.check_required(p, vals);

  UPDATE tasksteper.projects SET next_number = next_number + 1 WHERE name = p.name;

  INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by, is_final, fields)
  VALUES (p.name, p.next_number, p.key_prefix || '_' || p.next_number, p.states[1],
          session_user, session_user, p.states[1] = ANY (p.final_states), vals)
  RETURNING * INTO t;

  INSERT INTO tasksteper.history (ticket_id, project, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, session_user, NULL, NULL, t.state, NULL, t.assigned_to,
          tasksteper.diff('{}', vals));

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

CREATE FUNCTION tasksteper.save_ticket(p_id bigint, p_version int, p_fields jsonb)
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t tasksteper.tickets;
  p tasksteper.projects;
  vals jsonb;
  changes jsonb;
BEGIN
  t := tasksteper.lock_for_change(p_id, p_version);
  SELECT * INTO p FROM tasksteper.projects WHERE name = t.project;

  vals := tasksteper.apply_patch(p, t.fields, p_fields);
  PERFORM tasksteper.check_required(p, vals);
  changes := tasksteper.diff(t.fields, vals);

  IF changes = '{}' THEN
    RETURN t;  -- nothing to save; the version stays
  END IF;

  UPDATE tasksteper.tickets
     SET fields = vals, version = version + 1, updated_at = now()
   WHERE id = t.id
  RETURNING * INTO t;

  INSERT INTO tasksteper.history (ticket_id, project, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, session_user, NULL, t.state, t.state, t.assigned_to, t.assigned_to, changes);

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

CREATE FUNCTION tasksteper.fire(p_id bigint, p_version int, p_trigger text, p_fields jsonb DEFAULT '{}')
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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
BEGIN
  t := tasksteper.lock_for_change(p_id, p_version);
  SELECT * INTO p FROM tasksteper.projects WHERE name = t.project;

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
  -- and then counts the ticket it leaves with that person.
  PERFORM 1 FROM tasksteper.members WHERE project = p.name AND member = new_assignee FOR KEY SHARE;
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

  INSERT INTO tasksteper.history (ticket_id, project, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, session_user, p_trigger, t.state, new_state, t.assigned_to, new_assignee,
          tasksteper.diff(t.fields, vals));

  UPDATE tasksteper.tickets
     SET fields = vals, state = new_state, assigned_to = new_assignee,
         is_final = new_state = ANY (p.final_states),
         version = version + 1, updated_at = now()
   WHERE id = t.id
  RETURNING * INTO t;

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

-- ---------------------------------------------------------------------------
-- Administration (tasksteper_admin): projects and members.  The definition
-- is validated completely by tasksteper-admin (src/core) before it comes
-- here; the server re-checks what its own integrity depends on.

CREATE FUNCTION tasksteper.import_project(p_definition jsonb, p_state_map jsonb DEFAULT '{}')
RETURNS tasksteper.projects
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p tasksteper.projects;
  v_name text := p_definition ->> 'name';
  v_states text[];
  v_finals text[];
  v_prefix text;
  stranded text;
  mapped record;
  t tasksteper.tickets;
BEGIN
  -- IS DISTINCT FROM, not <>: a missing key must fail the check, not
  -- make it NULL.
  IF jsonb_typeof(p_definition) IS DISTINCT FROM 'object'
     OR p_definition ->> 'tasksteper' IS DISTINCT FROM '1'
     OR coalesce(v_name, '') !~ '^[a-z][a-z0-9_]*$'
     OR jsonb_typeof(p_definition -> 'title') IS DISTINCT FROM 'string'
     OR jsonb_typeof(p_definition -> 'states') IS DISTINCT FROM 'array'
     OR coalesce(jsonb_array_length(p_definition -> 'states'), 0) = 0
     OR jsonb_typeof(p_definition -> 'fields') IS DISTINCT FROM 'array'
     OR coalesce(jsonb_array_length(p_definition -> 'fields'), 0) = 0
     OR jsonb_typeof(p_definition -> 'transitions') IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'not a valid TaskSteper project definition'
      USING ERRCODE = 'TS422', HINT = 'Check it with tasksteper-admin validate FILE first.';
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

  SELECT * INTO p FROM tasksteper.projects WHERE name = v_name FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO tasksteper.projects (name, title, definition, key_prefix, states, final_states)
    VALUES (v_name, p_definition ->> 'title', p_definition, v_prefix, v_states, v_finals)
    RETURNING * INTO p;
    RETURN p;
  END IF;

  -- Every state that tickets are in must survive, or be mapped.
  FOR mapped IN SELECT key, value #>> '{}' AS dest FROM jsonb_each(coalesce(p_state_map, '{}')) LOOP
    IF NOT mapped.dest = ANY (v_states) THEN
      RAISE EXCEPTION 'cannot map state “%” to “%”: the new definition has no state “%”',
                      mapped.key, mapped.dest, mapped.dest
        USING ERRCODE = 'TS422';
    END IF;
  END LOOP;

  SELECT string_agg(format('“%s” (%s tickets)', state, n), ', ') INTO stranded
    FROM (SELECT state, count(*) AS n FROM tasksteper.tickets
           WHERE project = v_name AND NOT state = ANY (v_states)
             AND NOT coalesce(p_state_map, '{}') ? state
           GROUP BY state ORDER BY state) s;
  IF stranded IS NOT NULL THEN
    RAISE EXCEPTION 'the new definition of % removes states that tickets are in: %', v_name, stranded
      USING ERRCODE = 'TS424',
            HINT = 'Map each to a state of the new definition, e.g. --map-state OLD=NEW.';
  END IF;

  FOR t IN SELECT * FROM tasksteper.tickets
            WHERE project = v_name AND coalesce(p_state_map, '{}') ? state
              AND p_state_map ->> state IS DISTINCT FROM state
            FOR UPDATE LOOP
    UPDATE tasksteper.tickets
       SET state = p_state_map ->> t.state, version = version + 1, updated_at = now()
     WHERE id = t.id;
    INSERT INTO tasksteper.history (ticket_id, project, actor, trigger, from_state, to_state,
                                    from_assignee, to_assignee, changes)
    VALUES (t.id, t.project, session_user, NULL, t.state, p_state_map ->> t.state,
            t.assigned_to, t.assigned_to, '{}');
  END LOOP;

  -- New fields start at their default; removed fields keep their data.
  UPDATE tasksteper.tickets
     SET fields = tasksteper.initial_values(p_definition) || fields,
         key = v_prefix || '_' || number,
         is_final = state = ANY (v_finals)
   WHERE project = v_name;

  UPDATE tasksteper.projects
     SET title = p_definition ->> 'title', definition = p_definition, revision = revision + 1,
         key_prefix = v_prefix, states = v_states, final_states = v_finals, updated_at = now()
   WHERE name = v_name
  RETURNING * INTO p;

  -- One announcement for the re-import: clients re-read their projects.
  -- It names no project, since anyone may listen.
  PERFORM pg_notify('tasksteper', '{"reimport": true}');

  RETURN p;
END
$$;

CREATE FUNCTION tasksteper.add_member(p_project text, p_member text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tasksteper.projects WHERE name = p_project) THEN
    RAISE EXCEPTION 'there is no project %', p_project USING ERRCODE = 'TS404';
  END IF;
  -- A direct member of tasksteper_user that can log in; pg_has_role() would
  -- also say yes for a superuser, who is not a TaskSteper user.
  IF NOT EXISTS (SELECT 1
                   FROM pg_catalog.pg_roles r
                   JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
                   JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                  WHERE r.rolname = p_member AND r.rolcanlogin AND NOT r.rolsuper
                    AND g.rolname = 'tasksteper_user') THEN
    RAISE EXCEPTION '% is not a TaskSteper user', p_member
      USING ERRCODE = 'TS404', HINT = 'Add them first with tasksteper-admin user add NAME.';
  END IF;
  INSERT INTO tasksteper.members (project, member) VALUES (p_project, p_member)
  ON CONFLICT DO NOTHING;
END
$$;

CREATE FUNCTION tasksteper.remove_member(p_project text, p_member text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  held bigint;
BEGIN
  DELETE FROM tasksteper.members WHERE project = p_project AND member = p_member;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% is not a member of project %', p_member, p_project USING ERRCODE = 'TS404';
  END IF;
  -- Returned so the admin can reassign what they still hold.
  SELECT count(*) INTO held FROM tasksteper.tickets
   WHERE project = p_project AND assigned_to = p_member AND NOT is_final;
  RETURN held;
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.

GRANT EXECUTE ON FUNCTION
  tasksteper.my_projects(), tasksteper.is_member(text, text),
  tasksteper.is_empty(jsonb), tasksteper.clause_holds(jsonb, jsonb),
  tasksteper.value_of(text, text, text, text, text, jsonb),
  tasksteper.failing_clause(jsonb, text, text, text, text, jsonb),
  tasksteper.condition_holds(jsonb, text, text, text, text, jsonb),
  tasksteper.is_valid_date(text), tasksteper.check_value(jsonb, jsonb),
  tasksteper.field_def(jsonb, text), tasksteper.label_of(jsonb, text),
  tasksteper.initial_values(jsonb), tasksteper.diff(jsonb, jsonb),
  tasksteper.create_ticket(text, jsonb), tasksteper.save_ticket(bigint, int, jsonb),
  tasksteper.fire(bigint, int, text, jsonb)
TO tasksteper_user;

GRANT EXECUTE ON FUNCTION
  tasksteper.import_project(jsonb, jsonb), tasksteper.add_member(text, text),
  tasksteper.remove_member(text, text), tasksteper.my_projects(), tasksteper.is_member(text, text)
TO tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (1);
