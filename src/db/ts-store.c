/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "ts-list-sql.h"
#include "ts-refusal.h"
#include "ts-search-private.h"
#include "ts-statistics-private.h"
#include "ts-store.h"

/* Every call is one statement of the public SQL API (docs/sql-api.md), sent
 * with parameters through the TsConnection queue.  What comes back is turned
 * into GObjects, and what the server refuses into a TS_STORE_ERROR whose
 * code says what the window should do and whose field (the SQL error's
 * COLUMN) says where to show it. */

typedef struct
{
  char       *field;
  char       *sqlstate;
  char       *kind;            /* the "ts" of the refusal's facts */
  JsonObject *facts;           /* the DETAIL's JSON object */
  char       *server_message;  /* the server's own MESSAGE */
} TsStoreErrorPrivate;

static void
ts_store_error_private_init (TsStoreErrorPrivate *priv)
{
}

static void
ts_store_error_private_copy (const TsStoreErrorPrivate *src,
                             TsStoreErrorPrivate       *dest)
{
  dest->field = g_strdup (src->field);
  dest->sqlstate = g_strdup (src->sqlstate);
  dest->kind = g_strdup (src->kind);
  dest->facts = src->facts ? json_object_ref (src->facts) : NULL;
  dest->server_message = g_strdup (src->server_message);
}

static void
ts_store_error_private_clear (TsStoreErrorPrivate *priv)
{
  g_clear_pointer (&priv->field, g_free);
  g_clear_pointer (&priv->sqlstate, g_free);
  g_clear_pointer (&priv->kind, g_free);
  g_clear_pointer (&priv->facts, json_object_unref);
  g_clear_pointer (&priv->server_message, g_free);
}

G_DEFINE_EXTENDED_ERROR (TsStoreError, ts_store_error)

const char *
ts_store_error_get_field (const GError *error)
{
  TsStoreErrorPrivate *priv = ts_store_error_get_private (error);

  return priv ? priv->field : NULL;
}

const char *
ts_store_error_get_sqlstate (const GError *error)
{
  TsStoreErrorPrivate *priv = ts_store_error_get_private (error);

  return priv ? priv->sqlstate : NULL;
}

const char *
ts_store_error_get_kind (const GError *error)
{
  TsStoreErrorPrivate *priv = ts_store_error_get_private (error);

  return priv ? priv->kind : NULL;
}

JsonObject *
ts_store_error_get_facts (const GError *error)
{
  TsStoreErrorPrivate *priv = ts_store_error_get_private (error);

  return priv ? priv->facts : NULL;
}

const char *
ts_store_error_get_server_message (const GError *error)
{
  TsStoreErrorPrivate *priv = ts_store_error_get_private (error);

  return priv ? priv->server_message : NULL;
}

/* Reconnecting waits 1 s, then twice as long each time, up to this. */
#define MAX_BACKOFF_SECONDS 30

struct _TsStore
{
  GObject       parent_instance;

  TsConnection *connection;
  TsCache      *cache;
  GDateTime    *data_time;     /* when the data shown offline was saved */
  guint         reconnect_id;
  guint         backoff;
  gboolean      online;
  gboolean      reconnecting;  /* an open is in flight */

  /* The change feed (docs/sql-api.md, "The change feed"): the last number
   * read, whether the server has one, and the catch-up in flight. */
  gint64        cursor;
  gboolean      has_cursor;
  gboolean      has_feed;
  gboolean      catching_up;
  gboolean      catch_up_again;   /* asked for while one was in flight */
  guint         n_hints;          /* notifications since the last catch-up */
  guint         poll_interval;    /* seconds */
  guint         poll_id;
  gboolean      pooled;           /* notifications cannot be relied on */
  int           backend_pid;      /* of the connection that LISTENs */
  /* Coalescing: a hint starts a catch-up at once and opens a window in
   * which further hints only ask for one more, when it closes. */
  guint         hint_window_id;
  gboolean      hint_pending;

  /* The projects' channels (docs/sql-api.md, "Notifications"): whether the
   * server has them (version 11), those LISTENed to (channel → project),
   * and the reads of my_channels() running and asked for meanwhile. */
  gboolean      has_channels;
  GHashTable   *channels;
  gboolean      channels_stale;   /* memberships may have changed since the last read */
  GPtrArray    *syncs_running;    /* of GTask, answered by the read in flight */
  GPtrArray    *syncs_waiting;    /* of GTask, for the next read */

  /* name → TsProject, as last listed: for saying what is wrong with a
   * filter the server refused, in the words of the offline copy. */
  GHashTable   *projects;
  /* The names of those I am an admin of, as last listed (reassign). */
  GHashTable   *admin_of;
  /* name → OfflineCopy: the cached tickets searched while offline. */
  GHashTable   *offline_copies;
};

G_DEFINE_FINAL_TYPE (TsStore, ts_store, G_TYPE_OBJECT)

enum {
  TICKET_CHANGED,
  PROJECT_CHANGED,
  RECONNECTED,
  SAVED_SEARCHES_CHANGED,
  COMMENTS_CHANGED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_ONLINE,
  PROP_DATA_TIME,
  PROP_POLL_INTERVAL,
  PROP_POOLED,
  N_PROPS
};

/* Polling when notifications cannot be relied on, at most this often
 * (seconds) otherwise: "poll-interval" is the longest wait. */
#define POOLED_POLL_INTERVAL  2
#define DEFAULT_POLL_INTERVAL 30
/* Rows read from the feed per round trip. */
#define FEED_PAGE             1000
/* After a notification's catch-up, the others of a burst wait this long
 * (ms) and make one catch-up together. */
#define HINT_WINDOW_MS        250

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

#define TICKET_COLUMNS TS_LIST_SQL_COLUMNS

/* Errors */

static const struct
{
  const char   *sqlstate;
  TsStoreError  code;
} sqlstate_codes[] = {
  { "TS403", TS_STORE_ERROR_FORBIDDEN },
  { "42501", TS_STORE_ERROR_FORBIDDEN },
  { "TS404", TS_STORE_ERROR_NOT_FOUND },
  { "TS409", TS_STORE_ERROR_CONFLICT },
  { "TS410", TS_STORE_ERROR_NOT_AVAILABLE },
  { "TS412", TS_STORE_ERROR_NOT_AVAILABLE },
  { "TS428", TS_STORE_ERROR_NOT_AVAILABLE },
  { "TS422", TS_STORE_ERROR_INVALID },
  { "TS440", TS_STORE_ERROR_INVALID },        /* a filter: unknown field */
  { "TS441", TS_STORE_ERROR_INVALID },        /* a filter: bad operator */
  { "TS442", TS_STORE_ERROR_INVALID },        /* a filter: bad value */
  { "TS443", TS_STORE_ERROR_INVALID },        /* a filter: bad date */
  { "TS444", TS_STORE_ERROR_INVALID },        /* ticket_counts: cannot group by */
  { "3F000", TS_STORE_ERROR_NOT_INSTALLED },  /* no schema tasksteper */
  { "42P01", TS_STORE_ERROR_NOT_INSTALLED },  /* no such table */
  { "42883", TS_STORE_ERROR_NOT_INSTALLED },  /* no such function */
  { "57P01", TS_STORE_ERROR_OFFLINE },        /* the server is shutting down */
  { "TS503", TS_STORE_ERROR_BUSY },           /* a lock not had in time: nothing changed */
};

static GError *
error_from_result (PGresult *result)
{
  const char *sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  const char *hint = PQresultErrorField (result, PG_DIAG_MESSAGE_HINT);
  const char *column = PQresultErrorField (result, PG_DIAG_COLUMN_NAME);
  g_autoptr(JsonObject) facts = NULL;
  g_autofree char *message = NULL;
  const char *kind = NULL;
  TsStoreError code = TS_STORE_ERROR_FAILED;
  TsStoreErrorPrivate *priv;
  GError *error;

  for (guint i = 0; sqlstate != NULL && i < G_N_ELEMENTS (sqlstate_codes); i++)
    if (g_str_equal (sqlstate, sqlstate_codes[i].sqlstate))
      code = sqlstate_codes[i].code;

  if (sqlstate != NULL && g_str_has_prefix (sqlstate, "08"))
    code = TS_STORE_ERROR_OFFLINE;

  if (primary == NULL)
    primary = PQresultErrorMessage (result);

  /* A refusal's facts (docs/sql-api.md, "Errors") give the sentence in
   * the user's language; the server's words are English (or whatever its
   * lc_messages says) and only shown for a kind we do not know. */
  if (sqlstate != NULL && g_str_has_prefix (sqlstate, "TS"))
    facts = ts_refusal_parse_detail (PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL));
  if (facts != NULL)
    {
      kind = json_object_get_string_member (facts, "ts");
      if (g_str_has_prefix (sqlstate, "TS44"))
        message = ts_refusal_describe_filter (kind, facts);
      else
        message = ts_refusal_describe (kind, facts);
    }

  if (code == TS_STORE_ERROR_NOT_INSTALLED)
    error = g_error_new (TS_STORE_ERROR, code,
                         _("TaskSteper is not installed in this database (%s): ask your administrator to run “tasksteper-admin init”"),
                         primary);
  else if (message != NULL)
    error = g_error_new_literal (TS_STORE_ERROR, code, message);
  else if (hint != NULL)
    error = g_error_new (TS_STORE_ERROR, code, "%s. %s", primary, hint);
  else
    error = g_error_new_literal (TS_STORE_ERROR, code, primary);

  priv = ts_store_error_get_private (error);
  priv->sqlstate = g_strdup (sqlstate);
  priv->field = g_strdup (column);
  priv->kind = g_strdup (kind);
  priv->facts = g_steal_pointer (&facts);
  priv->server_message = g_strdup (primary);

  return error;
}

static GError *
error_from_connection (GError *error)
{
  GError *ret;

  if (error->domain != TS_CONNECTION_ERROR)
    return error;  /* G_IO_ERROR_CANCELLED and friends pass through */

  ret = g_error_new_literal (TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE, error->message);
  g_error_free (error);
  return ret;
}

/* Rows */

static GDateTime *
time_from_usec (const char *text)
{
  gint64 usec = g_ascii_strtoll (text, NULL, 10);
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return seconds ? g_date_time_add (seconds, usec % G_USEC_PER_SEC) : NULL;
}

static JsonObject *
object_from_text (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();

  return json_object_ref (json_node_get_object (node));
}

static const char *
nullable (PGresult *result,
          int       row,
          int       column)
{
  return PQgetisnull (result, row, column) ? NULL : PQgetvalue (result, row, column);
}

static TsTicket *
ticket_from_row (PGresult *result,
                 int       row)
{
  TsTicket *ticket = ts_ticket_new ();
  g_autoptr(GDateTime) created_at = time_from_usec (PQgetvalue (result, row, 7));
  g_autoptr(GDateTime) updated_at = time_from_usec (PQgetvalue (result, row, 8));
  g_autoptr(JsonObject) fields = object_from_text (PQgetvalue (result, row, 10));

  ts_ticket_set_id (ticket, g_ascii_strtoll (PQgetvalue (result, row, 0), NULL, 10));
  ts_ticket_set_project (ticket, PQgetvalue (result, row, 1));
  ts_ticket_set_number (ticket, atoi (PQgetvalue (result, row, 2)));
  ts_ticket_set_key (ticket, PQgetvalue (result, row, 3));
  ts_ticket_set_state (ticket, PQgetvalue (result, row, 4));
  ts_ticket_set_assigned_to (ticket, PQgetvalue (result, row, 5));
  ts_ticket_set_created_by (ticket, PQgetvalue (result, row, 6));
  ts_ticket_set_created_at (ticket, created_at);
  ts_ticket_set_updated_at (ticket, updated_at);
  ts_ticket_set_version (ticket, atoi (PQgetvalue (result, row, 9)));
  ts_ticket_set_fields (ticket, fields);

  return ticket;
}

static gpointer
parse_tickets (TsStore   *self,
               PGresult  *result,
               GError   **error)
{
  GPtrArray *tickets = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (tickets, ticket_from_row (result, row));

  return tickets;
}

static gpointer
parse_one_ticket (TsStore   *self,
                  PGresult  *result,
                  GError   **error)
{
  if (PQntuples (result) != 1)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FAILED,
                   _("The server sent %d rows where one was expected"), PQntuples (result));
      return NULL;
    }

  return ticket_from_row (result, 0);
}

static gpointer
parse_projects (TsStore   *self,
                PGresult  *result,
                GError   **error)
{
  GPtrArray *projects = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  g_hash_table_remove_all (self->admin_of);
  for (int row = 0; row < PQntuples (result); row++)
    {
      const char *name = PQgetvalue (result, row, 0);
      g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (name);
      g_autoptr(TsProject) project = ts_project_new_from_data (PQgetvalue (result, row, 2), -1, diagnostics);

      /* The server holds only validated definitions; one this version of
       * the client cannot read (a newer format) is left out, not fatal. */
      if (project == NULL)
        {
          g_autofree char *problems = ts_diagnostics_to_string (diagnostics);

          g_warning ("Cannot read the definition of project %s:\n%s", name, problems);
          continue;
        }

      g_ptr_array_add (projects, ts_project_summary_new (project,
                                                         atoi (PQgetvalue (result, row, 1)),
                                                         atoi (PQgetvalue (result, row, 3)),
                                                         g_str_equal (PQgetvalue (result, row, 4), "t")));
      g_hash_table_replace (self->projects, g_strdup (name), g_object_ref (project));
      if (g_str_equal (PQgetvalue (result, row, 4), "t"))
        g_hash_table_add (self->admin_of, g_strdup (name));
    }

  return projects;
}

