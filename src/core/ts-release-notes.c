/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-release-notes"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "ts-release-notes.h"

G_DEFINE_QUARK (ts-release-notes-error-quark, ts_release_notes_error)

struct _TsReleaseNotes
{
  GObject     parent_instance;

  TsProject  *project;
  char       *state;
  char       *from;
  char       *to;
  char       *text_field;
  char       *group_by;
  GHashTable *tickets;   /* number → TsTicket */
};

G_DEFINE_FINAL_TYPE (TsReleaseNotes, ts_release_notes, G_TYPE_OBJECT)

gboolean
ts_release_notes_parse_date (const char  *text,
                             GDate       *date,
                             GError     **error)
{
  g_autofree char *day = g_strstrip (g_strdup (text ? text : ""));
  unsigned y, m, d;
  int end = 0;

  g_return_val_if_fail (date != NULL, FALSE);

  if (strlen (day) == 10 && day[4] == '-' && day[7] == '-' &&
      g_ascii_isdigit (day[0]) && g_ascii_isdigit (day[5]) && g_ascii_isdigit (day[8]) &&
      sscanf (day, "%4u-%2u-%2u%n", &y, &m, &d, &end) == 3 && end == 10 &&
      g_date_valid_dmy (d, m, y))
    {
      g_date_clear (date, 1);
      g_date_set_dmy (date, d, m, y);
      return TRUE;
    }

  if (*day == '\0')
    g_set_error (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_BAD_DATE,
                 _("No date given: write the day as YYYY-MM-DD, for example 2018-01-31"));
  else
    g_set_error (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_BAD_DATE,
                 _("“%s” is not a date: write the day as YYYY-MM-DD, for example 2018-01-31"), day);
  return FALSE;
}

static char *
iso_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

TsReleaseNotes *
ts_release_notes_new (TsProject   *project,
                      const char  *state,
                      const char  *from,
                      const char  *to,
                      const char  *text_field,
                      const char  *group_by,
                      GError     **error)
{
  g_autoptr(TsReleaseNotes) self = NULL;
  GDate from_date, to_date;
  TsField *field;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (state == NULL || !ts_project_has_state (project, state))
    {
      g_set_error (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_UNKNOWN_STATE,
                   _("Project “%s” has no state “%s”: choose one of its states"),
                   ts_project_get_title (project), state ? state : "");
      return NULL;
    }

  if (!ts_release_notes_parse_date (from, &from_date, error) ||
      !ts_release_notes_parse_date (to, &to_date, error))
    return NULL;

  if (g_date_compare (&to_date, &from_date) < 0)
    {
      g_autofree char *a = iso_date (&from_date);
      g_autofree char *b = iso_date (&to_date);

      g_set_error (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_BAD_WINDOW,
                   _("The window ends on %s, before it starts on %s: give the earlier day first"), b, a);
      return NULL;
    }

  field = text_field ? ts_project_lookup_field (project, text_field) : NULL;
  if (field == NULL ||
      (ts_field_get_field_type (field) != TS_FIELD_TEXT && ts_field_get_field_type (field) != TS_FIELD_STRING))
    {
      g_set_error (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_BAD_FIELD,
                   _("Project “%s” has no text field “%s” to collect: choose one of its text fields"),
                   ts_project_get_title (project), text_field ? text_field : "");
      return NULL;
    }

  if (group_by != NULL &&
      ((field = ts_project_lookup_field (project, group_by)) == NULL ||
       ts_field_get_field_type (field) != TS_FIELD_CHOICE))
    {
      g_set_error (error, TS_RELEASE_NOTES_ERROR, TS_RELEASE_NOTES_ERROR_BAD_FIELD,
                   _("Project “%s” has no choice field “%s” to group by: choose one of its choice fields, or none"),
                   ts_project_get_title (project), group_by);
      return NULL;
    }

  self = g_object_new (TS_TYPE_RELEASE_NOTES, NULL);
  self->project = g_object_ref (project);
  self->state = g_strdup (state);
  self->from = iso_date (&from_date);
  self->to = iso_date (&to_date);
  self->text_field = g_strdup (text_field);
  self->group_by = g_strdup (group_by);
  return g_steal_pointer (&self);
}

