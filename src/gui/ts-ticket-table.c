/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket-table"

#include "config.h"

#include <glib/gi18n.h>

#include "ts-a11y.h"
#include "ts-lazy-tooltip.h"
#include "ts-relay-model.h"
#include "ts-ticket-row.h"
#include "ts-ticket-table.h"

/* Model → sort model → selection → GtkColumnView, the sort model bound to
 * the view's sorter, as Sysprof does; a project's list and search results
 * are sorted by the server instead (see read_sort()), and rows of a list
 * not read yet are placeholders shown as "Loading…".  The columns come from the project,
 * so they are built here rather than in a template.  A GtkListView of
 * two-line rows shares the selection, for narrow widths; a GtkStack shows
 * one of the two. */

/* Under this width the two-line rows are shown; they stay until the table
 * is this much wider again, so that a width near the limit never makes
 * the table flip back and forth. */
#define COMPACT_WIDTH      700
#define COMPACT_HYSTERESIS 40

#define SETTINGS_ID "io.github.tasksteper.TaskSteper"

typedef struct _Column Column;

struct _TsTicketTable
{
  GtkWidget           parent_instance;

  TsTicketList       *list;
  GListModel         *tickets;
  TsRelayModel       *rows;         /* the tickets as rows, shown in place when read again */
  TsProject          *project;
  TsMemberNames      *names;
  GSettings          *settings;
  GPtrArray          *columns;      /* Column */
  GSimpleActionGroup *column_actions;
  GMenu              *columns_menu;
  GtkSingleSelection *selection;
  TsRelayRow         *selected;     /* whose ticket the actions are for */
  /* The local time zone, looked up once: g_date_time_to_local() looks at
   * the system's zone file again for every cell. */
  GTimeZone          *zone;

  GtkWidget          *stack;
  GtkColumnView      *view;
  GtkListView        *list_view;
  GtkWidget          *menu;          /* the rows' context menu */

  int                 last_width;
  guint               flip_id;
  guint               columns_id;
  guint               natural_height : 1;
  guint               compact : 1;
  guint               server_sort : 1;

  /* Sorted by the server: what the headers ask for (see read_sort()). */
  GObject            *probes[2];
  Column             *probed;
  Column             *sort_column;
  gboolean            sort_descending;
};

G_DEFINE_FINAL_TYPE (TsTicketTable, ts_ticket_table, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LIST,
  PROP_TICKETS,
  PROP_PROJECT,
  PROP_NAMES,
  PROP_NATURAL_HEIGHT,
  PROP_SERVER_SORT,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TICKET_ACTIVATED,
  SORT_CHANGED,
  NEEDS_MORE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  COLUMN_KEY,
  COLUMN_STATE,
  COLUMN_PERSON,   /* a login: shown by display name */
  COLUMN_TEXT,
} ColumnKind;

struct _Column
{
  TsTicketTable       *table;    /* unowned: the table owns the columns */
  char                *name;
  ColumnKind           kind;
  gboolean             can_hide;
  GtkColumnViewColumn *column;
  GtkSorter           *sorter;
};

static void
column_free (gpointer data)
{
  Column *column = data;

  g_free (column->name);
  g_clear_object (&column->column);
  g_clear_object (&column->sorter);
  g_free (column);
}

/* The text a cell shows for a field value. */
static char *
value_text (TsProject  *project,
            const char *name,
            JsonNode   *value)
{
  TsField *field = ts_project_lookup_field (project, name);

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup ("");

  if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (value) ? _("Yes") : _("No"));

  if (json_node_get_value_type (value) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

  if (json_node_get_value_type (value) == G_TYPE_STRING)
    {
      /* One line in a table. */
      g_autofree char *text = g_strdup (json_node_get_string (value));

      if (field != NULL && ts_field_get_field_type (field) == TS_FIELD_TEXT)
        g_strdelimit (text, "\r\n", ' ');
      return g_steal_pointer (&text);
    }

  return g_strdup ("");
}

static char *
time_text (GDateTime *time,
           GTimeZone *zone)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");

  local = g_date_time_to_timezone (time, zone);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static gboolean
is_person_field (TsProject  *project,
                 const char *name)
{
  TsField *field;

  if (g_str_equal (name, "assigned_to") || g_str_equal (name, "created_by"))
    return TRUE;

  field = ts_project_lookup_field (project, name);
  return field != NULL && ts_field_get_field_type (field) == TS_FIELD_USER;
}

