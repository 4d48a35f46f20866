/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-form"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fields/ts-choice-editor.h"
#include "ts-field-editor.h"
#include "ts-ticket-form.h"

/* How the form is laid out: a column of AdwPreferencesGroup boxes, the
 * first with the system fields, then the schema's fields in schema order,
 * consecutive fields with the same `group` under one heading.  Each
 * schema field is one AdwPreferencesRow holding its label, its editor
 * (a TsFieldEditor: on the label's line for the short ones, below it for
 * the wide ones), its help, its error and its hint.
 *
 * The editors hold the values; the form places their messages and keeps
 * the modified state.  "Modified" means "differs from the ticket": each
 * row compares its editor's value (as JSON) with what set_ticket put
 * there, and the form counts the rows that differ.
 *
 * The form also keeps what rows say to each other and what the ticket's
 * state says of them:
 * - a dependent choice (depends_on) follows its parent's value: its list
 *   offers the choices for that value, and a value the parent's value no
 *   longer allows is kept and shown as invalid;
 * - the schema's state_rules for the ticket's state (a new ticket's is
 *   the initial state): a read-only field is not editable and says so
 *   under it, a required one is marked and checked like a required field,
 *   a hidden one's row is not shown (nor its group when all its rows are
 *   hidden).  The server enforces read-only and required too. */

typedef struct _FieldRow FieldRow;

struct _TsTicketForm
{
  GtkWidget      parent_instance;

  TsProject     *project;
  TsTicket      *ticket;
  GPtrArray     *members;     /* of TsMember, as the store gave them */

  GtkWidget     *clamp;
  GtkWidget     *box;
  GtkWidget     *system_values[6];

  GPtrArray     *rows;        /* of FieldRow, schema order */
  GHashTable    *by_name;     /* field name → FieldRow (unowned) */

  char          *scroll_field; /* the field to show on the next frame */
  guint          scroll_tick;

  char          *state;       /* whose state_rules apply */

  guint          updating;    /* > 0 while the form itself sets values */
  guint          n_differing;
  guint          editable : 1;
  guint          modified : 1;
  guint          disposed : 1;
};

struct _FieldRow
{
  TsTicketForm  *form;        /* unowned: it owns us */
  TsField       *field;       /* unowned: the project owns it */
  TsFieldEditor *editor;      /* unowned: a child of row */

  FieldRow      *parent;      /* the row depends_on names, or NULL */
  TsStateRule    rule;        /* state_rules for the form's state */

  GtkWidget     *group;       /* the AdwPreferencesGroup holding row */
  GtkWidget     *row;
  GtkWidget     *label;       /* the visible label */
  GtkWidget     *frozen_label; /* "frozen in this state" */
  GtkWidget     *help_label;
  GtkWidget     *error_label;
  GtkWidget     *hint_box;    /* what a trigger waits for in this field */
  GtkWidget     *hint_label;

  JsonNode      *original;    /* what the ticket holds, as shown */
  guint          differs : 1;
};

