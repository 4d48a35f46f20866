/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Tests of the workflow engine: the trans_condition vectors of
 * tests/data/conditions.json (which the SQL side runs too), and the seed's
 * issue_track project walked by the people who work it. */

#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"

/* The people of the issue_track walk. */
#define MAINTAINER "zhangwei"   /* creates the ticket, is its issue_processor */
#define CHECKER    "lina"       /* issue_checker, 维护代表                     */
#define SE         "wangfang"   /* issue_se, 改进提取SE                        */
#define OUTSIDER   "zhaolei"    /* a member who is not the assignee           */

#define IMPROVEMENT_URL "tasksteper://improvement/2"

/* The parsed conditions.json, or NULL when it could not be read; the
 * /ts/conditions/file test then says why. */
static JsonNode *conditions_root;

/* Helpers {{{1 */

static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(GError) error = NULL;
  JsonNode *copy;

  copy = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);

  return copy;
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/* Everything of @ticket that ts_workflow_fire() must not change. */
static char *
describe_ticket (TsTicket *ticket)
{
  g_autofree char *fields = object_to_string (ts_ticket_get_fields (ticket));

  return g_strdup_printf ("key=%s state=%s assigned_to=%s created_by=%s version=%d fields=%s",
                          ts_ticket_get_key (ticket),
                          ts_ticket_get_state (ticket),
                          ts_ticket_get_assigned_to (ticket),
                          ts_ticket_get_created_by (ticket),
                          ts_ticket_get_version (ticket),
                          fields);
}

static void
set_string (TsTicket   *ticket,
            const char *name,
            const char *value)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  ts_ticket_set_value (ticket, name, node);
}

static void
set_null (TsTicket   *ticket,
          const char *name)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_NULL);

  ts_ticket_set_value (ticket, name, node);
}

/* A schema field's value as a string, or NULL when it is not one. */
static const char *
get_string (TsTicket   *ticket,
            const char *name)
{
  JsonNode *node = json_object_get_member (ts_ticket_get_fields (ticket), name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static TsProject *
load_project_data (const char *name,
                   const char *data)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (name);
  TsProject *project;

  project = ts_project_new_from_data (data, -1, diagnostics);
  if (ts_diagnostics_get_n_errors (diagnostics) > 0)
    {
      g_autofree char *report = ts_diagnostics_to_string (diagnostics);

      g_test_message ("%s", report);
    }
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);
  g_assert_nonnull (project);
  g_assert_finalize_object (g_steal_pointer (&diagnostics));

  return project;
}

static TsProject *
load_issue_track (void)
{
  const char *schemas_dir = g_getenv ("TS_SCHEMAS_DIR");
  g_autoptr(TsDiagnostics) diagnostics = NULL;
  g_autofree char *path = NULL;
  TsProject *project;

  if (schemas_dir != NULL)
    path = g_build_filename (schemas_dir, "issue_track.json", NULL);
  else
    path = g_test_build_filename (G_TEST_DIST, "..", "schemas", "issue_track.json", NULL);

  diagnostics = ts_diagnostics_new (path);
  project = ts_project_new_from_file (path, diagnostics);
  if (ts_diagnostics_get_n_errors (diagnostics) > 0)
    {
      g_autofree char *report = ts_diagnostics_to_string (diagnostics);

      g_test_message ("%s", report);
    }
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);
  g_assert_nonnull (project);
  g_assert_finalize_object (g_steal_pointer (&diagnostics));

  g_assert_cmpstr (ts_project_get_name (project), ==, "issue_track");

  return project;
}

/* A new ticket, as @user creates it. */
static TsTicket *
new_ticket (TsProject  *project,
            const char *user)
{
  g_autoptr(JsonObject) values = ts_project_dup_initial_values (project);
  TsTicket *ticket = ts_ticket_new ();

  ts_ticket_set_project (ticket, ts_project_get_name (project));
  ts_ticket_set_number (ticket, 1);
  ts_ticket_set_key (ticket, "question_1");
  ts_ticket_set_state (ticket, ts_project_get_initial_state (project));
  ts_ticket_set_assigned_to (ticket, user);
  ts_ticket_set_created_by (ticket, user);
  ts_ticket_set_fields (ticket, values);

  return ticket;
}

/* An issue_track ticket in @state with every user field and
 * improvement_url filled, so that every trigger of @state can fire. */
static TsTicket *
filled_issue (TsProject  *project,
              const char *state,
              const char *created_by,
              const char *assigned_to)
{
  TsTicket *ticket = new_ticket (project, created_by);

  ts_ticket_set_state (ticket, state);
  ts_ticket_set_assigned_to (ticket, assigned_to);
  set_string (ticket, "issue_processor", MAINTAINER);
  set_string (ticket, "issue_checker", CHECKER);
  set_string (ticket, "issue_se", SE);
  set_string (ticket, "improvement_url", IMPROVEMENT_URL);

  return ticket;
}

static TsTriggerStatus *
find_trigger (GPtrArray  *triggers,
              const char *trigger)
{
  for (guint i = 0; i < triggers->len; i++)
    {
      TsTriggerStatus *status = g_ptr_array_index (triggers, i);

      if (g_strcmp0 (ts_trigger_status_get_trigger (status), trigger) == 0)
        return status;
    }

  return NULL;
}

/* Asserts the listed triggers are exactly the NULL-terminated names, in
 * that order. */
