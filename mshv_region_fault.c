// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root movable and MMIO regions: the notifier and the fault path.
 *
 * Movable regions follow the canonical mmu_interval_notifier protocol
 * (see lib/test_hmm.c and the comment at the top of mshv_regions.c): a
 * fault snapshots the backing with hmm_range_fault() and maps it under
 * the region mutex unless the notifier's sequence moved; the notifier
 * unmaps under the same mutex.  MMIO regions map the PFNs of the VMA's
 * VM_IO / VM_PFNMAP mapping, never RAM.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/hmm.h>
#include <linux/hugetlb_inline.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/printk.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/userfaultfd_k.h>

#include "mshv_compat.h"
#include "mshv_region_fault.h"
#include "mshv_region_map.h"
#include "mshv_root.h"
#include "mshv_trace.h"

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
 * mshv_fault_movable(): the faulting page must be faulted in by a fault
 * that may drop the mmap lock and wait (mshv_fault_wait())
 */
#define MSHV_FAULT_WAIT		1

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
 * Pure computations (no hypercalls, no locks);
 * kunit/mshv_region_fault_test.c tests them directly.
 */

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

const struct mmu_interval_notifier_ops mshv_region_notifier_ops = {
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
 * @max_entries: entries @entries has room for
 * @invalidations: the region's invalidation count when the map was issued
 * @next_free: next free buffer of the partition's &mshv_fault_pool
 * @hmm_pfns: hmm_range_fault() output for one chunk
 * @batch: the hypercall being built
 * @entries: what to map
 */
struct mshv_fault {
	struct mshv_mem_region *region;
	u64 gfn;
	bool write;
	u64 ws;
	u64 we;
	unsigned int budget;
	unsigned int nr_entries;
	unsigned int max_entries;
	u64 invalidations;
	struct mshv_fault *next_free;
	unsigned long hmm_pfns[MSHV_CHUNK_PAGES];
	struct mshv_map_batch batch;
	struct mshv_map_entry entries[];
};

/* A fault's working memory: room for a window and its fault-around */
#define MSHV_FAULT_SIZE		struct_size_t(struct mshv_fault, entries, \
					      MSHV_FAULT_MAX_ENTRIES)
/* What a fault buffer occupies, counted as kvmalloc()'s kmalloc size */
#define MSHV_FAULT_BUF_BYTES	kmalloc_size_roundup(MSHV_FAULT_SIZE)

/* Working memory for @entries entries, or NULL */
static struct mshv_fault *mshv_fault_alloc(unsigned int entries)
{
	struct mshv_fault *f;

