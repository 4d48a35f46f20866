/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-local-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ts-local-server.h"

/* Runs a PostgreSQL server of our own; see ts-local-server.h. */

/* How long pg_ctl waits for the server to start or stop, in seconds. */
#define PG_CTL_TIMEOUT  "60"
#define LOG_TAIL_LINES  20
/* sockaddr_un.sun_path on Linux, less the terminating NUL. */
#define SOCKET_PATH_MAX 107
/* Rewritten at every start, included from postgresql.conf. */
#define LOCAL_CONF      "tasksteper-local.conf"

struct _TsLocalServer
{
  GObject    parent_instance;

  /* Serialises start, stop and the lookup of the programs, which may run
   * in GTask threads. */
  GMutex     lock;

  char      *data_dir;
  char      *socket_dir;
  char      *log_file;
  guint      port;
  gboolean   durable;

  char      *bindir;
  gboolean   bindir_found;  /* looked up, rather than set */
  GPtrArray *settings;      /* "name = 'value'" lines */

  /* When we are root: runuser(1) and the user to run PostgreSQL as. */
  char      *runuser;
  char      *server_user;
  uid_t      server_uid;
  gid_t      server_gid;

  gboolean   created;

  /* See ts_local_server_set_guarded(). */
  gboolean     guarded;
  GSubprocess *guardian;
};

G_DEFINE_FINAL_TYPE (TsLocalServer, ts_local_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (ts-local-server-error-quark, ts_local_server_error)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_SOCKET_DIR,
  PROP_PORT,
  PROP_LOG_FILE,
  PROP_DURABLE,
  PROP_BINDIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Variables that initdb, pg_ctl or the server would read instead of the
 * settings we give them. */
static const char * const pg_environment[] = {
  "PGDATA", "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS",
};

static const char * const server_programs[] = { "initdb", "pg_ctl", "postgres" };

/* Running programs */

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

  if (path == NULL || !g_file_get_contents (path, &contents, &length, NULL))
    return NULL;

  text = g_strchomp (g_utf8_make_valid (contents, length));
  for (start = text + strlen (text); start > text; start--)
    {
      if (start[-1] == '\n' && ++count == n_lines)
        break;
    }

  return *start != '\0' ? g_strdup (start) : NULL;
}

/* Runs @argv in /, which every user may enter, with its standard error
 * merged into its standard output, which goes into @output.  A failure's
 * message holds the output and, when @log_path is given, the end of the
 * server log. */
static gboolean
run_command (const char * const  *argv,
             const char          *log_path,
             char               **output,
             GCancellable        *cancellable,
             GError             **error)
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
  g_subprocess_launcher_set_cwd (launcher, "/");

  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;

  /* Not cancellable: a pg_ctl left running on its own would leave the
   * server in a state nobody knows.  Cancelling takes effect between
   * steps. */
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
    status = g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process));
  else
    status = g_strdup_printf (_("killed by signal %d"), g_subprocess_get_term_sig (process));
  if (log_path != NULL)
    log_tail = read_tail (log_path, LOG_TAIL_LINES);

  g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_FAILED,
               /* Translators: “COMMAND” failed (exit status 1): OUTPUT */
               _("“%s” failed (%s)%s%s%s%s"),
               command, status,
               *text != '\0' ? ":\n" : "", text,
               log_tail != NULL ? _("\nLast lines of the server log:\n") : "",
               log_tail != NULL ? log_tail : "");
  return FALSE;
}

static GPtrArray *
program_argv (TsLocalServer *self,
              const char    *program)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  if (self->server_user != NULL)
    {
      g_ptr_array_add (argv, g_strdup (self->runuser));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup (self->server_user));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (self->bindir, program, NULL));

  return argv;
}

/* Runs PostgreSQL's @program with @args as the server's user. */
static gboolean
run_pg_program (TsLocalServer       *self,
                const char          *program,
                const char * const  *args,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(GPtrArray) argv = program_argv (self, program);

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  return run_command ((const char * const *)argv->pdata, self->log_file, NULL, cancellable, error);
}

/* Finding PostgreSQL */

