/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-conflict-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "tasksteper-core.h"
#include "ts-conflict-dialog.h"
#include "ts-timeline.h"

typedef struct
{
  char      *field;
  GtkWidget *mine;     /* GtkCheckButton */
  GtkWidget *theirs;   /* GtkCheckButton in the same group */
} Choice;

struct _TsConflictDialog
{
  AdwMessageDialog parent_instance;

  TsTicket   *current;
  JsonObject *mine;
  GPtrArray  *choices;  /* of Choice */
};

G_DEFINE_FINAL_TYPE (TsConflictDialog, ts_conflict_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
choice_free (gpointer data)
{
  Choice *choice = data;

  g_free (choice->field);
  g_free (choice);
}

static GtkWidget *
wrapping_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* A long text shows its beginning; the form holds the whole of it. */
  gtk_label_set_lines (GTK_LABEL (label), 6);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  return label;
}

static GtkWidget *
choice_button (const char *text,
               const char *accessible_name)
{
  GtkWidget *button = gtk_check_button_new ();

  gtk_check_button_set_child (GTK_CHECK_BUTTON (button), wrapping_label (text));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name, -1);
  return button;
}

static void
add_field (TsConflictDialog *self,
           GtkBox           *box,
           TsTicketForm     *form,
           const char       *field,
           JsonNode         *base,
           JsonNode         *current,
           JsonNode         *mine)
{
  TsProject *project = ts_ticket_form_get_project (form);
  const char *label = ts_project_get_label_for (project, field);
  g_autofree char *base_text = ts_timeline_format_value (form, field, base);
  g_autofree char *current_text = ts_timeline_format_value (form, field, current);
  g_autofree char *mine_text = ts_timeline_format_value (form, field, mine);
  /* Translators: in the conflict dialog, the value the person typed */
  g_autofree char *mine_line = g_strdup_printf (_("Yours: %s"), mine_text);
  /* Translators: in the conflict dialog, the value someone else saved */
  g_autofree char *current_line = g_strdup_printf (_("On the server now: %s"), current_text);
  /* Translators: in the conflict dialog, the value before either change */
  g_autofree char *base_line = g_strdup_printf (_("Before both changes: %s"), base_text);
  /* Translators: the accessible name of a choice in the conflict dialog: "问题级别: yours, 严重问题" */
  g_autofree char *mine_name = g_strdup_printf (_("%s: yours, %s"), label, mine_text);
  /* Translators: the accessible name of a choice in the conflict dialog: "问题级别: on the server, 一般问题" */
  g_autofree char *current_name = g_strdup_printf (_("%s: on the server, %s"), label, current_text);
  GtkWidget *heading = gtk_label_new (label);
  GtkWidget *before = wrapping_label (base_line);
  Choice *choice = g_new0 (Choice, 1);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 6);
  gtk_widget_add_css_class (before, "dim-label");

  choice->field = g_strdup (field);
  choice->mine = choice_button (mine_line, mine_name);
  choice->theirs = choice_button (current_line, current_name);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (choice->theirs), GTK_CHECK_BUTTON (choice->mine));
  /* What was typed wins unless the person says otherwise. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (choice->mine), TRUE);
  g_ptr_array_add (self->choices, choice);

  gtk_box_append (box, heading);
  gtk_box_append (box, choice->mine);
  gtk_box_append (box, choice->theirs);
  gtk_box_append (box, before);
}

static Choice *
find_choice (TsConflictDialog *self,
             const char       *field)
{
  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = g_ptr_array_index (self->choices, i);

      if (g_strcmp0 (choice->field, field) == 0)
        return choice;
    }
  return NULL;
}

static void
ts_conflict_dialog_dispose (GObject *object)
{
  TsConflictDialog *self = (TsConflictDialog *)object;

  g_clear_object (&self->current);
  g_clear_pointer (&self->mine, json_object_unref);
  g_clear_pointer (&self->choices, g_ptr_array_unref);

  G_OBJECT_CLASS (ts_conflict_dialog_parent_class)->dispose (object);
}

static void
ts_conflict_dialog_class_init (TsConflictDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_conflict_dialog_dispose;
}

static void
ts_conflict_dialog_init (TsConflictDialog *self)
{
  self->choices = g_ptr_array_new_with_free_func (choice_free);
}

TsConflictDialog *
ts_conflict_dialog_new (GtkWindow    *parent,
                        TsTicketForm *form,
                        TsTicket     *base,
                        TsTicket     *current,
                        JsonObject   *mine,
                        const char   *summary)
{
  TsConflictDialog *self;
  TsProject *project;
  GtkWidget *box, *scroller;
  g_autofree char *body = NULL;

  g_return_val_if_fail (TS_IS_TICKET_FORM (form), NULL);
  g_return_val_if_fail (TS_IS_TICKET (base), NULL);
  g_return_val_if_fail (TS_IS_TICKET (current), NULL);
  g_return_val_if_fail (mine != NULL, NULL);

  self = g_object_new (TS_TYPE_CONFLICT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", _("Someone Else Changed This Ticket"),
                       NULL);
  self->current = g_object_ref (current);
  self->mine = json_object_ref (mine);
  project = ts_ticket_form_get_project (form);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  for (guint i = 0; i < ts_project_get_n_fields (project); i++)
    {
      const char *field = ts_field_get_name (ts_project_get_field (project, i));
      JsonNode *typed = json_object_get_member (mine, field);
      JsonNode *now = json_object_get_member (ts_ticket_get_fields (current), field);

      /* Only what was typed and is not what the server holds now: the
       * rest either stays as typed or comes from the new version. */
      if (typed == NULL)
        continue;
      if ((now != NULL && json_node_equal (typed, now)) ||
          (ts_value_is_empty (typed) && ts_value_is_empty (now)))
        continue;
      add_field (self, GTK_BOX (box), form, field,
                 json_object_get_member (ts_ticket_get_fields (base), field), now, typed);
    }

  if (self->choices->len > 0)
    body = g_strdup_printf (_("%s Your edits are still in the form. For each field you changed that differs from the "
                              "server, choose your value or the one on the server; the ticket is then saved on top of "
                              "the new version."),
                            summary != NULL ? summary : "");
  else
    body = g_strdup_printf (_("%s Your edits do not differ from the new version. Save them on top of it?"),
                            summary != NULL ? summary : "");
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), g_strstrip (body));

  if (self->choices->len > 0)
    {
      scroller = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 420);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), scroller);
    }
  else
    {
      /* Nothing to choose: no field list. */
      g_object_ref_sink (box);
      g_object_unref (box);
    }

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "keep-all", _("_Keep All Mine"),
                                    NULL);
  if (self->choices->len > 0)
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "apply", _("_Save as Chosen"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self),
                                              self->choices->len > 0 ? "apply" : "keep-all",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), self->choices->len > 0 ? "apply" : "keep-all");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  return self;
}

