/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-workflow-view"

#include "config.h"

#include <math.h>

#include <cairo-svg.h>

#include <glib/gi18n.h>

#include "ts-workflow-layout.h"
#include "ts-workflow-view.h"

/* Room around the picture, in points at zoom 1. */
#define MARGIN 24.0
#define ZOOM_MIN 0.25
#define ZOOM_MAX 4.0
#define ZOOM_STEP 1.2
/* Trigger labels are this much smaller than the state names. */
#define TRIGGER_FONT_SCALE 0.85
#define CORNER_RADIUS 8.0
/* Between a final state's two borders. */
#define FINAL_GAP 4.0

/* ---- The canvas: the picture itself, inside the scrolled window ---- */

#define TS_TYPE_WORKFLOW_CANVAS (ts_workflow_canvas_get_type ())
G_DECLARE_FINAL_TYPE (TsWorkflowCanvas, ts_workflow_canvas, TS, WORKFLOW_CANVAS, GtkWidget)

struct _TsWorkflowCanvas
{
  GtkWidget       parent_instance;
  TsWorkflowView *view;   /* unowned: the canvas is inside it */
};

G_DEFINE_FINAL_TYPE (TsWorkflowCanvas, ts_workflow_canvas, GTK_TYPE_WIDGET)

struct _TsWorkflowView
{
  GtkWidget          parent_instance;

  TsProject         *project;
  TsWorkflowLayout  *layout;       /* NULL: not laid out yet, or it failed */
  char              *layout_error;
  char              *layout_font;  /* the font the layout was measured with */
  char              *current_state;
  GStrv              available;    /* NULL: no emphasis */
  double             zoom;

  /* Where to scroll to once the canvas has its new size. */
  guint              scroll_source;
  gboolean           want_current;  /* centre the current state when sized */
  gboolean           pending_h;
  gboolean           pending_v;
  double             pending_x;
  double             pending_y;
  /* The pointer over the scrolled window, for zooming around it. */
  gboolean           has_pointer;
  double             pointer_x;
  double             pointer_y;

  GtkWidget         *overlay;
  GtkWidget         *scroller;
  TsWorkflowCanvas  *canvas;
  GtkWidget         *error_label;
  GtkWidget         *zoom_label;
};

G_DEFINE_FINAL_TYPE (TsWorkflowView, ts_workflow_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_CURRENT_STATE,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TRIGGER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Fonts and measuring ---- */

static PangoFontDescription *
dup_font (GtkWidget *widget,
          gboolean   trigger,
          gboolean   bold)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (context));

  if (trigger)
    {
      int size = pango_font_description_get_size (font);

      if (pango_font_description_get_size_is_absolute (font))
        pango_font_description_set_absolute_size (font, size * TRIGGER_FONT_SCALE);
      else
        pango_font_description_set_size (font, (int)(size * TRIGGER_FONT_SCALE));
    }

  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);

  return font;
}

static PangoLayout *
create_text_layout (GtkWidget  *widget,
                    const char *text,
                    gboolean    trigger,
                    gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoFontDescription *font = dup_font (widget, trigger, bold);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_font_description_free (font);

  return layout;
}

/* State names are measured in bold, so the current state's bold name
 * fits its box as well as the others' regular ones. */
static void
measure_text (const char         *text,
              TsWorkflowTextKind  kind,
              double             *width,
              double             *height,
              gpointer            user_data)
{
  GtkWidget *widget = user_data;
  gboolean trigger = kind == TS_WORKFLOW_TEXT_TRIGGER;
  g_autoptr(PangoLayout) layout = create_text_layout (widget, text, trigger, !trigger);
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  *width = logical.width;
  *height = logical.height;
}

static char *
describe_font (GtkWidget *widget)
{
  PangoFontDescription *font = dup_font (widget, FALSE, FALSE);
  char *text = pango_font_description_to_string (font);

  pango_font_description_free (font);
  return text;
}

static void update_accessible (TsWorkflowView *self);

static void
ensure_layout (TsWorkflowView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *font = NULL;

  if (self->project == NULL)
    return;

  font = describe_font (GTK_WIDGET (self->canvas));
  if ((self->layout != NULL || self->layout_error != NULL) && g_strcmp0 (font, self->layout_font) == 0)
    return;

  g_clear_object (&self->layout);
  g_clear_pointer (&self->layout_error, g_free);
  g_free (self->layout_font);
  self->layout_font = g_steal_pointer (&font);

  self->layout = ts_workflow_layout_new (self->project, measure_text, self->canvas, &error);
  if (self->layout == NULL)
    {
      /* Said in the pane, not as a warning: the rest of the window works. */
      self->layout_error = g_strdup (error->message);
      gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
    }

  gtk_widget_set_visible (self->error_label, self->layout == NULL);
  gtk_widget_set_visible (self->scroller, self->layout != NULL);
}

/* ---- Drawing ---- */

