/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/chatter-bench.sh builds and runs this: an idle desktop client.
 *
 *   bench-chatter CONNINFO
 *
 * Opens a store as the desktop client does (poll interval 30 s), lists the
 * projects (and again whenever told a project changed, as the main window
 * does), prints "ready" and then only listens.  At a notification
 * "bench-report" on channel tasksteper it prints how many tickets it was
 * told changed and how many notifications its connection received so far
 * (markers aside); at "bench-done" it exits.  It uses only what the store had before version 11, so the same
 * file builds against an older tree (the benchmark's "before"). */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "ts-connection.h"
#include "ts-store.h"

typedef struct
{
  GMainLoop *loop;
  TsStore   *store;
  guint      n_changed;
  guint      n_notifications;
  guint      n_lists;
  gboolean   ready;
} Bench;

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = ts_store_list_projects_finish (TS_STORE (object), result, &error);

  if (projects == NULL)
    g_error ("Cannot list the projects: %s", error->message);
  bench->n_lists++;
  if (!bench->ready)
    {
      bench->ready = TRUE;
      printf ("ready (%u projects)\n", projects->len);
      fflush (stdout);
    }
}

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;

  if (!ts_store_open_finish (TS_STORE (object), result, &error))
    g_error ("Cannot open the store: %s", error->message);
  ts_store_list_projects_async (bench->store, NULL, on_listed, bench);
}

static void
on_ticket_changed (TsStore *store,
                   gint64   id,
                   int      version,
                   Bench   *bench)
{
  bench->n_changed++;
}

static void
on_project_changed (TsStore    *store,
                    const char *project,
                    int         revision,
                    Bench      *bench)
{
  ts_store_list_projects_async (bench->store, NULL, on_listed, bench);
}

static void
on_notification (TsConnection *connection,
                 const char   *channel,
                 const char   *payload,
                 int           pid,
                 Bench        *bench)
{
  if (g_str_equal (channel, "tasksteper") && g_str_equal (payload, "bench-report"))
    {
      printf ("ticket-changed %u notifications %u project-lists %u\n",
              bench->n_changed, bench->n_notifications, bench->n_lists);
      fflush (stdout);
    }
  else if (g_str_equal (channel, "tasksteper") && g_str_equal (payload, "bench-done"))
    g_main_loop_quit (bench->loop);
  else
    bench->n_notifications++;
}

int
main (int argc, char *argv[])
{
  g_autoptr(TsConnection) connection = NULL;
  g_autoptr(TsStore) store = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Bench bench = { 0 };

  setlocale (LC_ALL, "");
  if (argc != 2)
    {
      fprintf (stderr, "Usage: %s CONNINFO\n", argv[0]);
      return 2;
    }

  connection = ts_connection_new (argv[1], NULL);
  store = ts_store_new (connection);
  loop = g_main_loop_new (NULL, FALSE);
  bench.loop = loop;
  bench.store = store;
  g_signal_connect (store, "ticket-changed", G_CALLBACK (on_ticket_changed), &bench);
  g_signal_connect (store, "project-changed", G_CALLBACK (on_project_changed), &bench);
  g_signal_connect (connection, "notification", G_CALLBACK (on_notification), &bench);

  ts_store_open_async (store, NULL, on_opened, &bench);
  g_main_loop_run (loop);
  return 0;
}