	f = kvmalloc(struct_size(f, entries, entries),
		     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (f)
		f->max_entries = entries;
	return f;
}

static void mshv_fault_add(struct mshv_fault *f, u64 gfn, u64 pfn)
{
	if (!WARN_ON_ONCE(f->nr_entries == f->max_entries))
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

/*
 * The faulting page is in a VMA registered with userfaultfd: snapshot the
 * window without faulting and map what is there, or, when the faulting
 * page is missing (or read-only for a write), say that it must be
 * faulted in by a fault that may wait for the userfaultfd handler
 * (MSHV_FAULT_WAIT).  hmm_range_fault() cannot: its faults may not drop
 * the mmap lock, and handle_userfault() fails those (VM_FAULT_SIGBUS).
 * A write-protected page (UFFDIO_WRITEPROTECT) has a read-only PTE, so a
 * read maps it read-only and a write waits for the handler.
 */
static int mshv_fault_uffd(struct mshv_fault *f, unsigned long seq)
{
	unsigned long e;
	unsigned int i;
	int ret;

	ret = mshv_fault_hmm(f, f->ws, f->we - f->ws, 0, seq);
	if (ret)
		return ret;
	e = f->hmm_pfns[f->gfn - f->ws];
	if (!(e & HMM_PFN_VALID) || (e & HMM_PFN_ERROR) ||
	    (f->write && !(e & HMM_PFN_WRITE)))
		return MSHV_FAULT_WAIT;
	/* Taken as fault-around: only the faulting page may be dirtied */
	f->budget = MSHV_CHUNK_PAGES;
	mshv_fault_collect(f, f->ws, f->we - f->ws, true);
	for (i = 0; f->write && i < f->nr_entries; i++) {
		u64 pages = f->entries[i].pfn & MSHV_ENTRY_LARGE ?
			    MSHV_CHUNK_PAGES : 1;

		if (f->gfn >= f->entries[i].gfn &&
		    f->gfn < f->entries[i].gfn + pages &&
		    (f->entries[i].pfn & MSHV_ENTRY_WRITABLE))
			f->entries[i].pfn |= MSHV_ENTRY_DIRTY;
	}
	f->budget = mshv_fault_around_budget(f->nr_entries);
	return mshv_fault_around(f, seq);
}

/*
 * Fault in the page at @hva of @mm the way a CPU's fault would, for a
 * page of a VMA registered with userfaultfd: the fault may drop the mmap
 * lock and wait, interruptibly, for the userfaultfd handler to resolve it
 * (UFFDIO_COPY, UFFDIO_ZEROPAGE, UFFDIO_CONTINUE, UFFDIO_WRITEPROTECT).
 * Called with the mmap lock held for reading; returns with it dropped.
 * One fault only: the caller snapshots again, and a fault that had to
 * wait is taken again then if it must be.
 *
 * Return: 0 when the fault completed or is to be retried, -EFAULT when
 * the VMA does not allow the access or the fault failed.
 */
static int mshv_fault_wait(struct mm_struct *mm, unsigned long hva,
			   bool write)
{
	unsigned int flags = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE |
			     FAULT_FLAG_INTERRUPTIBLE | FAULT_FLAG_REMOTE;
	struct vm_area_struct *vma;
	vm_fault_t fault;

	mmap_assert_locked(mm);
	vma = vma_lookup(mm, hva);
	if (!vma || !(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		goto unlock;
	if (write)
		flags |= FAULT_FLAG_WRITE;
	fault = handle_mm_fault(vma, hva, flags, NULL);
	/* Both mean the mmap lock was dropped */
	if (fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED))
		return 0;
	mmap_read_unlock(mm);
	return fault & VM_FAULT_ERROR ? -EFAULT : 0;

unlock:
	mmap_read_unlock(mm);
	return -EFAULT;
}

/* Fault in the window of a movable region and collect what to map */
static int mshv_fault_movable(struct mshv_fault *f, unsigned long seq)
{
	unsigned long req = HMM_PFN_REQ_FAULT;
	struct vm_area_struct *vma;
	int ret;

	vma = vma_lookup(f->region->mm, mshv_region_hva(f->region, f->gfn));
	if (vma && userfaultfd_armed(vma))
		return mshv_fault_uffd(f, seq);
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
		ret = mshv_batch_add(&f->batch, f->entries[i].gfn,
				     pfn & MSHV_ENTRY_PFN_MASK, flags);
	}
	if (!ret)
		ret = mshv_batch_flush(&f->batch);
unlock:
	mutex_unlock(&region->mutex);
	return ret;
}

/*
 * Resolve the fault @f describes (region, gfn, write set).  f->ws and
 * f->we are set to the window the fault covers when it gets that far.
 *
 * Return: 1 when resolved (dispatch the VP again), 0 when the message is
 * for userspace, or a negative errno for RUN_VP.
 */
static int mshv_fault_resolve(struct mshv_fault *f, u8 access)
{
	struct mshv_mem_region *region = f->region;
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
	f->batch.region = region;
	f->batch.fault = true;
	mshv_fault_window(region->guest_pfn, mshv_region_end(region), f->gfn,
			  &f->ws, &f->we);

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
		if (ret == MSHV_FAULT_WAIT) {
			/*
			 * The wait is the userfaultfd handler's to end: a
			 * removal of the region must not wait for it.
			 */
			up_read(&region->fault_sem);
			ret = mshv_fault_wait(mm, mshv_region_hva(region, f->gfn),
					      f->write);
			down_read(&region->fault_sem);
			if (ret) {
				/* As below: userspace's */
				ret = 0;
				break;
			}
			continue;
		}
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
		if (!ret)
			ret = 1;
		break;
	}
	up_read(&region->fault_sem);
	mmput(mm);
	return ret;
}

/*
 * Resident memory at creation
 */

/* Chunks one creation step snapshots under one hold of mmap_lock, at most */
#define MSHV_RESIDENT_STEP_CHUNKS	512
/*
 * Entries of one creation step: 16 full MAP_GPA_PAGES input pages of 4 KiB
 * reps, and room for the chunk that fills the last one
 */
#define MSHV_RESIDENT_ENTRIES	(16 * HV_MAP_GPA_BATCH_SIZE + MSHV_CHUNK_PAGES)
/* Steps started again after an invalidation, at most, in one creation */
#define MSHV_RESIDENT_MAX_RETRIES	64

/*
 * Can the VMA @vma have nothing the CPU page tables map for it, but the
 * zero page?  Anonymous memory needs an anon_vma, file memory pages in
 * its page cache.  Unlocked: a hint, a page that appears later faults.
 */
static bool mshv_vma_unpopulated(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return true;
	if (READ_ONCE(vma->anon_vma))
		return false;
	return !vma->vm_file ||
	       !READ_ONCE(vma->vm_file->f_mapping->nrpages);
}

/*
 * The first address at or after @hva, before @end, in a VMA that may
 * have resident pages: VMAs that cannot map anything are skipped whole.
 * mmap_lock is held.
 */
static unsigned long mshv_populated_next(struct mm_struct *mm,
					 unsigned long hva, unsigned long end)
{
	struct vm_area_struct *vma;

	while (hva < end) {
		vma = find_vma(mm, hva);
		if (!vma || vma->vm_start >= end)
			return end;
		hva = max(hva, vma->vm_start);
		if (!mshv_vma_unpopulated(vma))
			return hva;
		hva = vma->vm_end;
	}
	return end;
}

/**
 * mshv_range_may_be_resident() - may a VMM range have resident pages?
 * @mm: the address space; the caller holds its mmap_lock
 * @start: first address
 * @end: address past the range
 *
 * A hint: false when no VMA of [@start, @end) can map anything but the
 * zero page (an anonymous VMA without an anon_vma, a file VMA whose page
 * cache is empty), which costs a VMA look-up per VMA and no page-table
 * walk.  A page that appears after the check faults as usual.
 *
 * Return: whether mshv_region_map_resident() may find something to map.
 */
bool mshv_range_may_be_resident(struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	mmap_assert_locked(mm);
	return mshv_populated_next(mm, start, end) < end;
}

/*
 * The first GFN at or after @gfn, before @end, whose backing may be
 * resident.  mmap_lock is held.
 */
static u64 mshv_resident_next(struct mshv_mem_region *region, u64 gfn,
			      u64 end)
{
	unsigned long hva = mshv_region_hva(region, gfn);
	unsigned long hend = mshv_region_hva(region, end);

	hva = mshv_populated_next(region->mm, hva, hend);
	if (hva >= hend)
		return end;
	return gfn + ((hva - mshv_region_hva(region, gfn)) >> HV_HYP_PAGE_SHIFT);
}

/*
 * Snapshot, without faulting anything in, the chunks from *@pos on and
 * collect the resident pages into @f, until the entries could not take
 * another chunk or MSHV_RESIDENT_STEP_CHUNKS chunks were looked at.
 * *@pos is set past the last chunk taken.  mmap_lock is held.
 *
 * Return: 0, or -EBUSY when an invalidation ran since @seq.
 */
static int mshv_resident_collect(struct mshv_fault *f, u64 *pos,
				 unsigned long seq)
{
	struct mshv_mem_region *region = f->region;
	u64 end = mshv_region_end(region);
	u64 c = *pos, n, next;
	unsigned int chunks = 0;
	int ret;

	while (c < end && chunks < MSHV_RESIDENT_STEP_CHUNKS &&
	       f->nr_entries < MSHV_RESIDENT_ENTRIES - MSHV_CHUNK_PAGES) {
		next = mshv_resident_next(region, c, end);
		if (next >= end) {
			c = end;
			break;
		}
		/* Whole chunks: from the start of the chunk holding @next */
		if (next > c)
			c = max(c, ALIGN_DOWN(next, MSHV_CHUNK_PAGES));
		n = min_t(u64, ALIGN_DOWN(c, MSHV_CHUNK_PAGES) +
			  MSHV_CHUNK_PAGES, end) - c;
		ret = mshv_fault_hmm(f, c, n, 0, seq);
		if (ret == -EBUSY)
			return ret;
		if (!ret)
			mshv_fault_collect(f, c, n, false);
		chunks++;
		c += n;
	}
	*pos = c;
	return 0;
}

/**
 * mshv_region_map_resident() - map what backs a new movable region already
 * @region: a movable region being created: its notifier is live, it is in
 *	no tree yet
 *
 * Snapshots the backing with hmm_range_fault() without faulting (nothing
 * is allocated or read in) and maps the resident pages under the
 * notifier's sequence, as a fault would, with the same batches: 2 MiB
 * entries where a chunk's backing allows, read-only where the host PTE
 * is (the zero page, KSM, COW) or the page may not be written yet
 * (mshv_fault_writable()).  VMAs that cannot have resident pages are
 * skipped without a walk.  Best effort: whatever is not mapped here
 * faults as usual, so a failure (memory, a hypercall, a fatal signal,
 * invalidations that keep racing with the walk) ends the walk and is not
 * reported.
 */
void mshv_region_map_resident(struct mshv_mem_region *region)
{
	struct mm_struct *mm = region->mm;
	u64 pos = region->guest_pfn, start, end = mshv_region_end(region);
	struct mshv_fault *f = NULL;
	unsigned int deposits = 0, retries = 0;
	unsigned long seq;
	int ret;

	if (!mmget_not_zero(mm))
		return;
	while (pos < end) {
		if (fatal_signal_pending(current))
			break;
		start = pos;
		seq = mmu_interval_read_begin(&region->notifier);
		mmap_read_lock(mm);
		pos = mshv_resident_next(region, pos, end);
		if (pos < end && !f) {
			mmap_read_unlock(mm);
			f = mshv_fault_alloc(MSHV_RESIDENT_ENTRIES);
			if (!f || mshv_region_alloc_maps(region))
				break;
			f->region = region;
			f->batch.region = region;
			f->batch.fault = true;
			f->write = false;
			pos = start;
			continue;
		}
		if (f)
			f->nr_entries = 0;
		ret = pos < end ? mshv_resident_collect(f, &pos, seq) : 0;
		mmap_read_unlock(mm);
		if (ret == -EBUSY) {
			if (retries++ == MSHV_RESIDENT_MAX_RETRIES)
				break;
			pos = start;
			continue;
		}
		if (!f || !f->nr_entries) {
			cond_resched();
			continue;
		}
		ret = mshv_fault_commit(f, seq);
		if (ret == -ENOMEM && deposits++ < MSHV_FAULT_MAX_DEPOSITS &&
		    !mshv_hv_deposit_memory(region->partition_id,
					    MSHV_MAP_GPA_DEPOSIT_PAGES))
			ret = -EAGAIN;
		if (ret == -EAGAIN && retries++ < MSHV_RESIDENT_MAX_RETRIES) {
			pos = start;
			continue;
		}
		if (ret)
			break;
		cond_resched();
	}
	kvfree(f);
	mmput(mm);
}

/*
 * Fault buffers of a partition
 */

/*
 * Fault buffers a partition may hold: twice the CPUs, at least 4.  Faults
 * sleep (mmap_lock, reclaim, deposits, I/O of file-backed memory), so
 * more of them than CPUs may be in flight usefully; beyond that a fault
 * waits for a buffer, which a fault of the same partition gives back
 * within one fault's time.
 */
static unsigned int mshv_fault_pool_max(void)
{
	return max(4U, 2 * num_possible_cpus());
}

/**
 * mshv_fault_pool_init() - set up the empty fault-buffer pool of a partition
 * @pool: the pool
 */
void mshv_fault_pool_init(struct mshv_fault_pool *pool)
{
	spin_lock_init(&pool->lock);
	pool->free = NULL;
	pool->nr = 0;
	init_waitqueue_head(&pool->wait);
}

/**
 * mshv_fault_pool_destroy() - free the fault buffers of a partition
 * @partition: a partition being torn down: no fault can run any more
 */
void mshv_fault_pool_destroy(struct mshv_partition *partition)
{
	struct mshv_fault_pool *pool = &partition->fault_pool;
	struct mshv_fault *f;

	while ((f = pool->free)) {
		pool->free = f->next_free;
		kvfree(f);
		pool->nr--;
		mshv_partition_account(partition,
				       -(s64)MSHV_FAULT_BUF_BYTES);
	}
	WARN_ON_ONCE(pool->nr);
}

/*
 * Take a free buffer into *@f, or the right to allocate one (*@f stays
 * NULL).  False when neither is to be had.
 */
static bool mshv_fault_pool_take(struct mshv_fault_pool *pool,
				 struct mshv_fault **f)
{
	bool ok = true;

