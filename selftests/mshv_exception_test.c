// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest exceptions and NMIs (hvsim's interpreter delivers them through the
 * guest's IDT or IVT), observed through the guest's handlers (OUT), the
 * frames they leave on the guest stack and the intercept messages:
 *
 *  - a 64-bit guest's #PF handler reports CR2 and the error code, fixes
 *    the page-table entry and IRETQs: the load runs again and succeeds;
 *  - #GP(0) from a non-canonical address, #UD from UD2 (faults: the frame
 *    holds the RIP of the instruction) and #BP from INT3 (a trap: the RIP
 *    after it);
 *  - a faulting WRMSR is a #GP(0) the guest takes;
 *  - a SLAT miss while delivering is a memory intercept that changes
 *    nothing; once the VMM maps the page the guest takes the exception;
 *  - a real-mode guest takes #UD through its IVT;
 *  - an EXCEPTION intercept takes precedence: X64_EXCEPTION_INTERCEPT with
 *    the exact fields, nothing delivered, the instruction faults again on
 *    resume, and once removed the guest takes the exception;
 *  - #PF whose gate is not present: #DF; no IDT at all: triple fault,
 *    UNRECOVERABLE_EXCEPTION;
 *  - PENDING_INTERRUPTION injects an exception with an error code (and an
 *    NMI) before the next instruction and reads 0 after; invalid values
 *    are refused and change nothing;
 *  - an asserted NMI is taken with IF clear and blocks the next NMI until
 *    the handler's IRETQ (INTERRUPT_STATE.nmi_masked).
 */
#include <assert.h>
#include <string.h>

#include "mshv_test.h"
#include "mshv_paging.h"

#define MEM_SIZE	0x400000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL	/* main program */
#define GDT_GPA		0x2000ULL
#define IDT_GPA		0x3000ULL
#define HANDLER_GPA	0x4000ULL	/* + vector * HANDLER_SIZE */
#define HANDLER_SIZE	0x40ULL
#define STACK_TOP	0x9000ULL
#define TABLES_GPA	0x10000ULL
#define TABLES_SIZE	0x10000ULL

/* A 4 KiB page the #PF test takes away from the guest's page tables */
#define PF_GVA		0x100000ULL
#define PF_ADDR		(PF_GVA + 0x10)
#define PF_VALUE	0x5A5A5A5AU

#define VEC_NMI		2
#define VEC_BP		3
#define VEC_UD		6
#define VEC_DF		8
#define VEC_GP		13
#define VEC_PF		14

#define PI_PENDING	0x1ULL
#define PI_TYPE(t)	((__u64)(t) << 1)
#define PI_ERROR	0x10ULL
#define PI_VECTOR(v)	((__u64)(v) << 16)
#define PI_CODE(c)	((__u64)(c) << 32)

FIXTURE(exc)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct mshv_paging pg;
};

static __u64 handler_gpa(unsigned int vector)
{
	return HANDLER_GPA + vector * HANDLER_SIZE;
}

/* An interrupt gate for @vector, present or not */
static void set_gate(struct mshv_vm *vm, unsigned int vector, bool present)
{
	__u64 h = handler_gpa(vector);
	__u64 gate[2] = {
		(h & 0xFFFF) | ((__u64)MSHV_GDT_CODE64 << 16) |
		((present ? 0x8EULL : 0x0EULL) << 40) |
		(((h >> 16) & 0xFFFF) << 48),
		h >> 32,
	};

	mshv_vm_write(vm, IDT_GPA + vector * 16, gate, sizeof(gate));
}

FIXTURE_SETUP(exc)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_IDTR,
		  .value.table = { .limit = 0xFFF, .base = IDT_GPA } },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	unsigned int v;

	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->vp = mshv_vp_create(self->vm, 0);
	mshv_paging_init(&self->pg, self->vm, TABLES_GPA, TABLES_SIZE);
	mshv_paging_map(&self->pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_SIZE);
	mshv_paging_map(&self->pg, MSHV_PAGE_2M, MSHV_PAGE_2M, MSHV_PAGE_2M,
			MSHV_PAGE_2M);
	mshv_vp_enter_long_mode(self->vp, &self->pg, GDT_GPA);
	for (v = 0; v < 32; v++)
		set_gate(self->vm, v, true);
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));
}

FIXTURE_TEARDOWN(exc)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

