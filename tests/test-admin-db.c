/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs the real tasksteper-admin ($TS_ADMIN) against a throwaway PostgreSQL
 * (tests/ts-test-server.h): init, import, user, member and project, each
 * test in a database of its own, and checks both what the command says and
 * what the database then holds.
 *
 * Roles are cluster-wide, so the users a test makes carry its database's
 * name ("alice_test_7"). */

/* posix_openpt() and friends. */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ts-migrations.h"
#include "ts-pq-private.h"
#include "ts-test-server.h"

/* Exit statuses of every command. */
#define STATUS_OK     0
#define STATUS_FAILED 1
#define STATUS_USAGE  2

static TsTestServer *server;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

#define ARGS(...) ((const char * const[]) { __VA_ARGS__, NULL })

/* Runs tasksteper-admin with @args, standard input an empty pipe (so it is
 * never a terminal, even when the tests are run from one). */
static void
run_admin (Run                *run,
           const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *command_line = NULL;
  const char *admin = g_getenv ("TS_ADMIN");

  g_assert_nonnull (admin);

  g_ptr_array_add (argv, (gpointer)admin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  command_line = g_strjoinv (" ", (char **)argv->pdata);
  g_test_message ("running: %s", command_line);

  process = g_subprocess_newv ((const char * const *)argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));

  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit status %d\n--- stdout ---\n%s--- stderr ---\n%s",
                  run->status, run->out, run->err);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” does not contain “%s”", text, needle);
}

static void
assert_not_contains (const char *text,
                     const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” contains “%s”", text, needle);
}

static void
assert_matches (const char *pattern,
                const char *text)
{
  if (!g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0))
    g_error ("“%s” does not match /%s/", text, pattern);
}

/* The database */

static char *
new_database (void)
{
  g_autoptr(GError) error = NULL;
  char *db = ts_test_server_create_database (server, &error);

  g_assert_no_error (error);
  g_test_message ("database %s", db);

  return db;
}

static char *
conninfo_for (const char *db,
              const char *user)
{
  return ts_test_server_conninfo (server, db, user);
}

static void
exec_sql (const char *db,
          const char *sql)
{
  g_autoptr(GError) error = NULL;

  ts_test_server_exec (server, db, sql, &error);
  g_assert_no_error (error);
}

/* The first value of the first row of @sql run by @user (NULL: the
 * superuser) in @db, as text; NULL for SQL NULL.  Parameters are text. */
static char *
query_as (const char         *db,
          const char         *user,
          const char         *sql,
          const char * const *params)
{
  g_autofree char *conninfo = conninfo_for (db, user);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) result = NULL;
  int n_params = 0;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect with “%s”: %s", conninfo, PQerrorMessage (conn));

  while (params != NULL && params[n_params] != NULL)
    n_params++;

  result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("“%s” failed: %s", sql, PQresultErrorMessage (result));
  if (PQntuples (result) == 0 || PQgetisnull (result, 0, 0))
    return NULL;

  return g_strdup (PQgetvalue (result, 0, 0));
}

static char *
query (const char *db,
       const char *sql)
{
  return query_as (db, NULL, sql, NULL);
}

#define PARAMS(...) ((const char * const[]) { __VA_ARGS__, NULL })

static void
assert_query (const char *db,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = query (db, sql);

  if (g_strcmp0 (value, expected) != 0)
    g_error ("“%s” gave “%s”, not “%s”", sql, value, expected);
}

static char *
schema_path (const char *name)
{
  const char *dir = g_getenv ("TS_SCHEMAS_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "admin-db", name, NULL);
}

/* Runs init in @db as the superuser. */
static void
init_database (const char *db)
{
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_OK);
}

/* A database with TaskSteper and the issue_track project in it. */
static char *
new_issue_track_database (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *path = schema_path ("issue_track.json");
  g_auto(Run) run = { 0 };

  init_database (db);
  run_admin (&run, ARGS ("import", "-d", conninfo, path));
  g_assert_cmpint (run.status, ==, STATUS_OK);

  return g_steal_pointer (&db);
}

/* Adds the TaskSteper user @name (with a password file) in @db. */
static void
add_user (const char *db,
          const char *name,
          gboolean    admin)
{
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *password_file = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  int fd;

  fd = g_file_open_tmp ("ts-password-XXXXXX", &password_file, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (password_file, "s3cret pass word\n", -1, &error);
  g_assert_no_error (error);

  if (admin)
    run_admin (&run, ARGS ("user", "add", "-d", conninfo, "--password-file", password_file,
                           "--admin", name));
  else
    run_admin (&run, ARGS ("user", "add", "-d", conninfo, "--password-file", password_file, name));
  g_assert_cmpint (run.status, ==, STATUS_OK);

  g_unlink (password_file);
}

static void
add_member (const char *db,
            const char *project,
            const char *user)
{
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_auto(Run) run = { 0 };

  run_admin (&run, ARGS ("member", "add", "-d", conninfo, project, user));
  g_assert_cmpint (run.status, ==, STATUS_OK);
}

/* Creates a ticket of @project as @user; returns its id. */
static char *
create_ticket (const char *db,
               const char *user,
               const char *project)
{
  return query_as (db, user, "SELECT id FROM tasksteper.create_ticket($1, '{}')",
                   PARAMS (project));
}

/* migrations */

static int
compare_ints (gconstpointer a,
              gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

static int
parse_file_version (const char *name)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("^([0-9]+)-.*\\.sql$", 0, 0, NULL);
  g_autofree char *digits = NULL;

  if (!g_regex_match (regex, name, 0, &match))
    return -1;

  digits = g_match_info_fetch (match, 1);
  return atoi (digits);
}

/* No number of data/sql/NNNN-*.sql is taken twice, and the latest is the
 * highest file's (that every file is embedded, the .gresource.xml listing
 * it, the init tests check: the migrations table lists them all).  Numbers may
 * have a gap while a migration written at the same time as a later one has
 * not landed yet (0004 while 0005 is in); ts_migrations_apply() runs the
 * files in the order of their numbers and does not need them consecutive. */
static void
test_migrations_embedded (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "..", "data", "sql", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (int));
  const char *name;
  int highest = 0;

  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int version = parse_file_version (name);

      if (version <= 0)
        continue;

      for (guint i = 0; i < versions->len; i++)
        g_assert_cmpint (g_array_index (versions, int, i), !=, version);
      g_array_append_val (versions, version);
      highest = MAX (highest, version);
    }

  g_assert_cmpuint (versions->len, >, 0);
  g_assert_cmpint (ts_migrations_get_latest (), ==, highest);
}

/* The versions of the migration files, "1,2,3,…", as the migrations table
 * lists them after an init. */
static char *
file_versions (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "..", "data", "sql", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GString) list = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int version = parse_file_version (name);

      if (version > 0)
        g_array_append_val (versions, version);
    }
  g_array_sort (versions, (GCompareFunc) compare_ints);
  for (guint i = 0; i < versions->len; i++)
    g_string_append_printf (list, "%s%d", i > 0 ? "," : "", g_array_index (versions, int, i));

  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* init */

