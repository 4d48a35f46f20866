/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-form"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ts-ticket-form.h"

/* How the form is laid out: a column of AdwPreferencesGroup boxes, the
 * first with the system fields, then the schema's fields in schema order,
 * consecutive fields with the same `group` under one heading.  Each
 * schema field is one AdwPreferencesRow holding its label, its widget (on
 * the label's line for the short ones, below it for the wide ones), its
 * help and its error.
 *
 * Integer fields are a GtkSpinButton whose text is the truth: an empty
 * text is null (no value), "0" is zero, and clearing the text is how a
 * person empties the field.  The spin button's own parsing would clamp or
 * reset what is typed when the focus leaves; the "input" and "output"
 * handlers below keep an empty or out-of-range text as typed, so the
 * person sees the value and its error instead of a silent change, while
 * the arrows still step within min and max.
 *
 * "modified" means "differs from the ticket": each editor compares its
 * widget's value (as JSON) with what set_ticket put there, and the form
 * counts the editors that differ. */

#define TEXT_MARGIN_X   8
#define TEXT_MARGIN_Y   6
/* Text views grow with their text up to this many lines, then scroll. */
#define TEXT_MAX_ROWS  24
#define DEFAULT_ROWS    4
/* The narrowest an entry with a width_chars hint may become. */
#define MIN_ENTRY_CHARS 20

typedef struct _FieldEditor FieldEditor;

struct _TsTicketForm
{
  GtkWidget      parent_instance;

  TsProject     *project;
  TsTicket      *ticket;
  GPtrArray     *members;     /* of TsMember, as the store gave them */

  GtkWidget     *clamp;
  GtkWidget     *box;
  GtkWidget     *system_values[6];

  GPtrArray     *editors;     /* of FieldEditor, schema order */
  GHashTable    *by_name;     /* field name → FieldEditor (unowned) */

  char          *scroll_field; /* the field to show on the next frame */
  guint          scroll_tick;

  guint          updating;    /* > 0 while the form itself sets widgets */
  guint          n_differing;
  guint          editable : 1;
  guint          modified : 1;
  guint          disposed : 1;
};

struct _FieldEditor
{
  TsTicketForm  *form;        /* unowned: it owns us */
  TsField       *field;       /* unowned: the project owns it */

  GtkWidget     *row;
  GtkWidget     *label;       /* the visible label */
  GtkWidget     *widget;      /* what edits the value */
  GtkWidget     *frame;       /* what shows the "error" style */
  GtkWidget     *help_label;
  GtkWidget     *error_label;
  GtkWidget     *hint_box;    /* what a trigger waits for in this field */
  GtkWidget     *hint_label;

  /* text */
  GtkWidget     *placeholder;
  /* url */
  GtkWidget     *open_button;
  /* date */
  GtkWidget     *calendar;
  GtkWidget     *popover;
  GtkWidget     *clear_button;
  char          *date;
  /* choice, user: the value at each position of the drop-down, shown
   * from a GtkStringList (choice) or a GListStore of TsMember (user) */
  GtkStringList *strings;
  GListStore    *people;
  GPtrArray     *values;

  /* integer: the spin button's value when its text was last formatted */
  double         spin_value;

  JsonNode      *original;    /* what the ticket holds, as shown */
  guint          differs : 1;
};

G_DEFINE_FINAL_TYPE (TsTicketForm, ts_ticket_form, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_MODIFIED,
  PROP_EDITABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const system_fields[] = {
  "key", "state", "assigned_to", "created_by", "created_at", "updated_at",
};

static void field_editor_changed (FieldEditor *fe);

static void
field_editor_free (FieldEditor *fe)
{
  g_clear_pointer (&fe->date, g_free);
  g_clear_pointer (&fe->values, g_ptr_array_unref);
  g_clear_pointer (&fe->original, json_node_unref);
  g_free (fe);
}

static TsFieldType
field_editor_type (FieldEditor *fe)
{
  return ts_field_get_field_type (fe->field);
}

static gboolean
field_editor_is_editable (FieldEditor *fe)
{
  return fe->form->editable && !ts_field_get_readonly (fe->field);
}

static JsonNode *
new_string_node (const char *str)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str != NULL ? str : "");
  return node;
}

/* ---- integer ---------------------------------------------------------- */

typedef enum
{
  INTEGER_NULL,
  INTEGER_VALUE,
  INTEGER_GARBAGE,
} IntegerParse;

static IntegerParse
parse_integer_text (const char *text,
                    gint64     *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *digits = copy;

  if (*copy == '\0')
    return INTEGER_NULL;

  /* g_ascii_string_to_signed() refuses a leading '+'; a person may type one. */
  if (*digits == '+')
    digits++;

  if (g_ascii_string_to_signed (digits, 10, G_MININT64, G_MAXINT64, value, NULL))
    return INTEGER_VALUE;
  return INTEGER_GARBAGE;
}

static int
on_spin_input (GtkSpinButton *spin,
               double        *new_value,
               FieldEditor   *fe)
{
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  gint64 value;

  if (parse_integer_text (gtk_editable_get_text (GTK_EDITABLE (spin)), &value) == INTEGER_VALUE &&
      value >= gtk_adjustment_get_lower (adjustment) &&
      value <= gtk_adjustment_get_upper (adjustment))
    {
      *new_value = (double)value;
      return TRUE;
    }

  /* Empty (null), out of range or not a number: no new value, and the
   * text stays as typed (see "output"). */
  return GTK_INPUT_ERROR;
}

/* The spin button formats its text when it is realized, when the focus
 * leaves and when its value changes.  Only a real change of the value (an
 * arrow, a scroll, Up or Down) may replace the text; otherwise an empty
 * text (null) or a value being typed would be overwritten. */
static gboolean
on_spin_output (GtkSpinButton *spin,
                FieldEditor   *fe)
{
  double value = gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  if (value == fe->spin_value)
    return TRUE;

  fe->spin_value = value;
  text = g_strdup_printf ("%.0f", value);
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
integer_set_value (FieldEditor *fe,
                   JsonNode    *value)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (fe->widget);
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  g_autofree char *text = NULL;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    text = g_strdup ("");
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
    {
      gint64 number = json_node_get_int (value);

      if (number >= gtk_adjustment_get_lower (adjustment) &&
          number <= gtk_adjustment_get_upper (adjustment))
        gtk_adjustment_set_value (adjustment, (double)number);
      text = g_strdup_printf ("%" G_GINT64_FORMAT, number);
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (value));
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_DOUBLE)
    text = g_strdup_printf ("%.0f", json_node_get_double (value));
  else
    text = g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
}

/* ---- choice and user: a drop-down over a list of values --------------- */

/* A choice's item: the value, or "—" for none. */
static const char *
choice_display (const char *value)
{
  return *value != '\0' ? value : _("—");
}

static const char *
dropdown_get_value (FieldEditor *fe)
{
  guint position = gtk_drop_down_get_selected (GTK_DROP_DOWN (fe->widget));

  if (position < fe->values->len)
    return g_ptr_array_index (fe->values, position);
  return "";
}

