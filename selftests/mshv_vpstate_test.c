// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSHV_GET_VP_STATE / MSHV_SET_VP_STATE: the size written back in buf_sz,
 * byte-exact round trips of the five state types (also from one VP to
 * another), and the coherence of the register page with
 * GET/SET_VP_REGISTERS across runs.  The refused arguments are rows of
 * mshv_bad_input_test.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"

#define MEM_SIZE	0x10000ULL
#define CODE_GPA	0x1000ULL
#define COM1		0x3f8
#define BUF_SIZE	(4 * MSHV_PAGE_SIZE)

/* Sizes of the state types that do not depend on the partition */
#define LAPIC_SIZE	4096U
#define SYNIC_PAGE_SIZE	4096U
#define TIMERS_SIZE	200U
/* The meaningful prefix of the LAPIC page */
#define LAPIC_STATE_SIZE \
	((unsigned int)sizeof(struct hv_local_interrupt_controller_state))

FIXTURE(vpstate)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct mshv_vp *vp1;
	__u8 *buf;	/* BUF_SIZE bytes, page aligned */
	__u8 *buf2;
	__u32 xsave_size;
};

FIXTURE_SETUP(vpstate)
{
	self->vm = mshv_vm_create();
	self->vp = mshv_vp_create(self->vm, 0);
	self->vp1 = mshv_vp_create(self->vm, 1);
	self->buf = mshv_alloc_host_memory(BUF_SIZE);
	self->buf2 = mshv_alloc_host_memory(BUF_SIZE);
	self->xsave_size =
		mshv_get_partition_property(self->vm->fd,
					    HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE);
	ASSERT_NE(0U, self->xsave_size);
	ASSERT_GE(BUF_SIZE, self->xsave_size);
}

FIXTURE_TEARDOWN(vpstate)
{
	munmap(self->buf, BUF_SIZE);
	munmap(self->buf2, BUF_SIZE);
	mshv_vp_free(self->vp1);
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

static int vp_state(int vp_fd, unsigned long cmd, __u8 type, void *buf,
		    __u32 buf_sz, __u32 *size_out)
{
	struct mshv_get_set_vp_state args = {
		.type = type,
		.buf_sz = buf_sz,
		.buf_ptr = (__u64)(unsigned long)buf,
	};
	int ret;

	ret = ioctl(vp_fd, cmd, &args);
	if (size_out)
		*size_out = args.buf_sz;
	return ret;
}

static __u32 state_size(__u32 xsave_size, __u8 type)
{
	switch (type) {
	case MSHV_VP_STATE_LAPIC:
		return LAPIC_SIZE;
	case MSHV_VP_STATE_XSAVE:
		return xsave_size;
	case MSHV_VP_STATE_SIMP:
	case MSHV_VP_STATE_SIEFP:
		return SYNIC_PAGE_SIZE;
	default:
		return TIMERS_SIZE;
	}
}

/* The size each type needs comes back in buf_sz, whatever was given */
TEST_F(vpstate, size_written_back)
{
	__u32 size;
	__u8 type;

	for (type = 0; type < MSHV_VP_STATE_COUNT; type++) {
		size = 0;
		EXPECT_EQ(0, vp_state(self->vp->fd, MSHV_GET_VP_STATE, type,
				      self->buf, BUF_SIZE, &size))
			TH_LOG("type %u", type);
		EXPECT_EQ(state_size(self->xsave_size, type), size)
			TH_LOG("type %u", type);
		size = 0;
		EXPECT_EQ(0, vp_state(self->vp->fd, MSHV_GET_VP_STATE, type,
				      self->buf, MSHV_PAGE_SIZE, &size))
			TH_LOG("type %u", type);
		EXPECT_EQ(state_size(self->xsave_size, type), size)
			TH_LOG("type %u", type);
		/* SET reports the size too (loading what GET returned) */
		size = 0;
		EXPECT_EQ(0, vp_state(self->vp->fd, MSHV_SET_VP_STATE, type,
				      self->buf, BUF_SIZE, &size))
			TH_LOG("type %u", type);
		EXPECT_EQ(state_size(self->xsave_size, type), size)
			TH_LOG("type %u", type);
	}
}

/*
 * A state to load: the VP's own state with recognisable changes in the
 * fields the hypervisor keeps as they are given.
 */
static void make_pattern(__u8 type, __u8 *buf, unsigned int seed)
{
	struct hv_local_interrupt_controller_state *lapic = (void *)buf;
	struct hv_synthetic_timers_state *timers = (void *)buf;
	unsigned int i;

	switch (type) {
	case MSHV_VP_STATE_LAPIC:
		lapic->apic_spurious = 0x1F0 | (seed & 0xF);
		lapic->apic_lvt_timer = 0x20040 + seed;
		lapic->apic_lvt_lint0 = 0x10700;
		lapic->apic_lvt_error = 0x50 + seed;
		lapic->apic_initial_count = 0x123400 + seed;
		lapic->apic_divide_configuration = 0xB;
		break;
	case MSHV_VP_STATE_XSAVE:
		/* XMM0-7 in the legacy area; SSE state in use */
		for (i = 160; i < 160 + 8 * 16; i++)
			buf[i] = (__u8)(i * 13 + seed);
		buf[512] |= 0x3;
		break;
	case MSHV_VP_STATE_SIMP:
	case MSHV_VP_STATE_SIEFP:
		for (i = 0; i < SYNIC_PAGE_SIZE; i++)
			buf[i] = (__u8)(i * 7 + seed + type);
		break;
	default:
		memset(timers, 0, sizeof(*timers));
		for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
			/* Periodic, vector 0x40 + i, SINT 2, not enabled */
			timers->timers[i].config = 0x2 | (0x40 + i) << 4 |
						   2ULL << 16;
			timers->timers[i].count = 100000ULL * (i + 1) + seed;
		}
		break;
	}
}

