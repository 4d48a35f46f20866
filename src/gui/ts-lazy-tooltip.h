/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A tooltip for a widget that is bound again and again, such as a cell of
 * a long list.  gtk_widget_set_tooltip_text() asks the display where the
 * pointer is every time it is called (GTK 4.8 re-checks the tooltip at
 * once: one X round trip per call), which made binding a page of rows
 * take most of a second; this keeps the text and hands it over only when
 * GTK asks for the tooltip.  @text may be NULL or empty: no tooltip. */
void ts_lazy_tooltip_set (GtkWidget  *widget,
                          const char *text);

G_END_DECLS
