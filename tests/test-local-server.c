/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TsLocalServer, the PostgreSQL server of our own that the demo runs (and
 * the test harness too), and the demo without its windows: where it lives,
 * what its first start puts in the database, and that later starts only
 * start the server. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ts-demo-private.h"
#include "ts-local-server.h"
#include "ts-pq-private.h"
#include "ts-test-server.h"

/* Every server of these tests lives under this directory, which a
 * watchdog removes, stopping what still runs there, however the program
 * ends (an assertion's abort(), meson's timeout). */
static char *top_dir;
static GSubprocess *watchdog;

static const char watchdog_script[] =
  "read -r _\n"
  "top=$1\n"
  "shift\n"
  "find \"$top\" -name postmaster.pid | while read -r pid_file; do\n"
  "  \"$@\" stop -D \"$(dirname \"$pid_file\")\" -m immediate -w -t 60\n"
  "done\n"
  "rm -rf \"$top\"\n";

static void
leave_process_group (gpointer user_data)
{
  (void)setsid ();
}

static void
start_watchdog (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsLocalServer) server = ts_local_server_new ("/nonexistent/data", "/nonexistent", 5432);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) pg_ctl = NULL;

  top_dir = g_dir_make_tmp ("ts-local-XXXXXX", &error);
  g_assert_no_error (error);
  if (geteuid () == 0)
    g_assert_cmpint (g_chmod (top_dir, 0755), ==, 0);

  g_assert_true (ts_local_server_find_programs (server, &error));
  g_assert_no_error (error);
  pg_ctl = ts_local_server_dup_program_argv (server, "pg_ctl");

  g_ptr_array_add (argv, g_strdup ("/bin/sh"));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (watchdog_script));
  g_ptr_array_add (argv, g_strdup ("test-local-server-watchdog"));
  g_ptr_array_add (argv, g_strdup (top_dir));
  for (guint i = 0; pg_ctl[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (pg_ctl[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_set_child_setup (launcher, leave_process_group, NULL, NULL);
  watchdog = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
}

static double
seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double)G_USEC_PER_SEC;
}

/* A fresh directory for a server.  As root the server's user must be able
 * to enter it, which a directory made by mkdtemp (0700, root's) is not: it
 * is opened up. */
static char *
make_base_dir (void)
{
  char *dir = g_build_filename (top_dir, "server-XXXXXX", NULL);

  g_assert_nonnull (g_mkdtemp_full (dir, 0700));
  if (geteuid () == 0)
    g_assert_cmpint (g_chmod (dir, 0755), ==, 0);

  return dir;
}

static void
remove_tree (const char *path)
{
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

static char *
query_value (TsLocalServer *server,
             const char    *dbname,
             const char    *user,
             const char    *sql)
{
  g_autofree char *conninfo = ts_local_server_dup_conninfo (server, dbname, user);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) result = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Could not connect with %s: %s", conninfo, PQerrorMessage (conn));

  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s failed: %s", sql, PQerrorMessage (conn));

  return PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) > 0
         ? g_strdup (PQgetvalue (result, 0, 0)) : NULL;
}

static char *
dup_socket_path (TsLocalServer *server)
{
  g_autofree char *name = g_strdup_printf (".s.PGSQL.%u", ts_local_server_get_port (server));

  return g_build_filename (ts_local_server_get_socket_dir (server), name, NULL);
}

static void
assert_stopped (TsLocalServer *server,
                GPid           pid)
{
  g_autofree char *socket_path = dup_socket_path (server);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_false (ts_local_server_is_running (server));
  g_assert_cmpint (ts_local_server_get_pid (server), ==, 0);
  /* pg_ctl returns once the pid file is gone; the postmaster may take a
   * moment more to exit. */
  while (ts_test_process_is_alive (pid) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_false (ts_test_process_is_alive (pid));
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == ts_local_server_start_async)
    ok = ts_local_server_start_finish (TS_LOCAL_SERVER (object), result, &error);
  else
    ok = ts_local_server_stop_finish (TS_LOCAL_SERVER (object), result, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  *done = TRUE;
}

/* The main context keeps running while the server starts in a thread. */
static void
start_async_and_wait (TsLocalServer *server)
{
  gboolean done = FALSE;
  guint iterations = 0;

  ts_local_server_start_async (server, NULL, on_done, &done);
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      iterations++;
    }
  g_assert_cmpuint (iterations, >=, 1);
}

