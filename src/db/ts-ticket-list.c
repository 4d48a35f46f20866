/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-list"

#include "config.h"

#include "ts-ticket-list.h"

#define DEFAULT_PAGE_SIZE 500
/* Notifications come in bursts (an import, a busy team); re-read the
 * changed tickets together a moment later. */
#define COALESCE_MS 50
/* The offline copy is rewritten a while after the last change, not for
 * each one. */
#define SAVE_DELAY_MS 2000

struct _TsTicketList
{
  GObject           parent_instance;

  TsStore          *store;
  TsProject        *project;
  TsTicketListKind  kind;

  GPtrArray        *items;     /* TsTicket, by number, newest first */
  GHashTable       *by_id;     /* gint64* → TsTicket, borrowed from items */
  GCancellable     *cancellable;
  GError           *error;
  guint             page_size;
  guint             loading : 1;

  GHashTable       *dirty;     /* gint64* ids to re-read */
  guint             flush_id;
  guint             save_id;
};

static void ts_ticket_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsTicketList, ts_ticket_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ts_ticket_list_model_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_ERROR,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ts_ticket_list_get_item_type (GListModel *model)
{
  return TS_TYPE_TICKET;
}

static guint
ts_ticket_list_get_n_items (GListModel *model)
{
  return TS_TICKET_LIST (model)->items->len;
}

static gpointer
ts_ticket_list_get_item (GListModel *model,
                         guint       position)
{
  TsTicketList *self = TS_TICKET_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
ts_ticket_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ts_ticket_list_get_item_type;
  iface->get_n_items = ts_ticket_list_get_n_items;
  iface->get_item = ts_ticket_list_get_item;
}

static void schedule_save (TsTicketList *self,
                           guint         delay);

static void
items_changed (TsTicketList *self,
               guint         position,
               guint         removed,
               guint         added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (!self->loading)
    schedule_save (self, SAVE_DELAY_MS);
}

