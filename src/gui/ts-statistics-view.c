/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-statistics-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "ts-chart.h"
#include "ts-chart-table.h"
#include "ts-query.h"
#include "ts-statistics-view.h"

/* Changes come in bursts (a re-import, someone walking many tickets):
 * the cards ask again once they have been quiet this long. */
#define RELOAD_DELAY_MS 500

/* Narrower than this, each card shows its table under its chart. */
#define SIDE_BY_SIDE_WIDTH 880

/* Under its chart a table is as tall as a chart: its list view asks for
 * only a few rows of its own. */
#define TABLE_UNDER_HEIGHT 280

typedef enum
{
  CARD_COUNTS,
  CARD_TREND,
  CARD_STAYS,
  N_CARDS
} CardKind;

/* The names the menus and the tests know the cards by. */
static const char * const card_names[N_CARDS] = { "counts", "created-closed", "time-in-state" };
/* The prefixes of the cards' ids in the template. */
static const char * const card_ids[N_CARDS] = { "counts", "trend", "stays" };

typedef struct
{
  /* Template children */
  GtkWidget     *title;
  GtkSpinner    *spinner;
  GtkLabel      *note;
  GtkWidget     *menu;
  GtkStack      *stack;
  GtkBox        *body;
  TsChart       *chart;
  TsChartTable  *table;
  GtkImage      *icon;
  GtkLabel      *message;

  GCancellable  *cancellable;  /* the question being asked, or NULL */
  TsChartData   *data;         /* what the card shows, or NULL */
} Card;

/* The windows the created-and-closed drop-down offers, in its order. */
typedef enum
{
  WINDOW_DAYS,    /* the last 30 days, by day */
  WINDOW_WEEKS,   /* the last 12 weeks, by ISO week */
  WINDOW_MONTHS,  /* the last 12 months, by month */
} TrendWindow;

struct _TsStatisticsView
{
  GtkWidget         parent_instance;

  TsStore          *store;
  TsMemberNames    *names;
  TsProject        *project;
  JsonNode         *filter;       /* NULL: every ticket */
  GPtrArray        *group_names;  /* the grouping drop-down's fields, in its order */
  GPtrArray        *count_rows;   /* the counts last read (TsStatCount), for relabelling */
  char             *count_field;  /* the field they were counted by */
  guint             reload_id;
  gboolean          stale;        /* something changed while the view was not shown */
  gboolean          narrow;
  guint             layout_id;

  Card              cards[N_CARDS];

  /* Template children */
  GtkWidget        *scroller;
  GtkLabel         *narrowed_label;
  GtkDropDown      *counts_dropdown;
  GtkDropDown      *trend_dropdown;
  GtkWidget        *counts_label;
  GtkWidget        *trend_label;
};

G_DEFINE_FINAL_TYPE (TsStatisticsView, ts_statistics_view, GTK_TYPE_WIDGET)

static void reload (TsStatisticsView *self);

static CardKind
card_by_name (const char *name)
{
  for (guint i = 0; i < N_CARDS; i++)
    if (g_strcmp0 (card_names[i], name) == 0)
      return i;
  return N_CARDS;
}

static void
set_loading (Card     *card,
             gboolean  loading)
{
  gtk_spinner_set_spinning (card->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (card->spinner), loading && card->data != NULL);
  if (loading && card->data == NULL)
    gtk_stack_set_visible_child_name (card->stack, "loading");
}

static void
set_note (Card       *card,
          const char *note)
{
  gtk_label_set_text (card->note, note ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (card->note), note != NULL);
}

static void
show_data (Card        *card,
           TsChartData *data)
{
  g_set_object (&card->data, data);
  gtk_label_set_text (GTK_LABEL (card->title), ts_chart_data_get_title (data));
  /* The card's heading says the title; the saved picture has it too. */
  ts_chart_set_show_title (card->chart, FALSE);
  ts_chart_set_data (card->chart, data);
  ts_chart_table_set_data (card->table, data);
  gtk_widget_set_sensitive (card->menu, TRUE);
  gtk_stack_set_visible_child_name (card->stack, "chart");
}

static void
show_message (Card       *card,
              const char *icon_name,
              const char *message)
{
  g_clear_object (&card->data);
  ts_chart_set_data (card->chart, NULL);
  ts_chart_table_set_data (card->table, NULL);
  gtk_widget_set_sensitive (card->menu, FALSE);
  gtk_image_set_from_icon_name (card->icon, icon_name);
  gtk_label_set_text (card->message, message);
  gtk_stack_set_visible_child_name (card->stack, "message");
}

