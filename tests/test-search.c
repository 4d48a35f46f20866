/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-application.h"
#include "ts-cache.h"
#include "ts-gui-test-util.h"
#include "ts-main-window.h"
#include "ts-query.h"
#include "ts-save-search-dialog.h"
#include "ts-search-bar.h"
#include "ts-store.h"
#include "ts-test-server.h"
#include "ts-ticket-table.h"

/* Finding tickets as a person does, against a real server: Ctrl+F, a
 * query typed in the project's own words (问题级别:严重问题 北京), the rows it
 * finds, a query that does not parse, completion, pages read as one
 * scrolls, the filter popover, Save Search…, the saved search found again
 * after a restart, renamed and deleted from its menu, another member's
 * shared search, a tasksteper:// link, and the offline copy searched once
 * the server is gone.  Every label is looked up through gettext, so the
 * same program runs under LANG=zh_CN.UTF-8 (test-search-zh_CN). */

static TsTestServer *server;
static char *db;
static char *cache_home;

/* The tickets: six that the searches tell apart, and enough of another
 * kind (巡检) for several pages. */
#define N_ROUNDS 150
#define PAGE_SIZE 60

static const char * const tickets[] = {
  /* question_1 */ "{\"summary\": \"【20180102】北京局点服务器发生硬盘故障\", \"issue_level\": \"严重问题\"}",
  /* question_2 */ "{\"summary\": \"【20180115】上海局点交换机网卡丢包\", \"issue_level\": \"严重问题\"}",
  /* question_3 */ "{\"summary\": \"【20180131】北京局点 BMC 无法登录\", \"issue_level\": \"一般问题\"}",
  /* question_4 */ "{\"summary\": \"【20180205】北京银行升级失败\", \"issue_level\": \"严重问题\", \"customer_type\": \"电网\"}",
  /* question_5 */ "{\"summary\": \"【20180210】广州局点电源告警\", \"issue_level\": \"紧急问题\", \"detail\": \"北京备份链路也受影响\"}",
  /* question_6 */ "{\"summary\": \"【20180212】深圳局点风扇噪音\", \"issue_level\": \"严重问题\", \"detail\": \"与北京局点同批次\"}",
};

/* GTK shows a mnemonic label without its underscore. */
static char *
shown (const char *label)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (const char *p = label; *p; p++)
    if (*p != '_')
      g_string_append_c (text, *p);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Sessions */

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(int *)user_data = ts_store_open_finish (TS_STORE (object), result, &error) ? 1 : 2;
}

/* A session as the application makes one, with an offline copy of its own
 * when @cached. */
static TsStore *
open_store (const char *user,
            gboolean    cached)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  TsStore *store = ts_store_new (connection);
  int state = 0;

  if (cached)
    {
      g_autoptr(TsCache) cache = NULL;
      g_autofree char *target = NULL;
      g_autofree char *login = NULL;

      ts_connection_set_timeouts (connection, 3, 10);
      ts_connection_dup_target (connection, &target, &login);
      cache = ts_cache_new (target, login);
      ts_store_set_cache (store, cache);
    }

  ts_store_open_async (store, NULL, on_opened, &state);
  TS_WAIT_FOR (state != 0);
  g_assert_cmpint (state, ==, 1);
  return store;
}

static void
on_created (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) ticket = ts_store_change_finish (TS_STORE (object), result, &error);

  g_assert_no_error (error);
  (*(guint *)user_data)++;
}

static void
create_tickets (TsStore *store)
{
  guint done = 0, asked = 0;

  /* One after the other, so that the numbers are those of the list. */
  for (guint i = 0; i < G_N_ELEMENTS (tickets); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (tickets[i], NULL);

      ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, on_created, &done);
      asked++;
      TS_WAIT_FOR (done == asked);
    }

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *summary = g_strdup_printf ("【201803%02u】例行巡检记录 %u", i % 28 + 1, i + 1);

      json_object_set_string_member (fields, "summary", summary);
      ts_store_create_ticket_async (store, "issue_track", fields, NULL, on_created, &done);
      asked++;
    }
  TS_WAIT_FOR (done == asked);
}

static void
on_search_saved (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsSavedSearch) search = ts_store_save_search_finish (TS_STORE (object), result, &error);

  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* lina shares a search with the project. */
static void
share_lina_search (void)
{
  g_autoptr(TsStore) lina = open_store ("lina", FALSE);
  g_autoptr(JsonNode) filter = json_from_string ("{\"issue_level\": \"严重问题\"}", NULL);
  gboolean saved = FALSE;

  ts_store_save_search_async (lina, "issue_track", "严重问题汇总", "问题级别:严重问题", filter, TRUE,
                              NULL, on_search_saved, &saved);
  TS_WAIT_FOR (saved);
}

