/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-history-entry"

#include "config.h"

#include "ts-history-entry.h"

struct _TsHistoryEntry
{
  GObject     parent_instance;

  GDateTime  *at;
  char       *actor;
  char       *trigger;
  char       *from_state;
  char       *to_state;
  char       *from_assignee;
  char       *to_assignee;
  JsonObject *changes;
};

G_DEFINE_FINAL_TYPE (TsHistoryEntry, ts_history_entry, G_TYPE_OBJECT)

static void
ts_history_entry_finalize (GObject *object)
{
  TsHistoryEntry *self = (TsHistoryEntry *)object;

  g_clear_pointer (&self->at, g_date_time_unref);
  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->trigger, g_free);
  g_clear_pointer (&self->from_state, g_free);
  g_clear_pointer (&self->to_state, g_free);
  g_clear_pointer (&self->from_assignee, g_free);
  g_clear_pointer (&self->to_assignee, g_free);
  g_clear_pointer (&self->changes, json_object_unref);

  G_OBJECT_CLASS (ts_history_entry_parent_class)->finalize (object);
}

static void
ts_history_entry_class_init (TsHistoryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_history_entry_finalize;
}

static void
ts_history_entry_init (TsHistoryEntry *self)
{
}

TsHistoryEntry *
ts_history_entry_new (GDateTime  *at,
                      const char *actor,
                      const char *trigger,
                      const char *from_state,
                      const char *to_state,
                      const char *from_assignee,
                      const char *to_assignee,
                      JsonObject *changes)
{
  TsHistoryEntry *self = g_object_new (TS_TYPE_HISTORY_ENTRY, NULL);

  self->at = at ? g_date_time_ref (at) : NULL;
  self->actor = g_strdup (actor);
  self->trigger = g_strdup (trigger);
  self->from_state = g_strdup (from_state);
  self->to_state = g_strdup (to_state);
  self->from_assignee = g_strdup (from_assignee);
  self->to_assignee = g_strdup (to_assignee);
  self->changes = changes ? json_object_ref (changes) : json_object_new ();

  return self;
}

#define GETTER(type, field)                                  \
type                                                         \
ts_history_entry_get_##field (TsHistoryEntry *self)          \
{                                                            \
  g_return_val_if_fail (TS_IS_HISTORY_ENTRY (self), NULL);   \
  return self->field;                                        \
}

GETTER (GDateTime *, at)
GETTER (const char *, actor)
GETTER (const char *, trigger)
GETTER (const char *, from_state)
GETTER (const char *, to_state)
GETTER (const char *, from_assignee)
GETTER (const char *, to_assignee)
GETTER (JsonObject *, changes)
