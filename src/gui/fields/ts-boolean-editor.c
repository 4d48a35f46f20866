/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-boolean-editor"

#include "config.h"

#include "ts-boolean-editor.h"

struct _TsBooleanEditor
{
  GtkWidget  parent_instance;

  TsField   *field;
  GtkWidget *check;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsBooleanEditor, ts_boolean_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static TsField *
ts_boolean_editor_get_field (TsFieldEditor *editor)
{
  return TS_BOOLEAN_EDITOR (editor)->field;
}

static JsonNode *
ts_boolean_editor_dup_value (TsFieldEditor *editor)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, gtk_check_button_get_active (GTK_CHECK_BUTTON (TS_BOOLEAN_EDITOR (editor)->check)));
  return node;
}

static void
ts_boolean_editor_set_value (TsFieldEditor *editor,
                             JsonNode      *value)
{
  gboolean active = FALSE;

  if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
      json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    active = json_node_get_boolean (value);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (TS_BOOLEAN_EDITOR (editor)->check), active);
}

static void
ts_boolean_editor_set_editable (TsFieldEditor *editor,
                                gboolean       editable)
{
  gtk_widget_set_sensitive (TS_BOOLEAN_EDITOR (editor)->check, editable);
}

static GtkWidget *
ts_boolean_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_BOOLEAN_EDITOR (editor)->check;
}

/* The label is the check button's own, so clicking it toggles. */
static gboolean
ts_boolean_editor_adopt_label (TsFieldEditor *editor,
                               GtkWidget     *label)
{
  gtk_check_button_set_child (GTK_CHECK_BUTTON (TS_BOOLEAN_EDITOR (editor)->check), label);
  return TRUE;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_boolean_editor_get_field;
  iface->dup_value = ts_boolean_editor_dup_value;
  iface->set_value = ts_boolean_editor_set_value;
  iface->set_editable = ts_boolean_editor_set_editable;
  iface->get_focus_widget = ts_boolean_editor_get_focus_widget;
  iface->adopt_label = ts_boolean_editor_adopt_label;
  iface->wide = FALSE;
}

static void
ts_boolean_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_boolean_editor_parent_class)->dispose (object);
}

static void
ts_boolean_editor_finalize (GObject *object)
{
  g_clear_object (&TS_BOOLEAN_EDITOR (object)->field);

  G_OBJECT_CLASS (ts_boolean_editor_parent_class)->finalize (object);
}

static void
ts_boolean_editor_class_init (TsBooleanEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_boolean_editor_dispose;
  object_class->finalize = ts_boolean_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_boolean_editor_init (TsBooleanEditor *self)
{
}

TsBooleanEditor *
ts_boolean_editor_new (TsField *field)
{
  TsBooleanEditor *self;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_BOOLEAN_EDITOR, NULL);
  self->field = g_object_ref (field);
  self->check = gtk_check_button_new ();
  gtk_widget_set_hexpand (self->check, TRUE);
  g_signal_connect_swapped (self->check, "toggled", G_CALLBACK (ts_field_editor_changed), self);
  ts_field_editor_set_child (TS_FIELD_EDITOR (self), self->check);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  return self;
}
