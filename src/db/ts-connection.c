/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-connection"

#include "config.h"

#include <glib-unix.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ts-connection.h"
#include "ts-main-context-private.h"

/* How this works, for the reader coming from main():
 *
 * libpq runs in non-blocking mode.  We watch its socket with a GSource and
 * call into libpq only when the socket is ready: PQconnectPoll while
 * connecting, PQflush while a query is still being written, PQconsumeInput
 * and PQgetResult when there is something to read.  One query is in flight
 * at a time (libpq's rule without pipeline mode); the rest wait in a queue.
 * Notifications can arrive at any time, also in the middle of a query, so
 * they are drained after every read.  Every wait has a deadline of our own,
 * because a dead server may never answer. */

#define DEFAULT_CONNECT_TIMEOUT 15
#define DEFAULT_QUERY_TIMEOUT   60
/* After a query's deadline we ask the server to cancel it; a server that
 * does not even answer that within this grace is taken as gone. */
#define CANCEL_GRACE_SECONDS    10

typedef struct
{
  char         *sql;
  char        **params;      /* n_params entries, any may be NULL */
  int           n_params;
  GTask        *task;        /* NULL once the caller got its answer */
  GCancellable *cancellable;
  gulong        cancelled_id;
} Query;

struct _TsConnection
{
  GObject            parent_instance;

  char              *conninfo;
  char              *password;
  char              *user;
  TsConnectionState  state;
  PGconn            *conn;

  guint              watch_id;
  int                watch_fd;
  GIOCondition       watch_condition;

  GTask             *connect_task;
  gboolean           reached_server;  /* see note_connect_progress() */
  gboolean           bad_conninfo;    /* libpq could not parse the connection string */
  gboolean           failed_in_tls;   /* see continue_connect() */
  guint              connect_timeout_id;
  guint              connect_seconds;

  GQueue             queue;          /* Query*, waiting */
  Query             *current;        /* in flight */
  PGresult          *current_result;
  guint              query_timeout_id;
  guint              query_seconds;
  /* Cancel requests sent but not yet acknowledged: see request_cancel(). */
  guint              cancels_in_flight;
  /* Statements sent to the server, for tests and benchmarks. */
  guint64            n_queries;
};

G_DEFINE_FINAL_TYPE (TsConnection, ts_connection, G_TYPE_OBJECT)
G_DEFINE_QUARK (ts-connection-error-quark, ts_connection_error)

enum {
  PROP_0,
  PROP_STATE,
  PROP_USER,
  N_PROPS
};

enum {
  NOTIFICATION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const GEnumValue state_values[] = {
  { TS_CONNECTION_DISCONNECTED, "TS_CONNECTION_DISCONNECTED", "disconnected" },
  { TS_CONNECTION_CONNECTING, "TS_CONNECTION_CONNECTING", "connecting" },
  { TS_CONNECTION_READY, "TS_CONNECTION_READY", "ready" },
  { TS_CONNECTION_LOST, "TS_CONNECTION_LOST", "lost" },
  { 0, NULL, NULL },
};

GType
ts_connection_state_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("TsConnectionState", state_values));

  return type_id;
}

static void dispatch          (TsConnection *self);
static void handle_lost       (TsConnection *self,
                               const char   *why);
static void continue_connect  (TsConnection *self);

static void
query_free (Query *query)
{
  if (query->cancelled_id != 0)
    g_cancellable_disconnect (query->cancellable, query->cancelled_id);
  g_clear_object (&query->cancellable);
  g_clear_object (&query->task);
  for (int i = 0; i < query->n_params; i++)
    g_free (query->params[i]);
  g_free (query->params);
  g_free (query->sql);
  g_free (query);
}

/* Gives the caller its answer now; the query itself may still be running,
 * in which case its result is drained and dropped when it comes. */
