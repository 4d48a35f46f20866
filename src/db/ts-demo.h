/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ts-local-server.h"

G_BEGIN_DECLS

/* The demo (`tasksteper --demo`): a private PostgreSQL server for the
 * person at the computer (a TsLocalServer) holding database
 * TS_DEMO_DATABASE, with the five example projects of schemas/, three
 * people who are members of all of them (张伟 zhangwei, maintainer; 李娜
 * lina, reviewer; 王芳 wangfang, SE) and fourteen tickets they moved through
 * the real SQL functions, in various states.
 *
 * Where it lives:
 *  - $TASKSTEPER_DEMO_DIR when set: the cluster in DIR/data, its log in
 *    DIR/server.log, the socket in DIR/socket;
 *  - as root: /var/tmp/tasksteper-demo-UID, laid out the same way, because
 *    the server then runs as the postgres (or nobody) system user, which
 *    cannot enter root's home; the directory belongs to that user, mode
 *    0700;
 *  - else: the cluster and log under g_get_user_data_dir()/tasksteper/demo
 *    (~/.local/share/tasksteper/demo), the socket in
 *    $XDG_RUNTIME_DIR/tasksteper-demo (private to the user, and gone at
 *    logout), or DIR/socket without a runtime directory.
 * Every connection on that socket is trusted, so the socket directory is
 * kept private (see ts-local-server.h).
 *
 * The first start creates the cluster and fills it (a few seconds); later
 * starts find the database marked as seeded and only start the server,
 * bringing the server side up to date when TaskSteper is newer.  The
 * example projects are read from $TASKSTEPER_SCHEMAS_DIR, else from the
 * installed schemas directory, else from the source tree's schemas/. */

#define TS_DEMO_DATABASE "tasksteper_demo"

#define TS_DEMO_ERROR (ts_demo_error_quark ())
GQuark ts_demo_error_quark (void);

typedef enum
{
  TS_DEMO_ERROR_NO_SCHEMAS,  /* the example projects were not found, or are not valid */
  TS_DEMO_ERROR_FAILED,      /* filling the demo database failed; the message says why */
} TsDemoError;

#define TS_TYPE_DEMO (ts_demo_get_type ())
G_DECLARE_FINAL_TYPE (TsDemo, ts_demo, TS, DEMO, GObject)

/* A demo in the usual place (see above); nothing happens until it starts. */
TsDemo             *ts_demo_new             (void);
TsLocalServer      *ts_demo_get_server      (TsDemo              *self);
/* The directory that holds the cluster and the log. */
const char         *ts_demo_get_dir         (TsDemo              *self);
/* What a start is doing now, for a person ("Starting the demo server…"),
 * or NULL; the "status" property notifies its changes on the thread
 * default main context of the start_async() call. */
const char         *ts_demo_get_status      (TsDemo              *self);
/* The status a start begins with: whether it creates the server first. */
const char         *ts_demo_get_start_status (TsDemo             *self);
/* Whether the last start filled the database (the first start did). */
gboolean            ts_demo_get_seeded      (TsDemo              *self);

/* Starts the server (creating it the first time) and fills the database
 * the first time, in a thread. */
void                ts_demo_start_async     (TsDemo              *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean            ts_demo_start_finish    (TsDemo              *self,
                                             GAsyncResult        *result,
                                             GError             **error);
/* Stops the server, keeping the data.  Blocks (well under a second): for
 * the end of the program, when the main loop is over. */
gboolean            ts_demo_stop            (TsDemo              *self,
                                             GError             **error);

/* The connection string that logs @user in to the demo database. */
char               *ts_demo_dup_conninfo    (TsDemo              *self,
                                             const char          *user);

/* The demo people's login names, the maintainer first. */
const char * const *ts_demo_get_users       (void);
gboolean            ts_demo_is_user         (const char          *user);
/* Their names as the demo shows them ("张伟"). */
const char         *ts_demo_get_user_name   (const char          *user);

G_END_DECLS
