// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fail-nth sweep: every error path of the driver's ioctls, one at a time.
 *
 * Each scenario prepares a state (without injection), then runs one
 * operation -- an ioctl or a short sequence of them -- with exactly one
 * failure armed:
 *
 *  - alloc: the nth kernel allocation of this thread fails
 *    (/proc/thread-self/fail-nth, failslab and fail_page_alloc), for
 *    n = 1, 2, ... until the operation completes without reaching it;
 *  - hvcall: the nth call of one hypercall code fails in hvsim
 *    (hvsim/inject "fail <code> <nth> 0x5"), for every code the
 *    operation issues and n = 1, 2, ... until it is not reached.
 *
 * After every run: an operation that failed returned -1 with an errno, and
 * only because the injection fired; repeating it without injection
 * succeeds (nothing half made stands in the way); the state it made works
 * (guest runs, registers, regions in mshv_root/regions); everything can be
 * closed; and then hvsim's partitions (and their pools), the driver's
 * deposit accounting, VmPin / VmLck of the process and hvsim's invariant
 * counters are back to what they were before the run.  kmemleak is
 * checked by the test VM after the selftests.
 *
 * The last test prints "fail-nth: <N> injection points over <S>
 * scenarios, <L> leaks" (testvm/parse-results.py turns it into a result).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "mshv_region_common.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DBG		"/sys/kernel/debug"
/* Runs per scenario and kind of injection, at most */
#define MAX_NTH		400
/*
 * The first and the last DENSE_NTH points of an operation (as many as a
 * clean run made) are all run; between them (long runs of the same
 * allocation, e.g. one page per deposited page) the step grows by a
 * quarter each time, which keeps the sweep's time bounded
 */
#define DENSE_NTH	8
/* fail-nth of the clean run: never reached, counts the allocations */
#define COUNT_NTH	1000000000U
/* Status an injected hypercall failure returns */
#define HV_FAIL_STATUS	HV_STATUS_INVALID_PARAMETER
#define DATA_PAGES	16
#define DATA_SIZE	(DATA_PAGES * PAGE)
#define MMIO_SIZE	DATA_SIZE
#define GSI_EDGE	5
#define GSI_LEVEL	6
#define DOORBELL_GPA	0xd0000000ULL
#define MAX_CODES	128
#define VP_STATE_SIZE	(4 * PAGE)

enum inj_kind {
	INJ_NONE,
	INJ_ALLOC,
	INJ_HVCALL,
};

/**
 * struct fn_ctx - what a scenario made
 * @g: the flat 32-bit guest (partition, VP 0, control region)
 * @vm: a partition without a VP
 * @dev_fd: /dev/mshv opened by the operation itself
 * @pt_fd: partition fd made by the operation itself
 * @vp_fd: VP fd made by the operation itself
 * @efd: eventfds
 * @mem: backing of the data region
 * @mmio: the standard VGA's BAR 0, mapped
 * @regs: VP 0's register page, mapped (it holds the VP file)
 * @state: page-aligned buffer for GET/SET_VP_STATE
 * @mapped: the data region is mapped
 * @closed: the operation closed the partition and its VP
 * @msg: the message of the last run
 */
struct fn_ctx {
	struct mshv_g32 *g;
	struct mshv_vm *vm;
	int dev_fd, pt_fd, vp_fd;
	int efd[2];
	struct mshv_hostmem mem;
	void *mmio;
	void *regs;
	void *state;
	bool mapped, closed;
	struct hv_message msg;
};

/**
 * struct scenario - one operation under injection
 * @name: shown in failures
 * @setup: prepares the state; fails the test on error
 * @op: the operation: 0, or -1 with errno set
 * @undo: after a failed @op, before it is repeated (optional)
 * @verify: after @op succeeded: the state it made works (optional)
 * @teardown: closes everything (optional: the generic one follows)
 * @need: returns false when the scenario cannot run here (optional)
 * @no_retry: @op is not repeated after a failure (close)
 * @teardown_calls: @op is the teardown: FINALIZE_PARTITION,
 *	WITHDRAW_MEMORY, DELETE_PARTITION and DELETE_PORT are not failed
 *	(see hv_code_swept())
 * @region: the scenario is about guest memory (runs in the pinned VM)
 */
struct scenario {
	const char *name;
	void (*setup)(struct fn_ctx *c);
	int (*op)(struct fn_ctx *c);
	void (*undo)(struct fn_ctx *c);
	void (*verify)(struct fn_ctx *c);
	void (*teardown)(struct fn_ctx *c);
	bool (*need)(void);
	bool no_retry;
	bool teardown_calls;
	bool region;
};

/**
 * struct fn_totals - counters shared by the tests (MAP_SHARED: the harness
 *	runs every test in a child)
 * @points: injection points run, per kind
 * @ran: scenarios that ran, bit per scenario
 * @leaks: runs after which something was not back to the baseline
 * @capped: scenario sweeps stopped at MAX_NTH
 */
struct fn_totals {
	unsigned int points[3];
	unsigned long ran;
	unsigned int leaks;
	unsigned int capped;
};

static struct fn_totals *totals;

