/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-saved-searches"

#include "config.h"

#include "ts-saved-searches.h"

struct _TsSavedSearches
{
  GObject       parent_instance;

  TsStore      *store;
  GHashTable   *models;       /* project name → GListStore of TsSavedSearch */
  GCancellable *cancellable;  /* of the read in flight */
  GError       *error;
  guint         loaded : 1;
};

G_DEFINE_FINAL_TYPE (TsSavedSearches, ts_saved_searches, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GListStore *
model_for (TsSavedSearches *self,
           const char      *project)
{
  GListStore *model = g_hash_table_lookup (self->models, project);

  if (model == NULL)
    {
      model = g_list_store_new (TS_TYPE_SAVED_SEARCH);
      g_hash_table_insert (self->models, g_strdup (project), model);
    }
  return model;
}

static gboolean
same_search (TsSavedSearch *a,
             TsSavedSearch *b)
{
  JsonNode *filter_a = ts_saved_search_get_filter (a);
  JsonNode *filter_b = ts_saved_search_get_filter (b);

  return g_strcmp0 (ts_saved_search_get_name (a), ts_saved_search_get_name (b)) == 0 &&
         g_strcmp0 (ts_saved_search_get_owner (a), ts_saved_search_get_owner (b)) == 0 &&
         g_strcmp0 (ts_saved_search_get_query (a), ts_saved_search_get_query (b)) == 0 &&
         ts_saved_search_get_shared (a) == ts_saved_search_get_shared (b) &&
         ts_saved_search_get_mine (a) == ts_saved_search_get_mine (b) &&
         ((filter_a == NULL && filter_b == NULL) ||
          (filter_a != NULL && filter_b != NULL && json_node_equal (filter_a, filter_b)));
}

/* Replaces what @model holds by @searches, unless they are the same. */
static void
update_model (GListStore *model,
              GPtrArray  *searches)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  gboolean same = n == searches->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(TsSavedSearch) known = g_list_model_get_item (G_LIST_MODEL (model), i);

      same = same_search (known, g_ptr_array_index (searches, i));
    }

  if (!same)
    g_list_store_splice (model, 0, n, searches->pdata, searches->len);
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TsSavedSearches) self = user_data;
  g_autoptr(GPtrArray) searches = NULL;
  g_autoptr(GHashTable) by_project = NULL;
  GError *error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  searches = ts_store_list_saved_searches_finish (TS_STORE (object), result, &error);
  if (searches == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }

  g_clear_error (&self->error);
  self->error = error;
  if (searches != NULL)
    {
      by_project = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
      for (guint i = 0; i < searches->len; i++)
        {
          TsSavedSearch *search = g_ptr_array_index (searches, i);
          const char *project = ts_saved_search_get_project (search);
          GPtrArray *list = g_hash_table_lookup (by_project, project);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (by_project, (gpointer)project, list);
            }
          g_ptr_array_add (list, search);
          model_for (self, project);
        }

      /* Every project known, those that lost their last search too. */
      g_hash_table_iter_init (&iter, self->models);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GPtrArray *list = g_hash_table_lookup (by_project, key);
          g_autoptr(GPtrArray) none = list ? NULL : g_ptr_array_new ();

          update_model (value, list ? list : none);
        }
    }

  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

void
ts_saved_searches_reload (TsSavedSearches *self)
{
  g_return_if_fail (TS_IS_SAVED_SEARCHES (self));

  /* The newest read wins. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ts_store_list_saved_searches_async (self->store, NULL, self->cancellable, on_listed, g_object_ref (self));
}

static void
ts_saved_searches_dispose (GObject *object)
{
  TsSavedSearches *self = (TsSavedSearches *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_saved_searches_parent_class)->dispose (object);
}

static void
ts_saved_searches_finalize (GObject *object)
{
  TsSavedSearches *self = (TsSavedSearches *)object;

  g_clear_pointer (&self->models, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ts_saved_searches_parent_class)->finalize (object);
}

static void
ts_saved_searches_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TsSavedSearches *self = TS_SAVED_SEARCHES (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_saved_searches_class_init (TsSavedSearchesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_saved_searches_dispose;
  object_class->finalize = ts_saved_searches_finalize;
  object_class->get_property = ts_saved_searches_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_saved_searches_init (TsSavedSearches *self)
{
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

TsSavedSearches *
ts_saved_searches_new (TsStore *store)
{
  TsSavedSearches *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);

  self = g_object_new (TS_TYPE_SAVED_SEARCHES, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "saved-searches-changed", G_CALLBACK (ts_saved_searches_reload),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (ts_saved_searches_reload),
                           self, G_CONNECT_SWAPPED);
  ts_saved_searches_reload (self);
  return self;
}

GListModel *
ts_saved_searches_get_model (TsSavedSearches *self,
                             const char      *project)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCHES (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  return G_LIST_MODEL (model_for (self, project));
}

TsSavedSearch *
ts_saved_searches_lookup (TsSavedSearches *self,
                          const char      *project,
                          const char      *name)
{
  GListModel *model;
  TsSavedSearch *shared = NULL;

  g_return_val_if_fail (TS_IS_SAVED_SEARCHES (self), NULL);

  model = g_hash_table_lookup (self->models, project);
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TsSavedSearch) search = g_list_model_get_item (model, i);

      if (g_strcmp0 (ts_saved_search_get_name (search), name) != 0)
        continue;
      if (ts_saved_search_get_mine (search))
        return search;  /* the model keeps it */
      if (shared == NULL && ts_saved_search_get_shared (search))
        shared = search;
    }
  return shared;
}

gboolean
ts_saved_searches_get_loaded (TsSavedSearches *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCHES (self), FALSE);
  return self->loaded;
}

const GError *
ts_saved_searches_get_error (TsSavedSearches *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCHES (self), NULL);
  return self->error;
}

void
ts_saved_searches_announce (TsSavedSearches *self,
                            const char      *project)
{
  GListModel *model;
  guint n;

  g_return_if_fail (TS_IS_SAVED_SEARCHES (self));

  model = project ? g_hash_table_lookup (self->models, project) : NULL;
  if (model == NULL || (n = g_list_model_get_n_items (model)) == 0)
    return;
  /* The same items: a selection among them stays. */
  g_list_model_items_changed (model, 0, n, n);
}
