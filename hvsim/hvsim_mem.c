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
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hvsim_model.h"
#include "hvsim_mem.h"

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

/* Is @page (PFN @pfn) a free page of one of hvsim's pools? */
static bool pool_page_is_free(struct page *page, u64 pfn)
{
	const struct hvsim_free_page *fp = page_address(page);

	return READ_ONCE(fp->magic) == HVSIM_FREE_MAGIC &&
	       READ_ONCE(fp->pfn) == pfn;
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
	struct page *page;

	if (!pfn || pfn >= HVSIM_PFN_LIMIT || !pfn_valid(pfn))
		return HV_STATUS_INVALID_PARAMETER;
	page = pfn_to_page(pfn);
	if (PageReserved(page) || PageCompound(page) || PageHighMem(page) ||
	    !page_count(page) || pool_page_is_free(page, pfn))
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
 * A level-1 entry with SLAT_LARGE is a 2 MiB leaf.  NO_ACCESS mappings are
 * present leaves without permissions (and PFN 0).  Leaves carry accessed
 * and dirty bits that guest accesses set (hvsim_gpa_copy()); a new mapping
 * starts with both clear, a split copies them into every 4 KiB entry.
 * SLAT_STALE marks a leaf the stale-entry checker counted, so that no leaf
 * is counted twice; a split copies it too.
 */
#define SLAT_PRESENT		BIT_ULL(0)
#define SLAT_PERM_SHIFT		1
#define SLAT_LARGE		BIT_ULL(5)
#define SLAT_ACCESSED		BIT_ULL(6)
#define SLAT_DIRTY		BIT_ULL(7)
/* A leaf the stale-entry checker has counted (software bit) */
#define SLAT_STALE		BIT_ULL(11)
#define SLAT_ADDR_MASK		GENMASK_ULL(51, 12)

static unsigned int slat_index(u64 gfn, int level)
{
	return (gfn >> (level * HVSIM_SLAT_SHIFT)) & (HVSIM_SLAT_ENTRIES - 1);
}

static u64 *slat_next(u64 entry)
{
	return phys_to_virt(entry & SLAT_ADDR_MASK);
}

static u64 slat_leaf(u64 pfn, u32 perms)
{
	return (pfn << HV_HYP_PAGE_SHIFT) |
	       ((u64)(perms & HVSIM_SLAT_PERM_MASK) << SLAT_PERM_SHIFT) |
	       SLAT_PRESENT;
}

static u32 slat_perms(u64 entry)
{
	return (entry >> SLAT_PERM_SHIFT) & HVSIM_SLAT_PERM_MASK;
}

static bool slat_is_large(u64 entry)
{
	return (entry & (SLAT_PRESENT | SLAT_LARGE)) ==
	       (SLAT_PRESENT | SLAT_LARGE);
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
	slat->nr_large = 0;
}

static u64 *slat_alloc_table(struct hvsim_slat *slat, struct hvsim_pool *pool)
{
	u64 *table = hvsim_pool_alloc(pool);

	if (table)
		slat->nr_tables++;
	return table;
}

static void slat_free_one_table(struct hvsim_slat *slat,
				struct hvsim_pool *pool, u64 *table)
{
	hvsim_pool_free(pool, table);
	slat->nr_tables--;
}

/*
 * Find the level-1 entry covering @gfn (below HVSIM_GFN_LIMIT).  With a
 * @pool, missing upper tables are allocated from it; without one a
 * missing table ends the walk.  Returns 0, -ENOENT or -ENOMEM.
 */
static int slat_walk_l1(struct hvsim_slat *slat, struct hvsim_pool *pool,
			u64 gfn, u64 **l1)
{
	u64 *table, *entry;
	int level;

	if (!slat->root) {
		if (!pool)
			return -ENOENT;
		slat->root = slat_alloc_table(slat, pool);
		if (!slat->root)
			return -ENOMEM;
	}
	table = slat->root;
	for (level = HVSIM_SLAT_LEVELS - 1; level > 1; level--) {
		entry = &table[slat_index(gfn, level)];
		if (!(*entry & SLAT_PRESENT)) {
			u64 *next;

			if (!pool)
				return -ENOENT;
			next = slat_alloc_table(slat, pool);
			if (!next)
				return -ENOMEM;
			*entry = virt_to_phys(next) | SLAT_PRESENT;
		}
		table = slat_next(*entry);
	}
	*l1 = &table[slat_index(gfn, 1)];
	return 0;
}

/* Replace the 2 MiB leaf *@l1 by a table of 512 equivalent 4 KiB leaves */
static int slat_split(struct hvsim_slat *slat, struct hvsim_pool *pool,
		      u64 *l1)
{
	u64 base = (*l1 & SLAT_ADDR_MASK) >> HV_HYP_PAGE_SHIFT;
	u32 perms = slat_perms(*l1);
	u64 *table;
	unsigned int i;

	table = slat_alloc_table(slat, pool);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < HVSIM_SLAT_ENTRIES; i++)
		table[i] = slat_leaf(perms ? base + i : 0, perms) |
			   (*l1 & (SLAT_ACCESSED | SLAT_DIRTY | SLAT_STALE));
	*l1 = virt_to_phys(table) | SLAT_PRESENT;
	slat->nr_large--;
	slat->nr_mapped += HVSIM_SLAT_ENTRIES;
	return 0;
}

