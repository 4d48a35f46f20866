/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <adwaita.h>
#include <libpq-fe.h>

#include "tasksteper-core.h"
#include "ts-gui-test-util.h"
#include "ts-main-window.h"
#include "ts-my-tickets-view.h"
#include "ts-store.h"
#include "ts-test-server.h"
#include "ts-ticket-row.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"

/* The main window as a person meets it in the first ten minutes: My
 * Tickets across two projects, sorting by state (on the server), columns hidden and
 * remembered, the narrow layout, the rows' context menu and people shown
 * by their names.  Everything is clicked and typed through the X server. */

static TsTestServer *server;
static char *db;

/* Sessions and tickets */

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(gboolean *)user_data = ts_store_open_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

static TsStore *
open_store_in (const char *database,
               const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, database, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  TsStore *store = ts_store_new (connection);
  gboolean opened = FALSE;

  ts_store_open_async (store, NULL, on_opened, &opened);
  TS_WAIT_FOR (opened);
  return store;
}

static TsStore *
open_store (const char *user)
{
  return open_store_in (db, user);
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
create_ticket (TsStore    *store,
               const char *project,
               const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  TsTicket *ticket = NULL;

  ts_store_create_ticket_async (store, project, json_node_get_object (node), NULL, on_changed, &ticket);
  TS_WAIT_FOR (ticket != NULL);
  return ticket;
}

static TsTicket *
fire (TsStore    *store,
      TsTicket   *ticket,
      const char *trigger,
      const char *json)
{
  g_autoptr(JsonNode) node = json ? json_from_string (json, NULL) : NULL;
  TsTicket *fired = NULL;

  ts_store_fire_async (store, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket), trigger,
                       node ? json_node_get_object (node) : NULL, NULL, NULL, on_changed, &fired);
  TS_WAIT_FOR (fired != NULL);
  return fired;
}

/* Windows */

static TsMainWindow *
open_main_window (TsStore *store)
{
  TsMainWindow *window = ts_main_window_new (NULL, store);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  return window;
}

/* The main window with 网上问题处理 chosen in the sidebar, by a click. */
static TsMainWindow *
open_issue_track (TsStore *store)
{
  TsMainWindow *window = open_main_window (store);
  GtkWidget *entry = NULL;

  TS_WAIT_FOR ((entry = ts_test_find_label (GTK_WIDGET (window), "网上问题处理")) != NULL);
  ts_test_click (entry);
  TS_WAIT_FOR (g_strcmp0 (ts_project_get_name (ts_main_window_get_project (window)), "issue_track") == 0);
  return window;
}

static TsTicketTable *
table_of (TsMainWindow *window,
          const char   *which)
{
  return TS_TICKET_TABLE (ts_main_window_get_table (window, which));
}

static GListModel *
rows_of (TsTicketTable *table)
{
  return G_LIST_MODEL (gtk_column_view_get_model (ts_ticket_table_get_column_view (table)));
}

static const char *
key_at (TsTicketTable *table,
        guint          position)
{
  g_autoptr(TsTicket) ticket = ts_ticket_table_dup_ticket (table, position);

  return ticket ? ts_ticket_get_key (ticket) : NULL;
}

static GtkColumnViewColumn *
column_titled (TsTicketTable *table,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (ts_ticket_table_get_column_view (table));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;  /* the view keeps it */
    }
  g_assert_not_reached ();
}

static TsTicketWindow *
find_editor (const char *key)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_TICKET_WINDOW (window) && ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window)) != NULL &&
          g_strcmp0 (ts_ticket_get_key (ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window))), key) == 0 &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        return TS_TICKET_WINDOW (window);
    }
  return NULL;
}

