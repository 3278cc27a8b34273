// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root guest memory regions: the SLAT side.  Builds and issues the
 * MAP_GPA_PAGES and UNMAP_GPA_PAGES hypercalls of a region and keeps its
 * chunk maps.  The lifecycle code (mshv_regions.c), the fault path and
 * the notifier (mshv_region_fault.c) and pinned regions
 * (mshv_region_pin.c) call down into it; it calls only the hypercall
 * layer.
 *
 * 2 MiB entries.  Guest physical space is cut into 2 MiB-aligned chunks.
 * A chunk is mapped with one HV_MAP_GPA_LARGE_PAGE entry when it lies
 * entirely inside the region and its backing is one PMD-sized, 2 MiB
 * aligned mapping (for pinned regions: 512 contiguous pinned PFNs starting
 * 2 MiB aligned).  The only per-region state is two bitmaps with one
 * bit per chunk, allocated on the first fault: the chunks currently
 * mapped large (a partial invalidation of a large chunk removes the whole
 * chunk; the rest refaults) and the chunks ever mapped (set before the
 * map hypercall, cleared when a whole-chunk unmap removed everything), so
 * that removal unmaps only what may be mapped.  Unmaps send every whole
 * aligned chunk as one HV_UNMAP_GPA_LARGE_PAGE rep, however it was
 * mapped, and only partial chunks as 4 KiB reps.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "mshv_region_map.h"
#include "mshv_root.h"

#include "mshv_trace.h"

/*
 * Pure computations (no hypercalls, no locks); kunit/mshv_region_map_test.c
 * tests them directly.
 */

static u64 mshv_rep_pages(u32 flags)
{
	return flags & HV_MAP_GPA_LARGE_PAGE ? MSHV_CHUNK_PAGES : 1;
}

/*
 * Can a rep mapping @gfn (one page, or one chunk with HV_MAP_GPA_LARGE_PAGE
 * in @flags) join @batch?  Not with other flags, when not GPA-contiguous,
 * or when the batch is full.
 */
static bool mshv_batch_fits(const struct mshv_map_batch *batch, u64 gfn,
			    u32 flags)
{
	return !batch->count ||
	       (batch->flags == flags &&
		batch->count < HV_MAP_GPA_BATCH_SIZE &&
		batch->gfn + batch->count * mshv_rep_pages(flags) == gfn);
}

/* Append a rep that fits (mshv_batch_fits()) */
static void mshv_batch_push(struct mshv_map_batch *batch, u64 gfn, u64 pfn,
			    u32 flags)
{
	if (!batch->count) {
		batch->gfn = gfn;
		batch->flags = flags;
	}
	batch->pfns[batch->count++] = pfn;
}

/**
 * struct mshv_unmap_piece - the reps of one UNMAP_GPA_PAGES hypercall
 * @gfn: first guest page frame number
 * @reps: number of reps (2 MiB chunks when @large)
 * @large: HV_UNMAP_GPA_LARGE_PAGE
 */
struct mshv_unmap_piece {
	u64 gfn;
	u64 reps;
	bool large;
};

/* Is bit @idx of @map set?  A missing map (not allocated yet) is empty. */
static bool mshv_map_test(const unsigned long *map, u64 idx)
{
	return map && test_bit(idx, map);
}

/*
 * The next hypercall that unmaps [*@pos, @end).  An end of the range that
 * falls inside a chunk mapped large (set in @large_map, bit 0 = the chunk
 * at @map_base; NULL: none) is first widened to the whole chunk.  Every
 * 2 MiB-aligned chunk the range then covers goes as one
 * HV_UNMAP_GPA_LARGE_PAGE rep, whatever its entries are (a LARGE_PAGE
 * unmap removes 4 KiB entries too); only the partial chunks at the ends
 * go as 4 KiB reps, in one call when no whole chunk lies between them.
 * At most HV_UNMAP_GPA_BATCH_SIZE reps per call.  Advances *@pos.
 *
 * Return: false when nothing is left.
 */
