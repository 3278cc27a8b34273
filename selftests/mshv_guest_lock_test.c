// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest atomics shared by two VPs of one partition, each run on its own
 * thread: a spinlock taken with LOCK CMPXCHG guards a counter incremented
 * with a plain load, increment and store; LOCK XADD and LOCK INC bump two
 * more counters.  Every VP does it ITERS times, so each counter must end
 * at exactly 2 * ITERS whatever the two VPs' dispatches interleave: a
 * VP stopped by the dispatch bounds inside the critical section leaves the
 * lock held and the other VP spins on it until it is released.
 *
 * Then the two VPs really execute at once: each runs a loop of plain
 * instructions for SPIN_ITERS rounds on its own thread, and hvsim's
 * debugfs "dispatch" reports max_parallel, the most VPs of one partition
 * seen executing at the same moment since the file was last written: 2.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "mshv_debugfs.h"
#include "mshv_test.h"

#define MEM_SIZE	0x10000ULL
#define CODE_GPA	0x1000ULL
#define LOCK_GPA	0x3000ULL	/* the spinlock: 0 free, 1 taken */
#define PLAIN_GPA	0x3004ULL	/* incremented under the lock */
#define XADD_GPA	0x3008ULL	/* LOCK XADD */
#define INC_GPA		0x300CULL	/* LOCK INC */
#define DONE_PORT	0xE9
#define ITERS		20000U
#define NR_VPS		2

/*
 * Real mode, DS = 0, ECX = ITERS: take the lock, increment the counter
 * under it, release it, then the two atomic counters; OUT when done.
 */
MSHV_GUEST_CODE(lock_code, 16,
		"lock_acquire:\n"
		"	xor %eax, %eax\n"
		"	mov $1, %edx\n"
		"	lock cmpxchg %edx, 0x3000\n"
		"	jnz lock_acquire\n"
		"	mov 0x3004, %ebx\n"
		"	inc %ebx\n"
		"	mov %ebx, 0x3004\n"
		"	movl $0, 0x3000\n"
		"	mov $1, %eax\n"
		"	lock xadd %eax, 0x3008\n"
		"	lock incl 0x300c\n"
		"	dec %ecx\n"
		"	jnz lock_acquire\n"
		"lock_out:\n"
		"	out %al, $0xe9\n"
		"	hlt\n");
MSHV_GUEST_LABEL(lock_out);

#define SPIN_ITERS	200000U
#define DISPATCH_FILE	MSHV_DBG_HVSIM "/dispatch"

/* Real mode, ECX = SPIN_ITERS: a loop of register instructions; OUT */
MSHV_GUEST_CODE(spin_code, 16,
		"spin_loop:\n"
		"	add $3, %eax\n"
		"	xor %eax, %ebx\n"
		"	dec %ecx\n"
		"	jnz spin_loop\n"
		"spin_out:\n"
		"	out %al, $0xe9\n"
		"	hlt\n");
MSHV_GUEST_LABEL(spin_out);

struct lock_vp {
	struct mshv_vp *vp;
	int err;	/* errno of the failed MSHV_RUN_VP, or 0 */
};

/* Run one VP until its first intercept, through signals */
static void *lock_vp_thread(void *arg)
{
	struct lock_vp *l = arg;
	int ret;

	do {
		ret = __mshv_run_vp(l->vp->fd, &l->vp->msg);
	} while (ret && errno == EINTR);
	l->err = ret ? errno : 0;
	return NULL;
}

/*
 * Run every VP of @vps on its own thread: each must stop at the OUT at
 * @out_rip with its ECX count at 0
 */
static void run_vps_to_out(struct __test_metadata *_metadata,
			   struct lock_vp *vps, __u64 out_rip)
{
	const struct hv_x64_io_port_intercept_message *io;
	pthread_t threads[NR_VPS];
	unsigned int i;

