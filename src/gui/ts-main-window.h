/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-saved-searches.h"
#include "ts-store.h"

G_BEGIN_DECLS

/* The main window: My Tickets (everything assigned to me, by project) and
 * my projects (with how many tickets wait for me in each); for a project,
 * the 待处理条目 and 所有条目 tables, and a search bar (Ctrl+F) whose
 * results take their place; each project's saved searches under it in the
 * sidebar.
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
/* Opens the saved search a tasksteper://PROJECT/search/NAME link names:
 * mine of that name, else the one shared in the project; a message says
 * so when there is none. */
void          ts_main_window_open_search    (TsMainWindow   *self,
                                             const char     *project,
                                             const char     *name);
/* Shows My Tickets, as its sidebar entry does. */
void          ts_main_window_show_my_tickets (TsMainWindow  *self);
/* The tables, for tests: "pending", "all" or "search" (TsTicketTable),
 * or "mine" (the TsMyTicketsView). */
GtkWidget    *ts_main_window_get_table      (TsMainWindow   *self,
                                             const char     *which);
/* For tests: the TsSearchBar, and the saved searches of the sidebar. */
GtkWidget       *ts_main_window_get_search_bar     (TsMainWindow *self);
TsSavedSearches *ts_main_window_get_saved_searches (TsMainWindow *self);

G_END_DECLS
