// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency stress with a data invariant.
 *
 * For a given time (MSHV_STRESS_SECONDS in the environment; default
 * 60 s), several VPs of one partition each run a guest that, pass after
 * pass, writes an 8-byte word in every 256 bytes of its window of guest
 * memory with (address, generation) and reads them back (the pattern
 * program of mshv_guest32.h).  At the same time host threads do to the
 * backing what Linux memory management and a VMM do: MADV_DONTNEED,
 * MADV_FREE, MADV_PAGEOUT, move_pages() between the NUMA nodes, KSM
 * merging, THP collapse and split, memfd hole punching, fork(), munmap()
 * and mremap() of the backing, mapping and unmapping regions on
 * overlapping GFN ranges from two threads, irqfd assignment with
 * interrupts flowing into the guests, and closing the VP and partition
 * fds at random moments (then building the partition again on the same
 * backing).
 *
 * The guest reports every word that differs from what it wrote.  Where
 * the host discarded memory (DONTNEED, FREE, hole punch, munmap) zero is
 * a legal value; the host records, for every page, when its last discard
 * ended, and a zero is legal only if a discard of that page ended after
 * the guest's pass began or is still in progress.  Anything else is a
 * violation, and so is a memory intercept outside a remap of the window,
 * an unexpected errno of an operation, and any increase of hvsim's
 * invariant counters (stale accesses, stale SLAT entries, lost writes).
 *
 * Prints one line:
 *   stress: <ops> operations in <s> s, <n> guest checks, <v> violations
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mshv_region_common.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

/* Guest physical layout: the control region, then one window per VP */
#define CTL_SIZE	0x10000ULL
#define CODE_GPA	0x1000ULL
#define GDT_GPA		0x3000ULL
#define IDT_GPA		0x3800ULL
#define BLOCK_GPA(i)	(0x5000ULL + (i) * 0x40)
#define STACK_TOP(i)	(0x8000ULL + (i) * 0x1000)
#define WIN_GPA(i)	(0x40000000ULL + (i) * 0x1000000ULL)
#define WIN_SIZE	SZ_2M
#define WIN_PAGES	(WIN_SIZE / PAGE)
/*
 * The part of the window the guest checks, and where the 4 KiB
 * operations strike (THP operations take the whole window)
 */
#define CHECK_SIZE	0x20000UL
#define CHECK_PAGES	(CHECK_SIZE / PAGE)
/* The overlap threads' regions: never touched by the guests */
#define SCRATCH_GPA	0x80000000ULL
#define SCRATCH_PAGES	64UL

#define NR_VPS		3
/* Bytes between the words a guest checks: 16 per page */
#define STRIDE		256
#define IRQ_VECTOR	0x40

enum win_kind {
	WIN_THP,	/* anonymous, MADV_HUGEPAGE */
	WIN_KSM,	/* anonymous 4 KiB, MADV_MERGEABLE, page-local pattern */
	WIN_MEMFD,	/* memfd, MAP_SHARED */
};

/**
 * struct window - one VP's window of guest memory and its backing
 * @kind: the backing
 * @gpa: guest physical address
 * @mask: what the guest ANDs the address with for the low dword
 * @memfd: the memfd (WIN_MEMFD), else -1
 * @hva: current host address of the backing; changed by a remap under
 *	@lock, read by the partition builder under the write side of
 *	&struct stress.pt_lock
 * @spare: a reserved address range of the same size, the target of mremap
 * @lock: serializes the operations on the backing (remaps and madvise
 *	and the like: none of them sees the backing move)
 * @seq: odd while a remap (or an mprotect() that takes write access
 *	away) is in progress, bumped at its start and end
 * @inflight: per page, discards in progress
 * @discarded: per page, the discard counter when its last discard ended
 */
struct window {
	enum win_kind kind;
	__u64 gpa;
	__u32 mask;
	int memfd;
	char *hva;
	char *spare;
	pthread_mutex_t lock;
	atomic_uint seq;
	atomic_int inflight[WIN_PAGES];
	atomic_ullong discarded[WIN_PAGES];
};

/**
 * struct vp_thread - one VP and the thread that runs it
 * @index: the VP index
 * @fd: the VP fd
 * @thread: the thread
 * @snapshot: the discard counter when the current pass began
 * @gen: the generation of the current pass
 */
struct vp_thread {
	__u32 index;
	int fd;
	pthread_t thread;
	__u64 snapshot;
	__u32 gen;
};

