/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-demo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <string.h>
#include <unistd.h>

#include "ts-demo-private.h"
#include "ts-demo-resources.h"
#include "ts-main-context-private.h"
#include "ts-diagnostics.h"
#include "ts-migrations.h"
#include "ts-pq-private.h"
#include "ts-project.h"

/* The demo server and what it holds; see ts-demo.h.  The tickets are the
 * story in data/demo/demo.json, played through the public SQL API by each
 * person over their own connection, so the demo's history reads exactly as
 * if three people had used TaskSteper. */

/* The socket directory is private to the demo, so the usual port is free
 * to use whatever other servers run. */
#define DEMO_PORT    5432
/* COMMENT ON DATABASE once every step has been played. */
#define SEEDED_MARK  "TaskSteper demo, seeded"
#define DEMO_STORY   "/io/github/tasksteper/demo/demo.json"
/* The server side's version that brought display names (0002-people.sql). */
#define PEOPLE_VERSION 2

static const struct
{
  const char *login;
  const char *name;
} demo_people[] = {
  { "zhangwei", "张伟" },  /* the maintainer (维护处理人) */
  { "lina", "李娜" },      /* the reviewer (维护代表) */
  { "wangfang", "王芳" },  /* the SE (改进提取SE) */
};

static const char * const demo_logins[] = { "zhangwei", "lina", "wangfang", NULL };

/* The example projects, read from the schemas directory. */
static const char * const demo_projects[] = {
  "issue_track", "improvement", "device_card", "version_record", "buglist",
};

struct _TsDemo
{
  GObject        parent_instance;

  TsLocalServer *server;
  char          *dir;
  char          *status;
  gboolean       seeded;
};

G_DEFINE_FINAL_TYPE (TsDemo, ts_demo, G_TYPE_OBJECT)

G_DEFINE_QUARK (ts-demo-error-quark, ts_demo_error)

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Places */

void
_ts_demo_choose_dirs (const char  *override,
                      guint        uid,
                      const char  *data_home,
                      const char  *runtime_dir,
                      char       **dir,
                      char       **socket_dir)
{
  if (override != NULL && *override != '\0')
    *dir = g_strdup (override);
  else if (uid == 0)
    *dir = g_strdup_printf ("/var/tmp/tasksteper-demo-%u", uid);
  else
    *dir = g_build_filename (data_home, "tasksteper", "demo", NULL);

  /* The runtime directory is the user's own, on tmpfs: the right place for
   * a socket.  Root's would be out of the server user's reach, and a demo
   * in a directory of its own keeps its socket with it, so that two of
   * them never meet. */
  if ((override == NULL || *override == '\0') && uid != 0 &&
      runtime_dir != NULL && *runtime_dir != '\0')
    *socket_dir = g_build_filename (runtime_dir, "tasksteper-demo", NULL);
  else
    *socket_dir = g_build_filename (*dir, "socket", NULL);
}

static gboolean
has_projects (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_projects); i++)
    {
      g_autofree char *name = g_strconcat (demo_projects[i], ".json", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }

  return TRUE;
}

char *
_ts_demo_find_schemas_dir (GError **error)
{
  const char *from_env = g_getenv ("TASKSTEPER_SCHEMAS_DIR");

  if (from_env != NULL && *from_env != '\0')
    {
      if (has_projects (from_env))
        return g_strdup (from_env);

      g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_NO_SCHEMAS,
                   _("TASKSTEPER_SCHEMAS_DIR is %s, which does not hold the example projects "
                     "(issue_track.json, improvement.json, device_card.json, version_record.json, buglist.json): "
                     "point it at the schemas folder of TaskSteper’s source."),
                   from_env);
      return NULL;
    }

  if (has_projects (TS_SCHEMASDIR))
    return g_strdup (TS_SCHEMASDIR);

  if (has_projects (TS_SOURCE_SCHEMASDIR))
    return g_strdup (TS_SOURCE_SCHEMASDIR);

  g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_NO_SCHEMAS,
               _("The example projects are in neither %s nor %s: install TaskSteper "
                 "(meson install), or set TASKSTEPER_SCHEMAS_DIR to the schemas folder of its "
                 "source."),
               TS_SCHEMASDIR, TS_SOURCE_SCHEMASDIR);
  return NULL;
}

