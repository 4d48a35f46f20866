/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-saved-search.h"
#include "ts-search-results.h"

G_BEGIN_DECLS

/* The search bar over a project's tickets (a GtkSearchBar): a query typed
 * in the project's query language (ts_query_parse), searched as one types
 * after a short pause, into the TsSearchResults it is given; completion of
 * field names, labels, choices, states and people under the entry; a
 * filter popover that builds the same query by pointing; how many tickets
 * were found, and whether it searched the offline copy; Save Search….  A
 * query that does not parse is not searched: the entry shows the word at
 * fault underlined and the message below it.  Escape closes the
 * completion first, then the bar (which forgets the query).
 *
 * "searching" is TRUE while a query is applied, so that the window shows
 * the results instead of its lists. */

#define TS_TYPE_SEARCH_BAR (ts_search_bar_get_type ())
G_DECLARE_FINAL_TYPE (TsSearchBar, ts_search_bar, TS, SEARCH_BAR, GtkWidget)

GtkWidget       *ts_search_bar_new             (void);
/* The project's results to search into (NULL: none, the bar closes). */
void             ts_search_bar_set_results     (TsSearchBar     *self,
                                                TsSearchResults *results);
TsSearchResults *ts_search_bar_get_results     (TsSearchBar     *self);

/* Opens the bar (if closed) with the keyboard focus in its entry. */
void             ts_search_bar_start           (TsSearchBar     *self);
/* Opens the bar with @query and searches it at once. */
void             ts_search_bar_run_query       (TsSearchBar     *self,
                                                const char      *query);
/* The same for a saved search; Save Search… then offers to update it. */
void             ts_search_bar_run_saved       (TsSearchBar     *self,
                                                TsSavedSearch   *search);
/* Closes the bar and forgets the query. */
void             ts_search_bar_stop            (TsSearchBar     *self);

/* Whether the bar is open.  Notified as "search-mode". */
gboolean         ts_search_bar_get_search_mode (TsSearchBar     *self);
/* Whether a query is applied.  Notified as "searching". */
gboolean         ts_search_bar_get_searching   (TsSearchBar     *self);
/* The saved search being shown, while its query is unchanged, or NULL.
 * Notified as "saved-search". */
TsSavedSearch   *ts_search_bar_get_saved_search (TsSearchBar    *self);

/* For tests: the entry, and the popover of completions. */
GtkWidget       *ts_search_bar_get_entry       (TsSearchBar     *self);
GtkWidget       *ts_search_bar_get_completions (TsSearchBar     *self);

G_END_DECLS
