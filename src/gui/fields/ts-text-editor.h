/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a text field: a multi-line text (GtkTextView growing with its text). */

#define TS_TYPE_TEXT_EDITOR (ts_text_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsTextEditor, ts_text_editor, TS, TEXT_EDITOR, GtkWidget)

TsTextEditor *ts_text_editor_new (TsField *field);

G_END_DECLS
