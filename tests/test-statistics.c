/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-cache.h"
#include "ts-gui-test-util.h"
#include "ts-main-window.h"
#include "ts-search-bar.h"
#include "ts-statistics-view.h"
#include "ts-store.h"
#include "ts-test-server.h"
#include "ts-ticket-table.h"

/* The Statistics page as a person uses it, against a real server: the tab
 * clicked, the numbers read from the table beside the counts chart, the
 * grouping chosen with the pointer and with the keys, a search typed that
 * narrows every card while the page stays, a ticket created from another
 * session that the counts follow by themselves, each chart saved as PNG
 * and SVG through the file chooser (the name typed, Enter pressed), and
 * the offline copy counted once the server is gone.  Screenshots in the
 * light and dark styles; every label is looked up through gettext, so the
 * same program runs under LANG=zh_CN.UTF-8 (test-statistics-zh_CN). */

static TsTestServer *server;
static char *db;
static char *pictures;
static const char *locale_suffix = "";  /* "-zh_CN" under Chinese: its screenshots of their own */

/* The tickets: their 问题级别 (NULL: none) and whether zhangwei submits
 * them for review (to 李娜). */
static const struct
{
  const char *summary;
  const char *level;
  gboolean    submitted;
} tickets[] = {
  { "【20180102】北京局点服务器发生硬盘故障", "严重问题", TRUE },
  { "【20180115】上海局点交换机网卡丢包", "严重问题", FALSE },
  { "【20180131】北京局点 BMC 无法登录", "一般问题", TRUE },
  { "【20180205】北京银行升级失败", "严重问题", FALSE },
  { "【20180210】广州局点电源告警", "紧急问题", FALSE },
  { "【20180212】深圳局点风扇噪音", "一般问题", FALSE },
  { "【20180301】例行巡检记录", NULL, FALSE },
  { "【20180302】例行巡检记录", NULL, FALSE },
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
               const char *summary,
               const char *level)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  TsTicket *ticket = NULL;

  json_object_set_string_member (fields, "summary", summary);
  if (level != NULL)
    json_object_set_string_member (fields, "issue_level", level);
  ts_store_create_ticket_async (store, "issue_track", fields, NULL, on_changed, &ticket);
  TS_WAIT_FOR (ticket != NULL);
  return ticket;
}

static void
create_tickets (TsStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (tickets); i++)
    {
      g_autoptr(TsTicket) ticket = create_ticket (store, tickets[i].summary, tickets[i].level);

      if (tickets[i].submitted)
        {
          g_autoptr(JsonObject) fields = json_object_new ();
          g_autoptr(TsTicket) fired = NULL;

          json_object_set_string_member (fields, "issue_checker", "lina");
          ts_store_fire_async (store, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket), "提交审核",
                               fields, NULL, NULL, on_changed, &fired);
          TS_WAIT_FOR (fired != NULL);
        }
    }
}

/* Widgets */

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

static gboolean
has_tooltip (GtkWidget     *widget,
             gconstpointer  tooltip)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static TsStatisticsView *
view_of (TsMainWindow *window)
{
  GtkWidget *view = find_widget (GTK_WIDGET (window), TS_TYPE_STATISTICS_VIEW, NULL, NULL);

  g_assert_nonnull (view);
  return TS_STATISTICS_VIEW (view);
}

/* The view, shown or not. */
static TsStatisticsView *
view_of_any (TsMainWindow *window)
{
  GtkWidget *stack = find_widget (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL, NULL);
  GtkWidget *page = stack ? adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), "statistics") : NULL;

  g_assert_true (TS_IS_STATISTICS_VIEW (page));
  return TS_STATISTICS_VIEW (page);
}

/* What the table beside a card's chart shows, as a person reads it: one
 * line per row, top to bottom, its cells separated by tabs. */
typedef struct
{
  double  y;
  char   *text;
} Line;

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  const Line *first = a, *second = b;

  return first->y < second->y ? -1 : first->y > second->y;
}