static gpointer
parse_history (TsStore   *self,
               PGresult  *result,
               GError   **error)
{
  GPtrArray *entries = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    {
      g_autoptr(GDateTime) at = time_from_usec (PQgetvalue (result, row, 0));
      g_autoptr(JsonObject) changes = object_from_text (PQgetvalue (result, row, 7));

      g_ptr_array_add (entries, ts_history_entry_new (at,
                                                      PQgetvalue (result, row, 1),
                                                      nullable (result, row, 2),
                                                      nullable (result, row, 3),
                                                      PQgetvalue (result, row, 4),
                                                      nullable (result, row, 5),
                                                      PQgetvalue (result, row, 6),
                                                      changes));
    }

  return entries;
}

static gpointer
parse_members (TsStore   *self,
               PGresult  *result,
               GError   **error)
{
  GPtrArray *members = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (members, ts_member_new (PQgetvalue (result, row, 0), nullable (result, row, 1)));

  return members;
}

/* One statement, one answer */

typedef gpointer (*ParseFunc) (TsStore   *self,
                               PGresult  *result,
                               GError   **error);

/* An answer kept for offline reading: saved when the server gave it,
 * loaded (with the time it was saved) when the server cannot be reached.
 * @key tells apart the answers of one call, e.g. the project. */
typedef void     (*SaveFunc) (TsCache     *cache,
                              const char  *key,
                              gpointer     value);
typedef gpointer (*LoadFunc) (TsCache     *cache,
                              const char  *key,
                              GDateTime  **saved_at);

typedef struct
{
  ParseFunc      parse;
  GDestroyNotify destroy;
  SaveFunc       save;
  LoadFunc       load;
  char          *cache_key;
  /* Kept to send the query again when the server was busy. */
  char          *sql;
  GPtrArray     *params;     /* of char *, NULL for SQL NULL */
  guint          n_retries;
  /* Tickets whose states (for the offline search) are read next. */
  gboolean       with_states;
  gpointer       value;      /* the answer, while they are read */
} Call;

/* A query refused with TS503 (a lock not had in time; nothing changed)
 * is sent again, this many times at most, after a pause that grows. */
#define BUSY_RETRIES      3
#define BUSY_PAUSE_MS   250

static void
call_free (Call *call)
{
  if (call->value != NULL && call->destroy != NULL)
    call->destroy (call->value);
  g_free (call->cache_key);
  g_free (call->sql);
  g_clear_pointer (&call->params, g_ptr_array_unref);
  g_free (call);
}

static void on_query_done (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data);

static void
send_query (GTask *task)
{
  TsStore *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  ts_connection_query_async (self->connection, call->sql,
                             (const char * const *)call->params->pdata, call->params->len,
                             g_task_get_cancellable (task), on_query_done, g_object_ref (task));
}

static gboolean
send_query_again (gpointer user_data)
{
  GTask *task = user_data;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  send_query (task);
  return G_SOURCE_REMOVE;
}

static void note_data_time (TsStore   *self,
                            GDateTime *saved_at);

/* The cached answer of @call, or NULL when there is none. */
static gpointer
load_cached (TsStore *self,
             Call    *call)
{
  g_autoptr(GDateTime) saved_at = NULL;
  gpointer value;

  if (self->cache == NULL || call->load == NULL)
    return NULL;

  value = call->load (self->cache, call->cache_key, &saved_at);
  if (value != NULL)
    note_data_time (self, saved_at);

  return value;
}

/* A read's answer: kept in the cache if it is one to keep, and given. */
static void
complete_call (GTask    *task,
               gpointer  value)
{
  TsStore *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  if (self->cache != NULL && call->save != NULL)
    call->save (self->cache, call->cache_key, value);

  g_task_return_pointer (task, value, call->destroy);
}

/* The states that tickets entered and when, for "reached" in the offline
 * search: the history's rows where the state changed (the first, at
 * creation, has none before it).  Row-level security shows only those of
 * tickets I may see. */
#define STATES_SQL \
  "SELECT ticket_id, to_state, (extract(epoch FROM at) * 1000000)::bigint" \
  "  FROM tasksteper.history" \
  " WHERE ticket_id = ANY ($1::bigint[]) AND from_state IS DISTINCT FROM to_state" \
  " ORDER BY id"

static void
on_states_read (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(PGresult) rows = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *tickets = g_steal_pointer (&call->value);

  rows = ts_connection_query_finish (TS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      call->destroy (tickets);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The page itself was read: without its states it is still worth
   * showing, and its tickets will not be found by "reached" offline. */
  if (rows == NULL || PQresultStatus (rows) != PGRES_TUPLES_OK)
    g_debug ("Cannot read the states of %u tickets: %s", tickets->len,
             error != NULL ? error->message : PQresultErrorMessage (rows));
  else if (self->cache != NULL)
    {
      g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                          (GDestroyNotify)g_array_unref);

      for (guint i = 0; i < tickets->len; i++)
        {
          gint64 id = ts_ticket_get_id (g_ptr_array_index (tickets, i));

          g_hash_table_insert (by_id, g_memdup2 (&id, sizeof id),
                               g_array_new (FALSE, FALSE, sizeof (TsStateEntry)));
        }

      for (int row = 0; row < PQntuples (rows); row++)
        {
          gint64 id = g_ascii_strtoll (PQgetvalue (rows, row, 0), NULL, 10);
          GArray *entries = g_hash_table_lookup (by_id, &id);
          TsStateEntry entry = { PQgetvalue (rows, row, 1), g_ascii_strtoll (PQgetvalue (rows, row, 2), NULL, 10) };

          if (entries != NULL)
            g_array_append_val (entries, entry);
        }

      /* Before the rows go: the cache interns the states. */
      for (guint i = 0; i < tickets->len; i++)
        {
          gint64 id = ts_ticket_get_id (g_ptr_array_index (tickets, i));
          GArray *entries = g_hash_table_lookup (by_id, &id);

          ts_cache_set_states (self->cache, id, (const TsStateEntry *)(gpointer)entries->data, entries->len);
        }
    }

  complete_call (task, tickets);
}

/* One more query, for the states of the tickets of @tickets. */
static void
read_states (GTask     *task,
             GPtrArray *tickets)
{
  TsStore *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GString) array = g_string_new ("{");
  const char *params[1];

  for (guint i = 0; i < tickets->len; i++)
    g_string_append_printf (array, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            ts_ticket_get_id (g_ptr_array_index (tickets, i)));
  g_string_append_c (array, '}');
  params[0] = array->str;

  call->value = tickets;
  ts_connection_query_async (self->connection, STATES_SQL, params, 1,
                             g_task_get_cancellable (task), on_states_read, g_object_ref (task));
}

static void
on_query_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(PGresult) rows = NULL;
  GError *error = NULL;
  gpointer value;

  rows = ts_connection_query_finish (TS_CONNECTION (object), result, &error);
  if (rows == NULL)
    error = error_from_connection (error);
  else if (PQresultStatus (rows) != PGRES_TUPLES_OK && PQresultStatus (rows) != PGRES_COMMAND_OK)
    error = error_from_result (rows);

  if (error != NULL)
    {
      /* Busy: nothing was changed, so the same call can simply go again. */
      if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_BUSY) && call->n_retries < BUSY_RETRIES)
        {
          call->n_retries++;
          g_debug ("The server was busy (%s); trying again", error->message);
          g_error_free (error);
          g_timeout_add_full (G_PRIORITY_DEFAULT, BUSY_PAUSE_MS * call->n_retries,
                              send_query_again, g_object_ref (task), g_object_unref);
          return;
        }

      /* Offline, a read kept in the cache answers instead. */
      if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE) &&
          (value = load_cached (self, call)) != NULL)
        {
          g_error_free (error);
          g_task_return_pointer (task, value, call->destroy);
        }
      else
        g_task_return_error (task, error);
      return;
    }

  value = call->parse (self, rows, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (call->with_states && self->cache != NULL && ((GPtrArray *)value)->len > 0)
    {
      read_states (task, value);
      return;
    }

  complete_call (task, value);
}

/* Returns (transfer none): the task, which the query owns until it
 * completes (never before this returns). */
static GTask *
call (TsStore             *self,
      gpointer             source_tag,
      const char          *sql,
      const char * const  *params,
      int                  n_params,
      ParseFunc            parse,
      GDestroyNotify       destroy,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Call *data = g_new0 (Call, 1);

  g_task_set_source_tag (task, source_tag);
  data->parse = parse;
  data->destroy = destroy;
  data->sql = g_strdup (sql);
  data->params = g_ptr_array_new_full (n_params, g_free);
  for (int i = 0; i < n_params; i++)
    g_ptr_array_add (data->params, g_strdup (params[i]));
  g_task_set_task_data (task, data, (GDestroyNotify)call_free);

  send_query (task);
  return task;
}

/* Makes the answer of @task (from call()) one kept in the cache, under
 * @key.  The query is in flight, but its answer cannot arrive before the
 * main loop runs again. */
static void
keep_in_cache (GTask      *task,
               SaveFunc    save,
               LoadFunc    load,
               const char *key)
{
  Call *data = g_task_get_task_data (task);

  data->save = save;
  data->load = load;
  data->cache_key = g_strdup (key);
}

/* Makes the call of @task (from call(), giving tickets) read the states
 * its tickets entered too, for the offline copy, when there is a cache. */
static void
keep_states (GTask *task)
{
  Call *data = g_task_get_task_data (task);

  data->with_states = TRUE;
}

static gpointer
finish (TsStore       *self,
        GAsyncResult  *result,
        gpointer       source_tag,
        GError       **error)
{
  g_return_val_if_fail (TS_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Opening */

static gpointer
parse_installed (TsStore   *self,
                 PGresult  *result,
                 GError   **error)
{
  const char *installed = PQgetvalue (result, 0, 0);
  const char *usable = PQgetvalue (result, 0, 1);

  if (g_strcmp0 (installed, "t") != 0)
    g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_INSTALLED,
                 _("TaskSteper is not installed in this database: ask your administrator to run “tasksteper-admin init”"));
  else if (g_strcmp0 (usable, "t") != 0)
    g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FORBIDDEN,
                 _("%s is not a TaskSteper user: ask your administrator to add you with “tasksteper-admin user add”"),
                 ts_connection_get_user (self->connection));

  return GINT_TO_POINTER (TRUE);
}

static gpointer
parse_nothing (TsStore   *self,
               PGresult  *result,
               GError   **error)
{
  return GINT_TO_POINTER (TRUE);
}

static void set_pooled    (TsStore  *self,
                           gboolean  pooled);
static void schedule_poll (TsStore  *self);
static void catch_up      (TsStore  *self,
                           gboolean  polled);

/* The projects' channels (since version 11).
 *
 * Each project announces its tickets' changes and comments on a channel of
 * its own, named by an opaque id; my_channels() says those of my projects.
 * The store reads it after LISTEN tasksteper at every open, when the
 * projects are listed after a re-import's notification (sent when
 * memberships change too), and when the feed has changes of a project
 * whose channel it does not listen to; it LISTENs to the new ones and
 * UNLISTENs the ones no longer mine, so it hears nothing of the projects
 * it cannot see.  One read at a time:
 * the calls that come meanwhile share the next one.  Against an older
 * server (no my_channels()) the changes are announced on "tasksteper". */

typedef struct
{
  GHashTable *wanted;      /* channel → project, from my_channels() */
  GPtrArray  *statements;  /* LISTEN / UNLISTEN, still to send */
  gboolean    added;       /* a channel is LISTENed to that was not */
} ChannelSync;

static void
channel_sync_free (ChannelSync *sync)
{
  g_clear_pointer (&sync->wanted, g_hash_table_unref);
  g_clear_pointer (&sync->statements, g_ptr_array_unref);
  g_free (sync);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChannelSync, channel_sync_free)

/* "project, channel" */
static gpointer
parse_channels (TsStore   *self,
                PGresult  *result,
                GError   **error)
{
  GHashTable *channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (int row = 0; row < PQntuples (result); row++)
    g_hash_table_insert (channels, g_strdup (PQgetvalue (result, row, 1)),
                         g_strdup (PQgetvalue (result, row, 0)));

  return channels;
}

static void start_channel_sync (TsStore *self);

/* Answers the calls the read in flight was for (@sync: its work, NULL on
 * @error), and starts the next read if calls came meanwhile. */
