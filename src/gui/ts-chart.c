/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-chart"

#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "ts-chart.h"
#include "ts-chart-private.h"

/* How a chart is drawn.
 *
 * One function, chart_draw(), builds the whole picture into a GtkSnapshot
 * at a given size; the widget's snapshot() calls it at the widget's size
 * and ts_chart_save() at the size asked for, then renders the node with
 * cairo into a PNG or an SVG, so the file shows what the window shows.
 *
 * chart_draw() first lays out the frame (title and legend at the top, the
 * value axis, the category labels, what is left is the plot), then draws
 * the kind: bars and lines share a vertical value axis and category labels
 * along the bottom; range bars lie horizontally, categories down the left,
 * durations along the bottom.  Each step is a small function below.
 *
 * Colours come from the theme (libadwaita's named colours, looked up on
 * the widget's style, so the dark style gives dark-style colours) and
 * text from Pango layouts of the widget, so the theme's font, and a CJK
 * font for Chinese labels, are used.  While drawing for the widget, the
 * rectangle of each category is kept for the tooltips. */

#define PADDING        12.0   /* around everything */
#define GAP             6.0   /* between a label and what it labels */
#define MAX_LABEL_WIDTH 160.0 /* a category label is ellipsized beyond this */
#define SIN_45          0.70710678

struct _TsChart
{
  GtkWidget    parent_instance;

  TsChartData *data;
  GArray      *hits;   /* (element-type ChartHit): where each category was drawn */
  gboolean     hide_title;  /* on screen only: a saved file always has it */
};

G_DEFINE_FINAL_TYPE (TsChart, ts_chart, GTK_TYPE_WIDGET)

/* The rectangle of one category (a column of bars and lines, a row of
 * range bars), for its tooltip. */
typedef struct
{
  graphene_rect_t area;
  guint           category;
} ChartHit;

typedef struct
{
  GdkRGBA fg;          /* text */
  GdkRGBA dim;         /* tick labels, the empty state */
  GdkRGBA grid;        /* grid lines */
  GdkRGBA axis;        /* the zero line */
  GdkRGBA background;  /* only behind a saved file */
  GdkRGBA series[2];   /* created / closed, median / 90th percentile */
} ChartColors;

/* The value axis: from 0 to max in steps of step. */
typedef struct
{
  double max;
  double step;
} ValueAxis;

/* Everything one drawing needs. */
typedef struct
{
  TsChart        *self;
  TsChartData    *data;
  GtkSnapshot    *snapshot;
  ChartColors     colors;
  double          width;
  double          height;
  double          line_height;   /* of a small label */
  graphene_rect_t plot;          /* where the values go */
  ValueAxis       axis;
  GArray         *hits;          /* (nullable) */
} ChartFrame;

/* ---- colours and text ---- */

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

/* GTK 4.8 has no gtk_widget_get_color() (4.10): the style context gives
 * the text colour and libadwaita's named colours, which follow the dark
 * style (neither call is deprecated before 4.10). */
static void
chart_colors_from_style (TsChart     *self,
                         ChartColors *colors)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  gtk_style_context_get_color (context, &colors->fg);
  colors->dim = colors->fg;
  colors->dim.alpha *= 0.7f;
  colors->grid = colors->fg;
  colors->grid.alpha *= 0.12f;
  colors->axis = colors->fg;
  colors->axis.alpha *= 0.45f;
  lookup_color (context, "window_bg_color", "#fafafa", &colors->background);
  lookup_color (context, "accent_bg_color", "#3584e4", &colors->series[0]);
  lookup_color (context, "success_color", "#26a269", &colors->series[1]);
}

typedef enum
{
  TEXT_NORMAL,
  TEXT_SMALL,
  TEXT_TITLE,
} TextStyle;