/* Windows and what they show */

static TsMainWindow *
open_window (TsStore *store)
{
  TsMainWindow *window = ts_main_window_new (NULL, store);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  TS_WAIT_FOR (ts_main_window_get_table (window, "search") != NULL);
  return window;
}

static TsSearchBar *
bar_of (TsMainWindow *window)
{
  return TS_SEARCH_BAR (ts_main_window_get_search_bar (window));
}

static GtkWidget *
entry_of (TsMainWindow *window)
{
  return ts_search_bar_get_entry (bar_of (window));
}

static const char *
query_of (TsMainWindow *window)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry_of (window)));
}

static TsTicketTable *
results_table (TsMainWindow *window)
{
  return TS_TICKET_TABLE (ts_main_window_get_table (window, "search"));
}

static GListModel *
rows_of (TsTicketTable *table)
{
  return G_LIST_MODEL (gtk_column_view_get_model (ts_ticket_table_get_column_view (table)));
}

/* The keys the results table shows, in its order: "question_6 question_4". */
static char *
shown_keys (TsMainWindow *window)
{
  GListModel *rows = rows_of (results_table (window));
  g_autoptr(GString) keys = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(TsTicket) ticket = ts_ticket_table_dup_ticket (results_table (window), i);

      g_string_append_printf (keys, "%s%s", i ? " " : "", ts_ticket_get_key (ticket));
    }
  return g_string_free (g_steal_pointer (&keys), FALSE);
}

static gboolean
shows_keys (TsMainWindow *window,
            const char   *keys)
{
  g_autofree char *now = shown_keys (window);
  TsSearchResults *results = ts_search_bar_get_results (bar_of (window));

  return !ts_search_results_get_loading (results) && g_str_equal (now, keys) &&
         gtk_widget_get_mapped (GTK_WIDGET (results_table (window)));
}

#define WAIT_FOR_KEYS(window, keys)                                             \
  G_STMT_START {                                                                \
    gint64 _end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;                \
    while (!shows_keys ((window), (keys)) && g_get_monotonic_time () < _end)    \
      g_main_context_iteration (NULL, FALSE);                                   \
    if (!shows_keys ((window), (keys)))                                         \
      {                                                                         \
        g_autofree char *_now = shown_keys (window);                            \
        g_error ("The search shows “%s”, not “%s” (query “%s”)", _now, (keys),  \
                 query_of (window));                                            \
      }                                                                         \
  } G_STMT_END

/* What the search bar says of how many were found. */
static char *
count_text (guint n)
{
  g_autofree char *number = g_strdup_printf ("%u", n);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s ticket", "%s tickets", n), number);
}

/* The first mapped widget of @type under @root (popovers included) that
 * @match accepts (NULL: any). */
static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             gboolean  (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root) &&
      (match == NULL || match (root, data)))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_widgets (GtkWidget *root,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, found);
}

static gboolean
has_tooltip (GtkWidget     *widget,
             gconstpointer  tooltip)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static gboolean
check_labelled (GtkWidget     *widget,
                gconstpointer  label)
{
  return g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)), label) == 0;
}

static gboolean
editable_says (GtkWidget     *widget,
               gconstpointer  text)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (widget)), text) == 0;
}

/* The message (a label of the "error" style) shown under @root. */
static GtkWidget *
dialog_error (GtkWidget *root)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect_widgets (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "error"))
      return g_ptr_array_index (labels, i);
  return NULL;
}

static GtkWidget *
find_popover (GtkWidget *root)
{
  return find_widget (root, GTK_TYPE_POPOVER, NULL, NULL);
}

/* Clicks the label (of a button, say) that shows @label under @root. */
static void
click_label (GtkWidget  *root,
             const char *label)
{
  g_autofree char *text = shown (label);
  GtkWidget *widget = NULL;

  TS_WAIT_FOR ((widget = ts_test_find_label (root, text)) != NULL);
  ts_test_click (widget);
}

/* Clicks the item shown as @label in the menu open under @root. */
static void
click_menu_item (GtkWidget  *root,
                 const char *label)
{
  g_autofree char *text = shown (label);
  GtkWidget *popover = NULL;
  GtkWidget *item = NULL;

  TS_WAIT_FOR ((popover = find_popover (root)) != NULL);
  TS_WAIT_FOR ((item = ts_test_find_label (popover, text)) != NULL && gtk_widget_get_width (item) > 0);
  ts_test_click (item);
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
}

