// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's deposit pool and SLAT.  Included at the end of
 * hvsim/hvsim_mem.c.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include "mshv_compat.h"

#define POOL_TEST_PAGES	8

/* Allocate @n pages and deposit them into @pool */
static void pool_test_deposit(struct kunit *test, struct hvsim_pool *pool,
			      unsigned int n)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < n; i++) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_ASSERT_EQ(test, hvsim_pool_check_pfn(page_to_pfn(page)),
				HV_STATUS_SUCCESS);
		spin_lock(pool->lock);
		hvsim_pool_add(pool, page_to_pfn(page));
		spin_unlock(pool->lock);
	}
}

/* Withdraw every free page of @pool and free it; returns the count */
static u64 pool_test_drain(struct hvsim_pool *pool)
{
	u64 pfn, n = 0;

	spin_lock(pool->lock);
	while (hvsim_pool_withdraw(pool, &pfn)) {
		__free_page(pfn_to_page(pfn));
		n++;
	}
	spin_unlock(pool->lock);
	return n;
}

static void hvsim_pool_test_carve_free_withdraw(struct kunit *test)
{
	spinlock_t lock;	/* protects the test pool and SLAT */
	struct hvsim_pool pool;
	void *pages[POOL_TEST_PAGES];
	unsigned int i;
	u64 pfn;

	spin_lock_init(&lock);
	hvsim_pool_init(&pool, &lock);
	spin_lock(&lock);
	KUNIT_EXPECT_NULL(test, hvsim_pool_alloc(&pool));
	KUNIT_EXPECT_FALSE(test, hvsim_pool_withdraw(&pool, &pfn));
	spin_unlock(&lock);

	pool_test_deposit(test, &pool, POOL_TEST_PAGES);
	KUNIT_EXPECT_EQ(test, pool.nr_pages, POOL_TEST_PAGES);
	KUNIT_EXPECT_EQ(test, pool.nr_free, POOL_TEST_PAGES);

	spin_lock(&lock);
	/* Every deposited page can be carved exactly once, zeroed */
	for (i = 0; i < POOL_TEST_PAGES; i++) {
		pages[i] = hvsim_pool_alloc(&pool);
		KUNIT_EXPECT_NOT_NULL(test, pages[i]);
		if (pages[i])
			KUNIT_EXPECT_TRUE(test, !memchr_inv(pages[i], 0,
							    PAGE_SIZE));
	}
	KUNIT_EXPECT_NULL(test, hvsim_pool_alloc(&pool));
	KUNIT_EXPECT_EQ(test, pool.nr_free, 0);
	KUNIT_EXPECT_EQ(test, pool.nr_pages, POOL_TEST_PAGES);
	/* Nothing free: nothing to withdraw */
	KUNIT_EXPECT_FALSE(test, hvsim_pool_withdraw(&pool, &pfn));

	/* Give back half: exactly that many can be withdrawn */
	for (i = 0; i < POOL_TEST_PAGES / 2; i++) {
		memset(pages[i], 0xa5, PAGE_SIZE);
		hvsim_pool_free(&pool, pages[i]);
	}
	KUNIT_EXPECT_EQ(test, pool.nr_free, POOL_TEST_PAGES / 2);
	for (i = 0; i < POOL_TEST_PAGES / 2; i++) {
		KUNIT_EXPECT_TRUE(test, hvsim_pool_withdraw(&pool, &pfn));
		/* Withdrawn pages are scrubbed */
		KUNIT_EXPECT_TRUE(test, !memchr_inv(pfn_to_kaddr(pfn), 0,
						    PAGE_SIZE));
		__free_page(pfn_to_page(pfn));
	}
	KUNIT_EXPECT_FALSE(test, hvsim_pool_withdraw(&pool, &pfn));
	KUNIT_EXPECT_EQ(test, pool.nr_pages, POOL_TEST_PAGES / 2);

	for (i = POOL_TEST_PAGES / 2; i < POOL_TEST_PAGES; i++)
		hvsim_pool_free(&pool, pages[i]);
	spin_unlock(&lock);
	KUNIT_EXPECT_EQ(test, pool_test_drain(&pool), POOL_TEST_PAGES / 2);
	KUNIT_EXPECT_EQ(test, pool.nr_pages, 0);
}

