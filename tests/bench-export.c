/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exporting many tickets, measured: bench/export-bench.sh runs it.
 *
 *   bench-export SOURCE_DIR [N [PAGE_SIZE]]
 *
 * starts a throwaway server (tests/ts-test-server.h), imports the project
 * of tests/data/search.json, makes N tickets (default 100,000) with
 * bench/generate-tickets.sql and exports them all, every field, through
 * TsExportJob as a member would: once as CSV, once as XLSX.  For each it
 * prints the wall time, the longest the main loop went without running
 * (what a window would feel), the file's size and the process's peak
 * resident memory during the export (VmHWM, reset before each). */

#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-export-job.h"
#include "ts-migrations.h"
#include "ts-store.h"
#include "ts-test-server.h"

typedef struct
{
  gint64 last;
  gint64 longest;
} Stall;

static gboolean
tick (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  stall->longest = MAX (stall->longest, now - stall->last);
  stall->last = now;
  return G_SOURCE_CONTINUE;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The peak resident memory since the last reset, in KiB. */
static guint64
peak_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

static guint64
current_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static void
reset_peak (void)
{
  /* Linux 4.0 and later: "5" resets VmHWM to the current RSS. */
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  if (file == NULL || fputs ("5", file) < 0 || fclose (file) != 0)
    g_printerr ("cannot reset the peak memory: it is the process's since it started\n");
}

static void
die_on (GError *error)
{
  if (error != NULL)
    {
      g_printerr ("bench-export: %s\n", error->message);
      exit (1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *source_dir;
  guint n = 100000;
  int page_size = 0;   /* the job's default */
  g_autoptr(TsTestServer) server = NULL;
  g_autofree char *db = NULL;
  g_autofree char *vectors = NULL;
  g_autofree char *generator = NULL;
  g_autofree char *json = NULL;
  g_autofree char *functions = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *project_json = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(TsConnection) connection = NULL;
  g_autoptr(TsStore) store = NULL;
  g_autoptr(TsProject) project = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(JsonNode) all = json_from_string ("{}", NULL);
  const char *params[1];
  PGconn *conn;
  PGresult *res;
  gint64 start;

  if (argc < 2)
    {
      g_printerr ("usage: bench-export SOURCE_DIR [N]\n");
      return 2;
    }
  source_dir = argv[1];
  if (argc > 2)
    n = (guint)g_ascii_strtoull (argv[2], NULL, 10);
  if (argc > 3)
    page_size = (int)g_ascii_strtoull (argv[3], NULL, 10);

  server = ts_test_server_start (&error);
  die_on (error);
  db = ts_test_server_create_database (server, &error);
  die_on (error);
  conninfo = ts_test_server_conninfo (server, db, NULL);
  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  ts_migrations_apply (conn, NULL, NULL, &error);
  die_on (error);

  vectors = g_build_filename (source_dir, "tests", "data", "search.json", NULL);
  g_file_get_contents (vectors, &json, NULL, &error);
  die_on (error);
  root = json_from_string (json, &error);
  die_on (error);
  project_json = json_to_string (json_object_get_member (json_node_get_object (root), "project"), FALSE);
  params[0] = project_json;
  res = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  PQclear (res);
  PQfinish (conn);

  ts_test_server_exec (server, db,
                       "DO $$ BEGIN CREATE ROLE bench_reader LOGIN IN ROLE tasksteper_user;"
                       " EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
                       "SELECT tasksteper.add_member ('search_vectors', 'bench_reader')", &error);
  die_on (error);

  generator = g_build_filename (source_dir, "bench", "generate-tickets.sql", NULL);
  g_file_get_contents (generator, &functions, NULL, &error);
  die_on (error);
  sql = g_strdup_printf ("%s\nSELECT pg_temp.ts_generate_tickets ('search_vectors', %u);", functions, n);
  start = g_get_monotonic_time ();
  ts_test_server_exec (server, db, sql, &error);
  die_on (error);
  ts_test_server_exec (server, db, "VACUUM ANALYZE tasksteper.tickets", &error);
  die_on (error);
  g_print ("made %u tickets in %.1f s\n", n, (g_get_monotonic_time () - start) / 1e6);

  g_free (conninfo);
  conninfo = ts_test_server_conninfo (server, db, "bench_reader");
  connection = ts_connection_new (conninfo, NULL);
  store = ts_store_new (connection);
  ts_store_open_async (store, NULL, store_result, &result);
  ts_store_open_finish (store, wait_for (&result), &error);
  die_on (error);
  g_clear_object (&result);
  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  die_on (error);
  g_clear_object (&result);
  project = g_object_ref (ts_project_summary_get_project (g_ptr_array_index (projects, 0)));

  dir = g_dir_make_tmp ("ts-export-bench-XXXXXX", &error);
  die_on (error);
  g_print ("%-6s %10s %10s %14s %12s %14s %14s\n", "format", "tickets", "seconds", "tickets/s",
           "MiB file", "longest stall", "peak RSS MiB");

  for (TsExportFormat format = TS_EXPORT_FORMAT_CSV; format <= TS_EXPORT_FORMAT_XLSX; format++)
    {
      g_autofree char *name = g_strdup_printf ("tickets.%s", ts_export_format_get_extension (format));
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(TsExportJob) job = NULL;
      Stall stall = { g_get_monotonic_time (), 0 };
      guint tick_id;
      GStatBuf st;
      double seconds;
      guint64 before;

      job = page_size > 0
        ? g_object_new (TS_TYPE_EXPORT_JOB, "store", store, "project", project, "filter", all, "format", format,
                        "flags", TS_EXPORT_FLAGS_EXCEL_COMPATIBLE, "page-size", page_size, NULL)
        : ts_export_job_new (store, project, all, NULL, TRUE, format, NULL, TS_EXPORT_FLAGS_EXCEL_COMPATIBLE);
      before = current_kib ();
      reset_peak ();
      tick_id = g_timeout_add (5, tick, &stall);
      start = g_get_monotonic_time ();
      ts_export_job_run_async (job, path, NULL, store_result, &result);
      ts_export_job_run_finish (job, wait_for (&result), &error);
      die_on (error);
      seconds = (g_get_monotonic_time () - start) / 1e6;
      g_source_remove (tick_id);
      g_clear_object (&result);
      g_assert_cmpuint (ts_export_job_get_written (job), ==, n);
      g_assert_cmpint (g_stat (path, &st), ==, 0);

      g_print ("%-6s %10" G_GUINT64_FORMAT " %10.2f %14.0f %12.1f %11.0f ms %9.1f (+%.1f)\n",
               ts_export_format_get_extension (format), ts_export_job_get_written (job), seconds,
               n / seconds, st.st_size / 1048576.0, stall.longest / 1000.0,
               peak_kib () / 1024.0, (peak_kib () - (double)before) / 1024.0);
      g_unlink (path);
    }

  g_rmdir (dir);
  return 0;
}
