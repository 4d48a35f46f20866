/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tasksteper-core.h"
#include "ts-query.h"

G_BEGIN_DECLS

/* A filter built by pointing: rows of field ▸ condition ▸ value (the
 * choices, states and people as drop-downs or check boxes, dates and
 * numbers as entries that are checked), Add Condition, Remove.  Apply
 * emits "apply" with the filter (a JSON object, as ts_query_parse gives);
 * the search bar writes it into its entry with ts_query_format, so both
 * ways give the same query.  A condition it has no row for (two
 * substrings, say) is kept as it was, shown as query text. */

#define TS_TYPE_FILTER_POPOVER (ts_filter_popover_get_type ())
G_DECLARE_FINAL_TYPE (TsFilterPopover, ts_filter_popover, TS, FILTER_POPOVER, GtkPopover)

GtkWidget *ts_filter_popover_new          (void);
void       ts_filter_popover_set_project  (TsFilterPopover *self,
                                           TsProject       *project);
/* The project's members (TsMember), for user fields; followed as it fills. */
void       ts_filter_popover_set_members  (TsFilterPopover *self,
                                           GListModel      *members);
/* Shows the conditions of @filter (NULL: none).  @problem: (nullable):
 * why the query in the entry could not be shown (it does not parse). */
void       ts_filter_popover_set_filter   (TsFilterPopover *self,
                                           JsonNode        *filter,
                                           const char      *problem);
/* The filter the rows make now, or NULL (with @error saying which row is
 * not complete: a value missing, a date that does not exist). */
JsonNode  *ts_filter_popover_build_filter (TsFilterPopover *self,
                                           GError         **error);

/* Emitted as void (*apply) (TsFilterPopover *self, JsonNode *filter). */

G_END_DECLS
