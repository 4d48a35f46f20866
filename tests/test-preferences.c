/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <adwaita.h>

#include "ts-application.h"
#include "ts-gui-test-util.h"
#include "ts-preferences-window.h"

/* The Preferences window under Xvfb, on GSettings' memory backend: what the
 * rows show is what the keys hold, a change to a row is kept (Host once the
 * row is done with, never with a password), and Forget empties the
 * remembered server and nothing else. */

static const char * const server_keys[] = {
  "last-host", "last-port", "last-database", "last-user", "last-sslmode", "last-sslrootcert",
};

/* Helpers */

#define assert_key_string(settings, key, expected)                            \
  G_STMT_START {                                                              \
    g_autofree char *_value = g_settings_get_string (settings, key);          \
    g_assert_cmpstr (_value, ==, expected);                                   \
  } G_STMT_END

typedef struct
{
  GtkWindow           *parent;
  TsPreferencesWindow *window;
  GSettings           *settings;
} Fixture;

static GtkWidget *
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->window), TS_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static const char *
row_text (Fixture    *fixture,
          const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (fixture, name)));
}

/* As typing does: the text changes, one character at a time. */
static void
type_into (Fixture    *fixture,
           const char *name,
           const char *text)
{
  GtkWidget *row = child (fixture, name);

  /* As a person does: click into the row, select what is there, type. */
  ts_test_click (row);
  ts_test_key (row, GDK_KEY_a, GDK_CONTROL_MASK);
  ts_test_key (row, GDK_KEY_BackSpace, 0);
  ts_test_type (row, text);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, text);
}

static gboolean
is_default (GSettings  *settings,
            const char *name)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) value = g_settings_get_value (settings, name);
  g_autoptr(GVariant) default_value = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, name);
  default_value = g_settings_schema_key_get_default_value (key);
  return g_variant_equal (value, default_value);
}

static void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
remember_server (GSettings *settings)
{
  g_settings_set_string (settings, "last-host", "db.example.com");
  g_settings_set_string (settings, "last-port", "5433");
  g_settings_set_string (settings, "last-database", "tasksteper");
  g_settings_set_string (settings, "last-user", "zhangwei");
  g_settings_set_string (settings, "last-sslmode", "verify-ca");
  g_settings_set_string (settings, "last-sslrootcert", "/etc/ssl/certs/tasksteper-ca.pem");
}

static void
open_window (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GtkWidget *window;

  fixture->window = ts_preferences_window_new (fixture->parent);
  window = GTK_WIDGET (fixture->window);
  gtk_window_present (GTK_WINDOW (window));

  while (!gtk_widget_get_mapped (window) || gtk_widget_get_width (window) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  ts_test_iterate (100);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->settings = g_settings_new (TS_APPLICATION_ID);
  reset_settings (fixture->settings);

  fixture->parent = GTK_WINDOW (gtk_window_new ());
  gtk_window_present (fixture->parent);
}

/* The window and its bindings must go when it closes. */
static void
close_window (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *)&fixture->window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (fixture->window != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    close_window (fixture);

  gtk_window_destroy (fixture->parent);
  reset_settings (fixture->settings);
  g_assert_finalize_object (fixture->settings);
}

/* Tests */

static void
test_shows_settings (Fixture       *fixture,
                     gconstpointer  data)
{
  remember_server (fixture->settings);
  g_settings_set_boolean (fixture->settings, "cache-enabled", FALSE);
  g_settings_set_int (fixture->settings, "cache-max-age-days", 10);

  open_window (fixture);

  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (fixture->window)) == fixture->parent);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (fixture->window)));

  g_assert_cmpstr (row_text (fixture, "host_row"), ==, "db.example.com");
  g_assert_cmpstr (row_text (fixture, "port_row"), ==, "5433");
  g_assert_cmpstr (row_text (fixture, "database_row"), ==, "tasksteper");
  g_assert_cmpstr (row_text (fixture, "user_row"), ==, "zhangwei");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (fixture, "sslmode_row"))), ==, 3);
  /* Verify CA: the CA file it checks against shows. */
  g_assert_true (gtk_widget_get_visible (child (fixture, "sslrootcert_row")));
  g_assert_cmpstr (row_text (fixture, "sslrootcert_row"), ==, "/etc/ssl/certs/tasksteper-ca.pem");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (fixture, "cache_enabled_switch"))));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (fixture, "cache_age_spin"))), ==, 10);
  /* How long a copy is kept does not matter while none is kept. */
  g_assert_false (gtk_widget_get_sensitive (child (fixture, "cache_age_row")));
  g_assert_true (gtk_widget_is_sensitive (child (fixture, "forget_button")));

  /* A change made elsewhere (the login window remembering a server) shows. */
  g_settings_set_string (fixture->settings, "last-database", "other");
  g_settings_set_boolean (fixture->settings, "cache-enabled", TRUE);
  g_assert_cmpstr (row_text (fixture, "database_row"), ==, "other");
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "cache_age_row")));
}

