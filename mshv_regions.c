// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root guest memory regions.
 *
 * A region is a range of guest physical pages backed by a range of the
 * VMM's address space.  For now every region is pinned for its whole
 * lifetime (pin_user_pages_fast() with FOLL_LONGTERM) and mapped into the
 * partition in one go; movable regions driven by an MMU notifier replace
 * the pinning later behind the same mshv_region_*() interface.
 *
 * All functions run under the owning partition's mutex (regions are only
 * reached through the partition), except mshv_region_create() and
 * mshv_region_destroy() of a region that is not on the list.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "uapi/linux/mshv.h"

#include "mshv_root.h"

/**
 * mshv_region_create() - allocate a region descriptor
 * @guest_pfn: first guest page frame number
 * @nr_pages: number of 4 KiB pages, not zero
 * @uaddr: page-aligned userspace address of the backing
 * @user_flags: MSHV_SET_MEM_BIT_* flags (UNMAP not set)
 *
 * The region is neither pinned nor mapped.
 *
 * Return: the region or ERR_PTR(-ENOMEM).
 */
struct mshv_mem_region *mshv_region_create(u64 guest_pfn, u64 nr_pages,
					   u64 uaddr, u8 user_flags)
{
	struct mshv_mem_region *region;

	region = kzalloc(sizeof(*region), GFP_KERNEL_ACCOUNT);
	if (!region)
		return ERR_PTR(-ENOMEM);

	/* The size comes from userspace: fail quietly if it is absurd */
	region->pages = kvcalloc(nr_pages, sizeof(*region->pages),
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!region->pages) {
		kfree(region);
		return ERR_PTR(-ENOMEM);
	}

	INIT_LIST_HEAD(&region->list);
	region->guest_pfn = guest_pfn;
	region->nr_pages = nr_pages;
	region->uaddr = uaddr;
	region->user_flags = user_flags;
	region->hv_map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_ADJUSTABLE;
	if (user_flags & BIT(MSHV_SET_MEM_BIT_WRITABLE))
		region->hv_map_flags |= HV_MAP_GPA_WRITABLE;
	if (user_flags & BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
		region->hv_map_flags |= HV_MAP_GPA_EXECUTABLE;
	return region;
}

static bool mshv_region_writable(const struct mshv_mem_region *region)
{
	return region->user_flags & BIT(MSHV_SET_MEM_BIT_WRITABLE);
}

static void mshv_region_unpin(struct mshv_mem_region *region, u64 nr_pinned)
{
	u64 done = 0, batch;

	while (done < nr_pinned) {
		batch = min_t(u64, nr_pinned - done, MSHV_PIN_PAGES_BATCH_SIZE);
		unpin_user_pages_dirty_lock(region->pages + done, batch,
					    mshv_region_writable(region));
		done += batch;
	}
}

/**
 * mshv_region_pin() - pin the userspace backing of a region
 * @region: region from mshv_region_create()
 *
 * Must be called by the task whose address space backs the region.  The
 * pages are pinned writable when the region is writable, and long term.
 *
 * Return: 0, -EINVAL if the start address is not inside a VMA, or the
 * error of pin_user_pages_fast() (-EFAULT when it pinned nothing).  On
 * failure nothing stays pinned.
 */
int mshv_region_pin(struct mshv_mem_region *region)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	struct mm_struct *mm = current->mm;
	u64 done = 0;
	bool in_vma;
	int ret;

	mmap_read_lock(mm);
	in_vma = vma_lookup(mm, region->uaddr);
	mmap_read_unlock(mm);
	if (!in_vma)
		return -EINVAL;

	if (mshv_region_writable(region))
		gup_flags |= FOLL_WRITE;

	while (done < region->nr_pages) {
		int batch = min_t(u64, region->nr_pages - done,
				  MSHV_PIN_PAGES_BATCH_SIZE);

		ret = pin_user_pages_fast(region->uaddr + done * PAGE_SIZE,
					  batch, gup_flags,
					  region->pages + done);
		if (ret <= 0) {
			if (!ret)
				ret = -EFAULT;
			goto unpin_pages;
		}
		done += ret;
		cond_resched();
	}
	return 0;

unpin_pages:
	mshv_region_unpin(region, done);
	return ret;
}

/**
 * mshv_region_map() - map a pinned region into its partition
 * @partition: the partition; its mutex must be held
 * @region: a pinned region
 *
 * Return: 0 or a negative errno; on failure whatever was mapped has been
 * unmapped again (the pages stay pinned).
 */
int mshv_region_map(struct mshv_partition *partition,
		    struct mshv_mem_region *region)
{
	u64 mapped;
	int ret;

	lockdep_assert_held(&partition->mutex);

	ret = mshv_hv_map_gpa_pages(partition->id, region->guest_pfn,
				    region->pages, region->nr_pages,
				    region->hv_map_flags, &mapped);
	if (ret && mapped &&
	    mshv_hv_unmap_gpa_pages(partition->id, region->guest_pfn,
				    mapped, 0))
		pr_warn("partition %#llx: cannot unmap %llu pages at guest pfn %#llx after a failed map\n",
			partition->id, mapped, region->guest_pfn);
	return ret;
}

/**
 * mshv_region_unmap() - remove a region from the partition's GPA space
 * @partition: the partition; its mutex must be held, or the partition is
 *	being torn down
 * @region: a mapped region
 *
 * Failures are logged; the caller unpins the pages regardless, which is
 * only safe because the partition cannot run them any more (teardown) or
 * the hypervisor refused an unmap of pages it no longer maps.
 */
void mshv_region_unmap(struct mshv_partition *partition,
		       struct mshv_mem_region *region)
{
	int ret;

	ret = mshv_hv_unmap_gpa_pages(partition->id, region->guest_pfn,
				      region->nr_pages, 0);
	if (ret)
		pr_warn("partition %#llx: unmapping %llu pages at guest pfn %#llx failed: %d\n",
			partition->id, region->nr_pages, region->guest_pfn,
			ret);
}

/**
 * mshv_region_destroy() - unpin and free a region
 * @region: a region that is pinned (fully) and no longer mapped, and not
 *	on any list
 */
void mshv_region_destroy(struct mshv_mem_region *region)
{
	mshv_region_unpin(region, region->nr_pages);
	kvfree(region->pages);
	kfree(region);
}

/**
 * mshv_region_free() - free a region that was never pinned
 * @region: region from mshv_region_create()
 */
void mshv_region_free(struct mshv_mem_region *region)
{
	kvfree(region->pages);
	kfree(region);
}

/**
 * mshv_region_overlaps() - does a region intersect a guest page range
 * @region: the region
 * @guest_pfn: first guest page frame number of the range
 * @nr_pages: number of pages of the range (no wrap-around)
 *
 * Return: true if any guest page is in both.
 */
bool mshv_region_overlaps(const struct mshv_mem_region *region,
			  u64 guest_pfn, u64 nr_pages)
{
	return guest_pfn < region->guest_pfn + region->nr_pages &&
	       region->guest_pfn < guest_pfn + nr_pages;
}
