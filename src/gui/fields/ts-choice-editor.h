/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a choice field: one of the schema's choices (GtkDropDown). */

#define TS_TYPE_CHOICE_EDITOR (ts_choice_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsChoiceEditor, ts_choice_editor, TS, CHOICE_EDITOR, GtkWidget)

TsChoiceEditor *ts_choice_editor_new              (TsField        *field);

/* For a field with depends_on: the parent field and the value it holds
 * now.  The list offers the choices for that value (ts_field_get_choices_for)
 * and keeps the value shown even when the parent's value does not allow
 * it; the check then says so.  No "changed" is emitted. */
void            ts_choice_editor_set_parent       (TsChoiceEditor *self,
                                                   TsField        *parent);
void            ts_choice_editor_set_parent_value (TsChoiceEditor *self,
                                                   const char     *parent_value);

G_END_DECLS
