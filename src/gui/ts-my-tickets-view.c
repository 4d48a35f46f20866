/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-my-tickets-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ts-my-tickets-view.h"

/* GTK 4.8 lists have no sections, so each project is a heading and a
 * table of its own, all as tall as their rows, in one scrolled page. */

struct _TsMyTicketsView
{
  GtkWidget      parent_instance;

  TsMyTickets   *tickets;
  GListModel    *projects;
  TsMemberNames *names;
  char          *shown;        /* "name:revision …" of the sections built */
  GHashTable    *tables;       /* project name → TsTicketTable (borrowed) */

  GtkWidget     *stack;
  GtkWidget     *sections;
};

G_DEFINE_FINAL_TYPE (TsMyTicketsView, ts_my_tickets_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TICKETS,
  PROP_PROJECTS,
  PROP_NAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TICKET_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_page (TsMyTicketsView *self)
{
  gboolean any = ts_my_tickets_get_n_tickets (self->tickets) > 0 || ts_my_tickets_get_loading (self->tickets);

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), any ? "list" : "empty");
}

/* A project's section shows only while it has tickets of mine. */
static void
update_section (GListModel *model,
                guint       position,
                guint       removed,
                guint       added,
                GtkWidget  *section)
{
  gtk_widget_set_visible (section, g_list_model_get_n_items (model) > 0);
}

static void
on_ticket_activated (TsTicketTable   *table,
                     TsTicket        *ticket,
                     TsMyTicketsView *self)
{
  g_signal_emit (self, signals[TICKET_ACTIVATED], 0, ticket);
}

static char *
describe_projects (TsMyTicketsView *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (self->projects); i++)
    {
      g_autoptr(TsProjectSummary) summary = g_list_model_get_item (self->projects, i);

      g_string_append_printf (text, "%s:%d ", ts_project_summary_get_name (summary),
                              ts_project_summary_get_revision (summary));
    }
  return g_string_free (text, FALSE);
}

static void
add_section (TsMyTicketsView  *self,
             TsProjectSummary *summary)
{
  GListModel *model = ts_my_tickets_get_tickets (self->tickets, ts_project_summary_get_name (summary));
  GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *heading = gtk_label_new (ts_project_summary_get_title (summary));
  TsTicketTable *table = ts_ticket_table_new_for_model (model, ts_project_summary_get_project (summary),
                                                        self->names, TRUE);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_widget_set_margin_start (heading, 12);
  gtk_widget_set_margin_end (heading, 12);
  gtk_widget_set_margin_top (heading, 18);
  gtk_widget_set_margin_bottom (heading, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (heading), GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (table), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ts_project_summary_get_title (summary), -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (ts_ticket_table_get_column_view (table)),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading, NULL, -1);

  gtk_box_append (GTK_BOX (section), heading);
  gtk_box_append (GTK_BOX (section), GTK_WIDGET (table));
  gtk_box_append (GTK_BOX (self->sections), section);

  g_signal_connect_object (table, "ticket-activated", G_CALLBACK (on_ticket_activated), self, 0);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (update_section), section, 0);
  update_section (model, 0, 0, 0, section);
  g_hash_table_insert (self->tables, g_strdup (ts_project_summary_get_name (summary)), table);
}

/* The sections follow the projects; a reload that only moved the
 * pending counts keeps them (and what is selected in them). */
static void
on_projects_changed (TsMyTicketsView *self)
{
  g_autofree char *shown = describe_projects (self);
  GtkWidget *child;

  if (g_strcmp0 (shown, self->shown) == 0)
    return;

  g_free (self->shown);
  self->shown = g_steal_pointer (&shown);
  g_hash_table_remove_all (self->tables);
  while ((child = gtk_widget_get_first_child (self->sections)) != NULL)
    gtk_box_remove (GTK_BOX (self->sections), child);

  for (guint i = 0; i < g_list_model_get_n_items (self->projects); i++)
    {
      g_autoptr(TsProjectSummary) summary = g_list_model_get_item (self->projects, i);

      add_section (self, summary);
    }
}

static void
ts_my_tickets_view_constructed (GObject *object)
{
  TsMyTicketsView *self = (TsMyTicketsView *)object;
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *empty = adw_status_page_new ();

  G_OBJECT_CLASS (ts_my_tickets_view_parent_class)->constructed (object);

  self->sections = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_bottom (self->sections, 12);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->sections);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Nothing Is Waiting for You"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("The tickets assigned to you in every project appear here, by project."));

  self->stack = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "list");
  gtk_stack_add_named (GTK_STACK (self->stack), empty, "empty");
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  g_signal_connect_object (self->tickets, "notify::n-tickets", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tickets, "notify::loading", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->projects, "items-changed", G_CALLBACK (on_projects_changed), self, G_CONNECT_SWAPPED);
  on_projects_changed (self);
  update_page (self);
}

static void
ts_my_tickets_view_dispose (GObject *object)
{
  TsMyTicketsView *self = (TsMyTicketsView *)object;

  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->tickets);
  g_clear_object (&self->projects);
  g_clear_object (&self->names);
  g_clear_pointer (&self->tables, g_hash_table_unref);
  g_clear_pointer (&self->shown, g_free);

  G_OBJECT_CLASS (ts_my_tickets_view_parent_class)->dispose (object);
}

static void
ts_my_tickets_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TsMyTicketsView *self = TS_MY_TICKETS_VIEW (object);

  switch (prop_id)
    {
    case PROP_TICKETS:
      self->tickets = g_value_dup_object (value);
      break;

    case PROP_PROJECTS:
      self->projects = g_value_dup_object (value);
      break;

    case PROP_NAMES:
      self->names = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_my_tickets_view_class_init (TsMyTicketsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ts_my_tickets_view_constructed;
  object_class->dispose = ts_my_tickets_view_dispose;
  object_class->set_property = ts_my_tickets_view_set_property;

  properties[PROP_TICKETS] =
    g_param_spec_object ("tickets", NULL, NULL, TS_TYPE_MY_TICKETS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECTS] =
    g_param_spec_object ("projects", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAMES] =
    g_param_spec_object ("names", NULL, NULL, TS_TYPE_MEMBER_NAMES,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TICKET_ACTIVATED] =
    g_signal_new ("ticket-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TS_TYPE_TICKET);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "my-tickets");
}

static void
ts_my_tickets_view_init (TsMyTicketsView *self)
{
  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GtkWidget *
ts_my_tickets_view_new (TsMyTickets   *tickets,
                        GListModel    *projects,
                        TsMemberNames *names)
{
  g_return_val_if_fail (TS_IS_MY_TICKETS (tickets), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (projects), NULL);

  return g_object_new (TS_TYPE_MY_TICKETS_VIEW,
                       "tickets", tickets,
                       "projects", projects,
                       "names", names,
                       NULL);
}

TsTicketTable *
ts_my_tickets_view_get_table (TsMyTicketsView *self,
                              const char      *project)
{
  TsTicketTable *table;

  g_return_val_if_fail (TS_IS_MY_TICKETS_VIEW (self), NULL);

  table = g_hash_table_lookup (self->tables, project);
  if (table == NULL || !gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (table))))
    return NULL;
  return table;
}
