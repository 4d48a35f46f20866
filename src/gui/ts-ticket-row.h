/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-member-names.h"

G_BEGIN_DECLS

/* A ticket in two lines, for tables too narrow for columns: the key and
 * the state over the summary, with the assignee at the end of the first
 * line. */

#define TS_TYPE_TICKET_ROW (ts_ticket_row_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketRow, ts_ticket_row, TS, TICKET_ROW, GtkWidget)

GtkWidget *ts_ticket_row_new        (void);
/* @ticket: (nullable); @names: (nullable): logins are shown without it. */
void       ts_ticket_row_set_ticket (TsTicketRow   *self,
                                     TsProject     *project,
                                     TsTicket      *ticket,
                                     TsMemberNames *names);

G_END_DECLS
