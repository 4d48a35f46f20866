/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Comments (data/sql/0009-comments.sql) against a real PostgreSQL started
 * by the harness, through SQL as psql sends it and through the store.
 *
 * schemas/issue_track.json is imported with two of its transitions saying
 * "comment": "required" (打回补充信息 and 转SE分析改进: a reviewer says why).
 * People: 张伟 (zhangwei, creates the tickets), 李娜 (lina, the 维护代表
 * they go to), 王芳 (wangfang, a member who holds nothing) and an outsider
 * who is a TaskSteper user but no member.
 *
 *   /ts/comments-db/definition        check_definition() and import know "comment"
 *   /ts/comments-db/add/...           any member comments; a non-member cannot;
 *                                     empty and too long are refused
 *   /ts/comments-db/append-only       UPDATE, DELETE, TRUNCATE refused for everyone
 *   /ts/comments-db/notify            a listener hears of a new comment
 *   /ts/comments-db/fire/...          a required comment; fire()'s other refusals
 *                                     unchanged and first
 *   /ts/comments-db/store/...         TsStore: add, list, fire with a comment,
 *                                     refusals in the user's language, offline
 *
 * Roles are cluster-wide, so their names start with their database's.
 * test-comments-db-zh_CN runs it all again under zh_CN.UTF-8. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>

#include "ts-migrations.h"
#include "ts-refusal.h"
#include "ts-store.h"
#include "ts-test-server.h"

#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

#define MAX_PARAMS 8

#define S1 "维护人员处理"
#define S2 "维护代表审核"
#define SEND_BACK "打回补充信息"
#define TO_SE "转SE分析改进"
#define SUBMIT "提交审核"

static TsTestServer *server;
static char *db;
static char *definition;  /* issue_track with the comments required */

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

static void
run_command (PGconn     *conn,
             const char *sql)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

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

/* Every row of @sql, each as its columns joined by "|" (NULL as "∅"), the
 * rows joined by "\n". */
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

/* @sql must be refused with @sqlstate, naming @column (NULL: none) in
 * COLUMN, with its facts as a JSON object in DETAIL whose "ts" is @kind.
 * Returns the facts (NULL when @kind is NULL: DETAIL is not looked at). */
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
  g_autoptr(JsonNode) facts = NULL;
  const char *detail;
  JsonObject *object;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  g_test_message ("“%s” as %s: [%s] %s", sql, PQuser (conn),
                  result_ok (res) ? "ok" : PQresultErrorField (res, PG_DIAG_SQLSTATE),
                  result_ok (res) ? "" : PQresultErrorMessage (res));
  g_assert_false (result_ok (res));
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, sqlstate);
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_COLUMN_NAME), ==, column);
  g_assert_nonnull (PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY));
  /* import_project()'s TS422 lists problems, one a line. */
  if (!g_str_has_prefix (sqlstate, "TS") || kind == NULL)
    return NULL;

  detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
  g_assert_nonnull (detail);
  facts = json_from_string (detail, NULL);
  g_assert_nonnull (facts);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (facts));
  object = json_node_get_object (facts);
  if (kind != NULL)
    g_assert_cmpstr (json_object_get_string_member_with_default (object, "ts", NULL), ==, kind);

  return json_object_ref (object);
}

static void
log_notice (void       *user_data,
            const char *message)
{
  g_test_message ("server: %s", g_strchomp ((char *)message));
}

static char *
login_of (const char *who)
{
  return g_strdup_printf ("%s_%s", db, who);
}

/* A connection as @who ("postgres", or one of the people). */
static PGconn *
connect_as (const char *who)
{
  g_autofree char *login = g_str_equal (who, "postgres") ? g_strdup (who) : login_of (who);
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, login);
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect as %s: %s",
                                             login, PQerrorMessage (conn));
      g_assert_no_error (error);
    }
  PQsetNoticeProcessor (conn, log_notice, NULL);
  PQsetClientEncoding (conn, "UTF8");
  return conn;
}

/* The set-up, once {{{1 */