static void
clear_line (gpointer data)
{
  g_free (((Line *)data)->text);
}

static void
collect_rows (GtkWidget *root,
              GtkWidget *table,
              GArray    *lines)
{
  if (g_str_equal (gtk_widget_get_css_name (root), "row") && gtk_widget_get_mapped (root))
    {
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();
      g_autoptr(GString) text = g_string_new (NULL);
      graphene_rect_t bounds;
      Line line;

      collect_widgets (root, GTK_TYPE_LABEL, labels);
      for (guint i = 0; i < labels->len; i++)
        g_string_append_printf (text, "%s%s", i ? "\t" : "", gtk_label_get_text (g_ptr_array_index (labels, i)));
      if (!gtk_widget_compute_bounds (root, table, &bounds))
        return;
      line.y = bounds.origin.y;
      line.text = g_string_free (g_steal_pointer (&text), FALSE);
      g_array_append_val (lines, line);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_rows (child, table, lines);
}

static char *
table_text (TsMainWindow *window,
            const char   *card)
{
  GtkWidget *table = ts_statistics_view_get_table (view_of (window), card);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (Line));
  g_autoptr(GString) text = g_string_new (NULL);

  g_array_set_clear_func (lines, clear_line);
  collect_rows (table, table, lines);
  g_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "%s\n", g_array_index (lines, Line, i).text);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
table_shows (TsMainWindow *window,
             const char   *card,
             const char   *expected)
{
  g_autofree char *now = table_text (window, card);

  return !ts_statistics_view_get_loading (view_of (window)) && g_str_equal (now, expected);
}

/* Waits until the table of @card reads @expected (lines "category\tvalue…\n"). */
#define WAIT_FOR_TABLE(window, card, expected)                                     \
  G_STMT_START {                                                                   \
    gint64 _end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;                   \
    while (!table_shows ((window), (card), (expected)) && g_get_monotonic_time () < _end) \
      g_main_context_iteration (NULL, FALSE);                                      \
    if (!table_shows ((window), (card), (expected)))                               \
      {                                                                            \
        g_autofree char *_now = table_text ((window), (card));                     \
        g_error ("The %s table shows\n%s\nnot\n%s", (card), _now, (expected));     \
      }                                                                            \
  } G_STMT_END

static void scroll_to_end   (TsMainWindow *window,
                             const char   *card);
static void scroll_to_start (TsMainWindow *window,
                             const char   *card);

/* The sum of the numbers of column @column over the rows of @card's table. */
static gint64
column_sum (TsMainWindow *window,
            const char   *card,
            guint         column)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 sum = 0;

  if (g_str_equal (card, "created-closed"))
    scroll_to_end (window, card);
  text = table_text (window, card);
  lines = g_strsplit (text, "\n", -1);
  /* Back to the top: GTK 4.8 warns when a scrolled list view's rows are
   * all replaced (the next answer), and warnings are fatal here. */
  if (g_str_equal (card, "created-closed"))
    scroll_to_start (window, card);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (cells) > column)
        sum += g_ascii_strtoll (cells[column], NULL, 10);
    }
  return sum;
}

/* Scrolls @card's table to its last row, as dragging its scroll bar to
 * the bottom does (the rows of 30 days do not all fit beside the chart). */
static void
scroll_to_end (TsMainWindow *window,
               const char   *card)
{
  GtkWidget *table = ts_statistics_view_get_table (view_of (window), card);
  GtkWidget *view = find_widget (table, GTK_TYPE_COLUMN_VIEW, NULL, NULL);
  GtkWidget *scroller = view ? gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW) : NULL;
  GtkAdjustment *adjustment;

  /* Not shown (the card says why instead of a chart): nothing to scroll. */
  if (scroller == NULL)
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  /* Rows just replaced are laid out first: GTK 4.8 warns when asked to
   * scroll a list view whose rows it has not measured yet, or that is not
   * shown (the card says why instead). */
  TS_WAIT_FOR (!ts_statistics_view_get_loading (view_of (window)));
  ts_test_iterate (300);
  if (!gtk_widget_get_mapped (view) || ts_statistics_view_get_loading (view_of (window)))
    return;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  ts_test_iterate (300);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  ts_test_iterate (300);
}

