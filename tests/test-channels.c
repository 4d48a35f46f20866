/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>
#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-migrations.h"
#include "ts-store.h"
#include "ts-test-server.h"

/* No chatter (issue 15): each project announces on a channel of its own,
 * named by an opaque id (0011-channels.sql), and a client listens to those
 * of its projects only.  Against a real server: the server's side of it;
 * an idle client of another project hears nothing and sends nothing while
 * 200 changes are made; a member's client hears every change with a few
 * catch-ups, not one per change; and one made a member while running
 * starts hearing once it lists its projects again, and stops once taken
 * out.
 *
 * Whether everything committed so far has been delivered is known without
 * sleeping: notifications are delivered in commit order, so once a marker
 * sent afterwards on "tasksteper" has arrived, so has everything before. */

static TsTestServer *server;
static guint role_counter;

/* Changes made by the burst: a ticket saved this many times, each in a
 * transaction of its own. */
#define BURST 200
/* The store's window for coalescing (HINT_WINDOW_MS in ts-store.c). */
#define WINDOW_US (250 * 1000)

typedef struct
{
  char *db;
  char *zhangwei;   /* member of issue_track */
  char *lina;       /* member of issue_track */
  char *outsider;   /* member of improvement only */
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

static PGconn *
connect_as (Fixture    *fixture,
            const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  PGconn *conn = PQconnectdb (conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

/* The first column of the only row of @sql (one parameter, or none). */
static char *
value (PGconn     *conn,
       const char *sql,
       const char *param)
{
  const char *params[1] = { param };
  g_autoptr(PGresult) result = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  g_assert_cmpint (PQntuples (result), ==, 1);
  return PQgetisnull (result, 0, 0) ? NULL : g_strdup (PQgetvalue (result, 0, 0));
}

static void
import (PGconn     *conn,
        const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.json", name);
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), file, NULL);
  g_autofree char *schema = NULL;
  g_autofree char *imported = NULL;

  g_assert_true (g_file_get_contents (path, &schema, NULL, NULL));
  imported = value (conn, "SELECT name FROM tasksteper.import_project ($1::jsonb)", schema);
  g_assert_cmpstr (imported, ==, name);
}

/* issue_track (zhangwei, lina) and improvement (outsider). */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = g_strdup_printf ("c%u", ++role_counter);
  g_autofree char *sql = NULL;
  PGconn *conn;

  fixture->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  fixture->zhangwei = g_strdup_printf ("%s_zhangwei", prefix);
  fixture->lina = g_strdup_printf ("%s_lina", prefix);
  fixture->outsider = g_strdup_printf ("%s_outsider", prefix);

  conn = connect_as (fixture, NULL);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);
  import (conn, "issue_track");
  import (conn, "improvement");
  PQfinish (conn);

  sql = g_strdup_printf ("CREATE ROLE %1$s LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %2$s LOGIN IN ROLE tasksteper_user;"
                         "CREATE ROLE %3$s LOGIN IN ROLE tasksteper_user;"
                         "SELECT tasksteper.add_member ('issue_track', '%1$s');"
                         "SELECT tasksteper.add_member ('issue_track', '%2$s');"
                         "SELECT tasksteper.add_member ('improvement', '%3$s');",
                         fixture->zhangwei, fixture->lina, fixture->outsider);
  exec_ok (fixture->db, sql);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_free (fixture->db);
  g_free (fixture->zhangwei);
  g_free (fixture->lina);
  g_free (fixture->outsider);
}

/* What a store's connection heard: notifications other than markers, and
 * the last marker. */
typedef struct
{
  guint      n_heard;       /* on the channels of projects */
  guint      n_global;      /* on "tasksteper", markers aside */
  int        marker;        /* the last marker that arrived */
  GPtrArray *payloads;      /* of the projects' channels */
} Heard;

static void
on_notification (TsConnection *connection,
                 const char   *channel,
                 const char   *payload,
                 int           pid,
                 Heard        *heard)
{
  if (g_str_has_prefix (payload, "marker "))
    heard->marker = atoi (payload + strlen ("marker "));
  else if (g_str_equal (channel, "tasksteper"))
    heard->n_global++;
  else
    {
      heard->n_heard++;
      g_ptr_array_add (heard->payloads, g_strdup (payload));
    }
}

/* Waits until everything committed so far has reached @heard. */
static void
wait_delivered (Fixture *fixture,
                Heard   *heard)
{
  static int counter;
  g_autofree char *sql = g_strdup_printf ("SELECT pg_notify ('tasksteper', 'marker %d')", ++counter);

  exec_ok (fixture->db, sql);
  while (heard->marker != counter)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  guint  count;
  gint64 id;
  int    version;     /* the last one */
  gboolean in_order;  /* each version one more than the one before */
} Changed;

