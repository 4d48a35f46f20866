/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-gui-test-util.h"
#include "ts-login-window.h"
#include "ts-main-window.h"
#include "ts-preferences-window.h"
#include "ts-store.h"
#include "ts-ticket-form.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"

/* The interface under LANG=zh_CN.UTF-8, with the catalogue the build
 * compiled from po/zh_CN.po: the login window, the main window with its
 * tables and the ticket editor, against a real server.  Each window shows
 * the Chinese the seed's users know (待处理条目, 所有条目, 当前状态 …), and
 * none shows a word of English outside a short list of names (TaskSteper,
 * psql, the people and tickets of the test).  Screenshots are saved as
 * build/screenshots/chinese-*.png. */

static TsTestServer *server;
static char *db;
static const char *how;   /* how Chinese was selected, for the log */

/* Text a person can read */

/* Every text @widget and its descendants show: labels (which also make up
 * buttons, rows, column headers and window titles), tooltips, and the
 * labels of menu models of menu buttons. */
static void
collect_menu (GMenuModel *model,
              GPtrArray  *texts)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuLinkIter) links = NULL;
      char *label = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        g_ptr_array_add (texts, label);

      links = g_menu_model_iterate_item_links (model, i);
      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) link = g_menu_link_iter_get_value (links);

          collect_menu (link, texts);
        }
    }
}

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  if (GTK_IS_WINDOW (widget) && gtk_window_get_title (GTK_WINDOW (widget)) != NULL)
    g_ptr_array_add (texts, g_strdup (gtk_window_get_title (GTK_WINDOW (widget))));
  if (tooltip != NULL)
    g_ptr_array_add (texts, g_strdup (tooltip));
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL)
    collect_menu (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)), texts);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static GPtrArray *
texts_of (GtkWidget *widget)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  collect_texts (widget, texts);
  return texts;
}

static gboolean
shows (GPtrArray  *texts,
       const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), text))
      return TRUE;
  return FALSE;
}

#define assert_shows(texts, text)                                              \
  G_STMT_START {                                                               \
    if (!shows ((texts), (text)))                                              \
      {                                                                        \
        g_autofree char *_all = join_texts (texts);                            \
        g_error ("“%s” is not shown; the window shows:\n%s", (text), _all);    \
      }                                                                        \
  } G_STMT_END

static char *
join_texts (GPtrArray *texts)
{
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint i = 0; i < texts->len; i++)
    g_string_append_printf (all, "  “%s”\n", (char *)g_ptr_array_index (texts, i));
  return g_string_free (g_steal_pointer (&all), FALSE);
}

/* Words in Latin letters that may appear in the Chinese interface: names,
 * commands and what the test itself types.  The words of the project
 * schema (its labels, choices and help are the users' data, e.g. BIOS)
 * are allowed too: see allow_schema_words(). */
static const char * const allowed_words[] = {
  "TaskSteper", "tasksteper", "admin", "psql", "libpq", "PostgreSQL", "ID", "Ctrl",
  "zhangwei", "lina", "wangfang", "question",
  /* file formats, and keys as their caps read, named so on every Chinese desktop */
  "PNG", "SVG", "CSV", "XLSX", "Enter", NULL
};
static GHashTable *schema_words;

static void
allow_schema_words (const char *file)
{
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), file, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GRegex) word = g_regex_new ("[A-Za-z]{2,}", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  schema_words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_regex_match (word, contents, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    g_hash_table_add (schema_words, g_match_info_fetch (match, 0));
}

/* Fails, naming them, if texts hold English words. */
static void
assert_no_english (GPtrArray  *texts,
                   const char *window)
{
  g_autoptr(GRegex) word = g_regex_new ("[A-Za-z]{2,}", 0, 0, NULL);
  g_autoptr(GString) english = g_string_new (NULL);

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);
      g_autoptr(GMatchInfo) match = NULL;

      g_regex_match (word, text, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *found = g_match_info_fetch (match, 0);

          if (!g_strv_contains (allowed_words, found) && !g_hash_table_contains (schema_words, found))
            {
              g_string_append_printf (english, "  “%s” (in “%s”)\n", found, text);
              break;
            }
          g_match_info_next (match, NULL);
        }
    }

  if (english->len > 0)
    g_error ("The %s shows English under %s; mark the strings for translation and translate "
             "them in po/zh_CN.po (meson compile -C build tasksteper-update-po):\n%s",
             window, how, english->str);
}