static void
end_channel_sync (TsStore     *self,
                  ChannelSync *sync,
                  GError      *error)
{
  g_autoptr(GPtrArray) done = g_steal_pointer (&self->syncs_running);
  gboolean catch_up_after = FALSE;

  self->syncs_running = g_ptr_array_new ();
  for (guint i = 0; i < done->len; i++)
    {
      GTask *task = g_ptr_array_index (done, i);

      catch_up_after = catch_up_after || GPOINTER_TO_INT (g_task_get_task_data (task));
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  g_clear_error (&error);

  if (self->syncs_waiting->len > 0)
    start_channel_sync (self);

  /* What changed in a project of mine before I listened to it. */
  if (sync != NULL && sync->added && catch_up_after)
    catch_up (self, FALSE);
}

static void send_channel_statement (TsStore     *self,
                                    ChannelSync *sync);

static void
on_channel_statement_done (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  TsStore *self = TS_STORE (object);
  g_autoptr(ChannelSync) sync = user_data;
  GError *error = NULL;

  if (finish (self, result, parse_nothing, &error) == NULL)
    {
      g_debug ("%s failed: %s", (char *)g_ptr_array_index (sync->statements, 0), error->message);
      end_channel_sync (self, NULL, error);
      return;
    }

  g_ptr_array_remove_index (sync->statements, 0);
  send_channel_statement (self, g_steal_pointer (&sync));
}

/* The next LISTEN / UNLISTEN, or the end: what is listened to is then
 * what my_channels() said.  Takes @sync. */
static void
send_channel_statement (TsStore     *self,
                        ChannelSync *sync)
{
  if (sync->statements->len == 0)
    {
      g_autoptr(ChannelSync) done = sync;

      g_hash_table_unref (self->channels);
      self->channels = g_steal_pointer (&done->wanted);
      end_channel_sync (self, done, NULL);
      return;
    }

  g_debug ("%s", (char *)g_ptr_array_index (sync->statements, 0));
  call (self, parse_nothing, g_ptr_array_index (sync->statements, 0), NULL, 0, parse_nothing, NULL,
        NULL, on_channel_statement_done, sync);
}

static void
add_channel_statement (TsStore     *self,
                       ChannelSync *sync,
                       const char  *command,
                       const char  *channel)
{
  g_autofree char *quoted = ts_connection_quote_identifier (self->connection, channel);

  if (quoted != NULL)
    g_ptr_array_add (sync->statements, g_strconcat (command, " ", quoted, NULL));
}

static void
on_channels_read (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TsStore *self = TS_STORE (object);
  ChannelSync *sync = g_new0 (ChannelSync, 1);
  GHashTableIter iter;
  gpointer channel;
  GError *error = NULL;

  sync->wanted = finish (self, result, parse_channels, &error);
  if (sync->wanted == NULL)
    {
      channel_sync_free (sync);
      /* Older than version 11: everything comes on "tasksteper". */
      if (g_strcmp0 (ts_store_error_get_sqlstate (error), "42883") == 0)
        {
          g_debug ("No channels per project on the server: %s", error->message);
          self->has_channels = FALSE;
          g_clear_error (&error);
        }
      end_channel_sync (self, NULL, error);
      return;
    }

  sync->statements = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, &channel, NULL))
    if (!g_hash_table_contains (sync->wanted, channel))
      add_channel_statement (self, sync, "UNLISTEN", channel);
  g_hash_table_iter_init (&iter, sync->wanted);
  while (g_hash_table_iter_next (&iter, &channel, NULL))
    if (!g_hash_table_contains (self->channels, channel))
      {
        add_channel_statement (self, sync, "LISTEN", channel);
        sync->added = TRUE;
      }

  send_channel_statement (self, sync);
}

/* Reads my_channels() for the calls waiting. */
static void
start_channel_sync (TsStore *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->syncs_waiting);

  self->syncs_waiting = g_ptr_array_new ();
  g_ptr_array_extend_and_steal (self->syncs_running, g_steal_pointer (&waiting));
  self->channels_stale = FALSE;
  call (self, parse_channels, "SELECT project, channel FROM tasksteper.my_channels ()", NULL, 0,
        parse_channels, (GDestroyNotify)g_hash_table_unref, NULL, on_channels_read, NULL);
}

/* Listens to the channels of my projects, and to no other (see above);
 * then, when @catch_up_after and a channel is new, reads the feed. */
static void
sync_channels_async (TsStore             *self,
                     gboolean             catch_up_after,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sync_channels_async);
  if (!self->has_channels || self->pooled || !self->online)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  g_task_set_task_data (task, GINT_TO_POINTER (catch_up_after), NULL);
  g_ptr_array_add (self->syncs_waiting, task);
  if (self->syncs_running->len == 0)
    start_channel_sync (self);
}

static gboolean
sync_channels_finish (TsStore       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* "changes_cursor, pg_backend_pid" */
static gpointer
parse_feed_start (TsStore   *self,
                  PGresult  *result,
                  GError   **error)
{
  if (PQntuples (result) != 1)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FAILED,
                   _("The server sent %d rows where one was expected"), PQntuples (result));
      return NULL;
    }

  /* On a reconnect the old cursor stays: the catch-up then delivers what
   * changed while we were away. */
  if (!self->has_cursor)
    {
      self->cursor = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      self->has_cursor = TRUE;
    }
  self->backend_pid = atoi (PQgetvalue (result, 0, 1));
  self->has_feed = TRUE;

  return GINT_TO_POINTER (TRUE);
}

static void
on_feed_started (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (finish (TS_STORE (object), result, parse_feed_start, &error) == NULL)
    {
      /* A server side older than version 4 has no feed: notifications
       * are all there is. */
      if (g_strcmp0 (ts_store_error_get_sqlstate (error), "42883") == 0)
        {
          g_debug ("No change feed on the server: %s", error->message);
          TS_STORE (object)->has_feed = FALSE;
          g_error_free (error);
        }
      else
        {
          g_task_return_error (task, error);
          return;
        }
    }

  schedule_poll (TS_STORE (object));
  g_task_return_boolean (task, TRUE);
}

/* Whether @error, of a step of opening after the login, ends the open:
 * offline or cancelled; other steps can fail and leave the feed to poll. */
static gboolean
ends_open (const GError *error)
{
  return g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
on_channels_listened (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  GCancellable *cancellable;
  GError *error = NULL;

  if (!sync_channels_finish (self, result, &error))
    {
      if (ends_open (error))
        {
          g_task_return_error (task, error);
          return;
        }

      /* The feed, polled, still tells what changed. */
      g_debug ("Cannot listen to the projects' channels: %s", error->message);
      g_error_free (error);
    }

  /* After LISTEN: a change made from here on is either announced or after
   * the cursor, usually both. */
  cancellable = g_task_get_cancellable (task);
  call (self, parse_feed_start, "SELECT tasksteper.changes_cursor (), pg_backend_pid ()",
        NULL, 0, parse_feed_start, NULL, cancellable, on_feed_started, g_steal_pointer (&task));
}

static void
on_listen_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  GCancellable *cancellable;
  GError *error = NULL;

  if (finish (self, result, parse_nothing, &error) == NULL)
    {
      if (ends_open (error))
        {
          g_task_return_error (task, error);
          return;
        }

      /* A pooler or proxy that refuses LISTEN: the feed, polled often,
       * does without. */
      g_debug ("LISTEN failed, polling instead: %s", error->message);
      g_error_free (error);
      set_pooled (self, TRUE);
    }
  else
    set_pooled (self, FALSE);

  /* A new session listens to nothing yet; the server may be newer. */
  g_hash_table_remove_all (self->channels);
  self->has_channels = TRUE;
  cancellable = g_task_get_cancellable (task);
  sync_channels_async (self, FALSE, cancellable, on_channels_listened, g_steal_pointer (&task));
}

static void
on_installed_checked (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  GCancellable *cancellable;
  GError *error = NULL;

  if (finish (self, result, parse_installed, &error) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  call (self, parse_nothing, "LISTEN tasksteper", NULL, 0, parse_nothing, NULL,
        cancellable, on_listen_done, g_steal_pointer (&task));
}

static void
check_installed (GTask *task)
{
  TsStore *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* has_schema_privilege() would fail on a missing schema; CASE guards it. */
  call (self, parse_installed,
        "SELECT to_regnamespace('tasksteper') IS NOT NULL, "
        "       CASE WHEN to_regnamespace('tasksteper') IS NOT NULL "
        "            THEN has_schema_privilege('tasksteper', 'USAGE') END",
        NULL, 0, parse_installed, NULL,
        cancellable, on_installed_checked, g_object_ref (task));
}

/* The session's time zone.
 *
 * Dates in a search's filter are days of the session's TimeZone
 * (docs/sql-api.md), and the offline copy is searched in the local time
 * zone: so the session gets the local zone, by its IANA name when it has
 * one (daylight saving time then follows), else as its offset from UTC
 * now.  It is set with set_config() at every open.  A pooler in
 * transaction mode does not keep session state in general, but TimeZone
 * is one of the settings PgBouncer tracks for each client (as the server
 * reports it) and sets again on whichever server connection runs the
 * client's next transaction, so the setting holds there too
 * (tests/test-search-store.c checks it through PgBouncer). */

/* The local zone's IANA name ("Asia/Shanghai"), or NULL. */
static char *
local_zone_name (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  const char *id = g_time_zone_get_identifier (zone);
  const char *zoneinfo;

  if (id != NULL && *id == ':')
    id++;
  /* TZ=/usr/share/zoneinfo/Asia/Shanghai */
  if (id != NULL && *id == '/' && (zoneinfo = strstr (id, "/zoneinfo/")) != NULL)
    id = zoneinfo + strlen ("/zoneinfo/");
  if (id == NULL || !g_ascii_isalpha (*id))
    return NULL;

  /* Names are letters, digits and "/_+-" (Etc/GMT-8); anything else (a
   * POSIX rule with its commas) is better sent as an offset. */
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/_+-", *p) == NULL)
      return NULL;

  return g_strdup (id);
}

/* The local zone's offset from UTC now, as TimeZone takes a number: hours
 * east of UTC (the SQL convention; a name such as "UTC+8" would be POSIX's,
 * hours west). */
static char *
local_zone_offset (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_dtostr (text, sizeof text,
                                   (double)g_date_time_get_utc_offset (now) / G_TIME_SPAN_HOUR));
}

static void set_time_zone (GTask      *task,
                           const char *zone,
                           gboolean    is_name);

static void
on_time_zone_set (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GTask *inner = G_TASK (result);
  gboolean was_name = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;

  if (g_task_propagate_pointer (inner, &error) == NULL)
    {
      /* A name this server's time zone data does not know: the offset. */
      if (was_name && g_strcmp0 (ts_store_error_get_sqlstate (error), "22023") == 0)
        {
          g_autofree char *offset = local_zone_offset ();

          g_debug ("The server does not know the time zone name: %s; sending the offset %s",
                   error->message, offset);
          g_error_free (error);
          set_time_zone (task, offset, FALSE);
          return;
        }

      g_task_return_error (task, error);
      return;
    }

  check_installed (task);
}

static void
set_time_zone (GTask      *task,
               const char *zone,
               gboolean    is_name)
{
  TsStore *self = g_task_get_source_object (task);
  const char *params[] = { zone };

  g_task_set_task_data (task, GINT_TO_POINTER (is_name), NULL);
  call (self, set_time_zone, "SELECT set_config ('TimeZone', $1, false)", params, 1,
        parse_nothing, NULL, g_task_get_cancellable (task), on_time_zone_set, g_object_ref (task));
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *zone = NULL;
  GError *error = NULL;

  if (!ts_connection_connect_finish (TS_CONNECTION (object), result, &error))
    {
      /* Connection errors keep their domain here: the login window tells a
       * wrong password from an unreachable host. */
      g_task_return_error (task, error);
      return;
    }

  if ((zone = local_zone_name ()) != NULL)
    set_time_zone (task, zone, TRUE);
  else
    {
      zone = local_zone_offset ();
      set_time_zone (task, zone, FALSE);
    }
}

void
ts_store_open_async (TsStore             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TS_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_store_open_async);

  ts_connection_connect_async (self->connection, cancellable, on_connected, g_steal_pointer (&task));
}

/**
 * ts_store_open_finish:
 *
 * Returns: %TRUE when the store is ready.  Errors are TS_CONNECTION_ERROR
 *   for the connection itself (wrong password, unreachable) and
 *   TS_STORE_ERROR NOT_INSTALLED / FORBIDDEN for a server without
 *   TaskSteper or a login that is not a TaskSteper user.
 */