static void hvsim_pool_test_check_pfn(struct kunit *test)
{
	spinlock_t lock;	/* protects the test pool and SLAT */
	struct hvsim_pool pool;
	struct page *page;
	u64 pfn;

	spin_lock_init(&lock);
	hvsim_pool_init(&pool, &lock);
	KUNIT_EXPECT_EQ(test, hvsim_pool_check_pfn(0),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hvsim_pool_check_pfn(HVSIM_PFN_LIMIT),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hvsim_pool_check_pfn(~0ULL),
			HV_STATUS_INVALID_PARAMETER);

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	KUNIT_EXPECT_EQ(test, hvsim_pool_check_pfn(pfn), HV_STATUS_SUCCESS);
	spin_lock(&lock);
	hvsim_pool_add(&pool, pfn);
	spin_unlock(&lock);
	/* A second deposit of a free pool page is refused */
	KUNIT_EXPECT_EQ(test, hvsim_pool_check_pfn(pfn),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, pool_test_drain(&pool), 1);
}

static void hvsim_pool_test_move(struct kunit *test)
{
	spinlock_t lock_a, lock_b;	/* protect pools a and b */
	struct hvsim_pool a, b;

	spin_lock_init(&lock_a);
	spin_lock_init(&lock_b);
	hvsim_pool_init(&a, &lock_a);
	hvsim_pool_init(&b, &lock_b);
	pool_test_deposit(test, &a, 3);
	pool_test_deposit(test, &b, 2);
	spin_lock(&lock_a);
	spin_lock(&lock_b);
	hvsim_pool_move(&a, &b);
	spin_unlock(&lock_b);
	spin_unlock(&lock_a);
	KUNIT_EXPECT_EQ(test, a.nr_pages, 5);
	KUNIT_EXPECT_EQ(test, a.nr_free, 5);
	KUNIT_EXPECT_EQ(test, b.nr_pages, 0);
	KUNIT_EXPECT_EQ(test, b.nr_free, 0);
	KUNIT_EXPECT_EQ(test, pool_test_drain(&a), 5);
}

/* One step of the SLAT test: deposit, then an operation, then counts */
enum slat_op { SLAT_MAP, SLAT_MAP_LARGE, SLAT_UNMAP, SLAT_LOOKUP,
	       SLAT_MISSING };

struct slat_step {
	const char *what;
	unsigned int deposit;	/* pages deposited before the operation */
	enum slat_op op;
	u64 gfn;
	u64 pfn;		/* MAP/LOOKUP: PFN; UNMAP: page count */
	u32 perms;
	int ret;		/* MAP, UNMAP: expected return */
	u64 tables;		/* expected table pages afterwards */
	u64 mapped;		/* expected 4 KiB leaf entries afterwards */
	u64 free;		/* expected free pool pages afterwards */
	u64 large;		/* expected 2 MiB leaf entries afterwards */
};

