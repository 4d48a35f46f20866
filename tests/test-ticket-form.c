/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ts-gui-resources.h"
#include "ts-gui-test-util.h"
#include "ts-ticket-form.h"

/* The form built from a project schema, driven as a person would: what a
 * person does (typing, clicking, choosing) goes through the X server as
 * real input (ts_test_*), values are read back through the real widgets,
 * errors are shown under their fields, read-only modes.  It ends with a screenshot of the seed's
 * 网上问题处理 form, filled in. */

/* A schema with one field of each kind the example projects lack. */
static const char test_schema[] =
  "{\"tasksteper\": 1, \"name\": \"form_test\", \"title\": \"表单测试\","
  " \"fields\": ["
  "  {\"name\": \"title\", \"label\": \"标题\", \"type\": \"string\", \"required\": true},"
  "  {\"name\": \"verdict\", \"label\": \"结论\", \"type\": \"string\", \"readonly\": true},"
  "  {\"name\": \"level\", \"label\": \"级别\", \"type\": \"choice\", \"required\": true,"
  "   \"choices\": [\"低\", \"高\"], \"default\": \"低\"},"
  "  {\"name\": \"count\", \"label\": \"数量\", \"type\": \"integer\"},"
  "  {\"name\": \"link\", \"label\": \"链接\", \"type\": \"url\"}"
  " ],"
  " \"states\": [\"开\", \"关\"],"
  " \"transitions\": [{\"source\": \"开\", \"trigger\": \"关闭\", \"dest\": \"关\","
  "                   \"trans_condition\": {}, \"trans_action\": {}}]}";

/* A schema with the rules between fields and states (issue 14): 问题小类
 * depends on 问题大类 (the seed's 硬件 → 线缆), and in 审核中 the title
 * is frozen, the review opinion required and the internal note hidden. */
#define RULES_SCHEMA "#rules"
static const char rules_schema[] =
  "{\"tasksteper\": 1, \"name\": \"rules_test\", \"title\": \"规则测试\","
  " \"fields\": ["
  "  {\"name\": \"title\", \"label\": \"标题\", \"type\": \"string\"},"
  "  {\"name\": \"class_1\", \"label\": \"问题大类\", \"type\": \"choice\","
  "   \"choices\": [\"软件\", \"硬件\", \"结构\"]},"
  "  {\"name\": \"class_2\", \"label\": \"问题小类\", \"type\": \"choice\", \"depends_on\": \"class_1\","
  "   \"choices\": {\"软件\": [\"操作系统\", \"驱动\"], \"硬件\": [\"线缆\", \"硬盘\", \"其他\"],"
  "                 \"结构\": [\"机箱\", \"其他\"]}},"
  "  {\"name\": \"review\", \"label\": \"审核意见\", \"type\": \"string\", \"group\": \"审核\"},"
  "  {\"name\": \"note\", \"label\": \"内部备注\", \"type\": \"string\", \"group\": \"内部\"}"
  " ],"
  " \"states\": [\"处理中\", \"审核中\", \"已关闭\"],"
  " \"transitions\": [{\"source\": \"处理中\", \"trigger\": \"提交审核\", \"dest\": \"审核中\"},"
  "                   {\"source\": \"审核中\", \"trigger\": \"关闭\", \"dest\": \"已关闭\"}],"
  " \"state_rules\": {\"处理中\": {\"review\": \"hidden\", \"note\": \"hidden\"},"
  "                   \"审核中\": {\"title\": \"readonly\", \"review\": \"required\", \"note\": \"hidden\"}}}";

typedef struct
{
  GtkWindow    *window;
  TsProject    *project;
  TsTicketForm *form;
  guint         changed;
  guint         modified_notified;
  GStrv         opened;       /* targets of app.open-ticket */
} Fixture;

static void
iterate_until_mapped (GtkWidget *widget)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_mapped (widget));
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2 * 1000);
}

static TsProject *
load_project (const char *file)
{
  const char *dir = g_getenv ("TS_SCHEMAS_DIR");
  g_autofree char *path = NULL;
  g_autoptr(TsDiagnostics) diagnostics = NULL;
  TsProject *project;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, file, NULL);
  diagnostics = ts_diagnostics_new (path);
  project = ts_project_new_from_file (path, diagnostics);
  if (project == NULL)
    {
      g_autofree char *text = ts_diagnostics_to_string (diagnostics);
      g_error ("%s", text);
    }
  return project;
}

static void
on_changed (TsTicketForm *form,
            Fixture      *fixture)
{
  fixture->changed++;
}

static void
on_notify_modified (TsTicketForm *form,
                    GParamSpec   *pspec,
                    Fixture      *fixture)
{
  fixture->modified_notified++;
}

static void
on_open_ticket (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (fixture->opened != NULL)
    g_strv_builder_addv (builder, (const char **)fixture->opened);
  g_strv_builder_add (builder, g_variant_get_string (parameter, NULL));
  g_strfreev (fixture->opened);
  fixture->opened = g_strv_builder_end (builder);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *file = data;
  GtkWidget *scrolled;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open-ticket", G_VARIANT_TYPE_STRING);

  if (file != NULL && !g_str_equal (file, RULES_SCHEMA))
    fixture->project = load_project (file);
  else
    {
      g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("form_test.json");

      fixture->project = ts_project_new_from_data (file != NULL ? rules_schema : test_schema, -1, diagnostics);
      if (fixture->project == NULL)
        {
          g_autofree char *text = ts_diagnostics_to_string (diagnostics);
          g_error ("%s", text);
        }
    }

  fixture->form = ts_ticket_form_new (fixture->project);
  g_object_ref_sink (fixture->form);
  g_signal_connect (fixture->form, "changed", G_CALLBACK (on_changed), fixture);
  g_signal_connect (fixture->form, "notify::modified", G_CALLBACK (on_notify_modified), fixture);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1000, 900);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (fixture->form));
  gtk_window_set_child (fixture->window, scrolled);

  /* What the application installs: tasksteper:// links open a ticket. */
  g_signal_connect (action, "activate", G_CALLBACK (on_open_ticket), fixture);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app", G_ACTION_GROUP (group));

  gtk_window_present (fixture->window);
  iterate_until_mapped (GTK_WIDGET (fixture->form));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  iterate_for (10);
  g_assert_finalize_object (fixture->form);
  g_assert_finalize_object (fixture->project);
  g_clear_pointer (&fixture->opened, g_strfreev);
}

/* Helpers */

static JsonNode *
string_node (const char *str)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str);
  return node;
}

static JsonNode *
int_node (gint64 value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (node, value);
  return node;
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static GtkWidget *
field_widget (Fixture    *fixture,
              const char *field)
{
  GtkWidget *widget = ts_ticket_form_get_field_widget (fixture->form, field);

  g_assert_nonnull (widget);
  return widget;
}

static const char *
entry_text (Fixture    *fixture,
            const char *field)
{
  return gtk_editable_get_text (GTK_EDITABLE (field_widget (fixture, field)));
}

static char *
text_view_text (Fixture    *fixture,
                const char *field)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field_widget (fixture, field)));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* What the drop-down holds now: a choice's text, a person's login. */