static void
stop_async_and_wait (TsLocalServer *server)
{
  gboolean done = FALSE;

  ts_local_server_stop_async (server, TS_LOCAL_SERVER_STOP_FAST, NULL, on_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Created once, started, stopped and started again with its data. */
static void
test_start_stop_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = make_base_dir ();
  g_autofree char *data_dir = g_build_filename (base, "data", NULL);
  g_autofree char *socket_dir = g_build_filename (base, "socket", NULL);
  g_autoptr(TsLocalServer) server = ts_local_server_new (data_dir, socket_dir, 5432);
  g_autofree char *socket_path = dup_socket_path (server);
  g_autofree char *value = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *log_path = g_build_filename (base, "server.log", NULL);
  GStatBuf info;
  GStatBuf base_before;
  gint64 begin;
  GPid pid;

  g_assert_cmpint (g_stat (base, &base_before), ==, 0);
  g_assert_false (ts_local_server_is_initialized (server));
  g_assert_false (ts_local_server_is_running (server));
  g_assert_cmpstr (ts_local_server_get_log_file (server), ==, log_path);

  begin = g_get_monotonic_time ();
  start_async_and_wait (server);
  g_test_message ("created and started in %.3f s (PostgreSQL from %s)",
                  seconds_since (begin), ts_local_server_get_bindir (server));
  g_assert_true (ts_local_server_get_created (server));
  g_assert_true (ts_local_server_is_initialized (server));
  g_assert_true (ts_local_server_is_running (server));
  pid = ts_local_server_get_pid (server);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (g_file_test (log_path, G_FILE_TEST_EXISTS));

  /* Only the server's user reaches the socket; it is not root. */
  g_assert_cmpint (g_stat (socket_dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  if (geteuid () == 0)
    {
      g_assert_nonnull (ts_local_server_get_server_user (server));
      g_assert_cmpuint (info.st_uid, !=, 0);
    }
  else
    {
      g_assert_null (ts_local_server_get_server_user (server));
      g_assert_cmpuint (info.st_uid, ==, geteuid ());
    }
  g_assert_cmpint (g_lstat (socket_path, &info), ==, 0);
  g_assert_true (S_ISSOCK (info.st_mode));
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);

  /* The directory of the log is the caller's: left as it was. */
  g_assert_cmpint (g_stat (base, &info), ==, 0);
  g_assert_cmpint (info.st_mode, ==, base_before.st_mode);
  g_assert_cmpuint (info.st_uid, ==, base_before.st_uid);

  value = query_value (server, NULL, NULL,
                       "SELECT current_setting ('listen_addresses') || '|' ||"
                       "       current_setting ('unix_socket_directories') || '|' ||"
                       "       current_setting ('server_encoding') || '|' ||"
                       "       current_setting ('fsync') || '|' ||"
                       "       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)");
  expected = g_strconcat ("|", socket_dir, "|UTF8|on|true", NULL);
  g_assert_cmpstr (value, ==, expected);
  g_free (query_value (server, NULL, NULL, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')"));

  begin = g_get_monotonic_time ();
  stop_async_and_wait (server);
  g_test_message ("stopped in %.3f s", seconds_since (begin));
  assert_stopped (server, pid);
  g_assert_true (ts_local_server_is_initialized (server));

  /* Stopping what is stopped is nothing. */
  g_assert_true (ts_local_server_stop (server, TS_LOCAL_SERVER_STOP_FAST, NULL, &error));
  g_assert_no_error (error);

  begin = g_get_monotonic_time ();
  g_assert_true (ts_local_server_start (server, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("started again in %.3f s", seconds_since (begin));
  g_assert_false (ts_local_server_get_created (server));
  g_clear_pointer (&value, g_free);
  value = query_value (server, NULL, NULL, "SELECT note FROM kept");
  g_assert_cmpstr (value, ==, "still here");

  pid = ts_local_server_get_pid (server);
  g_assert_true (ts_local_server_stop (server, TS_LOCAL_SERVER_STOP_IMMEDIATE, NULL, &error));
  g_assert_no_error (error);
  assert_stopped (server, pid);

  remove_tree (base);
}

/* A server left running (by a program that died) is used as it is. */
static void
test_adopt (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = make_base_dir ();
  g_autofree char *data_dir = g_build_filename (base, "data", NULL);
  g_autoptr(TsLocalServer) first = ts_local_server_new (data_dir, base, 5433);
  g_autoptr(TsLocalServer) second = ts_local_server_new (data_dir, base, 5433);
  GPid pid;

  g_assert_true (ts_local_server_start (first, NULL, &error));
  g_assert_no_error (error);
  pid = ts_local_server_get_pid (first);

  g_assert_true (ts_local_server_start (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (ts_local_server_get_created (second));
  g_assert_cmpint (ts_local_server_get_pid (second), ==, pid);

  g_assert_true (ts_local_server_stop (second, TS_LOCAL_SERVER_STOP_FAST, NULL, &error));
  g_assert_no_error (error);
  assert_stopped (first, pid);

  remove_tree (base);
}

/* Without PostgreSQL, the message says what to install. */
static void
test_not_installed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = make_base_dir ();
  g_autofree char *data_dir = g_build_filename (base, "data", NULL);
  g_autoptr(TsLocalServer) server = ts_local_server_new (data_dir, base, 5432);
  g_autofree char *saved = g_strdup (g_getenv ("TS_PG_BINDIR"));

  ts_local_server_set_bindir (server, "/nonexistent/postgresql/bin");
  g_assert_false (ts_local_server_start (server, NULL, &error));
  g_assert_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_NOT_INSTALLED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "/nonexistent/postgresql/bin"));
  g_assert_nonnull (strstr (error->message, "sudo apt install postgresql"));
  g_assert_nonnull (strstr (error->message, "sudo dnf install postgresql-server"));
  g_assert_false (ts_local_server_is_initialized (server));
  g_clear_error (&error);

  /* The same from the environment, as the tests and packagers set it. */
  ts_local_server_set_bindir (server, NULL);
  g_setenv ("TS_PG_BINDIR", "/nonexistent/bin", TRUE);
  g_assert_false (ts_local_server_find_programs (server, &error));
  g_assert_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_NOT_INSTALLED);
  g_assert_nonnull (strstr (error->message, "/nonexistent/bin"));
  g_assert_nonnull (strstr (error->message, "TS_PG_BINDIR"));
  if (saved != NULL)
    g_setenv ("TS_PG_BINDIR", saved, TRUE);
  else
    g_unsetenv ("TS_PG_BINDIR");

  remove_tree (base);
}

/* The socket directory is the only lock on the door: it is made private,
 * and one that is not a directory of its own is refused. */
static void
test_private_socket_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = make_base_dir ();
  g_autofree char *data_dir = g_build_filename (base, "data", NULL);
  g_autofree char *socket_dir = g_build_filename (base, "socket", NULL);
  g_autofree char *elsewhere = g_build_filename (base, "elsewhere", NULL);
  g_autofree char *link = g_build_filename (base, "link", NULL);
  g_autoptr(TsLocalServer) server = ts_local_server_new (data_dir, socket_dir, 5432);
  g_autoptr(TsLocalServer) linked = ts_local_server_new (data_dir, link, 5432);
  GStatBuf info;
  GPid pid;

  g_assert_cmpint (g_mkdir (socket_dir, 0777), ==, 0);
  g_assert_cmpint (g_chmod (socket_dir, 0777), ==, 0);
  g_assert_true (ts_local_server_start (server, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (socket_dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0700);
  pid = ts_local_server_get_pid (server);
  g_assert_true (ts_local_server_stop (server, TS_LOCAL_SERVER_STOP_FAST, NULL, &error));
  g_assert_no_error (error);
  assert_stopped (server, pid);

  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  g_assert_false (ts_local_server_start (linked, NULL, &error));
  g_assert_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, link));
  g_assert_false (ts_local_server_is_running (linked));

  remove_tree (base);
}

/* As root, a directory the server's user cannot enter is refused with a
 * message that says why. */
static void
test_unreachable_as_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *socket_dir = NULL;
  g_autofree char *log_file = NULL;
  g_autoptr(TsLocalServer) server = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("only root runs the server as another user");
      return;
    }

  /* The socket and the log are fine; the cluster is behind a directory of
   * root's, mode 0700. */
  base = make_base_dir ();
  closed = g_build_filename (base, "closed", NULL);
  data_dir = g_build_filename (closed, "data", NULL);
  socket_dir = g_build_filename (base, "socket", NULL);
  g_assert_cmpint (g_mkdir (closed, 0700), ==, 0);
  log_file = g_build_filename (base, "server.log", NULL);
  server = g_object_new (TS_TYPE_LOCAL_SERVER,
                         "data-dir", data_dir,
                         "socket-dir", socket_dir,
                         "log-file", log_file,
                         NULL);

  g_assert_false (ts_local_server_start (server, NULL, &error));
  g_assert_error (error, TS_LOCAL_SERVER_ERROR, TS_LOCAL_SERVER_ERROR_DIRECTORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, ts_local_server_get_server_user (server)));
  g_assert_nonnull (strstr (error->message, closed));
  g_assert_false (ts_local_server_is_initialized (server));
  g_assert_false (ts_local_server_is_running (server));

  remove_tree (base);
}

