/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <string.h>

#include "ts-a11y.h"
#include "ts-gui-resources.h"
#include "ts-login-window-private.h"

#define SETTINGS_SCHEMA "io.github.tasksteper.TaskSteper"

/* The choices of the Security row, in the order of its string list in
 * ts-login-window.ui. */
static const struct
{
  const char *sslmode;
  const char *description;
} sslmodes[] = {
  { "disable", N_("Never encrypt the connection") },
  { "prefer", N_("Encrypt the connection when the server offers it") },
  { "require", N_("Always encrypt, without checking the server’s certificate") },
  { "verify-ca", N_("Always encrypt, and check the server’s certificate") },
  { "verify-full", N_("Always encrypt, and check the certificate and the host name") },
};

/* libpq's own default. */
#define DEFAULT_SSLMODE 1

struct _TsLoginWindow
{
  AdwApplicationWindow  parent_instance;

  AdwPreferencesGroup  *group;
  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwEntryRow          *database_row;
  AdwEntryRow          *user_row;
  AdwEntryRow          *password_row;
  AdwComboRow          *sslmode_row;
  AdwEntryRow          *ca_row;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkButton            *cancel_button;
  GtkButton            *connect_button;
  GtkLabel             *connect_label;
  GtkSpinner           *spinner;
  GtkButton            *demo_button;

  GtkFileChooserNative *ca_chooser;  /* while choosing the CA certificate */
  GSettings            *settings;

  /* The attempt in progress, NULL when the form is idle. */
  TsStore              *pending;
  GCancellable         *cancellable;
  char                 *pending_conninfo;

  /* The string of ts_login_window_connect_conninfo(), used again as long
   * as the fields still show what it said (it may hold more than they
   * show: a service, certificates, options), and those fields. */
  char                 *given_conninfo;
  char                 *given_fields;
};

