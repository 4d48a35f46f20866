/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-saved-search"

#include "config.h"

#include "ts-saved-search.h"

struct _TsSavedSearch
{
  GObject    parent_instance;

  char      *project;
  char      *name;
  char      *owner;
  char      *query;
  JsonNode  *filter;
  GDateTime *updated_at;
  gboolean   shared;
  gboolean   mine;
};

G_DEFINE_FINAL_TYPE (TsSavedSearch, ts_saved_search, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_NAME,
  PROP_OWNER,
  PROP_QUERY,
  PROP_FILTER,
  PROP_SHARED,
  PROP_MINE,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ts_saved_search_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TsSavedSearch *self = TS_SAVED_SEARCH (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_string (value, self->project);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_OWNER:
      g_value_set_string (value, self->owner);
      break;

    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;

    case PROP_FILTER:
      g_value_set_boxed (value, self->filter);
      break;

    case PROP_SHARED:
      g_value_set_boolean (value, self->shared);
      break;

    case PROP_MINE:
      g_value_set_boolean (value, self->mine);
      break;

    case PROP_UPDATED_AT:
      g_value_set_boxed (value, self->updated_at);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_saved_search_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TsSavedSearch *self = TS_SAVED_SEARCH (object);
  JsonNode *filter;

  /* Construct-only, so each is set once. */
  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_string (value);
      break;

    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    case PROP_OWNER:
      self->owner = g_value_dup_string (value);
      break;

    case PROP_QUERY:
      self->query = g_strdup (g_value_get_string (value) ? g_value_get_string (value) : "");
      break;

    case PROP_FILTER:
      /* A copy: the caller's node may change after this. */
      filter = g_value_get_boxed (value);
      self->filter = filter != NULL ? json_node_copy (filter)
                                    : json_node_init_object (json_node_alloc (), json_object_new ());
      json_node_seal (self->filter);
      break;

    case PROP_SHARED:
      self->shared = g_value_get_boolean (value);
      break;

    case PROP_MINE:
      self->mine = g_value_get_boolean (value);
      break;

    case PROP_UPDATED_AT:
      self->updated_at = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_saved_search_finalize (GObject *object)
{
  TsSavedSearch *self = (TsSavedSearch *)object;

  g_clear_pointer (&self->project, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->filter, json_node_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);

  G_OBJECT_CLASS (ts_saved_search_parent_class)->finalize (object);
}

static void
ts_saved_search_class_init (TsSavedSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ts_saved_search_finalize;
  object_class->get_property = ts_saved_search_get_property;
  object_class->set_property = ts_saved_search_set_property;

  properties[PROP_PROJECT] = g_param_spec_string ("project", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_OWNER] = g_param_spec_string ("owner", NULL, NULL, NULL, flags);
  properties[PROP_QUERY] = g_param_spec_string ("query", NULL, NULL, "", flags);
  /**
   * TsSavedSearch:filter:
   *
   * The filter (a JSON object node, sealed); docs/sql-api.md says what it
   * means.
   */
  properties[PROP_FILTER] = g_param_spec_boxed ("filter", NULL, NULL, JSON_TYPE_NODE, flags);
  properties[PROP_SHARED] = g_param_spec_boolean ("shared", NULL, NULL, FALSE, flags);
  /**
   * TsSavedSearch:mine:
   *
   * Whether the store's login owns it: only the owner may rename, replace
   * or delete a saved search.
   */
  properties[PROP_MINE] = g_param_spec_boolean ("mine", NULL, NULL, FALSE, flags);
  properties[PROP_UPDATED_AT] = g_param_spec_boxed ("updated-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_saved_search_init (TsSavedSearch *self)
{
}

TsSavedSearch *
ts_saved_search_new (const char *project,
                     const char *name,
                     const char *owner,
                     const char *query,
                     JsonNode   *filter,
                     gboolean    shared,
                     gboolean    mine,
                     GDateTime  *updated_at)
{
  g_return_val_if_fail (project != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (TS_TYPE_SAVED_SEARCH,
                       "project", project,
                       "name", name,
                       "owner", owner,
                       "query", query,
                       "filter", filter,
                       "shared", shared,
                       "mine", mine,
                       "updated-at", updated_at,
                       NULL);
}

const char *
ts_saved_search_get_project (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), NULL);
  return self->project;
}

const char *
ts_saved_search_get_name (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), NULL);
  return self->name;
}

const char *
ts_saved_search_get_owner (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), NULL);
  return self->owner;
}

const char *
ts_saved_search_get_query (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), NULL);
  return self->query;
}

JsonNode *
ts_saved_search_get_filter (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), NULL);
  return self->filter;
}

gboolean
ts_saved_search_get_shared (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), FALSE);
  return self->shared;
}

gboolean
ts_saved_search_get_mine (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), FALSE);
  return self->mine;
}

GDateTime *
ts_saved_search_get_updated_at (TsSavedSearch *self)
{
  g_return_val_if_fail (TS_IS_SAVED_SEARCH (self), NULL);
  return self->updated_at;
}
