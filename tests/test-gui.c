/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <libpq-fe.h>
#include <string.h>

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

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

/* Waits until the object @ref points at is gone (taking no reference
 * that would keep it). */
static void
wait_gone (GWeakRef *ref)
{
  TS_WAIT_FOR (({ g_autoptr(GObject) still = g_weak_ref_get (ref); still == NULL; }));
}

/* The first mapped label under @widget whose text contains @part. */
static GtkWidget *
find_label_containing (GtkWidget  *widget,
                       const char *part)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), part) != NULL)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_containing (child, part);

      if (found != NULL)
        return found;
    }
  return NULL;
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

static guint
count_labels (GtkWidget  *ancestor,
              const char *text)
{
  guint n = 0;

  if (GTK_IS_LABEL (ancestor) && gtk_widget_get_mapped (ancestor) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (ancestor)), text) == 0)
    n++;
  for (GtkWidget *c = gtk_widget_get_first_child (ancestor); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += count_labels (c, text);
  return n;
}

/* Whether @widget shows inside the editor's scrolled form. */
static gboolean
shows_in_scroller (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (gtk_widget_get_parent (gtk_widget_get_ancestor (widget, TS_TYPE_TICKET_FORM)),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  g_assert_nonnull (scroller);
  g_assert_true (gtk_widget_compute_bounds (widget, scroller, &bounds));
  return bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
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
  g_autofree char *reason = NULL;
  const char *hint;
  TsTicketForm *form;
  GtkWidget *button, *save, *tooltip, *popover;
  GWeakRef gone;

  create_ticket_as (zhangwei, "{\"summary\": \"【20180128】某银行局点设备发生硬盘故障\", \"issue_level\": \"严重问题\"}");
  zw_window = open_main_window (zhangwei);
  TS_WAIT_FOR (n_rows (zw_window, "pending") == 1);
  ts_test_save_screenshot (GTK_WIDGET (zw_window), "main-window.png", NULL);

  editor = activate_row (zw_window, "pending", "question_1");
  form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  /* zhangwei holds it: the buttons of his state are offered, 提交审核
   * disabled until there is a 维护代表, and saying so: as its tooltip,
   * its accessible description and a hint under 维护代表. */
  button = ts_ticket_window_get_trigger_button (editor, "更新进展");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  button = ts_ticket_window_get_trigger_button (editor, "提交审核");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
  reason = g_strdup (gtk_widget_get_tooltip_text (button));
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "维护代表"));
  gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason);
  hint = ts_ticket_form_get_field_hint (form, "issue_checker");
  g_assert_nonnull (hint);
  g_assert_true (g_str_has_prefix (hint, "提交审核"));
  g_assert_nonnull (strstr (hint, reason));
  /* No obvious next step yet (更新进展 keeps the state): Save is it. */
  g_assert_false (gtk_widget_has_css_class (ts_ticket_window_get_trigger_button (editor, "更新进展"),
                                            "suggested-action"));
  g_assert_false (gtk_widget_has_css_class (button, "suggested-action"));
  save = gtk_widget_get_ancestor (ts_test_find_label (GTK_WIDGET (editor), "Save"), GTK_TYPE_BUTTON);
  g_assert_true (gtk_widget_has_css_class (save, "suggested-action"));

  /* The reason shows when the pointer rests on the disabled button. */
  tooltip = ts_test_hover (button);
  g_assert_nonnull (ts_test_find_label (tooltip, reason));
  ts_test_save_screenshot (tooltip, "blocked-trigger-tooltip.png", NULL);
  /* And under the field, where a person scrolls to. */
  ts_ticket_form_focus_field (form, "issue_checker");
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (editor), hint) != NULL &&
               shows_in_scroller (ts_test_find_label (GTK_WIDGET (editor), hint)));
  ts_test_save_screenshot (GTK_WIDGET (editor), "ticket-editor-blocked.png", NULL);

  /* Typed and clicked as a person does: the trigger is pressed with the
   * pointer while the cursor blinks in the multi-line 处理进展 (GTK 4.8
   * aborted in its blink timeout when the form hid that cursor). */
  type_into (editor, "current_process", "已更换硬盘，业务恢复");
  /* People by their display names. */
  ts_test_choose (field_widget (editor, "issue_checker"), "李娜");
  ts_test_choose (field_widget (editor, "issue_processor"), "张伟");
  /* Typing in the picker filters it, here by login. */
  ts_test_click (field_widget (editor, "issue_se"));
  popover = gtk_widget_get_last_child (field_widget (editor, "issue_se"));
  g_assert_true (GTK_IS_POPOVER (popover));
  TS_WAIT_FOR (ts_test_find_label (popover, "李娜") != NULL);
  ts_test_type (GTK_WIDGET (editor), "wang");
  TS_WAIT_FOR (ts_test_find_label (popover, "李娜") == NULL);
  g_assert_nonnull (ts_test_find_label (popover, "wangfang"));
  ts_test_click (ts_test_find_label (popover, "王芳"));
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
  {
    g_autoptr(JsonObject) values = ts_ticket_form_dup_values (form);
    g_assert_cmpstr (json_object_get_string_member (values, "issue_se"), ==, "wangfang");
    g_assert_cmpstr (json_object_get_string_member (values, "issue_checker"), ==, "lina");
  }
  /* Now 提交审核 can be pressed, and is the obvious next step. */
  button = ts_ticket_window_get_trigger_button (editor, "提交审核");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_false (gtk_widget_has_css_class (save, "suggested-action"));
  g_assert_null (ts_ticket_form_get_field_hint (form, "issue_checker"));
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
  /* The history names people as the project shows them. */
  TS_WAIT_FOR (find_label_containing (GTK_WIDGET (editor), " · passed from 张伟 to 李娜") != NULL);
  g_assert_null (find_label_containing (GTK_WIDGET (editor), "zhangwei"));
  /* Now lina's: no buttons for zhangwei, and his pending table empties. */
  g_assert_null (ts_ticket_window_get_trigger_button (editor, "打回补充信息"));
  TS_WAIT_FOR (n_rows (zw_window, "pending") == 0);
  /* The editor says who has it, and offers to close. */
  TS_WAIT_FOR (ts_test_find_label (GTK_WIDGET (editor), "提交审核: question_1 is now with 李娜") != NULL);
  ts_test_save_screenshot (GTK_WIDGET (editor), "ticket-editor-passed-on.png", NULL);
  g_weak_ref_init (&gone, editor);
  ts_test_click (ts_test_find_label (GTK_WIDGET (editor), "Close"));
  wait_gone (&gone);
  g_weak_ref_clear (&gone);

  lina_window = open_main_window (lina);
  TS_WAIT_FOR (n_rows (lina_window, "pending") == 1);
  editor = activate_row (lina_window, "pending", "question_1");
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "打回补充信息"));
  g_assert_nonnull (ts_ticket_window_get_trigger_button (editor, "转SE分析改进"));

  /* With close-after-passing-on, the editor goes once the ticket is
   * passed on (and only then: the change is in the database). */
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");

    g_settings_set_boolean (settings, "close-after-passing-on", TRUE);
    g_weak_ref_init (&gone, editor);
    press (editor, "转SE分析改进");
    wait_gone (&gone);
    g_weak_ref_clear (&gone);
    g_settings_reset (settings, "close-after-passing-on");
  }
  g_clear_pointer (&state, g_free);
  state = ts_test_query_value (server, db, "SELECT state FROM tasksteper.tickets WHERE key = $1", "question_1");
  g_assert_cmpstr (state, ==, "SE分析改进");
  g_clear_pointer (&assignee, g_free);
  assignee = ts_test_query_value (server, db, "SELECT assigned_to FROM tasksteper.tickets WHERE key = $1", "question_1");
  g_assert_cmpstr (assignee, ==, "wangfang");
  TS_WAIT_FOR (n_rows (lina_window, "pending") == 0);

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
  TsTicketForm *form;
  GtkWidget *button;

  TS_WAIT_FOR (n_rows (window, "pending") == 1);
  editor = activate_row (window, "pending", "question_1");
  form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  button = ts_ticket_window_get_trigger_button (editor, "问题关闭");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_nonnull (ts_ticket_form_get_field_hint (form, "improvement_url"));
  g_assert_nonnull (strstr (ts_ticket_form_get_field_hint (form, "improvement_url"), "问题关闭"));

  type_into (editor, "improvement_url", "tasksteper://improvement/1");
  /* The same button, now enabled: the one step there is, so the main one. */
  g_assert_true (ts_ticket_window_get_trigger_button (editor, "问题关闭") == button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_null (ts_ticket_form_get_field_hint (form, "improvement_url"));
  replace_text (editor, "improvement_url", "");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_has_css_class (button, "suggested-action"));
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
 * what changed, keeps all the edits and they are saved on top. */
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
  /* Keep All Mine saves B's edits on top of the new version. */
  click_response (dialog, "Keep All Mine");
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
  wait_gone (&gone);
  g_weak_ref_clear (&gone);
  ts_test_iterate (200);

  detail = ts_test_query_value (server, db, "SELECT coalesce (fields->>'detail', '') FROM tasksteper.tickets WHERE key = $1",
                                "question_2");
  g_assert_cmpstr (detail, !=, "不要保存的描述");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A required 概要 emptied while it is scrolled away: Save scrolls back
 * to it, focuses it, and a toast says what is wrong. */
