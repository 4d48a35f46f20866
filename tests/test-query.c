/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Tests of TsQuery, the query language of the search entry: what each form
 * reads as (tables of text → filter), what is refused and where (text →
 * error, range, message), the canonical text of every filter of
 * tests/data/search.json and of random ones reading back as the same
 * filter, completion as a person types, and a fuzz test: no input crashes,
 * and every answer is a valid filter or an error inside the text. */

#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-uninstalled.h"

#define ME "alice"

static JsonNode  *search_root;
static TsProject *project;

/* Helpers {{{1 */

static TsProject *
project_from_json (const char *json)
{
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("test.json");
  TsProject *result = ts_project_new_from_data (json, -1, diagnostics);

  if (result == NULL)
    {
      g_autofree char *problems = ts_diagnostics_to_string (diagnostics);

      g_error ("the test project is refused: %s", problems);
    }
  return result;
}

static void
load_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "search.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *definition = NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);
  search_root = json_parser_steal_root (parser);

  definition = json_to_string (json_object_get_member (json_node_get_object (search_root), "project"), FALSE);
  project = project_from_json (definition);
}

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static char *
to_json (JsonNode *node)
{
  return node != NULL ? json_to_string (node, FALSE) : g_strdup ("(null)");
}

/* Parses @text with @me and fails the test on an error, saying which. */
static JsonNode *
parse_ok (TsProject  *in,
          const char *text,
          const char *me)
{
  g_autoptr(GError) error = NULL;
  guint start = G_MAXUINT, end = G_MAXUINT;
  JsonNode *node = ts_query_parse (in, text, me, &start, &end, &error);

  if (error != NULL)
    g_error ("“%s” was refused at [%u, %u): %s", text, start, end, error->message);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static void
assert_round_trip (TsProject *in,
                   JsonNode  *filter)
{
  g_autofree char *text = ts_query_format (in, filter);
  g_autoptr(JsonNode) back = parse_ok (in, text, ME);

  if (!json_node_equal (back, filter))
    {
      g_autofree char *a = to_json (filter);
      g_autofree char *b = to_json (back);

      g_error ("%s was written “%s”, which reads back as %s", a, text, b);
    }
}

/* Parsing: text → filter {{{1 */

static const struct
{
  const char *text;
  const char *filter;
} parse_cases[] = {
  /* Nothing, and white space of every kind. */
  { "", "{}" },
  { "   \t\n", "{}" },
  { "　", "{}" },

  /* Text to find. */
  { "北京", "{\"text\": \"北京\"}" },
  { "北京 内存", "{\"text\": {\"contains\": [\"北京\", \"内存\"]}}" },
  { "北京　内存", "{\"text\": {\"contains\": [\"北京\", \"内存\"]}}" },
  { "\"北京 局点\"", "{\"text\": \"北京 局点\"}" },
  { "“北京 局点”", "{\"text\": \"北京 局点\"}" },
  { "\"say \\\"hi\\\"\"", "{\"text\": \"say \\\"hi\\\"\"}" },
  { "\"C:\\\\logs\"", "{\"text\": \"C:\\\\logs\"}" },
  { "\"100%_done\"", "{\"text\": \"100%_done\"}" },
  { "-电源", "{\"text\": {\"not_contains\": \"电源\"}}" },
  { "－电源", "{\"text\": {\"not_contains\": \"电源\"}}" },
  { "北京 -电源 -风扇", "{\"text\": {\"contains\": \"北京\", \"not_contains\": [\"电源\", \"风扇\"]}}" },
  { "\"-5\"", "{\"text\": \"-5\"}" },
  { "北京,上海", "{\"text\": \"北京,上海\"}" },
  { "a..b", "{\"text\": \"a..b\"}" },

  /* Choice fields, by label or name, ':' or '：'. */
  { "问题级别:严重问题", "{\"issue_level\": \"严重问题\"}" },
  { "issue_level:严重问题", "{\"issue_level\": \"严重问题\"}" },
  { "问题级别：严重问题", "{\"issue_level\": \"严重问题\"}" },
  { "ISSUE_LEVEL:严重问题", "{\"issue_level\": \"严重问题\"}" },
  { "问题级别:严重问题,紧急问题", "{\"issue_level\": [\"严重问题\", \"紧急问题\"]}" },
  { "问题级别:严重问题，紧急问题", "{\"issue_level\": [\"严重问题\", \"紧急问题\"]}" },
  { "问题级别:严重问题、紧急问题", "{\"issue_level\": [\"严重问题\", \"紧急问题\"]}" },
  { "问题级别:\"严重问题\"", "{\"issue_level\": \"严重问题\"}" },
  { "责任领域:bmc", "{\"class_3\": \"BMC\"}" },
  { "责任领域:=bmc", "{\"class_3\": \"bmc\"}" },
  { "客户类别:=\"金融 \"", "{\"customer_type\": \"金融 \"}" },
  { "客户类别:=旧类别", "{\"customer_type\": \"旧类别\"}" },
  { "-问题级别:严重问题", "{\"issue_level\": {\"not\": \"严重问题\"}}" },
  { "-问题级别:严重问题,一般问题", "{\"issue_level\": {\"not\": [\"严重问题\", \"一般问题\"]}}" },
  { "-问题级别:严重问题 -问题级别:一般问题", "{\"issue_level\": {\"not\": [\"严重问题\", \"一般问题\"]}}" },
  { "问题级别:严重问题 问题级别:严重问题", "{\"issue_level\": \"严重问题\"}" },
  { "问题级别:严重问题 state:关闭 北京",
    "{\"issue_level\": \"严重问题\", \"state\": \"关闭\", \"text\": \"北京\"}" },

  /* String, text and url fields: contains, or after "=" equals. */
  { "概要:北京", "{\"summary\": {\"contains\": \"北京\"}}" },
  { "概要:北京 概要:内存", "{\"summary\": {\"contains\": [\"北京\", \"内存\"]}}" },
  { "-概要:北京", "{\"summary\": {\"not_contains\": \"北京\"}}" },
  { "-概要:北京,上海", "{\"summary\": {\"not_contains\": [\"北京\", \"上海\"]}}" },
  { "概要:北京 -概要:电源", "{\"summary\": {\"contains\": \"北京\", \"not_contains\": \"电源\"}}" },
  { "概要:=【20180220】成都局点风扇噪音", "{\"summary\": \"【20180220】成都局点风扇噪音\"}" },
  { "概要:=a,b", "{\"summary\": [\"a\", \"b\"]}" },
  { "-概要:=a", "{\"summary\": {\"not\": \"a\"}}" },
  { "概要:=\"\"", "{\"summary\": \"\"}" },
  { "概要:\"北京 局点\"", "{\"summary\": {\"contains\": \"北京 局点\"}}" },
  { "概要:\"a,b\"", "{\"summary\": {\"contains\": \"a,b\"}}" },
  { "概要:a@b.com", "{\"summary\": {\"contains\": \"a@b.com\"}}" },
  { "概要:1..2", "{\"summary\": {\"contains\": \"1..2\"}}" },
  { "详细描述:beijing", "{\"detail\": {\"contains\": \"beijing\"}}" },
  { "Buglist链接(URL):4711", "{\"buglist_url\": {\"contains\": \"4711\"}}" },
  { "buglist链接(url):4711", "{\"buglist_url\": {\"contains\": \"4711\"}}" },
  { "buglist_url:https://bugs.example.com", "{\"buglist_url\": {\"contains\": \"https://bugs.example.com\"}}" },
  { "key:N_1", "{\"key\": {\"contains\": \"N_1\"}}" },
  { "id:=question_4", "{\"key\": \"question_4\"}" },
  { "编号:=question_2,question_9", "{\"key\": [\"question_2\", \"question_9\"]}" },
  { "-key:=question_1", "{\"key\": {\"not\": \"question_1\"}}" },

  /* States. */
  { "state:关闭", "{\"state\": \"关闭\"}" },
  { "状态:关闭", "{\"state\": \"关闭\"}" },
  { "当前状态:关闭", "{\"state\": \"关闭\"}" },
  { "status:se分析改进", "{\"state\": \"SE分析改进\"}" },
  { "state:维护人员处理,维护代表审核", "{\"state\": [\"维护人员处理\", \"维护代表审核\"]}" },
  { "-state:关闭,SE分析改进", "{\"state\": {\"not\": [\"关闭\", \"SE分析改进\"]}}" },
  { "state:=已废弃", "{\"state\": \"已废弃\"}" },

  /* People. */
  { "assignee:carol", "{\"assigned_to\": \"carol\"}" },
  { "处理人:carol", "{\"assigned_to\": \"carol\"}" },
  { "当前处理人:me", "{\"assigned_to\": \"" ME "\"}" },
  { "处理人:我", "{\"assigned_to\": \"" ME "\"}" },
  { "assigned:me,bob", "{\"assigned_to\": [\"" ME "\", \"bob\"]}" },
  { "处理人:=me", "{\"assigned_to\": \"me\"}" },
  { "处理人:\"me\"", "{\"assigned_to\": \"me\"}" },
  { "-处理人:me", "{\"assigned_to\": {\"not\": \"" ME "\"}}" },
  { "创建人:alice", "{\"created_by\": \"alice\"}" },
  { "creator:me", "{\"created_by\": \"" ME "\"}" },
  { "改进提取SE:dave", "{\"issue_se\": \"dave\"}" },
  { "改进提取se:me", "{\"issue_se\": \"" ME "\"}" },

  /* Booleans. */
  { "重复发生:true", "{\"recurring\": true}" },
  { "重复发生:是", "{\"recurring\": true}" },
  { "重复发生:YES", "{\"recurring\": true}" },
  { "重复发生:否", "{\"recurring\": false}" },
  { "重复发生:no", "{\"recurring\": false}" },
  { "-重复发生:true", "{\"recurring\": {\"not\": true}}" },
  { "重复发生:true,false", "{\"recurring\": [true, false]}" },

  /* Integers. */
  { "影响设备数:3", "{\"device_count\": 3}" },
  { "影响设备数:0", "{\"device_count\": 0}" },
  { "影响设备数:-2", "{\"device_count\": -2}" },
  { "影响设备数:1,2,3", "{\"device_count\": [1, 2, 3]}" },
  { "影响设备数:>=5", "{\"device_count\": {\"gte\": 5}}" },
  { "影响设备数:≥5", "{\"device_count\": {\"gte\": 5}}" },
  { "影响设备数:＞＝5", "{\"device_count\": {\"gte\": 5}}" },
  { "影响设备数:>5", "{\"device_count\": {\"gte\": 6}}" },
  { "影响设备数:<=1", "{\"device_count\": {\"lte\": 1}}" },
  { "影响设备数:<1", "{\"device_count\": {\"lte\": 0}}" },
  { "影响设备数:3..8", "{\"device_count\": {\"gte\": 3, \"lte\": 8}}" },
  { "影响设备数:3~8", "{\"device_count\": {\"gte\": 3, \"lte\": 8}}" },
  { "影响设备数:5..", "{\"device_count\": {\"gte\": 5}}" },
  { "影响设备数:..10", "{\"device_count\": {\"lte\": 10}}" },
  { "影响设备数:-10..-5", "{\"device_count\": {\"gte\": -10, \"lte\": -5}}" },
  { "影响设备数:>=5 影响设备数:<=10", "{\"device_count\": {\"gte\": 5, \"lte\": 10}}" },
  { "-影响设备数:3", "{\"device_count\": {\"not\": 3}}" },
  { "影响设备数:>=5 -影响设备数:7", "{\"device_count\": {\"not\": 7, \"gte\": 5}}" },

  /* Date fields: a day is a value, a month, a year or a range are bounds. */
  { "发生日期:2018-01-31", "{\"occurred_on\": \"2018-01-31\"}" },
  { "发生日期:2018-01-05,2018-01-07", "{\"occurred_on\": [\"2018-01-05\", \"2018-01-07\"]}" },
  { "发生日期:2018-01", "{\"occurred_on\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-01-31\"}}" },
  { "发生日期:2016-02", "{\"occurred_on\": {\"gte\": \"2016-02-01\", \"lte\": \"2016-02-29\"}}" },
  { "发生日期:2018", "{\"occurred_on\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-12-31\"}}" },
  { "发生日期:2018-01-14..2018-01-31", "{\"occurred_on\": {\"gte\": \"2018-01-14\", \"lte\": \"2018-01-31\"}}" },
  { "发生日期:2018-01..2018-02", "{\"occurred_on\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-02-28\"}}" },
  { "发生日期:2018-01-05..2018-01-05", "{\"occurred_on\": {\"gte\": \"2018-01-05\", \"lte\": \"2018-01-05\"}}" },
  { "发生日期:>=2018-01", "{\"occurred_on\": {\"gte\": \"2018-01-01\"}}" },
  { "发生日期:>2018-01", "{\"occurred_on\": {\"gte\": \"2018-02-01\"}}" },
  { "发生日期:>2018-12-31", "{\"occurred_on\": {\"gte\": \"2019-01-01\"}}" },
  { "发生日期:<2018-03-01", "{\"occurred_on\": {\"lte\": \"2018-02-28\"}}" },
  { "发生日期:<=2018", "{\"occurred_on\": {\"lte\": \"2018-12-31\"}}" },
  { "发生日期:2018-01..", "{\"occurred_on\": {\"gte\": \"2018-01-01\"}}" },
  { "-发生日期:2018-01-31", "{\"occurred_on\": {\"not\": \"2018-01-31\"}}" },

  /* created and updated: days of the search's time zone, or times. */
  { "created:2018-01-01..2018-01-31", "{\"created_at\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-01-31\"}}" },
  { "created:2018-01", "{\"created_at\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-01-31\"}}" },
  { "创建时间:2018-01-05", "{\"created_at\": {\"gte\": \"2018-01-05\", \"lte\": \"2018-01-05\"}}" },
  { "created_at:<=2018-01-31", "{\"created_at\": {\"lte\": \"2018-01-31\"}}" },
  { "created:>=2018-01-31T15:30:00Z", "{\"created_at\": {\"gte\": \"2018-01-31T15:30:00Z\"}}" },
  { "created:..2018-01-02T01:00:00Z", "{\"created_at\": {\"lte\": \"2018-01-02T01:00:00Z\"}}" },
  { "created:2018-01-01T00:00:00+08:00..2018-01-31",
    "{\"created_at\": {\"gte\": \"2018-01-01T00:00:00+08:00\", \"lte\": \"2018-01-31\"}}" },
  { "updated:2018-02", "{\"updated_at\": {\"gte\": \"2018-02-01\", \"lte\": \"2018-02-28\"}}" },
  { "更新时间:>2018-01", "{\"updated_at\": {\"gte\": \"2018-02-01\"}}" },
  { "created:>=2018-01 created:<=2018-02", "{\"created_at\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-02-28\"}}" },

  /* reached: a state, and when. */
  { "reached:关闭", "{\"reached\": {\"state\": \"关闭\"}}" },
  { "到达:关闭", "{\"reached\": {\"state\": \"关闭\"}}" },
  { "reached:关闭@2018-01", "{\"reached\": {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-01-31\"}}" },
  { "reached:关闭@2018-01..2018-02", "{\"reached\": {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-02-28\"}}" },
  { "reached:关闭＠2018-01-05", "{\"reached\": {\"state\": \"关闭\", \"from\": \"2018-01-05\", \"to\": \"2018-01-05\"}}" },
  { "reached:SE分析改进@..2018-01-31", "{\"reached\": {\"state\": \"SE分析改进\", \"to\": \"2018-01-31\"}}" },
  { "reached:维护人员处理@>=2018-03-01", "{\"reached\": {\"state\": \"维护人员处理\", \"from\": \"2018-03-01\"}}" },
  { "reached:维护人员处理@>2018-02", "{\"reached\": {\"state\": \"维护人员处理\", \"from\": \"2018-03-01\"}}" },
  { "reached:关闭@<=2018-01-31T23:59:59+08:00", "{\"reached\": {\"state\": \"关闭\", \"to\": \"2018-01-31T23:59:59+08:00\"}}" },
  { "reached:\"关闭\"@2018", "{\"reached\": {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-12-31\"}}" },
  { "reached:=已废弃@2017", "{\"reached\": {\"state\": \"已废弃\", \"from\": \"2017-01-01\", \"to\": \"2017-12-31\"}}" },
  { "reached:关闭@2018-01..2018-03 问题级别:严重问题",
    "{\"reached\": {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-03-31\"}, \"issue_level\": \"严重问题\"}" },

  /* has: and no:, and their negations. */
  { "has:发布说明", "{\"release_notes\": {\"not_empty\": true}}" },
  { "有:发布说明", "{\"release_notes\": {\"not_empty\": true}}" },
  { "no:发布说明", "{\"release_notes\": {\"empty\": true}}" },
  { "无:release_notes", "{\"release_notes\": {\"empty\": true}}" },
  { "-has:发布说明", "{\"release_notes\": {\"empty\": true}}" },
  { "-no:发布说明", "{\"release_notes\": {\"not_empty\": true}}" },
  { "no:assignee", "{\"assigned_to\": {\"empty\": true}}" },
  { "has:发布说明 发布说明:V2", "{\"release_notes\": {\"contains\": \"V2\", \"not_empty\": true}}" },
  { "no:发布说明 -发布说明:x", "{\"release_notes\": {\"not_contains\": \"x\", \"empty\": true}}" },
};

static void
test_parse (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr(JsonNode) expected = parse_json (parse_cases[i].filter);
  g_autoptr(JsonNode) got = parse_ok (project, parse_cases[i].text, ME);
  g_autofree char *a = to_json (expected);
  g_autofree char *b = to_json (got);
  g_autoptr(TsFilter) filter = NULL;

  g_assert_cmpstr (b, ==, a);
  g_assert_true (json_node_equal (got, expected));

  /* Every result is a filter the search takes, and its canonical text
   * reads back as itself. */
  filter = ts_filter_new (project, got, NULL, NULL, NULL);
  g_assert_nonnull (filter);
  assert_round_trip (project, got);
}

/* Errors: text → code, the word at fault, a message that quotes it {{{1 */

static const struct
{
  const char   *text;
  TsQueryError  code;
  const char   *word;         /* the range, found in text (the first occurrence) */
  const char   *mentions;     /* also in the message, when not NULL */
} error_cases[] = {
  /* Syntax. */
  { "北京 \"上海", TS_QUERY_ERROR_SYNTAX, "\"上海", NULL },
  { "概要:\"北京", TS_QUERY_ERROR_SYNTAX, "概要:\"北京", NULL },
  { "“北京", TS_QUERY_ERROR_SYNTAX, "“北京", NULL },
  { "北京 - 上海", TS_QUERY_ERROR_SYNTAX, "-", NULL },
  { ":北京", TS_QUERY_ERROR_SYNTAX, ":北京", NULL },
  { "问题级别:", TS_QUERY_ERROR_SYNTAX, "问题级别:", NULL },
  { "问题级别: 严重问题", TS_QUERY_ERROR_SYNTAX, "问题级别:", NULL },
  { "影响设备数:>=", TS_QUERY_ERROR_SYNTAX, "影响设备数:>=", NULL },
  { "问题级别:严重问题,", TS_QUERY_ERROR_SYNTAX, "问题级别:严重问题,", NULL },
  { "问题级别:严重问题,,紧急问题", TS_QUERY_ERROR_SYNTAX, "问题级别:严重问题,,紧急问题", NULL },
  { "问题级别:,严重问题", TS_QUERY_ERROR_SYNTAX, "问题级别:,严重问题", NULL },
  { "\"北京\"上海", TS_QUERY_ERROR_SYNTAX, "\"北京\"上海", NULL },
  { "北\"京\"", TS_QUERY_ERROR_SYNTAX, "北\"京\"", NULL },
  { "概要:北\"京\"", TS_QUERY_ERROR_SYNTAX, "概要:北\"京\"", NULL },
  { "概要:\"北京\"x", TS_QUERY_ERROR_SYNTAX, "概要:\"北京\"x", NULL },
  { "影响设备数:..", TS_QUERY_ERROR_SYNTAX, "影响设备数:..", NULL },
  { "发生日期:..", TS_QUERY_ERROR_SYNTAX, "发生日期:..", NULL },
  { "-影响设备数:3..5", TS_QUERY_ERROR_SYNTAX, "-影响设备数:3..5", NULL },
  { "-影响设备数:>=5", TS_QUERY_ERROR_SYNTAX, "-影响设备数:>=5", NULL },
  { "-发生日期:2018-01", TS_QUERY_ERROR_SYNTAX, "-发生日期:2018-01", NULL },
  { "-created:2018", TS_QUERY_ERROR_SYNTAX, "-created:2018", NULL },
  { "-reached:关闭", TS_QUERY_ERROR_SYNTAX, "-reached:关闭", NULL },
  { "reached:关闭@", TS_QUERY_ERROR_SYNTAX, "reached:关闭@", NULL },
  { "reached:@2018", TS_QUERY_ERROR_SYNTAX, "reached:@2018", NULL },
  { "reached:>=关闭", TS_QUERY_ERROR_SYNTAX, "reached:>=关闭", NULL },
  { "发生日期:2018..2019..2020", TS_QUERY_ERROR_SYNTAX, "发生日期:2018..2019..2020", NULL },
  { "问题级别:\"严重问题\"@2018", TS_QUERY_ERROR_SYNTAX, "问题级别:\"严重问题\"@2018", NULL },
  { "has:发布说明,概要", TS_QUERY_ERROR_SYNTAX, "has:发布说明,概要", NULL },

  /* Unknown fields, with a suggestion. */
  { "级别:严重问题", TS_QUERY_ERROR_UNKNOWN_FIELD, "级别:严重问题", "问题级别" },
  { "问题级:严重问题", TS_QUERY_ERROR_UNKNOWN_FIELD, "问题级:严重问题", "问题级别" },
  { "isue_level:严重问题", TS_QUERY_ERROR_UNKNOWN_FIELD, "isue_level:严重问题", "issue_level" },
  { "北京 http://example.com", TS_QUERY_ERROR_UNKNOWN_FIELD, "http://example.com", "\"http://example.com\"" },
  { "no_such_field:x", TS_QUERY_ERROR_UNKNOWN_FIELD, "no_such_field:x", NULL },
  { "has:级别", TS_QUERY_ERROR_UNKNOWN_FIELD, "has:级别", "问题级别" },
  { "text:北京", TS_QUERY_ERROR_UNKNOWN_FIELD, "text:北京", NULL },

  /* Bad values. */
  { "问题级别:严重", TS_QUERY_ERROR_BAD_VALUE, "问题级别:严重", "紧急问题" },
  { "北京 问题级别:严重问题,严重", TS_QUERY_ERROR_BAD_VALUE, "问题级别:严重问题,严重", "严重问题" },
  { "-客户类别:银行", TS_QUERY_ERROR_BAD_VALUE, "-客户类别:银行", "金融" },
  { "state:已关闭", TS_QUERY_ERROR_BAD_VALUE, "state:已关闭", "关闭" },
  { "reached:结束", TS_QUERY_ERROR_BAD_VALUE, "reached:结束", "维护人员处理" },
  { "影响设备数:三", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:三", NULL },
  { "影响设备数:3.5", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:3.5", NULL },
  { "影响设备数:99999999999999999999", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:99999999999999999999", NULL },
  { "影响设备数:>9223372036854775807", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:>9223372036854775807", NULL },
  { "影响设备数:10..5", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:10..5", NULL },
  { "影响设备数:1,3..5", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:1,3..5", NULL },
  { "影响设备数:>=1,2", TS_QUERY_ERROR_BAD_VALUE, "影响设备数:>=1,2", NULL },
  { "发生日期:2018-02-30", TS_QUERY_ERROR_BAD_VALUE, "发生日期:2018-02-30", "2018-02-30" },
  { "发生日期:2018-13", TS_QUERY_ERROR_BAD_VALUE, "发生日期:2018-13", NULL },
  { "发生日期:2018/01/05", TS_QUERY_ERROR_BAD_VALUE, "发生日期:2018/01/05", "2018-01-05" },
  { "发生日期:昨天", TS_QUERY_ERROR_BAD_VALUE, "发生日期:昨天", "2018-01-31" },
  { "发生日期:2018-02..2018-01", TS_QUERY_ERROR_BAD_VALUE, "发生日期:2018-02..2018-01", NULL },
  { "发生日期:2018-01,2018-02", TS_QUERY_ERROR_BAD_VALUE, "发生日期:2018-01,2018-02", NULL },
  { "发生日期:>2018-01-31T10:00:00Z", TS_QUERY_ERROR_BAD_VALUE, "发生日期:>2018-01-31T10:00:00Z", NULL },
  { "发生日期:<0001-01-01", TS_QUERY_ERROR_BAD_VALUE, "发生日期:<0001-01-01", NULL },
  { "发生日期:>9999", TS_QUERY_ERROR_BAD_VALUE, "发生日期:>9999", NULL },
  { "created:2018-01-31T10:00:00Z", TS_QUERY_ERROR_BAD_VALUE, "created:2018-01-31T10:00:00Z", ">=" },
  { "created:>2018-01-31T10:00:00Z", TS_QUERY_ERROR_BAD_VALUE, "created:>2018-01-31T10:00:00Z", ">=" },
  { "created:>=2018-01-31T10:00:00", TS_QUERY_ERROR_BAD_VALUE, "created:>=2018-01-31T10:00:00", "+08:00" },
  { "created:2018-01,2018-02", TS_QUERY_ERROR_BAD_VALUE, "created:2018-01,2018-02", NULL },
  { "created:yesterday", TS_QUERY_ERROR_BAD_VALUE, "created:yesterday", NULL },
  { "问题级别:>=一般问题", TS_QUERY_ERROR_BAD_VALUE, "问题级别:>=一般问题", NULL },
  { "概要:>北京", TS_QUERY_ERROR_BAD_VALUE, "概要:>北京", NULL },
  { "state:<关闭", TS_QUERY_ERROR_BAD_VALUE, "state:<关闭", NULL },
  { "概要:北京,上海", TS_QUERY_ERROR_BAD_VALUE, "概要:北京,上海", "概要:北京 概要:上海" },
  { "概要:\"\"", TS_QUERY_ERROR_BAD_VALUE, "概要:\"\"", NULL },
  { "北京 \"\"", TS_QUERY_ERROR_BAD_VALUE, "\"\"", NULL },
  { "重复发生:maybe", TS_QUERY_ERROR_BAD_VALUE, "重复发生:maybe", "true" },
  { "has:state", TS_QUERY_ERROR_BAD_VALUE, "has:state", NULL },
  { "no:created", TS_QUERY_ERROR_BAD_VALUE, "no:created", NULL },
  { "reached:关闭,SE分析改进", TS_QUERY_ERROR_BAD_VALUE, "reached:关闭,SE分析改进", NULL },
  { "reached:关闭@2018-13", TS_QUERY_ERROR_BAD_VALUE, "reached:关闭@2018-13", NULL },
  { "reached:关闭@2018-01-31T10:00:00", TS_QUERY_ERROR_BAD_VALUE, "reached:关闭@2018-01-31T10:00:00", NULL },

  /* Twice, in a way that cannot both hold. */
  { "问题级别:严重问题 问题级别:一般问题", TS_QUERY_ERROR_CONFLICT, "问题级别:一般问题", "问题级别:严重问题,一般问题" },
  { "state:关闭 状态:SE分析改进", TS_QUERY_ERROR_CONFLICT, "状态:SE分析改进", "state:关闭,SE分析改进" },
  { "问题级别:严重问题 -问题级别:一般问题", TS_QUERY_ERROR_CONFLICT, "-问题级别:一般问题", NULL },
  { "-问题级别:一般问题 问题级别:严重问题", TS_QUERY_ERROR_CONFLICT, "问题级别:严重问题", NULL },
  { "影响设备数:>=5 影响设备数:>=6", TS_QUERY_ERROR_CONFLICT, "影响设备数:>=6", "影响设备数:5..10" },
  { "影响设备数:3..8 影响设备数:<=9", TS_QUERY_ERROR_CONFLICT, "影响设备数:<=9", NULL },
  { "影响设备数:3 影响设备数:>=1", TS_QUERY_ERROR_CONFLICT, "影响设备数:>=1", NULL },
  { "created:2018-01 created:>=2018-01-05", TS_QUERY_ERROR_CONFLICT, "created:>=2018-01-05", NULL },
  { "概要:=a 概要:b", TS_QUERY_ERROR_CONFLICT, "概要:b", NULL },
  { "has:发布说明 no:发布说明", TS_QUERY_ERROR_CONFLICT, "no:发布说明", NULL },
  { "no:发布说明 发布说明:x", TS_QUERY_ERROR_CONFLICT, "发布说明:x", NULL },
  { "no:发布说明 has:release_notes", TS_QUERY_ERROR_CONFLICT, "has:release_notes", NULL },
  { "reached:关闭 reached:SE分析改进@2018", TS_QUERY_ERROR_CONFLICT, "reached:SE分析改进@2018", NULL },
};

static void
test_error (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  const char *text = error_cases[i].text;
  const char *word = strstr (text, error_cases[i].word);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *at_fault = NULL;
  guint start = G_MAXUINT, end = G_MAXUINT;

  g_assert_nonnull (word);

  node = ts_query_parse (project, text, ME, &start, &end, &error);
  if (node != NULL)
    {
      g_autofree char *json = to_json (node);

      g_error ("“%s” should be refused, but reads as %s", text, json);
    }
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == TS_QUERY_ERROR);
  g_assert_cmpint (error->code, ==, error_cases[i].code);

  g_assert_cmpuint (start, ==, word - text);
  g_assert_cmpuint (end, ==, (word - text) + strlen (error_cases[i].word));

  /* The message says which word (under any language). */
  at_fault = g_strndup (text + start, end - start);
  g_assert_nonnull (strstr (error->message, at_fault));
  if (error_cases[i].mentions != NULL)
    g_assert_nonnull (strstr (error->message, error_cases[i].mentions));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* "me" without a login is refused; any other value is taken. */
static void
test_me (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) literal = NULL;
  g_autoptr(JsonNode) expected = parse_json ("{\"assigned_to\": \"me\"}");
  guint start, end;

  node = ts_query_parse (project, "北京 处理人:me", NULL, &start, &end, &error);
  g_assert_null (node);
  g_assert_error (error, TS_QUERY_ERROR, TS_QUERY_ERROR_BAD_VALUE);
  g_assert_cmpuint (start, ==, strlen ("北京 "));
  g_assert_cmpuint (end, ==, strlen ("北京 处理人:me"));

  literal = parse_ok (project, "处理人:=me", NULL);
  g_assert_true (json_node_equal (literal, expected));
}

/* Text that is not UTF-8 is refused at its first bad byte, never read. */
static void
test_invalid_utf8 (void)
{
  static const char * const texts[] = {
    "\xff",
    "北京 \xe5\x8c",
    "问题级别:\xc3\x28",
    "\"\xed\xa0\x80\"",          /* a UTF-16 surrogate */
    "a \xf8\x88\x80\x80\x80",     /* five bytes */
    "\xc0\xaf",                   /* an overlong slash */
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      const char *bad = NULL;
      guint start = G_MAXUINT, end = G_MAXUINT;

      g_assert_false (g_utf8_validate (texts[i], -1, &bad));
      node = ts_query_parse (project, texts[i], ME, &start, &end, &error);
      g_assert_null (node);
      g_assert_error (error, TS_QUERY_ERROR, TS_QUERY_ERROR_SYNTAX);
      g_assert_cmpuint (start, ==, bad - texts[i]);
      g_assert_cmpuint (end, ==, start + 1);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

/* Names: what a project's own fields take from the system's aliases {{{1 */

static void
test_names (void)
{
  /* A field labelled 状态 and one named has: the project wins, and the
   * canonical text still finds the system's state and has:. */
  g_autoptr(TsProject) other = project_from_json (
    "{\"tasksteper\": 1, \"name\": \"names\", \"title\": \"t\","
    " \"fields\": ["
    "  {\"name\": \"summary\", \"label\": \"概要\", \"type\": \"string\"},"
    "  {\"name\": \"phase\", \"label\": \"状态\", \"type\": \"choice\", \"choices\": [\"草稿\", \"定稿\"]},"
    "  {\"name\": \"has\", \"label\": \"has\", \"type\": \"string\"},"
    "  {\"name\": \"owner_a\", \"label\": \"负责人\", \"type\": \"user\"},"
    "  {\"name\": \"owner_b\", \"label\": \"负责人\", \"type\": \"user\"},"
    "  {\"name\": \"due\", \"label\": \"Due date\", \"type\": \"date\"},"
    "  {\"name\": \"odd\", \"label\": \"-a:b,c\", \"type\": \"string\"}"
    " ],"
    " \"states\": [\"open\", \"done\"],"
    " \"transitions\": [{\"source\": \"open\", \"trigger\": \"finish\", \"dest\": \"done\","
    "                    \"trans_condition\": {}, \"trans_action\": {}}]}");
  static const struct
  {
    const char *text;
    const char *filter;
  } cases[] = {
    { "状态:草稿", "{\"phase\": \"草稿\"}" },
    { "state:open", "{\"state\": \"open\"}" },
    { "当前状态:done", "{\"state\": \"done\"}" },
    { "has:x", "{\"has\": {\"contains\": \"x\"}}" },
    { "有:summary", "{\"summary\": {\"not_empty\": true}}" },
    { "owner_a:me", "{\"owner_a\": \"" ME "\"}" },
    { "\"Due date\":2018-01", "{\"due\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-01-31\"}}" },
    { "\"-a:b,c\":x", "{\"odd\": {\"contains\": \"x\"}}" },
    { "无:\"-a:b,c\"", "{\"odd\": {\"empty\": true}}" },
  };
  static const char * const round_trips[] = {
    "{\"state\": \"open\", \"phase\": \"定稿\"}",
    "{\"summary\": {\"not_empty\": true}, \"has\": {\"empty\": true}}",
    "{\"owner_a\": \"bob\", \"owner_b\": {\"not\": \"carol\"}}",
    "{\"due\": {\"gte\": \"2018-01-05\"}, \"odd\": {\"contains\": [\"x\", \"y z\"]}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) expected = parse_json (cases[i].filter);
      g_autoptr(JsonNode) got = parse_ok (other, cases[i].text, ME);
      g_autofree char *a = to_json (expected);
      g_autofree char *b = to_json (got);

      g_assert_cmpstr (b, ==, a);
    }

  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++)
    {
      g_autoptr(JsonNode) filter = parse_json (round_trips[i]);
      g_autofree char *text = ts_query_format (other, filter);

      g_test_message ("%s → %s", round_trips[i], text);
      assert_round_trip (other, filter);
    }

  /* A label two fields share names neither. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;
    guint start, end;

    node = ts_query_parse (other, "负责人:bob", ME, &start, &end, &error);
    g_assert_null (node);
    g_assert_error (error, TS_QUERY_ERROR, TS_QUERY_ERROR_UNKNOWN_FIELD);
    g_assert_nonnull (strstr (error->message, "owner_a"));
    g_assert_nonnull (strstr (error->message, "owner_b"));
  }
}

/* Formatting: every filter of search.json reads back as itself {{{1 */

static void
test_format_case (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  JsonNode *filter = json_object_get_member (vector, "filter");
  g_autofree char *text = ts_query_format (project, filter);

  g_test_message ("%s", text);
  assert_round_trip (project, filter);
}

static void
test_format_examples (void)
{
  static const struct
  {
    const char *filter;
    const char *text;
  } examples[] = {
    { "{}", "" },
    { "{\"issue_level\": \"严重问题\", \"state\": \"关闭\", \"text\": \"北京\"}", "问题级别:严重问题 state:关闭 北京" },
    { "{\"customer_type\": \"金融 \"}", "客户类别:=\"金融 \"" },
    { "{\"text\": {\"contains\": [\"北京\", \"a b\"], \"not_contains\": \"-x\"}}", "北京 \"a b\" -\"-x\"" },
    { "{\"created_at\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-01-31\"}}", "created:2018-01" },
    { "{\"created_at\": {\"gte\": \"2018-01-05\", \"lte\": \"2018-01-05\"}}", "created:2018-01-05" },
    { "{\"occurred_on\": {\"gte\": \"2018-01-05\", \"lte\": \"2018-01-05\"}}", "发生日期:2018-01-05..2018-01-05" },
    { "{\"updated_at\": {\"gte\": \"2018-01-01\", \"lte\": \"2018-12-31\"}}", "updated:2018" },
    { "{\"reached\": {\"state\": \"关闭\", \"from\": \"2018-01-01\", \"to\": \"2018-02-28\"}}", "reached:关闭@2018-01..2018-02" },
    { "{\"reached\": {\"state\": \"关闭\", \"to\": \"2018-01-31T23:59:59+08:00\"}}", "reached:关闭@<=2018-01-31T23:59:59+08:00" },
    { "{\"assigned_to\": \"me\"}", "assignee:=me" },
    { "{\"release_notes\": {\"empty\": true}}", "no:发布说明" },
    { "{\"device_count\": {\"gte\": 3, \"lte\": 8}}", "影响设备数:3..8" },
    { "{\"summary\": {\"not_contains\": [\"北京\", \"上海\"]}}", "-概要:北京,上海" },
    { "{\"key\": [\"question_2\", \"question_9\"]}", "key:=question_2,question_9" },
    /* Not what the parser makes, still the same meaning. */
    { "{\"issue_level\": [\"严重问题\"]}", "问题级别:严重问题" },
    { "{\"text\": {\"contains\": \"北京\"}}", "北京" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autoptr(JsonNode) filter = parse_json (examples[i].filter);
      g_autofree char *text = ts_query_format (project, filter);

      g_assert_cmpstr (text, ==, examples[i].text);
    }
}

/* Random filters {{{1 */

static const char * const word_pieces[] = {
  "北京", "上海", "局点", "硬盘", "a", "B", "_", "%", "-", "x y", "\"", "\\", ":", "：", ",", "，", "、",
  "@", "..", "~", ">=", "=", "“", "”", "me", "true", "2018-01", " ", "　", "\t", "Écran", "ZÜRICH", "5",
};

static char *
random_word (GRand *rand)
{
  g_autoptr(GString) word = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 1, 4);

  for (guint i = 0; i < n; i++)
    g_string_append (word, word_pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (word_pieces))]);
  return g_string_free (g_steal_pointer (&word), FALSE);
}

static char *
random_day (GRand *rand)
{
  GDate date;

  g_date_set_julian (&date, g_rand_int_range (rand, 1, 3652059));
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date));
}

static char *
random_instant (GRand *rand)
{
  static const char * const offsets[] = { "Z", "+08:00", "-05:30", "+00:00" };
  g_autofree char *day = random_day (rand);

  return g_strdup_printf ("%sT%02d:%02d:%02d%s", day, g_rand_int_range (rand, 0, 24),
                          g_rand_int_range (rand, 0, 60), g_rand_int_range (rand, 0, 60),
                          offsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (offsets))]);
}

/* A value of @field's kind; choices and states mostly from the lists. */
static JsonNode *
random_scalar (GRand      *rand,
               const char *key,
               TsField    *field)
{
  if (field != NULL)
    switch (ts_field_get_field_type (field))
      {
      case TS_FIELD_INTEGER:
        return json_node_init_int (json_node_alloc (), g_rand_int_range (rand, -3, 20));
      case TS_FIELD_BOOLEAN:
        return json_node_init_boolean (json_node_alloc (), g_rand_boolean (rand));
      case TS_FIELD_DATE:
        {
          g_autofree char *day = random_day (rand);

          return json_node_init_string (json_node_alloc (), day);
        }
      case TS_FIELD_CHOICE:
        if (g_rand_int_range (rand, 0, 4) > 0)
          {
            const char * const *choices = ts_field_get_choices (field);

            return json_node_init_string (json_node_alloc (),
                                          choices[g_rand_int_range (rand, 0, g_strv_length ((char **)choices))]);
          }
        break;
      case TS_FIELD_STRING:
      case TS_FIELD_TEXT:
      case TS_FIELD_URL:
      case TS_FIELD_USER:
      default:
        break;
      }

  if (g_strcmp0 (key, "state") == 0 && g_rand_int_range (rand, 0, 4) > 0)
    {
      const char * const *states = ts_project_get_states (project);

      return json_node_init_string (json_node_alloc (),
                                    states[g_rand_int_range (rand, 0, g_strv_length ((char **)states))]);
    }

  {
    g_autofree char *word = random_word (rand);

    return json_node_init_string (json_node_alloc (), word);
  }
}

static JsonNode *
random_values (GRand      *rand,
               const char *key,
               TsField    *field)
{
  guint n = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 2, 4) : 1;
  JsonArray *list;

  if (n == 1)
    return random_scalar (rand, key, field);

  list = json_array_new ();
  for (guint i = 0; i < n; i++)
    json_array_add_element (list, random_scalar (rand, key, field));
  return json_node_init_array (json_node_alloc (), list);
}

static JsonNode *
random_words (GRand *rand)
{
  guint n = g_rand_int_range (rand, 0, 3) == 0 ? g_rand_int_range (rand, 2, 4) : 1;
  JsonArray *list;

  if (n == 1)
    {
      g_autofree char *word = random_word (rand);

      return json_node_init_string (json_node_alloc (), word);
    }

  list = json_array_new ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *word = random_word (rand);

      json_array_add_string_element (list, word);
    }
  return json_node_init_array (json_node_alloc (), list);
}