typedef struct {
  GdkRGBA fg;
  GdkRGBA dim;
  GdkRGBA line;
  GdkRGBA border;
  GdkRGBA fill;
  GdkRGBA accent;
  GdkRGBA accent_bg;
  GdkRGBA accent_fg;
  GdkRGBA highlight;
} Colors;

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
get_colors (GtkWidget *widget,
            Colors    *colors)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  /* The named colours of libadwaita, which follow the dark style. */
  gtk_style_context_get_color (context, &colors->fg);
  lookup_color (context, "accent_color", "#1c71d8", &colors->accent);
  lookup_color (context, "accent_bg_color", "#3584e4", &colors->accent_bg);
  lookup_color (context, "accent_fg_color", "#ffffff", &colors->accent_fg);
  lookup_color (context, "card_bg_color", "#ffffff", &colors->fill);

  colors->dim = colors->fg;
  colors->dim.alpha *= 0.35;
  colors->line = colors->fg;
  colors->line.alpha *= 0.75;
  colors->border = colors->fg;
  colors->border.alpha *= 0.5;
  colors->highlight = colors->accent_bg;
  colors->highlight.alpha = 0.18;
}

static gboolean
is_available (TsWorkflowView       *self,
              const TsWorkflowEdge *edge)
{
  return self->available != NULL && edge->trigger != NULL &&
         g_strv_contains ((const char * const *)self->available, edge->trigger) &&
         (self->current_state == NULL || g_strcmp0 (edge->from, self->current_state) == 0);
}

/* Whether some edges are emphasised and the rest dimmed. */
static gboolean
emphasis (TsWorkflowView *self)
{
  return self->available != NULL;
}

static void
trace_edge (cairo_t              *cr,
            const TsWorkflowEdge *edge)
{
  if (edge->n_points == 0)
    return;

  cairo_move_to (cr, edge->points[0].x, edge->points[0].y);
  for (guint i = 1; i + 2 < edge->n_points; i += 3)
    cairo_curve_to (cr,
                    edge->points[i].x, edge->points[i].y,
                    edge->points[i + 1].x, edge->points[i + 1].y,
                    edge->points[i + 2].x, edge->points[i + 2].y);
}

static void
trace_arrow (cairo_t              *cr,
             const TsWorkflowEdge *edge)
{
  TsWorkflowPoint base = edge->points[edge->n_points - 1];
  double dx = edge->arrow_tip.x - base.x;
  double dy = edge->arrow_tip.y - base.y;
  double half = 0.35;

  cairo_move_to (cr, edge->arrow_tip.x, edge->arrow_tip.y);
  cairo_line_to (cr, base.x - dy * half, base.y + dx * half);
  cairo_line_to (cr, base.x + dy * half, base.y - dx * half);
  cairo_close_path (cr);
}

/* The box a bézier spline (its control points hold it) and its arrow
 * take, with room for the line's width. */
static graphene_rect_t
edge_bounds (const TsWorkflowEdge *edge)
{
  double x0 = edge->points[0].x, y0 = edge->points[0].y, x1 = x0, y1 = y0;

  for (guint i = 1; i < edge->n_points; i++)
    {
      x0 = MIN (x0, edge->points[i].x);
      y0 = MIN (y0, edge->points[i].y);
      x1 = MAX (x1, edge->points[i].x);
      y1 = MAX (y1, edge->points[i].y);
    }

  if (edge->has_arrow)
    {
      x0 = MIN (x0, edge->arrow_tip.x);
      y0 = MIN (y0, edge->arrow_tip.y);
      x1 = MAX (x1, edge->arrow_tip.x);
      y1 = MAX (y1, edge->arrow_tip.y);
    }

  /* The arrow's wings reach a little beyond its base. */
  return GRAPHENE_RECT_INIT (floor (x0 - 6), floor (y0 - 6), ceil (x1 - x0 + 12), ceil (y1 - y0 + 12));
}

/* GTK 4.8 has no GskPath: each bézier is drawn by cairo, in a cairo node
 * of its own that covers only that edge, so a zoomed-in large workflow
 * never asks for one huge surface. */
