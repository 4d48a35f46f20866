-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 4: the change feed.  Applied by
-- `tasksteper-admin init` after 0003-hardening.sql, in one transaction;
-- described in docs/sql-api.md ("The change feed").
--
-- Notifications (LISTEN tasksteper) are lost whenever a client is not
-- connected, and never arrive through a pooler in transaction mode (LISTEN
-- lands on whichever server connection the pooler lends).  The feed is
-- what a client relies on instead: every creation and every new version of
-- a ticket is a row of tasksteper.changes, numbered in the order of
-- commit, which a client reads from the last number it saw
-- (changes_since()).  Notifications stay, as a hint to read it now.
--
--   * Rows are written by triggers on tickets, so every writer (create,
--     save, fire, the state map of a re-import) is covered.
--   * The triggers run at COMMIT (deferred) and take the feed's lock for
--     the moment between that and the end of the commit: numbers are
--     handed out in the order transactions become visible, so a reader
--     that saw number N has seen every number below N that will ever
--     exist.  Nobody but the owner can take that lock.
--   * Members read the rows of their projects only (row-level security).
--   * prune_changes() lets an admin delete old rows.
--
-- SQLSTATEs raised: TS403 (prune_changes by a non-admin), TS422 (a
-- negative age), TS503 (the feed's lock not had in time at COMMIT:
-- nothing was changed, commit again).

SET LOCAL ROLE tasksteper_owner;
SET LOCAL search_path = pg_catalog, pg_temp;

CREATE TABLE tasksteper.changes (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  project    text NOT NULL,
  ticket_id  bigint NOT NULL,
  version    int NOT NULL
);
-- A member's catch-up reads their projects from a number on; the prune
-- reads by age.
CREATE INDEX changes_project_seq_idx ON tasksteper.changes (project, seq);
CREATE INDEX changes_at_idx ON tasksteper.changes (at);

ALTER TABLE tasksteper.changes ENABLE ROW LEVEL SECURITY;
-- my_projects() checks the role's oid since version 3.
CREATE POLICY members_read ON tasksteper.changes FOR SELECT
  USING (project = ANY ((SELECT tasksteper.my_projects())::text[]));
GRANT SELECT ON tasksteper.changes TO tasksteper_user;

-- Writes the feed's row of a new ticket or a ticket's new version.  Runs
-- at COMMIT (a deferred constraint trigger), as the owner.  The lock
-- (SHARE ROW EXCLUSIVE conflicts with itself, not with readers) is held to
-- the end of the commit, so the next committer's number is higher and
-- becomes visible later.  Members have SELECT only, so they can take no
-- lock on the table that would block it.
CREATE FUNCTION tasksteper.record_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
BEGIN
  BEGIN
    LOCK TABLE tasksteper.changes IN SHARE ROW EXCLUSIVE MODE;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'the change feed is busy: try again'
      USING ERRCODE = 'TS503', HINT = 'Nothing was changed; the same call can be sent again.';
  END;
  INSERT INTO tasksteper.changes (project, ticket_id, version)
  VALUES (NEW.project, NEW.id, NEW.version);
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER tickets_created AFTER INSERT ON tasksteper.tickets
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION tasksteper.record_change();
-- A re-import also rewrites keys and fields without a new version; what
-- changed there is announced as a re-import, not per ticket.
CREATE CONSTRAINT TRIGGER tickets_changed AFTER UPDATE ON tasksteper.tickets
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
  EXECUTE FUNCTION tasksteper.record_change();

-- The changes after number @p_after that the caller may see, oldest first,
-- at most @p_limit (1 to 10000) of them.  SECURITY INVOKER: the policy
-- above decides what the caller sees.
CREATE FUNCTION tasksteper.changes_since(p_after bigint, p_limit int DEFAULT 1000)
RETURNS TABLE (seq bigint, project text, ticket_id bigint, version int)
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT c.seq, c.project, c.ticket_id, c.version
    FROM tasksteper.changes c
   WHERE c.seq > coalesce(p_after, 0)
   ORDER BY c.seq
   LIMIT least(greatest(coalesce(p_limit, 1000), 1), 10000)
$$;

-- The number to read the feed from when starting afresh: the highest one
-- committed (of any project: the numbers say how many changes were made,
-- nothing more), 0 when there is none.
CREATE FUNCTION tasksteper.changes_cursor() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(max(seq), 0) FROM tasksteper.changes
$$;

-- Deletes the feed's rows older than @p_older_than and returns how many.
-- Admins only.  A client whose cursor is older than what is left misses
-- those changes, as one offline would: clients re-read what they show
-- after every reconnect.
CREATE FUNCTION tasksteper.prune_changes(p_older_than interval) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '3s'
AS $$
DECLARE
  n bigint;
BEGIN
  IF NOT pg_catalog.pg_has_role(session_user, 'tasksteper_admin', 'MEMBER') THEN
    RAISE EXCEPTION 'only TaskSteper admins may prune the change feed'
      USING ERRCODE = 'TS403';
  END IF;
  IF p_older_than IS NULL OR p_older_than < interval '0' THEN
    RAISE EXCEPTION 'the age of the changes to prune must be zero or more, not %', p_older_than
      USING ERRCODE = 'TS422';
  END IF;
  BEGIN
    DELETE FROM tasksteper.changes WHERE at < clock_timestamp() - p_older_than;
  EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
    RAISE EXCEPTION 'the change feed is busy: try again'
      USING ERRCODE = 'TS503', HINT = 'Nothing was deleted; the same call can be sent again.';
  END;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

GRANT EXECUTE ON FUNCTION tasksteper.changes_since(bigint, int), tasksteper.changes_cursor()
TO tasksteper_user;
GRANT EXECUTE ON FUNCTION tasksteper.prune_changes(interval) TO tasksteper_admin;

INSERT INTO tasksteper.migrations (version) VALUES (4);
