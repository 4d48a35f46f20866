/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commands of tasksteper-admin that talk to the database: init, import,
 * user, member and project.
 *
 * They connect the way psql does (-d CONNINFO, else the PG* environment and
 * libpq's defaults, ~/.pgpass and service files included) and use libpq's
 * blocking calls: this is a command-line tool, there is no main loop to
 * keep responsive.  Every value goes to the server as a parameter; the
 * exceptions are CREATE, ALTER and DROP ROLE, which take none, see
 * escape_password() and exec_role_ddl(). */
#define G_LOG_DOMAIN "tasksteper-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ts-admin.h"
#include "ts-migrations.h"
#include "ts-pq-private.h"

/* SQLSTATEs we tell apart. */
#define SQLSTATE_INSUFFICIENT_PRIVILEGE "42501"
#define SQLSTATE_INVALID_SCHEMA_NAME    "3F000"
#define SQLSTATE_UNDEFINED_FUNCTION     "42883"
#define SQLSTATE_UNDEFINED_TABLE        "42P01"
#define SQLSTATE_DUPLICATE_OBJECT       "42710"

/* Longer passwords are refused rather than cut. */
#define MAX_PASSWORD_LENGTH 1023

#define DBNAME_ENTRY(conninfo)                                                     \
  { "dbname", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, (conninfo),            \
    N_("The database to connect to: a name, a connection string or a URI, "        \
       "as psql -d takes"), N_("CONNINFO") }

/* The end of every database command's --help. */
static char *
dup_description (const char *about)
{
  return g_strconcat (about, "\n\n",
                      _("Connecting works as with psql: -d takes a database name, a connection\n"
                        "string (\"host=db.example.com dbname=tasksteper user=admin\") or a URI\n"
                        "(postgresql://admin@db.example.com/tasksteper); what it leaves out comes\n"
                        "from the PG* environment variables (PGHOST, PGDATABASE, PGUSER, …) and\n"
                        "libpq’s defaults.  Passwords come from ~/.pgpass, or are asked for when\n"
                        "standard input is a terminal."),
                      "\n\n",
                      _("Exit status: 0 when all went well, 1 when it could not be done (nothing\n"
                        "is then changed), 2 when the command line is wrong."),
                      NULL);
}

/* Messages */

static void print_failure (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);

static void
print_failure (const char *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", g_get_prgname (), message);
}

static void print_warning (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);

static void
print_warning (const char *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: the prefix of a warning, after the program's name. */
  g_printerr ("%s: %s %s\n", g_get_prgname (), _("warning:"), message);
}

/* libpq's messages end with a new line and may hold several lines. */
static char *
dup_trimmed (const char *message)
{
  return g_strstrip (g_strdup (message != NULL ? message : ""));
}

static gboolean
sqlstate_is (const PGresult *result,
             const char     *sqlstate)
{
  return result != NULL && g_strcmp0 (PQresultErrorField (result, PG_DIAG_SQLSTATE), sqlstate) == 0;
}

static void
print_not_installed (PGconn *conn)
{
  print_failure (_("TaskSteper is not installed in database %s: run “%s init” first"),
                 PQdb (conn), g_get_prgname ());
}

/* Reports the server's refusal in @result (or the connection's trouble
 * when there is none), after @what ("cannot import FILE"), and returns
 * STATUS_FAILED. */
static int fail_result (PGconn         *conn,
                        const PGresult *result,
                        const char     *format,
                        ...) G_GNUC_PRINTF (3, 4);

static int
fail_result (PGconn         *conn,
             const PGresult *result,
             const char     *format,
             ...)
{
  g_autofree char *what = NULL;
  g_autofree char *message = NULL;
  const char *detail = NULL;
  const char *hint = NULL;
  va_list args;

  /* The schema, a table or a function of ours is missing. */
  if (sqlstate_is (result, SQLSTATE_INVALID_SCHEMA_NAME)
      || sqlstate_is (result, SQLSTATE_UNDEFINED_FUNCTION)
      || sqlstate_is (result, SQLSTATE_UNDEFINED_TABLE))
    {
      print_not_installed (conn);
      return STATUS_FAILED;
    }

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (result != NULL && PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) != NULL)
    {
      message = g_strdup (PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY));
      detail = PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL);
      hint = PQresultErrorField (result, PG_DIAG_MESSAGE_HINT);
    }
  else if (result != NULL && *PQresultErrorMessage (result) != '\0')
    message = dup_trimmed (PQresultErrorMessage (result));
  else
    message = dup_trimmed (PQerrorMessage (conn));

  print_failure ("%s: %s", what, message);
  if (detail != NULL)
    g_printerr ("%s %s\n", _("Detail:"), detail);
  if (hint != NULL)
    g_printerr ("%s %s\n", _("Hint:"), hint);
  else if (sqlstate_is (result, SQLSTATE_INSUFFICIENT_PRIVILEGE))
    g_printerr ("%s %s\n", _("Hint:"),
                _("Connect as a superuser, or as a TaskSteper admin (tasksteper-admin user add "
                  "NAME --admin), e.g. with -d \"user=NAME\"."));

  return STATUS_FAILED;
}

static gboolean
result_ok (const PGresult *result)
{
  ExecStatusType status = PQresultStatus (result);

  return result != NULL && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK);
}

/* Runs @sql with text parameters. */
static PGresult *
exec_params (PGconn             *conn,
             const char         *sql,
             int                 n_params,
             const char * const *params)
{
  return PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
}

static gboolean
exec_simple (PGconn     *conn,
             const char *sql,
             const char *what)
{
  g_autoptr(PGresult) result = PQexec (conn, sql);

  if (!result_ok (result))
    {
      fail_result (conn, result, "%s", what);
      return FALSE;
    }

  return TRUE;
}

static void
rollback (PGconn *conn)
{
  g_autoptr(PGresult) result = PQexec (conn, "ROLLBACK");
}

/* Secrets: passwords are wiped from memory as soon as they are used. */

static void
secure_zero (void  *memory,
             gsize  size)
{
  /* volatile, so the compiler cannot drop the stores as dead. */
  volatile guchar *p = memory;

  while (size-- > 0)
    *p++ = 0;
}

typedef char *Secret;

