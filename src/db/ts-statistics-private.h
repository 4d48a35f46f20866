/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-project.h"
#include "ts-statistics.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* The counts of tasksteper.ticket_counts() (docs/sql-api.md, "Statistics")
 * for the offline copy, which must give the same rows in the same order. */

/* NULL when @project's tickets can be counted by @group_by ("state",
 * "assigned_to", a choice, user or boolean field), else the sentence
 * saying why not, in the user's language: the one said for the server's
 * refusal (TS440 for a name that is no field, TS444 for a field of
 * another kind). */
char      *_ts_stat_group_by_problem (TsProject  *project,
                                      const char *group_by);

/* The counts of @tickets (element-type TsTicket: those the filter
 * matched) by @group_by, which must be one they can be counted by: the
 * values the definition has in its order (states, choices, false then
 * true), 0 included; then the values present that it does not have, most
 * tickets first, ties by value in byte order; last the empty group
 * (value NULL: missing, null, "" or only blanks, as the server's
 * is_empty()), when it has tickets.
 * Returns (transfer container) (element-type TsStatCount). */
GPtrArray *_ts_stat_count_tickets    (GPtrArray  *tickets,
                                      TsProject  *project,
                                      const char *group_by);

G_END_DECLS
