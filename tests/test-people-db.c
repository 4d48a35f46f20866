/* SPDX-License-Identifier: GPL-3.0-or-later */

/* People who come and go (data/sql/0008-people.sql) against a real
 * PostgreSQL started by the harness: project admins, reassign(),
 * remove_member() with and without someone to take the tickets over,
 * forget_user(), and that no open ticket is ever left with someone who is
 * not a member of its project, whichever way it is tried.
 *
 * Each test gets a database of its own with issue_track
 * (schemas/issue_track.json) and these people, whose logins start with
 * the database's name (roles are cluster-wide):
 *
 *   zhangwei  member, holds the tickets the tests make
 *   zhaolei   member
 *   lina      member and admin of issue_track
 *   outsider  a TaskSteper user in no project
 *   admin     a TaskSteper admin (tasksteper_admin), in no project
 *
 * and the superuser, postgres. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ts-migrations.h"
#include "ts-refusal.h"
#include "ts-test-server.h"

#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

#define MAX_PARAMS 8

#define T_SUBMIT "提交审核"
#define T_TO_SE  "转SE分析改进"

static TsTestServer *server;
static char *schema_text;

typedef struct
{
  char   *db;
  PGconn *super;
  PGconn *zhangwei;
  PGconn *zhaolei;
  PGconn *lina;
  PGconn *outsider;
  PGconn *admin;
} Fixture;

/* Queries {{{1 */

static PGresult *
exec_va (PGconn     *conn,
         const char *sql,
         int         n_params,
         va_list     ap)
{
  const char *params[MAX_PARAMS];

  g_assert_cmpint (n_params, <=, MAX_PARAMS);
  for (int i = 0; i < n_params; i++)
    params[i] = va_arg (ap, const char *);

  return PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
}

static gboolean
result_ok (const PGresult *res)
{
  ExecStatusType status = PQresultStatus (res);

  return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

static void
assert_result_ok (PGconn     *conn,
                  const char *sql,
                  PGresult   *res)
{
  if (!result_ok (res))
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                             "“%s” as %s failed: [%s] %s", sql, PQuser (conn),
                                             PQresultErrorField (res, PG_DIAG_SQLSTATE),
                                             PQresultErrorMessage (res));
      g_assert_no_error (error);
    }
}

static void
run (PGconn     *conn,
     const char *sql,
     int         n_params,
     ...)
{
  g_autoptr(PGresult) res = NULL;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  assert_result_ok (conn, sql, res);
}

static char *
value (PGconn     *conn,
       const char *sql,
       int         n_params,
       ...)
{
  g_autoptr(PGresult) res = NULL;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  assert_result_ok (conn, sql, res);
  g_assert_cmpint (PQntuples (res), ==, 1);

  return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

/* Every row of @sql, its columns joined by "|" (NULL as "∅"), the rows by
 * "\n". */
static char *
rows (PGconn     *conn,
      const char *sql,
      int         n_params,
      ...)
{
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  assert_result_ok (conn, sql, res);

  for (int r = 0; r < PQntuples (res); r++)
    {
      if (r > 0)
        g_string_append_c (out, '\n');
      for (int c = 0; c < PQnfields (res); c++)
        {
          if (c > 0)
            g_string_append_c (out, '|');
          g_string_append (out, PQgetisnull (res, r, c) ? "∅" : PQgetvalue (res, r, c));
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* @res must be a refusal with @sqlstate and, for a TS state, a DETAIL
 * object whose "ts" is @kind (unless NULL).  Returns the DETAIL's object
 * (NULL for other states). */
static JsonObject *
check_refused (PGconn         *conn,
               const PGresult *res,
               const char     *sqlstate,
               const char     *column,
               const char     *kind)
{
  g_autoptr(JsonNode) node = NULL;
  const char *detail;
  JsonObject *object;

  g_test_message ("as %s: [%s] %s", PQuser (conn),
                  result_ok (res) ? "ok" : PQresultErrorField (res, PG_DIAG_SQLSTATE),
                  result_ok (res) ? "" : PQresultErrorMessage (res));
  g_assert_false (result_ok (res));
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, sqlstate);
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_COLUMN_NAME), ==, column);
  g_assert_nonnull (PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY));

  if (!g_str_has_prefix (sqlstate, "TS") || kind == NULL)
    return NULL;
  detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
  g_assert_nonnull (detail);
  node = json_from_string (detail, NULL);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "ts", NULL), ==, kind);

  return json_object_ref (object);
}