static void
on_ticket_changed (TsStore *store,
                   gint64   id,
                   int      version,
                   Changed *changed)
{
  if (changed->count > 0 && (id != changed->id || version != changed->version + 1))
    changed->in_order = FALSE;
  changed->count++;
  changed->id = id;
  changed->version = version;
}

static TsStore *
open_store (Fixture    *fixture,
            const char *user,
            Heard      *heard)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* No poll during a test: what it sends is what notifications made it. */
  ts_store_set_poll_interval (store, 24 * 60 * 60);
  g_signal_connect (connection, "notification", G_CALLBACK (on_notification), heard);
  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

static void
list_projects (TsStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;

  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (projects);
}

/* A ticket of issue_track, created by zhangwei (who holds it). */
static char *
create_ticket (Fixture *fixture)
{
  PGconn *conn = connect_as (fixture, fixture->zhangwei);
  char *id = value (conn, "SELECT id FROM tasksteper.create_ticket ('issue_track', '{}')", NULL);

  PQfinish (conn);
  return id;
}

typedef struct
{
  char     *conninfo;
  char     *id;
  guint     n;
  gboolean  done;     /* atomic */
  char     *error;
} Burst;

/* Saves the ticket @burst->n times, each in a transaction of its own, from
 * a thread: meanwhile the main loop runs, as an idle client's would. */
static gpointer
burst_thread (gpointer user_data)
{
  Burst *burst = user_data;
  PGconn *conn = PQconnectdb (burst->conninfo);
  g_autofree char *sql = NULL;
  PGresult *result;

  sql = g_strdup_printf ("DO $$ DECLARE v int := (SELECT version FROM tasksteper.tickets WHERE id = %s); BEGIN"
                         "  FOR i IN 1..%u LOOP"
                         "    SELECT version INTO v FROM tasksteper.save_ticket (%s, v,"
                         "      jsonb_build_object ('current_process', '第 ' || v + 1 || ' 版'));"
                         "    COMMIT;"
                         "  END LOOP;"
                         " END $$", burst->id, burst->n, burst->id);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    burst->error = g_strdup (PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
  g_atomic_int_set (&burst->done, TRUE);
  return NULL;
}

/* Runs the burst, iterating the main loop until it is committed. */
static void
run_burst (Fixture    *fixture,
           const char *id,
           guint       n)
{
  Burst burst = {
    .conninfo = ts_test_server_conninfo (server, fixture->db, fixture->zhangwei),
    .id = (char *)id,
    .n = n,
  };
  GThread *thread = g_thread_new ("burst", burst_thread, &burst);

  while (!g_atomic_int_get (&burst.done))
    g_main_context_iteration (NULL, FALSE);
  g_thread_join (thread);
  if (burst.error != NULL)
    g_error ("The burst failed: %s", burst.error);
  g_free (burst.conninfo);
}

/* The server's side: an opaque channel per project, my_channels() for
 * members only, and nothing of a ticket on "tasksteper" any more. */
static void
test_server (Fixture       *fixture,
             gconstpointer  data)
{
  PGconn *super = connect_as (fixture, NULL);
  PGconn *zhangwei = connect_as (fixture, fixture->zhangwei);
  PGconn *outsider = connect_as (fixture, fixture->outsider);
  PGconn *listener = connect_as (fixture, fixture->outsider);
  g_autofree char *issue_channel = value (super, "SELECT channel FROM tasksteper.projects WHERE name = 'issue_track'", NULL);
  g_autofree char *improvement_channel = value (super, "SELECT channel FROM tasksteper.projects WHERE name = 'improvement'", NULL);
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) on_tasksteper = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) on_channel = g_ptr_array_new_with_free_func (g_free);
  gboolean marker_seen = FALSE;

  /* 'ts_' and 32 hex digits, nothing of the project's name, one each. */
  g_assert_true (g_regex_match_simple ("^ts_[0-9a-f]{32}$", issue_channel, 0, 0));
  g_assert_true (g_regex_match_simple ("^ts_[0-9a-f]{32}$", improvement_channel, 0, 0));
  g_assert_cmpstr (issue_channel, !=, improvement_channel);
  g_assert_null (strstr (issue_channel, "issue"));

  /* Never changed, even by the owner. */
  result = PQexec (super, "UPDATE tasksteper.projects SET channel = 'ts_00000000000000000000000000000000'"
                          " WHERE name = 'issue_track'");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  g_clear_pointer (&result, PQclear);
  kept = value (super, "SELECT channel FROM tasksteper.projects WHERE name = 'issue_track'", NULL);
  g_assert_cmpstr (kept, ==, issue_channel);

  /* Members learn their projects' channels, and only those. */
  mine = value (zhangwei, "SELECT string_agg (project || '=' || channel, ',') FROM tasksteper.my_channels ()", NULL);
  expected = g_strconcat ("issue_track=", issue_channel, NULL);
  g_assert_cmpstr (mine, ==, expected);
  g_clear_pointer (&expected, g_free);
  theirs = value (outsider, "SELECT string_agg (project || '=' || channel, ',') FROM tasksteper.my_channels ()", NULL);
  expected = g_strconcat ("improvement=", improvement_channel, NULL);
  g_assert_cmpstr (theirs, ==, expected);
  g_clear_pointer (&theirs, g_free);
  theirs = value (outsider, "SELECT count(*) FROM tasksteper.projects WHERE channel = $1", issue_channel);
  g_assert_cmpstr (theirs, ==, "0");

  /* A change and a comment go to the project's channel, with ids only;
   * "tasksteper" hears neither. */
  listen = g_strdup_printf ("LISTEN tasksteper; LISTEN \"%s\"", issue_channel);
  result = PQexec (listener, listen);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  g_clear_pointer (&result, PQclear);

  g_free (id);
  id = value (zhangwei, "SELECT id FROM tasksteper.create_ticket ('issue_track', '{\"summary\": \"秘密\"}')", NULL);
  g_free (value (zhangwei, "SELECT id FROM tasksteper.add_comment ($1, '机密')", id));
  g_free (value (super, "SELECT pg_notify ('tasksteper', 'marker 1')", NULL));

  while (!marker_seen)
    {
      PGnotify *notify;

      g_assert_cmpint (PQconsumeInput (listener), ==, 1);
      while ((notify = PQnotifies (listener)) != NULL)
        {
          if (g_str_equal (notify->extra, "marker 1"))
            marker_seen = TRUE;
          else if (g_str_equal (notify->relname, "tasksteper"))
            g_ptr_array_add (on_tasksteper, g_strdup (notify->extra));
          else
            {
              g_assert_cmpstr (notify->relname, ==, issue_channel);
              g_ptr_array_add (on_channel, g_strdup (notify->extra));
            }
          PQfreemem (notify);
        }
      if (!marker_seen)
        g_usleep (10 * 1000);
    }

  g_assert_cmpuint (on_tasksteper->len, ==, 0);
  g_assert_cmpuint (on_channel->len, ==, 2);
  {
    g_autoptr(JsonNode) change = json_from_string (g_ptr_array_index (on_channel, 0), NULL);
    g_autoptr(JsonNode) comment = json_from_string (g_ptr_array_index (on_channel, 1), NULL);
    JsonObject *object = json_node_get_object (change);

    g_assert_cmpuint (json_object_get_size (object), ==, 2);
    g_assert_cmpint (json_object_get_int_member (object, "id"), ==, g_ascii_strtoll (id, NULL, 10));
    g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
    object = json_node_get_object (comment);
    g_assert_cmpuint (json_object_get_size (object), ==, 2);
    g_assert_cmpint (json_object_get_int_member (object, "ticket"), ==, g_ascii_strtoll (id, NULL, 10));
    g_assert_true (json_object_has_member (object, "comment"));
  }

  PQfinish (listener);
  PQfinish (outsider);
  PQfinish (zhangwei);
  PQfinish (super);
}

