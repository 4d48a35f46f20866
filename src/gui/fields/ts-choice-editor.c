/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-choice-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-choice-editor.h"

/* A drop-down over the schema's choices, "—" first when the field may be
 * empty.  A value that is not among the choices (a schema changed under
 * old tickets, or a parent changed under a dependent choice) is added at
 * the end, so nothing the ticket holds is lost.
 *
 * A dependent choice (depends_on) offers the choices for its parent's
 * value, and always "—": a parent without a list for its value allows
 * only that. */
struct _TsChoiceEditor
{
  GtkWidget      parent_instance;

  TsField       *field;
  GtkWidget     *dropdown;
  GtkStringList *strings;     /* what the drop-down shows */
  GPtrArray     *values;      /* the value at each position */
  TsField       *parent;      /* depends_on's field, or NULL */
  char          *parent_value;
  guint          rebuilding;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsChoiceEditor, ts_choice_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static void
add_value (TsChoiceEditor *self,
           const char     *value)
{
  if (!g_ptr_array_find_with_equal_func (self->values, value, g_str_equal, NULL))
    g_ptr_array_add (self->values, g_strdup (value));
}

/* Rebuilds the list from the schema's choices, keeping @keep (the value
 * shown now) even when it is not among them. */
static void
rebuild (TsChoiceEditor *self,
         const char     *keep)
{
  gboolean dependent = ts_field_get_depends_on (self->field) != NULL;
  const char * const *choices = ts_field_get_choices_for (self->field, self->parent_value);
  g_autoptr(GPtrArray) display = g_ptr_array_new ();

  g_ptr_array_set_size (self->values, 0);
  if (dependent || !ts_field_get_required (self->field) || ts_field_get_default (self->field) == NULL)
    add_value (self, "");
  for (guint i = 0; choices != NULL && choices[i] != NULL; i++)
    add_value (self, choices[i]);
  if (keep != NULL)
    add_value (self, keep);

  /* A choice's item: the value, or "—" for none. */
  for (guint i = 0; i < self->values->len; i++)
    {
      const char *value = g_ptr_array_index (self->values, i);
      g_ptr_array_add (display, (gpointer)(*value != '\0' ? value : _("—")));
    }
  g_ptr_array_add (display, NULL);

  self->rebuilding++;
  gtk_string_list_splice (self->strings, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->strings)),
                          (const char * const *)display->pdata);
  if (keep == NULL || !ts_field_editor_dropdown_select (self->dropdown, self->values, keep))
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dropdown), 0);
  self->rebuilding--;
}

static void
on_selected (TsChoiceEditor *self)
{
  if (self->rebuilding == 0)
    ts_field_editor_changed (TS_FIELD_EDITOR (self));
}

static TsField *
ts_choice_editor_get_field (TsFieldEditor *editor)
{
  return TS_CHOICE_EDITOR (editor)->field;
}

static JsonNode *
ts_choice_editor_dup_value (TsFieldEditor *editor)
{
  TsChoiceEditor *self = TS_CHOICE_EDITOR (editor);

  return ts_field_editor_new_string_node (ts_field_editor_dropdown_get_value (self->dropdown, self->values));
}

static void
ts_choice_editor_set_value (TsFieldEditor *editor,
                            JsonNode      *value)
{
  TsChoiceEditor *self = TS_CHOICE_EDITOR (editor);
  g_autofree char *text = ts_field_editor_value_to_text (value);

  if (!ts_field_editor_dropdown_select (self->dropdown, self->values, text))
    rebuild (self, text);
}

static void
ts_choice_editor_reset_value (TsFieldEditor *editor,
                              JsonNode      *value)
{
  g_autofree char *text = ts_field_editor_value_to_text (value);

  rebuild (TS_CHOICE_EDITOR (editor), text);
}

static void
ts_choice_editor_set_editable (TsFieldEditor *editor,
                               gboolean       editable)
{
  gtk_widget_set_sensitive (TS_CHOICE_EDITOR (editor)->dropdown, editable);
}

static GtkWidget *
ts_choice_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_CHOICE_EDITOR (editor)->dropdown;
}