static gboolean
dropdown_lookup (FieldEditor *fe,
                 const char  *value,
                 guint       *position)
{
  for (guint i = 0; i < fe->values->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (fe->values, i), value))
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
dropdown_add_value (FieldEditor *fe,
                    GPtrArray   *people,
                    const char  *value,
                    TsMember    *member)
{
  guint position;

  if (dropdown_lookup (fe, value, &position))
    return;
  g_ptr_array_add (fe->values, g_strdup (value));
  if (people != NULL)
    g_ptr_array_add (people, member != NULL ? g_object_ref (member) : ts_member_new (value, NULL));
}

/* Rebuilds the list from the schema's choices or the project's members,
 * keeping @keep (the value shown now) even when it is not among them, so
 * nothing the ticket holds is lost.  A user field's first item is
 * "nobody", a member whose login is empty. */
static void
dropdown_rebuild (FieldEditor *fe,
                  const char  *keep)
{
  g_autoptr(GPtrArray) people = NULL;
  guint position = 0;

  g_ptr_array_set_size (fe->values, 0);

  if (field_editor_type (fe) == TS_FIELD_CHOICE)
    {
      const char * const *choices = ts_field_get_choices (fe->field);

      if (!ts_field_get_required (fe->field) || ts_field_get_default (fe->field) == NULL)
        dropdown_add_value (fe, NULL, "", NULL);
      for (guint i = 0; choices != NULL && choices[i] != NULL; i++)
        dropdown_add_value (fe, NULL, choices[i], NULL);
    }
  else
    {
      GPtrArray *members = fe->form->members;

      people = g_ptr_array_new_with_free_func (g_object_unref);
      dropdown_add_value (fe, people, "", NULL);
      for (guint i = 0; members != NULL && i < members->len; i++)
        {
          TsMember *member = g_ptr_array_index (members, i);

          dropdown_add_value (fe, people, ts_member_get_login (member), member);
        }
    }

  if (keep != NULL)
    dropdown_add_value (fe, people, keep, NULL);

  fe->form->updating++;
  if (people != NULL)
    {
      g_list_store_splice (fe->people, 0, g_list_model_get_n_items (G_LIST_MODEL (fe->people)),
                           people->pdata, people->len);
    }
  else
    {
      g_autoptr(GPtrArray) display = g_ptr_array_new ();

      for (guint i = 0; i < fe->values->len; i++)
        g_ptr_array_add (display, (gpointer)choice_display (g_ptr_array_index (fe->values, i)));
      g_ptr_array_add (display, NULL);
      gtk_string_list_splice (fe->strings, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (fe->strings)),
                              (const char * const *)display->pdata);
    }
  if (keep != NULL)
    dropdown_lookup (fe, keep, &position);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (fe->widget), position);
  fe->form->updating--;
}

static void
dropdown_set_value (FieldEditor *fe,
                    const char  *value)
{
  guint position;

  if (!dropdown_lookup (fe, value, &position))
    {
      dropdown_rebuild (fe, value);
      return;
    }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (fe->widget), position);
}

/* ---- date ------------------------------------------------------------- */

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
date_update_button (FieldEditor *fe)
{
  const char *date = fe->date != NULL ? fe->date : "";

  gtk_menu_button_set_label (GTK_MENU_BUTTON (fe->widget), *date != '\0' ? date : _("—"));
  gtk_widget_set_sensitive (fe->clear_button, *date != '\0');
}

static void
date_set_value (FieldEditor *fe,
                const char  *date)
{
  if (g_strcmp0 (fe->date, date) == 0)
    return;

  g_free (fe->date);
  fe->date = g_strdup (date);
  date_update_button (fe);
  field_editor_changed (fe);
}

static void
date_commit_calendar (FieldEditor *fe)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (GTK_CALENDAR (fe->calendar));
  g_autofree char *str = g_date_time_format (date, "%Y-%m-%d");

  gtk_popover_popdown (GTK_POPOVER (fe->popover));
  date_set_value (fe, str);
}

static void
on_calendar_day_selected (GtkCalendar *calendar,
                          FieldEditor *fe)
{
  if (fe->form->updating > 0 || !gtk_widget_get_mapped (fe->popover))
    return;
  date_commit_calendar (fe);
}

/* A click on the day that is already selected (today, when the field is
 * empty) emits no "day-selected"; it still means "this day". */
static void
on_calendar_released (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      FieldEditor     *fe)
{
  GtkWidget *picked = gtk_widget_pick (fe->calendar, x, y, GTK_PICK_DEFAULT);

  if (picked != NULL && gtk_widget_has_css_class (picked, "day-number") &&
      gtk_widget_get_mapped (fe->popover))
    date_commit_calendar (fe);
}

static void
on_date_popover_show (GtkPopover  *popover,
                      FieldEditor *fe)
{
  g_autoptr(GDateTime) date = parse_date (fe->date);

  if (date == NULL)
    date = g_date_time_new_now_local ();

  fe->form->updating++;
  gtk_calendar_select_day (GTK_CALENDAR (fe->calendar), date);
  fe->form->updating--;
}

static void
on_date_clear_clicked (GtkButton   *button,
                       FieldEditor *fe)
{
  gtk_popover_popdown (GTK_POPOVER (fe->popover));
  date_set_value (fe, "");
}

/* ---- text ------------------------------------------------------------- */

static char *
text_view_get_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
text_update_placeholder (FieldEditor *fe)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (fe->widget));

  if (fe->placeholder != NULL)
    gtk_widget_set_visible (fe->placeholder, gtk_text_buffer_get_char_count (buffer) == 0);
}

/* The minimum height: `rows` lines of the text view's font. */
static void
text_update_height (FieldEditor *fe)
{
  GtkWidget *scrolled = fe->frame;
  PangoContext *context = gtk_widget_get_pango_context (fe->widget);
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int line = PANGO_PIXELS_CEIL (pango_font_metrics_get_height (metrics));
  guint rows = ts_field_get_rows (fe->field);
  int extra = 2 * TEXT_MARGIN_Y;

  if (line <= 0)
    line = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) +
                              pango_font_metrics_get_descent (metrics));
  pango_font_metrics_unref (metrics);
  if (rows == 0)
    rows = DEFAULT_ROWS;

  /* GtkScrolledWindow refuses a minimum above the maximum and the reverse:
   * clear the minimum, then set the maximum, then the minimum. */
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), -1);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled),
                                              MAX (rows, TEXT_MAX_ROWS) * line + extra);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled),
                                              rows * line + extra);
}

/* ---- url -------------------------------------------------------------- */

static gboolean
url_is_openable (FieldEditor *fe,
                 const char  *url)
{
  g_autoptr(JsonNode) node = NULL;

  /* Only what a browser or the application itself should open: a link in
   * a ticket must not run file:, javascript: or another handler. */
  static const char * const schemes[] = { "http", "https", "ftp", "ftps", "mailto", "tasksteper", NULL };
  g_autofree char *scheme = NULL;

  if (url == NULL || *url == '\0')
    return FALSE;
  node = new_string_node (url);
  if (!ts_field_check_value (fe->field, node, NULL))
    return FALSE;
  if ((scheme = g_uri_parse_scheme (url)) == NULL)
    return FALSE;
  for (char *c = scheme; *c; c++)
    *c = g_ascii_tolower (*c);
  return g_strv_contains (schemes, scheme);
}

static void
url_update_button (FieldEditor *fe)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (fe->widget));

  gtk_widget_set_sensitive (fe->open_button, url_is_openable (fe, url));
}

#define TICKET_SCHEME "tasksteper://"

