/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-assignment-watcher.h"
#include "ts-migrations.h"
#include "ts-store.h"
#include "ts-ticket-list.h"
#include "ts-test-server.h"

/* The client's connection and store against a real server: every call,
 * every error code, a notification arriving while a query is in flight,
 * cancellation, timeouts and a server that goes away. */

static TsTestServer *server;
static guint role_counter;

typedef struct
{
  char *db;
  char *prefix;  /* roles are cluster-wide: each test names its own */
} Fixture;

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

static void
exec_ok (const char *db,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  ts_test_server_exec (server, db, sql, &error);
  g_assert_no_error (error);
}

static char *
role (Fixture    *fixture,
      const char *name)
{
  return g_strdup_printf ("%s_%s", fixture->prefix, name);
}

/* A database with the server side installed, issue_track imported and
 * three members (zhangwei, lina, wangfang) plus an outsider. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *schema_path = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *sql = NULL;
  PGconn *conn;
  PGresult *result;
  const char *params[1];

  fixture->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  fixture->prefix = g_strdup_printf ("s%u", ++role_counter);

  if (data != NULL)  /* a bare database */
    return;

  conninfo = ts_test_server_conninfo (server, fixture->db, NULL);
  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);

  schema_path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_assert_true (g_file_get_contents (schema_path, &schema, NULL, NULL));
  params[0] = schema;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);
  PQfinish (conn);

  sql = g_strdup_printf ("CREATE ROLE %1$s_zhangwei LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_lina LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_wangfang LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_outsider LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %1$s_stranger LOGIN;"
                         "SELECT tasksteper.add_member ('issue_track', '%1$s_zhangwei');"
                         "SELECT tasksteper.add_member ('issue_track', '%1$s_lina');"
                         "SELECT tasksteper.add_member ('issue_track', '%1$s_wangfang');",
                         fixture->prefix);
  exec_ok (fixture->db, sql);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_free (fixture->db);
  g_free (fixture->prefix);
}

static TsStore *
open_store (Fixture    *fixture,
            const char *who)
{
  g_autofree char *user = role (fixture, who);
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ts_store_get_user (store), ==, user);
  g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_READY);

  return g_steal_pointer (&store);
}

static TsTicket *
change_ok (TsStore       *store,
           GAsyncResult **slot)
{
  g_autoptr(GError) error = NULL;
  TsTicket *ticket = ts_store_change_finish (store, wait_for (slot), &error);

  g_assert_no_error (error);
  g_assert_nonnull (ticket);
  g_clear_object (slot);
  return ticket;
}

static TsTicket *
create (TsStore    *store,
        const char *json)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL,
                                store_result, &result);
  return change_ok (store, &result);
}

static GPtrArray *
list_page (TsStore          *store,
           TsTicketListKind  which,
           const char       *sort,
           gboolean          descending,
           TsTicket         *after,
           guint             offset,
           guint             limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) cursor = after != NULL ? ts_store_cursor_for_ticket (after, sort) : NULL;
  GPtrArray *tickets;

  ts_store_list_tickets_async (store, "issue_track", which, sort, descending, cursor, offset, limit,
                               NULL, store_result, &result);
  tickets = ts_store_list_tickets_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return tickets;
}

/* The first @limit rows, newest number first. */
static GPtrArray *
list (TsStore          *store,
      TsTicketListKind  which,
      guint             limit)
{
  return list_page (store, which, NULL, TRUE, NULL, 0, limit);
}

static gint64
count_list (TsStore          *store,
            TsTicketListKind  which)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n;

  ts_store_count_tickets_async (store, "issue_track", which, NULL, store_result, &result);
  n = ts_store_count_tickets_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  return n;
}

/* The list's pages, in every order it offers, one cursor after another
 * and by offset, give the rows search_tickets() gives in that order; the
 * pending list gives the same rows less those of others. */
static void
test_list_orders (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autofree char *lina_name = role (fixture, "lina");
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s\"}", lina_name);
  g_autoptr(JsonNode) checker = json_from_string (fields, NULL);
  g_autoptr(JsonNode) everything = json_from_string ("{}", NULL);
  const char *summaries[] = {
    "{\"summary\": \"【20180102】北京局点服务器硬盘故障\", \"issue_level\": \"严重问题\"}",
    "{\"summary\": \"【20180103】上海局点电源告警\"}",
    "{\"summary\": \"【20180102】北京局点服务器硬盘故障\", \"issue_level\": \"一般问题\"}",
    "{\"summary\": \"Apple 设备\", \"issue_level\": \"严重问题\"}",
    "{\"summary\": \"apple 设备\"}",
    "{\"summary\": \"【20180101】深圳局点交换机掉电\", \"issue_level\": \"紧急问题\"}",
    "{\"summary\": \"【20180103】上海局点电源告警\", \"issue_level\": \"一般问题\"}",
  };
  const char *sorts[] = { "number", "updated_at", "created_at", "state", "assigned_to", "created_by",
                          "summary", "issue_level" };
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (summaries); i++)
    g_ptr_array_add (created, create (i % 3 == 2 ? lina : zhangwei, summaries[i]));
  /* Some move on, to lina, in another state, updated later. */
  for (guint i = 0; i < created->len; i += 2)
    {
      g_autoptr(GAsyncResult) result = NULL;
      TsTicket *ticket = g_ptr_array_index (created, i);
      TsStore *store = g_str_equal (ts_ticket_get_assigned_to (ticket), lina_name) ? lina : zhangwei;

      ts_store_fire_async (store, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket), "提交审核",
                           json_node_get_object (checker), NULL, NULL, store_result, &result);
      g_object_unref (change_ok (store, &result));
    }

  for (guint s = 0; s < G_N_ELEMENTS (sorts); s++)
    for (int descending = 0; descending <= 1; descending++)
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) expected = NULL;
        g_autoptr(GPtrArray) paged = g_ptr_array_new_with_free_func (g_object_unref);
        g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);
        g_autoptr(GPtrArray) mine = g_ptr_array_new ();
        TsTicket *last = NULL;

        g_test_message ("by %s, %s", sorts[s], descending ? "descending" : "ascending");
        ts_store_search_tickets_async (zhangwei, "issue_track", everything, sorts[s], descending, NULL, 100,
                                       NULL, store_result, &result);
        expected = ts_store_search_tickets_finish (zhangwei, wait_for (&result), &error);
        g_assert_no_error (error);
        g_assert_cmpuint (expected->len, ==, G_N_ELEMENTS (summaries));

        /* Two at a time, each page after the last row of the one before. */
        for (;;)
          {
            g_autoptr(GPtrArray) page = list_page (zhangwei, TS_TICKET_LIST_ALL, sorts[s], descending,
                                                   last, 0, 2);

            for (guint i = 0; i < page->len; i++)
              g_ptr_array_add (paged, g_object_ref (g_ptr_array_index (page, i)));
            if (page->len < 2)
              break;
            last = g_ptr_array_index (paged, paged->len - 1);
          }
        g_assert_cmpuint (paged->len, ==, expected->len);
        for (guint i = 0; i < expected->len; i++)
          g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (paged, i)), ==,
                           ts_ticket_get_id (g_ptr_array_index (expected, i)));

        /* A jump: three rows on from the second row's cursor. */
        {
          g_autoptr(GPtrArray) jump = list_page (zhangwei, TS_TICKET_LIST_ALL, sorts[s], descending,
                                                 g_ptr_array_index (expected, 1), 3, 2);

          g_assert_cmpuint (jump->len, ==, 2);
          g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (jump, 0)), ==,
                           ts_ticket_get_id (g_ptr_array_index (expected, 5)));
          g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (jump, 1)), ==,
                           ts_ticket_get_id (g_ptr_array_index (expected, 6)));
        }

        /* The pending list: zhangwei's, in the same order, page by page. */
        for (guint i = 0; i < expected->len; i++)
          if (g_strcmp0 (ts_ticket_get_assigned_to (g_ptr_array_index (expected, i)),
                         ts_store_get_user (zhangwei)) == 0)
            g_ptr_array_add (mine, g_ptr_array_index (expected, i));
        g_assert_cmpuint (mine->len, >, 1);
        last = NULL;
        for (;;)
          {
            g_autoptr(GPtrArray) page = list_page (zhangwei, TS_TICKET_LIST_PENDING, sorts[s], descending,
                                                   last, 0, 1);

            if (page->len == 0)
              break;
            g_ptr_array_add (pending, g_object_ref (g_ptr_array_index (page, 0)));
            last = g_ptr_array_index (page, 0);
          }
        g_assert_cmpuint (pending->len, ==, mine->len);
        for (guint i = 0; i < mine->len; i++)
          g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (pending, i)), ==,
                           ts_ticket_get_id (g_ptr_array_index (mine, i)));
        g_assert_cmpint (count_list (zhangwei, TS_TICKET_LIST_PENDING), ==, mine->len);
      }
  g_assert_cmpint (count_list (zhangwei, TS_TICKET_LIST_ALL), ==, G_N_ELEMENTS (summaries));

  /* A cursor that is not one is refused before anything is sent. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) bad = json_from_string ("{\"value\": 3, \"number\": 3}", NULL);

    ts_store_list_tickets_async (zhangwei, "issue_track", TS_TICKET_LIST_ALL, "updated_at", TRUE, bad, 0, 10,
                                 NULL, store_result, &result);
    g_assert_null (ts_store_list_tickets_finish (zhangwei, wait_for (&result), &error));
    g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  }
}

static void
test_connect_states (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, NULL);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) rows = NULL;
  const char *params[] = { "网上问题处理 😀 '; DROP TABLE x; --" };

  g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_DISCONNECTED);
  ts_connection_connect_async (connection, NULL, store_result, &result);
  g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_CONNECTING);
  g_assert_true (ts_connection_connect_finish (connection, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_READY);
  g_assert_cmpstr (ts_connection_get_user (connection), ==, "postgres");
  g_clear_object (&result);

  /* Parameters travel as they are, never as SQL. */
  ts_connection_query_async (connection, "SELECT $1::text", params, 1, NULL, store_result, &result);
  rows = ts_connection_query_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (PQresultStatus (rows), ==, PGRES_TUPLES_OK);
  g_assert_cmpstr (PQgetvalue (rows, 0, 0), ==, params[0]);

  ts_connection_close (connection);
  g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_DISCONNECTED);
  g_clear_object (&result);
  ts_connection_query_async (connection, "SELECT 1", NULL, 0, NULL, store_result, &result);
  g_assert_null (ts_connection_query_finish (connection, wait_for (&result), &error));
  g_assert_error (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_CLOSED);
}

