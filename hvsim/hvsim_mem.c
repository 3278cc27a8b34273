// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: deposited memory (the pools) and the SLAT.
 *
 * A pool owns the pages the root deposited.  Free pages are chained
 * through a small header written at the start of each free page, so no
 * struct page field and no kernel allocation is needed.  Pages leave the
 * free list zeroed (allocation) or with the header wiped (withdrawal), so
 * a valid header with a matching PFN means "this page is free in a pool":
 * that is how a second deposit of the same page is recognised.
 */
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "hvsim.h"

#define HVSIM_FREE_MAGIC	0x687673696d667265ULL

struct hvsim_free_page {
	u64 magic;
	u64 pfn;
	struct hvsim_free_page *next;
};

/**
 * hvsim_pool_init() - initialize an empty pool
 * @pool: the pool
 * @lock: the lock that will protect it
 */
void hvsim_pool_init(struct hvsim_pool *pool, spinlock_t *lock)
{
	pool->lock = lock;
	pool->free = NULL;
	pool->nr_pages = 0;
	pool->nr_free = 0;
}

/**
 * hvsim_pool_check_pfn() - validate a PFN the root wants to deposit
 * @pfn: host page frame number
 *
 * Rejects PFNs without a struct page, reserved, free or compound pages
 * (hvsim frees deposited pages one by one with __free_page() at module
 * exit) and pages already free in one of hvsim's pools.  Pages hvsim has
 * handed out as model structures cannot be recognised here.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_pool_check_pfn(u64 pfn)
{
	const struct hvsim_free_page *fp;
	struct page *page;

	if (!pfn || pfn >= HVSIM_PFN_LIMIT || !pfn_valid(pfn))
		return HV_STATUS_INVALID_PARAMETER;
	page = pfn_to_page(pfn);
	if (PageReserved(page) || PageCompound(page) || PageHighMem(page) ||
	    !page_count(page))
		return HV_STATUS_INVALID_PARAMETER;
	fp = page_address(page);
	if (READ_ONCE(fp->magic) == HVSIM_FREE_MAGIC &&
	    READ_ONCE(fp->pfn) == pfn)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

static void pool_push(struct hvsim_pool *pool, void *va, u64 pfn)
{
	struct hvsim_free_page *fp = va;

	fp->magic = HVSIM_FREE_MAGIC;
	fp->pfn = pfn;
	fp->next = pool->free;
	pool->free = fp;
	pool->nr_free++;
}

static struct hvsim_free_page *pool_pop(struct hvsim_pool *pool)
{
	struct hvsim_free_page *fp = pool->free;

	if (!fp)
		return NULL;
	pool->free = fp->next;
	pool->nr_free--;
	return fp;
}

/**
 * hvsim_pool_add() - take ownership of a deposited page
 * @pool: the pool, its lock held
 * @pfn: a PFN accepted by hvsim_pool_check_pfn()
 */
void hvsim_pool_add(struct hvsim_pool *pool, u64 pfn)
{
	lockdep_assert_held(pool->lock);
	pool_push(pool, pfn_to_kaddr(pfn), pfn);
	pool->nr_pages++;
}

/**
 * hvsim_pool_alloc() - carve a zeroed page out of a pool
 * @pool: the pool, its lock held
 *
 * Return: the page's kernel address, or NULL when the pool is empty.
 */
void *hvsim_pool_alloc(struct hvsim_pool *pool)
{
	struct hvsim_free_page *fp;

	lockdep_assert_held(pool->lock);
	fp = pool_pop(pool);
	if (fp)
		clear_page(fp);
	return fp;
}

/**
 * hvsim_pool_free() - give a page back to the pool it came from
 * @pool: the pool, its lock held
 * @page: kernel address returned by hvsim_pool_alloc()
 *
 * The page is scrubbed so that no model or guest data reaches the root
 * when it is withdrawn.
 */
void hvsim_pool_free(struct hvsim_pool *pool, void *page)
{
	lockdep_assert_held(pool->lock);
	clear_page(page);
	pool_push(pool, page, PHYS_PFN(virt_to_phys(page)));
}

