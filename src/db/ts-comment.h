/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One comment on a ticket (tasksteper.comments, docs/sql-api.md "Comments
 * (since version 9)"): who said what, when.  Comments are never edited. */
#define TS_TYPE_COMMENT (ts_comment_get_type ())
G_DECLARE_FINAL_TYPE (TsComment, ts_comment, TS, COMMENT, GObject)

TsComment  *ts_comment_new           (gint64      id,
                                      gint64      ticket_id,
                                      GDateTime  *at,
                                      const char *author,
                                      const char *body);
gint64      ts_comment_get_id        (TsComment  *self);
gint64      ts_comment_get_ticket_id (TsComment  *self);
GDateTime  *ts_comment_get_at        (TsComment  *self);
/* The login of the member who wrote it. */
const char *ts_comment_get_author    (TsComment  *self);
const char *ts_comment_get_body      (TsComment  *self);

G_END_DECLS