static void
test_connect_unreachable (void)
{
  g_autoptr(TsConnection) connection = ts_connection_new ("host=/nonexistent/socket/dir port=5999 dbname=x", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_connection_connect_async (connection, NULL, store_result, &result);
  g_assert_false (ts_connection_connect_finish (connection, wait_for (&result), &error));
  g_assert_error (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_UNREACHABLE);
  g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_DISCONNECTED);
  g_test_message ("%s", error->message);

  /* Under zh_CN.UTF-8 libpq's words are Chinese, and the cause was still
   * found. */
  if (strstr (setlocale (LC_MESSAGES, NULL), "zh_CN") != NULL)
    g_assert_false (g_str_is_ascii (error->message));
}

/* The harness trusts local connections; this test asks for a password
 * for one role of its own. */
static void
test_connect_password (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *user = role (fixture, "pw");
  g_autofree char *sql = g_strdup_printf ("SET password_encryption = 'scram-sha-256';"
                                          "CREATE ROLE %s LOGIN PASSWORD 'right horse'", user);
  g_autofree char *hba_path = g_build_filename (ts_test_server_get_data_dir (server), "pg_hba.conf", NULL);
  g_autofree char *hba = NULL;
  g_autofree char *new_hba = NULL;
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  static const char * const server_languages[] = { "C", "zh_CN.UTF-8" };
  static const struct { const char *password; int code; } cases[] = {
    { NULL, TS_CONNECTION_ERROR_NEEDS_PASSWORD },
    { "wrong horse", TS_CONNECTION_ERROR_BAD_PASSWORD },
    { "right horse", -1 },
  };
  g_autoptr(GError) error = NULL;

  exec_ok (fixture->db, sql);
  g_assert_true (g_file_get_contents (hba_path, &hba, NULL, NULL));
  new_hba = g_strdup_printf ("local all %s scram-sha-256\n%s", user, hba);
  g_assert_true (g_file_set_contents (hba_path, new_hba, -1, NULL));
  exec_ok (fixture->db, "SELECT pg_reload_conf ()");
  g_usleep (200 * 1000);

  /* The same whatever language the server speaks (its lc_messages), as
   * the client's: nothing is decided on the text of a message. */
  for (guint lang = 0; lang < G_N_ELEMENTS (server_languages); lang++)
    {
      g_autofree char *set = g_strdup_printf ("ALTER SYSTEM SET lc_messages = '%s'", server_languages[lang]);

      exec_ok (fixture->db, set);
      exec_ok (fixture->db, "SELECT pg_reload_conf ()");
      g_usleep (200 * 1000);

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr(TsConnection) connection = ts_connection_new (conninfo, cases[i].password);
          g_autoptr(GAsyncResult) result = NULL;
          gboolean ok;

          g_clear_error (&error);
          ts_connection_connect_async (connection, NULL, store_result, &result);
          ok = ts_connection_connect_finish (connection, wait_for (&result), &error);
          if (cases[i].code < 0)
            {
              g_assert_no_error (error);
              g_assert_true (ok);
            }
          else
            {
              g_test_message ("server in %s: %s", server_languages[lang], error->message);
              g_assert_error (error, TS_CONNECTION_ERROR, cases[i].code);
              g_assert_false (ok);
            }
        }
    }

  exec_ok (fixture->db, "ALTER SYSTEM RESET lc_messages");
  g_assert_true (g_file_set_contents (hba_path, hba, -1, NULL));
  exec_ok (fixture->db, "SELECT pg_reload_conf ()");
}

static void
test_open_not_installed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, NULL);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_false (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_INSTALLED);
  g_assert_nonnull (strstr (error->message, "tasksteper-admin init"));
}

static void
test_open_not_a_user (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *user = role (fixture, "stranger");
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_false (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, user));
}