G_DEFINE_FINAL_TYPE (TsLoginWindow, ts_login_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Connection strings */

gboolean
_ts_login_window_is_conninfo (const char *host)
{
  if (host == NULL)
    return FALSE;

  return g_str_has_prefix (host, "postgresql://") ||
         g_str_has_prefix (host, "postgres://") ||
         strchr (host, '=') != NULL;
}

/* libpq's key=value syntax: the value in single quotes, with ' and \
 * escaped by a backslash. */
static void
append_param (GString    *conninfo,
              const char *keyword,
              const char *value)
{
  if (value == NULL || *value == '\0')
    return;

  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');

  g_string_append (conninfo, keyword);
  g_string_append (conninfo, "='");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

gboolean
_ts_login_window_sslmode_checks_ca (const char *sslmode)
{
  return g_strcmp0 (sslmode, "verify-ca") == 0 || g_strcmp0 (sslmode, "verify-full") == 0;
}

char *
_ts_login_window_build_conninfo (const char *host,
                                 const char *port,
                                 const char *dbname,
                                 const char *user,
                                 const char *sslmode,
                                 const char *sslrootcert)
{
  GString *conninfo;

  if (_ts_login_window_is_conninfo (host))
    return g_strdup (host);

  conninfo = g_string_new (NULL);
  append_param (conninfo, "host", host);
  append_param (conninfo, "port", port);
  append_param (conninfo, "dbname", dbname);
  append_param (conninfo, "user", user);
  /* Leaving libpq's default out lets PGSSLMODE and service files decide. */
  if (g_strcmp0 (sslmode, sslmodes[DEFAULT_SSLMODE].sslmode) != 0)
    append_param (conninfo, "sslmode", sslmode);
  /* The CA only counts where the certificate is checked. */
  if (_ts_login_window_sslmode_checks_ca (sslmode))
    append_param (conninfo, "sslrootcert", sslrootcert);

  return g_string_free (conninfo, FALSE);
}

char *
_ts_login_window_strip_password (const char *conninfo)
{
  PQconninfoOption *options;
  GString *stripped;
  char *errmsg = NULL;

  options = PQconninfoParse (conninfo != NULL ? conninfo : "", &errmsg);
  if (options == NULL)
    {
      PQfreemem (errmsg);
      return NULL;
    }

  stripped = g_string_new (NULL);
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (option->val != NULL &&
        !g_str_equal (option->keyword, "password") &&
        !g_str_equal (option->keyword, "sslpassword"))
      append_param (stripped, option->keyword, option->val);
  PQconninfoFree (options);

  return g_string_free (stripped, FALSE);
}

/* The value of @keyword in @conninfo, else of the environment variable
 * libpq reads for it, else NULL. */
static char *
dup_conninfo_value (const char *conninfo,
                    const char *keyword,
                    const char *envvar)
{
  PQconninfoOption *options = PQconninfoParse (conninfo != NULL ? conninfo : "", NULL);
  char *value = NULL;

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    if (g_str_equal (option->keyword, keyword) && option->val != NULL && *option->val != '\0')
      value = g_strdup (option->val);
  PQconninfoFree (options);

  if (value == NULL && envvar != NULL && g_getenv (envvar) != NULL && *g_getenv (envvar) != '\0')
    value = g_strdup (g_getenv (envvar));

  return value;
}

/* The form */

static char *
dup_row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
row_is_empty (AdwEntryRow *row)
{
  g_autofree char *text = dup_row_text (row);

  return *text == '\0';
}

static const char *
get_sslmode (TsLoginWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->sslmode_row);

  if (selected >= G_N_ELEMENTS (sslmodes))
    selected = DEFAULT_SSLMODE;

  return sslmodes[selected].sslmode;
}

static void
set_sslmode (TsLoginWindow *self,
             const char    *sslmode)
{
  guint selected = DEFAULT_SSLMODE;

  for (guint i = 0; sslmode != NULL && i < G_N_ELEMENTS (sslmodes); i++)
    if (g_str_equal (sslmode, sslmodes[i].sslmode))
      selected = i;

  adw_combo_row_set_selected (self->sslmode_row, selected);
}

/* What the visible fields say, to notice when they change. */
static char *
dup_fields (TsLoginWindow *self)
{
  g_autofree char *host = dup_row_text (self->host_row);
  g_autofree char *port = dup_row_text (self->port_row);
  g_autofree char *dbname = dup_row_text (self->database_row);
  g_autofree char *user = dup_row_text (self->user_row);
  g_autofree char *ca = dup_row_text (self->ca_row);

  return g_strjoin ("\n", host, port, dbname, user, get_sslmode (self), ca, NULL);
}

static char *
build_conninfo_from_fields (TsLoginWindow *self)
{
  g_autofree char *host = dup_row_text (self->host_row);
  g_autofree char *port = dup_row_text (self->port_row);
  g_autofree char *dbname = dup_row_text (self->database_row);
  g_autofree char *user = dup_row_text (self->user_row);
  g_autofree char *ca = dup_row_text (self->ca_row);

  return _ts_login_window_build_conninfo (host, port, dbname, user, get_sslmode (self), ca);
}

/* Password when the server is known, else the first of Host, Database and
 * User that is empty (an empty Port is usual). */
static void
focus_first_field (TsLoginWindow *self)
{
  AdwEntryRow *rows[] = { self->host_row, self->database_row, self->user_row };

  if (!row_is_empty (self->database_row) && !row_is_empty (self->user_row))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (row_is_empty (rows[i]))
      {
        gtk_widget_grab_focus (GTK_WIDGET (rows[i]));
        return;
      }

  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
load_settings (TsLoginWindow *self)
{
  g_autofree char *host = g_settings_get_string (self->settings, "last-host");
  g_autofree char *port = g_settings_get_string (self->settings, "last-port");
  g_autofree char *dbname = g_settings_get_string (self->settings, "last-database");
  g_autofree char *user = g_settings_get_string (self->settings, "last-user");
  g_autofree char *sslmode = g_settings_get_string (self->settings, "last-sslmode");
  g_autofree char *ca = g_settings_get_string (self->settings, "last-sslrootcert");

  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host);
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  gtk_editable_set_text (GTK_EDITABLE (self->database_row), dbname);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  set_sslmode (self, sslmode);
  gtk_editable_set_text (GTK_EDITABLE (self->ca_row), ca);
}

/* Only after a successful connection, and never the password: a whole
 * connection string typed into Host is remembered without its password. */
static void
save_settings (TsLoginWindow *self)
{
  g_autofree char *host = dup_row_text (self->host_row);
  g_autofree char *port = dup_row_text (self->port_row);
  g_autofree char *dbname = dup_row_text (self->database_row);
  g_autofree char *user = dup_row_text (self->user_row);

  if (_ts_login_window_is_conninfo (host))
    {
      g_autofree char *stripped = _ts_login_window_strip_password (host);

      g_settings_set_string (self->settings, "last-host", stripped != NULL ? stripped : "");
    }
  else
    {
      g_settings_set_string (self->settings, "last-host", host);
    }

  g_settings_set_string (self->settings, "last-port", port);
  g_settings_set_string (self->settings, "last-database", dbname);
  g_settings_set_string (self->settings, "last-user", user);
  g_settings_set_string (self->settings, "last-sslmode", get_sslmode (self));
  {
    g_autofree char *ca = dup_row_text (self->ca_row);

    g_settings_set_string (self->settings, "last-sslrootcert", ca);
  }
}

static void
show_error_message (TsLoginWindow *self,
                    const char    *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
hide_error (TsLoginWindow *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  gtk_label_set_text (self->error_label, "");
}

static char *
describe_unreachable (const char *conninfo)
{
  g_autofree char *host = dup_conninfo_value (conninfo, "host", "PGHOST");
  g_autofree char *port = dup_conninfo_value (conninfo, "port", "PGPORT");

  if (host == NULL)
    host = dup_conninfo_value (conninfo, "hostaddr", "PGHOSTADDR");

  if (host == NULL)
    return g_strdup_printf (_("Cannot reach a server on this computer at port %s. "
                              "Check the port, and that the server is running."),
                            port != NULL ? port : "5432");

  return g_strdup_printf (_("Cannot reach the server at %s:%s. "
                            "Check the host name and port, and that the server is running."),
                          host, port != NULL ? port : "5432");
}

/* Each kind of failure says what to do about it and puts the focus where
 * the person will act. */
static void
show_error (TsLoginWindow *self,
            const GError  *error,
            TsStore       *store,
            const char    *conninfo)
{
  g_autofree char *message = NULL;
  AdwEntryRow *focus = NULL;

  if (g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_BAD_PASSWORD))
    {
      message = g_strdup (_("The password is wrong. Type it again (mind Caps Lock) and connect."));
      focus = self->password_row;
    }
  else if (g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_NEEDS_PASSWORD))
    {
      message = g_strdup (_("The server asks for a password. Type it in the Password field and connect."));
      focus = self->password_row;
    }
  else if (g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_UNREACHABLE))
    {
      message = describe_unreachable (conninfo);
      focus = self->host_row;
    }
  else if (g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_TLS))
    {
      /* The connection's message names the host or the CA file. */
      message = g_strdup (error->message);
      focus = gtk_widget_get_visible (GTK_WIDGET (self->ca_row)) ? self->ca_row : self->host_row;
    }
  else if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_NOT_INSTALLED))
    {
      g_autofree char *dbname = dup_conninfo_value (conninfo, "dbname", "PGDATABASE");

      /* libpq's default database is the one named after the user. */
      if (dbname == NULL)
        dbname = g_strdup (ts_store_get_user (store));

      message = g_strdup_printf (_("TaskSteper is not installed in database %s. "
                                   "Ask your administrator to run “tasksteper-admin init”."),
                                 dbname != NULL ? dbname : "");
      focus = self->database_row;
    }
  else if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_FORBIDDEN))
    {
      const char *user = ts_store_get_user (store);

      message = g_strdup_printf (_("%s is not a TaskSteper user. Ask your administrator to add "
                                   "you with “tasksteper-admin user add %s”, or log in as "
                                   "someone else."),
                                 user, user);
      focus = self->user_row;
    }
  else
    {
      message = g_strstrip (g_strdup (error->message));
    }

  show_error_message (self, message);

  if (focus != NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (focus));
      if (focus == self->password_row)
        gtk_editable_select_region (GTK_EDITABLE (focus), 0, -1);
    }
}

