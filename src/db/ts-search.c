/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-search"

#include "config.h"

#include <string.h>

#include "ts-search-private.h"

typedef enum
{
  SORT_NUMBER,
  SORT_TEXT,       /* state, assigned_to, created_by */
  SORT_TIME,       /* created_at, updated_at */
  SORT_FIELD,
} SortKind;

static SortKind
sort_kind (const char *sort)
{
  if (sort == NULL || g_str_equal (sort, "number") || g_str_equal (sort, "key"))
    return SORT_NUMBER;
  if (g_str_equal (sort, "state") || g_str_equal (sort, "assigned_to") || g_str_equal (sort, "created_by"))
    return SORT_TEXT;
  if (g_str_equal (sort, "created_at") || g_str_equal (sort, "updated_at"))
    return SORT_TIME;
  return SORT_FIELD;
}

static const char *
text_of (TsTicket   *ticket,
         const char *sort)
{
  if (g_str_equal (sort, "state"))
    return ts_ticket_get_state (ticket);
  if (g_str_equal (sort, "assigned_to"))
    return ts_ticket_get_assigned_to (ticket);
  return ts_ticket_get_created_by (ticket);
}

static GDateTime *
time_of (TsTicket   *ticket,
         const char *sort)
{
  return g_str_equal (sort, "created_at") ? ts_ticket_get_created_at (ticket)
                                          : ts_ticket_get_updated_at (ticket);
}

/* A field's value, or NULL when it has none: missing or null. */
static JsonNode *
field_of (TsTicket   *ticket,
          const char *sort)
{
  JsonNode *node = json_object_get_member (ts_ticket_get_fields (ticket), sort);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

JsonNode *
_ts_search_sort_value (TsTicket   *ticket,
                       const char *sort)
{
  GDateTime *time;
  const char *text;
  JsonNode *node;

  g_return_val_if_fail (TS_IS_TICKET (ticket), NULL);

  switch (sort_kind (sort))
    {
    case SORT_NUMBER:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, ts_ticket_get_number (ticket));
      return node;

    case SORT_TEXT:
      if ((text = text_of (ticket, sort)) == NULL)
        return NULL;
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, text);
      return node;

    case SORT_TIME:
      if ((time = time_of (ticket, sort)) == NULL)
        return NULL;
      {
        g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
        g_autofree char *rfc3339 = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");

        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, rfc3339);
        return node;
      }

    case SORT_FIELD:
    default:
      node = field_of (ticket, sort);
      return node != NULL ? json_node_copy (node) : NULL;
    }
}

JsonNode *
_ts_search_cursor (TsTicket   *after,
                   const char *sort)
{
  g_autoptr(JsonObject) cursor = json_object_new ();
  JsonNode *value = _ts_search_sort_value (after, sort);

  json_object_set_member (cursor, "value", value != NULL ? value : json_node_new (JSON_NODE_NULL));
  json_object_set_int_member (cursor, "number", ts_ticket_get_number (after));

  return json_node_init_object (json_node_alloc (), cursor);
}

typedef struct
{
  const char  *sort;
  SortKind     kind;
  TsFieldType  field_type;  /* SORT_FIELD */
  gboolean     descending;
} Order;

/* A field's value as the search sorts by it: an integer field's number, a
 * boolean field's truth, any other field's non-empty string.  A value of
 * another JSON type (search.json's ticket 8 has some), or an empty one,
 * is no value: NULL. */
static JsonNode *
field_key (const Order *order,
           JsonNode    *value)
{
  GType type;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return NULL;

  type = json_node_get_value_type (value);
  switch (order->field_type)
    {
    case TS_FIELD_INTEGER:
      return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE ? value : NULL;

    case TS_FIELD_BOOLEAN:
      return type == G_TYPE_BOOLEAN ? value : NULL;

    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_CHOICE:
    case TS_FIELD_URL:
    case TS_FIELD_DATE:
    case TS_FIELD_USER:
    default:
      return type == G_TYPE_STRING && !ts_value_is_empty (value) ? value : NULL;
    }
}

static double
number_of (JsonNode *node)
{
  return json_node_get_value_type (node) == G_TYPE_INT64 ? (double)json_node_get_int (node)
                                                         : json_node_get_double (node);
}

/* Two values of field_key(), of one kind. */
static int
compare_field_keys (const Order *order,
                    JsonNode    *a,
                    JsonNode    *b)
{
  switch (order->field_type)
    {
    case TS_FIELD_INTEGER:
      /* Integers as integers: doubles would round large ones. */
      if (json_node_get_value_type (a) == G_TYPE_INT64 && json_node_get_value_type (b) == G_TYPE_INT64)
        {
          gint64 x = json_node_get_int (a), y = json_node_get_int (b);

          return x < y ? -1 : x > y;
        }
      else
        {
          double x = number_of (a), y = number_of (b);

          return x < y ? -1 : x > y;
        }

    case TS_FIELD_BOOLEAN:
      return (int)json_node_get_boolean (a) - (int)json_node_get_boolean (b);

    case TS_FIELD_STRING:
    case TS_FIELD_TEXT:
    case TS_FIELD_CHOICE:
    case TS_FIELD_URL:
    case TS_FIELD_DATE:
    case TS_FIELD_USER:
    default:
      /* Byte order, which is code point order in UTF-8: the server sorts
       * text COLLATE "C". */
      return strcmp (json_node_get_string (a), json_node_get_string (b));
    }
}

