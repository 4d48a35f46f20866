/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <libpq-fe.h>

#include "ts-gui-test-util.h"
#include "ts-migrations.h"

void
ts_test_iterate (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

void
ts_test_save_screenshot (GtkWidget     *widget,
                         const char    *name,
                         const GdkRGBA *background)
{
  const char *dir = g_getenv ("TS_ARTIFACTS_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t bounds;
  int width, height;

  if (dir == NULL)
    return;

  ts_test_iterate (300);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  graphene_rect_init (&bounds, 0, 0, width, height);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  if (background != NULL)
    gtk_snapshot_append_color (snapshot, background, &bounds);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  g_assert_nonnull (texture);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static PGconn *
connect_superuser (TsTestServer *server,
                   const char   *db)
{
  g_autofree char *conninfo = ts_test_server_conninfo (server, db, NULL);
  PGconn *conn = PQconnectdb (conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

char *
ts_test_query_value (TsTestServer *server,
                     const char   *db,
                     const char   *sql,
                     const char   *param)
{
  PGconn *conn = connect_superuser (server, db);
  const char *params[] = { param };
  PGresult *result = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
  char *value = NULL;

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  if (PQntuples (result) > 0)
    value = g_strdup (PQgetvalue (result, 0, 0));
  PQclear (result);
  PQfinish (conn);
  return value;
}

char *
ts_test_prepare_issue_track (TsTestServer       *server,
                             const char * const *members)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("TS_SCHEMAS_DIR"), "issue_track.json", NULL);
  g_autofree char *schema = NULL;
  char *db;
  PGconn *conn;
  PGresult *result;
  const char *params[1];

  db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  conn = connect_superuser (server, db);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &schema, NULL, NULL));
  params[0] = schema;
  result = PQexecParams (conn, "SELECT tasksteper.import_project ($1::jsonb)", 1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  PQclear (result);

  for (guint i = 0; members[i]; i++)
    {
      /* Roles are cluster-wide: another database may have made it. */
      g_autofree char *create = g_strdup_printf ("DO $$ BEGIN CREATE ROLE %s LOGIN IN ROLE tasksteper_user; "
                                                 "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                                                 members[i]);

      result = PQexec (conn, create);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
      PQclear (result);

      params[0] = members[i];
      result = PQexecParams (conn, "SELECT tasksteper.add_member ('issue_track', $1)", 1, NULL, params, NULL, NULL, 0);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      PQclear (result);
    }

  PQfinish (conn);
  return db;
}