G_DEFINE_FINAL_TYPE (TsTicketForm, ts_ticket_form, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_MODIFIED,
  PROP_EDITABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const system_fields[] = {
  "key", "state", "assigned_to", "created_by", "created_at", "updated_at",
};

static void
field_row_free (FieldRow *fr)
{
  g_clear_pointer (&fr->original, json_node_unref);
  g_free (fr);
}

static GtkWidget *
field_row_widget (FieldRow *fr)
{
  return ts_field_editor_get_focus_widget (fr->editor);
}

static gboolean
field_row_is_editable (FieldRow *fr)
{
  return fr->form->editable && !ts_field_get_readonly (fr->field) &&
         fr->rule != TS_STATE_RULE_READONLY;
}

static void
field_row_show_error (FieldRow   *fr,
                      const char *message)
{
  gboolean has_error = message != NULL && *message != '\0';

  gtk_label_set_text (GTK_LABEL (fr->error_label), has_error ? message : "");
  gtk_widget_set_visible (fr->error_label, has_error);
  ts_field_editor_show_invalid (fr->editor, has_error);
}

/* Checks the value as it is now and shows the result; returns whether it
 * is valid. */
static gboolean
field_row_validate (FieldRow *fr)
{
  g_autofree char *message = NULL;

  /* What the person cannot see or change now is not theirs to fix: the
   * server refuses only a change to a field frozen in the state. */
  if (fr->rule == TS_STATE_RULE_HIDDEN || fr->rule == TS_STATE_RULE_READONLY)
    {
      field_row_show_error (fr, NULL);
      return TRUE;
    }

  message = ts_field_editor_dup_invalid_message (fr->editor);
  if (message == NULL && fr->rule == TS_STATE_RULE_REQUIRED &&
      !ts_field_get_readonly (fr->field))
    {
      g_autoptr(JsonNode) value = ts_field_editor_dup_value (fr->editor);

      if (ts_value_is_empty (value))
        message = g_strdup_printf (_("“%s” is required in the state “%s”: fill it in"),
                                   ts_field_get_label (fr->field), fr->form->state);
    }

  field_row_show_error (fr, message);
  return message == NULL;
}

static void
ts_ticket_form_update_modified (TsTicketForm *self)
{
  gboolean modified = self->n_differing > 0;

  if (modified == self->modified)
    return;

  self->modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

/* Whether the editor now differs from the ticket; keeps the count. */
static gboolean
field_row_update_differs (FieldRow *fr)
{
  g_autoptr(JsonNode) value = ts_field_editor_dup_value (fr->editor);
  gboolean differs = fr->original == NULL || !json_node_equal (value, fr->original);

  if (differs != fr->differs)
    {
      fr->differs = differs;
      if (differs)
        fr->form->n_differing++;
      else
        fr->form->n_differing--;
    }
  return differs;
}

/* A screen reader says the help, the state's freeze and the hint with
 * the field: the captions shown under it. */
static void
field_row_update_description (FieldRow *fr)
{
  GtkAccessible *widget = GTK_ACCESSIBLE (field_row_widget (fr));
  GtkWidget *captions[3] = { NULL, };
  guint n = 0;

  if (fr->help_label != NULL)
    captions[n++] = fr->help_label;
  if (gtk_widget_get_visible (fr->frozen_label))
    captions[n++] = fr->frozen_label;
  if (gtk_widget_get_visible (fr->hint_box))
    captions[n++] = fr->hint_label;

  /* Each relation's list ends at its NULL, and the arguments then go on
   * with the next relation: a NULL may come only after the last caption. */
  switch (n)
    {
    case 0:
      gtk_accessible_reset_relation (widget, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
      break;
    case 1:
      gtk_accessible_update_relation (widget, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      captions[0], NULL, -1);
      break;
    case 2:
      gtk_accessible_update_relation (widget, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      captions[0], captions[1], NULL, -1);
      break;
    default:
      gtk_accessible_update_relation (widget, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      captions[0], captions[1], captions[2], NULL, -1);
      break;
    }
}

/* A dependent choice offers what its parent's value allows now. */
static void
field_row_follow_parent (FieldRow *fr)
{
  g_autoptr(JsonNode) value = NULL;

  if (fr->parent == NULL)
    return;

  value = ts_field_editor_dup_value (fr->parent->editor);
  fr->form->updating++;
  ts_choice_editor_set_parent_value (TS_CHOICE_EDITOR (fr->editor),
                                     JSON_NODE_HOLDS_VALUE (value) &&
                                     json_node_get_value_type (value) == G_TYPE_STRING
                                       ? json_node_get_string (value) : NULL);
  fr->form->updating--;
}

/* After @parent's value changed: its dependents follow, and one holding a
 * value says at once whether the new parent value allows it. */
static void
field_row_update_children (FieldRow *parent)
{
  GPtrArray *rows = parent->form->rows;

  for (guint i = 0; i < rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (rows, i);
      g_autoptr(JsonNode) value = NULL;

      if (fr->parent != parent)
        continue;

      field_row_follow_parent (fr);
      value = ts_field_editor_dup_value (fr->editor);
      if (!ts_value_is_empty (value))
        field_row_validate (fr);
    }
}

/* Every change of any editor ends here. */
static void
on_editor_changed (TsFieldEditor *editor,
                   FieldRow      *fr)
{
  TsTicketForm *self = fr->form;

  if (self->disposed || self->updating > 0)
    return;

  /* A person edited the field: its own check replaces any message the
   * server gave for it. */
  field_row_validate (fr);
  field_row_update_children (fr);
  field_row_update_differs (fr);
  ts_ticket_form_update_modified (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
field_row_apply_editable (FieldRow *fr)
{
  ts_field_editor_set_editable (fr->editor, field_row_is_editable (fr));
}

/* ---- building --------------------------------------------------------- */

static GtkWidget *
new_dim_caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  return label;
}

static char *
field_label_text (TsField  *field,
                  gboolean  required)
{
  if (required)
    /* Translators: a required field's label, "概要 *". */
    return g_strdup_printf (_("%s *"), ts_field_get_label (field));
  return g_strdup (ts_field_get_label (field));
}

static FieldRow *
build_field (TsTicketForm *self,
             TsField      *field)
{
  FieldRow *fr = g_new0 (FieldRow, 1);
  g_autofree char *label_text = field_label_text (field, ts_field_get_required (field));
  GtkWidget *vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  const char *help = ts_field_get_help (field);
  GtkWidget *editor, *widget;

  fr->form = self;
  fr->field = field;
  fr->editor = ts_field_editor_new (field);
  editor = GTK_WIDGET (fr->editor);
  widget = field_row_widget (fr);

  fr->label = gtk_label_new (label_text);
  gtk_label_set_xalign (GTK_LABEL (fr->label), 0);
  gtk_label_set_wrap (GTK_LABEL (fr->label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fr->label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (fr->label, TRUE);
  gtk_widget_set_valign (fr->label, GTK_ALIGN_CENTER);

  if (ts_field_editor_adopt_label (fr->editor, fr->label))
    gtk_box_append (GTK_BOX (header), editor);
  else
    {
      gtk_box_append (GTK_BOX (header), fr->label);
      if (!ts_field_editor_is_wide (fr->editor))
        gtk_box_append (GTK_BOX (header), editor);
    }
  gtk_box_append (GTK_BOX (vbox), header);

  if (gtk_widget_get_parent (editor) == NULL)
    {
      /* A width hint starts the widget at the left at that width;
       * without one it takes the row's width. */
      if (ts_field_get_width_chars (field) > 0)
        gtk_widget_set_halign (editor, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (vbox), editor);
    }

  /* Named by the field's label alone: GTK 4.8 joins the label property
   * and the labelled-by relation that gtk_label_set_mnemonic_widget()
   * adds, which reads "概要 概要 *".  "Required" is said through its own
   * property below, not by the "*". */
  gtk_label_set_mnemonic_widget (GTK_LABEL (fr->label), widget);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ts_field_get_label (field),
                                  -1);
  if (ts_field_get_required (field))
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE,
                                    -1);
  if (ts_field_get_readonly (field))
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_READ_ONLY, TRUE,
                                    -1);

  if (help != NULL && *help != '\0')
    {
      fr->help_label = new_dim_caption (help);
      gtk_box_append (GTK_BOX (vbox), fr->help_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, help,
                                      -1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, fr->help_label, NULL,
                                      -1);
    }

  /* Shown while the state freezes the field (state_rules). */
  fr->frozen_label = new_dim_caption (NULL);
  gtk_widget_set_visible (fr->frozen_label, FALSE);
  gtk_box_append (GTK_BOX (vbox), fr->frozen_label);

  fr->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (fr->error_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fr->error_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (fr->error_label), 0);
  gtk_widget_add_css_class (fr->error_label, "field-error");
  gtk_widget_set_visible (fr->error_label, FALSE);
  gtk_box_append (GTK_BOX (vbox), fr->error_label);

  /* What a trigger waits for in this field: a hint, not an error. */
  fr->hint_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (fr->hint_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fr->hint_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (fr->hint_label), 0);
  gtk_widget_set_hexpand (fr->hint_label, TRUE);
  fr->hint_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (fr->hint_box), gtk_image_new_from_icon_name ("dialog-information-symbolic"));
  gtk_box_append (GTK_BOX (fr->hint_box), fr->hint_label);
  gtk_widget_add_css_class (fr->hint_box, "field-hint");
  gtk_widget_add_css_class (fr->hint_box, "accent");
  gtk_widget_add_css_class (fr->hint_box, "caption");
  gtk_widget_set_visible (fr->hint_box, FALSE);
  gtk_box_append (GTK_BOX (vbox), fr->hint_box);

  gtk_widget_set_margin_start (vbox, 12);
  gtk_widget_set_margin_end (vbox, 12);
  gtk_widget_set_margin_top (vbox, 10);
  gtk_widget_set_margin_bottom (vbox, 10);

  fr->row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fr->row), ts_field_get_label (field));
  /* libadwaita 1.2 does not name a plain preferences row by its title. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (fr->row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ts_field_get_label (field),
                                  -1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (fr->row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (fr->row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (fr->row), vbox);
  gtk_widget_add_css_class (fr->row, "ts-field-row");

  fr->original = ts_field_dup_initial_value (field);
  ts_field_editor_set_value (fr->editor, fr->original);
  field_row_apply_editable (fr);
  g_signal_connect (fr->editor, "changed", G_CALLBACK (on_editor_changed), fr);

  return fr;
}

static GtkWidget *
build_system_group (TsTicketForm *self)
{
  GtkWidget *group = adw_preferences_group_new ();

  for (guint i = 0; i < G_N_ELEMENTS (system_fields); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *value = gtk_label_new (_("—"));
      const char *title = ts_project_get_label_for (self->project, system_fields[i]);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

      /* Selectable, so a key or a name can be copied. */
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_set_valign (value, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);

      self->system_values[i] = value;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }

  return group;
}