/* Bounds in order: integers, days, or (for created and updated) times. */
static void
random_bounds (GRand      *rand,
               JsonObject *object,
               gboolean    integer,
               gboolean    times,
               const char *lower,
               const char *upper)
{
  guint which = g_rand_int_range (rand, 0, 3);   /* 0: lower, 1: upper, 2: both */

  if (integer)
    {
      gint64 a = g_rand_int_range (rand, -50, 50);
      gint64 b = a + g_rand_int_range (rand, 0, 50);

      if (which != 1)
        json_object_set_int_member (object, lower, a);
      if (which != 0)
        json_object_set_int_member (object, upper, b);
      return;
    }

  {
    g_autofree char *a = times && g_rand_boolean (rand) ? random_instant (rand) : random_day (rand);
    g_autofree char *b = times && g_rand_boolean (rand) ? random_instant (rand) : random_day (rand);

    /* Two days in order; a time's order is not checked. */
    if (strlen (a) == 10 && strlen (b) == 10 && strcmp (a, b) > 0)
      {
        char *t = a;

        a = b;
        b = t;
      }
    if (which != 1)
      json_object_set_string_member (object, lower, a);
    if (which != 0)
      json_object_set_string_member (object, upper, b);
  }
}

/* A filter as the parser makes them (canonical): single values as scalars,
 * single words as strings, no operator the words could not give. */
