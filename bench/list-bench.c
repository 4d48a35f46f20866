/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/list-bench.c: the project list of a big project in a real
 * TsTicketTable under an X server (bench/list-bench.sh runs it against
 * 1,000,000 tickets in a throwaway cluster; see bench/README.md).
 *
 *   list-bench MEMBER-CONNINFO PROJECT [WRITER-CONNINFO]
 *
 * Measures, each several times (median, min-max):
 *   - the first page query alone (200 rows) and the count alone;
 *   - the time from creating the list to its first rows painted, and to
 *     every row told to the view (a screenful and more) and painted;
 *   - RSS (VmRSS, VmHWM of /proc/self/status) once loaded and at the end;
 *   - the longest main-loop iteration (a G_PRIORITY_HIGH 5 ms timeout
 *     records the gaps between its runs) while loading, scrolling (the
 *     vertical adjustment set to its end, its start and between),
 *     sorting by a column (as a header click does: the view's sorter), and
 *     while WRITER-CONNINFO (a superuser) changes 50 tickets every 100 ms
 *     (500 a second) for 10 s, each announced as save_ticket() does. */

#include "config.h"

#include <adwaita.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "ts-store.h"
#include "ts-ticket-list.h"
#include "ts-ticket-table.h"

#define RUNS 5
#define PAGE 200
#define PROBE_MS 5

static gint64 probe_last, probe_max;

static gboolean
probe (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (probe_last != 0 && now - probe_last > probe_max)
    probe_max = now - probe_last;
  probe_last = now;
  return G_SOURCE_CONTINUE;
}

static void
probe_reset (void)
{
  probe_last = g_get_monotonic_time ();
  probe_max = 0;
}

/* The longest gap, in ms, less the probe's own period. */
static double
probe_read (void)
{
  probe (NULL);
  return MAX (0, probe_max / 1000.0 - PROBE_MS);
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data,
               double     seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("list-bench: gave up waiting after %.0f s", seconds);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
iterate_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static long
status_kib (const char *field)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) ||
      (line = strstr (text, field)) == NULL)
    return -1;
  return strtol (line + strlen (field) + 1, NULL, 10);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void
report (const char *what,
        double     *values,
        guint       n,
        const char *unit,
        const char *limit)
{
  qsort (values, n, sizeof (double), compare_double);
  printf ("%-52s median %8.1f %s  (min %.1f, max %.1f, n=%u)  %s\n",
          what, values[n / 2], unit, values[0], values[n - 1], n, limit ? limit : "");
  fflush (stdout);
}

/* The store */

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

/* The rows shown */

typedef struct
{
  GtkWidget    *window;
  TsTicketTable *table;
  TsTicketList *list;
  gboolean      painted;
  long          empty_kib;   /* VmRSS with the first window shown, empty */
} Bench;

static gboolean
row_read (TsTicketList *list,
          guint         position)
{
  g_autoptr(TsTicket) ticket = NULL;

  if (position >= g_list_model_get_n_items (G_LIST_MODEL (list)))
    return FALSE;
  ticket = g_list_model_get_item (G_LIST_MODEL (list), position);
  return !ts_ticket_list_is_placeholder (ticket);
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  bench->painted = TRUE;
}

static gboolean
painted (gpointer data)
{
  return ((Bench *)data)->painted;
}

/* Waits for the next frame painted. */
static void
wait_paint (Bench *bench)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (bench->window);

  bench->painted = FALSE;
  gtk_widget_queue_draw (bench->window);
  if (clock != NULL)
    iterate_until (painted, bench, 30);
}

/* The rows at the view's top once read: those the view asked for. */
typedef struct
{
  Bench *bench;
  guint  position;
} Wait;

static gboolean
position_read (gpointer data)
{
  Wait *wait = data;

  return row_read (wait->bench->list, wait->position);
}

static GtkAdjustment *
vadjustment (Bench *bench)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (ts_ticket_table_get_column_view (bench->table)));
}

/* The position of the top row shown, from the adjustment. */
static guint
top_position (Bench *bench)
{
  GtkAdjustment *adjustment = vadjustment (bench);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (bench->list));
  double upper = gtk_adjustment_get_upper (adjustment);

  if (upper <= 0 || n == 0)
    return 0;
  return MIN (n - 1, (guint)(gtk_adjustment_get_value (adjustment) / upper * n));
}