static void
query_return_error (Query  *query,
                    GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&query->task);

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
set_state (TsConnection      *self,
           TsConnectionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* libpq's messages end with a newline and may span lines; keep the first. */
static char *
dup_libpq_message (PGconn *conn)
{
  const char *message = conn ? PQerrorMessage (conn) : NULL;
  g_autofree char *copy = g_strdup (message && *message ? message : _("unknown error"));
  char *newline;

  g_strstrip (copy);
  if ((newline = strchr (copy, '\n')) != NULL)
    *newline = '\0';

  return g_steal_pointer (&copy);
}

static void
unwatch_socket (TsConnection *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  self->watch_fd = -1;
  self->watch_condition = 0;
}

static gboolean on_socket_ready (int          fd,
                                 GIOCondition condition,
                                 gpointer     user_data);

static void
watch_socket (TsConnection *self,
              GIOCondition  condition)
{
  int fd = PQsocket (self->conn);

  if (fd < 0)
    {
      unwatch_socket (self);
      return;
    }

  /* libpq may switch sockets while connecting (several hosts). */
  if (self->watch_id != 0 && self->watch_fd == fd && self->watch_condition == condition)
    return;

  unwatch_socket (self);
  self->watch_fd = fd;
  self->watch_condition = condition;
  self->watch_id = g_unix_fd_add (fd, condition | G_IO_HUP | G_IO_ERR, on_socket_ready, self);
}

static void
clear_connection (TsConnection *self)
{
  unwatch_socket (self);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  g_clear_handle_id (&self->query_timeout_id, g_source_remove);
  g_clear_pointer (&self->current_result, PQclear);
  g_clear_pointer (&self->conn, PQfinish);
}

/* Fails the query in flight and every waiting one. */
static void
fail_all (TsConnection *self,
          GQuark        domain,
          int           code,
          const char   *message)
{
  Query *query;

  if (self->current != NULL)
    {
      query_return_error (self->current, g_error_new_literal (domain, code, message));
      g_clear_pointer (&self->current, query_free);
    }

  while ((query = g_queue_pop_head (&self->queue)) != NULL)
    {
      query_return_error (query, g_error_new_literal (domain, code, message));
      query_free (query);
    }
}

/* Connecting */

static void
finish_connect (TsConnection *self,
                GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);

  if (error != NULL)
    {
      clear_connection (self);
      set_state (self, TS_CONNECTION_DISCONNECTED);
      fail_all (self, error->domain, error->code, error->message);
      if (task != NULL)
        g_task_return_error (task, error);
      else
        g_error_free (error);
      return;
    }

  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

/* The SQLSTATE of the server's error in libpq's message, or NULL when the
 * server sent none (libpq itself gave up).  With PQERRORS_VERBOSE, libpq
 * writes a server's error as "SEVERITY:  SQLSTATE: text": the severity and
 * the text are in the server's language, the code never is.  libpq has no
 * call that returns the SQLSTATE of a failed connection. */
static gboolean
find_sqlstate (const char  *message,
               char         sqlstate[6],
               const char **after)
{
  for (const char *p = message; (p = strstr (p, ":  ")) != NULL; p++)
    {
      const char *code = p + 3;
      guint i;

      for (i = 0; i < 5 && (g_ascii_isdigit (code[i]) || g_ascii_isupper (code[i])); i++)
        ;
      if (i == 5 && code[5] == ':' && code[6] == ' ')
        {
          memcpy (sqlstate, code, 5);
          sqlstate[5] = '\0';
          if (after != NULL)
            *after = code + 7;
          return TRUE;
        }
    }

  return FALSE;
}

/* Why the connection failed, decided without reading any text a person
 * reads: under LANG=zh_CN.UTF-8 libpq (and strerror) speak Chinese, and a
 * server speaks whatever its lc_messages says.  What decides is libpq's
 * structure: whether it wants a password, whether the server answered at
 * all (self->reached_server: a poll left the connection waiting for the
 * server's reply), and the SQLSTATE of the server's answer.  The message
 * keeps libpq's words in the person's language, without the code. */
static GError *
classify_connect_failure (TsConnection *self)
{
  g_autofree char *message = dup_libpq_message (self->conn);
  char sqlstate[6];
  const char *text = NULL;

  if (find_sqlstate (message, sqlstate, &text))
    {
      /* "…failed: FATAL:  28P01: password…" is shown without "28P01: ". */
      g_autofree char *before = g_strndup (message, text - message - strlen ("28P01: "));
      char *shown = g_strconcat (before, text, NULL);

      g_free (message);
      message = shown;
    }
  else
    {
      sqlstate[0] = '\0';
    }

  /* libpq has no error code for TLS either; what is structural is where
   * it gave up: while setting up TLS (the server's certificate not for
   * the host name, or not signed by the CA, or no TLS on the server). */
  if (sqlstate[0] == '\0' && self->failed_in_tls)
    return g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TLS,
                        /* Translators: the first %s is a host name */
                        _("The secure connection to “%s” failed: is the server’s certificate for "
                          "this host name, and signed by the CA certificate given? %s"),
                        PQhost (self->conn) != NULL ? PQhost (self->conn) : "", message);

  if (PQconnectionNeedsPassword (self->conn))
    return g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_NEEDS_PASSWORD,
                        _("The server asks for a password: %s"), message);

  /* invalid_password: the server's answer to a wrong password, and (so as
   * not to tell which roles exist) to a role that does not exist. */
  if (g_str_equal (sqlstate, "28P01") && PQconnectionUsedPassword (self->conn))
    return g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_BAD_PASSWORD,
                        _("The password is wrong: %s"), message);

  /* cannot_connect_now: the server is starting up or shutting down, as
   * good as not there yet. */
  if (g_str_equal (sqlstate, "57P03") ||
      (sqlstate[0] == '\0' && !self->reached_server && !self->bad_conninfo))
    return g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_UNREACHABLE,
                        _("Cannot reach the server: %s"), message);

  return g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_FAILED,
                      _("The server refused the connection: %s"), message);
}

