/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a choice field: one of the schema's choices (GtkDropDown). */

#define TS_TYPE_CHOICE_EDITOR (ts_choice_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsChoiceEditor, ts_choice_editor, TS, CHOICE_EDITOR, GtkWidget)

TsChoiceEditor *ts_choice_editor_new (TsField *field);

G_END_DECLS