static gboolean
bindir_has_server (const char *bindir)
{
  for (guint i = 0; i < G_N_ELEMENTS (server_programs); i++)
    {
      g_autofree char *path = g_build_filename (bindir, server_programs[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return FALSE;
    }

  return TRUE;
}

static void
set_not_installed_error (GError     **error,
                         const char  *bindir)
{
  const char *install = _("Install the PostgreSQL server: on Debian or Ubuntu "
                          "“sudo apt install postgresql”, on Fedora "
                          "“sudo dnf install postgresql-server”; or set TS_PG_BINDIR "
                          "to the directory that holds initdb, pg_ctl and postgres.");

  if (bindir == NULL)
    g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_NOT_INSTALLED,
                 "%s %s", _("PostgreSQL’s server programs (initdb, pg_ctl, postgres) were not found."),
                 install);
  else
    g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_NOT_INSTALLED,
                 _("%s does not hold PostgreSQL’s server programs (initdb, pg_ctl, postgres). %s"),
                 bindir, install);
}

/* The highest-numbered DIR/PREFIX<version>SUFFIX that holds a server, such
 * as /usr/lib/postgresql/15/bin for ("/usr/lib/postgresql", "", "/bin"). */
static char *
find_newest (const char *dir,
             const char *prefix,
             const char *suffix)
{
  g_autoptr(GDir) versions = g_dir_open (dir, 0, NULL);
  g_autofree char *best = NULL;
  double best_version = 0;
  const char *name;

  while (versions != NULL && (name = g_dir_read_name (versions)) != NULL)
    {
      g_autofree char *bindir = NULL;
      const char *number;
      char *end;
      double version;

      if (!g_str_has_prefix (name, prefix))
        continue;

      number = name + strlen (prefix);
      version = g_ascii_strtod (number, &end);
      if (end == number || *end != '\0' || version <= best_version)
        continue;

      bindir = g_strconcat (dir, "/", name, suffix, NULL);
      if (bindir_has_server (bindir))
        {
          best_version = version;
          g_free (best);
          best = g_steal_pointer (&bindir);
        }
    }

  return g_steal_pointer (&best);
}

static char *
find_bindir (GError **error)
{
  const char *from_env = g_getenv ("TS_PG_BINDIR");
  static const char * const fixed[] = { "/usr/bin", "/usr/local/pgsql/bin" };
  g_autofree char *pg_config = NULL;
  g_autofree char *pg_ctl = NULL;
  char *bindir;

  if (from_env != NULL && *from_env != '\0')
    {
      if (bindir_has_server (from_env))
        return g_strdup (from_env);

      set_not_installed_error (error, from_env);
      return NULL;
    }

  /* Debian's pg_config comes with libpq-dev and names its own version's
   * directory, which may not hold a server, so it is only a first guess. */
  pg_config = g_find_program_in_path ("pg_config");
  if (pg_config != NULL)
    {
      const char * const argv[] = { pg_config, "--bindir", NULL };
      g_autofree char *found = NULL;

      if (run_command (argv, NULL, &found, NULL, NULL) && bindir_has_server (found))
        return g_steal_pointer (&found);
    }

  if ((bindir = find_newest ("/usr/lib/postgresql", "", "/bin")) != NULL ||
      (bindir = find_newest ("/usr", "pgsql-", "/bin")) != NULL)
    return bindir;

  pg_ctl = g_find_program_in_path ("pg_ctl");
  if (pg_ctl != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (pg_ctl);

      if (bindir_has_server (dir))
        return g_steal_pointer (&dir);
    }

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    if (bindir_has_server (fixed[i]))
      return g_strdup (fixed[i]);

  /* Fedora's postgresql-upgrade keeps the previous release here. */
  if ((bindir = find_newest ("/usr/lib64/pgsql", "postgresql-", "/bin")) != NULL)
    return bindir;

  set_not_installed_error (error, NULL);
  return NULL;
}