static void
prepare (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) super = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_autofree char *schema = NULL;
  g_autofree char *sql = NULL;

  db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  super = connect_as ("postgres");
  g_assert_true (ts_migrations_apply (super, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &schema, NULL, NULL));
  definition = value (super,
                      "SELECT jsonb_set(d, '{transitions}',"
                      "                 (SELECT jsonb_agg(CASE WHEN t ->> 'trigger' IN ($2, $3)"
                      "                                        THEN t || '{\"comment\": \"required\"}'"
                      "                                        ELSE t END ORDER BY o)"
                      "                    FROM jsonb_array_elements(d -> 'transitions') WITH ORDINALITY x(t, o)))::text"
                      "  FROM (SELECT $1::jsonb AS d) s",
                      3, schema, SEND_BACK, TO_SE);
  res = PQexecParams (super, "SELECT tasksteper.import_project($1::jsonb)", 1, NULL,
                      (const char *[]) { definition }, NULL, NULL, 0);
  assert_result_ok (super, "import_project", res);

  sql = g_strdup_printf ("CREATE ROLE %1$s_zhangwei LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_lina LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_wangfang LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_outsider LOGIN IN ROLE tasksteper_user;"
                         "SELECT tasksteper.add_member('issue_track', '%1$s_zhangwei');"
                         "SELECT tasksteper.add_member('issue_track', '%1$s_lina');"
                         "SELECT tasksteper.add_member('issue_track', '%1$s_wangfang');",
                         db);
  run_command (super, sql);
}

/* A new ticket of 张伟's, sent to 李娜 for review: in 维护代表审核 at
 * version 2, held by lina.  Returns its id. */
static char *
ticket_in_review (void)
{
  g_autoptr(PGconn) zhangwei = connect_as ("zhangwei");
  g_autofree char *lina = login_of ("lina");
  g_autofree char *zhangwei_login = login_of ("zhangwei");
  g_autofree char *fields = g_strdup_printf ("{\"summary\": \"【20180128】北京局点设备发生掉电问题\","
                                             " \"issue_checker\": \"%s\", \"issue_processor\": \"%s\"}",
                                             lina, zhangwei_login);
  g_autofree char *id = value (zhangwei, "SELECT id FROM tasksteper.create_ticket('issue_track', $1::jsonb)",
                               1, fields);
  g_autofree char *version = value (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 1, $2)",
                                    2, id, SUBMIT);

  g_assert_cmpstr (version, ==, "2");
  return g_steal_pointer (&id);
}

/* check_definition() and import {{{1 */

static void
test_definition (void)
{
  g_autoptr(PGconn) super = connect_as ("postgres");
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autoptr(JsonObject) facts = NULL;
  g_autofree char *none = value (lina, "SELECT cardinality(tasksteper.check_definition($1::jsonb))", 1, definition);
  g_autofree char *mandatory = NULL;
  g_autofree char *boolean = NULL;
  g_autofree char *optional = NULL;
  const char *set_comment =
    "SELECT array_to_string(tasksteper.check_definition(jsonb_set($1::jsonb, '{transitions,2,comment}', $2::jsonb)), E'\\n')";

  g_assert_cmpstr (none, ==, "0");
  mandatory = value (lina, set_comment, 2, definition, "\"mandatory\"");
  g_assert_cmpstr (mandatory, ==, "$.transitions[2].comment: must be “required” or “optional”");
  boolean = value (lina, set_comment, 2, definition, "true");
  g_assert_cmpstr (boolean, ==, "$.transitions[2].comment: must be “required” or “optional”");
  optional = value (lina, set_comment, 2, definition, "\"optional\"");
  g_assert_cmpstr (optional, ==, "");

  /* The server refuses what the client's validator would. */
  facts = refused (super, "TS422", NULL, NULL,
                   "SELECT tasksteper.import_project(jsonb_set($1::jsonb, '{transitions,2,comment}', '\"yes\"'))",
                   1, definition);
}

/* add_comment() and ticket_comments() {{{1 */

