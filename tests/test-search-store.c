/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-history-entry.h"
#include "ts-migrations.h"
#include "ts-store.h"
#include "ts-ticket-list.h"
#include "ts-test-server.h"

/* Searching through the store, against a real server and then against the
 * offline copy: the project and tickets of tests/data/search.json are put
 * into a database as they are written there, and every case is searched
 * through TsStore, online and then with the server stopped, where the
 * offline copy (filled by listing, as the application does) must give the
 * same keys, the same order and the same pages.  Also: a bad filter for
 * each error, saved searches for their owner and another member, and the
 * session's time zone (the local one, also through PgBouncer and as an
 * offset when the zone has no name).
 *
 * The database's own TimeZone is set to America/Los_Angeles, and the
 * program runs with the local zone Asia/Shanghai (the vectors' zone): a
 * case whose days depend on the zone gives the vectors' answer only if the
 * store made the session's zone the local one. */

#define PROJECT "search_vectors"
#define DATABASE_ZONE "America/Los_Angeles"

static TsTestServer *server;
static char *db;
static JsonObject *vectors;
static char *cache_root;
static TsStore *alice;       /* a member, with an offline cache */
static TsCache *cache;
static gboolean cache_filled;
static gboolean paused;
/* alice's saved searches as last listed online (describe_searches()). */
static char *online_searches;
/* "sort|descending" → the keys the server gave, in order (a GStrv). */
static GHashTable *online_orders;

static const char * const people[] = { "alice", "bob", "carol", "dave", NULL };

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
open_store_at (const char *conninfo)
{
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static TsStore *
open_store (const char *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, user);

  return open_store_at (conninfo);
}

static JsonNode *
node_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static char *
node_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* The project and its tickets, as search.json writes them */

static void
set_up_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *project_text = NULL;
  g_autofree char *tickets_text = NULL;
  g_autofree char *zone_sql = NULL;
  const char *params[2];

  db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  conn = connect_as (NULL);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);

  zone_sql = g_strdup_printf ("ALTER DATABASE %s SET TimeZone = '" DATABASE_ZONE "'", db);
  exec_ok (conn, zone_sql);
  exec_ok (conn, "SET client_encoding = 'UTF8'");
  for (guint i = 0; people[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE tasksteper_user", people[i]);

      exec_ok (conn, sql);
    }
  /* A TaskSteper user in no project. */
  exec_ok (conn, "CREATE ROLE erin LOGIN IN ROLE tasksteper_user");

  project_text = node_text (json_object_get_member (vectors, "project"));
  params[0] = project_text;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpstr (PQresultErrorMessage (result), ==, "");
  g_clear_pointer (&result, PQclear);
  for (guint i = 0; people[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT tasksteper.add_member ('" PROJECT "', '%s')", people[i]);

      exec_ok (conn, sql);
    }

  /* Stored exactly as written, bypassing the functions (ticket 8 holds
   * values of the wrong type on purpose), with each ticket's history: the
   * states it entered and when.  History is dated by a trigger that even
   * the superuser only gets past by disabling it, for this transaction. */
  tickets_text = node_text (json_object_get_member (vectors, "tickets"));
  params[0] = tickets_text;
  params[1] = PROJECT;
  exec_ok (conn, "BEGIN");
  exec_ok (conn, "ALTER TABLE tasksteper.history DISABLE TRIGGER history_dated");
  result = PQexecParams (conn,
                         "WITH given AS (SELECT value AS v FROM jsonb_array_elements ($1::jsonb)),"
                         " added AS ("
                         "  INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by,"
                         "                                  created_at, updated_at, version, is_final, fields)"
                         "  SELECT p.name, (v ->> 'number')::int, v ->> 'key', v ->> 'state', v ->> 'assigned_to',"
                         "         v ->> 'created_by', (v ->> 'created_at')::timestamptz,"
                         "         (v ->> 'updated_at')::timestamptz, jsonb_array_length (v -> 'history'),"
                         "         (v ->> 'state') = ANY (p.final_states), v -> 'fields'"
                         "    FROM given, tasksteper.projects p WHERE p.name = $2"
                         "  RETURNING id, number)"
                         " INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,"
                         "                                 from_assignee, to_assignee)"
                         " SELECT a.id, $2, (h.entry ->> 'at')::timestamptz, g.v ->> 'created_by', NULL,"
                         "        lag (h.entry ->> 'to_state') OVER (PARTITION BY a.id ORDER BY h.n),"
                         "        h.entry ->> 'to_state', NULL, g.v ->> 'assigned_to'"
                         "   FROM given g JOIN added a ON a.number = (g.v ->> 'number')::int,"
                         "        jsonb_array_elements (g.v -> 'history') WITH ORDINALITY AS h (entry, n)"
                         "  ORDER BY a.id, h.n",
                         2, NULL, params, NULL, NULL, 0);
  g_assert_cmpstr (PQresultErrorMessage (result), ==, "");
  g_assert_cmpstr (PQcmdTuples (result), !=, "0");
  exec_ok (conn, "ALTER TABLE tasksteper.history ENABLE ALWAYS TRIGGER history_dated");
  exec_ok (conn, "COMMIT");

  g_clear_pointer (&result, PQclear);
  result = PQexec (conn, "SELECT count(*) FROM tasksteper.tickets WHERE project = '" PROJECT "'");
  g_assert_cmpint (atoi (PQgetvalue (result, 0, 0)),
                   ==, json_array_get_length (json_object_get_array_member (vectors, "tickets")));
}

/* Online and offline */

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

static void
wait_loaded (TsTicketList *list)
{
  while (ts_ticket_list_get_loading (list))
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error ((GError *)ts_ticket_list_get_error (list));
}

static GPtrArray     *list_saved_searches (TsStore     *store,
                                           const char  *project);
static char          *describe_searches   (GPtrArray   *searches);
static TsSavedSearch *save_search         (TsStore     *store,
                                           const char  *name,
                                           const char  *query,
                                           const char  *filter_json,
                                           gboolean     shared,
                                           GError     **error);

/* The offline copy, filled as the application fills it: the projects, the
 * project's two lists (in pages of three, each with the states its
 * tickets entered), my tickets and the saved searches, as listed. */
static void
fill_cache (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) searches = NULL;
  g_autoptr(TsTicketList) all = NULL;
  g_autoptr(TsTicketList) pending = NULL;
  g_autoptr(TsSavedSearch) saved = NULL;
  g_autofree char *project_searches = NULL;
  TsProject *project;

  if (cache_filled)
    return;
  go_online ();

  ts_store_list_projects_async (alice, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (alice, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  project = ts_project_summary_get_project (g_ptr_array_index (projects, 0));
  g_clear_object (&result);

  all = ts_ticket_list_new (alice, project, TS_TICKET_LIST_ALL);
  /* One page holds the list: the saved copy has every row. */
  pending = ts_ticket_list_new (alice, project, TS_TICKET_LIST_PENDING);
  wait_loaded (all);
  wait_loaded (pending);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 8);

  ts_store_list_my_tickets_async (alice, NULL, store_result, &result);
  mine = ts_store_list_my_tickets_finish (alice, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* One of alice's own, listed with those shared with her. */
  saved = save_search (alice, "我的待办", "assigned_to:me", "{\"assigned_to\": \"alice\"}", FALSE, &error);
  g_assert_no_error (error);
  searches = list_saved_searches (alice, NULL);
  g_free (online_searches);
  online_searches = describe_searches (searches);
  g_clear_pointer (&searches, g_ptr_array_unref);
  searches = list_saved_searches (alice, PROJECT);
  project_searches = describe_searches (searches);
  g_assert_cmpstr (project_searches, ==, online_searches);

  /* The lists save themselves once loaded; going away saves what is due. */
  g_clear_object (&all);
  g_clear_object (&pending);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ts_cache_flush (cache);
  cache_filled = TRUE;
}

static void
go_offline (void)
{
  g_autoptr(GError) error = NULL;

  fill_cache ();
  if (paused)
    return;

  g_assert_true (ts_test_server_pause (server, &error));
  g_assert_no_error (error);
  paused = TRUE;
  while (ts_store_get_online (alice))
    g_main_context_iteration (NULL, TRUE);
}

/* Searching */

static GPtrArray *
search_page (TsStore     *store,
             JsonNode    *filter,
             const char  *sort,
             gboolean     descending,
             TsTicket    *after,
             int          limit,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ts_store_search_tickets_async (store, PROJECT, filter, sort, descending, after, limit, NULL,
                                 store_result, &result);
  return ts_store_search_tickets_finish (store, wait_for (&result), error);
}

static gint64
count (TsStore   *store,
       JsonNode  *filter,
       GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ts_store_count_search_async (store, PROJECT, filter, NULL, store_result, &result);
  return ts_store_count_search_finish (store, wait_for (&result), error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **)a, *(const char **)b);
}

/* "question_1 question_3", in the order given (@sorted: sorted first). */
static char *
keys_of (GPtrArray *tickets,
         gboolean   sorted)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  for (guint i = 0; i < tickets->len; i++)
    g_ptr_array_add (keys, (gpointer)ts_ticket_get_key (g_ptr_array_index (tickets, i)));
  if (sorted)
    g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);

  return g_strjoinv (" ", (char **)keys->pdata);
}

