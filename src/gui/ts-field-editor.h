/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tasksteper-core.h"

G_BEGIN_DECLS

/* What edits one field of the ticket form: a small widget per kind of
 * field (string, text, choice, user, date, integer, boolean, url), as
 * GNOME Calendar's event editor has a section per part of an event.  The
 * form lays the editors out (label, help, error, hint) and keeps the
 * modified state; an editor only holds the value and its widgets:
 *
 * - the value in and out, as JSON (set_value / dup_value);
 * - whether a person may change it (set_editable);
 * - its own check of the value (ts_field_editor_dup_invalid_message: the
 *   schema's rules through ts_field_check_value, required, and what is
 *   special to the kind, e.g. an integer typed as garbage);
 * - the widget that takes the keyboard focus and names the field;
 * - "changed", emitted on every change of its widgets (a person's edit
 *   or set_value: the form tells them apart). */

#define TS_TYPE_FIELD_EDITOR (ts_field_editor_get_type ())
G_DECLARE_INTERFACE (TsFieldEditor, ts_field_editor, TS, FIELD_EDITOR, GtkWidget)

struct _TsFieldEditorInterface
{
  GTypeInterface parent_iface;

  TsField    *(*get_field)        (TsFieldEditor *self);
  /* The value the widgets show now (a new node). */
  JsonNode   *(*dup_value)        (TsFieldEditor *self);
  /* Shows @value (nullable: the empty value). */
  void        (*set_value)        (TsFieldEditor *self,
                                   JsonNode      *value);
  /* Optional: shows a new ticket's @value, forgetting what earlier
   * values added to a list (default: set_value). */
  void        (*reset_value)      (TsFieldEditor *self,
                                   JsonNode      *value);
  void        (*set_editable)     (TsFieldEditor *self,
                                   gboolean       editable);
  GtkWidget  *(*get_focus_widget) (TsFieldEditor *self);
  /* Optional: the widget that shows the "error" style besides the focus
   * widget (default: the focus widget). */
  GtkWidget  *(*get_frame)        (TsFieldEditor *self);
  /* Optional: a check of @value before the schema's, or NULL. */
  char       *(*check_value)      (TsFieldEditor *self,
                                   JsonNode      *value);
  /* Optional: whether the editor shows @label itself (a check button's
   * label); otherwise the form puts the label beside it. */
  gboolean    (*adopt_label)      (TsFieldEditor *self,
                                   GtkWidget     *label);
  /* Optional: the project's members (user fields). */
  void        (*set_members)      (TsFieldEditor *self,
                                   GPtrArray     *members);
  /* Whether the editor takes the row's width, on a line of its own,
   * rather than sitting beside the label. */
  gboolean    wide;
};

/* The editor for @field's type. */
TsFieldEditor *ts_field_editor_new              (TsField       *field);

TsField       *ts_field_editor_get_field        (TsFieldEditor *self);
JsonNode      *ts_field_editor_dup_value        (TsFieldEditor *self);
void           ts_field_editor_set_value        (TsFieldEditor *self,
                                                 JsonNode      *value);
void           ts_field_editor_reset_value      (TsFieldEditor *self,
                                                 JsonNode      *value);
void           ts_field_editor_set_editable     (TsFieldEditor *self,
                                                 gboolean       editable);
GtkWidget     *ts_field_editor_get_focus_widget (TsFieldEditor *self);
GtkWidget     *ts_field_editor_get_frame        (TsFieldEditor *self);
gboolean       ts_field_editor_adopt_label      (TsFieldEditor *self,
                                                 GtkWidget     *label);
void           ts_field_editor_set_members      (TsFieldEditor *self,
                                                 GPtrArray     *members);
gboolean       ts_field_editor_is_wide          (TsFieldEditor *self);
/* What is wrong with the value shown now, a sentence for the person, or
 * NULL when it is valid. */
char          *ts_field_editor_dup_invalid_message (TsFieldEditor *self);
/* Shows the "error" style (and the accessible invalid state) or not. */
void           ts_field_editor_show_invalid     (TsFieldEditor *self,
                                                 gboolean       invalid);

/* For the editors themselves. */
void           ts_field_editor_changed          (TsFieldEditor *self);
JsonNode      *ts_field_editor_new_string_node  (const char    *str);
/* @value as the text a text-like widget shows: a string as it is, a
 * value of another JSON type (a schema changed under old tickets) as its
 * text rather than dropped, nothing as "". */
char          *ts_field_editor_value_to_text    (JsonNode      *value);
/* A GtkEntry with @field's placeholder and width hint. */
GtkWidget     *ts_field_editor_new_entry        (TsField       *field);
/* A child widget in the editor's bin layout. */
void           ts_field_editor_set_child        (TsFieldEditor *self,
                                                 GtkWidget     *child);
/* Unparents the children, from the editor's dispose. */
void           ts_field_editor_dispose_children (TsFieldEditor *self);
/* For the drop-downs (choice, user), whose item at each position stands
 * for the string at that position of @values: the value selected, or ""
 * for none; and selecting @value, which says whether @values holds it. */
const char    *ts_field_editor_dropdown_get_value (GtkWidget   *dropdown,
                                                   GPtrArray   *values);
gboolean       ts_field_editor_dropdown_select    (GtkWidget   *dropdown,
                                                   GPtrArray   *values,
                                                   const char  *value);
/* Names a drop-down's inner button, which takes the focus: GTK 4.8
 * leaves it unnamed ("GtkToggleButton"). */
void           ts_field_editor_name_dropdown    (GtkWidget     *dropdown,
                                                 const char    *name);

G_END_DECLS