/* The first mapped toplevel of @type. */
static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (window))
        return window;
    }
  return NULL;
}

static guint
n_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      n += gtk_widget_get_mapped (window);
    }
  return n;
}

/* A sidebar row of the window, by the text it shows. */
static gboolean
is_sidebar (GtkWidget     *widget,
            gconstpointer  data)
{
  return gtk_widget_has_css_class (widget, "navigation-sidebar");
}

static GtkWidget *
sidebar_row (TsMainWindow *window,
             const char   *text)
{
  GtkWidget *view = find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, is_sidebar, NULL);

  g_assert_nonnull (view);
  return ts_test_find_label (view, text);
}

static char *
db_value (const char *sql,
          const char *param)
{
  return ts_test_query_value (server, db, sql, param);
}

/* Types into the search entry, which gets the keyboard with Ctrl+F. */
static void
type_query (TsMainWindow *window,
            const char   *query)
{
  ts_test_key (GTK_WIDGET (window), GDK_KEY_f, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_search_bar_get_search_mode (bar_of (window)) && gtk_widget_get_mapped (entry_of (window)));
  TS_WAIT_FOR (gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (entry_of (window))))));
  /* Ctrl+F selects what was there: typing replaces it. */
  ts_test_key (GTK_WIDGET (window), GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_BackSpace, 0);
  ts_test_type (GTK_WIDGET (window), query);
  g_assert_cmpstr (query_of (window), ==, query);
}

/* Pastes @query over what the entry holds (Ctrl+A, Ctrl+V): the entry
 * then changes once, not at every key as typing does. */
static void
paste_query (TsMainWindow *window,
             const char   *query)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), query);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_f, GDK_CONTROL_MASK);
  TS_WAIT_FOR (gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (entry_of (window))))));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_v, GDK_CONTROL_MASK);
  TS_WAIT_FOR (g_strcmp0 (query_of (window), query) == 0);
}

/* The tests, in order: each continues from what the one before left. */

/* Ctrl+F, 问题级别:严重问题 北京: the serious tickets that mention 北京
 * anywhere, newest first; the ID column's header sorts them on the
 * server; Escape goes back to the lists. */
static void
test_type_query (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autofree char *three = count_text (3);
  TsTicketTable *table;
  GtkWidget *header;

  g_assert_false (ts_search_bar_get_search_mode (bar_of (window)));
  type_query (window, "问题级别:严重问题 北京");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (bar_of (window)), three) != NULL);
  /* In the same columns as the project's tables. */
  table = results_table (window);
  g_assert_true (ts_ticket_table_get_project (table) == ts_main_window_get_project (window));
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (table)),
                                   "【20180205】北京银行升级失败") != NULL);
  ts_test_save_screenshot (GTK_WIDGET (window), "search-bar.png", NULL);

  /* Sorted by the server: ID ascending, then descending. */
  header = ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (table)),
                               ts_project_get_label_for (ts_main_window_get_project (window), "key"));
  g_assert_nonnull (header);
  ts_test_click (header);
  WAIT_FOR_KEYS (window, "question_1 question_4 question_6");
  g_assert_cmpstr (ts_search_results_get_sort (ts_search_bar_get_results (bar_of (window))), ==, "number");
  ts_test_iterate (600);
  ts_test_click (header);
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");

  /* Escape (the keyboard is in the table): the bar closes, the lists are
   * back. */
  ts_test_click (ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (table)), "question_4"));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), GTK_WIDGET (table)));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Escape, 0);
  TS_WAIT_FOR (!ts_search_bar_get_search_mode (bar_of (window)));
  TS_WAIT_FOR (!gtk_widget_get_mapped (GTK_WIDGET (table)));
  TS_WAIT_FOR (gtk_widget_get_mapped (ts_main_window_get_table (window, "pending")) ||
               gtk_widget_get_mapped (ts_main_window_get_table (window, "all")));
  g_assert_cmpstr (query_of (window), ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A query that does not parse is not searched: the word at fault is
 * underlined, the message is below the entry (and its accessible
 * description), and no dialog opens. */
static void
test_bad_query (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  const char *query = "问题级别:不存在的级别 北京";
  const char *word = strstr (query, "不存在的级别");
  guint windows = n_toplevels ();
  TsSearchResults *results;
  GtkWidget *message = NULL;
  PangoAttrList *attributes;
  g_autoptr(GSList) underlined = NULL;
  gboolean covered = FALSE;

  type_query (window, "北京");
  WAIT_FOR_KEYS (window, "question_6 question_5 question_4 question_3 question_1");
  results = ts_search_bar_get_results (bar_of (window));

  paste_query (window, query);
  TS_WAIT_FOR (gtk_widget_has_css_class (entry_of (window), "error"));
  TS_WAIT_FOR ((message = dialog_error (GTK_WIDGET (bar_of (window)))) != NULL);
  /* It names the word, and says what to write. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (message)), "不存在的级别"));
  g_test_message ("The message: %s", gtk_label_get_text (GTK_LABEL (message)));

  /* The underline covers the word, in bytes of the text. */
  attributes = gtk_text_get_attributes (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (entry_of (window)))));
  g_assert_nonnull (attributes);
  underlined = pango_attr_list_get_attributes (attributes);
  for (GSList *l = underlined; l; l = l->next)
    {
      PangoAttribute *attribute = l->data;

      if (attribute->klass->type == PANGO_ATTR_UNDERLINE &&
          attribute->start_index <= (guint)(word - query) &&
          attribute->end_index >= (guint)(word - query + strlen ("不存在的级别")) &&
          attribute->end_index <= strlen (query))
        covered = TRUE;
    }
  g_slist_free_full (g_steal_pointer (&underlined), (GDestroyNotify)pango_attribute_destroy);
  g_assert_true (covered);

  /* Nothing was searched: the last good search still shows. */
  ts_test_iterate (500);
  g_assert_true (shows_keys (window, "question_6 question_5 question_4 question_3 question_1"));
  g_assert_null (json_object_get_member (json_node_get_object (ts_search_results_get_filter (results)),
                                         "issue_level"));
  g_assert_cmpuint (n_toplevels (), ==, windows);
  ts_test_save_screenshot (GTK_WIDGET (window), "search-error.png", NULL);

  /* Put right, it searches. */
  type_query (window, "问题级别:严重问题 北京");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");
  g_assert_false (gtk_widget_has_css_class (entry_of (window), "error"));
  g_assert_false (gtk_widget_get_mapped (message));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The row of the completion list whose label starts with @label. */
