/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-demo.h"
#include "ts-store.h"

G_BEGIN_DECLS

/* The application: the login window first, then the main window for the
 * store it opened; -d CONNINFO connects at start; tasksteper:// links open
 * their ticket (tasksteper://PROJECT/NUMBER) or saved search
 * (tasksteper://PROJECT/search/NAME); a ticket newly passed to me raises
 * a desktop notification.
 * --demo (or the login window's Try the Demo, app.demo) starts the demo
 * server (ts-demo.h) and logs in as its maintainer. */

#define TS_APPLICATION_ID "io.github.tasksteper.TaskSteper"

#define TS_TYPE_APPLICATION (ts_application_get_type ())
G_DECLARE_FINAL_TYPE (TsApplication, ts_application, TS, APPLICATION, AdwApplication)

TsApplication *ts_application_new       (void);
/* The open session, or NULL before login. */
TsStore       *ts_application_get_store (TsApplication *self);
/* The main window, or NULL before login. */
GtkWindow     *ts_application_get_main_window (TsApplication *self);

/* The demo (tasksteper --demo, app.demo), or NULL when it was not asked
 * for.  In demo mode the app.switch-demo-user action (a login name)
 * exists, and the demo server stops when the application ends. */
TsDemo        *ts_application_get_demo  (TsApplication *self);

/* Parses "tasksteper://PROJECT/NUMBER"; FALSE if it is not such a link. */
gboolean       ts_parse_ticket_uri      (const char    *uri,
                                         char         **project,
                                         int           *number);
/* Parses "tasksteper://PROJECT/search/NAME" (NAME percent-encoded, UTF-8
 * allowed as is); FALSE if it is not such a link. */
gboolean       ts_parse_search_uri      (const char    *uri,
                                         char         **project,
                                         char         **name);

G_END_DECLS
