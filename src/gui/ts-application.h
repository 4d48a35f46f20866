/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ts-store.h"

G_BEGIN_DECLS

/* The application: the login window first, then the main window for the
 * store it opened; -d CONNINFO connects at start; tasksteper:// links open
 * their ticket; a ticket newly passed to me raises a desktop notification. */

#define TS_APPLICATION_ID "io.github.tasksteper.TaskSteper"

#define TS_TYPE_APPLICATION (ts_application_get_type ())
G_DECLARE_FINAL_TYPE (TsApplication, ts_application, TS, APPLICATION, AdwApplication)

TsApplication *ts_application_new       (void);
/* The open session, or NULL before login. */
TsStore       *ts_application_get_store (TsApplication *self);
/* The main window, or NULL before login. */
GtkWindow     *ts_application_get_main_window (TsApplication *self);

/* Parses "tasksteper://PROJECT/NUMBER"; FALSE if it is not such a link. */
gboolean       ts_parse_ticket_uri      (const char    *uri,
                                         char         **project,
                                         int           *number);

G_END_DECLS