/* Connection strings quote what libpq needs quoted. */
static void
test_conninfo (void)
{
  g_autoptr(TsLocalServer) server = ts_local_server_new ("/tmp/a b/data", "/tmp/a b/it's", 6543);
  g_autofree char *conninfo = ts_local_server_dup_conninfo (server, "tasksteper_demo", "lina");
  g_autofree char *defaults = ts_local_server_dup_conninfo (server, NULL, NULL);

  g_assert_cmpstr (conninfo, ==, "host='/tmp/a b/it\\'s' port=6543 dbname=tasksteper_demo user=lina");
  g_assert_cmpstr (defaults, ==, "host='/tmp/a b/it\\'s' port=6543 dbname=postgres user=postgres");
  g_assert_cmpstr (ts_local_server_get_log_file (server), ==, "/tmp/a b/server.log");
  g_assert_true (ts_local_server_get_durable (server));
}

/* The demo */

/* Where the demo lives, for every kind of user. */
static void
test_demo_places (void)
{
  struct
  {
    const char *override;
    guint       uid;
    const char *runtime_dir;
    const char *dir;
    const char *socket_dir;
  } cases[] = {
    { NULL, 1000, "/run/user/1000", "/home/u/.local/share/tasksteper/demo", "/run/user/1000/tasksteper-demo" },
    { NULL, 1000, NULL, "/home/u/.local/share/tasksteper/demo", "/home/u/.local/share/tasksteper/demo/socket" },
    { "", 1000, "", "/home/u/.local/share/tasksteper/demo", "/home/u/.local/share/tasksteper/demo/socket" },
    { NULL, 0, "/run/user/0", "/var/tmp/tasksteper-demo-0", "/var/tmp/tasksteper-demo-0/socket" },
    { "/srv/demo", 1000, "/run/user/1000", "/srv/demo", "/srv/demo/socket" },
    { "/srv/demo", 0, NULL, "/srv/demo", "/srv/demo/socket" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = NULL;
      g_autofree char *socket_dir = NULL;

      _ts_demo_choose_dirs (cases[i].override, cases[i].uid, "/home/u/.local/share",
                            cases[i].runtime_dir, &dir, &socket_dir);
      g_assert_cmpstr (dir, ==, cases[i].dir);
      g_assert_cmpstr (socket_dir, ==, cases[i].socket_dir);
    }
}

static void
test_demo_schemas_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("TASKSTEPER_SCHEMAS_DIR"));

  g_setenv ("TASKSTEPER_SCHEMAS_DIR", "/nonexistent/schemas", TRUE);
  dir = _ts_demo_find_schemas_dir (&error);
  g_assert_null (dir);
  g_assert_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_NO_SCHEMAS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/schemas"));
  g_clear_error (&error);

  /* Without it: installed, or in the source tree. */
  g_unsetenv ("TASKSTEPER_SCHEMAS_DIR");
  dir = _ts_demo_find_schemas_dir (&error);
  g_assert_no_error (error);
  g_assert_true (g_str_equal (dir, TS_SCHEMASDIR) || g_str_equal (dir, TS_SOURCE_SCHEMASDIR));

  if (saved != NULL)
    g_setenv ("TASKSTEPER_SCHEMAS_DIR", saved, TRUE);
}

