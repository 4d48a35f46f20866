/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-project-summary"

#include "config.h"

#include "ts-project-summary.h"

struct _TsProjectSummary
{
  GObject    parent_instance;

  TsProject *project;
  int        revision;
  guint      n_pending;
  gboolean   is_admin;
};

G_DEFINE_FINAL_TYPE (TsProjectSummary, ts_project_summary, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_TITLE,
  PROP_N_PENDING,
  PROP_IS_ADMIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ts_project_summary_finalize (GObject *object)
{
  TsProjectSummary *self = (TsProjectSummary *)object;

  g_clear_object (&self->project);

  G_OBJECT_CLASS (ts_project_summary_parent_class)->finalize (object);
}

static void
ts_project_summary_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TsProjectSummary *self = TS_PROJECT_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, ts_project_summary_get_name (self));
      break;

    case PROP_TITLE:
      g_value_set_string (value, ts_project_summary_get_title (self));
      break;

    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;

    case PROP_IS_ADMIN:
      g_value_set_boolean (value, self->is_admin);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ts_project_summary_class_init (TsProjectSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ts_project_summary_finalize;
  object_class->get_property = ts_project_summary_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_ADMIN] =
    g_param_spec_boolean ("is-admin", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ts_project_summary_init (TsProjectSummary *self)
{
}

TsProjectSummary *
ts_project_summary_new (TsProject *project,
                        int        revision,
                        guint      n_pending,
                        gboolean   is_admin)
{
  TsProjectSummary *self;

  g_return_val_if_fail (TS_IS_PROJECT (project), NULL);

  self = g_object_new (TS_TYPE_PROJECT_SUMMARY, NULL);
  self->project = g_object_ref (project);
  self->revision = revision;
  self->n_pending = n_pending;
  self->is_admin = !!is_admin;

  return self;
}

TsProject *
ts_project_summary_get_project (TsProjectSummary *self)
{
  g_return_val_if_fail (TS_IS_PROJECT_SUMMARY (self), NULL);
  return self->project;
}

const char *
ts_project_summary_get_name (TsProjectSummary *self)
{
  g_return_val_if_fail (TS_IS_PROJECT_SUMMARY (self), NULL);
  return ts_project_get_name (self->project);
}

const char *
ts_project_summary_get_title (TsProjectSummary *self)
{
  g_return_val_if_fail (TS_IS_PROJECT_SUMMARY (self), NULL);
  return ts_project_get_title (self->project);
}

int
ts_project_summary_get_revision (TsProjectSummary *self)
{
  g_return_val_if_fail (TS_IS_PROJECT_SUMMARY (self), 0);
  return self->revision;
}

guint
ts_project_summary_get_n_pending (TsProjectSummary *self)
{
  g_return_val_if_fail (TS_IS_PROJECT_SUMMARY (self), 0);
  return self->n_pending;
}

/* Whether I am an admin of the project, who may give its tickets to other
 * members (tasksteper.reassign); FALSE from a server before version 8. */
gboolean
ts_project_summary_get_is_admin (TsProjectSummary *self)
{
  g_return_val_if_fail (TS_IS_PROJECT_SUMMARY (self), FALSE);
  return self->is_admin;
}

void
ts_project_summary_set_n_pending (TsProjectSummary *self,
                                  guint             n_pending)
{
  g_return_if_fail (TS_IS_PROJECT_SUMMARY (self));

  if (self->n_pending == n_pending)
    return;

  self->n_pending = n_pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}