/* What a card says when the store refused or could not answer: the
 * store's own sentence, and what to do about it. */
static void
show_error (TsStatisticsView *self,
            Card             *card,
            const GError     *error)
{
  g_autofree char *message = NULL;

  set_note (card, NULL);
  if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_OFFLINE))
    {
      show_message (card, "network-offline-symbolic", error->message);
      return;
    }

  if (g_error_matches (error, TS_STORE_ERROR, TS_STORE_ERROR_INVALID) && self->filter != NULL)
    /* TRANSLATORS: under a chart that the server refused to draw for the search applied; %s says why */
    message = g_strdup_printf (_("%s\nChange the search, or close it, to see this chart."), error->message);
  else
    message = g_strdup (error->message);
  show_message (card, "dialog-warning-symbolic", message);
}

/* The filter to send: the search's, or {} for every ticket. */
static JsonNode *
dup_filter (TsStatisticsView *self)
{
  if (self->filter != NULL)
    return json_node_copy (self->filter);
  return json_node_init_object (json_node_alloc (), json_object_new ());
}

static GCancellable *
restart (Card *card)
{
  g_cancellable_cancel (card->cancellable);
  g_clear_object (&card->cancellable);
  card->cancellable = g_cancellable_new ();
  set_loading (card, TRUE);
  return card->cancellable;
}

/* Whether @error means the question was withdrawn (a newer one replaced
 * it, or the view went away): then nothing changes. */
static gboolean
withdrawn (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Counts */

static const char *
group_field (TsStatisticsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->counts_dropdown);

  if (self->group_names == NULL || selected >= self->group_names->len)
    return NULL;
  return g_ptr_array_index (self->group_names, selected);
}

static TsFieldType
field_type (TsStatisticsView *self,
            const char       *name)
{
  TsField *field = self->project ? ts_project_lookup_field (self->project, name) : NULL;

  if (g_strcmp0 (name, "assigned_to") == 0)
    return TS_FIELD_USER;
  return field ? ts_field_get_field_type (field) : TS_FIELD_CHOICE;
}

/* How a person reads a group: a state's or choice's own name, Yes or No,
 * a member's display name, or "(empty)". */
static const char *
group_label (TsStatisticsView *self,
             const char       *field,
             const char       *value)
{
  if (value == NULL)
    /* TRANSLATORS: the group of tickets whose field has no value, in the counts chart */
    return _("(empty)");

  switch (field_type (self, field))
    {
    case TS_FIELD_BOOLEAN:
      if (g_str_equal (value, "true"))
        return _("Yes");
      if (g_str_equal (value, "false"))
        return _("No");
      return value;
    case TS_FIELD_USER:
      return self->names ? ts_member_names_get (self->names, ts_project_get_name (self->project), value) : value;
    case TS_FIELD_CHOICE:
    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_URL:
    case TS_FIELD_DATE:
    case TS_FIELD_INTEGER:
    default:
      return value;
    }
}

static void
show_counts (TsStatisticsView *self)
{
  Card *card = &self->cards[CARD_COUNTS];
  const char *field = self->count_field;
  const char *field_label = ts_project_get_label_for (self->project, field);
  /* TRANSLATORS: the title of the counts chart; %s is the field grouped by, e.g. 问题级别 */
  g_autofree char *title = g_strdup_printf (_("Tickets by %s"), field_label);
  g_autoptr(TsChartData) data = ts_chart_data_new (TS_CHART_BARS, title, field_label, TS_CHART_UNIT_COUNT);

  ts_chart_data_add_series (data, _("Tickets"));
  for (guint i = 0; i < self->count_rows->len; i++)
    {
      TsStatCount *row = g_ptr_array_index (self->count_rows, i);
      double value = (double) ts_stat_count_get_tickets (row);

      ts_chart_data_add_category (data, group_label (self, field, ts_stat_count_get_value (row)), &value);
    }
  show_data (card, data);
}