/**
 * struct stress - the whole run
 * @pt_lock: read side held by operations that use @pt_fd and by the
 *	partition builder's readers; write side by the builder, which
 *	replaces @pt_fd, @dev_fd, @ctl and @vps
 * @dev_fd: /dev/mshv
 * @pt_fd: the partition fd
 * @ctl: host mapping of the control region
 * @vps: the VPs
 * @win: the windows
 * @dying: the fds are being closed: failures of calls on them are legal
 * @stop: the run is over
 * @deadline: CLOCK_MONOTONIC seconds when the run ends
 * @discards: the discard counter
 * @ops: host operations done
 * @checks: words the guests verified
 * @violations: broken expectations
 * @irqs_sent: eventfd signals while an irqfd was assigned
 * @irqs_seen: interrupts the guests counted (of finished partitions)
 * @rebuilds: partitions built after the first
 * @null_fd: /dev/null, dup2()ed over fds to close them at any moment
 */
struct stress {
	pthread_rwlock_t pt_lock;
	int dev_fd;
	int pt_fd;
	char *ctl;
	struct vp_thread vps[NR_VPS];
	struct window win[NR_VPS];
	atomic_int dying;
	atomic_int stop;
	double deadline;
	atomic_ullong discards;
	atomic_ullong ops;
	atomic_ullong checks;
	atomic_ullong violations;
	atomic_ullong irqs_sent;
	atomic_ullong irqs_seen;
	atomic_uint rebuilds;
	int null_fd;
};

static struct stress S;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool running(void)
{
	return !atomic_load(&S.stop) && now_s() < S.deadline;
}