static const struct slat_step slat_steps[] = {
	{ "first map needs 4 tables, pool has 3", 3, SLAT_MAP, 0, 0x1000,
	  HV_MAP_GPA_READABLE, -ENOMEM, 3, 0, 0 },
	{ "retry with one more page", 1, SLAT_MAP, 0, 0x1000,
	  HV_MAP_GPA_READABLE, 0, 4, 1, 0 },
	{ "same leaf table", 0, SLAT_MAP, 1, 0x1001,
	  HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, 0, 4, 2, 0 },
	{ "remap replaces", 0, SLAT_MAP, 0, 0x2000,
	  HV_MAP_GPA_EXECUTABLE, 0, 4, 2, 0 },
	{ "lookup remapped", 0, SLAT_LOOKUP, 0, 0x2000,
	  HV_MAP_GPA_EXECUTABLE, 0, 4, 2, 0 },
	{ "new leaf table, pool empty", 0, SLAT_MAP, 512, 0x3000,
	  HV_MAP_GPA_READABLE, -ENOMEM, 4, 2, 0 },
	{ "new leaf table", 1, SLAT_MAP, 512, 0x3000,
	  HV_MAP_GPA_READABLE, 0, 5, 3, 0 },
	{ "new level-1 and leaf tables", 2, SLAT_MAP, 512 * 512, 0,
	  0, 0, 7, 4, 0 },
	{ "NO_ACCESS entry is present", 0, SLAT_LOOKUP, 512 * 512, 0,
	  0, 0, 7, 4, 0 },
	{ "new level-2, level-1 and leaf tables", 4, SLAT_MAP, 1ULL << 27,
	  0x5000, HV_MAP_GPA_WRITABLE, 0, 10, 5, 1 },
	{ "highest gfn", 0, SLAT_MAP, HVSIM_GFN_LIMIT - 1, 0x6000,
	  HV_MAP_GPA_READABLE, -ENOMEM, 11, 5, 0 },
	{ "gfn out of range", 0, SLAT_MAP, HVSIM_GFN_LIMIT, 0x6000,
	  HV_MAP_GPA_READABLE, -EINVAL, 11, 5, 0 },
	{ "pfn out of range", 0, SLAT_MAP, 2, HVSIM_PFN_LIMIT,
	  HV_MAP_GPA_READABLE, -EINVAL, 11, 5, 0 },
	{ "unmap two pages", 0, SLAT_UNMAP, 0, 2, 0, 0, 11, 3, 0 },
	{ "unmapped page misses", 0, SLAT_MISSING, 1, 0, 0, 0, 11, 3, 0 },
	{ "unmap of unmapped pages is fine", 0, SLAT_UNMAP, 600, 100, 0, 0,
	  11, 3, 0 },
	{ "unmap a wide range", 0, SLAT_UNMAP, 500, 512 * 512, 0, 0,
	  11, 1, 0 },
	{ "survivor", 0, SLAT_LOOKUP, 1ULL << 27, 0x5000,
	  HV_MAP_GPA_WRITABLE, 0, 11, 1, 0 },
	{ "never mapped", 0, SLAT_MISSING, 12345678, 0, 0, 0, 11, 1, 0 },
	/* 2 MiB leaves: one entry, no leaf table */
	{ "large map needs no table", 0, SLAT_MAP_LARGE, 1024, 0x200,
	  HV_MAP_GPA_READABLE, 0, 11, 1, 0, 1 },
	{ "lookup inside a large page", 0, SLAT_LOOKUP, 1029, 0x205,
	  HV_MAP_GPA_READABLE, 0, 11, 1, 0, 1 },
	{ "large map frees an empty leaf table", 0, SLAT_MAP_LARGE, 0, 0x400,
	  HV_MAP_GPA_READABLE, 0, 10, 1, 1, 2 },
	{ "4K map in a leaf table", 0, SLAT_MAP, 600, 0x7000,
	  HV_MAP_GPA_READABLE, 0, 10, 2, 1, 2 },
	{ "large map replaces 4K entries", 0, SLAT_MAP_LARGE, 512, 0x600,
	  HV_MAP_GPA_WRITABLE, 0, 9, 1, 2, 3 },
	{ "misaligned large map", 0, SLAT_MAP_LARGE, 1025, 0x600,
	  HV_MAP_GPA_READABLE, -EINVAL, 9, 1, 2, 3 },
	{ "misaligned large pfn", 0, SLAT_MAP_LARGE, 1536, 0x601,
	  HV_MAP_GPA_READABLE, -EINVAL, 9, 1, 2, 3 },
	{ "4K map inside a large page splits it", 0, SLAT_MAP, 1030, 0x9000,
	  HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, 0, 10, 513, 1, 2 },
	{ "split keeps the other pages", 0, SLAT_LOOKUP, 1031, 0x207,
	  HV_MAP_GPA_READABLE, 0, 10, 513, 1, 2 },
	{ "split page remapped", 0, SLAT_LOOKUP, 1030, 0x9000,
	  HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, 0, 10, 513, 1, 2 },
	{ "partial unmap of a large page splits it", 0, SLAT_UNMAP, 3, 1, 0,
	  0, 11, 1024, 0, 1 },
	{ "split neighbour", 0, SLAT_LOOKUP, 4, 0x404, HV_MAP_GPA_READABLE, 0,
	  11, 1024, 0, 1 },
	{ "split hole", 0, SLAT_MISSING, 3, 0, 0, 0, 11, 1024, 0, 1 },
	{ "partial unmap, pool empty", 0, SLAT_UNMAP, 519, 1, 0, -ENOMEM,
	  11, 1024, 0, 1 },
	{ "whole large page unmapped", 0, SLAT_UNMAP, 512, 512, 0, 0,
	  11, 1024, 0, 0 },
	{ "large page gone", 0, SLAT_MISSING, 700, 0, 0, 0, 11, 1024, 0, 0 },
};