/* The label and the accessible "required" say the schema's required and
 * the state's. */
static void
field_row_update_label (FieldRow *fr)
{
  gboolean required = ts_field_get_required (fr->field) || fr->rule == TS_STATE_RULE_REQUIRED;
  g_autofree char *text = field_label_text (fr->field, required);
  GtkWidget *widget = field_row_widget (fr);
  gboolean readonly = ts_field_get_readonly (fr->field) || fr->rule == TS_STATE_RULE_READONLY;

  gtk_label_set_text (GTK_LABEL (fr->label), text);
  if (required)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_REQUIRED);
  if (readonly)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_READ_ONLY, TRUE, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_READ_ONLY);
}

/* Applies the schema's state_rules for @state (NULL or "": the initial
 * state, as for a new ticket) to every row. */
static void
ts_ticket_form_apply_state (TsTicketForm *self,
                            const char   *state)
{
  if (state == NULL || *state == '\0')
    state = ts_project_get_initial_state (self->project);

  g_free (self->state);
  self->state = g_strdup (state);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      TsStateRule rule = ts_project_get_state_rule (self->project, state, ts_field_get_name (fr->field));

      if (rule == TS_STATE_RULE_READONLY)
        {
          g_autofree char *frozen =
            g_strdup_printf (_("Frozen in the state “%s”: “%s” can no longer be changed."),
                             state, ts_field_get_label (fr->field));
          gtk_label_set_text (GTK_LABEL (fr->frozen_label), frozen);
        }
      if (gtk_widget_get_visible (fr->frozen_label) != (rule == TS_STATE_RULE_READONLY))
        {
          gtk_widget_set_visible (fr->frozen_label, rule == TS_STATE_RULE_READONLY);
          field_row_update_description (fr);
        }
      gtk_widget_set_visible (fr->row, rule != TS_STATE_RULE_HIDDEN);

      if (rule == fr->rule)
        continue;
      fr->rule = rule;
      field_row_update_label (fr);
      field_row_apply_editable (fr);
    }

  /* A group whose rows are all hidden is not shown either. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      gboolean shown = FALSE;

      for (guint j = 0; j < self->rows->len && !shown; j++)
        {
          FieldRow *other = g_ptr_array_index (self->rows, j);

          shown = other->group == fr->group && other->rule != TS_STATE_RULE_HIDDEN;
        }
      gtk_widget_set_visible (fr->group, shown);
    }
}

static void
ts_ticket_form_build (TsTicketForm *self)
{
  GtkWidget *group = NULL;
  const char *group_name = NULL;

  gtk_box_append (GTK_BOX (self->box), build_system_group (self));

  /* Building sets widgets: none of that is an edit. */
  self->updating++;
  for (guint i = 0; i < ts_project_get_n_fields (self->project); i++)
    {
      TsField *field = ts_project_get_field (self->project, i);
      FieldRow *fr;

      if (group == NULL || g_strcmp0 (group_name, ts_field_get_group (field)) != 0)
        {
          group = adw_preferences_group_new ();
          group_name = ts_field_get_group (field);
          if (group_name != NULL)
            {
              /* The group's title is markup. */
              g_autofree char *escaped = g_markup_escape_text (group_name, -1);
              adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), escaped);
            }
          gtk_box_append (GTK_BOX (self->box), group);
        }

      fr = build_field (self, field);
      fr->group = group;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), fr->row);
      g_ptr_array_add (self->rows, fr);
      g_hash_table_insert (self->by_name, (gpointer)ts_field_get_name (field), fr);
    }

  /* Dependent choices know their parents once every row is there. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      const char *depends_on = ts_field_get_depends_on (fr->field);

      if (depends_on == NULL || !TS_IS_CHOICE_EDITOR (fr->editor) ||
          (fr->parent = g_hash_table_lookup (self->by_name, depends_on)) == NULL)
        continue;
      ts_choice_editor_set_parent (TS_CHOICE_EDITOR (fr->editor), fr->parent->field);
      field_row_follow_parent (fr);
    }
  self->updating--;

  ts_ticket_form_apply_state (self, NULL);
}

/* ---- GObject ---------------------------------------------------------- */