/* Copy guest code [@code, @end) to @gpa */
static void load(struct mshv_vm *vm, __u64 gpa, const __u8 *code,
		 const __u8 *end)
{
	mshv_vm_write(vm, gpa, code, end - code);
}

static __u64 mem64(struct mshv_vm *vm, __u64 gpa)
{
	__u64 v;

	memcpy(&v, (__u8 *)vm->mem + gpa, sizeof(v));
	return v;
}

/* Run to an OUT to @port at @rip; returns the message */
static const struct hv_x64_io_port_intercept_message *
run_out(struct __test_metadata *_metadata, struct mshv_vp *vp, __u16 port,
	__u64 rip)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(port, io->port_number);
	EXPECT_EQ(rip, io->header.rip);
	return io;
}

/*
 * The 64-bit frame an exception pushed on STACK_TOP: error code (when
 * @err >= 0), RIP, CS, RFLAGS, RSP, SS
 */
static void check_frame(struct __test_metadata *_metadata, struct mshv_vm *vm,
			__u64 rip, long long err)
{
	__u64 sp = STACK_TOP - (err >= 0 ? 48 : 40);

	if (err >= 0) {
		EXPECT_EQ((__u64)err, mem64(vm, sp));
		sp += 8;
	}
	EXPECT_EQ(rip, mem64(vm, sp));
	EXPECT_EQ((__u64)MSHV_GDT_CODE64, mem64(vm, sp + 8));
	EXPECT_EQ(0x2ULL, mem64(vm, sp + 16));
	EXPECT_EQ(STACK_TOP, mem64(vm, sp + 24));
	EXPECT_EQ((__u64)MSHV_GDT_DATA, mem64(vm, sp + 32));
}

static void install_exception(struct mshv_vm *vm, unsigned int vector,
			      __u32 access)
{
	struct hv_input_install_intercept in = {
		.access_type = access,
		.intercept_type = HV_INTERCEPT_TYPE_EXCEPTION,
		.intercept_parameter = vector,
	};

	MSHV_TEST_ASSERT(!mshv_hvcall_status(vm->fd, HVCALL_INSTALL_INTERCEPT,
					     &in, sizeof(in)),
			 "INSTALL_INTERCEPT %u", vector);
}

static __u16 assert_nmi(struct mshv_vm *vm)
{
	return mshv_assert_interrupt(vm->fd, HV_X64_INTERRUPT_TYPE_NMI, 0, 0,
				     VEC_NMI);
}

/* Load from PF_ADDR */
MSHV_GUEST_CODE(pf_main, 64,
		"	movl 0x100010, %eax\n"
		"pf_main_out:\n"
		"	out %al, $0x81\n"
		"	hlt\n");
MSHV_GUEST_LABEL(pf_main_out);
static_assert(PF_ADDR == 0x100010, "pf_main loads from PF_ADDR");
#define PF_LOAD_LEN	MSHV_GUEST_OFFSET(pf_main, pf_main_out)

/* #PF handler: error code to RBX, CR2 to RAX, sets P in the PTE at [RDI] */
MSHV_GUEST_CODE(pf_handler, 64,
		"	pop %rbx\n"
		"	mov %cr2, %rax\n"
		"pf_handler_out:\n"
		"	out %al, $0x80\n"
		"	orq $1, (%rdi)\n"
		"	iretq\n");
MSHV_GUEST_LABEL(pf_handler_out);

/* Take PF_GVA away from the guest; RDI = the GPA of its PTE */
static __u64 *unmap_pf_page(struct mshv_vp *vp, struct mshv_paging *pg)
{
	__u64 *pte = mshv_paging_entry(pg, PF_GVA, 1);

	*pte &= ~MSHV_PTE_P;
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RDI,
			(__u64)((__u8 *)pte - (__u8 *)vp->vm->mem));
	return pte;
}

