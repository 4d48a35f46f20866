/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the GUI tests share: waiting on the main loop, screenshots saved as
 * test artifacts, and a database ready for the issue_track walk. */

#include <gtk/gtk.h>

#include "ts-test-server.h"

G_BEGIN_DECLS

/* Runs the main loop for @ms milliseconds. */
void  ts_test_iterate           (guint          ms);

/* Runs the main loop until @condition holds, failing after 30 seconds. */
#define TS_WAIT_FOR(condition)                                                \
  G_STMT_START {                                                              \
    gint64 _ts_deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;      \
    while (!(condition) && g_get_monotonic_time () < _ts_deadline)            \
      g_main_context_iteration (NULL, FALSE);                                 \
    g_assert_true (condition);                                                \
  } G_STMT_END

/* Saves what @widget shows as $TS_ARTIFACTS_DIR/@name (PNG); does nothing
 * when the variable is not set.  @background: (nullable): painted under a
 * widget that draws none of its own. */
void  ts_test_save_screenshot   (GtkWidget     *widget,
                                 const char    *name,
                                 const GdkRGBA *background);

/* A new database with the server side installed, issue_track imported and
 * @members (login roles, created when missing) in it.  Returns its name. */
char *ts_test_prepare_issue_track (TsTestServer       *server,
                                   const char * const *members);

/* The first value of a query run as the superuser, or NULL for no row. */
char *ts_test_query_value       (TsTestServer  *server,
                                 const char    *db,
                                 const char    *sql,
                                 const char    *param);

/* Real input, as a person gives it: the events go through the X server
 * (the XTest extension of Xvfb) to GDK, so every handler, gesture, focus
 * change and cursor blink of a real session runs.  The window must be
 * shown.  Each call waits until GTK has handled what it sent. */

/* Moves the pointer over the centre of @widget and clicks button 1 there;
 * gives its toplevel the keyboard focus first, as a window manager would. */
void  ts_test_click             (GtkWidget     *widget);
/* Rests the pointer on the middle of @widget, arriving from beside it,
 * as a person does to read a tooltip; returns the tooltip's window once
 * it shows.  (ts_test_click() clicks, which hides tooltips.) */
GtkWidget *ts_test_hover        (GtkWidget     *widget);
/* The same at (@x, @y) in @widget's coordinates. */
void  ts_test_click_at          (GtkWidget     *widget,
                                 double         x,
                                 double         y);
void  ts_test_double_click      (GtkWidget     *widget);
/* Button 3 (the context menu) at the centre of @widget. */
void  ts_test_right_click       (GtkWidget     *widget);
/* Types @text (UTF-8, any characters: those not on the keyboard map are
 * put on a spare key for the moment, as xdotool does) into whatever has
 * the keyboard focus of @window's toplevel. */
void  ts_test_type              (GtkWidget     *window,
                                 const char    *text);
/* Presses and releases @keyval with @modifiers (Ctrl, Shift, Alt) held. */
void  ts_test_key               (GtkWidget     *window,
                                 guint          keyval,
                                 GdkModifierType modifiers);

/* The first mapped GtkLabel under @ancestor (popovers included) whose
 * text is @text, or NULL. */
GtkWidget *ts_test_find_label   (GtkWidget     *ancestor,
                                 const char    *text);
/* Opens the drop-down @dropdown with a click and clicks the item shown
 * as @text. */
void  ts_test_choose            (GtkWidget     *dropdown,
                                 const char    *text);

G_END_DECLS
