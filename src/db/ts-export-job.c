/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-export-job"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ts-export-job.h"
#include "ts-main-context-private.h"

/* The main thread asks the store for pages and pushes them onto a queue;
 * a worker thread pops them and writes the rows.  The worker tells the
 * main thread about each page written (_ts_main_context_post), which
 * then asks for the next page, so at most MAX_PAGES_AHEAD pages are in
 * memory.  The store is only ever used from the main thread; the
 * tickets go to the worker and are not touched by the main thread again. */

/* The store reads a page's rows into tickets on the main thread: 250 a
 * page keeps that under about 30 ms (1,000 took 100 ms, two dropped
 * frames of a window, for a third less time in all; bench/export-bench.sh). */
#define DEFAULT_PAGE_SIZE 250
#define MAX_PAGES_AHEAD   3

struct _TsExportJob
{
  GObject         parent_instance;

  TsStore        *store;
  TsProject      *project;
  JsonNode       *filter;
  char           *sort;
  gboolean        descending;
  TsExportFormat  format;
  char          **columns;
  TsExportFlags   flags;
  int             page_size;

  gint64          total;
  guint64         written;
  guint64         n_truncated;
  gboolean        started;
};

G_DEFINE_FINAL_TYPE (TsExportJob, ts_export_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PROJECT,
  PROP_FILTER,
  PROP_SORT,
  PROP_DESCENDING,
  PROP_FORMAT,
  PROP_COLUMNS,
  PROP_FLAGS,
  PROP_PAGE_SIZE,
  PROP_TOTAL,
  PROP_WRITTEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the worker may find on the queue besides pages. */
static int end_of_pages;
static int stop_writing;

/* One run, shared by the main thread and the worker: reference counted,
 * since a page's notice may reach the main thread after the run ended. */
typedef struct
{
  TsExportJob    *self;
  GTask          *task;              /* the caller's; main thread only */
  char           *path;
  TsExportWriter *writer;            /* the worker's once it started */
  GAsyncQueue    *queue;
  GMainContext   *context;
  GCancellable   *fetch_cancellable; /* cancelled by the caller's, or when the worker ends */
  gulong          cancelled_id;
  TsTicket       *last;              /* the last ticket fetched */
  GError         *stop_error;        /* why the worker is told to stop */
  int             pages_ahead;       /* fetched, not yet written */
  gboolean        fetching;
  gboolean        all_fetched;
  gboolean        finished;          /* the worker returned */
} Run;

static void
run_clear (Run *run)
{
  gpointer item;

  while ((item = g_async_queue_try_pop (run->queue)) != NULL)
    if (item != &end_of_pages && item != &stop_writing)
      g_ptr_array_unref (item);
  g_async_queue_unref (run->queue);
  g_clear_object (&run->writer);
  g_clear_object (&run->last);
  g_clear_error (&run->stop_error);
  g_clear_object (&run->fetch_cancellable);
  g_clear_object (&run->task);
  g_main_context_unref (run->context);
  g_free (run->path);
  g_clear_object (&run->self);
}

static Run *
run_ref (Run *run)
{
  return g_atomic_rc_box_acquire (run);
}

static void
run_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify)run_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_unref)

static void     fetch_next   (Run     *run);
static gboolean page_written (gpointer data);

/* A page written, told to the main thread. */
typedef struct
{
  Run     *run;
  guint64  rows;
} PageWritten;

static void
page_written_free (gpointer data)
{
  PageWritten *notice = data;

  run_unref (notice->run);
  g_free (notice);
}

/* The worker thread */