static void
update_actions (TsLoginWindow *self)
{
  gboolean busy = self->pending != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.connect", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.cancel", busy);
}

static void
set_busy (TsLoginWindow *self,
          gboolean       busy)
{
  update_actions (self);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_text_with_mnemonic (self->connect_label, busy ? _("Connecting…") : _("C_onnect"));
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);

  /* Cancel (and Escape) is what can be done now.  The focus moves before
   * the rows turn insensitive: a GtkText made insensitive while focused
   * gets no focus-out and keeps blinking its cursor (GTK warns "did not
   * receive a focus-out event"). */
  if (busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));

  gtk_widget_set_sensitive (GTK_WIDGET (self->group), !busy);
}

/* Forgets the attempt in progress; a late answer to it is ignored. */
static void
drop_pending (TsLoginWindow *self)
{
  g_autoptr(TsStore) pending = g_steal_pointer (&self->pending);

  if (pending == NULL)
    return;

  /* Forgotten first: closing may call on_store_opened() at once. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending_conninfo, g_free);

  /* Closing ends a connection attempt at once, rather than at its
   * timeout, and frees the socket. */
  ts_connection_close (ts_store_get_connection (pending));
}

static void
on_store_opened (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GWeakRef *self_ref = user_data;
  g_autoptr(TsLoginWindow) self = g_weak_ref_get (self_ref);
  g_autoptr(TsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  gboolean opened;

  g_weak_ref_clear (self_ref);
  g_free (self_ref);

  opened = ts_store_open_finish (TS_STORE (object), result, &error);

  /* The window went away, or this attempt was cancelled and the form is
   * already back. */
  if (self == NULL || self->pending != TS_STORE (object))
    return;

  store = g_steal_pointer (&self->pending);
  conninfo = g_steal_pointer (&self->pending_conninfo);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (!opened)
    {
      /* No server, but a copy of what this person saw: open on that,
       * read-only, and keep trying the server. */
      if ((g_error_matches (error, TS_CONNECTION_ERROR, TS_CONNECTION_ERROR_UNREACHABLE) ||
           g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE)) &&
          ts_store_get_cache (store) != NULL && ts_cache_exists (ts_store_get_cache (store)))
        {
          g_signal_emit (self, signals[CONNECTED], 0, store);
          ts_store_reconnect (store);
          return;
        }

      show_error (self, error, store, conninfo);
      return;
    }

  save_settings (self);
  /* TsConnection keeps its own copy as long as it needs one. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  g_signal_emit (self, signals[CONNECTED], 0, store);
}

/* The offline copy of this server and login, unless the person turned
 * it off (then what was kept is deleted). */
static void
attach_cache (TsStore *store)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tasksteper.TaskSteper");
  g_autoptr(TsCache) cache = ts_cache_new_for_connection (ts_store_get_connection (store));

  if (!g_settings_get_boolean (settings, "cache-enabled"))
    {
      ts_cache_clear (cache);
      return;
    }

  ts_cache_set_max_age_days (cache, MAX (g_settings_get_int (settings, "cache-max-age-days"), 0));
  ts_store_set_cache (store, cache);
}

