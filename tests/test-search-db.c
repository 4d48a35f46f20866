/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Search on the server (data/sql/0006-search.sql) against a real PostgreSQL
 * started by the harness.
 *
 *   /ts/search-db/vectors/NAME   every case of tests/data/search.json: the
 *       file's project imported, its tickets and history stored as written
 *       (as the superuser, past the functions, with the file's times), a
 *       member searching with the file's time zone; search_tickets() and
 *       count_tickets() must agree with "expected"
 *   /ts/search-db/errors/NAME    every error case: search_tickets(),
 *       count_tickets() and save_search() refuse it with the SQLSTATE of its
 *       code (TS440..TS443), the key in COLUMN and the facts in DETAIL
 *   /ts/search-db/paging/SORT-DIRECTION   every case again, two tickets a
 *       page through the keyset cursor, against an order computed here from
 *       the file
 *   /ts/search-db/explain/NAME   the plan of each case's first page over
 *       20,000 generated tickets (bench/generate-tickets.sql): no sequential
 *       scan of tickets, and the index each kind of condition is for
 *   /ts/search-db/saved/...      saved searches: who sees, changes and
 *       deletes which; names; conflicts
 *   /ts/search-db/non-member, /injection, /reached-saves, /arguments,
 *   /ts/search-db/locale/...     pg_trgm under C.UTF-8, and what LC_CTYPE C does
 *
 * Roles are cluster-wide, so their names start with their database's. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ts-migrations.h"
#include "ts-test-server.h"

#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

#define MAX_PARAMS 8

/* How many tickets the plans are looked at with. */
#define N_GENERATED 20000

static TsTestServer *server;

/* tests/data/search.json, parsed, and its text. */
static JsonNode *vectors_root;
static char *vectors_text;

/* Helpers: queries {{{1 */

static PGresult *
exec_va (PGconn     *conn,
         const char *sql,
         int         n_params,
         va_list     ap)
{
  const char *params[MAX_PARAMS];

  g_assert_cmpint (n_params, <=, MAX_PARAMS);
  for (int i = 0; i < n_params; i++)
    params[i] = va_arg (ap, const char *);

  return PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
}

static gboolean
result_ok (const PGresult *res)
{
  ExecStatusType status = PQresultStatus (res);

  return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

static void
assert_result_ok (PGconn     *conn,
                  const char *sql,
                  PGresult   *res)
{
  if (!result_ok (res))
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                             "“%s” as %s failed: [%s] %s", sql, PQuser (conn),
                                             PQresultErrorField (res, PG_DIAG_SQLSTATE),
                                             PQresultErrorMessage (res));
      g_assert_no_error (error);
    }
}

/* Runs @sql with @n_params text parameters (NULL: SQL NULL); it must succeed. */
static PGresult *
run (PGconn     *conn,
     const char *sql,
     int         n_params,
     ...)
{
  PGresult *res;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  assert_result_ok (conn, sql, res);

  return res;
}

static void
run_command (PGconn     *conn,
             const char *sql)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

  assert_result_ok (conn, sql, res);
}

/* The first column of the only row @sql returns (NULL for SQL NULL). */
static char *
value (PGconn     *conn,
       const char *sql,
       int         n_params,
       ...)
{
  g_autoptr(PGresult) res = NULL;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);
  assert_result_ok (conn, sql, res);
  g_assert_cmpint (PQntuples (res), ==, 1);

  return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

/* @sql must be refused with @sqlstate, naming @column (NULL: none) in
 * COLUMN, with its facts as a JSON object in DETAIL when the SQLSTATE is
 * one of ours (class TS). */
static void
assert_refused (PGconn     *conn,
                const char *sqlstate,
                const char *column,
                const char *sql,
                int         n_params,
                ...)
{
  g_autoptr(PGresult) res = NULL;
  const char *got_state;
  const char *got_column;
  const char *detail;
  va_list ap;

  va_start (ap, n_params);
  res = exec_va (conn, sql, n_params, ap);
  va_end (ap);

  got_state = PQresultErrorField (res, PG_DIAG_SQLSTATE);
  got_column = PQresultErrorField (res, PG_DIAG_COLUMN_NAME);
  detail = PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL);
  g_test_message ("“%s” as %s: [%s] %s", sql, PQuser (conn), got_state ? got_state : "ok",
                  result_ok (res) ? "" : PQresultErrorMessage (res));
  g_assert_false (result_ok (res));
  g_assert_cmpstr (got_state, ==, sqlstate);
  g_assert_cmpstr (got_column, ==, column);

  if (g_str_has_prefix (sqlstate, "TS"))
    {
      g_autoptr(JsonNode) facts = NULL;

      g_assert_nonnull (detail);
      facts = json_from_string (detail, NULL);
      g_assert_nonnull (facts);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (facts));
      g_assert_nonnull (json_object_get_string_member_with_default (json_node_get_object (facts), "ts", NULL));
      if (column != NULL)
        g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (facts), "field", NULL),
                         ==, column);
    }
}

static char *
quote_ident (PGconn     *conn,
             const char *name)
{
  char *quoted = PQescapeIdentifier (conn, name, strlen (name));
  char *copy = g_strdup (quoted);

  PQfreemem (quoted);
  return copy;
}

static void
log_notice (void       *user_data,
            const char *message)
{
  g_test_message ("server: %s", g_strchomp ((char *)message));
}

static PGconn *
open_connection (const char *db,
                 const char *role)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, role);
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect as %s: %s",
                                             role, PQerrorMessage (conn));
      g_assert_no_error (error);
    }
  PQsetNoticeProcessor (conn, log_notice, NULL);

  return conn;
}

