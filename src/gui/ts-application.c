/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>

#include "ts-application.h"
#include "ts-assignment-watcher.h"
#include "ts-demo.h"
#include "ts-demo-window.h"
#include "ts-login-window.h"
#include "ts-main-window.h"
#include "ts-preferences-window.h"

struct _TsApplication
{
  AdwApplication       parent_instance;

  char                *conninfo;      /* from -d */
  TsStore             *store;
  TsAssignmentWatcher *watcher;
  TsMainWindow        *main_window;
  GPtrArray           *pending_uris;  /* links to open once logged in */

  /* The demo (--demo, app.demo): its server, and whether it is starting
   * or logging someone in. */
  TsDemo              *demo;
  GCancellable        *demo_cancellable;
  gboolean             demo_busy;
  gboolean             demo_requested;  /* --demo: start it when activated */
  guint                signal_ids[3];   /* SIGINT, SIGTERM, SIGHUP quit cleanly */
};

G_DEFINE_FINAL_TYPE (TsApplication, ts_application, ADW_TYPE_APPLICATION)

gboolean
ts_parse_ticket_uri (const char  *uri,
                     char       **project,
                     int         *number)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *path;
  gint64 value;

  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "tasksteper") != 0 ||
      g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return FALSE;

  path = g_uri_get_path (parsed);
  if (path == NULL || path[0] != '/' ||
      !g_ascii_string_to_signed (path + 1, 10, 1, G_MAXINT, &value, NULL))
    return FALSE;

  *project = g_strdup (g_uri_get_host (parsed));
  *number = value;
  return TRUE;
}

gboolean
ts_parse_search_uri (const char  *uri,
                     char       **project,
                     char       **name)
{
  /* The path stays encoded, so that a "/" in a name (%2F) is not taken
   * for a separator. */
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_PATH, NULL);
  g_autofree char *decoded = NULL;
  const char *path;

  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "tasksteper") != 0 ||
      g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return FALSE;

  path = g_uri_get_path (parsed);
  if (path == NULL || !g_str_has_prefix (path, "/search/") || strchr (path + strlen ("/search/"), '/') != NULL)
    return FALSE;

  decoded = g_uri_unescape_string (path + strlen ("/search/"), NULL);
  if (decoded == NULL || *decoded == '\0' || !g_utf8_validate (decoded, -1, NULL))
    return FALSE;

  *project = g_strdup (g_uri_get_host (parsed));
  *name = g_steal_pointer (&decoded);
  return TRUE;
}

static void
open_uri (TsApplication *self,
          const char    *uri)
{
  g_autofree char *project = NULL;
  g_autofree char *name = NULL;
  int number = 0;

  if (!ts_parse_ticket_uri (uri, &project, &number) && !ts_parse_search_uri (uri, &project, &name))
    {
      g_warning ("Not a TaskSteper link: %s", uri);
      return;
    }

  if (self->main_window == NULL)
    {
      g_ptr_array_add (self->pending_uris, g_strdup (uri));
      return;
    }

  if (name != NULL)
    ts_main_window_open_search (self->main_window, project, name);
  else
    ts_main_window_open_number (self->main_window, project, number);
}

static void
on_assigned (TsApplication       *self,
             TsTicket            *ticket,
             TsHistoryEntry      *entry,
             TsAssignmentWatcher *watcher)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *target = NULL;
  g_autofree char *id = NULL;
  const char *trigger = ts_history_entry_get_trigger (entry);

  /* Translators: a desktop notification; %s is a ticket key like question_3 */
  title = g_strdup_printf (_("%s is waiting for you"), ts_ticket_get_key (ticket));
  if (trigger != NULL)
    body = g_strdup_printf (_("%s passed it to you (%s); it is now in %s."),
                            ts_history_entry_get_actor (entry), trigger, ts_ticket_get_state (ticket));
  else
    body = g_strdup_printf (_("%s passed it to you; it is now in %s."),
                            ts_history_entry_get_actor (entry), ts_ticket_get_state (ticket));

  target = g_strdup_printf ("tasksteper://%s/%d", ts_ticket_get_project (ticket), ts_ticket_get_number (ticket));
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-ticket", "s", target);
  g_notification_add_button_with_target (notification, _("Open"), "app.open-ticket", "s", target);

  id = g_strdup_printf ("ticket-%" G_GINT64_FORMAT, ts_ticket_get_id (ticket));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* Opens the main window of @store's session; it replaces the one open
 * before, if any, which the caller closes. */