/* Notes whether libpq got through to a server: once a poll leaves it
 * waiting for the server's reply to what it sent, a socket was connected
 * and a startup packet went out.  Before that (no such host or socket,
 * refused, no route), the server was not reached. */
static void
note_connect_progress (TsConnection *self)
{
  switch (PQstatus (self->conn))
    {
    case CONNECTION_MADE:
    case CONNECTION_AWAITING_RESPONSE:
    case CONNECTION_AUTH_OK:
    case CONNECTION_SETENV:
    case CONNECTION_SSL_STARTUP:
    case CONNECTION_CHECK_WRITABLE:
    case CONNECTION_CONSUME:
    case CONNECTION_GSS_STARTUP:
    case CONNECTION_CHECK_TARGET:
    case CONNECTION_CHECK_STANDBY:
      self->reached_server = TRUE;
      break;

    case CONNECTION_OK:
    case CONNECTION_BAD:
    case CONNECTION_STARTED:
    case CONNECTION_NEEDED:
    default:
      break;
    }
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  TsConnection *self = user_data;

  self->connect_timeout_id = 0;
  finish_connect (self, g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_UNREACHABLE,
                                     _("Cannot reach the server: no answer within %u seconds"),
                                     self->connect_seconds));
  return G_SOURCE_REMOVE;
}

static void
continue_connect (TsConnection *self)
{
  gboolean in_tls = PQstatus (self->conn) == CONNECTION_SSL_STARTUP;
  PostgresPollingStatusType polling = PQconnectPoll (self->conn);

  /* A poll that fails while TLS is being set up failed in TLS: libpq
   * checks the certificate, its CA and the host name there. */
  self->failed_in_tls = polling == PGRES_POLLING_FAILED && in_tls;

  if (polling == PGRES_POLLING_READING || polling == PGRES_POLLING_WRITING)
    note_connect_progress (self);

  switch (polling)
    {
    case PGRES_POLLING_READING:
      watch_socket (self, G_IO_IN);
      break;

    case PGRES_POLLING_WRITING:
      watch_socket (self, G_IO_OUT);
      break;

    case PGRES_POLLING_OK:
      if (PQsetnonblocking (self->conn, 1) != 0)
        {
          finish_connect (self, classify_connect_failure (self));
          return;
        }
      /* Queries' errors are read field by field (PQresultErrorField). */
      PQsetErrorVerbosity (self->conn, PQERRORS_DEFAULT);
      g_free (self->user);
      self->user = g_strdup (PQuser (self->conn));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
      watch_socket (self, G_IO_IN);
      set_state (self, TS_CONNECTION_READY);
      finish_connect (self, NULL);
      dispatch (self);
      break;

    case PGRES_POLLING_FAILED:
    case PGRES_POLLING_ACTIVE:
    default:
      finish_connect (self, classify_connect_failure (self));
      break;
    }
}