static JsonNode *
random_filter (GRand *rand)
{
  static const char * const system_keys[] = {
    "key", "state", "assigned_to", "created_by", "created_at", "updated_at", "text", "reached",
  };
  g_autoptr(JsonObject) filter = json_object_new ();
  guint n = g_rand_int_range (rand, 1, 5);
  guint n_fields = ts_project_get_n_fields (project);

  for (guint i = 0; i < n; i++)
    {
      guint pick = g_rand_int_range (rand, 0, n_fields + G_N_ELEMENTS (system_keys));
      TsField *field = pick < n_fields ? ts_project_get_field (project, pick) : NULL;
      const char *key = field ? ts_field_get_name (field) : system_keys[pick - n_fields];
      TsFieldType type = field ? ts_field_get_field_type (field) : TS_FIELD_STRING;
      gboolean words = g_str_equal (key, "key") ||
                       (field != NULL && (type == TS_FIELD_STRING || type == TS_FIELD_TEXT || type == TS_FIELD_URL));
      gboolean ordered = field != NULL && (type == TS_FIELD_INTEGER || type == TS_FIELD_DATE);
      gboolean can_be_empty = field != NULL || g_str_equal (key, "assigned_to");
      g_autoptr(JsonObject) ops = json_object_new ();

      if (json_object_has_member (filter, key))
        continue;

      if (g_str_equal (key, "text"))
        {
          guint form = g_rand_int_range (rand, 0, 3);

          if (form == 0)
            {
              g_autofree char *word = random_word (rand);

              json_object_set_string_member (filter, key, word);
              continue;
            }
          if (form == 2 || g_rand_boolean (rand))
            {
              JsonNode *contains = random_words (rand);

              /* One word alone is written as a string. */
              if (form == 1 && JSON_NODE_HOLDS_VALUE (contains))
                {
                  json_object_set_member (filter, key, contains);
                  continue;
                }
              json_object_set_member (ops, "contains", contains);
            }
          if (form == 2 || !json_object_has_member (ops, "contains"))
            json_object_set_member (ops, "not_contains", random_words (rand));
          if (json_object_get_size (ops) == 1 && json_object_has_member (ops, "contains") &&
              JSON_NODE_HOLDS_VALUE (json_object_get_member (ops, "contains")))
            json_object_set_member (ops, "not_contains", random_words (rand));
          json_object_set_object_member (filter, key, g_steal_pointer (&ops));
          continue;
        }

      if (g_str_equal (key, "reached"))
        {
          const char * const *states = ts_project_get_states (project);

          json_object_set_string_member (ops, "state", g_rand_int_range (rand, 0, 4) > 0
                                         ? states[g_rand_int_range (rand, 0, g_strv_length ((char **)states))]
                                         : "旧状态");
          if (g_rand_boolean (rand))
            random_bounds (rand, ops, FALSE, TRUE, "from", "to");
          json_object_set_object_member (filter, key, g_steal_pointer (&ops));
          continue;
        }

      if (g_str_equal (key, "created_at") || g_str_equal (key, "updated_at"))
        {
          random_bounds (rand, ops, FALSE, TRUE, "gte", "lte");
          json_object_set_object_member (filter, key, g_steal_pointer (&ops));
          continue;
        }

      /* Equality, or operators that can hold together. */
      if (g_rand_int_range (rand, 0, 3) == 0)
        {
          json_object_set_member (filter, key, random_values (rand, key, field));
          continue;
        }

      if (words && g_rand_boolean (rand))
        json_object_set_member (ops, "contains", random_words (rand));
      if (words && g_rand_int_range (rand, 0, 3) == 0)
        json_object_set_member (ops, "not_contains", random_words (rand));
      if (g_rand_int_range (rand, 0, 3) == 0)
        json_object_set_member (ops, "not", random_values (rand, key, field));
      if (ordered && g_rand_boolean (rand))
        random_bounds (rand, ops, type == TS_FIELD_INTEGER, FALSE, "gte", "lte");
      if (can_be_empty && g_rand_int_range (rand, 0, 4) == 0)
        {
          /* Empty holds with "not" and "not_contains" only. */
          if (!json_object_has_member (ops, "contains") && !json_object_has_member (ops, "gte") &&
              !json_object_has_member (ops, "lte") && g_rand_boolean (rand))
            json_object_set_boolean_member (ops, "empty", TRUE);
          else
            json_object_set_boolean_member (ops, "not_empty", TRUE);
        }
      if (json_object_get_size (ops) == 0)
        json_object_set_member (ops, "not", random_values (rand, key, field));

      json_object_set_object_member (filter, key, g_steal_pointer (&ops));
    }

  return json_node_init_object (json_node_alloc (), filter);
}

