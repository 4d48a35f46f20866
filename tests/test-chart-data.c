/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TsChartData: building a chart's numbers, formatting them as a person
 * reads them (also under LANG=zh_CN.UTF-8: test-chart-data-zh_CN), and
 * the tab-separated text the Copy button puts on the clipboard. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "ts-chart-data.h"
#include "ts-uninstalled.h"

static gboolean in_chinese;

/* What one part of a duration reads in the language of the test run
 * (macros, so that the compiler checks each format against its number). */
#define part(format, n) g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, format), (guint) (n))

static char *
join_parts (char *a,
            char *b)
{
  char *text = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "%s %s"), a, b);

  g_free (a);
  g_free (b);
  return text;
}

#define two_parts(format1, n1, format2, n2) join_parts (part (format1, n1), part (format2, n2))

static void
test_build (void)
{
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_RANGE_BARS, "Time in state", "State",
                                                   TS_CHART_UNIT_SECONDS);

  ts_chart_data_add_series (data, "Median");
  ts_chart_data_add_series (data, "90th percentile");
  ts_chart_data_add_category (data, "新建", (double[]) { 3600, 7200 });
  ts_chart_data_add_category (data, "关闭", (double[]) { NAN, NAN });
  ts_chart_data_add_category (data, NULL, (double[]) { 60, 90 });
  ts_chart_data_add_table_column (data, "Tickets", (double[]) { 10, 4, 1 });
  ts_chart_data_add_table_column (data, "Now in it", (double[]) { 2, 4, 0 });

  g_assert_cmpint (ts_chart_data_get_kind (data), ==, TS_CHART_RANGE_BARS);
  g_assert_cmpint (ts_chart_data_get_unit (data), ==, TS_CHART_UNIT_SECONDS);
  g_assert_cmpstr (ts_chart_data_get_title (data), ==, "Time in state");
  g_assert_cmpstr (ts_chart_data_get_category_title (data), ==, "State");
  g_assert_cmpuint (ts_chart_data_get_n_series (data), ==, 2);
  g_assert_cmpstr (ts_chart_data_get_series_name (data, 1), ==, "90th percentile");
  g_assert_cmpuint (ts_chart_data_get_n_categories (data), ==, 3);
  g_assert_cmpstr (ts_chart_data_get_category (data, 0), ==, "新建");
  /* The empty group has a name a person reads. */
  g_assert_cmpstr (ts_chart_data_get_category (data, 2), ==, g_dgettext (GETTEXT_PACKAGE, "(none)"));
  g_assert_cmpfloat (ts_chart_data_get_value (data, 0, 1), ==, 7200);
  g_assert_true (isnan (ts_chart_data_get_value (data, 1, 0)));
  g_assert_cmpfloat (ts_chart_data_get_value (data, 2, 0), ==, 60);
  g_assert_cmpuint (ts_chart_data_get_n_table_columns (data), ==, 2);
  g_assert_cmpstr (ts_chart_data_get_table_column_name (data, 1), ==, "Now in it");
  g_assert_cmpfloat (ts_chart_data_get_table_value (data, 1, 0), ==, 4);
  g_assert_cmpfloat (ts_chart_data_get_table_value (data, 2, 1), ==, 0);
  g_assert_cmpfloat (ts_chart_data_get_max_value (data), ==, 7200);
  g_assert_false (ts_chart_data_is_empty (data));
  g_assert_finalize_object (g_steal_pointer (&data));
}

