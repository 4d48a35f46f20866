/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Tests of TsFilter, the client's reader of search filters: every vector
 * of tests/data/search.json (which the server's search_tickets() runs too)
 * evaluated offline, each case and each refusal a test of its own; the
 * search's time zone against the process's; and, with -m perf, how fast
 * matching is. */

#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"

/* The parsed vector file and what is built from it, once. */
static JsonNode   *search_root;
static TsProject  *project;
static GPtrArray  *tickets;        /* of TsTicket */
static GPtrArray  *histories;      /* of GArray of TsStateEntry, parallel */
static GTimeZone  *file_zone;

/* Loading the file {{{1 */

static JsonObject *
root_object (void)
{
  return json_node_get_object (search_root);
}

static GDateTime *
parse_instant (const char *str)
{
  GDateTime *time = g_date_time_new_from_iso8601 (str, NULL);

  g_assert_nonnull (time);
  return time;
}

static gint64
to_usec (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

/* A ticket of the file, as the store would hold it: the system columns,
 * the field values exactly as written (wrong types included), and the
 * states it entered. */
static TsTicket *
ticket_from_json (JsonObject *object,
                  GArray    **history_out)
{
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(GDateTime) created_at = parse_instant (json_object_get_string_member (object, "created_at"));
  g_autoptr(GDateTime) updated_at = parse_instant (json_object_get_string_member (object, "updated_at"));
  g_autoptr(GArray) history = g_array_new (FALSE, TRUE, sizeof (TsStateEntry));
  JsonArray *entries = json_object_get_array_member (object, "history");

  ts_ticket_set_project (ticket, ts_project_get_name (project));
  ts_ticket_set_number (ticket, json_object_get_int_member (object, "number"));
  ts_ticket_set_key (ticket, json_object_get_string_member (object, "key"));
  ts_ticket_set_state (ticket, json_object_get_string_member (object, "state"));
  ts_ticket_set_assigned_to (ticket, json_object_get_string_member (object, "assigned_to"));
  ts_ticket_set_created_by (ticket, json_object_get_string_member (object, "created_by"));
  ts_ticket_set_created_at (ticket, created_at);
  ts_ticket_set_updated_at (ticket, updated_at);
  ts_ticket_set_fields (ticket, json_object_get_object_member (object, "fields"));

  g_assert_nonnull (entries);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      g_autoptr(GDateTime) at = parse_instant (json_object_get_string_member (entry, "at"));
      /* The strings belong to search_root, which outlives the tests. */
      TsStateEntry state = { json_object_get_string_member (entry, "to_state"), to_usec (at) };

      g_array_append_val (history, state);
    }

  *history_out = g_steal_pointer (&history);
  return g_steal_pointer (&ticket);
}

static gboolean
load_file (GError **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "search.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("search.json");
  g_autofree char *definition = NULL;
  JsonArray *list;

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  search_root = json_parser_steal_root (parser);

  /* The project through the real schema reader, as an import would. */
  definition = json_to_string (json_object_get_member (root_object (), "project"), FALSE);
  project = ts_project_new_from_data (definition, -1, diagnostics);
  if (project == NULL)
    {
      g_autofree char *problems = ts_diagnostics_to_string (diagnostics);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the project is refused: %s", problems);
      return FALSE;
    }

  file_zone = g_time_zone_new_identifier (json_object_get_string_member (root_object (), "time_zone"));
  if (file_zone == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown time zone %s",
                   json_object_get_string_member (root_object (), "time_zone"));
      return FALSE;
    }

  tickets = g_ptr_array_new_with_free_func (g_object_unref);
  histories = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  list = json_object_get_array_member (root_object (), "tickets");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      GArray *history = NULL;
      TsTicket *ticket = ticket_from_json (json_array_get_object_element (list, i), &history);

      g_ptr_array_add (tickets, ticket);
      g_ptr_array_add (histories, history);
    }

  return TRUE;
}