static int
completion_index (TsMainWindow *window,
                  const char   *label)
{
  GtkWidget *list = find_widget (ts_search_bar_get_completions (bar_of (window)), GTK_TYPE_LIST_BOX, NULL, NULL);

  g_assert_nonnull (list);
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i);
      GtkWidget *first;

      if (row == NULL)
        return -1;
      first = gtk_widget_get_first_child (gtk_list_box_row_get_child (row));
      if (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (first)), label))
        return i;
    }
}

static int
selected_completion (TsMainWindow *window)
{
  GtkWidget *list = find_widget (ts_search_bar_get_completions (bar_of (window)), GTK_TYPE_LIST_BOX, NULL, NULL);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (GTK_LIST_BOX (list));

  return row ? gtk_list_box_row_get_index (row) : -1;
}

/* Down as often as it takes to @index. */
static void
move_to_completion (TsMainWindow *window,
                    int           index)
{
  g_assert_cmpint (index, >=, 0);
  for (guint guard = 0; selected_completion (window) != index && guard < 100; guard++)
    ts_test_key (GTK_WIDGET (window), GDK_KEY_Down, 0);
  g_assert_cmpint (selected_completion (window), ==, index);
}

/* 问题 offers the fields whose labels start so; Tab takes 问题级别, the
 * list then offers its choices; Enter takes 严重问题; Escape closes the list
 * before the bar. */
