/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-chart-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "ts-chart-data.h"

/* The values are kept in one array per series and one per table column,
 * each with one double per category. */

struct _TsChartData
{
  GObject      parent_instance;

  TsChartKind  kind;
  TsChartUnit  unit;
  char        *title;
  char        *category_title;

  GPtrArray   *series_names;   /* (element-type utf8) */
  GPtrArray   *series_values;  /* (element-type GArray of double) */
  GPtrArray   *categories;     /* (element-type utf8) */
  GPtrArray   *column_names;   /* (element-type utf8) */
  GPtrArray   *column_values;  /* (element-type GArray of double) */
};

G_DEFINE_FINAL_TYPE (TsChartData, ts_chart_data, G_TYPE_OBJECT)

static void
ts_chart_data_finalize (GObject *object)
{
  TsChartData *self = TS_CHART_DATA (object);

  g_free (self->title);
  g_free (self->category_title);
  g_ptr_array_unref (self->series_names);
  g_ptr_array_unref (self->series_values);
  g_ptr_array_unref (self->categories);
  g_ptr_array_unref (self->column_names);
  g_ptr_array_unref (self->column_values);

  G_OBJECT_CLASS (ts_chart_data_parent_class)->finalize (object);
}

static void
ts_chart_data_class_init (TsChartDataClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_chart_data_finalize;
}

static void
ts_chart_data_init (TsChartData *self)
{
  self->series_names = g_ptr_array_new_with_free_func (g_free);
  self->series_values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->categories = g_ptr_array_new_with_free_func (g_free);
  self->column_names = g_ptr_array_new_with_free_func (g_free);
  self->column_values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
}

TsChartData *
ts_chart_data_new (TsChartKind  kind,
                   const char  *title,
                   const char  *category_title,
                   TsChartUnit  unit)
{
  TsChartData *self = g_object_new (TS_TYPE_CHART_DATA, NULL);

  self->kind = kind;
  self->unit = unit;
  self->title = g_strdup (title != NULL ? title : "");
  self->category_title = g_strdup (category_title != NULL ? category_title : "");
  return self;
}

void
ts_chart_data_add_series (TsChartData *self,
                          const char  *name)
{
  g_return_if_fail (TS_IS_CHART_DATA (self));
  g_return_if_fail (name != NULL);
  /* Values come per category, for every series at once. */
  g_return_if_fail (self->categories->len == 0);

  g_ptr_array_add (self->series_names, g_strdup (name));
  g_ptr_array_add (self->series_values, g_array_new (FALSE, FALSE, sizeof (double)));
}

void
ts_chart_data_add_category (TsChartData  *self,
                            const char   *label,
                            const double *values)
{
  g_return_if_fail (TS_IS_CHART_DATA (self));
  g_return_if_fail (values != NULL || self->series_values->len == 0);
  g_return_if_fail (self->column_names->len == 0);

  /* TRANSLATORS: a category without a value (a field left empty) in a
   * chart and its table. */
  g_ptr_array_add (self->categories, g_strdup (label != NULL ? label : _("(none)")));
  for (guint i = 0; i < self->series_values->len; i++)
    g_array_append_val (g_ptr_array_index (self->series_values, i), values[i]);
}

void
ts_chart_data_add_table_column (TsChartData  *self,
                                const char   *name,
                                const double *values_per_category)
{
  GArray *values;

  g_return_if_fail (TS_IS_CHART_DATA (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (values_per_category != NULL || self->categories->len == 0);

  values = g_array_sized_new (FALSE, FALSE, sizeof (double), self->categories->len);
  if (self->categories->len > 0)
    g_array_append_vals (values, values_per_category, self->categories->len);
  g_ptr_array_add (self->column_names, g_strdup (name));
  g_ptr_array_add (self->column_values, values);
}

TsChartKind
ts_chart_data_get_kind (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), TS_CHART_BARS);
  return self->kind;
}

const char *
ts_chart_data_get_title (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);
  return self->title;
}

const char *
ts_chart_data_get_category_title (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);
  return self->category_title;
}

TsChartUnit
ts_chart_data_get_unit (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), TS_CHART_UNIT_COUNT);
  return self->unit;
}

guint
ts_chart_data_get_n_series (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), 0);
  return self->series_names->len;
}

const char *
ts_chart_data_get_series_name (TsChartData *self,
                               guint        series)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);
  g_return_val_if_fail (series < self->series_names->len, NULL);
  return g_ptr_array_index (self->series_names, series);
}

guint
ts_chart_data_get_n_categories (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), 0);
  return self->categories->len;
}

const char *
ts_chart_data_get_category (TsChartData *self,
                            guint        category)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);
  g_return_val_if_fail (category < self->categories->len, NULL);
  return g_ptr_array_index (self->categories, category);
}

double
ts_chart_data_get_value (TsChartData *self,
                         guint        category,
                         guint        series)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NAN);
  g_return_val_if_fail (series < self->series_values->len, NAN);
  g_return_val_if_fail (category < self->categories->len, NAN);
  return g_array_index ((GArray *) g_ptr_array_index (self->series_values, series), double, category);
}

guint
ts_chart_data_get_n_table_columns (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), 0);
  return self->column_names->len;
}

const char *
ts_chart_data_get_table_column_name (TsChartData *self,
                                     guint        column)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);
  g_return_val_if_fail (column < self->column_names->len, NULL);
  return g_ptr_array_index (self->column_names, column);
}

