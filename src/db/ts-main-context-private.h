/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs @func (@data) on @context's thread, from a worker thread: always
 * through a source attached to @context.  Not g_main_context_invoke(): a
 * worker's default context is the global one, so invoke() runs @func right
 * there, on the worker, whenever the main thread is between two
 * iterations, and @func touches objects of the main thread. */
static inline void
_ts_main_context_post (GMainContext   *context,
                       const char     *name,
                       GSourceFunc     func,
                       gpointer        data,
                       GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
}

G_END_DECLS
