/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-gui-test-util.h"
#include "ts-project-summary.h"
#include "ts-reassign-dialog.h"
#include "ts-store.h"
#include "ts-test-server.h"
#include "ts-ticket-window.h"

/* Reassign… as people use it, against a real server (data/sql/0008):
 * lina, an admin of issue_track, opens zhangwei's ticket, clicks
 * Reassign…, searches for wangfang, picks her and clicks Reassign; the
 * ticket is wangfang's, with a history row, and the editor shows it.  A
 * ticket changed while the dialog is open is refused as stale, reloaded in
 * the dialog and then reassigned.  zhangwei, no admin, sees no Reassign…
 * at all. */

static TsTestServer *server;
static char *db;

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(gboolean *)user_data = ts_store_open_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

static void
on_projects (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(GPtrArray **)user_data = ts_store_list_projects_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

/* A store logged in as @user, its projects listed (as the main window
 * does first); the project issue_track in @project. */
static TsStore *
open_store (const char  *user,
            TsProject  **project)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  TsStore *store = ts_store_new (connection);
  g_autoptr(GPtrArray) projects = NULL;
  gboolean opened = FALSE;

  ts_store_open_async (store, NULL, on_opened, &opened);
  TS_WAIT_FOR (opened);
  ts_store_list_projects_async (store, NULL, on_projects, &projects);
  TS_WAIT_FOR (projects != NULL);
  g_assert_cmpuint (projects->len, ==, 1);
  *project = g_object_ref (ts_project_summary_get_project (g_ptr_array_index (projects, 0)));
  g_assert_cmpint (ts_project_summary_get_is_admin (g_ptr_array_index (projects, 0)), ==,
                   g_str_equal (user, "lina"));

  return store;
}

static void
on_changed (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TsTicket **ticket = user_data;

  *ticket = ts_store_change_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

static TsTicket *
create_ticket (TsStore *store)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"summary\": \"【20240301】北京局点X设备发生宕机问题\"}", NULL);
  TsTicket *ticket = NULL;

  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, on_changed, &ticket);
  TS_WAIT_FOR (ticket != NULL);
  return ticket;
}

static TsReassignDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_REASSIGN_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TS_REASSIGN_DIALOG (window);
    }

  return NULL;
}

static char *
holder_of (TsTicket *ticket)
{
  return ts_test_query_value (server, db, "SELECT assigned_to || ' ' || version FROM tasksteper.tickets WHERE key = $1",
                              ts_ticket_get_key (ticket));
}

/* Clicks Reassign… in @editor and waits for the dialog's members. */
static TsReassignDialog *
open_dialog (TsTicketWindow *editor,
             const char     *member)
{
  TsReassignDialog *dialog = NULL;
  GtkWidget *button = NULL;

  TS_WAIT_FOR ((button = ts_test_find_label (GTK_WIDGET (editor), _("Reassign…"))) != NULL);
  TS_WAIT_FOR (gtk_widget_is_sensitive (button));
  ts_test_click (button);
  TS_WAIT_FOR ((dialog = find_dialog ()) != NULL);
  TS_WAIT_FOR (ts_reassign_dialog_get_member_row (dialog, member) != NULL &&
               gtk_widget_get_mapped (ts_reassign_dialog_get_member_row (dialog, member)));
  return dialog;
}

