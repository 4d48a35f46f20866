/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "ts-chart-data.h"

G_BEGIN_DECLS

/* The numbers beside a chart: a GtkColumnView (category column, one per
 * series, then the table columns), every cell selectable text, accessible
 * names; Ctrl+C or its "Copy" button copies ts_chart_data_to_text(). */

#define TS_TYPE_CHART_TABLE (ts_chart_table_get_type ())
G_DECLARE_FINAL_TYPE (TsChartTable, ts_chart_table, TS, CHART_TABLE, GtkWidget)

GtkWidget   *ts_chart_table_new      (void);
/* @data: (nullable): NULL empties the table.  Kept (a reference). */
void         ts_chart_table_set_data (TsChartTable *self,
                                      TsChartData  *data);
TsChartData *ts_chart_table_get_data (TsChartTable *self);

G_END_DECLS
