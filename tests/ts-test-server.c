/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starts throwaway PostgreSQL clusters for tests; see ts-test-server.h. */

#include "config.h"

#include "ts-test-server.h"
#include "ts-local-server.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <pwd.h>
#include <unistd.h>

#define PORT_MIN        20000
#define PORT_MAX        60000
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
  char          *dir;       /* the socket directory, holding data/ and server.log */
  char          *data_dir;
  TsLocalServer *server;    /* initdb, pg_ctl and, as root, runuser: ts-local-server.c */
  guint          port;
  guint          last_database;
  State          state;
  GSubprocess   *watchdog;
  /* ts_test_server_start_tls(): the CA the test made, and the superuser's
   * password, which TCP connections need (initdb's scram-sha-256). */
  char          *ca_file;
  char          *password;
};

/* Variables that initdb, pg_ctl or the server would read instead of the
 * settings we give them. */
static const char * const pg_environment[] = {
  "PGDATA", "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS",
};

/* Waits for its standard input, a pipe that only the test program can write
 * to and never does, to reach end-of-file, which happens when the program
 * exits or dies however it dies.  Then it stops the cluster in $1/data with
 * the rest of the arguments (pg_ctl, through runuser as root) and removes
 * $1.  When the program cleans up by itself, it kills the watchdog. */
static const char watchdog_script[] =
  "read -r _\n"
  "dir=$1\n"
  "shift\n"
  "for pid in \"$dir\"/pgbouncer-*.pid; do\n"
  "  [ -f \"$pid\" ] && kill \"$(cat \"$pid\")\"\n"
  "done\n"
  "if [ -f \"$dir/data/postmaster.pid\" ]; then\n"
  "  \"$@\" stop -D \"$dir/data\" -m immediate -w -t " PG_CTL_TIMEOUT "\n"
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
choose_base_dir (void)
{
  const char *tmp = g_get_tmp_dir ();
  gsize socket_path_length = strlen (tmp) + strlen ("/ts-pg-XXXXXX/.s.PGSQL.65535");

  if (socket_path_length > SOCKET_PATH_MAX)
    return "/tmp";
  if (geteuid () == 0 && !searchable_by_all (tmp))
    return "/tmp";

  return tmp;
}