gboolean
ts_store_open_finish (TsStore       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (TS_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading */

static void
save_projects (TsCache    *cache,
               const char *key,
               gpointer    projects)
{
  ts_cache_save_projects (cache, projects);
}

static gpointer
load_projects (TsCache     *cache,
               const char  *key,
               GDateTime  **saved_at)
{
  return ts_cache_load_projects (cache, saved_at);
}

static void
on_projects_channels_synced (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The projects were read: they are the answer whatever happened here. */
  if (!sync_channels_finish (TS_STORE (object), result, &error))
    g_debug ("Cannot listen to the projects' channels: %s", error->message);
  g_task_return_pointer (task, g_ptr_array_ref (g_task_get_task_data (task)),
                         (GDestroyNotify)g_ptr_array_unref);
}

static void
on_projects_listed (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  GCancellable *cancellable;
  GError *error = NULL;
  GPtrArray *projects = finish (self, result, on_projects_listed, &error);

  if (projects == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The main window lists them after every change, for its counts: the
   * channels are read again only when memberships may have changed. */
  if (!self->channels_stale)
    {
      g_task_return_pointer (task, projects, (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  g_task_set_task_data (task, projects, (GDestroyNotify)g_ptr_array_unref);
  cancellable = g_task_get_cancellable (task);
  sync_channels_async (self, TRUE, cancellable, on_projects_channels_synced, g_steal_pointer (&task));
}

void
ts_store_list_projects_async (TsStore             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *outer;
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, ts_store_list_projects_async);
  task = call (self, on_projects_listed,
               "SELECT p.name, p.revision, p.definition::text, "
               "       (SELECT count(*) FROM tasksteper.tickets t "
               "         WHERE t.project = p.name AND t.assigned_to = session_user::text AND NOT t.is_final), "
               "       tasksteper.is_project_admin (p.name) "
               "  FROM tasksteper.projects p ORDER BY p.title, p.name",
               NULL, 0, parse_projects, (GDestroyNotify)g_ptr_array_unref,
               cancellable, on_projects_listed, outer);
  keep_in_cache (task, save_projects, load_projects, NULL);
}

static void
note_data_time (TsStore   *self,
                GDateTime *saved_at)
{
  /* The oldest copy shown is what the banner should admit to. */
  if (saved_at == NULL ||
      (self->data_time != NULL && g_date_time_compare (self->data_time, saved_at) <= 0))
    return;

  g_clear_pointer (&self->data_time, g_date_time_unref);
  self->data_time = g_date_time_ref (saved_at);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_TIME]);
}

/**
 * ts_store_list_projects_finish:
 *
 * Online, the answer is also saved to the cache; offline, the cached answer
 * is given when there is one.  Online, after a notification that
 * projects or memberships changed, the store first listens to the
 * channels of the projects I am a member of now, and to no other (since
 * version 11 of the server).
 */
GPtrArray *
ts_store_list_projects_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish (self, result, ts_store_list_projects_async, error);
}

/* The kind of cursor @after is for @sort, or -1 when it is not one:
 * {"value": <sort value>, "number": <number>}, the value as
 * ts_store_cursor_for_ticket() gives it. */
static int
list_after_kind (gboolean    pending,
                 const char *sort,
                 JsonNode   *after,
                 const char **value)
{
  JsonObject *cursor;
  JsonNode *node;
  int kind;
  GType type;

  *value = NULL;
  if (after == NULL)
    return TS_LIST_AFTER_NONE;
  if (!JSON_NODE_HOLDS_OBJECT (after))
    return -1;
  cursor = json_node_get_object (after);
  node = json_object_get_member (cursor, "number");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;

  node = json_object_get_member (cursor, "value");
  type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  kind = ts_list_sql_after_kind (pending, sort);
  switch (kind)
    {
    case TS_LIST_AFTER_NUMBER:
      return kind;
    case TS_LIST_AFTER_TEXT:
    case TS_LIST_AFTER_TIME:
      if (type != G_TYPE_STRING)
        return -1;
      *value = json_node_get_string (node);
      return kind;
    default:
      /* A field: its value's type says which key it is (none: no value). */
      if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
        return TS_LIST_AFTER_NUMERIC;
      if (type == G_TYPE_BOOLEAN)
        {
          *value = json_node_get_boolean (node) ? "true" : "false";
          return TS_LIST_AFTER_BOOLEAN;
        }
      if (type == G_TYPE_STRING && !ts_value_is_empty (node))
        {
          *value = json_node_get_string (node);
          return TS_LIST_AFTER_TEXT;
        }
      return TS_LIST_AFTER_NUMBER;
    }
}

void
ts_store_list_tickets_async (TsStore             *self,
                             const char          *project,
                             TsTicketListKind     list,
                             const char          *sort,
                             gboolean             descending,
                             JsonNode            *after,
                             guint                offset,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  gboolean pending = list == TS_TICKET_LIST_PENDING;
  g_autofree char *offset_text = g_strdup_printf ("%u", offset);
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  g_autofree char *number_text = NULL;
  g_autofree char *numeric_text = NULL;
  g_autofree char *sql = NULL;
  const char *params[6];
  const char *value;
  gboolean is_field;
  int n_params = 0;
  int kind;
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (limit >= 1 && limit <= 1000);

  kind = list_after_kind (pending, sort, after, &value);
  if (kind < 0)
    {
      g_task_report_new_error (self, callback, user_data, ts_store_list_tickets_async,
                               TS_STORE_ERROR, TS_STORE_ERROR_INVALID,
                               _("The list cannot be read on from the row it shows last: that row's position is not one the list understands. Reload the list."));
      return;
    }

  params[n_params++] = project;
  params[n_params++] = offset_text;
  params[n_params++] = limit_text;
  ts_list_sql_key (pending, sort, &is_field);
  if (is_field)
    params[n_params++] = sort;
  if (kind == TS_LIST_AFTER_NUMERIC)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (after), "value");

      numeric_text = json_to_string (node, FALSE);
      params[n_params++] = numeric_text;
    }
  else if (kind != TS_LIST_AFTER_NONE && kind != TS_LIST_AFTER_NUMBER)
    params[n_params++] = value;
  if (kind != TS_LIST_AFTER_NONE)
    {
      number_text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                     json_object_get_int_member (json_node_get_object (after), "number"));
      params[n_params++] = number_text;
    }

  sql = ts_list_sql_page (pending, sort, descending, kind);
  task = call (self, ts_store_list_tickets_async, sql, params, n_params,
               parse_tickets, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  keep_states (task);
}

GPtrArray *
ts_store_list_tickets_finish (TsStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish (self, result, ts_store_list_tickets_async, error);
}

static gpointer parse_count (TsStore   *self,
                             PGresult  *result,
                             GError   **error);

JsonNode *
ts_store_cursor_for_ticket (TsTicket   *ticket,
                            const char *sort)
{
  g_return_val_if_fail (TS_IS_TICKET (ticket), NULL);

  return _ts_search_cursor (ticket, sort);
}

void
ts_store_count_tickets_async (TsStore             *self,
                              const char          *project,
                              TsTicketListKind     list,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  const char *params[] = { project };

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);

  call (self, ts_store_count_tickets_async,
        list == TS_TICKET_LIST_PENDING ? TS_LIST_SQL_COUNT_PENDING : TS_LIST_SQL_COUNT_ALL,
        params, G_N_ELEMENTS (params), parse_count, g_free, cancellable, callback, user_data);
}

gint64
ts_store_count_tickets_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autofree gint64 *count = finish (self, result, ts_store_count_tickets_async, error);

  return count != NULL ? *count : -1;
}

void
ts_store_get_tickets_async (TsStore             *self,
                            const gint64        *ids,
                            guint                n_ids,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GString) array = g_string_new ("{");
  const char *params[1];
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));

  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (array, "%s%" G_GINT64_FORMAT, i ? "," : "", ids[i]);
  g_string_append_c (array, '}');
  params[0] = array->str;

  task = call (self, ts_store_get_tickets_async,
               "SELECT " TICKET_COLUMNS " FROM tasksteper.tickets WHERE id = ANY ($1::bigint[]) ORDER BY id",
               params, 1, parse_tickets, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  /* A ticket re-read after a change may have entered a state. */
  keep_states (task);
}

GPtrArray *
ts_store_get_tickets_finish (TsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, ts_store_get_tickets_async, error);
}

static gpointer
parse_found_ticket (TsStore   *self,
                    PGresult  *result,
                    GError   **error)
{
  if (PQntuples (result) == 0)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND,
                   _("There is no such ticket, or it is in a project you are not a member of"));
      return NULL;
    }

  return ticket_from_row (result, 0);
}

void
ts_store_find_ticket_async (TsStore             *self,
                            const char          *project,
                            int                  number,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *number_text = g_strdup_printf ("%d", number);
  const char *params[] = { project, number_text };

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);

  call (self, ts_store_find_ticket_async,
        "SELECT " TICKET_COLUMNS " FROM tasksteper.tickets WHERE project = $1 AND number = $2",
        params, 2, parse_found_ticket, g_object_unref, cancellable, callback, user_data);
}

TsTicket *
ts_store_find_ticket_finish (TsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, ts_store_find_ticket_async, error);
}

void
ts_store_get_history_async (TsStore             *self,
                            gint64               ticket_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, ticket_id);
  const char *params[] = { id };
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));

  task = call (self, ts_store_get_history_async,
               "SELECT (extract(epoch FROM at) * 1000000)::bigint, actor, trigger, from_state, to_state,"
               "       from_assignee, to_assignee, changes::text"
               "  FROM tasksteper.history WHERE ticket_id = $1 ORDER BY id",
               params, 1, parse_history, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  /* For the offline fallback in _finish(). */
  g_object_set_data (G_OBJECT (task), "ts-ticket-id", GSIZE_TO_POINTER (ticket_id));
}

GPtrArray *
ts_store_get_history_finish (TsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  GError *local_error = NULL;
  GPtrArray *history = finish (self, result, ts_store_get_history_async, &local_error);
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "ts-ticket-id"));

  if (history != NULL)
    return history;

  /* Offline, the history saved when the ticket was last opened. */
  if (self->cache != NULL && g_error_matches (local_error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    {
      g_autoptr(TsTicket) ticket = ts_cache_load_ticket (self->cache, id, &history);

      if (ticket != NULL)
        {
          g_error_free (local_error);
          return history;
        }
    }

  g_propagate_error (error, local_error);
  return NULL;
}

/* Comments (docs/sql-api.md, "Comments (since version 9)") */

#define COMMENT_COLUMNS "id, ticket_id, (extract(epoch FROM at) * 1000000)::bigint, author, body"

static gpointer
parse_comments (TsStore   *self,
                PGresult  *result,
                GError   **error)
{
  GPtrArray *comments = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    {
      g_autoptr(GDateTime) at = time_from_usec (PQgetvalue (result, row, 2));

      g_ptr_array_add (comments, ts_comment_new (g_ascii_strtoll (PQgetvalue (result, row, 0), NULL, 10),
                                                 g_ascii_strtoll (PQgetvalue (result, row, 1), NULL, 10),
                                                 at,
                                                 PQgetvalue (result, row, 3),
                                                 PQgetvalue (result, row, 4)));
    }

  return comments;
}

static gpointer
parse_one_comment (TsStore   *self,
                   PGresult  *result,
                   GError   **error)
{
  g_autoptr(GPtrArray) comments = parse_comments (self, result, error);

  if (comments->len != 1)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FAILED,
                   _("The server answered the comment with %u rows instead of one. Try again; if it happens again, ask your administrator to check the server."),
                   comments->len);
      return NULL;
    }

  return g_object_ref (g_ptr_array_index (comments, 0));
}

static void
save_comments (TsCache    *cache,
               const char *ticket_id,
               gpointer    comments)
{
  ts_cache_save_comments (cache, g_ascii_strtoll (ticket_id, NULL, 10), comments);
}

static gpointer
load_comments (TsCache     *cache,
               const char  *ticket_id,
               GDateTime  **saved_at)
{
  return ts_cache_load_comments (cache, g_ascii_strtoll (ticket_id, NULL, 10), saved_at);
}

void
ts_store_add_comment_async (TsStore             *self,
                            gint64               ticket_id,
                            const char          *body,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, ticket_id);
  const char *params[] = { id, body };

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (body != NULL);

  call (self, ts_store_add_comment_async,
        "SELECT " COMMENT_COLUMNS " FROM tasksteper.add_comment ($1, $2)",
        params, 2, parse_one_comment, g_object_unref, cancellable, callback, user_data);
}

/**
 * ts_store_add_comment_finish:
 *
 * Returns: (transfer full): the comment as the server stored it
 */
TsComment *
ts_store_add_comment_finish (TsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, ts_store_add_comment_async, error);
}

void
ts_store_list_comments_async (TsStore             *self,
                              gint64               ticket_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, ticket_id);
  const char *params[] = { id };
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));

  task = call (self, ts_store_list_comments_async,
               "SELECT " COMMENT_COLUMNS " FROM tasksteper.ticket_comments ($1)",
               params, 1, parse_comments, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  keep_in_cache (task, save_comments, load_comments, id);
}

/**
 * ts_store_list_comments_finish:
 *
 * Returns: (transfer container) (element-type TsComment): the comments,
 *   oldest first
 */
GPtrArray *
ts_store_list_comments_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish (self, result, ts_store_list_comments_async, error);
}

static void
save_members (TsCache    *cache,
              const char *project,
              gpointer    members)
{
  ts_cache_save_members (cache, project, members);
}

static gpointer
load_members (TsCache     *cache,
              const char  *project,
              GDateTime  **saved_at)
{
  return ts_cache_load_members (cache, project, saved_at);
}

void
ts_store_list_members_async (TsStore             *self,
                             const char          *project,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  const char *params[] = { project };
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);

  task = call (self, ts_store_list_members_async,
               "SELECT login, display_name FROM tasksteper.project_members ($1)",
               params, 1, parse_members, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  keep_in_cache (task, save_members, load_members, project);
}

/**
 * ts_store_list_members_finish:
 *
 * Returns: (transfer container) (element-type TsMember): the members,
 *   sorted by the name shown
 */
GPtrArray *
ts_store_list_members_finish (TsStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish (self, result, ts_store_list_members_async, error);
}

static void
save_my_tickets (TsCache    *cache,
                 const char *key,
                 gpointer    tickets)
{
  ts_cache_save_my_tickets (cache, tickets);
}

static gpointer
load_my_tickets (TsCache     *cache,
                 const char  *key,
                 GDateTime  **saved_at)
{
  return ts_cache_load_my_tickets (cache, saved_at);
}

void
ts_store_list_my_tickets_async (TsStore             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));

  /* Uses an index: see docs/sql-api.md. */
  task = call (self, ts_store_list_my_tickets_async,
               "SELECT " TICKET_COLUMNS " FROM tasksteper.my_tickets ()",
               NULL, 0, parse_tickets, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
  keep_in_cache (task, save_my_tickets, load_my_tickets, NULL);
  keep_states (task);
}

/**
 * ts_store_list_my_tickets_finish:
 *
 * Returns: (transfer container) (element-type TsTicket): my open tickets,
 *   by project and newest number first
 */
GPtrArray *
ts_store_list_my_tickets_finish (TsStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish (self, result, ts_store_list_my_tickets_async, error);
}

/* Searching */

static char *
json_text (JsonNode *node)
{
  char *text = json_to_string (node, FALSE);

  /* json-glib 1.6 leaves U+001F unescaped, which is not JSON and which the
   * server refuses; raw control bytes can only be inside strings, so
   * escaping them there is safe. */
  if (strchr (text, '\x1f') != NULL)
    {
      GString *escaped = g_string_new (NULL);

      for (const char *p = text; *p; p++)
        {
          if (*p == '\x1f')
            g_string_append (escaped, "\\u001f");
          else
            g_string_append_c (escaped, *p);
        }
      g_free (text);
      text = g_string_free (escaped, FALSE);
    }

  return text;
}

/* What a search asked for: sent to the server, and kept for the offline
 * copy. */
typedef struct
{
  char     *project;
  JsonNode *filter;
  char     *sort;
  gboolean  descending;
  TsTicket *after;
  int       limit;     /* -1: a count, or all the matches */
  char     *group_by;  /* not NULL: the matches' counts by it (ticket_counts) */
} Search;

