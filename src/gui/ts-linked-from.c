/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-linked-from"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-linked-from.h"

struct _TsLinkedFrom
{
  GtkWidget     parent_instance;

  TsStore      *store;
  TsProject    *project;
  TsTicket     *ticket;
  GCancellable *cancellable;     /* of the read under way */
  GPtrArray    *linked;          /* of TsTicket, as last read */

  GtkWidget    *group;
  GtkListBox   *list;
  GtkLabel     *message;
};

G_DEFINE_FINAL_TYPE (TsLinkedFrom, ts_linked_from, GTK_TYPE_WIDGET)

static void
show_message (TsLinkedFrom *self,
              const char   *message)
{
  gtk_label_set_text (self->message, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), message != NULL);
}

static void
clear_rows (TsLinkedFrom *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->list), FALSE);
}

/* The project of @ticket as its title and definition, if I know it. */
static TsProject *
find_project (TsLinkedFrom *self,
              GPtrArray    *summaries,
              const char   *name,
              const char  **title)
{
  if (g_strcmp0 (name, ts_project_get_name (self->project)) == 0)
    {
      *title = ts_project_get_title (self->project);
      return self->project;
    }

  for (guint i = 0; summaries != NULL && i < summaries->len; i++)
    {
      TsProjectSummary *summary = g_ptr_array_index (summaries, i);

      if (g_strcmp0 (ts_project_summary_get_name (summary), name) == 0)
        {
          *title = ts_project_summary_get_title (summary);
          return ts_project_summary_get_project (summary);
        }
    }

  *title = name;
  return NULL;
}

static GtkWidget *
new_row (TsLinkedFrom *self,
         TsTicket     *ticket,
         GPtrArray    *summaries)
{
  const char *title = NULL;
  TsProject *project = find_project (self, summaries, ts_ticket_get_project (ticket), &title);
  const char *summary = "";
  g_autofree char *where = NULL;
  g_autofree char *name = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *suffix;

  if (project != NULL)
    summary = json_object_get_string_member_with_default (ts_ticket_get_fields (ticket),
                                                          ts_project_get_summary_field (project), "");
  /* Translators: beside a Linked From row: the ticket's project title and its state, "网上问题处理 · 待审核" */
  where = g_strdup_printf (_("%s · %s"), title, ts_ticket_get_state (ticket));
  /* Translators: what a screen reader says for a Linked From row: key, summary, project, state */
  name = g_strdup_printf (_("%s, %s, %s, %s"), ts_ticket_get_key (ticket), summary, title,
                          ts_ticket_get_state (ticket));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ts_ticket_get_key (ticket));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), summary);
  suffix = gtk_label_new (where);
  gtk_label_set_ellipsize (GTK_LABEL (suffix), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (suffix, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Double-click or press Enter to open this ticket"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Double-click or press Enter to open this ticket"),
                                  -1);
  g_object_set_data_full (G_OBJECT (row), "ts-ticket", g_object_ref (ticket), g_object_unref);
  return row;
}

static void
show_linked (TsLinkedFrom *self,
             GPtrArray    *summaries)
{
  clear_rows (self);
  show_message (self, NULL);
  for (guint i = 0; i < self->linked->len; i++)
    gtk_list_box_append (self->list, new_row (self, g_ptr_array_index (self->linked, i), summaries));
  gtk_widget_set_visible (GTK_WIDGET (self->list), self->linked->len > 0);
  /* Nothing links here: nothing to say. */
  gtk_widget_set_visible (GTK_WIDGET (self), self->linked->len > 0);
}

static void
show_error (TsLinkedFrom *self,
            const GError *error)
{
  clear_rows (self);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    show_message (self, _("Offline: the tickets that link here are shown once the connection to the server is back."));
  else
    {
      /* Translators: under Linked From; %s says why, in a sentence of its own */
      g_autofree char *message = g_strdup_printf (_("The tickets that link here could not be read. %s Reload the ticket to try again."),
                                                  error->message);

      show_message (self, message);
    }
}