JsonNode *
ts_release_notes_dup_filter (TsReleaseNotes *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (TS_IS_RELEASE_NOTES (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reached");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, self->state);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, self->from);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, self->to);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

void
ts_release_notes_add (TsReleaseNotes *self,
                      TsTicket       *ticket)
{
  g_return_if_fail (TS_IS_RELEASE_NOTES (self));
  g_return_if_fail (TS_IS_TICKET (ticket));

  g_hash_table_replace (self->tickets, GINT_TO_POINTER (ts_ticket_get_number (ticket)), g_object_ref (ticket));
}

guint
ts_release_notes_get_n_tickets (TsReleaseNotes *self)
{
  g_return_val_if_fail (TS_IS_RELEASE_NOTES (self), 0);
  return g_hash_table_size (self->tickets);
}

/* Building the Markdown */

/* A field's value as text, "" for none. */
static char *
value_text (TsTicket   *ticket,
            const char *name)
{
  JsonNode *value = json_object_get_member (ts_ticket_get_fields (ticket), name);

  if (value == NULL || JSON_NODE_HOLDS_NULL (value) || ts_value_is_empty (value))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (value));
  return json_to_string (value, FALSE);
}

static int
compare_by_number (gconstpointer a,
                   gconstpointer b)
{
  TsTicket *x = *(TsTicket **)a;
  TsTicket *y = *(TsTicket **)b;

  return (ts_ticket_get_number (x) > ts_ticket_get_number (y)) - (ts_ticket_get_number (x) < ts_ticket_get_number (y));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **)a, *(const char **)b);
}

static void
append_link (TsReleaseNotes *self,
             GString        *out,
             TsTicket       *ticket)
{
  const char *project = ts_ticket_get_project (ticket);

  g_string_append_printf (out, "- [%s](tasksteper://%s/%d)", ts_ticket_get_key (ticket),
                          project != NULL && *project ? project : ts_project_get_name (self->project),
                          ts_ticket_get_number (ticket));
}

/* @text after the link: the first line on the link's line, the others
 * indented under it. */
static void
append_text (GString    *out,
             const char *text)
{
  g_auto(GStrv) lines = NULL;
  guint first = 0, last;
  g_autoptr(GString) normalized = g_string_new (text);

  g_string_replace (normalized, "\r\n", "\n", 0);
  g_string_replace (normalized, "\r", "\n", 0);
  lines = g_strsplit (normalized->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    g_strchomp (lines[i]);

  last = g_strv_length (lines);
  while (first < last && lines[first][0] == '\0')
    first++;
  while (last > first && lines[last - 1][0] == '\0')
    last--;

  for (guint i = first; i < last; i++)
    {
      if (i == first)
        g_string_append_printf (out, " %s", g_strchug (lines[i]));
      else if (lines[i][0] == '\0')
        g_string_append (out, "\n");
      else
        g_string_append_printf (out, "\n  %s", lines[i]);
    }
  g_string_append_c (out, '\n');
}

static void
append_group (TsReleaseNotes *self,
              GString        *out,
              const char     *heading,
              GPtrArray      *tickets)
{
  if (tickets->len == 0)
    return;

  if (heading != NULL)
    g_string_append_printf (out, "\n## %s\n\n", heading);
  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      g_autofree char *text = value_text (ticket, self->text_field);

      append_link (self, out, ticket);
      append_text (out, text);
    }
}