/* Leaves found outliving their page or their region, since module load */
static atomic64_t hvsim_stale_entries_count = ATOMIC64_INIT(0);

/*
 * Does the leaf @entry name a host page that is free (reference count 0)?
 * Every page of a 2 MiB leaf is looked at; NO_ACCESS leaves and PFNs that
 * are not ordinary RAM (MMIO, reserved pages) name no page that could be
 * freed.
 */
static bool slat_leaf_freed(u64 entry)
{
	u64 pfn = (entry & SLAT_ADDR_MASK) >> HV_HYP_PAGE_SHIFT;
	unsigned int i, n = slat_is_large(entry) ? HVSIM_SLAT_ENTRIES : 1;
	struct page *page;

	if (!slat_perms(entry))
		return false;
	for (i = 0; i < n; i++) {
		if (!pfn_valid(pfn + i))
			continue;
		page = pfn_to_page(pfn + i);
		if (!PageReserved(page) && !page_count(page))
			return true;
	}
	return false;
}

/* Count the leaf *@entry as stale unless it was counted already */
static bool slat_note_stale(u64 *entry)
{
	if (*entry & SLAT_STALE)
		return false;
	*entry |= SLAT_STALE;
	atomic64_inc(&hvsim_stale_entries_count);
	return true;
}

/* An entry about to be removed: stale if its page was freed before */
static void slat_check_removed(u64 *entry)
{
	if (slat_leaf_freed(*entry))
		slat_note_stale(entry);
}

static u64 slat_audit_table(u64 *table, int level, bool all)
{
	unsigned int i;
	u64 n = 0;

	for (i = 0; i < HVSIM_SLAT_ENTRIES; i++) {
		u64 *entry = &table[i];

		if (!(*entry & SLAT_PRESENT))
			continue;
		if (level > 1 || (level == 1 && !slat_is_large(*entry))) {
			n += slat_audit_table(slat_next(*entry), level - 1,
					      all);
			continue;
		}
		/* NO_ACCESS leaves name no page */
		if (!slat_perms(*entry))
			continue;
		if ((all || slat_leaf_freed(*entry)) && slat_note_stale(entry))
			n++;
	}
	return n;
}

/**
 * hvsim_slat_audit() - count the stale leaves of a SLAT
 * @slat: the SLAT, its lock held
 * @all: every leaf is stale (the partition is being finalized: the root
 *	removed all its guest memory first); else only the leaves that name
 *	a freed page
 *
 * Each leaf is counted once (it is marked); see hvsim_stale_entries().
 *
 * Return: the number of leaves counted by this call.
 */
u64 hvsim_slat_audit(struct hvsim_slat *slat, bool all)
{
	lockdep_assert_held(slat->lock);
	if (!slat->root)
		return 0;
	return slat_audit_table(slat->root, HVSIM_SLAT_LEVELS - 1, all);
}

/**
 * hvsim_stale_entries() - SLAT leaves found stale since module load
 *
 * A leaf is stale when it names a host page whose reference count is 0
 * (found when it is unmapped, or by an audit), or when it is still present
 * when its partition is finalized.
 *
 * Return: the count.
 */
u64 hvsim_stale_entries(void)
{
	return atomic64_read(&hvsim_stale_entries_count);
}

/**
 * hvsim_slat_map() - map one 4 KiB guest page
 * @slat: the SLAT, its lock held
 * @pool: pool for table pages (same lock)
 * @gfn: guest page number, below HVSIM_GFN_LIMIT
 * @pfn: host page frame number, below HVSIM_PFN_LIMIT
 * @perms: HV_MAP_GPA_* permission bits (0 for NO_ACCESS)
 *
 * An existing mapping of @gfn is replaced; a 2 MiB mapping covering it is
 * first split into 4 KiB entries (which takes a table page).  Table pages
 * allocated before a failure stay in the SLAT (they are reused by the
 * retry).  Bumps @slat->gen (VP TLBs drop what they took from the SLAT).
 *
 * Return: 0, -EINVAL for an out-of-range @gfn/@pfn, or -ENOMEM when the
 * pool has no page for a table.
 */