static void __attribute__((constructor)) totals_init(void)
{
	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (totals == MAP_FAILED)
		abort();
}

/* ---- guest helpers ---------------------------------------------------- */

/*
 * Run; 0 only if the program ran to its HLT, else -1 (EBADMSG: stopped
 * elsewhere)
 */
static int g32_run_raw(struct fn_ctx *c)
{
	const struct hv_x64_intercept_message_header *hdr =
		(const void *)c->msg.u.payload_bytes;

	if (__mshv_run_vp(c->g->vp->fd, &c->msg))
		return -1;
	if (c->msg.header.message_type != HVMSG_X64_HALT ||
	    hdr->rip != MSHV_G32_DONE_GPA) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

static void data_alloc(struct fn_ctx *c)
{
	MSHV_TEST_ASSERT(mshv_hostmem_alloc(&c->mem, BACK_4K, DATA_SIZE, 0),
			 "data backing");
}

static int data_map(struct fn_ctx *c, __u8 flags)
{
	return __mshv_set_guest_memory(c->g->vm->fd, DATA_SIZE,
				       MSHV_PFN(DATA_GPA), mshv_hva_u64(c->mem.hva),
				       flags);
}

static void data_map_ok(struct fn_ctx *c)
{
	MSHV_TEST_ASSERT(data_map(c, RW) == 0, "map the data region");
	c->mapped = true;
}

/* The guest writes every data page, then reads each back */
static void data_check(struct fn_ctx *c, __u32 seed)
{
	mshv_g32_run_strided(c->g, MSHV_G32_WRITE, DATA_GPA, PAGE, DATA_PAGES,
			     seed);
	mshv_g32_run_strided(c->g, MSHV_G32_VERIFY, DATA_GPA, PAGE,
			     DATA_PAGES, seed);
	MSHV_TEST_ASSERT(((__u32 *)c->mem.hva)[PAGE / 4] ==
			 mshv_g32_value(DATA_GPA + PAGE, seed),
			 "host view of the guest's write");
}

static void g32_setup(struct fn_ctx *c)
{
	c->g = mshv_g32_create();
}

static void g32_data_setup(struct fn_ctx *c)
{
	g32_setup(c);
	data_alloc(c);
}

static void g32_mapped_setup(struct fn_ctx *c)
{
	g32_data_setup(c);
	data_map_ok(c);
	data_check(c, 0x1111);
}

static void vm_setup(struct fn_ctx *c)
{
	c->vm = mshv_vm_create();
}

static int route(int pt_fd, unsigned int nr)
{
	struct {
		struct mshv_user_irq_table hdr;
		struct mshv_user_irq_entry e[4];
	} t = { .hdr.nr = nr };
	unsigned int i;

	for (i = 0; i < nr; i++) {
		t.e[i].gsi = i == 1 ? GSI_LEVEL : GSI_EDGE + 2 * i;
		t.e[i].address_lo = 0xfee00000;
		t.e[i].data = (0x30 + i) | (i == 1 ? 0x8000 : 0);
	}
	return ioctl(pt_fd, MSHV_SET_MSI_ROUTING, &t);
}

static int irqfd(int pt_fd, int fd, int resamplefd, __u32 gsi, __u32 flags)
{
	struct mshv_user_irqfd a = {
		.fd = fd, .resamplefd = resamplefd, .gsi = gsi, .flags = flags,
	};

	return ioctl(pt_fd, MSHV_IRQFD, &a);
}

static int ioeventfd(int pt_fd, int fd, __u32 flags)
{
	struct mshv_user_ioeventfd a = {
		.addr = DOORBELL_GPA, .len = 4, .fd = fd, .flags = flags,
	};

	return ioctl(pt_fd, MSHV_IOEVENTFD, &a);
}

static void efd_setup(struct fn_ctx *c)
{
	c->efd[0] = eventfd(0, EFD_NONBLOCK);
	c->efd[1] = eventfd(0, EFD_NONBLOCK);
	MSHV_TEST_ASSERT(c->efd[0] >= 0 && c->efd[1] >= 0, "eventfd");
}

/* ---- scenarios -------------------------------------------------------- */

/* open + create + initialize */
static int op_partition(struct fn_ctx *c)
{
	struct mshv_create_partition args = {
		.pt_flags = 1ULL << MSHV_PT_BIT_LAPIC,
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
	};

	c->dev_fd = open(MSHV_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (c->dev_fd < 0)
		return -1;
	c->pt_fd = __mshv_create_partition(c->dev_fd, &args);
	if (c->pt_fd < 0)
		return -1;
	return __mshv_initialize_partition(c->pt_fd);
}

static void undo_partition(struct fn_ctx *c)
{
	if (c->pt_fd >= 0)
		close(c->pt_fd);
	if (c->dev_fd >= 0)
		close(c->dev_fd);
	c->pt_fd = -1;
	c->dev_fd = -1;
}

static void verify_partition(struct fn_ctx *c)
{
	int vp = __mshv_create_vp(c->pt_fd, 0);

	MSHV_TEST_ASSERT(vp >= 0, "CREATE_VP on the new partition");
	close(vp);
}

static int op_create_vp(struct fn_ctx *c)
{
	c->vp_fd = __mshv_create_vp(c->vm->fd, 0);
	return c->vp_fd < 0 ? -1 : 0;
}

static void verify_create_vp(struct fn_ctx *c)
{
	struct mshv_vp vp = { .vm = c->vm, .fd = c->vp_fd };

	mshv_vp_set_reg(&vp, HV_X64_REGISTER_RBX, 0xfeed);
	MSHV_TEST_ASSERT(mshv_vp_get_reg(&vp, HV_X64_REGISTER_RBX) == 0xfeed,
			 "RBX of the new VP");
	MSHV_TEST_ASSERT(__mshv_create_vp(c->vm->fd, 0) < 0 &&
			 errno == EEXIST, "second CREATE_VP 0: EEXIST");
}

static int op_map(struct fn_ctx *c)
{
	if (data_map(c, RW))
		return -1;
	c->mapped = true;
	return 0;
}

static void verify_map(struct fn_ctx *c)
{
	struct mshv_dbg_region r;

	MSHV_TEST_ASSERT(!mshv_dbg_region(c->g->partition, MSHV_PFN(DATA_GPA),
					  &r) && r.pages == DATA_PAGES,
			 "the region in mshv_root/regions");
	MSHV_TEST_ASSERT(!strcmp(r.type, mshv_pin_regions() ? "pinned" :
				 "movable"), "region type %s", r.type);
	data_check(c, 0x2222);
}

/*
 * The data backing resident before the region is created: the creation
 * maps it.  A failure there (an allocation, MAP_GPA_PAGES) does not fail
 * the creation; the guest's accesses then fault.
 */
static void resident_setup(struct fn_ctx *c)
{
	g32_data_setup(c);
	memset(c->mem.hva, 0, DATA_SIZE);
	mshv_host_set_dword(&c->mem, DATA_GPA, DATA_GPA + 3 * PAGE,
			    mshv_g32_value(DATA_GPA + 3 * PAGE, 0x5555));
}

static void verify_map_resident(struct fn_ctx *c)
{
	mshv_g32_run_strided(c->g, MSHV_G32_VERIFY, DATA_GPA + 3 * PAGE, PAGE,
			     1, 0x5555);
	verify_map(c);
}

static bool have_stdvga(void)
{
	char res0[300];
	__u64 phys;

	return mshv_find_stdvga(res0, sizeof(res0), MMIO_SIZE, &phys);
}

static void mmio_setup(struct fn_ctx *c)
{
	char res0[300], rule[64];
	__u64 phys;
	int fd;

	g32_setup(c);
	MSHV_TEST_ASSERT(mshv_find_stdvga(res0, sizeof(res0), MMIO_SIZE, &phys),
			 "stdvga");
	snprintf(rule, sizeof(rule), "%llx %lx", (unsigned long long)phys,
		 (unsigned long)MMIO_SIZE);
	MSHV_TEST_ASSERT(!mshv_write_file(MSHV_DBG_HVSIM "/mmio", rule),
			 "hvsim/mmio %s", rule);
	fd = open(res0, O_RDWR);
	MSHV_TEST_ASSERT(fd >= 0, "open %s", res0);
	c->mmio = mmap(NULL, MMIO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	close(fd);
	MSHV_TEST_ASSERT(c->mmio != MAP_FAILED, "mmap BAR 0");
}

static int op_map_mmio(struct fn_ctx *c)
{
	if (__mshv_set_guest_memory(c->g->vm->fd, MMIO_SIZE,
				    MSHV_PFN(DATA_GPA), mshv_hva_u64(c->mmio), RW))
		return -1;
	c->mapped = true;
	return 0;
}

static void verify_map_mmio(struct fn_ctx *c)
{
	struct mshv_dbg_region r;

	MSHV_TEST_ASSERT(!mshv_dbg_region(c->g->partition, MSHV_PFN(DATA_GPA),
					  &r) && !strcmp(r.type, "mmio"),
			 "the mmio region in mshv_root/regions");
	mshv_g32_run_strided(c->g, MSHV_G32_WRITE, DATA_GPA, PAGE, DATA_PAGES,
			     0x3333);
	mshv_g32_run_strided(c->g, MSHV_G32_VERIFY, DATA_GPA, PAGE,
			     DATA_PAGES, 0x3333);
}

static void teardown_mmio(struct fn_ctx *c)
{
	munmap(c->mmio, MMIO_SIZE);
}

/* The guest writes pages the region has not mapped yet */
static void fault_setup(struct fn_ctx *c)
{
	g32_data_setup(c);
	data_map_ok(c);
	mshv_g32_set(c->g, MSHV_G32_WRITE | MSHV_G32_STRIDED, DATA_GPA,
		     PAGE, DATA_PAGES, 0x4444);
}

static int op_run(struct fn_ctx *c)
{
	return g32_run_raw(c);
}

/* The program with no addresses: straight to its HLT */
static void run_setup(struct fn_ctx *c)
{
	if (!c->g)
		g32_setup(c);
	mshv_g32_set(c->g, MSHV_G32_READ, MSHV_G32_TABLE_GPA, 0, 0, 0);
}

static void undo_fault(struct fn_ctx *c)
{
	mshv_g32_set(c->g, MSHV_G32_WRITE | MSHV_G32_STRIDED, DATA_GPA,
		     PAGE, DATA_PAGES, 0x4444);
}

static void verify_fault(struct fn_ctx *c)
{
	mshv_g32_run_strided(c->g, MSHV_G32_VERIFY, DATA_GPA, PAGE,
			     DATA_PAGES, 0x4444);
}

static int op_unmap(struct fn_ctx *c)
{
	if (data_map(c, UNMAP))
		return -1;
	c->mapped = false;
	return 0;
}

static void verify_unmap(struct fn_ctx *c)
{
	const struct hv_message *msg;
	struct mshv_dbg_region r;

	MSHV_TEST_ASSERT(mshv_dbg_region(c->g->partition, MSHV_PFN(DATA_GPA),
					 &r) && errno == ENOENT,
			 "region still listed");
	msg = mshv_g32_exec_strided(c->g, MSHV_G32_READ, DATA_GPA, PAGE, 1, 0);
	MSHV_TEST_ASSERT(msg->header.message_type == HVMSG_UNMAPPED_GPA,
			 "guest access after unmap: %s",
			 mshv_msg_type_name(msg->header.message_type));
	/* The range can be mapped again and holds the data */
	data_map_ok(c);
	mshv_g32_run_strided(c->g, MSHV_G32_VERIFY, DATA_GPA, PAGE,
			     DATA_PAGES, 0x1111);
}

static void irqfd_setup(struct fn_ctx *c)
{
	vm_setup(c);
	efd_setup(c);
	MSHV_TEST_ASSERT(!route(c->vm->fd, 2), "MSI routing");
}

static int op_irqfd(struct fn_ctx *c)
{
	return irqfd(c->vm->fd, c->efd[0], c->efd[1], GSI_LEVEL,
		     1 << MSHV_IRQFD_BIT_RESAMPLE);
}

static void verify_irqfd(struct fn_ctx *c)
{
	MSHV_TEST_ASSERT(irqfd(c->vm->fd, c->efd[0], -1, GSI_EDGE, 0) < 0 &&
			 errno == EBUSY, "the eventfd is taken: EBUSY");
	MSHV_TEST_ASSERT(!irqfd(c->vm->fd, c->efd[0], -1, GSI_LEVEL,
				1 << MSHV_IRQFD_BIT_DEASSIGN), "deassign");
	MSHV_TEST_ASSERT(!irqfd(c->vm->fd, c->efd[0], -1, GSI_EDGE, 0),
			 "the eventfd is free again");
}

static void ioeventfd_setup(struct fn_ctx *c)
{
	vm_setup(c);
	efd_setup(c);
}

static int op_ioeventfd(struct fn_ctx *c)
{
	return ioeventfd(c->vm->fd, c->efd[0], 0);
}

static void verify_ioeventfd(struct fn_ctx *c)
{
	MSHV_TEST_ASSERT(ioeventfd(c->vm->fd, c->efd[1], 0) < 0 &&
			 errno == EEXIST, "the doorbell is taken: EEXIST");
	MSHV_TEST_ASSERT(!ioeventfd(c->vm->fd, c->efd[0],
				    1 << MSHV_IOEVENTFD_BIT_DEASSIGN),
			 "deassign");
	MSHV_TEST_ASSERT(!ioeventfd(c->vm->fd, c->efd[1], 0),
			 "the doorbell is free again");
}

static int op_routing(struct fn_ctx *c)
{
	return route(c->vm->fd, 4);
}

static void verify_routing(struct fn_ctx *c)
{
	/* The level-triggered route exists: a resampling irqfd takes it */
	MSHV_TEST_ASSERT(!irqfd(c->vm->fd, c->efd[0], c->efd[1], GSI_LEVEL,
				1 << MSHV_IRQFD_BIT_RESAMPLE),
			 "resampling irqfd on the new route");
}

static void vp_state_setup(struct fn_ctx *c)
{
	g32_setup(c);
	c->state = mshv_alloc_host_memory(VP_STATE_SIZE);
}

static void vp_state_teardown(struct fn_ctx *c)
{
	mshv_free_host_memory(c->state, VP_STATE_SIZE);
}

static int op_vp_state(struct fn_ctx *c)
{
	struct mshv_get_set_vp_state s = {
		.type = MSHV_VP_STATE_LAPIC,
		.buf_sz = VP_STATE_SIZE,
		.buf_ptr = mshv_hva_u64(c->state),
	};

	if (ioctl(c->g->vp->fd, MSHV_GET_VP_STATE, &s))
		return -1;
	s.buf_sz = VP_STATE_SIZE;
	if (ioctl(c->g->vp->fd, MSHV_SET_VP_STATE, &s))
		return -1;
	s.type = MSHV_VP_STATE_XSAVE;
	s.buf_sz = VP_STATE_SIZE;
	if (ioctl(c->g->vp->fd, MSHV_GET_VP_STATE, &s))
		return -1;
	s.buf_sz = VP_STATE_SIZE;
	return ioctl(c->g->vp->fd, MSHV_SET_VP_STATE, &s);
}

static void verify_guest(struct fn_ctx *c)
{
	mshv_g32_run(c->g, MSHV_G32_READ, NULL, 0, 0);
}

/*
 * SET_VP_REGISTERS through MSHV_ROOT_HVCALL, first answered with
 * INSUFFICIENT_MEMORY: the driver deposits and retries
 */
static void hvcall_setup(struct fn_ctx *c)
{
	g32_setup(c);
	MSHV_TEST_ASSERT(!mshv_dbg_inject("fail 0x51 1 0xb"), "inject");
}

static int op_hvcall(struct fn_ctx *c)
{
	struct hv_register_assoc reg = {
		.name = HV_X64_REGISTER_RBX, .value.reg64 = 0xfeed,
	};
	struct mshv_root_hvcall args;

	if (__mshv_set_vp_registers(c->g->vp->fd, 0, &reg, 1, &args))
		return -1;
	if (args.status != HV_STATUS_SUCCESS || args.reps != 1) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

static void verify_hvcall(struct fn_ctx *c)
{
	MSHV_TEST_ASSERT(mshv_vp_get_reg(c->g->vp, HV_X64_REGISTER_RBX) ==
			 0xfeed, "RBX");
}

static int op_gpap(struct fn_ctx *c)
{
	__u8 bitmap[DATA_PAGES / 8];
	struct mshv_gpap_access_bitmap a = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY,
		.access_op = MSHV_GPAP_ACCESS_OP_CLEAR,
		.page_count = DATA_PAGES,
		.gpap_base = MSHV_PFN(DATA_GPA),
		.bitmap_ptr = mshv_hva_u64(bitmap),
	};

	return ioctl(c->g->vm->fd, MSHV_GET_GPAP_ACCESS_BITMAP, &a);
}

static void verify_gpap(struct fn_ctx *c)
{
	MSHV_TEST_ASSERT(!op_gpap(c), "GET_GPAP_ACCESS_BITMAP again");
	data_check(c, 0x5555);
}

/* Everything at once, then closed under injection */
static void close_setup(struct fn_ctx *c)
{
	g32_mapped_setup(c);
	efd_setup(c);
	MSHV_TEST_ASSERT(!route(c->g->vm->fd, 2), "MSI routing");
	MSHV_TEST_ASSERT(!irqfd(c->g->vm->fd, c->efd[0], c->efd[1], GSI_LEVEL,
				1 << MSHV_IRQFD_BIT_RESAMPLE), "irqfd");
	MSHV_TEST_ASSERT(!ioeventfd(c->g->vm->fd, c->efd[1], 0), "ioeventfd");
	c->regs = mshv_mmap_vp_page(c->g->vp->fd,
				    MSHV_VP_MMAP_OFFSET_REGISTERS);
}

static int op_close(struct fn_ctx *c)
{
	int ret = 0;

	if (munmap(c->regs, MSHV_PAGE_SIZE))
		ret = -1;
	if (close(c->g->vp->fd))
		ret = -1;
	if (close(c->g->vm->fd))
		ret = -1;
	if (close(c->g->vm->dev_fd))
		ret = -1;
	c->closed = true;
	return ret;
}

#define SC(n, s, o, u, v, ...)						\
	{ .name = n, .setup = s, .op = o, .undo = u, .verify = v,	\
	  __VA_ARGS__ }

static const struct scenario scenarios[] = {
	SC("partition", NULL, op_partition, undo_partition, verify_partition),
	SC("create_vp", vm_setup, op_create_vp, NULL, verify_create_vp),
	SC("map", g32_data_setup, op_map, NULL, verify_map, .region = true),
	SC("map_resident", resident_setup, op_map, NULL, verify_map_resident,
	   .region = true),
	SC("map_mmio", mmio_setup, op_map_mmio, NULL, verify_map_mmio,
	   .teardown = teardown_mmio, .need = have_stdvga, .region = true),
	SC("fault_in", fault_setup, op_run, undo_fault, verify_fault,
	   .region = true),
	SC("unmap", g32_mapped_setup, op_unmap, NULL, verify_unmap,
	   .region = true),
	SC("irqfd_resample", irqfd_setup, op_irqfd, NULL, verify_irqfd),
	SC("ioeventfd", ioeventfd_setup, op_ioeventfd, NULL, verify_ioeventfd),
	SC("msi_routing", ioeventfd_setup, op_routing, NULL, verify_routing),
	SC("vp_state", vp_state_setup, op_vp_state, NULL, verify_guest,
	   .teardown = vp_state_teardown),
	SC("root_hvcall_deposit", hvcall_setup, op_hvcall, NULL,
	   verify_hvcall),
	SC("gpap_bitmap", g32_mapped_setup, op_gpap, NULL, verify_gpap,
	   .region = true),
	SC("run_to_intercept", run_setup, op_run, run_setup, verify_guest),
	SC("close", close_setup, op_close, NULL, NULL, .no_retry = true,
	   .teardown_calls = true, .region = true),
};

#define NR_SCENARIOS	ARRAY_SIZE(scenarios)

/* Close whatever the scenario left open */
static void teardown(const struct scenario *sc, struct fn_ctx *c)
{
	if (sc->teardown)
		sc->teardown(c);
	if (c->g && c->closed) {
		free(c->g->vp);
		mshv_free_host_memory(c->g->vm->mem, c->g->vm->mem_size);
		free(c->g->vm);
		free(c->g);
	} else {
		mshv_g32_free(c->g);
	}
	mshv_vm_free(c->vm);
	if (c->vp_fd >= 0)
		close(c->vp_fd);
	undo_partition(c);
	if (c->efd[0] >= 0)
		close(c->efd[0]);
	if (c->efd[1] >= 0)
		close(c->efd[1]);
	mshv_hostmem_free(&c->mem);
}

/* ---- injection -------------------------------------------------------- */

static bool have_fail_nth(void)
{
	return !access(FAIL_NTH, W_OK) &&
	       !access(DBG "/failslab/ignore-gfp-wait", W_OK) &&
	       !access(DBG "/fail_page_alloc/ignore-gfp-wait", W_OK);
}

static void fault_attr_setup(void)
{
	static const char *const knobs[][2] = {
		{ "failslab/task-filter", "Y" },
		{ "failslab/probability", "100" },
		{ "failslab/times", "-1" },
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/task-filter", "Y" },
		{ "fail_page_alloc/probability", "100" },
		{ "fail_page_alloc/times", "-1" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), DBG "/%s", knobs[i][0]);
		MSHV_TEST_ASSERT(!mshv_write_file(path, knobs[i][1]),
				 "%s = %s", path, knobs[i][1]);
	}
}

/* Raw write: no allocation of ours between the write and the operation */
static void fail_nth_arm(int fd, unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	MSHV_TEST_ASSERT(pwrite(fd, buf, len, 0) == len, "arm fail-nth");
}

/* Disarm; returns what was left of the count (0: the injection fired) */
static unsigned int fail_nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned int left;

	MSHV_TEST_ASSERT(n > 0, "read fail-nth");
	left = strtoul(buf, NULL, 10);
	MSHV_TEST_ASSERT(pwrite(fd, "0", 1, 0) == 1, "disarm fail-nth");
	return left;
}

/* Is a "fail <code> <nth>" rule still listed? */
static bool hv_rule_pending(__u16 code, unsigned int nth)
{
	char want[64], line[128];
	FILE *f = fopen(MSHV_DBG_HVSIM "/inject", "r");
	bool found = false;

	MSHV_TEST_ASSERT(f, "read hvsim/inject");
	snprintf(want, sizeof(want), "fail 0x%04x %u ", code, nth);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)))
			found = true;
	fclose(f);
	return found;
}