/* Any member comments, the assignee or not; the ticket's version stays. */
static void
test_add_any_member (void)
{
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) zhangwei = connect_as ("zhangwei");
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autoptr(PGconn) wangfang = connect_as ("wangfang");
  g_autofree char *wangfang_login = login_of ("wangfang");
  g_autofree char *lina_login = login_of ("lina");
  g_autofree char *zhangwei_login = login_of ("zhangwei");
  g_autofree char *mine = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *version = NULL;
  g_autofree char *history = NULL;

  /* 王芳 holds nothing and may still comment; the blanks around go. */
  mine = rows (wangfang, "SELECT author, body, ticket_id = $1::bigint, project FROM tasksteper.add_comment($1::bigint, $2)",
               2, id, "\u3000 日志已上传到共享目录 \n");
  expected = g_strdup_printf ("%s|日志已上传到共享目录|t|issue_track", wangfang_login);
  g_assert_cmpstr (mine, ==, expected);
  g_clear_pointer (&mine, g_free);
  mine = value (lina, "SELECT author FROM tasksteper.add_comment($1::bigint, '收到，我来看')", 1, id);
  g_assert_cmpstr (mine, ==, lina_login);
  g_clear_pointer (&mine, g_free);
  mine = value (zhangwei, "SELECT author FROM tasksteper.add_comment($1::bigint, '谢谢')", 1, id);
  g_assert_cmpstr (mine, ==, zhangwei_login);

  /* Oldest first, for every member; the ticket did not change. */
  listed = rows (wangfang, "SELECT author, body FROM tasksteper.ticket_comments($1::bigint)", 1, id);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s|日志已上传到共享目录\n%s|收到，我来看\n%s|谢谢",
                              wangfang_login, lina_login, zhangwei_login);
  g_assert_cmpstr (listed, ==, expected);
  g_clear_pointer (&listed, g_free);
  listed = rows (zhangwei, "SELECT author, body FROM tasksteper.comments WHERE ticket_id = $1::bigint ORDER BY id", 1, id);
  g_assert_cmpstr (listed, ==, expected);

  version = value (lina, "SELECT version FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
  g_assert_cmpstr (version, ==, "2");
  history = value (lina, "SELECT count(*) FROM tasksteper.history WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (history, ==, "2");
}

static void
test_add_non_member (void)
{
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) outsider = connect_as ("outsider");
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autoptr(JsonObject) facts = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *count = NULL;

  g_free (value (lina, "SELECT id FROM tasksteper.add_comment($1::bigint, '只有成员能看到')", 1, id));

  facts = refused (outsider, "TS404", NULL, "no_ticket",
                   "SELECT tasksteper.add_comment($1::bigint, '我也想说一句')", 1, id);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (outsider, "TS404", NULL, "no_ticket", "SELECT * FROM tasksteper.ticket_comments($1::bigint)", 1, id);
  g_clear_pointer (&facts, json_object_unref);
  /* A ticket that does not exist is no different. */
  facts = refused (lina, "TS404", NULL, "no_ticket", "SELECT tasksteper.add_comment(-1, '没有这个问题单')", 0);
  g_clear_pointer (&facts, json_object_unref);

  /* Row-level security: the table shows the outsider nothing. */
  seen = value (outsider, "SELECT count(*) FROM tasksteper.comments", 0);
  g_assert_cmpstr (seen, ==, "0");
  count = value (lina, "SELECT count(*) FROM tasksteper.comments WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (count, ==, "1");
}

static void
test_add_refused (void)
{
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) wangfang = connect_as ("wangfang");
  g_autoptr(JsonObject) facts = NULL;
  g_autofree char *length = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GString) too_long = g_string_new (NULL);

  facts = refused (wangfang, "TS422", "body", "comment_empty", "SELECT tasksteper.add_comment($1::bigint, '')", 1, id);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (wangfang, "TS422", "body", "comment_empty",
                   "SELECT tasksteper.add_comment($1::bigint, $2)", 2, id, " \t\n\r\v\f\u00a0\u3000");
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (wangfang, "TS422", "body", "comment_empty", "SELECT tasksteper.add_comment($1::bigint, NULL)", 1, id);
  g_clear_pointer (&facts, json_object_unref);

  for (guint i = 0; i < 10001; i++)
    g_string_append (too_long, "长");
  facts = refused (wangfang, "TS422", "body", "comment_too_long",
                   "SELECT tasksteper.add_comment($1::bigint, $2)", 2, id, too_long->str);
  g_assert_cmpint (json_object_get_int_member (facts, "length"), ==, 10001);
  g_assert_cmpint (json_object_get_int_member (facts, "max_length"), ==, 10000);

  /* 10000 characters are allowed, with blanks around them too. */
  g_string_truncate (too_long, strlen ("长") * 10000);
  g_string_prepend (too_long, "  ");
  g_string_append (too_long, "\n\n");
  length = value (wangfang, "SELECT char_length(body) FROM tasksteper.add_comment($1::bigint, $2)", 2, id, too_long->str);
  g_assert_cmpstr (length, ==, "10000");

  count = value (wangfang, "SELECT count(*) FROM tasksteper.comments WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (count, ==, "1");
}

