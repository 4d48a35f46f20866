/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  TS_SEVERITY_WARNING,
  TS_SEVERITY_ERROR,
} TsSeverity;

/* One problem found in a schema file.  @line and @column are 1-based and 0
 * when unknown; @path is a JSON path such as `$.fields[3].type`, or NULL for
 * problems with the file as a whole (syntax, encoding). */
typedef struct
{
  TsSeverity  severity;
  guint       line;
  guint       column;
  char       *path;
  char       *message;
} TsDiagnostic;

#define TS_TYPE_DIAGNOSTICS (ts_diagnostics_get_type ())
G_DECLARE_FINAL_TYPE (TsDiagnostics, ts_diagnostics, TS, DIAGNOSTICS, GObject)

TsDiagnostics      *ts_diagnostics_new             (const char    *file_name);
const char         *ts_diagnostics_get_file_name   (TsDiagnostics *self);
guint               ts_diagnostics_get_n_errors    (TsDiagnostics *self);
guint               ts_diagnostics_get_n_warnings  (TsDiagnostics *self);
guint               ts_diagnostics_get_n_items     (TsDiagnostics *self);
const TsDiagnostic *ts_diagnostics_get_item        (TsDiagnostics *self,
                                                    guint          position);
void                ts_diagnostics_add             (TsDiagnostics *self,
                                                    TsSeverity     severity,
                                                    const char    *path,
                                                    const char    *format,
                                                    ...) G_GNUC_PRINTF (4, 5);
void                ts_diagnostics_add_at          (TsDiagnostics *self,
                                                    TsSeverity     severity,
                                                    guint          line,
                                                    guint          column,
                                                    const char    *format,
                                                    ...) G_GNUC_PRINTF (5, 6);
char               *ts_diagnostic_format           (TsDiagnostics      *self,
                                                    const TsDiagnostic *item);
char               *ts_diagnostics_to_string       (TsDiagnostics *self);

G_END_DECLS
