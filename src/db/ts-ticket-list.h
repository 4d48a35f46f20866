/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* The tickets of one project, pending (assigned to me, open) or all, as a
 * GListModel of TsTicket that the tables show.  It loads in pages, one
 * asynchronous query at a time, so a project with 100,000 tickets fills in
 * while the window stays responsive; and it keeps itself current from the
 * store's change notifications, re-reading only the tickets that changed.
 * GTK-free. */

#define TS_TYPE_TICKET_LIST (ts_ticket_list_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketList, ts_ticket_list, TS, TICKET_LIST, GObject)

TsTicketList *ts_ticket_list_new         (TsStore          *store,
                                          TsProject        *project,
                                          TsTicketListKind  kind);
TsProject    *ts_ticket_list_get_project (TsTicketList     *self);
TsTicketListKind ts_ticket_list_get_kind (TsTicketList     *self);
/* TRUE while pages are still being read.  Notified. */
gboolean      ts_ticket_list_get_loading (TsTicketList  *self);
/* The last error reading the list, or NULL.  Notified as "error". */
const GError *ts_ticket_list_get_error   (TsTicketList  *self);
/* Reads the list again from the start. */
void          ts_ticket_list_reload      (TsTicketList  *self);
/* The ticket with @id, if the list holds it. */
TsTicket     *ts_ticket_list_lookup      (TsTicketList  *self,
                                          gint64         id);

/* Rows per query; tests make it small. */
void          ts_ticket_list_set_page_size (TsTicketList *self,
                                            guint         page_size);

G_END_DECLS
