/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starts throwaway PostgreSQL clusters for tests; see ts-test-server.h. */

#include "config.h"

#include "ts-test-server.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PORT_MIN        20000
#define PORT_MAX        60000
#define LOG_TAIL_LINES  20
/* How long pg_ctl waits for the server to start or stop, in seconds. */
#define PG_CTL_TIMEOUT  "60"
/* sockaddr_un.sun_path on Linux, less the terminating NUL. */
#define SOCKET_PATH_MAX 107

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_DEFINE_QUARK (ts-test-server-error-quark, ts_test_server_error)

typedef enum
{
  STATE_CREATED,  /* the directory exists, the server may not */
  STATE_RUNNING,
  STATE_PAUSED,
  STATE_STOPPED,  /* the server is stopped and the directory removed */
} State;

struct _TsTestServer
{
  char        *dir;       /* the socket directory, holding data/ and server.log */
  char        *data_dir;
  char        *log_path;
  char        *bindir;
  char        *runuser;   /* when we are root: runuser(1) and the user to run as */
  char        *run_as;
  uid_t        run_as_uid;
  gid_t        run_as_gid;
  guint        port;
  guint        last_database;
  State        state;
  GSubprocess *watchdog;
};

/* Variables that initdb, pg_ctl or the server would read instead of the
 * settings we give them. */
static const char * const pg_environment[] = {
  "PGDATA", "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS",
};

/* Waits for its standard input, a pipe that only the test program can write
 * to and never does, to reach end-of-file, which happens when the program
 * exits or dies however it dies.  Then it stops the cluster in $1/data with
 * pg_ctl $2 (prefixed with the rest of the arguments, runuser as root) and
 * removes $1.  When the program cleans up by itself, it kills the watchdog. */
static const char watchdog_script[] =
  "read -r _\n"
  "dir=$1\n"
  "pg_ctl=$2\n"
  "shift 2\n"
  "if [ -f \"$dir/data/postmaster.pid\" ]; then\n"
  "  \"$@\" \"$pg_ctl\" stop -D \"$dir/data\" -m immediate -w -t " PG_CTL_TIMEOUT "\n"
  "fi\n"
  "rm -rf \"$dir\"\n";

/* Every cluster not yet stopped, for stop_live_servers(). */
G_LOCK_DEFINE_STATIC (live_servers);
static GPtrArray *live_servers;
static pid_t live_servers_owner;

static void
stop_live_servers (void)
{
  g_autoptr(GPtrArray) servers = NULL;

  /* A child forked from the test program without exec inherits this
   * handler, but not the servers. */
  if (getpid () != live_servers_owner)
    return;

  G_LOCK (live_servers);
  servers = g_ptr_array_copy (live_servers, NULL, NULL);
  G_UNLOCK (live_servers);

  for (guint i = 0; i < servers->len; i++)
    ts_test_server_stop (g_ptr_array_index (servers, i));
}

static void
register_server (TsTestServer *self)
{
  G_LOCK (live_servers);
  if (live_servers == NULL)
    {
      live_servers = g_ptr_array_new ();
      live_servers_owner = getpid ();
      atexit (stop_live_servers);
    }
  g_ptr_array_add (live_servers, self);
  G_UNLOCK (live_servers);
}

static void
unregister_server (TsTestServer *self)
{
  G_LOCK (live_servers);
  if (live_servers != NULL)
    g_ptr_array_remove_fast (live_servers, self);
  G_UNLOCK (live_servers);
}

/* The last @n_lines lines of the file at @path, or NULL if it cannot be
 * read or is empty. */
static char *
read_tail (const char *path,
           guint       n_lines)
{
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const char *start;
  guint count = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;

  text = g_strchomp (g_utf8_make_valid (contents, length));
  for (start = text + strlen (text); start > text; start--)
    {
      if (start[-1] == '\n' && ++count == n_lines)
        break;
    }

  return *start != '\0' ? g_strdup (start) : NULL;
}

/* Runs @argv, with its standard error merged into its standard output,
 * which goes into @output.  A failure's message holds the output and,
 * when @log_path is given, the end of the server log. */
