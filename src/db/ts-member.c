/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-member"

#include "config.h"

#include "ts-member.h"

struct _TsMember
{
  GObject  parent_instance;

  char    *login;
  char    *display_name;  /* NULL when none is set */
};

G_DEFINE_FINAL_TYPE (TsMember, ts_member, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOGIN,
  PROP_DISPLAY_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ts_member_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TsMember *self = TS_MEMBER (object);

  switch (prop_id)
    {
    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;

    case PROP_DISPLAY_NAME:
      g_value_set_string (value, ts_member_get_display_name (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_member_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TsMember *self = TS_MEMBER (object);
  const char *text;

  switch (prop_id)
    {
    case PROP_LOGIN:
      g_free (self->login);
      self->login = g_value_dup_string (value);
      break;

    case PROP_DISPLAY_NAME:
      /* "" is no name either: the server never stores one. */
      text = g_value_get_string (value);
      g_free (self->display_name);
      self->display_name = text != NULL && *text != '\0' ? g_strdup (text) : NULL;
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_member_finalize (GObject *object)
{
  TsMember *self = (TsMember *)object;

  g_clear_pointer (&self->login, g_free);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (ts_member_parent_class)->finalize (object);
}

static void
ts_member_class_init (TsMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_member_finalize;
  object_class->get_property = ts_member_get_property;
  object_class->set_property = ts_member_set_property;

  /**
   * TsMember:login:
   *
   * The person's login role, as user fields and assignees name them.
   */
  properties[PROP_LOGIN] =
    g_param_spec_string ("login", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TsMember:display-name:
   *
   * The person's display name.  Read, it is the name to show: the login
   * when none is set (ts_member_has_display_name() tells the two apart),
   * so that lists can bind to it directly.
   */
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_member_init (TsMember *self)
{
}

TsMember *
ts_member_new (const char *login,
               const char *display_name)
{
  g_return_val_if_fail (login != NULL, NULL);

  return g_object_new (TS_TYPE_MEMBER,
                       "login", login,
                       "display-name", display_name,
                       NULL);
}

const char *
ts_member_get_login (TsMember *self)
{
  g_return_val_if_fail (TS_IS_MEMBER (self), NULL);
  return self->login;
}

const char *
ts_member_get_display_name (TsMember *self)
{
  g_return_val_if_fail (TS_IS_MEMBER (self), NULL);
  return self->display_name != NULL ? self->display_name : self->login;
}

gboolean
ts_member_has_display_name (TsMember *self)
{
  g_return_val_if_fail (TS_IS_MEMBER (self), FALSE);
  return self->display_name != NULL;
}