static void
test_admin_reassigns (void)
{
  g_autoptr(TsProject) project = NULL;
  g_autoptr(TsProject) lina_project = NULL;
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei", &project);
  g_autoptr(TsStore) lina = open_store ("lina", &lina_project);
  g_autoptr(TsStore) wangfang = NULL;
  g_autoptr(TsProject) wangfang_project = NULL;
  g_autoptr(TsTicket) ticket = create_ticket (zhangwei);
  g_autoptr(TsTicket) saved = NULL;
  TsTicketWindow *editor = ts_ticket_window_new (lina, lina_project, ticket);
  TsReassignDialog *dialog;
  GtkWidget *row;
  g_autofree char *holder = NULL;
  g_autofree char *history = NULL;

  gtk_window_present (GTK_WINDOW (editor));
  dialog = open_dialog (editor, "wangfang");

  /* The holder is shown, and cannot be picked. */
  g_assert_false (gtk_widget_get_sensitive (ts_reassign_dialog_get_member_row (dialog, "zhangwei")));
  g_assert_false (gtk_widget_get_sensitive (ts_reassign_dialog_get_reassign_button (dialog)));

  /* Searching narrows the list. */
  ts_test_click (ts_reassign_dialog_get_search_entry (dialog));
  ts_test_type (GTK_WIDGET (dialog), "wang");
  TS_WAIT_FOR (!gtk_widget_get_mapped (ts_reassign_dialog_get_member_row (dialog, "zhangwei")));
  g_assert_false (gtk_widget_get_mapped (ts_reassign_dialog_get_member_row (dialog, "lina")));
  row = ts_reassign_dialog_get_member_row (dialog, "wangfang");
  g_assert_true (gtk_widget_get_mapped (row));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "reassign-dialog.png", NULL);

  ts_test_click (row);
  TS_WAIT_FOR (gtk_widget_get_sensitive (ts_reassign_dialog_get_reassign_button (dialog)));
  ts_test_click (ts_reassign_dialog_get_reassign_button (dialog));
  TS_WAIT_FOR (find_dialog () == NULL);

  holder = holder_of (ticket);
  g_assert_cmpstr (holder, ==, "wangfang 2");
  history = ts_test_query_value (server, db,
                                 "SELECT actor || ' ' || coalesce(trigger, '-') || ' ' || from_assignee || ' ' || to_assignee"
                                 "  FROM tasksteper.history h JOIN tasksteper.tickets t ON t.id = h.ticket_id"
                                 " WHERE t.key = $1 ORDER BY h.id DESC LIMIT 1",
                                 ts_ticket_get_key (ticket));
  g_assert_cmpstr (history, ==, "lina - zhangwei wangfang");
  /* The editor shows the ticket as it is now. */
  TS_WAIT_FOR (ts_ticket_window_get_ticket (editor) != NULL &&
               ts_ticket_get_version (ts_ticket_window_get_ticket (editor)) == 2);
  g_assert_cmpstr (ts_ticket_get_assigned_to (ts_ticket_window_get_ticket (editor)), ==, "wangfang");

  /* Changed while the dialog is open: refused as stale, reloaded there,
   * then given to zhangwei. */
  dialog = open_dialog (editor, "zhangwei");
  wangfang = open_store ("wangfang", &wangfang_project);
  {
    g_autoptr(JsonNode) node = json_from_string ("{\"current_process\": \"正在分析日志\"}", NULL);

    ts_store_save_ticket_async (wangfang, ts_ticket_get_id (ticket), 2, json_node_get_object (node), NULL,
                                on_changed, &saved);
    TS_WAIT_FOR (saved != NULL);
  }
  ts_test_click (ts_reassign_dialog_get_member_row (dialog, "zhangwei"));
  TS_WAIT_FOR (gtk_widget_get_sensitive (ts_reassign_dialog_get_reassign_button (dialog)));
  ts_test_click (ts_reassign_dialog_get_reassign_button (dialog));
  TS_WAIT_FOR (ts_reassign_dialog_get_error (dialog) != NULL);
  g_assert_nonnull (strstr (ts_reassign_dialog_get_error (dialog), ts_ticket_get_key (ticket)));
  g_assert_true (gtk_widget_get_mapped (ts_reassign_dialog_get_reload_button (dialog)));
  g_clear_pointer (&holder, g_free);
  holder = holder_of (ticket);
  g_assert_cmpstr (holder, ==, "wangfang 3");

  ts_test_click (ts_reassign_dialog_get_reload_button (dialog));
  TS_WAIT_FOR (ts_reassign_dialog_get_error (dialog) == NULL);
  row = ts_reassign_dialog_get_member_row (dialog, "zhangwei");
  TS_WAIT_FOR (row != NULL && gtk_widget_get_mapped (row));
  ts_test_click (row);
  TS_WAIT_FOR (gtk_widget_get_sensitive (ts_reassign_dialog_get_reassign_button (dialog)));
  ts_test_click (ts_reassign_dialog_get_reassign_button (dialog));
  TS_WAIT_FOR (find_dialog () == NULL);
  g_clear_pointer (&holder, g_free);
  holder = holder_of (ticket);
  g_assert_cmpstr (holder, ==, "zhangwei 4");

  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_member_sees_no_reassign (void)
{
  g_autoptr(TsProject) project = NULL;
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei", &project);
  g_autoptr(TsTicket) ticket = create_ticket (zhangwei);
  TsTicketWindow *editor = ts_ticket_window_new (zhangwei, project, ticket);
  GtkWidget *save = NULL;

  gtk_window_present (GTK_WINDOW (editor));
  /* Once the window is up (its Save button shows), there is no Reassign…. */
  TS_WAIT_FOR ((save = ts_test_find_label (GTK_WIDGET (editor), _("Save"))) != NULL);
  ts_test_iterate (200);
  g_assert_null (ts_test_find_label (GTK_WIDGET (editor), _("Reassign…")));
  /* Nor does the action do anything (the server would refuse anyway). */
  gtk_widget_activate_action (GTK_WIDGET (editor), "ticket.reassign", NULL);
  ts_test_iterate (200);
  g_assert_null (find_dialog ());

  gtk_window_destroy (GTK_WINDOW (editor));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_member_admin('issue_track', $1, true)::text", "lina"));

  g_test_add_func ("/ts/reassign/admin-reassigns", test_admin_reassigns);
  g_test_add_func ("/ts/reassign/member-sees-none", test_member_sees_no_reassign);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