/* The popover (a menu) that shows under @ancestor, once it does. */
static GtkWidget *
find_popover (GtkWidget *ancestor)
{
  if (GTK_IS_POPOVER (ancestor) && gtk_widget_get_mapped (ancestor))
    return ancestor;

  for (GtkWidget *child = gtk_widget_get_first_child (ancestor);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_popover (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Clicks the menu item shown as @label in the menu open under @ancestor. */
static void
click_menu_item (GtkWidget  *ancestor,
                 const char *label)
{
  GtkWidget *popover = NULL;
  GtkWidget *item = NULL;

  TS_WAIT_FOR ((popover = find_popover (ancestor)) != NULL);
  TS_WAIT_FOR ((item = ts_test_find_label (popover, label)) != NULL && gtk_widget_get_width (item) > 0);
  ts_test_click (item);
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
}

static void
on_text_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(char **)user_data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_text_read, &text);
  TS_WAIT_FOR (text != NULL);
  return text;
}

/* The tests, in order: each continues from the one before. */

/* zhangwei has tickets in two projects: My Tickets shows both, by
 * project; a double click opens one, and a ticket lina passes him
 * appears by itself. */
static void
test_my_tickets (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsStore) lina = open_store ("lina");
  g_autoptr(TsTicket) q1 = NULL, q2 = NULL, q2a = NULL, q2b = NULL, i1 = NULL, i2 = NULL, i2a = NULL;
  TsMainWindow *window;
  TsMyTicketsView *view;
  TsTicketTable *issues = NULL, *improvements = NULL;
  TsTicketWindow *editor = NULL;
  GtkWidget *entry, *cell;

  q1 = create_ticket (zhangwei, "issue_track", "{\"summary\": \"【20180128】某银行局点设备发生硬盘故障\"}");
  q2 = create_ticket (zhangwei, "issue_track",
                      "{\"summary\": \"【20180201】电网局点升级失败\", \"issue_checker\": \"lina\", "
                      "\"issue_processor\": \"zhangwei\", \"issue_se\": \"wangfang\"}");
  q2a = fire (zhangwei, q2, "提交审核", NULL);
  q2b = fire (lina, q2a, "转SE分析改进", NULL);
  g_assert_cmpstr (ts_ticket_get_state (q2b), ==, "SE分析改进");
  i1 = create_ticket (zhangwei, "improvement", "{\"summary\": \"硬盘故障告警提前到巡检\"}");

  window = open_main_window (zhangwei);
  entry = ts_test_find_label (GTK_WIDGET (window), "My Tickets");
  g_assert_nonnull (entry);
  ts_test_click (entry);
  TS_WAIT_FOR (ts_main_window_get_project (window) == NULL);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "My Tickets");

  view = TS_MY_TICKETS_VIEW (ts_main_window_get_table (window, "mine"));
  TS_WAIT_FOR ((issues = ts_my_tickets_view_get_table (view, "issue_track")) != NULL &&
               (improvements = ts_my_tickets_view_get_table (view, "improvement")) != NULL &&
               g_list_model_get_n_items (rows_of (issues)) == 1 &&
               g_list_model_get_n_items (rows_of (improvements)) == 1);
  g_assert_cmpstr (key_at (issues, 0), ==, "question_1");
  g_assert_cmpstr (key_at (improvements, 0), ==, "improvement_1");
  /* The projects' headings, in the sidebar's order. */
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (view), "网上问题处理"));
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (view), "改进建议"));
  /* People by name, in My Tickets too. */
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (issues)), "张伟") != NULL);
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (improvements)), "张伟") != NULL);
  ts_test_save_screenshot (GTK_WIDGET (window), "my-tickets.png", NULL);

  TS_WAIT_FOR ((cell = ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (improvements)),
                                           "improvement_1")) != NULL);
  ts_test_double_click (cell);
  TS_WAIT_FOR ((editor = find_editor ("improvement_1")) != NULL);
  gtk_window_destroy (GTK_WINDOW (editor));

  /* lina proposes an improvement and passes it to zhangwei to review. */
  i2 = create_ticket (lina, "improvement", "{\"summary\": \"升级前自动检查版本配套\"}");
  i2a = fire (lina, i2, "提交评审", "{\"proposal\": \"升级工具先检查配套表\", \"reviewer\": \"zhangwei\"}");
  g_assert_cmpstr (ts_ticket_get_assigned_to (i2a), ==, "zhangwei");
  TS_WAIT_FOR (g_list_model_get_n_items (rows_of (improvements)) == 2);
  g_assert_cmpstr (key_at (improvements, 0), ==, "improvement_2");
  /* The sidebar's count followed. */
  TS_WAIT_FOR (ts_test_find_label (gtk_widget_get_parent (entry), "3") != NULL);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Sorting by 当前状态 is the server's, as the search results sort: the
 * list holds only the rows shown, so it asks for them in that order
 * (byte order: SE分析改进 before 维护人员处理); a second click reverses it. */
