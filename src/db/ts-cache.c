/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-cache"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ts-cache-private.h"
#include "ts-comment.h"
#include "ts-main-context-private.h"
#include "ts-saved-search.h"

struct _TsCache
{
  GObject      parent_instance;

  char        *server;
  char        *user;
  char        *directory;
  GThreadPool *writer;      /* one thread: writes land in order */
  GMutex       lock;
  GCond        idle;
  guint        pending;     /* writes queued or running, under lock */
  guint        max_age_days;
  GPtrArray   *notices;     /* under lock */
  GHashTable  *queued;      /* file name → Job not started yet, under lock */
  GMainContext *context;    /* the owner's, where written snapshots are released */
  gboolean     paused;      /* under lock; tests only */
  GCond        resumed;
  guint        n_written;   /* under lock */
  gboolean     save_failed; /* under lock: a notice says so, not taken yet */
  /* gint64 * ticket id → GArray of TsStateEntry (states interned): what
   * ts_cache_set_states() was told, written with the lists.  Used from
   * the thread that owns the cache only, as every call but the writes. */
  GHashTable  *states;
};

G_DEFINE_FINAL_TYPE (TsCache, ts_cache, G_TYPE_OBJECT)

/* Writing
 *
 * A save takes a snapshot on the calling thread (references to the
 * objects, which are not changed once made, and copies of the few things
 * that may change), and the writer thread turns it into JSON text, writes
 * it to a temporary file, syncs and renames it.  The text is written
 * straight from the objects, reading them only: json-glib counts the
 * references of JsonObject and JsonArray without atomic operations, so the
 * writer takes none, and each snapshot is released on the thread that
 * owns the cache, from a source of its main context.  A save of a file whose previous save has
 * not started yet replaces that one's snapshot: only the newest is
 * written. */

typedef struct
{
  GString  *out;
  gboolean  comma;   /* a value came before: the next needs a comma */
} Writer;

typedef void (*WriteFunc) (Writer *writer, gpointer snapshot);

typedef struct
{
  char           *name;      /* the file; saves of the same file coalesce */
  char           *saved_at;
  WriteFunc       write;
  gpointer        snapshot;
  GDestroyNotify  free_snapshot;
} Job;

static void
job_free (Job *job)
{
  if (job->free_snapshot != NULL && job->snapshot != NULL)
    job->free_snapshot (job->snapshot);
  g_free (job->name);
  g_free (job->saved_at);
  g_free (job);
}

static void
put_separator (Writer *writer)
{
  if (writer->comma)
    g_string_append_c (writer->out, ',');
  writer->comma = FALSE;
}

static void
put_quoted (GString    *out,
            const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char)c);
        }
    }
  g_string_append_c (out, '"');
}

static void
put_name (Writer     *writer,
          const char *name)
{
  put_separator (writer);
  put_quoted (writer->out, name);
  g_string_append_c (writer->out, ':');
}

static void
put_begin (Writer *writer,
           char    bracket)
{
  put_separator (writer);
  g_string_append_c (writer->out, bracket);
}

static void
put_end (Writer *writer,
         char    bracket)
{
  g_string_append_c (writer->out, bracket);
  writer->comma = TRUE;
}

static void
put_string (Writer     *writer,
            const char *value)
{
  put_separator (writer);
  if (value != NULL)
    put_quoted (writer->out, value);
  else
    g_string_append (writer->out, "null");
  writer->comma = TRUE;
}

static void
put_int (Writer *writer,
         gint64  value)
{
  put_separator (writer);
  g_string_append_printf (writer->out, "%" G_GINT64_FORMAT, value);
  writer->comma = TRUE;
}

static void
put_boolean (Writer   *writer,
             gboolean  value)
{
  put_separator (writer);
  g_string_append (writer->out, value ? "true" : "false");
  writer->comma = TRUE;
}

static void
put_double (Writer *writer,
            double  value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  put_separator (writer);
  writer->comma = TRUE;
  if (!isfinite (value))
    {
      g_string_append (writer->out, "null");  /* JSON has no such number */
      return;
    }
  g_ascii_dtostr (buffer, sizeof buffer, value);
  g_string_append (writer->out, buffer);
  /* Read back as a double, not as an integer. */
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (writer->out, ".0");
}

