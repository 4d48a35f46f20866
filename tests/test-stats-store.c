/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-migrations.h"
#include "ts-statistics-private.h"
#include "ts-store.h"
#include "ts-ticket-list.h"
#include "ts-test-server.h"

/* The statistics through the store (docs/sql-api.md, "Statistics"):
 * the row objects; the offline copy's ticket counts, grouped and ordered
 * by the project definition as the server does it; then against a real
 * server, five tickets of the project of tests/data/search.json made and
 * moved through the store by alice and bob, counted by each kind of
 * grouping, charted created against closed by day, week and month, and
 * timed per state; the refusals (a bad filter, a field that does not
 * group, a period that ends before it starts, a non-member) in the
 * user's language; and with the server stopped, the offline copy's counts
 * must be the ones the server gave, while the charts that need history
 * say they need the server.
 *
 * The tickets (all made today, local time):
 *   1  alice  严重问题  recurring true   issue_se bob    → 维护代表审核
 *   2  alice  一般问题  recurring false  issue_se alice  → 关闭 (through every state)
 *   3  alice  严重问题  (recurring false) issue_se bob    stays in 维护人员处理
 *   4  alice  (no level) recurring false (no issue_se)   → 维护代表审核 → back
 *   5  bob    紧急问题  (recurring false) (no issue_se)  stays in 维护人员处理
 * (a boolean left out starts false, a choice or user field ""). */

#define PROJECT "search_vectors"

static TsTestServer *server;
static char *db;
static JsonObject *vectors;
static char *cache_root;
static TsStore *alice;       /* a member, with an offline cache */
static TsCache *cache;
static gboolean paused;
/* group_by → the rows the server gave (describe_counts()). */
static GHashTable *online_counts;

static const char * const people[] = { "alice", "bob", NULL };

/* Helpers */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  g_autoptr(PGresult) result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
}

static PGconn *
connect_as (const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  PGconn *conn = PQconnectdb (conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

static TsStore *
open_store (const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static JsonNode *
node_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static TsProject *
vectors_project (void)
{
  g_autofree char *text = json_to_string (json_object_get_member (vectors, "project"), FALSE);
  g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("search.json");
  TsProject *project = ts_project_new_from_data (text, -1, diagnostics);

  g_assert_nonnull (project);
  return project;
}

/* "a=1 b=0 ∅=2", in the order given; ∅ is the empty group. */
static char *
describe_counts (GPtrArray *rows)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      TsStatCount *row = g_ptr_array_index (rows, i);
      const char *value = ts_stat_count_get_value (row);

      g_string_append_printf (text, "%s%s=%" G_GINT64_FORMAT, i ? " " : "",
                              value != NULL ? value : "∅", ts_stat_count_get_tickets (row));
    }

  return g_string_free (text, FALSE);
}

static char *
describe_periods (GPtrArray *rows)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      TsStatPeriod *row = g_ptr_array_index (rows, i);

      g_string_append_printf (text, "%s%s:%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, i ? " " : "",
                              ts_stat_period_get_start (row),
                              ts_stat_period_get_created (row), ts_stat_period_get_closed (row));
    }

  return g_string_free (text, FALSE);
}

static GPtrArray *
ticket_counts (TsStore     *store,
               const char  *project,
               const char  *group_by,
               const char  *filter_json,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) filter = filter_json != NULL ? node_from (filter_json) : NULL;

  ts_store_ticket_counts_async (store, project, group_by, filter, NULL, store_result, &result);
  return ts_store_ticket_counts_finish (store, wait_for (&result), error);
}

static GPtrArray *
created_closed (TsStore      *store,
                const char   *project,
                GDate        *from,
                GDate        *to,
                TsStatBucket  bucket,
                const char   *filter_json,
                GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) filter = filter_json != NULL ? node_from (filter_json) : NULL;

  ts_store_created_closed_async (store, project, from, to, bucket, filter, NULL, store_result, &result);
  return ts_store_created_closed_finish (store, wait_for (&result), error);
}

static GPtrArray *
time_in_state (TsStore     *store,
               const char  *project,
               const char  *filter_json,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) filter = filter_json != NULL ? node_from (filter_json) : NULL;

  ts_store_time_in_state_async (store, project, filter, NULL, store_result, &result);
  return ts_store_time_in_state_finish (store, wait_for (&result), error);
}

/* The counts of @group_by with @filter, which must be @expected. */
static void
check_counts (TsStore    *store,
              const char *group_by,
              const char *filter_json,
              const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = ticket_counts (store, PROJECT, group_by, filter_json, &error);
  g_autofree char *described = NULL;

  g_assert_no_error (error);
  described = describe_counts (rows);
  g_test_message ("%s %s: %s", group_by, filter_json ? filter_json : "{}", described);
  g_assert_cmpstr (described, ==, expected);
}

