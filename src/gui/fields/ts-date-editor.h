/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a date field: a day (GtkMenuButton with a calendar). */

#define TS_TYPE_DATE_EDITOR (ts_date_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsDateEditor, ts_date_editor, TS, DATE_EDITOR, GtkWidget)

TsDateEditor *ts_date_editor_new (TsField *field);

G_END_DECLS
