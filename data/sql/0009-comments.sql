-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 9: comments.  Applied by
-- `tasksteper-admin init` after the earlier versions, in one transaction;
-- described in docs/sql-api.md ("Comments (since version 9)").
--
--   * tasksteper.comments: what members said about a ticket, append-only
--     like history (nobody updates, deletes or truncates it, its owner
--     included; the same triggers, ENABLE ALWAYS).
--   * add_comment(): any member of the ticket's project comments on it (not
--     only the assignee); the ticket's version does not change; a
--     notification {"comment": ID, "ticket": TICKET_ID} tells the clients.
--   * ticket_comments(): a ticket's comments, oldest first, for members.
--   * A transition may say "comment": "required" (check_definition() knows
--     the key); fire() takes a fifth argument, p_comment, stores it with
--     the same time as the history row of the fire, and refuses without one
--     where the transition requires it, after all its other checks, whose
--     locks, refusals and order are those of version 5.
--
-- SQLSTATEs raised (class TS), facts as JSON in DETAIL (version 5):
--   TS404 add_comment(), ticket_comments(): no such ticket, or not a member
--   TS422 "comment_empty": the comment is blank (COLUMN: body)
--   TS422 "comment_too_long": more than 10000 characters (COLUMN: body)
--   TS428 "comment_required": fire() of a transition that requires a
--         comment, without one (COLUMN: comment)
--   42501 an UPDATE, DELETE or TRUNCATE of comments, by anyone

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- The table.

CREATE TABLE tasksteper.comments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticket_id  bigint NOT NULL REFERENCES tasksteper.tickets (id),
  project    text NOT NULL,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  author     text NOT NULL,
  body       text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 10000)
);
CREATE INDEX comments_ticket_idx ON tasksteper.comments (ticket_id, id);

ALTER TABLE tasksteper.comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON tasksteper.comments FOR SELECT
  USING (project = ANY ((SELECT tasksteper.my_projects())::text[]));
GRANT SELECT ON tasksteper.comments TO tasksteper_user;

-- Append-only, as history is since version 3: nothing but SELECT is
-- granted, and these triggers refuse an UPDATE, DELETE or TRUNCATE by the
-- owner too (ENABLE ALWAYS keeps them on under session_replication_role =
-- replica).  The BEFORE INSERT trigger keeps a row's time within the
-- statement that writes it: nobody can backdate a comment.
CREATE FUNCTION tasksteper.comments_append_only() RETURNS trigger
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
  RAISE EXCEPTION 'comments are append-only: % is not allowed, not even for their owner', TG_OP
    USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER comments_dated BEFORE INSERT ON tasksteper.comments
  FOR EACH ROW EXECUTE FUNCTION tasksteper.comments_append_only();
-- Per statement, so that even one that would touch no row is refused.
CREATE TRIGGER comments_append_only BEFORE UPDATE OR DELETE ON tasksteper.comments
  FOR EACH STATEMENT EXECUTE FUNCTION tasksteper.comments_append_only();
CREATE TRIGGER comments_no_truncate BEFORE TRUNCATE ON tasksteper.comments
  FOR EACH STATEMENT EXECUTE FUNCTION tasksteper.comments_append_only();
ALTER TABLE tasksteper.comments ENABLE ALWAYS TRIGGER comments_dated,
                                ENABLE ALWAYS TRIGGER comments_append_only,
                                ENABLE ALWAYS TRIGGER comments_no_truncate;

-- ---------------------------------------------------------------------------
-- Checking a comment's body (already trimmed): raises TS422.

