/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <locale.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-connection.h"
#include "ts-migrations.h"
#include "ts-store.h"
#include "ts-test-server.h"

/* Where real teams run it (docs/deployment.md): TLS with verify-full
 * against a certificate of a CA the test makes, and a streaming standby
 * that is promoted while a store is connected through a multi-host
 * connection string.  Every server is real, started by the harness. */

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* TLS */

static TsTestServer *tls_server;

static char *
tls_conninfo (const char *host_part,
              const char *sslmode,
              const char *ca_file)
{
  return g_strdup_printf ("%s port=%u dbname=postgres user=postgres sslmode=%s sslrootcert='%s'",
                          host_part, ts_test_server_get_port (tls_server), sslmode, ca_file);
}

static gboolean
try_connect (const char    *conninfo,
             TsConnection **out,
             GError       **error)
{
  g_autoptr(TsConnection) connection =
    ts_connection_new (conninfo, ts_test_server_get_password (tls_server));
  g_autoptr(GAsyncResult) result = NULL;

  ts_connection_connect_async (connection, NULL, store_result, &result);
  if (!ts_connection_connect_finish (connection, wait_for (&result), error))
    return FALSE;

  if (out != NULL)
    *out = g_steal_pointer (&connection);
  return TRUE;
}

/* The connection really is encrypted: the server says so. */
static void
assert_ssl_in_use (TsConnection *connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) rows = NULL;

  ts_connection_query_async (connection, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid ()",
                             NULL, 0, NULL, store_result, &result);
  rows = ts_connection_query_finish (connection, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (PQresultStatus (rows), ==, PGRES_TUPLES_OK);
  g_assert_cmpstr (PQgetvalue (rows, 0, 0), ==, "t");
}

static void
test_tls_verify_full (void)
{
  const char * const hosts[] = { "host=localhost", "host=127.0.0.1", "host=localhost hostaddr=127.0.0.1" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *conninfo = tls_conninfo (hosts[i], "verify-full", ts_test_server_get_ca_file (tls_server));
      g_autoptr(TsConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", conninfo);
      g_assert_true (try_connect (conninfo, &connection, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ts_connection_get_state (connection), ==, TS_CONNECTION_READY);
      assert_ssl_in_use (connection);
    }
}

/* A host name the certificate is not for: refused as a TLS failure that
 * names the host, not taken for an unreachable server (which would open
 * the offline copy).  Decided without reading libpq's words, so the same
 * under zh_CN.UTF-8 (test-deployment-zh_CN). */
static void
test_tls_wrong_host (void)
{
  g_autofree char *conninfo = tls_conninfo ("host=wrong.example hostaddr=127.0.0.1", "verify-full",
                                            ts_test_server_get_ca_file (tls_server));
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, ts_test_server_get_password (tls_server));
  g_autoptr(TsStore) store = ts_store_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_false (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_error (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TLS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "wrong.example"));
  g_assert_false (ts_store_get_online (store));

  /* verify-ca checks the CA only: the same host name is accepted. */
  g_clear_pointer (&conninfo, g_free);
  g_clear_error (&error);
  conninfo = tls_conninfo ("host=wrong.example hostaddr=127.0.0.1", "verify-ca",
                           ts_test_server_get_ca_file (tls_server));
  g_assert_true (try_connect (conninfo, NULL, &error));
  g_assert_no_error (error);
}

/* A certificate signed by another CA than the one given. */
static void
test_tls_other_ca (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ts-other-ca-XXXXXX", NULL);
  g_autofree char *key = g_build_filename (dir, "ca.key", NULL);
  g_autofree char *crt = g_build_filename (dir, "ca.crt", NULL);
  g_autofree char *conninfo = tls_conninfo ("host=localhost", "verify-full", crt);
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=Another CA", "-keyout", key, "-out", crt, NULL
  };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_assert_false (try_connect (conninfo, NULL, &error));
  g_assert_error (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TLS);

  g_unlink (key);
  g_unlink (crt);
  g_rmdir (dir);
}

/* A CA file that is not there is said so, with its name. */
static void
test_tls_missing_ca_file (void)
{
  g_autofree char *conninfo = tls_conninfo ("host=localhost", "verify-full", "/nonexistent/ca.crt");
  g_autoptr(GError) error = NULL;

  g_assert_false (try_connect (conninfo, NULL, &error));
  g_assert_error (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ca.crt"));
}

/* Failover */

static void
exec_ok (TsTestServer *server,
         const char   *db,
         const char   *sql)
{
  g_autoptr(GError) error = NULL;

  ts_test_server_exec (server, db, sql, &error);
  g_assert_no_error (error);
}

/* The server side, issue_track and a member "fo_zhangwei". */
static char *
install (TsTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = ts_test_server_create_database (server, &error);
  g_autofree char *conninfo = NULL;
  g_autofree char *schema_path = NULL;
  g_autofree char *schema = NULL;
  const char *params[1];
  PGconn *conn;
  PGresult *result;

  g_assert_no_error (error);
  conninfo = ts_test_server_conninfo (server, db, NULL);
  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);

  schema_path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_assert_true (g_file_get_contents (schema_path, &schema, NULL, NULL));
  params[0] = schema;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);
  PQfinish (conn);

  exec_ok (server, db, "CREATE ROLE fo_zhangwei LOGIN IN ROLE tasksteper_user;"
                       "SELECT tasksteper.add_member ('issue_track', 'fo_zhangwei');");
  return g_steal_pointer (&db);
}

