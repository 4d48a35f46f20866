/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* g_autoptr() for libpq's objects.  ts-connection.h defines the same
 * cleanups under the same guard, so the two headers can be included
 * together in any order. */
#ifndef TS_PQ_AUTOPTR_DEFINED
#define TS_PQ_AUTOPTR_DEFINED
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
#endif

G_END_DECLS