/* A row of a list that is not read yet. */
static gboolean
is_placeholder (TsTicket *ticket)
{
  return ticket == NULL || ts_ticket_list_is_placeholder (ticket);
}

/* What a column shows: a system field or a schema field, by name; people
 * by the name they are shown by. */
static char *
cell_text (TsTicket *ticket,
           Column   *column)
{
  TsProject *project = column->table->project;
  g_autoptr(JsonNode) value = NULL;

  if (ticket == NULL)
    return g_strdup ("");
  if (ts_ticket_list_is_placeholder (ticket))
    return g_strdup (column->kind == COLUMN_KEY ? _("Loading…") : "");

  if (g_str_equal (column->name, "created_at"))
    return time_text (ts_ticket_get_created_at (ticket), column->table->zone);
  if (g_str_equal (column->name, "updated_at"))
    return time_text (ts_ticket_get_updated_at (ticket), column->table->zone);

  value = ts_ticket_dup_value (ticket, column->name);
  if (column->kind == COLUMN_PERSON && column->table->names != NULL &&
      value != NULL && json_node_get_value_type (value) == G_TYPE_STRING)
    return g_strdup (ts_member_names_get (column->table->names, ts_project_get_name (project),
                                          json_node_get_string (value)));

  return value_text (project, column->name, value);
}

static char *
login_text (TsTicket *ticket,
            Column   *column)
{
  g_autoptr(JsonNode) value = ticket ? ts_ticket_dup_value (ticket, column->name) : NULL;

  if (value == NULL || json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (value));
}

/* Where the state stands in the workflow: the sort key of 当前状态. */
static guint
state_position (TsRelayRow *row,
                TsProject  *project)
{
  const char * const *states = ts_project_get_states (project);
  const char *state = row ? ts_ticket_get_state (ts_relay_row_get_ticket (row)) : NULL;

  for (guint i = 0; state != NULL && states[i]; i++)
    if (g_str_equal (states[i], state))
      return i;
  return G_MAXUINT;
}

/* The sort key of a cell, for GtkStringSorter. */
static char *
sort_key (TsRelayRow *row,
          Column     *column)
{
  return cell_text (row ? ts_relay_row_get_ticket (row) : NULL, column);
}

/* Actions */

/* The ticket of the selected row; not a row still being read. */
static TsTicket *
selected_ticket (TsTicketTable *self)
{
  TsTicket *ticket = self->selected ? ts_relay_row_get_ticket (self->selected) : NULL;

  return is_placeholder (ticket) ? NULL : ticket;
}

static void
update_actions (TsTicketTable *self)
{
  gboolean selected = selected_ticket (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.open", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.copy-link", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.copy-key", selected);
}

/* The selected row's ticket can change in place (a row still being read
 * arrives): the actions follow it. */
static void
on_selected_changed (TsTicketTable *self)
{
  TsRelayRow *row = gtk_single_selection_get_selected_item (self->selection);

  if (row != self->selected)
    {
      if (self->selected != NULL)
        g_signal_handlers_disconnect_by_func (self->selected, update_actions, self);
      g_set_object (&self->selected, row);
      if (row != NULL)
        g_signal_connect_swapped (row, "notify::ticket", G_CALLBACK (update_actions), self);
    }
  update_actions (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsTicketTable *self = TS_TICKET_TABLE (widget);
  TsTicket *ticket = selected_ticket (self);

  if (ticket != NULL)
    g_signal_emit (self, signals[TICKET_ACTIVATED], 0, ticket);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsTicketTable *self = TS_TICKET_TABLE (widget);
  TsTicket *ticket = selected_ticket (self);
  g_autofree char *text = NULL;

  if (ticket == NULL)
    return;

  if (g_str_equal (action_name, "table.copy-link"))
    text = g_strdup_printf ("tasksteper://%s/%d", ts_ticket_get_project (ticket), ts_ticket_get_number (ticket));
  else
    text = g_strdup (ts_ticket_get_key (ticket));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

/* The context menu, pointing at (@x, @y) of @widget. */
static void
popup_menu_at (TsTicketTable *self,
               GtkWidget     *widget,
               double         x,
               double         y)
{
  graphene_point_t point = GRAPHENE_POINT_INIT (x, y);
  graphene_point_t in_table;

  /* The menu hangs from the table, not from the row's widgets, which the
   * views recycle. */
  if (!gtk_widget_compute_point (widget, GTK_WIDGET (self), &point, &in_table))
    in_table = GRAPHENE_POINT_INIT (0, 0);

  update_actions (self);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu),
                               &(GdkRectangle) { (int)in_table.x, (int)in_table.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
on_row_pressed (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkListItem     *item)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  TsTicketTable *self = TS_TICKET_TABLE (gtk_widget_get_ancestor (widget, TS_TYPE_TICKET_TABLE));
  guint position = gtk_list_item_get_position (item);

  if (self == NULL || position == GTK_INVALID_LIST_POSITION)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  popup_menu_at (self, widget, x, y);
}

static void
add_row_menu_gesture (GtkWidget   *widget,
                      GtkListItem *item)
{
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_row_pressed), item);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));
}