/* The steps depend on each other: run them in order */
static void hvsim_slat_test_steps(struct kunit *test)
{
	spinlock_t lock;	/* protects the test pool and SLAT */
	struct hvsim_pool pool;
	struct hvsim_slat slat;
	unsigned int i;
	u32 perms;
	u64 pfn;

	spin_lock_init(&lock);
	hvsim_pool_init(&pool, &lock);
	hvsim_slat_init(&slat, &lock);
	for (i = 0; i < ARRAY_SIZE(slat_steps); i++) {
		const struct slat_step *s = &slat_steps[i];

		pool_test_deposit(test, &pool, s->deposit);
		spin_lock(&lock);
		switch (s->op) {
		case SLAT_MAP:
			KUNIT_EXPECT_EQ_MSG(test, hvsim_slat_map(&slat, &pool,
								 s->gfn, s->pfn,
								 s->perms),
					    s->ret, "%s", s->what);
			break;
		case SLAT_MAP_LARGE:
			KUNIT_EXPECT_EQ_MSG(test,
					    hvsim_slat_map_large(&slat, &pool,
								 s->gfn, s->pfn,
								 s->perms),
					    s->ret, "%s", s->what);
			break;
		case SLAT_UNMAP:
			KUNIT_EXPECT_EQ_MSG(test,
					    hvsim_slat_unmap(&slat, &pool,
							     s->gfn, s->pfn),
					    s->ret, "%s", s->what);
			break;
		case SLAT_LOOKUP:
			KUNIT_EXPECT_TRUE_MSG(test,
					      hvsim_slat_lookup(&slat, s->gfn,
								&pfn, &perms),
					      "%s", s->what);
			KUNIT_EXPECT_EQ_MSG(test, pfn, s->pfn,
					    "%s", s->what);
			KUNIT_EXPECT_EQ_MSG(test, perms, s->perms, "%s",
					    s->what);
			break;
		case SLAT_MISSING:
			KUNIT_EXPECT_FALSE_MSG(test,
					       hvsim_slat_lookup(&slat, s->gfn,
								 &pfn, &perms),
					       "%s", s->what);
			break;
		}
		spin_unlock(&lock);
		KUNIT_EXPECT_EQ_MSG(test, slat.nr_tables, s->tables, "%s",
				    s->what);
		KUNIT_EXPECT_EQ_MSG(test, slat.nr_mapped, s->mapped, "%s",
				    s->what);
		KUNIT_EXPECT_EQ_MSG(test, pool.nr_free, s->free, "%s",
				    s->what);
		KUNIT_EXPECT_EQ_MSG(test, slat.nr_large, s->large, "%s",
				    s->what);
	}

	/* Destroy gives every table page back */
	spin_lock(&lock);
	hvsim_slat_destroy(&slat, &pool);
	spin_unlock(&lock);
	KUNIT_EXPECT_EQ(test, slat.nr_tables, 0);
	KUNIT_EXPECT_EQ(test, slat.nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, slat.nr_large, 0);
	KUNIT_EXPECT_EQ(test, pool.nr_free, pool.nr_pages);
	KUNIT_EXPECT_EQ(test, pool_test_drain(&pool), 11);
}