static void
test_init_empty (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *latest = g_strdup_printf ("%d", ts_migrations_get_latest ());
  g_auto(Run) run = { 0 };

  assert_query (db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "0");

  run_admin (&run, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  expected = g_strdup_printf ("TaskSteper server side installed (version %d)\n",
                              ts_migrations_get_latest ());
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpstr (run.err, ==, "");

  assert_query (db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "1");
  assert_query (db, "SELECT max(version) FROM tasksteper.migrations", latest);
  assert_query (db, "SELECT applied_by FROM tasksteper.migrations ORDER BY version LIMIT 1",
                "postgres");
  assert_query (db, "SELECT count(*) FROM pg_roles"
                    " WHERE rolname IN ('tasksteper_owner', 'tasksteper_user', 'tasksteper_admin')",
                "3");
  assert_query (db, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace"
                    " WHERE nspname = 'tasksteper'",
                "tasksteper_owner");
}

static void
test_init_twice (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *expected = NULL;
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };

  run_admin (&first, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (first.status, ==, STATUS_OK);

  run_admin (&second, ARGS ("init", "--dbname", conninfo));
  g_assert_cmpint (second.status, ==, STATUS_OK);
  expected = g_strdup_printf ("TaskSteper server side already at version %d\n",
                              ts_migrations_get_latest ());
  g_assert_cmpstr (second.out, ==, expected);
  g_assert_cmpstr (second.err, ==, "");

  {
    g_autofree char *versions = file_versions ();

    assert_query (db, "SELECT string_agg(version::text, ',' ORDER BY version) FROM tasksteper.migrations",
                  versions);
  }
}

/* A second database of the same cluster: the roles are there already. */
static void
test_init_second_database (void)
{
  g_autofree char *first = new_database ();
  g_autofree char *second = new_database ();

  init_database (first);
  init_database (second);

  assert_query (second, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "1");
}

static void
test_init_not_superuser (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *user = g_strconcat ("plain_", db, NULL);
  g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN", user);
  g_autofree char *conninfo = conninfo_for (db, user);
  g_auto(Run) run = { 0 };
  g_auto(Run) after = { 0 };

  exec_sql (db, sql);

  run_admin (&run, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin: "));
  assert_contains (run.err, "needs a superuser");
  assert_contains (run.err, user);
  assert_query (db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "0");

  /* Installed by a superuser, it still says why, not "permission denied". */
  init_database (db);
  run_admin (&after, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (after.status, ==, STATUS_FAILED);
  assert_contains (after.err, "needs a superuser");
}

/* A migration that fails leaves nothing behind and says where it failed. */
static void
test_init_failed_migration (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *where = NULL;
  g_auto(Run) run = { 0 };

  /* Something of the same name is in the way. */
  exec_sql (db, "CREATE SCHEMA tasksteper; CREATE TABLE tasksteper.mine (x int)");

  run_admin (&run, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  /* (The server gives the place in the file only for syntax errors.) */
  where = g_strdup ("tasksteper-admin: The migration 0001-initial.sql failed, so nothing of it "
                    "was applied: schema \"tasksteper\" already exists\n");
  g_assert_cmpstr (run.err, ==, where);

  assert_query (db, "SELECT count(*) FROM pg_class WHERE relnamespace = 'tasksteper'::regnamespace",
                "1");
}

static void
test_init_not_utf8 (void)
{
  g_autofree char *base = new_database ();
  g_autofree char *db = g_strconcat ("ascii_", base, NULL);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s ENCODING 'SQL_ASCII'"
                                          " LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0", db);
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_auto(Run) run = { 0 };

  exec_sql (NULL, sql);

  run_admin (&run, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  assert_contains (run.err, "has the encoding SQL_ASCII, but TaskSteper needs UTF8");
  assert_query (db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "0");
}

/* Two admins run init at the same moment: one installs, the other finds
 * it done; neither fails. */
static void
test_init_concurrent (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *installed = g_strdup_printf ("TaskSteper server side installed (version %d)\n",
                                                ts_migrations_get_latest ());
  g_autofree char *already = g_strdup_printf ("TaskSteper server side already at version %d\n",
                                              ts_migrations_get_latest ());
  GSubprocess *processes[4] = { NULL, };
  guint n_installed = 0;

  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      g_autoptr(GError) error = NULL;

      processes[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                       &error, g_getenv ("TS_ADMIN"), "init", "-d", conninfo, NULL);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      g_autoptr(GSubprocess) process = g_steal_pointer (&processes[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("init %u: %s%s", i, out, err);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, STATUS_OK);
      g_assert_cmpstr (err, ==, "");
      if (g_str_equal (out, installed))
        n_installed++;
      else
        g_assert_cmpstr (out, ==, already);
    }

  g_assert_cmpuint (n_installed, ==, 1);
  {
    g_autofree char *versions = file_versions ();

    assert_query (db, "SELECT string_agg(version::text, ',' ORDER BY version) FROM tasksteper.migrations",
                  versions);
  }
}

/* A database installed by a TaskSteper that knew only version 1: init
 * upgrades it, keeping what it holds, and the commands that need the
 * newer version say so until then. */
static void
test_init_upgrade (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "sql", "0001-initial.sql", NULL);
  g_autofree char *initial = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_autofree char *olga = g_strconcat ("olga_", db, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) import = { 0 };
  g_auto(Run) old_list = { 0 };
  g_auto(Run) old_set = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) set = { 0 };

  g_file_get_contents (path, &initial, NULL, &error);
  g_assert_no_error (error);
  sql = g_strconcat ("BEGIN;\n", initial, "\nCOMMIT;", NULL);
  exec_sql (db, sql);
  assert_query (db, "SELECT max(version) FROM tasksteper.migrations", "1");

  run_admin (&import, ARGS ("import", "-d", conninfo, issue_track));
  g_assert_cmpint (import.status, ==, STATUS_OK);
  add_user (db, olga, FALSE);
  add_member (db, "issue_track", olga);

  run_admin (&old_list, ARGS ("user", "list", "-d", conninfo));
  g_assert_cmpint (old_list.status, ==, STATUS_FAILED);
  g_assert_cmpstr (old_list.out, ==, "");
  assert_contains (old_list.err, "is at version 1, and this needs version 2");
  assert_contains (old_list.err, "init");
  run_admin (&old_set, ARGS ("user", "set", "-d", conninfo, olga, "--display-name", "奥尔加"));
  g_assert_cmpint (old_set.status, ==, STATUS_FAILED);
  assert_contains (old_set.err, "is at version 1, and this needs version 2");

  run_admin (&run, ARGS ("init", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.err, ==, "");
  expected = g_strdup_printf ("TaskSteper server side upgraded from 1 to %d\n", ts_migrations_get_latest ());
  g_assert_cmpstr (run.out, ==, expected);
  {
    g_autofree char *versions = file_versions ();

    assert_query (db, "SELECT string_agg(version::text, ',' ORDER BY version) FROM tasksteper.migrations",
                  versions);
  }
  assert_query (db, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'tasksteper.people'::regclass",
                "tasksteper_owner");
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "1");

  run_admin (&set, ARGS ("user", "set", "-d", conninfo, olga, "--display-name", "奥尔加"));
  g_assert_cmpint (set.status, ==, STATUS_OK);
  assert_query (db, "SELECT display_name FROM tasksteper.people", "奥尔加");
}

/* import */

static void
test_import_examples (void)
{
  static const char * const names[] = {
    "device_card", "improvement", "issue_track", "version_record",
  };
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *device_card = schema_path ("device_card.json");
  g_autofree char *improvement = schema_path ("improvement.json");
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_autofree char *version_record = schema_path ("version_record.json");
  g_auto(Run) run = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) list = { 0 };

  init_database (db);

  run_admin (&run, ARGS ("import", "-d", conninfo,
                         device_card, improvement, issue_track, version_record));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.err, ==, "");
  assert_contains (run.out, "imported issue_track (网上问题处理), revision 1\n");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *line = g_strdup_printf ("imported %s (", names[i]);

      assert_contains (run.out, line);
    }

  assert_query (db, "SELECT count(*) FROM tasksteper.projects", "4");
  assert_query (db, "SELECT key_prefix FROM tasksteper.projects WHERE name = 'issue_track'",
                "question");
  assert_query (db, "SELECT definition ->> 'title' FROM tasksteper.projects"
                    " WHERE name = 'issue_track'",
                "网上问题处理");

  /* Importing again makes new revisions. */
  run_admin (&again, ARGS ("import", "-d", conninfo, issue_track));
  g_assert_cmpint (again.status, ==, STATUS_OK);
  g_assert_cmpstr (again.out, ==, "imported issue_track (网上问题处理), revision 2\n");

  run_admin (&list, ARGS ("project", "list", "-d", conninfo));
  g_assert_cmpint (list.status, ==, STATUS_OK);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *pattern = g_strdup_printf ("^%s ", names[i]);

      assert_matches (pattern, list.out);
    }
  assert_matches ("^issue_track +网上问题处理 +2 +0 +0$", list.out);
}

static void
test_import_invalid (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_autofree char *invalid = data_path ("invalid.json");
  g_auto(Run) run = { 0 };
  g_auto(Run) list = { 0 };

  init_database (db);

  run_admin (&run, ARGS ("import", "-d", conninfo, issue_track, invalid));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "invalid.json:10:");
  assert_contains (run.err, "unknown state “done”");
  assert_contains (run.err, "nothing was imported");

  assert_query (db, "SELECT count(*) FROM tasksteper.projects", "0");

  run_admin (&list, ARGS ("project", "list", "-d", conninfo));
  g_assert_cmpint (list.status, ==, STATUS_OK);
  g_assert_cmpstr (list.out, ==, "");
  assert_contains (list.err, "There are no projects in database ");
}

static void
test_import_same_project_twice (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_autofree char *new_field = data_path ("issue_track-new-field.json");
  g_auto(Run) run = { 0 };

  init_database (db);

  run_admin (&run, ARGS ("import", "-d", conninfo, issue_track, new_field));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  assert_contains (run.err, "both define project issue_track");
  assert_query (db, "SELECT count(*) FROM tasksteper.projects", "0");
}

static void
test_import_not_installed (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_autofree char *expected = g_strdup_printf ("TaskSteper is not installed in database %s: "
                                               "run “tasksteper-admin init” first\n", db);
  const char * const *commands[] = {
    ARGS ("import", "-d", conninfo, issue_track),
    ARGS ("project", "list", "-d", conninfo),
    ARGS ("user", "list", "-d", conninfo),
    ARGS ("user", "set", "-d", conninfo, "postgres", "--display-name", "超级用户"),
    ARGS ("member", "add", "-d", conninfo, "issue_track", "postgres"),
    ARGS ("member", "remove", "-d", conninfo, "issue_track", "postgres"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, commands[i]);
      g_assert_cmpint (run.status, ==, STATUS_FAILED);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin: "));
      g_assert_true (g_str_has_suffix (run.err, expected));
    }

  assert_query (db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "0");
}