static const char *
dropdown_text (Fixture    *fixture,
               const char *field)
{
  GObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (field_widget (fixture, field)));

  if (TS_IS_MEMBER (item))
    return ts_member_get_login (TS_MEMBER (item));
  g_assert_true (GTK_IS_STRING_OBJECT (item));
  return gtk_string_object_get_string (GTK_STRING_OBJECT (item));
}

static guint
dropdown_find (Fixture    *fixture,
               const char *field,
               const char *text)
{
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (field_widget (fixture, field)));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      const char *str = TS_IS_MEMBER (item) ? ts_member_get_login (TS_MEMBER (item))
                                            : gtk_string_object_get_string (GTK_STRING_OBJECT (item));

      if (g_strcmp0 (str, text) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static JsonNode *
value_of (Fixture    *fixture,
          const char *field)
{
  g_autoptr(JsonObject) values = ts_ticket_form_dup_values (fixture->form);

  g_assert_true (json_object_has_member (values, field));
  return json_node_copy (json_object_get_member (values, field));
}

static const char *
string_value_of (Fixture    *fixture,
                 const char *field)
{
  static char *last;
  g_autoptr(JsonNode) node = value_of (fixture, field);

  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  g_free (last);
  last = g_strdup (json_node_get_string (node));
  return last;
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_buttons (GtkWidget *widget,
                 GPtrArray *buttons)
{
  if (GTK_IS_BUTTON (widget))
    g_ptr_array_add (buttons, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_buttons (child, buttons);
}

/* The day @number of the month the calendar shows (not of the months
 * around it, which GtkCalendar shows dimmed). */
static GtkWidget *
find_day (GtkWidget  *calendar,
          const char *number)
{
  if (GTK_IS_LABEL (calendar) && gtk_widget_has_css_class (calendar, "day-number") &&
      !gtk_widget_has_css_class (calendar, "other-month") &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (calendar)), number) == 0)
    return calendar;

  for (GtkWidget *child = gtk_widget_get_first_child (calendar);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_day (child, number);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What a person does to put @text into an entry or spin button: click
 * into its text (at its left, away from a spin button's arrows), select
 * all, delete, type. */
static void
retype (GtkWidget  *editable,
        const char *text)
{
  ts_test_click_at (editable, 12, gtk_widget_get_height (editable) / 2.0);
  ts_test_key (editable, GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_key (editable, GDK_KEY_BackSpace, 0);
  if (*text != '\0')
    ts_test_type (editable, text);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editable)), ==, text);
}

static gboolean
is_shown (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_mapped (widget);
}

static TsTicket *
issue_ticket (Fixture *fixture)
{
  TsTicket *ticket = ts_ticket_new ();
  g_autoptr(JsonObject) fields = parse_object (
    "{\"summary\": \"【20170101】某局点 X 设备发生硬盘故障\","
    " \"detail\": \"【问题现象】: 硬盘告警\\n【问题影响】: 业务中断 5 分钟\","
    " \"current_process\": \"\","
    " \"issue_level\": \"严重问题\", \"customer_type\": \"电网\", \"class_1\": \"硬件\","
    " \"class_2\": \"硬盘\", \"class_3\": \"\","
    " \"buglist_url\": \"\", \"improvement_url\": \"tasksteper://improvement/1\","
    " \"issue_processor\": \"alice\", \"issue_checker\": \"bob\", \"issue_se\": \"zed\"}");
  g_autoptr(GDateTime) created = g_date_time_new_utc (2017, 1, 1, 8, 30, 0);
  g_autoptr(GDateTime) updated = g_date_time_new_utc (2017, 1, 3, 9, 45, 0);

  ts_ticket_set_id (ticket, 3);
  ts_ticket_set_project (ticket, ts_project_get_name (fixture->project));
  ts_ticket_set_number (ticket, 3);
  ts_ticket_set_key (ticket, "question_3");
  ts_ticket_set_state (ticket, "维护人员处理");
  ts_ticket_set_assigned_to (ticket, "alice");
  ts_ticket_set_created_by (ticket, "fanhuiyang");
  ts_ticket_set_created_at (ticket, created);
  ts_ticket_set_updated_at (ticket, updated);
  ts_ticket_set_version (ticket, 2);
  ts_ticket_set_fields (ticket, fields);
  return ticket;
}

/* Members as the store gives them: "login", "display name" pairs. */
static GPtrArray *
members_new (const char *first,
             ...)
{
  GPtrArray *members = g_ptr_array_new_with_free_func (g_object_unref);
  va_list args;

  va_start (args, first);
  for (const char *login = first; login != NULL; login = va_arg (args, const char *))
    g_ptr_array_add (members, ts_member_new (login, va_arg (args, const char *)));
  va_end (args);
  return members;
}

static void
set_issue_ticket (Fixture *fixture)
{
  g_autoptr(GPtrArray) members = members_new ("alice", "爱丽丝", "bob", "鲍勃", "carol", NULL, NULL);
  g_autoptr(TsTicket) ticket = issue_ticket (fixture);

  ts_ticket_form_set_members (fixture->form, members);
  ts_ticket_form_set_ticket (fixture->form, ticket);
  iterate_for (20);
}

/* Clicks into the field, selects all and types @text over it (or
 * deletes it, for ""), as a person does. */
static void
type_over (Fixture    *fixture,
           const char *field,
           const char *text)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);

  ts_test_click (field_widget (fixture, field));
  ts_test_key (window, GDK_KEY_a, GDK_CONTROL_MASK);
  if (*text == '\0')
    ts_test_key (window, GDK_KEY_BackSpace, 0);
  else
    ts_test_type (window, text);
}

/* Tests */

static void
test_shows_ticket (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *detail = NULL;
  g_autofree char *process = NULL;
  g_autofree char *created = NULL;
  g_autoptr(GDateTime) created_utc = g_date_time_new_utc (2017, 1, 1, 8, 30, 0);
  g_autoptr(GDateTime) created_local = g_date_time_to_local (created_utc);

  set_issue_ticket (fixture);

  g_assert_cmpstr (entry_text (fixture, "summary"), ==, "【20170101】某局点 X 设备发生硬盘故障");
  detail = text_view_text (fixture, "detail");
  g_assert_cmpstr (detail, ==, "【问题现象】: 硬盘告警\n【问题影响】: 业务中断 5 分钟");
  process = text_view_text (fixture, "current_process");
  g_assert_cmpstr (process, ==, "");
  g_assert_cmpstr (dropdown_text (fixture, "issue_level"), ==, "严重问题");
  g_assert_cmpstr (dropdown_text (fixture, "customer_type"), ==, "电网");
  g_assert_cmpstr (dropdown_text (fixture, "class_1"), ==, "硬件");
  g_assert_cmpstr (string_value_of (fixture, "class_3"), ==, "");
  g_assert_cmpstr (entry_text (fixture, "improvement_url"), ==, "tasksteper://improvement/1");
  g_assert_cmpstr (dropdown_text (fixture, "issue_checker"), ==, "bob");

  /* The system fields, read-only at the top. */
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), "question_3"));
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), "维护人员处理"));
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), "fanhuiyang"));
  created = g_date_time_format (created_local, "%Y-%m-%d %H:%M");
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), created));
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form),
                                ts_project_get_label_for (fixture->project, "assigned_to")));

  /* The group heading. */
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), "处理人"));

  /* Setting a ticket is not an edit. */
  g_assert_false (ts_ticket_form_get_modified (fixture->form));
  g_assert_cmpuint (fixture->changed, ==, 0);
  {
    g_autoptr(JsonObject) changes = ts_ticket_form_dup_changes (fixture->form);
    g_assert_cmpuint (json_object_get_size (changes), ==, 0);
  }
  g_assert_true (ts_ticket_form_validate (fixture->form));
}