/* #PF: the handler reports CR2 and the error code, maps the page, IRETQ */
TEST_F(exc, page_fault)
{
	const struct hv_x64_io_port_intercept_message *io;
	__u32 value = PF_VALUE;
	__u64 *pte;

	load(self->vm, CODE_GPA, pf_main, pf_main_end);
	load(self->vm, handler_gpa(VEC_PF), pf_handler, pf_handler_end);
	mshv_vm_write(self->vm, PF_ADDR, &value, sizeof(value));
	pte = unmap_pf_page(self->vp, &self->pg);

	io = run_out(_metadata, self->vp, 0x80, handler_gpa(VEC_PF) +
		     MSHV_GUEST_OFFSET(pf_handler, pf_handler_out));
	EXPECT_EQ(PF_ADDR, io->rax);
	EXPECT_EQ(PF_ADDR, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_CR2));
	/* not present, read, supervisor */
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RBX));
	EXPECT_EQ(STACK_TOP - 40,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
	check_frame(_metadata, self->vm, CODE_GPA, 0);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RFLAGS) &
		  HV_X86_RFLAGS_IF);
	mshv_vp_skip_insn(self->vp, &io->header);

	/* the handler mapped the page: the load runs again and succeeds */
	io = run_out(_metadata, self->vp, 0x81, CODE_GPA + PF_LOAD_LEN);
	EXPECT_EQ(PF_VALUE, (__u32)io->rax);
	EXPECT_EQ(MSHV_PTE_P, *pte & MSHV_PTE_P);
	EXPECT_EQ(STACK_TOP, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
	mshv_vp_skip_insn(self->vp, &io->header);
	mshv_vp_run_expect_halt(self->vp);
}

/* #GP(0) from a non-canonical address; the handler skips the load */
/*
 * #GP handler: error code to RBX, OUT 0x82, return past the 2-byte
 * faulting instruction
 */
MSHV_GUEST_CODE(gp_handler, 64,
		"	pop %rbx\n"
		"gp_handler_out:\n"
		"	out %al, $0x82\n"
		"	addq $2, (%rsp)\n"
		"	iretq\n");
MSHV_GUEST_LABEL(gp_handler_out);
#define GP_HANDLER_OUT	(handler_gpa(VEC_GP) + \
			 MSHV_GUEST_OFFSET(gp_handler, gp_handler_out))

MSHV_GUEST_CODE(gp_main, 64,
		"	movabs $0x8000000000000000, %rax\n"
		"gp_main_load:\n"
		"	mov (%rax), %eax\n"
		"gp_main_out:\n"
		"	out %al, $0x83\n"
		"	hlt\n");
MSHV_GUEST_LABEL(gp_main_load);
MSHV_GUEST_LABEL(gp_main_out);

TEST_F(exc, gp_noncanonical)
{
	const struct hv_x64_io_port_intercept_message *io;

	load(self->vm, CODE_GPA, gp_main, gp_main_end);
	load(self->vm, handler_gpa(VEC_GP), gp_handler, gp_handler_end);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RBX, 0x77);

	io = run_out(_metadata, self->vp, 0x82, GP_HANDLER_OUT);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RBX));
	check_frame(_metadata, self->vm,
		    CODE_GPA + MSHV_GUEST_OFFSET(gp_main, gp_main_load), 0);
	mshv_vp_skip_insn(self->vp, &io->header);
	io = run_out(_metadata, self->vp, 0x83,
		     CODE_GPA + MSHV_GUEST_OFFSET(gp_main, gp_main_out));
	EXPECT_EQ(1ULL << 63, io->rax);
}

MSHV_GUEST_CODE(ud_main, 64,
		"	ud2\n"
		"ud_main_out:\n"
		"	out %al, $0x87\n"
		"	hlt\n");
MSHV_GUEST_LABEL(ud_main_out);

/* #UD handler: OUT 0x86, return past the UD2 */
MSHV_GUEST_CODE(ud_handler, 64,
		"	out %al, $0x86\n"
		"	addq $2, (%rsp)\n"
		"	iretq\n");

