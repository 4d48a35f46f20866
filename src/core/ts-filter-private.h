/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-filter.h"

G_BEGIN_DECLS

/* What TsFilter and TsQuery share: how a filter writes days and instants. */

/* A day written YYYY-MM-DD that exists (2018-02-30 does not). */
gboolean    _ts_filter_parse_day       (const char *str,
                                        GDate      *date);
/* An RFC 3339 instant with its offset: 2018-01-31T10:00:00+08:00,
 * 2018-01-31T02:00:00.5Z.  Sets *usec (since the Unix epoch) when not NULL. */
gboolean    _ts_filter_parse_instant   (const char *str,
                                        gint64     *usec);
/* How messages name a filter key: the field's label, the system field's
 * label, or what "text" and "reached" mean. */
const char *_ts_filter_key_label       (TsProject  *project,
                                        const char *key);

G_END_DECLS
