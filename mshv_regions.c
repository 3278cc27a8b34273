// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root guest memory regions.
 *
 * A region maps [guest_pfn, guest_pfn + nr_pages) of a partition's guest
 * physical address space to [uaddr, uaddr + nr_pages * 4 KiB) of the VMM.
 * The types (movable, pinned, MMIO) and the lock order are described in
 * mshv_regions.h.
 *
 * Movable regions follow the canonical mmu_interval_notifier protocol
 * (see lib/test_hmm.c):
 *
 *   fault:      seq = mmu_interval_read_begin()
 *               mmap_read_lock; hmm_range_fault(); mmap_read_unlock
 *               mutex_lock(region)
 *               if mmu_interval_read_retry(seq): unlock, start again
 *               MAP_GPA_PAGES; mutex_unlock(region)
 *   invalidate: mutex_lock(region) (trylock when not blockable)
 *               mmu_interval_set_seq(); UNMAP_GPA_PAGES; mutex_unlock
 *
 * so a PFN is in the hypervisor's SLAT only while the CPU page tables map
 * it, and the driver holds no page reference.  The map hypercall never
 * deposits memory under the region mutex (the notifier may run from
 * reclaim); when the hypervisor needs memory the fault drops the lock,
 * deposits and starts again.
 *
 * The SLAT side (map and unmap hypercalls, 2 MiB entries, the chunk
 * maps) is mshv_region_map.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "uapi/linux/mshv.h"

#include "mshv_compat.h"
#include "mshv_region_pin.h"
#include "mshv_regions.h"
#include "mshv_root.h"

#include "mshv_trace.h"

static bool mshv_pin_regions;
module_param_named(pin_regions, mshv_pin_regions, bool, 0444);
MODULE_PARM_DESC(pin_regions,
		 "Pin guest memory and map it up front instead of following it with an MMU notifier (default: no)");

static bool mshv_map_resident = true;
module_param_named(map_resident, mshv_map_resident, bool, 0644);
MODULE_PARM_DESC(map_resident,
		 "Map the resident backing of a new movable region when it is created (default: yes)");

/* Every live region, for debugfs */
static LIST_HEAD(mshv_regions_all);
static DEFINE_MUTEX(mshv_regions_all_lock);

/*
 * Range computations (no hypercalls); kunit/mshv_regions_test.c tests
 * them directly.
 */

/**
 * mshv_gfn_range_valid() - check a range of guest page frame numbers
 * @gfn: first guest page frame number
 * @nr: number of pages
 *
 * Return: whether [@gfn, @gfn + @nr) is a non-empty range of valid guest
 * page frame numbers (below %MSHV_GPA_PFN_LIMIT, no wrap-around).
 */
bool mshv_gfn_range_valid(u64 gfn, u64 nr)
{
	return nr && gfn < MSHV_GPA_PFN_LIMIT &&
	       nr <= MSHV_GPA_PFN_LIMIT - gfn;
}

/*
 * Does the valid range [@gfn, @gfn + @nr) share a page with a region of
 * @partition?  The tree is keyed by first and last page, so nothing can
 * overflow for ranges that end at the limit.  The caller holds the
 * partition mutex, under which the tree keeps its shape.
 */
static bool mshv_regions_overlap(struct mshv_partition *partition, u64 gfn,
				 u64 nr)
{
	lockdep_assert_held(&partition->mutex);
	return interval_tree_iter_first(&partition->regions, gfn,
					gfn + (nr - 1));
}

/*
 * Region life cycle
 */

static const char *mshv_region_type_name(enum mshv_region_type type)
{
	switch (type) {
	case MSHV_REGION_MOVABLE:
		return "movable";
	case MSHV_REGION_PINNED:
		return "pinned";
	case MSHV_REGION_MMIO:
		return "mmio";
	}
	return "?";
}

static void mshv_region_free(struct mshv_mem_region *region)
{
	mmdrop(region->mm);
	kvfree(region->runs);
	kvfree(region->large_map);	/* also frees ever_map */
	mutex_destroy(&region->mutex);
	kfree(region);
}

/**
 * mshv_region_put() - drop a reference to a region
 * @region: the region; freed with the last reference
 */
