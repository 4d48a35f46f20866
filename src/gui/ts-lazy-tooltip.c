/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "ts-lazy-tooltip.h"

#define TEXT_KEY "ts-lazy-tooltip-text"

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard_mode,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  const char *text = g_object_get_data (G_OBJECT (widget), TEXT_KEY);

  if (text == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

void
ts_lazy_tooltip_set (GtkWidget  *widget,
                     const char *text)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (g_object_get_data (G_OBJECT (widget), "ts-lazy-tooltip") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "ts-lazy-tooltip", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
      gtk_widget_set_has_tooltip (widget, TRUE);
    }

  g_object_set_data_full (G_OBJECT (widget), TEXT_KEY,
                          text != NULL && *text != '\0' ? g_strdup (text) : NULL, g_free);
}
