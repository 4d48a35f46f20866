/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ts-gui-test-util.h"
#include "ts-login-window-private.h"
#include "ts-migrations.h"
#include "ts-test-server.h"

/* The login window against a real server: the fields are filled and the
 * buttons pressed as a person would, and each way of failing must show its
 * own message in the window with the focus where the person acts. */

static TsTestServer *server;
static char *installed_db;  /* TaskSteper installed, with the roles below */
static char *bare_db;       /* an empty database */
static char *port_text;

#define ALICE    "lw_alice"     /* a TaskSteper user, trusted */
#define PW_USER  "lw_pw"        /* a TaskSteper user with a password */
#define PASSWORD "right horse"
#define STRANGER "lw_stranger"  /* may log in, not a TaskSteper user */

/* Helpers */

typedef struct
{
  TsLoginWindow *window;
  TsStore       *store;      /* from ::connected */
  guint          connected;  /* times ::connected was emitted */
} Login;

static GtkWidget *
child (Login      *login,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (login->window), TS_TYPE_LOGIN_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5 * 1000);
    }
}

static void
on_connected (TsLoginWindow *window,
              GObject       *store,
              Login         *login)
{
  g_assert_true (TS_IS_STORE (store));
  g_set_object (&login->store, TS_STORE (store));
  login->connected++;
}

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
login_open (Login *login)
{
  GtkWidget *window;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  memset (login, 0, sizeof *login);
  login->window = ts_login_window_new (NULL);
  window = GTK_WIDGET (login->window);
  g_signal_connect (login->window, "connected", G_CALLBACK (on_connected), login);
  gtk_window_present (GTK_WINDOW (window));

  while (!gtk_widget_get_mapped (window) || gtk_widget_get_width (window) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  iterate_for (100);
}

/* Closes the window and checks that neither it nor the store leaks: an
 * attempt in progress must not keep them alive. */
static void
login_close (Login *login)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (login->window), (gpointer *)&login->window);
  gtk_window_destroy (GTK_WINDOW (login->window));
  while (login->window != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }

  if (login->store != NULL)
    g_assert_finalize_object (g_steal_pointer (&login->store));
}

static void
set_row (Login      *login,
         const char *name,
         const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (login, name)), text != NULL ? text : "");
}

static const char *
get_row (Login      *login,
         const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (login, name)));
}

static void
fill (Login      *login,
      const char *host,
      const char *dbname,
      const char *user,
      const char *password)
{
  set_row (login, "host_row", host);
  set_row (login, "port_row", host != NULL ? port_text : NULL);
  set_row (login, "database_row", dbname);
  set_row (login, "user_row", user);
  set_row (login, "password_row", password);
}

static gboolean
is_busy (Login *login)
{
  return gtk_spinner_get_spinning (GTK_SPINNER (child (login, "spinner")));
}

/* Until the attempt is over: the spinner stops, or ::connected is emitted.
 * A button activated from the keyboard clicks only after a short press
 * animation, so the attempt may start a moment later. */
static void
wait_until_done (Login *login)
{
  gint64 start_deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!is_busy (login) && login->connected == 0 && g_get_monotonic_time () < start_deadline)
    g_main_context_iteration (NULL, FALSE);

  while (is_busy (login) && login->connected == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  /* Let the error's revealer finish its animation. */
  iterate_for (400);
}

/* As a pointer click does; gtk_widget_activate() (the keyboard) clicks only
 * after its press animation. */
static void
click (Login      *login,
       const char *name)
{
  GtkWidget *button = child (login, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
press_connect (Login *login)
{
  click (login, "connect_button");
  g_assert_true (is_busy (login));
  g_assert_false (gtk_widget_get_sensitive (child (login, "group")));
  g_assert_true (gtk_widget_get_visible (child (login, "cancel_button")));
}

/* The shown error, or NULL. */
static const char *
shown_error (Login *login)
{
  if (!gtk_revealer_get_reveal_child (GTK_REVEALER (child (login, "error_revealer"))))
    return NULL;

  return gtk_label_get_text (GTK_LABEL (child (login, "error_label")));
}

static void
assert_error_contains (Login      *login,
                       const char *text)
{
  const char *error = shown_error (login);

  if (error == NULL || strstr (error, text) == NULL)
    g_error ("expected an error with “%s”, got “%s”", text, error != NULL ? error : "(none)");
}

static void
assert_focus_in (Login      *login,
                 const char *name)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (login->window));

  g_assert_nonnull (focus);
  if (focus != child (login, name) && !gtk_widget_is_ancestor (focus, child (login, name)))
    g_error ("the focus is on a %s, not in %s", G_OBJECT_TYPE_NAME (focus), name);
}