/* Calls per code from hvsim/hypercalls */
struct hc_table {
	unsigned int n;
	__u16 code[MAX_CODES];
	__u64 calls[MAX_CODES];
};

static void hc_read(struct hc_table *t)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/hypercalls", "r");
	unsigned long long calls, reps;
	unsigned int code;
	char line[160], name[64];

	MSHV_TEST_ASSERT(f, "read hvsim/hypercalls");
	t->n = 0;
	while (fgets(line, sizeof(line), f) && t->n < MAX_CODES) {
		if (sscanf(line, "%x %63s %llu %llu", &code, name, &calls,
			   &reps) != 4)
			continue;
		t->code[t->n] = code;
		t->calls[t->n++] = calls;
	}
	fclose(f);
}

/* ---- baseline --------------------------------------------------------- */

/**
 * struct baseline - what must be back after every run
 * @nr_pt: hvsim partitions
 * @pt: their lines (pools)
 * @nr_dep: lines of mshv_root/partitions
 * @nr_ports: hvsim ports
 * @vm_pin: VmPin (kB)
 * @vm_lck: VmLck (kB)
 * @stale: hvsim stale_accesses
 * @entries: hvsim stale_entries
 * @lost: hvsim lost_writes
 */
struct baseline {
	int nr_pt;
	struct mshv_dbg_partition pt[16];
	int nr_dep;
	int nr_ports;
	__u64 vm_pin, vm_lck;
	__u64 stale, entries, lost;
};

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static void baseline_read(struct baseline *b)
{
	memset(b, 0, sizeof(*b));
	b->nr_pt = mshv_dbg_partitions(b->pt, 16);
	b->nr_dep = count_lines(MSHV_DBG_ROOT "/partitions");
	b->nr_ports = count_lines(MSHV_DBG_HVSIM "/ports");
	b->vm_pin = mshv_proc_status_kb("VmPin");
	b->vm_lck = mshv_proc_status_kb("VmLck");
	b->stale = mshv_dbg_stale_accesses_get();
	b->entries = mshv_dbg_stale_entries_get();
	b->lost = mshv_dbg_lost_writes_get();
}

