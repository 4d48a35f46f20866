/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-search-results"

#include "config.h"

#include "ts-search-results.h"

#define DEFAULT_PAGE_SIZE 100

struct _TsSearchResults
{
  GObject       parent_instance;

  TsStore      *store;
  TsProject    *project;
  JsonNode     *filter;
  char         *sort;
  gboolean      descending;
  guint         page_size;

  GPtrArray    *items;        /* TsTicket, in the server's order */
  GHashTable   *by_id;        /* gint64* → TsTicket, borrowed from items */
  GCancellable *cancellable;  /* of the current search: its pages and count */
  guint         generation;   /* which search an answer belongs to */
  gint64        count;
  GError       *error;
  guint         loading : 1;
  guint         complete : 1;
  guint         offline : 1;
};

static void ts_search_results_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsSearchResults, ts_search_results, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ts_search_results_model_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_COUNT,
  PROP_ERROR,
  PROP_OFFLINE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What an answer needs to know: the search it was asked for. */
typedef struct
{
  TsSearchResults *self;
  guint            generation;
} Request;

static Request *
request_new (TsSearchResults *self)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->generation = self->generation;
  return request;
}

static void
request_free (Request *request)
{
  g_object_unref (request->self);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
request_is_current (Request *request)
{
  return request->generation == request->self->generation;
}

/* GListModel */

static GType
ts_search_results_get_item_type (GListModel *model)
{
  return TS_TYPE_TICKET;
}

static guint
ts_search_results_get_n_items (GListModel *model)
{
  return TS_SEARCH_RESULTS (model)->items->len;
}

static gpointer
ts_search_results_get_item (GListModel *model,
                            guint       position)
{
  TsSearchResults *self = TS_SEARCH_RESULTS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
ts_search_results_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ts_search_results_get_item_type;
  iface->get_n_items = ts_search_results_get_n_items;
  iface->get_item = ts_search_results_get_item;
}

/* State */

static void
set_loading (TsSearchResults *self,
             gboolean         loading)
{
  if (self->loading == !!loading)
    return;
  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_complete (TsSearchResults *self,
              gboolean         complete)
{
  if (self->complete == !!complete)
    return;
  self->complete = !!complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
set_count (TsSearchResults *self,
           gint64           count)
{
  if (self->count == count)
    return;
  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

static void
set_offline (TsSearchResults *self,
             gboolean         offline)
{
  if (self->offline == !!offline)
    return;
  self->offline = !!offline;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
}

/* Takes @error. */
static void
set_error (TsSearchResults *self,
           GError          *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
clear_items (TsSearchResults *self)
{
  guint removed = self->items->len;

  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

/* Pages */

static void
on_page (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  TsSearchResults *self = request->self;
  g_autoptr(GPtrArray) page = NULL;
  GError *error = NULL;
  guint first = self->items->len;
  guint added = 0;

  page = ts_store_search_tickets_finish (TS_STORE (object), result, &error);
  if (!request_is_current (request))
    {
      g_clear_error (&error);
      return;
    }

  set_loading (self, FALSE);
  if (page == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          return;
        }
      set_error (self, error);
      return;
    }

  set_error (self, NULL);
  set_offline (self, !ts_store_get_online (self->store));

  for (guint i = 0; i < page->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (page, i);
      gint64 *key;

      /* A ticket that moved between two pages (its sort value changed)
       * is shown once. */
      if (g_hash_table_contains (self->by_id, &(gint64) { ts_ticket_get_id (ticket) }))
        continue;

      key = g_new (gint64, 1);
      *key = ts_ticket_get_id (ticket);
      g_hash_table_insert (self->by_id, key, ticket);
      g_ptr_array_add (self->items, g_object_ref (ticket));
      added++;
    }

  set_complete (self, page->len < self->page_size);
  if (added > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), first, 0, added);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

static void
on_count (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  gint64 count;

  count = ts_store_count_search_finish (TS_STORE (object), result, &error);
  if (!request_is_current (request))
    return;

  /* The pages say what went wrong; a count that failed stays unknown. */
  if (count >= 0)
    set_count (request->self, count);
}

void
ts_search_results_load_more (TsSearchResults *self)
{
  TsTicket *after;

  g_return_if_fail (TS_IS_SEARCH_RESULTS (self));

  if (self->filter == NULL || self->loading || self->complete || self->error != NULL)
    return;

  after = self->items->len > 0 ? g_ptr_array_index (self->items, self->items->len - 1) : NULL;
  set_loading (self, TRUE);
  ts_store_search_tickets_async (self->store, ts_project_get_name (self->project), self->filter,
                                 self->sort, self->descending, after, self->page_size,
                                 self->cancellable, on_page, request_new (self));
}

/* Forgets what was found and, with a filter, searches again. */
static void
restart (TsSearchResults *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;

  clear_items (self);
  set_loading (self, FALSE);
  set_complete (self, self->filter == NULL);
  set_count (self, self->filter == NULL ? 0 : -1);
  set_error (self, NULL);

  if (self->filter == NULL)
    return;

  ts_store_count_search_async (self->store, ts_project_get_name (self->project), self->filter,
                                self->cancellable, on_count, request_new (self));
  ts_search_results_load_more (self);
}

void
ts_search_results_reload (TsSearchResults *self)
{
  g_return_if_fail (TS_IS_SEARCH_RESULTS (self));
  restart (self);
}

/* Live updates: a ticket shown that changed is read again and replaced
 * where it is.  Whether it still matches, and tickets that now match, are
 * for the next search (F5): rows never jump away under the pointer. */

static void
on_changed_tickets (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  TsSearchResults *self = request->self;
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GError) error = NULL;

  tickets = ts_store_get_tickets_finish (TS_STORE (object), result, &error);
  if (!request_is_current (request) || tickets == NULL)
    return;

  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *fresh = g_ptr_array_index (tickets, i);
      gint64 id = ts_ticket_get_id (fresh);
      TsTicket *known = g_hash_table_lookup (self->by_id, &id);
      guint position;

      if (known == NULL || ts_ticket_get_version (known) >= ts_ticket_get_version (fresh) ||
          !g_ptr_array_find (self->items, known, &position))
        continue;

      g_hash_table_replace (self->by_id, g_memdup2 (&id, sizeof id), fresh);
      g_ptr_array_index (self->items, position) = g_object_ref (fresh);
      g_object_unref (known);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
}

static void
on_ticket_changed (TsSearchResults *self,
                   gint64           id,
                   int              version,
                   TsStore         *store)
{
  TsTicket *known = g_hash_table_lookup (self->by_id, &id);

  if (known == NULL || ts_ticket_get_version (known) >= version)
    return;

  ts_store_get_tickets_async (self->store, &id, 1, self->cancellable, on_changed_tickets, request_new (self));
}

static void
on_reconnected (TsSearchResults *self)
{
  /* Offline answers came from the copy; the server's may differ. */
  if (self->filter != NULL)
    restart (self);
}

/* The object */

static void
ts_search_results_dispose (GObject *object)
{
  TsSearchResults *self = (TsSearchResults *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_search_results_parent_class)->dispose (object);
}

static void
ts_search_results_finalize (GObject *object)
{
  TsSearchResults *self = (TsSearchResults *)object;

  g_clear_object (&self->project);
  g_clear_pointer (&self->filter, json_node_unref);
  g_clear_pointer (&self->sort, g_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ts_search_results_parent_class)->finalize (object);
}

static void
ts_search_results_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TsSearchResults *self = TS_SEARCH_RESULTS (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;

    case PROP_COUNT:
      g_value_set_int64 (value, self->count);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_search_results_class_init (TsSearchResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_search_results_dispose;
  object_class->finalize = ts_search_results_finalize;
  object_class->get_property = ts_search_results_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT] =
    g_param_spec_int64 ("count", NULL, NULL, -1, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_search_results_init (TsSearchResults *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->page_size = DEFAULT_PAGE_SIZE;
  self->descending = TRUE;
  self->complete = TRUE;
}

TsSearchResults *
ts_search_results_new (TsStore   *store,
                       TsProject *project)
{
  TsSearchResults *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  self = g_object_new (TS_TYPE_SEARCH_RESULTS, NULL);
  self->store = g_object_ref (store);
  self->project = g_object_ref (project);

  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (on_reconnected), self, G_CONNECT_SWAPPED);
  return self;
}

TsStore *
ts_search_results_get_store (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), NULL);
  return self->store;
}

TsProject *
ts_search_results_get_project (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), NULL);
  return self->project;
}

void
ts_search_results_set_filter (TsSearchResults *self,
                              JsonNode        *filter)
{
  g_return_if_fail (TS_IS_SEARCH_RESULTS (self));
  g_return_if_fail (filter == NULL || JSON_NODE_HOLDS_OBJECT (filter));

  if (filter == NULL && self->filter == NULL)
    return;

  g_clear_pointer (&self->filter, json_node_unref);
  self->filter = filter ? json_node_copy (filter) : NULL;
  restart (self);
}

JsonNode *
ts_search_results_get_filter (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), NULL);
  return self->filter;
}

