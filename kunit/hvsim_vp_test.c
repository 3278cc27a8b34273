// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's dispatch bounds: when vp_run_must_stop() ends a
 * dispatch, and what it counts; where a dispatch opens interrupt windows
 * and what a window does.  Included at the end of hvsim/hvsim_vp.c.
 */
#include <kunit/test.h>
#include <linux/irq_work.h>

/* Stops of either bound the checks made; need_resched() is not ours */
static u64 dispatch_bound_stops(void)
{
	struct vp_dispatch_stats st;

	vp_stats_sum(&st);
	return st.time_stops + st.resched_stops;
}

static u64 dispatch_time_stops(void)
{
	struct vp_dispatch_stats st;

	vp_stats_sum(&st);
	return st.time_stops;
}

static void hvsim_vp_test_check_points(struct kunit *test)
{
	u64 past = ktime_get_mono_fast_ns() - 2 * NSEC_PER_SEC;
	u64 stops = dispatch_bound_stops();
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
	u64 time_stops = dispatch_time_stops();
	bool resched;

	/* Within the bound, or no bound: only a reschedule stops */
	resched = need_resched();
	KUNIT_EXPECT_EQ(test, resched,
			vp_run_must_stop(HVSIM_DISPATCH_CHECK, now,
					 3600 * NSEC_PER_SEC));
	/* dispatch_max_us 0: no bound at all */
	KUNIT_EXPECT_FALSE(test, vp_run_must_stop(HVSIM_DISPATCH_CHECK, 0, 0));
	KUNIT_EXPECT_EQ(test, time_stops, dispatch_time_stops());
}

/* Every HVSIM_DISPATCH_CHECK-th boundary, never at 0, once, if enabled */
static void hvsim_vp_test_window_points(struct kunit *test)
{
	struct hvsim_call call = { .irq_windows = true };
	struct vp_dispatch d = { .call = &call };
	unsigned int n;

	for (n = 0; n < HVSIM_DISPATCH_CHECK; n++)
		KUNIT_EXPECT_FALSE_MSG(test, vp_window_due(&d, n), "n %u", n);
	KUNIT_EXPECT_TRUE(test, vp_window_due(&d, HVSIM_DISPATCH_CHECK));
	KUNIT_EXPECT_FALSE(test, vp_window_due(&d, HVSIM_DISPATCH_CHECK + 1));
	KUNIT_EXPECT_TRUE(test, vp_window_due(&d, 7 * HVSIM_DISPATCH_CHECK));
	/* the unlocked and the locked path meet at one boundary: one window */
	d.window_n = 7 * HVSIM_DISPATCH_CHECK;
	KUNIT_EXPECT_FALSE(test, vp_window_due(&d, 7 * HVSIM_DISPATCH_CHECK));
	KUNIT_EXPECT_TRUE(test, vp_window_due(&d, 8 * HVSIM_DISPATCH_CHECK));
	/* a caller with interrupts off: none */
	call.irq_windows = false;
	KUNIT_EXPECT_FALSE(test, vp_window_due(&d, 8 * HVSIM_DISPATCH_CHECK));
}

static int hvsim_vp_test_work_ran;

static void hvsim_vp_test_work(struct irq_work *work)
{
	hvsim_vp_test_work_ran++;
}

/*
 * A window takes the interrupts pending on the CPU (a hard-IRQ irq_work
 * queued with interrupts off), ends one stretch and starts the next.
 */
