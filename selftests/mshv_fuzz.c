// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_fuzz - a grammar-guided ioctl fuzzer for /dev/mshv.
 *
 * A program is a list of calls: an operation (an ioctl, an mmap, a close,
 * a change to the memory behind a region, a guest run ...), the thread that
 * issues it and six random 64-bit words.  The executor turns the words into
 * an argument: mostly a valid-ish one built from what the program created
 * (its partitions, VPs, regions, eventfds), sometimes a mutated one (a
 * flipped bit in any byte of the structure, a huge size, a bad pointer, an
 * fd of the wrong kind).  Each program runs in a fresh child process whose
 * threads share the fds, so that everything it left open is torn down when
 * it exits.
 *
 * Feedback is cheap, not coverage: a program that produced a new (ioctl,
 * errno) pair, a new (operation, errno) pair, a new intercept message type
 * or moved an hvsim counter (a hypercall code, an interrupts field) that no
 * earlier program moved is kept in an in-memory corpus; later programs are
 * mutations of corpus entries or new ones.
 *
 * After every program the kernel log (/dev/kmsg) is scanned for splats and
 * /proc/sys/kernel/tainted is compared with its value at start; on a splat
 * (or a child that does not end) the program is printed as a reproducer,
 * with the calls each thread actually made, and the run fails.
 *
 * Environment (or mshvtest.fuzz_* on the kernel command line):
 *   DURATION=<s>   seconds to run (default 120 with kmemleak, else 15)
 *   SEED=<n>       seed (default 1; printed)
 *   REPLAY=<file>  run the reproducer in <file> once instead
 *
 * Output: TAP, and one line
 *   ioctl fuzz: <execs> calls, <k> distinct ioctl+errno pairs, <n> splats
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define FZ_THREADS	3
#define FZ_MAX_CALLS	48
#define FZ_ARGS		6
#define FZ_SLOTS	32
#define FZ_REGIONS	24
#define FZ_VMAPS	16
#define FZ_RING		32
#define FZ_NERR		134
#define FZ_CORPUS	256
#define FZ_MAX_PT	3
#define FZ_MAX_BACKING	(64UL << 20)
#define FZ_CALL_MS	150
#define FZ_CHILD_S	60
#define FZ_PAGE		4096UL
/* (a[5] & 0xff) below this: the call's argument is mutated */
#define FZ_MUT_BYTE	40

/* word separators of debugfs lines and the kernel command line */
#define FZ_SPACE	" \t\n"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* --- operations ------------------------------------------------------- */

enum fz_op {
	OP_OPEN_DEV,
	OP_CREATE_PT,
	OP_INIT_PT,
	OP_CREATE_VP,
	OP_MAP,
	OP_UNMAP,
	OP_BACKING,
	OP_IRQFD,
	OP_IOEVENTFD,
	OP_MSI,
	OP_GPAP,
	OP_HVCALL,
	OP_RUN_VP,
	OP_GET_STATE,
	OP_SET_STATE,
	OP_MMAP_VP,
	OP_TOUCH_VP,
	OP_CLOSE,
	OP_DUP,
	OP_EVENTFD,
	OP_SIGNAL,
	OP_RAW,
	OP_COUNT
};

static const struct {
	const char *name;
	unsigned int weight;
} fz_ops[OP_COUNT] = {
	[OP_OPEN_DEV]	= { "open_dev", 2 },
	[OP_CREATE_PT]	= { "create_partition", 3 },
	[OP_INIT_PT]	= { "initialize_partition", 3 },
	[OP_CREATE_VP]	= { "create_vp", 4 },
	[OP_MAP]	= { "map", 8 },
	[OP_UNMAP]	= { "unmap", 5 },
	[OP_BACKING]	= { "backing", 6 },
	[OP_IRQFD]	= { "irqfd", 4 },
	[OP_IOEVENTFD]	= { "ioeventfd", 4 },
	[OP_MSI]	= { "msi_routing", 4 },
	[OP_GPAP]	= { "gpap_bitmap", 4 },
	[OP_HVCALL]	= { "root_hvcall", 12 },
	[OP_RUN_VP]	= { "run_vp", 12 },
	[OP_GET_STATE]	= { "get_vp_state", 3 },
	[OP_SET_STATE]	= { "set_vp_state", 3 },
	[OP_MMAP_VP]	= { "mmap_vp", 3 },
	[OP_TOUCH_VP]	= { "touch_vp", 3 },
	[OP_CLOSE]	= { "close", 3 },
	[OP_DUP]	= { "dup", 2 },
	[OP_EVENTFD]	= { "eventfd", 3 },
	[OP_SIGNAL]	= { "signal", 3 },
	[OP_RAW]	= { "raw_ioctl", 4 },
};

/* The ioctls, for the (ioctl, errno) statistics */
enum fz_ioctl {
	IO_CREATE_PARTITION,
	IO_INITIALIZE_PARTITION,
	IO_CREATE_VP,
	IO_SET_GUEST_MEMORY,
	IO_IRQFD,
	IO_IOEVENTFD,
	IO_SET_MSI_ROUTING,
	IO_GET_GPAP_ACCESS_BITMAP,
	IO_ROOT_HVCALL,
	IO_RUN_VP,
	IO_GET_VP_STATE,
	IO_SET_VP_STATE,
	IO_OTHER,
	IO_COUNT
};

static const struct {
	const char *name;
	unsigned long cmd;
} fz_ioctls[IO_COUNT] = {
	[IO_CREATE_PARTITION]	    = { "MSHV_CREATE_PARTITION", MSHV_CREATE_PARTITION },
	[IO_INITIALIZE_PARTITION]   = { "MSHV_INITIALIZE_PARTITION",
					MSHV_INITIALIZE_PARTITION },
	[IO_CREATE_VP]		    = { "MSHV_CREATE_VP", MSHV_CREATE_VP },
	[IO_SET_GUEST_MEMORY]	    = { "MSHV_SET_GUEST_MEMORY", MSHV_SET_GUEST_MEMORY },
	[IO_IRQFD]		    = { "MSHV_IRQFD", MSHV_IRQFD },
	[IO_IOEVENTFD]		    = { "MSHV_IOEVENTFD", MSHV_IOEVENTFD },
	[IO_SET_MSI_ROUTING]	    = { "MSHV_SET_MSI_ROUTING", MSHV_SET_MSI_ROUTING },
	[IO_GET_GPAP_ACCESS_BITMAP] = { "MSHV_GET_GPAP_ACCESS_BITMAP",
					MSHV_GET_GPAP_ACCESS_BITMAP },
	[IO_ROOT_HVCALL]	    = { "MSHV_ROOT_HVCALL", MSHV_ROOT_HVCALL },
	[IO_RUN_VP]		    = { "MSHV_RUN_VP", MSHV_RUN_VP },
	[IO_GET_VP_STATE]	    = { "MSHV_GET_VP_STATE", MSHV_GET_VP_STATE },
	[IO_SET_VP_STATE]	    = { "MSHV_SET_VP_STATE", MSHV_SET_VP_STATE },
	[IO_OTHER]		    = { "other", 0 },
};

/**
 * struct fz_call - one call of a program
 * @op: enum fz_op
 * @thread: the executor thread that issues it
 * @a: random words the executor builds the argument from
 */
struct fz_call {
	__u8 op;
	__u8 thread;
	__u64 a[FZ_ARGS];
};

/**
 * struct fz_prog - a program
 * @n: number of calls
 * @c: the calls
 */
struct fz_prog {
	unsigned int n;
	struct fz_call c[FZ_MAX_CALLS];
};

/**
 * struct fz_rec - what one call did, for the reproducer
 * @idx: index of the call in the program
 * @ret: return value
 * @err: errno (0 on success)
 * @text: the decoded argument
 */
struct fz_rec {
	int idx;
	long ret;
	int err;
	char text[160];
};

/**
 * struct fz_shared - memory shared by the parent and a program's child
 * @calls: calls made, over all programs
 * @pairs: (ioctl, errno) pairs seen in this program
 * @opfeat: (operation, errno) pairs seen in this program
 * @msgs: intercept message types seen in this program (hashed)
 * @op_ns: time spent in each operation, over all programs
 * @op_n: calls of each operation, over all programs
 * @head: per-thread ring positions
 * @ring: per-thread rings of the last FZ_RING calls
 */
struct fz_shared {
	__u64 calls;
	__u8 pairs[IO_COUNT][FZ_NERR];
	__u8 opfeat[OP_COUNT][FZ_NERR];
	__u8 msgs[64];
	__u64 op_ns[OP_COUNT];
	__u64 op_n[OP_COUNT];
	unsigned int head[FZ_THREADS];
	struct fz_rec ring[FZ_THREADS][FZ_RING];
};

static struct fz_shared *sh;

/* --- random numbers ------------------------------------------------------- */