/* Menu or Shift+F10: the menu of the selected row, at the focused row. */
static gboolean
popup_menu_shortcut (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  TsTicketTable *self = TS_TICKET_TABLE (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  graphene_rect_t bounds;

  if (selected_ticket (self) == NULL)
    return FALSE;

  if (focus != NULL && gtk_widget_is_ancestor (focus, widget) &&
      gtk_widget_compute_bounds (focus, focus, &bounds))
    popup_menu_at (self, focus, 24, bounds.size.height / 2);
  else
    popup_menu_at (self, widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
  return TRUE;
}

/* The columns shown, per project, in the "hidden-columns" setting. */

static gboolean
column_hidden (TsTicketTable *self,
               const char    *name)
{
  g_autoptr(GVariant) hidden = g_settings_get_value (self->settings, "hidden-columns");
  g_autofree const char **names = NULL;

  if (!g_variant_lookup (hidden, ts_project_get_name (self->project), "^a&s", &names))
    return FALSE;
  return g_strv_contains (names, name);
}

static void
apply_hidden_columns (TsTicketTable *self)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);
      g_autofree char *action = g_strdup_printf ("show-%u", i);
      gboolean visible = !column->can_hide || !column_hidden (self, column->name);

      gtk_column_view_column_set_visible (column->column, visible);
      if (column->can_hide)
        g_action_group_change_action_state (G_ACTION_GROUP (self->column_actions), action,
                                            g_variant_new_boolean (visible));
    }
}

static gboolean
apply_hidden_columns_now (gpointer user_data)
{
  TsTicketTable *self = user_data;

  self->columns_id = 0;
  apply_hidden_columns (self);
  return G_SOURCE_REMOVE;
}

/* A column hidden from its own header's menu goes once the menu is gone:
 * hiding it while the menu closes destroys the header, and the menu's
 * surface with it, under GTK's feet. */
static void
on_hidden_columns_changed (TsTicketTable *self)
{
  if (self->columns_id == 0)
    self->columns_id = g_idle_add (apply_hidden_columns_now, self);
}

static void
set_column_hidden (TsTicketTable *self,
                   Column        *column,
                   gboolean       hidden)
{
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "hidden-columns");
  const char *project = ts_project_get_name (self->project);
  GVariantBuilder builder;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) project_names = NULL;
  g_autofree const char **known = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (g_variant_lookup (old, project, "^a&s", &known))
    for (guint i = 0; known[i]; i++)
      if (!g_str_equal (known[i], column->name))
        g_strv_builder_add (names, known[i]);
  if (hidden)
    g_strv_builder_add (names, column->name);
  project_names = g_strv_builder_end (names);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sas}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s@as}", &key, &value))
    {
      if (!g_str_equal (key, project))
        g_variant_builder_add (&builder, "{s@as}", key, value);
      g_variant_unref (value);
    }
  if (project_names[0] != NULL)
    g_variant_builder_add (&builder, "{s^as}", project, project_names);

  g_settings_set_value (self->settings, "hidden-columns", g_variant_builder_end (&builder));
}

static void
on_show_column (GSimpleAction *action,
                GVariant      *state,
                gpointer       user_data)
{
  Column *column = user_data;
  TsTicketTable *self = column->table;

  g_simple_action_set_state (action, state);
  if (column_hidden (self, column->name) == g_variant_get_boolean (state))
    set_column_hidden (self, column, !g_variant_get_boolean (state));
}

/* Cells */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            Column                   *column)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* The ID is what a row is known by: it never shortens. */
  if (column->kind != COLUMN_KEY)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  add_row_menu_gesture (label, item);
  g_object_set_data (G_OBJECT (label), "ts-column", column);
  gtk_list_item_set_child (item, label);
}