static void
test_projects (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TsStore) member = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) outsider = open_store (fixture, "outsider");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(TsTicket) t1 = create (member, "{}");
  g_autoptr(TsTicket) t2 = create (member, "{}");
  TsProjectSummary *summary;

  ts_store_list_projects_async (member, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (member, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  summary = g_ptr_array_index (projects, 0);
  g_assert_cmpstr (ts_project_summary_get_name (summary), ==, "issue_track");
  g_assert_cmpstr (ts_project_summary_get_title (summary), ==, "网上问题处理");
  g_assert_cmpint (ts_project_summary_get_revision (summary), ==, 1);
  g_assert_cmpuint (ts_project_summary_get_n_pending (summary), ==, 2);
  g_assert_cmpuint (ts_project_get_n_fields (ts_project_summary_get_project (summary)), ==, 14);

  g_clear_object (&result);
  g_clear_pointer (&projects, g_ptr_array_unref);
  ts_store_list_projects_async (outsider, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (outsider, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 0);
}

static void
test_tickets_and_history (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autofree char *lina_name = role (fixture, "lina");
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s\"}", lina_name);
  g_autoptr(JsonNode) node = json_from_string (fields, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(TsTicket) fired = NULL;
  g_autoptr(TsTicket) first = NULL;
  TsHistoryEntry *entry;

  first = create (zhangwei, "{\"summary\": \"【20170101】某局点设备发生问题 😀\"}");
  g_assert_cmpstr (ts_ticket_get_key (first), ==, "question_1");
  g_assert_cmpstr (ts_ticket_get_state (first), ==, "维护人员处理");
  g_assert_cmpstr (ts_ticket_get_assigned_to (first), ==, ts_store_get_user (zhangwei));
  g_assert_cmpint (ts_ticket_get_version (first), ==, 1);
  g_assert_nonnull (ts_ticket_get_created_at (first));
  g_assert_cmpstr (json_object_get_string_member (ts_ticket_get_fields (first), "summary"), ==,
                   "【20170101】某局点设备发生问题 😀");
  for (guint i = 0; i < 4; i++)
    g_object_unref (create (zhangwei, "{}"));

  /* Pages of two, newest first, until none are left. */
  page = list (zhangwei, TS_TICKET_LIST_ALL, 2);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpint (ts_ticket_get_number (g_ptr_array_index (page, 0)), ==, 5);
  {
    g_autoptr(GPtrArray) next = list_page (zhangwei, TS_TICKET_LIST_ALL, "number", TRUE,
                                           g_ptr_array_index (page, 1), 0, 2);
    g_autoptr(GPtrArray) last = NULL;

    g_assert_cmpuint (next->len, ==, 2);
    g_assert_cmpint (ts_ticket_get_number (g_ptr_array_index (next, 0)), ==, 3);
    last = list_page (zhangwei, TS_TICKET_LIST_ALL, "number", TRUE, g_ptr_array_index (next, 1), 0, 2);
    g_assert_cmpuint (last->len, ==, 1);
    g_assert_cmpint (ts_ticket_get_number (g_ptr_array_index (last, 0)), ==, 1);
  }
  g_clear_pointer (&page, g_ptr_array_unref);
  g_assert_cmpint (count_list (zhangwei, TS_TICKET_LIST_ALL), ==, 5);

  ts_store_fire_async (zhangwei, ts_ticket_get_id (first), 1, "提交审核", json_node_get_object (node), NULL,
                       NULL, store_result, &result);
  fired = change_ok (zhangwei, &result);
  g_assert_cmpstr (ts_ticket_get_state (fired), ==, "维护代表审核");
  g_assert_cmpstr (ts_ticket_get_assigned_to (fired), ==, lina_name);
  g_assert_cmpint (ts_ticket_get_version (fired), ==, 2);

  page = list (zhangwei, TS_TICKET_LIST_PENDING, 100);
  g_assert_cmpuint (page->len, ==, 4);
  g_assert_cmpint (count_list (zhangwei, TS_TICKET_LIST_PENDING), ==, 4);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = list (lina, TS_TICKET_LIST_PENDING, 100);
  g_assert_cmpint (count_list (lina, TS_TICKET_LIST_PENDING), ==, 1);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (page, 0)), ==, ts_ticket_get_id (first));

  ts_store_get_history_async (lina, ts_ticket_get_id (first), NULL, store_result, &result);
  history = ts_store_get_history_finish (lina, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  entry = g_ptr_array_index (history, 0);
  g_assert_null (ts_history_entry_get_trigger (entry));
  g_assert_null (ts_history_entry_get_from_state (entry));
  entry = g_ptr_array_index (history, 1);
  g_assert_cmpstr (ts_history_entry_get_trigger (entry), ==, "提交审核");
  g_assert_cmpstr (ts_history_entry_get_from_state (entry), ==, "维护人员处理");
  g_assert_cmpstr (ts_history_entry_get_to_assignee (entry), ==, lina_name);
  g_assert_true (json_object_has_member (ts_history_entry_get_changes (entry), "issue_checker"));
}

/* Every character a person can type is stored as typed, including the
 * control character json-glib 1.6 forgets to escape. */
static void
test_control_characters (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GAsyncResult) result = NULL;
  const char *text = "单元\x1f分隔\x01 \"引号\" \\ 😀";

  json_object_set_string_member (fields, "detail", text);
  ts_store_create_ticket_async (zhangwei, "issue_track", fields, NULL, store_result, &result);
  ticket = change_ok (zhangwei, &result);
  g_assert_cmpstr (json_object_get_string_member (ts_ticket_get_fields (ticket), "detail"), ==, text);
}

static void
assert_refused (TsStore      *store,
                GAsyncResult *result,
                int           code,
                const char   *sqlstate,
                const char   *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) ticket = ts_store_change_finish (store, result, &error);

  g_assert_null (ticket);
  g_assert_error (error, TS_STORE_ERROR, code);
  g_assert_cmpstr (ts_store_error_get_sqlstate (error), ==, sqlstate);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, field);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsStore) outsider = open_store (fixture, "outsider");
  g_autoptr(TsTicket) ticket = create (zhangwei, "{}");
  g_autoptr(JsonNode) bad_choice = json_from_string ("{\"issue_level\": \"特别严重\"}", NULL);
  g_autoptr(JsonNode) empty = json_from_string ("{}", NULL);
  gint64 id = ts_ticket_get_id (ticket);
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GAsyncResult) r4 = NULL;
  g_autoptr(GAsyncResult) r5 = NULL;
  g_autoptr(GAsyncResult) r6 = NULL;

  ts_store_save_ticket_async (lina, id, 1, json_node_get_object (empty), NULL, store_result, &r1);
  assert_refused (lina, wait_for (&r1), TS_STORE_ERROR_FORBIDDEN, "TS403", NULL);

  ts_store_save_ticket_async (outsider, id, 1, json_node_get_object (empty), NULL, store_result, &r2);
  assert_refused (outsider, wait_for (&r2), TS_STORE_ERROR_NOT_FOUND, "TS404", NULL);

  ts_store_save_ticket_async (zhangwei, id, 7, json_node_get_object (empty), NULL, store_result, &r3);
  assert_refused (zhangwei, wait_for (&r3), TS_STORE_ERROR_CONFLICT, "TS409", NULL);

  ts_store_save_ticket_async (zhangwei, id, 1, json_node_get_object (bad_choice), NULL, store_result, &r4);
  assert_refused (zhangwei, wait_for (&r4), TS_STORE_ERROR_INVALID, "TS422", "issue_level");

  ts_store_fire_async (zhangwei, id, 1, "提交审核", NULL, NULL, NULL, store_result, &r5);
  assert_refused (zhangwei, wait_for (&r5), TS_STORE_ERROR_NOT_AVAILABLE, "TS428", "issue_checker");

  ts_store_fire_async (zhangwei, id, 1, "问题关闭", NULL, NULL, NULL, store_result, &r6);
  assert_refused (zhangwei, wait_for (&r6), TS_STORE_ERROR_NOT_AVAILABLE, "TS410", NULL);
}

typedef struct
{
  gint64 id;
  int    version;
  guint  count;
} Changed;

static void
on_ticket_changed (TsStore *store,
                   gint64   id,
                   int      version,
                   Changed *changed)
{
  changed->id = id;
  changed->version = version;
  changed->count++;
}

