/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "tasksteper-core.h"

/* Tests of reading and validating project schemas.
 *
 * tests/data/schema/bad/ holds one small file per mistake, each with the
 * exact messages a person must see in NAME.expected; warn/ holds valid
 * files that must be warned about; good/ holds valid files that must load
 * silently.  Run with TS_UPDATE_EXPECTED=1 to rewrite the .expected files
 * after changing a message, then read the diff. */

static char *
schemas_dir (void)
{
  const char *dir = g_getenv ("TS_SCHEMAS_DIR");

  return dir ? g_strdup (dir) : g_test_build_filename (G_TEST_DIST, "..", "schemas", NULL);
}

static TsProject *
load_example (const char     *name,
              TsDiagnostics **out_diagnostics)
{
  g_autofree char *dir = schemas_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (name);
  TsProject *project = ts_project_new_from_file (path, diagnostics);

  if (out_diagnostics != NULL)
    *out_diagnostics = g_steal_pointer (&diagnostics);

  return project;
}

typedef enum { CASE_BAD, CASE_WARN, CASE_GOOD } CaseKind;

typedef struct
{
  CaseKind  kind;
  char     *relative;  /* "bad/unknown-state.json" */
  char     *path;
} Case;

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->relative);
  g_free (c->path);
  g_free (c);
}

static void
test_schema_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (c->relative);
  g_autoptr(TsProject) project = ts_project_new_from_file (c->path, diagnostics);
  g_autofree char *actual = ts_diagnostics_to_string (diagnostics);
  g_autofree char *expected_path = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  switch (c->kind)
    {
    case CASE_BAD:
      g_assert_null (project);
      g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), >, 0);
      break;

    case CASE_WARN:
      g_assert_nonnull (project);
      g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 0);
      g_assert_cmpuint (ts_diagnostics_get_n_warnings (diagnostics), >, 0);
      break;

    case CASE_GOOD:
    default:
      g_assert_nonnull (project);
      g_assert_cmpstr (actual, ==, "");
      return;
    }

  /* Every message names the file and says "error:" or "warning:". */
  for (guint i = 0; i < ts_diagnostics_get_n_items (diagnostics); i++)
    {
      g_autofree char *line = ts_diagnostic_format (diagnostics, ts_diagnostics_get_item (diagnostics, i));

      g_assert_true (g_str_has_prefix (line, c->relative));
      g_assert_true (strstr (line, c->kind == CASE_BAD ? ": error: " : ": warning: ") != NULL);
    }

  {
    g_autofree char *stem = g_strndup (c->path, strlen (c->path) - strlen (".json"));

    expected_path = g_strconcat (stem, ".expected", NULL);
  }

  if (g_getenv ("TS_UPDATE_EXPECTED") != NULL)
    {
      g_file_set_contents (expected_path, actual, -1, &error);
      g_assert_no_error (error);
      return;
    }

  g_file_get_contents (expected_path, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, expected);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
add_case_tests (GPtrArray *cases)
{
  static const struct { const char *dir; CaseKind kind; } dirs[] = {
    { "bad", CASE_BAD }, { "warn", CASE_WARN }, { "good", CASE_GOOD },
  };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "schema", dirs[d].dir, NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".json"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);

      for (guint i = 0; i < names->len; i++)
        {
          const char *file = g_ptr_array_index (names, i);
          g_autofree char *stem = g_strndup (file, strlen (file) - strlen (".json"));
          g_autofree char *test_path = g_strdup_printf ("/ts/schema/%s/%s", dirs[d].dir, stem);
          Case *c = g_new0 (Case, 1);

          c->kind = dirs[d].kind;
          c->relative = g_strdup_printf ("%s/%s", dirs[d].dir, file);
          c->path = g_build_filename (dir_path, file, NULL);
          g_ptr_array_add (cases, c);
          g_test_add_data_func (test_path, c, test_schema_case);
        }
    }
}