/* Any JSON value, read without taking references. */
static void
put_node (Writer   *writer,
          JsonNode *node)
{
  if (node == NULL)
    {
      put_string (writer, NULL);
      return;
    }

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        put_begin (writer, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            put_name (writer, name);
            put_node (writer, member);
          }
        put_end (writer, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        put_begin (writer, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          put_node (writer, json_array_get_element (array, i));
        put_end (writer, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          put_int (writer, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          put_double (writer, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          put_boolean (writer, json_node_get_boolean (node));
          break;
        case G_TYPE_STRING:
        default:
          put_string (writer, json_node_get_string (node));
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      put_string (writer, NULL);
      break;
    }
}

static void
put_object (Writer     *writer,
            JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  put_begin (writer, '{');
  if (object != NULL)
    {
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          put_name (writer, name);
          put_node (writer, member);
        }
    }
  put_end (writer, '}');
}

static char *
file_path (TsCache    *self,
           const char *name)
{
  return g_build_filename (self->directory, name, NULL);
}

static void
wait_for_writes (TsCache *self)
{
  g_mutex_lock (&self->lock);
  while (self->pending > 0)
    g_cond_wait (&self->idle, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* On the owner's thread: the job is freed as the source is destroyed. */
static gboolean
release_job (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

static void
write_job (gpointer data,
           gpointer user_data)
{
  Job *job = data;
  TsCache *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = file_path (self, job->name);
  Writer writer = { g_string_sized_new (4096), FALSE };

  /* From here on, a save of this file makes a new job. */
  g_mutex_lock (&self->lock);
  while (self->paused)
    g_cond_wait (&self->resumed, &self->lock);
  g_hash_table_remove (self->queued, job->name);
  g_mutex_unlock (&self->lock);

  put_begin (&writer, '{');
  put_name (&writer, "tasksteper_cache");
  put_int (&writer, TS_CACHE_FORMAT);
  put_name (&writer, "server");
  put_string (&writer, self->server);
  put_name (&writer, "user");
  put_string (&writer, self->user);
  put_name (&writer, "saved_at");
  put_string (&writer, job->saved_at);
  put_name (&writer, "data");
  job->write (&writer, job->snapshot);
  put_end (&writer, '}');

  if (g_mkdir_with_parents (self->directory, 0700) != 0)
    g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
  /* Temporary file, fsync, rename: the old copy or the new, never half. */
  else
    g_file_set_contents_full (path, writer.out->str, writer.out->len,
                              G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_string_free (writer.out, TRUE);

  g_mutex_lock (&self->lock);
  if (error != NULL)
    {
      g_debug ("Cannot save the offline copy %s: %s", path, error->message);
      /* One notice until they are taken, however many saves fail. */
      if (!self->save_failed)
        g_ptr_array_add (self->notices,
                         g_strdup_printf (_("The offline copy could not be saved in %s (%s). "
                                            "Check that this folder can be written and that the disk has room; "
                                            "until then, what you read is not kept for use without the server."),
                                          self->directory, error->message));
      self->save_failed = TRUE;
    }
  self->n_written++;
  if (--self->pending == 0)
    g_cond_broadcast (&self->idle);
  g_mutex_unlock (&self->lock);

  /* The snapshot holds the main thread's objects: released there. */
  _ts_main_context_post (self->context, "[tasksteper] offline copy written", release_job, job,
                         (GDestroyNotify)job_free);
}

/* Queues the writing of the document @name whose "data" @write writes
 * from @snapshot (taken: freed with @free_snapshot on this thread). */
static void
save_document (TsCache        *self,
               const char     *name,
               WriteFunc       write,
               gpointer        snapshot,
               GDestroyNotify  free_snapshot)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  Job *job;
  Job *queued;

  g_mutex_lock (&self->lock);
  queued = g_hash_table_lookup (self->queued, name);
  if (queued != NULL)
    {
      /* Not started: it writes this snapshot instead, the older is dropped. */
      job = g_new0 (Job, 1);
      job->snapshot = g_steal_pointer (&queued->snapshot);
      job->free_snapshot = queued->free_snapshot;
      queued->snapshot = snapshot;
      queued->free_snapshot = free_snapshot;
      queued->write = write;
      g_free (queued->saved_at);
      queued->saved_at = g_date_time_format_iso8601 (now);
      g_mutex_unlock (&self->lock);
      job_free (job);
      return;
    }

  job = g_new0 (Job, 1);
  job->name = g_strdup (name);
  job->saved_at = g_date_time_format_iso8601 (now);
  job->write = write;
  job->snapshot = snapshot;
  job->free_snapshot = free_snapshot;
  g_hash_table_insert (self->queued, job->name, job);
  self->pending++;
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->writer, job, NULL);
}

/* A snapshot of GObjects that are never changed once made. */
static GPtrArray *
ref_objects (GPtrArray *objects)
{
  GPtrArray *copy = g_ptr_array_new_full (objects != NULL ? objects->len : 0, g_object_unref);

  for (guint i = 0; objects != NULL && i < objects->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (objects, i)));
  return copy;
}

/* Reading, with damaged and foreign files set aside */

static void
set_aside (TsCache    *self,
           const char *path,
           const char *why)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = g_strdup_printf ("%s.bad-%s", path, stamp);
  g_autofree char *notice = NULL;

  if (g_rename (path, aside) != 0)
    g_unlink (path);

  notice = g_strdup_printf (_("The saved copy %s could not be used (%s) and was set aside as %s."),
                            path, why, aside);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->notices, g_steal_pointer (&notice));
  g_mutex_unlock (&self->lock);
}

/* Returns the document's "data", or NULL when there is no usable file. */
static JsonNode *
load_document (TsCache     *self,
               const char  *name,
               GDateTime  **saved_at)
{
  g_autofree char *path = file_path (self, name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  gsize length;

  /* Any thread: waits for the writes, releases nothing. */
  wait_for_writes (self);

  if (!g_file_get_contents (path, &contents, &length, &error))
    return NULL;  /* nothing saved yet */

  if (!g_utf8_validate_len (contents, length, NULL) ||
      (root = json_from_string (contents, &error)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_aside (self, path, _("it is damaged"));
      return NULL;
    }

  object = json_node_get_object (root);
  if (json_object_get_int_member_with_default (object, "tasksteper_cache", 0) != TS_CACHE_FORMAT)
    {
      set_aside (self, path, _("it is not a TaskSteper offline copy of this version"));
      return NULL;
    }

  /* Never show one person's data to another, whatever the file says. */
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "user", NULL), self->user) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "server", NULL), self->server) != 0)
    {
      set_aside (self, path, _("it belongs to another user or server"));
      return NULL;
    }

  if (!json_object_has_member (object, "data"))
    {
      set_aside (self, path, _("it is incomplete"));
      return NULL;
    }

  {
    g_autoptr(GDateTime) saved = g_date_time_new_from_iso8601 (json_object_get_string_member_with_default (object, "saved_at", ""),
                                                               NULL);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    /* Too old to be worth showing: the setting says how old. */
    if (self->max_age_days > 0 && saved != NULL &&
        g_date_time_difference (now, saved) > (GTimeSpan)self->max_age_days * G_TIME_SPAN_DAY)
      {
        g_unlink (path);
        return NULL;
      }

    if (saved_at != NULL)
      *saved_at = g_steal_pointer (&saved);
  }

  return json_node_ref (json_object_get_member (object, "data"));
}

/* Tickets and history as JSON */

static void
add_string (Writer     *writer,
            const char *name,
            const char *value)
{
  put_name (writer, name);
  put_string (writer, value);
}

static GDateTime *
time_from_usec (gint64 usec)
{
  g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);

  return g_date_time_add (epoch, usec);
}