/* Installs the server side into @conn's database as tasksteper-admin init does. */
static void
install_server (PGconn *conn)
{
  g_autoptr(GError) error = NULL;

  ts_migrations_apply (conn, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
create_login (PGconn     *super,
              const char *name,
              const char *in_roles)
{
  g_autofree char *quoted = quote_ident (super, name);
  g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE %s", quoted, in_roles);

  run_command (super, sql);
}

static void
add_member (PGconn     *super,
            const char *project,
            const char *member)
{
  g_autoptr(PGresult) res = run (super, "SELECT tasksteper.add_member($1, $2)", 2, project, member);
}

static void
set_time_zone (PGconn     *conn,
               const char *zone)
{
  g_autoptr(PGresult) res = run (conn, "SELECT set_config('TimeZone', $1, false)", 1, zone);
}

static JsonObject *
vectors (void)
{
  return json_node_get_object (vectors_root);
}

static char *
vectors_project_text (void)
{
  return json_to_string (json_object_get_member (vectors (), "project"), FALSE);
}

/* The vectors' project, imported under another @name. */
static void
import_project_as (PGconn     *super,
                   const char *name)
{
  g_autofree char *definition = vectors_project_text ();
  g_autoptr(PGresult) res = run (super,
                                 "SELECT tasksteper.import_project(jsonb_set($1::jsonb, '{name}', to_jsonb($2::text)))",
                                 2, definition, name);
}

/* The vectors' tickets and their history, into @project, as written: the
 * superuser writes the tables directly, with history's dating trigger off
 * for the moment.  Each history row enters its state from the one before
 * (a creation from none). */
static void
store_vector_tickets (PGconn     *super,
                      const char *project)
{
  g_autoptr(PGresult) res = NULL;

  run_command (super, "BEGIN");
  run_command (super, "ALTER TABLE tasksteper.history DISABLE TRIGGER history_dated");
  res = run (super,
             "INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by,"
             "                                created_at, updated_at, fields, is_final)"
             " SELECT $2, (x ->> 'number')::int, x ->> 'key', x ->> 'state', x ->> 'assigned_to', x ->> 'created_by',"
             "        (x ->> 'created_at')::timestamptz, (x ->> 'updated_at')::timestamptz, x -> 'fields',"
             "        x ->> 'state' = ANY (p.final_states)"
             "   FROM jsonb_array_elements($1::jsonb -> 'tickets') x, tasksteper.projects p"
             "  WHERE p.name = $2",
             2, vectors_text, project);
  g_assert_cmpstr (PQcmdTuples (res), ==, "8");
  g_clear_pointer (&res, PQclear);
  res = run (super,
             "INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,"
             "                                from_assignee, to_assignee)"
             " SELECT t.id, t.project, (h ->> 'at')::timestamptz, t.created_by,"
             "        CASE WHEN o > 1 THEN 'vector' END,"
             "        lag (h ->> 'to_state') OVER (PARTITION BY t.id ORDER BY o), h ->> 'to_state',"
             "        NULL, t.assigned_to"
             "   FROM jsonb_array_elements($1::jsonb -> 'tickets') x"
             "   JOIN tasksteper.tickets t ON t.project = $2 AND t.number = (x ->> 'number')::int,"
             "        jsonb_array_elements(x -> 'history') WITH ORDINALITY AS hh(h, o)"
             "  ORDER BY t.id, o",
             2, vectors_text, project);
  g_clear_pointer (&res, PQclear);
  run_command (super, "ALTER TABLE tasksteper.history ENABLE ALWAYS TRIGGER history_dated");
  res = run (super, "SELECT setval(number_sequence, 9, false) FROM tasksteper.projects WHERE name = $1", 1, project);
  run_command (super, "COMMIT");
}

static char *
read_file_or_die (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* The shared database of the vectors {{{1 */

/* search_vectors with the file's tickets, and search_bulk with 20,000
 * generated ones (for the plans), in one database; a member of both who
 * searches with the file's time zone. */
static char *shared_db;
static PGconn *shared_super;
static PGconn *shared_member;

static void
prepare_shared (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *member = NULL;
  g_autofree char *generator_path = NULL;
  g_autofree char *generator = NULL;
  g_autofree char *count = NULL;
  g_autofree char *sql = NULL;
  const char *zone;
  gint64 begin;

  if (shared_member != NULL)
    return;

  begin = g_get_monotonic_time ();
  shared_db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  shared_super = open_connection (shared_db, "postgres");
  install_server (shared_super);

  import_project_as (shared_super, "search_vectors");
  store_vector_tickets (shared_super, "search_vectors");

  import_project_as (shared_super, "search_bulk");
  generator_path = g_test_build_filename (G_TEST_DIST, "..", "bench", "generate-tickets.sql", NULL);
  generator = read_file_or_die (generator_path);
  run_command (shared_super, generator);
  sql = g_strdup_printf ("SELECT pg_temp.ts_generate_tickets('search_bulk', %d)", N_GENERATED);
  run_command (shared_super, sql);
  /* As autovacuum would: statistics, and the GIN indexes' pending entries merged. */
  run_command (shared_super, "VACUUM (ANALYZE) tasksteper.tickets");
  run_command (shared_super, "VACUUM (ANALYZE) tasksteper.history");
  run_command (shared_super, "VACUUM (ANALYZE) tasksteper.ticket_texts");
  count = value (shared_super, "SELECT count(*) FROM tasksteper.tickets WHERE project = 'search_bulk'", 0);
  g_assert_cmpint (atoi (count), ==, N_GENERATED);

  member = g_strdup_printf ("%s_member", shared_db);
  create_login (shared_super, member, "tasksteper_user");
  add_member (shared_super, "search_vectors", member);
  add_member (shared_super, "search_bulk", member);
  shared_member = open_connection (shared_db, member);

  zone = json_object_get_string_member (vectors (), "time_zone");
  set_time_zone (shared_member, zone);
  set_time_zone (shared_super, zone);
  g_test_message ("prepared %s in %.1f s", shared_db, (g_get_monotonic_time () - begin) / (double)G_USEC_PER_SEC);
}

/* The vectors {{{1 */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

static char *
sorted_keys (JsonArray *keys)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (keys); i++)
    g_ptr_array_add (list, (gpointer)json_array_get_string_element (keys, i));
  g_ptr_array_sort (list, compare_strings);
  g_ptr_array_add (list, NULL);

  return g_strjoinv (",", (char **)list->pdata);
}

static void
test_vector (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  g_autofree char *filter = json_to_string (json_object_get_member (vector, "filter"), FALSE);
  g_autofree char *expected = sorted_keys (json_object_get_array_member (vector, "expected"));
  g_autofree char *got = NULL;
  g_autofree char *in_order = NULL;
  g_autofree char *count = NULL;
  g_autofree char *expected_count = g_strdup_printf ("%u", json_array_get_length (json_object_get_array_member (vector, "expected")));

  prepare_shared ();
  g_test_message ("filter %s", filter);

  got = value (shared_member,
               "SELECT coalesce(string_agg(key, ',' ORDER BY key), '')"
               "  FROM tasksteper.search_tickets('search_vectors', $1::jsonb)", 1, filter);
  g_assert_cmpstr (got, ==, expected);

  /* Newest first by default: in the order of the numbers, descending. */
  in_order = value (shared_member,
                    "SELECT bool_and(ok) IS NOT FALSE FROM (SELECT number < lag (number) OVER (ORDER BY ord) AS ok"
                    "  FROM tasksteper.search_tickets('search_vectors', $1::jsonb) WITH ORDINALITY AS s(id, project, number,"
                    "       key, state, assigned_to, created_by, created_at, updated_at, version, is_final, fields, ord)) x",
                    1, filter);
  g_assert_cmpstr (in_order, ==, "t");

  count = value (shared_member, "SELECT tasksteper.count_tickets('search_vectors', $1::jsonb)", 1, filter);
  g_assert_cmpstr (count, ==, expected_count);
}

static const char *
sqlstate_of (const char *code)
{
  if (g_str_equal (code, "unknown-field"))
    return "TS440";
  if (g_str_equal (code, "bad-operator"))
    return "TS441";
  if (g_str_equal (code, "bad-value"))
    return "TS442";
  if (g_str_equal (code, "bad-date"))
    return "TS443";
  g_assert_not_reached ();
}

static void
test_error (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  g_autofree char *filter = json_to_string (json_object_get_member (vector, "filter"), FALSE);
  const char *state = sqlstate_of (json_object_get_string_member (vector, "error"));
  JsonNode *field_node = json_object_get_member (vector, "field");
  const char *field = JSON_NODE_HOLDS_NULL (field_node) ? NULL : json_node_get_string (field_node);
  g_autofree char *saved = NULL;

  prepare_shared ();
  g_test_message ("filter %s", filter);

  assert_refused (shared_member, state, field,
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', $1::jsonb)", 1, filter);
  assert_refused (shared_member, state, field,
                  "SELECT tasksteper.count_tickets('search_vectors', $1::jsonb)", 1, filter);
  assert_refused (shared_member, state, field,
                  "SELECT tasksteper.save_search('search_vectors', 'bad', 'bad', $1::jsonb)", 1, filter);
  /* The later pages are refused as well. */
  assert_refused (shared_member, state, field,
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', $1::jsonb, 'updated_at', false,"
                  " '{\"value\": \"2018-01-02T09:00:00+08:00\", \"number\": 1}', 5)", 1, filter);

  saved = value (shared_super, "SELECT count(*) FROM tasksteper.saved_searches", 0);
  g_assert_cmpstr (saved, ==, "0");
}

/* Paging {{{1 */

typedef struct
{
  const char *sort;
  gboolean    descending;
} Paging;

static const Paging pagings[] = {
  { "number", TRUE }, { "number", FALSE },
  { "key", TRUE }, { "key", FALSE },
  { "state", TRUE }, { "state", FALSE },
  { "assigned_to", TRUE }, { "assigned_to", FALSE },
  { "created_by", TRUE }, { "created_by", FALSE },
  { "created_at", TRUE }, { "created_at", FALSE },
  { "updated_at", TRUE }, { "updated_at", FALSE },
  { "issue_level", TRUE }, { "issue_level", FALSE },     /* a choice, null in ticket 8 */
  { "device_count", TRUE }, { "device_count", FALSE },   /* an integer: "3" in ticket 8, missing in 5 */
  { "recurring", TRUE }, { "recurring", FALSE },         /* a boolean, missing in 4 and 6 */
  { "occurred_on", TRUE }, { "occurred_on", FALSE },     /* a date, missing in 8 */
  { "release_notes", TRUE }, { "release_notes", FALSE }, /* text, blank in 7, mostly missing */
  { "summary", TRUE }, { "summary", FALSE },
};

/* A ticket's value for a sort, as docs/sql-api.md defines it. */
typedef struct
{
  const char *key;
  gint64      number;
  gboolean    has;       /* FALSE: no value (missing, null, empty, another type) */
  double      num;       /* integers, booleans (0, 1) and instants (seconds) */
  const char *str;       /* text, compared byte for byte */
} SortKey;

static gboolean
is_blank (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != 0x0b && c != '\f' && c != 0xa0 && c != 0x3000)
        return FALSE;
    }
  return TRUE;
}

static const char *
field_type (const char *name)
{
  JsonArray *fields = json_object_get_array_member (json_object_get_object_member (vectors (), "project"), "fields");

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      if (g_str_equal (json_object_get_string_member (field, "name"), name))
        return json_object_get_string_member (field, "type");
    }
  return NULL;
}

static SortKey
sort_key_of (JsonObject *ticket,
             const char *sort)
{
  SortKey k = { 0 };
  JsonNode *node;

  k.key = json_object_get_string_member (ticket, "key");
  k.number = json_object_get_int_member (ticket, "number");

  if (g_str_equal (sort, "number") || g_str_equal (sort, "key"))
    return k;

  if (g_str_equal (sort, "created_at") || g_str_equal (sort, "updated_at"))
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (json_object_get_string_member (ticket, sort), NULL);

      g_assert_nonnull (time);
      k.has = TRUE;
      k.num = (double)g_date_time_to_unix (time);
      return k;
    }

  if (g_str_equal (sort, "state") || g_str_equal (sort, "assigned_to") || g_str_equal (sort, "created_by"))
    {
      k.has = TRUE;
      k.str = json_object_get_string_member (ticket, sort);
      return k;
    }

  node = json_object_get_member (json_object_get_object_member (ticket, "fields"), sort);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return k;

  if (g_str_equal (field_type (sort), "integer"))
    {
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        k.has = TRUE, k.num = (double)json_node_get_int (node);
      else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        k.has = TRUE, k.num = json_node_get_double (node);
    }
  else if (g_str_equal (field_type (sort), "boolean"))
    {
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        k.has = TRUE, k.num = json_node_get_boolean (node) ? 1 : 0;
    }
  else if (json_node_get_value_type (node) == G_TYPE_STRING && !is_blank (json_node_get_string (node)))
    {
      k.has = TRUE;
      k.str = json_node_get_string (node);
    }

  return k;
}

static gboolean paging_descending;

/* Rows with no value last in either direction; ties by number, in the
 * same direction. */
static int
compare_sort_keys (gconstpointer a,
                   gconstpointer b)
{
  const SortKey *x = a;
  const SortKey *y = b;
  int c = 0;

  if (x->has != y->has)
    return x->has ? -1 : 1;
  if (x->has)
    c = x->str != NULL ? strcmp (x->str, y->str) : (x->num > y->num) - (x->num < y->num);
  if (c == 0)
    c = (x->number > y->number) - (x->number < y->number);

  return paging_descending ? -c : c;
}

/* The keys of the case's expected tickets, in the order of @paging. */
static char *
expected_order (JsonObject   *vector,
                const Paging *paging)
{
  JsonArray *expected = json_object_get_array_member (vector, "expected");
  JsonArray *tickets = json_object_get_array_member (vectors (), "tickets");
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (SortKey));
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (tickets); i++)
    {
      JsonObject *ticket = json_array_get_object_element (tickets, i);

      for (guint e = 0; e < json_array_get_length (expected); e++)
        if (g_str_equal (json_array_get_string_element (expected, e), json_object_get_string_member (ticket, "key")))
          {
            SortKey k = sort_key_of (ticket, paging->sort);

            g_array_append_val (keys, k);
          }
    }

  paging_descending = paging->descending;
  g_array_sort (keys, compare_sort_keys);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", g_array_index (keys, SortKey, i).key);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The page after @after (NULL: the first), as "key,key", and the cursor of
 * its last row as a client makes it: the row's value of the sort column as
 * JSON (null when it has none), and its number. */
