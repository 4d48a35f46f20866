/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-member-names"

#include "config.h"

#include "ts-member-names.h"

struct _TsMemberNames
{
  GObject       parent_instance;

  TsStore      *store;
  GHashTable   *projects;     /* name → GHashTable (login → display name), empty while read */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TsMemberNames, ts_member_names, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  TsMemberNames *self;   /* weak */
  char          *project;
  GHashTable    *names;  /* the table the read fills in */
} Read;

static void
read_free (Read *read)
{
  g_clear_weak_pointer (&read->self);
  g_free (read->project);
  g_hash_table_unref (read->names);
  g_free (read);
}

static void
on_members (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Read *read = user_data;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;

  members = ts_store_list_members_finish (TS_STORE (object), result, &error);
  if (read->self == NULL || g_hash_table_lookup (read->self->projects, read->project) != read->names)
    {
      read_free (read);
      return;
    }

  if (members == NULL)
    {
      /* Logins are shown meanwhile; the next lookup tries again. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot read the members of %s: %s", read->project, error->message);
      g_hash_table_remove (read->self->projects, read->project);
      read_free (read);
      return;
    }

  for (guint i = 0; i < members->len; i++)
    {
      TsMember *member = g_ptr_array_index (members, i);

      if (ts_member_has_display_name (member))
        g_hash_table_insert (read->names, g_strdup (ts_member_get_login (member)),
                             g_strdup (ts_member_get_display_name (member)));
    }

  g_signal_emit (read->self, signals[CHANGED], 0, read->project);
  read_free (read);
}

const char *
ts_member_names_lookup (TsMemberNames *self,
                        const char    *project,
                        const char    *login)
{
  GHashTable *names;

  g_return_val_if_fail (TS_IS_MEMBER_NAMES (self), NULL);

  if (project == NULL || login == NULL || *login == '\0')
    return NULL;

  if ((names = g_hash_table_lookup (self->projects, project)) == NULL)
    {
      Read *read = g_new0 (Read, 1);

      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->projects, g_strdup (project), names);
      g_set_weak_pointer (&read->self, self);
      read->project = g_strdup (project);
      read->names = g_hash_table_ref (names);
      ts_store_list_members_async (self->store, project, self->cancellable, on_members, read);
      return NULL;
    }

  return g_hash_table_lookup (names, login);
}

const char *
ts_member_names_get (TsMemberNames *self,
                     const char    *project,
                     const char    *login)
{
  const char *name = ts_member_names_lookup (self, project, login);

  return name ? name : login;
}

void
ts_member_names_reload (TsMemberNames *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (TS_IS_MEMBER_NAMES (self));

  g_hash_table_iter_init (&iter, self->projects);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_hash_table_remove_all (self->projects);

  /* Whoever shows a name looks it up again, which reads it again. */
  for (guint i = 0; i < names->len; i++)
    g_signal_emit (self, signals[CHANGED], 0, g_ptr_array_index (names, i));
}

static void
ts_member_names_dispose (GObject *object)
{
  TsMemberNames *self = (TsMemberNames *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ts_member_names_parent_class)->dispose (object);
}

static void
ts_member_names_finalize (GObject *object)
{
  TsMemberNames *self = (TsMemberNames *)object;

  g_clear_pointer (&self->projects, g_hash_table_unref);

  G_OBJECT_CLASS (ts_member_names_parent_class)->finalize (object);
}

static void
ts_member_names_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TsMemberNames *self = TS_MEMBER_NAMES (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_member_names_class_init (TsMemberNamesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ts_member_names_dispose;
  object_class->finalize = ts_member_names_finalize;
  object_class->set_property = ts_member_names_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TS_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TsMemberNames::changed:
   * @project: the project whose names arrived
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ts_member_names_init (TsMemberNames *self)
{
  self->projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  self->cancellable = g_cancellable_new ();
}

TsMemberNames *
ts_member_names_new (TsStore *store)
{
  g_return_val_if_fail (TS_IS_STORE (store), NULL);

  return g_object_new (TS_TYPE_MEMBER_NAMES, "store", store, NULL);
}