static gboolean
make_dir (TsTestServer  *self,
          GError       **error)
{
  g_autofree char *template = g_build_filename (choose_base_dir (), "ts-pg-XXXXXX", NULL);
  int saved_errno;

  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create a directory for the test server like %s: %s",
                   template, g_strerror (saved_errno));
      return FALSE;
    }

  /* As root, TsLocalServer gives the directory to the server's user. */
  self->dir = g_steal_pointer (&template);
  self->data_dir = g_build_filename (self->dir, "data", NULL);

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
  g_auto(GStrv) pg_ctl = NULL;

  g_ptr_array_add (argv, g_strdup ("/bin/sh"));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (watchdog_script));
  g_ptr_array_add (argv, g_strdup ("ts-test-server-watchdog"));
  g_ptr_array_add (argv, g_strdup (self->dir));
  pg_ctl = ts_local_server_dup_program_argv (self->server, "pg_ctl");
  for (guint i = 0; pg_ctl[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (pg_ctl[i]));
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

/* Makes the directory, the TsLocalServer and the watchdog of a cluster
 * that is not started yet: the first half of every ts_test_server_start*(). */
static TsTestServer *
server_prepare (guint    port,
                GError **error)
{
  g_autoptr(TsTestServer) self = g_new0 (TsTestServer, 1);

  self->state = STATE_STOPPED;
  self->port = port != 0 ? port : (guint)g_random_int_range (PORT_MIN, PORT_MAX + 1);

  if (!make_dir (self, error))
    {
      if (self->dir != NULL)
        g_rmdir (self->dir);
      return NULL;
    }

  /* Throwaway: no fsync (durable = FALSE), and room for the connections
   * of the tests that run in parallel. */
  self->server = g_object_new (TS_TYPE_LOCAL_SERVER,
                               "data-dir", self->data_dir,
                               "socket-dir", self->dir,
                               "port", self->port,
                               "durable", FALSE,
                               NULL);
  ts_local_server_set_setting (self->server, "max_connections", "50");

  if (!ts_local_server_find_programs (self->server, error))
    {
      g_rmdir (self->dir);
      return NULL;
    }

  /* From here on, the directory goes away when the server is stopped, at
   * the latest when the program exits or dies. */
  self->state = STATE_CREATED;
  register_server (self);
  if (!start_watchdog (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static gboolean
server_start (TsTestServer  *self,
              GError       **error)
{
  if (!ts_local_server_start (self->server, NULL, error))
    return FALSE;

  self->state = STATE_RUNNING;

  return TRUE;
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
  g_autoptr(TsTestServer) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = server_prepare (0, error);
  if (self == NULL || !server_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* As root, gives @path to the user the server runs as, who must read the
 * server's key or write the standby's data directory. */
static gboolean
give_to_server_user (TsTestServer  *self,
                     const char    *path,
                     GError       **error)
{
  const char *user = ts_local_server_get_server_user (self->server);
  struct passwd *entry;
  int saved_errno;

  if (user == NULL)
    return TRUE;

  entry = getpwnam (user);
  if (entry == NULL || chown (path, entry->pw_uid, entry->pw_gid) != 0)
    {
      saved_errno = entry == NULL ? ENOENT : errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not give %s to %s: %s", path, user, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Runs @argv, failing with its output. */
static gboolean
run_program (const char * const  *argv,
             GError             **error)
{
  g_autofree char *output = NULL;
  int status;

  if (!g_spawn_sync ("/", (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &output, &status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *command = g_strjoinv (" ", (char **)argv);

      g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                   "“%s” failed: %s", command, output != NULL ? output : "");
      return FALSE;
    }

  return TRUE;
}

/* A free TCP port on 127.0.0.1, as the kernel hands them out: another
 * program may still take it before the server does, which the random
 * ports of the socket-only clusters risk too. */
static guint
find_free_port (GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, any_port, FALSE, error))
    return 0;

  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return 0;

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A CA (tls/ca.crt) and a server certificate it signs for localhost and
 * 127.0.0.1 (tls/server.crt, tls/server.key), made with openssl(1).  The
 * key is 0600 and, as root, the server's user's, as PostgreSQL demands. */
static gboolean
make_certificates (TsTestServer  *self,
                   GError       **error)
{
  g_autofree char *tls_dir = g_build_filename (self->dir, "tls", NULL);
  g_autofree char *ca_key = g_build_filename (tls_dir, "ca.key", NULL);
  g_autofree char *ca_crt = g_build_filename (tls_dir, "ca.crt", NULL);
  g_autofree char *key = g_build_filename (tls_dir, "server.key", NULL);
  g_autofree char *csr = g_build_filename (tls_dir, "server.csr", NULL);
  g_autofree char *crt = g_build_filename (tls_dir, "server.crt", NULL);
  g_autofree char *ext = g_build_filename (tls_dir, "server.ext", NULL);
  const char * const make_ca[] = {
    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-subj", "/CN=TaskSteper test CA", "-keyout", ca_key, "-out", ca_crt, NULL
  };
  const char * const make_request[] = {
    "openssl", "req", "-newkey", "rsa:2048", "-nodes",
    "-subj", "/CN=localhost", "-keyout", key, "-out", csr, NULL
  };
  const char * const sign[] = {
    "openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
    "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", crt, NULL
  };
  const char * const files[] = { key, crt };

  if (g_mkdir (tls_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", tls_dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_set_contents (ext, "subjectAltName = DNS:localhost, IP:127.0.0.1\n", -1, error) ||
      !run_program (make_ca, error) ||
      !run_program (make_request, error) ||
      !run_program (sign, error) ||
      !give_to_server_user (self, tls_dir, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (g_chmod (files[i], 0600) != 0 || !give_to_server_user (self, files[i], error))
      {
        if (error != NULL && *error == NULL)
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "Could not make %s private: %s", files[i], g_strerror (errno));
        return FALSE;
      }

  ts_local_server_set_setting (self->server, "ssl", "on");
  ts_local_server_set_setting (self->server, "ssl_cert_file", crt);
  ts_local_server_set_setting (self->server, "ssl_key_file", key);
  self->ca_file = g_steal_pointer (&ca_crt);

  return TRUE;
}

/**
 * ts_test_server_start_tls:
 *
 * Like ts_test_server_start(), and the cluster also listens on 127.0.0.1
 * (a free port, ts_test_server_get_port()) with TLS: its certificate, for
 * localhost and 127.0.0.1, is signed by a CA made for this cluster
 * (ts_test_server_get_ca_file()).  TCP logins need the superuser's
 * password (ts_test_server_get_password()).
 *
 * Returns: (transfer full): the running server, or %NULL with @error set
 */
TsTestServer *
ts_test_server_start_tls (GError **error)
{
  g_autoptr(TsTestServer) self = NULL;
  g_autofree char *sql = NULL;
  guint port;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  port = find_free_port (error);
  if (port == 0)
    return NULL;

  self = server_prepare (port, error);
  if (self == NULL || !make_certificates (self, error))
    return NULL;

  /* After ts-local-server.c's listen_addresses = '', so it wins. */
  ts_local_server_set_setting (self->server, "listen_addresses", "127.0.0.1");
  if (!server_start (self, error))
    return NULL;

  self->password = g_strdup_printf ("ts-%08x%08x", g_random_int (), g_random_int ());
  sql = g_strdup_printf ("ALTER ROLE postgres PASSWORD '%s'", self->password);
  if (!ts_test_server_exec (self, NULL, sql, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * ts_test_server_start_standby:
 * @primary: a running cluster
 *
 * Makes a streaming standby of @primary with `pg_basebackup -R` (as the
 * server's user when root) in a directory of its own, with its own socket
 * and port, and starts it.  It replays what @primary writes until
 * ts_test_server_promote() makes it a primary.
 *
 * Returns: (transfer full): the running standby, or %NULL with @error set
 */
TsTestServer *
ts_test_server_start_standby (TsTestServer  *primary,
                              GError       **error)
{
  g_autoptr(TsTestServer) self = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) basebackup = NULL;
  g_autofree char *port = NULL;
  guint standby_port;

  g_return_val_if_fail (primary != NULL && primary->state == STATE_RUNNING, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Its own directory (so its own socket) and another port. */
  do
    standby_port = g_random_int_range (PORT_MIN, PORT_MAX + 1);
  while (standby_port == primary->port);

  self = server_prepare (standby_port, error);
  if (self == NULL)
    return NULL;

  /* pg_basebackup, as the server's user, creates data/ in our directory. */
  if (!give_to_server_user (self, self->dir, error))
    return NULL;

  port = g_strdup_printf ("%u", primary->port);
  basebackup = ts_local_server_dup_program_argv (self->server, "pg_basebackup");
  for (guint i = 0; basebackup[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (basebackup[i]));
  g_ptr_array_add (argv, g_strdup ("--pgdata"));
  g_ptr_array_add (argv, g_strdup (self->data_dir));
  g_ptr_array_add (argv, g_strdup ("--host"));
  g_ptr_array_add (argv, g_strdup (primary->dir));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup (port));
  g_ptr_array_add (argv, g_strdup ("--username"));
  g_ptr_array_add (argv, g_strdup ("postgres"));
  g_ptr_array_add (argv, g_strdup ("--write-recovery-conf"));
  g_ptr_array_add (argv, g_strdup ("--wal-method=stream"));
  g_ptr_array_add (argv, g_strdup ("--checkpoint=fast"));
  g_ptr_array_add (argv, g_strdup ("--no-sync"));
  g_ptr_array_add (argv, NULL);

  if (!run_program ((const char * const *)argv->pdata, error))
    return NULL;

  /* The copy says where the primary's socket is (primary_conninfo, in
   * postgresql.auto.conf); ts-local-server.c rewrites the rest (port,
   * socket directory) at start. */
  if (!server_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
ts_test_server_promote (TsTestServer  *self,
                        GError       **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) pg_ctl = NULL;

  g_return_val_if_fail (self != NULL && self->state == STATE_RUNNING, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pg_ctl = ts_local_server_dup_program_argv (self->server, "pg_ctl");
  for (guint i = 0; pg_ctl[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (pg_ctl[i]));
  g_ptr_array_add (argv, g_strdup ("promote"));
  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (self->data_dir));
  g_ptr_array_add (argv, g_strdup ("-w"));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup (PG_CTL_TIMEOUT));
  g_ptr_array_add (argv, NULL);

  return run_program ((const char * const *)argv->pdata, error);
}

gboolean
ts_test_server_crash (TsTestServer  *self,
                      GError       **error)
{
  g_return_val_if_fail (self != NULL && self->state == STATE_RUNNING, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ts_local_server_stop (self->server, TS_LOCAL_SERVER_STOP_IMMEDIATE, NULL, error))
    return FALSE;

  self->state = STATE_PAUSED;

  return TRUE;
}

const char *
ts_test_server_get_ca_file (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->ca_file;
}

const char *
ts_test_server_get_password (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->password;
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

  return ts_local_server_get_bindir (self->server);
}

guint
ts_test_server_get_port (TsTestServer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

char *
ts_test_server_conninfo (TsTestServer *self,
                         const char   *dbname,
                         const char   *user)
{
  g_return_val_if_fail (self != NULL, NULL);

  return ts_local_server_dup_conninfo (self->server, dbname, user);
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

  if (!ts_local_server_stop (self->server, TS_LOCAL_SERVER_STOP_FAST, NULL, error))
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

  if (!ts_local_server_start (self->server, NULL, error))
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

void
ts_test_server_stop (TsTestServer *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);

  if (self->state == STATE_STOPPED)
    return;

  /* Also when the server was never reported started: pg_ctl may have
   * started it and given up waiting.  A postmaster that died without
   * removing its postmaster.pid counts as stopped. */
  if (!ts_local_server_stop (self->server, TS_LOCAL_SERVER_STOP_IMMEDIATE, NULL, &error))
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
  g_free (self->ca_file);
  g_free (self->password);
  g_clear_object (&self->server);
  g_free (self);
}

gboolean
ts_test_process_is_alive (GPid pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return FALSE;

  /* A zombie waiting for an init that is slow to reap is dead too. */
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return FALSE;
  state = strrchr (stat, ')');

  return state == NULL || state[1] == '\0' || state[2] != 'Z';
}

/* PgBouncer */

struct _TsTestPooler
{
  TsTestServer *server;
  GSubprocess  *process;
  char         *dir;
  guint         port;
};

/* "name" as PgBouncer's auth_file quotes it. */
static void
append_quoted (GString    *str,
               const char *text)
{
  g_string_append_c (str, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (str, '"');
      g_string_append_c (str, *p);
    }
  g_string_append_c (str, '"');
}

TsTestPooler *
ts_test_pooler_start (TsTestServer        *server,
                      const char * const  *users,
                      GError             **error)
{
  g_autoptr(TsTestPooler) self = g_new0 (TsTestPooler, 1);
  g_autofree char *program = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *users_path = NULL;
  g_autofree char *socket = NULL;
  g_autoptr(GString) ini = g_string_new (NULL);
  g_autoptr(GString) userlist = g_string_new (NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  gint64 deadline;

  g_return_val_if_fail (server != NULL && server->state == STATE_RUNNING, NULL);

  program = g_find_program_in_path ("pgbouncer");
  if (program == NULL && g_file_test ("/usr/sbin/pgbouncer", G_FILE_TEST_IS_EXECUTABLE))
    program = g_strdup ("/usr/sbin/pgbouncer");
  if (program == NULL)
    {
      g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                   "pgbouncer is not installed (build-aux/deps.sh installs it)");
      return NULL;
    }

  self->server = server;
  self->dir = g_strdup (server->dir);
  do
    self->port = g_random_int_range (PORT_MIN, PORT_MAX + 1);
  while (self->port == server->port);

  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      append_quoted (userlist, users[i]);
      g_string_append (userlist, " \"\"\n");
    }
  users_path = g_strdup_printf ("%s/pgbouncer-%u.users", self->dir, self->port);
  ini_path = g_strdup_printf ("%s/pgbouncer-%u.ini", self->dir, self->port);

  /* Throwaway, on a socket only we and the cluster's user can reach:
   * trust is enough. */
  g_string_append_printf (ini,
                          "[databases]\n"
                          "* = host=%1$s port=%2$u\n"
                          "[pgbouncer]\n"
                          "listen_addr =\n"
                          "listen_port = %3$u\n"
                          "unix_socket_dir = %1$s\n"
                          "auth_type = trust\n"
                          "auth_file = %4$s\n"
                          "pool_mode = transaction\n"
                          "default_pool_size = 2\n"
                          "max_client_conn = 100\n"
                          "logfile = %1$s/pgbouncer-%3$u.log\n",
                          self->dir, server->port, self->port, users_path);
  /* PgBouncer refuses to run as root; it changes to the user we name. */
  if (geteuid () == 0)
    {
      GStatBuf info;
      struct passwd *owner;

      if (g_stat (self->dir, &info) != 0 || (owner = getpwuid (info.st_uid)) == NULL)
        {
          g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                       "Cannot tell who owns %s, to run pgbouncer as", self->dir);
          return NULL;
        }
      g_string_append_printf (ini, "user = %s\n", owner->pw_name);
    }

  if (!g_file_set_contents_full (users_path, userlist->str, -1, G_FILE_SET_CONTENTS_NONE, 0644, error) ||
      !g_file_set_contents_full (ini_path, ini->str, -1, G_FILE_SET_CONTENTS_NONE, 0644, error))
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  for (guint i = 0; i < G_N_ELEMENTS (pg_environment); i++)
    g_subprocess_launcher_unsetenv (launcher, pg_environment[i]);
  g_subprocess_launcher_set_cwd (launcher, "/");
  self->process = g_subprocess_launcher_spawn (launcher, error, program, ini_path, NULL);
  if (self->process == NULL)
    return NULL;

  /* For the watchdog, which stops it when the test program dies. */
  {
    g_autofree char *pid_path = g_strdup_printf ("%s/pgbouncer-%u.pid", self->dir, self->port);

    if (!g_file_set_contents (pid_path, g_subprocess_get_identifier (self->process), -1, error))
      return NULL;
  }

  socket = g_strdup_printf ("%s/.s.PGSQL.%u", self->dir, self->port);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_file_test (socket, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_FAILED,
                       "pgbouncer did not start; see %s/pgbouncer-%u.log", self->dir, self->port);
          return NULL;
        }
      g_usleep (20 * 1000);
    }

  return g_steal_pointer (&self);
}

char *
ts_test_pooler_conninfo (TsTestPooler *self,
                         const char   *dbname,
                         const char   *user)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("host=%s port=%u dbname=%s user=%s", self->dir, self->port,
                          dbname ? dbname : "postgres", user ? user : "postgres");
}

void
ts_test_pooler_free (TsTestPooler *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGINT);  /* "safe shutdown" is SIGINT, at once is SIGTERM */
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait (self->process, NULL, NULL);
      g_clear_object (&self->process);
    }
  {
    g_autofree char *pid_path = g_strdup_printf ("%s/pgbouncer-%u.pid", self->dir, self->port);

    g_unlink (pid_path);
  }
  g_free (self->dir);
  g_free (self);
}