/* Where row @a goes against row @b, or (@b NULL) against the cursor's
 * @cursor_value and @cursor_number: < 0 before, > 0 after. */
static int
compare_keys (const Order *order,
              TsTicket    *a,
              TsTicket    *b,
              JsonNode    *cursor_value,
              int          cursor_number)
{
  int number_a = ts_ticket_get_number (a);
  int number_b = b != NULL ? ts_ticket_get_number (b) : cursor_number;
  int c = 0;

  switch (order->kind)
    {
    case SORT_NUMBER:
      break;

    case SORT_TEXT:
      {
        const char *x = text_of (a, order->sort);
        const char *y = NULL;

        if (b != NULL)
          y = text_of (b, order->sort);
        else if (cursor_value != NULL && JSON_NODE_HOLDS_VALUE (cursor_value) &&
                 json_node_get_value_type (cursor_value) == G_TYPE_STRING)
          y = json_node_get_string (cursor_value);

        if ((x == NULL) != (y == NULL))
          return x == NULL ? 1 : -1;  /* none: last either way */
        if (x != NULL)
          c = strcmp (x, y);
      }
      break;

    case SORT_TIME:
      {
        GDateTime *x = time_of (a, order->sort);
        g_autoptr(GDateTime) parsed = NULL;
        GDateTime *y = NULL;

        if (b != NULL)
          y = time_of (b, order->sort);
        else if (cursor_value != NULL && JSON_NODE_HOLDS_VALUE (cursor_value) &&
                 json_node_get_value_type (cursor_value) == G_TYPE_STRING)
          y = parsed = g_date_time_new_from_iso8601 (json_node_get_string (cursor_value), NULL);

        if ((x == NULL) != (y == NULL))
          return x == NULL ? 1 : -1;
        if (x != NULL)
          c = g_date_time_compare (x, y);
      }
      break;

    case SORT_FIELD:
    default:
      {
        JsonNode *x = field_key (order, field_of (a, order->sort));
        JsonNode *y = field_key (order, b != NULL ? field_of (b, order->sort) : cursor_value);

        if ((x == NULL) != (y == NULL))
          return x == NULL ? 1 : -1;
        if (x != NULL)
          c = compare_field_keys (order, x, y);
      }
      break;
    }

  if (c == 0)
    c = number_a < number_b ? -1 : number_a > number_b;

  return order->descending ? -c : c;
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return compare_keys (user_data, *(TsTicket **)a, *(TsTicket **)b, NULL, 0);
}

gboolean
_ts_search_is_sort (TsProject  *project,
                    const char *sort)
{
  return sort_kind (sort) != SORT_FIELD || ts_project_lookup_field (project, sort) != NULL;
}

GPtrArray *
_ts_search_run (GPtrArray  *tickets,
                GHashTable *states,
                TsProject  *project,
                TsFilter   *filter,
                const char *sort,
                gboolean    descending,
                TsTicket   *after,
                int         limit)
{
  Order order = { sort, sort_kind (sort), TS_FIELD_STRING, descending };
  g_autoptr(JsonNode) cursor_value = NULL;
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *page;

  g_return_val_if_fail (tickets != NULL, NULL);
  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);
  g_return_val_if_fail (TS_IS_FILTER (filter), NULL);
  g_return_val_if_fail (_ts_search_is_sort (project, sort), NULL);

  if (order.kind == SORT_FIELD)
    order.field_type = ts_field_get_field_type (ts_project_lookup_field (project, sort));

  /* The cursor is the value @after had when it was shown, as the server
   * takes it: the ticket may have changed since. */
  if (after != NULL)
    cursor_value = _ts_search_sort_value (after, sort);

  for (guint i = 0; i < tickets->len; i++)
    {
      TsTicket *ticket = g_ptr_array_index (tickets, i);
      gint64 id = ts_ticket_get_id (ticket);
      GArray *entries = states != NULL ? g_hash_table_lookup (states, &id) : NULL;

      if (after != NULL &&
          compare_keys (&order, ticket, NULL, cursor_value, ts_ticket_get_number (after)) <= 0)
        continue;

      if (ts_filter_matches (filter, ticket,
                             entries != NULL ? (const TsStateEntry *)(gpointer)entries->data : NULL,
                             entries != NULL ? entries->len : 0))
        g_ptr_array_add (matches, g_object_ref (ticket));
    }

  g_ptr_array_sort_with_data (matches, compare_rows, &order);

  page = g_ptr_array_new_full (limit >= 0 ? MIN ((guint)limit, matches->len) : matches->len, g_object_unref);
  for (guint i = 0; i < matches->len && (limit < 0 || i < (guint)limit); i++)
    g_ptr_array_add (page, g_object_ref (g_ptr_array_index (matches, i)));

  return page;
}
