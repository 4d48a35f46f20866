/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* What the application keeps in GSettings that a person may want to
 * change: the remembered server (with a button that forgets it) and the
 * offline copy.  Every row is bound to its key, so a change is kept as it
 * is made (Host when the row is done with, so that a password in a
 * connection string is never kept); there is nothing to apply. */

#define TS_TYPE_PREFERENCES_WINDOW (ts_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (TsPreferencesWindow, ts_preferences_window, TS, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* A modal window over @parent (nullable), in @parent's application. */
TsPreferencesWindow *ts_preferences_window_new (GtkWindow *parent);

G_END_DECLS
