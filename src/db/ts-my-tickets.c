/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-my-tickets"

#include "config.h"

#include "ts-my-tickets.h"

/* Changes come in bursts: read again once, a moment after the last. */
#define RELOAD_DELAY_MS 300

struct _TsMyTickets
{
  GObject       parent_instance;

  TsStore      *store;
  GHashTable   *projects;     /* name → GListStore of TsTicket */
  GCancellable *cancellable;
  GError       *error;
  guint         n_tickets;
  guint         reload_id;
  guint         loading : 1;
  guint         reading : 1;  /* a read is under way */
  guint         again : 1;    /* and another is wanted after it */
};

G_DEFINE_FINAL_TYPE (TsMyTickets, ts_my_tickets, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_N_TICKETS,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GListStore *
project_store (TsMyTickets *self,
               const char  *project)
{
  GListStore *store = g_hash_table_lookup (self->projects, project);

  if (store == NULL)
    {
      store = g_list_store_new (TS_TYPE_TICKET);
      g_hash_table_insert (self->projects, g_strdup (project), store);
    }
  return store;
}

/* Whether @store already holds exactly @tickets, in this order. */
static gboolean
same_tickets (GListStore *store,
              GPtrArray  *tickets)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (store)) != tickets->len)
    return FALSE;

  for (guint i = 0; i < tickets->len; i++)
    {
      g_autoptr(TsTicket) known = g_list_model_get_item (G_LIST_MODEL (store), i);
      TsTicket *fresh = g_ptr_array_index (tickets, i);

      if (ts_ticket_get_id (known) != ts_ticket_get_id (fresh) ||
          ts_ticket_get_version (known) != ts_ticket_get_version (fresh))
        return FALSE;
    }
  return TRUE;
}

static void
set_error (TsMyTickets *self,
           GError      *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
show_tickets (TsMyTickets *self,
              GPtrArray   *tickets)
{
  g_autoptr(GHashTable) by_project = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                            (GDestroyNotify)g_ptr_array_unref);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      GPtrArray *group = g_hash_table_lookup (by_project, ts_ticket_get_project (ticket));

      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (by_project, (gpointer)ts_ticket_get_project (ticket), group);
          project_store (self, ts_ticket_get_project (ticket));
        }
      g_ptr_array_add (group, ticket);
    }

  g_hash_table_iter_init (&iter, self->projects);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GListStore *store = value;
      GPtrArray *group = g_hash_table_lookup (by_project, key);
      g_autoptr(GPtrArray) none = g_ptr_array_new ();

      if (group == NULL)
        group = none;
      if (!same_tickets (store, group))
        g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                             group->pdata, group->len);
    }

  if (self->n_tickets != tickets->len)
    {
      self->n_tickets = tickets->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TICKETS]);
    }
}

static void load (TsMyTickets *self);

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TsMyTickets) self = user_data;
  g_autoptr(GPtrArray) tickets = NULL;
  GError *error = NULL;

  tickets = ts_store_list_my_tickets_finish (TS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }

  self->reading = FALSE;
  if (tickets != NULL)
    {
      show_tickets (self, tickets);
      set_error (self, NULL);
    }
  else
    set_error (self, error);

  if (self->loading)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }

  /* What changed while this read ran is read next. */
  if (self->again)
    load (self);
}

static void
load (TsMyTickets *self)
{
  if (self->reading)
    {
      self->again = TRUE;
      return;
    }

  self->reading = TRUE;
  self->again = FALSE;
  ts_store_list_my_tickets_async (self->store, self->cancellable, on_loaded, g_object_ref (self));
}

static gboolean
reload_now (gpointer user_data)
{
  TsMyTickets *self = user_data;

  self->reload_id = 0;
  load (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (TsMyTickets *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_now, self);
}

void
ts_my_tickets_reload (TsMyTickets *self)
{
  g_return_if_fail (TS_IS_MY_TICKETS (self));

  g_clear_handle_id (&self->reload_id, g_source_remove);
  load (self);
}

static void
ts_my_tickets_constructed (GObject *object)
{
  TsMyTickets *self = (TsMyTickets *)object;

  G_OBJECT_CLASS (ts_my_tickets_parent_class)->constructed (object);

  g_signal_connect_object (self->store, "ticket-changed", G_CALLBACK (schedule_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "project-changed", G_CALLBACK (schedule_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "reconnected", G_CALLBACK (ts_my_tickets_reload), self, G_CONNECT_SWAPPED);
  load (self);
}

static void
ts_my_tickets_dispose (GObject *object)
{
  TsMyTickets *self = (TsMyTickets *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_my_tickets_parent_class)->dispose (object);
}

static void
ts_my_tickets_finalize (GObject *object)
{
  TsMyTickets *self = (TsMyTickets *)object;

  g_clear_pointer (&self->projects, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ts_my_tickets_parent_class)->finalize (object);
}

static void
ts_my_tickets_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsMyTickets *self = TS_MY_TICKETS (object);

  switch (prop_id)
    {
    case PROP_N_TICKETS:
      g_value_set_uint (value, self->n_tickets);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_my_tickets_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TsMyTickets *self = TS_MY_TICKETS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_my_tickets_class_init (TsMyTicketsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ts_my_tickets_constructed;
  object_class->dispose = ts_my_tickets_dispose;
  object_class->finalize = ts_my_tickets_finalize;
  object_class->get_property = ts_my_tickets_get_property;
  object_class->set_property = ts_my_tickets_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TS_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_TICKETS] =
    g_param_spec_uint ("n-tickets", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_my_tickets_init (TsMyTickets *self)
{
  self->projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
}

TsMyTickets *
ts_my_tickets_new (TsStore *store)
{
  g_return_val_if_fail (TS_IS_STORE (store), NULL);

  return g_object_new (TS_TYPE_MY_TICKETS, "store", store, NULL);
}

GListModel *
ts_my_tickets_get_tickets (TsMyTickets *self,
                           const char  *project)
{
  g_return_val_if_fail (TS_IS_MY_TICKETS (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  return G_LIST_MODEL (project_store (self, project));
}

guint
ts_my_tickets_get_n_tickets (TsMyTickets *self)
{
  g_return_val_if_fail (TS_IS_MY_TICKETS (self), 0);
  return self->n_tickets;
}

gboolean
ts_my_tickets_get_loading (TsMyTickets *self)
{
  g_return_val_if_fail (TS_IS_MY_TICKETS (self), FALSE);
  return self->loading;
}

const GError *
ts_my_tickets_get_error (TsMyTickets *self)
{
  g_return_val_if_fail (TS_IS_MY_TICKETS (self), NULL);
  return self->error;
}