static void
on_open_url_clicked (GtkButton   *button,
                     FieldEditor *fe)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (fe->widget))));
  GtkRoot *root;

  if (!url_is_openable (fe, url))
    return;

  if (g_ascii_strncasecmp (url, TICKET_SCHEME, strlen (TICKET_SCHEME)) == 0)
    {
      g_autofree char *target = g_strdup (url + strlen (TICKET_SCHEME));
      gsize len = strlen (target);

      while (len > 0 && target[len - 1] == '/')
        target[--len] = '\0';

      /* The application installs app.open-ticket; without it (a test, a
       * window on its own) the link does nothing. */
      gtk_widget_activate_action (GTK_WIDGET (button), "app.open-ticket", "s", target);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (button));
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
}

/* ---- reading and writing any field ------------------------------------ */

static JsonNode *
field_editor_dup_value (FieldEditor *fe)
{
  switch (field_editor_type (fe))
    {
    case TS_FIELD_STRING:
    case TS_FIELD_URL:
      return new_string_node (gtk_editable_get_text (GTK_EDITABLE (fe->widget)));

    case TS_FIELD_TEXT:
      {
        g_autofree char *text = text_view_get_text (GTK_TEXT_VIEW (fe->widget));
        return new_string_node (text);
      }

    case TS_FIELD_CHOICE:
    case TS_FIELD_USER:
      return new_string_node (dropdown_get_value (fe));

    case TS_FIELD_DATE:
      return new_string_node (fe->date);

    case TS_FIELD_BOOLEAN:
      {
        JsonNode *node = json_node_new (JSON_NODE_VALUE);
        json_node_set_boolean (node, gtk_check_button_get_active (GTK_CHECK_BUTTON (fe->widget)));
        return node;
      }

    case TS_FIELD_INTEGER:
      {
        const char *text = gtk_editable_get_text (GTK_EDITABLE (fe->widget));
        gint64 value;

        switch (parse_integer_text (text, &value))
          {
          case INTEGER_NULL:
            return json_node_new (JSON_NODE_NULL);
          case INTEGER_VALUE:
            {
              JsonNode *node = json_node_new (JSON_NODE_VALUE);
              json_node_set_int (node, value);
              return node;
            }
          case INTEGER_GARBAGE:
          default:
            /* Not a number: kept as typed, and shown as an error. */
            return new_string_node (text);
          }
      }

    default:
      g_assert_not_reached ();
    }
}

static const char *
node_get_string (JsonNode *value)
{
  if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
      json_node_get_value_type (value) == G_TYPE_STRING)
    return json_node_get_string (value);
  return NULL;
}

/* Puts @value into the widget.  The form's "updating" count must be
 * raised by the caller when this is not a person's edit. */
static void
field_editor_set_value (FieldEditor *fe,
                        JsonNode    *value)
{
  const char *str = node_get_string (value);
  g_autofree char *other = NULL;

  /* A value of the wrong JSON type (a schema changed under old tickets)
   * is shown as text rather than dropped. */
  if (str == NULL && value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
      field_editor_type (fe) != TS_FIELD_BOOLEAN && field_editor_type (fe) != TS_FIELD_INTEGER)
    {
      GType type = json_node_get_value_type (value);

      if (type == G_TYPE_INT64)
        other = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
      else if (type == G_TYPE_DOUBLE)
        other = g_strdup_printf ("%g", json_node_get_double (value));
      else if (type == G_TYPE_BOOLEAN)
        other = g_strdup (json_node_get_boolean (value) ? "true" : "false");
      str = other;
    }
  if (str == NULL)
    str = "";

  switch (field_editor_type (fe))
    {
    case TS_FIELD_STRING:
    case TS_FIELD_URL:
      gtk_editable_set_text (GTK_EDITABLE (fe->widget), str);
      break;

    case TS_FIELD_TEXT:
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (fe->widget)), str, -1);
      break;

    case TS_FIELD_CHOICE:
    case TS_FIELD_USER:
      dropdown_set_value (fe, str);
      break;

    case TS_FIELD_DATE:
      date_set_value (fe, str);
      break;

    case TS_FIELD_BOOLEAN:
      {
        gboolean active = FALSE;

        if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
            json_node_get_value_type (value) == G_TYPE_BOOLEAN)
          active = json_node_get_boolean (value);
        gtk_check_button_set_active (GTK_CHECK_BUTTON (fe->widget), active);
      }
      break;

    case TS_FIELD_INTEGER:
      integer_set_value (fe, value);
      break;

    default:
      g_assert_not_reached ();
    }
}

static char *
field_editor_check (FieldEditor *fe,
                    JsonNode    *value)
{
  g_autoptr(GError) error = NULL;
  const char *label = ts_field_get_label (fe->field);

  if (field_editor_type (fe) == TS_FIELD_INTEGER && node_get_string (value) != NULL)
    return g_strdup_printf (_("“%s” must be a whole number, such as 12"), label);

  if (!ts_field_check_value (fe->field, value, &error))
    return g_strdup (error->message);

  /* A read-only field is filled by the workflow, never by hand, so it
   * cannot be asked for here. */
  if (ts_field_get_required (fe->field) && !ts_field_get_readonly (fe->field) &&
      ts_value_is_empty (value))
    return g_strdup_printf (_("“%s” is required: fill it in"), label);

  return NULL;
}