char *
ts_release_notes_to_markdown (TsReleaseNotes *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) tickets = NULL;
  g_autoptr(GPtrArray) without = g_ptr_array_new ();
  g_autoptr(GPtrArray) with = g_ptr_array_new ();
  const char *summary_field;
  GHashTableIter iter;
  gpointer item;

  g_return_val_if_fail (TS_IS_RELEASE_NOTES (self), NULL);

  summary_field = ts_project_get_summary_field (self->project);

  if (g_str_equal (self->from, self->to))
    g_string_append_printf (out, "# %s — %s (%s)\n", ts_project_get_title (self->project), self->state, self->from);
  else
    g_string_append_printf (out, "# %s — %s (%s – %s)\n", ts_project_get_title (self->project), self->state,
                            self->from, self->to);

  tickets = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->tickets);
  while (g_hash_table_iter_next (&iter, NULL, &item))
    g_ptr_array_add (tickets, item);
  g_ptr_array_sort (tickets, compare_by_number);
  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      g_autofree char *text = value_text (ticket, self->text_field);

      g_ptr_array_add (*text ? with : without, ticket);
    }

  if (tickets->len == 0)
    {
      g_string_append_c (out, '\n');
      g_string_append_printf (out, _("No ticket reached %s in this window."), self->state);
      g_string_append_c (out, '\n');
      return g_string_free (g_steal_pointer (&out), FALSE);
    }

  if (self->group_by == NULL)
    {
      if (with->len > 0)
        g_string_append_c (out, '\n');
      append_group (self, out, NULL, with);
    }
  else
    {
      TsField *field = ts_project_lookup_field (self->project, self->group_by);
      const char * const *choices = ts_field_get_choices (field);
      g_autoptr(GPtrArray) headings = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) others = g_ptr_array_new ();  /* values no longer among the choices */
      g_autoptr(GPtrArray) none = g_ptr_array_new ();
      g_autofree char *none_heading = NULL;

      for (guint c = 0; choices[c]; c++)
        g_ptr_array_add (headings, g_strdup (choices[c]));
      for (guint i = 0; i < with->len; i++)
        {
          g_autofree char *value = value_text (g_ptr_array_index (with, i), self->group_by);

          if (*value == '\0')
            g_ptr_array_add (none, g_ptr_array_index (with, i));
          else if (!g_strv_contains (choices, value) &&
                   !g_ptr_array_find_with_equal_func (others, value, g_str_equal, NULL))
            g_ptr_array_add (others, g_steal_pointer (&value));
        }
      g_ptr_array_sort (others, compare_strings);
      for (guint i = 0; i < others->len; i++)
        g_ptr_array_add (headings, g_ptr_array_index (others, i));
      g_ptr_array_set_size (others, 0);

      for (guint h = 0; h < headings->len; h++)
        {
          const char *heading = g_ptr_array_index (headings, h);
          g_autoptr(GPtrArray) group = g_ptr_array_new ();

          for (guint i = 0; i < with->len; i++)
            {
              g_autofree char *value = value_text (g_ptr_array_index (with, i), self->group_by);

              if (g_str_equal (value, heading))
                g_ptr_array_add (group, g_ptr_array_index (with, i));
            }
          append_group (self, out, heading, group);
        }

      none_heading = g_strdup_printf (_("%s: none"), ts_field_get_label (field));
      append_group (self, out, none_heading, none);
    }

  if (without->len > 0)
    {
      g_autofree char *heading = g_strdup_printf (_("Without %s"),
                                                  ts_project_get_label_for (self->project, self->text_field));

      g_string_append_printf (out, "\n## %s\n\n", heading);
      for (guint i = 0; i < without->len; i++)
        {
          TsTicket *ticket = g_ptr_array_index (without, i);
          g_autofree char *summary = summary_field ? value_text (ticket, summary_field) : g_strdup ("");
          char *newline = strpbrk (summary, "\r\n");

          if (newline != NULL)
            *newline = '\0';
          append_link (self, out, ticket);
          if (*g_strstrip (summary))
            g_string_append_printf (out, " %s", summary);
          g_string_append_c (out, '\n');
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
ts_release_notes_finalize (GObject *object)
{
  TsReleaseNotes *self = (TsReleaseNotes *)object;

  g_clear_pointer (&self->tickets, g_hash_table_unref);
  g_clear_object (&self->project);
  g_free (self->state);
  g_free (self->from);
  g_free (self->to);
  g_free (self->text_field);
  g_free (self->group_by);

  G_OBJECT_CLASS (ts_release_notes_parent_class)->finalize (object);
}

static void
ts_release_notes_class_init (TsReleaseNotesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_release_notes_finalize;
}

static void
ts_release_notes_init (TsReleaseNotes *self)
{
  self->tickets = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}