int hvsim_slat_map(struct hvsim_slat *slat, struct hvsim_pool *pool,
		   u64 gfn, u64 pfn, u32 perms)
{
	u64 *l1, *table, *entry;
	int ret;

	lockdep_assert_held(slat->lock);
	if (gfn >= HVSIM_GFN_LIMIT || pfn >= HVSIM_PFN_LIMIT)
		return -EINVAL;
	slat->gen++;
	ret = slat_walk_l1(slat, pool, gfn, &l1);
	if (ret)
		return ret;
	if (slat_is_large(*l1)) {
		ret = slat_split(slat, pool, l1);
		if (ret)
			return ret;
	} else if (!(*l1 & SLAT_PRESENT)) {
		table = slat_alloc_table(slat, pool);
		if (!table)
			return -ENOMEM;
		*l1 = virt_to_phys(table) | SLAT_PRESENT;
	}
	entry = &slat_next(*l1)[slat_index(gfn, 0)];
	if (!(*entry & SLAT_PRESENT))
		slat->nr_mapped++;
	else
		slat_check_removed(entry);
	*entry = slat_leaf(pfn, perms);
	return 0;
}

/**
 * hvsim_slat_map_large() - map one 2 MiB guest page with one leaf entry
 * @slat: the SLAT, its lock held
 * @pool: pool for table pages (same lock)
 * @gfn: first guest page number, 512-aligned, below HVSIM_GFN_LIMIT
 * @pfn: first host page frame number, 512-aligned (0 for NO_ACCESS)
 * @perms: HV_MAP_GPA_* permission bits (0 for NO_ACCESS)
 *
 * 4 KiB mappings in the range are replaced and their table page goes back
 * to the pool.  Bumps @slat->gen.
 *
 * Return: 0, -EINVAL for a misaligned or out-of-range page, or -ENOMEM
 * when the pool has no page for a table.
 */
int hvsim_slat_map_large(struct hvsim_slat *slat, struct hvsim_pool *pool,
			 u64 gfn, u64 pfn, u32 perms)
{
	u64 *l1, *table;
	unsigned int i;
	int ret;

	lockdep_assert_held(slat->lock);
	if (gfn >= HVSIM_GFN_LIMIT || pfn >= HVSIM_PFN_LIMIT ||
	    ((gfn | pfn) & (HV_PAGES_PER_LARGE_PAGE - 1)))
		return -EINVAL;
	slat->gen++;
	ret = slat_walk_l1(slat, pool, gfn, &l1);
	if (ret)
		return ret;
	if (slat_is_large(*l1)) {
		slat_check_removed(l1);
		slat->nr_large--;
	} else if (*l1 & SLAT_PRESENT) {
		table = slat_next(*l1);
		for (i = 0; i < HVSIM_SLAT_ENTRIES; i++) {
			if (!(table[i] & SLAT_PRESENT))
				continue;
			slat_check_removed(&table[i]);
			slat->nr_mapped--;
		}
		slat_free_one_table(slat, pool, table);
	}
	*l1 = slat_leaf(pfn, perms) | SLAT_LARGE;
	slat->nr_large++;
	return 0;
}

/**
 * hvsim_slat_unmap() - remove the mappings of a range of guest pages
 * @slat: the SLAT, its lock held
 * @pool: pool for the table page a partial unmap of a 2 MiB mapping needs
 *	(same lock)
 * @gfn: first guest page number
 * @count: number of pages; pages that are not mapped are skipped
 *
 * A 2 MiB mapping the range covers only in part is split first.  Table
 * pages emptied by an unmap are kept until hvsim_slat_destroy().  A leaf
 * removed while it names a freed page is counted as a stale entry.  Bumps
 * @slat->gen, so that no VP's TLB reaches a page after its entry is gone.
 *
 * Return: 0, or -ENOMEM when a split found the pool empty; the 2 MiB
 * blocks before the one that needed the split have been unmapped.
 */