static void
scroll_to_start (TsMainWindow *window,
                 const char   *card)
{
  GtkWidget *table = ts_statistics_view_get_table (view_of (window), card);
  GtkWidget *view = find_widget (table, GTK_TYPE_COLUMN_VIEW, NULL, NULL);
  GtkWidget *scroller = view ? gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW) : NULL;

  if (scroller != NULL && gtk_widget_get_mapped (view))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
  ts_test_iterate (100);
}

static void
screenshot (TsMainWindow *window,
            const char   *name)
{
  g_autofree char *file = g_strdup_printf ("%s%s.png", name, locale_suffix);

  ts_test_save_screenshot (GTK_WIDGET (window), file, NULL);
}

static TsMainWindow *
open_window (TsStore *store)
{
  TsMainWindow *window = ts_main_window_new (NULL, store);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1000);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  return window;
}

/* Clicks the Statistics tab of the view switcher in the header. */
static void
show_statistics (TsMainWindow *window)
{
  GtkWidget *tab = NULL;

  TS_WAIT_FOR ((tab = ts_test_find_label (GTK_WIDGET (window), _("Statistics"))) != NULL);
  ts_test_click (tab);
  TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view_of (window))));
}

/* Clicks the item shown as @label in the menu open under @root. */
static void
click_menu_item (GtkWidget  *root,
                 const char *label)
{
  g_autofree char *text = shown (label);
  GtkWidget *popover = NULL;
  GtkWidget *item = NULL;

  TS_WAIT_FOR ((popover = find_widget (root, GTK_TYPE_POPOVER_MENU, NULL, NULL)) != NULL);
  TS_WAIT_FOR ((item = ts_test_find_label (popover, text)) != NULL && gtk_widget_get_width (item) > 0);
  ts_test_click (item);
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
}

/* The card around a chart: the box of style "card". */
static GtkWidget *
card_of (TsMainWindow *window,
         const char   *card)
{
  GtkWidget *widget = ts_statistics_view_get_chart (view_of (window), card);

  while (widget != NULL && !gtk_widget_has_css_class (widget, "card"))
    widget = gtk_widget_get_parent (widget);
  g_assert_nonnull (widget);
  return widget;
}

/* The tests, in order: each continues from what the one before left. */

static const char *by_state =
  "维护人员处理\t6\n"
  "维护代表审核\t2\n"
  "SE分析改进\t0\n"
  "关闭\t0\n";