static void
test_state_sort (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_issue_track (zhangwei);
  TsTicketTable *all = table_of (window, "all");
  GtkWidget *header;

  ts_test_click (ts_test_find_label (GTK_WIDGET (window), "All Tickets"));
  TS_WAIT_FOR (g_list_model_get_n_items (rows_of (all)) == 2);
  TS_WAIT_FOR (g_strcmp0 (key_at (all, 0), "question_2") == 0);

  header = ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (all)), "State");
  g_assert_nonnull (header);
  ts_test_click (header);
  g_assert_cmpstr (ts_ticket_list_get_sort (ts_ticket_table_get_list (all)), ==, "state");
  TS_WAIT_FOR (g_strcmp0 (key_at (all, 0), "question_2") == 0 && g_strcmp0 (key_at (all, 1), "question_1") == 0);
  /* A pause, as a person makes, so the second click is no double click. */
  ts_test_iterate (600);
  ts_test_click (header);
  TS_WAIT_FOR (g_strcmp0 (key_at (all, 0), "question_1") == 0 && g_strcmp0 (key_at (all, 1), "question_2") == 0);
  g_assert_true (ts_ticket_list_get_descending (ts_ticket_table_get_list (all)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* 当前处理人 and 创建人 show display names, the login in the tooltip. */
static void
test_display_names (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_issue_track (zhangwei);
  TsTicketTable *all = table_of (window, "all");
  GtkWidget *view = GTK_WIDGET (ts_ticket_table_get_column_view (all));
  GtkWidget *cell = NULL;

  ts_test_click (ts_test_find_label (GTK_WIDGET (window), "All Tickets"));
  TS_WAIT_FOR ((cell = ts_test_find_label (view, "王芳")) != NULL);
  /* The login shows where the pointer rests on the name. */
  g_assert_nonnull (ts_test_find_label (ts_test_hover (cell), "王芳 (wangfang)"));
  g_assert_nonnull (ts_test_find_label (view, "张伟"));
  g_assert_null (ts_test_find_label (view, "wangfang"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The Columns menu of the header bar, found as a person finds it: the
 * button with that accessible name. */
static GtkWidget *
columns_button (TsMainWindow *window)
{
  GtkWidget *found = NULL;
  GtkWidget *stack[64];
  guint depth = 0;

  stack[depth++] = GTK_WIDGET (window);
  while (depth > 0 && found == NULL)
    {
      GtkWidget *widget = stack[--depth];

      if (GTK_IS_MENU_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
          g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Columns") == 0)
        found = widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child && depth < 64;
           child = gtk_widget_get_next_sibling (child))
        stack[depth++] = child;
    }
  g_assert_nonnull (found);
  return found;
}

/* 创建人 hidden from the Columns menu stays hidden in the next
 * window of that project. */
static void
test_hide_column (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");
  TsMainWindow *window = open_issue_track (zhangwei);
  TsTicketTable *pending = table_of (window, "pending");

  TS_WAIT_FOR (g_list_model_get_n_items (rows_of (pending)) == 1);
  g_assert_true (gtk_column_view_column_get_visible (column_titled (pending, "Reporter")));
  ts_test_click (columns_button (window));
  click_menu_item (columns_button (window), "Reporter");
  TS_WAIT_FOR (!gtk_column_view_column_get_visible (column_titled (pending, "Reporter")));
  /* The other table of the project follows. */
  TS_WAIT_FOR (!gtk_column_view_column_get_visible (column_titled (table_of (window, "all"), "Reporter")));
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_issue_track (zhangwei);
  pending = table_of (window, "pending");
  g_assert_false (gtk_column_view_column_get_visible (column_titled (pending, "Reporter")));
  g_assert_true (gtk_column_view_column_get_visible (column_titled (pending, "State")));
  gtk_window_destroy (GTK_WINDOW (window));

  g_settings_reset (settings, "hidden-columns");
}

/* At 600 pixels the table is two-line rows; at 1200 columns again. */
static void
test_narrow (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_issue_track (zhangwei);
  TsTicketTable *pending = table_of (window, "pending");
  GtkWidget *row_key = NULL;

  TS_WAIT_FOR (g_list_model_get_n_items (rows_of (pending)) == 1);
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (pending)), "张伟") != NULL);
  g_assert_false (ts_ticket_table_get_compact (pending));

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 700);
  TS_WAIT_FOR (ts_ticket_table_get_compact (pending));
  TS_WAIT_FOR ((row_key = ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_list_view (pending)),
                                              "question_1")) != NULL);
  g_assert_nonnull (gtk_widget_get_ancestor (row_key, TS_TYPE_TICKET_ROW));
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_list_view (pending)), "维护人员处理"));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (ts_ticket_table_get_column_view (pending))));
  ts_test_save_screenshot (GTK_WIDGET (window), "main-window-narrow.png", NULL);

  /* The two-line row opens its ticket too. */
  ts_test_double_click (row_key);
  TS_WAIT_FOR (find_editor ("question_1") != NULL);
  gtk_window_destroy (GTK_WINDOW (find_editor ("question_1")));

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  TS_WAIT_FOR (!ts_ticket_table_get_compact (pending));
  TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (ts_ticket_table_get_column_view (pending))));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A right click on a row offers Copy Key; the Menu key offers the same
 * menu for the selected row. */