static char *
page (const char  *filter,
      const char  *sort,
      gboolean     descending,
      const char  *after,
      int          limit,
      char       **cursor)
{
  g_autofree char *limit_text = g_strdup_printf ("%d", limit);
  g_autoptr(PGresult) res = run (shared_member,
                                 "SELECT key, jsonb_build_object('value',"
                                 "         CASE WHEN $2 IN ('number', 'key') THEN to_jsonb(t.number)"
                                 "              WHEN $2 IN ('state', 'assigned_to', 'created_by', 'created_at', 'updated_at')"
                                 "                THEN to_jsonb(t) -> $2"
                                 "              ELSE t.fields -> $2 END,"
                                 "       'number', t.number)"
                                 "  FROM tasksteper.search_tickets('search_vectors', $1::jsonb, $2, $3::boolean, $4::jsonb, $5::int) t",
                                 5, filter, sort, descending ? "true" : "false", after, limit_text);
  g_autoptr(GString) keys = g_string_new (NULL);
  int n = PQntuples (res);

  for (int i = 0; i < n; i++)
    g_string_append_printf (keys, "%s%s", i ? "," : "", PQgetvalue (res, i, 0));
  *cursor = n > 0 ? g_strdup (PQgetvalue (res, n - 1, 1)) : NULL;

  return g_string_free (g_steal_pointer (&keys), FALSE);
}

