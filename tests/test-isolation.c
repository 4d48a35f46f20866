/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Races on the server side, with PostgreSQL's own isolationtester (shipped
 * with the server in its PGXS folder): two saves of one version, a save
 * against a trigger, two triggers, two creations, and notifications that
 * arrive only after COMMIT.
 *
 * One test case per tests/isolation/specs/NAME.spec: a database of its own
 * gets the server side and the issue_track project with its members
 * (zhangwei, lina, wangfang; "outsider" is a user outside it), then
 * isolationtester runs the spec as the superuser, whose sessions become
 * those people with SET SESSION AUTHORIZATION (which, unlike SET ROLE,
 * changes session_user, TaskSteper's identity).  Its output must equal
 * tests/isolation/expected/NAME.out; what it printed is kept in
 * $G_TEST_BUILDDIR/isolation/results/NAME.out, and the difference is
 * logged. */

#include "config.h"

#include <gio/gio.h>
#include <libpq-fe.h>
#include <string.h>

#include "ts-migrations.h"
#include "ts-test-server.h"

#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

#define ISOLATIONTESTER_SUBPATH "pgxs/src/test/isolation/isolationtester"

static TsTestServer *server;
static char *isolationtester;

static gboolean
is_executable (const char *path)
{
  return path != NULL && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

/* $TS_ISOLATIONTESTER, else the one that comes with the server the harness
 * runs (BINDIR/../lib/pgxs/...), else pg_config's; NULL if none. */
static char *
find_isolationtester (void)
{
  const char *env = g_getenv ("TS_ISOLATIONTESTER");
  g_autofree char *beside_server = NULL;
  g_autofree char *pkglibdir = NULL;
  g_autofree char *from_pg_config = NULL;
  const char *pg_config_argv[] = { "pg_config", "--pkglibdir", NULL };

  if (env != NULL)
    return is_executable (env) ? g_strdup (env) : NULL;

  beside_server = g_build_filename (ts_test_server_get_bindir (server), "..", "lib",
                                    ISOLATIONTESTER_SUBPATH, NULL);
  if (is_executable (beside_server))
    return g_steal_pointer (&beside_server);

  if (g_spawn_sync (NULL, (char **) pg_config_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, &pkglibdir, NULL, NULL, NULL))
    {
      from_pg_config = g_build_filename (g_strstrip (pkglibdir), ISOLATIONTESTER_SUBPATH, NULL);
      if (is_executable (from_pg_config))
        return g_steal_pointer (&from_pg_config);
    }

  return NULL;
}

static void
run_sql (PGconn     *conn,
         const char *sql,
         int         n_params,
         const char *param)
{
  const char *params[] = { param };
  g_autoptr(PGresult) res = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "“%s”: %s", sql,
                                             PQresultErrorMessage (res));
      g_assert_no_error (error);
    }
}

/* The server side, the people (roles are cluster-wide: created once), and
 * issue_track with its members.  Each spec's setup makes the ticket. */