static void
draw_edges (TsWorkflowView *self,
            GtkSnapshot    *snapshot,
            const Colors   *colors,
            double          zoom)
{
  /* The cairo nodes are made in pixels, with cairo doing the zoom: GTK
   * 4.8 clips a cairo node made under a scaled snapshot to its unscaled
   * size (its lines were cut short when zoomed in). */
  gtk_snapshot_save (snapshot);
  gtk_snapshot_scale (snapshot, 1 / zoom, 1 / zoom);

  /* The emphasised ones last, on top. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < ts_workflow_layout_get_n_edges (self->layout); i++)
      {
        const TsWorkflowEdge *edge = ts_workflow_layout_get_edge (self->layout, i);
        gboolean available = is_available (self, edge);
        graphene_rect_t bounds;
        const GdkRGBA *color;
        cairo_t *cr;

        if (available != (pass == 1) || edge->n_points == 0)
          continue;

        if (available)
          color = &colors->accent;
        else if (emphasis (self) && edge->trigger != NULL)
          color = &colors->dim;
        else
          color = &colors->line;

        bounds = edge_bounds (edge);
        graphene_rect_scale (&bounds, zoom, zoom, &bounds);
        graphene_rect_round_extents (&bounds, &bounds);
        cr = gtk_snapshot_append_cairo (snapshot, &bounds);
        cairo_scale (cr, zoom, zoom);
        cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
        gdk_cairo_set_source_rgba (cr, color);
        cairo_set_line_width (cr, available ? 2.5 : 1.2);
        trace_edge (cr, edge);
        cairo_stroke (cr);

        if (edge->has_arrow)
          {
            trace_arrow (cr, edge);
            cairo_fill (cr);
          }
        cairo_destroy (cr);
      }

  gtk_snapshot_restore (snapshot);
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         cx,
             double         cy,
             const GdkRGBA *color)
{
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (cx - logical.width / 2.0 - logical.x,
                                                          cy - logical.height / 2.0 - logical.y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
draw_edge_labels (TsWorkflowView *self,
                  GtkWidget      *widget,
                  GtkSnapshot    *snapshot,
                  const Colors   *colors)
{
  for (guint i = 0; i < ts_workflow_layout_get_n_edges (self->layout); i++)
    {
      const TsWorkflowEdge *edge = ts_workflow_layout_get_edge (self->layout, i);
      gboolean available = is_available (self, edge);
      g_autoptr(PangoLayout) layout = NULL;
      const GdkRGBA *color;

      if (!edge->has_label || edge->label == NULL)
        continue;

      if (available)
        {
          GskRoundedRect pill;

          gsk_rounded_rect_init_from_rect (&pill,
                                           &GRAPHENE_RECT_INIT (edge->label_centre.x - edge->label_width / 2 - 3,
                                                                edge->label_centre.y - edge->label_height / 2 - 3,
                                                                edge->label_width + 6,
                                                                edge->label_height + 6),
                                           4);
          gtk_snapshot_push_rounded_clip (snapshot, &pill);
          gtk_snapshot_append_color (snapshot, &colors->highlight, &pill.bounds);
          gtk_snapshot_pop (snapshot);
          color = &colors->accent;
        }
      else if (emphasis (self))
        color = &colors->dim;
      else
        color = &colors->fg;

      layout = create_text_layout (widget, edge->label, TRUE, FALSE);
      append_text (snapshot, layout, edge->label_centre.x, edge->label_centre.y, color);
    }
}

static void
append_outline (GtkSnapshot          *snapshot,
                const GskRoundedRect *rect,
                double                width,
                const GdkRGBA        *color)
{
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gtk_snapshot_append_border (snapshot, rect, widths, colors);
}

static void
draw_nodes (TsWorkflowView *self,
            GtkWidget      *widget,
            GtkSnapshot    *snapshot,
            const Colors   *colors)
{
  for (guint i = 0; i < ts_workflow_layout_get_n_nodes (self->layout); i++)
    {
      const TsWorkflowNode *node = ts_workflow_layout_get_node (self->layout, i);
      gboolean current = node->state != NULL && g_strcmp0 (node->state, self->current_state) == 0;
      graphene_rect_t bounds = GRAPHENE_RECT_INIT (node->centre.x - node->width / 2,
                                                   node->centre.y - node->height / 2,
                                                   node->width, node->height);
      GskRoundedRect box;
      g_autoptr(PangoLayout) layout = NULL;

      if (node->state == NULL)
        {
          /* The dot the initial state is entered from. */
          gsk_rounded_rect_init_from_rect (&box, &bounds, node->width / 2);
          gtk_snapshot_push_rounded_clip (snapshot, &box);
          gtk_snapshot_append_color (snapshot, &colors->line, &bounds);
          gtk_snapshot_pop (snapshot);
          continue;
        }

      gsk_rounded_rect_init_from_rect (&box, &bounds, CORNER_RADIUS);
      gtk_snapshot_push_rounded_clip (snapshot, &box);
      gtk_snapshot_append_color (snapshot, current ? &colors->accent_bg : &colors->fill, &bounds);
      gtk_snapshot_pop (snapshot);
      append_outline (snapshot, &box, current ? 2 : 1, current ? &colors->accent : &colors->border);

      if (node->final)
        {
          GskRoundedRect inner;

          graphene_rect_inset (&bounds, FINAL_GAP, FINAL_GAP);
          gsk_rounded_rect_init_from_rect (&inner, &bounds, CORNER_RADIUS - FINAL_GAP / 2);
          append_outline (snapshot, &inner, 1, current ? &colors->accent_fg : &colors->border);
        }

      layout = create_text_layout (widget, node->label, FALSE, current);
      append_text (snapshot, layout, node->centre.x, node->centre.y,
                   current ? &colors->accent_fg : &colors->fg);
    }
}

/* The picture with its margin, its top left corner at (0, 0), under a
 * snapshot scaled by @zoom. */
static void
draw_picture (TsWorkflowView *self,
              GtkWidget      *widget,
              GtkSnapshot    *snapshot,
              double          zoom)
{
  Colors colors;

  if (self->layout == NULL)
    return;

  get_colors (widget, &colors);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MARGIN, MARGIN));
  draw_edges (self, snapshot, &colors, zoom);
  draw_edge_labels (self, widget, snapshot, &colors);
  draw_nodes (self, widget, snapshot, &colors);
  gtk_snapshot_restore (snapshot);
}

