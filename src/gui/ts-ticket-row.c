/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-row"

#include "config.h"

#include "ts-ticket-row.h"
#include "ts-lazy-tooltip.h"

struct _TsTicketRow
{
  GtkWidget  parent_instance;

  /* Template children */
  GtkLabel  *key_label;
  GtkLabel  *state_label;
  GtkLabel  *assignee_label;
  GtkLabel  *summary_label;
};

G_DEFINE_FINAL_TYPE (TsTicketRow, ts_ticket_row, GTK_TYPE_WIDGET)

static void
ts_ticket_row_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), TS_TYPE_TICKET_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ts_ticket_row_parent_class)->dispose (object);
}

static void
ts_ticket_row_class_init (TsTicketRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_ticket_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-ticket-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TsTicketRow, key_label);
  gtk_widget_class_bind_template_child (widget_class, TsTicketRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, TsTicketRow, assignee_label);
  gtk_widget_class_bind_template_child (widget_class, TsTicketRow, summary_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ticket-row");
}

static void
ts_ticket_row_init (TsTicketRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ts_ticket_row_new (void)
{
  return g_object_new (TS_TYPE_TICKET_ROW, NULL);
}

static char *
summary_text (TsProject *project,
              TsTicket  *ticket)
{
  g_autoptr(JsonNode) value = ts_ticket_dup_value (ticket, ts_project_get_summary_field (project));
  g_autofree char *text = NULL;

  if (value == NULL || json_node_get_value_type (value) != G_TYPE_STRING)
    return g_strdup ("");

  text = g_strdup (json_node_get_string (value));
  return g_strdelimit (g_steal_pointer (&text), "\r\n", ' ');
}

void
ts_ticket_row_set_ticket (TsTicketRow   *self,
                          TsProject     *project,
                          TsTicket      *ticket,
                          TsMemberNames *names)
{
  g_autofree char *summary = NULL;
  const char *assignee = NULL;

  g_return_if_fail (TS_IS_TICKET_ROW (self));

  if (ticket == NULL)
    {
      gtk_label_set_text (self->key_label, "");
      gtk_label_set_text (self->state_label, "");
      gtk_label_set_text (self->assignee_label, "");
      gtk_label_set_text (self->summary_label, "");
      return;
    }

  summary = summary_text (project, ticket);
  assignee = ts_ticket_get_assigned_to (ticket);
  if (names != NULL)
    assignee = ts_member_names_get (names, ts_ticket_get_project (ticket), assignee);

  gtk_label_set_text (self->key_label, ts_ticket_get_key (ticket));
  gtk_label_set_text (self->state_label, ts_ticket_get_state (ticket));
  gtk_label_set_text (self->assignee_label, assignee ? assignee : "");
  ts_lazy_tooltip_set (GTK_WIDGET (self->assignee_label), ts_ticket_get_assigned_to (ticket));
  gtk_label_set_text (self->summary_label, summary);
  ts_lazy_tooltip_set (GTK_WIDGET (self->summary_label), summary);
}