/* A notification that arrives while our own query runs is delivered too. */
static void
test_notification_during_query (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(TsStore) listener = open_store (fixture, "lina");
  g_autoptr(TsStore) writer = open_store (fixture, "zhangwei");
  g_autoptr(GAsyncResult) sleeping = NULL;
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  Changed changed = { 0 };

  g_signal_connect (listener, "ticket-changed", G_CALLBACK (on_ticket_changed), &changed);

  ts_connection_query_async (ts_store_get_connection (listener), "SELECT pg_sleep (1.5)", NULL, 0,
                             NULL, store_result, &sleeping);
  ts_store_create_ticket_async (writer, "issue_track", NULL, NULL, store_result, &created);
  ticket = change_ok (writer, &created);
  g_assert_null (sleeping);

  rows = ts_connection_query_finish (ts_store_get_connection (listener), wait_for (&sleeping), &error);
  g_assert_no_error (error);
  while (changed.count == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (changed.id, ==, ts_ticket_get_id (ticket));
  g_assert_cmpint (changed.version, ==, 1);
}

static void
on_cancel_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel_and_timeout (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, NULL);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) rows = NULL;
  gint64 start;

  ts_connection_connect_async (connection, NULL, store_result, &result);
  g_assert_true (ts_connection_connect_finish (connection, wait_for (&result), &error));
  g_clear_object (&result);

  /* Cancelled while the server works: the answer comes at once, the
   * server stops the statement, and the connection stays usable. */
  start = g_get_monotonic_time ();
  g_timeout_add_once (100, on_cancel_timeout, cancellable);
  ts_connection_query_async (connection, "SELECT pg_sleep (30)", NULL, 0, cancellable, store_result, &result);
  g_assert_null (ts_connection_query_finish (connection, wait_for (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_error (&error);
  g_clear_object (&result);

  ts_connection_query_async (connection, "SELECT 42", NULL, 0, NULL, store_result, &result);
  rows = ts_connection_query_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (PQgetvalue (rows, 0, 0), ==, "42");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_pointer (&rows, PQclear);
  g_clear_object (&result);

  /* A deadline of our own. */
  ts_connection_set_timeouts (connection, 5, 1);
  ts_connection_query_async (connection, "SELECT pg_sleep (20)", NULL, 0, NULL, store_result, &result);
  g_assert_null (ts_connection_query_finish (connection, wait_for (&result), &error));
  g_assert_error (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_clear_object (&result);

  ts_connection_query_async (connection, "SELECT 'still here'", NULL, 0, NULL, store_result, &result);
  rows = ts_connection_query_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (PQgetvalue (rows, 0, 0), ==, "still here");
}

static void
on_state_changed (TsConnection *connection,
                  GParamSpec   *pspec,
                  GArray       *states)
{
  TsConnectionState state = ts_connection_get_state (connection);

  g_array_append_val (states, state);
}

static TsProject *
issue_track (TsStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;

  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  return g_object_ref (ts_project_summary_get_project (g_ptr_array_index (projects, 0)));
}

static void
wait_loaded (TsTicketList *list)
{
  while (ts_ticket_list_get_loading (list))
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error ((GError *)ts_ticket_list_get_error (list));
}

static void
wait_n_items (TsTicketList *list,
              guint         n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_list_model_get_n_items (G_LIST_MODEL (list)) != n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
}

/* The tables' model: loads in pages and follows changes made elsewhere. */
static void
test_ticket_list (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = NULL;
  g_autoptr(TsTicketList) pending = NULL;
  g_autofree char *lina_name = role (fixture, "lina");
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s\", \"issue_processor\": \"%s_zhangwei\"}",
                                             lina_name, fixture->prefix);
  g_autoptr(JsonNode) node = json_from_string (fields, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TsTicket) fired = NULL;
  g_autoptr(TsTicket) back = NULL;
  g_autoptr(TsTicket) first = NULL;
  g_autoptr(TsTicket) item = NULL;

  for (guint i = 0; i < 5; i++)
    g_object_unref (create (zhangwei, "{}"));

  all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);
  ts_ticket_list_set_page_size (all, 2);
  ts_ticket_list_reload (all);
  pending = ts_ticket_list_new (lina, project, TS_TICKET_LIST_PENDING);
  wait_loaded (all);
  wait_loaded (pending);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pending)), ==, 0);
  item = g_list_model_get_item (G_LIST_MODEL (all), 0);
  g_assert_cmpint (ts_ticket_get_number (item), ==, 5);
  g_clear_object (&item);
  /* The last row is read when asked for. */
  item = g_list_model_get_item (G_LIST_MODEL (all), 4);
  while (ts_ticket_list_is_placeholder (item))
    {
      g_clear_object (&item);
      g_main_context_iteration (NULL, TRUE);
      item = g_list_model_get_item (G_LIST_MODEL (all), 4);
    }
  g_assert_cmpint (ts_ticket_get_number (item), ==, 1);

  /* Someone else creates a ticket: it appears in "all" by itself. */
  first = create (zhangwei, "{}");
  wait_n_items (all, 6);
  /* The pages shown are read again: the new one is at the top. */
  while (ts_ticket_list_lookup (all, ts_ticket_get_id (first)) == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* Someone passes me a ticket: it appears in my pending list. */
  ts_store_fire_async (zhangwei, ts_ticket_get_id (first), 1, "提交审核", json_node_get_object (node), NULL,
                       NULL, store_result, &result);
  fired = change_ok (zhangwei, &result);
  wait_n_items (pending, 1);
  while (ts_ticket_get_version (ts_ticket_list_lookup (all, ts_ticket_get_id (first))) != 2)
    g_main_context_iteration (NULL, TRUE);

  /* I pass it back: it leaves my pending list, and "all" has the new row. */
  ts_store_fire_async (lina, ts_ticket_get_id (first), 2, "打回补充信息", NULL, NULL, NULL, store_result, &result);
  back = change_ok (lina, &result);
  wait_n_items (pending, 0);
  while (ts_ticket_get_version (ts_ticket_list_lookup (all, ts_ticket_get_id (first))) != 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 6);
}

static void
on_reconnected (TsStore  *store,
                gboolean *reconnected)
{
  *reconnected = TRUE;
}

/* The server goes away under an open connection: the store says so at
 * once, reconnects by itself once the server is back, and says so. */
static void
test_server_lost (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TsStore) store = open_store (fixture, "zhangwei");
  TsConnection *connection = ts_store_get_connection (store);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (TsConnectionState));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gboolean reconnected = FALSE;

  g_signal_connect (connection, "notify::state", G_CALLBACK (on_state_changed), states);
  g_signal_connect (store, "reconnected", G_CALLBACK (on_reconnected), &reconnected);
  g_assert_true (ts_store_get_online (store));
  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);

  while (ts_connection_get_state (connection) != TS_CONNECTION_LOST)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (ts_store_get_online (store));

  ts_store_list_tickets_async (store, "issue_track", TS_TICKET_LIST_ALL, NULL, TRUE, NULL, 0, 10,
                               NULL, store_result, &result);
  g_assert_null (ts_store_list_tickets_finish (store, wait_for (&result), &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);
  g_clear_object (&result);
  ts_store_count_tickets_async (store, "issue_track", TS_TICKET_LIST_PENDING, NULL, store_result, &result);
  g_assert_cmpint (ts_store_count_tickets_finish (store, wait_for (&result), &error), ==, -1);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Let a retry or two fail against the stopped server. */
  {
    gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_false (reconnected);

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  while (!reconnected)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ts_store_get_online (store));

  page = list (store, TS_TICKET_LIST_ALL, 10);
  g_assert_cmpuint (page->len, ==, 0);

  g_assert_cmpint (g_array_index (states, TsConnectionState, 0), ==, TS_CONNECTION_LOST);
  g_assert_cmpint (g_array_index (states, TsConnectionState, states->len - 1), ==, TS_CONNECTION_READY);
}

/* Offline, the store answers from what it saved while online. */
static void
test_offline_cache (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *root = g_dir_make_tmp ("ts-store-cache-XXXXXX", NULL);
  g_autoptr(TsStore) store = open_store (fixture, "zhangwei");
  g_autoptr(TsCache) cache = ts_cache_new_in (root, fixture->db, ts_store_get_user (store));
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(TsProject) project = NULL;
  g_autoptr(TsTicketList) pending = NULL;
  g_autoptr(TsTicketList) offline_pending = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reconnected = FALSE;

  ts_store_set_cache (store, cache);
  ticket = create (store, "{\"summary\": \"【20180131】离线也要能看\"}");
  project = issue_track (store);                      /* saves the projects */
  pending = ts_ticket_list_new (store, project, TS_TICKET_LIST_PENDING);
  wait_loaded (pending);                              /* saves the list */
  ts_store_get_history_async (store, ts_ticket_get_id (ticket), NULL, store_result, &result);
  history = ts_store_get_history_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  ts_store_remember_ticket (store, ticket, history);  /* an editor saves this */
  g_clear_pointer (&history, g_ptr_array_unref);
  g_clear_object (&result);
  ts_cache_flush (cache);
  g_assert_null (ts_store_get_data_time (store));

  g_signal_connect (store, "reconnected", G_CALLBACK (on_reconnected), &reconnected);
  g_assert_true (ts_test_server_pause (server, &error));
  while (ts_store_get_online (store))
    g_main_context_iteration (NULL, TRUE);

  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  g_assert_nonnull (ts_store_get_data_time (store));
  g_clear_object (&result);

  offline_pending = ts_ticket_list_new (store, project, TS_TICKET_LIST_PENDING);
  wait_loaded (offline_pending);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (offline_pending)), ==, 1);

  ts_store_get_history_async (store, ts_ticket_get_id (ticket), NULL, store_result, &result);
  history = ts_store_get_history_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 1);
  g_clear_object (&result);

  /* Writing needs the server. */
  ts_store_create_ticket_async (store, "issue_track", NULL, NULL, store_result, &result);
  g_assert_null (ts_store_change_finish (store, wait_for (&result), &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  while (!reconnected)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (ts_store_get_data_time (store));

  ts_cache_clear (cache);
  g_rmdir (root);
}

/* A second project; zhangwei is put into it by the tests that use it. */
static const char side_project[] =
  "{\"tasksteper\": 1, \"name\": \"side\", \"title\": \"旁路\","
  " \"fields\": [{\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"}],"
  " \"states\": [\"open\", \"closed\"],"
  " \"transitions\": [{\"source\": \"open\", \"trigger\": \"close\", \"dest\": \"closed\","
  "                    \"trans_condition\": {}, \"trans_action\": {}}]}";