/* As root, PostgreSQL runs as the postgres system user, else nobody. */
static gboolean
find_server_user (TsLocalServer  *self,
                  GError        **error)
{
  static const char * const users[] = { "postgres", "nobody" };
  static const char * const runusers[] = { "/usr/sbin/runuser", "/sbin/runuser" };

  for (guint i = 0; i < G_N_ELEMENTS (users) && self->server_user == NULL; i++)
    {
      struct passwd *entry = getpwnam (users[i]);

      if (entry != NULL && entry->pw_uid != 0)
        {
          self->server_user = g_strdup (users[i]);
          self->server_uid = entry->pw_uid;
          self->server_gid = entry->pw_gid;
        }
    }

  if (self->server_user == NULL)
    {
      g_set_error_literal (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_NO_SERVER_USER,
                           _("PostgreSQL cannot run as root, and there is neither a “postgres” "
                             "nor a “nobody” user to run it as. Run TaskSteper as a normal user, "
                             "or create the postgres user (installing the postgresql package "
                             "does)."));
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
      g_clear_pointer (&self->server_user, g_free);
      g_set_error_literal (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_NO_SERVER_USER,
                           _("PostgreSQL cannot run as root, and runuser is missing to run it as "
                             "another user: install util-linux, or run TaskSteper as a normal "
                             "user."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
find_programs_locked (TsLocalServer  *self,
                      GError        **error)
{
  if (self->bindir == NULL)
    {
      self->bindir = find_bindir (error);
      if (self->bindir == NULL)
        return FALSE;
      self->bindir_found = TRUE;
    }
  else if (!bindir_has_server (self->bindir))
    {
      set_not_installed_error (error, self->bindir);
      return FALSE;
    }

  if (geteuid () == 0 && self->server_user == NULL && !find_server_user (self, error))
    return FALSE;

  return TRUE;
}

/* Directories */

static uid_t
get_server_uid (TsLocalServer *self)
{
  return self->server_user != NULL ? self->server_uid : geteuid ();
}

static gboolean set_dir_error (GError     **error,
                               const char  *format,
                               ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_dir_error (GError     **error,
               const char  *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY, message);
  return FALSE;
}

/* Creates @path when needed (mode 0700, given to the server's user when
 * we are root) and refuses a symbolic link.  When @own, the directory is
 * the server's alone (the socket's, the cluster's), whoever made it: it
 * must be the server user's, and is made mode 0700.  Otherwise (where the
 * log goes, which may be a directory of the caller's) one that was there
 * is left as it is. */
static gboolean
ensure_dir (TsLocalServer  *self,
            const char     *path,
            gboolean        own,
            GError        **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  uid_t owner = get_server_uid (self);
  gboolean created;
  GStatBuf info;
  int saved_errno;

  /* Parents made for a server user must let it through; our own stay
   * private, as GLib's user directories are. */
  if (g_mkdir_with_parents (parent, self->server_user != NULL ? 0755 : 0700) != 0)
    {
      saved_errno = errno;
      return set_dir_error (error, _("Could not create the directory %s: %s"),
                            parent, g_strerror (saved_errno));
    }

  created = g_mkdir (path, 0700) == 0;
  if (!created && errno != EEXIST)
    {
      saved_errno = errno;
      return set_dir_error (error, _("Could not create the directory %s: %s"),
                            path, g_strerror (saved_errno));
    }

  if (g_lstat (path, &info) != 0)
    {
      saved_errno = errno;
      return set_dir_error (error, _("Could not read %s: %s"), path, g_strerror (saved_errno));
    }

  if (!S_ISDIR (info.st_mode))
    {
      g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY,
                   _("%s must be a directory of its own, not a link or a file: remove it, "
                     "and it will be created again."), path);
      return FALSE;
    }

  if (!own && !created && self->server_user == NULL)
    return TRUE;

  /* As root, what we created is given to the server's user. */
  if (info.st_uid != owner && info.st_uid == geteuid () && self->server_user != NULL &&
      (own || created))
    {
      if (chown (path, self->server_uid, self->server_gid) != 0)
        {
          saved_errno = errno;
          return set_dir_error (error, _("Could not give %s to the PostgreSQL server’s user: %s"),
                                path, g_strerror (saved_errno));
        }
      info.st_uid = owner;
    }

  if (!own)
    return TRUE;

  if (info.st_uid != owner)
    {
      g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY,
                   _("%s belongs to another user, who could then reach the server: remove it, "
                     "or choose another directory."), path);
      return FALSE;
    }

  if ((info.st_mode & 07777) != 0700 && g_chmod (path, 0700) != 0)
    {
      saved_errno = errno;
      return set_dir_error (error, _("Could not make %s private (mode 0700): %s"),
                            path, g_strerror (saved_errno));
    }

  return TRUE;
}

/* Whether the server's user may enter every directory above @path. */
static gboolean
server_user_can_reach (TsLocalServer  *self,
                       const char     *path,
                       GError        **error)
{
  g_autofree char *current = g_path_get_dirname (path);

  for (;;)
    {
      g_autofree char *parent = NULL;
      GStatBuf info;
      gboolean searchable;

      if (g_stat (current, &info) != 0)
        {
          int saved_errno = errno;

          return set_dir_error (error, _("Could not read %s: %s"), current, g_strerror (saved_errno));
        }

      if (info.st_uid == self->server_uid)
        searchable = (info.st_mode & S_IXUSR) != 0;
      else if (info.st_gid == self->server_gid)
        searchable = (info.st_mode & S_IXGRP) != 0;
      else
        searchable = (info.st_mode & S_IXOTH) != 0;

      if (!searchable)
        {
          g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY,
                       _("The PostgreSQL server runs as the user “%s”, who may not enter %s, "
                         "and so cannot use %s: choose a directory that user can reach, "
                         "such as one under /var/tmp."),
                       self->server_user, current, path);
          return FALSE;
        }

      parent = g_path_get_dirname (current);
      if (g_str_equal (parent, current))
        return TRUE;

      g_free (current);
      current = g_steal_pointer (&parent);
    }
}

/* Prepares the log's directory (@log_dir, or NULL) and the server's own
 * (@own_dirs), the outer ones first, then checks that the server's user can
 * reach each of them. */
static gboolean
prepare_dirs (TsLocalServer       *self,
              const char          *log_dir,
              const char * const  *own_dirs,
              GError             **error)
{
  if (log_dir != NULL && !ensure_dir (self, log_dir, FALSE, error))
    return FALSE;

  for (guint i = 0; own_dirs[i] != NULL; i++)
    if (!ensure_dir (self, own_dirs[i], TRUE, error))
      return FALSE;

  if (self->server_user == NULL)
    return TRUE;

  if (log_dir != NULL && !server_user_can_reach (self, log_dir, error))
    return FALSE;

  for (guint i = 0; own_dirs[i] != NULL; i++)
    if (!server_user_can_reach (self, own_dirs[i], error))
      return FALSE;

  return TRUE;
}

/* pg_ctl appends to the log as the server's user: as root, the log is
 * made that user's first, since its directory may not be. */
static gboolean
prepare_log_file (TsLocalServer  *self,
                  GError        **error)
{
  int fd;
  int saved_errno;

  if (self->server_user == NULL)
    return TRUE;

  fd = g_open (self->log_file, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || fchown (fd, self->server_uid, self->server_gid) != 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        close (fd);
      return set_dir_error (error, _("Could not give the log %s to the PostgreSQL server’s user: %s"),
                            self->log_file, g_strerror (saved_errno));
    }

  close (fd);
  return TRUE;
}

/* The server's state on disk */

static char *
dup_socket_path (TsLocalServer *self)
{
  g_autofree char *name = g_strdup_printf (".s.PGSQL.%u", self->port);

  return g_build_filename (self->socket_dir, name, NULL);
}

static GPid
read_pid (TsLocalServer *self)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  gint64 pid;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  pid = g_ascii_strtoll (contents, NULL, 10);

  return pid > 0 && pid <= G_MAXINT ? (GPid)pid : 0;
}