/* #UD from UD2: no error code */
TEST_F(exc, ud_ud2)
{
	const struct hv_x64_io_port_intercept_message *io;

	load(self->vm, CODE_GPA, ud_main, ud_main_end);
	load(self->vm, handler_gpa(VEC_UD), ud_handler, ud_handler_end);

	io = run_out(_metadata, self->vp, 0x86, handler_gpa(VEC_UD));
	check_frame(_metadata, self->vm, CODE_GPA, -1);
	EXPECT_EQ(STACK_TOP - 40,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
	mshv_vp_skip_insn(self->vp, &io->header);
	run_out(_metadata, self->vp, 0x87,
		CODE_GPA + MSHV_GUEST_OFFSET(ud_main, ud_main_out));
}

/* #BP from INT3 is a trap: the frame holds the RIP after it */
MSHV_GUEST_CODE(bp_main, 64,
		"	int3\n"
		"bp_main_out:\n"
		"	out %al, $0x85\n"
		"	hlt\n");
MSHV_GUEST_LABEL(bp_main_out);
#define BP_MAIN_OUT	(CODE_GPA + MSHV_GUEST_OFFSET(bp_main, bp_main_out))

MSHV_GUEST_CODE(bp_handler, 64,
		"	out %al, $0x84\n"
		"	iretq\n");

TEST_F(exc, bp_int3)
{
	const struct hv_x64_io_port_intercept_message *io;

	load(self->vm, CODE_GPA, bp_main, bp_main_end);
	load(self->vm, handler_gpa(VEC_BP), bp_handler, bp_handler_end);

	io = run_out(_metadata, self->vp, 0x84, handler_gpa(VEC_BP));
	check_frame(_metadata, self->vm, BP_MAIN_OUT, -1);
	mshv_vp_skip_insn(self->vp, &io->header);
	run_out(_metadata, self->vp, 0x85, BP_MAIN_OUT);
}

/* A faulting WRMSR (unknown MSR, FAULT action) is a #GP(0) the guest takes */
MSHV_GUEST_CODE(wrmsr_main, 64,
		"	wrmsr\n"
		"wrmsr_main_out:\n"
		"	out %al, $0x83\n"
		"	hlt\n");
MSHV_GUEST_LABEL(wrmsr_main_out);

TEST_F(exc, msr_gp)
{
	const struct hv_x64_io_port_intercept_message *io;

	load(self->vm, CODE_GPA, wrmsr_main, wrmsr_main_end);
	load(self->vm, handler_gpa(VEC_GP), gp_handler, gp_handler_end);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RCX, 0x12345678);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RBX, 0x77);

	io = run_out(_metadata, self->vp, 0x82, GP_HANDLER_OUT);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RBX));
	check_frame(_metadata, self->vm, CODE_GPA, 0);
	mshv_vp_skip_insn(self->vp, &io->header);
	run_out(_metadata, self->vp, 0x83,
		CODE_GPA + MSHV_GUEST_OFFSET(wrmsr_main, wrmsr_main_out));
}

/*
 * The stack is mapped by the guest but not by the VMM: delivering #UD is
 * an UNMAPPED_GPA intercept that changes nothing; once the VMM maps the
 * page, the UD2 faults again and the guest takes the #UD
 */
TEST_F(exc, slat_miss_during_delivery)
{
	const __u64 stack_gva = 0x600000, stack_gpa = 0x800000;
	const struct hv_x64_memory_intercept_message *m;
	struct hv_message *msg;
	struct mshv_vm_region *stack;
	__u64 frame[5];

	load(self->vm, CODE_GPA, ud_main, ud_main_end);
	load(self->vm, handler_gpa(VEC_UD), ud_handler, ud_handler_end);
	mshv_paging_map(&self->pg, stack_gva, stack_gpa, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RSP,
			stack_gva + MSHV_PAGE_SIZE);

	msg = mshv_vp_run(self->vp);
	mshv_expect_msg_type(msg, HVMSG_UNMAPPED_GPA);
	m = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(stack_gpa + MSHV_PAGE_SIZE - 40, m->guest_physical_address);
	EXPECT_EQ(stack_gva + MSHV_PAGE_SIZE - 40, m->guest_virtual_address);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, m->header.intercept_access_type);
	EXPECT_EQ(CODE_GPA, m->header.rip);
	EXPECT_EQ(CODE_GPA, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	EXPECT_EQ(stack_gva + MSHV_PAGE_SIZE,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));

	stack = mshv_vm_add_region(self->vm, stack_gpa, MSHV_PAGE_SIZE, NULL,
				   1 << MSHV_SET_MEM_BIT_WRITABLE);
	run_out(_metadata, self->vp, 0x86, handler_gpa(VEC_UD));
	mshv_vm_read(self->vm, stack_gpa + MSHV_PAGE_SIZE - 40, frame,
		     sizeof(frame));
	EXPECT_EQ(CODE_GPA, frame[0]);
	EXPECT_EQ((__u64)MSHV_GDT_CODE64, frame[1]);
	EXPECT_EQ(0x2ULL, frame[2]);
	EXPECT_EQ(stack_gva + MSHV_PAGE_SIZE, frame[3]);
	EXPECT_EQ((__u64)MSHV_GDT_DATA, frame[4]);
	mshv_vm_remove_region(self->vm, stack);
}