static void
on_counts (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TsStatisticsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = ts_store_ticket_counts_finish (TS_STORE (object), result, &error);
  Card *card = &self->cards[CARD_COUNTS];

  if (withdrawn (error) || self->project == NULL)
    return;
  set_loading (card, FALSE);
  if (rows == NULL)
    {
      g_clear_pointer (&self->count_rows, g_ptr_array_unref);
      show_error (self, card, error);
      return;
    }

  g_clear_pointer (&self->count_rows, g_ptr_array_unref);
  self->count_rows = g_steal_pointer (&rows);
  show_counts (self);

  /* Offline the counts are those of the offline copy: say how old. */
  if (!ts_store_get_online (self->store))
    {
      GDateTime *data_time = ts_store_get_data_time (self->store);
      g_autofree char *note = NULL;

      if (data_time != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (data_time);
          g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

          /* TRANSLATORS: under the counts chart while offline; %s is a date and time */
          note = g_strdup_printf (_("Counted from the offline copy of %s: tickets changed since then are not in it."), when);
        }
      else
        note = g_strdup (_("Counted from the offline copy: tickets changed since it was saved are not in it."));
      set_note (card, note);
    }
  else
    set_note (card, NULL);
}

static void
load_counts (TsStatisticsView *self)
{
  const char *field = group_field (self);
  g_autoptr(JsonNode) filter = NULL;
  GCancellable *cancellable;

  if (self->store == NULL || self->project == NULL || field == NULL)
    return;

  g_free (self->count_field);
  self->count_field = g_strdup (field);
  cancellable = restart (&self->cards[CARD_COUNTS]);
  filter = dup_filter (self);
  ts_store_ticket_counts_async (self->store, ts_project_get_name (self->project), field, filter,
                                cancellable, on_counts, g_object_ref (self));
}

/* People's names arrive after the counts: the labels follow. */
static void
on_names_changed (TsStatisticsView *self,
                  const char       *project)
{
  if (self->project == NULL || self->count_rows == NULL || self->count_field == NULL ||
      (project != NULL && g_strcmp0 (project, ts_project_get_name (self->project)) != 0) ||
      field_type (self, self->count_field) != TS_FIELD_USER)
    return;
  show_counts (self);
}

/* The grouping drop-down: State, Assignee, then every choice, user and
 * boolean field of the project, by its label. */
static void
fill_group_by (TsStatisticsView *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *kept = g_strdup (group_field (self));
  guint selected = 0;

  g_clear_pointer (&self->group_names, g_ptr_array_unref);
  self->group_names = g_ptr_array_new_with_free_func (g_free);

  if (self->project != NULL)
    {
      g_ptr_array_add (self->group_names, g_strdup ("state"));
      g_ptr_array_add (self->group_names, g_strdup ("assigned_to"));
      for (guint i = 0; i < ts_project_get_n_fields (self->project); i++)
        {
          TsField *field = ts_project_get_field (self->project, i);
          TsFieldType type = ts_field_get_field_type (field);

          if (type == TS_FIELD_CHOICE || type == TS_FIELD_USER || type == TS_FIELD_BOOLEAN)
            g_ptr_array_add (self->group_names, g_strdup (ts_field_get_name (field)));
        }
    }

  for (guint i = 0; i < self->group_names->len; i++)
    {
      const char *name = g_ptr_array_index (self->group_names, i);

      gtk_string_list_append (labels, ts_project_get_label_for (self->project, name));
      if (g_strcmp0 (name, kept) == 0)
        selected = i;
    }

  g_signal_handlers_block_by_func (self->counts_dropdown, load_counts, self);
  gtk_drop_down_set_model (self->counts_dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->counts_dropdown, selected);
  g_signal_handlers_unblock_by_func (self->counts_dropdown, load_counts, self);
}

/* Created and closed */

static void
window_dates (TrendWindow   window,
              GDate        *from,
              GDate        *to,
              TsStatBucket *bucket)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (to, 1);
  g_date_set_dmy (to, g_date_time_get_day_of_month (now), g_date_time_get_month (now), g_date_time_get_year (now));
  *from = *to;

  /* Whole buckets: the first one starts on its first day, so that it
   * does not count only part of its days. */
  switch (window)
    {
    case WINDOW_WEEKS:
      g_date_subtract_days (from, g_date_get_weekday (from) - G_DATE_MONDAY + 7 * 11);
      *bucket = TS_STAT_BUCKET_WEEK;
      break;
    case WINDOW_MONTHS:
      g_date_set_day (from, 1);
      g_date_subtract_months (from, 11);
      *bucket = TS_STAT_BUCKET_MONTH;
      break;
    case WINDOW_DAYS:
    default:
      g_date_subtract_days (from, 29);
      *bucket = TS_STAT_BUCKET_DAY;
      break;
    }
}

/* A bucket as the axis shows it: "12-03" for a day or the week starting
 * then, "2026-12" for a month. */
