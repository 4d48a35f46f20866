/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's side of bench/memory-bench.sh, which runs it:
 *
 *   memory-bench CONNINFO PROJECT [RUNS]
 *
 * connects as a member (CONNINFO), reads every ticket of PROJECT through
 * the store (ts_store_search_tickets_async, pages of 1000 in number order)
 * and keeps them all, printing the resident memory (VmRSS) before and
 * after and so the bytes per TsTicket held; then saves the first
 * TS_CACHE_MAX_LIST_ROWS of them as a ticket list of the offline copy
 * (TsCache) and prints the file's bytes per ticket; then, RUNS times
 * (default 5), the longest the main loop went without running while such a
 * save is made (a high-priority 1 ms timeout as the probe; from just
 * before the call until the file is in place), how long the call itself
 * took before returning to its caller, how long reading the list back
 * (ts_cache_load_tickets, offline, on the calling thread) takes, and the
 * longest gap while it is read on another thread
 * (ts_cache_load_tickets_async). */

#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-cache.h"
#include "ts-connection.h"
#include "ts-store.h"

/* Older libraries have no asynchronous load: built against one (this file
 * copied into an older tree), the program leaves that part out. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wredundant-decls"
void       ts_cache_load_tickets_async  (TsCache *self, const char *project, const char *list,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
GPtrArray *ts_cache_load_tickets_finish (TsCache *self, GAsyncResult *result, GDateTime **saved_at);
#pragma weak ts_cache_load_tickets_async
#pragma GCC diagnostic pop
#pragma weak ts_cache_load_tickets_finish

typedef struct
{
  gint64 last;
  gint64 longest;
  guint  ticks;
} Stall;

static gboolean
tick (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  stall->longest = MAX (stall->longest, now - stall->last);
  stall->last = now;
  stall->ticks++;
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

static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  malloc_trim (0);
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static void
die_on (GError *error)
{
  if (error != NULL)
    {
      g_printerr ("memory-bench: %s\n", error->message);
      exit (1);
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* "median (min–max)" of @n values, sorted in place. */
static char *
summary (double *values,
         guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return g_strdup_printf ("%.1f (%.1f-%.1f)", n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2,
                          values[0], values[n - 1]);
}

typedef struct
{
  TsCache    *cache;
  const char *project;
  GListModel *tickets;
  Stall      *stall;
  gboolean    returned;
  guint       ticks_at_return;
  gint64      returned_usec;
} Save;

static gboolean
save_now (gpointer user_data)
{
  Save *save = user_data;
  gint64 start = g_get_monotonic_time ();

  ts_cache_save_tickets (save->cache, save->project, "all", save->tickets);
  save->returned_usec = g_get_monotonic_time () - start;
  save->returned = TRUE;
  save->ticks_at_return = save->stall->ticks;
  return G_SOURCE_REMOVE;
}

/* The longest gap of the main loop, in ms, while the list of @n tickets is
 * read on another thread. */