static void
on_projects (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TsLinkedFrom) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) summaries = ts_store_list_projects_finish (TS_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Without the other projects' titles the rows name them by name. */
  show_linked (self, summaries);
}

static void
on_linked (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TsLinkedFrom) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) linked = ts_store_linked_from_finish (TS_STORE (object), result, &error);
  gboolean elsewhere = FALSE;

  if (linked == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  g_clear_pointer (&self->linked, g_ptr_array_unref);
  self->linked = g_steal_pointer (&linked);
  for (guint i = 0; i < self->linked->len; i++)
    if (g_strcmp0 (ts_ticket_get_project (g_ptr_array_index (self->linked, i)),
                   ts_project_get_name (self->project)) != 0)
      elsewhere = TRUE;

  /* Tickets of other projects: their titles and summary fields first. */
  if (elsewhere)
    ts_store_list_projects_async (self->store, self->cancellable, on_projects, g_object_ref (self));
  else
    show_linked (self, NULL);
}

static void
reload (TsLinkedFrom *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->ticket == NULL)
    {
      clear_rows (self);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  if (!ts_store_get_online (self->store))
    {
      g_autoptr(GError) offline = g_error_new_literal (TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE, "");

      show_error (self, offline);
      return;
    }

  /* The rows shown stay until the answer replaces them. */
  self->cancellable = g_cancellable_new ();
  ts_store_linked_from_async (self->store, ts_ticket_get_id (self->ticket), self->cancellable,
                              on_linked, g_object_ref (self));
}

static void
on_online_changed (TsLinkedFrom *self)
{
  reload (self);
}

static void
on_row_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  TsLinkedFrom  *self)
{
  TsTicket *ticket = g_object_get_data (G_OBJECT (row), "ts-ticket");
  g_autofree char *target = NULL;

  if (ticket == NULL)
    return;

  /* As a url field's link: the application installs app.open-ticket;
   * without it (a window on its own) nothing opens. */
  target = g_strdup_printf ("%s/%d", ts_ticket_get_project (ticket), ts_ticket_get_number (ticket));
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-ticket", "s", target);
}

static void
ts_linked_from_dispose (GObject *object)
{
  TsLinkedFrom *self = (TsLinkedFrom *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->group, gtk_widget_unparent);
  g_clear_pointer (&self->linked, g_ptr_array_unref);
  g_clear_object (&self->ticket);
  g_clear_object (&self->project);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_linked_from_parent_class)->dispose (object);
}

static void
ts_linked_from_class_init (TsLinkedFromClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_linked_from_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ts_linked_from_init (TsLinkedFrom *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  self->group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Linked From"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group),
                                         _("Tickets whose links point at this one"));
  gtk_widget_set_parent (self->group, GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  /* Double-click or Enter opens, as in the ticket lists. */
  gtk_list_box_set_activate_on_single_click (self->list, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tickets that link here"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->list), FALSE);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated), self, 0);

  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_xalign (self->message, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->message), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->message));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), box);
}

GtkWidget *
ts_linked_from_new (TsStore   *store,
                    TsProject *project)
{
  TsLinkedFrom *self;

  g_return_val_if_fail (TS_IS_STORE (store), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  self = g_object_new (TS_TYPE_LINKED_FROM, NULL);
  self->store = g_object_ref (store);
  self->project = g_object_ref (project);
  g_signal_connect_object (store, "notify::online", G_CALLBACK (on_online_changed), self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}

void
ts_linked_from_set_ticket (TsLinkedFrom *self,
                           TsTicket     *ticket)
{
  g_return_if_fail (TS_IS_LINKED_FROM (self));
  g_return_if_fail (ticket == NULL || TS_IS_TICKET (ticket));

  g_set_object (&self->ticket, ticket);
  reload (self);
}

GtkListBox *
ts_linked_from_get_list (TsLinkedFrom *self)
{
  g_return_val_if_fail (TS_IS_LINKED_FROM (self), NULL);
  return self->list;
}

const char *
ts_linked_from_get_message (TsLinkedFrom *self)
{
  g_return_val_if_fail (TS_IS_LINKED_FROM (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->message)) ? gtk_label_get_text (self->message) : NULL;
}
