-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 12: changes near the bare transaction.
-- Applied by `tasksteper-admin init` after the earlier versions, in one
-- transaction; described in docs/sql-api.md ("Performance (since
-- version 12)").
--
-- Nothing a caller sees changes: the same functions with the same
-- arguments, the same checks in the same order, the same refusals
-- (SQLSTATE, DETAIL, COLUMN, message, HINT), the same locks held to the
-- end of the transaction, still one statement and one transaction a
-- change.  What changes is how the work is done (bench/change-bench.sh
-- measured where the time went, bench/README.md has the figures):
--
--   * The helpers a change calls every time were LANGUAGE sql with a SET
--     clause or a FROM, which PostgreSQL cannot inline and plans again on
--     every call: the diff, the condition check (even for an empty
--     condition), the membership check and the role's oid, the field and
--     label lookups, the state rules, the comment's trimming.  They are
--     PL/pgSQL now, whose plans a session keeps; the same queries, so the
--     same answers.
--   * The ticket is read once: fire() and save_ticket() no longer ask
--     project_of() and then lock_for_change(), which read it twice (and
--     checked the membership twice) before locking it.
--   * The locks are first asked for without waiting (SKIP LOCKED): when
--     nobody holds them, as nearly always, they are had without the
--     subtransaction that turns a lock timeout into TS503, which cost a
--     subtransaction id and made the ticket's UPDATE write a MultiXact
--     (the row was locked by the subtransaction, updated by its parent).
--     When someone holds one, the call waits for it as before, in that
--     subtransaction, and answers as before.
--   * Work that cannot apply is skipped: a state without rules, a
--     transition without a condition, a require list or a set;
--     limit_idle_transaction() reads the one setting instead of all of
--     pg_settings; the patch is applied at once after its checks instead
--     of field by field.

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- The helpers, in PL/pgSQL: the same queries, planned once a session.