static void
test_context_menu (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_issue_track (zhangwei);
  TsTicketTable *pending = table_of (window, "pending");
  GtkWidget *view = GTK_WIDGET (ts_ticket_table_get_column_view (pending));
  g_autofree char *key = NULL;
  g_autofree char *link = NULL;
  GtkWidget *cell = NULL;

  /* Once the names are in, the rows stay as they are. */
  TS_WAIT_FOR (ts_test_find_label (view, "张伟") != NULL);
  TS_WAIT_FOR ((cell = ts_test_find_label (view, "question_1")) != NULL);
  ts_test_right_click (cell);
  click_menu_item (GTK_WIDGET (pending), "Copy Key");
  key = read_clipboard (GTK_WIDGET (window));
  g_assert_cmpstr (key, ==, "question_1");

  /* The row selected and focused, the keyboard opens the menu. */
  ts_test_click (cell);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_F10, GDK_SHIFT_MASK);
  click_menu_item (GTK_WIDGET (pending), "Copy Link");
  link = read_clipboard (GTK_WIDGET (window));
  g_assert_cmpstr (link, ==, "tasksteper://issue_track/1");

  ts_test_iterate (600);
  ts_test_click (cell);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Menu, 0);
  click_menu_item (GTK_WIDGET (pending), "Open");
  TS_WAIT_FOR (find_editor ("question_1") != NULL);
  gtk_window_destroy (GTK_WINDOW (find_editor ("question_1")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
focus_of (TsMainWindow *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

/* The menu button or button the focus is on, by its tooltip. */
static const char *
focused_button (TsMainWindow *window)
{
  GtkWidget *focus = focus_of (window);
  GtkWidget *button = focus ? gtk_widget_get_ancestor (focus, GTK_TYPE_MENU_BUTTON) : NULL;

  if (button == NULL && focus != NULL)
    button = GTK_IS_BUTTON (focus) ? focus : gtk_widget_get_ancestor (focus, GTK_TYPE_BUTTON);
  return button ? gtk_widget_get_tooltip_text (button) : NULL;
}

/* Tab follows the layout: from the sidebar's list into the tickets, then
 * round to the header bars, the main menu first. */
static void
test_tab_order (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_issue_track (zhangwei);
  GtkWidget *pending = GTK_WIDGET (table_of (window, "pending"));

  /* The click in the sidebar left the focus on its list. */
  g_assert_nonnull (gtk_widget_get_ancestor (focus_of (window), GTK_TYPE_LIST_VIEW));
  g_assert_false (gtk_widget_is_ancestor (focus_of (window), pending));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_is_ancestor (focus_of (window), pending));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Tab, 0);
  g_assert_cmpstr (focused_button (window), ==, "Main Menu");
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Tab, 0);
  g_assert_cmpstr (focused_button (window), ==, "New Ticket (Ctrl+N)");
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_cmpstr (focused_button (window), ==, "Main Menu");
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (gtk_widget_is_ancestor (focus_of (window), pending));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The second example project, and everyone's display names. */
static void
prepare_improvement (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "improvement.json", NULL);
  g_autofree char *schema = NULL;
  static const char * const people[][2] = {
    { "zhangwei", "SELECT tasksteper.set_display_name ($1, '张伟')" },
    { "lina", "SELECT tasksteper.set_display_name ($1, '李娜')" },
    { "wangfang", "SELECT tasksteper.set_display_name ($1, '王芳')" },
  };

  g_assert_true (g_file_get_contents (path, &schema, NULL, NULL));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.import_project ($1::jsonb)", schema));
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_free (ts_test_query_value (server, db, "SELECT tasksteper.add_member ('improvement', $1)", people[i][0]));
      g_free (ts_test_query_value (server, db, people[i][1], people[i][0]));
    }
}