static void
test_typing (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *summary, *placeholder;
  g_autoptr(JsonObject) changes = NULL;
  g_autofree char *original = NULL;

  set_issue_ticket (fixture);
  summary = field_widget (fixture, "summary");
  original = g_strdup (gtk_editable_get_text (GTK_EDITABLE (summary)));

  type_over (fixture, "summary", "【20170102】另一个问题");
  g_assert_true (ts_ticket_form_get_modified (fixture->form));
  g_assert_cmpuint (fixture->changed, >=, 1);
  g_assert_cmpuint (fixture->modified_notified, ==, 1);

  changes = ts_ticket_form_dup_changes (fixture->form);
  g_assert_cmpuint (json_object_get_size (changes), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (changes, "summary"), ==, "【20170102】另一个问题");

  /* Typed back as it was: nothing to save. */
  type_over (fixture, "summary", original);
  g_assert_false (ts_ticket_form_get_modified (fixture->form));

  /* Each kind of widget reports its edits. */
  fixture->changed = 0;
  ts_test_choose (field_widget (fixture, "issue_level"), "紧急问题");
  g_assert_cmpuint (fixture->changed, ==, 1);
  g_assert_cmpstr (string_value_of (fixture, "issue_level"), ==, "紧急问题");

  /* The text view's placeholder shows while it is empty. */
  placeholder = find_label (GTK_WIDGET (fixture->form), "##由维护处理人填写##");
  g_assert_nonnull (placeholder);
  g_assert_true (gtk_widget_get_visible (placeholder));
  ts_test_click (field_widget (fixture, "current_process"));
  ts_test_type (GTK_WIDGET (fixture->window), "已更换硬盘");
  g_assert_false (gtk_widget_get_visible (placeholder));
  g_assert_cmpuint (fixture->changed, >=, 2);
  g_assert_true (ts_ticket_form_get_modified (fixture->form));

  g_clear_pointer (&changes, json_object_unref);
  changes = ts_ticket_form_dup_changes (fixture->form);
  g_assert_cmpuint (json_object_get_size (changes), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (changes, "issue_level"), ==, "紧急问题");
  g_assert_cmpstr (json_object_get_string_member (changes, "current_process"), ==, "已更换硬盘");

  /* A new set_ticket discards the edits. */
  set_issue_ticket (fixture);
  g_assert_false (ts_ticket_form_get_modified (fixture->form));
  g_assert_cmpstr (dropdown_text (fixture, "issue_level"), ==, "严重问题");
}

static void
test_validation (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *summary;
  GtkWidget *error_label;
  GString *long_text = g_string_new (NULL);
  const char *message;

  set_issue_ticket (fixture);
  summary = field_widget (fixture, "summary");

  for (guint i = 0; i < 201; i++)
    g_string_append (long_text, "长");
  retype (summary, long_text->str);
  g_string_free (long_text, TRUE);

  message = ts_ticket_form_get_field_error (fixture->form, "summary");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "201"));
  g_assert_nonnull (strstr (message, "200"));
  g_assert_true (gtk_widget_has_css_class (summary, "error"));
  gtk_test_accessible_assert_state (summary, GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE);
  /* Shown under the field, in the form's error style. */
  error_label = find_label (GTK_WIDGET (fixture->form), message);
  g_assert_nonnull (error_label);
  g_assert_true (gtk_widget_has_css_class (error_label, "field-error"));
  iterate_for (20);
  g_assert_true (is_shown (error_label));
  g_assert_false (ts_ticket_form_validate (fixture->form));

  retype (summary, "短");
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "summary"));
  g_assert_false (gtk_widget_has_css_class (summary, "error"));
  g_assert_false (gtk_widget_get_visible (error_label));

  /* Required. */
  retype (summary, "   ");
  message = ts_ticket_form_get_field_error (fixture->form, "summary");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "概要"));
  retype (summary, "短");

  /* A bad link, and validate() finds what set_ticket did not show. */
  retype (field_widget (fixture, "buglist_url"), "not a link");
  g_assert_nonnull (ts_ticket_form_get_field_error (fixture->form, "buglist_url"));
  g_assert_false (ts_ticket_form_validate (fixture->form));
  retype (field_widget (fixture, "buglist_url"), "https://bugs.example.com/1");
  g_assert_true (ts_ticket_form_validate (fixture->form));
}

static void
test_server_error (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *checker;

  set_issue_ticket (fixture);
  checker = field_widget (fixture, "issue_checker");

  ts_ticket_form_set_field_error (fixture->form, "issue_checker", "“维护代表”必须是项目成员", TRUE);
  g_assert_cmpstr (ts_ticket_form_get_field_error (fixture->form, "issue_checker"), ==,
                   "“维护代表”必须是项目成员");
  g_assert_true (gtk_widget_has_css_class (checker, "error"));
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), "“维护代表”必须是项目成员"));
  iterate_for (20);
  g_assert_true (gtk_widget_has_focus (checker) || gtk_widget_is_focus (checker) ||
                 gtk_widget_get_focus_child (checker) != NULL ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (fixture->window)), checker));

  ts_ticket_form_set_field_error (fixture->form, "issue_checker", NULL, FALSE);
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "issue_checker"));
  g_assert_false (gtk_widget_has_css_class (checker, "error"));

  /* The next edit of that field clears the server's message. */
  ts_ticket_form_set_field_error (fixture->form, "issue_checker", "服务器拒绝", FALSE);
  ts_test_choose (checker, "carol");
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "issue_checker"));

  /* An edit elsewhere leaves it. */
  ts_ticket_form_set_field_error (fixture->form, "issue_checker", "服务器拒绝", FALSE);
  type_over (fixture, "summary", "别的");
  g_assert_cmpstr (ts_ticket_form_get_field_error (fixture->form, "issue_checker"), ==, "服务器拒绝");

  /* set_ticket clears every message. */
  set_issue_ticket (fixture);
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "issue_checker"));

  /* An unknown field is not a crash. */
  ts_ticket_form_set_field_error (fixture->form, "no_such_field", "x", TRUE);
}

