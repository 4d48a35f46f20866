/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Tests of the server side (data/sql/) against a real PostgreSQL started by
 * the harness.  PostgreSQL is TaskSteper's only server, so these tests play
 * every person who could connect with psql: for every table and function,
 * and every kind of user (the assignee, another member, a user outside the
 * project, an admin, the superuser after SET ROLE), what is allowed works
 * and what is not is refused with the documented SQLSTATE and leaves the
 * data exactly as it was.
 *
 * Each test case gets a database of its own with the server side installed
 * and the issue_track project imported, and roles of its own: roles are
 * cluster-wide, so their names start with the database's name.  Everyone
 * connects with a separate login (the harness trusts local connections), so
 * session_user is the person, as it is for a real client. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ts-list-sql.h"
#include "ts-migrations.h"
#include "ts-test-server.h"

#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

#define MAX_PARAMS 8

/* The states and triggers of schemas/issue_track.json. */
#define S_PROCESS  "维护人员处理"
#define S_REVIEW   "维护代表审核"
#define S_SE       "SE分析改进"
#define S_CLOSED   "关闭"
#define T_UPDATE   "更新进展"
#define T_SUBMIT   "提交审核"
#define T_RETURN   "打回补充信息"
#define T_TO_SE    "转SE分析改进"
#define T_CLOSE    "问题关闭"

#define IMPROVEMENT_URL "tasksteper://improvement/2"

static TsTestServer *server;

/* The parsed tests/data/conditions.json. */
static JsonNode *conditions_root;

/* Helpers: queries {{{1 */

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

/* Runs @sql with @n_params text parameters (a NULL parameter is SQL NULL);
 * it must succeed. */
static PGresult *
run (PGconn     *conn,
     const char *sql,
     int         n_params,
     ...)
{
  PGresult *res;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  assert_result_ok (conn, sql, res);

  return res;
}

/* Runs @sql, which must succeed; no result. */
static void
run_command (PGconn     *conn,
             const char *sql)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

  assert_result_ok (conn, sql, res);
}

/* The first column of the only row @sql returns, or NULL for SQL NULL. */
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

static char *
read_file_or_die (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static char *
quote_ident (PGconn     *conn,
             const char *name)
{
  char *quoted = PQescapeIdentifier (conn, name, strlen (name));
  char *copy = g_strdup (quoted);

  PQfreemem (quoted);

  return copy;
}

/* Helpers: the fixture {{{1 */

typedef struct
{
  char       *db;
  PGconn     *super;     /* postgres, the superuser: sets up and checks */
  GHashTable *conns;     /* name → PGconn, closed at tear-down */

  /* The people of issue_track (members), and two who are not members. */
  char       *zhangwei;  /* creates the tickets; issue_processor */
  char       *lina;      /* issue_checker, 维护代表 */
  char       *wangfang;  /* issue_se, 改进提取SE */
  char       *zhaolei;   /* a member who is never the assignee */
  char       *outsider;  /* a TaskSteper user outside issue_track */
  char       *admin;     /* tasksteper_admin (and user), not a member */
} Fixture;

/* Server messages (a GRANT that grants nothing warns) go to the test log. */
static void
log_notice (void       *user_data,
            const char *message)
{
  g_test_message ("server: %s", g_strchomp ((char *) message));
}

static PGconn *
open_connection (const char *db,
                 const char *role)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, role);
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                             "cannot connect as %s: %s", role,
                                             PQerrorMessage (conn));
      g_assert_no_error (error);
    }
  PQsetNoticeProcessor (conn, log_notice, NULL);

  return conn;
}

/* The connection of @role (a login of its own), opened on first use. */
static PGconn *
conn_as (Fixture    *fx,
         const char *role)
{
  PGconn *conn = g_hash_table_lookup (fx->conns, role);

  if (conn == NULL)
    {
      conn = open_connection (fx->db, role);
      g_hash_table_insert (fx->conns, g_strdup (role), conn);
    }

  return conn;
}

/* A second login of @role, for listening or for a concurrent session. */
static PGconn *
second_conn_as (Fixture    *fx,
                const char *role)
{
  g_autofree char *name = g_strdup_printf ("second %s", role);
  PGconn *conn = g_hash_table_lookup (fx->conns, name);

  if (conn == NULL)
    {
      conn = open_connection (fx->db, role);
      g_hash_table_insert (fx->conns, g_steal_pointer (&name), conn);
    }

  return conn;
}

/* The superuser, logged in as postgres, after SET ROLE @role. */
static PGconn *
superuser_as (Fixture    *fx,
              const char *role)
{
  g_autofree char *name = g_strdup_printf ("postgres as %s", role);
  PGconn *conn = g_hash_table_lookup (fx->conns, name);

  if (conn == NULL)
    {
      g_autofree char *quoted = NULL;
      g_autofree char *sql = NULL;

      conn = open_connection (fx->db, "postgres");
      quoted = quote_ident (conn, role);
      sql = g_strdup_printf ("SET ROLE %s", quoted);
      run_command (conn, sql);
      g_hash_table_insert (fx->conns, g_steal_pointer (&name), conn);
    }

  return conn;
}

static void
create_role (Fixture    *fx,
             const char *name,
             const char *in_roles)
{
  g_autofree char *quoted = quote_ident (fx->super, name);
  g_autofree char *sql = in_roles != NULL ? g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE %s", quoted, in_roles)
                                          : g_strdup_printf ("CREATE ROLE %s LOGIN", quoted);

  run_command (fx->super, sql);
}

static void
add_member (Fixture    *fx,
            const char *project,
            const char *member)
{
  g_autoptr(PGresult) res = run (fx->super, "SELECT tasksteper.add_member($1, $2)", 2,
                                 project, member);
}

static void
remove_member (Fixture    *fx,
               const char *project,
               const char *member)
{
  g_autoptr(PGresult) res = run (fx->super, "SELECT tasksteper.remove_member($1, $2)", 2,
                                 project, member);
}

static void
import_project (Fixture    *fx,
                const char *definition)
{
  g_autoptr(PGresult) res = run (fx->super, "SELECT tasksteper.import_project($1::jsonb)", 1,
                                 definition);
}

static char *
schema_path (const char *basename)
{
  const char *dir = g_getenv ("TS_SCHEMAS_DIR");

  if (dir != NULL)
    return g_build_filename (dir, basename, NULL);

  return g_test_build_filename (G_TEST_DIST, "..", "schemas", basename, NULL);
}

/* Installs the server side into the database @conn (a superuser) is in,
 * exactly as tasksteper-admin init does. */
static void
install_server (PGconn *conn)
{
  g_autoptr(GError) error = NULL;
  int from = -1, to = -1;

  ts_migrations_apply (conn, &from, &to, &error);
  g_assert_no_error (error);
  g_assert_cmpint (from, ==, 0);
  g_assert_cmpint (to, ==, ts_migrations_get_latest ());
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = schema_path ("issue_track.json");
  g_autofree char *issue_track = read_file_or_die (path);
  const char *members[4];

  gint64 begin = g_get_monotonic_time ();

  fx->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  g_test_message ("created %s in %.3f s", fx->db, (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
  fx->conns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) PQfinish);
  fx->super = conn_as (fx, "postgres");
  install_server (fx->super);

  fx->zhangwei = g_strdup_printf ("%s_zhangwei", fx->db);
  fx->lina = g_strdup_printf ("%s_lina", fx->db);
  fx->wangfang = g_strdup_printf ("%s_wangfang", fx->db);
  fx->zhaolei = g_strdup_printf ("%s_zhaolei", fx->db);
  fx->outsider = g_strdup_printf ("%s_outsider", fx->db);
  fx->admin = g_strdup_printf ("%s_admin", fx->db);

  create_role (fx, fx->zhangwei, "tasksteper_user");
  create_role (fx, fx->lina, "tasksteper_user");
  create_role (fx, fx->wangfang, "tasksteper_user");
  create_role (fx, fx->zhaolei, "tasksteper_user");
  create_role (fx, fx->outsider, "tasksteper_user");
  create_role (fx, fx->admin, "tasksteper_user, tasksteper_admin");

  import_project (fx, issue_track);
  members[0] = fx->zhangwei;
  members[1] = fx->lina;
  members[2] = fx->wangfang;
  members[3] = fx->zhaolei;
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    add_member (fx, "issue_track", members[i]);
  g_test_message ("set up %s in %.3f s", fx->db, (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  /* The roles and the database go with the cluster at the end. */
  g_clear_pointer (&fx->conns, g_hash_table_unref);
  g_free (fx->db);
  g_free (fx->zhangwei);
  g_free (fx->lina);
  g_free (fx->wangfang);
  g_free (fx->zhaolei);
  g_free (fx->outsider);
  g_free (fx->admin);
}

/* Helpers: checks {{{1 */

/* Everything TaskSteper keeps, as the superuser sees it: compared before
 * and after every refused action. */
static char *
snapshot (Fixture *fx)
{
  return value (fx->super,
                "SELECT concat_ws(E'\\n',"
                " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY name), '[]') FROM tasksteper.projects x),"
                " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY project, member), '[]') FROM tasksteper.members x),"
                " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY id), '[]') FROM tasksteper.tickets x),"
                " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY id), '[]') FROM tasksteper.history x),"
                " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY version), '[]') FROM tasksteper.migrations x),"
                " (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY login), '[]') FROM tasksteper.people x))",
                0);
}

/* Says which tables changed between two snapshots, and how. */
static void
assert_snapshot_equal (const char *before,
                       const char *after)
{
  static const char * const tables[] = { "projects", "members", "tickets", "history", "migrations", "people" };
  g_auto(GStrv) before_lines = g_strsplit (before, "\n", -1);
  g_auto(GStrv) after_lines = g_strsplit (after, "\n", -1);
  g_autoptr(GString) changed = g_string_new (NULL);

  g_assert_cmpuint (g_strv_length (before_lines), ==, G_N_ELEMENTS (tables));
  g_assert_cmpuint (g_strv_length (after_lines), ==, G_N_ELEMENTS (tables));
  for (guint i = 0; i < G_N_ELEMENTS (tables) && before_lines[i] != NULL && after_lines[i] != NULL; i++)
    {
      if (g_str_equal (before_lines[i], after_lines[i]))
        continue;
      g_string_append_printf (changed, "%s%s", changed->len > 0 ? ", " : "", tables[i]);
      g_test_message ("%s before: %s", tables[i], before_lines[i]);
      g_test_message ("%s after: %s", tables[i], after_lines[i]);
    }
  g_assert_cmpstr (changed->str, ==, "");
}

static char *
describe_outcome (const PGresult *res)
{
  if (result_ok (res))
    return g_strdup ("OK");

  return g_strdup_printf ("%s column=%s",
                          PQresultErrorField (res, PG_DIAG_SQLSTATE),
                          PQresultErrorField (res, PG_DIAG_COLUMN_NAME));
}

/* The words that identify each conflict or permission error in a message. */
static const struct
{
  const char *sqlstate;
  const char *words;
} messages[] = {
  { "TS403", "so only they can change it" },
  { "TS409", "was changed by someone else" },
  { "TS410", "is not a trigger of the state" },
  { "TS424", "removes states that tickets are in" },
};

/* Runs @sql on @conn, which must be refused with @sqlstate (and, when
 * @column is not NULL, the COLUMN field @column; NULL means the error has
 * none), leaving every table as it was. */
static void
assert_refused (Fixture    *fx,
                PGconn     *conn,
                const char *sqlstate,
                const char *column,
                const char *sql,
                int         n_params,
                ...)
{
  g_autofree char *before = snapshot (fx);
  g_autofree char *after = NULL;
  g_autofree char *outcome = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  g_autoptr(PGresult) res = NULL;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);

  outcome = describe_outcome (res);
  got = g_strdup_printf ("%s: %s → %s", PQuser (conn), sql, outcome);
  want = g_strdup_printf ("%s: %s → %s column=%s", PQuser (conn), sql, sqlstate, column);
  if (g_strcmp0 (got, want) != 0)
    g_test_message ("the server said: %s", PQresultErrorMessage (res));
  g_assert_cmpstr (got, ==, want);

  /* A message a person can act on, not just a code; the isolation tests'
   * expected outputs show only messages, so these tie them to codes. */
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY), !=, "");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    if (g_strcmp0 (sqlstate, messages[i].sqlstate) == 0)
      g_assert_nonnull (strstr (PQresultErrorMessage (res), messages[i].words));

  /* The connection is still usable, outside any transaction. */
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  g_assert_cmpint (PQtransactionStatus (conn), ==, PQTRANS_IDLE);

  after = snapshot (fx);
  assert_snapshot_equal (before, after);
}

/* One column of ticket @id as the superuser sees it, as text. */
static char *
ticket_get (Fixture    *fx,
            const char *id,
            const char *column)
{
  return value (fx->super, "SELECT to_jsonb(t) ->> $2 FROM tasksteper.tickets t WHERE id = $1::bigint",
                2, id, column);
}

/* One field's value of ticket @id, as JSON text. */
static char *
ticket_field (Fixture    *fx,
              const char *id,
              const char *field)
{
  return value (fx->super, "SELECT (fields -> $2)::text FROM tasksteper.tickets WHERE id = $1::bigint",
                2, id, field);
}

static int
count_rows (Fixture    *fx,
            const char *sql,
            const char *id)
{
  g_autofree char *n = id != NULL ? value (fx->super, sql, 1, id) : value (fx->super, sql, 0);

  return atoi (n);
}

static int
history_rows (Fixture    *fx,
              const char *id)
{
  return count_rows (fx, "SELECT count(*) FROM tasksteper.history WHERE ticket_id = $1::bigint", id);
}

/* Creates a ticket in issue_track as @creator with @fields; returns its id. */
static char *
create_ticket_as (Fixture    *fx,
                  const char *creator,
                  const char *fields)
{
  return value (conn_as (fx, creator), "SELECT id FROM tasksteper.create_ticket('issue_track', $1::jsonb)",
                1, fields);
}

/* A ticket of zhangwei's at version 1 in 维护人员处理, with the processor,
 * checker and SE filled in (all members), ready for 提交审核. */
static char *
create_ready_ticket (Fixture *fx)
{
  g_autofree char *fields = g_strdup_printf ("{\"summary\": \"【20240301】北京局点X设备发生宕机问题\","
                                             " \"issue_processor\": \"%s\", \"issue_checker\": \"%s\","
                                             " \"issue_se\": \"%s\"}",
                                             fx->zhangwei, fx->lina, fx->wangfang);

  return create_ticket_as (fx, fx->zhangwei, fields);
}

/* The kinds of user every command is tried by. */
typedef enum
{
  USER_ASSIGNEE,             /* the ticket's current assignee (zhangwei) */
  USER_MEMBER,               /* another member of the project (zhaolei) */
  USER_NON_MEMBER,           /* a TaskSteper user outside the project */
  USER_ADMIN,                /* tasksteper_admin, not a member */
  USER_SUPERUSER_AS_MEMBER,  /* postgres after SET ROLE zhangwei */
  N_USER_KINDS
} UserKind;

static PGconn *
conn_of_kind (Fixture  *fx,
              UserKind  kind)
{
  switch (kind)
    {
    case USER_ASSIGNEE:
      return conn_as (fx, fx->zhangwei);
    case USER_MEMBER:
      return conn_as (fx, fx->zhaolei);
    case USER_NON_MEMBER:
      return conn_as (fx, fx->outsider);
    case USER_ADMIN:
      return conn_as (fx, fx->admin);
    case USER_SUPERUSER_AS_MEMBER:
      return superuser_as (fx, fx->zhangwei);
    case N_USER_KINDS:
    default:
      g_assert_not_reached ();
    }
}

/* Helpers: JSON {{{1 */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  /* After a failed (non-fatal) assertion, go on with a JSON null. */
  g_assert_nonnull (text);
  if (text == NULL)
    return json_node_new (JSON_NODE_NULL);

  node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

/* @text as a JSON string.  Not json-glib: json-glib 1.6 writes U+001F
 * unescaped, which is not JSON (RFC 8259 §7) and which PostgreSQL refuses. */
static char *
json_quote (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, (char) c);
    }
  g_string_append_c (s, '"');

  return g_string_free (s, FALSE);
}

/* {"@name": "@text"}. */
static char *
one_string_field (const char *name,
                  const char *text)
{
  g_autofree char *quoted_name = json_quote (name);
  g_autofree char *quoted_text = json_quote (text);

  return g_strdup_printf ("{%s: %s}", quoted_name, quoted_text);
}

/* Asserts the server holds @json_a and @json_b for the same JSON value. */
static void
assert_json_equal (Fixture    *fx,
                   const char *json_a,
                   const char *json_b)
{
  g_autofree char *equal = value (fx->super, "SELECT $1::jsonb = $2::jsonb", 2, json_a, json_b);

  if (g_strcmp0 (equal, "t") != 0)
    g_test_message ("%s is not %s", json_a, json_b);
  g_assert_cmpstr (equal, ==, "t");
}

/* Helpers: notifications {{{1 */

/* A login of @role that listens on channel tasksteper and, since version
 * 11, on issue_track's channel (anyone who knows its name can). */
static PGconn *
listen_as (Fixture    *fx,
           const char *role)
{
  PGconn *listener = second_conn_as (fx, role);
  g_autofree char *listen = value (fx->super, "SELECT 'LISTEN ' || quote_ident(channel)"
                                   " FROM tasksteper.projects WHERE name = 'issue_track'", 0);

  run_command (listener, "LISTEN tasksteper");
  run_command (listener, listen);

  return listener;
}

/* The payloads @listener has received (on its channels) from what has
 * been committed until now.  A marker is sent by the superuser and awaited:
 * notifications are delivered in commit order, so everything committed
 * before the marker arrives before it, and no sleep is needed to be sure
 * that nothing else came. */
static GPtrArray *
collect_notifications (Fixture *fx,
                       PGconn  *listener)
{
  static int counter;
  g_autofree char *marker = g_strdup_printf ("marker %d", ++counter);
  g_autoptr(PGresult) res = NULL;
  GPtrArray *payloads = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gboolean seen = FALSE;

  res = run (fx->super, "SELECT pg_notify('tasksteper', $1)", 1, marker);

  while (!seen)
    {
      struct pollfd pfd = { PQsocket (listener), POLLIN, 0 };
      PGnotify *notify;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      poll (&pfd, 1, 100);
      g_assert_cmpint (PQconsumeInput (listener), ==, 1);

      while ((notify = PQnotifies (listener)) != NULL)
        {
          if (g_str_equal (notify->extra, marker))
            seen = TRUE;
          else if (!seen)
            g_ptr_array_add (payloads, g_strdup (notify->extra));
          PQfreemem (notify);
        }
    }

  return payloads;
}

/* A payload is {"id": ID, "version": VERSION} and nothing else: any role
 * can LISTEN, so it must never carry a value. */
static void
assert_payload (const char *payload,
                const char *id,
                const char *version)
{
  g_autoptr(JsonNode) node = parse_json (payload);
  JsonObject *object;

  g_test_message ("payload %s", payload);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_true (json_object_has_member (object, "id"));
  g_assert_true (json_object_has_member (object, "version"));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "id")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "version")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, g_ascii_strtoll (version, NULL, 10));
}

/* Projects used by some tests {{{1 */

/* A second project, of which only the tests' chosen people are members. */
static const char side_project[] =
  "{\"tasksteper\": 1, \"name\": \"side\", \"title\": \"旁路\","
  " \"fields\": [{\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"}],"
  " \"states\": [\"open\", \"closed\"],"
  " \"transitions\": [{\"source\": \"open\", \"trigger\": \"close\", \"dest\": \"closed\","
  "                    \"trans_condition\": {}, \"trans_action\": {}}]}";

/* One field of every type, with the keys that constrain values: for the
 * validation tests.  完成 sets the read-only approved_by. */
static const char kinds_project[] =
  "{\"tasksteper\": 1, \"name\": \"kinds\", \"title\": \"类型\", \"key_prefix\": \"kind\","
  " \"fields\": ["
  "  {\"name\": \"title\", \"label\": \"标题\", \"type\": \"string\", \"max_length\": 200},"
  "  {\"name\": \"note\", \"label\": \"备注\", \"type\": \"text\", \"max_length\": 10},"
  "  {\"name\": \"level\", \"label\": \"级别\", \"type\": \"choice\", \"choices\": [\"低\", \"高\"]},"
  "  {\"name\": \"due\", \"label\": \"截止日期\", \"type\": \"date\"},"
  "  {\"name\": \"count\", \"label\": \"数量\", \"type\": \"integer\", \"min\": 1, \"max\": 10},"
  "  {\"name\": \"big\", \"label\": \"大数\", \"type\": \"integer\"},"
  "  {\"name\": \"done\", \"label\": \"完成\", \"type\": \"boolean\"},"
  "  {\"name\": \"link\", \"label\": \"链接\", \"type\": \"url\"},"
  "  {\"name\": \"owner\", \"label\": \"负责人\", \"type\": \"user\"},"
  "  {\"name\": \"approved_by\", \"label\": \"批准人\", \"type\": \"string\", \"readonly\": true},"
  "  {\"name\": \"must\", \"label\": \"必填项\", \"type\": \"string\", \"required\": true, \"default\": \"x\"}"
  " ],"
  " \"states\": [\"新建\", \"完成\"],"
  " \"transitions\": [{\"source\": \"新建\", \"trigger\": \"完成\", \"dest\": \"完成\","
  "                    \"trans_condition\": {}, \"trans_action\": {\"set\": {\"approved_by\": \"server\"}}}]}";

/* SELECT {{{1 */

/* issue_track holds a ticket of zhangwei's with two history rows; "side",
 * of which only the outsider is a member, holds one of the outsider's. */
static char *
set_up_two_projects (Fixture *fx)
{
  g_autofree char *side = NULL;
  g_autoptr(PGresult) res = NULL;
  char *id;

  import_project (fx, side_project);
  add_member (fx, "side", fx->outsider);
  side = value (conn_as (fx, fx->outsider), "SELECT id FROM tasksteper.create_ticket('side', '{}')", 0);
  id = create_ready_ticket (fx);
  res = run (conn_as (fx, fx->zhangwei), "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"查看日志\"}')",
             1, id);

  return id;
}

typedef struct
{
  const char *table;
  const char *sql;
  const char *member_sees;    /* a member of issue_track (assignee or not) */
  const char *outsider_sees;  /* a member of side only */
  const char *admin_sees;     /* tasksteper_admin, a member of no project */
  const char *superuser_sees; /* postgres itself, which bypasses RLS */
} Visibility;