static void
test_paging (gconstpointer data)
{
  const Paging *paging = data;
  JsonArray *cases = json_object_get_array_member (vectors (), "cases");

  prepare_shared ();

  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *vector = json_array_get_object_element (cases, c);
      g_autofree char *filter = json_to_string (json_object_get_member (vector, "filter"), FALSE);
      g_autofree char *expected = expected_order (vector, paging);
      g_autofree char *whole = NULL;
      g_autofree char *last_cursor = NULL;
      g_autoptr(GString) paged = g_string_new (NULL);
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autofree char *after = NULL;
      guint n_pages = 0;

      /* One page of everything, in the order computed here. */
      whole = page (filter, paging->sort, paging->descending, NULL, 1000, &last_cursor);
      if (g_strcmp0 (whole, expected) != 0)
        g_test_message ("%s by %s %s", json_object_get_string_member (vector, "name"), paging->sort,
                        paging->descending ? "descending" : "ascending");
      g_assert_cmpstr (whole, ==, expected);

      /* Two a page, each from the cursor of the page before. */
      for (;;)
        {
          g_autofree char *cursor = NULL;
          g_autofree char *keys = page (filter, paging->sort, paging->descending, after, 2, &cursor);
          g_auto(GStrv) split = g_strsplit (keys, ",", -1);

          g_assert_cmpuint (++n_pages, <=, 8);
          for (guint i = 0; split[i] != NULL && *split[i] != '\0'; i++)
            {
              g_assert_false (g_hash_table_contains (seen, split[i]));
              g_hash_table_add (seen, g_strdup (split[i]));
            }
          if (*keys != '\0')
            g_string_append_printf (paged, "%s%s", paged->len ? "," : "", keys);
          if (g_strv_length (split) < 2 || cursor == NULL)
            break;
          g_free (after);
          after = g_steal_pointer (&cursor);
        }
      g_assert_cmpstr (paged->str, ==, expected);
    }
}

/* Plans {{{1 */

/* Cases whose plan must use a given index (the kind of condition it is
 * for); the others must only not read tickets whole. */
static const struct { const char *name; const char *index; } expected_indexes[] = {
  { "string-field-equals-whole-value", "tickets_fields_idx" },
  { "integer-equals-numbers-only", "tickets_fields_idx" },
  { "user-field-equals", "tickets_fields_idx" },
  { "state-equals", "tickets_state_idx" },
  { "assigned-to-equals", "tickets_assigned_to_idx" },
  { "created-by-equals", "tickets_created_by_idx" },
  { "key-equals", "tickets_project_number_key" },
  { "contains-chinese", "ticket_texts_text_idx" },
  { "contains-list-needs-every-word", "ticket_texts_text_idx" },
  { "contains-in-text-field", "ticket_texts_text_idx" },
  { "contains-ignores-accented-case", "ticket_texts_text_idx" },
  { "text-over-string-and-text-fields", "ticket_texts_text_idx" },
  { "text-words-may-be-in-different-fields", "ticket_texts_text_idx" },
  { "created-in-a-month-of-the-time-zone", "tickets_created_at_idx" },
  { "updated-in-a-month", "tickets_updated_at_idx" },
  { "reached-in-a-window", "history_reached_idx" },
  { "reached-again-after-a-send-back", "history_reached_idx" },
  { "empty-filter-matches-every-ticket", "tickets_project_number_key" },
};

static char *
plan_of (const char *filter,
         const char *sort,
         const char *mode)
{
  g_autoptr(PGresult) res = run (shared_super,
                                 "SELECT line FROM tasksteper.search_plan('search_bulk', $1::jsonb, $2, true, NULL, 100, $3) line",
                                 3, filter, sort, mode);
  g_autoptr(GString) plan = g_string_new (NULL);

  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (plan, "%s\n", PQgetvalue (res, i, 0));

  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static void
test_explain (gconstpointer data)
{
  JsonObject *vector = (JsonObject *)data;
  const char *name = json_object_get_string_member (vector, "name");
  g_autofree char *filter = json_to_string (json_object_get_member (vector, "filter"), FALSE);
  g_autofree char *plan = NULL;
  g_autofree char *count_plan = NULL;

  prepare_shared ();

  plan = plan_of (filter, "number", "ids");
  g_test_message ("first page of %s:\n%s", filter, plan);
  g_assert_null (strstr (plan, "Seq Scan on tickets"));
  g_assert_null (strstr (plan, "Seq Scan on ticket_texts"));
  for (guint i = 0; i < G_N_ELEMENTS (expected_indexes); i++)
    if (g_str_equal (expected_indexes[i].name, name))
      g_assert_nonnull (strstr (plan, expected_indexes[i].index));

  /* The same page by another order: still no reading of the whole table
   * where an index gives that order. */
  g_free (plan);
  plan = plan_of (filter, "updated_at", "ids");
  g_test_message ("by updated_at:\n%s", plan);
  g_assert_null (strstr (plan, "Seq Scan on tickets"));

  /* Counting every match may read the table (a condition no index
   * serves has to look at every ticket); shown, not checked. */
  count_plan = plan_of (filter, "number", "count");
  g_test_message ("count:\n%s", count_plan);
}

/* EXPLAIN shows the statement search_ticket_ids() runs: the same one, for
 * the same values, as the rows it returns show. */
static void
test_explain_is_the_query (void)
{
  g_autofree char *plan = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *direct = NULL;

  prepare_shared ();
  plan = plan_of ("{\"summary\": {\"contains\": \"北京\"}, \"issue_level\": \"紧急问题\"}", "number", "ids");
  g_test_message ("%s", plan);
  g_assert_nonnull (strstr (plan, "text ~~ '%北北京京%'::text"));
  g_assert_nonnull (strstr (plan, "Limit"));

  ids = value (shared_member,
               "SELECT string_agg(id::text, ',' ORDER BY ord) FROM tasksteper.search_ticket_ids('search_bulk',"
               " '{\"summary\": {\"contains\": \"北京\"}, \"issue_level\": \"紧急问题\"}') WITH ORDINALITY AS s(id, ord)", 0);
  direct = value (shared_super,
                  "SELECT string_agg(id::text, ',' ORDER BY number DESC) FROM (SELECT id, number FROM tasksteper.tickets"
                  "  WHERE project = 'search_bulk' AND fields ->> 'summary' LIKE '%北京%'"
                  "    AND fields ->> 'issue_level' = '紧急问题' ORDER BY number DESC LIMIT 100) x", 0);
  g_assert_cmpstr (ids, ==, direct);
}

/* Saved searches {{{1 */

typedef struct
{
  char       *db;
  PGconn     *super;
  GHashTable *conns;     /* login → PGconn */
  char       *owner;     /* a member who saves searches */
  char       *other;     /* another member */
  char       *outsider;  /* a TaskSteper user outside the project */
  char       *admin;     /* an admin, not a member */
} Fixture;

static PGconn *
conn_as (Fixture    *fx,
         const char *role)
{
  PGconn *conn = g_hash_table_lookup (fx->conns, role);

  if (conn == NULL)
    {
      conn = open_connection (fx->db, role);
      g_hash_table_insert (fx->conns, g_strdup (role), conn);
    }

  return conn;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  fx->conns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)PQfinish);
  fx->super = conn_as (fx, "postgres");
  install_server (fx->super);

  fx->owner = g_strdup_printf ("%s_owner", fx->db);
  fx->other = g_strdup_printf ("%s_other", fx->db);
  fx->outsider = g_strdup_printf ("%s_outsider", fx->db);
  fx->admin = g_strdup_printf ("%s_admin", fx->db);
  create_login (fx->super, fx->owner, "tasksteper_user");
  create_login (fx->super, fx->other, "tasksteper_user");
  create_login (fx->super, fx->outsider, "tasksteper_user");
  create_login (fx->super, fx->admin, "tasksteper_user, tasksteper_admin");

  import_project_as (fx->super, "search_vectors");
  store_vector_tickets (fx->super, "search_vectors");
  import_project_as (fx->super, "elsewhere");
  add_member (fx->super, "search_vectors", fx->owner);
  add_member (fx->super, "search_vectors", fx->other);
  add_member (fx->super, "elsewhere", fx->outsider);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_pointer (&fx->conns, g_hash_table_unref);
  g_free (fx->db);
  g_free (fx->owner);
  g_free (fx->other);
  g_free (fx->outsider);
  g_free (fx->admin);
}