static __u64 rnd_next(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd_below(__u64 *s, __u64 n)
{
	return n ? rnd_next(s) % n : 0;
}

/* --- the child's state -------------------------------------------------------- */

enum fz_kind { K_FREE, K_DEV, K_PT, K_VP, K_EVT, K_OTHER, K_COUNT };

static const char *const fz_kind_names[K_COUNT] = {
	"closed", "dev", "partition", "vp", "eventfd", "other",
};

/**
 * struct fz_slot - an fd the program made
 * @fd: the fd (-1: closed)
 * @kind: enum fz_kind
 * @pt: for a VP: the slot of its partition
 * @vp_index: for a VP: its index
 */
struct fz_slot {
	int fd;
	int kind;
	int pt;
	__u32 vp_index;
};

/**
 * struct fz_region - a region a program asked for, and its backing
 * @pt: slot of the partition
 * @gfn: first guest page
 * @size: size in bytes
 * @uaddr: the backing
 * @used: the entry is in use
 */
struct fz_region {
	int pt;
	__u64 gfn;
	__u64 size;
	char *uaddr;
	bool used;
};

/**
 * struct fz_state - everything a program's threads share
 * @lock: protects every other field (never held across a system call
 *	  that may block)
 * @slot: the fds
 * @region: the regions
 * @vmap: VP pages mapped with mmap()
 * @vmap_len: their lengths
 * @partitions: partitions created
 * @backing: bytes of backing mapped
 */
struct fz_state {
	pthread_mutex_t lock;
	struct fz_slot slot[FZ_SLOTS];
	struct fz_region region[FZ_REGIONS];
	char *vmap[FZ_VMAPS];
	size_t vmap_len[FZ_VMAPS];
	int partitions;
	unsigned long backing;
};

static struct fz_state st = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Pages for bad pointers: unmapped, read-only, and a page before a hole */
static char *bad_page, *ro_page, *edge_page;

/**
 * struct fz_thread - one executor thread
 * @id: thread number
 * @prog: the program
 * @timer: the per-call timer (SIGUSR1 to this thread)
 * @buf: a page-aligned scratch buffer
 */
struct fz_thread {
	int id;
	const struct fz_prog *prog;
	timer_t timer;
	char *buf;
};

#define FZ_BUF_SIZE	(4 * FZ_PAGE)

static __thread sigjmp_buf *touch_jb;

static void on_fault(int sig)
{
	if (touch_jb)
		siglongjmp(*touch_jb, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_timer(int sig)
{
	(void)sig;
}

/* memcpy() that survives a missing or read-only page: -1 if it faulted */
static int safe_copy(void *dst, const void *src, size_t n)
{
	sigjmp_buf jb;

	touch_jb = &jb;
	if (sigsetjmp(jb, 1)) {
		touch_jb = NULL;
		return -1;
	}
	memcpy(dst, src, n);
	touch_jb = NULL;
	return 0;
}

/* --- recording ------------------------------------------------------------------ */

static void record(struct fz_thread *t, int idx, int op, int io, long ret,
		   int err, const char *fmt, ...)
{
	unsigned int h = sh->head[t->id]++ % FZ_RING;
	struct fz_rec *r = &sh->ring[t->id][h];
	va_list ap;

	r->idx = idx;
	r->ret = ret;
	r->err = ret < 0 ? err : 0;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&sh->calls, 1, __ATOMIC_RELAXED);
	err = ret < 0 ? err : 0;
	if (err < 0 || err >= FZ_NERR)
		err = FZ_NERR - 1;
	if (io >= 0)
		sh->pairs[io][err] = 1;
	sh->opfeat[op][err] = 1;
}

static void arm(struct fz_thread *t, unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
	};

	timer_settime(t->timer, 0, &its, NULL);
}

static void disarm(struct fz_thread *t)
{
	struct itimerspec its = { 0 };

	timer_settime(t->timer, 0, &its, NULL);
}

/* An ioctl, bounded in time */
static long fz_ioctl(struct fz_thread *t, int fd, unsigned long cmd, void *arg,
		     int *err)
{
	long ret;

	arm(t, FZ_CALL_MS);
	ret = ioctl(fd, cmd, arg);
	*err = errno;
	disarm(t);
	return ret;
}

/* --- argument builders --------------------------------------------------------- */

static bool mutating(const struct fz_call *c)
{
	return (c->a[5] & 0xff) < FZ_MUT_BYTE;
}

/* Mutate a structure: a flipped bit, a byte of ones or a huge word */
static void mutate_bytes(void *p, size_t len, __u64 r)
{
	__u8 *b = p;
	size_t off = (r >> 8) % len;

	switch ((r >> 4) & 3) {
	case 0:
	case 1:
		b[off] ^= 1 << ((r >> 16) & 7);
		break;
	case 2:
		b[off] = 0xff;
		break;
	default:
		off &= ~7UL;
		if (off + 8 <= len) {
			__u64 v = (r >> 20) & 1 ? ~0ULL : 1ULL << ((r >> 24) & 63);

			memcpy(b + off, &v, 8);
		} else {
			b[off] = 0x80;
		}
		break;
	}
}

/* A pointer: @good, or (when mutating) a bad one */
static void *mut_ptr(void *good, const struct fz_call *c, size_t len)
{
	if (!mutating(c) || ((c->a[5] >> 40) & 3))
		return good;
	switch ((c->a[5] >> 42) % 7) {
	case 0:
		return NULL;
	case 1:
		return bad_page;
	case 2:
		return ro_page;
	case 3:
		return (void *)0xffff888000000000UL;
	case 4:
		return (void *)0x7ffffffff000UL;
	case 5:
		/* the structure's tail lies in the hole after edge_page */
		return edge_page + FZ_PAGE - (len > 1 ? len / 2 : 1);
	default:
		return (char *)good + 1;
	}
}

/*
 * The fd of a slot of @kind chosen by @a; one time in 32 a slot of any
 * kind (or a number that is no fd at all).  Returns the slot, -1 if none.
 */
static int pick_slot(int kind, __u64 a, int *fd)
{
	int cand[FZ_SLOTS], n = 0, i;

	pthread_mutex_lock(&st.lock);
	if ((a >> 59) == 0x1f)
		kind = -1;
	for (i = 0; i < FZ_SLOTS; i++) {
		if (st.slot[i].kind == K_FREE)
			continue;
		if (kind < 0 || st.slot[i].kind == kind)
			cand[n++] = i;
	}
	if (!n) {
		pthread_mutex_unlock(&st.lock);
		*fd = (a >> 58) & 1 ? -1 : 1000;
		return -1;
	}
	i = cand[a % n];
	*fd = st.slot[i].fd;
	pthread_mutex_unlock(&st.lock);
	return i;
}

static int add_slot(int fd, int kind, int pt, __u32 vp_index)
{
	int i;

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&st.lock);
	for (i = 0; i < FZ_SLOTS; i++) {
		if (st.slot[i].kind == K_FREE) {
			st.slot[i] = (struct fz_slot){ fd, kind, pt, vp_index };
			pthread_mutex_unlock(&st.lock);
			return i;
		}
	}
	pthread_mutex_unlock(&st.lock);
	close(fd);
	return -1;
}

/* A region of partition slot @pt (any region if it has none), or NULL */
static bool pick_region(int pt, __u64 a, struct fz_region *out)
{
	int cand[FZ_REGIONS], n = 0, any = 0, i;

	pthread_mutex_lock(&st.lock);
	for (i = 0; i < FZ_REGIONS; i++) {
		if (!st.region[i].used)
			continue;
		any++;
		if (st.region[i].pt == pt)
			cand[n++] = i;
	}
	if (!n && any) {
		for (i = 0; i < FZ_REGIONS; i++)
			if (st.region[i].used)
				cand[n++] = i;
	}
	if (n)
		*out = st.region[cand[a % n]];
	pthread_mutex_unlock(&st.lock);
	return n;
}

static const __u32 fz_reg_names[] = {
	HV_X64_REGISTER_RAX, HV_X64_REGISTER_RBX, HV_X64_REGISTER_RDX,
	HV_X64_REGISTER_RSP, HV_X64_REGISTER_RIP, HV_X64_REGISTER_RFLAGS,
	HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR4,
	HV_X64_REGISTER_CR8, HV_X64_REGISTER_EFER, HV_X64_REGISTER_CS,
	HV_X64_REGISTER_DS, HV_X64_REGISTER_SS, HV_X64_REGISTER_TR,
	HV_X64_REGISTER_GDTR, HV_X64_REGISTER_IDTR, HV_X64_REGISTER_DR7,
	HV_X64_REGISTER_APIC_BASE, HV_X64_REGISTER_XMM0,
	HV_X64_REGISTER_FP_CONTROL_STATUS, HV_X64_REGISTER_XFEM,
	HV_X64_REGISTER_TSC, HV_X64_REGISTER_PAT,
	HV_X64_REGISTER_MTRR_PHYS_BASE0, HV_X64_REGISTER_SYNTHETIC_TPR,
	HV_REGISTER_EXPLICIT_SUSPEND, HV_REGISTER_INTERCEPT_SUSPEND,
	HV_REGISTER_DISPATCH_SUSPEND, HV_REGISTER_INTERNAL_ACTIVITY_STATE,
	HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_INTERRUPT_STATE,
	HV_REGISTER_PENDING_EVENT0, HV_REGISTER_DELIVERABILITY_NOTIFICATIONS,
	HV_REGISTER_VP_ASSIST_PAGE, HV_REGISTER_GUEST_OS_ID,
	HV_X64_REGISTER_HYPERCALL, HV_REGISTER_SINT0, HV_REGISTER_SCONTROL,
	HV_REGISTER_SIMP, HV_REGISTER_SIEFP, HV_REGISTER_EOM,
	HV_REGISTER_STIMER0_CONFIG, HV_REGISTER_STIMER0_COUNT,
	HV_REGISTER_VP_INDEX, HV_REGISTER_HYPERVISOR_VERSION,
};

static const __u32 fz_prop_codes[] = {
	HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
	HV_PARTITION_PROPERTY_SUSPEND,
	HV_PARTITION_PROPERTY_TIME_FREEZE,
	HV_PARTITION_PROPERTY_REFERENCE_TIME,
	HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
	HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
	HV_PARTITION_PROPERTY_PROCESSOR_VENDOR,
	HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
	HV_PARTITION_PROPERTY_GUEST_OS_ID,
	HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
};

