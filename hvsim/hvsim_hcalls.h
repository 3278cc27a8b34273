/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The table of the hypercalls hvsim implements (hvsim_hcalls.c): builds in
 * the kernel and in userspace, like hvsim_decode.h.
 */
#ifndef _HVSIM_HCALLS_H
#define _HVSIM_HCALLS_H

#include "hvsim_decode.h"

/* Entries of hvsim_hcalls (checked at build time) */
#define HVSIM_NR_HCALLS		37

/* Sorted by code (checked at load, by KUnit and by the userspace tests) */
extern const struct hvsim_hc_desc hvsim_hcalls[HVSIM_NR_HCALLS];

const struct hvsim_hc_desc *hvsim_hc_find(u16 code);
bool hvsim_hc_known(u16 code, bool *rep);
bool hvsim_hc_table_sorted(void);

#endif /* _HVSIM_HCALLS_H */
