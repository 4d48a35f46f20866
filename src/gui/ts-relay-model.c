/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "ts-relay-model.h"
#include "ts-ticket-list.h"

/* A change of more places than this looks only at each row's own place
 * for its ticket, not through the whole change for where it went. */
#define FOLLOW_LIMIT 256

/* When the model grows, views are told of GROW_ROWS rows at a time, one
 * step a frame (GROW_STEP_MS), until GROW_SCREENFUL rows are told (as
 * many as GTK makes widgets for); then of the rest at once. */
#define GROW_ROWS       16
#define GROW_STEP_MS    16
#define GROW_SCREENFUL  200

struct _TsRelayRow
{
  GObject       parent_instance;

  TsTicket     *ticket;
  TsRelayModel *model;     /* unowned; NULL once the model is gone */
  guint         position;  /* where model->rows has it */
};

struct _TsRelayModel
{
  GObject     parent_instance;

  GListModel *model;
  GHashTable *rows;        /* position → TsRelayRow, not referenced: the rows handed out and alive */
  guint       n;           /* the rows told of: the model's first n */
  guint       grow_id;
  gboolean    quiet_in_place;
};

enum {
  ROW_PROP_0,
  ROW_PROP_TICKET,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

G_DEFINE_FINAL_TYPE (TsRelayRow, ts_relay_row, G_TYPE_OBJECT)

static void ts_relay_model_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsRelayModel, ts_relay_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ts_relay_model_list_init))

/* Rows */

static void
ts_relay_row_dispose (GObject *object)
{
  TsRelayRow *self = TS_RELAY_ROW (object);

  if (self->model != NULL &&
      g_hash_table_lookup (self->model->rows, GUINT_TO_POINTER (self->position)) == self)
    g_hash_table_remove (self->model->rows, GUINT_TO_POINTER (self->position));
  self->model = NULL;
  g_clear_object (&self->ticket);

  G_OBJECT_CLASS (ts_relay_row_parent_class)->dispose (object);
}

static void
ts_relay_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TsRelayRow *self = TS_RELAY_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_TICKET:
      g_value_set_object (value, self->ticket);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_relay_row_class_init (TsRelayRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_relay_row_dispose;
  object_class->get_property = ts_relay_row_get_property;

  row_properties[ROW_PROP_TICKET] =
    g_param_spec_object ("ticket", NULL, NULL, TS_TYPE_TICKET,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
ts_relay_row_init (TsRelayRow *self)
{
}

TsTicket *
ts_relay_row_get_ticket (TsRelayRow *self)
{
  g_return_val_if_fail (TS_IS_RELAY_ROW (self), NULL);
  return self->ticket;
}

/* The model */

static GType
ts_relay_model_get_item_type (GListModel *model)
{
  return TS_TYPE_RELAY_ROW;
}

static guint
ts_relay_model_get_n_items (GListModel *model)
{
  return TS_RELAY_MODEL (model)->n;
}

static void
place_row (TsRelayModel *self,
           TsRelayRow   *row,
           guint         position)
{
  row->position = position;
  g_hash_table_insert (self->rows, GUINT_TO_POINTER (position), row);
}

/* @row may show @ticket where it showed its own ticket: the same ticket,
 * or one that was still being read. */
static gboolean
can_show (TsRelayRow *row,
          TsTicket   *ticket)
{
  if (ts_ticket_list_is_placeholder (ticket))
    return ts_ticket_list_is_placeholder (row->ticket);
  return ts_ticket_list_is_placeholder (row->ticket) ||
         ts_ticket_get_id (row->ticket) == ts_ticket_get_id (ticket);
}

static void
show (TsRelayRow *row,
      TsTicket   *ticket)
{
  g_set_object (&row->ticket, ticket);
  g_object_notify_by_pspec (G_OBJECT (row), row_properties[ROW_PROP_TICKET]);
}

static gpointer
ts_relay_model_get_item (GListModel *model,
                         guint       position)
{
  TsRelayModel *self = TS_RELAY_MODEL (model);
  TsRelayRow *row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position));
  TsTicket *ticket;

  if (position >= self->n || (ticket = g_list_model_get_item (self->model, position)) == NULL)
    return NULL;
  /* A model may tell of a change a moment after it made it (a list
   * announces the rows it read a few at a time): whoever asks sees it now. */
  if (row != NULL)
    {
      if (row->ticket != ticket && can_show (row, ticket))
        show (row, ticket);
      g_object_unref (ticket);
      return g_object_ref (row);
    }

  row = g_object_new (TS_TYPE_RELAY_ROW, NULL);
  row->ticket = ticket;
  row->model = self;
  place_row (self, row, position);
  return row;
}

static void
ts_relay_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = ts_relay_model_get_item_type;
  iface->get_n_items = ts_relay_model_get_n_items;
  iface->get_item = ts_relay_model_get_item;
}

/* Tells of the next rows of the model: GROW_ROWS, or all once
 * GROW_SCREENFUL are told.
 *
 * GTK 4.8 makes the widgets of the first 200 or so rows it is told of
 * there and then (8 cells a row: 4-5 ms for 16 rows here), and lays them
 * out in the next frame: told of them at once, that was one iteration of
 * 80-100 ms.  Sixteen rows a frame fill a window in three frames, and tell
 * of all in about 13. */
static void
grow (TsRelayModel *self)
{
  guint n = g_list_model_get_n_items (self->model);
  guint from = self->n;

  if (n <= from)
    return;
  self->n = from < GROW_SCREENFUL ? from + MIN (GROW_ROWS, n - from) : n;
  g_list_model_items_changed (G_LIST_MODEL (self), from, 0, self->n - from);
}

