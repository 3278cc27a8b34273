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
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/hmm.h>
#include <linux/hugetlb_inline.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/printk.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/linux/mshv.h"

#include "mshv_compat.h"
#include "mshv_regions.h"
#include "mshv_root.h"

#define CREATE_TRACE_POINTS
#include "mshv_trace.h"

static bool mshv_pin_regions;
module_param_named(pin_regions, mshv_pin_regions, bool, 0444);
MODULE_PARM_DESC(pin_regions,
		 "Pin guest memory and map it up front instead of following it with an MMU notifier (default: no)");

/* Every live region, for debugfs */
static LIST_HEAD(mshv_regions_all);
static DEFINE_MUTEX(mshv_regions_all_lock);

/* 4 KiB pages per 2 MiB chunk */
#define MSHV_CHUNK_PAGES	HV_PAGES_PER_LARGE_PAGE
/* hmm_pfn_to_map_order() of a PMD mapping */
#define MSHV_CHUNK_ORDER	(HV_HYP_LARGE_PAGE_SHIFT - HV_HYP_PAGE_SHIFT)

/*
 * Reps a fault may add beyond its 2 MiB window: fault-around fills the
 * last MAP_GPA_PAGES input page of the window's reps, so a fault maps at
 * most 509 reps (a large window plus 508 neighbours) or 1018 (a 4 KiB
 * window plus 506).
 */
#define MSHV_FAULT_AROUND_REPS	(HV_MAP_GPA_BATCH_SIZE - 1)
#define MSHV_FAULT_MAX_ENTRIES	(MSHV_CHUNK_PAGES + MSHV_FAULT_AROUND_REPS)
/* Deposit rounds one fault may ask for before giving up */
#define MSHV_FAULT_MAX_DEPOSITS	16

/*
 * struct mshv_map_entry.pfn: the host PFN and three attributes.  WRITABLE:
 * the host PTE is writable; DIRTY: the entry is in the window of a write
 * fault, so its folio is marked dirty if the entry is mapped writable
 * (mshv_fault_writable()).
 */
#define MSHV_ENTRY_LARGE	BIT_ULL(63)
#define MSHV_ENTRY_WRITABLE	BIT_ULL(62)
#define MSHV_ENTRY_DIRTY	BIT_ULL(61)
#define MSHV_ENTRY_PFN_MASK	GENMASK_ULL(51, 0)

/*
 * Pure computations (no hypercalls, no locks); kunit/mshv_regions_test.c
 * tests them directly.
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
 * @regions?  The tree is keyed by first and last page, so nothing can
 * overflow for ranges that end at the limit.
 */
static bool mshv_regions_overlap(struct rb_root_cached *regions, u64 gfn,
				 u64 nr)
{
	return interval_tree_iter_first(regions, gfn, gfn + (nr - 1));
}

/*
 * The 2 MiB window of a fault at @gfn: the chunk holding @gfn, aligned in
 * absolute guest-physical space, clamped to the region [@start, @end).
 */
static void mshv_fault_window(u64 start, u64 end, u64 gfn, u64 *ws, u64 *we)
{
	u64 chunk = ALIGN_DOWN(gfn, MSHV_CHUNK_PAGES);

	*ws = max(chunk, start);
	*we = min(chunk + MSHV_CHUNK_PAGES, end);
}

/*
 * Reps fault-around may add to a window of @window_reps reps: what fills
 * the last MAP_GPA_PAGES input page of the window's reps.
 */
static unsigned int mshv_fault_around_budget(unsigned int window_reps)
{
	return roundup(window_reps, HV_MAP_GPA_BATCH_SIZE) - window_reps;
}

/* The PFN of a hmm_range_fault() output entry */
static u64 mshv_hmm_pfn(unsigned long hmm_pfn)
{
	return hmm_pfn & ~HMM_PFN_FLAGS;
}

/*
 * May the chunk at @gfn (any GFN) of the region [@start, @end), whose
 * backing hmm_range_fault() described in @hmm_pfns (512 entries), be
 * mapped with one 2 MiB entry?  The chunk must be 2 MiB aligned and inside
 * the region, and its first entry a valid PMD-or-larger mapping of a 2 MiB
 * aligned PFN, which then covers the whole chunk; the last entry must
 * carry the same permissions.
 */
static bool mshv_chunk_large(u64 gfn, u64 start, u64 end,
			     const unsigned long *hmm_pfns)
{
	unsigned long first = hmm_pfns[0];
	unsigned long last = hmm_pfns[MSHV_CHUNK_PAGES - 1];
	const unsigned long perm = HMM_PFN_VALID | HMM_PFN_WRITE |
				   HMM_PFN_ERROR;

	if (!IS_ALIGNED(gfn, MSHV_CHUNK_PAGES) || gfn < start || gfn >= end ||
	    end - gfn < MSHV_CHUNK_PAGES)
		return false;
	if (!(first & HMM_PFN_VALID) || (first & HMM_PFN_ERROR) ||
	    hmm_pfn_to_map_order(first) < MSHV_CHUNK_ORDER ||
	    !IS_ALIGNED(mshv_hmm_pfn(first), MSHV_CHUNK_PAGES))
		return false;
	return (first & perm) == (last & perm) &&
	       mshv_hmm_pfn(last) ==
	       mshv_hmm_pfn(first) + MSHV_CHUNK_PAGES - 1;
}