	for (i = 0; i < NR_VPS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, lock_vp_thread,
					    &vps[i]));
	for (i = 0; i < NR_VPS; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));

	for (i = 0; i < NR_VPS; i++) {
		struct mshv_vp *vp = vps[i].vp;

		ASSERT_EQ(0, vps[i].err);
		ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT,
			  vp->msg.header.message_type);
		io = (const void *)vp->msg.u.payload_bytes;
		EXPECT_EQ(DONE_PORT, io->port_number);
		EXPECT_EQ(out_rip, io->header.rip);
		EXPECT_EQ(0ULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RCX) &
			  0xffffffffULL);
	}
}

FIXTURE(guest_lock)
{
	struct mshv_vm *vm;
	struct lock_vp vps[NR_VPS];
};

FIXTURE_SETUP(guest_lock)
{
	unsigned int i;

	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	mshv_vm_write(self->vm, CODE_GPA, lock_code,
		      MSHV_GUEST_SIZE(lock_code));
	for (i = 0; i < NR_VPS; i++) {
		struct mshv_vp *vp = mshv_vp_create(self->vm, i);

		if (i)
			mshv_vp_start_ap(vp);
		mshv_vp_set_real_mode_cs(vp, 0, 0);
		mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
		mshv_vp_set_reg(vp, HV_X64_REGISTER_RCX, ITERS);
		self->vps[i].vp = vp;
	}
}

FIXTURE_TEARDOWN(guest_lock)
{
	unsigned int i;

	for (i = 0; i < NR_VPS; i++)
		if (self->vps[i].vp)
			mshv_vp_free(self->vps[i].vp);
	mshv_vm_free(self->vm);
}

/* Two VPs, ITERS rounds each: every counter is exactly 2 * ITERS */
TEST_F_TIMEOUT(guest_lock, two_vps, 600)
{
	__u32 mem[5];

	run_vps_to_out(_metadata, self->vps,
		       CODE_GPA + MSHV_GUEST_OFFSET(lock_code, lock_out));
	mshv_vm_read(self->vm, LOCK_GPA, mem, sizeof(mem));
	EXPECT_EQ(0U, mem[0]);			/* released */
	EXPECT_EQ(NR_VPS * ITERS, mem[1]);	/* under the lock */
	EXPECT_EQ(NR_VPS * ITERS, mem[2]);	/* LOCK XADD */
	EXPECT_EQ(NR_VPS * ITERS, mem[3]);	/* LOCK INC */
}

/* debugfs "dispatch": the value of max_parallel */
static int read_max_parallel(unsigned long long *v)
{
	char line[512];
	const char *f;
	FILE *fp = fopen(DISPATCH_FILE, "r");
	bool ok;

	if (!fp)
		return -1;
	ok = fgets(line, sizeof(line), fp);
	fclose(fp);
	f = ok ? strstr(line, "max_parallel=") : NULL;
	if (!f || sscanf(f + strlen("max_parallel="), "%llu", v) != 1)
		return -1;
	return 0;
}

/* The two VPs execute at the same time: max_parallel reaches 2 */
TEST_F_TIMEOUT(guest_lock, overlap, 600)
{
	unsigned long long maxp = 99;
	unsigned int i;

	mshv_vm_write(self->vm, CODE_GPA, spin_code,
		      MSHV_GUEST_SIZE(spin_code));
	for (i = 0; i < NR_VPS; i++)
		mshv_vp_set_reg(self->vps[i].vp, HV_X64_REGISTER_RCX,
				SPIN_ITERS);
	ASSERT_EQ(0, mshv_write_file(DISPATCH_FILE, "0"));
	ASSERT_EQ(0, read_max_parallel(&maxp));
	ASSERT_EQ(0ULL, maxp);

	run_vps_to_out(_metadata, self->vps,
		       CODE_GPA + MSHV_GUEST_OFFSET(spin_code, spin_out));
	ASSERT_EQ(0, read_max_parallel(&maxp));
	printf("# max_parallel=%llu\n", maxp);
	EXPECT_EQ((unsigned long long)NR_VPS, maxp);
}