/* Status, told from the filling thread to the main context */

static void
set_status (TsDemo     *self,
            const char *status)
{
  if (g_strcmp0 (status, self->status) == 0)
    return;

  g_free (self->status);
  self->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

typedef struct
{
  TsDemo *demo;
  char   *status;
} StatusUpdate;

static void
status_update_free (gpointer data)
{
  StatusUpdate *update = data;

  g_object_unref (update->demo);
  g_free (update->status);
  g_free (update);
}

static gboolean
apply_status (gpointer data)
{
  StatusUpdate *update = data;

  set_status (update->demo, update->status);
  return G_SOURCE_REMOVE;
}

static void
report_status (GTask      *task,
               const char *status)
{
  StatusUpdate *update = g_new0 (StatusUpdate, 1);

  update->demo = g_object_ref (g_task_get_source_object (task));
  update->status = g_strdup (status);
  _ts_main_context_post (g_task_get_context (task), "[tasksteper] demo status",
                         apply_status, update, status_update_free);
}

/* Blocking SQL, for the filling thread */

static void
ignore_notice (void       *user_data,
               const char *message)
{
  g_debug ("%s", message);
}

static char *
dup_result_message (PGconn   *conn,
                    PGresult *result)
{
  const char *primary = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;

  if (primary != NULL)
    return g_strdup (primary);

  return g_strchomp (g_strdup (PQerrorMessage (conn)));
}

static PGconn *
connect_as (TsDemo      *self,
            const char  *dbname,
            const char  *user,
            GError     **error)
{
  g_autofree char *conninfo = ts_local_server_dup_conninfo (self->server, dbname, user);
  g_autofree char *with_encoding = g_strconcat (conninfo, " client_encoding=UTF8", NULL);
  g_autoptr(PGconn) conn = PQconnectdb (with_encoding);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_FAILED,
                   _("Could not connect to the demo server as %s: %s"),
                   user != NULL ? user : TS_LOCAL_SERVER_SUPERUSER, message);
      return NULL;
    }

  PQsetNoticeProcessor (conn, ignore_notice, NULL);

  return g_steal_pointer (&conn);
}

/* Runs @sql with @n_values text parameters; @what names the step for the
 * message when the server refuses it. */
static PGresult *
exec_params (PGconn              *conn,
             const char          *what,
             const char          *sql,
             int                  n_values,
             const char * const  *values,
             GError             **error)
{
  g_autoptr(PGresult) result = PQexecParams (conn, sql, n_values, NULL, values, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus (result);
  g_autofree char *message = NULL;

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return g_steal_pointer (&result);

  message = dup_result_message (conn, result);
  g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_FAILED,
               /* Translators: Could not fill the demo database (STEP): MESSAGE */
               _("Could not fill the demo database (%s): %s"), what, message);
  return NULL;
}

static gboolean
exec_sql (PGconn      *conn,
          const char  *what,
          const char  *sql,
          GError     **error)
{
  g_autoptr(PGresult) result = exec_params (conn, what, sql, 0, NULL, error);

  return result != NULL;
}

/* Filling the database */

/* Each example project's text, checked as `tasksteper-admin import` checks
 * it, before the database is touched. */