/* A dependent choice's value must be one its parent's value allows. */
static char *
ts_choice_editor_check_value (TsFieldEditor *editor,
                              JsonNode      *value)
{
  TsChoiceEditor *self = TS_CHOICE_EDITOR (editor);
  const char *label = ts_field_get_label (self->field);
  const char *parent_label;
  const char *text;

  if (ts_field_get_depends_on (self->field) == NULL || self->parent == NULL ||
      !JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;

  text = json_node_get_string (value);
  if (*text == '\0' ||
      g_strv_contains (ts_field_get_choices_for (self->field, self->parent_value), text))
    return NULL;

  parent_label = ts_field_get_label (self->parent);
  if (self->parent_value == NULL || *self->parent_value == '\0')
    /* Translators: "问题小类" cannot be "线缆" while "问题大类" is empty: ... */
    return g_strdup_printf (_("“%s” cannot be “%s” while “%s” is empty: choose “%s” first, or choose another “%s”."),
                            label, text, parent_label, parent_label, label);
  /* Translators: "问题小类" cannot be "线缆" when "问题大类" is "软件": ... */
  return g_strdup_printf (_("“%s” cannot be “%s” when “%s” is “%s”: choose one of the choices for “%s”, or change “%s”."),
                          label, text, parent_label, self->parent_value, self->parent_value, parent_label);
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->check_value = ts_choice_editor_check_value;
  iface->get_field = ts_choice_editor_get_field;
  iface->dup_value = ts_choice_editor_dup_value;
  iface->set_value = ts_choice_editor_set_value;
  iface->reset_value = ts_choice_editor_reset_value;
  iface->set_editable = ts_choice_editor_set_editable;
  iface->get_focus_widget = ts_choice_editor_get_focus_widget;
  iface->wide = FALSE;
}

static void
ts_choice_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_choice_editor_parent_class)->dispose (object);
}

static void
ts_choice_editor_finalize (GObject *object)
{
  TsChoiceEditor *self = TS_CHOICE_EDITOR (object);

  g_clear_pointer (&self->values, g_ptr_array_unref);
  g_clear_pointer (&self->parent_value, g_free);
  g_clear_object (&self->parent);
  g_clear_object (&self->field);

  G_OBJECT_CLASS (ts_choice_editor_parent_class)->finalize (object);
}

static void
ts_choice_editor_class_init (TsChoiceEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_choice_editor_dispose;
  object_class->finalize = ts_choice_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_choice_editor_init (TsChoiceEditor *self)
{
  self->values = g_ptr_array_new_with_free_func (g_free);
}

TsChoiceEditor *
ts_choice_editor_new (TsField *field)
{
  g_autoptr(GtkExpression) expression = NULL;
  TsChoiceEditor *self;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_CHOICE_EDITOR, NULL);
  self->field = g_object_ref (field);

  self->strings = gtk_string_list_new (NULL);
  /* The drop-down takes the model's reference. */
  self->dropdown = gtk_drop_down_new (G_LIST_MODEL (self->strings), NULL);
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (GTK_DROP_DOWN (self->dropdown), expression);
  gtk_widget_set_valign (self->dropdown, GTK_ALIGN_CENTER);
  ts_field_editor_name_dropdown (self->dropdown, ts_field_get_label (field));

  rebuild (self, NULL);
  g_signal_connect_swapped (self->dropdown, "notify::selected", G_CALLBACK (on_selected), self);

  ts_field_editor_set_child (TS_FIELD_EDITOR (self), self->dropdown);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  return self;
}

void
ts_choice_editor_set_parent (TsChoiceEditor *self,
                             TsField        *parent)
{
  g_return_if_fail (TS_IS_CHOICE_EDITOR (self));
  g_return_if_fail (parent == NULL || TS_IS_FIELD (parent));

  g_set_object (&self->parent, parent);
}

void
ts_choice_editor_set_parent_value (TsChoiceEditor *self,
                                   const char     *parent_value)
{
  g_autofree char *current = NULL;

  g_return_if_fail (TS_IS_CHOICE_EDITOR (self));

  if (ts_field_get_depends_on (self->field) == NULL ||
      g_strcmp0 (self->parent_value, parent_value) == 0)
    return;

  g_free (self->parent_value);
  self->parent_value = g_strdup (parent_value);
  current = g_strdup (ts_field_editor_dropdown_get_value (self->dropdown, self->values));
  rebuild (self, current);
}