static const Visibility visibilities[] = {
  { "projects", "SELECT coalesce(string_agg(name, ',' ORDER BY name), '') || ':' || count(*) FROM tasksteper.projects",
    "issue_track:1", "side:1", "issue_track,side:2", "issue_track,side:2" },
  { "members", "SELECT coalesce(string_agg(DISTINCT project, ','), '') || ':' || count(*) FROM tasksteper.members",
    "issue_track:4", "side:1", "issue_track,side:5", "issue_track,side:5" },
  { "tickets", "SELECT coalesce(string_agg(DISTINCT project, ','), '') || ':' || count(*) FROM tasksteper.tickets",
    "issue_track:1", "side:1", ":0", "issue_track,side:2" },
  { "history", "SELECT coalesce(string_agg(DISTINCT project, ','), '') || ':' || count(*) FROM tasksteper.history",
    "issue_track:2", "side:1", ":0", "issue_track,side:3" },
};

/* Members see their projects' rows and nothing else; everyone else sees no
 * rows (not an error).  Admins also see every project and member list, to
 * manage them, but no tickets or history (docs/sql-api.md).
 *
 * The superuser after SET ROLE to a member is not that member: identity is
 * session_user, so RLS asks about postgres, which is a member of no project
 * but, being a superuser, counts as a member of tasksteper_admin: it sees
 * what an admin sees, not what zhangwei sees.  Safe: it is the superuser,
 * who sees everything anyway. */
static void
test_select (Fixture       *fx,
             gconstpointer  data)
{
  const Visibility *v = data;
  g_autofree char *id = set_up_two_projects (fx);
  g_autofree char *all = value (fx->super, v->sql, 0);

  g_assert_cmpstr (all, ==, v->superuser_sees);

  for (UserKind kind = 0; kind < N_USER_KINDS; kind++)
    {
      g_autofree char *seen = value (conn_of_kind (fx, kind), v->sql, 0);
      const char *expected = NULL;

      switch (kind)
        {
        case USER_ASSIGNEE:
        case USER_MEMBER:
          expected = v->member_sees;
          break;
        case USER_NON_MEMBER:
          expected = v->outsider_sees;
          break;
        case USER_ADMIN:
        case USER_SUPERUSER_AS_MEMBER:
          expected = v->admin_sees;
          break;
        case N_USER_KINDS:
        default:
          g_assert_not_reached ();
        }

      g_test_message ("%s, kind %d", v->table, kind);
      g_assert_cmpstr (seen, ==, expected);
    }

  /* Asking for the other project by name changes nothing. */
  {
    g_autofree char *n = value (conn_as (fx, fx->outsider),
                                "SELECT count(*) FROM tasksteper.tickets WHERE project = 'issue_track'", 0);
    g_assert_cmpstr (n, ==, "0");
  }
}

/* A login role of the same cluster that is not a TaskSteper user reaches
 * nothing: no USAGE on the schema. */
static void
test_select_stranger (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *stranger = g_strdup_printf ("%s_stranger", fx->db);
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn;

  create_role (fx, stranger, NULL);
  conn = conn_as (fx, stranger);
  assert_refused (fx, conn, "42501", NULL, "SELECT count(*) FROM tasksteper.tickets", 0);
  assert_refused (fx, conn, "42501", NULL, "SELECT count(*) FROM tasksteper.history", 0);
  assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);
  assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.save_ticket($1::bigint, 1, '{}')", 1, id);
  assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.condition_holds('{}', NULL, NULL, NULL, NULL, NULL)", 0);
}

static int
compare_ints (gconstpointer a,
              gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* The installed version is public.  Every data/sql/NNNN-*.sql is there
 * (numbers may have a gap while a migration written at the same time as a
 * later one has not landed yet). */
static void
test_select_migrations (Fixture       *fx,
                        gconstpointer  data)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "..", "data", "sql", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GString) expected = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int version = atoi (name);

      if (version > 0 && g_str_has_suffix (name, ".sql"))
        g_array_append_val (numbers, version);
    }
  g_array_sort (numbers, compare_ints);
  for (guint i = 0; i < numbers->len; i++)
    g_string_append_printf (expected, "%s%d", i > 0 ? "," : "", g_array_index (numbers, int, i));
  g_assert_cmpint (g_array_index (numbers, int, numbers->len - 1), ==, ts_migrations_get_latest ());

  for (UserKind kind = 0; kind < N_USER_KINDS; kind++)
    {
      g_autofree char *versions = value (conn_of_kind (fx, kind),
                                         "SELECT string_agg(version::text, ',' ORDER BY version) FROM tasksteper.migrations", 0);

      g_assert_cmpstr (versions, ==, expected->str);
    }
}

/* Plain INSERT, UPDATE, DELETE, TRUNCATE... {{{1 */

typedef struct
{
  const char *sql;
  gboolean    takes_id;   /* $1 is the ticket's id */
} Statement;

static const Statement ticket_statements[] = {
  { "INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by)"
    " VALUES ('issue_track', 99, 'question_99', '维护人员处理', session_user, session_user)", FALSE },
  { "INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by)"
    " SELECT project, number + 100, key, state, assigned_to, created_by FROM tasksteper.tickets", FALSE },
  { "UPDATE tasksteper.tickets SET state = '关闭' WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET assigned_to = session_user WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET created_by = session_user WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET version = version + 1 WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET number = 99 WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET key = 'question_99' WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET is_final = true WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET fields = fields || '{\"summary\": \"x\"}' WHERE id = $1::bigint", TRUE },
  { "UPDATE tasksteper.tickets SET updated_at = now()", FALSE },
  { "UPDATE tasksteper.tickets SET project = 'side' WHERE id = $1::bigint", TRUE },
  { "DELETE FROM tasksteper.tickets WHERE id = $1::bigint", TRUE },
  { "DELETE FROM tasksteper.tickets", FALSE },
  { "TRUNCATE tasksteper.tickets", FALSE },
  { "TRUNCATE tasksteper.tickets, tasksteper.history", FALSE },
  { "TRUNCATE tasksteper.tickets CASCADE", FALSE },
  { "SELECT id FROM tasksteper.tickets WHERE id = $1::bigint FOR UPDATE", TRUE },
  { "SELECT id FROM tasksteper.tickets FOR KEY SHARE", FALSE },
  { "MERGE INTO tasksteper.tickets t USING (SELECT $1::bigint AS id) s ON t.id = s.id"
    " WHEN MATCHED THEN UPDATE SET assigned_to = session_user", TRUE },
  { "COPY tasksteper.tickets (project, number, key, state, assigned_to, created_by) FROM STDIN", FALSE },
};

static const Statement history_statements[] = {
  { "INSERT INTO tasksteper.history (ticket_id, project, actor, to_state, to_assignee)"
    " VALUES ($1::bigint, 'issue_track', session_user, '关闭', session_user)", TRUE },
  { "UPDATE tasksteper.history SET actor = 'someone' WHERE ticket_id = $1::bigint", TRUE },
  { "UPDATE tasksteper.history SET changes = '{}'", FALSE },
  { "UPDATE tasksteper.history SET at = now() - interval '1 year'", FALSE },
  { "DELETE FROM tasksteper.history WHERE ticket_id = $1::bigint", TRUE },
  { "DELETE FROM tasksteper.history", FALSE },
  { "TRUNCATE tasksteper.history", FALSE },
  { "SELECT id FROM tasksteper.history FOR UPDATE", FALSE },
};

static const Statement project_statements[] = {
  { "INSERT INTO tasksteper.projects (name, title, definition, key_prefix, states, final_states)"
    " VALUES ('evil', 'evil', '{}', 'evil', '{a}', '{a}')", FALSE },
  { "UPDATE tasksteper.projects SET definition = '{}'", FALSE },
  { "UPDATE tasksteper.projects SET next_number = 1", FALSE },
  { "UPDATE tasksteper.projects SET final_states = states", FALSE },
  { "DELETE FROM tasksteper.projects", FALSE },
  { "TRUNCATE tasksteper.projects CASCADE", FALSE },
};

static const Statement member_statements[] = {
  { "INSERT INTO tasksteper.members (project, member) VALUES ('issue_track', session_user)", FALSE },
  { "INSERT INTO tasksteper.members (project, member) VALUES ('side', session_user)", FALSE },
  { "UPDATE tasksteper.members SET member = session_user", FALSE },
  { "DELETE FROM tasksteper.members", FALSE },
  { "TRUNCATE tasksteper.members", FALSE },
};

static const Statement migration_statements[] = {
  { "INSERT INTO tasksteper.migrations (version) VALUES (99)", FALSE },
  { "UPDATE tasksteper.migrations SET version = 0", FALSE },
  { "DELETE FROM tasksteper.migrations", FALSE },
  { "TRUNCATE tasksteper.migrations", FALSE },
};

static const Statement people_statements[] = {
  { "INSERT INTO tasksteper.people (login, display_name) VALUES (session_user, '我')", FALSE },
  { "UPDATE tasksteper.people SET display_name = '别人'", FALSE },
  { "DELETE FROM tasksteper.people", FALSE },
  { "TRUNCATE tasksteper.people", FALSE },
  { "SELECT login FROM tasksteper.people FOR UPDATE", FALSE },
};

/* Changing the rules themselves: every object belongs to tasksteper_owner. */
static const Statement ddl_statements[] = {
  { "ALTER TABLE tasksteper.tickets DISABLE ROW LEVEL SECURITY", FALSE },
  { "ALTER TABLE tasksteper.tickets OWNER TO CURRENT_USER", FALSE },
  { "ALTER TABLE tasksteper.tickets ADD COLUMN evil text", FALSE },
  { "DROP POLICY members_read ON tasksteper.tickets", FALSE },
  { "ALTER POLICY members_read ON tasksteper.tickets USING (true)", FALSE },
  { "CREATE POLICY evil ON tasksteper.tickets FOR SELECT USING (true)", FALSE },
  { "DROP TABLE tasksteper.history", FALSE },
  { "CREATE TABLE tasksteper.evil (id int)", FALSE },
  { "CREATE INDEX evil ON tasksteper.tickets (key)", FALSE },
  { "COMMENT ON TABLE tasksteper.tickets IS 'evil'", FALSE },
  { "CREATE OR REPLACE FUNCTION tasksteper.is_member(p_project text, p_who text DEFAULT session_user)"
    " RETURNS boolean LANGUAGE sql AS 'SELECT true'", FALSE },
  { "CREATE FUNCTION tasksteper.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'", FALSE },
  { "ALTER FUNCTION tasksteper.fire(bigint, int, text, jsonb, text) SECURITY INVOKER", FALSE },
  { "ALTER FUNCTION tasksteper.fire(bigint, int, text, jsonb, text) RESET search_path", FALSE },
  { "DROP FUNCTION tasksteper.save_ticket(bigint, int, jsonb)", FALSE },
  { "ALTER SCHEMA tasksteper RENAME TO evil", FALSE },
  { "ALTER DEFAULT PRIVILEGES FOR ROLE tasksteper_owner GRANT ALL ON TABLES TO PUBLIC", FALSE },
};

typedef struct
{
  const Statement *statements;
  guint            n_statements;
} StatementList;

static const StatementList ticket_list = { ticket_statements, G_N_ELEMENTS (ticket_statements) };
static const StatementList history_list = { history_statements, G_N_ELEMENTS (history_statements) };
static const StatementList project_list = { project_statements, G_N_ELEMENTS (project_statements) };
static const StatementList member_list = { member_statements, G_N_ELEMENTS (member_statements) };
static const StatementList migration_list = { migration_statements, G_N_ELEMENTS (migration_statements) };
static const StatementList people_list = { people_statements, G_N_ELEMENTS (people_statements) };
static const StatementList ddl_list = { ddl_statements, G_N_ELEMENTS (ddl_statements) };

/* Every statement of @data, by every kind of user (the assignee of the
 * ticket included): 42501, nothing changed. */
static void
test_direct_statements (Fixture       *fx,
                        gconstpointer  data)
{
  const StatementList *list = data;
  g_autofree char *id = set_up_two_projects (fx);

  for (UserKind kind = 0; kind < N_USER_KINDS; kind++)
    {
      PGconn *conn = conn_of_kind (fx, kind);

      for (guint i = 0; i < list->n_statements; i++)
        {
          const Statement *statement = &list->statements[i];

          if (statement->takes_id)
            assert_refused (fx, conn, "42501", NULL, statement->sql, 1, id);
          else
            assert_refused (fx, conn, "42501", NULL, statement->sql, 0);
        }
    }
}

/* create_ticket {{{1 */

static const char issue_track_defaults[] =
  "{\"summary\": \"【20170101】XX局点XX设备发生XX问题\","
  " \"detail\": \"【问题现象】: xx\\n【问题影响】: xx\\n【客户诉求】: xx\\n【客户态度】: xx\","
  " \"current_process\": \"\", \"issue_level\": \"一般问题\", \"customer_type\": \"金融\","
  " \"class_1\": \"\", \"class_2\": \"\", \"class_3\": \"\", \"buglist_url\": \"\","
  " \"improvement_url\": \"\", \"release_notes\": \"\", \"issue_processor\": \"\", \"issue_checker\": \"\","
  " \"issue_se\": \"\"}";

static void
test_create_member (Fixture       *fx,
                    gconstpointer  data)
{
  const char *given = "{\"summary\": \"【20240301】北京局点X设备发生宕机问题\", \"issue_level\": \"严重问题\"}";
  g_autofree char *expected_fields = NULL;
  g_autofree char *returned = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *history = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *second = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PGresult) res = NULL;

  res = run (conn_as (fx, fx->zhangwei),
             "SELECT id, project, number, key, state, assigned_to, created_by, version, is_final,"
             "       fields::text, to_jsonb(t)::text"
             "  FROM tasksteper.create_ticket('issue_track', $1::jsonb) t", 1, given);
  g_assert_cmpint (PQntuples (res), ==, 1);
  id = g_strdup (PQgetvalue (res, 0, 0));
  g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, "issue_track");
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, "1");
  g_assert_cmpstr (PQgetvalue (res, 0, 3), ==, "question_1");
  g_assert_cmpstr (PQgetvalue (res, 0, 4), ==, S_PROCESS);
  g_assert_cmpstr (PQgetvalue (res, 0, 5), ==, fx->zhangwei);
  g_assert_cmpstr (PQgetvalue (res, 0, 6), ==, fx->zhangwei);
  g_assert_cmpstr (PQgetvalue (res, 0, 7), ==, "1");
  g_assert_cmpstr (PQgetvalue (res, 0, 8), ==, "f");

  /* The defaults, with what was given merged in. */
  expected_fields = value (fx->super, "SELECT ($1::jsonb || $2::jsonb)::text", 2, issue_track_defaults, given);
  assert_json_equal (fx, PQgetvalue (res, 0, 9), expected_fields);

  /* What it returns is the row as stored. */
  returned = g_strdup (PQgetvalue (res, 0, 10));
  stored = value (fx->super, "SELECT to_jsonb(t)::text FROM tasksteper.tickets t WHERE id = $1::bigint", 1, id);
  assert_json_equal (fx, returned, stored);

  /* One history row: created by zhangwei, assigned to zhangwei, every
   * value new. */
  history = value (fx->super,
                   "SELECT concat_ws(' | ', actor, coalesce(trigger, '-'), coalesce(from_state, '-'), to_state,"
                   "                 coalesce(from_assignee, '-'), to_assignee)"
                   "  FROM tasksteper.history WHERE ticket_id = $1::bigint", 1, id);
  {
    g_autofree char *expected = g_strdup_printf ("%s | - | - | %s | - | %s", fx->zhangwei, S_PROCESS, fx->zhangwei);
    g_assert_cmpstr (history, ==, expected);
  }
  changes = value (fx->super, "SELECT (changes -> 'summary')::text FROM tasksteper.history WHERE ticket_id = $1::bigint",
                   1, id);
  assert_json_equal (fx, changes, "{\"old\": null, \"new\": \"【20240301】北京局点X设备发生宕机问题\"}");
  g_free (changes);
  changes = value (fx->super, "SELECT (changes -> 'issue_level')::text FROM tasksteper.history WHERE ticket_id = $1::bigint",
                   1, id);
  assert_json_equal (fx, changes, "{\"old\": null, \"new\": \"严重问题\"}");

  /* The next ticket, by another member, gets the next number; the creator
   * is whoever is logged in. */
  second = value (conn_as (fx, fx->lina),
                  "SELECT concat_ws(' ', number, key, assigned_to, created_by)"
                  "  FROM tasksteper.create_ticket('issue_track')", 0);
  {
    g_autofree char *expected = g_strdup_printf ("2 question_2 %s %s", fx->lina, fx->lina);
    g_assert_cmpstr (second, ==, expected);
  }
}

/* Numbers count per project; the key uses key_prefix, or the name. */
static void
test_create_numbering (Fixture       *fx,
                       gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT number || ' ' || key FROM tasksteper.create_ticket($1)";
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;

  import_project (fx, side_project);
  add_member (fx, "side", fx->zhangwei);

  a = value (conn, sql, 1, "issue_track");
  b = value (conn, sql, 1, "side");
  c = value (conn, sql, 1, "issue_track");
  d = value (conn, sql, 1, "side");
  g_assert_cmpstr (a, ==, "1 question_1");
  g_assert_cmpstr (b, ==, "1 side_1");
  g_assert_cmpstr (c, ==, "2 question_2");
  g_assert_cmpstr (d, ==, "2 side_2");

  /* A refused create does not use up a number. */
  assert_refused (fx, conn, "TS422", "no_such_field",
                  "SELECT tasksteper.create_ticket('issue_track', '{\"no_such_field\": 1}')", 0);
  g_free (a);
  a = value (conn, sql, 1, "issue_track");
  g_assert_cmpstr (a, ==, "3 question_3");
}

/* Only members create; a project one is not a member of looks exactly
 * like one that does not exist. */
static void
test_create_refused (Fixture       *fx,
                     gconstpointer  data)
{
  const char *sql = "SELECT tasksteper.create_ticket($1, '{}')";

  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, sql, 1, "issue_track");
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, sql, 1, "no_such_project");
  assert_refused (fx, conn_as (fx, fx->admin), "TS404", NULL, sql, 1, "issue_track");
  assert_refused (fx, superuser_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, "issue_track");
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, "no_such_project");
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, NULL);

  /* The same words for a secret project and a missing one. */
  {
    g_autoptr(PGresult) secret = PQexecParams (conn_as (fx, fx->outsider),
                                               "SELECT tasksteper.create_ticket('issue_track')",
                                               0, NULL, NULL, NULL, NULL, 0);
    g_autoptr(PGresult) missing = PQexecParams (conn_as (fx, fx->outsider),
                                                "SELECT tasksteper.create_ticket('issue_trace')",
                                                0, NULL, NULL, NULL, NULL, 0);
    g_autofree char *secret_message = g_strdup (PQresultErrorField (secret, PG_DIAG_MESSAGE_PRIMARY));
    g_autofree char *missing_message = g_strdup (PQresultErrorField (missing, PG_DIAG_MESSAGE_PRIMARY));
    char *at = strstr (missing_message, "issue_trace");

    g_assert_nonnull (at);
    at[strlen ("issue_trac")] = 'k';
    g_assert_cmpstr (secret_message, ==, missing_message);
  }
}

typedef struct
{
  const char *name;
  const char *value;
} Forged;

/* System fields cannot be sent as fields, to any function: TS422 naming
 * the field.  A NULL value stands for another member's name. */
static const Forged forged_fields[] = {
  { "created_by", NULL },
  { "assigned_to", NULL },
  { "state", "\"关闭\"" },
  { "version", "99" },
  { "number", "99" },
  { "key", "\"question_99\"" },
  { "id", "99" },
  { "project", "\"side\"" },
  { "is_final", "true" },
  { "created_at", "\"2000-01-01T00:00:00Z\"" },
  { "updated_at", "\"2000-01-01T00:00:00Z\"" },
};

static void
test_forged_system_fields (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);

  for (guint i = 0; i < G_N_ELEMENTS (forged_fields); i++)
    {
      g_autofree char *forged_value = forged_fields[i].value != NULL ? g_strdup (forged_fields[i].value)
                                                                     : g_strdup_printf ("\"%s\"", fx->lina);
      g_autofree char *fields = g_strdup_printf ("{\"summary\": \"x\", \"%s\": %s}", forged_fields[i].name, forged_value);

      assert_refused (fx, conn, "TS422", forged_fields[i].name,
                      "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)", 1, fields);
      assert_refused (fx, conn, "TS422", forged_fields[i].name,
                      "SELECT tasksteper.save_ticket($1::bigint, 1, $2::jsonb)", 2, id, fields);
      assert_refused (fx, conn, "TS422", forged_fields[i].name,
                      "SELECT tasksteper.fire($1::bigint, 1, '提交审核', $2::jsonb)", 2, id, fields);
      assert_refused (fx, conn, "TS422", forged_fields[i].name,
                      "SELECT tasksteper.fire($1::bigint, 1, '更新进展', $2::jsonb)", 2, id, fields);
    }
}

static void
test_create_unknown_field (Fixture       *fx,
                           gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)";

  assert_refused (fx, conn, "TS422", "no_such_field", sql, 1, "{\"no_such_field\": \"x\"}");
  /* A label is not a field name. */
  assert_refused (fx, conn, "TS422", "概要", sql, 1, "{\"概要\": \"x\"}");
  /* Names are exact. */
  assert_refused (fx, conn, "TS422", "Summary", sql, 1, "{\"Summary\": \"x\"}");
  assert_refused (fx, conn, "TS422", "summary ", sql, 1, "{\"summary \": \"x\"}");
}

static void
test_create_not_an_object (Fixture       *fx,
                           gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)";
  const char * const not_objects[] = { "[]", "[{\"summary\": \"x\"}]", "\"summary\"", "1", "true", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (not_objects); i++)
    assert_refused (fx, conn, "TS422", NULL, sql, 1, not_objects[i]);
}

typedef struct
{
  const char *field;
  const char *json;       /* the value sent */
  const char *sqlstate;   /* NULL when it is accepted */
} ValueCase;

static char *
repeat (const char *unit,
        guint       times)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (s, unit);

  return g_string_free (s, FALSE);
}

static void
check_value_cases (Fixture         *fx,
                   const ValueCase *cases,
                   guint            n_cases)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);

  for (guint i = 0; i < n_cases; i++)
    {
      const ValueCase *c = &cases[i];
      g_autofree char *fields = g_strdup_printf ("{\"%s\": %s}", c->field, c->json);
      const char *sql = "SELECT id FROM tasksteper.create_ticket('kinds', $1::jsonb)";

      g_autofree char *shown = g_utf8_substring (c->json, 0, MIN (g_utf8_strlen (c->json, -1), 40));

      g_test_message ("%s = %s", c->field, shown);
      if (c->sqlstate == NULL)
        {
          g_autofree char *id = value (conn, sql, 1, fields);
          g_autofree char *stored = ticket_field (fx, id, c->field);

          assert_json_equal (fx, stored, c->json);
        }
      else
        {
          assert_refused (fx, conn, c->sqlstate, c->field, sql, 1, fields);
        }
    }
}

