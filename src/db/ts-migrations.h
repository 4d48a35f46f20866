/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* The server side of TaskSteper (data/sql/NNNN-*.sql, embedded as a
 * GResource) and its installation.  These calls block: they serve the admin
 * tool, the tests and the demo server's first start, never the GTK main
 * loop. */

#define TS_MIGRATIONS_ERROR (ts_migrations_error_quark ())
GQuark ts_migrations_error_quark (void);

typedef enum
{
  TS_MIGRATIONS_ERROR_SERVER_TOO_OLD,  /* PostgreSQL older than 13 */
  TS_MIGRATIONS_ERROR_NOT_SUPERUSER,   /* init needs a superuser */
  TS_MIGRATIONS_ERROR_NOT_UTF8,        /* the database's encoding is not UTF8 */
  TS_MIGRATIONS_ERROR_NEWER_SERVER,    /* the database has a newer version than we know */
  TS_MIGRATIONS_ERROR_FAILED,          /* a migration failed; nothing of it was applied */
} TsMigrationsError;

/* The highest version the embedded migrations reach. */
int      ts_migrations_get_latest  (void);

/* The version installed in the database @conn is connected to; 0 when
 * TaskSteper is not installed there.  -1 with @error set on failure. */
int      ts_migrations_get_current (PGconn  *conn,
                                    GError **error);

/* Applies every embedded migration newer than the current version, in
 * order, each in its own transaction; idempotent.  @from and @to (either
 * may be NULL) receive the versions before and after (equal when there was
 * nothing to do, also when another init did it meanwhile).  Leaves the
 * connection's client encoding at UTF8. */
gboolean ts_migrations_apply       (PGconn  *conn,
                                    int     *from,
                                    int     *to,
                                    GError **error);

G_END_DECLS