static bool same_u64(const char *name, __u64 now, __u64 was,
		     const char *what)
{
	if (now == was)
		return true;
	printf("# %s: %s %llu, was %llu\n", what, name,
	       (unsigned long long)now, (unsigned long long)was);
	return false;
}

/* Compare with @b0; prints what differs; true if all is back */
static bool baseline_same(const struct baseline *b0, const char *what)
{
	struct baseline b;
	bool same = true;
	int i;

	baseline_read(&b);
	same &= same_u64("partitions", b.nr_pt, b0->nr_pt, what);
	same &= same_u64("driver partitions", b.nr_dep, b0->nr_dep, what);
	same &= same_u64("ports", b.nr_ports, b0->nr_ports, what);
	same &= same_u64("VmPin", b.vm_pin, b0->vm_pin, what);
	same &= same_u64("VmLck", b.vm_lck, b0->vm_lck, what);
	same &= same_u64("stale_accesses", b.stale, b0->stale, what);
	same &= same_u64("stale_entries", b.entries, b0->entries, what);
	same &= same_u64("lost_writes", b.lost, b0->lost, what);
	for (i = 0; same && i < b.nr_pt && i < 16; i++) {
		same &= same_u64("partition id", b.pt[i].id, b0->pt[i].id,
				 what);
		same &= same_u64("pool pages", b.pt[i].pool_pages,
				 b0->pt[i].pool_pages, what);
	}
	return same;
}

