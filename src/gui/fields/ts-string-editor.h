/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a string field: a one-line text (GtkEntry). */

#define TS_TYPE_STRING_EDITOR (ts_string_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsStringEditor, ts_string_editor, TS, STRING_EDITOR, GtkWidget)

TsStringEditor *ts_string_editor_new (TsField *field);

G_END_DECLS