static char *
bucket_label (const char   *start,
              TsStatBucket  bucket)
{
  if (start == NULL || strlen (start) < 10)
    return g_strdup (start ? start : "");
  if (bucket == TS_STAT_BUCKET_MONTH)
    return g_strndup (start, 7);
  return g_strndup (start + 5, 5);
}

static void
on_created_closed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TsStatisticsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = ts_store_created_closed_finish (TS_STORE (object), result, &error);
  Card *card = &self->cards[CARD_TREND];
  g_autoptr(TsChartData) data = NULL;
  TsStatBucket bucket;
  const char *category_title;
  GDate from, to;

  if (withdrawn (error) || self->project == NULL)
    return;
  set_loading (card, FALSE);
  if (rows == NULL)
    {
      show_error (self, card, error);
      return;
    }

  window_dates (gtk_drop_down_get_selected (self->trend_dropdown), &from, &to, &bucket);
  switch (bucket)
    {
    case TS_STAT_BUCKET_WEEK:
      /* TRANSLATORS: the axis of the created-and-closed chart by week: each week by its Monday */
      category_title = _("Week of");
      break;
    case TS_STAT_BUCKET_MONTH:
      category_title = _("Month");
      break;
    case TS_STAT_BUCKET_DAY:
    default:
      category_title = _("Day");
      break;
    }

  data = ts_chart_data_new (TS_CHART_LINES, _("Created and Closed"), category_title, TS_CHART_UNIT_COUNT);
  /* TRANSLATORS: a line of the created-and-closed chart: tickets created */
  ts_chart_data_add_series (data, C_("tickets", "Created"));
  /* TRANSLATORS: a line of the created-and-closed chart: tickets that reached a final state */
  ts_chart_data_add_series (data, C_("tickets", "Closed"));
  for (guint i = 0; i < rows->len; i++)
    {
      TsStatPeriod *row = g_ptr_array_index (rows, i);
      double values[2] = { (double) ts_stat_period_get_created (row), (double) ts_stat_period_get_closed (row) };
      g_autofree char *label = bucket_label (ts_stat_period_get_start (row), bucket);

      ts_chart_data_add_category (data, label, values);
    }
  set_note (card, NULL);
  show_data (card, data);
}

static void
load_created_closed (TsStatisticsView *self)
{
  g_autoptr(JsonNode) filter = NULL;
  GCancellable *cancellable;
  TsStatBucket bucket;
  GDate from, to;

  if (self->store == NULL || self->project == NULL)
    return;

  window_dates (gtk_drop_down_get_selected (self->trend_dropdown), &from, &to, &bucket);
  cancellable = restart (&self->cards[CARD_TREND]);
  filter = dup_filter (self);
  ts_store_created_closed_async (self->store, ts_project_get_name (self->project), &from, &to, bucket, filter,
                                 cancellable, on_created_closed, g_object_ref (self));
}

/* Time in state */

static void
on_time_in_state (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TsStatisticsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = ts_store_time_in_state_finish (TS_STORE (object), result, &error);
  Card *card = &self->cards[CARD_STAYS];
  g_autoptr(TsChartData) data = NULL;
  g_autofree double *tickets = NULL;
  g_autofree double *current = NULL;

  if (withdrawn (error) || self->project == NULL)
    return;
  set_loading (card, FALSE);
  if (rows == NULL)
    {
      show_error (self, card, error);
      return;
    }

  data = ts_chart_data_new (TS_CHART_RANGE_BARS, _("Time in State"),
                            ts_project_get_label_for (self->project, "state"), TS_CHART_UNIT_SECONDS);
  ts_chart_data_add_series (data, _("Median"));
  /* TRANSLATORS: the time within which 90 of 100 tickets left a state */
  ts_chart_data_add_series (data, _("90th percentile"));
  tickets = g_new0 (double, MAX (rows->len, 1));
  current = g_new0 (double, MAX (rows->len, 1));
  for (guint i = 0; i < rows->len; i++)
    {
      TsStatStay *row = g_ptr_array_index (rows, i);
      double median = ts_stat_stay_get_median_seconds (row);
      double p90 = ts_stat_stay_get_p90_seconds (row);
      double values[2] = { median < 0 ? NAN : median, p90 < 0 ? NAN : p90 };

      ts_chart_data_add_category (data, ts_stat_stay_get_state (row), values);
      tickets[i] = (double) ts_stat_stay_get_tickets (row);
      current[i] = (double) ts_stat_stay_get_current (row);
    }
  /* TRANSLATORS: a column of the time-in-state table: tickets that were ever in the state */
  ts_chart_data_add_table_column (data, _("Tickets"), tickets);
  /* TRANSLATORS: a column of the time-in-state table: tickets in the state now */
  ts_chart_data_add_table_column (data, C_("tickets in the state", "Now"), current);
  set_note (card, NULL);
  show_data (card, data);
}

