/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-assignment-watcher"

#include "config.h"

#include "ts-assignment-watcher.h"

struct _TsAssignmentWatcher
{
  GObject       parent_instance;

  TsStore      *store;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TsAssignmentWatcher, ts_assignment_watcher, G_TYPE_OBJECT)

enum {
  ASSIGNED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What one notification's lookups carry along. */
typedef struct
{
  TsAssignmentWatcher *self;
  TsTicket            *ticket;
  int                  version;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->self);
  g_clear_object (&lookup->ticket);
  g_free (lookup);
}

static void
on_history (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Lookup *lookup = user_data;
  TsAssignmentWatcher *self = lookup->self;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  const char *me = ts_store_get_user (TS_STORE (object));
  TsHistoryEntry *last;

  history = ts_store_get_history_finish (TS_STORE (object), result, &error);
  if (history == NULL || history->len == 0)
    {
      lookup_free (lookup);
      return;
    }

  /* Only a change by someone else that made me the assignee: not my own
   * creation, not a save of a ticket I already held. */
  last = g_ptr_array_index (history, history->len - 1);
  if (g_strcmp0 (ts_history_entry_get_to_assignee (last), me) == 0 &&
      g_strcmp0 (ts_history_entry_get_from_assignee (last), me) != 0 &&
      g_strcmp0 (ts_history_entry_get_actor (last), me) != 0)
    g_signal_emit (self, signals[ASSIGNED], 0, lookup->ticket, last);

  lookup_free (lookup);
}

static void
on_tickets (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Lookup *request = user_data;
  g_autoptr(TsAssignmentWatcher) self = g_steal_pointer (&request->self);
  int version = request->version;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GError) error = NULL;
  TsTicket *ticket;
  Lookup *lookup;

  lookup_free (request);

  tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);
  if (tickets == NULL || tickets->len == 0)
    return;

  /* A later change has its own notification; act on that one. */
  ticket = g_ptr_array_index (tickets, 0);
  if (ts_ticket_get_version (ticket) != version)
    return;

  if (g_strcmp0 (ts_ticket_get_assigned_to (ticket), ts_store_get_user (self->store)) != 0)
    return;

  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->ticket = g_object_ref (ticket);
  ts_store_get_history_async (self->store, ts_ticket_get_id (ticket), self->cancellable,
                              on_history, lookup);
}

static void
on_ticket_changed (TsAssignmentWatcher *self,
                   gint64               id,
                   int                  version,
                   TsStore             *store)
{
  Lookup *request;

  /* A new ticket is assigned to its creator, who needs no notice. */
  if (version <= 1)
    return;

  request = g_new0 (Lookup, 1);
  request->self = g_object_ref (self);
  request->version = version;
  ts_store_get_tickets_async (self->store, &id, 1, self->cancellable, on_tickets, request);
}

static void
ts_assignment_watcher_dispose (GObject *object)
{
  TsAssignmentWatcher *self = (TsAssignmentWatcher *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_assignment_watcher_parent_class)->dispose (object);
}

static void
ts_assignment_watcher_class_init (TsAssignmentWatcherClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_assignment_watcher_dispose;

  signals[ASSIGNED] =
    g_signal_new ("assigned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, TS_TYPE_TICKET, TS_TYPE_HISTORY_ENTRY);
}

static void
ts_assignment_watcher_init (TsAssignmentWatcher *self)
{
  self->cancellable = g_cancellable_new ();
}

TsAssignmentWatcher *
ts_assignment_watcher_new (TsStore *store)
{
  TsAssignmentWatcher *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);

  self = g_object_new (TS_TYPE_ASSIGNMENT_WATCHER, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_ticket_changed),
                           self, G_CONNECT_SWAPPED);

  return self;
}