static bool mshv_unmap_next(const unsigned long *large_map, u64 map_base,
			    u64 *pos, u64 end, struct mshv_unmap_piece *p)
{
	u64 gfn = *pos, stop;

	if (gfn >= end)
		return false;
	if (!IS_ALIGNED(gfn, MSHV_CHUNK_PAGES) &&
	    mshv_map_test(large_map, (gfn - map_base) / MSHV_CHUNK_PAGES))
		gfn = ALIGN_DOWN(gfn, MSHV_CHUNK_PAGES);
	if (!IS_ALIGNED(end, MSHV_CHUNK_PAGES) &&
	    mshv_map_test(large_map, (end - 1 - map_base) / MSHV_CHUNK_PAGES))
		end = ALIGN(end, MSHV_CHUNK_PAGES);

	if (IS_ALIGNED(gfn, MSHV_CHUNK_PAGES) &&
	    end - gfn >= MSHV_CHUNK_PAGES) {
		p->large = true;
		p->gfn = gfn;
		p->reps = min_t(u64, (end - gfn) / MSHV_CHUNK_PAGES,
				HV_UNMAP_GPA_BATCH_SIZE);
		*pos = gfn + p->reps * MSHV_CHUNK_PAGES;
		return true;
	}
	/* A partial chunk: up to the next whole chunk, if there is one */
	stop = ALIGN(gfn + 1, MSHV_CHUNK_PAGES);
	if (stop >= end || end - stop < MSHV_CHUNK_PAGES)
		stop = end;
	p->large = false;
	p->gfn = gfn;
	p->reps = min_t(u64, stop - gfn, HV_UNMAP_GPA_BATCH_SIZE);
	*pos = gfn + p->reps;
	return true;
}

/*
 * Hypercalls
 */

/**
 * mshv_region_alloc_maps() - allocate a region's chunk maps
 * @region: the region
 *
 * @large_map and @ever_map (one allocation) unless they exist.  Called
 * before the region mutex is taken (nothing allocates under it); the maps
 * are installed under it.
 *
 * Return: 0 or -ENOMEM.
 */
int mshv_region_alloc_maps(struct mshv_mem_region *region)
{
	u64 longs = BITS_TO_LONGS(region->nr_chunks);
	unsigned long *maps;

	if (READ_ONCE(region->large_map))
		return 0;
	maps = kvcalloc(2 * longs, sizeof(*maps),
			GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!maps)
		return -ENOMEM;
	mutex_lock(&region->mutex);
	if (!region->large_map) {
		region->ever_map = maps + longs;
		WRITE_ONCE(region->large_map, maps);
		maps = NULL;
	}
	mutex_unlock(&region->mutex);
	kvfree(maps);
	return 0;
}

/**
 * mshv_region_unmap_range() - remove a GFN range of a region from the SLAT
 * @region: the region; the caller holds its mutex
 * @start: first GFN
 * @end: GFN past the range
 *
 * Issues the UNMAP_GPA_PAGES hypercalls, 2 MiB chunks mapped large as a
 * whole, for the range trimmed to its first and last chunk that may have
 * SLAT entries (set in @ever_map): a range with no such chunk costs no
 * call.  Never sleeps.  Failures are logged and go on with the rest of
 * the range; the chunks of a failed call keep their @large_map and
 * @ever_map bits (the call may have done nothing, or only some reps), so
 * a later unmap of the chunk, and the region's removal, unmap them again.
 *
 * Return: 0, or the error of the last call that failed.
 */
int mshv_region_unmap_range(struct mshv_mem_region *region, u64 start,
			    u64 end)
{
	struct mshv_unmap_piece p;
	u64 pos, pages, idx, first, last;
	int ret, err = 0;

	lockdep_assert_held(&region->mutex);
	/* Allocated before the first map: without it, nothing is mapped */
	if (!region->ever_map || start >= end)
		return 0;
	last = mshv_chunk_idx(region, end - 1) + 1;
	first = find_next_bit(region->ever_map, last,
			      mshv_chunk_idx(region, start));
	if (first >= last)
		return 0;
	last = find_last_bit(region->ever_map, last);
	pos = max(start, region->map_base + first * MSHV_CHUNK_PAGES);
	end = min(end, region->map_base + (last + 1) * MSHV_CHUNK_PAGES);

	while (mshv_unmap_next(region->large_map, region->map_base, &pos, end,
			       &p)) {
		ret = mshv_hv_unmap_gpa_batch(region->partition_id, p.gfn,
					      p.reps,
					      p.large ? HV_UNMAP_GPA_LARGE_PAGE :
							0);
		pages = p.large ? p.reps * MSHV_CHUNK_PAGES : p.reps;
		atomic64_inc(&region->unmaps);
		trace_mshv_region_unmap(p.gfn, pages, p.large);
		if (ret) {
			pr_warn_ratelimited("partition %#llx: unmapping %llu %s at guest pfn %#llx failed: %d\n",
					    region->partition_id, p.reps,
					    p.large ? "2 MiB pages" : "pages",
					    p.gfn, ret);
			err = ret;
			continue;
		}
		/* A large rep removed every entry of its chunk */
		if (p.large) {
			idx = mshv_chunk_idx(region, p.gfn);
			bitmap_clear(region->large_map, idx, p.reps);
			bitmap_clear(region->ever_map, idx, p.reps);
		}
	}
	return err;
}