static void
prepare_database (const char *db)
{
  static const char * const members[] = { "zhangwei", "lina", "wangfang" };
  static gboolean roles_created;
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, "postgres");
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *definition = NULL;
  const char *schemas_dir = g_getenv ("TS_SCHEMAS_DIR");

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  ts_migrations_apply (conn, NULL, NULL, &error);
  g_assert_no_error (error);

  if (!roles_created)
    {
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        {
          g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE tasksteper_user", members[i]);
          run_sql (conn, sql, 0, NULL);
        }
      run_sql (conn, "CREATE ROLE outsider LOGIN IN ROLE tasksteper_user", 0, NULL);
      roles_created = TRUE;
    }

  if (schemas_dir != NULL)
    path = g_build_filename (schemas_dir, "issue_track.json", NULL);
  else
    path = g_test_build_filename (G_TEST_DIST, "..", "schemas", "issue_track.json", NULL);
  g_file_get_contents (path, &definition, NULL, &error);
  g_assert_no_error (error);
  run_sql (conn, "SELECT tasksteper.import_project($1::jsonb)", 1, definition);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    run_sql (conn, "SELECT tasksteper.add_member('issue_track', $1)", 1, members[i]);

  /* What every spec's setup calls (as the superuser) to start again from
   * no tickets, ticket number 1, and issue_track as imported here with
   * its three members.  history is append-only, even for a
   * superuser, unless its triggers are disabled first: only a superuser
   * can, and only a test should. */
  run_sql (conn, "CREATE TABLE public.ts_test_definition AS"
                 " SELECT definition FROM tasksteper.projects WHERE name = 'issue_track'", 0, NULL);
  run_sql (conn,
           "CREATE PROCEDURE public.ts_test_reset() LANGUAGE plpgsql AS $$"
           " BEGIN"
           "   ALTER TABLE tasksteper.history DISABLE TRIGGER history_no_truncate;"
           "   ALTER TABLE tasksteper.comments DISABLE TRIGGER comments_no_truncate;"
           "   TRUNCATE tasksteper.comments, tasksteper.history, tasksteper.tickets RESTART IDENTITY;"
           "   ALTER TABLE tasksteper.history ENABLE ALWAYS TRIGGER history_no_truncate;"
           "   ALTER TABLE tasksteper.comments ENABLE ALWAYS TRIGGER comments_no_truncate;"
           "   PERFORM setval(number_sequence, 1, false) FROM tasksteper.projects;"
           "   DELETE FROM tasksteper.members WHERE member = 'outsider';"
           "   PERFORM tasksteper.import_project(d.definition) FROM public.ts_test_definition d"
           "     WHERE d.definition IS DISTINCT FROM (SELECT definition FROM tasksteper.projects"
           "                                           WHERE name = 'issue_track');"
           " END $$",
           0, NULL);
}

static char *
diff (const char *expected_path,
      const char *result_path)
{
  const char *argv[] = { "diff", "-u", expected_path, result_path, NULL };
  char *out = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL))
    return g_strdup ("(diff could not be run)");

  return out;
}

static void
test_spec (gconstpointer data)
{
  const char *name = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *spec_name = g_strdup_printf ("%s.spec", name);
  g_autofree char *out_name = g_strdup_printf ("%s.out", name);
  g_autofree char *spec = g_test_build_filename (G_TEST_DIST, "isolation", "specs", spec_name, NULL);
  g_autofree char *expected_path = g_test_build_filename (G_TEST_DIST, "isolation", "expected", out_name, NULL);
  g_autofree char *results_dir = g_test_build_filename (G_TEST_BUILT, "isolation", "results", NULL);
  g_autofree char *result_path = g_build_filename (results_dir, out_name, NULL);
  g_autofree char *db = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *output = NULL;
  g_autofree char *expected = NULL;

  if (isolationtester == NULL)
    {
      g_test_skip ("isolationtester not found: install PostgreSQL's server package, or set TS_ISOLATIONTESTER");
      return;
    }

  db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  prepare_database (db);
  conninfo = ts_test_server_conninfo (server, db, "postgres");

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdin_file_path (launcher, spec);
  /* Messages in English, whatever the machine's locale. */
  g_subprocess_launcher_setenv (launcher, "LC_MESSAGES", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "PGTZ", "UTC", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, isolationtester, conninfo, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);

  g_mkdir_with_parents (results_dir, 0755);
  g_file_set_contents (result_path, output, -1, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_test_message ("isolationtester failed:\n%s", output);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  if (!g_file_get_contents (expected_path, &expected, NULL, NULL))
    {
      g_test_message ("no %s yet; this run's output is in %s", expected_path, result_path);
      g_test_fail ();
      return;
    }

  if (!g_str_equal (expected, output))
    {
      g_autofree char *difference = diff (expected_path, result_path);

      g_test_message ("%s", difference);
      g_test_fail ();
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Every specs/NAME.spec, sorted. */
static GPtrArray *
list_specs (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "isolation", "specs", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".spec"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - strlen (".spec")));
  g_ptr_array_sort (names, compare_strings);

  return names;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* One spec's failure should not hide the others' results. */
  g_test_set_nonfatal_assertions ();

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  isolationtester = find_isolationtester ();
  if (isolationtester != NULL)
    g_test_message ("using %s", isolationtester);

  specs = list_specs ();
  for (guint i = 0; i < specs->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/ts/isolation/%s", (char *) g_ptr_array_index (specs, i));

      g_test_add_data_func (path, g_ptr_array_index (specs, i), test_spec);
    }

  ret = g_test_run ();

  g_free (isolationtester);
  ts_test_server_free (server);

  return ret;
}