/* Bytes a round trip must preserve */
static __u32 compared_size(__u32 xsave_size, __u8 type)
{
	if (type == MSHV_VP_STATE_LAPIC)
		return LAPIC_STATE_SIZE;
	return state_size(xsave_size, type);
}

/* SET a changed state, GET it back, compare; then copy it to VP 1 */
TEST_F(vpstate, round_trip)
{
	__u8 type;

	for (type = 0; type < MSHV_VP_STATE_COUNT; type++) {
		__u32 cmp = compared_size(self->xsave_size, type);
		unsigned int seed;

		for (seed = 1; seed <= 2; seed++) {
			memset(self->buf, 0, BUF_SIZE);
			ASSERT_EQ(0, vp_state(self->vp->fd, MSHV_GET_VP_STATE,
					      type, self->buf, BUF_SIZE, NULL))
				TH_LOG("get type %u", type);
			make_pattern(type, self->buf, seed);
			ASSERT_EQ(0, vp_state(self->vp->fd, MSHV_SET_VP_STATE,
					      type, self->buf, BUF_SIZE, NULL))
				TH_LOG("set type %u", type);

			memset(self->buf2, 0xCC, BUF_SIZE);
			ASSERT_EQ(0, vp_state(self->vp->fd, MSHV_GET_VP_STATE,
					      type, self->buf2, BUF_SIZE,
					      NULL));
			EXPECT_EQ(0, memcmp(self->buf, self->buf2, cmp))
				TH_LOG("type %u seed %u differs", type, seed);
		}

		/* VP 0's state into VP 1, from a read-only buffer */
		ASSERT_EQ(0, mprotect(self->buf2, BUF_SIZE, PROT_READ));
		EXPECT_EQ(0, vp_state(self->vp1->fd, MSHV_SET_VP_STATE, type,
				      self->buf2, BUF_SIZE, NULL))
			TH_LOG("set VP 1 type %u", type);
		ASSERT_EQ(0, mprotect(self->buf2, BUF_SIZE,
				      PROT_READ | PROT_WRITE));
		memset(self->buf, 0xCC, BUF_SIZE);
		ASSERT_EQ(0, vp_state(self->vp1->fd, MSHV_GET_VP_STATE, type,
				      self->buf, BUF_SIZE, NULL));
		if (type == MSHV_VP_STATE_LAPIC) {
			/* The APIC id stays VP 1's own */
			memcpy(self->buf2, self->buf, sizeof(__u32));
		}
		EXPECT_EQ(0, memcmp(self->buf, self->buf2, cmp))
			TH_LOG("VP 1 type %u differs", type);
	}
}