static char *
expected_keys (JsonObject *vector)
{
  JsonArray *expected = json_object_get_array_member (vector, "expected");
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (expected); i++)
    g_ptr_array_add (keys, (gpointer)json_array_get_string_element (expected, i));
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);

  return g_strjoinv (" ", (char **)keys->pdata);
}

static void
check_case (JsonObject *vector)
{
  JsonNode *filter = json_object_get_member (vector, "filter");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *expected = expected_keys (vector);
  g_autofree char *filter_text = node_text (filter);

  g_test_message ("%s: %s", json_object_get_string_member (vector, "name"), filter_text);
  found = search_page (alice, filter, NULL, TRUE, NULL, 1000, &error);
  g_assert_no_error (error);
  keys = keys_of (found, TRUE);
  g_assert_cmpstr (keys, ==, expected);
  g_assert_cmpint (count (alice, filter, &error), ==, found->len);
  g_assert_no_error (error);
}

static void
test_case_online (gconstpointer data)
{
  go_online ();
  check_case ((JsonObject *)data);
  g_assert_true (ts_store_get_online (alice));
}

static void
test_case_offline (gconstpointer data)
{
  go_offline ();
  check_case ((JsonObject *)data);
  g_assert_false (ts_store_get_online (alice));
  g_assert_nonnull (ts_store_get_data_time (alice));
}

/* Lists @store's projects, as the application does first; then refusals
 * name the project by its title and say what is wrong with a filter as
 * the offline copy does.  Returns search.json's project. */
static TsProject *
list_projects (TsStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;

  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (projects->len, ==, 1);
  return g_object_ref (ts_project_summary_get_project (g_ptr_array_index (projects, 0)));
}

static void
check_error (JsonObject *vector)
{
  JsonNode *filter = json_object_get_member (vector, "filter");
  JsonNode *field = json_object_get_member (vector, "field");
  const char *expected_field = JSON_NODE_HOLDS_NULL (field) ? NULL : json_node_get_string (field);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *filter_text = node_text (filter);

  found = search_page (alice, filter, NULL, TRUE, NULL, 10, &error);
  g_assert_null (found);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_test_message ("%s → %s", filter_text, error->message);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, expected_field);
  /* A sentence for a person, never empty. */
  g_assert_cmpuint (strlen (error->message), >, 10);
  g_clear_error (&error);

  g_assert_cmpint (count (alice, filter, &error), ==, -1);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, expected_field);
}

/* Online the refusal is said in the words of the offline copy (TsFilter's)
 * when the store has listed the project, else composed from the
 * refusal's facts; either way in the user's language, not the server's. */
