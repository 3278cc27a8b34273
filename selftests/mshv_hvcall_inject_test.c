// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim's test hooks through the driver: the "partitions" and
 * "stale_accesses" counters, and fault injection ("inject") showing that
 * the driver resumes rep calls the hypervisor ends early, deposits and
 * retries after an injected HV_STATUS_INSUFFICIENT_MEMORY, and fails
 * cleanly (ENOMEM, nothing changed, still usable) when a partition's pool
 * is capped.  Every count is an exact delta of hvsim/hypercalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0: 16 pages */
#define MEM_PAGES	(MEM_SIZE / MSHV_PAGE_SIZE)
#define CODE_GPA	0x1000ULL
#define HOLE_GPA	0x20000ULL	/* not guest memory */
/* Pages the driver deposits (mshv_root.h) */
#define INIT_DEPOSIT	208
#define VP_DEPOSIT	90
#define MAP_DEPOSIT	256

/* Reads GPA 0x20000 */
MSHV_GUEST_CODE(hole_code, 16,
		"	mov $0x2000, %ax\n"
		"	mov %ax, %ds\n"
		"	mov 0, %al\n"
		"	hlt\n");

FIXTURE(inject)
{
	struct mshv_vm *vm;
	__u64 id;
};

FIXTURE_SETUP(inject)
{
	if (mshv_dbg_inject("clear"))
		SKIP(return, "no hvsim debugfs: not running on hvsim");
	self->vm = mshv_vm_create();
	self->id = mshv_dbg_newest_partition();
}

FIXTURE_TEARDOWN(inject)
{
	mshv_dbg_inject("clear");
	/* A test that took CPU 1 offline leaves it online on every path */
	if (!access("/sys/devices/system/cpu/cpu1/online", W_OK))
		mshv_write_file("/sys/devices/system/cpu/cpu1/online", "1");
	mshv_vm_free(self->vm);
}

/*
 * Does MSHV_SET_GUEST_MEMORY map the region (pinned regions), or does the
 * driver map it when the guest faults (movable regions)?  Drivers without
 * the pin_regions parameter always pin.
 */
static bool maps_at_set(void)
{
	if (access("/sys/module/mshv_root/parameters/pin_regions", F_OK))
		return true;
	return mshv_pin_regions();
}

static __u64 delta_calls(struct mshv_hc_count before, __u16 code)
{
	return mshv_dbg_hypercall_get(code).calls - before.calls;
}

static __u64 delta_reps(struct mshv_hc_count before, __u16 code)
{
	return mshv_dbg_hypercall_get(code).reps - before.reps;
}

/*
 * Give the VM its 16 pages with the hole-reading program and run a VP
 * until the guest touches the hole.  With movable regions the driver maps
 * the memory when the guest first faults on it; pinned regions are mapped
 * by MSHV_SET_GUEST_MEMORY.  The host writes every page first, so that
 * all 16 are backed by writable anonymous pages (untouched ones would be
 * the read-only zero page, mapped with other permissions) and either way
 * end up mapped in one MAP_GPA_PAGES batch.
 */
static void run_to_hole(struct __test_metadata *_metadata, struct mshv_vm *vm)
{
	struct mshv_vp *vp;
	struct hv_message *msg;
	const struct hv_x64_memory_intercept_message *mem;

	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	memset(vm->mem, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, hole_code, MSHV_GUEST_SIZE(hole_code));
	vp = mshv_vp_create(vm, 0);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	msg = mshv_vp_run(vp);
	mshv_expect_msg_type(msg, HVMSG_UNMAPPED_GPA);
	mem = (const void *)msg->u.payload;
	EXPECT_EQ(HOLE_GPA, mem->guest_physical_address);
	mshv_vp_free(vp);
}

/* Counters of "partitions": pool, SLAT, memory intercepts; no stale use */
TEST_F(inject, partition_counters)
{
	struct mshv_dbg_partition p;
	__u64 stale = mshv_dbg_stale_accesses_get();

	p = mshv_dbg_partition_get(self->id);
	EXPECT_EQ(INIT_DEPOSIT, p.pool_pages);
	EXPECT_EQ(INIT_DEPOSIT, p.pool_free);
	EXPECT_EQ(0, p.slat_4k);
	EXPECT_EQ(0, p.slat_2m);
	EXPECT_EQ(0, p.gpa_faults);

	run_to_hole(_metadata, self->vm);
	p = mshv_dbg_partition_get(self->id);
	EXPECT_EQ(INIT_DEPOSIT + VP_DEPOSIT, p.pool_pages);
	EXPECT_EQ(MEM_PAGES, p.slat_4k);
	EXPECT_EQ(0, p.slat_2m);
	/* The hole, plus the code fetch the driver resolves when movable */
	EXPECT_EQ(maps_at_set() ? 1 : 2, p.gpa_faults);
	EXPECT_EQ(stale, mshv_dbg_stale_accesses_get());

	mshv_unmap_guest_memory(self->vm->fd, 0, self->vm->mem, MEM_SIZE);
	p = mshv_dbg_partition_get(self->id);
	EXPECT_EQ(0, p.slat_4k);
}

/* The driver resumes MAP_GPA_PAGES the hypervisor ends after 5 reps */
TEST_F(inject, max_reps_map)
{
	struct mshv_hc_count map = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);

	ASSERT_EQ(0, mshv_dbg_inject("max_reps 0x4b 5"));
	run_to_hole(_metadata, self->vm);
	EXPECT_EQ(MEM_PAGES, delta_reps(map, HVCALL_MAP_GPA_PAGES));
	EXPECT_EQ(4, delta_calls(map, HVCALL_MAP_GPA_PAGES));	/* 5+5+5+1 */
	EXPECT_EQ(MEM_PAGES, mshv_dbg_partition_get(self->id).slat_4k);
}