static void
ts_ticket_form_constructed (GObject *object)
{
  TsTicketForm *self = (TsTicketForm *)object;

  G_OBJECT_CLASS (ts_ticket_form_parent_class)->constructed (object);

  g_return_if_fail (TS_IS_PROJECT (self->project));
  ts_ticket_form_build (self);
}

static void
ts_ticket_form_dispose (GObject *object)
{
  TsTicketForm *self = (TsTicketForm *)object;

  /* The widgets go first, and say nothing on the way: the rows stop
   * listening to their editors. */
  self->disposed = TRUE;
  if (self->scroll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
      self->scroll_tick = 0;
    }
  g_clear_pointer (&self->scroll_field, g_free);
  /* The rows go with their widgets: a call after this finds no field. */
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      g_signal_handlers_disconnect_by_data (fr->editor, fr);
    }
  if (self->by_name != NULL)
    g_hash_table_remove_all (self->by_name);
  if (self->rows != NULL)
    g_ptr_array_set_size (self->rows, 0);
  g_clear_pointer (&self->clamp, gtk_widget_unparent);
  self->box = NULL;
  memset (self->system_values, 0, sizeof self->system_values);

  g_clear_object (&self->ticket);

  G_OBJECT_CLASS (ts_ticket_form_parent_class)->dispose (object);
}

