/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-timeline"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tasksteper-core.h"
#include "ts-text-diff.h"
#include "ts-timeline.h"

/* A value longer than this many characters, or of more lines, is folded
 * to its beginning behind Show More. */
#define FOLD_CHARS 160
#define FOLD_LINES 3
/* A text diff of more lines shows its first ones behind Show More. */
#define FOLD_DIFF_LINES 8

struct _TsTimeline
{
  AdwBin        parent_instance;

  TsTicketForm *form;
  GtkListBox   *list;
  GPtrArray    *history;   /* of TsHistoryEntry */
  GPtrArray    *comments;  /* of TsComment */
};

G_DEFINE_FINAL_TYPE (TsTimeline, ts_timeline, ADW_TYPE_BIN)

static const char *
person (TsTimeline *self,
        const char *login)
{
  return ts_ticket_form_get_display_name (self->form, login);
}

char *
ts_timeline_format_value (TsTicketForm *form,
                          const char   *field,
                          JsonNode     *value)
{
  TsField *f = ts_project_lookup_field (ts_ticket_form_get_project (form), field);
  TsFieldType type = f != NULL ? ts_field_get_field_type (f) : TS_FIELD_STRING;

  if (type == TS_FIELD_USER && ts_value_is_empty (value))
    return g_strdup (_("Nobody"));
  if (ts_value_is_empty (value))
    return g_strdup (_("(empty)"));

  switch (json_node_get_value_type (value))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (value) ? _("Yes") : _("No"));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%g", json_node_get_double (value));
    case G_TYPE_STRING:
      if (type == TS_FIELD_USER)
        return g_strdup (ts_ticket_form_get_display_name (form, json_node_get_string (value)));
      return g_strdup (json_node_get_string (value));
    default:
      /* Not a value the schema knows (an array, an object): as JSON. */
      return json_to_string (value, FALSE);
    }
}

/* ---- Show More ------------------------------------------------------- */

static gboolean
is_long (const char *text)
{
  guint lines = 1;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      lines++;

  return lines > FOLD_LINES || g_utf8_strlen (text, -1) > FOLD_CHARS;
}

/* The beginning of @text that a folded value shows, with an ellipsis. */
static char *
fold (const char *text)
{
  g_autoptr(GString) folded = g_string_new (NULL);
  const char *p = text;
  guint lines = 1, chars = 0;

  while (*p != '\0' && chars < FOLD_CHARS)
    {
      if (*p == '\n' && ++lines > FOLD_LINES)
        break;
      g_string_append_unichar (folded, g_utf8_get_char (p));
      p = g_utf8_next_char (p);
      chars++;
    }
  g_string_append (folded, "…");
  return g_string_free (g_steal_pointer (&folded), FALSE);
}

static void
on_show_more_clicked (GtkButton *button,
                      GtkWidget *more)
{
  gboolean shown = !gtk_widget_get_visible (more);
  GtkWidget *less = g_object_get_data (G_OBJECT (button), "ts-folded");

  gtk_widget_set_visible (more, shown);
  if (less != NULL)
    gtk_widget_set_visible (less, !shown);
  gtk_button_set_label (button, shown ? _("Show Less") : _("Show More"));
}

/* A button that shows @more (hidden until then) and hides @folded, the
 * short form shown meanwhile (nullable: @more adds to what shows). */
static GtkWidget *
show_more_button (GtkWidget  *more,
                  GtkWidget  *folded,
                  const char *what)
{
  GtkWidget *button = gtk_button_new_with_label (_("Show More"));
  g_autofree char *description = g_strdup_printf (_("Shows all of %s"), what);

  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "timeline-more");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  gtk_widget_set_visible (more, FALSE);
  g_object_set_data (G_OBJECT (button), "ts-folded", folded);
  g_signal_connect (button, "clicked", G_CALLBACK (on_show_more_clicked), more);
  return button;
}

static GtkWidget *
value_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  return label;
}

/* @text in a box, folded behind Show More when long. */
static void
append_foldable (GtkBox     *box,
                 const char *text,
                 const char *what)
{
  if (!is_long (text))
    {
      gtk_box_append (box, value_label (text));
      return;
    }

  {
    g_autofree char *short_text = fold (text);
    GtkWidget *folded = value_label (short_text);
    GtkWidget *full = value_label (text);

    gtk_box_append (box, folded);
    gtk_box_append (box, full);
    gtk_box_append (box, show_more_button (full, folded, what));
  }
}