/*
 * Accessed/dirty bits: a 2 MiB entry has one state for all its pages; a
 * split copies it into every 4 KiB entry, which then change alone; a new
 * mapping starts clean; pages without an entry report 0.
 */
static void hvsim_slat_test_access_state(struct kunit *test)
{
	const u64 rd = HV_GPA_ACCESS_STATE_SET_ACCESSED;
	const u64 wr = rd | HV_GPA_ACCESS_STATE_SET_DIRTY;
	const u64 clear_d = HV_GPA_ACCESS_STATE_CLEAR_DIRTY;
	const u64 clear = HV_GPA_ACCESS_STATE_CLEAR_ACCESSED | clear_d;
	const u8 ad = HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY;
	spinlock_t lock;	/* protects the test pool and SLAT */
	struct hvsim_pool pool;
	struct hvsim_slat slat;

	spin_lock_init(&lock);
	hvsim_pool_init(&pool, &lock);
	hvsim_slat_init(&slat, &lock);
	pool_test_deposit(test, &pool, 4);
	spin_lock(&lock);
	KUNIT_ASSERT_EQ(test, hvsim_slat_map_large(&slat, &pool, 512, 0,
						   HV_MAP_GPA_READABLE), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 700, wr), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 512, 0), ad);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 1023, 0), ad);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 1024, wr), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 1024, 0), 0);

	/* split by a 4 KiB map of page 600: the others keep the state */
	KUNIT_ASSERT_EQ(test, hvsim_slat_map(&slat, &pool, 600, 0,
					     HV_MAP_GPA_READABLE), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 600, 0), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 601, clear), ad);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 601, 0), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 602, rd), ad);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 602, clear_d),
			ad);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 602, 0),
			HV_GPA_PAGE_ACCESSED);

	/* unmapped pages */
	KUNIT_ASSERT_EQ(test, hvsim_slat_unmap(&slat, &pool, 602, 1), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 602, wr), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, 602, 0), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_access_state(&slat, HVSIM_GFN_LIMIT,
						      wr), 0);
	hvsim_slat_destroy(&slat, &pool);
	spin_unlock(&lock);
	KUNIT_EXPECT_EQ(test, pool_test_drain(&pool), 4);
}

/*
 * The lost-write checker's judgement: a page the kernel allocated for
 * itself is never judged; a clean shmem folio (what a read of a hole
 * allocates) is, unless it is locked or dirty.
 */