/* Real-mode #UD handler (at 0x3000): return past the UD2, OUT 0x90 */
MSHV_GUEST_CODE(rm_handler, 16,
		"	mov %sp, %bp\n"
		"	addw $2, (%bp)\n"
		"rm_handler_out:\n"
		"	out %al, $0x90\n"
		"	iret\n");
MSHV_GUEST_LABEL(rm_handler_out);

MSHV_GUEST_CODE(rm_main, 16,
		"	ud2\n"
		"rm_main_out:\n"
		"	out %al, $0x91\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(rm_main_out);
#define RM_MAIN_OUT	(CODE_GPA + MSHV_GUEST_OFFSET(rm_main, rm_main_out))

/* A real-mode guest takes #UD through its IVT */
TEST(real_mode_ivt)
{
	const __u16 ivt6[2] = { 0x3000, 0 };	/* 0000:3000 */
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = 0x8000 },
		{ .name = HV_X64_REGISTER_RFLAGS,
		  .value.reg64 = 0x2 | HV_X86_RFLAGS_IF },
	};
	const struct hv_x64_io_port_intercept_message *io;
	struct mshv_vm *vm = mshv_vm_create();
	struct mshv_vp *vp;
	__u16 frame[3];

	mshv_vm_add_memory(vm, 0, 0x100000);
	vp = mshv_vp_create(vm, 0);
	mshv_vm_write(vm, VEC_UD * 4, ivt6, sizeof(ivt6));
	load(vm, 0x3000, rm_handler, rm_handler_end);
	load(vm, CODE_GPA, rm_main, rm_main_end);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));

	io = run_out(_metadata, vp, 0x90,
		     0x3000 + MSHV_GUEST_OFFSET(rm_handler, rm_handler_out));
	EXPECT_EQ(0x7FFAULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RSP));
	/* IF is clear in the handler */
	EXPECT_EQ(0x2ULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RFLAGS));
	memcpy(frame, (__u8 *)vm->mem + 0x7FFA, sizeof(frame));
	EXPECT_EQ(RM_MAIN_OUT, frame[0]);	/* ud2's IP, plus 2 */
	EXPECT_EQ(0, frame[1]);
	EXPECT_EQ(0x2 | HV_X86_RFLAGS_IF, frame[2]);
	mshv_vp_skip_insn(vp, &io->header);
	io = run_out(_metadata, vp, 0x91, RM_MAIN_OUT);
	EXPECT_EQ(0x8000ULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RSP));
	EXPECT_EQ(0x2 | HV_X86_RFLAGS_IF,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_RFLAGS));
	mshv_vp_skip_insn(vp, &io->header);
	mshv_vp_run_expect_halt(vp);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
}