/* Imports "side" with zhangwei in it, and names zhangwei and lina. */
static void
set_up_people (Fixture *fixture)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, NULL);
  g_autofree char *sql = NULL;
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) result = NULL;
  const char *params[] = { side_project };

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);

  sql = g_strdup_printf ("SET client_encoding = 'UTF8';"
                         "SELECT tasksteper.add_member ('side', '%1$s_zhangwei');"
                         "SELECT tasksteper.set_display_name ('%1$s_zhangwei', '张伟');"
                         "SELECT tasksteper.set_display_name ('%1$s_lina', '李娜');",
                         fixture->prefix);
  exec_ok (fixture->db, sql);
}

static GPtrArray *
list_members (TsStore    *store,
              const char *project)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *members;

  ts_store_list_members_async (store, project, NULL, store_result, &result);
  members = ts_store_list_members_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (members);
  return members;
}

static GPtrArray *
list_my_tickets (TsStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *tickets;

  ts_store_list_my_tickets_async (store, NULL, store_result, &result);
  tickets = ts_store_list_my_tickets_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tickets);
  return tickets;
}

/* "login=display name" of each member, or "login" when it has none. */
static char *
describe_members (GPtrArray *members)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < members->len; i++)
    {
      TsMember *member = g_ptr_array_index (members, i);

      g_string_append_printf (text, "%s%s", i > 0 ? " " : "", ts_member_get_login (member));
      if (ts_member_has_display_name (member))
        g_string_append_printf (text, "=%s", ts_member_get_display_name (member));
      else
        g_assert_cmpstr (ts_member_get_display_name (member), ==, ts_member_get_login (member));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "project/number" of each ticket. */
static char *
describe_tickets (GPtrArray *tickets)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);

      g_string_append_printf (text, "%s%s/%d", i > 0 ? " " : "", ts_ticket_get_project (ticket),
                              ts_ticket_get_number (ticket));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_member_object (void)
{
  g_autoptr(TsMember) named = ts_member_new ("zhangwei", "张伟");
  g_autoptr(TsMember) bare = ts_member_new ("lina", NULL);
  g_autoptr(TsMember) empty = ts_member_new ("wangfang", "");
  g_autofree char *login = NULL;
  g_autofree char *display_name = NULL;

  g_assert_cmpstr (ts_member_get_login (named), ==, "zhangwei");
  g_assert_cmpstr (ts_member_get_display_name (named), ==, "张伟");
  g_assert_true (ts_member_has_display_name (named));
  g_assert_cmpstr (ts_member_get_display_name (bare), ==, "lina");
  g_assert_false (ts_member_has_display_name (bare));
  g_assert_cmpstr (ts_member_get_display_name (empty), ==, "wangfang");
  g_assert_false (ts_member_has_display_name (empty));

  g_object_get (named, "login", &login, "display-name", &display_name, NULL);
  g_assert_cmpstr (login, ==, "zhangwei");
  g_assert_cmpstr (display_name, ==, "张伟");
  g_clear_pointer (&display_name, g_free);
  g_object_get (bare, "display-name", &display_name, NULL);
  g_assert_cmpstr (display_name, ==, "lina");

  g_assert_finalize_object (g_steal_pointer (&named));
  g_assert_finalize_object (g_steal_pointer (&bare));
  g_assert_finalize_object (g_steal_pointer (&empty));
}

/* Members with their display names, sorted by the name shown; nothing for
 * someone outside the project. */
static void
test_members (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TsStore) wangfang = open_store (fixture, "wangfang");
  g_autoptr(TsStore) outsider = open_store (fixture, "outsider");
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) side = NULL;
  g_autofree char *described = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *side_described = NULL;
  TsMember *first;

  set_up_people (fixture);

  members = list_members (wangfang, "issue_track");
  g_assert_cmpuint (members->len, ==, 3);
  described = describe_members (members);
  g_test_message ("members: %s", described);
  /* A Latin login before the Chinese names, in any collation; the order
   * of 张伟 and 李娜 is the database's collation's. */
  first = g_ptr_array_index (members, 0);
  g_assert_cmpstr (ts_member_get_login (first), ==, ts_store_get_user (wangfang));
  g_assert_false (ts_member_has_display_name (first));
  expected = g_strdup_printf ("%s_zhangwei=张伟", fixture->prefix);
  g_assert_nonnull (strstr (described, expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s_lina=李娜", fixture->prefix);
  g_assert_nonnull (strstr (described, expected));

  none = list_members (outsider, "issue_track");
  g_assert_cmpuint (none->len, ==, 0);

  /* zhangwei alone in "side": wangfang is not in it. */
  side = list_members (wangfang, "side");
  g_assert_cmpuint (side->len, ==, 0);
}

/* My open tickets across projects, by project and newest first. */
static void
test_my_tickets (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s_lina\"}", fixture->prefix);
  g_autoptr(JsonNode) node = json_from_string (fields, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) linas = NULL;
  g_autoptr(TsTicket) side_ticket = NULL;
  g_autoptr(TsTicket) closed = NULL;
  g_autoptr(TsTicket) passed = NULL;
  g_autoptr(TsTicket) fired = NULL;
  g_autoptr(TsTicket) done = NULL;
  g_autofree char *described = NULL;

  set_up_people (fixture);

  g_object_unref (create (zhangwei, "{}"));
  g_object_unref (create (zhangwei, "{}"));
  passed = create (zhangwei, "{}");
  ts_store_create_ticket_async (zhangwei, "side", NULL, NULL, store_result, &result);
  side_ticket = change_ok (zhangwei, &result);
  ts_store_create_ticket_async (zhangwei, "side", NULL, NULL, store_result, &result);
  closed = change_ok (zhangwei, &result);
  ts_store_fire_async (zhangwei, ts_ticket_get_id (closed), 1, "close", NULL, NULL, NULL, store_result, &result);
  done = change_ok (zhangwei, &result);
  ts_store_fire_async (zhangwei, ts_ticket_get_id (passed), 1, "提交审核", json_node_get_object (node), NULL,
                       NULL, store_result, &result);
  fired = change_ok (zhangwei, &result);

  mine = list_my_tickets (zhangwei);
  described = describe_tickets (mine);
  g_assert_cmpstr (described, ==, "issue_track/2 issue_track/1 side/1");
  g_assert_cmpstr (ts_ticket_get_key (g_ptr_array_index (mine, 2)), ==, "side_1");
  g_assert_cmpstr (ts_ticket_get_assigned_to (g_ptr_array_index (mine, 0)), ==, ts_store_get_user (zhangwei));

  linas = list_my_tickets (lina);
  g_clear_pointer (&described, g_free);
  described = describe_tickets (linas);
  g_assert_cmpstr (described, ==, "issue_track/3");
}