/**
 * hvsim_pool_withdraw() - give a free page back to the root
 * @pool: the pool, its lock held
 * @pfn: returns the page's PFN
 *
 * Return: false when the pool has no free page.
 */
bool hvsim_pool_withdraw(struct hvsim_pool *pool, u64 *pfn)
{
	struct hvsim_free_page *fp;

	lockdep_assert_held(pool->lock);
	fp = pool_pop(pool);
	if (!fp)
		return false;
	*pfn = fp->pfn;
	memset(fp, 0, sizeof(*fp));
	pool->nr_pages--;
	return true;
}

/**
 * hvsim_pool_move() - move every page of @src into @dst
 * @dst: destination pool, its lock held
 * @src: source pool, its lock held; all its pages must be free
 */
void hvsim_pool_move(struct hvsim_pool *dst, struct hvsim_pool *src)
{
	struct hvsim_free_page *fp;

	lockdep_assert_held(dst->lock);
	lockdep_assert_held(src->lock);
	WARN_ON(src->nr_free != src->nr_pages);
	while ((fp = pool_pop(src))) {
		src->nr_pages--;
		pool_push(dst, fp, fp->pfn);
		dst->nr_pages++;
	}
}

/**
 * hvsim_pool_release() - free every free page of a pool to the kernel
 * @pool: the pool, its lock held
 *
 * Used at module exit: hvsim owns deposited pages, so freeing them is its
 * job.  Pages still in use cannot be found and are leaked with a warning.
 */
void hvsim_pool_release(struct hvsim_pool *pool)
{
	struct hvsim_free_page *fp;
	u64 pfn;

	lockdep_assert_held(pool->lock);
	while ((fp = pool_pop(pool))) {
		pfn = fp->pfn;
		memset(fp, 0, sizeof(*fp));
		pool->nr_pages--;
		__free_page(pfn_to_page(pfn));
	}
	WARN(pool->nr_pages, "hvsim: %llu pool pages still in use\n",
	     pool->nr_pages);
}

/*
 * SLAT entries.  A table entry holds the physical address of the next
 * table; a leaf entry holds the host PFN and the HV_MAP_GPA_* permissions.
 * NO_ACCESS mappings are present leaves without permissions.
 */
#define SLAT_PRESENT		BIT_ULL(0)
#define SLAT_PERM_SHIFT		1
#define SLAT_ADDR_MASK		GENMASK_ULL(51, 12)

static unsigned int slat_index(u64 gfn, int level)
{
	return (gfn >> (level * HVSIM_SLAT_SHIFT)) & (HVSIM_SLAT_ENTRIES - 1);
}

static u64 *slat_next(u64 entry)
{
	return phys_to_virt(entry & SLAT_ADDR_MASK);
}

/**
 * hvsim_slat_init() - initialize an empty SLAT
 * @slat: the SLAT
 * @lock: the lock that will protect it
 */
void hvsim_slat_init(struct hvsim_slat *slat, spinlock_t *lock)
{
	slat->lock = lock;
	slat->root = NULL;
	slat->nr_tables = 0;
	slat->nr_mapped = 0;
}

/* The leaf table covering @gfn, or NULL */
static u64 *slat_leaf_table(const struct hvsim_slat *slat, u64 gfn)
{
	u64 *table = slat->root;
	int level;

	if (!table || gfn >= HVSIM_GFN_LIMIT)
		return NULL;
	for (level = HVSIM_SLAT_LEVELS - 1; level > 0; level--) {
		u64 entry = table[slat_index(gfn, level)];

		if (!(entry & SLAT_PRESENT))
			return NULL;
		table = slat_next(entry);
	}
	return table;
}

static u64 *slat_alloc_table(struct hvsim_slat *slat, struct hvsim_pool *pool)
{
	u64 *table = hvsim_pool_alloc(pool);

	if (table)
		slat->nr_tables++;
	return table;
}