TsTicket *
ts_conflict_dialog_get_current (TsConflictDialog *self)
{
  g_return_val_if_fail (TS_IS_CONFLICT_DIALOG (self), NULL);
  return self->current;
}

guint
ts_conflict_dialog_get_n_fields (TsConflictDialog *self)
{
  g_return_val_if_fail (TS_IS_CONFLICT_DIALOG (self), 0);
  return self->choices->len;
}

void
ts_conflict_dialog_choose (TsConflictDialog *self,
                           const char       *field,
                           gboolean          mine)
{
  Choice *choice;

  g_return_if_fail (TS_IS_CONFLICT_DIALOG (self));

  choice = find_choice (self, field);
  g_return_if_fail (choice != NULL);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (mine ? choice->mine : choice->theirs), TRUE);
}

JsonObject *
ts_conflict_dialog_dup_values (TsConflictDialog *self,
                               gboolean          keep_all)
{
  JsonObject *values = json_object_new ();
  g_autoptr(GList) names = NULL;

  g_return_val_if_fail (TS_IS_CONFLICT_DIALOG (self), values);

  names = json_object_get_members (self->mine);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      Choice *choice = find_choice (self, l->data);

      /* A field not asked about is the same on both sides, or was typed
       * over a value nobody else changed: kept as typed. */
      if (keep_all || choice == NULL || gtk_check_button_get_active (GTK_CHECK_BUTTON (choice->mine)))
        json_object_set_member (values, l->data, json_node_copy (json_object_get_member (self->mine, l->data)));
    }
  return values;
}

GtkWidget *
ts_conflict_dialog_get_choice (TsConflictDialog *self,
                               const char       *field,
                               gboolean          mine)
{
  Choice *choice;

  g_return_val_if_fail (TS_IS_CONFLICT_DIALOG (self), NULL);

  choice = find_choice (self, field);
  return choice == NULL ? NULL : (mine ? choice->mine : choice->theirs);
}
