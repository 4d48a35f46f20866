/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-chart.h"

G_BEGIN_DECLS

/* What the tooltip at (@x, @y) of the widget says, as last drawn: the
 * category there and each series' value, or NULL.  Tests read it, since a
 * tooltip's hover delay makes one shown under Xvfb unreliable to wait for. */
char *_ts_chart_get_tooltip_text_at (TsChart *self,
                                     double   x,
                                     double   y);

G_END_DECLS