static void
test_editable (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *summary, *detail, *level, *checker, *url;
  g_autoptr(JsonObject) changes = NULL;

  set_issue_ticket (fixture);
  summary = field_widget (fixture, "summary");
  detail = field_widget (fixture, "detail");
  level = field_widget (fixture, "issue_level");
  checker = field_widget (fixture, "issue_checker");
  url = field_widget (fixture, "improvement_url");

  g_assert_true (ts_ticket_form_get_editable (fixture->form));
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (summary)));
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (detail)));

  ts_ticket_form_set_editable (fixture->form, FALSE);
  g_assert_false (ts_ticket_form_get_editable (fixture->form));
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (summary)));
  g_assert_true (gtk_widget_get_sensitive (summary));  /* still selectable */
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (detail)));
  g_assert_false (gtk_widget_get_sensitive (level));
  g_assert_false (gtk_widget_get_sensitive (checker));
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (url)));
  /* A reader can still follow a link. */
  g_assert_true (gtk_widget_get_sensitive (gtk_widget_get_next_sibling (url)));

  /* Nothing a reader does counts as a change; a new ticket keeps the mode. */
  set_issue_ticket (fixture);
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (summary)));
  changes = ts_ticket_form_dup_changes (fixture->form);
  g_assert_cmpuint (json_object_get_size (changes), ==, 0);

  g_object_set (fixture->form, "editable", TRUE, NULL);
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (summary)));
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (detail)));
  g_assert_true (gtk_widget_get_sensitive (level));
}

static void
test_readonly_field (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkWidget *verdict = field_widget (fixture, "verdict");
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(JsonObject) fields = parse_object ("{\"title\": \"t\", \"verdict\": \"已通过\", \"level\": \"高\"}");

  ts_ticket_set_fields (ticket, fields);
  ts_ticket_form_set_ticket (fixture->form, ticket);

  g_assert_cmpstr (entry_text (fixture, "verdict"), ==, "已通过");
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (verdict)));
  ts_ticket_form_set_editable (fixture->form, FALSE);
  ts_ticket_form_set_editable (fixture->form, TRUE);
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (verdict)));
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (field_widget (fixture, "title"))));

  /* A required choice with a default offers no "not chosen". */
  g_assert_cmpuint (dropdown_find (fixture, "level", "—"), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpstr (dropdown_text (fixture, "level"), ==, "高");

  /* A value that is no longer a choice is kept, and said to be wrong. */
  {
    g_autoptr(JsonObject) old = parse_object ("{\"level\": \"中\"}");

    ts_ticket_form_apply_values (fixture->form, old);
    g_assert_cmpstr (dropdown_text (fixture, "level"), ==, "中");
    g_assert_cmpstr (string_value_of (fixture, "level"), ==, "中");
    g_assert_nonnull (ts_ticket_form_get_field_error (fixture->form, "level"));
  }
}

static void
test_integer (Fixture       *fixture,
              gconstpointer  data)
{
  GtkWidget *spin = field_widget (fixture, "device_count");
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonObject) values = NULL;
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(JsonObject) initial = ts_project_dup_initial_values (fixture->project);
  const char *message;

  g_assert_true (GTK_IS_SPIN_BUTTON (spin));

  /* A new ticket starts at the default. */
  ts_ticket_set_fields (ticket, initial);
  ts_ticket_form_set_ticket (fixture->form, ticket);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "1");
  value = value_of (fixture, "device_count");
  g_assert_cmpint (json_node_get_int (value), ==, 1);
  g_clear_pointer (&value, json_node_unref);

  /* Null and 0 are different values and both round-trip. */
  values = parse_object ("{\"device_count\": null}");
  ts_ticket_form_apply_values (fixture->form, values);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "");
  value = value_of (fixture, "device_count");
  g_assert_true (JSON_NODE_HOLDS_NULL (value));
  g_clear_pointer (&value, json_node_unref);
  g_assert_true (ts_ticket_form_get_modified (fixture->form));
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "device_count"));

  /* The spin button re-reads its text when the focus leaves: null stays. */
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "");

  g_clear_pointer (&values, json_object_unref);
  values = parse_object ("{\"device_count\": 0}");
  ts_ticket_form_apply_values (fixture->form, values);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "0");
  value = value_of (fixture, "device_count");
  g_assert_false (JSON_NODE_HOLDS_NULL (value));
  g_assert_cmpint (json_node_get_int (value), ==, 0);
  g_clear_pointer (&value, json_node_unref);
  /* Below min: kept as it is, with the error. */
  message = ts_ticket_form_get_field_error (fixture->form, "device_count");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "100000"));
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "0");

  /* Typing. */
  retype (spin, "42");
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "device_count"));
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "42");
  value = value_of (fixture, "device_count");
  g_assert_cmpint (json_node_get_int (value), ==, 42);
  g_clear_pointer (&value, json_node_unref);

  retype (spin, "100001");
  g_assert_nonnull (ts_ticket_form_get_field_error (fixture->form, "device_count"));
  retype (spin, "");
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "device_count"));
  value = value_of (fixture, "device_count");
  g_assert_true (JSON_NODE_HOLDS_NULL (value));
  g_clear_pointer (&value, json_node_unref);

  /* The arrows still work and write the number. */
  retype (spin, "7");
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  ts_test_key (spin, GDK_KEY_Up, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "8");
  value = value_of (fixture, "device_count");
  g_assert_cmpint (json_node_get_int (value), ==, 8);
  g_clear_pointer (&value, json_node_unref);

  /* A reader cannot change it. */
  ts_ticket_form_set_editable (fixture->form, FALSE);
  g_assert_false (gtk_widget_get_sensitive (spin));
}

static void
test_integer_garbage (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *spin = field_widget (fixture, "count");
  g_autoptr(JsonObject) values = parse_object ("{\"count\": -5}");
  g_autoptr(JsonNode) value = NULL;

  /* No min or max in the schema: negative numbers are fine. */
  ts_ticket_form_apply_values (fixture->form, values);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "-5");
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "count"));
  value = value_of (fixture, "count");
  g_assert_cmpint (json_node_get_int (value), ==, -5);

  retype (spin, "-");
  g_assert_nonnull (ts_ticket_form_get_field_error (fixture->form, "count"));
}