static void
test_error_online (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  JsonNode *filter = json_object_get_member (vector, "filter");
  g_autoptr(TsStore) dave = NULL;
  g_autoptr(TsProject) project = NULL;
  g_autoptr(TsFilter) checked = NULL;
  g_autoptr(GError) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *bad_field = NULL;

  go_online ();
  project = list_projects (alice);
  check_error (vector);

  checked = ts_filter_new (project, filter, NULL, &bad_field, &expected);
  g_assert_null (checked);
  found = search_page (alice, filter, NULL, TRUE, NULL, 10, &error);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, expected->message);
  g_clear_error (&error);

  /* A store that has not listed its projects. */
  dave = open_store ("dave");
  found = search_page (dave, filter, NULL, TRUE, NULL, 10, &error);
  g_assert_null (found);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, bad_field);
  g_assert_nonnull (ts_store_error_get_server_message (error));
  g_assert_cmpstr (error->message, !=, ts_store_error_get_server_message (error));
  g_test_message ("from the facts: %s", error->message);
}

static void
test_error_offline (gconstpointer data)
{
  go_offline ();
  check_error ((JsonObject *)data);
  g_assert_false (ts_store_get_online (alice));
}

/* Sorting and paging */

static const char * const sorts[] = {
  "number", "key", "state", "assigned_to", "created_by", "created_at", "updated_at",
  "summary", "issue_level", "customer_type", "class_3", "device_count", "occurred_on",
  "recurring", "issue_se", "buglist_url",
};

/* Every ticket, in the search's order, read in pages of @page_size, each
 * page asked for after the last ticket of the one before. */
static char *
read_in_pages (JsonNode   *filter,
               const char *sort,
               gboolean    descending,
               int         page_size)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TsTicket) after = NULL;

  for (guint n_pages = 0; ; n_pages++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = search_page (alice, filter, sort, descending, after, page_size, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, page_size);
      g_assert_cmpuint (n_pages, <, 20);
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (page, i)));
      if (page->len < (guint)page_size)
        break;
      g_clear_object (&after);
      after = g_object_ref (g_ptr_array_index (page, page->len - 1));
    }

  return keys_of (all, FALSE);
}

/* Every ticket of the all list (ts_store_list_tickets_async), in pages of
 * @page_size, each after the cursor of the last row of the one before. */
static char *
list_in_pages (const char *sort,
               gboolean    descending,
               guint       page_size)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint n_pages = 0; ; n_pages++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(JsonNode) cursor = all->len > 0 ? ts_store_cursor_for_ticket (g_ptr_array_index (all, all->len - 1), sort)
                                                : NULL;

      ts_store_list_tickets_async (alice, PROJECT, TS_TICKET_LIST_ALL, sort, descending, cursor, 0, page_size,
                                   NULL, store_result, &result);
      page = ts_store_list_tickets_finish (alice, wait_for (&result), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n_pages, <, 20);
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (page, i)));
      if (page->len < page_size)
        break;
    }

  return keys_of (all, FALSE);
}

/* The ticket of search.json with @key. */
static JsonObject *
vector_ticket (const char *key)
{
  JsonArray *tickets = json_object_get_array_member (vectors, "tickets");

  for (guint i = 0; i < json_array_get_length (tickets); i++)
    {
      JsonObject *ticket = json_array_get_object_element (tickets, i);

      if (g_strcmp0 (json_object_get_string_member (ticket, "key"), key) == 0)
        return ticket;
    }

  g_assert_not_reached ();
  return NULL;
}

/* The type of search.json's field @name. */
static const char *
field_type (const char *name)
{
  JsonArray *fields = json_object_get_array_member (json_object_get_object_member (vectors, "project"), "fields");

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      if (g_str_equal (json_object_get_string_member (field, "name"), name))
        return json_object_get_string_member (field, "type");
    }

  return NULL;
}

/* A field's value as docs/sql-api.md says the search sorts by it: an
 * integer field's number, a boolean field's truth, another field's
 * non-empty string; anything else (ticket 8's wrong types) is none. */
static JsonNode *
sort_value (JsonObject *fields,
            const char *name)
{
  const char *type = field_type (name);
  JsonNode *value = json_object_get_member (fields, name);
  GType value_type;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return NULL;
  value_type = json_node_get_value_type (value);
  if (g_str_equal (type, "integer"))
    return value_type == G_TYPE_INT64 ? value : NULL;
  if (g_str_equal (type, "boolean"))
    return value_type == G_TYPE_BOOLEAN ? value : NULL;
  if (value_type != G_TYPE_STRING)
    return NULL;
  {
    g_autofree char *stripped = g_strstrip (g_strdup (json_node_get_string (value)));

    return *stripped != '\0' ? value : NULL;
  }
}

/* The rules the order must follow, checked pair by pair on search.json's
 * own values: by the column or the field's sort value (text in byte
 * order), rows with none last either way, ties by number in the same
 * direction. */