GPid
ts_local_server_get_pid (TsLocalServer *self)
{
  GPid pid;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), 0);

  pid = read_pid (self);

  return pid > 0 && kill (pid, 0) == 0 ? pid : 0;
}

gboolean
ts_local_server_is_running (TsLocalServer *self)
{
  g_autofree char *socket_path = NULL;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);

  socket_path = dup_socket_path (self);

  return ts_local_server_get_pid (self) != 0 && g_file_test (socket_path, G_FILE_TEST_EXISTS);
}

gboolean
ts_local_server_is_initialized (TsLocalServer *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);

  path = g_build_filename (self->data_dir, "PG_VERSION", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Configuration */

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

/* unix_socket_directories is a comma-separated list, whose elements may be
 * double-quoted (with "" for a double quote). */
static char *
quote_socket_dirs (const char *dir)
{
  g_autoptr(GString) element = g_string_new (NULL);

  if (strpbrk (dir, ",\" \t") == NULL)
    {
      g_string_assign (element, dir);
    }
  else
    {
      g_string_assign (element, "\"");
      for (const char *p = dir; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (element, '"');
          g_string_append_c (element, *p);
        }
      g_string_append_c (element, '"');
    }

  return quote_conf_value (element->str);
}

static gboolean
write_file (TsLocalServer  *self,
            const char     *path,
            const char     *contents,
            gboolean        append,
            GError        **error)
{
  FILE *file;
  int saved_errno;
  gboolean written;

  /* Appending keeps the file's owner, the server's user. */
  file = g_fopen (path, append ? "a" : "w");
  if (file == NULL)
    {
      saved_errno = errno;
      return set_dir_error (error, _("Could not write %s: %s"), path, g_strerror (saved_errno));
    }

  written = fputs (contents, file) >= 0;
  saved_errno = errno;
  if (fclose (file) != 0 && written)
    {
      written = FALSE;
      saved_errno = errno;
    }

  if (!written)
    return set_dir_error (error, _("Could not write %s: %s"), path, g_strerror (saved_errno));

  if (!append && self->server_user != NULL &&
      chown (path, self->server_uid, self->server_gid) != 0)
    {
      saved_errno = errno;
      return set_dir_error (error, _("Could not give %s to the PostgreSQL server’s user: %s"),
                            path, g_strerror (saved_errno));
    }

  return TRUE;
}

/* Our settings live in a file of their own, rewritten at every start, so
 * that a socket directory that moved (a new runtime directory, say) is
 * followed. */
static gboolean
include_local_conf (TsLocalServer  *self,
                    GError        **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postgresql.conf", NULL);

  return write_file (self, path,
                     "\n"
                     "# TaskSteper's own server (ts-local-server.c) rewrites this file at every\n"
                     "# start: reachable only through its Unix socket.\n"
                     "include_if_exists = '" LOCAL_CONF "'\n",
                     TRUE, error);
}

/* Whether postgresql.conf includes ours: a first start cut short between
 * initdb and include_local_conf() (the program killed meanwhile) left a
 * cluster that would listen where PostgreSQL's defaults say. */
static gboolean
includes_local_conf (TsLocalServer *self)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postgresql.conf", NULL);
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) &&
         strstr (contents, "\ninclude_if_exists = '" LOCAL_CONF "'\n") != NULL;
}