int hvsim_slat_unmap(struct hvsim_slat *slat, struct hvsim_pool *pool,
		     u64 gfn, u64 count)
{
	u64 end, *l1, *table;
	int ret;

	lockdep_assert_held(slat->lock);
	if (gfn >= HVSIM_GFN_LIMIT)
		return 0;
	slat->gen++;
	end = min(gfn + min(count, HVSIM_GFN_LIMIT), HVSIM_GFN_LIMIT);
	while (gfn < end) {
		u64 block = gfn & ~(u64)(HVSIM_SLAT_ENTRIES - 1);
		u64 next = block + HVSIM_SLAT_ENTRIES;

		if (slat_walk_l1(slat, NULL, gfn, &l1) ||
		    !(*l1 & SLAT_PRESENT)) {
			gfn = next;
			continue;
		}
		if (slat_is_large(*l1)) {
			if (gfn == block && end >= next) {
				slat_check_removed(l1);
				*l1 = 0;
				slat->nr_large--;
				gfn = next;
				continue;
			}
			ret = slat_split(slat, pool, l1);
			if (ret)
				return ret;
		}
		table = slat_next(*l1);
		for (; gfn < end && gfn < next; gfn++) {
			u64 *entry = &table[slat_index(gfn, 0)];

			if (*entry & SLAT_PRESENT) {
				slat_check_removed(entry);
				*entry = 0;
				slat->nr_mapped--;
			}
		}
	}
	return 0;
}

