-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 5: refusals a client can put in its
-- user's language.  Applied by `tasksteper-admin init` after the earlier
-- versions, in one transaction; described in docs/sql-api.md ("Errors").
--
-- Every refusal that create_ticket(), save_ticket() and fire() send keeps
-- its SQLSTATE, its English MESSAGE (what psql shows), its HINT and its
-- COLUMN, and now also carries the facts in its DETAIL as one JSON object:
-- {"ts": KIND, ...}, KIND naming the kind of refusal and the other keys
-- what a client needs to say it in its own words (field, label, trigger,
-- state, ...).  The checks and locks are those of version 3, unchanged;
-- only how the errors are raised is new.
--
-- New functions:
--   refuse()         raises one such error (internal)
--   value_problem()  check_value()'s answer as {"ts": KIND, "message": …,
--                    facts}; check_value() is now its "message"

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- Raising a refusal: MESSAGE for people, DETAIL for programs.

CREATE FUNCTION tasksteper.refuse(p_sqlstate text, p_kind text, p_facts jsonb, p_message text,
                                  p_column text DEFAULT NULL, p_hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_detail text := (jsonb_build_object('ts', p_kind) || jsonb_strip_nulls(coalesce(p_facts, '{}')))::text;
BEGIN
  -- RAISE takes no null option, and an empty COLUMN would still be sent.
  IF p_column IS NOT NULL AND p_hint IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = v_detail,
                          COLUMN = p_column, HINT = p_hint;
  ELSIF p_column IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = v_detail,
                          COLUMN = p_column;
  ELSIF p_hint IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = v_detail,
                          HINT = p_hint;
  ELSE
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = v_detail;
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Values.  The same checks as version 1's check_value(), in the same
-- order, with the same words; each answer also says its kind and facts.

CREATE FUNCTION tasksteper.value_problem(field jsonb, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
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
      RETURN jsonb_build_object('ts', 'not_boolean', 'label', label,
                                'message', format('“%s” must be true or false', label));
    END IF;
    RETURN NULL;
  END IF;

  IF kind = 'integer' THEN
    IF jsonb_typeof(v) <> 'number' OR v::text !~ '^-?[0-9]+$' OR length(v::text) > 20 THEN
      RETURN jsonb_build_object('ts', 'not_integer', 'label', label,
                                'message', format('“%s” must be a whole number', label));
    END IF;
    n := v::text::numeric;
    IF n < -9223372036854775808 OR n > 9223372036854775807 THEN
      RETURN jsonb_build_object('ts', 'not_integer', 'label', label,
                                'message', format('“%s” must be a whole number', label));
    END IF;
    IF (field ? 'min' AND n < (field ->> 'min')::numeric)
       OR (field ? 'max' AND n > (field ->> 'max')::numeric) THEN
      RETURN jsonb_build_object('ts', 'out_of_range', 'label', label,
                                'min', coalesce(field ->> 'min', '-9223372036854775808'),
                                'max', coalesce(field ->> 'max', '9223372036854775807'),
                                'value', n::text,
                                'message', format('“%s” must be between %s and %s, not %s', label,
                                                  coalesce(field ->> 'min', '-9223372036854775808'),
                                                  coalesce(field ->> 'max', '9223372036854775807'), n));
    END IF;
    RETURN NULL;
  END IF;

  IF jsonb_typeof(v) <> 'string' THEN
    RETURN jsonb_build_object('ts', 'not_string', 'label', label,
                              'message', format('“%s” must be a string', label));
  END IF;
  s := v #>> '{}';

  CASE kind
  WHEN 'string', 'text' THEN
    IF kind = 'string' AND (position(E'\n' IN s) > 0 OR position(E'\r' IN s) > 0) THEN
      RETURN jsonb_build_object('ts', 'line_breaks', 'label', label,
                                'message', format('“%s” is a single line: remove the line breaks', label));
    END IF;
    max_length := coalesce((field ->> 'max_length')::int, CASE kind WHEN 'text' THEN 5000 ELSE 200 END);
    IF char_length(s) > max_length THEN
      RETURN jsonb_build_object('ts', 'too_long', 'label', label,
                                'length', char_length(s), 'max_length', max_length,
                                'message', format('“%s” is %s characters long; it may have at most %s: shorten it',
                                                  label, char_length(s), max_length));
    END IF;
  WHEN 'choice' THEN
    IF s <> '' AND NOT (field -> 'choices') ? s THEN
      RETURN jsonb_build_object('ts', 'not_a_choice', 'label', label, 'value', s,
                                'choices', field -> 'choices',
                                'message', format('“%s” must be one of %s, not “%s”', label,
                                                  (SELECT string_agg(c, '、') FROM jsonb_array_elements_text(field -> 'choices') c), s));
    END IF;
  WHEN 'date' THEN
    IF s <> '' AND NOT tasksteper.is_valid_date(s) THEN
      RETURN jsonb_build_object('ts', 'not_a_date', 'label', label, 'value', s,
                                'message', format('“%s” must be a date written YYYY-MM-DD, such as 2018-01-28, not “%s”', label, s));
    END IF;
  WHEN 'url' THEN
    IF s <> '' AND char_length(s) > 2000 THEN
      RETURN jsonb_build_object('ts', 'too_long', 'label', label,
                                'length', char_length(s), 'max_length', 2000,
                                'message', format('“%s” may have at most 2000 characters: shorten the link', label));
    END IF;
    IF s <> '' AND s !~ E'^[A-Za-z][A-Za-z0-9+.-]*:[^ \t\n\r\u000b\f\u00a0\u3000]+$' THEN
      RETURN jsonb_build_object('ts', 'not_a_link', 'label', label, 'value', s,
                                'message', format('“%s” must be a link such as https://example.com/bug/1 or tasksteper://issue_track/3, not “%s”',
                                                  label, s));
    END IF;
  WHEN 'user' THEN
    IF octet_length(s) > 63 OR position(E'\n' IN s) > 0 THEN
      RETURN jsonb_build_object('ts', 'not_a_login', 'label', label,
                                'message', format('“%s” must be a login name of at most 63 bytes', label));
    END IF;
  ELSE
    RETURN jsonb_build_object('ts', 'unknown_type', 'label', label, 'type', kind,
                              'message', format('“%s” has an unknown type %s', label, kind));
  END CASE;

  RETURN NULL;
END
$$;

-- What is wrong with @v, in words for a person, or NULL: as before.
CREATE OR REPLACE FUNCTION tasksteper.check_value(field jsonb, v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT tasksteper.value_problem(field, v) ->> 'message'
$$;

-- ---------------------------------------------------------------------------
-- The checks the public functions make, raising with facts.

CREATE OR REPLACE FUNCTION tasksteper.apply_patch(p_project tasksteper.projects, current jsonb, patch jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  item record;
  field jsonb;
  problem jsonb;
  result jsonb := current;
BEGIN
  IF patch IS NULL THEN
    RETURN result;
  END IF;
  IF jsonb_typeof(patch) <> 'object' THEN
    PERFORM tasksteper.refuse('TS422', 'not_an_object', '{}',
                              'fields must be a JSON object of field names and values');
  END IF;

  FOR item IN SELECT key, value FROM jsonb_each(patch) LOOP
    field := tasksteper.field_def(p_project.definition, item.key);
    IF field IS NULL THEN
      PERFORM tasksteper.refuse('TS422', 'unknown_field',
                                jsonb_build_object('field', item.key, 'project', p_project.name),
                                format('“%s” is not a field of project %s', item.key, p_project.name),
                                item.key,
                                'Send only the fields the project schema defines; system fields change through the functions.');
    END IF;

    IF (field ->> 'readonly')::boolean IS TRUE AND (current -> item.key) IS DISTINCT FROM item.value THEN
      PERFORM tasksteper.refuse('TS422', 'read_only',
                                jsonb_build_object('field', item.key, 'label', field ->> 'label'),
                                format('“%s” is read-only: only a transition sets it', field ->> 'label'),
                                item.key);
    END IF;

    problem := tasksteper.value_problem(field, item.value);
    IF problem IS NOT NULL THEN
      PERFORM tasksteper.refuse('TS422', problem ->> 'ts',
                                (problem - 'ts' - 'message') || jsonb_build_object('field', item.key),
                                problem ->> 'message', item.key);
    END IF;

    IF field ->> 'type' = 'user' AND NOT tasksteper.is_empty(item.value)
       AND (current -> item.key) IS DISTINCT FROM item.value
       AND NOT tasksteper.is_member(p_project.name, item.value #>> '{}') THEN
      PERFORM tasksteper.refuse('TS422', 'not_a_member',
                                jsonb_build_object('field', item.key, 'label', field ->> 'label',
                                                   'login', item.value #>> '{}', 'project', p_project.name),
                                format('“%s” names %s, who is not a member of project %s', field ->> 'label',
                                       item.value #>> '{}', p_project.name),
                                item.key,
                                'Pick one of the project''s members, or ask an admin to add this person.');
    END IF;

    result := jsonb_set(result, ARRAY[item.key], item.value, true);
  END LOOP;

  RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.check_required(p_project tasksteper.projects, vals jsonb)
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
      PERFORM tasksteper.refuse('TS428', 'required',
                                jsonb_build_object('field', field ->> 'name', 'label', field ->> 'label'),
                                format('“%s” is required: fill it in', field ->> 'label'),
                                field ->> 'name');
    END IF;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.lock_for_change(p_id bigint, p_version int)
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
    PERFORM tasksteper.refuse('TS404', 'no_ticket', jsonb_build_object('id', p_id),
                              format('there is no ticket %s that you can see', coalesce(p_id::text, '<NULL>')));
  END IF;
  SELECT * INTO t FROM tasksteper.tickets WHERE id = p_id FOR UPDATE;
  -- A stale version first: the caller's picture of the ticket is out of
  -- date, whoever holds it now, and reloading shows them who does.
  IF p_version IS NULL OR t.version <> p_version THEN
    PERFORM tasksteper.refuse('TS409', 'stale',
                              jsonb_build_object('key', t.key, 'version', p_version, 'current_version', t.version),
                              format('ticket %s was changed by someone else (you have version %s, it is now at version %s)',
                                     t.key, coalesce(p_version::text, '<NULL>'), t.version),
                              NULL, 'Reload the ticket and apply your edits again.');
  END IF;
  IF t.assigned_to <> session_user THEN
    -- The holder's display name, which the caller may read anyway: they
    -- share the project.
    PERFORM tasksteper.refuse('TS403', 'not_assignee',
                              jsonb_build_object('key', t.key, 'assignee', t.assigned_to,
                                                 'assignee_name',
                                                 (SELECT x.display_name FROM tasksteper.people x
                                                   WHERE x.login = t.assigned_to
                                                     AND x.login_oid = tasksteper.role_oid(t.assigned_to))),
                              format('ticket %s is assigned to %s, so only they can change it', t.key, t.assigned_to));
  END IF;
  RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.project_of(p_id bigint) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_project text;
BEGIN
  SELECT x.project INTO v_project FROM tasksteper.tickets x
   WHERE x.id = p_id AND tasksteper.is_member(x.project);
  IF v_project IS NULL THEN
    PERFORM tasksteper.refuse('TS404', 'no_ticket', jsonb_build_object('id', p_id),
                              format('there is no ticket %s that you can see', coalesce(p_id::text, '<NULL>')));
  END IF;
  RETURN v_project;
END
$$;

-- ---------------------------------------------------------------------------
-- The public functions, as version 3 made them (the same locks, checks and
-- order), raising with facts.

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
    PERFORM tasksteper.refuse('TS404', 'no_project', jsonb_build_object('project', p_project),
                              format('there is no project %s that you are a member of',
                                     coalesce(p_project, '<NULL>')));
  END IF;

  BEGIN
    p := tasksteper.share_project(p_project);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('project', p_project),
                              format('project %s is busy (being re-imported): try again', p_project),
                              NULL, 'Nothing was changed; the same call can be sent again.');
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
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id),
                              format('ticket %s is busy (being changed, or its project re-imported): try again', p_id),
                              NULL, 'Nothing was changed; the same call can be sent again.');
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
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id),
                              format('ticket %s is busy (being changed, or its project re-imported): try again', p_id),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;

  SELECT x INTO tr
    FROM jsonb_array_elements(p.definition -> 'transitions') x
   WHERE x ->> 'trigger' = p_trigger
     AND (CASE jsonb_typeof(x -> 'source') WHEN 'array' THEN (x -> 'source') ? t.state
                                           ELSE x ->> 'source' = t.state END)
   LIMIT 1;
  IF tr IS NULL THEN
    PERFORM tasksteper.refuse('TS410', 'no_trigger',
                              jsonb_build_object('trigger', p_trigger, 'state', t.state, 'key', t.key),
                              format('“%s” is not a trigger of the state “%s” (ticket %s)',
                                     coalesce(p_trigger, '<NULL>'), t.state, t.key));
  END IF;

  vals := tasksteper.apply_patch(p, t.fields, p_fields);
  PERFORM tasksteper.check_required(p, vals);

  failing := tasksteper.failing_clause(tr -> 'trans_condition', t.key, t.state, t.assigned_to,
                                       t.created_by, vals);
  IF failing IS NOT NULL THEN
    PERFORM tasksteper.refuse('TS412', 'condition',
                              jsonb_build_object('trigger', p_trigger, 'state', t.state, 'field', failing,
                                                 'label', tasksteper.label_of(p.definition, failing),
                                                 'condition', tr -> 'trans_condition' -> failing),
                              format('“%s” is not possible now: the condition on “%s” does not hold',
                                     p_trigger, tasksteper.label_of(p.definition, failing)),
                              failing);
  END IF;

  FOR required IN SELECT jsonb_array_elements_text(coalesce(tr -> 'require', '[]')) LOOP
    IF tasksteper.is_empty(vals -> required) THEN
      PERFORM tasksteper.refuse('TS428', 'required',
                                jsonb_build_object('trigger', p_trigger, 'state', t.state, 'field', required,
                                                   'label', tasksteper.label_of(p.definition, required)),
                                format('“%s” needs “%s”: fill it in first', p_trigger,
                                       tasksteper.label_of(p.definition, required)),
                                required);
    END IF;
  END LOOP;

  new_assignee := t.assigned_to;
  assign_to := tr -> 'trans_action' ->> 'assign_to';
  IF assign_to = 'created_by' THEN
    new_assignee := t.created_by;
  ELSIF assign_to IS NOT NULL THEN
    IF tasksteper.is_empty(vals -> assign_to) THEN
      PERFORM tasksteper.refuse('TS428', 'assignee_empty',
                                jsonb_build_object('trigger', p_trigger, 'state', t.state, 'field', assign_to,
                                                   'label', tasksteper.label_of(p.definition, assign_to)),
                                format('“%s” goes to the person in “%s”, which is empty: fill it in first',
                                       p_trigger, tasksteper.label_of(p.definition, assign_to)),
                                assign_to);
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
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id, 'login', new_assignee),
                              format('the membership of %s in %s is being changed: try again', new_assignee, p.name),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;
  IF NOT FOUND THEN
    PERFORM tasksteper.refuse('TS422', 'not_a_member',
                              jsonb_build_object('trigger', p_trigger, 'field', coalesce(assign_to, 'assigned_to'),
                                                 'label', tasksteper.label_of(p.definition, coalesce(assign_to, 'assigned_to')),
                                                 'login', new_assignee, 'project', p.name),
                              format('%s is not a member of project %s, so the ticket cannot go to them',
                                     coalesce(new_assignee, '<NULL>'), p.name),
                              coalesce(assign_to, 'assigned_to'),
                              'Pick one of the project''s members, or ask an admin to add this person.');
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

-- ---------------------------------------------------------------------------
-- Who may call what.  The replaced functions keep their grants; refuse() is
-- nobody's but the owner's.  value_problem() is a helper like check_value(),
-- which calls it (and check_definition(), which anyone may call, calls that).

GRANT EXECUTE ON FUNCTION tasksteper.value_problem(jsonb, jsonb) TO tasksteper_user, tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (5);
