// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim bounds how long a DISPATCH_VP runs and how long it keeps
 * interrupts off (Documentation/hvsim.rst, "Dispatch bounds"), with
 * dispatch_budget far above what a guest loop of LOOPS iterations runs:
 *  - long_loop: with dispatch_max_us set the loop takes several
 *    dispatches, stopped by the time bound, and the times the dispatches
 *    kept interrupts off stay near dispatch_max_us;
 *  - irq_windows: without it (the default) the loop runs in one dispatch,
 *    which opens an interrupt window every 16 instructions: interrupts
 *    are off only in stretches of 16 instructions, counted.
 *
 * The guest is the real-mode loop of mshv_loop_guest.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"
#include "mshv_loop_guest.h"

#define MEM_SIZE	0x10000ULL
#define CODE_GPA	0x1000ULL
#define DONE_PORT	0xE9
#define LOOPS		200000U

#define BUDGET_PARAM	"/sys/module/hvsim/parameters/dispatch_budget"
#define MAX_US_PARAM	"/sys/module/hvsim/parameters/dispatch_max_us"
#define DISPATCH_FILE	MSHV_DBG_HVSIM "/dispatch"
#define CLOCKSOURCE \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"

/* dispatch_budget during the test: more than the guest's 2 * LOOPS */
#define BIG_BUDGET	10000000ULL
/* dispatch_max_us during the test */
#define MAX_US		500ULL
/*
 * Without a time bound one dispatch here runs the whole loop with
 * interrupts off, 0.5 s or more, and no dispatch stops at the time bound:
 * the stop counts below fail whatever the timing.  With it the times are
 * the bound plus 16 steps, plus whatever the test VM's host does not run
 * the vCPU meanwhile (TCG on a loaded host: the guest's clocksource sees
 * that time, and a single dispatch has measured 240 ms), so the limits on
 * the measured times are loose.
 */
#define IRQOFF_MEAN_LIMIT_NS	(20ULL * 1000 * 1000)
#define IRQOFF_MAX_LIMIT_NS	(1000ULL * 1000 * 1000)

/* Instructions between two interrupt windows of a dispatch */
#define WINDOW_INSNS	16
/* What the loop retires before its OUT (mshv_loop_guest.h) */
#define LOOP_INSNS	(2 * LOOPS + 1)
/* Dispatches of a new VP's first run before the one that runs it */
#define PRE_DISPATCHES	2ULL

struct dispatch_stats {
	__u64 irqoff_max_ns;
	__u64 irqoff_total_ns;
	__u64 irqoff_stretches;
	__u64 irq_windows;
	__u64 irqoff_dispatches;
	__u64 budget_stops;
	__u64 time_stops;
	__u64 resched_stops;
};

/* The value of " @name=" in @line, or -1 */
static int field(const char *line, const char *name, __u64 *v)
{
	char key[64];
	const char *f;
	unsigned long long x;

	snprintf(key, sizeof(key), "%s=", name);
	f = strstr(line, key);
	if (!f || sscanf(f + strlen(key), "%llu", &x) != 1)
		return -1;
	*v = x;
	return 0;
}

static int dispatch_stats(struct dispatch_stats *s)
{
	FILE *f = fopen(DISPATCH_FILE, "r");
	char line[512];
	bool ok;

	if (!f)
		return -1;
	ok = fgets(line, sizeof(line), f);
	fclose(f);
	if (!ok || field(line, "irqoff_max_ns", &s->irqoff_max_ns) ||
	    field(line, "irqoff_total_ns", &s->irqoff_total_ns) ||
	    field(line, "irqoff_stretches", &s->irqoff_stretches) ||
	    field(line, "irq_windows", &s->irq_windows) ||
	    field(line, "irqoff_dispatches", &s->irqoff_dispatches) ||
	    field(line, "budget_stops", &s->budget_stops) ||
	    field(line, "time_stops", &s->time_stops) ||
	    field(line, "resched_stops", &s->resched_stops))
		return -1;
	return 0;
}

static void set_param(const char *path, __u64 v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	MSHV_TEST_ASSERT(!mshv_write_file(path, buf), "write %s", path);
}

FIXTURE(bound)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	__u64 id;
	__u64 budget;
	__u64 max_us;
	bool has_max_us;
};

FIXTURE_SETUP(bound)
{
	__u8 code[MSHV_LOOP_GUEST_SIZE];
	struct dispatch_stats s;

	if (dispatch_stats(&s) ||
	    mshv_read_u64_file(BUDGET_PARAM, &self->budget))
		SKIP(return, "hvsim's dispatch statistics are not available");
	self->has_max_us = !mshv_read_u64_file(MAX_US_PARAM, &self->max_us);
	self->vm = mshv_vm_create();
	self->id = mshv_dbg_newest_partition();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->vp = mshv_vp_create(self->vm, 0);
	mshv_loop_guest(code, LOOPS, DONE_PORT);
	mshv_vm_write(self->vm, CODE_GPA, code, sizeof(code));
	mshv_vp_set_real_mode_cs(self->vp, 0, 0);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	set_param(BUDGET_PARAM, BIG_BUDGET);
	if (self->has_max_us)
		set_param(MAX_US_PARAM, MAX_US);
}