static void
search_free (Search *search)
{
  g_free (search->project);
  json_node_unref (search->filter);
  g_free (search->sort);
  g_clear_object (&search->after);
  g_free (search->group_by);
  g_free (search);
}

/* The title of @project as last listed, else its name. */
static const char *
title_of (TsStore    *self,
          const char *project)
{
  TsProject *known = g_hash_table_lookup (self->projects, project);

  return known != NULL ? ts_project_get_title (known) : project;
}

/* A filter the server refused (TS440-TS443) said as the offline copy
 * says it, when this store listed the project and TsFilter finds the
 * fault at the same key; else the refusal's own sentence stays. */
static void
describe_filter_refusal (TsStore    *self,
                         const char *project,
                         JsonNode   *filter,
                         GError     *error)
{
  const char *sqlstate;
  g_autoptr(TsFilter) checked = NULL;
  g_autoptr(GError) filter_error = NULL;
  g_autofree char *bad_field = NULL;
  TsProject *known;

  /* A cancelled or local failure has no server refusal to describe. */
  if (error == NULL || error->domain != TS_STORE_ERROR)
    return;

  sqlstate = ts_store_error_get_sqlstate (error);
  if (sqlstate == NULL || !g_str_has_prefix (sqlstate, "TS44") || filter == NULL ||
      (known = g_hash_table_lookup (self->projects, project)) == NULL)
    return;

  checked = ts_filter_new (known, filter, NULL, &bad_field, &filter_error);
  if (checked == NULL && g_strcmp0 (bad_field, ts_store_error_get_field (error)) == 0)
    {
      g_free (error->message);
      error->message = g_strdup (filter_error->message);
    }
}

static gpointer
parse_count (TsStore   *self,
             PGresult  *result,
             GError   **error)
{
  gint64 *count;

  if (PQntuples (result) != 1)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FAILED,
                   _("The server sent %d rows where one was expected"), PQntuples (result));
      return NULL;
    }

  count = g_new (gint64, 1);
  *count = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  return count;
}

/* An error of ours about a filter, as the server's refusal would be:
 * INVALID, with the key at fault as its field. */
static GError *
invalid_filter_error (const char   *field,
                      const GError *filter_error)
{
  GError *error = g_error_new_literal (TS_STORE_ERROR, TS_STORE_ERROR_INVALID, filter_error->message);
  TsStoreErrorPrivate *priv = ts_store_error_get_private (error);

  priv->field = g_strdup (field);
  return error;
}

static TsProject *
find_project (GPtrArray  *summaries,
              const char *name)
{
  for (guint i = 0; i < summaries->len; i++)
    {
      TsProject *project = ts_project_summary_get_project (g_ptr_array_index (summaries, i));

      if (g_strcmp0 (ts_project_get_name (project), name) == 0)
        return project;
    }

  return NULL;
}

/* What the offline search reads of one project (ts_cache_load_project_tickets()). */
typedef struct
{
  GPtrArray  *tickets;   /* NULL: nothing saved */
  GHashTable *states;
  GDateTime  *saved_at;
} OfflineCopy;

static void
offline_copy_free (OfflineCopy *copy)
{
  g_clear_pointer (&copy->tickets, g_ptr_array_unref);
  g_clear_pointer (&copy->states, g_hash_table_unref);
  g_clear_pointer (&copy->saved_at, g_date_time_unref);
  g_free (copy);
}

/* The search over the offline copy, with the server's meaning, order and
 * pages.  Returns FALSE with @error when it cannot be answered from the
 * cache; *@tickets gets the page, or with @count the number of matches.
 * With a group_by, *@tickets gets the matches' counts (TsStatCount), as
 * ticket_counts() gives them. */
static gboolean
search_offline (TsStore    *self,
                Search     *search,
                GPtrArray **tickets,
                gint64     *count,
                GError    **error)
{
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GDateTime) projects_saved = NULL;
  OfflineCopy *copy;
  g_autoptr(TsFilter) filter = NULL;
  g_autoptr(GError) filter_error = NULL;
  g_autofree char *bad_field = NULL;
  g_autofree char *group_problem = NULL;
  TsProject *project;

  projects = ts_cache_load_projects (self->cache, &projects_saved);
  if (projects == NULL)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE,
                   _("The server cannot be reached and nothing was saved for searching offline. Search again once the connection is back."));
      return FALSE;
    }

  if ((project = find_project (projects, search->project)) == NULL)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND,
                   _("The offline copy has no project “%s”. Search it again once the server can be reached."),
                   search->project);
      return FALSE;
    }

  if (search->group_by != NULL &&
      (group_problem = _ts_stat_group_by_problem (project, search->group_by)) != NULL)
    {
      GError *group_error = g_error_new_literal (TS_STORE_ERROR, TS_STORE_ERROR_INVALID, group_problem);

      ts_store_error_get_private (group_error)->field = g_strdup (search->group_by);
      g_propagate_error (error, group_error);
      return FALSE;
    }

  /* Days are local days, as the server's are (the session's time zone is
   * the local one). */
  filter = ts_filter_new (project, search->filter, NULL, &bad_field, &filter_error);
  if (filter == NULL)
    {
      g_propagate_error (error, invalid_filter_error (bad_field, filter_error));
      return FALSE;
    }

  if (!_ts_search_is_sort (project, search->sort))
    {
      GError *sort_error = g_error_new (TS_STORE_ERROR, TS_STORE_ERROR_INVALID,
                                        _("Tickets of %s cannot be sorted by “%s”: it is not one of its fields. Sort by one of its fields, or by key, state, assignee, creator or time."),
                                        ts_project_get_title (project), search->sort);

      ts_store_error_get_private (sort_error)->field = g_strdup (search->sort);
      g_propagate_error (error, sort_error);
      return FALSE;
    }

  /* Read once while offline: nothing is saved meanwhile, and a search
   * is read page by page. */
  if ((copy = g_hash_table_lookup (self->offline_copies, search->project)) == NULL)
    {
      copy = g_new0 (OfflineCopy, 1);
      copy->tickets = ts_cache_load_project_tickets (self->cache, search->project, &copy->states, &copy->saved_at);
      g_hash_table_insert (self->offline_copies, g_strdup (search->project), copy);
    }
  if (copy->tickets == NULL)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE,
                   _("The server cannot be reached, and no tickets of “%s” were saved for searching offline. Search again once the connection is back."),
                   ts_project_get_title (project));
      return FALSE;
    }

  note_data_time (self, projects_saved);
  note_data_time (self, copy->saved_at);
  found = _ts_search_run (copy->tickets, copy->states, project, filter, search->sort, search->descending,
                          search->after, search->limit);
  if (search->group_by != NULL)
    {
      GPtrArray *counts = _ts_stat_count_tickets (found, project, search->group_by);

      g_ptr_array_unref (found);
      found = counts;
    }
  if (count != NULL)
    *count = found->len;
  if (tickets != NULL)
    *tickets = g_steal_pointer (&found);

  return TRUE;
}