/* ---- the sweep -------------------------------------------------------- */

/**
 * struct inj - one injection point
 * @kind: enum inj_kind
 * @nth: the nth allocation or the nth call of @code
 * @code: hypercall code (INJ_HVCALL)
 * @fd: /proc/thread-self/fail-nth (INJ_ALLOC)
 * @hc: INJ_NONE: receives the calls the operation made, per code
 * @allocs: INJ_NONE with @fd: receives the allocations the operation made
 */
struct inj {
	enum inj_kind kind;
	unsigned int nth;
	__u16 code;
	int fd;
	struct hc_table *hc;
	unsigned int allocs;
};

/*
 * Run @sc once with @in armed around its operation.  Returns whether the
 * injection fired; fails the test on any broken rule.
 */
static bool run_once(struct __test_metadata *_metadata,
		     const struct scenario *sc, struct inj *in,
		     const struct baseline *b0)
{
	struct fn_ctx c = {
		.dev_fd = -1, .pt_fd = -1, .vp_fd = -1, .efd = { -1, -1 },
	};
	struct hc_table before;
	char what[96], rule[64];
	bool fired = false;
	int ret, err;

	snprintf(what, sizeof(what), "%s, %s %u%s", sc->name,
		 in->kind == INJ_ALLOC ? "allocation" :
		 in->kind == INJ_HVCALL ? "hypercall" : "none", in->nth, "");
	if (in->kind == INJ_HVCALL)
		snprintf(what, sizeof(what), "%s, call %u of hypercall 0x%04x",
			 sc->name, in->nth, in->code);
	if (sc->setup)
		sc->setup(&c);

	if (in->kind == INJ_NONE)
		hc_read(&before);
	if (in->kind == INJ_NONE && in->fd >= 0)
		fail_nth_arm(in->fd, COUNT_NTH);
	if (in->kind == INJ_HVCALL) {
		snprintf(rule, sizeof(rule), "fail 0x%x %u 0x%x", in->code,
			 in->nth, HV_FAIL_STATUS);
		ASSERT_EQ(0, mshv_dbg_inject(rule)) TH_LOG("%s", rule);
	}
	if (in->kind == INJ_ALLOC)
		fail_nth_arm(in->fd, in->nth);
	errno = 0;
	ret = sc->op(&c);
	err = errno;
	if (in->kind == INJ_ALLOC)
		fired = !fail_nth_disarm(in->fd);
	if (in->kind == INJ_NONE && in->fd >= 0)
		in->allocs = COUNT_NTH - fail_nth_disarm(in->fd);
	if (in->kind == INJ_HVCALL)
		fired = !hv_rule_pending(in->code, in->nth);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	if (in->kind == INJ_NONE) {
		unsigned int i;

		hc_read(in->hc);
		for (i = 0; i < in->hc->n && i < before.n; i++)
			in->hc->calls[i] -= before.calls[i];
	}

	if (ret) {
		EXPECT_TRUE(fired)
			TH_LOG("%s: the operation failed without the injection: %s",
			       what, strerror(err));
		EXPECT_NE(0, err) TH_LOG("%s: failed with errno 0", what);
		EXPECT_NE(EBADMSG, err)
			TH_LOG("%s: the operation succeeded with a wrong result (message %s)",
			       what, mshv_msg_type_name(c.msg.header.message_type));
		if (!sc->no_retry) {
			if (sc->undo)
				sc->undo(&c);
			errno = 0;
			EXPECT_EQ(0, sc->op(&c))
				TH_LOG("%s (failed with %s): repeating it without injection: %s",
				       what, strerror(err), strerror(errno));
		}
	}
	if (sc->verify && !_metadata->exit_code)
		sc->verify(&c);
	teardown(sc, &c);
	if (!baseline_same(b0, what)) {
		__atomic_add_fetch(&totals->leaks, 1, __ATOMIC_RELAXED);
		EXPECT_TRUE(false) TH_LOG("%s: not back to the baseline", what);
	}
	if (_metadata->exit_code)
		TH_LOG("failing run: %s", what);
	return fired;
}

