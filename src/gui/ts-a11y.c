/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-a11y"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-a11y.h"

static void
name_by_label_child (GtkButton *button)
{
  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
on_label_changed (GtkButton  *button,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  name_by_label_child (button);
}

void
ts_a11y_fix_mnemonic_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root))
    {
      /* GtkButton sets the raw label again on every change of it. */
      if (g_signal_handler_find (root, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_label_changed, NULL) == 0)
        g_signal_connect (root, "notify::label", G_CALLBACK (on_label_changed), NULL);
      name_by_label_child (GTK_BUTTON (root));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ts_a11y_fix_mnemonic_buttons (child);
}

void
ts_a11y_name_inner_buttons (GtkWidget *composite)
{
  g_return_if_fail (GTK_IS_WIDGET (composite));

  for (GtkWidget *child = gtk_widget_get_first_child (composite);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (child);

      if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) == NULL && tooltip != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                        -1);
      ts_a11y_name_inner_buttons (child);
    }
}

void
ts_a11y_set_row_label (GtkListItem *item,
                       const char  *label)
{
  GtkWidget *child, *row;

  g_return_if_fail (GTK_IS_LIST_ITEM (item));

  /* The row widget is the parent of the item's child, once bound. */
  if ((child = gtk_list_item_get_child (item)) == NULL || (row = gtk_widget_get_parent (child)) == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label != NULL ? label : "",
                                  -1);
}

void
ts_a11y_set_column_view_row_label (GtkWidget  *cell,
                                   const char *label)
{
  GtkWidget *row = cell;

  g_return_if_fail (GTK_IS_WIDGET (cell));

  /* The row widget is the list item's: the cell's (or row's) parent. */
  while (row != NULL && g_strcmp0 (gtk_widget_get_css_name (row), "row") != 0)
    row = gtk_widget_get_parent (row);
  if (row == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label != NULL ? label : "",
                                  -1);
}

void
ts_a11y_name_column_titles (GtkColumnView *view)
{
  g_return_if_fail (GTK_IS_COLUMN_VIEW (view));

  /* The row of column titles is the view's own first child. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!GTK_IS_LIST_VIEW (child) && gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (child)) == GTK_ACCESSIBLE_ROLE_ROW)
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Column titles"), -1);
}
