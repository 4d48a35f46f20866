/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-cache.h"

G_BEGIN_DECLS

/* For tests: while paused, the writer thread starts no write (the saves
 * queue up and coalesce; ts_cache_flush() would wait until resumed). */
void   _ts_cache_set_paused    (TsCache  *self,
                               gboolean  paused);
/* The files written since the cache was made. */
guint  _ts_cache_get_n_written (TsCache  *self);

G_END_DECLS