static GPtrArray *
read_projects (GError **error)
{
  g_autofree char *dir = _ts_demo_find_schemas_dir (error);
  g_autoptr(GPtrArray) texts = NULL;

  if (dir == NULL)
    return NULL;

  texts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (demo_projects); i++)
    {
      g_autofree char *name = g_strconcat (demo_projects[i], ".json", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(TsDiagnostics) diagnostics = ts_diagnostics_new (path);
      g_autoptr(TsProject) project = NULL;
      g_autoptr(GError) read_error = NULL;
      char *text = NULL;

      project = ts_project_new_from_file (path, diagnostics);
      if (project == NULL)
        {
          g_autofree char *report = g_strchomp (ts_diagnostics_to_string (diagnostics));

          g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_NO_SCHEMAS,
                       _("The example project %s is not valid:\n%s"), path, report);
          return NULL;
        }

      if (!g_file_get_contents (path, &text, NULL, &read_error))
        {
          g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_NO_SCHEMAS,
                       _("Could not read the example project %s: %s"), path, read_error->message);
          return NULL;
        }

      g_ptr_array_add (texts, text);
    }

  return g_steal_pointer (&texts);
}

/* A login role of tasksteper_user, made again if an earlier first start
 * was cut short after making it. */
static gboolean
create_person (PGconn      *conn,
               const char  *login,
               GError     **error)
{
  const char * const values[] = { login };
  g_autoptr(PGresult) found = NULL;
  g_autofree char *sql = NULL;
  char *identifier;

  found = exec_params (conn, login, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
                       1, values, error);
  if (found == NULL)
    return FALSE;

  /* A role name cannot be a parameter; PQescapeIdentifier() quotes it. */
  identifier = PQescapeIdentifier (conn, login, strlen (login));
  if (PQntuples (found) == 0)
    sql = g_strdup_printf ("CREATE ROLE %s LOGIN IN ROLE tasksteper_user", identifier);
  else
    sql = g_strdup_printf ("GRANT tasksteper_user TO %s", identifier);
  PQfreemem (identifier);

  return exec_sql (conn, login, sql, error);
}

/* Gives each demo person their display name ("张伟"), as an admin would
 * with `tasksteper-admin user add --display-name`. */
static gboolean
name_people (PGconn  *conn,
             GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_people); i++)
    {
      const char * const values[] = { demo_people[i].login, demo_people[i].name };
      g_autoptr(PGresult) result = NULL;

      result = exec_params (conn, demo_people[i].login, "SELECT tasksteper.set_display_name ($1, $2)",
                            2, values, error);
      if (result == NULL)
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char *id;
  char *version;
} DemoTicket;