static void
check_order (const char *keys,
             const char *sort,
             gboolean    descending)
{
  g_auto(GStrv) order = g_strsplit (keys, " ", -1);
  gboolean system = g_str_equal (sort, "state") || g_str_equal (sort, "assigned_to") ||
                    g_str_equal (sort, "created_by");
  gboolean instant = g_str_equal (sort, "created_at") || g_str_equal (sort, "updated_at");
  gboolean by_number = g_str_equal (sort, "number") || g_str_equal (sort, "key");

  g_assert_cmpuint (g_strv_length (order), ==, 8);
  for (guint i = 0; order[i + 1] != NULL; i++)
    {
      JsonObject *a = vector_ticket (order[i]);
      JsonObject *b = vector_ticket (order[i + 1]);
      gint64 number_a = json_object_get_int_member (a, "number");
      gint64 number_b = json_object_get_int_member (b, "number");
      JsonNode *x = NULL, *y = NULL;
      int c = 0;

      if (system || instant)
        {
          x = json_object_get_member (a, sort);
          y = json_object_get_member (b, sort);
        }
      else if (!by_number)
        {
          x = sort_value (json_object_get_object_member (a, "fields"), sort);
          y = sort_value (json_object_get_object_member (b, "fields"), sort);

          /* No value comes last, whichever the direction. */
          if (x == NULL && y != NULL)
            g_error ("By %s, %s (no value) comes before %s in “%s”", sort, order[i], order[i + 1], keys);
          if (x != NULL && y == NULL)
            continue;
        }

      if (x != NULL && y != NULL && instant)
        {
          g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (json_node_get_string (x), NULL);
          g_autoptr(GDateTime) u = g_date_time_new_from_iso8601 (json_node_get_string (y), NULL);

          c = g_date_time_compare (t, u);
        }
      else if (x != NULL && y != NULL && json_node_get_value_type (x) == G_TYPE_STRING)
        c = strcmp (json_node_get_string (x), json_node_get_string (y));
      else if (x != NULL && y != NULL && json_node_get_value_type (x) == G_TYPE_INT64)
        c = json_node_get_int (x) < json_node_get_int (y) ? -1 : json_node_get_int (x) > json_node_get_int (y);
      else if (x != NULL && y != NULL && json_node_get_value_type (x) == G_TYPE_BOOLEAN)
        c = (int)json_node_get_boolean (x) - (int)json_node_get_boolean (y);

      if (c == 0)
        c = number_a < number_b ? -1 : 1;
      if (descending)
        c = -c;
      if (c > 0)
        g_error ("By %s%s, %s comes before %s in “%s”", sort, descending ? " descending" : "",
                 order[i], order[i + 1], keys);
    }
}

static char *
order_key (const char *sort,
           gboolean    descending)
{
  return g_strdup_printf ("%s|%d", sort, descending);
}

/* Sorting by what is not a column or a field: INVALID, at the sort. */
static void
check_unknown_sort (void)
{
  g_autoptr(JsonNode) every = node_from ("{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = search_page (alice, every, "概要", TRUE, NULL, 10, &error);

  g_assert_null (found);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "概要");
  g_test_message ("%s", error->message);
}

/* Online: each sort, both ways, read whole and in pages of 1, 3 and 5. */
static void
test_paging_online (void)
{
  g_autoptr(JsonNode) every = node_from ("{}");

  go_online ();
  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    for (int descending = 0; descending <= 1; descending++)
      {
        g_autoptr(GPtrArray) whole = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *keys = NULL;

        whole = search_page (alice, every, sorts[i], descending, NULL, 1000, &error);
        g_assert_no_error (error);
        keys = keys_of (whole, FALSE);
        g_test_message ("%s%s: %s", sorts[i], descending ? " descending" : "", keys);
        check_order (keys, sorts[i], descending);

        for (int size = 1; size <= 5; size += 2)
          {
            g_autofree char *paged = read_in_pages (every, sorts[i], descending, size);

            g_autofree char *listed = list_in_pages (sorts[i], descending, size);

            g_assert_cmpstr (paged, ==, keys);
            /* The list sorted so agrees with the search. */
            g_assert_cmpstr (listed, ==, keys);
          }

        g_hash_table_replace (online_orders, order_key (sorts[i], descending), g_steal_pointer (&keys));
      }

  /* The default: newest number first. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) whole = search_page (alice, every, NULL, TRUE, NULL, 1000, &error);
    g_autofree char *keys = keys_of (whole, FALSE);

    g_assert_no_error (error);
    g_assert_cmpstr (keys, ==, "question_8 question_7 question_6 question_5 question_4 question_3 question_2 question_1");
  }

  /* Pages of a filter that matches some. */
  {
    g_autoptr(JsonNode) filter = node_from ("{\"class_1\": \"硬件\"}");
    g_autofree char *paged = read_in_pages (filter, "updated_at", FALSE, 2);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) whole = search_page (alice, filter, "updated_at", FALSE, NULL, 1000, &error);
    g_autofree char *keys = keys_of (whole, FALSE);

    g_assert_no_error (error);
    g_assert_cmpstr (paged, ==, keys);
    g_hash_table_replace (online_orders, g_strdup ("class_1|updated_at"), g_steal_pointer (&keys));
  }

  check_unknown_sort ();
}

/* Offline: the same orders as the server's, the same pages. */
static void
test_paging_offline (void)
{
  g_autoptr(JsonNode) every = node_from ("{}");

  if (g_hash_table_size (online_orders) == 0)
    test_paging_online ();
  go_offline ();

  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    for (int descending = 0; descending <= 1; descending++)
      {
        g_autofree char *key = order_key (sorts[i], descending);
        const char *online = g_hash_table_lookup (online_orders, key);
        g_autoptr(GPtrArray) whole = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *keys = NULL;

        whole = search_page (alice, every, sorts[i], descending, NULL, 1000, &error);
        g_assert_no_error (error);
        keys = keys_of (whole, FALSE);
        g_test_message ("offline %s%s: %s", sorts[i], descending ? " descending" : "", keys);
        g_assert_cmpstr (keys, ==, online);

        for (int size = 1; size <= 5; size += 2)
          {
            g_autofree char *paged = read_in_pages (every, sorts[i], descending, size);

            g_assert_cmpstr (paged, ==, online);
          }
      }

  {
    g_autoptr(JsonNode) filter = node_from ("{\"class_1\": \"硬件\"}");
    g_autofree char *paged = read_in_pages (filter, "updated_at", FALSE, 2);

    g_assert_cmpstr (paged, ==, g_hash_table_lookup (online_orders, "class_1|updated_at"));
  }

  check_unknown_sort ();
  g_assert_false (ts_store_get_online (alice));
}

/* Saved searches */

static GPtrArray *
list_saved_searches (TsStore    *store,
                     const char *project)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *searches;

  ts_store_list_saved_searches_async (store, project, NULL, store_result, &result);
  searches = ts_store_list_saved_searches_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (searches);
  return searches;
}

