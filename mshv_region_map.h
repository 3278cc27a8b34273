/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mshv_root guest memory regions: the region structure shared by the
 * region files, and the SLAT side (mshv_region_map.c) they call down
 * into.  The region types and the lock order are described in
 * mshv_regions.h.
 */
#ifndef _MSHV_REGION_MAP_H
#define _MSHV_REGION_MAP_H

#include <linux/atomic.h>
#include <linux/interval_tree.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/types.h>

#include "hvabi.h"

enum mshv_region_type {
	MSHV_REGION_MOVABLE,
	MSHV_REGION_PINNED,
	MSHV_REGION_MMIO,
};

/**
 * struct mshv_pfn_run - physically contiguous pinned pages
 * @pfn: first host page frame number
 * @nr: number of pages
 */
struct mshv_pfn_run {
	u64 pfn;
	u64 nr;
};

/**
 * struct mshv_mem_region - a guest memory region
 * @node: GFN interval in &mshv_partition.regions (start = first GFN, last =
 *	last GFN); protected by &mshv_partition.regions_lock
 * @all: entry in the global list behind debugfs (mshv_regions_all_lock)
 * @ref: references: the partition's tree and every fault in flight
 * @partition_id: hypervisor id of the owning partition
 * @guest_pfn: first GFN
 * @nr_pages: number of 4 KiB pages
 * @uaddr: host virtual address of the first page
 * @user_flags: MSHV_SET_MEM_BIT_* flags given by userspace
 * @type: MSHV_REGION_*; constant
 * @hv_map_flags: HV_MAP_GPA_* flags of a mapping with full permissions
 * @mm: the address space backing the region (mmgrab()bed)
 * @fault_sem: held for read by every fault on the region and for write
 *	by its removal, which therefore waits for faults in flight
 * @mutex: the driver lock of the notifier protocol: serialises the map
 *	hypercalls of faults with invalidations; protects @large_map,
 *	@ever_map and @dead
 * @notifier: follows the backing (MOVABLE and MMIO regions)
 * @notifier_live: @notifier is registered
 * @dead: the region is being removed; faults must not map anything
 * @large_map: one bit per 2 MiB-aligned guest chunk the region touches (bit
 *	0 = the chunk holding @guest_pfn), set while the chunk is mapped with
 *	one 2 MiB entry; NULL until the first map (see @ever_map).  The
 *	pointer is set once under @mutex; the bits are protected by @mutex.
 * @ever_map: same indexing, set (under @mutex, before the MAP_GPA_PAGES
 *	hypercall is issued) for every chunk a map touches, cleared only when
 *	an unmap removed the whole chunk: a chunk whose bit is clear has no
 *	SLAT entry, so removal unmaps only chunks with the bit set.  Shares
 *	one allocation with @large_map, made on the first fault (pinned: at
 *	creation), so creating and destroying a never-faulted region costs
 *	nothing proportional to its size.
 * @map_base: first GFN of the chunk of bit 0 of @large_map
 * @nr_chunks: number of bits of @large_map and @ever_map
 * @runs: the pinned pages (PINNED regions), @nr_runs entries
 * @nr_runs: number of entries of @runs
 * @meta_bytes: bytes of driver memory the region uses, as kmalloc rounds
 *	its allocations (the chunk maps counted from creation); constant
 *	while the region is in the tree, and counted in the partition's
 *	&mshv_partition.driver_bytes meanwhile
 * @faults: GPA intercepts resolved for the region
 * @maps: MAP_GPA_PAGES hypercalls issued for it
 * @unmaps: UNMAP_GPA_PAGES hypercalls issued for it
 * @invalidations: notifier invalidations of its range
 */
struct mshv_mem_region {
	struct interval_tree_node node;
	struct list_head all;
	refcount_t ref;
	u64 partition_id;
	u64 guest_pfn;
	u64 nr_pages;
	u64 uaddr;
	u8 user_flags;
	enum mshv_region_type type;
	u32 hv_map_flags;
	struct mm_struct *mm;
	struct rw_semaphore fault_sem;
	struct mutex mutex;	/* map/unmap hypercalls, chunk maps, @dead */
	struct mmu_interval_notifier notifier;
	bool notifier_live;
	bool dead;
	unsigned long *large_map;
	unsigned long *ever_map;
	u64 map_base;
	u64 nr_chunks;
	struct mshv_pfn_run *runs;
	u64 nr_runs;
	u64 meta_bytes;
	atomic64_t faults;
	atomic64_t maps;
	atomic64_t unmaps;
	atomic64_t invalidations;
};

/* 4 KiB pages per 2 MiB chunk */
#define MSHV_CHUNK_PAGES	HV_PAGES_PER_LARGE_PAGE

/**
 * struct mshv_map_batch - the reps of one MAP_GPA_PAGES hypercall
 * @region: the region the reps map
 * @fault: built by a fault, under the region mutex: a 4 KiB batch first
 *	splits the 2 MiB entries it overlaps, and the hypercall never
 *	deposits (the notifier may wait for the mutex from reclaim); else
 *	a pinned region being created, which nobody else sees yet
 * @gfn: first guest page frame number
 * @flags: HV_MAP_GPA_* flags of every rep
 * @count: number of reps
 * @pfns: host PFNs, one per rep
 */
struct mshv_map_batch {
	struct mshv_mem_region *region;
	bool fault;
	u64 gfn;
	u32 flags;
	u16 count;
	u64 pfns[HV_MAP_GPA_BATCH_SIZE];
};

static inline u64 mshv_region_end(const struct mshv_mem_region *region)
{
	return region->guest_pfn + region->nr_pages;
}

/* The VMM address backing @gfn of @region */
static inline unsigned long
mshv_region_hva(const struct mshv_mem_region *region, u64 gfn)
{
	return region->uaddr + ((gfn - region->guest_pfn) << HV_HYP_PAGE_SHIFT);
}

/* Index of the chunk holding @gfn in the bitmaps of @region */
static inline u64 mshv_chunk_idx(const struct mshv_mem_region *region,
				 u64 gfn)
{
	return (gfn - region->map_base) / MSHV_CHUNK_PAGES;
}

int mshv_region_alloc_maps(struct mshv_mem_region *region);
int mshv_region_unmap_range(struct mshv_mem_region *region, u64 start,
			    u64 end);
int mshv_region_unmap_all(struct mshv_mem_region *region);
int mshv_batch_add(struct mshv_map_batch *batch, u64 gfn, u64 pfn,
		   u32 flags);
int mshv_batch_flush(struct mshv_map_batch *batch);

#endif /* _MSHV_REGION_MAP_H */