static void
demo_ticket_free (gpointer data)
{
  DemoTicket *ticket = data;

  g_free (ticket->id);
  g_free (ticket->version);
  g_free (ticket);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static char *
dup_fields_json (JsonObject *step,
                 const char *name)
{
  JsonNode *fields = json_object_get_member (step, name);

  if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    return g_strdup ("{}");

  return json_to_string (fields, FALSE);
}

/* Plays one step of the story: the person creates the ticket or fires a
 * trigger on it. */
static gboolean
play_step (TsDemo        *self,
           JsonObject    *step,
           GHashTable    *connections,
           GHashTable    *tickets,
           GError       **error)
{
  const char *ticket_name = get_string_member (step, "ticket");
  const char *login = get_string_member (step, "as");
  const char *trigger = get_string_member (step, "fire");
  g_autofree char *fields = NULL;
  g_autofree char *what = NULL;
  g_autoptr(PGresult) result = NULL;
  const char *slash;
  PGconn *conn;

  if (ticket_name == NULL || (slash = strchr (ticket_name, '/')) == NULL || !ts_demo_is_user (login) ||
      (trigger == NULL) == (json_object_get_member (step, "create") == NULL))
    {
      g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_FAILED,
                   _("The demo’s story has a step it cannot play (%s): each step needs "
                     "“ticket”, “as” and either “create” or “fire”."),
                   DEMO_STORY);
      return FALSE;
    }

  conn = g_hash_table_lookup (connections, login);
  if (conn == NULL)
    {
      conn = connect_as (self, TS_DEMO_DATABASE, login, error);
      if (conn == NULL)
        return FALSE;
      g_hash_table_insert (connections, g_strdup (login), conn);
    }

  if (trigger == NULL)
    {
      g_autofree char *project = g_strndup (ticket_name, slash - ticket_name);
      const char *values[2];
      DemoTicket *ticket;

      fields = dup_fields_json (step, "create");
      values[0] = project;
      values[1] = fields;
      what = g_strdup_printf ("%s, %s", ticket_name, login);
      result = exec_params (conn, what,
                            "SELECT id, version, number FROM tasksteper.create_ticket ($1, $2::jsonb)",
                            2, values, error);
      if (result == NULL)
        return FALSE;

      /* The story names tickets by their numbers: it must agree. */
      if (!g_str_equal (PQgetvalue (result, 0, 2), slash + 1))
        {
          g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_FAILED,
                       _("The demo’s story creates %s, but the database numbered it %s/%s."),
                       ticket_name, project, PQgetvalue (result, 0, 2));
          return FALSE;
        }

      ticket = g_new0 (DemoTicket, 1);
      ticket->id = g_strdup (PQgetvalue (result, 0, 0));
      ticket->version = g_strdup (PQgetvalue (result, 0, 1));
      g_hash_table_insert (tickets, g_strdup (ticket_name), ticket);
    }
  else
    {
      DemoTicket *ticket = g_hash_table_lookup (tickets, ticket_name);
      const char *values[4];

      if (ticket == NULL)
        {
          g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_FAILED,
                       _("The demo’s story fires “%s” on %s before creating it."),
                       trigger, ticket_name);
          return FALSE;
        }

      fields = dup_fields_json (step, "fields");
      values[0] = ticket->id;
      values[1] = ticket->version;
      values[2] = trigger;
      values[3] = fields;
      what = g_strdup_printf ("%s, %s, %s", ticket_name, login, trigger);
      result = exec_params (conn, what,
                            "SELECT version FROM tasksteper.fire ($1::bigint, $2::int, $3, $4::jsonb)",
                            4, values, error);
      if (result == NULL)
        return FALSE;

      g_free (ticket->version);
      ticket->version = g_strdup (PQgetvalue (result, 0, 0));
    }

  return TRUE;
}

static gboolean
play_story (TsDemo        *self,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) connections = NULL;
  g_autoptr(GHashTable) tickets = NULL;
  JsonNode *root;
  JsonNode *steps;
  gsize length;
  const char *data;

  bytes = g_resource_lookup_data (ts_demo_story_get_resource (), DEMO_STORY, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &length);
  if (!json_parser_load_from_data (parser, data, length, error))
    return FALSE;

  root = json_parser_get_root (parser);
  steps = JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "steps") : NULL;
  if (steps == NULL || !JSON_NODE_HOLDS_ARRAY (steps))
    {
      g_set_error (error, TS_DEMO_ERROR, TS_DEMO_ERROR_FAILED,
                   _("The demo’s story (%s) has no list of steps."), DEMO_STORY);
      return FALSE;
    }

  connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)PQfinish);
  tickets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, demo_ticket_free);

  for (guint i = 0; i < json_array_get_length (json_node_get_array (steps)); i++)
    {
      JsonNode *step = json_array_get_element (json_node_get_array (steps), i);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!JSON_NODE_HOLDS_OBJECT (step))
        continue;

      if (!play_step (self, json_node_get_object (step), connections, tickets, error))
        return FALSE;
    }

  return TRUE;
}

