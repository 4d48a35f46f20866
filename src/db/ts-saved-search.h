/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A search kept under a name in a project (tasksteper.saved_searches,
 * docs/sql-api.md): the query as the person typed it and the filter it
 * stands for, private to its owner or shared with the project's members.
 * The row item of the sidebar's saved searches.  Immutable: its
 * properties are read-only once made. */
#define TS_TYPE_SAVED_SEARCH (ts_saved_search_get_type ())
G_DECLARE_FINAL_TYPE (TsSavedSearch, ts_saved_search, TS, SAVED_SEARCH, GObject)

/* @filter: (transfer none): a copy is kept.  @updated_at: (nullable). */
TsSavedSearch *ts_saved_search_new            (const char    *project,
                                               const char    *name,
                                               const char    *owner,
                                               const char    *query,
                                               JsonNode      *filter,
                                               gboolean       shared,
                                               gboolean       mine,
                                               GDateTime     *updated_at);
const char    *ts_saved_search_get_project    (TsSavedSearch *self);
const char    *ts_saved_search_get_name       (TsSavedSearch *self);
/* The login of the person who saved it. */
const char    *ts_saved_search_get_owner      (TsSavedSearch *self);
/* The query text, "" when it was saved without one. */
const char    *ts_saved_search_get_query      (TsSavedSearch *self);
/* (transfer none): the filter, a JSON object. */
JsonNode      *ts_saved_search_get_filter     (TsSavedSearch *self);
gboolean       ts_saved_search_get_shared     (TsSavedSearch *self);
/* Whether its owner is the store's login: only then may it be renamed,
 * replaced or deleted. */
gboolean       ts_saved_search_get_mine       (TsSavedSearch *self);
/* (nullable): when it was last saved. */
GDateTime     *ts_saved_search_get_updated_at (TsSavedSearch *self);

G_END_DECLS