/* Helpers {{{1 */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static char *
sorted_keys (GPtrArray *keys)
{
  g_autoptr(GString) str = g_string_new ("[");

  g_ptr_array_sort (keys, compare_strings);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (str, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index (keys, i));
  g_string_append_c (str, ']');

  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* The keys of the file's tickets that @filter finds. */
static char *
search (TsFilter *filter)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  for (guint i = 0; i < tickets->len; i++)
    {
      GArray *history = g_ptr_array_index (histories, i);
      TsTicket *ticket = g_ptr_array_index (tickets, i);

      if (ts_filter_matches (filter, ticket, (TsStateEntry *)(gpointer)history->data, history->len))
        g_ptr_array_add (found, (gpointer)ts_ticket_get_key (ticket));
    }

  return sorted_keys (found);
}

static char *
expected_keys (JsonObject *vector)
{
  JsonArray *expected = json_object_get_array_member (vector, "expected");
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (expected); i++)
    g_ptr_array_add (keys, (gpointer)json_array_get_string_element (expected, i));

  return sorted_keys (keys);
}

static JsonObject *
find_case (const char *name)
{
  JsonArray *cases = json_object_get_array_member (root_object (), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);

      if (g_str_equal (json_object_get_string_member (vector, "name"), name))
        return vector;
    }

  g_error ("search.json has no case %s", name);
}

static TsFilter *
filter_new (const char *json,
            GTimeZone  *zone)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_field = NULL;
  TsFilter *filter;

  g_assert_nonnull (node);
  filter = ts_filter_new (project, node, zone, &bad_field, &error);
  g_assert_no_error (error);
  g_assert_null (bad_field);
  g_assert_nonnull (filter);

  return filter;
}

/* The vectors {{{1 */

static void
test_file (void)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *root = root_object ();
  JsonArray *semantics;

  g_assert_cmpint (json_object_get_int_member_with_default (root, "tasksteper_search", 0), ==, 1);

  semantics = json_object_get_array_member (root, "semantics");
  g_assert_nonnull (semantics);
  g_assert_cmpuint (json_array_get_length (semantics), >, 0);

  g_assert_cmpuint (tickets->len, ==, 8);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "cases")), >=, 70);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "errors")), >=, 30);

  /* Test names come from the vector names, which must be unique. */
  for (guint k = 0; k < 2; k++)
    {
      JsonArray *list = json_object_get_array_member (root, k == 0 ? "cases" : "errors");

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          const char *name = json_object_get_string_member (json_array_get_object_element (list, i), "name");

          g_assert_false (g_hash_table_contains (names, name));
          g_hash_table_add (names, (gpointer)name);
        }
    }
}

static gboolean
uses_reached (JsonNode *filter)
{
  return JSON_NODE_HOLDS_OBJECT (filter) &&
         json_object_has_member (json_node_get_object (filter), "reached");
}

static void
test_case (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  JsonNode *json = json_object_get_member (vector, "filter");
  g_autoptr(TsFilter) filter = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_field = NULL;
  g_autofree char *found = NULL;
  g_autofree char *expected = NULL;

  filter = ts_filter_new (project, json, file_zone, &bad_field, &error);
  g_assert_no_error (error);
  g_assert_null (bad_field);
  g_assert_nonnull (filter);

  g_assert_true (json_node_equal (ts_filter_get_json (filter), json));
  g_assert_cmpint (ts_filter_needs_history (filter), ==, uses_reached (json));

  found = search (filter);
  expected = expected_keys (vector);
  g_assert_cmpstr (found, ==, expected);

  g_assert_finalize_object (g_steal_pointer (&filter));
}

static const char *
error_code_name (int code)
{
  switch (code)
    {
    case TS_FILTER_ERROR_UNKNOWN_FIELD:
      return "unknown-field";
    case TS_FILTER_ERROR_BAD_OPERATOR:
      return "bad-operator";
    case TS_FILTER_ERROR_BAD_VALUE:
      return "bad-value";
    case TS_FILTER_ERROR_BAD_DATE:
      return "bad-date";
    default:
      return "(not a TsFilterError)";
    }
}