static void
field_editor_show_error (FieldEditor *fe,
                         const char  *message)
{
  gboolean has_error = message != NULL && *message != '\0';

  gtk_label_set_text (GTK_LABEL (fe->error_label), has_error ? message : "");
  gtk_widget_set_visible (fe->error_label, has_error);

  if (has_error)
    {
      gtk_widget_add_css_class (fe->widget, "error");
      if (fe->frame != fe->widget)
        gtk_widget_add_css_class (fe->frame, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (fe->widget),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (fe->widget, "error");
      gtk_widget_remove_css_class (fe->frame, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (fe->widget), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

/* Checks the value as it is now and shows the result; returns whether it
 * is valid. */
static gboolean
field_editor_validate (FieldEditor *fe)
{
  g_autoptr(JsonNode) value = field_editor_dup_value (fe);
  g_autofree char *message = field_editor_check (fe, value);

  field_editor_show_error (fe, message);
  return message == NULL;
}

static void
ts_ticket_form_update_modified (TsTicketForm *self)
{
  gboolean modified = self->n_differing > 0;

  if (modified == self->modified)
    return;

  self->modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

/* Whether the widget now differs from the ticket; keeps the count. */
static gboolean
field_editor_update_differs (FieldEditor *fe)
{
  g_autoptr(JsonNode) value = field_editor_dup_value (fe);
  gboolean differs = fe->original == NULL || !json_node_equal (value, fe->original);

  if (differs != fe->differs)
    {
      fe->differs = differs;
      if (differs)
        fe->form->n_differing++;
      else
        fe->form->n_differing--;
    }
  return differs;
}

/* Every change of any widget ends here. */
static void
field_editor_changed (FieldEditor *fe)
{
  TsTicketForm *self = fe->form;

  if (self->disposed)
    return;

  switch (field_editor_type (fe))
    {
    case TS_FIELD_TEXT:
      text_update_placeholder (fe);
      break;
    case TS_FIELD_URL:
      url_update_button (fe);
      break;
    case TS_FIELD_STRING:
    case TS_FIELD_CHOICE:
    case TS_FIELD_DATE:
    case TS_FIELD_BOOLEAN:
    case TS_FIELD_INTEGER:
    case TS_FIELD_USER:
    default:
      break;
    }

  if (self->updating > 0)
    return;

  /* A person edited the field: its own check replaces any message the
   * server gave for it. */
  field_editor_validate (fe);
  field_editor_update_differs (fe);
  ts_ticket_form_update_modified (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_editable_changed (GtkEditable *editable,
                     FieldEditor *fe)
{
  field_editor_changed (fe);
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   FieldEditor   *fe)
{
  field_editor_changed (fe);
}

static void
on_dropdown_selected (GtkDropDown *dropdown,
                      GParamSpec  *pspec,
                      FieldEditor *fe)
{
  field_editor_changed (fe);
}

static void
on_check_toggled (GtkCheckButton *check,
                  FieldEditor    *fe)
{
  field_editor_changed (fe);
}

static void
field_editor_apply_editable (FieldEditor *fe)
{
  gboolean editable = field_editor_is_editable (fe);

  switch (field_editor_type (fe))
    {
    case TS_FIELD_STRING:
    case TS_FIELD_URL:
      /* Still selectable, so the text can be copied; the open button of a
       * URL works for readers too. */
      gtk_editable_set_editable (GTK_EDITABLE (fe->widget), editable);
      break;

    case TS_FIELD_TEXT:
      /* Only the editability changes, never "cursor-visible": GTK 4.8
       * aborts in the blink timeout of a focused text view whose cursor
       * was hidden under it (blink_cb: assertion cursor_visible), which
       * is what happens when a trigger passes the ticket on while the
       * cursor is in a text field.  A caret in read-only text is useful
       * anyway: it lets the keyboard select and copy. */
      gtk_text_view_set_editable (GTK_TEXT_VIEW (fe->widget), editable);
      break;

    case TS_FIELD_INTEGER:
      gtk_editable_set_editable (GTK_EDITABLE (fe->widget), editable);
      gtk_widget_set_sensitive (fe->widget, editable);
      break;

    case TS_FIELD_CHOICE:
    case TS_FIELD_USER:
    case TS_FIELD_DATE:
    case TS_FIELD_BOOLEAN:
    default:
      gtk_widget_set_sensitive (fe->widget, editable);
      break;
    }
}

/* ---- building --------------------------------------------------------- */

static GtkWidget *
new_dim_caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  return label;
}

static void
build_entry (FieldEditor *fe)
{
  GtkWidget *entry = gtk_entry_new ();
  guint width_chars = ts_field_get_width_chars (fe->field);

  /* No gtk_entry_set_max_length(): it would cut what is pasted without a
   * word.  The length is checked as typed and the error says by how much. */
  if (ts_field_get_placeholder (fe->field) != NULL)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), ts_field_get_placeholder (fe->field));

  /* width_chars is the width the schema asks for: the entry's natural
   * width, starting at the left; it may still shrink in a narrow window. */
  if (width_chars > 0)
    {
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), MIN (width_chars, MIN_ENTRY_CHARS));
      gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), width_chars);
    }

  g_signal_connect (entry, "changed", G_CALLBACK (on_editable_changed), fe);
  fe->widget = fe->frame = entry;
}

static GtkWidget *
build_url (FieldEditor *fe)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  build_entry (fe);
  gtk_widget_set_hexpand (fe->widget, TRUE);

  /* libadwaita ships this icon, so it is there whatever the icon theme. */
  fe->open_button = gtk_button_new_from_icon_name ("adw-external-link-symbolic");
  gtk_widget_set_tooltip_text (fe->open_button, _("Open Link"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (fe->open_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open Link"),
                                  -1);
  gtk_widget_set_sensitive (fe->open_button, FALSE);
  g_signal_connect (fe->open_button, "clicked", G_CALLBACK (on_open_url_clicked), fe);

  gtk_box_append (GTK_BOX (box), fe->widget);
  gtk_box_append (GTK_BOX (box), fe->open_button);
  gtk_widget_add_css_class (box, "linked");
  return box;
}

static GtkWidget *
build_text (FieldEditor *fe)
{
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *overlay = gtk_overlay_new ();
  const char *placeholder = ts_field_get_placeholder (fe->field);

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), TEXT_MARGIN_X);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), TEXT_MARGIN_X);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), TEXT_MARGIN_Y);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), TEXT_MARGIN_Y);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);

  /* Grows with its text from `rows` lines; the window scrolls, and only a
   * very long text scrolls inside. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_hexpand (scrolled, TRUE);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), scrolled);

  /* GTK 4.8's text view has no placeholder: a dim label over it while
   * the buffer is empty, aligned with the text's first line. */
  if (placeholder != NULL)
    {
      fe->placeholder = gtk_label_new (placeholder);
      gtk_label_set_wrap (GTK_LABEL (fe->placeholder), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (fe->placeholder), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (fe->placeholder), 0);
      gtk_label_set_yalign (GTK_LABEL (fe->placeholder), 0);
      gtk_widget_set_halign (fe->placeholder, GTK_ALIGN_FILL);
      gtk_widget_set_valign (fe->placeholder, GTK_ALIGN_START);
      gtk_widget_set_margin_start (fe->placeholder, TEXT_MARGIN_X + 1);
      gtk_widget_set_margin_end (fe->placeholder, TEXT_MARGIN_X + 1);
      gtk_widget_set_margin_top (fe->placeholder, TEXT_MARGIN_Y + 1);
      gtk_widget_set_can_target (fe->placeholder, FALSE);
      gtk_widget_set_can_focus (fe->placeholder, FALSE);
      gtk_widget_add_css_class (fe->placeholder, "dim-label");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), fe->placeholder);
    }

  g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                    G_CALLBACK (on_buffer_changed), fe);
  g_signal_connect_swapped (view, "realize", G_CALLBACK (text_update_height), fe);

  fe->widget = view;
  fe->frame = scrolled;
  text_update_height (fe);
  return overlay;
}

/* User pickers show people as people: "张伟" with "zhangwei" dim beside
 * it in the list, the display name on the button, and an empty value as
 * the field's placeholder, dim, as an entry shows its placeholder (the
 * seed's "##维护处理人指定##" is a hint, not a person). */

static char *
member_search_text (TsMember *member,
                    gpointer  user_data)
{
  if (*ts_member_get_login (member) == '\0')
    return g_strdup (_("Nobody"));
  return g_strdup_printf ("%s %s", ts_member_get_display_name (member), ts_member_get_login (member));
}

static void
on_user_button_setup (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      FieldEditor              *fe)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
on_user_button_bind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     FieldEditor              *fe)
{
  TsMember *member = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *placeholder = ts_field_get_placeholder (fe->field);
  gboolean empty = *ts_member_get_login (member) == '\0';

  if (empty)
    gtk_label_set_text (GTK_LABEL (label), placeholder != NULL && *placeholder != '\0' ? placeholder : _("Nobody"));
  else
    gtk_label_set_text (GTK_LABEL (label), ts_member_get_display_name (member));

  if (empty)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
}

static void
user_item_update_check (GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *check = gtk_widget_get_last_child (box);
  GtkDropDown *dropdown = g_object_get_data (G_OBJECT (box), "ts-dropdown");

  gtk_widget_set_opacity (check, dropdown != NULL &&
                          gtk_drop_down_get_selected (dropdown) == gtk_list_item_get_position (item) ? 1 : 0);
}