static void
ts_ticket_form_finalize (GObject *object)
{
  TsTicketForm *self = (TsTicketForm *)object;

  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->project);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_pointer (&self->state, g_free);

  G_OBJECT_CLASS (ts_ticket_form_parent_class)->finalize (object);
}

static void
ts_ticket_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TsTicketForm *self = TS_TICKET_FORM (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    case PROP_EDITABLE:
      g_value_set_boolean (value, self->editable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_form_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TsTicketForm *self = TS_TICKET_FORM (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;
    case PROP_EDITABLE:
      ts_ticket_form_set_editable (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_form_class_init (TsTicketFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ts_ticket_form_constructed;
  object_class->dispose = ts_ticket_form_dispose;
  object_class->finalize = ts_ticket_form_finalize;
  object_class->get_property = ts_ticket_form_get_property;
  object_class->set_property = ts_ticket_form_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EDITABLE] =
    g_param_spec_boolean ("editable", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TsTicketForm::changed:
   *
   * A value in the form changed: a person edited a field, or
   * ts_ticket_form_apply_values() put values in (not set_ticket).  Emitted
   * after "modified" is updated.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ticketform");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ts_ticket_form_init (TsTicketForm *self)
{
  self->editable = TRUE;
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)field_row_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  /* Like AdwPreferencesPage, without its scrolling: the window scrolls. */
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (self->box, 24);
  gtk_widget_set_margin_bottom (self->box, 24);
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);

  self->clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (self->clamp), 960);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (self->clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (self->clamp), self->box);
  gtk_widget_set_parent (self->clamp, GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------- */

TsTicketForm *
ts_ticket_form_new (TsProject *project)
{
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  return g_object_new (TS_TYPE_TICKET_FORM, "project", project, NULL);
}

TsProject *
ts_ticket_form_get_project (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  return self->project;
}

static void
set_system_value (TsTicketForm *self,
                  guint         i,
                  const char   *value)
{
  gtk_label_set_text (GTK_LABEL (self->system_values[i]),
                      value != NULL && *value != '\0' ? value : _("—"));
}

static void
set_system_time (TsTicketForm *self,
                 guint         i,
                 GDateTime    *time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  if (time != NULL)
    {
      local = g_date_time_to_local (time);
      text = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  set_system_value (self, i, text);
}

/* The assignee and the creator, by their display names once the members
 * are known. */
static void
set_system_people (TsTicketForm *self)
{
  if (self->ticket == NULL)
    return;

  set_system_value (self, 2, ts_ticket_form_get_display_name (self, ts_ticket_get_assigned_to (self->ticket)));
  set_system_value (self, 3, ts_ticket_form_get_display_name (self, ts_ticket_get_created_by (self->ticket)));
}

void
ts_ticket_form_set_ticket (TsTicketForm *self,
                           TsTicket     *ticket)
{
  JsonObject *fields;
  gboolean was_modified;

  g_return_if_fail (TS_IS_TICKET_FORM (self));
  g_return_if_fail (TS_IS_TICKET (ticket));

  g_set_object (&self->ticket, ticket);
  fields = ts_ticket_get_fields (ticket);

  set_system_value (self, 0, ts_ticket_get_key (ticket));
  set_system_value (self, 1, ts_ticket_get_state (ticket));
  set_system_people (self);
  set_system_time (self, 4, ts_ticket_get_created_at (ticket));
  set_system_time (self, 5, ts_ticket_get_updated_at (ticket));

  self->updating++;
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      const char *name = ts_field_get_name (fr->field);
      g_autoptr(JsonNode) value = NULL;

      if (fields != NULL && json_object_has_member (fields, name))
        value = json_node_copy (json_object_get_member (fields, name));
      else
        value = ts_field_dup_initial_value (fr->field);

      /* A user or choice list starts again from the members or choices,
       * with this ticket's value added if it is not among them. */
      ts_field_editor_reset_value (fr->editor, value);
      field_row_show_error (fr, NULL);

      /* What the widget shows is the baseline: a value the widget cannot
       * hold exactly (a number in a text field) is not a change until a
       * person changes it. */
      g_clear_pointer (&fr->original, json_node_unref);
      fr->original = ts_field_editor_dup_value (fr->editor);
      fr->differs = FALSE;
    }
  for (guint i = 0; i < self->rows->len; i++)
    field_row_follow_parent (g_ptr_array_index (self->rows, i));
  self->updating--;

  ts_ticket_form_apply_state (self, ts_ticket_get_state (ticket));

  was_modified = self->modified;
  self->n_differing = 0;
  self->modified = FALSE;
  if (was_modified)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

gboolean
ts_ticket_form_get_modified (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), FALSE);

  return self->modified;
}

JsonObject *
ts_ticket_form_dup_values (TsTicketForm *self)
{
  JsonObject *values;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  values = json_object_new ();
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      json_object_set_member (values, ts_field_get_name (fr->field), ts_field_editor_dup_value (fr->editor));
    }
  return values;
}

JsonObject *
ts_ticket_form_dup_changes (TsTicketForm *self)
{
  JsonObject *changes;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  changes = json_object_new ();
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      g_autoptr(JsonNode) value = ts_field_editor_dup_value (fr->editor);

      if (fr->original == NULL || !json_node_equal (value, fr->original))
        json_object_set_member (changes, ts_field_get_name (fr->field), g_steal_pointer (&value));
    }
  return changes;
}

void
ts_ticket_form_apply_values (TsTicketForm *self,
                             JsonObject   *values)
{
  gboolean changed = FALSE;

  g_return_if_fail (TS_IS_TICKET_FORM (self));
  g_return_if_fail (values != NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      const char *name = ts_field_get_name (fr->field);
      g_autoptr(JsonNode) before = NULL;
      g_autoptr(JsonNode) after = NULL;

      if (!json_object_has_member (values, name))
        continue;

      before = ts_field_editor_dup_value (fr->editor);
      self->updating++;
      ts_field_editor_set_value (fr->editor, json_object_get_member (values, name));
      self->updating--;
      after = ts_field_editor_dup_value (fr->editor);

      if (!json_node_equal (before, after))
        {
          changed = TRUE;
          field_row_validate (fr);
        }
      field_row_update_differs (fr);
    }

  /* Dependent choices follow their parents' new values, and say whether
   * those allow what they hold. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      g_autoptr(JsonNode) value = NULL;

      if (fr->parent == NULL)
        continue;
      field_row_follow_parent (fr);
      value = ts_field_editor_dup_value (fr->editor);
      if (!ts_value_is_empty (value) &&
          (json_object_has_member (values, ts_field_get_name (fr->field)) ||
           json_object_has_member (values, ts_field_get_name (fr->parent->field))))
        field_row_validate (fr);
    }

  ts_ticket_form_update_modified (self);
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
}

void
ts_ticket_form_set_editable (TsTicketForm *self,
                             gboolean      editable)
{
  g_return_if_fail (TS_IS_TICKET_FORM (self));

  editable = !!editable;
  if (self->editable == editable)
    return;

  self->editable = editable;
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    field_row_apply_editable (g_ptr_array_index (self->rows, i));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITABLE]);
}

gboolean
ts_ticket_form_get_editable (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), FALSE);

  return self->editable;
}

void
ts_ticket_form_set_members (TsTicketForm *self,
                            GPtrArray    *members)
{
  g_return_if_fail (TS_IS_TICKET_FORM (self));

  g_clear_pointer (&self->members, g_ptr_array_unref);
  if (members != NULL)
    self->members = g_ptr_array_ref (members);
  set_system_people (self);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      ts_field_editor_set_members (fr->editor, self->members);
    }
}

const char *
ts_ticket_form_get_display_name (TsTicketForm *self,
                                 const char   *login)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  if (login == NULL)
    return NULL;

  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    {
      TsMember *member = g_ptr_array_index (self->members, i);

      if (g_strcmp0 (ts_member_get_login (member), login) == 0)
        return ts_member_get_display_name (member);
    }
  return login;
}

static FieldRow *
lookup_editor (TsTicketForm *self,
               const char   *field)
{
  if (self->by_name == NULL || field == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_name, field);
}

void
ts_ticket_form_set_field_error (TsTicketForm *self,
                                const char   *field,
                                const char   *message,
                                gboolean      focus)
{
  FieldRow *fr;

  g_return_if_fail (TS_IS_TICKET_FORM (self));
  g_return_if_fail (field != NULL);

  if ((fr = lookup_editor (self, field)) == NULL)
    {
      g_debug ("No field “%s” to show “%s” at", field, message ? message : "");
      return;
    }

  field_row_show_error (fr, message);
  if (focus)
    ts_ticket_form_focus_field (self, field);
}

/* Brings @fr's whole row (label, widget, messages) into the scrolled
 * window's view, moving as little as possible. */
static void
field_row_scroll_into_view (FieldRow *fr)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (fr->form), GTK_TYPE_SCROLLED_WINDOW);
  const double margin = 12;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  double page, value, top, bottom;

  if (scrolled == NULL || !gtk_widget_compute_bounds (fr->row, scrolled, &bounds))
    return;

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  page = gtk_adjustment_get_page_size (adjustment);
  value = gtk_adjustment_get_value (adjustment);
  top = bounds.origin.y;
  bottom = top + bounds.size.height;

  if (top < margin || bounds.size.height > page - 2 * margin)
    value += top - margin;
  else if (bottom > page - margin)
    value += bottom - (page - margin);
  else
    return;

  gtk_adjustment_set_value (adjustment, value);
}