/**
 * hvsim_slat_map() - map one 4 KiB guest page
 * @slat: the SLAT, its lock held
 * @pool: pool for table pages (same lock)
 * @gfn: guest page number, below HVSIM_GFN_LIMIT
 * @pfn: host page frame number, below HVSIM_PFN_LIMIT
 * @perms: HV_MAP_GPA_* permission bits (0 for NO_ACCESS)
 *
 * An existing mapping of @gfn is replaced.  Table pages allocated before a
 * failure stay in the SLAT (they are reused by the retry).
 *
 * Return: 0, -EINVAL for an out-of-range @gfn/@pfn, or -ENOMEM when the
 * pool has no page for a table.
 */
int hvsim_slat_map(struct hvsim_slat *slat, struct hvsim_pool *pool,
		   u64 gfn, u64 pfn, u32 perms)
{
	u64 *table, *entry;
	int level;

	lockdep_assert_held(slat->lock);
	if (gfn >= HVSIM_GFN_LIMIT || pfn >= HVSIM_PFN_LIMIT)
		return -EINVAL;
	if (!slat->root) {
		slat->root = slat_alloc_table(slat, pool);
		if (!slat->root)
			return -ENOMEM;
	}
	table = slat->root;
	for (level = HVSIM_SLAT_LEVELS - 1; level > 0; level--) {
		entry = &table[slat_index(gfn, level)];
		if (!(*entry & SLAT_PRESENT)) {
			u64 *next = slat_alloc_table(slat, pool);

			if (!next)
				return -ENOMEM;
			*entry = virt_to_phys(next) | SLAT_PRESENT;
		}
		table = slat_next(*entry);
	}
	entry = &table[slat_index(gfn, 0)];
	if (!(*entry & SLAT_PRESENT))
		slat->nr_mapped++;
	*entry = (pfn << HV_HYP_PAGE_SHIFT) |
		 ((u64)(perms & HVSIM_SLAT_PERM_MASK) << SLAT_PERM_SHIFT) |
		 SLAT_PRESENT;
	return 0;
}

/**
 * hvsim_slat_unmap() - remove the mappings of a range of guest pages
 * @slat: the SLAT, its lock held
 * @gfn: first guest page number
 * @count: number of pages; pages that are not mapped are skipped
 *
 * Table pages are kept until hvsim_slat_destroy().
 */
void hvsim_slat_unmap(struct hvsim_slat *slat, u64 gfn, u64 count)
{
	u64 end, *table;

	lockdep_assert_held(slat->lock);
	if (gfn >= HVSIM_GFN_LIMIT)
		return;
	end = min(gfn + min(count, HVSIM_GFN_LIMIT), HVSIM_GFN_LIMIT);
	while (gfn < end) {
		u64 next = (gfn | (HVSIM_SLAT_ENTRIES - 1)) + 1;

		table = slat_leaf_table(slat, gfn);
		for (; table && gfn < end && gfn < next; gfn++) {
			u64 *entry = &table[slat_index(gfn, 0)];

			if (*entry & SLAT_PRESENT) {
				*entry = 0;
				slat->nr_mapped--;
			}
		}
		gfn = next;
	}
}

/**
 * hvsim_slat_lookup() - translate a guest page number
 * @slat: the SLAT, its lock held
 * @gfn: guest page number
 * @pfn: returns the host PFN (0 for NO_ACCESS mappings)
 * @perms: returns the HV_MAP_GPA_* permission bits
 *
 * Return: false when @gfn has no SLAT entry.
 */
bool hvsim_slat_lookup(const struct hvsim_slat *slat, u64 gfn, u64 *pfn,
		       u32 *perms)
{
	const u64 *table;
	u64 entry;

	lockdep_assert_held(slat->lock);
	table = slat_leaf_table(slat, gfn);
	if (!table)
		return false;
	entry = table[slat_index(gfn, 0)];
	if (!(entry & SLAT_PRESENT))
		return false;
	*pfn = (entry & SLAT_ADDR_MASK) >> HV_HYP_PAGE_SHIFT;
	*perms = (entry >> SLAT_PERM_SHIFT) & HVSIM_SLAT_PERM_MASK;
	return true;
}