/* Whether @conninfo names several hosts (host=a,b or postgresql://a,b/),
 * which is how a primary and its standbys are given. */
static gboolean
names_several_hosts (const char *conninfo)
{
  PQconninfoOption *options;
  gboolean several = FALSE;

  if (!g_str_has_prefix (conninfo, "postgresql://") && !g_str_has_prefix (conninfo, "postgres://") &&
      strchr (conninfo, '=') == NULL)
    return FALSE;

  options = PQconninfoParse (conninfo, NULL);
  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    if ((g_str_equal (option->keyword, "host") || g_str_equal (option->keyword, "hostaddr")) &&
        option->val != NULL && strchr (option->val, ',') != NULL)
      several = TRUE;
  PQconninfoFree (options);

  return several;
}

/* With sslmode verify-ca or verify-full, a CA file that we cannot read
 * fails before anything is sent, with a message that says so (libpq's
 * would say it only once the server offered TLS). */
static GError *
check_ca_file (PGconn *conn)
{
  PQconninfoOption *options = PQconninfo (conn);
  g_autofree char *sslmode = NULL;
  g_autofree char *sslrootcert = NULL;
  int saved_errno;

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    {
      if (g_str_equal (option->keyword, "sslmode"))
        sslmode = g_strdup (option->val);
      else if (g_str_equal (option->keyword, "sslrootcert"))
        sslrootcert = g_strdup (option->val);
    }
  PQconninfoFree (options);

  if (g_strcmp0 (sslmode, "verify-ca") != 0 && g_strcmp0 (sslmode, "verify-full") != 0)
    return NULL;
  if (sslrootcert == NULL || *sslrootcert == '\0' || g_str_equal (sslrootcert, "system"))
    return NULL;
  if (g_access (sslrootcert, R_OK) == 0 && !g_file_test (sslrootcert, G_FILE_TEST_IS_DIR))
    return NULL;

  saved_errno = g_file_test (sslrootcert, G_FILE_TEST_IS_DIR) ? EISDIR : errno;
  return g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TLS,
                      _("The CA certificate file “%s” could not be read: %s"),
                      sslrootcert, g_strerror (saved_errno));
}

/* Whether libpq can parse @conninfo, taken as it takes the dbname of
 * PQconnectStartParams() with expand_dbname: as a connection string when
 * it is a URI or holds "=", else as a database name, which always parses. */
static gboolean
conninfo_parses (const char *conninfo)
{
  PQconninfoOption *options;

  if (!g_str_has_prefix (conninfo, "postgresql://") && !g_str_has_prefix (conninfo, "postgres://") &&
      strchr (conninfo, '=') == NULL)
    return TRUE;

  options = PQconninfoParse (conninfo, NULL);
  PQconninfoFree (options);

  return options != NULL;
}