/**
 * struct mshv_map_batch - the reps of one MAP_GPA_PAGES hypercall
 * @gfn: first guest page frame number
 * @flags: HV_MAP_GPA_* flags of every rep
 * @count: number of reps
 * @pfns: host PFNs, one per rep
 */
struct mshv_map_batch {
	u64 gfn;
	u32 flags;
	u16 count;
	u64 pfns[HV_MAP_GPA_BATCH_SIZE];
};

/**
 * struct mshv_map_sink - where full batches go
 * @flush: issue one batch; returns 0 or a negative errno
 */
struct mshv_map_sink {
	int (*flush)(struct mshv_map_sink *sink,
		     const struct mshv_map_batch *batch);
};

static u64 mshv_rep_pages(u32 flags)
{
	return flags & HV_MAP_GPA_LARGE_PAGE ? MSHV_CHUNK_PAGES : 1;
}

static int mshv_batch_flush(struct mshv_map_batch *batch,
			    struct mshv_map_sink *sink)
{
	int ret;

	if (!batch->count)
		return 0;
	ret = sink->flush(sink, batch);
	batch->count = 0;
	return ret;
}

/*
 * Append one rep mapping @gfn (one page, or one chunk with
 * HV_MAP_GPA_LARGE_PAGE in @flags) to @pfn.  The batch goes to @sink first
 * when the rep cannot join it: other flags, not GPA-contiguous, or full.
 */
static int mshv_batch_add(struct mshv_map_batch *batch,
			  struct mshv_map_sink *sink, u64 gfn, u64 pfn,
			  u32 flags)
{
	int ret;

	if (batch->count &&
	    (batch->flags != flags || batch->count == HV_MAP_GPA_BATCH_SIZE ||
	     batch->gfn + batch->count * mshv_rep_pages(flags) != gfn)) {
		ret = mshv_batch_flush(batch, sink);
		if (ret)
			return ret;
	}
	if (!batch->count) {
		batch->gfn = gfn;
		batch->flags = flags;
	}
	batch->pfns[batch->count++] = pfn;
	return 0;
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
 * Region life cycle
 */

static u64 mshv_region_end(const struct mshv_mem_region *region)
{
	return region->guest_pfn + region->nr_pages;
}

static unsigned long mshv_region_hva(const struct mshv_mem_region *region,
				     u64 gfn)
{
	return region->uaddr + ((gfn - region->guest_pfn) << HV_HYP_PAGE_SHIFT);
}

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

static void mshv_region_put(struct mshv_mem_region *region)
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

/* Index of the chunk holding @gfn in the bitmaps of @region */
static u64 mshv_chunk_idx(const struct mshv_mem_region *region, u64 gfn)
{
	return (gfn - region->map_base) / MSHV_CHUNK_PAGES;
}

/*
 * Allocate @region's chunk maps (@large_map and @ever_map, one
 * allocation) unless they exist.  Called before the region mutex is taken
 * (nothing allocates under it); the maps are installed under it.
 *
 * Return: 0 or -ENOMEM.
 */
static int mshv_region_alloc_maps(struct mshv_mem_region *region)
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

/*
 * Issue the UNMAP_GPA_PAGES hypercalls that remove [start, end) of
 * @region, 2 MiB chunks mapped large as a whole.  Never sleeps.  Failures
 * are logged and go on with the rest of the range; the chunks of a failed
 * call keep their @large_map and @ever_map bits (the call may have done
 * nothing, or only some reps), so a later unmap of the chunk, and the
 * region's removal, unmap them again.
 *
 * Return: 0, or the error of the last call that failed.
 */
static int mshv_region_unmap_range(struct mshv_mem_region *region,
				   u64 start, u64 end)
{
	struct mshv_unmap_piece p;
	u64 pos = start, pages, idx;
	int ret, err = 0;

	lockdep_assert_held(&region->mutex);

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
		if (p.large && region->large_map) {
			idx = mshv_chunk_idx(region, p.gfn);
			bitmap_clear(region->large_map, idx, p.reps);
			bitmap_clear(region->ever_map, idx, p.reps);
		}
	}
	return err;
}

/*
 * Unmap every chunk of @region that may have SLAT entries (set in
 * @ever_map), each run of such chunks in the fewest calls; chunks never
 * mapped cost nothing.  Used by removal and the error paths.
 *
 * Return: 0, or the error of a call that failed.
 */
static int mshv_region_unmap_all(struct mshv_mem_region *region)
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

/*
 * Pinned regions
 */

static void mshv_region_unpin(struct mshv_mem_region *region)
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

/*
 * Pin the backing of @region (current->mm), charged to RLIMIT_MEMLOCK,
 * and keep it as PFN runs.  On failure nothing stays pinned or charged.
 */
static int mshv_region_pin(struct mshv_mem_region *region)
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
 * struct mshv_pinned_sink - map batches of a pinned region, depositing
 * @sink: the sink
 * @region: the region
 */
struct mshv_pinned_sink {
	struct mshv_map_sink sink;
	struct mshv_mem_region *region;
};

