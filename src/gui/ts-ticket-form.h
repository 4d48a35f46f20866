/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tasksteper-core.h"
#include "ts-member.h"

G_BEGIN_DECLS

/* The form of one ticket, built from its project's schema (SPEC §1): a
 * widget per field, with its label, placeholder, help, size hints and
 * group heading, and the system fields read-only at the top.  It is code,
 * not a template, because it is data-driven.
 *
 * The form holds no ticket state of its own beyond what is typed: the
 * window sets a ticket, reads the values back (ts_ticket_form_dup_values)
 * and shows the server's complaints at their field. */

#define TS_TYPE_TICKET_FORM (ts_ticket_form_get_type ())
G_DECLARE_FINAL_TYPE (TsTicketForm, ts_ticket_form, TS, TICKET_FORM, GtkWidget)

TsTicketForm *ts_ticket_form_new                (TsProject          *project);
TsProject    *ts_ticket_form_get_project        (TsTicketForm       *self);

/* Shows @ticket: its system fields and its values.  Discards what was
 * typed; afterwards the form is not modified.  The schema's state_rules
 * for the ticket's state (the initial state for a new ticket) decide
 * which fields are frozen, required or hidden. */
void          ts_ticket_form_set_ticket         (TsTicketForm       *self,
                                                 TsTicket           *ticket);

/* Whether a widget now differs from the ticket last set (typing a value
 * back as it was makes the form unmodified again).  Notified as
 * "modified".  The "changed" signal (no arguments) is emitted after every
 * edit, once "modified" is up to date, and after apply_values, not after
 * set_ticket. */
gboolean      ts_ticket_form_get_modified       (TsTicketForm       *self);

/* The values as they are in the widgets now, every field of the schema
 * (a new JsonObject).  Integer fields left empty are null. */
JsonObject   *ts_ticket_form_dup_values         (TsTicketForm       *self);
/* Only the fields whose widget differs from the ticket's value. */
JsonObject   *ts_ticket_form_dup_changes        (TsTicketForm       *self);
/* Puts values into the widgets (e.g. re-applying edits after a reload);
 * marks the form modified when they differ from the ticket. */
void          ts_ticket_form_apply_values       (TsTicketForm       *self,
                                                 JsonObject         *values);

/* Editable or not: a person who is not the assignee, or offline, reads. */
void          ts_ticket_form_set_editable       (TsTicketForm       *self,
                                                 gboolean            editable);
gboolean      ts_ticket_form_get_editable       (TsTicketForm       *self);

/* The project's members, offered by user fields by their display names
 * (the values stay login names).  @members: (element-type TsMember)
 * (nullable): as ts_store_list_members_finish() gives them. */
void          ts_ticket_form_set_members        (TsTicketForm       *self,
                                                 GPtrArray          *members);
/* The name to show for @login: a member's display name, else @login. */
const char   *ts_ticket_form_get_display_name   (TsTicketForm       *self,
                                                 const char         *login);

/* Shows @message under the field's widget (and marks it with the "error"
 * style class); NULL clears it.  The field gets keyboard focus when
 * @focus is TRUE. */
void          ts_ticket_form_set_field_error    (TsTicketForm       *self,
                                                 const char         *field,
                                                 const char         *message,
                                                 gboolean            focus);
/* Scrolls the form's scrolled window so that @field's row shows, and
 * gives the field's widget keyboard focus. */
void          ts_ticket_form_focus_field        (TsTicketForm       *self,
                                                 const char         *field);
/* The first field, in schema order, that shows an error now, or NULL. */
const char   *ts_ticket_form_get_first_invalid_field (TsTicketForm  *self);

/* Shows @hint under the field's widget: what a trigger waits for there
 * (dim accent style with an icon, distinct from an error); NULL clears
 * it.  It is also the widget's accessible description, with the help. */
void          ts_ticket_form_set_field_hint     (TsTicketForm       *self,
                                                 const char         *field,
                                                 const char         *hint);
const char   *ts_ticket_form_get_field_hint     (TsTicketForm       *self,
                                                 const char         *field);

/* Checks every value as typed (ts_field_check_value, required, a
 * dependent choice against its parent's value, required in the ticket's
 * state) and shows problems at their fields; returns whether all are
 * valid.  A field hidden or frozen in the ticket's state is not checked:
 * the person cannot change it there. */
gboolean      ts_ticket_form_validate           (TsTicketForm       *self);

/* The message shown under @field now (the form's own check or the
 * server's), or NULL. */
const char   *ts_ticket_form_get_field_error    (TsTicketForm       *self,
                                                 const char         *field);

/* The widget that edits @field (for tests and focus handling): a GtkEntry
 * (string, url), GtkTextView (text), GtkDropDown (choice, user),
 * GtkMenuButton (date), GtkCheckButton (boolean) or GtkSpinButton
 * (integer; an empty text is null). */
GtkWidget    *ts_ticket_form_get_field_widget   (TsTicketForm       *self,
                                                 const char         *field);
/* The GtkLabel that names @field on screen (its mnemonic widget is the
 * field's widget). */
GtkWidget    *ts_ticket_form_get_field_label    (TsTicketForm       *self,
                                                 const char         *field);

G_END_DECLS