/* An EXCEPTION intercept for #UD takes precedence over delivering it */
TEST_F(exc, intercept_precedence)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = 0x1111 },
		{ .name = HV_X64_REGISTER_RBX, .value.reg64 = 0x2222 },
		{ .name = HV_X64_REGISTER_R15, .value.reg64 = 0x3333 },
	};
	const struct hv_x64_exception_intercept_message *m;
	struct hv_message *msg;
	unsigned int i;

	load(self->vm, CODE_GPA, ud_main, ud_main_end);
	load(self->vm, handler_gpa(VEC_UD), ud_handler, ud_handler_end);
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));
	install_exception(self->vm, VEC_UD, HV_INTERCEPT_ACCESS_MASK_EXECUTE);

	/* twice: on resume the UD2 runs again and faults again */
	for (i = 0; i < 2; i++) {
		msg = mshv_vp_run(self->vp);
		ASSERT_EQ(HVMSG_X64_EXCEPTION_INTERCEPT,
			  msg->header.message_type)
			TH_LOG("got %s",
			       mshv_msg_type_name(msg->header.message_type));
		EXPECT_EQ(240, msg->header.payload_size);
		m = (const void *)msg->u.payload_bytes;
		EXPECT_EQ(0U, m->header.vp_index);
		EXPECT_EQ(2, m->header.instruction_length_cr8 &
			  HV_X64_INSTRUCTION_LENGTH_MASK);
		EXPECT_EQ(HV_INTERCEPT_ACCESS_READ,
			  m->header.intercept_access_type);
		EXPECT_EQ(CODE_GPA, m->header.rip);
		EXPECT_EQ(MSHV_GDT_CODE64, m->header.cs_segment.selector);
		EXPECT_EQ(VEC_UD, m->exception_vector);
		EXPECT_EQ(0, m->exception_info);
		EXPECT_EQ(2, m->instruction_byte_count);
		EXPECT_EQ(0x0F, m->instruction_bytes[0]);
		EXPECT_EQ(0x0B, m->instruction_bytes[1]);
		EXPECT_EQ(0U, m->error_code);
		EXPECT_EQ(0ULL, m->exception_parameter);
		EXPECT_EQ(MSHV_GDT_DATA, m->ss_segment.selector);
		EXPECT_EQ(0x1111ULL, m->rax);
		EXPECT_EQ(0x2222ULL, m->rbx);
		EXPECT_EQ(0x3333ULL, m->r15);
		EXPECT_EQ(STACK_TOP, m->rsp);
		/* nothing was delivered */
		EXPECT_EQ(CODE_GPA,
			  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
		EXPECT_EQ(STACK_TOP,
			  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
	}

	/* removed: the guest takes it */
	install_exception(self->vm, VEC_UD, HV_INTERCEPT_ACCESS_MASK_NONE);
	run_out(_metadata, self->vp, 0x86, handler_gpa(VEC_UD));
	check_frame(_metadata, self->vm, CODE_GPA, -1);
}

/* A #PF intercept reports the error code and the address; CR2 is kept */
TEST_F(exc, intercept_page_fault)
{
	const struct hv_x64_exception_intercept_message *m;
	struct hv_message *msg;

	load(self->vm, CODE_GPA, pf_main, pf_main_end);
	unmap_pf_page(self->vp, &self->pg);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_CR2, 0x4321);
	install_exception(self->vm, VEC_PF, HV_INTERCEPT_ACCESS_MASK_READ);

	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_EXCEPTION_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	m = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(VEC_PF, m->exception_vector);
	EXPECT_EQ(HV_X64_EXCEPTION_INFO_ERROR_CODE_VALID, m->exception_info);
	EXPECT_EQ(0U, m->error_code);
	EXPECT_EQ(PF_ADDR, m->exception_parameter);
	EXPECT_EQ(PF_LOAD_LEN, m->instruction_byte_count);
	EXPECT_EQ(0, memcmp(m->instruction_bytes, pf_main, PF_LOAD_LEN));
	EXPECT_EQ(CODE_GPA, m->header.rip);
	EXPECT_EQ(0x4321ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_CR2));
	EXPECT_EQ(STACK_TOP, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
}

/* #PF through a not-present gate is #DF (error code 0, CR2 loaded) */
MSHV_GUEST_CODE(df_handler, 64,
		"	pop %rbx\n"
		"	mov %cr2, %rax\n"
		"df_handler_out:\n"
		"	out %al, $0x88\n"
		"	hlt\n");
MSHV_GUEST_LABEL(df_handler_out);

TEST_F(exc, double_fault)
{
	const struct hv_x64_io_port_intercept_message *io;

	load(self->vm, CODE_GPA, pf_main, pf_main_end);
	load(self->vm, handler_gpa(VEC_DF), df_handler, df_handler_end);
	unmap_pf_page(self->vp, &self->pg);
	set_gate(self->vm, VEC_PF, false);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RBX, 0x77);

	io = run_out(_metadata, self->vp, 0x88, handler_gpa(VEC_DF) +
		     MSHV_GUEST_OFFSET(df_handler, df_handler_out));
	EXPECT_EQ(PF_ADDR, io->rax);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RBX));
	check_frame(_metadata, self->vm, CODE_GPA, 0);
}