/* @sql as zhangwei in @database; the first value of its first row. */
static char *
exec_as_zhangwei (const char *database,
                  const char *sql)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, database, "zhangwei");
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;
  char *value;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  PQfinish (conn);
  return value;
}

/* The main window on @database as zhangwei, All Tickets chosen by a
 * click. */
static TsMainWindow *
open_all_tickets (const char  *database,
                  TsStore    **store)
{
  TsMainWindow *window;

  *store = open_store_in (database, "zhangwei");
  window = open_issue_track (*store);
  ts_test_click (ts_test_find_label (GTK_WIDGET (window), "All Tickets"));
  return window;
}

/* A list of 2,000 tickets holds a few pages: End in the table goes to
 * the last row, whose page is read then, and its key shows. */
static void
test_end_of_long_list (void)
{
  g_autofree char *big = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", NULL });
  g_autoptr(TsStore) zhangwei = NULL;
  TsMainWindow *window;
  TsTicketTable *all;
  GtkWidget *view;
  GtkWidget *cell = NULL;
  g_autofree char *last_id = NULL;

  /* A hundred a transaction, as the server allows; as zhangwei, since
   * membership goes by the session's user. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (tasksteper.create_ticket ('issue_track',"
                                              "  jsonb_build_object ('summary', '【20180201】第' || i || '个局点巡检')))"
                                              " FROM generate_series (%u, %u) i", i * 100 + 1, i * 100 + 100);

      g_free (exec_as_zhangwei (big, sql));
    }

  window = open_all_tickets (big, &zhangwei);
  all = table_of (window, "all");
  view = GTK_WIDGET (ts_ticket_table_get_column_view (all));
  TS_WAIT_FOR (g_list_model_get_n_items (rows_of (all)) == 2000);
  /* Fewer rows are read than the list has. */
  last_id = ts_test_query_value (server, big, "SELECT id FROM tasksteper.tickets WHERE number = 1", NULL);
  g_assert_null (ts_ticket_list_lookup (ts_ticket_table_get_list (all), g_ascii_strtoll (last_id, NULL, 10)));
  TS_WAIT_FOR ((cell = ts_test_find_label (view, "question_2000")) != NULL);
  ts_test_click (cell);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_End, 0);
  TS_WAIT_FOR (ts_test_find_label (view, "question_1") != NULL);
  g_assert_null (ts_test_find_label (view, "question_2000"));
  g_assert_cmpuint (ts_ticket_list_get_n_pages (ts_ticket_table_get_list (all)), <=, 16);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Tickets changed by someone else while they are on screen, one row and
 * then the row under it: each row keeps its place and every other row
 * stays where it was (GTK 4.8's map model moved the rows under a changed
 * one up by one, and then showed a ticket twice). */