static void
test_completion (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  GtkWidget *completions = ts_search_bar_get_completions (bar_of (window));
  int index;

  type_query (window, "问题");
  TS_WAIT_FOR (gtk_widget_get_mapped (completions) && completion_index (window, "问题级别") >= 0);
  g_assert_cmpint (completion_index (window, "问题大类"), >=, 0);
  ts_test_save_screenshot (completions, "search-completion.png", NULL);

  index = completion_index (window, "问题级别");
  move_to_completion (window, index);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Tab, 0);
  g_assert_true (g_str_has_prefix (query_of (window), "问题级别"));
  /* The keyboard stayed in the entry. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (entry_of (window))))));

  /* After the field, its values. */
  if (!g_str_has_suffix (query_of (window), ":"))
    ts_test_type (GTK_WIDGET (window), ":");
  TS_WAIT_FOR (gtk_widget_get_mapped (completions) && completion_index (window, "严重问题") >= 0);
  move_to_completion (window, completion_index (window, "严重问题"));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Return, 0);
  g_assert_true (g_str_has_prefix (query_of (window), "问题级别:严重问题"));
  WAIT_FOR_KEYS (window, "question_6 question_4 question_2 question_1");

  /* Escape: first the list, then the bar. */
  ts_test_type (GTK_WIDGET (window), " 客户");
  TS_WAIT_FOR (gtk_widget_get_mapped (completions));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Escape, 0);
  TS_WAIT_FOR (!gtk_widget_get_mapped (completions));
  g_assert_true (ts_search_bar_get_search_mode (bar_of (window)));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Escape, 0);
  TS_WAIT_FOR (!ts_search_bar_get_search_mode (bar_of (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* 150 tickets of 巡检, 60 a page (more than two screenfuls): the first
 * page, then the next ones as the table is scrolled to its end (End in
 * the table). */
static void
test_paging (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  TsSearchResults *results = ts_search_bar_get_results (bar_of (window));
  g_autofree char *all = count_text (N_ROUNDS);
  GListModel *rows;
  GtkWidget *cell = NULL;

  ts_search_results_set_page_size (results, PAGE_SIZE);
  type_query (window, "巡检");
  rows = rows_of (results_table (window));
  TS_WAIT_FOR (g_list_model_get_n_items (rows) == PAGE_SIZE && !ts_search_results_get_loading (results) &&
               ts_search_results_get_count (results) == N_ROUNDS);
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (bar_of (window)), all) != NULL);
  /* A screenful is there; the rest waits for a scroll. */
  ts_test_iterate (500);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, PAGE_SIZE);
  g_assert_false (ts_search_results_get_complete (results));

  TS_WAIT_FOR ((cell = ts_test_find_label (GTK_WIDGET (ts_ticket_table_get_column_view (results_table (window))),
                                           "question_156")) != NULL);
  ts_test_click (cell);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_End, 0);
  TS_WAIT_FOR (g_list_model_get_n_items (rows) == 2 * PAGE_SIZE && !ts_search_results_get_loading (results));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_End, 0);
  TS_WAIT_FOR (g_list_model_get_n_items (rows) == N_ROUNDS && ts_search_results_get_complete (results));
  /* No page more once the last was read. */
  ts_test_key (GTK_WIDGET (window), GDK_KEY_End, 0);
  ts_test_iterate (300);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_ROUNDS);

  /* Each ticket once, newest first, down to the first 巡检. */
  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(TsTicket) ticket = ts_ticket_table_dup_ticket (results_table (window), i);

      g_assert_cmpint (ts_ticket_get_number (ticket), ==, G_N_ELEMENTS (tickets) + N_ROUNDS - i);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The filter popover shows the query's conditions; one more, pointed at
 * (客户类别 is 金融), applied, becomes the query's text and its search. */
static void
test_filter_popover (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autoptr(GPtrArray) dropdowns = g_ptr_array_new ();
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *button, *popover, *check;
  guint start, end;

  type_query (window, "问题级别:严重问题 北京");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");

  button = find_widget (GTK_WIDGET (bar_of (window)), GTK_TYPE_MENU_BUTTON, has_tooltip, _("Filter by Field"));
  g_assert_nonnull (button);
  ts_test_click (button);
  TS_WAIT_FOR ((popover = find_popover (button)) != NULL);
  /* The query's two conditions. */
  TS_WAIT_FOR ((check = find_widget (popover, GTK_TYPE_CHECK_BUTTON, check_labelled, "严重问题")) != NULL);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_nonnull (find_widget (popover, GTK_TYPE_ENTRY, editable_says, "北京"));

  click_label (popover, _("_Add Condition"));
  collect_widgets (popover, GTK_TYPE_DROP_DOWN, dropdowns);
  g_assert_cmpuint (dropdowns->len, ==, 6);
  /* The new row's field, then its value. */
  ts_test_choose (g_ptr_array_index (dropdowns, 4), "客户类别");
  TS_WAIT_FOR ((check = find_widget (popover, GTK_TYPE_CHECK_BUTTON, check_labelled, "金融")) != NULL);
  ts_test_save_screenshot (popover, "search-filter-popover.png", NULL);
  ts_test_click (check);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  click_label (popover, _("A_pply"));
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));

  /* The text says what was pointed at, and was searched. */
  WAIT_FOR_KEYS (window, "question_6 question_1");
  g_test_message ("The popover wrote: %s", query_of (window));
  filter = ts_query_parse (ts_main_window_get_project (window), query_of (window), "zhangwei", &start, &end, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (filter), "customer_type"), ==, "金融");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (filter), "issue_level"), ==, "严重问题");

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
open_save_dialog (TsMainWindow *window)
{
  g_autofree char *label = shown (_("_Save Search…"));
  GtkWidget *dialog = NULL;

  ts_test_click (ts_test_find_label (GTK_WIDGET (bar_of (window)), label));
  TS_WAIT_FOR ((dialog = find_toplevel (TS_TYPE_SAVE_SEARCH_DIALOG)) != NULL);
  return dialog;
}

