/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-release-notes-dialog.h"

G_BEGIN_DECLS

/* For the tests only: a native file chooser cannot be driven from a
 * test, so Save… writes to @path instead of asking (NULL: ask again). */
void _ts_release_notes_dialog_set_destination (TsReleaseNotesDialog *self,
                                               const char           *path);

G_END_DECLS