/* Re-importing a revision that removes the state tickets are in. */
static void
test_import_map_state (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *renamed = data_path ("issue_track-renamed.json");
  g_autofree char *alice = g_strconcat ("alice_", db, NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_auto(Run) refused = { 0 };
  g_auto(Run) mapped = { 0 };
  g_autofree char *history_sql = NULL;

  add_user (db, alice, FALSE);
  add_member (db, "issue_track", alice);
  first = create_ticket (db, alice, "issue_track");
  second = create_ticket (db, alice, "issue_track");

  run_admin (&refused, ARGS ("import", "-d", conninfo, renamed));
  g_assert_cmpint (refused.status, ==, STATUS_FAILED);
  g_assert_cmpstr (refused.out, ==, "");
  assert_contains (refused.err, "cannot import");
  assert_contains (refused.err, "removes states that tickets are in: “维护人员处理” (2 tickets)");
  assert_contains (refused.err, "Hint: ");
  assert_contains (refused.err, "--map-state OLD=NEW");
  assert_contains (refused.err, "nothing was imported");
  assert_query (db, "SELECT revision FROM tasksteper.projects", "1");
  assert_query (db, "SELECT string_agg(DISTINCT state, ',') FROM tasksteper.tickets",
                "维护人员处理");

  run_admin (&mapped, ARGS ("import", "-d", conninfo, "--map-state", "维护人员处理=处理中",
                            renamed));
  g_assert_cmpint (mapped.status, ==, STATUS_OK);
  g_assert_cmpstr (mapped.out, ==, "imported issue_track (网上问题处理), revision 2\n");
  assert_query (db, "SELECT revision FROM tasksteper.projects", "2");
  assert_query (db, "SELECT string_agg(DISTINCT state, ',') FROM tasksteper.tickets", "处理中");
  assert_query (db, "SELECT count(*) FROM tasksteper.tickets WHERE version = 2", "2");

  /* Each ticket has a line in its history for the move. */
  history_sql = g_strdup_printf ("SELECT count(*) FROM tasksteper.history"
                                 " WHERE ticket_id IN (%s, %s) AND trigger IS NULL"
                                 "   AND from_state = '维护人员处理' AND to_state = '处理中'"
                                 "   AND from_assignee = '%s' AND to_assignee = '%s'"
                                 "   AND actor = 'postgres'",
                                 first, second, alice, alice);
  assert_query (db, history_sql, "2");
}

static void
test_import_map_state_usage (void)
{
  g_autofree char *renamed = data_path ("issue_track-renamed.json");
  static const char * const wrong[] = { "维护人员处理", "=处理中", "维护人员处理=", "" };

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, ARGS ("import", "-d", "host=/nonexistent", "--map-state", wrong[i],
                             renamed));
      g_assert_cmpint (run.status, ==, STATUS_USAGE);
      g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin import: --map-state "));
      assert_contains (run.err, "OLD=NEW");
    }

  /* Twice the same old state, and a new state no file has. */
  {
    g_auto(Run) twice = { 0 };
    g_auto(Run) unknown = { 0 };

    run_admin (&twice, ARGS ("import", "-d", "host=/nonexistent", "-m", "a=处理中", "-m", "a=关闭",
                             renamed));
    g_assert_cmpint (twice.status, ==, STATUS_USAGE);
    assert_contains (twice.err, "maps “a” twice");

    run_admin (&unknown, ARGS ("import", "-d", "host=/nonexistent", "-m", "维护人员处理=处理",
                               renamed));
    g_assert_cmpint (unknown.status, ==, STATUS_USAGE);
    assert_contains (unknown.err, "no project being imported has a state “处理”");
  }
}

/* A new field: existing tickets get its default; removing it again keeps
 * the data. */
static void
test_import_new_field (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *new_field = data_path ("issue_track-new-field.json");
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_autofree char *alice = g_strconcat ("alice_", db, NULL);
  g_autofree char *id = NULL;
  g_autofree char *sql = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) back = { 0 };

  add_user (db, alice, FALSE);
  add_member (db, "issue_track", alice);
  id = create_ticket (db, alice, "issue_track");
  sql = g_strdup_printf ("SELECT fields ->> 'region' FROM tasksteper.tickets WHERE id = %s", id);
  assert_query (db, sql, NULL);

  run_admin (&run, ARGS ("import", "-d", conninfo, new_field));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.out, ==, "imported issue_track (网上问题处理), revision 2\n");
  assert_query (db, sql, "华南");
  /* The other fields are untouched. */
  assert_query (db, "SELECT fields ->> 'issue_level' FROM tasksteper.tickets", "一般问题");

  run_admin (&back, ARGS ("import", "-d", conninfo, issue_track));
  g_assert_cmpint (back.status, ==, STATUS_OK);
  assert_query (db, sql, "华南");
}

/* An admin who is not a superuser may import; a plain user may not. */
static void
test_import_roles (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *admin = g_strconcat ("admin_", db, NULL);
  g_autofree char *bob = g_strconcat ("bob_", db, NULL);
  g_autofree char *admin_conninfo = NULL;
  g_autofree char *bob_conninfo = NULL;
  g_autofree char *issue_track = schema_path ("issue_track.json");
  g_auto(Run) refused = { 0 };
  g_auto(Run) allowed = { 0 };
  g_auto(Run) member = { 0 };

  init_database (db);
  add_user (db, admin, TRUE);
  add_user (db, bob, FALSE);
  admin_conninfo = conninfo_for (db, admin);
  bob_conninfo = conninfo_for (db, bob);

  run_admin (&refused, ARGS ("import", "-d", bob_conninfo, issue_track));
  g_assert_cmpint (refused.status, ==, STATUS_FAILED);
  assert_contains (refused.err, "cannot import");
  assert_contains (refused.err, "permission denied");
  assert_contains (refused.err, "Hint: Connect as a superuser, or as a TaskSteper admin");
  assert_query (db, "SELECT count(*) FROM tasksteper.projects", "0");

  run_admin (&allowed, ARGS ("import", "-d", admin_conninfo, issue_track));
  g_assert_cmpint (allowed.status, ==, STATUS_OK);
  assert_query (db, "SELECT count(*) FROM tasksteper.projects", "1");

  run_admin (&member, ARGS ("member", "add", "-d", admin_conninfo, "issue_track", bob));
  g_assert_cmpint (member.status, ==, STATUS_OK);
  assert_query (db, "SELECT string_agg(member, ',') FROM tasksteper.members", bob);
}

/* user */

static char *
write_password_file (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("ts-password-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
test_user_add (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *carol = g_strconcat ("carol_", db, NULL);
  g_autofree char *dave = g_strconcat ("Dave O'Hara \"", db, NULL);
  g_autofree char *password_file = write_password_file ("secret with spaces\r\nsecond line\n");
  g_autofree char *is_user = NULL;
  g_autofree char *is_admin = NULL;
  g_autofree char *password = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) admin = { 0 };
  g_auto(Run) list = { 0 };

  init_database (db);

  run_admin (&run, ARGS ("user", "add", "-d", conninfo, "--password-file", password_file, carol));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.err, ==, "");
  assert_contains (run.out, "added user ");
  assert_contains (run.out, carol);

  /* The server got a SCRAM verifier, never the password. */
  password = query_as (db, NULL, "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
                       PARAMS (carol));
  g_assert_true (g_str_has_prefix (password, "SCRAM-SHA-256$"));
  assert_not_contains (password, "secret");
  is_user = query_as (db, NULL,
                      "SELECT rolcanlogin AND pg_has_role(oid, 'tasksteper_user', 'MEMBER')"
                      "       AND NOT pg_has_role(oid, 'tasksteper_admin', 'MEMBER')"
                      "       AND NOT rolsuper AND NOT rolcreaterole"
                      "  FROM pg_roles WHERE rolname = $1",
                      PARAMS (carol));
  g_assert_cmpstr (is_user, ==, "t");

  /* Names that need quoting are taken as they are, not as SQL. */
  run_admin (&admin, ARGS ("user", "add", "-d", conninfo, "-p", password_file, "--admin", dave));
  g_assert_cmpint (admin.status, ==, STATUS_OK);
  assert_contains (admin.out, "a TaskSteper admin");
  is_admin = query_as (db, NULL,
                       "SELECT pg_has_role(oid, 'tasksteper_user', 'MEMBER')"
                       "       AND pg_has_role(oid, 'tasksteper_admin', 'MEMBER')"
                       "  FROM pg_roles WHERE rolname = $1",
                       PARAMS (dave));
  g_assert_cmpstr (is_admin, ==, "t");

  run_admin (&list, ARGS ("user", "list", "-d", conninfo));
  g_assert_cmpint (list.status, ==, STATUS_OK);
  g_assert_cmpstr (list.err, ==, "");
  assert_matches ("^USER +DISPLAY NAME +ADMIN +PROJECTS$", list.out);
  {
    g_autofree char *carol_line = g_strdup_printf ("^%s +no$", carol);
    g_autofree char *escaped = g_regex_escape_string (dave, -1);
    g_autofree char *dave_line = g_strdup_printf ("^%s +yes$", escaped);

    assert_matches (carol_line, list.out);
    assert_matches (dave_line, list.out);
  }
  /* The superuser is no TaskSteper user. */
  assert_not_contains (list.out, "postgres");

  g_unlink (password_file);
}

/* Runs tasksteper-admin with a terminal (a pseudo-terminal) as standard
 * input, answering each prompt on standard error with the next of
 * @answers. */