/* ---- The canvas's widget functions ---- */

/* The canvas fills the scrolled window (so a click anywhere gives it the
 * keyboard); a picture smaller than it is centred in it, at this offset
 * for a canvas @width × @height. */
static void
picture_offset (TsWorkflowView *self,
                double          zoom,
                double          width,
                double          height,
                double         *x,
                double         *y)
{
  double picture_width = 0, picture_height = 0;

  if (self->layout != NULL)
    {
      picture_width = (ts_workflow_layout_get_width (self->layout) + 2 * MARGIN) * zoom;
      picture_height = (ts_workflow_layout_get_height (self->layout) + 2 * MARGIN) * zoom;
    }

  *x = MAX (0, floor ((width - picture_width) / 2));
  *y = MAX (0, floor ((height - picture_height) / 2));
}

static void
canvas_picture_offset (TsWorkflowView *self,
                       double         *x,
                       double         *y)
{
  picture_offset (self, self->zoom,
                  gtk_widget_get_width (GTK_WIDGET (self->canvas)),
                  gtk_widget_get_height (GTK_WIDGET (self->canvas)), x, y);
}

static void
ts_workflow_canvas_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  TsWorkflowView *self = TS_WORKFLOW_CANVAS (widget)->view;
  double size = 0;

  ensure_layout (self);
  if (self->layout != NULL)
    size = (orientation == GTK_ORIENTATION_HORIZONTAL
              ? ts_workflow_layout_get_width (self->layout)
              : ts_workflow_layout_get_height (self->layout)) + 2 * MARGIN;

  *minimum = *natural = (int)ceil (size * self->zoom);
}

static void
ts_workflow_canvas_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  TsWorkflowView *self = TS_WORKFLOW_CANVAS (widget)->view;

  double ox, oy;

  ensure_layout (self);
  canvas_picture_offset (self, &ox, &oy);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ox, oy));
  gtk_snapshot_scale (snapshot, self->zoom, self->zoom);
  draw_picture (self, widget, snapshot, self->zoom);
  gtk_snapshot_restore (snapshot);
}

static void
ts_workflow_canvas_css_changed (GtkWidget         *widget,
                                GtkCssStyleChange *change)
{
  TsWorkflowView *self = TS_WORKFLOW_CANVAS (widget)->view;
  g_autofree char *font = NULL;

  GTK_WIDGET_CLASS (ts_workflow_canvas_parent_class)->css_changed (widget, change);

  /* A new font (size) lays the picture out again, at its next drawing. */
  if (self != NULL && self->layout_font != NULL)
    {
      font = describe_font (widget);
      if (g_strcmp0 (font, self->layout_font) != 0)
        gtk_widget_queue_resize (widget);
    }
  gtk_widget_queue_draw (widget);
}

static void
ts_workflow_canvas_class_init (TsWorkflowCanvasClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = ts_workflow_canvas_measure;
  widget_class->snapshot = ts_workflow_canvas_snapshot;
  widget_class->css_changed = ts_workflow_canvas_css_changed;

  gtk_widget_class_set_css_name (widget_class, "workflowcanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ts_workflow_canvas_init (TsWorkflowCanvas *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
}

/* ---- Hit testing ---- */

/* Canvas coordinates to the layout's. */
static TsWorkflowPoint
to_layout (TsWorkflowView *self,
           double          x,
           double          y)
{
  double ox, oy;

  canvas_picture_offset (self, &ox, &oy);
  return (TsWorkflowPoint) { (x - ox) / self->zoom - MARGIN, (y - oy) / self->zoom - MARGIN };
}

static const TsWorkflowEdge *
find_edge_at (TsWorkflowView *self,
              double          x,
              double          y,
              gboolean        only_available)
{
  TsWorkflowPoint point = to_layout (self, x, y);

  if (self->layout == NULL)
    return NULL;

  for (guint i = 0; i < ts_workflow_layout_get_n_edges (self->layout); i++)
    {
      const TsWorkflowEdge *edge = ts_workflow_layout_get_edge (self->layout, i);

      if (!edge->has_label || (only_available && !is_available (self, edge)))
        continue;

      if (fabs (point.x - edge->label_centre.x) <= edge->label_width / 2 + 4 &&
          fabs (point.y - edge->label_centre.y) <= edge->label_height / 2 + 4)
        return edge;
    }

  return NULL;
}

static void
on_canvas_released (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    TsWorkflowView  *self)
{
  const TsWorkflowEdge *edge = find_edge_at (self, x, y, TRUE);

  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
  if (edge != NULL && n_press == 1)
    {
      g_autofree char *trigger = g_strdup (edge->trigger);

      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      g_signal_emit (self, signals[TRIGGER_ACTIVATED], 0, trigger);
    }
}

static void
on_canvas_motion (GtkEventControllerMotion *controller,
                  double                    x,
                  double                    y,
                  TsWorkflowView           *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->canvas),
                                   find_edge_at (self, x, y, TRUE) != NULL ? "pointer" : NULL);
}