/* Values are checked against the project's definition: type, max_length
 * (in characters), choices, dates, integer range, single-line strings. */
static void
test_create_values (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *chinese_200 = repeat ("中", 200);
  g_autofree char *chinese_201 = repeat ("中", 201);
  g_autofree char *emoji_200 = repeat ("😀", 200);
  g_autofree char *emoji_201 = repeat ("😀", 201);
  g_autofree char *json_chinese_200 = g_strdup_printf ("\"%s\"", chinese_200);
  g_autofree char *json_chinese_201 = g_strdup_printf ("\"%s\"", chinese_201);
  g_autofree char *json_emoji_200 = g_strdup_printf ("\"%s\"", emoji_200);
  g_autofree char *json_emoji_201 = g_strdup_printf ("\"%s\"", emoji_201);
  g_autofree char *member = g_strdup_printf ("\"%s\"", fx->lina);
  g_autofree char *outsider = g_strdup_printf ("\"%s\"", fx->outsider);
  g_autofree char *long_link = g_strdup_printf ("\"https://example.com/%s\"", chinese_201);
  const ValueCase cases[] = {
    { "title", json_chinese_200, NULL },
    { "title", json_chinese_201, "TS422" },
    { "title", json_emoji_200, NULL },
    { "title", json_emoji_201, "TS422" },
    { "title", "\"\"", NULL },
    { "title", "\"two\\nlines\"", "TS422" },
    { "title", "\"carriage\\rreturn\"", "TS422" },
    { "title", "\"trailing newline\\n\"", "TS422" },
    { "title", "\"tab\\tis fine\"", NULL },
    { "title", "42", "TS422" },
    { "title", "true", "TS422" },
    { "title", "[\"a\"]", "TS422" },
    { "title", "{\"a\": \"b\"}", "TS422" },
    { "note", "\"0123456789\"", NULL },
    { "note", "\"01234567890\"", "TS422" },
    { "note", "\"多行\\n文本\"", NULL },
    { "level", "\"低\"", NULL },
    { "level", "\"中\"", "TS422" },
    { "level", "\"低 \"", "TS422" },
    { "level", "\"\"", NULL },
    { "level", "1", "TS422" },
    { "due", "\"2018-01-28\"", NULL },
    { "due", "\"2020-02-29\"", NULL },
    { "due", "\"2018-02-29\"", "TS422" },
    { "due", "\"2018-02-30\"", "TS422" },
    { "due", "\"2018-13-01\"", "TS422" },
    { "due", "\"2018-1-28\"", "TS422" },
    { "due", "\"28.01.2018\"", "TS422" },
    { "due", "\"0000-01-01\"", "TS422" },
    { "due", "\"2018-01-28T10:00:00\"", "TS422" },
    { "due", "\"tomorrow\"", "TS422" },
    { "due", "20180128", "TS422" },
    { "due", "\"\"", NULL },
    { "count", "1", NULL },
    { "count", "10", NULL },
    { "count", "0", "TS422" },
    { "count", "11", "TS422" },
    { "count", "-1", "TS422" },
    { "count", "1.5", "TS422" },
    { "count", "\"5\"", "TS422" },
    { "count", "null", NULL },
    { "big", "9223372036854775807", NULL },
    { "big", "-9223372036854775808", NULL },
    { "big", "9223372036854775808", "TS422" },
    { "big", "-9223372036854775809", "TS422" },
    { "big", "1e30", "TS422" },
    { "big", "100000000000000000000000000000", "TS422" },
    { "done", "true", NULL },
    { "done", "false", NULL },
    { "done", "\"true\"", "TS422" },
    { "done", "1", "TS422" },
    { "link", "\"https://example.com/bug/1\"", NULL },
    { "link", "\"tasksteper://issue_track/3\"", NULL },
    { "link", "\"\"", NULL },
    { "link", "\"not a link\"", "TS422" },
    { "link", "\"example.com\"", "TS422" },
    { "link", long_link, NULL },
    { "owner", member, NULL },
    { "owner", outsider, "TS422" },
    { "owner", "\"nobody_at_all\"", "TS422" },
    { "owner", "\"\"", NULL },
    { "approved_by", "\"me\"", "TS422" },
  };

  import_project (fx, kinds_project);
  add_member (fx, "kinds", fx->zhangwei);
  add_member (fx, "kinds", fx->lina);

  check_value_cases (fx, cases, G_N_ELEMENTS (cases));
}

/* A required field may not be empty: TS428 naming it. */
static void
test_create_required (Fixture       *fx,
                      gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.create_ticket($1, $2::jsonb)";
  /* Empty: "", white space only (no line breaks: those are refused in a
   * one-line string field before anything else), or null. */
  const char * const empties[] = { "\"\"", "\"   \"", "\" \\t\\u000b\\f \"", "\"\\u3000\"", "\"\\u00a0\"", "null" };

  import_project (fx, kinds_project);
  add_member (fx, "kinds", fx->zhangwei);

  for (guint i = 0; i < G_N_ELEMENTS (empties); i++)
    {
      g_autofree char *kinds = g_strdup_printf ("{\"must\": %s}", empties[i]);
      g_autofree char *issue = g_strdup_printf ("{\"summary\": %s}", empties[i]);

      assert_refused (fx, conn, "TS428", "must", sql, 2, "kinds", kinds);
      assert_refused (fx, conn, "TS428", "summary", sql, 2, "issue_track", issue);
    }

  /* A zero-width space is not white space. */
  {
    g_autofree char *id = value (conn, "SELECT id FROM tasksteper.create_ticket('kinds', '{\"must\": \"\\u200b\"}')", 0);
    g_assert_nonnull (id);
  }
}

/* Text is stored byte for byte {{{1 */

static const char * const round_trip_texts[] = {
  "网上问题处理：北京局点服务器宕机",
  "emoji 😀🎉👍🏽 and 𠜎𠜱 (4-byte UTF-8)",
  "quotes ' '' \" “curly” ‘single’ 「括号」",
  "back\\slash \\n \\\\ \\u0041 \\x00 C:\\Windows\\",
  "'; DROP TABLE tasksteper.tickets; --",
  "\"); DROP TABLE tasksteper.history; --",
  "$$ $tag$ $1 $$; SELECT 1; $$",
  "%s %d %n %% {0} ${HOME} `id`",
  "<b>bold</b> &amp; <script>alert(1)</script>",
  "\ttab, trailing space ",
  "  leading spaces",
  "e\xcc\x81 (combining) vs \xc3\xa9 (precomposed)",
  "zero\xe2\x80\x8bwidth and \xef\xbb\xbf BOM and \xe2\x80\xa8 line separator",
  "\x01\x02\x1f control characters",
  "null",
  "",
};

static void
assert_text_stored (Fixture    *fx,
                    PGconn     *reader,
                    const char *id,
                    const char *field,
                    const char *text)
{
  g_autofree char *as_text = value (reader, "SELECT fields ->> $2 FROM tasksteper.tickets WHERE id = $1::bigint",
                                    2, id, field);
  g_autofree char *as_json = value (reader, "SELECT fields::text FROM tasksteper.tickets WHERE id = $1::bigint",
                                    1, id);
  g_autoptr(JsonNode) node = parse_json (as_json);

  g_assert_cmpstr (as_text, ==, text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  if (JSON_NODE_HOLDS_OBJECT (node))
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), field), ==, text);
}

static void
test_text_round_trip (Fixture       *fx,
                      gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);

  for (guint i = 0; i < G_N_ELEMENTS (round_trip_texts); i++)
    {
      const char *text = round_trip_texts[i];
      g_autofree char *detail = g_strdup_printf ("%s\n第二行\r\n第三行 %s", text, text);
      g_autofree char *changed = g_strdup_printf ("%s（改）", text);
      g_autofree char *summary_fields = one_string_field ("summary", text);
      g_autofree char *detail_fields = one_string_field ("detail", detail);
      g_autofree char *changed_fields = one_string_field ("current_process", changed);
      g_autofree char *id = NULL;
      g_autofree char *version = NULL;
      g_autofree char *history_new = NULL;

      g_test_message ("text %u: %s", i, text);

      /* An empty summary is refused (it is required); the rest is kept. */
      if (*text == '\0')
        {
          assert_refused (fx, conn, "TS428", "summary",
                          "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)", 1, summary_fields);
          g_free (summary_fields);
          summary_fields = g_strdup ("{}");
        }

      id = value (conn, "SELECT id FROM tasksteper.create_ticket('issue_track', $1::jsonb || $2::jsonb)",
                  2, summary_fields, detail_fields);
      if (*text != '\0')
        assert_text_stored (fx, conn, id, "summary", text);
      assert_text_stored (fx, conn, id, "detail", detail);
      assert_text_stored (fx, fx->super, id, "detail", detail);

      version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, $2::jsonb)",
                       2, id, changed_fields);
      g_assert_cmpstr (version, ==, "2");
      assert_text_stored (fx, conn, id, "current_process", changed);
      assert_text_stored (fx, conn_as (fx, fx->lina), id, "current_process", changed);

      /* And the history has the same text. */
      history_new = value (fx->super,
                           "SELECT changes -> 'current_process' ->> 'new' FROM tasksteper.history"
                           " WHERE ticket_id = $1::bigint AND trigger IS NULL AND from_state IS NOT NULL", 1, id);
      g_assert_cmpstr (history_new, ==, changed);
    }
}

/* NUL cannot be stored in jsonb text: an error, not a crash, and nothing
 * stored; the same for bytes that are not UTF-8. */
static void
test_text_impossible (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char * const impossible[] = {
    "{\"summary\": \"a\\u0000b\"}",
    "{\"detail\": \"\\u0000\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (impossible); i++)
    {
      assert_refused (fx, conn, "22P05", NULL, "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)",
                      1, impossible[i]);
      assert_refused (fx, conn, "22P05", NULL, "SELECT tasksteper.save_ticket($1::bigint, 1, $2::jsonb)",
                      2, id, impossible[i]);
      assert_refused (fx, conn, "22P05", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核', $2::jsonb)",
                      2, id, impossible[i]);
    }

  assert_refused (fx, conn, "22021", NULL, "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)",
                  1, "{\"summary\": \"\xff\xfe not UTF-8\"}");
  assert_refused (fx, conn, "22021", NULL, "SELECT tasksteper.save_ticket($1::bigint, 1, $2::jsonb)",
                  2, id, "{\"summary\": \"\xc3\"}");

  /* The connection still works. */
  {
    g_autofree char *version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{\"summary\": \"ok\"}')",
                                      1, id);
    g_assert_cmpstr (version, ==, "2");
  }
}

/* save_ticket {{{1 */

/* The history of ticket @id, one line a row: actor | trigger | from state |
 * to state | from assignee | to assignee | changed fields. */
static void
assert_history (Fixture    *fx,
                const char *id,
                GPtrArray  *expected)
{
  g_autoptr(PGresult) res = run (fx->super,
                                 "SELECT concat_ws(' | ', actor, coalesce(trigger, '-'), coalesce(from_state, '-'),"
                                 "                 to_state, coalesce(from_assignee, '-'), to_assignee,"
                                 "                 (SELECT coalesce(string_agg(k, ',' ORDER BY k), '')"
                                 "                    FROM jsonb_object_keys(changes) k))"
                                 "  FROM tasksteper.history WHERE ticket_id = $1::bigint ORDER BY id",
                                 1, id);

  for (int i = 0; i < PQntuples (res); i++)
    g_test_message ("history %d: %s", i + 1, PQgetvalue (res, i, 0));

  g_assert_cmpint (PQntuples (res), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (PQgetvalue (res, i, 0), ==, g_ptr_array_index (expected, i));
}

/* The changes of the @nth (from 1) history row of ticket @id. */
static char *
history_changes (Fixture    *fx,
                 const char *id,
                 int         nth)
{
  g_autofree char *offset = g_strdup_printf ("%d", nth - 1);

  return value (fx->super,
                "SELECT changes::text FROM tasksteper.history WHERE ticket_id = $1::bigint"
                " ORDER BY id OFFSET $2::int LIMIT 1", 2, id, offset);
}

/* version | state | assigned_to | is_final of ticket @id. */
static void
assert_ticket (Fixture    *fx,
               const char *id,
               const char *version,
               const char *state,
               const char *assigned_to,
               gboolean    is_final)
{
  g_autofree char *got = value (fx->super,
                                "SELECT concat_ws(' | ', version, state, assigned_to, is_final)"
                                "  FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
  g_autofree char *want = g_strdup_printf ("%s | %s | %s | %s", version, state, assigned_to,
                                           is_final ? "t" : "f");

  g_assert_cmpstr (got, ==, want);
}

/* The keys of the open issue_track tickets assigned to the login of @conn:
 * the pending table. */
static char *
pending (PGconn *conn)
{
  return value (conn,
                "SELECT coalesce(string_agg(key, ',' ORDER BY number), '') FROM tasksteper.tickets"
                " WHERE project = 'issue_track' AND assigned_to = session_user AND NOT is_final", 0);
}

static void
test_save_assignee (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *updated_before = ticket_get (fx, id, "updated_at");
  g_autofree char *stored = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *later = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGresult) res = NULL;

  res = run (conn_as (fx, fx->zhangwei),
             "SELECT version, state, assigned_to, created_by, to_jsonb(t)::text"
             "  FROM tasksteper.save_ticket($1::bigint, 1, $2::jsonb) t",
             2, id, "{\"current_process\": \"已重启设备\", \"issue_level\": \"严重问题\"}");
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "2");
  g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, S_PROCESS);
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, fx->zhangwei);
  g_assert_cmpstr (PQgetvalue (res, 0, 3), ==, fx->zhangwei);
  stored = value (fx->super, "SELECT to_jsonb(t)::text FROM tasksteper.tickets t WHERE id = $1::bigint", 1, id);
  assert_json_equal (fx, PQgetvalue (res, 0, 4), stored);

  /* The fields not sent keep their values. */
  summary = ticket_field (fx, id, "summary");
  g_assert_cmpstr (summary, ==, "\"【20240301】北京局点X设备发生宕机问题\"");

  g_ptr_array_add (expected, g_strdup_printf ("%s | - | - | %s | - | %s | buglist_url,class_1,class_2,class_3,"
                                              "current_process,customer_type,detail,improvement_url,issue_checker,"
                                              "issue_level,issue_processor,issue_se,release_notes,summary",
                                              fx->zhangwei, S_PROCESS, fx->zhangwei));
  g_ptr_array_add (expected, g_strdup_printf ("%s | - | %s | %s | %s | %s | current_process,issue_level",
                                              fx->zhangwei, S_PROCESS, S_PROCESS, fx->zhangwei, fx->zhangwei));
  assert_history (fx, id, expected);
  changes = history_changes (fx, id, 2);
  assert_json_equal (fx, changes,
                     "{\"current_process\": {\"old\": \"\", \"new\": \"已重启设备\"},"
                     " \"issue_level\": {\"old\": \"一般问题\", \"new\": \"严重问题\"}}");

  later = value (fx->super, "SELECT updated_at > $2::timestamptz FROM tasksteper.tickets WHERE id = $1::bigint",
                 2, id, updated_before);
  g_assert_cmpstr (later, ==, "t");
}

/* Only the assignee saves: a member who is not gets TS403, everyone else
 * TS404, as for a ticket that does not exist. */
static void
test_save_refused_users (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  const char *sql = "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')";

  assert_refused (fx, conn_as (fx, fx->lina), "TS403", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->zhaolei), "TS403", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->admin), "TS404", NULL, sql, 1, id);
  assert_refused (fx, superuser_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, "999999");
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, sql, 1, "999999");
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, NULL);
}

static void
test_save_stale (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.save_ticket($1::bigint, $2::int, '{\"current_process\": \"mine\"}')";
  g_autofree char *version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"theirs\"}')",
                                    1, id);
  g_autofree char *kept = NULL;

  g_assert_cmpstr (version, ==, "2");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, "1");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, "3");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, "0");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, NULL);
  kept = ticket_field (fx, id, "current_process");
  g_assert_cmpstr (kept, ==, "\"theirs\"");
}

/* Saving what is already there changes nothing: same version, no
 * history (and no notification, see /ts/server/notify/failed). */
static void
test_save_noop (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *before = snapshot (fx);
  g_autofree char *after = NULL;
  g_autofree char *full = NULL;
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, $2::jsonb)";
  const char * const same[] = {
    "{}",
    "{\"issue_level\": \"一般问题\"}",
    "{\"summary\": \"【20240301】北京局点X设备发生宕机问题\", \"current_process\": \"\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *version = value (conn, sql, 2, id, same[i]);

      g_assert_cmpstr (version, ==, "1");
    }

  /* The whole form, as a client sends it. */
  full = value (fx->super, "SELECT fields::text FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
  {
    g_autofree char *version = value (conn, sql, 2, id, full);
    g_assert_cmpstr (version, ==, "1");
  }

  after = snapshot (fx);
  assert_snapshot_equal (before, after);
  g_assert_cmpint (history_rows (fx, id), ==, 1);
}

/* A read-only field may be sent unchanged (clients send the whole form)
 * but not changed; only a transition's set changes it. */
static void
test_save_readonly (Fixture       *fx,
                    gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;

  import_project (fx, kinds_project);
  add_member (fx, "kinds", fx->zhangwei);
  id = value (conn, "SELECT id FROM tasksteper.create_ticket('kinds', '{\"title\": \"只读\"}')", 0);

  version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{\"approved_by\": \"\"}')", 1, id);
  g_assert_cmpstr (version, ==, "1");
  assert_refused (fx, conn, "TS422", "approved_by",
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"approved_by\": \"me\"}')", 1, id);
  assert_refused (fx, conn, "TS422", "approved_by",
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"approved_by\": null}')", 1, id);
  assert_refused (fx, conn, "TS422", "approved_by",
                  "SELECT tasksteper.fire($1::bigint, 1, '完成', '{\"approved_by\": \"me\"}')", 1, id);
}

static void
test_save_invalid (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *outsider = g_strdup_printf ("{\"issue_checker\": \"%s\"}", fx->outsider);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.save_ticket($1::bigint, 1, $2::jsonb)";

  assert_refused (fx, conn, "TS422", "issue_level", sql, 2, id, "{\"issue_level\": \"不存在\"}");
  assert_refused (fx, conn, "TS422", "summary", sql, 2, id, "{\"summary\": \"两\\n行\"}");
  assert_refused (fx, conn, "TS428", "summary", sql, 2, id, "{\"summary\": \" \"}");
  assert_refused (fx, conn, "TS422", "issue_checker", sql, 2, id, outsider);
  assert_refused (fx, conn, "TS422", "buglist_url", sql, 2, id, "{\"buglist_url\": \"not a link\"}");
  assert_refused (fx, conn, "TS422", "no_such_field", sql, 2, id, "{\"no_such_field\": 1}");
  assert_refused (fx, conn, "TS422", NULL, sql, 2, id, "[]");
  /* One bad value spoils the whole save. */
  assert_refused (fx, conn, "TS422", "issue_level", sql, 2, id,
                  "{\"current_process\": \"ok\", \"issue_level\": \"不存在\"}");
}

/* A stale version is a conflict (TS409), also when the ticket has moved on
 * to someone else in the meantime: the caller's copy is out of date, and
 * the client must reload (SPEC §2: "a save or trigger against an older
 * version is refused with a conflict error").  With the current version,
 * a non-assignee gets TS403. */
