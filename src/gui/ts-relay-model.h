/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tasksteper-core.h"

G_BEGIN_DECLS

/* One place in a TsRelayModel: the ticket shown there.  When that ticket
 * is read again (a new version, or a row that was still being read), the
 * row stays and its "ticket" changes, so a view updates the cells it has
 * instead of making new ones. */
#define TS_TYPE_RELAY_ROW (ts_relay_row_get_type ())
G_DECLARE_FINAL_TYPE (TsRelayRow, ts_relay_row, TS, RELAY_ROW, GObject)

TsTicket     *ts_relay_row_get_ticket (TsRelayRow   *self);

#define TS_TYPE_RELAY_MODEL (ts_relay_model_get_type ())
G_DECLARE_FINAL_TYPE (TsRelayModel, ts_relay_model, TS, RELAY_MODEL, GObject)

/* The tickets of another list model as TsRelayRows, one per place, every
 * change passed on as it came, except what a row can show in place: when
 * a change gives a place held by a view the same ticket again (by id), or
 * a ticket where a placeholder was (ts_ticket_list_is_placeholder()), the
 * row held there takes it and notifies "ticket".  With @quiet_in_place
 * that is all (the place itself did not change, so no view makes a row
 * again); without, the change is passed on as well, for a model that
 * must see every change (a GtkSortListModel sorting the rows here).  A
 * ticket that moved within a change keeps its row, so a selection on it
 * stays.
 *
 * Rows added after those told of are told of a few at a time, one step a
 * frame, until about a window's worth (200) are; then the rest at once.
 * GTK 4.8 makes the widgets of some 200 rows of a new table as soon as it
 * is told of them, 4-5 ms for every 16: all in one frame, that was a
 * frame of 80-100 ms.
 *
 * GTK 4.8 makes a new row of widgets for every place a change gives
 * another object, a few milliseconds a row; and its GtkMapListModel
 * misplaces rows after a change (the new ones after the first row a view
 * holds instead of before it), which is what the tables used before. */
TsRelayModel *ts_relay_model_new      (GListModel   *model,
                                       gboolean      quiet_in_place);

/* Whether rows of the model are still to be told of. */
gboolean      ts_relay_model_get_growing (TsRelayModel *self);

/* Every row held notifies "ticket", so views show them again (the names
 * people are shown by arrived).  Without quiet-in-place every place is
 * announced as changed too. */
void          ts_relay_model_rebind   (TsRelayModel *self);

G_END_DECLS