/* No IDT at all: #UD, #GP, #DF cannot be delivered: triple fault */
TEST_F(exc, triple_fault)
{
	const struct hv_register_assoc no_idt = {
		.name = HV_X64_REGISTER_IDTR,
		.value.table = { .limit = 0, .base = IDT_GPA },
	};
	const struct hv_x64_halt_message *h;
	struct hv_message *msg;

	load(self->vm, CODE_GPA, ud_main, ud_main_end);
	mshv_vp_set_registers(self->vp, &no_idt, 1);

	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(40, msg->header.payload_size);
	h = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(CODE_GPA, h->header.rip);
	EXPECT_EQ(2, h->header.instruction_length_cr8 &
		  HV_X64_INSTRUCTION_LENGTH_MASK);
	EXPECT_EQ(CODE_GPA, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	EXPECT_EQ(STACK_TOP, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
}

static __u16 set_pending(struct mshv_vp *vp, __u64 value)
{
	struct hv_register_assoc reg = {
		.name = HV_REGISTER_PENDING_INTERRUPTION,
		.value.reg64 = value,
	};
	struct mshv_root_hvcall args;

	__mshv_set_vp_registers(vp->vm->fd, vp->index, &reg, 1, &args);
	return args.status;
}

/* PENDING_INTERRUPTION injects #GP with an error code, then reads 0 */
MSHV_GUEST_CODE(pi_main, 64,
		"	nop\n"
		"pi_main_out:\n"
		"	out %al, $0x83\n"
		"	hlt\n");
MSHV_GUEST_LABEL(pi_main_out);

MSHV_GUEST_CODE(pi_handler, 64,
		"	pop %rbx\n"
		"pi_handler_out:\n"
		"	out %al, $0x82\n"
		"	iretq\n");
MSHV_GUEST_LABEL(pi_handler_out);

TEST_F(exc, pending_interruption)
{
	const __u64 pi = PI_PENDING | PI_TYPE(3) | PI_ERROR |
			 PI_VECTOR(VEC_GP) | PI_CODE(0x1234);
	const struct hv_x64_io_port_intercept_message *io;

	load(self->vm, CODE_GPA, pi_main, pi_main_end);
	load(self->vm, handler_gpa(VEC_GP), pi_handler, pi_handler_end);
	ASSERT_EQ(0, set_pending(self->vp, pi));
	EXPECT_EQ(pi, mshv_vp_get_reg(self->vp,
				      HV_REGISTER_PENDING_INTERRUPTION));

	io = run_out(_metadata, self->vp, 0x82, handler_gpa(VEC_GP) +
		     MSHV_GUEST_OFFSET(pi_handler, pi_handler_out));
	EXPECT_EQ(0x1234ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RBX));
	check_frame(_metadata, self->vm, CODE_GPA, 0x1234);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp,
					HV_REGISTER_PENDING_INTERRUPTION));
	mshv_vp_skip_insn(self->vp, &io->header);
	run_out(_metadata, self->vp, 0x83,
		CODE_GPA + MSHV_GUEST_OFFSET(pi_main, pi_main_out));
}

/* Values that are not an external interrupt, NMI or exception: refused */
TEST_F(exc, pending_interruption_refused)
{
	static const struct {
		const char *what;
		__u64 value;
	} rows[] = {
		{ "not pending, vector", PI_VECTOR(VEC_GP) },
		{ "type 4", PI_PENDING | PI_TYPE(4) | PI_VECTOR(0x30) },
		{ "type 1", PI_PENDING | PI_TYPE(1) | PI_VECTOR(0x30) },
		{ "exception 32", PI_PENDING | PI_TYPE(3) | PI_VECTOR(32) },
		{ "exception 2", PI_PENDING | PI_TYPE(3) | PI_VECTOR(2) },
		{ "#UD with error code",
		  PI_PENDING | PI_TYPE(3) | PI_ERROR | PI_VECTOR(VEC_UD) },
		{ "error code without its bit",
		  PI_PENDING | PI_TYPE(3) | PI_VECTOR(VEC_GP) | PI_CODE(1) },
		{ "NMI vector 3", PI_PENDING | PI_TYPE(2) | PI_VECTOR(3) },
		{ "interrupt 15", PI_PENDING | PI_TYPE(0) | PI_VECTOR(15) },
		{ "interrupt 256", PI_PENDING | PI_TYPE(0) | PI_VECTOR(256) },
		{ "instruction length",
		  PI_PENDING | PI_TYPE(3) | PI_VECTOR(VEC_UD) | (1ULL << 5) },
		{ "nested event",
		  PI_PENDING | PI_TYPE(3) | PI_VECTOR(VEC_UD) | (1ULL << 9) },
		{ "reserved bit 10",
		  PI_PENDING | PI_TYPE(3) | PI_VECTOR(VEC_UD) | (1ULL << 10) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  set_pending(self->vp, rows[i].value))
			TH_LOG("%s", rows[i].what);
		EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp,
						HV_REGISTER_PENDING_INTERRUPTION))
			TH_LOG("%s", rows[i].what);
	}
	EXPECT_EQ(0, set_pending(self->vp, PI_PENDING | PI_TYPE(2) |
				 PI_VECTOR(VEC_NMI)));
	EXPECT_EQ(0, set_pending(self->vp, PI_PENDING | PI_TYPE(0) |
				 PI_VECTOR(0xFF)));
	EXPECT_EQ(0, set_pending(self->vp, 0));
}

