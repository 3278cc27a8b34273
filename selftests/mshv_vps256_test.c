// SPDX-License-Identifier: GPL-2.0-only
/*
 * 256 VPs in one partition (lib/mshv_vpring.h): every VP increments its
 * own counter ITERS times, sends a fixed IPI to VP (i + 1) mod 256 and
 * waits, halted, for the one of VP (i - 1) mod 256; a pool of threads,
 * fewer than the VPs, runs them in turn.  Checked exactly:
 *
 *  - every counter is ITERS and every VP took exactly one IPI;
 *  - hvsim's interrupt counters: 256 IPIs, 256 deliveries, 256 EOIs, no
 *    drop, every halt ended by a wake, one scheduler message per wake and
 *    per first run (the VP's EXPLICIT_SUSPEND cleared), none dropped by
 *    the root's SynIC;
 *  - hvsim/vps lists the 256 VPs; the pages the driver deposited are the
 *    pages hvsim's pool holds, and the pool keeps three pages for every
 *    VP;
 *  - ASSERT_VIRTUAL_INTERRUPT reaches every VP alone, VP 255 too (an
 *    x2APIC destination), and the x2APIC broadcast all 256;
 *  - the teardown leaves nothing: the partition and its VPs are gone from
 *    hvsim/partitions, hvsim/vps and mshv_root/partitions.
 *
 * MSHV_VPS256_ITERS (default 100) and MSHV_VPS256_THREADS (default 8)
 * make a longer or differently shaped run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"
#include "mshv_vpring.h"

#define NR_VPS		256
#define SLICE_MS	20
#define LIMIT_MS	1500000	/* longer runs: MSHV_VPS256_ITERS */
/* hvsim's pool pages per VP: the VP, its register and its message page */
#define VP_POOL_PAGES	3

