/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests the database test harness itself: ts_test_server_start() gives a
 * real PostgreSQL cluster of our own, reachable only through its socket,
 * that can be paused and resumed, and of which nothing survives the test
 * program, however the program ends. */

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ts-test-server.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* How long a watchdog may take to clean up after a dead test program. */
#define CLEANUP_TIMEOUT_USEC (30 * G_USEC_PER_SEC)

/* Shared by the tests that only add databases and roles; started by the
 * first of them, stopped at the end. */
static TsTestServer *shared_server;

static double
seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double)G_USEC_PER_SEC;
}

static TsTestServer *
start_server (void)
{
  g_autoptr(GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();
  TsTestServer *server = ts_test_server_start (&error);

  g_assert_no_error (error);
  g_assert_nonnull (server);
  g_test_message ("started a server in %s in %.3f s (PostgreSQL from %s)",
                  ts_test_server_get_socket_dir (server), seconds_since (begin),
                  ts_test_server_get_bindir (server));

  return server;
}

static TsTestServer *
get_shared_server (void)
{
  if (shared_server == NULL)
    shared_server = start_server ();

  return shared_server;
}

static char *
create_database (TsTestServer *server)
{
  g_autoptr(GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();
  char *name = ts_test_server_create_database (server, &error);

  g_assert_no_error (error);
  g_assert_nonnull (name);
  g_test_message ("created database %s in %.3f s", name, seconds_since (begin));

  return name;
}

static void
exec_sql (TsTestServer *server,
          const char   *dbname,
          const char   *sql)
{
  g_autoptr(GError) error = NULL;

  ts_test_server_exec (server, dbname, sql, &error);
  g_assert_no_error (error);
}

static PGconn *
try_connect (TsTestServer *server,
             const char   *dbname,
             const char   *user)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, dbname, user);

  g_test_message ("connecting with: %s", conninfo);

  return PQconnectdb (conninfo);
}

static PGconn *
connect_to (TsTestServer *server,
            const char   *dbname,
            const char   *user)
{
  g_autoptr(PGconn) conn = try_connect (server, dbname, user);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect: %s", PQerrorMessage (conn));

  return g_steal_pointer (&conn);
}

static gboolean
can_connect (TsTestServer *server,
             const char   *dbname,
             const char   *user)
{
  g_autoptr(PGconn) conn = try_connect (server, dbname, user);

  return PQstatus (conn) == CONNECTION_OK;
}

/* The one value that @sql returns. */
static char *
query_value (PGconn     *conn,
             const char *sql)
{
  g_autoptr(PGresult) result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  g_assert_cmpint (PQntuples (result), ==, 1);
  g_assert_cmpint (PQnfields (result), ==, 1);

  return g_strdup (PQgetvalue (result, 0, 0));
}

static void
assert_value (PGconn     *conn,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = query_value (conn, sql);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_databases (void)
{
  TsTestServer *server = get_shared_server ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) first_conn = NULL;
  g_autoptr(PGconn) second_conn = NULL;
  g_autofree char *first = create_database (server);
  g_autofree char *second = create_database (server);

  g_assert_cmpstr (first, !=, second);

  exec_sql (server, first,
            "CREATE TABLE ticket (id int PRIMARY KEY, title text NOT NULL);"
            "INSERT INTO ticket VALUES (1, 'Löschen'), (2, 'Τίτλος');");

  first_conn = connect_to (server, first, NULL);
  assert_value (first_conn, "SELECT current_user", "postgres");
  assert_value (first_conn, "SELECT current_database()", first);
  assert_value (first_conn, "SELECT count(*) FROM ticket", "2");
  assert_value (first_conn, "SELECT title FROM ticket WHERE id = 1", "Löschen");
  assert_value (first_conn, "SHOW server_encoding", "UTF8");
  assert_value (first_conn, "SHOW lc_collate", "C.UTF-8");
  assert_value (first_conn, "SELECT current_setting('server_version_num')::int >= 150000", "t");

  /* The second database is a fresh one. */
  second_conn = connect_to (server, second, NULL);
  assert_value (second_conn, "SELECT to_regclass('ticket') IS NULL", "t");

  /* SQL errors come back as errors, with the server's message. */
  ts_test_server_exec (server, second, "SELECT * FROM ticket", &error);
  g_assert_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_QUERY);
  g_assert_nonnull (strstr (error->message, "\"ticket\" does not exist"));
  g_clear_error (&error);

  ts_test_server_exec (server, "no_such_database", "SELECT 1", &error);
  g_assert_error (error, TS_TEST_SERVER_ERROR, TS_TEST_SERVER_ERROR_CONNECT);
}