/* Offline, members and my tickets come from what was saved online. */
static void
test_offline_members_and_my_tickets (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autofree char *root = g_dir_make_tmp ("ts-store-cache-XXXXXX", NULL);
  g_autoptr(TsStore) store = open_store (fixture, "zhangwei");
  g_autoptr(TsCache) cache = ts_cache_new_in (root, fixture->db, ts_store_get_user (store));
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GPtrArray) offline_members = NULL;
  g_autoptr(GPtrArray) offline_tickets = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) side_ticket = NULL;
  g_autofree char *online_members = NULL;
  g_autofree char *online_tickets = NULL;
  g_autofree char *described = NULL;
  gboolean reconnected = FALSE;

  set_up_people (fixture);
  ts_store_set_cache (store, cache);
  g_object_unref (create (store, "{}"));
  ts_store_create_ticket_async (store, "side", NULL, NULL, store_result, &result);
  side_ticket = change_ok (store, &result);

  members = list_members (store, "issue_track");
  online_members = describe_members (members);
  tickets = list_my_tickets (store);
  online_tickets = describe_tickets (tickets);
  g_assert_cmpstr (online_tickets, ==, "issue_track/1 side/1");
  ts_cache_flush (cache);
  g_assert_null (ts_store_get_data_time (store));

  g_signal_connect (store, "reconnected", G_CALLBACK (on_reconnected), &reconnected);
  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);
  while (ts_store_get_online (store))
    g_main_context_iteration (NULL, TRUE);

  offline_members = list_members (store, "issue_track");
  described = describe_members (offline_members);
  g_assert_cmpstr (described, ==, online_members);
  g_assert_nonnull (ts_store_get_data_time (store));
  offline_tickets = list_my_tickets (store);
  g_clear_pointer (&described, g_free);
  described = describe_tickets (offline_tickets);
  g_assert_cmpstr (described, ==, online_tickets);
  g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (offline_tickets, 1)), ==, ts_ticket_get_id (side_ticket));

  /* A project never listed online has nothing saved: offline it is. */
  ts_store_list_members_async (store, "side", NULL, store_result, &result);
  g_assert_null (ts_store_list_members_finish (store, wait_for (&result), &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  while (!reconnected)
    g_main_context_iteration (NULL, TRUE);

  ts_cache_clear (cache);
  g_rmdir (root);
}

static void
on_assigned (TsAssignmentWatcher *watcher,
             TsTicket            *ticket,
             TsHistoryEntry      *entry,
             GPtrArray           *seen)
{
  g_ptr_array_add (seen, g_object_ref (ticket));
}

/* A desktop notification is due when someone else passes me a ticket, and
 * only then. */
static void
test_assignment_watcher (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsAssignmentWatcher) watcher = ts_assignment_watcher_new (lina);
  g_autoptr(TsAssignmentWatcher) own = ts_assignment_watcher_new (zhangwei);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) seen_own = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s_lina\"}", fixture->prefix);
  g_autoptr(JsonNode) node = json_from_string (fields, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TsTicket) ticket = create (zhangwei, "{}");
  g_autoptr(TsTicket) saved = NULL;
  g_autoptr(TsTicket) fired = NULL;
  gint64 deadline;

  g_signal_connect (watcher, "assigned", G_CALLBACK (on_assigned), seen);
  g_signal_connect (own, "assigned", G_CALLBACK (on_assigned), seen_own);

  /* zhangwei saves his own ticket: nobody is told. */
  ts_store_save_ticket_async (zhangwei, ts_ticket_get_id (ticket), 1, json_node_get_object (node),
                              NULL, store_result, &result);
  saved = change_ok (zhangwei, &result);

  ts_store_fire_async (zhangwei, ts_ticket_get_id (ticket), 2, "提交审核", NULL, NULL, NULL, store_result, &result);
  fired = change_ok (zhangwei, &result);

  while (seen->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ts_ticket_get_id (g_ptr_array_index (seen, 0)), ==, ts_ticket_get_id (ticket));

  deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpuint (seen_own->len, ==, 0);
}

/* The server answers TS503 when a lock is not had in time (an admin's
 * import holding the project, say); nothing was changed, so the store
 * sends the call again by itself a few times before giving up with
 * TS_STORE_ERROR_BUSY. */
static gboolean
release_lock (gpointer user_data)
{
  PGconn *blocker = user_data;
  PGresult *result = PQexec (blocker, "COMMIT");

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  return G_SOURCE_REMOVE;
}

static PGconn *
hold_project (Fixture *fixture)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, NULL);
  PGconn *blocker = PQconnectdb (conninfo);
  PGresult *result;

  g_assert_cmpint (PQstatus (blocker), ==, CONNECTION_OK);
  result = PQexec (blocker, "BEGIN; SELECT 1 FROM tasksteper.projects WHERE name = 'issue_track' FOR UPDATE");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);
  return blocker;
}

static void
test_busy_retried (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TsStore) store = open_store (fixture, "zhangwei");
  g_autoptr(JsonNode) node = json_from_string ("{\"summary\": \"【20180301】锁等待\"}", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) ticket = NULL;
  PGconn *blocker = hold_project (fixture);

  /* Held longer than the server waits (2 s): the first try is refused
   * as busy, a later one goes through once the lock is gone. */
  g_timeout_add_seconds (3, release_lock, blocker);
  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, store_result, &result);
  ticket = ts_store_change_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ts_ticket_get_key (ticket), ==, "question_1");
  PQfinish (blocker);

  /* Held all along: after its tries, the store says busy. */
  blocker = hold_project (fixture);
  g_clear_object (&result);
  g_clear_object (&ticket);
  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, store_result, &result);
  ticket = ts_store_change_finish (store, wait_for (&result), &error);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_BUSY);
  g_assert_null (ticket);
  release_lock (blocker);
  PQfinish (blocker);
}

/* Refusals in the user's language {{{1 */

typedef struct
{
  Fixture *fixture;
  PGconn  *raw;  /* zhangwei's own connection, as psql has it */
} Refusals;

/* The error of the change in @slot, which the server refused with
 * @sqlstate and @kind: its facts are on the error, its message is the
 * sentence for them in the language of the locale, and psql (the raw
 * connection running @sql) gets the English message and the same facts. */
static GError *
refused (TsStore       *store,
         GAsyncResult **slot,
         int            code,
         const char    *sqlstate,
         const char    *kind,
         const char    *field)
{
  GError *error = NULL;
  g_autoptr(TsTicket) ticket = ts_store_change_finish (store, wait_for (slot), &error);

  g_clear_object (slot);
  g_assert_null (ticket);
  g_assert_error (error, TS_STORE_ERROR, code);
  g_test_message ("%s: %s (server: %s)", kind, error->message, ts_store_error_get_server_message (error));
  g_assert_cmpstr (ts_store_error_get_sqlstate (error), ==, sqlstate);
  g_assert_cmpstr (ts_store_error_get_kind (error), ==, kind);
  g_assert_nonnull (ts_store_error_get_facts (error));
  g_assert_cmpstr (ts_store_error_get_field (error), ==, field);
  if (field != NULL)
    g_assert_cmpstr (json_object_get_string_member (ts_store_error_get_facts (error), "field"), ==, field);

  /* Under zh_CN the catalogue was found: the sentence is not the
   * server's English one. */
  if (strstr (setlocale (LC_MESSAGES, NULL), "zh_CN") != NULL)
    {
      g_assert_false (g_str_is_ascii (g_dgettext (GETTEXT_PACKAGE, "Someone else changed %s meanwhile: reload it and apply your edits again")));
      g_assert_cmpstr (error->message, !=, ts_store_error_get_server_message (error));
    }

  return error;
}

static const char *
fact (const GError *error,
      const char   *name)
{
  return json_object_get_string_member_with_default (ts_store_error_get_facts (error), name, NULL);
}

/* psql's view of @sql (with the one parameter @param): the English MESSAGE
 * and the refusal's kind in the DETAIL's JSON. */
static void
assert_psql_refused (PGconn     *raw,
                     const char *sql,
                     const char *param,
                     const char *sqlstate,
                     const char *kind,
                     const char *english)
{
  const char *params[1] = { param };
  g_autoptr(PGresult) result = PQexecParams (raw, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
  g_autoptr(JsonNode) detail = NULL;
  const char *message;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_FATAL_ERROR);
  g_assert_cmpstr (PQresultErrorField (result, PG_DIAG_SQLSTATE), ==, sqlstate);
  message = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  g_test_message ("psql: %s", message);
  g_assert_nonnull (strstr (message, english));
  detail = json_from_string (PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL), NULL);
  g_assert_nonnull (detail);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (detail), "ts"), ==, kind);
}

