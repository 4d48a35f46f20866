/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-migrations"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "ts-migrations.h"
#include "ts-pq-private.h"
#include "ts-sql-resources.h"

/* The migrations are the files data/sql/NNNN-name.sql, embedded as the
 * resources below.  Each one brings the server side from version NNNN - 1
 * to NNNN and records itself with `INSERT INTO tasksteper.migrations`; we
 * run each in a transaction of its own, so a failed one leaves nothing
 * behind and the next `init` starts again where the last one stopped. */

#define MIGRATIONS_PATH "/io/github/tasksteper/sql/"

/* PostgreSQL 13 is the oldest release we test and rely on. */
#define OLDEST_SERVER_VERSION 130000

/* The key of the advisory lock that serialises two inits run at once on
 * the same database (two admins, or a test suite and a demo): "TSTP". */
#define MIGRATIONS_LOCK_KEY 0x54535450

G_DEFINE_QUARK (ts-migrations-error-quark, ts_migrations_error)

typedef struct
{
  int   version;
  char *name;  /* "0001-initial.sql" */
} Migration;

static void
migration_free (Migration *migration)
{
  g_free (migration->name);
  g_free (migration);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Migration, migration_free)

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  const Migration *ma = *(const Migration * const *)a;
  const Migration *mb = *(const Migration * const *)b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

/* "0001-initial.sql" → 1; -1 for a name that is not a migration's. */
static int
parse_version (const char *name)
{
  const char *p = name;
  gint64 version = 0;

  while (g_ascii_isdigit (*p))
    {
      version = version * 10 + (*p - '0');
      if (version > G_MAXINT)
        return -1;
      p++;
    }

  if (p == name || *p != '-' || !g_str_has_suffix (name, ".sql"))
    return -1;

  return (int)version;
}

/* The embedded migrations, in the order they run. */
static GPtrArray *
list_migrations (void)
{
  g_autoptr(GPtrArray) migrations = g_ptr_array_new_with_free_func ((GDestroyNotify)migration_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  /* Asking our own GResource (rather than the global set) also makes the
   * linker keep it: it comes from a static library. */
  names = g_resource_enumerate_children (ts_sql_get_resource (), MIGRATIONS_PATH,
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (names == NULL)
    g_error ("The embedded SQL migrations are missing: %s", error->message);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(Migration) migration = NULL;
      int version = parse_version (names[i]);

      if (version <= 0)
        continue;

      migration = g_new0 (Migration, 1);
      migration->version = version;
      migration->name = g_strdup (names[i]);
      g_ptr_array_add (migrations, g_steal_pointer (&migration));
    }

  g_ptr_array_sort (migrations, compare_migrations);

  /* Two files with one number would make the order a matter of chance. */
  for (guint i = 1; i < migrations->len; i++)
    {
      const Migration *previous = g_ptr_array_index (migrations, i - 1);
      const Migration *migration = g_ptr_array_index (migrations, i);

      if (previous->version == migration->version)
        g_error ("Two SQL migrations have the number %d: %s and %s",
                 migration->version, previous->name, migration->name);
    }

  return g_steal_pointer (&migrations);
}

int
ts_migrations_get_latest (void)
{
  g_autoptr(GPtrArray) migrations = list_migrations ();
  const Migration *last;

  if (migrations->len == 0)
    return 0;

  last = g_ptr_array_index (migrations, migrations->len - 1);
  return last->version;
}

/* The server's error in @result (or the connection's, when there is no
 * result) as one text: the message, then its detail, hint and context on
 * lines of their own. */
static char *
dup_result_error (PGconn         *conn,
                  const PGresult *result)
{
  const char *primary = NULL;
  const char *detail = NULL;
  const char *hint = NULL;
  const char *context = NULL;
  GString *str = g_string_new (NULL);

  if (result != NULL)
    {
      primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
      detail = PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL);
      hint = PQresultErrorField (result, PG_DIAG_MESSAGE_HINT);
      /* Where in a DO block or function body it happened. */
      context = PQresultErrorField (result, PG_DIAG_CONTEXT);
    }

  if (primary != NULL)
    g_string_append (str, primary);
  else if (result != NULL && *PQresultErrorMessage (result) != '\0')
    g_string_append (str, PQresultErrorMessage (result));
  else
    g_string_append (str, PQerrorMessage (conn));

  /* libpq's own messages end with a new line. */
  while (str->len > 0 && g_ascii_isspace (str->str[str->len - 1]))
    g_string_truncate (str, str->len - 1);

  if (detail != NULL)
    g_string_append_printf (str, "\n%s %s", _("Detail:"), detail);
  if (hint != NULL)
    g_string_append_printf (str, "\n%s %s", _("Hint:"), hint);
  if (context != NULL)
    g_string_append_printf (str, "\n%s %s", _("Context:"), context);

  return g_string_free (str, FALSE);
}

