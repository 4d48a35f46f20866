/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* One connection to the TaskSteper server, driven by libpq in non-blocking
 * mode on the GLib main loop: connecting, queries and notifications never
 * block the thread that owns it.  Queries are queued and sent one at a time.
 * GTK-free, so tests and the admin tool can use it without a display. */

#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

typedef enum
{
  TS_CONNECTION_DISCONNECTED,  /* never connected, or closed */
  TS_CONNECTION_CONNECTING,
  TS_CONNECTION_READY,
  TS_CONNECTION_LOST,          /* was ready; the server went away */
} TsConnectionState;

#define TS_TYPE_CONNECTION_STATE (ts_connection_state_get_type ())
GType ts_connection_state_get_type (void) G_GNUC_CONST;

#define TS_CONNECTION_ERROR (ts_connection_error_quark ())
GQuark ts_connection_error_quark (void);

typedef enum
{
  TS_CONNECTION_ERROR_FAILED,          /* the server refused us; see the message */
  TS_CONNECTION_ERROR_NEEDS_PASSWORD,  /* the server asks for a password and none was given */
  TS_CONNECTION_ERROR_BAD_PASSWORD,    /* the password was wrong */
  TS_CONNECTION_ERROR_UNREACHABLE,     /* no answer in time, or no such host or socket */
  TS_CONNECTION_ERROR_LOST,            /* the connection broke during the call */
  TS_CONNECTION_ERROR_TIMED_OUT,       /* a query took longer than its deadline */
  TS_CONNECTION_ERROR_CLOSED,          /* not connected */
  TS_CONNECTION_ERROR_TLS,             /* no secure connection: the certificate, its CA file or the host name */
} TsConnectionError;

#define TS_TYPE_CONNECTION (ts_connection_get_type ())
G_DECLARE_FINAL_TYPE (TsConnection, ts_connection, TS, CONNECTION, GObject)

/* @conninfo: a libpq connection string or URI ("" for libpq's defaults and
 * the PG* environment); ~/.pgpass and service files work as in psql.
 * @password: (nullable): used only when the server asks for one. */
TsConnection      *ts_connection_new                (const char           *conninfo,
                                                     const char           *password);
const char        *ts_connection_get_conninfo       (TsConnection         *self);
TsConnectionState  ts_connection_get_state          (TsConnection         *self);
/* The login role: the one the connection string names (or libpq's
 * default), then the one the server confirmed. */
const char        *ts_connection_get_user           (TsConnection         *self);
/* Which server, database and login the connection string names, the same
 * way whether or not it is connected (libpq's environment and defaults
 * fill what the string leaves out): the key of the offline cache.
 * @server: (out): "host|port|dbname", or "service=NAME" for a service. */
void               ts_connection_dup_target         (TsConnection         *self,
                                                     char                **server,
                                                     char                **user);
/* "dbname on host", for a person. */
char              *ts_connection_dup_description    (TsConnection         *self);

/* How long connecting and each query may take before failing with
 * UNREACHABLE / TIMED_OUT; 0 for no limit.  Defaults: 15 s and 60 s. */
void               ts_connection_set_timeouts       (TsConnection         *self,
                                                     guint                 connect_seconds,
                                                     guint                 query_seconds);

void               ts_connection_connect_async      (TsConnection         *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean           ts_connection_connect_finish     (TsConnection         *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Queues a parameterised statement ($1, $2, ...; values as text, NULL for
 * SQL NULL).  The result is the statement's PGresult whatever its status:
 * an SQL error is the caller's to interpret (PQresultStatus and
 * PQresultErrorField); @error is set only when there is no result at all
 * (lost, closed, timed out, cancelled).  Cancelling a query that is running
 * asks the server to cancel it. */
void               ts_connection_query_async        (TsConnection         *self,
                                                     const char           *sql,
                                                     const char * const   *params,
                                                     int                   n_params,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
PGresult          *ts_connection_query_finish       (TsConnection         *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* How many statements the connection has sent to the server since it was
 * made (over every reconnect): for tests and benchmarks. */
guint64            ts_connection_get_n_queries      (TsConnection         *self);

/* @name quoted as an SQL identifier (PQescapeIdentifier, in the
 * connection's encoding), or NULL when not connected or @name cannot be. */
char              *ts_connection_quote_identifier   (TsConnection         *self,
                                                     const char           *name);

/* Closes the connection; queued queries fail with CLOSED. */
void               ts_connection_close              (TsConnection         *self);

G_END_DECLS