static void
secret_free (char *secret)
{
  if (secret == NULL)
    return;

  secure_zero (secret, strlen (secret));
  g_free (secret);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (Secret, secret_free, NULL)

/* Reads one line from the terminal on standard input without showing it.
 * NULL at the end of input or when the line is too long. */
static char *
read_secret (const char *prompt)
{
  struct termios saved;
  struct termios quiet;
  gboolean echo_off = FALSE;
  char *buffer = g_malloc0 (MAX_PASSWORD_LENGTH + 2);
  char *line;
  gsize length;

  /* Echo goes off before the prompt appears: TCSAFLUSH drops what was
   * typed ahead, and nothing typed after the prompt may be lost. */
  if (tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      quiet.c_lflag |= ECHONL;
      echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }

  g_printerr ("%s", prompt);
  fflush (stderr);

  line = fgets (buffer, MAX_PASSWORD_LENGTH + 2, stdin);

  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  else
    g_printerr ("\n");

  if (line == NULL)
    {
      secret_free (buffer);
      return NULL;
    }

  length = strlen (buffer);
  if (length > 0 && buffer[length - 1] == '\n')
    buffer[--length] = '\0';
  else if (length > MAX_PASSWORD_LENGTH)
    {
      /* Swallow the rest of the line, so it does not reach the shell. */
      int c;

      while ((c = getchar ()) != EOF && c != '\n')
        ;
      secret_free (buffer);
      return NULL;
    }

  return buffer;
}

/* Connecting */

static PGconn *
connect_with (const char *conninfo,
              const char *password)
{
  const char *keywords[] = { "dbname", "fallback_application_name", "password", NULL };
  const char *values[] = { conninfo, "tasksteper-admin", password, NULL };

  /* expand_dbname: -d may be a whole connection string or URI, as in
   * psql; later keywords (the password) still win over it.  A NULL value
   * means "not given": the environment and defaults apply. */
  return PQconnectdbParams (keywords, values, TRUE);
}

/* The versions of the server side the commands need (data/sql/). */
enum
{
  VERSION_ANY = 0,     /* init: none yet is fine */
  VERSION_INITIAL = 1,
  VERSION_PEOPLE = 2,  /* display names: 0002-people.sql */
  VERSION_CHANGES = 4, /* the change feed: 0004-changes.sql */
  VERSION_ADMINS = 8,  /* project admins, reassigning: 0008-people.sql */
};

/* Connects, asking for a password on a terminal when the server wants one
 * and neither the connection string nor ~/.pgpass had it.  Reports why
 * when it cannot, and returns NULL.  @min_version: the version of the
 * TaskSteper server side the command needs (VERSION_ANY for init). */
static PGconn *
open_database (const char *conninfo,
               int         min_version)
{
  g_autoptr(PGconn) conn = connect_with (conninfo, NULL);
  g_autoptr(GError) error = NULL;
  int version;

  if (conn == NULL)
    {
      print_failure (_("cannot connect to the server: out of memory"));
      return NULL;
    }

  if (PQstatus (conn) != CONNECTION_OK && PQconnectionNeedsPassword (conn)
      && isatty (STDIN_FILENO))
    {
      g_autofree char *prompt = g_strdup_printf (_("Password for user %s: "), PQuser (conn));
      g_auto(Secret) password = read_secret (prompt);

      if (password != NULL)
        {
          g_clear_pointer (&conn, PQfinish);
          conn = connect_with (conninfo, password);
          if (conn == NULL)
            {
              print_failure (_("cannot connect to the server: out of memory"));
              return NULL;
            }
        }
    }

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = dup_trimmed (PQerrorMessage (conn));

      print_failure (_("cannot connect to the server: %s"), message);
      return NULL;
    }

  /* Schema files, names and titles are UTF-8, and g_print() expects UTF-8,
   * whatever PGCLIENTENCODING says. */
  if (PQsetClientEncoding (conn, "UTF8") != 0)
    {
      g_autofree char *message = dup_trimmed (PQerrorMessage (conn));

      print_failure (_("cannot use UTF-8 with the server: %s"), message);
      return NULL;
    }

  /* The commands often run as a superuser, so nothing they run may resolve
   * to an object someone else could create: in a database where users may
   * create in public (the default before PostgreSQL 15, kept by upgrades),
   * an operator or function there that matches a call better than the
   * built-in one would run with the superuser's rights.  Only pg_catalog
   * is searched (and pg_temp, our own, last); every query names its
   * schemas too. */
  {
    g_autoptr(PGresult) result = PQexec (conn, "SET search_path = pg_catalog, pg_temp");

    if (PQresultStatus (result) != PGRES_COMMAND_OK)
      {
        g_autofree char *message = dup_trimmed (PQresultErrorMessage (result));

        print_failure (_("cannot set a safe search path on the server: %s"), message);
        return NULL;
      }
  }

  if (min_version == VERSION_ANY)
    return g_steal_pointer (&conn);

  version = ts_migrations_get_current (conn, &error);
  if (version < 0)
    {
      print_failure ("%s", error->message);
      g_printerr ("%s %s\n", _("Hint:"),
                  _("Connect as a superuser, or as a TaskSteper admin (tasksteper-admin user add "
                    "NAME --admin), e.g. with -d \"user=NAME\"."));
      return NULL;
    }

  if (version == 0)
    {
      print_not_installed (conn);
      return NULL;
    }

  if (version < min_version)
    {
      print_failure (_("the TaskSteper server side in database %s is at version %d, and this "
                       "needs version %d: upgrade it with “%s init” as a superuser"),
                     PQdb (conn), version, min_version, g_get_prgname ());
      return NULL;
    }

  return g_steal_pointer (&conn);
}

/* Tables */

/* The columns a string takes on a terminal: CJK characters take two. */
glong
ts_admin_display_width (const char *text)
{
  glong width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }

  return width;
}

/* Writes @rows (arrays of @n_columns strings, the first the header) in
 * aligned columns; numbers (@numeric[i]) are aligned right. */
static void
print_table (GPtrArray      *rows,
             guint           n_columns,
             const gboolean *numeric)
{
  g_autofree glong *widths = g_new0 (glong, n_columns);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], ts_admin_display_width (row[c]));
    }

  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      g_string_truncate (line, 0);
      for (guint c = 0; c < n_columns; c++)
        {
          glong pad = widths[c] - ts_admin_display_width (row[c]);

          if (c > 0)
            g_string_append (line, "  ");
          if (numeric[c])
            for (glong i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
          g_string_append (line, row[c]);
          if (!numeric[c])
            for (glong i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
        }

      /* No spaces at the end of a line (an empty last column). */
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);

      g_print ("%s\n", line->str);
    }
}

/* A table for print_table() with only its header row yet. */
static GPtrArray *
table_new (const char * const *header,
           guint               n_columns)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  char **row = g_new0 (char *, n_columns + 1);

  for (guint c = 0; c < n_columns; c++)
    row[c] = g_strdup (header[c]);
  g_ptr_array_add (rows, row);

  return rows;
}

/* Subcommands: user add, member remove… */

typedef struct
{
  const Command *commands;
  guint          n_commands;
} Group;

/* "user add NAME"; a command without arguments has NULL parameters, since
 * gettext ("") would be the translation's header. */
static char *
dup_usage (const Command *command)
{
  if (command->parameters == NULL)
    return g_strdup (command->name);

  return g_strdup_printf ("%s %s", command->name, _(command->parameters));
}

static char *
dup_group_description (const Command *group,
                       const Group   *subcommands)
{
  GString *str = g_string_new (NULL);
  glong width = 0;

  for (guint i = 0; i < subcommands->n_commands; i++)
    {
      g_autofree char *usage = dup_usage (&subcommands->commands[i]);

      width = MAX (width, ts_admin_display_width (usage));
    }

  g_string_append (str, _("Subcommands:"));
  g_string_append_c (str, '\n');

  for (guint i = 0; i < subcommands->n_commands; i++)
    {
      const Command *sub = &subcommands->commands[i];
      g_autofree char *usage = dup_usage (sub);

      g_string_append_printf (str, "  %s", usage);
      for (glong pad = ts_admin_display_width (usage); pad < width + 3; pad++)
        g_string_append_c (str, ' ');
      g_string_append_printf (str, "%s\n", _(sub->summary));
    }

  g_string_append_c (str, '\n');
  g_string_append_printf (str, _("Run “%s %s SUBCOMMAND --help” to see its options."),
                          g_get_prgname (), group->name);

  return g_string_free (str, FALSE);
}

static int
run_group (const Command *command,
           const Group   *subcommands,
           int            argc,
           char         **argv)
{
  g_autofree char *description = NULL;
  g_autoptr(GString) names = NULL;
  int status;

  if (argc >= 2 && argv[1][0] != '-')
    {
      for (guint i = 0; i < subcommands->n_commands; i++)
        {
          const Command *sub = &subcommands->commands[i];
          /* "user add" → "add" */
          const char *word = strrchr (sub->name, ' ') + 1;

          if (g_str_equal (argv[1], word))
            return sub->run (sub, argc - 1, argv + 1);
        }
    }

  description = dup_group_description (command, subcommands);
  if (!ts_admin_parse_options (command, NULL, description, &argc, &argv, &status))
    return status;

  names = g_string_new (NULL);
  for (guint i = 0; i < subcommands->n_commands; i++)
    {
      if (i > 0)
        g_string_append (names, i + 1 < subcommands->n_commands ? ", " : _(" or "));
      g_string_append (names, strrchr (subcommands->commands[i].name, ' ') + 1);
    }

  if (argc < 2)
    return ts_admin_usage_error (command, _("say what to do: %s"), names->str);

  {
    g_autofree char *display = g_utf8_make_valid (argv[1], -1);

    return ts_admin_usage_error (command, _("unknown subcommand “%s”; it is one of %s"),
                                 display, names->str);
  }
}

/* init */

int
ts_admin_run_init (const Command  *command,
                   int             argc,
                   char          **argv)
{
  g_autofree char *conninfo = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  g_autofree char *about = NULL;
  g_autofree char *description = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(GError) error = NULL;
  int from;
  int to;
  int status;

  about = g_strdup_printf (_("Installs the TaskSteper server side in the database, or upgrades it to\n"
                             "version %d: the schema tasksteper with its tables, functions and\n"
                             "row-level security, and the roles tasksteper_owner, tasksteper_user\n"
                             "and tasksteper_admin.  Running it again changes nothing.  It needs a\n"
                             "superuser, a UTF8 database and PostgreSQL 13 or newer."),
                           ts_migrations_get_latest ());
  description = dup_description (about);

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ts_admin_usage_error (command, _("it takes no arguments, only options"));

  conn = open_database (conninfo, VERSION_ANY);
  if (conn == NULL)
    return STATUS_FAILED;

  if (!ts_migrations_apply (conn, &from, &to, &error))
    {
      print_failure ("%s", error->message);
      return STATUS_FAILED;
    }

  if (from == to)
    g_print (_("TaskSteper server side already at version %d\n"), to);
  else if (from == 0)
    g_print (_("TaskSteper server side installed (version %d)\n"), to);
  else
    g_print (_("TaskSteper server side upgraded from %d to %d\n"), from, to);

  return STATUS_OK;
}