static int mshv_pinned_flush(struct mshv_map_sink *sink,
			     const struct mshv_map_batch *batch)
{
	struct mshv_pinned_sink *ps =
		container_of(sink, struct mshv_pinned_sink, sink);

	return mshv_region_map_batch(ps->region, batch, true);
}

/*
 * Map a pinned region whole: 2 MiB entries for chunks whose pinned PFNs
 * are 512 contiguous pages starting 2 MiB aligned, 4 KiB entries for the
 * rest.  The region is not visible to anyone yet, so no lock is needed
 * (and the map may deposit).  On failure the caller unmaps.
 */
static int mshv_region_map_pinned(struct mshv_mem_region *region)
{
	struct mshv_pinned_sink ps = {
		.sink.flush = mshv_pinned_flush,
		.region = region,
	};
	u64 gfn = region->guest_pfn, end = mshv_region_end(region);
	u64 run = 0, off = 0, pfn, step;
	struct mshv_map_batch *batch;
	u32 flags;
	int ret = 0;

	batch = kmalloc(sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
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
		ret = mshv_batch_add(batch, &ps.sink, gfn, pfn, flags);
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
		ret = mshv_batch_flush(batch, &ps.sink);
	kfree(batch);
	return ret;
}

/*
 * Movable and MMIO regions: the notifier
 */

/*
 * Every event unmaps, whatever range->event says: besides the changes of
 * mapping, the events that clean a page come through here before the
 * page's dirty state is dropped (MADV_FREE's MMU_NOTIFY_CLEAR, writeback's
 * write-protection in folio_mkclean(), reclaim's and migration's unmap),
 * and a writable SLAT entry must not outlive its folio's dirty state
 * (mshv_fault_writable()).
 */
static bool mshv_region_invalidate(struct mmu_interval_notifier *mni,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq)
{
	struct mshv_mem_region *region =
		container_of(mni, struct mshv_mem_region, notifier);
	u64 gfn = 0, gfn_end = 0, calls = 0;
	unsigned long start, end;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&region->mutex);
	else if (!mutex_trylock(&region->mutex))
		return false;

	mmu_interval_set_seq(mni, cur_seq);
	atomic64_inc(&region->invalidations);

	start = max_t(unsigned long, range->start, region->uaddr);
	end = min_t(unsigned long, range->end,
		    mshv_region_hva(region, mshv_region_end(region)));
	if (start < end) {
		gfn = region->guest_pfn +
		      ((start - region->uaddr) >> HV_HYP_PAGE_SHIFT);
		gfn_end = region->guest_pfn +
			  DIV_ROUND_UP(end - region->uaddr, HV_HYP_PAGE_SIZE);
		/* The mutex serialises unmaps: the difference is ours */
		calls = atomic64_read(&region->unmaps);
		mshv_region_unmap_range(region, gfn, gfn_end);
		calls = atomic64_read(&region->unmaps) - calls;
	}
	trace_mshv_region_invalidate(region->partition_id, range->start,
				     range->end, range->event, gfn,
				     gfn_end - gfn, calls);
	mutex_unlock(&region->mutex);
	return true;
}

static const struct mmu_interval_notifier_ops mshv_region_notifier_ops = {
	.invalidate = mshv_region_invalidate,
};

/*
 * Faults
 */

/**
 * struct mshv_map_entry - one rep a fault will map
 * @gfn: guest page frame number (chunk start for a large entry)
 * @pfn: host PFN | MSHV_ENTRY_LARGE | MSHV_ENTRY_WRITABLE | MSHV_ENTRY_DIRTY
 */
struct mshv_map_entry {
	u64 gfn;
	u64 pfn;
};

/**
 * struct mshv_fault - one GPA intercept being resolved
 * @region: the region of the faulting GFN
 * @gfn: the faulting guest page frame number
 * @write: the guest wrote
 * @ws: first GFN of the fault's window
 * @we: end of the fault's window
 * @budget: reps the fault-around may still add
 * @nr_entries: valid entries of @entries
 * @invalidations: the region's invalidation count when the map was issued
 * @sink: where the batches go (under the region mutex)
 * @hmm_pfns: hmm_range_fault() output for one chunk
 * @entries: what to map
 * @batch: the hypercall being built
 */
struct mshv_fault {
	struct mshv_mem_region *region;
	u64 gfn;
	bool write;
	u64 ws;
	u64 we;
	unsigned int budget;
	unsigned int nr_entries;
	u64 invalidations;
	struct mshv_map_sink sink;
	unsigned long hmm_pfns[MSHV_CHUNK_PAGES];
	struct mshv_map_entry entries[MSHV_FAULT_MAX_ENTRIES];
	struct mshv_map_batch batch;
};

/* What a VP's fault buffer occupies, counted as kvmalloc()'s kmalloc size */
#define MSHV_FAULT_BUF_BYTES	kmalloc_size_roundup(sizeof(struct mshv_fault))

static void mshv_fault_add(struct mshv_fault *f, u64 gfn, u64 pfn)
{
	if (!WARN_ON_ONCE(f->nr_entries == MSHV_FAULT_MAX_ENTRIES))
		f->entries[f->nr_entries++] = (struct mshv_map_entry){
			.gfn = gfn, .pfn = pfn,
		};
}

/*
 * The attributes of an entry for the hmm_range_fault() output @e: the
 * window of a write fault (not @around) was faulted with
 * HMM_PFN_REQ_WRITE, so its folios may be dirtied to map them writable.
 */