void
ts_connection_connect_async (TsConnection        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *connect_timeout = NULL;
  const char *keywords[16];
  const char *values[16];
  guint n = 0;

  g_return_if_fail (TS_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_connection_connect_async);

  if (self->state == TS_CONNECTION_READY)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->state == TS_CONNECTION_CONNECTING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Already connecting to the server"));
      return;
    }

  clear_connection (self);

  /* Our defaults come first so that the connection string can override
   * them; keepalives let a lost network show within seconds instead of
   * the kernel's hours. */
  keywords[n] = "fallback_application_name"; values[n++] = "tasksteper";
  keywords[n] = "keepalives"; values[n++] = "1";
  keywords[n] = "keepalives_idle"; values[n++] = "10";
  keywords[n] = "keepalives_interval"; values[n++] = "3";
  keywords[n] = "keepalives_count"; values[n++] = "3";
  keywords[n] = "tcp_user_timeout"; values[n++] = "20000";
  /* Of several hosts (a primary and its standbys), the one that takes
   * writes: every TaskSteper action writes, and after a failover the
   * promoted standby is the one.  Without it libpq takes the first host
   * that answers, which may be a read-only standby. */
  if (names_several_hosts (self->conninfo))
    {
      keywords[n] = "target_session_attrs";
      values[n++] = "read-write";
    }
  keywords[n] = "dbname"; values[n++] = self->conninfo;
  if (self->password != NULL)
    {
      keywords[n] = "password";
      values[n++] = self->password;
    }
  keywords[n] = NULL;
  values[n] = NULL;

  self->conn = PQconnectStartParams (keywords, values, TRUE);
  if (self->conn == NULL)
    {
      g_task_return_new_error (task, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_FAILED,
                               _("Cannot connect: out of memory"));
      return;
    }

  /* The SQLSTATE of a server's refusal, in the message (find_sqlstate()). */
  PQsetErrorVerbosity (self->conn, PQERRORS_VERBOSE);
  self->reached_server = FALSE;
  self->failed_in_tls = FALSE;
  self->bad_conninfo = !conninfo_parses (self->conninfo);
  note_connect_progress (self);

  if (PQstatus (self->conn) != CONNECTION_BAD)
    {
      GError *error = check_ca_file (self->conn);

      if (error != NULL)
        {
          clear_connection (self);
          g_task_return_error (task, error);
          return;
        }
    }

  /* A bad connection string, or a Unix socket that is not there, fails at
   * once. */
  if (PQstatus (self->conn) == CONNECTION_BAD)
    {
      GError *error = classify_connect_failure (self);

      clear_connection (self);
      g_task_return_error (task, error);
      return;
    }

  self->connect_task = g_steal_pointer (&task);
  set_state (self, TS_CONNECTION_CONNECTING);

  if (self->connect_seconds > 0)
    self->connect_timeout_id = g_timeout_add_seconds (self->connect_seconds, on_connect_timeout, self);

  /* libpq's contract: start as if the last poll had said "writing". */
  watch_socket (self, G_IO_OUT);
}

gboolean
ts_connection_connect_finish (TsConnection  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Queries */

static void
cancel_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PGcancel *cancel = task_data;
  char message[256];

  /* PQcancel opens a connection of its own and waits: never on the main
   * loop.  Its failure only means the query runs to its end. */
  if (!PQcancel (cancel, message, sizeof message))
    g_debug ("Cancel request failed: %s", message);
  g_task_return_boolean (task, TRUE);
}

static void
on_cancel_sent (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TsConnection *self = TS_CONNECTION (object);

  self->cancels_in_flight--;
  dispatch (self);
}

/* The server cancels whatever its backend runs when the request arrives,
 * which is not necessarily the statement it was meant for.  So nothing new
 * is sent until PQcancel() has returned (by then the backend has been
 * signalled) and the cancelled statement's result has been read. */
static void
request_cancel (TsConnection *self)
{
  g_autoptr(GTask) task = NULL;
  PGcancel *cancel;

  if (self->conn == NULL || (cancel = PQgetCancel (self->conn)) == NULL)
    return;

  self->cancels_in_flight++;
  task = g_task_new (self, NULL, on_cancel_sent, NULL);
  g_task_set_source_tag (task, request_cancel);
  g_task_set_task_data (task, cancel, (GDestroyNotify)PQfreeCancel);
  g_task_run_in_thread (task, cancel_in_thread);
}

static gboolean
on_cancel_grace_expired (gpointer user_data)
{
  TsConnection *self = user_data;

  self->query_timeout_id = 0;
  handle_lost (self, _("the server stopped answering"));
  return G_SOURCE_REMOVE;
}

