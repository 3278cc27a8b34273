// SPDX-License-Identifier: GPL-2.0-only
/*
 * A ring of VPs in one partition, run from a pool of threads (see
 * mshv_vpring.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"
#include "mshv_guest_code.h"
#include "mshv_vpring.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define ICR_FIXED	(0x4000 | MSHV_RING_VECTOR)

/*
 * The program (16-bit real mode, CS = 0).  EBX = ITERS, EBP = the VP's
 * block, ESI = the neighbour's index (x2APIC id).  It counts to ITERS in
 * the block's first dword, sends the neighbour a fixed IPI, waits with
 * interrupts enabled until the handler has counted one (the block's
 * second dword) and reports.
 */
MSHV_GUEST_CODE(ring_code, 16,
		"	mov %ebx, %ecx\n"
		"1:	incl 0(%bp)\n"
		"	dec %ecx\n"
		"	jnz 1b\n"
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_ICR) ", %ecx\n"
		"	mov %esi, %edx\n"
		"	mov $" MSHV_GUEST_STR(ICR_FIXED) ", %eax\n"
		"	wrmsr\n"
		"2:	cli\n"
		"	cmpl $0, 4(%bp)\n"
		"	jnz 3f\n"
		"	sti\n"
		"	hlt\n"
		"	jmp 2b\n"
		"3:	out %al, $" MSHV_GUEST_STR(MSHV_RING_PORT_DONE) "\n"
		"	cli\n"
		"	hlt\n");

/* The handler: count the IPI, EOI, iret */
MSHV_GUEST_CODE(ring_handler, 16,
		"	incl 4(%bp)\n"
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_EOI) ", %ecx\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	iret\n");

/**
 * mshv_vpring_create() - a partition with the ring's guest memory and
 *	program, no VP yet
 * @nr: number of VPs the ring will have (1 to %MSHV_RING_MAX_VPS)
 * @iters: increments each VP makes (at least 1)
 *
 * Return: the ring, freed by mshv_vpring_free(); fails the test on error.
 */
struct mshv_vpring *mshv_vpring_create(unsigned int nr, __u32 iters)
{
	struct mshv_vpring *r = calloc(1, sizeof(*r));
	__u8 ivt[4] = { MSHV_RING_HANDLER_GPA & 0xFF,
			MSHV_RING_HANDLER_GPA >> 8, 0, 0 };

	MSHV_TEST_ASSERT(r, "out of memory");
	MSHV_TEST_ASSERT(nr >= 1 && nr <= MSHV_RING_MAX_VPS && iters >= 1,
			 "%u VPs, %u iterations", nr, iters);
	r->nr = nr;
	r->iters = iters;
	r->vm = mshv_vm_create();
	r->partition = mshv_dbg_newest_partition();
	mshv_vm_add_memory(r->vm, 0, MSHV_RING_MEM_SIZE);
	/* resident and written once, so that the guest's writes take no COW */
	memset(r->vm->mem, 0, MSHV_RING_MEM_SIZE);
	mshv_vm_write(r->vm, MSHV_RING_VECTOR * 4, ivt, sizeof(ivt));
	mshv_vm_write(r->vm, MSHV_RING_CODE_GPA, ring_code,
		      MSHV_GUEST_SIZE(ring_code));
	mshv_vm_write(r->vm, MSHV_RING_HANDLER_GPA, ring_handler,
		      MSHV_GUEST_SIZE(ring_handler));
	return r;
}

/**
 * mshv_vpring_add_vps() - create the ring's VPs and point them at the
 *	program
 * @r: the ring
 *
 * Each VP gets its registers in one SET_VP_REGISTERS: CS = 0, RIP, its
 * stack, block and neighbour, RFLAGS with IF clear and, for the
 * application processors, INTERNAL_ACTIVITY_STATE 0 (started without a
 * SIPI).  Fails the test on error.
 */
void mshv_vpring_add_vps(struct mshv_vpring *r)
{
	struct hv_x64_segment_register cs;
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		struct hv_register_assoc regs[] = {
			{ .name = HV_X64_REGISTER_CS },
			{ .name = HV_X64_REGISTER_RIP,
			  .value.reg64 = MSHV_RING_CODE_GPA },
			{ .name = HV_X64_REGISTER_RSP,
			  .value.reg64 = MSHV_RING_STACK_GPA +
					 (i + 1) * MSHV_RING_STACK_SIZE },
			{ .name = HV_X64_REGISTER_RBP,
			  .value.reg64 = MSHV_RING_BLOCK_GPA +
					 i * MSHV_RING_BLOCK_SIZE },
			{ .name = HV_X64_REGISTER_RBX, .value.reg64 = r->iters },
			{ .name = HV_X64_REGISTER_RSI,
			  .value.reg64 = (i + 1) % r->nr },
			{ .name = HV_X64_REGISTER_RFLAGS,
			  .value.reg64 = MSHV_RFLAGS_RESET },
			{ .name = HV_REGISTER_INTERNAL_ACTIVITY_STATE },
		};

		r->vps[i] = mshv_vp_create(r->vm, i);
		if (!i) {
			cs = mshv_vp_get_segment(r->vps[0], HV_X64_REGISTER_CS);
			cs.base = 0;
			cs.selector = 0;
		}
		regs[0].value.segment = cs;
		mshv_vp_set_registers(r->vps[i], regs, ARRAY_SIZE(regs));
	}
}

/**
 * mshv_vpring_block() - the host's view of VP @i's block
 * @r: the ring
 * @i: VP index
 *
 * Return: the block in guest memory.
 */