/* A screen reader names a row by its ticket, not by its widget type. */
static void
label_row (GtkWidget *child,
           TsTicket  *ticket,
           TsProject *project)
{
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *label = NULL;

  if (ticket == NULL)
    return;
  if (ts_ticket_list_is_placeholder (ticket))
    {
      ts_a11y_set_column_view_row_label (child, _("Loading this ticket…"));
      return;
    }
  summary = ts_ticket_dup_value (ticket, ts_project_get_summary_field (project));
  label = g_strdup_printf ("%s %s", ts_ticket_get_key (ticket),
                           summary && json_node_get_value_type (summary) == G_TYPE_STRING
                           ? json_node_get_string (summary) : "");
  ts_a11y_set_column_view_row_label (child, label);
}

static void
show_cell (GtkWidget *label,
           Column    *column,
           TsTicket  *ticket)
{
  g_autofree char *text = cell_text (ticket, column);
  g_autofree char *login = column->kind == COLUMN_PERSON ? login_text (ticket, column) : NULL;

  gtk_label_set_text (GTK_LABEL (label), text);
  /* People are shown by name; the tooltip gives the login. */
  if (login != NULL && g_strcmp0 (login, text) != 0)
    {
      g_autofree char *tooltip = g_strdup_printf ("%s (%s)", text, login);

      ts_lazy_tooltip_set (label, tooltip);
    }
  else
    ts_lazy_tooltip_set (label, text);

  if (column->kind == COLUMN_KEY)
    label_row (label, ticket, column->table->project);
}

/* The row's ticket was read again: the same cell shows it. */
static void
on_cell_row_changed (TsRelayRow *row,
                     GParamSpec *pspec,
                     GtkWidget  *label)
{
  show_cell (label, g_object_get_data (G_OBJECT (label), "ts-column"), ts_relay_row_get_ticket (row));
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           Column                   *column)
{
  TsRelayRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  show_cell (label, column, ts_relay_row_get_ticket (row));
  g_signal_connect_object (row, "notify::ticket", G_CALLBACK (on_cell_row_changed), label, 0);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             Column                   *column)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), on_cell_row_changed,
                                        gtk_list_item_get_child (item));
}

/* Sorted by the server.  GTK 4.8 does not tell which column the view
 * sorts by (GtkColumnViewSorter's primary-sort-column is 4.10), so each
 * column's sorter, asked to compare two probes, notes that it was asked
 * and says "smaller": the view's sorter asks its primary column first and
 * inverts the answer when that column sorts descending.  The rows are
 * never sorted here; "sort-changed" tells the owner to ask the server. */

static int
probe_column (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  Column *column = user_data;

  if (column->table->probed == NULL)
    column->table->probed = column;
  return -1;
}

static void
read_sort (TsTicketTable *self)
{
  GtkOrdering order;

  self->probed = NULL;
  order = gtk_sorter_compare (gtk_column_view_get_sorter (self->view), self->probes[0], self->probes[1]);
  self->sort_column = order == GTK_ORDERING_EQUAL ? NULL : self->probed;
  self->sort_descending = order == GTK_ORDERING_LARGER;
  self->probed = NULL;
}

static void
on_view_sorter_changed (TsTicketTable *self)
{
  Column *column = self->sort_column;
  gboolean descending = self->sort_descending;

  read_sort (self);
  if (column == self->sort_column && descending == self->sort_descending)
    return;

  /* A list reads its rows again in the new order itself. */
  if (self->list != NULL)
    ts_ticket_list_set_sort (self->list, ts_ticket_table_get_sort_column (self),
                             ts_ticket_table_get_sort_descending (self));
  g_signal_emit (self, signals[SORT_CHANGED], 0);
}