static void
test_validation_focus (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor;
  TsTicketForm *form;
  GtkWidget *summary, *focus;
  const char *message;

  editor = activate_row (window, "pending", "question_2");
  form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  summary = field_widget (editor, "summary");

  replace_text (editor, "summary", "");
  message = ts_ticket_form_get_field_error (form, "summary");
  g_assert_nonnull (message);
  /* Down to the last field: 概要 is out of sight. */
  ts_test_choose (field_widget (editor, "issue_se"), "王芳");
  g_assert_false (shows_in_scroller (summary));

  ts_test_key (GTK_WIDGET (editor), GDK_KEY_s, GDK_CONTROL_MASK);
  TS_WAIT_FOR (shows_in_scroller (summary));
  focus = gtk_root_get_focus (GTK_ROOT (editor));
  g_assert_true (focus == summary || gtk_widget_is_ancestor (focus, summary));
  /* Said twice: under the field and in the toast. */
  TS_WAIT_FOR (count_labels (GTK_WIDGET (editor), message) == 2);
  ts_test_save_screenshot (GTK_WIDGET (editor), "ticket-editor-refused.png", NULL);
  /* Nothing was saved. */
  g_assert_cmpint (ts_ticket_get_version (ts_ticket_window_get_ticket (editor)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

static TsTicketWindow *
find_new_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_TICKET_WINDOW (window) && ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window)) == NULL &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        return TS_TICKET_WINDOW (window);
    }
  return NULL;
}