void mshv_region_put(struct mshv_mem_region *region)
{
	if (refcount_dec_and_test(&region->ref))
		mshv_region_free(region);
}

static struct mshv_mem_region *
mshv_region_alloc(u64 partition_id, u64 gfn, u64 nr_pages, u64 uaddr,
		  u8 flags, enum mshv_region_type type)
{
	struct mshv_mem_region *region;

	region = kzalloc(sizeof(*region), GFP_KERNEL_ACCOUNT);
	if (!region)
		return NULL;

	region->map_base = ALIGN_DOWN(gfn, MSHV_CHUNK_PAGES);
	region->nr_chunks = (ALIGN(gfn + nr_pages, MSHV_CHUNK_PAGES) -
			     region->map_base) / MSHV_CHUNK_PAGES;

	refcount_set(&region->ref, 1);
	INIT_LIST_HEAD(&region->all);
	init_rwsem(&region->fault_sem);
	mutex_init(&region->mutex);
	region->partition_id = partition_id;
	region->guest_pfn = gfn;
	region->nr_pages = nr_pages;
	region->uaddr = uaddr;
	region->user_flags = flags;
	region->type = type;
	region->node.start = region->guest_pfn;
	region->node.last = region->guest_pfn + nr_pages - 1;
	/* Counts the chunk maps, allocated on the first fault */
	region->meta_bytes = kmalloc_size_roundup(sizeof(*region)) +
			     kmalloc_size_roundup(2 * sizeof(unsigned long) *
						  BITS_TO_LONGS(region->nr_chunks));

	region->hv_map_flags = HV_MAP_GPA_READABLE;
	if (type == MSHV_REGION_MMIO)
		region->hv_map_flags |= HV_MAP_GPA_NOT_CACHED;
	else
		region->hv_map_flags |= HV_MAP_GPA_ADJUSTABLE;
	if (flags & BIT(MSHV_SET_MEM_BIT_WRITABLE))
		region->hv_map_flags |= HV_MAP_GPA_WRITABLE;
	if (flags & BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
		region->hv_map_flags |= HV_MAP_GPA_EXECUTABLE;

	region->mm = current->mm;
	mmgrab(region->mm);
	return region;
}

/*
 * The region of @partition holding @gfn, or NULL.  The tree changes only
 * under both the partition mutex and &mshv_partition.regions_lock
 * (write): the caller holds one of them.
 */
static struct mshv_mem_region *
mshv_region_find(struct mshv_partition *partition, u64 gfn)
{
	struct interval_tree_node *node;

	lockdep_assert(lockdep_is_held(&partition->mutex) ||
		       lockdep_is_held(&partition->regions_lock));
	node = interval_tree_iter_first(&partition->regions, gfn, gfn);
	return node ? container_of(node, struct mshv_mem_region, node) : NULL;
}

/**
 * mshv_region_lookup_get() - the region holding a GFN, referenced
 * @partition: the partition; takes &mshv_partition.regions_lock (read)
 * @gfn: guest page frame number
 *
 * Return: the region with a reference (mshv_region_put()), or NULL.
 */
struct mshv_mem_region *
mshv_region_lookup_get(struct mshv_partition *partition, u64 gfn)
{
	struct mshv_mem_region *region;

	read_lock(&partition->regions_lock);
	region = mshv_region_find(partition, gfn);
	if (region)
		refcount_inc(&region->ref);
	read_unlock(&partition->regions_lock);
	return region;
}

/*
 * Insertion and removal
 */

/* Attempts to unmap a region being removed before giving up */
#define MSHV_REMOVE_UNMAP_TRIES	3

/*
 * First half of a removal, for a region just taken out of the tree: wait
 * for the faults in flight, stop new ones (@dead) and unmap everything
 * the region may have mapped, while the notifier still keeps the backing
 * from being freed under the SLAT.  A failed unmap is tried again (the
 * chunk bits it left set say what); if the hypervisor keeps refusing, the
 * entries stay and are reported.
 *
 * The caller holds the partition mutex, so that no other region can be
 * mapped over the GFN range before its old entries are gone.
 */
static void mshv_region_unmap_dead(struct mshv_mem_region *region,
				   struct mshv_partition *partition)
{
	unsigned int tries = 0;
	int ret;

	lockdep_assert_held(&partition->mutex);
	mshv_partition_account(partition, -(s64)region->meta_bytes);
	down_write(&region->fault_sem);
	mutex_lock(&region->mutex);
	region->dead = true;
	do {
		ret = mshv_region_unmap_all(region);
	} while (ret && ++tries < MSHV_REMOVE_UNMAP_TRIES);
	mutex_unlock(&region->mutex);
	up_write(&region->fault_sem);
	if (ret)
		pr_err("partition %#llx: guest pfn %#llx..%#llx left mapped after %u tries: %d\n",
		       region->partition_id, region->guest_pfn,
		       mshv_region_end(region) - 1, tries, ret);
}

/*
 * Second half of a removal, once the region's SLAT entries are gone:
 * remove the notifier, unpin, drop the region from the global list and
 * the tree's reference.  Needs no partition lock.
 */
static void mshv_region_release(struct mshv_mem_region *region)
{
	if (region->notifier_live)
		mmu_interval_notifier_remove(&region->notifier);

	if (region->type == MSHV_REGION_PINNED)
		mshv_region_unpin(region);

	mutex_lock(&mshv_regions_all_lock);
	list_del(&region->all);
	mutex_unlock(&mshv_regions_all_lock);

	mshv_region_put(region);
}

/**
 * mshv_partition_regions_init() - set up the region tree of a partition
 * @partition: a new partition
 */
void mshv_partition_regions_init(struct mshv_partition *partition)
{
	partition->regions = RB_ROOT_CACHED;
	rwlock_init(&partition->regions_lock);
	mshv_fault_pool_init(&partition->fault_pool);
}

/**
 * mshv_partition_regions_destroy() - remove every region of a partition
 * @partition: a partition no one else can reach any more (teardown)
 *
 * Unregisters the notifiers, unmaps every region, unpins and uncharges
 * pinned memory.  Never fails.
 */
void mshv_partition_regions_destroy(struct mshv_partition *partition)
{
	struct interval_tree_node *node;
	struct mshv_mem_region *region;

	for (;;) {
		mutex_lock(&partition->mutex);
		write_lock(&partition->regions_lock);
		node = interval_tree_iter_first(&partition->regions, 0,
						ULONG_MAX);
		if (node)
			interval_tree_remove(node, &partition->regions);
		write_unlock(&partition->regions_lock);
		region = node ? container_of(node, struct mshv_mem_region,
					     node) : NULL;
		if (region)
			mshv_region_unmap_dead(region, partition);
		mutex_unlock(&partition->mutex);
		if (!region)
			break;
		mshv_region_release(region);
		cond_resched();
	}
	mshv_fault_pool_destroy(partition);
}

/**
 * mshv_region_map() - MSHV_SET_GUEST_MEMORY without UNMAP: add a region
 * @partition: the partition
 * @gfn: first guest page frame number
 * @nr: number of pages; [@gfn, @gfn + @nr) is a valid range
 *	(mshv_gfn_range_valid())
 * @uaddr: page-aligned user address of the backing, @nr pages of user
 *	address space
 * @flags: MSHV_SET_MEM_BIT_WRITABLE and MSHV_SET_MEM_BIT_EXECUTABLE bits
 *
 * A movable region maps what is resident in its backing before the tree
 * makes it visible (mshv_region_map_resident(), best effort: it cannot
 * fail the creation), unless no VMA of the backing can have a resident
 * page when the region's VMA is looked up (mshv_range_may_be_resident()):
 * a page populated later faults.
 *
 * Return: 0; -EINVAL if @uaddr is not in a VMA; -EEXIST if the GFN range
 * overlaps a region; -ENOMEM (also: pinning over RLIMIT_MEMLOCK); the
 * error of pinning or mapping a pinned region.  A failure changes
 * nothing.
 */
long mshv_region_map(struct mshv_partition *partition, u64 gfn, u64 nr,
		     u64 uaddr, u8 flags)
{
	struct mm_struct *mm = current->mm;
	struct mshv_mem_region *region;
	struct vm_area_struct *vma;
	enum mshv_region_type type;
	unsigned long end = uaddr + (nr << HV_HYP_PAGE_SHIFT);
	bool resident = false;
	long ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	if (vma && (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		type = MSHV_REGION_MMIO;
	else if (mshv_pin_regions)
		type = MSHV_REGION_PINNED;
	else
		type = MSHV_REGION_MOVABLE;
	/* A hint: what is populated after it faults as usual */
	if (vma && type == MSHV_REGION_MOVABLE && READ_ONCE(mshv_map_resident))
		resident = mshv_range_may_be_resident(mm, uaddr, end);
	mmap_read_unlock(mm);
	if (!vma)
		return -EINVAL;

	region = mshv_region_alloc(partition->id, gfn, nr, uaddr, flags, type);
	if (!region)
		return -ENOMEM;

	mutex_lock(&partition->mutex);
	if (mshv_regions_overlap(partition, region->guest_pfn,
				 region->nr_pages)) {
		ret = -EEXIST;
		goto unlock;
	}

	if (type == MSHV_REGION_PINNED) {
		ret = mshv_region_alloc_maps(region);
		if (ret)
			goto unlock;
		ret = mshv_region_pin(region);
		if (ret)
			goto unlock;
		ret = mshv_region_map_pinned(region);
		if (ret)
			goto unmap;
	} else {
		ret = mmu_interval_notifier_insert(&region->notifier, mm,
						   region->uaddr,
						   nr << HV_HYP_PAGE_SHIFT,
						   &mshv_region_notifier_ops);
		if (ret)
			goto unlock;
		region->notifier_live = true;
		if (resident)
			mshv_region_map_resident(region);
	}

	/* Fully set up before the tree makes it visible (and removable) */
	mutex_lock(&mshv_regions_all_lock);
	list_add_tail(&region->all, &mshv_regions_all);
	mutex_unlock(&mshv_regions_all_lock);

	mshv_partition_account(partition, region->meta_bytes);
	write_lock(&partition->regions_lock);
	interval_tree_insert(&region->node, &partition->regions);
	write_unlock(&partition->regions_lock);
	mutex_unlock(&partition->mutex);
	return 0;

unmap:
	mutex_lock(&region->mutex);
	mshv_region_unmap_all(region);
	mutex_unlock(&region->mutex);
	mshv_region_unpin(region);
unlock:
	mutex_unlock(&partition->mutex);
	mshv_region_put(region);
	return ret;
}

/**
 * mshv_region_unmap() - MSHV_SET_GUEST_MEMORY with UNMAP: remove a region
 * @partition: the partition
 * @gfn: first guest page frame number of the region
 * @nr: its number of pages
 * @uaddr: its user address
 *
 * The region starting at @gfn is removed if its address and size match.
 * Its SLAT entries are gone before the partition mutex is dropped: a map
 * of an overlapping range waits until then.
 *
 * Return: 0, or -EINVAL when no region matches.
 */
long mshv_region_unmap(struct mshv_partition *partition, u64 gfn, u64 nr,
		       u64 uaddr)
{
	struct mshv_mem_region *region;

	mutex_lock(&partition->mutex);
	region = mshv_region_find(partition, gfn);
	if (region && (region->guest_pfn != gfn || region->uaddr != uaddr ||
		       region->nr_pages != nr))
		region = NULL;
	if (region) {
		write_lock(&partition->regions_lock);
		interval_tree_remove(&region->node, &partition->regions);
		write_unlock(&partition->regions_lock);
		mshv_region_unmap_dead(region, partition);
	}
	mutex_unlock(&partition->mutex);
	if (!region)
		return -EINVAL;

	mshv_region_release(region);
	return 0;
}

/*
 * GPA intercepts: the region holding the GFN, then its fault path
 */

/**
 * mshv_vp_handle_gpa_intercept() - resolve a GPA intercept in the driver
 * @vp: the VP; its run_mutex is held and its intercept message page holds
 *	the message of the dispatch that just returned
 *
 * UNMAPPED_GPA and GPA_INTERCEPT messages for a GFN of a movable or MMIO
 * region are resolved by mapping the backing; everything else, and the
 * same intercept again right after it was resolved (with no invalidation
 * of the region in between), is for userspace.
 *
 * A page of memory registered with userfaultfd that only the VMM's
 * handler can provide is waited for, interruptibly (mshv_fault_wait()).
 *
 * Return: 1 when resolved (dispatch again), 0 to hand the message to
 * userspace, or a negative errno for MSHV_RUN_VP (-EINTR: a signal ended
 * the wait; the intercept is taken again on the next run).
 */
int mshv_vp_handle_gpa_intercept(struct mshv_vp *vp)
{
	const struct hv_message *msg = page_address(vp->intercept_page);
	const struct hv_x64_memory_intercept_message *mem =
		(const void *)msg->u.payload;
	struct mshv_vp_regions *state = &vp->regions;
	struct mshv_mem_region *region;
	u32 type;
	u8 access;
	u64 gfn;
	int ret;

	lockdep_assert_held(&vp->run_mutex);

	/* The page is mapped into userspace too: read each field once */
	type = READ_ONCE(msg->header.message_type);
	if (type != HVMSG_UNMAPPED_GPA && type != HVMSG_GPA_INTERCEPT)
		goto to_user;
	gfn = READ_ONCE(mem->guest_physical_address) >> HV_HYP_PAGE_SHIFT;
	access = READ_ONCE(mem->header.intercept_access_type);

	region = mshv_region_lookup_get(vp->partition, gfn);
	if (!region)
		goto to_user;

	ret = mshv_region_fault(vp->partition, region, gfn, access,
				&state->last_fault);
	mshv_region_put(region);
	return ret;

to_user:
	state->last_fault.valid = false;
	return 0;
}

/**
 * mshv_partition_fault_gfn() - map a GFN the way a GPA intercept would
 * @partition: the partition
 * @gfn: guest page frame number
 * @access: HV_INTERCEPT_ACCESS_* the mapping must allow
 *
 * For a request made on the guest's behalf outside a dispatch (a VMM's
 * address translation): a page of a movable or MMIO region is in the
 * SLAT only while the guest uses it, and Linux may have moved it, or
 * mapped it read-only, since.  The caller must not hold the partition
 * mutex: the fault may deposit memory, waits for the region's notifier
 * and, for memory registered with userfaultfd, for the VMM's handler.
 *
 * Return: 1 when the GFN is mapped with @access, 0 when it is not in such
 * a region or its backing does not allow @access, or a negative errno
 * (-EINTR: a signal ended a wait for the userfaultfd handler).
 */
int mshv_partition_fault_gfn(struct mshv_partition *partition, u64 gfn,
			     u8 access)
{
	struct mshv_mem_region *region;
	int ret;

	region = mshv_region_lookup_get(partition, gfn);
	if (!region)
		return 0;
	ret = mshv_region_fault(partition, region, gfn, access, NULL);
	mshv_region_put(region);
	return ret;
}

/*
 * debugfs: /sys/kernel/debug/mshv_root/regions
 */

static int mshv_regions_show(struct seq_file *m, void *unused)
{
	struct mshv_mem_region *region;

	mutex_lock(&mshv_regions_all_lock);
	list_for_each_entry(region, &mshv_regions_all, all)
		seq_printf(m, "partition=0x%llx gfn=0x%llx pages=%llu type=%s meta_bytes=%llu faults=%lld maps=%lld unmaps=%lld invalidations=%lld\n",
			   region->partition_id, region->guest_pfn,
			   region->nr_pages,
			   mshv_region_type_name(region->type),
			   region->meta_bytes,
			   (s64)atomic64_read(&region->faults),
			   (s64)atomic64_read(&region->maps),
			   (s64)atomic64_read(&region->unmaps),
			   (s64)atomic64_read(&region->invalidations));
	mutex_unlock(&mshv_regions_all_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_regions);

/**
 * mshv_regions_debugfs_init() - create the "regions" file
 * @dir: the driver's debugfs directory (removed with its files)
 *
 * debugfs errors are ignored, as debugfs users should.
 */
void mshv_regions_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("regions", 0444, dir, NULL, &mshv_regions_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/mshv_regions_test.c"
#endif
