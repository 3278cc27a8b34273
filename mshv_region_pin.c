// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root pinned regions: the backing is pinned with FOLL_LONGTERM when
 * the region is created, charged to RLIMIT_MEMLOCK, kept as runs of
 * contiguous PFNs and mapped whole; it is unpinned when the region goes.
 * The pin_regions module parameter makes every ordinary region pinned.
 */

#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mshv_region_map.h"
#include "mshv_region_pin.h"
#include "mshv_root.h"

/**
 * mshv_region_unpin() - release the pages of a pinned region
 * @region: the region; its runs are freed and RLIMIT_MEMLOCK uncharged
 *
 * Pages are marked dirty when the region is writable.
 */
void mshv_region_unpin(struct mshv_mem_region *region)
{
	bool dirty = region->hv_map_flags & HV_MAP_GPA_WRITABLE;
	u64 i;

	for (i = 0; i < region->nr_runs; i++)
		unpin_user_page_range_dirty_lock(pfn_to_page(region->runs[i].pfn),
						 region->runs[i].nr, dirty);
	kvfree(region->runs);
	region->runs = NULL;
	region->nr_runs = 0;
	account_locked_vm(region->mm, region->nr_pages, false);
}

/*
 * Append @nr pinned pages to the runs of @region, merging contiguous PFNs.
 * *@added returns how many of @pages are recorded in the runs (all of
 * them on success): from then on mshv_region_unpin() releases them, the
 * caller only the others.
 */
static int mshv_region_add_runs(struct mshv_mem_region *region,
				struct page **pages, u64 nr, u64 *cap,
				u64 *added)
{
	struct mshv_pfn_run *runs;
	u64 i, pfn;

	for (i = 0; i < nr; i++) {
		*added = i;
		pfn = page_to_pfn(pages[i]);
		if (region->nr_runs) {
			struct mshv_pfn_run *run =
				&region->runs[region->nr_runs - 1];

			if (run->pfn + run->nr == pfn) {
				run->nr++;
				continue;
			}
		}
		if (region->nr_runs == *cap) {
			u64 new_cap = max_t(u64, 2 * *cap, 16);

			runs = kvmalloc_array(new_cap, sizeof(*runs),
					      GFP_KERNEL_ACCOUNT);
			if (!runs)
				return -ENOMEM;	/* pages[i..nr) are not recorded */
			if (region->nr_runs)
				memcpy(runs, region->runs,
				       region->nr_runs * sizeof(*runs));
			kvfree(region->runs);
			region->runs = runs;
			*cap = new_cap;
		}
		region->runs[region->nr_runs].pfn = pfn;
		region->runs[region->nr_runs].nr = 1;
		region->nr_runs++;
	}
	*added = nr;
	return 0;
}

/**
 * mshv_region_pin() - pin the backing of a pinned region
 * @region: the region, not yet in its partition; its backing is
 *	current->mm's
 *
 * The pages are charged to RLIMIT_MEMLOCK and kept as PFN runs.
 *
 * Return: 0, or a negative errno with nothing left pinned or charged.
 */
int mshv_region_pin(struct mshv_mem_region *region)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	u64 batch_max, done = 0, cap = 0, added;
	struct page **pages;
	int ret;

	if (region->hv_map_flags & HV_MAP_GPA_WRITABLE)
		gup_flags |= FOLL_WRITE;

	ret = account_locked_vm(region->mm, region->nr_pages, true);
	if (ret)
		return ret;

	batch_max = min_t(u64, region->nr_pages, MSHV_PIN_PAGES_BATCH_SIZE);
	pages = kvmalloc_array(batch_max, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		goto unpin;
	}

	while (done < region->nr_pages) {
		int nr = min_t(u64, region->nr_pages - done, batch_max);

		ret = pin_user_pages_fast(region->uaddr + done * PAGE_SIZE, nr,
					  gup_flags, pages);
		if (ret <= 0) {
			if (!ret)
				ret = -EFAULT;
			goto unpin;
		}
		nr = ret;
		ret = mshv_region_add_runs(region, pages, nr, &cap, &added);
		if (ret) {
			/* The runs hold pages[0..added): unpinned below */
			unpin_user_pages(pages + added, nr - added);
			goto unpin;
		}
		done += nr;
		cond_resched();
	}
	kvfree(pages);
	region->meta_bytes += kmalloc_size_roundup(cap * sizeof(*region->runs));
	return 0;

unpin:
	kvfree(pages);
	/* Also uncharges the whole region */
	mshv_region_unpin(region);
	return ret;
}

/**
 * mshv_region_map_pinned() - map a pinned region whole
 * @region: the region, pinned (mshv_region_pin()) and not yet visible to
 *	anyone, so no lock is needed (and the map may deposit)
 *
 * 2 MiB entries for chunks whose pinned PFNs are 512 contiguous pages
 * starting 2 MiB aligned, 4 KiB entries for the rest.
 *
 * Return: 0 or a negative errno; on failure the caller unmaps.
 */
int mshv_region_map_pinned(struct mshv_mem_region *region)
{
	u64 gfn = region->guest_pfn, end = mshv_region_end(region);
	u64 run = 0, off = 0, pfn, step;
	struct mshv_map_batch *batch;
	u32 flags;
	int ret = 0;

	batch = kmalloc(sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	batch->region = region;
	batch->fault = false;
	batch->count = 0;

	while (gfn < end && !ret) {
		pfn = region->runs[run].pfn + off;
		flags = region->hv_map_flags;
		step = 1;
		if (IS_ALIGNED(gfn, MSHV_CHUNK_PAGES) &&
		    end - gfn >= MSHV_CHUNK_PAGES &&
		    region->runs[run].nr - off >= MSHV_CHUNK_PAGES &&
		    IS_ALIGNED(pfn, MSHV_CHUNK_PAGES)) {
			flags |= HV_MAP_GPA_LARGE_PAGE;
			step = MSHV_CHUNK_PAGES;
		}
		ret = mshv_batch_add(batch, gfn, pfn, flags);
		gfn += step;
		off += step;
		if (off == region->runs[run].nr) {
			run++;
			off = 0;
		}
		if (need_resched())
			cond_resched();
	}
	if (!ret)
		ret = mshv_batch_flush(batch);
	kfree(batch);
	return ret;
}
