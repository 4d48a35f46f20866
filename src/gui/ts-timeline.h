/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-comment.h"
#include "ts-store.h"
#include "ts-ticket-form.h"

G_BEGIN_DECLS

/* The timeline of one ticket in its editor: what happened to it, oldest
 * first and newest last, one row per change (who, when, the trigger, the
 * state and assignee moves, and each field's old → new value shown as
 * the form shows it: choice text, a person's display name, Yes/No, the
 * date), long values folded behind *Show More*, and a line diff for
 * multi-line `text` fields (removed and added lines marked with − and +,
 * not by colour alone).  Each row has an accessible name saying who did
 * what and when.  The values are named and shown through @form (labels,
 * display names once members arrive). */

#define TS_TYPE_TIMELINE (ts_timeline_get_type ())
G_DECLARE_FINAL_TYPE (TsTimeline, ts_timeline, TS, TIMELINE, AdwBin)

TsTimeline *ts_timeline_new          (TsTicketForm *form);

/* @history: (element-type TsHistoryEntry) (nullable): as
 * ts_store_get_history_finish() gives it, oldest first. */
void        ts_timeline_set_history  (TsTimeline   *self,
                                      GPtrArray    *history);
/* @comments: (element-type TsComment) (nullable): as
 * ts_store_list_comments_finish() gives them, oldest first; shown among
 * the changes by their time (a comment made with a change after it). */
void        ts_timeline_set_comments (TsTimeline   *self,
                                      GPtrArray    *comments);
/* Shows everything again (e.g. people's display names have arrived). */
void        ts_timeline_refresh      (TsTimeline   *self);
/* The number of rows shown now. */
guint       ts_timeline_get_n_rows   (TsTimeline   *self);

/* @text as Pango markup for a GtkLabel: escaped, with each http://,
 * https:// and tasksteper:// link made a link.  A new string. */
char       *ts_timeline_linkify      (const char   *text);

/* How @form shows @value of @field, as one line of text a person reads:
 * the choice, the member's display name ("Nobody" for none), Yes or No,
 * the number, the date; "(empty)" for an empty value.  A new string. */
char       *ts_timeline_format_value (TsTicketForm *form,
                                      const char   *field,
                                      JsonNode     *value);

G_END_DECLS
