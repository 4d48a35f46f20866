/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-comment.h"
#include "ts-application.h"
#include "ts-conflict-dialog.h"
#include "ts-linked-from.h"
#include "ts-main-window.h"
#include "ts-store.h"
#include "ts-gui-test-util.h"
#include "ts-test-server.h"
#include "ts-ticket-form.h"
#include "ts-ticket-list.h"
#include "ts-ticket-table.h"
#include "ts-ticket-window.h"

/* The ticket editor's timeline and its conflict dialog, driven as a
 * person would against a real server: a second session changes the
 * ticket, the editor shows each field's old → new value, and a stale
 * save asks field by field whose value to keep. */

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
on_changed (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TsTicket **ticket = user_data;

  *ticket = ts_store_change_finish (TS_STORE (object), result, &error);
  g_assert_no_error (error);
}

/* Creates a ticket of issue_track with @json as its fields. */
static TsTicket *
create (TsStore    *store,
        const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  TsTicket *ticket = NULL;

  ts_store_create_ticket_async (store, "issue_track", json_node_get_object (node), NULL, on_changed, &ticket);
  TS_WAIT_FOR (ticket != NULL);
  return ticket;
}

/* Saves @json over @ticket as its session would (another client). */
static TsTicket *
save (TsStore    *store,
      TsTicket   *ticket,
      const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  TsTicket *saved = NULL;

  ts_store_save_ticket_async (store, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket),
                              json_node_get_object (node), NULL, on_changed, &saved);
  TS_WAIT_FOR (saved != NULL);
  return saved;
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

static TsTicketWindow *
find_editor (const char *key)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TS_IS_TICKET_WINDOW (window) && ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window)) != NULL &&
          g_strcmp0 (ts_ticket_get_key (ts_ticket_window_get_ticket (TS_TICKET_WINDOW (window))), key) == 0 &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return TS_TICKET_WINDOW (window);
    }
  return NULL;
}

/* Double-clicks the row of @key among my pending tickets. */
static TsTicketWindow *
open_editor (TsMainWindow *window,
             const char   *key)
{
  TsTicketTable *table = TS_TICKET_TABLE (ts_main_window_get_table (window, "pending"));
  GtkColumnView *view = ts_ticket_table_get_column_view (table);
  TsTicketWindow *editor = NULL;
  GtkWidget *cell = NULL;

  /* Not while the rows are built again under the pointer. */
  TS_WAIT_FOR (!ts_ticket_list_get_loading (ts_ticket_table_get_list (table)));

  TS_WAIT_FOR ((cell = ts_test_find_label (GTK_WIDGET (view), key)) != NULL);
  ts_test_double_click (cell);
  TS_WAIT_FOR ((editor = find_editor (key)) != NULL);
  gtk_window_set_default_size (GTK_WINDOW (editor), 900, 1400);
  return editor;
}

static GtkWidget *
field_widget (TsTicketWindow *editor,
              const char     *field)
{
  GtkWidget *widget = ts_ticket_form_get_field_widget (TS_TICKET_FORM (ts_ticket_window_get_form (editor)), field);

  g_assert_nonnull (widget);
  return widget;
}

static void
type_into (TsTicketWindow *editor,
           const char     *field,
           const char     *text)
{
  ts_test_click (field_widget (editor, field));
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_End, GDK_CONTROL_MASK);
  ts_test_type (GTK_WIDGET (editor), text);
}

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

/* The first widget under @widget (itself included, depth first) that
 * @match accepts. */
