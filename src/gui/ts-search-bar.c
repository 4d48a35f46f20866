/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-search-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "tasksteper-core.h"
#include "ts-query.h"
#include "ts-filter-popover.h"
#include "ts-save-search-dialog.h"
#include "ts-search-bar.h"

/* The entry is a GtkSearchEntry: its "search-changed" comes a moment
 * after the last key (search-delay in the template), which is the
 * debounce; each new search cancels the one before (TsSearchResults).
 * GtkSearchEntry is no GtkEntry: the attributes that underline the word at
 * fault go to its GtkText. */

struct _TsSearchBar
{
  GtkWidget        parent_instance;

  TsSearchResults *results;
  TsSavedSearch   *saved_search;
  GListStore      *members;        /* TsMember of the project, for people */
  GStrv            people;         /* their logins, for completion */
  GCancellable    *cancellable;    /* of the members' read */
  guint            searching : 1;
  guint            query_ok : 1;   /* the text parsed (or is blank) */

  /* Completion: what replaces [replace_start, replace_end) (bytes) */
  GtkWidget       *completions;    /* GtkPopover */
  GtkListBox      *completion_list;
  GListStore      *completion_items;
  guint            replace_start;
  guint            replace_end;
  guint            completing : 1; /* the entry changes under our hands */

  GtkWidget       *filter_popover;

  /* Template children */
  GtkSearchBar    *bar;
  GtkSearchEntry  *entry;
  GtkMenuButton   *filter_button;
  GtkWidget       *save_button;
  GtkLabel        *error_label;
  GtkLabel        *count_label;
  GtkWidget       *offline_box;
  GtkLabel        *offline_label;
};

G_DEFINE_FINAL_TYPE (TsSearchBar, ts_search_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RESULTS,
  PROP_SEARCH_MODE,
  PROP_SEARCHING,
  PROP_SAVED_SEARCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static TsProject *
get_project (TsSearchBar *self)
{
  return self->results ? ts_search_results_get_project (self->results) : NULL;
}

static TsStore *
get_store (TsSearchBar *self)
{
  return self->results ? ts_search_results_get_store (self->results) : NULL;
}

static const char *
get_text (TsSearchBar *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static GtkText *
entry_text (TsSearchBar *self)
{
  return GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->entry)));
}

static void
set_searching (TsSearchBar *self,
               gboolean     searching)
{
  if (self->searching == !!searching)
    return;
  self->searching = !!searching;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCHING]);
}

static void
set_saved_search (TsSearchBar   *self,
                  TsSavedSearch *search)
{
  if (g_set_object (&self->saved_search, search))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVED_SEARCH]);
}

/* Problems: below the entry, and its accessible description. */

static void
show_problem (TsSearchBar *self,
              const char  *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
clear_parse_error (TsSearchBar *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
  gtk_text_set_attributes (entry_text (self), NULL);
}

/* The word at fault, [start, end) in bytes of the text (which is what
 * Pango counts in), is underlined as a spelling error is. */
static void
show_parse_error (TsSearchBar *self,
                  const char  *message,
                  guint        start,
                  guint        end)
{
  guint length = strlen (get_text (self));
  g_autoptr(PangoAttrList) attributes = pango_attr_list_new ();
  PangoAttribute *underline;

  gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
  start = MIN (start, length);
  end = CLAMP (end, start, length);
  if (end > start)
    {
      underline = pango_attr_underline_new (PANGO_UNDERLINE_ERROR);
      underline->start_index = start;
      underline->end_index = end;
      pango_attr_list_insert (attributes, underline);
      underline = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
      underline->start_index = start;
      underline->end_index = end;
      pango_attr_list_insert (attributes, underline);
    }
  gtk_text_set_attributes (entry_text (self), attributes);
  show_problem (self, message);
}

/* What was found */

static void
update_status (TsSearchBar *self)
{
  TsStore *store = get_store (self);
  g_autofree char *count = NULL;
  const GError *error;
  gint64 n;

  gtk_widget_set_visible (self->offline_box, FALSE);
  if (self->results == NULL || !self->searching)
    {
      gtk_label_set_text (self->count_label, "");
      return;
    }

  error = ts_search_results_get_error (self->results);
  n = ts_search_results_get_count (self->results);
  if (error != NULL)
    {
      /* The filter parsed here but the server (or the offline copy)
       * refused it, or nothing could be read. */
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
      show_problem (self, error->message);
      gtk_label_set_text (self->count_label, "");
      return;
    }

  if (n >= 0)
    {
      /* xgettext cannot read G_GINT64_FORMAT into a message: the number
       * goes in as text. */
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, n);

      /* Translators: how many tickets a search found; %s is the number */
      count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s ticket", "%s tickets", (gulong)n), number);
    }
  else if (ts_search_results_get_loading (self->results))
    count = g_strdup (_("Searching…"));
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ticket so far", "%u tickets so far",
                                          g_list_model_get_n_items (G_LIST_MODEL (self->results))),
                             g_list_model_get_n_items (G_LIST_MODEL (self->results)));
  gtk_label_set_text (self->count_label, count);

  if (ts_search_results_get_offline (self->results))
    {
      GDateTime *data_time = store ? ts_store_get_data_time (store) : NULL;
      const char *title = ts_project_get_title (get_project (self));
      g_autofree char *message = NULL;

      if (data_time != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (data_time);
          g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

          /* Translators: %s are a project's title and when its offline copy was saved */
          message = g_strdup_printf (_("Searching the offline copy of %s saved at %s: it may miss what changed since."),
                                     title, when);
        }
      else
        message = g_strdup_printf (_("Searching the offline copy of %s: it may miss what changed since."), title);
      gtk_label_set_text (self->offline_label, message);
      gtk_widget_set_visible (self->offline_box, TRUE);
    }
}

