/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-url-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ts-url-editor.h"

#define TICKET_SCHEME "tasksteper://"

struct _TsUrlEditor
{
  GtkWidget  parent_instance;

  TsField   *field;
  GtkWidget *entry;
  GtkWidget *open_button;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsUrlEditor, ts_url_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static gboolean
url_is_openable (TsUrlEditor *self,
                 const char  *url)
{
  g_autoptr(JsonNode) node = NULL;

  /* Only what a browser or the application itself should open: a link in
   * a ticket must not run file:, javascript: or another handler. */
  static const char * const schemes[] = { "http", "https", "ftp", "ftps", "mailto", "tasksteper", NULL };
  g_autofree char *scheme = NULL;

  if (url == NULL || *url == '\0')
    return FALSE;
  node = ts_field_editor_new_string_node (url);
  if (!ts_field_check_value (self->field, node, NULL))
    return FALSE;
  if ((scheme = g_uri_parse_scheme (url)) == NULL)
    return FALSE;
  for (char *c = scheme; *c; c++)
    *c = g_ascii_tolower (*c);
  return g_strv_contains (schemes, scheme);
}

static void
on_entry_changed (TsUrlEditor *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  gtk_widget_set_sensitive (self->open_button, url_is_openable (self, url));
  ts_field_editor_changed (TS_FIELD_EDITOR (self));
}

static void
on_open_clicked (GtkButton   *button,
                 TsUrlEditor *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  GtkRoot *root;

  if (!url_is_openable (self, url))
    return;

  if (g_ascii_strncasecmp (url, TICKET_SCHEME, strlen (TICKET_SCHEME)) == 0)
    {
      g_autofree char *target = g_strdup (url + strlen (TICKET_SCHEME));
      gsize len = strlen (target);

      while (len > 0 && target[len - 1] == '/')
        target[--len] = '\0';

      /* The application installs app.open-ticket; without it (a test, a
       * window on its own) the link does nothing. */
      gtk_widget_activate_action (GTK_WIDGET (button), "app.open-ticket", "s", target);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (button));
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
}

static TsField *
ts_url_editor_get_field (TsFieldEditor *editor)
{
  return TS_URL_EDITOR (editor)->field;
}

static JsonNode *
ts_url_editor_dup_value (TsFieldEditor *editor)
{
  return ts_field_editor_new_string_node (gtk_editable_get_text (GTK_EDITABLE (TS_URL_EDITOR (editor)->entry)));
}

static void
ts_url_editor_set_value (TsFieldEditor *editor,
                         JsonNode      *value)
{
  g_autofree char *text = ts_field_editor_value_to_text (value);

  gtk_editable_set_text (GTK_EDITABLE (TS_URL_EDITOR (editor)->entry), text);
}

static void
ts_url_editor_set_editable (TsFieldEditor *editor,
                            gboolean       editable)
{
  /* Still selectable, so the text can be copied; the open button works
   * for readers too. */
  gtk_editable_set_editable (GTK_EDITABLE (TS_URL_EDITOR (editor)->entry), editable);
}

static GtkWidget *
ts_url_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_URL_EDITOR (editor)->entry;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_url_editor_get_field;
  iface->dup_value = ts_url_editor_dup_value;
  iface->set_value = ts_url_editor_set_value;
  iface->set_editable = ts_url_editor_set_editable;
  iface->get_focus_widget = ts_url_editor_get_focus_widget;
  iface->wide = TRUE;
}

static void
ts_url_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_url_editor_parent_class)->dispose (object);
}

static void
ts_url_editor_finalize (GObject *object)
{
  g_clear_object (&TS_URL_EDITOR (object)->field);

  G_OBJECT_CLASS (ts_url_editor_parent_class)->finalize (object);
}

static void
ts_url_editor_class_init (TsUrlEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_url_editor_dispose;
  object_class->finalize = ts_url_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_url_editor_init (TsUrlEditor *self)
{
}

TsUrlEditor *
ts_url_editor_new (TsField *field)
{
  TsUrlEditor *self;
  GtkWidget *box;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_URL_EDITOR, NULL);
  self->field = g_object_ref (field);

  self->entry = ts_field_editor_new_entry (field);
  gtk_widget_set_hexpand (self->entry, TRUE);
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (on_entry_changed), self);

  /* libadwaita ships this icon, so it is there whatever the icon theme. */
  self->open_button = gtk_button_new_from_icon_name ("adw-external-link-symbolic");
  gtk_widget_set_tooltip_text (self->open_button, _("Open Link"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->open_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open Link"),
                                  -1);
  gtk_widget_set_sensitive (self->open_button, FALSE);
  g_signal_connect (self->open_button, "clicked", G_CALLBACK (on_open_clicked), self);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_append (GTK_BOX (box), self->entry);
  gtk_box_append (GTK_BOX (box), self->open_button);
  gtk_widget_add_css_class (box, "linked");
  ts_field_editor_set_child (TS_FIELD_EDITOR (self), box);
  return self;
}
