/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `tasksteper --demo` from a clean home directory, under Xvfb: the
 * application starts its own PostgreSQL server, fills it, shows 张伟's
 * pending table with his demo tickets, switches to 李娜 through the menu's
 * action, and stops the server when it quits.  A second start, from the
 * login window's Try the Demo button, finds everything in place and is
 * faster.  Without PostgreSQL, the login window says what to install. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <adwaita.h>

#include "ts-application.h"
#include "ts-demo.h"
#include "ts-demo-window.h"
#include "ts-gui-test-util.h"
#include "ts-login-window.h"
#include "ts-main-window.h"
#include "ts-pq-private.h"
#include "ts-ticket-table.h"

static char *home;
static GSubprocess *watchdog;

/* What the first run saw, for the second to compare. */
static double first_ready_seconds;
static char *first_tickets;

/* Waiting, without spinning: the server needs the CPU more than we do. */

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

#define WAIT_FOR(condition, seconds)                                          \
  G_STMT_START {                                                              \
    gint64 _deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;  \
    guint _tick = g_timeout_add (20, wake_up, NULL);                          \
    while (!(condition) && g_get_monotonic_time () < _deadline)               \
      g_main_context_iteration (NULL, TRUE);                                  \
    g_source_remove (_tick);                                                  \
    g_assert_true (condition);                                                \
  } G_STMT_END

static double
seconds_since (gint64 begin)
{
  return (g_get_monotonic_time () - begin) / (double)G_USEC_PER_SEC;
}

/* The application under test */

typedef struct
{
  TsApplication *app;
  gint64         begin;
  double         ready_seconds;  /* from the start to 张伟's pending table */
  GPid           postmaster;
  char          *socket_path;
  void         (*drive) (gpointer run);

  /* The application's first frame: when, and which window it showed. */
  double         first_frame_seconds;
  GType          first_frame_type;
  gboolean       first_frame_spinning;
  guint          login_windows;   /* how many were ever opened */
} Run;

static gboolean
is_spinning_spinner (GtkWidget     *widget,
                     gconstpointer  data)
{
  return GTK_IS_SPINNER (widget) && gtk_widget_is_drawable (widget) &&
         gtk_spinner_get_spinning (GTK_SPINNER (widget));
}

static GtkWidget *find_widget (GtkWidget     *root,
                               gboolean     (*match) (GtkWidget *widget, gconstpointer data),
                               gconstpointer  data);

static void
on_after_paint (GdkFrameClock *clock,
                GtkWidget     *window)
{
  Run *run = g_object_get_data (G_OBJECT (window), "ts-test-run");

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, window);
  if (run->first_frame_type != G_TYPE_INVALID)
    return;

  run->first_frame_seconds = seconds_since (run->begin);
  run->first_frame_type = G_OBJECT_TYPE (window);
  run->first_frame_spinning = find_widget (window, is_spinning_spinner, NULL) != NULL;
}

static void
on_window_realized (GtkWidget *window)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (on_after_paint), window, 0);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Run            *run)
{
  if (TS_IS_LOGIN_WINDOW (window))
    run->login_windows++;
  g_object_set_data (G_OBJECT (window), "ts-test-run", run);
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realized), NULL);
}

static gboolean
drive_in_idle (gpointer user_data)
{
  Run *run = user_data;

  run->drive (run);
  return G_SOURCE_REMOVE;
}

/* Driving starts once the application is activated, and not at idle
 * priority: the spinner's frames, slow under a sanitizer, would keep an
 * idle from running until the demo is up. */
static void
on_activated (GApplication *app,
              Run          *run)
{
  g_signal_handlers_disconnect_by_func (app, on_activated, run);
  g_idle_add_full (G_PRIORITY_DEFAULT, drive_in_idle, run, NULL);
}

/* Runs the application as `tasksteper ARGS…` would, with @drive doing what
 * a person would do (inside the application's main loop) until it quits. */