static void
write_pages (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;

  if (!ts_export_writer_open (run->writer, run->path, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  for (;;)
    {
      gpointer item = g_async_queue_pop (run->queue);
      GPtrArray *page;

      if (item == &end_of_pages)
        break;

      if (item == &stop_writing)
        {
          ts_export_writer_discard (run->writer);
          /* Set before the marker was pushed; the queue's lock orders the two. */
          g_task_return_error (task, g_steal_pointer (&run->stop_error));
          return;
        }

      page = item;
      for (guint i = 0; i < page->len; i++)
        if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
            !ts_export_writer_add (run->writer, g_ptr_array_index (page, i), &error))
          {
            g_ptr_array_unref (page);
            ts_export_writer_discard (run->writer);
            g_task_return_error (task, error);
            return;
          }
      g_ptr_array_unref (page);

      {
        PageWritten *notice = g_new (PageWritten, 1);

        notice->run = run_ref (run);
        notice->rows = ts_export_writer_get_n_rows (run->writer);
        _ts_main_context_post (run->context, "[tasksteper] export page written",
                               page_written, notice, page_written_free);
      }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
      !ts_export_writer_commit (run->writer, &error))
    {
      ts_export_writer_discard (run->writer);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* The main thread */

static void
set_written (TsExportJob *self,
             guint64      written)
{
  if (self->written == written)
    return;
  self->written = written;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WRITTEN]);
}

static gboolean
page_written (gpointer data)
{
  PageWritten *notice = data;
  Run *run = notice->run;

  run->pages_ahead--;
  if (!run->finished)
    {
      set_written (run->self, notice->rows);
      fetch_next (run);
    }
  return G_SOURCE_REMOVE;
}

static void
stop_worker (Run    *run,
             GError *error)
{
  run->all_fetched = TRUE;
  run->stop_error = error;
  g_async_queue_push (run->queue, &stop_writing);
}

static void
on_page (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = ts_store_search_tickets_finish (TS_STORE (object), result, &error);

  run->fetching = FALSE;
  if (run->finished)
    return;

  if (page == NULL)
    {
      stop_worker (run, g_steal_pointer (&error));
      return;
    }

  if (page->len > 0)
    {
      g_set_object (&run->last, g_ptr_array_index (page, page->len - 1));
      run->pages_ahead++;
      g_async_queue_push (run->queue, g_ptr_array_ref (page));
    }

  if (page->len < (guint)run->self->page_size)
    {
      run->all_fetched = TRUE;
      g_async_queue_push (run->queue, &end_of_pages);
    }
  else
    fetch_next (run);
}

static void
fetch_next (Run *run)
{
  TsExportJob *self = run->self;

  if (run->fetching || run->all_fetched || run->finished || run->pages_ahead >= MAX_PAGES_AHEAD)
    return;

  run->fetching = TRUE;
  ts_store_search_tickets_async (self->store, ts_project_get_name (self->project), self->filter,
                                 self->sort, self->descending, run->last, self->page_size,
                                 run->fetch_cancellable, on_page, run_ref (run));
}

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&run->task);
  TsExportJob *self = run->self;
  GError *error = NULL;

  run->finished = TRUE;
  /* A page on its way is no longer wanted. */
  g_cancellable_cancel (run->fetch_cancellable);
  g_cancellable_disconnect (g_task_get_cancellable (task), run->cancelled_id);
  run->cancelled_id = 0;

  self->n_truncated = ts_export_writer_get_n_truncated (run->writer);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  set_written (self, ts_export_writer_get_n_rows (run->writer));
  g_task_return_boolean (task, TRUE);
}

static void
on_cancelled (GCancellable *cancellable,
              GCancellable *fetch_cancellable)
{
  g_cancellable_cancel (fetch_cancellable);
}

static void
start_writing (Run        *run,
               GHashTable *names)
{
  TsExportJob *self = run->self;
  g_autoptr(GTask) worker = NULL;
  GCancellable *cancellable = g_task_get_cancellable (run->task);

  run->writer = ts_export_writer_new (self->project, self->format, (const char * const *)self->columns,
                                      names, self->flags);
  run->fetch_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                               g_object_ref (run->fetch_cancellable), g_object_unref);

  worker = g_task_new (self, cancellable, on_written, run_ref (run));
  g_task_set_source_tag (worker, write_pages);
  g_task_set_task_data (worker, run_ref (run), run_unref);
  g_task_run_in_thread (worker, write_pages);

  fetch_next (run);
}

static void
on_members (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = ts_store_list_members_finish (TS_STORE (object), result, &error);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (g_task_return_error_if_cancelled (run->task))
    {
      g_clear_object (&run->task);
      return;
    }

  /* Without the names, people are written by login. */
  if (members == NULL)
    g_debug ("Exporting without display names: %s", error->message);
  for (guint i = 0; members != NULL && i < members->len; i++)
    {
      TsMember *member = g_ptr_array_index (members, i);

      if (ts_member_get_display_name (member) != NULL)
        g_hash_table_insert (names, g_strdup (ts_member_get_login (member)),
                             g_strdup (ts_member_get_display_name (member)));
    }

  start_writing (run, names);
}

static void
on_counted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  GError *error = NULL;
  gint64 total = ts_store_count_search_finish (TS_STORE (object), result, &error);
  TsExportJob *self = run->self;

  if (total < 0)
    {
      g_task_return_error (run->task, error);
      g_clear_object (&run->task);
      return;
    }

  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  ts_store_list_members_async (self->store, ts_project_get_name (self->project),
                               g_task_get_cancellable (run->task), on_members, run_ref (run));
}