static void
add_column (TsTicketTable *self,
            const char    *name,
            gboolean       expand)
{
  Column *column = g_new0 (Column, 1);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autofree char *action_name = g_strdup_printf ("show-%u", self->columns->len);
  g_autofree char *detailed = g_strdup_printf ("columns.%s", action_name);

  column->table = self;
  column->name = g_strdup (name);
  if (g_str_equal (name, "key"))
    column->kind = COLUMN_KEY;
  else if (g_str_equal (name, "state"))
    column->kind = COLUMN_STATE;
  else if (is_person_field (self->project, name))
    column->kind = COLUMN_PERSON;
  else
    column->kind = COLUMN_TEXT;
  column->can_hide = column->kind != COLUMN_KEY && !g_str_equal (name, ts_project_get_summary_field (self->project));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), column);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), column);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), column);

  if (self->server_sort)
    column->sorter = GTK_SORTER (gtk_custom_sorter_new (probe_column, column, NULL));
  else switch (column->kind)
    {
    case COLUMN_KEY:
      /* The ID sorts by number, so question_10 comes after question_9. */
      column->sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (TS_TYPE_TICKET,
                                                                                        gtk_property_expression_new (TS_TYPE_RELAY_ROW, NULL, "ticket"),
                                                                                        "number")));
      break;

    case COLUMN_STATE:
      /* The workflow's order, not the alphabet's. */
      column->sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_cclosure_expression_new (G_TYPE_UINT, NULL, 0, NULL,
                                                                                        G_CALLBACK (state_position),
                                                                                        g_object_ref (self->project),
                                                                                        (GClosureNotify)(void (*) (void))g_object_unref)));
      break;

    case COLUMN_PERSON:
    case COLUMN_TEXT:
    default:
      column->sorter = GTK_SORTER (gtk_string_sorter_new (gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                                                        G_CALLBACK (sort_key),
                                                                                        column, NULL)));
      break;
    }

  column->column = gtk_column_view_column_new (ts_project_get_label_for (self->project, name),
                                               factory);
  gtk_column_view_column_set_sorter (column->column, column->sorter);
  gtk_column_view_column_set_resizable (column->column, column->kind != COLUMN_KEY);
  gtk_column_view_column_set_expand (column->column, expand);
  gtk_column_view_append_column (self->view, column->column);

  if (column->can_hide)
    {
      GSimpleAction *action = g_simple_action_new_stateful (action_name, NULL, g_variant_new_boolean (TRUE));

      g_signal_connect (action, "change-state", G_CALLBACK (on_show_column), column);
      g_action_map_add_action (G_ACTION_MAP (self->column_actions), G_ACTION (action));
      g_object_unref (action);
    }

  g_ptr_array_add (self->columns, column);
}

/* Which columns show, as a menu.  It is not the columns' header menu:
 * GTK 4.8 hides that popover after its column title lost its surface when
 * a click in it hid the column ("gdk_surface_hide: assertion
 * 'GDK_IS_SURFACE (surface)' failed"). */
static void
make_columns_menu (TsTicketTable *self)
{
  g_autoptr(GMenu) section = g_menu_new ();

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);
      g_autofree char *action = g_strdup_printf ("columns.show-%u", i);

      if (column->can_hide)
        g_menu_append (section, ts_project_get_label_for (self->project, column->name), action);
    }
  self->columns_menu = g_menu_new ();
  g_menu_append_section (self->columns_menu, _("Show Columns"), G_MENU_MODEL (section));
}

/* The two-line rows */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           TsTicketTable            *self)
{
  GtkWidget *row = ts_ticket_row_new ();

  add_row_menu_gesture (row, item);
  gtk_list_item_set_child (item, row);
}

static void
show_row (GtkWidget     *widget,
          TsTicketTable *self,
          TsTicket      *ticket)
{
  ts_ticket_row_set_ticket (TS_TICKET_ROW (widget), self->project, is_placeholder (ticket) ? NULL : ticket, self->names);
  label_row (widget, ticket, self->project);
}

static void
on_row_changed (TsRelayRow *row,
                GParamSpec *pspec,
                GtkWidget  *widget)
{
  TsTicketTable *self = TS_TICKET_TABLE (gtk_widget_get_ancestor (widget, TS_TYPE_TICKET_TABLE));

  if (self != NULL)
    show_row (widget, self, ts_relay_row_get_ticket (row));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          TsTicketTable            *self)
{
  TsRelayRow *row = gtk_list_item_get_item (item);
  GtkWidget *widget = gtk_list_item_get_child (item);

  show_row (widget, self, ts_relay_row_get_ticket (row));
  g_signal_connect_object (row, "notify::ticket", G_CALLBACK (on_row_changed), widget, 0);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            TsTicketTable            *self)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), on_row_changed,
                                        gtk_list_item_get_child (item));
}

/* Names arrived: every row is announced as changed, so both views bind
 * them again (the selection stays, since the selected ticket is among the
 * "new" rows) and the sort model sorts people by their names. */
static void
on_names_changed (TsTicketTable *self,
                  const char    *project)
{
  if (g_strcmp0 (project, ts_project_get_name (self->project)) != 0)
    return;

  /* The rows the menu is about go away for a moment. */
  gtk_popover_popdown (GTK_POPOVER (self->menu));
  /* A list announces only the rows it holds, not a million. */
  if (self->list != NULL)
    ts_ticket_list_rows_changed (self->list);
  else
    ts_relay_model_rebind (self->rows);
}