/* ---- one change ------------------------------------------------------ */

static GtkWidget *
diff_line_label (TsDiffLine *line)
{
  /* The mark is part of the text: a screen reader and a person who
   * cannot tell the colours apart read "−" and "+". */
  g_autofree char *text = g_strdup_printf ("%s %s",
                                           line->op == TS_DIFF_REMOVED ? "−" : line->op == TS_DIFF_ADDED ? "+" : " ",
                                           line->text);
  GtkWidget *label = value_label (text);

  gtk_widget_add_css_class (label, "timeline-diff");
  if (line->op == TS_DIFF_REMOVED)
    gtk_widget_add_css_class (label, "timeline-removed");
  else if (line->op == TS_DIFF_ADDED)
    gtk_widget_add_css_class (label, "timeline-added");
  return label;
}

static void
append_text_diff (GtkBox     *box,
                  JsonNode   *old_value,
                  JsonNode   *new_value,
                  const char *what)
{
  const char *old_text = old_value != NULL && JSON_NODE_HOLDS_VALUE (old_value) ? json_node_get_string (old_value) : NULL;
  const char *new_text = new_value != NULL && JSON_NODE_HOLDS_VALUE (new_value) ? json_node_get_string (new_value) : NULL;
  g_autoptr(GPtrArray) lines = ts_text_diff_lines (old_text, new_text);
  GtkWidget *rest = NULL;

  for (guint i = 0; i < lines->len; i++)
    {
      GtkWidget *label = diff_line_label (g_ptr_array_index (lines, i));

      if (i == FOLD_DIFF_LINES)
        {
          rest = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
          gtk_box_append (box, rest);
        }
      gtk_box_append (rest != NULL ? GTK_BOX (rest) : box, label);
    }
  if (rest != NULL)
    gtk_box_append (box, show_more_button (rest, NULL, what));
}

static void
append_field_change (TsTimeline *self,
                     GtkBox     *box,
                     const char *name,
                     JsonObject *change,
                     gboolean    created)
{
  TsProject *project = ts_ticket_form_get_project (self->form);
  TsField *field = ts_project_lookup_field (project, name);
  const char *label = ts_project_get_label_for (project, name);
  JsonNode *old_value = json_object_get_member (change, "old");
  JsonNode *new_value = json_object_get_member (change, "new");
  GtkWidget *field_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *heading = gtk_label_new (label);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (field_box), heading);
  gtk_box_append (box, field_box);

  if (field != NULL && ts_field_get_field_type (field) == TS_FIELD_TEXT && !created)
    {
      append_text_diff (GTK_BOX (field_box), old_value, new_value, label);
      return;
    }

  {
    g_autofree char *old_text = ts_timeline_format_value (self->form, name, old_value);
    g_autofree char *new_text = ts_timeline_format_value (self->form, name, new_value);

    if (created)
      append_foldable (GTK_BOX (field_box), new_text, label);
    else if (!is_long (old_text) && !is_long (new_text))
      {
        /* Translators: a field's value before and after a change: "硬件 → 软件" */
        g_autofree char *both = g_strdup_printf (_("%s → %s"), old_text, new_text);

        gtk_box_append (GTK_BOX (field_box), value_label (both));
      }
    else
      {
        /* Translators: the value of a field before a change, when it is long (on a line of its own) */
        g_autofree char *was = g_strdup_printf (_("Was: %s"), old_text);
        /* Translators: the value of a field after a change, when it is long */
        g_autofree char *now = g_strdup_printf (_("Now: %s"), new_text);

        append_foldable (GTK_BOX (field_box), was, label);
        append_foldable (GTK_BOX (field_box), now, label);
      }
  }
}

/* What the change did, in one line: "提交审核: 新建 → 审核中 · passed from 张伟 to 李娜". */
static char *
describe_change (TsTimeline     *self,
                 TsHistoryEntry *entry)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *trigger = ts_history_entry_get_trigger (entry);
  const char *from_state = ts_history_entry_get_from_state (entry);
  const char *to_state = ts_history_entry_get_to_state (entry);
  const char *from_assignee = ts_history_entry_get_from_assignee (entry);
  const char *to_assignee = ts_history_entry_get_to_assignee (entry);

  if (from_state == NULL)
    g_string_append_printf (text, _("Created in %s"), to_state);
  else if (trigger != NULL)
    g_string_append_printf (text, _("%s: %s → %s"), trigger, from_state, to_state);
  else if (g_strcmp0 (from_state, to_state) != 0)
    g_string_append_printf (text, _("Moved: %s → %s"), from_state, to_state);
  else if (g_strcmp0 (from_assignee, to_assignee) != 0)
    g_string_append (text, _("Reassigned"));
  else
    g_string_append (text, _("Saved"));

  if (from_assignee != NULL && g_strcmp0 (from_assignee, to_assignee) != 0)
    g_string_append_printf (text, _(" · passed from %s to %s"),
                            person (self, from_assignee), person (self, to_assignee));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