static GtkWidget *
find_under (GtkWidget     *widget,
            Match          match,
            gconstpointer  data)
{
  if (match (widget, data))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_under (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_mapped_label_with_text (GtkWidget     *widget,
                           gconstpointer  text)
{
  return gtk_widget_get_mapped (widget) && is_label_with_text (widget, text);
}

/* The first label under @widget (mapped or not, when @mapped is FALSE)
 * whose text is @text. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text,
            gboolean    mapped)
{
  return find_under (widget, mapped ? is_mapped_label_with_text : is_label_with_text, text);
}

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

static char *
query_field (const char *field,
             TsTicket   *ticket)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (fields->>'%s', '') FROM tasksteper.tickets WHERE key = $1", field);

  return ts_test_query_value (server, db, sql, ts_ticket_get_key (ticket));
}

/* Another session changes a choice, a person field, a long link and a
 * multi-line text; the editor shows each old → new value as the form
 * shows it, the long one folded until Show More, and the text as lines
 * removed and added. */
static void
test_values (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsStore) other = open_store ("zhangwei");
  g_autoptr(TsTicket) created = create (zhangwei, "{\"summary\": \"【20180301】时间线测试\", "
                                        "\"detail\": \"【问题现象】: 告警\\n【问题影响】: 无\"}");
  g_autoptr(GString) long_url = g_string_new ("https://buglist.example.com/issue/20180301?");
  g_autofree char *json = NULL;
  g_autoptr(TsTicket) saved = NULL;
  TsMainWindow *window;
  TsTicketWindow *editor;
  GtkWidget *row_label, *full, *more;

  for (guint i = 0; i < 30; i++)
    g_string_append_printf (long_url, "param%u=value%u&", i, i);
  json = g_strdup_printf ("{\"issue_level\": \"严重问题\", \"issue_processor\": \"lina\", "
                          "\"detail\": \"【问题现象】: 告警\\n【问题影响】: 业务中断\", "
                          "\"improvement_url\": \"%s\"}", long_url->str);
  saved = save (other, created, json);

  window = open_main_window (zhangwei);
  editor = open_editor (window, ts_ticket_get_key (created));
  /* The choice as its text, the person by display name, old → new. */
  TS_WAIT_FOR (find_label (GTK_WIDGET (editor), "一般问题 → 严重问题", TRUE) != NULL);
  TS_WAIT_FOR (find_label (GTK_WIDGET (editor), "Nobody → 李娜", TRUE) != NULL);
  /* The text field: the changed line removed and added, marked. */
  g_assert_nonnull (find_label (GTK_WIDGET (editor), "  【问题现象】: 告警", TRUE));
  g_assert_nonnull (find_label (GTK_WIDGET (editor), "− 【问题影响】: 无", TRUE));
  g_assert_nonnull (find_label (GTK_WIDGET (editor), "+ 【问题影响】: 业务中断", TRUE));

  /* The long link is folded: all of it only after Show More. */
  {
    g_autofree char *now = g_strdup_printf ("Now: %s", long_url->str);

    full = find_label (GTK_WIDGET (editor), now, FALSE);
    g_assert_nonnull (full);
    g_assert_false (gtk_widget_get_mapped (full));
    more = gtk_widget_get_next_sibling (full);
    g_assert_true (GTK_IS_BUTTON (more));
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (more)), ==, "Show More");
    ts_test_click (more);
    TS_WAIT_FOR (gtk_widget_get_mapped (full));
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (more)), ==, "Show Less");
  }

  /* Each row is named for a screen reader: who, when, what. */
  row_label = find_label (GTK_WIDGET (editor), "Saved", TRUE);
  g_assert_nonnull (row_label);
  {
    GtkWidget *row = gtk_widget_get_ancestor (row_label, GTK_TYPE_LIST_BOX_ROW);
    g_autoptr(GDateTime) local = g_date_time_to_local (ts_ticket_get_updated_at (saved));
    g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");
    g_autofree char *name = g_strdup_printf ("张伟 · %s: Saved", when);

    g_assert_nonnull (row);
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  }

  ts_test_save_screenshot (GTK_WIDGET (editor), "ticket-timeline.png", NULL);
  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A second session saves between opening and saving: the save meets a
 * conflict, and the dialog shows per field what I typed, what the server
 * has now and what both started from.  Cancel keeps everything typed;
 * then the server's value for one field, mine for the other, saved on
 * top of the new version. */
