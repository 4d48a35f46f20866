/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-cache.h"
#include "ts-login-window.h"
#include "ts-main-window.h"
#include "ts-store.h"
#include "ts-gui-test-util.h"
#include "ts-test-server.h"
#include "ts-ticket-form.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"
#include "ts-linked-from.h"

/* A maintainer on a train: the client starts without its server and shows
 * what it saved, read-only; the connection drops under an editor and comes
 * back, and what was typed is saved; damaged offline copies are set aside. */

static TsTestServer *server;
static char *db;

/* A session as the application makes one: a store with its cache. */
static TsStore *
new_store (const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsCache) cache = NULL;
  g_autofree char *target = NULL;
  g_autofree char *login = NULL;
  TsStore *store = ts_store_new (connection);

  ts_connection_set_timeouts (connection, 3, 10);
  ts_connection_dup_target (connection, &target, &login);
  cache = ts_cache_new (target, login);
  ts_store_set_cache (store, cache);
  return store;
}

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *state = user_data;

  *state = ts_store_open_finish (TS_STORE (object), result, &error) ? 1 : 2;
}

static int
open_store (TsStore *store)
{
  int state = 0;

  ts_store_open_async (store, NULL, on_opened, &state);
  TS_WAIT_FOR (state != 0);
  return state;
}

static guint
n_rows (TsMainWindow *window,
        const char   *which)
{
  GtkWidget *table = ts_main_window_get_table (window, which);

  if (table == NULL)
    return 0;
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (ts_ticket_table_get_column_view (TS_TICKET_TABLE (table)))));
}

static TsTicketWindow *
find_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_TICKET_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TS_TICKET_WINDOW (window);
    }
  return NULL;
}

static TsTicketWindow *
activate_first (TsMainWindow *window,
                const char   *which)
{
  TsTicketTable *table = TS_TICKET_TABLE (ts_main_window_get_table (window, which));
  GtkColumnView *view = ts_ticket_table_get_column_view (table);
  TsTicketWindow *editor = NULL;

  /* The rows are counted before they are read: until then they show
   * "Loading…" and do not open. */
  TS_WAIT_FOR (!ts_ticket_list_get_loading (ts_ticket_table_get_list (table)));
  g_signal_emit_by_name (view, "activate", 0);
  TS_WAIT_FOR ((editor = find_editor ()) != NULL);
  return editor;
}

static void
close_all (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);

      gtk_window_destroy (window);
    }
  ts_test_iterate (100);
}

static void
on_created (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) ticket = ts_store_change_finish (TS_STORE (object), result, &error);

  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

static void
create_ticket (TsStore    *store,
               const char *summary)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  gboolean done = FALSE;

  json_object_set_string_member (fields, "summary", summary);
  ts_store_create_ticket_async (store, "issue_track", fields, NULL, on_created, &done);
  TS_WAIT_FOR (done);
}

/* Online once: everything shown is saved. */
static void
test_fill_cache (void)
{
  g_autoptr(TsStore) store = new_store ("zhangwei");
  TsMainWindow *window;
  TsTicketWindow *editor;

  g_assert_cmpint (open_store (store), ==, 1);
  create_ticket (store, "【20180201】离线可读的问题单");
  create_ticket (store, "【20180202】第二个问题单");
  window = ts_main_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (n_rows (window, "pending") == 2);

  editor = activate_first (window, "pending");
  ts_test_iterate (500);  /* its history is read, and saved */
  g_assert_nonnull (editor);
  close_all ();
  ts_cache_flush (ts_store_get_cache (store));
  g_assert_true (ts_cache_exists (ts_store_get_cache (store)));
}

/* The editor's Linked From (visible or not). */
static TsLinkedFrom *
find_linked_from (GtkWidget *widget)
{
  if (TS_IS_LINKED_FROM (widget))
    return TS_LINKED_FROM (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      TsLinkedFrom *found = find_linked_from (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* No server: the window opens on the saved lists, says so, and a ticket
 * opens read-only. */
static void
test_start_offline (void)
{
  g_autoptr(TsStore) store = new_store ("zhangwei");
  g_autoptr(GError) error = NULL;
  TsMainWindow *window;
  TsTicketWindow *editor;
  TsTicketForm *form;
  TsLinkedFrom *linked;

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);

  g_assert_cmpint (open_store (store), ==, 2);
  g_assert_false (ts_store_get_online (store));
  window = ts_main_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (n_rows (window, "pending") == 2);
  g_assert_nonnull (ts_store_get_data_time (store));
  /* Nothing can be created offline: Ctrl+N opens no editor. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-ticket", NULL);
  ts_test_iterate (200);
  g_assert_null (find_editor ());

  editor = activate_first (window, "pending");
  form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  g_assert_false (ts_ticket_form_get_editable (form));
  /* Linked From needs the server: a sentence says so, not a spinner. */
  linked = find_linked_from (GTK_WIDGET (editor));
  g_assert_nonnull (linked);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (linked)));
  g_assert_nonnull (ts_linked_from_get_message (linked));

  /* Back online: the store reconnects by itself, and the editor becomes
   * editable for its assignee. */
  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  ts_store_reconnect (store);
  TS_WAIT_FOR (ts_store_get_online (store));
  TS_WAIT_FOR (ts_ticket_form_get_editable (form));
  /* Nothing links to it: the group goes. */
  TS_WAIT_FOR (!gtk_widget_get_visible (GTK_WIDGET (linked)));
  g_assert_null (ts_linked_from_get_message (linked));
  close_all ();
}