/* Each bad case has its expectations, and there are many of them. */
static void
test_cases_complete (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "schema", "bad", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n_json = 0;

  if (g_getenv ("TS_UPDATE_EXPECTED") != NULL)
    {
      g_test_skip ("rewriting the expectations");
      return;
    }

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".json"))
        {
          g_autofree char *stem = g_strndup (name, strlen (name) - 5);
          g_autofree char *expected = g_strdup_printf ("%s/%s.expected", dir_path, stem);

          g_assert_true (g_file_test (expected, G_FILE_TEST_EXISTS));
          n_json++;
        }
    }

  g_assert_cmpuint (n_json, >=, 100);
}

/* "comment": "required" makes a transition need a comment; "optional" and
 * no key at all do not. */
static void
test_comment_required (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "schema", "good",
                                                 "comment-required.json", NULL);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("good/comment-required.json");
  TsProject *project = ts_project_new_from_file (path, diagnostics);
  TsProject *example = load_example ("issue_track.json", NULL);

  g_assert_nonnull (project);
  g_assert_true (ts_transition_get_comment_required (ts_project_lookup_transition (project, "维护代表审核", "问题关闭")));
  g_assert_false (ts_transition_get_comment_required (ts_project_lookup_transition (project, "维护人员处理", "提交审核")));
  g_assert_false (ts_transition_get_comment_required (ts_project_lookup_transition (example, "维护人员处理", "更新进展")));

  g_assert_finalize_object (project);
  g_assert_finalize_object (example);
}

static void
test_examples_load_cleanly (void)
{
  static const char * const names[] = {
    "issue_track.json", "improvement.json", "device_card.json", "version_record.json", "buglist.json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(TsDiagnostics) diagnostics = NULL;
      TsProject *project = load_example (names[i], &diagnostics);
      g_autofree char *messages = ts_diagnostics_to_string (diagnostics);

      g_assert_cmpstr (messages, ==, "");
      g_assert_nonnull (project);
      g_assert_cmpuint (ts_project_get_n_fields (project), >=, 8);
      g_assert_cmpuint (ts_project_get_n_transitions (project), >=, 3);
      g_assert_nonnull (ts_project_get_summary_field (project));
      g_assert_finalize_object (project);
    }
}