static void
run_app (Run          *run,
         const char   *arg,
         void        (*drive) (gpointer run))
{
  g_autoptr(TsApplication) app = ts_application_new ();
  char *argv[] = { (char *)"tasksteper", (char *)arg, NULL };
  int status;

  /* No session bus needed, and no other instance to find. */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  run->app = app;
  run->drive = drive;
  run->begin = g_get_monotonic_time ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activated), run);
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), run);
  status = g_application_run (G_APPLICATION (app), arg != NULL ? 2 : 1, argv);
  g_assert_cmpint (status, ==, 0);

  /* Nothing of it is left. */
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  run->app = NULL;
}

static TsLoginWindow *
find_login_window (TsApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (TS_IS_LOGIN_WINDOW (l->data))
      return l->data;

  return NULL;
}

static TsDemoWindow *
find_demo_window (TsApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (TS_IS_DEMO_WINDOW (l->data))
      return l->data;

  return NULL;
}

static TsMainWindow *
get_main_window (TsApplication *app)
{
  return (TsMainWindow *)ts_application_get_main_window (app);
}

static const char *
get_user (TsMainWindow *window)
{
  return ts_store_get_user (ts_main_window_get_store (window));
}

static gboolean
shows_project (TsMainWindow *window,
               const char   *name)
{
  TsProject *project = window != NULL ? ts_main_window_get_project (window) : NULL;

  return project != NULL && g_strcmp0 (ts_project_get_name (project), name) == 0;
}

static GListModel *
pending_rows (TsMainWindow *window)
{
  TsTicketTable *table = TS_TICKET_TABLE (ts_main_window_get_table (window, "pending"));

  return G_LIST_MODEL (gtk_column_view_get_model (ts_ticket_table_get_column_view (table)));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

/* The keys of the pending table, sorted, space-separated. */
static char *
dup_pending_keys (TsMainWindow *window)
{
  GListModel *rows = pending_rows (window);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(TsTicket) ticket = ts_ticket_table_dup_ticket (TS_TICKET_TABLE (ts_main_window_get_table (window, "pending")), i);

      g_ptr_array_add (keys, g_strdup (ts_ticket_get_key (ticket)));
    }
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);

  return g_strjoinv (" ", (char **)keys->pdata);
}

/* Asks the demo database, as its superuser. */
static char *
query_demo (TsApplication *app,
            const char    *sql)
{
  TsLocalServer *server = ts_demo_get_server (ts_application_get_demo (app));
  g_autofree char *conninfo = ts_local_server_dup_conninfo (server, TS_DEMO_DATABASE, NULL);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) result = NULL;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);

  return PQntuples (result) > 0 ? g_strdup (PQgetvalue (result, 0, 0)) : NULL;
}

static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_button_of_action (GtkWidget     *widget,
                     gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
is_label_saying (GtkWidget     *widget,
                 gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
is_primary_menu_button (GtkWidget     *widget,
                        gconstpointer  data)
{
  return GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget));
}

/* A menu item: GtkModelButton is private, its "text" property is not. */
static gboolean
is_menu_item_saying (GtkWidget     *widget,
                     gconstpointer  text)
{
  g_autofree char *item_text = NULL;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkModelButton") != 0)
    return FALSE;

  g_object_get (widget, "text", &item_text, NULL);
  return item_text != NULL && strstr (item_text, text) != NULL && gtk_widget_is_drawable (widget);
}

/* Opens the main menu's Switch Demo User submenu, as a person would, and
 * saves a picture of it. */