static void
test_date (Fixture       *fixture,
           gconstpointer  data)
{
  GtkWidget *button = field_widget (fixture, "online_date");
  GtkWidget *popover, *calendar = NULL, *clear;
  g_autoptr(JsonObject) values = parse_object ("{\"online_date\": \"2018-01-28\"}");

  g_assert_true (GTK_IS_MENU_BUTTON (button));
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "—");
  g_assert_cmpstr (string_value_of (fixture, "online_date"), ==, "");

  ts_ticket_form_apply_values (fixture->form, values);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "2018-01-28");
  g_assert_cmpstr (string_value_of (fixture, "online_date"), ==, "2018-01-28");
  g_assert_cmpuint (fixture->changed, ==, 1);

  /* Picking a day in the calendar: the popover opens at the field's date,
   * a click on a day chooses it and closes the popover. */
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  ts_test_click (button);
  iterate_until_mapped (popover);
  for (GtkWidget *child = gtk_widget_get_first_child (gtk_popover_get_child (GTK_POPOVER (popover)));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_CALENDAR (child))
      calendar = child;
  g_assert_nonnull (calendar);
  {
    g_autoptr(GDateTime) shown = gtk_calendar_get_date (GTK_CALENDAR (calendar));
    g_assert_cmpint (g_date_time_get_year (shown), ==, 2018);
    g_assert_cmpint (g_date_time_get_month (shown), ==, 1);
    g_assert_cmpint (g_date_time_get_day_of_month (shown), ==, 28);
  }
  ts_test_click (find_day (calendar, "5"));
  g_assert_cmpstr (string_value_of (fixture, "online_date"), ==, "2018-01-05");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "2018-01-05");
  g_assert_cmpuint (fixture->changed, ==, 2);
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));

  /* Browsing months and years is not choosing a day, even from the 31st
   * (GtkCalendar moves the day into a shorter month). */
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

    ts_test_click (button);
    iterate_until_mapped (popover);
    ts_test_click (find_day (calendar, "31"));
    g_assert_cmpstr (string_value_of (fixture, "online_date"), ==, "2018-01-31");
    g_assert_cmpuint (fixture->changed, ==, 3);
    TS_WAIT_FOR (!gtk_widget_get_mapped (popover));

    ts_test_click (button);
    iterate_until_mapped (popover);
    collect_buttons (calendar, buttons);
    g_assert_cmpuint (buttons->len, >=, 2);
    for (guint i = 0; i < buttons->len; i++)
      {
        ts_test_click (g_ptr_array_index (buttons, i));
        g_assert_true (gtk_widget_get_mapped (popover));
        g_assert_cmpstr (string_value_of (fixture, "online_date"), ==, "2018-01-31");
      }
    ts_test_key (button, GDK_KEY_Escape, 0);
    TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
    g_assert_cmpuint (fixture->changed, ==, 3);
  }

  /* Clear. */
  ts_test_click (button);
  iterate_until_mapped (popover);
  clear = find_button (gtk_widget_get_last_child (gtk_popover_get_child (GTK_POPOVER (popover))));
  g_assert_nonnull (clear);
  g_assert_true (gtk_widget_get_sensitive (clear));
  ts_test_click (clear);
  g_assert_cmpstr (string_value_of (fixture, "online_date"), ==, "");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (button)), ==, "—");
  g_assert_cmpuint (fixture->changed, ==, 4);
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
  iterate_for (50);
}

static void
test_boolean (Fixture       *fixture,
              gconstpointer  data)
{
  GtkWidget *check = field_widget (fixture, "key_period_guard");
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonObject) changes = NULL;

  g_assert_true (GTK_IS_CHECK_BUTTON (check));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));

  /* On the box, as a person aims. */
  ts_test_click_at (check, 10, gtk_widget_get_height (check) / 2.0);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_cmpuint (fixture->changed, ==, 1);
  value = value_of (fixture, "key_period_guard");
  g_assert_true (json_node_get_boolean (value));
  changes = ts_ticket_form_dup_changes (fixture->form);
  g_assert_cmpuint (json_object_get_size (changes), ==, 1);
  g_assert_true (json_object_get_boolean_member (changes, "key_period_guard"));

  ts_test_click_at (check, 10, gtk_widget_get_height (check) / 2.0);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_false (ts_ticket_form_get_modified (fixture->form));
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
dropdown_popover (GtkWidget *dropdown)
{
  for (GtkWidget *child = gtk_widget_get_first_child (dropdown);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      return child;
  g_assert_not_reached ();
}

/* The label the drop-down's button shows. */
static GtkWidget *
dropdown_button_label (GtkWidget *dropdown)
{
  GtkWidget *button = gtk_widget_get_first_child (dropdown);

  g_assert_true (GTK_IS_TOGGLE_BUTTON (button));
  for (GtkWidget *w = gtk_widget_get_first_child (button); w != NULL; )
    {
      if (GTK_IS_LABEL (w) && gtk_widget_get_mapped (w) && *gtk_label_get_text (GTK_LABEL (w)) != '\0')
        return w;
      /* Depth first, through the box and the stack of the button. */
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != button && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == button ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  return NULL;
}

static void
test_user_members (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *se, *checker, *label, *popover;

  set_issue_ticket (fixture);
  se = field_widget (fixture, "issue_se");
  checker = field_widget (fixture, "issue_checker");

  g_assert_true (gtk_drop_down_get_enable_search (GTK_DROP_DOWN (se)));
  /* Nobody, the members, and the ticket's own value; values are logins. */
  g_assert_cmpuint (dropdown_find (fixture, "issue_se", ""), ==, 0);
  g_assert_cmpuint (dropdown_find (fixture, "issue_se", "alice"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (dropdown_find (fixture, "issue_se", "bob"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (dropdown_find (fixture, "issue_se", "carol"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (dropdown_find (fixture, "issue_se", "##维护代表指定##"), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpstr (dropdown_text (fixture, "issue_se"), ==, "zed");
  g_assert_cmpstr (string_value_of (fixture, "issue_se"), ==, "zed");

  /* The button shows the display name; a login without one as it is. */
  label = dropdown_button_label (checker);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "鲍勃");
  g_assert_false (gtk_widget_has_css_class (label, "dim-label"));
  /* The assignee at the top, by name too. */
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->form), "爱丽丝"));

  /* The list: "鲍勃" with "bob" beside it; Nobody for none. */
  popover = dropdown_popover (checker);
  /* Scrolled to by the form itself (as a refused save does), then
   * clicked. */
  ts_ticket_form_focus_field (fixture->form, "issue_checker");
  ts_test_iterate (100);
  ts_test_click (checker);
  TS_WAIT_FOR (gtk_widget_get_mapped (popover));
  g_assert_nonnull (ts_test_find_label (popover, "鲍勃"));
  g_assert_nonnull (ts_test_find_label (popover, "bob"));
  g_assert_nonnull (ts_test_find_label (popover, "Nobody"));
  g_assert_nonnull (ts_test_find_label (popover, "carol"));

  /* Typing filters, by login or by name, anywhere in them. */
  ts_test_type (GTK_WIDGET (fixture->window), "ice");
  TS_WAIT_FOR (ts_test_find_label (popover, "鲍勃") == NULL);
  g_assert_nonnull (ts_test_find_label (popover, "爱丽丝"));
  g_assert_null (ts_test_find_label (popover, "carol"));
  g_assert_null (ts_test_find_label (popover, "Nobody"));
  /* Into the search entry, to search again. */
  ts_test_click (find_widget (popover, GTK_TYPE_SEARCH_ENTRY));
  ts_test_key (GTK_WIDGET (fixture->window), GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_type (GTK_WIDGET (fixture->window), "勃");
  TS_WAIT_FOR (ts_test_find_label (popover, "爱丽丝") == NULL);
  g_assert_nonnull (ts_test_find_label (popover, "鲍勃"));
  ts_test_click (ts_test_find_label (popover, "鲍勃"));
  TS_WAIT_FOR (!gtk_widget_get_mapped (popover));
  g_assert_cmpstr (string_value_of (fixture, "issue_checker"), ==, "bob");
  g_assert_false (ts_ticket_form_get_modified (fixture->form));

  /* New members keep the value shown. */
  {
    g_autoptr(GPtrArray) members = members_new ("dave", "大卫", NULL, NULL);

    ts_ticket_form_set_members (fixture->form, members);
    g_assert_cmpstr (dropdown_text (fixture, "issue_se"), ==, "zed");
    g_assert_cmpstr (dropdown_text (fixture, "issue_checker"), ==, "bob");
    g_assert_cmpuint (dropdown_find (fixture, "issue_se", "dave"), !=, GTK_INVALID_LIST_POSITION);
    g_assert_false (ts_ticket_form_get_modified (fixture->form));
  }

  /* Not set: the button shows the field's placeholder, dim, as a hint. */
  ts_test_choose (se, "Nobody");
  g_assert_cmpstr (string_value_of (fixture, "issue_se"), ==, "");
  g_assert_true (ts_ticket_form_get_modified (fixture->form));
  label = dropdown_button_label (se);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "##维护代表指定##");
  g_assert_true (gtk_widget_has_css_class (label, "dim-label"));
}

static void
test_url_button (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *entry = field_widget (fixture, "improvement_url");
  GtkWidget *button = gtk_widget_get_next_sibling (entry);

  g_assert_true (GTK_IS_BUTTON (button));
  set_issue_ticket (fixture);
  g_assert_true (gtk_widget_get_sensitive (button));

  /* tasksteper:// opens the ticket in the application. */
  ts_test_click (button);
  g_assert_nonnull (fixture->opened);
  g_assert_cmpstr (fixture->opened[0], ==, "improvement/1");

  type_over (fixture, "improvement_url", "");
  g_assert_false (gtk_widget_get_sensitive (button));
  type_over (fixture, "improvement_url", "不是链接");
  g_assert_false (gtk_widget_get_sensitive (button));
  type_over (fixture, "improvement_url", "tasksteper://issue_track/12/");
  g_assert_true (gtk_widget_get_sensitive (button));
  ts_test_click (button);
  g_assert_cmpstr (fixture->opened[1], ==, "issue_track/12");

  /* Without the application's action the link does nothing, quietly. */
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app", NULL);
  ts_test_click (button);
  g_assert_null (fixture->opened[2]);
}

/* The labels of a form without a ticket yet: the initial state's rules
 * apply (state_rules). */
static void
test_labels (Fixture       *fixture,
             gconstpointer  data)
{
  const char *state = ts_project_get_initial_state (fixture->project);

  for (guint i = 0; i < ts_project_get_n_fields (fixture->project); i++)
    {
      TsField *field = ts_project_get_field (fixture->project, i);
      const char *name = ts_field_get_name (field);
      GtkWidget *widget = field_widget (fixture, name);
      GtkWidget *label = ts_ticket_form_get_field_label (fixture->form, name);
      TsStateRule rule = ts_project_get_state_rule (fixture->project, state, name);
      gboolean required = ts_field_get_required (field) || rule == TS_STATE_RULE_REQUIRED;

      g_test_message ("field %s", name);
      g_assert_true (GTK_IS_LABEL (label));
      if (rule == TS_STATE_RULE_HIDDEN)
        {
          g_assert_false (is_shown (label));
          g_assert_false (is_shown (widget));
          continue;
        }
      g_assert_true (is_shown (label));
      g_assert_true (is_shown (widget));
      g_assert_true (gtk_label_get_mnemonic_widget (GTK_LABEL (label)) == widget);
      g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), ts_field_get_label (field)));
      g_assert_cmpint (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (label)), " *"), ==, required);

      /* What a screen reader says: the label, once (GTK 4.8 would add a
       * labelled-by relation to it: "概要 概要 *"). */
      gtk_test_accessible_assert_property (widget, GTK_ACCESSIBLE_PROPERTY_LABEL, ts_field_get_label (field));
      g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                                        GTK_ACCESSIBLE_RELATION_LABELLED_BY));
      g_assert_cmpint (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                                         GTK_ACCESSIBLE_PROPERTY_REQUIRED), ==, required);

      /* The help is shown under the field, and is its description. */
      if (ts_field_get_help (field) != NULL)
        {
          g_assert_true (is_shown (find_label (GTK_WIDGET (fixture->form), ts_field_get_help (field))));
          gtk_test_accessible_assert_property (widget, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               ts_field_get_help (field));
        }
    }
}