/* The seed's IssueTrackModel and FSM_TRANS_ISSUE_TRACK, as the example. */
static void
test_issue_track_content (void)
{
  static const struct { const char *name, *label; TsFieldType type; } fields[] = {
    { "summary", "概要", TS_FIELD_STRING },
    { "detail", "详细描述", TS_FIELD_TEXT },
    { "current_process", "处理进展", TS_FIELD_TEXT },
    { "issue_level", "问题级别", TS_FIELD_CHOICE },
    { "customer_type", "客户类别", TS_FIELD_CHOICE },
    { "class_1", "问题大类", TS_FIELD_CHOICE },
    { "class_2", "问题小类", TS_FIELD_CHOICE },
    { "class_3", "责任领域", TS_FIELD_CHOICE },
    { "buglist_url", "Buglist链接(URL)", TS_FIELD_URL },
    { "improvement_url", "改进项链接(URL)", TS_FIELD_URL },
    { "release_notes", "发布说明", TS_FIELD_TEXT },
    { "issue_processor", "维护处理人", TS_FIELD_USER },
    { "issue_checker", "维护代表", TS_FIELD_USER },
    { "issue_se", "改进提取SE", TS_FIELD_USER },
  };
  static const struct { const char *source, *trigger, *dest, *assign_to; } transitions[] = {
    { "维护人员处理", "更新进展", "维护人员处理", "created_by" },
    { "维护人员处理", "提交审核", "维护代表审核", "issue_checker" },
    { "维护代表审核", "打回补充信息", "维护人员处理", "issue_processor" },
    { "维护代表审核", "转SE分析改进", "SE分析改进", "issue_se" },
    { "SE分析改进", "问题关闭", "关闭", NULL },
  };
  static const char * const states[] = { "维护人员处理", "维护代表审核", "SE分析改进", "关闭", NULL };
  TsProject *project = load_example ("issue_track.json", NULL);
  TsField *summary, *class_1;
  g_autoptr(JsonObject) initial = NULL;

  g_assert_nonnull (project);
  g_assert_cmpstr (ts_project_get_name (project), ==, "issue_track");
  g_assert_cmpstr (ts_project_get_title (project), ==, "网上问题处理");
  g_assert_cmpstr (ts_project_get_key_prefix (project), ==, "question");
  g_assert_cmpstr (ts_project_get_summary_field (project), ==, "summary");
  g_assert_true (g_strv_contains (ts_project_get_list_columns (project), "issue_level"));

  g_assert_cmpuint (ts_project_get_n_fields (project), ==, G_N_ELEMENTS (fields));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      TsField *field = ts_project_get_field (project, i);

      g_assert_cmpstr (ts_field_get_name (field), ==, fields[i].name);
      g_assert_cmpstr (ts_field_get_label (field), ==, fields[i].label);
      g_assert_cmpint (ts_field_get_field_type (field), ==, fields[i].type);
      g_assert_true (ts_project_lookup_field (project, fields[i].name) == field);
    }

  summary = ts_project_lookup_field (project, "summary");
  g_assert_cmpuint (ts_field_get_max_length (summary), ==, 200);
  g_assert_cmpuint (ts_field_get_width_chars (summary), ==, 79);
  g_assert_cmpstr (json_node_get_string (ts_field_get_default (summary)), ==, "【20170101】XX局点XX设备发生XX问题");
  g_assert_cmpuint (ts_field_get_max_length (ts_project_lookup_field (project, "detail")), ==, 5000);
  class_1 = ts_project_lookup_field (project, "class_1");
  g_assert_cmpstrv (ts_field_get_choices (class_1),
                    ((const char *[]) { "软件", "硬件", "结构", "误操作", "配置", NULL }));

  g_assert_cmpstrv (ts_project_get_states (project), states);
  g_assert_cmpstr (ts_project_get_initial_state (project), ==, "维护人员处理");
  g_assert_true (ts_project_is_final_state (project, "关闭"));
  g_assert_false (ts_project_is_final_state (project, "SE分析改进"));
  g_assert_false (ts_project_is_final_state (project, "no such state"));

  g_assert_cmpuint (ts_project_get_n_transitions (project), ==, G_N_ELEMENTS (transitions));
  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      TsTransition *t = ts_project_lookup_transition (project, transitions[i].source, transitions[i].trigger);

      g_assert_nonnull (t);
      g_assert_true (t == ts_project_get_transition (project, i));
      g_assert_cmpstr (ts_transition_get_dest (t), ==, transitions[i].dest);
      g_assert_cmpstr (ts_transition_get_assign_to (t), ==, transitions[i].assign_to);
    }
  g_assert_null (ts_project_lookup_transition (project, "关闭", "问题关闭"));

  /* The label lookups the client uses for headings and messages. */
  g_assert_cmpstr (ts_project_get_label_for (project, "issue_checker"), ==, "维护代表");
  g_assert_cmpstr (ts_project_get_label_for (project, "no_such_field"), ==, "no_such_field");

  /* A new ticket starts at the defaults, and empty where there is none. */
  initial = ts_project_dup_initial_values (project);
  g_assert_cmpuint (json_object_get_size (initial), ==, G_N_ELEMENTS (fields));
  g_assert_cmpstr (json_object_get_string_member (initial, "summary"), ==, "【20170101】XX局点XX设备发生XX问题");
  g_assert_cmpstr (json_object_get_string_member (initial, "improvement_url"), ==, "");

  g_assert_finalize_object (project);
}

static TsField *
field_from (const char *json,
            TsProject **out_project)
{
  g_autofree char *doc = g_strdup_printf ("{\"tasksteper\": 1, \"name\": \"p\", \"title\": \"P\", "
                                          "\"fields\": [{\"name\": \"s\", \"label\": \"S\", \"type\": \"string\"}, %s], "
                                          "\"states\": [\"a\"], \"transitions\": []}", json);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("inline");
  TsProject *project = ts_project_new_from_data (doc, -1, diagnostics);
  g_autofree char *messages = ts_diagnostics_to_string (diagnostics);

  g_assert_cmpstr (messages, ==, "");
  g_assert_nonnull (project);
  *out_project = project;
  return ts_project_get_field (project, 1);
}

