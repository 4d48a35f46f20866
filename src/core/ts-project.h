/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-diagnostics.h"
#include "ts-field.h"
#include "ts-transition.h"

G_BEGIN_DECLS

#define TS_PROJECT_FORMAT_VERSION 1
/* Larger schema files are refused before parsing. */
#define TS_PROJECT_MAX_FILE_SIZE (4 * 1024 * 1024)

/* What "state_rules" says of a field in a state. */
typedef enum
{
  TS_STATE_RULE_NONE,
  TS_STATE_RULE_READONLY,
  TS_STATE_RULE_REQUIRED,
  TS_STATE_RULE_HIDDEN,
} TsStateRule;

#define TS_TYPE_PROJECT (ts_project_get_type ())
G_DECLARE_FINAL_TYPE (TsProject, ts_project, TS, PROJECT, GObject)

/* Parses and validates a project schema.  Every problem found is added to
 * @diagnostics (warnings too); the project is returned only when there is
 * no error.  @diagnostics names the file in its messages. */
TsProject          *ts_project_new_from_data       (const char    *data,
                                                    gssize         length,
                                                    TsDiagnostics *diagnostics);
/* Reads @path (any size or content is answered, never crashes) and calls
 * ts_project_new_from_data().  I/O errors become diagnostics too. */
TsProject          *ts_project_new_from_file       (const char    *path,
                                                    TsDiagnostics *diagnostics);

const char         *ts_project_get_name            (TsProject  *self);
const char         *ts_project_get_title           (TsProject  *self);
const char         *ts_project_get_description     (TsProject  *self);
const char         *ts_project_get_key_prefix      (TsProject  *self);
const char         *ts_project_get_summary_field   (TsProject  *self);
const char * const *ts_project_get_list_columns    (TsProject  *self);
/* The original JSON document, as imported. */
JsonNode           *ts_project_get_definition      (TsProject  *self);

guint               ts_project_get_n_fields        (TsProject  *self);
TsField            *ts_project_get_field           (TsProject  *self,
                                                    guint       position);
TsField            *ts_project_lookup_field        (TsProject  *self,
                                                    const char *name);

const char * const *ts_project_get_states          (TsProject  *self);
const char         *ts_project_get_initial_state   (TsProject  *self);
gboolean            ts_project_has_state           (TsProject  *self,
                                                    const char *state);
/* A state no transition leaves. */
gboolean            ts_project_is_final_state      (TsProject  *self,
                                                    const char *state);

guint               ts_project_get_n_transitions   (TsProject  *self);
TsTransition       *ts_project_get_transition      (TsProject  *self,
                                                    guint       position);
TsTransition       *ts_project_lookup_transition   (TsProject  *self,
                                                    const char *state,
                                                    const char *trigger);

/* The rule "state_rules" gives @field in @state; NONE when it gives none
 * (or the state or field is unknown).  Hidden is for the form only; the
 * server enforces readonly and required. */
TsStateRule         ts_project_get_state_rule      (TsProject  *self,
                                                    const char *state,
                                                    const char *field);

/* The values of a new ticket: each field's initial value. */
JsonObject         *ts_project_dup_initial_values  (TsProject  *self);

/* A person's name for a field or system field ("维护代表", "当前状态"),
 * falling back to @name itself. */
const char         *ts_project_get_label_for       (TsProject  *self,
                                                    const char *name);

G_END_DECLS