static void
assert_form_editable (Login *login)
{
  g_assert_false (is_busy (login));
  g_assert_true (gtk_widget_get_sensitive (child (login, "group")));
  g_assert_true (gtk_widget_get_sensitive (child (login, "connect_button")));
  g_assert_false (gtk_widget_get_visible (child (login, "cancel_button")));
  g_assert_cmpuint (login->connected, ==, 0);
}

static void
save_screenshot (Login      *login,
                 const char *name)
{
  GtkWidget *widget = GTK_WIDGET (login->window);
  const char *dir = g_getenv ("TS_ARTIFACTS_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL)
    {
      g_test_message ("TS_ARTIFACTS_DIR is not set: no screenshot");
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Every value of the settings, to look for a password in them. */
static char *
dump_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  GString *dump = g_string_new (NULL);

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (keys[i], "password"));
      g_string_append_printf (dump, "%s=%s\n", keys[i], text);
    }

  return g_string_free (dump, FALSE);
}

static char *
get_setting (const char *key)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");

  return g_settings_get_string (settings, key);
}

static void
set_setting (const char *key,
             const char *value)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");

  g_settings_set_string (settings, key, value);
}

/* The connection string builder */

static void
assert_parses_back (const char *conninfo,
                    const char *keyword,
                    const char *expected)
{
  char *errmsg = NULL;
  PQconninfoOption *options = PQconninfoParse (conninfo, &errmsg);
  const char *found = NULL;

  if (options == NULL)
    g_error ("libpq cannot parse %s: %s", conninfo, errmsg);

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, keyword))
      found = option->val;
  g_assert_cmpstr (found, ==, expected);
  PQconninfoFree (options);
}

static void
test_conninfo_build (void)
{
  g_autofree char *empty = _ts_login_window_build_conninfo ("", "", "", "", "prefer", NULL);
  g_autofree char *plain = _ts_login_window_build_conninfo ("db.example.com", "5433", "tasks", "alice", "require", "/etc/ssl/ca.crt");
  g_autofree char *quoted = NULL;
  g_autofree char *partial = _ts_login_window_build_conninfo (NULL, "", "tasks", NULL, NULL, NULL);
  g_autofree char *uri = NULL;
  g_autofree char *service = NULL;
  g_autofree char *multi = NULL;

  /* Nothing at all: libpq's defaults and the PG* environment decide. */
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (plain, ==, "host='db.example.com' port='5433' dbname='tasks' user='alice' sslmode='require'");
  g_assert_cmpstr (partial, ==, "dbname='tasks'");

  quoted = _ts_login_window_build_conninfo ("/run/my sockets", "", "it's mine", "back\\slash 'n' space",
                                            "verify-full", "/home/me/it's ca.crt");
  g_assert_cmpstr (quoted, ==,
                   "host='/run/my sockets' dbname='it\\'s mine' user='back\\\\slash \\'n\\' space' "
                   "sslmode='verify-full' sslrootcert='/home/me/it\\'s ca.crt'");
  assert_parses_back (quoted, "host", "/run/my sockets");
  assert_parses_back (quoted, "dbname", "it's mine");
  assert_parses_back (quoted, "user", "back\\slash 'n' space");
  assert_parses_back (quoted, "port", NULL);
  assert_parses_back (quoted, "sslmode", "verify-full");
  assert_parses_back (quoted, "sslrootcert", "/home/me/it's ca.crt");

  /* Several hosts, a primary and its standbys, go to libpq as they are
   * typed; TsConnection adds target_session_attrs=read-write. */
  multi = _ts_login_window_build_conninfo ("db1.example.com,db2.example.com", "5432,5433", "tasks", "alice",
                                           "verify-full", "/etc/ssl/ca.crt");
  assert_parses_back (multi, "host", "db1.example.com,db2.example.com");
  assert_parses_back (multi, "port", "5432,5433");
  assert_parses_back (multi, "sslrootcert", "/etc/ssl/ca.crt");

  /* A whole connection string in Host is used as it is. */
  uri = _ts_login_window_build_conninfo ("postgresql://bob@db.example.com:5433/tasks?sslmode=require",
                                         "1", "other", "carol", "disable", NULL);
  g_assert_cmpstr (uri, ==, "postgresql://bob@db.example.com:5433/tasks?sslmode=require");
  service = _ts_login_window_build_conninfo ("service=tasks", "", "", "", "prefer", NULL);
  g_assert_cmpstr (service, ==, "service=tasks");

  g_assert_true (_ts_login_window_is_conninfo ("postgres://h/db"));
  g_assert_true (_ts_login_window_is_conninfo ("host=h dbname=d"));
  g_assert_false (_ts_login_window_is_conninfo ("db.example.com"));
  g_assert_false (_ts_login_window_is_conninfo ("/var/run/postgresql"));
  g_assert_false (_ts_login_window_is_conninfo (NULL));
}