/* The Statistics tab: the counts by state, created today, time in state. */
static void
test_open (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autofree char *now = NULL;

  show_statistics (window);
  WAIT_FOR_TABLE (window, "counts", by_state);

  /* All eight were created today, none closed. */
  TS_WAIT_FOR (column_sum (window, "created-closed", 1) == G_N_ELEMENTS (tickets));
  g_assert_cmpint (column_sum (window, "created-closed", 2), ==, 0);

  /* Every ticket passed through the first state, six are in it now;
   * two went on to review and are there now. */
  now = table_text (window, "time-in-state");
  g_test_message ("Time in state:\n%s", now);
  {
    g_auto(GStrv) lines = g_strsplit (now, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), >=, 4);
    g_assert_true (g_str_has_prefix (lines[0], "维护人员处理\t"));
    g_assert_true (g_str_has_suffix (lines[0], "\t8\t6"));
    g_assert_true (g_str_has_prefix (lines[1], "维护代表审核\t"));
    g_assert_true (g_str_has_suffix (lines[1], "\t2\t2"));
  }

  ts_test_iterate (300);
  screenshot (window, "statistics");
  {
    /* The last card, below the fold of the window's screenshot. */
    g_autofree char *file = g_strdup_printf ("statistics-time-in-state%s.png", locale_suffix);

    ts_test_save_screenshot (card_of (window, "time-in-state"), file, NULL);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Another grouping, by pointer (问题级别, Assignee with display names) and
 * by keys (the next one down: 客户类别). */
static void
test_group_by (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  GtkWidget *dropdown;
  g_autofree char *by_assignee = NULL;
  g_autofree char *by_level = NULL;
  g_autofree char *text = NULL;

  show_statistics (window);
  WAIT_FOR_TABLE (window, "counts", by_state);
  dropdown = ts_statistics_view_get_group_by (view_of (window));

  ts_test_choose (dropdown, "问题级别");
  /* 一般问题 is the field's default: the two created without one have it. */
  by_level = g_strdup ("一般问题\t4\n严重问题\t3\n紧急问题\t1\n");
  WAIT_FOR_TABLE (window, "counts", by_level);
  {
    g_autofree char *title = g_strdup_printf (_("Tickets by %s"), "问题级别");

    g_assert_nonnull (ts_test_find_label (card_of (window, "counts"), title));
  }
  screenshot (window, "statistics-by-level");

  ts_test_choose (dropdown, _("Assignee"));
  by_assignee = g_strdup ("张伟\t6\n李娜\t2\n");
  WAIT_FOR_TABLE (window, "counts", by_assignee);

  /* A user field: display names, then the tickets without one. */
  ts_test_choose (dropdown, "维护代表");
  {
    g_autofree char *by_checker = g_strdup_printf ("李娜\t2\n%s\t6\n", _("(empty)"));

    WAIT_FOR_TABLE (window, "counts", by_checker);
  }

  /* Keys: the drop-down opens with Space, Down moves to 问题级别's
   * neighbour below (the drop-down lists State, Assignee, then the
   * fields), Enter chooses. */
  ts_test_choose (dropdown, "问题级别");
  WAIT_FOR_TABLE (window, "counts", by_level);
  /* The pointer away from where the list opens: in GTK 4.8 the list's
   * selection follows the pointer (single-click-activate), and a person
   * using the keys has it elsewhere.  A click on a title moves no focus. */
  ts_test_click (ts_test_find_label (card_of (window, "created-closed"), _("Created and Closed")));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), dropdown));
  ts_test_key (GTK_WIDGET (window), GDK_KEY_space, 0);
  ts_test_iterate (300);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Down, 0);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Return, 0);
  ts_test_iterate (300);
  TS_WAIT_FOR (!ts_statistics_view_get_loading (view_of (window)));
  text = table_text (window, "counts");
  g_test_message ("By 客户类别:\n%s", text);
  {
    /* Every choice of 客户类别, in the schema's order; 金融 is its default. */
    g_autofree char *expected = g_strdup ("金融\t8\n电网\t0\n运营商\t0\n政府\t0\n互联网\t0\n企业\t0\n其他\t0\n");

    WAIT_FOR_TABLE (window, "counts", expected);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A search typed over the Statistics page narrows every card, which
 * stays shown, and says so; Escape shows every ticket again. */
static void
test_search (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  TsSearchBar *bar = TS_SEARCH_BAR (ts_main_window_get_search_bar (window));
  GtkWidget *entry = ts_search_bar_get_entry (bar);
  g_autofree char *narrowed = NULL;

  show_statistics (window);
  WAIT_FOR_TABLE (window, "counts", by_state);

  ts_test_key (GTK_WIDGET (window), GDK_KEY_f, GDK_CONTROL_MASK);
  TS_WAIT_FOR (gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (entry)))));
  ts_test_type (GTK_WIDGET (window), "问题级别:严重问题");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "问题级别:严重问题");

  /* Three serious tickets, one of them submitted. */
  WAIT_FOR_TABLE (window, "counts", "维护人员处理\t2\n维护代表审核\t1\nSE分析改进\t0\n关闭\t0\n");
  TS_WAIT_FOR (column_sum (window, "created-closed", 1) == 3);
  TS_WAIT_FOR (column_sum (window, "time-in-state", 4) == 3);
  narrowed = g_strdup_printf (_("Narrowed by the search: %s"), "问题级别:严重问题");
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (view_of (window)), narrowed));
  /* Still the Statistics page, not the search's results. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view_of (window))));
  g_assert_false (gtk_widget_get_mapped (ts_main_window_get_table (window, "search")));
  screenshot (window, "statistics-search");

  /* Escape closes the bar: every ticket again. */
  gtk_widget_grab_focus (entry);
  ts_test_key (GTK_WIDGET (window), GDK_KEY_Escape, 0);
  TS_WAIT_FOR (!ts_search_bar_get_search_mode (bar));
  WAIT_FOR_TABLE (window, "counts", by_state);
  g_assert_null (ts_test_find_label (GTK_WIDGET (view_of (window)), narrowed));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* lina creates a ticket in a session of her own: the counts follow by
 * themselves. */