static void
update_save_button (TsSearchBar *self)
{
  gtk_widget_set_sensitive (self->save_button, self->results != NULL && self->searching && self->query_ok);
}

/* Searching */

static void
apply_query (TsSearchBar *self)
{
  const char *text = get_text (self);
  TsStore *store = get_store (self);
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(GError) error = NULL;
  guint start = 0, end = 0;
  JsonNode *current;

  if (self->results == NULL)
    return;

  clear_parse_error (self);
  show_problem (self, NULL);
  self->query_ok = TRUE;

  if (is_blank (text))
    {
      ts_search_results_set_filter (self->results, NULL);
      set_searching (self, FALSE);
      update_status (self);
      update_save_button (self);
      return;
    }

  filter = ts_query_parse (get_project (self), text, store ? ts_store_get_user (store) : NULL,
                           &start, &end, &error);
  if (filter == NULL)
    {
      /* No search: what is shown stays until the query is right. */
      self->query_ok = FALSE;
      show_parse_error (self, error->message, start, end);
      update_save_button (self);
      return;
    }

  current = ts_search_results_get_filter (self->results);
  if (current == NULL || !json_node_equal (current, filter))
    ts_search_results_set_filter (self->results, filter);
  set_searching (self, TRUE);
  update_status (self);
  update_save_button (self);
}

static void
on_search_changed (TsSearchBar *self)
{
  apply_query (self);
}

/* Completion */

static gboolean
completions_shown (TsSearchBar *self)
{
  return gtk_widget_get_visible (self->completions);
}

static void
hide_completions (TsSearchBar *self)
{
  if (completions_shown (self))
    gtk_popover_popdown (GTK_POPOVER (self->completions));
}

static GtkWidget *
make_completion_row (gpointer item,
                     gpointer user_data)
{
  TsQueryCompletion *completion = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (ts_query_completion_get_label (completion));
  const char *detail = ts_query_completion_get_detail (completion);
  g_autofree char *name = NULL;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  if (detail != NULL && *detail)
    {
      GtkWidget *dim = gtk_label_new (detail);

      gtk_widget_add_css_class (dim, "dim-label");
      gtk_label_set_ellipsize (GTK_LABEL (dim), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (dim), 30);
      gtk_box_append (GTK_BOX (box), dim);
    }
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* The keyboard stays in the entry; Up and Down move the selection. */
  gtk_widget_set_focusable (row, FALSE);

  name = detail && *detail ? g_strdup_printf ("%s, %s", ts_query_completion_get_label (completion), detail)
                           : g_strdup (ts_query_completion_get_label (completion));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return row;
}

/* Byte offset of the cursor in the entry's text. */
static guint
cursor_byte (TsSearchBar *self)
{
  const char *text = get_text (self);
  int position = gtk_editable_get_position (GTK_EDITABLE (self->entry));
  glong length = g_utf8_strlen (text, -1);

  return g_utf8_offset_to_pointer (text, MIN (position, length)) - text;
}