static void
test_error (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  JsonNode *json = json_object_get_member (vector, "filter");
  const char *field = json_object_get_null_member (vector, "field") ? NULL :
                      json_object_get_string_member (vector, "field");
  g_autoptr(TsFilter) filter = NULL;
  g_autoptr(GError) error = NULL;
  /* Not an allocation: ts_filter_new() must set it either way. */
  static char not_set[] = "(not set)";
  char *bad_field = not_set;

  filter = ts_filter_new (project, json, file_zone, &bad_field, &error);
  g_assert_null (filter);
  g_assert_nonnull (error);
  g_assert_true (error->domain == TS_FILTER_ERROR);
  g_assert_cmpstr (error_code_name (error->code), ==, json_object_get_string_member (vector, "error"));
  g_assert_true (bad_field != not_set);
  g_assert_cmpstr (bad_field, ==, field);
  g_free (bad_field);
  g_test_message ("%s", error->message);

  /* The message names the field as people know it: by its label (an
   * unknown key by what was written). */
  if (field != NULL)
    {
      TsField *f = ts_project_lookup_field (project, field);
      const char *label = f != NULL ? ts_field_get_label (f) : ts_project_get_label_for (project, field);

      if (error->code == TS_FILTER_ERROR_UNKNOWN_FIELD)
        g_assert_nonnull (strstr (error->message, field));
      else if (g_str_equal (field, "text") || g_str_equal (field, "reached"))
        g_assert_cmpuint (strlen (error->message), >, strlen (field) + 20);
      else
        g_assert_nonnull (strstr (error->message, label));
    }

  /* Without a place to put the field, the error is the same. */
  g_clear_error (&error);
  filter = ts_filter_new (project, json, file_zone, NULL, &error);
  g_assert_null (filter);
  g_assert_cmpstr (error_code_name (error->code), ==, json_object_get_string_member (vector, "error"));
}

/* Time zones {{{1 */

/* The same filters in UTC instead of the file's Asia/Shanghai (UTC+8):
 * exactly the tickets near midnight move.  Ticket 4 was created at
 * 2018-02-01T00:10+08:00, which is still 31 January in UTC; ticket 7 was
 * closed at 2018-02-01T00:00+08:00, 31 January 16:00 in UTC. */
static const struct
{
  const char *name;
  const char *in_utc;
} utc_cases[] = {
  { "created-in-a-month-of-the-time-zone", "[question_1, question_2, question_3, question_4, question_7]" },
  { "created-from-a-day", "[question_6, question_8]" },
  { "reached-at-midnight-belongs-to-the-new-day", "[question_4]" },
  { "reached-in-a-window", "[question_1, question_7]" },
  /* An instant bound carries its own offset: the zone changes nothing. */
  { "created-from-an-instant-inclusive", "[question_3, question_4, question_6, question_8]" },
};

static void
test_other_time_zone (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  for (guint i = 0; i < G_N_ELEMENTS (utc_cases); i++)
    {
      JsonObject *vector = find_case (utc_cases[i].name);
      g_autoptr(TsFilter) in_file_zone = NULL;
      g_autoptr(TsFilter) in_utc = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *found = NULL;
      g_autofree char *found_utc = NULL;
      g_autofree char *expected = expected_keys (vector);

      in_file_zone = ts_filter_new (project, json_object_get_member (vector, "filter"), file_zone, NULL, &error);
      g_assert_no_error (error);
      in_utc = ts_filter_new (project, json_object_get_member (vector, "filter"), utc, NULL, &error);
      g_assert_no_error (error);

      found = search (in_file_zone);
      found_utc = search (in_utc);
      g_assert_cmpstr (found, ==, expected);
      g_assert_cmpstr (found_utc, ==, utc_cases[i].in_utc);
    }
}

/* No zone means the process's: under TZ=UTC (the test-filter-tz-utc run)
 * that is UTC, under TZ=Asia/Shanghai the file's. */
