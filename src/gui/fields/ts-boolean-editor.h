/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a boolean field: yes or no (GtkCheckButton labelled by the field). */

#define TS_TYPE_BOOLEAN_EDITOR (ts_boolean_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsBooleanEditor, ts_boolean_editor, TS, BOOLEAN_EDITOR, GtkWidget)

TsBooleanEditor *ts_boolean_editor_new (TsField *field);

G_END_DECLS