static void
on_activate (GtkWidget     *view,
             guint          position,
             TsTicketTable *self)
{
  g_autoptr(TsRelayRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  TsTicket *ticket = row ? ts_relay_row_get_ticket (row) : NULL;

  if (!is_placeholder (ticket))
    g_signal_emit (self, signals[TICKET_ACTIVATED], 0, ticket);
}

/* Narrow and wide.  The view is changed on an idle, not while GTK
 * allocates. */

static gboolean
flip_views (gpointer user_data)
{
  TsTicketTable *self = user_data;
  gboolean compact = self->compact ? self->last_width < COMPACT_WIDTH + COMPACT_HYSTERESIS
                                   : self->last_width < COMPACT_WIDTH;
  GtkWidget *had_focus = NULL;

  self->flip_id = 0;
  if (compact == self->compact)
    return G_SOURCE_REMOVE;

  /* The focus moves with the view, when it was in the table. */
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
        had_focus = focus;
    }

  self->compact = compact;
  gtk_list_view_set_model (self->list_view, compact ? GTK_SELECTION_MODEL (self->selection) : NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), compact ? "compact" : "columns");
  if (had_focus != NULL)
    gtk_widget_grab_focus (compact ? GTK_WIDGET (self->list_view) : GTK_WIDGET (self->view));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
  return G_SOURCE_REMOVE;
}

static void
ts_ticket_table_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  TsTicketTable *self = TS_TICKET_TABLE (widget);
  gboolean compact = self->compact ? width < COMPACT_WIDTH + COMPACT_HYSTERESIS : width < COMPACT_WIDTH;

  self->last_width = width;
  if (compact != self->compact && self->flip_id == 0)
    self->flip_id = g_idle_add (flip_views, self);

  gtk_widget_allocate (self->stack, width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
ts_ticket_table_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  TsTicketTable *self = TS_TICKET_TABLE (widget);

  gtk_widget_measure (self->stack, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

/* The object */

/* Less than a screenful below what shows, or the rows do not fill the
 * screen: the owner may have more to load ("needs-more").  Not while the
 * view is still being told of the rows it has. */
static void
check_end (GtkAdjustment *adjustment,
           TsTicketTable *self)
{
  double below = gtk_adjustment_get_upper (adjustment) -
                 (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment));

  if (gtk_adjustment_get_page_size (adjustment) > 0 && below < gtk_adjustment_get_page_size (adjustment) &&
      self->rows != NULL && !ts_relay_model_get_growing (self->rows))
    g_signal_emit (self, signals[NEEDS_MORE], 0);
}

static GtkWidget *
make_scroller (TsTicketTable *self,
               GtkWidget     *child)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), child);
  if (self->natural_height)
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  else
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

      gtk_widget_set_vexpand (scroller, TRUE);
      g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (check_end), self, 0);
      g_signal_connect_object (adjustment, "changed", G_CALLBACK (check_end), self, 0);
    }
  return scroller;
}