/* The server side, the projects, the people and their tickets. */
static gboolean
seed (TsDemo        *self,
      PGconn        *admin,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autoptr(GPtrArray) projects = read_projects (error);
  g_autoptr(PGconn) conn = NULL;

  if (projects == NULL)
    return FALSE;

  /* What an interrupted first start left goes. */
  if (!exec_sql (admin, TS_DEMO_DATABASE, "DROP DATABASE IF EXISTS " TS_DEMO_DATABASE " WITH (FORCE)", error) ||
      !exec_sql (admin, TS_DEMO_DATABASE, "CREATE DATABASE " TS_DEMO_DATABASE, error))
    return FALSE;

  conn = connect_as (self, TS_DEMO_DATABASE, NULL, error);
  if (conn == NULL || !ts_migrations_apply (conn, NULL, NULL, error))
    return FALSE;

  if (!exec_sql (conn, "BEGIN", "BEGIN", error))
    return FALSE;

  for (guint i = 0; i < projects->len; i++)
    {
      const char * const values[] = { g_ptr_array_index (projects, i) };
      g_autoptr(PGresult) result = NULL;

      result = exec_params (conn, demo_projects[i], "SELECT tasksteper.import_project ($1::jsonb)",
                            1, values, error);
      if (result == NULL)
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (demo_people); i++)
    {
      if (!create_person (conn, demo_people[i].login, error))
        return FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (demo_projects); j++)
        {
          const char * const values[] = { demo_projects[j], demo_people[i].login };
          g_autoptr(PGresult) result = NULL;

          result = exec_params (conn, demo_people[i].login, "SELECT tasksteper.add_member ($1, $2)",
                                2, values, error);
          if (result == NULL)
            return FALSE;
        }
    }

  if (!name_people (conn, error) ||
      !exec_sql (conn, "COMMIT", "COMMIT", error) ||
      !play_story (self, cancellable, error))
    return FALSE;

  return exec_sql (admin, TS_DEMO_DATABASE,
                   "COMMENT ON DATABASE " TS_DEMO_DATABASE " IS '" SEEDED_MARK "'", error);
}

static gboolean
is_seeded (PGconn    *admin,
           gboolean  *seeded,
           GError   **error)
{
  const char * const values[] = { TS_DEMO_DATABASE };
  g_autoptr(PGresult) result = NULL;

  result = exec_params (admin, TS_DEMO_DATABASE,
                        "SELECT shobj_description (oid, 'pg_database')"
                        "  FROM pg_catalog.pg_database WHERE datname = $1",
                        1, values, error);
  if (result == NULL)
    return FALSE;

  *seeded = PQntuples (result) == 1 && !PQgetisnull (result, 0, 0) &&
            g_str_equal (PQgetvalue (result, 0, 0), SEEDED_MARK);
  return TRUE;
}

static void
fill_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TsDemo *self = source_object;
  g_autoptr(PGconn) admin = NULL;
  g_autoptr(PGconn) conn = NULL;
  GError *error = NULL;
  gboolean seeded = FALSE;
  int from = 0;
  int to = 0;

  admin = connect_as (self, NULL, NULL, &error);
  if (admin == NULL || !is_seeded (admin, &seeded, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!seeded)
    {
      report_status (task, _("Filling the demo with example projects, people and tickets…"));
      if (!seed (self, admin, cancellable, &error))
        g_task_return_error (task, error);
      else
        g_task_return_int (task, TRUE);
      return;
    }

  /* A newer TaskSteper may bring a newer server side; a demo made before
   * people had display names gets them with it. */
  conn = connect_as (self, TS_DEMO_DATABASE, NULL, &error);
  if (conn == NULL || !ts_migrations_apply (conn, &from, &to, &error) ||
      (from < PEOPLE_VERSION && to >= PEOPLE_VERSION && !name_people (conn, &error)))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, FALSE);
}

/* Starting */

static void
on_filled (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsDemo *self = TS_DEMO (object);
  GError *error = NULL;
  gssize seeded;

  seeded = g_task_propagate_int (G_TASK (result), &error);
  set_status (self, NULL);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->seeded = seeded != 0;
  g_task_return_boolean (task, TRUE);
}