static void
load_time_in_state (TsStatisticsView *self)
{
  g_autoptr(JsonNode) filter = NULL;
  GCancellable *cancellable;

  if (self->store == NULL || self->project == NULL)
    return;

  cancellable = restart (&self->cards[CARD_STAYS]);
  filter = dup_filter (self);
  ts_store_time_in_state_async (self->store, ts_project_get_name (self->project), filter,
                                cancellable, on_time_in_state, g_object_ref (self));
}

/* Asking again */

/* Every card asks again now if the view is shown; else once it is. */
static void
reload (TsStatisticsView *self)
{
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store == NULL || self->project == NULL)
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }

  self->stale = FALSE;
  load_counts (self);
  load_created_closed (self);
  load_time_in_state (self);
}

static gboolean
reload_timeout (gpointer user_data)
{
  TsStatisticsView *self = user_data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
queue_reload (TsStatisticsView *self)
{
  if (self->project == NULL)
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_timeout, self);
}

static void
on_ticket_changed (TsStatisticsView *self)
{
  queue_reload (self);
}

static void
on_project_changed (TsStatisticsView *self,
                    const char       *name)
{
  if (self->project == NULL || (name != NULL && g_strcmp0 (name, ts_project_get_name (self->project)) != 0))
    return;
  queue_reload (self);
}

/* Gone offline: the counts come from the offline copy now and say so,
 * the time charts say that they need the server. */
static void
on_online_changed (TsStatisticsView *self)
{
  if (self->store != NULL && !ts_store_get_online (self->store))
    queue_reload (self);
}

/* Saving and copying */

static void
toast (TsStatisticsView *self,
       const char       *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    {
      g_message ("%s", message);
      return;
    }
  toast = adw_toast_new (message);
  /* What was just done replaces what an earlier toast said. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

typedef struct
{
  TsStatisticsView *self;
  CardKind          card;
  TsChartFormat     format;
} SaveRequest;

static void
save_request_free (SaveRequest *request)
{
  g_clear_object (&request->self);
  g_free (request);
}

static void
on_save_chosen (GtkNativeDialog *chooser,
                int              response,
                SaveRequest     *request)
{
  TsStatisticsView *self = request->self;
  Card *card = &self->cards[request->card];
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  TsChartFormat format = request->format;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (file == NULL || card->data == NULL)
    {
      save_request_free (request);
      return;
    }

  /* The name's extension chooses the format; a name without one gets
   * the format chosen in the menu. */
  name = g_file_get_basename (file);
  if (g_str_has_suffix (name, ".svg") || g_str_has_suffix (name, ".SVG"))
    format = TS_CHART_FORMAT_SVG;
  else if (g_str_has_suffix (name, ".png") || g_str_has_suffix (name, ".PNG"))
    format = TS_CHART_FORMAT_PNG;
  else
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *named = g_strconcat (name, format == TS_CHART_FORMAT_SVG ? ".svg" : ".png", NULL);

      g_set_object (&file, g_file_get_child (parent, named));
      g_free (name);
      name = g_steal_pointer (&named);
    }

  if (!ts_chart_save (card->chart, file, format, -1, -1, &error))
    {
      /* TRANSLATORS: %s says which file and why (from the system) */
      g_autofree char *message = g_strdup_printf (_("The chart was not saved: %s"), error->message);

      toast (self, message);
    }
  else
    {
      /* TRANSLATORS: %s is a file name */
      g_autofree char *message = g_strdup_printf (_("Saved “%s”"), name);

      toast (self, message);
    }
  save_request_free (request);
}

/* "<project title> <chart title>.png", without characters a file name
 * cannot hold. */
static char *
suggest_name (TsStatisticsView *self,
              Card             *card,
              TsChartFormat     format)
{
  g_autofree char *name = g_strdup_printf ("%s %s.%s", ts_project_get_title (self->project),
                                           ts_chart_data_get_title (card->data),
                                           format == TS_CHART_FORMAT_SVG ? "svg" : "png");

  g_strdelimit (name, "/\\:", '-');
  return g_steal_pointer (&name);
}