static void
run_admin_on_terminal (Run                *run,
                       const char * const *args,
                       const char * const *answers)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  GInputStream *stream;
  char buffer[256];
  guint n_prompts = 0;
  int master;
  int slave;
  gssize n;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  g_ptr_array_add (argv, (gpointer)g_getenv ("TS_ADMIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  /* Each prompt ends with ": " and no new line. */
  stream = g_subprocess_get_stderr_pipe (process);
  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error)) > 0)
    {
      g_string_append_len (err, buffer, n);
      if (g_str_has_suffix (err->str, ": ") && answers[n_prompts] != NULL)
        {
          g_autofree char *line = g_strconcat (answers[n_prompts], "\n", NULL);

          g_assert_cmpint (write (master, line, strlen (line)), ==, (gssize)strlen (line));
          n_prompts++;
        }
    }
  g_assert_no_error (error);

  stream = g_subprocess_get_stdout_pipe (process);
  while ((n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (out, buffer, n);
  g_assert_no_error (error);

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  close (master);

  run->status = g_subprocess_get_exit_status (process);
  run->out = g_string_free (g_steal_pointer (&out), FALSE);
  run->err = g_string_free (g_steal_pointer (&err), FALSE);
  g_test_message ("exit status %d\n--- stdout ---\n%s--- stderr ---\n%s",
                  run->status, run->out, run->err);
}

/* The password asked for on a terminal, twice. */
static void
test_user_add_prompt (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *mia = g_strconcat ("mia_", db, NULL);
  g_autofree char *prompt = g_strdup_printf ("Password for the new user %s: Enter it again: ", mia);
  g_autofree char *password = NULL;
  g_auto(Run) mismatch = { 0 };
  g_auto(Run) empty = { 0 };
  g_auto(Run) run = { 0 };

  init_database (db);

  run_admin_on_terminal (&mismatch, ARGS ("user", "add", "-d", conninfo, mia),
                         ARGS ("one password", "another"));
  g_assert_cmpint (mismatch.status, ==, STATUS_FAILED);
  assert_contains (mismatch.err, "the passwords do not match");

  run_admin_on_terminal (&empty, ARGS ("user", "add", "-d", conninfo, mia), ARGS (""));
  g_assert_cmpint (empty.status, ==, STATUS_FAILED);
  assert_contains (empty.err, "the password is empty");

  password = query_as (db, NULL, "SELECT count(*) FROM pg_roles WHERE rolname = $1", PARAMS (mia));
  g_assert_cmpstr (password, ==, "0");
  g_clear_pointer (&password, g_free);

  run_admin_on_terminal (&run, ARGS ("user", "add", "-d", conninfo, mia),
                         ARGS ("早上好 secret", "早上好 secret"));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  /* The answers were not echoed: only the prompts are there. */
  g_assert_cmpstr (run.err, ==, prompt);
  assert_contains (run.out, "added user ");

  password = query_as (db, NULL, "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
                       PARAMS (mia));
  g_assert_true (g_str_has_prefix (password, "SCRAM-SHA-256$"));
}

static void
test_user_add_twice (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *erin = g_strconcat ("erin_", db, NULL);
  g_autofree char *password_file = write_password_file ("pw\n");
  g_auto(Run) run = { 0 };
  g_auto(Run) existing = { 0 };

  init_database (db);
  add_user (db, erin, FALSE);

  run_admin (&run, ARGS ("user", "add", "-d", conninfo, "--password-file", password_file, erin));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "a role named ");
  assert_contains (run.err, "already exists");

  /* Any role, not only TaskSteper's. */
  run_admin (&existing, ARGS ("user", "add", "-d", conninfo, "--password-file", password_file,
                              "tasksteper_owner"));
  g_assert_cmpint (existing.status, ==, STATUS_FAILED);
  assert_contains (existing.err, "a role named tasksteper_owner already exists");

  g_unlink (password_file);
}

static void
test_user_add_bad_password (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *frank = g_strconcat ("frank_", db, NULL);
  g_autofree char *empty_file = write_password_file ("");
  g_autofree char *newline_file = write_password_file ("\nsecond line\n");
  g_autofree char *missing_file = g_build_filename (g_get_tmp_dir (), "ts-no-such-password", NULL);
  g_autofree char *sql = NULL;
  g_auto(Run) empty = { 0 };
  g_auto(Run) newline = { 0 };
  g_auto(Run) missing = { 0 };
  g_auto(Run) none = { 0 };

  init_database (db);

  run_admin (&empty, ARGS ("user", "add", "-d", conninfo, "--password-file", empty_file, frank));
  g_assert_cmpint (empty.status, ==, STATUS_FAILED);
  assert_contains (empty.err, "is empty");

  run_admin (&newline, ARGS ("user", "add", "-d", conninfo, "--password-file", newline_file,
                             frank));
  g_assert_cmpint (newline.status, ==, STATUS_FAILED);
  assert_contains (newline.err, "is empty");

  run_admin (&missing, ARGS ("user", "add", "-d", conninfo, "--password-file", missing_file,
                             frank));
  g_assert_cmpint (missing.status, ==, STATUS_FAILED);
  assert_contains (missing.err, "cannot read the password from ");

  /* No file, and standard input is no terminal to ask on. */
  run_admin (&none, ARGS ("user", "add", "-d", conninfo, frank));
  g_assert_cmpint (none.status, ==, STATUS_USAGE);
  assert_contains (none.err, "--password-file");

  sql = g_strdup_printf ("SELECT count(*) FROM pg_roles WHERE rolname = '%s'", frank);
  assert_query (db, sql, "0");

  g_unlink (empty_file);
  g_unlink (newline_file);
}

static void
test_user_add_bad_name (void)
{
  g_autofree char *long_name = g_strnfill (64, 'a');
  const char *names[] = { "", "tab\tname", "line\nbreak", long_name };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, ARGS ("user", "add", "-d", "host=/nonexistent", "-p", "/nonexistent",
                             names[i]));
      g_assert_cmpint (run.status, ==, STATUS_USAGE);
      g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin user add: the user NAME"));
    }
}

/* The terminal column at which @needle starts in @line (CJK characters
 * take two columns). */
static glong
column_of (const char *line,
           const char *needle)
{
  const char *end = strstr (line, needle);
  glong column = 0;

  g_assert_nonnull (end);
  for (const char *p = line; p < end; p = g_utf8_next_char (p))
    column += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;

  return column;
}

/* The name of @login in tasksteper.people, or NULL. */
static char *
display_name_of (const char *db,
                 const char *login)
{
  return query_as (db, NULL, "SELECT display_name FROM tasksteper.people WHERE login = $1",
                   PARAMS (login));
}

static void
test_user_display_name (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *zhang = g_strconcat ("zhang_", db, NULL);
  g_autofree char *wang = g_strconcat ("wang_", db, NULL);
  g_autofree char *password_file = write_password_file ("pw\n");
  g_autofree char *name = NULL;
  g_autofree char *expected = NULL;
  g_auto(Run) add = { 0 };
  g_auto(Run) admin = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) set = { 0 };
  g_auto(Run) same = { 0 };
  g_auto(Run) clear = { 0 };
  g_auto(Run) after = { 0 };
  g_auto(GStrv) lines = NULL;

  run_admin (&add, ARGS ("user", "add", "-d", conninfo, "-p", password_file, "--display-name", "张伟",
                         zhang));
  g_assert_cmpint (add.status, ==, STATUS_OK);
  g_assert_cmpstr (add.err, ==, "");
  expected = g_strdup_printf ("added user %s (张伟); put them into projects with “tasksteper-admin "
                              "member add PROJECT %s”\n", zhang, zhang);
  g_assert_cmpstr (add.out, ==, expected);
  name = display_name_of (db, zhang);
  g_assert_cmpstr (name, ==, "张伟");
  g_clear_pointer (&name, g_free);

  run_admin (&admin, ARGS ("user", "add", "-d", conninfo, "-p", password_file, "--admin",
                           "--display-name", "Wang Fang", wang));
  g_assert_cmpint (admin.status, ==, STATUS_OK);
  assert_contains (admin.out, "(Wang Fang), a TaskSteper admin");
  add_member (db, "issue_track", zhang);

  /* The names in a column of their own, aligned by the width they take. */
  run_admin (&list, ARGS ("user", "list", "-d", conninfo));
  g_assert_cmpint (list.status, ==, STATUS_OK);
  g_assert_cmpstr (list.err, ==, "");
  /* (Roles are cluster-wide: other tests' users are listed too.) */
  lines = g_strsplit (list.out, "\n", -1);
  assert_matches ("^USER +DISPLAY NAME +ADMIN +PROJECTS$", lines[0]);
  {
    g_autofree char *wang_line = g_strdup_printf ("^%s +Wang Fang +yes$", wang);
    g_autofree char *zhang_line = g_strdup_printf ("^%s +张伟 +no +issue_track$", zhang);
    guint n_found = 0;

    assert_matches (wang_line, list.out);
    assert_matches (zhang_line, list.out);

    for (guint i = 1; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], wang))
          g_assert_cmpint (column_of (lines[i], " yes"), ==, column_of (lines[0], " ADMIN"));
        else if (g_str_has_prefix (lines[i], zhang))
          g_assert_cmpint (column_of (lines[i], " no"), ==, column_of (lines[0], " ADMIN"));
        else
          continue;
        n_found++;
      }
    g_assert_cmpuint (n_found, ==, 2);
  }

  /* Changed, changed to the same, removed. */
  run_admin (&set, ARGS ("user", "set", "-d", conninfo, zhang, "--display-name", "张大伟"));
  g_assert_cmpint (set.status, ==, STATUS_OK);
  g_assert_cmpstr (set.err, ==, "");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("the display name of %s is now “张大伟”\n", zhang);
  g_assert_cmpstr (set.out, ==, expected);
  name = display_name_of (db, zhang);
  g_assert_cmpstr (name, ==, "张大伟");
  g_clear_pointer (&name, g_free);

  run_admin (&same, ARGS ("user", "set", "-d", conninfo, zhang, "--display-name", "张大伟"));
  g_assert_cmpint (same.status, ==, STATUS_OK);

  run_admin (&clear, ARGS ("user", "set", "-d", conninfo, zhang, "--display-name", ""));
  g_assert_cmpint (clear.status, ==, STATUS_OK);
  assert_contains (clear.out, "removed the display name of ");
  name = display_name_of (db, zhang);
  g_assert_null (name);

  run_admin (&after, ARGS ("user", "list", "-d", conninfo));
  g_assert_cmpint (after.status, ==, STATUS_OK);
  {
    g_autofree char *zhang_line = g_strdup_printf ("^%s +no +issue_track$", zhang);

    assert_matches (zhang_line, after.out);
  }

  g_unlink (password_file);
}

