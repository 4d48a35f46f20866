/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-saved-search.h"
#include "ts-store.h"

G_BEGIN_DECLS

/* The saved searches I can see (mine and those shared with my projects),
 * per project, as the sidebar lists them under each project.  Read with
 * ts_store_list_saved_searches_async (from the offline copy when the
 * server cannot be reached) and again after the store changed one
 * ("saved-searches-changed"), after a reconnection and on reload.  A
 * project's model keeps its items when nothing in it changed, so that a
 * selection in the sidebar stays.  GTK-free. */

#define TS_TYPE_SAVED_SEARCHES (ts_saved_searches_get_type ())
G_DECLARE_FINAL_TYPE (TsSavedSearches, ts_saved_searches, TS, SAVED_SEARCHES, GObject)

TsSavedSearches *ts_saved_searches_new        (TsStore         *store);
/* The searches of @project (TsSavedSearch, by name): the same model for
 * the life of this object, empty until they arrive. */
GListModel      *ts_saved_searches_get_model  (TsSavedSearches *self,
                                               const char      *project);
/* What the link tasksteper://PROJECT/search/NAME means: my own search of
 * that name, else the one shared under it; NULL when there is none. */
TsSavedSearch   *ts_saved_searches_lookup     (TsSavedSearches *self,
                                               const char      *project,
                                               const char      *name);
/* TRUE once an answer arrived (or the reading failed).  Notified. */
gboolean         ts_saved_searches_get_loaded (TsSavedSearches *self);
/* The last error reading them, or NULL. */
const GError    *ts_saved_searches_get_error  (TsSavedSearches *self);
void             ts_saved_searches_reload     (TsSavedSearches *self);
/* Says that every search of @project changed, so that what shows them
 * binds them again (their owners' names arrived); nothing is read. */
void             ts_saved_searches_announce   (TsSavedSearches *self,
                                               const char      *project);

G_END_DECLS