static void
on_searched (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  Search *search = g_task_get_task_data (task);
  gboolean counting = search->limit < 0;
  GError *error = NULL;
  GPtrArray *tickets = NULL;
  gint64 count = -1;
  gpointer value;

  value = g_task_propagate_pointer (G_TASK (result), &error);
  if (value != NULL)
    {
      if (counting)
        g_task_return_pointer (task, value, g_free);
      else
        g_task_return_pointer (task, value, (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  /* Offline: the same search over what the cache holds. */
  if (self->cache != NULL && g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    {
      GError *offline_error = NULL;

      if (search_offline (self, search, counting ? NULL : &tickets, counting ? &count : NULL, &offline_error))
        {
          g_error_free (error);
          if (counting)
            g_task_return_pointer (task, g_memdup2 (&count, sizeof count), g_free);
          else
            g_task_return_pointer (task, tickets, (GDestroyNotify)g_ptr_array_unref);
          return;
        }

      /* Still offline: say so in the words of why the cache could not do. */
      g_error_free (error);
      error = offline_error;
    }
  else
    describe_filter_refusal (self, search->project, search->filter, error);

  g_task_return_error (task, error);
}

void
ts_store_search_tickets_async (TsStore             *self,
                               const char          *project,
                               JsonNode            *filter,
                               const char          *sort,
                               gboolean             descending,
                               TsTicket            *after,
                               int                  limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *filter_text = NULL;
  g_autofree char *cursor_text = NULL;
  g_autofree char *limit_text = NULL;
  g_autoptr(JsonNode) cursor = NULL;
  const char *params[6];
  Search *search;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (filter != NULL);
  g_return_if_fail (after == NULL || TS_IS_TICKET (after));
  g_return_if_fail (limit >= 1 && limit <= 1000);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_store_search_tickets_async);
  search = g_new0 (Search, 1);
  search->project = g_strdup (project);
  search->filter = json_node_copy (filter);
  search->sort = g_strdup (sort != NULL ? sort : "number");
  search->descending = descending;
  /* As it was shown: the cursor is the values the previous page ended on. */
  search->after = after != NULL ? ts_ticket_copy (after) : NULL;
  search->limit = limit;
  g_task_set_task_data (task, search, (GDestroyNotify)search_free);

  filter_text = json_text (filter);
  if (after != NULL)
    {
      cursor = _ts_search_cursor (after, search->sort);
      cursor_text = json_text (cursor);
    }
  limit_text = g_strdup_printf ("%d", limit);
  params[0] = project;
  params[1] = filter_text;
  params[2] = search->sort;
  params[3] = descending ? "true" : "false";
  params[4] = cursor_text;   /* NULL: the first page */
  params[5] = limit_text;

  call (self, parse_tickets,
        "SELECT " TICKET_COLUMNS
        "  FROM tasksteper.search_tickets ($1, $2::jsonb, $3, $4::boolean, $5::jsonb, $6::int)",
        params, G_N_ELEMENTS (params), parse_tickets, (GDestroyNotify)g_ptr_array_unref,
        cancellable, on_searched, g_steal_pointer (&task));
}

/**
 * ts_store_search_tickets_finish:
 *
 * Returns: (transfer container) (element-type TsTicket): the page, in the
 *   search's order; fewer than the limit on the last page
 */
GPtrArray *
ts_store_search_tickets_finish (TsStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish (self, result, ts_store_search_tickets_async, error);
}

void
ts_store_count_search_async (TsStore             *self,
                              const char          *project,
                              JsonNode            *filter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *filter_text = NULL;
  const char *params[2];
  Search *search;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (filter != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_store_count_search_async);
  search = g_new0 (Search, 1);
  search->project = g_strdup (project);
  search->filter = json_node_copy (filter);
  search->sort = g_strdup ("number");
  search->descending = TRUE;
  search->limit = -1;
  g_task_set_task_data (task, search, (GDestroyNotify)search_free);

  filter_text = json_text (filter);
  params[0] = project;
  params[1] = filter_text;
  call (self, parse_count, "SELECT tasksteper.count_tickets ($1, $2::jsonb)",
        params, G_N_ELEMENTS (params), parse_count, g_free,
        cancellable, on_searched, g_steal_pointer (&task));
}

gint64
ts_store_count_search_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autofree gint64 *count = finish (self, result, ts_store_count_search_async, error);

  return count != NULL ? *count : -1;
}

/* Statistics */

/* The filter to send: @filter (a filter that is no object is refused as
 * a search's is), or {} for NULL. */
static JsonNode *
filter_or_all (JsonNode *filter)
{
  JsonNode *all;

  if (filter != NULL)
    return json_node_copy (filter);

  all = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (all, json_object_new ());
  return all;
}

static Search *
statistic_new (const char *project,
               JsonNode   *filter,
               const char *group_by)
{
  Search *search = g_new0 (Search, 1);

  search->project = g_strdup (project);
  search->filter = filter_or_all (filter);
  search->sort = g_strdup ("number");
  search->descending = FALSE;
  search->limit = -1;
  search->group_by = g_strdup (group_by);
  return search;
}

static gpointer
parse_counts (TsStore   *self,
              PGresult  *result,
              GError   **error)
{
  GPtrArray *rows = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (rows, _ts_stat_count_new (nullable (result, row, 0),
                                               g_ascii_strtoll (PQgetvalue (result, row, 1), NULL, 10)));

  return rows;
}

static gpointer
parse_periods (TsStore   *self,
               PGresult  *result,
               GError   **error)
{
  GPtrArray *rows = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (rows, _ts_stat_period_new (PQgetvalue (result, row, 0),
                                                g_ascii_strtoll (PQgetvalue (result, row, 1), NULL, 10),
                                                g_ascii_strtoll (PQgetvalue (result, row, 2), NULL, 10)));

  return rows;
}

/* A number of seconds, or -1 for SQL NULL. */
static double
seconds_or_none (PGresult *result,
                 int       row,
                 int       column)
{
  const char *text = nullable (result, row, column);

  return text != NULL ? g_ascii_strtod (text, NULL) : -1;
}

static gpointer
parse_stays (TsStore   *self,
             PGresult  *result,
             GError   **error)
{
  GPtrArray *rows = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (rows, _ts_stat_stay_new (PQgetvalue (result, row, 0),
                                              g_ascii_strtoll (PQgetvalue (result, row, 1), NULL, 10),
                                              g_ascii_strtoll (PQgetvalue (result, row, 2), NULL, 10),
                                              seconds_or_none (result, row, 3),
                                              seconds_or_none (result, row, 4)));

  return rows;
}

/* A grouping the server refused (TS440, TS444 at @group_by) said as the
 * offline copy says it, when this store listed the project and the
 * filter is not at fault. */
static void
describe_group_by_refusal (TsStore    *self,
                           Search     *search,
                           GError     *error)
{
  const char *sqlstate;
  g_autofree char *problem = NULL;
  g_autoptr(TsFilter) checked = NULL;
  TsProject *known;

  if (error == NULL || error->domain != TS_STORE_ERROR)
    return;

  sqlstate = ts_store_error_get_sqlstate (error);
  if (sqlstate == NULL || (!g_str_equal (sqlstate, "TS440") && !g_str_equal (sqlstate, "TS444")) ||
      g_strcmp0 (ts_store_error_get_field (error), search->group_by) != 0 ||
      (known = g_hash_table_lookup (self->projects, search->project)) == NULL)
    return;

  checked = ts_filter_new (known, search->filter, NULL, NULL, NULL);
  if (checked != NULL && (problem = _ts_stat_group_by_problem (known, search->group_by)) != NULL)
    {
      g_free (error->message);
      error->message = g_steal_pointer (&problem);
    }
}

static void
on_counted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  Search *search = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *rows;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (rows != NULL)
    {
      g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  /* Offline: the same counts over what the cache holds. */
  if (self->cache != NULL && g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    {
      GError *offline_error = NULL;

      if (search_offline (self, search, &rows, NULL, &offline_error))
        {
          g_error_free (error);
          g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
          return;
        }

      g_error_free (error);
      error = offline_error;
    }
  else
    {
      describe_filter_refusal (self, search->project, search->filter, error);
      describe_group_by_refusal (self, search, error);
    }

  g_task_return_error (task, error);
}

void
ts_store_ticket_counts_async (TsStore             *self,
                              const char          *project,
                              const char          *group_by,
                              JsonNode            *filter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *filter_text = NULL;
  const char *params[3];
  Search *search;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (group_by != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_store_ticket_counts_async);
  search = statistic_new (project, filter, group_by);
  g_task_set_task_data (task, search, (GDestroyNotify)search_free);

  filter_text = json_text (search->filter);
  params[0] = project;
  params[1] = group_by;
  params[2] = filter_text;
  call (self, parse_counts,
        "SELECT value, tickets FROM tasksteper.ticket_counts ($1, $2, $3::jsonb)",
        params, G_N_ELEMENTS (params), parse_counts, (GDestroyNotify)g_ptr_array_unref,
        cancellable, on_counted, g_steal_pointer (&task));
}

/**
 * ts_store_ticket_counts_finish:
 *
 * Returns: (transfer container) (element-type TsStatCount): the groups,
 *   in the order of ts_store_ticket_counts_async()
 */
GPtrArray *
ts_store_ticket_counts_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish (self, result, ts_store_ticket_counts_async, error);
}

/* The answer of created_closed or time_in_state: the server's, or why
 * not.  The offline copy holds no history, so offline there is none. */
static void
on_history_statistic (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  Search *search = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *rows;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (rows != NULL)
    {
      g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    {
      g_free (error->message);
      error->message = g_strdup (_("This chart needs the server, which cannot be reached: the offline copy does not hold the tickets’ history. It will fill in when the connection is back."));
    }
  else
    describe_filter_refusal (self, search->project, search->filter, error);

  g_task_return_error (task, error);
}

/* The number of @bucket's from the one holding @from to the one holding
 * @to, as the server counts them (ISO weeks start on Monday). */
static gint64
count_buckets (const GDate  *from,
               const GDate  *to,
               TsStatBucket  bucket)
{
  gint64 first, last;

  switch (bucket)
    {
    case TS_STAT_BUCKET_WEEK:
      first = (gint64)g_date_get_julian (from) - (g_date_get_weekday (from) - G_DATE_MONDAY);
      last = (gint64)g_date_get_julian (to) - (g_date_get_weekday (to) - G_DATE_MONDAY);
      return (last - first) / 7 + 1;

    case TS_STAT_BUCKET_MONTH:
      return ((gint64)g_date_get_year (to) * 12 + g_date_get_month (to)) -
             ((gint64)g_date_get_year (from) * 12 + g_date_get_month (from)) + 1;

    case TS_STAT_BUCKET_DAY:
    default:
      return (gint64)g_date_get_julian (to) - g_date_get_julian (from) + 1;
    }
}

/* The most buckets created_closed() gives. */
#define MAX_BUCKETS 1000

static char *
iso_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
}

/* An INVALID error about @field of a period. */
static GError *
invalid_period_error (const char *field,
                      char       *message)
{
  GError *error = g_error_new_literal (TS_STORE_ERROR, TS_STORE_ERROR_INVALID, message);

  ts_store_error_get_private (error)->field = g_strdup (field);
  g_free (message);
  return error;
}

/* NULL when the period can be charted, else why not. */
static GError *
check_period (const GDate  *from,
              const GDate  *to,
              TsStatBucket  bucket)
{
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;

  if (from == NULL || !g_date_valid (from))
    return invalid_period_error ("from", g_strdup (_("The period has no first day. Choose the day it starts.")));
  if (to == NULL || !g_date_valid (to))
    return invalid_period_error ("to", g_strdup (_("The period has no last day. Choose the day it ends.")));

  /* The days the server takes. */
  if (g_date_get_year (from) > 9999)
    return invalid_period_error ("from", g_strdup (_("The period starts after the year 9999. Choose a first day before then.")));
  if (g_date_get_year (to) > 9999)
    return invalid_period_error ("to", g_strdup (_("The period ends after the year 9999. Choose a last day before then.")));

  from_text = iso_date (from);
  to_text = iso_date (to);
  if (g_date_compare (from, to) > 0)
    /* TRANSLATORS: two days written YYYY-MM-DD */
    return invalid_period_error ("to", g_strdup_printf (_("The period ends on %s, before it starts on %s. Choose a last day on or after the first."),
                                                        to_text, from_text));

  if (count_buckets (from, to, bucket) > MAX_BUCKETS)
    {
      char *message;

      /* TRANSLATORS: two days written YYYY-MM-DD */
      if (bucket == TS_STAT_BUCKET_DAY)
        message = g_strdup_printf (_("From %s to %s is more than 1000 days, too many to chart day by day. Choose a shorter period, or count by week or month."),
                                   from_text, to_text);
      else if (bucket == TS_STAT_BUCKET_WEEK)
        /* TRANSLATORS: two days written YYYY-MM-DD */
        message = g_strdup_printf (_("From %s to %s is more than 1000 weeks, too many to chart week by week. Choose a shorter period, or count by month."),
                                   from_text, to_text);
      else
        /* TRANSLATORS: two days written YYYY-MM-DD */
        message = g_strdup_printf (_("From %s to %s is more than 1000 months, too many to chart. Choose a shorter period."),
                                   from_text, to_text);
      return invalid_period_error ("from", message);
    }

  return NULL;
}

void
ts_store_created_closed_async (TsStore             *self,
                               const char          *project,
                               GDate               *from,
                               GDate               *to,
                               TsStatBucket         bucket,
                               JsonNode            *filter,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *filter_text = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  const char *params[5];
  GError *period_error;
  Search *search;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (bucket == TS_STAT_BUCKET_DAY || bucket == TS_STAT_BUCKET_WEEK || bucket == TS_STAT_BUCKET_MONTH);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_store_created_closed_async);
  search = statistic_new (project, filter, NULL);
  g_task_set_task_data (task, search, (GDestroyNotify)search_free);

  /* Said here, in the user's words, rather than sent to be refused. */
  if ((period_error = check_period (from, to, bucket)) != NULL)
    {
      g_task_return_error (task, period_error);
      return;
    }

  filter_text = json_text (search->filter);
  from_text = iso_date (from);
  to_text = iso_date (to);
  params[0] = project;
  params[1] = from_text;
  params[2] = to_text;
  params[3] = ts_stat_bucket_to_string (bucket);
  params[4] = filter_text;
  call (self, parse_periods,
        "SELECT to_char (bucket, 'YYYY-MM-DD'), created, closed"
        "  FROM tasksteper.created_closed ($1, $2::date, $3::date, $4, $5::jsonb)",
        params, G_N_ELEMENTS (params), parse_periods, (GDestroyNotify)g_ptr_array_unref,
        cancellable, on_history_statistic, g_steal_pointer (&task));
}

/**
 * ts_store_created_closed_finish:
 *
 * Returns: (transfer container) (element-type TsStatPeriod): one per
 *   bucket, in order
 */
GPtrArray *
ts_store_created_closed_finish (TsStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish (self, result, ts_store_created_closed_async, error);
}

void
ts_store_time_in_state_async (TsStore             *self,
                              const char          *project,
                              JsonNode            *filter,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *filter_text = NULL;
  const char *params[2];
  Search *search;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_store_time_in_state_async);
  search = statistic_new (project, filter, NULL);
  g_task_set_task_data (task, search, (GDestroyNotify)search_free);

  filter_text = json_text (search->filter);
  params[0] = project;
  params[1] = filter_text;
  call (self, parse_stays,
        "SELECT state, tickets, current, median_seconds, p90_seconds"
        "  FROM tasksteper.time_in_state ($1, $2::jsonb)",
        params, G_N_ELEMENTS (params), parse_stays, (GDestroyNotify)g_ptr_array_unref,
        cancellable, on_history_statistic, g_steal_pointer (&task));
}

/**
 * ts_store_time_in_state_finish:
 *
 * Returns: (transfer container) (element-type TsStatStay): one per
 *   state, in schema order
 */
GPtrArray *
ts_store_time_in_state_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish (self, result, ts_store_time_in_state_async, error);
}

/* Saved searches */

#define SAVED_SEARCH_COLUMNS \
  "project, name, owner, query, filter::text, shared, owner = session_user::text, " \
  "(extract(epoch FROM updated_at) * 1000000)::bigint"

static TsSavedSearch *
saved_search_from_row (PGresult *result,
                       int       row)
{
  g_autoptr(JsonNode) filter = json_from_string (PQgetvalue (result, row, 4), NULL);
  g_autoptr(GDateTime) updated_at = PQgetisnull (result, row, 7) ? NULL : time_from_usec (PQgetvalue (result, row, 7));

  return ts_saved_search_new (PQgetvalue (result, row, 0),
                              PQgetvalue (result, row, 1),
                              PQgetvalue (result, row, 2),
                              nullable (result, row, 3),
                              filter,
                              g_str_equal (PQgetvalue (result, row, 5), "t"),
                              g_str_equal (PQgetvalue (result, row, 6), "t"),
                              updated_at);
}

static gpointer
parse_saved_searches (TsStore   *self,
                      PGresult  *result,
                      GError   **error)
{
  GPtrArray *searches = g_ptr_array_new_full (PQntuples (result), g_object_unref);

  for (int row = 0; row < PQntuples (result); row++)
    g_ptr_array_add (searches, saved_search_from_row (result, row));

  return searches;
}

static gpointer
parse_one_saved_search (TsStore   *self,
                        PGresult  *result,
                        GError   **error)
{
  if (PQntuples (result) != 1)
    {
      g_set_error (error, TS_STORE_ERROR, TS_STORE_ERROR_FAILED,
                   _("The server sent %d rows where one was expected"), PQntuples (result));
      return NULL;
    }

  return saved_search_from_row (result, 0);
}

static void
save_saved_searches (TsCache    *cache,
                     const char *project,
                     gpointer    searches)
{
  ts_cache_save_saved_searches (cache, project, searches);
}

static gpointer
load_saved_searches (TsCache     *cache,
                     const char  *project,
                     GDateTime  **saved_at)
{
  return ts_cache_load_saved_searches (cache, project, saved_at);
}

void
ts_store_list_saved_searches_async (TsStore             *self,
                                    const char          *project,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  const char *params[] = { project };
  GTask *task;

  g_return_if_fail (TS_IS_STORE (self));

  /* Row-level security shows mine and those shared in my projects. */
  if (project != NULL)
    task = call (self, ts_store_list_saved_searches_async,
                 "SELECT " SAVED_SEARCH_COLUMNS " FROM tasksteper.saved_searches WHERE project = $1"
                 " ORDER BY project, name, owner <> session_user::text, owner",
                 params, 1, parse_saved_searches, (GDestroyNotify)g_ptr_array_unref,
                 cancellable, callback, user_data);
  else
    task = call (self, ts_store_list_saved_searches_async,
                 "SELECT " SAVED_SEARCH_COLUMNS " FROM tasksteper.saved_searches"
                 " ORDER BY project, name, owner <> session_user::text, owner",
                 NULL, 0, parse_saved_searches, (GDestroyNotify)g_ptr_array_unref,
                 cancellable, callback, user_data);
  keep_in_cache (task, save_saved_searches, load_saved_searches, project);
}

/**
 * ts_store_list_saved_searches_finish:
 *
 * Returns: (transfer container) (element-type TsSavedSearch)
 */
GPtrArray *
ts_store_list_saved_searches_finish (TsStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish (self, result, ts_store_list_saved_searches_async, error);
}

/* A change of a saved search: which, to say what went wrong in words that
 * fit, and to announce it. */
typedef struct
{
  char           *project;
  char           *name;       /* the one asked for */
  char           *new_name;   /* rename */
  gboolean        shared;     /* save */
  JsonNode       *filter;     /* save */
  GDestroyNotify  destroy;    /* of the answer */
} SearchChange;

static void
search_change_free (SearchChange *change)
{
  g_free (change->project);
  g_free (change->name);
  g_free (change->new_name);
  g_clear_pointer (&change->filter, json_node_unref);
  g_free (change);
}

/* The refusals of save_search(), rename_search() and delete_search() said
 * in full: what went wrong, with which search, and what to do; from the
 * refusal's facts with the project's title added, else from what was
 * asked. */