static gint64
usec_from_time (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

static void
add_time (Writer     *writer,
          const char *name,
          GDateTime  *time)
{
  g_autofree char *text = time ? g_date_time_format_iso8601 (time) : NULL;

  add_string (writer, name, text);
}

static void
add_int (Writer     *writer,
         const char *name,
         gint64      value)
{
  put_name (writer, name);
  put_int (writer, value);
}

static void
add_boolean (Writer     *writer,
             const char *name,
             gboolean    value)
{
  put_name (writer, name);
  put_boolean (writer, value);
}

static void
add_object (Writer     *writer,
            const char *name,
            JsonObject *object)
{
  put_name (writer, name);
  put_object (writer, object);
}

static void
add_node (Writer     *writer,
          const char *name,
          JsonNode   *node)
{
  put_name (writer, name);
  put_node (writer, node);
}

static void
write_states (Writer *writer,
              GArray *entries)
{
  put_name (writer, "states");
  put_begin (writer, '[');
  for (guint i = 0; i < entries->len; i++)
    {
      const TsStateEntry *entry = &g_array_index (entries, TsStateEntry, i);
      g_autoptr(GDateTime) at = time_from_usec (entry->at);

      put_begin (writer, '{');
      add_string (writer, "state", entry->state);
      add_time (writer, "at", at);
      put_end (writer, '}');
    }
  put_end (writer, ']');
}

/* @entries: (nullable): what ts_cache_set_states() was told of it. */
static void
write_ticket (Writer   *writer,
              TsTicket *ticket,
              GArray   *entries)
{
  put_begin (writer, '{');
  add_int (writer, "id", ts_ticket_get_id (ticket));
  add_string (writer, "project", ts_ticket_get_project (ticket));
  add_int (writer, "number", ts_ticket_get_number (ticket));
  add_string (writer, "key", ts_ticket_get_key (ticket));
  add_string (writer, "state", ts_ticket_get_state (ticket));
  add_string (writer, "assigned_to", ts_ticket_get_assigned_to (ticket));
  add_string (writer, "created_by", ts_ticket_get_created_by (ticket));
  add_time (writer, "created_at", ts_ticket_get_created_at (ticket));
  add_time (writer, "updated_at", ts_ticket_get_updated_at (ticket));
  add_int (writer, "version", ts_ticket_get_version (ticket));
  add_object (writer, "fields", ts_ticket_get_fields (ticket));
  if (entries != NULL)
    write_states (writer, entries);
  put_end (writer, '}');
}

/* Ticket lists: the tickets, each with its states (or NULL). */
typedef struct
{
  GPtrArray *tickets;
  GPtrArray *states;
} Tickets;

/* An element of Tickets.states, which may be NULL. */
static void
clear_states (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

static Tickets *
tickets_new (TsCache *self,
             guint    n)
{
  Tickets *snapshot = g_new0 (Tickets, 1);

  snapshot->tickets = g_ptr_array_new_full (n, g_object_unref);
  snapshot->states = g_ptr_array_new_full (n, clear_states);
  return snapshot;
}

/* Takes @ticket; its states are never changed once told (a new telling
 * replaces them), so a reference is a snapshot. */
static void
tickets_add (TsCache  *self,
             Tickets  *snapshot,
             TsTicket *ticket)
{
  GArray *entries = g_hash_table_lookup (self->states, &(gint64) { ts_ticket_get_id (ticket) });

  g_ptr_array_add (snapshot->tickets, ticket);
  g_ptr_array_add (snapshot->states, entries != NULL ? g_array_ref (entries) : NULL);
}

static void
tickets_free (gpointer data)
{
  Tickets *snapshot = data;

  g_ptr_array_unref (snapshot->tickets);
  g_ptr_array_unref (snapshot->states);
  g_free (snapshot);
}

static void
write_tickets (Writer   *writer,
               gpointer  data)
{
  Tickets *snapshot = data;

  put_begin (writer, '[');
  for (guint i = 0; i < snapshot->tickets->len; i++)
    write_ticket (writer, g_ptr_array_index (snapshot->tickets, i), g_ptr_array_index (snapshot->states, i));
  put_end (writer, ']');
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static GDateTime *
member_time (JsonObject *object,
             const char *name)
{
  const char *text = member_string (object, name);

  return text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

static TsTicket *
parse_ticket (JsonNode *node)
{
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(GDateTime) created_at = NULL;
  g_autoptr(GDateTime) updated_at = NULL;
  JsonObject *object;
  JsonNode *fields;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  fields = json_object_get_member (object, "fields");
  if (member_string (object, "key") == NULL || member_string (object, "state") == NULL ||
      fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    return NULL;

  ticket = ts_ticket_new ();
  created_at = member_time (object, "created_at");
  updated_at = member_time (object, "updated_at");
  ts_ticket_set_id (ticket, json_object_get_int_member_with_default (object, "id", 0));
  ts_ticket_set_project (ticket, member_string (object, "project"));
  ts_ticket_set_number (ticket, json_object_get_int_member_with_default (object, "number", 0));
  ts_ticket_set_key (ticket, member_string (object, "key"));
  ts_ticket_set_state (ticket, member_string (object, "state"));
  ts_ticket_set_assigned_to (ticket, member_string (object, "assigned_to"));
  ts_ticket_set_created_by (ticket, member_string (object, "created_by"));
  ts_ticket_set_created_at (ticket, created_at);
  ts_ticket_set_updated_at (ticket, updated_at);
  ts_ticket_set_version (ticket, json_object_get_int_member_with_default (object, "version", 0));
  ts_ticket_set_fields (ticket, json_node_get_object (fields));

  return g_steal_pointer (&ticket);
}

/* The "states" of a ticket in a list, as ts_cache_set_states() had
 * them; NULL when there are none (a list saved before they were kept). */
static GArray *
parse_states (JsonNode *node)
{
  JsonNode *member;
  JsonArray *array;
  GArray *entries;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      (member = json_object_get_member (json_node_get_object (node), "states")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (member))
    return NULL;

  array = json_node_get_array (member);
  entries = g_array_sized_new (FALSE, FALSE, sizeof (TsStateEntry), json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(GDateTime) at = NULL;
      TsStateEntry entry;
      const char *state;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          (state = member_string (json_node_get_object (element), "state")) == NULL ||
          (at = member_time (json_node_get_object (element), "at")) == NULL)
        continue;

      entry.state = g_intern_string (state);
      entry.at = usec_from_time (at);
      g_array_append_val (entries, entry);
    }

  return entries;
}

/* Projects */

typedef struct
{
  TsProject *project;
  gint64     revision;
  gint64     n_pending;   /* a summary's may change: copied */
  gboolean   is_admin;
} ProjectRow;

static void
project_row_clear (gpointer data)
{
  g_clear_object (&((ProjectRow *)data)->project);
}

static void
write_projects (Writer   *writer,
                gpointer  data)
{
  GArray *rows = data;

  put_begin (writer, '[');
  for (guint i = 0; i < rows->len; i++)
    {
      ProjectRow *row = &g_array_index (rows, ProjectRow, i);

      put_begin (writer, '{');
      add_int (writer, "revision", row->revision);
      add_int (writer, "n_pending", row->n_pending);
      add_boolean (writer, "is_admin", row->is_admin);
      add_node (writer, "definition", ts_project_get_definition (row->project));
      put_end (writer, '}');
    }
  put_end (writer, ']');
}

void
ts_cache_save_projects (TsCache   *self,
                        GPtrArray *summaries)
{
  GArray *rows;

  g_return_if_fail (TS_IS_CACHE (self));

  rows = g_array_sized_new (FALSE, FALSE, sizeof (ProjectRow), summaries->len);
  g_array_set_clear_func (rows, project_row_clear);
  for (guint i = 0; i < summaries->len; i++)
    {
      TsProjectSummary *summary = g_ptr_array_index (summaries, i);
      ProjectRow row = {
        g_object_ref (ts_project_summary_get_project (summary)),
        ts_project_summary_get_revision (summary),
        ts_project_summary_get_n_pending (summary),
        ts_project_summary_get_is_admin (summary),
      };

      g_array_append_val (rows, row);
    }

  save_document (self, "projects.json", write_projects, rows, (GDestroyNotify)g_array_unref);
}

/* A document holding a JSON array, or NULL when there is none; a damaged
 * one is set aside. */
static JsonNode *
load_array_document (TsCache     *self,
                     const char  *name,
                     GDateTime  **saved_at)
{
  g_autoptr(JsonNode) data = NULL;

  if ((data = load_document (self, name, saved_at)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (data))
    {
      g_autofree char *path = file_path (self, name);

      set_aside (self, path, _("it is damaged"));
      return NULL;
    }

  return g_steal_pointer (&data);
}

GPtrArray *
ts_cache_load_projects (TsCache    *self,
                        GDateTime **saved_at)
{
  g_autoptr(JsonNode) data = NULL;
  GPtrArray *projects;
  JsonArray *array;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);

  if ((data = load_array_document (self, "projects.json", saved_at)) == NULL)
    return NULL;

  array = json_node_get_array (data);
  projects = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new ("cache");
      g_autoptr(JsonNode) definition = NULL;
      g_autofree char *text = NULL;
      g_autoptr(TsProject) project = NULL;
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      if (!json_object_has_member (object, "definition"))
        continue;

      /* The same validation as on import: a damaged copy is no project. */
      text = json_to_string (json_object_get_member (object, "definition"), FALSE);
      if ((project = ts_project_new_from_data (text, -1, diagnostics)) == NULL)
        continue;

      g_ptr_array_add (projects, ts_project_summary_new (project,
                                                         json_object_get_int_member_with_default (object, "revision", 0),
                                                         json_object_get_int_member_with_default (object, "n_pending", 0),
                                                         json_object_get_boolean_member_with_default (object, "is_admin", FALSE)));
    }

  return projects;
}

/* Ticket lists */

static char *
list_name (const char *project,
           const char *list)
{
  /* Project names are [a-z][a-z0-9_]*, safe in a file name. */
  return g_strdup_printf ("tickets-%s-%s.json", project, list);
}

void
ts_cache_save_tickets (TsCache    *self,
                       const char *project,
                       const char *list,
                       GListModel *tickets)
{
  g_autofree char *name = list_name (project, list);
  Tickets *snapshot;
  guint n;

  g_return_if_fail (TS_IS_CACHE (self));

  n = MIN (g_list_model_get_n_items (tickets), TS_CACHE_MAX_LIST_ROWS);
  snapshot = tickets_new (self, n);
  for (guint i = 0; i < n; i++)
    tickets_add (self, snapshot, g_list_model_get_item (tickets, i));

  save_document (self, name, write_tickets, snapshot, tickets_free);
}

/* The tickets of the list document @name: those of @project, or with
 * @project NULL those of any project; with @states, the "states" saved
 * with each (a GArray of TsStateEntry, or NULL), at the same index. */
static GPtrArray *
load_ticket_array (TsCache     *self,
                   const char  *name,
                   const char  *project,
                   GPtrArray   *states,
                   GDateTime  **saved_at)
{
  g_autoptr(JsonNode) data = NULL;
  GPtrArray *tickets;
  JsonArray *array;

  if ((data = load_array_document (self, name, saved_at)) == NULL)
    return NULL;

  array = json_node_get_array (data);
  tickets = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      TsTicket *ticket = parse_ticket (node);

      /* Only tickets of a project, as the server gives them. */
      if (ticket == NULL || ts_ticket_get_project (ticket) == NULL ||
          (project != NULL && g_strcmp0 (ts_ticket_get_project (ticket), project) != 0))
        {
          g_clear_object (&ticket);
          continue;
        }

      g_ptr_array_add (tickets, ticket);
      if (states != NULL)
        g_ptr_array_add (states, parse_states (node));
    }

  return tickets;
}

GPtrArray *
ts_cache_load_tickets (TsCache     *self,
                       const char  *project,
                       const char  *list,
                       GDateTime  **saved_at)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  name = list_name (project, list);
  return load_ticket_array (self, name, project, NULL, saved_at);
}

typedef struct
{
  char      *project;
  char      *list;
  GDateTime *saved_at;
} LoadTickets;

static void
load_tickets_free (gpointer data)
{
  LoadTickets *load = data;

  g_free (load->project);
  g_free (load->list);
  g_clear_pointer (&load->saved_at, g_date_time_unref);
  g_free (load);
}

static void
load_tickets_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  LoadTickets *load = task_data;
  g_autofree char *name = list_name (load->project, load->list);
  GPtrArray *tickets;

  /* Made here and handed over whole: nothing of it is shared meanwhile. */
  tickets = load_ticket_array (source_object, name, load->project, NULL, &load->saved_at);
  g_task_return_pointer (task, tickets, tickets != NULL ? (GDestroyNotify)g_ptr_array_unref : NULL);
}