static JsonObject *
refused (PGconn     *conn,
         const char *sqlstate,
         const char *column,
         const char *kind,
         const char *sql,
         int         n_params,
         ...)
{
  g_autoptr(PGresult) res = NULL;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);

  return check_refused (conn, res, sqlstate, column, kind);
}

#define assert_refused(...) G_STMT_START { \
    JsonObject *facts_ = refused (__VA_ARGS__); \
    g_clear_pointer (&facts_, json_object_unref); \
  } G_STMT_END

static char *
quote_ident (PGconn     *conn,
             const char *name)
{
  char *quoted = PQescapeIdentifier (conn, name, strlen (name));
  char *copy = g_strdup (quoted);

  PQfreemem (quoted);
  return copy;
}

static void
log_notice (void       *user_data,
            const char *message)
{
  g_test_message ("server: %s", g_strchomp ((char *)message));
}

static PGconn *
open_connection (Fixture    *fx,
                 const char *role)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fx->db, role);
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect as %s: %s",
                                             role, PQerrorMessage (conn));
      g_assert_no_error (error);
    }
  PQsetNoticeProcessor (conn, log_notice, NULL);

  return conn;
}

static char *
read_file_or_die (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* The fixture {{{1 */

static PGconn *
new_person (Fixture    *fx,
            const char *suffix,
            const char *groups,
            gboolean    member)
{
  g_autofree char *login = g_strdup_printf ("%s_%s", fx->db, suffix);
  g_autofree char *quoted = quote_ident (fx->super, login);
  g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE %s", quoted, groups);

  run (fx->super, sql, 0);
  if (member)
    run (fx->super, "SELECT tasksteper.add_member('issue_track', $1)", 1, login);

  return open_connection (fx, login);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  fx->super = open_connection (fx, "postgres");
  ts_migrations_apply (fx->super, NULL, NULL, &error);
  g_assert_no_error (error);
  run (fx->super, "SELECT tasksteper.import_project($1::jsonb)", 1, schema_text);

  fx->zhangwei = new_person (fx, "zhangwei", "tasksteper_user", TRUE);
  fx->zhaolei = new_person (fx, "zhaolei", "tasksteper_user", TRUE);
  fx->lina = new_person (fx, "lina", "tasksteper_user", TRUE);
  fx->outsider = new_person (fx, "outsider", "tasksteper_user", FALSE);
  fx->admin = new_person (fx, "admin", "tasksteper_user, tasksteper_admin", FALSE);
  run (fx->super, "SELECT tasksteper.set_member_admin('issue_track', $1, true)", 1, PQuser (fx->lina));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  /* The roles stay: their names are the database's, which no other test
   * uses. */
  g_clear_pointer (&fx->zhangwei, PQfinish);
  g_clear_pointer (&fx->zhaolei, PQfinish);
  g_clear_pointer (&fx->lina, PQfinish);
  g_clear_pointer (&fx->outsider, PQfinish);
  g_clear_pointer (&fx->admin, PQfinish);
  g_clear_pointer (&fx->super, PQfinish);
  g_free (fx->db);
}

/* A ticket of issue_track created by @conn with its processor, checker and
 * SE filled in (zhangwei, lina, zhaolei); its id. */
static char *
create_ticket (Fixture *fx,
               PGconn  *conn)
{
  g_autofree char *fields = g_strdup_printf ("{\"summary\": \"【20240301】北京局点X设备发生宕机问题\","
                                             " \"issue_processor\": \"%s\", \"issue_checker\": \"%s\","
                                             " \"issue_se\": \"%s\"}",
                                             PQuser (fx->zhangwei), PQuser (fx->lina), PQuser (fx->zhaolei));

  return value (conn, "SELECT id FROM tasksteper.create_ticket('issue_track', $1::jsonb)", 1, fields);
}

/* "version|assigned_to" of ticket @id. */
static char *
ticket_state (Fixture    *fx,
              const char *id)
{
  return rows (fx->super, "SELECT version, assigned_to FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
}

/* How many open tickets are held by someone who is not (as the role that
 * was made one) a member of their project.  Must always be 0. */
static int
n_held_by_non_members (Fixture *fx)
{
  g_autofree char *n = value (fx->super,
                              "SELECT count(*) FROM tasksteper.tickets t"
                              " WHERE NOT t.is_final"
                              "   AND NOT EXISTS (SELECT 1 FROM tasksteper.members m"
                              "                    WHERE m.project = t.project AND m.member = t.assigned_to"
                              "                      AND m.member_oid = tasksteper.role_oid(t.assigned_to))",
                              0);

  return atoi (n);
}

/* Project admins {{{1 */

static void
test_admin_flag (Fixture       *fx,
                 gconstpointer  data)
{
  PGconn *users[] = { fx->zhangwei, fx->lina, fx->outsider };
  g_autofree char *changed = NULL;
  g_autofree char *seen = NULL;

  /* Each says whether they are one, about themselves only. */
  seen = value (fx->lina, "SELECT tasksteper.is_project_admin('issue_track')", 0);
  g_assert_cmpstr (seen, ==, "t");
  g_free (seen);
  seen = value (fx->zhangwei, "SELECT tasksteper.is_project_admin('issue_track')", 0);
  g_assert_cmpstr (seen, ==, "f");
  g_free (seen);
  seen = value (fx->outsider, "SELECT tasksteper.is_project_admin('issue_track')", 0);
  g_assert_cmpstr (seen, ==, "f");
  g_free (seen);
  /* Members see who the admins are. */
  seen = rows (fx->zhangwei, "SELECT member FROM tasksteper.members WHERE is_admin", 0);
  g_assert_cmpstr (seen, ==, PQuser (fx->lina));
  g_free (seen);

  /* Only TaskSteper admins (and superusers) grant it: not members, not
   * project admins, not outsiders. */
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    assert_refused (users[i], "42501", NULL, NULL,
                    "SELECT tasksteper.set_member_admin('issue_track', $1, true)", 1, PQuser (fx->zhangwei));

  changed = value (fx->admin, "SELECT tasksteper.set_member_admin('issue_track', $1, true)", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (changed, ==, "t");
  g_free (changed);
  changed = value (fx->admin, "SELECT tasksteper.set_member_admin('issue_track', $1, true)", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (changed, ==, "f");
  g_free (changed);
  seen = value (fx->zhangwei, "SELECT tasksteper.is_project_admin('issue_track')", 0);
  g_assert_cmpstr (seen, ==, "t");
  g_free (seen);
  changed = value (fx->super, "SELECT tasksteper.set_member_admin('issue_track', $1, false)", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (changed, ==, "t");
  seen = value (fx->zhangwei, "SELECT tasksteper.is_project_admin('issue_track')", 0);
  g_assert_cmpstr (seen, ==, "f");

  /* Only members can be made admins. */
  assert_refused (fx->admin, "TS404", NULL, NULL,
                  "SELECT tasksteper.set_member_admin('issue_track', $1, true)", 1, PQuser (fx->outsider));
  assert_refused (fx->admin, "TS404", NULL, NULL,
                  "SELECT tasksteper.set_member_admin('no_such_project', $1, true)", 1, PQuser (fx->lina));
}

/* reassign() {{{1 */

static void
test_reassign_who (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *id = create_ticket (fx, fx->zhangwei);
  g_autofree char *state = NULL;
  g_autofree char *history = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonObject) facts = NULL;
  const char *sql = "SELECT version FROM tasksteper.reassign($1::bigint, $2::int, $3)";

  /* The holder (no admin) cannot hand it away; nor can another member. */
  facts = refused (fx->zhangwei, "TS403", NULL, "not_project_admin", sql, 3, id, "1", PQuser (fx->zhaolei));
  g_assert_cmpstr (json_object_get_string_member (facts, "project"), ==, "issue_track");
  g_assert_cmpstr (json_object_get_string_member (facts, "key"), ==, "question_1");
  assert_refused (fx->zhaolei, "TS403", NULL, "not_project_admin", sql, 3, id, "1", PQuser (fx->zhaolei));
  /* Someone outside the project learns nothing. */
  assert_refused (fx->outsider, "TS404", NULL, "no_ticket", sql, 3, id, "1", PQuser (fx->zhaolei));
  state = ticket_state (fx, id);
  expected = g_strdup_printf ("1|%s", PQuser (fx->zhangwei));
  g_assert_cmpstr (state, ==, expected);
  g_clear_pointer (&state, g_free);
  g_clear_pointer (&expected, g_free);

  /* The project admin may. */
  state = value (fx->lina, sql, 3, id, "1", PQuser (fx->zhaolei));
  g_assert_cmpstr (state, ==, "2");
  g_clear_pointer (&state, g_free);
  /* A TaskSteper admin outside the project may. */
  state = value (fx->admin, sql, 3, id, "2", PQuser (fx->lina));
  g_assert_cmpstr (state, ==, "3");
  g_clear_pointer (&state, g_free);
  /* A superuser may. */
  state = value (fx->super, sql, 3, id, "3", PQuser (fx->zhangwei));
  g_assert_cmpstr (state, ==, "4");
  g_clear_pointer (&state, g_free);

  /* History: actor, no trigger, the state kept, from → to, no field changes. */
  history = rows (fx->super,
                  "SELECT actor, coalesce(trigger, '∅'), from_state = to_state, from_assignee, to_assignee, changes"
                  "  FROM tasksteper.history WHERE ticket_id = $1::bigint AND from_state IS NOT NULL ORDER BY id",
                  1, id);
  expected = g_strdup_printf ("%s|∅|t|%s|%s|{}\n%s|∅|t|%s|%s|{}\npostgres|∅|t|%s|%s|{}",
                              PQuser (fx->lina), PQuser (fx->zhangwei), PQuser (fx->zhaolei),
                              PQuser (fx->admin), PQuser (fx->zhaolei), PQuser (fx->lina),
                              PQuser (fx->lina), PQuser (fx->zhangwei));
  g_assert_cmpstr (history, ==, expected);

  /* The change feed has each move. */
  g_clear_pointer (&state, g_free);
  state = value (fx->super, "SELECT max(version) FROM tasksteper.changes WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (state, ==, "4");
}

static void
test_reassign_refused (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *id = create_ticket (fx, fx->zhangwei);
  g_autofree char *state = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonObject) facts = NULL;
  const char *sql = "SELECT version FROM tasksteper.reassign($1::bigint, $2::int, $3)";

  facts = refused (fx->lina, "TS409", NULL, "stale", sql, 3, id, "7", PQuser (fx->zhaolei));
  g_assert_cmpint (json_object_get_int_member (facts, "current_version"), ==, 1);
  g_clear_pointer (&facts, json_object_unref);
  assert_refused (fx->lina, "TS409", NULL, "stale", sql, 3, id, NULL, PQuser (fx->zhaolei));

  facts = refused (fx->lina, "TS422", "assigned_to", "not_a_member", sql, 3, id, "1", PQuser (fx->outsider));
  g_assert_cmpstr (json_object_get_string_member (facts, "login"), ==, PQuser (fx->outsider));
  g_assert_cmpstr (json_object_get_string_member (facts, "label"), ==, "当前处理人");
  g_clear_pointer (&facts, json_object_unref);
  assert_refused (fx->lina, "TS422", "assigned_to", "not_a_member", sql, 3, id, "1", "no_such_role");
  assert_refused (fx->lina, "TS422", "assigned_to", "not_a_member", sql, 3, id, "1", NULL);
  /* A TaskSteper admin is no member either. */
  assert_refused (fx->lina, "TS422", "assigned_to", "not_a_member", sql, 3, id, "1", PQuser (fx->admin));
  assert_refused (fx->lina, "TS422", "assigned_to", "already_assignee", sql, 3, id, "1", PQuser (fx->zhangwei));
  assert_refused (fx->lina, "TS404", NULL, "no_ticket", sql, 3, "999999", "1", PQuser (fx->zhaolei));

  state = ticket_state (fx, id);
  expected = g_strdup_printf ("1|%s", PQuser (fx->zhangwei));
  g_assert_cmpstr (state, ==, expected);

  /* The refusals put in a sentence by the client. */
  {
    const char *known[] = { "not_project_admin", "already_assignee", "holds_tickets" };
    g_autoptr(JsonNode) detail = json_from_string ("{\"project\": \"issue_track\", \"key\": \"question_1\","
                                                   " \"login\": \"zhangwei\", \"count\": 2,"
                                                   " \"keys\": [\"question_1\", \"question_2\"]}", NULL);

    for (guint i = 0; i < G_N_ELEMENTS (known); i++)
      {
        g_autofree char *sentence = ts_refusal_describe (known[i], json_node_get_object (detail));

        g_assert_nonnull (sentence);
        g_test_message ("%s: %s", known[i], sentence);
      }
  }
}

/* remove_member() {{{1 */

static void
test_remove_refused_while_holding (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autofree char *first = create_ticket (fx, fx->zhangwei);
  g_autofree char *second = create_ticket (fx, fx->zhangwei);
  g_autofree char *still = NULL;
  g_autoptr(JsonObject) facts = NULL;
  JsonArray *keys;

  facts = refused (fx->admin, "TS425", NULL, "holds_tickets",
                   "SELECT tasksteper.remove_member('issue_track', $1)", 1, PQuser (fx->zhangwei));
  g_assert_cmpint (json_object_get_int_member (facts, "count"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (facts, "project"), ==, "issue_track");
  keys = json_object_get_array_member (facts, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (keys, 0), ==, "question_1");
  g_assert_cmpstr (json_array_get_string_element (keys, 1), ==, "question_2");
  g_clear_pointer (&facts, json_object_unref);
  assert_refused (fx->admin, "TS425", NULL, "holds_tickets",
                  "SELECT tasksteper.remove_member('issue_track', $1, NULL)", 1, PQuser (fx->zhangwei));

  /* Nothing changed: still a member, still holding both. */
  still = value (fx->super, "SELECT tasksteper.is_member('issue_track', $1)", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (still, ==, "t");
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);

  /* Nobody but admins removes members. */
  assert_refused (fx->lina, "42501", NULL, NULL,
                  "SELECT tasksteper.remove_member('issue_track', $1, $2)", 2, PQuser (fx->zhangwei), PQuser (fx->lina));
  assert_refused (fx->zhangwei, "42501", NULL, NULL,
                  "SELECT tasksteper.remove_member('issue_track', $1, $2)", 2, PQuser (fx->zhangwei), PQuser (fx->lina));

  /* Someone without open tickets goes at once. */
  g_clear_pointer (&still, g_free);
  still = value (fx->admin, "SELECT tasksteper.remove_member('issue_track', $1)", 1, PQuser (fx->zhaolei));
  g_assert_cmpstr (still, ==, "0");
  (void) first;
  (void) second;
}

static void
test_remove_reassign_to (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *first = create_ticket (fx, fx->zhangwei);
  g_autofree char *second = create_ticket (fx, fx->zhangwei);
  g_autofree char *closed = create_ticket (fx, fx->zhangwei);
  g_autofree char *moved = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *expected = NULL;

  /* The third is closed (by the superuser, past the workflow): it stays. */
  run (fx->super, "UPDATE tasksteper.tickets SET state = '关闭', is_final = true WHERE id = $1::bigint", 1, closed);

  /* Not to themselves, not to a non-member, not from a non-member. */
  assert_refused (fx->admin, "TS422", NULL, NULL, "SELECT tasksteper.remove_member('issue_track', $1, $1)",
                  1, PQuser (fx->zhangwei));
  assert_refused (fx->admin, "TS404", NULL, NULL, "SELECT tasksteper.remove_member('issue_track', $1, $2)",
                  2, PQuser (fx->zhangwei), PQuser (fx->outsider));
  assert_refused (fx->admin, "TS404", NULL, NULL, "SELECT tasksteper.remove_member('issue_track', $1, $2)",
                  2, PQuser (fx->outsider), PQuser (fx->lina));
  assert_refused (fx->admin, "TS404", NULL, NULL, "SELECT tasksteper.remove_member('no_such_project', $1, $2)",
                  2, PQuser (fx->zhangwei), PQuser (fx->lina));

  moved = value (fx->admin, "SELECT tasksteper.remove_member('issue_track', $1, $2)",
                 2, PQuser (fx->zhangwei), PQuser (fx->lina));
  g_assert_cmpstr (moved, ==, "2");

  seen = rows (fx->super, "SELECT id, version, assigned_to FROM tasksteper.tickets ORDER BY id", 0);
  expected = g_strdup_printf ("%s|2|%s\n%s|2|%s\n%s|1|%s", first, PQuser (fx->lina), second, PQuser (fx->lina),
                              closed, PQuser (fx->zhangwei));
  g_assert_cmpstr (seen, ==, expected);
  g_clear_pointer (&seen, g_free);
  g_clear_pointer (&expected, g_free);

  /* Each move is in history, by the admin. */
  seen = rows (fx->super, "SELECT ticket_id, actor, coalesce(trigger, '∅'), from_assignee, to_assignee"
                          "  FROM tasksteper.history WHERE from_state IS NOT NULL ORDER BY id", 0);
  expected = g_strdup_printf ("%s|%s|∅|%s|%s\n%s|%s|∅|%s|%s",
                              first, PQuser (fx->admin), PQuser (fx->zhangwei), PQuser (fx->lina),
                              second, PQuser (fx->admin), PQuser (fx->zhangwei), PQuser (fx->lina));
  g_assert_cmpstr (seen, ==, expected);
  g_clear_pointer (&seen, g_free);

  seen = value (fx->super, "SELECT tasksteper.is_member('issue_track', $1)", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (seen, ==, "f");
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);
}

/* remove_member() must run in READ COMMITTED: a snapshot taken before it
 * waited would miss a ticket given meanwhile. */
static void
test_remove_needs_read_committed (Fixture       *fx,
                                  gconstpointer  data)
{
  run (fx->admin, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0);
  assert_refused (fx->admin, "25000", NULL, NULL,
                  "SELECT tasksteper.remove_member('issue_track', $1)", 1, PQuser (fx->zhaolei));
  run (fx->admin, "ROLLBACK", 0);
  run (fx->admin, "BEGIN ISOLATION LEVEL SERIALIZABLE", 0);
  assert_refused (fx->admin, "25000", NULL, NULL, "SELECT tasksteper.forget_user($1)", 1, PQuser (fx->zhaolei));
  run (fx->admin, "ROLLBACK", 0);
}

/* forget_user() {{{1 */

static void
test_forget_user (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *id = create_ticket (fx, fx->zhangwei);
  g_autofree char *n = NULL;
  g_autofree char *seen = NULL;
  g_autoptr(JsonObject) facts = NULL;

  run (fx->super, "SELECT tasksteper.set_display_name($1, '张伟')", 1, PQuser (fx->zhangwei));
  run (fx->super, "SELECT tasksteper.import_project(jsonb_set($1::jsonb, '{name}', '\"side\"'))", 1, schema_text);
  run (fx->super, "SELECT tasksteper.add_member('side', $1)", 1, PQuser (fx->zhangwei));

  /* Refused while they hold anything, in any project; only admins may. */
  facts = refused (fx->admin, "TS425", NULL, "holds_tickets", "SELECT tasksteper.forget_user($1)",
                   1, PQuser (fx->zhangwei));
  g_assert_cmpint (json_object_get_int_member (facts, "count"), ==, 1);
  g_assert_false (json_object_has_member (facts, "project"));
  assert_refused (fx->lina, "42501", NULL, NULL, "SELECT tasksteper.forget_user($1)", 1, PQuser (fx->zhangwei));
  assert_refused (fx->zhangwei, "42501", NULL, NULL, "SELECT tasksteper.forget_user($1)", 1, PQuser (fx->zhangwei));
  assert_refused (fx->admin, "TS404", NULL, NULL, "SELECT tasksteper.forget_user('no_such_role')", 0);
  assert_refused (fx->admin, "TS404", NULL, NULL, "SELECT tasksteper.forget_user('postgres')", 0);

  /* Once the ticket is someone else's, they go from both projects. */
  run (fx->lina, "SELECT tasksteper.reassign($1::bigint, 1, $2)", 2, id, PQuser (fx->zhaolei));
  n = value (fx->admin, "SELECT tasksteper.forget_user($1)", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (n, ==, "2");
  seen = value (fx->super, "SELECT count(*) FROM tasksteper.members WHERE member = $1", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (seen, ==, "0");
  g_free (seen);
  seen = value (fx->super, "SELECT count(*) FROM tasksteper.people WHERE login = $1", 1, PQuser (fx->zhangwei));
  g_assert_cmpstr (seen, ==, "0");
  g_free (seen);
  /* History keeps their name. */
  seen = value (fx->super, "SELECT actor FROM tasksteper.history WHERE ticket_id = $1::bigint ORDER BY id LIMIT 1",
                1, id);
  g_assert_cmpstr (seen, ==, PQuser (fx->zhangwei));
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);
}

/* No open ticket held by a non-member {{{1 */

/* Waits until the query in flight on @conn is either done or waiting for
 * a lock; returns whether it is done. */
static gboolean
wait_blocked_or_done (Fixture *fx,
                      PGconn  *conn)
{
  g_autofree char *pid = g_strdup_printf ("%d", PQbackendPID (conn));

  for (;;)
    {
      g_autofree char *waiting = NULL;

      g_assert_cmpint (PQconsumeInput (conn), ==, 1);
      if (!PQisBusy (conn))
        return TRUE;
      waiting = value (fx->super,
                       "SELECT count(*) FROM pg_catalog.pg_stat_activity"
                       " WHERE pid = $1::int AND wait_event_type = 'Lock'", 1, pid);
      if (g_str_equal (waiting, "1"))
        return FALSE;
      g_usleep (G_USEC_PER_SEC / 100);
    }
}

/* Every way a ticket could end up with a non-member is refused, or moves
 * it to a member. */
static void
test_no_non_member_holder (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *id = create_ticket (fx, fx->zhangwei);
  g_autofree char *checker = g_strdup_printf ("{\"issue_checker\": \"%s\"}", PQuser (fx->outsider));
  g_autofree char *created = NULL;
  g_autoptr(PGresult) res = NULL;
  gboolean done_early;

  /* fire() to a non-member, and to someone no longer one. */
  assert_refused (fx->zhangwei, "TS422", "issue_checker", "not_a_member",
                  "SELECT tasksteper.fire($1::bigint, 1, '" T_SUBMIT "', $2::jsonb)", 2, id, checker);
  /* reassign() to a non-member. */
  assert_refused (fx->lina, "TS422", "assigned_to", "not_a_member",
                  "SELECT tasksteper.reassign($1::bigint, 1, $2)", 2, id, PQuser (fx->outsider));
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);

  /* remove_member() without someone to take over, and forget_user(). */
  assert_refused (fx->admin, "TS425", NULL, "holds_tickets",
                  "SELECT tasksteper.remove_member('issue_track', $1)", 1, PQuser (fx->zhangwei));
  assert_refused (fx->admin, "TS425", NULL, "holds_tickets", "SELECT tasksteper.forget_user($1)",
                  1, PQuser (fx->zhangwei));
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);

  /* A ticket given to lina while she is being removed: the removal waits
   * for it and then refuses.  zhangwei fires to lina and holds his
   * transaction open; the admin's remove_member(lina) is sent meanwhile. */
  run (fx->zhangwei, "BEGIN", 0);
  run (fx->zhangwei, "SELECT tasksteper.fire($1::bigint, 1, '" T_SUBMIT "')", 1, id);
  g_assert_cmpint (PQsendQueryParams (fx->admin, "SELECT tasksteper.remove_member('issue_track', $1)", 1, NULL,
                                      (const char *[]) { PQuser (fx->lina) }, NULL, NULL, 0), ==, 1);
  done_early = wait_blocked_or_done (fx, fx->admin);
  g_assert_false (done_early);
  run (fx->zhangwei, "COMMIT", 0);
  res = PQgetResult (fx->admin);
  {
    g_autoptr(JsonObject) facts = check_refused (fx->admin, res, "TS425", NULL, "holds_tickets");

    g_assert_cmpint (json_object_get_int_member (facts, "count"), ==, 1);
  }
  g_clear_pointer (&res, PQclear);
  g_assert_null (PQgetResult (fx->admin));
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);

  /* A ticket created by zhaolei while he is being removed, the same way. */
  run (fx->zhaolei, "BEGIN", 0);
  created = create_ticket (fx, fx->zhaolei);
  g_assert_cmpint (PQsendQueryParams (fx->admin, "SELECT tasksteper.remove_member('issue_track', $1)", 1, NULL,
                                      (const char *[]) { PQuser (fx->zhaolei) }, NULL, NULL, 0), ==, 1);
  done_early = wait_blocked_or_done (fx, fx->admin);
  g_assert_false (done_early);
  run (fx->zhaolei, "COMMIT", 0);
  res = PQgetResult (fx->admin);
  {
    g_autoptr(JsonObject) facts = check_refused (fx->admin, res, "TS425", NULL, "holds_tickets");

    g_assert_cmpint (json_object_get_int_member (facts, "count"), ==, 1);
  }
  g_clear_pointer (&res, PQclear);
  g_assert_null (PQgetResult (fx->admin));
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);

  /* Someone removed first: a ticket cannot go to them afterwards, by any
   * function (the trigger on tickets checks what they all write). */
  run (fx->admin, "SELECT tasksteper.remove_member('issue_track', $1, $2)", 2, PQuser (fx->zhaolei), PQuser (fx->zhangwei));
  assert_refused (fx->lina, "TS422", "assigned_to", "not_a_member",
                  "SELECT tasksteper.reassign($1::bigint, 2, $2)", 2, id, PQuser (fx->zhaolei));
  assert_refused (fx->zhaolei, "TS404", NULL, "no_project",
                  "SELECT tasksteper.create_ticket('issue_track')", 0);
  g_assert_cmpint (n_held_by_non_members (fx), ==, 0);
}

/* Linked From {{{1 */

/* A ticket of @project created by @conn with @fields; its id. */
static char *
create_with (PGconn     *conn,
             const char *project,
             const char *fields)
{
  return value (conn, "SELECT id FROM tasksteper.create_ticket($1, $2::jsonb)", 2, project, fields);
}

static void
test_linked_from (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *target = create_ticket (fx, fx->zhangwei);
  g_autofree char *seen = NULL;
  g_autofree char *plan = NULL;
  const char *sql = "SELECT string_agg(project || '/' || number, ',' ORDER BY project, number)"
                    "  FROM tasksteper.linked_from($1::bigint)";

  run (fx->super, "SELECT tasksteper.import_project(jsonb_set($1::jsonb, '{name}', '\"side\"'))", 1, schema_text);
  run (fx->super, "SELECT tasksteper.add_member('side', $1)", 1, PQuser (fx->zhangwei));

  /* issue_track/2 and side/1 link to issue_track/1 in url fields;
   * issue_track/3 only in a text field; issue_track/4 to another ticket. */
  g_free (create_with (fx->zhangwei, "issue_track", "{\"buglist_url\": \"tasksteper://issue_track/1\"}"));
  g_free (create_with (fx->zhangwei, "side", "{\"improvement_url\": \"tasksteper://issue_track/1\"}"));
  g_free (create_with (fx->zhangwei, "issue_track", "{\"detail\": \"tasksteper://issue_track/1\"}"));
  g_free (create_with (fx->zhangwei, "issue_track", "{\"buglist_url\": \"tasksteper://issue_track/10\"}"));

  seen = value (fx->zhangwei, sql, 1, target);
  g_assert_cmpstr (seen, ==, "issue_track/2,side/1");
  g_clear_pointer (&seen, g_free);
  /* Only from the projects one is a member of. */
  seen = value (fx->zhaolei, sql, 1, target);
  g_assert_cmpstr (seen, ==, "issue_track/2");
  g_clear_pointer (&seen, g_free);
  assert_refused (fx->outsider, "TS404", NULL, "no_ticket", sql, 1, target);
  assert_refused (fx->admin, "TS404", NULL, "no_ticket", sql, 1, target);

  /* Found with the index, among many tickets (written past the
   * functions). */
  run (fx->super,
       "INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by, fields)"
       " SELECT 'issue_track', n, 'question_' || n, '维护人员处理', $1, $1,"
       "        jsonb_build_object('buglist_url', 'tasksteper://issue_track/' || n * 7)"
       "   FROM generate_series(100, 5100) n",
       1, PQuser (fx->zhangwei));
  run (fx->super, "ANALYZE tasksteper.tickets", 0);
  plan = rows (fx->super,
               "EXPLAIN SELECT t.* FROM tasksteper.tickets t"
               "  WHERE tasksteper.link_targets(t.fields) @> ARRAY['tasksteper://issue_track/1']", 0);
  g_test_message ("%s", plan);
  g_assert_nonnull (strstr (plan, "tickets_links_idx"));
  g_clear_pointer (&seen, g_free);
  seen = value (fx->zhangwei, sql, 1, target);
  g_assert_cmpstr (seen, ==, "issue_track/2,side/1");
}

/* main {{{1 */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "..", "schemas", "issue_track.json", NULL);
  schema_text = read_file_or_die (path);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);

#define ADD(name, func) \
  g_test_add ("/ts/people-db/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("admin-flag", test_admin_flag);
  ADD ("reassign/who", test_reassign_who);
  ADD ("reassign/refused", test_reassign_refused);
  ADD ("remove/refused-while-holding", test_remove_refused_while_holding);
  ADD ("remove/reassign-to", test_remove_reassign_to);
  ADD ("remove/read-committed", test_remove_needs_read_committed);
  ADD ("forget-user", test_forget_user);
  ADD ("no-non-member-holder", test_no_non_member_holder);
  ADD ("linked-from", test_linked_from);
#undef ADD

  ret = g_test_run ();

  g_free (schema_text);
  ts_test_server_free (server);

  return ret;
}