static void
test_conflict_choice (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsStore) other = open_store ("zhangwei");
  g_autoptr(TsTicket) created = create (zhangwei, "{\"summary\": \"【20180302】冲突选择测试\"}");
  g_autoptr(TsTicket) saved = NULL;
  g_autoptr(JsonObject) typed = NULL;
  g_autofree char *level = NULL;
  g_autofree char *process = NULL;
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor;
  TsTicketForm *form;
  GtkWindow *dialog;

  editor = open_editor (window, ts_ticket_get_key (created));
  form = TS_TICKET_FORM (ts_ticket_window_get_form (editor));
  ts_test_choose (field_widget (editor, "issue_level"), "严重问题");
  type_into (editor, "current_process", "我的处理进展");
  TS_WAIT_FOR (ts_ticket_form_get_modified (form));

  saved = save (other, created, "{\"issue_level\": \"紧急问题\"}");
  g_assert_cmpint (ts_ticket_get_version (saved), ==, 2);

  ts_test_key (GTK_WIDGET (editor), GDK_KEY_s, GDK_CONTROL_MASK);
  dialog = wait_dialog (GTK_WINDOW (editor));
  g_assert_true (TS_IS_CONFLICT_DIALOG (dialog));
  g_assert_cmpuint (ts_conflict_dialog_get_n_fields (TS_CONFLICT_DIALOG (dialog)), ==, 2);
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Yours: 严重问题", TRUE));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "On the server now: 紧急问题", TRUE));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Before both changes: 一般问题", TRUE));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Yours: 我的处理进展", TRUE));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Before both changes: (empty)", TRUE));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "conflict-dialog-choice.png", NULL);

  /* Cancel: nothing typed is lost, nothing saved. */
  click_response (dialog, "Cancel");
  g_assert_true (ts_ticket_form_get_modified (form));
  typed = ts_ticket_form_dup_values (form);
  g_assert_cmpstr (json_object_get_string_member (typed, "issue_level"), ==, "严重问题");
  g_assert_cmpstr (json_object_get_string_member (typed, "current_process"), ==, "我的处理进展");
  g_assert_cmpint (ts_ticket_get_version (ts_ticket_window_get_ticket (editor)), ==, 1);

  /* Again, and this time the server's level, my progress. */
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_s, GDK_CONTROL_MASK);
  dialog = wait_dialog (GTK_WINDOW (editor));
  ts_test_click (ts_conflict_dialog_get_choice (TS_CONFLICT_DIALOG (dialog), "issue_level", FALSE));
  TS_WAIT_FOR (gtk_check_button_get_active (GTK_CHECK_BUTTON (ts_conflict_dialog_get_choice (TS_CONFLICT_DIALOG (dialog),
                                                                                          "issue_level", FALSE))));
  click_response (dialog, "Save as Chosen");
  TS_WAIT_FOR (ts_ticket_get_version (ts_ticket_window_get_ticket (editor)) == 3);
  g_assert_false (ts_ticket_form_get_modified (form));

  level = query_field ("issue_level", created);
  process = query_field ("current_process", created);
  g_assert_cmpstr (level, ==, "紧急问题");
  g_assert_cmpstr (process, ==, "我的处理进展");

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

/* New From This Ticket (seed 五: a 转测版本记录 starts as a copy of the
 * previous one): a new draft with the fields copied, created as a new
 * ticket of its own, with a history of its own. */
