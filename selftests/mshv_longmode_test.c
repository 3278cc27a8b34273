// SPDX-License-Identifier: GPL-2.0-only
/*
 * 64-bit guests: the VMM builds 4-level page tables (4 KiB and 2 MiB
 * pages), a GDT and the long-mode register state (lib/mshv_paging.c).
 *
 *  - rep_stosq: the guest fills 64 KiB across 4 KiB pages and a 2 MiB page
 *    with REP STOSQ and reports with OUT; the VMM checks the memory byte
 *    by byte through its own mapping, RCX and RDI, and the accessed and
 *    dirty bits the walk set in the guest's page-table entries.
 *  - unmapped_store: a store through a present guest mapping to a GPA the
 *    partition has no memory at is an UNMAPPED_GPA intercept with the
 *    GPA, the GVA (valid), access type WRITE, and RIP at the store.
 */
#include <string.h>

#include "mshv_test.h"
#include "mshv_paging.h"

#define MEM_SIZE	0x400000ULL	/* 4 MiB of guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL
#define GDT_GPA		0x2000ULL
#define TABLES_GPA	0x10000ULL
#define TABLES_SIZE	0x10000ULL

/* 64 KiB straddling the 4 KiB pages of 0-2 MiB and the 2 MiB page above */
#define FILL_GVA	0x1F8000ULL
#define FILL_SIZE	0x10000ULL
#define FILL_VALUE	0x1122334455667788ULL

/* A 4 KiB guest page whose GPA is outside the partition's memory */
#define HOLE_GVA	0x600000ULL
#define HOLE_GPA	0x800000ULL
#define HOLE_OFF	0x123ULL

#define REPORT_PORT	0x80

FIXTURE(longmode)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct mshv_paging pg;
};

FIXTURE_SETUP(longmode)
{
	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->vp = mshv_vp_create(self->vm, 0);
	mshv_paging_init(&self->pg, self->vm, TABLES_GPA, TABLES_SIZE);
	/* identity: 0-2 MiB in 4 KiB pages, 2-4 MiB in one 2 MiB page */
	mshv_paging_map(&self->pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_SIZE);
	mshv_paging_map(&self->pg, MSHV_PAGE_2M, MSHV_PAGE_2M, MSHV_PAGE_2M,
			MSHV_PAGE_2M);
	mshv_paging_map(&self->pg, HOLE_GVA, HOLE_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vp_enter_long_mode(self->vp, &self->pg, GDT_GPA);
}

FIXTURE_TEARDOWN(longmode)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

MSHV_GUEST_CODE(stosq_code, 64,
		"	rep stosq\n"
		"stosq_out:\n"
		"	out %al, $" MSHV_GUEST_STR(REPORT_PORT) "\n"
		"	hlt\n");
MSHV_GUEST_LABEL(stosq_out);

TEST_F(longmode, rep_stosq)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = FILL_VALUE },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = FILL_SIZE / 8 },
		{ .name = HV_X64_REGISTER_RDI, .value.reg64 = FILL_GVA },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	const struct hv_x64_io_port_intercept_message *io;
	const __u8 *mem = self->vm->mem;
	__u64 i, bad = 0, *e;

	mshv_vm_write(self->vm, CODE_GPA, stosq_code,
		      MSHV_GUEST_SIZE(stosq_code));
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));

	io = mshv_vp_run_expect_io(self->vp);
	EXPECT_EQ(REPORT_PORT, io->port_number);
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(stosq_code, stosq_out),
		  io->header.rip);
	EXPECT_EQ(HV_X64_EXEC_STATE_CR0_PE | HV_X64_EXEC_STATE_EFER_LMA,
		  io->header.execution_state);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RCX));
	EXPECT_EQ(FILL_GVA + FILL_SIZE,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RDI));

	/* identity-mapped: the bytes are at GPA == GVA, nothing around them */
	for (i = 0; i < FILL_SIZE; i++)
		if (mem[FILL_GVA + i] != (__u8)(FILL_VALUE >> (i % 8 * 8)))
			bad++;
	EXPECT_EQ(0ULL, bad);
	for (i = 1; i <= 64; i++) {
		EXPECT_EQ(0, mem[FILL_GVA - i]);
		EXPECT_EQ(0, mem[FILL_GVA + FILL_SIZE + i - 1]);
	}

	/* accessed on every level of the walk, dirty on the written leaves */
	e = mshv_paging_entry(&self->pg, FILL_GVA, 4);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(MSHV_PTE_A, *e & (MSHV_PTE_A | MSHV_PTE_D));
	e = mshv_paging_entry(&self->pg, FILL_GVA, 3);
	EXPECT_EQ(MSHV_PTE_A, *e & (MSHV_PTE_A | MSHV_PTE_D));
	e = mshv_paging_entry(&self->pg, FILL_GVA, 2);
	EXPECT_EQ(MSHV_PTE_A, *e & (MSHV_PTE_A | MSHV_PTE_D));
	for (i = FILL_GVA; i < MSHV_PAGE_2M; i += MSHV_PAGE_SIZE) {
		e = mshv_paging_entry(&self->pg, i, 1);
		EXPECT_EQ(MSHV_PTE_A | MSHV_PTE_D,
			  *e & (MSHV_PTE_A | MSHV_PTE_D)) {
			TH_LOG("PTE of GVA %#llx: %#llx",
			       (unsigned long long)i, (unsigned long long)*e);
		}
	}
	/* the 2 MiB leaf */
	e = mshv_paging_entry(&self->pg, MSHV_PAGE_2M, 2);
	EXPECT_EQ(MSHV_PAGE_2M | MSHV_PTE_P | MSHV_PTE_RW | MSHV_PTE_PS |
		  MSHV_PTE_A | MSHV_PTE_D, *e);
	/* the code page was only fetched from; the page before was untouched */
	e = mshv_paging_entry(&self->pg, CODE_GPA, 1);
	EXPECT_EQ(CODE_GPA | MSHV_PTE_P | MSHV_PTE_RW | MSHV_PTE_A, *e);
	e = mshv_paging_entry(&self->pg, FILL_GVA - MSHV_PAGE_SIZE, 1);
	EXPECT_EQ((FILL_GVA - MSHV_PAGE_SIZE) | MSHV_PTE_P | MSHV_PTE_RW, *e);

	/* the OUT was not retired: skip it, then the guest halts */
	mshv_vp_skip_insn(self->vp, &io->header);
	mshv_vp_run_expect_halt(self->vp);
}

