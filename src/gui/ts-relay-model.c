/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "ts-relay-model.h"

struct _TsRelayModel
{
  GObject     parent_instance;

  GListModel *model;
};

static void ts_relay_model_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsRelayModel, ts_relay_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ts_relay_model_list_init))

static GType
ts_relay_model_get_item_type (GListModel *model)
{
  return g_list_model_get_item_type (TS_RELAY_MODEL (model)->model);
}

static guint
ts_relay_model_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (TS_RELAY_MODEL (model)->model);
}

static gpointer
ts_relay_model_get_item (GListModel *model,
                         guint       position)
{
  return g_list_model_get_item (TS_RELAY_MODEL (model)->model, position);
}

static void
ts_relay_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = ts_relay_model_get_item_type;
  iface->get_n_items = ts_relay_model_get_n_items;
  iface->get_item = ts_relay_model_get_item;
}

static void
on_items_changed (TsRelayModel *self,
                  guint         position,
                  guint         removed,
                  guint         added,
                  GListModel   *model)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
ts_relay_model_dispose (GObject *object)
{
  TsRelayModel *self = TS_RELAY_MODEL (object);

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
}

TsRelayModel *
ts_relay_model_new (GListModel *model)
{
  TsRelayModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (TS_TYPE_RELAY_MODEL, NULL);
  self->model = g_object_ref (model);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  return self;
}

void
ts_relay_model_rebind (TsRelayModel *self)
{
  guint n;

  g_return_if_fail (TS_IS_RELAY_MODEL (self));

  n = g_list_model_get_n_items (self->model);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, n);
}