static gboolean
on_query_timeout (gpointer user_data)
{
  TsConnection *self = user_data;

  self->query_timeout_id = g_timeout_add_seconds (CANCEL_GRACE_SECONDS, on_cancel_grace_expired, self);

  if (self->current != NULL)
    query_return_error (self->current,
                        g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TIMED_OUT,
                                     _("The server did not answer within %u seconds"),
                                     self->query_seconds));
  request_cancel (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_query_cancelled_idle (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  TsConnection *self = g_task_get_source_object (task);

  if (self->current != NULL && self->current->task == task)
    {
      query_return_error (self->current, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                              _("Operation was cancelled")));
      request_cancel (self);
      return G_SOURCE_REMOVE;
    }

  /* Still waiting behind another query: answered now, not once the one
   * ahead (which may wait on a lock) is done. */
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    {
      Query *query = l->data;

      if (query->task == task)
        {
          g_queue_delete_link (&self->queue, l);
          g_task_return_error_if_cancelled (query->task);
          g_clear_object (&query->task);
          query_free (query);
          break;
        }
    }

  return G_SOURCE_REMOVE;
}

static void
on_query_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;

  /* The handler may run inside g_cancellable_connect() or in another
   * thread; act on the main context, where the connection lives, and
   * always later, from a source (see ts-main-context-private.h). */
  _ts_main_context_post (g_task_get_context (task), "[tasksteper] query cancelled",
                         on_query_cancelled_idle, g_object_ref (task), NULL);
}

static void
flush (TsConnection *self)
{
  switch (PQflush (self->conn))
    {
    case 0:
      watch_socket (self, G_IO_IN);
      break;

    case 1:
      watch_socket (self, G_IO_IN | G_IO_OUT);
      break;

    default:
      {
        g_autofree char *message = dup_libpq_message (self->conn);

        handle_lost (self, message);
      }
      break;
    }
}

static void
dispatch (TsConnection *self)
{
  while (self->current == NULL && self->state == TS_CONNECTION_READY && self->cancels_in_flight == 0)
    {
      Query *query = g_queue_pop_head (&self->queue);

      if (query == NULL)
        return;

      if (g_task_return_error_if_cancelled (query->task))
        {
          g_clear_object (&query->task);
          query_free (query);
          continue;
        }

      if (!PQsendQueryParams (self->conn, query->sql, query->n_params, NULL,
                              (const char * const *)query->params, NULL, NULL, 0))
        {
          g_autofree char *message = dup_libpq_message (self->conn);

          if (PQstatus (self->conn) == CONNECTION_BAD)
            {
              g_queue_push_head (&self->queue, query);
              handle_lost (self, message);
              return;
            }

          query_return_error (query, g_error_new (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_FAILED,
                                                  _("Cannot send the query: %s"), message));
          query_free (query);
          continue;
        }

      self->current = query;
      self->n_queries++;
      if (self->query_seconds > 0)
        self->query_timeout_id = g_timeout_add_seconds (self->query_seconds, on_query_timeout, self);
      flush (self);
    }
}

static void
complete_current (TsConnection *self)
{
  Query *query = g_steal_pointer (&self->current);
  g_autoptr(PGresult) result = g_steal_pointer (&self->current_result);
  g_autoptr(GTask) task = g_steal_pointer (&query->task);

  g_clear_handle_id (&self->query_timeout_id, g_source_remove);

  if (task != NULL)
    {
      if (result != NULL)
        g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify)PQclear);
      else
        g_task_return_new_error (task, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_FAILED,
                                 _("The server sent no result"));
    }

  query_free (query);
}

static void
drain_notifications (TsConnection *self)
{
  PGnotify *notify;

  while (self->conn != NULL && (notify = PQnotifies (self->conn)) != NULL)
    {
      g_signal_emit (self, signals[NOTIFICATION], 0, notify->relname, notify->extra, notify->be_pid);
      PQfreemem (notify);
    }
}

static void
read_input (TsConnection *self)
{
  if (!PQconsumeInput (self->conn))
    {
      g_autofree char *message = dup_libpq_message (self->conn);

      handle_lost (self, message);
      return;
    }

  while (self->current != NULL && self->conn != NULL && !PQisBusy (self->conn))
    {
      PGresult *result = PQgetResult (self->conn);

      if (result == NULL)
        {
          complete_current (self);
          break;
        }

      /* One statement gives one result; keep the last if there are more. */
      g_clear_pointer (&self->current_result, PQclear);
      self->current_result = result;
    }

  drain_notifications (self);

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    {
      g_autofree char *message = dup_libpq_message (self->conn);

      handle_lost (self, message);
      return;
    }

  dispatch (self);
}