static void
test_live (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  g_autoptr(TsStore) lina = open_store ("lina", FALSE);
  g_autoptr(TsTicket) ticket = NULL;
  TsMainWindow *window = open_window (store);

  show_statistics (window);
  WAIT_FOR_TABLE (window, "counts", by_state);

  ticket = create_ticket (lina, "【20180401】天津局点内存告警", "严重问题");
  WAIT_FOR_TABLE (window, "counts", "维护人员处理\t7\n维护代表审核\t2\nSE分析改进\t0\n关闭\t0\n");
  TS_WAIT_FOR (column_sum (window, "created-closed", 1) == G_N_ELEMENTS (tickets) + 1);

  /* On another page the statistics wait; shown again, they ask once. */
  {
    GtkWidget *tab = ts_test_find_label (GTK_WIDGET (window), _("All Tickets"));
    g_autoptr(TsTicket) later = NULL;

    g_assert_nonnull (tab);
    ts_test_click (tab);
    TS_WAIT_FOR (!gtk_widget_get_mapped (GTK_WIDGET (view_of_any (window))));
    later = create_ticket (lina, "【20180402】天津局点风扇告警", "紧急问题");
    ts_test_iterate (1500);
    g_assert_false (ts_statistics_view_get_loading (view_of_any (window)));
    show_statistics (window);
    WAIT_FOR_TABLE (window, "counts", "维护人员处理\t8\n维护代表审核\t2\nSE分析改进\t0\n关闭\t0\n");
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Opens the menu of @card and saves its chart as @file_name through the
 * file chooser: the suggested name replaced by typing, Enter. */
static char *
save_through_chooser (TsMainWindow *window,
                      const char   *card,
                      const char   *item,
                      const char   *file_name)
{
  GtkWidget *menu = find_widget (card_of (window, card), GTK_TYPE_MENU_BUTTON, has_tooltip, _("Save or Copy"));
  g_autofree char *path = g_build_filename (pictures, file_name, NULL);
  GtkWidget *chooser = NULL;
  GtkWidget *toast = NULL;
  g_autofree char *saved = g_strdup_printf (_("Saved “%s”"), file_name);

  g_assert_nonnull (menu);
  TS_WAIT_FOR (gtk_widget_is_sensitive (menu));
  ts_test_click (menu);
  click_menu_item (menu, item);

  TS_WAIT_FOR ((chooser = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL);
  {
    GFile *folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (chooser));
    g_autofree char *folder_path = folder ? g_file_get_path (folder) : NULL;
    g_autofree char *suggested = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (chooser));

    g_clear_object (&folder);
    g_test_message ("The chooser suggests “%s” in %s", suggested, folder_path);
    g_assert_cmpstr (folder_path, ==, pictures);
    g_assert_true (g_str_has_prefix (suggested, ts_project_get_title (ts_main_window_get_project (window))));
  }
  ts_test_iterate (500);
  ts_test_key (chooser, GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_type (chooser, file_name);
  ts_test_key (chooser, GDK_KEY_Return, 0);
  TS_WAIT_FOR (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL);
  TS_WAIT_FOR (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  TS_WAIT_FOR ((toast = ts_test_find_label (GTK_WIDGET (window), saved)) != NULL);
  return g_steal_pointer (&path);
}

static void
on_text_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);

  *(char **)user_data = text ? text : g_strdup ("");
}

/* What the clipboard holds now ("" for nothing). */
static char *
read_clipboard (GdkClipboard *clipboard)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &text);
  TS_WAIT_FOR (text != NULL);
  return text;
}