MSHV_GUEST_CODE(store_code, 64,
		"	nop\n"
		"store_insn:\n"
		"	mov %rax, (%rdi)\n"
		"store_hlt:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(store_insn);
MSHV_GUEST_LABEL(store_hlt);
#define STORE_GPA	(CODE_GPA + MSHV_GUEST_OFFSET(store_code, store_insn))

TEST_F(longmode, unmapped_store)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = FILL_VALUE },
		{ .name = HV_X64_REGISTER_RDI,
		  .value.reg64 = HOLE_GVA + HOLE_OFF },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
	};
	const struct hv_x64_memory_intercept_message *m;
	struct hv_message *msg;

	mshv_vm_write(self->vm, CODE_GPA, store_code,
		      MSHV_GUEST_SIZE(store_code));
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));

	msg = mshv_vp_run(self->vp);
	mshv_expect_msg_type(msg, HVMSG_UNMAPPED_GPA);
	m = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(HOLE_GPA + HOLE_OFF, m->guest_physical_address);
	EXPECT_EQ(HOLE_GVA + HOLE_OFF, m->guest_virtual_address);
	EXPECT_EQ(HV_X64_MEMORY_ACCESS_GVA_VALID,
		  m->memory_access_info & HV_X64_MEMORY_ACCESS_GVA_VALID);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, m->header.intercept_access_type);
	EXPECT_EQ(MSHV_GUEST_OFFSET(store_insn, store_hlt),
		  m->instruction_byte_count);
	EXPECT_EQ(0, memcmp(m->instruction_bytes, store_insn,
			    MSHV_GUEST_OFFSET(store_insn, store_hlt)));
	/* not retired: RIP is at the store, in the message and in the VP */
	EXPECT_EQ(STORE_GPA, m->header.rip);
	EXPECT_EQ(STORE_GPA, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	EXPECT_EQ(HOLE_GVA + HOLE_OFF,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RDI));
	/* the walk reached the leaf but set no dirty bit for a failed store */
	EXPECT_EQ(0ULL, *mshv_paging_entry(&self->pg, HOLE_GVA, 1) &
			MSHV_PTE_D);
}

TEST_HARNESS_MAIN