static const __u16 fz_hv_codes[] = {
	HVCALL_GET_PARTITION_PROPERTY, HVCALL_GET_PARTITION_PROPERTY_EX,
	HVCALL_SET_PARTITION_PROPERTY, HVCALL_INSTALL_INTERCEPT,
	HVCALL_GET_VP_REGISTERS, HVCALL_SET_VP_REGISTERS,
	HVCALL_TRANSLATE_VIRTUAL_ADDRESS, HVCALL_CLEAR_VIRTUAL_INTERRUPT,
	HVCALL_REGISTER_INTERCEPT_RESULT, HVCALL_ASSERT_VIRTUAL_INTERRUPT,
	HVCALL_GET_GPA_PAGES_ACCESS_STATES, HVCALL_SIGNAL_EVENT_DIRECT,
	HVCALL_POST_MESSAGE_DIRECT, HVCALL_GET_VP_CPUID_VALUES,
	/* refused by the allow-list */
	HVCALL_DEPOSIT_MEMORY, HVCALL_MAP_GPA_PAGES, HVCALL_DISPATCH_VP,
	HVCALL_DELETE_PARTITION,
};

/* --- the operations ---------------------------------------------------------------- */

static void op_open_dev(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd = open(MSHV_DEV_PATH, O_RDWR | ((c->a[0] & 1) ? O_CLOEXEC : 0));
	int err = errno;

	add_slot(fd, K_DEV, -1, 0);
	record(t, idx, c->op, -1, fd, err, "open(\"/dev/mshv\") = %d", fd);
}

static void op_create_pt(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_create_partition_v2 v2;
	int fd, slot, err = 0;
	long ret;
	bool full;

	pthread_mutex_lock(&st.lock);
	full = st.partitions >= FZ_MAX_PT;
	if (!full)
		st.partitions++;
	pthread_mutex_unlock(&st.lock);
	if (full)
		return;
	slot = pick_slot(K_DEV, c->a[0], &fd);
	memset(&v2, 0, sizeof(v2));
	v2.pt_flags = c->a[1] & (BIT(MSHV_PT_BIT_LAPIC) | BIT(MSHV_PT_BIT_X2APIC) |
				 BIT(MSHV_PT_BIT_GPA_SUPER_PAGES));
	if (c->a[2] & 1) {
		v2.pt_flags |= BIT(MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES);
		v2.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
		v2.pt_cpu_fbanks[0] = c->a[3] & c->a[4] & 0xff;
	}
	if (mutating(c))
		mutate_bytes(&v2, (c->a[2] & 1) ? sizeof(v2) :
			     sizeof(struct mshv_create_partition), c->a[5]);
	ret = fz_ioctl(t, fd, MSHV_CREATE_PARTITION, mut_ptr(&v2, c, sizeof(v2)),
		       &err);
	add_slot(ret, K_PT, -1, 0);
	record(t, idx, c->op, IO_CREATE_PARTITION, ret, err,
	       "CREATE_PARTITION(slot %d fd %d, flags %#llx iso %llu banks %u) = %ld",
	       slot, fd, (unsigned long long)v2.pt_flags,
	       (unsigned long long)v2.pt_isolation, v2.pt_num_cpu_fbanks, ret);
}

static void op_init_pt(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	long ret = fz_ioctl(t, fd, MSHV_INITIALIZE_PARTITION, NULL, &err);

	record(t, idx, c->op, IO_INITIALIZE_PARTITION, ret, err,
	       "INITIALIZE_PARTITION(slot %d fd %d) = %ld", slot, fd, ret);
}

static void op_create_vp(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_create_vp a = { .vp_index = c->a[1] % 4 };
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	long ret;

	if (mutating(c))
		a.vp_index = (c->a[1] >> 8) & 1 ? 255 + ((c->a[1] >> 9) & 1) :
			     (__u32)(c->a[1] >> 16);
	ret = fz_ioctl(t, fd, MSHV_CREATE_VP, mut_ptr(&a, c, sizeof(a)), &err);
	add_slot(ret, K_VP, slot, a.vp_index);
	record(t, idx, c->op, IO_CREATE_VP, ret, err,
	       "CREATE_VP(slot %d fd %d, vp %u) = %ld", slot, fd, a.vp_index, ret);
}

static const __u64 fz_gfns[] = { 0, 0x10, 0x100, 0x200, 0x400, 0xfffff };
static const __u64 fz_pages[] = { 1, 2, 16, 64, 512, 3 };

/*
 * All backing lives in one reserved range of address space (the arena), so
 * that munmap() and mremap() of a region's backing can never hit the
 * fuzzer's own memory (thread stacks, buffers) that took over a range an
 * earlier backing left.
 */
#define FZ_ARENA_SIZE	(1024UL << 20)
static char *arena;
static unsigned long arena_used;

/* @len bytes of fresh arena, aligned to @align; NULL when it is used up */
static char *arena_take(size_t len, size_t align)
{
	unsigned long off;
	char *p = NULL;

	pthread_mutex_lock(&st.lock);
	off = (arena_used + align - 1) & ~(align - 1);
	if (off + len <= FZ_ARENA_SIZE) {
		p = arena + off;
		arena_used = off + len;
	}
	pthread_mutex_unlock(&st.lock);
	return p;
}

/* Put an inaccessible reservation back over [p, p + len) */
static long arena_hole(char *p, size_t len)
{
	return mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
		    MAP_NORESERVE, -1, 0) == MAP_FAILED ? -1 : 0;
}

/* New backing of @len bytes, by @how */
static char *new_backing(size_t len, __u64 how)
{
	int fd = -1, prot = PROT_READ | PROT_WRITE, flags = MAP_FIXED;
	char *p = arena_take(len, how % 5 == 3 ? 2UL << 20 : FZ_PAGE);

	if (!p)
		return MAP_FAILED;
	switch (how % 5) {
	case 0:
	case 3:		/* 2 MiB aligned, THP where the size allows */
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case 1:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case 2:
		flags |= MAP_SHARED;
		fd = memfd_create("fz", 0);
		if (fd < 0 || ftruncate(fd, len)) {
			if (fd >= 0)
				close(fd);
			return MAP_FAILED;
		}
		break;
	default:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		prot = PROT_READ;
		break;
	}
	p = mmap(p, len, prot, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return p;
	if (how % 5 == 3)
		madvise(p, len, MADV_HUGEPAGE);
	if (how % 5 != 4 && (how >> 8) & 1)
		memset(p, 0x5a, len);
	return p;
}

static void op_map(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_user_mem_region r;
	struct fz_region old;
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err, i;
	size_t len = fz_pages[c->a[1] % ARRAY_SIZE(fz_pages)] * FZ_PAGE;
	char *p;
	long ret;
	bool full;

	memset(&r, 0, sizeof(r));
	r.guest_pfn = fz_gfns[c->a[2] % ARRAY_SIZE(fz_gfns)];
	if ((c->a[2] >> 8) % 4 == 0 && pick_region(slot, c->a[2] >> 16, &old)) {
		/* next to, inside, or aliasing an existing region */
		r.guest_pfn = old.gfn + ((c->a[2] >> 10) % 3) * (old.size / FZ_PAGE / 2);
		if ((c->a[3] >> 8) % 4 == 0)
			len = old.size;
	}
	pthread_mutex_lock(&st.lock);
	full = st.backing + len > FZ_MAX_BACKING;
	if (!full)
		st.backing += len;
	pthread_mutex_unlock(&st.lock);
	if (full)
		return;
	if ((c->a[3] >> 8) % 4 == 0 && pick_region(slot, c->a[3] >> 16, &old) &&
	    old.size >= len)
		p = old.uaddr;		/* the same memory twice */
	else
		p = new_backing(len, c->a[3]);
	if (p == MAP_FAILED)
		return;
	r.size = len;
	r.userspace_addr = (__u64)(unsigned long)p;
	r.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE) |
		  ((c->a[4] & 1) ? BIT(MSHV_SET_MEM_BIT_EXECUTABLE) : 0);
	if (mutating(c))
		mutate_bytes(&r, sizeof(r), c->a[5]);
	ret = fz_ioctl(t, fd, MSHV_SET_GUEST_MEMORY, mut_ptr(&r, c, sizeof(r)), &err);
	if (!ret) {
		pthread_mutex_lock(&st.lock);
		for (i = 0; i < FZ_REGIONS; i++) {
			if (!st.region[i].used) {
				st.region[i] = (struct fz_region){
					slot, r.guest_pfn, r.size,
					(char *)(unsigned long)r.userspace_addr, true };
				break;
			}
		}
		pthread_mutex_unlock(&st.lock);
	}
	record(t, idx, c->op, IO_SET_GUEST_MEMORY, ret, err,
	       "SET_GUEST_MEMORY(slot %d fd %d, size %#llx gfn %#llx uaddr %#llx flags %#x rsvd0 %#x) = %ld",
	       slot, fd, (unsigned long long)r.size,
	       (unsigned long long)r.guest_pfn,
	       (unsigned long long)r.userspace_addr, r.flags, r.rsvd[0], ret);
}

static void op_unmap(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_user_mem_region r;
	struct fz_region old;
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	long ret;

	memset(&r, 0, sizeof(r));
	if (pick_region(slot, c->a[1], &old)) {
		r.size = old.size;
		r.guest_pfn = old.gfn;
		r.userspace_addr = (__u64)(unsigned long)old.uaddr;
	} else {
		r.size = FZ_PAGE;
	}
	r.flags = BIT(MSHV_SET_MEM_BIT_UNMAP) | (c->a[2] & 3);
	if (mutating(c))
		mutate_bytes(&r, sizeof(r), c->a[5]);
	ret = fz_ioctl(t, fd, MSHV_SET_GUEST_MEMORY, mut_ptr(&r, c, sizeof(r)), &err);
	record(t, idx, c->op, IO_SET_GUEST_MEMORY, ret, err,
	       "SET_GUEST_MEMORY(slot %d fd %d, UNMAP size %#llx gfn %#llx uaddr %#llx flags %#x) = %ld",
	       slot, fd, (unsigned long long)r.size,
	       (unsigned long long)r.guest_pfn,
	       (unsigned long long)r.userspace_addr, r.flags, ret);
}