static gboolean
run_command (const char * const *argv,
             const char         *cwd,
             const char         *log_path,
             char              **output,
             GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *command = NULL;
  g_autofree char *status = NULL;
  g_autofree char *log_tail = NULL;
  gsize length;
  const char *data;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  for (guint i = 0; i < G_N_ELEMENTS (pg_environment); i++)
    g_subprocess_launcher_unsetenv (launcher, pg_environment[i]);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);

  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;

  if (!g_subprocess_communicate (process, NULL, NULL, &bytes, NULL, error))
    return FALSE;

  data = g_bytes_get_data (bytes, &length);
  text = g_strchomp (g_utf8_make_valid (data != NULL ? data : "", length));

  if (g_subprocess_get_successful (process))
    {
      if (output != NULL)
        *output = g_steal_pointer (&text);
      return TRUE;
    }

  command = g_strjoinv (" ", (char **)argv);
  if (g_subprocess_get_if_exited (process))
    status = g_strdup_printf ("exit status %d", g_subprocess_get_exit_status (process));
  else
    status = g_strdup_printf ("killed by signal %d", g_subprocess_get_term_sig (process));
  if (log_path != NULL)
    log_tail = read_tail (log_path, LOG_TAIL_LINES);

  g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
               "“%s” failed (%s)%s%s%s%s",
               command, status,
               *text != '\0' ? ":\n" : "", text,
               log_tail != NULL ? "\nLast lines of the server log:\n" : "",
               log_tail != NULL ? log_tail : "");
  return FALSE;
}

/* Runs the PostgreSQL program @program of the cluster with @args, as the
 * cluster's user. */
