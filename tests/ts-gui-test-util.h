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

G_END_DECLS