static void
test_conninfo_strip_password (void)
{
  g_autofree char *uri = _ts_login_window_strip_password ("postgresql://bob:s3cret@db.example.com:5433/tasks?sslmode=require");
  g_autofree char *pairs = _ts_login_window_strip_password ("service=tasks password='x y' sslpassword=z user=bob");
  g_autofree char *bad = _ts_login_window_strip_password ("host='unterminated");

  g_assert_null (strstr (uri, "s3cret"));
  assert_parses_back (uri, "user", "bob");
  assert_parses_back (uri, "host", "db.example.com");
  assert_parses_back (uri, "port", "5433");
  assert_parses_back (uri, "dbname", "tasks");
  assert_parses_back (uri, "sslmode", "require");
  assert_parses_back (uri, "password", NULL);

  g_assert_cmpstr (pairs, ==, "service='tasks' user='bob'");
  g_assert_null (bad);
}

/* The window */

static void
test_startup_focus (void)
{
  Login login;

  /* Nothing remembered: the first field. */
  reset_settings ();
  login_open (&login);
  g_assert_cmpstr (get_row (&login, "host_row"), ==, "");
  assert_focus_in (&login, "host_row");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (&login, "sslmode_row"))), ==, 1);
  login_close (&login);

  /* A host but no database yet. */
  set_setting ("last-host", "db.example.com");
  login_open (&login);
  assert_focus_in (&login, "database_row");
  login_close (&login);

  /* The last server: only the password is missing. */
  set_setting ("last-port", "5433");
  set_setting ("last-database", "tasks");
  set_setting ("last-user", "alice");
  set_setting ("last-sslmode", "verify-full");
  login_open (&login);
  g_assert_cmpstr (get_row (&login, "host_row"), ==, "db.example.com");
  g_assert_cmpstr (get_row (&login, "port_row"), ==, "5433");
  g_assert_cmpstr (get_row (&login, "database_row"), ==, "tasks");
  g_assert_cmpstr (get_row (&login, "user_row"), ==, "alice");
  g_assert_cmpstr (get_row (&login, "password_row"), ==, "");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (&login, "sslmode_row"))), ==, 4);
  assert_focus_in (&login, "password_row");
  g_assert_null (shown_error (&login));
  login_close (&login);

  reset_settings ();
}

