/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-member-names.h"
#include "ts-ticket-list.h"

G_BEGIN_DECLS

/* A table of tickets of one project (待处理条目, 所有条目, or my tickets
 * there): ID, 概要, 当前状态, 当前处理人, 创建人, the project's list_columns
 * and the last change.  Columns sort (the state by the workflow's order);
 * all but ID and the summary can be hidden (from a menu of the window),
 * remembered per project in the "hidden-columns" setting.  Under about
 * 700 pixels of width the table becomes a list of two-line rows.  A double
 * click or Enter on a row emits "ticket-activated"; a right click, the Menu
 * key or Shift+F10 offers Open, Copy Link and Copy Key. */

#define TS_TYPE_TICKET_TABLE (ts_ticket_table_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketTable, ts_ticket_table, TS, TICKET_TABLE, GtkWidget)

/* A table of @list, which the server sorts: a click on a column header
 * asks @list for that order (ts_ticket_list_set_sort()) and emits
 * "sort-changed".  Rows not read yet show "Loading…" and cannot be opened.
 * @names: (nullable): without it people are shown by login. */
TsTicketTable *ts_ticket_table_new             (TsTicketList  *list,
                                                TsMemberNames *names);
/* A table of @tickets (TsTicket of @project).  With @natural_height the
 * table is as tall as its rows and does not scroll up and down itself,
 * so that several can share one scrolled page. */
TsTicketTable *ts_ticket_table_new_for_model   (GListModel    *tickets,
                                                TsProject     *project,
                                                TsMemberNames *names,
                                                gboolean       natural_height);
/* A table of search results (TsTicket of @project) that the server
 * sorts: a click on a column header does not reorder the rows here but
 * emits "sort-changed"; ts_ticket_table_get_sort_column() and
 * ts_ticket_table_get_sort_descending() then say what to ask for. */
TsTicketTable *ts_ticket_table_new_for_search  (GListModel    *tickets,
                                                TsProject     *project,
                                                TsMemberNames *names);
/* The server's name of the column sorted by ("number" for the ID, "state",
 * "assigned_to", "updated_at", a field's name), or NULL for the default
 * order, newest number first. */
const char    *ts_ticket_table_get_sort_column     (TsTicketTable *self);
gboolean       ts_ticket_table_get_sort_descending (TsTicketTable *self);

/* The names of the columns shown, in their order ("key", "summary", ...),
 * as the export takes them. */
char         **ts_ticket_table_dup_visible_columns (TsTicketTable *self);
/* The ticket shown at @position, in the order shown, or NULL.  (The
 * column view's model holds rows, each showing one ticket.) */
TsTicket      *ts_ticket_table_dup_ticket      (TsTicketTable *self,
                                                guint          position);
/* The list given to ts_ticket_table_new(), or NULL. */
TsTicketList  *ts_ticket_table_get_list        (TsTicketTable *self);
TsProject     *ts_ticket_table_get_project     (TsTicketTable *self);
GtkColumnView *ts_ticket_table_get_column_view (TsTicketTable *self);
/* The list of two-line rows shown instead of the columns when narrow. */
GtkListView   *ts_ticket_table_get_list_view   (TsTicketTable *self);
/* Whether the two-line rows are shown.  Notified as "compact". */
gboolean       ts_ticket_table_get_compact     (TsTicketTable *self);

/* Which columns show, as check items for the actions of
 * ts_ticket_table_get_column_actions(), which a menu outside the table
 * inserts as the "columns" group.  The choice is the project's: every
 * table of the project follows it. */
GMenuModel    *ts_ticket_table_get_columns_menu   (TsTicketTable *self);
GActionGroup  *ts_ticket_table_get_column_actions (TsTicketTable *self);

/* Emitted as void (*ticket_activated) (TsTicketTable *self, TsTicket *ticket);
 * void (*sort_changed) (TsTicketTable *self) for a search table; and
 * void (*needs_more) (TsTicketTable *self) when it is scrolled within a
 * screenful of its last row (or its rows do not fill it): a model that
 * loads in pages reads the next one. */

G_END_DECLS