static gboolean
on_canvas_query_tooltip (GtkWidget      *widget,
                         int             x,
                         int             y,
                         gboolean        keyboard,
                         GtkTooltip     *tooltip,
                         TsWorkflowView *self)
{
  const TsWorkflowEdge *edge = find_edge_at (self, x, y, FALSE);

  if (edge == NULL || edge->trigger == NULL)
    return FALSE;

  if (is_available (self, edge))
    {
      /* TRANSLATORS: the tooltip of a trigger in the workflow picture that
       * the user can press now; %s is the trigger, e.g. "提交审核". */
      g_autofree char *text = g_strdup_printf (_("Click to %s"), edge->trigger);

      gtk_tooltip_set_text (tooltip, text);
    }
  else
    {
      gtk_tooltip_set_text (tooltip, edge->label);
    }

  return TRUE;
}

/* ---- Zooming and scrolling ---- */

static void
apply_pending_scroll (TsWorkflowView *self)
{
  GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  const TsWorkflowNode *node;

  if (self->want_current && self->layout != NULL && self->current_state != NULL &&
      gtk_adjustment_get_page_size (h) > 0 && gtk_adjustment_get_page_size (v) > 0 &&
      (node = ts_workflow_layout_lookup_node (self->layout, self->current_state)) != NULL)
    {
      self->want_current = FALSE;
      self->pending_x = (node->centre.x + MARGIN) * self->zoom - gtk_adjustment_get_page_size (h) / 2;
      self->pending_y = (node->centre.y + MARGIN) * self->zoom - gtk_adjustment_get_page_size (v) / 2;
      self->pending_h = self->pending_v = TRUE;
    }

  if (self->pending_h && gtk_adjustment_get_upper (h) > 0)
    {
      self->pending_h = FALSE;
      gtk_adjustment_set_value (h, self->pending_x);
    }

  if (self->pending_v && gtk_adjustment_get_upper (v) > 0)
    {
      self->pending_v = FALSE;
      gtk_adjustment_set_value (v, self->pending_y);
    }
}

static gboolean
apply_pending_scroll_cb (gpointer data)
{
  TsWorkflowView *self = data;

  self->scroll_source = 0;
  apply_pending_scroll (self);
  return G_SOURCE_REMOVE;
}

/* The canvas has a new size: scroll where asked, once the viewport has
 * configured both adjustments (not from inside its configuring them,
 * which would set the value back). */
static void
on_adjustment_changed (GtkAdjustment  *adjustment,
                       TsWorkflowView *self)
{
  if ((self->pending_h || self->pending_v || self->want_current) && self->scroll_source == 0)
    self->scroll_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_pending_scroll_cb, self, NULL);
}

static void
update_zoom_controls (TsWorkflowView *self)
{
  g_autofree char *percent = g_strdup_printf ("%d", (int)round (self->zoom * 100));
  /* TRANSLATORS: the zoom level of the workflow picture; %s is a number. */
  g_autofree char *text = g_strdup_printf (_("%s%%"), percent);

  gtk_button_set_label (GTK_BUTTON (self->zoom_label), text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workflow.zoom-in", self->zoom < ZOOM_MAX - 1e-6);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workflow.zoom-out", self->zoom > ZOOM_MIN + 1e-6);
}

/* Zooms keeping the picture's point under (@ax, @ay) of the scrolled
 * window where it is. */
static void
zoom_around (TsWorkflowView *self,
             double          zoom,
             double          ax,
             double          ay)
{
  GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  double page_width = gtk_adjustment_get_page_size (h);
  double page_height = gtk_adjustment_get_page_size (v);
  double old = self->zoom;
  double ox, oy, nx, ny, px, py;

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (fabs (zoom - old) < 1e-6)
    return;

  /* The picture's point under the anchor, before and after. */
  canvas_picture_offset (self, &ox, &oy);
  px = (ax + gtk_adjustment_get_value (h) - ox) / old;
  py = (ay + gtk_adjustment_get_value (v) - oy) / old;
  picture_offset (self, zoom, page_width, page_height, &nx, &ny);
  self->pending_x = px * zoom + nx - ax;
  self->pending_y = py * zoom + ny - ay;
  self->pending_h = self->pending_v = TRUE;

  self->zoom = zoom;
  gtk_widget_queue_resize (GTK_WIDGET (self->canvas));
  apply_pending_scroll (self);

  update_zoom_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static void
zoom_centred (TsWorkflowView *self,
              double          zoom)
{
  zoom_around (self, zoom,
               gtk_widget_get_width (self->scroller) / 2.0,
               gtk_widget_get_height (self->scroller) / 2.0);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsWorkflowView *self = TS_WORKFLOW_VIEW (widget);

  if (g_str_equal (action_name, "workflow.zoom-in"))
    zoom_centred (self, self->zoom * ZOOM_STEP);
  else if (g_str_equal (action_name, "workflow.zoom-out"))
    zoom_centred (self, self->zoom / ZOOM_STEP);
  else
    zoom_centred (self, 1.0);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           TsWorkflowView           *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (!(state & GDK_CONTROL_MASK) || dy == 0)
    return FALSE;

  if (self->has_pointer)
    zoom_around (self, self->zoom * pow (ZOOM_STEP, -CLAMP (dy, -3, 3)), self->pointer_x, self->pointer_y);
  else
    zoom_centred (self, self->zoom * pow (ZOOM_STEP, -CLAMP (dy, -3, 3)));

  return TRUE;
}

static void
on_scroller_motion (GtkEventControllerMotion *controller,
                    double                    x,
                    double                    y,
                    TsWorkflowView           *self)
{
  self->has_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
on_scroller_leave (GtkEventControllerMotion *controller,
                   TsWorkflowView           *self)
{
  self->has_pointer = FALSE;
}

/* Brings the current state into view, centred, once the canvas is
 * allocated: in a large workflow it may be far off. */
static void
scroll_to_current (TsWorkflowView *self)
{
  self->want_current = self->current_state != NULL;
  apply_pending_scroll (self);
}

/* ---- Accessibility ---- */

static char *
join_list (const char * const *items)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      if (i > 0)
        /* TRANSLATORS: between the items of a list read out, e.g. the
         * triggers a person can press ("提交审核、退回" in Chinese). */
        g_string_append (text, _(", "));
      g_string_append (text, items[i]);
    }

  return g_string_free (text, FALSE);
}