static void
ts_ticket_table_constructed (GObject *object)
{
  TsTicketTable *self = (TsTicketTable *)object;
  g_autoptr(GtkListItemFactory) row_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  const char * const *columns;

  G_OBJECT_CLASS (ts_ticket_table_parent_class)->constructed (object);

  if (self->tickets == NULL && self->list != NULL)
    self->tickets = G_LIST_MODEL (g_object_ref (self->list));
  if (self->project == NULL && self->list != NULL)
    self->project = g_object_ref (ts_ticket_list_get_project (self->list));
  /* A list holds only some of its rows: the server sorts them. */
  if (self->list != NULL)
    self->server_sort = TRUE;
  g_assert (self->tickets != NULL && self->project != NULL);

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tickets"), -1);
  ts_a11y_name_column_titles (self->view);

  add_column (self, "key", FALSE);
  add_column (self, ts_project_get_summary_field (self->project), TRUE);
  add_column (self, "state", FALSE);
  add_column (self, "assigned_to", FALSE);
  add_column (self, "created_by", FALSE);
  columns = ts_project_get_list_columns (self->project);
  for (guint i = 0; columns[i]; i++)
    add_column (self, columns[i], FALSE);
  add_column (self, "updated_at", FALSE);
  make_columns_menu (self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "columns", G_ACTION_GROUP (self->column_actions));
  apply_hidden_columns (self);
  g_signal_connect_object (self->settings, "changed::hidden-columns", G_CALLBACK (on_hidden_columns_changed),
                           self, G_CONNECT_SWAPPED);

  /* Sorted here, every change goes on to the sort model. */
  self->rows = ts_relay_model_new (G_LIST_MODEL (self->tickets), self->server_sort);
  if (self->server_sort)
    {
      self->probes[0] = g_object_new (G_TYPE_OBJECT, NULL);
      self->probes[1] = g_object_new (G_TYPE_OBJECT, NULL);
      g_signal_connect_object (gtk_column_view_get_sorter (self->view), "changed",
                               G_CALLBACK (on_view_sorter_changed), self, G_CONNECT_SWAPPED);
      self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
    }
  else
    {
      GtkSortListModel *sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)),
                                                          g_object_ref (gtk_column_view_get_sorter (self->view)));

      self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
    }
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->view, "activate", G_CALLBACK (on_activate), self, 0);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (on_selected_changed),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect (row_factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (row_factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (row_factory, "unbind", G_CALLBACK (unbind_row), self);
  /* The compact view gets the rows only while it is shown: a hidden
   * view would still make and bind rows for every change. */
  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (NULL, g_steal_pointer (&row_factory)));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "rich-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tickets"), -1);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_activate), self, 0);

  if (self->names != NULL)
    g_signal_connect_object (self->names, "changed", G_CALLBACK (on_names_changed), self, G_CONNECT_SWAPPED);

  self->stack = gtk_stack_new ();
  gtk_stack_set_hhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_stack_set_vhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_stack_add_named (GTK_STACK (self->stack), make_scroller (self, GTK_WIDGET (self->view)), "columns");
  gtk_stack_add_named (GTK_STACK (self->stack), make_scroller (self, GTK_WIDGET (self->list_view)), "compact");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "columns");
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  g_menu_append (menu, _("Open"), "table.open");
  g_menu_append (menu, _("Copy Link"), "table.copy-link");
  g_menu_append (menu, _("Copy Key"), "table.copy-key");
  self->menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));

  update_actions (self);
}

static void
ts_ticket_table_dispose (GObject *object)
{
  TsTicketTable *self = (TsTicketTable *)object;

  g_clear_handle_id (&self->flip_id, g_source_remove);
  g_clear_handle_id (&self->columns_id, g_source_remove);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, update_actions, self);
  g_clear_object (&self->selected);
  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  g_clear_object (&self->tickets);
  g_clear_object (&self->rows);
  g_clear_object (&self->names);
  g_clear_object (&self->settings);
  g_clear_object (&self->probes[0]);
  g_clear_object (&self->probes[1]);

  G_OBJECT_CLASS (ts_ticket_table_parent_class)->dispose (object);
}

static void
ts_ticket_table_finalize (GObject *object)
{
  TsTicketTable *self = (TsTicketTable *)object;

  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_object (&self->column_actions);
  g_clear_object (&self->columns_menu);
  g_clear_object (&self->project);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (ts_ticket_table_parent_class)->finalize (object);
}