void
ts_cache_load_tickets_async (TsCache             *self,
                             const char          *project,
                             const char          *list,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadTickets *load;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (list != NULL);

  load = g_new0 (LoadTickets, 1);
  load->project = g_strdup (project);
  load->list = g_strdup (list);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_cache_load_tickets_async);
  g_task_set_task_data (task, load, load_tickets_free);
  g_task_run_in_thread (task, load_tickets_thread);
}

GPtrArray *
ts_cache_load_tickets_finish (TsCache       *self,
                              GAsyncResult  *result,
                              GDateTime    **saved_at)
{
  LoadTickets *load;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  load = g_task_get_task_data (G_TASK (result));
  if (saved_at != NULL)
    *saved_at = load->saved_at != NULL ? g_date_time_ref (load->saved_at) : NULL;
  return g_task_propagate_pointer (G_TASK (result), NULL);
}

/* My tickets across projects */

#define MY_TICKETS_NAME "my-tickets.json"

void
ts_cache_save_my_tickets (TsCache   *self,
                          GPtrArray *tickets)
{
  Tickets *snapshot;
  guint n;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (tickets != NULL);

  n = MIN (tickets->len, TS_CACHE_MAX_LIST_ROWS);
  snapshot = tickets_new (self, n);
  for (guint i = 0; i < n; i++)
    tickets_add (self, snapshot, g_object_ref (g_ptr_array_index (tickets, i)));

  save_document (self, MY_TICKETS_NAME, write_tickets, snapshot, tickets_free);
}

