/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-saved-search.h"
#include "ts-store.h"

G_BEGIN_DECLS

/* Save Search… (a name and "Share with the Project") and Rename…: a small
 * window over the main one.  What the server refuses (the name taken by a
 * search shared in the project, a name too long, offline) is said in the
 * window, the name typed kept; once saved it emits "saved" and closes. */

#define TS_TYPE_SAVE_SEARCH_DIALOG (ts_save_search_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsSaveSearchDialog, ts_save_search_dialog, TS, SAVE_SEARCH_DIALOG, AdwWindow)

/* Saves @query (and its @filter) in @project.  @existing: (nullable): the
 * saved search being shown, whose name and sharing are offered. */
GtkWidget *ts_save_search_dialog_new        (GtkWindow     *parent,
                                             TsStore       *store,
                                             TsProject     *project,
                                             const char    *query,
                                             JsonNode      *filter,
                                             TsSavedSearch *existing);
/* Renames my saved search @search. */
GtkWidget *ts_save_search_dialog_new_rename (GtkWindow     *parent,
                                             TsStore       *store,
                                             TsSavedSearch *search);

/* For tests: the name row. */
GtkWidget *ts_save_search_dialog_get_name_row (TsSaveSearchDialog *self);

/* Emitted as void (*saved) (TsSaveSearchDialog *self, TsSavedSearch *search). */

G_END_DECLS