static void
test_roles (void)
{
  TsTestServer *server = get_shared_server ();
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGconn) odd_conn = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *db = create_database (server);

  exec_sql (server, db,
            "CREATE ROLE alice LOGIN;"
            "CREATE TABLE note (body text);"
            "GRANT SELECT ON note TO alice;");

  conn = connect_to (server, db, "alice");
  assert_value (conn, "SELECT current_user", "alice");
  assert_value (conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", "f");
  assert_value (conn, "SELECT count(*) FROM note", "0");

  result = PQexec (conn, "INSERT INTO note VALUES ('not allowed')");
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_FATAL_ERROR);
  g_assert_cmpstr (PQresultErrorField (result, PG_DIAG_SQLSTATE), ==, "42501");

  /* The conninfo quotes what libpq needs quoted. */
  exec_sql (server, db, "CREATE ROLE \"o'brien \\ x\" LOGIN");
  odd_conn = connect_to (server, db, "o'brien \\ x");
  assert_value (odd_conn, "SELECT current_user", "o'brien \\ x");

  g_assert_false (can_connect (server, db, "mallory"));
}

static void
test_isolation (void)
{
  TsTestServer *server = get_shared_server ();
  const char *dir = ts_test_server_get_socket_dir (server);
  g_autofree char *socket_path = g_strdup_printf ("%s/.s.PGSQL.%u", dir,
                                                  ts_test_server_get_port (server));
  g_autofree char *port = g_strdup_printf ("%u", ts_test_server_get_port (server));
  g_autofree char *initdb = g_build_filename (ts_test_server_get_bindir (server), "initdb", NULL);
  g_autoptr(PGconn) conn = NULL;
  GStatBuf info;

  g_assert_cmpuint (ts_test_server_get_port (server), >=, 20000);
  g_assert_cmpuint (ts_test_server_get_port (server), <=, 60000);
  g_assert_true (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE));

  /* Only the server's user may enter its directory, and that is not root. */
  g_assert_cmpint (g_stat (dir, &info), ==, 0);
  g_assert_true (S_ISDIR (info.st_mode));
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  if (geteuid () == 0)
    g_assert_cmpuint (info.st_uid, !=, 0);
  else
    g_assert_cmpuint (info.st_uid, ==, geteuid ());

  g_assert_cmpint (g_lstat (socket_path, &info), ==, 0);
  g_assert_true (S_ISSOCK (info.st_mode));

  conn = connect_to (server, NULL, NULL);
  assert_value (conn, "SHOW listen_addresses", "");
  assert_value (conn, "SHOW unix_socket_directories", dir);
  assert_value (conn, "SHOW port", port);
  assert_value (conn, "SHOW data_directory", ts_test_server_get_data_dir (server));
  assert_value (conn, "SHOW max_connections", "50");
  assert_value (conn, "SHOW fsync", "off");
  assert_value (conn, "SHOW full_page_writes", "off");
  assert_value (conn, "SHOW synchronous_commit", "off");

  /* Local connections are trusted; anything over TCP would need a password. */
  assert_value (conn,
                "SELECT count(*) FROM pg_hba_file_rules "
                "WHERE error IS NOT NULL"
                " OR (type = 'local' AND auth_method <> 'trust')"
                " OR (type <> 'local' AND auth_method <> 'scram-sha-256')",
                "0");
}

static void
test_pause_resume (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *socket_path = NULL;

  {
    g_autoptr(TsTestServer) server = start_server ();
    g_autofree char *db = create_database (server);
    gint64 begin;

    dir = g_strdup (ts_test_server_get_socket_dir (server));
    socket_path = g_strdup_printf ("%s/.s.PGSQL.%u", dir, ts_test_server_get_port (server));
    exec_sql (server, db, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42);");
    conn = connect_to (server, db, NULL);

    begin = g_get_monotonic_time ();
    ts_test_server_pause (server, &error);
    g_assert_no_error (error);
    g_test_message ("paused in %.3f s", seconds_since (begin));

    g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
    g_assert_false (can_connect (server, db, NULL));

    /* Clients see the server go away. */
    result = PQexec (conn, "SELECT 1");
    g_assert_cmpint (PQresultStatus (result), !=, PGRES_TUPLES_OK);
    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_BAD);

    begin = g_get_monotonic_time ();
    ts_test_server_resume (server, &error);
    g_assert_no_error (error);
    g_test_message ("resumed in %.3f s", seconds_since (begin));

    /* Same socket, same data, and clients can come back. */
    g_assert_cmpstr (ts_test_server_get_socket_dir (server), ==, dir);
    g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));
    PQreset (conn);
    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
    assert_value (conn, "SELECT n FROM kept", "42");
  }

  /* g_autoptr stopped it and removed its directory. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_stop (void)
{
  TsTestServer *server = start_server ();
  g_autofree char *dir = g_strdup (ts_test_server_get_socket_dir (server));
  g_autofree char *conninfo = ts_test_server_conninfo (server, NULL, NULL);
  g_autoptr(PGconn) conn = NULL;
  gint64 begin;

  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  begin = g_get_monotonic_time ();
  ts_test_server_stop (server);
  g_test_message ("stopped and removed in %.3f s", seconds_since (begin));

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_BAD);

  /* Stopping again and freeing a stopped server are harmless. */
  ts_test_server_stop (server);
  ts_test_server_free (server);
}

