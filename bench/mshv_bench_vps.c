// SPDX-License-Identifier: GPL-2.0-only
/*
 * VP scaling (Documentation/hvsim.rst), run inside the test VM by
 * `make bench`: the time to create a partition with 256 VPs, run every VP
 * to its end once (the ring guest of selftests/lib/mshv_vpring.h) and
 * destroy it, against the same for one VP, both measured in this run.
 *
 *   bench: <name> <value> <unit> (target <...>)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"
#include "mshv_vpring.h"

#define ITERS		100
#define THREADS		8
#define SLICE_MS	20
#define LIMIT_MS	600000
#define ROUNDS		3

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* driver_bytes of the last ring of 256 VPs, after its run */
static __u64 ring_driver_bytes;

/* Create, run once and destroy a ring of @nr VPs; its time in ms */
static double ring_once(unsigned int nr, unsigned int threads,
			double *create_ms, double *run_ms, double *destroy_ms)
{
	struct mshv_ring_stats st;
	struct mshv_vpring *r;
	double t0, t1, t2, t3;
	unsigned int i;

	t0 = now_ms();
	r = mshv_vpring_create(nr, ITERS);
	mshv_vpring_add_vps(r);
	t1 = now_ms();
	MSHV_TEST_ASSERT(!mshv_vpring_run(r, threads, SLICE_MS, LIMIT_MS, &st),
			 "%u of %u VPs reported", st.done, nr);
	MSHV_TEST_ASSERT(st.done == nr && !st.bad, "%u done, %u bad", st.done,
			 st.bad);
	t2 = now_ms();
	if (nr == MSHV_RING_MAX_VPS) {
		__u64 id = mshv_dbg_newest_partition();

		ring_driver_bytes = mshv_dbg_root_partition_get(id).driver_bytes;
	}
	for (i = 0; i < nr; i++) {
		const struct mshv_ring_block *b = mshv_vpring_block(r, i);

		MSHV_TEST_ASSERT(b->counter == ITERS && b->received == 1,
				 "VP %u: counter %u, %u IPIs", i, b->counter,
				 b->received);
	}
	mshv_vpring_free(r);
	t3 = now_ms();
	*create_ms += t1 - t0;
	*run_ms += t2 - t1;
	*destroy_ms += t3 - t2;
	return t3 - t0;
}

int main(void)
{
	double c1 = 0, r1 = 0, d1 = 0, cn = 0, rn = 0, dn = 0;
	double one = 0, many = 0;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* one warm-up of each, then ROUNDS of each, interleaved */
	ring_once(1, 1, &c1, &r1, &d1);
	ring_once(MSHV_RING_MAX_VPS, THREADS, &cn, &rn, &dn);
	c1 = 0;
	r1 = 0;
	d1 = 0;
	cn = 0;
	rn = 0;
	dn = 0;
	for (i = 0; i < ROUNDS; i++) {
		one += ring_once(1, 1, &c1, &r1, &d1);
		many += ring_once(MSHV_RING_MAX_VPS, THREADS, &cn, &rn, &dn);
	}
	printf("bench: vps_1_create_run_destroy_ms %.1f ms ", one / ROUNDS);
	printf("(create %.1f, run %.1f, destroy %.1f; informative)\n",
	       c1 / ROUNDS, r1 / ROUNDS, d1 / ROUNDS);
	printf("bench: vps_256_create_run_destroy_ms %.1f ms ", many / ROUNDS);
	printf("(create %.1f, run %.1f, destroy %.1f; %u threads; informative)\n",
	       cn / ROUNDS, rn / ROUNDS, dn / ROUNDS, THREADS);
	printf("bench: vps_256_create_run_destroy_vs_1 %.1f x ", many / one);
	printf("(target <= 256: no VP costs more than a lone one)\n");
	/* the partition's own memory shared out over its VPs */
	printf("bench: vp_driver_bytes %llu bytes (%u VPs after their run; informative)\n",
	       (unsigned long long)(ring_driver_bytes / MSHV_RING_MAX_VPS),
	       MSHV_RING_MAX_VPS);
	return 0;
}
