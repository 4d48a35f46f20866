-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- TaskSteper server side, version 13: list indexes.  Applied by
-- `tasksteper-admin init` after the earlier versions, in one transaction;
-- described in docs/sql-api.md ("Lists (since version 13)").
--
-- The client's lists (src/db/ts-list-sql.h) are plain SELECTs as the
-- member, sorted by number, updated_at, created_at, state, assigned_to or
-- created_by, ties by number, paged by a keyset cursor and OFFSET.  Each
-- order is read from an index in that order, so a page costs its rows,
-- however many tickets the project has:
--   * the all list: the UNIQUE (project, number) index and 0006's
--     tickets_<column>_idx (project, <column>, number);
--   * the pending list (open tickets assigned to me): the indexes below,
--     partial on NOT is_final.  "me" is session_user::text, whose collation
--     is "C" (that of the type name), and an index serves an equality only
--     in the collation it compares in, so assigned_to is COLLATE "C" here
--     (equality of text is the same in every deterministic collation).
-- The pending index of version 1, (project, assigned_to, updated_at DESC),
-- had neither: its assigned_to compares in the default collation and it
-- has no tie-break.  Nothing uses it any more; it is dropped.
--
-- No function changes, and no SQLSTATE is added.

SET LOCAL search_path = pg_catalog, pg_temp;

DROP INDEX tasksteper.tickets_pending_idx;

CREATE INDEX tickets_pending_number_idx ON tasksteper.tickets (project, assigned_to COLLATE "C", number)
  WHERE NOT is_final;
CREATE INDEX tickets_pending_updated_at_idx ON tasksteper.tickets (project, assigned_to COLLATE "C", updated_at, number)
  WHERE NOT is_final;
CREATE INDEX tickets_pending_created_at_idx ON tasksteper.tickets (project, assigned_to COLLATE "C", created_at, number)
  WHERE NOT is_final;
CREATE INDEX tickets_pending_state_idx ON tasksteper.tickets (project, assigned_to COLLATE "C", state COLLATE "C", number)
  WHERE NOT is_final;
CREATE INDEX tickets_pending_created_by_idx ON tasksteper.tickets (project, assigned_to COLLATE "C", created_by COLLATE "C", number)
  WHERE NOT is_final;

INSERT INTO tasksteper.migrations (version) VALUES (13);