static void
wait_mapped (GtkWidget *widget)
{
  TS_WAIT_FOR (gtk_widget_get_mapped (widget));
  ts_test_iterate (200);
}

/* The catalogue itself */

static void
test_catalogue (void)
{
  /* The strings of the seed, from the build tree's tasksteper.mo. */
  g_assert_cmpstr (_("Pending"), ==, "待处理条目");
  g_assert_cmpstr (_("All Tickets"), ==, "所有条目");
  g_assert_cmpstr (_("State"), ==, "当前状态");
  g_assert_cmpstr (_("Assignee"), ==, "当前处理人");
  g_assert_cmpstr (_("Reporter"), ==, "创建人");
  g_assert_cmpstr (_("_Save"), ==, "保存(_S)");
  /* Plurals: Chinese has one form. */
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u ticket waits for you", "%u tickets wait for you", 3),
                   ==, "%u 个条目等待您处理");
  /* The core library's diagnostics, through dgettext. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "“%s” must be filled in"), ==, "“%s”必须填写");
  /* GTK's own strings follow, now that the application is translated. */
  g_assert_cmpstr (g_dgettext ("gtk40", "_Cancel"), !=, "_Cancel");
}

/* The login window */

static void
test_login_window (void)
{
  TsLoginWindow *window = ts_login_window_new (NULL);
  g_autoptr(GPtrArray) texts = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 880);   /* the demo's button too */
  gtk_window_present (GTK_WINDOW (window));
  wait_mapped (GTK_WIDGET (window));
  texts = texts_of (GTK_WIDGET (window));

  assert_shows (texts, "连接到 TaskSteper 服务器");
  assert_shows (texts, "主机");
  assert_shows (texts, "端口");
  assert_shows (texts, "数据库");
  assert_shows (texts, "用户");
  assert_shows (texts, "密码");
  assert_shows (texts, "连接(O)");   /* C_onnect: 连接(_O), O underlined */
  assert_shows (texts, "试用演示(T)");
  assert_no_english (texts, "login window");

  ts_test_save_screenshot (GTK_WIDGET (window), "chinese-login-window.png", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The main window and the ticket editor, against a real server */

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
on_created (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) ticket = ts_store_change_finish (TS_STORE (object), result, &error);

  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

static TsStore *
open_store (const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  TsStore *store = ts_store_new (connection);
  gboolean opened = FALSE;

  ts_store_open_async (store, NULL, on_opened, &opened);
  TS_WAIT_FOR (opened);
  return store;
}

static void
create_ticket (TsStore    *store,
               const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  gboolean done = FALSE;

  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, on_created, &done);
  TS_WAIT_FOR (done);
}