static void
start_connect (TsLoginWindow *self,
               const char    *conninfo,
               const char    *password)
{
  g_autoptr(TsConnection) connection = NULL;
  GWeakRef *self_ref;

  g_assert (self->pending == NULL);

  hide_error (self);

  connection = ts_connection_new (conninfo, password);
  self->pending = ts_store_new (connection);
  attach_cache (self->pending);
  self->cancellable = g_cancellable_new ();
  self->pending_conninfo = g_strdup (conninfo);
  set_busy (self, TRUE);

  /* A weak reference: closing the window while it connects disposes it,
   * which cancels the attempt. */
  self_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (self_ref, self);
  ts_store_open_async (self->pending, self->cancellable, on_store_opened, self_ref);
}

/* Digits, or several separated by commas for several hosts, as libpq
 * accepts. */
static gboolean
port_is_valid (const char *port)
{
  for (const char *p = port; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != ',')
      return FALSE;

  return TRUE;
}

static void
login_connect_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TsLoginWindow *self = TS_LOGIN_WINDOW (widget);
  g_autofree char *host = dup_row_text (self->host_row);
  g_autofree char *port = dup_row_text (self->port_row);
  g_autofree char *fields = dup_fields (self);
  g_autofree char *conninfo = NULL;

  if (self->pending != NULL)
    return;

  if (!_ts_login_window_is_conninfo (host) && !port_is_valid (port))
    {
      show_error_message (self, _("The port must be a number, such as 5432, or empty for the default."));
      gtk_widget_grab_focus (GTK_WIDGET (self->port_row));
      return;
    }

  if (self->given_conninfo != NULL && g_strcmp0 (fields, self->given_fields) == 0)
    {
      conninfo = g_strdup (self->given_conninfo);
    }
  else
    {
      g_clear_pointer (&self->given_conninfo, g_free);
      g_clear_pointer (&self->given_fields, g_free);
      conninfo = build_conninfo_from_fields (self);
    }

  start_connect (self, conninfo, gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
}

