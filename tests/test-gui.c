/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <libpq-fe.h>
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-main-window.h"
#include "ts-store.h"
#include "ts-gui-test-util.h"
#include "ts-test-server.h"
#include "ts-ticket-form.h"
#include "ts-ticket-list.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"

/* The desktop client driven as a person would, against a real server:
 * windows are real, rows are activated, buttons clicked, and after each
 * step the database is asked what it now holds. */

static TsTestServer *server;
static char *db;

/* Sessions */

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *opened = user_data;
  g_autoptr(GError) error = NULL;

  *opened = ts_store_open_finish (TS_STORE (object), result, &error);
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

static TsMainWindow *
open_main_window (TsStore *store)
{
  TsMainWindow *window = ts_main_window_new (NULL, store);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (ts_main_window_get_project (window) != NULL);
  return window;
}

static TsTicketList *
table_list (TsMainWindow *window,
            const char   *which)
{
  return ts_ticket_table_get_list (TS_TICKET_TABLE (ts_main_window_get_table (window, which)));
}

static guint
n_rows (TsMainWindow *window,
        const char   *which)
{
  TsTicketTable *table = TS_TICKET_TABLE (ts_main_window_get_table (window, which));
  GtkColumnView *view = ts_ticket_table_get_column_view (table);

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view)));
}

static TsTicketWindow *
find_editor (const char     *key,
             TsTicketWindow *except)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_TICKET_WINDOW (window) && ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window)) != NULL &&
          g_strcmp0 (ts_ticket_get_key (ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window))), key) == 0 &&
          gtk_widget_get_visible (GTK_WIDGET (window)) && (gpointer)window != (gpointer)except)
        return TS_TICKET_WINDOW (window);
    }

  return NULL;
}

/* Double-clicks the row of @key in a table, on its ID cell. */
static TsTicketWindow *
activate_row_except (TsMainWindow   *window,
                     const char     *which,
                     const char     *key,
                     TsTicketWindow *except)
{
  GtkColumnView *view = ts_ticket_table_get_column_view (TS_TICKET_TABLE (ts_main_window_get_table (window, which)));
  TsTicketWindow *editor = NULL;
  GtkWidget *cell = NULL;

  TS_WAIT_FOR ((cell = ts_test_find_label (GTK_WIDGET (view), key)) != NULL);
  ts_test_double_click (cell);

  TS_WAIT_FOR ((editor = find_editor (key, except)) != NULL);
  return editor;
}

static TsTicketWindow *
activate_row (TsMainWindow *window,
              const char   *which,
              const char   *key)
{
  return activate_row_except (window, which, key, NULL);
}

static GtkWidget *
field_widget (TsTicketWindow *editor,
              const char     *field)
{
  TsTicketForm *form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  GtkWidget *widget = ts_ticket_form_get_field_widget (form, field);

  g_assert_nonnull (widget);
  return widget;
}

/* Clicks into the field and types @text at its end. */
static void
type_into (TsTicketWindow *editor,
           const char     *field,
           const char     *text)
{
  ts_test_click (field_widget (editor, field));
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_End, GDK_CONTROL_MASK);
  ts_test_type (GTK_WIDGET (editor), text);
}

/* Clicks into the field, selects all and types @text over it (or
 * deletes it, for ""). */
static void
replace_text (TsTicketWindow *editor,
              const char     *field,
              const char     *text)
{
  ts_test_click (field_widget (editor, field));
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_a, GDK_CONTROL_MASK);
  if (*text == '\0')
    ts_test_key (GTK_WIDGET (editor), GDK_KEY_BackSpace, 0);
  else
    ts_test_type (GTK_WIDGET (editor), text);
}

/* Clicks the trigger's button in the header bar. */
static void
press (TsTicketWindow *editor,
       const char     *trigger)
{
  GtkWidget *button = ts_ticket_window_get_trigger_button (editor, trigger);

  g_assert_nonnull (button);
  ts_test_click (button);
}

