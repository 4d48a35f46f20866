/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A real, throwaway PostgreSQL cluster for database tests.
 *
 * A test program starts one server (starting takes about a second, so share
 * it between the tests of a program), gives each test its own database and
 * connects with libpq through the conninfo string:
 *
 *   static TsTestServer *server;
 *
 *   static void
 *   test_tickets_insert (void)
 *   {
 *     g_autoptr(GError) error = NULL;
 *     g_autofree char *db = ts_test_server_create_database (server, &error);
 *     g_autofree char *conninfo = NULL;
 *
 *     g_assert_no_error (error);
 *     ts_test_server_exec (server, db, "CREATE ROLE alice LOGIN", &error);
 *     g_assert_no_error (error);
 *     conninfo = ts_test_server_conninfo (server, db, "alice");
 *     ... PQconnectdb (conninfo), or hand it to the code under test ...
 *   }
 *
 *   int
 *   main (int argc, char *argv[])
 *   {
 *     g_autoptr(GError) error = NULL;
 *     int ret;
 *
 *     g_test_init (&argc, &argv, NULL);
 *     server = ts_test_server_start (&error);
 *     g_assert_no_error (error);
 *     g_test_add_func ("/ts/store/tickets/insert", test_tickets_insert);
 *     ret = g_test_run ();
 *     ts_test_server_free (server);
 *     return ret;
 *   }
 *
 * Link `ts_test_server_dep` in tests/meson.build.  Roles are cluster-wide
 * in PostgreSQL: a test that creates roles should give them names of its
 * own or drop them when done.
 *
 * The cluster lives in a fresh directory under the temporary directory
 * (/tmp when $TMPDIR is not usable, see below), listens only on a Unix
 * socket in that directory (never on TCP), trusts every local connection,
 * runs with fsync off, and is thrown away by ts_test_server_stop() or
 * ts_test_server_free().  The superuser is "postgres".
 *
 * No cluster outlives its test program: the program's exit (atexit) stops
 * what is still running, and a small watchdog process per cluster, in a
 * session of its own, stops the cluster and removes its directory when
 * the program dies any other way (a failed assertion's abort(), a crash,
 * meson's timeout killing the process group).
 *
 * Starting and stopping is TsLocalServer's (src/db/ts-local-server.h), the
 * code that runs the demo server too: it finds the PostgreSQL programs
 * ($TS_PG_BINDIR when set, else `pg_config --bindir`, else the usual Debian
 * and Fedora places) and, as root (CI), where PostgreSQL refuses to run,
 * runs initdb, pg_ctl and the server as the "postgres" system user (or
 * "nobody" without it) through runuser(1); root can still connect to the
 * socket.  This harness adds the throwaway directory, the watchdog and the
 * cleanup at exit. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TS_TEST_SERVER_ERROR (ts_test_server_error_quark ())

typedef enum
{
  TS_TEST_SERVER_ERROR_FAILED,   /* a PostgreSQL program failed, or none was found */
  TS_TEST_SERVER_ERROR_CONNECT,  /* could not connect to the server */
  TS_TEST_SERVER_ERROR_QUERY,    /* the server refused the SQL */
} TsTestServerError;

typedef struct _TsTestServer TsTestServer;

GQuark        ts_test_server_error_quark      (void);

TsTestServer *ts_test_server_start            (GError       **error);
const char   *ts_test_server_get_socket_dir   (TsTestServer  *self);
const char   *ts_test_server_get_data_dir     (TsTestServer  *self);
const char   *ts_test_server_get_bindir       (TsTestServer  *self);
guint         ts_test_server_get_port         (TsTestServer  *self);
/* A libpq conninfo string; @dbname and @user default to "postgres". */
char         *ts_test_server_conninfo         (TsTestServer  *self,
                                               const char    *dbname,
                                               const char    *user);
/* Creates an empty database owned by postgres, named "test_1", "test_2"... */
char         *ts_test_server_create_database  (TsTestServer  *self,
                                               GError       **error);
/* Runs @sql (one or more statements) as postgres in @dbname (NULL: "postgres"). */
gboolean      ts_test_server_exec             (TsTestServer  *self,
                                               const char    *dbname,
                                               const char    *sql,
                                               GError       **error);
/* Stops the server at once and removes its directory; may be called more than once. */
void          ts_test_server_stop             (TsTestServer  *self);
/* Stops the server if needed and frees @self. */
void          ts_test_server_free             (TsTestServer  *self);
/* Shuts the server down cleanly, keeping its data, to test what clients do
 * when the server goes away; ts_test_server_resume() starts it again on the
 * same socket. */
gboolean      ts_test_server_pause            (TsTestServer  *self,
                                               GError       **error);
gboolean      ts_test_server_resume           (TsTestServer  *self,
                                               GError       **error);

/* Deployment: TLS, a streaming standby, a primary that dies.
 *
 * ts_test_server_start_tls() also listens on 127.0.0.1 (loopback only,
 * a free port) with ssl = on and a certificate for localhost and
 * 127.0.0.1 signed by a CA that openssl(1) makes for this cluster; TCP
 * logins need the superuser's password.  ts_test_server_start_standby()
 * copies a running cluster with `pg_basebackup -R` into a directory of its
 * own (own socket and port) and starts it as a streaming standby;
 * ts_test_server_promote() runs `pg_ctl promote` on it, and
 * ts_test_server_crash() stops a cluster at once, the way a machine that
 * dies does, keeping its data (ts_test_server_resume() starts it again). */
TsTestServer *ts_test_server_start_tls        (GError       **error);
TsTestServer *ts_test_server_start_standby    (TsTestServer  *primary,
                                               GError       **error);
gboolean      ts_test_server_promote          (TsTestServer  *self,
                                               GError       **error);
gboolean      ts_test_server_crash            (TsTestServer  *self,
                                               GError       **error);
/* The CA certificate (PEM) of a TLS cluster, else NULL. */
const char   *ts_test_server_get_ca_file      (TsTestServer  *self);
/* The superuser's password of a TLS cluster, else NULL. */
const char   *ts_test_server_get_password     (TsTestServer  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsTestServer, ts_test_server_free)

/* A PgBouncer (Debian's pgbouncer, 1.18 or newer) in front of @server,
 * in transaction pool mode, as it is run where teams share one server: each
 * transaction may run on another server connection, so LISTEN and session
 * state do not carry over.  It listens on a Unix socket of its own in the
 * server's directory, trusts the logins in @users (the roles must exist;
 * give the ones the test connects as), runs as the cluster's user when we
 * are root, and keeps at most two server connections per database and
 * login.  ts_test_pooler_free() stops it; so does the server's watchdog
 * when the test program dies. */
typedef struct _TsTestPooler TsTestPooler;

TsTestPooler *ts_test_pooler_start            (TsTestServer        *server,
                                               const char * const  *users,
                                               GError             **error);
/* A libpq conninfo string for connecting through the pooler. */
char         *ts_test_pooler_conninfo         (TsTestPooler        *self,
                                               const char          *dbname,
                                               const char          *user);
void          ts_test_pooler_free             (TsTestPooler        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsTestPooler, ts_test_pooler_free)

/* Whether process @pid is running; a zombie (dead, waiting to be reaped)
 * is not. */
gboolean      ts_test_process_is_alive        (GPid           pid);

G_END_DECLS