static void
assert_trigger_names (GPtrArray *triggers,
                      ...)
{
  const char *name;
  va_list args;
  guint n = 0;

  g_assert_nonnull (triggers);

  va_start (args, triggers);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      TsTriggerStatus *status;

      g_assert_cmpuint (n, <, triggers->len);
      status = g_ptr_array_index (triggers, n);
      g_assert_true (TS_IS_TRIGGER_STATUS (status));
      g_assert_cmpstr (ts_trigger_status_get_trigger (status), ==, name);
      g_assert_cmpstr (ts_transition_get_trigger (ts_trigger_status_get_transition (status)), ==, name);
      n++;
    }
  va_end (args);

  g_assert_cmpuint (triggers->len, ==, n);
}

static void
assert_ready (TsTriggerStatus *status)
{
  g_assert_nonnull (status);
  g_assert_cmpint (ts_trigger_status_get_state (status), ==, TS_TRIGGER_READY);
  g_assert_true (ts_trigger_status_is_ready (status));
  g_assert_null (ts_trigger_status_get_reason (status));
}

static void
assert_all_ready (GPtrArray *triggers)
{
  for (guint i = 0; i < triggers->len; i++)
    assert_ready (g_ptr_array_index (triggers, i));
}

static void
assert_blocked (TsTriggerStatus *status,
                TsTriggerState   state,
                const char      *field)
{
  g_assert_nonnull (status);
  g_assert_cmpint (ts_trigger_status_get_state (status), ==, state);
  g_assert_false (ts_trigger_status_is_ready (status));
  g_assert_nonnull (ts_trigger_status_get_reason (status));
  g_assert_cmpstr (ts_trigger_status_get_reason (status), !=, "");
  if (field != NULL)
    g_assert_cmpstr (ts_trigger_status_get_field (status), ==, field);
}

/* Fires @trigger as @user, checks where the ticket went and that the
 * original was left alone, and replaces *@ticket with the result. */
static void
fire (TsProject   *project,
      TsTicket   **ticket,
      const char  *trigger,
      const char  *user,
      const char  *dest,
      const char  *assignee)
{
  g_autofree char *before = describe_ticket (*ticket);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) next = NULL;

  next = ts_workflow_fire (project, *ticket, trigger, user, &error);
  g_assert_no_error (error);
  g_assert_true (TS_IS_TICKET (next));
  g_assert_true (next != *ticket);

  after = describe_ticket (*ticket);
  g_assert_cmpstr (after, ==, before);

  g_assert_cmpstr (ts_ticket_get_state (next), ==, dest);
  g_assert_cmpstr (ts_ticket_get_assigned_to (next), ==, assignee);
  g_assert_cmpstr (ts_ticket_get_created_by (next), ==, ts_ticket_get_created_by (*ticket));
  g_assert_cmpstr (ts_ticket_get_key (next), ==, ts_ticket_get_key (*ticket));

  g_assert_finalize_object (*ticket);
  *ticket = g_steal_pointer (&next);
}

/* Fires @trigger as @user and checks that it is refused with @code, that
 * the message names @label (when not NULL), and that @ticket is untouched. */
static void
fire_refused (TsProject       *project,
              TsTicket        *ticket,
              const char      *trigger,
              const char      *user,
              TsWorkflowError  code,
              const char      *label)
{
  g_autofree char *before = describe_ticket (ticket);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTicket) next = NULL;

  next = ts_workflow_fire (project, ticket, trigger, user, &error);
  g_assert_error (error, TS_WORKFLOW_ERROR, (gint)code);
  g_assert_null (next);
  g_assert_cmpstr (error->message, !=, "");
  g_test_message ("%s as %s: %s", trigger, user, error->message);
  if (label != NULL)
    g_assert_nonnull (strstr (error->message, label));

  after = describe_ticket (ticket);
  g_assert_cmpstr (after, ==, before);
}

/* Conditions {{{1 */

static JsonNode *
load_conditions (GError **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "conditions.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;

  return json_parser_steal_root (parser);
}

static void
test_conditions_file (void)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *semantics;
  JsonArray *cases;
  guint n_true = 0;
  guint n_false = 0;

  root = load_conditions (&error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member_with_default (object, "tasksteper_conditions", 0), ==, 1);

  semantics = json_object_get_array_member (object, "semantics");
  g_assert_nonnull (semantics);
  g_assert_cmpuint (json_array_get_length (semantics), >, 0);
  for (guint i = 0; i < json_array_get_length (semantics); i++)
    g_assert_cmpstr (json_array_get_string_element (semantics, i), !=, "");

  cases = json_object_get_array_member (object, "cases");
  g_assert_nonnull (cases);
  g_assert_cmpuint (json_array_get_length (cases), >=, 50);

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      JsonObject *ticket;
      const char *name;

      g_assert_nonnull (vector);
      name = json_object_get_string_member_with_default (vector, "name", NULL);
      g_assert_nonnull (name);
      g_assert_cmpstr (name, !=, "");
      /* The name becomes a test path: keep it to lower-case ASCII words. */
      for (const char *p = name; *p; p++)
        g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-');
      if (g_hash_table_contains (names, name))
        g_test_message ("the case name “%s” is used twice", name);
      g_assert_false (g_hash_table_contains (names, name));
      g_hash_table_add (names, (gpointer)name);

      g_assert_nonnull (json_object_get_array_member (vector, "fields"));
      g_assert_nonnull (json_object_get_object_member (vector, "condition"));
      ticket = json_object_get_object_member (vector, "ticket");
      g_assert_nonnull (ticket);
      g_assert_nonnull (json_object_get_string_member_with_default (ticket, "state", NULL));
      g_assert_nonnull (json_object_get_object_member (ticket, "fields"));

      g_assert_true (json_object_has_member (vector, "expected"));
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (vector, "expected")), ==, G_TYPE_BOOLEAN);
      if (json_object_get_boolean_member (vector, "expected"))
        n_true++;
      else
        n_false++;
    }

  /* A file whose answers are all the same would prove little. */
  g_assert_cmpuint (n_true, >=, 10);
  g_assert_cmpuint (n_false, >=, 10);
}