static gboolean
run_pg_program (TsTestServer       *self,
                const char         *program,
                const char * const *args,
                GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  if (self->run_as != NULL)
    {
      g_ptr_array_add (argv, g_strdup (self->runuser));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup (self->run_as));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (self->bindir, program, NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  /* Our working directory may be closed to the cluster's user. */
  return run_command ((const char * const *)argv->pdata, self->dir, self->log_path, NULL, error);
}

static gboolean
bindir_has_server (const char *bindir)
{
  static const char * const programs[] = { "initdb", "pg_ctl", "postgres" };

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *path = g_build_filename (bindir, programs[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return FALSE;
    }

  return TRUE;
}

static char *
find_bindir (GError **error)
{
  const char *from_env = g_getenv ("TS_PG_BINDIR");
  g_autofree char *pg_config = NULL;
  g_autofree char *best = NULL;
  g_autoptr(GDir) versions = NULL;
  double best_version = 0;
  const char *name;

  if (from_env != NULL && *from_env != '\0')
    {
      if (bindir_has_server (from_env))
        return g_strdup (from_env);

      g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                   "TS_PG_BINDIR is “%s”, which has no initdb, pg_ctl and postgres",
                   from_env);
      return NULL;
    }

  /* Debian's pg_config comes with libpq-dev and names its own version's
   * directory, which may not hold a server, so it is only a first guess. */
  pg_config = g_find_program_in_path ("pg_config");
  if (pg_config != NULL)
    {
      const char * const argv[] = { pg_config, "--bindir", NULL };
      g_autofree char *bindir = NULL;

      if (run_command (argv, NULL, NULL, &bindir, NULL) && bindir_has_server (bindir))
        return g_steal_pointer (&bindir);
    }

  versions = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (versions != NULL && (name = g_dir_read_name (versions)) != NULL)
    {
      g_autofree char *bindir = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
      char *end;
      double version = g_ascii_strtod (name, &end);

      if (end != name && *end == '\0' && version > best_version && bindir_has_server (bindir))
        {
          best_version = version;
          g_free (best);
          best = g_steal_pointer (&bindir);
        }
    }

  if (best == NULL)
    g_set_error_literal (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                         "No PostgreSQL server found (initdb, pg_ctl and postgres): "
                         "install postgresql-15, or set TS_PG_BINDIR");

  return g_steal_pointer (&best);
}

/* As root, PostgreSQL runs as the postgres system user, else nobody. */
static gboolean
find_unprivileged_user (TsTestServer  *self,
                        GError       **error)
{
  static const char * const users[] = { "postgres", "nobody" };
  static const char * const runusers[] = { "/usr/sbin/runuser", "/sbin/runuser" };

  for (guint i = 0; i < G_N_ELEMENTS (users) && self->run_as == NULL; i++)
    {
      struct passwd *entry = getpwnam (users[i]);

      if (entry != NULL && entry->pw_uid != 0)
        {
          self->run_as = g_strdup (users[i]);
          self->run_as_uid = entry->pw_uid;
          self->run_as_gid = entry->pw_gid;
        }
    }

  if (self->run_as == NULL)
    {
      g_set_error_literal (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                           "PostgreSQL cannot run as root and there is neither "
                           "a postgres nor a nobody user to run it as");
      return FALSE;
    }

  self->runuser = g_find_program_in_path ("runuser");
  for (guint i = 0; i < G_N_ELEMENTS (runusers) && self->runuser == NULL; i++)
    {
      if (g_file_test (runusers[i], G_FILE_TEST_IS_EXECUTABLE))
        self->runuser = g_strdup (runusers[i]);
    }

  if (self->runuser == NULL)
    {
      g_set_error_literal (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                           "PostgreSQL cannot run as root and runuser (util-linux) "
                           "is missing to run it as another user");
      return FALSE;
    }

  return TRUE;
}

/* Whether every directory on the way to @path, @path included, may be
 * searched by every user. */
static gboolean
searchable_by_all (const char *path)
{
  g_autofree char *current = g_canonicalize_filename (path, NULL);

  for (;;)
    {
      g_autofree char *parent = NULL;
      GStatBuf info;

      if (g_stat (current, &info) != 0 || (info.st_mode & S_IXOTH) == 0)
        return FALSE;

      parent = g_path_get_dirname (current);
      if (g_str_equal (parent, current))
        return TRUE;

      g_free (current);
      current = g_steal_pointer (&parent);
    }
}

/* Where to create the cluster's directory: $TMPDIR, unless the socket's
 * path would not fit in a sockaddr_un or, as root, the cluster's user could
 * not reach it; /tmp suits both. */
static const char *
choose_base_dir (TsTestServer *self)
{
  const char *tmp = g_get_tmp_dir ();
  gsize socket_path_length = strlen (tmp) + strlen ("/ts-pg-XXXXXX/.s.PGSQL.65535");

  if (socket_path_length > SOCKET_PATH_MAX)
    return "/tmp";
  if (self->run_as != NULL && !searchable_by_all (tmp))
    return "/tmp";

  return tmp;
}

static gboolean
make_dir (TsTestServer  *self,
          GError       **error)
{
  g_autofree char *template = g_build_filename (choose_base_dir (self), "ts-pg-XXXXXX", NULL);
  int saved_errno;

  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create a directory for the test server like %s: %s",
                   template, g_strerror (saved_errno));
      return FALSE;
    }

  self->dir = g_steal_pointer (&template);
  self->data_dir = g_build_filename (self->dir, "data", NULL);
  self->log_path = g_build_filename (self->dir, "server.log", NULL);

  if (self->run_as != NULL && chown (self->dir, self->run_as_uid, self->run_as_gid) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not give %s to the user %s: %s",
                   self->dir, self->run_as, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static void
watchdog_child_setup (gpointer user_data)
{
  /* Leave the test program's process group, which meson kills on a timeout. */
  (void)setsid ();
}

static gboolean
start_watchdog (TsTestServer  *self,
                GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup ("/bin/sh"));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (watchdog_script));
  g_ptr_array_add (argv, g_strdup ("ts-test-server-watchdog"));
  g_ptr_array_add (argv, g_strdup (self->dir));
  g_ptr_array_add (argv, g_build_filename (self->bindir, "pg_ctl", NULL));
  if (self->run_as != NULL)
    {
      g_ptr_array_add (argv, g_strdup (self->runuser));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup (self->run_as));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, NULL);

  /* Silenced, so that it does not keep the test's output open after the
   * test program is gone. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  for (guint i = 0; i < G_N_ELEMENTS (pg_environment); i++)
    g_subprocess_launcher_unsetenv (launcher, pg_environment[i]);
  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_set_child_setup (launcher, watchdog_child_setup, NULL, NULL);

  self->watchdog = g_subprocess_launcher_spawnv (launcher,
                                                 (const char * const *)argv->pdata,
                                                 error);
  return self->watchdog != NULL;
}

static void
dismiss_watchdog (TsTestServer *self)
{
  if (self->watchdog == NULL)
    return;

  g_subprocess_force_exit (self->watchdog);
  g_subprocess_wait (self->watchdog, NULL, NULL);
  g_clear_object (&self->watchdog);
}

/* Quotes @value for postgresql.conf. */
static char *
quote_conf_value (const char *value)
{
  GString *quoted = g_string_new ("'");

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (quoted, "''");
      else if (*p == '\\')
        g_string_append (quoted, "\\\\");
      else
        g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '\'');

  return g_string_free (quoted, FALSE);
}