/* @expected_code: a TsFieldError, or OK. */
static void
assert_value (TsField    *field,
              const char *value_json,
              int         expected_code)
{
  g_autoptr(JsonNode) value = json_from_string (value_json, NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert_nonnull (value);
  ok = ts_field_check_value (field, value, &error);

  if (expected_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, TS_FIELD_ERROR, expected_code);
      g_assert_false (ok);
      /* The message names the field by its label, for the person. */
      g_assert_nonnull (strstr (error->message, ts_field_get_label (field)));
    }
}

#define OK (-1)

static void
test_field_values (void)
{
  TsProject *project;
  TsField *field;

  field = field_from ("{\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\", \"max_length\": 5}", &project);
  assert_value (field, "\"网上问题处\"", OK);             /* 5 characters, 15 bytes */
  assert_value (field, "\"网上问题处理\"", TS_FIELD_ERROR_TOO_LONG);
  assert_value (field, "\"a\\nb\"", TS_FIELD_ERROR_TYPE);
  assert_value (field, "42", TS_FIELD_ERROR_TYPE);
  assert_value (field, "null", OK);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"detail\", \"label\": \"详细描述\", \"type\": \"text\"}", &project);
  assert_value (field, "\"【问题现象】: xx\\n【问题影响】: xx\"", OK);
  assert_value (field, "\"'; DROP TABLE tickets; --\"", OK);
  g_assert_cmpuint (ts_field_get_max_length (field), ==, 5000);
  g_assert_cmpuint (ts_field_get_rows (field), ==, 5);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"issue_level\", \"label\": \"问题级别\", \"type\": \"choice\", "
                      "\"choices\": [\"一般问题\", \"严重问题\"]}", &project);
  assert_value (field, "\"严重问题\"", OK);
  assert_value (field, "\"\"", OK);
  assert_value (field, "\"严重\"", TS_FIELD_ERROR_NOT_A_CHOICE);
  assert_value (field, "true", TS_FIELD_ERROR_TYPE);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"release_date\", \"label\": \"发布日期\", \"type\": \"date\"}", &project);
  assert_value (field, "\"2018-01-28\"", OK);
  assert_value (field, "\"2024-02-29\"", OK);
  assert_value (field, "\"2023-02-29\"", TS_FIELD_ERROR_BAD_DATE);
  assert_value (field, "\"2018-1-28\"", TS_FIELD_ERROR_BAD_DATE);
  assert_value (field, "\"28/01/2018\"", TS_FIELD_ERROR_BAD_DATE);
  assert_value (field, "\"2018-13-01\"", TS_FIELD_ERROR_BAD_DATE);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"device_count\", \"label\": \"设备数量\", \"type\": \"integer\", \"min\": -3, \"max\": 100}", &project);
  assert_value (field, "-3", OK);
  assert_value (field, "100", OK);
  assert_value (field, "101", TS_FIELD_ERROR_OUT_OF_RANGE);
  assert_value (field, "-4", TS_FIELD_ERROR_OUT_OF_RANGE);
  assert_value (field, "1.5", TS_FIELD_ERROR_TYPE);
  assert_value (field, "\"7\"", TS_FIELD_ERROR_TYPE);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"clean\", \"label\": \"clean\", \"type\": \"boolean\"}", &project);
  assert_value (field, "false", OK);
  assert_value (field, "\"false\"", TS_FIELD_ERROR_TYPE);
  assert_value (field, "0", TS_FIELD_ERROR_TYPE);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"buglist_url\", \"label\": \"Buglist链接(URL)\", \"type\": \"url\"}", &project);
  assert_value (field, "\"http://47.95.215.176:9000/polls/0/flow/improvement/2/detail/\"", OK);
  assert_value (field, "\"tasksteper://improvement/2\"", OK);
  assert_value (field, "\"\"", OK);
  assert_value (field, "\"#Buglist单链接(若有)#\"", TS_FIELD_ERROR_TYPE);
  assert_value (field, "\"http://a b\"", TS_FIELD_ERROR_TYPE);
  g_assert_finalize_object (project);

  field = field_from ("{\"name\": \"issue_checker\", \"label\": \"维护代表\", \"type\": \"user\"}", &project);
  assert_value (field, "\"lina\"", OK);
  assert_value (field, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", TS_FIELD_ERROR_TYPE);
  g_assert_finalize_object (project);
}