/* The project the vector's condition is read in: its fields, the states
 * [ticket.state, "结束"] and one transition carrying the condition. */
static char *
vector_project_json (JsonObject *vector)
{
  JsonObject *ticket = json_object_get_object_member (vector, "ticket");
  const char *state = json_object_get_string_member (ticket, "state");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tasksteper");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "conditions");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "条件测试");
  json_builder_set_member_name (builder, "fields");
  json_builder_add_value (builder, deep_copy (json_object_get_member (vector, "fields")));
  json_builder_set_member_name (builder, "states");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, state);
  json_builder_add_string_value (builder, "结束");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "transitions");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, state);
  json_builder_set_member_name (builder, "trigger");
  json_builder_add_string_value (builder, "t");
  json_builder_set_member_name (builder, "dest");
  json_builder_add_string_value (builder, "结束");
  json_builder_set_member_name (builder, "trans_condition");
  json_builder_add_value (builder, deep_copy (json_object_get_member (vector, "condition")));
  json_builder_set_member_name (builder, "trans_action");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return json_to_string (root, TRUE);
}

static TsTicket *
vector_ticket (JsonObject *vector)
{
  JsonObject *object = json_object_get_object_member (vector, "ticket");
  g_autoptr(JsonNode) fields = deep_copy (json_object_get_member (object, "fields"));
  TsTicket *ticket = ts_ticket_new ();

  ts_ticket_set_state (ticket, json_object_get_string_member (object, "state"));
  if (json_object_has_member (object, "assigned_to"))
    ts_ticket_set_assigned_to (ticket, json_object_get_string_member (object, "assigned_to"));
  if (json_object_has_member (object, "created_by"))
    ts_ticket_set_created_by (ticket, json_object_get_string_member (object, "created_by"));
  if (json_object_has_member (object, "key"))
    ts_ticket_set_key (ticket, json_object_get_string_member (object, "key"));
  ts_ticket_set_fields (ticket, json_node_get_object (fields));

  return ticket;
}

/* The clause kind the parser must have read from a condition value. */
static void
assert_clause_shape (TsCondition *condition,
                     guint        position,
                     JsonNode    *value)
{
  TsClauseOp op = ts_condition_get_clause_op (condition, position);
  JsonArray *values = ts_condition_get_clause_values (condition, position);

  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *list = json_node_get_array (value);

      g_assert_cmpint (op, ==, TS_CLAUSE_ONE_OF);
      g_assert_nonnull (values);
      g_assert_cmpuint (json_array_get_length (values), ==, json_array_get_length (list));
      for (guint i = 0; i < json_array_get_length (list); i++)
        g_assert_true (json_node_equal (json_array_get_element (values, i),
                                        json_array_get_element (list, i)));
    }
  else if (JSON_NODE_HOLDS_OBJECT (value))
    {
      JsonObject *test = json_node_get_object (value);

      if (json_object_has_member (test, "empty"))
        g_assert_cmpint (op, ==, TS_CLAUSE_EMPTY);
      else
        g_assert_cmpint (op, ==, TS_CLAUSE_NOT_EMPTY);
      g_assert_null (values);
    }
  else
    {
      g_assert_cmpint (op, ==, TS_CLAUSE_EQUALS);
      g_assert_nonnull (values);
      g_assert_cmpuint (json_array_get_length (values), ==, 1);
      g_assert_true (json_node_equal (json_array_get_element (values, 0), value));
    }
}