/* Names the server refuses: nothing is added or changed, and the message
 * says why. */
static void
test_user_display_name_refused (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *li = g_strconcat ("li_", db, NULL);
  g_autofree char *bob = g_strconcat ("bob_", db, NULL);
  g_autofree char *bob_conninfo = NULL;
  g_autofree char *password_file = write_password_file ("pw\n");
  g_autofree char *too_long = NULL;
  g_autofree char *count_sql = NULL;
  const struct
  {
    const char *display_name;
    const char *message;
  } bad[] = {
    { " 张伟", "may not start or end with white space" },
    { "张伟\u3000", "may not start or end with white space" },
    { "张\t伟", "may not contain control characters" },
    { "张\n伟", "may not contain control characters" },
    { NULL, "may have at most 100 characters, not 101" },
  };
  g_auto(Run) nobody = { 0 };
  g_auto(Run) plain = { 0 };

  init_database (db);
  add_user (db, bob, FALSE);
  bob_conninfo = conninfo_for (db, bob);

  {
    GString *text = g_string_new (NULL);

    for (guint i = 0; i < 101; i++)
      g_string_append (text, "伟");
    too_long = g_string_free (text, FALSE);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *display_name = bad[i].display_name != NULL ? bad[i].display_name : too_long;
      g_autofree char *sql = NULL;
      g_auto(Run) add = { 0 };
      g_auto(Run) set = { 0 };

      run_admin (&add, ARGS ("user", "add", "-d", conninfo, "-p", password_file,
                             "--display-name", display_name, li));
      g_assert_cmpint (add.status, ==, STATUS_FAILED);
      g_assert_cmpstr (add.out, ==, "");
      assert_contains (add.err, "cannot add user ");
      assert_contains (add.err, bad[i].message);
      /* Neither the role nor the name. */
      sql = g_strdup_printf ("SELECT count(*) FROM pg_roles WHERE rolname = '%s'", li);
      assert_query (db, sql, "0");
      assert_query (db, "SELECT count(*) FROM tasksteper.people", "0");

      run_admin (&set, ARGS ("user", "set", "-d", conninfo, bob, "--display-name", display_name));
      g_assert_cmpint (set.status, ==, STATUS_FAILED);
      assert_contains (set.err, "cannot change user ");
      assert_contains (set.err, bad[i].message);
      assert_query (db, "SELECT count(*) FROM tasksteper.people", "0");
    }

  /* No such user. */
  run_admin (&nobody, ARGS ("user", "set", "-d", conninfo, "nobody", "--display-name", "无名"));
  g_assert_cmpint (nobody.status, ==, STATUS_FAILED);
  assert_contains (nobody.err, "cannot change user nobody: nobody is not a TaskSteper user");
  assert_contains (nobody.err, "Hint: Add them first");

  /* A plain user may not name anyone, themselves included. */
  run_admin (&plain, ARGS ("user", "set", "-d", bob_conninfo, bob, "--display-name", "鲍勃"));
  g_assert_cmpint (plain.status, ==, STATUS_FAILED);
  assert_contains (plain.err, "permission denied");
  assert_contains (plain.err, "Hint: Connect as a superuser, or as a TaskSteper admin");
  count_sql = g_strdup ("SELECT count(*) FROM tasksteper.people");
  assert_query (db, count_sql, "0");

  g_unlink (password_file);
}

/* member */

static void
test_member_add_remove (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *gina = g_strconcat ("gina_", db, NULL);
  g_autofree char *hank = g_strconcat ("hank_", db, NULL);
  g_autofree char *added = NULL;
  g_autofree char *both = NULL;
  g_autofree char *removed = NULL;
  g_auto(Run) add = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) remove = { 0 };
  g_auto(Run) not_member = { 0 };

  add_user (db, gina, FALSE);
  add_user (db, hank, FALSE);

  run_admin (&add, ARGS ("member", "add", "-d", conninfo, "issue_track", gina, hank));
  g_assert_cmpint (add.status, ==, STATUS_OK);
  g_assert_cmpstr (add.err, ==, "");
  added = g_strdup_printf ("added %s to issue_track\nadded %s to issue_track\n", gina, hank);
  g_assert_cmpstr (add.out, ==, added);
  both = g_strdup_printf ("%s,%s", gina, hank);
  assert_query (db, "SELECT string_agg(member, ',' ORDER BY member) FROM tasksteper.members", both);

  run_admin (&again, ARGS ("member", "add", "-d", conninfo, "issue_track", gina));
  g_assert_cmpint (again.status, ==, STATUS_OK);
  assert_contains (again.out, "was already a member of issue_track");

  run_admin (&list, ARGS ("user", "list", "-d", conninfo));
  g_assert_cmpint (list.status, ==, STATUS_OK);
  {
    g_autofree char *line = g_strdup_printf ("^%s +no +issue_track$", gina);

    assert_matches (line, list.out);
  }

  run_admin (&remove, ARGS ("member", "remove", "-d", conninfo, "issue_track", gina));
  g_assert_cmpint (remove.status, ==, STATUS_OK);
  g_assert_cmpstr (remove.err, ==, "");
  removed = g_strdup_printf ("removed %s from issue_track\n", gina);
  g_assert_cmpstr (remove.out, ==, removed);
  assert_query (db, "SELECT string_agg(member, ',') FROM tasksteper.members", hank);

  run_admin (&not_member, ARGS ("member", "remove", "-d", conninfo, "issue_track", gina));
  g_assert_cmpint (not_member.status, ==, STATUS_FAILED);
  assert_contains (not_member.err, "cannot remove");
  assert_contains (not_member.err, "is not a member of project issue_track");
}

static void
test_member_remove_held (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *ivan = g_strconcat ("ivan_", db, NULL);
  g_autofree char *judy = g_strconcat ("judy_", db, NULL);
  g_autofree char *id = NULL;
  g_autofree char *refusal = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *holder = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) not_member = { 0 };
  g_auto(Run) reassigned = { 0 };

  add_user (db, ivan, FALSE);
  add_user (db, judy, FALSE);
  add_member (db, "issue_track", ivan);
  id = create_ticket (db, ivan, "issue_track");
  g_assert_nonnull (id);

  /* Refused while they hold an open ticket: nothing changes. */
  run_admin (&run, ARGS ("member", "remove", "-d", conninfo, "issue_track", ivan));
  g_assert_cmpint (run.status, ==, STATUS_FAILED);
  g_assert_cmpstr (run.out, ==, "");
  refusal = g_strdup_printf ("tasksteper-admin: cannot remove %s from issue_track: %s still holds 1 open ticket "
                             "of issue_track: question_1\n", ivan, ivan);
  hint = g_strdup_printf ("Hint: Give them to another member of issue_track in the same step: tasksteper-admin "
                          "member remove --reassign-to USER issue_track %s\n", ivan);
  assert_contains (run.err, refusal);
  assert_contains (run.err, hint);
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "1");

  /* Not to someone outside the project. */
  run_admin (&not_member, ARGS ("member", "remove", "-d", conninfo, "--reassign-to", judy, "issue_track", ivan));
  g_assert_cmpint (not_member.status, ==, STATUS_FAILED);
  assert_contains (not_member.err, "is not a member of project issue_track");
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "1");

  /* With someone to take them over, in the same step. */
  add_member (db, "issue_track", judy);
  run_admin (&reassigned, ARGS ("member", "remove", "-d", conninfo, "--reassign-to", judy, "issue_track", ivan));
  g_assert_cmpint (reassigned.status, ==, STATUS_OK);
  g_assert_cmpstr (reassigned.err, ==, "");
  moved = g_strdup_printf ("removed %s from issue_track and gave the 1 open ticket they held to %s\n", ivan, judy);
  g_assert_cmpstr (reassigned.out, ==, moved);
  holder = g_strdup_printf ("%s", judy);
  assert_query (db, "SELECT assigned_to FROM tasksteper.tickets", holder);
  assert_query (db, "SELECT count(*) FROM tasksteper.history WHERE trigger IS NULL AND from_state IS NOT NULL", "1");
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "1");
}