static bool scenario_runs(const struct scenario *sc)
{
	if (sc->need && !sc->need())
		return false;
	/* The pinned VM runs the region scenarios only */
	return !mshv_pin_regions() || sc->region;
}

/*
 * A partition whose FINALIZE_PARTITION, WITHDRAW_MEMORY or DELETE_PARTITION
 * fails stays with the hypervisor (the driver logs it and frees only what
 * the hypervisor gave back), and so does a port whose DELETE_PORT fails
 * (the driver retires its id for good): hvsim would keep them, and the
 * root pool pages they use, until its module unloads.  The sweep does not
 * fail these four in the teardown; every other call of it is failed.
 */
static bool hv_code_swept(const struct scenario *sc, __u16 code)
{
	return !sc->teardown_calls ||
	       (code != HVCALL_FINALIZE_PARTITION &&
		code != HVCALL_WITHDRAW_MEMORY &&
		code != HVCALL_DELETE_PARTITION &&
		code != HVCALL_DELETE_PORT);
}

/* The point after @nth of an operation a clean run made @total of */
static unsigned int next_nth(unsigned int nth, unsigned int total)
{
	unsigned int next = nth + nth / 4;

	if (nth < DENSE_NTH || nth + DENSE_NTH >= total)
		return nth + 1;
	if (next + DENSE_NTH > total)
		next = total - DENSE_NTH + 1;
	return next > nth ? next : nth + 1;
}

