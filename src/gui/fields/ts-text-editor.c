/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-text-editor"

#include "config.h"

#include "ts-text-editor.h"

#define TEXT_MARGIN_X   8
#define TEXT_MARGIN_Y   6
/* Text views grow with their text up to this many lines, then scroll. */
#define TEXT_MAX_ROWS  24
#define DEFAULT_ROWS    4

struct _TsTextEditor
{
  GtkWidget  parent_instance;

  TsField   *field;
  GtkWidget *view;
  GtkWidget *scrolled;     /* what shows the "error" style */
  GtkWidget *placeholder;
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsTextEditor, ts_text_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static void
update_placeholder (TsTextEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));

  if (self->placeholder != NULL)
    gtk_widget_set_visible (self->placeholder, gtk_text_buffer_get_char_count (buffer) == 0);
}

/* The minimum height: `rows` lines of the text view's font. */
static void
update_height (TsTextEditor *self)
{
  PangoContext *context = gtk_widget_get_pango_context (self->view);
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int line = PANGO_PIXELS_CEIL (pango_font_metrics_get_height (metrics));
  guint rows = ts_field_get_rows (self->field);
  int extra = 2 * TEXT_MARGIN_Y;

  if (line <= 0)
    line = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) +
                              pango_font_metrics_get_descent (metrics));
  pango_font_metrics_unref (metrics);
  if (rows == 0)
    rows = DEFAULT_ROWS;

  /* GtkScrolledWindow refuses a minimum above the maximum and the reverse:
   * clear the minimum, then set the maximum, then the minimum. */
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->scrolled), -1);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scrolled),
                                              MAX (rows, TEXT_MAX_ROWS) * line + extra);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->scrolled),
                                              rows * line + extra);
}

static void
on_buffer_changed (TsTextEditor *self)
{
  update_placeholder (self);
  ts_field_editor_changed (TS_FIELD_EDITOR (self));
}

static TsField *
ts_text_editor_get_field (TsFieldEditor *editor)
{
  return TS_TEXT_EDITOR (editor)->field;
}

static JsonNode *
ts_text_editor_dup_value (TsFieldEditor *editor)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (TS_TEXT_EDITOR (editor)->view));
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return ts_field_editor_new_string_node (text);
}

static void
ts_text_editor_set_value (TsFieldEditor *editor,
                          JsonNode      *value)
{
  g_autofree char *text = ts_field_editor_value_to_text (value);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (TS_TEXT_EDITOR (editor)->view)), text, -1);
}

static void
ts_text_editor_set_editable (TsFieldEditor *editor,
                             gboolean       editable)
{
  /* Only the editability changes, never "cursor-visible": GTK 4.8
   * aborts in the blink timeout of a focused text view whose cursor
   * was hidden under it (blink_cb: assertion cursor_visible), which
   * is what happens when a trigger passes the ticket on while the
   * cursor is in a text field.  A caret in read-only text is useful
   * anyway: it lets the keyboard select and copy. */
  gtk_text_view_set_editable (GTK_TEXT_VIEW (TS_TEXT_EDITOR (editor)->view), editable);
}

static GtkWidget *
ts_text_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_TEXT_EDITOR (editor)->view;
}

static GtkWidget *
ts_text_editor_get_frame (TsFieldEditor *editor)
{
  return TS_TEXT_EDITOR (editor)->scrolled;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_text_editor_get_field;
  iface->dup_value = ts_text_editor_dup_value;
  iface->set_value = ts_text_editor_set_value;
  iface->set_editable = ts_text_editor_set_editable;
  iface->get_focus_widget = ts_text_editor_get_focus_widget;
  iface->get_frame = ts_text_editor_get_frame;
  iface->wide = TRUE;
}

static void
ts_text_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_text_editor_parent_class)->dispose (object);
}

static void
ts_text_editor_finalize (GObject *object)
{
  g_clear_object (&TS_TEXT_EDITOR (object)->field);

  G_OBJECT_CLASS (ts_text_editor_parent_class)->finalize (object);
}

static void
ts_text_editor_class_init (TsTextEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_text_editor_dispose;
  object_class->finalize = ts_text_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_text_editor_init (TsTextEditor *self)
{
}

TsTextEditor *
ts_text_editor_new (TsField *field)
{
  TsTextEditor *self;
  GtkWidget *overlay;
  const char *placeholder;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_TEXT_EDITOR, NULL);
  self->field = g_object_ref (field);
  placeholder = ts_field_get_placeholder (field);

  self->view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->view), TEXT_MARGIN_X);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (self->view), TEXT_MARGIN_X);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->view), TEXT_MARGIN_Y);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (self->view), TEXT_MARGIN_Y);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->view), FALSE);

  /* Grows with its text from `rows` lines; the window scrolls, and only a
   * very long text scrolls inside. */
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scrolled), TRUE);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (self->scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), self->view);
  gtk_widget_set_hexpand (self->scrolled, TRUE);

  overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (overlay), self->scrolled);

  /* GTK 4.8's text view has no placeholder: a dim label over it while
   * the buffer is empty, aligned with the text's first line. */
  if (placeholder != NULL)
    {
      self->placeholder = gtk_label_new (placeholder);
      gtk_label_set_wrap (GTK_LABEL (self->placeholder), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (self->placeholder), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (self->placeholder), 0);
      gtk_label_set_yalign (GTK_LABEL (self->placeholder), 0);
      gtk_widget_set_halign (self->placeholder, GTK_ALIGN_FILL);
      gtk_widget_set_valign (self->placeholder, GTK_ALIGN_START);
      gtk_widget_set_margin_start (self->placeholder, TEXT_MARGIN_X + 1);
      gtk_widget_set_margin_end (self->placeholder, TEXT_MARGIN_X + 1);
      gtk_widget_set_margin_top (self->placeholder, TEXT_MARGIN_Y + 1);
      gtk_widget_set_can_target (self->placeholder, FALSE);
      gtk_widget_set_can_focus (self->placeholder, FALSE);
      gtk_widget_add_css_class (self->placeholder, "dim-label");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->placeholder);
    }

  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view)), "changed",
                            G_CALLBACK (on_buffer_changed), self);
  g_signal_connect_swapped (self->view, "realize", G_CALLBACK (update_height), self);
  update_height (self);

  ts_field_editor_set_child (TS_FIELD_EDITOR (self), overlay);
  return self;
}