static gboolean
write_local_conf (TsLocalServer  *self,
                  GError        **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, LOCAL_CONF, NULL);
  g_autofree char *socket_dirs = quote_socket_dirs (self->socket_dir);
  g_autoptr(GString) conf = g_string_new (NULL);

  g_string_append_printf (conf,
                          "# Written by TaskSteper (ts-local-server.c) at every start; changes\n"
                          "# here are lost.  The socket is the only way in.\n"
                          "listen_addresses = ''\n"
                          "unix_socket_directories = %s\n"
                          "unix_socket_permissions = 0700\n"
                          "port = %u\n",
                          socket_dirs, self->port);
  if (!self->durable)
    g_string_append (conf,
                     "# A throwaway cluster: fast, and unsafe after a crash.\n"
                     "fsync = off\n"
                     "full_page_writes = off\n"
                     "synchronous_commit = off\n");
  for (guint i = 0; i < self->settings->len; i++)
    g_string_append_printf (conf, "%s\n", (const char *)g_ptr_array_index (self->settings, i));

  return write_file (self, path, conf->str, FALSE, error);
}

/* C.UTF-8 where the C library has it (Debian, Fedora 35 and later), else
 * en_US.UTF-8, else C, which also suits UTF8. */
static const char *
choose_locale (void)
{
  static const char * const candidates[] = { "C.UTF-8", "en_US.UTF-8" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      locale_t locale = newlocale (LC_ALL_MASK, candidates[i], (locale_t)0);

      if (locale != (locale_t)0)
        {
          freelocale (locale);
          return candidates[i];
        }
    }

  return "C";
}

static gboolean
initdb (TsLocalServer  *self,
        GCancellable   *cancellable,
        GError        **error)
{
  g_autofree char *locale = g_strconcat ("--locale=", choose_locale (), NULL);
  const char * const args[] = {
    "-D", self->data_dir, "-U", TS_LOCAL_SERVER_SUPERUSER,
    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", locale,
    self->durable ? NULL : "--no-sync", NULL
  };

  return run_pg_program (self, "initdb", args, cancellable, error);
}

static gboolean
pg_ctl_start (TsLocalServer  *self,
              GCancellable   *cancellable,
              GError        **error)
{
  const char * const args[] = {
    "start", "-D", self->data_dir, "-l", self->log_file, "-w", "-t", PG_CTL_TIMEOUT, NULL
  };

  return run_pg_program (self, "pg_ctl", args, cancellable, error);
}

static gboolean
pg_ctl_stop (TsLocalServer          *self,
             TsLocalServerStopMode   mode,
             GCancellable           *cancellable,
             GError                **error)
{
  const char * const args[] = {
    "stop", "-D", self->data_dir, "-m", mode == TS_LOCAL_SERVER_STOP_IMMEDIATE ? "immediate" : "fast",
    "-w", "-t", PG_CTL_TIMEOUT, NULL
  };

  return run_pg_program (self, "pg_ctl", args, cancellable, error);
}