static void
type_name (GtkWidget  *dialog,
           const char *name)
{
  GtkWidget *row = ts_save_search_dialog_get_name_row (TS_SAVE_SEARCH_DIALOG (dialog));

  ts_test_click (row);
  ts_test_key (dialog, GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_key (dialog, GDK_KEY_BackSpace, 0);
  ts_test_type (dialog, name);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, name);
}

/* Save Search… with a name: in the sidebar at once, and in the database.
 * A name lina shares already cannot be shared again: the dialog says so
 * and keeps the name. */
static void
test_save (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autofree char *save = shown (_("_Save"));
  g_autofree char *saved = NULL;
  GtkWidget *dialog, *message = NULL;

  type_query (window, "问题级别:严重问题 北京");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");
  dialog = open_save_dialog (window);
  type_name (dialog, "北京严重问题");
  ts_test_save_screenshot (dialog, "search-save-dialog.png", NULL);
  ts_test_click (ts_test_find_label (dialog, save));
  TS_WAIT_FOR (find_toplevel (TS_TYPE_SAVE_SEARCH_DIALOG) == NULL);
  TS_WAIT_FOR (sidebar_row (window, "北京严重问题") != NULL);
  saved = db_value ("SELECT query || '|' || owner || '|' || shared FROM tasksteper.saved_searches WHERE name = $1",
                    "北京严重问题");
  g_assert_cmpstr (saved, ==, "问题级别:严重问题 北京|zhangwei|false");

  /* Shared under a name lina shares: refused, said in the dialog. */
  dialog = open_save_dialog (window);
  type_name (dialog, "严重问题汇总");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (find_widget (dialog, GTK_TYPE_SWITCH, NULL, NULL))));
  click_label (dialog, _("Share with the Project"));
  TS_WAIT_FOR (gtk_switch_get_active (GTK_SWITCH (find_widget (dialog, GTK_TYPE_SWITCH, NULL, NULL))));
  ts_test_click (ts_test_find_label (dialog, save));
  TS_WAIT_FOR ((message = dialog_error (dialog)) != NULL);
  g_test_message ("The refusal: %s", gtk_label_get_text (GTK_LABEL (message)));
  g_assert_true (gtk_widget_get_mapped (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ts_save_search_dialog_get_name_row (TS_SAVE_SEARCH_DIALOG (dialog)))),
                   ==, "严重问题汇总");
  ts_test_save_screenshot (dialog, "search-save-refused.png", NULL);
  ts_test_key (dialog, GDK_KEY_Escape, 0);
  TS_WAIT_FOR (find_toplevel (TS_TYPE_SAVE_SEARCH_DIALOG) == NULL);
  g_free (saved);
  saved = db_value ("SELECT count(*) FROM tasksteper.saved_searches WHERE owner = 'zhangwei'", NULL);
  g_assert_cmpstr (saved, ==, "1");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A new session finds the saved search under the project, and lina's
 * shared one with her name; a click runs it. */