static void
test_new_ticket (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(JsonObject) initial = ts_project_dup_initial_values (fixture->project);
  g_autoptr(JsonObject) values = NULL;
  g_autofree char *detail = NULL;

  ts_ticket_set_fields (ticket, initial);
  ts_ticket_form_set_ticket (fixture->form, ticket);

  g_assert_cmpstr (entry_text (fixture, "summary"), ==, "【20170101】XX局点XX设备发生XX问题");
  detail = text_view_text (fixture, "detail");
  g_assert_true (g_str_has_prefix (detail, "【问题现象】"));
  g_assert_cmpstr (dropdown_text (fixture, "issue_level"), ==, "一般问题");
  g_assert_cmpstr (dropdown_text (fixture, "class_1"), ==, "—");
  g_assert_false (ts_ticket_form_get_modified (fixture->form));
  g_assert_true (ts_ticket_form_validate (fixture->form));

  /* Every field of the schema is in the values, as the server wants them. */
  values = ts_ticket_form_dup_values (fixture->form);
  g_assert_cmpuint (json_object_get_size (values), ==, ts_project_get_n_fields (fixture->project));
  for (guint i = 0; i < ts_project_get_n_fields (fixture->project); i++)
    {
      TsField *field = ts_project_get_field (fixture->project, i);
      JsonNode *value = json_object_get_member (values, ts_field_get_name (field));

      g_assert_true (json_node_equal (value, json_object_get_member (initial, ts_field_get_name (field))));
    }

  /* apply_values: re-applying edits after a reload. */
  {
    g_autoptr(JsonObject) edits = json_object_new ();
    g_autoptr(JsonObject) changes = NULL;

    json_object_set_member (edits, "summary", string_node ("重新应用"));
    json_object_set_member (edits, "no_such_field", int_node (1));
    ts_ticket_form_apply_values (fixture->form, edits);
    g_assert_true (ts_ticket_form_get_modified (fixture->form));
    g_assert_cmpuint (fixture->changed, ==, 1);
    changes = ts_ticket_form_dup_changes (fixture->form);
    g_assert_cmpuint (json_object_get_size (changes), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (changes, "summary"), ==, "重新应用");
  }
}

static void
save_screenshot (Fixture    *fixture,
                 const char *name)
{
  const char *dir = g_getenv ("TS_ARTIFACTS_DIR");
  GtkWidget *form = GTK_WIDGET (fixture->form);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t bounds;
  int width, height;
  GdkRGBA background = { 0.98, 0.98, 0.98, 1.0 };

  iterate_for (300);

  if (dir == NULL)
    {
      g_test_skip ("TS_ARTIFACTS_DIR is not set");
      return;
    }

  width = gtk_widget_get_width (form);
  height = gtk_widget_get_height (form);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* The whole form, also what is scrolled out of the window. */
  paintable = gtk_widget_paintable_new (form);
  snapshot = gtk_snapshot_new ();
  graphene_rect_init (&bounds, 0, 0, width, height);
  /* The form draws no background of its own: the window's, under it. */
  gtk_snapshot_append_color (snapshot, &background, &bounds);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)),
                                         node, &bounds);
  g_assert_nonnull (texture);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s (%d×%d)", path, width, height);
}

/* The screenshot: the seed's form, filled in, as a person sees it, with
 * an error of its own and one from the server. */