static gboolean
not_loading (gpointer data)
{
  return !ts_ticket_list_get_loading (((Bench *)data)->list);
}

/* The view was told of every row of the list (the table tells it of a
 * new list a few rows at a time). */
static gboolean
view_has_all (gpointer data)
{
  Bench *bench = data;
  GtkSelectionModel *rows = gtk_column_view_get_model (ts_ticket_table_get_column_view (bench->table));

  return g_list_model_get_n_items (G_LIST_MODEL (rows)) == g_list_model_get_n_items (G_LIST_MODEL (bench->list));
}

/* The window with a fresh list; returns ms to the first rows painted. */
static double
open_list (Bench      *bench,
           TsStore    *store,
           TsProject  *project,
           double     *loaded_ms,
           double     *all_ms,
           double     *stall_ms)
{
  gint64 start;
  double first;
  Wait wait = { bench, 0 };

  bench->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (bench->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (bench->window));
  g_signal_connect (gtk_widget_get_frame_clock (bench->window), "after-paint",
                    G_CALLBACK (on_after_paint), bench);
  wait_paint (bench);
  if (bench->empty_kib == 0)
    bench->empty_kib = status_kib ("VmRSS:");

  probe_reset ();
  start = g_get_monotonic_time ();
  bench->list = ts_ticket_list_new (store, project, TS_TICKET_LIST_ALL);
  bench->table = ts_ticket_table_new (bench->list, NULL);
  gtk_window_set_child (GTK_WINDOW (bench->window), GTK_WIDGET (bench->table));
  iterate_until (position_read, &wait, 120);
  wait_paint (bench);
  first = (g_get_monotonic_time () - start) / 1000.0;
  iterate_until (not_loading, bench, 120);
  *loaded_ms = (g_get_monotonic_time () - start) / 1000.0;
  iterate_until (view_has_all, bench, 120);
  wait_paint (bench);
  *all_ms = (g_get_monotonic_time () - start) / 1000.0;
  *stall_ms = probe_read ();
  return first;
}

static void
close_list (Bench *bench)
{
  gtk_window_destroy (GTK_WINDOW (bench->window));
  g_clear_object (&bench->list);
  bench->table = NULL;
  bench->window = NULL;
  iterate_for (0.2);
}

/* Scrolls to @fraction of the list; ms until the rows there are read and
 * painted. */
static double
scroll_to (Bench  *bench,
           double  fraction,
           double *stall_ms)
{
  GtkAdjustment *adjustment = vadjustment (bench);
  gint64 start;
  Wait wait = { bench, 0 };

  probe_reset ();
  start = g_get_monotonic_time ();
  gtk_adjustment_set_value (adjustment, fraction * (gtk_adjustment_get_upper (adjustment) -
                                                    gtk_adjustment_get_page_size (adjustment)));
  wait_paint (bench);
  wait.position = top_position (bench);
  iterate_until (position_read, &wait, 120);
  wait_paint (bench);
  *stall_ms = probe_read ();
  return (g_get_monotonic_time () - start) / 1000.0;
}

static GtkColumnViewColumn *
column_titled (Bench      *bench,
               const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (ts_ticket_table_get_column_view (bench->table));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;   /* the view keeps it */
    }
  g_error ("list-bench: no column %s", title);
}

/* Sorts as a header click does; ms until the first rows are read again
 * and painted. */