/* The row objects */

static void
test_rows (void)
{
  g_autoptr(TsStatCount) count = _ts_stat_count_new ("严重问题", 7);
  g_autoptr(TsStatCount) empty = _ts_stat_count_new (NULL, 2);
  g_autoptr(TsStatPeriod) period = _ts_stat_period_new ("2026-11-30", 4, 3);
  g_autoptr(TsStatStay) stay = _ts_stat_stay_new ("维护代表审核", 5, 2, 3600.5, 7200);
  g_autoptr(TsStatStay) final = _ts_stat_stay_new ("关闭", 1, 1, -1, -1);
  g_autofree char *value = NULL;
  gint64 tickets, created, closed, current;
  double median, p90;

  g_assert_cmpstr (ts_stat_count_get_value (count), ==, "严重问题");
  g_assert_cmpint (ts_stat_count_get_tickets (count), ==, 7);
  g_assert_null (ts_stat_count_get_value (empty));
  /* The properties the table's columns bind to. */
  g_object_get (count, "value", &value, "tickets", &tickets, NULL);
  g_assert_cmpstr (value, ==, "严重问题");
  g_assert_cmpint (tickets, ==, 7);

  g_assert_cmpstr (ts_stat_period_get_start (period), ==, "2026-11-30");
  g_object_get (period, "created", &created, "closed", &closed, NULL);
  g_assert_cmpint (created, ==, 4);
  g_assert_cmpint (closed, ==, 3);
  g_assert_cmpint (ts_stat_period_get_created (period), ==, 4);
  g_assert_cmpint (ts_stat_period_get_closed (period), ==, 3);

  g_assert_cmpstr (ts_stat_stay_get_state (stay), ==, "维护代表审核");
  g_object_get (stay, "current", &current, "median-seconds", &median, "p90-seconds", &p90, NULL);
  g_assert_cmpint (current, ==, 2);
  g_assert_cmpfloat (median, ==, 3600.5);
  g_assert_cmpfloat (p90, ==, 7200);
  g_assert_cmpint (ts_stat_stay_get_tickets (stay), ==, 5);
  g_assert_cmpfloat (ts_stat_stay_get_median_seconds (final), <, 0);
  g_assert_cmpfloat (ts_stat_stay_get_p90_seconds (final), <, 0);

  g_assert_cmpstr (ts_stat_bucket_to_string (TS_STAT_BUCKET_DAY), ==, "day");
  g_assert_cmpstr (ts_stat_bucket_to_string (TS_STAT_BUCKET_WEEK), ==, "week");
  g_assert_cmpstr (ts_stat_bucket_to_string (TS_STAT_BUCKET_MONTH), ==, "month");

  g_assert_finalize_object (g_steal_pointer (&count));
  g_assert_finalize_object (g_steal_pointer (&period));
  g_assert_finalize_object (g_steal_pointer (&stay));
}

/* The offline grouping, on tickets made here */

static TsTicket *
made_ticket (int         number,
             const char *state,
             const char *assigned_to,
             const char *fields_json)
{
  TsTicket *ticket = ts_ticket_new ();
  g_autoptr(JsonNode) fields = node_from (fields_json);

  ts_ticket_set_id (ticket, number);
  ts_ticket_set_number (ticket, number);
  ts_ticket_set_project (ticket, PROJECT);
  ts_ticket_set_state (ticket, state);
  ts_ticket_set_assigned_to (ticket, assigned_to);
  ts_ticket_set_fields (ticket, json_node_get_object (fields));
  return ticket;
}

static char *
count_made (GPtrArray  *tickets,
            TsProject  *project,
            const char *group_by)
{
  g_autoptr(GPtrArray) rows = _ts_stat_count_tickets (tickets, project, group_by);

  return describe_counts (rows);
}

