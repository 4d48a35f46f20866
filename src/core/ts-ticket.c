/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-ticket"

#include "config.h"

#include "ts-ticket.h"

/* One ticket as the client knows it: the system columns and the values of
 * the schema's fields.  The server decides every change; this object only
 * carries what it said. */

const char * const ts_system_fields[] = {
  "key", "state", "assigned_to", "created_by", "created_at", "updated_at", NULL
};

gboolean
ts_is_system_field (const char *name)
{
  return name != NULL && g_strv_contains (ts_system_fields, name);
}

struct _TsTicket
{
  GObject     parent_instance;

  gint64      id;
  /* Interned (g_intern_string): a list holds thousands of tickets of a
   * few projects, states and people, each string once. */
  const char *project;
  gint        number;
  char       *key;
  const char *state;
  const char *assigned_to;
  const char *created_by;
  GDateTime  *created_at;
  GDateTime  *updated_at;
  gint        version;
  JsonObject *fields;
};

G_DEFINE_FINAL_TYPE (TsTicket, ts_ticket, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROJECT,
  PROP_NUMBER,
  PROP_KEY,
  PROP_STATE,
  PROP_ASSIGNED_TO,
  PROP_CREATED_BY,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ts_ticket_finalize (GObject *object)
{
  TsTicket *self = (TsTicket *)object;

  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  g_clear_pointer (&self->fields, json_object_unref);

  G_OBJECT_CLASS (ts_ticket_parent_class)->finalize (object);
}

static void
ts_ticket_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TsTicket *self = TS_TICKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_PROJECT:
      g_value_set_string (value, self->project);
      break;
    case PROP_NUMBER:
      g_value_set_int (value, self->number);
      break;
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_ASSIGNED_TO:
      g_value_set_string (value, self->assigned_to);
      break;
    case PROP_CREATED_BY:
      g_value_set_string (value, self->created_by);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_boxed (value, self->updated_at);
      break;
    case PROP_VERSION:
      g_value_set_int (value, self->version);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TsTicket *self = TS_TICKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      ts_ticket_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_PROJECT:
      ts_ticket_set_project (self, g_value_get_string (value));
      break;
    case PROP_NUMBER:
      ts_ticket_set_number (self, g_value_get_int (value));
      break;
    case PROP_KEY:
      ts_ticket_set_key (self, g_value_get_string (value));
      break;
    case PROP_STATE:
      ts_ticket_set_state (self, g_value_get_string (value));
      break;
    case PROP_ASSIGNED_TO:
      ts_ticket_set_assigned_to (self, g_value_get_string (value));
      break;
    case PROP_CREATED_BY:
      ts_ticket_set_created_by (self, g_value_get_string (value));
      break;
    case PROP_CREATED_AT:
      ts_ticket_set_created_at (self, g_value_get_boxed (value));
      break;
    case PROP_UPDATED_AT:
      ts_ticket_set_updated_at (self, g_value_get_boxed (value));
      break;
    case PROP_VERSION:
      ts_ticket_set_version (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_ticket_class_init (TsTicketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ts_ticket_finalize;
  object_class->get_property = ts_ticket_get_property;
  object_class->set_property = ts_ticket_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PROJECT] = g_param_spec_string ("project", NULL, NULL, NULL, flags);
  properties[PROP_NUMBER] = g_param_spec_int ("number", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, flags);
  properties[PROP_ASSIGNED_TO] = g_param_spec_string ("assigned-to", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_BY] = g_param_spec_string ("created-by", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] = g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_UPDATED_AT] = g_param_spec_boxed ("updated-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_VERSION] = g_param_spec_int ("version", NULL, NULL, 0, G_MAXINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_ticket_init (TsTicket *self)
{
  self->fields = json_object_new ();
}

TsTicket *
ts_ticket_new (void)
{
  return g_object_new (TS_TYPE_TICKET, NULL);
}

static JsonNode *copy_node (JsonNode *node);

/* json_node_copy() shares objects and arrays instead of copying them, so a
 * copy that may be changed needs this. */
static JsonObject *
copy_object (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l; l = l->next)
    json_object_set_member (copy, l->data, copy_node (json_object_get_member (object, l->data)));

  return copy;
}

static JsonNode *
copy_node (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        g_autoptr(JsonObject) object = copy_object (json_node_get_object (node));

        return json_node_init_object (json_node_alloc (), object);
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *source = json_node_get_array (node);
        g_autoptr(JsonArray) array = json_array_sized_new (json_array_get_length (source));

        for (guint i = 0; i < json_array_get_length (source); i++)
          json_array_add_element (array, copy_node (json_array_get_element (source, i)));
        return json_node_init_array (json_node_alloc (), array);
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      copy = json_node_copy (node);
      return copy;
    }
}

/**
 * ts_ticket_copy:
 *
 * Returns: (transfer full): a deep copy; its field values can be changed
 *   without touching @self
 */
TsTicket *
ts_ticket_copy (TsTicket *self)
{
  TsTicket *copy;

  g_return_val_if_fail (TS_IS_TICKET (self), NULL);

  copy = ts_ticket_new ();
  copy->id = self->id;
  copy->project = self->project;
  copy->number = self->number;
  copy->key = g_strdup (self->key);
  copy->state = self->state;
  copy->assigned_to = self->assigned_to;
  copy->created_by = self->created_by;
  copy->created_at = self->created_at ? g_date_time_ref (self->created_at) : NULL;
  copy->updated_at = self->updated_at ? g_date_time_ref (self->updated_at) : NULL;
  copy->version = self->version;

  g_clear_pointer (&copy->fields, json_object_unref);
  copy->fields = copy_object (self->fields);

  return copy;
}