static void
test_rows_in_place (void)
{
  g_autofree char *small = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", NULL });
  g_autoptr(TsStore) zhangwei = NULL;
  TsMainWindow *window;
  TsTicketTable *all;
  GtkWidget *view;

  g_free (exec_as_zhangwei (small, "SELECT count (tasksteper.create_ticket ('issue_track',"
                                   "  jsonb_build_object ('summary', '第' || i || '个局点巡检')))"
                                   " FROM generate_series (1, 20) i"));
  window = open_all_tickets (small, &zhangwei);
  all = table_of (window, "all");
  view = GTK_WIDGET (ts_ticket_table_get_column_view (all));
  TS_WAIT_FOR (ts_test_find_label (view, "第1个局点巡检") != NULL);

  for (guint number = 12; number >= 10; number--)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT (tasksteper.save_ticket (id, version,"
                                              "  jsonb_build_object ('summary', '改过了' || number))).version"
                                              " FROM tasksteper.tickets WHERE number = %u", number);
      g_autofree char *changed = g_strdup_printf ("改过了%u", number);
      g_autofree char *before = g_strdup_printf ("第%u个局点巡检", number);

      g_free (exec_as_zhangwei (small, sql));
      TS_WAIT_FOR (ts_test_find_label (view, changed) != NULL);
      g_assert_null (ts_test_find_label (view, before));

      for (guint i = 0; i < 20; i++)
        {
          g_autofree char *key = g_strdup_printf ("question_%u", 20 - i);

          g_assert_cmpstr (key_at (all, i), ==, key);
        }
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Someone else changes the ticket selected: its row shows the change and
 * stays selected, the same cells updated where they are (GTK makes no new
 * row for it), and Enter opens it. */
static void
test_selection_stays (void)
{
  g_autofree char *small = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", NULL });
  g_autoptr(TsStore) zhangwei = NULL;
  TsMainWindow *window;
  TsTicketTable *all;
  GtkWidget *view;
  GtkWidget *cell;
  GtkSelectionModel *selection;

  g_free (exec_as_zhangwei (small, "SELECT count (tasksteper.create_ticket ('issue_track',"
                                   "  jsonb_build_object ('summary', '第' || i || '个局点巡检')))"
                                   " FROM generate_series (1, 20) i"));
  window = open_all_tickets (small, &zhangwei);
  all = table_of (window, "all");
  view = GTK_WIDGET (ts_ticket_table_get_column_view (all));
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (view));
  TS_WAIT_FOR ((cell = ts_test_find_label (view, "第15个局点巡检")) != NULL);
  g_object_ref (cell);
  ts_test_click (cell);
  TS_WAIT_FOR (gtk_selection_model_is_selected (selection, 5));
  g_assert_cmpstr (key_at (all, 5), ==, "question_15");

  for (guint round = 1; round <= 2; round++)
    {
      g_autofree char *summary = g_strdup_printf ("第%u次改过了", round);
      g_autofree char *sql = g_strdup_printf ("SELECT (tasksteper.save_ticket (id, version,"
                                              "  jsonb_build_object ('summary', '%s'))).version"
                                              " FROM tasksteper.tickets WHERE number = 15", summary);

      g_free (exec_as_zhangwei (small, sql));
      TS_WAIT_FOR (ts_test_find_label (view, summary) != NULL);
      g_assert_true (gtk_selection_model_is_selected (selection, 5));
      g_assert_cmpstr (key_at (all, 5), ==, "question_15");
      g_assert_true (ts_test_find_label (view, summary) == cell);
    }

  ts_test_key (GTK_WIDGET (window), GDK_KEY_Return, 0);
  TS_WAIT_FOR (find_editor ("question_15") != NULL);
  gtk_window_destroy (GTK_WINDOW (find_editor ("question_15")));

  g_object_unref (cell);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });
  prepare_improvement ();

  g_test_add_func ("/ts/main-window/my-tickets", test_my_tickets);
  g_test_add_func ("/ts/main-window/state-sort", test_state_sort);
  g_test_add_func ("/ts/main-window/display-names", test_display_names);
  g_test_add_func ("/ts/main-window/hide-column", test_hide_column);
  g_test_add_func ("/ts/main-window/narrow", test_narrow);
  g_test_add_func ("/ts/main-window/context-menu", test_context_menu);
  g_test_add_func ("/ts/main-window/tab-order", test_tab_order);
  g_test_add_func ("/ts/main-window/end-of-long-list", test_end_of_long_list);
  g_test_add_func ("/ts/main-window/rows-in-place", test_rows_in_place);
  g_test_add_func ("/ts/main-window/selection-stays", test_selection_stays);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