static u64 mshv_entry_attrs(const struct mshv_fault *f, unsigned long e,
			    bool around)
{
	if (!(e & HMM_PFN_WRITE))
		return 0;
	return MSHV_ENTRY_WRITABLE |
	       (f->write && !around ? MSHV_ENTRY_DIRTY : 0);
}

/*
 * Turn hmm_pfns[0..@nr) describing [@gfn, @gfn + @nr) into entries: one
 * large entry when the chunk qualifies, else one per valid page.  With
 * @budget (fault-around), stop when f->budget runs out.
 *
 * Return: the number of pages covered.
 */
static u64 mshv_fault_collect(struct mshv_fault *f, u64 gfn, u64 nr,
			      bool budget)
{
	struct mshv_mem_region *region = f->region;
	u64 i, covered = 0;

	if (budget && !f->budget)
		return 0;
	if (nr == MSHV_CHUNK_PAGES &&
	    mshv_chunk_large(gfn, region->guest_pfn, mshv_region_end(region),
			     f->hmm_pfns)) {
		mshv_fault_add(f, gfn, mshv_hmm_pfn(f->hmm_pfns[0]) |
			       MSHV_ENTRY_LARGE |
			       mshv_entry_attrs(f, f->hmm_pfns[0], budget));
		if (budget)
			f->budget--;
		return nr;
	}
	for (i = 0; i < nr; i++) {
		unsigned long e = f->hmm_pfns[i];

		if (!(e & HMM_PFN_VALID) || (e & HMM_PFN_ERROR))
			continue;
		if (budget && !f->budget)
			break;
		mshv_fault_add(f, gfn + i, mshv_hmm_pfn(e) |
			       mshv_entry_attrs(f, e, budget));
		if (budget)
			f->budget--;
		covered++;
	}
	return covered;
}

static int mshv_fault_hmm(struct mshv_fault *f, u64 gfn, u64 nr,
			  unsigned long default_flags, unsigned long seq)
{
	struct hmm_range range = {
		.notifier = &f->region->notifier,
		.notifier_seq = seq,
		.start = mshv_region_hva(f->region, gfn),
		.end = mshv_region_hva(f->region, gfn + nr),
		.hmm_pfns = f->hmm_pfns,
		.default_flags = default_flags,
	};

	return hmm_range_fault(&range);
}

/* Is the chunk holding @gfn mapped with a 2 MiB entry?  (A hint, unlocked) */
static bool mshv_chunk_mapped_large(const struct mshv_mem_region *region,
				    u64 gfn)
{
	return test_bit(mshv_chunk_idx(region, gfn), region->large_map);
}

/*
 * Fault-around: snapshot (without faulting) the chunks next to the window
 * and map what is resident in the same hypercalls, within the budget of
 * one MAP_GPA_PAGES input page of reps.
 *
 * Above the window, chunk by chunk, everything resident is taken; the walk
 * stops after a chunk that is not entirely resident, or at a chunk already
 * mapped large.  Below the window only chunks that get a 2 MiB entry and
 * are not mapped large yet are taken (guests tend to touch memory upwards,
 * so 4 KiB pages below were most likely mapped by an earlier fault).
 */
static int mshv_fault_around(struct mshv_fault *f, unsigned long seq)
{
	struct mshv_mem_region *region = f->region;
	u64 start = region->guest_pfn, end = mshv_region_end(region);
	u64 c, n;
	int ret;

	for (c = f->we; c < end && f->budget; c += n) {
		n = min_t(u64, MSHV_CHUNK_PAGES, end - c);
		if (mshv_chunk_mapped_large(region, c))
			break;
		ret = mshv_fault_hmm(f, c, n, 0, seq);
		if (ret)
			return ret == -EBUSY ? ret : 0;
		if (mshv_fault_collect(f, c, n, true) < n)
			break;
	}
	for (c = f->ws; c >= start + MSHV_CHUNK_PAGES && f->budget;
	     c -= MSHV_CHUNK_PAGES) {
		n = MSHV_CHUNK_PAGES;
		if (!IS_ALIGNED(c, MSHV_CHUNK_PAGES) ||
		    mshv_chunk_mapped_large(region, c - n))
			break;
		ret = mshv_fault_hmm(f, c - n, n, 0, seq);
		if (ret)
			return ret == -EBUSY ? ret : 0;
		if (!mshv_chunk_large(c - n, start, end, f->hmm_pfns))
			break;
		mshv_fault_collect(f, c - n, n, true);
	}
	return 0;
}

/*
 * hugetlb: fault the page in before hmm_range_fault() sees it.  When the
 * page has no huge PTE yet (no page table for it), the page walker calls
 * hmm's hole callback with the VMA's hugetlb lock held for reading, and
 * the fault it makes takes that lock again (6.1 and 6.12: lockdep reports
 * recursive locking, and a writer queued in between would deadlock).
 * Faulted here first, the walk finds the huge PTE and has nothing to
 * fault.  mmap_lock is held for reading; it is not dropped.
 */