/* Project admins: member add --admin, member admin and unadmin. */
static void
test_member_admin (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *kim = g_strconcat ("kim_", db, NULL);
  g_autofree char *lee = g_strconcat ("lee_", db, NULL);
  g_autofree char *out = NULL;
  g_autofree char *admins = NULL;
  g_auto(Run) add = { 0 };
  g_auto(Run) grant = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) revoke = { 0 };
  g_auto(Run) outsider = { 0 };
  g_auto(Run) by_user = { 0 };
  g_autofree char *user_conninfo = NULL;

  add_user (db, kim, FALSE);
  add_user (db, lee, FALSE);

  run_admin (&add, ARGS ("member", "add", "-d", conninfo, "--admin", "issue_track", kim));
  g_assert_cmpint (add.status, ==, STATUS_OK);
  out = g_strdup_printf ("added %s to issue_track as an admin\n", kim);
  g_assert_cmpstr (add.out, ==, out);
  g_clear_pointer (&out, g_free);
  assert_query (db, "SELECT string_agg(member, ',') FROM tasksteper.members WHERE is_admin", kim);

  add_member (db, "issue_track", lee);
  run_admin (&grant, ARGS ("member", "admin", "-d", conninfo, "issue_track", lee));
  g_assert_cmpint (grant.status, ==, STATUS_OK);
  out = g_strdup_printf ("%s is now an admin of issue_track\n", lee);
  g_assert_cmpstr (grant.out, ==, out);
  g_clear_pointer (&out, g_free);
  run_admin (&again, ARGS ("member", "admin", "-d", conninfo, "issue_track", lee));
  out = g_strdup_printf ("%s was already an admin of issue_track\n", lee);
  g_assert_cmpstr (again.out, ==, out);
  g_clear_pointer (&out, g_free);

  run_admin (&revoke, ARGS ("member", "unadmin", "-d", conninfo, "issue_track", kim));
  g_assert_cmpint (revoke.status, ==, STATUS_OK);
  out = g_strdup_printf ("%s is no longer an admin of issue_track\n", kim);
  g_assert_cmpstr (revoke.out, ==, out);
  assert_query (db, "SELECT string_agg(member, ',') FROM tasksteper.members WHERE is_admin", lee);

  /* Only members; all or none. */
  run_admin (&outsider, ARGS ("member", "admin", "-d", conninfo, "issue_track", kim, "nobody_here"));
  g_assert_cmpint (outsider.status, ==, STATUS_FAILED);
  assert_contains (outsider.err, "nobody_here is not a member of project issue_track");
  assert_contains (outsider.err, "no one was changed");
  assert_query (db, "SELECT string_agg(member, ',') FROM tasksteper.members WHERE is_admin", lee);

  /* A project admin may not make others admins: the database says no. */
  user_conninfo = conninfo_for (db, lee);
  run_admin (&by_user, ARGS ("member", "admin", "-d", user_conninfo, "issue_track", kim));
  g_assert_cmpint (by_user.status, ==, STATUS_FAILED);
  assert_contains (by_user.err, "permission denied");
  admins = g_strdup (lee);
  assert_query (db, "SELECT string_agg(member, ',') FROM tasksteper.members WHERE is_admin", admins);
}

/* user disable, enable, passwd and remove. */
static void
test_user_lifecycle (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *mia = g_strconcat ("mia_", db, NULL);
  g_autofree char *ned = g_strconcat ("ned_", db, NULL);
  g_autofree char *password_file = write_password_file ("新密码 new\n");
  g_autofree char *id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *disabled_line = NULL;
  g_autofree char *escaped = NULL;
  g_auto(Run) disable = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) enable = { 0 };
  g_auto(Run) passwd = { 0 };
  g_auto(Run) refused = { 0 };
  g_auto(Run) removed = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) superuser = { 0 };

  add_user (db, mia, FALSE);
  add_user (db, ned, FALSE);
  add_member (db, "issue_track", mia);
  add_member (db, "issue_track", ned);
  id = create_ticket (db, mia, "issue_track");

  run_admin (&disable, ARGS ("user", "disable", "-d", conninfo, mia));
  g_assert_cmpint (disable.status, ==, STATUS_OK);
  assert_contains (disable.out, "can no longer log in");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT rolcanlogin::text FROM pg_roles WHERE rolname = '%s'", mia);

    assert_query (db, sql, "false");
  }
  /* Still a member, still holding the ticket, listed as disabled. */
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "2");
  run_admin (&list, ARGS ("user", "list", "-d", conninfo));
  escaped = g_regex_escape_string (mia, -1);
  disabled_line = g_strdup_printf ("^%s \\(disabled\\) +no +issue_track$", escaped);
  assert_matches (disabled_line, list.out);

  run_admin (&enable, ARGS ("user", "enable", "-d", conninfo, mia));
  g_assert_cmpint (enable.status, ==, STATUS_OK);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT rolcanlogin::text FROM pg_roles WHERE rolname = '%s'", mia);

    assert_query (db, sql, "true");
  }

  run_admin (&passwd, ARGS ("user", "passwd", "-d", conninfo, "--password-file", password_file, mia));
  g_assert_cmpint (passwd.status, ==, STATUS_OK);
  expected = g_strdup_printf ("changed the password of %s\n", mia);
  g_assert_cmpstr (passwd.out, ==, expected);
  g_clear_pointer (&expected, g_free);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = '%s'", mia);

    assert_query (db, sql, "SCRAM-SHA-256$");
  }

  /* Remove: refused while anything is assigned to them. */
  run_admin (&refused, ARGS ("user", "remove", "-d", conninfo, mia));
  g_assert_cmpint (refused.status, ==, STATUS_FAILED);
  expected = g_strdup_printf ("tasksteper-admin: cannot remove user %s: %s still holds 1 open ticket: question_1\n",
                              mia, mia);
  assert_contains (refused.err, expected);
  g_clear_pointer (&expected, g_free);
  assert_contains (refused.err, "member remove --reassign-to USER PROJECT");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_roles WHERE rolname = '%s'", mia);

    assert_query (db, sql, "1");
  }

  /* Once the ticket is ned's, they go; history keeps the name. */
  exec_sql (db, "SELECT tasksteper.reassign(id, version, (SELECT member FROM tasksteper.members WHERE member LIKE 'ned_%'))"
                "  FROM tasksteper.tickets");
  run_admin (&removed, ARGS ("user", "remove", "-d", conninfo, mia));
  g_assert_cmpint (removed.status, ==, STATUS_OK);
  expected = g_strdup_printf ("removed user %s; history keeps their name\n", mia);
  g_assert_cmpstr (removed.out, ==, expected);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_roles WHERE rolname = '%s'", mia);

    assert_query (db, sql, "0");
  }
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "1");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM tasksteper.history WHERE actor = '%s'", mia);

    assert_query (db, sql, "1");
  }

  /* Only TaskSteper users. */
  run_admin (&unknown, ARGS ("user", "disable", "-d", conninfo, "nobody_here"));
  g_assert_cmpint (unknown.status, ==, STATUS_FAILED);
  assert_contains (unknown.err, "there is no TaskSteper user nobody_here");
  run_admin (&superuser, ARGS ("user", "remove", "-d", conninfo, "postgres"));
  g_assert_cmpint (superuser.status, ==, STATUS_FAILED);
  assert_contains (superuser.err, "there is no TaskSteper user postgres");
  g_unlink (password_file);
  (void) id;
}

static void
test_member_add_not_user (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *judy = g_strconcat ("judy_", db, NULL);
  g_autofree char *outsider = g_strconcat ("outsider_", db, NULL);
  g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN", outsider);
  g_auto(Run) nobody = { 0 };
  g_auto(Run) role = { 0 };
  g_auto(Run) project = { 0 };

  add_user (db, judy, FALSE);
  exec_sql (db, sql);

  /* One unknown name, and nobody is added. */
  run_admin (&nobody, ARGS ("member", "add", "-d", conninfo, "issue_track", judy, "nobody"));
  g_assert_cmpint (nobody.status, ==, STATUS_FAILED);
  g_assert_cmpstr (nobody.out, ==, "");
  assert_contains (nobody.err, "cannot add nobody to issue_track: nobody is not a TaskSteper user");
  assert_contains (nobody.err, "Hint: Add them first with tasksteper-admin user add NAME.");
  assert_contains (nobody.err, "no one was added");
  assert_query (db, "SELECT count(*) FROM tasksteper.members", "0");

  /* A login role that is not in tasksteper_user. */
  run_admin (&role, ARGS ("member", "add", "-d", conninfo, "issue_track", outsider));
  g_assert_cmpint (role.status, ==, STATUS_FAILED);
  assert_contains (role.err, "is not a TaskSteper user");

  run_admin (&project, ARGS ("member", "add", "-d", conninfo, "no_such_project", judy));
  g_assert_cmpint (project.status, ==, STATUS_FAILED);
  assert_contains (project.err, "there is no project no_such_project");
}

/* project */

/* The columns @text takes on a terminal. */
static glong
display_width (const char *text)
{
  glong width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;

  return width;
}