static void
show_demo_user_menu (TsMainWindow *window)
{
  GtkWidget *menu_button = find_widget (GTK_WIDGET (window), is_primary_menu_button, NULL);
  GtkPopover *popover;
  GtkWidget *item;

  g_assert_nonnull (menu_button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  WAIT_FOR ((item = find_widget (GTK_WIDGET (popover), is_menu_item_saying, "Switch Demo User")) != NULL, 10);
  g_signal_emit_by_name (item, "clicked");
  WAIT_FOR (find_widget (GTK_WIDGET (popover), is_menu_item_saying, "lina") != NULL, 10);
  ts_test_iterate (500);
  ts_test_save_screenshot (GTK_WIDGET (popover), "demo-user-menu.png", NULL);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
}

/* Waits for 张伟's main window on the issue_track project, with his three
 * open 网上问题处理 tickets. */
static TsMainWindow *
wait_for_zhangwei (Run *run)
{
  TsMainWindow *window;
  g_autofree char *keys = NULL;
  g_autofree char *expected = NULL;

  WAIT_FOR (get_main_window (run->app) != NULL, 120);
  g_test_message ("main window after %.3f s", seconds_since (run->begin));
  window = get_main_window (run->app);
  g_assert_cmpstr (get_user (window), ==, "zhangwei");
  WAIT_FOR (shows_project (window, "issue_track"), 30);
  WAIT_FOR (g_list_model_get_n_items (pending_rows (window)) == 3, 30);
  run->ready_seconds = seconds_since (run->begin);

  /* What the database holds for him, and what the table shows. */
  expected = query_demo (run->app,
                         "SELECT string_agg (key, ' ' ORDER BY key) FROM tasksteper.tickets"
                         " WHERE project = 'issue_track' AND assigned_to = 'zhangwei' AND NOT is_final");
  keys = dup_pending_keys (window);
  g_assert_cmpstr (keys, ==, expected);
  g_assert_cmpstr (keys, ==, "question_4 question_5 question_6");

  /* The login and demo windows are gone; the demo's people are in the
   * menu. */
  g_assert_null (find_login_window (run->app));
  g_assert_null (find_demo_window (run->app));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (run->app), "switch-demo-user"));

  return window;
}

static void
note_server (Run *run)
{
  TsLocalServer *server = ts_demo_get_server (ts_application_get_demo (run->app));
  g_autofree char *name = g_strdup_printf (".s.PGSQL.%u", ts_local_server_get_port (server));

  run->postmaster = ts_local_server_get_pid (server);
  g_assert_cmpint (run->postmaster, >, 0);
  g_free (run->socket_path);
  run->socket_path = g_build_filename (ts_local_server_get_socket_dir (server), name, NULL);
  g_assert_true (g_file_test (run->socket_path, G_FILE_TEST_EXISTS));
}

static void
assert_server_stopped (Run *run)
{
  g_assert_false (ts_test_process_is_alive (run->postmaster));
  g_assert_false (g_file_test (run->socket_path, G_FILE_TEST_EXISTS));
}

/* The first start */