/* "name(owner,shared,mine)" of each. */
static char *
describe_searches (GPtrArray *searches)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < searches->len; i++)
    {
      TsSavedSearch *search = g_ptr_array_index (searches, i);

      g_assert_cmpstr (ts_saved_search_get_project (search), ==, PROJECT);
      g_string_append_printf (text, "%s%s(%s%s%s)", i > 0 ? " " : "", ts_saved_search_get_name (search),
                              ts_saved_search_get_owner (search),
                              ts_saved_search_get_shared (search) ? ",shared" : "",
                              ts_saved_search_get_mine (search) ? ",mine" : "");
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The store's own changes, with their project; the server's hints (a
 * notification, with no project) are counted apart. */
static void
on_saved_searches_changed (TsStore    *store,
                           const char *project,
                           GPtrArray  *announced)
{
  if (project != NULL)
    g_ptr_array_add (announced, g_strdup (project));
}

static void
on_saved_searches_hint (TsStore    *store,
                        const char *project,
                        guint      *hints)
{
  if (project == NULL)
    (*hints)++;
}

static TsSavedSearch *
save_search (TsStore     *store,
             const char  *name,
             const char  *query,
             const char  *filter_json,
             gboolean     shared,
             GError     **error)
{
  g_autoptr(JsonNode) filter = node_from (filter_json);
  g_autoptr(GAsyncResult) result = NULL;

  ts_store_save_search_async (store, PROJECT, name, query, filter, shared, NULL, store_result, &result);
  return ts_store_save_search_finish (store, wait_for (&result), error);
}

static TsSavedSearch *
rename_search (TsStore     *store,
               const char  *name,
               const char  *new_name,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ts_store_rename_search_async (store, PROJECT, name, new_name, NULL, store_result, &result);
  return ts_store_rename_search_finish (store, wait_for (&result), error);
}

static gboolean
delete_search (TsStore     *store,
               const char  *name,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ts_store_delete_search_async (store, PROJECT, name, NULL, store_result, &result);
  return ts_store_delete_search_finish (store, wait_for (&result), error);
}

/* bob's and carol's searches, seen by each other, by alice and by erin,
 * who is in no project. */
static void
test_saved_searches (void)
{
  g_autoptr(TsStore) bob = NULL;
  g_autoptr(TsStore) carol = NULL;
  g_autoptr(TsStore) erin = NULL;
  g_autoptr(GPtrArray) announced = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) searches = NULL;
  g_autoptr(TsSavedSearch) saved = NULL;
  g_autoptr(TsSavedSearch) renamed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) expected_filter = node_from ("{\"issue_level\": \"严重问题\"}");
  g_autofree char *described = NULL;
  guint hints = 0;

  go_online ();
  bob = open_store ("bob");
  carol = open_store ("carol");
  erin = open_store ("erin");
  g_object_unref (list_projects (carol));
  g_signal_connect (bob, "saved-searches-changed", G_CALLBACK (on_saved_searches_changed), announced);
  g_signal_connect (carol, "saved-searches-changed", G_CALLBACK (on_saved_searches_hint), &hints);

  /* Private: bob's alone. */
  saved = save_search (bob, "严重问题", "issue_level:严重问题", "{\"issue_level\": \"严重问题\"}", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ts_saved_search_get_project (saved), ==, PROJECT);
  g_assert_cmpstr (ts_saved_search_get_name (saved), ==, "严重问题");
  g_assert_cmpstr (ts_saved_search_get_owner (saved), ==, "bob");
  g_assert_cmpstr (ts_saved_search_get_query (saved), ==, "issue_level:严重问题");
  g_assert_true (json_node_equal (ts_saved_search_get_filter (saved), expected_filter));
  g_assert_false (ts_saved_search_get_shared (saved));
  g_assert_true (ts_saved_search_get_mine (saved));
  g_assert_nonnull (ts_saved_search_get_updated_at (saved));
  g_assert_cmpuint (announced->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (announced, 0), ==, PROJECT);
  g_clear_object (&saved);

  searches = list_saved_searches (bob, PROJECT);
  described = describe_searches (searches);
  g_assert_cmpstr (described, ==, "严重问题(bob,mine)");
  g_clear_pointer (&searches, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);
  searches = list_saved_searches (carol, PROJECT);
  g_assert_cmpuint (searches->len, ==, 0);
  g_clear_pointer (&searches, g_ptr_array_unref);

  /* Saved again, shared: replaced, and carol sees it, not hers. */
  saved = save_search (bob, "严重问题", "问题级别:严重问题", "{\"issue_level\": \"严重问题\"}", TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (ts_saved_search_get_shared (saved));
  g_assert_cmpstr (ts_saved_search_get_query (saved), ==, "问题级别:严重问题");
  g_clear_object (&saved);
  g_assert_cmpuint (announced->len, ==, 2);
  /* carol heard of it from the server: another's change. */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (hints == 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpuint (hints, >, 0);
  }
  searches = list_saved_searches (carol, PROJECT);
  described = describe_searches (searches);
  g_assert_cmpstr (described, ==, "严重问题(bob,shared)");
  g_clear_pointer (&searches, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);

  /* carol may not share one of that name too: a conflict, said in full. */
  g_assert_null (save_search (carol, "严重问题", "", "{\"issue_level\": \"严重问题\"}", TRUE, &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“严重问题”"));
  g_assert_nonnull (strstr (error->message, "网上问题处理（检索用例）"));
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "name");
  g_clear_error (&error);
  /* ... but may keep one of that name for herself. */
  saved = save_search (carol, "严重问题", "", "{\"issue_level\": [\"严重问题\", \"紧急问题\"]}", FALSE, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);
  searches = list_saved_searches (carol, PROJECT);
  described = describe_searches (searches);
  g_assert_cmpstr (described, ==, "严重问题(carol,mine) 严重问题(bob,shared)");
  g_clear_pointer (&searches, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);

  /* Only the owner renames and deletes. */
  g_assert_null (rename_search (carol, "没有这个", "随便", &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "没有这个"));
  g_clear_error (&error);
  g_assert_false (delete_search (alice, "严重问题", &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  saved = save_search (bob, "北京", "北京", "{\"text\": \"北京\"}", FALSE, &error);
  g_assert_no_error (error);
  g_clear_object (&saved);
  g_assert_null (rename_search (bob, "北京", "严重问题", &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (announced->len, ==, 3);

  renamed = rename_search (bob, "严重问题", "严重问题（全部）", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ts_saved_search_get_name (renamed), ==, "严重问题（全部）");
  g_assert_true (ts_saved_search_get_shared (renamed));
  g_assert_cmpuint (announced->len, ==, 4);
  g_assert_true (delete_search (bob, "北京", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (announced->len, ==, 5);
  g_assert_false (delete_search (bob, "北京", &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (announced->len, ==, 5);

  searches = list_saved_searches (carol, PROJECT);
  described = describe_searches (searches);
  g_assert_cmpstr (described, ==, "严重问题(carol,mine) 严重问题（全部）(bob,shared)");
  g_clear_pointer (&searches, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);

  /* A bad filter: INVALID, at the key. */
  g_assert_null (save_search (bob, "坏的", "", "{\"device_count\": \"3\"}", FALSE, &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID);
  g_assert_cmpstr (ts_store_error_get_field (error), ==, "device_count");
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Not a member: nothing to see, nowhere to save. */
  searches = list_saved_searches (erin, PROJECT);
  g_assert_cmpuint (searches->len, ==, 0);
  g_clear_pointer (&searches, g_ptr_array_unref);
  g_assert_null (save_search (erin, "我的", "", "{}", FALSE, &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* All my projects' at once. */
  ts_store_list_saved_searches_async (carol, NULL, NULL, store_result, &result);
  searches = ts_store_list_saved_searches_finish (carol, wait_for (&result), &error);
  g_assert_no_error (error);
  described = describe_searches (searches);
  g_assert_cmpstr (described, ==, "严重问题(carol,mine) 严重问题（全部）(bob,shared)");
  g_clear_pointer (&described, g_free);
  g_clear_pointer (&searches, g_ptr_array_unref);
}

/* Offline, the saved searches as they were last listed; changing them
 * needs the server. */
static void
test_saved_searches_offline (void)
{
  g_autoptr(GPtrArray) searches = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;

  go_offline ();
  searches = list_saved_searches (alice, PROJECT);
  described = describe_searches (searches);
  g_test_message ("offline: %s", described);
  g_assert_nonnull (strstr (described, "我的待办(alice,mine)"));
  g_assert_cmpstr (described, ==, online_searches);
  g_clear_pointer (&searches, g_ptr_array_unref);
  g_clear_pointer (&described, g_free);

  /* Of all my projects, as listed too. */
  searches = list_saved_searches (alice, NULL);
  described = describe_searches (searches);
  g_assert_cmpstr (described, ==, online_searches);
  g_assert_false (ts_store_get_online (alice));

  g_assert_null (save_search (alice, "离线", "", "{}", FALSE, &error));
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
}

/* The time zone */

static JsonObject *
find_case (const char *name)
{
  JsonArray *cases = json_object_get_array_member (vectors, "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (cases, i), "name"), name))
      return json_array_get_object_element (cases, i);

  g_assert_not_reached ();
  return NULL;
}

/* The session's TimeZone of @store's connection. */
static char *
session_zone (TsStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) rows = NULL;

  ts_connection_query_async (ts_store_get_connection (store), "SELECT current_setting ('TimeZone')",
                             NULL, 0, NULL, store_result, &result);
  rows = ts_connection_query_finish (ts_store_get_connection (store), wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (PQresultStatus (rows), ==, PGRES_TUPLES_OK);
  return g_strdup (PQgetvalue (rows, 0, 0));
}

/* A case whose answer depends on where the day ends: the database's own
 * zone gives another answer than the local zone, which the store's gives. */
static void
test_time_zone (void)
{
  JsonObject *vector = find_case ("created-from-a-day");
  g_autofree char *filter = node_text (json_object_get_member (vector, "filter"));
  g_autofree char *expected = expected_keys (vector);
  g_autofree char *zone = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(GString) plain = g_string_new (NULL);
  const char *params[] = { PROJECT, filter };

  go_online ();
  g_assert_cmpstr (g_getenv ("TZ"), ==, "Asia/Shanghai");

  /* Without the store: the database's zone, another answer. */
  conn = connect_as ("alice");
  rows = PQexecParams (conn, "SELECT key FROM tasksteper.search_tickets ($1, $2::jsonb) ORDER BY key",
                       2, NULL, params, NULL, NULL, 0);
  g_assert_cmpstr (PQresultErrorMessage (rows), ==, "");
  for (int row = 0; row < PQntuples (rows); row++)
    g_string_append_printf (plain, "%s%s", row > 0 ? " " : "", PQgetvalue (rows, row, 0));
  g_assert_cmpstr (plain->str, !=, expected);

  zone = session_zone (alice);
  g_assert_cmpstr (zone, ==, "Asia/Shanghai");
  check_case (vector);
}

/* Through PgBouncer in transaction mode, whose server connections another
 * client keeps setting to another zone: every search still has the local
 * days. */
static void
test_time_zone_pooler (void)
{
  const char *users[] = { "alice", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTestPooler) pooler = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(TsStore) pooled = NULL;
  g_autoptr(PGconn) other = NULL;
  JsonObject *vector = find_case ("reached-at-midnight-belongs-to-the-new-day");
  g_autofree char *expected = expected_keys (vector);

  go_online ();
  pooler = ts_test_pooler_start (server, users, &error);
  g_assert_no_error (error);
  conninfo = ts_test_pooler_conninfo (pooler, db, "alice");
  pooled = open_store_at (conninfo);
  other = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (other), ==, CONNECTION_OK);

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(PGresult) set = PQexec (other, i % 2 ? "SET TimeZone = 'America/New_York'"
                                                     : "SET TimeZone = 'Pacific/Honolulu'");
      g_autoptr(PGresult) held = NULL;
      g_autoptr(GPtrArray) found = NULL;
      g_autofree char *keys = NULL;
      g_autofree char *zone = NULL;

      g_assert_cmpint (PQresultStatus (set), ==, PGRES_COMMAND_OK);
      /* The other client in a transaction: the store gets the pool's other
       * server connection, the one the other client set before. */
      held = PQexec (other, "BEGIN");
      g_clear_pointer (&held, PQclear);
      held = PQexec (other, "SELECT 1");
      g_assert_cmpint (PQresultStatus (held), ==, PGRES_TUPLES_OK);

      found = search_page (pooled, json_object_get_member (vector, "filter"), NULL, TRUE, NULL, 100, &error);
      g_assert_no_error (error);
      keys = keys_of (found, TRUE);
      g_assert_cmpstr (keys, ==, expected);
      zone = session_zone (pooled);
      g_assert_cmpstr (zone, ==, "Asia/Shanghai");

      g_clear_pointer (&held, PQclear);
      held = PQexec (other, "COMMIT");
    }
}

/* A local zone without a name (TZ as a POSIX rule, here the vectors'
 * +08:00): the session gets the offset, and the days are the same. */
static void
test_time_zone_offset (void)
{
  if (g_test_subprocess ())
    {
      JsonObject *vector = find_case ("created-up-to-a-day-includes-that-day");
      g_autofree char *zone = session_zone (alice);

      g_assert_cmpstr (g_getenv ("TZ"), ==, "<+08>-8");
      g_assert_cmpstr (zone, !=, "Asia/Shanghai");
      g_assert_cmpstr (zone, !=, DATABASE_ZONE);
      g_test_message ("TZ=%s: the session's TimeZone is %s", g_getenv ("TZ"), zone);
      check_case (vector);
      check_case (find_case ("reached-at-midnight-belongs-to-the-new-day"));
      return;
    }

  go_online ();
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The offline copy's files */

/* What the offline search reads: a list saved before the cache kept
 * states is still read (its tickets are found, though not by "reached");
 * each ticket once, in its newest version; the tickets opened too. */
static void
test_cache_files (void)
{
  g_autofree char *root = g_dir_make_tmp ("ts-search-old-XXXXXX", NULL);
  g_autoptr(TsCache) old = ts_cache_new_in (root, "old|5432|x", "alice");
  g_autoptr(GListStore) list = g_list_store_new (TS_TYPE_TICKET);
  g_autoptr(TsTicket) ticket = ts_ticket_new ();
  g_autoptr(TsTicket) newer = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GHashTable) states = NULL;
  g_autoptr(GDateTime) saved_at = NULL;
  g_autoptr(GDateTime) at = g_date_time_new_utc (2018, 1, 28, 1, 30, 0.25);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  TsStateEntry entries[] = { { "维护人员处理", 1516000000000000 }, { "关闭", 1517000000000001 } };
  GArray *loaded_entries;

  ts_ticket_set_id (ticket, 7);
  ts_ticket_set_project (ticket, PROJECT);
  ts_ticket_set_number (ticket, 1);
  ts_ticket_set_key (ticket, "question_1");
  ts_ticket_set_state (ticket, "关闭");
  ts_ticket_set_created_at (ticket, at);
  ts_ticket_set_updated_at (ticket, at);
  ts_ticket_set_version (ticket, 2);
  g_list_store_append (list, ticket);

  /* As the previous version wrote it: no "states". */
  ts_cache_save_tickets (old, PROJECT, "all", G_LIST_MODEL (list));
  ts_cache_flush (old);
  path = g_build_filename (ts_cache_get_directory (old), "tickets-" PROJECT "-all.json", NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "\"states\""));
  loaded = ts_cache_load_project_tickets (old, PROJECT, &states, &saved_at);
  g_assert_cmpuint (loaded->len, ==, 1);
  g_assert_cmpuint (g_hash_table_size (states), ==, 0);
  g_assert_nonnull (saved_at);
  g_assert_true (g_date_time_equal (ts_ticket_get_created_at (g_ptr_array_index (loaded, 0)), at));
  g_clear_pointer (&loaded, g_ptr_array_unref);
  g_clear_pointer (&states, g_hash_table_unref);

  /* Now with them, and a newer version in my tickets saved without: that
   * one wins, with the older one's states (history only grows: they still
   * hold, if perhaps not all). */
  ts_cache_set_states (old, 7, entries, G_N_ELEMENTS (entries));
  ts_cache_save_tickets (old, PROJECT, "all", G_LIST_MODEL (list));
  loaded = ts_cache_load_project_tickets (old, PROJECT, &states, NULL);
  loaded_entries = g_hash_table_lookup (states, &(gint64) { 7 });
  g_assert_nonnull (loaded_entries);
  g_assert_cmpuint (loaded_entries->len, ==, 2);
  g_assert_cmpstr (g_array_index (loaded_entries, TsStateEntry, 1).state, ==, "关闭");
  g_assert_cmpint (g_array_index (loaded_entries, TsStateEntry, 1).at, ==, entries[1].at);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  g_clear_pointer (&states, g_hash_table_unref);

  newer = ts_ticket_copy (ticket);
  ts_ticket_set_version (newer, 3);
  {
    g_autoptr(TsCache) other = ts_cache_new_in (root, "old|5432|x", "alice");
    g_autoptr(GPtrArray) mine = g_ptr_array_new ();

    /* Another cache object: it was told no states. */
    g_ptr_array_add (mine, newer);
    ts_cache_save_my_tickets (other, mine);
    ts_cache_flush (other);
  }
  loaded = ts_cache_load_project_tickets (old, PROJECT, &states, NULL);
  g_assert_cmpuint (loaded->len, ==, 1);
  g_assert_cmpint (ts_ticket_get_version (g_ptr_array_index (loaded, 0)), ==, 3);
  loaded_entries = g_hash_table_lookup (states, &(gint64) { 7 });
  g_assert_nonnull (loaded_entries);
  g_assert_cmpuint (loaded_entries->len, ==, 2);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  g_clear_pointer (&states, g_hash_table_unref);

  /* A ticket opened (its file holds its history) and in no list: found,
   * with the states it entered; a save, which stays in its state, is
   * none. */
  {
    g_autoptr(TsTicket) opened = ts_ticket_copy (ticket);
    g_autoptr(GPtrArray) history = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(GDateTime) created = g_date_time_new_utc (2018, 1, 2, 1, 0, 0);
    g_autoptr(GDateTime) edited = g_date_time_new_utc (2018, 1, 3, 1, 0, 0);
    g_autoptr(GDateTime) moved = g_date_time_new_utc (2018, 1, 5, 2, 0, 0);

    ts_ticket_set_id (opened, 9);
    ts_ticket_set_number (opened, 2);
    ts_ticket_set_key (opened, "question_2");
    ts_ticket_set_state (opened, "维护代表审核");
    g_ptr_array_add (history, ts_history_entry_new (created, "bob", NULL, NULL, "维护人员处理", NULL, "bob", NULL));
    g_ptr_array_add (history, ts_history_entry_new (edited, "bob", NULL, "维护人员处理", "维护人员处理", "bob", "bob", NULL));
    g_ptr_array_add (history, ts_history_entry_new (moved, "bob", "提交审核", "维护人员处理", "维护代表审核", "bob", "carol", NULL));
    ts_cache_save_ticket (old, opened, history);

    loaded = ts_cache_load_project_tickets (old, PROJECT, &states, NULL);
    g_assert_cmpuint (loaded->len, ==, 2);
    loaded_entries = g_hash_table_lookup (states, &(gint64) { 9 });
    g_assert_nonnull (loaded_entries);
    g_assert_cmpuint (loaded_entries->len, ==, 2);
    g_assert_cmpstr (g_array_index (loaded_entries, TsStateEntry, 0).state, ==, "维护人员处理");
    g_assert_cmpint (g_array_index (loaded_entries, TsStateEntry, 0).at, ==, g_date_time_to_unix (created) * G_USEC_PER_SEC);
    g_assert_cmpstr (g_array_index (loaded_entries, TsStateEntry, 1).state, ==, "维护代表审核");
    g_assert_cmpint (g_array_index (loaded_entries, TsStateEntry, 1).at, ==, g_date_time_to_unix (moved) * G_USEC_PER_SEC);
  }

  /* Another project's are not given. */
  g_assert_null (ts_cache_load_project_tickets (old, "other_project", NULL, NULL));

  remove_tree (root);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  JsonArray *cases;
  JsonArray *errors;
  int ret;

  /* The vectors' time zone is the local one (tests/meson.build sets TZ);
   * the offset test's subprocess gets one without a name. */
  if (argc > 1 && g_strv_contains ((const char * const *)argv, "--GTestSubprocess"))
    g_setenv ("TZ", "<+08>-8", TRUE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "data", "search.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  vectors = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  online_orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (g_test_subprocess ())
    {
      /* The parent's server and database, in a file it left. */
      g_autofree char *conninfo_path = g_build_filename (g_getenv ("TS_SEARCH_TEST_DIR"), "conninfo", NULL);
      g_autofree char *conninfo = NULL;

      g_assert_true (g_file_get_contents (conninfo_path, &conninfo, NULL, &error));
      g_assert_no_error (error);
      alice = open_store_at (conninfo);
    }
  else
    {
      g_autofree char *conninfo = NULL;
      g_autofree char *conninfo_path = NULL;

      /* Before any thread is started, where setenv() is safe. */
      cache_root = g_dir_make_tmp ("ts-search-store-XXXXXX", NULL);
      g_setenv ("TS_SEARCH_TEST_DIR", cache_root, TRUE);

      server = ts_test_server_start (&error);
      g_assert_no_error (error);
      set_up_database ();
      alice = open_store ("alice");
      cache = ts_cache_new_in (cache_root, db, "alice");
      ts_store_set_cache (alice, cache);
      conninfo = ts_test_server_conninfo (server, db, "alice");
      conninfo_path = g_build_filename (cache_root, "conninfo", NULL);
      g_assert_true (g_file_set_contents (conninfo_path, conninfo, -1, &error));
      g_assert_no_error (error);
    }

  cases = json_object_get_array_member (vectors, "cases");
  errors = json_object_get_array_member (vectors, "errors");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      g_autofree char *test_path = g_strdup_printf ("/ts/search-store/online/case/%s",
                                                    json_object_get_string_member (vector, "name"));

      g_test_add_data_func (test_path, vector, test_case_online);
    }
  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *vector = json_array_get_object_element (errors, i);
      g_autofree char *test_path = g_strdup_printf ("/ts/search-store/online/error/%s",
                                                    json_object_get_string_member (vector, "name"));

      g_test_add_data_func (test_path, vector, test_error_online);
    }
  g_test_add_func ("/ts/search-store/online/paging", test_paging_online);
  g_test_add_func ("/ts/search-store/online/saved-searches", test_saved_searches);
  g_test_add_func ("/ts/search-store/time-zone/local", test_time_zone);
  g_test_add_func ("/ts/search-store/time-zone/pooler", test_time_zone_pooler);
  g_test_add_func ("/ts/search-store/time-zone/offset", test_time_zone_offset);
  g_test_add_func ("/ts/search-store/cache/files", test_cache_files);

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      g_autofree char *test_path = g_strdup_printf ("/ts/search-store/offline/case/%s",
                                                    json_object_get_string_member (vector, "name"));

      g_test_add_data_func (test_path, vector, test_case_offline);
    }
  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *vector = json_array_get_object_element (errors, i);
      g_autofree char *test_path = g_strdup_printf ("/ts/search-store/offline/error/%s",
                                                    json_object_get_string_member (vector, "name"));

      g_test_add_data_func (test_path, vector, test_error_offline);
    }
  g_test_add_func ("/ts/search-store/offline/paging", test_paging_offline);
  g_test_add_func ("/ts/search-store/offline/saved-searches", test_saved_searches_offline);

  ret = g_test_run ();

  g_clear_object (&alice);
  if (cache != NULL)
    ts_cache_clear (cache);
  g_clear_object (&cache);
  if (cache_root != NULL)
    remove_tree (cache_root);
  g_clear_pointer (&online_orders, g_hash_table_unref);
  g_free (online_searches);
  g_clear_pointer (&vectors, json_object_unref);
  g_free (cache_root);
  g_free (db);
  if (server != NULL)
    ts_test_server_free (server);
  return ret;
}
