/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* Reassign…: a project admin gives a ticket to another member of its
 * project (tasksteper.reassign, since server version 8).  Shows who holds
 * it now and the members, searchable by display name or login; the
 * server's refusals are shown in the dialog, and a ticket changed
 * meanwhile can be reloaded there and reassigned again.  Emits
 * "reassigned" with the ticket as the server now has it, then closes. */
#define TS_TYPE_REASSIGN_DIALOG (ts_reassign_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsReassignDialog, ts_reassign_dialog, TS, REASSIGN_DIALOG, AdwWindow)

GtkWidget *ts_reassign_dialog_new (GtkWindow *parent,
                                   TsStore   *store,
                                   TsProject *project,
                                   TsTicket  *ticket);

/* For tests: a member's row (NULL until the members are read), the search
 * entry, the Reassign and Reload buttons and the error shown. */
GtkWidget  *ts_reassign_dialog_get_member_row      (TsReassignDialog *self,
                                                    const char       *login);
GtkWidget  *ts_reassign_dialog_get_search_entry    (TsReassignDialog *self);
GtkWidget  *ts_reassign_dialog_get_reassign_button (TsReassignDialog *self);
GtkWidget  *ts_reassign_dialog_get_reload_button   (TsReassignDialog *self);
const char *ts_reassign_dialog_get_error           (TsReassignDialog *self);

G_END_DECLS