MSHV_GUEST_CODE(nmi_handler, 64,
		"	out %al, $0xa2\n"
		"nmi_handler_a3:\n"
		"	out %al, $0xa3\n"
		"	iretq\n");
MSHV_GUEST_LABEL(nmi_handler_a3);
#define NMI_HANDLER_A3	MSHV_GUEST_OFFSET(nmi_handler, nmi_handler_a3)

MSHV_GUEST_CODE(nmi_main, 64,
		"	out %al, $0xa0\n"
		"nmi_main_nop:\n"
		"	nop\n"
		"nmi_main_a1:\n"
		"	out %al, $0xa1\n"
		"	hlt\n");
MSHV_GUEST_LABEL(nmi_main_nop);
MSHV_GUEST_LABEL(nmi_main_a1);

MSHV_GUEST_CODE(nmi_injected_main, 64,
		"	out %al, $0xa1\n"
		"	hlt\n");

static __u64 nmi_masked(struct mshv_vp *vp)
{
	return mshv_vp_get_reg(vp, HV_REGISTER_INTERRUPT_STATE) &
	       HV_INTERRUPT_STATE_NMI_MASKED;
}

/* An NMI is taken with IF clear; the next one waits for the IRETQ */
TEST_F(exc, nmi)
{
	const struct hv_x64_io_port_intercept_message *io;
	__u64 h = handler_gpa(VEC_NMI);
	unsigned int i;

	load(self->vm, CODE_GPA, nmi_main, nmi_main_end);
	load(self->vm, h, nmi_handler, nmi_handler_end);

	io = run_out(_metadata, self->vp, 0xA0, CODE_GPA);
	EXPECT_EQ(0, assert_nmi(self->vm));
	mshv_vp_skip_insn(self->vp, &io->header);
	for (i = 0; i < 2; i++) {
		io = run_out(_metadata, self->vp, 0xA2, h);
		EXPECT_EQ(HV_INTERRUPT_STATE_NMI_MASKED, nmi_masked(self->vp));
		check_frame(_metadata, self->vm, CODE_GPA +
			    MSHV_GUEST_OFFSET(nmi_main, nmi_main_nop), -1);
		/* the second NMI arrives while the first is handled */
		if (!i)
			EXPECT_EQ(0, assert_nmi(self->vm));
		mshv_vp_skip_insn(self->vp, &io->header);
		/* ... and waits: the handler goes on */
		io = run_out(_metadata, self->vp, 0xA3, h + NMI_HANDLER_A3);
		EXPECT_EQ(HV_INTERRUPT_STATE_NMI_MASKED, nmi_masked(self->vp));
		mshv_vp_skip_insn(self->vp, &io->header);
	}
	io = run_out(_metadata, self->vp, 0xA1,
		     CODE_GPA + MSHV_GUEST_OFFSET(nmi_main, nmi_main_a1));
	EXPECT_EQ(0ULL, nmi_masked(self->vp));
	EXPECT_EQ(STACK_TOP, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RSP));
}

/* PENDING_INTERRUPTION with an NMI blocks NMIs like an asserted one */
TEST_F(exc, nmi_injected)
{
	const struct hv_x64_io_port_intercept_message *io;
	__u64 h = handler_gpa(VEC_NMI);

	load(self->vm, CODE_GPA, nmi_injected_main, nmi_injected_main_end);
	load(self->vm, h, nmi_handler, nmi_handler_end);
	ASSERT_EQ(0, set_pending(self->vp, PI_PENDING | PI_TYPE(2) |
				 PI_VECTOR(VEC_NMI)));
	io = run_out(_metadata, self->vp, 0xA2, h);
	EXPECT_EQ(HV_INTERRUPT_STATE_NMI_MASKED, nmi_masked(self->vp));
	check_frame(_metadata, self->vm, CODE_GPA, -1);
	mshv_vp_skip_insn(self->vp, &io->header);
	io = run_out(_metadata, self->vp, 0xA3, h + NMI_HANDLER_A3);
	mshv_vp_skip_insn(self->vp, &io->header);
	run_out(_metadata, self->vp, 0xA1, CODE_GPA);
	EXPECT_EQ(0ULL, nmi_masked(self->vp));
}

TEST_HARNESS_MAIN