static void
test_condition_vector (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  const char *name = json_object_get_string_member (vector, "name");
  JsonObject *object = json_object_get_object_member (vector, "condition");
  gboolean expected = json_object_get_boolean_member (vector, "expected");
  g_autofree char *project_json = vector_project_json (vector);
  g_autofree char *diagnostics_name = g_strdup_printf ("conditions.json: %s", name);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (diagnostics_name);
  g_autoptr(TsProject) project = NULL;
  g_autoptr(TsTicket) ticket = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  TsTransition *transition;
  TsCondition *condition;
  gboolean all_match = TRUE;
  guint first_failing = G_MAXUINT;
  guint failing = G_MAXUINT;
  gboolean holds;

  project = ts_project_new_from_data (project_json, -1, diagnostics);
  if (ts_diagnostics_get_n_errors (diagnostics) > 0)
    {
      g_autofree char *report = ts_diagnostics_to_string (diagnostics);

      g_test_message ("%s\n%s", project_json, report);
    }
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);
  g_assert_nonnull (project);

  ticket = vector_ticket (vector);
  transition = ts_project_lookup_transition (project, ts_ticket_get_state (ticket), "t");
  g_assert_nonnull (transition);
  condition = ts_transition_get_condition (transition);
  g_assert_true (TS_IS_CONDITION (condition));

  /* The parser kept one clause per key, of the right kind. */
  g_assert_cmpuint (ts_condition_get_n_clauses (condition), ==, json_object_get_size (object));
  for (guint i = 0; i < ts_condition_get_n_clauses (condition); i++)
    {
      const char *field = ts_condition_get_clause_field (condition, i);

      g_assert_true (json_object_has_member (object, field));
      assert_clause_shape (condition, i, json_object_get_member (object, field));
    }

  before = describe_ticket (ticket);
  holds = ts_condition_evaluate (condition, ticket, &failing);
  if (holds != expected)
    {
      g_autofree char *ticket_json = json_to_string (json_object_get_member (vector, "ticket"), FALSE);
      g_autofree char *condition_json = json_to_string (json_object_get_member (vector, "condition"), FALSE);

      g_test_message ("%s: the condition %s on the ticket %s should be %s",
                      name, condition_json, ticket_json, expected ? "true" : "false");
    }
  g_assert_cmpint (holds, ==, expected);
  after = describe_ticket (ticket);
  g_assert_cmpstr (after, ==, before);

  /* The whole condition is the AND of its clauses, and the failing clause
   * reported is the first one that does not match. */
  for (guint i = 0; i < ts_condition_get_n_clauses (condition); i++)
    {
      g_autoptr(JsonNode) value = ts_ticket_dup_value (ticket, ts_condition_get_clause_field (condition, i));
      gboolean matches;

      matches = ts_clause_matches (ts_condition_get_clause_op (condition, i),
                                   ts_condition_get_clause_values (condition, i),
                                   value);
      if (!matches && all_match)
        first_failing = i;
      all_match = all_match && matches;
    }
  g_assert_cmpint (all_match, ==, holds);
  if (!holds)
    g_assert_cmpuint (failing, ==, first_failing);

  g_assert_finalize_object (g_steal_pointer (&ticket));
  g_assert_finalize_object (g_steal_pointer (&project));
  g_assert_finalize_object (g_steal_pointer (&diagnostics));
}

/* The issue_track walk {{{1 */

static void
test_issue_track_walk (void)
{
  g_autoptr(TsProject) project = load_issue_track ();
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GPtrArray) triggers = NULL;
  TsTriggerStatus *status;

  g_assert_cmpstr (ts_project_get_initial_state (project), ==, "维护人员处理");

  /* zhangwei creates the ticket: it starts with him. */
  ticket = new_ticket (project, MAINTAINER);
  g_assert_cmpstr (ts_ticket_get_state (ticket), ==, "维护人员处理");
  g_assert_cmpstr (ts_ticket_get_assigned_to (ticket), ==, MAINTAINER);
  g_assert_cmpstr (get_string (ticket, "summary"), ==, "【20170101】XX局点XX设备发生XX问题");
  set_string (ticket, "issue_processor", MAINTAINER);
  set_string (ticket, "issue_checker", CHECKER);
  set_string (ticket, "issue_se", SE);

  triggers = ts_workflow_list_triggers (project, ticket, MAINTAINER);
  assert_trigger_names (triggers, "更新进展", "提交审核", NULL);
  assert_all_ready (triggers);
  g_clear_pointer (&triggers, g_ptr_array_unref);

  fire (project, &ticket, "更新进展", MAINTAINER, "维护人员处理", MAINTAINER);
  fire (project, &ticket, "提交审核", MAINTAINER, "维护代表审核", CHECKER);

  /* lina reviews: she may send it back or pass it on. */
  triggers = ts_workflow_list_triggers (project, ticket, CHECKER);
  assert_trigger_names (triggers, "打回补充信息", "转SE分析改进", NULL);
  assert_all_ready (triggers);
  g_clear_pointer (&triggers, g_ptr_array_unref);

  fire (project, &ticket, "打回补充信息", CHECKER, "维护人员处理", MAINTAINER);
  fire (project, &ticket, "提交审核", MAINTAINER, "维护代表审核", CHECKER);
  fire (project, &ticket, "转SE分析改进", CHECKER, "SE分析改进", SE);

  /* wangfang cannot close it before an improvement is linked. */
  triggers = ts_workflow_list_triggers (project, ticket, SE);
  assert_trigger_names (triggers, "问题关闭", NULL);
  status = find_trigger (triggers, "问题关闭");
  assert_blocked (status, TS_TRIGGER_CONDITION_FALSE, "improvement_url");
  g_test_message ("问题关闭: %s", ts_trigger_status_get_reason (status));
  g_clear_pointer (&triggers, g_ptr_array_unref);
  fire_refused (project, ticket, "问题关闭", SE, TS_WORKFLOW_ERROR_CONDITION_FALSE, NULL);

  set_string (ticket, "improvement_url", IMPROVEMENT_URL);
  triggers = ts_workflow_list_triggers (project, ticket, SE);
  assert_trigger_names (triggers, "问题关闭", NULL);
  assert_all_ready (triggers);
  g_clear_pointer (&triggers, g_ptr_array_unref);

  fire (project, &ticket, "问题关闭", SE, "关闭", SE);
  g_assert_true (ts_project_is_final_state (project, ts_ticket_get_state (ticket)));
  triggers = ts_workflow_list_triggers (project, ticket, SE);
  assert_trigger_names (triggers, NULL);
  g_clear_pointer (&triggers, g_ptr_array_unref);
  fire_refused (project, ticket, "问题关闭", SE, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER, NULL);

  g_assert_finalize_object (g_steal_pointer (&ticket));
  g_assert_finalize_object (g_steal_pointer (&project));
}