/* The present leaf entry (4 KiB or 2 MiB) that maps @gfn, or NULL */
static u64 *slat_leaf_entry(struct hvsim_slat *slat, u64 gfn)
{
	u64 *l1, *entry;

	if (gfn >= HVSIM_GFN_LIMIT || slat_walk_l1(slat, NULL, gfn, &l1) ||
	    !(*l1 & SLAT_PRESENT))
		return NULL;
	if (slat_is_large(*l1))
		return l1;
	entry = &slat_next(*l1)[slat_index(gfn, 0)];
	return (*entry & SLAT_PRESENT) ? entry : NULL;
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
bool hvsim_slat_lookup(struct hvsim_slat *slat, u64 gfn, u64 *pfn,
		       u32 *perms)
{
	u64 *entry;

	lockdep_assert_held(slat->lock);
	entry = slat_leaf_entry(slat, gfn);
	if (!entry)
		return false;
	*perms = slat_perms(*entry);
	*pfn = (*entry & SLAT_ADDR_MASK) >> HV_HYP_PAGE_SHIFT;
	if (slat_is_large(*entry) && *perms)
		*pfn += slat_index(gfn, 0);
	return true;
}

/**
 * hvsim_slat_access_state() - read and update the accessed/dirty bits
 * @slat: the SLAT, its lock held
 * @gfn: guest page number
 * @flags: HV_GPA_ACCESS_STATE_* (clear/set accessed, clear/set dirty),
 *	applied after the state is read
 *
 * The bits of a 2 MiB mapping are those of its single entry: every 4 KiB
 * page in it reports (and updates) the same state.  Clearing a bit bumps
 * @slat->gen: a VP's TLB only skips updates of bits it saw set.
 *
 * Return: the state before the update (HV_GPA_PAGE_ACCESSED,
 * HV_GPA_PAGE_DIRTY); 0 for a page without a SLAT entry, which is left
 * alone.
 */
u8 hvsim_slat_access_state(struct hvsim_slat *slat, u64 gfn, u64 flags)
{
	u64 *entry;
	u8 state;

	lockdep_assert_held(slat->lock);
	entry = slat_leaf_entry(slat, gfn);
	if (!entry)
		return 0;
	/* TLBs took the bits for set: clearing one must reach them */
	if (flags & (HV_GPA_ACCESS_STATE_CLEAR_ACCESSED |
		     HV_GPA_ACCESS_STATE_CLEAR_DIRTY))
		slat->gen++;
	state = (*entry & SLAT_ACCESSED ? HV_GPA_PAGE_ACCESSED : 0) |
		(*entry & SLAT_DIRTY ? HV_GPA_PAGE_DIRTY : 0);
	if (flags & HV_GPA_ACCESS_STATE_CLEAR_ACCESSED)
		*entry &= ~SLAT_ACCESSED;
	if (flags & HV_GPA_ACCESS_STATE_SET_ACCESSED)
		*entry |= SLAT_ACCESSED;
	if (flags & HV_GPA_ACCESS_STATE_CLEAR_DIRTY)
		*entry &= ~SLAT_DIRTY;
	if (flags & HV_GPA_ACCESS_STATE_SET_DIRTY)
		*entry |= SLAT_DIRTY;
	return state;
}

static void slat_free_table(struct hvsim_slat *slat, struct hvsim_pool *pool,
			    u64 *table, int level)
{
	unsigned int i;

	if (level > 0) {
		for (i = 0; i < HVSIM_SLAT_ENTRIES; i++) {
			if (!(table[i] & SLAT_PRESENT))
				continue;
			if (level == 1 && slat_is_large(table[i]))
				continue;
			slat_free_table(slat, pool, slat_next(table[i]),
					level - 1);
		}
	}
	slat_free_one_table(slat, pool, table);
}

/**
 * hvsim_slat_destroy() - drop every mapping and free every table page
 * @slat: the SLAT, its lock held
 * @pool: the pool the table pages came from (same lock)
 */
void hvsim_slat_destroy(struct hvsim_slat *slat, struct hvsim_pool *pool)
{
	lockdep_assert_held(slat->lock);
	slat->gen++;
	if (slat->root)
		slat_free_table(slat, pool, slat->root, HVSIM_SLAT_LEVELS - 1);
	slat->root = NULL;
	slat->nr_mapped = 0;
	slat->nr_large = 0;
	WARN_ON(slat->nr_tables);
}

/* Guest accesses caught on freed pages, since module load */
static atomic64_t hvsim_stale_count = ATOMIC64_INIT(0);
/* Guest writes reclaim could throw away, since module load */
static atomic64_t hvsim_lost_write_count = ATOMIC64_INIT(0);

/*
 * Device memory.  A real hypervisor lets a guest reach any host PFN its
 * SLAT maps; hvsim runs in the root kernel with interrupts disabled and
 * can only reach device memory (PFNs without a struct page) that was
 * mapped into the kernel beforehand.  Ranges of host physical memory are
 * registered by writing "<phys> <size>" to debugfs "mmio"; each is
 * ioremap()ed once and stays until module exit.  The table only grows:
 * entries are complete before the count that publishes them.
 */
#define HVSIM_MMIO_MAX		8

/**
 * struct hvsim_mmio_window - a registered range of device memory
 * @pfn: first host page frame number
 * @nr_pages: its size in pages
 * @va: its uncached kernel mapping
 */
struct hvsim_mmio_window {
	u64 pfn;
	u64 nr_pages;
	void __iomem *va;
};

static struct hvsim_mmio_window hvsim_mmio[HVSIM_MMIO_MAX];
static unsigned int hvsim_mmio_count;	/* store-release after the entry */
static DEFINE_MUTEX(hvsim_mmio_mutex);	/* writers of the table */

/* The kernel mapping of device page @pfn, or NULL if none is registered */
static void __iomem *hvsim_mmio_va(u64 pfn)
{
	/* Pairs with hvsim_mmio_add(): the entries below n are complete */
	unsigned int i, n = smp_load_acquire(&hvsim_mmio_count);

	for (i = 0; i < n; i++)
		if (pfn - hvsim_mmio[i].pfn < hvsim_mmio[i].nr_pages)
			return hvsim_mmio[i].va +
			       ((pfn - hvsim_mmio[i].pfn) << PAGE_SHIFT);
	return NULL;
}

/* Register [@phys, @phys + @size); an exact repeat succeeds */
static int hvsim_mmio_add(u64 phys, u64 size)
{
	u64 pfn = phys >> PAGE_SHIFT, nr = size >> PAGE_SHIFT, i;
	unsigned int n;
	void __iomem *va;
	int ret = 0;

	if (!nr || !PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    pfn + nr < pfn)
		return -EINVAL;
	/* RAM is reached through its struct page, never as a window */
	for (i = 0; i < nr; i++)
		if (pfn_valid(pfn + i))
			return -EINVAL;
	mutex_lock(&hvsim_mmio_mutex);
	n = hvsim_mmio_count;
	for (i = 0; i < n; i++) {
		if (hvsim_mmio[i].pfn == pfn && hvsim_mmio[i].nr_pages == nr)
			goto unlock;
		if (pfn < hvsim_mmio[i].pfn + hvsim_mmio[i].nr_pages &&
		    hvsim_mmio[i].pfn < pfn + nr) {
			ret = -EEXIST;
			goto unlock;
		}
	}
	if (n == HVSIM_MMIO_MAX) {
		ret = -ENOSPC;
		goto unlock;
	}
	va = ioremap(phys, size);
	if (!va) {
		ret = -ENOMEM;
		goto unlock;
	}
	hvsim_mmio[n].pfn = pfn;
	hvsim_mmio[n].nr_pages = nr;
	hvsim_mmio[n].va = va;
	/* Publish the entry: pairs with the readers' smp_load_acquire() */
	smp_store_release(&hvsim_mmio_count, n + 1);
unlock:
	mutex_unlock(&hvsim_mmio_mutex);
	return ret;
}

static ssize_t mmio_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	unsigned long long phys, size;
	char buf[64];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llx %llx", &phys, &size) != 2)
		return -EINVAL;
	ret = hvsim_mmio_add(phys, size);
	return ret ? ret : len;
}

