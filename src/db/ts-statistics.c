/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-statistics"

#include "config.h"

#include <string.h>

#include "ts-refusal.h"
#include "ts-statistics.h"
#include "ts-statistics-private.h"

/* TsStatCount */

struct _TsStatCount
{
  GObject  parent_instance;

  char    *value;    /* NULL: the empty group */
  gint64   tickets;
};

G_DEFINE_FINAL_TYPE (TsStatCount, ts_stat_count, G_TYPE_OBJECT)

enum {
  COUNT_PROP_0,
  COUNT_PROP_VALUE,
  COUNT_PROP_TICKETS,
  COUNT_N_PROPS
};

static GParamSpec *count_properties[COUNT_N_PROPS];

static void
ts_stat_count_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsStatCount *self = TS_STAT_COUNT (object);

  switch (prop_id)
    {
    case COUNT_PROP_VALUE:
      g_value_set_string (value, self->value);
      break;

    case COUNT_PROP_TICKETS:
      g_value_set_int64 (value, self->tickets);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_stat_count_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TsStatCount *self = TS_STAT_COUNT (object);

  switch (prop_id)
    {
    case COUNT_PROP_VALUE:
      g_free (self->value);
      self->value = g_value_dup_string (value);
      break;

    case COUNT_PROP_TICKETS:
      self->tickets = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_stat_count_finalize (GObject *object)
{
  TsStatCount *self = (TsStatCount *)object;

  g_clear_pointer (&self->value, g_free);

  G_OBJECT_CLASS (ts_stat_count_parent_class)->finalize (object);
}

static void
ts_stat_count_class_init (TsStatCountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_stat_count_finalize;
  object_class->get_property = ts_stat_count_get_property;
  object_class->set_property = ts_stat_count_set_property;

  /**
   * TsStatCount:value:
   *
   * The group's value: a state's or choice's name, a login, "true" or
   * "false"; NULL for the tickets without one.
   */
  count_properties[COUNT_PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatCount:tickets:
   *
   * How many tickets have the value.
   */
  count_properties[COUNT_PROP_TICKETS] =
    g_param_spec_int64 ("tickets", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, COUNT_N_PROPS, count_properties);
}

static void
ts_stat_count_init (TsStatCount *self)
{
}

TsStatCount *
_ts_stat_count_new (const char *value,
                    gint64      tickets)
{
  return g_object_new (TS_TYPE_STAT_COUNT,
                       "value", value,
                       "tickets", tickets,
                       NULL);
}

const char *
ts_stat_count_get_value (TsStatCount *self)
{
  g_return_val_if_fail (TS_IS_STAT_COUNT (self), NULL);
  return self->value;
}

gint64
ts_stat_count_get_tickets (TsStatCount *self)
{
  g_return_val_if_fail (TS_IS_STAT_COUNT (self), 0);
  return self->tickets;
}

/* TsStatPeriod */

struct _TsStatPeriod
{
  GObject  parent_instance;

  char    *start;
  gint64   created;
  gint64   closed;
};

G_DEFINE_FINAL_TYPE (TsStatPeriod, ts_stat_period, G_TYPE_OBJECT)

enum {
  PERIOD_PROP_0,
  PERIOD_PROP_START,
  PERIOD_PROP_CREATED,
  PERIOD_PROP_CLOSED,
  PERIOD_N_PROPS
};

static GParamSpec *period_properties[PERIOD_N_PROPS];

static void
ts_stat_period_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TsStatPeriod *self = TS_STAT_PERIOD (object);

  switch (prop_id)
    {
    case PERIOD_PROP_START:
      g_value_set_string (value, self->start);
      break;

    case PERIOD_PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PERIOD_PROP_CLOSED:
      g_value_set_int64 (value, self->closed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_stat_period_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TsStatPeriod *self = TS_STAT_PERIOD (object);

  switch (prop_id)
    {
    case PERIOD_PROP_START:
      g_free (self->start);
      self->start = g_value_dup_string (value);
      break;

    case PERIOD_PROP_CREATED:
      self->created = g_value_get_int64 (value);
      break;

    case PERIOD_PROP_CLOSED:
      self->closed = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_stat_period_finalize (GObject *object)
{
  TsStatPeriod *self = (TsStatPeriod *)object;

  g_clear_pointer (&self->start, g_free);

  G_OBJECT_CLASS (ts_stat_period_parent_class)->finalize (object);
}

static void
ts_stat_period_class_init (TsStatPeriodClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_stat_period_finalize;
  object_class->get_property = ts_stat_period_get_property;
  object_class->set_property = ts_stat_period_set_property;

  /**
   * TsStatPeriod:start:
   *
   * The bucket's first day, "YYYY-MM-DD" (a Monday for a week, the 1st
   * for a month).
   */
  period_properties[PERIOD_PROP_START] =
    g_param_spec_string ("start", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatPeriod:created:
   *
   * The tickets created in the bucket.
   */
  period_properties[PERIOD_PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatPeriod:closed:
   *
   * The tickets that entered a final state in the bucket.
   */
  period_properties[PERIOD_PROP_CLOSED] =
    g_param_spec_int64 ("closed", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, PERIOD_N_PROPS, period_properties);
}

static void
ts_stat_period_init (TsStatPeriod *self)
{
}

TsStatPeriod *
_ts_stat_period_new (const char *start,
                     gint64      created,
                     gint64      closed)
{
  g_return_val_if_fail (start != NULL, NULL);

  return g_object_new (TS_TYPE_STAT_PERIOD,
                       "start", start,
                       "created", created,
                       "closed", closed,
                       NULL);
}

const char *
ts_stat_period_get_start (TsStatPeriod *self)
{
  g_return_val_if_fail (TS_IS_STAT_PERIOD (self), NULL);
  return self->start;
}

gint64
ts_stat_period_get_created (TsStatPeriod *self)
{
  g_return_val_if_fail (TS_IS_STAT_PERIOD (self), 0);
  return self->created;
}

gint64
ts_stat_period_get_closed (TsStatPeriod *self)
{
  g_return_val_if_fail (TS_IS_STAT_PERIOD (self), 0);
  return self->closed;
}

/* TsStatStay */

struct _TsStatStay
{
  GObject  parent_instance;

  char    *state;
  gint64   tickets;
  gint64   current;
  double   median_seconds;  /* < 0: none */
  double   p90_seconds;
};

G_DEFINE_FINAL_TYPE (TsStatStay, ts_stat_stay, G_TYPE_OBJECT)

enum {
  STAY_PROP_0,
  STAY_PROP_STATE,
  STAY_PROP_TICKETS,
  STAY_PROP_CURRENT,
  STAY_PROP_MEDIAN_SECONDS,
  STAY_PROP_P90_SECONDS,
  STAY_N_PROPS
};

static GParamSpec *stay_properties[STAY_N_PROPS];

static void
ts_stat_stay_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TsStatStay *self = TS_STAT_STAY (object);

  switch (prop_id)
    {
    case STAY_PROP_STATE:
      g_value_set_string (value, self->state);
      break;

    case STAY_PROP_TICKETS:
      g_value_set_int64 (value, self->tickets);
      break;

    case STAY_PROP_CURRENT:
      g_value_set_int64 (value, self->current);
      break;

    case STAY_PROP_MEDIAN_SECONDS:
      g_value_set_double (value, self->median_seconds);
      break;

    case STAY_PROP_P90_SECONDS:
      g_value_set_double (value, self->p90_seconds);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_stat_stay_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TsStatStay *self = TS_STAT_STAY (object);

  switch (prop_id)
    {
    case STAY_PROP_STATE:
      g_free (self->state);
      self->state = g_value_dup_string (value);
      break;

    case STAY_PROP_TICKETS:
      self->tickets = g_value_get_int64 (value);
      break;

    case STAY_PROP_CURRENT:
      self->current = g_value_get_int64 (value);
      break;

    case STAY_PROP_MEDIAN_SECONDS:
      self->median_seconds = g_value_get_double (value);
      break;

    case STAY_PROP_P90_SECONDS:
      self->p90_seconds = g_value_get_double (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_stat_stay_finalize (GObject *object)
{
  TsStatStay *self = (TsStatStay *)object;

  g_clear_pointer (&self->state, g_free);

  G_OBJECT_CLASS (ts_stat_stay_parent_class)->finalize (object);
}

static void
ts_stat_stay_class_init (TsStatStayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_stat_stay_finalize;
  object_class->get_property = ts_stat_stay_get_property;
  object_class->set_property = ts_stat_stay_set_property;

  /**
   * TsStatStay:state:
   *
   * The state's name.
   */
  stay_properties[STAY_PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatStay:tickets:
   *
   * The tickets that ever were in the state.
   */
  stay_properties[STAY_PROP_TICKETS] =
    g_param_spec_int64 ("tickets", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatStay:current:
   *
   * The tickets in the state now.
   */
  stay_properties[STAY_PROP_CURRENT] =
    g_param_spec_int64 ("current", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatStay:median-seconds:
   *
   * The median of the tickets' times in the state, in seconds; -1 when
   * there is none (a final state, or no ticket was in it).
   */
  stay_properties[STAY_PROP_MEDIAN_SECONDS] =
    g_param_spec_double ("median-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsStatStay:p90-seconds:
   *
   * The 90th percentile of the tickets' times in the state, in seconds;
   * -1 when there is none.
   */
  stay_properties[STAY_PROP_P90_SECONDS] =
    g_param_spec_double ("p90-seconds", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, STAY_N_PROPS, stay_properties);
}

static void
ts_stat_stay_init (TsStatStay *self)
{
  self->median_seconds = -1;
  self->p90_seconds = -1;
}

TsStatStay *
_ts_stat_stay_new (const char *state,
                   gint64      tickets,
                   gint64      current,
                   double      median_seconds,
                   double      p90_seconds)
{
  g_return_val_if_fail (state != NULL, NULL);

  /* Every "none" is -1, the properties' minimum. */
  return g_object_new (TS_TYPE_STAT_STAY,
                       "state", state,
                       "tickets", tickets,
                       "current", current,
                       "median-seconds", median_seconds < 0 ? -1.0 : median_seconds,
                       "p90-seconds", p90_seconds < 0 ? -1.0 : p90_seconds,
                       NULL);
}

const char *
ts_stat_stay_get_state (TsStatStay *self)
{
  g_return_val_if_fail (TS_IS_STAT_STAY (self), NULL);
  return self->state;
}

gint64
ts_stat_stay_get_tickets (TsStatStay *self)
{
  g_return_val_if_fail (TS_IS_STAT_STAY (self), 0);
  return self->tickets;
}

gint64
ts_stat_stay_get_current (TsStatStay *self)
{
  g_return_val_if_fail (TS_IS_STAT_STAY (self), 0);
  return self->current;
}

double
ts_stat_stay_get_median_seconds (TsStatStay *self)
{
  g_return_val_if_fail (TS_IS_STAT_STAY (self), -1);
  return self->median_seconds;
}

double
ts_stat_stay_get_p90_seconds (TsStatStay *self)
{
  g_return_val_if_fail (TS_IS_STAT_STAY (self), -1);
  return self->p90_seconds;
}

const char *
ts_stat_bucket_to_string (TsStatBucket bucket)
{
  switch (bucket)
    {
    case TS_STAT_BUCKET_DAY:
      return "day";
    case TS_STAT_BUCKET_WEEK:
      return "week";
    case TS_STAT_BUCKET_MONTH:
      return "month";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Counting offline */

/* The kind of grouping @group_by is for @project's tickets. */
typedef enum
{
  GROUP_NONE,       /* not a field of the project */
  GROUP_REFUSED,    /* a field of a kind that does not group */
  GROUP_STATE,
  GROUP_ASSIGNEE,
  GROUP_CHOICE,
  GROUP_BOOLEAN,
  GROUP_USER,
} GroupKind;

static GroupKind
group_kind (TsProject  *project,
            const char *group_by)
{
  TsField *field;

  if (g_str_equal (group_by, "state"))
    return GROUP_STATE;
  if (g_str_equal (group_by, "assigned_to"))
    return GROUP_ASSIGNEE;
  if (ts_is_system_field (group_by))
    return GROUP_REFUSED;
  if ((field = ts_project_lookup_field (project, group_by)) == NULL)
    return GROUP_NONE;

  switch (ts_field_get_field_type (field))
    {
    case TS_FIELD_CHOICE:
      return GROUP_CHOICE;
    case TS_FIELD_BOOLEAN:
      return GROUP_BOOLEAN;
    case TS_FIELD_USER:
      return GROUP_USER;
    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_URL:
    case TS_FIELD_DATE:
    case TS_FIELD_INTEGER:
    default:
      return GROUP_REFUSED;
    }
}

char *
_ts_stat_group_by_problem (TsProject  *project,
                           const char *group_by)
{
  g_autoptr(JsonObject) facts = json_object_new ();
  TsField *field;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (group_by != NULL, NULL);

  /* The facts of the server's refusal (TS440, TS444), so that the
   * sentence is the one said online. */
  json_object_set_string_member (facts, "field", group_by);
  switch (group_kind (project, group_by))
    {
    case GROUP_NONE:
      json_object_set_string_member (facts, "ts", "unknown_field");
      json_object_set_string_member (facts, "parameter", "p_group_by");
      return ts_refusal_describe_filter ("unknown_field", facts);

    case GROUP_REFUSED:
      json_object_set_string_member (facts, "ts", "group_by");
      if ((field = ts_project_lookup_field (project, group_by)) != NULL)
        {
          json_object_set_string_member (facts, "type", ts_field_type_to_string (ts_field_get_field_type (field)));
          json_object_set_string_member (facts, "label", ts_field_get_label (field));
        }
      return ts_refusal_describe_filter ("group_by", facts);

    case GROUP_STATE:
    case GROUP_ASSIGNEE:
    case GROUP_CHOICE:
    case GROUP_BOOLEAN:
    case GROUP_USER:
    default:
      return NULL;
    }
}

/* The group of @ticket, as the server reads it (the value's text, as
 * value #>> '{}' gives it), or NULL for the empty group: missing, null,
 * or a string of blanks (tasksteper.is_empty(), ts_value_is_empty()). */
static char *
group_of (TsTicket   *ticket,
          GroupKind   kind,
          const char *group_by)
{
  g_autoptr(JsonNode) column = NULL;
  JsonNode *node;

  if (kind == GROUP_STATE || kind == GROUP_ASSIGNEE)
    {
      const char *text = kind == GROUP_STATE ? ts_ticket_get_state (ticket) : ts_ticket_get_assigned_to (ticket);

      if (text == NULL)
        return NULL;
      column = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (column, text);
      node = column;
    }
  else
    node = json_object_get_member (ts_ticket_get_fields (ticket), group_by);

  if (ts_value_is_empty (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return json_to_string (node, FALSE);  /* an array or object: its JSON text */

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return json_to_string (node, FALSE);
    }
}

/* Most tickets first, ties by value in byte order (the server's
 * COLLATE "C"). */
static int
compare_counts (gconstpointer a,
                gconstpointer b)
{
  TsStatCount *x = *(TsStatCount **)a;
  TsStatCount *y = *(TsStatCount **)b;

  if (x->tickets != y->tickets)
    return x->tickets > y->tickets ? -1 : 1;
  return strcmp (x->value, y->value);
}

GPtrArray *
_ts_stat_count_tickets (GPtrArray  *tickets,
                        TsProject  *project,
                        const char *group_by)
{
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) defined = g_ptr_array_new ();
  g_autoptr(GHashTable) shown = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_object_unref);
  GroupKind kind;
  gint64 empty = 0;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (tickets != NULL, NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (group_by != NULL, NULL);

  kind = group_kind (project, group_by);
  g_return_val_if_fail (kind != GROUP_NONE && kind != GROUP_REFUSED, rows);

  for (guint i = 0; i < tickets->len; i++)
    {
      g_autofree char *group = group_of (g_ptr_array_index (tickets, i), kind, group_by);
      gpointer stored;

      if (group == NULL)
        empty++;
      else if (g_hash_table_lookup_extended (counts, group, NULL, &stored))
        g_hash_table_insert (counts, g_steal_pointer (&group), GSIZE_TO_POINTER (GPOINTER_TO_SIZE (stored) + 1));
      else
        g_hash_table_insert (counts, g_steal_pointer (&group), GSIZE_TO_POINTER (1));
    }

  /* The values the definition has, in its order, 0 included. */
  if (kind == GROUP_STATE)
    {
      const char * const *states = ts_project_get_states (project);

      for (guint i = 0; states != NULL && states[i] != NULL; i++)
        g_ptr_array_add (defined, (gpointer)states[i]);
    }
  else if (kind == GROUP_CHOICE)
    {
      const char * const *choices = ts_field_get_choices (ts_project_lookup_field (project, group_by));

      for (guint i = 0; choices != NULL && choices[i] != NULL; i++)
        g_ptr_array_add (defined, (gpointer)choices[i]);
    }
  else if (kind == GROUP_BOOLEAN)
    {
      g_ptr_array_add (defined, (gpointer)"false");
      g_ptr_array_add (defined, (gpointer)"true");
    }

  for (guint i = 0; i < defined->len; i++)
    {
      const char *name = g_ptr_array_index (defined, i);

      /* A definition naming a value twice gives it once. */
      if (!g_hash_table_add (shown, (gpointer)name))
        continue;
      g_ptr_array_add (rows, _ts_stat_count_new (name, GPOINTER_TO_SIZE (g_hash_table_lookup (counts, name))));
      g_hash_table_remove (counts, name);
    }

  /* Then the values present that it does not have (a user's, or one
   * left from before a re-import), most first. */
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (others, _ts_stat_count_new (key, GPOINTER_TO_SIZE (value)));
  g_ptr_array_sort (others, compare_counts);
  for (guint i = 0; i < others->len; i++)
    g_ptr_array_add (rows, g_object_ref (g_ptr_array_index (others, i)));

  if (empty > 0)
    g_ptr_array_add (rows, _ts_stat_count_new (NULL, empty));

  return rows;
}
