/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-ticket.h"

G_BEGIN_DECLS

typedef enum
{
  TS_CLAUSE_EQUALS,    /* "field": value      */
  TS_CLAUSE_ONE_OF,    /* "field": [v1, v2]   */
  TS_CLAUSE_EMPTY,     /* {"empty": true}     */
  TS_CLAUSE_NOT_EMPTY, /* {"not_empty": true} */
} TsClauseOp;

/* A transition's trans_condition: all clauses must hold.  `{}` has no
 * clauses and always holds. */
#define TS_TYPE_CONDITION (ts_condition_get_type ())
G_DECLARE_FINAL_TYPE (TsCondition, ts_condition, TS, CONDITION, GObject)

guint       ts_condition_get_n_clauses     (TsCondition *self);
const char *ts_condition_get_clause_field  (TsCondition *self,
                                            guint        position);
TsClauseOp  ts_condition_get_clause_op     (TsCondition *self,
                                            guint        position);
/* EQUALS: an array of one value; ONE_OF: the list; EMPTY/NOT_EMPTY: NULL. */
JsonArray  *ts_condition_get_clause_values (TsCondition *self,
                                            guint        position);

/* Whether every clause holds for @ticket.  When one does not, and
 * @failing_clause is not NULL, it is set to the position of the first
 * clause that fails. */
gboolean    ts_condition_evaluate          (TsCondition *self,
                                            TsTicket    *ticket,
                                            guint       *failing_clause);

/* Whether one clause holds for a value (NULL for missing). */
gboolean    ts_clause_matches              (TsClauseOp   op,
                                            JsonArray   *values,
                                            JsonNode    *value);

G_END_DECLS
