/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The rows of the statistics (docs/sql-api.md, "Statistics"), as the
 * store gives them: small immutable GObjects with read-only properties,
 * the row items of a chart's table.  GTK-free. */

/* One group of tasksteper.ticket_counts(): a value of the field grouped
 * by and how many tickets have it. */
#define TS_TYPE_STAT_COUNT (ts_stat_count_get_type ())
G_DECLARE_FINAL_TYPE (TsStatCount, ts_stat_count, TS, STAT_COUNT, GObject)

/* NULL: the empty group (the field missing, null or ""); "true"/"false"
 * for a boolean field; a state's or choice's name; a login. */
const char *ts_stat_count_get_value   (TsStatCount  *self);
gint64      ts_stat_count_get_tickets (TsStatCount  *self);

/* One bucket of tasksteper.created_closed(). */
#define TS_TYPE_STAT_PERIOD (ts_stat_period_get_type ())
G_DECLARE_FINAL_TYPE (TsStatPeriod, ts_stat_period, TS, STAT_PERIOD, GObject)

/* "YYYY-MM-DD": the bucket's first day. */
const char *ts_stat_period_get_start   (TsStatPeriod *self);
gint64      ts_stat_period_get_created (TsStatPeriod *self);
gint64      ts_stat_period_get_closed  (TsStatPeriod *self);

/* One state of tasksteper.time_in_state(). */
#define TS_TYPE_STAT_STAY (ts_stat_stay_get_type ())
G_DECLARE_FINAL_TYPE (TsStatStay, ts_stat_stay, TS, STAT_STAY, GObject)

const char *ts_stat_stay_get_state          (TsStatStay   *self);
/* The tickets that ever were in the state. */
gint64      ts_stat_stay_get_tickets        (TsStatStay   *self);
/* The tickets in the state now. */
gint64      ts_stat_stay_get_current        (TsStatStay   *self);
/* Seconds; < 0: none (a final state, or no ticket passed through). */
double      ts_stat_stay_get_median_seconds (TsStatStay   *self);
double      ts_stat_stay_get_p90_seconds    (TsStatStay   *self);

/* The buckets of created_closed: days, ISO weeks (from Monday), months. */
typedef enum
{
  TS_STAT_BUCKET_DAY,
  TS_STAT_BUCKET_WEEK,
  TS_STAT_BUCKET_MONTH,
} TsStatBucket;

/* The name the server knows the bucket by: "day", "week" or "month". */
const char *ts_stat_bucket_to_string (TsStatBucket bucket);

/* Constructors, for the store (which makes the rows from the server's
 * answer or the offline copy) and for tests.  @value: (nullable). */
TsStatCount  *_ts_stat_count_new  (const char *value,
                                   gint64      tickets);
TsStatPeriod *_ts_stat_period_new (const char *start,
                                   gint64      created,
                                   gint64      closed);
/* @median_seconds, @p90_seconds: < 0 for none. */
TsStatStay   *_ts_stat_stay_new   (const char *state,
                                   gint64      tickets,
                                   gint64      current,
                                   double      median_seconds,
                                   double      p90_seconds);

G_END_DECLS