static void
test_project_list (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *improvement = schema_path ("improvement.json");
  g_autofree char *kim = g_strconcat ("kim_", db, NULL);
  g_autofree char *lee = g_strconcat ("lee_", db, NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *title = NULL;
  g_autofree char *improvement_line = NULL;
  g_auto(Run) import = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) extra = { 0 };
  g_auto(GStrv) lines = NULL;

  run_admin (&import, ARGS ("import", "-d", conninfo, improvement));
  g_assert_cmpint (import.status, ==, STATUS_OK);
  add_user (db, kim, FALSE);
  add_user (db, lee, FALSE);
  add_member (db, "issue_track", kim);
  add_member (db, "issue_track", lee);
  a = create_ticket (db, kim, "issue_track");
  b = create_ticket (db, lee, "issue_track");

  run_admin (&run, ARGS ("project", "list", "-d", conninfo));
  g_assert_cmpint (run.status, ==, STATUS_OK);
  g_assert_cmpstr (run.err, ==, "");

  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  assert_matches ("^PROJECT +TITLE +REVISION +TICKETS +MEMBERS$", lines[0]);
  title = query (db, "SELECT title FROM tasksteper.projects WHERE name = 'improvement'");
  improvement_line = g_strdup_printf ("^improvement +%s +1 +0 +0$", title);
  assert_matches (improvement_line, lines[1]);
  assert_matches ("^issue_track +网上问题处理 +1 +2 +2$", lines[2]);
  g_assert_cmpstr (lines[3], ==, "");

  /* The numbers are aligned right under their headings, whatever the
   * width of the titles (Chinese characters take two columns). */
  g_assert_cmpint (display_width (lines[1]), ==, display_width (lines[0]));
  g_assert_cmpint (display_width (lines[2]), ==, display_width (lines[0]));

  run_admin (&extra, ARGS ("project", "list", "-d", conninfo, "extra"));
  g_assert_cmpint (extra.status, ==, STATUS_USAGE);
}

/* Runs @sql (one or more statements) as @user in @db; it must succeed. */
static void
exec_as (const char *db,
         const char *user,
         const char *sql)
{
  g_autofree char *conninfo = conninfo_for (db, user);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) result = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect with “%s”: %s", conninfo, PQerrorMessage (conn));
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("“%s” as %s failed: %s", sql, user, PQresultErrorMessage (result));
}

/* A database where everyone may create objects in public, as every
 * database was before PostgreSQL 15 (and still is after an upgrade): a
 * user puts an operator there that is a better match than the built-in
 * one for a comparison the admin tool makes (oid = regrole, which the
 * built-in oid = oid only matches after a cast).  The superuser running
 * the tool must never execute it: each command pins search_path to
 * pg_catalog, pg_temp.  The operator records who ran it, and tries to make
 * its author a superuser. */
static void
test_hostile_public (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *mallory = g_strconcat ("mallory_", db, NULL);
  g_autofree char *nina = g_strconcat ("nina_", db, NULL);
  g_autofree char *create_oscar = g_strdup_printf ("CREATE ROLE oscar_%s LOGIN IN ROLE tasksteper_admin", db);
  g_autofree char *improvement = schema_path ("improvement.json");
  g_autofree char *hostile = NULL;
  g_autofree char *undo = g_strdup_printf ("ALTER ROLE %s NOSUPERUSER", mallory);
  g_autofree char *superuser = NULL;
  const char * const *commands[] = {
    ARGS ("user", "list", "-d", conninfo),
    ARGS ("project", "list", "-d", conninfo),
    ARGS ("member", "add", "-d", conninfo, "issue_track", nina),
    ARGS ("member", "remove", "-d", conninfo, "issue_track", nina),
    ARGS ("user", "set", "-d", conninfo, nina, "--display-name", "妮娜"),
    ARGS ("import", "-d", conninfo, improvement),
    ARGS ("init", "-d", conninfo),
  };

  add_user (db, mallory, FALSE);
  add_user (db, nina, FALSE);
  add_member (db, "issue_track", mallory);
  /* An admin who is not a user: user list compares its memberships with
   * tasksteper_user, the comparison the operator below takes over. */
  exec_sql (db, create_oscar);
  exec_sql (db, "GRANT CREATE ON SCHEMA public TO PUBLIC");

  hostile = g_strdup_printf ("CREATE TABLE public.pwned (who text);"
                             "GRANT INSERT ON public.pwned TO PUBLIC;"
                             "CREATE FUNCTION public.evil_eq(oid, regrole) RETURNS boolean"
                             " LANGUAGE plpgsql AS $$"
                             " BEGIN"
                             "   INSERT INTO public.pwned VALUES (current_user);"
                             "   BEGIN"
                             "     ALTER ROLE %s SUPERUSER;"
                             "   EXCEPTION WHEN insufficient_privilege THEN NULL;"
                             "   END;"
                             "   RETURN $1 OPERATOR(pg_catalog.=) $2::oid;"
                             " END $$;"
                             "CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regrole,"
                             "                          FUNCTION = public.evil_eq);",
                             mallory);
  exec_as (db, mallory, hostile);

  /* The trap works: a query of the tool's, run by the superuser with the
   * default search_path, calls the operator. */
  exec_as (db, NULL, "SELECT 1 FROM pg_catalog.pg_auth_members a WHERE a.roleid = 'tasksteper_user'::regrole");
  assert_query (db, "SELECT count(*) > 0 FROM public.pwned", "t");
  exec_sql (db, "TRUNCATE public.pwned");
  exec_sql (db, undo);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, commands[i]);
      g_assert_cmpint (run.status, ==, STATUS_OK);
      assert_query (db, "SELECT count(*) FROM public.pwned", "0");
    }

  superuser = query_as (db, NULL, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1",
                        PARAMS (mallory));
  g_assert_cmpstr (superuser, ==, "f");
}

/* Command line */

static void
test_help (void)
{
  const struct
  {
    const char * const *args;
    const char *usage;
    gboolean connects;
  } cases[] = {
    { ARGS ("init", "--help"), "tasksteper-admin init [OPTION…]\n", TRUE },
    { ARGS ("import", "--help"), "tasksteper-admin import [OPTION…] FILE…", TRUE },
    { ARGS ("user", "--help"), "tasksteper-admin user [OPTION…] add|set|passwd|disable|enable|remove NAME | list", FALSE },
    { ARGS ("user", "add", "--help"), "tasksteper-admin user add [OPTION…] NAME", TRUE },
    { ARGS ("user", "set", "--help"), "tasksteper-admin user set [OPTION…] NAME", TRUE },
    { ARGS ("user", "list", "-h"), "tasksteper-admin user list [OPTION…]\n", TRUE },
    { ARGS ("member", "--help"), "tasksteper-admin member [OPTION…] add|remove|admin|unadmin PROJECT USER…",
      FALSE },
    { ARGS ("member", "admin", "--help"), "tasksteper-admin member admin [OPTION…] PROJECT USER…", TRUE },
    { ARGS ("member", "unadmin", "--help"), "tasksteper-admin member unadmin [OPTION…] PROJECT USER…", TRUE },
    { ARGS ("user", "passwd", "--help"), "tasksteper-admin user passwd [OPTION…] NAME", TRUE },
    { ARGS ("user", "disable", "--help"), "tasksteper-admin user disable [OPTION…] NAME", TRUE },
    { ARGS ("user", "enable", "--help"), "tasksteper-admin user enable [OPTION…] NAME", TRUE },
    { ARGS ("user", "remove", "--help"), "tasksteper-admin user remove [OPTION…] NAME", TRUE },
    { ARGS ("member", "add", "--help"), "tasksteper-admin member add [OPTION…] PROJECT USER…",
      TRUE },
    { ARGS ("member", "remove", "--help"),
      "tasksteper-admin member remove [OPTION…] PROJECT USER…", TRUE },
    { ARGS ("project", "--help"), "tasksteper-admin project [OPTION…] list", FALSE },
    { ARGS ("project", "list", "--help"), "tasksteper-admin project list [OPTION…]\n", TRUE },
    { ARGS ("help", "init"), "tasksteper-admin init [OPTION…]\n", TRUE },
    { ARGS ("help", "member"), "tasksteper-admin member [OPTION…]", FALSE },
  };
  g_auto(Run) main_help = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, cases[i].args);
      g_assert_cmpint (run.status, ==, STATUS_OK);
      g_assert_cmpstr (run.err, ==, "");
      assert_contains (run.out, "Usage:\n");
      assert_contains (run.out, cases[i].usage);
      if (cases[i].connects)
        {
          assert_contains (run.out, "-d, --dbname=CONNINFO");
          assert_contains (run.out, "~/.pgpass");
          assert_contains (run.out, "Exit status:");
        }
      else
        assert_contains (run.out, "Subcommands:");
    }

  run_admin (&main_help, ARGS ("--help"));
  g_assert_cmpint (main_help.status, ==, STATUS_OK);
  assert_contains (main_help.out, "\n  init ");
  assert_contains (main_help.out, "\n  import FILE…");
  assert_contains (main_help.out, "\n  user add|set|passwd|disable|enable|remove NAME | list");
  assert_contains (main_help.out, "\n  member add|remove|admin|unadmin PROJECT USER…");
  assert_contains (main_help.out, "\n  project list");
}