static void
test_empty_values (void)
{
  static const struct { const char *json; gboolean empty; } cases[] = {
    { "null", TRUE }, { "\"\"", TRUE }, { "\" \\t\\n\\r\"", TRUE }, { "\"\u3000\u00a0\"", TRUE },
    { "\"x\"", FALSE }, { "\" x \"", FALSE }, { "false", FALSE }, { "0", FALSE }, { "\"\u200b\"", FALSE },
  };

  g_assert_true (ts_value_is_empty (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (cases[i].json, NULL);

      g_assert_cmpint (ts_value_is_empty (node), ==, cases[i].empty);
    }
}

static void
test_definition_kept (void)
{
  g_autofree char *dir = schemas_dir ();
  g_autofree char *path = g_build_filename (dir, "version_record.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("version_record.json");
  TsProject *project;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  parsed = json_from_string (contents, NULL);
  project = ts_project_new_from_data (contents, -1, diagnostics);
  g_assert_nonnull (project);
  g_assert_true (json_node_equal (parsed, ts_project_get_definition (project)));
  g_assert_finalize_object (project);
}

static void
test_diagnostic_format (void)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("schemas/x.json");
  g_autoptr(TsProject) project = NULL;
  g_autofree char *text = NULL;

  project = ts_project_new_from_data ("{\n  \"tasksteper\": 1,\n  \"nmae\": \"x\"\n}", -1, diagnostics);
  g_assert_null (project);
  text = ts_diagnostics_to_string (diagnostics);
  g_assert_true (g_str_has_prefix (text, "schemas/x.json:3:3: error: $.nmae: unknown key “nmae” in a project schema: did you mean “name”?\n"));
  /* Missing keys point at the object that lacks them. */
  g_assert_nonnull (strstr (text, "schemas/x.json:1:1: error: $.name: “name” is missing"));
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, ts_diagnostics_get_n_items (diagnostics));
}

/* Whatever the bytes, an answer: never a crash, a hang or a leak.  Every
 * prefix of a real schema, and random damage to it. */