FIXTURE_TEARDOWN(bound)
{
	if (!self->vm)
		return;
	set_param(BUDGET_PARAM, self->budget);
	if (self->has_max_us)
		set_param(MAX_US_PARAM, self->max_us);
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

/*
 * Start a new measurement (@s0: the statistics then, zeroed), run the
 * whole loop on @vp in one MSHV_RUN_VP and read the statistics into @s1;
 * the dispatches of partition @id before and after in @d0 and @d1
 */
static void run_loop(struct __test_metadata *_metadata, struct mshv_vp *vp,
		     __u64 id, struct dispatch_stats *s0,
		     struct dispatch_stats *s1, __u64 *d0, __u64 *d1)
{
	const struct hv_x64_io_port_intercept_message *io;

	ASSERT_EQ(0, mshv_write_file(DISPATCH_FILE, "0"));
	ASSERT_EQ(0, dispatch_stats(s0));
	EXPECT_EQ(0ULL, s0->irqoff_max_ns);
	EXPECT_EQ(0ULL, s0->irqoff_total_ns);
	EXPECT_EQ(0ULL, s0->irqoff_stretches);
	EXPECT_EQ(0ULL, s0->irq_windows);
	EXPECT_EQ(0ULL, s0->irqoff_dispatches);
	*d0 = mshv_dbg_partition_get(id).dispatches;

	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(DONE_PORT, io->port_number);
	EXPECT_EQ(CODE_GPA + MSHV_LOOP_GUEST_OUT, io->header.rip);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RCX) &
		  0xffffffffULL);

	*d1 = mshv_dbg_partition_get(id).dispatches;
	ASSERT_EQ(0, dispatch_stats(s1));
	ASSERT_LT(0ULL, s1->irqoff_dispatches);
}

/* The whole loop in one run: dispatches stop at the time bound */
TEST_F(bound, long_loop)
{
	struct dispatch_stats s0, s1;
	__u64 d0, d1, stops, mean;
	FILE *clocksource;
	char cs[64];

	run_loop(_metadata, self->vp, self->id, &s0, &s1, &d0, &d1);
	clocksource = fopen(CLOCKSOURCE, "r");
	if (clocksource) {
		if (fgets(cs, sizeof(cs), clocksource))
			printf("# clocksource %s", cs);
		fclose(clocksource);
	}
	mean = s1.irqoff_total_ns / s1.irqoff_dispatches;
	printf("# %llu dispatches, %llu stopped by time, %llu by resched,",
	       (unsigned long long)(d1 - d0),
	       (unsigned long long)(s1.time_stops - s0.time_stops),
	       (unsigned long long)(s1.resched_stops - s0.resched_stops));
	printf(" interrupts off: mean %llu ns, max %llu ns\n",
	       (unsigned long long)mean,
	       (unsigned long long)s1.irqoff_max_ns);
	/*
	 * None stopped at the budget; the loop needed dispatches that stopped
	 * at the time bound (or to reschedule) and one that ran into the OUT.
	 */
	stops = (s1.time_stops - s0.time_stops) +
		(s1.resched_stops - s0.resched_stops);
	EXPECT_EQ(s0.budget_stops, s1.budget_stops);
	EXPECT_LE(1ULL, stops);
	EXPECT_LE(stops + 1, d1 - d0);
	/* The dispatches of this run, and only those, were measured */
	EXPECT_EQ(d1 - d0, s1.irqoff_dispatches);
	EXPECT_GE(IRQOFF_MEAN_LIMIT_NS, mean);
	EXPECT_GE(IRQOFF_MAX_LIMIT_NS, s1.irqoff_max_ns);
}

/*
 * The whole loop in one dispatch, without the time bound: the dispatch
 * stops only at the OUT, and keeps interrupts off only between its
 * interrupt windows, one before every 16th instruction: LOOP_INSNS / 16
 * windows, and one stretch more than windows per dispatch.  A new VP's
 * run also makes PRE_DISPATCHES dispatches that run no instruction
 * before it (long_loop counts them too: its dispatches are its stops
 * plus three).
 */
TEST_F(bound, irq_windows)
{
	struct dispatch_stats s0, s1;
	__u64 d0, d1, windows, mean;

	if (self->has_max_us)
		set_param(MAX_US_PARAM, 0);
	run_loop(_metadata, self->vp, self->id, &s0, &s1, &d0, &d1);
	windows = s1.irq_windows;
	mean = s1.irqoff_stretches ?
	       s1.irqoff_total_ns / s1.irqoff_stretches : 0;
	printf("# %llu dispatches, %llu interrupt windows,",
	       (unsigned long long)(d1 - d0), (unsigned long long)windows);
	printf(" interrupts off in %llu stretches: mean %llu ns, max %llu ns\n",
	       (unsigned long long)s1.irqoff_stretches,
	       (unsigned long long)mean,
	       (unsigned long long)s1.irqoff_max_ns);
	/* No bound ended a dispatch: the loop ran in one */
	EXPECT_EQ(s0.budget_stops, s1.budget_stops);
	EXPECT_EQ(s0.time_stops, s1.time_stops);
	EXPECT_EQ(s0.resched_stops, s1.resched_stops);
	EXPECT_EQ(PRE_DISPATCHES + 1, d1 - d0);
	EXPECT_EQ(d1 - d0, s1.irqoff_dispatches);
	/* The bound by design: a window every 16 instructions */
	EXPECT_EQ((__u64)LOOP_INSNS / WINDOW_INSNS, windows);
	EXPECT_EQ(windows + s1.irqoff_dispatches, s1.irqoff_stretches);
	EXPECT_GE(IRQOFF_MEAN_LIMIT_NS, mean);
	EXPECT_GE(IRQOFF_MAX_LIMIT_NS, s1.irqoff_max_ns);
}

TEST_HARNESS_MAIN