/* xorshift64*, one state per thread */
static __u64 rnd(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static unsigned int rnd_below(__u64 *s, unsigned int n)
{
	return (unsigned int)(rnd(s) % n);
}

#define violation(...)							\
	do {								\
		atomic_fetch_add(&S.violations, 1);			\
		fprintf(stderr, "stress: violation: " __VA_ARGS__);	\
	} while (0)

static void on_sigusr1(int sig)
{
	(void)sig;
}

/* --- discards ------------------------------------------------------------ */

static void discard_begin(struct window *w, unsigned int first,
			  unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		atomic_fetch_add(&w->inflight[i], 1);
}

static void discard_end(struct window *w, unsigned int first, unsigned int n)
{
	__u64 seq = atomic_fetch_add(&S.discards, 1) + 1;
	unsigned int i;

	for (i = first; i < first + n; i++) {
		atomic_store(&w->discarded[i], seq);
		atomic_fetch_sub(&w->inflight[i], 1);
	}
}

/* May the guest read zero in page @page of @w in a pass from @snapshot? */
static bool zero_legal(struct window *w, unsigned int page, __u64 snapshot)
{
	return atomic_load(&w->inflight[page]) > 0 ||
	       atomic_load(&w->discarded[page]) > snapshot;
}

/* --- the partition ------------------------------------------------------- */

static int set_memory(int pt_fd, __u64 gpa, void *hva, __u64 size, __u8 fl)
{
	return __mshv_set_guest_memory(pt_fd, size, MSHV_PFN(gpa), mshv_hva_u64(hva),
				       fl);
}

static void route_msi(int pt_fd)
{
	struct {
		struct mshv_user_irq_table hdr;
		struct mshv_user_irq_entry e[NR_VPS];
	} t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.hdr.nr = NR_VPS;
	for (i = 0; i < NR_VPS; i++) {
		t.e[i].gsi = i;
		t.e[i].address_lo = 0xFEE00000 | (i << 12);
		t.e[i].data = IRQ_VECTOR;
	}
	MSHV_TEST_ASSERT(ioctl(pt_fd, MSHV_SET_MSI_ROUTING, &t) == 0,
			 "MSHV_SET_MSI_ROUTING");
}

/* The control region: program, GDT, IDT and the VPs' blocks */
static void ctl_fill(char *ctl)
{
	__u64 gdt[3] = { 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL };
	__u32 handler = CODE_GPA + MSHV_GUEST_OFFSET(mshv_g32_pattern,
						    mshv_g32_pattern_irq);
	__u32 gate[2] = {
		(handler & 0xffff) | (0x8 << 16),
		(handler & 0xffff0000) | 0x8e00,
	};
	unsigned int i;

	memset(ctl, 0, CTL_SIZE);
	memcpy(ctl + CODE_GPA, mshv_g32_pattern,
	       MSHV_GUEST_SIZE(mshv_g32_pattern));
	memcpy(ctl + GDT_GPA, gdt, sizeof(gdt));
	memcpy(ctl + IDT_GPA + IRQ_VECTOR * 8, gate, sizeof(gate));
	for (i = 0; i < NR_VPS; i++) {
		__u32 *b = (__u32 *)(ctl + BLOCK_GPA(i));

		b[MSHV_G32_PAT_BASE / 4] = S.win[i].gpa;
		b[MSHV_G32_PAT_SIZE / 4] = CHECK_SIZE;
		b[MSHV_G32_PAT_MASK / 4] = S.win[i].mask;
		b[MSHV_G32_PAT_STRIDE / 4] = STRIDE;
	}
}

static void vp_setup(struct mshv_vp *vp)
{
	struct hv_register_assoc regs[6];

	memset(regs, 0, sizeof(regs));
	if (vp->index)
		mshv_vp_start_ap(vp);
	mshv_g32_enter_protected_mode(vp);
	regs[0].name = HV_X64_REGISTER_RIP;
	regs[0].value.reg64 = CODE_GPA;
	regs[1].name = HV_X64_REGISTER_RFLAGS;
	regs[1].value.reg64 = MSHV_RFLAGS_RESET;
	regs[2].name = HV_X64_REGISTER_RBP;
	regs[2].value.reg64 = BLOCK_GPA(vp->index);
	regs[3].name = HV_X64_REGISTER_RSP;
	regs[3].value.reg64 = STACK_TOP(vp->index);
	regs[4].name = HV_X64_REGISTER_GDTR;
	regs[4].value.table.base = GDT_GPA;
	regs[4].value.table.limit = 3 * 8 - 1;
	regs[5].name = HV_X64_REGISTER_IDTR;
	regs[5].value.table.base = IDT_GPA;
	regs[5].value.table.limit = IRQ_VECTOR * 8 + 7;
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
}

static void *vp_main(void *arg);

/* Build the partition on the windows' current backing; pt_lock written */
static void partition_build(void)
{
	struct mshv_vm vm = { 0 };
	unsigned int i;

	S.dev_fd = mshv_open_dev();
	S.pt_fd = mshv_create_partition(S.dev_fd, 1ULL << MSHV_PT_BIT_LAPIC);
	mshv_initialize_partition(S.pt_fd);
	S.ctl = mshv_alloc_host_memory(CTL_SIZE);
	ctl_fill(S.ctl);
	mshv_map_guest_memory(S.pt_fd, 0, S.ctl, CTL_SIZE, RWX);
	for (i = 0; i < NR_VPS; i++)
		MSHV_TEST_ASSERT(!set_memory(S.pt_fd, S.win[i].gpa,
					     S.win[i].hva, WIN_SIZE, RW),
				 "map window %u", i);
	route_msi(S.pt_fd);
	vm.dev_fd = S.dev_fd;
	vm.fd = S.pt_fd;
	for (i = 0; i < NR_VPS; i++) {
		struct mshv_vp *vp = mshv_vp_create(&vm, i);

		vp_setup(vp);
		S.vps[i].index = i;
		S.vps[i].fd = vp->fd;
		free(vp);
	}
	atomic_store(&S.dying, 0);
	for (i = 0; i < NR_VPS; i++)
		MSHV_TEST_ASSERT(!pthread_create(&S.vps[i].thread, NULL,
						 vp_main, &S.vps[i]),
				 "pthread_create");
}

/*
 * Close the partition: replace the VP and partition fds by /dev/null in
 * the order @order gives (so that the files are released whenever their
 * last user is done, possibly inside a run), stop and join the VP
 * threads, then close the descriptors.
 */
static void partition_close(__u64 *rs)
{
	unsigned int i, order = rnd_below(rs, 3);
	__u64 irqs = 0;

	atomic_store(&S.dying, 1);
	if (order == 0)
		dup2(S.null_fd, S.pt_fd);
	for (i = 0; i < NR_VPS; i++) {
		dup2(S.null_fd, S.vps[i].fd);
		if (order == 1 && i == 0)
			dup2(S.null_fd, S.pt_fd);
	}
	if (order == 2)
		dup2(S.null_fd, S.pt_fd);
	for (i = 0; i < NR_VPS; i++) {
		while (pthread_tryjoin_np(S.vps[i].thread, NULL)) {
			pthread_kill(S.vps[i].thread, SIGUSR1);
			usleep(1000);
		}
	}
	pthread_rwlock_wrlock(&S.pt_lock);
	for (i = 0; i < NR_VPS; i++) {
		close(S.vps[i].fd);
		irqs += *(__u32 *)(S.ctl + BLOCK_GPA(i) + MSHV_G32_PAT_IRQS);
	}
	atomic_fetch_add(&S.irqs_seen, irqs);
	close(S.pt_fd);
	close(S.dev_fd);
	mshv_free_host_memory(S.ctl, CTL_SIZE);
}

/* --- the VPs ------------------------------------------------------------- */

static void check_word(struct vp_thread *v, const struct hv_x64_io_port_intercept_message *io)
{
	struct window *w = &S.win[v->index];
	__u32 addr = (__u32)io->rsi, lo = (__u32)io->rax, hi = (__u32)io->rcx;
	__u32 want_lo = addr & w->mask, want_hi = v->gen;
	unsigned int page = (addr - w->gpa) / PAGE;
	bool zero_ok;

	if (addr < w->gpa || addr >= w->gpa + WIN_SIZE) {
		violation("VP %u reported address %#x outside its window\n",
			  v->index, addr);
		return;
	}
	zero_ok = zero_legal(w, page, v->snapshot);
	if ((lo == want_lo || (zero_ok && !lo)) &&
	    (hi == want_hi || (zero_ok && !hi)))
		return;
	violation("VP %u gpa %#x: read %#010x:%#010x, wrote %#010x:%#010x (page %u %s)\n",
		  v->index, addr, hi, lo, want_hi, want_lo, page,
		  zero_ok ? "discarded in this pass" : "not discarded");
}

static int skip_insn(struct vp_thread *v,
		     const struct hv_x64_intercept_message_header *hdr)
{
	struct hv_register_assoc rip = { .name = HV_X64_REGISTER_RIP };
	struct mshv_root_hvcall args;

	rip.value.reg64 = hdr->rip + (hdr->instruction_length_cr8 &
				      HV_X64_INSTRUCTION_LENGTH_MASK);
	return __mshv_set_vp_registers(v->fd, v->index, &rip, 1, &args);
}

/* A memory intercept in the VP's window: legal while it is remapped */
static bool memory_exit_legal(struct vp_thread *v, unsigned int seq0,
			      __u64 gpa)
{
	struct window *w = &S.win[v->index];
	unsigned int seq = atomic_load(&w->seq);

	if (gpa < w->gpa || gpa >= w->gpa + WIN_SIZE)
		return false;
	if (!(seq0 & 1) && seq == seq0)
		return false;
	/* wait until the remap is over, then run the access again */
	while ((atomic_load(&w->seq) & 1) && !atomic_load(&S.dying))
		usleep(100);
	return true;
}

/*
 * hvsim runs a dispatch with interrupts disabled under the partition's
 * lock, so a VP waiting for another VP's dispatch spins.  The VPs share
 * the last CPU (they still interleave at every dispatch) and the host
 * threads get the others, so that the host's operations race with guest
 * execution instead of waiting for it.
 */
static void set_cpus(bool vp)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	cpu_set_t set;

	if (n < 2)
		return;
	CPU_ZERO(&set);
	if (vp)
		CPU_SET(n - 1, &set);
	else
		for (i = 0; i < n - 1; i++)
			CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *vp_main(void *arg)
{
	struct vp_thread *v = arg;
	struct window *w = &S.win[v->index];
	struct hv_message msg;
	unsigned int seq0;
	int ret;

	set_cpus(true);

	while (!atomic_load(&S.stop) && !atomic_load(&S.dying)) {
		seq0 = atomic_load(&w->seq);
		ret = __mshv_run_vp(v->fd, &msg);
		if (ret) {
			if (errno == EINTR || atomic_load(&S.dying) ||
			    atomic_load(&S.stop))
				continue;
			violation("VP %u: MSHV_RUN_VP failed: %s\n", v->index,
				  strerror(errno));
			break;
		}
		switch (msg.header.message_type) {
		case HVMSG_X64_IO_PORT_INTERCEPT: {
			const struct hv_x64_io_port_intercept_message *io =
				(const void *)msg.u.payload_bytes;

			if (io->port_number == MSHV_G32_PAT_PORT_START) {
				v->gen = (__u32)io->rax;
				v->snapshot = atomic_load(&S.discards);
			} else if (io->port_number == MSHV_G32_PAT_PORT_END) {
				atomic_fetch_add(&S.checks, CHECK_SIZE / STRIDE);
			} else if (io->port_number == MSHV_G32_PAT_PORT_BAD) {
				check_word(v, io);
			} else {
				violation("VP %u: OUT to port %#x\n", v->index,
					  io->port_number);
			}
			if (skip_insn(v, &io->header) &&
			    !atomic_load(&S.dying))
				violation("VP %u: cannot set RIP: %s\n",
					  v->index, strerror(errno));
			break;
		}
		case HVMSG_UNMAPPED_GPA:
		case HVMSG_GPA_INTERCEPT: {
			__u64 gpa = mshv_g32_msg_gpa(&msg);

			if (!memory_exit_legal(v, seq0, gpa) &&
			    !atomic_load(&S.dying)) {
				violation("VP %u: %s at gpa %#llx\n", v->index,
					  mshv_msg_type_name(msg.header.message_type),
					  (unsigned long long)gpa);
				usleep(10000);
			}
			break;
		}
		default:
			violation("VP %u stopped with %s\n", v->index,
				  mshv_msg_type_name(msg.header.message_type));
			return NULL;
		}
	}
	return NULL;
}

/* --- host operations ----------------------------------------------------- */

static void op_done(void)
{
	atomic_fetch_add(&S.ops, 1);
}

/*
 * While the partition is being closed, calls on its fds fail at once:
 * do not count them, and give the CPU to the closing thread.  Returns
 * true if the partition was dying.
 */
static bool idle_while_dying(void)
{
	if (!atomic_load(&S.dying))
		return false;
	usleep(1000);
	return true;
}

static bool ksm_available(void)
{
	return !access("/sys/kernel/mm/ksm/run", W_OK);
}

/* madvise() that must succeed (or be unsupported by the kernel) */
static void advise(void *p, size_t len, int advice, const char *name)
{
	if (madvise(p, len, advice) && errno != EINVAL && errno != EAGAIN &&
	    errno != EBUSY && errno != ENOMEM)
		violation("madvise(%s): %s\n", name, strerror(errno));
}

static void do_fork(struct window *w)
{
	char *p = w->hva;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		violation("fork: %s\n", strerror(errno));
		return;
	}
	if (!pid) {
		unsigned int i;
		char sum = 0;

		/* read everything, write the child's copy of one page */
		for (i = 0; i < WIN_SIZE; i += PAGE)
			sum += p[i];
		p[PAGE] = sum;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || status)
		violation("fork child: status %#x\n", status);
}