/* Runs @sql, which returns no rows; FALSE with @error set on failure. */
static gboolean
exec_command (PGconn      *conn,
              const char  *sql,
              GError     **error)
{
  g_autoptr(PGresult) result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      g_autofree char *message = dup_result_error (conn, result);

      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                   _("“%s” failed: %s"), sql, message);
      return FALSE;
    }

  return TRUE;
}

/* Runs @sql, which returns one row of one value, and gives that value
 * (NULL for SQL NULL, with @error unset). */
static char *
query_value (PGconn      *conn,
             const char  *sql,
             GError     **error)
{
  g_autoptr(PGresult) result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1 || PQnfields (result) != 1)
    {
      g_autofree char *message = dup_result_error (conn, result);

      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                   _("Cannot read the TaskSteper version of database %s: %s"),
                   PQdb (conn), message);
      return NULL;
    }

  if (PQgetisnull (result, 0, 0))
    return NULL;

  return g_strdup (PQgetvalue (result, 0, 0));
}

int
ts_migrations_get_current (PGconn  *conn,
                           GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *installed = NULL;
  g_autofree char *version = NULL;

  g_return_val_if_fail (conn != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  /* Asked of the catalogue rather than with to_regclass(), which fails
   * with "permission denied" instead of answering when the schema exists
   * but the role may not use it. */
  installed = query_value (conn,
                           "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
                           " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE n.nspname = 'tasksteper' AND c.relname = 'migrations')",
                           &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }

  if (g_strcmp0 (installed, "t") != 0)
    return 0;

  version = query_value (conn, "SELECT pg_catalog.max(version) FROM tasksteper.migrations", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }

  /* An empty table: an installation that never finished its first step. */
  if (version == NULL)
    return 0;

  return atoi (version);
}

static gboolean
check_superuser (PGconn  *conn,
                 GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *superuser = NULL;

  superuser = query_value (conn,
                           "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user",
                           &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (g_strcmp0 (superuser, "t") != 0)
    {
      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_NOT_SUPERUSER,
                   _("Installing or upgrading TaskSteper in database %s needs a superuser, "
                     "and %s is not one: connect as a superuser (such as postgres) instead"),
                   PQdb (conn), PQuser (conn));
      return FALSE;
    }

  return TRUE;
}

/* What the server must be for the migrations to apply: new enough, a UTF-8
 * database (tickets are Chinese text), and us a superuser (the migrations
 * create roles and give objects away to tasksteper_owner). */
static gboolean
check_server (PGconn  *conn,
              GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *encoding = NULL;
  int server_version = PQserverVersion (conn);

  if (server_version < OLDEST_SERVER_VERSION)
    {
      const char *display = PQparameterStatus (conn, "server_version");

      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_SERVER_TOO_OLD,
                   _("The server runs PostgreSQL %s; TaskSteper needs PostgreSQL 13 or newer"),
                   display != NULL ? display : "?");
      return FALSE;
    }

  encoding = query_value (conn,
                          "SELECT pg_catalog.pg_encoding_to_char(encoding) FROM pg_catalog.pg_database"
                          " WHERE datname = current_database()",
                          &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (g_strcmp0 (encoding, "UTF8") != 0)
    {
      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_NOT_UTF8,
                   _("Database %s has the encoding %s, but TaskSteper needs UTF8: create "
                     "the database with “CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0” "
                     "and run init there"),
                   PQdb (conn), encoding != NULL ? encoding : "?");
      return FALSE;
    }

  return check_superuser (conn, error);
}