static TsTicket *
rules_ticket (const char *state,
              const char *fields_json)
{
  TsTicket *ticket = ts_ticket_new ();
  g_autoptr(JsonObject) fields = parse_object (fields_json);

  ts_ticket_set_id (ticket, 7);
  ts_ticket_set_project (ticket, "rules_test");
  ts_ticket_set_number (ticket, 7);
  ts_ticket_set_key (ticket, "rules_test_7");
  if (state != NULL)
    ts_ticket_set_state (ticket, state);
  ts_ticket_set_version (ticket, 1);
  ts_ticket_set_fields (ticket, fields);
  return ticket;
}

/* 问题小类's list follows 问题大类 as a person picks it; a value the new
 * parent value does not allow is kept and said to be wrong, never
 * dropped. */
static void
test_dependent_choices (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TsTicket) ticket = rules_ticket ("处理中",
    "{\"title\": \"硬盘告警\", \"class_1\": \"硬件\", \"class_2\": \"线缆\", \"review\": \"\", \"note\": \"\"}");
  GtkWidget *class_1 = field_widget (fixture, "class_1");
  GtkWidget *class_2 = field_widget (fixture, "class_2");
  const char *error;

  ts_ticket_form_set_ticket (fixture->form, ticket);
  iterate_for (20);

  /* 硬件's choices, not 软件's. */
  g_assert_cmpstr (dropdown_text (fixture, "class_2"), ==, "线缆");
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "硬盘"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "驱动"), ==, GTK_INVALID_LIST_POSITION);
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "class_2"));

  /* The person picks 软件: the list offers 软件's choices, and 线缆 stays,
   * shown as invalid, with what to do. */
  ts_test_choose (class_1, "软件");
  TS_WAIT_FOR (g_strcmp0 (string_value_of (fixture, "class_1"), "软件") == 0);
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "操作系统"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "驱动"), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "硬盘"), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpstr (string_value_of (fixture, "class_2"), ==, "线缆");
  g_assert_cmpstr (dropdown_text (fixture, "class_2"), ==, "线缆");
  error = ts_ticket_form_get_field_error (fixture->form, "class_2");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "线缆"));
  g_assert_nonnull (strstr (error, "软件"));
  g_assert_nonnull (strstr (error, "问题大类"));
  g_assert_true (gtk_widget_has_css_class (class_2, "error"));
  g_assert_false (ts_ticket_form_validate (fixture->form));
  g_assert_cmpstr (ts_ticket_form_get_first_invalid_field (fixture->form), ==, "class_2");

  /* Sent as it is: the server decides, and nothing typed is lost. */
  {
    g_autoptr(JsonObject) changes = ts_ticket_form_dup_changes (fixture->form);

    g_assert_true (json_object_has_member (changes, "class_1"));
    g_assert_false (json_object_has_member (changes, "class_2"));
  }

  /* Picking one of 软件's choices makes it right. */
  ts_test_choose (class_2, "驱动");
  TS_WAIT_FOR (g_strcmp0 (string_value_of (fixture, "class_2"), "驱动") == 0);
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "class_2"));
  g_assert_false (gtk_widget_has_css_class (class_2, "error"));
  g_assert_true (ts_ticket_form_validate (fixture->form));

  /* 结构 does not allow 驱动, picked with the keyboard this time: the
   * drop-down opened with Space, the last choice with End, Enter; back to
   * 软件, it is right again. */
  ts_ticket_form_focus_field (fixture->form, "class_1");
  TS_WAIT_FOR (gtk_root_get_focus (GTK_ROOT (fixture->window)) != NULL &&
               gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (fixture->window)), class_1));
  ts_test_key (GTK_WIDGET (fixture->window), GDK_KEY_space, 0);
  TS_WAIT_FOR (is_shown (find_widget (class_1, GTK_TYPE_POPOVER)));
  ts_test_key (GTK_WIDGET (fixture->window), GDK_KEY_End, 0);
  ts_test_key (GTK_WIDGET (fixture->window), GDK_KEY_Return, 0);
  TS_WAIT_FOR (g_strcmp0 (string_value_of (fixture, "class_1"), "结构") == 0);
  TS_WAIT_FOR (ts_ticket_form_get_field_error (fixture->form, "class_2") != NULL);
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "机箱"), !=, GTK_INVALID_LIST_POSITION);
  ts_test_choose (class_1, "软件");
  TS_WAIT_FOR (ts_ticket_form_get_field_error (fixture->form, "class_2") == NULL);
  g_assert_cmpstr (string_value_of (fixture, "class_2"), ==, "驱动");

  /* An empty parent allows nothing but an empty child. */
  ts_test_choose (class_1, "—");
  TS_WAIT_FOR (ts_ticket_form_get_field_error (fixture->form, "class_2") != NULL);
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "操作系统"), ==, GTK_INVALID_LIST_POSITION);
  ts_test_choose (class_2, "—");
  TS_WAIT_FOR (g_strcmp0 (string_value_of (fixture, "class_2"), "") == 0);
  g_assert_null (ts_ticket_form_get_field_error (fixture->form, "class_2"));

  /* Values put back (a reload) follow the same rule. */
  {
    g_autoptr(JsonObject) values = parse_object ("{\"class_1\": \"硬件\", \"class_2\": \"驱动\"}");

    ts_ticket_form_apply_values (fixture->form, values);
    g_assert_cmpstr (string_value_of (fixture, "class_2"), ==, "驱动");
    g_assert_cmpuint (dropdown_find (fixture, "class_2", "线缆"), !=, GTK_INVALID_LIST_POSITION);
    g_assert_nonnull (ts_ticket_form_get_field_error (fixture->form, "class_2"));
  }

  /* A new ticket of the same form starts from 硬件's list again. */
  ts_ticket_form_set_ticket (fixture->form, ticket);
  g_assert_cmpstr (string_value_of (fixture, "class_2"), ==, "线缆");
  g_assert_cmpuint (dropdown_find (fixture, "class_2", "驱动"), ==, GTK_INVALID_LIST_POSITION);
  g_assert_false (ts_ticket_form_get_modified (fixture->form));
}

static GtkWidget *
group_of (Fixture    *fixture,
          const char *field)
{
  GtkWidget *group = gtk_widget_get_ancestor (field_widget (fixture, field), ADW_TYPE_PREFERENCES_GROUP);

  g_assert_nonnull (group);
  return group;
}