static void do_move_pages(struct window *w, unsigned int first,
			  unsigned int n, __u64 *rs)
{
	void *pages[64];
	int nodes[64], status[64];
	int node = rnd_below(rs, 2);
	unsigned int i;

	for (i = 0; i < n; i++) {
		pages[i] = w->hva + (first + i) * PAGE;
		nodes[i] = node;
	}
	if (syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE) < 0 &&
	    errno != ENODEV && errno != ENOENT)
		violation("move_pages: %s\n", strerror(errno));
}

/* One random memory-management operation on a window's backing */
static void mm_op(__u64 *rs)
{
	struct window *w = &S.win[rnd_below(rs, NR_VPS)];
	unsigned int n = 1 + rnd_below(rs, 32);
	unsigned int first = rnd_below(rs, CHECK_PAGES - n + 1);
	char *p;

	unsigned int op = rnd_below(rs, 9);

	/* the backing does not move under us: remaps take the lock too */
	pthread_mutex_lock(&w->lock);
	p = w->hva + first * PAGE;
	switch (op) {
	case 0:
		discard_begin(w, first, n);
		advise(p, n * PAGE, MADV_DONTNEED, "DONTNEED");
		discard_end(w, first, n);
		break;
	case 1:
		if (w->kind == WIN_MEMFD) {
			discard_begin(w, first, n);
			if (fallocate(w->memfd, FALLOC_FL_PUNCH_HOLE |
				      FALLOC_FL_KEEP_SIZE, first * PAGE,
				      n * PAGE))
				violation("fallocate(PUNCH_HOLE): %s\n",
					  strerror(errno));
			discard_end(w, first, n);
		} else {
			discard_begin(w, first, n);
			advise(p, n * PAGE, MADV_FREE, "FREE");
			discard_end(w, first, n);
		}
		break;
	case 2:
		advise(p, n * PAGE, MADV_PAGEOUT, "PAGEOUT");
		break;
	case 3:
		do_move_pages(w, first, n, rs);
		break;
	case 4:
		if (w->kind == WIN_THP) {
			advise(w->hva, WIN_SIZE, MADV_HUGEPAGE, "HUGEPAGE");
			advise(w->hva, WIN_SIZE, MADV_COLLAPSE, "COLLAPSE");
		} else {
			advise(p, n * PAGE, MADV_PAGEOUT, "PAGEOUT");
		}
		break;
	case 5:
		if (w->kind == WIN_THP)
			advise(w->hva, WIN_SIZE, rnd_below(rs, 2) ?
			       MADV_NOHUGEPAGE : MADV_HUGEPAGE, "(NO)HUGEPAGE");
		else if (w->kind == WIN_KSM && ksm_available())
			advise(w->hva, WIN_SIZE, rnd_below(rs, 4) ?
			       MADV_MERGEABLE : MADV_UNMERGEABLE,
			       "(UN)MERGEABLE");
		break;
	case 6:
		/*
		 * Split a THP: mprotect() of part of it, and back.  A guest
		 * write meanwhile reaches userspace: a remap for the VPs.
		 */
		atomic_fetch_add(&w->seq, 1);
		if (mprotect(p, PAGE, PROT_READ) ||
		    mprotect(p, PAGE, PROT_READ | PROT_WRITE))
			violation("mprotect: %s\n", strerror(errno));
		atomic_fetch_add(&w->seq, 1);
		break;
	case 7:
		do_fork(w);
		break;
	default:
		discard_begin(w, first, 1);
		advise(p, PAGE, MADV_DONTNEED, "DONTNEED");
		discard_end(w, first, 1);
		break;
	}
	pthread_mutex_unlock(&w->lock);
	op_done();
}