static void
login_cancel_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TsLoginWindow *self = TS_LOGIN_WINDOW (widget);

  if (self->pending == NULL)
    return;

  drop_pending (self);
  set_busy (self, FALSE);
  hide_error (self);
  focus_first_field (self);
}

static void
on_entry_activated (TsLoginWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "login.connect", NULL);
}

static void
on_sslmode_selected (TsLoginWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->sslmode_row);

  if (selected < G_N_ELEMENTS (sslmodes))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->sslmode_row), _(sslmodes[selected].description));

  gtk_widget_set_visible (GTK_WIDGET (self->ca_row), _ts_login_window_sslmode_checks_ca (get_sslmode (self)));
}

/* GtkFileChooserNative, not GtkFileDialog, which is GTK 4.10. */
static void
on_ca_chosen (TsLoginWindow        *self,
              int                   response,
              GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->ca_row), path);
    }

  g_clear_object (&self->ca_chooser);
}

static void
login_choose_ca_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TsLoginWindow *self = TS_LOGIN_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->ca_chooser != NULL)
    return;

  self->ca_chooser = gtk_file_chooser_native_new (_("CA Certificate"), GTK_WINDOW (self),
                                                  GTK_FILE_CHOOSER_ACTION_OPEN, _("_Select"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->ca_chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), filter);
  g_signal_connect_object (self->ca_chooser, "response", G_CALLBACK (on_ca_chosen), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->ca_chooser));
}

/* The object */

static void
ts_login_window_dispose (GObject *object)
{
  TsLoginWindow *self = (TsLoginWindow *)object;

  drop_pending (self);
  if (self->ca_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->ca_chooser));
  g_clear_object (&self->ca_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_LOGIN_WINDOW);

  G_OBJECT_CLASS (ts_login_window_parent_class)->dispose (object);
}

static void
ts_login_window_finalize (GObject *object)
{
  TsLoginWindow *self = (TsLoginWindow *)object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->given_conninfo, g_free);
  g_clear_pointer (&self->given_fields, g_free);

  G_OBJECT_CLASS (ts_login_window_parent_class)->finalize (object);
}

static void
ts_login_window_class_init (TsLoginWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_login_window_dispose;
  object_class->finalize = ts_login_window_finalize;

  /**
   * TsLoginWindow::connected:
   * @store: the open #TsStore
   *
   * The window stays open: what comes next is the application's to decide.
   */
  signals[CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);

  /* Referring to the bundle keeps the linker from dropping it out of the
   * static library in programs that use nothing else of it. */
  (void) ts_gui_get_resource ();

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-login-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, group);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, database_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, sslmode_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, ca_row);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, connect_label);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, TsLoginWindow, demo_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_sslmode_selected);

  gtk_widget_class_install_action (widget_class, "login.connect", NULL, login_connect_action);
  gtk_widget_class_install_action (widget_class, "login.cancel", NULL, login_cancel_action);
  gtk_widget_class_install_action (widget_class, "login.choose-ca", NULL, login_choose_ca_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "login.cancel", NULL);
}