static const char *const fz_backing_ops[] = {
	"munmap", "munmap_half", "dontneed", "pageout", "free", "mprotect_ro",
	"mprotect_rw", "mremap", "remap_fresh", "write", "fork",
};

/* Change the memory behind a region while it is mapped */
static void op_backing(struct fz_thread *t, int idx, const struct fz_call *c)
{
	unsigned int what = c->a[1] % ARRAY_SIZE(fz_backing_ops);
	struct fz_region r;
	size_t len, half;
	long ret = 0;
	pid_t pid;
	void *p;

	if (!pick_region(-1, c->a[0], &r))
		return;
	len = r.size;
	errno = 0;
	switch (what) {
	case 0:
		ret = arena_hole(r.uaddr, len);
		break;
	case 1:
		half = len / 2 & ~(FZ_PAGE - 1);
		ret = arena_hole(r.uaddr + half, len - half);
		break;
	case 2:
		ret = madvise(r.uaddr, len, MADV_DONTNEED);
		break;
	case 3:
		ret = madvise(r.uaddr, len, MADV_PAGEOUT);
		break;
	case 4:
		ret = madvise(r.uaddr, len, MADV_FREE);
		break;
	case 5:
		ret = mprotect(r.uaddr, len, PROT_READ);
		break;
	case 6:
		ret = mprotect(r.uaddr, len, PROT_READ | PROT_WRITE);
		break;
	case 7:
		/* move it away, leaving an inaccessible range behind */
		p = arena_take(len, FZ_PAGE);
		ret = -1;
		if (p && mremap(r.uaddr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				p) != MAP_FAILED)
			ret = arena_hole(r.uaddr, len);
		break;
	case 8:
		p = mmap(r.uaddr, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		ret = p == MAP_FAILED ? -1 : 0;
		break;
	case 9:
		ret = safe_copy(r.uaddr + (c->a[2] % len & ~7UL), &c->a[3], 8);
		break;
	default:
		pid = fork();
		if (!pid)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		ret = pid < 0 ? -1 : 0;
		break;
	}
	record(t, idx, c->op, -1, ret, errno, "backing %s(%p, %#zx) [gfn %#llx] = %ld",
	       fz_backing_ops[what], r.uaddr, len, (unsigned long long)r.gfn, ret);
}

static void op_irqfd(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_user_irqfd a;
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	long ret;

	memset(&a, 0, sizeof(a));
	pick_slot(K_EVT, c->a[1], &a.fd);
	pick_slot(K_EVT, c->a[2], &a.resamplefd);
	a.gsi = c->a[3] % 8;
	a.flags = c->a[4] % 3 == 0 ? BIT(MSHV_IRQFD_BIT_DEASSIGN) :
		  c->a[4] % 3 == 1 ? BIT(MSHV_IRQFD_BIT_RESAMPLE) : 0;
	if (mutating(c))
		mutate_bytes(&a, sizeof(a), c->a[5]);
	ret = fz_ioctl(t, fd, MSHV_IRQFD, mut_ptr(&a, c, sizeof(a)), &err);
	record(t, idx, c->op, IO_IRQFD, ret, err,
	       "IRQFD(slot %d fd %d, fd %d resamplefd %d gsi %u flags %#x) = %ld",
	       slot, fd, a.fd, a.resamplefd, a.gsi, a.flags, ret);
}

static void op_ioeventfd(struct fz_thread *t, int idx, const struct fz_call *c)
{
	static const __u64 addrs[] = { 0x80, 0x1000, 0xfee00000, 0x100000, 0x3f8 };
	static const __u32 lens[] = { 0, 1, 2, 4, 8 };
	struct mshv_user_ioeventfd a;
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	long ret;

	memset(&a, 0, sizeof(a));
	pick_slot(K_EVT, c->a[1], &a.fd);
	a.addr = addrs[c->a[2] % ARRAY_SIZE(addrs)];
	a.len = lens[c->a[3] % ARRAY_SIZE(lens)];
	a.flags = c->a[4] & (BIT(MSHV_IOEVENTFD_BIT_DATAMATCH) |
			     BIT(MSHV_IOEVENTFD_BIT_PIO) |
			     BIT(MSHV_IOEVENTFD_BIT_DEASSIGN));
	a.datamatch = (c->a[4] >> 8) & 0xff;
	if (mutating(c))
		mutate_bytes(&a, sizeof(a), c->a[5]);
	ret = fz_ioctl(t, fd, MSHV_IOEVENTFD, mut_ptr(&a, c, sizeof(a)), &err);
	record(t, idx, c->op, IO_IOEVENTFD, ret, err,
	       "IOEVENTFD(slot %d fd %d, fd %d addr %#llx len %u flags %#x dm %#llx) = %ld",
	       slot, fd, a.fd, (unsigned long long)a.addr, a.len, a.flags,
	       (unsigned long long)a.datamatch, ret);
}

static void op_msi(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_user_irq_table *tab = (void *)t->buf;
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	unsigned int i, max = (FZ_BUF_SIZE - sizeof(*tab)) / sizeof(tab->entries[0]);
	long ret;

	memset(tab, 0, FZ_BUF_SIZE);
	tab->nr = c->a[1] % 9;
	for (i = 0; i < tab->nr; i++) {
		tab->entries[i].gsi = (c->a[2] >> (4 * i)) & 1 ? i + 1 : i;
		tab->entries[i].address_lo = 0xfee00000 | (((c->a[3] >> i) & 1) << 12);
		tab->entries[i].data = 0x30 + i + ((c->a[3] >> 16) & 1 ? 0x8000 : 0);
	}
	if (mutating(c)) {
		if ((c->a[5] >> 30) & 1)
			tab->nr = (c->a[5] >> 31) & 1 ? 4097 : max + 1;
		else
			mutate_bytes(tab, sizeof(*tab) + 8 * sizeof(tab->entries[0]),
				     c->a[5]);
	}
	ret = fz_ioctl(t, fd, MSHV_SET_MSI_ROUTING, mut_ptr(tab, c, sizeof(*tab)), &err);
	record(t, idx, c->op, IO_SET_MSI_ROUTING, ret, err,
	       "SET_MSI_ROUTING(slot %d fd %d, nr %u rsvd %u gsi0 %u addr0 %#x data0 %#x) = %ld",
	       slot, fd, tab->nr, tab->rsvd, tab->entries[0].gsi,
	       tab->entries[0].address_lo, tab->entries[0].data, ret);
}

static void op_gpap(struct fz_thread *t, int idx, const struct fz_call *c)
{
	struct mshv_gpap_access_bitmap a;
	int fd, slot = pick_slot(K_PT, c->a[0], &fd), err;
	struct fz_region r;
	long ret;

	memset(&a, 0, sizeof(a));
	a.access_type = c->a[1] % 2;
	a.access_op = (c->a[1] >> 8) % 3;
	a.page_count = 1 + c->a[2] % 1024;
	if (pick_region(slot, c->a[3], &r)) {
		a.gpap_base = r.gfn;
		if ((c->a[2] >> 16) & 1)
			a.page_count = r.size / FZ_PAGE;
	}
	a.bitmap_ptr = (__u64)(unsigned long)mut_ptr(t->buf, c, FZ_BUF_SIZE);
	if (mutating(c) && !((c->a[5] >> 40) & 3))
		mutate_bytes(&a, sizeof(a), c->a[5]);
	ret = fz_ioctl(t, fd, MSHV_GET_GPAP_ACCESS_BITMAP, &a, &err);
	record(t, idx, c->op, IO_GET_GPAP_ACCESS_BITMAP, ret, err,
	       "GET_GPAP_ACCESS_BITMAP(slot %d fd %d, type %u op %u count %#llx base %#llx ptr %#llx) = %ld",
	       slot, fd, a.access_type, a.access_op,
	       (unsigned long long)a.page_count, (unsigned long long)a.gpap_base,
	       (unsigned long long)a.bitmap_ptr, ret);
}

/* The VP index of a VP slot, or a random index */
static __u32 vp_index_of(__u64 a)
{
	int fd, s = pick_slot(K_VP, a, &fd);
	__u32 v;

	if (s < 0)
		return a % 4;
	pthread_mutex_lock(&st.lock);
	v = st.slot[s].vp_index;
	pthread_mutex_unlock(&st.lock);
	return v;
}

static void op_hvcall(struct fz_thread *t, int idx, const struct fz_call *c)
{
	static const int kinds[] = { K_PT, K_VP, K_PT, K_DEV };
	__u8 in[512], *out = (__u8 *)t->buf;
	struct mshv_root_hvcall a;
	unsigned int n, i;
	int fd, slot, err;
	__u64 *q = (__u64 *)in;
	__u32 *d = (__u32 *)in;
	long ret;

	slot = pick_slot(kinds[c->a[0] % 4], c->a[0] >> 2, &fd);
	memset(&a, 0, sizeof(a));
	memset(in, 0, sizeof(in));
	a.code = fz_hv_codes[c->a[1] % ARRAY_SIZE(fz_hv_codes)];
	if ((c->a[1] >> 8) % 16 == 0)
		a.code = (c->a[1] >> 16) & 0x1ff;
	n = 1 + (c->a[2] % 8);
	switch (a.code) {
	case HVCALL_GET_VP_REGISTERS:
		d[2] = vp_index_of(c->a[3]);
		for (i = 0; i < n; i++)
			d[4 + i] = fz_reg_names[(c->a[4] >> (6 * i)) %
						ARRAY_SIZE(fz_reg_names)];
		a.reps = n;
		a.in_sz = 16 + 4 * n;
		a.out_sz = 16 * n;
		break;
	case HVCALL_SET_VP_REGISTERS: {
		struct hv_register_assoc *ra = (void *)(in + 16);

		d[2] = vp_index_of(c->a[3]);
		n = 1 + c->a[2] % 4;
		for (i = 0; i < n; i++) {
			ra[i].name = fz_reg_names[(c->a[4] >> (6 * i)) %
						  ARRAY_SIZE(fz_reg_names)];
			ra[i].value.reg64 = (c->a[2] >> (8 + 8 * i)) & 1 ?
					    c->a[3] >> (i * 4) : (c->a[4] >> 32) & 0xffff;
		}
		a.reps = n;
		a.in_sz = 16 + 32 * n;
		break;
	}
	case HVCALL_GET_PARTITION_PROPERTY:
	case HVCALL_GET_PARTITION_PROPERTY_EX:
	case HVCALL_SET_PARTITION_PROPERTY:
		d[2] = fz_prop_codes[c->a[3] % ARRAY_SIZE(fz_prop_codes)];
		q[2] = c->a[4] & 0xff;
		a.in_sz = a.code == HVCALL_SET_PARTITION_PROPERTY ? 24 : 16;
		a.out_sz = a.code == HVCALL_SET_PARTITION_PROPERTY ? 0 :
			   a.code == HVCALL_GET_PARTITION_PROPERTY ? 8 : 32;
		break;
	case HVCALL_ASSERT_VIRTUAL_INTERRUPT:
		d[2] = c->a[3] % 3 ? 0 : c->a[3] % 8;	/* fixed, or another type */
		d[3] = (c->a[3] >> 8) & 1;
		q[2] = (c->a[3] >> 16) % 4;
		d[6] = 0x20 + (c->a[4] % 0xe0);
		a.in_sz = 32;
		break;
	case HVCALL_INSTALL_INTERCEPT:
		d[2] = c->a[3] % 3;
		d[3] = (c->a[3] >> 8) % HV_INTERCEPT_TYPE_MAX;
		q[2] = c->a[4] & 0xffff;
		a.in_sz = 24;
		break;
	case HVCALL_TRANSLATE_VIRTUAL_ADDRESS:
		d[2] = vp_index_of(c->a[3]);
		q[2] = c->a[4] & 0x7ff;
		q[3] = (c->a[4] >> 16) & 0xfffff;
		a.in_sz = 32;
		a.out_sz = 16;
		break;
	case HVCALL_GET_GPA_PAGES_ACCESS_STATES:
		q[1] = c->a[3] & 0xf;
		q[2] = (c->a[3] >> 8) & 0x3ff;
		a.reps = 1 + c->a[4] % 512;
		a.in_sz = 24;
		a.out_sz = a.reps;
		break;
	default:
		for (i = 1; i < 8; i++)
			q[i] = (c->a[3] >> i) & 1 ? c->a[4] >> i : i;
		a.in_sz = 8 * (1 + c->a[2] % 8);
		a.out_sz = (c->a[2] >> 8) & 1 ? 64 : 0;
		a.reps = (c->a[2] >> 16) & 1 ? n : 0;
		break;
	}
	a.in_ptr = (__u64)(unsigned long)in;
	a.out_ptr = a.out_sz ? (__u64)(unsigned long)out : 0;
	if (mutating(c)) {
		if ((c->a[5] >> 36) & 1)
			mutate_bytes(in, a.in_sz, c->a[5] >> 8);
		else
			mutate_bytes(&a, sizeof(a), c->a[5]);
	}
	ret = fz_ioctl(t, fd, MSHV_ROOT_HVCALL, mut_ptr(&a, c, sizeof(a)), &err);
	record(t, idx, c->op, IO_ROOT_HVCALL, ret, err,
	       "ROOT_HVCALL(slot %d fd %d, code %#x reps %u in_sz %u out_sz %u status %#x in %#llx %#llx %#llx) = %ld",
	       slot, fd, a.code, a.reps, a.in_sz, a.out_sz, a.status,
	       (unsigned long long)q[1], (unsigned long long)q[2],
	       (unsigned long long)q[3], ret);
}

static const char *const fz_guest_names[] = {
	"hlt", "out", "in", "mmio_write", "mmio_read", "loop", "random",
	"cpuid", "rdmsr", "wrmsr", "sti_hlt", "ud2", "int3",
};

/* Write a guest program for @kind into @p; returns its length */
static size_t guest_code(__u8 *p, unsigned int kind, __u64 r)
{
	size_t n = 0, i;

	switch (kind) {
	case 0:
		break;
	case 1:	/* mov dx, port; mov al, imm; out dx, al */
		p[n++] = 0xba; p[n++] = r; p[n++] = r >> 8;
		p[n++] = 0xb0; p[n++] = r >> 16; p[n++] = 0xee;
		break;
	case 2:	/* mov dx, port; in al, dx */
		p[n++] = 0xba; p[n++] = r; p[n++] = r >> 8; p[n++] = 0xec;
		break;
	case 3:	/* mov [bx], al (DS base = the target) */
		p[n++] = 0x88; p[n++] = 0x07;
		break;
	case 4:	/* mov al, [bx] */
		p[n++] = 0x8a; p[n++] = 0x07;
		break;
	case 5:	/* jmp $ */
		p[n++] = 0xeb; p[n++] = 0xfe;
		break;
	case 6:
		for (i = 0; i < 15; i++)
			p[n++] = r >> ((i % 8) * 8) ^ i * 0x3b;
		break;
	case 7:
		p[n++] = 0x0f; p[n++] = 0xa2;
		break;
	case 8:
		p[n++] = 0x0f; p[n++] = 0x32;
		break;
	case 9:
		p[n++] = 0x0f; p[n++] = 0x30;
		break;
	case 10:
		p[n++] = 0xfb;
		break;
	case 11:
		p[n++] = 0x0f; p[n++] = 0x0b;
		break;
	default:
		p[n++] = 0xcc;
		break;
	}
	p[n++] = 0xf4;	/* hlt */
	return n;
}

static void op_run_vp(struct fz_thread *t, int idx, const struct fz_call *c)
{
	unsigned int kind = c->a[1] % ARRAY_SIZE(fz_guest_names);
	struct hv_register_assoc regs[6];
	struct mshv_root_hvcall hc;
	struct mshv_run_vp *run = (void *)t->buf;
	struct fz_region r;
	int fd, slot, pt = -1, err;
	__u32 vp_index = 0, type;
	char code[32] = "";
	long ret;

	slot = pick_slot(K_VP, c->a[0], &fd);
	if (slot >= 0) {
		pthread_mutex_lock(&st.lock);
		pt = st.slot[slot].pt;
		vp_index = st.slot[slot].vp_index;
		pthread_mutex_unlock(&st.lock);
	}
	if ((c->a[3] & 3) && pick_region(pt, c->a[4], &r) && r.gfn < (1ULL << 20)) {
		__u64 off = (c->a[4] >> 8) % r.size & ~0xfULL;
		__u64 gpa = r.gfn * FZ_PAGE + off;
		__u8 prog[32];
		size_t n = guest_code(prog, kind, c->a[2]);
		bool wrote;

		if (off + n > r.size)
			off = 0;
		wrote = !safe_copy(r.uaddr + off, prog, n);
		memset(regs, 0, sizeof(regs));
		regs[0].name = HV_X64_REGISTER_CS;
		regs[0].value.segment = (struct hv_x64_segment_register){
			.base = gpa, .limit = 0xffff, .selector = gpa >> 4,
			.attributes = 0x9b };
		regs[1].name = HV_X64_REGISTER_RIP;
		regs[2].name = HV_X64_REGISTER_DS;
		regs[2].value.segment = (struct hv_x64_segment_register){
			.base = (c->a[2] >> 24) & 1 ? (c->a[2] >> 32) & 0xfffff000 :
			r.gfn * FZ_PAGE, .limit = 0xffff, .attributes = 0x93 };
		regs[3].name = HV_X64_REGISTER_RBX;
		regs[3].value.reg64 = (c->a[2] >> 28) & 0xff0;
		regs[4].name = HV_X64_REGISTER_RFLAGS;
		regs[4].value.reg64 = MSHV_RFLAGS_RESET;
		regs[5].name = HV_X64_REGISTER_RAX;
		regs[5].value.reg64 = c->a[2] >> 40;
		ret = __mshv_set_vp_registers(fd, vp_index, regs, 6, &hc);
		snprintf(code, sizeof(code), " %s@%#llx%s", fz_guest_names[kind],
			 (unsigned long long)gpa, wrote ? "" : "(unwritten)");
		record(t, idx, c->op, IO_ROOT_HVCALL, ret, errno,
		       "SET_VP_REGISTERS(slot %d fd %d, vp %u: cs.base %#llx ds.base %#llx) = %ld status %#x",
		       slot, fd, vp_index, (unsigned long long)gpa,
		       (unsigned long long)regs[2].value.segment.base, ret, hc.status);
	}
	memset(run, 0, sizeof(*run));
	arm(t, FZ_CALL_MS);
	ret = ioctl(fd, MSHV_RUN_VP, mut_ptr(run, c, sizeof(*run)));
	err = errno;
	disarm(t);
	type = 0;
	if (!ret) {
		memcpy(&type, run->msg_buf, sizeof(type));
		sh->msgs[((type >> 11) & 0x20) | (type & 0x1f)] = 1;
	}
	record(t, idx, c->op, IO_RUN_VP, ret, err, "RUN_VP(slot %d fd %d%s) = %ld msg %#x",
	       slot, fd, code, ret, type);
}

static void op_vp_state(struct fz_thread *t, int idx, const struct fz_call *c,
			bool set)
{
	static const __u32 sizes[] = { 4096, 8192, 12288, 0, 4095, 1 };
	struct mshv_get_set_vp_state a;
	int fd, slot = pick_slot(K_VP, c->a[0], &fd), err;
	long ret;

	memset(&a, 0, sizeof(a));
	a.type = c->a[1] % MSHV_VP_STATE_COUNT;
	a.buf_sz = sizes[(c->a[2] % 8) < 5 ? c->a[2] % 3 : c->a[2] % ARRAY_SIZE(sizes)];
	a.buf_ptr = (__u64)(unsigned long)t->buf;
	if (set) {
		struct mshv_get_set_vp_state g = a;

		fz_ioctl(t, fd, MSHV_GET_VP_STATE, &g, &err);
		if ((c->a[3] & 3) == 0)
			mutate_bytes(t->buf, a.buf_sz ? a.buf_sz : 1, c->a[3]);
	}
	if (mutating(c)) {
		if ((c->a[5] >> 40) & 3)
			mutate_bytes(&a, sizeof(a), c->a[5]);
		else
			a.buf_ptr = (__u64)(unsigned long)mut_ptr(t->buf, c, a.buf_sz);
	}
	ret = fz_ioctl(t, fd, set ? MSHV_SET_VP_STATE : MSHV_GET_VP_STATE, &a, &err);
	record(t, idx, c->op, set ? IO_SET_VP_STATE : IO_GET_VP_STATE, ret, err,
	       "%s_VP_STATE(slot %d fd %d, type %u rsvd0 %u buf_sz %u ptr %#llx) = %ld",
	       set ? "SET" : "GET", slot, fd, a.type, a.rsvd[0], a.buf_sz,
	       (unsigned long long)a.buf_ptr, ret);
}

static void op_mmap_vp(struct fz_thread *t, int idx, const struct fz_call *c)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_READ | PROT_WRITE | PROT_EXEC };
	int fd, slot = pick_slot(K_VP, c->a[0], &fd), i;
	unsigned long off = c->a[1] % MSHV_VP_MMAP_OFFSET_COUNT;
	size_t len = (c->a[2] >> 8) % 4 ? FZ_PAGE : 2 * FZ_PAGE;
	int prot = prots[c->a[2] % 3];
	int flags = (c->a[2] >> 4) % 4 ? MAP_SHARED : MAP_PRIVATE;
	void *p;

	if (mutating(c))
		off = (c->a[5] >> 8) & 1 ? (c->a[5] >> 16) & 0xffff : 3;
	p = mmap(NULL, len, prot, flags, fd, off * FZ_PAGE);
	if (p != MAP_FAILED) {
		pthread_mutex_lock(&st.lock);
		for (i = 0; i < FZ_VMAPS && st.vmap[i]; i++)
			;
		if (i < FZ_VMAPS) {
			st.vmap[i] = p;
			st.vmap_len[i] = len;
		}
		pthread_mutex_unlock(&st.lock);
	}
	record(t, idx, c->op, -1, p == MAP_FAILED ? -1 : 0, errno,
	       "mmap(vp slot %d fd %d, off %#lx len %#zx prot %#x %s) = %p",
	       slot, fd, off * FZ_PAGE, len, prot,
	       flags == MAP_SHARED ? "shared" : "private", p);
}