static void
test_offline_grouping (void)
{
  g_autoptr(TsProject) project = vectors_project ();
  g_autoptr(GPtrArray) tickets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autofree char *by_state = NULL;
  g_autofree char *by_level = NULL;
  g_autofree char *by_recurring = NULL;
  g_autofree char *by_se = NULL;
  g_autofree char *by_assignee = NULL;
  g_autofree char *nothing = NULL;
  g_autofree char *nothing_by_se = NULL;

  /* A state and a choice no longer defined (a re-import), values of the
   * wrong kind, "" and null as no value. */
  g_ptr_array_add (tickets, made_ticket (1, "关闭", "bob", "{\"issue_level\": \"严重问题\", \"recurring\": true, \"issue_se\": \"carol\"}"));
  g_ptr_array_add (tickets, made_ticket (2, "维护人员处理", "alice", "{\"issue_level\": \"旧级别\", \"recurring\": false, \"issue_se\": \"bob\"}"));
  g_ptr_array_add (tickets, made_ticket (3, "旧状态", "alice", "{\"issue_level\": \"\", \"recurring\": null, \"issue_se\": \"bob\"}"));
  g_ptr_array_add (tickets, made_ticket (4, "维护人员处理", "carol", "{\"issue_level\": \"严重问题\", \"recurring\": \"yes\", \"issue_se\": \"\"}"));
  g_ptr_array_add (tickets, made_ticket (5, "旧状态", "bob", "{\"issue_level\": \"旧级别\", \"recurring\": 1}"));
  g_ptr_array_add (tickets, made_ticket (6, "更旧状态", "dave", "{\"issue_level\": \"另一旧级别\", \"recurring\": false, \"issue_se\": \"carol\"}"));
  g_ptr_array_add (tickets, made_ticket (7, "维护代表审核", "", "{}"));
  /* Blanks, ideographic spaces included, are no value either. */
  g_ptr_array_add (tickets, made_ticket (8, "维护代表审核", " ", "{\"issue_level\": \" \u3000\", \"issue_se\": \"\\t\"}"));

  /* Every state in schema order, 0 included; then the others, most
   * first, ties in byte order. */
  by_state = count_made (tickets, project, "state");
  g_assert_cmpstr (by_state, ==, "维护人员处理=2 维护代表审核=2 SE分析改进=0 关闭=1 旧状态=2 更旧状态=1");
  by_level = count_made (tickets, project, "issue_level");
  g_assert_cmpstr (by_level, ==, "一般问题=0 严重问题=2 紧急问题=0 旧级别=2 另一旧级别=1 ∅=3");
  /* false then true, 0 included; "yes" and 1 are values the definition
   * does not have. */
  by_recurring = count_made (tickets, project, "recurring");
  g_assert_cmpstr (by_recurring, ==, "false=2 true=1 1=1 yes=1 ∅=3");
  /* Users: only those present, most first, ties by login. */
  by_se = count_made (tickets, project, "issue_se");
  g_assert_cmpstr (by_se, ==, "bob=2 carol=2 ∅=4");
  by_assignee = count_made (tickets, project, "assigned_to");
  g_assert_cmpstr (by_assignee, ==, "alice=2 bob=2 carol=1 dave=1 ∅=2");

  /* No tickets: the definition's values at 0, no empty group. */
  nothing = count_made (none, project, "state");
  g_assert_cmpstr (nothing, ==, "维护人员处理=0 维护代表审核=0 SE分析改进=0 关闭=0");
  nothing_by_se = count_made (none, project, "issue_se");
  g_assert_cmpstr (nothing_by_se, ==, "");
}

/* Which names group, and what is said of those that do not. */
static void
test_group_by_problem (void)
{
  g_autoptr(TsProject) project = vectors_project ();
  const char * const groups[] = { "state", "assigned_to", "issue_level", "recurring", "issue_se", NULL };
  const char * const refused[] = { "summary", "detail", "device_count", "occurred_on", "buglist_url", "created_by", NULL };

  for (guint i = 0; groups[i] != NULL; i++)
    g_assert_null (_ts_stat_group_by_problem (project, groups[i]));

  for (guint i = 0; refused[i] != NULL; i++)
    {
      g_autofree char *problem = _ts_stat_group_by_problem (project, refused[i]);
      TsField *field = ts_project_lookup_field (project, refused[i]);

      g_test_message ("%s: %s", refused[i], problem);
      g_assert_nonnull (problem);
      /* Named as the person knows it: by its label. */
      g_assert_nonnull (strstr (problem, field != NULL ? ts_field_get_label (field) : refused[i]));
    }

  {
    g_autofree char *problem = _ts_stat_group_by_problem (project, "问题级别");
    g_autofree char *expected = g_strdup_printf (_("Tickets cannot be counted by “%s”: it is not a field of this project. Count them by state, by assignee, or by a choice, user or true/false field."),
                                                 "问题级别");

    g_assert_cmpstr (problem, ==, expected);
  }
}

/* Against the server */

