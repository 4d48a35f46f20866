/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ts-comment"

#include "config.h"

#include "ts-comment.h"

struct _TsComment
{
  GObject    parent_instance;

  gint64     id;
  gint64     ticket_id;
  GDateTime *at;
  char      *author;
  char      *body;
};

G_DEFINE_FINAL_TYPE (TsComment, ts_comment, G_TYPE_OBJECT)

static void
ts_comment_finalize (GObject *object)
{
  TsComment *self = (TsComment *)object;

  g_clear_pointer (&self->at, g_date_time_unref);
  g_clear_pointer (&self->author, g_free);
  g_clear_pointer (&self->body, g_free);

  G_OBJECT_CLASS (ts_comment_parent_class)->finalize (object);
}

static void
ts_comment_class_init (TsCommentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_comment_finalize;
}

static void
ts_comment_init (TsComment *self)
{
}

TsComment *
ts_comment_new (gint64      id,
                gint64      ticket_id,
                GDateTime  *at,
                const char *author,
                const char *body)
{
  TsComment *self = g_object_new (TS_TYPE_COMMENT, NULL);

  self->id = id;
  self->ticket_id = ticket_id;
  self->at = at ? g_date_time_ref (at) : NULL;
  self->author = g_strdup (author);
  self->body = g_strdup (body);

  return self;
}

gint64
ts_comment_get_id (TsComment *self)
{
  g_return_val_if_fail (TS_IS_COMMENT (self), 0);
  return self->id;
}

gint64
ts_comment_get_ticket_id (TsComment *self)
{
  g_return_val_if_fail (TS_IS_COMMENT (self), 0);
  return self->ticket_id;
}

GDateTime *
ts_comment_get_at (TsComment *self)
{
  g_return_val_if_fail (TS_IS_COMMENT (self), NULL);
  return self->at;
}

const char *
ts_comment_get_author (TsComment *self)
{
  g_return_val_if_fail (TS_IS_COMMENT (self), NULL);
  return self->author;
}

const char *
ts_comment_get_body (TsComment *self)
{
  g_return_val_if_fail (TS_IS_COMMENT (self), NULL);
  return self->body;
}
