/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-demo.h"

G_BEGIN_DECLS

/* How a demo chooses its place (see ts-demo.h), from what the environment
 * says, so the tests can try every case: @override is
 * $TASKSTEPER_DEMO_DIR or NULL, @uid the effective user id (0: root),
 * @data_home g_get_user_data_dir(), @runtime_dir $XDG_RUNTIME_DIR or NULL.
 * Gives the directory of the cluster and the log, and the socket's. */
void  _ts_demo_choose_dirs        (const char  *override,
                                   guint        uid,
                                   const char  *data_home,
                                   const char  *runtime_dir,
                                   char       **dir,
                                   char       **socket_dir);

/* The directory that holds the example projects: $TASKSTEPER_SCHEMAS_DIR,
 * else the installed one, else the source tree's schemas/. */
char *_ts_demo_find_schemas_dir   (GError     **error);

/* A demo in @dir (socket in DIR/socket), as with $TASKSTEPER_DEMO_DIR. */
TsDemo *_ts_demo_new_for_dir      (const char  *dir);

G_END_DECLS