static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  GtkSpinButton *spin;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) bounds = NULL;
  const char *range_type;
  int lower, upper;
  double adj_lower, adj_upper;

  open_window (fixture);

  /* Nothing remembered: nothing to forget. */
  g_assert_false (gtk_widget_is_sensitive (child (fixture, "forget_button")));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (fixture, "sslmode_row"))), ==, 1);

  type_into (fixture, "host_row", "db.example.com");
  g_signal_emit_by_name (child (fixture, "host_row"), "entry-activated");
  type_into (fixture, "port_row", "6543");
  type_into (fixture, "database_row", "tasks");
  type_into (fixture, "user_row", "lina");
  /* Prefer checks no certificate: no CA file to give. */
  g_assert_false (gtk_widget_get_visible (child (fixture, "sslrootcert_row")));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (fixture, "sslmode_row")), 4);
  g_assert_true (gtk_widget_get_visible (child (fixture, "sslrootcert_row")));
  type_into (fixture, "sslrootcert_row", "/srv/ca/根证书.pem");

  assert_key_string (fixture->settings, "last-sslrootcert", "/srv/ca/根证书.pem");
  assert_key_string (fixture->settings, "last-host", "db.example.com");
  assert_key_string (fixture->settings, "last-port", "6543");
  assert_key_string (fixture->settings, "last-database", "tasks");
  assert_key_string (fixture->settings, "last-user", "lina");
  assert_key_string (fixture->settings, "last-sslmode", "verify-full");
  g_assert_true (gtk_widget_is_sensitive (child (fixture, "forget_button")));

  /* The switch, as a click on its row does (the row activates it, and it
   * flips once its animation is over). */
  g_assert_true (g_settings_get_boolean (fixture->settings, "cache-enabled"));
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "cache_age_row")));
  adw_action_row_activate (ADW_ACTION_ROW (child (fixture, "cache_enabled_row")));
  TS_WAIT_FOR (!g_settings_get_boolean (fixture->settings, "cache-enabled"));
  g_assert_false (gtk_widget_get_sensitive (child (fixture, "cache_age_row")));
  adw_action_row_activate (ADW_ACTION_ROW (child (fixture, "cache_enabled_row")));
  TS_WAIT_FOR (g_settings_get_boolean (fixture->settings, "cache-enabled"));
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "cache_age_row")));

  /* The spin button offers exactly the key's range. */
  spin = GTK_SPIN_BUTTON (child (fixture, "cache_age_spin"));
  g_object_get (fixture->settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, "cache-max-age-days");
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", &range_type, &bounds);
  g_assert_cmpstr (range_type, ==, "range");
  g_variant_get (bounds, "(ii)", &lower, &upper);
  gtk_spin_button_get_range (spin, &adj_lower, &adj_upper);
  g_assert_cmpfloat (adj_lower, ==, lower);
  g_assert_cmpfloat (adj_upper, ==, upper);

  g_assert_cmpint (g_settings_get_int (fixture->settings, "cache-max-age-days"), ==, 30);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 30);
  gtk_spin_button_spin (spin, GTK_SPIN_STEP_FORWARD, 1);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "cache-max-age-days"), ==, 31);
  gtk_spin_button_set_value (spin, 90);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "cache-max-age-days"), ==, 90);
  gtk_spin_button_set_value (spin, 10000);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "cache-max-age-days"), ==, upper);

  /* The window size is the application's business, not a preference. */
  g_assert_true (is_default (fixture->settings, "window-width"));
  g_assert_true (is_default (fixture->settings, "window-height"));
  g_assert_true (is_default (fixture->settings, "window-maximized"));
}