static void
test_new_from (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsTicket) source = create (zhangwei, "{\"summary\": \"【20180303】复制来源\", \"detail\": \"构建信息: B021\\n固件信息: 1.2.3\", "
                                        "\"class_1\": \"硬件\", \"issue_processor\": \"lina\"}");
  g_autoptr(JsonObject) values = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *n_history = NULL;
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor, *draft = NULL;
  TsTicket *copy;
  GtkWidget *item = NULL;

  editor = open_editor (window, ts_ticket_get_key (source));
  ts_test_click (ts_ticket_window_get_menu_button (editor));
  TS_WAIT_FOR ((item = ts_test_find_label (GTK_WIDGET (editor), "New From This Ticket")) != NULL);
  ts_test_click (item);
  TS_WAIT_FOR ((draft = find_new_editor ()) != NULL);

  /* The fields as in the source; nothing of its system fields. */
  values = ts_ticket_form_dup_values (TS_TICKET_FORM (ts_ticket_window_get_form (draft)));
  g_assert_cmpstr (json_object_get_string_member (values, "summary"), ==, "【20180303】复制来源");
  g_assert_cmpstr (json_object_get_string_member (values, "detail"), ==, "构建信息: B021\n固件信息: 1.2.3");
  g_assert_cmpstr (json_object_get_string_member (values, "class_1"), ==, "硬件");
  g_assert_cmpstr (json_object_get_string_member (values, "issue_processor"), ==, "lina");
  g_assert_nonnull (ts_test_find_label (GTK_WIDGET (draft), "Create"));

  ts_test_click (ts_test_find_label (GTK_WIDGET (draft), "Create"));
  TS_WAIT_FOR ((copy = ts_ticket_window_get_ticket (draft)) != NULL);
  g_assert_cmpstr (ts_ticket_get_key (copy), !=, ts_ticket_get_key (source));
  detail = ts_test_query_value (server, db, "SELECT fields->>'detail' FROM tasksteper.tickets WHERE key = $1",
                                ts_ticket_get_key (copy));
  g_assert_cmpstr (detail, ==, "构建信息: B021\n固件信息: 1.2.3");
  /* Its history is its own: the creation only. */
  n_history = ts_test_query_value (server, db, "SELECT count(*) FROM tasksteper.history h JOIN tasksteper.tickets t "
                                   "ON t.id = h.ticket_id WHERE t.key = $1", ts_ticket_get_key (copy));
  g_assert_cmpstr (n_history, ==, "1");

  gtk_window_destroy (GTK_WINDOW (draft));
  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_mapped_of_type (GtkWidget     *widget,
                   gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type)) && gtk_widget_get_mapped (widget);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  return find_under (widget, is_mapped_of_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_mapped_label_styled (GtkWidget     *widget,
                        gconstpointer  css_class)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) && gtk_widget_has_css_class (widget, css_class);
}

/* The first mapped label under @widget with the style class @css_class. */
static GtkWidget *
find_styled_label (GtkWidget  *widget,
                   const char *css_class)
{
  return find_under (widget, is_mapped_label_styled, css_class);
}

static GtkTextView *
comment_view (TsTicketWindow *editor)
{
  GtkWidget *label = ts_test_find_label (GTK_WIDGET (editor), "Add a Comment");

  g_assert_nonnull (label);
  return GTK_TEXT_VIEW (gtk_label_get_mnemonic_widget (GTK_LABEL (label)));
}

static char *
text_of (GtkTextView *view)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
}

static void
on_comment_added (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsComment) comment = ts_store_add_comment_finish (TS_STORE (object), result, &error);

  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* The timeline's row whose body label shows @text (a comment), or NULL. */
static GtkWidget *
comment_label (TsTicketWindow *editor,
               const char     *text)
{
  return find_label (GTK_WIDGET (editor), text, TRUE);
}

/* lina does not hold zhangwei's ticket, and comments on it all the same:
 * typed, posted with Ctrl+Enter, shown in the timeline with its link.
 * When posting fails (she was removed from the project meanwhile) what
 * she typed stays in the box, with the reason under it.  A comment made
 * in another client shows without a reload. */