static void
set_loading (TsTicketList *self,
             gboolean      loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error (TsTicketList *self,
           GError       *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static gboolean
belongs (TsTicketList *self,
         TsTicket     *ticket)
{
  if (g_strcmp0 (ts_ticket_get_project (ticket), ts_project_get_name (self->project)) != 0)
    return FALSE;

  if (self->kind == TS_TICKET_LIST_ALL)
    return TRUE;

  return g_strcmp0 (ts_ticket_get_assigned_to (ticket), ts_store_get_user (self->store)) == 0 &&
         !ts_project_is_final_state (self->project, ts_ticket_get_state (ticket));
}

/* Where a ticket with @number goes: the list is by number, descending. */
static guint
insertion_point (TsTicketList *self,
                 int           number)
{
  guint lo = 0, hi = self->items->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (ts_ticket_get_number (g_ptr_array_index (self->items, mid)) > number)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static guint
position_of (TsTicketList *self,
             TsTicket     *ticket)
{
  guint position = insertion_point (self, ts_ticket_get_number (ticket));

  g_assert (g_ptr_array_index (self->items, position) == ticket);
  return position;
}

static void
remove_ticket (TsTicketList *self,
               TsTicket     *ticket)
{
  guint position = position_of (self, ticket);
  gint64 id = ts_ticket_get_id (ticket);

  g_hash_table_remove (self->by_id, &id);
  g_ptr_array_remove_index (self->items, position);
  items_changed (self, position, 1, 0);
}

static void
insert_ticket (TsTicketList *self,
               TsTicket     *ticket)
{
  guint position = insertion_point (self, ts_ticket_get_number (ticket));
  gint64 *key = g_new (gint64, 1);

  *key = ts_ticket_get_id (ticket);
  g_hash_table_insert (self->by_id, key, ticket);
  g_ptr_array_insert (self->items, position, g_object_ref (ticket));
  items_changed (self, position, 0, 1);
}

/* Brings the list in line with what the server says @ticket now is. */
static void
update_ticket (TsTicketList *self,
               TsTicket     *ticket)
{
  gint64 id = ts_ticket_get_id (ticket);
  TsTicket *known = g_hash_table_lookup (self->by_id, &id);

  if (known != NULL && ts_ticket_get_version (known) >= ts_ticket_get_version (ticket))
    return;

  if (known != NULL)
    remove_ticket (self, known);

  if (belongs (self, ticket))
    insert_ticket (self, ticket);
}

/* The offline copy */

static const char *
list_name (TsTicketList *self)
{
  return self->kind == TS_TICKET_LIST_PENDING ? "pending" : "all";
}

static gboolean
save_now (gpointer user_data)
{
  TsTicketList *self = user_data;
  TsCache *cache = ts_store_get_cache (self->store);

  self->save_id = 0;
  if (cache != NULL && ts_store_get_online (self->store) && !self->loading && self->error == NULL)
    ts_cache_save_tickets (cache, ts_project_get_name (self->project), list_name (self),
                           G_LIST_MODEL (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_save (TsTicketList *self,
               guint         delay)
{
  if (ts_store_get_cache (self->store) == NULL || !ts_store_get_online (self->store))
    return;

  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (delay, save_now, self);
}

/* Offline: the list as it was last saved. */
static gboolean
load_saved (TsTicketList *self)
{
  TsCache *cache = ts_store_get_cache (self->store);
  g_autoptr(GPtrArray) saved = NULL;

  if (cache == NULL ||
      (saved = ts_cache_load_tickets (cache, ts_project_get_name (self->project), list_name (self), NULL)) == NULL)
    return FALSE;

  for (guint i = 0; i < saved->len; i++)
    if (!g_hash_table_contains (self->by_id, &(gint64) { ts_ticket_get_id (g_ptr_array_index (saved, i)) }))
      insert_ticket (self, g_ptr_array_index (saved, i));

  return TRUE;
}

/* Paging */

static void load_page (TsTicketList *self,
                       int           before_number);

static void
on_page_loaded (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TsTicketList) self = user_data;
  g_autoptr(GPtrArray) page = NULL;
  GError *error = NULL;
  guint first_new;
  guint added = 0;

  page = ts_store_list_tickets_finish (TS_STORE (object), result, &error);
  if (page == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          return;
        }

      /* Offline before anything was read: show the saved copy; the store
       * says "reconnected" when the real list can be read again. */
      if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE) &&
          self->items->len == 0 && load_saved (self))
        {
          g_error_free (error);
          set_loading (self, FALSE);
          return;
        }

      set_error (self, error);
      set_loading (self, FALSE);
      return;
    }

  /* Pages come oldest last; a live update may have put a ticket of this
   * page in already. */
  first_new = self->items->len;
  for (guint i = 0; i < page->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (page, i);
      gint64 id = ts_ticket_get_id (ticket);
      gint64 *key;

      if (g_hash_table_contains (self->by_id, &id))
        continue;

      if (self->items->len > 0 &&
          ts_ticket_get_number (g_ptr_array_index (self->items, self->items->len - 1)) < ts_ticket_get_number (ticket))
        {
          /* Out of order: only possible for a ticket that moved while we
           * paged; place it properly. */
          insert_ticket (self, ticket);
          continue;
        }

      key = g_new (gint64, 1);
      *key = id;
      g_hash_table_insert (self->by_id, key, ticket);
      g_ptr_array_add (self->items, g_object_ref (ticket));
      added++;
    }

  if (added > 0)
    items_changed (self, first_new, 0, added);

  if (page->len >= self->page_size)
    load_page (self, ts_ticket_get_number (g_ptr_array_index (page, page->len - 1)));
  else
    {
      set_loading (self, FALSE);
      schedule_save (self, 0);
    }
}

static void
load_page (TsTicketList *self,
           int           before_number)
{
  g_autoptr(JsonNode) after = NULL;

  /* Newest number first: after the row numbered @before_number. */
  if (before_number > 0)
    {
      g_autoptr(JsonObject) cursor = json_object_new ();

      json_object_set_int_member (cursor, "value", before_number);
      json_object_set_int_member (cursor, "number", before_number);
      after = json_node_init_object (json_node_alloc (), cursor);
    }
  ts_store_list_tickets_async (self->store, ts_project_get_name (self->project), self->kind,
                               "number", TRUE, after, 0, self->page_size, self->cancellable,
                               on_page_loaded, g_object_ref (self));
}

void
ts_ticket_list_reload (TsTicketList *self)
{
  guint removed;

  g_return_if_fail (TS_IS_TICKET_LIST (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  removed = self->items->len;
  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    items_changed (self, 0, removed, 0);

  set_error (self, NULL);
  set_loading (self, TRUE);
  load_page (self, 0);
}

/* Live updates */

static gboolean flush_dirty (gpointer user_data);

static void
on_changed_tickets (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TsTicketList) self = user_data;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GHashTable) asked = g_object_steal_data (G_OBJECT (self), "ts-asked");
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;

  tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);

  /* What changed while this read ran is read next. */
  if (g_hash_table_size (self->dirty) > 0 && self->flush_id == 0 && self->store != NULL)
    self->flush_id = g_timeout_add (COALESCE_MS, flush_dirty, self);

  if (tickets == NULL)
    {
      g_debug ("Cannot re-read changed tickets: %s", error->message);
      return;
    }

  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      gint64 id = ts_ticket_get_id (ticket);

      if (asked != NULL)
        g_hash_table_remove (asked, &id);
      update_ticket (self, ticket);
    }

  /* Asked for but not answered: no longer visible to me. */
  if (asked != NULL)
    {
      g_hash_table_iter_init (&iter, asked);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          TsTicket *known = g_hash_table_lookup (self->by_id, key);

          if (known != NULL)
            remove_ticket (self, known);
        }
    }
}

