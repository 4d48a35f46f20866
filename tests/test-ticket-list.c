/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>
#include <locale.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-migrations.h"
#include "ts-store.h"
#include "ts-ticket-list.h"
#include "ts-test-server.h"

/* The tables' model against a real server: it knows its length before it
 * reads the rows, reads the page of a row asked for, holds a bounded
 * number of pages, sorts as a search does, follows a burst of changes
 * with one query and never leaves a view showing a row it dropped. */

static TsTestServer *server;
static guint role_counter;

typedef struct
{
  char *db;
  char *prefix;
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
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
exec_ok (const char *db,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  ts_test_server_exec (server, db, sql, &error);
  g_assert_no_error (error);
}

/* @sql as @who (membership goes by the session's user). */
static void
exec_as (Fixture    *fixture,
         const char *who,
         const char *sql)
{
  g_autofree char *user = g_strdup_printf ("%s_%s", fixture->prefix, who);
  g_autofree char *conninfo = ts_test_server_conninfo (server, fixture->db, user);
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
}

static char *
role (Fixture    *fixture,
      const char *name)
{
  return g_strdup_printf ("%s_%s", fixture->prefix, name);
}

/* issue_track with zhangwei and lina; zhangwei made @data tickets, number
 * i with the summary "第i号". */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *schema_path = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *tickets = NULL;
  PGconn *conn;
  PGresult *result;
  const char *params[1];

  fixture->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  fixture->prefix = g_strdup_printf ("l%u", ++role_counter);

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
                         "SELECT tasksteper.add_member ('issue_track', '%1$s_zhangwei');"
                         "SELECT tasksteper.add_member ('issue_track', '%1$s_lina');",
                         fixture->prefix);
  exec_ok (fixture->db, sql);

  tickets = g_strdup_printf ("SELECT count (tasksteper.create_ticket ('issue_track',"
                             "  jsonb_build_object ('summary', '第' || i || '号')))"
                             " FROM generate_series (1, %u) i",
                             GPOINTER_TO_UINT (data));
  exec_as (fixture, "zhangwei", tickets);
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
  return g_steal_pointer (&store);
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

/* Until the list is read and has announced all it read. */
static void
wait_loaded (TsTicketList *list)
{
  while (ts_ticket_list_get_loading (list))
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_no_error ((GError *)ts_ticket_list_get_error (list));
}

/* The item at @position once its page is read. */
static TsTicket *
item_read (TsTicketList *list,
           guint         position)
{
  TsTicket *ticket = g_list_model_get_item (G_LIST_MODEL (list), position);

  while (ticket != NULL && ts_ticket_list_is_placeholder (ticket))
    {
      g_object_unref (ticket);
      g_main_context_iteration (NULL, TRUE);
      g_assert_no_error ((GError *)ts_ticket_list_get_error (list));
      ticket = g_list_model_get_item (G_LIST_MODEL (list), position);
    }
  g_assert_nonnull (ticket);
  return ticket;
}

static guint
page_queries (TsTicketList *list)
{
  guint pages;

  ts_ticket_list_get_n_queries (list, &pages, NULL, NULL);
  return pages;
}

/* What a list announced: how many times each row, and whether every
 * announcement kept the length. */
typedef struct
{
  GArray   *times;    /* guint, a row */
  gboolean  resized;
} Announced;

static void
on_announced (GListModel *model,
              guint       position,
              guint       removed,
              guint       added,
              Announced  *announced)
{
  if (removed != added || position + added > announced->times->len)
    announced->resized = TRUE;
  for (guint i = position; i < position + added && i < announced->times->len; i++)
    g_array_index (announced->times, guint, i)++;
}

static void
announced_watch (Announced    *announced,
                 TsTicketList *list)
{
  announced->times = g_array_new (FALSE, TRUE, sizeof (guint));
  g_array_set_size (announced->times, g_list_model_get_n_items (G_LIST_MODEL (list)));
  announced->resized = FALSE;
  g_signal_connect (list, "items-changed", G_CALLBACK (on_announced), announced);
}

