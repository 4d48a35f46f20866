/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `tasksteper --demo` as a process of its own, killed with SIGKILL once its
 * PostgreSQL server is up: the server's guardian stops the server within
 * seconds, leaving no postmaster of the demo's data directory.  Then the
 * next start works as usual on the same data. */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "ts-demo-private.h"
#include "ts-test-server.h"

static char *top;

static double
seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double)G_USEC_PER_SEC;
}

static GSubprocess *
spawn_demo (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  GSubprocess *app;

  g_subprocess_launcher_setenv (launcher, "TASKSTEPER_DEMO_DIR", dir, TRUE);
  /* As a person runs it: GTK warns that there is no session bus here. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TS_TASKSTEPER"), "--demo", NULL);
  g_assert_no_error (error);

  return app;
}

/* Up: its socket is there and the postmaster of postmaster.pid runs. */
static GPid
wait_for_server (TsLocalServer *server,
                 double        *seconds)
{
  gint64 begin = g_get_monotonic_time ();
  gint64 deadline = begin + 120 * G_USEC_PER_SEC;

  while (!ts_local_server_is_running (server) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_true (ts_local_server_is_running (server));
  *seconds = seconds_since (begin);

  return ts_local_server_get_pid (server);
}

static void
kill_and_check (GSubprocess   *app,
                TsLocalServer *server,
                GPid           postmaster)
{
  g_autofree char *pid_file = g_build_filename (ts_local_server_get_data_dir (server), "postmaster.pid", NULL);
  gint64 begin, deadline;

  g_subprocess_send_signal (app, SIGKILL);
  g_assert_true (g_subprocess_wait (app, NULL, NULL));
  g_assert_false (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_term_sig (app), ==, SIGKILL);

  begin = g_get_monotonic_time ();
  deadline = begin + 10 * G_USEC_PER_SEC;
  while ((ts_test_process_is_alive (postmaster) || g_file_test (pid_file, G_FILE_TEST_EXISTS)) &&
         g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_test_message ("the server was gone %.3f s after SIGKILL", seconds_since (begin));
  g_assert_false (ts_test_process_is_alive (postmaster));
  g_assert_false (g_file_test (pid_file, G_FILE_TEST_EXISTS));
  g_assert_false (ts_local_server_is_running (server));
}

static void
test_killed (void)
{
  g_autofree char *dir = g_build_filename (top, "demo", NULL);
  g_autoptr(TsDemo) demo = _ts_demo_new_for_dir (dir);
  TsLocalServer *server = ts_demo_get_server (demo);
  double seconds;

  /* While the first start fills the database, and again on a later
   * start, which only starts the server. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GSubprocess) app = spawn_demo (dir);
      GPid postmaster = wait_for_server (server, &seconds);

      g_test_message ("%s start: server up after %.3f s", i == 0 ? "first" : "later", seconds);
      kill_and_check (app, server, postmaster);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("TS_TASKSTEPER"));
  if (g_getenv ("TS_SCHEMAS_DIR") != NULL)
    g_setenv ("TASKSTEPER_SCHEMAS_DIR", g_getenv ("TS_SCHEMAS_DIR"), TRUE);

  /* As root the server runs as the postgres user, who must reach it. */
  top = g_dir_make_tmp ("ts-demo-killed-XXXXXX", &error);
  g_assert_no_error (error);
  if (geteuid () == 0)
    g_assert_cmpint (g_chmod (top, 0755), ==, 0);

  g_test_add_func ("/ts/demo/killed", test_killed);
  ret = g_test_run ();

  /* Whatever happened, nothing is left running or on disk. */
  {
    g_autofree char *data = g_build_filename (top, "demo", "data", NULL);
    g_autoptr(TsLocalServer) server = ts_local_server_new (data, top, 5432);

    ts_local_server_stop (server, TS_LOCAL_SERVER_STOP_IMMEDIATE, NULL, NULL);
  }
  quoted = g_shell_quote (top);
  command = g_strdup_printf ("rm -rf %s", quoted);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_free (top);

  return ret;
}