static const char *const fz_touch_names[] = {
	"read", "write", "munmap", "mprotect_ro",
};

static void op_touch_vp(struct fz_thread *t, int idx, const struct fz_call *c)
{
	unsigned int what = c->a[1] % 4;
	size_t len = 0, off;
	char *p = NULL;
	long ret = 0;
	__u64 v = c->a[3];
	int i, n = 0;

	pthread_mutex_lock(&st.lock);
	for (i = 0; i < FZ_VMAPS; i++)
		n += !!st.vmap[i];
	if (n) {
		n = c->a[0] % n;
		for (i = 0; i < FZ_VMAPS; i++) {
			if (st.vmap[i] && !n--) {
				p = st.vmap[i];
				len = st.vmap_len[i];
				if (what == 2)
					st.vmap[i] = NULL;
				break;
			}
		}
	}
	pthread_mutex_unlock(&st.lock);
	if (!p)
		return;
	off = c->a[2] % len & ~7UL;
	errno = 0;
	switch (what) {
	case 0:
		ret = safe_copy(&v, p + off, sizeof(v));
		break;
	case 1:
		ret = safe_copy(p + off, &v, sizeof(v));
		break;
	case 2:
		ret = munmap(p, len);
		break;
	default:
		ret = mprotect(p, len, PROT_READ);
		break;
	}
	if (ret && what < 2)
		errno = EFAULT;
	record(t, idx, c->op, -1, ret, errno, "vp page %s(%p + %#zx) = %ld",
	       fz_touch_names[what], p, off, ret);
}