/* The guardian: stops the server when the program that started it is
 * gone, however it ended (a crash, SIGKILL), so that no server is left
 * running for nobody.
 *
 * It is a shell of its own session (Ctrl+C in the terminal and a logout
 * reach the program, not it) that reads its standard input, a pipe whose
 * other end only this process holds (GLib opens it close-on-exec, so
 * neither pg_ctl nor the postmaster inherits it).  The pipe ends when this
 * process does, whatever killed it; a program that stopped its server
 * itself says "done" first.  Otherwise the guardian runs `pg_ctl stop -m
 * fast` as the server's user (runuser when we are root, who may also read
 * the postmaster.pid of the postgres user's cluster), waiting a few seconds
 * for a pg_ctl start that was still on its way. */
static const char guardian_script[] =
  "read -r word || word=\n"
  "[ \"$word\" = done ] && exit 0\n"
  "data=$1\n"
  "shift\n"
  "i=0\n"
  "while [ $i -lt 20 ]; do\n"
  "  if [ -f \"$data/postmaster.pid\" ]; then\n"
  "    exec \"$@\" stop -D \"$data\" -m fast -w -t " PG_CTL_TIMEOUT "\n"
  "  fi\n"
  "  sleep 0.5\n"
  "  i=$((i + 1))\n"
  "done\n";

static void
leave_session (gpointer user_data)
{
  (void)setsid ();
}

static gboolean
start_guardian (TsLocalServer  *self,
                GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = program_argv (self, "pg_ctl");

  if (!self->guarded || self->guardian != NULL)
    return TRUE;

  g_ptr_array_insert (argv, 0, g_strdup ("/bin/sh"));
  g_ptr_array_insert (argv, 1, g_strdup ("-c"));
  g_ptr_array_insert (argv, 2, g_strdup (guardian_script));
  g_ptr_array_insert (argv, 3, g_strdup ("tasksteper-server-guardian"));
  g_ptr_array_insert (argv, 4, g_strdup (self->data_dir));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  for (guint i = 0; i < G_N_ELEMENTS (pg_environment); i++)
    g_subprocess_launcher_unsetenv (launcher, pg_environment[i]);
  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_set_child_setup (launcher, leave_session, NULL, NULL);

  self->guardian = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, error);

  return self->guardian != NULL;
}

/* The server is down by our own hand: the guardian may go. */
static void
dismiss_guardian (TsLocalServer *self)
{
  g_autoptr(GSubprocess) guardian = g_steal_pointer (&self->guardian);
  GOutputStream *input;

  if (guardian == NULL)
    return;

  input = g_subprocess_get_stdin_pipe (guardian);
  g_output_stream_write_all (input, "done\n", 5, NULL, NULL, NULL);
  g_output_stream_close (input, NULL, NULL);
  /* It exits at once; reaped by GLib's child watch. */
}

/* Starting and stopping */