static gboolean
on_socket_ready (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  g_autoptr(TsConnection) self = g_object_ref (user_data);

  switch (self->state)
    {
    case TS_CONNECTION_CONNECTING:
      continue_connect (self);
      break;

    case TS_CONNECTION_READY:
      if ((condition & G_IO_OUT) && self->current != NULL)
        flush (self);
      if (self->state == TS_CONNECTION_READY &&
          (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        read_input (self);
      break;

    case TS_CONNECTION_DISCONNECTED:
    case TS_CONNECTION_LOST:
    default:
      break;
    }

  /* The handlers above re-add the watch when they need another one. */
  return self->watch_id != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
handle_lost (TsConnection *self,
             const char   *why)
{
  g_autofree char *message = g_strdup_printf (_("The connection to the server was lost: %s"), why);

  clear_connection (self);
  set_state (self, TS_CONNECTION_LOST);
  fail_all (self, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_LOST, message);
}

void
ts_connection_query_async (TsConnection        *self,
                           const char          *sql,
                           const char * const  *params,
                           int                  n_params,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Query *query;

  g_return_if_fail (TS_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (n_params >= 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_connection_query_async);

  if (self->state != TS_CONNECTION_READY && self->state != TS_CONNECTION_CONNECTING)
    {
      g_task_return_new_error (task, TS_CONNECTION_ERROR,
                               self->state == TS_CONNECTION_LOST ? TS_CONNECTION_ERROR_LOST
                                                                 : TS_CONNECTION_ERROR_CLOSED,
                               self->state == TS_CONNECTION_LOST
                                 ? _("The connection to the server was lost")
                                 : _("Not connected to the server"));
      return;
    }

  query = g_new0 (Query, 1);
  query->sql = g_strdup (sql);
  query->n_params = n_params;
  query->params = g_new0 (char *, MAX (n_params, 1));
  for (int i = 0; i < n_params; i++)
    query->params[i] = g_strdup (params[i]);
  query->task = g_steal_pointer (&task);
  query->cancellable = cancellable ? g_object_ref (cancellable) : NULL;

  g_queue_push_tail (&self->queue, query);
  /* From now on, queued or sent: see on_query_cancelled_idle(). */
  if (query->cancellable != NULL)
    query->cancelled_id = g_cancellable_connect (query->cancellable, G_CALLBACK (on_query_cancelled),
                                                 query->task, NULL);
  dispatch (self);
}

/**
 * ts_connection_query_finish:
 *
 * Returns: (transfer full): the statement's result, which may be an SQL
 *   error (PGRES_FATAL_ERROR) for the caller to interpret
 */
PGresult *
ts_connection_query_finish (TsConnection  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ts_connection_close (TsConnection *self)
{
  g_return_if_fail (TS_IS_CONNECTION (self));

  if (self->connect_task != NULL)
    finish_connect (self, g_error_new_literal (TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_CLOSED,
                                               _("The connection was closed")));

  clear_connection (self);
  fail_all (self, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_CLOSED, _("The connection was closed"));
  set_state (self, TS_CONNECTION_DISCONNECTED);
}

/* The object */

static void
ts_connection_dispose (GObject *object)
{
  TsConnection *self = (TsConnection *)object;

  ts_connection_close (self);

  G_OBJECT_CLASS (ts_connection_parent_class)->dispose (object);
}

static void
ts_connection_finalize (GObject *object)
{
  TsConnection *self = (TsConnection *)object;

  g_clear_pointer (&self->conninfo, g_free);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->user, g_free);

  G_OBJECT_CLASS (ts_connection_parent_class)->finalize (object);
}

static void
ts_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsConnection *self = TS_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_connection_class_init (TsConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_connection_dispose;
  object_class->finalize = ts_connection_finalize;
  object_class->get_property = ts_connection_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TS_TYPE_CONNECTION_STATE, TS_CONNECTION_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TsConnection::notification:
   * @channel: the LISTEN channel
   * @payload: the payload, "" when there is none
   * @pid: the server process that sent it
   */
  signals[NOTIFICATION] =
    g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);
}

static void
ts_connection_init (TsConnection *self)
{
  self->watch_fd = -1;
  self->connect_seconds = DEFAULT_CONNECT_TIMEOUT;
  self->query_seconds = DEFAULT_QUERY_TIMEOUT;
  g_queue_init (&self->queue);
}

TsConnection *
ts_connection_new (const char *conninfo,
                   const char *password)
{
  TsConnection *self = g_object_new (TS_TYPE_CONNECTION, NULL);

  self->conninfo = g_strdup (conninfo ? conninfo : "");
  self->password = password && *password ? g_strdup (password) : NULL;
  /* Who the string says, until the server confirms it: offline, this is
   * who the saved data belongs to. */
  ts_connection_dup_target (self, NULL, &self->user);

  return self;
}

const char *
ts_connection_get_conninfo (TsConnection *self)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), NULL);
  return self->conninfo;
}

