/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* What the application shows while it starts the demo (tasksteper --demo,
 * the login window's Try the Demo): from its first frame a status page with
 * a spinner and what is being done ("Creating the demo server; the first
 * time takes a few seconds…"), then, if the demo cannot start, why and what
 * to do, with Try Again (app.demo) and Connect to a Server Instead
 * (app.connect).  The main window replaces it once logged in. */

#define TS_TYPE_DEMO_WINDOW (ts_demo_window_get_type ())
G_DECLARE_FINAL_TYPE (TsDemoWindow, ts_demo_window, TS, DEMO_WINDOW, AdwApplicationWindow)

TsDemoWindow *ts_demo_window_new        (AdwApplication *application);
/* Busy, doing @status. */
void          ts_demo_window_set_status (TsDemoWindow   *self,
                                         const char     *status);
/* Failed: @message says why and what to do. */
void          ts_demo_window_show_error (TsDemoWindow   *self,
                                         const char     *message);
gboolean      ts_demo_window_get_failed (TsDemoWindow   *self);

G_END_DECLS
