/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "ts-application.h"
#include "ts-login-window-private.h"
#include "ts-a11y.h"
#include "ts-preferences-window.h"

/* The choices of the Security row, in the order of its string list in
 * ts-preferences-window.ui; the login window offers the same. */
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

/* The keys that remember the server, which Forget resets. */
static const char * const server_keys[] = {
  "last-host",
  "last-port",
  "last-database",
  "last-user",
  "last-sslmode",
  "last-sslrootcert",
};

struct _TsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwEntryRow          *database_row;
  AdwEntryRow          *user_row;
  AdwComboRow          *sslmode_row;
  AdwEntryRow          *sslrootcert_row;
  AdwActionRow         *cache_age_row;
  GtkSwitch            *cache_enabled_switch;
  GtkSpinButton        *cache_age_spin;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (TsPreferencesWindow, ts_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Mappings between the keys and the rows */

/* Host may hold a whole connection string (a URI, or key=value pairs such
 * as "service=x"), which may name a password.  As the login window does, the
 * key gets it without the password, so that a password typed here is never
 * written to disk.  Written at every keystroke, a half-typed string could
 * leak one (libpq reads "postgresql://user:sec" as host "user", port
 * "sec") and would overwrite the remembered host with its first letters,
 * so Host is kept when the row is done with: Enter, the focus leaving it,
 * the window closing. */
static void
commit_host (TsPreferencesWindow *self)
{
  const char *host;
  g_autofree char *stripped = NULL;
  g_autofree char *current = NULL;

  /* The focus leaves the row once more while the window is disposed,
   * after dispose() has kept what it showed. */
  if (self->host_row == NULL || self->settings == NULL)
    return;

  host = gtk_editable_get_text (GTK_EDITABLE (self->host_row));
  if (_ts_login_window_is_conninfo (host))
    {
      /* One libpq cannot read is shown as an error (on_host_changed), and
       * the key keeps the last one it could. */
      stripped = _ts_login_window_strip_password (host);
      if (stripped == NULL)
        return;
      host = stripped;
    }

  current = g_settings_get_string (self->settings, "last-host");
  if (!g_str_equal (current, host))
    g_settings_set_string (self->settings, "last-host", host);
}

static gboolean
setting_to_sslmode (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *sslmode = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sslmodes); i++)
    if (g_str_equal (sslmode, sslmodes[i].sslmode))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  /* A mode the row does not offer ("allow", set by hand): GSettings then
   * shows the key's default. */
  return FALSE;
}

static GVariant *
sslmode_to_setting (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (sslmodes))
    return NULL;

  return g_variant_new_string (sslmodes[selected].sslmode);
}

/* Actions */

static gboolean
remembers_server (TsPreferencesWindow *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (self->settings, "settings-schema", &schema, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (server_keys); i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, server_keys[i]);
      g_autoptr(GVariant) value = g_settings_get_value (self->settings, server_keys[i]);
      g_autoptr(GVariant) default_value = g_settings_schema_key_get_default_value (key);

      if (!g_variant_equal (value, default_value))
        return TRUE;
    }

  return FALSE;
}

static void
update_actions (TsPreferencesWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.forget", remembers_server (self));
}

static void
forget_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TsPreferencesWindow *self = TS_PREFERENCES_WINDOW (widget);
  g_autoptr(GSettings) settings = g_settings_new (TS_APPLICATION_ID);

  /* A host typed but not yet kept would be kept when the window closes. */
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), "");

  /* One change for all the keys, so that a reader sees the server
   * forgotten as a whole, not one field at a time.  A GSettings of its own:
   * the window's, which the rows write through, must never be delayed. */
  g_settings_delay (settings);
  for (guint i = 0; i < G_N_ELEMENTS (server_keys); i++)
    g_settings_reset (settings, server_keys[i]);
  g_settings_apply (settings);
}

/* Callbacks */

static void
on_sslmode_selected (TsPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->sslmode_row);

  if (selected < G_N_ELEMENTS (sslmodes))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->sslmode_row), _(sslmodes[selected].description));

  /* The CA file matters only when the certificate is checked. */
  gtk_widget_set_visible (GTK_WIDGET (self->sslrootcert_row),
                          selected < G_N_ELEMENTS (sslmodes) &&
                          g_str_has_prefix (sslmodes[selected].sslmode, "verify-"));
}

static void
on_host_changed (TsPreferencesWindow *self)
{
  const char *host = gtk_editable_get_text (GTK_EDITABLE (self->host_row));
  gboolean valid = TRUE;

  if (_ts_login_window_is_conninfo (host))
    {
      g_autofree char *stripped = _ts_login_window_strip_password (host);

      valid = stripped != NULL;
    }

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->host_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->host_row), "error");
}

static void
on_settings_changed (TsPreferencesWindow *self,
                     const char          *key,
                     GSettings           *settings)
{
  update_actions (self);
}

/* GObject */

static void
ts_preferences_window_dispose (GObject *object)
{
  TsPreferencesWindow *self = TS_PREFERENCES_WINDOW (object);

  commit_host (self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (ts_preferences_window_parent_class)->dispose (object);
}

static void
ts_preferences_window_class_init (TsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, database_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, sslmode_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, sslrootcert_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, cache_age_row);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, cache_enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, TsPreferencesWindow, cache_age_spin);
  /* Not used here, named for the tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "forget_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "cache_enabled_row", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_sslmode_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_host_changed);
  gtk_widget_class_bind_template_callback (widget_class, commit_host);

  gtk_widget_class_install_action (widget_class, "preferences.forget", NULL, forget_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ts_preferences_window_init (TsPreferencesWindow *self)
{
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));
  ts_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (commit_host), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->host_row), focus);

  self->settings = g_settings_new (TS_APPLICATION_ID);

  /* Written by commit_host(). */
  g_settings_bind (self->settings, "last-host", self->host_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "last-port", self->port_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "last-database", self->database_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "last-user", self->user_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "last-sslrootcert", self->sslrootcert_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "last-sslmode", self->sslmode_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                setting_to_sslmode, sslmode_to_setting, NULL, NULL);

  g_settings_bind (self->settings, "cache-enabled", self->cache_enabled_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cache-max-age-days", self->cache_age_spin, "value", G_SETTINGS_BIND_DEFAULT);
  /* How long only matters while there is a copy. */
  g_settings_bind (self->settings, "cache-enabled", self->cache_age_row, "sensitive",
                   G_SETTINGS_BIND_GET | G_SETTINGS_BIND_NO_SENSITIVITY);

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  on_sslmode_selected (self);
  update_actions (self);
}

TsPreferencesWindow *
ts_preferences_window_new (GtkWindow *parent)
{
  GtkApplication *application = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  if (parent != NULL)
    application = gtk_window_get_application (parent);

  return g_object_new (TS_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "application", application,
                       NULL);
}