/* The message dialog over @parent, once it shows. */
static GtkWindow *
wait_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *dialog = NULL;

  TS_WAIT_FOR (({
    dialog = NULL;
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (GTK_WINDOW (w)) == parent &&
            gtk_widget_get_mapped (GTK_WIDGET (w)))
          dialog = GTK_WINDOW (w);
      }
    dialog != NULL;
  }));
  return dialog;
}

/* Clicks the dialog's button labelled @label (without its mnemonic) and
 * waits until the dialog is gone. */
static void
click_response (GtkWindow  *dialog,
                const char *label)
{
  GtkWidget *text = NULL;
  GWeakRef ref;

  TS_WAIT_FOR ((text = ts_test_find_label (GTK_WIDGET (dialog), label)) != NULL);
  g_weak_ref_init (&ref, dialog);
  ts_test_click (text);
  TS_WAIT_FOR (({
    g_autoptr(GtkWidget) still = g_weak_ref_get (&ref);
    still == NULL || !gtk_widget_get_mapped (still);
  }));
  g_weak_ref_clear (&ref);
}

static void
create_ticket_as (TsStore    *store,
                  const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  gboolean done = FALSE;

  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, on_created, &done);
  TS_WAIT_FOR (done);
}

/* zhangwei works a ticket and passes it to lina, who finds it waiting. */
static void
test_walk (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsStore) lina = open_store ("lina");
  TsMainWindow *zw_window, *lina_window;
  TsTicketWindow *editor;
  g_autofree char *state = NULL;
  g_autofree char *assignee = NULL;
  g_autofree char *checker = NULL;

  create_ticket_as (zhangwei, "{\"summary\": \"【20180128】某银行局点设备发生硬盘故障\", \"issue_level\": \"严重问题\"}");
  zw_window = open_main_window (zhangwei);
  TS_WAIT_FOR (n_rows (zw_window, "pending") == 1);
  ts_test_save_screenshot (GTK_WIDGET (zw_window), "main-window.png", NULL);

  editor = activate_row (zw_window, "pending", "question_1");
  /* zhangwei holds it: the buttons of his state are offered. */
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "更新进展"));
  g_assert_null (ts_ticket_window_get_trigger_button (editor, "提交审核"));  /* needs 维护代表 */

  /* Typed and clicked as a person does: the trigger is pressed with the
   * pointer while the cursor blinks in the multi-line 处理进展 (GTK 4.8
   * aborted in its blink timeout when the form hid that cursor). */
  type_into (editor, "current_process", "已更换硬盘，业务恢复");
  ts_test_choose (field_widget (editor, "issue_checker"), "lina");
  ts_test_choose (field_widget (editor, "issue_processor"), "zhangwei");
  ts_test_choose (field_widget (editor, "issue_se"), "wangfang");
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "提交审核"));
  /* Back into the text, so its cursor blinks when the ticket moves on. */
  ts_test_click (field_widget (editor, "current_process"));
  ts_test_save_screenshot (GTK_WIDGET (editor), "ticket-editor.png", NULL);
  ts_test_click (ts_ticket_window_get_trigger_button (editor, "提交审核"));

  TS_WAIT_FOR (ts_ticket_window_get_ticket (editor) != NULL &&
            g_strcmp0 (ts_ticket_get_state (ts_ticket_window_get_ticket (editor)), "维护代表审核") == 0);
  state = ts_test_query_value (server, db, "SELECT state FROM tasksteper.tickets WHERE key = $1", "question_1");
  assignee = ts_test_query_value (server, db, "SELECT assigned_to FROM tasksteper.tickets WHERE key = $1", "question_1");
  checker = ts_test_query_value (server, db, "SELECT fields->>'issue_checker' FROM tasksteper.tickets WHERE key = $1", "question_1");
  g_assert_cmpstr (state, ==, "维护代表审核");
  g_assert_cmpstr (assignee, ==, "lina");
  g_assert_cmpstr (checker, ==, "lina");
  /* Now lina's: no buttons for zhangwei, and his pending table empties. */
  g_assert_null (ts_ticket_window_get_trigger_button (editor, "打回补充信息"));
  TS_WAIT_FOR (n_rows (zw_window, "pending") == 0);
  gtk_window_destroy (GTK_WINDOW (editor));

  lina_window = open_main_window (lina);
  TS_WAIT_FOR (n_rows (lina_window, "pending") == 1);
  editor = activate_row (lina_window, "pending", "question_1");
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "打回补充信息"));
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "转SE分析改进"));
  press (editor, "转SE分析改进");
  TS_WAIT_FOR (g_strcmp0 (ts_ticket_get_state (ts_ticket_window_get_ticket (editor)), "SE分析改进") == 0);
  g_clear_pointer (&assignee, g_free);
  assignee = ts_test_query_value (server, db, "SELECT assigned_to FROM tasksteper.tickets WHERE key = $1", "question_1");
  g_assert_cmpstr (assignee, ==, "wangfang");
  TS_WAIT_FOR (n_rows (lina_window, "pending") == 0);

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (zw_window));
  gtk_window_destroy (GTK_WINDOW (lina_window));
}

