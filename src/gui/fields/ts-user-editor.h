/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"
#include "ts-member.h"

G_BEGIN_DECLS

/* The editor of a user field: a member of the project (GtkDropDown of people). */

#define TS_TYPE_USER_EDITOR (ts_user_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsUserEditor, ts_user_editor, TS, USER_EDITOR, GtkWidget)

TsUserEditor *ts_user_editor_new (TsField *field);

G_END_DECLS
