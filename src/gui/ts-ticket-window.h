/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* The editor of one ticket: the form built from the schema, the trigger
 * buttons that apply now, Save, and the ticket's history.  With no ticket
 * it creates one (创建条目).  It never loses what was typed: a conflict, a
 * change by someone else or a lost connection leave the edits in the form
 * and offer a way on. */

#define TS_TYPE_TICKET_WINDOW (ts_ticket_window_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketWindow, ts_ticket_window, TS, TICKET_WINDOW, AdwWindow)

/* @ticket: (nullable): the ticket to edit, NULL for a new one. */
TsTicketWindow *ts_ticket_window_new        (TsStore        *store,
                                             TsProject      *project,
                                             TsTicket       *ticket);
/* The ticket as last read from the server; NULL before a new one is created. */
TsTicket       *ts_ticket_window_get_ticket (TsTicketWindow *self);
/* "PROJECT/ID" for an existing ticket, NULL for a new one. */
char           *ts_ticket_window_dup_key    (TsTicketWindow *self);
/* For tests and keyboard handling: the form and the trigger buttons. */
GtkWidget      *ts_ticket_window_get_form   (TsTicketWindow *self);
GtkWidget      *ts_ticket_window_get_trigger_button (TsTicketWindow *self,
                                                     const char     *trigger);
GtkWidget      *ts_ticket_window_get_workflow_button (TsTicketWindow *self);
GtkWidget      *ts_ticket_window_get_workflow_view   (TsTicketWindow *self);
/* The header bar's menu (New From This Ticket). */
GtkWidget      *ts_ticket_window_get_menu_button     (TsTicketWindow *self);

G_END_DECLS