static void
announced_unwatch (Announced    *announced,
                   TsTicketList *list)
{
  g_signal_handlers_disconnect_by_func (list, on_announced, announced);
  g_clear_pointer (&announced->times, g_array_unref);
}

/* Until rows @first to @last were announced; then each of them was, once,
 * and no other row. */
static void
announced_wait (Announced *announced,
                guint      first,
                guint      last)
{
  for (guint i = first; i <= last; i++)
    while (g_array_index (announced->times, guint, i) == 0)
      g_main_context_iteration (NULL, TRUE);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (announced->resized);
  for (guint i = 0; i < announced->times->len; i++)
    g_assert_cmpuint (g_array_index (announced->times, guint, i), ==, i >= first && i <= last ? 1 : 0);
}

/* The length is the count before the rows are read; a row far down is
 * a placeholder until its page, and only that page, is read. */
static void
test_sparse (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);
  g_autoptr(TsTicket) far = NULL;
  g_autoptr(TsTicket) first = NULL;
  Announced announced = { 0 };
  guint pages;

  ts_ticket_list_set_page_size (all, 5);
  wait_loaded (all);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 30);
  g_assert_cmpuint (ts_ticket_list_get_n_pages (all), ==, 1);
  pages = page_queries (all);

  first = g_list_model_get_item (G_LIST_MODEL (all), 0);
  g_assert_false (ts_ticket_list_is_placeholder (first));
  g_assert_cmpint (ts_ticket_get_number (first), ==, 30);
  g_assert_nonnull (ts_ticket_list_lookup (all, ts_ticket_get_id (first)));

  announced_watch (&announced, all);
  far = g_list_model_get_item (G_LIST_MODEL (all), 27);
  g_assert_true (ts_ticket_list_is_placeholder (far));
  g_clear_object (&far);
  far = item_read (all, 27);
  g_assert_cmpint (ts_ticket_get_number (far), ==, 3);
  g_assert_cmpuint (page_queries (all), ==, pages + 1);
  /* That page's rows, and only those, are announced. */
  announced_wait (&announced, 25, 29);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 30);
  announced_unwatch (&announced, all);
}

/* Read from top to bottom, the list never holds more pages than it may,
 * and every row is where the order puts it. */
static void
test_bounded (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);

  ts_ticket_list_set_page_size (all, 4);
  ts_ticket_list_set_max_pages (all, 3);
  wait_loaded (all);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(TsTicket) ticket = item_read (all, i);

      g_assert_cmpint (ts_ticket_get_number (ticket), ==, 30 - i);
      g_assert_cmpuint (ts_ticket_list_get_n_pages (all), <=, 3);
    }
  /* Back to the top: read again. */
  {
    g_autoptr(TsTicket) ticket = item_read (all, 1);

    g_assert_cmpint (ts_ticket_get_number (ticket), ==, 29);
    g_assert_cmpuint (ts_ticket_list_get_n_pages (all), <=, 3);
  }
}

/* Sorted by a column, the rows come in the order a search gives. */
static void
test_sort (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);
  g_autoptr(JsonNode) filter = json_from_string ("{}", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  ts_ticket_list_set_page_size (all, 7);
  wait_loaded (all);
  ts_ticket_list_set_sort (all, "summary", FALSE);
  g_assert_cmpstr (ts_ticket_list_get_sort (all), ==, "summary");

  ts_store_search_tickets_async (lina, "issue_track", filter, "summary", FALSE, NULL, 100, NULL,
                                 store_result, &result);
  found = ts_store_search_tickets_finish (lina, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 30);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 30);
  for (guint i = 0; i < found->len; i++)
    {
      g_autoptr(TsTicket) ticket = item_read (all, i);

      g_assert_cmpint (ts_ticket_get_number (ticket), ==,
                       ts_ticket_get_number (g_ptr_array_index (found, i)));
    }
  /* Not the order by number. */
  {
    g_autoptr(TsTicket) ticket = item_read (all, 0);

    g_assert_cmpint (ts_ticket_get_number (ticket), !=, 30);
  }

  /* Sorted again with every page held: only the pages asked for last are
   * read again, not all of them (far ones would be read by an OFFSET from
   * the top, keeping the connection from everything else). */
  {
    g_autoptr(TsTicket) top = NULL;
    guint pages;

    g_assert_cmpuint (ts_ticket_list_get_n_pages (all), ==, 5);
    pages = page_queries (all);
    ts_ticket_list_set_sort (all, "summary", TRUE);
    wait_loaded (all);
    g_assert_cmpuint (page_queries (all), <=, pages + 2);
    g_assert_cmpuint (ts_ticket_list_get_n_pages (all), <=, 2);
    top = item_read (all, 0);
    g_assert_cmpint (ts_ticket_get_number (top), ==, ts_ticket_get_number (g_ptr_array_index (found, 29)));
  }
}