static void
test_save_stale_after_reassignment (Fixture       *fx,
                                    gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autofree char *version = value (conn, "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);

  g_assert_cmpstr (version, ==, "2");
  /* zhangwei's other window still has version 1. */
  assert_refused (fx, conn, "TS409", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  assert_refused (fx, conn, "TS409", NULL, "SELECT tasksteper.fire($1::bigint, 1, '更新进展')", 1, id);
  /* Up to date, but not the assignee. */
  assert_refused (fx, conn, "TS403", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 2, '{\"current_process\": \"x\"}')", 1, id);
}

/* fire {{{1 */

/* The seed's whole issue_track workflow, walked by three people through
 * the functions, with the history checked row by row. */
static void
test_fire_workflow (Fixture       *fx,
                    gconstpointer  data)
{
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  PGconn *lina = conn_as (fx, fx->lina);
  PGconn *wangfang = conn_as (fx, fx->wangfang);
  const char *zw = fx->zhangwei, *ln = fx->lina, *wf = fx->wangfang;
  const char *fire = "SELECT version FROM tasksteper.fire($1::bigint, $2::int, $3, $4::jsonb)";
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *people = g_strdup_printf ("{\"issue_processor\": \"%s\", \"issue_checker\": \"%s\","
                                             " \"issue_se\": \"%s\", \"current_process\": \"已重启设备，观察中\"}",
                                             zw, ln, wf);
  g_autofree char *id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *version = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *list = NULL;
  g_autofree char *seen = NULL;

  /* zhangwei reports the issue. */
  id = create_ticket_as (fx, zw, "{\"summary\": \"【20240301】北京局点X设备发生宕机问题\","
                                  " \"issue_level\": \"紧急问题\", \"customer_type\": \"电网\"}");
  key = ticket_get (fx, id, "key");
  assert_ticket (fx, id, "1", S_PROCESS, zw, FALSE);
  g_ptr_array_add (expected, g_strdup_printf ("%s | - | - | %s | - | %s | buglist_url,class_1,class_2,class_3,"
                                              "current_process,customer_type,detail,improvement_url,issue_checker,"
                                              "issue_level,issue_processor,issue_se,release_notes,summary", zw, S_PROCESS, zw));
  list = pending (zhangwei);
  g_assert_cmpstr (list, ==, key);

  /* ... names the people and notes the progress ... */
  version = value (zhangwei, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, $2::jsonb)", 2, id, people);
  g_assert_cmpstr (version, ==, "2");
  g_ptr_array_add (expected, g_strdup_printf ("%s | - | %s | %s | %s | %s | current_process,issue_checker,"
                                              "issue_processor,issue_se", zw, S_PROCESS, S_PROCESS, zw, zw));

  /* ... and submits it for review: lina has it now. */
  g_free (version);
  version = value (zhangwei, fire, 4, id, "2", T_SUBMIT, "{}");
  g_assert_cmpstr (version, ==, "3");
  assert_ticket (fx, id, "3", S_REVIEW, ln, FALSE);
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | ", zw, T_SUBMIT, S_PROCESS, S_REVIEW, zw, ln));
  g_free (list);
  list = pending (zhangwei);
  g_assert_cmpstr (list, ==, "");
  g_free (list);
  list = pending (lina);
  g_assert_cmpstr (list, ==, key);
  assert_refused (fx, zhangwei, "TS403", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 3, '{\"current_process\": \"还想改\"}')", 1, id);

  /* lina sends it back for more information, with a note: back to the
   * processor. */
  g_free (version);
  version = value (lina, fire, 4, id, "3", T_RETURN, "{\"current_process\": \"已重启设备，观察中\\n请补充日志\"}");
  g_assert_cmpstr (version, ==, "4");
  assert_ticket (fx, id, "4", S_PROCESS, zw, FALSE);
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | current_process",
                                              ln, T_RETURN, S_REVIEW, S_PROCESS, ln, zw));

  /* zhangwei adds the logs and submits again. */
  g_free (version);
  version = value (zhangwei, fire, 4, id, "4", T_SUBMIT, "{\"current_process\": \"日志已补充\"}");
  g_assert_cmpstr (version, ==, "5");
  assert_ticket (fx, id, "5", S_REVIEW, ln, FALSE);
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | current_process",
                                              zw, T_SUBMIT, S_PROCESS, S_REVIEW, zw, ln));

  /* lina forwards it to the SE. */
  g_free (version);
  version = value (lina, fire, 4, id, "5", T_TO_SE, "{}");
  g_assert_cmpstr (version, ==, "6");
  assert_ticket (fx, id, "6", S_SE, wf, FALSE);
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | ", ln, T_TO_SE, S_REVIEW, S_SE, ln, wf));
  g_free (list);
  list = pending (wangfang);
  g_assert_cmpstr (list, ==, key);

  /* wangfang cannot close it without the improvement link ... */
  assert_refused (fx, wangfang, "TS412", "improvement_url", fire, 4, id, "6", T_CLOSE, "{}");
  assert_refused (fx, wangfang, "TS412", "improvement_url", fire, 4, id, "6", T_CLOSE,
                  "{\"improvement_url\": \"\", \"current_process\": \"不会保存\"}");

  /* ... and closes it with one: final, nobody's pending any more. */
  g_free (version);
  version = value (wangfang, fire, 4, id, "6", T_CLOSE, "{\"improvement_url\": \"" IMPROVEMENT_URL "\"}");
  g_assert_cmpstr (version, ==, "7");
  assert_ticket (fx, id, "7", S_CLOSED, wf, TRUE);
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | improvement_url",
                                              wf, T_CLOSE, S_SE, S_CLOSED, wf, wf));
  g_free (list);
  list = pending (wangfang);
  g_assert_cmpstr (list, ==, "");
  assert_refused (fx, wangfang, "TS410", NULL, fire, 4, id, "7", T_CLOSE, "{}");
  assert_refused (fx, wangfang, "TS410", NULL, fire, 4, id, "7", T_UPDATE, "{}");

  assert_history (fx, id, expected);

  /* The changes, value by value, where it matters. */
  changes = history_changes (fx, id, 2);
  {
    g_autofree char *want = g_strdup_printf ("{\"current_process\": {\"old\": \"\", \"new\": \"已重启设备，观察中\"},"
                                             " \"issue_processor\": {\"old\": \"\", \"new\": \"%s\"},"
                                             " \"issue_checker\": {\"old\": \"\", \"new\": \"%s\"},"
                                             " \"issue_se\": {\"old\": \"\", \"new\": \"%s\"}}", zw, ln, wf);
    assert_json_equal (fx, changes, want);
  }
  g_free (changes);
  changes = history_changes (fx, id, 4);
  assert_json_equal (fx, changes, "{\"current_process\": {\"old\": \"已重启设备，观察中\","
                                  " \"new\": \"已重启设备，观察中\\n请补充日志\"}}");
  g_free (changes);
  changes = history_changes (fx, id, 7);
  assert_json_equal (fx, changes, "{\"improvement_url\": {\"old\": \"\", \"new\": \"" IMPROVEMENT_URL "\"}}");

  /* Times move forward; the ticket's updated_at is its last change's. */
  g_free (seen);
  seen = value (fx->super,
                "SELECT bool_and(at >= prev) AND max(at) = (SELECT updated_at FROM tasksteper.tickets WHERE id = $1::bigint)"
                "  FROM (SELECT at, lag(at, 1, '-infinity') OVER (ORDER BY id) AS prev"
                "          FROM tasksteper.history WHERE ticket_id = $1::bigint) h", 1, id);
  g_assert_cmpstr (seen, ==, "t");

  /* Every member reads the history; nobody else does. */
  g_free (seen);
  seen = value (conn_as (fx, fx->zhaolei), "SELECT count(*) FROM tasksteper.history WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (seen, ==, "7");
  g_free (seen);
  seen = value (conn_as (fx, fx->outsider), "SELECT count(*) FROM tasksteper.history WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (seen, ==, "0");
}

/* A trigger fires only from its source state. */
static void
test_fire_wrong_trigger (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.fire($1::bigint, 1, $2)";
  const char * const wrong[] = { T_CLOSE, T_RETURN, T_TO_SE, "no such trigger", "提交审核 ", "维护代表审核", "" };

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    assert_refused (fx, conn, "TS410", NULL, sql, 2, id, wrong[i]);
  assert_refused (fx, conn, "TS410", NULL, sql, 2, id, NULL);
}

/* `require` fields must be filled: TS428 naming the field. */
static void
test_fire_require (Fixture       *fx,
                   gconstpointer  data)
{
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  g_autofree char *id = create_ticket_as (fx, fx->zhangwei, "{}");
  g_autofree char *fields = NULL;
  g_autofree char *version = NULL;
  const char *sql = "SELECT version FROM tasksteper.fire($1::bigint, $2::int, $3, $4::jsonb)";

  assert_refused (fx, zhangwei, "TS428", "issue_checker", sql, 4, id, "1", T_SUBMIT, "{}");
  assert_refused (fx, zhangwei, "TS428", "issue_checker", sql, 4, id, "1", T_SUBMIT, "{\"issue_checker\": \"\"}");
  assert_refused (fx, zhangwei, "TS428", "issue_checker", sql, 4, id, "1", T_SUBMIT, "{\"issue_checker\": \"  \"}");

  /* 转SE分析改进 requires issue_se. */
  fields = g_strdup_printf ("{\"issue_checker\": \"%s\"}", fx->lina);
  version = value (zhangwei, sql, 4, id, "1", T_SUBMIT, fields);
  g_assert_cmpstr (version, ==, "2");
  assert_refused (fx, conn_as (fx, fx->lina), "TS428", "issue_se", sql, 4, id, "2", T_TO_SE, "{}");
}

/* The server applies assign_to itself, and only to members. */
static void
test_fire_assign_non_member (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *outsider = g_strdup_printf ("{\"issue_checker\": \"%s\"}", fx->outsider);
  g_autofree char *stranger = g_strdup ("{\"issue_checker\": \"no_such_role\"}");
  g_autofree char *version = NULL;
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT version FROM tasksteper.fire($1::bigint, $2::int, $3, $4::jsonb)";

  assert_refused (fx, conn, "TS422", "issue_checker", sql, 4, id, "1", T_SUBMIT, outsider);
  assert_refused (fx, conn, "TS422", "issue_checker", sql, 4, id, "1", T_SUBMIT, stranger);

  /* The checker was a member when chosen, and is not any more. */
  remove_member (fx, "issue_track", fx->lina);
  assert_refused (fx, conn, "TS422", "issue_checker", sql, 4, id, "1", T_SUBMIT, "{}");

  /* A field naming someone since removed does not stop other changes. */
  version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"等待\"}')",
                   1, id);
  g_assert_cmpstr (version, ==, "2");
  assert_ticket (fx, id, "2", S_PROCESS, fx->zhangwei, FALSE);
}

static void
test_fire_refused_users (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  const char *sql = "SELECT tasksteper.fire($1::bigint, 1, '提交审核')";

  assert_refused (fx, conn_as (fx, fx->lina), "TS403", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->zhaolei), "TS403", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->admin), "TS404", NULL, sql, 1, id);
  assert_refused (fx, superuser_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, id);
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL, sql, 1, "999999");
}

static void
test_fire_stale (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT tasksteper.fire($1::bigint, $2::int, '提交审核')";
  g_autofree char *version = NULL;

  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, "0");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, "2");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, NULL);
  version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"新\"}')", 1, id);
  g_assert_cmpstr (version, ==, "2");
  assert_refused (fx, conn, "TS409", NULL, sql, 2, id, "1");
  assert_ticket (fx, id, "2", S_PROCESS, fx->zhangwei, FALSE);
}

/* fire saves the fields and fires in one transaction: a failing fire
 * saves nothing, a successful one saves everything. */
static void
test_fire_atomic (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT version FROM tasksteper.fire($1::bigint, 1, $2, $3::jsonb)";
  g_autofree char *version = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *saved = NULL;

  assert_refused (fx, conn, "TS428", "issue_checker", sql, 3, id, T_SUBMIT,
                  "{\"current_process\": \"不会保存\", \"issue_checker\": \"\"}");
  assert_refused (fx, conn, "TS422", "issue_level", sql, 3, id, T_SUBMIT,
                  "{\"current_process\": \"不会保存\", \"issue_level\": \"不存在\"}");
  assert_refused (fx, conn, "TS410", NULL, sql, 3, id, T_RETURN, "{\"current_process\": \"不会保存\"}");
  assert_refused (fx, conn, "TS428", "summary", sql, 3, id, T_SUBMIT,
                  "{\"current_process\": \"不会保存\", \"summary\": \"\"}");

  version = value (conn, sql, 3, id, T_SUBMIT, "{\"current_process\": \"已提交\"}");
  g_assert_cmpstr (version, ==, "2");
  saved = ticket_field (fx, id, "current_process");
  g_assert_cmpstr (saved, ==, "\"已提交\"");
  g_assert_cmpint (history_rows (fx, id), ==, 2);
  changes = history_changes (fx, id, 2);
  assert_json_equal (fx, changes, "{\"current_process\": {\"old\": \"\", \"new\": \"已提交\"}}");
}

/* trans_action.set writes read-only fields; an empty action keeps the
 * assignee; the ticket is final in a state without transitions. */
static void
test_fire_set_action (Fixture       *fx,
                      gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *approved = NULL;

  import_project (fx, kinds_project);
  add_member (fx, "kinds", fx->zhangwei);
  id = value (conn, "SELECT id FROM tasksteper.create_ticket('kinds', '{\"title\": \"批准我\"}')", 0);

  version = value (conn, "SELECT version FROM tasksteper.fire($1::bigint, 1, '完成', '{\"note\": \"好\"}')", 1, id);
  g_assert_cmpstr (version, ==, "2");
  assert_ticket (fx, id, "2", "完成", fx->zhangwei, TRUE);
  approved = ticket_field (fx, id, "approved_by");
  g_assert_cmpstr (approved, ==, "\"server\"");
  changes = history_changes (fx, id, 2);
  assert_json_equal (fx, changes, "{\"approved_by\": {\"old\": \"\", \"new\": \"server\"},"
                                  " \"note\": {\"old\": \"\", \"new\": \"好\"}}");

  /* The form sends the value back unchanged: fine; changed: refused. */
  g_free (version);
  version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 2, '{\"approved_by\": \"server\"}')", 1, id);
  g_assert_cmpstr (version, ==, "2");
  assert_refused (fx, conn, "TS422", "approved_by",
                  "SELECT tasksteper.save_ticket($1::bigint, 2, '{\"approved_by\": \"me\"}')", 1, id);
}

/* assign_to created_by: the ticket goes back to whoever created it. */
static void
test_fire_assign_created_by (Fixture       *fx,
                             gconstpointer  data)
{
  PGconn *lina = conn_as (fx, fx->lina);
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  const char *sql = "SELECT version FROM tasksteper.fire($1::bigint, $2::int, $3, '{}')";
  g_autofree char *fields = g_strdup_printf ("{\"issue_processor\": \"%s\", \"issue_checker\": \"%s\"}",
                                             fx->zhangwei, fx->lina);
  g_autofree char *id = create_ticket_as (fx, fx->lina, fields);
  g_autofree char *version = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);

  version = value (lina, sql, 3, id, "1", T_SUBMIT);
  g_free (version);
  version = value (lina, sql, 3, id, "2", T_RETURN);
  assert_ticket (fx, id, "3", S_PROCESS, fx->zhangwei, FALSE);
  g_free (version);
  version = value (zhangwei, sql, 3, id, "3", T_UPDATE);
  g_assert_cmpstr (version, ==, "4");
  assert_ticket (fx, id, "4", S_PROCESS, fx->lina, FALSE);

  g_ptr_array_add (expected, g_strdup_printf ("%s | - | - | %s | - | %s | buglist_url,class_1,class_2,class_3,"
                                              "current_process,customer_type,detail,improvement_url,issue_checker,"
                                              "issue_level,issue_processor,issue_se,release_notes,summary", fx->lina, S_PROCESS, fx->lina));
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | ", fx->lina, T_SUBMIT, S_PROCESS, S_REVIEW, fx->lina, fx->lina));
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | ", fx->lina, T_RETURN, S_REVIEW, S_PROCESS, fx->lina, fx->zhangwei));
  g_ptr_array_add (expected, g_strdup_printf ("%s | %s | %s | %s | %s | %s | ", fx->zhangwei, T_UPDATE, S_PROCESS, S_PROCESS, fx->zhangwei, fx->lina));
  assert_history (fx, id, expected);
}

/* Notifications {{{1 */

/* After create, save and fire: one notification each, carrying the id and
 * the new version and nothing else.  The listener is a user outside the
 * project: anyone can LISTEN. */
static void
test_notify_payloads (Fixture       *fx,
                      gconstpointer  data)
{
  PGconn *listener = listen_as (fx, fx->outsider);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autoptr(GPtrArray) payloads = NULL;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;

  id = create_ready_ticket (fx);
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 1);
  assert_payload (g_ptr_array_index (payloads, 0), id, "1");
  g_clear_pointer (&payloads, g_ptr_array_unref);

  version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"秘密\"}')", 1, id);
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 1);
  assert_payload (g_ptr_array_index (payloads, 0), id, "2");
  g_assert_null (strstr (g_ptr_array_index (payloads, 0), "秘密"));
  g_clear_pointer (&payloads, g_ptr_array_unref);

  g_free (version);
  version = value (conn, "SELECT version FROM tasksteper.fire($1::bigint, 2, '提交审核', '{\"current_process\": \"机密\"}')", 1, id);
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 1);
  assert_payload (g_ptr_array_index (payloads, 0), id, "3");
}

/* Nothing is announced for a refused call or a save that changes nothing. */
static void
test_notify_failed (Fixture       *fx,
                    gconstpointer  data)
{
  PGconn *listener = listen_as (fx, fx->outsider);
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autoptr(GPtrArray) payloads = NULL;
  g_autofree char *version = NULL;

  /* The creation's own notification. */
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 1);
  g_clear_pointer (&payloads, g_ptr_array_unref);

  assert_refused (fx, conn, "TS409", NULL, "SELECT tasksteper.save_ticket($1::bigint, 7, '{}')", 1, id);
  assert_refused (fx, conn, "TS410", NULL, "SELECT tasksteper.fire($1::bigint, 1, '问题关闭')", 1, id);
  assert_refused (fx, conn, "TS422", "issue_level",
                  "SELECT tasksteper.fire($1::bigint, 1, '提交审核', '{\"issue_level\": \"x\"}')", 1, id);
  assert_refused (fx, conn_as (fx, fx->lina), "TS403", NULL, "SELECT tasksteper.save_ticket($1::bigint, 1, '{}')", 1, id);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);
  assert_refused (fx, conn, "TS422", "no_such_field", "SELECT tasksteper.create_ticket('issue_track', '{\"no_such_field\": 1}')", 0);
  version = value (conn, "SELECT version FROM tasksteper.save_ticket($1::bigint, 1, '{}')", 1, id);
  g_assert_cmpstr (version, ==, "1");

  payloads = collect_notifications (fx, listener);
  for (guint i = 0; i < payloads->len; i++)
    g_test_message ("unexpected: %s", (char *) g_ptr_array_index (payloads, i));
  g_assert_cmpuint (payloads->len, ==, 0);
}

/* Inside an explicit transaction, the notification waits for COMMIT and
 * disappears with ROLLBACK. */
static void
test_notify_transaction (Fixture       *fx,
                         gconstpointer  data)
{
  PGconn *listener = listen_as (fx, fx->outsider);
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(PGresult) res = NULL;

  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 1);
  g_clear_pointer (&payloads, g_ptr_array_unref);

  run_command (conn, "BEGIN");
  res = run (conn, "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"一\"}')", 1, id);
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 0);
  g_clear_pointer (&payloads, g_ptr_array_unref);
  run_command (conn, "COMMIT");
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 1);
  assert_payload (g_ptr_array_index (payloads, 0), id, "2");
  g_clear_pointer (&payloads, g_ptr_array_unref);

  run_command (conn, "BEGIN");
  g_clear_pointer (&res, PQclear);
  res = run (conn, "SELECT tasksteper.save_ticket($1::bigint, 2, '{\"current_process\": \"二\"}')", 1, id);
  g_clear_pointer (&res, PQclear);
  res = run (conn, "SELECT tasksteper.fire($1::bigint, 3, '提交审核')", 1, id);
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 0);
  g_clear_pointer (&payloads, g_ptr_array_unref);
  run_command (conn, "ROLLBACK");
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 0);
  assert_ticket (fx, id, "2", S_PROCESS, fx->zhangwei, FALSE);
}

/* Security {{{1 */

/* The names of the objects @sql lists, comma-separated ("" for none). */
static char *
list_of (Fixture    *fx,
         const char *sql)
{
  g_autofree char *wrapped = g_strdup_printf ("SELECT coalesce(string_agg(x::text, ', ' ORDER BY x::text), '') FROM (%s) s(x)", sql);

  return value (fx->super, wrapped, 0);
}

/* Every SECURITY DEFINER function pins search_path to pg_catalog, with
 * pg_temp explicitly last (otherwise pg_temp is searched first for tables). */
static void
test_security_definer_search_path (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autofree char *definers = list_of (fx, "SELECT oid::regprocedure FROM pg_proc"
                                           " WHERE pronamespace = 'tasksteper'::regnamespace AND prosecdef");
  g_autofree char *unpinned = list_of (fx, "SELECT oid::regprocedure FROM pg_proc"
                                           " WHERE pronamespace = 'tasksteper'::regnamespace AND prosecdef"
                                           "   AND NOT coalesce(proconfig, '{}') && ARRAY['search_path=pg_catalog, pg_temp',"
                                           "                                              'search_path=pg_catalog,pg_temp']");

  g_test_message ("SECURITY DEFINER: %s", definers);
  g_assert_cmpstr (definers, !=, "");
  g_assert_cmpstr (unpinned, ==, "");
}

/* Nothing in the schema is executable by PUBLIC; users may not call the
 * internals, nor the admin functions. */
static void
test_security_execute (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *public = list_of (fx, "SELECT oid::regprocedure FROM pg_proc"
                                         " WHERE pronamespace = 'tasksteper'::regnamespace"
                                         "   AND has_function_privilege('public', oid, 'EXECUTE')");
  g_autofree char *internal = list_of (fx, "SELECT oid::regprocedure FROM pg_proc"
                                           " WHERE pronamespace = 'tasksteper'::regnamespace"
                                           "   AND proname IN ('apply_patch', 'check_required', 'announce', 'lock_for_change',"
                                           "                   'import_project', 'add_member', 'remove_member', 'set_display_name')"
                                           "   AND has_function_privilege('tasksteper_user', oid, 'EXECUTE')");
  g_autofree char *api = list_of (fx, "SELECT oid::regprocedure FROM pg_proc"
                                      " WHERE pronamespace = 'tasksteper'::regnamespace"
                                      "   AND proname IN ('create_ticket', 'save_ticket', 'fire')"
                                      "   AND has_function_privilege('tasksteper_user', oid, 'EXECUTE')");

  g_assert_cmpstr (public, ==, "");
  g_assert_cmpstr (internal, ==, "");
  g_assert_cmpstr (api, ==, "tasksteper.create_ticket(text,jsonb), tasksteper.fire(bigint,integer,text,jsonb,text),"
                            " tasksteper.save_ticket(bigint,integer,jsonb)");

  /* And a user calling them directly is refused. */
  {
    g_autofree char *id = create_ready_ticket (fx);
    PGconn *conn = conn_as (fx, fx->zhangwei);

    assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.lock_for_change($1::bigint, 1)", 1, id);
    assert_refused (fx, conn, "42501", NULL,
                    "SELECT tasksteper.apply_patch(p, '{}', '{}') FROM tasksteper.projects p", 0);
    assert_refused (fx, conn, "42501", NULL,
                    "SELECT tasksteper.announce(t) FROM tasksteper.tickets t", 0);
  }
}

/* tasksteper_owner owns everything, cannot log in, does not bypass RLS,
 * and no login role is a member of it; RLS is on for every table. */
static void
test_security_ownership (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *owner = value (fx->super,
                                  "SELECT concat_ws(' ', rolcanlogin, rolbypassrls, rolsuper, rolcreaterole)"
                                  "  FROM pg_roles WHERE rolname = 'tasksteper_owner'", 0);
  g_autofree char *groups = list_of (fx, "SELECT rolname FROM pg_roles"
                                         " WHERE rolname IN ('tasksteper_user', 'tasksteper_admin')"
                                         "   AND (rolcanlogin OR rolbypassrls OR rolsuper)");
  g_autofree char *not_owned = list_of (fx, "SELECT oid::regclass FROM pg_class"
                                            " WHERE relnamespace = 'tasksteper'::regnamespace"
                                            "   AND relowner <> 'tasksteper_owner'::regrole");
  g_autofree char *functions_not_owned = list_of (fx, "SELECT oid::regprocedure FROM pg_proc"
                                                      " WHERE pronamespace = 'tasksteper'::regnamespace"
                                                      "   AND proowner <> 'tasksteper_owner'::regrole");
  g_autofree char *schema_owner = value (fx->super, "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'tasksteper'", 0);
  g_autofree char *no_rls = list_of (fx, "SELECT oid::regclass FROM pg_class"
                                         " WHERE relnamespace = 'tasksteper'::regnamespace AND relkind = 'r'"
                                         "   AND NOT relrowsecurity");
  /* Members of tasksteper_owner, directly or through other roles. */
  g_autofree char *owner_logins = list_of (fx, "WITH RECURSIVE m(role) AS ("
                                               "   SELECT member FROM pg_auth_members WHERE roleid = 'tasksteper_owner'::regrole"
                                               "   UNION SELECT a.member FROM pg_auth_members a JOIN m ON a.roleid = m.role)"
                                               " SELECT r.rolname FROM m JOIN pg_roles r ON r.oid = m.role");
  g_autofree char *bypassers = list_of (fx, "SELECT rolname FROM pg_roles WHERE rolbypassrls AND NOT rolsuper");

  g_assert_cmpstr (owner, ==, "f f f f");
  g_assert_cmpstr (groups, ==, "");
  g_assert_cmpstr (not_owned, ==, "");
  g_assert_cmpstr (functions_not_owned, ==, "");
  g_assert_cmpstr (schema_owner, ==, "tasksteper_owner");
  g_assert_cmpstr (no_rls, ==, "");
  g_assert_cmpstr (owner_logins, ==, "");
  g_assert_cmpstr (bypassers, ==, "");
}