static void
test_damaged_input (void)
{
  g_autofree char *dir = schemas_dir ();
  g_autofree char *path = g_build_filename (dir, "issue_track.json", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* Cut before the closing brace: the document without its final new
   * line is still whole. */
  while (length > 0 && g_ascii_isspace (contents[length - 1]))
    length--;

  for (gsize cut = 0; cut < length; cut += 7)
    {
      g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("cut");
      g_autoptr(TsProject) project = ts_project_new_from_data (contents, cut, diagnostics);

      g_assert_null (project);
      g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), >, 0);
    }

  for (guint round = 0; round < 2000; round++)
    {
      g_autofree char *copy = g_memdup2 (contents, length);
      g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("damaged");
      g_autoptr(TsProject) project = NULL;
      g_autofree char *text = NULL;

      for (guint n = g_test_rand_int_range (1, 4); n > 0; n--)
        copy[g_test_rand_int_range (0, length)] = g_test_rand_int_range (0, 256);

      project = ts_project_new_from_data (copy, length, diagnostics);
      text = ts_diagnostics_to_string (diagnostics);
      g_assert_true (project != NULL || ts_diagnostics_get_n_errors (diagnostics) > 0);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

static void
test_huge_and_deep_input (void)
{
  gsize big = TS_PROJECT_MAX_FILE_SIZE + 1;
  g_autofree char *huge = g_malloc (big);
  gsize deep = 1000000;
  g_autofree char *nested = g_malloc (deep);
  g_autoptr(TsDiagnostics) d1 = ts_diagnostics_new ("huge.json");
  g_autoptr(TsDiagnostics) d2 = ts_diagnostics_new ("deep.json");
  g_autoptr(TsProject) p1 = NULL;
  g_autoptr(TsProject) p2 = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;

  memset (huge, ' ', big);
  p1 = ts_project_new_from_data (huge, big, d1);
  g_assert_null (p1);
  t1 = ts_diagnostics_to_string (d1);
  g_assert_nonnull (strstr (t1, "huge.json: error: the file is 4.2"));

  memset (nested, '[', deep);
  p2 = ts_project_new_from_data (nested, deep, d2);
  g_assert_null (p2);
  t2 = ts_diagnostics_to_string (d2);
  g_assert_cmpstr (t2, ==, "deep.json:1:65: error: nested more than 64 levels deep: a project schema never needs that\n");
}

static void
test_missing_file (void)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("nosuch.json");
  g_autoptr(TsProject) project = ts_project_new_from_file ("/nonexistent/nosuch.json", diagnostics);
  g_autofree char *text = ts_diagnostics_to_string (diagnostics);

  g_assert_null (project);
  g_assert_cmpstr (text, ==, "nosuch.json: error: cannot read the file: it does not exist; check the path\n");

  g_clear_object (&diagnostics);
  diagnostics = ts_diagnostics_new ("/");
  g_assert_null (ts_project_new_from_file ("/", diagnostics));
  g_assert_cmpuint (ts_diagnostics_get_n_errors (diagnostics), ==, 1);
}

static TsProject *
load_case (const char *relative)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "schema", relative, NULL);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (relative);
  TsProject *project = ts_project_new_from_file (path, diagnostics);
  g_autofree char *messages = ts_diagnostics_to_string (diagnostics);

  g_assert_cmpstr (messages, ==, "");
  g_assert_nonnull (project);
  return project;
}

/* depends_on: the list follows the parent's value; the union stays. */
static void
test_choices_for (void)
{
  g_autoptr(TsProject) project = load_case ("good/dependent-choices.json");
  TsField *class_1 = ts_project_lookup_field (project, "class_1");
  TsField *class_2 = ts_project_lookup_field (project, "class_2");
  TsField *class_3 = ts_project_lookup_field (project, "class_3");
  const char * const hardware[] = { "线缆", "硬盘", "其他", NULL };
  const char * const structure[] = { "机箱", "其他", NULL };
  const char * const all[] = { "操作系统", "驱动", "线缆", "硬盘", "其他", "机箱", NULL };
  const char * const storage[] = { "存储", "固件", NULL };
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;

  g_assert_null (ts_field_get_depends_on (class_1));
  g_assert_cmpstr (ts_field_get_depends_on (class_2), ==, "class_1");
  g_assert_cmpstr (ts_field_get_depends_on (class_3), ==, "class_2");

  /* Without depends_on: the choices whatever the argument. */
  g_assert_true (ts_field_get_choices_for (class_1, NULL) == ts_field_get_choices (class_1));
  g_assert_true (ts_field_get_choices_for (class_1, "anything") == ts_field_get_choices (class_1));

  g_assert_cmpstrv (ts_field_get_choices_for (class_2, "硬件"), hardware);
  g_assert_cmpstrv (ts_field_get_choices_for (class_2, "结构"), structure);
  g_assert_cmpstrv (ts_field_get_choices (class_2), all);
  g_assert_cmpstrv (ts_field_get_choices_for (class_3, "硬盘"), storage);

  /* No parent value, an unknown one, or one the object leaves out: an
   * empty list, never NULL. */
  g_assert_nonnull (ts_field_get_choices_for (class_2, NULL));
  g_assert_null (ts_field_get_choices_for (class_2, NULL)[0]);
  g_assert_null (ts_field_get_choices_for (class_2, "")[0]);
  g_assert_null (ts_field_get_choices_for (class_2, "误操作")[0]);
  g_assert_null (ts_field_get_choices_for (class_3, "其他")[0]);

  /* A value is checked against the union here; its parent, by the server
   * and the form, with ts_field_get_choices_for(). */
  json_node_set_string (value, "机箱");
  g_assert_true (ts_field_check_value (class_2, value, &error));
  g_assert_no_error (error);
  json_node_set_string (value, "网卡");
  g_assert_false (ts_field_check_value (class_2, value, &error));
  g_assert_error (error, TS_FIELD_ERROR, TS_FIELD_ERROR_NOT_A_CHOICE);

  /* The defaults agree with each other. */
  g_assert_cmpstr (json_node_get_string (ts_field_get_default (class_1)), ==, "硬件");
  g_assert_cmpstr (json_node_get_string (ts_field_get_default (class_2)), ==, "线缆");
}

