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
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

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

/* mov ax, 0x2000; mov ds, ax; mov al, [0]; hlt: reads GPA 0x20000 */
static const __u8 hole_code[] = {
	0xb8, 0x00, 0x20, 0x8e, 0xd8, 0xa0, 0x00, 0x00, 0xf4,
};

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
	mshv_vm_write(vm, CODE_GPA, hole_code, sizeof(hole_code));
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

TEST_HARNESS_MAIN