static void
set_up_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *project_text = NULL;
  const char *params[1];

  db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  conn = connect_as (NULL);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);

  exec_ok (conn, "SET client_encoding = 'UTF8'");
  for (guint i = 0; people[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE tasksteper_user", people[i]);

      exec_ok (conn, sql);
    }
  /* A TaskSteper user in no project. */
  exec_ok (conn, "CREATE ROLE erin LOGIN IN ROLE tasksteper_user");

  project_text = json_to_string (json_object_get_member (vectors, "project"), FALSE);
  params[0] = project_text;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpstr (PQresultErrorMessage (result), ==, "");
  for (guint i = 0; people[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT tasksteper.add_member ('" PROJECT "', '%s')", people[i]);

      exec_ok (conn, sql);
    }
}

static TsTicket *
change_ok (TsStore       *store,
           GAsyncResult **slot)
{
  g_autoptr(GError) error = NULL;
  TsTicket *ticket = ts_store_change_finish (store, wait_for (slot), &error);

  g_assert_no_error (error);
  g_clear_object (slot);
  return ticket;
}

/* A ticket made by @store with @fields_json, then moved by @triggers. */
static void
make_ticket (TsStore            *store,
             const char         *fields_json,
             const char * const *triggers)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) fields = node_from (fields_json);
  g_autoptr(TsTicket) ticket = NULL;

  ts_store_create_ticket_async (store, PROJECT, json_node_get_object (fields), NULL, store_result, &result);
  ticket = change_ok (store, &result);
  for (guint i = 0; triggers != NULL && triggers[i] != NULL; i++)
    {
      TsTicket *moved;

      ts_store_fire_async (store, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket), triggers[i], NULL, NULL,
                           NULL, store_result, &result);
      moved = change_ok (store, &result);
      g_object_unref (ticket);
      ticket = moved;
    }
}

static void
make_tickets (void)
{
  static gboolean made;
  const char * const to_review[] = { "提交审核", NULL };
  const char * const to_close[] = { "提交审核", "转SE分析改进", "问题关闭", NULL };
  const char * const back_and_forth[] = { "提交审核", "打回补充信息", NULL };
  g_autoptr(TsStore) bob = NULL;

  if (made)
    return;
  made = TRUE;

  make_ticket (alice, "{\"summary\": \"一\", \"issue_level\": \"严重问题\", \"recurring\": true, \"issue_se\": \"bob\"}", to_review);
  make_ticket (alice, "{\"summary\": \"二\", \"issue_level\": \"一般问题\", \"recurring\": false, \"issue_se\": \"alice\"}", to_close);
  make_ticket (alice, "{\"summary\": \"三\", \"issue_level\": \"严重问题\", \"issue_se\": \"bob\"}", NULL);
  make_ticket (alice, "{\"summary\": \"四\", \"recurring\": false}", back_and_forth);
  bob = open_store ("bob");
  make_ticket (bob, "{\"summary\": \"五\", \"issue_level\": \"紧急问题\"}", NULL);
}

static void
go_online (void)
{
  g_autoptr(GError) error = NULL;

  if (!paused)
    return;

  g_assert_true (ts_test_server_resume (server, &error));
  g_assert_no_error (error);
  paused = FALSE;
  ts_store_reconnect (alice);
  while (!ts_store_get_online (alice))
    g_main_context_iteration (NULL, TRUE);
}

static const struct
{
  const char *group_by;
  const char *filter;
  const char *expected;
} online_cases[] = {
  { "state", NULL, "维护人员处理=3 维护代表审核=1 SE分析改进=0 关闭=1" },
  { "state", "{\"issue_level\": \"严重问题\"}", "维护人员处理=1 维护代表审核=1 SE分析改进=0 关闭=0" },
  { "issue_level", NULL, "一般问题=1 严重问题=2 紧急问题=1 ∅=1" },
  { "issue_level", "{\"state\": \"关闭\"}", "一般问题=1 严重问题=0 紧急问题=0" },
  { "recurring", NULL, "false=4 true=1" },   /* a new ticket's boolean starts false */
  { "issue_se", NULL, "bob=2 alice=1 ∅=2" },
  { "assigned_to", NULL, "alice=4 bob=1" },
  { "assigned_to", "{\"issue_level\": [\"紧急问题\", \"一般问题\"]}", "alice=1 bob=1" },
};

