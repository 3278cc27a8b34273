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
 *  - ring3: a guest kernel goes to CPL 3 with IRETQ; its user code makes a
 *    SYSCALL the kernel answers with SYSRET, takes a #PF the kernel's
 *    handler fixes (on the TSS's RSP0 stack) and returns from, and a #UD
 *    through an IST gate; the kernel records what it saw (selectors and
 *    stack pointers pushed, RCX/R11, error code, CR2, counts) for the
 *    test.
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

/*
 * ring3: Linux's GDT layout (kernel CS 0x08, DS 0x10; user CS32 0x18, DS
 * 0x20, CS 0x28), the 64-bit TSS with RSP0 and IST1 (both 8 bytes above
 * a 16-byte boundary, which delivery aligns down), an IDT with #UD on
 * IST1 and #PF, and a results page the guest kernel writes.
 */
#define R3_TSS_GPA	0x3000ULL
#define R3_IDT_GPA	0x4000ULL
#define R3_RES_GPA	0x5000ULL
#define R3_KSTACK	0x7000ULL
#define R3_RSP0		0x9008ULL
#define R3_IST1		0xA008ULL
#define R3_USTACK	0xC000ULL
#define R3_FAULT_GVA	0xD000ULL
#define R3_PTE_SLOT	0x100	/* in the results page: the GPA of the PTE */
#define R3_STAR		((0x18ULL << 48) | (0x08ULL << 32))
#define R3_SFMASK	0x700ULL	/* TF, IF, DF */

/* Offsets in the results page */
enum {
	R3_SYS_RCX = 0x00, R3_SYS_R11 = 0x08, R3_SYS_CS = 0x10,
	R3_SYS_SS = 0x18, R3_SYS_RFLAGS = 0x20, R3_SYS_COUNT = 0x28,
	R3_PF_RSP = 0x30, R3_PF_ERR = 0x38, R3_PF_CS = 0x40,
	R3_PF_USER_RSP = 0x48, R3_PF_SS = 0x50, R3_PF_CR2 = 0x58,
	R3_PF_COUNT = 0x60, R3_UD_RSP = 0x68, R3_UD_CS = 0x70,
	R3_UD_USER_RSP = 0x78, R3_UD_SS = 0x80, R3_UD_COUNT = 0x88,
};

MSHV_GUEST_CODE(ring3_code, 64,
		/* CPL 0: IRETQ to the user code at CPL 3, IF set */
		"	pushq $0x23\n"
		"	pushq $0xC000\n"
		"	pushq $0x202\n"
		"	pushq $0x2B\n"
		"	lea ring3_user(%rip), %rax\n"
		"	pushq %rax\n"
		"	iretq\n"
		"ring3_user:\n"
		"	mov $0x1234, %eax\n"
		"	syscall\n"
		"ring3_after_syscall:\n"
		"	mov %rax, 0xB000\n"
		"	mov %cs, %ebx\n"
		"	mov %rbx, 0xB008\n"
		"	movq $0x55, 0xD000\n"
		"	ud2\n"
		"	mov $99, %eax\n"
		"	syscall\n"
		/* SYSCALL: CPL 0, still on the user's stack */
		"ring3_syscall:\n"
		"	pushfq\n"
		"	popq 0x5020\n"
		"	cmp $99, %eax\n"
		"	je ring3_done\n"
		"	mov %rcx, 0x5000\n"
		"	mov %r11, 0x5008\n"
		"	mov %cs, %edx\n"
		"	mov %rdx, 0x5010\n"
		"	mov %ss, %edx\n"
		"	mov %rdx, 0x5018\n"
		"	incl 0x5028\n"
		"	mov $0x4321, %eax\n"
		"	sysretq\n"
		"ring3_done:\n"
		"	out %al, $" MSHV_GUEST_STR(REPORT_PORT) "\n"
		"	hlt\n"
		/* #PF on RSP0: make the page present, return to retry */
		"ring3_pf:\n"
		"	mov %rsp, 0x5030\n"
		"	push %rax\n"
		"	mov 8(%rsp), %rax\n"
		"	mov %rax, 0x5038\n"
		"	mov 24(%rsp), %rax\n"
		"	mov %rax, 0x5040\n"
		"	mov 40(%rsp), %rax\n"
		"	mov %rax, 0x5048\n"
		"	mov 48(%rsp), %rax\n"
		"	mov %rax, 0x5050\n"
		"	mov %cr2, %rax\n"
		"	mov %rax, 0x5058\n"
		"	mov 0x5100, %rax\n"
		"	orq $1, (%rax)\n"
		"	invlpg 0xD000\n"
		"	incl 0x5060\n"
		"	pop %rax\n"
		"	add $8, %rsp\n"
		"	iretq\n"
		/* #UD on IST1: skip the UD2 */
		"ring3_ud:\n"
		"	mov %rsp, 0x5068\n"
		"	push %rax\n"
		"	mov 16(%rsp), %rax\n"
		"	mov %rax, 0x5070\n"
		"	mov 32(%rsp), %rax\n"
		"	mov %rax, 0x5078\n"
		"	mov 40(%rsp), %rax\n"
		"	mov %rax, 0x5080\n"
		"	addq $2, 8(%rsp)\n"
		"	incl 0x5088\n"
		"	pop %rax\n"
		"	iretq\n");
MSHV_GUEST_LABEL(ring3_after_syscall);
MSHV_GUEST_LABEL(ring3_syscall);
MSHV_GUEST_LABEL(ring3_done);
MSHV_GUEST_LABEL(ring3_pf);
MSHV_GUEST_LABEL(ring3_ud);

/* A 64-bit interrupt gate to @handler in CS 0x08, with IST @ist */
static void ring3_gate(struct mshv_vm *vm, unsigned int vector,
		       __u64 handler, unsigned int ist)
{
	__u64 gate[2];

	gate[0] = (handler & 0xFFFF) | (0x08ULL << 16) | ((__u64)ist << 32) |
		  (0x8EULL << 40) | (((handler >> 16) & 0xFFFF) << 48);
	gate[1] = handler >> 32;
	mshv_vm_write(vm, R3_IDT_GPA + vector * 16, gate, sizeof(gate));
}

static __u64 ring3_res(struct mshv_vm *vm, unsigned int off)
{
	__u64 v;

	memcpy(&v, (const __u8 *)vm->mem + R3_RES_GPA + off, sizeof(v));
	return v;
}

TEST_F(longmode, ring3)
{
	static const __u64 gdt[6] = {
		0,
		0x00AF9B000000FFFFULL,	/* 0x08 kernel code, 64-bit */
		0x00CF93000000FFFFULL,	/* 0x10 kernel data */
		0x00CFFB000000FFFFULL,	/* 0x18 user code, 32-bit */
		0x00CFF3000000FFFFULL,	/* 0x20 user data */
		0x00AFFB000000FFFFULL,	/* 0x28 user code, 64-bit */
	};
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_GDTR,
		  .value.table = { .limit = sizeof(gdt) - 1,
				   .base = GDT_GPA } },
		{ .name = HV_X64_REGISTER_IDTR,
		  .value.table = { .limit = 0xFFF, .base = R3_IDT_GPA } },
		{ .name = HV_X64_REGISTER_TR,
		  .value.segment = { .base = R3_TSS_GPA, .limit = 0x67,
				     .selector = 0x30, .attributes = 0x8B } },
		{ .name = HV_X64_REGISTER_EFER, .value.reg64 = 0xD01 },
		{ .name = HV_X64_REGISTER_STAR, .value.reg64 = R3_STAR },
		{ .name = HV_X64_REGISTER_LSTAR,
		  .value.reg64 = CODE_GPA +
				 MSHV_GUEST_OFFSET(ring3_code, ring3_syscall) },
		{ .name = HV_X64_REGISTER_SFMASK, .value.reg64 = R3_SFMASK },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = R3_KSTACK },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	static const __u64 user_pages[] = { CODE_GPA, 0xB000, R3_FAULT_GVA };
	const struct hv_x64_io_port_intercept_message *io;
	const __u8 *mem = self->vm->mem;
	__u64 *e, pte_gpa;
	unsigned int i, level;

	mshv_vm_write(self->vm, CODE_GPA, ring3_code,
		      MSHV_GUEST_SIZE(ring3_code));
	mshv_vm_write(self->vm, GDT_GPA, gdt, sizeof(gdt));
	mshv_vm_write(self->vm, R3_TSS_GPA + 4, &(__u64){ R3_RSP0 }, 8);
	mshv_vm_write(self->vm, R3_TSS_GPA + 36, &(__u64){ R3_IST1 }, 8);
	ring3_gate(self->vm, 6, CODE_GPA +
		   MSHV_GUEST_OFFSET(ring3_code, ring3_ud), 1);
	ring3_gate(self->vm, 14, CODE_GPA +
		   MSHV_GUEST_OFFSET(ring3_code, ring3_pf), 0);
	/* user pages: U/S on the whole walk; the fault page not present */
	for (i = 0; i < ARRAY_SIZE(user_pages); i++)
		for (level = 1; level <= 4; level++)
			*mshv_paging_entry(&self->pg, user_pages[i], level) |=
				MSHV_PTE_US;
	e = mshv_paging_entry(&self->pg, R3_FAULT_GVA, 1);
	*e &= ~MSHV_PTE_P;
	pte_gpa = (__u64)((const __u8 *)e - mem);
	mshv_vm_write(self->vm, R3_RES_GPA + R3_PTE_SLOT, &pte_gpa, 8);
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));

	io = mshv_vp_run_expect_io(self->vp);
	EXPECT_EQ(REPORT_PORT, io->port_number);
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(ring3_code, ring3_done),
		  io->header.rip);
	/* the final SYSCALL: CPL 0 */
	EXPECT_EQ(HV_X64_EXEC_STATE_CR0_PE | HV_X64_EXEC_STATE_EFER_LMA,
		  io->header.execution_state);

	/* SYSCALL: RCX, R11 (IF set by the IRETQ), flat CS/SS, IF masked */
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(ring3_code, ring3_after_syscall),
		  ring3_res(self->vm, R3_SYS_RCX));
	EXPECT_EQ(0x202ULL, ring3_res(self->vm, R3_SYS_R11));
	EXPECT_EQ(0x08ULL, ring3_res(self->vm, R3_SYS_CS));
	EXPECT_EQ(0x10ULL, ring3_res(self->vm, R3_SYS_SS));
	EXPECT_EQ(0x2ULL, ring3_res(self->vm, R3_SYS_RFLAGS));
	EXPECT_EQ(1ULL, ring3_res(self->vm, R3_SYS_COUNT));
	/* back at CPL 3 with the kernel's RAX, in CS 0x2B */
	EXPECT_EQ(0x4321ULL, *(const __u64 *)(mem + 0xB000));
	EXPECT_EQ(0x2BULL, *(const __u64 *)(mem + 0xB008));

	/* #PF: on RSP0 aligned to 16, user CS/SS/RSP pushed, W|U */
	EXPECT_EQ((R3_RSP0 & ~0xFULL) - 48, ring3_res(self->vm, R3_PF_RSP));
	EXPECT_EQ(0x6ULL, ring3_res(self->vm, R3_PF_ERR));
	EXPECT_EQ(0x2BULL, ring3_res(self->vm, R3_PF_CS));
	EXPECT_EQ(R3_USTACK, ring3_res(self->vm, R3_PF_USER_RSP));
	EXPECT_EQ(0x23ULL, ring3_res(self->vm, R3_PF_SS));
	EXPECT_EQ(R3_FAULT_GVA, ring3_res(self->vm, R3_PF_CR2));
	EXPECT_EQ(1ULL, ring3_res(self->vm, R3_PF_COUNT));
	/* the store retried after the fix and went through */
	EXPECT_EQ(0x55ULL, *(const __u64 *)(mem + R3_FAULT_GVA));
	EXPECT_EQ(R3_FAULT_GVA | MSHV_PTE_P | MSHV_PTE_RW | MSHV_PTE_US |
		  MSHV_PTE_A | MSHV_PTE_D, *e);

	/* #UD: on IST1 aligned to 16, from CPL 3 */
	EXPECT_EQ((R3_IST1 & ~0xFULL) - 40, ring3_res(self->vm, R3_UD_RSP));
	EXPECT_EQ(0x2BULL, ring3_res(self->vm, R3_UD_CS));
	EXPECT_EQ(R3_USTACK, ring3_res(self->vm, R3_UD_USER_RSP));
	EXPECT_EQ(0x23ULL, ring3_res(self->vm, R3_UD_SS));
	EXPECT_EQ(1ULL, ring3_res(self->vm, R3_UD_COUNT));

	/* the VP: CPL 0 from SYSCALL, on the user's stack */
	EXPECT_EQ(R3_USTACK, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
	EXPECT_EQ(R3_STAR, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_STAR));
	mshv_vp_skip_insn(self->vp, &io->header);
	mshv_vp_run_expect_halt(self->vp);
}

TEST_HARNESS_MAIN