/* Every transition of issue_track, from each of its sources, does what the
 * schema says. */
static void
test_issue_track_every_trigger (void)
{
  g_autoptr(TsProject) project = load_issue_track ();
  guint n_fired = 0;

  g_assert_cmpuint (ts_project_get_n_transitions (project), >=, 5);

  for (guint i = 0; i < ts_project_get_n_transitions (project); i++)
    {
      TsTransition *transition = ts_project_get_transition (project, i);
      const char * const *sources = ts_transition_get_sources (transition);
      const char *trigger = ts_transition_get_trigger (transition);
      const char *assign_to = ts_transition_get_assign_to (transition);
      const char * const *require = ts_transition_get_require (transition);
      JsonObject *set = ts_transition_get_set (transition);

      g_assert_nonnull (sources);
      g_assert_nonnull (sources[0]);
      g_assert_nonnull (require);

      for (guint j = 0; sources[j] != NULL; j++)
        {
          /* Someone who took the ticket over, so that "keep the assignee"
           * and "back to the creator" differ. */
          g_autoptr(TsTicket) ticket = filled_issue (project, sources[j], "chenjing", "liuyang");
          g_autoptr(TsTicket) next = NULL;
          g_autoptr(GPtrArray) triggers = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *before = NULL;
          g_autofree char *after = NULL;
          const char *assignee;

          g_test_message ("%s → %s from %s", trigger, ts_transition_get_dest (transition), sources[j]);

          for (guint k = 0; require[k] != NULL; k++)
            g_assert_nonnull (ts_project_lookup_field (project, require[k]));

          if (assign_to == NULL)
            assignee = "liuyang";
          else if (g_str_equal (assign_to, "created_by"))
            assignee = "chenjing";
          else
            assignee = get_string (ticket, assign_to);
          g_assert_nonnull (assignee);

          g_assert_true (ts_project_lookup_transition (project, sources[j], trigger) == transition);
          triggers = ts_workflow_list_triggers (project, ticket, "liuyang");
          assert_ready (find_trigger (triggers, trigger));

          before = describe_ticket (ticket);
          next = ts_workflow_fire (project, ticket, trigger, "liuyang", &error);
          g_assert_no_error (error);
          g_assert_nonnull (next);
          after = describe_ticket (ticket);
          g_assert_cmpstr (after, ==, before);

          g_assert_cmpstr (ts_ticket_get_state (next), ==, ts_transition_get_dest (transition));
          g_assert_cmpstr (ts_ticket_get_assigned_to (next), ==, assignee);
          g_assert_cmpstr (ts_ticket_get_created_by (next), ==, "chenjing");

          if (set != NULL)
            {
              g_autoptr(GList) names = json_object_get_members (set);

              for (const GList *l = names; l != NULL; l = l->next)
                g_assert_true (json_node_equal (json_object_get_member (set, l->data),
                                                json_object_get_member (ts_ticket_get_fields (next), l->data)));
            }
          else
            {
              g_autofree char *old_fields = object_to_string (ts_ticket_get_fields (ticket));
              g_autofree char *new_fields = object_to_string (ts_ticket_get_fields (next));

              g_assert_cmpstr (new_fields, ==, old_fields);
            }

          g_clear_pointer (&triggers, g_ptr_array_unref);
          g_assert_finalize_object (g_steal_pointer (&next));
          g_assert_finalize_object (g_steal_pointer (&ticket));
          n_fired++;
        }
    }

  g_assert_cmpuint (n_fired, >=, 5);

  g_assert_finalize_object (g_steal_pointer (&project));
}

/* Refusals {{{1 */