static void
on_server_started (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsDemo *self = g_task_get_source_object (task);
  g_autoptr(GTask) fill = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  if (!ts_local_server_start_finish (TS_LOCAL_SERVER (object), result, &error))
    {
      set_status (self, NULL);
      g_task_return_error (task, error);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  fill = g_task_new (self, cancellable, on_filled, g_steal_pointer (&task));
  g_task_set_source_tag (fill, on_server_started);
  g_task_run_in_thread (fill, fill_thread);
}

void
ts_demo_start_async (TsDemo              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TS_IS_DEMO (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ts_demo_start_async);

  self->seeded = FALSE;
  set_status (self, ts_demo_get_start_status (self));

  ts_local_server_start_async (self->server, cancellable, on_server_started, g_steal_pointer (&task));
}

gboolean
ts_demo_start_finish (TsDemo        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (TS_IS_DEMO (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ts_demo_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ts_demo_stop (TsDemo  *self,
              GError **error)
{
  g_return_val_if_fail (TS_IS_DEMO (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return ts_local_server_stop (self->server, TS_LOCAL_SERVER_STOP_FAST, NULL, error);
}

/* The object */

static void
ts_demo_finalize (GObject *object)
{
  TsDemo *self = (TsDemo *)object;

  g_clear_object (&self->server);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->status, g_free);

  G_OBJECT_CLASS (ts_demo_parent_class)->finalize (object);
}

static void
ts_demo_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  TsDemo *self = TS_DEMO (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_demo_class_init (TsDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_demo_finalize;
  object_class->get_property = ts_demo_get_property;

  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_demo_init (TsDemo *self)
{
}

static TsDemo *
new_with_dirs (char *dir,
               char *socket_dir)
{
  TsDemo *self = g_object_new (TS_TYPE_DEMO, NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);

  self->dir = dir;
  self->server = ts_local_server_new (data_dir, socket_dir, DEMO_PORT);
  /* Whatever ends the application, its demo server ends too. */
  ts_local_server_set_guarded (self->server, TRUE);
  g_free (socket_dir);

  return self;
}

TsDemo *
ts_demo_new (void)
{
  char *dir;
  char *socket_dir;

  _ts_demo_choose_dirs (g_getenv ("TASKSTEPER_DEMO_DIR"), geteuid (), g_get_user_data_dir (),
                        g_getenv ("XDG_RUNTIME_DIR"), &dir, &socket_dir);

  return new_with_dirs (dir, socket_dir);
}

TsDemo *
_ts_demo_new_for_dir (const char *dir)
{
  char *socket_dir = g_build_filename (dir, "socket", NULL);

  return new_with_dirs (g_strdup (dir), socket_dir);
}

TsLocalServer *
ts_demo_get_server (TsDemo *self)
{
  g_return_val_if_fail (TS_IS_DEMO (self), NULL);
  return self->server;
}

const char *
ts_demo_get_dir (TsDemo *self)
{
  g_return_val_if_fail (TS_IS_DEMO (self), NULL);
  return self->dir;
}

const char *
ts_demo_get_start_status (TsDemo *self)
{
  g_return_val_if_fail (TS_IS_DEMO (self), NULL);

  if (ts_local_server_is_initialized (self->server))
    return _("Starting the demo server…");

  return _("Creating the demo server; the first time takes a few seconds…");
}

const char *
ts_demo_get_status (TsDemo *self)
{
  g_return_val_if_fail (TS_IS_DEMO (self), NULL);
  return self->status;
}

gboolean
ts_demo_get_seeded (TsDemo *self)
{
  g_return_val_if_fail (TS_IS_DEMO (self), FALSE);
  return self->seeded;
}

char *
ts_demo_dup_conninfo (TsDemo     *self,
                      const char *user)
{
  g_return_val_if_fail (TS_IS_DEMO (self), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  return ts_local_server_dup_conninfo (self->server, TS_DEMO_DATABASE, user);
}

const char * const *
ts_demo_get_users (void)
{
  return demo_logins;
}

gboolean
ts_demo_is_user (const char *user)
{
  return user != NULL && g_strv_contains (demo_logins, user);
}

const char *
ts_demo_get_user_name (const char *user)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_people); i++)
    if (g_strcmp0 (user, demo_people[i].login) == 0)
      return demo_people[i].name;

  return NULL;
}
