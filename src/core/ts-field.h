/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  TS_FIELD_STRING,
  TS_FIELD_TEXT,
  TS_FIELD_CHOICE,
  TS_FIELD_URL,
  TS_FIELD_DATE,
  TS_FIELD_BOOLEAN,
  TS_FIELD_INTEGER,
  TS_FIELD_USER,
} TsFieldType;

#define TS_TYPE_FIELD_TYPE (ts_field_type_get_type ())
GType        ts_field_type_get_type    (void) G_GNUC_CONST;
const char  *ts_field_type_to_string   (TsFieldType  type);
gboolean     ts_field_type_from_string (const char  *name,
                                        TsFieldType *type);

#define TS_TYPE_FIELD (ts_field_get_type ())
G_DECLARE_FINAL_TYPE (TsField, ts_field, TS, FIELD, GObject)

const char         *ts_field_get_name        (TsField    *self);
const char         *ts_field_get_label       (TsField    *self);
TsFieldType         ts_field_get_field_type  (TsField    *self);
const char         *ts_field_get_placeholder (TsField    *self);
const char         *ts_field_get_help        (TsField    *self);
const char         *ts_field_get_group       (TsField    *self);
gboolean            ts_field_get_required    (TsField    *self);
gboolean            ts_field_get_readonly    (TsField    *self);
/* The schema's default, or NULL; see ts_field_dup_initial_value(). */
JsonNode           *ts_field_get_default     (TsField    *self);
/* string and text: the byte-independent limit, in characters. */
guint               ts_field_get_max_length  (TsField    *self);
guint               ts_field_get_width_chars (TsField    *self);
guint               ts_field_get_rows        (TsField    *self);
/* A choice field's choices; with depends_on, the union of its lists in
 * order of first appearance. */
const char * const *ts_field_get_choices     (TsField    *self);
/* The name of the choice field whose value decides this one's choices,
 * or NULL. */
const char         *ts_field_get_depends_on  (TsField    *self);
/* The choices allowed while the parent (depends_on) holds @parent_value:
 * without depends_on, all the choices whatever the argument; for a NULL
 * or unknown parent value, an empty list.  Never NULL. */
const char * const *ts_field_get_choices_for (TsField    *self,
                                              const char *parent_value);
gboolean            ts_field_get_min         (TsField    *self,
                                              gint64     *min);
gboolean            ts_field_get_max         (TsField    *self,
                                              gint64     *max);

/* The value a new ticket starts with: the default, or "" / false / null. */
JsonNode           *ts_field_dup_initial_value (TsField  *self);

/* Checks one value against this field's rules: JSON type, max_length,
 * choices, min/max, the date format.  Null is always accepted here (it
 * means "empty"); `required` is checked by the caller that knows whether
 * it saves.  The error (TS_FIELD_ERROR) names the field's label. */
gboolean            ts_field_check_value     (TsField    *self,
                                              JsonNode   *value,
                                              GError    **error);

/* A value is empty when it is missing (NULL), JSON null, or a string of
 * nothing but white space.  Booleans and numbers are never empty.  The SQL
 * side implements the same rule; tests/data/conditions.json pins it down. */
gboolean            ts_value_is_empty        (JsonNode   *value);

#define TS_FIELD_ERROR (ts_field_error_quark ())
GQuark ts_field_error_quark (void);

typedef enum
{
  TS_FIELD_ERROR_TYPE,
  TS_FIELD_ERROR_TOO_LONG,
  TS_FIELD_ERROR_NOT_A_CHOICE,
  TS_FIELD_ERROR_OUT_OF_RANGE,
  TS_FIELD_ERROR_BAD_DATE,
  TS_FIELD_ERROR_REQUIRED,
  TS_FIELD_ERROR_UNKNOWN,
  TS_FIELD_ERROR_READONLY,
} TsFieldError;

G_END_DECLS