static int mmio_show(struct seq_file *m, void *unused)
{
	/* Pairs with hvsim_mmio_add(): the entries below n are complete */
	unsigned int i, n = smp_load_acquire(&hvsim_mmio_count);

	for (i = 0; i < n; i++)
		seq_printf(m, "%#llx %#llx\n", hvsim_mmio[i].pfn << PAGE_SHIFT,
			   hvsim_mmio[i].nr_pages << PAGE_SHIFT);
	return 0;
}

static int mmio_open(struct inode *inode, struct file *file)
{
	return single_open(file, mmio_show, NULL);
}

static const struct file_operations mmio_fops = {
	.owner = THIS_MODULE,
	.open = mmio_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = mmio_write,
};

/**
 * hvsim_mmio_debugfs_init() - create the "mmio" file
 * @dir: hvsim's debugfs directory
 */
void hvsim_mmio_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("mmio", 0644, dir, NULL, &mmio_fops);
}

/**
 * hvsim_mmio_exit() - unmap the registered device memory
 *
 * Module exit, after every partition (and so every SLAT) is gone.
 */
void hvsim_mmio_exit(void)
{
	unsigned int i;

	for (i = 0; i < hvsim_mmio_count; i++)
		iounmap(hvsim_mmio[i].va);
	hvsim_mmio_count = 0;
}

static bool perm_allows(u32 perms, enum x86_emu_access access)
{
	switch (access) {
	case X86_EMU_ACCESS_READ:
		return perms & HV_MAP_GPA_READABLE;
	case X86_EMU_ACCESS_WRITE:
		return perms & HV_MAP_GPA_WRITABLE;
	case X86_EMU_ACCESS_EXECUTE:
		return perms & HV_MAP_GPA_EXECUTABLE;
	}
	return false;
}

/**
 * hvsim_gpa_page() - the host page behind a guest page, for one access
 * @pt: the partition, its lock held
 * @gfn: guest page number
 * @access: the access the guest (or the root on its behalf) makes
 * @page: returns the host page when HVSIM_GPA_OK is returned
 *
 * Only pages mapped with the needed permission that are ordinary RAM (a
 * struct page, not reserved, or the shared zero page for reads) and still
 * allocated (non-zero reference count), or device memory registered in
 * debugfs "mmio" (HVSIM_GPA_IO, @page not set), may be touched.  hvsim takes no
 * reference for what the SLAT maps, so a SLAT entry the root failed to
 * remove before freeing the page shows up here as HVSIM_GPA_STALE.
 *
 * Return: enum hvsim_gpa_result.
 */
enum hvsim_gpa_result hvsim_gpa_page(struct hvsim_partition *pt, u64 gfn,
				     enum x86_emu_access access,
				     struct page **page)
{
	u32 perms;
	u64 pfn;

	lockdep_assert_held(&pt->lock);
	if (!hvsim_slat_lookup(&pt->slat, gfn, &pfn, &perms))
		return HVSIM_GPA_UNMAPPED;
	if (!perm_allows(perms, access))
		return HVSIM_GPA_DENIED;
	if (!pfn_valid(pfn))
		return hvsim_mmio_va(pfn) ? HVSIM_GPA_IO : HVSIM_GPA_DENIED;
	*page = pfn_to_page(pfn);
	/*
	 * Memory that was read but never written is backed by the shared
	 * zero page, which is reserved; reading it is fine, writing never.
	 */
	if (is_zero_pfn(pfn))
		return access == X86_EMU_ACCESS_WRITE ? HVSIM_GPA_DENIED :
						    HVSIM_GPA_OK;
	if (PageReserved(*page))
		return HVSIM_GPA_DENIED;
	if (!page_count(*page))
		return HVSIM_GPA_STALE;
	return HVSIM_GPA_OK;
}

/*
 * Could reclaim throw away what was just written to @page through the
 * SLAT?  A CPU's write through a page table sets the PTE's dirty bit,
 * which reclaim reads; a write through the SLAT sets none, so the root
 * must have marked the folio dirty before it made the entry writable (the
 * host PTE's dirty bit is not visible here: only the folio's flag
 * counts).  Reclaim frees a clean folio without writing it back when it
 * is a page cache folio (file or shmem), an anonymous folio in the swap
 * cache (its swap slot holds the old data) or a lazily freed anonymous
 * folio (MADV_FREE: anonymous, not swap-backed).  A clean anonymous folio
 * outside the swap cache is not judged: adding it to the swap cache
 * dirties it.  Neither are hugetlb folios (never reclaimed), pinned folios
 * (reclaim cannot free them; unpinning dirties them) and locked folios
 * (reclaim or writeback is changing their state, e.g. between adding an
 * anonymous folio to the swap cache and dirtying it).
 *
 * Only tests folio flags: callable with the partition lock held.
 */