/*
 * A lock handed over through a PAUSE loop, as firmware starting an
 * application processor does: VP 0 holds the lock and, in an 8-instruction
 * loop, releases it, PAUSEs and takes it back until VP 1 has set the flag.
 * VP 1 spins on LOCK BTS to take the lock, sets the flag and releases it.
 * Both VP threads are bound to one CPU, so the VPs run one at a time, and
 * a dispatch bound that is a multiple of 8 instructions would end each of
 * VP 0's dispatches with the lock held, so VP 1 would never see it free:
 * the hand-over needs VP 0's dispatch to end at PAUSE.  VP 0 gives up
 * after HOLD_ITERS rounds.
 */
#define FLAG_GPA	0x3004ULL
#define HOLD_ITERS	100000U

MSHV_GUEST_CODE(pause_code, 16,
		"hold:\n"
		"	cmpl $1, 0x3004\n"
		"	je hold_done\n"
		"	movl $0, 0x3000\n"
		"	pause\n"
		"	lock btsl $0, 0x3000\n"
		"	dec %ecx\n"
		"	jz hold_done\n"
		"	jmp hold\n"
		"hold_done:\n"
		"	movl $0, 0x3000\n"
		"	out %al, $0xe9\n"
		"	hlt\n"
		"take:\n"
		"	lock btsl $0, 0x3000\n"
		"	jc take\n"
		"	movl $1, 0x3004\n"
		"	movl $0, 0x3000\n"
		"	out %al, $0xe9\n"
		"	hlt\n");
MSHV_GUEST_LABEL(take);

TEST(pause_handoff)
{
	struct lock_vp vps[NR_VPS] = {};
	pthread_t threads[NR_VPS];
	struct mshv_vm *vm;
	cpu_set_t all, one;
	__u32 mem[2] = { 1, 0 };	/* the lock taken, the flag clear */
	__u64 rcx;
	unsigned int i;

	vm = mshv_vm_create();
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, pause_code, MSHV_GUEST_SIZE(pause_code));
	mshv_vm_write(vm, LOCK_GPA, mem, sizeof(mem));
	for (i = 0; i < NR_VPS; i++) {
		vps[i].vp = mshv_vp_create(vm, i);
		if (i)
			mshv_vp_start_ap(vps[i].vp);
		mshv_vp_set_real_mode_cs(vps[i].vp, 0, 0);
		mshv_vp_set_reg(vps[i].vp, HV_X64_REGISTER_RIP, i ?
				CODE_GPA + MSHV_GUEST_OFFSET(pause_code, take) :
				CODE_GPA);
		mshv_vp_set_reg(vps[i].vp, HV_X64_REGISTER_RCX, HOLD_ITERS);
	}
	/* one CPU for both VPs' threads (they inherit it), as one at a time */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(all), &all));
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	for (i = 0; i < NR_VPS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, lock_vp_thread,
					    &vps[i]));
	for (i = 0; i < NR_VPS; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(all), &all));
	for (i = 0; i < NR_VPS; i++) {
		ASSERT_EQ(0, vps[i].err);
		ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT,
			  vps[i].vp->msg.header.message_type);
	}
	/* VP 0 left its loop because VP 1 took the lock, not by giving up */
	rcx = mshv_vp_get_reg(vps[0].vp, HV_X64_REGISTER_RCX) & 0xffffffffULL;
	TH_LOG("VP 0 rounds left: %llu of %u", (unsigned long long)rcx,
	       HOLD_ITERS);
	EXPECT_NE(0ULL, rcx);
	mshv_vm_read(vm, LOCK_GPA, mem, sizeof(mem));
	EXPECT_EQ(0U, mem[0]);
	EXPECT_EQ(1U, mem[1]);
	for (i = 0; i < NR_VPS; i++)
		mshv_vp_free(vps[i].vp);
	mshv_vm_free(vm);
}

TEST_HARNESS_MAIN
