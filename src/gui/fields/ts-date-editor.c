/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-date-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ts-date-editor.h"

/* A button showing the day ("2026-12-03", or "—"), whose popover has a
 * calendar and a Clear button.  The value is the text YYYY-MM-DD. */
struct _TsDateEditor
{
  GtkWidget  parent_instance;

  TsField   *field;
  GtkWidget *button;
  GtkWidget *popover;
  GtkWidget *calendar;
  GtkWidget *clear_button;
  char      *date;
  guint      selecting;   /* > 0 while the editor moves the calendar */
};

static void field_editor_iface_init (TsFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsDateEditor, ts_date_editor, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (TS_TYPE_FIELD_EDITOR, field_editor_iface_init))

static GDateTime *
parse_date (const char *str)
{
  guint64 y, m, d;

  if (str == NULL || strlen (str) != 10 || str[4] != '-' || str[7] != '-')
    return NULL;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (str[i]))
      return NULL;

  y = g_ascii_strtoull (str, NULL, 10);
  m = g_ascii_strtoull (str + 5, NULL, 10);
  d = g_ascii_strtoull (str + 8, NULL, 10);
  if (y < 1 || y > 9999 || !g_date_valid_dmy (d, m, y))
    return NULL;

  return g_date_time_new_local (y, m, d, 0, 0, 0);
}

static void
update_button (TsDateEditor *self)
{
  const char *date = self->date != NULL ? self->date : "";

  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->button), *date != '\0' ? date : _("—"));
  gtk_widget_set_sensitive (self->clear_button, *date != '\0');
}

static void
set_date (TsDateEditor *self,
          const char   *date)
{
  if (g_strcmp0 (self->date, date) == 0)
    return;

  g_free (self->date);
  self->date = g_strdup (date);
  update_button (self);
  ts_field_editor_changed (TS_FIELD_EDITOR (self));
}

static void
commit_calendar (TsDateEditor *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (GTK_CALENDAR (self->calendar));
  g_autofree char *str = g_date_time_format (date, "%Y-%m-%d");

  gtk_popover_popdown (GTK_POPOVER (self->popover));
  set_date (self, str);
}

static void
on_calendar_day_selected (GtkCalendar  *calendar,
                          TsDateEditor *self)
{
  if (self->selecting > 0 || !gtk_widget_get_mapped (self->popover))
    return;
  commit_calendar (self);
}

/* A click on the day that is already selected (today, when the field is
 * empty) emits no "day-selected"; it still means "this day". */
static void
on_calendar_released (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      TsDateEditor    *self)
{
  GtkWidget *picked = gtk_widget_pick (self->calendar, x, y, GTK_PICK_DEFAULT);

  if (picked != NULL && gtk_widget_has_css_class (picked, "day-number") &&
      gtk_widget_get_mapped (self->popover))
    commit_calendar (self);
}

static void
on_popover_show (GtkPopover   *popover,
                 TsDateEditor *self)
{
  g_autoptr(GDateTime) date = parse_date (self->date);

  if (date == NULL)
    date = g_date_time_new_now_local ();

  self->selecting++;
  gtk_calendar_select_day (GTK_CALENDAR (self->calendar), date);
  self->selecting--;
}

static void
on_clear_clicked (GtkButton    *button,
                  TsDateEditor *self)
{
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  set_date (self, "");
}

static TsField *
ts_date_editor_get_field (TsFieldEditor *editor)
{
  return TS_DATE_EDITOR (editor)->field;
}

static JsonNode *
ts_date_editor_dup_value (TsFieldEditor *editor)
{
  return ts_field_editor_new_string_node (TS_DATE_EDITOR (editor)->date);
}

static void
ts_date_editor_set_value (TsFieldEditor *editor,
                          JsonNode      *value)
{
  g_autofree char *text = ts_field_editor_value_to_text (value);

  set_date (TS_DATE_EDITOR (editor), text);
}

static void
ts_date_editor_set_editable (TsFieldEditor *editor,
                             gboolean       editable)
{
  gtk_widget_set_sensitive (TS_DATE_EDITOR (editor)->button, editable);
}

static GtkWidget *
ts_date_editor_get_focus_widget (TsFieldEditor *editor)
{
  return TS_DATE_EDITOR (editor)->button;
}

static void
field_editor_iface_init (TsFieldEditorInterface *iface)
{
  iface->get_field = ts_date_editor_get_field;
  iface->dup_value = ts_date_editor_dup_value;
  iface->set_value = ts_date_editor_set_value;
  iface->set_editable = ts_date_editor_set_editable;
  iface->get_focus_widget = ts_date_editor_get_focus_widget;
  iface->wide = FALSE;
}

static void
ts_date_editor_dispose (GObject *object)
{
  ts_field_editor_dispose_children (TS_FIELD_EDITOR (object));

  G_OBJECT_CLASS (ts_date_editor_parent_class)->dispose (object);
}

static void
ts_date_editor_finalize (GObject *object)
{
  TsDateEditor *self = TS_DATE_EDITOR (object);

  g_clear_pointer (&self->date, g_free);
  g_clear_object (&self->field);

  G_OBJECT_CLASS (ts_date_editor_parent_class)->finalize (object);
}

static void
ts_date_editor_class_init (TsDateEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_date_editor_dispose;
  object_class->finalize = ts_date_editor_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
ts_date_editor_init (TsDateEditor *self)
{
}

TsDateEditor *
ts_date_editor_new (TsField *field)
{
  TsDateEditor *self;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkGesture *click;

  g_return_val_if_fail (TS_IS_FIELD (field), NULL);

  self = g_object_new (TS_TYPE_DATE_EDITOR, NULL);
  self->field = g_object_ref (field);

  self->calendar = gtk_calendar_new ();
  g_signal_connect (self->calendar, "day-selected", G_CALLBACK (on_calendar_day_selected), self);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (on_calendar_released), self);
  gtk_widget_add_controller (self->calendar, GTK_EVENT_CONTROLLER (click));

  self->clear_button = gtk_button_new_with_mnemonic (_("_Clear"));
  gtk_widget_set_halign (self->clear_button, GTK_ALIGN_END);
  g_signal_connect (self->clear_button, "clicked", G_CALLBACK (on_clear_clicked), self);

  gtk_box_append (GTK_BOX (box), self->calendar);
  gtk_box_append (GTK_BOX (box), self->clear_button);

  self->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->popover), box);
  g_signal_connect (self->popover, "show", G_CALLBACK (on_popover_show), self);

  self->button = gtk_menu_button_new ();
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), self->popover);
  gtk_menu_button_set_always_show_arrow (GTK_MENU_BUTTON (self->button), TRUE);
  gtk_widget_set_valign (self->button, GTK_ALIGN_CENTER);

  self->date = g_strdup ("");
  update_button (self);
  ts_field_editor_set_child (TS_FIELD_EDITOR (self), self->button);
  return self;
}