static void
drive_first_start (gpointer data)
{
  Run *run = data;
  TsMainWindow *zhangwei_window;
  TsMainWindow *window;
  TsDemoWindow *starting;
  g_autofree char *keys = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GVariant) user = NULL;

  /* While the server is made, the demo window says so, from its very
   * first frame: the spinner and what is being done. */
  WAIT_FOR (run->first_frame_type != G_TYPE_INVALID, 30);
  g_test_message ("first frame after %.3f s: %s", run->first_frame_seconds, g_type_name (run->first_frame_type));
  g_assert_true (run->first_frame_type == TS_TYPE_DEMO_WINDOW);
  g_assert_true (run->first_frame_spinning);
  starting = find_demo_window (run->app);
  g_assert_nonnull (starting);
  g_assert_nonnull (find_widget (GTK_WIDGET (starting), is_label_saying, "Creating the demo server"));
  ts_test_save_screenshot (GTK_WIDGET (starting), "demo-starting.png", NULL);

  zhangwei_window = wait_for_zhangwei (run);
  /* The login form never showed. */
  g_assert_cmpuint (run->login_windows, ==, 0);
  g_assert_true (ts_demo_get_seeded (ts_application_get_demo (run->app)));
  note_server (run);
  g_test_message ("first start: 张伟's pending table after %.3f s (demo in %s)",
                  run->ready_seconds, ts_demo_get_dir (ts_application_get_demo (run->app)));

  first_tickets = query_demo (run->app,
                              "SELECT count(*) || ' ' || string_agg (id || '@' || created_at, ',' ORDER BY id)"
                              "  FROM tasksteper.tickets");
  g_assert_true (g_str_has_prefix (first_tickets, "14 "));
  /* The people have their display names. */
  {
    g_autofree char *people = query_demo (run->app,
                                          "SELECT string_agg (login || '=' || display_name, ' ' ORDER BY login)"
                                          "  FROM tasksteper.people");

    g_assert_cmpstr (people, ==, "lina=李娜 wangfang=王芳 zhangwei=张伟");
  }

  gtk_window_set_default_size (GTK_WINDOW (zhangwei_window), 1200, 700);
  ts_test_iterate (300);
  ts_test_save_screenshot (GTK_WIDGET (zhangwei_window), "demo-main-window.png", NULL);
  show_demo_user_menu (zhangwei_window);

  /* Switch to 李娜, as the Switch Demo User menu does. */
  user = g_action_group_get_action_state (G_ACTION_GROUP (run->app), "switch-demo-user");
  g_assert_cmpstr (g_variant_get_string (user, NULL), ==, "zhangwei");
  g_object_add_weak_pointer (G_OBJECT (zhangwei_window), (gpointer *)&zhangwei_window);
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "switch-demo-user", g_variant_new_string ("lina"));

  WAIT_FOR ((window = get_main_window (run->app)) != NULL && g_strcmp0 (get_user (window), "lina") == 0, 30);
  WAIT_FOR (zhangwei_window == NULL, 30);
  WAIT_FOR (shows_project (window, "issue_track"), 30);
  WAIT_FOR (g_list_model_get_n_items (pending_rows (window)) == 2, 30);
  keys = dup_pending_keys (window);
  g_assert_cmpstr (keys, ==, "question_3 question_7");
  g_clear_pointer (&user, g_variant_unref);
  user = g_action_group_get_action_state (G_ACTION_GROUP (run->app), "switch-demo-user");
  g_assert_cmpstr (g_variant_get_string (user, NULL), ==, "lina");

  /* Only one main window, hers. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l; l = l->next)
    g_assert_true (l->data == (gpointer)window || !TS_IS_MAIN_WINDOW (l->data));

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 700);
  ts_test_iterate (300);
  ts_test_save_screenshot (GTK_WIDGET (window), "demo-main-window-lina.png", NULL);

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
}

static void
test_first_start (void)
{
  Run run = { 0 };

  run_app (&run, "--demo", drive_first_start);
  first_ready_seconds = run.ready_seconds;
  assert_server_stopped (&run);
  g_free (run.socket_path);
}

/* A later start, from the login window */

static void
drive_later_start (gpointer data)
{
  Run *run = data;
  TsLoginWindow *login;
  GtkWidget *button;
  g_autofree char *tickets = NULL;

  WAIT_FOR ((login = find_login_window (run->app)) != NULL &&
            gtk_widget_get_mapped (GTK_WIDGET (login)), 30);
  g_assert_null (get_main_window (run->app));
  button = find_widget (GTK_WIDGET (login), is_button_of_action, "app.demo");
  g_assert_nonnull (button);
  ts_test_iterate (200);
  ts_test_save_screenshot (GTK_WIDGET (login), "demo-login-window.png", NULL);

  /* A click ("activate" would first show the button pressed for 250 ms). */
  run->begin = g_get_monotonic_time ();
  g_signal_emit_by_name (button, "clicked");
  /* The demo window takes the login window's place at once. */
  g_assert_nonnull (find_demo_window (run->app));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (find_demo_window (run->app))));
  g_assert_null (find_login_window (run->app));
  wait_for_zhangwei (run);
  note_server (run);
  g_test_message ("later start: 张伟's pending table after %.3f s (first start: %.3f s)",
                  run->ready_seconds, first_ready_seconds);

  /* Nothing was filled again. */
  g_assert_false (ts_demo_get_seeded (ts_application_get_demo (run->app)));
  tickets = query_demo (run->app,
                        "SELECT count(*) || ' ' || string_agg (id || '@' || created_at, ',' ORDER BY id)"
                        "  FROM tasksteper.tickets");
  g_assert_cmpstr (tickets, ==, first_tickets);

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
}

