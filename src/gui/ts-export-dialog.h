/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* Export a list of tickets (pending, all, a search) as CSV or XLSX: the
 * format, the Excel-compatible choice (CSV with a byte order mark), the
 * visible columns or all fields; Export… asks where (suggesting the
 * list's title and today's date), then shows the rows written against
 * the count with a progress bar and Cancel, and at the end "Exported N
 * tickets to FILE" with Open, or why it failed (the dialog stays open).
 * Modal, transient for @parent; closing it stops an export under way,
 * which then leaves no file behind. */

#define TS_TYPE_EXPORT_DIALOG (ts_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsExportDialog, ts_export_dialog, TS, EXPORT_DIALOG, AdwWindow)

/* @filter: the list's filter, a JSON object node (copied): {} for all
 * tickets.  @sort: (nullable): the list's sort (see
 * ts_store_search_tickets_async()).  @title: the list's title, for the
 * suggested file name.  @visible_columns: the columns the list shows, as
 * the ticket tables name them ("key", "summary", "state", ...). */
TsExportDialog *ts_export_dialog_new (GtkWindow          *parent,
                                      TsStore            *store,
                                      TsProject          *project,
                                      JsonNode           *filter,
                                      const char         *sort,
                                      gboolean            descending,
                                      const char         *title,
                                      const char * const *visible_columns);

G_END_DECLS