/* Each chart saved: the counts as PNG (an image the size of the chart),
 * the time in state as SVG. */
static void
test_save (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  TsMainWindow *window = open_window (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) image = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *chart;

  show_statistics (window);
  TS_WAIT_FOR (!ts_statistics_view_get_loading (view_of (window)) &&
               column_sum (window, "counts", 1) > 0);

  png = save_through_chooser (window, "counts", _("Save as _PNG…"), "counts.png");
  image = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  chart = ts_statistics_view_get_chart (view_of (window), "counts");
  g_test_message ("counts.png: %d×%d, the chart %d×%d", gdk_pixbuf_get_width (image), gdk_pixbuf_get_height (image),
                  gtk_widget_get_width (chart), gtk_widget_get_height (chart));
  g_assert_cmpint (gdk_pixbuf_get_width (image), >=, 100);
  g_assert_cmpint (gdk_pixbuf_get_height (image), >=, 100);

  svg = save_through_chooser (window, "time-in-state", _("Save as _SVG…"), "time-in-state.svg");
  g_assert_true (g_file_get_contents (svg, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "<svg"));

  /* Copy Numbers: the table as tab-separated text, header first. */
  {
    GtkWidget *menu = find_widget (card_of (window, "counts"), GTK_TYPE_MENU_BUTTON, has_tooltip, _("Save or Copy"));
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
    g_autofree char *header = g_strdup_printf ("%s\t%s\n", _("State"), _("Tickets"));
    g_autofree char *text = NULL;

    gdk_clipboard_set_text (clipboard, "");
    ts_test_click (menu);
    click_menu_item (menu, _("_Copy Numbers"));
    TS_WAIT_FOR (*(g_free (text), text = read_clipboard (clipboard)) != '\0');
    g_test_message ("Copied:\n%s", text);
    g_assert_true (g_str_has_prefix (text, header));
    g_assert_nonnull (strstr (text, "维护人员处理\t8\n维护代表审核\t2\n"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The same page in the dark style. */
static void
test_dark (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", FALSE);
  AdwStyleManager *style = adw_style_manager_get_default ();
  TsMainWindow *window;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  window = open_window (store);
  show_statistics (window);
  TS_WAIT_FOR (!ts_statistics_view_get_loading (view_of (window)) && column_sum (window, "counts", 1) > 0);
  ts_test_iterate (300);
  screenshot (window, "statistics-dark");

  /* Narrow: each table under its chart. */
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 1000);
  ts_test_iterate (500);
  screenshot (window, "statistics-narrow");
  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* The server stops: the counts come from the offline copy and say from
 * when; the charts that need history say that they need the server. */
static void
test_offline (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei", TRUE);
  g_autoptr(GError) error = NULL;
  TsMainWindow *window = open_window (store);
  GtkWidget *all = ts_main_window_get_table (window, "all");
  GListModel *all_rows = G_LIST_MODEL (gtk_column_view_get_model (ts_ticket_table_get_column_view (TS_TICKET_TABLE (all))));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkWidget *note = NULL;
  const char *needs = _("This chart needs the server, which cannot be reached: the offline copy does not hold the tickets’ history. It will fill in when the connection is back.");

  /* The lists are read, and kept on disk. */
  TS_WAIT_FOR (g_list_model_get_n_items (all_rows) == G_N_ELEMENTS (tickets) + 2);
  ts_test_iterate (500);
  ts_cache_flush (ts_store_get_cache (store));
  show_statistics (window);
  TS_WAIT_FOR (!ts_statistics_view_get_loading (view_of (window)) && column_sum (window, "counts", 1) > 0);

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);
  /* Gone offline, the cards ask again by themselves: the time in state
   * needs the history, which only the server has, and says so. */
  TS_WAIT_FOR (ts_test_find_label (card_of (window, "time-in-state"), needs) != NULL);
  g_assert_false (gtk_widget_get_mapped (ts_statistics_view_get_chart (view_of (window), "time-in-state")));

  /* Another grouping asks again, of the offline copy now. */
  ts_test_choose (ts_statistics_view_get_group_by (view_of (window)), "问题级别");
  {
    g_autofree char *by_level = g_strdup ("一般问题\t4\n严重问题\t4\n紧急问题\t2\n");

    WAIT_FOR_TABLE (window, "counts", by_level);
  }
  g_assert_false (ts_store_get_online (store));
  collect_widgets (card_of (window, "counts"), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "dim-label") &&
        strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), ":") != NULL)
      note = g_ptr_array_index (labels, i);
  g_assert_nonnull (note);
  g_test_message ("Offline, the counts say: %s", gtk_label_get_text (GTK_LABEL (note)));

  /* Another window for created-and-closed: that needs the history, which
   * only the server has; the card says so instead of a chart. */
  {
    GtkWidget *trend = find_widget (card_of (window, "created-closed"), GTK_TYPE_DROP_DOWN, NULL, NULL);
    GtkWidget *message = NULL;
    g_assert_nonnull (trend);
    ts_test_choose (trend, _("Last 12 weeks, by week"));
    TS_WAIT_FOR ((message = ts_test_find_label (card_of (window, "created-closed"), needs)) != NULL);
    g_assert_false (gtk_widget_get_mapped (ts_statistics_view_get_chart (view_of (window), "created-closed")));
  }
  screenshot (window, "statistics-offline");

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  ts_store_reconnect (store);
  TS_WAIT_FOR (ts_store_get_online (store));
  /* Back online, the cards ask the server again by themselves. */
  TS_WAIT_FOR (column_sum (window, "created-closed", 1) == G_N_ELEMENTS (tickets) + 2);
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
  g_autofree char *home = g_dir_make_tmp ("ts-statistics-XXXXXX", NULL);
  g_autofree char *cache_home = g_build_filename (home, "cache", NULL);
  g_autofree char *config_home = g_build_filename (home, "config", NULL);
  g_autofree char *user_dirs = g_build_filename (config_home, "user-dirs.dirs", NULL);
  g_autofree char *dirs = NULL;
  g_autoptr(TsStore) zhangwei = NULL;
  int ret;

  /* An offline copy and a Pictures folder of its own, before GLib reads
   * the variables. */
  pictures = g_build_filename (home, "pictures", NULL);
  g_mkdir_with_parents (pictures, 0700);
  g_mkdir_with_parents (config_home, 0700);
  dirs = g_strdup_printf ("XDG_PICTURES_DIR=\"%s\"\n", pictures);
  g_assert_true (g_file_set_contents (user_dirs, dirs, -1, NULL));
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_message ("Locale: %s", setlocale (LC_MESSAGES, NULL));
  if (g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "zh"))
    locale_suffix = "-zh_CN";

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", NULL });
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '张伟')", "zhangwei"));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '李娜')", "lina"));
  zhangwei = open_store ("zhangwei", FALSE);
  create_tickets (zhangwei);

  g_test_add_func ("/ts/statistics/open", test_open);
  g_test_add_func ("/ts/statistics/group-by", test_group_by);
  g_test_add_func ("/ts/statistics/search", test_search);
  g_test_add_func ("/ts/statistics/live", test_live);
  g_test_add_func ("/ts/statistics/save", test_save);
  g_test_add_func ("/ts/statistics/dark", test_dark);
  g_test_add_func ("/ts/statistics/offline", test_offline);

  ret = g_test_run ();
  g_clear_object (&zhangwei);
  ts_test_server_free (server);
  g_free (db);
  remove_tree (home);
  g_free (pictures);
  return ret;
}