static void
update_completions (TsSearchBar *self)
{
  const char *text = get_text (self);
  g_autoptr(GPtrArray) items = NULL;
  guint cursor, start = 0, end = 0;
  gboolean useful = FALSE;

  if (self->completing)
    return;

  if (self->results == NULL || !gtk_widget_has_focus (GTK_WIDGET (entry_text (self))) ||
      !gtk_search_bar_get_search_mode (self->bar))
    {
      hide_completions (self);
      return;
    }

  cursor = cursor_byte (self);
  items = ts_query_complete (get_project (self), text, cursor, (const char * const *)self->people, &start, &end);
  start = MIN (start, cursor);
  end = CLAMP (end, start, strlen (text));

  /* Not for a word not begun (the list would follow every space), unless
   * a value is wanted after "field:"; nor when the word is complete. */
  if (items != NULL && items->len > 0 && (end > start || (cursor > 0 && text[cursor - 1] == ':')))
    {
      useful = TRUE;
      if (items->len == 1)
        {
          const char *only = ts_query_completion_get_text (g_ptr_array_index (items, 0));

          useful = strlen (only) != end - start || strncmp (only, text + start, end - start) != 0;
        }
    }

  if (!useful)
    {
      g_list_store_remove_all (self->completion_items);
      hide_completions (self);
      return;
    }

  self->replace_start = start;
  self->replace_end = end;
  g_list_store_splice (self->completion_items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->completion_items)),
                       items->pdata, items->len);
  gtk_list_box_select_row (self->completion_list, gtk_list_box_get_row_at_index (self->completion_list, 0));
  if (!completions_shown (self))
    gtk_popover_popup (GTK_POPOVER (self->completions));
}

static void
accept_completion (TsSearchBar       *self,
                   TsQueryCompletion *completion)
{
  g_autofree char *text = g_strdup (get_text (self));
  const char *replacement = ts_query_completion_get_text (completion);
  int start = g_utf8_pointer_to_offset (text, text + MIN (self->replace_start, strlen (text)));
  int end = g_utf8_pointer_to_offset (text, text + MIN (self->replace_end, strlen (text)));
  int position = start;

  self->completing = TRUE;
  gtk_editable_delete_text (GTK_EDITABLE (self->entry), start, end);
  gtk_editable_insert_text (GTK_EDITABLE (self->entry), replacement, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), position);
  self->completing = FALSE;

  hide_completions (self);
  gtk_text_grab_focus_without_selecting (entry_text (self));
  /* After a field's name, its values. */
  update_completions (self);
}

static gboolean
accept_selected (TsSearchBar *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->completion_list);
  g_autoptr(TsQueryCompletion) completion = NULL;

  if (row == NULL)
    return FALSE;
  completion = g_list_model_get_item (G_LIST_MODEL (self->completion_items), gtk_list_box_row_get_index (row));
  if (completion == NULL)
    return FALSE;
  accept_completion (self, completion);
  return TRUE;
}

static void
on_completion_activated (TsSearchBar   *self,
                         GtkListBoxRow *row)
{
  gtk_list_box_select_row (self->completion_list, row);
  accept_selected (self);
}

static void
move_selection (TsSearchBar *self,
                int          step)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->completion_items));
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->completion_list);
  int index = row ? gtk_list_box_row_get_index (row) : -1;

  if (n == 0)
    return;
  index = (index + step + (int)n) % (int)n;
  row = gtk_list_box_get_row_at_index (self->completion_list, index);
  gtk_list_box_select_row (self->completion_list, row);

  /* The selected row stays in sight in a long list. */
  {
    GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->completion_list), GTK_TYPE_SCROLLED_WINDOW);
    graphene_rect_t bounds;

    if (scroller != NULL && gtk_widget_compute_bounds (GTK_WIDGET (row), GTK_WIDGET (self->completion_list), &bounds))
      {
        GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
        double value = gtk_adjustment_get_value (adjustment);
        double page = gtk_adjustment_get_page_size (adjustment);

        if (bounds.origin.y < value)
          gtk_adjustment_set_value (adjustment, bounds.origin.y);
        else if (bounds.origin.y + bounds.size.height > value + page)
          gtk_adjustment_set_value (adjustment, bounds.origin.y + bounds.size.height - page);
      }
  }
}

/* Keys reach this before the entry does (capture phase): while the list
 * shows, Up and Down move in it, Tab and Enter take its choice, Escape
 * closes it (and not the bar). */