TsConnectionState
ts_connection_get_state (TsConnection *self)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), TS_CONNECTION_DISCONNECTED);
  return self->state;
}

const char *
ts_connection_get_user (TsConnection *self)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), NULL);
  return self->user;
}

char *
ts_connection_dup_description (TsConnection *self)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), NULL);

  if (self->conn == NULL)
    return g_strdup (self->conninfo);

  /* Translators: a database on a server, e.g. "tasksteper on db.example.com" */
  return g_strdup_printf (_("%s on %s"), PQdb (self->conn),
                          PQhost (self->conn) && *PQhost (self->conn) != '/' ? PQhost (self->conn)
                                                                            : _("this computer"));
}

static const char *
option_value (PQconninfoOption *options,
              const char       *keyword)
{
  for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, keyword) && o->val != NULL && *o->val != '\0')
      return o->val;
  return NULL;
}

void
ts_connection_dup_target (TsConnection  *self,
                          char         **server,
                          char         **user)
{
  PQconninfoOption *given;
  PQconninfoOption *defaults;
  const char *service, *host, *port, *dbname, *login;

  g_return_if_fail (TS_IS_CONNECTION (self));

  given = PQconninfoParse (self->conninfo, NULL);
  defaults = PQconndefaults ();

#define VALUE(keyword) (option_value (given, keyword) ? option_value (given, keyword) : option_value (defaults, keyword))
  service = VALUE ("service");
  host = VALUE ("host");
  port = VALUE ("port");
  login = VALUE ("user");
  dbname = VALUE ("dbname");
#undef VALUE

  if (server != NULL)
    {
      if (service != NULL && option_value (given, "host") == NULL)
        *server = g_strdup_printf ("service=%s", service);
      else
        *server = g_strdup_printf ("%s|%s|%s", host ? host : "", port ? port : "5432",
                                   dbname ? dbname : (login ? login : ""));
    }
  if (user != NULL)
    *user = g_strdup (login ? login : g_get_user_name ());

  PQconninfoFree (given);
  PQconninfoFree (defaults);
}

void
ts_connection_set_timeouts (TsConnection *self,
                            guint         connect_seconds,
                            guint         query_seconds)
{
  g_return_if_fail (TS_IS_CONNECTION (self));

  self->connect_seconds = connect_seconds;
  self->query_seconds = query_seconds;
}

guint64
ts_connection_get_n_queries (TsConnection *self)
{
  g_return_val_if_fail (TS_IS_CONNECTION (self), 0);

  return self->n_queries;
}

char *
ts_connection_quote_identifier (TsConnection *self,
                                const char   *name)
{
  char *escaped;
  char *quoted;

  g_return_val_if_fail (TS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->conn == NULL)
    return NULL;

  escaped = PQescapeIdentifier (self->conn, name, strlen (name));
  if (escaped == NULL)
    return NULL;
  quoted = g_strdup (escaped);
  PQfreemem (escaped);
  return quoted;
}