static void
test_format_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20180131);

  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr(JsonNode) filter = random_filter (rand);
      g_autoptr(GError) error = NULL;
      g_autoptr(TsFilter) valid = ts_filter_new (project, filter, NULL, NULL, &error);

      /* The generator makes valid filters only. */
      g_assert_no_error (error);
      g_assert_nonnull (valid);
      assert_round_trip (project, filter);
    }
}

/* Any filter at all: the canonical query of a filter that is valid but
 * not of the parser's making means the same, on the tickets of
 * search.json; for anything else formatting never crashes. */

static GPtrArray *tickets;     /* of TsTicket */
static GPtrArray *histories;   /* of GArray of TsStateEntry, parallel */

static gint64
instant_usec (const char *str)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (str, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

static void
load_tickets (void)
{
  JsonArray *list = json_object_get_array_member (json_node_get_object (search_root), "tickets");

  tickets = g_ptr_array_new_with_free_func (g_object_unref);
  histories = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      JsonArray *entries = json_object_get_array_member (object, "history");
      g_autoptr(GDateTime) created_at = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "created_at"), NULL);
      g_autoptr(GDateTime) updated_at = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "updated_at"), NULL);
      TsTicket *ticket = ts_ticket_new ();
      GArray *history = g_array_new (FALSE, TRUE, sizeof (TsStateEntry));

      ts_ticket_set_key (ticket, json_object_get_string_member (object, "key"));
      ts_ticket_set_state (ticket, json_object_get_string_member (object, "state"));
      ts_ticket_set_assigned_to (ticket, json_object_get_string_member (object, "assigned_to"));
      ts_ticket_set_created_by (ticket, json_object_get_string_member (object, "created_by"));
      ts_ticket_set_created_at (ticket, created_at);
      ts_ticket_set_updated_at (ticket, updated_at);
      ts_ticket_set_fields (ticket, json_object_get_object_member (object, "fields"));
      for (guint e = 0; e < json_array_get_length (entries); e++)
        {
          JsonObject *entry = json_array_get_object_element (entries, e);
          TsStateEntry state = { json_object_get_string_member (entry, "to_state"),
                                 instant_usec (json_object_get_string_member (entry, "at")) };

          g_array_append_val (history, state);
        }
      g_ptr_array_add (tickets, ticket);
      g_ptr_array_add (histories, history);
    }
}

