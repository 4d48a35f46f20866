/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-export.h"
#include "ts-export-dialog-private.h"
#include "ts-gui-test-util.h"
#include "ts-release-notes-dialog-private.h"
#include "ts-store.h"
#include "ts-test-server.h"

/* The export and release notes dialogs as a person uses them: formats and
 * choices clicked, dates typed, Export and Cancel pressed through the X
 * server; the files written are read back (the XLSX unzipped).  Only the
 * file chooser is skipped: a native one cannot be driven from a test. */

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
exec_as (const char *user,
         const char *sql)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
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

static TsProject *
project_named (TsStore    *store,
               const char *name)
{
  g_autoptr(GPtrArray) projects = NULL;

  ts_store_list_projects_async (store, NULL, on_projects, &projects);
  TS_WAIT_FOR (projects != NULL);
  for (guint i = 0; i < projects->len; i++)
    if (g_str_equal (ts_project_summary_get_name (g_ptr_array_index (projects, i)), name))
      return g_object_ref (ts_project_summary_get_project (g_ptr_array_index (projects, i)));
  g_assert_not_reached ();
}

/* The project of tests/data/search.json, with 20,000 tickets made by
 * bench/generate-tickets.sql: enough that an export reads many pages. */
#define N_GENERATED 20000

static void
prepare_search_vectors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *vectors = g_test_build_filename (G_TEST_DIST, "data", "search.json", NULL);
  g_autofree char *generator = g_test_build_filename (G_TEST_DIST, "..", "bench", "generate-tickets.sql", NULL);
  g_autofree char *json = NULL;
  g_autofree char *functions = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *project = NULL;
  g_autofree char *imported = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_true (g_file_get_contents (vectors, &json, NULL, NULL));
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  project = json_to_string (json_object_get_member (json_node_get_object (root), "project"), FALSE);
  imported = ts_test_query_value (server, db, "SELECT (tasksteper.import_project ($1::jsonb)).name", project);
  g_assert_cmpstr (imported, ==, "search_vectors");
  ts_test_server_exec (server, db, "SELECT tasksteper.add_member ('search_vectors', 'lina')", &error);
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (generator, &functions, NULL, NULL));
  sql = g_strconcat (functions, "\nSELECT pg_temp.ts_generate_tickets ('search_vectors', " G_STRINGIFY (N_GENERATED) ");", NULL);
  ts_test_server_exec (server, db, sql, &error);
  g_assert_no_error (error);
}