	spin_lock(&pool->lock);
	if (pool->free) {
		*f = pool->free;
		pool->free = (*f)->next_free;
	} else if (pool->nr < mshv_fault_pool_max()) {
		pool->nr++;
	} else {
		ok = false;
	}
	spin_unlock(&pool->lock);
	return ok;
}

/*
 * A fault buffer of @partition for one fault, given back with
 * mshv_fault_put(): a free one, a new one while the pool is below its
 * maximum, else the next one given back.
 *
 * Return: the buffer, or ERR_PTR(-EINTR) (a signal while waiting) or
 * ERR_PTR(-ENOMEM).
 */
static struct mshv_fault *mshv_fault_get(struct mshv_partition *partition)
{
	struct mshv_fault_pool *pool = &partition->fault_pool;
	struct mshv_fault *f = NULL;

	if (wait_event_interruptible_exclusive(pool->wait,
					       mshv_fault_pool_take(pool, &f)))
		return ERR_PTR(-EINTR);
	if (f)
		return f;
	f = mshv_fault_alloc(MSHV_FAULT_MAX_ENTRIES);
	if (!f) {
		spin_lock(&pool->lock);
		pool->nr--;
		spin_unlock(&pool->lock);
		wake_up(&pool->wait);
		return ERR_PTR(-ENOMEM);
	}
	mshv_partition_account(partition, MSHV_FAULT_BUF_BYTES);
	return f;
}

/* Give @f back to the pool of @partition */
static void mshv_fault_put(struct mshv_partition *partition,
			   struct mshv_fault *f)
{
	struct mshv_fault_pool *pool = &partition->fault_pool;