static void
test_refusals (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *zhangwei_login = role (fixture, "zhangwei");
  g_autofree char *lina_login = role (fixture, "lina");
  g_autofree char *wangfang_login = role (fixture, "wangfang");
  g_autofree char *sql = NULL;
  g_autofree char *schema_path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "improvement.json", NULL);
  g_autofree char *schema = NULL;
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, zhangwei_login);
  g_autoptr(TsStore) zhangwei = NULL;
  g_autoptr(TsStore) lina = NULL;
  g_autoptr(TsStore) wangfang = NULL;
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GAsyncResult) r = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *long_summary = NULL;
  PGconn *raw;
  gint64 id;

  /* zhangwei has a display name, the date field is improvement's. */
  g_assert_true (g_file_get_contents (schema_path, &schema, NULL, NULL));
  sql = g_strdup_printf ("SELECT tasksteper.set_display_name ('%1$s', '张伟');"
                         "SELECT tasksteper.import_project ($json$%2$s$json$::jsonb);"
                         "SELECT tasksteper.add_member ('improvement', '%1$s');",
                         zhangwei_login, schema);
  exec_ok (fixture->db, sql);

  zhangwei = open_store (fixture, "zhangwei");
  lina = open_store (fixture, "lina");
  wangfang = open_store (fixture, "wangfang");
  raw = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (raw), ==, CONNECTION_OK);
  PQsetClientEncoding (raw, "UTF8");

  /* A required field, empty. */
  {
    g_autoptr(JsonNode) node = json_from_string ("{\"summary\": \"\"}", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    ts_store_create_ticket_async (zhangwei, "issue_track", json_node_get_object (node), NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_NOT_AVAILABLE, "TS428", "required", "summary");
    g_assert_cmpstr (fact (error, "label"), ==, "概要");
    expected = g_strdup_printf (_("“%s” is required: fill it in"), "概要");
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.create_ticket ('issue_track', '{\"summary\": \"\"}')", NULL,
                         "TS428", "required", "is required: fill it in");
  }

  ticket = create (zhangwei, "{}");
  id = ts_ticket_get_id (ticket);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  /* A field a trigger requires, empty. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    ts_store_fire_async (zhangwei, id, 1, "提交审核", NULL, NULL, NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_NOT_AVAILABLE, "TS428", "required", "issue_checker");
    g_assert_cmpstr (fact (error, "label"), ==, "维护代表");
    g_assert_cmpstr (fact (error, "trigger"), ==, "提交审核");
    g_assert_cmpstr (fact (error, "state"), ==, "维护人员处理");
    expected = g_strdup_printf (_("“%s” is required before “%s”: fill it in"), "维护代表", "提交审核");
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.fire ($1::bigint, 1, '提交审核')", id_text,
                         "TS428", "required", "needs");
  }

  /* No such trigger from this state. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    ts_store_fire_async (zhangwei, id, 1, "问题关闭", NULL, NULL, NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_NOT_AVAILABLE, "TS410", "no_trigger", NULL);
    expected = g_strdup_printf (_("“%s” is not possible in the state “%s”: reload the ticket to see what is"),
                                "问题关闭", "维护人员处理");
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.fire ($1::bigint, 1, '问题关闭')", id_text,
                         "TS410", "no_trigger", "is not a trigger of the state");
  }

  /* A stale version. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    ts_store_save_ticket_async (zhangwei, id, 7, NULL, NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_CONFLICT, "TS409", "stale", NULL);
    expected = g_strdup_printf (_("Someone else changed %s meanwhile: reload it and apply your edits again"),
                                ts_ticket_get_key (ticket));
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.save_ticket ($1::bigint, 7, '{}')", id_text,
                         "TS409", "stale", "was changed by someone else");
  }

  /* Not the assignee: said with the holder's display name. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    ts_store_save_ticket_async (lina, id, 1, NULL, NULL, store_result, &r);
    error = refused (lina, &r, TS_STORE_ERROR_FORBIDDEN, "TS403", "not_assignee", NULL);
    g_assert_cmpstr (fact (error, "assignee"), ==, zhangwei_login);
    expected = g_strdup_printf (_("%s may only be changed by %s, who holds it"), ts_ticket_get_key (ticket), "张伟");
    g_assert_cmpstr (error->message, ==, expected);
  }

  /* Values: too long (by how much), not one of the choices, not a date. */
  {
    g_autoptr(GString) text = g_string_new ("{\"summary\": \"");
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    for (int i = 0; i < 203; i++)
      g_string_append (text, "长");
    g_string_append (text, "\"}");
    node = json_from_string (text->str, NULL);
    ts_store_save_ticket_async (zhangwei, id, 1, json_node_get_object (node), NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_INVALID, "TS422", "too_long", "summary");
    expected = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "“%s” is %d character too long: it may have at most %d",
                                             "“%s” is %d characters too long: it may have at most %d", 3),
                                "概要", 3, 200);
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.save_ticket ($1::bigint, 1, jsonb_build_object ('summary', repeat ('长', 203)))",
                         id_text, "TS422", "too_long", "is 203 characters long; it may have at most 200");
  }
  {
    g_autoptr(JsonNode) node = json_from_string ("{\"issue_level\": \"特别严重\"}", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *choices = NULL;
    const char *separator = g_dgettext (GETTEXT_PACKAGE, ", ");
    g_autofree char *a = g_strdup_printf (_("“%s”"), "一般问题");
    g_autofree char *b = g_strdup_printf (_("“%s”"), "严重问题");
    g_autofree char *c = g_strdup_printf (_("“%s”"), "紧急问题");

    ts_store_save_ticket_async (zhangwei, id, 1, json_node_get_object (node), NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_INVALID, "TS422", "not_a_choice", "issue_level");
    g_assert_cmpstr (fact (error, "value"), ==, "特别严重");
    choices = g_strjoin (separator, a, b, c, NULL);
    expected = g_strdup_printf (_("“%s” must be one of %s, not “%s”"), "问题级别", choices, "特别严重");
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.save_ticket ($1::bigint, 1, '{\"issue_level\": \"特别严重\"}')",
                         id_text, "TS422", "not_a_choice", "must be one of");
  }
  {
    g_autoptr(JsonNode) node = json_from_string ("{\"due_date\": \"2018-02-30\"}", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;

    ts_store_create_ticket_async (zhangwei, "improvement", json_node_get_object (node), NULL, store_result, &r);
    error = refused (zhangwei, &r, TS_STORE_ERROR_INVALID, "TS422", "not_a_date", "due_date");
    expected = g_strdup_printf (_("“%s” must be a date such as 2018-01-28, not “%s”"), "计划完成日期", "2018-02-30");
    g_assert_cmpstr (error->message, ==, expected);
    assert_psql_refused (raw, "SELECT tasksteper.create_ticket ('improvement', '{\"due_date\": \"2018-02-30\"}')",
                         NULL, "TS422", "not_a_date", "must be a date written YYYY-MM-DD");
  }

  /* A condition that does not hold: to SE分析改进, then 问题关闭 without
   * the improvement's link. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *checker = g_strdup_printf ("{\"issue_checker\": \"%s\"}", lina_login);
    g_autofree char *se = g_strdup_printf ("{\"issue_se\": \"%s\"}", wangfang_login);
    g_autoptr(JsonNode) checker_node = json_from_string (checker, NULL);
    g_autoptr(JsonNode) se_node = json_from_string (se, NULL);
    g_autoptr(TsTicket) checked = NULL;
    g_autoptr(TsTicket) analysed = NULL;

    ts_store_fire_async (zhangwei, id, 1, "提交审核", json_node_get_object (checker_node), NULL, NULL, store_result, &r);
    checked = change_ok (zhangwei, &r);
    ts_store_fire_async (lina, id, ts_ticket_get_version (checked), "转SE分析改进", json_node_get_object (se_node), NULL,
                         NULL, store_result, &r);
    analysed = change_ok (lina, &r);
    ts_store_fire_async (wangfang, id, ts_ticket_get_version (analysed), "问题关闭", NULL, NULL, NULL, store_result, &r);
    error = refused (wangfang, &r, TS_STORE_ERROR_NOT_AVAILABLE, "TS412", "condition", "improvement_url");
    g_assert_cmpstr (fact (error, "state"), ==, "SE分析改进");
    expected = g_strdup_printf (_("“%s” is not possible now: the condition on “%s” does not hold"),
                                "问题关闭", "改进项链接(URL)");
    g_assert_cmpstr (error->message, ==, expected);
  }

  PQfinish (raw);
}

/* Through PgBouncer in transaction mode, where LISTEN lands on a pooled
 * server connection: a ticket passed to lina still reaches her pending
 * list, by the change feed, within the poll interval. */
static void
test_pooler (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *zhangwei_name = role (fixture, "zhangwei");
  g_autofree char *lina_name = role (fixture, "lina");
  const char *users[] = { zhangwei_name, lina_name, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTestPooler) pooler = ts_test_pooler_start (server, users, &error);
  g_autofree char *zhangwei_info = NULL;
  g_autofree char *lina_info = NULL;
  g_autoptr(TsConnection) zhangwei_connection = NULL;
  g_autoptr(TsConnection) lina_connection = NULL;
  g_autoptr(TsStore) zhangwei = NULL;
  g_autoptr(TsStore) lina = NULL;
  g_autoptr(TsProject) project = NULL;
  g_autoptr(TsTicketList) pending = NULL;
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(TsTicket) fired = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s\", \"issue_processor\": \"%s\"}",
                                             lina_name, zhangwei_name);
  g_autoptr(JsonNode) node = json_from_string (fields, NULL);
  Changed changed = { 0 };
  gint64 deadline;

  g_assert_no_error (error);
  zhangwei_info = ts_test_pooler_conninfo (pooler, fixture->db, zhangwei_name);
  lina_info = ts_test_pooler_conninfo (pooler, fixture->db, lina_name);
  zhangwei_connection = ts_connection_new (zhangwei_info, NULL);
  lina_connection = ts_connection_new (lina_info, NULL);
  zhangwei = ts_store_new (zhangwei_connection);
  lina = ts_store_new (lina_connection);
  ts_store_set_poll_interval (lina, 1);
  g_assert_cmpuint (ts_store_get_poll_interval (lina), ==, 1);

  ts_store_open_async (zhangwei, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (zhangwei, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  ts_store_open_async (lina, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (lina, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  project = issue_track (lina);
  pending = ts_ticket_list_new (lina, project, TS_TICKET_LIST_PENDING);
  wait_loaded (pending);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pending)), ==, 0);
  g_signal_connect (lina, "ticket-changed", G_CALLBACK (on_ticket_changed), &changed);

  ticket = create (zhangwei, "{}");
  ts_store_fire_async (zhangwei, ts_ticket_get_id (ticket), 1, "提交审核", json_node_get_object (node), NULL,
                       NULL, store_result, &result);
  fired = change_ok (zhangwei, &result);
  g_assert_cmpstr (ts_ticket_get_assigned_to (fired), ==, lina_name);

  /* Within a few poll intervals, whatever happened to the notification. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!(changed.id == ts_ticket_get_id (fired) && changed.version == 2) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (changed.id, ==, ts_ticket_get_id (fired));
  g_assert_cmpint (changed.version, ==, 2);
  wait_n_items (pending, 1);
  g_assert_nonnull (ts_ticket_list_lookup (pending, ts_ticket_get_id (fired)));
}

/* Notifications sent while a client is away are lost; the change feed
 * is not: lina's store, cut off (her login refused meanwhile, so she
 * cannot be back too soon) while zhangwei passes her a ticket, hears of it
 * from the catch-up once it is back, with no poll to help it. */
static void
test_feed_after_reconnect (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(TsStore) zhangwei = open_store (fixture, "zhangwei");
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autofree char *lina_name = role (fixture, "lina");
  g_autofree char *zhangwei_name = role (fixture, "zhangwei");
  g_autofree char *fields = g_strdup_printf ("{\"issue_checker\": \"%s\", \"issue_processor\": \"%s\"}",
                                             lina_name, zhangwei_name);
  g_autofree char *cut_off = g_strdup_printf ("ALTER ROLE %1$s NOLOGIN;"
                                              "SELECT pg_terminate_backend (pid) FROM pg_stat_activity"
                                              " WHERE usename = '%1$s'", lina_name);
  g_autofree char *let_in = g_strdup_printf ("ALTER ROLE %s LOGIN", lina_name);
  g_autoptr(JsonNode) node = json_from_string (fields, NULL);
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(TsTicket) fired = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Changed changed = { 0 };
  gboolean reconnected = FALSE;

  ts_store_set_poll_interval (lina, 3600);
  g_signal_connect (lina, "ticket-changed", G_CALLBACK (on_ticket_changed), &changed);
  g_signal_connect (lina, "reconnected", G_CALLBACK (on_reconnected), &reconnected);
  ticket = create (zhangwei, "{}");

  exec_ok (fixture->db, cut_off);
  while (ts_store_get_online (lina))
    g_main_context_iteration (NULL, TRUE);

  ts_store_fire_async (zhangwei, ts_ticket_get_id (ticket), 1, "提交审核", json_node_get_object (node), NULL,
                       NULL, store_result, &result);
  fired = change_ok (zhangwei, &result);
  g_assert_cmpstr (ts_ticket_get_assigned_to (fired), ==, lina_name);
  g_assert_cmpint (changed.version, <, 2);

  exec_ok (fixture->db, let_in);
  while (!reconnected)
    g_main_context_iteration (NULL, TRUE);
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (!(changed.id == ts_ticket_get_id (fired) && changed.version == 2) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpint (changed.id, ==, ts_ticket_get_id (fired));
  g_assert_cmpint (changed.version, ==, 2);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The locale of the environment: test-store-zh_CN runs this under
   * zh_CN.UTF-8, where libpq speaks Chinese. */
  setlocale (LC_ALL, "");
  /* The build tree's catalogues, for the refusals' sentences. */
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);

#define ADD(path, func, bare) \
  g_test_add ("/ts/store/" path, Fixture, bare ? GINT_TO_POINTER (1) : NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("connect/states", test_connect_states, TRUE);
  g_test_add_func ("/ts/store/connect/unreachable", test_connect_unreachable);
  ADD ("connect/password", test_connect_password, TRUE);
  ADD ("open/not-installed", test_open_not_installed, TRUE);
  ADD ("open/not-a-user", test_open_not_a_user, FALSE);
  ADD ("projects", test_projects, FALSE);
  ADD ("tickets-and-history", test_tickets_and_history, FALSE);
  ADD ("list-orders", test_list_orders, FALSE);
  ADD ("errors", test_errors, FALSE);
  ADD ("control-characters", test_control_characters, FALSE);
  ADD ("notification-during-query", test_notification_during_query, FALSE);
  ADD ("cancel-and-timeout", test_cancel_and_timeout, TRUE);
  ADD ("ticket-list", test_ticket_list, FALSE);
  ADD ("assignment-watcher", test_assignment_watcher, FALSE);
  ADD ("server-lost", test_server_lost, FALSE);
  ADD ("offline-cache", test_offline_cache, FALSE);
  g_test_add_func ("/ts/store/member", test_member_object);
  ADD ("members", test_members, FALSE);
  ADD ("my-tickets", test_my_tickets, FALSE);
  ADD ("offline-members-and-my-tickets", test_offline_members_and_my_tickets, FALSE);
  ADD ("busy-retried", test_busy_retried, FALSE);
  ADD ("refusals", test_refusals, FALSE);
  ADD ("pooler", test_pooler, FALSE);
  ADD ("feed-after-reconnect", test_feed_after_reconnect, FALSE);
#undef ADD

  ret = g_test_run ();
  ts_test_server_free (server);
  return ret;
}
