// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: the one place that creates the trace points of mshv_trace.h.
 */

#define CREATE_TRACE_POINTS
#include "mshv_trace.h"