void
ts_export_job_run_async (TsExportJob         *self,
                         const char          *path,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(Run) run = NULL;

  g_return_if_fail (TS_IS_EXPORT_JOB (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  run = g_atomic_rc_box_new0 (Run);
  run->self = g_object_ref (self);
  run->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (run->task, ts_export_job_run_async);
  run->path = g_strdup (path);
  run->queue = g_async_queue_new ();
  run->context = g_main_context_ref_thread_default ();

  ts_store_count_search_async (self->store, ts_project_get_name (self->project), self->filter,
                                cancellable, on_counted, run_ref (run));
}

gboolean
ts_export_job_run_finish (TsExportJob   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (TS_IS_EXPORT_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ts_export_job_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gint64
ts_export_job_get_total (TsExportJob *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_JOB (self), -1);
  return self->total;
}

guint64
ts_export_job_get_written (TsExportJob *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_JOB (self), 0);
  return self->written;
}

guint64
ts_export_job_get_n_truncated (TsExportJob *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_JOB (self), 0);
  return self->n_truncated;
}

TsExportFormat
ts_export_job_get_format (TsExportJob *self)
{
  g_return_val_if_fail (TS_IS_EXPORT_JOB (self), TS_EXPORT_FORMAT_CSV);
  return self->format;
}

TsExportJob *
ts_export_job_new (TsStore            *store,
                   TsProject          *project,
                   JsonNode           *filter,
                   const char         *sort,
                   gboolean            descending,
                   TsExportFormat      format,
                   const char * const *columns,
                   TsExportFlags       flags)
{
  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (filter != NULL && JSON_NODE_HOLDS_OBJECT (filter), NULL);

  return g_object_new (TS_TYPE_EXPORT_JOB,
                       "store", store,
                       "project", project,
                       "filter", filter,
                       "sort", sort,
                       "descending", descending,
                       "format", format,
                       "columns", columns,
                       "flags", flags,
                       NULL);
}

static void
ts_export_job_finalize (GObject *object)
{
  TsExportJob *self = (TsExportJob *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->project);
  g_clear_pointer (&self->filter, json_node_unref);
  g_clear_pointer (&self->sort, g_free);
  g_clear_pointer (&self->columns, g_strfreev);

  G_OBJECT_CLASS (ts_export_job_parent_class)->finalize (object);
}

static void
ts_export_job_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsExportJob *self = TS_EXPORT_JOB (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_FILTER:
      g_value_set_boxed (value, self->filter);
      break;

    case PROP_SORT:
      g_value_set_string (value, self->sort);
      break;

    case PROP_DESCENDING:
      g_value_set_boolean (value, self->descending);
      break;

    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;

    case PROP_COLUMNS:
      g_value_set_boxed (value, self->columns);
      break;

    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;

    case PROP_PAGE_SIZE:
      g_value_set_int (value, self->page_size);
      break;

    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;

    case PROP_WRITTEN:
      g_value_set_uint64 (value, self->written);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_export_job_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TsExportJob *self = TS_EXPORT_JOB (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    case PROP_FILTER:
      {
        JsonNode *filter = g_value_get_boxed (value);

        self->filter = filter ? json_node_copy (filter) : json_node_init_object (json_node_alloc (), json_object_new ());
      }
      break;

    case PROP_SORT:
      self->sort = g_value_dup_string (value);
      break;

    case PROP_DESCENDING:
      self->descending = g_value_get_boolean (value);
      break;

    case PROP_FORMAT:
      self->format = g_value_get_enum (value);
      break;

    case PROP_COLUMNS:
      self->columns = g_value_dup_boxed (value);
      break;

    case PROP_FLAGS:
      self->flags = g_value_get_flags (value);
      break;

    case PROP_PAGE_SIZE:
      self->page_size = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_export_job_class_init (TsExportJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_export_job_finalize;
  object_class->get_property = ts_export_job_get_property;
  object_class->set_property = ts_export_job_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TS_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER] =
    g_param_spec_boxed ("filter", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT] =
    g_param_spec_string ("sort", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCENDING] =
    g_param_spec_boolean ("descending", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL, TS_TYPE_EXPORT_FORMAT, TS_EXPORT_FORMAT_CSV,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLUMNS] =
    g_param_spec_boxed ("columns", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, TS_TYPE_EXPORT_FLAGS, TS_EXPORT_FLAGS_NONE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* How many tickets a page asks for (the server allows 1..1000). */
  properties[PROP_PAGE_SIZE] =
    g_param_spec_int ("page-size", NULL, NULL, 1, 1000, DEFAULT_PAGE_SIZE,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WRITTEN] =
    g_param_spec_uint64 ("written", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_export_job_init (TsExportJob *self)
{
  self->total = -1;
  self->descending = TRUE;
  self->page_size = DEFAULT_PAGE_SIZE;
}