/* The line of @text that the 1-based character @position of a server error
 * falls on, or 0.  The server gives a position for syntax errors only. */
static guint
line_of_position (const char *text,
                  const char *position)
{
  const char *end = text + strlen (text);
  const char *p = text;
  guint line = 1;
  gint64 n;

  if (position == NULL)
    return 0;

  n = g_ascii_strtoll (position, NULL, 10);
  if (n <= 0)
    return 0;

  /* The position counts characters, not bytes. */
  for (gint64 i = 1; i < n && p < end; i++)
    {
      if (*p == '\n')
        line++;
      p = g_utf8_next_char (p);
    }

  return p < end ? line : 0;
}

/* Applies @migration in a transaction of its own.  @before receives the
 * version found once no other init could change it any more; when that is
 * already @migration's, another init applied it meanwhile and nothing is
 * done. */
static gboolean
run_migration (PGconn           *conn,
               const Migration  *migration,
               int              *before,
               GError          **error)
{
  g_autofree char *path = g_strconcat (MIGRATIONS_PATH, migration->name, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *text = NULL;
  int version;

  bytes = g_resource_lookup_data (ts_sql_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                  &local_error);
  if (bytes == NULL)
    g_error ("The embedded SQL migration %s cannot be read: %s", path, local_error->message);

  /* Resources end in a NUL byte of their own; the copy makes that plain. */
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (!exec_command (conn, "BEGIN", error))
    return FALSE;

  /* Notices ("relation … does not exist, skipping") are no news to an
   * admin; warnings still are. */
  if (!exec_command (conn, "SET LOCAL client_min_messages = warning", error))
    goto rollback;

  /* Another init may have applied this one while we were waiting. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT pg_catalog.pg_advisory_xact_lock(%d)",
                                            MIGRATIONS_LOCK_KEY);

    if (!exec_command (conn, sql, error))
      goto rollback;
  }

  version = ts_migrations_get_current (conn, error);
  if (version < 0)
    goto rollback;
  *before = version;
  if (version >= migration->version)
    {
      g_autoptr(PGresult) rollback = PQexec (conn, "ROLLBACK");

      g_debug ("Migration %s was applied meanwhile", migration->name);
      return TRUE;
    }

  /* The whole file in one simple query: PostgreSQL runs its statements in
   * order and stops at the first error. */
  g_debug ("Applying %s", migration->name);
  result = PQexec (conn, text);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      g_autofree char *message = dup_result_error (conn, result);
      guint line = 0;

      if (result != NULL)
        line = line_of_position (text, PQresultErrorField (result, PG_DIAG_STATEMENT_POSITION));

      if (line > 0)
        g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                     _("The migration %s:%u failed, so nothing of it was applied: %s"),
                     migration->name, line, message);
      else
        g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                     _("The migration %s failed, so nothing of it was applied: %s"),
                     migration->name, message);
      goto rollback;
    }

  /* A migration that forgets its row would run again at every init. */
  version = ts_migrations_get_current (conn, error);
  if (version < 0)
    goto rollback;
  if (version != migration->version)
    {
      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                   _("The migration %s left the version at %d instead of %d, so it was not "
                     "applied; it must end with “INSERT INTO tasksteper.migrations (version) "
                     "VALUES (%d)”"),
                   migration->name, version, migration->version, migration->version);
      goto rollback;
    }

  if (!exec_command (conn, "COMMIT", &local_error))
    {
      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                   _("The migration %s could not be committed, so nothing of it was applied: %s"),
                   migration->name, local_error->message);
      goto rollback;
    }

  return TRUE;

