/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mshv_root guest memory regions: lifecycle and tree (mshv_regions.c),
 * the interface the rest of the driver uses.  The region files are
 * layered: mshv_regions.c calls down into mshv_region_fault.c and
 * mshv_region_pin.c, and all three into mshv_region_map.c (the SLAT
 * side), whose header holds the region structure.
 *
 * A region maps a range of guest page frame numbers (GFNs) to a range of
 * the VMM's address space.  It is one of
 *
 *   MOVABLE  ordinary memory.  Nothing is pinned, and only what is
 *            resident at creation is mapped up front: an MMU interval
 *            notifier follows the backing, guest accesses to unmapped
 *            pages come back as GPA intercepts that the driver resolves
 *            itself (hmm_range_fault() + MAP_GPA_PAGES), and
 *            invalidations of the backing unmap the affected GFNs.
 *   PINNED   the same memory pinned for the region's lifetime and mapped
 *            up front (module parameter pin_regions=1).
 *   MMIO     a VM_IO | VM_PFNMAP mapping: its PFNs are mapped uncached,
 *            lazily on the first access, and unmapped when the mapping
 *            goes.
 *
 * Lock order (outermost first):
 *
 *   mshv_partition.mutex      region insertion and removal (held until
 *                             the removed region's SLAT entries are gone)
 *     mshv_regions_all_lock   the global region list (debugfs)
 *     mshv_mem_region.fault_sem (read: one fault; write: removal)
 *       mm->mmap_lock         hmm_range_fault(), the notifier callbacks
 *         mshv_mem_region.mutex  the map and unmap hypercalls
 *   mshv_partition.regions_lock (rwlock) nests inside nothing but the
 *   partition mutex and is held only for tree lookups and updates.
 *
 * Removal: out of the tree, faults drained, @dead set and everything
 * unmapped, all under the partition mutex; then the notifier removed,
 * pages unpinned, the region dropped from the global list.  Insertion: on
 * the global list (and pinned and mapped, or with its notifier) before the
 * tree makes it visible.
 *
 * mshv_mem_region.mutex is taken in the notifier, i.e. possibly from
 * reclaim: nothing allocates memory while holding it.
 */
#ifndef _MSHV_REGIONS_H
#define _MSHV_REGIONS_H

#include <linux/types.h>

#include "mshv_region_fault.h"
#include "mshv_region_map.h"

struct dentry;
struct mshv_partition;
struct mshv_vp;

void mshv_partition_regions_init(struct mshv_partition *partition);
void mshv_partition_regions_destroy(struct mshv_partition *partition);
bool mshv_gfn_range_valid(u64 gfn, u64 nr);
long mshv_region_map(struct mshv_partition *partition, u64 gfn, u64 nr,
		     u64 uaddr, u8 flags);
long mshv_region_unmap(struct mshv_partition *partition, u64 gfn, u64 nr,
		       u64 uaddr);
long mshv_gpap_access_bitmap(struct mshv_partition *partition, u8 type,
			     u8 op, u64 gfn, u64 nr, u8 __user *bitmap);
int mshv_vp_handle_gpa_intercept(struct mshv_vp *vp);
int mshv_partition_fault_gfn(struct mshv_partition *partition, u64 gfn,
			     u8 access);
void mshv_regions_debugfs_init(struct dentry *dir);
struct mshv_mem_region *
mshv_region_lookup_get(struct mshv_partition *partition, u64 gfn);
void mshv_region_put(struct mshv_mem_region *region);

#endif /* _MSHV_REGIONS_H */
