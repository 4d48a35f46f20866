/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* The tickets of one project, pending (assigned to me, open) or all, as a
 * GListModel of TsTicket that the tables show.  It knows the list's length
 * (the server counts it) but holds only some pages of it: get_item() of a
 * row whose page is not read yet gives a placeholder
 * (ts_ticket_list_is_placeholder()) and reads that page a moment later
 * (keyset from a neighbouring page, else an offset from the nearest row
 * it knows), then announces those rows again (as many removed as added,
 * so a view keeps its place).  At most a few pages stay in memory; the
 * farthest from what was asked last are dropped.  The server sorts
 * (ts_ticket_list_set_sort()).  It keeps itself current from the store's
 * change notifications: changed rows it holds are read again together,
 * and when rows enter, leave or move, it counts again and reads the pages
 * shown again.  Offline it is the saved copy, whole.  GTK-free. */

#define TS_TYPE_TICKET_LIST (ts_ticket_list_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketList, ts_ticket_list, TS, TICKET_LIST, GObject)

TsTicketList *ts_ticket_list_new         (TsStore          *store,
                                          TsProject        *project,
                                          TsTicketListKind  kind);
TsProject    *ts_ticket_list_get_project (TsTicketList     *self);
TsTicketListKind ts_ticket_list_get_kind (TsTicketList     *self);
/* TRUE until the length and the first page are known, and while pages are
 * read.  Notified. */
gboolean      ts_ticket_list_get_loading (TsTicketList  *self);
/* The last error reading the list, or NULL.  Notified as "error". */
const GError *ts_ticket_list_get_error   (TsTicketList  *self);
/* Counts and reads the pages shown again. */
void          ts_ticket_list_reload      (TsTicketList  *self);
/* The ticket with @id, if a page the list holds has it. */
TsTicket     *ts_ticket_list_lookup      (TsTicketList  *self,
                                          gint64         id);
/* Whether @ticket (an item of a TsTicketList) stands for a row not read
 * yet. */
gboolean      ts_ticket_list_is_placeholder (TsTicket   *ticket);

/* The order: @sort as ts_store_list_tickets_async() takes it (NULL: by
 * number), @descending or not.  The rows are read again. */
void          ts_ticket_list_set_sort    (TsTicketList  *self,
                                          const char    *sort,
                                          gboolean       descending);
const char   *ts_ticket_list_get_sort    (TsTicketList  *self);
gboolean      ts_ticket_list_get_descending (TsTicketList *self);

/* Announces the rows held as changed, page by page, so that views bind
 * them again (the names shown for people arrived). */
void          ts_ticket_list_rows_changed (TsTicketList *self);

/* Rows per query and pages held; tests make them small. */
void          ts_ticket_list_set_page_size (TsTicketList *self,
                                            guint         page_size);
void          ts_ticket_list_set_max_pages (TsTicketList *self,
                                            guint         max_pages);
/* The row held at @position, without asking for it (so without reading
 * its page): NULL when no page held has it (tests). */
TsTicket     *ts_ticket_list_peek          (TsTicketList *self,
                                            guint         position);
/* How many pages the list holds now (tests, benchmarks). */
guint         ts_ticket_list_get_n_pages   (TsTicketList *self);
/* The queries sent so far: pages, re-reads of changed tickets, counts. */
void          ts_ticket_list_get_n_queries (TsTicketList *self,
                                            guint        *pages,
                                            guint        *changes,
                                            guint        *counts);

G_END_DECLS
