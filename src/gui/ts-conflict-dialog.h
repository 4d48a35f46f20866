/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-ticket-form.h"

G_BEGIN_DECLS

/* What to do when a save met a newer version (TS409): per field that the
 * person edited and that now differs from the server, the value they
 * typed, the value now on the server and the value both started from,
 * with a choice between the first two (theirs typed is the default).
 * Its responses: "cancel" (keep everything as typed, decide later),
 * "keep-all" (every typed value over the new version) and "apply" (the
 * values as chosen); the window then saves against the new version. */

#define TS_TYPE_CONFLICT_DIALOG (ts_conflict_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsConflictDialog, ts_conflict_dialog, TS, CONFLICT_DIALOG, AdwMessageDialog)

/* @base: the ticket as the form was started from; @current: as it is on
 * the server now; @mine: the fields typed (ts_ticket_form_dup_changes);
 * @summary: (nullable): what else changed (the state, the assignee). */
TsConflictDialog *ts_conflict_dialog_new          (GtkWindow        *parent,
                                                   TsTicketForm     *form,
                                                   TsTicket         *base,
                                                   TsTicket         *current,
                                                   JsonObject       *mine,
                                                   const char       *summary);
TsTicket         *ts_conflict_dialog_get_current  (TsConflictDialog *self);
/* The number of fields the dialog asks about. */
guint             ts_conflict_dialog_get_n_fields (TsConflictDialog *self);
/* Picks the typed value (TRUE) or the server's for @field. */
void              ts_conflict_dialog_choose       (TsConflictDialog *self,
                                                   const char       *field,
                                                   gboolean          mine);
/* The typed values to put over the new version: all of them after
 * "keep-all", those chosen after "apply" (a new object). */
JsonObject       *ts_conflict_dialog_dup_values   (TsConflictDialog *self,
                                                   gboolean          keep_all);
/* The check button that picks @field's typed (@mine) or server value,
 * for tests. */
GtkWidget        *ts_conflict_dialog_get_choice   (TsConflictDialog *self,
                                                   const char       *field,
                                                   gboolean          mine);

G_END_DECLS
