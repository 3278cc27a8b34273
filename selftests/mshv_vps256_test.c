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

#include "mshv_test.h"
#include "mshv_debugfs.h"
#include "mshv_vpring.h"

#define NR_VPS		256
#define SLICE_MS	20
#define LIMIT_MS	240000
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
TEST_F_TIMEOUT(vps256, pool, 300)
{
	ring_test(_metadata, NR_VPS, env_or("MSHV_VPS256_THREADS", 8),
		  env_or("MSHV_VPS256_ITERS", 100));
}

/*
 * 256 VPs on one thread: every IPI but VP 255's reaches a VP that is not
 * running and waits in its LAPIC; VP 0 waits for the last one
 */
TEST_F_TIMEOUT(vps256, one_thread, 300)
{
	ring_test(_metadata, NR_VPS, 1, env_or("MSHV_VPS256_ITERS", 100));
}

/* 256 VPs, a thread for each: every wait is a halt the IPI ends */
TEST_F_TIMEOUT(vps256, thread_each, 300)
{
	ring_test(_metadata, NR_VPS, NR_VPS, env_or("MSHV_VPS256_ITERS", 100));
}

TEST_HARNESS_MAIN
