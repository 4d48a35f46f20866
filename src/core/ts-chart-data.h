/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The numbers behind one chart, GTK-free: what kind of chart it is, its
 * title, the title of its categories (the x axis of bars and lines, the
 * y axis of range bars), one or more named series with a value per
 * category, and extra columns that only the table beside the chart shows.
 *
 * Build it in this order: ts_chart_data_new(), every
 * ts_chart_data_add_series(), every ts_chart_data_add_category() (one value
 * per series), then any ts_chart_data_add_table_column() (one value per
 * category).  A value of NAN means "no value" and reads "—".
 *
 * ts_chart_data_format_value() writes a value as a person reads it in the
 * chart's unit: counts as integers ("12"), durations in compact localised
 * units with at most two parts ("3 d 4 h", "5 h 12 min", "40 s"). */

typedef enum
{
  TS_CHART_BARS,        /* vertical bars, one per category, series 0 */
  TS_CHART_LINES,       /* one line per series over the categories (time) */
  TS_CHART_RANGE_BARS,  /* horizontal bars: series 0 (median) as the bar,
                           series 1 (p90) as a thinner bar/whisker beyond it */
} TsChartKind;

typedef enum
{
  TS_CHART_UNIT_COUNT,
  TS_CHART_UNIT_SECONDS,
} TsChartUnit;

#define TS_TYPE_CHART_DATA (ts_chart_data_get_type ())
G_DECLARE_FINAL_TYPE (TsChartData, ts_chart_data, TS, CHART_DATA, GObject)

TsChartData *ts_chart_data_new              (TsChartKind  kind,
                                             const char  *title,
                                             const char  *category_title,
                                             TsChartUnit  unit);
void         ts_chart_data_add_series       (TsChartData *self,
                                             const char  *name);
/* @values: one per series added so far; NAN = no value (shown as "—").
 * @label: (nullable): NULL reads as "(none)" in the user's language. */
void         ts_chart_data_add_category     (TsChartData  *self,
                                             const char   *label,
                                             const double *values);
/* Extra numeric columns shown only in the table (e.g. "Tickets", "Now in
 * it"), counts; add them after the categories, one value per category. */
void         ts_chart_data_add_table_column (TsChartData  *self,
                                             const char   *name,
                                             const double *values_per_category);

TsChartKind  ts_chart_data_get_kind              (TsChartData *self);
const char  *ts_chart_data_get_title             (TsChartData *self);
const char  *ts_chart_data_get_category_title    (TsChartData *self);
TsChartUnit  ts_chart_data_get_unit              (TsChartData *self);
guint        ts_chart_data_get_n_series          (TsChartData *self);
const char  *ts_chart_data_get_series_name       (TsChartData *self,
                                                  guint        series);
guint        ts_chart_data_get_n_categories      (TsChartData *self);
const char  *ts_chart_data_get_category          (TsChartData *self,
                                                  guint        category);
double       ts_chart_data_get_value             (TsChartData *self,
                                                  guint        category,
                                                  guint        series);
guint        ts_chart_data_get_n_table_columns   (TsChartData *self);
const char  *ts_chart_data_get_table_column_name (TsChartData *self,
                                                  guint        column);
double       ts_chart_data_get_table_value       (TsChartData *self,
                                                  guint        category,
                                                  guint        column);

/* The largest value of any series (NAN ignored), 0 when there is none. */
double       ts_chart_data_get_max_value         (TsChartData *self);
/* TRUE when there is no category or every value is 0 or NAN: the chart
 * then says "No tickets" instead of drawing axes. */
gboolean     ts_chart_data_is_empty              (TsChartData *self);

/* "12", "3 d 4 h" localised, "—" for NAN. */
char        *ts_chart_data_format_value     (TsChartData *self,
                                             double       value);
/* Counts formatted as ts_chart_data_format_value() does for a count. */
char        *ts_chart_data_format_count     (double       value);
/* Seconds formatted as ts_chart_data_format_value() does for a duration. */
char        *ts_chart_data_format_duration  (double       seconds);
/* A tab-separated table, header first, one line per category, for the
 * clipboard: the category, each series, each table column, formatted as
 * ts_chart_data_format_value() does; tabs and newlines inside a label
 * become spaces. */
char        *ts_chart_data_to_text          (TsChartData *self);

G_END_DECLS