/* The row's size is known once the form is laid out again (its error
 * may just have appeared): scroll on the next frame. */
static gboolean
scroll_on_tick (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  TsTicketForm *self = TS_TICKET_FORM (widget);
  FieldRow *fr = lookup_editor (self, self->scroll_field);

  self->scroll_tick = 0;
  if (fr != NULL)
    field_row_scroll_into_view (fr);
  g_clear_pointer (&self->scroll_field, g_free);
  return G_SOURCE_REMOVE;
}

void
ts_ticket_form_focus_field (TsTicketForm *self,
                            const char   *field)
{
  FieldRow *fr;

  g_return_if_fail (TS_IS_TICKET_FORM (self));

  if ((fr = lookup_editor (self, field)) == NULL)
    return;

  gtk_widget_grab_focus (field_row_widget (fr));
  field_row_scroll_into_view (fr);

  g_free (self->scroll_field);
  self->scroll_field = g_strdup (field);
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_on_tick, NULL, NULL);
}

const char *
ts_ticket_form_get_first_invalid_field (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (gtk_widget_get_visible (fr->error_label))
        return ts_field_get_name (fr->field);
    }
  return NULL;
}

void
ts_ticket_form_set_field_hint (TsTicketForm *self,
                               const char   *field,
                               const char   *hint)
{
  FieldRow *fr;
  gboolean has_hint = hint != NULL && *hint != '\0';

  g_return_if_fail (TS_IS_TICKET_FORM (self));

  if ((fr = lookup_editor (self, field)) == NULL)
    return;

  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (fr->hint_label)), has_hint ? hint : "") == 0 &&
      gtk_widget_get_visible (fr->hint_box) == has_hint)
    return;

  gtk_label_set_text (GTK_LABEL (fr->hint_label), has_hint ? hint : "");
  gtk_widget_set_visible (fr->hint_box, has_hint);

  field_row_update_description (fr);
}