static void
update_accessible (TsWorkflowView *self)
{
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;

  if (self->project == NULL)
    return;

  /* TRANSLATORS: the accessible name of the workflow picture; %s is the
   * project's title, e.g. "网上问题处理". */
  label = g_strdup_printf (_("Workflow of %s"), ts_project_get_title (self->project));

  if (self->current_state == NULL)
    {
      g_autofree char *states = join_list (ts_project_get_states (self->project));

      /* TRANSLATORS: the accessible description of the workflow picture;
       * %s is the list of its states. */
      description = g_strdup_printf (_("States: %s"), states);
    }
  else if (self->available != NULL && self->available[0] != NULL)
    {
      g_autofree char *triggers = join_list ((const char * const *)self->available);

      /* TRANSLATORS: the accessible description of the workflow picture of
       * a ticket; the first %s is its state, the second the triggers the
       * person can press now. */
      description = g_strdup_printf (_("Current state: %s; you can: %s"), self->current_state, triggers);
    }
  else
    {
      /* TRANSLATORS: the accessible description of the workflow picture of
       * a ticket that the person cannot pass on; %s is its state. */
      description = g_strdup_printf (_("Current state: %s; nothing you can do now"), self->current_state);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* ---- The object ---- */

static void
ts_workflow_view_dispose (GObject *object)
{
  TsWorkflowView *self = TS_WORKFLOW_VIEW (object);

  g_clear_handle_id (&self->scroll_source, g_source_remove);
  g_clear_pointer (&self->overlay, gtk_widget_unparent);
  G_OBJECT_CLASS (ts_workflow_view_parent_class)->dispose (object);
}

static void
ts_workflow_view_finalize (GObject *object)
{
  TsWorkflowView *self = TS_WORKFLOW_VIEW (object);

  g_clear_object (&self->project);
  g_clear_object (&self->layout);
  g_clear_pointer (&self->layout_error, g_free);
  g_clear_pointer (&self->layout_font, g_free);
  g_clear_pointer (&self->current_state, g_free);
  g_clear_pointer (&self->available, g_strfreev);

  G_OBJECT_CLASS (ts_workflow_view_parent_class)->finalize (object);
}

static void
ts_workflow_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TsWorkflowView *self = TS_WORKFLOW_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_CURRENT_STATE:
      g_value_set_string (value, self->current_state);
      break;

    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_workflow_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TsWorkflowView *self = TS_WORKFLOW_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      ts_workflow_view_set_project (self, g_value_get_object (value));
      break;

    case PROP_CURRENT_STATE:
      ts_workflow_view_set_current_state (self, g_value_get_string (value));
      break;

    case PROP_ZOOM:
      ts_workflow_view_set_zoom (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_workflow_view_class_init (TsWorkflowViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_workflow_view_dispose;
  object_class->finalize = ts_workflow_view_finalize;
  object_class->get_property = ts_workflow_view_get_property;
  object_class->set_property = ts_workflow_view_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_STATE] =
    g_param_spec_string ("current-state", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TsWorkflowView::trigger-activated:
   * @trigger: the trigger clicked
   *
   * A trigger the user can press now was clicked in the picture.
   */
  signals[TRIGGER_ACTIVATED] =
    g_signal_new ("trigger-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "workflow.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "workflow.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "workflow.zoom-reset", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "workflow.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "workflow.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "workflow.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "workflow.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "workflow.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "workflow.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "workflow.zoom-reset", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "workflowview");
}

static GtkWidget *
zoom_button (const char *icon,
             const char *action,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);

  return button;
}

static void
ts_workflow_view_init (TsWorkflowView *self)
{
  GtkEventController *controller;
  GtkGesture *click;
  GtkWidget *zoom_box;
  GtkWidget *viewport;
  GtkWidget *box;

  self->zoom = 1.0;

  self->canvas = g_object_new (TS_TYPE_WORKFLOW_CANVAS, NULL);
  self->canvas->view = self;

  self->scroller = gtk_scrolled_window_new ();
  gtk_widget_set_hexpand (self->scroller, TRUE);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  /* The canvas is the whole picture: the viewport must not scroll back
   * to its corner whenever it gets the keyboard focus. */
  viewport = gtk_viewport_new (NULL, NULL);
  gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), FALSE);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), GTK_WIDGET (self->canvas));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), viewport);
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->scroller)),
                           "changed", G_CALLBACK (on_adjustment_changed), self, 0);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)),
                           "changed", G_CALLBACK (on_adjustment_changed), self, 0);

  /* Ctrl+scroll zooms; before the scrolled window scrolls with it. */
  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (self->scroller, controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_scroller_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_scroller_leave), self);
  gtk_widget_add_controller (self->scroller, controller);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_canvas_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_canvas_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), controller);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self->canvas), TRUE);
  g_signal_connect (self->canvas, "query-tooltip", G_CALLBACK (on_canvas_query_tooltip), self);

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_set_margin_start (self->error_label, 18);
  gtk_widget_set_margin_end (self->error_label, 18);
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_widget_add_css_class (self->error_label, "dim-label");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), self->scroller);
  gtk_box_append (GTK_BOX (box), self->error_label);

  zoom_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (zoom_box, "linked");
  gtk_widget_add_css_class (zoom_box, "osd");
  gtk_widget_set_halign (zoom_box, GTK_ALIGN_END);
  gtk_widget_set_valign (zoom_box, GTK_ALIGN_END);
  gtk_widget_set_margin_end (zoom_box, 12);
  gtk_widget_set_margin_bottom (zoom_box, 12);
  gtk_box_append (GTK_BOX (zoom_box),
                  zoom_button ("zoom-out-symbolic", "workflow.zoom-out", _("Zoom Out (Ctrl+−)")));
  self->zoom_label = gtk_button_new ();
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->zoom_label), "workflow.zoom-reset");
  gtk_widget_set_tooltip_text (self->zoom_label, _("Original Size (Ctrl+0)"));
  gtk_box_append (GTK_BOX (zoom_box), self->zoom_label);
  gtk_box_append (GTK_BOX (zoom_box),
                  zoom_button ("zoom-in-symbolic", "workflow.zoom-in", _("Zoom In (Ctrl++)")));

  self->overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (self->overlay), box);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), zoom_box);
  gtk_widget_set_parent (self->overlay, GTK_WIDGET (self));
  update_zoom_controls (self);
}

