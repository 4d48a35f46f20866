/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A PostgreSQL server of our own, run from the machine's PostgreSQL
 * programs: the demo server (ts-demo.h) and the tests' throwaway clusters
 * (tests/ts-test-server.h) are both one of these.
 *
 * The programs (initdb, pg_ctl, postgres) are taken from the bindir set with
 * ts_local_server_set_bindir(), else from $TS_PG_BINDIR, else from
 * `pg_config --bindir`, else from the newest /usr/lib/postgresql/VERSION/bin
 * (Debian, Ubuntu), /usr/pgsql-VERSION/bin (PGDG packages), the directory of
 * pg_ctl in $PATH, /usr/bin (Fedora's postgresql-server), or
 * /usr/lib64/pgsql/postgresql-VERSION/bin.  Without them, starting fails with
 * TS_LOCAL_SERVER_ERROR_NOT_INSTALLED and a message that says what to
 * install.
 *
 * The first start creates the cluster (initdb: UTF8, the C.UTF-8 locale, or
 * en_US.UTF-8 where there is none; superuser TS_LOCAL_SERVER_SUPERUSER).  It
 * listens on a Unix socket only, never on TCP (listen_addresses = ''), and
 * trusts every connection on that socket: whoever can open the socket can
 * connect as any role, the superuser included.  What keeps other people out
 * is therefore the socket directory, which must be a real directory (not a
 * symbolic link) with mode 0700 owned by the user the server runs as;
 * the socket itself also gets mode 0700 (unix_socket_permissions).  Starting
 * creates the socket and cluster directories, makes them 0700 and refuses
 * one that belongs to someone else or is a symbolic link; the log's
 * directory is only created when missing.
 *
 * PostgreSQL refuses to run as root.  When we are root (containers, CI),
 * initdb, pg_ctl and so the server run as the "postgres" system user, or
 * "nobody" without one, through runuser(1); the directories then belong to
 * that user, and must be reachable by it: a directory under root's home is
 * not, /var/tmp is.  Root can still connect to the socket.
 *
 * Starting and stopping run pg_ctl with -w and block until the server is up
 * or down, typically under a second (initdb takes a few seconds more): call
 * the _async variants from a GTK main loop, which run them in a GTask
 * thread.  Calls on one server are serialised. */

#define TS_LOCAL_SERVER_SUPERUSER "postgres"

#define TS_LOCAL_SERVER_ERROR (ts_local_server_error_quark ())
GQuark ts_local_server_error_quark (void);

typedef enum
{
  TS_LOCAL_SERVER_ERROR_NOT_INSTALLED,   /* no initdb, pg_ctl and postgres: install PostgreSQL */
  TS_LOCAL_SERVER_ERROR_NO_SERVER_USER,  /* as root: no user to run the server as, or no runuser */
  TS_LOCAL_SERVER_ERROR_DIRECTORY,       /* a directory cannot be created, reached or kept private */
  TS_LOCAL_SERVER_ERROR_FAILED,          /* initdb or pg_ctl failed; the message has their output */
} TsLocalServerError;

typedef enum
{
  TS_LOCAL_SERVER_STOP_FAST,       /* end the sessions, shut down cleanly */
  TS_LOCAL_SERVER_STOP_IMMEDIATE,  /* no clean shutdown; recovery runs at the next start */
} TsLocalServerStopMode;

#define TS_TYPE_LOCAL_SERVER (ts_local_server_get_type ())
G_DECLARE_FINAL_TYPE (TsLocalServer, ts_local_server, TS, LOCAL_SERVER, GObject)

/* @data_dir: the cluster's directory (PGDATA).  @socket_dir: where the
 * socket ".s.PGSQL.@port" goes.  The server log goes to "server.log" beside
 * @data_dir unless the "log-file" property says otherwise.  The "durable"
 * property (TRUE by default) may be set to FALSE for a throwaway cluster:
 * no fsync, faster and unsafe after a crash. */
TsLocalServer *ts_local_server_new               (const char             *data_dir,
                                                  const char             *socket_dir,
                                                  guint                   port);

const char    *ts_local_server_get_data_dir      (TsLocalServer          *self);
const char    *ts_local_server_get_socket_dir    (TsLocalServer          *self);
guint          ts_local_server_get_port          (TsLocalServer          *self);
const char    *ts_local_server_get_log_file      (TsLocalServer          *self);
gboolean       ts_local_server_get_durable       (TsLocalServer          *self);

/* Where the PostgreSQL programs are: what ts_local_server_set_bindir() set,
 * else what ts_local_server_find_programs() found, else NULL. */
const char    *ts_local_server_get_bindir        (TsLocalServer          *self);
void           ts_local_server_set_bindir        (TsLocalServer          *self,
                                                  const char             *bindir);
/* A postgresql.conf setting for the next start (quoted for you). */
void           ts_local_server_set_setting       (TsLocalServer          *self,
                                                  const char             *name,
                                                  const char             *value);

/* Finds the programs and, as root, the user to run them as; done by
 * ts_local_server_start() too.  Blocks only to run pg_config. */
gboolean       ts_local_server_find_programs     (TsLocalServer          *self,
                                                  GError                **error);
/* The user the server runs as when we are root, else NULL. */
const char    *ts_local_server_get_server_user   (TsLocalServer          *self);
/* The command line that runs PostgreSQL's @program as the server's user
 * ([runuser -u USER --] BINDIR/PROGRAM), for callers that run pg_ctl
 * themselves, such as the test harness's watchdog.  After
 * ts_local_server_find_programs(). */
GStrv          ts_local_server_dup_program_argv   (TsLocalServer          *self,
                                                  const char             *program);

/* Whether the data directory holds a cluster. */
gboolean       ts_local_server_is_initialized    (TsLocalServer          *self);
/* The postmaster's process id while it runs (from postmaster.pid), else 0. */
GPid           ts_local_server_get_pid           (TsLocalServer          *self);
gboolean       ts_local_server_is_running        (TsLocalServer          *self);
/* A guarded server (FALSE by default) is stopped by a small process of
 * its own, the guardian, as soon as this process is gone without having
 * stopped it (a crash, SIGKILL), or this object is finalized with the
 * server running.  The guardian starts with the next start; it works as
 * root too, where the server runs as another user.  The demo is guarded. */
void           ts_local_server_set_guarded       (TsLocalServer          *self,
                                                  gboolean                guarded);

/* Whether the last successful start created the cluster (ran initdb). */
gboolean       ts_local_server_get_created       (TsLocalServer          *self);

/* A libpq conninfo string for this server; @dbname and @user default to
 * TS_LOCAL_SERVER_SUPERUSER. */
char          *ts_local_server_dup_conninfo      (TsLocalServer          *self,
                                                  const char             *dbname,
                                                  const char             *user);

/* Creates the cluster when there is none, then starts the server; a server
 * already running on this data directory and socket is used as it is. */
gboolean       ts_local_server_start             (TsLocalServer          *self,
                                                  GCancellable           *cancellable,
                                                  GError                **error);
void           ts_local_server_start_async       (TsLocalServer          *self,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
gboolean       ts_local_server_start_finish      (TsLocalServer          *self,
                                                  GAsyncResult           *result,
                                                  GError                **error);

/* Stops the server, keeping its data; TRUE when it was not running. */
gboolean       ts_local_server_stop              (TsLocalServer          *self,
                                                  TsLocalServerStopMode   mode,
                                                  GCancellable           *cancellable,
                                                  GError                **error);
void           ts_local_server_stop_async        (TsLocalServer          *self,
                                                  TsLocalServerStopMode   mode,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
gboolean       ts_local_server_stop_finish       (TsLocalServer          *self,
                                                  GAsyncResult           *result,
                                                  GError                **error);

G_END_DECLS