static void mshv_fault_hugetlb_first(struct mshv_fault *f)
{
	struct mm_struct *mm = f->region->mm;
	unsigned long hva = mshv_region_hva(f->region, f->gfn);
	struct vm_area_struct *vma = vma_lookup(mm, hva);

	if (vma && is_vm_hugetlb_page(vma))
		fixup_user_fault(mm, hva, f->write ? FAULT_FLAG_WRITE : 0,
				 NULL);
}

/* Fault in the window of a movable region and collect what to map */
static int mshv_fault_movable(struct mshv_fault *f, unsigned long seq)
{
	unsigned long req = HMM_PFN_REQ_FAULT;
	int ret;

	if (f->write)
		req |= HMM_PFN_REQ_WRITE;
	mshv_fault_hugetlb_first(f);
	ret = mshv_fault_hmm(f, f->ws, f->we - f->ws, req, seq);
	if (ret == -EFAULT || ret == -EPERM) {
		/* Part of the window cannot be faulted: only the page then */
		ret = mshv_fault_hmm(f, f->gfn, 1, req, seq);
		if (ret)
			return ret;
		mshv_fault_collect(f, f->gfn, 1, false);
		return 0;
	}
	if (ret)
		return ret;
	mshv_fault_collect(f, f->ws, f->we - f->ws, false);
	f->budget = mshv_fault_around_budget(f->nr_entries);
	return mshv_fault_around(f, seq);
}

/*
 * Is @pfn RAM, which an MMIO region must never map?  Any PFN with a struct
 * page counts, reserved or not: the kernel's own pages (the vDSO data a
 * [vvar] mapping shows, the zero page) are reserved RAM that VM_PFNMAP
 * mappings expose.
 */
static bool mshv_pfn_is_ram(unsigned long pfn)
{
	return pfn_valid(pfn);
}

/*
 * The PFN the VM_IO / VM_PFNMAP mapping of @mm maps at @hva and whether
 * the guest may write it: the page table entry is writable and so is the
 * VMA.  -EFAULT when @hva is in no such mapping or nothing is mapped.
 */