/* Append-only {{{1 */

static void
test_append_only (void)
{
  static const char * const statements[] = {
    "UPDATE tasksteper.comments SET body = '改过了'",
    "UPDATE tasksteper.comments SET at = at - interval '1 day' WHERE false",
    "DELETE FROM tasksteper.comments",
    "DELETE FROM tasksteper.comments WHERE false",
    "TRUNCATE tasksteper.comments",
  };
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autoptr(PGconn) super = connect_as ("postgres");
  g_autoptr(JsonObject) facts = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *insert = NULL;

  g_free (value (lina, "SELECT id FROM tasksteper.add_comment($1::bigint, '这条评论不能改')", 1, id));
  before = rows (super, "SELECT id, ticket_id, at, author, body FROM tasksteper.comments ORDER BY id", 0);

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      /* A member, with nothing granted but SELECT. */
      facts = refused (lina, "42501", NULL, NULL, statements[i], 0);
      /* The table's owner (the functions' role), and a superuser, even
       * with triggers of the ordinary kind off. */
      run_command (super, "BEGIN");
      run_command (super, "SET LOCAL ROLE tasksteper_owner");
      facts = refused (super, "42501", NULL, NULL, statements[i], 0);
      run_command (super, "ROLLBACK");
      facts = refused (super, "42501", NULL, NULL, statements[i], 0);
      run_command (super, "BEGIN");
      run_command (super, "SET LOCAL session_replication_role = replica");
      facts = refused (super, "42501", NULL, NULL, statements[i], 0);
      run_command (super, "ROLLBACK");
    }

  /* Nor can a member write one past add_comment(). */
  insert = g_strdup_printf ("INSERT INTO tasksteper.comments (ticket_id, project, author, body)"
                            " VALUES (%s, 'issue_track', current_user, '冒充')", id);
  facts = refused (lina, "42501", NULL, NULL, insert, 0);

  after = rows (super, "SELECT id, ticket_id, at, author, body FROM tasksteper.comments ORDER BY id", 0);
  g_assert_cmpstr (after, ==, before);
}

/* NOTIFY {{{1 */

/* Waits (30 s at most: then fails) for a notification on @channel at
 * @conn whose payload has "comment"; returns the payload. */
static char *
wait_for_comment_notification (PGconn     *conn,
                               const char *channel)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd fd = { PQsocket (conn), POLLIN, 0 };
      PGnotify *notify;

      g_assert_cmpint (PQconsumeInput (conn), ==, 1);
      while ((notify = PQnotifies (conn)) != NULL)
        {
          char *payload = NULL;

          if (g_str_equal (notify->relname, channel) && strstr (notify->extra, "\"comment\"") != NULL)
            payload = g_strdup (notify->extra);
          PQfreemem (notify);
          if (payload != NULL)
            return payload;
        }
      poll (&fd, 1, 1000);
    }

  g_assert_not_reached ();
}

static void
test_notify (void)
{
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) listener = connect_as ("zhangwei");
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autofree char *comment_id = NULL;
  g_autofree char *payload = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  /* Since version 11, on the channel of the ticket's project. */
  g_autofree char *channel = value (listener, "SELECT channel FROM tasksteper.my_channels()"
                                    " WHERE project = 'issue_track'", 0);
  g_autofree char *listen = g_strdup_printf ("LISTEN \"%s\"", channel);

  run_command (listener, listen);
  comment_id = value (lina, "SELECT id FROM tasksteper.add_comment($1::bigint, '请补充现场日志')", 1, id);

  payload = wait_for_comment_notification (listener, channel);
  g_test_message ("notification: %s", payload);
  node = json_from_string (payload, NULL);
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  /* Ids only, never a value: anyone may listen. */
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "comment"), ==, g_ascii_strtoll (comment_id, NULL, 10));
  g_assert_cmpint (json_object_get_int_member (object, "ticket"), ==, g_ascii_strtoll (id, NULL, 10));
}

/* fire() {{{1 */