static void hvsim_vp_test_window_irq(struct kunit *test)
{
	struct irq_work work = IRQ_WORK_INIT_HARD(hvsim_vp_test_work);
	struct hvsim_call call = { .irq_windows = true };
	struct vp_dispatch d = { .call = &call };
	struct hvsim_partition *pt;
	struct hvsim_vp *vp;
	struct vp_dispatch_stats st, after;
	u64 before;

	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	vp = kunit_kzalloc(test, sizeof(*vp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NOT_NULL(test, vp);
	spin_lock_init(&pt->lock);
	vp->partition = pt;
	hvsim_vp_test_work_ran = 0;
	vp_stats_sum(&st);

	local_irq_disable();
	d.irqoff_start = ktime_get_mono_fast_ns();
	KUNIT_EXPECT_TRUE(test, irq_work_queue(&work));
	before = ktime_get_mono_fast_ns();
	/* pending, not taken while interrupts are off */
	KUNIT_EXPECT_EQ(test, READ_ONCE(hvsim_vp_test_work_ran), 0);
	vp_irq_window(vp, &d, 3 * HVSIM_DISPATCH_CHECK);
	KUNIT_EXPECT_TRUE(test, irqs_disabled());
	KUNIT_EXPECT_EQ(test, READ_ONCE(hvsim_vp_test_work_ran), 1);
	local_irq_enable();
	irq_work_sync(&work);

	KUNIT_EXPECT_EQ(test, d.window_n, 3 * HVSIM_DISPATCH_CHECK);
	KUNIT_EXPECT_GE(test, d.irqoff_start, before);
	vp_stats_sum(&after);
	KUNIT_EXPECT_EQ(test, st.irq_windows + 1, after.irq_windows);
	KUNIT_EXPECT_EQ(test, st.irqoff_stretches + 1, after.irqoff_stretches);
}

static struct hvsim_partition *hvsim_vp_test_pt;
static int hvsim_vp_test_run_lock_free;

/* In a window: is the dispatch's run_lock free for a taker from an IRQ? */
static void hvsim_vp_test_take_run_lock(struct irq_work *work)
{
	if (write_trylock(&hvsim_vp_test_pt->run_lock)) {
		hvsim_vp_test_run_lock_free++;
		write_unlock(&hvsim_vp_test_pt->run_lock);
	}
}

/*
 * A VP running under run_lock for read lets go of it at a boundary only
 * for a window or a waiting taker, and a hard-IRQ handler in the window
 * can take the lock for write (no deadlock with the interrupted VP).
 */
static void hvsim_vp_test_read_boundary(struct kunit *test)
{
	struct irq_work work = IRQ_WORK_INIT_HARD(hvsim_vp_test_take_run_lock);
	struct hvsim_call call = { .irq_windows = true };
	struct vp_dispatch d = { .call = &call };
	struct vp_dispatch_stats st, after;
	struct hvsim_partition *pt;
	struct hvsim_vp *vp;
	unsigned int n;

	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	vp = kunit_kzalloc(test, sizeof(*vp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NOT_NULL(test, vp);
	rwlock_init(&pt->run_lock);
	spin_lock_init(&pt->lock);
	vp->partition = pt;
	hvsim_vp_test_pt = pt;
	hvsim_vp_test_run_lock_free = 0;
	vp_stats_sum(&st);

	local_irq_disable();
	read_lock(&pt->run_lock);
	d.irqoff_start = ktime_get_mono_fast_ns();
	KUNIT_EXPECT_TRUE(test, irq_work_queue(&work));
	/* no window due, nobody waits: the lock stays held, no IRQ runs */
	for (n = HVSIM_DISPATCH_CHECK + 1; n < 2 * HVSIM_DISPATCH_CHECK; n++)
		vp_read_boundary(vp, &d, n);
	KUNIT_EXPECT_EQ(test, READ_ONCE(hvsim_vp_test_run_lock_free), 0);
	/* a waiting taker: the lock is let go of, interrupts stay off */
	atomic_inc(&pt->lock_waiters);
	vp_read_boundary(vp, &d, n + 1);
	atomic_dec(&pt->lock_waiters);
	KUNIT_EXPECT_TRUE(test, irqs_disabled());
	KUNIT_EXPECT_EQ(test, READ_ONCE(hvsim_vp_test_run_lock_free), 0);
	/* the window: the IRQ's handler takes the lock for write */
	vp_read_boundary(vp, &d, 2 * HVSIM_DISPATCH_CHECK);
	KUNIT_EXPECT_EQ(test, READ_ONCE(hvsim_vp_test_run_lock_free), 1);
	read_unlock(&pt->run_lock);
	local_irq_enable();
	irq_work_sync(&work);

	vp_stats_sum(&after);
	KUNIT_EXPECT_EQ(test, d.window_n, 2 * HVSIM_DISPATCH_CHECK);
	KUNIT_EXPECT_EQ(test, st.irq_windows + 1, after.irq_windows);
	KUNIT_EXPECT_EQ(test, st.irqoff_stretches + 1, after.irqoff_stretches);
}

static struct kunit_case hvsim_vp_test_cases[] = {
	KUNIT_CASE(hvsim_vp_test_check_points),
	KUNIT_CASE(hvsim_vp_test_time),
	KUNIT_CASE(hvsim_vp_test_window_points),
	KUNIT_CASE(hvsim_vp_test_window_irq),
	KUNIT_CASE(hvsim_vp_test_read_boundary),
	{}
};

static struct kunit_suite hvsim_vp_test_suite = {
	.name = "hvsim_vp",
	.test_cases = hvsim_vp_test_cases,
};

kunit_test_suite(hvsim_vp_test_suite);
