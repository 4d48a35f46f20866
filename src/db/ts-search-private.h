/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field.h"
#include "ts-filter.h"
#include "ts-project.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* The search's order and pages, as tasksteper.search_tickets() has them
 * (docs/sql-api.md), for the keyset cursor the store sends and for the
 * offline copy, which must give the same rows in the same order.
 *
 * @sort: NULL, "number" or "key" (the number), "state", "assigned_to",
 * "created_by", "created_at", "updated_at", or a field's name.  Rows are
 * in the order of their sort value, descending or not; those with none
 * come last either way; ties go by number in the same direction.  Text
 * sorts in byte order (the server's COLLATE "C"); a field's value is its
 * sort value when it is of the field's kind (a number for an integer
 * field, true or false for a boolean one, a non-empty string for the
 * others), else it has none. */

/* The sort value of @ticket as the cursor gives it, as JSON (a number, a
 * string, the times as RFC 3339 in UTC with microseconds, a field's value
 * as it is, which the server reads as above), or NULL when it has none
 * (missing or null). */
JsonNode  *_ts_search_sort_value (TsTicket   *ticket,
                                  const char *sort);

/* The keyset cursor for the page after @after: {"value": …, "number": …}. */
JsonNode  *_ts_search_cursor     (TsTicket   *after,
                                  const char *sort);

/* Whether @project's tickets can be sorted by @sort. */
gboolean   _ts_search_is_sort    (TsProject  *project,
                                  const char *sort);

/* The rows of @tickets (element-type TsTicket) of @project that @filter
 * matches, given
 * the states each entered (@states: gint64 * id → GArray of TsStateEntry;
 * a ticket without an entry entered none that is known), in the search's
 * order; with @after, only those after it; at most @limit (-1: all).
 * Returns (element-type TsTicket) (transfer container). */
GPtrArray *_ts_search_run        (GPtrArray  *tickets,
                                  GHashTable *states,
                                  TsProject  *project,
                                  TsFilter   *filter,
                                  const char *sort,
                                  gboolean    descending,
                                  TsTicket   *after,
                                  int         limit);

G_END_DECLS