static GString *
matching_keys (TsFilter *filter)
{
  GString *keys = g_string_new (NULL);

  for (guint i = 0; i < tickets->len; i++)
    {
      GArray *history = g_ptr_array_index (histories, i);

      if (ts_filter_matches (filter, g_ptr_array_index (tickets, i),
                             (TsStateEntry *)(gpointer)history->data, history->len))
        g_string_append_printf (keys, "%s ", ts_ticket_get_key (g_ptr_array_index (tickets, i)));
    }
  return keys;
}

static JsonNode *
random_any_scalar (GRand *rand)
{
  static const char * const strings[] = {
    "严重问题", "关闭", "北京", "2018-01-31", "2018-02-30", "2018-01-31T10:00:00Z", "", " ", "me", "bob", "x y",
  };

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      return json_node_init_int (json_node_alloc (), g_rand_int_range (rand, -2, 10));
    case 1:
      return json_node_init_boolean (json_node_alloc (), g_rand_boolean (rand));
    case 2:
      return json_node_init_double (json_node_alloc (), g_rand_double_range (rand, -2, 10));
    case 3:
      return json_node_init_null (json_node_alloc ());
    default:
      return json_node_init_string (json_node_alloc (), strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))]);
    }
}

static JsonNode *
random_any_value (GRand *rand,
                  guint  depth)
{
  static const char * const members[] = {
    "contains", "not_contains", "empty", "not_empty", "not", "gte", "lte", "state", "from", "to", "between",
  };
  guint kind = depth > 1 ? 0 : g_rand_int_range (rand, 0, 3);

  if (kind == 0)
    return random_any_scalar (rand);

  if (kind == 1)
    {
      JsonArray *array = json_array_new ();
      guint n = g_rand_int_range (rand, 0, 4);

      for (guint i = 0; i < n; i++)
        json_array_add_element (array, random_any_value (rand, depth + 1));
      return json_node_init_array (json_node_alloc (), array);
    }

  {
    JsonObject *object = json_object_new ();
    guint n = g_rand_int_range (rand, 0, 4);

    for (guint i = 0; i < n; i++)
      json_object_set_member (object, members[g_rand_int_range (rand, 0, G_N_ELEMENTS (members))],
                              random_any_value (rand, depth + 1));
    return json_node_init_object (json_node_alloc (), object);
  }
}