/* After Create the window is the new ticket's editor: its key in the
 * title, Save instead of Create. */
static void
test_create (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor = NULL;
  TsTicket *ticket;
  g_autofree char *summary = NULL;

  ts_test_key (GTK_WIDGET (window), GDK_KEY_n, GDK_CONTROL_MASK);
  TS_WAIT_FOR ((editor = find_new_editor ()) != NULL);
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (editor), "Create"));
  replace_text (editor, "summary", "【20180201】新建的条目");
  ts_test_click (ts_test_find_label (GTK_WIDGET (editor), "Create"));

  TS_WAIT_FOR ((ticket = ts_ticket_window_get_ticket (editor)) != NULL);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, ts_ticket_get_key (ticket));
  g_assert_true (g_str_has_prefix (ts_ticket_get_key (ticket), "question_"));
  /* The header's title and the key among the system fields. */
  g_assert_cmpuint (count_labels (GTK_WIDGET (editor), ts_ticket_get_key (ticket)), ==, 2);
  g_assert_null (ts_test_find_label (GTK_WIDGET (editor), "Create"));
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (editor), "Save"));
  summary = ts_test_query_value (server, db, "SELECT fields->>'summary' FROM tasksteper.tickets WHERE key = $1",
                                 ts_ticket_get_key (ticket));
  g_assert_cmpstr (summary, ==, "【20180201】新建的条目");

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* GTK's test accessibility backend: the accessible descriptions can be
   * checked (gtk_test_accessible_assert_property). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });
  /* The demo's people have their display names; these too. */
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '张伟')::text", "zhangwei"));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '李娜')::text", "lina"));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '王芳')::text", "wangfang"));

  /* In order: each step continues the story of the one before. */
  g_test_add_func ("/ts/gui/walk", test_walk);
  g_test_add_func ("/ts/gui/condition-button", test_condition_button);
  g_test_add_func ("/ts/gui/live-update", test_live_update);
  g_test_add_func ("/ts/gui/conflict", test_conflict);
  g_test_add_func ("/ts/gui/discard", test_discard);
  g_test_add_func ("/ts/gui/validation-focus", test_validation_focus);
  g_test_add_func ("/ts/gui/create", test_create);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
