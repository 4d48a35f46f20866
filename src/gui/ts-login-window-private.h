/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-login-window.h"

G_BEGIN_DECLS

/* How the login window turns its fields into a libpq connection string;
 * internal, exposed for the tests. */

/* TRUE when @host is a whole connection string rather than a host: a URI
 * ("postgresql://…", "postgres://…") or key=value pairs ("service=x"). */
gboolean  _ts_login_window_is_conninfo         (const char *host);

/* A key=value connection string of the non-empty fields, each value
 * quoted for libpq; empty fields are left out so that libpq's defaults,
 * the PG* environment, ~/.pgpass and service files apply.  An sslmode of
 * "prefer" (libpq's default) is left out too.  When @host is a whole
 * connection string (see above) it is returned as it is. */
char     *_ts_login_window_build_conninfo      (const char *host,
                                                const char *port,
                                                const char *dbname,
                                                const char *user,
                                                const char *sslmode,
                                               const char *sslrootcert);
/* Whether libpq checks the server's certificate against a CA (sslrootcert)
 * with @sslmode: verify-ca and verify-full. */
gboolean  _ts_login_window_sslmode_checks_ca   (const char *sslmode);

/* @conninfo rewritten as key=value pairs without its password (so that it
 * can be remembered), or NULL when libpq cannot parse it. */
char     *_ts_login_window_strip_password      (const char *conninfo);

G_END_DECLS