static void
test_empty (void)
{
  g_autoptr(TsChartData) none = ts_chart_data_new (TS_CHART_BARS, "Tickets by state", "State", TS_CHART_UNIT_COUNT);
  g_autoptr(TsChartData) zeros = ts_chart_data_new (TS_CHART_LINES, "Created and closed", "Week", TS_CHART_UNIT_COUNT);
  g_autoptr(TsChartData) one = ts_chart_data_new (TS_CHART_BARS, "Tickets by state", "State", TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (none, "Tickets");
  g_assert_true (ts_chart_data_is_empty (none));
  g_assert_cmpfloat (ts_chart_data_get_max_value (none), ==, 0);

  ts_chart_data_add_series (zeros, "Created");
  ts_chart_data_add_series (zeros, "Closed");
  ts_chart_data_add_category (zeros, "2026-11-02", (double[]) { 0, 0 });
  ts_chart_data_add_category (zeros, "2026-11-09", (double[]) { 0, NAN });
  g_assert_true (ts_chart_data_is_empty (zeros));

  ts_chart_data_add_series (one, "Tickets");
  ts_chart_data_add_category (one, "一般", (double[]) { 1 });
  g_assert_false (ts_chart_data_is_empty (one));
}

static void
test_format_count (void)
{
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_BARS, "", "", TS_CHART_UNIT_COUNT);
  const struct { double value; const char *text; } cases[] = {
    { 0, "0" },
    { 12, "12" },
    { 12.4, "12" },
    { 1234567, "1234567" },   /* no grouping: the text pastes into a spreadsheet as a number */
    { NAN, "—" },
    { INFINITY, "—" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ts_chart_data_format_value (data, cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_format_duration (void)
{
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_RANGE_BARS, "", "", TS_CHART_UNIT_SECONDS);
  struct { double seconds; char *text; } cases[] = {
    { 0, part ("%u s", 0) },
    { 40, part ("%u s", 40) },
    { 59.6, part ("%u min", 1) },
    { 60, part ("%u min", 1) },
    { 725, two_parts ("%u min", 12, "%u s", 5) },
    { 3600, part ("%u h", 1) },
    { 5 * 3600 + 12 * 60 + 20, two_parts ("%u h", 5, "%u min", 12) },
    /* 23 h 59 min 50 s rounds to a whole day, never "24 h". */
    { 86390, part ("%u d", 1) },
    { 3 * 86400 + 4 * 3600 + 10 * 60, two_parts ("%u d", 3, "%u h", 4) },
    { 400 * 86400, part ("%u d", 400) },
    { NAN, g_strdup ("—") },
    { -1, g_strdup ("—") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ts_chart_data_format_value (data, cases[i].seconds);

      g_test_message ("%g s: %s", cases[i].seconds, text);
      g_assert_cmpstr (text, ==, cases[i].text);
      /* Whole numbers only. */
      g_assert_null (strchr (text, '.'));
      g_assert_null (strchr (text, ','));
      /* Under zh_CN with the catalogue, no English unit is left over. */
      if (in_chinese && g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, "%u d"), "%u d") != 0)
        for (const char *p = text; *p != '\0'; p++)
          g_assert_false (g_ascii_isalpha (*p));
      g_free (cases[i].text);
    }
}

static void
test_to_text (void)
{
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_RANGE_BARS, "Time in state", "State",
                                                   TS_CHART_UNIT_SECONDS);
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *hour = part ("%u h", 1);
  g_autofree char *two_hours = part ("%u h", 2);
  g_auto(GStrv) lines = NULL;

  ts_chart_data_add_series (data, "Median");
  ts_chart_data_add_series (data, "90th percentile");
  ts_chart_data_add_category (data, "新建", (double[]) { 3600, 7200 });
  ts_chart_data_add_category (data, "a\tb\nc", (double[]) { NAN, NAN });
  ts_chart_data_add_table_column (data, "Tickets", (double[]) { 10, 4 });

  text = ts_chart_data_to_text (data);
  expected = g_strdup_printf ("State\tMedian\t90th percentile\tTickets\n"
                              "新建\t%s\t%s\t10\n"
                              "a b c\t—\t—\t4\n",
                              hour, two_hours);
  g_assert_cmpstr (text, ==, expected);

  /* Every line has as many cells as the header. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], "\t", -1);

      g_assert_cmpuint (g_strv_length (cells), ==, 4);
    }
}

static void
test_to_text_counts (void)
{
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_LINES, "Created and closed", "Week",
                                                   TS_CHART_UNIT_COUNT);
  g_autofree char *text = NULL;

  ts_chart_data_add_series (data, "Created");
  ts_chart_data_add_series (data, "Closed");
  ts_chart_data_add_category (data, "2026-11-02", (double[]) { 3, 0 });
  ts_chart_data_add_category (data, "2026-11-09", (double[]) { 1500, 2 });
  text = ts_chart_data_to_text (data);
  g_assert_cmpstr (text, ==,
                   "Week\tCreated\tClosed\n"
                   "2026-11-02\t3\t0\n"
                   "2026-11-09\t1500\t2\n");
}

int
main (int   argc,
      char *argv[])
{
  ts_init_i18n ();
  g_test_init (&argc, &argv, NULL);
  in_chinese = g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "zh_CN");
  g_test_message ("Locale: %s", setlocale (LC_MESSAGES, NULL));

  g_test_add_func ("/ts/chart-data/build", test_build);
  g_test_add_func ("/ts/chart-data/empty", test_empty);
  g_test_add_func ("/ts/chart-data/format-count", test_format_count);
  g_test_add_func ("/ts/chart-data/format-duration", test_format_duration);
  g_test_add_func ("/ts/chart-data/to-text", test_to_text);
  g_test_add_func ("/ts/chart-data/to-text-counts", test_to_text_counts);
  return g_test_run ();
}