/* import */

typedef struct
{
  char      *path;
  char      *display_name;
  TsProject *project;
  char      *text;
  char      *state_map;  /* JSON */
} Import;

static void
import_free (Import *import)
{
  g_free (import->path);
  g_free (import->display_name);
  g_clear_object (&import->project);
  g_free (import->text);
  g_free (import->state_map);
  g_free (import);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Import, import_free)

/* --map-state OLD=NEW… as OLD → NEW; NULL after reporting a wrong one. */
static GHashTable *
parse_state_map (const Command *command,
                 char         **map_states,
                 int           *status)
{
  g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; map_states != NULL && map_states[i] != NULL; i++)
    {
      const char *value = map_states[i];
      const char *equals = strchr (value, '=');
      g_autofree char *display = g_utf8_make_valid (value, -1);

      if (!g_utf8_validate (value, -1, NULL))
        {
          *status = ts_admin_usage_error (command, _("--map-state “%s” is not valid UTF-8"), display);
          return NULL;
        }

      if (equals == NULL || equals == value || equals[1] == '\0')
        {
          *status = ts_admin_usage_error (command,
                                          _("--map-state takes OLD=NEW, the state tickets are in "
                                            "and the state of the new definition they move to, "
                                            "not “%s”"),
                                          display);
          return NULL;
        }

      {
        g_autofree char *old_state = g_strndup (value, equals - value);

        if (g_hash_table_contains (map, old_state))
          {
            *status = ts_admin_usage_error (command,
                                            _("--map-state maps “%s” twice; give one new state "
                                              "for it"),
                                            old_state);
            return NULL;
          }

        g_hash_table_insert (map, g_steal_pointer (&old_state), g_strdup (equals + 1));
      }
    }

  return g_steal_pointer (&map);
}

/* The part of @map that moves tickets into states of @project, as the JSON
 * object import_project() takes. */
static char *
dup_state_map_json (GHashTable *map,
                    TsProject  *project)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) keys = g_hash_table_get_keys (map);

  /* Sorted, so the same command sends the same text. */
  keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);

  json_builder_begin_object (builder);
  for (const GList *l = keys; l != NULL; l = l->next)
    {
      const char *new_state = g_hash_table_lookup (map, l->data);

      if (!ts_project_has_state (project, new_state))
        continue;

      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, new_state);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