static void
test_connect_success (void)
{
  Login login;
  g_autofree char *host = NULL;
  g_autofree char *dbname = NULL;
  g_autofree char *user = NULL;
  g_autofree char *sslmode = NULL;
  g_autofree char *port = NULL;
  GtkWidget *text;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, ALICE, NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (&login, "sslmode_row")), 0);

  /* Enter in a field connects: GtkText's Enter binding emits ::activate. */
  text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (child (&login, "user_row"))));
  g_assert_true (GTK_IS_TEXT (text));
  g_signal_emit_by_name (text, "activate");
  g_assert_true (is_busy (&login));

  /* Nothing is remembered before the server said yes. */
  host = get_setting ("last-host");
  g_assert_cmpstr (host, ==, "");
  g_clear_pointer (&host, g_free);

  wait_until_done (&login);
  g_assert_null (shown_error (&login));
  g_assert_cmpuint (login.connected, ==, 1);
  g_assert_nonnull (login.store);
  g_assert_cmpstr (ts_store_get_user (login.store), ==, ALICE);
  g_assert_cmpint (ts_connection_get_state (ts_store_get_connection (login.store)), ==, TS_CONNECTION_READY);

  /* The window stays, the application decides. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (login.window)));

  host = get_setting ("last-host");
  port = get_setting ("last-port");
  dbname = get_setting ("last-database");
  user = get_setting ("last-user");
  sslmode = get_setting ("last-sslmode");
  g_assert_cmpstr (host, ==, ts_test_server_get_socket_dir (server));
  g_assert_cmpstr (port, ==, port_text);
  g_assert_cmpstr (dbname, ==, installed_db);
  g_assert_cmpstr (user, ==, ALICE);
  g_assert_cmpstr (sslmode, ==, "disable");

  login_close (&login);
}

static void
test_connect_password (void)
{
  Login login;
  g_autofree char *dump = NULL;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, PW_USER, PASSWORD);
  press_connect (&login);
  wait_until_done (&login);
  g_assert_null (shown_error (&login));
  g_assert_cmpuint (login.connected, ==, 1);
  g_assert_cmpstr (ts_store_get_user (login.store), ==, PW_USER);

  /* The password lives only in the connection. */
  g_assert_cmpstr (get_row (&login, "password_row"), ==, "");
  dump = dump_settings ();
  g_assert_null (strstr (dump, PASSWORD));
  g_assert_nonnull (strstr (dump, PW_USER));

  login_close (&login);
}

static void
test_wrong_password (void)
{
  Login login;
  int start, end;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, PW_USER, "wrong horse");
  press_connect (&login);
  wait_until_done (&login);

  assert_form_editable (&login);
  assert_error_contains (&login, "password is wrong");
  assert_focus_in (&login, "password_row");
  /* Selected, so that typing replaces it. */
  g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (child (&login, "password_row")), &start, &end));
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, strlen ("wrong horse"));

  save_screenshot (&login, "login-window.png");

  /* Nothing is remembered from a failed attempt. */
  {
    g_autofree char *user = get_setting ("last-user");
    g_assert_cmpstr (user, ==, "");
  }

  /* Typing the right one and pressing Enter gets in. */
  set_row (&login, "password_row", PASSWORD);
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (child (&login, "password_row"))), "activate");
  wait_until_done (&login);
  g_assert_cmpuint (login.connected, ==, 1);
  g_assert_null (shown_error (&login));

  login_close (&login);
}

static void
test_needs_password (void)
{
  Login login;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, PW_USER, NULL);
  gtk_widget_grab_focus (child (&login, "host_row"));
  press_connect (&login);
  wait_until_done (&login);

  assert_form_editable (&login);
  assert_error_contains (&login, "asks for a password");
  assert_focus_in (&login, "password_row");

  login_close (&login);
}

static void
test_unreachable (void)
{
  Login login;
  g_autofree char *expected = NULL;

  reset_settings ();
  login_open (&login);
  fill (&login, "/nonexistent/tasksteper-socket", installed_db, ALICE, NULL);
  press_connect (&login);
  wait_until_done (&login);

  assert_form_editable (&login);
  expected = g_strdup_printf ("Cannot reach the server at /nonexistent/tasksteper-socket:%s. "
                              "Check the host name and port, and that the server is running.",
                              port_text);
  g_assert_cmpstr (shown_error (&login), ==, expected);
  assert_focus_in (&login, "host_row");

  login_close (&login);
}

static void
test_not_installed (void)
{
  Login login;
  g_autofree char *expected = NULL;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), bare_db, ALICE, NULL);
  press_connect (&login);
  wait_until_done (&login);

  assert_form_editable (&login);
  expected = g_strdup_printf ("TaskSteper is not installed in database %s. "
                              "Ask your administrator to run “tasksteper-admin init”.",
                              bare_db);
  g_assert_cmpstr (shown_error (&login), ==, expected);
  assert_focus_in (&login, "database_row");

  login_close (&login);
}

static void
test_not_a_user (void)
{
  Login login;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, STRANGER, NULL);
  press_connect (&login);
  wait_until_done (&login);

  assert_form_editable (&login);
  assert_error_contains (&login, STRANGER " is not a TaskSteper user");
  assert_error_contains (&login, "tasksteper-admin user add " STRANGER);
  assert_focus_in (&login, "user_row");

  login_close (&login);
}

