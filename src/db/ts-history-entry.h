/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One row of a ticket's history: who did what, when. */
#define TS_TYPE_HISTORY_ENTRY (ts_history_entry_get_type ())
G_DECLARE_FINAL_TYPE (TsHistoryEntry, ts_history_entry, TS, HISTORY_ENTRY, GObject)

TsHistoryEntry *ts_history_entry_new               (GDateTime      *at,
                                                    const char     *actor,
                                                    const char     *trigger,
                                                    const char     *from_state,
                                                    const char     *to_state,
                                                    const char     *from_assignee,
                                                    const char     *to_assignee,
                                                    JsonObject     *changes);
GDateTime      *ts_history_entry_get_at            (TsHistoryEntry *self);
const char     *ts_history_entry_get_actor         (TsHistoryEntry *self);
/* NULL for a creation or a plain save. */
const char     *ts_history_entry_get_trigger       (TsHistoryEntry *self);
/* NULL at creation. */
const char     *ts_history_entry_get_from_state    (TsHistoryEntry *self);
const char     *ts_history_entry_get_to_state      (TsHistoryEntry *self);
const char     *ts_history_entry_get_from_assignee (TsHistoryEntry *self);
const char     *ts_history_entry_get_to_assignee   (TsHistoryEntry *self);
/* field → {"old": …, "new": …} */
JsonObject     *ts_history_entry_get_changes       (TsHistoryEntry *self);

G_END_DECLS