static void
test_format_any (void)
{
  static const char * const keys[] = {
    "summary", "detail", "issue_level", "buglist_url", "device_count", "occurred_on", "recurring", "issue_se",
    "key", "state", "assigned_to", "created_by", "created_at", "updated_at", "text", "reached", "问题级别", "nope",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint valid = 0, same = 0;

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) filter = NULL;
      g_autoptr(TsFilter) checked = NULL;
      g_autofree char *text = NULL;
      guint n = g_rand_int_range (rand, 0, 4);

      for (guint k = 0; k < n; k++)
        json_object_set_member (object, keys[g_rand_int_range (rand, 0, G_N_ELEMENTS (keys))],
                                random_any_value (rand, 0));
      filter = json_node_init_object (json_node_alloc (), object);

      text = ts_query_format (project, filter);
      g_assert_nonnull (text);
      g_assert_true (g_utf8_validate (text, -1, NULL));

      checked = ts_filter_new (project, filter, NULL, NULL, NULL);
      if (checked != NULL)
        {
          g_autoptr(JsonNode) back = ts_query_parse (project, text, ME, NULL, NULL, NULL);

          valid++;
          /* A filter no query can write (a range that ends before it
           * starts, empty and not empty at once) is refused when read. */
          if (back != NULL)
            {
              g_autoptr(TsFilter) again = ts_filter_new (project, back, NULL, NULL, NULL);
              g_autoptr(GString) a = matching_keys (checked);
              g_autoptr(GString) b = NULL;

              g_assert_nonnull (again);
              b = matching_keys (again);
              if (!g_str_equal (a->str, b->str))
                {
                  g_autofree char *json = to_json (filter);

                  g_error ("%s finds %s, its query “%s” finds %s", json, a->str, text, b->str);
                }
              same++;
            }
        }
    }

  g_test_message ("%u valid filters, %u of them written as a query that means the same", valid, same);
  g_assert_cmpuint (valid, >, 1000);
  g_assert_cmpuint (same, >, valid * 9 / 10);
}

