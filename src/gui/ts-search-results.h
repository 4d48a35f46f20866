/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* The tickets of one project that a filter finds, as a GListModel of
 * TsTicket in the order the server sorts them
 * (ts_store_search_tickets_async).  Only the first page is read at once;
 * ts_search_results_load_more() reads the next one (a table calls it when
 * it is scrolled near its end), so a search that finds 100,000 tickets
 * never holds them all.  How many there are in all comes from
 * ts_store_count_search_async.  A new filter or sort starts again,
 * cancelling what was still being read.  Offline the store answers from
 * the offline copy; "offline" then says so.  GTK-free. */

#define TS_TYPE_SEARCH_RESULTS (ts_search_results_get_type ())
G_DECLARE_FINAL_TYPE (TsSearchResults, ts_search_results, TS, SEARCH_RESULTS, GObject)

TsSearchResults *ts_search_results_new            (TsStore         *store,
                                                   TsProject       *project);
TsStore         *ts_search_results_get_store      (TsSearchResults *self);
TsProject       *ts_search_results_get_project    (TsSearchResults *self);

/* @filter: (nullable): a JSON object (copied); NULL empties the results
 * and searches nothing.  Starts again from the first page. */
void             ts_search_results_set_filter     (TsSearchResults *self,
                                                   JsonNode        *filter);
JsonNode        *ts_search_results_get_filter     (TsSearchResults *self);

/* The server's sort column (NULL: "number") and direction; starts again
 * when either changes.  Default: newest number first. */
void             ts_search_results_set_sort       (TsSearchResults *self,
                                                   const char      *sort,
                                                   gboolean         descending);
const char      *ts_search_results_get_sort       (TsSearchResults *self);
gboolean         ts_search_results_get_descending (TsSearchResults *self);

/* Reads the next page, unless one is being read or all were. */
void             ts_search_results_load_more      (TsSearchResults *self);
/* Reads everything again (after a reconnection, F5). */
void             ts_search_results_reload         (TsSearchResults *self);

/* TRUE while a page is being read.  Notified. */
gboolean         ts_search_results_get_loading    (TsSearchResults *self);
/* TRUE once the last page was read.  Notified. */
gboolean         ts_search_results_get_complete   (TsSearchResults *self);
/* How many tickets the filter finds in all, or -1 while unknown.  Notified. */
gint64           ts_search_results_get_count      (TsSearchResults *self);
/* The last error of a search, or NULL.  Notified. */
const GError    *ts_search_results_get_error      (TsSearchResults *self);
/* Whether the last answer came from the offline copy.  Notified. */
gboolean         ts_search_results_get_offline    (TsSearchResults *self);

/* Rows per page (default 100); tests make it small. */
void             ts_search_results_set_page_size  (TsSearchResults *self,
                                                   guint            page_size);

G_END_DECLS