static JsonObject *
fields (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  return json_object_ref (json_node_get_object (node));
}

static TsTicket *
save (TsStore    *store,
      TsTicket   *ticket,
      const char *json,
      GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) object = fields (json);

  ts_store_save_ticket_async (store, ts_ticket_get_id (ticket), ts_ticket_get_version (ticket),
                              object, NULL, store_result, &result);
  return ts_store_change_finish (store, wait_for (&result), error);
}

static void
on_reconnected (TsStore  *store,
                gboolean *reconnected)
{
  *reconnected = TRUE;
}

/* A store connected through "host=primary,standby
 * target_session_attrs=read-write": the primary dies, the standby is
 * promoted, and the store finds the new primary by itself (its backoff).
 * Replication is synchronous, as docs/deployment.md advises for no loss:
 * what the store was told is saved is on the standby.  The edit that
 * could not be saved meanwhile was refused as offline (the form keeps it)
 * and saves afterwards with the version it was made on. */
static void
test_failover (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTestServer) primary = ts_test_server_start (&error);
  g_autoptr(TsTestServer) standby = NULL;
  g_autofree char *db = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(TsConnection) connection = NULL;
  g_autoptr(TsStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) first = fields ("{\"summary\": \"【20230901】主库宕机前保存\"}");
  g_autoptr(TsTicket) ticket = NULL;
  g_autoptr(TsTicket) edited = NULL;
  g_autoptr(TsTicket) saved = NULL;
  g_autoptr(TsTicket) again = NULL;
  g_autoptr(GPtrArray) found = NULL;
  gboolean reconnected = FALSE;
  gint64 id;

  g_assert_no_error (error);
  db = install (primary);
  standby = ts_test_server_start_standby (primary, &error);
  g_assert_no_error (error);

  /* Synchronous replication: a commit returns once the standby has it. */
  exec_ok (primary, NULL, "ALTER SYSTEM SET synchronous_standby_names = '*'");
  exec_ok (primary, NULL, "ALTER SYSTEM SET synchronous_commit = 'on'");
  exec_ok (primary, NULL, "SELECT pg_reload_conf ()");

  conninfo = g_strdup_printf ("host=%s,%s port=%u,%u dbname=%s user=fo_zhangwei",
                              ts_test_server_get_socket_dir (primary),
                              ts_test_server_get_socket_dir (standby),
                              ts_test_server_get_port (primary),
                              ts_test_server_get_port (standby), db);
  connection = ts_connection_new (conninfo, NULL);
  /* Short, so that a retry against a dying server does not hang. */
  ts_connection_set_timeouts (connection, 5, 10);
  store = ts_store_new (connection);
  g_signal_connect (store, "reconnected", G_CALLBACK (on_reconnected), &reconnected);
  ts_store_open_async (store, NULL, store_result, &result);
  g_assert_true (ts_store_open_finish (store, wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ts_store_create_ticket_async (store, "issue_track", first, NULL, store_result, &result);
  ticket = ts_store_change_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  id = ts_ticket_get_id (ticket);

  /* The primary dies. */
  g_assert_true (ts_test_server_crash (primary, &error));
  g_assert_no_error (error);
  while (ts_store_get_online (store))
    g_main_context_iteration (NULL, TRUE);

  /* An edit made meanwhile is refused as offline, never taken as saved. */
  edited = save (store, ticket, "{\"summary\": \"【20230901】宕机时的修改\"}", &error);
  g_assert_null (edited);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE);
  g_clear_error (&error);
  g_assert_false (reconnected);

  /* The standby is read-only: target_session_attrs=read-write (added by
   * TsConnection for several hosts) keeps the store off it. */
  {
    gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_false (reconnected);

  g_assert_true (ts_test_server_promote (standby, &error));
  g_assert_no_error (error);
  while (!reconnected)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ts_store_get_online (store));

  /* The change saved before the failure is there. */
  ts_store_get_tickets_async (store, &id, 1, NULL, store_result, &result);
  found = ts_store_get_tickets_finish (store, wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (ts_ticket_get_version (g_ptr_array_index (found, 0)), ==, ts_ticket_get_version (ticket));

  /* The edit saves now, on the version it was made on. */
  saved = save (store, ticket, "{\"summary\": \"【20230901】宕机时的修改\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ts_ticket_get_version (saved), >, ts_ticket_get_version (ticket));

  /* And the same version again is a conflict, not an overwrite. */
  again = save (store, ticket, "{\"summary\": \"【20230901】过时的修改\"}", &error);
  g_assert_error (error, TS_STORE_ERROR, TS_STORE_ERROR_CONFLICT);
  g_assert_null (again);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* test-deployment-zh_CN runs this under zh_CN.UTF-8. */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  tls_server = ts_test_server_start_tls (&error);
  g_assert_no_error (error);

  g_test_add_func ("/ts/deployment/tls/verify-full", test_tls_verify_full);
  g_test_add_func ("/ts/deployment/tls/wrong-host", test_tls_wrong_host);
  g_test_add_func ("/ts/deployment/tls/other-ca", test_tls_other_ca);
  g_test_add_func ("/ts/deployment/tls/missing-ca-file", test_tls_missing_ca_file);
  g_test_add_func ("/ts/deployment/failover", test_failover);

  ret = g_test_run ();
  ts_test_server_free (tls_server);
  return ret;
}
