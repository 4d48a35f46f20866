/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TS_TYPE_RELAY_MODEL (ts_relay_model_get_type ())
G_DECLARE_FINAL_TYPE (TsRelayModel, ts_relay_model, TS, RELAY_MODEL, GObject)

/* The rows of another list model, the same objects at the same places,
 * with every change passed on as it came; and one more: rebind() says
 * that every row changed, so that views bind them again.
 *
 * This is what the tables used GtkMapListModel with an identity function
 * for.  GTK 4.8's map model misplaces rows after a change: when the rows
 * after the changed ones are held by a view, it puts the new ones after
 * the first of those, so every row from there on is given one place too
 * early, and a view then finds the same ticket twice ("Duplicate item
 * detected in list") and shows rows that are not there. */
TsRelayModel *ts_relay_model_new    (GListModel   *model);
void          ts_relay_model_rebind (TsRelayModel *self);

G_END_DECLS