static void
test_local_time_zone (void)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  JsonObject *vector = find_case ("reached-at-midnight-belongs-to-the-new-day");
  JsonNode *json = json_object_get_member (vector, "filter");
  g_autoptr(TsFilter) implicit = NULL;
  g_autoptr(TsFilter) explicit = NULL;
  g_autofree char *found_implicit = NULL;
  g_autofree char *found_explicit = NULL;
  g_autoptr(GDateTime) probe = g_date_time_new (local, 2018, 2, 1, 0, 0, 0);

  implicit = ts_filter_new (project, json, NULL, NULL, NULL);
  explicit = ts_filter_new (project, json, local, NULL, NULL);
  g_assert_nonnull (implicit);
  g_assert_nonnull (explicit);

  found_implicit = search (implicit);
  found_explicit = search (explicit);
  g_assert_cmpstr (found_implicit, ==, found_explicit);

  g_test_message ("TZ=%s, local offset %" G_GINT64_FORMAT " s", g_getenv ("TZ") ? g_getenv ("TZ") : "(unset)",
                  g_date_time_get_utc_offset (probe) / G_USEC_PER_SEC);

  if (g_strcmp0 (g_getenv ("TZ"), "UTC") == 0)
    {
      g_autoptr(TsFilter) in_utc = ts_filter_new (project, json, utc, NULL, NULL);
      g_autofree char *found_utc = search (in_utc);

      g_assert_cmpstr (found_implicit, ==, found_utc);
      g_assert_cmpstr (found_implicit, ==, "[question_4]");
    }
}

/* More than the vectors {{{1 */

static void
test_json_is_a_copy (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"summary\": {\"contains\": \"北京\"}}", NULL);
  g_autoptr(TsFilter) filter = ts_filter_new (project, node, file_zone, NULL, NULL);
  g_autoptr(JsonNode) original = json_from_string ("{\"summary\": {\"contains\": \"北京\"}}", NULL);
  g_autofree char *found = NULL;

  g_assert_nonnull (filter);
  json_object_set_string_member (json_object_get_object_member (json_node_get_object (node), "summary"),
                                 "contains", "上海");

  g_assert_true (json_node_equal (ts_filter_get_json (filter), original));
  found = search (filter);
  g_assert_cmpstr (found, ==, "[question_1, question_5, question_7]");
}

/* Days and instants as bounds: what is a date, what is a time. */
static void
test_bounds (void)
{
  static const struct
  {
    const char *bound;
    gboolean    valid;
  } bounds[] = {
    { "2018-01-31", TRUE },
    { "2018-02-28", TRUE },
    { "2016-02-29", TRUE },
    { "2018-02-29", FALSE },
    { "2018-00-10", FALSE },
    { "2018-1-5", FALSE },
    { "20180131", FALSE },
    { "2018-01-31T15:30:00Z", TRUE },
    { "2018-01-31t15:30:00z", TRUE },
    { "2018-01-31 15:30:00+08:00", TRUE },
    { "2018-01-31T15:30:00.123456-05:30", TRUE },
    { "2018-01-31T15:30Z", FALSE },
    { "2018-01-31T15:30:00", FALSE },
    { "2018-01-31T15:30:00+0800", FALSE },
    { "2018-01-31T24:00:00Z", FALSE },
    { "2018-02-30T10:00:00Z", FALSE },
    { "2018-W05-3T10:00:00Z", FALSE },
    { "2018-031T10:00:00Z", FALSE },
    { "", FALSE },
    { "yesterday", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"created_at\": {\"gte\": \"%s\"}}", bounds[i].bound);
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      g_autoptr(TsFilter) filter = NULL;
      g_autoptr(GError) error = NULL;

      filter = ts_filter_new (project, node, file_zone, NULL, &error);
      if (bounds[i].valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, TS_FILTER_ERROR, TS_FILTER_ERROR_BAD_DATE);
    }
}

/* An instant bound is inclusive to the microsecond; a day bound on an
 * instant ends before the next day's first instant. */
static void
test_instant_edges (void)
{
  g_autoptr(TsFilter) at = filter_new ("{\"created_at\": {\"gte\": \"2018-01-31T23:30:00+08:00\", \"lte\": \"2018-01-31T15:30:00Z\"}}", file_zone);
  g_autoptr(TsFilter) after = filter_new ("{\"created_at\": {\"gte\": \"2018-01-31T23:30:00.000001+08:00\"}, \"key\": \"question_3\"}", file_zone);
  g_autoptr(TsFilter) day = filter_new ("{\"updated_at\": {\"lte\": \"2018-01-31\"}, \"key\": \"question_5\"}", file_zone);
  g_autofree char *found_at = search (at);
  g_autofree char *found_after = search (after);
  g_autofree char *found_day = search (day);

  g_assert_cmpstr (found_at, ==, "[question_3]");
  g_assert_cmpstr (found_after, ==, "[]");
  /* Ticket 5 was updated at 23:59:59 on the last day. */
  g_assert_cmpstr (found_day, ==, "[question_5]");
}