static void
test_other_failure (void)
{
  Login login;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), "no_such_database", ALICE, NULL);
  press_connect (&login);
  wait_until_done (&login);

  assert_form_editable (&login);
  /* The server's own words. */
  assert_error_contains (&login, "\"no_such_database\" does not exist");

  login_close (&login);
}

static void
test_bad_port (void)
{
  Login login;

  reset_settings ();
  login_open (&login);
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, ALICE, NULL);
  set_row (&login, "port_row", "54x2");
  gtk_widget_activate (child (&login, "connect_button"));
  iterate_for (500);
  g_assert_false (is_busy (&login));
  assert_error_contains (&login, "port must be a number");
  assert_focus_in (&login, "port_row");

  login_close (&login);
}

static void
test_connect_conninfo (void)
{
  Login login;
  g_autofree char *conninfo = NULL;
  g_autofree char *dump = NULL;

  reset_settings ();
  login_open (&login);
  conninfo = g_strdup_printf ("host='%s' port=%s dbname=%s user=%s password='%s' sslmode=disable "
                              "application_name=test",
                              ts_test_server_get_socket_dir (server), port_text, installed_db,
                              PW_USER, PASSWORD);
  ts_login_window_connect_conninfo (login.window, conninfo);

  /* The fields show the string, without its password, and it connects at once. */
  g_assert_true (is_busy (&login));
  g_assert_cmpstr (get_row (&login, "host_row"), ==, ts_test_server_get_socket_dir (server));
  g_assert_cmpstr (get_row (&login, "port_row"), ==, port_text);
  g_assert_cmpstr (get_row (&login, "database_row"), ==, installed_db);
  g_assert_cmpstr (get_row (&login, "user_row"), ==, PW_USER);
  g_assert_cmpstr (get_row (&login, "password_row"), ==, "");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (&login, "sslmode_row"))), ==, 0);

  wait_until_done (&login);
  g_assert_null (shown_error (&login));
  g_assert_cmpuint (login.connected, ==, 1);
  g_assert_cmpstr (ts_store_get_user (login.store), ==, PW_USER);
  /* Exactly the string given, password included. */
  g_assert_cmpstr (ts_connection_get_conninfo (ts_store_get_connection (login.store)), ==, conninfo);

  dump = dump_settings ();
  g_assert_null (strstr (dump, PASSWORD));
  login_close (&login);

  /* A URI without the password: asked for, then given in the window. */
  g_clear_pointer (&conninfo, g_free);
  conninfo = g_strdup_printf ("postgresql://%s@/%s?host=%s&port=%s", PW_USER, installed_db,
                              ts_test_server_get_socket_dir (server), port_text);
  login_open (&login);
  ts_login_window_connect_conninfo (login.window, conninfo);
  wait_until_done (&login);
  assert_error_contains (&login, "asks for a password");
  assert_focus_in (&login, "password_row");
  set_row (&login, "password_row", PASSWORD);
  gtk_widget_activate (child (&login, "connect_button"));
  wait_until_done (&login);
  g_assert_cmpuint (login.connected, ==, 1);
  g_assert_cmpstr (ts_connection_get_conninfo (ts_store_get_connection (login.store)), ==, conninfo);
  login_close (&login);

  /* A string libpq cannot read is said so, and nothing starts. */
  login_open (&login);
  ts_login_window_connect_conninfo (login.window, "host='unterminated");
  g_assert_false (is_busy (&login));
  iterate_for (300);
  assert_error_contains (&login, "connection string is not valid");
  login_close (&login);
}

/* A Unix socket where a server would be, that takes connections and never
 * answers: connecting to it lasts until cancelled. */