static void
on_user_item_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    FieldEditor              *fe)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *login = gtk_label_new (NULL);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (login), 0);
  gtk_widget_set_hexpand (login, TRUE);
  gtk_widget_add_css_class (login, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), login);
  gtk_box_append (GTK_BOX (box), check);
  gtk_list_item_set_child (item, box);
}

static void
on_user_item_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   FieldEditor              *fe)
{
  TsMember *member = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *login = gtk_widget_get_next_sibling (name);
  gboolean empty = *ts_member_get_login (member) == '\0';

  gtk_label_set_text (GTK_LABEL (name), empty ? _("Nobody") : ts_member_get_display_name (member));
  if (empty)
    gtk_widget_add_css_class (name, "dim-label");
  else
    gtk_widget_remove_css_class (name, "dim-label");

  /* The login only says something new beside a display name. */
  gtk_label_set_text (GTK_LABEL (login), ts_member_get_login (member));
  gtk_widget_set_visible (login, !empty && ts_member_has_display_name (member));

  g_object_set_data (G_OBJECT (box), "ts-dropdown", fe->widget);
  user_item_update_check (item);
  g_signal_connect_object (fe->widget, "notify::selected",
                           G_CALLBACK (user_item_update_check), item, G_CONNECT_SWAPPED);
}

static void
on_user_item_unbind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     FieldEditor              *fe)
{
  g_signal_handlers_disconnect_by_func (fe->widget, user_item_update_check, item);
}

/* Two things about GTK 4.8's drop-down search that make it work as a
 * person expects, on the widgets inside its popup:
 *
 * - It matches the prefix of the expression's string (GTK 4.12 has
 *   gtk_drop_down_set_search_match_mode() for this), so "zhang" would
 *   not find "张伟 zhangwei": the GtkStringFilter on the model of its
 *   list is made to match substrings.
 * - The popup gives the keyboard focus to the list, not the search
 *   entry, so what is typed went nowhere: the popover becomes the
 *   entry's key-capture widget, and typing anywhere in it searches
 *   while the arrows still move in the list.
 *
 * With another GTK whose popup looks different, nothing is changed and
 * the search works as that GTK does it. */
static void
dropdown_fix_search (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    {
      GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (widget));
      GListModel *model = GTK_IS_SINGLE_SELECTION (selection)
                            ? gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection)) : NULL;
      GtkFilter *filter = GTK_IS_FILTER_LIST_MODEL (model)
                            ? gtk_filter_list_model_get_filter (GTK_FILTER_LIST_MODEL (model)) : NULL;

      if (GTK_IS_STRING_FILTER (filter))
        gtk_string_filter_set_match_mode (GTK_STRING_FILTER (filter), GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
    }
  else if (GTK_IS_SEARCH_ENTRY (widget))
    {
      GtkWidget *popover = gtk_widget_get_ancestor (widget, GTK_TYPE_POPOVER);

      if (popover != NULL)
        gtk_search_entry_set_key_capture_widget (GTK_SEARCH_ENTRY (widget), popover);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    dropdown_fix_search (child);
}

static void
build_dropdown (FieldEditor *fe)
{
  g_autoptr(GtkExpression) expression = NULL;
  GtkWidget *dropdown;

  fe->values = g_ptr_array_new_with_free_func (g_free);

  if (field_editor_type (fe) == TS_FIELD_USER)
    {
      g_autoptr(GtkListItemFactory) button_factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkListItemFactory) list_factory = gtk_signal_list_item_factory_new ();

      fe->people = g_list_store_new (TS_TYPE_MEMBER);
      /* The drop-down takes the model's reference. */
      dropdown = gtk_drop_down_new (G_LIST_MODEL (fe->people), NULL);

      g_signal_connect (button_factory, "setup", G_CALLBACK (on_user_button_setup), fe);
      g_signal_connect (button_factory, "bind", G_CALLBACK (on_user_button_bind), fe);
      g_signal_connect (list_factory, "setup", G_CALLBACK (on_user_item_setup), fe);
      g_signal_connect (list_factory, "bind", G_CALLBACK (on_user_item_bind), fe);
      g_signal_connect (list_factory, "unbind", G_CALLBACK (on_user_item_unbind), fe);
      gtk_drop_down_set_factory (GTK_DROP_DOWN (dropdown), button_factory);
      gtk_drop_down_set_list_factory (GTK_DROP_DOWN (dropdown), list_factory);

      /* Searched by display name and login alike. */
      expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                G_CALLBACK (member_search_text), NULL, NULL);
      gtk_drop_down_set_expression (GTK_DROP_DOWN (dropdown), expression);
      gtk_drop_down_set_enable_search (GTK_DROP_DOWN (dropdown), TRUE);
      dropdown_fix_search (dropdown);
    }
  else
    {
      fe->strings = gtk_string_list_new (NULL);
      dropdown = gtk_drop_down_new (G_LIST_MODEL (fe->strings), NULL);
      expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
      gtk_drop_down_set_expression (GTK_DROP_DOWN (dropdown), expression);
    }
  gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);

  fe->widget = fe->frame = dropdown;
  dropdown_rebuild (fe, NULL);
  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_dropdown_selected), fe);
}

static void
build_date (FieldEditor *fe)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkGesture *click;

  fe->calendar = gtk_calendar_new ();
  g_signal_connect (fe->calendar, "day-selected", G_CALLBACK (on_calendar_day_selected), fe);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (on_calendar_released), fe);
  gtk_widget_add_controller (fe->calendar, GTK_EVENT_CONTROLLER (click));

  fe->clear_button = gtk_button_new_with_mnemonic (_("_Clear"));
  gtk_widget_set_halign (fe->clear_button, GTK_ALIGN_END);
  g_signal_connect (fe->clear_button, "clicked", G_CALLBACK (on_date_clear_clicked), fe);

  gtk_box_append (GTK_BOX (box), fe->calendar);
  gtk_box_append (GTK_BOX (box), fe->clear_button);

  fe->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (fe->popover), box);
  g_signal_connect (fe->popover, "show", G_CALLBACK (on_date_popover_show), fe);

  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), fe->popover);
  gtk_menu_button_set_always_show_arrow (GTK_MENU_BUTTON (button), TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);

  fe->widget = fe->frame = button;
  fe->date = g_strdup ("");
  date_update_button (fe);
}

static void
build_integer (FieldEditor *fe)
{
  gint64 min = G_MININT32, max = G_MAXINT32;
  GtkAdjustment *adjustment;
  GtkWidget *spin;

  ts_field_get_min (fe->field, &min);
  ts_field_get_max (fe->field, &max);
  if (max < min)
    max = min;

  adjustment = gtk_adjustment_new (CLAMP (0, min, max), min, max, 1, 10, 0);
  spin = gtk_spin_button_new (adjustment, 1, 0);
  fe->spin_value = gtk_adjustment_get_value (adjustment);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (spin), GTK_UPDATE_IF_VALID);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  g_signal_connect (spin, "input", G_CALLBACK (on_spin_input), fe);
  g_signal_connect (spin, "output", G_CALLBACK (on_spin_output), fe);
  g_signal_connect (spin, "changed", G_CALLBACK (on_editable_changed), fe);

  fe->widget = fe->frame = spin;
  gtk_editable_set_text (GTK_EDITABLE (spin), "");
}