static void
test_ticket_counts_online (void)
{
  go_online ();
  make_tickets ();

  for (guint i = 0; i < G_N_ELEMENTS (online_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = ticket_counts (alice, PROJECT, online_cases[i].group_by, online_cases[i].filter, &error);
      g_autofree char *described = NULL;

      g_assert_no_error (error);
      described = describe_counts (rows);
      g_test_message ("%s %s: %s", online_cases[i].group_by, online_cases[i].filter ? online_cases[i].filter : "{}", described);
      g_assert_cmpstr (described, ==, online_cases[i].expected);
      g_hash_table_insert (online_counts,
                           g_strdup_printf ("%s %s", online_cases[i].group_by, online_cases[i].filter ? online_cases[i].filter : "{}"),
                           g_steal_pointer (&described));
    }

  /* {} and no filter are the same. */
  check_counts (alice, "state", "{}", online_cases[0].expected);
  /* bob sees the same project the same way. */
  {
    g_autoptr(TsStore) bob = open_store ("bob");

    check_counts (bob, "issue_level", NULL, "一般问题=1 严重问题=2 紧急问题=1 ∅=1");
  }
}

static GDate *
today_plus (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate *date = g_date_new_dmy (g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                                g_date_time_get_year (now));

  if (days > 0)
    g_date_add_days (date, days);
  else if (days < 0)
    g_date_subtract_days (date, -days);
  return date;
}

static char *
iso (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
}

static void
test_created_closed_online (void)
{
  g_autoptr(GDate) today = today_plus (0);
  g_autoptr(GDate) before = today_plus (-2);
  g_autoptr(GDate) monday = today_plus (0);
  g_autoptr(GDate) first = today_plus (0);
  g_autoptr(GDate) after = today_plus (3);
  g_autofree char *today_text = iso (today);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *described = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *monday_text = NULL;
  g_autofree char *first_text = NULL;

  go_online ();
  make_tickets ();

  /* By day: every day, zeros included; all five made today, one closed. */
  rows = created_closed (alice, PROJECT, before, today, TS_STAT_BUCKET_DAY, NULL, &error);
  g_assert_no_error (error);
  described = describe_periods (rows);
  {
    g_autoptr(GDate) yesterday = today_plus (-1);
    g_autofree char *before_text = iso (before);
    g_autofree char *yesterday_text = iso (yesterday);

    expected = g_strdup_printf ("%s:0/0 %s:0/0 %s:5/1", before_text, yesterday_text, today_text);
  }
  g_test_message ("by day: %s", described);
  g_assert_cmpstr (described, ==, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);
  g_clear_pointer (&expected, g_free);

  /* Narrowed by the filter: the closed one is 一般问题. */
  rows = created_closed (alice, PROJECT, today, today, TS_STAT_BUCKET_DAY, "{\"issue_level\": \"严重问题\"}", &error);
  g_assert_no_error (error);
  described = describe_periods (rows);
  expected = g_strdup_printf ("%s:2/0", today_text);
  g_assert_cmpstr (described, ==, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);
  g_clear_pointer (&expected, g_free);

  /* By week: the bucket starts on the Monday; by month, on the 1st. */
  g_date_subtract_days (monday, g_date_get_weekday (monday) - G_DATE_MONDAY);
  monday_text = iso (monday);
  rows = created_closed (alice, PROJECT, today, today, TS_STAT_BUCKET_WEEK, NULL, &error);
  g_assert_no_error (error);
  described = describe_periods (rows);
  expected = g_strdup_printf ("%s:5/1", monday_text);
  g_assert_cmpstr (described, ==, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);
  g_clear_pointer (&expected, g_free);

  g_date_set_day (first, 1);
  first_text = iso (first);
  rows = created_closed (alice, PROJECT, today, today, TS_STAT_BUCKET_MONTH, NULL, &error);
  g_assert_no_error (error);
  described = describe_periods (rows);
  expected = g_strdup_printf ("%s:5/1", first_text);
  g_assert_cmpstr (described, ==, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);
  g_clear_pointer (&expected, g_free);

  /* Days after today are there, with nothing in them. */
  rows = created_closed (alice, PROJECT, today, after, TS_STAT_BUCKET_DAY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpint (ts_stat_period_get_created (g_ptr_array_index (rows, 0)), ==, 5);
  g_assert_cmpint (ts_stat_period_get_created (g_ptr_array_index (rows, 3)), ==, 0);
}

static void
test_time_in_state_online (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) narrowed = NULL;
  const struct { const char *state; gint64 tickets, current; gboolean timed; } expected[] = {
    { "维护人员处理", 5, 3, TRUE },
    { "维护代表审核", 3, 1, TRUE },
    { "SE分析改进", 1, 0, TRUE },
    { "关闭", 1, 1, FALSE },   /* final: no time */
  };

  go_online ();
  make_tickets ();

  rows = time_in_state (alice, PROJECT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      TsStatStay *stay = g_ptr_array_index (rows, i);

      g_test_message ("%s: %" G_GINT64_FORMAT " tickets, %" G_GINT64_FORMAT " now, median %g s, p90 %g s",
                      ts_stat_stay_get_state (stay), ts_stat_stay_get_tickets (stay),
                      ts_stat_stay_get_current (stay), ts_stat_stay_get_median_seconds (stay),
                      ts_stat_stay_get_p90_seconds (stay));
      g_assert_cmpstr (ts_stat_stay_get_state (stay), ==, expected[i].state);
      g_assert_cmpint (ts_stat_stay_get_tickets (stay), ==, expected[i].tickets);
      g_assert_cmpint (ts_stat_stay_get_current (stay), ==, expected[i].current);
      if (expected[i].timed)
        {
          /* Made seconds ago, still counting: a little time, not none. */
          g_assert_cmpfloat (ts_stat_stay_get_median_seconds (stay), >=, 0);
          g_assert_cmpfloat (ts_stat_stay_get_median_seconds (stay), <, 3600);
          g_assert_cmpfloat (ts_stat_stay_get_p90_seconds (stay), >=, ts_stat_stay_get_median_seconds (stay));
        }
      else
        {
          g_assert_cmpfloat (ts_stat_stay_get_median_seconds (stay), <, 0);
          g_assert_cmpfloat (ts_stat_stay_get_p90_seconds (stay), <, 0);
        }
    }

  /* Narrowed to the one still being made: only the first state was passed through. */
  narrowed = time_in_state (alice, PROJECT, "{\"issue_level\": \"紧急问题\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (narrowed->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpint (ts_stat_stay_get_tickets (g_ptr_array_index (narrowed, 0)), ==, 1);
  g_assert_cmpint (ts_stat_stay_get_current (g_ptr_array_index (narrowed, 0)), ==, 1);
  g_assert_cmpint (ts_stat_stay_get_tickets (g_ptr_array_index (narrowed, 1)), ==, 0);
  g_assert_cmpfloat (ts_stat_stay_get_median_seconds (g_ptr_array_index (narrowed, 1)), <, 0);
}

/* The error of each statistic with @filter_json, which must be INVALID
 * naming @field with @message. */
static void
check_refused (TsStore    *store,
               const char *group_by,
               const char *filter_json,
               int         code,
               const char *field,
               const char *message)
{
  g_autoptr(GDate) today = today_plus (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GPtrArray) periods = NULL;
  g_autoptr(GPtrArray) stays = NULL;

  counts = ticket_counts (store, PROJECT, group_by, filter_json, &error);
  g_assert_null (counts);
  g_assert_error (error, TS_STORE_ERROR, code);
  g_test_message ("%s %s → %s", group_by, filter_json, error->message);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, field);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  /* A grouping is only the counts'; the filter is everyone's. */
  if (g_str_equal (group_by, "state"))
    {
      periods = created_closed (store, PROJECT, today, today, TS_STAT_BUCKET_DAY, filter_json, &error);
      g_assert_null (periods);
      g_assert_error (error, TS_STORE_ERROR, code);
      g_assert_cmpstr (ts_store_error_get_field (error), ==, field);
      if (message != NULL)
        g_assert_cmpstr (error->message, ==, message);
      g_clear_error (&error);

      stays = time_in_state (store, PROJECT, filter_json, &error);
      g_assert_null (stays);
      g_assert_error (error, TS_STORE_ERROR, code);
      g_assert_cmpstr (ts_store_error_get_field (error), ==, field);
      if (message != NULL)
        g_assert_cmpstr (error->message, ==, message);
    }
}

/* Whether @text has a CJK ideograph. */
static gboolean
has_chinese (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x4e00 && c <= 0x9fff)
        return TRUE;
    }
  return FALSE;
}