/* The issue's case: an idle client of another project hears nothing and
 * sends no query while someone makes 200 changes. */
static void
test_idle_outsider (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  Heard heard = { .payloads = payloads };
  g_autoptr(TsStore) store = open_store (fixture, fixture->outsider, &heard);
  TsConnection *connection = ts_store_get_connection (store);
  g_autofree char *id = create_ticket (fixture);
  Changed changed = { .in_order = TRUE };
  guint64 before;

  g_signal_connect (store, "ticket-changed", G_CALLBACK (on_ticket_changed), &changed);
  list_projects (store);
  wait_delivered (fixture, &heard);
  before = ts_connection_get_n_queries (connection);

  run_burst (fixture, id, BURST);
  wait_delivered (fixture, &heard);

  g_test_message ("The outsider's client heard %u notifications and sent %" G_GUINT64_FORMAT " queries",
                  heard.n_heard + heard.n_global, ts_connection_get_n_queries (connection) - before);
  g_assert_cmpuint (heard.n_heard, ==, 0);
  g_assert_cmpuint (heard.n_global, ==, 0);
  g_assert_cmpuint (ts_connection_get_n_queries (connection) - before, ==, 0);
  g_assert_cmpuint (changed.count, ==, 0);
}

/* A member's client hears of every change, through the feed, with a
 * catch-up when the burst starts and at most one more per window (and one
 * more for a window's catch-up asked for while one ran): not one each. */