/* A connection string typed into Host may carry a password: the key must
 * never get it, at any moment of the typing. */
static void
on_host_changed (GSettings  *settings,
                 const char *key,
                 gpointer    user_data)
{
  g_autofree char *host = g_settings_get_string (settings, "last-host");

  g_assert_null (strstr (host, "secret"));
  (*(guint *)user_data)++;
}

static void
test_host_password (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct
  {
    const char *typed;
    const char *kept;
  } conninfos[] = {
    { "postgresql://alice:secret@db.example.com:5433/tasks",
      "user='alice' dbname='tasks' host='db.example.com' port='5433'" },
    { "host=db.example.com dbname=tasks password=secret",
      "dbname='tasks' host='db.example.com'" },
    { "host=db.example.com password='secret word' sslpassword=secret",
      "host='db.example.com'" },
  };
  GtkWidget *host_row;
  guint changes = 0;

  g_settings_set_string (fixture->settings, "last-host", "old.example.com");
  open_window (fixture);
  host_row = child (fixture, "host_row");
  g_signal_connect (fixture->settings, "changed::last-host", G_CALLBACK (on_host_changed), &changes);

  for (guint i = 0; i < G_N_ELEMENTS (conninfos); i++)
    {
      /* Kept only once the row is done with (Enter here), and without
       * the password. */
      type_into (fixture, "host_row", conninfos[i].typed);
      g_assert_false (gtk_widget_has_css_class (host_row, "error"));
      g_assert_cmpuint (changes, ==, i);
      g_signal_emit_by_name (host_row, "entry-activated");
      g_assert_cmpuint (changes, ==, i + 1);
      assert_key_string (fixture->settings, "last-host", conninfos[i].kept);
      /* The row now shows what is kept. */
      g_assert_cmpstr (row_text (fixture, "host_row"), ==, conninfos[i].kept);
    }

  /* One libpq cannot read is an error, and is not kept. */
  type_into (fixture, "host_row", "host=db.example.com password='secret");
  g_assert_true (gtk_widget_has_css_class (host_row, "error"));
  g_signal_emit_by_name (host_row, "entry-activated");
  assert_key_string (fixture->settings, "last-host", conninfos[G_N_ELEMENTS (conninfos) - 1].kept);

  /* A plain host again: the error goes; kept when the focus leaves. */
  gtk_widget_grab_focus (host_row);
  type_into (fixture, "host_row", "db2.example.com");
  g_assert_false (gtk_widget_has_css_class (host_row, "error"));
  assert_key_string (fixture->settings, "last-host", conninfos[G_N_ELEMENTS (conninfos) - 1].kept);
  gtk_widget_grab_focus (child (fixture, "port_row"));
  assert_key_string (fixture->settings, "last-host", "db2.example.com");

  /* Closing the window keeps what Host shows. */
  type_into (fixture, "host_row", "postgres://lina:secret@db3.example.com/tasks");
  assert_key_string (fixture->settings, "last-host", "db2.example.com");
  close_window (fixture);
  assert_key_string (fixture->settings, "last-host", "user='lina' dbname='tasks' host='db3.example.com'");

  g_signal_handlers_disconnect_by_func (fixture->settings, on_host_changed, &changes);
}