GPtrArray *
ts_cache_load_my_tickets (TsCache    *self,
                          GDateTime **saved_at)
{
  g_return_val_if_fail (TS_IS_CACHE (self), NULL);

  return load_ticket_array (self, MY_TICKETS_NAME, NULL, NULL, saved_at);
}

/* Members of a project */

static char *
members_name (const char *project)
{
  /* Project names are [a-z][a-z0-9_]*, safe in a file name. */
  return g_strdup_printf ("members-%s.json", project);
}

static void
write_members (Writer   *writer,
               gpointer  data)
{
  GPtrArray *members = data;

  put_begin (writer, '[');
  for (guint i = 0; i < members->len; i++)
    {
      TsMember *member = g_ptr_array_index (members, i);

      put_begin (writer, '{');
      add_string (writer, "login", ts_member_get_login (member));
      add_string (writer, "display_name",
                  ts_member_has_display_name (member) ? ts_member_get_display_name (member) : NULL);
      put_end (writer, '}');
    }
  put_end (writer, ']');
}

void
ts_cache_save_members (TsCache    *self,
                       const char *project,
                       GPtrArray  *members)
{
  g_autofree char *name = NULL;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (project != NULL);
  g_return_if_fail (members != NULL);

  name = members_name (project);
  save_document (self, name, write_members, ref_objects (members), (GDestroyNotify)g_ptr_array_unref);
}

GPtrArray *
ts_cache_load_members (TsCache     *self,
                       const char  *project,
                       GDateTime  **saved_at)
{
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) data = NULL;
  GPtrArray *members;
  JsonArray *array;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  name = members_name (project);
  if ((data = load_array_document (self, name, saved_at)) == NULL)
    return NULL;

  array = json_node_get_array (data);
  members = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *login;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (login = member_string (json_node_get_object (node), "login")) == NULL)
        continue;

      g_ptr_array_add (members,
                       ts_member_new (login, member_string (json_node_get_object (node), "display_name")));
    }

  return members;
}

/* One ticket with its history */

typedef struct
{
  TsTicket  *ticket;
  GPtrArray *history;
} TicketWithHistory;

static void
ticket_with_history_free (gpointer data)
{
  TicketWithHistory *snapshot = data;

  g_object_unref (snapshot->ticket);
  g_ptr_array_unref (snapshot->history);
  g_free (snapshot);
}

static void
write_ticket_with_history (Writer   *writer,
                           gpointer  data)
{
  TicketWithHistory *snapshot = data;

  put_begin (writer, '{');
  put_name (writer, "ticket");
  write_ticket (writer, snapshot->ticket, NULL);
  put_name (writer, "history");
  put_begin (writer, '[');
  for (guint i = 0; i < snapshot->history->len; i++)
    {
      TsHistoryEntry *entry = g_ptr_array_index (snapshot->history, i);

      put_begin (writer, '{');
      add_time (writer, "at", ts_history_entry_get_at (entry));
      add_string (writer, "actor", ts_history_entry_get_actor (entry));
      add_string (writer, "trigger", ts_history_entry_get_trigger (entry));
      add_string (writer, "from_state", ts_history_entry_get_from_state (entry));
      add_string (writer, "to_state", ts_history_entry_get_to_state (entry));
      add_string (writer, "from_assignee", ts_history_entry_get_from_assignee (entry));
      add_string (writer, "to_assignee", ts_history_entry_get_to_assignee (entry));
      add_object (writer, "changes", ts_history_entry_get_changes (entry));
      put_end (writer, '}');
    }
  put_end (writer, ']');
  put_end (writer, '}');
}

void
ts_cache_save_ticket (TsCache   *self,
                      TsTicket  *ticket,
                      GPtrArray *history)
{
  g_autofree char *name = NULL;
  TicketWithHistory *snapshot;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (TS_IS_TICKET (ticket));

  snapshot = g_new0 (TicketWithHistory, 1);
  snapshot->ticket = g_object_ref (ticket);
  snapshot->history = ref_objects (history);
  name = g_strdup_printf ("ticket-%" G_GINT64_FORMAT ".json", ts_ticket_get_id (ticket));
  save_document (self, name, write_ticket_with_history, snapshot, ticket_with_history_free);
}