static void
test_member_burst (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  Heard heard = { .payloads = payloads };
  g_autoptr(TsStore) store = open_store (fixture, fixture->lina, &heard);
  TsConnection *connection = ts_store_get_connection (store);
  g_autofree char *id = create_ticket (fixture);
  Changed changed = { .in_order = TRUE };
  guint64 before, queries, windows;
  gint64 started, ended;

  /* The creation's catch-up is done before the burst starts. */
  g_signal_connect (store, "ticket-changed", G_CALLBACK (on_ticket_changed), &changed);
  wait_delivered (fixture, &heard);
  while (changed.count < 1)
    g_main_context_iteration (NULL, TRUE);
  memset (&changed, 0, sizeof changed);
  changed.in_order = TRUE;
  heard.n_heard = 0;
  wait_delivered (fixture, &heard);
  before = ts_connection_get_n_queries (connection);

  started = g_get_monotonic_time ();
  run_burst (fixture, id, BURST);
  while (changed.version < BURST + 1)
    g_main_context_iteration (NULL, TRUE);
  ended = g_get_monotonic_time ();
  queries = ts_connection_get_n_queries (connection) - before;

  /* Every change, in order, none twice. */
  g_assert_cmpuint (changed.count, ==, BURST);
  g_assert_true (changed.in_order);
  g_assert_cmpint (changed.id, ==, g_ascii_strtoll (id, NULL, 10));

  windows = (ended - started) / WINDOW_US + 1;
  g_test_message ("%u changes in %.2f s: %u notifications heard, %" G_GUINT64_FORMAT " queries"
                  " (at most %" G_GUINT64_FORMAT ")",
                  BURST, (ended - started) / (double)G_USEC_PER_SEC, heard.n_heard, queries, 2 * (windows + 1));
  g_assert_cmpuint (queries, <=, 2 * (windows + 1));
  g_assert_cmpuint (queries, <, BURST);
}

static void
on_project_changed (TsStore    *store,
                    const char *project,
                    int         revision,
                    guint      *count)
{
  (*count)++;
}

/* Made a member while running: the re-import notification asks to list
 * the projects, and after that the project's changes are heard; taken out
 * and the projects listed again: nothing more is heard of it. */
static void
test_membership_changes (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  Heard heard = { .payloads = payloads };
  g_autoptr(TsStore) store = open_store (fixture, fixture->outsider, &heard);
  TsConnection *connection = ts_store_get_connection (store);
  g_autofree char *id = create_ticket (fixture);
  g_autofree char *add = g_strdup_printf ("SELECT tasksteper.add_member ('issue_track', '%s')", fixture->outsider);
  g_autofree char *remove = g_strdup_printf ("SELECT tasksteper.remove_member ('issue_track', '%s')", fixture->outsider);
  g_autofree char *expected = NULL;
  Changed changed = { .in_order = TRUE };
  guint project_changed = 0;
  guint64 before;

  g_signal_connect (store, "ticket-changed", G_CALLBACK (on_ticket_changed), &changed);
  g_signal_connect (store, "project-changed", G_CALLBACK (on_project_changed), &project_changed);

  /* Not a member: nothing. */
  run_burst (fixture, id, 1);
  wait_delivered (fixture, &heard);
  g_assert_cmpuint (heard.n_heard, ==, 0);
  g_assert_cmpuint (changed.count, ==, 0);

  /* Added: told to re-read the projects, which it does. */
  exec_ok (fixture->db, add);
  wait_delivered (fixture, &heard);
  g_assert_cmpuint (project_changed, >=, 1);
  list_projects (store);

  run_burst (fixture, id, 1);
  wait_delivered (fixture, &heard);
  g_assert_cmpuint (heard.n_heard, ==, 1);
  expected = g_strdup_printf ("{\"id\" : %s, \"version\" : 3}", id);
  g_assert_cmpstr (g_ptr_array_index (payloads, 0), ==, expected);
  while (changed.version < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (changed.id, ==, g_ascii_strtoll (id, NULL, 10));

  /* Taken out: after listing the projects, neither notification nor query. */
  project_changed = 0;
  exec_ok (fixture->db, remove);
  wait_delivered (fixture, &heard);
  g_assert_cmpuint (project_changed, >=, 1);
  list_projects (store);
  wait_delivered (fixture, &heard);
  before = ts_connection_get_n_queries (connection);
  changed.count = 0;

  run_burst (fixture, id, 1);
  wait_delivered (fixture, &heard);
  g_assert_cmpuint (heard.n_heard, ==, 1);
  g_assert_cmpuint (ts_connection_get_n_queries (connection) - before, ==, 0);
  g_assert_cmpuint (changed.count, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The locale of the environment: test-channels-zh_CN runs this under
   * zh_CN.UTF-8, where libpq and the server speak Chinese. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/ts/channels/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("server", test_server);
  ADD ("idle-outsider", test_idle_outsider);
  ADD ("member-burst", test_member_burst);
  ADD ("membership-changes", test_membership_changes);
#undef ADD

  ret = g_test_run ();
  ts_test_server_free (server);
  return ret;
}
