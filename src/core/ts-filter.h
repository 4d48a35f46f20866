/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ts-project.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* A search filter: a JSON object whose every key must hold (see
 * docs/search.md).  Its meaning is fixed by tests/data/search.json, which
 * the server's tasksteper.search_tickets() runs too; this is the client's
 * reader, used offline. */

#define TS_FILTER_ERROR (ts_filter_error_quark ())
GQuark ts_filter_error_quark (void);

/* The codes of search.json's `errors`: unknown-field, bad-operator,
 * bad-value, bad-date (the server's TS440 .. TS443). */
typedef enum
{
  TS_FILTER_ERROR_UNKNOWN_FIELD,
  TS_FILTER_ERROR_BAD_OPERATOR,
  TS_FILTER_ERROR_BAD_VALUE,
  TS_FILTER_ERROR_BAD_DATE,
} TsFilterError;

/* A state a ticket entered, and when (from its history): for "reached". */
typedef struct
{
  const char *state;
  gint64      at;       /* microseconds since the Unix epoch, UTC */
} TsStateEntry;

#define TS_TYPE_FILTER (ts_filter_get_type ())
G_DECLARE_FINAL_TYPE (TsFilter, ts_filter, TS, FILTER, GObject)

/* Validates @filter against @project; days are days of @time_zone (NULL: local).
 * On error, *bad_field (if not NULL) gets the offending key (NULL for the filter as a whole)
 * and the message names the field by its label.  @filter is not consumed; the
 * filter is compiled once here, so that matching does no JSON work. */
TsFilter   *ts_filter_new            (TsProject          *project,
                                      JsonNode           *filter,
                                      GTimeZone          *time_zone,
                                      char              **bad_field,
                                      GError            **error);
/* A copy of the filter given to ts_filter_new(); borrowed. */
JsonNode   *ts_filter_get_json       (TsFilter           *self);
/* Whether the filter uses "reached", which needs the tickets' history. */
gboolean    ts_filter_needs_history  (TsFilter           *self);
/* Whether @ticket holds every key; @entries are the states it entered
 * (only read when ts_filter_needs_history()). */
gboolean    ts_filter_matches        (TsFilter           *self,
                                      TsTicket           *ticket,
                                      const TsStateEntry *entries,
                                      guint               n_entries);

G_END_DECLS