static void
describe_search_refusal (TsStore      *self,
                         GError       *error,
                         gpointer      source_tag,
                         SearchChange *change)
{
  const char *kind = ts_store_error_get_kind (error);
  JsonObject *facts = ts_store_error_get_facts (error);
  const char *title = title_of (self, change->project);
  char *message = NULL;

  if (error->domain != TS_STORE_ERROR || ts_store_error_get_sqlstate (error) == NULL)
    return;

  if (g_str_has_prefix (ts_store_error_get_sqlstate (error), "TS44"))
    {
      describe_filter_refusal (self, change->project, change->filter, error);
      return;
    }

  if (kind != NULL && facts != NULL)
    {
      const char *project = json_object_get_string_member_with_default (facts, "project", change->project);
      const char *owner = json_object_get_string_member_with_default (facts, "owner", NULL);

      json_object_set_string_member (facts, "title", title_of (self, project));
      if (owner != NULL)
        json_object_set_boolean_member (facts, "own", g_strcmp0 (owner, ts_store_get_user (self)) == 0);
      message = ts_refusal_describe (kind, facts);
    }

  if (message == NULL && g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_CONFLICT))
    {
      if (source_tag == ts_store_rename_search_async)
        message = g_strdup_printf (_("A search called “%s” already exists in %s. Choose another name."),
                                   change->new_name, title);
      else if (change->shared)
        message = g_strdup_printf (_("A shared search called “%s” already exists in %s. Choose another name."),
                                   change->name, title);
      else
        message = g_strdup_printf (_("A search called “%s” already exists in %s. Choose another name."),
                                   change->name, title);
    }
  else if (message == NULL && g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_FOUND))
    {
      if (source_tag == ts_store_save_search_async)
        message = g_strdup_printf (_("There is no project “%s” that you are a member of, so the search cannot be saved there. Ask the project’s administrator to add you."),
                                   title);
      else
        message = g_strdup_printf (_("You have no saved search called “%s” in %s: it may have been renamed or deleted meanwhile. Reload the list of saved searches."),
                                   change->name, title);
    }

  if (message != NULL)
    {
      g_free (error->message);
      error->message = message;
    }
}

static void
on_search_changed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsStore *self = TS_STORE (object);
  SearchChange *change = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer value;

  value = g_task_propagate_pointer (G_TASK (result), &error);
  if (value == NULL)
    {
      describe_search_refusal (self, error, g_task_get_source_tag (task), change);
      g_task_return_error (task, error);
      return;
    }

  /* Before the caller hears of it: a sidebar re-reads its list. */
  g_signal_emit (self, signals[SAVED_SEARCHES_CHANGED], 0, change->project);
  g_task_return_pointer (task, value, change->destroy);
}

static void
change_search (TsStore             *self,
               gpointer             source_tag,
               SearchChange        *change,
               const char          *sql,
               const char * const  *params,
               int                  n_params,
               ParseFunc            parse,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, change, (GDestroyNotify)search_change_free);
  call (self, parse, sql, params, n_params, parse, change->destroy,
        cancellable, on_search_changed, g_steal_pointer (&task));
}

void
ts_store_save_search_async (TsStore             *self,
                            const char          *project,
                            const char          *name,
                            const char          *query,
                            JsonNode            *filter,
                            gboolean             shared,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *filter_text = NULL;
  const char *params[5];
  SearchChange *change;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (filter != NULL);

  change = g_new0 (SearchChange, 1);
  change->project = g_strdup (project);
  change->name = g_strdup (name);
  change->shared = shared;
  change->filter = json_node_copy (filter);
  change->destroy = g_object_unref;

  filter_text = json_text (filter);
  params[0] = project;
  params[1] = name;
  params[2] = query != NULL ? query : "";
  params[3] = filter_text;
  params[4] = shared ? "true" : "false";
  change_search (self, ts_store_save_search_async, change,
                 "SELECT " SAVED_SEARCH_COLUMNS
                 "  FROM tasksteper.save_search ($1, $2, $3, $4::jsonb, $5::boolean)",
                 params, G_N_ELEMENTS (params), parse_one_saved_search, cancellable, callback, user_data);
}

/**
 * ts_store_save_search_finish:
 *
 * Returns: (transfer full): the search as the server now has it
 */
TsSavedSearch *
ts_store_save_search_finish (TsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, ts_store_save_search_async, error);
}

void
ts_store_rename_search_async (TsStore             *self,
                              const char          *project,
                              const char          *name,
                              const char          *new_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  const char *params[] = { project, name, new_name };
  SearchChange *change;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (new_name != NULL);

  change = g_new0 (SearchChange, 1);
  change->project = g_strdup (project);
  change->name = g_strdup (name);
  change->new_name = g_strdup (new_name);
  change->destroy = g_object_unref;
  change_search (self, ts_store_rename_search_async, change,
                 "SELECT " SAVED_SEARCH_COLUMNS " FROM tasksteper.rename_search ($1, $2, $3)",
                 params, G_N_ELEMENTS (params), parse_one_saved_search, cancellable, callback, user_data);
}

/**
 * ts_store_rename_search_finish:
 *
 * Returns: (transfer full): the search under its new name
 */
TsSavedSearch *
ts_store_rename_search_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish (self, result, ts_store_rename_search_async, error);
}

void
ts_store_delete_search_async (TsStore             *self,
                              const char          *project,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  const char *params[] = { project, name };
  SearchChange *change;

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (name != NULL);

  change = g_new0 (SearchChange, 1);
  change->project = g_strdup (project);
  change->name = g_strdup (name);
  change_search (self, ts_store_delete_search_async, change,
                 "SELECT tasksteper.delete_search ($1, $2)",
                 params, G_N_ELEMENTS (params), parse_nothing, cancellable, callback, user_data);
}

gboolean
ts_store_delete_search_finish (TsStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish (self, result, ts_store_delete_search_async, error) != NULL;
}

/* Changing: each gives the ticket's new row */

static char *
fields_to_text (JsonObject *fields)
{
  g_autoptr(JsonNode) node = NULL;

  if (fields == NULL)
    return g_strdup ("{}");

  node = json_node_init_object (json_node_alloc (), fields);
  return json_text (node);
}

void
ts_store_create_ticket_async (TsStore             *self,
                              const char          *project,
                              JsonObject          *fields,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *json = fields_to_text (fields);
  const char *params[] = { project, json };

  g_return_if_fail (TS_IS_STORE (self));

  call (self, ts_store_change_finish,
        "SELECT " TICKET_COLUMNS " FROM tasksteper.create_ticket ($1, $2::jsonb)",
        params, 2, parse_one_ticket, g_object_unref, cancellable, callback, user_data);
}

void
ts_store_save_ticket_async (TsStore             *self,
                            gint64               id,
                            int                  version,
                            JsonObject          *fields,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *json = fields_to_text (fields);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *version_text = g_strdup_printf ("%d", version);
  const char *params[] = { id_text, version_text, json };

  g_return_if_fail (TS_IS_STORE (self));

  call (self, ts_store_change_finish,
        "SELECT " TICKET_COLUMNS " FROM tasksteper.save_ticket ($1, $2, $3::jsonb)",
        params, 3, parse_one_ticket, g_object_unref, cancellable, callback, user_data);
}

void
ts_store_fire_async (TsStore             *self,
                     gint64               id,
                     int                  version,
                     const char          *trigger,
                     JsonObject          *fields,
                     const char          *comment,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autofree char *json = fields_to_text (fields);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *version_text = g_strdup_printf ("%d", version);
  const char *params[] = { id_text, version_text, trigger, json, comment };

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (trigger != NULL);

  /* Without a comment, the call a server older than version 9 knows too. */
  if (comment == NULL)
    call (self, ts_store_change_finish,
          "SELECT " TICKET_COLUMNS " FROM tasksteper.fire ($1, $2, $3, $4::jsonb)",
          params, 4, parse_one_ticket, g_object_unref, cancellable, callback, user_data);
  else
    call (self, ts_store_change_finish,
          "SELECT " TICKET_COLUMNS " FROM tasksteper.fire ($1, $2, $3, $4::jsonb, $5)",
          params, 5, parse_one_ticket, g_object_unref, cancellable, callback, user_data);
}

gboolean
ts_store_is_project_admin (TsStore    *self,
                           const char *project)
{
  g_return_val_if_fail (TS_IS_STORE (self), FALSE);
  g_return_val_if_fail (project != NULL, FALSE);

  return g_hash_table_contains (self->admin_of, project);
}

/* reassign (since server version 8): a project admin gives the ticket to
 * another member. */
void
ts_store_reassign_async (TsStore             *self,
                         gint64               id,
                         int                  version,
                         const char          *to_login,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *version_text = g_strdup_printf ("%d", version);
  const char *params[] = { id_text, version_text, to_login };

  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (to_login != NULL);

  call (self, ts_store_change_finish,
        "SELECT " TICKET_COLUMNS " FROM tasksteper.reassign ($1, $2, $3)",
        params, 3, parse_one_ticket, g_object_unref, cancellable, callback, user_data);
}

/* Linked From (since server version 8): tasksteper.linked_from. */
void
ts_store_linked_from_async (TsStore             *self,
                            gint64               id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *params[] = { id_text };

  g_return_if_fail (TS_IS_STORE (self));

  call (self, ts_store_linked_from_async,
        "SELECT " TICKET_COLUMNS " FROM tasksteper.linked_from ($1)",
        params, 1, parse_tickets, (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

/**
 * ts_store_linked_from_finish:
 *
 * Returns: (transfer full) (element-type TsTicket): the tickets linking to
 *   the ticket, by project and number
 */
GPtrArray *
ts_store_linked_from_finish (TsStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (self, result, ts_store_linked_from_async, error);
}

/**
 * ts_store_change_finish:
 *
 * Finishes create, save, fire and reassign.
 *
 * Returns: (transfer full): the ticket as the server now has it
 */
TsTicket *
ts_store_change_finish (TsStore       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return finish (self, result, ts_store_change_finish, error);
}

/* Following changes: the feed is the truth, notifications a hint.
 *
 * Every change of a ticket is a numbered row of tasksteper.changes,
 * numbered in the order of commit.  The store keeps the number it read
 * last (from changes_cursor() at the first open), and reads on from it
 * with changes_since() after every notification, after every reconnect and
 * every "poll-interval" seconds without news, emitting "ticket-changed"
 * for each row.  One read is in flight at a time; notifications that
 * arrive meanwhile make one more read when it is done, not one each; and
 * a burst of them makes one read when it starts and at most one more per
 * HINT_WINDOW_MS while it goes on.
 *
 * Behind a pooler in transaction mode (PgBouncer), LISTEN lands on one of
 * the pooler's server connections and notifications never reach us, or
 * reach someone else.  We cannot ask the pooler, so the store decides that
 * notifications cannot be relied on ("pooled") when
 *   - LISTEN fails (poolers and proxies that refuse it),
 *   - a query runs in a different backend (pg_backend_pid()) from the one
 *     that answered after LISTEN, without a reconnect in between, or
 *   - a poll finds changes that no notification announced;
 * it then polls every 2 s (or "poll-interval", if shorter) until the next
 * reconnect.  Nothing relies on session state: no SET, no named prepared
 * statements (libpq's unnamed ones are per statement). */

typedef struct
{
  gint64 seq;
  gint64 id;
  int    version;
} Change;

typedef struct
{
  GArray     *changes;   /* of Change */
  int         pid;
  GHashTable *projects;  /* the changes' projects, a set */
} FeedPage;

static void
feed_page_free (FeedPage *page)
{
  g_array_unref (page->changes);
  g_hash_table_unref (page->projects);
  g_free (page);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FeedPage, feed_page_free)

static gpointer
parse_feed_page (TsStore   *self,
                 PGresult  *result,
                 GError   **error)
{
  FeedPage *page = g_new0 (FeedPage, 1);

  page->changes = g_array_sized_new (FALSE, FALSE, sizeof (Change), PQntuples (result));
  page->pid = PQntuples (result) > 0 ? atoi (PQgetvalue (result, 0, 3)) : 0;
  page->projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int row = 0; row < PQntuples (result); row++)
    {
      Change change = {
        .seq = g_ascii_strtoll (PQgetvalue (result, row, 0), NULL, 10),
        .id = g_ascii_strtoll (PQgetvalue (result, row, 1), NULL, 10),
        .version = atoi (PQgetvalue (result, row, 2)),
      };

      g_array_append_val (page->changes, change);
      if (!g_hash_table_contains (page->projects, PQgetvalue (result, row, 4)))
        g_hash_table_add (page->projects, g_strdup (PQgetvalue (result, row, 4)));
    }

  return page;
}

/* Whether the store listens to the channels of all the projects of @page. */
static gboolean
listens_to_all (TsStore  *self,
                FeedPage *page)
{
  g_autoptr(GHashTable) heard = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer project;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, &project))
    g_hash_table_add (heard, project);

  g_hash_table_iter_init (&iter, page->projects);
  while (g_hash_table_iter_next (&iter, &project, NULL))
    if (!g_hash_table_contains (heard, project))
      return FALSE;

  return TRUE;
}

static void
set_pooled (TsStore  *self,
            gboolean  pooled)
{
  if (self->pooled == pooled)
    return;

  self->pooled = pooled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOLED]);
}

