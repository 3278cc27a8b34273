// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's dispatch bounds: when vp_run_must_stop() ends a
 * dispatch, and what it counts.  Included at the end of hvsim/hvsim_vp.c.
 */
#include <kunit/test.h>

/* Stops of either bound the checks made; need_resched() is not ours */
static s64 dispatch_bound_stops(void)
{
	return atomic64_read(&dispatch_time_stops) +
	       atomic64_read(&dispatch_resched_stops);
}

static void hvsim_vp_test_check_points(struct kunit *test)
{
	u64 past = ktime_get_mono_fast_ns() - 2 * NSEC_PER_SEC;
	s64 stops = dispatch_bound_stops();
	unsigned int n;

	/* Only every HVSIM_DISPATCH_CHECK instructions, never before one */
	for (n = 0; n < HVSIM_DISPATCH_CHECK; n++)
		KUNIT_EXPECT_FALSE_MSG(test, vp_run_must_stop(n, past, 1),
				       "n %u", n);
	KUNIT_EXPECT_EQ(test, stops, dispatch_bound_stops());
	KUNIT_EXPECT_TRUE(test, vp_run_must_stop(HVSIM_DISPATCH_CHECK, past,
						 NSEC_PER_SEC));
	KUNIT_EXPECT_EQ(test, stops + 1, dispatch_bound_stops());
	KUNIT_EXPECT_TRUE(test, vp_run_must_stop(5 * HVSIM_DISPATCH_CHECK,
						 past, 1));
	KUNIT_EXPECT_EQ(test, stops + 2, dispatch_bound_stops());
}

static void hvsim_vp_test_time(struct kunit *test)
{
	u64 now = ktime_get_mono_fast_ns();
	s64 time_stops = atomic64_read(&dispatch_time_stops);
	bool resched;

	/* Within the bound, or no bound: only a reschedule stops */
	resched = need_resched();
	KUNIT_EXPECT_EQ(test, resched,
			vp_run_must_stop(HVSIM_DISPATCH_CHECK, now,
					 3600 * NSEC_PER_SEC));
	/* dispatch_max_us 0: no bound at all */
	KUNIT_EXPECT_FALSE(test, vp_run_must_stop(HVSIM_DISPATCH_CHECK, 0, 0));
	KUNIT_EXPECT_EQ(test, time_stops,
			atomic64_read(&dispatch_time_stops));
}

static struct kunit_case hvsim_vp_test_cases[] = {
	KUNIT_CASE(hvsim_vp_test_check_points),
	KUNIT_CASE(hvsim_vp_test_time),
	{}
};

static struct kunit_suite hvsim_vp_test_suite = {
	.name = "hvsim_vp",
	.test_cases = hvsim_vp_test_cases,
};

kunit_test_suite(hvsim_vp_test_suite);
