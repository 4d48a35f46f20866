/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-export-dialog.h"

G_BEGIN_DECLS

/* For the tests only: a native file chooser cannot be driven from a
 * test, so Export… writes to @path instead of asking (NULL: ask again).
 * Everything else is clicked. */
void _ts_export_dialog_set_destination (TsExportDialog *self,
                                        const char     *path);

/* The suggested file name for @title exported on @date as @extension. */
char *_ts_export_dialog_suggest_name   (const char     *title,
                                        GDateTime      *date,
                                        const char     *extension);

G_END_DECLS