/* g_set_str() is GLib 2.76, newer than what we may use. */
static gboolean
set_str (char       **slot,
         const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static gboolean
set_interned (const char **slot,
              const char  *value)
{
  const char *interned = g_intern_string (value);

  if (*slot == interned)
    return FALSE;
  *slot = interned;
  return TRUE;
}

#define STRING_ACCESSORS(field, prop, set)                                   \
const char *                                                            \
ts_ticket_get_##field (TsTicket *self)                                  \
{                                                                       \
  g_return_val_if_fail (TS_IS_TICKET (self), NULL);                     \
  return self->field;                                                   \
}                                                                       \
                                                                        \
void                                                                    \
ts_ticket_set_##field (TsTicket   *self,                                \
                       const char *field)                               \
{                                                                       \
  g_return_if_fail (TS_IS_TICKET (self));                               \
  if (set (&self->field, field))                                        \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);       \
}

#define NUMBER_ACCESSORS(type, field, prop)                             \
type                                                                    \
ts_ticket_get_##field (TsTicket *self)                                  \
{                                                                       \
  g_return_val_if_fail (TS_IS_TICKET (self), 0);                        \
  return self->field;                                                   \
}                                                                       \
                                                                        \
void                                                                    \
ts_ticket_set_##field (TsTicket *self,                                  \
                       type      field)                                 \
{                                                                       \
  g_return_if_fail (TS_IS_TICKET (self));                               \
  if (self->field != field)                                             \
    {                                                                   \
      self->field = field;                                              \
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);     \
    }                                                                   \
}

#define TIME_ACCESSORS(field, prop)                                     \
GDateTime *                                                             \
ts_ticket_get_##field (TsTicket *self)                                  \
{                                                                       \
  g_return_val_if_fail (TS_IS_TICKET (self), NULL);                     \
  return self->field;                                                   \
}                                                                       \
                                                                        \
void                                                                    \
ts_ticket_set_##field (TsTicket  *self,                                 \
                       GDateTime *field)                                \
{                                                                       \
  g_return_if_fail (TS_IS_TICKET (self));                               \
  if (self->field == field ||                                           \
      (self->field && field && g_date_time_equal (self->field, field))) \
    return;                                                             \
  g_clear_pointer (&self->field, g_date_time_unref);                    \
  self->field = field ? g_date_time_ref (field) : NULL;                 \
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);         \
}

NUMBER_ACCESSORS (gint64, id, PROP_ID)
NUMBER_ACCESSORS (gint, number, PROP_NUMBER)
NUMBER_ACCESSORS (gint, version, PROP_VERSION)
STRING_ACCESSORS (project, PROP_PROJECT, set_interned)
STRING_ACCESSORS (key, PROP_KEY, set_str)
STRING_ACCESSORS (state, PROP_STATE, set_interned)
STRING_ACCESSORS (assigned_to, PROP_ASSIGNED_TO, set_interned)
STRING_ACCESSORS (created_by, PROP_CREATED_BY, set_interned)
TIME_ACCESSORS (created_at, PROP_CREATED_AT)
TIME_ACCESSORS (updated_at, PROP_UPDATED_AT)

JsonObject *
ts_ticket_get_fields (TsTicket *self)
{
  g_return_val_if_fail (TS_IS_TICKET (self), NULL);

  return self->fields;
}

/**
 * ts_ticket_set_fields:
 * @fields: (nullable): the values; NULL for none
 *
 * Takes a reference to @fields, which callers must not change afterwards.
 */
void
ts_ticket_set_fields (TsTicket   *self,
                      JsonObject *fields)
{
  g_return_if_fail (TS_IS_TICKET (self));

  g_clear_pointer (&self->fields, json_object_unref);
  self->fields = fields ? json_object_ref (fields) : json_object_new ();
}

/**
 * ts_ticket_set_value:
 * @value: (transfer none) (nullable): the new value; NULL removes it
 */
void
ts_ticket_set_value (TsTicket   *self,
                     const char *name,
                     JsonNode   *value)
{
  g_return_if_fail (TS_IS_TICKET (self));
  g_return_if_fail (name != NULL);

  if (value == NULL)
    json_object_remove_member (self->fields, name);
  else
    json_object_set_member (self->fields, name, copy_node (value));
}

static JsonNode *
string_node (const char *str)
{
  JsonNode *node;

  if (str == NULL)
    return NULL;

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, str);
  return node;
}

static JsonNode *
time_node (GDateTime *time)
{
  g_autofree char *iso = time ? g_date_time_format_iso8601 (time) : NULL;

  return string_node (iso);
}

JsonNode *
ts_ticket_dup_value (TsTicket   *self,
                     const char *name)
{
  JsonNode *node;

  g_return_val_if_fail (TS_IS_TICKET (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "key"))
    return string_node (self->key);
  if (g_str_equal (name, "state"))
    return string_node (self->state);
  if (g_str_equal (name, "assigned_to"))
    return string_node (self->assigned_to);
  if (g_str_equal (name, "created_by"))
    return string_node (self->created_by);
  if (g_str_equal (name, "created_at"))
    return time_node (self->created_at);
  if (g_str_equal (name, "updated_at"))
    return time_node (self->updated_at);

  node = json_object_get_member (self->fields, name);
  return node ? json_node_copy (node) : NULL;
}
