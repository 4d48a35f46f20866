/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-export.h"
#include "ts-store.h"

G_BEGIN_DECLS

/* Exporting a list: the tickets of a search, page by page from
 * ts_store_search_tickets_async(), written by a TsExportWriter on a
 * worker thread, so that neither the main loop nor memory notice 100,000
 * rows.  At most a few pages wait between the two.  "total" is what
 * ts_store_count_search_async() said (-1 until then), "written" how many
 * rows are in the file so far: both are notified on the main thread, as
 * each page is written.  People are written by the display names the
 * project's members have (their logins when these cannot be read).
 *
 * Cancelling stops at the next row; the export then fails with
 * G_IO_ERROR_CANCELLED, and, as on any failure, the destination is as it
 * was before (see TsExportWriter). */

#define TS_TYPE_EXPORT_JOB (ts_export_job_get_type ())
G_DECLARE_FINAL_TYPE (TsExportJob, ts_export_job, TS, EXPORT_JOB, GObject)

/* @filter: a JSON object node (copied), {} for every ticket.
 * @sort: (nullable): as for ts_store_search_tickets_async().
 * @columns: (nullable): NULL for every field. */
TsExportJob *ts_export_job_new          (TsStore             *store,
                                         TsProject           *project,
                                         JsonNode            *filter,
                                         const char          *sort,
                                         gboolean             descending,
                                         TsExportFormat       format,
                                         const char * const  *columns,
                                         TsExportFlags        flags);

/* Runs the export into @path (once per job). */
void         ts_export_job_run_async    (TsExportJob         *self,
                                         const char          *path,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean     ts_export_job_run_finish   (TsExportJob         *self,
                                         GAsyncResult        *result,
                                         GError             **error);

gint64       ts_export_job_get_total        (TsExportJob *self);
guint64      ts_export_job_get_written      (TsExportJob *self);
/* XLSX: the cells cut to Excel's limit (TS_EXPORT_XLSX_MAX_CELL_CHARS). */
guint64      ts_export_job_get_n_truncated  (TsExportJob *self);
TsExportFormat ts_export_job_get_format     (TsExportJob *self);

G_END_DECLS