const char *
ts_ticket_form_get_field_hint (TsTicketForm *self,
                               const char   *field)
{
  FieldRow *fr;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  if ((fr = lookup_editor (self, field)) == NULL || !gtk_widget_get_visible (fr->hint_box))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (fr->hint_label));
}

const char *
ts_ticket_form_get_field_error (TsTicketForm *self,
                                const char   *field)
{
  FieldRow *fr;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  if ((fr = lookup_editor (self, field)) == NULL || !gtk_widget_get_visible (fr->error_label))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (fr->error_label));
}

gboolean
ts_ticket_form_validate (TsTicketForm *self)
{
  FieldRow *first_invalid = NULL;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), FALSE);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (!field_row_validate (fr) && first_invalid == NULL)
        first_invalid = fr;
    }

  return first_invalid == NULL;
}

GtkWidget *
ts_ticket_form_get_field_widget (TsTicketForm *self,
                                 const char   *field)
{
  FieldRow *fr;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  fr = lookup_editor (self, field);
  return fr != NULL ? field_row_widget (fr) : NULL;
}

GtkWidget *
ts_ticket_form_get_field_label (TsTicketForm *self,
                                const char   *field)
{
  FieldRow *fr;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  fr = lookup_editor (self, field);
  return fr != NULL ? fr->label : NULL;
}