static bool hvsim_write_may_be_lost(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (folio_test_dirty(folio) || folio_test_hugetlb(folio) ||
	    folio_test_locked(folio) || folio_maybe_dma_pinned(folio))
		return false;
	if (folio_test_anon(folio))
		return !folio_test_swapbacked(folio) ||
		       folio_test_swapcache(folio);
	/* A page cache folio; a page the kernel allocated has no mapping */
	return folio_mapping(folio);
}

/*
 * Count one guest access that shows a bug of the root in @count; warns
 * once per partition and kind of bug (@warned): "partition <id> <what>
 * GPA <gpa> <where>".
 */
static void hvsim_note_root_bug(struct hvsim_partition *pt, u64 gpa,
				atomic64_t *count, bool *warned,
				const char *what, const char *where)
{
	lockdep_assert_held(&pt->lock);
	atomic64_inc(count);
	WARN(!*warned, "hvsim: partition %#llx %s GPA %#llx %s\n",
	     pt->id, what, gpa, where);
	*warned = true;
}

/*
 * Count a guest write that reclaim could lose; warns once per partition:
 * the root made a SLAT entry writable without dirtying the folio.
 */
static void hvsim_note_lost_write(struct hvsim_partition *pt, u64 gpa)
{
	hvsim_note_root_bug(pt, gpa, &hvsim_lost_write_count,
			    &pt->lost_write_warned, "wrote",
			    "through the SLAT to a clean page reclaim may discard");
}

/**
 * hvsim_lost_writes() - guest writes counted by the lost-write checker
 *
 * Return: the count since module load.
 */
u64 hvsim_lost_writes(void)
{
	return atomic64_read(&hvsim_lost_write_count);
}

/**
 * hvsim_gpa_space_changed() - the guest physical address space changed
 * @pt: the partition, its lock held
 *
 * For what changes the VPs' view of guest physical memory without a SLAT
 * update (a SynIC overlay page enabled, moved or disabled): bumps the
 * SLAT's generation, so that every VP's TLB empties itself.
 */
void hvsim_gpa_space_changed(struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	pt->slat.gen++;
}

/**
 * hvsim_gpa_map() - the host page behind a guest page, for a VP's TLB
 * @pt: the partition, its lock held
 * @gfn: guest page number
 * @perms: returns the HV_MAP_GPA_* permissions of the entry (without
 *	WRITABLE for the shared zero page)
 *
 * Only ordinary RAM that is mapped with some permission, still allocated
 * and in the kernel's linear map (not highmem: its address stays valid
 * while the page is allocated, no kmap needed) is given out; device
 * memory, freed pages and whatever else hvsim_gpa_copy() refuses or
 * copies otherwise return NULL, and those accesses keep going through
 * hvsim_gpa_copy(), which judges each of them.  The address may be used
 * while the SLAT's generation (@pt->slat.gen) is unchanged: an unmap or a
 * permission change bumps it before the root can free the page.
 *
 * Return: the kernel address of the page, or NULL.
 */