static gboolean
configure (TsTestServer  *self,
           GError       **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postgresql.conf", NULL);
  g_autofree char *socket_dirs = NULL;
  g_autofree char *settings = NULL;
  g_autoptr(GString) dir_element = g_string_new (NULL);
  FILE *file;
  int saved_errno;
  gboolean written;

  /* unix_socket_directories is a comma-separated list, whose elements
   * may be double-quoted (with "" for a double quote). */
  if (strpbrk (self->dir, ",\" \t") == NULL)
    {
      g_string_assign (dir_element, self->dir);
    }
  else
    {
      g_string_assign (dir_element, "\"");
      for (const char *p = self->dir; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (dir_element, '"');
          g_string_append_c (dir_element, *p);
        }
      g_string_append_c (dir_element, '"');
    }
  socket_dirs = quote_conf_value (dir_element->str);

  settings = g_strdup_printf ("\n"
                              "# A throwaway cluster for tests (ts-test-server.c): reachable only\n"
                              "# through its Unix socket, fast, and unsafe after a crash.\n"
                              "listen_addresses = ''\n"
                              "unix_socket_directories = %s\n"
                              "port = %u\n"
                              "max_connections = 50\n"
                              "fsync = off\n"
                              "full_page_writes = off\n"
                              "synchronous_commit = off\n",
                              socket_dirs, self->port);

  /* Appending keeps the file's owner, the cluster's user. */
  file = g_fopen (path, "a");
  if (file == NULL)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not open %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  written = fputs (settings, file) >= 0;
  saved_errno = errno;
  if (fclose (file) != 0 && written)
    {
      written = FALSE;
      saved_errno = errno;
    }

  if (!written)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not write to %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
initdb (TsTestServer  *self,
        GError       **error)
{
  const char * const args[] = {
    "-D", self->data_dir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions", NULL
  };

  return run_pg_program (self, "initdb", args, error);
}

static gboolean
pg_ctl_start (TsTestServer  *self,
              GError       **error)
{
  const char * const args[] = {
    "start", "-D", self->data_dir, "-l", self->log_path, "-w", "-t", PG_CTL_TIMEOUT, NULL
  };

  return run_pg_program (self, "pg_ctl", args, error);
}

static gboolean
pg_ctl_stop (TsTestServer  *self,
             const char    *mode,
             GError       **error)
{
  const char * const args[] = {
    "stop", "-D", self->data_dir, "-m", mode, "-w", "-t", PG_CTL_TIMEOUT, NULL
  };

  return run_pg_program (self, "pg_ctl", args, error);
}

/**
 * ts_test_server_start:
 *
 * Creates and starts a new cluster, see ts-test-server.h.
 *
 * Returns: (transfer full): the running server, or %NULL with @error set
 */
TsTestServer *
ts_test_server_start (GError **error)
{
  g_autoptr(TsTestServer) self = g_new0 (TsTestServer, 1);

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->state = STATE_STOPPED;
  self->port = g_random_int_range (PORT_MIN, PORT_MAX + 1);

  self->bindir = find_bindir (error);
  if (self->bindir == NULL)
    return NULL;

  if (geteuid () == 0 && !find_unprivileged_user (self, error))
    return NULL;

  if (!make_dir (self, error))
    {
      if (self->dir != NULL)
        g_rmdir (self->dir);
      return NULL;
    }

  /* From here on, the directory goes away when the server is stopped, at
   * the latest when the program exits or dies. */
  self->state = STATE_CREATED;
  register_server (self);
  if (!start_watchdog (self, error))
    return NULL;

  if (!initdb (self, error) || !configure (self, error) || !pg_ctl_start (self, error))
    return NULL;

  self->state = STATE_RUNNING;

  return g_steal_pointer (&self);
}

const char *
ts_test_server_get_socket_dir (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->dir;
}

const char *
ts_test_server_get_data_dir (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data_dir;
}

const char *
ts_test_server_get_bindir (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->bindir;
}

guint
ts_test_server_get_port (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/* Appends key=value to a libpq conninfo string, quoting the value when
 * libpq needs it to. */
static void
append_conninfo (GString    *conninfo,
                 const char *key,
                 const char *value)
{
  gboolean quote = *value == '\0';

  for (const char *p = value; *p != '\0' && !quote; p++)
    quote = g_ascii_isspace (*p) || *p == '\'' || *p == '\\';

  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');
  g_string_append_printf (conninfo, "%s=", key);

  if (!quote)
    {
      g_string_append (conninfo, value);
      return;
    }

  g_string_append_c (conninfo, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

char *
ts_test_server_conninfo (TsTestServer *self,
                         const char   *dbname,
                         const char   *user)
{
  GString *conninfo;
  g_autofree char *port = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  conninfo = g_string_new (NULL);
  port = g_strdup_printf ("%u", self->port);
  append_conninfo (conninfo, "host", self->dir);
  append_conninfo (conninfo, "port", port);
  append_conninfo (conninfo, "dbname", dbname != NULL ? dbname : "postgres");
  append_conninfo (conninfo, "user", user != NULL ? user : "postgres");

  return g_string_free (conninfo, FALSE);
}

static void
log_notice (void       *user_data,
            const char *message)
{
  g_debug ("%s", message);
}

static PGconn *
connect_as_superuser (TsTestServer  *self,
                      const char    *dbname,
                      GError       **error)
{
  g_autofree char *conninfo = ts_test_server_conninfo (self, dbname, NULL);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_CONNECT,
                   "Could not connect to the test server (%s): %s", conninfo, message);
      return NULL;
    }

  PQsetNoticeProcessor (conn, log_notice, NULL);

  return g_steal_pointer (&conn);
}

gboolean
ts_test_server_exec (TsTestServer  *self,
                     const char    *dbname,
                     const char    *sql,
                     GError       **error)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  ExecStatusType status;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (dbname == NULL)
    dbname = "postgres";

  conn = connect_as_superuser (self, dbname, error);
  if (conn == NULL)
    return FALSE;

  result = PQexec (conn, sql);
  status = PQresultStatus (result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
    return TRUE;

  if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH)
    {
      g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_QUERY,
                   "SQL in database “%s” started a COPY, which ts_test_server_exec() "
                   "cannot feed: %s", dbname, sql);
    }
  else
    {
      g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_QUERY,
                   "SQL failed in database “%s”: %s\nSQL: %s", dbname, message, sql);
    }

  return FALSE;
}