/* Completion {{{1 */

static const char * const people[] = { "alice", "bob", "carol", "dave", NULL };

static const struct
{
  const char *text;         /* "|" marks the cursor */
  const char *replaced;     /* what [start, end) covers */
  const char *texts;        /* the completions' texts, joined by " " (the first ones) */
  const char *label;        /* the first one's label and detail */
  const char *detail;
} completion_cases[] = {
  /* Field names and labels while typing a field, after "-" too. */
  { "问题|", "问题", "问题级别: 问题大类: 问题小类:", "问题级别", "issue_level" },
  { "级别|", "级别", "问题级别:", "问题级别", "issue_level" },
  { "iss|", "iss", "问题级别: 改进提取SE:", "问题级别", "issue_level" },
  { "-问题|", "问题", "问题级别: 问题大类: 问题小类:", "问题级别", "issue_level" },
  { "北京 cre|", "cre", "creator: created:", "creator", NULL },
  { "北京 状|", "状", "state:", "state", NULL },
  { "处理|", "处理", "assignee:", "assignee", NULL },
  { "问|题级别:严重问题", "问题级别:", "问题级别: 问题大类: 问题小类:", "问题级别", "issue_level" },
  { "\"Bug|", "\"Bug", "Buglist链接(URL):", "Buglist链接(URL)", "buglist_url" },
  { "has|", "has", "has:", "has", NULL },
  /* Choice values, states, people, booleans after "field:". */
  { "问题级别:|", "", "一般问题 严重问题 紧急问题", "一般问题", "问题级别" },
  { "问题级别:严|", "严", "严重问题", "严重问题", "问题级别" },
  { "问题级别：紧|", "紧", "紧急问题", "紧急问题", "问题级别" },
  { "问题级别:一般问题,|", "", "一般问题 严重问题 紧急问题", "一般问题", "问题级别" },
  { "问题级别:一般问题,紧|急", "紧急", "紧急问题", "紧急问题", "问题级别" },
  { "问题级别:紧|急问题 北京", "紧急问题", "紧急问题", "紧急问题", "问题级别" },
  { "-问题级别:一|", "一", "一般问题", "一般问题", "问题级别" },
  { "问题级别:=旧|", "旧", "", NULL, NULL },
  { "责任领域:bm|", "bm", "BMC", "BMC", "责任领域" },
  { "state:|", "", "维护人员处理 维护代表审核 SE分析改进 关闭", "维护人员处理", NULL },
  { "状态:se|", "se", "SE分析改进", "SE分析改进", NULL },
  { "reached:关|", "关", "关闭", "关闭", NULL },
  { "reached:关|闭@2018-01", "关闭", "关闭", "关闭", NULL },
  { "reached:关闭@20|", "", "", NULL, NULL },
  { "处理人:|", "", "me alice bob carol dave", "me", NULL },
  { "处理人:c|", "c", "carol alice", "carol", NULL },
  { "改进提取SE:d|", "d", "dave", "dave", "改进提取SE" },
  { "重复发生:|", "", "true false", "true", "重复发生" },
  { "has:发布|", "发布", "发布说明", "发布说明", "release_notes" },
  { "no:处理|", "处理", "assignee", "assignee", NULL },
  /* Nothing to offer. */
  { "概要:北|", "北", "", NULL, NULL },
  { "级别:|", "", "", NULL, NULL },
  { "北京|", "北京", "", NULL, NULL },
};

static char *
join_texts (GPtrArray *completions,
            guint      n)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < MIN (n, completions->len); i++)
    g_string_append_printf (out, "%s%s", i ? " " : "",
                            ts_query_completion_get_text (g_ptr_array_index (completions, i)));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_complete (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  const char *marked = completion_cases[i].text;
  const char *bar = strchr (marked, '|');
  g_autoptr(GString) text = g_string_new (marked);
  g_autoptr(GPtrArray) completions = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *texts = NULL;
  guint cursor = bar - marked;
  guint n_expected = 0;
  guint start = G_MAXUINT, end = G_MAXUINT;

  g_string_erase (text, cursor, 1);
  completions = ts_query_complete (project, text->str, cursor, people, &start, &end);
  g_assert_nonnull (completions);

  g_assert_cmpuint (start, <=, end);
  g_assert_cmpuint (end, <=, text->len);
  replaced = g_strndup (text->str + start, end - start);
  g_assert_cmpstr (replaced, ==, completion_cases[i].replaced);

  if (*completion_cases[i].texts != '\0')
    {
      g_auto(GStrv) expected = g_strsplit (completion_cases[i].texts, " ", -1);

      n_expected = g_strv_length (expected);
    }
  texts = join_texts (completions, n_expected);
  g_assert_cmpstr (texts, ==, completion_cases[i].texts);

  if (completion_cases[i].label != NULL)
    {
      TsQueryCompletion *first = g_ptr_array_index (completions, 0);

      g_assert_cmpstr (ts_query_completion_get_label (first), ==, completion_cases[i].label);
      if (completion_cases[i].detail != NULL)
        g_assert_cmpstr (ts_query_completion_get_detail (first), ==, completion_cases[i].detail);
      else
        g_assert_nonnull (ts_query_completion_get_detail (first));
    }
  else
    g_assert_cmpuint (completions->len, ==, 0);

  /* Taking the first completion gives a query that reads, or one that
   * goes on with a value. */
  if (completions->len > 0)
    {
      TsQueryCompletion *first = g_ptr_array_index (completions, 0);
      g_autoptr(GString) taken = g_string_new (text->str);

      g_string_erase (taken, start, end - start);
      g_string_insert (taken, start, ts_query_completion_get_text (first));
      g_test_message ("%s → %s", text->str, taken->str);
      if (!g_str_has_suffix (ts_query_completion_get_text (first), ":"))
        {
          g_autoptr(JsonNode) node = parse_ok (project, taken->str, ME);

          g_assert_nonnull (node);
        }
    }
}

/* Everything the list shows has a text, a label, and a place. */
static void
test_complete_everywhere (void)
{
  static const char * const texts[] = {
    "问题级别:严重问题 state:关闭 北京 -电源 created:2018-01 reached:关闭@2018-01..2018-02",
    "处理人:me,bob has:发布说明 \"Buglist链接(URL)\":4711 -问题级别:=\"一般 问题\"",
    "\"unclosed 问题级别:紧",
  };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      gsize length = strlen (texts[t]);

      for (guint cursor = 0; cursor <= length + 2; cursor++)
        {
          g_autoptr(GPtrArray) completions = NULL;
          guint start, end;

          completions = ts_query_complete (project, texts[t], cursor, people, &start, &end);
          g_assert_nonnull (completions);
          g_assert_cmpuint (start, <=, end);
          g_assert_cmpuint (end, <=, length);
          for (guint i = 0; i < completions->len; i++)
            {
              TsQueryCompletion *c = g_ptr_array_index (completions, i);

              g_assert_nonnull (ts_query_completion_get_text (c));
              g_assert_nonnull (ts_query_completion_get_label (c));
            }
        }
    }
}

