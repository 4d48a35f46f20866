/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* The main window: My Tickets (everything assigned to me, by project) and
 * my projects (with how many tickets wait for me in each); for a project,
 * the 待处理条目 and 所有条目 tables.
 * Activating a row opens the ticket in its own editor window. */

#define TS_TYPE_MAIN_WINDOW (ts_main_window_get_type ())
G_DECLARE_FINAL_TYPE (TsMainWindow, ts_main_window, TS, MAIN_WINDOW, AdwApplicationWindow)

TsMainWindow *ts_main_window_new            (AdwApplication *application,
                                             TsStore        *store);
TsStore      *ts_main_window_get_store      (TsMainWindow   *self);
/* Selects a project by name; FALSE when I am not a member of it. */
gboolean      ts_main_window_select_project (TsMainWindow   *self,
                                             const char     *name);
/* The project shown, or NULL while projects load. */
TsProject    *ts_main_window_get_project    (TsMainWindow   *self);
/* Opens (or raises) the editor of a ticket. */
void          ts_main_window_open_ticket    (TsMainWindow   *self,
                                             TsTicket       *ticket);
/* Opens the ticket a tasksteper://PROJECT/NUMBER link names. */
void          ts_main_window_open_number    (TsMainWindow   *self,
                                             const char     *project,
                                             int             number);
/* Shows My Tickets, as its sidebar entry does. */
void          ts_main_window_show_my_tickets (TsMainWindow  *self);
/* The tables, for tests: "pending" or "all" (TsTicketTable), or "mine"
 * (the TsMyTicketsView). */
GtkWidget    *ts_main_window_get_table      (TsMainWindow   *self,
                                             const char     *which);

G_END_DECLS
