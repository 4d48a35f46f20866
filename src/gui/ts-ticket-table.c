/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-table"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-ticket-table.h"

/* Model → sort model → selection → GtkColumnView, the sort model bound to
 * the view's sorter, as Sysprof does.  The columns come from the project,
 * so they are built here rather than in a template. */

struct _TsTicketTable
{
  GtkWidget      parent_instance;

  TsTicketList  *list;
  GtkWidget     *scroller;
  GtkColumnView *view;
};

G_DEFINE_FINAL_TYPE (TsTicketTable, ts_ticket_table, GTK_TYPE_WIDGET)

enum {
  TICKET_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The text a cell shows for a field value. */
static char *
value_text (TsProject  *project,
            const char *name,
            JsonNode   *value)
{
  TsField *field = ts_project_lookup_field (project, name);

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup ("");

  if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (value) ? _("Yes") : _("No"));

  if (json_node_get_value_type (value) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

  if (json_node_get_value_type (value) == G_TYPE_STRING)
    {
      /* One line in a table. */
      g_autofree char *text = g_strdup (json_node_get_string (value));

      if (field != NULL && ts_field_get_field_type (field) == TS_FIELD_TEXT)
        g_strdelimit (text, "\r\n", ' ');
      return g_steal_pointer (&text);
    }

  return g_strdup ("");
}

static char *
time_text (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* What a column shows: a system field or a schema field, by name. */
static char *
cell_text (TsTicket   *ticket,
           TsProject  *project,
           const char *name)
{
  g_autoptr(JsonNode) value = NULL;

  if (ticket == NULL)
    return g_strdup ("");

  if (g_str_equal (name, "created_at"))
    return time_text (ts_ticket_get_created_at (ticket));
  if (g_str_equal (name, "updated_at"))
    return time_text (ts_ticket_get_updated_at (ticket));

  value = ts_ticket_dup_value (ticket, name);
  return value_text (project, name, value);
}

typedef struct
{
  TsProject *project;
  char      *name;
} Column;

static void
column_free (gpointer data)
{
  Column *column = data;

  g_clear_object (&column->project);
  g_free (column->name);
  g_free (column);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           Column                   *column)
{
  g_autofree char *text = cell_text (gtk_list_item_get_item (item), column->project, column->name);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, *text ? text : NULL);
}

/* The sort key of a cell, for GtkStringSorter. */
static char *
sort_key (TsTicket *ticket,
          Column   *column)
{
  return cell_text (ticket, column->project, column->name);
}

static void
add_column (TsTicketTable *self,
            const char    *name,
            const char    *title,
            gboolean       expand)
{
  TsProject *project = ts_ticket_list_get_project (self->list);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;
  g_autoptr(GtkSorter) sorter = NULL;
  Column *data = g_new0 (Column, 1);

  data->project = g_object_ref (project);
  data->name = g_strdup (name);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cell), data,
                         (GClosureNotify)(void (*) (void))column_free, 0);

  /* The ID sorts by number, so question_10 comes after question_9. */
  if (g_str_equal (name, "key"))
    sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (TS_TYPE_TICKET, NULL, "number")));
  else
    sorter = GTK_SORTER (gtk_string_sorter_new (gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                                              G_CALLBACK (sort_key),
                                                                              data, NULL)));

  column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_append_column (self->view, column);
}

static void
on_activate (GtkColumnView *view,
             guint          position,
             TsTicketTable *self)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr(TsTicket) ticket = g_list_model_get_item (model, position);

  if (ticket != NULL)
    g_signal_emit (self, signals[TICKET_ACTIVATED], 0, ticket);
}

static void
ts_ticket_table_dispose (GObject *object)
{
  TsTicketTable *self = (TsTicketTable *)object;

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->list);

  G_OBJECT_CLASS (ts_ticket_table_parent_class)->dispose (object);
}

static void
ts_ticket_table_class_init (TsTicketTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_ticket_table_dispose;

  signals[TICKET_ACTIVATED] =
    g_signal_new ("ticket-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TS_TYPE_TICKET);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ticket-table");
}

static void
ts_ticket_table_init (TsTicketTable *self)
{
}

TsTicketTable *
ts_ticket_table_new (TsTicketList *list)
{
  TsTicketTable *self;
  TsProject *project;
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;
  const char * const *columns;

  g_return_val_if_fail (TS_IS_TICKET_LIST (list), NULL);

  self = g_object_new (TS_TYPE_TICKET_TABLE, NULL);
  self->list = g_object_ref (list);
  project = ts_ticket_list_get_project (list);

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tickets"), -1);

  add_column (self, "key", ts_project_get_label_for (project, "key"), FALSE);
  add_column (self, ts_project_get_summary_field (project),
              ts_project_get_label_for (project, ts_project_get_summary_field (project)), TRUE);
  add_column (self, "state", ts_project_get_label_for (project, "state"), FALSE);
  add_column (self, "assigned_to", ts_project_get_label_for (project, "assigned_to"), FALSE);
  add_column (self, "created_by", ts_project_get_label_for (project, "created_by"), FALSE);
  columns = ts_project_get_list_columns (project);
  for (guint i = 0; columns[i]; i++)
    add_column (self, columns[i], ts_project_get_label_for (project, columns[i]), FALSE);
  add_column (self, "updated_at", ts_project_get_label_for (project, "updated_at"), FALSE);

  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (list)),
                                    g_object_ref (gtk_column_view_get_sorter (self->view)));
  selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  g_signal_connect_object (self->view, "activate", G_CALLBACK (on_activate), self, 0);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->view));
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  return self;
}

TsTicketList *
ts_ticket_table_get_list (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return self->list;
}

GtkColumnView *
ts_ticket_table_get_column_view (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return self->view;
}