/* A GET leaves the buffer beyond the state alone */
TEST_F(vpstate, get_writes_only_the_state)
{
	__u32 size = 0;

	memset(self->buf, 0x5A, BUF_SIZE);
	ASSERT_EQ(0, vp_state(self->vp->fd, MSHV_GET_VP_STATE,
			      MSHV_VP_STATE_SYNTHETIC_TIMERS, self->buf,
			      BUF_SIZE, &size));
	EXPECT_EQ(TIMERS_SIZE, size);
	EXPECT_EQ(0x5A, self->buf[TIMERS_SIZE]);
	EXPECT_EQ(0x5A, self->buf[BUF_SIZE - 1]);

	memset(self->buf, 0x5A, BUF_SIZE);
	ASSERT_EQ(0, vp_state(self->vp->fd, MSHV_GET_VP_STATE,
			      MSHV_VP_STATE_LAPIC, self->buf, BUF_SIZE,
			      &size));
	EXPECT_EQ(0x5A, self->buf[LAPIC_SIZE]);
	EXPECT_EQ(0x5A, self->buf[BUF_SIZE - 1]);
}

/*
 * The register page and GET/SET_VP_REGISTERS agree across runs, in both
 * directions.  The guest repeats OUT DX, AL; INC AX forever, so the RAX
 * an OUT reports shows whether the RIP written before the run (past the
 * previous OUT) was applied.
 */
MSHV_GUEST_CODE(out_inc_code, 16,
		"1:	out %al, %dx\n"
		"	inc %ax\n"
		"	jmp 1b\n");

TEST(register_page_coherence)
{
	struct hv_vp_register_page *page;
	const struct hv_x64_io_port_intercept_message *io;
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	unsigned int k;

	vm = mshv_vm_create();
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, CODE_GPA, out_inc_code,
		      MSHV_GUEST_SIZE(out_inc_code));
	vp = mshv_vp_create(vm, 0);
	page = mshv_mmap_vp_page(vp->fd, MSHV_VP_MMAP_OFFSET_REGISTERS);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RDX, COM1);

	for (k = 0; k < 8; k++) {
		__u64 via_page = 0x1100 + k, via_hvcall = 0x2200 + k;
		/* From the second round on, the INC runs before the OUT */
		__u64 inc = k ? 1 : 0;

		/* Page -> registers: RAX through the page, dirty GENERAL */
		ASSERT_NE(0, page->isvalid);
		page->rax = via_page;
		page->dirty |= BIT(HV_X64_REGISTER_CLASS_GENERAL);
		io = mshv_vp_run_expect_io(vp);
		EXPECT_EQ(CODE_GPA, io->header.rip);
		EXPECT_EQ(via_page + inc, io->rax);
		EXPECT_EQ(via_page + inc,
			  mshv_vp_get_reg(vp, HV_X64_REGISTER_RAX));
		EXPECT_EQ((__u64)COM1, mshv_vp_get_reg(vp, HV_X64_REGISTER_RDX));
		EXPECT_NE(0, page->isvalid);
		EXPECT_EQ(via_page + inc, page->rax);
		EXPECT_EQ((__u64)COM1, page->rdx);
		EXPECT_EQ(CODE_GPA, page->rip);
		EXPECT_EQ(0U, page->dirty);

		/* Past the OUT through the page (dirty IP) */
		page->rip = io->header.rip + 1;
		page->dirty |= BIT(HV_X64_REGISTER_CLASS_IP);

		/*
		 * Registers -> page: RAX with SET_VP_REGISTERS; a page value
		 * without its dirty bit is not applied.
		 */
		mshv_vp_set_reg(vp, HV_X64_REGISTER_RAX, via_hvcall);
		page->rax = 0xDEAD;
		io = mshv_vp_run_expect_io(vp);
		EXPECT_EQ(CODE_GPA, io->header.rip);
		EXPECT_EQ(via_hvcall + 1, io->rax);
		EXPECT_EQ(via_hvcall + 1, page->rax);
		EXPECT_EQ(CODE_GPA, page->rip);
		EXPECT_EQ(via_hvcall + 1,
			  mshv_vp_get_reg(vp, HV_X64_REGISTER_RAX));

		/* Past the OUT with SET_VP_REGISTERS */
		mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, io->header.rip + 1);
	}

	munmap(page, MSHV_PAGE_SIZE);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
}

TEST_HARNESS_MAIN
