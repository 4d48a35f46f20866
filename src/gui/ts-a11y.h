/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What a screen reader says, where GTK 4.8 and libadwaita 1.2 get it
 * wrong by themselves.  tests/test-a11y.py walks the AT-SPI tree and
 * fails on any control these leave unnamed. */

/* GTK 4.8 gives a button with a mnemonic its raw label as accessible
 * label on top of its label child, so Orca says "_Save Save" (GTK 4.10
 * no longer does).  Names every such button under @root (dialogs' too)
 * by its label child alone, now and whenever its label changes. */
void ts_a11y_fix_mnemonic_buttons (GtkWidget   *root);

/* The buttons inside a composite widget of GTK or libadwaita that give
 * themselves a tooltip but no name (AdwPasswordEntryRow's peek button in
 * libadwaita 1.2) are named by their tooltip. */
void ts_a11y_name_inner_buttons   (GtkWidget   *composite);

/* GTK 4.8 has no gtk_list_item_set_accessible_label() (4.12 does): names
 * the row widget that shows @item, so a row is not read as
 * "GtkListItemWidget".  Call from the factory's bind. */
void ts_a11y_set_row_label        (GtkListItem *item,
                                   const char  *label);

/* The same for a GtkColumnView: names the row that shows @cell (a cell's
 * child, once bound) by @label, e.g. the ticket or the category it shows. */
void ts_a11y_set_column_view_row_label (GtkWidget     *cell,
                                        const char    *label);
/* GTK 4.8 leaves a column view's row of column titles unnamed
 * ("GtkListItemWidget"): names it "Column titles". */
void ts_a11y_name_column_titles   (GtkColumnView *view);

G_END_DECLS