/* A date field's value that is not a date (the "" of a new ticket, a
 * value of the wrong type) is in no range; equality and emptiness are
 * those of conditions. */
static void
test_date_field_values (void)
{
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(TsFilter) before = filter_new ("{\"occurred_on\": {\"lte\": \"2018-12-31\"}}", file_zone);
  g_autoptr(TsFilter) empty = filter_new ("{\"occurred_on\": {\"empty\": true}}", file_zone);
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);

  ts_ticket_set_key (ticket, "question_99");
  json_node_set_string (value, "");
  ts_ticket_set_value (ticket, "occurred_on", value);
  g_assert_false (ts_filter_matches (before, ticket, NULL, 0));
  g_assert_true (ts_filter_matches (empty, ticket, NULL, 0));

  json_node_set_string (value, "2018-1-5");
  ts_ticket_set_value (ticket, "occurred_on", value);
  g_assert_false (ts_filter_matches (before, ticket, NULL, 0));

  json_node_set_string (value, "2018-01-05");
  ts_ticket_set_value (ticket, "occurred_on", value);
  g_assert_true (ts_filter_matches (before, ticket, NULL, 0));
  g_assert_false (ts_filter_matches (empty, ticket, NULL, 0));
}

/* A ticket without times or people (a draft of the cache) is found by
 * what it has and by nothing it lacks. */
static void
test_bare_ticket (void)
{
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(TsFilter) created = filter_new ("{\"created_at\": {\"gte\": \"2000-01-01\"}}", file_zone);
  g_autoptr(TsFilter) unassigned = filter_new ("{\"assigned_to\": {\"empty\": true}}", file_zone);
  g_autoptr(TsFilter) not_carol = filter_new ("{\"assigned_to\": {\"not\": \"carol\"}}", file_zone);
  g_autoptr(TsFilter) text = filter_new ("{\"text\": {\"not_contains\": \"北京\"}}", file_zone);
  g_autoptr(TsFilter) reached = filter_new ("{\"reached\": {\"state\": \"关闭\"}}", file_zone);

  g_assert_false (ts_filter_matches (created, ticket, NULL, 0));
  g_assert_true (ts_filter_matches (unassigned, ticket, NULL, 0));
  g_assert_true (ts_filter_matches (not_carol, ticket, NULL, 0));
  g_assert_true (ts_filter_matches (text, ticket, NULL, 0));
  g_assert_false (ts_filter_matches (reached, ticket, NULL, 0));
  g_assert_true (ts_filter_needs_history (reached));
}

/* Lower case is Unicode's (g_utf8_strdown), on both sides. */
static void
test_case_folding (void)
{
  static const struct
  {
    const char *value;
    const char *word;
    gboolean    found;
  } words[] = {
    { "ÉCRAN NOIR", "écran", TRUE },
    { "écran noir", "ÉCRAN", TRUE },
    { "ZÜRICH", "zürich", TRUE },
    { "ΣΟΦΙΑ", "σοφια", TRUE },
    { "Straße", "STRASSE", FALSE },   /* lower case, not case folding */
    { "北京研发", "北京", TRUE },
    { "BMC", "bmc", TRUE },
    { "abc", "ABCD", FALSE },
    { " 　 ", " ", FALSE },           /* an empty value contains nothing */
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autoptr(TsTicket) ticket = ts_ticket_new ();
      g_autoptr(JsonNode) value = json_node_init_string (json_node_alloc (), words[i].value);
      g_autoptr(JsonNode) filter_json = NULL;
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonObject) op = json_object_new ();
      g_autoptr(TsFilter) filter = NULL;

      json_object_set_string_member (op, "contains", words[i].word);
      json_object_set_object_member (object, "summary", g_steal_pointer (&op));
      filter_json = json_node_init_object (json_node_alloc (), object);
      filter = ts_filter_new (project, filter_json, file_zone, NULL, NULL);
      g_assert_nonnull (filter);

      ts_ticket_set_value (ticket, "summary", value);
      g_assert_cmpint (ts_filter_matches (filter, ticket, NULL, 0), ==, words[i].found);
    }
}