/* Users and admins have SELECT on the tables and nothing else; nobody may
 * create in the schema.  A GRANT attempt by a user grants nothing. */
static void
test_security_table_privileges (Fixture       *fx,
                                gconstpointer  data)
{
  const char *sql = "SELECT c.oid::regclass || ' ' || r.name FROM pg_class c,"
                    " (VALUES ('tasksteper_user'), ('tasksteper_admin'), ('public'), ($1)) r(name)"
                    " WHERE c.relnamespace = 'tasksteper'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S')"
                    "   AND (has_table_privilege(r.name, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
                    "        OR has_any_column_privilege(r.name, c.oid, 'INSERT, UPDATE, REFERENCES'))";
  const char *schema_sql = "SELECT r.name FROM (VALUES ('tasksteper_user'), ('tasksteper_admin'), ('public'), ($1)) r(name)"
                           " WHERE has_schema_privilege(r.name, 'tasksteper', 'CREATE')";
  g_autofree char *wrapped = g_strdup_printf ("SELECT coalesce(string_agg(x, ', '), '') FROM (%s) s(x)", sql);
  g_autofree char *schema_wrapped = g_strdup_printf ("SELECT coalesce(string_agg(x, ', '), '') FROM (%s) s(x)", schema_sql);
  g_autofree char *writable = NULL;
  g_autofree char *creatable = NULL;
  g_autoptr(PGresult) res = NULL;

  /* A GRANT by someone without the grant option is only a warning. */
  res = PQexec (conn_as (fx, fx->zhangwei), "GRANT ALL ON ALL TABLES IN SCHEMA tasksteper TO PUBLIC");
  g_clear_pointer (&res, PQclear);
  res = PQexec (conn_as (fx, fx->admin), "GRANT UPDATE ON tasksteper.tickets TO PUBLIC");

  writable = value (fx->super, wrapped, 1, fx->zhangwei);
  creatable = value (fx->super, schema_wrapped, 1, fx->admin);
  g_assert_cmpstr (writable, ==, "");
  g_assert_cmpstr (creatable, ==, "");
}

/* A user's temporary tables and functions named like ours, and a search
 * path that prefers them, change nothing: our functions pin search_path. */
static void
test_security_temp_shadow (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  const char *shadows[] = {
    "CREATE TEMP TABLE tickets (LIKE tasksteper.tickets)",
    "CREATE TEMP TABLE members (project text, member text)",
    "CREATE TEMP TABLE projects (LIKE tasksteper.projects)",
    "INSERT INTO pg_temp.members VALUES ('issue_track', session_user)",
    "CREATE FUNCTION pg_temp.is_member(p_project text, p_who text DEFAULT session_user)"
    " RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE FUNCTION pg_temp.my_projects() RETURNS text[] LANGUAGE sql AS 'SELECT ARRAY[''issue_track'']'",
    "CREATE FUNCTION pg_temp.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS 'SELECT ''null''::text'",
    "CREATE FUNCTION pg_temp.char_length(text) RETURNS int LANGUAGE sql AS 'SELECT 0'",
    "SET search_path = pg_temp, public, pg_catalog",
  };
  const char *users[3];
  g_autofree char *long_summary = NULL;
  g_autofree char *count = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *shadow_count = NULL;

  users[0] = fx->zhangwei;
  users[1] = fx->zhaolei;
  users[2] = fx->outsider;
  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    for (guint i = 0; i < G_N_ELEMENTS (shadows); i++)
      run_command (conn_as (fx, users[u]), shadows[i]);

  /* Outsiders stay outside, non-assignees stay out of it. */
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  assert_refused (fx, conn_as (fx, fx->zhaolei), "TS403", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  count = value (conn_as (fx, fx->outsider), "SELECT count(*) FROM tasksteper.tickets", 0);
  g_assert_cmpstr (count, ==, "0");

  /* Values are still checked with the real functions. */
  long_summary = g_strdup_printf ("{\"summary\": \"%s\"}", "0123456789012345678901234567890123456789012345678901234567890123456789"
                                  "0123456789012345678901234567890123456789012345678901234567890123456789"
                                  "0123456789012345678901234567890123456789012345678901234567890123456789");
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS422", "summary",
                  "SELECT tasksteper.create_ticket('issue_track', $1::jsonb)", 1, long_summary);
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS428", "summary",
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"summary\": \"\"}')", 1, id);

  /* The assignee's calls land in the real tables. */
  new_id = value (conn_as (fx, fx->zhangwei), "SELECT id FROM tasksteper.create_ticket('issue_track', '{\"summary\": \"真\"}')", 0);
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.tickets WHERE id = $1::bigint", new_id), ==, 1);
  shadow_count = value (conn_as (fx, fx->zhangwei), "SELECT count(*) FROM pg_temp.tickets", 0);
  g_assert_cmpstr (shadow_count, ==, "0");
  {
    g_autofree char *version = value (conn_as (fx, fx->zhangwei),
                                      "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
    g_assert_cmpstr (version, ==, "2");
    assert_ticket (fx, id, "2", S_REVIEW, fx->lina, FALSE);
  }
}

/* The same with functions and operators in a schema users may create in
 * (public before PostgreSQL 15, or granted by a careless admin). */
static void
test_security_public_shadow (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  const char *shadows[] = {
    "CREATE FUNCTION public.is_member(p_project text, p_who text DEFAULT session_user)"
    " RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS 'SELECT ''object''::text'",
    "CREATE FUNCTION public.char_length(text) RETURNS int LANGUAGE sql AS 'SELECT 0'",
    "CREATE FUNCTION public.btrim(text, text) RETURNS text LANGUAGE sql AS 'SELECT ''x''::text'",
    "CREATE FUNCTION public.always_false(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT false'",
    "CREATE FUNCTION public.always_true(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.always_false)",
    "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.always_true)",
    "SET search_path = public, pg_catalog",
  };
  g_autofree char *count = NULL;

  run_command (fx->super, "GRANT CREATE ON SCHEMA public TO tasksteper_user");
  for (guint i = 0; i < G_N_ELEMENTS (shadows); i++)
    run_command (conn_as (fx, fx->zhaolei), shadows[i]);
  run_command (conn_as (fx, fx->outsider), "SET search_path = public, pg_catalog");
  run_command (conn_as (fx, fx->zhangwei), "SET search_path = public, pg_catalog");

  /* "assigned_to <> session_user" would be false with the shadow. */
  assert_refused (fx, conn_as (fx, fx->zhaolei), "TS403", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  assert_refused (fx, conn_as (fx, fx->zhaolei), "TS403", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);
  assert_refused (fx, conn_as (fx, fx->outsider), "TS404", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  count = value (conn_as (fx, fx->outsider), "SELECT count(*) FROM tasksteper.tickets", 0);
  g_assert_cmpstr (count, ==, "0");

  /* Checks still use the real functions. */
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS428", "summary",
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"summary\": \"  \"}')", 1, id);
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS422", "no_such_field",
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"no_such_field\": \"x\"}')", 1, id);
  /* is_empty() with the shadowed btrim() would find "" filled in. */
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS428", "issue_checker",
                  "SELECT tasksteper.fire($1::bigint, 1, '提交审核', '{\"issue_checker\": \"\"}')", 1, id);
}

static void
collect_notice (void           *user_data,
                const PGresult *res)
{
  GPtrArray *notices = user_data;

  g_ptr_array_add (notices, g_strdup (PQresultErrorMessage (res)));
}

/* RLS filters before a user's own functions see a row: a leaky function
 * or an error in a WHERE clause reveals nothing of hidden rows. */
static void
test_security_leaky_functions (Fixture       *fx,
                               gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func (g_free);
  PGconn *conn = conn_as (fx, fx->outsider);
  g_autofree char *count = NULL;
  g_autoptr(PGresult) res = NULL;

  PQsetNoticeReceiver (conn, collect_notice, notices);
  run_command (conn, "CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001"
                     " AS $$BEGIN RAISE NOTICE 'leaked: %', $1; RETURN true; END$$");

  count = value (conn, "SELECT count(*) FROM tasksteper.tickets WHERE pg_temp.leak(fields::text)", 0);
  g_assert_cmpstr (count, ==, "0");
  g_free (count);
  count = value (conn, "SELECT count(*) FROM tasksteper.history WHERE pg_temp.leak(changes::text || actor)", 0);
  g_assert_cmpstr (count, ==, "0");
  g_free (count);
  count = value (conn, "SELECT count(*) FROM tasksteper.projects WHERE pg_temp.leak(definition::text)", 0);
  g_assert_cmpstr (count, ==, "0");
  g_free (count);
  count = value (conn, "SELECT count(*) FROM tasksteper.members WHERE pg_temp.leak(member)", 0);
  g_assert_cmpstr (count, ==, "0");
  g_free (count);
  {
    g_autoptr(PGresult) named = run (fx->super, "SELECT tasksteper.set_display_name($1, '张伟')", 1, fx->zhangwei);
  }
  count = value (conn, "SELECT count(*) FROM tasksteper.people WHERE pg_temp.leak(login || display_name)", 0);
  g_assert_cmpstr (count, ==, "0");
  g_free (count);
  count = value (conn, "SELECT count(*) FROM tasksteper.tickets WHERE (fields ->> 'summary')::int = 1", 0);
  g_assert_cmpstr (count, ==, "0");

  /* The planner's statistics (most common values...) are hidden too. */
  run_command (fx->super, "ANALYZE tasksteper.tickets; ANALYZE tasksteper.history; ANALYZE tasksteper.members");
  g_free (count);
  count = value (conn, "SELECT count(*) FROM pg_stats WHERE schemaname = 'tasksteper'", 0);
  g_assert_cmpstr (count, ==, "0");

  for (guint i = 0; i < notices->len; i++)
    g_test_message ("notice: %s", (char *) g_ptr_array_index (notices, i));
  g_assert_cmpuint (notices->len, ==, 0);

  /* Error messages of the functions say nothing about hidden tickets. */
  res = PQexecParams (conn, "SELECT tasksteper.save_ticket($1::bigint, 1, '{}')", 1, NULL,
                      (const char *[]) { id }, NULL, NULL, 0);
  g_assert_null (strstr (PQresultErrorMessage (res), "question_1"));
  g_assert_null (strstr (PQresultErrorMessage (res), fx->zhangwei));
  PQsetNoticeReceiver (conn, NULL, NULL);
}

/* A non-member learns nothing about a project's members either: the
 * members table hides them, and so must every function a user may call. */
static void
test_security_membership_private (Fixture       *fx,
                                  gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->outsider);
  g_autofree char *rows = value (conn, "SELECT count(*) FROM tasksteper.members WHERE member = $1", 1, fx->zhangwei);
  g_autoptr(PGresult) res = NULL;

  g_assert_cmpstr (rows, ==, "0");

  /* tasksteper.is_member(project, who) is granted to every user: it must
   * not answer "true" about a project the caller cannot see (refusing to
   * answer, or answering false, are both fine). */
  res = PQexecParams (conn, "SELECT tasksteper.is_member('issue_track', $1)", 1, NULL,
                      (const char *[]) { fx->zhangwei }, NULL, NULL, 0);
  if (result_ok (res))
    {
      g_test_message ("is_member('issue_track', zhangwei) as an outsider: %s", PQgetvalue (res, 0, 0));
      g_assert_cmpstr (PQgetvalue (res, 0, 0), !=, "t");
    }
  else
    {
      g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "42501");
    }
}

/* Identity is the login (session_user): SET ROLE to the group changes
 * nothing, SET ROLE to another person or to the owner is refused. */
static void
test_security_set_role (Fixture       *fx,
                        gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *zhaolei = conn_as (fx, fx->zhaolei);
  PGconn *outsider = conn_as (fx, fx->outsider);
  g_autofree char *zhangwei = quote_ident (zhaolei, fx->zhangwei);
  g_autofree char *myself = quote_ident (zhaolei, fx->zhaolei);
  g_autofree char *set_role = g_strdup_printf ("SET ROLE %s", zhangwei);
  g_autofree char *set_authorization = g_strdup_printf ("SET SESSION AUTHORIZATION %s", zhangwei);
  g_autofree char *grant = g_strdup_printf ("GRANT %s TO %s", zhangwei, myself);
  g_autofree char *who = NULL;
  g_autofree char *creator = NULL;

  /* Becoming someone else, the owner or an admin: refused. */
  assert_refused (fx, zhaolei, "42501", NULL, set_role, 0);
  assert_refused (fx, zhaolei, "42501", NULL, set_authorization, 0);
  assert_refused (fx, zhaolei, "42501", NULL, grant, 0);
  assert_refused (fx, zhaolei, "42501", NULL, "SET ROLE tasksteper_owner", 0);
  assert_refused (fx, zhaolei, "42501", NULL, "SET ROLE tasksteper_admin", 0);
  assert_refused (fx, zhaolei, "42501", NULL, "SET SESSION AUTHORIZATION postgres", 0);
  assert_refused (fx, zhaolei, "42501", NULL, "ALTER ROLE CURRENT_USER BYPASSRLS", 0);
  assert_refused (fx, zhaolei, "42501", NULL, "ALTER ROLE CURRENT_USER SUPERUSER", 0);
  assert_refused (fx, zhaolei, "42501", NULL, "GRANT tasksteper_admin TO CURRENT_USER", 0);
  assert_refused (fx, zhaolei, "42501", NULL, "GRANT tasksteper_owner TO CURRENT_USER", 0);

  /* The group role: still zhaolei to TaskSteper. */
  run_command (zhaolei, "SET ROLE tasksteper_user");
  who = value (zhaolei, "SELECT session_user || ' ' || current_user", 0);
  {
    g_autofree char *expected = g_strdup_printf ("%s tasksteper_user", fx->zhaolei);
    g_assert_cmpstr (who, ==, expected);
  }
  assert_refused (fx, zhaolei, "TS403", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  creator = value (zhaolei, "SELECT created_by || ' ' || assigned_to FROM tasksteper.create_ticket('issue_track')", 0);
  {
    g_autofree char *expected = g_strdup_printf ("%s %s", fx->zhaolei, fx->zhaolei);
    g_assert_cmpstr (creator, ==, expected);
  }
  {
    g_autofree char *count = value (zhaolei, "SELECT count(*) FROM tasksteper.tickets", 0);
    g_assert_cmpstr (count, ==, "2");
  }
  run_command (outsider, "SET ROLE tasksteper_user");
  {
    g_autofree char *count = value (outsider, "SELECT count(*) FROM tasksteper.tickets", 0);
    g_assert_cmpstr (count, ==, "0");
  }
  assert_refused (fx, outsider, "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);
  run_command (zhaolei, "RESET ROLE");
  run_command (outsider, "RESET ROLE");
}

/* The superuser after SET ROLE to a member is not that member: identity is
 * session_user, so it sees no tickets through RLS and cannot act as the
 * member (it could of course do anything as itself).  SET SESSION
 * AUTHORIZATION does change session_user: that is how the isolation tests
 * become members. */
static void
test_security_superuser_set_role (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *conn = superuser_as (fx, fx->zhangwei);
  g_autofree char *who = value (conn, "SELECT session_user || ' ' || current_user", 0);
  g_autofree char *count = value (conn, "SELECT count(*) FROM tasksteper.tickets", 0);
  g_autofree char *expected = g_strdup_printf ("postgres %s", fx->zhangwei);

  g_assert_cmpstr (who, ==, expected);
  g_assert_cmpstr (count, ==, "0");
  assert_refused (fx, conn, "TS404", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  assert_refused (fx, conn, "TS404", NULL, "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  assert_refused (fx, conn, "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);
  assert_refused (fx, conn, "42501", NULL, "UPDATE tasksteper.tickets SET assigned_to = current_user", 0);

  /* SET SESSION AUTHORIZATION: now it is zhangwei, with zhangwei's rights. */
  {
    PGconn *other = second_conn_as (fx, "postgres");
    g_autofree char *quoted = quote_ident (other, fx->zhangwei);
    g_autofree char *sql = g_strdup_printf ("SET SESSION AUTHORIZATION %s", quoted);
    g_autofree char *session = NULL;
    g_autofree char *version = NULL;
    g_autofree char *actor = NULL;

    run_command (other, sql);
    session = value (other, "SELECT session_user || ' ' || current_user", 0);
    g_free (expected);
    expected = g_strdup_printf ("%s %s", fx->zhangwei, fx->zhangwei);
    g_assert_cmpstr (session, ==, expected);
    assert_refused (fx, other, "42501", NULL, "UPDATE tasksteper.tickets SET assigned_to = current_user", 0);
    version = value (other, "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
    g_assert_cmpstr (version, ==, "2");
    actor = value (fx->super, "SELECT actor FROM tasksteper.history WHERE ticket_id = $1::bigint ORDER BY id DESC LIMIT 1", 1, id);
    g_assert_cmpstr (actor, ==, fx->zhangwei);
  }
}

/* People and display names {{{1 */

static void
set_display_name (Fixture    *fx,
                  const char *login,
                  const char *display_name)
{
  g_autoptr(PGresult) res = run (conn_as (fx, fx->admin), "SELECT tasksteper.set_display_name($1, $2)", 2,
                                 login, display_name);
}

/* The logins of tasksteper.people as @conn sees them. */
static char *
people_seen (PGconn *conn)
{
  return value (conn, "SELECT coalesce(string_agg(login, ',' ORDER BY login), '') FROM tasksteper.people", 0);
}

/* Everyone sees their own name and the names of the people they share a
 * project with; admins see all; a non-member sees nothing of a project's
 * people. */
static void
test_people_visibility (Fixture       *fx,
                        gconstpointer  data)
{
  g_autofree char *id = set_up_two_projects (fx);
  g_autofree char *member_sees = g_strdup_printf ("%s,%s", fx->lina, fx->zhangwei);
  g_autofree char *admin_sees = g_strdup_printf ("%s,%s,%s,%s", fx->admin, fx->lina, fx->outsider, fx->zhangwei);
  g_autofree char *seen = NULL;

  set_display_name (fx, fx->zhangwei, "张伟");
  set_display_name (fx, fx->lina, "李娜");
  set_display_name (fx, fx->outsider, "外人");
  set_display_name (fx, fx->admin, "管理员");

  /* zhaolei has no name of his own, but sees his co-members'. */
  seen = people_seen (conn_as (fx, fx->zhangwei));
  g_assert_cmpstr (seen, ==, member_sees);
  g_free (seen);
  seen = people_seen (conn_as (fx, fx->zhaolei));
  g_assert_cmpstr (seen, ==, member_sees);
  g_free (seen);

  /* Only the outsider's own row: nobody shares "side" with them. */
  seen = people_seen (conn_as (fx, fx->outsider));
  g_assert_cmpstr (seen, ==, fx->outsider);
  g_free (seen);
  seen = value (conn_as (fx, fx->outsider), "SELECT count(*) FROM tasksteper.people WHERE login = $1", 1, fx->zhangwei);
  g_assert_cmpstr (seen, ==, "0");
  g_free (seen);

  seen = people_seen (conn_as (fx, fx->admin));
  g_assert_cmpstr (seen, ==, admin_sees);
  g_free (seen);

  /* Identity is the login: postgres after SET ROLE zhangwei is an admin
   * (a superuser), not zhangwei. */
  seen = people_seen (superuser_as (fx, fx->zhangwei));
  g_assert_cmpstr (seen, ==, admin_sees);
  g_free (seen);

  /* Sharing a project makes the name visible; leaving it hides it again. */
  add_member (fx, "side", fx->zhangwei);
  seen = value (conn_as (fx, fx->outsider), "SELECT display_name FROM tasksteper.people WHERE login = $1", 1, fx->zhangwei);
  g_assert_cmpstr (seen, ==, "张伟");
  g_free (seen);
  remove_member (fx, "side", fx->zhangwei);
  seen = people_seen (conn_as (fx, fx->outsider));
  g_assert_cmpstr (seen, ==, fx->outsider);
}

/* Only admins set names; everyone else is refused whoever they name. */
static void
test_people_set_refused_for_users (Fixture       *fx,
                                   gconstpointer  data)
{
  UserKind kinds[] = { USER_ASSIGNEE, USER_MEMBER, USER_NON_MEMBER, USER_SUPERUSER_AS_MEMBER };

  set_display_name (fx, fx->lina, "李娜");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      PGconn *conn = conn_of_kind (fx, kinds[i]);

      assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.set_display_name(session_user, '我')", 0);
      assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.set_display_name($1, '别人')", 1, fx->lina);
      assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.set_display_name($1, NULL)", 1, fx->lina);
    }
}

static void
test_people_set (Fixture       *fx,
                 gconstpointer  data)
{
  PGconn *admin = conn_as (fx, fx->admin);
  PGconn *listener = listen_as (fx, fx->zhangwei);
  g_autofree char *long_name = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autofree char *name = NULL;
  g_autofree char *who = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *bad[] = {
    " 张伟", "张伟 ", "张伟\u3000", "\u00a0张伟", "张\t伟", "张\n伟", "张\r伟", "张\xc2\x85" "伟",
    "\u202e伟张", "张\u2028伟", "张\u2066伟",
  };

  set_display_name (fx, fx->zhangwei, "张伟");
  name = value (fx->super, "SELECT display_name FROM tasksteper.people WHERE login = $1", 1, fx->zhangwei);
  g_assert_cmpstr (name, ==, "张伟");
  g_clear_pointer (&name, g_free);
  who = value (fx->super, "SELECT updated_by FROM tasksteper.people WHERE login = $1", 1, fx->zhangwei);
  g_assert_cmpstr (who, ==, fx->admin);

  /* Set, changed, set again to the same: one announcement per change. */
  set_display_name (fx, fx->zhangwei, "张大伟");
  set_display_name (fx, fx->zhangwei, "张大伟");
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 2);
  for (guint i = 0; i < payloads->len; i++)
    assert_json_equal (fx, g_ptr_array_index (payloads, i), "{\"people\": true}");
  g_clear_pointer (&payloads, g_ptr_array_unref);

  /* Stored in NFC, whatever form it came in. */
  set_display_name (fx, fx->lina, "Le\u0301a");
  name = value (fx->super, "SELECT display_name = normalize('Léa', NFC) FROM tasksteper.people WHERE login = $1",
                1, fx->lina);
  g_assert_cmpstr (name, ==, "t");
  g_clear_pointer (&name, g_free);

  /* At most 100 characters: 100 CJK characters are fine. */
  for (guint i = 0; i < 100; i++)
    g_string_append (text, "伟");
  set_display_name (fx, fx->wangfang, text->str);
  g_string_append (text, "伟");
  long_name = g_strdup (text->str);
  assert_refused (fx, admin, "TS422", "display_name", "SELECT tasksteper.set_display_name($1, $2)", 2,
                  fx->wangfang, long_name);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *problem = value (admin, "SELECT tasksteper.check_display_name($1)", 1, bad[i]);

      g_test_message ("“%s”: %s", bad[i], problem);
      g_assert_nonnull (problem);
      assert_refused (fx, admin, "TS422", "display_name", "SELECT tasksteper.set_display_name($1, $2)", 2,
                      fx->zhaolei, bad[i]);
    }
  {
    g_autofree char *fine = value (conn_as (fx, fx->zhaolei), "SELECT tasksteper.check_display_name('赵磊')", 0);
    g_assert_null (fine);
  }

  /* Only TaskSteper users have names. */
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.set_display_name('no_such_role', 'x')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.set_display_name('tasksteper_owner', 'x')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.set_display_name('tasksteper_user', 'x')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.set_display_name('postgres', 'x')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.set_display_name(NULL, 'x')", 0);

  /* NULL and '' clear; clearing twice is fine. */
  set_display_name (fx, fx->zhangwei, NULL);
  set_display_name (fx, fx->lina, "");
  set_display_name (fx, fx->lina, "");
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.people", NULL), ==, 1);

  /* The name of a role that is gone can still be cleared. */
  {
    g_autofree char *gone = g_strdup_printf ("%s_gone", fx->db);
    g_autofree char *drop = g_strdup_printf ("DROP ROLE %s", gone);

    create_role (fx, gone, "tasksteper_user");
    set_display_name (fx, gone, "走了");
    run_command (fx->super, drop);
    set_display_name (fx, gone, NULL);
    g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.people", NULL), ==, 1);
  }

  /* The table refuses what the function would: even the superuser. */
  {
    g_autoptr(PGresult) res = PQexecParams (fx->super, "INSERT INTO tasksteper.people (login, display_name) VALUES ('x', $1)",
                                            1, NULL, (const char *[]) { " x" }, NULL, NULL, 0);
    g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "23514");
  }
}