/* The names of the saved searches @conn's login sees, "name(owner)", by name. */
static char *
visible_searches (Fixture *fx,
                  PGconn  *conn)
{
  g_autofree char *list = value (conn,
                                 "SELECT coalesce(string_agg(name || CASE WHEN shared THEN '*' ELSE '' END"
                                 "                           || '(' || owner || ')', ',' ORDER BY name, owner), '')"
                                 "  FROM tasksteper.saved_searches", 0);
  g_autofree char *prefix = g_strdup_printf ("%s_", fx->db);
  g_auto(GStrv) parts = g_strsplit (list, prefix, -1);

  /* Logins without the database's prefix, for readable comparisons. */
  return g_strjoinv ("", parts);
}

static char *
save (Fixture    *fx,
      const char *login,
      const char *name,
      const char *filter,
      gboolean    shared)
{
  return value (conn_as (fx, login),
                "SELECT id FROM tasksteper.save_search('search_vectors', $1, $1 || ' query', $2::jsonb, $3::boolean)",
                3, name, filter, shared ? "true" : "false");
}

static void
test_saved_visibility (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *a = save (fx, fx->owner, "我的严重问题", "{\"issue_level\": \"严重问题\"}", FALSE);
  g_autofree char *b = save (fx, fx->owner, "北京", "{\"text\": \"北京\"}", TRUE);
  g_autofree char *c = save (fx, fx->other, "已关闭", "{\"state\": \"关闭\"}", FALSE);
  g_autofree char *seen = NULL;

  seen = visible_searches (fx, conn_as (fx, fx->owner));
  g_assert_cmpstr (seen, ==, "北京*(owner),我的严重问题(owner)");
  g_free (seen);
  seen = visible_searches (fx, conn_as (fx, fx->other));
  g_assert_cmpstr (seen, ==, "北京*(owner),已关闭(other)");
  g_free (seen);
  seen = visible_searches (fx, conn_as (fx, fx->outsider));
  g_assert_cmpstr (seen, ==, "");
  g_free (seen);
  seen = visible_searches (fx, conn_as (fx, fx->admin));
  g_assert_cmpstr (seen, ==, "");
  g_free (seen);

  /* Making it private hides it from the others; sharing shows it. */
  g_free (b);
  b = save (fx, fx->owner, "北京", "{\"text\": \"北京\"}", FALSE);
  seen = visible_searches (fx, conn_as (fx, fx->other));
  g_assert_cmpstr (seen, ==, "已关闭(other)");
  g_free (seen);

  /* Someone removed from the project sees none of its searches, their own
   * included. */
  {
    g_autoptr(PGresult) res = run (fx->super, "SELECT tasksteper.remove_member('search_vectors', $1)", 1, fx->owner);
  }
  seen = visible_searches (fx, conn_as (fx, fx->owner));
  g_assert_cmpstr (seen, ==, "");
  assert_refused (conn_as (fx, fx->owner), "TS404", NULL,
                  "SELECT tasksteper.delete_search('search_vectors', '北京')", 0);
}

static void
test_saved_changes (Fixture       *fx,
                    gconstpointer  data)
{
  PGconn *owner = conn_as (fx, fx->owner);
  PGconn *other = conn_as (fx, fx->other);
  PGconn *outsider = conn_as (fx, fx->outsider);
  g_autofree char *id = save (fx, fx->owner, "周报", "{\"state\": \"关闭\"}", TRUE);
  g_autofree char *again = NULL;
  g_autofree char *row = NULL;
  g_autofree char *seen = NULL;

  /* Saving again under the same name replaces query, filter and sharing. */
  again = value (owner,
                 "SELECT id FROM tasksteper.save_search('search_vectors', '周报', 'state:维护人员处理',"
                 " '{\"state\": \"维护人员处理\"}', false)", 0);
  g_assert_cmpstr (again, ==, id);
  row = value (fx->super,
               "SELECT concat_ws('|', query, filter::text, shared, updated_at > created_at)"
               "  FROM tasksteper.saved_searches WHERE id = $1::bigint", 1, id);
  g_assert_cmpstr (row, ==, "state:维护人员处理|{\"state\": \"维护人员处理\"}|f|t");

  /* Only the owner changes it, and only through the functions. */
  assert_refused (other, "TS404", NULL, "SELECT tasksteper.rename_search('search_vectors', '周报', '月报')", 0);
  assert_refused (other, "TS404", NULL, "SELECT tasksteper.delete_search('search_vectors', '周报')", 0);
  assert_refused (outsider, "TS404", NULL,
                  "SELECT tasksteper.save_search('search_vectors', '周报', '', '{}')", 0);
  assert_refused (outsider, "TS404", NULL, "SELECT tasksteper.rename_search('search_vectors', '周报', 'x')", 0);
  assert_refused (outsider, "TS404", NULL, "SELECT tasksteper.delete_search('search_vectors', '周报')", 0);
  assert_refused (owner, "42501", NULL, "UPDATE tasksteper.saved_searches SET shared = true", 0);
  assert_refused (owner, "42501", NULL, "DELETE FROM tasksteper.saved_searches", 0);
  assert_refused (owner, "42501", NULL,
                  "INSERT INTO tasksteper.saved_searches (project, name, filter) VALUES ('search_vectors', 'x', '{}')", 0);
  assert_refused (other, "42501", NULL,
                  "INSERT INTO tasksteper.saved_searches (project, owner, name, filter, shared)"
                  " VALUES ('search_vectors', $1, 'forged', '{}', true)", 1, fx->owner);

  /* The other member's search of the same name is theirs. */
  {
    g_autofree char *theirs = save (fx, fx->other, "周报", "{}", FALSE);

    g_assert_cmpstr (theirs, !=, id);
  }
  seen = visible_searches (fx, owner);
  g_assert_cmpstr (seen, ==, "周报(owner)");
  g_free (seen);

  /* Rename and delete, by the owner. */
  g_free (row);
  row = value (owner, "SELECT name FROM tasksteper.rename_search('search_vectors', '周报', '月报')", 0);
  g_assert_cmpstr (row, ==, "月报");
  assert_refused (owner, "TS404", NULL, "SELECT tasksteper.rename_search('search_vectors', '周报', '年报')", 0);
  {
    g_autoptr(PGresult) res = run (owner, "SELECT tasksteper.delete_search('search_vectors', '月报')", 0);
  }
  assert_refused (owner, "TS404", NULL, "SELECT tasksteper.delete_search('search_vectors', '月报')", 0);
  seen = visible_searches (fx, other);
  g_assert_cmpstr (seen, ==, "周报(other)");
}

