-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Version 11: a notification channel per project.
--
-- Until version 10 every change of every ticket was announced on the one
-- channel "tasksteper", which any role can LISTEN to: every client heard
-- of every change in every project, and read the change feed for each,
-- only to find nothing it may see.  Now each project has a channel of its
-- own, named by an opaque, random id that says nothing about the project;
-- a client listens to the channels of the projects it is a member of
-- (my_channels()).  Changes and comments of a ticket go to its project's
-- channel; what concerns everyone (re-imports, memberships, display names,
-- saved searches) stays on "tasksteper".  Applied by `tasksteper-admin
-- init` after the earlier versions, in one transaction; described in
-- docs/sql-api.md ("Notifications (since version 11)").  No new SQLSTATE.

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------
-- The channels.

-- 'ts_' and 32 random hex digits; set for every project once, never changed.
-- Members read it like the rest of the row (row-level security).
ALTER TABLE tasksteper.projects
  ADD COLUMN channel text NOT NULL
    DEFAULT 'ts_' || pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', '')
    CONSTRAINT projects_channel_key UNIQUE
    CONSTRAINT projects_channel_check CHECK (channel ~ '^ts_[0-9a-f]{32}$');

-- The channel of a project never changes: clients keep listening to it.
CREATE FUNCTION tasksteper.keep_channel() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  NEW.channel := OLD.channel;
  RETURN NEW;
END
$$;

CREATE TRIGGER projects_keep_channel BEFORE UPDATE OF channel ON tasksteper.projects
  FOR EACH ROW WHEN (OLD.channel IS DISTINCT FROM NEW.channel)
  EXECUTE FUNCTION tasksteper.keep_channel();

-- The channels of the projects the caller is a member of, by project name:
-- membership checked as my_projects() does (a dropped role's memberships are
-- not a new role's of the same name).
CREATE FUNCTION tasksteper.my_channels() RETURNS TABLE (project text, channel text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p.name, p.channel
    FROM tasksteper.members m
    JOIN tasksteper.projects p ON p.name = m.project
   WHERE m.member = session_user AND m.member_oid = tasksteper.role_oid(session_user)
   ORDER BY p.name
$$;

-- ---------------------------------------------------------------------------
-- Announcing on the project's channel.

-- Announces a change after commit, on the channel of the ticket's project.
-- The payload still carries ids and versions only: a former member may
-- still know the channel.  plpgsql, so the lookup's plan is kept.
CREATE OR REPLACE FUNCTION tasksteper.announce(t tasksteper.tickets) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pg_notify((SELECT p.channel FROM tasksteper.projects p WHERE p.name = t.project),
                    json_build_object('id', t.id, 'version', t.version)::text);
END
$$;

-- As in version 9, and announced on the project's channel.
CREATE OR REPLACE FUNCTION tasksteper.add_comment(p_id bigint, p_body text)
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

  -- Ids only, as announce() sends, on the project's channel.
  PERFORM pg_notify((SELECT p.channel FROM tasksteper.projects p WHERE p.name = c.project),
                    json_build_object('comment', c.id, 'ticket', c.ticket_id)::text);
  RETURN c;
END
$$;

-- ---------------------------------------------------------------------------
-- Memberships: whoever was added or removed listens to other channels now,
-- so clients re-read their projects (and with them their channels).  Once
-- per statement; identical payloads of a transaction are sent once.
CREATE FUNCTION tasksteper.announce_members() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pg_notify('tasksteper', '{"reimport": true}');
  RETURN NULL;
END
$$;

CREATE TRIGGER members_announced AFTER INSERT OR DELETE ON tasksteper.members
  FOR EACH STATEMENT EXECUTE FUNCTION tasksteper.announce_members();

GRANT EXECUTE ON FUNCTION tasksteper.my_channels() TO tasksteper_user, tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (11);