/* The members of a project with their names, for a member, an admin and
 * a non-member. */
static void
test_people_project_members (Fixture       *fx,
                             gconstpointer  data)
{
  const char *sql = "SELECT string_agg(login || '=' || coalesce(display_name, '-'), ',' ORDER BY n)"
                    "  FROM tasksteper.project_members('issue_track') WITH ORDINALITY AS m(login, display_name, n)";
  g_autofree char *expected = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *count = NULL;

  /* Names sort before the bare logins here ('a' and 'z' < the prefix
   * "test_", by design of the names). */
  set_display_name (fx, fx->lina, "zz 李娜");
  set_display_name (fx, fx->zhangwei, "aa 张伟");
  set_display_name (fx, fx->outsider, "外人");

  expected = g_strdup_printf ("%s=aa 张伟,%s=-,%s=-,%s=zz 李娜",
                              fx->zhangwei, fx->wangfang, fx->zhaolei, fx->lina);
  seen = value (conn_as (fx, fx->zhaolei), sql, 0);
  g_assert_cmpstr (seen, ==, expected);
  g_free (seen);
  seen = value (conn_as (fx, fx->admin), sql, 0);
  g_assert_cmpstr (seen, ==, expected);

  count = value (conn_as (fx, fx->outsider), "SELECT count(*) FROM tasksteper.project_members('issue_track')", 0);
  g_assert_cmpstr (count, ==, "0");
  g_free (count);
  count = value (conn_as (fx, fx->zhangwei), "SELECT count(*) FROM tasksteper.project_members('no_such_project')", 0);
  g_assert_cmpstr (count, ==, "0");
}

/* Open tickets assigned to me, in every project I am in. */
static void
test_people_my_tickets (Fixture       *fx,
                        gconstpointer  data)
{
  const char *sql = "SELECT coalesce(string_agg(project || '/' || number, ',' ORDER BY ordinality), '')"
                    "  FROM tasksteper.my_tickets() WITH ORDINALITY";
  g_autofree char *first = create_ready_ticket (fx);
  g_autofree char *second = create_ready_ticket (fx);
  g_autofree char *third = create_ready_ticket (fx);
  g_autofree char *side_open = NULL;
  g_autofree char *side_closed = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *columns = NULL;
  g_autoptr(PGresult) res = NULL;

  import_project (fx, side_project);
  add_member (fx, "side", fx->zhangwei);
  add_member (fx, "side", fx->outsider);
  side_open = value (conn_as (fx, fx->zhangwei), "SELECT id FROM tasksteper.create_ticket('side')", 0);
  side_closed = value (conn_as (fx, fx->zhangwei), "SELECT id FROM tasksteper.create_ticket('side')", 0);
  res = run (conn_as (fx, fx->zhangwei), "SELECT tasksteper.fire($1::bigint, 1, 'close')", 1, side_closed);
  g_clear_pointer (&res, PQclear);
  /* The third goes to lina. */
  res = run (conn_as (fx, fx->zhangwei), "SELECT tasksteper.fire($1::bigint, 1, $2)", 2, third, T_SUBMIT);
  g_clear_pointer (&res, PQclear);
  {
    g_autofree char *outsiders = value (conn_as (fx, fx->outsider), "SELECT id FROM tasksteper.create_ticket('side')", 0);
  }

  /* By project, newest number first; not the closed one nor lina's. */
  seen = value (conn_as (fx, fx->zhangwei), sql, 0);
  g_assert_cmpstr (seen, ==, "issue_track/2,issue_track/1,side/1");
  g_free (seen);
  seen = value (conn_as (fx, fx->lina), sql, 0);
  g_assert_cmpstr (seen, ==, "issue_track/3");
  g_free (seen);
  seen = value (conn_as (fx, fx->outsider), sql, 0);
  g_assert_cmpstr (seen, ==, "side/3");
  g_free (seen);
  /* Members without tickets, admins and postgres as zhangwei have none. */
  seen = value (conn_as (fx, fx->zhaolei), sql, 0);
  g_assert_cmpstr (seen, ==, "");
  g_free (seen);
  seen = value (conn_as (fx, fx->admin), sql, 0);
  g_assert_cmpstr (seen, ==, "");
  g_free (seen);
  seen = value (superuser_as (fx, fx->zhangwei), sql, 0);
  g_assert_cmpstr (seen, ==, "");
  g_free (seen);

  /* Rows shaped like tasksteper.tickets, as they are stored. */
  columns = value (conn_as (fx, fx->zhangwei),
                   "SELECT to_jsonb(t)::text FROM tasksteper.my_tickets() t WHERE id = $1::bigint", 1, first);
  expected = value (fx->super, "SELECT to_jsonb(t)::text FROM tasksteper.tickets t WHERE id = $1::bigint", 1, first);
  assert_json_equal (fx, columns, expected);

  /* Out of a project, its tickets are no longer mine to see (the open one
   * goes to outsider: since version 8 nobody leaves holding one). */
  res = run (fx->super, "SELECT tasksteper.remove_member('side', $1, $2)", 2, fx->zhangwei, fx->outsider);
  g_clear_pointer (&res, PQclear);
  seen = value (conn_as (fx, fx->zhangwei), sql, 0);
  g_assert_cmpstr (seen, ==, "issue_track/2,issue_track/1");
  (void) second;
  (void) side_open;
}

/* Admin functions {{{1 */

static void
test_admin_refused_for_users (Fixture       *fx,
                              gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  UserKind kinds[] = { USER_ASSIGNEE, USER_MEMBER, USER_NON_MEMBER, USER_SUPERUSER_AS_MEMBER };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      PGconn *conn = conn_of_kind (fx, kinds[i]);

      assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.import_project($1::jsonb)", 1, side_project);
      assert_refused (fx, conn, "42501", NULL,
                      "SELECT tasksteper.import_project(definition, '{}') FROM tasksteper.projects WHERE name = 'issue_track'", 0);
      assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.add_member('issue_track', $1)", 1, fx->outsider);
      assert_refused (fx, conn, "42501", NULL, "SELECT tasksteper.remove_member('issue_track', $1)", 1, fx->lina);
    }
}

static void
test_admin_works (Fixture       *fx,
                  gconstpointer  data)
{
  PGconn *admin = conn_as (fx, fx->admin);
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *imported = NULL;
  g_autofree char *held = NULL;
  g_autofree char *side_id = NULL;
  g_autoptr(PGresult) res = NULL;

  imported = value (admin, "SELECT name || ' ' || revision || ' ' || key_prefix FROM tasksteper.import_project($1::jsonb)",
                    1, side_project);
  g_assert_cmpstr (imported, ==, "side 1 side");

  res = run (admin, "SELECT tasksteper.add_member('side', $1)", 1, fx->outsider);
  side_id = value (conn_as (fx, fx->outsider), "SELECT id FROM tasksteper.create_ticket('side')", 0);
  g_assert_nonnull (side_id);
  /* Adding twice is fine. */
  g_clear_pointer (&res, PQclear);
  res = run (admin, "SELECT tasksteper.add_member('side', $1)", 1, fx->outsider);

  /* Since version 8 removing is refused while they hold open tickets,
   * unless someone takes them over; it returns how many moved. */
  assert_refused (fx, admin, "TS425", NULL, "SELECT tasksteper.remove_member('issue_track', $1)", 1, fx->zhangwei);
  held = value (admin, "SELECT tasksteper.remove_member('issue_track', $1, $2)", 2, fx->zhangwei, fx->lina);
  g_assert_cmpstr (held, ==, "1");
  {
    g_autofree char *count = value (conn_as (fx, fx->zhangwei), "SELECT count(*) FROM tasksteper.tickets", 0);
    g_assert_cmpstr (count, ==, "0");
  }
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  assert_refused (fx, conn_as (fx, fx->zhangwei), "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);

  /* Who may be added: TaskSteper users that can log in, to projects that
   * exist. */
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.add_member('no_such_project', $1)", 1, fx->outsider);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.add_member('issue_track', 'no_such_role')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.add_member('issue_track', 'tasksteper_owner')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.add_member('issue_track', 'tasksteper_user')", 0);
  /* A superuser is implicitly in every group, but not a TaskSteper user. */
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.add_member('issue_track', 'postgres')", 0);
  assert_refused (fx, admin, "TS404", NULL, "SELECT tasksteper.remove_member('issue_track', $1)", 1, fx->outsider);

  /* Admins still cannot write tables directly. */
  assert_refused (fx, admin, "42501", NULL, "INSERT INTO tasksteper.members VALUES ('issue_track', session_user)", 0);
}

/* Waits at most @timeout_ms for the query sent on @conn; NULL if it is
 * still running (blocked). */
static PGresult *
wait_result (PGconn *conn,
             int     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;)
    {
      struct pollfd pfd = { PQsocket (conn), POLLIN, 0 };

      g_assert_cmpint (PQconsumeInput (conn), ==, 1);
      if (!PQisBusy (conn))
        return PQgetResult (conn);
      if (g_get_monotonic_time () >= deadline)
        return NULL;
      poll (&pfd, 1, 50);
    }
}

static void
drain_results (PGconn *conn)
{
  PGresult *res;

  while ((res = PQgetResult (conn)) != NULL)
    PQclear (res);
}

/* An admin removes lina while zhangwei's 提交审核 to her is in flight.
 * remove_member() reports the open tickets the person still holds, so the
 * admin can deal with them; it must not report 0 and leave lina holding a
 * ticket of a project she is no longer in (nobody could then change it).
 * Either the removal waits for the trigger and counts its ticket, or one
 * of the two fails. */
static void
test_admin_remove_member_race (Fixture       *fx,
                               gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  PGconn *admin = conn_as (fx, fx->admin);
  const char *params[] = { fx->lina };
  g_autoptr(PGresult) fired = NULL;
  g_autoptr(PGresult) removed = NULL;
  g_autofree char *stranded = NULL;
  gboolean blocked;

  run_command (zhangwei, "BEGIN");
  fired = run (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);

  g_assert_cmpint (PQsendQueryParams (admin, "SELECT tasksteper.remove_member('issue_track', $1)",
                                      1, NULL, params, NULL, NULL, 0), ==, 1);
  removed = wait_result (admin, 1000);
  blocked = removed == NULL;
  g_test_message ("remove_member %s while the trigger was in flight", blocked ? "waited" : "did not wait");

  run_command (zhangwei, "COMMIT");
  if (removed == NULL)
    removed = wait_result (admin, 10000);
  g_assert_nonnull (removed);
  drain_results (admin);

  if (result_ok (removed))
    {
      g_test_message ("remove_member reported %s open tickets", PQgetvalue (removed, 0, 0));
      stranded = value (fx->super,
                        "SELECT count(*) FROM tasksteper.tickets t"
                        " WHERE NOT is_final AND NOT EXISTS (SELECT 1 FROM tasksteper.members m"
                        "                                     WHERE m.project = t.project AND m.member = t.assigned_to)",
                        0);
      /* Held tickets must be reported. */
      g_assert_cmpstr (PQgetvalue (removed, 0, 0), ==, stranded);
    }
}

/* Re-importing keeps every ticket; a removed state that tickets are in is
 * refused unless mapped. */
static void
test_admin_reimport (Fixture       *fx,
                     gconstpointer  data)
{
  PGconn *admin = conn_as (fx, fx->admin);
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *changed = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *field = NULL;
  g_autofree char *version = NULL;

  version = value (conn_as (fx, fx->zhangwei), "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  g_assert_cmpstr (version, ==, "2");

  /* A new field; 维护代表审核 renamed to 审核. */
  changed = value (fx->super,
                   "SELECT jsonb_set(jsonb_set(d, '{fields}', (d -> 'fields') || '[{\"name\": \"region\", \"label\": \"区域\","
                   "                   \"type\": \"string\", \"default\": \"华北\"}]'),"
                   "                 '{states,1}', '\"审核\"')::text"
                   "  FROM (SELECT replace(definition::text, '维护代表审核', '审核')::jsonb AS d"
                   "          FROM tasksteper.projects WHERE name = 'issue_track') p", 0);

  assert_refused (fx, admin, "TS424", NULL, "SELECT tasksteper.import_project($1::jsonb)", 1, changed);
  assert_refused (fx, admin, "TS422", NULL, "SELECT tasksteper.import_project($1::jsonb, '{\"维护代表审核\": \"没有\"}')", 1, changed);

  revision = value (admin, "SELECT revision FROM tasksteper.import_project($1::jsonb, '{\"维护代表审核\": \"审核\"}')",
                    1, changed);
  g_assert_cmpstr (revision, ==, "2");
  assert_ticket (fx, id, "3", "审核", fx->lina, FALSE);
  field = ticket_field (fx, id, "region");
  g_assert_cmpstr (field, ==, "\"华北\"");
  g_free (field);
  field = ticket_field (fx, id, "summary");
  g_assert_cmpstr (field, ==, "\"【20240301】北京局点X设备发生宕机问题\"");
  {
    g_autofree char *row = value (fx->super,
                                  "SELECT concat_ws(' | ', actor, coalesce(trigger, '-'), from_state, to_state)"
                                  "  FROM tasksteper.history WHERE ticket_id = $1::bigint ORDER BY id DESC LIMIT 1", 1, id);
    g_autofree char *expected = g_strdup_printf ("%s | - | 维护代表审核 | 审核", fx->admin);
    g_assert_cmpstr (row, ==, expected);
  }
  /* And the workflow goes on from the new state. */
  g_free (version);
  version = value (conn_as (fx, fx->lina), "SELECT version FROM tasksteper.fire($1::bigint, 3, '转SE分析改进')", 1, id);
  g_assert_cmpstr (version, ==, "4");
}

/* Hardening (version 3) {{{1 */

/* Sends @sql with @n_params text parameters on @conn without waiting. */
static void
send_query (PGconn     *conn,
            const char *sql,
            int         n_params,
            const char *param)
{
  const char *params[] = { param };

  g_assert_cmpint (PQsendQueryParams (conn, sql, n_params, NULL, params, NULL, NULL, 0), ==, 1);
}

/* The SQLSTATE of @res, or "OK". */
static const char *
outcome_code (const PGresult *res)
{
  return result_ok (res) ? "OK" : PQresultErrorField (res, PG_DIAG_SQLSTATE);
}

/* A member who keeps a creation open (in a transaction, or in a statement
 * that goes on sleeping) stalls nobody else's creation, nor an admin's
 * member add; an import, which must see every ticket, gives up after its
 * lock timeout with TS503, and works once the creation is committed.
 * Numbers stay unique. */
static void
test_harden_create_held (Fixture       *fx,
                         gconstpointer  data)
{
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  PGconn *lina = conn_as (fx, fx->lina);
  PGconn *admin = conn_as (fx, fx->admin);
  PGconn *sleeper = second_conn_as (fx, fx->zhangwei);
  g_autofree char *definition = value (fx->super, "SELECT definition::text FROM tasksteper.projects WHERE name = 'issue_track'", 0);
  g_autofree char *numbers = NULL;
  g_autoptr(PGresult) held = NULL;
  g_autoptr(PGresult) res = NULL;
  gint64 begin;
  double seconds;

  run_command (zhangwei, "BEGIN");
  held = run (zhangwei, "SELECT number FROM tasksteper.create_ticket('issue_track')", 0);
  g_assert_cmpstr (PQgetvalue (held, 0, 0), ==, "1");

  /* Another member's creation does not wait. */
  begin = g_get_monotonic_time ();
  send_query (lina, "SELECT number FROM tasksteper.create_ticket('issue_track')", 0, NULL);
  res = wait_result (lina, 1000);
  seconds = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
  g_test_message ("create_ticket beside an open creation: %.3f s", seconds);
  g_assert_nonnull (res);
  if (res == NULL)
    return;  /* it waited: the rest would wait too */
  g_assert_cmpstr (outcome_code (res), ==, "OK");
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "2");
  g_clear_pointer (&res, PQclear);
  drain_results (lina);

  /* Nor an admin adding a member. */
  begin = g_get_monotonic_time ();
  send_query (admin, "SELECT tasksteper.add_member('issue_track', $1)", 1, fx->outsider);
  res = wait_result (admin, 1000);
  g_test_message ("add_member beside an open creation: %.3f s",
                  (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
  g_assert_nonnull (res);
  if (res == NULL)
    return;  /* it waited: the rest would wait too */
  g_assert_cmpstr (outcome_code (res), ==, "OK");
  g_clear_pointer (&res, PQclear);
  drain_results (admin);

  /* An import waits a bounded time, then says "busy". */
  begin = g_get_monotonic_time ();
  send_query (admin, "SELECT revision FROM tasksteper.import_project($1::jsonb)", 1, definition);
  res = wait_result (admin, 10000);
  seconds = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
  g_test_message ("import_project beside an open creation: %s after %.3f s", outcome_code (res), seconds);
  g_assert_nonnull (res);
  if (res == NULL)
    return;
  g_assert_cmpstr (outcome_code (res), ==, "TS503");
  g_assert_nonnull (strstr (PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY), "try again"));
  g_assert_cmpfloat (seconds, <, 6.0);
  g_clear_pointer (&res, PQclear);
  drain_results (admin);

  run_command (zhangwei, "COMMIT");
  res = run (admin, "SELECT revision FROM tasksteper.import_project($1::jsonb)", 1, definition);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "2");
  g_clear_pointer (&res, PQclear);

  /* The same with one statement that creates and then sleeps. */
  send_query (sleeper, "SELECT t.number, pg_sleep(4) FROM tasksteper.create_ticket('issue_track') t", 0, NULL);
  g_assert_null (wait_result (sleeper, 300));
  begin = g_get_monotonic_time ();
  send_query (lina, "SELECT number FROM tasksteper.create_ticket('issue_track')", 0, NULL);
  res = wait_result (lina, 1000);
  g_test_message ("create_ticket beside a sleeping creation: %.3f s",
                  (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);
  g_assert_nonnull (res);
  if (res == NULL)
    return;  /* it waited: the rest would wait too */
  g_assert_cmpstr (outcome_code (res), ==, "OK");
  g_clear_pointer (&res, PQclear);
  drain_results (lina);
  res = wait_result (sleeper, 10000);
  g_assert_nonnull (res);
  if (res == NULL)
    return;  /* it waited: the rest would wait too */
  g_assert_cmpstr (outcome_code (res), ==, "OK");
  g_clear_pointer (&res, PQclear);
  drain_results (sleeper);

  numbers = value (fx->super, "SELECT string_agg(number::text, ',' ORDER BY number) FROM tasksteper.tickets", 0);
  g_test_message ("numbers: %s", numbers);
  g_assert_cmpint (count_rows (fx, "SELECT count(DISTINCT number) - count(*) FROM tasksteper.tickets", NULL), ==, 0);
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.tickets", NULL), ==, 4);
}

/* While an admin holds the project (a re-import in progress), a save or a
 * trigger waits at most its lock timeout and then says TS503, changing
 * nothing. */
static void
test_harden_busy (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *holder = second_conn_as (fx, "postgres");
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  gint64 begin;
  double seconds;

  run_command (holder, "BEGIN");
  run_command (holder, "SELECT 1 FROM tasksteper.projects WHERE name = 'issue_track' FOR UPDATE");

  begin = g_get_monotonic_time ();
  assert_refused (fx, zhangwei, "TS503", NULL,
                  "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  seconds = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
  g_test_message ("fire beside a held project: TS503 after %.3f s", seconds);
  g_assert_cmpfloat (seconds, <, 4.0);
  assert_refused (fx, zhangwei, "TS503", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')", 1, id);
  assert_refused (fx, zhangwei, "TS503", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);

  run_command (holder, "COMMIT");
  {
    g_autofree char *version = value (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
    g_assert_cmpstr (version, ==, "2");
  }
}

/* While someone else's change of the ticket is in flight (the row held),
 * a save or a trigger waits at most its lock timeout and then says TS503,
 * changing nothing (since version 12 the lock is first asked for without
 * waiting, and only then waited for).  Once that change is committed, the
 * waiting caller's version is stale; on the new version it works. */
static void
test_harden_ticket_held (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *holder = second_conn_as (fx, "postgres");
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  g_autoptr(PGresult) res = NULL;
  g_autofree char *version = NULL;
  gint64 begin;
  double seconds;
  const char *params[] = { id };

  run_command (holder, "BEGIN");
  res = run (holder, "UPDATE tasksteper.tickets SET version = version + 1,"
             " fields = fields || '{\"current_process\": \"held\"}' WHERE id = $1::bigint", 1, id);
  g_clear_pointer (&res, PQclear);

  begin = g_get_monotonic_time ();
  assert_refused (fx, zhangwei, "TS503", NULL,
                  "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  seconds = (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC;
  g_test_message ("fire beside a held ticket: TS503 after %.3f s", seconds);
  res = PQexecParams (zhangwei, "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"x\"}')",
                      1, NULL, params, NULL, NULL, 0);
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "TS503");
  g_assert_nonnull (strstr (PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL), "\"ts\": \"busy\""));
  g_assert_nonnull (strstr (PQresultErrorField (res, PG_DIAG_MESSAGE_HINT), "Nothing was changed"));
  g_clear_pointer (&res, PQclear);

  run_command (holder, "COMMIT");
  assert_refused (fx, zhangwei, "TS409", NULL,
                  "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  version = value (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 2, '提交审核')", 1, id);
  g_assert_cmpstr (version, ==, "3");
}

/* Sleeping after BEGIN does not date a change earlier: history.at,
 * created_at and updated_at are the time of the change, and history's
 * times follow its order. */
static void
test_harden_backdating (Fixture       *fx,
                        gconstpointer  data)
{
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  PGconn *owner = superuser_as (fx, "tasksteper_owner");
  g_autofree char *fields = g_strdup_printf ("{\"issue_processor\": \"%s\", \"issue_checker\": \"%s\", \"issue_se\": \"%s\"}",
                                             fx->zhangwei, fx->lina, fx->wangfang);
  g_autofree char *id = NULL;
  g_autofree char *late = NULL;
  g_autofree char *ordered = NULL;
  g_autoptr(PGresult) res = NULL;

  run_command (zhangwei, "BEGIN");
  run_command (zhangwei, "SELECT pg_sleep(1.2)");
  id = value (zhangwei, "SELECT id FROM tasksteper.create_ticket('issue_track', $1::jsonb)", 1, fields);
  run_command (zhangwei, "SELECT pg_sleep(1.2)");
  res = run (zhangwei, "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"current_process\": \"查看日志\"}')", 1, id);
  g_clear_pointer (&res, PQclear);
  run_command (zhangwei, "SELECT pg_sleep(1.2)");
  res = run (zhangwei, "SELECT tasksteper.fire($1::bigint, 2, '提交审核')", 1, id);
  g_clear_pointer (&res, PQclear);
  /* Seen from inside the transaction, whose now() is its start. */
  late = value (zhangwei,
                "SELECT string_agg((at - now() >= interval '1.1 s' * row_number)::text, ',' ORDER BY id)"
                "  FROM (SELECT id, at, row_number() OVER (ORDER BY id) FROM tasksteper.history"
                "         WHERE ticket_id = $1::bigint) h", 1, id);
  g_assert_cmpstr (late, ==, "true,true,true");
  run_command (zhangwei, "COMMIT");

  /* The ticket's times are its first and last history rows'. */
  ordered = value (fx->super,
                   "SELECT bool_and(h.at >= h.prev)"
                   "       AND min(h.at) = (SELECT created_at FROM tasksteper.tickets WHERE id = $1::bigint)"
                   "       AND max(h.at) = (SELECT updated_at FROM tasksteper.tickets WHERE id = $1::bigint)"
                   "       AND (SELECT updated_at - created_at >= interval '2.2 s' FROM tasksteper.tickets"
                   "             WHERE id = $1::bigint)"
                   "  FROM (SELECT at, lag(at, 1, '-infinity') OVER (ORDER BY id) AS prev"
                   "          FROM tasksteper.history WHERE ticket_id = $1::bigint) h", 1, id);
  g_assert_cmpstr (ordered, ==, "t");

  /* Not even the owner writes an earlier time into history. */
  res = run (owner,
             "INSERT INTO tasksteper.history (ticket_id, project, at, actor, to_state, to_assignee)"
             " VALUES ($1::bigint, 'issue_track', now() - interval '1 year', 'owner', '维护人员处理', 'owner')"
             " RETURNING at > now() - interval '1 minute'", 1, id);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "t");
}

/* Definitions sent straight to import_project(), as tasksteper-admin
 * would never send them: each is refused with TS422, the DETAIL naming
 * the problem, and nothing changes.  @sql makes the definition from
 * issue_track's, $1. */
typedef struct
{
  const char *what;
  const char *sql;
  const char *detail;
} HostileDefinition;

static const HostileDefinition hostile_definitions[] = {
  { "transition to an undeclared state",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,dest}', '\"nowhere\"')",
    "$.transitions[0].dest: must be one of the states, not nowhere" },
  { "transition from an undeclared state",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,source}', '\"nowhere\"')",
    "$.transitions[0].source: unknown state “nowhere”" },
  { "a field named like a system field",
    "SELECT jsonb_set($1::jsonb, '{fields,1,name}', '\"assigned_to\"')",
    "$.fields[1].name: “assigned_to” is a system field" },
  { "a field named state",
    "SELECT jsonb_set($1::jsonb, '{fields,1,name}', '\"state\"')",
    "$.fields[1].name: “state” is a system field" },
  { "a field name that is no identifier",
    "SELECT jsonb_set($1::jsonb, '{fields,1,name}', '\"a-b\"')",
    "$.fields[1].name: must be lower-case" },
  { "two fields of one name",
    "SELECT jsonb_set($1::jsonb, '{fields,1,name}', $1::jsonb #> '{fields,0,name}')",
    "$.fields[1].name: the field name “summary” is used twice" },
  { "an unknown field type",
    "SELECT jsonb_set($1::jsonb, '{fields,0,type}', '\"evil\"')",
    "$.fields[0].type: must be one of" },
  { "a choice field without choices",
    "SELECT jsonb_set($1::jsonb, '{fields}', ($1::jsonb -> 'fields') || '[{\"name\": \"c\", \"type\": \"choice\"}]')",
    ".choices: must be a list" },
  { "a default the field refuses",
    "SELECT jsonb_set($1::jsonb, '{fields,0,default}', to_jsonb(repeat('x', 300)))",
    "$.fields[0].default:" },
  { "an integer field with a text minimum",
    "SELECT jsonb_set($1::jsonb, '{fields}', ($1::jsonb -> 'fields') || '[{\"name\": \"n\", \"type\": \"integer\", \"min\": \"x\"}]')",
    "“min” and “max” must be whole numbers" },
  { "set writes an unknown key",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"set\": {\"no_such_field\": \"x\"}}')",
    "$.transitions[0].trans_action.set.no_such_field: not a field of the project" },
  { "set writes a system field",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"set\": {\"assigned_to\": \"x\"}}')",
    "$.transitions[0].trans_action.set.assigned_to: not a field of the project" },
  { "set writes a nested object",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"set\": {\"summary\": {\"a\": [1]}}}')",
    "$.transitions[0].trans_action.set.summary: must be a single value" },
  { "set writes a value the field refuses",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"set\": {\"issue_level\": \"没有这个级别\"}}')",
    "$.transitions[0].trans_action.set.issue_level:" },
  { "assign_to a text field",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"assign_to\": \"summary\"}')",
    "$.transitions[0].trans_action.assign_to: must be “created_by” or the name of a user field" },
  { "assign_to a system field",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"assign_to\": \"state\"}')",
    "$.transitions[0].trans_action.assign_to:" },
  { "an unknown action",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_action}', '{\"drop\": true}')",
    "$.transitions[0].trans_action.drop: unknown action" },
  { "a condition on an unknown field with a nested test",
    "SELECT jsonb_set($1::jsonb, '{transitions,0,trans_condition}', '{\"summary\": {\"evil\": 1}}')",
    "$.transitions[0].trans_condition.summary: must be a value" },
  { "a state that is not a string",
    "SELECT jsonb_set($1::jsonb, '{states,0}', '1')",
    "$.states[0]: a state must be a string" },
  { "a state listed twice",
    "SELECT jsonb_set($1::jsonb, '{states,1}', $1::jsonb #> '{states,0}')",
    "is listed twice" },
  { "a trigger defined twice from one state",
    "SELECT jsonb_set($1::jsonb, '{transitions}', ($1::jsonb -> 'transitions') || jsonb_build_array($1::jsonb #> '{transitions,0}'))",
    "is defined twice" },
  { "a new project with an undeclared state",
    "SELECT jsonb_set(jsonb_set($1::jsonb, '{name}', '\"evil\"'), '{transitions,0,dest}', '\"nowhere\"')",
    "$.transitions[0].dest:" },
};