void
ts_search_results_set_sort (TsSearchResults *self,
                            const char      *sort,
                            gboolean         descending)
{
  g_return_if_fail (TS_IS_SEARCH_RESULTS (self));

  if (g_strcmp0 (self->sort, sort) == 0 && self->descending == !!descending)
    return;

  g_free (self->sort);
  self->sort = g_strdup (sort);
  self->descending = !!descending;
  restart (self);
}

const char *
ts_search_results_get_sort (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), NULL);
  return self->sort;
}

gboolean
ts_search_results_get_descending (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), TRUE);
  return self->descending;
}

gboolean
ts_search_results_get_loading (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), FALSE);
  return self->loading;
}

gboolean
ts_search_results_get_complete (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), TRUE);
  return self->complete;
}

gint64
ts_search_results_get_count (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), -1);
  return self->count;
}

const GError *
ts_search_results_get_error (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), NULL);
  return self->error;
}

gboolean
ts_search_results_get_offline (TsSearchResults *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_RESULTS (self), FALSE);
  return self->offline;
}

void
ts_search_results_set_page_size (TsSearchResults *self,
                                 guint            page_size)
{
  g_return_if_fail (TS_IS_SEARCH_RESULTS (self));
  self->page_size = CLAMP (page_size, 1, 1000);
}