static gboolean
on_entry_key (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              TsSearchBar           *self)
{
  if (!completions_shown (self) || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return TRUE;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return TRUE;

    case GDK_KEY_Tab:
    case GDK_KEY_ISO_Left_Tab:
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      return accept_selected (self);

    case GDK_KEY_Escape:
      hide_completions (self);
      return TRUE;

    default:
      return FALSE;
    }
}

static void
on_entry_changed (TsSearchBar *self)
{
  /* The underline was for the text as it was; the next search tells
   * again what is wrong, if anything. */
  clear_parse_error (self);
  if (self->saved_search != NULL &&
      g_strcmp0 (ts_saved_search_get_query (self->saved_search), get_text (self)) != 0)
    set_saved_search (self, NULL);
  update_completions (self);
}

static void
on_cursor_moved (TsSearchBar *self)
{
  /* Moving along the text shows what fits there; typing already did. */
  if (completions_shown (self))
    update_completions (self);
}

static void
on_focus_changed (TsSearchBar *self)
{
  if (!gtk_widget_has_focus (GTK_WIDGET (entry_text (self))))
    hide_completions (self);
}

static void
on_entry_activate (TsSearchBar *self)
{
  /* Enter searches now, without waiting for the pause. */
  apply_query (self);
}

static void
on_stop_search (TsSearchBar *self)
{
  if (completions_shown (self))
    {
      hide_completions (self);
      return;
    }
  ts_search_bar_stop (self);
}

static void
on_search_mode_changed (TsSearchBar *self)
{
  if (!gtk_search_bar_get_search_mode (self->bar))
    {
      hide_completions (self);
      /* A closed bar forgets its query: the window shows its lists again. */
      if (*get_text (self) != '\0')
        gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
      apply_query (self);
      set_saved_search (self, NULL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_MODE]);
}

/* People, for user fields */

static void
on_members (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsSearchBar) self = user_data;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) logins = g_strv_builder_new ();

  members = ts_store_list_members_finish (TS_STORE (object), result, &error);
  if (members == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No members for completion: %s", error->message);
      return;
    }

  for (guint i = 0; i < members->len; i++)
    g_strv_builder_add (logins, ts_member_get_login (g_ptr_array_index (members, i)));
  g_strfreev (self->people);
  self->people = g_strv_builder_end (logins);
  g_list_store_splice (self->members, 0, g_list_model_get_n_items (G_LIST_MODEL (self->members)),
                       members->pdata, members->len);
}

static void
load_members (TsSearchBar *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->people, g_strfreev);
  g_list_store_remove_all (self->members);
  if (self->results == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  ts_store_list_members_async (get_store (self), ts_project_get_name (get_project (self)), self->cancellable,
                               on_members, g_object_ref (self));
}

/* The filter popover: built from the query when it opens, and its
 * conditions written back as the query (ts_query_format) when applied,
 * so that both ways give the same text. */

static void
on_filter_popover_shown (TsSearchBar *self)
{
  TsStore *store = get_store (self);
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(GError) error = NULL;
  guint start, end;

  if (self->results == NULL)
    return;

  if (!is_blank (get_text (self)))
    filter = ts_query_parse (get_project (self), get_text (self), store ? ts_store_get_user (store) : NULL,
                             &start, &end, &error);
  ts_filter_popover_set_filter (TS_FILTER_POPOVER (self->filter_popover), filter,
                                error ? error->message : NULL);
}

static void
on_filter_applied (TsSearchBar *self,
                   JsonNode    *filter)
{
  g_autofree char *query = ts_query_format (get_project (self), filter);

  gtk_menu_button_popdown (self->filter_button);
  self->completing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), query);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  self->completing = FALSE;
  apply_query (self);
  gtk_text_grab_focus_without_selecting (entry_text (self));
}

/* Save Search… */

static void
on_saved (TsSearchBar   *self,
          TsSavedSearch *search)
{
  set_saved_search (self, search);
}

static void
on_save_clicked (TsSearchBar *self)
{
  TsStore *store = get_store (self);
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(GError) error = NULL;
  guint start, end;
  GtkWidget *dialog;

  if (self->results == NULL)
    return;

  /* What is saved is what the entry says now, searched or not yet. */
  filter = ts_query_parse (get_project (self), get_text (self), ts_store_get_user (store), &start, &end, &error);
  if (filter == NULL)
    {
      show_parse_error (self, error->message, start, end);
      return;
    }

  dialog = ts_save_search_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), store,
                                      get_project (self), get_text (self), filter, self->saved_search);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Size: the bar, and the completion popover under the entry. */