/* The security choices in the combo row's pop-up: as libadwaita draws
 * them (a label, a check mark on the chosen one), and named for screen
 * readers, which libadwaita 1.2's own list factory leaves unnamed. */

static void
update_sslmode_check (GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *check = gtk_widget_get_last_child (box);
  AdwComboRow *row = g_object_get_data (G_OBJECT (item), "ts-combo-row");

  gtk_widget_set_opacity (check, adw_combo_row_get_selected (row) == gtk_list_item_get_position (item) ? 1 : 0);
}

static void
on_sslmode_selected_changed (GtkListItem *item)
{
  if (gtk_list_item_get_item (item) != NULL)
    update_sslmode_check (item);
}

static void
on_sslmode_item_setup (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       TsLoginWindow            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), check);
  gtk_list_item_set_child (item, box);
  g_object_set_data (G_OBJECT (item), "ts-combo-row", self->sslmode_row);
  g_signal_connect_object (self->sslmode_row, "notify::selected",
                           G_CALLBACK (on_sslmode_selected_changed), item, G_CONNECT_SWAPPED);
}

static void
on_sslmode_item_bind (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      TsLoginWindow            *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  const char *text = gtk_string_object_get_string (gtk_list_item_get_item (item));

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (box)), text);
  ts_a11y_set_row_label (item, text);
  update_sslmode_check (item);
}

static void
ts_login_window_init (TsLoginWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (on_sslmode_item_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_sslmode_item_bind), self);
  adw_combo_row_set_list_factory (self->sslmode_row, factory);
  ts_a11y_name_inner_buttons (GTK_WIDGET (self->password_row));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));

  self->settings = g_settings_new (SETTINGS_SCHEMA);
  load_settings (self);
  on_sslmode_selected (self);
  update_actions (self);
  focus_first_field (self);
}

/**
 * ts_login_window_new:
 * @application: (nullable): the application
 */
TsLoginWindow *
ts_login_window_new (AdwApplication *application)
{
  g_return_val_if_fail (application == NULL || ADW_IS_APPLICATION (application), NULL);

  return g_object_new (TS_TYPE_LOGIN_WINDOW,
                       "application", application,
                       NULL);
}

void
ts_login_window_connect_conninfo (TsLoginWindow *self,
                                  const char    *conninfo)
{
  PQconninfoOption *options;
  char *errmsg = NULL;

  g_return_if_fail (TS_IS_LOGIN_WINDOW (self));
  g_return_if_fail (conninfo != NULL);

  if (self->pending != NULL)
    {
      drop_pending (self);
      set_busy (self, FALSE);
    }

  options = PQconninfoParse (conninfo, &errmsg);
  if (options == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The connection string is not valid: %s"),
                                 errmsg != NULL ? g_strstrip (errmsg) : _("out of memory"));
      PQfreemem (errmsg);
      show_error_message (self, message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->host_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->database_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), "");
  /* A password in the string is used, never shown. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  set_sslmode (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->ca_row), "");

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      AdwEntryRow *row = NULL;

      if (option->val == NULL)
        continue;

      if (g_str_equal (option->keyword, "host"))
        row = self->host_row;
      else if (g_str_equal (option->keyword, "port"))
        row = self->port_row;
      else if (g_str_equal (option->keyword, "dbname"))
        row = self->database_row;
      else if (g_str_equal (option->keyword, "user"))
        row = self->user_row;
      else if (g_str_equal (option->keyword, "sslrootcert"))
        row = self->ca_row;
      else if (g_str_equal (option->keyword, "sslmode"))
        set_sslmode (self, option->val);

      if (row != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row), option->val);
    }
  PQconninfoFree (options);

  g_free (self->given_conninfo);
  self->given_conninfo = g_strdup (conninfo);
  g_free (self->given_fields);
  self->given_fields = dup_fields (self);

  start_connect (self, conninfo, NULL);
}

void
ts_login_window_show_error (TsLoginWindow *self,
                            const char    *message)
{
  g_return_if_fail (TS_IS_LOGIN_WINDOW (self));
  g_return_if_fail (message != NULL);

  show_error_message (self, message);
}