static char *
field_label_text (TsField *field)
{
  if (ts_field_get_required (field))
    /* Translators: a required field's label, "概要 *". */
    return g_strdup_printf (_("%s *"), ts_field_get_label (field));
  return g_strdup (ts_field_get_label (field));
}

static FieldEditor *
build_field (TsTicketForm *self,
             TsField      *field)
{
  FieldEditor *fe = g_new0 (FieldEditor, 1);
  g_autofree char *label_text = field_label_text (field);
  GtkWidget *vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *below = NULL;       /* a wide widget, on its own line */
  GtkWidget *beside = NULL;      /* a short widget, on the label's line */
  const char *help = ts_field_get_help (field);

  fe->form = self;
  fe->field = field;

  fe->label = gtk_label_new (label_text);
  gtk_label_set_xalign (GTK_LABEL (fe->label), 0);
  gtk_label_set_wrap (GTK_LABEL (fe->label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fe->label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (fe->label, TRUE);
  gtk_widget_set_valign (fe->label, GTK_ALIGN_CENTER);

  switch (ts_field_get_field_type (field))
    {
    case TS_FIELD_STRING:
      build_entry (fe);
      below = fe->widget;
      break;

    case TS_FIELD_URL:
      below = build_url (fe);
      break;

    case TS_FIELD_TEXT:
      below = build_text (fe);
      break;

    case TS_FIELD_CHOICE:
    case TS_FIELD_USER:
      build_dropdown (fe);
      beside = fe->widget;
      break;

    case TS_FIELD_DATE:
      build_date (fe);
      beside = fe->widget;
      break;

    case TS_FIELD_INTEGER:
      build_integer (fe);
      beside = fe->widget;
      break;

    case TS_FIELD_BOOLEAN:
      /* The label is the check button's own, so clicking it toggles. */
      fe->widget = fe->frame = gtk_check_button_new ();
      gtk_check_button_set_child (GTK_CHECK_BUTTON (fe->widget), fe->label);
      gtk_widget_set_hexpand (fe->widget, TRUE);
      g_signal_connect (fe->widget, "toggled", G_CALLBACK (on_check_toggled), fe);
      break;

    default:
      g_assert_not_reached ();
    }

  if (ts_field_get_field_type (field) == TS_FIELD_BOOLEAN)
    gtk_box_append (GTK_BOX (header), fe->widget);
  else
    gtk_box_append (GTK_BOX (header), fe->label);
  if (beside != NULL)
    gtk_box_append (GTK_BOX (header), beside);
  gtk_box_append (GTK_BOX (vbox), header);

  if (below != NULL)
    {
      /* A width hint starts the widget at the left at that width;
       * without one it takes the row's width. */
      if (ts_field_get_width_chars (field) > 0)
        gtk_widget_set_halign (below, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (vbox), below);
    }

  /* Named by the field's label alone: GTK 4.8 joins the label property
   * and the labelled-by relation that gtk_label_set_mnemonic_widget()
   * adds, which reads "概要 概要 *".  "Required" is said through its own
   * property below, not by the "*". */
  gtk_label_set_mnemonic_widget (GTK_LABEL (fe->label), fe->widget);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (fe->widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (fe->widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ts_field_get_label (field),
                                  -1);
  /* GtkDropDown's inner button is what takes the focus, and GTK 4.8
   * leaves it unnamed ("GtkToggleButton"). */
  if (GTK_IS_DROP_DOWN (fe->widget))
    for (GtkWidget *child = gtk_widget_get_first_child (fe->widget);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, ts_field_get_label (field),
                                        -1);
  if (ts_field_get_required (field))
    gtk_accessible_update_property (GTK_ACCESSIBLE (fe->widget),
                                    GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE,
                                    -1);
  if (ts_field_get_readonly (field))
    gtk_accessible_update_property (GTK_ACCESSIBLE (fe->widget),
                                    GTK_ACCESSIBLE_PROPERTY_READ_ONLY, TRUE,
                                    -1);

  if (help != NULL && *help != '\0')
    {
      fe->help_label = new_dim_caption (help);
      gtk_box_append (GTK_BOX (vbox), fe->help_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (fe->widget),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, help,
                                      -1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (fe->widget),
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, fe->help_label, NULL,
                                      -1);
    }

  fe->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (fe->error_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fe->error_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (fe->error_label), 0);
  gtk_widget_add_css_class (fe->error_label, "field-error");
  gtk_widget_set_visible (fe->error_label, FALSE);
  gtk_box_append (GTK_BOX (vbox), fe->error_label);

  /* What a trigger waits for in this field: a hint, not an error. */
  fe->hint_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (fe->hint_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (fe->hint_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (fe->hint_label), 0);
  gtk_widget_set_hexpand (fe->hint_label, TRUE);
  fe->hint_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (fe->hint_box), gtk_image_new_from_icon_name ("dialog-information-symbolic"));
  gtk_box_append (GTK_BOX (fe->hint_box), fe->hint_label);
  gtk_widget_add_css_class (fe->hint_box, "field-hint");
  gtk_widget_add_css_class (fe->hint_box, "accent");
  gtk_widget_add_css_class (fe->hint_box, "caption");
  gtk_widget_set_visible (fe->hint_box, FALSE);
  gtk_box_append (GTK_BOX (vbox), fe->hint_box);

  gtk_widget_set_margin_start (vbox, 12);
  gtk_widget_set_margin_end (vbox, 12);
  gtk_widget_set_margin_top (vbox, 10);
  gtk_widget_set_margin_bottom (vbox, 10);

  fe->row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fe->row), ts_field_get_label (field));
  /* libadwaita 1.2 does not name a plain preferences row by its title. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (fe->row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ts_field_get_label (field),
                                  -1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (fe->row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (fe->row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (fe->row), vbox);
  gtk_widget_add_css_class (fe->row, "ts-field-row");

  fe->original = ts_field_dup_initial_value (field);
  field_editor_set_value (fe, fe->original);
  field_editor_apply_editable (fe);

  return fe;
}

static GtkWidget *
build_system_group (TsTicketForm *self)
{
  GtkWidget *group = adw_preferences_group_new ();

  for (guint i = 0; i < G_N_ELEMENTS (system_fields); i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *value = gtk_label_new (_("—"));
      const char *title = ts_project_get_label_for (self->project, system_fields[i]);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

      /* Selectable, so a key or a name can be copied. */
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_set_valign (value, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);

      self->system_values[i] = value;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }

  return group;
}

static void
ts_ticket_form_build (TsTicketForm *self)
{
  GtkWidget *group = NULL;
  const char *group_name = NULL;

  gtk_box_append (GTK_BOX (self->box), build_system_group (self));

  /* Building sets widgets: none of that is an edit. */
  self->updating++;
  for (guint i = 0; i < ts_project_get_n_fields (self->project); i++)
    {
      TsField *field = ts_project_get_field (self->project, i);
      FieldEditor *fe;

      if (group == NULL || g_strcmp0 (group_name, ts_field_get_group (field)) != 0)
        {
          group = adw_preferences_group_new ();
          group_name = ts_field_get_group (field);
          if (group_name != NULL)
            {
              /* The group's title is markup. */
              g_autofree char *escaped = g_markup_escape_text (group_name, -1);
              adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), escaped);
            }
          gtk_box_append (GTK_BOX (self->box), group);
        }

      fe = build_field (self, field);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), fe->row);
      g_ptr_array_add (self->editors, fe);
      g_hash_table_insert (self->by_name, (gpointer)ts_field_get_name (field), fe);
    }
  self->updating--;
}