/* A ticket walked to 关闭 by its three people, as the seed's example goes. */
static void
close_ticket (const char *summary,
              const char *class_3,
              const char *notes)
{
  g_autofree char *sql = NULL;
  g_autofree char *id = NULL;

  sql = g_strdup_printf ("SELECT id FROM tasksteper.create_ticket ('issue_track', jsonb_build_object ("
                         " 'summary', '%s', 'class_3', '%s', 'issue_checker', 'lina', 'issue_se', 'wangfang'))",
                         summary, class_3);
  exec_as ("zhangwei", sql);
  id = ts_test_query_value (server, db, "SELECT max(id) FROM tasksteper.tickets", NULL);
  g_free (sql);
  sql = g_strdup_printf ("SELECT tasksteper.fire (%1$s, 1, '提交审核')", id);
  exec_as ("zhangwei", sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT tasksteper.fire (%1$s, 2, '转SE分析改进')", id);
  exec_as ("lina", sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT tasksteper.fire (%1$s, 3, '问题关闭', jsonb_build_object ("
                         " 'improvement_url', 'tasksteper://improvement/1', 'release_notes', '%2$s'))", id, notes);
  exec_as ("wangfang", sql);
}

/* Files */

/* Not inlined: GCC 12 then takes the returned text for a pointer to the
 * local it was read into (-Wdangling-pointer). */
G_GNUC_NO_INLINE static char *
unzip (const char *path,
       const char *member)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "unzip", "-p", path, member, NULL };
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static guint
count (const char *haystack,
       const char *needle)
{
  gsize offset = 0;
  guint n = 0;
  const char *found;

  while ((found = strstr (haystack + offset, needle)) != NULL)
    {
      n++;
      offset = (found - haystack) + 1;
    }
  return n;
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* Widgets */

/* The button whose label (mnemonic or not) reads @text. */
static GtkWidget *
find_button (GtkWidget  *ancestor,
             const char *text)
{
  GtkWidget *label = NULL;
  GtkWidget *button;

  TS_WAIT_FOR ((label = ts_test_find_label (ancestor, text)) != NULL);
  button = gtk_widget_get_ancestor (label, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  return button;
}

static GtkWidget *
find_visible_label_containing (GtkWidget  *ancestor,
                               const char *text)
{
  if (GTK_IS_LABEL (ancestor) && gtk_widget_get_mapped (ancestor) &&
      strstr (gtk_label_get_text (GTK_LABEL (ancestor)), text) != NULL)
    return ancestor;

  for (GtkWidget *child = gtk_widget_get_first_child (ancestor); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_visible_label_containing (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The widget of @type under @ancestor that is the @n-th one (0-based). */
static GtkWidget *
find_nth (GtkWidget *ancestor,
          GType      type,
          guint     *n)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (ancestor, type) && (*n)-- == 0)
    return ancestor;

  for (GtkWidget *child = gtk_widget_get_first_child (ancestor); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_nth (child, type, n);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
nth_of_type (GtkWidget *ancestor,
             GType      type,
             guint      n)
{
  GtkWidget *found = find_nth (ancestor, type, &n);

  g_assert_nonnull (found);
  return found;
}

/* The row (AdwActionRow, AdwEntryRow) whose title is @title. */
static GtkWidget *
find_row (GtkWidget  *ancestor,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (ancestor) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ancestor)), title) == 0)
    return ancestor;

  for (GtkWidget *child = gtk_widget_get_first_child (ancestor); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWindow *
parent_window (void)
{
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (parent, 900, 700);
  gtk_window_present (parent);
  return parent;
}

static const char * const visible_columns[] = {
  "key", "summary", "state", "assigned_to", "created_by", "issue_level", "customer_type", "updated_at", NULL
};

static TsExportDialog *
open_export_dialog (GtkWindow *parent,
                    TsStore   *store,
                    TsProject *project)
{
  g_autoptr(JsonNode) all = json_from_string ("{}", NULL);
  TsExportDialog *dialog = ts_export_dialog_new (parent, store, project, all, NULL, TRUE,
                                                 "网上问题处理 — 所有条目", visible_columns);

  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == parent);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  gtk_window_present (GTK_WINDOW (dialog));
  TS_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  return dialog;
}

/* ---- export ------------------------------------------------------------ */

/* Click XLSX, Export: the file is written, and read back. */
static void
test_export_xlsx (void)
{
  g_autoptr(TsStore) store = open_store ("lina");
  g_autoptr(TsProject) project = project_named (store, "search_vectors");
  g_autofree char *dir = g_dir_make_tmp ("ts-export-gui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "所有条目.xlsx", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *sheet = NULL;
  const char *n = G_STRINGIFY (N_GENERATED);
  g_autofree char *key_cell = g_strdup_printf ("<c r=\"A2\" t=\"inlineStr\"><is><t>question_%d</t></is></c>", N_GENERATED);
  g_autofree char *last_key_cell = g_strdup_printf ("<c r=\"A%d\" t=\"inlineStr\"><is><t>question_1</t></is></c>", N_GENERATED + 1);
  GtkWindow *parent = parent_window ();
  TsExportDialog *dialog = open_export_dialog (parent, store, project);
  GtkWidget *excel_row = find_row (GTK_WIDGET (dialog), "Excel-Compatible CSV");
  GtkWidget *result = NULL;

  _ts_export_dialog_set_destination (dialog, path);
  g_assert_true (gtk_widget_get_sensitive (excel_row));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "export-dialog.png", NULL);

  ts_test_click (find_row (GTK_WIDGET (dialog), "Excel Workbook (XLSX)"));
  /* The byte order mark is CSV's. */
  TS_WAIT_FOR (!gtk_widget_get_sensitive (excel_row));
  ts_test_click (find_button (GTK_WIDGET (dialog), "Export…"));

  expected = g_strdup_printf ("Exported %s tickets to %s", n, path);
  TS_WAIT_FOR ((result = find_visible_label_containing (GTK_WIDGET (dialog), "Exported ")) != NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, expected);
  g_assert_true (gtk_widget_get_visible (find_button (GTK_WIDGET (dialog), "Open")));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "export-dialog-done.png", NULL);

  sheet = unzip (path, "xl/worksheets/sheet1.xml");
  /* A header and one row per ticket, newest first, the visible columns. */
  g_assert_cmpuint (count (sheet, "<row "), ==, g_ascii_strtoull (n, NULL, 10) + 1);
  g_assert_nonnull (strstr (sheet, "<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>ID</t></is></c>"));
  g_assert_nonnull (strstr (sheet, "<t>问题级别</t>"));
  g_assert_nonnull (strstr (sheet, "<t>客户类别</t>"));
  g_assert_nonnull (strstr (sheet, key_cell));
  g_assert_nonnull (strstr (sheet, last_key_cell));
  g_assert_nonnull (strstr (sheet, "<autoFilter ref=\"A1:H"));
  g_assert_null (strstr (sheet, "<c r=\"I"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (parent);
  g_unlink (path);
  g_rmdir (dir);
}

/* All fields as Excel-compatible CSV; then Cancel pressed while it runs
 * over a file that was there: it stays as it was. */
static void
test_export_csv_cancel (void)
{
  g_autoptr(TsStore) store = open_store ("lina");
  g_autoptr(TsProject) project = project_named (store, "search_vectors");
  g_autofree char *dir = g_dir_make_tmp ("ts-export-gui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tickets.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GDir) listing = NULL;
  GtkWindow *parent = parent_window ();
  TsExportDialog *dialog = open_export_dialog (parent, store, project);
  g_auto(GStrv) all = ts_export_all_columns (project);
  g_autoptr(GString) labels = g_string_new ("\xEF\xBB\xBF");
  g_autofree char *locker_conninfo = ts_test_server_conninfo (server, db, "postgres");
  PGconn *locker;
  GtkWidget *cancel;
  GtkWidget *result = NULL;

  _ts_export_dialog_set_destination (dialog, path);
  ts_test_click (find_row (GTK_WIDGET (dialog), "All Fields"));
  ts_test_click (find_button (GTK_WIDGET (dialog), "Export…"));
  TS_WAIT_FOR (find_visible_label_containing (GTK_WIDGET (dialog), "Exported ") != NULL);

  contents = read_file (path);
  for (guint i = 0; all[i]; i++)
    {
      if (i > 0)
        g_string_append_c (labels, ',');
      g_string_append (labels, ts_project_get_label_for (project, all[i]));
    }
  g_string_append (labels, "\r\n");
  /* Excel-compatible is on by default: the byte order mark, then the labels. */
  g_assert_true (g_str_has_prefix (contents, labels->str));
  /* A record per ticket (every record ends in CRLF; generated texts have
   * no line breaks of their own). */
  g_assert_cmpuint (count (contents, "\r\n"), ==, N_GENERATED + 1);

  /* Again, into a file that exists, and Cancel.  Another session holds
   * the tickets locked meanwhile, so that the export is surely still
   * waiting on the server when Cancel is clicked, however fast it would
   * otherwise be. */
  g_assert_true (g_file_set_contents (path, "the old file", -1, NULL));
  locker = PQconnectdb (locker_conninfo);
  g_assert_cmpint (PQstatus (locker), ==, CONNECTION_OK);
  PQclear (PQexec (locker, "BEGIN; LOCK TABLE tasksteper.tickets IN ACCESS EXCLUSIVE MODE"));
  ts_test_click (find_button (GTK_WIDGET (dialog), "Export…"));
  cancel = find_button (GTK_WIDGET (dialog), "Cancel");
  ts_test_click (cancel);
  TS_WAIT_FOR ((result = find_visible_label_containing (GTK_WIDGET (dialog), "cancelled")) != NULL);
  PQclear (PQexec (locker, "ROLLBACK"));
  PQfinish (locker);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "The export was cancelled; no file was written.");
  g_assert_false (gtk_widget_get_visible (cancel));
  g_free (contents);
  contents = read_file (path);
  g_assert_cmpstr (contents, ==, "the old file");
  listing = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "tickets.csv");
  g_assert_null (g_dir_read_name (listing));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (parent);
  g_unlink (path);
  g_rmdir (dir);
}

/* A file that cannot be written: the path and the reason, and the dialog
 * stays open to try elsewhere. */
static void
test_export_fails (void)
{
  g_autoptr(TsStore) store = open_store ("lina");
  g_autoptr(TsProject) project = project_named (store, "search_vectors");
  GtkWindow *parent = parent_window ();
  TsExportDialog *dialog = open_export_dialog (parent, store, project);
  GtkWidget *error = NULL;
  GtkWidget *export;

  _ts_export_dialog_set_destination (dialog, "/proc/tickets.csv");
  export = find_button (GTK_WIDGET (dialog), "Export…");
  ts_test_click (export);
  TS_WAIT_FOR ((error = find_visible_label_containing (GTK_WIDGET (dialog), "/proc/tickets.csv")) != NULL);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error)), "Could not write “/proc/tickets.csv”: "));
  g_assert_true (gtk_widget_has_css_class (error, "error"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  TS_WAIT_FOR (gtk_widget_is_sensitive (export));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "export-dialog-failed.png", NULL);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (parent);
}

/* ---- release notes ----------------------------------------------------- */

static void
on_open_ticket (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_free (*(char **)user_data);
  *(char **)user_data = g_variant_dup_string (parameter, NULL);
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

/* Selects what an entry row holds and types @text over it. */
static void
retype (GtkWidget  *row,
        const char *text)
{
  ts_test_click (row);
  ts_test_key (row, GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_type (row, text);
}

static const char *
preview_text (TsReleaseNotesDialog *dialog)
{
  return ts_release_notes_dialog_get_markdown (dialog);
}

static void
test_release_notes (void)
{
  g_autoptr(TsStore) store = open_store ("zhangwei");
  g_autoptr(TsProject) project = project_named (store, "issue_track");
  g_autofree char *dir = g_dir_make_tmp ("ts-notes-gui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "release-notes.md", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *first = ts_test_query_value (server, db, "SELECT number FROM tasksteper.tickets"
                                                            " WHERE fields ->> 'release_notes' = '线缆绑扎规范'", NULL);
  g_autofree char *second = ts_test_query_value (server, db, "SELECT number FROM tasksteper.tickets"
                                                             " WHERE fields ->> 'release_notes' LIKE '硬盘预警%'", NULL);
  g_autofree char *first_line = g_strdup_printf ("- [question_%1$s](tasksteper://issue_track/%1$s) 线缆绑扎规范\n", first);
  g_autofree char *second_line = g_strdup_printf ("- [question_%1$s](tasksteper://issue_track/%1$s) 硬盘预警\n"
                                                  "  第二行\n", second);
  g_autofree char *opened_target = g_strdup_printf ("issue_track/%s", first);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) open_ticket = g_simple_action_new ("open-ticket", G_VARIANT_TYPE_STRING);
  GtkWindow *parent = parent_window ();
  TsReleaseNotesDialog *dialog = ts_release_notes_dialog_new (parent, store, project);
  GtkWidget *from_row = find_row (GTK_WIDGET (dialog), "From (YYYY-MM-DD)");
  GtkWidget *to_row = find_row (GTK_WIDGET (dialog), "To (YYYY-MM-DD, included)");
  GtkWidget *state_dropdown = nth_of_type (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, 0);
  GtkWidget *field_dropdown = nth_of_type (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, 1);
  GtkWidget *group_dropdown = nth_of_type (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, 2);
  GtkTextView *preview = GTK_TEXT_VIEW (nth_of_type (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW, 0));
  GtkWidget *error = NULL;
  g_autofree char *expected_title = NULL;

  g_signal_connect (open_ticket, "activate", G_CALLBACK (on_open_ticket), &opened);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (open_ticket));
  gtk_widget_insert_action_group (GTK_WIDGET (dialog), "app", G_ACTION_GROUP (app));
  _ts_release_notes_dialog_set_destination (dialog, path);
  gtk_window_present (GTK_WINDOW (dialog));

  /* At first: the last final state, this month, 发布说明, no groups. */
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (state_dropdown)), ==, 3);
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (GTK_DROP_DOWN (field_dropdown))),
                   ==, "发布说明");
  g_assert_true (g_str_has_suffix (gtk_editable_get_text (GTK_EDITABLE (from_row)), "-01"));
  g_assert_cmpint (strcmp (gtk_editable_get_text (GTK_EDITABLE (from_row)), today), <=, 0);
  g_assert_cmpint (strcmp (gtk_editable_get_text (GTK_EDITABLE (to_row)), today), >=, 0);
  TS_WAIT_FOR (preview_text (dialog) != NULL && strstr (preview_text (dialog), first_line) != NULL);
  g_assert_nonnull (strstr (preview_text (dialog), second_line));

  /* A window of 2018: none closed then. */
  retype (from_row, "2018-01-01");
  retype (to_row, "2018-01-31");
  TS_WAIT_FOR (preview_text (dialog) != NULL && strstr (preview_text (dialog), "No ticket reached 关闭 in this window.") != NULL);
  g_assert_cmpstr (preview_text (dialog), ==,
                   "# 网上问题处理 — 关闭 (2018-01-01 – 2018-01-31)\n\nNo ticket reached 关闭 in this window.\n");

  /* A day that does not exist: said where and how to write it; nothing
   * to copy or save meanwhile. */
  retype (to_row, "2018-02-30");
  TS_WAIT_FOR ((error = find_visible_label_containing (GTK_WIDGET (dialog), "2018-02-30")) != NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error)), ==,
                   "To: “2018-02-30” is not a date: write the day as YYYY-MM-DD, for example 2018-01-31");
  g_assert_true (gtk_widget_has_css_class (to_row, "error"));
  g_assert_null (preview_text (dialog));
  g_assert_false (gtk_widget_is_sensitive (find_button (GTK_WIDGET (dialog), "Save…")));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "release-notes-bad-date.png", NULL);

  /* The window ending before it starts. */
  retype (from_row, today);
  retype (to_row, "2018-01-31");
  TS_WAIT_FOR ((error = find_visible_label_containing (GTK_WIDGET (dialog), "before it starts")) != NULL);
  g_assert_true (gtk_widget_has_css_class (from_row, "error"));

  /* Today only, grouped by 责任领域. */
  retype (to_row, today);
  ts_test_choose (group_dropdown, "责任领域");
  expected_title = g_strdup_printf ("# 网上问题处理 — 关闭 (%s)\n", today);
  TS_WAIT_FOR (preview_text (dialog) != NULL && strstr (preview_text (dialog), "## 线缆\n") != NULL);
  g_assert_false (gtk_widget_get_visible (error));
  g_assert_false (gtk_widget_has_css_class (to_row, "error"));
  g_assert_true (g_str_has_prefix (preview_text (dialog), expected_title));
  /* 线缆 comes before 存储 among 责任领域's choices. */
  g_assert_true (strstr (preview_text (dialog), "## 线缆\n\n") < strstr (preview_text (dialog), "## 存储\n\n"));
  g_assert_nonnull (strstr (preview_text (dialog), first_line));
  g_assert_nonnull (strstr (preview_text (dialog), second_line));
  {
    g_autofree char *shown = NULL;
    GtkTextIter start, end;

    gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (preview), &start, &end);
    shown = gtk_text_iter_get_text (&start, &end);
    g_assert_cmpstr (shown, ==, preview_text (dialog));
  }
  ts_test_save_screenshot (GTK_WIDGET (dialog), "release-notes.png", NULL);

  /* The state it reached before: SE分析改进 gives the same tickets. */
  ts_test_choose (state_dropdown, "SE分析改进");
  TS_WAIT_FOR (preview_text (dialog) != NULL && strstr (preview_text (dialog), "— SE分析改进 (") != NULL);
  g_assert_nonnull (strstr (preview_text (dialog), first_line));
  ts_test_choose (state_dropdown, "关闭");
  TS_WAIT_FOR (preview_text (dialog) != NULL && strstr (preview_text (dialog), "— 关闭 (") != NULL);

  /* A ticket's link opens it. */
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (preview);
    GtkTextIter start, match_start, match_end;
    GdkRectangle location;
    g_autofree char *key = g_strdup_printf ("[question_%s]", first);
    int x, y;

    gtk_text_buffer_get_start_iter (buffer, &start);
    g_assert_true (gtk_text_iter_forward_search (&start, key, 0, &match_start, &match_end, NULL));
    gtk_text_iter_forward_chars (&match_start, 3);
    /* The text view lays its lines out on idles: aim once where the link
     * is stays where it is. */
    gtk_text_view_get_iter_location (preview, &match_start, &location);
    for (guint i = 0; i < 50; i++)
      {
        GdkRectangle again;

        ts_test_iterate (100);
        gtk_text_view_get_iter_location (preview, &match_start, &again);
        if (gdk_rectangle_equal (&again, &location))
          break;
        location = again;
      }
    gtk_text_view_buffer_to_window_coords (preview, GTK_TEXT_WINDOW_WIDGET, location.x, location.y, &x, &y);
    ts_test_click_at (GTK_WIDGET (preview), x + 2, y + location.height / 2.0);
    TS_WAIT_FOR (opened != NULL);
    g_assert_cmpstr (opened, ==, opened_target);
  }

  /* Copy, then Save: the clipboard and the file hold the preview. */
  ts_test_click (find_button (GTK_WIDGET (dialog), "Copy"));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (dialog)), NULL, on_text_read, &copied);
  TS_WAIT_FOR (copied != NULL);
  g_assert_cmpstr (copied, ==, preview_text (dialog));

  ts_test_click (find_button (GTK_WIDGET (dialog), "Save…"));
  TS_WAIT_FOR (g_file_test (path, G_FILE_TEST_EXISTS) &&
               find_visible_label_containing (GTK_WIDGET (dialog), "Saved the release notes") != NULL);
  saved = read_file (path);
  g_assert_cmpstr (saved, ==, preview_text (dialog));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (parent);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  int ret;

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });
  ts_test_server_exec (server, db, "SELECT tasksteper.set_display_name ('zhangwei', '张伟')", &error);
  g_assert_no_error (error);

  /* Three tickets of issue_track closed today, two with release notes. */
  close_ticket ("【20180115】某银行数据中心局点线缆松动", "线缆", "线缆绑扎规范");
  close_ticket ("【20180122】某局点硬盘故障", "存储", "硬盘预警\n第二行");
  close_ticket ("【20180123】没有说明的问题", "存储", "");
  prepare_search_vectors ();

  g_test_add_func ("/ts/export-gui/xlsx", test_export_xlsx);
  g_test_add_func ("/ts/export-gui/csv-cancel", test_export_csv_cancel);
  g_test_add_func ("/ts/export-gui/fails", test_export_fails);
  g_test_add_func ("/ts/export-gui/release-notes", test_release_notes);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
