/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A ring of VPs in one partition, run from a pool of threads: the guest of
 * mshv_vps256_test and of the VP-scaling benchmark.
 *
 * Every VP runs the same real-mode program (CS = 0) on its own 16-byte
 * block and 64-byte stack:
 *
 *   - it increments the counter at block + 0 ITERS times (EBX = ITERS);
 *   - it sends a fixed IPI (vector MSHV_RING_VECTOR) through the x2APIC ICR
 *     to its neighbour, VP (i + 1) mod NR (ESI);
 *   - it waits, with STI; HLT, until its own handler has counted the IPI
 *     of VP (i - 1) mod NR at block + 4 (the handler signals EOI through
 *     the x2APIC EOI MSR);
 *   - it reports with an OUT to MSHV_RING_PORT_DONE and stops.
 *
 * Guest physical layout (one 64 KiB movable region at GPA 0):
 *
 *   0x0000  IVT (MSHV_RING_VECTOR -> 0:MSHV_RING_HANDLER_GPA)
 *   0x1000  the program
 *   0x2000  the interrupt handler
 *   0x4000  the VP blocks, 16 bytes each (256 * 16 = 4 KiB)
 *   0x8000  the stacks, 64 bytes each, up to 0xC000
 *
 * A thread of the pool owns the VPs i with i % threads == its number and
 * runs them in turn, each for at most a time slice: a VP that waits for
 * its neighbour's IPI blocks in MSHV_RUN_VP until the IPI wakes it or a
 * thread-directed timer signal (EINTR) sends the thread on to its next
 * VP.  An IPI to a VP no thread is running stays pending in its LAPIC.
 */
#ifndef _MSHV_SELFTEST_VPRING_H
#define _MSHV_SELFTEST_VPRING_H

#include <linux/types.h>

#include "mshv_lib.h"

#define MSHV_RING_MAX_VPS	256
#define MSHV_RING_MEM_SIZE	0x10000ULL
#define MSHV_RING_CODE_GPA	0x1000ULL
#define MSHV_RING_HANDLER_GPA	0x2000ULL
#define MSHV_RING_BLOCK_GPA	0x4000ULL
#define MSHV_RING_BLOCK_SIZE	16
#define MSHV_RING_STACK_GPA	0x8000ULL
#define MSHV_RING_STACK_SIZE	64
#define MSHV_RING_VECTOR	0x40
#define MSHV_RING_PORT_DONE	0x70

/**
 * struct mshv_ring_block - a VP's block in guest memory
 * @counter: incremented ITERS times by the VP
 * @received: IPIs the VP's handler took
 * @reserved: not used by the guest
 */
struct mshv_ring_block {
	__u32 counter;
	__u32 received;
	__u32 reserved[2];
};

/**
 * struct mshv_ring_stats - what one mshv_vpring_run() did
 * @runs: MSHV_RUN_VP calls
 * @slices: of those, ended by the time-slice signal (EINTR)
 * @done: VPs that reported MSHV_RING_PORT_DONE
 * @bad: VPs that stopped with another message (the first one's type and
 *	VP in @bad_type and @bad_vp)
 * @bad_type: message type of the first bad stop
 * @bad_vp: its VP
 * @ms: wall time of the run
 */
struct mshv_ring_stats {
	__u64 runs;
	__u64 slices;
	unsigned int done;
	unsigned int bad;
	__u32 bad_type;
	__u32 bad_vp;
	double ms;
};

/**
 * struct mshv_vpring - the partition, its VPs and the guest's parameters
 * @vm: the partition and its guest memory
 * @vps: the VPs, by index
 * @nr: number of VPs
 * @iters: increments each VP makes
 * @partition: the partition id (hvsim/partitions)
 */
struct mshv_vpring {
	struct mshv_vm *vm;
	struct mshv_vp *vps[MSHV_RING_MAX_VPS];
	unsigned int nr;
	__u32 iters;
	__u64 partition;
};

struct mshv_vpring *mshv_vpring_create(unsigned int nr, __u32 iters);
void mshv_vpring_add_vps(struct mshv_vpring *r);
int mshv_vpring_run(struct mshv_vpring *r, unsigned int threads,
		    unsigned int slice_ms, unsigned int limit_ms,
		    struct mshv_ring_stats *st);
const struct mshv_ring_block *mshv_vpring_block(const struct mshv_vpring *r,
						unsigned int i);
void mshv_vpring_free(struct mshv_vpring *r);

#endif /* _MSHV_SELFTEST_VPRING_H */
