-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 8: people who come and go.  Applied by
-- `tasksteper-admin init` after the earlier versions, in one transaction;
-- described in docs/sql-api.md ("People, since version 8").
--
--   * A project admin per project: members.is_admin, granted and revoked by
--     TaskSteper admins (set_member_admin()); is_project_admin() tells the
--     caller whether they are one.
--   * reassign(): a project admin (or a TaskSteper admin) gives a ticket to
--     another member; history records it (trigger NULL, the state
--     unchanged, from_assignee → to_assignee, no field changes).
--   * remove_member() refuses while the person holds open tickets of the
--     project, unless a third argument names the member who takes them
--     over in the same transaction (each move a history row).
--   * forget_user() takes a user out of every project before their login
--     is dropped, and refuses while they hold any open ticket.
--   * No open ticket is ever given to a non-member: a trigger on tickets
--     checks (and locks FOR KEY SHARE) the new holder's membership on
--     every write the functions make, whichever function it is.
--   * linked_from(): the tickets whose url fields link to a ticket, found
--     with a GIN index over the links in each ticket's fields.
--
-- SQLSTATEs added (class TS):
--   TS403 reassign: not an admin of the ticket's project ("not_project_admin")
--   TS422 reassign: the ticket is already theirs ("already_assignee")
--   TS425 remove_member / forget_user: the person still holds open tickets
--         ("holds_tickets"); DETAIL has the count and their keys

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- Project admins.  An UPDATE of is_admin takes FOR NO KEY UPDATE, which the
-- FOR KEY SHARE of a fire() in flight does not wait for (nor it for us).

ALTER TABLE tasksteper.members ADD COLUMN is_admin boolean NOT NULL DEFAULT false;

-- Whether the caller is an admin of @p_project (the role that was made a
-- member, not a new one of the same name).  Only ever about oneself.
CREATE FUNCTION tasksteper.is_project_admin(p_project text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM tasksteper.members
                  WHERE project = p_project AND member = session_user
                    AND member_oid = tasksteper.role_oid(session_user) AND is_admin)
$$;

