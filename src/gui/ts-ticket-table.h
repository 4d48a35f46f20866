/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-ticket-list.h"

G_BEGIN_DECLS

/* A table of tickets (待处理条目 or 所有条目): ID, 概要, 当前状态, 当前处理人,
 * 报告人, the project's list_columns and the last change.  Columns sort; a
 * double click or Enter on a row emits "ticket-activated". */

#define TS_TYPE_TICKET_TABLE (ts_ticket_table_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketTable, ts_ticket_table, TS, TICKET_TABLE, GtkWidget)

TsTicketTable *ts_ticket_table_new             (TsTicketList  *list);
TsTicketList  *ts_ticket_table_get_list        (TsTicketTable *self);
GtkColumnView *ts_ticket_table_get_column_view (TsTicketTable *self);

/* Emitted as void (*ticket_activated) (TsTicketTable *self, TsTicket *ticket). */

G_END_DECLS