int
ts_admin_run_import (const Command  *command,
                     int             argc,
                     char          **argv)
{
  g_autofree char *conninfo = NULL;
  g_auto(GStrv) map_states = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { "map-state", 'm', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING_ARRAY, &map_states,
      N_("Move the tickets in state OLD to state NEW of the new definition (repeatable)"),
      N_("OLD=NEW") },
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_autoptr(GPtrArray) imports = g_ptr_array_new_with_free_func ((GDestroyNotify)import_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGconn) conn = NULL;
  gboolean all_valid = TRUE;
  int status;

  description = dup_description (
    _("Checks each project schema FILE as validate does and loads it into the\n"
      "database: a new project, or a new revision of one that is there.  Either\n"
      "every FILE is imported or, when one is not valid or is refused, none.\n"
      "\n"
      "A new revision keeps every ticket: new fields start at their default and\n"
      "removed fields keep their data, hidden.  A revision that removes a state\n"
      "tickets are in is refused unless --map-state OLD=NEW says where those\n"
      "tickets go; they move there with a line in their history."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give at least one project schema FILE to import"));

  map = parse_state_map (command, map_states, &status);
  if (map == NULL)
    return status;

  /* Everything is checked before the database is touched. */
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(Import) import = g_new0 (Import, 1);
      g_autoptr(GError) error = NULL;
      Import *other;

      import->path = g_strdup (argv[i]);
      import->display_name = g_filename_display_name (argv[i]);
      import->project = ts_admin_load_project (argv[i], NULL);
      if (import->project == NULL)
        {
          all_valid = FALSE;
          continue;
        }

      if (!g_file_get_contents (argv[i], &import->text, NULL, &error))
        {
          print_failure (_("cannot read %s: %s"), import->display_name, error->message);
          all_valid = FALSE;
          continue;
        }

      other = g_hash_table_lookup (by_name, ts_project_get_name (import->project));
      if (other != NULL)
        {
          print_failure (_("%s and %s both define project %s: import one of them"),
                         other->display_name, import->display_name,
                         ts_project_get_name (import->project));
          all_valid = FALSE;
          continue;
        }

      import->state_map = dup_state_map_json (map, import->project);
      g_hash_table_insert (by_name, (gpointer)ts_project_get_name (import->project), import);
      g_ptr_array_add (imports, g_steal_pointer (&import));
    }

  if (!all_valid)
    {
      print_failure (_("nothing was imported"));
      return STATUS_FAILED;
    }

  /* A mapping no file can use is a mistake in the command line. */
  {
    GHashTableIter iter;
    gpointer old_state;
    gpointer new_state;

    g_hash_table_iter_init (&iter, map);
    while (g_hash_table_iter_next (&iter, &old_state, &new_state))
      {
        gboolean used = FALSE;

        for (guint i = 0; i < imports->len && !used; i++)
          {
            Import *import = g_ptr_array_index (imports, i);

            used = ts_project_has_state (import->project, new_state);
          }

        if (!used)
          return ts_admin_usage_error (command,
                                       _("--map-state %s=%s: no project being imported has a "
                                         "state “%s”"),
                                       (const char *)old_state, (const char *)new_state,
                                       (const char *)new_state);
      }
  }

  conn = open_database (conninfo, VERSION_INITIAL);
  if (conn == NULL)
    return STATUS_FAILED;

  /* One transaction: all files or none. */
  if (!exec_simple (conn, "BEGIN", _("cannot start the import")))
    return STATUS_FAILED;

  for (guint i = 0; i < imports->len; i++)
    {
      Import *import = g_ptr_array_index (imports, i);
      const char *params[] = { import->text, import->state_map };
      g_autoptr(PGresult) result = NULL;

      result = exec_params (conn,
                            "SELECT name, title, revision"
                            " FROM tasksteper.import_project($1::jsonb, $2::jsonb)",
                            G_N_ELEMENTS (params), params);
      if (!result_ok (result) || PQntuples (result) != 1)
        {
          fail_result (conn, result, _("cannot import %s"), import->display_name);
          rollback (conn);
          print_failure (_("nothing was imported"));
          return STATUS_FAILED;
        }

      /* Translators: imported NAME (TITLE), revision N */
      g_ptr_array_add (done, g_strdup_printf (_("imported %s (%s), revision %s"),
                                              PQgetvalue (result, 0, 0),
                                              PQgetvalue (result, 0, 1),
                                              PQgetvalue (result, 0, 2)));
    }

  if (!exec_simple (conn, "COMMIT", _("cannot finish the import; nothing was imported")))
    return STATUS_FAILED;

  for (guint i = 0; i < done->len; i++)
    g_print ("%s\n", (const char *)g_ptr_array_index (done, i));

  return STATUS_OK;
}

/* user */

/* Whether @name can be a login role's name; says why not in @reason. */
static gboolean
check_user_name (const char  *name,
                 char       **reason)
{
  if (*name == '\0')
    {
      *reason = g_strdup (_("the user NAME is empty"));
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      *reason = g_strdup (_("the user NAME is not valid UTF-8"));
      return FALSE;
    }

  /* PostgreSQL would cut a longer name silently (NAMEDATALEN - 1). */
  if (strlen (name) > 63)
    {
      *reason = g_strdup_printf (_("the user NAME “%s” is %zu bytes long; PostgreSQL allows at "
                                   "most 63"),
                                 name, strlen (name));
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        {
          *reason = g_strdup (_("the user NAME may not contain control characters such as "
                                "line breaks or tabs"));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* What can be told of --display-name without the server; the server checks
 * the rest (tasksteper.check_display_name) and says what is wrong. */
static gboolean
check_display_name_option (const char  *display_name,
                           char       **reason)
{
  if (display_name != NULL && !g_utf8_validate (display_name, -1, NULL))
    {
      *reason = g_strdup (_("--display-name is not valid UTF-8"));
      return FALSE;
    }

  return TRUE;
}

/* The first line of @path, without its line break. */
static char *
read_password_file (const char  *path,
                    GError     **error)
{
  g_auto(Secret) contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  /* A NUL byte would silently cut the password. */
  if (memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("it contains a NUL byte"));
      return NULL;
    }

  return g_strndup (contents, strcspn (contents, "\r\n"));
}

/* The role @name as an SQL identifier and the SCRAM-SHA-256 verifier of
 * *@password (wiped and freed here) as an SQL literal, for CREATE ROLE and
 * ALTER ROLE, which take no parameters.  Free @literal with secret_free().
 * Reports why not and returns FALSE when it cannot. */
static gboolean
escape_password (PGconn  *conn,
                 const char *name,
                 char   **password,
                 char   **identifier,
                 char   **literal)
{
  char *verifier;
  char *quoted_name;
  char *quoted_verifier;

  /* The server never sees the password: libpq works out the verifier
   * here, with the server's password_encryption method asked for
   * explicitly so that an old md5 setting cannot weaken it. */
  verifier = PQencryptPasswordConn (conn, *password, name, "scram-sha-256");
  g_clear_pointer (password, secret_free);
  if (verifier == NULL)
    {
      g_autofree char *message = dup_trimmed (PQerrorMessage (conn));

      print_failure (_("cannot encrypt the password: %s"), message);
      return FALSE;
    }

  /* libpq's own escaping, which knows the connection's encoding and
   * standard_conforming_strings, makes the name an identifier and the
   * verifier a literal that cannot end early, whatever they contain. */
  quoted_name = PQescapeIdentifier (conn, name, strlen (name));
  quoted_verifier = PQescapeLiteral (conn, verifier, strlen (verifier));
  secure_zero (verifier, strlen (verifier));
  PQfreemem (verifier);

  if (quoted_name == NULL || quoted_verifier == NULL)
    {
      g_autofree char *message = dup_trimmed (PQerrorMessage (conn));

      if (quoted_verifier != NULL)
        secure_zero (quoted_verifier, strlen (quoted_verifier));
      PQfreemem (quoted_name);
      PQfreemem (quoted_verifier);
      print_failure (_("cannot use the name %s: %s"), name, message);
      return FALSE;
    }

  *identifier = g_strdup (quoted_name);
  *literal = g_strdup (quoted_verifier);
  secure_zero (quoted_verifier, strlen (quoted_verifier));
  PQfreemem (quoted_verifier);
  PQfreemem (quoted_name);

  return TRUE;
}

/* A new password: the first line of @password_file, or asked for twice
 * on a terminal with @prompt.  NULL when there is none, with the exit
 * status in @status; @nothing_done ends the messages ("no user was
 * added"). */
static char *
read_new_password (const Command *command,
                   const char    *password_file,
                   const char    *prompt,
                   const char    *nothing_done,
                   int           *status)
{
  g_auto(Secret) password = NULL;

  *status = STATUS_FAILED;

  if (password_file != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *display = g_filename_display_name (password_file);

      password = read_password_file (password_file, &error);
      if (password == NULL)
        {
          print_failure (_("cannot read the password from %s: %s"), display, error->message);
          return NULL;
        }

      if (*password == '\0')
        {
          print_failure (_("the password in %s is empty: write the password on its first line"),
                         display);
          return NULL;
        }
    }
  else if (isatty (STDIN_FILENO))
    {
      g_auto(Secret) again = NULL;

      password = read_secret (prompt);
      if (password == NULL)
        {
          /* Translators: the end is what was not done, e.g. "no user was added" */
          print_failure (_("no password given (or longer than %d bytes); %s"),
                         MAX_PASSWORD_LENGTH, nothing_done);
          return NULL;
        }
      if (*password == '\0')
        {
          print_failure (_("the password is empty; %s"), nothing_done);
          return NULL;
        }

      again = read_secret (_("Enter it again: "));
      if (again == NULL || strcmp (password, again) != 0)
        {
          print_failure (_("the passwords do not match; %s"), nothing_done);
          return NULL;
        }
    }
  else
    {
      *status = ts_admin_usage_error (command,
                                      _("standard input is not a terminal to ask for the password "
                                        "on: give it with --password-file FILE"));
      return NULL;
    }

  *status = STATUS_OK;
  return g_steal_pointer (&password);
}

static int
add_user (const Command  *command,
          int             argc,
          char          **argv)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *display_name = NULL;
  gboolean admin = FALSE;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { "password-file", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from the first line of FILE instead of asking for it"), N_("FILE") },
    { "admin", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &admin,
      N_("Also make them a TaskSteper admin, who may import projects and manage members"), NULL },
    { "display-name", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &display_name,
      N_("The name people see instead of NAME, such as “张伟”"), N_("TEXT") },
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *what = NULL;
  g_auto(Secret) password = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) exists = NULL;
  g_autoptr(PGresult) created = NULL;
  g_autoptr(PGresult) named = NULL;
  g_autofree char *sql = NULL;
  const char *name;
  char *identifier = NULL;
  char *literal = NULL;
  int status;

  description = dup_description (
    _("Creates the login role NAME for a person, a member of tasksteper_user, so\n"
      "they can sign in to TaskSteper with NAME and the password; put them into\n"
      "projects with “member add”.  The password is read from --password-file\n"
      "or asked for twice on a terminal.  Only its SCRAM-SHA-256 verifier, worked\n"
      "out here, is sent: the password itself never reaches the server or its\n"
      "logs.  Creating roles needs a superuser or a role with CREATEROLE.\n"
      "\n"
      "--display-name gives them the name people see in TaskSteper instead of\n"
      "NAME (at most 100 characters, no white space at either end); setting it\n"
      "needs a superuser or a TaskSteper admin.  Change it later with “user set”.\n"
      "Either the user is added with the name or, when one cannot be, neither."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give the NAME of the user to add"));
  if (argc > 2)
    return ts_admin_usage_error (command, _("give one NAME, not %d"), argc - 1);

  name = argv[1];
  if (!check_user_name (name, &reason))
    return ts_admin_usage_error (command, "%s", reason);

  if (!check_display_name_option (display_name, &reason))
    return ts_admin_usage_error (command, "%s", reason);

  {
    g_autofree char *prompt = g_strdup_printf (_("Password for the new user %s: "), name);

    password = read_new_password (command, password_file, prompt, _("no user was added"), &status);
    if (password == NULL)
      return status;
  }

  conn = open_database (conninfo, has_text (display_name) ? VERSION_PEOPLE : VERSION_INITIAL);
  if (conn == NULL)
    return STATUS_FAILED;

  {
    const char *params[] = { name };

    exists = exec_params (conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
                          G_N_ELEMENTS (params), params);
    if (!result_ok (exists))
      return fail_result (conn, exists, _("cannot add user %s"), name);
  }

  if (PQntuples (exists) > 0)
    {
      print_failure (_("a role named %s already exists; pick another name, or let that role use "
                       "TaskSteper with “GRANT tasksteper_user TO …”"),
                     name);
      return STATUS_FAILED;
    }

  if (!escape_password (conn, name, &password, &identifier, &literal))
    return STATUS_FAILED;

  sql = g_strdup_printf ("CREATE ROLE %s LOGIN PASSWORD %s IN ROLE tasksteper_user;%s%s",
                         identifier, literal,
                         admin ? " GRANT tasksteper_admin TO " : "",
                         admin ? identifier : "");
  g_clear_pointer (&literal, secret_free);
  g_clear_pointer (&identifier, g_free);

  /* One transaction: the role, its admin grant and its display name come
   * together or not at all. */
  what = g_strdup_printf (_("cannot add user %s"), name);
  if (!exec_simple (conn, "BEGIN", what))
    {
      secure_zero (sql, strlen (sql));
      return STATUS_FAILED;
    }

  created = PQexec (conn, sql);
  secure_zero (sql, strlen (sql));

  if (!result_ok (created))
    {
      if (sqlstate_is (created, SQLSTATE_DUPLICATE_OBJECT))
        {
          rollback (conn);
          print_failure (_("a role named %s already exists; pick another name, or let that role "
                           "use TaskSteper with “GRANT tasksteper_user TO …”"),
                         name);
          return STATUS_FAILED;
        }

      fail_result (conn, created, "%s", what);
      rollback (conn);
      return STATUS_FAILED;
    }

  if (has_text (display_name))
    {
      const char *params[] = { name, display_name };

      named = exec_params (conn, "SELECT tasksteper.set_display_name ($1, $2)",
                           G_N_ELEMENTS (params), params);
      if (!result_ok (named))
        {
          fail_result (conn, named, "%s", what);
          rollback (conn);
          return STATUS_FAILED;
        }
    }

  if (!exec_simple (conn, "COMMIT", what))
    return STATUS_FAILED;

  if (has_text (display_name))
    {
      /* Translators: added user LOGIN (DISPLAY NAME)… */
      if (admin)
        g_print (_("added user %s (%s), a TaskSteper admin\n"), name, display_name);
      else
        g_print (_("added user %s (%s); put them into projects with “%s member add PROJECT %s”\n"),
                 name, display_name, g_get_prgname (), name);
    }
  else if (admin)
    g_print (_("added user %s, a TaskSteper admin\n"), name);
  else
    g_print (_("added user %s; put them into projects with “%s member add PROJECT %s”\n"),
             name, g_get_prgname (), name);

  return STATUS_OK;
}

static int
set_user (const Command  *command,
          int             argc,
          char          **argv)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *display_name = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { "display-name", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &display_name,
      N_("The name people see instead of NAME, such as “张伟”; \"\" removes it"), N_("TEXT") },
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *name;
  int status;

  description = dup_description (
    _("Changes the display name of the TaskSteper user NAME: the name people\n"
      "see in TaskSteper instead of the login (at most 100 characters, no white\n"
      "space at either end).  --display-name \"\" removes it, and the login is\n"
      "shown again.  Needs a superuser or a TaskSteper admin."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give the NAME of the user to change"));
  if (argc > 2)
    return ts_admin_usage_error (command, _("give one NAME, not %d"), argc - 1);

  name = argv[1];
  if (!check_user_name (name, &reason))
    return ts_admin_usage_error (command, "%s", reason);

  if (display_name == NULL)
    return ts_admin_usage_error (command, _("say what to change: --display-name TEXT"));
  if (!check_display_name_option (display_name, &reason))
    return ts_admin_usage_error (command, "%s", reason);

  conn = open_database (conninfo, VERSION_PEOPLE);
  if (conn == NULL)
    return STATUS_FAILED;

  {
    const char *params[] = { name, display_name };

    result = exec_params (conn, "SELECT tasksteper.set_display_name ($1, $2)",
                          G_N_ELEMENTS (params), params);
    if (!result_ok (result))
      return fail_result (conn, result, _("cannot change user %s"), name);
  }

  if (has_text (display_name))
    g_print (_("the display name of %s is now “%s”\n"), name, display_name);
  else
    g_print (_("removed the display name of %s; TaskSteper shows %s\n"), name, name);

  return STATUS_OK;
}

static int
list_users (const Command  *command,
            int             argc,
            char          **argv)
{
  g_autofree char *conninfo = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  const char *header[] = { _("USER"), _("DISPLAY NAME"), _("ADMIN"), _("PROJECTS") };
  const gboolean numeric[] = { FALSE, FALSE, FALSE, FALSE };
  g_autofree char *description = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int status;

  description = dup_description (
    _("Lists the TaskSteper users (the login roles in tasksteper_user): their\n"
      "display names, whether they are admins, and the projects they are members\n"
      "of."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ts_admin_usage_error (command, _("it takes no arguments, only options"));

  conn = open_database (conninfo, VERSION_PEOPLE);
  if (conn == NULL)
    return STATUS_FAILED;

  /* pg_has_role() counts membership through other roles too, but says yes
   * to every superuser; a superuser is listed only when made a user
   * explicitly. */
  result = PQexec (conn,
                   "SELECT r.rolname::pg_catalog.text,"
                   "       coalesce((SELECT p.display_name FROM tasksteper.people p"
                   "                             WHERE p.login = r.rolname), ''),"
                   "       r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'tasksteper_admin', 'MEMBER'),"
                   "       coalesce((SELECT pg_catalog.string_agg(m.project, ', ' ORDER BY m.project)"
                   "                              FROM tasksteper.members m"
                   "                             WHERE m.member = r.rolname"
                   "                               AND tasksteper.is_member(m.project, m.member)), ''),"
                   "       r.rolcanlogin"
                   "  FROM pg_catalog.pg_roles r"
                   " WHERE r.rolcanlogin"
                   "   AND (NOT r.rolsuper AND pg_catalog.pg_has_role(r.oid, 'tasksteper_user', 'MEMBER')"
                   "        OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members a"
                   "                    WHERE a.member = r.oid"
                   "                      AND a.roleid = 'tasksteper_user'::pg_catalog.regrole))"
                   /* Disabled by “user disable”: still users, with NOLOGIN. */
                   "    OR NOT r.rolcanlogin AND NOT r.rolsuper"
                   "   AND EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members a"
                   "                WHERE a.member = r.oid"
                   "                  AND a.roleid = 'tasksteper_user'::pg_catalog.regrole)"
                   " ORDER BY 1");
  if (!result_ok (result))
    return fail_result (conn, result, _("cannot list the users"));

  if (PQntuples (result) == 0)
    {
      g_printerr (_("There are no TaskSteper users in database %s yet: add one with “%s user add "
                    "NAME”.\n"),
                  PQdb (conn), g_get_prgname ());
      return STATUS_OK;
    }

  rows = table_new (header, G_N_ELEMENTS (header));
  for (int i = 0; i < PQntuples (result); i++)
    {
      char **row = g_new0 (char *, G_N_ELEMENTS (header) + 1);

      if (g_str_equal (PQgetvalue (result, i, 4), "t"))
        row[0] = g_strdup (PQgetvalue (result, i, 0));
      else
        /* Translators: a user who may not log in (user disable) */
        row[0] = g_strdup_printf (_("%s (disabled)"), PQgetvalue (result, i, 0));
      row[1] = g_strdup (PQgetvalue (result, i, 1));
      row[2] = g_strdup (g_str_equal (PQgetvalue (result, i, 2), "t") ? _("yes") : _("no"));
      row[3] = g_strdup (PQgetvalue (result, i, 3));
      g_ptr_array_add (rows, row);
    }

  print_table (rows, G_N_ELEMENTS (header), numeric);

  return STATUS_OK;
}

/* The role @name, when it is a TaskSteper user (a direct member of
 * tasksteper_user that is no superuser, whether it may log in or not);
 * otherwise says so, after @what, and returns FALSE. */
static gboolean
check_is_user (PGconn     *conn,
               const char *name,
               const char *what)
{
  const char *params[] = { name };
  g_autoptr(PGresult) result = NULL;

  result = exec_params (conn,
                        "SELECT 1 FROM pg_catalog.pg_roles r"
                        "  JOIN pg_catalog.pg_auth_members m ON m.member = r.oid"
                        " WHERE r.rolname = $1 AND NOT r.rolsuper"
                        "   AND m.roleid = 'tasksteper_user'::pg_catalog.regrole",
                        G_N_ELEMENTS (params), params);
  if (!result_ok (result))
    {
      fail_result (conn, result, "%s", what);
      return FALSE;
    }
  if (PQntuples (result) == 0)
    {
      /* Translators: the start is what failed, e.g. "cannot disable user bob" */
      print_failure (_("%s: there is no TaskSteper user %s; “%s user list” shows who there is"),
                     what, name, g_get_prgname ());
      return FALSE;
    }

  return TRUE;
}

/* Runs @before, the quoted role @name, then @after (DDL takes no
 * parameters).  Reports a failure after @what. */
static gboolean
exec_role_ddl (PGconn     *conn,
               const char *before,
               const char *name,
               const char *after,
               const char *what)
{
  char *identifier = PQescapeIdentifier (conn, name, strlen (name));
  g_autofree char *sql = NULL;
  gboolean ok;

  if (identifier == NULL)
    {
      g_autofree char *message = dup_trimmed (PQerrorMessage (conn));

      print_failure ("%s: %s", what, message);
      return FALSE;
    }

  sql = g_strconcat (before, identifier, after, NULL);
  PQfreemem (identifier);
  ok = exec_simple (conn, sql, what);

  return ok;
}

/* The one-NAME command line of the user subcommands; NULL (with the exit
 * status in @status) when it is wrong. */
static const char *
user_name_argument (const Command *command,
                    int            argc,
                    char         **argv,
                    int           *status)
{
  g_autofree char *reason = NULL;

  if (argc < 2)
    {
      *status = ts_admin_usage_error (command, _("give the NAME of the user"));
      return NULL;
    }
  if (argc > 2)
    {
      *status = ts_admin_usage_error (command, _("give one NAME, not %d"), argc - 1);
      return NULL;
    }
  if (!check_user_name (argv[1], &reason))
    {
      *status = ts_admin_usage_error (command, "%s", reason);
      return NULL;
    }

  return argv[1];
}

static int
enable_or_disable_user (const Command  *command,
                        int             argc,
                        char          **argv,
                        gboolean        enable)
{
  g_autofree char *conninfo = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autofree char *what = NULL;
  g_autoptr(PGconn) conn = NULL;
  const char *name;
  int status;

  if (enable)
    description = dup_description (
      _("Lets the TaskSteper user NAME log in again after “user disable”.\n"
        "Needs a superuser or a role with CREATEROLE."));
  else
    description = dup_description (
      _("Stops the TaskSteper user NAME from logging in (NOLOGIN), for someone\n"
        "who has left.  They stay a member of their projects, keep the tickets\n"
        "they hold and their place in history; give their tickets to others with\n"
        "“member remove --reassign-to”, and undo this with “user enable”.\n"
        "Needs a superuser or a role with CREATEROLE."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;
  if ((name = user_name_argument (command, argc, argv, &status)) == NULL)
    return status;

  conn = open_database (conninfo, VERSION_INITIAL);
  if (conn == NULL)
    return STATUS_FAILED;

  what = enable ? g_strdup_printf (_("cannot enable user %s"), name)
                : g_strdup_printf (_("cannot disable user %s"), name);
  if (!check_is_user (conn, name, what))
    return STATUS_FAILED;
  if (!exec_role_ddl (conn, "ALTER ROLE ", name, enable ? " LOGIN" : " NOLOGIN", what))
    return STATUS_FAILED;

  if (enable)
    g_print (_("enabled user %s: they can log in again\n"), name);
  else
    g_print (_("disabled user %s: they can no longer log in, and stay in their projects with their "
               "tickets; undo it with “%s user enable %s”\n"),
             name, g_get_prgname (), name);

  return STATUS_OK;
}

static int
disable_user (const Command  *command,
              int             argc,
              char          **argv)
{
  return enable_or_disable_user (command, argc, argv, FALSE);
}

static int
enable_user (const Command  *command,
             int             argc,
             char          **argv)
{
  return enable_or_disable_user (command, argc, argv, TRUE);
}

/* The words of a JSON array of strings, joined by ", ". */
static char *
dup_joined_strings (JsonObject *facts,
                    const char *name)
{
  g_autoptr(GString) joined = g_string_new (NULL);
  JsonNode *node = json_object_get_member (facts, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup ("");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        continue;
      if (joined->len > 0)
        g_string_append (joined, ", ");
      g_string_append (joined, json_node_get_string (element));
    }

  return g_string_free (g_steal_pointer (&joined), FALSE);
}

/* The refusal TS425 ("holds_tickets") of remove_member() or forget_user()
 * in the admin's language, from its facts, after @what ("cannot remove bob
 * from issue_track"); FALSE when @result is no such refusal. */
static gboolean
print_holds_tickets (const PGresult *result,
                     const char     *what)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *count_text = NULL;
  JsonObject *facts;
  const char *login;
  const char *project;
  gint64 count;

  if (!sqlstate_is (result, "TS425"))
    return FALSE;
  node = json_from_string (PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL), NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  facts = json_node_get_object (node);
  login = json_object_get_string_member_with_default (facts, "login", NULL);
  project = json_object_get_string_member_with_default (facts, "project", NULL);
  count = json_object_get_int_member_with_default (facts, "count", 0);
  if (login == NULL || count <= 0)
    return FALSE;

  keys = dup_joined_strings (facts, "keys");
  /* The server lists at most 20 keys. */
  if (count > 20)
    {
      g_autofree char *shown = g_steal_pointer (&keys);

      keys = g_strconcat (shown, ", …", NULL);
    }
  count_text = g_strdup_printf ("%" G_GINT64_FORMAT, count);

  if (project != NULL)
    {
      /* Translators: what failed ("cannot remove bob from issue_track"),
       * the person, how many tickets, the project, then the tickets' keys */
      print_failure (ngettext ("%s: %s still holds %s open ticket of %s: %s",
                               "%s: %s still holds %s open tickets of %s: %s",
                               (gulong) MIN (count, G_MAXLONG)),
                     what, login, count_text, project, keys);
      g_printerr ("%s ", _("Hint:"));
      g_printerr (_("Give them to another member of %s in the same step: %s member remove "
                    "--reassign-to USER %s %s\n"),
                  project, g_get_prgname (), project, login);
    }
  else
    {
      g_autofree char *projects = dup_joined_strings (facts, "projects");

      /* Translators: what failed ("cannot remove user bob"), the person,
       * how many tickets, then the tickets' keys */
      print_failure (ngettext ("%s: %s still holds %s open ticket: %s",
                               "%s: %s still holds %s open tickets: %s",
                               (gulong) MIN (count, G_MAXLONG)),
                     what, login, count_text, keys);
      g_printerr ("%s ", _("Hint:"));
      g_printerr (_("Give them to other members first, in each of these projects: %s; e.g. with "
                    "“%s member remove --reassign-to USER PROJECT %s”, then remove the user.\n"),
                  projects, g_get_prgname (), login);
    }

  return TRUE;
}

static int
remove_user (const Command  *command,
             int             argc,
             char          **argv)
{
  g_autofree char *conninfo = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autofree char *what = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *name;
  int status;

  description = dup_description (
    _("Removes the TaskSteper user NAME for good: takes them out of every\n"
      "project, removes their display name and drops their login role.  History\n"
      "keeps their name.  Refused while they hold any open ticket: give those to\n"
      "others first with “member remove --reassign-to”.  To keep them but stop\n"
      "them logging in, use “user disable”.  Needs a superuser (or a TaskSteper\n"
      "admin with CREATEROLE)."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;
  if ((name = user_name_argument (command, argc, argv, &status)) == NULL)
    return status;

  conn = open_database (conninfo, VERSION_ADMINS);
  if (conn == NULL)
    return STATUS_FAILED;

  what = g_strdup_printf (_("cannot remove user %s"), name);
  if (!check_is_user (conn, name, what))
    return STATUS_FAILED;

  /* One transaction: out of the projects and the login gone, or neither. */
  if (!exec_simple (conn, "BEGIN", what))
    return STATUS_FAILED;

  {
    const char *params[] = { name };

    result = exec_params (conn, "SELECT tasksteper.forget_user($1)", G_N_ELEMENTS (params), params);
  }
  if (!result_ok (result))
    {
      if (!print_holds_tickets (result, what))
        fail_result (conn, result, "%s", what);
      rollback (conn);
      return STATUS_FAILED;
    }

  if (!exec_role_ddl (conn, "DROP ROLE ", name, "", what))
    {
      rollback (conn);
      return STATUS_FAILED;
    }

  if (!exec_simple (conn, "COMMIT", what))
    return STATUS_FAILED;

  g_print (_("removed user %s; history keeps their name\n"), name);

  return STATUS_OK;
}

static int
set_password (const Command  *command,
              int             argc,
              char          **argv)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *password_file = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { "password-file", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from the first line of FILE instead of asking for it"), N_("FILE") },
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autofree char *what = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *sql = NULL;
  g_auto(Secret) password = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  char *identifier = NULL;
  char *literal = NULL;
  const char *name;
  int status;

  description = dup_description (
    _("Gives the TaskSteper user NAME a new password, read from --password-file\n"
      "or asked for twice on a terminal, as “user add” does.  Only its\n"
      "SCRAM-SHA-256 verifier, worked out here, is sent.  Needs a superuser or a\n"
      "role with CREATEROLE."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;
  if ((name = user_name_argument (command, argc, argv, &status)) == NULL)
    return status;

  prompt = g_strdup_printf (_("New password for user %s: "), name);
  password = read_new_password (command, password_file, prompt, _("the password was not changed"), &status);
  if (password == NULL)
    return status;

  conn = open_database (conninfo, VERSION_INITIAL);
  if (conn == NULL)
    return STATUS_FAILED;

  what = g_strdup_printf (_("cannot change the password of %s"), name);
  if (!check_is_user (conn, name, what))
    return STATUS_FAILED;
  if (!escape_password (conn, name, &password, &identifier, &literal))
    return STATUS_FAILED;

  sql = g_strdup_printf ("ALTER ROLE %s PASSWORD %s", identifier, literal);
  g_clear_pointer (&literal, secret_free);
  g_clear_pointer (&identifier, g_free);
  result = PQexec (conn, sql);
  secure_zero (sql, strlen (sql));
  if (!result_ok (result))
    return fail_result (conn, result, "%s", what);

  g_print (_("changed the password of %s\n"), name);

  return STATUS_OK;
}

static const Command user_commands[] = {
  { "user add", N_("NAME"), N_("Add a person who may log in to TaskSteper"), add_user },
  { "user set", N_("NAME"), N_("Change a person’s display name"), set_user },
  { "user list", NULL, N_("List the TaskSteper users and their projects"), list_users },
  { "user passwd", N_("NAME"), N_("Give a person a new password"), set_password },
  { "user disable", N_("NAME"), N_("Stop a person from logging in, keeping their place"), disable_user },
  { "user enable", N_("NAME"), N_("Let a disabled person log in again"), enable_user },
  { "user remove", N_("NAME"), N_("Remove a person who holds no open tickets"), remove_user },
};

static const Group user_group = { user_commands, G_N_ELEMENTS (user_commands) };

int
ts_admin_run_user (const Command  *command,
                   int             argc,
                   char          **argv)
{
  return run_group (command, &user_group, argc, argv);
}

/* member */

static int
change_members (const Command  *command,
                int             argc,
                char          **argv,
                gboolean        add)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *reassign_to = NULL;
  gboolean admin = FALSE;
  const GOptionEntry add_entries[] = {
    DBNAME_ENTRY (&conninfo),
    { "admin", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &admin,
      N_("Also make them admins of PROJECT, who may give its tickets to other members"), NULL },
    { NULL }
  };
  const GOptionEntry remove_entries[] = {
    DBNAME_ENTRY (&conninfo),
    { "reassign-to", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &reassign_to,
      N_("Give the open tickets they hold in PROJECT to the member USER, in the same step"), N_("USER") },
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  const char *project;
  int status;

  if (add)
    description = dup_description (
      _("Makes each USER a member of PROJECT: they see its tickets and can be\n"
        "given them.  With --admin they are also admins of PROJECT, who may give\n"
        "its tickets to other members (see “member admin”).  Either all are added\n"
        "or, when one cannot be, none.  Add people as users first with “user add”."));
  else
    description = dup_description (
      _("Takes each USER out of PROJECT: they no longer see its tickets.  While\n"
        "someone holds open tickets there, they are not taken out, unless\n"
        "--reassign-to names the member who gets those tickets in the same step\n"
        "(each move is in the tickets’ history).  Either all are removed or, when\n"
        "one cannot be, none."));

  if (!ts_admin_parse_options (command, add ? add_entries : remove_entries, description, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give the PROJECT and at least one USER"));
  if (argc < 3)
    return ts_admin_usage_error (command, _("give at least one USER after the PROJECT"));

  project = argv[1];
  for (int i = 1; i < argc; i++)
    {
      if (!g_utf8_validate (argv[i], -1, NULL))
        {
          g_autofree char *display = g_utf8_make_valid (argv[i], -1);

          return ts_admin_usage_error (command, _("“%s” is not valid UTF-8"), display);
        }
    }

  if (reassign_to != NULL && !g_utf8_validate (reassign_to, -1, NULL))
    {
      g_autofree char *display = g_utf8_make_valid (reassign_to, -1);

      return ts_admin_usage_error (command, _("“%s” is not valid UTF-8"), display);
    }

  conn = open_database (conninfo, admin || reassign_to != NULL ? VERSION_ADMINS : VERSION_INITIAL);
  if (conn == NULL)
    return STATUS_FAILED;

  if (!exec_simple (conn, "BEGIN", _("cannot change the members")))
    return STATUS_FAILED;

  for (int i = 2; i < argc; i++)
    {
      const char *user = argv[i];
      const char *params[] = { project, user };
      g_autoptr(PGresult) before = NULL;
      g_autoptr(PGresult) result = NULL;

      if (add)
        {
          before = exec_params (conn, "SELECT tasksteper.is_member($1, $2)",
                                G_N_ELEMENTS (params), params);
          if (!result_ok (before))
            {
              fail_result (conn, before, _("cannot add %s to %s"), user, project);
              rollback (conn);
              return STATUS_FAILED;
            }

          result = exec_params (conn, "SELECT tasksteper.add_member($1, $2)",
                                G_N_ELEMENTS (params), params);
          if (!result_ok (result))
            {
              fail_result (conn, result, _("cannot add %s to %s"), user, project);
              rollback (conn);
              if (argc > 3)
                print_failure (_("no one was added"));
              return STATUS_FAILED;
            }

          if (admin)
            {
              g_autoptr(PGresult) made = exec_params (conn, "SELECT tasksteper.set_member_admin($1, $2, true)",
                                                      G_N_ELEMENTS (params), params);

              if (!result_ok (made))
                {
                  fail_result (conn, made, _("cannot make %s an admin of %s"), user, project);
                  rollback (conn);
                  if (argc > 3)
                    print_failure (_("no one was added"));
                  return STATUS_FAILED;
                }
            }

          if (g_str_equal (PQgetvalue (before, 0, 0), "t"))
            g_ptr_array_add (done, admin ? g_strdup_printf (_("%s was already a member of %s, and is now one of its admins"),
                                                            user, project)
                                         : g_strdup_printf (_("%s was already a member of %s"),
                                                            user, project));
          else
            g_ptr_array_add (done, admin ? g_strdup_printf (_("added %s to %s as an admin"), user, project)
                                         : g_strdup_printf (_("added %s to %s"), user, project));
        }
      else
        {
          const char *moving_params[] = { project, user, reassign_to };
          gint64 held;

          if (reassign_to != NULL)
            result = exec_params (conn, "SELECT tasksteper.remove_member($1, $2, $3)",
                                  G_N_ELEMENTS (moving_params), moving_params);
          else
            result = exec_params (conn, "SELECT tasksteper.remove_member($1, $2)",
                                  G_N_ELEMENTS (params), params);
          if (!result_ok (result) || PQntuples (result) != 1)
            {
              g_autofree char *what = g_strdup_printf (_("cannot remove %s from %s"), user, project);

              if (!print_holds_tickets (result, what))
                fail_result (conn, result, "%s", what);
              rollback (conn);
              if (argc > 3)
                print_failure (_("no one was removed"));
              return STATUS_FAILED;
            }

          held = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
          if (reassign_to != NULL)
            {
              if (held > 0)
                g_ptr_array_add (done,
                                 g_strdup_printf (ngettext ("removed %s from %s and gave the %s open ticket they held to %s",
                                                            "removed %s from %s and gave the %s open tickets they held to %s",
                                                            (gulong) MIN (held, G_MAXLONG)),
                                                  user, project, PQgetvalue (result, 0, 0), reassign_to));
              else
                g_ptr_array_add (done, g_strdup_printf (_("removed %s from %s; they held no open tickets there"),
                                                        user, project));
              continue;
            }

          g_ptr_array_add (done, g_strdup_printf (_("removed %s from %s"), user, project));

          /* Only servers before version 8 leave tickets with them. */
          if (held > 0)
            g_ptr_array_add (warnings,
                             g_strdup_printf (ngettext ("%s still holds %s open ticket of %s; they "
                                                        "cannot act on it until it is reassigned",
                                                        "%s still holds %s open tickets of %s; they "
                                                        "cannot act on them until they are "
                                                        "reassigned",
                                                        (gulong)MIN (held, G_MAXLONG)),
                                              user, PQgetvalue (result, 0, 0), project));
        }
    }

  if (!exec_simple (conn, "COMMIT", _("cannot change the members")))
    return STATUS_FAILED;

  for (guint i = 0; i < done->len; i++)
    g_print ("%s\n", (const char *)g_ptr_array_index (done, i));
  for (guint i = 0; i < warnings->len; i++)
    print_warning ("%s", (const char *)g_ptr_array_index (warnings, i));

  return STATUS_OK;
}

static int
add_members (const Command  *command,
             int             argc,
             char          **argv)
{
  return change_members (command, argc, argv, TRUE);
}

static int
remove_members (const Command  *command,
                int             argc,
                char          **argv)
{
  return change_members (command, argc, argv, FALSE);
}

static int
change_admins (const Command  *command,
               int             argc,
               char          **argv,
               gboolean        admin)
{
  g_autofree char *conninfo = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  const char *project;
  int status;

  if (admin)
    description = dup_description (
      _("Makes each USER, already a member of PROJECT, one of its admins: in\n"
        "TaskSteper they may give any ticket of PROJECT to another member\n"
        "(Reassign…), which the database allows project admins only.  Only a\n"
        "superuser or a TaskSteper admin may do this.  Either all are changed or,\n"
        "when one cannot be, none."));
  else
    description = dup_description (
      _("Makes each USER an ordinary member of PROJECT again, no longer one of\n"
        "its admins.  Either all are changed or, when one cannot be, none."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ts_admin_usage_error (command, _("give the PROJECT and at least one USER"));
  if (argc < 3)
    return ts_admin_usage_error (command, _("give at least one USER after the PROJECT"));
  for (int i = 1; i < argc; i++)
    {
      if (!g_utf8_validate (argv[i], -1, NULL))
        {
          g_autofree char *display = g_utf8_make_valid (argv[i], -1);

          return ts_admin_usage_error (command, _("“%s” is not valid UTF-8"), display);
        }
    }

  project = argv[1];
  conn = open_database (conninfo, VERSION_ADMINS);
  if (conn == NULL)
    return STATUS_FAILED;

  if (!exec_simple (conn, "BEGIN", _("cannot change the admins")))
    return STATUS_FAILED;

  for (int i = 2; i < argc; i++)
    {
      const char *user = argv[i];
      const char *params[] = { project, user, admin ? "true" : "false" };
      g_autoptr(PGresult) result = exec_params (conn, "SELECT tasksteper.set_member_admin($1, $2, $3::boolean)",
                                                G_N_ELEMENTS (params), params);
      gboolean changed;

      if (!result_ok (result) || PQntuples (result) != 1)
        {
          if (admin)
            fail_result (conn, result, _("cannot make %s an admin of %s"), user, project);
          else
            fail_result (conn, result, _("cannot take the admin role in %s from %s"), project, user);
          rollback (conn);
          if (argc > 3)
            print_failure (_("no one was changed"));
          return STATUS_FAILED;
        }

      changed = g_str_equal (PQgetvalue (result, 0, 0), "t");
      if (admin)
        g_ptr_array_add (done, changed ? g_strdup_printf (_("%s is now an admin of %s"), user, project)
                                       : g_strdup_printf (_("%s was already an admin of %s"), user, project));
      else
        g_ptr_array_add (done, changed ? g_strdup_printf (_("%s is no longer an admin of %s"), user, project)
                                       : g_strdup_printf (_("%s was not an admin of %s"), user, project));
    }

  if (!exec_simple (conn, "COMMIT", _("cannot change the admins")))
    return STATUS_FAILED;

  for (guint i = 0; i < done->len; i++)
    g_print ("%s\n", (const char *)g_ptr_array_index (done, i));

  return STATUS_OK;
}

static int
grant_admins (const Command  *command,
              int             argc,
              char          **argv)
{
  return change_admins (command, argc, argv, TRUE);
}

static int
revoke_admins (const Command  *command,
               int             argc,
               char          **argv)
{
  return change_admins (command, argc, argv, FALSE);
}

static const Command member_commands[] = {
  { "member add", N_("PROJECT USER…"), N_("Put people into a project"), add_members },
  { "member remove", N_("PROJECT USER…"), N_("Take people out of a project"), remove_members },
  { "member admin", N_("PROJECT USER…"), N_("Make members admins of their project"), grant_admins },
  { "member unadmin", N_("PROJECT USER…"), N_("Make admins ordinary members again"), revoke_admins },
};

static const Group member_group = { member_commands, G_N_ELEMENTS (member_commands) };

int
ts_admin_run_member (const Command  *command,
                     int             argc,
                     char          **argv)
{
  return run_group (command, &member_group, argc, argv);
}

/* project */

static int
list_projects (const Command  *command,
               int             argc,
               char          **argv)
{
  g_autofree char *conninfo = NULL;
  const GOptionEntry entries[] = {
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  const char *header[] = { _("PROJECT"), _("TITLE"), _("REVISION"), _("TICKETS"), _("MEMBERS") };
  const gboolean numeric[] = { FALSE, FALSE, TRUE, TRUE, TRUE };
  g_autofree char *description = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int status;

  description = dup_description (
    _("Lists the projects: name, title, the revision of their definition (1\n"
      "after the first import, one more with each import), and how many\n"
      "tickets and members they have."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ts_admin_usage_error (command, _("it takes no arguments, only options"));

  conn = open_database (conninfo, VERSION_INITIAL);
  if (conn == NULL)
    return STATUS_FAILED;

  result = PQexec (conn,
                   "SELECT p.name, p.title, p.revision,"
                   "       (SELECT pg_catalog.count(*) FROM tasksteper.tickets t WHERE t.project = p.name),"
                   "       (SELECT pg_catalog.count(*) FROM tasksteper.members m WHERE m.project = p.name)"
                   "  FROM tasksteper.projects p"
                   " ORDER BY p.name");
  if (!result_ok (result))
    return fail_result (conn, result, _("cannot list the projects"));

  if (PQntuples (result) == 0)
    {
      /* Row-level security shows a role that is no superuser only the
       * projects it is a member of. */
      g_printerr (_("There are no projects in database %s that %s can see: add one with "
                    "“%s import FILE”.\n"),
                  PQdb (conn), PQuser (conn), g_get_prgname ());
      return STATUS_OK;
    }

  rows = table_new (header, G_N_ELEMENTS (header));
  for (int i = 0; i < PQntuples (result); i++)
    {
      char **row = g_new0 (char *, G_N_ELEMENTS (header) + 1);

      for (guint c = 0; c < G_N_ELEMENTS (header); c++)
        row[c] = g_strdup (PQgetvalue (result, i, c));
      g_ptr_array_add (rows, row);
    }

  print_table (rows, G_N_ELEMENTS (header), numeric);

  return STATUS_OK;
}

static const Command project_commands[] = {
  { "project list", NULL, N_("List the projects, with their tickets and members"), list_projects },
};

static const Group project_group = { project_commands, G_N_ELEMENTS (project_commands) };

int
ts_admin_run_project (const Command  *command,
                      int             argc,
                      char          **argv)
{
  return run_group (command, &project_group, argc, argv);
}

/* changes */

static int
prune_changes (const Command  *command,
               int             argc,
               char          **argv)
{
  g_autofree char *conninfo = NULL;
  int days = -1;
  const GOptionEntry entries[] = {
    { "older-than", 0, 0, G_OPTION_ARG_INT, &days,
      N_("Delete the changes made more than DAYS days ago (0: all)"), N_("DAYS") },
    DBNAME_ENTRY (&conninfo),
    { NULL }
  };
  g_autofree char *description = NULL;
  g_autofree char *days_text = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *params[1];
  int status;

  description = dup_description (
    _("Deletes the rows of the change feed (tasksteper.changes) older than\n"
      "DAYS days. Clients read the feed to follow what others change; one that\n"
      "was away for longer than that re-reads everything when it reconnects,\n"
      "so keep at least a few days. Needs a TaskSteper admin or a superuser."));

  if (!ts_admin_parse_options (command, entries, description, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ts_admin_usage_error (command, _("it takes no arguments, only options"));
  if (days < 0)
    return ts_admin_usage_error (command, _("say how old the changes to delete are, in days, "
                                            "with --older-than DAYS"));

  conn = open_database (conninfo, VERSION_CHANGES);
  if (conn == NULL)
    return STATUS_FAILED;

  days_text = g_strdup_printf ("%d days", days);
  params[0] = days_text;
  result = exec_params (conn, "SELECT tasksteper.prune_changes ($1::interval)", 1, params);
  if (!result_ok (result))
    return fail_result (conn, result, _("cannot prune the change feed"));

  g_print (g_dngettext (GETTEXT_PACKAGE, "Deleted %s change older than %d days.\n",
                        "Deleted %s changes older than %d days.\n",
                        (gulong)g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10)),
           PQgetvalue (result, 0, 0), days);

  return STATUS_OK;
}

static const Command changes_commands[] = {
  { "changes prune", N_("--older-than DAYS"), N_("Delete old rows of the change feed"), prune_changes },
};

static const Group changes_group = { changes_commands, G_N_ELEMENTS (changes_commands) };

int
ts_admin_run_changes (const Command  *command,
                      int             argc,
                      char          **argv)
{
  return run_group (command, &changes_group, argc, argv);
}