char *
ts_test_server_create_database (TsTestServer  *self,
                                GError       **error)
{
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_strdup_printf ("test_%u", ++self->last_database);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  if (!ts_test_server_exec (self, "postgres", sql, error))
    return NULL;

  return g_steal_pointer (&name);
}

gboolean
ts_test_server_pause (TsTestServer  *self,
                      GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == STATE_RUNNING, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!pg_ctl_stop (self, "fast", error))
    return FALSE;

  self->state = STATE_PAUSED;

  return TRUE;
}

gboolean
ts_test_server_resume (TsTestServer  *self,
                       GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == STATE_PAUSED, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!pg_ctl_start (self, error))
    return FALSE;

  self->state = STATE_RUNNING;

  return TRUE;
}

/* Removes @path and everything under it, without following symbolic links. */
static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  GStatBuf info;
  int saved_errno;

  if (g_lstat (path, &info) != 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT)
        return TRUE;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not read %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if (S_ISDIR (info.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child, error))
            return FALSE;
        }

      if (g_rmdir (path) == 0)
        return TRUE;
    }
  else if (g_unlink (path) == 0)
    {
      return TRUE;
    }

  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "Could not remove %s: %s", path, g_strerror (saved_errno));
  return FALSE;
}

/* Whether the postmaster that wrote @pid_file has died without removing it
 * (killed with SIGKILL, say), which makes pg_ctl stop fail. */
static gboolean
postmaster_is_gone (const char *pid_file)
{
  g_autofree char *contents = NULL;
  gint64 pid;

  if (!g_file_get_contents (pid_file, &contents, NULL, NULL))
    return !g_file_test (pid_file, G_FILE_TEST_EXISTS);

  pid = g_ascii_strtoll (contents, NULL, 10);

  return pid > 0 && kill ((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void
ts_test_server_stop (TsTestServer *self)
{
  g_autofree char *pid_file = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);

  if (self->state == STATE_STOPPED)
    return;

  /* Also when the server was never reported started: pg_ctl may have
   * started it and given up waiting. */
  pid_file = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  if (g_file_test (pid_file, G_FILE_TEST_EXISTS) &&
      !pg_ctl_stop (self, "immediate", &error) &&
      !postmaster_is_gone (pid_file))
    {
      /* Not a warning: this may run at exit, and G_DEBUG=fatal-warnings
       * would turn it into an abort; the watchdog then tries again. */
      g_printerr ("ts-test-server: %s\n", error->message);
      return;
    }
  g_clear_error (&error);

  if (!remove_tree (self->dir, &error))
    {
      g_printerr ("ts-test-server: %s\n", error->message);
      return;
    }

  self->state = STATE_STOPPED;
  dismiss_watchdog (self);
  unregister_server (self);
}

void
ts_test_server_free (TsTestServer *self)
{
  if (self == NULL)
    return;

  ts_test_server_stop (self);

  /* A server that could not be stopped stays registered, for the next try
   * at exit, and its watchdog stays too. */
  if (self->state != STATE_STOPPED)
    return;

  g_free (self->dir);
  g_free (self->data_dir);
  g_free (self->log_path);
  g_free (self->bindir);
  g_free (self->runuser);
  g_free (self->run_as);
  g_free (self);
}