static gboolean
start_locked (TsLocalServer  *self,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autofree char *socket_path = dup_socket_path (self);
  g_autofree char *log_dir = g_path_get_dirname (self->log_file);
  gboolean created = FALSE;

  if (!find_programs_locked (self, error))
    return FALSE;

  if (strlen (socket_path) > SOCKET_PATH_MAX)
    {
      g_set_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY,
                   _("The server’s socket %s would have a longer path than a Unix socket "
                     "may (%d bytes): choose a shorter directory."),
                   socket_path, SOCKET_PATH_MAX);
      return FALSE;
    }

  {
    const char * const dirs[] = { self->socket_dir, NULL };

    if (!prepare_dirs (self, log_dir, dirs, error) || !prepare_log_file (self, error))
      return FALSE;
  }

  /* Before anything starts the server, so that it is guarded from its
   * first moment, also one left running that we now use. */
  if (!start_guardian (self, error))
    return FALSE;

  /* Left running by a program that ended without stopping it: use it. */
  if (ts_local_server_is_running (self))
    {
      self->created = FALSE;
      return TRUE;
    }

  if (!ts_local_server_is_initialized (self))
    {
      const char * const dirs[] = { self->data_dir, NULL };

      if (!prepare_dirs (self, NULL, dirs, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !initdb (self, cancellable, error) ||
          !include_local_conf (self, error))
        return FALSE;
      created = TRUE;
    }

  if (!created && !includes_local_conf (self) && !include_local_conf (self, error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !write_local_conf (self, error) ||
      !pg_ctl_start (self, cancellable, error))
    return FALSE;

  self->created = created;

  return TRUE;
}

/* Whether the postmaster that wrote postmaster.pid has died without
 * removing it (killed with SIGKILL, say), which makes pg_ctl stop fail. */
static gboolean
postmaster_is_gone (TsLocalServer *self)
{
  g_autofree char *pid_file = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  GPid pid = read_pid (self);

  if (pid == 0)
    return !g_file_test (pid_file, G_FILE_TEST_EXISTS);

  return kill (pid, 0) != 0 && errno == ESRCH;
}

static gboolean
stop_locked (TsLocalServer          *self,
             TsLocalServerStopMode   mode,
             GCancellable           *cancellable,
             GError                **error)
{
  g_autofree char *pid_file = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  g_autoptr(GError) local_error = NULL;

  /* Also when the server was never reported started: pg_ctl may have
   * started it and given up waiting. */
  if (!g_file_test (pid_file, G_FILE_TEST_EXISTS))
    {
      dismiss_guardian (self);
      return TRUE;
    }

  if (!find_programs_locked (self, error))
    return FALSE;

  if (pg_ctl_stop (self, mode, cancellable, &local_error) || postmaster_is_gone (self))
    {
      dismiss_guardian (self);
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The object */

static void
ts_local_server_finalize (GObject *object)
{
  TsLocalServer *self = (TsLocalServer *)object;

  /* A server still running when nothing holds it any more is stopped:
   * the guardian reads the end of its pipe. */
  g_clear_object (&self->guardian);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->socket_dir, g_free);
  g_clear_pointer (&self->log_file, g_free);
  g_clear_pointer (&self->bindir, g_free);
  g_clear_pointer (&self->settings, g_ptr_array_unref);
  g_clear_pointer (&self->runuser, g_free);
  g_clear_pointer (&self->server_user, g_free);

  G_OBJECT_CLASS (ts_local_server_parent_class)->finalize (object);
}

static void
ts_local_server_constructed (GObject *object)
{
  TsLocalServer *self = (TsLocalServer *)object;

  G_OBJECT_CLASS (ts_local_server_parent_class)->constructed (object);

  g_assert (self->data_dir != NULL && self->socket_dir != NULL);

  if (self->log_file == NULL)
    {
      g_autofree char *parent = g_path_get_dirname (self->data_dir);

      self->log_file = g_build_filename (parent, "server.log", NULL);
    }
}

static void
ts_local_server_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TsLocalServer *self = TS_LOCAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_SOCKET_DIR:
      g_value_set_string (value, self->socket_dir);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_LOG_FILE:
      g_value_set_string (value, self->log_file);
      break;
    case PROP_DURABLE:
      g_value_set_boolean (value, self->durable);
      break;
    case PROP_BINDIR:
      g_value_set_string (value, ts_local_server_get_bindir (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_local_server_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TsLocalServer *self = TS_LOCAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_SOCKET_DIR:
      self->socket_dir = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_LOG_FILE:
      self->log_file = g_value_dup_string (value);
      break;
    case PROP_DURABLE:
      self->durable = g_value_get_boolean (value);
      break;
    case PROP_BINDIR:
      ts_local_server_set_bindir (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_local_server_class_init (TsLocalServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ts_local_server_constructed;
  object_class->finalize = ts_local_server_finalize;
  object_class->get_property = ts_local_server_get_property;
  object_class->set_property = ts_local_server_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOCKET_DIR] =
    g_param_spec_string ("socket-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 1, 65535, 5432,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_FILE] =
    g_param_spec_string ("log-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURABLE] =
    g_param_spec_boolean ("durable", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BINDIR] =
    g_param_spec_string ("bindir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_local_server_init (TsLocalServer *self)
{
  g_mutex_init (&self->lock);
  self->port = 5432;
  self->durable = TRUE;
  self->settings = g_ptr_array_new_with_free_func (g_free);
}

TsLocalServer *
ts_local_server_new (const char *data_dir,
                     const char *socket_dir,
                     guint       port)
{
  g_return_val_if_fail (data_dir != NULL && g_path_is_absolute (data_dir), NULL);
  g_return_val_if_fail (socket_dir != NULL && g_path_is_absolute (socket_dir), NULL);
  g_return_val_if_fail (port > 0 && port <= 65535, NULL);

  return g_object_new (TS_TYPE_LOCAL_SERVER,
                       "data-dir", data_dir,
                       "socket-dir", socket_dir,
                       "port", port,
                       NULL);
}

const char *
ts_local_server_get_data_dir (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);
  return self->data_dir;
}

const char *
ts_local_server_get_socket_dir (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);
  return self->socket_dir;
}

guint
ts_local_server_get_port (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), 0);
  return self->port;
}

const char *
ts_local_server_get_log_file (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);
  return self->log_file;
}

gboolean
ts_local_server_get_durable (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  return self->durable;
}

const char *
ts_local_server_get_bindir (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);
  return self->bindir;
}

void
ts_local_server_set_bindir (TsLocalServer *self,
                            const char    *bindir)
{
  g_return_if_fail (TS_IS_LOCAL_SERVER (self));

  g_mutex_lock (&self->lock);
  if (g_strcmp0 (bindir, self->bindir) == 0 && !self->bindir_found)
    {
      g_mutex_unlock (&self->lock);
      return;
    }

  g_free (self->bindir);
  self->bindir = g_strdup (bindir);
  self->bindir_found = FALSE;
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BINDIR]);
}