/* Fifty tickets changed together elsewhere are read again in one query,
 * and nothing else is read: none of them moved.  Each is announced
 * once. */
static void
test_burst (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);
  guint pages, changes, counts, pages_after, changes_after, counts_after;
  gboolean all_new = FALSE;
  Announced announced = { 0 };

  ts_ticket_list_set_page_size (all, 100);
  wait_loaded (all);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 60);
  ts_ticket_list_get_n_queries (all, &pages, &changes, &counts);
  announced_watch (&announced, all);

  exec_as (fixture, "zhangwei",
           "SELECT count (tasksteper.save_ticket (id, version, '{\"summary\": \"改过了\"}'))"
           " FROM tasksteper.tickets WHERE number <= 50");

  while (!all_new)
    {
      g_main_context_iteration (NULL, TRUE);
      all_new = TRUE;
      for (guint i = 10; i < 60 && all_new; i++)
        {
          g_autoptr(TsTicket) ticket = g_list_model_get_item (G_LIST_MODEL (all), i);

          all_new = ts_ticket_get_version (ticket) == 2;
        }
    }
  ts_ticket_list_get_n_queries (all, &pages_after, &changes_after, &counts_after);
  g_assert_cmpuint (changes_after, ==, changes + 1);
  g_assert_cmpuint (pages_after, ==, pages);
  g_assert_cmpuint (counts_after, ==, counts);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 60);
  /* The 50 rows (numbers 50 to 1, at 10 to 59) are announced once each,
   * so a view makes each of its rows once, and no other row. */
  announced_wait (&announced, 10, 59);
  announced_unwatch (&announced, all);
}

/* A ticket made elsewhere enters at the top: the list counts again and
 * reads the page shown again. */
static void
test_enter (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);
  g_autoptr(TsTicket) top = NULL;

  ts_ticket_list_set_page_size (all, 5);
  wait_loaded (all);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 30);

  exec_as (fixture, "zhangwei", "SELECT tasksteper.create_ticket ('issue_track', '{\"summary\": \"新来的\"}')");
  while (g_list_model_get_n_items (G_LIST_MODEL (all)) != 31)
    g_main_context_iteration (NULL, TRUE);
  wait_loaded (all);
  top = item_read (all, 0);
  g_assert_cmpint (ts_ticket_get_number (top), ==, 31);
}

/* A view as GTK's are: it holds the rows it shows (GtkMapListModel keeps
 * what it was given while a row widget holds it) and asks again only for
 * the rows announced as changed. */
typedef struct
{
  TsTicketList *list;
  GPtrArray    *rows;    /* TsTicket or NULL, a slot a position */
  guint         pinned;  /* rows 0 .. pinned - 1 stay shown (the focus row, say) */
  guint         first, last;  /* and these are scrolled to */
} View;

static void
view_unref_row (gpointer row)
{
  if (row != NULL)
    g_object_unref (row);
}

static gboolean
view_shows (View  *view,
            guint  position)
{
  return position < view->pinned || (position >= view->first && position <= view->last);
}

static void
view_bind (View *view)
{
  for (guint i = 0; i < view->rows->len; i++)
    if (view_shows (view, i) && g_ptr_array_index (view->rows, i) == NULL)
      g_ptr_array_index (view->rows, i) = g_list_model_get_item (G_LIST_MODEL (view->list), i);
}