TsTicket *
ts_cache_load_ticket (TsCache    *self,
                      gint64      id,
                      GPtrArray **history)
{
  g_autofree char *name = g_strdup_printf ("ticket-%" G_GINT64_FORMAT ".json", id);
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(TsTicket) ticket = NULL;
  JsonObject *object;
  JsonNode *entries;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);

  if ((data = load_document (self, name, NULL)) == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (data) ||
      (ticket = parse_ticket (json_object_get_member (json_node_get_object (data), "ticket"))) == NULL ||
      ts_ticket_get_id (ticket) != id)
    {
      g_autofree char *path = file_path (self, name);

      set_aside (self, path, _("it is damaged"));
      return NULL;
    }

  object = json_node_get_object (data);
  entries = json_object_get_member (object, "history");
  if (history != NULL)
    {
      *history = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; entries && JSON_NODE_HOLDS_ARRAY (entries) &&
                        i < json_array_get_length (json_node_get_array (entries)); i++)
        {
          JsonNode *node = json_array_get_element (json_node_get_array (entries), i);
          JsonObject *entry;
          JsonNode *changes;
          g_autoptr(GDateTime) at = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          entry = json_node_get_object (node);
          changes = json_object_get_member (entry, "changes");
          at = member_time (entry, "at");
          g_ptr_array_add (*history,
                           ts_history_entry_new (at, member_string (entry, "actor"),
                                                 member_string (entry, "trigger"),
                                                 member_string (entry, "from_state"),
                                                 member_string (entry, "to_state"),
                                                 member_string (entry, "from_assignee"),
                                                 member_string (entry, "to_assignee"),
                                                 changes && JSON_NODE_HOLDS_OBJECT (changes)
                                                   ? json_node_get_object (changes) : NULL));
        }
    }

  return g_steal_pointer (&ticket);
}

/* A ticket's comments, as listed (oldest first) */

static char *
comments_name (gint64 ticket_id)
{
  return g_strdup_printf ("comments-%" G_GINT64_FORMAT ".json", ticket_id);
}

static void
write_comments (Writer   *writer,
                gpointer  data)
{
  GPtrArray *comments = data;

  put_begin (writer, '[');
  for (guint i = 0; i < comments->len; i++)
    {
      TsComment *comment = g_ptr_array_index (comments, i);

      put_begin (writer, '{');
      add_int (writer, "id", ts_comment_get_id (comment));
      add_int (writer, "ticket_id", ts_comment_get_ticket_id (comment));
      add_time (writer, "at", ts_comment_get_at (comment));
      add_string (writer, "author", ts_comment_get_author (comment));
      add_string (writer, "body", ts_comment_get_body (comment));
      put_end (writer, '}');
    }
  put_end (writer, ']');
}

void
ts_cache_save_comments (TsCache   *self,
                        gint64     ticket_id,
                        GPtrArray *comments)
{
  g_autofree char *name = NULL;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (comments != NULL);

  name = comments_name (ticket_id);
  save_document (self, name, write_comments, ref_objects (comments), (GDestroyNotify)g_ptr_array_unref);
}

GPtrArray *
ts_cache_load_comments (TsCache     *self,
                        gint64       ticket_id,
                        GDateTime  **saved_at)
{
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) data = NULL;
  GPtrArray *comments;
  JsonArray *array;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);

  name = comments_name (ticket_id);
  if ((data = load_array_document (self, name, saved_at)) == NULL)
    return NULL;

  array = json_node_get_array (data);
  comments = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GDateTime) at = NULL;
      JsonObject *object;
      const char *author;
      const char *body;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      author = member_string (object, "author");
      body = member_string (object, "body");
      at = member_time (object, "at");
      /* Another ticket's comment in this file is no comment of this one. */
      if (author == NULL || body == NULL || at == NULL ||
          json_object_get_int_member_with_default (object, "ticket_id", 0) != ticket_id)
        continue;

      g_ptr_array_add (comments,
                       ts_comment_new (json_object_get_int_member_with_default (object, "id", 0),
                                       ticket_id, at, author, body));
    }

  return comments;
}

/* What the offline search reads */

void
ts_cache_set_states (TsCache            *self,
                     gint64              ticket_id,
                     const TsStateEntry *entries,
                     guint               n_entries)
{
  GArray *copy;
  gint64 *key;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (entries != NULL || n_entries == 0);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (TsStateEntry), n_entries);
  for (guint i = 0; i < n_entries; i++)
    {
      /* Interned: a project has a handful of states, and the entries can
       * then be handed out without copies. */
      TsStateEntry entry = { g_intern_string (entries[i].state), entries[i].at };

      g_array_append_val (copy, entry);
    }

  key = g_new (gint64, 1);
  *key = ticket_id;
  g_hash_table_replace (self->states, key, copy);
}

/* The states a ticket opened on its own entered, from its history: the
 * rows where the state changed (the first, at creation, has none before
 * it), as tasksteper.history gives them to the store. */
static GArray *
states_from_history (JsonNode *data)
{
  JsonNode *history = json_object_get_member (json_node_get_object (data), "history");
  JsonArray *array;
  GArray *entries;

  if (history == NULL || !JSON_NODE_HOLDS_ARRAY (history))
    return NULL;

  array = json_node_get_array (history);
  entries = g_array_new (FALSE, FALSE, sizeof (TsStateEntry));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GDateTime) at = NULL;
      const char *to_state;
      TsStateEntry entry;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (to_state = member_string (json_node_get_object (node), "to_state")) == NULL ||
          g_strcmp0 (member_string (json_node_get_object (node), "from_state"), to_state) == 0 ||
          (at = member_time (json_node_get_object (node), "at")) == NULL)
        continue;

      entry.state = g_intern_string (to_state);
      entry.at = usec_from_time (at);
      g_array_append_val (entries, entry);
    }

  return entries;
}

typedef struct
{
  TsTicket *ticket;
  GArray   *states;          /* nullable */
  int       states_version;  /* of the ticket they were saved with */
} Found;

static void
found_free (Found *found)
{
  g_object_unref (found->ticket);
  g_clear_pointer (&found->states, g_array_unref);
  g_free (found);
}