static void
test_usage_errors (void)
{
  const struct
  {
    const char * const *args;
    const char *message;
  } cases[] = {
    { ARGS ("init", "extra"), "tasksteper-admin init: it takes no arguments" },
    { ARGS ("init", "--frob"), "tasksteper-admin init: " },
    { ARGS ("import"), "tasksteper-admin import: give at least one project schema FILE" },
    { ARGS ("user"), "tasksteper-admin user: say what to do: add, set, list, passwd, disable, enable or remove" },
    { ARGS ("user", "frob"), "tasksteper-admin user: unknown subcommand “frob”" },
    { ARGS ("user", "add"), "tasksteper-admin user add: give the NAME" },
    { ARGS ("user", "add", "a", "b"), "tasksteper-admin user add: give one NAME" },
    { ARGS ("user", "list", "x"), "tasksteper-admin user list: it takes no arguments" },
    { ARGS ("user", "set"), "tasksteper-admin user set: give the NAME" },
    { ARGS ("user", "set", "a", "b", "--display-name", "x"), "tasksteper-admin user set: give one NAME" },
    { ARGS ("user", "set", "a"), "tasksteper-admin user set: say what to change: --display-name" },
    { ARGS ("user", "set", "tab\tname", "--display-name", "x"), "tasksteper-admin user set: the user NAME" },
    { ARGS ("member", "add"), "tasksteper-admin member add: give the PROJECT" },
    { ARGS ("member", "remove", "issue_track"), "tasksteper-admin member remove: give at least one USER" },
    { ARGS ("member", "frob"), "tasksteper-admin member: unknown subcommand “frob”; it is one of add, remove, admin or unadmin" },
    { ARGS ("member", "admin", "issue_track"), "tasksteper-admin member admin: give at least one USER" },
    { ARGS ("user", "disable"), "tasksteper-admin user disable: give the NAME" },
    { ARGS ("user", "remove", "a", "b"), "tasksteper-admin user remove: give one NAME" },
    { ARGS ("user", "passwd", "a"), "tasksteper-admin user passwd: standard input is not a terminal" },
    { ARGS ("project"), "tasksteper-admin project: say what to do: list" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, cases[i].args);
      g_assert_cmpint (run.status, ==, STATUS_USAGE);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, cases[i].message));
      assert_contains (run.err, "--help” to see how to use it.");
    }
}

/* Connecting */

static void
test_connect_no_server (void)
{
  g_autofree char *socket_dir = g_build_filename (g_get_tmp_dir (), "ts-no-such-socket-dir", NULL);
  g_autofree char *conninfo = g_strdup_printf ("host=%s port=5999 dbname=x", socket_dir);
  g_autofree char *password_file = write_password_file ("pw\n");
  g_autofree char *issue_track = schema_path ("issue_track.json");
  const char * const *commands[] = {
    ARGS ("init", "-d", conninfo),
    ARGS ("import", "-d", conninfo, issue_track),
    ARGS ("user", "add", "-d", conninfo, "-p", password_file, "someone"),
    ARGS ("user", "list", "-d", conninfo),
    ARGS ("user", "set", "-d", conninfo, "someone", "--display-name", "某人"),
    ARGS ("member", "add", "-d", conninfo, "issue_track", "someone"),
    ARGS ("member", "remove", "-d", conninfo, "issue_track", "someone"),
    ARGS ("project", "list", "--dbname", conninfo),
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      run_admin (&run, commands[i]);
      g_assert_cmpint (run.status, ==, STATUS_FAILED);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "tasksteper-admin: cannot connect to the server: "));
      assert_contains (run.err, socket_dir);
    }

  g_unlink (password_file);
}

/* Without -d, libpq's PG* environment applies, as in psql. */
static void
test_connect_environment (void)
{
  g_autofree char *db = new_database ();
  g_autofree char *port = g_strdup_printf ("%u", ts_test_server_get_port (server));
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "PGHOST", ts_test_server_get_socket_dir (server), TRUE);
  g_subprocess_launcher_setenv (launcher, "PGPORT", port, TRUE);
  g_subprocess_launcher_setenv (launcher, "PGDATABASE", db, TRUE);
  g_subprocess_launcher_setenv (launcher, "PGUSER", "postgres", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TS_ADMIN"), "init", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, STATUS_OK);
  assert_contains (out, "installed");
  assert_query (db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tasksteper'", "1");
}

/* changes prune: the change feed's old rows go, newer ones stay, a plain
 * user may not, and the age must be given. */
static void
test_changes_prune (void)
{
  g_autofree char *db = new_issue_track_database ();
  g_autofree char *conninfo = conninfo_for (db, NULL);
  g_autofree char *kim = g_strconcat ("kim_", db, NULL);
  g_autofree char *kim_conninfo = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *left = NULL;
  g_auto(Run) missing = { 0 };
  g_auto(Run) refused = { 0 };
  g_auto(Run) none = { 0 };
  g_auto(Run) all = { 0 };

  add_user (db, kim, FALSE);
  add_member (db, "issue_track", kim);
  a = create_ticket (db, kim, "issue_track");
  b = create_ticket (db, kim, "issue_track");
  exec_sql (db, "UPDATE tasksteper.changes SET at = at - interval '40 days'"
                "  WHERE seq = (SELECT min(seq) FROM tasksteper.changes)");

  run_admin (&missing, ARGS ("changes", "prune", "-d", conninfo));
  g_assert_cmpint (missing.status, ==, STATUS_USAGE);
  assert_contains (missing.err, "--older-than");

  kim_conninfo = conninfo_for (db, kim);
  run_admin (&refused, ARGS ("changes", "prune", "--older-than", "30", "-d", kim_conninfo));
  g_assert_cmpint (refused.status, !=, STATUS_OK);
  g_assert_cmpstr (refused.out, ==, "");

  run_admin (&none, ARGS ("changes", "prune", "--older-than", "30", "-d", conninfo));
  g_assert_cmpint (none.status, ==, STATUS_OK);
  left = query (db, "SELECT count(*) FROM tasksteper.changes");
  g_assert_cmpstr (left, ==, "1");

  run_admin (&all, ARGS ("changes", "prune", "--older-than", "0", "-d", conninfo));
  g_assert_cmpint (all.status, ==, STATUS_OK);
  g_clear_pointer (&left, g_free);
  left = query (db, "SELECT count(*) FROM tasksteper.changes");
  g_assert_cmpstr (left, ==, "0");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ts/admin-db/migrations/embedded", test_migrations_embedded);
  g_test_add_func ("/ts/admin-db/help", test_help);
  g_test_add_func ("/ts/admin-db/usage-errors", test_usage_errors);
  g_test_add_func ("/ts/admin-db/connect/no-server", test_connect_no_server);
  g_test_add_func ("/ts/admin-db/connect/environment", test_connect_environment);
  g_test_add_func ("/ts/admin-db/init/empty", test_init_empty);
  g_test_add_func ("/ts/admin-db/init/twice", test_init_twice);
  g_test_add_func ("/ts/admin-db/init/second-database", test_init_second_database);
  g_test_add_func ("/ts/admin-db/init/not-superuser", test_init_not_superuser);
  g_test_add_func ("/ts/admin-db/init/failed-migration", test_init_failed_migration);
  g_test_add_func ("/ts/admin-db/init/not-utf8", test_init_not_utf8);
  g_test_add_func ("/ts/admin-db/init/concurrent", test_init_concurrent);
  g_test_add_func ("/ts/admin-db/init/upgrade", test_init_upgrade);
  g_test_add_func ("/ts/admin-db/import/examples", test_import_examples);
  g_test_add_func ("/ts/admin-db/import/invalid", test_import_invalid);
  g_test_add_func ("/ts/admin-db/import/same-project-twice", test_import_same_project_twice);
  g_test_add_func ("/ts/admin-db/import/not-installed", test_import_not_installed);
  g_test_add_func ("/ts/admin-db/import/map-state", test_import_map_state);
  g_test_add_func ("/ts/admin-db/import/map-state-usage", test_import_map_state_usage);
  g_test_add_func ("/ts/admin-db/import/new-field", test_import_new_field);
  g_test_add_func ("/ts/admin-db/import/roles", test_import_roles);
  g_test_add_func ("/ts/admin-db/user/add", test_user_add);
  g_test_add_func ("/ts/admin-db/user/add-prompt", test_user_add_prompt);
  g_test_add_func ("/ts/admin-db/user/add-twice", test_user_add_twice);
  g_test_add_func ("/ts/admin-db/user/add-bad-password", test_user_add_bad_password);
  g_test_add_func ("/ts/admin-db/user/add-bad-name", test_user_add_bad_name);
  g_test_add_func ("/ts/admin-db/user/display-name", test_user_display_name);
  g_test_add_func ("/ts/admin-db/user/display-name-refused", test_user_display_name_refused);
  g_test_add_func ("/ts/admin-db/member/add-remove", test_member_add_remove);
  g_test_add_func ("/ts/admin-db/member/remove-held", test_member_remove_held);
  g_test_add_func ("/ts/admin-db/member/admin", test_member_admin);
  g_test_add_func ("/ts/admin-db/user/lifecycle", test_user_lifecycle);
  g_test_add_func ("/ts/admin-db/member/add-not-user", test_member_add_not_user);
  g_test_add_func ("/ts/admin-db/project/list", test_project_list);
  g_test_add_func ("/ts/admin-db/security/hostile-public", test_hostile_public);
  g_test_add_func ("/ts/admin-db/changes/prune", test_changes_prune);

  /* One server for the whole program: starting one takes a while. */
  server = ts_test_server_start (&error);
  g_assert_no_error (error);

  ret = g_test_run ();

  g_clear_pointer (&server, ts_test_server_free);

  return ret;
}
