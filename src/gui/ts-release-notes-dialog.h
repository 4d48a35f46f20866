/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* Release notes (the seed's 六): the tickets of @project that reached a
 * state (the last final state at first) within a window of days (this
 * month at first), with the text of one field (release_notes when the
 * project has it), optionally grouped by a choice field; a Markdown
 * preview whose ticket links open the ticket, Copy and Save….  The
 * tickets come from ts_store_search_tickets_async() with
 * {"reached": {"state": S, "from": A, "to": B}}, page by page; the
 * Markdown is ts_release_notes_to_markdown()'s.  Modal, transient for
 * @parent. */

#define TS_TYPE_RELEASE_NOTES_DIALOG (ts_release_notes_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsReleaseNotesDialog, ts_release_notes_dialog, TS, RELEASE_NOTES_DIALOG, AdwWindow)

TsReleaseNotesDialog *ts_release_notes_dialog_new          (GtkWindow            *parent,
                                                            TsStore              *store,
                                                            TsProject            *project);
/* The Markdown shown, or NULL while there is none (loading, or the
 * choices are not valid). */
const char           *ts_release_notes_dialog_get_markdown (TsReleaseNotesDialog *self);

G_END_DECLS