/* ---- GObject ---------------------------------------------------------- */

static void
ts_ticket_form_constructed (GObject *object)
{
  TsTicketForm *self = (TsTicketForm *)object;

  G_OBJECT_CLASS (ts_ticket_form_parent_class)->constructed (object);

  g_return_if_fail (TS_IS_PROJECT (self->project));
  ts_ticket_form_build (self);
}

static void
ts_ticket_form_dispose (GObject *object)
{
  TsTicketForm *self = (TsTicketForm *)object;

  /* The widgets go first, and say nothing on the way: their handlers
   * point at the editors, which finalize frees. */
  self->disposed = TRUE;
  if (self->scroll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
      self->scroll_tick = 0;
    }
  g_clear_pointer (&self->scroll_field, g_free);
  g_clear_pointer (&self->clamp, gtk_widget_unparent);
  self->box = NULL;
  memset (self->system_values, 0, sizeof self->system_values);

  g_clear_object (&self->ticket);

  G_OBJECT_CLASS (ts_ticket_form_parent_class)->dispose (object);
}

static void
ts_ticket_form_finalize (GObject *object)
{
  TsTicketForm *self = (TsTicketForm *)object;

  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->editors, g_ptr_array_unref);
  g_clear_object (&self->project);
  g_clear_pointer (&self->members, g_ptr_array_unref);

  G_OBJECT_CLASS (ts_ticket_form_parent_class)->finalize (object);
}

static void
ts_ticket_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TsTicketForm *self = TS_TICKET_FORM (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    case PROP_EDITABLE:
      g_value_set_boolean (value, self->editable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_form_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TsTicketForm *self = TS_TICKET_FORM (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;
    case PROP_EDITABLE:
      ts_ticket_form_set_editable (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_form_class_init (TsTicketFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ts_ticket_form_constructed;
  object_class->dispose = ts_ticket_form_dispose;
  object_class->finalize = ts_ticket_form_finalize;
  object_class->get_property = ts_ticket_form_get_property;
  object_class->set_property = ts_ticket_form_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EDITABLE] =
    g_param_spec_boolean ("editable", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TsTicketForm::changed:
   *
   * A value in the form changed: a person edited a field, or
   * ts_ticket_form_apply_values() put values in (not set_ticket).  Emitted
   * after "modified" is updated.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ticketform");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ts_ticket_form_init (TsTicketForm *self)
{
  self->editable = TRUE;
  self->editors = g_ptr_array_new_with_free_func ((GDestroyNotify)field_editor_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  /* Like AdwPreferencesPage, without its scrolling: the window scrolls. */
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (self->box, 24);
  gtk_widget_set_margin_bottom (self->box, 24);
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);

  self->clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (self->clamp), 960);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (self->clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (self->clamp), self->box);
  gtk_widget_set_parent (self->clamp, GTK_WIDGET (self));
}

/* ---- public API ------------------------------------------------------- */

TsTicketForm *
ts_ticket_form_new (TsProject *project)
{
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  return g_object_new (TS_TYPE_TICKET_FORM, "project", project, NULL);
}

TsProject *
ts_ticket_form_get_project (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  return self->project;
}

static void
set_system_value (TsTicketForm *self,
                  guint         i,
                  const char   *value)
{
  gtk_label_set_text (GTK_LABEL (self->system_values[i]),
                      value != NULL && *value != '\0' ? value : _("—"));
}

static void
set_system_time (TsTicketForm *self,
                 guint         i,
                 GDateTime    *time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  if (time != NULL)
    {
      local = g_date_time_to_local (time);
      text = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  set_system_value (self, i, text);
}

/* The assignee and the creator, by their display names once the members
 * are known. */
static void
set_system_people (TsTicketForm *self)
{
  if (self->ticket == NULL)
    return;

  set_system_value (self, 2, ts_ticket_form_get_display_name (self, ts_ticket_get_assigned_to (self->ticket)));
  set_system_value (self, 3, ts_ticket_form_get_display_name (self, ts_ticket_get_created_by (self->ticket)));
}

void
ts_ticket_form_set_ticket (TsTicketForm *self,
                           TsTicket     *ticket)
{
  JsonObject *fields;
  gboolean was_modified;

  g_return_if_fail (TS_IS_TICKET_FORM (self));
  g_return_if_fail (TS_IS_TICKET (ticket));

  g_set_object (&self->ticket, ticket);
  fields = ts_ticket_get_fields (ticket);

  set_system_value (self, 0, ts_ticket_get_key (ticket));
  set_system_value (self, 1, ts_ticket_get_state (ticket));
  set_system_people (self);
  set_system_time (self, 4, ts_ticket_get_created_at (ticket));
  set_system_time (self, 5, ts_ticket_get_updated_at (ticket));

  self->updating++;
  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      const char *name = ts_field_get_name (fe->field);
      g_autoptr(JsonNode) value = NULL;

      if (fields != NULL && json_object_has_member (fields, name))
        value = json_node_copy (json_object_get_member (fields, name));
      else
        value = ts_field_dup_initial_value (fe->field);

      /* A user or choice list starts again from the members or choices,
       * with this ticket's value added if it is not among them. */
      if (fe->values != NULL)
        dropdown_rebuild (fe, node_get_string (value) != NULL ? node_get_string (value) : "");
      field_editor_set_value (fe, value);
      field_editor_show_error (fe, NULL);

      /* What the widget shows is the baseline: a value the widget cannot
       * hold exactly (a number in a text field) is not a change until a
       * person changes it. */
      g_clear_pointer (&fe->original, json_node_unref);
      fe->original = field_editor_dup_value (fe);
      fe->differs = FALSE;
    }
  self->updating--;

  was_modified = self->modified;
  self->n_differing = 0;
  self->modified = FALSE;
  if (was_modified)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

gboolean
ts_ticket_form_get_modified (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), FALSE);

  return self->modified;
}

JsonObject *
ts_ticket_form_dup_values (TsTicketForm *self)
{
  JsonObject *values;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  values = json_object_new ();
  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);

      json_object_set_member (values, ts_field_get_name (fe->field), field_editor_dup_value (fe));
    }
  return values;
}

JsonObject *
ts_ticket_form_dup_changes (TsTicketForm *self)
{
  JsonObject *changes;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  changes = json_object_new ();
  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      g_autoptr(JsonNode) value = field_editor_dup_value (fe);

      if (fe->original == NULL || !json_node_equal (value, fe->original))
        json_object_set_member (changes, ts_field_get_name (fe->field), g_steal_pointer (&value));
    }
  return changes;
}