static void op_close(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd, slot = pick_slot(-1, c->a[0], &fd), kind = -1;
	long ret;

	if (slot < 0)
		return;
	pthread_mutex_lock(&st.lock);
	if (st.slot[slot].fd == fd) {
		kind = st.slot[slot].kind;
		st.slot[slot].kind = K_FREE;
		st.slot[slot].fd = -1;
	}
	pthread_mutex_unlock(&st.lock);
	if (kind < 0)
		return;
	ret = close(fd);
	record(t, idx, c->op, -1, ret, errno, "close(slot %d %s fd %d) = %ld", slot,
	       fz_kind_names[kind], fd, ret);
}

static void op_dup(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd, slot = pick_slot(-1, c->a[0], &fd), kind, pt, tgt, tfd = -1;
	__u32 vpi;
	long ret;

	if (slot < 0)
		return;
	pthread_mutex_lock(&st.lock);
	kind = st.slot[slot].kind;
	pt = st.slot[slot].pt;
	vpi = st.slot[slot].vp_index;
	pthread_mutex_unlock(&st.lock);
	if (c->a[1] & 1) {
		/* dup2 over another slot's fd: that slot now names this object */
		tgt = pick_slot(-1, c->a[2], &tfd);
		if (tgt < 0 || tgt == slot)
			return;
		ret = dup2(fd, tfd);
		if (ret >= 0) {
			pthread_mutex_lock(&st.lock);
			if (st.slot[tgt].fd == tfd)
				st.slot[tgt] = (struct fz_slot){ tfd, kind, pt, vpi };
			pthread_mutex_unlock(&st.lock);
		}
	} else {
		ret = dup(fd);
		add_slot(ret, kind == K_FREE ? K_OTHER : kind, pt, vpi);
	}
	record(t, idx, c->op, -1, ret, errno, "dup%s(slot %d %s fd %d%s) = %ld",
	       tfd >= 0 ? "2" : "", slot, fz_kind_names[kind], fd,
	       tfd >= 0 ? " over the fd of another slot" : "", ret);
}

static void op_eventfd(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd = eventfd(0, EFD_NONBLOCK | ((c->a[0] & 1) ? EFD_SEMAPHORE : 0));
	int err = errno;

	add_slot(fd, K_EVT, -1, 0);
	record(t, idx, c->op, -1, fd, err, "eventfd() = %d", fd);
}

static void op_signal(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd, slot = pick_slot(K_EVT, c->a[0], &fd);
	__u64 v = 1;
	long ret;

	if (c->a[1] & 1)
		ret = read(fd, &v, sizeof(v));
	else
		ret = write(fd, &v, sizeof(v));
	record(t, idx, c->op, -1, ret, errno, "eventfd %s(slot %d fd %d) = %ld",
	       (c->a[1] & 1) ? "read" : "write", slot, fd, ret);
}

/* Any ioctl number of the driver, or a near one, on any fd */
static void op_raw(struct fz_thread *t, int idx, const struct fz_call *c)
{
	int fd, slot = pick_slot(-1, c->a[0], &fd), io, err;
	unsigned long cmd;
	long ret;
	void *arg;

	io = c->a[1] % (IO_COUNT + 2);
	if (io < IO_OTHER) {
		cmd = fz_ioctls[io].cmd;
	} else {
		io = IO_OTHER;
		cmd = _IOC((c->a[2] >> 8) & 3, MSHV_IOCTL, c->a[2] & 0x1f,
			   (c->a[2] >> 16) & 0x3fff);
	}
	memset(t->buf, (c->a[3] >> 8) & 1 ? 0 : 0xff, FZ_BUF_SIZE);
	switch (c->a[3] % 4) {
	case 0:
		arg = t->buf;
		break;
	case 1:
		arg = bad_page;
		break;
	case 2:
		arg = ro_page;
		break;
	default:
		arg = edge_page + FZ_PAGE - 8;
		break;
	}
	ret = fz_ioctl(t, fd, cmd, arg, &err);
	record(t, idx, c->op, io, ret, err, "ioctl(slot %d fd %d, %s %#lx, %p) = %ld",
	       slot, fd, fz_ioctls[io].name, cmd, arg, ret);
}

static void op_get_state(struct fz_thread *t, int idx, const struct fz_call *c)
{
	op_vp_state(t, idx, c, false);
}