static void
test_harden_hostile_definitions (Fixture       *fx,
                                 gconstpointer  data)
{
  PGconn *admin = conn_as (fx, fx->admin);
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *definition = value (fx->super, "SELECT definition::text FROM tasksteper.projects WHERE name = 'issue_track'", 0);
  g_autofree char *problems = NULL;

  /* What import accepts, check_definition() finds nothing in. */
  problems = value (admin, "SELECT cardinality(tasksteper.check_definition($1::jsonb))", 1, definition);
  g_assert_cmpstr (problems, ==, "0");

  for (guint i = 0; i < G_N_ELEMENTS (hostile_definitions); i++)
    {
      const HostileDefinition *hostile = &hostile_definitions[i];
      g_autofree char *bad = value (fx->super, hostile->sql, 1, definition);
      g_autoptr(PGresult) res = NULL;
      const char *detail;

      g_test_message ("%s", hostile->what);
      assert_refused (fx, admin, "TS422", NULL, "SELECT tasksteper.import_project($1::jsonb)", 1, bad);
      res = PQexecParams (admin, "SELECT tasksteper.import_project($1::jsonb)", 1, NULL,
                          (const char * const[]) { bad }, NULL, NULL, 0);
      detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
      g_test_message ("DETAIL: %s", detail);
      g_assert_nonnull (detail);
      if (detail != NULL && strstr (detail, hostile->detail) == NULL)
        g_test_message ("expected “%s”", hostile->detail);
      g_assert_nonnull (detail != NULL ? strstr (detail, hostile->detail) : NULL);
    }

  /* Every problem at once, one a line. */
  {
    g_autofree char *bad = value (fx->super,
                                  "SELECT jsonb_set(jsonb_set(jsonb_set($1::jsonb, '{transitions,0,dest}', '\"nowhere\"'),"
                                  "                 '{fields,1,name}', '\"created_by\"'),"
                                  "                 '{transitions,0,trans_action}', '{\"set\": {\"x\": {}}}')", 1, definition);
    g_autoptr(PGresult) res = PQexecParams (admin, "SELECT tasksteper.import_project($1::jsonb)", 1, NULL,
                                            (const char * const[]) { bad }, NULL, NULL, 0);
    const char *detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
    g_auto(GStrv) lines = g_strsplit (detail != NULL ? detail : "", "\n", -1);

    g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "TS422");
    /* The two state rules naming detail (fields[1], renamed) are reported too. */
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  }

  /* And the workflow still works as imported. */
  {
    g_autofree char *version = value (conn_as (fx, fx->zhangwei),
                                      "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
    g_assert_cmpstr (version, ==, "2");
  }
}

/* A script gone wrong cannot write thousands of changes in one
 * transaction: the 101st is refused with TS429 and, the transaction being
 * aborted, nothing of it stays (nor is anything announced).  One change
 * per transaction goes on working. */
static void
test_harden_flood (Fixture       *fx,
                   gconstpointer  data)
{
  PGconn *zhangwei = conn_as (fx, fx->zhangwei);
  g_autofree char *id = create_ready_ticket (fx);
  g_autofree char *created = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  PGconn *listener = listen_as (fx, fx->outsider);

  assert_refused (fx, zhangwei, "TS429", NULL,
                  "SELECT count(t.id) FROM generate_series(1, 5000) g,"
                  " LATERAL tasksteper.create_ticket('issue_track', jsonb_build_object('summary', 'loop ' || g)) t", 0);
  assert_refused (fx, zhangwei, "TS429", NULL,
                  "DO $$ DECLARE v int := 1; BEGIN"
                  "  FOR i IN 1..5000 LOOP"
                  "    SELECT version INTO v FROM tasksteper.save_ticket(" "(SELECT min(id) FROM tasksteper.tickets),"
                  "      v, jsonb_build_object('current_process', 'loop ' || i));"
                  "  END LOOP;"
                  " END $$", 0);
  payloads = collect_notifications (fx, listener);
  g_assert_cmpuint (payloads->len, ==, 0);

  /* 100 in one transaction are fine. */
  created = value (zhangwei,
                   "SELECT count(t.id) FROM generate_series(1, 100) g,"
                   " LATERAL tasksteper.create_ticket('issue_track', jsonb_build_object('summary', 'loop ' || g)) t", 0);
  g_assert_cmpstr (created, ==, "100");
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.tickets", NULL), ==, 101);

  /* And the counter starts again with each transaction. */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *again = value (zhangwei,
                                      "SELECT count(t.id) FROM generate_series(1, 60) g,"
                                      " LATERAL tasksteper.create_ticket('issue_track', jsonb_build_object('summary', 'loop ' || g)) t", 0);
      g_assert_cmpstr (again, ==, "60");
    }
  {
    g_autofree char *version = value (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
    g_assert_cmpstr (version, ==, "2");
  }
}

/* A role dropped and created again with the same name is a new person:
 * the old one's memberships, tickets and display name are not theirs.
 * add_member() refuses (TS423) until the old membership is removed, which
 * says how many tickets the old role still holds. */
static void
test_harden_recreated_role (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *name = g_strdup_printf ("%s_reborn", fx->db);
  g_autofree char *quoted = quote_ident (fx->super, name);
  g_autofree char *drop = g_strdup_printf ("DROP ROLE %s", quoted);
  g_autofree char *id = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *held = NULL;
  g_autoptr(PGresult) res = NULL;
  PGconn *reborn;

  create_role (fx, name, "tasksteper_user");
  add_member (fx, "issue_track", name);
  res = run (fx->super, "SELECT tasksteper.set_display_name($1, '旧人')", 1, name);
  g_clear_pointer (&res, PQclear);
  id = create_ticket_as (fx, name, "{}");
  g_hash_table_remove (fx->conns, name);

  run_command (fx->super, drop);
  create_role (fx, name, "tasksteper_user");
  reborn = conn_as (fx, name);

  seen = value (reborn, "SELECT concat_ws(' ', (SELECT count(*) FROM tasksteper.tickets),"
                        " (SELECT count(*) FROM tasksteper.projects),"
                        " (SELECT count(*) FROM tasksteper.my_tickets()),"
                        " tasksteper.is_member('issue_track'))", 0);
  g_assert_cmpstr (seen, ==, "0 0 0 f");
  assert_refused (fx, reborn, "TS404", NULL,
                  "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"summary\": \"我的了\"}')", 1, id);
  assert_refused (fx, reborn, "TS404", NULL, "SELECT tasksteper.fire($1::bigint, 1, '提交审核')", 1, id);
  assert_refused (fx, reborn, "TS404", NULL, "SELECT tasksteper.create_ticket('issue_track')", 0);

  /* Members do not see them as one of them, nor under the old name. */
  listed = value (conn_as (fx, fx->zhangwei),
                  "SELECT count(*) FROM tasksteper.project_members('issue_track') WHERE login = $1", 1, name);
  g_assert_cmpstr (listed, ==, "0");
  g_free (seen);
  seen = value (conn_as (fx, fx->zhangwei), "SELECT tasksteper.is_member('issue_track', $1)", 1, name);
  g_assert_cmpstr (seen, ==, "f");

  /* Nor can a ticket be passed to them. */
  {
    g_autofree char *ready = create_ready_ticket (fx);
    g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s\"}", name);

    assert_refused (fx, conn_as (fx, fx->zhangwei), "TS422", "issue_checker",
                    "SELECT tasksteper.save_ticket($1::bigint, 1, $2::jsonb)", 2, ready, fields);
  }

  assert_refused (fx, conn_as (fx, fx->admin), "TS423", NULL,
                  "SELECT tasksteper.add_member('issue_track', $1)", 1, name);
  /* The old role's open ticket goes to zhangwei as it is removed (since
   * version 8 nobody leaves holding one). */
  held = value (conn_as (fx, fx->admin), "SELECT tasksteper.remove_member('issue_track', $1, $2)", 2, name,
                fx->zhangwei);
  g_assert_cmpstr (held, ==, "1");
  res = run (conn_as (fx, fx->admin), "SELECT tasksteper.add_member('issue_track', $1)", 1, name);
  g_clear_pointer (&res, PQclear);
  g_free (seen);
  seen = value (reborn, "SELECT tasksteper.is_member('issue_track')", 0);
  g_assert_cmpstr (seen, ==, "t");
  /* The old display name was the old role's. */
  g_free (listed);
  listed = value (conn_as (fx, fx->zhangwei),
                  "SELECT coalesce(display_name, '(none)') FROM tasksteper.project_members('issue_track') WHERE login = $1",
                  1, name);
  g_assert_cmpstr (listed, ==, "(none)");
}

/* history is append-only for everyone: its owner, and a superuser, even
 * with triggers for replication turned off. */
static void
test_harden_history_append_only (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autofree char *id = create_ready_ticket (fx);
  PGconn *owner = superuser_as (fx, "tasksteper_owner");
  PGconn *super = second_conn_as (fx, "postgres");
  const char *statements[] = {
    "UPDATE tasksteper.history SET at = at - interval '1 year'",
    "UPDATE tasksteper.history SET actor = 'someone' WHERE false",
    "DELETE FROM tasksteper.history",
    "DELETE FROM tasksteper.history WHERE false",
    "TRUNCATE tasksteper.history",
    "TRUNCATE tasksteper.tickets CASCADE",
  };

  run_command (super, "SET session_replication_role = replica");
  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(PGresult) res = NULL;

      assert_refused (fx, owner, "42501", NULL, statements[i], 0);
      assert_refused (fx, super, "42501", NULL, statements[i], 0);
      res = PQexec (owner, statements[i]);
      g_assert_nonnull (strstr (PQresultErrorMessage (res), "append-only"));
    }
  g_assert_cmpint (history_rows (fx, id), ==, 1);
}

/* tests/data/conditions.json {{{1 */

/* One database and one user for every vector: condition_holds() is a pure
 * function, so the vectors need no fresh database each. */
static char *conditions_db;
static char *conditions_user;
static PGconn *conditions_conn;

static PGconn *
get_conditions_conn (void)
{
  if (conditions_conn == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PGconn) super = NULL;
      g_autofree char *sql = NULL;

      conditions_db = ts_test_server_create_database (server, &error);
      g_assert_no_error (error);
      super = open_connection (conditions_db, "postgres");
      install_server (super);
      conditions_user = g_strdup_printf ("%s_user", conditions_db);
      sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE tasksteper_user", conditions_user);
      run_command (super, sql);
      conditions_conn = open_connection (conditions_db, conditions_user);
    }

  return conditions_conn;
}

static const char *
ticket_string (JsonObject *ticket,
               const char *name)
{
  JsonNode *node = json_object_get_member (ticket, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return json_node_get_string (node);
}

/* Evaluated by a plain user, as a client would. */
static void
test_condition_vector (gconstpointer data)
{
  JsonObject *vector = (JsonObject *) data;
  JsonObject *ticket = json_object_get_object_member (vector, "ticket");
  JsonNode *fields = json_object_get_member (ticket, "fields");
  g_autofree char *condition = json_to_string (json_object_get_member (vector, "condition"), FALSE);
  g_autofree char *fields_text = fields != NULL ? json_to_string (fields, FALSE) : NULL;
  gboolean expected = json_object_get_boolean_member (vector, "expected");
  g_autofree char *holds = NULL;

  g_test_message ("condition %s, fields %s", condition, fields_text);
  holds = value (get_conditions_conn (),
                 "SELECT tasksteper.condition_holds($1::jsonb, $2, $3, $4, $5, $6::jsonb)", 6,
                 condition,
                 ticket_string (ticket, "key"),
                 ticket_string (ticket, "state"),
                 ticket_string (ticket, "assigned_to"),
                 ticket_string (ticket, "created_by"),
                 fields_text);
  g_assert_cmpstr (holds, ==, expected ? "t" : "f");
}

static void
add_condition_tests (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "conditions.json", NULL);
  g_autofree char *text = read_file_or_die (path);
  JsonArray *cases;

  conditions_root = parse_json (text);
  cases = json_object_get_array_member (json_node_get_object (conditions_root), "cases");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      g_autofree char *name = g_strdup_printf ("/ts/server/conditions/%s",
                                               json_object_get_string_member (vector, "name"));

      g_test_add_data_func (name, vector, test_condition_vector);
    }
}

/* The change feed (version 4) {{{1 */

/* The feed as @conn's login sees it: "project:ticket:version", oldest first. */
static char *
feed_as (PGconn     *conn,
         const char *after,
         const char *limit)
{
  g_autofree char *rows = value (conn,
                                 "SELECT string_agg(project || ':' || ticket_id || ':' || version, ',' ORDER BY n)"
                                 "  FROM tasksteper.changes_since($1::bigint, $2::int) WITH ORDINALITY AS c(seq, project, ticket_id, version, n)",
                                 2, after, limit);

  return rows != NULL ? g_steal_pointer (&rows) : g_strdup ("");
}

static void
assert_sqlstate (PGconn     *conn,
                 const char *sqlstate,
                 const char *sql,
                 const char *param)
{
  const char *params[] = { param };
  g_autoptr(PGresult) res = PQexecParams (conn, sql, 1, NULL, params, NULL, NULL, 0);

  if (g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), sqlstate) != 0)
    g_test_message ("%s as %s: %s", sql, PQuser (conn), PQresultErrorMessage (res));
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, sqlstate);
}

/* Members read the changes of their projects, in the order of commit, a
 * page at a time; nobody else reads them, nobody writes them directly. */