void
ts_ticket_form_apply_values (TsTicketForm *self,
                             JsonObject   *values)
{
  gboolean changed = FALSE;

  g_return_if_fail (TS_IS_TICKET_FORM (self));
  g_return_if_fail (values != NULL);

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      const char *name = ts_field_get_name (fe->field);
      g_autoptr(JsonNode) before = NULL;
      g_autoptr(JsonNode) after = NULL;

      if (!json_object_has_member (values, name))
        continue;

      before = field_editor_dup_value (fe);
      self->updating++;
      field_editor_set_value (fe, json_object_get_member (values, name));
      self->updating--;
      after = field_editor_dup_value (fe);

      if (!json_node_equal (before, after))
        {
          changed = TRUE;
          field_editor_validate (fe);
        }
      field_editor_update_differs (fe);
    }

  ts_ticket_form_update_modified (self);
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
}

void
ts_ticket_form_set_editable (TsTicketForm *self,
                             gboolean      editable)
{
  g_return_if_fail (TS_IS_TICKET_FORM (self));

  editable = !!editable;
  if (self->editable == editable)
    return;

  self->editable = editable;
  for (guint i = 0; self->editors != NULL && i < self->editors->len; i++)
    field_editor_apply_editable (g_ptr_array_index (self->editors, i));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITABLE]);
}

gboolean
ts_ticket_form_get_editable (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), FALSE);

  return self->editable;
}

void
ts_ticket_form_set_members (TsTicketForm *self,
                            GPtrArray    *members)
{
  g_return_if_fail (TS_IS_TICKET_FORM (self));

  g_clear_pointer (&self->members, g_ptr_array_unref);
  if (members != NULL)
    self->members = g_ptr_array_ref (members);
  set_system_people (self);

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      g_autofree char *current = NULL;

      if (field_editor_type (fe) != TS_FIELD_USER)
        continue;

      current = g_strdup (dropdown_get_value (fe));
      dropdown_rebuild (fe, current);
    }
}

const char *
ts_ticket_form_get_display_name (TsTicketForm *self,
                                 const char   *login)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  if (login == NULL)
    return NULL;

  for (guint i = 0; self->members != NULL && i < self->members->len; i++)
    {
      TsMember *member = g_ptr_array_index (self->members, i);

      if (g_strcmp0 (ts_member_get_login (member), login) == 0)
        return ts_member_get_display_name (member);
    }
  return login;
}

static FieldEditor *
lookup_editor (TsTicketForm *self,
               const char   *field)
{
  if (self->by_name == NULL || field == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_name, field);
}

void
ts_ticket_form_set_field_error (TsTicketForm *self,
                                const char   *field,
                                const char   *message,
                                gboolean      focus)
{
  FieldEditor *fe;

  g_return_if_fail (TS_IS_TICKET_FORM (self));
  g_return_if_fail (field != NULL);

  if ((fe = lookup_editor (self, field)) == NULL)
    {
      g_debug ("No field “%s” to show “%s” at", field, message ? message : "");
      return;
    }

  field_editor_show_error (fe, message);
  if (focus)
    ts_ticket_form_focus_field (self, field);
}

/* Brings @fe's whole row (label, widget, messages) into the scrolled
 * window's view, moving as little as possible. */
static void
field_editor_scroll_into_view (FieldEditor *fe)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (fe->form), GTK_TYPE_SCROLLED_WINDOW);
  const double margin = 12;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;
  double page, value, top, bottom;

  if (scrolled == NULL || !gtk_widget_compute_bounds (fe->row, scrolled, &bounds))
    return;

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  page = gtk_adjustment_get_page_size (adjustment);
  value = gtk_adjustment_get_value (adjustment);
  top = bounds.origin.y;
  bottom = top + bounds.size.height;

  if (top < margin || bounds.size.height > page - 2 * margin)
    value += top - margin;
  else if (bottom > page - margin)
    value += bottom - (page - margin);
  else
    return;

  gtk_adjustment_set_value (adjustment, value);
}

/* The row's size is known once the form is laid out again (its error
 * may just have appeared): scroll on the next frame. */
static gboolean
scroll_on_tick (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  TsTicketForm *self = TS_TICKET_FORM (widget);
  FieldEditor *fe = lookup_editor (self, self->scroll_field);

  self->scroll_tick = 0;
  if (fe != NULL)
    field_editor_scroll_into_view (fe);
  g_clear_pointer (&self->scroll_field, g_free);
  return G_SOURCE_REMOVE;
}

void
ts_ticket_form_focus_field (TsTicketForm *self,
                            const char   *field)
{
  FieldEditor *fe;

  g_return_if_fail (TS_IS_TICKET_FORM (self));

  if ((fe = lookup_editor (self, field)) == NULL)
    return;

  gtk_widget_grab_focus (fe->widget);
  field_editor_scroll_into_view (fe);

  g_free (self->scroll_field);
  self->scroll_field = g_strdup (field);
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_on_tick, NULL, NULL);
}

const char *
ts_ticket_form_get_first_invalid_field (TsTicketForm *self)
{
  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);

      if (gtk_widget_get_visible (fe->error_label))
        return ts_field_get_name (fe->field);
    }
  return NULL;
}

void
ts_ticket_form_set_field_hint (TsTicketForm *self,
                               const char   *field,
                               const char   *hint)
{
  FieldEditor *fe;
  gboolean has_hint = hint != NULL && *hint != '\0';

  g_return_if_fail (TS_IS_TICKET_FORM (self));

  if ((fe = lookup_editor (self, field)) == NULL)
    return;

  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (fe->hint_label)), has_hint ? hint : "") == 0 &&
      gtk_widget_get_visible (fe->hint_box) == has_hint)
    return;

  gtk_label_set_text (GTK_LABEL (fe->hint_label), has_hint ? hint : "");
  gtk_widget_set_visible (fe->hint_box, has_hint);

  /* A screen reader says the help and the hint with the field. */
  if (has_hint && fe->help_label != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (fe->widget),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, fe->help_label, fe->hint_label, NULL,
                                    -1);
  else if (has_hint)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (fe->widget),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, fe->hint_label, NULL,
                                    -1);
  else if (fe->help_label != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (fe->widget),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, fe->help_label, NULL,
                                    -1);
  else
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (fe->widget), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
}

const char *
ts_ticket_form_get_field_hint (TsTicketForm *self,
                               const char   *field)
{
  FieldEditor *fe;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  if ((fe = lookup_editor (self, field)) == NULL || !gtk_widget_get_visible (fe->hint_box))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (fe->hint_label));
}

const char *
ts_ticket_form_get_field_error (TsTicketForm *self,
                                const char   *field)
{
  FieldEditor *fe;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  if ((fe = lookup_editor (self, field)) == NULL || !gtk_widget_get_visible (fe->error_label))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (fe->error_label));
}

gboolean
ts_ticket_form_validate (TsTicketForm *self)
{
  FieldEditor *first_invalid = NULL;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), FALSE);

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);

      if (!field_editor_validate (fe) && first_invalid == NULL)
        first_invalid = fe;
    }

  return first_invalid == NULL;
}

GtkWidget *
ts_ticket_form_get_field_widget (TsTicketForm *self,
                                 const char   *field)
{
  FieldEditor *fe;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  fe = lookup_editor (self, field);
  return fe != NULL ? fe->widget : NULL;
}

GtkWidget *
ts_ticket_form_get_field_label (TsTicketForm *self,
                                const char   *field)
{
  FieldEditor *fe;

  g_return_val_if_fail (TS_IS_TICKET_FORM (self), NULL);

  fe = lookup_editor (self, field);
  return fe != NULL ? fe->label : NULL;
}