static void
test_restart (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autofree char *tooltip = g_strdup_printf (_("Shared by %s"), "李娜");
  GtkWidget *mine = NULL, *shared = NULL;

  TS_WAIT_FOR ((mine = sidebar_row (window, "北京严重问题")) != NULL);
  TS_WAIT_FOR ((shared = sidebar_row (window, "严重问题汇总")) != NULL);
  TS_WAIT_FOR (g_strcmp0 (gtk_widget_get_tooltip_text (shared), tooltip) == 0);
  g_assert_false (ts_search_bar_get_search_mode (bar_of (window)));

  ts_test_click (mine);
  TS_WAIT_FOR (ts_search_bar_get_search_mode (bar_of (window)));
  g_assert_cmpstr (query_of (window), ==, "问题级别:严重问题 北京");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");
  ts_test_save_screenshot (GTK_WIDGET (window), "search-saved.png", NULL);

  /* The project's row: its lists again. */
  ts_test_click (sidebar_row (window, "网上问题处理"));
  TS_WAIT_FOR (!ts_search_bar_get_search_mode (bar_of (window)));

  ts_test_click (shared);
  TS_WAIT_FOR (ts_search_bar_get_search_mode (bar_of (window)));
  WAIT_FOR_KEYS (window, "question_6 question_4 question_2 question_1");

  gtk_window_destroy (GTK_WINDOW (window));
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

/* The menu of a saved search: Rename…, Delete (asked first) and Copy
 * Link on mine, only Copy Link on lina's. */
static void
test_rename_delete (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autofree char *rename = shown (_("_Rename…"));
  g_autofree char *renamed = NULL;
  g_autofree char *link = NULL;
  g_autofree char *project = NULL;
  g_autofree char *name = NULL;
  g_autofree char *left = NULL;
  GtkWidget *row = NULL, *dialog = NULL, *popover;
  AdwMessageDialog *question = NULL;

  TS_WAIT_FOR ((row = sidebar_row (window, "北京严重问题")) != NULL);
  ts_test_right_click (row);
  click_menu_item (GTK_WIDGET (window), _("_Rename…"));
  TS_WAIT_FOR ((dialog = find_toplevel (TS_TYPE_SAVE_SEARCH_DIALOG)) != NULL);
  type_name (dialog, "北京的严重问题");
  click_label (dialog, _("_Rename"));
  TS_WAIT_FOR (find_toplevel (TS_TYPE_SAVE_SEARCH_DIALOG) == NULL);
  TS_WAIT_FOR (sidebar_row (window, "北京的严重问题") != NULL && sidebar_row (window, "北京严重问题") == NULL);
  renamed = db_value ("SELECT query FROM tasksteper.saved_searches WHERE name = $1", "北京的严重问题");
  g_assert_cmpstr (renamed, ==, "问题级别:严重问题 北京");

  /* The Menu key on the selected row opens the same menu. */
  ts_test_click (sidebar_row (window, "北京的严重问题"));
  TS_WAIT_FOR (ts_search_bar_get_search_mode (bar_of (window)));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Menu, 0);
  click_menu_item (GTK_WIDGET (window), _("_Copy Link"));
  g_free (link);
  link = read_clipboard (GTK_WIDGET (window));
  g_assert_true (ts_parse_search_uri (link, &project, &name));
  g_assert_cmpstr (name, ==, "北京的严重问题");
  g_clear_pointer (&project, g_free);
  g_clear_pointer (&name, g_free);

  /* lina's: a link only. */
  ts_test_right_click (sidebar_row (window, "严重问题汇总"));
  TS_WAIT_FOR ((popover = find_popover (GTK_WIDGET (window))) != NULL);
  ts_test_iterate (200);
  g_assert_null (ts_test_find_label (popover, rename));
  click_menu_item (GTK_WIDGET (window), _("_Copy Link"));
  link = read_clipboard (GTK_WIDGET (window));
  g_test_message ("The link: %s", link);
  g_assert_true (ts_parse_search_uri (link, &project, &name));
  g_assert_cmpstr (project, ==, "issue_track");
  g_assert_cmpstr (name, ==, "严重问题汇总");

  /* Delete asks first. */
  ts_test_right_click (sidebar_row (window, "北京的严重问题"));
  click_menu_item (GTK_WIDGET (window), _("_Delete"));
  TS_WAIT_FOR ((question = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG))) != NULL);
  {
    g_autofree char *delete = shown (_("_Delete"));
    GtkWidget *button = NULL;

    TS_WAIT_FOR ((button = ts_test_find_label (GTK_WIDGET (question), delete)) != NULL);
    ts_test_click (button);
  }
  TS_WAIT_FOR (sidebar_row (window, "北京的严重问题") == NULL);
  left = db_value ("SELECT count(*) FROM tasksteper.saved_searches WHERE owner = 'zhangwei'", NULL);
  g_assert_cmpstr (left, ==, "0");
  g_assert_nonnull (sidebar_row (window, "严重问题汇总"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* tasksteper://issue_track/search/严重问题汇总: lina's shared search (I have
 * none of that name); a name nobody saved says so. */
static void
test_link (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = ts_main_window_new (NULL, store);
  g_autofree char *project = NULL;
  g_autofree char *name = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *escaped = g_uri_escape_string ("严重问题汇总", NULL, FALSE);
  g_autofree char *link = g_strdup_printf ("tasksteper://issue_track/search/%s", escaped);

  /* As the application does with a link it is given (ts_application's
   * open), before the window has read anything. */
  g_assert_true (ts_parse_search_uri (link, &project, &name));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  ts_main_window_open_search (window, project, name);
  TS_WAIT_FOR (ts_search_bar_get_search_mode (bar_of (window)));
  g_assert_cmpstr (query_of (window), ==, "问题级别:严重问题");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_2 question_1");
  g_assert_nonnull (ts_search_bar_get_saved_search (bar_of (window)));

  ts_main_window_open_search (window, "issue_track", "没有这个搜索");
  missing = g_strdup_printf (_("There is no saved search “%s” in %s: neither one of yours nor one shared with the project. It may have been renamed or deleted."),
                             "没有这个搜索", "网上问题处理");
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (window), missing) != NULL);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The server stops: the search runs over the offline copy, with the same
 * rows, and says so; saving is refused, saying why. */