static void hvsim_lost_write_test_judge(struct kunit *test)
{
	struct file *file;
	struct page *page;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_FALSE(test, hvsim_write_may_be_lost(page));
	__free_page(page);

	file = mshv_shmem_file_setup("hvsim_kunit", PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	page = shmem_read_mapping_page(file->f_mapping, 0);
	if (IS_ERR(page)) {
		fput(file);
		KUNIT_FAIL(test, "shmem_read_mapping_page: %ld", PTR_ERR(page));
		return;
	}
	KUNIT_EXPECT_FALSE(test, PageDirty(page));
	KUNIT_EXPECT_TRUE(test, hvsim_write_may_be_lost(page));
	lock_page(page);
	KUNIT_EXPECT_FALSE(test, hvsim_write_may_be_lost(page));
	set_page_dirty(page);
	unlock_page(page);
	KUNIT_EXPECT_FALSE(test, hvsim_write_may_be_lost(page));
	put_page(page);
	fput(file);
}

/*
 * The stale-entry checker: a leaf naming a page whose reference count is
 * 0 counts once, whether an audit or the unmap finds it; at finalize
 * (audit of every leaf) whatever is left counts.
 */
static void hvsim_slat_test_stale_entries(struct kunit *test)
{
	spinlock_t lock;	/* protects the test pool and SLAT */
	struct hvsim_pool pool;
	struct hvsim_slat slat;
	struct page *page;
	u64 pfn, before;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	spin_lock_init(&lock);
	hvsim_pool_init(&pool, &lock);
	hvsim_slat_init(&slat, &lock);
	pool_test_deposit(test, &pool, 4);
	before = hvsim_stale_entries();

	spin_lock(&lock);
	KUNIT_ASSERT_EQ(test, hvsim_slat_map(&slat, &pool, 5, pfn,
					     HV_MAP_GPA_READABLE), 0);
	/* Allocated: not stale, neither for an audit nor for the unmap */
	KUNIT_EXPECT_EQ(test, hvsim_slat_audit(&slat, false), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_unmap(&slat, &pool, 5, 1), 0);
	KUNIT_EXPECT_EQ(test, hvsim_stale_entries(), before);

	/* "Freed" behind the SLAT's back: an audit counts it once */
	KUNIT_ASSERT_EQ(test, hvsim_slat_map(&slat, &pool, 5, pfn,
					     HV_MAP_GPA_READABLE), 0);
	KUNIT_ASSERT_TRUE(test, page_ref_freeze(page, 1));
	KUNIT_EXPECT_EQ(test, hvsim_slat_audit(&slat, false), 1);
	KUNIT_EXPECT_EQ(test, hvsim_slat_audit(&slat, false), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_unmap(&slat, &pool, 5, 1), 0);
	KUNIT_EXPECT_EQ(test, hvsim_stale_entries(), before + 1);

	/* Found by the unmap alone */
	KUNIT_ASSERT_EQ(test, hvsim_slat_map(&slat, &pool, 6, pfn,
					     HV_MAP_GPA_READABLE), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_unmap(&slat, &pool, 0, 512), 0);
	KUNIT_EXPECT_EQ(test, hvsim_stale_entries(), before + 2);
	/* NO_ACCESS leaves name no page */
	KUNIT_ASSERT_EQ(test, hvsim_slat_map(&slat, &pool, 7, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_unmap(&slat, &pool, 7, 1), 0);
	KUNIT_EXPECT_EQ(test, hvsim_stale_entries(), before + 2);
	page_ref_unfreeze(page, 1);

	/* At finalize every leaf left counts, allocated or not */
	KUNIT_ASSERT_EQ(test, hvsim_slat_map(&slat, &pool, 8, pfn,
					     HV_MAP_GPA_READABLE), 0);
	KUNIT_EXPECT_EQ(test, hvsim_slat_audit(&slat, true), 1);
	KUNIT_EXPECT_EQ(test, hvsim_slat_audit(&slat, true), 0);
	KUNIT_EXPECT_EQ(test, hvsim_stale_entries(), before + 3);
	hvsim_slat_destroy(&slat, &pool);
	spin_unlock(&lock);
	KUNIT_EXPECT_EQ(test, pool_test_drain(&pool), 4);
	__free_page(page);
}

static struct kunit_case hvsim_mem_test_cases[] = {
	KUNIT_CASE(hvsim_pool_test_carve_free_withdraw),
	KUNIT_CASE(hvsim_pool_test_check_pfn),
	KUNIT_CASE(hvsim_pool_test_move),
	KUNIT_CASE(hvsim_slat_test_steps),
	KUNIT_CASE(hvsim_slat_test_access_state),
	KUNIT_CASE(hvsim_lost_write_test_judge),
	KUNIT_CASE(hvsim_slat_test_stale_entries),
	{}
};

static struct kunit_suite hvsim_mem_test_suite = {
	.name = "hvsim_mem",
	.test_cases = hvsim_mem_test_cases,
	.suite_init = hvsim_test_stale_save,
	.suite_exit = hvsim_test_stale_restore,
};

kunit_test_suite(hvsim_mem_test_suite);