/* 问题关闭 appears only once 改进项链接 is filled in. */
static void
test_condition_button (void)
{
  g_autoptr(TsStore) wangfang = open_store ("wangfang");
  TsMainWindow *window = open_main_window (wangfang);
  TsTicketWindow *editor;
  g_autofree char *state = NULL;

  TS_WAIT_FOR (n_rows (window, "pending") == 1);
  editor = activate_row (window, "pending", "question_1");
  g_assert_null (ts_ticket_window_get_trigger_button (editor, "问题关闭"));

  type_into (editor, "improvement_url", "tasksteper://improvement/1");
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "问题关闭"));
  replace_text (editor, "improvement_url", "");
  g_assert_null (ts_ticket_window_get_trigger_button (editor, "问题关闭"));
  replace_text (editor, "improvement_url", "http://47.95.215.176:9000/polls/0/flow/improvement/2/detail/");
  press (editor, "问题关闭");

  TS_WAIT_FOR (g_strcmp0 (ts_ticket_get_state (ts_ticket_window_get_ticket (editor)), "关闭") == 0);
  state = ts_test_query_value (server, db, "SELECT state || '/' || is_final FROM tasksteper.tickets WHERE key = $1", "question_1");
  g_assert_cmpstr (state, ==, "关闭/true");
  TS_WAIT_FOR (n_rows (window, "pending") == 0);

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A table updates by itself when someone else creates a ticket. */
static void
test_live_update (void)
{
  g_autoptr(TsStore) lina = open_store ("lina");
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_main_window (lina);
  guint before;

  TS_WAIT_FOR (!ts_ticket_list_get_loading (table_list (window, "all")));
  before = n_rows (window, "all");
  create_ticket_as (zhangwei, "{\"summary\": \"【20180129】电网局点巡检发现告警\"}");
  TS_WAIT_FOR (n_rows (window, "all") == before + 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The same person in two clients: the second save meets a conflict, sees
 * what changed, keeps the edits and saves them on top. */
static void
test_conflict (void)
{
  g_autoptr(TsStore) first = open_store ("zhangwei");
  g_autoptr(TsStore) second = open_store ("zhangwei");
  TsMainWindow *window_a, *window_b;
  TsTicketWindow *editor_a, *editor_b;
  GtkWindow *dialog = NULL;
  g_autofree char *values = NULL;

  create_ticket_as (first, "{\"summary\": \"【20180130】冲突测试\"}");
  window_a = open_main_window (first);
  window_b = open_main_window (second);
  /* question_2 (from the live-update step) waits for zhangwei too. */
  TS_WAIT_FOR (n_rows (window_a, "pending") == 2 && n_rows (window_b, "pending") == 2);

  editor_a = activate_row (window_a, "pending", "question_3");
  editor_b = activate_row_except (window_b, "pending", "question_3", editor_a);
  g_assert_true (editor_a != editor_b);

  replace_text (editor_b, "detail", "B 写的详细描述");
  type_into (editor_a, "current_process", "A 写的处理进展");
  ts_test_key (GTK_WIDGET (editor_a), GDK_KEY_s, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_ticket_get_version (ts_ticket_window_get_ticket (editor_a)) == 2);

  /* B has unsaved edits, so its window keeps them and says so. */
  ts_test_key (GTK_WIDGET (editor_b), GDK_KEY_s, GDK_CONTROL_MASK);

  dialog = wait_dialog (GTK_WINDOW (editor_b));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "处理进展"));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "conflict-dialog.png", NULL);
  click_response (dialog, "Keep My Edits");

  g_assert_true (ts_ticket_form_get_modified (TS_TICKET_FORM (ts_ticket_window_get_form (editor_b))));
  ts_test_key (GTK_WIDGET (editor_b), GDK_KEY_s, GDK_CONTROL_MASK);
  TS_WAIT_FOR (ts_ticket_get_version (ts_ticket_window_get_ticket (editor_b)) == 3);

  /* Both edits are in the database: nothing was lost. */
  values = ts_test_query_value (server, db, "SELECT (fields->>'detail') || ' | ' || (fields->>'current_process') "
                        "FROM tasksteper.tickets WHERE key = $1", "question_3");
  g_assert_cmpstr (values, ==, "B 写的详细描述 | A 写的处理进展");

  gtk_window_destroy (GTK_WINDOW (editor_a));
  gtk_window_destroy (GTK_WINDOW (editor_b));
  gtk_window_destroy (GTK_WINDOW (window_a));
  gtk_window_destroy (GTK_WINDOW (window_b));
}

