/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-chart-table"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "ts-a11y.h"
#include "ts-chart-table.h"

/* The table of a chart's numbers.  Each row of the GtkColumnView is a
 * TsChartTableRow (one category of the data); the columns are made from
 * the data each time it is set: the category, one per series, then the
 * table columns.  A cell is a selectable label, so part of it can be
 * selected and copied; Ctrl+C anywhere else in the table copies all of
 * it, as the Copy button does. */

/* ---- a row: one category ---- */

#define TS_TYPE_CHART_TABLE_ROW (ts_chart_table_row_get_type ())
G_DECLARE_FINAL_TYPE (TsChartTableRow, ts_chart_table_row, TS, CHART_TABLE_ROW, GObject)

struct _TsChartTableRow
{
  GObject      parent_instance;
  TsChartData *data;
  guint        category;
};

G_DEFINE_FINAL_TYPE (TsChartTableRow, ts_chart_table_row, G_TYPE_OBJECT)

static void
ts_chart_table_row_finalize (GObject *object)
{
  g_clear_object (&TS_CHART_TABLE_ROW (object)->data);
  G_OBJECT_CLASS (ts_chart_table_row_parent_class)->finalize (object);
}

static void
ts_chart_table_row_class_init (TsChartTableRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_chart_table_row_finalize;
}

static void
ts_chart_table_row_init (TsChartTableRow *self)
{
}

static TsChartTableRow *
ts_chart_table_row_new (TsChartData *data,
                        guint        category)
{
  TsChartTableRow *self = g_object_new (TS_TYPE_CHART_TABLE_ROW, NULL);

  self->data = g_object_ref (data);
  self->category = category;
  return self;
}

/* The text of column @column (0: the category, then the series, then the
 * table columns) of the row. */
static char *
ts_chart_table_row_get_text (TsChartTableRow *self,
                             guint            column)
{
  guint n_series = ts_chart_data_get_n_series (self->data);

  if (column == 0)
    return g_strdup (ts_chart_data_get_category (self->data, self->category));
  if (column <= n_series)
    return ts_chart_data_format_value (self->data, ts_chart_data_get_value (self->data, self->category, column - 1));
  return ts_chart_data_format_count (ts_chart_data_get_table_value (self->data, self->category, column - 1 - n_series));
}

/* ---- the table ---- */

struct _TsChartTable
{
  GtkWidget      parent_instance;

  GtkColumnView *column_view;
  GtkWidget     *copy_button;

  TsChartData   *data;
  GListStore    *rows;   /* (element-type TsChartTableRow) */
};

G_DEFINE_FINAL_TYPE (TsChartTable, ts_chart_table, GTK_TYPE_WIDGET)

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), column == 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  /* Names read from the left, numbers line up on the right. */
  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_widget_add_css_class (label, column == 0 ? "chart-table-category" : "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  TsChartTableRow *row = gtk_list_item_get_item (item);
  g_autofree char *text = ts_chart_table_row_get_text (row, GPOINTER_TO_UINT (user_data));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
  /* A screen reader names the row by its category. */
  if (GPOINTER_TO_UINT (user_data) == 0)
    ts_a11y_set_column_view_row_label (gtk_list_item_get_child (item), text);
}

static void
add_column (TsChartTable *self,
            const char   *title,
            guint         column)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (column == 0)
    gtk_column_view_column_set_expand (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
}

static void
remove_columns (TsChartTable *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
}

static void
update_actions (TsChartTable *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart-table.copy",
                                 self->data != NULL && ts_chart_data_get_n_categories (self->data) > 0);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsChartTable *self = TS_CHART_TABLE (widget);
  g_autofree char *text = NULL;

  if (self->data == NULL)
    return;
  text = ts_chart_data_to_text (self->data);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

/* Ctrl+C: the part of a cell a person selected, when there is one (the
 * label copies it itself), else the whole table. */
static gboolean
copy_shortcut (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  int start, end;

  if (GTK_IS_LABEL (focus) && gtk_label_get_selection_bounds (GTK_LABEL (focus), &start, &end))
    return FALSE;
  if (!gtk_widget_is_sensitive (TS_CHART_TABLE (widget)->copy_button))
    return FALSE;
  return gtk_widget_activate_action (widget, "chart-table.copy", NULL);
}

static void
ts_chart_table_dispose (GObject *object)
{
  TsChartTable *self = TS_CHART_TABLE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_CHART_TABLE);
  /* GTK 4.8 unparents only the bound children: the box and the scrolled
   * window of the template are ours to remove. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->data);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (ts_chart_table_parent_class)->dispose (object);
}

static void
ts_chart_table_class_init (TsChartTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_chart_table_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-chart-table.ui");
  gtk_widget_class_bind_template_child (widget_class, TsChartTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, TsChartTable, copy_button);
  gtk_widget_class_install_action (widget_class, "chart-table.copy", NULL, copy_action);
  gtk_widget_class_set_css_name (widget_class, "charttable");
}

static void
ts_chart_table_init (TsChartTable *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkEventController *shortcuts;
  GtkShortcut *shortcut;

  g_type_ensure (ADW_TYPE_BUTTON_CONTENT);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_list_store_new (TS_TYPE_CHART_TABLE_ROW);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  ts_a11y_name_column_titles (self->column_view);

  /* Before the focused cell's label sees the key (capture phase), so that
   * Ctrl+C copies the table, not an empty selection. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_c, GDK_CONTROL_MASK),
                               gtk_callback_action_new (copy_shortcut, NULL, NULL));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  update_actions (self);
}

GtkWidget *
ts_chart_table_new (void)
{
  return g_object_new (TS_TYPE_CHART_TABLE, NULL);
}

void
ts_chart_table_set_data (TsChartTable *self,
                         TsChartData  *data)
{
  g_autoptr(GPtrArray) rows = NULL;
  guint n_series;

  g_return_if_fail (TS_IS_CHART_TABLE (self));
  g_return_if_fail (data == NULL || TS_IS_CHART_DATA (data));

  if (!g_set_object (&self->data, data))
    return;

  g_list_store_remove_all (self->rows);
  remove_columns (self);
  update_actions (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  data != NULL ? ts_chart_data_get_title (data) : "",
                                  -1);
  if (data == NULL)
    return;

  n_series = ts_chart_data_get_n_series (data);
  add_column (self, ts_chart_data_get_category_title (data), 0);
  for (guint s = 0; s < n_series; s++)
    add_column (self, ts_chart_data_get_series_name (data, s), 1 + s);
  for (guint t = 0; t < ts_chart_data_get_n_table_columns (data); t++)
    add_column (self, ts_chart_data_get_table_column_name (data, t), 1 + n_series + t);

  /* All the rows at once: one change for the view, not one per row. */
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint c = 0; c < ts_chart_data_get_n_categories (data); c++)
    g_ptr_array_add (rows, ts_chart_table_row_new (data, c));
  g_list_store_splice (self->rows, 0, 0, rows->pdata, rows->len);
}

TsChartData *
ts_chart_table_get_data (TsChartTable *self)
{
  g_return_val_if_fail (TS_IS_CHART_TABLE (self), NULL);
  return self->data;
}