static void
test_state_rules (void)
{
  g_autoptr(TsProject) project = load_case ("good/state-rules.json");
  g_autoptr(TsProject) plain = load_case ("good/dependent-choices.json");

  g_assert_cmpint (ts_project_get_state_rule (project, "维护代表审核", "class_1"), ==, TS_STATE_RULE_REQUIRED);
  g_assert_cmpint (ts_project_get_state_rule (project, "维护代表审核", "summary"), ==, TS_STATE_RULE_READONLY);
  g_assert_cmpint (ts_project_get_state_rule (project, "维护代表审核", "issue_checker"), ==, TS_STATE_RULE_HIDDEN);
  g_assert_cmpint (ts_project_get_state_rule (project, "维护代表审核", "class_2"), ==, TS_STATE_RULE_NONE);
  g_assert_cmpint (ts_project_get_state_rule (project, "关闭", "class_2"), ==, TS_STATE_RULE_READONLY);
  g_assert_cmpint (ts_project_get_state_rule (project, "关闭", "issue_checker"), ==, TS_STATE_RULE_NONE);
  /* A state without rules, unknown names, NULL. */
  g_assert_cmpint (ts_project_get_state_rule (project, "维护人员处理", "class_1"), ==, TS_STATE_RULE_NONE);
  g_assert_cmpint (ts_project_get_state_rule (project, "没有这个状态", "class_1"), ==, TS_STATE_RULE_NONE);
  g_assert_cmpint (ts_project_get_state_rule (project, "关闭", "no_such_field"), ==, TS_STATE_RULE_NONE);
  g_assert_cmpint (ts_project_get_state_rule (project, NULL, "class_1"), ==, TS_STATE_RULE_NONE);
  g_assert_cmpint (ts_project_get_state_rule (project, "关闭", NULL), ==, TS_STATE_RULE_NONE);
  /* A schema without state_rules. */
  g_assert_cmpint (ts_project_get_state_rule (plain, "关闭", "class_1"), ==, TS_STATE_RULE_NONE);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (case_free);
  int ret;

  g_test_init (&argc, &argv, NULL);

  add_case_tests (cases);
  g_test_add_func ("/ts/schema/cases-complete", test_cases_complete);
  g_test_add_func ("/ts/schema/examples-load-cleanly", test_examples_load_cleanly);
  g_test_add_func ("/ts/schema/comment-required", test_comment_required);
  g_test_add_func ("/ts/schema/issue-track-content", test_issue_track_content);
  g_test_add_func ("/ts/schema/field-values", test_field_values);
  g_test_add_func ("/ts/schema/empty-values", test_empty_values);
  g_test_add_func ("/ts/schema/definition-kept", test_definition_kept);
  g_test_add_func ("/ts/schema/diagnostic-format", test_diagnostic_format);
  g_test_add_func ("/ts/schema/damaged-input", test_damaged_input);
  g_test_add_func ("/ts/schema/huge-and-deep-input", test_huge_and_deep_input);
  g_test_add_func ("/ts/schema/missing-file", test_missing_file);
  g_test_add_func ("/ts/schema/choices-for", test_choices_for);
  g_test_add_func ("/ts/schema/state-rules", test_state_rules);

  ret = g_test_run ();
  return ret;
}