GtkWidget *
ts_workflow_view_new (void)
{
  return g_object_new (TS_TYPE_WORKFLOW_VIEW, NULL);
}

void
ts_workflow_view_set_project (TsWorkflowView *self,
                              TsProject      *project)
{
  g_return_if_fail (TS_IS_WORKFLOW_VIEW (self));
  g_return_if_fail (project == NULL || TS_IS_PROJECT (project));

  if (!g_set_object (&self->project, project))
    return;

  g_clear_object (&self->layout);
  g_clear_pointer (&self->layout_error, g_free);
  g_clear_pointer (&self->layout_font, g_free);
  gtk_widget_queue_resize (GTK_WIDGET (self->canvas));
  scroll_to_current (self);
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

TsProject *
ts_workflow_view_get_project (TsWorkflowView *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), NULL);

  return self->project;
}

void
ts_workflow_view_set_current_state (TsWorkflowView *self,
                                    const char     *state)
{
  g_return_if_fail (TS_IS_WORKFLOW_VIEW (self));

  if (g_strcmp0 (state, self->current_state) == 0)
    return;

  g_free (self->current_state);
  self->current_state = g_strdup (state);
  ensure_layout (self);
  scroll_to_current (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STATE]);
}

const char *
ts_workflow_view_get_current_state (TsWorkflowView *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), NULL);

  return self->current_state;
}

void
ts_workflow_view_set_available_triggers (TsWorkflowView     *self,
                                         const char * const *triggers)
{
  g_return_if_fail (TS_IS_WORKFLOW_VIEW (self));

  if (self->available == NULL && triggers == NULL)
    return;
  if (self->available != NULL && triggers != NULL &&
      g_strv_equal ((const char * const *)self->available, triggers))
    return;

  g_strfreev (self->available);
  self->available = g_strdupv ((GStrv)triggers);
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
  update_accessible (self);
}

const char * const *
ts_workflow_view_get_available_triggers (TsWorkflowView *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), NULL);

  return (const char * const *)self->available;
}

double
ts_workflow_view_get_zoom (TsWorkflowView *self)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), 1.0);

  return self->zoom;
}

void
ts_workflow_view_set_zoom (TsWorkflowView *self,
                           double          zoom)
{
  g_return_if_fail (TS_IS_WORKFLOW_VIEW (self));

  zoom_centred (self, zoom);
}

