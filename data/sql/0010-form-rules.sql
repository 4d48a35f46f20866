-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 10: form rules.  Applied by
-- `tasksteper-admin init` after the earlier versions, in one transaction;
-- described in docs/sql-api.md ("Form rules (since version 10)").
--
-- Two additions to the schema format (still format version 1):
--   * a choice field may name "depends_on": another choice field; its
--     "choices" is then an object from each of that field's choices to the
--     list allowed with it (a parent value the object leaves out allows
--     only the empty value);
--   * "state_rules": {state: {field: "readonly" | "required" | "hidden"}}.
--
-- check_definition() checks both; value_problem() takes a dependent
-- field's union of lists as its choices; create_ticket(), save_ticket()
-- and fire() enforce them:
--   TS422 read_only_in_state      the call changes a field read-only in the
--                                 ticket's state (fire: the state it leaves;
--                                 trans_action.set may still set it)
--   TS428 required_in_state       fire: the destination state requires a
--                                 field that is empty after the action's
--                                 set; save: the save empties a field the
--                                 current state requires; create: the
--                                 initial state requires a field left empty
--   TS422 not_allowed_for_parent  a dependent choice not among those of its
--                                 parent's value (checked whenever the
--                                 dependent field or its parent changes)
-- "hidden" is the form's business only: the value stays readable and
-- writable through SQL as before.

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- Choices.

-- The values a choice field offers: its list, or, with depends_on, the
-- union of its lists in order of first appearance, the lists taken in the
-- order of the parent's choices when @p_definition is given (as the client
-- does: jsonb keeps no order of keys), else in jsonb's order of the keys.
CREATE FUNCTION tasksteper.choice_values(field jsonb, p_definition jsonb DEFAULT NULL) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_parent_choices text[] := '{}';
BEGIN
  IF jsonb_typeof(field -> 'choices') = 'array' THEN
    RETURN ARRAY(SELECT c FROM jsonb_array_elements_text(field -> 'choices') WITH ORDINALITY AS x(c, o) ORDER BY o);
  ELSIF jsonb_typeof(field -> 'choices') IS DISTINCT FROM 'object' THEN
    RETURN '{}'::text[];
  END IF;

  IF p_definition IS NOT NULL AND jsonb_typeof(p_definition -> 'fields') = 'array' THEN
    -- A valid definition's depends_on never comes back, so this ends.
    SELECT tasksteper.choice_values(x, p_definition) INTO v_parent_choices
      FROM jsonb_array_elements(p_definition -> 'fields') x
     WHERE x ->> 'name' = field ->> 'depends_on' AND x ->> 'name' <> field ->> 'name'
     LIMIT 1;
  END IF;

  RETURN ARRAY(SELECT u.c
                 FROM (SELECT e.c,
                              min(coalesce(array_position(v_parent_choices, k.key)::bigint, 1000000 + k.o) * 1000000 + e.o) AS o
                         FROM jsonb_each(field -> 'choices') WITH ORDINALITY AS k(key, value, o),
                              jsonb_array_elements_text(CASE jsonb_typeof(k.value) WHEN 'array' THEN k.value
                                                                                    ELSE '[]' END)
                                WITH ORDINALITY AS e(c, o)
                        GROUP BY e.c) u
                ORDER BY u.o);
END
$$;