static void
on_demo_started (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  g_assert_true (ts_demo_start_finish (TS_DEMO (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
on_status (TsDemo     *demo,
           GParamSpec *pspec,
           GPtrArray  *statuses)
{
  if (ts_demo_get_status (demo) != NULL)
    g_ptr_array_add (statuses, g_strdup (ts_demo_get_status (demo)));
}

static double
start_demo (TsDemo    *demo,
            GPtrArray *statuses)
{
  gint64 begin = g_get_monotonic_time ();
  gboolean done = FALSE;
  gulong handler = g_signal_connect (demo, "notify::status", G_CALLBACK (on_status), statuses);

  ts_demo_start_async (demo, NULL, on_demo_started, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (demo, handler);
  g_assert_null (ts_demo_get_status (demo));

  return seconds_since (begin);
}

/* The first start fills the database as the people would have; the second
 * only starts the server. */
static void
test_demo_first_and_later_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = make_base_dir ();
  g_autofree char *dir = g_build_filename (base, "demo", NULL);
  g_autoptr(TsDemo) demo = _ts_demo_new_for_dir (dir);
  TsLocalServer *server = ts_demo_get_server (demo);
  g_autoptr(GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *value = NULL;
  g_autofree char *before = NULL;
  g_autofree char *conninfo = NULL;
  double first, later;
  GPid pid;

  first = start_demo (demo, statuses);
  g_test_message ("first start (initdb and filling) in %.3f s", first);
  g_assert_true (ts_demo_get_seeded (demo));
  g_assert_cmpuint (statuses->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (statuses, 0), "Creating the demo server"));
  g_assert_nonnull (strstr (g_ptr_array_index (statuses, 1), "Filling the demo"));

  conninfo = ts_demo_dup_conninfo (demo, "zhangwei");
  g_assert_nonnull (strstr (conninfo, "dbname=tasksteper_demo user=zhangwei"));

  /* Five projects, three people in all of them, fourteen tickets. */
  value = query_value (server, TS_DEMO_DATABASE, NULL,
                       "SELECT (SELECT count(*) FROM tasksteper.projects) || '/' ||"
                       "       (SELECT count(*) FROM tasksteper.members) || '/' ||"
                       "       (SELECT count(*) FROM tasksteper.tickets)");
  g_assert_cmpstr (value, ==, "5/15/14");

  /* Who has what waiting, per project, as each person sees it. */
  for (guint i = 0; ts_demo_get_users ()[i] != NULL; i++)
    {
      const char *user = ts_demo_get_users ()[i];
      const char *expected[] = {
        "device_card:1 issue_track:3",
        "improvement:1 issue_track:2 version_record:2",
        "improvement:1 issue_track:1",
      };

      g_clear_pointer (&value, g_free);
      value = query_value (server, TS_DEMO_DATABASE, user,
                           "SELECT string_agg (project || ':' || n, ' ' ORDER BY project) FROM"
                           " (SELECT project, count(*) AS n FROM tasksteper.tickets"
                           "   WHERE assigned_to = session_user AND NOT is_final GROUP BY project) c");
      g_assert_cmpstr (value, ==, expected[i]);
      g_assert_nonnull (ts_demo_get_user_name (user));
    }

  /* Each step was done by its person, through the workflow. */
  g_clear_pointer (&value, g_free);
  value = query_value (server, TS_DEMO_DATABASE, NULL,
                       "SELECT string_agg (h.actor || ' ' || coalesce (h.trigger, '创建') || ' → ' || h.to_state,"
                       "                   ', ' ORDER BY h.id)"
                       "  FROM tasksteper.history h JOIN tasksteper.tickets t ON t.id = h.ticket_id"
                       " WHERE t.key = 'question_1'");
  g_assert_cmpstr (value, ==, "zhangwei 创建 → 维护人员处理, zhangwei 提交审核 → 维护代表审核, "
                              "lina 转SE分析改进 → SE分析改进, wangfang 问题关闭 → 关闭");
  g_clear_pointer (&value, g_free);
  value = query_value (server, TS_DEMO_DATABASE, NULL,
                       "SELECT string_agg (fields->>'version' || ' ' || state || ' ' || (fields->>'git_commit_id'),"
                       "                   ', ' ORDER BY number)"
                       "  FROM tasksteper.tickets WHERE project = 'version_record'");
  g_assert_cmpstr (value, ==, "3.1.4.18 已发布 3e1f6b27c4, 3.1.4.19 已发布 8a855d08eb");

  before = query_value (server, TS_DEMO_DATABASE, NULL,
                        "SELECT string_agg (id || '@' || created_at, ',' ORDER BY id) FROM tasksteper.tickets");
  pid = ts_local_server_get_pid (server);
  g_assert_true (ts_demo_stop (demo, &error));
  g_assert_no_error (error);
  assert_stopped (server, pid);

  g_ptr_array_set_size (statuses, 0);
  later = start_demo (demo, statuses);
  g_test_message ("later start in %.3f s", later);
  g_assert_false (ts_demo_get_seeded (demo));
  g_assert_cmpuint (statuses->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (statuses, 0), "Starting the demo server"));
  g_assert_cmpfloat (later, <, first);
  g_clear_pointer (&value, g_free);
  value = query_value (server, TS_DEMO_DATABASE, NULL,
                       "SELECT string_agg (id || '@' || created_at, ',' ORDER BY id) FROM tasksteper.tickets");
  g_assert_cmpstr (value, ==, before);

  pid = ts_local_server_get_pid (server);
  g_assert_true (ts_demo_stop (demo, &error));
  g_assert_no_error (error);
  assert_stopped (server, pid);

  remove_tree (base);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  start_watchdog ();

  /* The demo reads the example projects from the source tree. */
  if (g_getenv ("TS_SCHEMAS_DIR") != NULL)
    g_setenv ("TASKSTEPER_SCHEMAS_DIR", g_getenv ("TS_SCHEMAS_DIR"), TRUE);

  g_test_add_func ("/ts/local-server/start-stop-restart", test_start_stop_restart);
  g_test_add_func ("/ts/local-server/adopt", test_adopt);
  g_test_add_func ("/ts/local-server/not-installed", test_not_installed);
  g_test_add_func ("/ts/local-server/private-socket-dir", test_private_socket_dir);
  g_test_add_func ("/ts/local-server/unreachable-as-root", test_unreachable_as_root);
  g_test_add_func ("/ts/local-server/conninfo", test_conninfo);
  g_test_add_func ("/ts/demo/places", test_demo_places);
  g_test_add_func ("/ts/demo/schemas-dir", test_demo_schemas_dir);
  g_test_add_func ("/ts/demo/first-and-later-start", test_demo_first_and_later_start);

  ret = g_test_run ();

  /* Closing its input lets the watchdog clean up; nothing is left. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (watchdog), NULL, NULL);
  g_subprocess_wait (watchdog, NULL, NULL);
  g_clear_object (&watchdog);
  g_assert_false (g_file_test (top_dir, G_FILE_TEST_EXISTS));
  g_free (top_dir);

  return ret;
}