static void
ts_search_bar_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  TsSearchBar *self = TS_SEARCH_BAR (widget);

  gtk_widget_measure (GTK_WIDGET (self->bar), orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
ts_search_bar_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  TsSearchBar *self = TS_SEARCH_BAR (widget);
  graphene_rect_t bounds;

  gtk_widget_allocate (GTK_WIDGET (self->bar), width, height, baseline, NULL);

  if (gtk_widget_compute_bounds (GTK_WIDGET (self->entry), widget, &bounds))
    {
      gtk_popover_set_pointing_to (GTK_POPOVER (self->completions),
                                   &(GdkRectangle) { bounds.origin.x, bounds.origin.y,
                                                     bounds.size.width, bounds.size.height });
      gtk_widget_set_size_request (self->completions, MAX ((int)bounds.size.width / 2, 240), -1);
    }
  gtk_popover_present (GTK_POPOVER (self->completions));
}

/* The object */

static void
ts_search_bar_dispose (GObject *object)
{
  TsSearchBar *self = (TsSearchBar *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->results != NULL)
    g_signal_handlers_disconnect_by_data (self->results, self);
  g_clear_pointer (&self->completions, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_SEARCH_BAR);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->results);
  g_clear_object (&self->saved_search);
  g_clear_object (&self->members);
  g_clear_object (&self->completion_items);
  g_clear_pointer (&self->people, g_strfreev);

  G_OBJECT_CLASS (ts_search_bar_parent_class)->dispose (object);
}

static void
ts_search_bar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsSearchBar *self = TS_SEARCH_BAR (object);

  switch (prop_id)
    {
    case PROP_RESULTS:
      g_value_set_object (value, self->results);
      break;

    case PROP_SEARCH_MODE:
      g_value_set_boolean (value, ts_search_bar_get_search_mode (self));
      break;

    case PROP_SEARCHING:
      g_value_set_boolean (value, self->searching);
      break;

    case PROP_SAVED_SEARCH:
      g_value_set_object (value, self->saved_search);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_search_bar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TsSearchBar *self = TS_SEARCH_BAR (object);

  switch (prop_id)
    {
    case PROP_RESULTS:
      ts_search_bar_set_results (self, g_value_get_object (value));
      break;

    case PROP_SEARCH_MODE:
      gtk_search_bar_set_search_mode (self->bar, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_search_bar_class_init (TsSearchBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_search_bar_dispose;
  object_class->get_property = ts_search_bar_get_property;
  object_class->set_property = ts_search_bar_set_property;
  widget_class->measure = ts_search_bar_measure;
  widget_class->size_allocate = ts_search_bar_size_allocate;

  properties[PROP_RESULTS] =
    g_param_spec_object ("results", NULL, NULL, TS_TYPE_SEARCH_RESULTS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_MODE] =
    g_param_spec_boolean ("search-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCHING] =
    g_param_spec_boolean ("searching", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAVED_SEARCH] =
    g_param_spec_object ("saved-search", NULL, NULL, TS_TYPE_SAVED_SEARCH,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The filter icon is ours; a GtkApplication with our resource base path
   * finds it by itself, this is for windows made without one. */
  if (gdk_display_get_default () != NULL)
    gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      "/io/github/tasksteper/TaskSteper/icons");

  g_type_ensure (TS_TYPE_FILTER_POPOVER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-search-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, bar);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, entry);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, filter_button);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, save_button);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, count_label);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, offline_box);
  gtk_widget_class_bind_template_child (widget_class, TsSearchBar, offline_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_cursor_moved);
  gtk_widget_class_bind_template_callback (widget_class, on_search_mode_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);

  gtk_widget_class_set_css_name (widget_class, "ts-search-bar");
}