static void
test_fire_required (void)
{
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autoptr(JsonObject) facts = NULL;
  g_autoptr(GString) too_long = g_string_new (NULL);
  g_autofree char *lina_login = login_of ("lina");
  g_autofree char *key = value (lina, "SELECT key FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
  g_autofree char *state = NULL;
  g_autofree char *count = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected = NULL;
  const char *fire = "SELECT version FROM tasksteper.fire($1::bigint, 2, $2, '{}', $3)";

  facts = refused (lina, "TS428", "comment", "comment_required",
                   "SELECT tasksteper.fire($1::bigint, 2, $2)", 2, id, SEND_BACK);
  g_assert_cmpstr (json_object_get_string_member (facts, "trigger"), ==, SEND_BACK);
  g_assert_cmpstr (json_object_get_string_member (facts, "state"), ==, S2);
  g_assert_cmpstr (json_object_get_string_member (facts, "key"), ==, key);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (lina, "TS428", "comment", "comment_required", fire, 3, id, SEND_BACK, NULL);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (lina, "TS428", "comment", "comment_required", fire, 3, id, SEND_BACK, " \n\u3000");
  g_clear_pointer (&facts, json_object_unref);
  for (guint i = 0; i < 10001; i++)
    g_string_append_c (too_long, 'x');
  facts = refused (lina, "TS422", "body", "comment_too_long", fire, 3, id, SEND_BACK, too_long->str);

  /* Nothing of those was kept. */
  state = rows (lina, "SELECT state, version FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
  g_assert_cmpstr (state, ==, S2 "|2");
  count = value (lina, "SELECT count(*) FROM tasksteper.comments WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (count, ==, "0");

  /* With one: the fire and its comment, at the same moment. */
  g_free (value (lina, fire, 3, id, SEND_BACK, " 现场日志不全，请补充 "));
  g_clear_pointer (&state, g_free);
  state = rows (lina, "SELECT state, version FROM tasksteper.tickets WHERE id = $1::bigint", 1, id);
  g_assert_cmpstr (state, ==, S1 "|3");
  stored = rows (lina,
                 "SELECT c.author, c.body, c.at = h.at"
                 "  FROM tasksteper.comments c"
                 "  JOIN tasksteper.history h ON h.ticket_id = c.ticket_id AND h.trigger = $2"
                 " WHERE c.ticket_id = $1::bigint",
                 2, id, SEND_BACK);
  expected = g_strdup_printf ("%s|现场日志不全，请补充|t", lina_login);
  g_assert_cmpstr (stored, ==, expected);
}

/* A comment where none is required is kept too; none is stored without. */
static void
test_fire_optional (void)
{
  g_autoptr(PGconn) zhangwei = connect_as ("zhangwei");
  g_autofree char *lina = login_of ("lina");
  g_autofree char *fields = g_strdup_printf ("{\"summary\": \"【20180129】上海局点单板复位\", \"issue_checker\": \"%s\"}", lina);
  g_autofree char *id = value (zhangwei, "SELECT id FROM tasksteper.create_ticket('issue_track', $1::jsonb)", 1, fields);
  g_autofree char *count = NULL;
  g_autofree char *body = NULL;

  g_free (value (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 1, '更新进展', '{}', NULL)", 1, id));
  count = value (zhangwei, "SELECT count(*) FROM tasksteper.comments WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (count, ==, "0");
  g_free (value (zhangwei, "SELECT version FROM tasksteper.fire($1::bigint, 2, $2, '{}', '已定位，请审核')", 2, id, SUBMIT));
  body = value (zhangwei, "SELECT body FROM tasksteper.ticket_comments($1::bigint)", 1, id);
  g_assert_cmpstr (body, ==, "已定位，请审核");
}

/* fire()'s refusals of version 5 come first, unchanged, comment or not. */
static void
test_fire_other_refusals (void)
{
  g_autofree char *id = ticket_in_review ();
  g_autoptr(PGconn) lina = connect_as ("lina");
  g_autoptr(PGconn) wangfang = connect_as ("wangfang");
  g_autoptr(PGconn) outsider = connect_as ("outsider");
  g_autoptr(JsonObject) facts = NULL;
  g_autofree char *count = NULL;
  const char *fire = "SELECT tasksteper.fire($1::bigint, $2::int, $3, $4::jsonb, $5)";

  facts = refused (outsider, "TS404", NULL, "no_ticket", fire, 5, id, "2", SEND_BACK, "{}", NULL);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (lina, "TS409", NULL, "stale", fire, 5, id, "1", SEND_BACK, "{}", NULL);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (wangfang, "TS403", NULL, "not_assignee", fire, 5, id, "2", SEND_BACK, "{}", "我来打回");
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (lina, "TS410", NULL, "no_trigger", fire, 5, id, "2", SUBMIT, "{}", NULL);
  g_clear_pointer (&facts, json_object_unref);
  facts = refused (lina, "TS422", "issue_level", "not_a_choice", fire, 5, id, "2", SEND_BACK,
                   "{\"issue_level\": \"特别严重\"}", NULL);
  g_clear_pointer (&facts, json_object_unref);
  /* 打回补充信息 goes to the 维护处理人, who must be there before the comment is asked for. */
  facts = refused (lina, "TS428", "issue_processor", "assignee_empty", fire, 5, id, "2", SEND_BACK,
                   "{\"issue_processor\": \"\"}", NULL);
  g_clear_pointer (&facts, json_object_unref);
  /* 转SE分析改进 requires 改进提取SE and a comment: the field first. */
  facts = refused (lina, "TS428", "issue_se", "required", fire, 5, id, "2", TO_SE, "{}", NULL);
  g_clear_pointer (&facts, json_object_unref);
  /* And the comment when the field is there. */
  {
    g_autofree char *se = login_of ("wangfang");
    g_autofree char *fields = g_strdup_printf ("{\"issue_se\": \"%s\"}", se);

    facts = refused (lina, "TS428", "comment", "comment_required", fire, 5, id, "2", TO_SE, fields, NULL);
    g_clear_pointer (&facts, json_object_unref);
    g_free (value (lina, "SELECT version FROM tasksteper.fire($1::bigint, 2, $2, $3::jsonb, '需要软件改进')", 3, id, TO_SE, fields));
  }

  count = value (lina, "SELECT count(*) FROM tasksteper.comments WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (count, ==, "1");
}

/* The store {{{1 */

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static TsStore *
open_store (const char *who)
{
  g_autofree char *user = login_of (who);
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

static GPtrArray *
list_comments (TsStore *store,
               gint64   ticket_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *comments;

  ts_store_list_comments_async (store, ticket_id, NULL, store_result, &result);
  comments = ts_store_list_comments_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (comments);
  return comments;
}

static TsComment *
add_comment (TsStore     *store,
             gint64       ticket_id,
             const char  *body,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ts_store_add_comment_async (store, ticket_id, body, NULL, store_result, &result);
  return ts_store_add_comment_finish (store, wait_for (&result), error);
}

static void
on_comments_changed (TsStore *store,
                     gint64   ticket_id,
                     gint64  *seen)
{
  *seen = ticket_id;
}

static void
test_store_add_list (void)
{
  g_autofree char *id_text = ticket_in_review ();
  gint64 id = g_ascii_strtoll (id_text, NULL, 10);
  g_autoptr(TsStore) wangfang = open_store ("wangfang");
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsComment) comment = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autofree char *wangfang_login = login_of ("wangfang");
  gint64 seen = 0;

  g_signal_connect (zhangwei, "comments-changed", G_CALLBACK (on_comments_changed), &seen);

  comment = add_comment (wangfang, id, "  客户同意周五停机升级  ", &error);
  g_assert_no_error (error);
  g_assert_nonnull (comment);
  g_assert_cmpint (ts_comment_get_ticket_id (comment), ==, id);
  g_assert_cmpint (ts_comment_get_id (comment), >, 0);
  g_assert_cmpstr (ts_comment_get_author (comment), ==, wangfang_login);
  g_assert_cmpstr (ts_comment_get_body (comment), ==, "客户同意周五停机升级");
  /* The server's clock and ours may differ a little, not by a day. */
  g_assert_cmpint (ABS (g_date_time_difference (ts_comment_get_at (comment), before)), <, G_TIME_SPAN_DAY);

  /* 张伟's store hears of it. */
  while (seen == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (seen, ==, id);

  comments = list_comments (zhangwei, id);
  g_assert_cmpuint (comments->len, ==, 1);
  g_assert_cmpint (ts_comment_get_id (g_ptr_array_index (comments, 0)), ==, ts_comment_get_id (comment));
  g_assert_cmpstr (ts_comment_get_body (g_ptr_array_index (comments, 0)), ==, "客户同意周五停机升级");
  g_assert_true (g_date_time_equal (ts_comment_get_at (g_ptr_array_index (comments, 0)), ts_comment_get_at (comment)));
}

/* A refusal's sentence is the client's, in the user's language. */
static void
assert_refused_with (GError     *error,
                     int         code,
                     const char *kind,
                     const char *message)
{
  g_assert_error (error, TS_STORE_ERROR, code);
  g_assert_cmpstr (ts_store_error_get_kind (error), ==, kind);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpstr (error->message, !=, ts_store_error_get_server_message (error));
}

static void
test_store_fire (void)
{
  g_autofree char *id_text = ticket_in_review ();
  gint64 id = g_ascii_strtoll (id_text, NULL, 10);
  g_autoptr(TsStore) lina = open_store ("lina");
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(TsComment) comment = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *expected = NULL;

  ts_store_fire_async (lina, id, 2, SEND_BACK, NULL, NULL, NULL, store_result, &result);
  g_assert_null (ts_store_change_finish (lina, wait_for (&result), &error));
  key = g_strdup (json_object_get_string_member (ts_store_error_get_facts (error), "key"));
  expected = g_strdup_printf (_("“%s” needs a comment on %s: write one saying why, then press it again"), SEND_BACK, key);
  assert_refused_with (error, TS_STORE_ERROR_NOT_AVAILABLE, "comment_required", expected);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "comment");
  g_clear_error (&error);
  g_clear_object (&result);

  comment = add_comment (lina, id, " \u3000", &error);
  g_assert_null (comment);
  assert_refused_with (error, TS_STORE_ERROR_INVALID, "comment_empty",
                       _("The comment is empty: write something in it, then send it again."));
  g_clear_error (&error);

  {
    g_autoptr(GString) body = g_string_new (NULL);
    g_autofree char *sentence = NULL;

    for (guint i = 0; i < 10002; i++)
      g_string_append (body, "字");
    comment = add_comment (lina, id, body->str, &error);
    g_assert_null (comment);
    sentence = g_strdup_printf (_("The comment is %d characters long; it may have at most %d. Shorten it, then send it again."),
                                10002, 10000);
    assert_refused_with (error, TS_STORE_ERROR_INVALID, "comment_too_long", sentence);
    g_clear_error (&error);
  }

  ts_store_fire_async (lina, id, 2, SEND_BACK, NULL, "请补充现场日志", NULL, store_result, &result);
  ticket = ts_store_change_finish (lina, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ts_ticket_get_state (ticket), ==, S1);
  g_assert_cmpint (ts_ticket_get_version (ticket), ==, 3);

  comments = list_comments (lina, id);
  g_assert_cmpuint (comments->len, ==, 1);
  g_assert_cmpstr (ts_comment_get_body (g_ptr_array_index (comments, 0)), ==, "请补充现场日志");
  /* The comment's time is the change's. */
  g_assert_true (g_date_time_equal (ts_comment_get_at (g_ptr_array_index (comments, 0)),
                                    ts_ticket_get_updated_at (ticket)));
}

/* The sentences themselves, from the facts alone (any client's). */
static void
test_refusal_sentences (void)
{
  g_autoptr(JsonObject) required = ts_refusal_parse_detail ("{\"ts\": \"comment_required\", \"trigger\": \"" SEND_BACK "\","
                                                            " \"state\": \"" S2 "\", \"key\": \"question_7\"}");
  g_autoptr(JsonObject) too_long = ts_refusal_parse_detail ("{\"ts\": \"comment_too_long\", \"length\": 10001, \"max_length\": 10000}");
  g_autoptr(JsonObject) empty = ts_refusal_parse_detail ("{\"ts\": \"comment_empty\"}");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_nonnull (required);
  a = ts_refusal_describe ("comment_required", required);
  g_assert_nonnull (strstr (a, SEND_BACK));
  g_assert_nonnull (strstr (a, "question_7"));
  b = ts_refusal_describe ("comment_too_long", too_long);
  g_assert_nonnull (strstr (b, "10001"));
  g_assert_nonnull (strstr (b, "10000"));
  c = ts_refusal_describe ("comment_empty", empty);
  g_assert_nonnull (c);
  g_test_message ("%s / %s / %s", a, b, c);
}

static void
on_reconnected (TsStore  *store,
                gboolean *reconnected)
{
  *reconnected = TRUE;
}

/* Offline, the comments last listed are read from the cache; adding one
 * needs the server. */
static void
test_store_offline (void)
{
  g_autofree char *id_text = ticket_in_review ();
  gint64 id = g_ascii_strtoll (id_text, NULL, 10);
  g_autofree char *root = g_dir_make_tmp ("ts-comments-cache-XXXXXX", NULL);
  g_autoptr(TsStore) store = open_store ("wangfang");
  g_autoptr(TsCache) cache = ts_cache_new_in (root, db, ts_store_get_user (store));
  g_autoptr(TsComment) first = NULL;
  g_autoptr(TsComment) second = NULL;
  g_autoptr(TsComment) offline = NULL;
  g_autoptr(GPtrArray) online = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean reconnected = FALSE;

  ts_store_set_cache (store, cache);
  first = add_comment (store, id, "第一条", &error);
  g_assert_no_error (error);
  second = add_comment (store, id, "第二条\n换行也留着", &error);
  g_assert_no_error (error);
  online = list_comments (store, id);
  g_assert_cmpuint (online->len, ==, 2);
  ts_cache_flush (cache);

  g_signal_connect (store, "reconnected", G_CALLBACK (on_reconnected), &reconnected);
  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);
  while (ts_store_get_online (store))
    g_main_context_iteration (NULL, TRUE);

  cached = list_comments (store, id);
  g_assert_cmpuint (cached->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      TsComment *a = g_ptr_array_index (online, i);
      TsComment *b = g_ptr_array_index (cached, i);

      g_assert_cmpint (ts_comment_get_id (a), ==, ts_comment_get_id (b));
      g_assert_cmpint (ts_comment_get_ticket_id (b), ==, id);
      g_assert_cmpstr (ts_comment_get_author (a), ==, ts_comment_get_author (b));
      g_assert_cmpstr (ts_comment_get_body (a), ==, ts_comment_get_body (b));
      g_assert_true (g_date_time_equal (ts_comment_get_at (a), ts_comment_get_at (b)));
    }
  g_assert_nonnull (ts_store_get_data_time (store));

  /* A ticket whose comments were never listed has none to show offline. */
  ts_store_list_comments_async (store, id + 1000, NULL, store_result, &result);
  none = ts_store_list_comments_finish (store, wait_for (&result), &error);
  g_assert_null (none);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);

  offline = add_comment (store, id, "离线时写的", &error);
  g_assert_null (offline);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  while (!reconnected)
    g_main_context_iteration (NULL, TRUE);

  ts_cache_clear (cache);
  g_rmdir (root);
}

/* main {{{1 */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The locale of the environment (test-comments-db-zh_CN: zh_CN.UTF-8),
   * with the build tree's catalogues for the refusals' sentences. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  prepare ();

  g_test_add_func ("/ts/comments-db/definition", test_definition);
  g_test_add_func ("/ts/comments-db/add/any-member", test_add_any_member);
  g_test_add_func ("/ts/comments-db/add/non-member", test_add_non_member);
  g_test_add_func ("/ts/comments-db/add/refused", test_add_refused);
  g_test_add_func ("/ts/comments-db/append-only", test_append_only);
  g_test_add_func ("/ts/comments-db/notify", test_notify);
  g_test_add_func ("/ts/comments-db/fire/required", test_fire_required);
  g_test_add_func ("/ts/comments-db/fire/optional", test_fire_optional);
  g_test_add_func ("/ts/comments-db/fire/other-refusals", test_fire_other_refusals);
  g_test_add_func ("/ts/comments-db/store/add-list", test_store_add_list);
  g_test_add_func ("/ts/comments-db/store/fire", test_store_fire);
  g_test_add_func ("/ts/comments-db/store/refusal-sentences", test_refusal_sentences);
  g_test_add_func ("/ts/comments-db/store/offline", test_store_offline);

  ret = g_test_run ();

  g_free (definition);
  g_free (db);
  ts_test_server_free (server);

  return ret;
}