/* ... and DEPOSIT_MEMORY: CREATE_VP's 90 pages in 50 + 40 */
TEST_F(inject, max_reps_deposit)
{
	struct mshv_hc_count dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	struct mshv_vp *vp;

	ASSERT_EQ(0, mshv_dbg_inject("max_reps 0x48 50"));
	vp = mshv_vp_create(self->vm, 0);
	EXPECT_EQ(2, delta_calls(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(VP_DEPOSIT, delta_reps(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(INIT_DEPOSIT + VP_DEPOSIT,
		  mshv_dbg_partition_get(self->id).pool_pages);
	mshv_vp_free(vp);
}

/* ... and GET/SET_VP_REGISTERS issued through MSHV_ROOT_HVCALL */
TEST_F(inject, max_reps_registers)
{
	struct mshv_hc_count get, set;
	struct hv_register_assoc regs[5];
	union hv_register_value vals[10];
	struct mshv_root_hvcall args;
	__u32 names[10];
	struct mshv_vp *vp;
	unsigned int i;

	vp = mshv_vp_create(self->vm, 0);
	memset(regs, 0, sizeof(regs));
	for (i = 0; i < 5; i++) {
		regs[i].name = HV_X64_REGISTER_RAX + i;
		regs[i].value.reg64 = 0x1000 + i;
	}
	for (i = 0; i < 10; i++)
		names[i] = HV_X64_REGISTER_RAX + i;

	ASSERT_EQ(0, mshv_dbg_inject("max_reps 0x51 2"));
	set = mshv_dbg_hypercall_get(HVCALL_SET_VP_REGISTERS);
	ASSERT_EQ(0, __mshv_set_vp_registers(vp->fd, 0, regs, 5, &args));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(5, args.reps);
	EXPECT_EQ(3, delta_calls(set, HVCALL_SET_VP_REGISTERS));  /* 2+2+1 */
	EXPECT_EQ(5, delta_reps(set, HVCALL_SET_VP_REGISTERS));

	ASSERT_EQ(0, mshv_dbg_inject("max_reps 0x50 3"));
	get = mshv_dbg_hypercall_get(HVCALL_GET_VP_REGISTERS);
	memset(vals, 0xcc, sizeof(vals));
	ASSERT_EQ(0, __mshv_get_vp_registers(vp->fd, 0, names, vals, 10,
					     &args));
	EXPECT_EQ(10, args.reps);
	EXPECT_EQ(4, delta_calls(get, HVCALL_GET_VP_REGISTERS)); /* 3+3+3+1 */
	EXPECT_EQ(10, delta_reps(get, HVCALL_GET_VP_REGISTERS));
	/* Output of every partial call survived */
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0x1000 + i, vals[i].reg64);
	mshv_vp_free(vp);
}

/* Injected INSUFFICIENT_MEMORY: one page deposited, the call retried */
TEST_F(inject, insufficient_memory_deposit_and_retry)
{
	struct mshv_hc_count set, dep;
	struct hv_register_assoc reg = {
		.name = HV_X64_REGISTER_RBX,
		.value.reg64 = 0xfeed,
	};
	struct mshv_root_hvcall args;
	struct mshv_vp *vp;
	__u64 pool;

	vp = mshv_vp_create(self->vm, 0);
	pool = mshv_dbg_partition_get(self->id).pool_pages;
	set = mshv_dbg_hypercall_get(HVCALL_SET_VP_REGISTERS);
	dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x51 1 0xb"));
	ASSERT_EQ(0, __mshv_set_vp_registers(vp->fd, 0, &reg, 1, &args));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(2, delta_calls(set, HVCALL_SET_VP_REGISTERS));
	EXPECT_EQ(1, delta_reps(set, HVCALL_SET_VP_REGISTERS));
	EXPECT_EQ(1, delta_calls(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(1, delta_reps(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(pool + 1, mshv_dbg_partition_get(self->id).pool_pages);
	EXPECT_EQ(0xfeed, mshv_vp_get_reg(vp, HV_X64_REGISTER_RBX));

	/* Another status is returned as it is, nothing deposited */
	dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x51 1 0x5"));
	EXPECT_EQ(-1, __mshv_set_vp_registers(vp->fd, 0, &reg, 1, &args));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, args.status);
	EXPECT_EQ(0, args.reps);
	EXPECT_EQ(0, delta_calls(dep, HVCALL_DEPOSIT_MEMORY));
	mshv_vp_free(vp);
}

/* MAP_GPA_PAGES out of memory: the driver deposits 256 pages and retries */
TEST_F(inject, map_insufficient_memory)
{
	struct mshv_hc_count map = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	struct mshv_hc_count dep;
	__u64 pool;

	pool = mshv_dbg_partition_get(self->id).pool_pages;
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x4b 1 0xb"));
	dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	run_to_hole(_metadata, self->vm);
	EXPECT_EQ(2, delta_calls(map, HVCALL_MAP_GPA_PAGES));
	EXPECT_EQ(MEM_PAGES, delta_reps(map, HVCALL_MAP_GPA_PAGES));
	/* CREATE_VP's deposit, then the map's */
	EXPECT_EQ(2, delta_calls(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(VP_DEPOSIT + MAP_DEPOSIT,
		  delta_reps(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(pool + VP_DEPOSIT + MAP_DEPOSIT,
		  mshv_dbg_partition_get(self->id).pool_pages);
}

/* The rules read back in the syntax they were written in */
TEST_F(inject, rules_listing)
{
	char buf[256];
	FILE *f;
	size_t n;

	ASSERT_EQ(0, mshv_dbg_inject("fail 75 3 0xb"));
	ASSERT_EQ(0, mshv_dbg_inject("max_reps 0x50 7"));
	ASSERT_EQ(0, mshv_dbg_inject("pool_cap 300"));
	EXPECT_EQ(-1, mshv_dbg_inject("max_reps 0x40 7"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mshv_dbg_inject("fail 0x4b 0 0xb"));
	EXPECT_EQ(EINVAL, errno);
	f = fopen(MSHV_DBG_HVSIM "/inject", "r");
	ASSERT_NE(NULL, f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	EXPECT_STREQ("fail 0x004b 3 0x000b\nmax_reps 0x0050 7\npool_cap 300\n",
		     buf);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	f = fopen(MSHV_DBG_HVSIM "/inject", "r");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, fread(buf, 1, sizeof(buf), f));
	fclose(f);
}

/*
 * A capped pool: MSHV_INITIALIZE_PARTITION's 208 pages fit, CREATE_VP's
 * deposit does not (ENOMEM, no VP, pool unchanged), nor does the deposit
 * a MAP_GPA_PAGES out of memory asks for.  After "clear" the partition
 * works.
 */
TEST_F(inject, pool_cap)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	void *mem;
	__u64 id;

	ASSERT_EQ(0, mshv_dbg_inject("pool_cap 208"));
	vm = mshv_vm_create();
	id = mshv_dbg_newest_partition();
	ASSERT_NE(self->id, id);
	EXPECT_EQ(INIT_DEPOSIT, mshv_dbg_partition_get(id).pool_pages);

	EXPECT_EQ(-1, __mshv_create_vp(vm->fd, 0));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(INIT_DEPOSIT, mshv_dbg_partition_get(id).pool_pages);
	EXPECT_EQ(INIT_DEPOSIT, mshv_dbg_partition_get(id).pool_free);

	mem = mshv_alloc_host_memory(MEM_SIZE);
	if (maps_at_set()) {
		/* Pinned regions are mapped by MSHV_SET_GUEST_MEMORY */
		ASSERT_EQ(0, mshv_dbg_inject("fail 0x4b 1 0xb"));
		EXPECT_EQ(-1, __mshv_set_guest_memory(vm->fd, MEM_SIZE, 0,
						      (__u64)(unsigned long)mem,
						      1 << MSHV_SET_MEM_BIT_WRITABLE));
		EXPECT_EQ(ENOMEM, errno);
		EXPECT_EQ(0, mshv_dbg_partition_get(id).slat_4k);
	}

	/* The other partition was created before the cap */
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x4b 1 0xb"));
	run_to_hole(_metadata, self->vm);

	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	vp = mshv_vp_create(vm, 0);
	EXPECT_EQ(INIT_DEPOSIT + VP_DEPOSIT,
		  mshv_dbg_partition_get(id).pool_pages);
	mshv_map_guest_memory(vm->fd, 0, mem, MEM_SIZE,
			      1 << MSHV_SET_MEM_BIT_WRITABLE);
	mshv_unmap_guest_memory(vm->fd, 0, mem, MEM_SIZE);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	munmap(mem, MEM_SIZE);
}

/*
 * Coverage of every hypercall the driver issues (mshv_root_hv_call.c):
 * for each code, a workload that issues it runs once as a baseline, then
 * again with (a) HV_STATUS_INSUFFICIENT_MEMORY injected on the code's
 * first call and, for rep calls, (b) at most one rep completed per call.
 * Exact deltas of hvsim/hypercalls against the baseline show what the
 * driver did:
 *  RETRY  deposit one batch and retry: the workload succeeds, one more
 *         call of the code and one more DEPOSIT_MEMORY than the baseline;
 *  ERROR  no deposit (reads and runs that cannot need memory, and the
 *         deposit itself): the operation fails with ENOMEM, exactly one
 *         call was made, and the workload then succeeds unchanged;
 *  TEARDOWN  teardown that cannot fail (withdraw, unmapping VP state
 *         pages): the driver logs and goes on, and later partitions
 *         work;
 *  REDO   teardown that must not leave anything behind (unmapping guest
 *         memory): the driver issues the failed call again, without a
 *         deposit; one more call of the code, the same reps;
 *  DEFER  a call that must not sleep (eventfd wakeup, root SynIC
 *         interrupt: NOTIFY_PORT_RING_EMPTY and EOM): the driver issues
 *         it again from a work item, which may deposit; the workload
 *         succeeds with one more call of the code (the retry finds the
 *         rule used up: no deposit).
 * With max_reps 1 every rep call of the code completes one rep per call:
 * the workload succeeds with as many calls as the baseline had reps.
 * GET/SET_VP_REGISTERS appear on a guest VP through MSHV_ROOT_HVCALL and
 * on SELF: the root SynIC of CPU 1 set up again by taking the CPU offline
 * and online, and EOM from the root SynIC handler.  DELETE_VP is issued
 * only when creating a VP fails half-way: its workload makes
 * MAP_VP_STATE_PAGE fail.
 * GET_SYSTEM_PROPERTY (only at module load) has its own test, which
 * loads the driver again (reload.get_system_property).
 */
enum cover_kind { RETRY, ERROR, TEARDOWN, REDO, DEFER };

/*
 * A workload builds its own partition, then calls cover_arm() right
 * before the operation under test, which installs the injection rule.
 */
struct cover_ctx {
	struct __test_metadata *md;
	const char *rule;	/* NULL for the baseline */
	__u16 code;
	struct mshv_hc_count armed;	/* the code's counters at cover_arm() */
};

struct cover_case {
	__u16 code;
	bool rep;
	enum cover_kind kind;
	/* Issues the code; returns 0 or the -errno of the call under test */
	int (*run)(struct cover_ctx *c);
	const char *name;
	/* ERROR: calls of the code in a run whose first armed call fails */
	unsigned int err_calls;
};

static void cover_arm(struct cover_ctx *c)
{
	c->armed = mshv_dbg_hypercall_get(c->code);
	if (c->rule)
		MSHV_TEST_ASSERT(!mshv_dbg_inject(c->rule), "rule %s", c->rule);
}

/* A partition from create to close: CREATE..INITIALIZE, FINALIZE..DELETE */
static int w_vm(struct cover_ctx *c)
{
	cover_arm(c);
	mshv_vm_free(mshv_vm_create());
	return 0;
}

/* MSHV_CREATE_VP (DEPOSIT, CREATE_VP, MAP_VP_STATE_PAGE) and close */
static int w_vp(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	int fd;

	cover_arm(c);
	fd = __mshv_create_vp(vm->fd, 0);
	if (fd >= 0)
		close(fd);
	else
		fd = -errno;
	mshv_vm_free(vm);
	return fd < 0 ? fd : 0;
}

/* Guest memory mapped (MAP_GPA_PAGES) and unmapped (UNMAP_GPA_PAGES) */
static int w_memory(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	__u64 id = mshv_dbg_newest_partition();

	cover_arm(c);
	run_to_hole(c->md, vm);
	MSHV_TEST_ASSERT(mshv_dbg_partition_get(id).slat_4k == MEM_PAGES,
			 "SLAT after the run");
	mshv_unmap_guest_memory(vm->fd, 0, vm->mem, MEM_SIZE);
	mshv_vm_free(vm);
	return 0;
}

static int hvcall(struct mshv_vm *vm, __u16 code, __u16 reps,
		  const void *in, __u16 in_sz, void *out, __u16 out_sz)
{
	struct mshv_root_hvcall args = mshv_hvcall_args(code, reps, in, in_sz,
							out, out_sz);

	return __mshv_hvcall(vm->fd, &args) ? -errno : 0;
}

/* SET then GET_VP_REGISTERS of 8 GPRs through MSHV_ROOT_HVCALL */
static int w_registers(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp = mshv_vp_create(vm, 0);
	struct hv_register_assoc regs[8];
	union hv_register_value vals[8];
	struct mshv_root_hvcall args;
	__u32 names[8];
	unsigned int i;
	int ret;

	memset(regs, 0, sizeof(regs));
	for (i = 0; i < 8; i++) {
		names[i] = HV_X64_REGISTER_RAX + i;
		regs[i].name = names[i];
		regs[i].value.reg64 = 0x5000 + i;
	}
	cover_arm(c);
	ret = __mshv_set_vp_registers(vp->fd, 0, regs, 8, &args) ? -errno : 0;
	if (!ret) {
		memset(vals, 0, sizeof(vals));
		ret = __mshv_get_vp_registers(vp->fd, 0, names, vals, 8,
					      &args) ? -errno : 0;
		for (i = 0; !ret && i < 8; i++)
			MSHV_TEST_ASSERT(vals[i].reg64 == 0x5000 + i,
					 "register %u", i);
	}
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	return ret;
}

MSHV_GUEST_CODE(hlt_code, 16,
		"	hlt\n");

/* MSHV_RUN_VP of "hlt" (DISPATCH_VP) */
static int w_dispatch(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp;
	int ret;

	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, hlt_code, MSHV_GUEST_SIZE(hlt_code));
	vp = mshv_vp_create(vm, 0);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	cover_arm(c);
	ret = __mshv_run_vp(vp->fd, &vp->msg) ? -errno : 0;
	if (!ret)
		mshv_expect_msg_type(&vp->msg, HVMSG_X64_HALT);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	return ret;
}

/* MSHV_GET_GPAP_ACCESS_BITMAP (GET_GPA_PAGES_ACCESS_STATES) */
static int w_access_states(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	__u8 bitmap[MEM_PAGES / 8];
	struct mshv_gpap_access_bitmap args = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		.access_op = MSHV_GPAP_ACCESS_OP_NOOP,
		.page_count = MEM_PAGES,
		.bitmap_ptr = (__u64)(unsigned long)bitmap,
	};
	int ret;

	/* The program reads the hole: the code page at least was accessed */
	run_to_hole(c->md, vm);
	memset(bitmap, 0, sizeof(bitmap));
	cover_arm(c);
	ret = ioctl(vm->fd, MSHV_GET_GPAP_ACCESS_BITMAP, &args) ? -errno : 0;
	if (!ret)
		MSHV_TEST_ASSERT(bitmap[0] & BIT(MSHV_PFN(CODE_GPA)),
				 "code page accessed");
	mshv_vm_free(vm);
	return ret;
}

/* MSHV_GET/SET_VP_STATE of the XSAVE area (and GET_PARTITION_PROPERTY) */
static int w_vp_state(struct cover_ctx *c, unsigned long req)
{
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp = mshv_vp_create(vm, 0);
	struct mshv_get_set_vp_state st = {
		.type = MSHV_VP_STATE_XSAVE,
		.buf_sz = MSHV_PAGE_SIZE,
	};
	void *buf = mshv_alloc_host_memory(MSHV_PAGE_SIZE);
	int ret;

	st.buf_ptr = (__u64)(unsigned long)buf;
	if (req == MSHV_GET_VP_STATE)
		cover_arm(c);
	ret = ioctl(vp->fd, MSHV_GET_VP_STATE, &st) ? -errno : 0;
	if (!ret && req == MSHV_SET_VP_STATE) {
		st.buf_sz = MSHV_PAGE_SIZE;
		cover_arm(c);
		ret = ioctl(vp->fd, MSHV_SET_VP_STATE, &st) ? -errno : 0;
	}
	munmap(buf, MSHV_PAGE_SIZE);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	return ret;
}

static int w_get_vp_state(struct cover_ctx *c)
{
	return w_vp_state(c, MSHV_GET_VP_STATE);
}

static int w_set_vp_state(struct cover_ctx *c)
{
	return w_vp_state(c, MSHV_SET_VP_STATE);
}

/* SET then GET_PARTITION_PROPERTY(_EX) through MSHV_ROOT_HVCALL */
static int w_properties(struct cover_ctx *c)
{
	struct hv_input_set_partition_property set = {
		.property_code = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
		.property_value = 1,
	};
	struct hv_input_get_partition_property_ex ex = {
		.property_code = HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
	};
	struct mshv_vm *vm = mshv_vm_create();
	__u64 out[2] = { 0 };
	int ret;

	cover_arm(c);
	ret = hvcall(vm, HVCALL_SET_PARTITION_PROPERTY, 0, &set, sizeof(set),
		     NULL, 0);
	if (!ret)
		ret = hvcall(vm, HVCALL_GET_PARTITION_PROPERTY_EX, 0, &ex,
			     sizeof(ex), out, sizeof(out));
	if (!ret)
		MSHV_TEST_ASSERT(out[0] == 1 &&
				 out[1] == HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES,
				 "VMM_CAPABILITIES");
	mshv_vm_free(vm);
	return ret;
}

/* INSTALL_INTERCEPT, REGISTER_INTERCEPT_RESULT, GET_VP_CPUID_VALUES */
static int w_intercepts(struct cover_ctx *c)
{
	struct hv_input_install_intercept inst = {
		.access_type = HV_INTERCEPT_ACCESS_MASK_EXECUTE,
		.intercept_type = HV_INTERCEPT_TYPE_X64_CPUID,
		.intercept_parameter = 0x40000000,
	};
	struct hv_input_register_intercept_result reg = {
		.intercept_type = HV_INTERCEPT_TYPE_X64_CPUID,
		.parameters.cpuid = {
			.input = { .eax = 1 },
			.result = { .ebx = 0x77, .ebx_mask = 0xff },
		},
	};
	struct {
		struct hv_input_get_vp_cpuid_values hdr;
		struct hv_cpuid_leaf_info info[4];
	} get = {
		.hdr.flags = HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES,
		.info = { { .eax = 0 }, { .eax = 1 }, { .eax = 2 },
			  { .eax = 0x40000001 } },
	};
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp = mshv_vp_create(vm, 0);
	struct hv_cpuid_result out[4];
	int ret;

	memset(out, 0, sizeof(out));
	cover_arm(c);
	ret = hvcall(vm, HVCALL_INSTALL_INTERCEPT, 0, &inst, sizeof(inst),
		     NULL, 0);
	if (!ret)
		ret = hvcall(vm, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &reg,
			     HV_INPUT_REGISTER_INTERCEPT_RESULT_SIZE, NULL, 0);
	if (!ret)
		ret = hvcall(vm, HVCALL_GET_VP_CPUID_VALUES, 4, &get,
			     sizeof(get), out, sizeof(out));
	if (!ret)
		MSHV_TEST_ASSERT(out[0].eax == 0xd && out[1].ebx == 0x00010877 &&
				 out[2].eax == 0 && out[3].eax == 0x31237648,
				 "CPUID values");
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	return ret;
}

/*
 * Create a VP while MAP_VP_STATE_PAGE fails with INVALID_PARAMETER: the
 * driver deletes the half-created VP (DELETE_VP), so that the same index
 * can be created right after.
 */
static int w_vp_half(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	int fd, ret = 0;

	cover_arm(c);
	MSHV_TEST_ASSERT(!mshv_dbg_inject("fail 0xe1 1 0x5"), "rule");
	fd = __mshv_create_vp(vm->fd, 0);
	if (fd >= 0 || errno != EINVAL)
		ret = fd >= 0 ? -EEXIST : -errno;
	if (fd >= 0)
		close(fd);
	fd = __mshv_create_vp(vm->fd, 0);
	if (fd < 0 && !ret)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	mshv_vm_free(vm);
	return ret;
}

static int ioeventfd_ioctl(int pt_fd, int fd, __u64 addr, __u32 len,
			   __u32 flags)
{
	struct mshv_user_ioeventfd args = {
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = flags,
	};

	return ioctl(pt_fd, MSHV_IOEVENTFD, &args) ? -errno : 0;
}

/*
 * MSHV_IOEVENTFD assigned (CREATE_PORT, CONNECT_PORT) and deassigned
 * (DISCONNECT_PORT, DELETE_PORT): no port is left either way
 */
static int w_ioeventfd(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	__u64 id = mshv_dbg_newest_partition();
	int efd = eventfd(0, EFD_NONBLOCK);
	int ret;

	MSHV_TEST_ASSERT(efd >= 0, "eventfd");
	cover_arm(c);
	ret = ioeventfd_ioctl(vm->fd, efd, HOLE_GPA, 4, 0);
	if (!ret) {
		MSHV_TEST_ASSERT(mshv_dbg_ports_of(id) == 1, "port assigned");
		ret = ioeventfd_ioctl(vm->fd, efd, HOLE_GPA, 4,
				      1 << MSHV_IOEVENTFD_BIT_DEASSIGN);
	}
	MSHV_TEST_ASSERT(mshv_dbg_ports_of(id) == 0, "no port left");
	mshv_vm_free(vm);
	close(efd);
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read eventfd @efd until it counted @want (a work item may be late) */
static __u64 efd_wait(int efd, __u64 want)
{
	double end = now() + 5;
	__u64 total = 0, v;

	while (total < want && now() < end) {
		if (read(efd, &v, sizeof(v)) == sizeof(v))
			total += v;
		else
			usleep(1000);
	}
	return total;
}

/*
 * MSHV_IRQFD signalled: the wakeup asserts the routed MSI
 * (ASSERT_VIRTUAL_INTERRUPT) without sleeping, a work item retries it
 * with a deposit when the hypervisor needs memory.
 */
static int w_irqfd(struct cover_ctx *c)
{
	struct {
		struct mshv_user_irq_table hdr;
		struct mshv_user_irq_entry e[1];
	} table = {
		.hdr.nr = 1,
		.e[0] = { .gsi = 1, .address_lo = 0xFEE00000, .data = 0x30 },
	};
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp = mshv_vp_create(vm, 0);
	int efd = eventfd(0, EFD_NONBLOCK);
	struct mshv_user_irqfd args = { .fd = efd, .resamplefd = -1,
					.gsi = 1 };
	__u64 one = 1, asserted;
	double end = now() + 5;
	int ret = 0;

	MSHV_TEST_ASSERT(efd >= 0, "eventfd");
	MSHV_TEST_ASSERT(!ioctl(vm->fd, MSHV_SET_MSI_ROUTING, &table),
			 "MSHV_SET_MSI_ROUTING");
	MSHV_TEST_ASSERT(!ioctl(vm->fd, MSHV_IRQFD, &args), "MSHV_IRQFD");
	asserted = mshv_dbg_irq_get().asserted;
	cover_arm(c);
	MSHV_TEST_ASSERT(write(efd, &one, sizeof(one)) == sizeof(one),
			 "eventfd write");
	while (mshv_dbg_irq_get().asserted == asserted && now() < end)
		usleep(1000);
	if (mshv_dbg_irq_get().asserted != asserted + 1)
		ret = -ETIMEDOUT;
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	close(efd);
	return ret;
}

/*
 * 100 doorbell writes in one dispatch (at GPA 0x20000): the root's event
 * ring takes 63, the driver reports it empty (NOTIFY_PORT_RING_EMPTY) and
 * drains the rest.
 */
MSHV_GUEST_CODE(burst_code, 16,
		"	mov $0x2000, %ax\n"
		"	mov %ax, %ds\n"
		"	mov $100, %cx\n"
		"1:	movb $1, 0\n"
		"	dec %cx\n"
		"	jnz 1b\n"
		"	hlt\n");

/* The VP's first run, which needs the root interrupt: at IDLE_GPA */
#define IDLE_GPA	0x3000ULL
MSHV_GUEST_CODE(idle_code, 16,
		"	hlt\n");

/*
 * The root interrupt is held back while the burst runs: a dispatch takes
 * the root's interrupts in its interrupt windows, and the handler would
 * empty the ring every few writes, so that it never fills.  The thread
 * stays on one CPU until the release, which runs the handler there.
 */
static int w_ring(struct cover_ctx *c)
{
	struct mshv_vm *vm = mshv_vm_create();
	int efd = eventfd(0, EFD_NONBLOCK);
	cpu_set_t cpus, one;
	struct mshv_vp *vp;
	__u64 n;

	MSHV_TEST_ASSERT(efd >= 0, "eventfd");
	MSHV_TEST_ASSERT(!sched_getaffinity(0, sizeof(cpus), &cpus),
			 "sched_getaffinity");
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	MSHV_TEST_ASSERT(!sched_setaffinity(0, sizeof(one), &one),
			 "sched_setaffinity");
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, burst_code, MSHV_GUEST_SIZE(burst_code));
	mshv_vm_write(vm, IDLE_GPA, idle_code, MSHV_GUEST_SIZE(idle_code));
	vp = mshv_vp_create(vm, 0);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, IDLE_GPA);
	mshv_vp_run_expect_halt(vp);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	MSHV_TEST_ASSERT(!ioeventfd_ioctl(vm->fd, efd, HOLE_GPA, 1, 0),
			 "MSHV_IOEVENTFD");
	MSHV_TEST_ASSERT(!mshv_dbg_inject("root_irq hold"), "root_irq hold");
	cover_arm(c);
	mshv_vp_run_expect_halt(vp);
	MSHV_TEST_ASSERT(!mshv_dbg_inject("root_irq release"),
			 "root_irq release");
	MSHV_TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus),
			 "sched_setaffinity");
	n = efd_wait(efd, 100);
	/* Nothing more comes */
	usleep(10000);
	n += efd_wait(efd, 0);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	close(efd);
	return n == 100 ? 0 : -ETIMEDOUT;
}

/*
 * Two level-triggered vectors in service (loaded with the LAPIC state),
 * ended by two x2APIC EOIs in one dispatch (the second): two APIC_EOI messages are
 * posted to the root's SINT0 before its handler runs, the second waits
 * behind the first, and only the handler's EOM lets it through.
 */
MSHV_GUEST_CODE(eoi2_code, 16,
		"	hlt\n"				/* first dispatch */
		"	mov $0x80b, %ecx\n"		/* x2APIC EOI */
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	wrmsr\n"
		"	hlt\n");

#define EOI_VECTOR_LO	0x40
#define EOI_VECTOR_HI	0x41

static int w_eom(struct cover_ctx *c)
{
	struct hv_local_interrupt_controller_state *l;
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_dbg_synic s0, s;
	struct mshv_vp *vp;
	int i;

	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(l, "aligned_alloc");
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, eoi2_code, MSHV_GUEST_SIZE(eoi2_code));
	vp = mshv_vp_create(vm, 0);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_lapic_state(vp, MSHV_GET_VP_STATE, l);
	l->apic_isr[EOI_VECTOR_LO / 32] |= 3U << (EOI_VECTOR_LO % 32);
	l->apic_tmr[EOI_VECTOR_LO / 32] |= 3U << (EOI_VECTOR_LO % 32);
	mshv_vp_lapic_state(vp, MSHV_SET_VP_STATE, l);
	free(l);

	/*
	 * The first dispatch of a new VP clears its explicit suspend
	 * (SET_VP_REGISTERS too): done before the rule is armed, so that
	 * the EOM is the first SET_VP_REGISTERS after it
	 */
	mshv_vp_skip_insn(vp, &mshv_vp_run_expect_halt(vp)->header);
	s0 = mshv_dbg_synic_get();
	cover_arm(c);
	mshv_vp_run_expect_halt(vp);
	/* The second message reaches the slot, directly or after a retry */
	for (i = 0; i < 1000; i++) {
		s = mshv_dbg_synic_get();
		if (s.posted - s0.posted >= 2)
			break;
		usleep(1000);
	}
	mshv_vp_free(vp);
	mshv_vm_free(vm);
	MSHV_TEST_ASSERT(s.queued - s0.queued == 1,
			 "%llu messages waited, expected 1",
			 (unsigned long long)(s.queued - s0.queued));
	return s.posted - s0.posted == 2 ? 0 : -ETIMEDOUT;
}

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"

/**
 * struct synic_cpu - the configuration part of a hvsim/root_synic line
 * @scontrol: SCONTROL enable
 * @simp: SIMP enable
 * @sint0: SINT0 (root messages)
 * @sint5: SINT5 (doorbell ring)
 */
struct synic_cpu {
	unsigned int scontrol, simp;
	unsigned long long sint0, sint5;
};

static struct synic_cpu synic_cpu_get(unsigned int cpu)
{
	FILE *f = fopen(MSHV_DBG_HVSIM "/root_synic", "r");
	struct synic_cpu s = { 0 };
	unsigned int n;
	char line[512];
	bool found = false;

	MSHV_TEST_ASSERT(f, "root_synic");
	while (fgets(line, sizeof(line), f)) {
		struct synic_cpu t;

		if (sscanf(line, "cpu=%u scontrol=%u simp=%u sint0=%llx sint5=%llx",
			   &n, &t.scontrol, &t.simp, &t.sint0, &t.sint5) == 5 &&
		    n == cpu) {
			s = t;
			found = true;
		}
	}
	fclose(f);
	MSHV_TEST_ASSERT(found, "root_synic has no CPU %u", cpu);
	return s;
}

static bool synic_cpu_eq(struct synic_cpu a, struct synic_cpu b)
{
	return a.scontrol == b.scontrol && a.simp == b.simp &&
	       a.sint0 == b.sint0 && a.sint5 == b.sint5;
}

/*
 * CPU 1 offline and online again: the cpuhp callbacks disable and set up
 * its root SynIC (GET/SET_VP_REGISTERS on SELF, on CPU 1), which ends up
 * configured as CPU 0's.
 */
static int w_cpu1(struct cover_ctx *c)
{
	struct synic_cpu cpu0 = synic_cpu_get(0);
	int ret;

	cover_arm(c);
	if (mshv_write_file(CPU1_ONLINE, "0"))
		return -errno;
	ret = mshv_write_file(CPU1_ONLINE, "1") ? -errno : 0;
	if (!ret)
		MSHV_TEST_ASSERT(synic_cpu_eq(cpu0, synic_cpu_get(1)),
				 "CPU 1's root SynIC");
	return ret;
}

#define COVER(c, rep, kind, run, err) \
	{ HVCALL_##c, rep, kind, run, #c, err }
#define COVER_SELF(c, run) \
	{ HVCALL_##c, true, RETRY, run, #c " (SELF)", 0 }

static const struct cover_case cover_cases[] = {
	COVER(CREATE_PARTITION, false, RETRY, w_vm, 0),
	COVER(INITIALIZE_PARTITION, false, RETRY, w_vm, 0),
	COVER(FINALIZE_PARTITION, false, RETRY, w_vm, 0),
	COVER(DELETE_PARTITION, false, RETRY, w_vm, 0),
	COVER(GET_PARTITION_PROPERTY, false, ERROR, w_get_vp_state, 1),
	COVER(SET_PARTITION_PROPERTY, false, RETRY, w_properties, 0),
	/* The partition's initial deposit, then the VP's, which fails */
	COVER(DEPOSIT_MEMORY, true, ERROR, w_vp, 2),
	COVER(WITHDRAW_MEMORY, true, TEARDOWN, w_vm, 0),
	COVER(MAP_GPA_PAGES, true, RETRY, w_memory, 0),
	COVER(UNMAP_GPA_PAGES, true, REDO, w_memory, 0),
	COVER(INSTALL_INTERCEPT, false, RETRY, w_intercepts, 0),
	COVER(CREATE_VP, false, RETRY, w_vp, 0),
	COVER(GET_VP_REGISTERS, true, RETRY, w_registers, 0),
	COVER(SET_VP_REGISTERS, true, RETRY, w_registers, 0),
	COVER(REGISTER_INTERCEPT_RESULT, false, RETRY, w_intercepts, 0),
	COVER(DISPATCH_VP, false, ERROR, w_dispatch, 1),
	COVER(GET_GPA_PAGES_ACCESS_STATES, true, RETRY, w_access_states, 0),
	COVER(MAP_VP_STATE_PAGE, false, RETRY, w_vp, 0),
	COVER(UNMAP_VP_STATE_PAGE, false, TEARDOWN, w_vp, 0),
	COVER(GET_VP_STATE, false, RETRY, w_get_vp_state, 0),
	COVER(SET_VP_STATE, false, RETRY, w_set_vp_state, 0),
	COVER(GET_VP_CPUID_VALUES, true, RETRY, w_intercepts, 0),
	COVER(GET_PARTITION_PROPERTY_EX, false, RETRY, w_properties, 0),
	COVER(DELETE_VP, false, RETRY, w_vp_half, 0),
	COVER(CREATE_PORT, false, RETRY, w_ioeventfd, 0),
	COVER(CONNECT_PORT, false, RETRY, w_ioeventfd, 0),
	COVER(DISCONNECT_PORT, false, RETRY, w_ioeventfd, 0),
	COVER(DELETE_PORT, false, RETRY, w_ioeventfd, 0),
	COVER(ASSERT_VIRTUAL_INTERRUPT, false, DEFER, w_irqfd, 0),
	COVER(NOTIFY_PORT_RING_EMPTY, false, DEFER, w_ring, 0),
	/* EOM: SET_VP_REGISTERS on SELF from the root SynIC handler */
	{ HVCALL_SET_VP_REGISTERS, false, DEFER, w_eom,
	  "SET_VP_REGISTERS (SELF, EOM)", 0 },
	COVER_SELF(GET_VP_REGISTERS, w_cpu1),
	COVER_SELF(SET_VP_REGISTERS, w_cpu1),
};

static void cover_one(struct __test_metadata *_metadata,
		      const struct cover_case *cc)
{
	struct cover_ctx c = { .md = _metadata, .code = cc->code };
	struct mshv_hc_count code0, dep0, code1, dep1, code2, dep2;
	__u64 armed_reps;
	char rule[64];
	int ret;

	/* Baseline */
	code0 = mshv_dbg_hypercall_get(cc->code);
	dep0 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	ASSERT_EQ(0, cc->run(&c)) TH_LOG("%s baseline", cc->name);
	code1 = mshv_dbg_hypercall_get(cc->code);
	dep1 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	armed_reps = code1.reps - c.armed.reps;
	code1.calls -= code0.calls;
	code1.reps -= code0.reps;
	dep1.calls -= dep0.calls;
	ASSERT_LT(0, code1.calls) TH_LOG("%s: workload misses it", cc->name);

	/* (a) INSUFFICIENT_MEMORY on the first call */
	snprintf(rule, sizeof(rule), "fail %#x 1 0xb", cc->code);
	c.rule = rule;
	code0 = mshv_dbg_hypercall_get(cc->code);
	dep0 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	ret = cc->run(&c);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	code2 = mshv_dbg_hypercall_get(cc->code);
	dep2 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	c.rule = NULL;
	switch (cc->kind) {
	case RETRY:
	case REDO:
		EXPECT_EQ(0, ret) TH_LOG("%s", cc->name);
		EXPECT_EQ(code1.calls + 1, code2.calls - code0.calls)
			TH_LOG("%s", cc->name);
		EXPECT_EQ(code1.reps, code2.reps - code0.reps)
			TH_LOG("%s", cc->name);
		EXPECT_EQ(dep1.calls + (cc->kind == RETRY),
			  dep2.calls - dep0.calls)
			TH_LOG("%s", cc->name);
		break;
	case ERROR:
		EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s", cc->name);
		/* The failed call was not retried, nothing more deposited */
		EXPECT_EQ(cc->err_calls, code2.calls - code0.calls)
			TH_LOG("%s", cc->name);
		EXPECT_GE(dep1.calls, dep2.calls - dep0.calls)
			TH_LOG("%s", cc->name);
		/* Still usable: the workload works as in the baseline */
		code0 = mshv_dbg_hypercall_get(cc->code);
		EXPECT_EQ(0, cc->run(&c)) TH_LOG("%s after", cc->name);
		EXPECT_EQ(code1.calls,
			  mshv_dbg_hypercall_get(cc->code).calls - code0.calls)
			TH_LOG("%s", cc->name);
		break;
	case TEARDOWN:
		EXPECT_EQ(0, ret) TH_LOG("%s", cc->name);
		EXPECT_EQ(code1.calls, code2.calls - code0.calls)
			TH_LOG("%s", cc->name);
		EXPECT_EQ(0, cc->run(&c)) TH_LOG("%s after", cc->name);
		break;

	case DEFER:
		EXPECT_EQ(0, ret) TH_LOG("%s", cc->name);
		EXPECT_EQ(code1.calls + 1, code2.calls - code0.calls)
			TH_LOG("%s", cc->name);
		EXPECT_EQ(dep1.calls, dep2.calls - dep0.calls)
			TH_LOG("%s", cc->name);
		break;
	}

	if (!cc->rep)
		return;
	/*
	 * (b) one rep per call: every call after cover_arm() completes one
	 * rep (WITHDRAW_MEMORY: plus the last, which finds nothing left)
	 */
	snprintf(rule, sizeof(rule), "max_reps %#x 1", cc->code);
	c.rule = rule;
	code0 = mshv_dbg_hypercall_get(cc->code);
	ret = cc->run(&c);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	code2 = mshv_dbg_hypercall_get(cc->code);
	EXPECT_EQ(0, ret) TH_LOG("%s max_reps", cc->name);
	EXPECT_EQ(code1.reps, code2.reps - code0.reps) TH_LOG("%s", cc->name);
	EXPECT_EQ(armed_reps + (cc->code == HVCALL_WITHDRAW_MEMORY),
		  code2.calls - c.armed.calls) TH_LOG("%s", cc->name);
}

/* Every code of the table; each workload builds its own partitions */
TEST_F(inject, every_driver_hypercall)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cover_cases); i++) {
		if (cover_cases[i].run == w_cpu1 && access(CPU1_ONLINE, W_OK)) {
			TH_LOG("%s: no CPU 1 to take offline", cover_cases[i].name);
			continue;
		}
		TH_LOG("%s", cover_cases[i].name);
		cover_one(_metadata, &cover_cases[i]);
		if (!__test_passed(_metadata))
			break;
	}
}

/*
 * A VP whose creation fails half-way is deleted even when DELETE_VP needs
 * memory: the ioctl fails with the later step's errno, DELETE_VP is
 * retried after one page, and the failed call withdraws every page it
 * deposited.
 */
TEST_F(inject, delete_vp_after_failed_create)
{
	struct mshv_hc_count del = mshv_dbg_hypercall_get(HVCALL_DELETE_VP);
	struct mshv_hc_count dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	struct mshv_dbg_partition before, after;
	struct mshv_vp *vp;

	before = mshv_dbg_partition_get(self->id);
	ASSERT_EQ(0, mshv_dbg_inject("fail 0xe1 1 0x5"));
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x4f 1 0xb"));
	EXPECT_EQ(-1, __mshv_create_vp(self->vm->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(2, delta_calls(del, HVCALL_DELETE_VP));
	/* The VP's 90 pages, then one for DELETE_VP */
	EXPECT_EQ(2, delta_calls(dep, HVCALL_DEPOSIT_MEMORY));
	EXPECT_EQ(VP_DEPOSIT + 1, delta_reps(dep, HVCALL_DEPOSIT_MEMORY));
	/* ... and the failed call withdrew all of them again */
	after = mshv_dbg_partition_get(self->id);
	EXPECT_EQ(before.pool_pages, after.pool_pages);
	EXPECT_EQ(before.pool_pages - before.pool_free,
		  after.pool_pages - after.pool_free);
	/* No VP is left behind: the index can be created */
	vp = mshv_vp_create(self->vm, 0);
	mshv_vp_free(vp);
}

/*
 * The root SynIC setup of a CPU coming online fails: the CPU stays
 * offline and its SynIC is left as offline put it; the next attempt
 * works.
 */
TEST_F(inject, cpu_online_failure)
{
	struct synic_cpu cpu0, off;
	__u64 online;

	if (access(CPU1_ONLINE, W_OK))
		SKIP(return, "no CPU 1 to take offline");
	cpu0 = synic_cpu_get(0);
	ASSERT_EQ(0, mshv_write_file(CPU1_ONLINE, "0"));
	off = synic_cpu_get(1);
	EXPECT_EQ(0, off.scontrol);
	EXPECT_EQ(0, off.simp);

	/* SINT5, the second write of the setup, is refused */
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x51 2 0x5"));
	EXPECT_EQ(-1, mshv_write_file(CPU1_ONLINE, "1"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mshv_read_u64_file(CPU1_ONLINE, &online));
	EXPECT_EQ(0, online);
	EXPECT_TRUE(synic_cpu_eq(off, synic_cpu_get(1)));

	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	ASSERT_EQ(0, mshv_write_file(CPU1_ONLINE, "1"));
	EXPECT_TRUE(synic_cpu_eq(cpu0, synic_cpu_get(1)));
}

/*
 * GET_SYSTEM_PROPERTY is issued only at module load: mshv_root is loaded
 * again (the test VM's initramfs keeps its .ko in /modules) with the
 * call failed, and always put back as it was.
 */
#define MSHV_ROOT_KO	"/modules/mshv_root.ko"
#define MSHV_ROOT_SYSFS	"/sys/module/mshv_root"

/* Load mshv_root.ko; @pin: the pin_regions parameter it had */
static int root_load(bool pin)
{
	const char *params = pin ? "pin_regions=1" : "";
	int fd = open(MSHV_ROOT_KO, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int root_unload(void)
{
	return syscall(__NR_delete_module, "mshv_root", O_NONBLOCK) ? -errno : 0;
}

FIXTURE(reload)
{
	bool pin;
};

FIXTURE_SETUP(reload)
{
	if (mshv_dbg_inject("clear"))
		SKIP(return, "no hvsim debugfs: not running on hvsim");
	if (access(MSHV_ROOT_KO, R_OK) || access(MSHV_ROOT_SYSFS, F_OK))
		SKIP(return, "no loaded mshv_root and %s to load again",
		     MSHV_ROOT_KO);
	self->pin = mshv_pin_regions();
}

FIXTURE_TEARDOWN(reload)
{
	mshv_dbg_inject("clear");
	/* Whatever failed, the tests after this one get the driver back */
	if (access(MSHV_ROOT_SYSFS, F_OK) && !access(MSHV_ROOT_KO, R_OK))
		MSHV_TEST_ASSERT(!root_load(self->pin),
				 "mshv_root cannot be loaded again");
}

/*
 * Loading with GET_SYSTEM_PROPERTY failed: INSUFFICIENT_MEMORY makes the
 * load deposit into the root and retry; another status fails the load
 * with that status's errno, unwinding everything (kmemleak, and the next
 * load, check that); then the driver loads as it was and works.
 */
TEST_F(reload, get_system_property)
{
	struct mshv_hc_count gsp0, dep0, gsp1, dep1;

	ASSERT_EQ(0, root_unload());
	gsp0 = mshv_dbg_hypercall_get(HVCALL_GET_SYSTEM_PROPERTY);
	dep0 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x7b 1 0xb"));
	EXPECT_EQ(0, root_load(self->pin));
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	gsp1 = mshv_dbg_hypercall_get(HVCALL_GET_SYSTEM_PROPERTY);
	dep1 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	EXPECT_EQ(2, gsp1.calls - gsp0.calls);
	EXPECT_EQ(1, dep1.calls - dep0.calls);
	ASSERT_EQ(0, access(MSHV_ROOT_SYSFS, F_OK));

	ASSERT_EQ(0, root_unload());
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x7b 1 0x5"));
	EXPECT_EQ(-EINVAL, root_load(self->pin));
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	EXPECT_EQ(gsp1.calls + 1,
		  mshv_dbg_hypercall_get(HVCALL_GET_SYSTEM_PROPERTY).calls);
	EXPECT_NE(0, access(MSHV_ROOT_SYSFS, F_OK));
	EXPECT_NE(0, access("/dev/mshv", F_OK));

	ASSERT_EQ(0, root_load(self->pin));
	EXPECT_EQ(self->pin, mshv_pin_regions());
	mshv_vm_free(mshv_vm_create());
}

TEST_HARNESS_MAIN
