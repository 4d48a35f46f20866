/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Internal helpers shared by the classes that read a project schema.  Each
 * class reads its own part of the document (TsField its field object,
 * TsTransition its transition, ...) and reports problems to one
 * TsDiagnostics, under the JSON path of the offending value. */

#include "ts-diagnostics.h"
#include "ts-field.h"
#include "ts-transition.h"

G_BEGIN_DECLS

typedef struct
{
  guint line;
  guint column;
} TsJsonPos;

/* Checks @data strictly against RFC 8259 (and our limits: nesting depth,
 * integers that fit 64 bits, no U+0000), reporting the first syntax error to
 * @diagnostics with its line and column.  On success returns a table of JSON
 * path → TsJsonPos where each member's key or each element starts. */
GHashTable *_ts_json_locate            (const char    *data,
                                        gsize          length,
                                        TsDiagnostics *diagnostics);
void        _ts_diagnostics_set_locations (TsDiagnostics *self,
                                           GHashTable    *locations);

char       *_ts_path_member            (const char    *path,
                                        const char    *key);
char       *_ts_path_index             (const char    *path,
                                        guint          index);

gboolean    _ts_is_identifier          (const char    *name);
/* The closest of @candidates to @word, when it is close enough to be a
 * likely typo; NULL otherwise. */
const char *_ts_suggest                (const char         *word,
                                        const char * const *candidates);

const char *_ts_json_type_name         (JsonNode      *node);

/* Reports members of @object not in @allowed (suggesting the nearest) and
 * returns FALSE if there were any. */
gboolean    _ts_check_members          (TsDiagnostics      *diagnostics,
                                        const char         *path,
                                        JsonObject         *object,
                                        const char * const *allowed,
                                        const char         *what);

/* Reads a string member; reports a missing (when @required) or non-string
 * one.  An empty string is reported when @non_empty. */
const char *_ts_read_string            (TsDiagnostics *diagnostics,
                                        const char    *path,
                                        JsonObject    *object,
                                        const char    *key,
                                        gboolean       required,
                                        gboolean       non_empty);
gboolean    _ts_read_boolean           (TsDiagnostics *diagnostics,
                                        const char    *path,
                                        JsonObject    *object,
                                        const char    *key,
                                        gboolean       fallback);

TsField      *_ts_field_new_from_json      (JsonNode      *node,
                                            const char    *path,
                                            TsDiagnostics *diagnostics);
/* With depends_on: the keys of "choices" that were read, in order. */
const char * const *_ts_field_get_parent_values (TsField *self);
/* Once the parent is known and every key is one of its choices. */
void                _ts_field_order_choices_by  (TsField            *self,
                                                 const char * const *parent_choices);

/* Reads a trans_condition.  Field references are resolved by @lookup;
 * unknown names are reported with a suggestion. */
typedef TsField *(*TsFieldLookup) (gpointer    user_data,
                                   const char *name);
typedef struct
{
  TsFieldLookup        lookup;
  gpointer             user_data;
  const char * const  *field_names;  /* for suggestions */
  const char * const  *labels;       /* parallel to field_names */
  const char * const  *states;
  /* Names and labels of fields that could not be read, and whether the
   * field or state list as a whole is unusable: references to those were
   * reported once already and are not reported again. */
  GHashTable          *broken_fields;
  gboolean             fields_unusable;
  gboolean             states_unusable;
} TsSchemaScope;

/* Reports an unknown field name, suggesting the field whose label it is or
 * a name close to it. */
void          _ts_report_unknown_field     (TsDiagnostics       *diagnostics,
                                            const char          *path,
                                            const TsSchemaScope *scope,
                                            const char          *name,
                                            const char          *what);

TsCondition  *_ts_condition_new_from_json  (JsonNode            *node,
                                            const char          *path,
                                            const TsSchemaScope *scope,
                                            TsDiagnostics       *diagnostics);
TsTransition *_ts_transition_new_from_json (JsonNode            *node,
                                            const char          *path,
                                            const TsSchemaScope *scope,
                                            TsDiagnostics       *diagnostics);

G_END_DECLS
