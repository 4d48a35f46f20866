/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a integer field: a whole number (GtkSpinButton; an empty text is null). */

#define TS_TYPE_INTEGER_EDITOR (ts_integer_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsIntegerEditor, ts_integer_editor, TS, INTEGER_EDITOR, GtkWidget)

TsIntegerEditor *ts_integer_editor_new (TsField *field);

G_END_DECLS
