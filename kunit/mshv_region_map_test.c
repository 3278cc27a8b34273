// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the pure computations of mshv_region_map.c: MAP_GPA_PAGES
 * batching and UNMAP_GPA_PAGES splitting.
 *
 * Included at the end of mshv_region_map.c so that the static functions
 * can be tested.  Nothing here issues a hypercall.
 *
 * In the diagrams a column is a 2 MiB chunk of guest-physical space
 * (0x200 pages), "|" marks chunk boundaries, "[" and ")" the region or
 * range ends, "L" a chunk mapped with one 2 MiB entry.
 */

#include <kunit/test.h>

#define CHUNK	MSHV_CHUNK_PAGES

/* MAP_GPA_PAGES batching */

#define MSHV_TEST_MAX_CALLS	8

struct mshv_test_calls {
	unsigned int calls;
	struct {
		u64 gfn;
		u32 flags;
		u16 count;
		u64 first_pfn;
	} call[MSHV_TEST_MAX_CALLS];
};

/* Record @batch as one MAP_GPA_PAGES call, as mshv_batch_flush() issues it */
static void mshv_test_record(struct mshv_test_calls *tc,
			     struct mshv_map_batch *batch)
{
	if (!batch->count)
		return;
	if (tc->calls < MSHV_TEST_MAX_CALLS) {
		tc->call[tc->calls].gfn = batch->gfn;
		tc->call[tc->calls].flags = batch->flags;
		tc->call[tc->calls].count = batch->count;
		tc->call[tc->calls].first_pfn = batch->pfns[0];
	}
	tc->calls++;
	batch->count = 0;
}

/*
 * A sequence of @nr reps from @gfn; a 4 KiB sequence skips the pages in
 * [@hole, @hole + @hole_len); @toggle alternates the writable flag.
 */
struct mshv_batch_case {
	const char *name;
	u64 gfn;
	u64 nr;
	bool large;
	u64 hole, hole_len;
	bool toggle;
	unsigned int calls;
	u16 counts[4];
	u64 gfns[4];
};

static const struct mshv_batch_case mshv_batch_cases[] = {
	/* One 2 MiB window of 4 KiB pages: 509 + 3 */
	{ "512 pages", 0x200, 512, false, 0, 0, false, 2, { 509, 3 },
	  { 0x200, 0x200 + 509 } },
	/* Window + fault-around of 509 pages: 509 + 509 + 3 */
	{ "1021 pages", 0x200, 1021, false, 0, 0, false, 3, { 509, 509, 3 },
	  { 0x200, 0x200 + 509, 0x200 + 1018 } },
	{ "exactly one page of reps", 0, 509, false, 0, 0, false, 1, { 509 },
	  { 0 } },
	/* A hole splits a run: [0x10, 0x20) [hole 0x20..0x28) [0x28, 0x30) */
	{ "hole", 0x10, 32, false, 0x20, 8, false, 2, { 16, 8 },
	  { 0x10, 0x28 } },
	/* Permissions alternate: every rep is its own call */
	{ "alternating permissions", 0x10, 4, false, 0, 0, true, 4,
	  { 1, 1, 1, 1 }, { 0x10, 0x11, 0x12, 0x13 } },
	/* 32 contiguous 2 MiB chunks = 64 MiB in one call */
	{ "32 large", 0x200, 32, true, 0, 0, false, 1, { 32 }, { 0x200 } },
	/* 510 chunks: 509 fill one input page */
	{ "510 large", 0, 510, true, 0, 0, false, 2, { 509, 1 },
	  { 0, 509 * CHUNK } },
};

