/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-field-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-field-editor.h"
#include "fields/ts-boolean-editor.h"
#include "fields/ts-choice-editor.h"
#include "fields/ts-date-editor.h"
#include "fields/ts-integer-editor.h"
#include "fields/ts-string-editor.h"
#include "fields/ts-text-editor.h"
#include "fields/ts-url-editor.h"
#include "fields/ts-user-editor.h"

/* The narrowest an entry with a width_chars hint may become. */
#define MIN_ENTRY_CHARS 20

G_DEFINE_INTERFACE (TsFieldEditor, ts_field_editor, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ts_field_editor_default_init (TsFieldEditorInterface *iface)
{
  /**
   * TsFieldEditor::changed:
   *
   * The value shown changed, by a person's edit or by set_value.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

TsFieldEditor *
ts_field_editor_new (TsField *field)
{
  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  /* The one place that knows which widget edits which type. */
  switch (ts_field_get_field_type (field))
    {
    case TS_FIELD_STRING:
      return TS_FIELD_EDITOR (ts_string_editor_new (field));
    case TS_FIELD_URL:
      return TS_FIELD_EDITOR (ts_url_editor_new (field));
    case TS_FIELD_TEXT:
      return TS_FIELD_EDITOR (ts_text_editor_new (field));
    case TS_FIELD_CHOICE:
      return TS_FIELD_EDITOR (ts_choice_editor_new (field));
    case TS_FIELD_USER:
      return TS_FIELD_EDITOR (ts_user_editor_new (field));
    case TS_FIELD_DATE:
      return TS_FIELD_EDITOR (ts_date_editor_new (field));
    case TS_FIELD_INTEGER:
      return TS_FIELD_EDITOR (ts_integer_editor_new (field));
    case TS_FIELD_BOOLEAN:
      return TS_FIELD_EDITOR (ts_boolean_editor_new (field));
    default:
      g_return_val_if_reached (NULL);
    }
}

TsField *
ts_field_editor_get_field (TsFieldEditor *self)
{
  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), NULL);

  return TS_FIELD_EDITOR_GET_IFACE (self)->get_field (self);
}

JsonNode *
ts_field_editor_dup_value (TsFieldEditor *self)
{
  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), NULL);

  return TS_FIELD_EDITOR_GET_IFACE (self)->dup_value (self);
}

void
ts_field_editor_set_value (TsFieldEditor *self,
                           JsonNode      *value)
{
  g_return_if_fail (TS_IS_FIELD_EDITOR (self));

  TS_FIELD_EDITOR_GET_IFACE (self)->set_value (self, value);
}

void
ts_field_editor_reset_value (TsFieldEditor *self,
                             JsonNode      *value)
{
  TsFieldEditorInterface *iface;

  g_return_if_fail (TS_IS_FIELD_EDITOR (self));

  iface = TS_FIELD_EDITOR_GET_IFACE (self);
  if (iface->reset_value != NULL)
    iface->reset_value (self, value);
  else
    iface->set_value (self, value);
}

void
ts_field_editor_set_editable (TsFieldEditor *self,
                              gboolean       editable)
{
  g_return_if_fail (TS_IS_FIELD_EDITOR (self));

  TS_FIELD_EDITOR_GET_IFACE (self)->set_editable (self, editable);
}

GtkWidget *
ts_field_editor_get_focus_widget (TsFieldEditor *self)
{
  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), NULL);

  return TS_FIELD_EDITOR_GET_IFACE (self)->get_focus_widget (self);
}

GtkWidget *
ts_field_editor_get_frame (TsFieldEditor *self)
{
  TsFieldEditorInterface *iface;

  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), NULL);

  iface = TS_FIELD_EDITOR_GET_IFACE (self);
  if (iface->get_frame != NULL)
    return iface->get_frame (self);
  return iface->get_focus_widget (self);
}

gboolean
ts_field_editor_adopt_label (TsFieldEditor *self,
                             GtkWidget     *label)
{
  TsFieldEditorInterface *iface;

  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), FALSE);

  iface = TS_FIELD_EDITOR_GET_IFACE (self);
  return iface->adopt_label != NULL && iface->adopt_label (self, label);
}