static void
show_session (TsApplication *self,
              TsStore       *store)
{
  g_set_object (&self->store, store);
  g_clear_object (&self->watcher);
  self->watcher = ts_assignment_watcher_new (store);
  g_signal_connect_object (self->watcher, "assigned", G_CALLBACK (on_assigned), self, G_CONNECT_SWAPPED);

  if (self->main_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->main_window), (gpointer *)&self->main_window);
  self->main_window = ts_main_window_new (ADW_APPLICATION (self), store);
  g_object_add_weak_pointer (G_OBJECT (self->main_window), (gpointer *)&self->main_window);
  gtk_window_present (GTK_WINDOW (self->main_window));

  for (guint i = 0; i < self->pending_uris->len; i++)
    open_uri (self, g_ptr_array_index (self->pending_uris, i));
  g_ptr_array_set_size (self->pending_uris, 0);
}

static void
on_connected (TsApplication *self,
              TsStore       *store,
              TsLoginWindow *login)
{
  show_session (self, store);
  gtk_window_destroy (GTK_WINDOW (login));
}

static TsLoginWindow *
find_login_window (TsApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (TS_IS_LOGIN_WINDOW (l->data))
      return l->data;

  return NULL;
}

static TsLoginWindow *
ensure_login_window (TsApplication *self,
                     gboolean      *created)
{
  TsLoginWindow *login = find_login_window (self);

  *created = login == NULL;
  if (login != NULL)
    return login;

  login = ts_login_window_new (ADW_APPLICATION (self));
  g_signal_connect_object (login, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);

  return login;
}

static void
ts_application_activate (GApplication *app)
{
  TsApplication *self = TS_APPLICATION (app);
  TsLoginWindow *login;
  gboolean created;

  if (self->demo_requested)
    {
      self->demo_requested = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (app), "demo", NULL);
      return;
    }

  if (self->main_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->main_window));
      return;
    }

  login = ensure_login_window (self, &created);
  gtk_window_present (GTK_WINDOW (login));

  if (created && self->conninfo != NULL)
    ts_login_window_connect_conninfo (login, self->conninfo);
}

/* The demo */

static TsDemoWindow *
find_demo_window (TsApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (TS_IS_DEMO_WINDOW (l->data))
      return l->data;

  return NULL;
}

/* Closes every window of @type but @keep. */
static void
close_windows (TsApplication *self,
               GType          type,
               gpointer       keep)
{
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && l->data != keep)
      g_ptr_array_add (windows, g_object_ref (l->data));

  for (guint i = 0; i < windows->len; i++)
    gtk_window_destroy (g_ptr_array_index (windows, i));
}

/* Says what went wrong where the demo was asked for: the demo window, or
 * the main window when switching people. */
static void
show_demo_error (TsApplication *self,
                 const char    *message)
{
  TsDemoWindow *window = find_demo_window (self);

  if (window == NULL && self->main_window != NULL)
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self->main_window),
                                                           _("The Demo Cannot Go On"), message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (window == NULL)
    window = ts_demo_window_new (ADW_APPLICATION (self));
  ts_demo_window_show_error (window, message);
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_demo_status (TsApplication *self)
{
  TsDemoWindow *window = find_demo_window (self);
  const char *status = ts_demo_get_status (self->demo);

  /* The end of a start is told by on_demo_started(). */
  if (window != NULL && status != NULL)
    ts_demo_window_set_status (window, status);
}

static void
on_demo_session_opened (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(TsApplication) self = user_data;
  TsStore *store = TS_STORE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *project = NULL;
  GAction *action;

  if (!ts_store_open_finish (store, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      self->demo_busy = FALSE;
      show_demo_error (self, error->message);
      return;
    }

  self->demo_busy = FALSE;
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "switch-demo-user");
  if (action != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (ts_store_get_user (store)));

  /* The new person sees the project the last one looked at; at first the
   * 网上问题处理 of the guide. */
  if (self->main_window != NULL && ts_main_window_get_project (self->main_window) != NULL)
    project = g_strdup (ts_project_get_name (ts_main_window_get_project (self->main_window)));
  else
    project = g_strdup ("issue_track");

  /* Everything of the last session closes: the login window, the main
   * window and the editors (one with unsaved edits asks first). */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    g_ptr_array_add (others, g_object_ref (l->data));

  show_session (self, store);
  ts_main_window_select_project (self->main_window, project);

  for (guint i = 0; i < others->len; i++)
    gtk_window_close (g_ptr_array_index (others, i));
}

/* Logs @user in to the demo database, over the demo server's socket. */
static void
open_demo_session (TsApplication *self,
                   const char    *user)
{
  g_autofree char *conninfo = ts_demo_dup_conninfo (self->demo, user);
  g_autoptr(TsConnection) connection = ts_connection_new (conninfo, NULL);
  g_autoptr(TsStore) store = ts_store_new (connection);
  TsDemoWindow *window = find_demo_window (self);

  if (window != NULL)
    {
      g_autofree char *status = g_strdup_printf (_("Logging in as %s…"), ts_demo_get_user_name (user));

      ts_demo_window_set_status (window, status);
    }

  self->demo_busy = TRUE;
  ts_store_open_async (store, self->demo_cancellable, on_demo_session_opened, g_object_ref (self));
}

