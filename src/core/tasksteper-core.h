/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ts-chart-data.h"
#include "ts-condition.h"
#include "ts-diagnostics.h"
#include "ts-dot.h"
#include "ts-export.h"
#include "ts-field.h"
#include "ts-filter.h"
#include "ts-project.h"
#include "ts-query.h"
#include "ts-release-notes.h"
#include "ts-ticket.h"
#include "ts-transition.h"
#include "ts-workflow.h"
#include "ts-workflow-layout.h"
