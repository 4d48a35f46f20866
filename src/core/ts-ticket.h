/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The system fields every ticket has; a schema may not define them again. */
extern const char * const ts_system_fields[];
gboolean ts_is_system_field (const char *name);

#define TS_TYPE_TICKET (ts_ticket_get_type ())
G_DECLARE_FINAL_TYPE (TsTicket, ts_ticket, TS, TICKET, GObject)

TsTicket   *ts_ticket_new             (void);
TsTicket   *ts_ticket_copy            (TsTicket   *self);

gint64      ts_ticket_get_id          (TsTicket   *self);
void        ts_ticket_set_id          (TsTicket   *self,
                                       gint64      id);
const char *ts_ticket_get_project     (TsTicket   *self);
void        ts_ticket_set_project     (TsTicket   *self,
                                       const char *project);
gint        ts_ticket_get_number      (TsTicket   *self);
void        ts_ticket_set_number      (TsTicket   *self,
                                       gint        number);
const char *ts_ticket_get_key         (TsTicket   *self);
void        ts_ticket_set_key         (TsTicket   *self,
                                       const char *key);
const char *ts_ticket_get_state       (TsTicket   *self);
void        ts_ticket_set_state       (TsTicket   *self,
                                       const char *state);
const char *ts_ticket_get_assigned_to (TsTicket   *self);
void        ts_ticket_set_assigned_to (TsTicket   *self,
                                       const char *assigned_to);
const char *ts_ticket_get_created_by  (TsTicket   *self);
void        ts_ticket_set_created_by  (TsTicket   *self,
                                       const char *created_by);
GDateTime  *ts_ticket_get_created_at  (TsTicket   *self);
void        ts_ticket_set_created_at  (TsTicket   *self,
                                       GDateTime  *created_at);
GDateTime  *ts_ticket_get_updated_at  (TsTicket   *self);
void        ts_ticket_set_updated_at  (TsTicket   *self,
                                       GDateTime  *updated_at);
gint        ts_ticket_get_version     (TsTicket   *self);
void        ts_ticket_set_version     (TsTicket   *self,
                                       gint        version);

/* The schema-defined values, field name → JSON value.  Never NULL. */
JsonObject *ts_ticket_get_fields      (TsTicket   *self);
void        ts_ticket_set_fields      (TsTicket   *self,
                                       JsonObject *fields);
void        ts_ticket_set_value       (TsTicket   *self,
                                       const char *name,
                                       JsonNode   *value);

/* A field's value by name, system fields included (as strings; the times
 * as ISO 8601).  Returns a new node, or NULL when the ticket has none. */
JsonNode   *ts_ticket_dup_value       (TsTicket   *self,
                                       const char *name);

G_END_DECLS