/* Names: 1 to 100 characters, not only white space; queries up to 2000. */
static void
test_saved_names (Fixture       *fx,
                  gconstpointer  data)
{
  PGconn *owner = conn_as (fx, fx->owner);
  g_autofree char *hundred = g_strnfill (100, 'x');
  g_autofree char *too_long = g_strnfill (101, 'x');
  g_autofree char *query = g_strnfill (2000, 'q');
  g_autofree char *long_query = g_strnfill (2001, 'q');
  GString *chinese = g_string_new (NULL);
  g_autofree char *chinese_name = NULL;
  const char *blanks[] = { "", " ", "\t\n", "\u3000", "\u00a0 " };

  for (guint i = 0; i < 100; i++)
    g_string_append (chinese, "北");
  chinese_name = g_string_free (chinese, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (blanks); i++)
    assert_refused (owner, "TS422", "name", "SELECT tasksteper.save_search('search_vectors', $1, '', '{}')", 1, blanks[i]);
  assert_refused (owner, "TS422", "name", "SELECT tasksteper.save_search('search_vectors', NULL, '', '{}')", 0);
  assert_refused (owner, "TS422", "name", "SELECT tasksteper.save_search('search_vectors', $1, '', '{}')", 1, too_long);
  assert_refused (owner, "TS422", "query", "SELECT tasksteper.save_search('search_vectors', 'q', $1, '{}')", 1, long_query);

  g_free (save (fx, fx->owner, hundred, "{}", FALSE));
  g_free (save (fx, fx->owner, chinese_name, "{}", FALSE));
  g_free (save (fx, fx->owner, " 前后有空格 ", "{}", FALSE));
  {
    g_autofree char *id = value (owner, "SELECT id FROM tasksteper.save_search('search_vectors', 'q', $1, '{}')", 1, query);

    g_assert_nonnull (id);
  }

  assert_refused (owner, "TS422", "new_name", "SELECT tasksteper.rename_search('search_vectors', 'q', ' ')", 0);
  assert_refused (owner, "TS422", "new_name", "SELECT tasksteper.rename_search('search_vectors', 'q', $1)", 1, too_long);
  assert_refused (owner, "TS404", NULL, "SELECT tasksteper.save_search('no_such_project', 'q', '', '{}')", 0);
}

/* One shared search of each name per project; one of each name per owner. */
static void
test_saved_conflicts (Fixture       *fx,
                      gconstpointer  data)
{
  PGconn *owner = conn_as (fx, fx->owner);
  PGconn *other = conn_as (fx, fx->other);
  g_autofree char *theirs = save (fx, fx->other, "周报", "{}", TRUE);
  g_autofree char *mine = NULL;
  g_autofree char *link = NULL;

  assert_refused (owner, "TS409", "name", "SELECT tasksteper.save_search('search_vectors', '周报', '', '{}', true)", 0);
  /* Private under that name is fine, and making it shared is not. */
  mine = save (fx, fx->owner, "周报", "{\"state\": \"关闭\"}", FALSE);
  assert_refused (owner, "TS409", "name", "SELECT tasksteper.save_search('search_vectors', '周报', '', '{}', true)", 0);

  /* A link resolves to one's own search of the name, else to the shared one. */
  link = value (owner, "SELECT id FROM tasksteper.saved_searches WHERE project = 'search_vectors' AND name = '周报'"
                       " ORDER BY owner = session_user DESC LIMIT 1", 0);
  g_assert_cmpstr (link, ==, mine);
  g_free (link);
  link = value (other, "SELECT id FROM tasksteper.saved_searches WHERE project = 'search_vectors' AND name = '周报'"
                       " ORDER BY owner = session_user DESC LIMIT 1", 0);
  g_assert_cmpstr (link, ==, theirs);

  /* Renames: not onto one's own other search, not (when shared) onto
   * another's shared one. */
  g_free (save (fx, fx->owner, "月报", "{}", TRUE));
  assert_refused (owner, "TS409", "new_name", "SELECT tasksteper.rename_search('search_vectors', '月报', '周报')", 0);
  g_free (save (fx, fx->owner, "季报", "{}", FALSE));
  assert_refused (owner, "TS409", "new_name", "SELECT tasksteper.rename_search('search_vectors', '季报', '周报')", 0);
  g_free (save (fx, fx->other, "年报", "{}", FALSE));
  {
    g_autofree char *renamed = value (owner, "SELECT name FROM tasksteper.rename_search('search_vectors', '月报', '年报')", 0);

    g_assert_cmpstr (renamed, ==, "年报");
  }
  assert_refused (other, "TS409", "name", "SELECT tasksteper.save_search('search_vectors', '年报', '', '{}', true)", 0);
}

/* Every change of a saved search announces {"saved_searches": true}. */
static void
test_saved_notify (Fixture       *fx,
                   gconstpointer  data)
{
  PGconn *listener = open_connection (fx->db, fx->other);
  PGnotify *note;
  guint n = 0;

  run_command (listener, "LISTEN tasksteper");
  g_free (save (fx, fx->owner, "周报", "{}", FALSE));
  {
    g_autoptr(PGresult) res = run (conn_as (fx, fx->owner),
                                   "SELECT tasksteper.rename_search('search_vectors', '周报', '月报')", 0);
  }
  {
    g_autoptr(PGresult) res = run (conn_as (fx, fx->owner),
                                   "SELECT tasksteper.delete_search('search_vectors', '月报')", 0);
  }
  g_usleep (200 * 1000);
  PQconsumeInput (listener);
  while ((note = PQnotifies (listener)) != NULL)
    {
      g_assert_cmpstr (note->extra, ==, "{\"saved_searches\": true}");
      n++;
      PQfreemem (note);
    }
  g_assert_cmpuint (n, ==, 3);
  PQfinish (listener);
}

/* Searching as a non-member {{{1 */

static void
test_non_member (Fixture       *fx,
                 gconstpointer  data)
{
  const char *people[] = { fx->outsider, fx->admin };

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      PGconn *conn = conn_as (fx, people[i]);
      g_autofree char *visible = NULL;

      assert_refused (conn, "TS404", NULL, "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}')", 0);
      assert_refused (conn, "TS404", NULL, "SELECT tasksteper.count_tickets('search_vectors', '{}')", 0);
      assert_refused (conn, "TS404", NULL, "SELECT * FROM tasksteper.search_ticket_ids('search_vectors', '{}')", 0);
      /* Not even a wrong filter gets further than that. */
      assert_refused (conn, "TS404", NULL,
                      "SELECT * FROM tasksteper.search_tickets('search_vectors', '{\"no_such_field\": 1}')", 0);
      assert_refused (conn, "TS404", NULL, "SELECT * FROM tasksteper.search_tickets('no_such_project', '{}')", 0);
      assert_refused (conn, "42501", NULL,
                      "SELECT * FROM tasksteper.search_plan('search_vectors', '{}')", 0);
      visible = value (conn, "SELECT count(*) FROM tasksteper.tickets", 0);
      g_assert_cmpstr (visible, ==, "0");
    }

  /* And a member sees the tickets, through the same function. */
  {
    g_autofree char *n = value (conn_as (fx, fx->owner),
                                "SELECT count(*) FROM tasksteper.search_tickets('search_vectors', '{}')", 0);

    g_assert_cmpstr (n, ==, "8");
  }
}