static void
test_comment (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsStore) lina = open_store ("lina");
  g_autoptr(TsTicket) ticket = create (zhangwei, "{\"summary\": \"【20180304】评论测试\"}");
  g_autofree char *body = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *count = NULL;
  TsMainWindow *window = open_main_window (lina);
  TsTicketWindow *editor;
  GtkTextView *view;
  GtkWidget *shown;
  gboolean added = FALSE;

  /* As from a tasksteper:// link someone sent her. */
  ts_main_window_open_ticket (window, ticket);
  TS_WAIT_FOR ((editor = find_editor (ts_ticket_get_key (ticket))) != NULL);
  gtk_window_set_default_size (GTK_WINDOW (editor), 900, 1400);
  /* Not hers to edit, hers to comment on. */
  g_assert_false (ts_ticket_form_get_editable (TS_TICKET_FORM (ts_ticket_window_get_form (editor))));
  view = comment_view (editor);
  ts_test_click (GTK_WIDGET (view));
  ts_test_type (GTK_WIDGET (editor), "日志见 https://logs.example.com/20180304。请确认");
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_Return, GDK_CONTROL_MASK);

  TS_WAIT_FOR ((shown = comment_label (editor, "日志见 https://logs.example.com/20180304。请确认")) != NULL);
  /* The link is a link; the text around it is escaped text. */
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (shown)),
                            "<a href=\"https://logs.example.com/20180304\">https://logs.example.com/20180304</a>"));
  g_assert_nonnull (find_label (GTK_WIDGET (editor), "Commented", TRUE));
  TS_WAIT_FOR (({ g_autofree char *t = text_of (view); *t == '\0'; }));
  body = ts_test_query_value (server, db, "SELECT body FROM tasksteper.comments c JOIN tasksteper.tickets t "
                              "ON t.id = c.ticket_id WHERE t.key = $1 AND c.author = 'lina'", ts_ticket_get_key (ticket));
  g_assert_cmpstr (body, ==, "日志见 https://logs.example.com/20180304。请确认");
  /* A comment changes no version. */
  g_assert_cmpint (ts_ticket_get_version (ts_ticket_window_get_ticket (editor)), ==, 1);

  /* Another client comments: it shows here by itself. */
  ts_store_add_comment_async (zhangwei, ts_ticket_get_id (ticket), "收到，已经在看", NULL, on_comment_added, &added);
  TS_WAIT_FOR (added);
  TS_WAIT_FOR (comment_label (editor, "收到，已经在看") != NULL);

  /* Refused: what was typed stays, the reason under the box. */
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.remove_member ('issue_track', $1)::text", "lina"));
  ts_test_click (GTK_WIDGET (view));
  ts_test_type (GTK_WIDGET (editor), "这条会失败");
  ts_test_click (ts_test_find_label (GTK_WIDGET (editor), "Comment"));
  TS_WAIT_FOR (find_styled_label (GTK_WIDGET (editor), "field-error") != NULL);
  kept = text_of (view);
  g_assert_cmpstr (kept, ==, "这条会失败");
  count = ts_test_query_value (server, db, "SELECT count(*) FROM tasksteper.comments WHERE body = $1", "这条会失败");
  g_assert_cmpstr (count, ==, "0");
  g_free (ts_test_query_value (server, db, "SELECT count(*)::text FROM tasksteper.add_member ('issue_track', $1)", "lina"));

  ts_test_save_screenshot (GTK_WIDGET (editor), "ticket-comments.png", NULL);
  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* 提交审核 made to need a comment on the server after the editor opened:
 * the fire is refused (TS428 comment_required) and the trigger's dialog
 * asks for the comment, with the reason; Fire stays disabled until
 * something is typed; the comment goes with the change.  A client that
 * reads the project afterwards asks before sending. */