CREATE FUNCTION tasksteper.check_comment(p_body text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF p_body IS NULL OR p_body = '' THEN
    PERFORM tasksteper.refuse('TS422', 'comment_empty', '{}',
                              'the comment is empty: write something in it', 'body');
  END IF;
  IF char_length(p_body) > 10000 THEN
    PERFORM tasksteper.refuse('TS422', 'comment_too_long',
                              jsonb_build_object('length', char_length(p_body), 'max_length', 10000),
                              format('the comment is %s characters long; it may have at most 10000: shorten it',
                                     char_length(p_body)),
                              'body');
  END IF;
END
$$;

-- The text of a comment as it is stored: without the blanks around it.
CREATE FUNCTION tasksteper.trim_comment(p_body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT nullif(btrim(p_body, E' \t\n\r\u000b\f\u00a0\u3000'), '')
$$;

-- ---------------------------------------------------------------------------
-- The definition: check_definition() of version 3, which also checks a
-- transition's "comment".

CREATE OR REPLACE FUNCTION tasksteper.check_definition(p_definition jsonb) RETURNS text[]
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

    -- Since version 9.
    IF tr ? 'comment' AND (tr -> 'comment') NOT IN ('"required"'::jsonb, '"optional"'::jsonb) THEN
      problems := problems || format('%s.comment: must be “required” or “optional”', path);
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
-- fire() with a comment.  CREATE OR REPLACE cannot add a parameter: the
-- four-argument function goes, and calls with four arguments (or fewer)
-- reach the new one through its defaults.

DROP FUNCTION tasksteper.fire(bigint, int, text, jsonb);

CREATE FUNCTION tasksteper.fire(p_id bigint, p_version int, p_trigger text, p_fields jsonb DEFAULT '{}',
                                p_comment text DEFAULT NULL)
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
  v_comment text;
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

  IF v_comment IS NOT NULL THEN
    INSERT INTO tasksteper.comments (ticket_id, project, at, author, body)
    VALUES (t.id, t.project, v_now, session_user, v_comment);
  END IF;

  PERFORM tasksteper.announce(t);
  RETURN t;
END
$$;


-- ---------------------------------------------------------------------------
-- Comments.

-- Adds a comment by the caller to ticket @p_id, of whose project they must
-- be a member (TS404 otherwise; they need not hold the ticket).  Waits at
-- most 2 s for the project (TS503: it is being re-imported); the ticket is
-- not locked and its version does not change.
CREATE FUNCTION tasksteper.add_comment(p_id bigint, p_body text)
RETURNS tasksteper.comments
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  v_project text;
  v_body text;
  c tasksteper.comments;
BEGIN
  v_project := tasksteper.project_of(p_id);
  v_body := tasksteper.trim_comment(p_body);
  PERFORM tasksteper.check_comment(v_body);

  BEGIN
    PERFORM tasksteper.share_project(v_project);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id),
                              format('ticket %s is busy (its project is being re-imported): try again', p_id),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;
  PERFORM tasksteper.count_change();
  PERFORM tasksteper.limit_idle_transaction();

  INSERT INTO tasksteper.comments (ticket_id, project, at, author, body)
  VALUES (p_id, v_project, clock_timestamp(), session_user, v_body)
  RETURNING * INTO c;

  -- Ids only, as announce() sends: any role can LISTEN.
  PERFORM pg_notify('tasksteper', json_build_object('comment', c.id, 'ticket', c.ticket_id)::text);
  RETURN c;
END
$$;

-- The comments of ticket @p_id, oldest first; TS404 for a non-member.
CREATE FUNCTION tasksteper.ticket_comments(p_id bigint)
RETURNS SETOF tasksteper.comments
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM tasksteper.project_of(p_id);
  RETURN QUERY SELECT * FROM tasksteper.comments WHERE ticket_id = p_id ORDER BY at, id;
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.  fire() is granted as version 1 granted it;
-- check_definition() keeps its grants; the internals are the owner's.

GRANT EXECUTE ON FUNCTION tasksteper.fire(bigint, int, text, jsonb, text),
  tasksteper.add_comment(bigint, text), tasksteper.ticket_comments(bigint)
TO tasksteper_user;

INSERT INTO tasksteper.migrations (version) VALUES (9);