static void
test_later_start (void)
{
  Run run = { 0 };

  if (first_tickets == NULL)
    {
      g_test_skip ("the first start failed");
      return;
    }

  run_app (&run, NULL, drive_later_start);
  assert_server_stopped (&run);
  g_assert_cmpfloat (run.ready_seconds, <, first_ready_seconds);
  g_free (run.socket_path);
}

/* Without PostgreSQL */

static void
drive_not_installed (gpointer data)
{
  Run *run = data;
  TsDemoWindow *window;
  GtkWidget *message;

  /* The demo window says what to install, and offers to try again or to
   * connect to a server instead. */
  WAIT_FOR ((window = find_demo_window (run->app)) != NULL &&
            gtk_widget_get_mapped (GTK_WIDGET (window)), 30);
  WAIT_FOR ((message = find_widget (GTK_WIDGET (window), is_label_saying, "sudo apt install postgresql")) != NULL, 30);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (message)), "sudo dnf install postgresql-server"));
  g_assert_true (ts_demo_window_get_failed (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_button_of_action, "app.demo"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_button_of_action, "app.connect"));
  g_assert_null (get_main_window (run->app));
  g_assert_cmpuint (run->login_windows, ==, 0);
  ts_test_iterate (400);
  ts_test_save_screenshot (GTK_WIDGET (window), "demo-not-installed.png", NULL);

  /* Connect to a Server Instead: the login form. */
  gtk_widget_activate_action (GTK_WIDGET (window), "app.connect", NULL);
  WAIT_FOR (find_login_window (run->app) != NULL && find_demo_window (run->app) == NULL, 10);

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
}

static void
test_not_installed (void)
{
  Run run = { 0 };
  g_autofree char *dir = g_build_filename (home, "demo-without-postgresql", NULL);
  g_autofree char *saved_dir = g_strdup (g_getenv ("TASKSTEPER_DEMO_DIR"));

  g_setenv ("TASKSTEPER_DEMO_DIR", dir, TRUE);
  g_setenv ("TS_PG_BINDIR", "/nonexistent/postgresql/bin", TRUE);

  run_app (&run, "--demo", drive_not_installed);

  g_unsetenv ("TS_PG_BINDIR");
  if (saved_dir != NULL)
    g_setenv ("TASKSTEPER_DEMO_DIR", saved_dir, TRUE);
  else
    g_unsetenv ("TASKSTEPER_DEMO_DIR");
}

/* Outside demo mode, the menu has no Switch Demo User. */
static void
test_menu_without_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsApplication) app = ts_application_new ();
  g_autoptr(TsConnection) connection = ts_connection_new ("host=/nonexistent dbname=nothing", NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  TsMainWindow *window;
  GtkWidget *menu_button;
  GtkPopover *popover;

  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_action_group_has_action (G_ACTION_GROUP (app), "switch-demo-user"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "demo"));

  window = ts_main_window_new (ADW_APPLICATION (app), store);
  gtk_window_present (GTK_WINDOW (window));
  menu_button = find_widget (GTK_WIDGET (window), is_primary_menu_button, NULL);
  g_assert_nonnull (menu_button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  WAIT_FOR (find_widget (GTK_WIDGET (popover), is_menu_item_saying, "About") != NULL, 10);
  g_assert_null (find_widget (GTK_WIDGET (popover), is_menu_item_saying, "Demo"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));

  gtk_window_destroy (GTK_WINDOW (window));
  ts_test_iterate (100);
}

