/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-project.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* Writing tickets to a CSV or XLSX file, one row each, GTK-free and without
 * a database (docs/export.md).
 *
 * Columns are named as the ticket tables name them: "key", "state",
 * "assigned_to", "created_by", "created_at", "updated_at" or a field of the
 * project.  The header row gives their labels (ts_project_get_label_for()),
 * the cells what a person reads: people by display name when @names knows
 * them, choices as they are, booleans as Yes/No in the user's language,
 * the two times in the local time zone.
 *
 * A file appears only whole: the rows go to a temporary file in the
 * destination's directory, renamed over the destination by
 * ts_export_writer_commit(); on failure, on ts_export_writer_discard() or
 * when the writer is dropped before committing, the temporary file is
 * removed and an existing destination stays as it was.
 *
 * A writer is used from one thread at a time (the export job writes on a
 * worker thread); the project and tickets are only read. */

typedef enum
{
  TS_EXPORT_FORMAT_CSV,
  TS_EXPORT_FORMAT_XLSX,
} TsExportFormat;

typedef enum
{
  TS_EXPORT_FLAGS_NONE             = 0,
  /* CSV: starts the file with the UTF-8 byte order mark, which Excel needs
   * to read anything but ASCII (it takes the legacy code page otherwise). */
  TS_EXPORT_FLAGS_EXCEL_COMPATIBLE = 1 << 0,
} TsExportFlags;

#define TS_TYPE_EXPORT_FORMAT (ts_export_format_get_type ())
GType ts_export_format_get_type (void) G_GNUC_CONST;
#define TS_TYPE_EXPORT_FLAGS (ts_export_flags_get_type ())
GType ts_export_flags_get_type (void) G_GNUC_CONST;

/* Excel keeps at most this many characters (UTF-16 code units) in a cell;
 * longer text is cut to it, ending in "…" (see
 * ts_export_writer_get_n_truncated()). */
#define TS_EXPORT_XLSX_MAX_CELL_CHARS 32767

#define TS_EXPORT_ERROR (ts_export_error_quark ())
GQuark ts_export_error_quark (void);

typedef enum
{
  TS_EXPORT_ERROR_FAILED,          /* the file could not be written; the message names it and why */
  TS_EXPORT_ERROR_UNKNOWN_COLUMN,  /* a column that is neither a system field nor a field of the project */
  TS_EXPORT_ERROR_TOO_MANY_ROWS,   /* XLSX: more rows than a worksheet holds (1,048,575 after the header) */
} TsExportError;

/* The extension of @format's files, without the dot ("csv", "xlsx"). */
const char  *ts_export_format_get_extension (TsExportFormat format);

/* Writes @text (@length bytes, -1: up to its NUL) to @path in the same
 * way: whole or not at all.  The error (TS_EXPORT_ERROR_FAILED) names
 * @path and the reason. */
gboolean     ts_export_save_text      (const char *path,
                                       const char *text,
                                       gssize      length,
                                       GError    **error);

/* Every column of @project, in the order of the ticket tables: key, the
 * summary, state, assigned_to, created_by, the other fields in the
 * schema's order, created_at, updated_at. */
char       **ts_export_all_columns   (TsProject *project);

#define TS_TYPE_EXPORT_WRITER (ts_export_writer_get_type ())
G_DECLARE_FINAL_TYPE (TsExportWriter, ts_export_writer, TS, EXPORT_WRITER, GObject)

/* @columns: (nullable): NULL for ts_export_all_columns().
 * @names: (nullable): login → display name.
 * The "time-zone" property (construct-only, NULL: local) sets the zone
 * the two times are written in. */
TsExportWriter *ts_export_writer_new      (TsProject           *project,
                                           TsExportFormat       format,
                                           const char * const  *columns,
                                           GHashTable          *names,
                                           TsExportFlags        flags);

/* Creates the temporary file next to @path and writes the header row.
 * Fails on an unknown column or when the directory cannot be written. */
gboolean        ts_export_writer_open     (TsExportWriter      *self,
                                           const char          *path,
                                           GError             **error);
/* One row. */
gboolean        ts_export_writer_add      (TsExportWriter      *self,
                                           TsTicket            *ticket,
                                           GError             **error);
/* Finishes the file and renames it over the destination. */
gboolean        ts_export_writer_commit   (TsExportWriter      *self,
                                           GError             **error);
/* Removes the temporary file; nothing is written. */
void            ts_export_writer_discard  (TsExportWriter      *self);

const char * const *ts_export_writer_get_columns     (TsExportWriter *self);
guint64             ts_export_writer_get_n_rows      (TsExportWriter *self);
/* XLSX: how many cells were cut to TS_EXPORT_XLSX_MAX_CELL_CHARS. */
guint64             ts_export_writer_get_n_truncated (TsExportWriter *self);

G_END_DECLS