format_when (GDateTime *at)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (at);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The row's box: a heading "who · when", a line of what it was. */
static GtkWidget *
new_row (const char  *heading,
         const char  *summary,
         GtkBox     **content)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (heading);
  g_autofree char *name = g_strdup_printf ("%s: %s", heading, summary);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "dim-label");
  gtk_widget_add_css_class (title, "caption");
  gtk_box_append (GTK_BOX (box), title);
  if (summary != NULL)
    {
      GtkWidget *what = value_label (summary);

      gtk_widget_add_css_class (what, "heading");
      gtk_box_append (GTK_BOX (box), what);
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  *content = GTK_BOX (box);
  return row;
}

static GtkWidget *
change_row (TsTimeline     *self,
            TsHistoryEntry *entry)
{
  JsonObject *changes = ts_history_entry_get_changes (entry);
  gboolean created = ts_history_entry_get_from_state (entry) == NULL;
  g_autofree char *when = format_when (ts_history_entry_get_at (entry));
  /* Translators: the heading of a row of a ticket's timeline: who, when */
  g_autofree char *heading = g_strdup_printf (_("%s · %s"), person (self, ts_history_entry_get_actor (entry)), when);
  g_autofree char *summary = describe_change (self, entry);
  TsProject *project = ts_ticket_form_get_project (self->form);
  GtkBox *content;
  GtkWidget *row = new_row (heading, summary, &content);

  /* In the schema's order, as the form shows them. */
  for (guint i = 0; changes != NULL && i < ts_project_get_n_fields (project); i++)
    {
      const char *name = ts_field_get_name (ts_project_get_field (project, i));
      JsonNode *change = json_object_get_member (changes, name);

      if (change == NULL || !JSON_NODE_HOLDS_OBJECT (change))
        continue;
      /* At creation only what was filled in; the rest started empty. */
      if (created && ts_value_is_empty (json_object_get_member (json_node_get_object (change), "new")))
        continue;
      append_field_change (self, content, name, json_node_get_object (change), created);
    }

  return row;
}

/* ---- one comment ----------------------------------------------------- */

static const char * const link_schemes[] = { "https://", "http://", "tasksteper://", NULL };

/* The length of the scheme @p starts with, or 0. */
static gsize
link_scheme_at (const char *p)
{
  for (guint i = 0; link_schemes[i] != NULL; i++)
    if (g_ascii_strncasecmp (p, link_schemes[i], strlen (link_schemes[i])) == 0)
      return strlen (link_schemes[i]);
  return 0;
}

/* Where a link ends: at white space, at anything not ASCII (a Chinese
 * sentence goes on right after a link, "见 https://x/1。谢谢"), at quotes
 * and brackets; a final full stop, comma or closing parenthesis is the
 * sentence's, not the link's. */
static const char *
link_end (const char *p)
{
  const char *end = p;

  while (*end != '\0' && (guchar)*end > ' ' && (guchar)*end < 0x80 &&
         strchr ("<>\"'`", *end) == NULL)
    end++;
  while (end > p && strchr (".,;:!?)]}", end[-1]) != NULL)
    end--;
  return end;
}

char *
ts_timeline_linkify (const char *text)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  const char *p = text, *plain = text;

  g_return_val_if_fail (text != NULL, NULL);

  while (*p != '\0')
    {
      gsize scheme = link_scheme_at (p);
      const char *end;

      if (scheme == 0 || (p > text && g_ascii_isalnum (p[-1])) ||
          (end = link_end (p)) <= p + scheme)
        {
          p++;
          continue;
        }

      {
        g_autofree char *before = g_markup_escape_text (plain, p - plain);
        g_autofree char *link = g_markup_escape_text (p, end - p);

        g_string_append (markup, before);
        g_string_append_printf (markup, "<a href=\"%s\">%s</a>", link, link);
      }
      p = plain = end;
    }

  {
    g_autofree char *rest = g_markup_escape_text (plain, -1);

    g_string_append (markup, rest);
  }
  return g_string_free (g_steal_pointer (&markup), FALSE);
}

