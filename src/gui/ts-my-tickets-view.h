/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-member-names.h"
#include "ts-my-tickets.h"
#include "ts-ticket-table.h"

G_BEGIN_DECLS

/* My Tickets: for each project with tickets assigned to me, a heading
 * with the project's title over a table of those tickets, on one
 * scrolled page, in the order of @projects (the sidebar's
 * TsProjectSummary items).  Activating a row emits "ticket-activated". */

#define TS_TYPE_MY_TICKETS_VIEW (ts_my_tickets_view_get_type ())
G_DECLARE_FINAL_TYPE (TsMyTicketsView, ts_my_tickets_view, TS, MY_TICKETS_VIEW, GtkWidget)

GtkWidget     *ts_my_tickets_view_new       (TsMyTickets     *tickets,
                                             GListModel      *projects,
                                             TsMemberNames   *names);
/* The table of @project, or NULL when it has none. */
TsTicketTable *ts_my_tickets_view_get_table (TsMyTicketsView *self,
                                             const char      *project);

/* Emitted as void (*ticket_activated) (TsMyTicketsView *self, TsTicket *ticket). */

G_END_DECLS