static void
test_refuse_not_assignee (void)
{
  g_autoptr(TsProject) project = load_issue_track ();
  const char * const *states = ts_project_get_states (project);
  guint n_refused = 0;

  for (guint i = 0; states[i] != NULL; i++)
    {
      g_autoptr(TsTicket) ticket = filled_issue (project, states[i], MAINTAINER, MAINTAINER);
      g_autoptr(GPtrArray) mine = ts_workflow_list_triggers (project, ticket, MAINTAINER);
      g_autoptr(GPtrArray) theirs = ts_workflow_list_triggers (project, ticket, OUTSIDER);

      /* The others see the same buttons, none of which they may press. */
      g_assert_cmpuint (theirs->len, ==, mine->len);
      for (guint j = 0; j < theirs->len; j++)
        {
          TsTriggerStatus *status = g_ptr_array_index (theirs, j);
          const char *trigger = ts_trigger_status_get_trigger (status);

          g_assert_cmpstr (trigger, ==, ts_trigger_status_get_trigger (g_ptr_array_index (mine, j)));
          assert_ready (g_ptr_array_index (mine, j));
          assert_blocked (status, TS_TRIGGER_NOT_ASSIGNEE, NULL);
          fire_refused (project, ticket, trigger, OUTSIDER, TS_WORKFLOW_ERROR_NOT_ASSIGNEE, NULL);
          fire_refused (project, ticket, trigger, CHECKER, TS_WORKFLOW_ERROR_NOT_ASSIGNEE, NULL);
          n_refused++;
        }

      g_clear_pointer (&mine, g_ptr_array_unref);
      g_clear_pointer (&theirs, g_ptr_array_unref);
      g_assert_finalize_object (g_steal_pointer (&ticket));
    }

  g_assert_cmpuint (n_refused, ==, ts_project_get_n_transitions (project));

  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
test_refuse_no_such_trigger (void)
{
  g_autoptr(TsProject) project = load_issue_track ();
  g_autoptr(TsTicket) ticket = filled_issue (project, "维护人员处理", MAINTAINER, MAINTAINER);

  fire_refused (project, ticket, "删除条目", MAINTAINER, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER, NULL);
  fire_refused (project, ticket, "", MAINTAINER, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER, NULL);
  /* Triggers of other states. */
  fire_refused (project, ticket, "问题关闭", MAINTAINER, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER, NULL);
  fire_refused (project, ticket, "转SE分析改进", MAINTAINER, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER, NULL);
  /* A label is not a trigger, and triggers compare exactly. */
  fire_refused (project, ticket, "提交审核 ", MAINTAINER, TS_WORKFLOW_ERROR_NO_SUCH_TRIGGER, NULL);

  g_assert_null (ts_project_lookup_transition (project, "维护人员处理", "问题关闭"));
  g_assert_null (ts_project_lookup_transition (project, "关闭", "问题关闭"));

  g_assert_finalize_object (g_steal_pointer (&ticket));
  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
check_required_empty (TsProject *project,
                      TsTicket  *ticket)
{
  g_autoptr(GPtrArray) triggers = ts_workflow_list_triggers (project, ticket, MAINTAINER);
  TsTriggerStatus *status;

  assert_trigger_names (triggers, "更新进展", "提交审核", NULL);
  assert_ready (find_trigger (triggers, "更新进展"));
  status = find_trigger (triggers, "提交审核");
  assert_blocked (status, TS_TRIGGER_REQUIRED_EMPTY, "issue_checker");
  g_assert_nonnull (strstr (ts_trigger_status_get_reason (status), "维护代表"));

  fire_refused (project, ticket, "提交审核", MAINTAINER, TS_WORKFLOW_ERROR_REQUIRED_EMPTY, "维护代表");
}

static void
test_refuse_required_empty (void)
{
  g_autoptr(TsProject) project = load_issue_track ();
  g_autoptr(TsTicket) ticket = filled_issue (project, "维护人员处理", MAINTAINER, MAINTAINER);
  g_autoptr(TsTicket) next = NULL;

  set_string (ticket, "issue_checker", "");
  check_required_empty (project, ticket);

  /* Empty has one meaning everywhere: white space only is empty too. */
  set_string (ticket, "issue_checker", " \u3000\t");
  check_required_empty (project, ticket);

  set_null (ticket, "issue_checker");
  check_required_empty (project, ticket);

  /* 更新进展 requires nothing and still fires. */
  next = ts_workflow_fire (project, ticket, "更新进展", MAINTAINER, NULL);
  g_assert_nonnull (next);
  g_assert_cmpstr (ts_ticket_get_state (next), ==, "维护人员处理");
  g_assert_finalize_object (g_steal_pointer (&next));

  set_string (ticket, "issue_checker", CHECKER);
  fire (project, &ticket, "提交审核", MAINTAINER, "维护代表审核", CHECKER);

  g_assert_finalize_object (g_steal_pointer (&ticket));
  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
check_no_assignee (TsProject *project,
                   TsTicket  *ticket)
{
  g_autoptr(GPtrArray) triggers = ts_workflow_list_triggers (project, ticket, CHECKER);
  TsTriggerStatus *status;

  assert_trigger_names (triggers, "打回补充信息", "转SE分析改进", NULL);
  assert_ready (find_trigger (triggers, "转SE分析改进"));
  status = find_trigger (triggers, "打回补充信息");
  assert_blocked (status, TS_TRIGGER_NO_ASSIGNEE, "issue_processor");
  g_assert_nonnull (strstr (ts_trigger_status_get_reason (status), "维护处理人"));

  fire_refused (project, ticket, "打回补充信息", CHECKER, TS_WORKFLOW_ERROR_NO_ASSIGNEE, "维护处理人");
}

static void
test_refuse_no_assignee (void)
{
  g_autoptr(TsProject) project = load_issue_track ();
  g_autoptr(TsTicket) ticket = filled_issue (project, "维护代表审核", MAINTAINER, CHECKER);

  set_string (ticket, "issue_processor", "");
  check_no_assignee (project, ticket);

  set_string (ticket, "issue_processor", "\u00a0");
  check_no_assignee (project, ticket);

  set_null (ticket, "issue_processor");
  check_no_assignee (project, ticket);

  set_string (ticket, "issue_processor", MAINTAINER);
  fire (project, &ticket, "打回补充信息", CHECKER, "维护人员处理", MAINTAINER);

  g_assert_finalize_object (g_steal_pointer (&ticket));
  g_assert_finalize_object (g_steal_pointer (&project));
}

/* Small inline projects {{{1 */

static const char release_record_json[] =
  "{\n"
  "  \"tasksteper\": 1,\n"
  "  \"name\": \"release_record\",\n"
  "  \"title\": \"转测版本记录\",\n"
  "  \"fields\": [\n"
  "    {\"name\": \"version\", \"label\": \"版本号\", \"type\": \"string\", \"default\": \"3.1.4.19\"},\n"
  "    {\"name\": \"published\", \"label\": \"已发布\", \"type\": \"boolean\", \"readonly\": true},\n"
  "    {\"name\": \"release_date\", \"label\": \"发布日期\", \"type\": \"date\"},\n"
  "    {\"name\": \"channel\", \"label\": \"发布渠道\", \"type\": \"choice\", \"choices\": [\"内部\", \"客户\"]},\n"
  "    {\"name\": \"build_count\", \"label\": \"构建次数\", \"type\": \"integer\", \"min\": 0},\n"
  "    {\"name\": \"release_manager\", \"label\": \"发布负责人\", \"type\": \"user\"}\n"
  "  ],\n"
  "  \"states\": [\"待发布\", \"已发布\"],\n"
  "  \"transitions\": [\n"
  "    {\"source\": \"待发布\", \"trigger\": \"发布\", \"dest\": \"已发布\",\n"
  "     \"trans_condition\": {},\n"
  "     \"trans_action\": {\"set\": {\"published\": true, \"channel\": \"客户\",\n"
  "                                \"build_count\": 3, \"release_date\": \"2018-01-28\"}}},\n"
  "    {\"source\": \"已发布\", \"trigger\": \"撤回\", \"dest\": \"待发布\",\n"
  "     \"trans_condition\": {\"published\": true},\n"
  "     \"trans_action\": {\"assign_to\": \"release_manager\", \"set\": {\"published\": false}}}\n"
  "  ]\n"
  "}\n";

static void
test_set_action (void)
{
  g_autoptr(TsProject) project = load_project_data ("release_record.json", release_record_json);
  g_autoptr(TsTicket) ticket = new_ticket (project, "superadmin");
  g_autoptr(TsTicket) published = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  TsTransition *transition;
  JsonObject *fields;
  JsonObject *set;

  transition = ts_project_lookup_transition (project, "待发布", "发布");
  g_assert_nonnull (transition);
  g_assert_null (ts_transition_get_assign_to (transition));
  set = ts_transition_get_set (transition);
  g_assert_nonnull (set);
  g_assert_cmpuint (json_object_get_size (set), ==, 4);
  g_assert_cmpuint (json_object_get_size (ts_transition_get_set (ts_project_lookup_transition (project, "已发布", "撤回"))), ==, 1);

  set_string (ticket, "release_manager", "anyone");
  before = describe_ticket (ticket);
  published = ts_workflow_fire (project, ticket, "发布", "superadmin", &error);
  g_assert_no_error (error);
  g_assert_nonnull (published);
  after = describe_ticket (ticket);
  g_assert_cmpstr (after, ==, before);

  g_assert_cmpstr (ts_ticket_get_state (published), ==, "已发布");
  g_assert_cmpstr (ts_ticket_get_assigned_to (published), ==, "superadmin");
  fields = ts_ticket_get_fields (published);
  g_assert_true (json_object_get_boolean_member (fields, "published"));
  g_assert_cmpstr (json_object_get_string_member (fields, "channel"), ==, "客户");
  g_assert_cmpint (json_object_get_int_member (fields, "build_count"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (fields, "release_date"), ==, "2018-01-28");
  /* What the action does not name is kept. */
  g_assert_cmpstr (json_object_get_string_member (fields, "version"), ==, "3.1.4.19");
  g_assert_cmpstr (json_object_get_string_member (fields, "release_manager"), ==, "anyone");

  /* The ticket fired from kept its values. */
  fields = ts_ticket_get_fields (ticket);
  g_assert_false (json_object_get_boolean_member_with_default (fields, "published", FALSE));
  g_assert_false (json_object_has_member (fields, "build_count") &&
                  !JSON_NODE_HOLDS_NULL (json_object_get_member (fields, "build_count")));
  g_assert_cmpstr (ts_ticket_get_state (ticket), ==, "待发布");
  g_assert_finalize_object (g_steal_pointer (&ticket));

  /* assign_to and set together. */
  fire (project, &published, "撤回", "superadmin", "待发布", "anyone");
  fields = ts_ticket_get_fields (published);
  g_assert_false (json_object_get_boolean_member (fields, "published"));
  g_assert_cmpstr (json_object_get_string_member (fields, "channel"), ==, "客户");

  g_assert_finalize_object (g_steal_pointer (&published));
  g_assert_finalize_object (g_steal_pointer (&project));
}

static const char list_source_json[] =
  "{\n"
  "  \"tasksteper\": 1,\n"
  "  \"name\": \"list_source\",\n"
  "  \"title\": \"多个源状态\",\n"
  "  \"fields\": [{\"name\": \"note\", \"label\": \"备注\", \"type\": \"string\"}],\n"
  "  \"states\": [\"a\", \"b\", \"c\"],\n"
  "  \"transitions\": [\n"
  "    {\"source\": \"a\", \"trigger\": \"前进\", \"dest\": \"b\",\n"
  "     \"trans_condition\": {}, \"trans_action\": {}},\n"
  "    {\"source\": [\"a\", \"b\"], \"trigger\": \"完成\", \"dest\": \"c\",\n"
  "     \"trans_condition\": {}, \"trans_action\": {}}\n"
  "  ]\n"
  "}\n";

static void
test_list_source (void)
{
  g_autoptr(TsProject) project = load_project_data ("list_source.json", list_source_json);
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GPtrArray) triggers = NULL;
  const char * const both[] = { "a", "b", NULL };
  TsTransition *transition;

  transition = ts_project_lookup_transition (project, "a", "完成");
  g_assert_nonnull (transition);
  g_assert_true (ts_project_lookup_transition (project, "b", "完成") == transition);
  g_assert_null (ts_project_lookup_transition (project, "c", "完成"));
  g_assert_null (ts_project_lookup_transition (project, "b", "前进"));
  g_assert_true (g_strv_equal (ts_transition_get_sources (transition), both));
  g_assert_true (ts_transition_has_source (transition, "a"));
  g_assert_true (ts_transition_has_source (transition, "b"));
  g_assert_false (ts_transition_has_source (transition, "c"));

  g_assert_false (ts_project_is_final_state (project, "a"));
  g_assert_false (ts_project_is_final_state (project, "b"));
  g_assert_true (ts_project_is_final_state (project, "c"));

  ticket = new_ticket (project, "alice");
  g_assert_cmpstr (ts_ticket_get_state (ticket), ==, "a");
  triggers = ts_workflow_list_triggers (project, ticket, "alice");
  assert_trigger_names (triggers, "前进", "完成", NULL);
  assert_all_ready (triggers);
  g_clear_pointer (&triggers, g_ptr_array_unref);

  /* From a, straight to c. */
  {
    g_autoptr(TsTicket) from_a = ts_ticket_copy (ticket);

    fire (project, &from_a, "完成", "alice", "c", "alice");
    g_assert_finalize_object (g_steal_pointer (&from_a));
  }

  /* From b, by way of 前进. */
  fire (project, &ticket, "前进", "alice", "b", "alice");
  triggers = ts_workflow_list_triggers (project, ticket, "alice");
  assert_trigger_names (triggers, "完成", NULL);
  assert_all_ready (triggers);
  g_clear_pointer (&triggers, g_ptr_array_unref);
  fire (project, &ticket, "完成", "alice", "c", "alice");

  triggers = ts_workflow_list_triggers (project, ticket, "alice");
  assert_trigger_names (triggers, NULL);
  g_clear_pointer (&triggers, g_ptr_array_unref);

  g_assert_finalize_object (g_steal_pointer (&ticket));
  g_assert_finalize_object (g_steal_pointer (&project));
}

/* "comment": "required": the trigger is ready, and says it needs a
 * comment; the others do not. */
static const char comment_json[] =
  "{\n"
  "  \"tasksteper\": 1,\n"
  "  \"name\": \"review\",\n"
  "  \"title\": \"评审\",\n"
  "  \"fields\": [{\"name\": \"note\", \"label\": \"备注\", \"type\": \"string\"}],\n"
  "  \"states\": [\"待审\", \"通过\", \"打回\"],\n"
  "  \"transitions\": [\n"
  "    {\"source\": \"待审\", \"trigger\": \"通过\", \"dest\": \"通过\", \"comment\": \"optional\"},\n"
  "    {\"source\": \"待审\", \"trigger\": \"打回\", \"dest\": \"打回\", \"comment\": \"required\"}\n"
  "  ]\n"
  "}\n";

static void
test_needs_comment (void)
{
  g_autoptr(TsProject) project = load_project_data ("review.json", comment_json);
  g_autoptr(TsTicket) ticket = new_ticket (project, "alice");
  g_autoptr(GPtrArray) triggers = ts_workflow_list_triggers (project, ticket, "alice");

  assert_trigger_names (triggers, "通过", "打回", NULL);
  assert_all_ready (triggers);
  g_assert_false (ts_trigger_status_get_needs_comment (g_ptr_array_index (triggers, 0)));
  g_assert_true (ts_trigger_status_get_needs_comment (g_ptr_array_index (triggers, 1)));
  g_assert_true (ts_transition_get_comment_required (ts_project_lookup_transition (project, "待审", "打回")));
  g_assert_false (ts_transition_get_comment_required (ts_project_lookup_transition (project, "待审", "通过")));

  /* The client's fire does not need it: the comment goes to the server. */
  fire (project, &ticket, "打回", "alice", "打回", "alice");
}

/* main {{{1 */

int
main (int   argc,
      char *argv[])
{
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ts/conditions/file", test_conditions_file);

  conditions_root = load_conditions (NULL);
  if (conditions_root != NULL && JSON_NODE_HOLDS_OBJECT (conditions_root))
    {
      JsonObject *root = json_node_get_object (conditions_root);
      JsonArray *cases = json_object_get_array_member (root, "cases");

      for (guint i = 0; cases != NULL && i < json_array_get_length (cases); i++)
        {
          JsonObject *vector = json_array_get_object_element (cases, i);
          g_autofree char *path = NULL;

          path = g_strdup_printf ("/ts/conditions/%s", json_object_get_string_member (vector, "name"));
          g_test_add_data_func (path, vector, test_condition_vector);
        }
    }

  g_test_add_func ("/ts/workflow/issue-track/walk", test_issue_track_walk);
  g_test_add_func ("/ts/workflow/issue-track/every-trigger", test_issue_track_every_trigger);
  g_test_add_func ("/ts/workflow/refuse/not-assignee", test_refuse_not_assignee);
  g_test_add_func ("/ts/workflow/refuse/no-such-trigger", test_refuse_no_such_trigger);
  g_test_add_func ("/ts/workflow/refuse/required-empty", test_refuse_required_empty);
  g_test_add_func ("/ts/workflow/refuse/no-assignee", test_refuse_no_assignee);
  g_test_add_func ("/ts/workflow/source/list", test_list_source);
  g_test_add_func ("/ts/workflow/comment/needs-comment", test_needs_comment);
  g_test_add_func ("/ts/workflow/action/set", test_set_action);

  ret = g_test_run ();

  g_clear_pointer (&conditions_root, json_node_unref);

  return ret;
}

/* vim: set foldmethod=marker: */