static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  if (g_ascii_strncasecmp (uri, "tasksteper://", strlen ("tasksteper://")) != 0)
    return FALSE;  /* GTK opens the web page */

  /* The application installs app.open-ticket; without it (a test, a
   * window on its own) the link does nothing. */
  gtk_widget_activate_action (GTK_WIDGET (label), "app.open-ticket", "s", uri);
  return TRUE;
}

static GtkWidget *
comment_row (TsTimeline *self,
             TsComment  *comment)
{
  g_autofree char *when = format_when (ts_comment_get_at (comment));
  g_autofree char *heading = g_strdup_printf (_("%s · %s"), person (self, ts_comment_get_author (comment)), when);
  g_autofree char *markup = ts_timeline_linkify (ts_comment_get_body (comment));
  GtkBox *content;
  /* Translators: what a row of a ticket's timeline is when it is a comment */
  GtkWidget *row = new_row (heading, _("Commented"), &content);
  GtkWidget *body = value_label (NULL);

  gtk_label_set_markup (GTK_LABEL (body), markup);
  gtk_label_set_selectable (GTK_LABEL (body), TRUE);
  g_signal_connect (body, "activate-link", G_CALLBACK (on_activate_link), NULL);
  gtk_widget_add_css_class (row, "timeline-comment");
  gtk_box_append (content, body);
  return row;
}

/* ---- the list ------------------------------------------------------- */

void
ts_timeline_refresh (TsTimeline *self)
{
  GtkWidget *child;

  g_return_if_fail (TS_IS_TIMELINE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  /* Oldest first, newest last: read as a story, the latest at the
   * bottom next to where one adds to it.  Both lists are oldest first:
   * merged, a comment made with a change (same time) after it. */
  {
    guint n_history = self->history != NULL ? self->history->len : 0;
    guint n_comments = self->comments != NULL ? self->comments->len : 0;
    guint h = 0, c = 0;

    while (h < n_history || c < n_comments)
      {
        TsHistoryEntry *entry = h < n_history ? g_ptr_array_index (self->history, h) : NULL;
        TsComment *comment = c < n_comments ? g_ptr_array_index (self->comments, c) : NULL;

        if (entry != NULL &&
            (comment == NULL || g_date_time_compare (ts_history_entry_get_at (entry), ts_comment_get_at (comment)) <= 0))
          {
            gtk_list_box_append (self->list, change_row (self, entry));
            h++;
          }
        else
          {
            gtk_list_box_append (self->list, comment_row (self, comment));
            c++;
          }
      }
  }
}

void
ts_timeline_set_comments (TsTimeline *self,
                          GPtrArray  *comments)
{
  g_return_if_fail (TS_IS_TIMELINE (self));

  if (comments != NULL)
    g_ptr_array_ref (comments);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  self->comments = comments;
  ts_timeline_refresh (self);
}

void
ts_timeline_set_history (TsTimeline *self,
                         GPtrArray  *history)
{
  g_return_if_fail (TS_IS_TIMELINE (self));

  if (history != NULL)
    g_ptr_array_ref (history);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  self->history = history;
  ts_timeline_refresh (self);
}

guint
ts_timeline_get_n_rows (TsTimeline *self)
{
  guint n = 0;

  g_return_val_if_fail (TS_IS_TIMELINE (self), 0);

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->list)); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += GTK_IS_LIST_BOX_ROW (c);
  return n;
}

static void
ts_timeline_dispose (GObject *object)
{
  TsTimeline *self = (TsTimeline *)object;

  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_clear_object (&self->form);

  G_OBJECT_CLASS (ts_timeline_parent_class)->dispose (object);
}

static void
ts_timeline_class_init (TsTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_timeline_dispose;
}

static void
ts_timeline_init (TsTimeline *self)
{
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));
}

TsTimeline *
ts_timeline_new (TsTicketForm *form)
{
  TsTimeline *self;

  g_return_val_if_fail (TS_IS_TICKET_FORM (form), NULL);

  self = g_object_new (TS_TYPE_TIMELINE, NULL);
  self->form = g_object_ref (form);
  return self;
}
