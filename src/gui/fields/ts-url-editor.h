/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-field-editor.h"

G_BEGIN_DECLS

/* The editor of a url field: a link (GtkEntry and an Open Link button). */

#define TS_TYPE_URL_EDITOR (ts_url_editor_get_type ())
G_DECLARE_FINAL_TYPE (TsUrlEditor, ts_url_editor, TS, URL_EDITOR, GtkWidget)

TsUrlEditor *ts_url_editor_new (TsField *field);

G_END_DECLS