static GListModel *
rows (TsMainWindow *window,
      const char   *which)
{
  TsTicketTable *table = TS_TICKET_TABLE (ts_main_window_get_table (window, which));

  return G_LIST_MODEL (gtk_column_view_get_model (ts_ticket_table_get_column_view (table)));
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

static void
test_main_window (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei");
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(TsTicket) ticket = NULL;
  TsMainWindow *window;
  TsTicketWindow *editor = NULL;
  GListModel *columns;

  create_ticket (store, "{\"summary\": \"【20180128】某银行局点设备发生硬盘故障\", \"issue_level\": \"严重问题\","
                        " \"customer_type\": \"金融\"}");
  create_ticket (store, "{\"summary\": \"【20180203】某电网局点设备重启\", \"issue_level\": \"一般问题\"}");

  window = ts_main_window_new (NULL, store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  TS_WAIT_FOR (g_list_model_get_n_items (rows (window, "pending")) == 2);
  wait_mapped (GTK_WIDGET (window));

  /* The pending table's headers, as in the seed: ID 概要 当前状态 当前处理人 创建人. */
  columns = gtk_column_view_get_columns (ts_ticket_table_get_column_view (
                                           TS_TICKET_TABLE (ts_main_window_get_table (window, "pending"))));
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_ptr_array_add (headers, g_strdup (gtk_column_view_column_get_title (column)));
    }
  assert_shows (headers, "ID");
  assert_shows (headers, "概要");
  assert_shows (headers, "当前状态");
  assert_shows (headers, "当前处理人");
  assert_shows (headers, "创建人");

  texts = texts_of (GTK_WIDGET (window));
  assert_shows (texts, "待处理条目");
  assert_shows (texts, "所有条目");
  assert_shows (texts, "网上问题处理");
  assert_shows (texts, "当前用户：zhangwei");
  assert_no_english (texts, "main window");
  ts_test_save_screenshot (GTK_WIDGET (window), "chinese-main-window.png", NULL);

  /* The editor of the first ticket: the form, its buttons, the history. */
  ticket = ts_ticket_table_dup_ticket (TS_TICKET_TABLE (ts_main_window_get_table (window, "pending")), 0);
  ts_main_window_open_ticket (window, ticket);
  TS_WAIT_FOR ((editor = find_editor ()) != NULL && ts_ticket_window_get_ticket (editor) != NULL);
  gtk_window_set_default_size (GTK_WINDOW (editor), 800, 900);
  wait_mapped (GTK_WIDGET (editor));
  TS_WAIT_FOR (ts_ticket_window_get_trigger_button (editor, "更新进展") != NULL);
  ts_test_iterate (500);   /* the history arrives */

  g_clear_pointer (&texts, g_ptr_array_unref);
  texts = texts_of (GTK_WIDGET (editor));
  /* Header buttons have no mnemonic, as in GNOME's apps: "保存", never
   * "保存(S)". */
  assert_shows (texts, "保存");
  g_assert_false (g_ptr_array_find_with_equal_func (texts, "保存(S)", g_str_equal, NULL));
  assert_shows (texts, "历史记录");
  assert_shows (texts, "当前状态");
  assert_shows (texts, "当前处理人");
  assert_shows (texts, "创建人");
  assert_shows (texts, "维护人员处理");
  assert_shows (texts, "更新进展");
  assert_no_english (texts, "ticket editor");
  ts_test_save_screenshot (GTK_WIDGET (editor), "chinese-ticket-editor.png", NULL);

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The Preferences window */

static void
test_preferences (void)
{
  TsPreferencesWindow *window = ts_preferences_window_new (NULL);
  g_autoptr(GPtrArray) texts = NULL;

  gtk_window_present (GTK_WINDOW (window));
  wait_mapped (GTK_WIDGET (window));
  texts = texts_of (GTK_WIDGET (window));
  assert_shows (texts, "首选项");
  assert_shows (texts, "服务器");
  assert_shows (texts, "离线副本");
  assert_no_english (texts, "Preferences window");
  ts_test_save_screenshot (GTK_WIDGET (window), "chinese-preferences.png", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The keyboard shortcuts window (Ctrl+?) */

static void
test_shortcuts (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/tasksteper/TaskSteper/gtk/help-overlay.ui");
  GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_autoptr(GPtrArray) texts = NULL;

  g_assert_nonnull (overlay);
  gtk_window_present (GTK_WINDOW (overlay));
  wait_mapped (overlay);
  texts = texts_of (overlay);
  assert_shows (texts, "常规");
  assert_shows (texts, "创建条目");
  assert_no_english (texts, "shortcuts window");
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char * const members[] = { "zhangwei", "lina", NULL };
  int ret;

  /* The test's environment asks for LANG=zh_CN.UTF-8.  Where that locale
   * was not generated (build-aux/deps.sh does it), glibc still honours
   * LANGUAGE under C.UTF-8, so the translations are checked all the same. */
  g_unsetenv ("LANGUAGE");   /* it would win over LANG */
  if (setlocale (LC_ALL, "") != NULL && strstr (setlocale (LC_ALL, NULL), "zh_CN") != NULL)
    how = "LANG=zh_CN.UTF-8";
  else
    {
      g_setenv ("LC_ALL", "C.UTF-8", TRUE);
      g_setenv ("LANG", "C.UTF-8", TRUE);
      g_setenv ("LANGUAGE", "zh_CN", TRUE);
      g_assert_nonnull (setlocale (LC_ALL, ""));
      how = "LANGUAGE=zh_CN (the zh_CN.UTF-8 locale is missing: build-aux/deps.sh generates it)";
    }
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_message ("Chinese selected with %s; catalogue from %s", how, TS_BUILD_LOCALEDIR);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, members);
  allow_schema_words ("issue_track.json");

  g_test_add_func ("/ts/chinese/catalogue", test_catalogue);
  g_test_add_func ("/ts/chinese/login-window", test_login_window);
  g_test_add_func ("/ts/chinese/main-window", test_main_window);
  g_test_add_func ("/ts/chinese/preferences", test_preferences);
  g_test_add_func ("/ts/chinese/shortcuts", test_shortcuts);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  g_hash_table_unref (schema_words);
  return ret;
}