static void
switch_demo_user_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  TsApplication *self = user_data;
  const char *user = g_variant_get_string (parameter, NULL);

  if (self->demo == NULL || !ts_demo_is_user (user))
    return;

  if (self->main_window != NULL && self->store != NULL &&
      g_strcmp0 (ts_store_get_user (self->store), user) == 0)
    {
      gtk_window_present (GTK_WINDOW (self->main_window));
      return;
    }

  /* The last click wins. */
  g_cancellable_cancel (self->demo_cancellable);
  g_clear_object (&self->demo_cancellable);
  self->demo_cancellable = g_cancellable_new ();
  open_demo_session (self, user);
}

static void
on_demo_started (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  static const GActionEntry actions[] = {
    { "switch-demo-user", switch_demo_user_action, "s", "'zhangwei'" },
  };
  g_autoptr(TsApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ts_demo_start_finish (TS_DEMO (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      self->demo_busy = FALSE;
      show_demo_error (self, error->message);
      return;
    }

  /* Only now: the menu shows its Switch Demo User submenu while this
   * action exists. */
  if (g_action_map_lookup_action (G_ACTION_MAP (self), "switch-demo-user") == NULL)
    g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  open_demo_session (self, ts_demo_get_users ()[0]);
}

/* Ctrl+C in the terminal (or a logout) ends the application the normal
 * way, so that shutdown stops the demo server. */
static gboolean
on_quit_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static void
start_demo (TsApplication *self)
{
  ts_demo_start_async (self->demo, self->demo_cancellable, on_demo_started, g_object_ref (self));
}

static void
on_demo_window_painted (TsApplication *self,
                        GdkFrameClock *clock)
{
  g_signal_handlers_disconnect_by_func (clock, on_demo_window_painted, self);

  if (!g_cancellable_is_cancelled (self->demo_cancellable))
    start_demo (self);
}

/* The demo window comes first, already saying what is being done, so
 * that the very first frame shows it (and never the login form); a login
 * window whose Try the Demo was clicked gives way to it. */
static void
demo_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  TsApplication *self = user_data;
  TsDemoWindow *window;

  /* A session is open already, the demo's or a real server's. */
  if (self->main_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->main_window));
      return;
    }

  window = find_demo_window (self);
  if (window == NULL)
    window = ts_demo_window_new (ADW_APPLICATION (self));

  if (!self->demo_busy)
    {
      if (self->demo == NULL)
        {
          static const int quit_signals[] = { SIGINT, SIGTERM, SIGHUP };

          self->demo = ts_demo_new ();
          g_signal_connect_object (self->demo, "notify::status", G_CALLBACK (on_demo_status), self,
                                   G_CONNECT_SWAPPED);
          for (guint i = 0; i < G_N_ELEMENTS (quit_signals); i++)
            self->signal_ids[i] = g_unix_signal_add (quit_signals[i], on_quit_signal, self);
        }

      g_clear_object (&self->demo_cancellable);
      self->demo_cancellable = g_cancellable_new ();
      self->demo_busy = TRUE;
      ts_demo_window_set_status (window, ts_demo_get_start_status (self->demo));

      /* The server starts once the window has shown its first frame: the
       * first start's initdb, competing for the CPU, held that frame back
       * by seconds (3.8 s under Xvfb's software rendering). */
      if (gtk_widget_get_mapped (GTK_WIDGET (window)))
        start_demo (self);
      else
        {
          gtk_window_present (GTK_WINDOW (window));
          g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                                   G_CALLBACK (on_demo_window_painted), self, G_CONNECT_SWAPPED);
        }
    }

  gtk_window_present (GTK_WINDOW (window));
  close_windows (self, TS_TYPE_LOGIN_WINDOW, NULL);
}

/* From the demo window that failed: the login form instead. */
static void
connect_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TsApplication *self = user_data;
  TsLoginWindow *login;
  gboolean created;

  if (self->main_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->main_window));
      return;
    }

  login = ensure_login_window (self, &created);
  gtk_window_present (GTK_WINDOW (login));
  close_windows (self, TS_TYPE_DEMO_WINDOW, NULL);
}

static void
ts_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  TsApplication *self = TS_APPLICATION (app);

  g_application_activate (app);
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      open_uri (self, uri);
    }
}