void
ts_local_server_set_setting (TsLocalServer *self,
                             const char    *name,
                             const char    *value)
{
  g_autofree char *quoted = NULL;

  g_return_if_fail (TS_IS_LOCAL_SERVER (self));
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (value != NULL);

  for (const char *p = name; *p != '\0'; p++)
    g_return_if_fail (g_ascii_isalnum (*p) || *p == '_' || *p == '.');

  quoted = quote_conf_value (value);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->settings, g_strdup_printf ("%s = %s", name, quoted));
  g_mutex_unlock (&self->lock);
}

gboolean
ts_local_server_find_programs (TsLocalServer  *self,
                               GError        **error)
{
  gboolean found;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  found = find_programs_locked (self, error);
  g_mutex_unlock (&self->lock);

  return found;
}

const char *
ts_local_server_get_server_user (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);
  return self->server_user;
}

GStrv
ts_local_server_dup_program_argv (TsLocalServer *self,
                                  const char    *program)
{
  GPtrArray *argv;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);
  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (self->bindir != NULL, NULL);

  g_mutex_lock (&self->lock);
  argv = program_argv (self, program);
  g_mutex_unlock (&self->lock);
  g_ptr_array_add (argv, NULL);

  return (GStrv)g_ptr_array_free (argv, FALSE);
}

void
ts_local_server_set_guarded (TsLocalServer *self,
                             gboolean       guarded)
{
  g_return_if_fail (TS_IS_LOCAL_SERVER (self));

  g_mutex_lock (&self->lock);
  self->guarded = guarded;
  g_mutex_unlock (&self->lock);
}

gboolean
ts_local_server_get_created (TsLocalServer *self)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  return self->created;
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
ts_local_server_dup_conninfo (TsLocalServer *self,
                              const char    *dbname,
                              const char    *user)
{
  GString *conninfo;
  g_autofree char *port = NULL;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), NULL);

  conninfo = g_string_new (NULL);
  port = g_strdup_printf ("%u", self->port);
  append_conninfo (conninfo, "host", self->socket_dir);
  append_conninfo (conninfo, "port", port);
  append_conninfo (conninfo, "dbname", dbname != NULL ? dbname : TS_LOCAL_SERVER_SUPERUSER);
  append_conninfo (conninfo, "user", user != NULL ? user : TS_LOCAL_SERVER_SUPERUSER);

  return g_string_free (conninfo, FALSE);
}

gboolean
ts_local_server_start (TsLocalServer  *self,
                       GCancellable   *cancellable,
                       GError        **error)
{
  gboolean started;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  started = start_locked (self, cancellable, error);
  g_mutex_unlock (&self->lock);

  return started;
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (ts_local_server_start (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ts_local_server_start_async (TsLocalServer       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TS_IS_LOCAL_SERVER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_local_server_start_async);
  g_task_run_in_thread (task, start_thread);
}

gboolean
ts_local_server_start_finish (TsLocalServer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ts_local_server_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ts_local_server_stop (TsLocalServer          *self,
                      TsLocalServerStopMode   mode,
                      GCancellable           *cancellable,
                      GError                **error)
{
  gboolean stopped;

  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  stopped = stop_locked (self, mode, cancellable, error);
  g_mutex_unlock (&self->lock);

  return stopped;
}

static void
stop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (ts_local_server_stop (source_object, GPOINTER_TO_INT (task_data), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ts_local_server_stop_async (TsLocalServer         *self,
                            TsLocalServerStopMode  mode,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TS_IS_LOCAL_SERVER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_local_server_stop_async);
  g_task_set_task_data (task, GINT_TO_POINTER (mode), NULL);
  g_task_run_in_thread (task, stop_thread);
}

gboolean
ts_local_server_stop_finish (TsLocalServer  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (TS_IS_LOCAL_SERVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ts_local_server_stop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
