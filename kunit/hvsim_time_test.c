// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's partition clock: TscScale for a table of TSC
 * frequencies, the reference TSC page against the reference counter for
 * a table of TSC values and offsets, and the clock that stands still
 * before the first dispatch and while frozen.  Included at the end of
 * hvsim/hvsim_time.c.
 */
#include <kunit/test.h>
#include <linux/delay.h>

#include "hvsim_fake.h"

/* Two VPs, in the partition's VP table */
static struct hvsim_fake *time_fake(struct kunit *test)
{
	struct hvsim_fake *f = hvsim_fake_new(test);

	f->pt.vps[0] = &f->vp[0];
	f->pt.vps[1] = &f->vp[1];
	spin_lock(&f->pt.lock);
	hvsim_stimer_vp_init(&f->vp[0]);
	hvsim_stimer_vp_init(&f->vp[1]);
	spin_unlock(&f->pt.lock);
	return f;
}

/* ceil(2^64 * 10^7 / hz) */
static void hvsim_time_test_scale(struct kunit *test)
{
	static const struct {
		u64 hz;
		u64 scale;
	} cases[] = {
		{ 1000000000ULL, 0x028F5C28F5C28F5DULL },	/* 2^64 / 100 */
		{ 100000000ULL, 0x199999999999999AULL },	/* 2^64 / 10 */
		{ 20000000ULL, 0x8000000000000000ULL },		/* 2^64 / 2 */
		{ 2500000000ULL, 0x010624DD2F1A9FBFULL },	/* 2^64 / 250 */
		{ 3000000000ULL, 0x00DA740DA740DA75ULL },	/* 2^64 / 300 */
		{ 4000000000ULL, 0x00A3D70A3D70A3D8ULL },	/* 2^64 / 400 */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, hvsim_time_tsc_scale(cases[i].hz),
				    cases[i].scale, "hz %llu", cases[i].hz);
}

/* The page gives exactly TSC / 100 - offset for every TSC in the table */
static void hvsim_time_test_page(struct kunit *test)
{
	static const u64 tscs[] = {
		0, 1, 99, 100, 101, 12345678901ULL, 999999999999999ULL,
		0x0123456789ABCDEFULL, (U64_MAX / 100) - 1,
	};
	static const struct {
		s64 offset;	/* both VPs' TSC offset */
		bool valid;
	} offs[] = {
		{ 0, true }, { 100, true }, { -300, true },
		{ 123456789000LL, true }, { 50, false },
	};
	struct hvsim_fake *f = time_fake(test);
	struct hv_reference_tsc_page page;
	unsigned int i, j;

	f->pt.time.tsc_sequence = 7;
	for (j = 0; j < ARRAY_SIZE(offs); j++) {
		f->vp[0].time.tsc_offset = offs[j].offset;
		f->vp[1].time.tsc_offset = offs[j].offset;
		spin_lock(&f->pt.lock);
		hvsim_time_tsc_page(&f->pt, &page);
		spin_unlock(&f->pt.lock);
		KUNIT_EXPECT_EQ(test, page.tsc_sequence, offs[j].valid ? 7 : 0);
		KUNIT_EXPECT_EQ(test, page.reserved1, 0);
		if (!offs[j].valid)
			continue;
		for (i = 0; i < ARRAY_SIZE(tscs); i++) {
			u64 tsc = tscs[i] + offs[j].offset;
			u64 ref = mul_u64_u64_shr(tsc, page.tsc_scale, 64) +
				  page.tsc_offset;

			/* partition time @tscs[i] exists, the TSC is past it */
			if (offs[j].offset < 0 && tscs[i] < -offs[j].offset)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, ref, div_u64(tscs[i], 100),
					    "tsc %llu offset %lld", tsc,
					    offs[j].offset);
		}
	}
	/* VPs whose TSCs differ: no page */
	f->vp[0].time.tsc_offset = 0;
	f->vp[1].time.tsc_offset = 100;
	spin_lock(&f->pt.lock);
	hvsim_time_tsc_page(&f->pt, &page);
	spin_unlock(&f->pt.lock);
	KUNIT_EXPECT_EQ(test, page.tsc_sequence, 0);
}

/*
 * Before the first dispatch the clock reads REFERENCE_TIME; frozen it
 * stands still; TSC and reference counter come from the same clock
 */
static void hvsim_time_test_freeze(struct kunit *test)
{
	struct hvsim_fake *f = time_fake(test);
	struct hvsim_partition *pt = &f->pt;
	u64 a, b;

	spin_lock(&pt->lock);
	KUNIT_EXPECT_EQ(test, hvsim_time_ref(pt), 0);
	hvsim_time_set_reference(pt, 5000);
	KUNIT_EXPECT_EQ(test, hvsim_time_ref(pt), 5000);
	KUNIT_EXPECT_EQ(test, hvsim_time_tsc(&f->vp[0]), 500000);
	hvsim_time_set_tsc(&f->vp[1], 1000);
	KUNIT_EXPECT_EQ(test, hvsim_time_tsc(&f->vp[1]), 1000);
	KUNIT_EXPECT_EQ(test, f->vp[1].time.tsc_offset, 1000 - 500000);

	KUNIT_EXPECT_EQ(test, hvsim_time_set_freeze(pt, 2),
			HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	KUNIT_EXPECT_EQ(test, hvsim_time_set_freeze(pt, 1), HV_STATUS_SUCCESS);
	hvsim_time_start(pt);
	KUNIT_EXPECT_FALSE(test, hvsim_time_running(pt));
	ndelay(1000);
	KUNIT_EXPECT_EQ(test, hvsim_time_ref(pt), 5000);
	hvsim_time_set_reference(pt, 70000);
	KUNIT_EXPECT_EQ(test, hvsim_time_ref(pt), 70000);

	KUNIT_EXPECT_EQ(test, hvsim_time_set_freeze(pt, 0), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, hvsim_time_running(pt));
	a = hvsim_time_ref(pt);
	ndelay(1000);
	b = hvsim_time_ref(pt);
	KUNIT_EXPECT_GE(test, a, 70000);
	KUNIT_EXPECT_GT(test, b, a);
	KUNIT_EXPECT_EQ(test, hvsim_time_set_freeze(pt, 1), HV_STATUS_SUCCESS);
	a = hvsim_time_ref(pt);
	KUNIT_EXPECT_EQ(test, hvsim_time_tsc(&f->vp[0]), a * 100 +
			hvsim_time_ns(pt) % 100);
	ndelay(1000);
	KUNIT_EXPECT_EQ(test, hvsim_time_ref(pt), a);
	spin_unlock(&pt->lock);
}

static struct kunit_case hvsim_time_test_cases[] = {
	KUNIT_CASE(hvsim_time_test_scale),
	KUNIT_CASE(hvsim_time_test_page),
	KUNIT_CASE(hvsim_time_test_freeze),
	{}
};

static struct kunit_suite hvsim_time_test_suite = {
	.name = "hvsim_time",
	.test_cases = hvsim_time_test_cases,
};

kunit_test_suite(hvsim_time_test_suite);