-- The choices allowed while the parent holds @p_parent_value (NULL: the
-- parent is empty), as a JSON list: without depends_on, all of them.
CREATE FUNCTION tasksteper.choices_for(field jsonb, p_parent_value text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN NOT field ? 'depends_on' THEN field -> 'choices'
    WHEN p_parent_value IS NULL THEN '[]'::jsonb
    WHEN jsonb_typeof(field -> 'choices' -> p_parent_value) = 'array' THEN field -> 'choices' -> p_parent_value
    ELSE '[]'::jsonb
  END
$$;

-- "readonly", "required", "hidden" or NULL: what the definition's
-- state_rules say of @p_field in @p_state.
CREATE FUNCTION tasksteper.state_rule(p_definition jsonb, p_state text, p_field text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN jsonb_typeof(p_definition -> 'state_rules' -> p_state) = 'object'
              THEN p_definition -> 'state_rules' -> p_state ->> p_field END
$$;

-- ---------------------------------------------------------------------------
-- The checks, raising with facts (version 5's refuse()).

-- A call's @patch may not change a field read-only in @p_state.
CREATE FUNCTION tasksteper.check_patch_in_state(p_project tasksteper.projects, p_state text,
                                                current jsonb, patch jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  item record;
BEGIN
  IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
    RETURN;
  END IF;
  FOR item IN SELECT key, value FROM jsonb_each(patch) LOOP
    IF tasksteper.state_rule(p_project.definition, p_state, item.key) = 'readonly'
       AND (current -> item.key) IS DISTINCT FROM item.value THEN
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

-- The fields @p_state requires must not be empty in @vals.  With @p_old
-- (a save), only the fields the call changes are checked: a save empties
-- no field it does not touch.  @p_trigger names the fire, if any.
CREATE FUNCTION tasksteper.check_required_in_state(p_project tasksteper.projects, p_state text, vals jsonb,
                                                   p_trigger text DEFAULT NULL, p_old jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_name text;
  v_label text;
BEGIN
  FOR v_name IN SELECT f ->> 'name' FROM jsonb_array_elements(p_project.definition -> 'fields') WITH ORDINALITY AS x(f, o)
                 WHERE tasksteper.state_rule(p_project.definition, p_state, f ->> 'name') = 'required'
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

-- Each dependent choice in @vals must be one its parent's value allows,
-- checked where the field or its parent differs from @p_old (NULL: a new
-- ticket, every field).
CREATE FUNCTION tasksteper.check_dependent_choices(p_project tasksteper.projects, p_old jsonb, vals jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f jsonb;
  v_name text;
  v_parent text;
  v_parent_value text;
  v_value text;
  v_allowed jsonb;
BEGIN
  FOR f IN SELECT x FROM jsonb_array_elements(p_project.definition -> 'fields') WITH ORDINALITY AS d(x, o)
            WHERE x ? 'depends_on' ORDER BY o LOOP
    v_name := f ->> 'name';
    v_parent := f ->> 'depends_on';
    IF tasksteper.is_empty(vals -> v_name) THEN
      CONTINUE;
    END IF;
    IF p_old IS NOT NULL AND (p_old -> v_name) IS NOT DISTINCT FROM (vals -> v_name)
       AND (p_old -> v_parent) IS NOT DISTINCT FROM (vals -> v_parent) THEN
      CONTINUE;
    END IF;
    v_value := vals ->> v_name;
    v_parent_value := CASE WHEN tasksteper.is_empty(vals -> v_parent) THEN NULL ELSE vals ->> v_parent END;
    v_allowed := tasksteper.choices_for(f, v_parent_value);
    IF NOT v_allowed ? v_value THEN
      PERFORM tasksteper.refuse('TS422', 'not_allowed_for_parent',
                                jsonb_build_object('field', v_name,
                                                   'label', tasksteper.label_of(p_project.definition, v_name),
                                                   'parent', v_parent,
                                                   'parent_label', tasksteper.label_of(p_project.definition, v_parent),
                                                   'parent_value', coalesce(v_parent_value, ''),
                                                   'value', v_value, 'choices', v_allowed),
                                CASE WHEN v_parent_value IS NULL
                                  THEN format('“%s” cannot be “%s” while “%s” is empty: choose “%s” first',
                                              tasksteper.label_of(p_project.definition, v_name), v_value,
                                              tasksteper.label_of(p_project.definition, v_parent),
                                              tasksteper.label_of(p_project.definition, v_parent))
                                  ELSE format('“%s” cannot be “%s” while “%s” is “%s”: choose one of %s',
                                              tasksteper.label_of(p_project.definition, v_name), v_value,
                                              tasksteper.label_of(p_project.definition, v_parent), v_parent_value,
                                              coalesce((SELECT string_agg(c, '、') FROM jsonb_array_elements_text(v_allowed) c),
                                                       'nothing but empty'))
                                END,
                                v_name);
    END IF;
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Values: version 5's value_problem(), a dependent field's choices being
-- the union of its lists.

CREATE OR REPLACE FUNCTION tasksteper.value_problem(field jsonb, v jsonb) RETURNS jsonb
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
    -- With depends_on, any of the lists; the parent's value is checked by
    -- check_dependent_choices().
    IF s <> '' AND NOT s = ANY (tasksteper.choice_values(field)) THEN
      RETURN jsonb_build_object('ts', 'not_a_choice', 'label', label, 'value', s,
                                'choices', to_jsonb(tasksteper.choice_values(field)),
                                'message', format('“%s” must be one of %s, not “%s”', label,
                                                  array_to_string(tasksteper.choice_values(field), '、'), s));
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

-- ---------------------------------------------------------------------------
-- The definition: version 9's check_definition() and the new keys.

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
  r_dep record;
  r_key record;
  r_rule record;
  v_parent text;
  n int;
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
      IF v_type = 'choice' AND f ? 'depends_on' THEN
        IF jsonb_typeof(f -> 'depends_on') IS DISTINCT FROM 'string' OR tasksteper.is_empty(f -> 'depends_on') THEN
          problems := problems || format('%s.depends_on: must be the name of another choice field', path);
          CONTINUE;
        END IF;
        IF jsonb_typeof(f -> 'choices') IS DISTINCT FROM 'object' OR f -> 'choices' = '{}'::jsonb
           OR EXISTS (SELECT 1 FROM jsonb_each(f -> 'choices') k
                       WHERE jsonb_typeof(k.value) <> 'array' OR jsonb_array_length(k.value) = 0
                          OR EXISTS (SELECT 1 FROM jsonb_array_elements(k.value) c
                                      WHERE jsonb_typeof(c) <> 'string' OR tasksteper.is_empty(c)
                                         OR char_length(c #>> '{}') > 200)
                          OR (SELECT count(DISTINCT c) <> count(*) FROM jsonb_array_elements(k.value) c)) THEN
          problems := problems || format('%s.choices: with “depends_on”, must be an object from the other field’s choices to lists of distinct, non-empty strings of at most 200 characters', path);
          CONTINUE;
        END IF;
      ELSIF f ? 'depends_on' THEN
        problems := problems || format('%s.depends_on: applies to choice fields only', path);
        CONTINUE;
      ELSIF v_type = 'choice' THEN
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

  -- Dependent choices, now that every field is known: the parent is
  -- another choice field, no chain comes back, the keys are the parent's
  -- choices and the default is allowed with the parent's default.
  IF jsonb_typeof(p_definition -> 'fields') = 'array' THEN
    FOR r_dep IN SELECT value, ordinality - 1 AS i
                   FROM jsonb_array_elements(p_definition -> 'fields') WITH ORDINALITY
                  WHERE value ? 'depends_on' LOOP
      path := format('$.fields[%s]', r_dep.i);
      v_name := r_dep.value ->> 'name';
      IF NOT v_fields ? v_name OR v_fields -> v_name IS DISTINCT FROM r_dep.value THEN
        CONTINUE;  -- reported above
      END IF;
      v_parent := r_dep.value ->> 'depends_on';
      IF v_parent = v_name THEN
        problems := problems || format('%s.depends_on: “%s” depends on itself', path, v_name);
        CONTINUE;
      ELSIF NOT v_fields ? v_parent THEN
        problems := problems || format('%s.depends_on: “%s” is not a field of the project', path, v_parent);
        CONTINUE;
      ELSIF v_fields -> v_parent ->> 'type' IS DISTINCT FROM 'choice' THEN
        problems := problems || format('%s.depends_on: “%s” is not a choice field', path, v_parent);
        CONTINUE;
      END IF;
      s := v_parent;
      FOR n IN 1 .. jsonb_array_length(p_definition -> 'fields') LOOP
        s := v_fields -> s ->> 'depends_on';
        EXIT WHEN s IS NULL OR s = v_name;
      END LOOP;
      IF s = v_name THEN
        problems := problems || format('%s.depends_on: following “depends_on” from “%s” comes back to it', path, v_name);
        CONTINUE;
      END IF;
      FOR r_key IN SELECT key FROM jsonb_object_keys(r_dep.value -> 'choices') key
                    WHERE NOT key = ANY (tasksteper.choice_values(v_fields -> v_parent)) LOOP
        problems := problems || format('%s.choices.%s: not a choice of “%s”', path, r_key.key, v_parent);
      END LOOP;
      IF NOT tasksteper.is_empty(r_dep.value -> 'default')
         AND NOT tasksteper.choices_for(r_dep.value,
                                        CASE WHEN tasksteper.is_empty(v_fields -> v_parent -> 'default') THEN NULL
                                             ELSE v_fields -> v_parent ->> 'default' END) ? (r_dep.value ->> 'default') THEN
        problems := problems || format('%s.default: not allowed with the default of “%s”', path, v_parent);
      END IF;
    END LOOP;
  END IF;

  -- Rules per state.
  IF p_definition ? 'state_rules' THEN
    IF jsonb_typeof(p_definition -> 'state_rules') IS DISTINCT FROM 'object' THEN
      problems := problems || '$.state_rules: must be an object of states and their fields’ rules'::text;
    ELSE
      FOR r_rule IN SELECT key, value FROM jsonb_each(p_definition -> 'state_rules') LOOP
        path := format('$.state_rules.%s', r_rule.key);
        IF NOT r_rule.key = ANY (v_states) THEN
          problems := problems || format('%s: unknown state “%s”', path, r_rule.key);
        END IF;
        IF jsonb_typeof(r_rule.value) IS DISTINCT FROM 'object' THEN
          problems := problems || format('%s: must be an object of field names and “readonly”, “required” or “hidden”', path);
          CONTINUE;
        END IF;
        FOR r_key IN SELECT key, value FROM jsonb_each(r_rule.value) LOOP
          IF r_key.key = ANY (system_fields) THEN
            problems := problems || format('%s.%s: “%s” is a system field', path, r_key.key, r_key.key);
          ELSIF NOT v_fields ? r_key.key THEN
            problems := problems || format('%s.%s: not a field of the project', path, r_key.key);
          END IF;
          IF r_key.value NOT IN ('"readonly"'::jsonb, '"required"'::jsonb, '"hidden"'::jsonb) THEN
            problems := problems || format('%s.%s: must be “readonly”, “required” or “hidden”', path, r_key.key);
          END IF;
        END LOOP;
      END LOOP;
    END IF;
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
-- Statistics: version 7's stats_query(), a dependent field's groups being
-- the union of its lists.

CREATE OR REPLACE FUNCTION tasksteper.stats_query(p_kind text, p_project text, p_filter jsonb,
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
                  WHEN 'choice' THEN tasksteper.choice_values(v_field, v_def)
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

-- ---------------------------------------------------------------------------
-- The public functions, as versions 5 and 9 made them (the same locks,
-- checks and order), with the rules of the ticket's state and the
-- dependent choices.

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
  PERFORM tasksteper.check_patch_in_state(p, p.states[1], tasksteper.initial_values(p.definition), p_fields);
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
-- Who may call what.  The replaced functions keep their grants; the
-- helpers that check_definition() and value_problem() call are anyone's
-- who may call those, the checks nobody's but the owner's.

GRANT EXECUTE ON FUNCTION tasksteper.choice_values(jsonb, jsonb), tasksteper.choices_for(jsonb, text),
  tasksteper.state_rule(jsonb, text, text)
TO tasksteper_user, tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (10);