const struct mshv_ring_block *mshv_vpring_block(const struct mshv_vpring *r,
						unsigned int i)
{
	return (const void *)((const char *)r->vm->mem +
			      MSHV_RING_BLOCK_GPA + i * MSHV_RING_BLOCK_SIZE);
}

/**
 * mshv_vpring_free() - close the VPs and the partition, free the memory
 * @r: the ring, or NULL
 *
 * The partition is torn down when the last fd closes, i.e. here.
 */
void mshv_vpring_free(struct mshv_vpring *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < r->nr; i++)
		mshv_vp_free(r->vps[i]);
	mshv_vm_free(r->vm);
	free(r);
}

/* The state the pool's threads share */
struct ring_pool {
	struct mshv_vpring *r;
	unsigned int threads;
	unsigned int slice_ms;
	double deadline;
	bool done[MSHV_RING_MAX_VPS];
	struct mshv_ring_stats st;
	pthread_mutex_t lock;	/* @st */
};

struct ring_thread {
	struct ring_pool *pool;
	unsigned int id;
	int err;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_slice(int sig)
{
	(void)sig;
}

/* Run @vp for at most one slice; record what it did in @st */
static void ring_run_one(struct ring_pool *p, timer_t timer,
			 struct mshv_vp *vp, struct mshv_ring_stats *st)
{
	struct itimerspec arm = {
		.it_value.tv_sec = p->slice_ms / 1000,
		.it_value.tv_nsec = p->slice_ms % 1000 * 1000000L,
	};
	struct itimerspec off = { 0 };
	const struct hv_x64_io_port_intercept_message *io;
	int ret, err;

	MSHV_TEST_ASSERT(!timer_settime(timer, 0, &arm, NULL), "timer_settime");
	ret = __mshv_run_vp(vp->fd, &vp->msg);
	err = errno;
	timer_settime(timer, 0, &off, NULL);
	st->runs++;
	if (ret) {
		errno = err;
		MSHV_TEST_ASSERT(err == EINTR, "MSHV_RUN_VP of VP %u", vp->index);
		st->slices++;
		return;
	}
	io = (const void *)vp->msg.u.payload;
	if (vp->msg.header.message_type == HVMSG_X64_IO_PORT_INTERCEPT &&
	    io->port_number == MSHV_RING_PORT_DONE) {
		st->done++;
	} else {
		if (!st->bad) {
			st->bad_type = vp->msg.header.message_type;
			st->bad_vp = vp->index;
		}
		st->bad++;
	}
	p->done[vp->index] = true;
}

static void *ring_thread_fn(void *arg)
{
	struct ring_thread *t = arg;
	struct ring_pool *p = t->pool;
	struct mshv_ring_stats st = { 0 };
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	unsigned int i, left;
	timer_t timer;

	sev.sigev_notify_thread_id = syscall(SYS_gettid);
	MSHV_TEST_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &timer),
			 "timer_create");
	do {
		left = 0;
		for (i = t->id; i < p->r->nr; i += p->threads) {
			if (p->done[i])
				continue;
			ring_run_one(p, timer, p->r->vps[i], &st);
			left += !p->done[i];
		}
		if (left && now_ms() > p->deadline) {
			t->err = ETIMEDOUT;
			break;
		}
	} while (left);
	timer_delete(timer);

	pthread_mutex_lock(&p->lock);
	p->st.runs += st.runs;
	p->st.slices += st.slices;
	p->st.done += st.done;
	if (st.bad && !p->st.bad) {
		p->st.bad_type = st.bad_type;
		p->st.bad_vp = st.bad_vp;
	}
	p->st.bad += st.bad;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/**
 * mshv_vpring_run() - run every VP of the ring until it reports, from a
 *	pool of threads
 * @r: the ring, its VPs created
 * @threads: threads in the pool (1 to the number of VPs)
 * @slice_ms: longest a thread stays with one VP per turn
 * @limit_ms: the run gives up after this long
 * @st: receives what the run did
 *
 * Each VP is run until it stops with an intercept (the report, or any
 * other message, which counts as bad); a VP is not run again after that.
 *
 * Return: 0 when every VP stopped, ETIMEDOUT when some did not within
 * @limit_ms.
 */
int mshv_vpring_run(struct mshv_vpring *r, unsigned int threads,
		    unsigned int slice_ms, unsigned int limit_ms,
		    struct mshv_ring_stats *st)
{
	struct sigaction sa = { .sa_handler = on_slice };
	struct ring_pool *p = calloc(1, sizeof(*p));
	struct ring_thread *t = calloc(threads, sizeof(*t));
	pthread_t *tid = calloc(threads, sizeof(*tid));
	double t0;
	unsigned int i;
	int err = 0;

	MSHV_TEST_ASSERT(p && t && tid, "out of memory");
	MSHV_TEST_ASSERT(threads >= 1 && threads <= r->nr, "%u threads",
			 threads);
	/* No SA_RESTART: the slice's signal ends a blocked MSHV_RUN_VP */
	MSHV_TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	p->r = r;
	p->threads = threads;
	p->slice_ms = slice_ms;
	pthread_mutex_init(&p->lock, NULL);
	t0 = now_ms();
	p->deadline = t0 + limit_ms;
	for (i = 0; i < threads; i++) {
		t[i].pool = p;
		t[i].id = i;
		MSHV_TEST_ASSERT(!pthread_create(&tid[i], NULL, ring_thread_fn,
						 &t[i]), "pthread_create");
	}
	for (i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		if (t[i].err)
			err = t[i].err;
	}
	p->st.ms = now_ms() - t0;
	*st = p->st;
	pthread_mutex_destroy(&p->lock);
	free(tid);
	free(t);
	free(p);
	return err;
}