static void
save_chart (TsStatisticsView *self,
            CardKind          kind,
            TsChartFormat     format)
{
  Card *card = &self->cards[kind];
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  GtkFileChooserNative *chooser;
  SaveRequest *request;

  if (card->data == NULL || self->project == NULL)
    return;

  /* GtkFileChooserNative, not GtkFileDialog, which is GTK 4.10. */
  chooser = gtk_file_chooser_native_new (format == TS_CHART_FORMAT_SVG ? _("Save Chart as SVG") : _("Save Chart as PNG"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (format == TS_CHART_FORMAT_SVG)
    {
      gtk_file_filter_set_name (filter, _("SVG images"));
      gtk_file_filter_add_suffix (filter, "svg");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("PNG images"));
      gtk_file_filter_add_suffix (filter, "png");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (pictures);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  name = suggest_name (self, card, format);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  request = g_new0 (SaveRequest, 1);
  request->self = g_object_ref (self);
  request->card = kind;
  request->format = format;
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_chosen), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_png_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CardKind kind = card_by_name (g_variant_get_string (parameter, NULL));

  if (kind < N_CARDS)
    save_chart (TS_STATISTICS_VIEW (widget), kind, TS_CHART_FORMAT_PNG);
}

static void
save_svg_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CardKind kind = card_by_name (g_variant_get_string (parameter, NULL));

  if (kind < N_CARDS)
    save_chart (TS_STATISTICS_VIEW (widget), kind, TS_CHART_FORMAT_SVG);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TsStatisticsView *self = TS_STATISTICS_VIEW (widget);
  CardKind kind = card_by_name (g_variant_get_string (parameter, NULL));
  g_autofree char *text = NULL;

  if (kind >= N_CARDS || self->cards[kind].data == NULL)
    return;
  text = ts_chart_data_to_text (self->cards[kind].data);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  toast (self, _("The numbers were copied, one line per row, as tab-separated text."));
}

/* The search shown */

static void
update_narrowed (TsStatisticsView *self)
{
  g_autofree char *query = NULL;
  g_autofree char *text = NULL;

  if (self->filter == NULL || self->project == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->narrowed_label), FALSE);
      return;
    }

  query = ts_query_format (self->project, self->filter);
  /* TRANSLATORS: above the statistics while a search is applied; %s is its query */
  text = g_strdup_printf (_("Narrowed by the search: %s"), query);
  gtk_label_set_text (self->narrowed_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->narrowed_label), TRUE);
}

/* Layout: each card's table beside its chart, or under it when narrow.
 * Changed from an idle, never while being allocated. */

static gboolean
update_layout (gpointer user_data)
{
  TsStatisticsView *self = user_data;
  GtkOrientation orientation = self->narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL;

  self->layout_id = 0;
  for (guint i = 0; i < N_CARDS; i++)
    {
      /* Beside the chart the table keeps room for its columns; under
       * it, it takes the card's width. */
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->cards[i].body), orientation);
      gtk_widget_set_size_request (GTK_WIDGET (self->cards[i].table),
                                   self->narrow ? -1 : i == CARD_STAYS ? 460 : 300,
                                   self->narrow ? TABLE_UNDER_HEIGHT : -1);
    }
  /* The drop-downs say what they choose by themselves (their accessible
   * names); narrow, their labels give the room up. */
  gtk_widget_set_visible (self->counts_label, !self->narrow);
  gtk_widget_set_visible (self->trend_label, !self->narrow);
  return G_SOURCE_REMOVE;
}

static void
ts_statistics_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  TsStatisticsView *self = TS_STATISTICS_VIEW (widget);

  gtk_widget_measure (self->scroller, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
ts_statistics_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  TsStatisticsView *self = TS_STATISTICS_VIEW (widget);
  gboolean narrow = width < SIDE_BY_SIDE_WIDTH;

  if (narrow != self->narrow)
    {
      self->narrow = narrow;
      if (self->layout_id == 0)
        self->layout_id = g_idle_add (update_layout, self);
    }
  gtk_widget_allocate (self->scroller, width, height, baseline, NULL);
}

static void
ts_statistics_view_map (GtkWidget *widget)
{
  TsStatisticsView *self = TS_STATISTICS_VIEW (widget);

  GTK_WIDGET_CLASS (ts_statistics_view_parent_class)->map (widget);

  /* Shown again after changes came in: ask once. */
  if (self->stale)
    reload (self);
}