rollback:
  /* After an error the transaction is aborted; ROLLBACK only ends it (and
   * after a failed COMMIT there is nothing left to end). */
  {
    g_autoptr(PGresult) rollback = PQexec (conn, "ROLLBACK");
  }
  return FALSE;
}

static void
unlock_migrations (PGconn *conn)
{
  g_autofree char *sql = g_strdup_printf ("SELECT pg_catalog.pg_advisory_unlock(%d)", MIGRATIONS_LOCK_KEY);
  g_autoptr(GError) error = NULL;

  /* Ending the session would release it too; say why it is still held. */
  if (!exec_command (conn, sql, &error))
    g_debug ("%s", error->message);
}

gboolean
ts_migrations_apply (PGconn  *conn,
                     int     *from,
                     int     *to,
                     GError **error)
{
  g_autoptr(GPtrArray) migrations = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean applied_any = FALSE;
  int latest;
  int current;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (from != NULL)
    *from = -1;
  if (to != NULL)
    *to = -1;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = dup_result_error (conn, NULL);

      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                   _("Not connected to the server: %s"), message);
      return FALSE;
    }

  /* The migrations are UTF-8 text (Chinese labels and messages); the
   * server must read them as such whatever the client's locale. */
  if (PQsetClientEncoding (conn, "UTF8") != 0)
    {
      g_autofree char *message = dup_result_error (conn, NULL);

      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_FAILED,
                   _("Cannot use UTF-8 with the server: %s"), message);
      return FALSE;
    }

  migrations = list_migrations ();
  latest = ts_migrations_get_latest ();

  current = ts_migrations_get_current (conn, &local_error);
  if (current < 0)
    {
      g_autoptr(GError) superuser_error = NULL;

      /* A role that may not even read the version cannot install either;
       * say that rather than "permission denied for schema tasksteper". */
      if (!check_superuser (conn, &superuser_error)
          && g_error_matches (superuser_error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_NOT_SUPERUSER))
        g_propagate_error (error, g_steal_pointer (&superuser_error));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (from != NULL)
    *from = current;

  if (current > latest)
    {
      g_set_error (error, TS_MIGRATIONS_ERROR, TS_MIGRATIONS_ERROR_NEWER_SERVER,
                   _("Database %s has version %d of the TaskSteper server side, newer than "
                     "the version %d this program knows: use a newer TaskSteper"),
                   PQdb (conn), current, latest);
      return FALSE;
    }

  if (current == latest)
    {
      if (to != NULL)
        *to = current;
      return TRUE;
    }

  if (!check_server (conn, error))
    return FALSE;

  /* One init at a time runs all its migrations: with the lock of each
   * migration only, another init could take its turn between two of ours
   * and report an upgrade from a version we had just installed.  The
   * lock is the session's (each migration still takes it for its own
   * transaction too, which is no wait in the same session). */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT pg_catalog.pg_advisory_lock(%d)", MIGRATIONS_LOCK_KEY);

    if (!exec_command (conn, sql, error))
      return FALSE;
  }

  for (guint i = 0; i < migrations->len; i++)
    {
      const Migration *migration = g_ptr_array_index (migrations, i);
      int before = 0;

      if (migration->version <= current)
        continue;

      if (!run_migration (conn, migration, &before, error))
        {
          unlock_migrations (conn);
          return FALSE;
        }

      /* What an init that ran at the same time did is not ours to report:
       * "from" is the version we found when we got our turn. */
      if (before >= migration->version)
        current = before;
      else if (!applied_any)
        {
          applied_any = TRUE;
          if (from != NULL)
            *from = before;
        }
    }

  unlock_migrations (conn);

  if (!applied_any && from != NULL)
    *from = latest;
  if (to != NULL)
    *to = latest;

  return TRUE;
}