static GSocket *
listen_silently (char **dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *path = NULL;

  *dir = g_dir_make_tmp ("ts-silent-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*dir, ".s.PGSQL.5432", NULL);
  address = g_unix_socket_address_new (path);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_listen (socket, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&socket);
}

static void
test_cancel (void)
{
  Login login;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSocket) silent = listen_silently (&dir);

  reset_settings ();
  login_open (&login);
  fill (&login, dir, installed_db, ALICE, NULL);
  set_row (&login, "port_row", "5432");
  press_connect (&login);
  assert_focus_in (&login, "cancel_button");
  g_assert_false (gtk_widget_get_sensitive (child (&login, "connect_button")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (&login, "connect_label"))), ==, "Connecting…");

  /* The server does not answer: still connecting a while later. */
  iterate_for (500);
  g_assert_true (is_busy (&login));
  save_screenshot (&login, "login-window-connecting.png");

  click (&login, "cancel_button");

  /* Back at once, without an error, and nothing comes late. */
  assert_form_editable (&login);
  g_assert_null (shown_error (&login));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (&login, "connect_label"))), ==, "Connect");
  iterate_for (500);
  assert_form_editable (&login);
  g_assert_null (shown_error (&login));

  /* The cancel action, which Escape is bound to, does the same. */
  press_connect (&login);
  iterate_for (100);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (login.window), "login.cancel", NULL));
  assert_form_editable (&login);

  /* And connecting again, to a real server, works. */
  fill (&login, ts_test_server_get_socket_dir (server), installed_db, ALICE, NULL);
  press_connect (&login);
  wait_until_done (&login);
  g_assert_cmpuint (login.connected, ==, 1);

  login_close (&login);

  /* Closing the window while it connects leaves nothing behind. */
  login_open (&login);
  fill (&login, dir, installed_db, ALICE, NULL);
  set_row (&login, "port_row", "5432");
  press_connect (&login);
  iterate_for (100);
  login_close (&login);

  path = g_build_filename (dir, ".s.PGSQL.5432", NULL);
  g_socket_close (silent, NULL);
  g_unlink (path);
  g_rmdir (dir);
}

/* Set-up */

static void
exec_ok (const char *db,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  ts_test_server_exec (server, db, sql, &error);
  g_assert_no_error (error);
}

/* The harness trusts every local connection: ask PW_USER for a password.
 * The file is PostgreSQL's, so it keeps its owner and mode. */
static void
require_password (void)
{
  const char *data_dir = ts_test_server_get_data_dir (server);
  g_autofree char *path = g_build_filename (data_dir, "pg_hba.conf", NULL);
  g_autofree char *hba = NULL;
  g_autofree char *new_hba = NULL;
  g_autofree char *conninfo = ts_test_server_conninfo (server, installed_db, PW_USER);
  GError *error = NULL;
  struct stat st;

  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_true (g_file_get_contents (path, &hba, NULL, &error));
  g_assert_no_error (error);
  new_hba = g_strdup_printf ("local all %s scram-sha-256\n%s", PW_USER, hba);
  g_assert_true (g_file_set_contents (path, new_hba, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  if (geteuid () == 0)
    g_assert_cmpint (chown (path, st.st_uid, st.st_gid), ==, 0);
  exec_ok (NULL, "SELECT pg_reload_conf ()");

  /* The reload is asynchronous: wait until it shows. */
  for (guint i = 0; ; i++)
    {
      PGconn *conn = PQconnectdb (conninfo);
      gboolean asks = PQstatus (conn) == CONNECTION_BAD && PQconnectionNeedsPassword (conn);

      PQfinish (conn);
      if (asks)
        break;
      g_assert_cmpuint (i, <, 100);
      g_usleep (100 * 1000);
    }
}

static void
set_up_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  PGconn *conn;

  server = ts_test_server_start (&error);
  g_assert_no_error (error);
  port_text = g_strdup_printf ("%u", ts_test_server_get_port (server));

  installed_db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);
  bare_db = ts_test_server_create_database (server, &error);
  g_assert_no_error (error);

  conninfo = ts_test_server_conninfo (server, installed_db, NULL);
  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  g_assert_true (ts_migrations_apply (conn, NULL, NULL, &error));
  g_assert_no_error (error);
  PQfinish (conn);

  exec_ok (installed_db,
           "CREATE ROLE " ALICE " LOGIN IN ROLE tasksteper_user;"
           "SET password_encryption = 'scram-sha-256';"
           "CREATE ROLE " PW_USER " LOGIN PASSWORD '" PASSWORD "' IN ROLE tasksteper_user;"
           "CREATE ROLE " STRANGER " LOGIN;");
  require_password ();
}