/* state_rules for the ticket's state: frozen, required, hidden. */
static void
test_state_rules (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TsTicket) review = rules_ticket ("审核中",
    "{\"title\": \"硬盘告警\", \"class_1\": \"硬件\", \"class_2\": \"线缆\", \"review\": \"\", \"note\": \"备件\"}");
  g_autoptr(TsTicket) working = rules_ticket ("处理中",
    "{\"title\": \"硬盘告警\", \"class_1\": \"硬件\", \"class_2\": \"线缆\", \"review\": \"\", \"note\": \"备件\"}");
  g_autoptr(TsTicket) fresh = ts_ticket_new ();
  GtkWidget *title = field_widget (fixture, "title");
  GtkWidget *frozen;
  const char *error;

  ts_ticket_form_set_ticket (fixture->form, review);
  iterate_for (20);

  /* 标题 is frozen in 审核中: a person's typing does not change it, and a
   * caption under it says why. */
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (title)));
  frozen = ts_test_find_label (GTK_WIDGET (fixture->form), "Frozen in the state “审核中”: “标题” can no longer be changed.");
  g_assert_true (is_shown (frozen));
  type_over (fixture, "title", "别的标题");
  iterate_for (20);
  g_assert_cmpstr (entry_text (fixture, "title"), ==, "硬盘告警");
  g_assert_false (ts_ticket_form_get_modified (fixture->form));
  /* The caption describes the field to a screen reader, with a hint a
   * trigger gives it; each goes when it no longer holds. */
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));
  ts_ticket_form_set_field_hint (fixture->form, "title", "关闭前要写明根因");
  g_assert_cmpstr (ts_ticket_form_get_field_hint (fixture->form, "title"), ==, "关闭前要写明根因");
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));
  ts_ticket_form_set_field_hint (fixture->form, "title", NULL);
  g_assert_null (ts_ticket_form_get_field_hint (fixture->form, "title"));
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));
  ts_ticket_form_set_field_hint (fixture->form, "review", "审核人填写");
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (field_widget (fixture, "review")),
                                                   GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));
  ts_ticket_form_set_field_hint (fixture->form, "review", NULL);
  g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (field_widget (fixture, "review")),
                                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));

  /* Not even when the form becomes editable again. */
  ts_ticket_form_set_editable (fixture->form, FALSE);
  ts_ticket_form_set_editable (fixture->form, TRUE);
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (title)));
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (field_widget (fixture, "review"))));

  /* 审核意见 is required in 审核中: marked, and checked. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ts_ticket_form_get_field_label (fixture->form, "review"))), ==, "审核意见 *");
  gtk_test_accessible_assert_property (field_widget (fixture, "review"), GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE);
  gtk_test_accessible_assert_property (title, GTK_ACCESSIBLE_PROPERTY_READ_ONLY, TRUE);
  g_assert_true (is_shown (field_widget (fixture, "review")));
  g_assert_true (gtk_widget_get_visible (group_of (fixture, "review")));
  g_assert_false (ts_ticket_form_validate (fixture->form));
  g_assert_cmpstr (ts_ticket_form_get_first_invalid_field (fixture->form), ==, "review");
  error = ts_ticket_form_get_field_error (fixture->form, "review");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "审核意见"));
  g_assert_nonnull (strstr (error, "审核中"));
  type_over (fixture, "review", "同意");
  TS_WAIT_FOR (ts_ticket_form_get_field_error (fixture->form, "review") == NULL);
  g_assert_true (ts_ticket_form_validate (fixture->form));
  type_over (fixture, "review", "");
  TS_WAIT_FOR (ts_ticket_form_get_field_error (fixture->form, "review") != NULL);

  /* 内部备注 is hidden, and so is its group, which holds nothing else;
   * its value is still there. */
  g_assert_false (is_shown (field_widget (fixture, "note")));
  g_assert_false (gtk_widget_get_visible (group_of (fixture, "note")));
  g_assert_cmpstr (string_value_of (fixture, "note"), ==, "备件");

  /* In 处理中: 标题 is editable, nothing is required, 审核意见 and its
   * group are hidden. */
  ts_ticket_form_set_ticket (fixture->form, working);
  iterate_for (20);
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (title)));
  g_assert_false (is_shown (frozen));
  g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ts_ticket_form_get_field_label (fixture->form, "review"))), ==, "审核意见");
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (field_widget (fixture, "review")),
                                                    GTK_ACCESSIBLE_PROPERTY_REQUIRED));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_READ_ONLY));
  g_assert_false (is_shown (field_widget (fixture, "review")));
  g_assert_false (gtk_widget_get_visible (group_of (fixture, "review")));
  g_assert_true (ts_ticket_form_validate (fixture->form));
  type_over (fixture, "title", "硬盘告警（已复现）");
  TS_WAIT_FOR (g_strcmp0 (entry_text (fixture, "title"), "硬盘告警（已复现）") == 0);
  g_assert_true (ts_ticket_form_get_modified (fixture->form));

  /* A new ticket has no state yet: the initial state's rules apply. */
  ts_ticket_form_set_ticket (fixture->form, fresh);
  iterate_for (20);
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (title)));
  g_assert_false (is_shown (field_widget (fixture, "review")));
  g_assert_false (is_shown (field_widget (fixture, "note")));
}

static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  data)
{
  set_issue_ticket (fixture);
  retype (field_widget (fixture, "buglist_url"), "不是链接");
  ts_ticket_form_set_field_error (fixture->form, "issue_checker",
                                  "“维护代表” 不是本项目的成员：请重新选择", FALSE);
  save_screenshot (fixture, "ticket-form.png");
}

/* The other kinds of field: integer, date, boolean. */
static void
test_screenshot_device_card (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(JsonObject) fields = parse_object (
    "{\"site_name\": \"某银行数据中心\", \"customer\": \"某银行\", \"customer_type\": \"金融\","
    " \"device_model\": \"R5300 G4\", \"online_date\": \"2018-01-28\", \"device_count\": 12,"
    " \"key_period_guard\": true, \"health\": \"关注\", \"notes\": \"\"}");

  ts_ticket_set_key (ticket, "device_7");
  ts_ticket_set_state (ticket, "在网维护");
  ts_ticket_set_fields (ticket, fields);
  ts_ticket_form_set_ticket (fixture->form, ticket);
  ts_ticket_form_set_editable (fixture->form, FALSE);
  save_screenshot (fixture, "ticket-form-device-card.png");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  /* GTK's test accessibility backend: no bus needed, and the accessible
   * labels can be checked (gtk_test_accessible_assert_property). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

  /* The application's style sheet (the "field-error" class). */
  g_resources_register (ts_gui_get_resource ());
  gtk_css_provider_load_from_resource (css, "/io/github/tasksteper/TaskSteper/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

#define ADD(path, schema, func) \
  g_test_add ("/ticket-form/" path, Fixture, schema, fixture_set_up, func, fixture_tear_down)

  ADD ("shows-ticket", "issue_track.json", test_shows_ticket);
  ADD ("typing", "issue_track.json", test_typing);
  ADD ("validation", "issue_track.json", test_validation);
  ADD ("server-error", "issue_track.json", test_server_error);
  ADD ("editable", "issue_track.json", test_editable);
  ADD ("readonly-field", NULL, test_readonly_field);
  ADD ("integer", "device_card.json", test_integer);
  ADD ("integer-garbage", NULL, test_integer_garbage);
  ADD ("date", "device_card.json", test_date);
  ADD ("boolean", "device_card.json", test_boolean);
  ADD ("user-members", "issue_track.json", test_user_members);
  ADD ("url-button", "issue_track.json", test_url_button);
  ADD ("labels", "issue_track.json", test_labels);
  ADD ("labels-device-card", "device_card.json", test_labels);
  ADD ("labels-version-record", "version_record.json", test_labels);
  ADD ("new-ticket", "issue_track.json", test_new_ticket);
  ADD ("dependent-choices", RULES_SCHEMA, test_dependent_choices);
  ADD ("state-rules", RULES_SCHEMA, test_state_rules);
  ADD ("screenshot", "issue_track.json", test_screenshot);
  ADD ("screenshot-device-card", "device_card.json", test_screenshot_device_card);

#undef ADD

  return g_test_run ();
}