static gboolean
on_poll (gpointer user_data)
{
  TsStore *self = user_data;

  self->poll_id = 0;
  catch_up (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* The next poll, "poll-interval" (or less, when pooled) from now. */
static void
schedule_poll (TsStore *self)
{
  guint interval = self->pooled ? MIN (self->poll_interval, POOLED_POLL_INTERVAL) : self->poll_interval;

  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->has_feed && self->online)
    self->poll_id = g_timeout_add_seconds (interval, on_poll, self);
}

typedef struct
{
  gboolean polled;
  guint    n_hints;   /* notifications seen when the read was sent */
} CatchUp;

static void
on_caught_up (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TsStore *self = TS_STORE (object);
  g_autofree CatchUp *data = user_data;
  g_autoptr(FeedPage) page = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more;

  self->catching_up = FALSE;
  page = finish (self, result, parse_feed_page, &error);
  if (page == NULL)
    {
      /* Offline: the reconnect catches up.  Anything else: the next poll. */
      g_debug ("Could not read the change feed: %s", error->message);
      schedule_poll (self);
      return;
    }

  if (page->changes->len > 0 && page->pid != self->backend_pid)
    {
      g_debug ("The feed was read in backend %d, notifications are for backend %d: pooled",
               page->pid, self->backend_pid);
      set_pooled (self, TRUE);
    }
  else if (page->changes->len > 0 && self->has_channels && !self->pooled && !listens_to_all (self, page))
    {
      /* A project I was made a member of, and nothing listed the projects
       * since: its channel is not one I listen to, yet. */
      g_debug ("The feed has changes of projects whose channels are not listened to: reading the channels");
      sync_channels_async (self, FALSE, NULL, NULL, NULL);
    }
  else if (page->changes->len > 0 && data->polled && data->n_hints == 0 && self->n_hints == 0)
    {
      g_debug ("A poll found %u changes that no notification announced: polling more often",
               page->changes->len);
      set_pooled (self, TRUE);
    }
  self->n_hints = 0;

  for (guint i = 0; i < page->changes->len; i++)
    {
      const Change *change = &g_array_index (page->changes, Change, i);

      if (change->seq <= self->cursor)
        continue;
      self->cursor = change->seq;
      g_signal_emit (self, signals[TICKET_CHANGED], 0, change->id, change->version);
    }

  more = page->changes->len == FEED_PAGE || self->catch_up_again;
  self->catch_up_again = FALSE;
  if (more)
    catch_up (self, FALSE);
  else
    schedule_poll (self);
}

/* Reads the feed from the cursor on, unless a read is in flight (then
 * once more when it is done).  @polled: by the timer, not by news. */
static void
catch_up (TsStore  *self,
          gboolean  polled)
{
  g_autofree char *cursor = NULL;
  g_autofree char *limit = NULL;
  const char *params[2];
  CatchUp *data;

  if (!self->has_feed || !self->has_cursor || !self->online)
    return;

  if (self->catching_up)
    {
      self->catch_up_again = TRUE;
      return;
    }

  g_clear_handle_id (&self->poll_id, g_source_remove);
  self->catching_up = TRUE;
  cursor = g_strdup_printf ("%" G_GINT64_FORMAT, self->cursor);
  limit = g_strdup_printf ("%d", FEED_PAGE);
  params[0] = cursor;
  params[1] = limit;
  data = g_new0 (CatchUp, 1);
  data->polled = polled;
  data->n_hints = self->n_hints;
  call (self, parse_feed_page,
        "SELECT seq, ticket_id, version, pg_backend_pid (), project FROM tasksteper.changes_since ($1, $2)",
        params, 2, parse_feed_page, (GDestroyNotify)feed_page_free, NULL, on_caught_up, data);
}

static gboolean
on_hint_window_closed (gpointer user_data)
{
  TsStore *self = user_data;

  self->hint_window_id = 0;
  if (self->hint_pending)
    {
      /* The burst goes on: one catch-up for all of this window's hints,
       * and another window. */
      self->hint_pending = FALSE;
      catch_up (self, FALSE);
      self->hint_window_id = g_timeout_add (HINT_WINDOW_MS, on_hint_window_closed, self);
    }
  return G_SOURCE_REMOVE;
}

/* A notification of a change: the first of a burst reads the feed at
 * once, the others together at most once per window. */
static void
hint (TsStore *self)
{
  self->n_hints++;
  if (self->hint_window_id != 0)
    {
      self->hint_pending = TRUE;
      return;
    }

  catch_up (self, FALSE);
  self->hint_window_id = g_timeout_add (HINT_WINDOW_MS, on_hint_window_closed, self);
}

static void
on_notification (TsStore    *self,
                 const char *channel,
                 const char *payload,
                 int         pid)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  /* "tasksteper", and the channels of my projects (version 11); not one
   * UNLISTENed whose notifications were already on their way. */
  if (g_strcmp0 (channel, "tasksteper") != 0 && !g_hash_table_contains (self->channels, channel))
    return;

  node = json_from_string (payload, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_debug ("Ignoring notification “%s”", payload);
      return;
    }

  object = json_node_get_object (node);
  if (json_object_has_member (object, "reimport"))
    {
      /* Also when memberships changed (version 11): the next listing of
       * the projects reads the channels too. */
      self->channels_stale = TRUE;
      g_signal_emit (self, signals[PROJECT_CHANGED], 0, NULL, 0);
    }
  else if (json_object_has_member (object, "saved_searches"))
    g_signal_emit (self, signals[SAVED_SEARCHES_CHANGED], 0, NULL);
  else if (json_object_has_member (object, "comment"))
    g_signal_emit (self, signals[COMMENTS_CHANGED], 0,
                   json_object_get_int_member_with_default (object, "ticket", 0));
  else if (json_object_has_member (object, "id") && self->has_feed)
    {
      /* Only a hint: what changed, and whether we may see it, is the
       * feed's to say. */
      hint (self);
    }
  else if (json_object_has_member (object, "id"))
    g_signal_emit (self, signals[TICKET_CHANGED], 0,
                   json_object_get_int_member_with_default (object, "id", 0),
                   (int)json_object_get_int_member_with_default (object, "version", 0));
}

/* Staying online */

static void schedule_reconnect (TsStore *self);

static void
on_reopened (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TsStore) self = user_data;
  g_autoptr(GError) error = NULL;

  self->reconnecting = FALSE;

  if (!ts_store_open_finish (self, result, &error))
    {
      /* A password that no longer works will not start working: stop and
       * stay offline; the window says so. */
      if (g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_BAD_PASSWORD) ||
          g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_NEEDS_PASSWORD))
        {
          g_debug ("Not reconnecting: %s", error->message);
          return;
        }

      g_debug ("Reconnecting failed, trying again in %u s: %s", self->backoff, error->message);
      schedule_reconnect (self);
      return;
    }

  self->backoff = 0;
  g_clear_pointer (&self->data_time, g_date_time_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_TIME]);

  /* Notifications sent while away are lost: listeners re-read and compare
   * versions, and the feed delivers what changed meanwhile. */
  g_signal_emit (self, signals[RECONNECTED], 0);
  catch_up (self, FALSE);
}

static gboolean
reconnect_now (gpointer user_data)
{
  TsStore *self = user_data;

  self->reconnect_id = 0;
  if (self->reconnecting || ts_connection_get_state (self->connection) == TS_CONNECTION_READY)
    return G_SOURCE_REMOVE;

  self->reconnecting = TRUE;
  ts_store_open_async (self, NULL, on_reopened, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (TsStore *self)
{
  if (self->reconnect_id != 0 || self->reconnecting)
    return;

  self->backoff = self->backoff == 0 ? 1 : MIN (self->backoff * 2, MAX_BACKOFF_SECONDS);
  self->reconnect_id = g_timeout_add_seconds (self->backoff, reconnect_now, self);
}

void
ts_store_reconnect (TsStore *self)
{
  g_return_if_fail (TS_IS_STORE (self));

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->backoff = 0;
  reconnect_now (self);
}

static void
on_connection_state (TsStore      *self,
                     GParamSpec   *pspec,
                     TsConnection *connection)
{
  TsConnectionState state = ts_connection_get_state (connection);
  gboolean online = state == TS_CONNECTION_READY;

  if (online != self->online)
    {
      self->online = online;
      /* What was read of the offline copy is saved anew from now on. */
      g_hash_table_remove_all (self->offline_copies);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
    }

  if (state == TS_CONNECTION_LOST)
    {
      g_clear_handle_id (&self->poll_id, g_source_remove);
      schedule_reconnect (self);
    }
}

void
ts_store_set_cache (TsStore *self,
                    TsCache *cache)
{
  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (cache == NULL || TS_IS_CACHE (cache));

  g_set_object (&self->cache, cache);
  g_hash_table_remove_all (self->offline_copies);
}

TsCache *
ts_store_get_cache (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), NULL);
  return self->cache;
}

gboolean
ts_store_get_online (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), FALSE);
  return self->online;
}

GDateTime *
ts_store_get_data_time (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), NULL);
  return self->data_time;
}

void
ts_store_remember_ticket (TsStore   *self,
                          TsTicket  *ticket,
                          GPtrArray *history)
{
  g_return_if_fail (TS_IS_STORE (self));

  if (self->cache != NULL && self->online)
    ts_cache_save_ticket (self->cache, ticket, history);
}

/* The object */

static void
ts_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  TsStore *self = TS_STORE (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;

    case PROP_DATA_TIME:
      g_value_set_boxed (value, self->data_time);
      break;

    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval);
      break;

    case PROP_POOLED:
      g_value_set_boolean (value, self->pooled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  TsStore *self = TS_STORE (object);

  switch (prop_id)
    {
    case PROP_POLL_INTERVAL:
      ts_store_set_poll_interval (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_store_dispose (GObject *object)
{
  TsStore *self = (TsStore *)object;

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->hint_window_id, g_source_remove);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  /* Empty: each call in them holds a reference on the store. */
  g_clear_pointer (&self->syncs_running, g_ptr_array_unref);
  g_clear_pointer (&self->syncs_waiting, g_ptr_array_unref);
  g_clear_object (&self->cache);
  g_clear_pointer (&self->data_time, g_date_time_unref);
  g_clear_pointer (&self->projects, g_hash_table_unref);
  g_clear_pointer (&self->admin_of, g_hash_table_unref);
  g_clear_pointer (&self->offline_copies, g_hash_table_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ts_store_parent_class)->dispose (object);
}

static void
ts_store_class_init (TsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_store_dispose;
  object_class->get_property = ts_store_get_property;
  object_class->set_property = ts_store_set_property;

  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATA_TIME] =
    g_param_spec_boxed ("data-time", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TsStore:poll-interval:
   *
   * The longest time, in seconds, between two reads of the change feed
   * when no notification comes; 2 s at most while #TsStore:pooled.
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 1, 24 * 60 * 60, DEFAULT_POLL_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TsStore:pooled:
   *
   * Notifications cannot be relied on (LISTEN failed, or the connection
   * goes through a pooler in transaction mode), so the store polls the
   * change feed often.  Found out, not configured; reset at a reconnect.
   */
  properties[PROP_POOLED] =
    g_param_spec_boolean ("pooled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TsStore::reconnected:
   *
   * The connection is back after being lost.  What changed meanwhile was
   * not announced: re-read what is shown.
   */
  signals[RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TsStore::ticket-changed:
   * @id: the ticket
   * @version: its new version
   *
   * A ticket was created or changed, by anyone; it may not be one I can
   * see.  Emitted after the change was committed.
   */
  signals[TICKET_CHANGED] =
    g_signal_new ("ticket-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);

  /**
   * TsStore::saved-searches-changed:
   * @project: (nullable): the project whose saved searches changed, or
   *   NULL when the server does not say which
   *
   * This store saved, renamed or deleted a saved search (with @project,
   * emitted before the call finishes), or someone did (announced by the
   * server, with @project NULL; only a hint: behind a pooler it may never
   * come).  List them again.
   */
  signals[SAVED_SEARCHES_CHANGED] =
    g_signal_new ("saved-searches-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * TsStore::comments-changed:
   * @ticket_id: the ticket someone commented on
   *
   * Someone (this store included) added a comment to a ticket, which may
   * not be one I can see; the ticket's version did not change.  Announced
   * by the server, so only a hint: behind a pooler it may never come (a
   * fire with a comment also changes the ticket: "ticket-changed" says
   * so).  List the ticket's comments again.
   */
  signals[COMMENTS_CHANGED] =
    g_signal_new ("comments-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * TsStore::project-changed:
   * @name: (nullable): the project, or NULL when the server does not say
   *   which (it never does: anyone may listen)
   * @revision: its new revision, or 0 when unknown
   *
   * A project was re-imported: definitions and tickets may all differ.
   */
  signals[PROJECT_CHANGED] =
    g_signal_new ("project-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
}

static void
ts_store_init (TsStore *self)
{
  self->poll_interval = DEFAULT_POLL_INTERVAL;
  self->projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->admin_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->offline_copies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify)offline_copy_free);
  self->has_channels = TRUE;  /* until my_channels() is found missing */
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->syncs_running = g_ptr_array_new ();
  self->syncs_waiting = g_ptr_array_new ();
}

void
ts_store_set_poll_interval (TsStore *self,
                            guint    seconds)
{
  g_return_if_fail (TS_IS_STORE (self));
  g_return_if_fail (seconds >= 1);

  if (self->poll_interval == seconds)
    return;

  self->poll_interval = seconds;
  if (self->poll_id != 0)
    schedule_poll (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLL_INTERVAL]);
}

guint
ts_store_get_poll_interval (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), 0);
  return self->poll_interval;
}

gboolean
ts_store_get_pooled (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), FALSE);
  return self->pooled;
}

TsStore *
ts_store_new (TsConnection *connection)
{
  TsStore *self;

  g_return_val_if_fail (TS_IS_CONNECTION (connection), NULL);

  self = g_object_new (TS_TYPE_STORE, NULL);
  self->connection = g_object_ref (connection);
  g_signal_connect_object (connection, "notification", G_CALLBACK (on_notification),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (connection, "notify::state", G_CALLBACK (on_connection_state),
                           self, G_CONNECT_SWAPPED);
  self->online = ts_connection_get_state (connection) == TS_CONNECTION_READY;

  return self;
}

TsConnection *
ts_store_get_connection (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), NULL);
  return self->connection;
}

const char *
ts_store_get_user (TsStore *self)
{
  g_return_val_if_fail (TS_IS_STORE (self), NULL);
  return ts_connection_get_user (self->connection);
}