-- The oid of the login role @p_login, or NULL: the catalog's cache, as
-- pg_roles would answer (a name longer than a role's can be is nobody's).
CREATE OR REPLACE FUNCTION tasksteper.role_oid(p_login text) RETURNS oid
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF p_login IS NULL OR octet_length(p_login) > 63 THEN
    RETURN NULL;
  END IF;
  RETURN to_regrole(quote_ident(p_login))::oid;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.my_projects() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN (SELECT coalesce(array_agg(project), '{}') FROM tasksteper.members
           WHERE member = session_user AND member_oid = tasksteper.role_oid(session_user));
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.is_member(p_project text, p_who text DEFAULT session_user)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tasksteper.members
                  WHERE project = p_project AND member = p_who AND member_oid = tasksteper.role_oid(p_who)) THEN
    RETURN false;
  END IF;
  IF p_who = session_user THEN
    RETURN true;
  END IF;
  RETURN EXISTS (SELECT 1 FROM tasksteper.members
                  WHERE project = p_project AND member = session_user
                    AND member_oid = tasksteper.role_oid(session_user))
      OR pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER');
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.field_def(p_definition jsonb, p_name text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN (SELECT f FROM jsonb_array_elements(p_definition -> 'fields') f WHERE f ->> 'name' = p_name LIMIT 1);
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.label_of(p_definition jsonb, p_name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN coalesce(tasksteper.field_def(p_definition, p_name) ->> 'label',
                  CASE p_name WHEN 'key' THEN 'ID' WHEN 'state' THEN '当前状态'
                              WHEN 'assigned_to' THEN '当前处理人' WHEN 'created_by' THEN '创建人'
                              ELSE p_name END);
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.state_rule(p_definition jsonb, p_state text, p_field text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN CASE WHEN jsonb_typeof(p_definition -> 'state_rules' -> p_state) = 'object'
              THEN p_definition -> 'state_rules' -> p_state ->> p_field END;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.choices_for(field jsonb, p_parent_value text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN CASE
    WHEN NOT field ? 'depends_on' THEN field -> 'choices'
    WHEN p_parent_value IS NULL THEN '[]'::jsonb
    WHEN jsonb_typeof(field -> 'choices' -> p_parent_value) = 'array' THEN field -> 'choices' -> p_parent_value
    ELSE '[]'::jsonb
  END;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.trim_comment(p_body text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN nullif(btrim(p_body, E' \t\n\r\u000b\f\u00a0\u3000'), '');
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.diff(old_values jsonb, new_values jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN (SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('old', old_values -> k, 'new', new_values -> k)), '{}')
            FROM (SELECT jsonb_object_keys(coalesce(old_values, '{}')) AS k
                  UNION SELECT jsonb_object_keys(new_values)) keys
           WHERE (old_values -> k) IS DISTINCT FROM (new_values -> k));
END
$$;

-- The text the search reads (the trigger on tickets writes it on every
-- creation, save and fire): the same query.
CREATE OR REPLACE FUNCTION tasksteper.search_text(p_key text, p_fields jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
COST 1000
AS $$
BEGIN
  RETURN tasksteper.trigram_form(
           coalesce(p_key, '') || E'\n'
           || coalesce((SELECT string_agg(f.value #>> '{}', E'\n')
                          FROM jsonb_each(p_fields) f
                         WHERE jsonb_typeof(f.value) = 'string'), ''));
END
$$;

-- An empty condition (what most transitions have) holds without a query.
CREATE OR REPLACE FUNCTION tasksteper.failing_clause(condition jsonb, p_key text, p_state text,
                                                     p_assigned_to text, p_created_by text, p_fields jsonb)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF condition IS NULL OR condition = '{}'::jsonb THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT c.key
            FROM jsonb_each(condition) c
           WHERE NOT tasksteper.clause_holds(c.value,
                   tasksteper.value_of(c.key, p_key, p_state, p_assigned_to, p_created_by, p_fields))
           LIMIT 1);
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.condition_holds(condition jsonb, p_key text, p_state text,
                                                      p_assigned_to text, p_created_by text, p_fields jsonb)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN tasksteper.failing_clause(condition, p_key, p_state, p_assigned_to, p_created_by, p_fields) IS NULL;
END
$$;

-- The one setting, not all of pg_settings (its text, such as "1min", is
-- an interval).
CREATE OR REPLACE FUNCTION tasksteper.limit_idle_transaction() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_ms numeric := extract(epoch FROM current_setting('idle_in_transaction_session_timeout')::interval) * 1000;
BEGIN
  IF v_ms = 0 OR v_ms > 60000 THEN
    PERFORM set_config('idle_in_transaction_session_timeout', '60s', true);
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- The checks: the same refusals in the same order, the state's rules read
-- once, nothing done when they say nothing.

CREATE OR REPLACE FUNCTION tasksteper.apply_patch(p_project tasksteper.projects, current jsonb, patch jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  item record;
  field jsonb;
  problem jsonb;
BEGIN
  IF patch IS NULL THEN
    RETURN current;
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
  END LOOP;

  -- Every key is a field name, so || sets each as jsonb_set() did.
  RETURN current || patch;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.check_patch_in_state(p_project tasksteper.projects, p_state text,
                                                           current jsonb, patch jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_rules jsonb := p_project.definition -> 'state_rules' -> p_state;
  item record;
BEGIN
  IF patch IS NULL OR jsonb_typeof(patch) <> 'object' OR jsonb_typeof(v_rules) IS DISTINCT FROM 'object'
     OR NOT v_rules @? '$.* ? (@ == "readonly")' THEN
    RETURN;
  END IF;
  FOR item IN SELECT key, value FROM jsonb_each(patch) LOOP
    IF v_rules ->> item.key = 'readonly' AND (current -> item.key) IS DISTINCT FROM item.value THEN
      PERFORM tasksteper.refuse('TS422', 'read_only_in_state',
                                jsonb_build_object('field', item.key,
                                                   'label', tasksteper.label_of(p_project.definition, item.key),
                                                   'state', p_state),
                                format('“%s” cannot be changed in the state “%s”',
                                       tasksteper.label_of(p_project.definition, item.key), p_state),
                                item.key,
                                'Leave the field as it is; a transition''s action may still set it.');
    END IF;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION tasksteper.check_required_in_state(p_project tasksteper.projects, p_state text,
                                                              vals jsonb, p_trigger text DEFAULT NULL,
                                                              p_old jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_rules jsonb := p_project.definition -> 'state_rules' -> p_state;
  v_name text;
  v_label text;
BEGIN
  IF jsonb_typeof(v_rules) IS DISTINCT FROM 'object' OR NOT v_rules @? '$.* ? (@ == "required")' THEN
    RETURN;
  END IF;
  FOR v_name IN SELECT f ->> 'name' FROM jsonb_array_elements(p_project.definition -> 'fields') WITH ORDINALITY AS x(f, o)
                 WHERE v_rules ->> (f ->> 'name') = 'required'
                 ORDER BY o LOOP
    IF tasksteper.is_empty(vals -> v_name)
       AND (p_old IS NULL OR (p_old -> v_name) IS DISTINCT FROM (vals -> v_name)) THEN
      v_label := tasksteper.label_of(p_project.definition, v_name);
      IF p_trigger IS NOT NULL THEN
        PERFORM tasksteper.refuse('TS428', 'required_in_state',
                                  jsonb_build_object('field', v_name, 'label', v_label, 'state', p_state,
                                                     'trigger', p_trigger),
                                  format('“%s” leads to the state “%s”, which requires “%s”: fill it in first',
                                         p_trigger, p_state, v_label),
                                  v_name);
      END IF;
      PERFORM tasksteper.refuse('TS428', 'required_in_state',
                                jsonb_build_object('field', v_name, 'label', v_label, 'state', p_state),
                                format('“%s” is required in the state “%s”: fill it in', v_label, p_state),
                                v_name);
    END IF;
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Locking a ticket for a change.  The checks of project_of() and
-- lock_for_change() on one reading of the ticket; the locks of
-- share_project() and lock_for_change(), asked for without waiting first.
-- Internal (fire(), save_ticket()).  Raises what those raised, in their
-- order: TS404 no_ticket, TS503 busy, TS409 stale, TS403 not_assignee.

CREATE FUNCTION tasksteper.lock_ticket(p_id bigint, p_version int, OUT p tasksteper.projects,
                                       OUT t tasksteper.tickets)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_project text;
BEGIN
  -- Membership first, without a lock: a non-member must get its answer at
  -- once, not wait on (and so learn about) someone's edit in progress.
  SELECT x.project INTO v_project FROM tasksteper.tickets x WHERE x.id = p_id;
  IF v_project IS NULL OR NOT tasksteper.is_member(v_project) THEN
    PERFORM tasksteper.refuse('TS404', 'no_ticket', jsonb_build_object('id', p_id),
                              format('there is no ticket %s that you can see', coalesce(p_id::text, '<NULL>')));
  END IF;

  -- The project first (the definition the change follows stays until we
  -- commit), then the ticket: the order import_project() takes them in.
  SELECT * INTO p FROM tasksteper.projects WHERE name = v_project FOR KEY SHARE SKIP LOCKED;
  IF FOUND THEN
    SELECT * INTO t FROM tasksteper.tickets WHERE id = p_id FOR UPDATE SKIP LOCKED;
  END IF;
  IF t.id IS NULL THEN
    -- Someone holds one of them: wait, at most lock_timeout.
    BEGIN
      SELECT * INTO p FROM tasksteper.projects WHERE name = v_project FOR KEY SHARE;
      SELECT * INTO t FROM tasksteper.tickets WHERE id = p_id FOR UPDATE;
    EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
      PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id),
                                format('ticket %s is busy (being changed, or its project re-imported): try again', p_id),
                                NULL, 'Nothing was changed; the same call can be sent again.');
    END;
  END IF;

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
END
$$;

-- ---------------------------------------------------------------------------
-- The public functions, as version 10 made them: the same checks in the
-- same order.

CREATE OR REPLACE FUNCTION tasksteper.initial_values(p_definition jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN (SELECT coalesce(jsonb_object_agg(f ->> 'name',
                   CASE WHEN f ? 'default' AND jsonb_typeof(f -> 'default') <> 'null' THEN f -> 'default'
                        WHEN f ->> 'type' = 'boolean' THEN 'false'::jsonb
                        WHEN f ->> 'type' = 'integer' THEN 'null'::jsonb
                        ELSE '""'::jsonb END), '{}')
            FROM jsonb_array_elements(p_definition -> 'fields') f);
END
$$;

-- The project's lock without waiting first, as lock_ticket() does; the
-- initial values worked out once.
CREATE OR REPLACE FUNCTION tasksteper.create_ticket(p_project text, p_fields jsonb DEFAULT '{}')
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  p tasksteper.projects;
  initial jsonb;
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

  SELECT * INTO p FROM tasksteper.projects WHERE name = p_project FOR KEY SHARE SKIP LOCKED;
  IF NOT FOUND THEN
    BEGIN
      p := tasksteper.share_project(p_project);
    EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
      PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('project', p_project),
                                format('project %s is busy (being re-imported): try again', p_project),
                                NULL, 'Nothing was changed; the same call can be sent again.');
    END;
  END IF;

  initial := tasksteper.initial_values(p.definition);
  vals := tasksteper.apply_patch(p, initial, p_fields);
  PERFORM tasksteper.check_patch_in_state(p, p.states[1], initial, p_fields);
  PERFORM tasksteper.check_required(p, vals);
  PERFORM tasksteper.check_dependent_choices(p, NULL, vals);
  PERFORM tasksteper.check_required_in_state(p, p.states[1], vals);
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
  locked record;
  t tasksteper.tickets;
  p tasksteper.projects;
  vals jsonb;
  changes jsonb;
  v_now timestamptz;
BEGIN
  SELECT * INTO locked FROM tasksteper.lock_ticket(p_id, p_version);
  p := locked.p;
  t := locked.t;

  vals := tasksteper.apply_patch(p, t.fields, p_fields);
  PERFORM tasksteper.check_patch_in_state(p, t.state, t.fields, p_fields);
  PERFORM tasksteper.check_required(p, vals);
  PERFORM tasksteper.check_dependent_choices(p, t.fields, vals);
  PERFORM tasksteper.check_required_in_state(p, t.state, vals, NULL, t.fields);
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

CREATE OR REPLACE FUNCTION tasksteper.fire(p_id bigint, p_version int, p_trigger text, p_fields jsonb DEFAULT '{}',
                                p_comment text DEFAULT NULL)
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  locked record;
  t tasksteper.tickets;
  p tasksteper.projects;
  tr jsonb;
  vals jsonb;
  failing text;
  required text;
  assign_to text;
  new_assignee text;
  new_state text;
  v_now timestamptz;
  v_comment text;
BEGIN
  SELECT * INTO locked FROM tasksteper.lock_ticket(p_id, p_version);
  p := locked.p;
  t := locked.t;

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
  PERFORM tasksteper.check_patch_in_state(p, t.state, t.fields, p_fields);
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

  IF tr ? 'require' THEN
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
  END IF;

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
  -- Without waiting first; when the row is locked (or missing), as before.
  PERFORM 1 FROM tasksteper.members
    WHERE project = p.name AND member = new_assignee
      AND member_oid = tasksteper.role_oid(new_assignee)
    FOR KEY SHARE SKIP LOCKED;
  IF NOT FOUND THEN
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
  END IF;

  -- Since version 9: the transition may need a comment, which is checked
  -- like the comments add_comment() takes.  After every check of version
  -- 5, so that those refusals stay as they were.
  v_comment := tasksteper.trim_comment(p_comment);
  IF v_comment IS NULL AND tr ->> 'comment' = 'required' THEN
    PERFORM tasksteper.refuse('TS428', 'comment_required',
                              jsonb_build_object('trigger', p_trigger, 'state', t.state, 'key', t.key),
                              format('“%s” needs a comment: write why, then fire it again (ticket %s)',
                                     p_trigger, t.key),
                              'comment', 'Pass the comment as fire()''s fifth argument.');
  END IF;
  IF v_comment IS NOT NULL THEN
    PERFORM tasksteper.check_comment(v_comment);
  END IF;

  -- The action's set: top-level keys, as jsonb_set() set them one by one.
  IF jsonb_typeof(tr -> 'trans_action' -> 'set') = 'object' THEN
    vals := vals || (tr -> 'trans_action' -> 'set');
  END IF;

  new_state := tr ->> 'dest';
  -- On the values the ticket will have: the action's set included.
  PERFORM tasksteper.check_dependent_choices(p, t.fields, vals);
  PERFORM tasksteper.check_required_in_state(p, new_state, vals, p_trigger);

  PERFORM tasksteper.count_change();
  PERFORM tasksteper.limit_idle_transaction();

  v_now := clock_timestamp();
  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, v_now, session_user, p_trigger, t.state, new_state, t.assigned_to, new_assignee,
          tasksteper.diff(t.fields, vals));

  IF new_assignee IS DISTINCT FROM t.assigned_to THEN
    UPDATE tasksteper.tickets
       SET fields = vals, state = new_state, assigned_to = new_assignee,
           is_final = new_state = ANY (p.final_states),
           version = version + 1, updated_at = v_now
     WHERE id = t.id
    RETURNING * INTO t;
  ELSE
    -- The holder stays: no membership trigger to run (it would find
    -- nothing to check).
    UPDATE tasksteper.tickets
       SET fields = vals, state = new_state,
           is_final = new_state = ANY (p.final_states),
           version = version + 1, updated_at = v_now
     WHERE id = t.id
    RETURNING * INTO t;
  END IF;

  IF v_comment IS NOT NULL THEN
    INSERT INTO tasksteper.comments (ticket_id, project, at, author, body)
    VALUES (t.id, t.project, v_now, session_user, v_comment);
  END IF;

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;

INSERT INTO tasksteper.migrations (version) VALUES (12);
