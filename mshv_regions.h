/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mshv_root guest memory regions (mshv_regions.c).
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

#include <linux/atomic.h>
#include <linux/interval_tree.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "hvabi.h"

struct dentry;
struct mshv_fault;
struct mshv_partition;
struct mshv_vp;

enum mshv_region_type {
	MSHV_REGION_MOVABLE,
	MSHV_REGION_PINNED,
	MSHV_REGION_MMIO,
};

/**
 * struct mshv_vp_gpa_fault - the last GPA intercept a VP's run loop resolved
 * @region: the region it was resolved in (only compared, never followed)
 * @gfn: guest page frame number of the intercept
 * @invalidations: the region's invalidation count after the resolution
 * @access: HV_INTERCEPT_ACCESS_* of the intercept
 * @valid: the other fields describe the last dispatch's intercept
 *
 * The same intercept again, with no invalidation of the region in
 * between, means the mapping did not help: it goes to userspace instead
 * of looping.
 */
struct mshv_vp_gpa_fault {
	const struct mshv_mem_region *region;
	u64 gfn;
	u64 invalidations;
	u8 access;
	bool valid;
};

/**
 * struct mshv_vp_regions - what the fault path keeps for a VP
 * @last_fault: the last GPA intercept the driver resolved itself
 *
 * Zero in a new VP; used under &mshv_vp.run_mutex.
 */
struct mshv_vp_regions {
	struct mshv_vp_gpa_fault last_fault;
};

/**
 * struct mshv_fault_pool - the fault path's working memory of a partition
 * @lock: protects @free and @nr
 * @free: buffers not in use, linked through their &mshv_fault.next_free
 * @nr: buffers allocated, in use or free: at most mshv_fault_pool_max
 * @wait: faults waiting for a buffer while all @nr are in use and @nr is
 *	at the maximum
 *
 * A fault takes a buffer for its duration; buffers are allocated when
 * every one is in use (charged to the VMM, counted in driver_bytes) and
 * freed with the partition, so a partition holds at most as many as it
 * ever had faults in flight at once, and never more than the maximum.
 */
struct mshv_fault_pool {
	spinlock_t lock;	/* @free, @nr */
	struct mshv_fault *free;
	unsigned int nr;
	wait_queue_head_t wait;
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

void mshv_fault_pool_init(struct mshv_fault_pool *pool);
void mshv_fault_pool_destroy(struct mshv_partition *partition);
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
struct seq_file;
void mshv_regions_sizes_show(struct seq_file *m);
void mshv_regions_sizes_show_pool(struct seq_file *m);
void mshv_regions_debugfs_init(struct dentry *dir);

/*
 * Shared by the region files: mshv_regions.c (life, tree, map and unmap
 * batches), mshv_region_fault.c (notifier and faults of movable and MMIO
 * regions) and mshv_region_pin.c (pinned regions).
 */

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

struct mshv_mem_region *
mshv_region_lookup_get(struct mshv_partition *partition, u64 gfn);
void mshv_region_put(struct mshv_mem_region *region);
int mshv_region_alloc_maps(struct mshv_mem_region *region);
int mshv_region_unmap_range(struct mshv_mem_region *region, u64 start,
			    u64 end);

int mshv_batch_add(struct mshv_map_batch *batch, u64 gfn, u64 pfn,
		   u32 flags);
int mshv_batch_flush(struct mshv_map_batch *batch);
/* The notifier of movable and MMIO regions (mshv_region_fault.c) */
extern const struct mmu_interval_notifier_ops mshv_region_notifier_ops;
void mshv_region_map_resident(struct mshv_mem_region *region);

int mshv_region_pin(struct mshv_mem_region *region);
void mshv_region_unpin(struct mshv_mem_region *region);
int mshv_region_map_pinned(struct mshv_mem_region *region);

#endif /* _MSHV_REGIONS_H */