static void op_set_state(struct fz_thread *t, int idx, const struct fz_call *c)
{
	op_vp_state(t, idx, c, true);
}

static void (*const fz_exec[OP_COUNT])(struct fz_thread *t, int idx,
				       const struct fz_call *c) = {
	[OP_OPEN_DEV]	= op_open_dev,
	[OP_CREATE_PT]	= op_create_pt,
	[OP_INIT_PT]	= op_init_pt,
	[OP_CREATE_VP]	= op_create_vp,
	[OP_MAP]	= op_map,
	[OP_UNMAP]	= op_unmap,
	[OP_BACKING]	= op_backing,
	[OP_IRQFD]	= op_irqfd,
	[OP_IOEVENTFD]	= op_ioeventfd,
	[OP_MSI]	= op_msi,
	[OP_GPAP]	= op_gpap,
	[OP_HVCALL]	= op_hvcall,
	[OP_RUN_VP]	= op_run_vp,
	[OP_GET_STATE]	= op_get_state,
	[OP_SET_STATE]	= op_set_state,
	[OP_MMAP_VP]	= op_mmap_vp,
	[OP_TOUCH_VP]	= op_touch_vp,
	[OP_CLOSE]	= op_close,
	[OP_DUP]	= op_dup,
	[OP_EVENTFD]	= op_eventfd,
	[OP_SIGNAL]	= op_signal,
	[OP_RAW]	= op_raw,
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void run_call(struct fz_thread *t, int idx, const struct fz_call *c)
{
	__u64 t0 = now_ns();

	fz_exec[c->op < OP_COUNT ? c->op : OP_RAW](t, idx, c);
	__atomic_add_fetch(&sh->op_ns[c->op], now_ns() - t0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->op_n[c->op], 1, __ATOMIC_RELAXED);
}

/* --- the child: one program ------------------------------------------------------------ */

static void *thread_main(void *arg)
{
	struct fz_thread *t = arg;
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	unsigned int i;

	sev.sigev_notify_thread_id = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->timer))
		_exit(90);
	t->buf = mmap(NULL, FZ_BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->buf == MAP_FAILED)
		_exit(91);
	for (i = 0; i < t->prog->n; i++)
		if (t->prog->c[i].thread == t->id)
			run_call(t, i, &t->prog->c[i]);
	timer_delete(t->timer);
	return NULL;
}

static noreturn void child_main(const struct fz_prog *p)
{
	struct fz_thread th[FZ_THREADS];
	pthread_t tid[FZ_THREADS];
	struct sigaction sa;
	char *raw;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;	/* no SA_RESTART: a blocked call ends */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	/* bad_page: a hole; arena: where backing is placed */
	raw = mmap(NULL, FZ_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, FZ_ARENA_SIZE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED || arena == MAP_FAILED)
		_exit(92);
	bad_page = raw;
	ro_page = mmap(NULL, FZ_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	edge_page = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED || edge_page == MAP_FAILED)
		_exit(92);
	munmap(edge_page + FZ_PAGE, FZ_PAGE);
	memset(edge_page, 0, FZ_PAGE);
	for (i = 0; i < FZ_SLOTS; i++)
		st.slot[i] = (struct fz_slot){ -1, K_FREE, -1, 0 };
	add_slot(open("/dev/null", O_RDWR), K_OTHER, -1, 0);

	for (i = 0; i < FZ_THREADS; i++) {
		th[i] = (struct fz_thread){ .id = i, .prog = p };
		if (pthread_create(&tid[i], NULL, thread_main, &th[i]))
			_exit(93);
	}
	for (i = 0; i < FZ_THREADS; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}

/* --- the parent: generation, feedback, splat checks -------------------------------------- */

static __u64 rng;
static __u8 seen_pairs[IO_COUNT][FZ_NERR];
static __u8 seen_opfeat[OP_COUNT][FZ_NERR];
static __u8 seen_msgs[64];
static __u8 seen_hc[0x200];
static __u8 seen_irq[64];
static struct fz_prog corpus[FZ_CORPUS];
static __u64 exec_ns, start_ns;
static unsigned int ncorpus;
static int kmsg_fd = -1;
static unsigned long taint0;

static void gen_call(struct fz_call *c)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < OP_COUNT; i++)
		total += fz_ops[i].weight;
	r = rnd_below(&rng, total);
	for (i = 0; r >= fz_ops[i].weight; i++)
		r -= fz_ops[i].weight;
	c->op = i;
	c->thread = rnd_below(&rng, 10) < 5 ? 0 : rnd_below(&rng, FZ_THREADS);
	for (i = 0; i < FZ_ARGS; i++)
		c->a[i] = rnd_next(&rng);
}

/* A call with valid-ish arguments (no mutation) */
static struct fz_call fixed_call(int op, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	return (struct fz_call){ .op = op, .a = { a0, a1, a2, a3, 0, 0xff } };
}

static void gen_prog(struct fz_prog *p)
{
	unsigned int n = 8 + rnd_below(&rng, FZ_MAX_CALLS - 8 - 7), i = 0;

	/* a partition with memory at GPA 0, a VP and an eventfd to start */
	p->c[i++] = fixed_call(OP_OPEN_DEV, 0, 0, 0, 0);
	p->c[i++] = fixed_call(OP_CREATE_PT, 0, rnd_next(&rng), rnd_below(&rng, 4) == 0, 0);
	p->c[i++] = fixed_call(OP_INIT_PT, 0, 0, 0, 0);
	p->c[i++] = fixed_call(OP_MAP, 0, 2, 0, rnd_below(&rng, 4) << 1);
	p->c[i++] = fixed_call(OP_CREATE_VP, 0, 0, 0, 0);
	p->c[i++] = fixed_call(OP_EVENTFD, 0, 0, 0, 0);
	while (i < n + 6)
		gen_call(&p->c[i++]);
	p->n = i;
}

static void mutate_prog(struct fz_prog *p)
{
	unsigned int k, m = 1 + rnd_below(&rng, 3), i;
	const struct fz_prog *o;

	for (k = 0; k < m; k++) {
		i = rnd_below(&rng, p->n);
		switch (rnd_below(&rng, 8)) {
		case 0:
		case 1:
			p->c[i].a[rnd_below(&rng, FZ_ARGS)] = rnd_next(&rng);
			break;
		case 2:
			p->c[i].a[rnd_below(&rng, FZ_ARGS)] ^= 1ULL << rnd_below(&rng, 64);
			break;
		case 3:
			p->c[i].thread = rnd_below(&rng, FZ_THREADS);
			break;
		case 4:	/* insert */
			if (p->n < FZ_MAX_CALLS) {
				memmove(&p->c[i + 1], &p->c[i], (p->n - i) * sizeof(p->c[0]));
				gen_call(&p->c[i]);
				p->n++;
			}
			break;
		case 5:	/* delete */
			if (p->n > 1) {
				memmove(&p->c[i], &p->c[i + 1], (p->n - i - 1) * sizeof(p->c[0]));
				p->n--;
			}
			break;
		case 6:	/* duplicate */
			if (p->n < FZ_MAX_CALLS) {
				memmove(&p->c[i + 1], &p->c[i], (p->n - i) * sizeof(p->c[0]));
				p->n++;
			}
			break;
		default: /* splice another program's tail */
			o = &corpus[rnd_below(&rng, ncorpus)];
			if (o->n) {
				unsigned int from = rnd_below(&rng, o->n);
				unsigned int cnt = o->n - from;

				if (i + cnt > FZ_MAX_CALLS)
					cnt = FZ_MAX_CALLS - i;
				memcpy(&p->c[i], &o->c[from], cnt * sizeof(p->c[0]));
				p->n = i + cnt;
			}
			break;
		}
	}
}

static void print_prog(const struct fz_prog *p, FILE *f)
{
	unsigned int i, j;

	for (i = 0; i < p->n; i++) {
		fprintf(f, "call %u %s", p->c[i].thread, fz_ops[p->c[i].op].name);
		for (j = 0; j < FZ_ARGS; j++)
			fprintf(f, " %#llx", (unsigned long long)p->c[i].a[j]);
		fprintf(f, "\n");
	}
}

static int parse_prog(FILE *f, struct fz_prog *p)
{
	char line[512], name[64];
	unsigned long long a[FZ_ARGS];
	unsigned int th, op;

	p->n = 0;
	while (fgets(line, sizeof(line), f) && p->n < FZ_MAX_CALLS) {
		char *s = strstr(line, "call ");

		if (!s || sscanf(s, "call %u %63s %lli %lli %lli %lli %lli %lli", &th, name,
				 &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) != 8)
			continue;
		for (op = 0; op < OP_COUNT && strcmp(fz_ops[op].name, name); op++)
			;
		if (op == OP_COUNT || th >= FZ_THREADS)
			return -1;
		p->c[p->n].op = op;
		p->c[p->n].thread = th;
		memcpy(p->c[p->n].a, a, sizeof(a));
		p->n++;
	}
	return p->n ? 0 : -1;
}

static void print_rings(void)
{
	unsigned int t, i, h;

	for (t = 0; t < FZ_THREADS; t++) {
		h = sh->head[t];
		printf("# thread %u, its last %u calls:\n", t, h < FZ_RING ? h : FZ_RING);
		for (i = h > FZ_RING ? h - FZ_RING : 0; i < h; i++) {
			const struct fz_rec *r = &sh->ring[t][i % FZ_RING];

			printf("#   [%d] %s%s%s\n", r->idx, r->text,
			       r->err ? " errno " : "", r->err ? strerror(r->err) : "");
		}
	}
}