/* How the test program ends in the cleanup tests, without stopping the
 * server it started. */
typedef enum
{
  ENDING_EXIT,
  ENDING_ABORT,
  ENDING_KILL,  /* SIGKILL to its process group, as meson ends a test that times out */
} Ending;

/* The file in which a test subprocess tells @test_program where its
 * server is. */
static char *
get_report_path (pid_t test_program)
{
  g_autofree char *name = g_strdup_printf ("ts-test-harness-%d.report", (int)test_program);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* In the test subprocess: starts a server, reports where it is and ends
 * as @ending says, leaving the server running. */
static void
leave_server_behind (Ending ending)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report_path = get_report_path (getppid ());
  g_autofree char *pid_path = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *report = NULL;
  TsTestServer *server;

#ifdef __SANITIZE_ADDRESS__
  /* This child ends without cleaning up, on purpose: that is what it tests. */
  __lsan_disable ();
#endif

  /* A process group of our own, started before the server, to kill all of
   * it without killing the test program. */
  if (ending == ENDING_KILL)
    g_assert_cmpint (setpgid (0, 0), ==, 0);

  server = start_server ();
  pid_path = g_build_filename (ts_test_server_get_data_dir (server), "postmaster.pid", NULL);
  g_file_get_contents (pid_path, &pid, NULL, &error);
  g_assert_no_error (error);

  report = g_strdup_printf ("%s\n%d\n", ts_test_server_get_socket_dir (server), atoi (pid));
  g_file_set_contents (report_path, report, -1, &error);
  g_assert_no_error (error);

  switch (ending)
    {
    case ENDING_EXIT:
      exit (EXIT_SUCCESS);
    case ENDING_ABORT:
      abort ();
    case ENDING_KILL:
      kill (0, SIGKILL);
      break;
    default:
      break;
    }

  g_assert_not_reached ();
}

static void
check_cleanup (Ending ending)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *report = NULL;
  g_auto(GStrv) lines = NULL;
  const char *dir;
  pid_t postmaster;
  gint64 ended;
  gint64 deadline;

  if (g_test_subprocess ())
    {
      leave_server_behind (ending);
      return;
    }

  report_path = get_report_path (getpid ());
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  ended = g_get_monotonic_time ();
  if (ending == ENDING_EXIT)
    g_test_trap_assert_passed ();
  else
    g_test_trap_assert_failed ();

  g_file_get_contents (report_path, &report, NULL, &error);
  g_assert_no_error (error);
  g_unlink (report_path);
  lines = g_strsplit (report, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  dir = lines[0];
  postmaster = atoi (lines[1]);
  g_assert_cmpint (postmaster, >, 0);
  g_assert_nonnull (strstr (dir, "ts-pg-"));

  /* At exit, the program stops its servers before it ends; otherwise the
   * watchdog does it soon after. */
  deadline = ended + (ending == ENDING_EXIT ? 0 : CLEANUP_TIMEOUT_USEC);
  while ((g_file_test (dir, G_FILE_TEST_EXISTS) || ts_test_process_is_alive (postmaster)) &&
         g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 50);

  g_test_message ("cleaned up %.3f s after the program ended", seconds_since (ended));
  g_assert_false (ts_test_process_is_alive (postmaster));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_cleanup_at_exit (void)
{
  check_cleanup (ENDING_EXIT);
}

static void
test_cleanup_after_abort (void)
{
  check_cleanup (ENDING_ABORT);
}

static void
test_cleanup_after_kill (void)
{
  check_cleanup (ENDING_KILL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ts/test-server/databases", test_databases);
  g_test_add_func ("/ts/test-server/roles", test_roles);
  g_test_add_func ("/ts/test-server/isolation", test_isolation);
  g_test_add_func ("/ts/test-server/pause-resume", test_pause_resume);
  g_test_add_func ("/ts/test-server/stop", test_stop);
  g_test_add_func ("/ts/test-server/cleanup/exit", test_cleanup_at_exit);
  g_test_add_func ("/ts/test-server/cleanup/abort", test_cleanup_after_abort);
  g_test_add_func ("/ts/test-server/cleanup/kill", test_cleanup_after_kill);

  ret = g_test_run ();
  g_clear_pointer (&shared_server, ts_test_server_free);

  return ret;
}