static void
test_refusals_online (void)
{
  g_autoptr(TsProject) project = vectors_project ();
  g_autoptr(TsFilter) checked = NULL;
  g_autoptr(GError) filter_error = NULL;
  g_autoptr(JsonNode) bad_filter = node_from ("{\"no_such_field\": \"x\"}");
  g_autoptr(TsStore) fresh = NULL;
  g_autoptr(TsStore) erin = NULL;
  g_autofree char *text_problem = _ts_stat_group_by_problem (project, "detail");
  g_autofree char *unknown_problem = _ts_stat_group_by_problem (project, "问题级别");
  g_autoptr(GDate) today = today_plus (0);
  g_autoptr(GDate) yesterday = today_plus (-1);
  g_autoptr(GDate) long_ago = g_date_new_dmy (1, G_DATE_JANUARY, 2000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GAsyncResult) listed = NULL;
  g_autoptr(GPtrArray) projects = NULL;

  go_online ();
  make_tickets ();
  ts_store_list_projects_async (alice, NULL, store_result, &listed);
  projects = ts_store_list_projects_finish (alice, wait_for (&listed), &error);
  g_assert_no_error (error);

  /* A bad filter: the key, and the sentence the offline copy says. */
  checked = ts_filter_new (project, bad_filter, NULL, NULL, &filter_error);
  g_assert_null (checked);
  check_refused (alice, "state", "{\"no_such_field\": \"x\"}", TS_STORE_ERROR_INVALID, "no_such_field", filter_error->message);
  /* A store that has not listed the project composes it from the facts,
   * in the user's language all the same. */
  fresh = open_store ("alice");
  check_refused (fresh, "state", "{\"no_such_field\": \"x\"}", TS_STORE_ERROR_INVALID, "no_such_field", NULL);
  check_refused (alice, "state", "{\"device_count\": \"many\"}", TS_STORE_ERROR_INVALID, "device_count", NULL);
  /* A filter that is no object, as a search's. */
  check_refused (alice, "state", "[]", TS_STORE_ERROR_INVALID, NULL, NULL);

  /* A field that does not group: INVALID naming it, said by its label. */
  check_refused (alice, "detail", NULL, TS_STORE_ERROR_INVALID, "detail", text_problem);
  /* (The refusal's facts name the field, not its label.) */
  check_refused (fresh, "detail", NULL, TS_STORE_ERROR_INVALID, "detail", NULL);
  /* A name that is no field: by the name, as written. */
  check_refused (alice, "问题级别", NULL, TS_STORE_ERROR_INVALID, "问题级别", unknown_problem);

  /* In Chinese under zh_CN, whatever the server's lc_messages. */
  if (g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "zh_CN"))
    {
      rows = ticket_counts (fresh, PROJECT, "state", "{\"no_such_field\": \"x\"}", &error);
      g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
      g_assert_true (has_chinese (error->message));
      g_assert_false (has_chinese (ts_store_error_get_server_message (error)));
      g_clear_error (&error);
      g_assert_true (has_chinese (filter_error->message));
    }

  /* A period that ends before it starts, or too long for its buckets. */
  rows = created_closed (alice, PROJECT, today, yesterday, TS_STAT_BUCKET_DAY, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "to");
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  rows = created_closed (alice, PROJECT, long_ago, today, TS_STAT_BUCKET_DAY, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "from");
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  /* Days the server does not take. */
  {
    g_autoptr(GDate) far = g_date_new_dmy (1, G_DATE_JANUARY, 10000);

    rows = created_closed (alice, PROJECT, today, far, TS_STAT_BUCKET_MONTH, NULL, &error);
    g_assert_null (rows);
    g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
    g_assert_cmpstr (ts_store_error_get_field (error), ==, "to");
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }
  /* The same years by month are few enough. */
  rows = created_closed (alice, PROJECT, long_ago, today, TS_STAT_BUCKET_MONTH, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ts_stat_period_get_start (g_ptr_array_index (rows, 0)), ==, "2000-01-01");
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Not a member, or no such project: NOT_FOUND, for each. */
  erin = open_store ("erin");
  check_refused (erin, "state", NULL, TS_STORE_ERROR_NOT_FOUND, NULL, NULL);
  rows = ticket_counts (alice, "no_such_project", "state", NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND);
}