void *hvsim_gpa_map(struct hvsim_partition *pt, u64 gfn, u32 *perms)
{
	struct page *page;
	u32 p;
	u64 pfn;

	lockdep_assert_held(&pt->lock);
	if (!hvsim_slat_lookup(&pt->slat, gfn, &pfn, &p) || !p ||
	    !pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	if (is_zero_pfn(pfn))
		p &= ~HV_MAP_GPA_WRITABLE;
	else if (PageReserved(page) || !page_count(page))
		return NULL;
	if (PageHighMem(page))
		return NULL;
	*perms = p;
	return page_address(page);
}

/**
 * hvsim_gpa_copy() - one guest memory access through the SLAT
 * @pt: the partition, its lock held
 * @gpa: guest physical address
 * @buf: source (write) or destination (read, execute)
 * @len: 1 to 16 bytes, not crossing a 4 KiB page
 * @access: the access made (by the guest, or by the root on its behalf)
 * @commit: copy and set the entry's accessed bit (and dirty bit for a
 *	write); false only checks that the access would succeed
 *
 * The single place where hvsim touches guest memory: the interpreter and
 * READ_GPA / WRITE_GPA both come through here.  Device memory is copied
 * with memcpy_toio() / memcpy_fromio().
 *
 * Return: enum hvsim_gpa_result (HVSIM_GPA_DENIED for a bad @len; device
 * memory is reported as HVSIM_GPA_OK).
 */
enum hvsim_gpa_result hvsim_gpa_copy(struct hvsim_partition *pt, u64 gpa,
				     void *buf, unsigned int len,
				     enum x86_emu_access access, bool commit)
{
	unsigned int offset = gpa & (HV_HYP_PAGE_SIZE - 1);
	u64 gfn = gpa >> HV_HYP_PAGE_SHIFT;
	enum hvsim_gpa_result res;
	bool page_ok = false;
	void __iomem *io;
	struct page *page;
	u32 perms;
	void *va;
	u64 pfn;

	lockdep_assert_held(&pt->lock);
	if (WARN_ON_ONCE(!len || len > HV_GPA_ACCESS_MAX_BYTES ||
			 offset + len > HV_HYP_PAGE_SIZE))
		return HVSIM_GPA_DENIED;
	res = hvsim_gpa_page(pt, gfn, access, &page);
	if (res == HVSIM_GPA_IO)
		res = HVSIM_GPA_OK;
	else if (res == HVSIM_GPA_OK)
		page_ok = true;
	if (res != HVSIM_GPA_OK || !commit)
		return res;
	if (page_ok) {
		va = kmap_local_page(page);
		if (access == X86_EMU_ACCESS_WRITE)
			memcpy(va + offset, buf, len);
		else
			memcpy(buf, va + offset, len);
		kunmap_local(va);
		if (access == X86_EMU_ACCESS_WRITE && hvsim_write_may_be_lost(page))
			hvsim_note_lost_write(pt, gpa);
	} else {
		hvsim_slat_lookup(&pt->slat, gfn, &pfn, &perms);
		io = hvsim_mmio_va(pfn) + offset;
		if (access == X86_EMU_ACCESS_WRITE)
			memcpy_toio(io, buf, len);
		else
			memcpy_fromio(buf, io, len);
	}
	hvsim_slat_access_state(&pt->slat, gfn,
				HV_GPA_ACCESS_STATE_SET_ACCESSED |
				(access == X86_EMU_ACCESS_WRITE ?
				 HV_GPA_ACCESS_STATE_SET_DIRTY : 0));
	return HVSIM_GPA_OK;
}

/**
 * hvsim_note_stale() - count a refused access to a freed page
 * @pt: the partition, its lock held
 * @gpa: the guest physical address accessed
 *
 * Warns once per partition: a stale SLAT entry is a bug of the root.
 */
void hvsim_note_stale(struct hvsim_partition *pt, u64 gpa)
{
	hvsim_note_root_bug(pt, gpa, &hvsim_stale_count, &pt->stale_warned,
			    "accessed", "mapped to a freed page");
}

/**
 * hvsim_stale_accesses() - accesses refused by hvsim_note_stale()
 *
 * Return: the count since module load.
 */
u64 hvsim_stale_accesses(void)
{
	return atomic64_read(&hvsim_stale_count);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
static u64 hvsim_test_saved_accesses, hvsim_test_saved_entries;

/**
 * hvsim_test_stale_save() - remember the invariant counters (KUnit)
 * @suite: the suite about to run
 *
 * KUnit suites provoke stale accesses and entries on purpose (and map
 * arbitrary PFNs); the counters are put back when the suite ends, so that
 * they report the root's bugs only.
 *
 * Return: 0.
 */
int hvsim_test_stale_save(struct kunit_suite *suite)
{
	hvsim_test_saved_accesses = atomic64_read(&hvsim_stale_count);
	hvsim_test_saved_entries = atomic64_read(&hvsim_stale_entries_count);
	return 0;
}

/**
 * hvsim_test_stale_restore() - put back what hvsim_test_stale_save() saw
 * @suite: the suite that ended
 */
void hvsim_test_stale_restore(struct kunit_suite *suite)
{
	atomic64_set(&hvsim_stale_count, hvsim_test_saved_accesses);
	atomic64_set(&hvsim_stale_entries_count, hvsim_test_saved_entries);
}
#endif

/**
 * hvsim_check_data_pfn() - validate a root page named in a hypercall input
 * @pfn: host page frame number (VP state buffers)
 *
 * The page must be ordinary, allocated RAM and not a free page of one of
 * hvsim's pools.  Compound pages are accepted (user buffers may be THPs).
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_check_data_pfn(u64 pfn)
{
	struct page *page;

	if (!pfn || pfn >= HVSIM_PFN_LIMIT || !pfn_valid(pfn))
		return HV_STATUS_INVALID_PARAMETER;
	page = pfn_to_page(pfn);
	if (PageReserved(page) || PageHighMem(page) || !page_count(page) ||
	    pool_page_is_free(page, pfn))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_mem_test.c"
#endif