static PangoLayout *
make_layout (ChartFrame *frame,
             const char *text,
             TextStyle   style)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (frame->self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (style == TEXT_SMALL)
    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  else if (style == TEXT_TITLE)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

/* A layout no wider than @max_width: the rest is "…". */
static void
limit_width (PangoLayout *layout,
             double       max_width)
{
  pango_layout_set_width (layout, (int) (MAX (max_width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
}

static double
layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

static double
text_width (ChartFrame *frame,
            const char *text,
            TextStyle   style)
{
  g_autoptr(PangoLayout) layout = make_layout (frame, text, style);

  return layout_width (layout);
}

static void
draw_layout_at (ChartFrame    *frame,
                PangoLayout   *layout,
                double         x,
                double         y,
                const GdkRGBA *color)
{
  gtk_snapshot_save (frame->snapshot);
  gtk_snapshot_translate (frame->snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (frame->snapshot, layout, color);
  gtk_snapshot_restore (frame->snapshot);
}

/* Draws @text with its top centred (@align 0.5), left (0) or right (1) at
 * (@x, @y); returns its height. */
static double
draw_text (ChartFrame    *frame,
           const char    *text,
           TextStyle      style,
           double         x,
           double         y,
           double         align,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = make_layout (frame, text, style);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  draw_layout_at (frame, layout, x - align * width, y, color);
  return height;
}

static void
fill_rect (ChartFrame    *frame,
           double         x,
           double         y,
           double         width,
           double         height,
           const GdkRGBA *color)
{
  gtk_snapshot_append_color (frame->snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

static void
add_hit (ChartFrame *frame,
         double      x,
         double      y,
         double      width,
         double      height,
         guint       category)
{
  ChartHit hit = { GRAPHENE_RECT_INIT (x, y, width, height), category };

  if (frame->hits != NULL)
    g_array_append_val (frame->hits, hit);
}

/* ---- the value axis: 0 to a round number in 1-2-5 steps ---- */

/* The smallest of 1, 2, 5, 10, 20, 50… at least @raw. */
static double
nice_step_125 (double raw)
{
  double magnitude = pow (10, floor (log10 (raw)));
  double fraction = raw / magnitude;

  if (fraction <= 1)
    return magnitude;
  if (fraction <= 2)
    return 2 * magnitude;
  if (fraction <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

/* Durations step in units a clock has: seconds, minutes, hours, days. */
static double
nice_step_seconds (double raw)
{
  static const double steps[] = {
    1, 2, 5, 10, 15, 30,
    60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
    3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (raw <= steps[i])
      return steps[i];
  return nice_step_125 (raw / 86400) * 86400;
}

/* About @n_ticks steps from 0 past the largest value; counts step by whole
 * numbers. */
static ValueAxis
value_axis_for (TsChartData *data,
                guint        n_ticks)
{
  double max = ts_chart_data_get_max_value (data);
  double raw = max / MAX (n_ticks, 1);
  ValueAxis axis;

  if (ts_chart_data_get_unit (data) == TS_CHART_UNIT_SECONDS)
    axis.step = nice_step_seconds (MAX (raw, 1));
  else
    axis.step = MAX (1, nice_step_125 (MAX (raw, 1e-9)));
  axis.max = MAX (1, ceil (max / axis.step)) * axis.step;
  return axis;
}

/* How many ticks fit along @length pixels, labels @spacing apart. */
static guint
n_ticks_for (double length,
             double spacing)
{
  return CLAMP ((guint) (length / MAX (spacing, 1)), 2, 8);
}

static double
widest_tick_label (ChartFrame *frame)
{
  double widest = 0;

  for (double v = 0; v <= frame->axis.max + frame->axis.step / 2; v += frame->axis.step)
    {
      g_autofree char *text = ts_chart_data_format_value (frame->data, v);

      widest = MAX (widest, text_width (frame, text, TEXT_SMALL));
    }
  return widest;
}

/* ---- the frame: title, legend, the empty state ---- */

/* The title across the top; returns the y below it. */
static double
draw_title (ChartFrame *frame,
            double      y)
{
  g_autoptr(PangoLayout) layout = NULL;
  const char *title = ts_chart_data_get_title (frame->data);
  int height;

  if (title == NULL || title[0] == '\0')
    return y;
  layout = make_layout (frame, title, TEXT_TITLE);
  limit_width (layout, frame->width - 2 * PADDING);
  pango_layout_get_pixel_size (layout, NULL, &height);
  draw_layout_at (frame, layout, PADDING, y, &frame->colors.fg);
  return y + height + GAP;
}

/* A swatch and name for each series, in a row from the left; returns the
 * y below it.  Bars have one series and need none. */
static double
draw_legend (ChartFrame *frame,
             double      y)
{
  guint n_series = MIN (ts_chart_data_get_n_series (frame->data), G_N_ELEMENTS (frame->colors.series));
  double x = PADDING;
  double swatch = frame->line_height * 0.7;

  if (ts_chart_data_get_kind (frame->data) == TS_CHART_BARS || n_series == 0)
    return y;

  for (guint s = 0; s < n_series; s++)
    {
      g_autoptr(PangoLayout) layout = make_layout (frame, ts_chart_data_get_series_name (frame->data, s), TEXT_SMALL);

      limit_width (layout, frame->width / 2 - 2 * PADDING - swatch);
      fill_rect (frame, x, y + (frame->line_height - swatch) / 2, swatch, swatch, &frame->colors.series[s]);
      x += swatch + GAP / 2;
      draw_layout_at (frame, layout, x, y, &frame->colors.fg);
      x += layout_width (layout) + 3 * GAP;
    }
  return y + frame->line_height + GAP;
}

static void
draw_empty_state (ChartFrame *frame,
                  double      top)
{
  /* TRANSLATORS: shown in place of a chart when no ticket is counted. */
  g_autoptr(PangoLayout) layout = make_layout (frame, _("No tickets"), TEXT_NORMAL);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  draw_layout_at (frame, layout, (frame->width - width) / 2,
                  top + MAX (0, (frame->height - top - height) / 2), &frame->colors.dim);
}

/* ---- category labels along the bottom (bars and lines) ---- */

/* How the labels under the columns are placed: level when they fit their
 * column; else turned 45°, or 90° when the columns are too narrow for
 * slanted lines of text to stay apart; and only every stride-th label when
 * even that would make them overlap. */
typedef struct
{
  int      angle;         /* 0, 45 or 90 */
  guint    stride;
  double   label_width;   /* the widest, after ellipsizing */
  double   height;        /* of the band they take */
  double   overhang;      /* how far the first runs left of its column's centre */
} CategoryLabels;

static CategoryLabels
plan_category_labels (ChartFrame *frame,
                      double      slot)
{
  CategoryLabels plan = { 0, 1, 0, 0, 0 };
  guint n = ts_chart_data_get_n_categories (frame->data);
  /* Turned lines of text stay apart by more than a line: CJK glyphs fill
   * their line more than Latin ones do. */
  double spacing = frame->line_height * 1.3;

  for (guint c = 0; c < n; c++)
    plan.label_width = MAX (plan.label_width,
                            text_width (frame, ts_chart_data_get_category (frame->data, c), TEXT_SMALL));
  plan.label_width = MIN (plan.label_width, MAX_LABEL_WIDTH);

  if (plan.label_width + GAP <= slot)
    {
      plan.height = frame->line_height;
      plan.overhang = plan.label_width / 2;
      return plan;
    }

  /* Dates under a line read best level, thinned out; names under bars
   * read best turned, each under its bar. */
  if (ts_chart_data_get_kind (frame->data) == TS_CHART_LINES)
    {
      plan.stride = (guint) ceil ((plan.label_width + 2 * GAP) / slot);
      plan.height = frame->line_height;
      plan.overhang = plan.label_width / 2;
      return plan;
    }

  /* Turned labels take at most a third of the height. */
  if (slot * SIN_45 >= spacing)
    {
      plan.angle = 45;
      plan.label_width = MIN (plan.label_width, (frame->height / 3) / SIN_45);
      plan.height = (plan.label_width + frame->line_height) * SIN_45;
      plan.overhang = plan.height;
      return plan;
    }

  plan.angle = 90;
  plan.label_width = MIN (plan.label_width, frame->height / 3);
  plan.stride = (guint) ceil (spacing / slot);
  plan.height = plan.label_width;
  plan.overhang = frame->line_height / 2;
  return plan;
}

static void
draw_category_labels (ChartFrame           *frame,
                      const CategoryLabels *plan,
                      double                slot)
{
  guint n = ts_chart_data_get_n_categories (frame->data);
  double y = frame->plot.origin.y + frame->plot.size.height + GAP;

  for (guint c = 0; c < n; c += plan->stride)
    {
      g_autoptr(PangoLayout) layout = make_layout (frame, ts_chart_data_get_category (frame->data, c), TEXT_SMALL);
      double centre = frame->plot.origin.x + (c + 0.5) * slot;

      if (plan->angle == 0)
        {
          limit_width (layout, plan->stride * slot - GAP);
          draw_layout_at (frame, layout, centre - layout_width (layout) / 2, y, &frame->colors.fg);
          continue;
        }

      /* The label ends at its column and runs down (to the left). */
      limit_width (layout, plan->label_width);
      gtk_snapshot_save (frame->snapshot);
      gtk_snapshot_translate (frame->snapshot, &GRAPHENE_POINT_INIT (centre, y));
      gtk_snapshot_rotate (frame->snapshot, -plan->angle);
      gtk_snapshot_translate (frame->snapshot,
                              &GRAPHENE_POINT_INIT (-layout_width (layout), -frame->line_height / 2));
      gtk_snapshot_append_layout (frame->snapshot, layout, &frame->colors.fg);
      gtk_snapshot_restore (frame->snapshot);
    }
}

/* ---- the value axis up the left (bars and lines) ---- */

static double
value_to_y (ChartFrame *frame,
            double      value)
{
  return frame->plot.origin.y + frame->plot.size.height * (1 - value / frame->axis.max);
}

static void
draw_vertical_value_axis (ChartFrame *frame)
{
  const graphene_rect_t *plot = &frame->plot;

  for (double v = 0; v <= frame->axis.max + frame->axis.step / 2; v += frame->axis.step)
    {
      g_autofree char *text = ts_chart_data_format_value (frame->data, v);
      double y = round (value_to_y (frame, v));

      fill_rect (frame, plot->origin.x, y, plot->size.width, 1,
                 v == 0 ? &frame->colors.axis : &frame->colors.grid);
      draw_text (frame, text, TEXT_SMALL, plot->origin.x - GAP, y - frame->line_height / 2, 1,
                 &frame->colors.dim);
    }
}

/* ---- the three kinds ---- */

static void
draw_bars (ChartFrame *frame,
           double      slot)
{
  guint n = ts_chart_data_get_n_categories (frame->data);
  double bar_width = MIN (slot * 0.7, 64);

  for (guint c = 0; c < n; c++)
    {
      double value = ts_chart_data_get_value (frame->data, c, 0);
      double x = frame->plot.origin.x + c * slot;
      double top = isnan (value) ? value_to_y (frame, 0) : value_to_y (frame, value);
      g_autofree char *text = ts_chart_data_format_value (frame->data, value);
      g_autoptr(PangoLayout) layout = make_layout (frame, text, TEXT_SMALL);

      if (!isnan (value) && value > 0)
        fill_rect (frame, x + (slot - bar_width) / 2, top, bar_width, value_to_y (frame, 0) - top,
                   &frame->colors.series[0]);
      /* The number above its bar, when it fits in the column. */
      if (layout_width (layout) <= slot)
        draw_layout_at (frame, layout, x + (slot - layout_width (layout)) / 2,
                        top - frame->line_height - 2, &frame->colors.fg);
      add_hit (frame, x, frame->plot.origin.y, slot, frame->plot.size.height, c);
    }
}

static void
draw_lines (ChartFrame *frame,
            double      slot)
{
  guint n = ts_chart_data_get_n_categories (frame->data);
  guint n_series = MIN (ts_chart_data_get_n_series (frame->data), G_N_ELEMENTS (frame->colors.series));
  /* Points only where they do not run together. */
  gboolean markers = slot >= 8 || n == 1;
  cairo_t *cr;

  /* GTK 4.8 has no paths in render nodes (GskPath is 4.14): the lines are
   * a cairo node, which a saved SVG keeps as vectors. */
  cr = gtk_snapshot_append_cairo (frame->snapshot,
                                  &GRAPHENE_RECT_INIT (0, 0, frame->width, frame->height));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* Thin lines where points are closer than a few pixels. */
  cairo_set_line_width (cr, slot < 4 ? 1 : 2);

  for (guint s = 0; s < n_series; s++)
    {
      gboolean drawing = FALSE;

      gdk_cairo_set_source_rgba (cr, &frame->colors.series[s]);
      /* A missing value breaks the line. */
      for (guint c = 0; c < n; c++)
        {
          double value = ts_chart_data_get_value (frame->data, c, s);
          double x = frame->plot.origin.x + (c + 0.5) * slot;

          if (isnan (value))
            {
              drawing = FALSE;
              continue;
            }
          if (drawing)
            cairo_line_to (cr, x, value_to_y (frame, value));
          else
            cairo_move_to (cr, x, value_to_y (frame, value));
          drawing = TRUE;
        }
      cairo_stroke (cr);

      for (guint c = 0; markers && c < n; c++)
        {
          double value = ts_chart_data_get_value (frame->data, c, s);

          if (isnan (value))
            continue;
          cairo_arc (cr, frame->plot.origin.x + (c + 0.5) * slot, value_to_y (frame, value), 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_destroy (cr);

  for (guint c = 0; c < n; c++)
    add_hit (frame, frame->plot.origin.x + c * slot, frame->plot.origin.y, slot, frame->plot.size.height, c);
}

/* Bars and lines: value axis up the left, categories along the bottom. */
static void
draw_columns (ChartFrame *frame,
              double      top)
{
  guint n = ts_chart_data_get_n_categories (frame->data);
  const char *category_title = ts_chart_data_get_category_title (frame->data);
  double bottom = frame->height - PADDING;
  double left, slot;
  CategoryLabels plan;

  /* The category title under everything. */
  if (category_title != NULL && category_title[0] != '\0')
    bottom -= frame->line_height + GAP;

  /* The ticks from a first guess of the plot's height, then the labels'
   * band from the column width that leaves; room above for the number
   * over the highest bar. */
  frame->axis = value_axis_for (frame->data, n_ticks_for (bottom - top - 2 * frame->line_height,
                                                          2.5 * frame->line_height));
  left = PADDING + widest_tick_label (frame) + GAP;
  slot = (frame->width - PADDING - left) / n;
  plan = plan_category_labels (frame, slot);
  /* The first label must not run off the left edge. */
  if (PADDING + plan.overhang - slot / 2 > left)
    {
      left = PADDING + plan.overhang - slot / 2;
      slot = (frame->width - PADDING - left) / n;
    }

  top += frame->line_height;
  frame->plot = GRAPHENE_RECT_INIT (left, top, frame->width - PADDING - left,
                                    MAX (1, bottom - plan.height - GAP - top));

  draw_vertical_value_axis (frame);
  draw_category_labels (frame, &plan, slot);
  if (category_title != NULL && category_title[0] != '\0')
    draw_text (frame, category_title, TEXT_SMALL, frame->plot.origin.x + frame->plot.size.width / 2,
               frame->height - PADDING - frame->line_height, 0.5, &frame->colors.dim);

  if (ts_chart_data_get_kind (frame->data) == TS_CHART_LINES)
    draw_lines (frame, slot);
  else
    draw_bars (frame, slot);
}

/* "5 h 12 min / 1 d 2 h": a range bar's median and 90th percentile. */
static char *
range_label (TsChartData *data,
             guint        category)
{
  g_autofree char *median = ts_chart_data_format_value (data, ts_chart_data_get_value (data, category, 0));
  g_autofree char *p90 = NULL;

  if (ts_chart_data_get_n_series (data) < 2 || isnan (ts_chart_data_get_value (data, category, 1)))
    return g_steal_pointer (&median);
  p90 = ts_chart_data_format_value (data, ts_chart_data_get_value (data, category, 1));
  /* TRANSLATORS: beside a bar of the time in a state: the median, then the
   * 90th percentile ("5 h 12 min / 1 d 2 h"). */
  return g_strdup_printf (_("%s / %s"), median, p90);
}

static double
value_to_x (ChartFrame *frame,
            double      value)
{
  return frame->plot.origin.x + frame->plot.size.width * value / frame->axis.max;
}

/* Range bars: categories down the left, durations along the bottom, a
 * thick bar to the median and a thin one on to the 90th percentile. */
static void
draw_range_bars (ChartFrame *frame,
                 double      top)
{
  guint n = ts_chart_data_get_n_categories (frame->data);
  double bottom = frame->height - PADDING - frame->line_height - GAP;
  double label_width = 0, value_width = 0, left, row;
  guint stride;

  for (guint c = 0; c < n; c++)
    {
      g_autofree char *text = range_label (frame->data, c);

      label_width = MAX (label_width, text_width (frame, ts_chart_data_get_category (frame->data, c), TEXT_SMALL));
      value_width = MAX (value_width, text_width (frame, text, TEXT_SMALL));
    }
  label_width = MIN (label_width, MIN (MAX_LABEL_WIDTH, frame->width * 0.3));
  value_width = MIN (value_width, frame->width * 0.3);
  left = PADDING + label_width + GAP;

  frame->plot = GRAPHENE_RECT_INIT (left, top, MAX (1, frame->width - PADDING - value_width - GAP - left),
                                    MAX (1, bottom - top));
  /* As many ticks as the labels of a first guess leave room for. */
  frame->axis = value_axis_for (frame->data, 5);
  frame->axis = value_axis_for (frame->data, n_ticks_for (frame->plot.size.width, widest_tick_label (frame) + 3 * GAP));
  row = frame->plot.size.height / n;
  stride = MAX (1, (guint) ceil (frame->line_height / row));

  for (double v = 0; v <= frame->axis.max + frame->axis.step / 2; v += frame->axis.step)
    {
      g_autofree char *text = ts_chart_data_format_value (frame->data, v);
      double x = round (value_to_x (frame, v));

      fill_rect (frame, x, frame->plot.origin.y, 1, frame->plot.size.height,
                 v == 0 ? &frame->colors.axis : &frame->colors.grid);
      draw_text (frame, text, TEXT_SMALL, x, bottom + GAP, 0.5, &frame->colors.dim);
    }

  for (guint c = 0; c < n; c++)
    {
      double median = ts_chart_data_get_value (frame->data, c, 0);
      double p90 = ts_chart_data_get_n_series (frame->data) > 1 ? ts_chart_data_get_value (frame->data, c, 1) : NAN;
      double y = frame->plot.origin.y + c * row;
      double thick = MIN (row * 0.6, 28);
      double thin = MAX (2, thick * 0.4);
      double end = frame->plot.origin.x;
      const GdkRGBA *whisker = &frame->colors.series[1];

      if (!isnan (median) && !isnan (p90) && p90 > median)
        {
          fill_rect (frame, value_to_x (frame, median), y + (row - thin) / 2,
                     value_to_x (frame, p90) - value_to_x (frame, median), thin, whisker);
          /* The whisker's end. */
          fill_rect (frame, value_to_x (frame, p90) - 1, y + (row - thick) / 2, 2, thick, whisker);
          end = value_to_x (frame, p90);
        }
      if (!isnan (median))
        {
          fill_rect (frame, frame->plot.origin.x, y + (row - thick) / 2,
                     value_to_x (frame, median) - frame->plot.origin.x, thick, &frame->colors.series[0]);
          end = MAX (end, value_to_x (frame, median));
        }

      if (c % stride == 0)
        {
          g_autoptr(PangoLayout) name = make_layout (frame, ts_chart_data_get_category (frame->data, c), TEXT_SMALL);
          g_autofree char *text = range_label (frame->data, c);
          g_autoptr(PangoLayout) value = make_layout (frame, text, TEXT_SMALL);

          limit_width (name, label_width);
          draw_layout_at (frame, name, left - GAP - layout_width (name),
                          y + (row - frame->line_height) / 2, &frame->colors.fg);
          /* Values only where a row is a line high. */
          if (stride == 1)
            {
              limit_width (value, value_width);
              draw_layout_at (frame, value, end + GAP, y + (row - frame->line_height) / 2, &frame->colors.fg);
            }
        }
      add_hit (frame, 0, y, frame->width, row, c);
    }
}

/* The whole picture at @width × @height, with its title or not; @hits:
 * (nullable): gets the rectangle of each category. */
static void
chart_draw (TsChart     *self,
            GtkSnapshot *snapshot,
            double       width,
            double       height,
            gboolean     with_title,
            GArray      *hits)
{
  ChartFrame frame = { self, self->data, snapshot };
  g_autoptr(PangoLayout) probe = NULL;
  double top;
  int line_height;

  if (hits != NULL)
    g_array_set_size (hits, 0);
  if (self->data == NULL || width < 2 * PADDING || height < 2 * PADDING)
    return;

  frame.width = width;
  frame.height = height;
  frame.hits = hits;
  chart_colors_from_style (self, &frame.colors);
  /* A line high enough for Latin and for CJK, whose fallback font is
   * taller than the theme's. */
  probe = make_layout (&frame, "0Ag中文", TEXT_SMALL);
  pango_layout_get_pixel_size (probe, NULL, &line_height);
  frame.line_height = line_height;

  top = with_title ? draw_title (&frame, PADDING) : PADDING;
  if (ts_chart_data_is_empty (self->data))
    {
      draw_empty_state (&frame, top);
      return;
    }
  /* A range bar's 90th percentile is its median's colour, paler. */
  if (ts_chart_data_get_kind (self->data) == TS_CHART_RANGE_BARS)
    {
      frame.colors.series[1] = frame.colors.series[0];
      frame.colors.series[1].alpha *= 0.45f;
    }
  top = draw_legend (&frame, top);

  if (ts_chart_data_get_kind (self->data) == TS_CHART_RANGE_BARS)
    draw_range_bars (&frame, top);
  else
    draw_columns (&frame, top);
}

/* ---- the widget ---- */

static void
ts_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  TsChart *self = TS_CHART (widget);

  chart_draw (self, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget),
              !self->hide_title, self->hits);
}

static void
ts_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  TsChart *self = TS_CHART (widget);
  guint n = self->data != NULL ? ts_chart_data_get_n_categories (self->data) : 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 560;
    }
  else
    {
      /* Range bars grow with their rows. */
      *minimum = 180;
      *natural = 320;
      if (self->data != NULL && ts_chart_data_get_kind (self->data) == TS_CHART_RANGE_BARS)
        *natural = MAX (*natural, (int) (120 + 32 * n));
    }
}

/* The tooltip at (@x, @y): the category drawn there and each series'
 * value, or NULL where there is none. */
char *
_ts_chart_get_tooltip_text_at (TsChart *self,
                               double   x,
                               double   y)
{
  for (guint i = 0; self->data != NULL && i < self->hits->len; i++)
    {
      const ChartHit *hit = &g_array_index (self->hits, ChartHit, i);
      GString *text;

      if (!graphene_rect_contains_point (&hit->area, &GRAPHENE_POINT_INIT (x, y)))
        continue;

      text = g_string_new (ts_chart_data_get_category (self->data, hit->category));
      for (guint s = 0; s < ts_chart_data_get_n_series (self->data); s++)
        {
          g_autofree char *value = ts_chart_data_format_value (self->data,
                                                               ts_chart_data_get_value (self->data, hit->category, s));

          g_string_append_c (text, '\n');
          /* TRANSLATORS: a line of a chart's tooltip: a series and its
           * value ("Created: 3"). */
          g_string_append_printf (text, _("%s: %s"), ts_chart_data_get_series_name (self->data, s), value);
        }
      return g_string_free (text, FALSE);
    }
  return NULL;
}

static gboolean
query_tooltip (GtkWidget  *widget,
               int         x,
               int         y,
               gboolean    keyboard_mode,
               GtkTooltip *tooltip,
               TsChart    *self)
{
  g_autofree char *text = _ts_chart_get_tooltip_text_at (self, x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
ts_chart_dispose (GObject *object)
{
  TsChart *self = TS_CHART (object);

  g_clear_object (&self->data);
  G_OBJECT_CLASS (ts_chart_parent_class)->dispose (object);
}

static void
ts_chart_finalize (GObject *object)
{
  TsChart *self = TS_CHART (object);

  g_array_unref (self->hits);
  G_OBJECT_CLASS (ts_chart_parent_class)->finalize (object);
}

static void
ts_chart_class_init (TsChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_chart_dispose;
  object_class->finalize = ts_chart_finalize;
  widget_class->snapshot = ts_chart_snapshot;
  widget_class->measure = ts_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ts_chart_init (TsChart *self)
{
  self->hits = g_array_new (FALSE, FALSE, sizeof (ChartHit));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip), self);
}

GtkWidget *
ts_chart_new (void)
{
  return g_object_new (TS_TYPE_CHART, NULL);
}

void
ts_chart_set_data (TsChart     *self,
                   TsChartData *data)
{
  g_return_if_fail (TS_IS_CHART (self));
  g_return_if_fail (data == NULL || TS_IS_CHART_DATA (data));

  if (!g_set_object (&self->data, data))
    return;

  g_array_set_size (self->hits, 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  data != NULL ? ts_chart_data_get_title (data) : "",
                                  -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Whether the chart draws its title on screen (where a heading beside it
 * may already say it); saved files always have it.  Default: TRUE. */
void
ts_chart_set_show_title (TsChart  *self,
                         gboolean  show_title)
{
  g_return_if_fail (TS_IS_CHART (self));

  if (self->hide_title == !show_title)
    return;
  self->hide_title = !show_title;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

TsChartData *
ts_chart_get_data (TsChart *self)
{
  g_return_val_if_fail (TS_IS_CHART (self), NULL);
  return self->data;
}

/* ---- saving ---- */

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
ts_chart_save (TsChart        *self,
               GFile          *file,
               TsChartFormat   format,
               int             width,
               int             height,
               GError        **error)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  ChartColors colors;
  cairo_t *cr;

  g_return_val_if_fail (TS_IS_CHART (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = g_file_get_parse_name (file);
  if (width <= 0)
    width = gtk_widget_get_width (GTK_WIDGET (self));
  if (height <= 0)
    height = gtk_widget_get_height (GTK_WIDGET (self));
  if (width <= 0 || height <= 0)
    {
      /* TRANSLATORS: saving a chart that has no size yet; %s is the file. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Could not save the chart to “%s”: it has no size yet; give a width and a height."), name);
      return FALSE;
    }

  /* A file is seen outside the window: it gets the window's background,
   * so its text stays readable. */
  chart_colors_from_style (self, &colors);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &colors.background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  chart_draw (self, snapshot, width, height, TRUE, NULL);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));

  if (format == TS_CHART_FORMAT_SVG)
    surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  if (format == TS_CHART_FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      /* TRANSLATORS: %s is the file, then why (from cairo, in English). */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not save the chart to “%s”: %s"), name, cairo_status_to_string (status));
      return FALSE;
    }

  /* Replaced whole or not at all: a temporary file renamed over it. */
  if (!g_file_replace_contents (file, (const char *) bytes->data, bytes->len, NULL, FALSE,
                                G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &local_error))
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   _("Could not save the chart to “%s”: %s"), name, local_error->message);
      return FALSE;
    }
  return TRUE;
}
