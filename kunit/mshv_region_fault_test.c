// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the pure computations of mshv_region_fault.c: fault
 * windows, 2 MiB eligibility and the fault-around budget.
 *
 * Included at the end of mshv_region_fault.c so that the static functions
 * can be tested.  Nothing here issues a hypercall.
 *
 * In the diagrams a column is a 2 MiB chunk of guest-physical space
 * (0x200 pages), "|" marks chunk boundaries, "[" and ")" the region or
 * range ends.
 */

#include <kunit/test.h>

#define CHUNK	MSHV_CHUNK_PAGES
#define LIMIT	MSHV_GPA_PFN_LIMIT

/* Fault windows */

static const struct {
	const char *name;
	u64 start, end, gfn;
	u64 ws, we;
} mshv_window_cases[] = {
	/*
	 * |0x000      |0x200      |0x400
	 *    [0x100 ......................) 0x1100
	 *      ^ 0x150: window [0x100, 0x200)  (clamped at the start)
	 */
	{ "clamped at region start", 0x100, 0x1100, 0x150, 0x100, 0x200 },
	/*          ^ 0x250: window [0x200, 0x400) (a whole chunk) */
	{ "whole chunk", 0x100, 0x1100, 0x250, 0x200, 0x400 },
	{ "first page of a chunk", 0x100, 0x1100, 0x400, 0x400, 0x600 },
	{ "last page of a chunk", 0x100, 0x1100, 0x5ff, 0x400, 0x600 },
	/*
	 * |0x400      |0x600
	 *   ...........) 0x500
	 *            ^ 0x4ff: window [0x400, 0x500) (clamped at the end)
	 */
	{ "clamped at region end", 0x200, 0x500, 0x4ff, 0x400, 0x500 },
	/* A 16-page region inside one chunk: the window is the region */
	{ "region inside a chunk", 0x3, 0x13, 0x5, 0x3, 0x13 },
	/* The region's start is irrelevant: alignment is absolute */
	{ "unaligned region", 0x301, 0x10301, 0x1000, 0x1000, 0x1200 },
	/* Top of guest-physical space: no overflow */
	{ "last chunk of GPA space", LIMIT - 0x300, LIMIT, LIMIT - 1,
	  LIMIT - CHUNK, LIMIT },
};

static void mshv_test_fault_window(struct kunit *test)
{
	size_t i;
	u64 ws, we;

	for (i = 0; i < ARRAY_SIZE(mshv_window_cases); i++) {
		mshv_fault_window(mshv_window_cases[i].start,
				  mshv_window_cases[i].end,
				  mshv_window_cases[i].gfn, &ws, &we);
		KUNIT_EXPECT_EQ_MSG(test, ws, mshv_window_cases[i].ws,
				    "case %s", mshv_window_cases[i].name);
		KUNIT_EXPECT_EQ_MSG(test, we, mshv_window_cases[i].we,
				    "case %s", mshv_window_cases[i].name);
	}
}

/* 2 MiB eligibility */

static unsigned long mshv_test_hmm(u64 pfn, unsigned int order, bool write)
{
	return pfn | HMM_PFN_VALID | (write ? HMM_PFN_WRITE : 0) |
	       ((unsigned long)order << HMM_PFN_ORDER_SHIFT);
}

enum mshv_test_backing {
	BACK_PMD,		/* one 2 MiB-aligned PMD folio */
	BACK_PUD,		/* part of a 1 GiB mapping */
	BACK_PTE,		/* 512 contiguous 4 KiB PTEs */
	BACK_PMD_UNALIGNED,	/* PMD order but PFN not 2 MiB aligned */
	BACK_PMD_RO_TAIL,	/* last entry read-only */
	BACK_NOT_VALID,		/* first entry not present */
	BACK_ERROR,		/* hmm error entry */
};

static void mshv_test_fill(unsigned long *hmm_pfns,
			   enum mshv_test_backing backing)
{
	u64 base = 0x40000, i;