static double
async_load_gap (TsCache    *cache,
                const char *project,
                guint       n)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  Stall stall = { g_get_monotonic_time (), 0, 0 };
  guint tick_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, tick, &stall, NULL);

  ts_cache_load_tickets_async (cache, project, "all", NULL, store_result, &result);
  loaded = ts_cache_load_tickets_finish (cache, wait_for (&result), NULL);
  g_source_remove (tick_id);
  if (loaded == NULL || loaded->len != n)
    {
      g_printerr ("memory-bench: the offline copy did not read back whole on another thread\n");
      exit (1);
    }
  return stall.longest / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsConnection) connection = NULL;
  g_autoptr(TsStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) filter = json_from_string ("{}", NULL);
  g_autoptr(GListStore) first = g_list_store_new (TS_TYPE_TICKET);
  g_autoptr(TsCache) cache = NULL;
  g_autofree char *root = NULL;
  g_autofree char *file = NULL;
  g_autofree char *name = NULL;
  const char *project;
  guint runs = 5;
  guint64 before, after;
  GStatBuf st;
  double *stalls, *returns, *loads, *async_stalls;

  if (argc < 3)
    {
      g_printerr ("usage: memory-bench CONNINFO PROJECT [RUNS]\n");
      return 2;
    }
  project = argv[2];
  if (argc > 3)
    runs = MAX ((guint)g_ascii_strtoull (argv[3], NULL, 10), 1);

  connection = ts_connection_new (argv[1], NULL);
  store = ts_store_new (connection);
  ts_store_open_async (store, NULL, store_result, &result);
  ts_store_open_finish (store, wait_for (&result), &error);
  die_on (error);
  g_clear_object (&result);
  ts_store_list_projects_async (store, NULL, store_result, &result);
  projects = ts_store_list_projects_finish (store, wait_for (&result), &error);
  die_on (error);
  g_clear_object (&result);

  /* (b) Every ticket held, as a list read whole holds them. */
  before = rss_kib ();
  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;
      TsTicket *last = all->len > 0 ? g_ptr_array_index (all, all->len - 1) : NULL;

      ts_store_search_tickets_async (store, project, filter, "number", FALSE, last, 1000, NULL,
                                     store_result, &result);
      page = ts_store_search_tickets_finish (store, wait_for (&result), &error);
      die_on (error);
      g_clear_object (&result);
      if (page->len == 0)
        break;
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (all, g_object_ref (g_ptr_array_index (page, i)));
    }
  after = rss_kib ();
  if (all->len == 0)
    {
      g_printerr ("memory-bench: the project %s has no tickets I can see\n", project);
      return 1;
    }
  g_print ("client: %u tickets held: VmRSS %.1f MiB before, %.1f MiB after: %.0f bytes per TsTicket\n",
           all->len, before / 1024.0, after / 1024.0, (after - (double)before) * 1024.0 / all->len);

  /* The offline copy of a list: its first rows. */
  for (guint i = 0; i < MIN (all->len, TS_CACHE_MAX_LIST_ROWS); i++)
    g_list_store_append (first, g_ptr_array_index (all, i));
  root = g_dir_make_tmp ("ts-memory-bench-XXXXXX", &error);
  die_on (error);
  cache = ts_cache_new_in (root, "bench|0|bench", "bench_member");
  ts_cache_save_tickets (cache, project, "all", G_LIST_MODEL (first));
  ts_cache_flush (cache);
  name = g_strdup_printf ("tickets-%s-all.json", project);
  file = g_build_filename (ts_cache_get_directory (cache), name, NULL);
  if (g_stat (file, &st) != 0)
    {
      g_printerr ("memory-bench: the offline copy %s was not written\n", file);
      return 1;
    }
  g_print ("offline copy: %u tickets in %.1f KiB: %.0f bytes per ticket\n",
           g_list_model_get_n_items (G_LIST_MODEL (first)), st.st_size / 1024.0,
           (double)st.st_size / g_list_model_get_n_items (G_LIST_MODEL (first)));

  /* (c) The main loop while a list is saved, and the time to read it back. */
  stalls = g_new (double, runs);
  returns = g_new (double, runs);
  loads = g_new (double, runs);
  async_stalls = g_new (double, runs);
  for (guint run = 0; run < runs; run++)
    {
      Stall stall = { 0, 0, 0 };
      Save save = { cache, project, G_LIST_MODEL (first), &stall, FALSE, 0, 0 };
      guint tick_id;
      gint64 start;

      ts_cache_flush (cache);
      g_unlink (file);
      stall.last = g_get_monotonic_time ();
      tick_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, tick, &stall, NULL);
      /* The probe runs a while first; the save comes from the main loop, as
       * the pager's does. */
      g_timeout_add (20, save_now, &save);
      /* Written to a temporary file and renamed: once it is there, it is
       * whole; and the probe has run once after the call returned, so the
       * gap the call made is counted. */
      while (!save.returned || !g_file_test (file, G_FILE_TEST_EXISTS) || stall.ticks <= save.ticks_at_return)
        g_main_context_iteration (NULL, TRUE);
      ts_cache_flush (cache);
      g_source_remove (tick_id);
      stalls[run] = stall.longest / 1000.0;
      returns[run] = save.returned_usec / 1000.0;

      start = g_get_monotonic_time ();
      {
        g_autoptr(GPtrArray) loaded = ts_cache_load_tickets (cache, project, "all", NULL);

        loads[run] = (g_get_monotonic_time () - start) / 1000.0;
        if (loaded == NULL || loaded->len != g_list_model_get_n_items (G_LIST_MODEL (first)))
          {
            g_printerr ("memory-bench: the offline copy did not read back whole\n");
            return 1;
          }
      }
      async_stalls[run] = ts_cache_load_tickets_async != NULL
        ? async_load_gap (cache, project, g_list_model_get_n_items (G_LIST_MODEL (first)))
        : -1;
      g_print ("run %u: longest main-loop gap %.1f ms, save returned after %.1f ms, load %.1f ms, "
               "longest gap while loaded on another thread %.1f ms (-1: this version has no such load)\n",
               run + 1, stalls[run], returns[run], loads[run], async_stalls[run]);
    }
  {
    g_autofree char *s = summary (stalls, runs);
    g_autofree char *r = summary (returns, runs);
    g_autofree char *l = summary (loads, runs);
    g_autofree char *a = summary (async_stalls, runs);

    g_print ("save of %u tickets, median (min-max) of %u, ms: longest main-loop gap %s "
             "(limit 50); the call itself %s\n",
             g_list_model_get_n_items (G_LIST_MODEL (first)), runs, s, r);

    g_print ("load of the same list offline (on the calling thread), ms: %s\n", l);
    if (ts_cache_load_tickets_async != NULL)
      g_print ("load on another thread (ts_cache_load_tickets_async), longest main-loop gap, ms: %s (limit 50)\n", a);
  }

  ts_cache_clear (cache);
  g_rmdir (root);
  g_free (stalls);
  g_free (returns);
  g_free (loads);
  g_free (async_stalls);
  return 0;
}