/* Fuzz {{{1 */

static const char * const fuzz_tokens[] = {
  "问题级别", "issue_level", "概要", "key", "state", "状态", "reached", "created", "updated", "has", "no",
  "处理人", "影响设备数", "发生日期", "重复发生", "Buglist链接(URL)", "改进提取SE", "text",
  ":", "：", "\"", "“", "”", "\\", "-", "－", ",", "，", "、", "..", "~", "@", "＠", "=", ">=", "<=", ">", "<",
  "＞", "≤", "严重问题", "关闭", "SE分析改进", "me", "我", "true", "是", "2018", "2018-01", "2018-01-31",
  "2018-02-30", "2018-01-31T10:00:00Z", "5", "-3", "99999999999999999999", "北京", "a", " ", " ", "　",
  "\t", "\n", "\xc2\xa0", "\xef\xbb\xbf",
};

/* Inputs a run tries; with -m slow a million.  The sanitizer build runs
 * five times slower, and the unit suite should stay within seconds there
 * too. */
#if defined (__SANITIZE_ADDRESS__)
#define FUZZ_ROUNDS 60000
#else
#define FUZZ_ROUNDS 200000
#endif

typedef struct
{
  guint parsed;
  guint refused;
  guint invalid;
} FuzzCounts;

static void
fuzz_one (const char *text,
          gsize       length,
          GRand      *rand,
          FuzzCounts *counts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint start = G_MAXUINT, end = G_MAXUINT;
  const char *me = g_rand_boolean (rand) ? ME : NULL;

  node = ts_query_parse (project, text, me, &start, &end, &error);

  if (node != NULL)
    {
      g_autoptr(TsFilter) filter = NULL;
      g_autofree char *formatted = NULL;
      g_autoptr(JsonNode) back = NULL;

      g_assert_null (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      filter = ts_filter_new (project, node, NULL, NULL, NULL);
      g_assert_nonnull (filter);

      /* What was read, written and read again, is the same filter. */
      formatted = ts_query_format (project, node);
      back = ts_query_parse (project, formatted, ME, NULL, NULL, &error);
      if (back == NULL || !json_node_equal (back, node))
        {
          g_autofree char *a = to_json (node);

          g_error ("“%s” reads as %s, written “%s”, which reads back %s",
                   text, a, formatted, error ? error->message : "differently");
        }
      counts->parsed++;
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == TS_QUERY_ERROR);
      g_assert_cmpint (error->code, >=, TS_QUERY_ERROR_SYNTAX);
      g_assert_cmpint (error->code, <=, TS_QUERY_ERROR_CONFLICT);
      g_assert_cmpuint (start, <, end);
      g_assert_cmpuint (end, <=, length);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpstr (error->message, !=, "");
      if (g_utf8_validate (text, length, NULL))
        counts->refused++;
      else
        counts->invalid++;
    }

  /* Completion anywhere in it. */
  if (g_rand_int_range (rand, 0, 4) == 0)
    {
      guint cursor = g_rand_int_range (rand, 0, length + 2);
      g_autoptr(GPtrArray) completions = ts_query_complete (project, text, cursor, people, &start, &end);

      g_assert_nonnull (completions);
      g_assert_cmpuint (start, <=, end);
      g_assert_cmpuint (end, <=, length);
    }
}

static void
test_fuzz (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func (g_free);
  FuzzCounts counts = { 0 };
  guint rounds = g_test_slow () ? 1000000 : FUZZ_ROUNDS;

  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    g_ptr_array_add (seeds, g_strdup (parse_cases[i].text));
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    g_ptr_array_add (seeds, g_strdup (error_cases[i].text));

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint kind = round % 20 < 8 ? 0 : round % 20 < 17 ? 1 : 2;

      if (kind == 0)
        {
          /* Tokens of the language in any order. */
          guint n = g_rand_int_range (rand, 1, 12);

          for (guint i = 0; i < n; i++)
            g_string_append (text, fuzz_tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (fuzz_tokens))]);
        }
      else if (kind == 1)
        {
          /* A good or bad query, mutated byte by byte. */
          guint n = g_rand_int_range (rand, 1, 4);

          g_string_assign (text, g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len)));
          for (guint i = 0; i < n; i++)
            {
              guint at = text->len ? g_rand_int_range (rand, 0, text->len) : 0;
              /* Mostly printable ASCII, now and then any byte. */
              guchar byte = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 1, 256)
                                                               : g_rand_int_range (rand, 0x20, 0x7f);

              switch (g_rand_int_range (rand, 0, 4))
                {
                case 0:
                  g_string_insert_c (text, at, byte);
                  break;
                case 1:
                  if (text->len > 0)
                    g_string_erase (text, at, 1);
                  break;
                case 2:
                  if (text->len > 0)
                    text->str[at] = byte;
                  break;
                default:
                  g_string_insert (text, at, fuzz_tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (fuzz_tokens))]);
                  break;
                }
            }
        }
      else
        {
          /* Any bytes at all. */
          guint n = g_rand_int_range (rand, 0, 24);

          for (guint i = 0; i < n; i++)
            g_string_append_c (text, (char)g_rand_int_range (rand, 1, 256));
        }

      fuzz_one (text->str, text->len, rand, &counts);
    }

  g_test_message ("%u inputs in %.2f s: %u read, %u refused, %u not UTF-8",
                  rounds, g_timer_elapsed (timer, NULL), counts.parsed, counts.refused, counts.invalid);
  /* The inputs reach all three answers. */
  g_assert_cmpuint (counts.parsed, >, rounds / 50);
  g_assert_cmpuint (counts.refused, >, rounds / 50);
  g_assert_cmpuint (counts.invalid, >, rounds / 50);
}

/* docs/search.md {{{1 */

/* Every row of the table "Every form" of docs/search.md: the example reads
 * as the filter beside it. */
static void
test_docs (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "search.md", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_table = FALSE;
  guint rows = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) cells = NULL;
      g_autofree char *query = NULL;
      g_autofree char *json = NULL;

      if (g_str_has_prefix (lines[i], "### "))
        in_table = g_str_equal (lines[i], "### Every form");
      if (!in_table || !g_str_has_prefix (lines[i], "| ") || g_str_has_prefix (lines[i], "| Form"))
        continue;

      cells = g_strsplit (lines[i], " | ", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 3);
      g_assert_true (g_str_has_prefix (cells[1], "`") && g_str_has_suffix (cells[1], "`"));
      g_assert_true (g_str_has_prefix (cells[2], "`") && g_str_has_suffix (cells[2], "` |"));
      query = g_strndup (cells[1] + 1, strlen (cells[1]) - 2);
      json = g_strndup (cells[2] + 1, strlen (cells[2]) - 4);

      {
        g_autoptr(JsonNode) expected = parse_json (json);
        g_autoptr(JsonNode) got = parse_ok (project, query, ME);
        g_autofree char *a = to_json (expected);
        g_autofree char *b = to_json (got);

        g_test_message ("%s → %s", query, b);
        g_assert_cmpstr (b, ==, a);
      }
      rows++;
    }

  g_assert_cmpuint (rows, >=, 40);
}

/* main {{{1 */

int
main (int   argc,
      char *argv[])
{
  JsonArray *cases;
  int ret;

  /* The messages in the language of the environment (zh_CN in the
   * test-query-zh_CN run), from the build tree's catalogue. */
  ts_init_i18n ();
  g_test_init (&argc, &argv, NULL);

  load_file ();
  load_tickets ();

  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ts/query/parse/%u", i);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_parse);
    }
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ts/query/error/%u", i);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_error);
    }
  g_test_add_func ("/ts/query/me", test_me);
  g_test_add_func ("/ts/query/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/ts/query/names", test_names);

  cases = json_object_get_array_member (json_node_get_object (search_root), "cases");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      g_autofree char *path = g_strdup_printf ("/ts/query/format/%s", json_object_get_string_member (vector, "name"));

      g_test_add_data_func (path, vector, test_format_case);
    }
  g_test_add_func ("/ts/query/format/examples", test_format_examples);
  g_test_add_func ("/ts/query/format/random", test_format_random);
  g_test_add_func ("/ts/query/format/any", test_format_any);

  for (guint i = 0; i < G_N_ELEMENTS (completion_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ts/query/complete/%u", i);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_complete);
    }
  g_test_add_func ("/ts/query/complete/everywhere", test_complete_everywhere);

  g_test_add_func ("/ts/query/docs", test_docs);
  g_test_add_func ("/ts/query/fuzz", test_fuzz);

  ret = g_test_run ();

  g_clear_pointer (&histories, g_ptr_array_unref);
  g_clear_pointer (&tickets, g_ptr_array_unref);
  g_clear_object (&project);
  g_clear_pointer (&search_root, json_node_unref);

  return ret;
}

/* vim: set foldmethod=marker: */
