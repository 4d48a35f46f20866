/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ts-chart.h"
#include "ts-chart-private.h"
#include "ts-chart-table.h"
#include "ts-gui-test-util.h"

/* The chart and its table under Xvfb: each kind of chart drawn in a window
 * in the light and the dark style, with Chinese and long category labels,
 * an all-zero set and a single category (screenshots chart-*.png); saved
 * as PNG and SVG at the size asked for, and a clear error for a folder
 * that does not exist; the table shows the numbers and Ctrl+C or Copy put
 * the tab-separated text on the clipboard.  test-chart-zh_CN runs it all
 * under LANG=zh_CN.UTF-8. */

static char *tmp_dir;
static const char *screenshot_prefix = "chart";

/* ---- the data sets ---- */

static TsChartData *
severity_bars (void)
{
  TsChartData *data = ts_chart_data_new (TS_CHART_BARS, "工单数：问题级别", "问题级别", TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (data, "工单");
  ts_chart_data_add_category (data, "一般", (double[]) { 12 });
  ts_chart_data_add_category (data, "严重", (double[]) { 5 });
  ts_chart_data_add_category (data, "致命", (double[]) { 1 });
  ts_chart_data_add_category (data, "提示", (double[]) { 0 });
  ts_chart_data_add_category (data, NULL, (double[]) { 3 });
  return data;
}

static TsChartData *
long_label_bars (void)
{
  TsChartData *data = ts_chart_data_new (TS_CHART_BARS, "Tickets by component", "Component", TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (data, "Tickets");
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *label = i % 2 == 0
        ? g_strdup_printf ("A rather long component name, number %u", i)
        : g_strdup_printf ("非常长的组件名称用于测试标签的显示效果第%u号", i);

      ts_chart_data_add_category (data, label, (double[]) { (i * 37) % 23 + 1 });
    }
  return data;
}

static TsChartData *
weekly_lines (guint n_weeks)
{
  TsChartData *data = ts_chart_data_new (TS_CHART_LINES, "Created and closed per week", "Week", TS_CHART_UNIT_COUNT);
  g_autoptr(GDate) date = g_date_new_dmy (5, G_DATE_JANUARY, 2026);

  ts_chart_data_add_series (data, "Created");
  ts_chart_data_add_series (data, "Closed");
  for (guint i = 0; i < n_weeks; i++)
    {
      char label[16];

      g_date_strftime (label, sizeof label, "%Y-%m-%d", date);
      ts_chart_data_add_category (data, label, (double[]) { 10 + 8 * sin (i / 3.0) + i % 4,
                                                            i == 7 ? NAN : 9 + 6 * cos (i / 4.0) });
      g_date_add_days (date, 7);
    }
  return data;
}

static TsChartData *
state_range_bars (void)
{
  TsChartData *data = ts_chart_data_new (TS_CHART_RANGE_BARS, "Time in state", "State", TS_CHART_UNIT_SECONDS);

  ts_chart_data_add_series (data, "Median");
  ts_chart_data_add_series (data, "90th percentile");
  ts_chart_data_add_category (data, "新建", (double[]) { 3 * 3600, 26 * 3600 });
  ts_chart_data_add_category (data, "处理中", (double[]) { 2 * 86400 + 5 * 3600, 6 * 86400 });
  ts_chart_data_add_category (data, "待验证（等待提出人确认修复结果）", (double[]) { 40 * 60, 5 * 3600 });
  ts_chart_data_add_category (data, "已关闭", (double[]) { NAN, NAN });
  ts_chart_data_add_table_column (data, "Tickets", (double[]) { 40, 31, 28, 25 });
  ts_chart_data_add_table_column (data, "Now in it", (double[]) { 3, 6, 2, 25 });
  return data;
}

static TsChartData *
zero_bars (void)
{
  TsChartData *data = ts_chart_data_new (TS_CHART_BARS, "工单数：状态", "状态", TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (data, "工单");
  ts_chart_data_add_category (data, "新建", (double[]) { 0 });
  ts_chart_data_add_category (data, "已关闭", (double[]) { 0 });
  return data;
}

static TsChartData *
one_bar (void)
{
  TsChartData *data = ts_chart_data_new (TS_CHART_BARS, "Tickets by severity", "Severity", TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (data, "Tickets");
  ts_chart_data_add_category (data, "一般", (double[]) { 1 });
  return data;
}

/* ---- helpers ---- */

static GtkWidget *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  TS_WAIT_FOR (gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0);
  ts_test_iterate (100);
  return window;
}

static void
set_dark (gboolean dark)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  TS_WAIT_FOR (adw_style_manager_get_dark (manager) == dark);
  ts_test_iterate (100);
}

/* How many different colours the PNG at @path has, checking it is
 * @width × @height. */
static guint
count_colours (const char *path,
               int         width,
               int         height)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_file (file, &error);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  g_autofree guint32 *pixels = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
  pixels = g_new (guint32, (gsize) width * height);
  gdk_texture_download (texture, (guchar *) pixels, width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    g_hash_table_add (colours, GUINT_TO_POINTER (pixels[i]));
  return g_hash_table_size (colours);
}

/* Draws @data in a window of @width × @height, light then dark, saving
 * screenshots; and saves it as PNG, which must not be one flat colour. */
static void
check_chart (TsChartData *data,
             const char  *name,
             int          width,
             int          height)
{
  GtkWidget *chart = ts_chart_new ();
  GtkWidget *window;
  g_autoptr(GError) error = NULL;

  ts_chart_set_data (TS_CHART (chart), data);
  g_assert_true (ts_chart_get_data (TS_CHART (chart)) == data);
  window = show_in_window (chart, width, height);

  for (guint dark = 0; dark <= 1; dark++)
    {
      g_autofree char *shot = g_strdup_printf ("%s-%s-%s.png", screenshot_prefix, name, dark ? "dark" : "light");
      g_autofree char *path = g_build_filename (tmp_dir, shot, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      set_dark (dark);
      ts_test_save_screenshot (window, shot, NULL);
      /* The saved file at the widget's size (0 × 0 asks for that). */
      g_assert_true (ts_chart_save (TS_CHART (chart), file, TS_CHART_FORMAT_PNG, 0, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count_colours (path, gtk_widget_get_width (chart), gtk_widget_get_height (chart)), >, 8);
    }
  set_dark (FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the tests ---- */

static void
test_bars_chinese (void)
{
  g_autoptr(TsChartData) data = severity_bars ();

  check_chart (data, "bars-chinese", 640, 400);
}

/* "category\nseries: value", with the catalogue's colon. */
static void
assert_tooltip (const char *text,
                const char *category,
                const char *series,
                const char *value)
{
  g_autofree char *line = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "%s: %s"), series, value);
  g_autofree char *expected = g_strconcat (category, "\n", line, NULL);

  g_assert_cmpstr (text, ==, expected);
}

/* Across the middle of the chart, from left to right, the tooltips name
 * each category in turn with its value; outside the plot there is none. */
static void
test_tooltips (void)
{
  g_autoptr(TsChartData) data = severity_bars ();
  g_autoptr(TsChartData) lines = weekly_lines (4);
  GtkWidget *chart = ts_chart_new ();
  GtkWidget *window;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *none = NULL;
  g_autofree char *line = NULL;
  int width, height;

  ts_chart_set_data (TS_CHART (chart), data);
  window = show_in_window (chart, 640, 400);
  ts_test_iterate (200);
  width = gtk_widget_get_width (chart);
  height = gtk_widget_get_height (chart);

  for (int x = 0; x < width; x++)
    {
      g_autofree char *text = _ts_chart_get_tooltip_text_at (TS_CHART (chart), x, height / 2);

      if (text != NULL && (seen->len == 0 || g_strcmp0 (g_ptr_array_index (seen, seen->len - 1), text) != 0))
        g_ptr_array_add (seen, g_steal_pointer (&text));
    }
  g_assert_cmpuint (seen->len, ==, 5);
  assert_tooltip (g_ptr_array_index (seen, 0), "一般", "工单", "12");
  assert_tooltip (g_ptr_array_index (seen, 1), "严重", "工单", "5");
  assert_tooltip (g_ptr_array_index (seen, 3), "提示", "工单", "0");
  /* The title is no bar. */
  none = _ts_chart_get_tooltip_text_at (TS_CHART (chart), width / 2, 4);
  g_assert_null (none);

  /* Lines: every series of the week under the pointer. */
  ts_chart_set_data (TS_CHART (chart), lines);
  ts_test_iterate (200);
  line = _ts_chart_get_tooltip_text_at (TS_CHART (chart), width - 20, height / 2);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "2026-01-26\nCreated"));
  g_assert_nonnull (strstr (line, "\nClosed"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bars_long_labels (void)
{
  g_autoptr(TsChartData) data = long_label_bars ();

  check_chart (data, "bars-long", 640, 420);
  /* Narrow: turned and thinned out, never on top of each other. */
  check_chart (data, "bars-long-narrow", 360, 320);
}

static void
test_lines (void)
{
  g_autoptr(TsChartData) data = weekly_lines (52);
  g_autoptr(TsChartData) few = weekly_lines (4);

  check_chart (data, "lines", 720, 380);
  check_chart (few, "lines-few", 480, 320);
}

/* 1000 days, the most created_closed gives: dates thinned out, no marker
 * run together, and drawn in well under a frame's budget of a second. */
static void
test_lines_many (void)
{
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_LINES, "Created and closed per day", "Day", TS_CHART_UNIT_COUNT);
  g_autoptr(GDate) date = g_date_new_dmy (1, G_DATE_JANUARY, 2024);
  g_autofree char *path = g_build_filename (tmp_dir, "many.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkWidget *chart = ts_chart_new ();
  GtkWidget *window;
  gint64 start;

  ts_chart_data_add_series (data, "Created");
  ts_chart_data_add_series (data, "Closed");
  for (guint i = 0; i < 1000; i++)
    {
      char label[16];

      g_date_strftime (label, sizeof label, "%Y-%m-%d", date);
      ts_chart_data_add_category (data, label, (double[]) { (i * 7) % 13, (i * 5) % 11 });
      g_date_add_days (date, 1);
    }
  check_chart (data, "lines-1000-days", 800, 360);

  ts_chart_set_data (TS_CHART (chart), data);
  window = show_in_window (chart, 800, 360);
  start = g_get_monotonic_time ();
  g_assert_true (ts_chart_save (TS_CHART (chart), file, TS_CHART_FORMAT_PNG, 800, 360, &error));
  g_assert_no_error (error);
  g_test_message ("1000 days drawn and saved as PNG in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_range_bars (void)
{
  g_autoptr(TsChartData) data = state_range_bars ();

  check_chart (data, "range-bars", 640, 360);
}

static void
test_zero_and_one (void)
{
  g_autoptr(TsChartData) zeros = zero_bars ();
  g_autoptr(TsChartData) one = one_bar ();
  g_autoptr(TsChartData) none = ts_chart_data_new (TS_CHART_LINES, "Created and closed", "Day", TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (none, "Created");
  check_chart (zeros, "all-zero", 480, 300);
  check_chart (one, "one-category", 480, 300);
  check_chart (none, "no-category", 480, 300);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

/* A file at the size asked for, whatever the widget's; a missing folder
 * is an error naming the file, and nothing is left behind. */
static void
test_save (void)
{
  g_autoptr(TsChartData) data = state_range_bars ();
  GtkWidget *chart = ts_chart_new ();
  GtkWidget *window;
  g_autoptr(GError) error = NULL;
  g_autofree char *png_path = g_build_filename (tmp_dir, "saved.png", NULL);
  g_autofree char *svg_path = g_build_filename (tmp_dir, "saved.svg", NULL);
  g_autofree char *missing_path = g_build_filename (tmp_dir, "no-such-folder", "chart.png", NULL);
  g_autoptr(GFile) png = g_file_new_for_path (png_path);
  g_autoptr(GFile) svg = g_file_new_for_path (svg_path);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autofree char *svg_text = NULL;

  ts_chart_set_data (TS_CHART (chart), data);
  window = show_in_window (chart, 400, 300);

  g_assert_true (ts_chart_save (TS_CHART (chart), png, TS_CHART_FORMAT_PNG, 1000, 600, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_colours (png_path, 1000, 600), >, 8);

  g_assert_true (ts_chart_save (TS_CHART (chart), svg, TS_CHART_FORMAT_SVG, 800, 500, &error));
  g_assert_no_error (error);
  svg_text = read_file (svg_path);
  g_assert_true (g_str_has_prefix (svg_text, "<?xml") || g_str_has_prefix (svg_text, "<svg"));
  g_assert_nonnull (strstr (svg_text, "<svg"));
  g_assert_nonnull (strstr (svg_text, "width=\"800"));
  g_assert_nonnull (strstr (svg_text, "height=\"500"));
  /* Text is drawn (as glyph outlines), not only rectangles. */
  g_assert_nonnull (strstr (svg_text, "glyph"));

  /* Saving again replaces the file whole. */
  g_assert_true (ts_chart_save (TS_CHART (chart), png, TS_CHART_FORMAT_PNG, 300, 200, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_colours (png_path, 300, 200), >, 8);

  g_assert_false (ts_chart_save (TS_CHART (chart), missing, TS_CHART_FORMAT_PNG, 300, 200, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, missing_path));
  g_assert_false (g_file_test (missing_path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_text_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(char **) user_data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_text_read, &text);
  TS_WAIT_FOR (text != NULL);
  return text;
}

/* The first widget under @ancestor that activates @action_name. */
static GtkWidget *
find_actionable (GtkWidget  *ancestor,
                 const char *action_name)
{
  if (GTK_IS_ACTIONABLE (ancestor) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (ancestor)), action_name) == 0)
    return ancestor;
  for (GtkWidget *child = gtk_widget_get_first_child (ancestor); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The table shows every number; a click into it and Ctrl+C, or Copy, put
 * the tab-separated text on the clipboard. */
static void
test_table (void)
{
  g_autoptr(TsChartData) data = state_range_bars ();
  g_autofree char *expected = ts_chart_data_to_text (data);
  g_autofree char *median = ts_chart_data_format_value (data, 2 * 86400 + 5 * 3600);
  g_autofree char *copied = NULL;
  g_autofree char *copied_again = NULL;
  GtkWidget *table = ts_chart_table_new ();
  GtkWidget *window;
  GtkWidget *cell;
  GtkWidget *copy;

  ts_chart_table_set_data (TS_CHART_TABLE (table), data);
  g_assert_true (ts_chart_table_get_data (TS_CHART_TABLE (table)) == data);
  window = show_in_window (table, 640, 360);

  /* Headers and cells, the durations as the chart writes them. */
  TS_WAIT_FOR (ts_test_find_label (table, "处理中") != NULL);
  g_assert_nonnull (ts_test_find_label (table, "State"));
  g_assert_nonnull (ts_test_find_label (table, "90th percentile"));
  g_assert_nonnull (ts_test_find_label (table, "Now in it"));
  g_assert_nonnull (ts_test_find_label (table, median));
  g_assert_nonnull (ts_test_find_label (table, "31"));
  g_assert_nonnull (ts_test_find_label (table, "—"));
  {
    g_autofree char *shot = g_strdup_printf ("%s-table.png", screenshot_prefix);

    ts_test_save_screenshot (window, shot, NULL);
  }

  gdk_clipboard_set_text (gtk_widget_get_clipboard (window), "nothing yet");
  cell = ts_test_find_label (table, "31");
  ts_test_click (cell);
  ts_test_key (window, GDK_KEY_c, GDK_CONTROL_MASK);
  copied = read_clipboard (window);
  g_assert_cmpstr (copied, ==, expected);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (window), "nothing yet");
  copy = find_actionable (table, "chart-table.copy");
  g_assert_nonnull (copy);
  ts_test_click (copy);
  copied_again = read_clipboard (window);
  g_assert_cmpstr (copied_again, ==, expected);

  /* New data: new columns and rows, nothing of the old. */
  {
    g_autoptr(TsChartData) bars = severity_bars ();

    ts_chart_table_set_data (TS_CHART_TABLE (table), bars);
    TS_WAIT_FOR (ts_test_find_label (table, "致命") != NULL);
    g_assert_nonnull (ts_test_find_label (table, "问题级别"));
    g_assert_null (ts_test_find_label (table, "处理中"));
    g_assert_null (ts_test_find_label (table, "Now in it"));
  }

  /* No data: nothing to copy. */
  ts_chart_table_set_data (TS_CHART_TABLE (table), NULL);
  g_assert_false (gtk_widget_is_sensitive (copy));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Under LANG=zh_CN.UTF-8 (test-chart-zh_CN) the units and labels come
   * from the build tree's catalogue. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, TS_BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_init ();
  adw_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_message ("Locale: %s", setlocale (LC_MESSAGES, NULL));
  if (g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "zh_CN"))
    screenshot_prefix = "chart-zh_CN";
  tmp_dir = g_dir_make_tmp ("ts-chart-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/ts/chart/bars-chinese", test_bars_chinese);
  g_test_add_func ("/ts/chart/bars-long-labels", test_bars_long_labels);
  g_test_add_func ("/ts/chart/lines", test_lines);
  g_test_add_func ("/ts/chart/lines-many", test_lines_many);
  g_test_add_func ("/ts/chart/range-bars", test_range_bars);
  g_test_add_func ("/ts/chart/zero-and-one", test_zero_and_one);
  g_test_add_func ("/ts/chart/tooltips", test_tooltips);
  g_test_add_func ("/ts/chart/save", test_save);
  g_test_add_func ("/ts/chart/table", test_table);

  ret = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return ret;
}