static void
ts_ticket_table_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TsTicketTable *self = TS_TICKET_TABLE (object);

  switch (prop_id)
    {
    case PROP_LIST:
      g_value_set_object (value, self->list);
      break;

    case PROP_TICKETS:
      g_value_set_object (value, self->tickets);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_NAMES:
      g_value_set_object (value, self->names);
      break;

    case PROP_NATURAL_HEIGHT:
      g_value_set_boolean (value, self->natural_height);
      break;

    case PROP_SERVER_SORT:
      g_value_set_boolean (value, self->server_sort);
      break;

    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_table_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TsTicketTable *self = TS_TICKET_TABLE (object);

  switch (prop_id)
    {
    case PROP_LIST:
      self->list = g_value_dup_object (value);
      break;

    case PROP_TICKETS:
      self->tickets = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    case PROP_NAMES:
      self->names = g_value_dup_object (value);
      break;

    case PROP_NATURAL_HEIGHT:
      self->natural_height = g_value_get_boolean (value);
      break;

    case PROP_SERVER_SORT:
      self->server_sort = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_table_class_init (TsTicketTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ts_ticket_table_constructed;
  object_class->dispose = ts_ticket_table_dispose;
  object_class->finalize = ts_ticket_table_finalize;
  object_class->get_property = ts_ticket_table_get_property;
  object_class->set_property = ts_ticket_table_set_property;
  widget_class->measure = ts_ticket_table_measure;
  widget_class->size_allocate = ts_ticket_table_size_allocate;

  properties[PROP_LIST] =
    g_param_spec_object ("list", NULL, NULL, TS_TYPE_TICKET_LIST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TICKETS] =
    g_param_spec_object ("tickets", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, TS_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAMES] =
    g_param_spec_object ("names", NULL, NULL, TS_TYPE_MEMBER_NAMES,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NATURAL_HEIGHT] =
    g_param_spec_boolean ("natural-height", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_SORT] =
    g_param_spec_boolean ("server-sort", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TICKET_ACTIVATED] =
    g_signal_new ("ticket-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TS_TYPE_TICKET);
  signals[SORT_CHANGED] =
    g_signal_new ("sort-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[NEEDS_MORE] =
    g_signal_new ("needs-more", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "table.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "table.copy-link", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "table.copy-key", NULL, copy_action);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, popup_menu_shortcut, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, popup_menu_shortcut, NULL);

  gtk_widget_class_set_css_name (widget_class, "ticket-table");
}

static void
ts_ticket_table_init (TsTicketTable *self)
{
  self->columns = g_ptr_array_new_with_free_func (column_free);
  self->column_actions = g_simple_action_group_new ();
  self->settings = g_settings_new (SETTINGS_ID);
  self->zone = g_time_zone_new_local ();
}

TsTicketTable *
ts_ticket_table_new (TsTicketList  *list,
                     TsMemberNames *names)
{
  g_return_val_if_fail (TS_IS_TICKET_LIST (list), NULL);
  g_return_val_if_fail (names == NULL || TS_IS_MEMBER_NAMES (names), NULL);

  return g_object_new (TS_TYPE_TICKET_TABLE, "list", list, "names", names, NULL);
}

TsTicketTable *
ts_ticket_table_new_for_model (GListModel    *tickets,
                               TsProject     *project,
                               TsMemberNames *names,
                               gboolean       natural_height)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (tickets), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (names == NULL || TS_IS_MEMBER_NAMES (names), NULL);

  return g_object_new (TS_TYPE_TICKET_TABLE,
                       "tickets", tickets,
                       "project", project,
                       "names", names,
                       "natural-height", natural_height,
                       NULL);
}

TsTicketTable *
ts_ticket_table_new_for_search (GListModel    *tickets,
                                TsProject     *project,
                                TsMemberNames *names)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (tickets), NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (names == NULL || TS_IS_MEMBER_NAMES (names), NULL);

  return g_object_new (TS_TYPE_TICKET_TABLE,
                       "tickets", tickets,
                       "project", project,
                       "names", names,
                       "server-sort", TRUE,
                       NULL);
}

const char *
ts_ticket_table_get_sort_column (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);

  if (self->sort_column == NULL)
    return NULL;
  /* The server's name of the ID column. */
  if (self->sort_column->kind == COLUMN_KEY)
    return "number";
  return self->sort_column->name;
}

gboolean
ts_ticket_table_get_sort_descending (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), TRUE);

  /* Newest first, unless a column header says otherwise. */
  return self->sort_column == NULL ? TRUE : self->sort_descending;
}

char **
ts_ticket_table_dup_visible_columns (TsTicketTable *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      if (gtk_column_view_column_get_visible (column->column))
        g_strv_builder_add (names, column->name);
    }

  return g_strv_builder_end (names);
}

TsTicket *
ts_ticket_table_dup_ticket (TsTicketTable *self,
                            guint          position)
{
  g_autoptr(TsRelayRow) row = NULL;

  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);

  row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  return row ? g_object_ref (ts_relay_row_get_ticket (row)) : NULL;
}

TsTicketList *
ts_ticket_table_get_list (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return self->list;
}

TsProject *
ts_ticket_table_get_project (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return self->project;
}

GtkColumnView *
ts_ticket_table_get_column_view (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return self->view;
}

GtkListView *
ts_ticket_table_get_list_view (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return self->list_view;
}

gboolean
ts_ticket_table_get_compact (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), FALSE);
  return self->compact;
}

GMenuModel *
ts_ticket_table_get_columns_menu (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return G_MENU_MODEL (self->columns_menu);
}

GActionGroup *
ts_ticket_table_get_column_actions (TsTicketTable *self)
{
  g_return_val_if_fail (TS_IS_TICKET_TABLE (self), NULL);
  return G_ACTION_GROUP (self->column_actions);
}
