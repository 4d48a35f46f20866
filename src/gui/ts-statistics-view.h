/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-member-names.h"
#include "ts-store.h"

G_BEGIN_DECLS

/* A project's statistics, the third page beside Pending and All Tickets:
 * three cards, each a chart (TsChart) with its numbers beside it
 * (TsChartTable) and a menu to save the chart as PNG or SVG or copy the
 * numbers: the tickets counted by a field chosen from a drop-down, tickets
 * created and closed over a chosen window, and the time tickets spend in
 * each state (median and 90th percentile).
 *
 * Every card is narrowed by the filter it is given (the search applied
 * while the page is shown), and asks again, a moment after the last of
 * them, when tickets or the project change or the connection is back;
 * only while the view is mapped, and once when it is mapped again if
 * something changed meanwhile.  Offline the counts come from the offline
 * copy and say so; the time charts say that they need the server. */

#define TS_TYPE_STATISTICS_VIEW (ts_statistics_view_get_type ())
G_DECLARE_FINAL_TYPE (TsStatisticsView, ts_statistics_view, TS, STATISTICS_VIEW, GtkWidget)

GtkWidget *ts_statistics_view_new         (void);
/* The store to ask and the names to show people by. */
void       ts_statistics_view_set_store   (TsStatisticsView *self,
                                           TsStore          *store,
                                           TsMemberNames    *names);
/* @project: (nullable): the project whose tickets are counted. */
void       ts_statistics_view_set_project (TsStatisticsView *self,
                                           TsProject        *project);
/* @filter: (nullable): a search filter (a JSON object, copied) narrowing
 * every card, or NULL for every ticket. */
void       ts_statistics_view_set_filter  (TsStatisticsView *self,
                                           JsonNode         *filter);
/* Asks every card again (F5), now if the view is shown, else once it is. */
void       ts_statistics_view_reload      (TsStatisticsView *self);

/* For tests: the chart and the table of a card ("counts", "created-closed"
 * or "time-in-state"), and the counts' grouping drop-down. */
GtkWidget *ts_statistics_view_get_chart   (TsStatisticsView *self,
                                           const char       *card);
GtkWidget *ts_statistics_view_get_table   (TsStatisticsView *self,
                                           const char       *card);
GtkWidget *ts_statistics_view_get_group_by (TsStatisticsView *self);
/* TRUE while any card is waiting for an answer (or for its pause). */
gboolean   ts_statistics_view_get_loading (TsStatisticsView *self);

G_END_DECLS