/* Sweep one kind of injection over one scenario; returns the points run */
static unsigned int sweep(struct __test_metadata *_metadata,
			  const struct scenario *sc, enum inj_kind kind,
			  int fd, const struct baseline *b0)
{
	struct hc_table hc;
	struct inj in = { .kind = INJ_NONE, .hc = &hc, .fd = fd };
	unsigned int points = 0, total, i;

	/*
	 * A clean run first: it must work, and tells which calls and how
	 * many allocations the operation makes
	 */
	run_once(_metadata, sc, &in, b0);
	if (_metadata->exit_code)
		return points;
	in.kind = kind;
	total = in.allocs;
	for (i = 0; i < (kind == INJ_HVCALL ? hc.n : 1); i++) {
		if (kind == INJ_HVCALL) {
			if (!hc.calls[i] || !hv_code_swept(sc, hc.code[i]))
				continue;
			in.code = hc.code[i];
			total = hc.calls[i];
		}
		for (in.nth = 1; ; in.nth = next_nth(in.nth, total)) {
			if (in.nth > MAX_NTH) {
				totals->capped++;
				TH_LOG("%s: stopped after %u points", sc->name,
				       MAX_NTH);
				break;
			}
			points++;
			if (!run_once(_metadata, sc, &in, b0) ||
			    _metadata->exit_code)
				break;
		}
		if (_metadata->exit_code)
			break;
	}
	return points;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sweep_all(struct __test_metadata *_metadata, enum inj_kind kind)
{
	double t0 = now(), t;
	struct baseline b0;
	unsigned int i, n, total = 0;
	int fd = -1;

	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	if (kind == INJ_ALLOC) {
		fault_attr_setup();
		fd = open(FAIL_NTH, O_RDWR);
		ASSERT_LE(0, fd);
	}
	baseline_read(&b0);
	for (i = 0; i < NR_SCENARIOS; i++) {
		if (!scenario_runs(&scenarios[i]))
			continue;
		t = now();
		n = sweep(_metadata, &scenarios[i], kind, fd, &b0);
		printf("# %s: %u %s injection points (%.1f s)\n",
		       scenarios[i].name, n,
		       kind == INJ_ALLOC ? "allocation" : "hypercall",
		       now() - t);
		total += n;
		__atomic_or_fetch(&totals->ran, 1UL << i, __ATOMIC_RELAXED);
		if (_metadata->exit_code)
			break;
	}
	totals->points[kind] = total;
	printf("# %s sweep: %u points in %.1f s\n",
	       kind == INJ_ALLOC ? "allocation" : "hypercall", total,
	       now() - t0);
	if (fd >= 0)
		close(fd);
}

FIXTURE(fnth) {
};

FIXTURE_SETUP(fnth)
{
	if (access(MSHV_DBG_HVSIM "/inject", W_OK))
		SKIP(return, "no hvsim debugfs");
	/* Migration of the test's own memory would add unrelated work */
	mshv_numa_balancing_set(0);
}

FIXTURE_TEARDOWN(fnth)
{
}

TEST_F_TIMEOUT(fnth, alloc, 600)
{
	if (!have_fail_nth())
		SKIP(return,
		     "no fail-nth (CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS)");
	sweep_all(_metadata, INJ_ALLOC);
}

TEST_F_TIMEOUT(fnth, hvcall, 600)
{
	sweep_all(_metadata, INJ_HVCALL);
}

TEST_F(fnth, summary)
{
	unsigned int s = __builtin_popcountl(totals->ran);

	ASSERT_NE(0, s) TH_LOG("no scenario ran");
	printf("# fail-nth: %u injection points over %u scenarios, %u leaks%s\n",
	       totals->points[INJ_ALLOC] + totals->points[INJ_HVCALL], s,
	       totals->leaks, totals->capped ? " (some sweeps capped)" : "");
	EXPECT_EQ(0, totals->leaks);
}

TEST_HARNESS_MAIN
