/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mshv_root pinned regions (mshv_region_pin.c), called by the region
 * lifecycle code.
 */
#ifndef _MSHV_REGION_PIN_H
#define _MSHV_REGION_PIN_H

struct mshv_mem_region;

int mshv_region_pin(struct mshv_mem_region *region);
void mshv_region_unpin(struct mshv_mem_region *region);
int mshv_region_map_pinned(struct mshv_mem_region *region);

#endif /* _MSHV_REGION_PIN_H */
