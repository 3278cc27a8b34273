/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mshv_root movable and MMIO regions: the notifier and the fault path
 * (mshv_region_fault.c), called by the region lifecycle code and, for
 * the debugfs sizes, by the partition code.
 */
#ifndef _MSHV_REGION_FAULT_H
#define _MSHV_REGION_FAULT_H

#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct mm_struct;
struct mshv_fault;
struct mshv_mem_region;
struct mshv_partition;
struct seq_file;

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

void mshv_fault_pool_init(struct mshv_fault_pool *pool);
void mshv_fault_pool_destroy(struct mshv_partition *partition);
int mshv_region_fault(struct mshv_partition *partition,
		      struct mshv_mem_region *region, u64 gfn, u8 access,
		      struct mshv_vp_gpa_fault *last);
/* The notifier of movable and MMIO regions */
extern const struct mmu_interval_notifier_ops mshv_region_notifier_ops;
bool mshv_range_may_be_resident(struct mm_struct *mm, unsigned long start,
				unsigned long end);
void mshv_region_map_resident(struct mshv_mem_region *region);
void mshv_regions_sizes_show(struct seq_file *m);
void mshv_regions_sizes_show_pool(struct seq_file *m);

#endif /* _MSHV_REGION_FAULT_H */
