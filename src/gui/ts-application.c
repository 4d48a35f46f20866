/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-application.h"
#include "ts-assignment-watcher.h"
#include "ts-login-window.h"
#include "ts-main-window.h"

struct _TsApplication
{
  AdwApplication       parent_instance;

  char                *conninfo;      /* from -d */
  TsStore             *store;
  TsAssignmentWatcher *watcher;
  TsMainWindow        *main_window;
  GPtrArray           *pending_uris;  /* links to open once logged in */
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

static void
open_uri (TsApplication *self,
          const char    *uri)
{
  g_autofree char *project = NULL;
  int number;

  if (!ts_parse_ticket_uri (uri, &project, &number))
    {
      g_warning ("Not a TaskSteper link: %s", uri);
      return;
    }

  if (self->main_window == NULL)
    {
      g_ptr_array_add (self->pending_uris, g_strdup (uri));
      return;
    }

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

static void
on_connected (TsApplication *self,
              TsStore       *store,
              TsLoginWindow *login)
{
  g_set_object (&self->store, store);
  g_clear_object (&self->watcher);
  self->watcher = ts_assignment_watcher_new (store);
  g_signal_connect_object (self->watcher, "assigned", G_CALLBACK (on_assigned), self, G_CONNECT_SWAPPED);

  self->main_window = ts_main_window_new (ADW_APPLICATION (self), store);
  g_object_add_weak_pointer (G_OBJECT (self->main_window), (gpointer *)&self->main_window);
  gtk_window_present (GTK_WINDOW (self->main_window));
  gtk_window_destroy (GTK_WINDOW (login));

  for (guint i = 0; i < self->pending_uris->len; i++)
    open_uri (self, g_ptr_array_index (self->pending_uris, i));
  g_ptr_array_set_size (self->pending_uris, 0);
}

static void
ts_application_activate (GApplication *app)
{
  TsApplication *self = TS_APPLICATION (app);
  TsLoginWindow *login;

  if (self->main_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->main_window));
      return;
    }

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (TS_IS_LOGIN_WINDOW (l->data))
      {
        gtk_window_present (l->data);
        return;
      }

  login = ts_login_window_new (ADW_APPLICATION (app));
  g_signal_connect_object (login, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (login));

  if (self->conninfo != NULL)
    ts_login_window_connect_conninfo (login, self->conninfo);
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

  return -1;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  TsApplication *self = user_data;

  /* Closing each window lets an editor with unsaved edits ask first. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    gtk_window_close (l->data);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  TsApplication *self = user_data;
  static const char *developers[] = { "TaskSteper developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", "TaskSteper",
                        "application-icon", TS_APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Recurring work as tickets moving through steps, each step owned by one person"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "copyright", "© 2026 TaskSteper developers",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
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
    { "open-ticket", open_ticket_action, "s" },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (ts_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  gtk_css_provider_load_from_resource (css, "/io/github/tasksteper/TaskSteper/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
ts_application_dispose (GObject *object)
{
  TsApplication *self = (TsApplication *)object;

  g_clear_object (&self->watcher);
  g_clear_object (&self->store);
  g_clear_pointer (&self->pending_uris, g_ptr_array_unref);
  g_clear_pointer (&self->conninfo, g_free);

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
  app_class->handle_local_options = ts_application_handle_local_options;
}

static void
ts_application_init (TsApplication *self)
{
  static const GOptionEntry options[] = {
    { "dbname", 'd', 0, G_OPTION_ARG_STRING, NULL,
      N_("Connect at once to this server: a libpq connection string or URI"), N_("CONNINFO") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
    { NULL }
  };

  self->pending_uris = g_ptr_array_new_with_free_func (g_free);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[tasksteper://PROJECT/NUMBER…]"));
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