/* Keeps the newest version of each ticket, with the states saved with the
 * newest version that has them.  History only grows, so an older
 * version's states still hold for a newer one (if perhaps not all). */
static void
add_found (GHashTable *found,
           TsTicket   *ticket,
           GArray     *states)
{
  gint64 id = ts_ticket_get_id (ticket);
  Found *known = g_hash_table_lookup (found, &id);
  int version = ts_ticket_get_version (ticket);

  if (known == NULL)
    {
      known = g_new0 (Found, 1);
      known->ticket = g_object_ref (ticket);
      known->states = states != NULL ? g_array_ref (states) : NULL;
      known->states_version = version;
      g_hash_table_insert (found, g_memdup2 (&id, sizeof id), known);
      return;
    }

  if (version > ts_ticket_get_version (known->ticket))
    g_set_object (&known->ticket, ticket);

  if (states != NULL && (known->states == NULL || version > known->states_version))
    {
      g_clear_pointer (&known->states, g_array_unref);
      known->states = g_array_ref (states);
      known->states_version = version;
    }
}

static void
note_oldest (GDateTime **oldest,
             GDateTime  *saved_at)
{
  if (saved_at == NULL || (*oldest != NULL && g_date_time_compare (*oldest, saved_at) <= 0))
    return;

  g_clear_pointer (oldest, g_date_time_unref);
  *oldest = g_date_time_ref (saved_at);
}

/* Adds the tickets of @project in the list @name; TRUE when the list says
 * something about @project: it is one of the project's own lists (even
 * empty), or it has tickets of the project. */
static gboolean
add_list (TsCache     *self,
          GHashTable  *found,
          const char  *name,
          const char  *project,
          gboolean     own,
          GDateTime  **oldest)
{
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (clear_states);
  g_autoptr(GDateTime) saved_at = NULL;
  g_autoptr(GPtrArray) tickets = load_ticket_array (self, name, project, states, &saved_at);

  if (tickets == NULL)
    return FALSE;

  if (!own && tickets->len == 0)
    return FALSE;

  for (guint i = 0; i < tickets->len; i++)
    add_found (found, g_ptr_array_index (tickets, i), g_ptr_array_index (states, i));
  note_oldest (oldest, saved_at);
  return TRUE;
}

GPtrArray *
ts_cache_load_project_tickets (TsCache     *self,
                               const char  *project,
                               GHashTable **states,
                               GDateTime  **saved_at)
{
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GDateTime) oldest = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *all = NULL;
  g_autofree char *pending = NULL;
  gboolean any = FALSE;
  GPtrArray *tickets;
  GHashTableIter iter;
  const char *name;
  gpointer value;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  found = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)found_free);
  all = list_name (project, "all");
  pending = list_name (project, "pending");
  any |= add_list (self, found, all, project, TRUE, &oldest);
  any |= add_list (self, found, pending, project, TRUE, &oldest);
  any |= add_list (self, found, MY_TICKETS_NAME, project, FALSE, &oldest);

  /* The tickets opened, each with its history. */
  ts_cache_flush (self);
  dir = g_dir_open (self->directory, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(JsonNode) data = NULL;
      g_autoptr(TsTicket) ticket = NULL;
      g_autoptr(GArray) entries = NULL;
      g_autoptr(GDateTime) at = NULL;

      if (!g_str_has_prefix (name, "ticket-") || !g_str_has_suffix (name, ".json"))
        continue;
      if ((data = load_document (self, name, &at)) == NULL || !JSON_NODE_HOLDS_OBJECT (data) ||
          (ticket = parse_ticket (json_object_get_member (json_node_get_object (data), "ticket"))) == NULL ||
          g_strcmp0 (ts_ticket_get_project (ticket), project) != 0)
        continue;

      entries = states_from_history (data);
      add_found (found, ticket, entries);
      note_oldest (&oldest, at);
      any = TRUE;
    }

  if (!any)
    return NULL;

  tickets = g_ptr_array_new_full (g_hash_table_size (found), g_object_unref);
  if (states != NULL)
    *states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_array_unref);
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Found *one = value;
      gint64 id = ts_ticket_get_id (one->ticket);

      g_ptr_array_add (tickets, g_object_ref (one->ticket));
      if (states != NULL && one->states != NULL)
        g_hash_table_insert (*states, g_memdup2 (&id, sizeof id), g_array_ref (one->states));
    }

  if (saved_at != NULL)
    *saved_at = g_steal_pointer (&oldest);
  return tickets;
}

/* Saved searches */

static char *
saved_searches_name (const char *project)
{
  /* Project names are [a-z][a-z0-9_]*, safe in a file name. */
  return project != NULL ? g_strdup_printf ("searches-%s.json", project) : g_strdup ("searches.json");
}

static void
write_saved_searches (Writer   *writer,
                      gpointer  data)
{
  GPtrArray *searches = data;

  put_begin (writer, '[');
  for (guint i = 0; i < searches->len; i++)
    {
      TsSavedSearch *search = g_ptr_array_index (searches, i);

      put_begin (writer, '{');
      add_string (writer, "project", ts_saved_search_get_project (search));
      add_string (writer, "name", ts_saved_search_get_name (search));
      add_string (writer, "owner", ts_saved_search_get_owner (search));
      add_string (writer, "query", ts_saved_search_get_query (search));
      add_node (writer, "filter", ts_saved_search_get_filter (search));
      add_boolean (writer, "shared", ts_saved_search_get_shared (search));
      add_boolean (writer, "mine", ts_saved_search_get_mine (search));
      add_time (writer, "updated_at", ts_saved_search_get_updated_at (search));
      put_end (writer, '}');
    }
  put_end (writer, ']');
}

void
ts_cache_save_saved_searches (TsCache    *self,
                              const char *project,
                              GPtrArray  *searches)
{
  g_autofree char *name = NULL;

  g_return_if_fail (TS_IS_CACHE (self));
  g_return_if_fail (searches != NULL);

  name = saved_searches_name (project);
  save_document (self, name, write_saved_searches, ref_objects (searches), (GDestroyNotify)g_ptr_array_unref);
}