void
ts_field_editor_set_members (TsFieldEditor *self,
                             GPtrArray     *members)
{
  TsFieldEditorInterface *iface;

  g_return_if_fail (TS_IS_FIELD_EDITOR (self));

  iface = TS_FIELD_EDITOR_GET_IFACE (self);
  if (iface->set_members != NULL)
    iface->set_members (self, members);
}

gboolean
ts_field_editor_is_wide (TsFieldEditor *self)
{
  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), FALSE);

  return TS_FIELD_EDITOR_GET_IFACE (self)->wide;
}

char *
ts_field_editor_dup_invalid_message (TsFieldEditor *self)
{
  TsFieldEditorInterface *iface;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GError) error = NULL;
  TsField *field;
  char *message;

  g_return_val_if_fail (TS_IS_FIELD_EDITOR (self), NULL);

  iface = TS_FIELD_EDITOR_GET_IFACE (self);
  field = iface->get_field (self);
  value = iface->dup_value (self);

  if (iface->check_value != NULL && (message = iface->check_value (self, value)) != NULL)
    return message;

  if (!ts_field_check_value (field, value, &error))
    return g_strdup (error->message);

  /* A read-only field is filled by the workflow, never by hand, so it
   * cannot be asked for here. */
  if (ts_field_get_required (field) && !ts_field_get_readonly (field) &&
      ts_value_is_empty (value))
    return g_strdup_printf (_("“%s” is required: fill it in"), ts_field_get_label (field));

  return NULL;
}

void
ts_field_editor_show_invalid (TsFieldEditor *self,
                              gboolean       invalid)
{
  GtkWidget *widget = ts_field_editor_get_focus_widget (self);
  GtkWidget *frame = ts_field_editor_get_frame (self);

  if (invalid)
    {
      gtk_widget_add_css_class (widget, "error");
      if (frame != widget)
        gtk_widget_add_css_class (frame, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (widget, "error");
      gtk_widget_remove_css_class (frame, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

void
ts_field_editor_changed (TsFieldEditor *self)
{
  g_return_if_fail (TS_IS_FIELD_EDITOR (self));

  g_signal_emit (self, signals[CHANGED], 0);
}

JsonNode *
ts_field_editor_new_string_node (const char *str)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str != NULL ? str : "");
  return node;
}

char *
ts_field_editor_value_to_text (JsonNode *value)
{
  GType type;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return g_strdup ("");

  type = json_node_get_value_type (value);
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (value));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
  if (type == G_TYPE_DOUBLE)
    return g_strdup_printf ("%g", json_node_get_double (value));
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (value) ? "true" : "false");
  return g_strdup ("");
}

GtkWidget *
ts_field_editor_new_entry (TsField *field)
{
  GtkWidget *entry = gtk_entry_new ();
  guint width_chars = ts_field_get_width_chars (field);

  /* No gtk_entry_set_max_length(): it would cut what is pasted without a
   * word.  The length is checked as typed and the error says by how much. */
  if (ts_field_get_placeholder (field) != NULL)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), ts_field_get_placeholder (field));

  /* width_chars is the width the schema asks for: the entry's natural
   * width, starting at the left; it may still shrink in a narrow window. */
  if (width_chars > 0)
    {
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), MIN (width_chars, MIN_ENTRY_CHARS));
      gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), width_chars);
    }
  return entry;
}

void
ts_field_editor_set_child (TsFieldEditor *self,
                           GtkWidget     *child)
{
  gtk_widget_set_parent (child, GTK_WIDGET (self));
}

void
ts_field_editor_dispose_children (TsFieldEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
}

void
ts_field_editor_name_dropdown (GtkWidget  *dropdown,
                               const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (dropdown);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
}

const char *
ts_field_editor_dropdown_get_value (GtkWidget *dropdown,
                                    GPtrArray *values)
{
  guint position = gtk_drop_down_get_selected (GTK_DROP_DOWN (dropdown));

  if (position < values->len)
    return g_ptr_array_index (values, position);
  return "";
}

gboolean
ts_field_editor_dropdown_select (GtkWidget  *dropdown,
                                 GPtrArray  *values,
                                 const char *value)
{
  guint position;

  if (!g_ptr_array_find_with_equal_func (values, value, g_str_equal, &position))
    return FALSE;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), position);
  return TRUE;
}