static void
ts_statistics_view_dispose (GObject *object)
{
  TsStatisticsView *self = (TsStatisticsView *)object;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_handle_id (&self->layout_id, g_source_remove);
  for (guint i = 0; i < N_CARDS; i++)
    {
      g_cancellable_cancel (self->cards[i].cancellable);
      g_clear_object (&self->cards[i].cancellable);
      g_clear_object (&self->cards[i].data);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TS_TYPE_STATISTICS_VIEW);
  g_clear_pointer (&self->group_names, g_ptr_array_unref);
  g_clear_pointer (&self->count_rows, g_ptr_array_unref);
  g_clear_pointer (&self->count_field, g_free);
  g_clear_pointer (&self->filter, json_node_unref);
  g_clear_object (&self->project);
  g_clear_object (&self->names);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_statistics_view_parent_class)->dispose (object);
}

#define BIND_CARD_CHILD(klass, i, member, suffix)                                         \
  G_STMT_START {                                                                          \
    g_autofree char *_id = g_strconcat (card_ids[i], suffix, NULL);                        \
    gtk_widget_class_bind_template_child_full (klass, _id, FALSE,                         \
                                               G_STRUCT_OFFSET (TsStatisticsView, cards) \
                                               + i * sizeof (Card)                        \
                                               + G_STRUCT_OFFSET (Card, member));         \
  } G_STMT_END