static void
ts_search_bar_init (TsSearchBar *self)
{
  GtkEventController *keys;
  GtkWidget *scroller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->members = g_list_store_new (TS_TYPE_MEMBER);
  self->completion_items = g_list_store_new (TS_TYPE_QUERY_COMPLETION);

  /* Not modal: typing goes on in the entry while the list shows. */
  self->completions = gtk_popover_new ();
  gtk_popover_set_autohide (GTK_POPOVER (self->completions), FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->completions), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->completions), GTK_POS_BOTTOM);
  gtk_widget_set_halign (self->completions, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->completions, "search-completions");
  self->completion_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->completion_list, GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (self->completion_list, TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self->completion_list), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->completion_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Completions"), -1);
  gtk_list_box_bind_model (self->completion_list, G_LIST_MODEL (self->completion_items),
                           make_completion_row, self, NULL);
  g_signal_connect_object (self->completion_list, "row-activated", G_CALLBACK (on_completion_activated),
                           self, G_CONNECT_SWAPPED);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->completion_list));
  gtk_popover_set_child (GTK_POPOVER (self->completions), scroller);
  gtk_widget_set_parent (self->completions, GTK_WIDGET (self));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);
  g_signal_connect_object (entry_text (self), "notify::has-focus", G_CALLBACK (on_focus_changed),
                           self, G_CONNECT_SWAPPED);

  self->filter_popover = ts_filter_popover_new ();
  gtk_menu_button_set_popover (self->filter_button, self->filter_popover);
  g_signal_connect_object (self->filter_popover, "apply", G_CALLBACK (on_filter_applied), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_popover, "show", G_CALLBACK (on_filter_popover_shown), self, G_CONNECT_SWAPPED);
  ts_filter_popover_set_members (TS_FILTER_POPOVER (self->filter_popover), G_LIST_MODEL (self->members));
}

GtkWidget *
ts_search_bar_new (void)
{
  return g_object_new (TS_TYPE_SEARCH_BAR, NULL);
}

void
ts_search_bar_set_results (TsSearchBar     *self,
                           TsSearchResults *results)
{
  g_return_if_fail (TS_IS_SEARCH_BAR (self));
  g_return_if_fail (results == NULL || TS_IS_SEARCH_RESULTS (results));

  if (self->results == results)
    return;

  ts_search_bar_stop (self);
  if (self->results != NULL)
    g_signal_handlers_disconnect_by_data (self->results, self);
  g_set_object (&self->results, results);
  if (results != NULL)
    {
      g_signal_connect_object (results, "notify::count", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (results, "notify::loading", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (results, "notify::error", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (results, "notify::offline", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (results, "notify::n-items", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
    }
  ts_filter_popover_set_project (TS_FILTER_POPOVER (self->filter_popover), results ? get_project (self) : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->filter_button), results != NULL);
  load_members (self);
  update_status (self);
  update_save_button (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULTS]);
}

TsSearchResults *
ts_search_bar_get_results (TsSearchBar *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_BAR (self), NULL);
  return self->results;
}

void
ts_search_bar_start (TsSearchBar *self)
{
  g_return_if_fail (TS_IS_SEARCH_BAR (self));

  if (self->results == NULL)
    return;
  gtk_search_bar_set_search_mode (self->bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

void
ts_search_bar_run_query (TsSearchBar *self,
                         const char  *query)
{
  g_return_if_fail (TS_IS_SEARCH_BAR (self));
  g_return_if_fail (query != NULL);

  if (self->results == NULL)
    return;
  gtk_search_bar_set_search_mode (self->bar, TRUE);
  self->completing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), query);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  self->completing = FALSE;
  apply_query (self);
  /* The keyboard stays where it was: in the sidebar, choosing searches
   * with the arrow keys, each runs without taking it away. */
  hide_completions (self);
}

void
ts_search_bar_run_saved (TsSearchBar   *self,
                         TsSavedSearch *search)
{
  g_return_if_fail (TS_IS_SEARCH_BAR (self));
  g_return_if_fail (TS_IS_SAVED_SEARCH (search));

  ts_search_bar_run_query (self, ts_saved_search_get_query (search));
  set_saved_search (self, search);
}

void
ts_search_bar_stop (TsSearchBar *self)
{
  g_return_if_fail (TS_IS_SEARCH_BAR (self));

  gtk_search_bar_set_search_mode (self->bar, FALSE);
}

gboolean
ts_search_bar_get_search_mode (TsSearchBar *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_BAR (self), FALSE);
  return gtk_search_bar_get_search_mode (self->bar);
}

gboolean
ts_search_bar_get_searching (TsSearchBar *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_BAR (self), FALSE);
  return self->searching;
}

TsSavedSearch *
ts_search_bar_get_saved_search (TsSearchBar *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_BAR (self), NULL);
  return self->saved_search;
}

GtkWidget *
ts_search_bar_get_entry (TsSearchBar *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_BAR (self), NULL);
  return GTK_WIDGET (self->entry);
}

GtkWidget *
ts_search_bar_get_completions (TsSearchBar *self)
{
  g_return_val_if_fail (TS_IS_SEARCH_BAR (self), NULL);
  return self->completions;
}