static unsigned long env_or(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/* The counters of hvsim/interrupts a ring run changes, by name */
enum {
	IPIS, IPI_DROPS, DELIVERED, EOIS, HALTS, WAKES, SIGNAL_MSGS, RESUMES,
	NR_COUNTS
};

static const char *const count_names[NR_COUNTS] = {
	[IPIS] = "ipis", [IPI_DROPS] = "ipi_drops",
	[DELIVERED] = "delivered", [EOIS] = "eois", [HALTS] = "halts",
	[WAKES] = "wakes", [SIGNAL_MSGS] = "signal_msgs",
	[RESUMES] = "resumes",
};

/* The counters, and the messages the root's SynIC dropped */
struct ring_counts {
	__u64 v[NR_COUNTS];
	__u64 synic_dropped;
};

static struct ring_counts ring_counts(void)
{
	struct ring_counts c;
	unsigned int i;

	for (i = 0; i < NR_COUNTS; i++)
		c.v[i] = mshv_dbg_irq_field_get(count_names[i]);
	c.synic_dropped = mshv_dbg_synic_get().dropped;
	return c;
}

/* Pages of @partition's pool in use (hvsim/partitions) */
static __u64 pool_used(__u64 partition)
{
	struct mshv_dbg_partition p = mshv_dbg_partition_get(partition);

	return p.pool_pages - p.pool_free;
}

/*
 * Create a ring of @nr VPs, run it from @threads threads, check every
 * result, tear it down and check that nothing is left.
 */
static void ring_test(struct __test_metadata *_metadata, unsigned int nr,
		      unsigned int threads, __u32 iters)
{
	struct ring_counts c0, c;
	__u64 d[NR_COUNTS];
	struct mshv_ring_stats st;
	struct mshv_vpring *r;
	int hv0, root0, hv, root;
	__u64 id, used0, used1, used;
	unsigned int i, bad = 0;
	int ret;

	mshv_dbg_nr_partitions(&hv0, &root0);
	r = mshv_vpring_create(nr, iters);
	id = r->partition;
	used0 = pool_used(id);
	mshv_vpring_add_vps(r);

	/* every VP is in hvsim; the driver's deposits are hvsim's pool */
	EXPECT_EQ(nr, (unsigned int)mshv_dbg_vps_of(id));
	EXPECT_EQ(mshv_dbg_partition_get(id).pool_pages,
		  mshv_dbg_deposited_get(id));
	used = pool_used(id) - used0;
	EXPECT_EQ((__u64)VP_POOL_PAGES * nr, used);
	used1 = used / nr;

	c0 = ring_counts();
	ret = mshv_vpring_run(r, threads, SLICE_MS, LIMIT_MS, &st);
	c = ring_counts();
	TH_LOG("%u VPs, %u threads, %u iterations: %.0f ms", nr, threads,
	       iters, st.ms);
	TH_LOG("%llu runs, %llu ended by the time slice, %llu pool pages per VP",
	       (unsigned long long)st.runs, (unsigned long long)st.slices,
	       (unsigned long long)used1);
	EXPECT_EQ(0, ret) TH_LOG("%u of %u VPs reported in time", st.done, nr);
	EXPECT_EQ(nr, st.done);
	EXPECT_EQ(0U, st.bad) TH_LOG("VP %u stopped with message %#x",
				     st.bad_vp, st.bad_type);

	for (i = 0; i < nr; i++) {
		const struct mshv_ring_block *b = mshv_vpring_block(r, i);

		if (b->counter == iters && b->received == 1)
			continue;
		if (bad++ < 8)
			TH_LOG("VP %u: counter %u (expected %u), %u IPIs received (expected 1)",
			       i, b->counter, iters, b->received);
	}
	EXPECT_EQ(0U, bad) TH_LOG("%u VPs with a wrong result", bad);

	for (i = 0; i < NR_COUNTS; i++)
		d[i] = c.v[i] - c0.v[i];
	EXPECT_EQ((__u64)nr, d[IPIS]);
	EXPECT_EQ(0ULL, d[IPI_DROPS]);
	EXPECT_EQ((__u64)nr, d[DELIVERED]);
	EXPECT_EQ((__u64)nr, d[EOIS]);
	/* a halted VP resumes only when its IPI wakes it */
	EXPECT_EQ(d[HALTS], d[WAKES]);
	EXPECT_EQ(d[WAKES], d[SIGNAL_MSGS]);
	/* each VP's first run cleared its EXPLICIT_SUSPEND: one signal */
	EXPECT_EQ((__u64)nr, d[RESUMES]);
	EXPECT_EQ(0ULL, c.synic_dropped - c0.synic_dropped);
	TH_LOG("%llu halts, %llu woken by their IPI",
	       (unsigned long long)d[HALTS], (unsigned long long)d[WAKES]);

	mshv_vpring_free(r);
	EXPECT_EQ(0, mshv_dbg_vps_of(id));
	EXPECT_EQ(-1, mshv_dbg_partition(id, &(struct mshv_dbg_partition){}));
	EXPECT_EQ(-1, mshv_dbg_deposited(id, &used));
	mshv_dbg_nr_partitions(&hv, &root);
	EXPECT_EQ(hv0, hv);
	EXPECT_EQ(root0, root);
}

FIXTURE(vps256)
{
	int unused;
};

FIXTURE_SETUP(vps256)
{
}

FIXTURE_TEARDOWN(vps256)
{
}

/* 256 VPs, a pool of (default) 8 threads */
TEST_F_TIMEOUT(vps256, pool, 1800)
{
	ring_test(_metadata, NR_VPS, env_or("MSHV_VPS256_THREADS", 8),
		  env_or("MSHV_VPS256_ITERS", 100));
}

/*
 * 256 VPs on one thread: every IPI but VP 255's reaches a VP that is not
 * running and waits in its LAPIC; VP 0 waits for the last one
 */
TEST_F_TIMEOUT(vps256, one_thread, 1800)
{
	ring_test(_metadata, NR_VPS, 1, env_or("MSHV_VPS256_ITERS", 100));
}

/* 256 VPs, a thread for each: every wait is a halt the IPI ends */
TEST_F_TIMEOUT(vps256, thread_each, 1800)
{
	ring_test(_metadata, NR_VPS, NR_VPS, env_or("MSHV_VPS256_ITERS", 100));
}

/* The VPs whose LAPIC has @vector pending, as a count and the lowest */
static unsigned int irr_vps(struct mshv_vpring *r, __u32 vector,
			    unsigned int *first)
{
	struct hv_local_interrupt_controller_state *st;
	unsigned int i, n = 0;

	st = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(st, "out of memory");
	*first = ~0U;
	for (i = 0; i < r->nr; i++) {
		memset(st, 0, MSHV_PAGE_SIZE);
		mshv_vp_lapic_state(r->vps[i], MSHV_GET_VP_STATE, st);
		if (!(st->apic_irr[vector / 32] & (1U << (vector % 32))))
			continue;
		if (!n++)
			*first = i;
	}
	free(st);
	return n;
}

#define X2APIC		HV_ASSERT_INTERRUPT_X2APIC_DEST
#define LOGICAL		HV_ASSERT_INTERRUPT_LOGICAL_DEST

/*
 * ASSERT_VIRTUAL_INTERRUPT names each of the 256 VPs alone: with the
 * x2APIC flag the destination is an x2APIC id (VP 255 is 0xFF; every VP
 * 0xFFFFFFFF; logical: cluster << 16 | a bit of 16), without it 0xFF
 * stays the xAPIC broadcast.  Each row asserts a fresh vector and counts
 * the VPs whose IRR holds it.
 */
TEST_F_TIMEOUT(vps256, assert_each_vp, 1800)
{
	static const struct {
		const char *name;
		__u32 flags;
		__u64 dest;
		unsigned int vps;	/* VPs that get the vector */
		unsigned int first;	/* the lowest of them */
	} rows[] = {
		{ "x2APIC VP 255", X2APIC, 0xFF, 1, 255 },
		{ "x2APIC VP 254", X2APIC, 0xFE, 1, 254 },
		{ "x2APIC VP 0", X2APIC, 0, 1, 0 },
		{ "x2APIC broadcast", X2APIC, 0xFFFFFFFF, NR_VPS, 0 },
		{ "x2APIC logical VP 255", X2APIC | LOGICAL,
		  (15 << 16) | 0x8000, 1, 255 },
		{ "x2APIC logical VPs 16, 17", X2APIC | LOGICAL,
		  (1 << 16) | 0x3, 2, 16 },
		{ "xAPIC broadcast", 0, 0xFF, NR_VPS, 0 },
		{ "xAPIC VP 254", 0, 0xFE, 1, 254 },
		{ "xAPIC logical VP 7", LOGICAL, 0x80, 1, 7 },
	};
	struct mshv_vpring *r = mshv_vpring_create(NR_VPS, 1);
	unsigned int i, n, first;
	__u16 status;

	mshv_vpring_add_vps(r);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		__u32 vector = 0x50 + i;
		__u64 a0 = mshv_dbg_irq_get().asserted;

		status = mshv_assert_interrupt(r->vm->fd,
					       HV_X64_INTERRUPT_TYPE_FIXED,
					       rows[i].flags, rows[i].dest,
					       vector);
		EXPECT_EQ(HV_STATUS_SUCCESS, status) TH_LOG("%s", rows[i].name);
		EXPECT_EQ((__u64)rows[i].vps, mshv_dbg_irq_get().asserted - a0)
			TH_LOG("%s", rows[i].name);
		n = irr_vps(r, vector, &first);
		EXPECT_EQ(rows[i].vps, n) TH_LOG("%s", rows[i].name);
		EXPECT_EQ(rows[i].first, first) TH_LOG("%s", rows[i].name);
	}

	/* An x2APIC id beyond the partition's VPs names none */
	status = mshv_assert_interrupt(r->vm->fd, HV_X64_INTERRUPT_TYPE_FIXED,
				       X2APIC, 0x100, 0x70);
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
	/* and a destination wider than 32 bits is invalid */
	status = mshv_assert_interrupt(r->vm->fd, HV_X64_INTERRUPT_TYPE_FIXED,
				       X2APIC, 1ULL << 32, 0x70);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	mshv_vpring_free(r);
}

TEST_HARNESS_MAIN
