/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* Linked From: the tickets whose url fields point at the ticket shown
 * (tasksteper.linked_from, since server version 8), each with its key,
 * summary, project and state; double-click or Enter opens one through
 * app.open-ticket ("PROJECT/NUMBER"), as a url field's link does.
 * Hidden while there is no ticket or nothing links to it; offline, or when
 * the server cannot say, a sentence says so instead of the list. */
#define TS_TYPE_LINKED_FROM (ts_linked_from_get_type ())
G_DECLARE_FINAL_TYPE (TsLinkedFrom, ts_linked_from, TS, LINKED_FROM, GtkWidget)

GtkWidget *ts_linked_from_new        (TsStore      *store,
                                      TsProject    *project);
/* Reads the list again for @ticket (NULL: a new ticket, nothing shown). */
void       ts_linked_from_set_ticket (TsLinkedFrom *self,
                                      TsTicket     *ticket);

/* For tests: the list's rows, and the sentence shown instead (or NULL). */
GtkListBox *ts_linked_from_get_list    (TsLinkedFrom *self);
const char *ts_linked_from_get_message (TsLinkedFrom *self);

G_END_DECLS
