-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 6: search.  Applied by `tasksteper-admin
-- init` after the earlier versions, as a superuser, in one transaction;
-- described in docs/sql-api.md ("Searching") and docs/deployment.md.
--
--   * search_tickets() and count_tickets(): the tickets of a project that a
--     filter (a JSON object, whose meaning tests/data/search.json fixes)
--     selects, sorted by any column and paged by a keyset cursor.  The
--     filter is validated against the project's definition; the query is
--     put together from fixed fragments of SQL chosen by this code, and
--     every value of the caller's (field names too) goes in as a parameter.
--   * Indexes that keep the first page fast at millions of tickets: a GIN
--     index (jsonb_path_ops) on fields for equality, a trigram GIN index
--     (pg_trgm) for substrings, Chinese included, on each ticket's search
--     text (ticket_texts, kept by a trigger), btree indexes on the system
--     columns, and one on history for "reached".
--   * Saved searches, private or shared with the project.
--
-- pg_trgm is a contrib extension: it is created here (in the schema
-- tasksteper_ext unless the database has it already somewhere), so the
-- server needs PostgreSQL's contrib modules.  Trigrams of Chinese text and
-- lower case of non-ASCII letters come from the database's LC_CTYPE, which
-- must be a UTF-8 locale (C.UTF-8, zh_CN.UTF-8, ...); under LC_CTYPE C this
-- migration warns (see docs/deployment.md).
--
-- SQLSTATEs raised (class TS), facts as JSON in DETAIL (version 5):
--   TS404 no such project, or not a member; no such saved search of yours
--   TS409 a saved search's name is taken
--   TS422 a saved search's name or query breaks a rule (COLUMN: name, query)
--   TS440 the filter names no field (COLUMN: the key)
--   TS441 an operator that does not exist or does not apply (COLUMN: the key)
--   TS442 a value of the wrong kind (COLUMN: the key, or NULL for the filter
--         as a whole and for the parameters p_after and p_limit)
--   TS443 a day or instant that is not one (COLUMN: the key)

SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- pg_trgm, as the superuser that runs this.  Its functions are not ours
-- (nor owned by tasksteper_owner), so it lives outside the schema
-- tasksteper, in a schema of its own that nobody but its owner and
-- tasksteper_owner (for the index's operator class) may use.  Nothing else
-- names the schema: the search functions use LIKE, an operator of
-- pg_catalog that pg_trgm's operator class serves.

DO $trgm$
DECLARE
  v_schema name;
  v_owner_is_super boolean;
  v_trigrams int;
  v_ctype text;
BEGIN
  SELECT n.nspname INTO v_schema
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_trgm';

  IF v_schema IS NULL THEN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_trgm') THEN
      RAISE EXCEPTION 'TaskSteper''s search needs the PostgreSQL extension pg_trgm, which this server does not have'
        USING HINT = 'Install PostgreSQL''s contrib modules on the database server (Debian and Ubuntu: '
                     'the postgresql-contrib package; Fedora and RHEL: postgresqlNN-contrib), '
                     'then run tasksteper-admin init again.';
    END IF;
    SELECT r.rolsuper INTO v_owner_is_super
      FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
     WHERE n.nspname = 'tasksteper_ext';
    IF v_owner_is_super IS NULL THEN
      CREATE SCHEMA tasksteper_ext;
    ELSIF NOT v_owner_is_super THEN
      RAISE EXCEPTION 'the schema tasksteper_ext exists and is not owned by a superuser, so pg_trgm cannot be installed there safely'
        USING HINT = 'Drop or rename that schema (or create the extension pg_trgm yourself, in a schema only superusers own), then run tasksteper-admin init again.';
    END IF;
    CREATE EXTENSION pg_trgm WITH SCHEMA tasksteper_ext;
    v_schema := 'tasksteper_ext';
  END IF;

  -- For CREATE INDEX … gin_trgm_ops below, run as tasksteper_owner.
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO tasksteper_owner', v_schema);

  -- Under LC_CTYPE C, pg_trgm takes only ASCII letters and digits for
  -- parts of words and lower() leaves other letters as they are.
  EXECUTE format('SELECT pg_catalog.cardinality(%I.show_trgm($1))', v_schema) INTO v_trigrams USING '北京局点';
  IF v_trigrams = 0 OR lower('ÉCRAN ZÜRICH') <> 'écran zürich' THEN
    SELECT datctype INTO v_ctype FROM pg_catalog.pg_database WHERE datname = current_database();
    RAISE WARNING 'database % has LC_CTYPE %, under which searching for Chinese text cannot use its index and letters outside ASCII are found only in the case they are written in',
                  current_database(), v_ctype
      USING HINT = 'Searches still give the right tickets otherwise.  For fast Chinese search, move the data into a database created with a UTF-8 locale, such as CREATE DATABASE … ENCODING ''UTF8'' LC_COLLATE ''C.UTF-8'' LC_CTYPE ''C.UTF-8'' TEMPLATE template0 (see docs/deployment.md).';
  END IF;
END
$trgm$;

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- Text for substring search.
--
-- The trigram index holds, per ticket, its key and every string value of
-- its fields (whatever their type: a superset of what a search looks at,
-- which the exact test of each field then narrows), in lower case, with
-- every character outside ASCII written twice.  Doubling is what makes
-- two-character Chinese words findable through the index: pg_trgm takes no
-- trigram from “%北京%”, but “%北北京京%” has two (北北京, 北京京), which
-- only text holding 北京 has.  The doubling and lower() map each character
-- on its own, so a word found in a value is always found, doubled, in this
-- text: the index never misses a ticket, it only finds a few too many.
--
-- The text is kept in a table of its own, ticket_texts, rather than
-- indexed as an expression of tickets: pg_trgm's index has every ticket it
-- finds tested again, and working the text out again takes some 30 to
-- 60 µs a ticket (the doubling is a regular expression), reading it some
-- 2 µs.  A trigger keeps it up to date.

CREATE FUNCTION tasksteper.trigram_form(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
  SELECT pg_catalog.regexp_replace(pg_catalog.lower(s), '[^\x01-\x7f]', '\&\&', 'g')
$$;

CREATE FUNCTION tasksteper.search_text(p_key text, p_fields jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
COST 1000
AS $$
  SELECT tasksteper.trigram_form(
           coalesce(p_key, '') || E'\n'
           || coalesce((SELECT string_agg(f.value #>> '{}', E'\n')
                          FROM jsonb_each(p_fields) f
                         WHERE jsonb_typeof(f.value) = 'string'), ''))
$$;

-- The LIKE pattern that finds @p_word (in lower case) in search_text():
-- its trigram form, with \, % and _ escaped, between two %.
CREATE FUNCTION tasksteper.search_pattern(p_word text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
  SELECT '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                  tasksteper.trigram_form(p_word), '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

-- contains on a field: @v is a string, not empty, that holds @p_word (in
-- lower case) ignoring case.
CREATE FUNCTION tasksteper.value_contains(v jsonb, p_word text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(pg_catalog.jsonb_typeof(v) = 'string' AND NOT tasksteper.is_empty(v)
                  AND pg_catalog.strpos(pg_catalog.lower(v #>> '{}'), p_word) > 0, false)
$$;

-- text: @v is a string that holds @p_word (in lower case) ignoring case.
CREATE FUNCTION tasksteper.string_contains(v jsonb, p_word text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(pg_catalog.jsonb_typeof(v) = 'string'
                  AND pg_catalog.strpos(pg_catalog.lower(v #>> '{}'), p_word) > 0, false)
$$;

-- Conditions no index serves.  Not inlined (SET): the planner then takes
-- each for a condition it knows nothing about (true for one row in three)
-- instead of misjudging it from its parts as true for almost no row, and
-- finds the first page by walking the sort order's index, testing rows as
-- it goes, where it would otherwise read the whole table and sort what it
-- found.

-- empty and not_empty: is_empty() of the value.
CREATE FUNCTION tasksteper.blank(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT tasksteper.is_empty(v)
$$;

-- gte and lte on an integer field (bounds numbers) or a date field (bounds
-- strings, compared byte for byte): @v is of the bounds' JSON type and
-- within them (a NULL bound is none).
CREATE FUNCTION tasksteper.within(v jsonb, p_gte jsonb, p_lte jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN jsonb_typeof(v) IS DISTINCT FROM jsonb_typeof(coalesce(p_gte, p_lte)) THEN false
    WHEN jsonb_typeof(v) = 'number' THEN (p_gte IS NULL OR v::numeric >= p_gte::numeric)
                                         AND (p_lte IS NULL OR v::numeric <= p_lte::numeric)
    WHEN jsonb_typeof(v) = 'string' THEN (p_gte IS NULL OR (v #>> '{}') COLLATE "C" >= (p_gte #>> '{}'))
                                         AND (p_lte IS NULL OR (v #>> '{}') COLLATE "C" <= (p_lte #>> '{}'))
    ELSE false
  END
$$;

-- ---------------------------------------------------------------------------
-- Indexes.  Each one costs every change of a ticket some writing (a save
-- or trigger rewrites the row: updated_at is indexed, so no update is
-- HOT); people change tickets a few times a minute, searches run far
-- more often.

-- Equality and "one of" on fields: fields @> '{"issue_level": "严重问题"}'.
CREATE INDEX tickets_fields_idx ON tasksteper.tickets USING gin (fields jsonb_path_ops);

-- contains and text: the ticket's search_text() LIKE the word's pattern.
-- Nobody but the owner reads the table (row-level security on, no policy,
-- nothing granted).  No foreign key: tickets are never deleted, and a
-- TRUNCATE of tickets (by their owner or a superuser, as tests do) empties
-- this table too, by the trigger below.
CREATE TABLE tasksteper.ticket_texts (
  ticket_id  bigint PRIMARY KEY,
  project    text NOT NULL,
  text       text NOT NULL
);
ALTER TABLE tasksteper.ticket_texts ENABLE ROW LEVEL SECURITY;

-- Writes a ticket's text after it was created, or its key or fields
-- changed (every creation, save, trigger and re-import).  As the owner.
CREATE FUNCTION tasksteper.keep_ticket_text() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO tasksteper.ticket_texts AS x (ticket_id, project, text)
  VALUES (NEW.id, NEW.project, tasksteper.search_text(NEW.key, NEW.fields))
  ON CONFLICT (ticket_id) DO UPDATE SET project = EXCLUDED.project, text = EXCLUDED.text
    WHERE (x.project, x.text) IS DISTINCT FROM (EXCLUDED.project, EXCLUDED.text);
  RETURN NULL;
END
$$;

CREATE TRIGGER tickets_text AFTER INSERT OR UPDATE OF key, fields ON tasksteper.tickets
  FOR EACH ROW EXECUTE FUNCTION tasksteper.keep_ticket_text();

CREATE FUNCTION tasksteper.forget_ticket_texts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  TRUNCATE tasksteper.ticket_texts;
  RETURN NULL;
END
$$;

CREATE TRIGGER tickets_truncated AFTER TRUNCATE ON tasksteper.tickets
  FOR EACH STATEMENT EXECUTE FUNCTION tasksteper.forget_ticket_texts();

INSERT INTO tasksteper.ticket_texts (ticket_id, project, text)
SELECT id, project, tasksteper.search_text(key, fields) FROM tasksteper.tickets;

DO $index$
DECLARE
  v_schema name;
BEGIN
  SELECT n.nspname INTO v_schema
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_trgm';
  EXECUTE format('CREATE INDEX ticket_texts_text_idx ON tasksteper.ticket_texts USING gin (text %I.gin_trgm_ops)',
                 v_schema);
END
$index$;

-- The system columns: a condition on one, and sorting by it, page after
-- page (the keyset is the column, then number).  Text in byte order
-- (COLLATE "C"): the order a client can reproduce without the server's
-- locale.  Sorting by number uses the UNIQUE (project, number) index.
CREATE INDEX tickets_state_idx ON tasksteper.tickets (project, state COLLATE "C", number);
CREATE INDEX tickets_assigned_to_idx ON tasksteper.tickets (project, assigned_to COLLATE "C", number);
CREATE INDEX tickets_created_by_idx ON tasksteper.tickets (project, created_by COLLATE "C", number);
CREATE INDEX tickets_created_at_idx ON tasksteper.tickets (project, created_at, number);
CREATE INDEX tickets_updated_at_idx ON tasksteper.tickets (project, updated_at, number);

-- reached: the rows where a ticket entered a state (a creation, a
-- transition to another state, a re-import's state map; not a save, nor a
-- trigger that stays in its state), by state and time.  ticket_id makes it
-- an index-only scan (history is append-only, so its pages become
-- all-visible).
CREATE INDEX history_reached_idx ON tasksteper.history (project, to_state, at, ticket_id)
  WHERE from_state IS DISTINCT FROM to_state;

-- ---------------------------------------------------------------------------
-- The filter.  The same rules as src/core/ts-filter.c; tests/data/search.json
-- is run against both.

-- What a filter key is about: a system field's name, "field:TYPE" for a
-- field of the project, "text" or "reached" (when no field has that name),
-- or NULL.
CREATE FUNCTION tasksteper.filter_subject(p_definition jsonb, p_key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN p_key IN ('key', 'state', 'assigned_to', 'created_by', 'created_at', 'updated_at') THEN p_key
    WHEN tasksteper.field_def(p_definition, p_key) IS NOT NULL
      THEN 'field:' || (tasksteper.field_def(p_definition, p_key) ->> 'type')
    WHEN p_key IN ('text', 'reached') THEN p_key
  END
$$;

-- The operators a subject takes, in the order messages list them.
CREATE FUNCTION tasksteper.filter_operators(p_subject text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE p_subject
    WHEN 'field:string' THEN '{contains,not_contains,empty,not_empty,not}'
    WHEN 'field:text' THEN '{contains,not_contains,empty,not_empty,not}'
    WHEN 'field:url' THEN '{contains,not_contains,empty,not_empty,not}'
    WHEN 'field:integer' THEN '{empty,not_empty,not,gte,lte}'
    WHEN 'field:date' THEN '{empty,not_empty,not,gte,lte}'
    WHEN 'field:choice' THEN '{empty,not_empty,not}'
    WHEN 'field:user' THEN '{empty,not_empty,not}'
    WHEN 'field:boolean' THEN '{empty,not_empty,not}'
    WHEN 'key' THEN '{contains,not_contains,not}'
    WHEN 'assigned_to' THEN '{empty,not_empty,not}'
    WHEN 'state' THEN '{not}'
    WHEN 'created_by' THEN '{not}'
    WHEN 'created_at' THEN '{gte,lte}'
    WHEN 'updated_at' THEN '{gte,lte}'
    WHEN 'text' THEN '{contains,not_contains}'
    ELSE '{}'
  END::text[]
$$;

-- The label a message names a key by.
CREATE FUNCTION tasksteper.filter_label(p_definition jsonb, p_key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN tasksteper.field_def(p_definition, p_key) IS NOT NULL THEN tasksteper.label_of(p_definition, p_key)
    WHEN p_key = 'created_at' THEN '创建时间'
    WHEN p_key = 'updated_at' THEN '更新时间'
    ELSE tasksteper.label_of(p_definition, p_key)
  END
$$;

-- A whole number that a bigint holds, with or without ".0" (jsonb keeps 3.0
-- as written, and compares it equal to 3).
CREATE FUNCTION tasksteper.is_integer(v jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n numeric;
BEGIN
  IF jsonb_typeof(v) IS DISTINCT FROM 'number' OR length(v::text) > 40 THEN
    RETURN false;
  END IF;
  n := v::text::numeric;
  RETURN n = trunc(n) AND n BETWEEN -9223372036854775808 AND 9223372036854775807;
END
$$;

-- A bound on an instant: a day of the session's time zone (from its first
-- instant; as an upper bound, up to the first instant of the next day) or
-- an RFC 3339 instant with an offset (inclusive).  NULL when @p_text is
-- neither.
CREATE FUNCTION tasksteper.filter_bound(p_text text, p_upper boolean,
                                        OUT at timestamptz, OUT inclusive boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF p_text IS NULL THEN
    RETURN;
  END IF;
  IF tasksteper.is_valid_date(p_text) THEN
    IF p_upper THEN
      at := (p_text::date + 1)::timestamptz;
      inclusive := false;
    ELSE
      at := p_text::date::timestamptz;
      inclusive := true;
    END IF;
    RETURN;
  END IF;
  IF p_text ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'
     AND tasksteper.is_valid_date(left(p_text, 10)) THEN
    BEGIN
      at := upper(overlay(p_text PLACING 'T' FROM 11 FOR 1))::timestamptz;
      inclusive := true;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      at := NULL;
    END;
  END IF;
END
$$;

-- One refusal of a filter, as filter_problem() returns it.
CREATE FUNCTION tasksteper.filter_refusal(p_sqlstate text, p_kind text, p_field text, p_label text,
                                          p_message text, p_facts jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT jsonb_build_object('sqlstate', p_sqlstate, 'ts', p_kind, 'message', p_message)
         || jsonb_strip_nulls(jsonb_build_object('field', p_field, 'label', p_label))
         || coalesce(p_facts, '{}')
$$;

-- What is wrong with @v as a value to compare the subject @p_subject with
-- (equality, one of, not): NULL when nothing is, else the refusal.
CREATE FUNCTION tasksteper.filter_value_problem(p_subject text, p_key text, p_label text,
                                                p_operator text, v jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_facts jsonb := jsonb_strip_nulls(jsonb_build_object('operator', p_operator, 'value', v));
BEGIN
  IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
    RETURN tasksteper.filter_refusal('TS442', 'bad_value', p_key, p_label,
             format('“%s”: null matches nothing; to find tickets where it is empty write {"empty": true}', p_label),
             v_facts || '{"expected": "value"}');
  END IF;
  IF jsonb_typeof(v) IN ('object', 'array') THEN
    RETURN tasksteper.filter_refusal('TS442', 'bad_value', p_key, p_label,
             format('“%s” is compared with single values, not with a %s: write a value or a list of values',
                    p_label, CASE jsonb_typeof(v) WHEN 'object' THEN 'JSON object' ELSE 'list inside a list' END),
             v_facts || '{"expected": "value"}');
  END IF;
  IF p_subject = 'field:integer' THEN
    IF NOT tasksteper.is_integer(v) THEN
      RETURN tasksteper.filter_refusal('TS442', 'bad_value', p_key, p_label,
               format('“%s” is a whole number; compare it with one such as 3, not %s', p_label, v::text),
               v_facts || '{"expected": "integer"}');
    END IF;
    RETURN NULL;
  END IF;
  IF p_subject = 'field:boolean' THEN
    IF jsonb_typeof(v) <> 'boolean' THEN
      RETURN tasksteper.filter_refusal('TS442', 'bad_value', p_key, p_label,
               format('“%s” is true or false; compare it with true or false (without quotes), not %s', p_label, v::text),
               v_facts || '{"expected": "boolean"}');
    END IF;
    RETURN NULL;
  END IF;
  IF jsonb_typeof(v) <> 'string' THEN
    RETURN tasksteper.filter_refusal('TS442', 'bad_value', p_key, p_label,
             format('“%s” is compared with a string, not %s: put the value in quotes', p_label, v::text),
             v_facts || '{"expected": "string"}');
  END IF;
  IF p_subject = 'field:date' AND NOT tasksteper.is_valid_date(v #>> '{}') THEN
    RETURN tasksteper.filter_refusal('TS443', 'bad_date', p_key, p_label,
             format('“%s”: “%s” is not a day; write a date that exists as YYYY-MM-DD, such as 2018-01-31',
                    p_label, v #>> '{}'),
             v_facts || '{"expected": "date"}');
  END IF;
  RETURN NULL;
END
$$;

-- What is wrong with a bound of an instant (gte, lte; reached's from, to).
CREATE FUNCTION tasksteper.filter_bound_problem(p_key text, p_label text, p_operator text, v jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_facts jsonb := jsonb_build_object('operator', p_operator, 'value', v);
BEGIN
  IF jsonb_typeof(v) IS DISTINCT FROM 'string' THEN
    RETURN tasksteper.filter_refusal('TS442', 'bad_value', p_key, p_label,
             format('“%s”: “%s” takes a date such as "2018-01-31" or a time such as "2018-01-31T10:00:00+08:00", not %s',
                    p_label, p_operator, coalesce(v::text, 'nothing')),
             v_facts || '{"expected": "instant"}');
  END IF;
  IF (tasksteper.filter_bound(v #>> '{}', false)).at IS NULL THEN
    RETURN tasksteper.filter_refusal('TS443', 'bad_date', p_key, p_label,
             format('“%s”: “%s” is neither a day nor a time; write a date that exists as YYYY-MM-DD, or a time with its offset such as 2018-01-31T10:00:00+08:00',
                    p_label, v #>> '{}'),
             v_facts || '{"expected": "instant"}');
  END IF;
  RETURN NULL;
END
$$;

-- What is wrong with @p_filter as a filter of a project of @p_definition:
-- NULL when nothing is, else {"sqlstate": TS44x, "ts": KIND, "message": …,
-- "field": the key (absent for the filter as a whole), "label", facts}.
-- The first problem found, key by key in jsonb's order (shorter keys first).
CREATE FUNCTION tasksteper.filter_problem(p_definition jsonb, p_filter jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  item record;
  op record;
  v_subject text;
  v_label text;
  v_allowed text[];
  v_problem jsonb;
  v_value jsonb;
BEGIN
  IF p_filter IS NULL OR jsonb_typeof(p_filter) <> 'object' THEN
    RETURN tasksteper.filter_refusal('TS442', 'bad_value', NULL, NULL,
             format('a search filter is an object of fields and what they must hold, such as {"state": "关闭"}, not %s',
                    coalesce(p_filter::text, 'nothing')),
             '{"expected": "object"}');
  END IF;

  FOR item IN SELECT key, value FROM jsonb_each(p_filter) LOOP
    v_subject := tasksteper.filter_subject(p_definition, item.key);
    v_label := tasksteper.filter_label(p_definition, item.key);

    IF v_subject IS NULL THEN
      RETURN tasksteper.filter_refusal('TS440', 'unknown_field', item.key, NULL,
               coalesce((SELECT format('“%s” is a label, not a field name: write “%s” (the name of the field %s)',
                                       item.key, f ->> 'name', item.key)
                           FROM jsonb_array_elements(p_definition -> 'fields') f
                          WHERE f ->> 'label' = item.key LIMIT 1),
                        format('“%s” is not a field of this project: use a field’s name, key, state, assigned_to, created_by, created_at, updated_at, text or reached',
                               item.key)),
               jsonb_build_object('project', p_definition ->> 'name'));
    END IF;

    v_allowed := tasksteper.filter_operators(v_subject);

    -- reached: {"state": s, "from": bound, "to": bound}
    IF v_subject = 'reached' THEN
      IF jsonb_typeof(item.value) <> 'object' THEN
        RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                 format('“%s” takes an object such as {"state": "关闭", "from": "2018-01-01", "to": "2018-01-31"}, not %s',
                        v_label, item.value::text),
                 '{"expected": "object"}');
      END IF;
      FOR op IN SELECT key, value FROM jsonb_each(item.value) LOOP
        IF op.key NOT IN ('state', 'from', 'to') THEN
          RETURN tasksteper.filter_refusal('TS441', 'bad_operator', item.key, v_label,
                   format('“%s” has no member “%s”; it takes “state”, and “from” and “to” for the time window',
                          v_label, op.key),
                   jsonb_build_object('operator', op.key, 'operators', '["state", "from", "to"]'::jsonb));
        END IF;
      END LOOP;
      IF jsonb_typeof(item.value -> 'state') IS DISTINCT FROM 'string' OR item.value ->> 'state' = '' THEN
        RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                 format('“%s” needs the state that was reached, such as {"state": "关闭"}', v_label),
                 jsonb_strip_nulls(jsonb_build_object('operator', 'state', 'value', item.value -> 'state',
                                                      'expected', 'state')));
      END IF;
      FOR op IN SELECT key, value FROM jsonb_each(item.value) WHERE key IN ('from', 'to') LOOP
        v_problem := tasksteper.filter_bound_problem(item.key, v_label, op.key, op.value);
        IF v_problem IS NOT NULL THEN
          RETURN v_problem;
        END IF;
      END LOOP;
      CONTINUE;
    END IF;

    IF jsonb_typeof(item.value) = 'null' THEN
      RETURN tasksteper.filter_value_problem(v_subject, item.key, v_label, NULL, item.value);
    END IF;

    -- text: words to find, or {"contains": …, "not_contains": …}
    IF v_subject = 'text' AND jsonb_typeof(item.value) <> 'object' THEN
      IF jsonb_typeof(item.value) <> 'string' OR item.value #>> '{}' = '' THEN
        RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                 format('“%s” takes the words to find, such as "北京", or {"contains": …, "not_contains": …}; not %s',
                        v_label, item.value::text),
                 jsonb_build_object('value', item.value, 'expected', 'words'));
      END IF;
      CONTINUE;
    END IF;

    -- created_at, updated_at: only bounds
    IF v_subject IN ('created_at', 'updated_at') AND jsonb_typeof(item.value) <> 'object' THEN
      RETURN tasksteper.filter_refusal('TS441', 'bad_operator', item.key, v_label,
               format('“%s” is a time: search it with {"gte": …} and {"lte": …}, such as {"gte": "2018-01-01", "lte": "2018-01-31"}',
                      v_label),
               jsonb_build_object('operators', to_jsonb(v_allowed)));
    END IF;

    -- A value, or a list of values: equality, one of.
    IF jsonb_typeof(item.value) <> 'object' THEN
      IF jsonb_typeof(item.value) = 'array' THEN
        IF jsonb_array_length(item.value) = 0 THEN
          RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                   format('“%s”: an empty list matches nothing; list the values to find', v_label),
                   '{"value": [], "expected": "values"}');
        END IF;
        FOR v_value IN SELECT e FROM jsonb_array_elements(item.value) e LOOP
          v_problem := tasksteper.filter_value_problem(v_subject, item.key, v_label, NULL, v_value);
          IF v_problem IS NOT NULL THEN
            RETURN v_problem;
          END IF;
        END LOOP;
      ELSE
        v_problem := tasksteper.filter_value_problem(v_subject, item.key, v_label, NULL, item.value);
        IF v_problem IS NOT NULL THEN
          RETURN v_problem;
        END IF;
      END IF;
      CONTINUE;
    END IF;

    -- An object of operators, all of which must hold.  Every operator must
    -- exist and apply before any operand is looked at.
    IF item.value = '{}'::jsonb THEN
      RETURN tasksteper.filter_refusal('TS441', 'bad_operator', item.key, v_label,
               format('“%s”: the operator object is empty; use %s', v_label,
                      (SELECT string_agg(format('“%s”', o), ', ') FROM unnest(v_allowed) o)),
               jsonb_build_object('operators', to_jsonb(v_allowed)));
    END IF;
    FOR op IN SELECT key, value FROM jsonb_each(item.value) LOOP
      IF NOT op.key = ANY (v_allowed) THEN
        RETURN tasksteper.filter_refusal('TS441', 'bad_operator', item.key, v_label,
                 CASE WHEN op.key = ANY ('{contains,not_contains,empty,not_empty,not,gte,lte}'::text[])
                      THEN format('“%s” cannot be searched with “%s”; use %s', v_label, op.key,
                                  (SELECT string_agg(format('“%s”', o), ', ') FROM unnest(v_allowed) o))
                      ELSE format('“%s”: there is no operator “%s”; use %s', v_label, op.key,
                                  (SELECT string_agg(format('“%s”', o), ', ') FROM unnest(v_allowed) o))
                 END,
                 jsonb_build_object('operator', op.key, 'operators', to_jsonb(v_allowed)));
      END IF;
    END LOOP;

    FOR op IN SELECT key, value FROM jsonb_each(item.value) LOOP
      CASE op.key
      WHEN 'contains', 'not_contains' THEN
        IF NOT ((jsonb_typeof(op.value) = 'string' AND op.value #>> '{}' <> '')
                OR (jsonb_typeof(op.value) = 'array' AND jsonb_array_length(op.value) > 0
                    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(op.value) e
                                     WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' = ''))) THEN
          RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                   format('“%s”: “%s” takes a word or a list of words, none of them empty, such as {"%s": "北京"}',
                          v_label, op.key, op.key),
                   jsonb_build_object('operator', op.key, 'value', op.value, 'expected', 'words'));
        END IF;
      WHEN 'empty', 'not_empty' THEN
        IF op.value IS DISTINCT FROM 'true'::jsonb THEN
          RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                   format('“%s”: write {"%s": true}; for the opposite use {"%s": true}', v_label, op.key,
                          CASE op.key WHEN 'empty' THEN 'not_empty' ELSE 'empty' END),
                   jsonb_build_object('operator', op.key, 'value', op.value, 'expected', 'true'));
        END IF;
      WHEN 'not' THEN
        IF jsonb_typeof(op.value) = 'object' THEN
          RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                   format('“%s”: “not” takes a value or a list of values, not an object; for “not empty” write {"not_empty": true}',
                          v_label),
                   jsonb_build_object('operator', 'not', 'value', op.value, 'expected', 'values'));
        END IF;
        IF jsonb_typeof(op.value) = 'array' THEN
          IF jsonb_array_length(op.value) = 0 THEN
            RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                     format('“%s”: “not” with an empty list excludes nothing; list the values to exclude', v_label),
                     '{"operator": "not", "value": [], "expected": "values"}');
          END IF;
          FOR v_value IN SELECT e FROM jsonb_array_elements(op.value) e LOOP
            v_problem := tasksteper.filter_value_problem(v_subject, item.key, v_label, 'not', v_value);
            IF v_problem IS NOT NULL THEN
              RETURN v_problem;
            END IF;
          END LOOP;
        ELSE
          v_problem := tasksteper.filter_value_problem(v_subject, item.key, v_label, 'not', op.value);
          IF v_problem IS NOT NULL THEN
            RETURN v_problem;
          END IF;
        END IF;
      WHEN 'gte', 'lte' THEN
        IF v_subject = 'field:integer' THEN
          IF NOT tasksteper.is_integer(op.value) THEN
            RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                     format('“%s” is a whole number; “%s” takes one such as 5, not %s', v_label, op.key, op.value::text),
                     jsonb_build_object('operator', op.key, 'value', op.value, 'expected', 'integer'));
          END IF;
        ELSIF v_subject = 'field:date' THEN
          IF jsonb_typeof(op.value) <> 'string' THEN
            RETURN tasksteper.filter_refusal('TS442', 'bad_value', item.key, v_label,
                     format('“%s” is a date; “%s” takes one such as "2018-01-31", not %s', v_label, op.key, op.value::text),
                     jsonb_build_object('operator', op.key, 'value', op.value, 'expected', 'date'));
          END IF;
          IF NOT tasksteper.is_valid_date(op.value #>> '{}') THEN
            RETURN tasksteper.filter_refusal('TS443', 'bad_date', item.key, v_label,
                     format('“%s”: “%s” is not a day; write a date that exists as YYYY-MM-DD, such as 2018-01-31',
                            v_label, op.value #>> '{}'),
                     jsonb_build_object('operator', op.key, 'value', op.value, 'expected', 'date'));
          END IF;
        ELSE
          v_problem := tasksteper.filter_bound_problem(item.key, v_label, op.key, op.value);
          IF v_problem IS NOT NULL THEN
            RETURN v_problem;
          END IF;
        END IF;
      END CASE;
    END LOOP;
  END LOOP;

  RETURN NULL;
END
$$;

-- Raises filter_problem()'s refusal, if any, through refuse().
CREATE FUNCTION tasksteper.check_filter(p_project text, p_definition jsonb, p_filter jsonb) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_problem jsonb := tasksteper.filter_problem(p_definition, p_filter);
BEGIN
  IF v_problem IS NOT NULL THEN
    PERFORM tasksteper.refuse(v_problem ->> 'sqlstate', v_problem ->> 'ts',
                              (v_problem - 'sqlstate' - 'ts' - 'message') || jsonb_build_object('project', p_project),
                              v_problem ->> 'message', v_problem ->> 'field');
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- The query.  search_query() checks the caller and the arguments and puts
-- the statement together: every fragment is a constant of this function,
-- and every value from the caller (field names, words, values, bounds,
-- the cursor) is an element of one of the parameter arrays, referred to as
-- $2[3] and so on.  Only the positions are written into the text.  The
-- statement runs with EXECUTE … USING p_project, t, j, ts, i, n, b:
--   $1 the project   $2 text[]   $3 jsonb[]   $4 timestamptz[]
--   $5 int[]         $6 numeric[]             $7 boolean[]
-- EXECUTE plans it for these values (a custom plan): the planner sees each
-- $2[3] as the constant it is, and matches it to the indexes.
--
-- @p_mode: 'ids' (the page: ticket ids in order), 'count' (count(*) of all
-- pages; sort, cursor and limit are not used).

-- How many rows the planner expects @p_sql to return, for these values,
-- and whether its plan reads a table whole (EXPLAIN, which plans without
-- running it).  VOLATILE: EXPLAIN is not allowed in the others.
CREATE FUNCTION tasksteper.estimated_rows(p_sql text, p_project text, t text[], j jsonb[], ts timestamptz[],
                                          i int[], n numeric[], b boolean[],
                                          OUT estimate float8, OUT whole boolean)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || p_sql INTO v_plan USING p_project, t, j, ts, i, n, b;
  estimate := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
  whole := strpos(v_plan::text, '"Node Type": "Seq Scan"') > 0;
END
$$;

CREATE FUNCTION tasksteper.search_query(p_project text, p_filter jsonb, p_sort text, p_descending boolean,
                                        p_after jsonb, p_limit int, p_mode text,
                                        p_check_member boolean DEFAULT true,
                                        OUT sql text, OUT t text[], OUT j jsonb[], OUT ts timestamptz[],
                                        OUT i int[], OUT n numeric[], OUT b boolean[],
                                        OUT estimate float8, OUT gathered boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_def jsonb;
  v_prefix text;
  v_where text[] := ARRAY['t.project = $1'];
  v_patterns text[] := '{}';  -- the LIKE conditions on ticket_texts, by reference
  v_window boolean := false;  -- a time window: created_at, updated_at, reached with bounds
  v_frag text;
  v_terms text[];
  v_text_fields text[];
  item record;
  op record;
  v_subject text;
  v_ops jsonb;
  v_values jsonb;
  v_value jsonb;
  v_word text;
  v_col text;
  v_fref text;
  v_pref text;
  v_wref text;
  v_bound record;
  v_sort text := coalesce(p_sort, 'number');
  v_desc boolean := coalesce(p_descending, true);
  v_limit int := coalesce(p_limit, 100);
  v_dir text;
  v_cmp text;
  v_key text;          -- the sort key's expression; NULL: by number alone
  v_key_type text;     -- 'text', 'timestamptz', 'numeric', 'boolean'
  v_nullable boolean := false;
  v_after_key text;    -- the cursor's key as a parameter reference; NULL: none
  v_after_number text;
  v_after_value jsonb;
  v_number int;
BEGIN
  t := '{}'; j := '{}'; ts := '{}'; i := '{}'; n := '{}'; b := '{}';

  SELECT x.definition, x.key_prefix INTO v_def, v_prefix FROM tasksteper.projects x WHERE x.name = p_project;
  IF NOT FOUND OR (p_check_member AND NOT tasksteper.is_member(p_project)) THEN
    PERFORM tasksteper.refuse('TS404', 'no_project', jsonb_build_object('project', p_project),
                              format('there is no project %s that you are a member of',
                                     coalesce(p_project, '<NULL>')));
  END IF;

  PERFORM tasksteper.check_filter(p_project, v_def, p_filter);

  FOR item IN SELECT key, value FROM jsonb_each(p_filter) LOOP
    v_subject := tasksteper.filter_subject(v_def, item.key);

    IF v_subject = 'reached' THEN
      t := t || (item.value ->> 'state');
      v_frag := 'EXISTS (SELECT 1 FROM tasksteper.history h WHERE h.ticket_id = t.id AND h.project = $1'
                || ' AND h.to_state = $2[' || cardinality(t) || ']'
                || ' AND h.from_state IS DISTINCT FROM h.to_state';
      v_window := v_window OR item.value ? 'from' OR item.value ? 'to';
      IF item.value ? 'from' THEN
        v_bound := tasksteper.filter_bound(item.value ->> 'from', false);
        ts := ts || v_bound.at;
        v_frag := v_frag || ' AND h.at >= $4[' || cardinality(ts) || ']';
      END IF;
      IF item.value ? 'to' THEN
        v_bound := tasksteper.filter_bound(item.value ->> 'to', true);
        ts := ts || v_bound.at;
        v_frag := v_frag || CASE WHEN v_bound.inclusive THEN ' AND h.at <= $4[' ELSE ' AND h.at < $4[' END
                  || cardinality(ts) || ']';
      END IF;
      v_where := v_where || (v_frag || ')');
      CONTINUE;
    END IF;

    -- Everything else as an object of operators; "=" for a value or a list.
    IF v_subject = 'text' AND jsonb_typeof(item.value) = 'string' THEN
      v_ops := jsonb_build_object('contains', item.value);
    ELSIF jsonb_typeof(item.value) = 'object' THEN
      v_ops := item.value;
    ELSE
      v_ops := jsonb_build_object('=', item.value);
    END IF;

    -- The value's expression: a field (its name a parameter) or a column.
    IF v_subject LIKE 'field:%' THEN
      t := t || item.key;
      v_fref := '$2[' || cardinality(t) || ']';
      v_col := 't.fields -> ' || v_fref;
    ELSE
      v_col := CASE v_subject
                 WHEN 'key' THEN 't.key'
                 WHEN 'state' THEN 't.state COLLATE "C"'
                 WHEN 'assigned_to' THEN 't.assigned_to COLLATE "C"'
                 WHEN 'created_by' THEN 't.created_by COLLATE "C"'
                 WHEN 'created_at' THEN 't.created_at'
                 WHEN 'updated_at' THEN 't.updated_at'
               END;
    END IF;

    IF v_subject = 'text' THEN
      -- The fields text looks at, as parameters, once.
      v_text_fields := '{}';
      FOR v_word IN SELECT f ->> 'name' FROM jsonb_array_elements(v_def -> 'fields') f
                     WHERE f ->> 'type' IN ('string', 'text', 'url') LOOP
        t := t || v_word;
        v_text_fields := v_text_fields || ('$2[' || cardinality(t) || ']');
      END LOOP;
    END IF;

    FOR op IN SELECT key, value FROM jsonb_each(v_ops) LOOP
      v_values := CASE WHEN jsonb_typeof(op.value) = 'array' THEN op.value ELSE jsonb_build_array(op.value) END;

      CASE op.key
      WHEN '=', 'not' THEN
        v_terms := '{}';
        FOR v_value IN SELECT e FROM jsonb_array_elements(v_values) e LOOP
          IF v_subject LIKE 'field:%' THEN
            -- Containment of one scalar is jsonb equality, and the GIN index's.
            j := j || jsonb_build_object(item.key, v_value);
            v_terms := v_terms || ('t.fields @> $3[' || cardinality(j) || ']');
          ELSIF v_subject = 'key' AND op.key = '=' THEN
            -- Keys are key_prefix_number: look the number up.
            v_number := CASE WHEN left(v_value #>> '{}', length(v_prefix) + 1) = v_prefix || '_'
                                  AND substr(v_value #>> '{}', length(v_prefix) + 2) ~ '^[1-9][0-9]{0,8}$'
                             THEN substr(v_value #>> '{}', length(v_prefix) + 2)::int END;
            t := t || (v_value #>> '{}');
            i := i || v_number;
            v_terms := v_terms || ('(t.number = $5[' || cardinality(i) || '] AND t.key = $2[' || cardinality(t) || '])');
          ELSE
            t := t || (v_value #>> '{}');
            v_terms := v_terms || (v_col || ' = $2[' || cardinality(t) || ']');
          END IF;
        END LOOP;
        v_frag := '(' || array_to_string(v_terms, ' OR ') || ')';
        IF op.key = 'not' THEN
          v_frag := 'NOT ' || v_frag;
        END IF;
        v_where := v_where || v_frag;

      WHEN 'empty', 'not_empty' THEN
        v_frag := CASE WHEN v_subject = 'assigned_to' THEN 'tasksteper.blank(to_jsonb(t.assigned_to))'
                       ELSE 'tasksteper.blank(' || v_col || ')' END;
        v_where := v_where || (CASE op.key WHEN 'empty' THEN v_frag ELSE 'NOT ' || v_frag END);

      WHEN 'contains', 'not_contains' THEN
        FOR v_word IN SELECT lower(e) FROM jsonb_array_elements_text(v_values) e LOOP
          t := t || v_word;
          v_wref := '$2[' || cardinality(t) || ']';
          v_frag := CASE v_subject
                      WHEN 'key' THEN 'strpos(lower(t.key), ' || v_wref || ') > 0'
                      WHEN 'text' THEN '(strpos(lower(t.key), ' || v_wref || ') > 0'
                                       || coalesce((SELECT string_agg(' OR tasksteper.string_contains(t.fields -> ' || f
                                                                      || ', ' || v_wref || ')', '')
                                                      FROM unnest(v_text_fields) f), '')
                                       || ')'
                      ELSE 'tasksteper.value_contains(' || v_col || ', ' || v_wref || ')'
                    END;
          IF op.key = 'contains' THEN
            -- The index narrows the tickets down first; a word without three
            -- letters or digits in a row has no trigram to look up.
            IF tasksteper.trigram_form(v_word) ~ '[[:alnum:]]{3}' THEN
              t := t || tasksteper.search_pattern(v_word);
              v_patterns := v_patterns || ('x.text LIKE $2[' || cardinality(t) || ']');
            END IF;
            v_where := v_where || v_frag;
          ELSE
            v_where := v_where || ('NOT ' || v_frag);
          END IF;
        END LOOP;

      WHEN 'gte', 'lte' THEN
        IF v_subject IN ('field:integer', 'field:date') THEN
          -- Both bounds in one test; the second operator adds nothing.
          IF op.key = 'lte' AND v_ops ? 'gte' THEN
            CONTINUE;
          END IF;
          j := j || (v_ops -> 'gte');
          j := j || (v_ops -> 'lte');
          v_where := v_where || ('tasksteper.within(' || v_col || ', $3[' || cardinality(j) - 1 || '], $3['
                                 || cardinality(j) || '])');
        ELSE
          v_window := true;
          v_bound := tasksteper.filter_bound(op.value #>> '{}', op.key = 'lte');
          ts := ts || v_bound.at;
          v_where := v_where || (v_col || CASE WHEN op.key = 'gte' THEN ' >= '
                                              WHEN v_bound.inclusive THEN ' <= ' ELSE ' < ' END
                                 || '$4[' || cardinality(ts) || ']');
        END IF;
      END CASE;
    END LOOP;
  END LOOP;

  -- Every word's pattern, in one look at ticket_texts.
  IF cardinality(v_patterns) > 0 THEN
    v_where := v_where || ('EXISTS (SELECT 1 FROM tasksteper.ticket_texts x WHERE x.ticket_id = t.id AND x.project = $1'
                           || ' AND ' || array_to_string(v_patterns, ' AND ') || ')');
  END IF;

  IF p_mode = 'count' THEN
    sql := 'SELECT count(*) FROM tasksteper.tickets t WHERE ' || array_to_string(v_where, E'\n   AND ');
    RETURN;
  END IF;

  -- The order, and the cursor: rows with no value last in either direction,
  -- ties by number in the same direction.
  IF v_limit NOT BETWEEN 1 AND 1000 THEN
    PERFORM tasksteper.refuse('TS442', 'bad_value', jsonb_build_object('parameter', 'p_limit', 'value', v_limit),
                              format('a page has 1 to 1000 tickets, not %s', v_limit));
  END IF;
  v_dir := CASE WHEN v_desc THEN 'DESC' ELSE 'ASC' END;
  v_cmp := CASE WHEN v_desc THEN '<' ELSE '>' END;

  CASE v_sort
  WHEN 'number', 'key' THEN
    v_key := NULL;
  WHEN 'state' THEN
    v_key := 't.state COLLATE "C"';
    v_key_type := 'text';
  WHEN 'assigned_to' THEN
    v_key := 't.assigned_to COLLATE "C"';
    v_key_type := 'text';
  WHEN 'created_by' THEN
    v_key := 't.created_by COLLATE "C"';
    v_key_type := 'text';
  WHEN 'created_at' THEN
    v_key := 't.created_at';
    v_key_type := 'timestamptz';
  WHEN 'updated_at' THEN
    v_key := 't.updated_at';
    v_key_type := 'timestamptz';
  ELSE
    IF tasksteper.field_def(v_def, v_sort) IS NULL THEN
      PERFORM tasksteper.refuse('TS440', 'unknown_field',
                                jsonb_build_object('field', v_sort, 'project', p_project, 'parameter', 'p_sort'),
                                format('cannot sort by “%s”: it is not a field of project %s; sort by number, key, state, assigned_to, created_by, created_at, updated_at or a field’s name',
                                       v_sort, p_project),
                                v_sort);
    END IF;
    t := t || v_sort;
    v_fref := '$2[' || cardinality(t) || ']';
    v_nullable := true;
    CASE tasksteper.field_def(v_def, v_sort) ->> 'type'
    WHEN 'integer' THEN
      v_key := '(CASE WHEN jsonb_typeof(t.fields -> ' || v_fref || ') = ''number'' THEN (t.fields -> '
               || v_fref || ')::numeric END)';
      v_key_type := 'numeric';
    WHEN 'boolean' THEN
      v_key := '(CASE WHEN jsonb_typeof(t.fields -> ' || v_fref || ') = ''boolean'' THEN (t.fields -> '
               || v_fref || ')::boolean END)';
      v_key_type := 'boolean';
    ELSE
      v_key := '(CASE WHEN jsonb_typeof(t.fields -> ' || v_fref || ') = ''string'' AND NOT tasksteper.is_empty(t.fields -> '
               || v_fref || ') THEN (t.fields ->> ' || v_fref || ') COLLATE "C" END)';
      v_key_type := 'text';
    END CASE;
  END CASE;

  IF p_after IS NOT NULL THEN
    IF jsonb_typeof(p_after) <> 'object' OR NOT tasksteper.is_integer(p_after -> 'number')
       OR (p_after ->> 'number')::numeric NOT BETWEEN -2147483648 AND 2147483647 THEN
      PERFORM tasksteper.refuse('TS442', 'bad_value', jsonb_build_object('parameter', 'p_after', 'value', p_after),
                                'the cursor p_after must be {"value": <the last row''s sort value>, "number": <its number>}');
    END IF;
    i := i || (p_after ->> 'number')::numeric::int;
    v_after_number := '$5[' || cardinality(i) || ']';
    v_after_value := p_after -> 'value';

    IF v_key IS NULL THEN
      v_where := v_where || ('t.number ' || v_cmp || ' ' || v_after_number);
    ELSE
      IF NOT v_nullable THEN
        -- The system columns always have a value.
        IF v_key_type = 'text' AND jsonb_typeof(v_after_value) IS DISTINCT FROM 'string' THEN
          PERFORM tasksteper.refuse('TS442', 'bad_value', jsonb_build_object('parameter', 'p_after', 'value', p_after),
                                    format('the cursor p_after must give the last row''s %s as a string', v_sort));
        END IF;
        IF v_key_type = 'timestamptz' THEN
          BEGIN
            ts := ts || (v_after_value #>> '{}')::timestamptz;
          EXCEPTION WHEN OTHERS THEN
            PERFORM tasksteper.refuse('TS442', 'bad_value', jsonb_build_object('parameter', 'p_after', 'value', p_after),
                                      format('the cursor p_after must give the last row''s %s as a time, such as "2018-01-02T09:00:00.123456+08:00"', v_sort));
          END;
          IF ts[cardinality(ts)] IS NULL THEN
            PERFORM tasksteper.refuse('TS442', 'bad_value', jsonb_build_object('parameter', 'p_after', 'value', p_after),
                                      format('the cursor p_after must give the last row''s %s as a time', v_sort));
          END IF;
          v_after_key := '$4[' || cardinality(ts) || ']';
        ELSE
          t := t || (v_after_value #>> '{}');
          v_after_key := '$2[' || cardinality(t) || ']';
        END IF;
        v_where := v_where || ('(' || v_key || ', t.number) ' || v_cmp || ' (' || v_after_key || ', '
                               || v_after_number || ')');
      ELSE
        -- A field: the cursor's value read as the rows' are; a value of
        -- another JSON type, or an empty one, is no value.
        IF v_key_type = 'numeric' AND jsonb_typeof(v_after_value) = 'number' THEN
          n := n || (v_after_value #>> '{}')::numeric;
          v_after_key := '$6[' || cardinality(n) || ']';
        ELSIF v_key_type = 'boolean' AND jsonb_typeof(v_after_value) = 'boolean' THEN
          b := b || (v_after_value #>> '{}')::boolean;
          v_after_key := '$7[' || cardinality(b) || ']';
        ELSIF v_key_type = 'text' AND jsonb_typeof(v_after_value) = 'string'
              AND NOT tasksteper.is_empty(v_after_value) THEN
          t := t || (v_after_value #>> '{}');
          v_after_key := '$2[' || cardinality(t) || ']';
        END IF;
        IF v_after_key IS NULL THEN
          v_where := v_where || ('(' || v_key || ' IS NULL AND t.number ' || v_cmp || ' ' || v_after_number || ')');
        ELSE
          v_where := v_where || ('(' || v_key || ' ' || v_cmp || ' ' || v_after_key
                                 || ' OR (' || v_key || ' = ' || v_after_key || ' AND t.number ' || v_cmp || ' '
                                 || v_after_number || ') OR ' || v_key || ' IS NULL)');
        END IF;
      END IF;
    END IF;
  END IF;

  i := i || v_limit;
  sql := 'SELECT t.id FROM tasksteper.tickets t WHERE ' || array_to_string(v_where, E'\n   AND ')
         || E'\n ORDER BY '
         || CASE WHEN v_key IS NULL THEN ''
                 ELSE v_key || ' ' || v_dir || CASE WHEN v_nullable THEN ' NULLS LAST' ELSE '' END || ', ' END
         || 't.number ' || v_dir
         || E'\n LIMIT $5[' || cardinality(i) || ']';

  -- The planner finds a page in the order's index, testing tickets as it
  -- goes, when it expects matches all along that order; but the tickets of
  -- a time window (created, reached in March) lie together in it, far from
  -- its start, and walking to them reads half the table.  With a window,
  -- when it expects few matches and finds them through indexes, find them
  -- all first and sort those ("gathered"): at most some 25,000 tickets,
  -- whatever their order.  Without one, matches lie all along the order as
  -- the planner assumes.  A sort by a field has no index to walk, and finds
  -- them all anyway.
  gathered := false;
  IF v_window AND NOT v_nullable THEN
    SELECT e.estimate, NOT e.whole AND e.estimate <= 25000 INTO estimate, gathered
      FROM tasksteper.estimated_rows('SELECT t.id FROM tasksteper.tickets t WHERE '
                                     || array_to_string(v_where, ' AND '),
                                     p_project, t, j, ts, i, n, b) e;
    IF gathered THEN
      sql := 'SELECT s.id FROM (SELECT t.id, t.number'
             || CASE WHEN v_key IS NULL THEN '' ELSE ', ' || v_key || ' AS k' END
             || ' FROM tasksteper.tickets t WHERE ' || array_to_string(v_where, E'\n   AND ')
             || E'\n OFFSET 0) s\n ORDER BY '
             || CASE WHEN v_key IS NULL THEN '' ELSE 's.k ' || v_dir || ', ' END
             || 's.number ' || v_dir
             || E'\n LIMIT $5[' || cardinality(i) || ']';
    END IF;
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Searching.
--
-- Row-level security on tickets makes its policy's condition a security
-- barrier: the caller's conditions run after it, and may only become index
-- conditions when their operators are leakproof, which jsonb's @> and
-- LIKE are not (and EXPLAIN shows the GIN indexes unused).  So the
-- search itself runs as the owner, in search_ticket_ids(), which reads only
-- the project the caller is a member of (the policy's own test, checked
-- first), runs no function of the caller's, and returns ids; and
-- search_tickets() reads those rows as the caller, under row-level
-- security, in that order.

-- The ids of the page search_tickets() returns, in order.  Callable by
-- members (search_tickets() runs as its caller); it gives nothing
-- search_tickets() would not.
CREATE FUNCTION tasksteper.search_ticket_ids(p_project text, p_filter jsonb, p_sort text DEFAULT 'number',
                                             p_descending boolean DEFAULT true, p_after jsonb DEFAULT NULL,
                                             p_limit int DEFAULT 100)
RETURNS TABLE (id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
ROWS 100
AS $$
DECLARE
  q record;
BEGIN
  q := tasksteper.search_query(p_project, p_filter, p_sort, p_descending, p_after, p_limit, 'ids');
  RETURN QUERY EXECUTE q.sql USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b;
END
$$;

CREATE FUNCTION tasksteper.search_tickets(p_project text, p_filter jsonb, p_sort text DEFAULT 'number',
                                          p_descending boolean DEFAULT true, p_after jsonb DEFAULT NULL,
                                          p_limit int DEFAULT 100)
RETURNS SETOF tasksteper.tickets
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
ROWS 100
AS $$
  SELECT t.*
    FROM tasksteper.search_ticket_ids(p_project, p_filter, p_sort, p_descending, p_after, p_limit)
         WITH ORDINALITY AS s(id, ord)
    JOIN tasksteper.tickets t ON t.id = s.id
   ORDER BY s.ord
$$;

-- How many tickets search_tickets() finds in all its pages.  As the owner,
-- for the reason above, after the same checks.
CREATE FUNCTION tasksteper.count_tickets(p_project text, p_filter jsonb) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  q record;
  v_count bigint;
BEGIN
  q := tasksteper.search_query(p_project, p_filter, 'number', true, NULL, 100, 'count');
  EXECUTE q.sql INTO v_count USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b;
  RETURN v_count;
END
$$;

-- For the database's administrator (superusers only: nothing is granted):
-- the plan of the statement search_ticket_ids() or count_tickets() runs for
-- these arguments, as EXPLAIN shows it (@p_mode 'ids' or 'count'; with
-- @p_analyze, EXPLAIN ANALYZE, which runs it), after a first line saying
-- how many matches the planner expected and so which form of the
-- statement was chosen.  Whose project it is is not checked: the plan is
-- the same for every member.
CREATE FUNCTION tasksteper.search_plan(p_project text, p_filter jsonb, p_sort text DEFAULT 'number',
                                       p_descending boolean DEFAULT true, p_after jsonb DEFAULT NULL,
                                       p_limit int DEFAULT 100, p_mode text DEFAULT 'ids',
                                       p_analyze boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  q record;
BEGIN
  q := tasksteper.search_query(p_project, p_filter, p_sort, p_descending, p_after, p_limit,
                               CASE WHEN p_mode = 'count' THEN 'count' ELSE 'ids' END, false);
  RETURN NEXT CASE
    WHEN p_mode = 'count' THEN 'count_tickets():'
    WHEN q.estimate IS NULL THEN 'search_ticket_ids(): no time window, or a sort by a field: as planned'
    WHEN q.gathered THEN format('search_ticket_ids(): %s matches expected, found through indexes: all gathered first, then sorted', q.estimate)
    ELSE format('search_ticket_ids(): %s matches expected, or no index finds them: as planned', q.estimate)
  END;
  RETURN QUERY EXECUTE CASE WHEN p_analyze THEN 'EXPLAIN (ANALYZE, BUFFERS) ' ELSE 'EXPLAIN ' END || q.sql
    USING p_project, q.t, q.j, q.ts, q.i, q.n, q.b;
END
$$;

-- ---------------------------------------------------------------------------
-- Saved searches.

-- What is wrong with @p as the name of a saved search, in words, or NULL:
-- 1 to 100 characters, not only white space (the eight characters of
-- is_empty()).
CREATE FUNCTION tasksteper.check_search_name(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN p IS NULL OR tasksteper.is_empty(to_jsonb(p)) THEN 'a saved search needs a name that is not only white space'
    WHEN char_length(p) > 100 THEN format('a saved search’s name may have at most 100 characters, not %s', char_length(p))
  END
$$;

CREATE TABLE tasksteper.saved_searches (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project     text NOT NULL REFERENCES tasksteper.projects (name) ON DELETE CASCADE,
  owner       text NOT NULL DEFAULT session_user,
  name        text NOT NULL CHECK (tasksteper.check_search_name(name) IS NULL),
  query       text NOT NULL DEFAULT '' CHECK (char_length(query) <= 2000),
  filter      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(filter) = 'object'),
  shared      boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (project, owner, name)
);
-- A shared search's name is the project's: one of each name.
CREATE UNIQUE INDEX saved_searches_shared_name_idx ON tasksteper.saved_searches (project, name) WHERE shared;

ALTER TABLE tasksteper.saved_searches ENABLE ROW LEVEL SECURITY;
-- A private search: its owner, while a member of the project (my_projects()
-- checks the role's oid: a role created again with the name sees nothing).
CREATE POLICY owner_reads ON tasksteper.saved_searches FOR SELECT
  USING (owner = (session_user::text COLLATE "default")
         AND project = ANY ((SELECT tasksteper.my_projects())::text[]));
-- A shared one: every member of the project.
CREATE POLICY members_read_shared ON tasksteper.saved_searches FOR SELECT
  USING (shared AND project = ANY ((SELECT tasksteper.my_projects())::text[]));
GRANT SELECT ON tasksteper.saved_searches TO tasksteper_user;

-- Refuses @p_name as a saved search's name (TS422, COLUMN @p_column) when
-- check_search_name() finds something wrong with it.
CREATE FUNCTION tasksteper.refuse_search_name(p_name text, p_column text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_problem text := tasksteper.check_search_name(p_name);
BEGIN
  IF v_problem IS NOT NULL THEN
    PERFORM tasksteper.refuse('TS422', CASE WHEN char_length(p_name) > 100 THEN 'too_long' ELSE 'blank_name' END,
                              jsonb_build_object('field', p_column, 'length', char_length(p_name), 'max_length', 100),
                              v_problem, p_column);
  END IF;
END
$$;

CREATE FUNCTION tasksteper.save_search(p_project text, p_name text, p_query text, p_filter jsonb,
                                       p_shared boolean DEFAULT false)
RETURNS tasksteper.saved_searches
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  v_def jsonb;
  v_query text := coalesce(p_query, '');
  v_shared boolean := coalesce(p_shared, false);
  v_other text;
  s tasksteper.saved_searches;
BEGIN
  IF NOT tasksteper.is_member(p_project) THEN
    PERFORM tasksteper.refuse('TS404', 'no_project', jsonb_build_object('project', p_project),
                              format('there is no project %s that you are a member of', coalesce(p_project, '<NULL>')));
  END IF;
  PERFORM tasksteper.refuse_search_name(p_name, 'name');
  IF char_length(v_query) > 2000 THEN
    PERFORM tasksteper.refuse('TS422', 'too_long',
                              jsonb_build_object('field', 'query', 'length', char_length(v_query), 'max_length', 2000),
                              format('a saved search’s query may have at most 2000 characters, not %s', char_length(v_query)),
                              'query');
  END IF;
  SELECT definition INTO v_def FROM tasksteper.projects WHERE name = p_project;
  PERFORM tasksteper.check_filter(p_project, v_def, p_filter);

  IF v_shared THEN
    SELECT x.owner INTO v_other FROM tasksteper.saved_searches x
     WHERE x.project = p_project AND x.name = p_name AND x.shared AND x.owner <> session_user;
    IF FOUND THEN
      PERFORM tasksteper.refuse('TS409', 'name_taken',
                                jsonb_build_object('field', 'name', 'project', p_project, 'name', p_name, 'owner', v_other),
                                format('%s already shares a search named “%s” in project %s: pick another name',
                                       v_other, p_name, p_project),
                                'name', 'Save it under another name, or keep it private.');
    END IF;
  END IF;

  BEGIN
    INSERT INTO tasksteper.saved_searches AS x (project, owner, name, query, filter, shared)
    VALUES (p_project, session_user, p_name, v_query, p_filter, v_shared)
    ON CONFLICT (project, owner, name) DO UPDATE
      SET query = EXCLUDED.query, filter = EXCLUDED.filter, shared = EXCLUDED.shared,
          updated_at = clock_timestamp()
    RETURNING * INTO s;
  EXCEPTION
    WHEN unique_violation THEN
      -- Another member shared that name meanwhile.
      PERFORM tasksteper.refuse('TS409', 'name_taken', jsonb_build_object('field', 'name', 'project', p_project, 'name', p_name),
                                format('someone already shares a search named “%s” in project %s: pick another name',
                                       p_name, p_project),
                                'name', 'Save it under another name, or keep it private.');
    WHEN lock_not_available OR deadlock_detected THEN
      PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('project', p_project, 'name', p_name),
                                format('the saved search “%s” is being changed: try again', p_name),
                                NULL, 'Nothing was changed; the same call can be sent again.');
  END;

  PERFORM pg_notify('tasksteper', '{"saved_searches": true}');
  RETURN s;
END
$$;

CREATE FUNCTION tasksteper.rename_search(p_project text, p_name text, p_new_name text)
RETURNS tasksteper.saved_searches
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  s tasksteper.saved_searches;
  v_other text;
BEGIN
  IF NOT tasksteper.is_member(p_project) THEN
    PERFORM tasksteper.refuse('TS404', 'no_project', jsonb_build_object('project', p_project),
                              format('there is no project %s that you are a member of', coalesce(p_project, '<NULL>')));
  END IF;
  PERFORM tasksteper.refuse_search_name(p_new_name, 'new_name');

  BEGIN
    SELECT * INTO s FROM tasksteper.saved_searches x
     WHERE x.project = p_project AND x.owner = session_user AND x.name = p_name
     FOR UPDATE;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('project', p_project, 'name', p_name),
                              format('the saved search “%s” is being changed: try again', p_name),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;
  IF NOT FOUND THEN
    PERFORM tasksteper.refuse('TS404', 'no_search', jsonb_build_object('project', p_project, 'name', p_name),
                              format('you have no saved search named “%s” in project %s', coalesce(p_name, '<NULL>'), p_project));
  END IF;
  IF p_new_name = p_name THEN
    RETURN s;
  END IF;

  IF EXISTS (SELECT 1 FROM tasksteper.saved_searches x
              WHERE x.project = p_project AND x.owner = session_user AND x.name = p_new_name) THEN
    PERFORM tasksteper.refuse('TS409', 'name_taken',
                              jsonb_build_object('field', 'new_name', 'project', p_project, 'name', p_new_name,
                                                 'owner', session_user::text),
                              format('you already have a saved search named “%s” in project %s', p_new_name, p_project),
                              'new_name', 'Pick another name, or delete that search first.');
  END IF;
  IF s.shared THEN
    SELECT x.owner INTO v_other FROM tasksteper.saved_searches x
     WHERE x.project = p_project AND x.name = p_new_name AND x.shared AND x.owner <> session_user;
    IF FOUND THEN
      PERFORM tasksteper.refuse('TS409', 'name_taken',
                                jsonb_build_object('field', 'new_name', 'project', p_project, 'name', p_new_name,
                                                   'owner', v_other),
                                format('%s already shares a search named “%s” in project %s: pick another name',
                                       v_other, p_new_name, p_project),
                                'new_name', 'Pick another name.');
    END IF;
  END IF;

  BEGIN
    UPDATE tasksteper.saved_searches SET name = p_new_name, updated_at = clock_timestamp()
     WHERE id = s.id
    RETURNING * INTO s;
  EXCEPTION WHEN unique_violation THEN
    PERFORM tasksteper.refuse('TS409', 'name_taken',
                              jsonb_build_object('field', 'new_name', 'project', p_project, 'name', p_new_name),
                              format('the name “%s” was taken meanwhile in project %s: pick another name', p_new_name, p_project),
                              'new_name', 'Pick another name.');
  END;

  PERFORM pg_notify('tasksteper', '{"saved_searches": true}');
  RETURN s;
END
$$;

CREATE FUNCTION tasksteper.delete_search(p_project text, p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
BEGIN
  IF NOT tasksteper.is_member(p_project) THEN
    PERFORM tasksteper.refuse('TS404', 'no_project', jsonb_build_object('project', p_project),
                              format('there is no project %s that you are a member of', coalesce(p_project, '<NULL>')));
  END IF;
  BEGIN
    DELETE FROM tasksteper.saved_searches x
     WHERE x.project = p_project AND x.owner = session_user AND x.name = p_name;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('project', p_project, 'name', p_name),
                              format('the saved search “%s” is being changed: try again', p_name),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;
  IF NOT FOUND THEN
    PERFORM tasksteper.refuse('TS404', 'no_search', jsonb_build_object('project', p_project, 'name', p_name),
                              format('you have no saved search named “%s” in project %s', coalesce(p_name, '<NULL>'), p_project));
  END IF;
  PERFORM pg_notify('tasksteper', '{"saved_searches": true}');
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.  The helpers are the owner's; check_search_name(),
-- like check_display_name(), a client may ask before it sends a name.

GRANT EXECUTE ON FUNCTION
  tasksteper.search_tickets(text, jsonb, text, boolean, jsonb, int),
  tasksteper.search_ticket_ids(text, jsonb, text, boolean, jsonb, int),
  tasksteper.count_tickets(text, jsonb),
  tasksteper.check_search_name(text),
  tasksteper.save_search(text, text, text, jsonb, boolean),
  tasksteper.rename_search(text, text, text),
  tasksteper.delete_search(text, text)
TO tasksteper_user;

INSERT INTO tasksteper.migrations (version) VALUES (6);