static void
ts_statistics_view_class_init (TsStatisticsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ts_statistics_view_dispose;
  widget_class->measure = ts_statistics_view_measure;
  widget_class->size_allocate = ts_statistics_view_size_allocate;
  widget_class->map = ts_statistics_view_map;

  g_type_ensure (TS_TYPE_CHART);
  g_type_ensure (TS_TYPE_CHART_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tasksteper/TaskSteper/ts-statistics-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TsStatisticsView, scroller);
  gtk_widget_class_bind_template_child (widget_class, TsStatisticsView, narrowed_label);
  gtk_widget_class_bind_template_child (widget_class, TsStatisticsView, counts_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TsStatisticsView, trend_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TsStatisticsView, counts_label);
  gtk_widget_class_bind_template_child (widget_class, TsStatisticsView, trend_label);
  for (guint i = 0; i < N_CARDS; i++)
    {
      BIND_CARD_CHILD (widget_class, i, title, "_title");
      BIND_CARD_CHILD (widget_class, i, spinner, "_spinner");
      BIND_CARD_CHILD (widget_class, i, note, "_note");
      BIND_CARD_CHILD (widget_class, i, menu, "_menu");
      BIND_CARD_CHILD (widget_class, i, stack, "_stack");
      BIND_CARD_CHILD (widget_class, i, body, "_body");
      BIND_CARD_CHILD (widget_class, i, chart, "_chart");
      BIND_CARD_CHILD (widget_class, i, table, "_table");
      BIND_CARD_CHILD (widget_class, i, icon, "_icon");
      BIND_CARD_CHILD (widget_class, i, message, "_message");
    }

  gtk_widget_class_install_action (widget_class, "stats.save-png", "s", save_png_action);
  gtk_widget_class_install_action (widget_class, "stats.save-svg", "s", save_svg_action);
  gtk_widget_class_install_action (widget_class, "stats.copy", "s", copy_action);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* GTK 4.8's drop-down has a toggle button inside that nothing names, read
 * as "GtkToggleButton": it is named as the drop-down's label is. */
static void
name_dropdown_button (GtkDropDown *dropdown,
                      GtkLabel    *label)
{
  const char *text = gtk_label_get_text (label);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (dropdown));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
ts_statistics_view_init (TsStatisticsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  name_dropdown_button (self->counts_dropdown, GTK_LABEL (self->counts_label));
  name_dropdown_button (self->trend_dropdown, GTK_LABEL (self->trend_label));

  /* Until a project's numbers arrive. */
  gtk_label_set_text (GTK_LABEL (self->cards[CARD_COUNTS].title), _("Tickets"));
  gtk_label_set_text (GTK_LABEL (self->cards[CARD_TREND].title), _("Created and Closed"));
  gtk_label_set_text (GTK_LABEL (self->cards[CARD_STAYS].title), _("Time in State"));
  for (guint i = 0; i < N_CARDS; i++)
    gtk_widget_set_sensitive (self->cards[i].menu, FALSE);

  g_signal_connect_swapped (self->counts_dropdown, "notify::selected", G_CALLBACK (load_counts), self);
  g_signal_connect_swapped (self->trend_dropdown, "notify::selected", G_CALLBACK (load_created_closed), self);
}

GtkWidget *
ts_statistics_view_new (void)
{
  return g_object_new (TS_TYPE_STATISTICS_VIEW, NULL);
}

void
ts_statistics_view_set_store (TsStatisticsView *self,
                              TsStore          *store,
                              TsMemberNames    *names)
{
  g_return_if_fail (TS_IS_STATISTICS_VIEW (self));
  g_return_if_fail (TS_IS_STORE (store));
  g_return_if_fail (names == NULL || TS_IS_MEMBER_NAMES (names));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->names != NULL)
    g_signal_handlers_disconnect_by_data (self->names, self);
  g_set_object (&self->store, store);
  g_set_object (&self->names, names);

  g_signal_connect_object (store, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "project-changed", G_CALLBACK (on_project_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "reconnected", G_CALLBACK (queue_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "notify::online", G_CALLBACK (on_online_changed), self, G_CONNECT_SWAPPED);
  if (names != NULL)
    g_signal_connect_object (names, "changed", G_CALLBACK (on_names_changed), self, G_CONNECT_SWAPPED);
  reload (self);
}

void
ts_statistics_view_set_project (TsStatisticsView *self,
                                TsProject        *project)
{
  g_return_if_fail (TS_IS_STATISTICS_VIEW (self));
  g_return_if_fail (project == NULL || TS_IS_PROJECT (project));

  if (self->project == project)
    return;

  g_set_object (&self->project, project);
  g_clear_pointer (&self->count_rows, g_ptr_array_unref);
  g_clear_pointer (&self->filter, json_node_unref);
  for (guint i = 0; i < N_CARDS; i++)
    {
      Card *card = &self->cards[i];

      g_cancellable_cancel (card->cancellable);
      g_clear_object (&card->cancellable);
      g_clear_object (&card->data);
      ts_chart_set_data (card->chart, NULL);
      ts_chart_table_set_data (card->table, NULL);
      gtk_widget_set_sensitive (card->menu, FALSE);
      set_note (card, NULL);
      set_loading (card, FALSE);
      gtk_stack_set_visible_child_name (card->stack, "loading");
    }
  fill_group_by (self);
  update_narrowed (self);
  reload (self);
}

void
ts_statistics_view_set_filter (TsStatisticsView *self,
                               JsonNode         *filter)
{
  g_return_if_fail (TS_IS_STATISTICS_VIEW (self));
  g_return_if_fail (filter == NULL || JSON_NODE_HOLDS_OBJECT (filter));

  if (filter == self->filter || (filter != NULL && self->filter != NULL && json_node_equal (filter, self->filter)))
    return;

  g_clear_pointer (&self->filter, json_node_unref);
  self->filter = filter ? json_node_copy (filter) : NULL;
  update_narrowed (self);
  reload (self);
}

void
ts_statistics_view_reload (TsStatisticsView *self)
{
  g_return_if_fail (TS_IS_STATISTICS_VIEW (self));

  reload (self);
}

GtkWidget *
ts_statistics_view_get_chart (TsStatisticsView *self,
                              const char       *card)
{
  CardKind kind = card_by_name (card);

  g_return_val_if_fail (TS_IS_STATISTICS_VIEW (self), NULL);
  g_return_val_if_fail (kind < N_CARDS, NULL);
  return GTK_WIDGET (self->cards[kind].chart);
}

GtkWidget *
ts_statistics_view_get_table (TsStatisticsView *self,
                              const char       *card)
{
  CardKind kind = card_by_name (card);

  g_return_val_if_fail (TS_IS_STATISTICS_VIEW (self), NULL);
  g_return_val_if_fail (kind < N_CARDS, NULL);
  return GTK_WIDGET (self->cards[kind].table);
}

GtkWidget *
ts_statistics_view_get_group_by (TsStatisticsView *self)
{
  g_return_val_if_fail (TS_IS_STATISTICS_VIEW (self), NULL);
  return GTK_WIDGET (self->counts_dropdown);
}

gboolean
ts_statistics_view_get_loading (TsStatisticsView *self)
{
  g_return_val_if_fail (TS_IS_STATISTICS_VIEW (self), FALSE);

  if (self->reload_id != 0)
    return TRUE;
  for (guint i = 0; i < N_CARDS; i++)
    if (gtk_spinner_get_spinning (self->cards[i].spinner))
      return TRUE;
  return FALSE;
}