	spin_lock(&pool->lock);
	f->next_free = pool->free;
	pool->free = f;
	spin_unlock(&pool->lock);
	wake_up(&pool->wait);
}

/**
 * mshv_region_fault() - resolve a GPA intercept in a region
 * @partition: the partition
 * @region: the region holding @gfn, referenced by the caller
 * @gfn: guest page frame number of the intercept
 * @access: HV_INTERCEPT_ACCESS_* of the intercept
 * @last: the VP's last resolved intercept, or NULL
 *
 * Resolves the intercept with a fault buffer of the partition's pool,
 * traces it and counts it in region->faults when resolved.  With @last,
 * the same intercept again with no invalidation in between is for
 * userspace, and a resolution is recorded there.
 *
 * Return: 1 when resolved (dispatch the VP again), 0 when the message is
 * for userspace, or a negative errno for RUN_VP.
 */
int mshv_region_fault(struct mshv_partition *partition,
		      struct mshv_mem_region *region, u64 gfn, u8 access,
		      struct mshv_vp_gpa_fault *last)
{
	u64 ws = 0, we = 0, invalidations = 0;
	struct mshv_fault *f;
	int ret;

	if (last && last->valid && last->region == region &&
	    last->gfn == gfn && last->access == access &&
	    last->invalidations == atomic64_read(&region->invalidations)) {
		ret = 0;
		goto trace;
	}
	f = mshv_fault_get(partition);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto trace;
	}
	f->region = region;
	f->gfn = gfn;
	f->write = access == HV_INTERCEPT_ACCESS_WRITE;
	f->ws = 0;
	f->we = 0;
	f->invalidations = 0;
	ret = mshv_fault_resolve(f, access);
	ws = f->ws;
	we = f->we;
	invalidations = f->invalidations;
	mshv_fault_put(partition, f);
trace:
	trace_mshv_region_fault(region->partition_id, gfn, access, ws,
				we - ws, ret);
	if (ret > 0)
		atomic64_inc(&region->faults);
	if (!last)
		return ret;
	if (ret > 0)
		*last = (struct mshv_vp_gpa_fault){
			.region = region,
			.gfn = gfn,
			.invalidations = invalidations,
			.access = access,
			.valid = true,
		};
	else
		last->valid = false;
	return ret;
}

/**
 * mshv_regions_sizes_show() - the region and fault-buffer terms of debugfs
 *	"sizes"
 * @m: the seq_file
 *
 * region: a region's structure; its chunk maps add 16 bytes per 128 MiB
 * chunk group, as kmalloc rounds them (meta_bytes has the exact figure).
 * vp_fault: one fault buffer; fault_bufs (printed last, by
 * mshv_regions_sizes_show_pool()): how many a partition holds at most.
 */
void mshv_regions_sizes_show(struct seq_file *m)
{
	seq_printf(m, " region=%zu vp_fault=%zu",
		   kmalloc_size_roundup(sizeof(struct mshv_mem_region)),
		   MSHV_FAULT_BUF_BYTES);
}

/**
 * mshv_regions_sizes_show_pool() - the fault_bufs term of debugfs "sizes"
 * @m: the seq_file
 */
void mshv_regions_sizes_show_pool(struct seq_file *m)
{
	seq_printf(m, " fault_bufs=%u", mshv_fault_pool_max());
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/mshv_region_fault_test.c"
#endif