/* Performance {{{1 */

/* Every case's filter over 10,000 copies of each of the file's tickets
 * (80,000 tickets): compiled once, then only matching. */
static void
test_perf_vectors (void)
{
  JsonArray *cases = json_object_get_array_member (root_object (), "cases");
  g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTimer) timer = g_timer_new ();
  guint copies = 10000;
  guint64 matches = 0, found = 0;
  const char *slowest_name = NULL;
  double seconds, slowest = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);

      g_ptr_array_add (filters, ts_filter_new (project, json_object_get_member (vector, "filter"),
                                               file_zone, NULL, NULL));
    }

  g_timer_start (timer);
  for (guint f = 0; f < filters->len; f++)
    {
      double start = g_timer_elapsed (timer, NULL);

      for (guint c = 0; c < copies; c++)
        for (guint t = 0; t < tickets->len; t++)
          {
            GArray *history = g_ptr_array_index (histories, t);

            found += ts_filter_matches (g_ptr_array_index (filters, f), g_ptr_array_index (tickets, t),
                                        (TsStateEntry *)(gpointer)history->data, history->len);
            matches++;
          }
      if (g_timer_elapsed (timer, NULL) - start > slowest)
        {
          slowest = g_timer_elapsed (timer, NULL) - start;
          slowest_name = json_object_get_string_member (json_array_get_object_element (cases, f), "name");
        }
    }
  seconds = g_timer_elapsed (timer, NULL);
  g_test_message ("the slowest filter, %s: %.0f ns a ticket", slowest_name,
                  slowest * 1e9 / (copies * tickets->len));

  g_test_minimized_result (seconds, "%u filters × %u tickets: %.3f s, %.0f ns a match, %" G_GUINT64_FORMAT " found",
                           filters->len, copies * tickets->len, seconds, seconds * 1e9 / matches, found);
}

/* main {{{1 */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  if (!load_file (&error))
    g_error ("tests/data/search.json: %s", error->message);

  g_test_add_func ("/ts/filter/file", test_file);

  {
    JsonArray *cases = json_object_get_array_member (root_object (), "cases");
    JsonArray *errors = json_object_get_array_member (root_object (), "errors");

    for (guint i = 0; i < json_array_get_length (cases); i++)
      {
        JsonObject *vector = json_array_get_object_element (cases, i);
        g_autofree char *path = g_strdup_printf ("/ts/filter/case/%s", json_object_get_string_member (vector, "name"));

        g_test_add_data_func (path, vector, test_case);
      }
    for (guint i = 0; i < json_array_get_length (errors); i++)
      {
        JsonObject *vector = json_array_get_object_element (errors, i);
        g_autofree char *path = g_strdup_printf ("/ts/filter/error/%s", json_object_get_string_member (vector, "name"));

        g_test_add_data_func (path, vector, test_error);
      }
  }

  g_test_add_func ("/ts/filter/time-zone/other", test_other_time_zone);
  g_test_add_func ("/ts/filter/time-zone/local", test_local_time_zone);
  g_test_add_func ("/ts/filter/json-is-a-copy", test_json_is_a_copy);
  g_test_add_func ("/ts/filter/bounds", test_bounds);
  g_test_add_func ("/ts/filter/instant-edges", test_instant_edges);
  g_test_add_func ("/ts/filter/date-field-values", test_date_field_values);
  g_test_add_func ("/ts/filter/bare-ticket", test_bare_ticket);
  g_test_add_func ("/ts/filter/case-folding", test_case_folding);
  if (g_test_perf ())
    g_test_add_func ("/ts/filter/perf/vectors", test_perf_vectors);

  ret = g_test_run ();

  g_clear_pointer (&histories, g_ptr_array_unref);
  g_clear_pointer (&tickets, g_ptr_array_unref);
  g_clear_object (&project);
  g_clear_pointer (&file_zone, g_time_zone_unref);
  g_clear_pointer (&search_root, json_node_unref);

  return ret;
}

/* vim: set foldmethod=marker: */
