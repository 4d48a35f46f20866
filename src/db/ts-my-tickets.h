/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* My tickets: the open tickets assigned to me in every project
 * (ts_store_list_my_tickets_async), one GListModel of TsTicket per
 * project.  It reads them again a moment after tickets change, projects
 * change or the store reconnects, and offline the store answers from the
 * offline copy.  A model keeps its rows when nothing in it changed, so a
 * selection in a table showing it stays.  GTK-free. */

#define TS_TYPE_MY_TICKETS (ts_my_tickets_get_type ())
G_DECLARE_FINAL_TYPE (TsMyTickets, ts_my_tickets, TS, MY_TICKETS, GObject)

TsMyTickets  *ts_my_tickets_new         (TsStore     *store);
/* My tickets in @project (empty when none), newest number first. */
GListModel   *ts_my_tickets_get_tickets (TsMyTickets *self,
                                         const char  *project);
/* How many there are in all.  Notified as "n-tickets". */
guint         ts_my_tickets_get_n_tickets (TsMyTickets *self);
/* TRUE until the first answer.  Notified as "loading". */
gboolean      ts_my_tickets_get_loading (TsMyTickets *self);
/* The last error reading them, or NULL.  Notified as "error". */
const GError *ts_my_tickets_get_error   (TsMyTickets *self);
/* Reads them again now. */
void          ts_my_tickets_reload      (TsMyTickets *self);

G_END_DECLS