/* Offline */

/* The offline copy, filled as the application fills it: the projects and
 * the project's list of all tickets (with the states they entered). */
static void
fill_cache (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(TsTicketList) all = NULL;
  TsProject *project;

  ts_store_list_projects_async (alice, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (alice, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  project = ts_project_summary_get_project (g_ptr_array_index (projects, 0));

  all = ts_ticket_list_new (alice, project, TS_TICKET_LIST_ALL);
  /* One page holds the list: the saved copy has every row. */
  while (ts_ticket_list_get_loading (all))
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error ((GError *)ts_ticket_list_get_error (all));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 5);

  g_clear_object (&all);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ts_cache_flush (cache);
}

static void
go_offline (void)
{
  g_autoptr(GError) error = NULL;

  if (paused)
    return;

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);
  paused = TRUE;
  while (ts_store_get_online (alice))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_offline (void)
{
  g_autoptr(TsProject) project = vectors_project ();
  g_autoptr(GDate) today = today_plus (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *text_problem = _ts_stat_group_by_problem (project, "detail");
  g_autoptr(TsFilter) checked = NULL;
  g_autoptr(GError) filter_error = NULL;
  g_autoptr(JsonNode) bad_filter = node_from ("{\"no_such_field\": \"x\"}");

  go_online ();
  make_tickets ();
  fill_cache ();
  go_offline ();

  /* The same rows, in the same order, as the server gave. */
  for (guint i = 0; i < G_N_ELEMENTS (online_cases); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s %s", online_cases[i].group_by,
                                              online_cases[i].filter ? online_cases[i].filter : "{}");
      const char *online = g_hash_table_lookup (online_counts, key);

      check_counts (alice, online_cases[i].group_by, online_cases[i].filter,
                    online != NULL ? online : online_cases[i].expected);
      g_assert_false (ts_store_get_online (alice));
    }
  g_assert_nonnull (ts_store_get_data_time (alice));

  /* Refused offline as online. */
  checked = ts_filter_new (project, bad_filter, NULL, NULL, &filter_error);
  rows = ticket_counts (alice, PROJECT, "state", "{\"no_such_field\": \"x\"}", &error);
  g_assert_null (rows);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "no_such_field");
  g_assert_cmpstr (error->message, ==, filter_error->message);
  g_clear_error (&error);
  rows = ticket_counts (alice, PROJECT, "detail", NULL, &error);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "detail");
  g_assert_cmpstr (error->message, ==, text_problem);
  g_clear_error (&error);

  /* The charts from history need the server. */
  rows = created_closed (alice, PROJECT, today, today, TS_STAT_BUCKET_DAY, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_assert_cmpstr (error->message, ==, _("This chart needs the server, which cannot be reached: the offline copy does not hold the tickets’ history. It will fill in when the connection is back."));
  g_clear_error (&error);
  rows = time_in_state (alice, PROJECT, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_assert_cmpstr (error->message, ==, _("This chart needs the server, which cannot be reached: the offline copy does not hold the tickets’ history. It will fill in when the connection is back."));
  g_clear_error (&error);

  /* Back online, the server answers again. */
  go_online ();
  check_counts (alice, "state", NULL, online_cases[0].expected);
  rows = time_in_state (alice, PROJECT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
}

/* After a re-import that drops a choice, tickets holding it still count,
 * after the defined ones. */
static void
test_reimported (void)
{
  g_autoptr(JsonNode) project = json_node_copy (json_object_get_member (vectors, "project"));
  JsonArray *fields = json_object_get_array_member (json_node_get_object (project), "fields");
  g_autofree char *text = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  go_online ();
  make_tickets ();

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      if (g_str_equal (json_object_get_string_member (field, "name"), "issue_level"))
        {
          JsonArray *choices = json_array_new ();

          json_array_add_string_element (choices, "严重问题");
          json_array_add_string_element (choices, "一般问题");
          json_object_set_array_member (field, "choices", choices);
        }
    }
  text = json_to_string (project, FALSE);
  sql = g_strdup_printf ("SELECT tasksteper.import_project ($json$%s$json$::jsonb)", text);
  g_assert_true (ts_test_server_exec (server, db, sql, &error));
  g_assert_no_error (error);

  check_counts (alice, "issue_level", NULL, "严重问题=2 一般问题=1 紧急问题=1 ∅=1");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  int ret;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "data", "search.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  vectors = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  online_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_test_add_func ("/ts/stats-store/unit/rows", test_rows);
  g_test_add_func ("/ts/stats-store/unit/offline-grouping", test_offline_grouping);
  g_test_add_func ("/ts/stats-store/unit/group-by-problem", test_group_by_problem);
  /* (A suite's own tests run before its sub-suites': each kind has its
   * sub-suite, so that they run in this order.) */

  cache_root = g_dir_make_tmp ("ts-stats-store-XXXXXX", NULL);
  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  set_up_database ();
  alice = open_store ("alice");
  cache = ts_cache_new_in (cache_root, db, "alice");
  ts_store_set_cache (alice, cache);

  g_test_add_func ("/ts/stats-store/online/ticket-counts", test_ticket_counts_online);
  g_test_add_func ("/ts/stats-store/online/created-closed", test_created_closed_online);
  g_test_add_func ("/ts/stats-store/online/time-in-state", test_time_in_state_online);
  g_test_add_func ("/ts/stats-store/online/refusals", test_refusals_online);
  g_test_add_func ("/ts/stats-store/offline/counts", test_offline);
  g_test_add_func ("/ts/stats-store/reimport/issue-level", test_reimported);

  ret = g_test_run ();

  g_clear_object (&alice);
  if (cache != NULL)
    ts_cache_clear (cache);
  g_clear_object (&cache);
  if (cache_root != NULL)
    remove_tree (cache_root);
  g_clear_pointer (&online_counts, g_hash_table_unref);
  g_clear_pointer (&vectors, json_object_unref);
  g_free (cache_root);
  g_free (db);
  if (server != NULL)
    ts_test_server_free (server);
  return ret;
}