static gboolean
layout_rect_to_view (TsWorkflowView  *self,
                     double           cx,
                     double           cy,
                     double           width,
                     double           height,
                     graphene_rect_t *bounds)
{
  graphene_rect_t rect;
  graphene_matrix_t transform;
  double ox, oy;

  canvas_picture_offset (self, &ox, &oy);
  rect = GRAPHENE_RECT_INIT ((cx - width / 2 + MARGIN) * self->zoom + ox,
                             (cy - height / 2 + MARGIN) * self->zoom + oy,
                             width * self->zoom, height * self->zoom);

  if (!gtk_widget_compute_transform (GTK_WIDGET (self->canvas), GTK_WIDGET (self), &transform))
    return FALSE;

  graphene_matrix_transform_bounds (&transform, &rect, bounds);
  return TRUE;
}

gboolean
ts_workflow_view_get_trigger_bounds (TsWorkflowView  *self,
                                     const char      *trigger,
                                     graphene_rect_t *bounds)
{
  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), FALSE);
  g_return_val_if_fail (trigger != NULL, FALSE);

  if (self->layout == NULL)
    return FALSE;

  for (guint i = 0; i < ts_workflow_layout_get_n_edges (self->layout); i++)
    {
      const TsWorkflowEdge *edge = ts_workflow_layout_get_edge (self->layout, i);

      if (g_strcmp0 (edge->trigger, trigger) != 0 || !edge->has_label ||
          (self->current_state != NULL && g_strcmp0 (edge->from, self->current_state) != 0))
        continue;

      return layout_rect_to_view (self, edge->label_centre.x, edge->label_centre.y,
                                  edge->label_width, edge->label_height, bounds);
    }

  return FALSE;
}

gboolean
ts_workflow_view_get_state_bounds (TsWorkflowView  *self,
                                   const char      *state,
                                   graphene_rect_t *bounds)
{
  const TsWorkflowNode *node;

  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), FALSE);

  if (self->layout == NULL || (node = ts_workflow_layout_lookup_node (self->layout, state)) == NULL)
    return FALSE;

  return layout_rect_to_view (self, node->centre.x, node->centre.y, node->width, node->height, bounds);
}

/**
 * ts_workflow_view_render:
 * @self: a view
 * @width: (out): the picture's width
 * @height: (out): the picture's height
 *
 * Returns: (transfer full) (nullable): the picture at zoom 1, as the view
 *   draws it
 */
GskRenderNode *
ts_workflow_view_render (TsWorkflowView *self,
                         int            *width,
                         int            *height)
{
  GtkSnapshot *snapshot;

  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), NULL);

  ensure_layout (self);
  if (self->layout == NULL)
    return NULL;

  *width = (int)ceil (ts_workflow_layout_get_width (self->layout) + 2 * MARGIN);
  *height = (int)ceil (ts_workflow_layout_get_height (self->layout) + 2 * MARGIN);

  snapshot = gtk_snapshot_new ();
  draw_picture (self, GTK_WIDGET (self->canvas), snapshot, 1.0);
  return gtk_snapshot_free_to_node (snapshot);
}

static cairo_status_t
write_to_stream (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  GOutputStream *stream = closure;

  if (!g_output_stream_write_all (stream, data, length, NULL, NULL, NULL))
    return CAIRO_STATUS_WRITE_ERROR;

  return CAIRO_STATUS_SUCCESS;
}

/**
 * ts_workflow_view_save:
 * @self: a view
 * @file: where to write
 * @format: PNG or SVG
 * @error: where to put a failure
 *
 * Returns: whether the picture was written
 */
gboolean
ts_workflow_view_save (TsWorkflowView           *self,
                       GFile                    *file,
                       TsWorkflowPictureFormat   format,
                       GError                  **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autofree char *name = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  int width = 0, height = 0;

  g_return_val_if_fail (TS_IS_WORKFLOW_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  name = g_file_get_parse_name (file);
  node = ts_workflow_view_render (self, &width, &height);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* TRANSLATORS: %s is a file name; the second sentence
                    * is why (Graphviz's message). */
                   _("Cannot save the workflow picture as “%s”: %s"), name,
                   self->layout_error != NULL ? self->layout_error : _("there is no picture"));
      return FALSE;
    }

  /* g_file_replace() writes a temporary file and renames it on close. */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;

  if (format == TS_WORKFLOW_PICTURE_SVG)
    surface = cairo_svg_surface_create_for_stream (write_to_stream, stream, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  cr = cairo_create (surface);
  if (format == TS_WORKFLOW_PICTURE_PNG)
    {
      /* A picture on its own gets the window's background, not none. */
      GdkRGBA background;

      lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self->canvas)),
                    "window_bg_color", "#fafafa", &background);
      gdk_cairo_set_source_rgba (cr, &background);
      cairo_paint (cr);
    }
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);

  if (format == TS_WORKFLOW_PICTURE_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_to_stream, stream);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot save the workflow picture as “%s”: %s"), name,
                   cairo_status_to_string (status));
      /* Closed as cancelled: the file it would replace stays as it was. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