static int mshv_mmio_pfn(struct mm_struct *mm, unsigned long hva,
			 struct vm_area_struct **vmap, unsigned long *pfn,
			 bool *writable)
{
	struct vm_area_struct *vma = *vmap;
	int ret;

	if (!vma || hva < vma->vm_start || hva >= vma->vm_end)
		vma = vma_lookup(mm, hva);
	*vmap = vma;
	if (!vma || !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EFAULT;
	ret = mshv_follow_pfn(vma, hva, pfn, writable);
	if (ret)
		return -EFAULT;
	*writable = *writable && (vma->vm_flags & VM_WRITE);
	return 0;
}

/*
 * Look up the PFNs of the window of an MMIO region in its VM_PFNMAP
 * mappings; the faulting page is faulted in (for writing on a write fault)
 * if the driver of the mapping fills it lazily.  RAM is never mapped.  An
 * entry is writable only if the region is, the VMA is and the page table
 * entry is; a write fault that cannot get a writable entry is for
 * userspace (-EFAULT).
 */
static int mshv_fault_mmio(struct mshv_fault *f)
{
	bool region_writable = f->region->hv_map_flags & HV_MAP_GPA_WRITABLE;
	struct mm_struct *mm = f->region->mm;
	struct vm_area_struct *vma = NULL;
	unsigned long hva, pfn;
	bool found = false;
	bool writable;
	u64 gfn;
	int ret;

	for (gfn = f->ws; gfn < f->we; gfn++) {
		hva = mshv_region_hva(f->region, gfn);
		ret = mshv_mmio_pfn(mm, hva, &vma, &pfn, &writable);
		if (gfn == f->gfn && (ret || (f->write && !writable)) &&
		    vma && (vma->vm_flags & (VM_IO | VM_PFNMAP)) &&
		    !fixup_user_fault(mm, hva, f->write ? FAULT_FLAG_WRITE : 0,
				      NULL)) {
			/* The fault may have changed the VMA tree */
			vma = NULL;
			ret = mshv_mmio_pfn(mm, hva, &vma, &pfn, &writable);
		}
		if (ret || mshv_pfn_is_ram(pfn))
			continue;
		writable = writable && region_writable;
		if (gfn == f->gfn) {
			if (f->write && !writable)
				return -EFAULT;
			found = true;
		}
		mshv_fault_add(f, gfn, pfn | (writable ? MSHV_ENTRY_WRITABLE : 0));
	}
	return found ? 0 : -EFAULT;
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

static int mshv_fault_flush(struct mshv_map_sink *sink,
			    const struct mshv_map_batch *batch)
{
	struct mshv_fault *f = container_of(sink, struct mshv_fault, sink);

	lockdep_assert_held(&f->region->mutex);
	if (!(batch->flags & HV_MAP_GPA_LARGE_PAGE))
		mshv_region_split_large(f->region, batch);
	return mshv_region_map_batch(f->region, batch, false);
}

/*
 * Would marking @folio dirty cost no write-back that reclaim would not do
 * anyway?  Yes for an anonymous, swap-backed folio outside the swap cache:
 * reclaim dirties it when it adds it to the swap cache.  Such a folio is
 * not safe left clean, though: MADV_FREE clears the PTEs' dirty bits and
 * the folio's dirty flag inside its invalidation but makes the folio
 * lazily freed (not swap-backed) only when a per-CPU batch is drained,
 * possibly after a fault mapped it again; the dirty flag keeps it.
 */
static bool mshv_folio_dirty_is_free(struct folio *folio)
{
	return folio_test_anon(folio) && folio_test_swapbacked(folio) &&
	       !folio_test_swapcache(folio);
}

/*
 * May the entry of @pfn (MSHV_ENTRY_* attributes included), whose host PTE
 * is writable, be mapped writable by the movable @region?  Only if its folio
 * is dirty (or hugetlb, never reclaimed): a guest write through the SLAT
 * sets no dirty bit reclaim could see, and reclaim frees a clean page
 * cache folio, a clean anonymous folio in the swap cache or a lazily freed
 * one without writing it back.  A clean folio is marked dirty when that is
 * free (mshv_folio_dirty_is_free()) or the entry is in the window of a
 * write fault (MSHV_ENTRY_DIRTY); otherwise the entry maps read-only and
 * the guest's first write faults as a write.
 *
 * Called under the region mutex after mmu_interval_read_retry() said no
 * invalidation ran: until the mutex is dropped every collected PFN stays
 * mapped by the host page tables (unmapping, truncation and cleaning all
 * wait for the notifier, which waits for the mutex), which keeps the folio
 * allocated and its mapping stable as folio_mark_dirty() requires.  It
 * does not sleep (the folio is not locked: reclaim and writeback call the
 * notifier with the folio lock held).
 */
static bool mshv_fault_writable(struct mshv_mem_region *region, u64 pfn)
{
	struct folio *folio;

	lockdep_assert_held(&region->mutex);
	if (!pfn_valid(pfn & MSHV_ENTRY_PFN_MASK))
		return false;
	folio = page_folio(pfn_to_page(pfn & MSHV_ENTRY_PFN_MASK));
	if (folio_test_dirty(folio) || folio_test_hugetlb(folio))
		return true;
	if (!(pfn & MSHV_ENTRY_DIRTY) && !mshv_folio_dirty_is_free(folio))
		return false;
	folio_mark_dirty(folio);
	return true;
}

static int mshv_entry_cmp(const void *a, const void *b)
{
	const struct mshv_map_entry *x = a, *y = b;

	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

/*
 * Map the collected entries under the region mutex, unless an
 * invalidation ran since @seq (-EAGAIN).  Never sleeps for memory:
 * -ENOMEM means the hypervisor wants a deposit.
 */
static int mshv_fault_commit(struct mshv_fault *f, unsigned long seq)
{
	struct mshv_mem_region *region = f->region;
	u32 flags;
	u64 pfn;
	unsigned int i;
	int ret = 0;

	sort(f->entries, f->nr_entries, sizeof(f->entries[0]),
	     mshv_entry_cmp, NULL);

	mutex_lock(&region->mutex);
	f->invalidations = atomic64_read(&region->invalidations);
	if (region->dead)
		goto unlock;
	if (mmu_interval_read_retry(&region->notifier, seq)) {
		ret = -EAGAIN;
		goto unlock;
	}
	f->batch.count = 0;
	for (i = 0; i < f->nr_entries && !ret; i++) {
		pfn = f->entries[i].pfn;
		flags = region->hv_map_flags;
		if (!(pfn & MSHV_ENTRY_WRITABLE) ||
		    (region->type == MSHV_REGION_MOVABLE &&
		     (flags & HV_MAP_GPA_WRITABLE) &&
		     !mshv_fault_writable(region, pfn)))
			flags &= ~HV_MAP_GPA_WRITABLE;
		if (pfn & MSHV_ENTRY_LARGE)
			flags |= HV_MAP_GPA_LARGE_PAGE;
		ret = mshv_batch_add(&f->batch, &f->sink, f->entries[i].gfn,
				     pfn & MSHV_ENTRY_PFN_MASK, flags);
	}
	if (!ret)
		ret = mshv_batch_flush(&f->batch, &f->sink);
unlock:
	mutex_unlock(&region->mutex);
	return ret;
}

/*
 * Resolve a GPA intercept at @gfn of @region.  [@ws, @we) is set to the
 * window the fault covers when it gets that far.
 *
 * Return: 1 when resolved (dispatch the VP again), 0 when the message is
 * for userspace, or a negative errno for RUN_VP.
 */
static int mshv_region_fault(struct mshv_mem_region *region, u64 gfn,
			     u8 access, u64 *invalidations,
			     struct mshv_fault *f, u64 *ws, u64 *we)
{
	struct mm_struct *mm = region->mm;
	unsigned int deposits = 0;
	unsigned long seq;
	int ret;

	if (region->type == MSHV_REGION_PINNED)
		return 0;
	if (access == HV_INTERCEPT_ACCESS_WRITE &&
	    !(region->hv_map_flags & HV_MAP_GPA_WRITABLE))
		return 0;
	if (access == HV_INTERCEPT_ACCESS_EXECUTE &&
	    !(region->hv_map_flags & HV_MAP_GPA_EXECUTABLE))
		return 0;
	if (access > HV_INTERCEPT_ACCESS_EXECUTE)
		return 0;

	ret = mshv_region_alloc_maps(region);
	if (ret)
		return ret;
	f->region = region;
	f->gfn = gfn;
	f->write = access == HV_INTERCEPT_ACCESS_WRITE;
	f->sink.flush = mshv_fault_flush;
	mshv_fault_window(region->guest_pfn, mshv_region_end(region), gfn,
			  &f->ws, &f->we);
	*ws = f->ws;
	*we = f->we;

	if (!mmget_not_zero(mm))
		return 0;

	down_read(&region->fault_sem);
	for (;;) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (region->dead) {
			ret = 1;
			break;
		}
		f->nr_entries = 0;
		f->budget = 0;
		seq = mmu_interval_read_begin(&region->notifier);
		mmap_read_lock(mm);
		if (region->type == MSHV_REGION_MMIO)
			ret = mshv_fault_mmio(f);
		else
			ret = mshv_fault_movable(f, seq);
		mmap_read_unlock(mm);
		if (ret == -EBUSY)
			continue;
		if (ret) {
			/* The backing cannot provide the page: userspace */
			ret = ret == -EFAULT || ret == -EPERM ? 0 : ret;
			break;
		}

		ret = mshv_fault_commit(f, seq);
		if (ret == -EAGAIN)
			continue;
		if (ret == -ENOMEM && deposits++ < MSHV_FAULT_MAX_DEPOSITS) {
			ret = mshv_hv_deposit_memory(region->partition_id,
						     MSHV_MAP_GPA_DEPOSIT_PAGES);
			if (ret)
				break;
			continue;
		}
		if (!ret) {
			*invalidations = f->invalidations;
			ret = 1;
		}
		break;
	}
	up_read(&region->fault_sem);
	mmput(mm);
	return ret;
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

static struct mshv_mem_region *
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
 * Return: 1 when resolved (dispatch again), 0 to hand the message to
 * userspace, or a negative errno for MSHV_RUN_VP.
 */
int mshv_vp_handle_gpa_intercept(struct mshv_vp *vp)
{
	const struct hv_message *msg = page_address(vp->intercept_page);
	const struct hv_x64_memory_intercept_message *mem =
		(const void *)msg->u.payload;
	struct mshv_vp_regions *state = &vp->regions;
	struct mshv_vp_gpa_fault *last = &state->last_fault;
	u64 gfn, invalidations = 0, ws = 0, we = 0;
	struct mshv_mem_region *region;
	u32 type;
	u8 access;
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

	if (last->valid && last->region == region && last->gfn == gfn &&
	    last->access == access &&
	    last->invalidations == atomic64_read(&region->invalidations)) {
		ret = 0;
	} else {
		/* Kept for the VP's life: no allocation per fault */
		if (!state->fault_buf) {
			state->fault_buf = kvmalloc(sizeof(*state->fault_buf),
						    GFP_KERNEL_ACCOUNT);
			if (state->fault_buf)
				mshv_partition_account(vp->partition,
						       MSHV_FAULT_BUF_BYTES);
		}
		ret = state->fault_buf ?
		      mshv_region_fault(region, gfn, access, &invalidations,
					state->fault_buf, &ws, &we) : -ENOMEM;
	}
	trace_mshv_region_fault(region->partition_id, gfn, access, ws,
				we - ws, ret);

	if (ret > 0) {
		atomic64_inc(&region->faults);
		*last = (struct mshv_vp_gpa_fault){
			.region = region,
			.gfn = gfn,
			.invalidations = invalidations,
			.access = access,
			.valid = true,
		};
	} else {
		last->valid = false;
	}
	mshv_region_put(region);
	return ret;

to_user:
	last->valid = false;
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
 * mutex: the fault may deposit memory and waits for the region's
 * notifier.
 *
 * Return: 1 when the GFN is mapped with @access, 0 when it is not in such
 * a region or its backing does not allow @access, or a negative errno.
 */
int mshv_partition_fault_gfn(struct mshv_partition *partition, u64 gfn,
			     u8 access)
{
	struct mshv_mem_region *region;
	u64 invalidations, ws = 0, we = 0;
	struct mshv_fault *f;
	int ret;

	region = mshv_region_lookup_get(partition, gfn);
	if (!region)
		return 0;
	f = kvmalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f) {
		ret = -ENOMEM;
		goto put_region;
	}
	ret = mshv_region_fault(region, gfn, access, &invalidations, f, &ws,
				&we);
	trace_mshv_region_fault(region->partition_id, gfn, access, ws,
				we - ws, ret);
	if (ret > 0)
		atomic64_inc(&region->faults);
	kvfree(f);
put_region:
	mshv_region_put(region);
	return ret;
}

/**
 * mshv_vp_regions_release() - free what the fault path keeps for a VP
 * @vp: a VP being freed (no MSHV_RUN_VP can run any more)
 */
void mshv_vp_regions_release(struct mshv_vp *vp)
{
	if (!vp->regions.fault_buf)
		return;
	mshv_partition_account(vp->partition, -(s64)MSHV_FAULT_BUF_BYTES);
	kvfree(vp->regions.fault_buf);
	vp->regions.fault_buf = NULL;
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
	long ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	if (vma && (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		type = MSHV_REGION_MMIO;
	else if (mshv_pin_regions)
		type = MSHV_REGION_PINNED;
	else
		type = MSHV_REGION_MOVABLE;
	mmap_read_unlock(mm);
	if (!vma)
		return -EINVAL;

	region = mshv_region_alloc(partition->id, gfn, nr, uaddr, flags, type);
	if (!region)
		return -ENOMEM;

	mutex_lock(&partition->mutex);
	if (mshv_regions_overlap(&partition->regions, region->guest_pfn,
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
 * MSHV_GET_GPAP_ACCESS_BITMAP
 */

/* Bitmap bytes buffered: one batch plus the 7 bits carried over */
#define MSHV_GPAP_BUF_BYTES	(HV_GPA_ACCESS_STATES_BATCH_SIZE / 8 + 2)

/*
 * The GET_GPA_PAGES_ACCESS_STATES flags for @type and @op.  Like mainline,
 * every op but CLEAR (NOOP too) takes the "set" branch.
 */
static u64 mshv_gpap_hv_flags(u8 type, u8 op)
{
	if (op == MSHV_GPAP_ACCESS_OP_CLEAR)
		return type == MSHV_GPAP_ACCESS_TYPE_ACCESSED ?
		       HV_GPA_ACCESS_STATE_CLEAR_ACCESSED |
		       HV_GPA_ACCESS_STATE_CLEAR_DIRTY :
		       HV_GPA_ACCESS_STATE_CLEAR_DIRTY;
	return type == MSHV_GPAP_ACCESS_TYPE_ACCESSED ?
	       HV_GPA_ACCESS_STATE_SET_ACCESSED :
	       HV_GPA_ACCESS_STATE_SET_DIRTY | HV_GPA_ACCESS_STATE_SET_ACCESSED;
}

/**
 * mshv_gpap_access_bitmap() - MSHV_GET_GPAP_ACCESS_BITMAP
 * @partition: the partition
 * @type: MSHV_GPAP_ACCESS_TYPE_*
 * @op: MSHV_GPAP_ACCESS_OP_*
 * @gfn: first guest page frame number; [@gfn, @gfn + @nr) is valid
 *	(mshv_gfn_range_valid())
 * @nr: number of pages
 * @bitmap: the user buffer of DIV_ROUND_UP(@nr, 8) bytes
 *
 * Reads the accessed or dirty state of @nr guest pages in batches of
 * HV_GPA_ACCESS_STATES_BATCH_SIZE, applies the op, and writes
 * ceil(@nr / 8) bytes, bit i for page i; bits past @nr are 0.
 *
 * Return: 0, -EFAULT (a bitmap that is not writable is refused before any
 * state changes), -ENOMEM, -EINTR, or the error of the hypercall.
 */
long mshv_gpap_access_bitmap(struct mshv_partition *partition, u8 type,
			     u8 op, u64 gfn, u64 nr, u8 __user *bitmap)
{
	u64 done = 0, pending = 0, flags, n, i, full;
	u8 __user *out = bitmap;
	u8 *states, *bits;
	u8 mask;
	long ret = 0;

	/*
	 * The whole bitmap must be writable before the first batch consumes
	 * (clears or sets) any page's state: a bad buffer changes nothing.
	 */
	if (fault_in_safe_writeable((const char __user *)out,
				    DIV_ROUND_UP(nr, 8)))
		return -EFAULT;

	flags = mshv_gpap_hv_flags(type, op);
	mask = type == MSHV_GPAP_ACCESS_TYPE_ACCESSED ?
	       HV_GPA_PAGE_ACCESSED : HV_GPA_PAGE_DIRTY;

	states = kmalloc(HV_GPA_ACCESS_STATES_BATCH_SIZE, GFP_KERNEL);
	bits = kzalloc(MSHV_GPAP_BUF_BYTES, GFP_KERNEL);
	if (!states || !bits) {
		ret = -ENOMEM;
		goto free;
	}

	while (done < nr) {
		n = min_t(u64, nr - done,
			  HV_GPA_ACCESS_STATES_BATCH_SIZE);
		ret = mshv_hv_get_gpa_access_states(partition->id,
						    gfn + done, n,
						    flags, states);
		if (ret)
			goto free;
		for (i = 0; i < n; i++)
			if (states[i] & mask)
				bits[(pending + i) / 8] |=
					BIT((pending + i) % 8);
		pending += n;
		done += n;

		full = done == nr ? DIV_ROUND_UP(pending, 8) :
						 pending / 8;
		if (copy_to_user(out, bits, full)) {
			ret = -EFAULT;
			goto free;
		}
		out += full;
		/* Carry the partial last byte over */
		bits[0] = pending % 8 ? bits[full] : 0;
		memset(bits + 1, 0, MSHV_GPAP_BUF_BYTES - 1);
		pending %= 8;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free;
		}
		cond_resched();
	}

free:
	kfree(bits);
	kfree(states);
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
 * mshv_regions_sizes_show() - the region and fault-buffer terms of debugfs
 *	"sizes"
 * @m: the seq_file
 *
 * region: a region's structure; its chunk maps add 16 bytes per 128 MiB
 * chunk group, as kmalloc rounds them (meta_bytes has the exact figure).
 * vp_fault: the fault buffer of a VP that resolved a GPA intercept.
 */
void mshv_regions_sizes_show(struct seq_file *m)
{
	seq_printf(m, " region=%zu vp_fault=%zu",
		   kmalloc_size_roundup(sizeof(struct mshv_mem_region)),
		   MSHV_FAULT_BUF_BYTES);
}

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