static void
test_offline (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", TRUE);
  g_autoptr(GError) error = NULL;
  TsMainWindow *window = open_window (store);
  GtkWidget *all = ts_main_window_get_table (window, "all");
  GListModel *all_rows = rows_of (TS_TICKET_TABLE (all));
  GtkWidget *dialog, *message = NULL;
  TsSearchResults *results;
  GtkWidget *offline = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  /* The lists are read, and kept on disk. */
  TS_WAIT_FOR (g_list_model_get_n_items (all_rows) == G_N_ELEMENTS (tickets) + N_ROUNDS);
  ts_test_iterate (500);
  ts_cache_flush (ts_store_get_cache (store));

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);

  type_query (window, "问题级别:严重问题 北京");
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");
  results = ts_search_bar_get_results (bar_of (window));
  TS_WAIT_FOR (ts_search_results_get_offline (results));
  g_assert_false (ts_store_get_online (store));

  /* A label says which copy was searched, and from when. */
  ts_test_iterate (200);
  collect_widgets (GTK_WIDGET (bar_of (window)), GTK_TYPE_LABEL, labels);
  offline = NULL;
  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), "网上问题处理") != NULL)
      offline = g_ptr_array_index (labels, i);
  g_assert_nonnull (offline);
  g_test_message ("Offline, the bar says: %s", gtk_label_get_text (GTK_LABEL (offline)));
  ts_test_save_screenshot (GTK_WIDGET (window), "search-offline.png", NULL);

  /* Read-only: Save Search… says why it cannot. */
  dialog = open_save_dialog (window);
  TS_WAIT_FOR ((message = dialog_error (dialog)) != NULL && gtk_widget_get_mapped (message));
  g_test_message ("Offline, saving says: %s", gtk_label_get_text (GTK_LABEL (message)));
  {
    g_autofree char *save = shown (_("_Save"));

    g_assert_false (gtk_widget_is_sensitive (gtk_widget_get_ancestor (ts_test_find_label (dialog, save),
                                                                      GTK_TYPE_BUTTON)));
  }
  ts_test_key (dialog, GDK_KEY_Escape, 0);
  TS_WAIT_FOR (find_toplevel (TS_TYPE_SAVE_SEARCH_DIALOG) == NULL);

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  ts_store_reconnect (store);
  TS_WAIT_FOR (ts_store_get_online (store));
  /* Back online, the same search is asked of the server again. */
  TS_WAIT_FOR (!ts_search_results_get_offline (results));
  WAIT_FOR_KEYS (window, "question_6 question_4 question_1");

  gtk_window_destroy (GTK_WINDOW (window));
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
  g_autofree char *home = g_dir_make_tmp ("ts-search-XXXXXX", NULL);
  g_autoptr(TsStore) zhangwei = NULL;
  int ret;

  /* An offline copy of its own, before GLib reads the variable. */
  cache_home = g_build_filename (home, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);

  /* Under LANG=zh_CN.UTF-8 (test-search-zh_CN) the labels looked for are
   * the catalogue's. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_message ("Locale: %s", setlocale (LC_MESSAGES, NULL));

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '张伟')", "zhangwei"));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '李娜')", "lina"));
  zhangwei = open_store ("zhangwei", FALSE);
  create_tickets (zhangwei);
  share_lina_search ();

  g_test_add_func ("/ts/search/type-query", test_type_query);
  g_test_add_func ("/ts/search/bad-query", test_bad_query);
  g_test_add_func ("/ts/search/completion", test_completion);
  g_test_add_func ("/ts/search/paging", test_paging);
  g_test_add_func ("/ts/search/filter-popover", test_filter_popover);
  g_test_add_func ("/ts/search/save", test_save);
  g_test_add_func ("/ts/search/restart", test_restart);
  g_test_add_func ("/ts/search/rename-delete", test_rename_delete);
  g_test_add_func ("/ts/search/link", test_link);
  g_test_add_func ("/ts/search/offline", test_offline);

  ret = g_test_run ();
  g_clear_object (&zhangwei);
  ts_test_server_free (server);
  g_free (db);
  remove_tree (home);
  g_free (cache_home);
  return ret;
}