static void
test_comment_required (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsTicket) ticket = create (zhangwei, "{\"summary\": \"【20180305】需要评论\", \"issue_checker\": \"lina\"}");
  g_autoptr(TsTicket) second = create (zhangwei, "{\"summary\": \"【20180305】需要评论二\", \"issue_checker\": \"lina\"}");
  g_autoptr(TsStore) later = NULL;
  g_autofree char *state = NULL;
  g_autofree char *body = NULL;
  TsMainWindow *window = open_main_window (zhangwei);
  TsMainWindow *later_window;
  TsTicketWindow *editor;
  GtkWindow *dialog;
  GtkWidget *view, *fire;

  editor = open_editor (window, ts_ticket_get_key (ticket));
  g_free (ts_test_query_value (server, db,
                               "SELECT tasksteper.import_project(jsonb_set(definition, '{transitions,1,comment}', '\"required\"'))::text "
                               "FROM tasksteper.projects WHERE name = $1", "issue_track"));

  ts_test_click (ts_ticket_window_get_trigger_button (editor, "提交审核"));
  dialog = wait_dialog (GTK_WINDOW (editor));
  /* The server's reason, at the dialog. */
  g_assert_nonnull (find_styled_label (GTK_WIDGET (dialog), "field-error"));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "fire"));
  view = find_widget (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (view);
  ts_test_click (view);
  ts_test_type (GTK_WIDGET (dialog), "线缆已更换，请审核");
  TS_WAIT_FOR (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "fire"));
  ts_test_save_screenshot (GTK_WIDGET (dialog), "comment-required-dialog.png", NULL);
  fire = ts_test_find_label (GTK_WIDGET (dialog), "提交审核");
  g_assert_nonnull (fire);
  ts_test_click (fire);

  TS_WAIT_FOR (ts_ticket_get_version (ts_ticket_window_get_ticket (editor)) == 2);
  state = ts_test_query_value (server, db, "SELECT state FROM tasksteper.tickets WHERE key = $1", ts_ticket_get_key (ticket));
  g_assert_cmpstr (state, ==, "维护代表审核");
  body = ts_test_query_value (server, db, "SELECT c.body FROM tasksteper.comments c JOIN tasksteper.tickets t "
                              "ON t.id = c.ticket_id WHERE t.key = $1", ts_ticket_get_key (ticket));
  g_assert_cmpstr (body, ==, "线缆已更换，请审核");
  /* In the timeline, after the change it went with. */
  TS_WAIT_FOR (comment_label (editor, "线缆已更换，请审核") != NULL);
  gtk_window_destroy (GTK_WINDOW (editor));

  /* A client that read the new schema asks first; Cancel sends nothing. */
  later = open_store ("zhangwei");
  later_window = open_main_window (later);
  editor = open_editor (later_window, ts_ticket_get_key (second));
  ts_test_click (ts_ticket_window_get_trigger_button (editor, "提交审核"));
  dialog = wait_dialog (GTK_WINDOW (editor));
  g_assert_null (find_styled_label (GTK_WIDGET (dialog), "field-error"));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "fire"));
  click_response (dialog, "Cancel");
  ts_test_iterate (200);
  g_assert_cmpint (ts_ticket_get_version (ts_ticket_window_get_ticket (editor)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (later_window));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* What the application does with app.open-ticket ("PROJECT/NUMBER"): the
 * main window opens the ticket of that number. */
static void
on_open_ticket (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_autofree char *uri = g_strconcat ("tasksteper://", g_variant_get_string (parameter, NULL), NULL);
  g_autofree char *project = NULL;
  int number = 0;

  g_assert_true (ts_parse_ticket_uri (uri, &project, &number));
  ts_main_window_open_number (TS_MAIN_WINDOW (user_data), project, number);
}

/* An improvement (A) and the online issue (B) whose 改进项链接 points at
 * it (seed 四.3): A's editor lists B with its summary, project and
 * state, and a double-click on B's row opens B's editor.  Once B no
 * longer links to A, A's reloaded editor lists nothing and hides the
 * group. */
static void
test_linked_from (void)
{
  g_autoptr(TsStore) zhangwei = open_store ("zhangwei");
  g_autoptr(TsTicket) target = create (zhangwei, "{\"summary\": \"【20180305】改进：线缆检测\"}");
  g_autofree char *link = g_strdup_printf ("{\"summary\": \"【20180305】线缆松动\", \"improvement_url\": \"tasksteper://issue_track/%d\"}",
                                           ts_ticket_get_number (target));
  g_autoptr(TsTicket) linking = create (zhangwei, link);
  g_autoptr(TsTicket) other = create (zhangwei, "{\"summary\": \"【20180305】无链接\", \"improvement_url\": \"https://example.com/1\"}");
  g_autoptr(TsTicket) unlinked = NULL;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open-ticket", G_VARIANT_TYPE_STRING);
  g_autofree char *where = NULL;
  TsMainWindow *window = open_main_window (zhangwei);
  TsTicketWindow *editor, *opened = NULL;
  TsProject *project;
  GtkWidget *linked = NULL;
  GtkWidget *key = NULL;
  guint n_rows = 0;

  editor = open_editor (window, ts_ticket_get_key (target));
  g_signal_connect (action, "activate", G_CALLBACK (on_open_ticket), window);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (GTK_WIDGET (editor), "app", G_ACTION_GROUP (group));

  TS_WAIT_FOR ((key = ts_test_find_label (GTK_WIDGET (editor), ts_ticket_get_key (linking))) != NULL);
  linked = find_widget (GTK_WIDGET (editor), TS_TYPE_LINKED_FROM);
  g_assert_nonnull (linked);
  g_assert_nonnull (ts_test_find_label (linked, "【20180305】线缆松动"));
  project = ts_ticket_form_get_project (TS_TICKET_FORM (ts_ticket_window_get_form (editor)));
  where = g_strdup_printf ("%s · %s", ts_project_get_title (project), ts_ticket_get_state (linking));
  g_assert_nonnull (ts_test_find_label (linked, where));
  /* Only B: neither A itself nor a ticket with another link. */
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (ts_linked_from_get_list (TS_LINKED_FROM (linked))));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 1);
  g_assert_null (ts_test_find_label (linked, ts_ticket_get_key (other)));
  g_assert_null (ts_linked_from_get_message (TS_LINKED_FROM (linked)));

  ts_test_double_click (key);
  TS_WAIT_FOR ((opened = find_editor (ts_ticket_get_key (linking))) != NULL);
  g_assert_true (opened != editor);

  /* From the keyboard: Enter on the row opens it as well. */
  gtk_window_destroy (GTK_WINDOW (opened));
  TS_WAIT_FOR (find_editor (ts_ticket_get_key (linking)) == NULL);
  gtk_window_present (GTK_WINDOW (editor));
  ts_test_click (key);
  g_assert_true (gtk_widget_grab_focus (gtk_widget_get_ancestor (key, GTK_TYPE_LIST_BOX_ROW)));
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_Return, 0);
  TS_WAIT_FOR ((opened = find_editor (ts_ticket_get_key (linking))) != NULL);

  /* B links elsewhere now: A, reloaded, has nothing linking to it. */
  unlinked = save (zhangwei, linking, "{\"summary\": \"【20180305】线缆松动\", \"improvement_url\": \"\"}");
  gtk_window_present (GTK_WINDOW (editor));
  ts_test_key (GTK_WIDGET (editor), GDK_KEY_F5, 0);
  TS_WAIT_FOR (!gtk_widget_get_visible (linked));

  gtk_window_destroy (GTK_WINDOW (opened));
  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (server, (const char *[]) { "zhangwei", "lina", "wangfang", NULL });
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '张伟')::text", "zhangwei"));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '李娜')::text", "lina"));
  g_free (ts_test_query_value (server, db, "SELECT tasksteper.set_display_name ($1, '王芳')::text", "wangfang"));

  g_test_add_func ("/ts/timeline/values", test_values);
  g_test_add_func ("/ts/timeline/conflict-choice", test_conflict_choice);
  g_test_add_func ("/ts/timeline/new-from", test_new_from);
  g_test_add_func ("/ts/timeline/comment", test_comment);
  g_test_add_func ("/ts/timeline/linked-from", test_linked_from);
  /* Last: it makes 提交审核 need a comment. */
  g_test_add_func ("/ts/timeline/comment-required", test_comment_required);

  ret = g_test_run ();
  ts_test_server_free (server);
  g_free (db);
  return ret;
}