static const char *const splat_words[] = {
	"WARNING:", "BUG:", "KASAN", "UBSAN", "Oops", "general protection",
	"circular locking", "recursive locking", "inconsistent lock state",
	"lockdep", "suspicious RCU usage", "blocked for more than",
	"detected stall", "soft lockup", "Call Trace:", "kernel BUG",
	"list_add corruption", "list_del corruption", "Kernel panic",
};

static unsigned long read_taint(void)
{
	__u64 v = 0;

	mshv_read_u64_file("/proc/sys/kernel/tainted", &v);
	return v;
}

/* New kernel messages: print those that are splats; returns how many */
static int check_kmsg(void)
{
	char rec[2048];
	int splats = 0, shown = 0;
	unsigned int i;
	ssize_t n;

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		for (i = 0; i < ARRAY_SIZE(splat_words); i++) {
			if (strstr(rec, splat_words[i])) {
				splats += !splats;
				break;
			}
		}
		if (splats && shown++ < 60) {
			char *msg = strchr(rec, ';');

			printf("# kmsg: %s", msg ? msg + 1 : rec);
		}
	}
	if (read_taint() != taint0) {
		printf("# kernel taint changed: %#lx -> %#lx\n", taint0, read_taint());
		taint0 = read_taint();
		splats += !splats;
	}
	return splats;
}

/* hvsim's hypercall and interrupt counters: which ones moved */
static void read_counters(__u64 hc[0x200], __u64 irq[64])
{
	char line[256];
	FILE *f;

	memset(hc, 0, 0x200 * sizeof(hc[0]));
	memset(irq, 0, 64 * sizeof(irq[0]));
	f = fopen(MSHV_DBG_HVSIM "/hypercalls", "r");
	if (f) {
		unsigned int code;
		unsigned long long calls;

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%x %*s %llu", &code, &calls) == 2 && code < 0x200)
				hc[code] = calls;
		fclose(f);
	}
	f = fopen(MSHV_DBG_HVSIM "/interrupts", "r");
	if (f) {
		unsigned int i = 0;
		char *s, *save;

		while (fgets(line, sizeof(line), f))
			for (s = strtok_r(line, FZ_SPACE, &save); s && i < 64;
			     s = strtok_r(NULL, FZ_SPACE, &save))
				if (strchr(s, '='))
					irq[i++] = strtoull(strchr(s, '=') + 1, NULL, 10);
		fclose(f);
	}
}

static int count_pairs(void)
{
	int i, j, n = 0;

	for (i = 0; i < IO_COUNT; i++)
		for (j = 0; j < FZ_NERR; j++)
			n += seen_pairs[i][j];
	return n;
}

static int hvsim_partitions(void)
{
	struct mshv_dbg_partition p[8];

	return mshv_dbg_partitions(p, 8);
}

/*
 * Run @p in a child.  Returns 0, or -1 on a splat, a hang or a crash (the
 * reproducer printed); *new_feat tells whether the program found something.
 */
static int run_prog(const struct fz_prog *p, unsigned long nr, bool *new_feat)
{
	static __u64 hc0[0x200], hc1[0x200], irq0[64], irq1[64];
	const char *why = NULL;
	int status = 0, i, j;
	struct timespec t0, now;
	pid_t pid, w;

	*new_feat = false;
	memset(sh->pairs, 0, sizeof(sh->pairs));
	memset(sh->opfeat, 0, sizeof(sh->opfeat));
	memset(sh->msgs, 0, sizeof(sh->msgs));
	memset(sh->head, 0, sizeof(sh->head));
	read_counters(hc0, irq0);
	fflush(stdout);
	start_ns = now_ns();
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		child_main(p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > FZ_CHILD_S) {
			why = "the program did not end";
			break;
		}
		usleep(2000);
	}
	if (why) {
		char path[64], buf[4096];
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/stack", pid);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = 0;
				printf("# main thread's kernel stack:\n%s", buf);
			}
			close(fd);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	} else if (WIFSIGNALED(status)) {
		why = "the program's process was killed by a signal";
		printf("# signal %d\n", WTERMSIG(status));
	} else if (WEXITSTATUS(status)) {
		why = "the program's process failed";
		printf("# exit status %d\n", WEXITSTATUS(status));
	}
	exec_ns += now_ns() - start_ns;
	if (check_kmsg() && !why)
		why = "kernel splat";
	if (why) {
		printf("# %s in program %lu; reproducer (REPLAY=<file with these lines>):\n",
		       why, nr);
		print_prog(p, stdout);
		print_rings();
		return -1;
	}

	for (i = 0; i < IO_COUNT; i++)
		for (j = 0; j < FZ_NERR; j++)
			if (sh->pairs[i][j] && !seen_pairs[i][j])
				seen_pairs[i][j] = 1, *new_feat = true;
	for (i = 0; i < OP_COUNT; i++)
		for (j = 0; j < FZ_NERR; j++)
			if (sh->opfeat[i][j] && !seen_opfeat[i][j])
				seen_opfeat[i][j] = 1, *new_feat = true;
	for (i = 0; i < 64; i++)
		if (sh->msgs[i] && !seen_msgs[i])
			seen_msgs[i] = 1, *new_feat = true;
	read_counters(hc1, irq1);
	for (i = 0; i < 0x200; i++)
		if (hc1[i] != hc0[i] && !seen_hc[i])
			seen_hc[i] = 1, *new_feat = true;
	for (i = 0; i < 64; i++)
		if (irq1[i] != irq0[i] && !seen_irq[i])
			seen_irq[i] = 1, *new_feat = true;
	return 0;
}

/*
 * DURATION / SEED / REPLAY, or mshvtest.fuzz_<name>= on the command line;
 * the value is copied to @val (256 bytes).
 */
static const char *param(const char *env, const char *cmdline_name, char *val)
{
	char cmd[4096], key[64], *s;
	ssize_t n;
	int fd;

	if (getenv(env)) {
		snprintf(val, 256, "%s", getenv(env));
		return val;
	}
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	cmd[n] = 0;
	snprintf(key, sizeof(key), "mshvtest.fuzz_%s=", cmdline_name);
	s = strstr(cmd, key);
	if (!s)
		return NULL;
	snprintf(val, 256, "%s", s + strlen(key));
	val[strcspn(val, FZ_SPACE)] = 0;
	return val;
}

int main(void)
{
	static char v_dur[256], v_seed[256], v_replay[256];
	const char *s_dur = param("DURATION", "duration", v_dur);
	const char *s_seed = param("SEED", "seed", v_seed);
	const char *replay = param("REPLAY", "replay", v_replay);
	unsigned long progs = 0, kept = 0, duration, splats = 0;
	int pt0, pt1 = -1, tries;
	struct timespec t0, now;
	static struct fz_prog p;
	__u64 seed;
	bool nf;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	if (access(MSHV_DEV_PATH, R_OK | W_OK)) {
		printf("ok 1 mshv_fuzz # SKIP %s: %s\n", MSHV_DEV_PATH, strerror(errno));
		return 4;
	}
	duration = s_dur ? strtoul(s_dur, NULL, 0) :
		   access("/sys/kernel/debug/kmemleak", F_OK) ? 15 : 120;
	seed = s_seed ? strtoull(s_seed, NULL, 0) : 1;
	rng = seed;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED) {
		printf("not ok 1 mshv_fuzz # mmap: %s\n", strerror(errno));
		return 1;
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	taint0 = read_taint();
	pt0 = hvsim_partitions();
	printf("# seed %llu, %lu s, %d threads (SEED=%llu DURATION=%lu to repeat)\n",
	       (unsigned long long)seed, duration, FZ_THREADS,
	       (unsigned long long)seed, duration);

	if (replay) {
		FILE *f = fopen(replay, "r");

		if (!f || parse_prog(f, &p)) {
			printf("not ok 1 mshv_fuzz # cannot read a program from %s\n", replay);
			return 1;
		}
		fclose(f);
		splats = run_prog(&p, 0, &nf) ? 1 : 0;
		print_rings();
		progs = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!replay) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long)(now.tv_sec - t0.tv_sec) >= duration)
			break;
		if (ncorpus && rnd_below(&rng, 4)) {
			p = corpus[rnd_below(&rng, ncorpus)];
			mutate_prog(&p);
		} else {
			gen_prog(&p);
		}
		if (run_prog(&p, progs, &nf)) {
			splats++;
			progs++;
			break;
		}
		progs++;
		if (nf) {
			corpus[ncorpus < FZ_CORPUS ? ncorpus++ : rnd_below(&rng, FZ_CORPUS)] = p;
			kept++;
		}
	}

	/* every partition the programs made is gone again */
	for (tries = 0; tries < 100; tries++) {
		pt1 = hvsim_partitions();
		if (pt1 == pt0)
			break;
		usleep(100000);
	}
	printf("# %lu programs, %lu kept as seeds (corpus %u), hvsim partitions %d -> %d\n",
	       progs, kept, ncorpus, pt0, pt1);
	printf("# %.1f s in programs; per operation: calls, ms in total\n", exec_ns / 1e9);
	for (tries = 0; tries < OP_COUNT; tries++)
		printf("#   %-20s %6llu %8.1f\n", fz_ops[tries].name,
		       (unsigned long long)sh->op_n[tries], sh->op_ns[tries] / 1e6);
	if (!splats && check_kmsg())
		splats++;
	printf("ioctl fuzz: %llu calls, %d distinct ioctl+errno pairs, %lu splats\n",
	       (unsigned long long)sh->calls, count_pairs(), splats);
	if (splats || pt1 != pt0) {
		printf("not ok 1 mshv_fuzz\n");
		return 1;
	}
	printf("ok 1 mshv_fuzz\n");
	return 0;
}