static void mshv_test_batching(struct kunit *test)
{
	const struct mshv_batch_case *c;
	struct mshv_map_batch *batch;
	struct mshv_test_calls tc;
	u64 i, step, gfn;
	u32 flags;
	size_t k;
	int j;

	batch = kunit_kzalloc(test, sizeof(*batch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, batch);

	for (k = 0; k < ARRAY_SIZE(mshv_batch_cases); k++) {
		c = &mshv_batch_cases[k];
		memset(&tc, 0, sizeof(tc));
		batch->count = 0;
		step = c->large ? CHUNK : 1;
		for (i = 0; i < c->nr; i++) {
			gfn = c->gfn + i * step;
			if (gfn >= c->hole && gfn < c->hole + c->hole_len)
				continue;
			flags = HV_MAP_GPA_READABLE;
			if (c->large)
				flags |= HV_MAP_GPA_LARGE_PAGE;
			if (c->toggle && (i & 1))
				flags |= HV_MAP_GPA_WRITABLE;
			/* what mshv_batch_add() does, recording the calls */
			if (!mshv_batch_fits(batch, gfn, flags))
				mshv_test_record(&tc, batch);
			mshv_batch_push(batch, gfn, 0x1000 + i, flags);
		}
		mshv_test_record(&tc, batch);
		KUNIT_EXPECT_EQ_MSG(test, tc.calls, c->calls, "case %s",
				    c->name);
		for (j = 0; j < c->calls && j < MSHV_TEST_MAX_CALLS; j++) {
			KUNIT_EXPECT_EQ_MSG(test, tc.call[j].count,
					    c->counts[j], "case %s call %d",
					    c->name, j);
			KUNIT_EXPECT_EQ_MSG(test, tc.call[j].gfn, c->gfns[j],
					    "case %s call %d", c->name, j);
			KUNIT_EXPECT_EQ_MSG(test,
					    !!(tc.call[j].flags &
					       HV_MAP_GPA_LARGE_PAGE),
					    c->large, "case %s call %d",
					    c->name, j);
		}
	}
}

/* UNMAP_GPA_PAGES splitting */

struct mshv_unmap_case {
	const char *name;
	u64 start, end;		/* range to unmap */
	u64 large_chunks[4];	/* chunk indexes mapped large (0 = none) */
	u64 large_run;		/* or: chunks [0, large_run) all large */
	unsigned int nr;
	struct mshv_unmap_piece pieces[4];
};

/* The region: [0x100, 0x100 + 5000 chunks); map_base = 0, chunk k at k*0x200 */
#define MSHV_TEST_MAP_BASE	0
#define MSHV_TEST_CHUNKS	5001

static const struct mshv_unmap_case mshv_unmap_cases[] = {
	/*
	 * |0x000      |0x200      |0x400 ... |0x1000     |0x1200
	 *    [0x100 .......................................) 0x1100
	 * nothing large: every whole chunk still goes as a 2 MiB rep (a
	 * LARGE_PAGE unmap removes 4 KiB entries too), the partial ends as
	 * 4 KiB reps
	 */
	{ "4 KiB only", 0x100, 0x1100, { 0 }, 0, 3,
	  { { 0x100, 0x100, false }, { 0x200, 7, true },
	    { 0x1000, 0x100, false } } },
	/*
	 * |0x200  L  |0x400
	 *     [0x280 .. 0x300)   inside a large chunk, unaligned at both ends:
	 * the whole chunk goes, one large rep
	 */
	{ "inside a 2 MiB entry", 0x280, 0x300, { 1 }, 0, 1,
	  { { 0x200, 1, true } } },
	/*
	 * |0x000      |0x200  L  |0x400      |0x600      |0x800
	 *    [0x100 ........................................) 0x700
	 * 4 KiB [0x100, 0x200), chunks 1-2 (large or not) in one call,
	 * 4 KiB [0x600, 0x700)
	 */
	{ "4K, 2M, 4K", 0x100, 0x700, { 1 }, 0, 3,
	  { { 0x100, 0x100, false }, { 0x200, 2, true },
	    { 0x600, 0x100, false } } },
	/*
	 * |0x200  L  |0x400  L  |0x600  L  |0x800
	 *     [0x300 ................ 0x700)
	 * unaligned at both ends inside large chunks: one call, 3 chunks
	 */
	{ "unaligned both ends in large chunks", 0x300, 0x700, { 1, 2, 3 }, 0,
	  1, { { 0x200, 3, true } } },
	/*
	 * |0x400  L  |0x600      |0x800  L  |0xa00
	 *       [0x500 ............... 0x900)
	 * both ends widened; the 4 KiB-mapped chunk between goes as a
	 * 2 MiB rep: one call
	 */
	{ "2M, 4K, 2M", 0x500, 0x900, { 2, 4 }, 0, 1,
	  { { 0x400, 3, true } } },
	/* 5000 large chunks: 4095 + 905 reps of 2 MiB */
	{ "5000 large chunks", 0, 5000 * CHUNK, { 0 }, 5000, 2,
	  { { 0, 4095, true }, { 4095 * CHUNK, 905, true } } },
	{ "empty", 0x300, 0x300, { 1 }, 0, 0, { } },
	/*
	 * |0x200      |0x400   MADV_DONTNEED in a THP: the first invalidation
	 *   [0x280)            removed the 2 MiB entry, the second one (the
	 * [0x200 ... 0x400)    PMD split, whole chunk) is one 2 MiB rep too
	 */
	{ "chunk no longer large", 0x200, 0x400, { 0 }, 0, 1,
	  { { 0x200, 1, true } } },
	/*
	 * |0x200      |0x400      |0x600
	 *       [0x300 ...... 0x500)   two partial chunks, no whole one:
	 * one call of 4 KiB reps
	 */
	{ "two partial chunks", 0x300, 0x500, { 0 }, 0, 1,
	  { { 0x300, 0x200, false } } },
	/*
	 * |0x200      |0x400  L  |0x600
	 *       [0x300 ...... 0x500)   the end is widened to the large
	 * chunk: 4 KiB head, then the large chunk
	 */
	{ "partial head, large tail", 0x300, 0x500, { 2 }, 0, 2,
	  { { 0x300, 0x100, false }, { 0x400, 1, true } } },
	/* one page of a chunk not mapped large */
	{ "one page", 0x1234, 0x1235, { 0 }, 0, 1,
	  { { 0x1234, 1, false } } },
};

static void mshv_test_unmap_split(struct kunit *test)
{
	const struct mshv_unmap_case *c;
	struct mshv_unmap_piece p;
	unsigned long *map;
	unsigned int n;
	size_t k, j;
	u64 pos;

	map = kunit_kcalloc(test, BITS_TO_LONGS(MSHV_TEST_CHUNKS),
			    sizeof(*map), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);

	for (k = 0; k < ARRAY_SIZE(mshv_unmap_cases); k++) {
		c = &mshv_unmap_cases[k];
		bitmap_zero(map, MSHV_TEST_CHUNKS);
		for (j = 0; j < ARRAY_SIZE(c->large_chunks); j++)
			if (c->large_chunks[j])
				set_bit(c->large_chunks[j], map);
		if (c->large_run)
			bitmap_set(map, 0, c->large_run);

		n = 0;
		pos = c->start;
		while (mshv_unmap_next(map, MSHV_TEST_MAP_BASE, &pos, c->end,
				       &p)) {
			if (n < ARRAY_SIZE(c->pieces)) {
				KUNIT_EXPECT_EQ_MSG(test, p.gfn,
						    c->pieces[n].gfn,
						    "case %s piece %u",
						    c->name, n);
				KUNIT_EXPECT_EQ_MSG(test, p.reps,
						    c->pieces[n].reps,
						    "case %s piece %u",
						    c->name, n);
				KUNIT_EXPECT_EQ_MSG(test, p.large,
						    c->pieces[n].large,
						    "case %s piece %u",
						    c->name, n);
			}
			n++;
			if (n > 16)
				break;
		}
		KUNIT_EXPECT_EQ_MSG(test, n, c->nr, "case %s", c->name);
	}
}

static struct kunit_case mshv_region_map_test_cases[] = {
	KUNIT_CASE(mshv_test_batching),
	KUNIT_CASE(mshv_test_unmap_split),
	{}
};

static struct kunit_suite mshv_region_map_test_suite = {
	.name = "mshv_root_region_map",
	.test_cases = mshv_region_map_test_cases,
};

kunit_test_suite(mshv_region_map_test_suite);