static void slat_free_table(struct hvsim_slat *slat, struct hvsim_pool *pool,
			    u64 *table, int level)
{
	unsigned int i;

	if (level > 0) {
		for (i = 0; i < HVSIM_SLAT_ENTRIES; i++)
			if (table[i] & SLAT_PRESENT)
				slat_free_table(slat, pool, slat_next(table[i]),
						level - 1);
	}
	hvsim_pool_free(pool, table);
	slat->nr_tables--;
}

/**
 * hvsim_slat_destroy() - drop every mapping and free every table page
 * @slat: the SLAT, its lock held
 * @pool: the pool the table pages came from (same lock)
 */
void hvsim_slat_destroy(struct hvsim_slat *slat, struct hvsim_pool *pool)
{
	lockdep_assert_held(slat->lock);
	if (slat->root)
		slat_free_table(slat, pool, slat->root, HVSIM_SLAT_LEVELS - 1);
	slat->root = NULL;
	slat->nr_mapped = 0;
	WARN_ON(slat->nr_tables);
}

/*
 * The pool of partition @id (the root pool for HV_PARTITION_ID_SELF), not
 * locked.  For a guest partition a reference is returned in *@ptp (NULL
 * for SELF); release it with pool_put().  NULL if there is no such
 * partition.
 */
static struct hvsim_pool *pool_get(u64 id, struct hvsim_partition **ptp)
{
	struct hvsim_partition *pt;

	*ptp = NULL;
	if (id == HV_PARTITION_ID_SELF)
		return &hvsim_root_pool;
	pt = hvsim_partition_get(id);
	if (!pt)
		return NULL;
	*ptp = pt;
	return &pt->pool;
}

static void pool_put(struct hvsim_partition *pt)
{
	if (pt)
		hvsim_partition_put(pt);
}

/**
 * hvsim_hc_deposit_memory() - HVCALL_DEPOSIT_MEMORY (rep)
 * @call: decoded call; one PFN per rep
 *
 * Return: HV_STATUS_*; reps completed = pages accepted.
 */
u16 hvsim_hc_deposit_memory(struct hvsim_call *call)
{
	const struct hv_input_deposit_memory *in = call->input;
	struct hvsim_partition *pt;
	struct hvsim_pool *pool;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	pool = pool_get(in->partition_id, &pt);
	if (!pool)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(pool->lock);
	for (i = call->rep_start; i < call->rep_count; i++) {
		u64 pfn = in->gpa_page_list[i];

		status = hvsim_pool_check_pfn(pfn);
		if (status)
			break;
		hvsim_pool_add(pool, pfn);
	}
	call->reps_done = i;
	spin_unlock(pool->lock);
	pool_put(pt);
	return status;
}

/**
 * hvsim_hc_withdraw_memory() - HVCALL_WITHDRAW_MEMORY (rep)
 * @call: decoded call; one PFN per rep is written to the output page
 *
 * Return: HV_STATUS_NO_RESOURCES when fewer pages are free than asked
 * (reps completed = pages returned).
 */
u16 hvsim_hc_withdraw_memory(struct hvsim_call *call)
{
	const struct hv_input_withdraw_memory *in = call->input;
	u64 *out = call->output;
	struct hvsim_partition *pt;
	struct hvsim_pool *pool;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	if (!proximity_valid_flags(in->proximity_domain_info.flags))
		return HV_STATUS_INVALID_PARAMETER;
	pool = pool_get(in->partition_id, &pt);
	if (!pool)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(pool->lock);
	for (i = call->rep_start; i < call->rep_count; i++) {
		if (!hvsim_pool_withdraw(pool, &out[i])) {
			status = HV_STATUS_NO_RESOURCES;
			break;
		}
	}
	call->reps_done = i;
	spin_unlock(pool->lock);
	pool_put(pt);
	return status;
}

#define MAP_GPA_VALID_FLAGS	(HV_MAP_GPA_PERMISSIONS_MASK | \
				 HV_MAP_GPA_ADJUSTABLE | \
				 HV_MAP_GPA_NO_ACCESS | \
				 HV_MAP_GPA_NOT_CACHED | \
				 HV_MAP_GPA_LARGE_PAGE)

