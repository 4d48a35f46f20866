-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 2: people get display names ("张伟" for
-- the login zhangwei), a client reads a project's members with their names,
-- and "my tickets" lists the open tickets assigned to the caller across
-- every project they are a member of.  Applied by `tasksteper-admin init`
-- after 0001-initial.sql, in one transaction; described in docs/sql-api.md.
--
-- The conventions of version 1 hold: tasksteper_owner owns every object,
-- identity is session_user, tables are read-only (SELECT) with row-level
-- security, every change goes through a function, and functions are
-- executable only by the roles they are granted to.
--
-- SQLSTATEs raised (class TS, as in version 1):
--   TS404 set_display_name: no TaskSteper user of that login
--   TS422 set_display_name: the display name breaks a rule of
--         check_display_name() (COLUMN: display_name)

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- What is wrong with @p as a display name, in words for a person, or NULL
-- when it is fine (NULL itself is fine: it means "no display name").  The
-- table's CHECK and set_display_name() both ask it, so the rules live in
-- one place; clients may ask it too before sending a name.
--
-- A display name is 1 to 100 characters, with no white space at either
-- end, no control characters (C0, DEL, C1), no line or paragraph
-- separators and no bidirectional embedding, override or isolate controls
-- (which would let a name show as someone else's), in Unicode normal form
-- NFC (so one name has one spelling; set_display_name() normalises).
CREATE FUNCTION tasksteper.check_display_name(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN p IS NULL THEN NULL
    WHEN p = '' THEN 'a display name may not be empty'
    WHEN p ~ E'[\u0001-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]' THEN
      'a display name may not contain control characters such as line breaks or tabs'
    WHEN p ~ E'^[ \u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]'
      OR p ~ E'[ \u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]$' THEN
      'a display name may not start or end with white space'
    WHEN char_length(p) > 100 THEN
      format('a display name may have at most 100 characters, not %s', char_length(p))
    WHEN NOT p IS NFC NORMALIZED THEN
      'a display name must be in Unicode normal form NFC'
  END
$$;

-- The names people are shown by.  One row per person who has a display
-- name; a person without one has no row (clients show the login).  The
-- login is a role name, not a foreign key: roles live outside the
-- database, and the row of a role that was dropped stays until an admin
-- clears it.
CREATE TABLE tasksteper.people (
  login        text PRIMARY KEY CHECK (octet_length(login) BETWEEN 1 AND 63),
  display_name text NOT NULL CHECK (tasksteper.check_display_name(display_name) IS NULL),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT session_user
);

-- My open tickets across projects: my_tickets() finds them through this
-- index however many tickets the projects hold, and reads them in its
-- order (or sorts the few found, when the planner finds that cheaper).
CREATE INDEX tickets_assigned_idx ON tasksteper.tickets (assigned_to, project, number DESC)
  WHERE NOT is_final;

-- ---------------------------------------------------------------------------
-- Who may see whom: oneself, the people who share a project with one (the
-- members one may read), and, for admins, everyone.

ALTER TABLE tasksteper.people ENABLE ROW LEVEL SECURITY;

CREATE POLICY self_read ON tasksteper.people FOR SELECT
  USING (login = session_user);
-- The members policy applies inside the subquery too: only the members of
-- one's own projects are found.
CREATE POLICY members_read ON tasksteper.people FOR SELECT
  USING (EXISTS (SELECT 1 FROM tasksteper.members m
                  WHERE m.member = people.login
                    AND m.project = ANY ((SELECT tasksteper.my_projects())::text[])));
CREATE POLICY admins_read ON tasksteper.people FOR SELECT
  USING (pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER'));

GRANT SELECT ON tasksteper.people TO tasksteper_user, tasksteper_admin;

-- ---------------------------------------------------------------------------
-- Reading.  Both are SECURITY INVOKER: row-level security decides, exactly
-- as for a SELECT of one's own.

-- The members of @p_project with their display names (NULL when none is
-- set), ordered as a person looks for them: by the name shown.  Members of
-- the project (and admins) get every member; anyone else gets no rows.
CREATE FUNCTION tasksteper.project_members(p_project text)
RETURNS TABLE (login text, display_name text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT m.member, p.display_name
    FROM tasksteper.members m
    LEFT JOIN tasksteper.people p ON p.login = m.member
   WHERE m.project = p_project
   ORDER BY coalesce(p.display_name, m.member), m.member
$$;

-- The open (not final) tickets assigned to the caller in every project
-- they are a member of, by project, newest number first; served by
-- tickets_assigned_idx.  session_user is a name, of collation "C": as text
-- of the column's collation it is a key the index can look up (compared
-- as a name, it would be only a filter).
CREATE FUNCTION tasksteper.my_tickets()
RETURNS SETOF tasksteper.tickets
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT t.*
    FROM tasksteper.tickets t
   WHERE t.assigned_to = (session_user::text COLLATE "default") AND NOT t.is_final
     AND t.project = ANY ((SELECT tasksteper.my_projects())::text[])
   ORDER BY t.project, t.number DESC
$$;

-- ---------------------------------------------------------------------------
-- Administration (tasksteper_admin).

-- Sets the display name of the TaskSteper user @p_login; NULL or '' clears
-- it.  The name is normalised to NFC, then must pass
-- check_display_name() (TS422 otherwise).  TS404 when @p_login is no
-- TaskSteper user; clearing works for any login that has a name, so the
-- name of a role that was dropped can go too.  Announces {"people": true}
-- after commit when something changed.
CREATE FUNCTION tasksteper.set_display_name(p_login text, p_display_name text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_name text := nullif(p_display_name, '');
  problem text;
BEGIN
  IF v_name IS NULL THEN
    DELETE FROM tasksteper.people WHERE login = p_login;
    IF FOUND THEN
      PERFORM pg_notify('tasksteper', '{"people": true}');
      RETURN;
    END IF;
  END IF;

  -- The same test as add_member(): a direct member of tasksteper_user that
  -- can log in and is no superuser.
  IF NOT EXISTS (SELECT 1
                   FROM pg_catalog.pg_roles r
                   JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
                   JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                  WHERE r.rolname = p_login AND r.rolcanlogin AND NOT r.rolsuper
                    AND g.rolname = 'tasksteper_user') THEN
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

  INSERT INTO tasksteper.people AS x (login, display_name)
  VALUES (p_login, v_name)
  ON CONFLICT (login) DO UPDATE
    SET display_name = EXCLUDED.display_name, updated_at = now(), updated_by = session_user
    WHERE x.display_name IS DISTINCT FROM EXCLUDED.display_name;
  IF FOUND THEN
    PERFORM pg_notify('tasksteper', '{"people": true}');
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.

GRANT EXECUTE ON FUNCTION
  tasksteper.check_display_name(text), tasksteper.project_members(text), tasksteper.my_tickets()
TO tasksteper_user;

GRANT EXECUTE ON FUNCTION
  tasksteper.check_display_name(text), tasksteper.project_members(text),
  tasksteper.set_display_name(text, text)
TO tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (2);