/* A home of its own, and a watchdog that stops the demo server and
 * removes the home however this program ends (an assertion's abort(),
 * meson's timeout). */

static const char watchdog_script[] =
  "read -r _\n"
  "data=$1\n"
  "home=$2\n"
  "shift 2\n"
  "if [ -f \"$data/postmaster.pid\" ]; then\n"
  "  \"$@\" stop -D \"$data\" -m immediate -w -t 60\n"
  "fi\n"
  "rm -rf \"$home\"\n";

static void
leave_process_group (gpointer user_data)
{
  (void)setsid ();
}

static void
start_watchdog (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsDemo) demo = ts_demo_new ();
  TsLocalServer *server = ts_demo_get_server (demo);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) pg_ctl = NULL;

  g_assert_true (ts_local_server_find_programs (server, &error));
  g_assert_no_error (error);
  pg_ctl = ts_local_server_dup_program_argv (server, "pg_ctl");

  g_ptr_array_add (argv, g_strdup ("/bin/sh"));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (watchdog_script));
  g_ptr_array_add (argv, g_strdup ("test-demo-watchdog"));
  g_ptr_array_add (argv, g_strdup (ts_local_server_get_data_dir (server)));
  g_ptr_array_add (argv, g_strdup (home));
  for (guint i = 0; pg_ctl[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (pg_ctl[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_set_child_setup (launcher, leave_process_group, NULL, NULL);
  watchdog = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
}

/* A home of its own */

static void
make_clean_home (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  const char *dirs[][2] = {
    { "XDG_DATA_HOME", ".local/share" },
    { "XDG_CONFIG_HOME", ".config" },
    { "XDG_CACHE_HOME", ".cache" },
    { "XDG_STATE_HOME", ".local/state" },
  };

  home = g_dir_make_tmp ("ts-demo-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (home, dirs[i][1], NULL);

      g_setenv (dirs[i][0], path, TRUE);
    }

  runtime = g_build_filename (home, "run", NULL);
  g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  /* As root, the server runs as the postgres user, which cannot enter a
   * home of root's: the demo goes where TASKSTEPER_DEMO_DIR says, in this
   * home opened up for it. */
  if (geteuid () == 0)
    {
      g_autofree char *demo_dir = g_build_filename (home, "demo", NULL);

      g_assert_cmpint (g_chmod (home, 0755), ==, 0);
      g_setenv ("TASKSTEPER_DEMO_DIR", demo_dir, TRUE);
    }
  else
    {
      g_unsetenv ("TASKSTEPER_DEMO_DIR");
    }

  /* The example projects of the source tree. */
  if (g_getenv ("TS_SCHEMAS_DIR") != NULL)
    g_setenv ("TASKSTEPER_SCHEMAS_DIR", g_getenv ("TS_SCHEMAS_DIR"), TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  make_clean_home ();
  g_test_init (&argc, &argv, NULL);
  start_watchdog ();

  /* In order: the later start uses what the first one made. */
  g_test_add_func ("/ts/demo/first-start", test_first_start);
  g_test_add_func ("/ts/demo/later-start", test_later_start);
  g_test_add_func ("/ts/demo/not-installed", test_not_installed);
  g_test_add_func ("/ts/demo/menu-without-demo", test_menu_without_demo);

  ret = g_test_run ();

  /* Closing its input lets the watchdog clean up, and waiting for it
   * leaves nothing behind. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (watchdog), NULL, NULL);
  g_subprocess_wait (watchdog, NULL, NULL);
  g_clear_object (&watchdog);
  g_assert_false (g_file_test (home, G_FILE_TEST_EXISTS));
  g_free (first_tickets);
  g_free (home);

  return ret;
}
