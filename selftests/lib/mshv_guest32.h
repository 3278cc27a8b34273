/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest for memory tests: one VP in 32-bit protected mode with flat 4 GiB
 * segments (no paging), running a small program that reads, writes or
 * verifies one dword in each of a list of guest physical addresses.
 *
 * Guest physical layout:
 *
 *   0x00000 +-----------------------+  control region (64 KiB, RWX,
 *           |                       |  anonymous, 4 KiB pages)
 *   0x01000 | program               |
 *   0x02000 | GPA table (u32 each)  |
 *   0x10000 +-----------------------+
 *           ... data regions mapped by the test, below 4 GiB ...
 *
 * Operations on each address A (seed S in EDX):
 *
 *   MSHV_G32_READ          sum += [A]               (read access)
 *   MSHV_G32_WRITE         [A] = A ^ S              (write access)
 *   MSHV_G32_VERIFY        [A] == A ^ S, else stop  (read access)
 *   MSHV_G32_VERIFY_CONST  [A] == S, else stop      (read access)
 *   MSHV_G32_WRITE_CONST   [A] = S                  (write access)
 *
 * The addresses come from the table or, with mshv_g32_run_strided(), are
 * start + i * stride.  A verification failure stops the guest with an
 * OUT to port MSHV_G32_PORT_MISMATCH (EAX = value read, EBX = address).
 */
#ifndef _MSHV_SELFTEST_GUEST32_H
#define _MSHV_SELFTEST_GUEST32_H

#include <stdbool.h>
#include <linux/types.h>

#include "mshv_lib.h"
#include "mshv_guest_code.h"

#define MSHV_G32_CTL_GPA	0x0ULL
#define MSHV_G32_CTL_SIZE	0x10000ULL
#define MSHV_G32_CODE_GPA	0x1000ULL
#define MSHV_G32_TABLE_GPA	0x2000ULL
#define MSHV_G32_TABLE_MAX	((MSHV_G32_CTL_SIZE - MSHV_G32_TABLE_GPA) / 4)
#define MSHV_G32_PORT_MISMATCH	0x10
/* Or'ed into the operation: addresses are start + i * stride */
#define MSHV_G32_STRIDED	0x10
/* The program's final HLT */
#define MSHV_G32_DONE_GPA	(MSHV_G32_CODE_GPA + \
				 MSHV_GUEST_OFFSET(mshv_g32_code, mshv_g32_done))

enum mshv_g32_op {
	MSHV_G32_READ = 0,
	MSHV_G32_WRITE = 1,
	MSHV_G32_VERIFY = 2,
	MSHV_G32_VERIFY_CONST = 3,
	MSHV_G32_WRITE_CONST = 4,
};

/**
 * struct mshv_g32 - a partition with one flat 32-bit VP and its control
 *	region
 * @vm: the partition
 * @vp: VP 0
 * @ctl: host mapping of the control region
 * @partition: the partition id (hvsim/partitions, message sender)
 * @sum: EDI after the last MSHV_G32_READ run
 */
struct mshv_g32 {
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	void *ctl;
	__u64 partition;
	__u32 sum;
};

struct mshv_g32 *mshv_g32_create(void);
void mshv_g32_free(struct mshv_g32 *g);
const struct hv_message *mshv_g32_exec(struct mshv_g32 *g, enum mshv_g32_op op,
				       const __u32 *gpas, unsigned int n,
				       __u32 seed);
const struct hv_message *mshv_g32_exec_strided(struct mshv_g32 *g,
					       enum mshv_g32_op op, __u32 start,
					       __u32 stride, __u32 count,
					       __u32 seed);
void mshv_g32_expect_done(struct mshv_g32 *g, const struct hv_message *msg);
void mshv_g32_run(struct mshv_g32 *g, enum mshv_g32_op op, const __u32 *gpas,
		  unsigned int n, __u32 seed);
void mshv_g32_run_strided(struct mshv_g32 *g, enum mshv_g32_op op,
			  __u32 start, __u32 stride, __u32 count, __u32 seed);
__u64 mshv_g32_msg_gpa(const struct hv_message *msg);
void mshv_g32_set(struct mshv_g32 *g, __u32 op, __u32 esi, __u32 esp,
		  __u32 count, __u32 seed);
void mshv_g32_enter_protected_mode(struct mshv_vp *vp);

/* The program, assembled in mshv_guest32.c; its final HLT is at _done */
extern const __u8 mshv_g32_code[], mshv_g32_code_end[];
MSHV_GUEST_LABEL(mshv_g32_done);

/*
 * The pattern program, for stress tests: with EBP pointing to its block
 * (below; 0x40 bytes, in guest memory) and ESP to a stack, it enables
 * interrupts and then, pass after pass, forever:
 *
 *   - increments the block's generation G and reports it with an OUT of
 *     EAX = G to MSHV_G32_PAT_PORT_START,
 *   - writes every stride-th 8-byte word at A of [base, base + size):
 *     low dword A & mask, high dword G,
 *   - reads them back; a word that differs is reported by an OUT to
 *     MSHV_G32_PAT_PORT_BAD with EAX, ECX = its low and high dword as
 *     read, ESI = A, and the check goes on with the next word,
 *   - ends the pass with an OUT to MSHV_G32_PAT_PORT_END.
 *
 * The handler at mshv_g32_pattern_irq (for a 32-bit interrupt gate with
 * selector 0x8) counts interrupts in the block and signals EOI through
 * the x2APIC EOI MSR.  Each OUT is an intercept the VMM completes by
 * moving RIP past the instruction.
 */
#define MSHV_G32_PAT_BASE	0	/* u32 offsets in the block */
#define MSHV_G32_PAT_SIZE	4
#define MSHV_G32_PAT_MASK	8
#define MSHV_G32_PAT_GEN	12
#define MSHV_G32_PAT_STRIDE	16	/* a multiple of 8 */
#define MSHV_G32_PAT_IRQS	20
#define MSHV_G32_PAT_PORT_START	0x11
#define MSHV_G32_PAT_PORT_END	0x12
#define MSHV_G32_PAT_PORT_BAD	0x13

extern const __u8 mshv_g32_pattern[], mshv_g32_pattern_end[];
MSHV_GUEST_LABEL(mshv_g32_pattern_irq);

/* What MSHV_G32_WRITE stores at @gpa */
static inline __u32 mshv_g32_value(__u64 gpa, __u32 seed)
{
	return (__u32)gpa ^ seed;
}

#endif /* _MSHV_SELFTEST_GUEST32_H */