/* SQL in the caller's values is a value {{{1 */

static void
test_injection (Fixture       *fx,
                gconstpointer  data)
{
  PGconn *owner = conn_as (fx, fx->owner);
  const char *evil = "'); DROP TABLE tasksteper.tickets; --";
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *fields = NULL;
  g_autofree char *id = NULL;
  g_autofree char *found = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *count = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, evil);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, "$1[1] \\ % _ '' \" $$ ; --");
  json_builder_end_object (builder);
  fields = json_to_string (json_builder_get_root (builder), FALSE);
  id = value (owner, "SELECT id FROM tasksteper.create_ticket('search_vectors', $1::jsonb)", 1, fields);

  /* Equality, contains, text, not: each finds that ticket (or all others). */
  filter = g_strdup_printf ("{\"summary\": %s}", "\"'); DROP TABLE tasksteper.tickets; --\"");
  found = value (owner, "SELECT string_agg(id::text, ',') FROM tasksteper.search_tickets('search_vectors', $1::jsonb)", 1, filter);
  g_assert_cmpstr (found, ==, id);
  g_free (found);
  found = value (owner, "SELECT string_agg(id::text, ',') FROM tasksteper.search_tickets('search_vectors',"
                        " jsonb_build_object('summary', jsonb_build_object('contains', $1::text)))", 1, "DROP TABLE tasksteper.tickets; --");
  g_assert_cmpstr (found, ==, id);
  g_free (found);
  found = value (owner, "SELECT string_agg(id::text, ',') FROM tasksteper.search_tickets('search_vectors',"
                        " jsonb_build_object('text', $1::text))", 1, "$1[1] \\ % _ '' \" $$");
  g_assert_cmpstr (found, ==, id);
  g_free (found);
  found = value (owner, "SELECT count(*) FROM tasksteper.search_tickets('search_vectors',"
                        " jsonb_build_object('summary', jsonb_build_object('not', $1::text)))", 1, evil);
  g_assert_cmpstr (found, ==, "8");

  /* In a key, a sort or a cursor it is an unknown field, or a value. */
  assert_refused (owner, "TS440", "x'); DROP TABLE tasksteper.tickets; --",
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', jsonb_build_object($1::text, 1))", 1,
                  "x'); DROP TABLE tasksteper.tickets; --");
  assert_refused (owner, "TS440", "number DESC; DROP TABLE tasksteper.tickets; --",
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', $1)", 1,
                  "number DESC; DROP TABLE tasksteper.tickets; --");
  g_free (found);
  /* Ascending from it: every other summary sorts after "'". */
  found = value (owner, "SELECT count(*) FROM tasksteper.search_tickets('search_vectors', '{}', 'summary', false,"
                        " jsonb_build_object('value', $1::text, 'number', 100))", 1, evil);
  g_assert_cmpstr (found, ==, "8");
  assert_refused (owner, "TS442", NULL,
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'created_at', true,"
                  " jsonb_build_object('value', $1::text, 'number', 1))", 1, evil);
  g_free (found);
  found = value (owner, "SELECT count(*) FROM tasksteper.search_tickets('search_vectors', '{}', 'state', true,"
                        " jsonb_build_object('value', $1::text, 'number', 1))", 1, evil);
  g_assert_cmpstr (found, ==, "0");
  {
    g_autofree char *saved = value (owner, "SELECT name FROM tasksteper.save_search('search_vectors', $1, $1, '{}')", 1, evil);

    g_assert_cmpstr (saved, ==, evil);
  }

  count = value (fx->super, "SELECT count(*) FROM tasksteper.tickets", 0);
  g_assert_cmpstr (count, ==, "9");
}

/* reached: a save enters no state {{{1 */

static void
test_reached_saves (Fixture       *fx,
                    gconstpointer  data)
{
  PGconn *owner = conn_as (fx, fx->owner);
  g_autofree char *id = value (owner, "SELECT id FROM tasksteper.create_ticket('search_vectors', '{\"summary\": \"新的\"}')", 0);
  g_autofree char *saved_at = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *found = NULL;
  g_autofree char *created_at = NULL;
  g_autoptr(PGresult) res = NULL;

  g_usleep (10 * 1000);
  res = run (owner, "SELECT tasksteper.save_ticket($1::bigint, 1, '{\"summary\": \"改过\"}')", 1, id);
  saved_at = value (owner, "SELECT to_jsonb(max(at)) #>> '{}' FROM tasksteper.history WHERE ticket_id = $1::bigint", 1, id);
  created_at = value (owner, "SELECT to_jsonb(min(at)) #>> '{}' FROM tasksteper.history WHERE ticket_id = $1::bigint", 1, id);
  g_assert_cmpstr (saved_at, !=, created_at);

  filter = g_strdup_printf ("{\"reached\": {\"state\": \"维护人员处理\", \"from\": \"%s\"}}", saved_at);
  found = value (owner, "SELECT count(*) FROM tasksteper.search_tickets('search_vectors', $1::jsonb)", 1, filter);
  g_assert_cmpstr (found, ==, "0");

  g_free (filter);
  filter = g_strdup_printf ("{\"reached\": {\"state\": \"维护人员处理\", \"from\": \"%s\", \"to\": \"%s\"}}",
                            created_at, created_at);
  g_free (found);
  found = value (owner, "SELECT string_agg(id::text, ',') FROM tasksteper.search_tickets('search_vectors', $1::jsonb)", 1, filter);
  g_assert_cmpstr (found, ==, id);
}

/* The other arguments {{{1 */

static void
test_arguments (Fixture       *fx,
                gconstpointer  data)
{
  PGconn *owner = conn_as (fx, fx->owner);
  g_autofree char *n = NULL;

  assert_refused (owner, "TS440", "no_such_field",
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'no_such_field')", 0);
  assert_refused (owner, "TS440", "text",
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'text')", 0);
  assert_refused (owner, "TS442", NULL, "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'number', true, NULL, 0)", 0);
  assert_refused (owner, "TS442", NULL, "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'number', true, NULL, 1001)", 0);
  assert_refused (owner, "TS442", NULL, "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'number', true, '[]')", 0);
  assert_refused (owner, "TS442", NULL,
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'number', true, '{\"value\": 3}')", 0);
  assert_refused (owner, "TS442", NULL,
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'number', true, '{\"number\": 2.5}')", 0);
  assert_refused (owner, "TS442", NULL,
                  "SELECT * FROM tasksteper.search_tickets('search_vectors', '{}', 'state', true, '{\"value\": 3, \"number\": 2}')", 0);
  assert_refused (owner, "TS442", NULL, "SELECT * FROM tasksteper.search_tickets('search_vectors', NULL)", 0);

  /* NULL for the sort, its direction and the limit: the defaults. */
  n = value (owner, "SELECT string_agg(key, ',' ORDER BY ord) FROM tasksteper.search_tickets('search_vectors', '{}',"
                    " NULL, NULL, NULL, NULL) WITH ORDINALITY AS s(id, project, number, key, state, assigned_to,"
                    " created_by, created_at, updated_at, version, is_final, fields, ord)", 0);
  g_assert_cmpstr (n, ==, "question_8,question_7,question_6,question_5,question_4,question_3,question_2,question_1");
  g_free (n);
  n = value (owner, "SELECT count(*) FROM tasksteper.search_tickets('search_vectors', '{}', 'number', true, NULL, 1000)", 0);
  g_assert_cmpstr (n, ==, "8");
  g_free (n);
  n = value (owner, "SELECT string_agg(key, ',') FROM tasksteper.search_tickets('search_vectors', '{}', 'number', false, NULL, 1)", 0);
  g_assert_cmpstr (n, ==, "question_1");
}