static double
sort_by (Bench              *bench,
         GtkColumnViewColumn *column,
         GtkSortType          order,
         double              *stall_ms)
{
  gint64 start;
  Wait wait = { bench, 0 };

  gtk_adjustment_set_value (vadjustment (bench), 0);
  iterate_for (0.3);
  probe_reset ();
  start = g_get_monotonic_time ();
  gtk_column_view_sort_by_column (ts_ticket_table_get_column_view (bench->table), column, order);
  iterate_until (position_read, &wait, 120);
  wait_paint (bench);
  *stall_ms = probe_read ();
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* The writer: 50 tickets every 100 ms. */

typedef struct
{
  char     *conninfo;
  char     *project;
  guint     n;
  gint      stop;
  guint     written;
  char     *error;
} Writer;

static gpointer
write_changes (gpointer data)
{
  Writer *writer = data;
  PGconn *conn = PQconnectdb (writer->conninfo);
  guint round = 0;
  gint64 next = g_get_monotonic_time ();

  if (PQstatus (conn) != CONNECTION_OK)
    {
      writer->error = g_strdup (PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }

  while (!g_atomic_int_get (&writer->stop))
    {
      g_autoptr(GString) numbers = g_string_new ("{");
      g_autofree char *count = NULL;
      const char *params[2];
      PGresult *result;

      /* Half where the list shows its top, half anywhere. */
      for (guint i = 0; i < 50; i++)
        g_string_append_printf (numbers, "%s%u", i ? "," : "",
                                i < 25 ? writer->n - (round * 25 + i) % 200
                                       : 1 + (guint)g_random_int_range (0, (gint32)writer->n));
      g_string_append_c (numbers, '}');
      params[0] = writer->project;
      params[1] = numbers->str;
      result = PQexecParams (conn,
                             "WITH u AS (UPDATE tasksteper.tickets"
                             "             SET version = version + 1, updated_at = clock_timestamp (),"
                             "                 fields = fields || jsonb_build_object ('device_count', version)"
                             "           WHERE project = $1 AND number = ANY ($2::int[]) RETURNING *)"
                             " SELECT count (*) FROM (SELECT tasksteper.announce (u::tasksteper.tickets) FROM u) a",
                             2, NULL, params, NULL, NULL, 0);
      if (PQresultStatus (result) != PGRES_TUPLES_OK)
        {
          writer->error = g_strdup (PQresultErrorMessage (result));
          PQclear (result);
          break;
        }
      g_atomic_int_add (&writer->written, atoi (PQgetvalue (result, 0, 0)));
      PQclear (result);
      round++;
      next += 100 * 1000;
      if (next > g_get_monotonic_time ())
        g_usleep (next - g_get_monotonic_time ());
    }
  PQfinish (conn);
  return NULL;
}

int
main (int argc, char *argv[])
{
  g_autoptr(TsConnection) connection = NULL;
  g_autoptr(TsStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  TsProject *project = NULL;
  Bench bench = { 0 };
  double page_ms[RUNS], count_ms[RUNS], first_ms[RUNS], loaded_ms[RUNS], all_ms[RUNS], load_stall[RUNS];
  double scroll_ms[RUNS], scroll_stall[RUNS], sort_ms[3], sort_stall[3];
  double first_page_median;
  guint n;

  if (argc < 3)
    {
      fprintf (stderr, "usage: list-bench MEMBER-CONNINFO PROJECT [WRITER-CONNINFO]\n");
      return 2;
    }

  gtk_init ();
  adw_init ();

  connection = ts_connection_new (argv[1], NULL);
  store = ts_store_new (connection);
  ts_store_open_async (store, NULL, store_result, &result);
  iterate_until (have_result, &result, 60);
  if (!ts_store_open_finish (store, result, &error))
    g_error ("list-bench: %s", error->message);
  g_clear_object (&result);

  ts_store_list_projects_async (store, NULL, store_result, &result);
  iterate_until (have_result, &result, 60);
  projects = ts_store_list_projects_finish (store, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  for (guint i = 0; i < projects->len; i++)
    if (g_strcmp0 (ts_project_summary_get_name (g_ptr_array_index (projects, i)), argv[2]) == 0)
      project = ts_project_summary_get_project (g_ptr_array_index (projects, i));
  if (project == NULL)
    g_error ("list-bench: no project %s", argv[2]);

  g_timeout_add_full (G_PRIORITY_HIGH, PROBE_MS, probe, NULL, NULL);

  /* The queries alone. */
  for (guint i = 0; i < RUNS + 1; i++)
    {
      g_autoptr(GPtrArray) page = NULL;
      gint64 start = g_get_monotonic_time ();

      ts_store_list_tickets_async (store, argv[2], TS_TICKET_LIST_ALL, NULL, TRUE, NULL, 0, PAGE, NULL,
                                   store_result, &result);
      iterate_until (have_result, &result, 60);
      page = ts_store_list_tickets_finish (store, result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);
      if (i > 0)   /* the first warms the caches */
        page_ms[i - 1] = (g_get_monotonic_time () - start) / 1000.0;

      start = g_get_monotonic_time ();
      ts_store_count_tickets_async (store, argv[2], TS_TICKET_LIST_ALL, NULL, store_result, &result);
      iterate_until (have_result, &result, 60);
      n = (guint)ts_store_count_tickets_finish (store, result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);
      if (i > 0)
        count_ms[i - 1] = (g_get_monotonic_time () - start) / 1000.0;
    }
  printf ("%u tickets in %s\n", n, argv[2]);
  report ("first page query alone (200 rows)", page_ms, RUNS, "ms", NULL);
  report ("count query alone", count_ms, RUNS, "ms", NULL);
  qsort (page_ms, RUNS, sizeof (double), compare_double);
  first_page_median = page_ms[RUNS / 2];

  /* Opening the list, again and again. */
  for (guint i = 0; i < RUNS; i++)
    {
      first_ms[i] = open_list (&bench, store, project, &loaded_ms[i], &all_ms[i], &load_stall[i]);
      if (i < RUNS - 1)
        close_list (&bench);
    }
  {
    g_autofree char *limit = g_strdup_printf ("limit %.1f ms (2 x the page query)", 2 * first_page_median);

    report ("list created -> first rows painted", first_ms, RUNS, "ms", limit);
  }
  report ("list created -> count and first page in", loaded_ms, RUNS, "ms", NULL);
  report ("list created -> every row told to the view, painted", all_ms, RUNS, "ms", NULL);
  report ("longest main-loop iteration while loading", load_stall, RUNS, "ms", "limit 50 ms");
  printf ("%-52s VmRSS %ld KiB\n", "memory with an empty window, before any list", bench.empty_kib);
  printf ("%-52s VmRSS %ld KiB, VmHWM %ld KiB  limit 150 MB\n", "memory once loaded",
          status_kib ("VmRSS:"), status_kib ("VmHWM:"));

  /* Scrolling: to the end, the start, and between. */
  {
    const double to[RUNS] = { 1.0, 0.0, 0.5, 0.75, 1.0 };

    for (guint i = 0; i < RUNS; i++)
      scroll_ms[i] = scroll_to (&bench, to[i], &scroll_stall[i]);
    report ("scroll (end, top, 1/2, 3/4, end) -> rows painted", scroll_ms, RUNS, "ms", NULL);
    report ("longest main-loop iteration while scrolling", scroll_stall, RUNS, "ms", "limit 50 ms");
    printf ("%-52s %u (of at most 16)\n", "pages held after scrolling", ts_ticket_list_get_n_pages (bench.list));
  }

  /* Sorting by columns, and back. */
  sort_ms[0] = sort_by (&bench, column_titled (&bench, ts_project_get_label_for (project, "state")),
                        GTK_SORT_ASCENDING, &sort_stall[0]);
  sort_ms[1] = sort_by (&bench, column_titled (&bench, ts_project_get_label_for (project, "updated_at")),
                        GTK_SORT_DESCENDING, &sort_stall[1]);
  sort_ms[2] = sort_by (&bench, NULL, GTK_SORT_ASCENDING, &sort_stall[2]);
  report ("sort (state, updated_at, none) -> rows painted", sort_ms, 3, "ms", NULL);
  report ("longest main-loop iteration while sorting", sort_stall, 3, "ms", "limit 50 ms");

  /* 500 changes a second for 10 s. */
  if (argc > 3)
    {
      Writer writer = { argv[3], argv[2], n, 0, 0, NULL };
      GThread *thread;
      guint pages0, changes0, counts0, pages1, changes1, counts1;
      double stall;

      gtk_adjustment_set_value (vadjustment (&bench), 0);
      iterate_for (0.5);
      ts_ticket_list_get_n_queries (bench.list, &pages0, &changes0, &counts0);
      probe_reset ();
      thread = g_thread_new ("writer", write_changes, &writer);
      iterate_for (10);
      g_atomic_int_set (&writer.stop, 1);
      g_thread_join (thread);
      iterate_for (0.5);
      stall = probe_read ();
      if (writer.error != NULL)
        g_error ("list-bench: the writer failed: %s", writer.error);
      ts_ticket_list_get_n_queries (bench.list, &pages1, &changes1, &counts1);
      printf ("%-52s %u changes in 10 s; the list sent %u re-reads, %u page reads, %u counts\n",
              "500 changes a second", writer.written, changes1 - changes0, pages1 - pages0, counts1 - counts0);
      printf ("%-52s %8.1f ms  limit 50 ms\n", "longest main-loop iteration under the changes", stall);
    }

  printf ("%-52s VmRSS %ld KiB, VmHWM %ld KiB  limit 150 MB\n", "memory at the end",
          status_kib ("VmRSS:"), status_kib ("VmHWM:"));
  close_list (&bench);
  return 0;
}