double
ts_chart_data_get_table_value (TsChartData *self,
                               guint        category,
                               guint        column)
{
  GArray *values;

  g_return_val_if_fail (TS_IS_CHART_DATA (self), NAN);
  g_return_val_if_fail (column < self->column_values->len, NAN);
  g_return_val_if_fail (category < self->categories->len, NAN);

  /* A column added before some categories has no value for them. */
  values = g_ptr_array_index (self->column_values, column);
  if (category >= values->len)
    return NAN;
  return g_array_index (values, double, category);
}

double
ts_chart_data_get_max_value (TsChartData *self)
{
  double max = 0;

  g_return_val_if_fail (TS_IS_CHART_DATA (self), 0);

  for (guint s = 0; s < self->series_values->len; s++)
    {
      GArray *values = g_ptr_array_index (self->series_values, s);

      for (guint c = 0; c < values->len; c++)
        {
          double v = g_array_index (values, double, c);

          if (!isnan (v) && v > max)
            max = v;
        }
    }
  return max;
}

gboolean
ts_chart_data_is_empty (TsChartData *self)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), TRUE);
  return self->categories->len == 0 || !(ts_chart_data_get_max_value (self) > 0);
}

char *
ts_chart_data_format_count (double value)
{
  if (isnan (value) || isinf (value))
    return g_strdup ("—");
  return g_strdup_printf ("%.0f", value);
}

/* One part of a duration: a number and its unit, translated as a whole so
 * that a language puts the unit where it belongs. */
static char *
duration_part (guint64 n,
               char    unit)
{
  switch (unit)
    {
    case 'd':
      /* TRANSLATORS: a number of days in a chart, compact ("3 d 4 h"). */
      return g_strdup_printf (_("%u d"), (guint) n);
    case 'h':
      /* TRANSLATORS: a number of hours in a chart, compact ("5 h 12 min"). */
      return g_strdup_printf (_("%u h"), (guint) n);
    case 'm':
      /* TRANSLATORS: a number of minutes in a chart, compact ("12 min 5 s"). */
      return g_strdup_printf (_("%u min"), (guint) n);
    default:
      /* TRANSLATORS: a number of seconds in a chart, compact ("40 s"). */
      return g_strdup_printf (_("%u s"), (guint) n);
    }
}

/* At most two parts, the larger and the next one (left out when 0), the
 * smaller rounded: 93,600 s is "1 d 2 h", 86,399 s is "1 d". */
static char *
duration_parts (guint64 large,
                char    large_unit,
                guint64 small,
                char    small_unit)
{
  g_autofree char *first = duration_part (large, large_unit);
  g_autofree char *second = NULL;

  if (small == 0)
    return g_steal_pointer (&first);
  second = duration_part (small, small_unit);
  /* TRANSLATORS: two parts of a duration ("3 d" and "4 h") side by side. */
  return g_strdup_printf (_("%s %s"), first, second);
}

char *
ts_chart_data_format_duration (double seconds)
{
  guint64 total;

  /* A duration below zero or unknown is no value. */
  if (isnan (seconds) || isinf (seconds) || seconds < 0)
    return g_strdup ("—");

  total = (guint64) llround (seconds);
  if (total < 60)
    return duration_part (total, 's');
  if (total < 3600)
    return duration_parts (total / 60, 'm', total % 60, 's');

  total = (guint64) llround (seconds / 60);   /* minutes */
  if (total < 24 * 60)
    return duration_parts (total / 60, 'h', total % 60, 'm');

  total = (guint64) llround (seconds / 3600); /* hours */
  return duration_parts (total / 24, 'd', total % 24, 'h');
}

char *
ts_chart_data_format_value (TsChartData *self,
                            double       value)
{
  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);

  if (self->unit == TS_CHART_UNIT_SECONDS)
    return ts_chart_data_format_duration (value);
  return ts_chart_data_format_count (value);
}

/* A cell of the text table: one line, no tab. */
static void
append_cell (GString    *text,
             const char *cell,
             gboolean    first)
{
  if (!first)
    g_string_append_c (text, '\t');
  for (const char *p = cell; *p != '\0'; p++)
    g_string_append_c (text, (*p == '\t' || *p == '\n' || *p == '\r') ? ' ' : *p);
}

char *
ts_chart_data_to_text (TsChartData *self)
{
  GString *text;

  g_return_val_if_fail (TS_IS_CHART_DATA (self), NULL);

  text = g_string_new (NULL);
  append_cell (text, self->category_title, TRUE);
  for (guint s = 0; s < self->series_names->len; s++)
    append_cell (text, g_ptr_array_index (self->series_names, s), FALSE);
  for (guint t = 0; t < self->column_names->len; t++)
    append_cell (text, g_ptr_array_index (self->column_names, t), FALSE);
  g_string_append_c (text, '\n');

  for (guint c = 0; c < self->categories->len; c++)
    {
      append_cell (text, g_ptr_array_index (self->categories, c), TRUE);
      for (guint s = 0; s < self->series_names->len; s++)
        {
          g_autofree char *cell = ts_chart_data_format_value (self, ts_chart_data_get_value (self, c, s));

          append_cell (text, cell, FALSE);
        }
      for (guint t = 0; t < self->column_names->len; t++)
        {
          g_autofree char *cell = ts_chart_data_format_count (ts_chart_data_get_table_value (self, c, t));

          append_cell (text, cell, FALSE);
        }
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}