static void *mm_main(void *arg)
{
	__u64 rs = (uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 1;

	while (running()) {
		mm_op(&rs);
		usleep(rnd_below(&rs, 2000));
	}
	return NULL;
}

/* A PROT_NONE placeholder over [@p, @p + WIN_SIZE), replacing what is there */
static bool placeholder(char *p)
{
	return mmap(p, WIN_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_FIXED | MAP_NORESERVE, -1, 0) == p;
}

/*
 * The backing replaced at the same address (the region follows the new
 * backing; anonymous data is gone), or moved by mremap() to the spare
 * range with the region unmapped and mapped again at the new address
 * (data kept).  The guest's memory intercepts while it happens are legal.
 *
 * Neither address range is ever free, or another thread's mmap(NULL)
 * could land in it: the old backing is replaced by a PROT_NONE
 * placeholder first (the guest then sees an unmapped range, as after a
 * munmap()), and mremap() leaves the old range mapped
 * (MREMAP_DONTUNMAP), inaccessible as it was made before the move.
 */
static void remap_op(__u64 *rs)
{
	struct window *w = &S.win[rnd_below(rs, NR_VPS)];
	bool move = rnd_below(rs, 2);
	char *old, *p;

	pthread_rwlock_rdlock(&S.pt_lock);
	pthread_mutex_lock(&w->lock);
	atomic_fetch_add(&w->seq, 1);
	old = w->hva;
	if (!move) {
		bool anon = w->kind != WIN_MEMFD;

		if (anon)
			discard_begin(w, 0, WIN_PAGES);
		if (!placeholder(old))
			violation("mmap(placeholder): %s\n", strerror(errno));
		usleep(rnd_below(rs, 1000));
		if (anon)
			p = mmap(old, WIN_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0);
		else
			p = mmap(old, WIN_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, w->memfd, 0);
		if (p != old)
			violation("mmap(MAP_FIXED): %s\n", strerror(errno));
		if (w->kind == WIN_THP)
			advise(p, WIN_SIZE, MADV_HUGEPAGE, "HUGEPAGE");
		if (w->kind == WIN_KSM) {
			advise(p, WIN_SIZE, MADV_NOHUGEPAGE, "NOHUGEPAGE");
			if (ksm_available())
				advise(p, WIN_SIZE, MADV_MERGEABLE, "MERGEABLE");
		}
		if (anon)
			discard_end(w, 0, WIN_PAGES);
	} else {
		if (mprotect(old, WIN_SIZE, PROT_NONE))
			violation("mprotect(PROT_NONE): %s\n", strerror(errno));
		p = mremap(old, WIN_SIZE, WIN_SIZE, MREMAP_MAYMOVE |
			   MREMAP_FIXED | MREMAP_DONTUNMAP, w->spare);
		if (p != w->spare) {
			/*
			 * EFAULT: the window is several VMAs just now (an
			 * madvise() or mprotect() of part of it split it),
			 * which mremap() cannot move: no move this time
			 */
			if (p != MAP_FAILED || errno != EFAULT)
				violation("mremap: %s\n", strerror(errno));
			mprotect(old, WIN_SIZE, PROT_READ | PROT_WRITE);
		} else {
			if (mprotect(p, WIN_SIZE, PROT_READ | PROT_WRITE))
				violation("mprotect: %s\n", strerror(errno));
			/* the old range becomes the spare */
			if (!placeholder(old))
				violation("mmap(placeholder): %s\n",
					  strerror(errno));
			w->spare = old;
			w->hva = p;
			if (set_memory(S.pt_fd, w->gpa, old, WIN_SIZE, UNMAP) &&
			    !atomic_load(&S.dying))
				violation("unmap window: %s\n", strerror(errno));
			if (set_memory(S.pt_fd, w->gpa, p, WIN_SIZE, RW) &&
			    !atomic_load(&S.dying))
				violation("map window: %s\n", strerror(errno));
		}
	}
	atomic_fetch_add(&w->seq, 1);
	pthread_mutex_unlock(&w->lock);
	pthread_rwlock_unlock(&S.pt_lock);
	op_done();
}

static void *remap_main(void *arg)
{
	__u64 rs = (uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 7;

	while (running()) {
		usleep(5000 + rnd_below(&rs, 50000));
		remap_op(&rs);
	}
	return NULL;
}

/*
 * Two of these map and unmap regions on overlapping GFN ranges of the
 * scratch area: a map succeeds or fails with EEXIST, the unmap of what
 * was mapped succeeds.
 */
static void *overlap_main(void *arg)
{
	__u64 rs = (uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 13;
	char *buf = mshv_alloc_host_memory(SCRATCH_PAGES * PAGE);

	while (running()) {
		unsigned int n = 1 + rnd_below(&rs, SCRATCH_PAGES / 2);
		unsigned int first = rnd_below(&rs, SCRATCH_PAGES - n + 1);
		__u64 gpa = SCRATCH_GPA + first * PAGE;
		int ret;

		pthread_rwlock_rdlock(&S.pt_lock);
		ret = set_memory(S.pt_fd, gpa, buf + first * PAGE, n * PAGE,
				 RW);
		if (ret && errno != EEXIST && !atomic_load(&S.dying))
			violation("map scratch: %s\n", strerror(errno));
		if (!ret) {
			buf[first * PAGE] = (char)rs;
			if (set_memory(S.pt_fd, gpa, buf + first * PAGE,
				       n * PAGE, UNMAP) &&
			    !atomic_load(&S.dying))
				violation("unmap scratch: %s\n",
					  strerror(errno));
		}
		pthread_rwlock_unlock(&S.pt_lock);
		if (!idle_while_dying())
			op_done();
	}
	mshv_free_host_memory(buf, SCRATCH_PAGES * PAGE);
	return NULL;
}

/* Assign an irqfd to a VP's GSI, signal it a few times, deassign it */
static void *irq_main(void *arg)
{
	__u64 rs = (uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 21;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__u64 one = 1;

	MSHV_TEST_ASSERT(efd >= 0, "eventfd");
	while (running()) {
		__u32 gsi = rnd_below(&rs, NR_VPS);
		unsigned int i, n = 1 + rnd_below(&rs, 20);

		pthread_rwlock_rdlock(&S.pt_lock);
		if (__mshv_irqfd(S.pt_fd, efd, -1, gsi, 0)) {
			if (!atomic_load(&S.dying))
				violation("irqfd assign: %s\n",
					  strerror(errno));
			goto next;
		}
		for (i = 0; i < n; i++) {
			if (write(efd, &one, sizeof(one)) != sizeof(one))
				violation("eventfd write: %s\n",
					  strerror(errno));
			atomic_fetch_add(&S.irqs_sent, 1);
			usleep(rnd_below(&rs, 2000));
		}
		if (__mshv_irqfd(S.pt_fd, efd, -1, gsi,
				 1 << MSHV_IRQFD_BIT_DEASSIGN) &&
		    !atomic_load(&S.dying))
			violation("irqfd deassign: %s\n", strerror(errno));
next:
		pthread_rwlock_unlock(&S.pt_lock);
		if (!idle_while_dying())
			op_done();
		usleep(rnd_below(&rs, 5000));
	}
	close(efd);
	return NULL;
}

/* --- setup and the run --------------------------------------------------- */

/* A progress line on stderr (the console log of the test VM) */
static void progress(const char *what, double t0)
{
	fprintf(stderr, "# stress: %s at %.0f s: %llu ops, %llu checks, %u partitions\n",
		what, now_s() - t0, (unsigned long long)atomic_load(&S.ops),
		(unsigned long long)atomic_load(&S.checks),
		atomic_load(&S.rebuilds) + 1);
}

static char *reserve(void)
{
	char *p = mmap(NULL, 2 * WIN_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	MSHV_TEST_ASSERT(p != MAP_FAILED, "mmap");
	/* 2 MiB aligned, so that THP can back it */
	a = ((uintptr_t)p + WIN_SIZE - 1) & ~(WIN_SIZE - 1);
	return (char *)a;
}

static void window_init(struct window *w, unsigned int i)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	int fd = -1;

	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	w->kind = i;
	w->gpa = WIN_GPA(i);
	w->mask = w->kind == WIN_KSM ? 0xfff : 0xffffffff;
	w->memfd = -1;
	w->spare = reserve();
	if (w->kind == WIN_MEMFD) {
		fd = memfd_create("mshv_stress", MFD_CLOEXEC);
		MSHV_TEST_ASSERT(fd >= 0 && !ftruncate(fd, WIN_SIZE),
				 "memfd");
		w->memfd = fd;
		flags = MAP_SHARED | MAP_FIXED;
	}
	w->hva = mmap(reserve(), WIN_SIZE, PROT_READ | PROT_WRITE, flags, fd,
		      0);
	MSHV_TEST_ASSERT(w->hva != MAP_FAILED, "mmap window");
	if (w->kind == WIN_THP)
		madvise(w->hva, WIN_SIZE, MADV_HUGEPAGE);
	if (w->kind == WIN_KSM) {
		madvise(w->hva, WIN_SIZE, MADV_NOHUGEPAGE);
		if (ksm_available())
			madvise(w->hva, WIN_SIZE, MADV_MERGEABLE);
	}
}

static unsigned int duration(void)
{
	const char *s = getenv("MSHV_STRESS_SECONDS");

	return s && atoi(s) > 0 ? atoi(s) : 60;
}

#define BUDGET_PARAM	"/sys/module/hvsim/parameters/dispatch_budget"
/* Instructions per hvsim dispatch while the test runs */
#define DISPATCH_BUDGET	100

/* Set hvsim's dispatch_budget; returns the old value (0: no such knob) */
static __u64 dispatch_budget_set(__u64 v)
{
	char buf[32];
	__u64 old = 0;

	if (!v || mshv_read_u64_file(BUDGET_PARAM, &old))
		return 0;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	mshv_write_file(BUDGET_PARAM, buf);
	return old;
}

static void ksm_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", file);
	mshv_write_file(path, val);
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* The run's own clock ends it; the harness's limit is a backstop */
TEST_F_TIMEOUT(stress, run, 24 * 3600)
{
	unsigned int secs = duration(), i, nthreads = 0;
	__u64 stale0, lost0, entries0, stale1, lost1, entries1;
	__u64 rs = 0x5eed, numa, budget;
	pthread_t threads[8];
	struct sigaction sa;
	double t0, next, report;

	setvbuf(stdout, NULL, _IOLBF, 0);
	set_cpus(false);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	MSHV_TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	S.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	MSHV_TEST_ASSERT(S.null_fd >= 0, "open /dev/null");
	pthread_rwlock_init(&S.pt_lock, NULL);
	/* NUMA hinting would only add invalidations we do not count */
	numa = mshv_numa_balancing_set(0);
	/* short dispatches: hypercalls from the host threads wait less */
	budget = dispatch_budget_set(DISPATCH_BUDGET);
	if (ksm_available()) {
		ksm_set("pages_to_scan", "1000");
		ksm_set("sleep_millisecs", "20");
		ksm_set("run", "1");
	}
	stale0 = mshv_dbg_stale_accesses_get();
	lost0 = mshv_dbg_lost_writes_get();
	entries0 = mshv_dbg_stale_entries_get();

	for (i = 0; i < NR_VPS; i++)
		window_init(&S.win[i], i);
	t0 = now_s();
	S.deadline = t0 + secs;
	pthread_rwlock_wrlock(&S.pt_lock);
	partition_build();
	pthread_rwlock_unlock(&S.pt_lock);

	pthread_create(&threads[nthreads++], NULL, mm_main, (void *)1);
	pthread_create(&threads[nthreads++], NULL, mm_main, (void *)2);
	pthread_create(&threads[nthreads++], NULL, remap_main, (void *)3);
	pthread_create(&threads[nthreads++], NULL, overlap_main, (void *)4);
	pthread_create(&threads[nthreads++], NULL, overlap_main, (void *)5);
	pthread_create(&threads[nthreads++], NULL, irq_main, (void *)6);

	/* This thread closes the partition at random moments */
	next = t0 + 3 + rnd_below(&rs, 10000) / 1000.0;
	report = t0 + 60;
	while (running()) {
		usleep(10000);
		if (now_s() >= report) {
			progress("running", t0);
			report += 60;
		}
		if (now_s() < next || S.deadline - now_s() < 1)
			continue;
		partition_close(&rs);
		partition_build();
		pthread_rwlock_unlock(&S.pt_lock);
		atomic_fetch_add(&S.rebuilds, 1);
		op_done();
		next = now_s() + 3 + rnd_below(&rs, 10000) / 1000.0;
	}
	atomic_store(&S.stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	progress("host threads done", t0);
	partition_close(&rs);
	pthread_rwlock_unlock(&S.pt_lock);
	progress("partition closed", t0);

	if (ksm_available())
		ksm_set("run", "2");
	mshv_numa_balancing_set(numa);
	dispatch_budget_set(budget);
	stale1 = mshv_dbg_stale_accesses_get();
	lost1 = mshv_dbg_lost_writes_get();
	entries1 = mshv_dbg_stale_entries_get();
	if (stale1 != stale0)
		violation("hvsim stale_accesses %llu -> %llu\n",
			  (unsigned long long)stale0,
			  (unsigned long long)stale1);
	if (lost1 != lost0)
		violation("hvsim lost_writes %llu -> %llu\n",
			  (unsigned long long)lost0, (unsigned long long)lost1);
	if (entries1 != entries0)
		violation("hvsim stale_entries %llu -> %llu\n",
			  (unsigned long long)entries0,
			  (unsigned long long)entries1);
	if (!atomic_load(&S.checks))
		violation("the guests completed no pass\n");

	printf("# stress: %u partitions, %llu interrupts sent, %llu taken\n",
	       atomic_load(&S.rebuilds) + 1,
	       (unsigned long long)atomic_load(&S.irqs_sent),
	       (unsigned long long)atomic_load(&S.irqs_seen));
	printf("# stress: %llu operations in %.0f s, %llu guest checks, %llu violations\n",
	       (unsigned long long)atomic_load(&S.ops), now_s() - t0,
	       (unsigned long long)atomic_load(&S.checks),
	       (unsigned long long)atomic_load(&S.violations));
	EXPECT_EQ(0ULL, (unsigned long long)atomic_load(&S.violations));
}

TEST_HARNESS_MAIN