static void
on_connected (TsLoginWindow *login,
              TsStore       *store,
              TsStore      **out)
{
  *out = g_object_ref (store);
}

/* Starting the application without its server: the login window opens
 * the saved copy at once instead of stopping at "cannot reach". */
static void
test_login_offline (void)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, "zhangwei");
  g_autoptr(TsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TsLoginWindow *login;
  TsMainWindow *window;

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);

  login = ts_login_window_new (NULL);
  g_signal_connect (login, "connected", G_CALLBACK (on_connected), &store);
  gtk_window_present (GTK_WINDOW (login));
  ts_login_window_connect_conninfo (login, conninfo);
  TS_WAIT_FOR (store != NULL);
  g_assert_false (ts_store_get_online (store));
  g_assert_nonnull (ts_store_get_cache (store));

  window = ts_main_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (n_rows (window, "pending") == 2);
  ts_test_save_screenshot (GTK_WIDGET (window), "offline-main-window.png", NULL);

  /* It keeps trying, and comes back by itself. */
  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  TS_WAIT_FOR (ts_store_get_online (store));
  close_all ();
}

/* The connection drops under unsaved text; it comes back; the text saves. */
static void
test_drop_while_editing (void)
{
  g_autoptr(TsStore) store = new_store ("zhangwei");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) edits = json_from_string ("{\"current_process\": \"在火车上写的处理进展\"}", NULL);
  g_autofree char *saved = NULL;
  TsMainWindow *window;
  TsTicketWindow *editor;
  TsTicketForm *form;

  g_assert_cmpint (open_store (store), ==, 1);
  window = ts_main_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (n_rows (window, "pending") == 2);
  editor = activate_first (window, "pending");
  form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  ts_ticket_form_apply_values (form, json_node_get_object (edits));
  g_assert_true (ts_ticket_form_get_modified (form));

  g_assert_true (ts_test_server_pause (server, &error));
  TS_WAIT_FOR (!ts_store_get_online (store));
  g_assert_true (ts_ticket_form_get_modified (form));
  g_assert_true (ts_ticket_form_get_editable (form));
  /* Saving waits for the connection; the text stays. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "ticket.save", NULL);
  ts_test_iterate (500);
  g_assert_true (ts_ticket_form_get_modified (form));

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  TS_WAIT_FOR (ts_store_get_online (store));
  g_assert_true (ts_ticket_form_get_modified (form));

  gtk_widget_activate_action (GTK_WIDGET (editor), "ticket.save", NULL);
  TS_WAIT_FOR (!ts_ticket_form_get_modified (form));
  saved = ts_test_query_value (server, db, "SELECT count(*) FROM tasksteper.tickets WHERE fields->>'current_process' = $1",
                       "在火车上写的处理进展");
  g_assert_cmpstr (saved, ==, "1");
  close_all ();
}

static void
damage (const char *path,
        const char *contents)
{
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* Damaged copies: set aside, reported, and the window still opens. */
static void
test_damaged_cache (void)
{
  g_autoptr(TsStore) store = new_store ("zhangwei");
  TsCache *cache = ts_store_get_cache (store);
  g_autoptr(GError) error = NULL;
  g_autofree char *projects = g_build_filename (ts_cache_get_directory (cache), "projects.json", NULL);
  g_autofree char *pending = g_build_filename (ts_cache_get_directory (cache), "tickets-issue_track-pending.json", NULL);
  g_auto(GStrv) notices = NULL;
  TsMainWindow *window;

  g_assert_true (g_file_test (projects, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (pending, G_FILE_TEST_EXISTS));
  damage (pending, "{\"tasksteper_cache\": 1, \"server\": \"elsewhere\", \"user\": \"zhangwei\", \"data\": []}");

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_cmpint (open_store (store), ==, 2);
  window = ts_main_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  ts_test_iterate (300);
  g_assert_cmpuint (n_rows (window, "pending"), ==, 0);
  g_assert_false (g_file_test (pending, G_FILE_TEST_EXISTS));
  close_all ();

  /* Truncated halfway, as by a power cut without atomic replacement. */
  damage (projects, "{\"tasksteper_cache\": 1, \"server\"");
  window = ts_main_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  ts_test_iterate (500);
  g_assert_null (ts_main_window_get_project (window));
  g_assert_false (g_file_test (projects, G_FILE_TEST_EXISTS));
  close_all ();

  notices = ts_cache_take_notices (cache);
  g_assert_null (notices);  /* the window took and showed them */

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("ts-offline-XXXXXX", NULL);
  g_autofree char *cache_home = g_build_filename (home, "cache", NULL);
  int ret;

  /* A cache of its own, before GLib reads the variable. */
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", NULL });

  /* In order: each step uses what the one before left on disk. */
  g_test_add_func ("/ts/offline/fill-cache", test_fill_cache);
  g_test_add_func ("/ts/offline/start-offline", test_start_offline);
  g_test_add_func ("/ts/offline/login-offline", test_login_offline);
  g_test_add_func ("/ts/offline/drop-while-editing", test_drop_while_editing);
  g_test_add_func ("/ts/offline/damaged-cache", test_damaged_cache);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  remove_tree (home);
  return ret;
}