static void
on_view_changed (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 View       *view)
{
  g_ptr_array_remove_range (view->rows, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (view->rows, position, NULL);
  view_bind (view);
}

/* Until the list has read what the view asked for and said all it had
 * to say. */
static void
view_settle (View *view)
{
  for (;;)
    {
      gboolean placeholders = FALSE;

      g_assert_no_error ((GError *)ts_ticket_list_get_error (view->list));
      for (guint i = 0; i < view->rows->len && !placeholders; i++)
        placeholders = g_ptr_array_index (view->rows, i) != NULL &&
                       ts_ticket_list_is_placeholder (g_ptr_array_index (view->rows, i));
      if (!placeholders && !g_main_context_pending (NULL))
        return;
      /* Waits only while there are rows to come. */
      g_main_context_iteration (NULL, placeholders);
    }
}

/* What the view shows is what the list has there, and no ticket is shown
 * twice. */
static void
view_check (View *view)
{
  g_autoptr(GHashTable) shown = g_hash_table_new (NULL, NULL);

  g_assert_cmpuint (view->rows->len, ==, g_list_model_get_n_items (G_LIST_MODEL (view->list)));
  for (guint i = 0; i < view->rows->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (view->rows, i);

      if (ticket == NULL)
        continue;
      g_assert_true (ts_ticket_list_peek (view->list, i) == ticket);
      g_assert_false (g_hash_table_contains (shown, ticket));
      g_hash_table_add (shown, ticket);
      g_assert_cmpint (ts_ticket_get_number (ticket), ==, 30 - i);
    }
}

/* Scrolled down page by page with the top row kept (as GTK keeps the
 * focus row's widget), the list drops the top page to make room: it says
 * so, and the view, asking again, shows the top row read again, never a
 * row the list no longer holds. */
static void
test_view (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(TsStore) lina = open_store (fixture, "lina");
  g_autoptr(TsProject) project = issue_track (lina);
  g_autoptr(TsTicketList) all = ts_ticket_list_new (lina, project, TS_TICKET_LIST_ALL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (view_unref_row);
  View view = { all, rows, 2, 0, 3 };
  guint pages = 0;

  ts_ticket_list_set_page_size (all, 4);
  ts_ticket_list_set_max_pages (all, 3);
  wait_loaded (all);
  g_ptr_array_set_size (rows, g_list_model_get_n_items (G_LIST_MODEL (all)));
  g_signal_connect (all, "items-changed", G_CALLBACK (on_view_changed), &view);
  view_bind (&view);
  view_settle (&view);
  view_check (&view);

  for (view.first = 4; view.first < 30; view.first += 4)
    {
      g_autoptr(TsTicket) top = NULL;

      for (guint i = view.first - 4; i < view.first; i++)
        if (i >= view.pinned)
          g_clear_object (&g_ptr_array_index (rows, i));
      view.last = MIN (view.first + 3, 29);
      view_bind (&view);
      view_settle (&view);
      view_check (&view);
      g_assert_cmpuint (ts_ticket_list_get_n_pages (all), <=, 3);

      top = g_object_ref (g_ptr_array_index (rows, 0));
      g_assert_false (ts_ticket_list_is_placeholder (top));
      g_assert_cmpint (ts_ticket_get_number (top), ==, 30);
      pages = page_queries (all);
    }
  /* The top page was dropped and read again on the way down. */
  g_assert_cmpuint (pages, >, 8);
  g_signal_handlers_disconnect_by_data (all, &view);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);

#define ADD(path, func, n) \
  g_test_add ("/ts/ticket-list/" path, Fixture, GUINT_TO_POINTER (n), fixture_set_up, func, fixture_tear_down)

  ADD ("sparse", test_sparse, 30);
  ADD ("bounded", test_bounded, 30);
  ADD ("sort", test_sort, 30);
  ADD ("burst", test_burst, 60);
  ADD ("enter", test_enter, 30);
  ADD ("view", test_view, 30);

  ret = g_test_run ();
  ts_test_server_free (server);
  return ret;
}