static GPtrArray *
load_saved_searches (TsCache     *self,
                     const char  *name,
                     const char  *project,
                     GDateTime  **saved_at)
{
  g_autoptr(JsonNode) data = NULL;
  GPtrArray *searches;
  JsonArray *array;

  if ((data = load_array_document (self, name, saved_at)) == NULL)
    return NULL;

  array = json_node_get_array (data);
  searches = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GDateTime) updated_at = NULL;
      JsonObject *object;
      JsonNode *filter;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      filter = json_object_get_member (object, "filter");
      if (member_string (object, "project") == NULL || member_string (object, "name") == NULL ||
          filter == NULL || !JSON_NODE_HOLDS_OBJECT (filter) ||
          (project != NULL && g_strcmp0 (member_string (object, "project"), project) != 0))
        continue;

      updated_at = member_time (object, "updated_at");
      g_ptr_array_add (searches,
                       ts_saved_search_new (member_string (object, "project"),
                                            member_string (object, "name"),
                                            member_string (object, "owner"),
                                            member_string (object, "query"),
                                            filter,
                                            json_object_get_boolean_member_with_default (object, "shared", FALSE),
                                            json_object_get_boolean_member_with_default (object, "mine", FALSE),
                                            updated_at));
    }

  return searches;
}

GPtrArray *
ts_cache_load_saved_searches (TsCache     *self,
                              const char  *project,
                              GDateTime  **saved_at)
{
  g_autoptr(GDateTime) own_time = NULL;
  g_autoptr(GDateTime) all_time = NULL;
  g_autoptr(GPtrArray) own = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);

  /* A project's searches were saved when its own list was read, or when
   * the list of all was: the newer says what is true. */
  all = load_saved_searches (self, "searches.json", project, &all_time);
  if (project != NULL)
    {
      name = saved_searches_name (project);
      own = load_saved_searches (self, name, project, &own_time);
    }

  if (own != NULL && (all == NULL || all_time == NULL ||
                      (own_time != NULL && g_date_time_compare (own_time, all_time) >= 0)))
    {
      if (saved_at != NULL)
        *saved_at = g_steal_pointer (&own_time);
      return g_steal_pointer (&own);
    }

  if (saved_at != NULL)
    *saved_at = g_steal_pointer (&all_time);
  return g_steal_pointer (&all);
}

/* Housekeeping */

void
ts_cache_set_max_age_days (TsCache *self,
                           guint    days)
{
  g_return_if_fail (TS_IS_CACHE (self));
  self->max_age_days = days;
}

void
ts_cache_flush (TsCache *self)
{
  g_return_if_fail (TS_IS_CACHE (self));

  wait_for_writes (self);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
ts_cache_clear (TsCache *self)
{
  g_return_if_fail (TS_IS_CACHE (self));

  ts_cache_flush (self);
  remove_tree (self->directory);
}

gboolean
ts_cache_exists (TsCache *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (TS_IS_CACHE (self), FALSE);

  path = file_path (self, "projects.json");
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

char **
ts_cache_take_notices (TsCache *self)
{
  GStrvBuilder *builder;
  char **notices;

  g_return_val_if_fail (TS_IS_CACHE (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->notices->len == 0)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->notices->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->notices, i));
  g_ptr_array_set_size (self->notices, 0);
  self->save_failed = FALSE;
  g_mutex_unlock (&self->lock);

  notices = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return notices;
}

const char *
ts_cache_get_directory (TsCache *self)
{
  g_return_val_if_fail (TS_IS_CACHE (self), NULL);
  return self->directory;
}

char *
ts_cache_dup_root (void)
{
  return g_build_filename (g_get_user_cache_dir (), "tasksteper", NULL);
}

void
_ts_cache_set_paused (TsCache  *self,
                      gboolean  paused)
{
  g_return_if_fail (TS_IS_CACHE (self));

  g_mutex_lock (&self->lock);
  self->paused = paused;
  g_cond_broadcast (&self->resumed);
  g_mutex_unlock (&self->lock);
}

guint
_ts_cache_get_n_written (TsCache *self)
{
  guint n;

  g_return_val_if_fail (TS_IS_CACHE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_written;
  g_mutex_unlock (&self->lock);
  return n;
}

/* The object */

static void
ts_cache_finalize (GObject *object)
{
  TsCache *self = (TsCache *)object;

  /* Finishes the queued writes first. */
  g_thread_pool_free (self->writer, FALSE, TRUE);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->notices, g_ptr_array_unref);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->directory, g_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->idle);
  g_cond_clear (&self->resumed);

  G_OBJECT_CLASS (ts_cache_parent_class)->finalize (object);
}

static void
ts_cache_class_init (TsCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_cache_finalize;
}

static void
ts_cache_init (TsCache *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->idle);
  g_cond_init (&self->resumed);
  self->notices = g_ptr_array_new_with_free_func (g_free);
  self->queued = g_hash_table_new (g_str_hash, g_str_equal);
  self->context = g_main_context_ref_thread_default ();
  self->states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_array_unref);
  self->writer = g_thread_pool_new (write_job, self, 1, FALSE, NULL);
}

TsCache *
ts_cache_new_in (const char *root,
                 const char *server,
                 const char *user)
{
  TsCache *self;
  g_autofree char *digest = NULL;
  g_autofree char *dir_name = NULL;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  self = g_object_new (TS_TYPE_CACHE, NULL);
  self->server = g_strdup (server);
  self->user = g_strdup (user);

  /* One directory per server and user, named by a digest: server names and
   * login names may hold anything. */
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, server, -1);
  dir_name = g_compute_checksum_for_string (G_CHECKSUM_SHA256, user, -1);
  self->directory = g_strdup_printf ("%s/%.16s/%.16s", root, digest, dir_name);

  return self;
}

TsCache *
ts_cache_new_for_connection (TsConnection *connection)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  g_return_val_if_fail (TS_IS_CONNECTION (connection), NULL);

  /* From the connection string, not the live connection: the same key
   * whether the server answers or not. */
  ts_connection_dup_target (connection, &server, &user);
  return ts_cache_new (server, user);
}

TsCache *
ts_cache_new (const char *server,
              const char *user)
{
  g_autofree char *root = ts_cache_dup_root ();

  return ts_cache_new_in (root, server, user);
}
