/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-string-editor"

#include "config.h"

#include "ts-string-editor.h"

struct _TsStringEditor
{
  GtkWidget  parent_instance;

  TsField   *field;
  GtkWidget *entry;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsStringEditor, ts_string_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static TsField *
ts_string_editor_get_field (TsFieldEditor *editor)
{
  return TS_STRING_EDITOR (editor)->field;
}

static JsonNode *
ts_string_editor_dup_value (TsFieldEditor *editor)
{
  TsStringEditor *self = TS_STRING_EDITOR (editor);

  return ts_field_editor_new_string_node (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
}

static void
ts_string_editor_set_value (TsFieldEditor *editor,
                            JsonNode      *value)
{
  TsStringEditor *self = TS_STRING_EDITOR (editor);
  g_autofree char *text = ts_field_editor_value_to_text (value);

  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
}

static void
ts_string_editor_set_editable (TsFieldEditor *editor,
                               gboolean       editable)
{
  /* Still selectable, so the text can be copied. */
  gtk_editable_set_editable (GTK_EDITABLE (TS_STRING_EDITOR (editor)->entry), editable);
}

static GtkWidget *
ts_string_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_STRING_EDITOR (editor)->entry;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_string_editor_get_field;
  iface->dup_value = ts_string_editor_dup_value;
  iface->set_value = ts_string_editor_set_value;
  iface->set_editable = ts_string_editor_set_editable;
  iface->get_focus_widget = ts_string_editor_get_focus_widget;
  iface->wide = TRUE;
}

static void
ts_string_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_string_editor_parent_class)->dispose (object);
}

static void
ts_string_editor_finalize (GObject *object)
{
  g_clear_object (&TS_STRING_EDITOR (object)->field);

  G_OBJECT_CLASS (ts_string_editor_parent_class)->finalize (object);
}

static void
ts_string_editor_class_init (TsStringEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_string_editor_dispose;
  object_class->finalize = ts_string_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_string_editor_init (TsStringEditor *self)
{
}

TsStringEditor *
ts_string_editor_new (TsField *field)
{
  TsStringEditor *self;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_STRING_EDITOR, NULL);
  self->field = g_object_ref (field);
  self->entry = ts_field_editor_new_entry (field);
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (ts_field_editor_changed), self);
  ts_field_editor_set_child (TS_FIELD_EDITOR (self), self->entry);
  return self;
}
