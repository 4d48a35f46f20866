/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-chart-data.h"

G_BEGIN_DECLS

/* Draws a TsChartData with GtkSnapshot: axes, ticks, labels with Pango
 * (Chinese renders), colours from the theme (accent / named colours,
 * follows the dark style), an accessible label = the title; tooltip on a
 * bar/point with its category and value; an empty or all-zero data set
 * shows a clear "No tickets" state, never a broken axis. */

#define TS_TYPE_CHART (ts_chart_get_type ())
G_DECLARE_FINAL_TYPE (TsChart, ts_chart, TS, CHART, GtkWidget)

typedef enum
{
  TS_CHART_FORMAT_PNG,
  TS_CHART_FORMAT_SVG,
} TsChartFormat;

GtkWidget   *ts_chart_new      (void);
/* @data: (nullable): NULL shows nothing.  Kept (a reference). */
void         ts_chart_set_data (TsChart       *self,
                                TsChartData   *data);
TsChartData *ts_chart_get_data (TsChart       *self);
void         ts_chart_set_show_title (TsChart *self,
                                      gboolean show_title);

/* The same drawing, at @width × @height (<= 0: the widget's size), written
 * atomically: an existing @file stays as it was on failure, and the error
 * (G_IO_ERROR) names the file and says why. */
gboolean     ts_chart_save     (TsChart       *self,
                                GFile         *file,
                                TsChartFormat  format,
                                int            width,
                                int            height,
                                GError       **error);

G_END_DECLS