static void
test_changes_feed (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *id = set_up_two_projects (fx);
  g_autofree char *side = value (fx->super, "SELECT id::text FROM tasksteper.tickets WHERE project = 'side'", 0);
  g_autofree char *expected = g_strdup_printf ("issue_track:%s:1,issue_track:%s:2", id, id);
  g_autofree char *side_expected = g_strdup_printf ("side:%s:1", side);
  g_autofree char *first = value (conn_as (fx, fx->zhangwei), "SELECT seq FROM tasksteper.changes_since(0, 1)", 0);
  g_autofree char *cursor = value (conn_as (fx, fx->lina), "SELECT tasksteper.changes_cursor()", 0);
  g_autofree char *max = value (fx->super, "SELECT max(seq) FROM tasksteper.changes", 0);
  g_autofree char *feed = NULL;
  g_autofree char *later = NULL;
  g_autofree char *held = NULL;
  g_autofree char *first_row = g_strdup_printf ("issue_track:%s:1", id);
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;

  /* RLS: members of issue_track, of side, of nothing. */
  feed = feed_as (conn_as (fx, fx->zhangwei), "0", "1000");
  g_assert_cmpstr (feed, ==, expected);
  g_clear_pointer (&feed, g_free);
  feed = feed_as (conn_as (fx, fx->lina), "0", "1000");
  g_assert_cmpstr (feed, ==, expected);
  g_clear_pointer (&feed, g_free);
  feed = feed_as (conn_as (fx, fx->outsider), "0", "1000");
  g_assert_cmpstr (feed, ==, side_expected);
  g_clear_pointer (&feed, g_free);
  feed = feed_as (conn_as (fx, fx->admin), "0", "1000");
  g_assert_cmpstr (feed, ==, "");
  g_clear_pointer (&feed, g_free);
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.changes", NULL), ==, 3);

  /* The limit, and reading on from a number. */
  feed = feed_as (conn_as (fx, fx->zhangwei), "0", "1");
  g_assert_cmpstr (feed, ==, first_row);
  g_clear_pointer (&feed, g_free);
  feed = feed_as (conn_as (fx, fx->zhangwei), first, "1000");
  g_assert_cmpstr (feed, ==, strchr (expected, ',') + 1);
  g_clear_pointer (&feed, g_free);

  /* The cursor is where the feed ends; nothing after it yet. */
  g_assert_cmpstr (cursor, ==, max);
  feed = feed_as (conn_as (fx, fx->lina), cursor, NULL);
  g_assert_cmpstr (feed, ==, "");
  g_clear_pointer (&feed, g_free);

  /* Numbered in the order of commit: a change committed later gets a
   * higher number, even when its transaction started first. */
  run_command (conn_as (fx, fx->zhangwei), "BEGIN");
  g_free (value (conn_as (fx, fx->zhangwei), "SELECT id FROM tasksteper.create_ticket('issue_track', '{}')", 0));
  held = value (conn_as (fx, fx->zhangwei), "SELECT max(id) FROM tasksteper.tickets", 0);
  later = create_ticket_as (fx, fx->lina, "{}");
  feed = feed_as (conn_as (fx, fx->wangfang), max, NULL);
  one = g_strdup_printf ("issue_track:%s:1", later);
  g_assert_cmpstr (feed, ==, one);
  g_clear_pointer (&feed, g_free);
  run_command (conn_as (fx, fx->zhangwei), "COMMIT");
  feed = feed_as (conn_as (fx, fx->wangfang), max, NULL);
  two = g_strdup_printf ("issue_track:%s:1,issue_track:%s:1", later, held);
  g_assert_cmpstr (feed, ==, two);
  g_clear_pointer (&feed, g_free);

  /* A change rolled back leaves no row. */
  run_command (conn_as (fx, fx->lina), "BEGIN");
  g_free (create_ticket_as (fx, fx->lina, "{}"));
  run_command (conn_as (fx, fx->lina), "ROLLBACK");
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.changes", NULL), ==, 5);

  /* Nobody writes the feed but the triggers. */
  assert_sqlstate (conn_as (fx, fx->zhangwei), "42501",
                   "INSERT INTO tasksteper.changes (project, ticket_id, version) VALUES ('issue_track', $1::bigint, 9)", id);
  assert_sqlstate (conn_as (fx, fx->admin), "42501", "DELETE FROM tasksteper.changes WHERE ticket_id = $1::bigint", id);
}

/* Pruning: admins only (others may not even call it), by age. */
static void
test_changes_prune (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *id = set_up_two_projects (fx);
  g_autofree char *pruned = NULL;
  g_autoptr(PGresult) res = NULL;

  assert_sqlstate (conn_as (fx, fx->zhangwei), "42501", "SELECT tasksteper.prune_changes($1::interval)", "0");
  assert_sqlstate (conn_as (fx, fx->admin), "TS422", "SELECT tasksteper.prune_changes($1::interval)", "-1 day");
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.changes", NULL), ==, 3);

  res = run (fx->super, "UPDATE tasksteper.changes SET at = at - interval '10 days' WHERE ticket_id = $1::bigint", 1, id);
  pruned = value (conn_as (fx, fx->admin), "SELECT tasksteper.prune_changes('7 days')", 0);
  g_assert_cmpstr (pruned, ==, "2");
  g_assert_cmpint (count_rows (fx, "SELECT count(*) FROM tasksteper.changes", NULL), ==, 1);
  g_clear_pointer (&pruned, g_free);
  pruned = value (conn_as (fx, fx->admin), "SELECT tasksteper.prune_changes('7 days')", 0);
  g_assert_cmpstr (pruned, ==, "0");
}

/* Indexes {{{1 */

static void
collect_index_names (JsonNode  *node,
                     GPtrArray *names,
                     GPtrArray *node_types)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      if (json_object_has_member (object, "Index Name"))
        g_ptr_array_add (names, g_strdup (json_object_get_string_member (object, "Index Name")));
      if (json_object_has_member (object, "Node Type"))
        g_ptr_array_add (node_types, g_strdup (json_object_get_string_member (object, "Node Type")));
      for (GList *l = members; l != NULL; l = l->next)
        collect_index_names (json_object_get_member (object, l->data), names, node_types);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_index_names (json_array_get_element (array, i), names, node_types);
    }
}

static gboolean
contains (GPtrArray  *strings,
          const char *s)
{
  return g_ptr_array_find_with_equal_func (strings, s, g_str_equal, NULL);
}

/* The plan of @sql with parameters @a and @b (either may be NULL), as the
 * member @conn sees it (RLS on): asserts it uses @index, reads no table
 * whole and, unless @may_sort, sorts nothing. */
static void
assert_plan_finds_with (PGconn     *conn,
                        const char *sql,
                        const char *a,
                        const char *b,
                        const char *index,
                        gboolean    may_sort)
{
  g_autofree char *explain = g_strdup_printf ("EXPLAIN (FORMAT JSON) %s", sql);
  g_autofree char *plan = b != NULL ? value (conn, explain, 2, a, b)
                         : a != NULL ? value (conn, explain, 1, a)
                                     : value (conn, explain, 0);
  g_autoptr(JsonNode) root = parse_json (plan);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) node_types = g_ptr_array_new_with_free_func (g_free);

  collect_index_names (root, names, node_types);
  if (!contains (names, index) || (!may_sort && contains (node_types, "Sort")) || contains (node_types, "Seq Scan"))
    g_test_message ("plan: %s", plan);
  g_assert_true (contains (names, index));
  if (!may_sort)
    g_assert_false (contains (node_types, "Sort"));
  g_assert_false (contains (node_types, "Seq Scan"));
}

/* The plan of @sql with @n_params parameters @params, as the member @conn
 * sees it (RLS on): asserts it reads @index (a name ending in "*": one
 * whose name starts so) in the order of the ORDER BY (an index scan on
 * it, no Sort) and no table whole. */
static void
assert_plan_reads_in_order (PGconn             *conn,
                            const char         *sql,
                            int                 n_params,
                            const char * const *params,
                            const char         *index)
{
  g_autofree char *explain = g_strdup_printf ("EXPLAIN (FORMAT JSON) %s", sql);
  g_autoptr(PGresult) res = PQexecParams (conn, explain, n_params, NULL, params, NULL, NULL, 0);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) node_types = g_ptr_array_new_with_free_func (g_free);
  const char *plan;

  assert_result_ok (conn, explain, res);
  plan = PQgetvalue (res, 0, 0);
  root = parse_json (plan);
  collect_index_names (root, names, node_types);
  /* "tickets_pending_*": any of those. */
  if (g_str_has_suffix (index, "*"))
    {
      g_autofree char *prefix = g_strndup (index, strlen (index) - 1);

      for (guint i = 0; i < names->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (names, i), prefix))
          index = g_ptr_array_index (names, i);
    }
  if (!contains (names, index) || contains (node_types, "Sort") || contains (node_types, "Incremental Sort") ||
      contains (node_types, "Seq Scan") || contains (node_types, "Bitmap Heap Scan"))
    g_test_message ("%s\nplan: %s", sql, plan);
  g_assert_true (contains (names, index));
  g_assert_true (contains (node_types, "Index Scan") || contains (node_types, "Index Only Scan"));
  g_assert_false (contains (node_types, "Sort"));
  g_assert_false (contains (node_types, "Incremental Sort"));
  g_assert_false (contains (node_types, "Seq Scan"));
  g_assert_false (contains (node_types, "Bitmap Heap Scan"));
}

/* 200,000 tickets in one project, 50 assignees, 10% open: every statement
 * of the lists (src/db/ts-list-sql.h), exactly as the store sends it, for
 * a member, reads the index of its order: the all list and the pending
 * list, in every order, first page and a keyset page far in.  And the
 * pages give the right rows. */
static void
test_indexes (Fixture       *fx,
              gconstpointer  data)
{
  static const struct
  {
    const char *sort;
    const char *all_index;
    const char *pending_index;
    /* The cursor's value as ts_store_cursor_for_ticket() gives it. */
    const char *value_sql;
  } orders[] = {
    { "number", "tickets_project_number_key", "tickets_pending_number_idx", "number::text" },
    { "updated_at", "tickets_updated_at_idx", "tickets_pending_updated_at_idx",
      "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" },
    { "created_at", "tickets_created_at_idx", "tickets_pending_created_at_idx",
      "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" },
    { "state", "tickets_state_idx", "tickets_pending_state_idx", "state" },
    { "assigned_to", "tickets_assigned_to_idx", "tickets_pending_number_idx", "assigned_to" },
    { "created_by", "tickets_created_by_idx", "tickets_pending_created_by_idx", "created_by" },
  };
  PGconn *conn = conn_as (fx, fx->zhangwei);
  gint64 begin = g_get_monotonic_time ();
  g_autoptr(PGresult) res = NULL;

  res = run (fx->super,
             "INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by,"
             "                                is_final, fields, created_at, updated_at)"
             " SELECT 'issue_track', i, 'question_' || i, CASE WHEN open THEN '维护人员处理' ELSE '关闭' END,"
             "        CASE WHEN i % 50 = 0 THEN $1 ELSE 'user_' || i % 50 END,"
             "        CASE WHEN i % 3 = 0 THEN $1 ELSE 'user_' || i % 7 END, NOT open,"
             "        jsonb_build_object('summary', 'ticket ' || i),"
             "        now() - make_interval(mins => 200001 - i), now() - make_interval(mins => (i * 7919) % 200001)"
             "   FROM generate_series(1, 200000) i, LATERAL (SELECT (i / 50) % 10 = 0 AS open) o",
             1, fx->zhangwei);
  g_clear_pointer (&res, PQclear);
  res = run (fx->super, "SELECT setval(number_sequence, 200001, false) FROM tasksteper.projects WHERE name = 'issue_track'", 0);
  run_command (fx->super, "ANALYZE tasksteper.tickets");
  g_test_message ("200,000 tickets in %.1f s", (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    for (int pending = 0; pending <= 1; pending++)
      for (int descending = 0; descending <= 1; descending++)
        {
          const char *index = pending ? orders[o].pending_index : orders[o].all_index;
          int after = ts_list_sql_after_kind (pending, orders[o].sort);
          g_autofree char *first_sql = ts_list_sql_page (pending, orders[o].sort, descending, TS_LIST_AFTER_NONE);
          g_autofree char *next_sql = ts_list_sql_page (pending, orders[o].sort, descending, after);
          /* A row far in: the 150th of the pending list, or ticket 100,000. */
          g_autofree char *row_sql = g_strdup_printf ("SELECT %s, number::text FROM tasksteper.tickets"
                                                      " WHERE project = 'issue_track' AND %s ORDER BY number LIMIT 1",
                                                      orders[o].value_sql,
                                                      pending ? "assigned_to = $1 AND NOT is_final AND number > 150 * 500"
                                                              : "number = 100000 AND $1::text IS NOT NULL");
          g_autoptr(PGresult) row = run (conn, row_sql, 1, fx->zhangwei);
          const char *first_params[] = { "issue_track", "0", "100" };
          const char *next_params[] = { "issue_track", "0", "100", PQgetvalue (row, 0, 0), PQgetvalue (row, 0, 1) };
          const char *number_params[] = { "issue_track", "0", "100", PQgetvalue (row, 0, 1) };
          g_autoptr(PGresult) page = NULL;

          g_test_message ("%s list by %s, %s", pending ? "pending" : "all", orders[o].sort,
                          descending ? "descending" : "ascending");
          assert_plan_reads_in_order (conn, first_sql, 3, first_params, index);
          if (after == TS_LIST_AFTER_NUMBER)
            assert_plan_reads_in_order (conn, next_sql, 4, number_params, index);
          else
            assert_plan_reads_in_order (conn, next_sql, 5, next_params, index);

          /* A jump far in: an offset from the first row. */
          {
            const char *jump_params[] = { "issue_track", pending ? "300" : "50000", "100" };

            page = run (conn, first_sql, 3, jump_params[0], jump_params[1], jump_params[2]);
            g_assert_cmpint (PQntuples (page), ==, 100);
            g_clear_pointer (&page, PQclear);
          }

          page = after == TS_LIST_AFTER_NUMBER
                   ? run (conn, next_sql, 4, number_params[0], number_params[1], number_params[2], number_params[3])
                   : run (conn, next_sql, 5, next_params[0], next_params[1], next_params[2], next_params[3],
                          next_params[4]);
          g_assert_cmpint (PQntuples (page), >, 0);
          for (int i = 0; i < PQntuples (page); i++)
            g_assert_cmpstr (PQgetvalue (page, i, 2), !=, PQgetvalue (row, 0, 1));
        }

  /* The pending count reads its index too; both count what they should. */
  {
    const char *params[] = { "issue_track" };
    g_autofree char *pending_count = value (conn, TS_LIST_SQL_COUNT_PENDING, 1, "issue_track");
    g_autofree char *all_count = value (conn, TS_LIST_SQL_COUNT_ALL, 1, "issue_track");

    assert_plan_reads_in_order (conn, TS_LIST_SQL_COUNT_PENDING, 1, params, "tickets_pending_*");
    g_assert_cmpstr (pending_count, ==, "400");
    g_assert_cmpstr (all_count, ==, "200000");
  }

  /* The functions still work at that size. */
  {
    g_autofree char *number = value (conn, "SELECT number FROM tasksteper.create_ticket('issue_track')", 0);
    g_assert_cmpstr (number, ==, "200001");
  }
}

/* 100,000 tickets in two projects, 50 assignees, 10% open: my_tickets()
 * finds a member's tickets through its index, whatever the number of
 * tickets, and gives them in order. */
static void
test_people_my_tickets_index (Fixture       *fx,
                              gconstpointer  data)
{
  PGconn *conn = conn_as (fx, fx->zhangwei);
  g_autofree char *body = NULL;
  g_autofree char *count = NULL;
  g_autofree char *first = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(PGresult) res = NULL;
  gint64 begin = g_get_monotonic_time ();

  import_project (fx, side_project);
  add_member (fx, "side", fx->zhangwei);
  res = run (fx->super,
             "INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by,"
             "                                is_final, fields)"
             " SELECT p, g, p || '_' || g,"
             "        CASE WHEN p = 'side' THEN CASE WHEN open THEN 'open' ELSE 'closed' END"
             "             ELSE CASE WHEN open THEN '维护人员处理' ELSE '关闭' END END,"
             "        CASE WHEN g % 50 = 0 THEN $1 ELSE 'user_' || g % 50 END, $1, NOT open,"
             "        jsonb_build_object('summary', 'ticket ' || g)"
             "   FROM generate_series(1, 100000) g,"
             "        LATERAL (SELECT CASE WHEN (g / 7) % 2 = 0 THEN 'issue_track' ELSE 'side' END AS p,"
             "                        (g / 50) % 10 = 0 AS open) x",
             1, fx->zhangwei);
  g_clear_pointer (&res, PQclear);
  run_command (fx->super, "ANALYZE tasksteper.tickets");
  g_test_message ("100,000 tickets in %.1f s", (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC);

  /* The function's own query, as the member runs it.  Without a LIMIT
   * the planner may sort the few rows the index finds rather than read
   * them in its order: both are cheap, and nothing reads the table whole. */
  body = value (fx->super, "SELECT prosrc FROM pg_proc WHERE oid = 'tasksteper.my_tickets()'::regprocedure", 0);
  assert_plan_finds_with (conn, body, NULL, NULL, "tickets_assigned_idx", TRUE);

  {
    g_autofree char *explain = g_strdup_printf ("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) %s", body);
    g_autoptr(PGresult) plan = run (conn, explain, 0);

    for (int i = 0; i < PQntuples (plan); i++)
      g_test_message ("plan: %s", PQgetvalue (plan, i, 0));
  }

  begin = g_get_monotonic_time ();
  count = value (conn, "SELECT count(*) FROM tasksteper.my_tickets()", 0);
  g_test_message ("my_tickets(): %s rows in %.1f ms", count, (g_get_monotonic_time () - begin) / 1000.0);
  /* Every 50th ticket is zhangwei's, and a tenth of those are open. */
  g_assert_cmpstr (count, ==, "200");
  /* In the order of the projects, then newest first, in both projects. */
  first = value (conn, "SELECT string_agg(project || '/' || number, ',' ORDER BY ordinality)"
                       "  FROM tasksteper.my_tickets() WITH ORDINALITY", 0);
  expected = value (fx->super, "SELECT string_agg(project || '/' || number, ',' ORDER BY project, number DESC)"
                               "  FROM tasksteper.tickets WHERE assigned_to = $1 AND NOT is_final", 1, fx->zhangwei);
  g_assert_cmpstr (first, ==, expected);
  g_assert_nonnull (strstr (first, "issue_track/"));
  g_assert_nonnull (strstr (first, "side/"));
}

/* main {{{1 */

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
#define ADD_DATA(path, data, func) \
  g_test_add ((path), Fixture, (data), fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* A refusal that fails should not hide the results of the others. */
  g_test_set_nonfatal_assertions ();

  server = ts_test_server_start (&error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (visibilities); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ts/server/select/%s", visibilities[i].table);
      ADD_DATA (path, &visibilities[i], test_select);
    }
  ADD ("/ts/server/select/migrations", test_select_migrations);
  ADD ("/ts/server/select/stranger", test_select_stranger);

  ADD_DATA ("/ts/server/direct/tickets", &ticket_list, test_direct_statements);
  ADD_DATA ("/ts/server/direct/history", &history_list, test_direct_statements);
  ADD_DATA ("/ts/server/direct/projects", &project_list, test_direct_statements);
  ADD_DATA ("/ts/server/direct/members", &member_list, test_direct_statements);
  ADD_DATA ("/ts/server/direct/migrations", &migration_list, test_direct_statements);
  ADD_DATA ("/ts/server/direct/people", &people_list, test_direct_statements);
  ADD_DATA ("/ts/server/direct/ddl", &ddl_list, test_direct_statements);

  ADD ("/ts/server/create/member", test_create_member);
  ADD ("/ts/server/create/numbering", test_create_numbering);
  ADD ("/ts/server/create/refused", test_create_refused);
  ADD ("/ts/server/create/forged-system-fields", test_forged_system_fields);
  ADD ("/ts/server/create/unknown-field", test_create_unknown_field);
  ADD ("/ts/server/create/not-an-object", test_create_not_an_object);
  ADD ("/ts/server/create/values", test_create_values);
  ADD ("/ts/server/create/required", test_create_required);

  ADD ("/ts/server/text/round-trip", test_text_round_trip);
  ADD ("/ts/server/text/impossible", test_text_impossible);

  ADD ("/ts/server/save/assignee", test_save_assignee);
  ADD ("/ts/server/save/refused-users", test_save_refused_users);
  ADD ("/ts/server/save/stale", test_save_stale);
  ADD ("/ts/server/save/stale-after-reassignment", test_save_stale_after_reassignment);
  ADD ("/ts/server/save/no-op", test_save_noop);
  ADD ("/ts/server/save/readonly", test_save_readonly);
  ADD ("/ts/server/save/invalid", test_save_invalid);

  ADD ("/ts/server/fire/workflow", test_fire_workflow);
  ADD ("/ts/server/fire/wrong-trigger", test_fire_wrong_trigger);
  ADD ("/ts/server/fire/require", test_fire_require);
  ADD ("/ts/server/fire/assign-non-member", test_fire_assign_non_member);
  ADD ("/ts/server/fire/refused-users", test_fire_refused_users);
  ADD ("/ts/server/fire/stale", test_fire_stale);
  ADD ("/ts/server/fire/atomic", test_fire_atomic);
  ADD ("/ts/server/fire/set-action", test_fire_set_action);
  ADD ("/ts/server/fire/assign-created-by", test_fire_assign_created_by);

  ADD ("/ts/server/notify/payloads", test_notify_payloads);
  ADD ("/ts/server/notify/failed", test_notify_failed);
  ADD ("/ts/server/notify/transaction", test_notify_transaction);

  ADD ("/ts/server/security/definer-search-path", test_security_definer_search_path);
  ADD ("/ts/server/security/execute", test_security_execute);
  ADD ("/ts/server/security/ownership", test_security_ownership);
  ADD ("/ts/server/security/table-privileges", test_security_table_privileges);
  ADD ("/ts/server/security/temp-shadow", test_security_temp_shadow);
  ADD ("/ts/server/security/public-shadow", test_security_public_shadow);
  ADD ("/ts/server/security/leaky-functions", test_security_leaky_functions);
  ADD ("/ts/server/security/membership-private", test_security_membership_private);
  ADD ("/ts/server/security/set-role", test_security_set_role);
  ADD ("/ts/server/security/superuser-set-role", test_security_superuser_set_role);

  ADD ("/ts/server/people/visibility", test_people_visibility);
  ADD ("/ts/server/people/set-refused-for-users", test_people_set_refused_for_users);
  ADD ("/ts/server/people/set", test_people_set);
  ADD ("/ts/server/people/project-members", test_people_project_members);
  ADD ("/ts/server/people/my-tickets", test_people_my_tickets);

  ADD ("/ts/server/admin/refused-for-users", test_admin_refused_for_users);
  ADD ("/ts/server/admin/works", test_admin_works);
  ADD ("/ts/server/admin/reimport", test_admin_reimport);
  ADD ("/ts/server/admin/remove-member-race", test_admin_remove_member_race);

  ADD ("/ts/server/harden/create-held", test_harden_create_held);
  ADD ("/ts/server/harden/busy", test_harden_busy);
  ADD ("/ts/server/harden/ticket-held", test_harden_ticket_held);
  ADD ("/ts/server/harden/backdating", test_harden_backdating);
  ADD ("/ts/server/harden/hostile-definitions", test_harden_hostile_definitions);
  ADD ("/ts/server/harden/flood", test_harden_flood);
  ADD ("/ts/server/harden/recreated-role", test_harden_recreated_role);
  ADD ("/ts/server/harden/history-append-only", test_harden_history_append_only);

  add_condition_tests ();

  ADD ("/ts/server/changes/feed", test_changes_feed);
  ADD ("/ts/server/changes/prune", test_changes_prune);

  ADD ("/ts/server/indexes", test_indexes);
  ADD ("/ts/server/indexes/my-tickets", test_people_my_tickets_index);

  ret = g_test_run ();

  g_clear_pointer (&conditions_conn, PQfinish);
  g_free (conditions_db);
  g_free (conditions_user);
  g_clear_pointer (&conditions_root, json_node_unref);
  ts_test_server_free (server);

  return ret;
}
