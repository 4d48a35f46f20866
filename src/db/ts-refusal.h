/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The server's refusals (docs/sql-api.md, "Errors") carry their facts as a
 * JSON object in the error's DETAIL: {"ts": KIND, "field": …, "label": …,
 * "trigger": …, …}.  These put them into a sentence in the user's
 * language.  GTK-free. */

/* The JSON object of a refusal's DETAIL, or NULL when @detail is not one
 * (no DETAIL, another kind of DETAIL, no "ts" string). */
JsonObject *ts_refusal_parse_detail (const char *detail);

/* The sentence for a refusal of @kind with @facts, translated; NULL for a
 * kind this client does not know (show the server's message then). */
char       *ts_refusal_describe     (const char *kind,
                                     JsonObject *facts);

/* The same for a search's filter or sort refused (TS440-TS443 of
 * search_tickets(), count_tickets(), save_search() and the statistics):
 * the kinds unknown_field, bad_operator, bad_value, bad_date, and
 * group_by (TS444: a field ticket_counts() cannot group by). */
char       *ts_refusal_describe_filter (const char *kind,
                                        JsonObject *facts);

G_END_DECLS
