/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ts-project.h"
#include "ts-ticket.h"

G_BEGIN_DECLS

/* Release notes (the seed's 六): the tickets that reached a state within a
 * window of days, one Markdown line each with the value of a text field,
 * optionally grouped by a choice field.  GTK-free; the tickets come from
 * a search with ts_release_notes_dup_filter().  What it writes:
 *
 *   # 网上问题处理 — 关闭 (2018-01-01 – 2018-01-31)
 *
 *   ## 存储
 *
 *   - [question_1](tasksteper://issue_track/1) The first line of the text
 *     and its other lines, indented
 *
 *   ## 责任领域: none
 *
 *   - [question_5](tasksteper://issue_track/5) …
 *
 *   ## Without 发布说明
 *
 *   - [question_7](tasksteper://issue_track/7) the ticket's summary
 *
 * Groups follow the order of the field's choices; values that are no
 * longer among them come next (in byte order), tickets without a value
 * last.  Empty groups are left out.  Tickets whose text field is empty
 * (or white space) are not dropped: they are listed under a last heading,
 * with their summary, so the notes show what is missing.  Within a group
 * tickets go by number.  Line breaks become LF; the lines after the first
 * are indented by two spaces (continuation lines of the list item),
 * blank lines at the start and end of the text are dropped. */

#define TS_RELEASE_NOTES_ERROR (ts_release_notes_error_quark ())
GQuark ts_release_notes_error_quark (void);

typedef enum
{
  TS_RELEASE_NOTES_ERROR_BAD_DATE,       /* not YYYY-MM-DD, or no such day */
  TS_RELEASE_NOTES_ERROR_BAD_WINDOW,     /* the window ends before it starts */
  TS_RELEASE_NOTES_ERROR_UNKNOWN_STATE,
  TS_RELEASE_NOTES_ERROR_BAD_FIELD,      /* not a string/text field, or not a choice field to group by */
} TsReleaseNotesError;

/* Reads a day as YYYY-MM-DD (white space around it allowed); the error
 * says what to write instead. */
gboolean ts_release_notes_parse_date (const char  *text,
                                      GDate       *date,
                                      GError     **error);

#define TS_TYPE_RELEASE_NOTES (ts_release_notes_get_type ())
G_DECLARE_FINAL_TYPE (TsReleaseNotes, ts_release_notes, TS, RELEASE_NOTES, GObject)

/* @from and @to (YYYY-MM-DD, both days included); @text_field a string or
 * text field; @group_by: (nullable): a choice field. */
TsReleaseNotes *ts_release_notes_new         (TsProject       *project,
                                              const char      *state,
                                              const char      *from,
                                              const char      *to,
                                              const char      *text_field,
                                              const char      *group_by,
                                              GError         **error);

/* {"reached": {"state": S, "from": A, "to": B}}: the search that gives
 * the tickets. */
JsonNode       *ts_release_notes_dup_filter  (TsReleaseNotes  *self);

/* Adds tickets (a ticket added twice counts once). */
void            ts_release_notes_add         (TsReleaseNotes  *self,
                                              TsTicket        *ticket);
guint           ts_release_notes_get_n_tickets (TsReleaseNotes *self);

char           *ts_release_notes_to_markdown (TsReleaseNotes  *self);

G_END_DECLS
