// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the pure computations of mshv_regions.c: range validity
 * and overlap.
 *
 * Included at the end of mshv_regions.c so that the static functions can
 * be tested.  Nothing here issues a hypercall.
 */

#include <kunit/test.h>

#define LIMIT	MSHV_GPA_PFN_LIMIT

/* Range validity and overlap, without overflow */

static const struct {
	const char *name;
	u64 a, na, b, nb;
	bool overlap;
} mshv_overlap_cases[] = {
	{ "same", 0x100, 4, 0x100, 4, true },
	{ "inside", 0x100, 4, 0x101, 2, true },
	{ "straddles start", 0x100, 4, 0xfe, 3, true },
	{ "straddles end", 0x100, 4, 0x103, 4, true },
	{ "covers", 0x100, 4, 0xff, 6, true },
	{ "adjacent below", 0x100, 4, 0xfe, 2, false },
	{ "adjacent above", 0x100, 4, 0x104, 2, false },
	/* a + na == 2^52 and b + nb == 2^52: last pages, no overflow */
	{ "both end at the limit", LIMIT - 4, 4, LIMIT - 1, 1, true },
	{ "everything vs last page", 0, LIMIT, LIMIT - 1, 1, true },
	{ "last page vs first page", LIMIT - 1, 1, 0, 1, false },
};

static const struct {
	const char *name;
	u64 gfn, nr;
	bool valid;
} mshv_range_cases[] = {
	{ "empty", 0x100, 0, false },
	{ "one page", 0x100, 1, true },
	{ "whole space", 0, LIMIT, true },
	{ "last page", LIMIT - 1, 1, true },
	{ "past the limit", LIMIT - 1, 2, false },
	{ "start at the limit", LIMIT, 1, false },
	{ "wraps u64", ~0ULL, 2, false },
	{ "huge count", 1, ~0ULL, false },
};

/* Does [b, b + nb) overlap a partition holding only [a, a + na)? */
static bool mshv_test_overlap(struct mshv_partition *partition, u64 a,
			      u64 na, u64 b, u64 nb)
{
	struct interval_tree_node node = {
		.start = a,
		.last = a + (na - 1),
	};
	bool ret;

	mutex_lock(&partition->mutex);
	interval_tree_insert(&node, &partition->regions);
	ret = mshv_regions_overlap(partition, b, nb);
	interval_tree_remove(&node, &partition->regions);
	mutex_unlock(&partition->mutex);
	return ret;
}

static void mshv_test_ranges(struct kunit *test)
{
	struct mshv_partition *partition;
	size_t i;

	partition = kunit_kzalloc(test, sizeof(*partition), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, partition);
	mutex_init(&partition->mutex);
	partition->regions = RB_ROOT_CACHED;
	for (i = 0; i < ARRAY_SIZE(mshv_overlap_cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test,
				    mshv_test_overlap(partition,
						      mshv_overlap_cases[i].a,
						      mshv_overlap_cases[i].na,
						      mshv_overlap_cases[i].b,
						      mshv_overlap_cases[i].nb),
				    mshv_overlap_cases[i].overlap,
				    "case %s", mshv_overlap_cases[i].name);
		/* Symmetric */
		KUNIT_EXPECT_EQ_MSG(test,
				    mshv_test_overlap(partition,
						      mshv_overlap_cases[i].b,
						      mshv_overlap_cases[i].nb,
						      mshv_overlap_cases[i].a,
						      mshv_overlap_cases[i].na),
				    mshv_overlap_cases[i].overlap,
				    "case %s swapped",
				    mshv_overlap_cases[i].name);
	}
	for (i = 0; i < ARRAY_SIZE(mshv_range_cases); i++) {
		const u64 gfn = mshv_range_cases[i].gfn;
		const u64 nr = mshv_range_cases[i].nr;

		KUNIT_EXPECT_EQ_MSG(test, mshv_gfn_range_valid(gfn, nr),
				    mshv_range_cases[i].valid,
				    "case %s", mshv_range_cases[i].name);
	}
}

static struct kunit_case mshv_regions_test_cases[] = {
	KUNIT_CASE(mshv_test_ranges),
	{}
};

static struct kunit_suite mshv_regions_test_suite = {
	.name = "mshv_root_regions",
	.test_cases = mshv_regions_test_cases,
};

kunit_test_suite(mshv_regions_test_suite);