static gboolean
grow_later (gpointer user_data)
{
  TsRelayModel *self = user_data;

  grow (self);
  if (self->n < g_list_model_get_n_items (self->model))
    return G_SOURCE_CONTINUE;
  self->grow_id = 0;
  return G_SOURCE_REMOVE;
}

static void
schedule_growth (TsRelayModel *self)
{
  if (self->grow_id == 0 && self->n < g_list_model_get_n_items (self->model))
    self->grow_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, GROW_STEP_MS, grow_later, self, NULL);
}

static void
on_items_changed (TsRelayModel *self,
                  guint         position,
                  guint         removed,
                  guint         added,
                  GListModel   *model)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) after = g_ptr_array_new ();
  guint first = G_MAXUINT, last = 0;
  GHashTableIter iter;
  TsRelayRow *row;

  /* Rows not told of yet changed: they are told of as they are. */
  if (position >= self->n)
    {
      if (self->grow_id == 0)
        {
          grow (self);
          schedule_growth (self);
        }
      return;
    }
  /* Of the rows removed, only those told of; the rows added are told of. */
  removed = MIN (removed, self->n - position);
  self->n = self->n - removed + added;

  /* The rows held in the changed places leave them; those after move. */
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&row))
    if (row->position >= position + removed && added != removed)
      {
        g_ptr_array_add (after, row);
        g_hash_table_iter_remove (&iter);
      }
    else if (row->position >= position && row->position < position + removed)
      {
        g_ptr_array_add (held, g_object_ref (row));
        g_hash_table_iter_remove (&iter);
      }
  for (guint i = 0; i < after->len; i++)
    {
      row = g_ptr_array_index (after, i);
      place_row (self, row, row->position - removed + added);
    }

  /* A row keeps its place when the ticket there can be shown in it. */
  for (guint i = 0; i < held->len; i++)
    {
      g_autoptr(TsTicket) ticket = NULL;

      row = g_ptr_array_index (held, i);
      if (row->position < position + added)
        ticket = g_list_model_get_item (self->model, row->position);
      if (ticket != NULL && can_show (row, ticket))
        {
          place_row (self, row, row->position);
          show (row, ticket);
        }
      else
        {
          first = MIN (first, row->position);
          last = MAX (last, row->position);
        }
    }

  /* The others follow their ticket to a place of the change no row holds. */
  for (guint i = 0; i < held->len && added <= FOLLOW_LIMIT; i++)
    {
      row = g_ptr_array_index (held, i);
      if (g_hash_table_lookup (self->rows, GUINT_TO_POINTER (row->position)) == row ||
          ts_ticket_list_is_placeholder (row->ticket))
        continue;
      for (guint p = position; p < position + added; p++)
        {
          g_autoptr(TsTicket) there = NULL;

          if (g_hash_table_contains (self->rows, GUINT_TO_POINTER (p)))
            continue;
          there = g_list_model_get_item (self->model, p);
          if (there != NULL && !ts_ticket_list_is_placeholder (there) &&
              ts_ticket_get_id (there) == ts_ticket_get_id (row->ticket))
            {
              place_row (self, row, p);
              show (row, there);
              break;
            }
        }
    }

  if (!self->quiet_in_place || removed != added)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  else if (first != G_MAXUINT)
    g_list_model_items_changed (G_LIST_MODEL (self), first, last - first + 1, last - first + 1);
  schedule_growth (self);
}

static void
ts_relay_model_dispose (GObject *object)
{
  TsRelayModel *self = TS_RELAY_MODEL (object);
  GHashTableIter iter;
  TsRelayRow *row;

  if (self->rows != NULL)
    {
      g_hash_table_iter_init (&iter, self->rows);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&row))
        row->model = NULL;
      g_clear_pointer (&self->rows, g_hash_table_unref);
    }
  g_clear_handle_id (&self->grow_id, g_source_remove);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ts_relay_model_parent_class)->dispose (object);
}

static void
ts_relay_model_class_init (TsRelayModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ts_relay_model_dispose;
}

static void
ts_relay_model_init (TsRelayModel *self)
{
  self->rows = g_hash_table_new (NULL, NULL);
}

TsRelayModel *
ts_relay_model_new (GListModel *model,
                    gboolean    quiet_in_place)
{
  TsRelayModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (g_list_model_get_item_type (model) == TS_TYPE_TICKET ||
                        g_type_is_a (g_list_model_get_item_type (model), TS_TYPE_TICKET), NULL);

  self = g_object_new (TS_TYPE_RELAY_MODEL, NULL);
  self->model = g_object_ref (model);
  self->quiet_in_place = quiet_in_place;
  /* A view given this model makes its first rows a few at a time too. */
  self->n = MIN (g_list_model_get_n_items (model), GROW_ROWS);
  schedule_growth (self);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  return self;
}

gboolean
ts_relay_model_get_growing (TsRelayModel *self)
{
  g_return_val_if_fail (TS_IS_RELAY_MODEL (self), FALSE);
  return self->n < g_list_model_get_n_items (self->model);
}

void
ts_relay_model_rebind (TsRelayModel *self)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer row;
  guint n;

  g_return_if_fail (TS_IS_RELAY_MODEL (self));

  /* Referenced: a view may let a row go while it is shown again. */
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    g_ptr_array_add (rows, g_object_ref (row));
  for (guint i = 0; i < rows->len; i++)
    g_object_notify_by_pspec (g_ptr_array_index (rows, i), row_properties[ROW_PROP_TICKET]);

  n = self->n;
  if (!self->quiet_in_place && n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, n);
}
