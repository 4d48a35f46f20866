/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-integer-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-integer-editor.h"

/* A GtkSpinButton whose text is the truth: an empty text is null (no
 * value), "0" is zero, and clearing the text is how a person empties the
 * field.  The spin button's own parsing would clamp or reset what is
 * typed when the focus leaves; the "input" and "output" handlers below
 * keep an empty or out-of-range text as typed, so the person sees the
 * value and its error instead of a silent change, while the arrows still
 * step within min and max. */
struct _TsIntegerEditor
{
  GtkWidget  parent_instance;

  TsField   *field;
  GtkWidget *spin;
  /* The spin button's value when its text was last formatted. */
  double     spin_value;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsIntegerEditor, ts_integer_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

typedef enum
{
  INTEGER_NULL,
  INTEGER_VALUE,
  INTEGER_GARBAGE,
} IntegerParse;

static IntegerParse
parse_integer_text (const char *text,
                    gint64     *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *digits = copy;

  if (*copy == '\0')
    return INTEGER_NULL;

  /* g_ascii_string_to_signed() refuses a leading '+'; a person may type one. */
  if (*digits == '+')
    digits++;

  if (g_ascii_string_to_signed (digits, 10, G_MININT64, G_MAXINT64, value, NULL))
    return INTEGER_VALUE;
  return INTEGER_GARBAGE;
}

static int
on_spin_input (GtkSpinButton   *spin,
               double          *new_value,
               TsIntegerEditor *self)
{
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  gint64 value;

  if (parse_integer_text (gtk_editable_get_text (GTK_EDITABLE (spin)), &value) == INTEGER_VALUE &&
      value >= gtk_adjustment_get_lower (adjustment) &&
      value <= gtk_adjustment_get_upper (adjustment))
    {
      *new_value = (double)value;
      return TRUE;
    }

  /* Empty (null), out of range or not a number: no new value, and the
   * text stays as typed (see "output"). */
  return GTK_INPUT_ERROR;
}

/* The spin button formats its text when it is realized, when the focus
 * leaves and when its value changes.  Only a real change of the value (an
 * arrow, a scroll, Up or Down) may replace the text; otherwise an empty
 * text (null) or a value being typed would be overwritten. */
static gboolean
on_spin_output (GtkSpinButton   *spin,
                TsIntegerEditor *self)
{
  double value = gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  if (value == self->spin_value)
    return TRUE;

  self->spin_value = value;
  text = g_strdup_printf ("%.0f", value);
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static TsField *
ts_integer_editor_get_field (TsFieldEditor *editor)
{
  return TS_INTEGER_EDITOR (editor)->field;
}

static JsonNode *
ts_integer_editor_dup_value (TsFieldEditor *editor)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (TS_INTEGER_EDITOR (editor)->spin));
  JsonNode *node;
  gint64 value;

  switch (parse_integer_text (text, &value))
    {
    case INTEGER_NULL:
      return json_node_new (JSON_NODE_NULL);
    case INTEGER_VALUE:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, value);
      return node;
    case INTEGER_GARBAGE:
    default:
      /* Not a number: kept as typed, and shown as an error. */
      return ts_field_editor_new_string_node (text);
    }
}

static void
ts_integer_editor_set_value (TsFieldEditor *editor,
                             JsonNode      *value)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (TS_INTEGER_EDITOR (editor)->spin);
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  g_autofree char *text = NULL;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    text = g_strdup ("");
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
    {
      gint64 number = json_node_get_int (value);

      if (number >= gtk_adjustment_get_lower (adjustment) &&
          number <= gtk_adjustment_get_upper (adjustment))
        gtk_adjustment_set_value (adjustment, (double)number);
      text = g_strdup_printf ("%" G_GINT64_FORMAT, number);
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (value));
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_DOUBLE)
    text = g_strdup_printf ("%.0f", json_node_get_double (value));
  else
    text = g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
}

static void
ts_integer_editor_set_editable (TsFieldEditor *editor,
                                gboolean       editable)
{
  GtkWidget *spin = TS_INTEGER_EDITOR (editor)->spin;

  gtk_editable_set_editable (GTK_EDITABLE (spin), editable);
  gtk_widget_set_sensitive (spin, editable);
}

static GtkWidget *
ts_integer_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_INTEGER_EDITOR (editor)->spin;
}

static char *
ts_integer_editor_check_value (TsFieldEditor *editor,
                               JsonNode      *value)
{
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    return g_strdup_printf (_("“%s” must be a whole number, such as 12"),
                            ts_field_get_label (TS_INTEGER_EDITOR (editor)->field));
  return NULL;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_integer_editor_get_field;
  iface->dup_value = ts_integer_editor_dup_value;
  iface->set_value = ts_integer_editor_set_value;
  iface->set_editable = ts_integer_editor_set_editable;
  iface->get_focus_widget = ts_integer_editor_get_focus_widget;
  iface->check_value = ts_integer_editor_check_value;
  iface->wide = FALSE;
}

static void
ts_integer_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_integer_editor_parent_class)->dispose (object);
}

static void
ts_integer_editor_finalize (GObject *object)
{
  g_clear_object (&TS_INTEGER_EDITOR (object)->field);

  G_OBJECT_CLASS (ts_integer_editor_parent_class)->finalize (object);
}

static void
ts_integer_editor_class_init (TsIntegerEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_integer_editor_dispose;
  object_class->finalize = ts_integer_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_integer_editor_init (TsIntegerEditor *self)
{
}

TsIntegerEditor *
ts_integer_editor_new (TsField *field)
{
  gint64 min = G_MININT32, max = G_MAXINT32;
  GtkAdjustment *adjustment;
  TsIntegerEditor *self;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_INTEGER_EDITOR, NULL);
  self->field = g_object_ref (field);

  ts_field_get_min (field, &min);
  ts_field_get_max (field, &max);
  if (max < min)
    max = min;

  adjustment = gtk_adjustment_new (CLAMP (0, min, max), min, max, 1, 10, 0);
  self->spin = gtk_spin_button_new (adjustment, 1, 0);
  self->spin_value = gtk_adjustment_get_value (adjustment);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (self->spin), TRUE);
  gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (self->spin), GTK_UPDATE_IF_VALID);
  gtk_widget_set_valign (self->spin, GTK_ALIGN_CENTER);
  g_signal_connect (self->spin, "input", G_CALLBACK (on_spin_input), self);
  g_signal_connect (self->spin, "output", G_CALLBACK (on_spin_output), self);
  gtk_editable_set_text (GTK_EDITABLE (self->spin), "");
  g_signal_connect_swapped (self->spin, "changed", G_CALLBACK (ts_field_editor_changed), self);

  ts_field_editor_set_child (TS_FIELD_EDITOR (self), self->spin);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  return self;
}