-- Whether the caller may reassign the tickets of @p_project: its admins,
-- TaskSteper admins and superusers (pg_has_role() says yes to those).
CREATE FUNCTION tasksteper.may_reassign(p_project text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT tasksteper.is_project_admin(p_project)
      OR pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER')
$$;

-- Makes the member @p_member of @p_project an admin of it (@p_admin) or
-- not.  Returns whether anything changed.  Clients re-read their projects.
CREATE FUNCTION tasksteper.set_member_admin(p_project text, p_member text, p_admin boolean)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  v_was boolean;
BEGIN
  IF p_admin IS NULL THEN
    RAISE EXCEPTION 'say whether % should be an admin of project %: true or false', p_member, p_project
      USING ERRCODE = 'TS422';
  END IF;
  BEGIN
    SELECT is_admin INTO v_was FROM tasksteper.members
     WHERE project = p_project AND member = p_member AND member_oid = tasksteper.role_oid(p_member)
       FOR NO KEY UPDATE;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'the membership of % in project % is being changed: try again', p_member, p_project
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;
  IF v_was IS NULL THEN
    RAISE EXCEPTION '% is not a member of project %', p_member, p_project
      USING ERRCODE = 'TS404',
            HINT = format('Add them first: tasksteper-admin member add --admin %s %s', p_project, p_member);
  END IF;
  IF v_was = p_admin THEN
    RETURN false;
  END IF;
  UPDATE tasksteper.members SET is_admin = p_admin WHERE project = p_project AND member = p_member;
  -- The projects' list says who may reassign: clients read it again.
  PERFORM pg_notify('tasksteper', '{"reimport": true}');
  RETURN true;
END
$$;

-- ---------------------------------------------------------------------------
-- Moving a ticket to another holder.

-- Gives the locked ticket @t to @p_to, with its history row and its
-- announcement.  Internal: the callers check who may, lock, and make sure
-- @p_to is a member (the trigger below checks that too).
CREATE FUNCTION tasksteper.move_ticket(t tasksteper.tickets, p_to text) RETURNS tasksteper.tickets
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_now timestamptz := clock_timestamp();
  moved tasksteper.tickets;
BEGIN
  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  VALUES (t.id, t.project, v_now, session_user, NULL, t.state, t.state, t.assigned_to, p_to, '{}');

  UPDATE tasksteper.tickets
     SET assigned_to = p_to, version = version + 1, updated_at = v_now
   WHERE id = t.id
  RETURNING * INTO moved;

  PERFORM tasksteper.announce(moved);
  RETURN moved;
END
$$;

-- The membership of @p_login in @p_project, locked FOR KEY SHARE (a
-- concurrent remove_member() waits for us, and then sees what we gave
-- them).  Whether there is one.  lock_not_available is the caller's.
CREATE FUNCTION tasksteper.share_membership(p_project text, p_login text) RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM 1 FROM tasksteper.members
    WHERE project = p_project AND member = p_login AND member_oid = tasksteper.role_oid(p_login)
    FOR KEY SHARE;
  RETURN FOUND;
END
$$;

-- Every open ticket's holder is a member of its project, whichever
-- function writes it (create_ticket, fire, reassign, and whatever later
-- versions add).  A superuser writing the table directly (repairs, tests)
-- is trusted: only the functions' writes, as the owner, are checked.
CREATE FUNCTION tasksteper.check_holder() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_member boolean;
BEGIN
  IF current_user <> 'tasksteper_owner' OR NEW.is_final THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.assigned_to IS NOT DISTINCT FROM OLD.assigned_to THEN
    RETURN NEW;
  END IF;
  BEGIN
    v_member := tasksteper.share_membership(NEW.project, NEW.assigned_to);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', NEW.id, 'login', NEW.assigned_to),
                              format('the membership of %s in %s is being changed: try again',
                                     NEW.assigned_to, NEW.project),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;
  IF NOT v_member THEN
    PERFORM tasksteper.refuse('TS422', 'not_a_member',
                              jsonb_build_object('field', 'assigned_to',
                                                 'label', tasksteper.label_of(
                                                            (SELECT p.definition FROM tasksteper.projects p
                                                              WHERE p.name = NEW.project), 'assigned_to'),
                                                 'login', NEW.assigned_to, 'project', NEW.project),
                              format('%s is not a member of project %s, so the ticket cannot go to them',
                                     coalesce(NEW.assigned_to, '<NULL>'), NEW.project),
                              'assigned_to',
                              'Pick one of the project''s members, or ask an admin to add this person.');
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER tickets_holder_is_member BEFORE INSERT OR UPDATE OF assigned_to ON tasksteper.tickets
  FOR EACH ROW EXECUTE FUNCTION tasksteper.check_holder();

CREATE FUNCTION tasksteper.reassign(p_id bigint, p_version int, p_to_user text)
RETURNS tasksteper.tickets
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '2s'
AS $$
DECLARE
  v_project text;
  t tasksteper.tickets;
  p tasksteper.projects;
  v_member boolean;
BEGIN
  -- Who may, first and without a lock: a non-member learns nothing, a
  -- member who is no admin is told so at once.
  SELECT x.project INTO v_project FROM tasksteper.tickets x
   WHERE x.id = p_id
     AND (tasksteper.is_member(x.project) OR pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER'));
  IF v_project IS NULL THEN
    PERFORM tasksteper.refuse('TS404', 'no_ticket', jsonb_build_object('id', p_id),
                              format('there is no ticket %s that you can see', coalesce(p_id::text, '<NULL>')));
  END IF;
  IF NOT tasksteper.may_reassign(v_project) THEN
    PERFORM tasksteper.refuse('TS403', 'not_project_admin',
                              jsonb_build_object('project', v_project,
                                                 'key', (SELECT x.key FROM tasksteper.tickets x WHERE x.id = p_id)),
                              format('only an admin of project %s may reassign its tickets', v_project),
                              NULL, 'Ask an admin of the project, or pass the ticket on with one of its triggers.');
  END IF;

  -- The locks in fire()'s order: the project, the ticket, the new
  -- holder's membership.
  BEGIN
    p := tasksteper.share_project(v_project);
    SELECT * INTO t FROM tasksteper.tickets WHERE id = p_id FOR UPDATE;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id),
                              format('ticket %s is busy (being changed, or its project re-imported): try again', p_id),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;

  IF p_version IS NULL OR t.version <> p_version THEN
    PERFORM tasksteper.refuse('TS409', 'stale',
                              jsonb_build_object('key', t.key, 'version', p_version, 'current_version', t.version),
                              format('ticket %s was changed by someone else (you have version %s, it is now at version %s)',
                                     t.key, coalesce(p_version::text, '<NULL>'), t.version),
                              NULL, 'Reload the ticket and apply your edits again.');
  END IF;

  IF p_to_user = t.assigned_to THEN
    PERFORM tasksteper.refuse('TS422', 'already_assignee',
                              jsonb_build_object('key', t.key, 'login', p_to_user, 'field', 'assigned_to',
                                                 'label', tasksteper.label_of(p.definition, 'assigned_to')),
                              format('ticket %s is already assigned to %s', t.key, p_to_user),
                              'assigned_to', 'Pick someone else.');
  END IF;

  BEGIN
    v_member := p_to_user IS NOT NULL AND tasksteper.share_membership(p.name, p_to_user);
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    PERFORM tasksteper.refuse('TS503', 'busy', jsonb_build_object('id', p_id, 'login', p_to_user),
                              format('the membership of %s in %s is being changed: try again', p_to_user, p.name),
                              NULL, 'Nothing was changed; the same call can be sent again.');
  END;
  IF NOT v_member THEN
    PERFORM tasksteper.refuse('TS422', 'not_a_member',
                              jsonb_build_object('field', 'assigned_to',
                                                 'label', tasksteper.label_of(p.definition, 'assigned_to'),
                                                 'login', p_to_user, 'project', p.name),
                              format('%s is not a member of project %s, so the ticket cannot go to them',
                                     coalesce(p_to_user, '<NULL>'), p.name),
                              'assigned_to',
                              'Pick one of the project''s members, or ask an admin to add this person.');
  END IF;

  PERFORM tasksteper.count_change();
  PERFORM tasksteper.limit_idle_transaction();

  RETURN tasksteper.move_ticket(t, p_to_user);
END
$$;

-- ---------------------------------------------------------------------------
-- Taking people out.  Both need READ COMMITTED: after waiting for the
-- transactions that give the person a ticket (they hold the membership
-- FOR KEY SHARE, which the DELETE waits for), the next statement must see
-- those tickets, which a snapshot taken earlier would not.

CREATE FUNCTION tasksteper.require_read_committed(p_what text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION '% must run in a READ COMMITTED transaction, not %', p_what,
                    upper(current_setting('transaction_isolation'))
      USING ERRCODE = 'invalid_transaction_state',
            HINT = 'Use the default isolation level (BEGIN without ISOLATION LEVEL).';
  END IF;
END
$$;

-- The open tickets @p_login holds (in @p_project, or anywhere for NULL):
-- how many and the first 20 keys, refused as TS425.
CREATE FUNCTION tasksteper.refuse_if_holding(p_project text, p_login text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_count bigint;
  v_keys text[];
  v_projects text[];
BEGIN
  SELECT count(*), (array_agg(key ORDER BY project, number))[1:20], array_agg(DISTINCT project)
    INTO v_count, v_keys, v_projects
    FROM tasksteper.tickets
   WHERE assigned_to = p_login AND NOT is_final AND (p_project IS NULL OR project = p_project);
  IF v_count = 0 THEN
    RETURN;
  END IF;
  IF p_project IS NOT NULL THEN
    PERFORM tasksteper.refuse('TS425', 'holds_tickets',
                              jsonb_build_object('login', p_login, 'project', p_project, 'count', v_count,
                                                 'keys', to_jsonb(v_keys)),
                              format('%s still holds %s open ticket(s) of project %s (%s): they cannot be taken out before those are given to someone else',
                                     p_login, v_count, p_project, array_to_string(v_keys, ', ')),
                              NULL,
                              format('Give them to another member in the same step: tasksteper-admin member remove --reassign-to USER %s %s',
                                     p_project, p_login));
  END IF;
  PERFORM tasksteper.refuse('TS425', 'holds_tickets',
                            jsonb_build_object('login', p_login, 'count', v_count, 'keys', to_jsonb(v_keys),
                                               'projects', to_jsonb(v_projects)),
                            format('%s still holds %s open ticket(s) (%s): they cannot be removed before those are given to someone else',
                                   p_login, v_count, array_to_string(v_keys, ', ')),
                            NULL,
                            'Give them to other members first, e.g. with tasksteper-admin member remove --reassign-to USER PROJECT LOGIN for each project.');
END
$$;

-- Takes @p_member out of @p_project.  Refused (TS425) while they hold
-- open tickets there, unless @p_reassign_to, another member, takes them
-- over: each move is a history row.  Returns how many tickets moved.
CREATE FUNCTION tasksteper.remove_member(p_project text, p_member text, p_reassign_to text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  v_removed boolean;
  v_target boolean := true;
  t tasksteper.tickets;
  moved bigint := 0;
BEGIN
  PERFORM tasksteper.require_read_committed('remove_member()');
  IF NOT EXISTS (SELECT 1 FROM tasksteper.projects WHERE name = p_project) THEN
    RAISE EXCEPTION 'there is no project %', p_project USING ERRCODE = 'TS404';
  END IF;
  IF p_reassign_to = p_member THEN
    RAISE EXCEPTION 'the tickets of % cannot be reassigned to % while taking % out of project %',
                    p_member, p_member, p_member, p_project
      USING ERRCODE = 'TS422', HINT = 'Name another member of the project after --reassign-to.';
  END IF;

  BEGIN
    -- The project, then the tickets, then the memberships: fire()'s order.
    PERFORM tasksteper.share_project(p_project);
    IF p_reassign_to IS NOT NULL THEN
      PERFORM 1 FROM tasksteper.tickets
        WHERE project = p_project AND assigned_to = p_member AND NOT is_final
        ORDER BY id FOR UPDATE;
    END IF;
    -- Waits for every transaction giving them a ticket (FOR KEY SHARE);
    -- after it, nobody can.
    DELETE FROM tasksteper.members WHERE project = p_project AND member = p_member;
    v_removed := FOUND;
    IF v_removed AND p_reassign_to IS NOT NULL THEN
      v_target := tasksteper.share_membership(p_project, p_reassign_to);
    END IF;
    IF v_removed AND v_target AND p_reassign_to IS NOT NULL THEN
      -- Those given to them meanwhile too: this statement sees them.
      FOR t IN SELECT * FROM tasksteper.tickets
                WHERE project = p_project AND assigned_to = p_member AND NOT is_final
                ORDER BY id FOR UPDATE LOOP
        PERFORM tasksteper.move_ticket(t, p_reassign_to);
        moved := moved + 1;
      END LOOP;
    END IF;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'a ticket of project % is being passed to or by %: try again', p_project, p_member
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;

  IF NOT v_removed THEN
    RAISE EXCEPTION '% is not a member of project %', p_member, p_project USING ERRCODE = 'TS404';
  END IF;
  IF NOT v_target THEN
    RAISE EXCEPTION '% is not a member of project %, so the tickets of % cannot go to them',
                    p_reassign_to, p_project, p_member
      USING ERRCODE = 'TS404',
            HINT = format('Add them first (tasksteper-admin member add %s %s), or name another member.',
                          p_project, p_reassign_to);
  END IF;

  PERFORM tasksteper.refuse_if_holding(p_project, p_member);
  RETURN moved;
END
$$;

-- As in version 3, and refused while they hold open tickets: returns 0.
CREATE OR REPLACE FUNCTION tasksteper.remove_member(p_project text, p_member text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT tasksteper.remove_member(p_project, p_member, NULL)
$$;

-- Before the login @p_login is dropped: takes them out of every project
-- and removes their display name.  Refused (TS425) while they hold any
-- open ticket.  Returns how many memberships were removed.  History keeps
-- their name, as the logins in it are text.
CREATE FUNCTION tasksteper.forget_user(p_login text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM tasksteper.require_read_committed('forget_user()');
  IF NOT EXISTS (SELECT 1
                   FROM pg_catalog.pg_roles r
                   JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
                   JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                  WHERE r.rolname = p_login AND NOT r.rolsuper AND g.rolname = 'tasksteper_user') THEN
    RAISE EXCEPTION '% is not a TaskSteper user', p_login
      USING ERRCODE = 'TS404', HINT = 'See the users with tasksteper-admin user list.';
  END IF;
  BEGIN
    DELETE FROM tasksteper.members WHERE member = p_login;
    GET DIAGNOSTICS n = ROW_COUNT;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'a ticket is being passed to %: try again', p_login
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;
  PERFORM tasksteper.refuse_if_holding(NULL, p_login);
  DELETE FROM tasksteper.people WHERE login = p_login;
  IF FOUND THEN
    PERFORM pg_notify('tasksteper', '{"people": true}');
  END IF;
  RETURN n;
END
$$;

-- ---------------------------------------------------------------------------
-- Linked From: the tickets whose url fields point at a ticket
-- (tasksteper://PROJECT/NUMBER, the links the client copies and opens).

-- The ticket links among the string values of @p_fields, trimmed; the GIN
-- index below is over them, and linked_from() then keeps those held by a
-- url field.
CREATE FUNCTION tasksteper.link_targets(p_fields jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(array_agg(DISTINCT btrim(e.value #>> '{}')), '{}')
    FROM jsonb_each(p_fields) e
   WHERE jsonb_typeof(e.value) = 'string'
     AND btrim(e.value #>> '{}') ~ '^tasksteper://[a-z][a-z0-9_]*/[0-9]+$'
$$;

CREATE INDEX tickets_links_idx ON tasksteper.tickets USING gin (tasksteper.link_targets(fields));

-- The tickets of the caller's projects whose url fields hold the link of
-- ticket @p_id, by project and number.  TS404 when the caller may not see
-- @p_id.
CREATE FUNCTION tasksteper.linked_from(p_id bigint) RETURNS SETOF tasksteper.tickets
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_target text;
BEGIN
  SELECT 'tasksteper://' || x.project || '/' || x.number INTO v_target
    FROM tasksteper.tickets x
   WHERE x.id = p_id AND tasksteper.is_member(x.project);
  IF v_target IS NULL THEN
    PERFORM tasksteper.refuse('TS404', 'no_ticket', jsonb_build_object('id', p_id),
                              format('there is no ticket %s that you can see', coalesce(p_id::text, '<NULL>')));
  END IF;

  RETURN QUERY
    SELECT t.*
      FROM tasksteper.tickets t
      JOIN tasksteper.projects p ON p.name = t.project
     WHERE tasksteper.link_targets(t.fields) @> ARRAY[v_target]
       AND t.id <> p_id
       AND t.project = ANY (tasksteper.my_projects())
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(p.definition -> 'fields') f
                    WHERE f ->> 'type' = 'url' AND btrim(t.fields ->> (f ->> 'name')) = v_target)
     ORDER BY t.project, t.number;
END
$$;

-- ---------------------------------------------------------------------------
-- Who may call what.

GRANT EXECUTE ON FUNCTION tasksteper.is_project_admin(text), tasksteper.reassign(bigint, int, text),
  tasksteper.linked_from(bigint), tasksteper.link_targets(jsonb)
TO tasksteper_user, tasksteper_admin;

GRANT EXECUTE ON FUNCTION tasksteper.set_member_admin(text, text, boolean),
  tasksteper.remove_member(text, text, text), tasksteper.forget_user(text)
TO tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (8);