/* Closing with unsaved edits asks; Discard closes the editor (and only
 * it: the dialog's own response handler was running when the window went,
 * which GTK warned about every time), Cancel keeps it and the edits. */
static void
test_discard (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor;
  GtkWindow *dialog;
  g_autofree char *detail = NULL;
  GWeakRef gone;

  editor = activate_row (window, "pending", "question_2");
  type_into (editor, "detail", "不要保存的描述");

  ts_test_key (GTK_WIDGET (editor), GDK_KEY_w, GDK_CONTROL_MASK);
  dialog = wait_dialog (GTK_WINDOW (editor));
  click_response (dialog, "Cancel");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (editor)));
  g_assert_true (ts_ticket_form_get_modified (TS_TICKET_FORM (ts_ticket_window_get_form (editor))));

  ts_test_key (GTK_WIDGET (editor), GDK_KEY_w, GDK_CONTROL_MASK);
  dialog = wait_dialog (GTK_WINDOW (editor));
  g_weak_ref_init (&gone, editor);
  click_response (dialog, "Discard");
  TS_WAIT_FOR (g_weak_ref_get (&gone) == NULL);
  g_weak_ref_clear (&gone);
  ts_test_iterate (200);

  detail = ts_test_query_value (server, db, "SELECT coalesce (fields->>'detail', '') FROM tasksteper.tickets WHERE key = $1",
                                "question_2");
  g_assert_cmpstr (detail, !=, "不要保存的描述");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

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

  /* In order: each step continues the story of the one before. */
  g_test_add_func ("/ts/gui/walk", test_walk);
  g_test_add_func ("/ts/gui/condition-button", test_condition_button);
  g_test_add_func ("/ts/gui/live-update", test_live_update);
  g_test_add_func ("/ts/gui/conflict", test_conflict);
  g_test_add_func ("/ts/gui/discard", test_discard);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