	for (i = 0; i < CHUNK; i++) {
		switch (backing) {
		case BACK_PMD:
		case BACK_PMD_RO_TAIL:
			hmm_pfns[i] = mshv_test_hmm(base + i, 9,
						    backing == BACK_PMD ||
						    i != CHUNK - 1);
			break;
		case BACK_PUD:
			hmm_pfns[i] = mshv_test_hmm(base + i, 18, true);
			break;
		case BACK_PTE:
			hmm_pfns[i] = mshv_test_hmm(base + i, 0, true);
			break;
		case BACK_PMD_UNALIGNED:
			hmm_pfns[i] = mshv_test_hmm(base + 1 + i, 9, true);
			break;
		case BACK_NOT_VALID:
			hmm_pfns[i] = i ? mshv_test_hmm(base + i, 9, true) : 0;
			break;
		case BACK_ERROR:
			hmm_pfns[i] = HMM_PFN_ERROR;
			break;
		}
	}
}

static const struct {
	const char *name;
	u64 gfn, start, end;
	enum mshv_test_backing backing;
	bool large;
} mshv_large_cases[] = {
	/* |0x200  L  |0x400 inside [0x200, 0x600) */
	{ "aligned PMD folio", 0x200, 0x200, 0x600, BACK_PMD, true },
	{ "1 GiB mapping", 0x200, 0x200, 0x600, BACK_PUD, true },
	{ "region exactly one chunk", 0x200, 0x200, 0x400, BACK_PMD, true },
	{ "4 KiB PTEs", 0x200, 0x200, 0x600, BACK_PTE, false },
	{ "PFN not 2 MiB aligned", 0x200, 0x200, 0x600, BACK_PMD_UNALIGNED,
	  false },
	{ "permissions differ", 0x200, 0x200, 0x600, BACK_PMD_RO_TAIL, false },
	{ "first page absent", 0x200, 0x200, 0x600, BACK_NOT_VALID, false },
	{ "hmm error", 0x200, 0x200, 0x600, BACK_ERROR, false },
	/* GPA not 2 MiB aligned */
	{ "GPA unaligned", 0x201, 0x200, 0x600, BACK_PMD, false },
	/*   [0x201 .... |0x400: the chunk at 0x200 starts before the region */
	{ "chunk before region start", 0x200, 0x201, 0x600, BACK_PMD, false },
	/* |0x200 ..... 0x3ff): the chunk ends after the region */
	{ "chunk past region end", 0x200, 0x100, 0x3ff, BACK_PMD, false },
	{ "last chunk of GPA space", LIMIT - CHUNK, 0, LIMIT, BACK_PMD,
	  true },
};

static void mshv_test_large_eligible(struct kunit *test)
{
	unsigned long *hmm_pfns;
	size_t i;

	hmm_pfns = kunit_kcalloc(test, CHUNK, sizeof(*hmm_pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hmm_pfns);
	for (i = 0; i < ARRAY_SIZE(mshv_large_cases); i++) {
		mshv_test_fill(hmm_pfns, mshv_large_cases[i].backing);
		KUNIT_EXPECT_EQ_MSG(test,
				    mshv_chunk_large(mshv_large_cases[i].gfn,
						     mshv_large_cases[i].start,
						     mshv_large_cases[i].end,
						     hmm_pfns),
				    mshv_large_cases[i].large,
				    "case %s", mshv_large_cases[i].name);
	}
}

/* Fault-around budget: fill the last input page of the window's reps */
static void mshv_test_around_budget(struct kunit *test)
{
	static const struct {
		unsigned int window, budget;
	} cases[] = {
		{ 1, 508 },	/* one 2 MiB entry: 509 reps, one call */
		{ 16, 493 },	/* a window clamped to 16 pages */
		{ 509, 0 },
		{ 510, 508 },
		{ 512, 506 },	/* 4 KiB window: 1018 reps, two calls */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, mshv_fault_around_budget(cases[i].window),
				    cases[i].budget, "window of %u reps",
				    cases[i].window);
	/* the largest fault fits the entry array */
	KUNIT_EXPECT_LE(test, 512 + mshv_fault_around_budget(512),
			MSHV_FAULT_MAX_ENTRIES);
}

static struct kunit_case mshv_region_fault_test_cases[] = {
	KUNIT_CASE(mshv_test_fault_window),
	KUNIT_CASE(mshv_test_large_eligible),
	KUNIT_CASE(mshv_test_around_budget),
	{}
};

static struct kunit_suite mshv_region_fault_test_suite = {
	.name = "mshv_root_region_fault",
	.test_cases = mshv_region_fault_test_cases,
};

kunit_test_suite(mshv_region_fault_test_suite);