/**
 * mshv_region_unmap_all() - remove every SLAT entry a region may have
 * @region: the region; the caller holds its mutex
 *
 * Unmaps every chunk of @region that may have SLAT entries (set in
 * @ever_map), each run of such chunks in the fewest calls; chunks never
 * mapped cost nothing.  Used by removal and the error paths.
 *
 * Return: 0, or the error of a call that failed.
 */
int mshv_region_unmap_all(struct mshv_mem_region *region)
{
	u64 start = region->guest_pfn, end = mshv_region_end(region);
	u64 idx, next;
	int ret, err = 0;

	lockdep_assert_held(&region->mutex);
	if (!region->ever_map)
		return 0;
	for (idx = find_first_bit(region->ever_map, region->nr_chunks);
	     idx < region->nr_chunks;
	     idx = find_next_bit(region->ever_map, region->nr_chunks, next)) {
		next = find_next_zero_bit(region->ever_map, region->nr_chunks,
					  idx);
		ret = mshv_region_unmap_range(region,
					      max(start, region->map_base +
							 idx * MSHV_CHUNK_PAGES),
					      min(end, region->map_base +
						       next * MSHV_CHUNK_PAGES));
		if (ret)
			err = ret;
	}
	return err;
}

/*
 * One MAP_GPA_PAGES request for @batch of @region, accounted and traced;
 * records the chunks mapped large.  @deposit: see mshv_hv_map_gpa_batch().
 */
static int mshv_region_map_batch(struct mshv_mem_region *region,
				 const struct mshv_map_batch *batch,
				 bool deposit)
{
	bool large = batch->flags & HV_MAP_GPA_LARGE_PAGE;
	u64 first = mshv_chunk_idx(region, batch->gfn);
	u64 last = mshv_chunk_idx(region, batch->gfn + batch->count *
				  mshv_rep_pages(batch->flags) - 1);
	u16 done;
	int ret;

	/* Before the hypercall: an entry may exist once it is issued */
	bitmap_set(region->ever_map, first, last - first + 1);
	ret = mshv_hv_map_gpa_batch(region->partition_id, batch->gfn,
				    batch->pfns, batch->count, batch->flags,
				    deposit, &done);
	atomic64_inc(&region->maps);
	trace_mshv_region_map(batch->gfn, batch->count *
			      mshv_rep_pages(batch->flags), large);
	if (large)
		bitmap_set(region->large_map, first, done);
	return ret;
}

/* Unmap the large chunks a batch of 4 KiB reps is about to land in */
static void mshv_region_split_large(struct mshv_mem_region *region,
				    const struct mshv_map_batch *batch)
{
	u64 first = (batch->gfn - region->map_base) / MSHV_CHUNK_PAGES;
	u64 last = (batch->gfn + batch->count - 1 - region->map_base) /
		   MSHV_CHUNK_PAGES;
	u64 idx;

	for (idx = first; idx <= last; idx++)
		if (test_bit(idx, region->large_map))
			mshv_region_unmap_range(region, region->map_base +
						idx * MSHV_CHUNK_PAGES,
						region->map_base +
						idx * MSHV_CHUNK_PAGES + 1);
}

/**
 * mshv_batch_flush() - issue a batch of map reps and empty it
 * @batch: a full batch, or the last one; nothing happens when it is empty
 *
 * For a fault (@batch->fault), the caller holds the region mutex.
 *
 * Return: 0 or the errno of the MAP_GPA_PAGES hypercall.
 */
int mshv_batch_flush(struct mshv_map_batch *batch)
{
	struct mshv_mem_region *region = batch->region;
	int ret;

	if (!batch->count)
		return 0;
	if (batch->fault) {
		lockdep_assert_held(&region->mutex);
		if (!(batch->flags & HV_MAP_GPA_LARGE_PAGE))
			mshv_region_split_large(region, batch);
	}
	ret = mshv_region_map_batch(region, batch, !batch->fault);
	batch->count = 0;
	return ret;
}

/**
 * mshv_batch_add() - append one map rep, issuing the batch when it is full
 * @batch: the batch
 * @gfn: guest page frame number (a chunk's first with
 *	HV_MAP_GPA_LARGE_PAGE)
 * @pfn: host page frame number
 * @flags: HV_MAP_GPA_* of the rep
 *
 * The batch is issued first (mshv_batch_flush()) when the rep cannot join
 * it: other flags, not GPA-contiguous, or full.
 *
 * Return: 0 or the errno of the MAP_GPA_PAGES hypercall.
 */
int mshv_batch_add(struct mshv_map_batch *batch, u64 gfn, u64 pfn,
		   u32 flags)
{
	int ret;

	if (!mshv_batch_fits(batch, gfn, flags)) {
		ret = mshv_batch_flush(batch);
		if (ret)
			return ret;
	}
	mshv_batch_push(batch, gfn, pfn, flags);
	return 0;
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/mshv_region_map_test.c"
#endif