/* Map one rep: 1 page, or 512 for a large page (sharing one leaf table) */
static u16 map_one(struct hvsim_partition *pt, u64 gfn, u64 pfn, u64 npages,
		   u32 perms)
{
	u64 j;

	if (gfn >= HVSIM_GFN_LIMIT || HVSIM_GFN_LIMIT - gfn < npages ||
	    pfn >= HVSIM_PFN_LIMIT || HVSIM_PFN_LIMIT - pfn < npages)
		return HV_STATUS_INVALID_PARAMETER;
	if (npages > 1 && ((gfn | pfn) & (npages - 1)))
		return HV_STATUS_INVALID_PARAMETER;
	for (j = 0; j < npages; j++) {
		/* Only the first page can need table pages */
		if (hvsim_slat_map(&pt->slat, &pt->pool, gfn + j,
				   perms ? pfn + j : 0, perms))
			return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_map_gpa_pages() - HVCALL_MAP_GPA_PAGES (rep)
 * @call: decoded call; one host PFN per rep
 *
 * Rep i maps guest page target_gpa_base + i (times 512 with LARGE_PAGE).
 * No reference is taken on the host pages: keeping them alive while mapped
 * is the root's job, as with the real hypervisor.
 *
 * Return: HV_STATUS_*; HV_STATUS_INSUFFICIENT_MEMORY when the partition's
 * pool has no page for a SLAT table (reps completed = reps mapped).
 */
u16 hvsim_hc_map_gpa_pages(struct hvsim_call *call)
{
	const struct hv_input_map_gpa_pages *in = call->input;
	u32 flags = in->map_flags;
	u64 npages = flags & HV_MAP_GPA_LARGE_PAGE ? HV_PAGES_PER_LARGE_PAGE : 1;
	u32 perms = flags & HV_MAP_GPA_PERMISSIONS_MASK;
	struct hvsim_partition *pt;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	if ((flags & ~MAP_GPA_VALID_FLAGS) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (flags & HV_MAP_GPA_NO_ACCESS)
		perms = 0;
	if (in->target_gpa_base >= HVSIM_GFN_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	pt = hvsim_partition_get(in->target_partition_id);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(&pt->lock);
	if (pt->state != HVSIM_PT_INITIALIZED) {
		status = HV_STATUS_INVALID_PARTITION_STATE;
		goto out_unlock;
	}
	for (i = call->rep_start; i < call->rep_count; i++) {
		u64 gfn = in->target_gpa_base + i * npages;
		u64 pfn = perms ? in->source_gpa_page_list[i] : 0;

		status = map_one(pt, gfn, pfn, npages, perms);
		if (status)
			break;
	}
	call->reps_done = i;
out_unlock:
	spin_unlock(&pt->lock);
	hvsim_partition_put(pt);
	return status;
}

/**
 * hvsim_hc_unmap_gpa_pages() - HVCALL_UNMAP_GPA_PAGES (rep)
 * @call: decoded call; rep count = pages (2 MiB pages with LARGE_PAGE)
 *
 * Unmapping pages that are not mapped is not an error.
 *
 * Return: HV_STATUS_*.
 */
u16 hvsim_hc_unmap_gpa_pages(struct hvsim_call *call)
{
	const struct hv_input_unmap_gpa_pages *in = call->input;
	u32 flags = in->unmap_flags;
	u64 npages = flags & HV_UNMAP_GPA_LARGE_PAGE ?
		     HV_PAGES_PER_LARGE_PAGE : 1;
	u64 gfn, count = call->rep_count - call->rep_start;
	struct hvsim_partition *pt;

	if ((flags & ~HV_UNMAP_GPA_LARGE_PAGE) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->target_gpa_base >= HVSIM_GFN_LIMIT ||
	    (in->target_gpa_base & (npages - 1)))
		return HV_STATUS_INVALID_PARAMETER;
	gfn = in->target_gpa_base + call->rep_start * npages;
	pt = hvsim_partition_get(in->target_partition_id);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(&pt->lock);
	hvsim_slat_unmap(&pt->slat, gfn, count * npages);
	spin_unlock(&pt->lock);
	hvsim_partition_put(pt);
	call->reps_done = call->rep_count;
	return HV_STATUS_SUCCESS;
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_mem_test.c"
#endif