/* Locales {{{1 */

/* The harness's clusters run under C.UTF-8, as the demo's do: pg_trgm
 * finds the trigrams of Chinese text, lower() knows É and Ü, and doubling
 * gives a two-character word trigrams of its own. */
static void
test_locale_utf8 (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *ctype = value (fx->super, "SELECT datctype FROM pg_database WHERE datname = current_database()", 0);
  g_autofree char *schema = value (fx->super, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'", 0);
  g_autofree char *sql = g_strdup_printf ("SELECT cardinality(%s.show_trgm($1))", schema);
  g_autofree char *n = NULL;
  g_autofree char *text = NULL;

  g_test_message ("LC_CTYPE %s, pg_trgm in %s", ctype, schema);
  g_assert_cmpstr (schema, ==, "tasksteper_ext");
  n = value (fx->super, sql, 1, "北京局点");
  g_assert_cmpstr (n, ==, "5");   /* "  北", " 北京", "北京局", "京局点", "局点 " */
  g_free (n);
  n = value (fx->super, sql, 1, "北北京京");
  g_assert_cmpstr (n, ==, "5");
  text = value (fx->super, "SELECT tasksteper.search_text('question_1', '{\"summary\": \"北京 ÉCRAN Zürich\", \"n\": 3}')", 0);
  g_assert_cmpstr (text, ==, "question_1\n北北京京 éécran züürich");
  g_free (text);
  text = value (fx->super, "SELECT tasksteper.search_pattern('100%_\\北')", 0);
  g_assert_cmpstr (text, ==, "%100\\%\\_\\\\北北%");
}

static void
collect_notice (void       *user_data,
                const char *message)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* Under LC_CTYPE C the migration warns; searches stay right for Chinese
 * (without the index) and ignore the case of ASCII letters only. */
static void
test_locale_c (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *db = g_strdup_printf ("%s_c", fx->db);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'"
                                             " LC_COLLATE 'C' LC_CTYPE 'C'", db);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGconn) super = NULL;
  g_autofree char *member = g_strdup_printf ("%s_c_member", fx->db);
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *found = NULL;
  g_autofree char *n = NULL;
  gboolean warned = FALSE;

  ts_test_server_exec (server, NULL, create, &error);
  g_assert_no_error (error);
  super = open_connection (db, "postgres");
  PQsetNoticeProcessor (super, collect_notice, notices);
  install_server (super);
  PQsetNoticeProcessor (super, log_notice, NULL);
  for (guint i = 0; i < notices->len; i++)
    {
      const char *notice = g_ptr_array_index (notices, i);

      g_test_message ("notice: %s", notice);
      if (strstr (notice, "WARNING") != NULL && strstr (notice, "LC_CTYPE C") != NULL)
        warned = TRUE;
    }
  g_assert_true (warned);

  n = value (super, "SELECT cardinality(tasksteper_ext.show_trgm('北京局点'))", 0);
  g_assert_cmpstr (n, ==, "0");

  import_project_as (super, "search_vectors");
  store_vector_tickets (super, "search_vectors");
  create_login (super, member, "tasksteper_user");
  add_member (super, "search_vectors", member);
  conn = open_connection (db, member);
  set_time_zone (conn, json_object_get_string_member (vectors (), "time_zone"));

  found = value (conn, "SELECT string_agg(key, ',' ORDER BY key) FROM tasksteper.search_tickets('search_vectors',"
                       " '{\"summary\": {\"contains\": \"北京\"}}')", 0);
  g_assert_cmpstr (found, ==, "question_1,question_5,question_7");
  g_free (found);
  found = value (conn, "SELECT string_agg(key, ',' ORDER BY key) FROM tasksteper.search_tickets('search_vectors',"
                       " '{\"text\": \"BEIJING\"}')", 0);
  g_assert_cmpstr (found, ==, "question_2");
  g_free (found);
  /* The documented limitation: É is not lower-cased under LC_CTYPE C. */
  found = value (conn, "SELECT count(*) FROM tasksteper.search_tickets('search_vectors',"
                       " '{\"summary\": {\"contains\": \"écran\"}}')", 0);
  g_assert_cmpstr (found, ==, "0");
}

/* main {{{1 */

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JsonArray *cases;
  JsonArray *errors;
  int ret;

  g_test_init (&argc, &argv, NULL);

  path = g_test_build_filename (G_TEST_DIST, "data", "search.json", NULL);
  vectors_text = read_file_or_die (path);
  vectors_root = json_from_string (vectors_text, &error);
  g_assert_no_error (error);

  server = ts_test_server_start (&error);
  g_assert_no_error (error);

  cases = json_object_get_array_member (vectors (), "cases");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      g_autofree char *name = g_strdup_printf ("/ts/search-db/vectors/%s", json_object_get_string_member (vector, "name"));

      g_test_add_data_func (name, vector, test_vector);
    }
  errors = json_object_get_array_member (vectors (), "errors");
  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *vector = json_array_get_object_element (errors, i);
      g_autofree char *name = g_strdup_printf ("/ts/search-db/errors/%s", json_object_get_string_member (vector, "name"));

      g_test_add_data_func (name, vector, test_error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pagings); i++)
    {
      g_autofree char *name = g_strdup_printf ("/ts/search-db/paging/%s-%s", pagings[i].sort,
                                               pagings[i].descending ? "descending" : "ascending");

      g_test_add_data_func (name, &pagings[i], test_paging);
    }
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      g_autofree char *name = g_strdup_printf ("/ts/search-db/explain/%s", json_object_get_string_member (vector, "name"));

      g_test_add_data_func (name, vector, test_explain);
    }
  g_test_add_func ("/ts/search-db/explain-is-the-query", test_explain_is_the_query);

  ADD ("/ts/search-db/saved/visibility", test_saved_visibility);
  ADD ("/ts/search-db/saved/changes", test_saved_changes);
  ADD ("/ts/search-db/saved/names", test_saved_names);
  ADD ("/ts/search-db/saved/conflicts", test_saved_conflicts);
  ADD ("/ts/search-db/saved/notify", test_saved_notify);
  ADD ("/ts/search-db/non-member", test_non_member);
  ADD ("/ts/search-db/injection", test_injection);
  ADD ("/ts/search-db/reached-saves", test_reached_saves);
  ADD ("/ts/search-db/arguments", test_arguments);
  ADD ("/ts/search-db/locale/utf8", test_locale_utf8);
  ADD ("/ts/search-db/locale/c", test_locale_c);

  ret = g_test_run ();

  g_clear_pointer (&shared_member, PQfinish);
  g_clear_pointer (&shared_super, PQfinish);
  g_free (shared_db);
  g_clear_pointer (&vectors_root, json_node_unref);
  g_free (vectors_text);
  ts_test_server_free (server);

  return ret;
}