static gboolean
flush_dirty (gpointer user_data)
{
  TsTicketList *self = user_data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTable *asked = g_steal_pointer (&self->dirty);
  GHashTableIter iter;
  gpointer key;

  self->flush_id = 0;
  self->dirty = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_hash_table_iter_init (&iter, asked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *)key);

  /* One read at a time carries the set it asked for. */
  g_object_set_data_full (G_OBJECT (self), "ts-asked", asked, (GDestroyNotify)g_hash_table_unref);
  ts_store_get_tickets_async (self->store, (const gint64 *)(gpointer)ids->data, ids->len, NULL,
                              on_changed_tickets, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
on_ticket_changed (TsTicketList *self,
                   gint64        id,
                   int           version,
                   TsStore      *store)
{
  TsTicket *known = g_hash_table_lookup (self->by_id, &id);
  gint64 *key;

  if (known != NULL && ts_ticket_get_version (known) >= version)
    return;

  key = g_new (gint64, 1);
  *key = id;
  g_hash_table_add (self->dirty, key);

  if (self->flush_id == 0 && g_object_get_data (G_OBJECT (self), "ts-asked") == NULL)
    self->flush_id = g_timeout_add (COALESCE_MS, flush_dirty, self);
}

static void
on_reconnected (TsTicketList *self,
                TsStore      *store)
{
  /* Changes made while we were away were not announced. */
  ts_ticket_list_reload (self);
}

static void
on_project_changed (TsTicketList *self,
                    const char   *name,
                    int           revision,
                    TsStore      *store)
{
  if (name == NULL || g_strcmp0 (name, ts_project_get_name (self->project)) == 0)
    ts_ticket_list_reload (self);
}

/* The object */

static void
ts_ticket_list_dispose (GObject *object)
{
  TsTicketList *self = (TsTicketList *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->save_id != 0)
    {
      /* Save what is shown before going away. */
      g_clear_handle_id (&self->save_id, g_source_remove);
      if (self->store != NULL)
        save_now (self);
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_ticket_list_parent_class)->dispose (object);
}

static void
ts_ticket_list_finalize (GObject *object)
{
  TsTicketList *self = (TsTicketList *)object;

  g_clear_object (&self->project);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ts_ticket_list_parent_class)->finalize (object);
}

static void
ts_ticket_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TsTicketList *self = TS_TICKET_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_list_class_init (TsTicketListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_ticket_list_dispose;
  object_class->finalize = ts_ticket_list_finalize;
  object_class->get_property = ts_ticket_list_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_ticket_list_init (TsTicketList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->dirty = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->page_size = DEFAULT_PAGE_SIZE;
  self->cancellable = g_cancellable_new ();
}

/**
 * ts_ticket_list_new:
 *
 * Returns: (transfer full): a list that starts loading at once
 */
TsTicketList *
ts_ticket_list_new (TsStore          *store,
                    TsProject        *project,
                    TsTicketListKind  kind)
{
  TsTicketList *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  self = g_object_new (TS_TYPE_TICKET_LIST, NULL);
  self->store = g_object_ref (store);
  self->project = g_object_ref (project);
  self->kind = kind;

  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_ticket_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "project-changed", G_CALLBACK (on_project_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (on_reconnected),
                           self, G_CONNECT_SWAPPED);

  ts_ticket_list_reload (self);

  return self;
}

TsProject *
ts_ticket_list_get_project (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return self->project;
}

TsTicketListKind
ts_ticket_list_get_kind (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), TS_TICKET_LIST_ALL);
  return self->kind;
}

gboolean
ts_ticket_list_get_loading (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), FALSE);
  return self->loading;
}

const GError *
ts_ticket_list_get_error (TsTicketList *self)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return self->error;
}

TsTicket *
ts_ticket_list_lookup (TsTicketList *self,
                       gint64        id)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (self), NULL);
  return g_hash_table_lookup (self->by_id, &id);
}

void
ts_ticket_list_set_page_size (TsTicketList *self,
                              guint         page_size)
{
  g_return_if_fail (TS_IS_TICKET_LIST (self));
  self->page_size = CLAMP (page_size, 1, 1000);
}
