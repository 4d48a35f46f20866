/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-store.h"

G_BEGIN_DECLS

/* Watches the store's change notifications for tickets that someone else
 * has just passed to me, the moment for a desktop notification.  GTK-free:
 * the application turns "assigned" into a GNotification. */

#define TS_TYPE_ASSIGNMENT_WATCHER (ts_assignment_watcher_get_type ())
G_DECLARE_FINAL_TYPE (TsAssignmentWatcher, ts_assignment_watcher, TS, ASSIGNMENT_WATCHER, GObject)

TsAssignmentWatcher *ts_assignment_watcher_new (TsStore *store);

/* Emitted as
 *   void (*assigned) (TsAssignmentWatcher *self, TsTicket *ticket, TsHistoryEntry *entry);
 * where @entry is the change that made me the assignee. */

G_END_DECLS