static gboolean
on_change_event (GSettings *settings,
                 gpointer   keys,
                 int        n_keys,
                 gpointer   user_data)
{
  (*(guint *)user_data)++;
  return FALSE;
}

static void
test_forget (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *forget;
  guint changes = 0;

  remember_server (fixture->settings);
  g_settings_set_boolean (fixture->settings, "cache-enabled", FALSE);
  g_settings_set_int (fixture->settings, "cache-max-age-days", 7);
  g_settings_set_int (fixture->settings, "window-width", 800);
  open_window (fixture);

  forget = child (fixture, "forget_button");
  g_assert_true (gtk_widget_is_sensitive (forget));
  g_signal_connect (fixture->settings, "change-event", G_CALLBACK (on_change_event), &changes);
  g_signal_emit_by_name (forget, "clicked");
  g_signal_handlers_disconnect_by_func (fixture->settings, on_change_event, &changes);

  /* One change for the whole server. */
  g_assert_cmpuint (changes, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (server_keys); i++)
    g_assert_true (is_default (fixture->settings, server_keys[i]));
  g_assert_cmpstr (row_text (fixture, "host_row"), ==, "");
  g_assert_cmpstr (row_text (fixture, "port_row"), ==, "");
  g_assert_cmpstr (row_text (fixture, "database_row"), ==, "");
  g_assert_cmpstr (row_text (fixture, "user_row"), ==, "");
  g_assert_cmpstr (row_text (fixture, "sslrootcert_row"), ==, "");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (fixture, "sslmode_row"))), ==, 1);
  g_assert_false (gtk_widget_is_sensitive (forget));

  /* Only the server is forgotten. */
  g_assert_false (g_settings_get_boolean (fixture->settings, "cache-enabled"));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "cache-max-age-days"), ==, 7);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "window-width"), ==, 800);

  /* A host typed but not yet kept is forgotten too. */
  type_into (fixture, "host_row", "typed.example.com");
  type_into (fixture, "user_row", "lina");
  g_signal_emit_by_name (forget, "clicked");
  g_assert_cmpstr (row_text (fixture, "host_row"), ==, "");
  close_window (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (server_keys); i++)
    g_assert_true (is_default (fixture->settings, server_keys[i]));
  open_window (fixture);
  forget = child (fixture, "forget_button");

  /* Typing again remembers again. */
  type_into (fixture, "user_row", "wangfang");
  assert_key_string (fixture->settings, "last-user", "wangfang");
  g_assert_true (gtk_widget_is_sensitive (forget));
}

/* An sslmode the row does not offer ("allow", set by hand with gsettings)
 * is shown as the default and left alone until the row is changed. */
static void
test_unknown_sslmode (Fixture       *fixture,
                      gconstpointer  data)
{
  g_settings_set_string (fixture->settings, "last-sslmode", "allow");
  open_window (fixture);

  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (fixture, "sslmode_row"))), ==, 1);
  assert_key_string (fixture->settings, "last-sslmode", "allow");

  adw_combo_row_set_selected (ADW_COMBO_ROW (child (fixture, "sslmode_row")), 2);
  assert_key_string (fixture->settings, "last-sslmode", "require");
}

static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  data)
{
  g_settings_set_string (fixture->settings, "last-host", "db.example.com");
  g_settings_set_string (fixture->settings, "last-database", "tasksteper");
  g_settings_set_string (fixture->settings, "last-user", "zhangwei");
  g_settings_set_string (fixture->settings, "last-sslmode", "require");
  open_window (fixture);

  ts_test_save_screenshot (GTK_WIDGET (fixture->window), "preferences.png", NULL);
}

int
main (int   argc,
      char *argv[])
{
  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ts/preferences/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("shows-settings", test_shows_settings);
  ADD ("edit", test_edit);
  ADD ("host-password", test_host_password);
  ADD ("forget", test_forget);
  ADD ("unknown-sslmode", test_unknown_sslmode);
  ADD ("screenshot", test_screenshot);

#undef ADD

  return g_test_run ();
}