/* Verify full against a server whose certificate a CA of the test's
 * signed: the CA path typed into its row, shown once Verify full is
 * chosen, connects, and is remembered; a host name the certificate is not
 * for is refused as a TLS failure that names it. */
static void
test_tls_verify_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsTestServer) tls = ts_test_server_start_tls (&error);
  const char * const members[] = { "lw_tls", NULL };
  g_autofree char *db = NULL;
  g_autofree char *port = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *message = NULL;
  GtkWidget *ca_row;
  Login login;

  g_assert_no_error (error);
  db = ts_test_prepare_issue_track (tls, members);
  ts_test_server_exec (tls, NULL, "ALTER ROLE lw_tls PASSWORD 'tls horse'", &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", ts_test_server_get_port (tls));

  reset_settings ();
  login_open (&login);
  set_row (&login, "host_row", "localhost");
  set_row (&login, "port_row", port);
  set_row (&login, "database_row", db);
  set_row (&login, "user_row", "lw_tls");
  set_row (&login, "password_row", "tls horse");
  ca_row = child (&login, "ca_row");
  g_assert_false (gtk_widget_get_visible (ca_row));
  /* Verify full, the last of sslmodes[] (as test_connect_success picks). */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (&login, "sslmode_row")), 4);
  TS_WAIT_FOR (gtk_widget_get_visible (ca_row));

  gtk_widget_grab_focus (ca_row);
  ts_test_type (GTK_WIDGET (login.window), ts_test_server_get_ca_file (tls));
  TS_WAIT_FOR (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (ca_row)), ts_test_server_get_ca_file (tls)) == 0);
  ts_test_click (child (&login, "connect_button"));
  wait_until_done (&login);
  g_assert_null (shown_error (&login));
  g_assert_cmpuint (login.connected, ==, 1);
  ca = get_setting ("last-sslrootcert");
  g_assert_cmpstr (ca, ==, ts_test_server_get_ca_file (tls));
  login_close (&login);

  /* The same, to a name the certificate is not for. */
  login_open (&login);
  g_assert_true (gtk_widget_get_visible (child (&login, "ca_row")));
  set_row (&login, "host_row", "wrong.example");
  set_row (&login, "password_row", "tls horse");
  {
    /* wrong.example must not be looked up: it reaches 127.0.0.1. */
    g_autofree char *conninfo = g_strdup_printf ("host=wrong.example hostaddr=127.0.0.1 port=%s dbname=%s "
                                                 "user=lw_tls password='tls horse' sslmode=verify-full "
                                                 "sslrootcert='%s'",
                                                 port, db, ts_test_server_get_ca_file (tls));
    ts_login_window_connect_conninfo (login.window, conninfo);
  }
  wait_until_done (&login);
  message = g_strdup (shown_error (&login));
  g_assert_nonnull (message);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "wrong.example"));
  g_assert_cmpuint (login.connected, ==, 0);
  login_close (&login);

  reset_settings ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  set_up_server ();

  g_test_add_func ("/ts/login/conninfo/build", test_conninfo_build);
  g_test_add_func ("/ts/login/conninfo/strip-password", test_conninfo_strip_password);
  g_test_add_func ("/ts/login/startup-focus", test_startup_focus);
  g_test_add_func ("/ts/login/connect", test_connect_success);
  g_test_add_func ("/ts/login/connect-password", test_connect_password);
  g_test_add_func ("/ts/login/wrong-password", test_wrong_password);
  g_test_add_func ("/ts/login/needs-password", test_needs_password);
  g_test_add_func ("/ts/login/unreachable", test_unreachable);
  g_test_add_func ("/ts/login/not-installed", test_not_installed);
  g_test_add_func ("/ts/login/not-a-user", test_not_a_user);
  g_test_add_func ("/ts/login/other-failure", test_other_failure);
  g_test_add_func ("/ts/login/bad-port", test_bad_port);
  g_test_add_func ("/ts/login/connect-conninfo", test_connect_conninfo);
  g_test_add_func ("/ts/login/cancel", test_cancel);
  g_test_add_func ("/ts/login/tls-verify-full", test_tls_verify_full);

  ret = g_test_run ();

  ts_test_server_free (server);
  g_free (installed_db);
  g_free (bare_db);
  g_free (port_text);

  return ret;
}