static int
ts_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  TsApplication *self = TS_APPLICATION (app);

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("tasksteper %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "dbname", "s", &self->conninfo);

  if (g_variant_dict_contains (options, "demo"))
    {
      g_autoptr(GError) error = NULL;

      if (self->conninfo != NULL)
        {
          g_printerr ("%s\n", _("--demo and --dbname cannot be used together: choose one."));
          return 1;
        }

      /* A TaskSteper already running starts the demo itself. */
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }

      if (g_application_get_is_remote (app))
        {
          g_action_group_activate_action (G_ACTION_GROUP (app), "demo", NULL);
          return 0;
        }

      self->demo_requested = TRUE;
    }

  return -1;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  TsApplication *self = user_data;
  g_autolist(GtkWindow) windows = NULL;

  /* Closing each window lets an editor with unsaved edits ask first.  A
   * window that closes leaves the application's list: walk a copy. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    windows = g_list_prepend (windows, g_object_ref (l->data));
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  TsApplication *self = user_data;
  const char *developers[] = { _("TaskSteper developers"), NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", "TaskSteper",
                        "application-icon", TS_APPLICATION_ID,
                        "developer-name", _("The TaskSteper developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Recurring work as tickets moving through steps, each step owned by one person"),
                        "website", "https://github.com/tasksteper/tasksteper",
                        "issue-url", "https://github.com/tasksteper/tasksteper/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your name, to be credited in the About window */
                        "translator-credits", _("translator-credits"),
                        "copyright", _("© 2026 TaskSteper developers"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TsApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (ts_preferences_window_new (parent)));
}

static void
open_ticket_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TsApplication *self = user_data;
  const char *link = g_variant_get_string (parameter, NULL);

  g_application_activate (G_APPLICATION (self));

  /* "project/number" from a form's link button, or a whole URI. */
  if (g_str_has_prefix (link, "tasksteper://"))
    open_uri (self, link);
  else
    {
      g_autofree char *uri = g_strconcat ("tasksteper://", link, NULL);

      open_uri (self, uri);
    }
}

static void
ts_application_startup (GApplication *app)
{
  static const GActionEntry actions[] = {
    { "quit", quit_action },
    { "about", about_action },
    { "preferences", preferences_action },
    { "open-ticket", open_ticket_action, "s" },
    { "demo", demo_action },
    { "connect", connect_action },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (ts_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);

  gtk_css_provider_load_from_resource (css, "/io/github/tasksteper/TaskSteper/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
ts_application_shutdown (GApplication *app)
{
  TsApplication *self = TS_APPLICATION (app);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);

  /* The demo server stops with the application.  This blocks (pg_ctl
   * waits, well under a second), but the main loop is over. */
  if (self->demo != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_cancellable_cancel (self->demo_cancellable);
      g_clear_object (&self->watcher);
      /* The session ends before its server does, however many queries
       * still hold the store. */
      if (self->store != NULL)
        ts_connection_close (ts_store_get_connection (self->store));
      g_clear_object (&self->store);
      if (!ts_demo_stop (self->demo, &error))
        g_printerr (_("Could not stop the demo server: %s\n"), error->message);
    }

  G_APPLICATION_CLASS (ts_application_parent_class)->shutdown (app);
}

static void
ts_application_dispose (GObject *object)
{
  TsApplication *self = (TsApplication *)object;

  g_clear_object (&self->watcher);
  g_clear_object (&self->store);
  g_clear_pointer (&self->pending_uris, g_ptr_array_unref);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_object (&self->demo_cancellable);
  g_clear_object (&self->demo);

  G_OBJECT_CLASS (ts_application_parent_class)->dispose (object);
}

static void
ts_application_class_init (TsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ts_application_dispose;
  app_class->activate = ts_application_activate;
  app_class->open = ts_application_open;
  app_class->startup = ts_application_startup;
  app_class->shutdown = ts_application_shutdown;
  app_class->handle_local_options = ts_application_handle_local_options;
}

static void
ts_application_init (TsApplication *self)
{
  static const GOptionEntry options[] = {
    { "dbname", 'd', 0, G_OPTION_ARG_STRING, NULL,
      N_("Connect at once to this server: a libpq connection string or URI"), N_("CONNINFO") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start a demo server on this computer, with example projects and people, and log in to it"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
    { NULL }
  };

  self->pending_uris = g_ptr_array_new_with_free_func (g_free);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[tasksteper://PROJECT/NUMBER… | tasksteper://PROJECT/search/NAME…]"));
}

TsApplication *
ts_application_new (void)
{
  return g_object_new (TS_TYPE_APPLICATION,
                       "application-id", TS_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/tasksteper/TaskSteper",
                       NULL);
}

TsStore *
ts_application_get_store (TsApplication *self)
{
  g_return_val_if_fail (TS_IS_APPLICATION (self), NULL);
  return self->store;
}

GtkWindow *
ts_application_get_main_window (TsApplication *self)
{
  g_return_val_if_fail (TS_IS_APPLICATION (self), NULL);
  return GTK_WINDOW (self->main_window);
}

TsDemo *
ts_application_get_demo (TsApplication *self)
{
  g_return_val_if_fail (TS_IS_APPLICATION (self), NULL);
  return self->demo;
}
