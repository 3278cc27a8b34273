// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest interrupts (hvsim's interrupt model), driven through
 * MSHV_ROOT_HVCALL (ASSERT/CLEAR_VIRTUAL_INTERRUPT) and the register
 * page's interrupt_vectors, observed through intercepts, guest memory and
 * the exact deltas of hvsim's debugfs counters (interrupts, root_synic):
 *
 *  - a real-mode guest takes an asserted interrupt through its IVT only
 *    once IF is set (STI and its shadow), its handler runs (OUT) with IF
 *    clear and the right frame on the stack, ends it with an EOI through
 *    the x2APIC MSR (edge: no message to the root) or the synthetic EOI
 *    MSR (level: one HVMSG_X64_APIC_EOI to the root) and IRETs;
 *  - CR8 holds back a vector of its priority class until lowered;
 *  - HLT with IF set blocks the VP (MSHV_RUN_VP waits until a signal, and
 *    again after it) until an ASSERT wakes it (one scheduler message to
 *    the root), and the interrupt returns after the HLT;
 *  - a vector the VMM puts in the register page is taken on the next run;
 *  - pending vectors and their trigger mode are the IRR and TMR of the
 *    LAPIC state (MSHV_GET/SET_VP_STATE), and restoring that state
 *    withdraws or raises them;
 *  - every refusal of ASSERT_VIRTUAL_INTERRUPT, the destinations it
 *    accepts, and CLEAR_VIRTUAL_INTERRUPT;
 *  - a 64-bit guest takes a level-triggered interrupt through its IDT and
 *    ends it with a store to the xAPIC EOI register;
 *  - an ExtINT (PIC interrupt) is taken once IF is set, with the asserted
 *    vector (8, below the APIC's 16), without entering the ISR or needing
 *    an EOI; CLEAR_VIRTUAL_INTERRUPT withdraws it;
 *  - LOCALINT0 / LOCALINT1 go through the LVT LINT0 / LINT1 entries of the
 *    LAPIC state: masked or APIC disabled (dropped), ExtINT, fixed
 *    level-triggered, NMI and INIT modes, and the entries refused.
 *
 * Waking a halted VP's MSHV_RUN_VP needs the driver's SynIC handling; here
 * the wake-up is observed through hvsim and a signal ends the wait.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"
#include "mshv_paging.h"

#define MEM_SIZE	0x400000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL	/* main program */
#define HLT_GPA		0x1100ULL	/* sti; hlt program */
#define GDT_GPA		0x2000ULL	/* 64-bit guest */
#define IDT_GPA		0x3000ULL	/* 64-bit guest */
#define HANDLER_GPA	0x4000ULL
#define STACK_TOP	0x8000ULL
#define TABLES_GPA	0x10000ULL
#define TABLES_SIZE	0x10000ULL
#define APIC_GPA	0xFEE00000ULL

#define VECTOR		0x30
#define VECTOR64	0x40

#define PORT_READY	0x80	/* main program, IF clear */
#define PORT_HANDLER	0x81	/* first instruction of the handler */
#define PORT_BACK	0x82	/* main program after the interrupt */
#define PORT_AFTER_HLT	0x83	/* the instruction after a HLT */
#define PORT_NMI	0x84	/* first instruction of the NMI handler */

#define CLI_HLT_GPA	0x1200ULL	/* cli; hlt program */
#define NMI_HANDLER_GPA	0x4100ULL

#define HLT_NEXT	(HLT_GPA + MSHV_GUEST_OFFSET(hlt_code, hlt_next))

MSHV_GUEST_CODE(main_code, 16,
		"	out %al, $" MSHV_GUEST_STR(PORT_READY) "\n"
		"main_sti:\n"
		"	sti\n"
		"	nop\n"
		"main_back:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_BACK) "\n"
		"main_cli:\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(main_sti);
MSHV_GUEST_LABEL(main_back);
MSHV_GUEST_LABEL(main_cli);

#define MAIN_STI	(CODE_GPA + MSHV_GUEST_OFFSET(main_code, main_sti))
#define MAIN_BACK	(CODE_GPA + MSHV_GUEST_OFFSET(main_code, main_back))
#define MAIN_CLI	(CODE_GPA + MSHV_GUEST_OFFSET(main_code, main_cli))

MSHV_GUEST_CODE(hlt_code, 16,
		"	sti\n"
		"	hlt\n"
		"hlt_next:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_AFTER_HLT) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(hlt_next);

/* Real-mode handler; the MSR is patched in as the MOV's immediate */
MSHV_GUEST_CODE(rm_handler, 16,
		"	out %al, $" MSHV_GUEST_STR(PORT_HANDLER) "\n"
		"	mov $0, %ecx\n"
		"rm_handler_msr_end:\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	iret\n");
MSHV_GUEST_LABEL(rm_handler_msr_end);

FIXTURE(irq)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
};

/* Real mode handler: OUT HANDLER, write 0 to @msr, IRET */
static void write_rm_handler(struct mshv_vm *vm, __u32 msr)
{
	__u8 ivt[4] = { HANDLER_GPA & 0xFF, HANDLER_GPA >> 8, 0, 0 };
	__u8 imm[4] = { msr, msr >> 8, msr >> 16, msr >> 24 };

	mshv_vm_write(vm, HANDLER_GPA, rm_handler,
		      MSHV_GUEST_SIZE(rm_handler));
	mshv_vm_write(vm, HANDLER_GPA - sizeof(imm) +
		      MSHV_GUEST_OFFSET(rm_handler, rm_handler_msr_end),
		      imm, sizeof(imm));
	mshv_vm_write(vm, VECTOR * 4, ivt, sizeof(ivt));
}

FIXTURE_SETUP(irq)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};

	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->vp = mshv_vp_create(self->vm, 0);
	mshv_vm_write(self->vm, CODE_GPA, main_code, MSHV_GUEST_SIZE(main_code));
	mshv_vm_write(self->vm, HLT_GPA, hlt_code, MSHV_GUEST_SIZE(hlt_code));
	/* the stack page, touched so that it is mapped writable */
	memset((__u8 *)self->vm->mem + STACK_TOP - MSHV_PAGE_SIZE, 0,
	       MSHV_PAGE_SIZE);
	write_rm_handler(self->vm, HV_X86_MSR_X2APIC_EOI);
	mshv_vp_set_real_mode_cs(self->vp, 0, 0);
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));
}

FIXTURE_TEARDOWN(irq)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

/* Messages hvsim handed to the root's SynIC (delivered, queued, dropped) */
static __u64 root_msgs(void)
{
	struct mshv_dbg_synic s = mshv_dbg_synic_get();

	return s.posted + s.queued + s.dropped;
}

static __u64 stack_word(struct mshv_vm *vm, __u64 gpa)
{
	const __u8 *p = (const __u8 *)vm->mem + gpa;

	return p[0] | p[1] << 8;
}

static __u64 stack_qword(struct mshv_vm *vm, __u64 gpa)
{
	__u64 v;

	memcpy(&v, (const __u8 *)vm->mem + gpa, sizeof(v));
	return v;
}

/*
 * The main program with VECTOR asserted before it runs: not taken while IF
 * is clear, taken right after STI's shadow, handler, EOI, IRET.
 */
static void run_main(struct __test_metadata *_metadata, struct mshv_vp *vp,
		     __u32 flags, __u64 want_eoi_msgs)
{
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get(), c;
	struct hv_x64_intercept_message_header h;
	__u64 resumes0 = mshv_dbg_irq_field_get("resumes");
	__u64 msgs0 = root_msgs();

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(vp->vm->fd, HV_X64_INTERRUPT_TYPE_FIXED,
					flags, 0, VECTOR));
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.asserted + 1, c.asserted);

	/* IF clear: the interrupt waits */
	h = mshv_vp_run_expect_port(vp, PORT_READY)->header;
	EXPECT_EQ(CODE_GPA, h.rip);
	EXPECT_EQ(0ULL, h.rflags & HV_X86_RFLAGS_IF);
	EXPECT_EQ(c0.delivered, mshv_dbg_irq_get().delivered);
	mshv_vp_skip_insn(vp, &h);

	/* STI, NOP (the shadow), then the handler with IF clear */
	h = mshv_vp_run_expect_port(vp, PORT_HANDLER)->header;
	EXPECT_EQ(HANDLER_GPA, h.rip);
	EXPECT_EQ(0ULL, h.rflags & HV_X86_RFLAGS_IF);
	EXPECT_EQ(c0.delivered + 1, mshv_dbg_irq_get().delivered);
	EXPECT_EQ(MAIN_BACK, stack_word(vp->vm, STACK_TOP - 6));
	EXPECT_EQ(0ULL, stack_word(vp->vm, STACK_TOP - 4));
	EXPECT_EQ(0x202ULL, stack_word(vp->vm, STACK_TOP - 2));
	mshv_vp_skip_insn(vp, &h);

	/* EOI, IRET: back in the main program with IF set */
	h = mshv_vp_run_expect_port(vp, PORT_BACK)->header;
	EXPECT_EQ(MAIN_BACK, h.rip);
	EXPECT_EQ(HV_X86_RFLAGS_IF, h.rflags & HV_X86_RFLAGS_IF);
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.delivered + 1, c.delivered);
	EXPECT_EQ(c0.eois + 1, c.eois);
	EXPECT_EQ(c0.apic_eoi_msgs + want_eoi_msgs, c.apic_eoi_msgs);
	/* and the signal that resumed the new VP on its first run */
	EXPECT_EQ(resumes0 + 1, mshv_dbg_irq_field_get("resumes"));
	EXPECT_EQ(msgs0 + want_eoi_msgs + 1, root_msgs());
	mshv_vp_skip_insn(vp, &h);

	/* CLI; HLT with IF clear is still an X64_HALT intercept */
	mshv_vp_run_expect_halt(vp);
	EXPECT_EQ(c0.halts, mshv_dbg_irq_get().halts);
}

/* Edge-triggered, EOI through the x2APIC MSR: no message to the root */
TEST_F(irq, edge_x2apic_eoi)
{
	run_main(_metadata, self->vp, 0, 0);
}

/* Level-triggered, EOI through the synthetic MSR: one APIC_EOI message */
TEST_F(irq, level_synthetic_eoi)
{
	write_rm_handler(self->vm, HV_X64_MSR_EOI);
	run_main(_metadata, self->vp, HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, 1);
}

/* CR8 holds back the vector's priority class until lowered */
TEST_F(irq, tpr_blocks)
{
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get();
	struct hv_x64_intercept_message_header h;

	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_CR8, VECTOR >> 4);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_FIXED, 0, 0,
					VECTOR));
	h = mshv_vp_run_expect_port(self->vp, PORT_READY)->header;
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_BACK)->header;
	EXPECT_EQ(HV_X86_RFLAGS_IF, h.rflags & HV_X86_RFLAGS_IF);
	EXPECT_EQ(c0.delivered, mshv_dbg_irq_get().delivered);

	/* Lowered: taken at the next instruction boundary (the CLI) */
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_CR8, (VECTOR >> 4) - 1);
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_HANDLER)->header;
	EXPECT_EQ(c0.delivered + 1, mshv_dbg_irq_get().delivered);
	EXPECT_EQ(MAIN_CLI, stack_word(self->vm, STACK_TOP - 6));
	mshv_vp_skip_insn(self->vp, &h);
	mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(c0.eois + 1, mshv_dbg_irq_get().eois);
}

/* DISPATCH_VP calls for the test's partition (the newest one) */
static __u64 dispatches(void)
{
	return mshv_dbg_partition_get(mshv_dbg_newest_partition()).dispatches;
}

/* GPA intercepts of the test's partition (each costs one more dispatch) */
static __u64 gpa_faults(void)
{
	return mshv_dbg_partition_get(mshv_dbg_newest_partition()).gpa_faults;
}

static __u64 activity(struct mshv_vp *vp)
{
	const __u32 name = HV_REGISTER_INTERNAL_ACTIVITY_STATE;
	union hv_register_value v;

	mshv_vp_get_registers(vp, &name, &v, 1);
	return v.reg64;
}

/* HLT with IF set blocks until an interrupt is asserted */
TEST_F(irq, hlt_blocks_until_assert)
{
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get(), c;
	struct hv_x64_intercept_message_header h;
	__u64 msgs0, d0, f0;

	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, HLT_GPA);

	/*
	 * Three dispatches: the new VP's explicit suspend, the first touch of
	 * the code page (a GPA intercept the driver resolves), the one that
	 * ran to the HLT; then MSHV_RUN_VP sleeps until the signal.
	 */
	d0 = dispatches();
	f0 = gpa_faults();
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 300));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(f0 + 1, gpa_faults());
	EXPECT_EQ(d0 + 3, dispatches());
	EXPECT_EQ(c0.halts + 1, mshv_dbg_irq_get().halts);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_HALT_SUSPEND, activity(self->vp));

	/* Still blocked: nothing is deliverable; one dispatch said so */
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 100));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 4, dispatches());
	EXPECT_EQ(c0.halts + 1, mshv_dbg_irq_get().halts);

	msgs0 = root_msgs();
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_FIXED, 0, 0,
					VECTOR));
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.wakes + 1, c.wakes);
	EXPECT_EQ(c0.signal_msgs + 1, c.signal_msgs);
	EXPECT_EQ(msgs0 + 1, root_msgs());
	EXPECT_EQ(0ULL, activity(self->vp));

	h = mshv_vp_run_expect_port(self->vp, PORT_HANDLER)->header;
	EXPECT_EQ(HLT_NEXT, stack_word(self->vm, STACK_TOP - 6));
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_AFTER_HLT)->header;
	EXPECT_EQ(HLT_NEXT, h.rip);
	mshv_vp_skip_insn(self->vp, &h);
	mshv_vp_run_expect_halt(self->vp);
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.delivered + 1, c.delivered);
	EXPECT_EQ(c0.eois + 1, c.eois);
	EXPECT_EQ(c0.halts + 1, c.halts);
}

/*
 * HLT with IF clear is reported once (X64_HALT at the HLT); running the VP
 * again while it is halted does not report it again: MSHV_RUN_VP sleeps,
 * after one dispatch, until a signal.  An NMI wakes it: the handler runs
 * and returns after the HLT.  The VMM moving RIP ends the halt too.
 * Eight runs and four timed waits: more than 30 s on a debug kernel under
 * TCG.
 */
MSHV_GUEST_CODE(cli_hlt_code, 16,
		"	cli\n"
		"cli_hlt_hlt:\n"
		"	hlt\n"
		"cli_hlt_out:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_AFTER_HLT) "\n"
		"cli_hlt_last:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(cli_hlt_hlt);
MSHV_GUEST_LABEL(cli_hlt_out);
MSHV_GUEST_LABEL(cli_hlt_last);
#define CLI_HLT_AT(label)	\
	(CLI_HLT_GPA + MSHV_GUEST_OFFSET(cli_hlt_code, label))

/* Real-mode NMI handler */
MSHV_GUEST_CODE(nmi_code, 16,
		"	out %al, $" MSHV_GUEST_STR(PORT_NMI) "\n"
		"	iret\n");

TEST_F_TIMEOUT(irq, cli_hlt_reported_once, 120)
{
	const __u8 ivt[4] = { NMI_HANDLER_GPA & 0xFF, NMI_HANDLER_GPA >> 8 };
	struct hv_x64_intercept_message_header h;
	const struct hv_x64_halt_message *halt;
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get();
	__u64 d0;

	mshv_vm_write(self->vm, CLI_HLT_GPA, cli_hlt_code,
		      MSHV_GUEST_SIZE(cli_hlt_code));
	mshv_vm_write(self->vm, NMI_HANDLER_GPA, nmi_code,
		      MSHV_GUEST_SIZE(nmi_code));
	mshv_vm_write(self->vm, 2 * 4, ivt, sizeof(ivt));
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CLI_HLT_GPA);

	halt = mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_hlt), halt->header.rip);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_HALT_SUSPEND, activity(self->vp));

	/* Halted: one dispatch answers BLOCKED, then sleep until the signal */
	d0 = dispatches();
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 1, dispatches());
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 100));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 2, dispatches());
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_hlt), mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_HALT_SUSPEND, activity(self->vp));
	/* hvsim's halts count HLTs with IF set only */
	EXPECT_EQ(c0.halts, mshv_dbg_irq_get().halts);

	/* An NMI wakes it; its handler returns after the HLT */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd, HV_X64_INTERRUPT_TYPE_NMI,
					0, 0, 0));
	EXPECT_EQ(0ULL, activity(self->vp));
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_out), mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	h = mshv_vp_run_expect_port(self->vp, PORT_NMI)->header;
	EXPECT_EQ(NMI_HANDLER_GPA, h.rip);
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_out), stack_word(self->vm, STACK_TOP - 6));
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_AFTER_HLT)->header;
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_out), h.rip);
	mshv_vp_skip_insn(self->vp, &h);
	halt = mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_last), halt->header.rip);

	/* The VMM moves RIP: the VP runs from there */
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CLI_HLT_AT(cli_hlt_out));
	EXPECT_EQ(0ULL, activity(self->vp));
	h = mshv_vp_run_expect_port(self->vp, PORT_AFTER_HLT)->header;
	EXPECT_EQ(CLI_HLT_AT(cli_hlt_out), h.rip);
	mshv_vp_skip_insn(self->vp, &h);
	mshv_vp_run_expect_halt(self->vp);
	/* Writing the RIP it is halted at changes nothing */
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CLI_HLT_AT(cli_hlt_last));
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_HALT_SUSPEND, activity(self->vp));
	d0 = dispatches();
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 100));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 1, dispatches());
}

/* A vector the VMM queues in the register page is taken on the next run */
TEST_F(irq, register_page_vectors)
{
	struct hv_vp_register_page *rp = mshv_mmap_vp_page(self->vp->fd, 0);
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get(), c;
	struct hv_x64_intercept_message_header h;

	rp->interrupt_vectors.vector[0] = VECTOR;
	rp->interrupt_vectors.vector[1] = 5;	/* below 16: ignored */
	__atomic_store_n(&rp->interrupt_vectors.vector_count, 2,
			 __ATOMIC_RELEASE);

	h = mshv_vp_run_expect_port(self->vp, PORT_READY)->header;
	EXPECT_EQ(0ULL, __atomic_load_n(&rp->interrupt_vectors.as_uint64,
					__ATOMIC_ACQUIRE));
	EXPECT_EQ(c0.scanned + 1, mshv_dbg_irq_get().scanned);
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_HANDLER)->header;
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_BACK)->header;
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.delivered + 1, c.delivered);
	EXPECT_EQ(c0.eois + 1, c.eois);
	EXPECT_EQ(c0.apic_eoi_msgs, c.apic_eoi_msgs);
	EXPECT_EQ(c0.asserted, c.asserted);
	munmap(rp, MSHV_PAGE_SIZE);
}

/* IRR and TMR travel with the LAPIC state */
TEST_F(irq, lapic_state_irr_tmr)
{
	struct hv_local_interrupt_controller_state *l;
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get();
	struct hv_x64_intercept_message_header h;

	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_FIXED,
					HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, 0,
					VECTOR));
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(1U << (VECTOR % 32), l->apic_irr[VECTOR / 32]);
	EXPECT_EQ(1U << (VECTOR % 32), l->apic_tmr[VECTOR / 32]);
	EXPECT_EQ(0U, l->apic_isr[VECTOR / 32]);

	/* Restored without it: never delivered */
	l->apic_irr[VECTOR / 32] = 0;
	l->apic_tmr[VECTOR / 32] = 0;
	mshv_vp_lapic_state(self->vp, MSHV_SET_VP_STATE, l);
	h = mshv_vp_run_expect_port(self->vp, PORT_READY)->header;
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_BACK)->header;
	mshv_vp_skip_insn(self->vp, &h);
	mshv_vp_run_expect_halt(self->vp);
	EXPECT_EQ(c0.delivered, mshv_dbg_irq_get().delivered);

	/* Restored with it: delivered from the start of the program */
	l->apic_irr[VECTOR / 32] = 1U << (VECTOR % 32);
	mshv_vp_lapic_state(self->vp, MSHV_SET_VP_STATE, l);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RFLAGS, 0x2);
	h = mshv_vp_run_expect_port(self->vp, PORT_READY)->header;
	mshv_vp_skip_insn(self->vp, &h);
	h = mshv_vp_run_expect_port(self->vp, PORT_HANDLER)->header;
	EXPECT_EQ(c0.delivered + 1, mshv_dbg_irq_get().delivered);
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(0U, l->apic_irr[VECTOR / 32]);
	EXPECT_EQ(1U << (VECTOR % 32), l->apic_isr[VECTOR / 32]);
	free(l);
}

/* Every refusal changes nothing; then the accepted destinations */
TEST_F(irq, assert_statuses)
{
	static const struct mshv_assert_case rows[] = {
		{ "SMI", HV_X64_INTERRUPT_TYPE_SMI, 0, 2, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "INIT, level", HV_X64_INTERRUPT_TYPE_INIT,
		  HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, 0, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "ExtINT vector 256", HV_X64_INTERRUPT_TYPE_EXTINT, 0, 256, 0,
		  0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "LINT1 vector 256", HV_X64_INTERRUPT_TYPE_LOCALINT1, 0, 256,
		  0, 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "type 10", 10, 0, VECTOR, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "vector 15", 0, 0, 15, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "vector 256", 0, 0, 256, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "control bit 34", 0, 4, VECTOR, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "logical 0x100", 0, HV_ASSERT_INTERRUPT_LOGICAL_DEST, VECTOR,
		  0x100, 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "VTL 1", 0, 0, VECTOR, 0, 1, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "reserved u8", 0, 0, VECTOR, 0, 0, 1, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "reserved u16", 0, 0, VECTOR, 0, 0, 0, 1,
		  HV_STATUS_INVALID_PARAMETER },
		{ "no VP 1", 0, 0, VECTOR, 1, 0, 0, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "APIC id 0x100", 0, 0, VECTOR, 0x100, 0, 0, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "logical none", 0, HV_ASSERT_INTERRUPT_LOGICAL_DEST, VECTOR,
		  0, 0, 0, 0, HV_STATUS_INVALID_VP_INDEX },
		{ "logical VP 1", 0, HV_ASSERT_INTERRUPT_LOGICAL_DEST, VECTOR,
		  2, 0, 0, 0, HV_STATUS_INVALID_VP_INDEX },
		{ "logical VP 0", 0, HV_ASSERT_INTERRUPT_LOGICAL_DEST, VECTOR,
		  1, 0, 0, 0, HV_STATUS_SUCCESS },
		{ "broadcast", 0, 0, VECTOR, 0xFF, 0, 0, 0, HV_STATUS_SUCCESS },
		{ "lowest priority broadcast",
		  HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY, 0, VECTOR + 1, 0xFF, 0,
		  0, 0, HV_STATUS_SUCCESS },
		{ "level, x2APIC flag", 0,
		  HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED |
		  HV_ASSERT_INTERRUPT_X2APIC_DEST, 0xFE, 0, 0, 0, 0,
		  HV_STATUS_SUCCESS },
	};
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get();
	struct hv_input_partition_id clear = { 0 };
	unsigned int i, ok = 0;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		EXPECT_EQ(rows[i].status,
			  mshv_assert_case_status(self->vm->fd, &rows[i]))
			TH_LOG("%s", rows[i].what);
		if (rows[i].status == HV_STATUS_SUCCESS)
			ok++;
		EXPECT_EQ(c0.asserted + ok, mshv_dbg_irq_get().asserted)
			TH_LOG("%s", rows[i].what);
	}
	EXPECT_EQ(4U, ok);
	EXPECT_EQ(c0.wakes, mshv_dbg_irq_get().wakes);
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  mshv_hvcall_status(self->vm->fd,
				     HVCALL_CLEAR_VIRTUAL_INTERRUPT, &clear,
				     sizeof(clear)));
}

#define PIC_VECTOR	0x08		/* a PIC's vector in real mode */
#define PIC_HANDLER_GPA	0x4200ULL	/* out HANDLER; iret (no EOI) */

/* The ExtINT counters of hvsim/interrupts */
struct ext_counts {
	__u64 extints, delivered, clears, lints, masked;
};

static struct ext_counts ext_counts(void)
{
	return (struct ext_counts) {
		.extints = mshv_dbg_irq_field_get("extints"),
		.delivered = mshv_dbg_irq_field_get("extints_delivered"),
		.clears = mshv_dbg_irq_field_get("extint_clears"),
		.lints = mshv_dbg_irq_field_get("lints"),
		.masked = mshv_dbg_irq_field_get("lints_masked"),
	};
}

static void expect_ext(struct __test_metadata *_metadata,
		       const struct ext_counts *c0, __u64 extints,
		       __u64 delivered, __u64 clears, __u64 lints,
		       __u64 masked)
{
	struct ext_counts c = ext_counts();

	EXPECT_EQ(extints, c.extints - c0->extints);
	EXPECT_EQ(delivered, c.delivered - c0->delivered);
	EXPECT_EQ(clears, c.clears - c0->clears);
	EXPECT_EQ(lints, c.lints - c0->lints);
	EXPECT_EQ(masked, c.masked - c0->masked);
}

/* IVT entry PIC_VECTOR: a handler that ends with IRET and no EOI */
/* Real-mode handler: OUT HANDLER, IRET */
MSHV_GUEST_CODE(pic_handler, 16,
		"	out %al, $" MSHV_GUEST_STR(PORT_HANDLER) "\n"
		"	iret\n");

static void write_pic_handler(struct mshv_vm *vm)
{
	__u8 ivt[4] = { PIC_HANDLER_GPA & 0xFF, PIC_HANDLER_GPA >> 8, 0, 0 };

	mshv_vm_write(vm, PIC_HANDLER_GPA, pic_handler,
		      MSHV_GUEST_SIZE(pic_handler));
	mshv_vm_write(vm, PIC_VECTOR * 4, ivt, sizeof(ivt));
}

/*
 * The main program: READY with IF clear, then after STI either the
 * handler at @handler (0: none is taken) or straight BACK, then HLT.
 */
static void run_main_expect(struct __test_metadata *_metadata,
			    struct mshv_vp *vp, __u64 handler)
{
	struct hv_x64_intercept_message_header h;

	h = mshv_vp_run_expect_port(vp, PORT_READY)->header;
	EXPECT_EQ(CODE_GPA, h.rip);
	mshv_vp_skip_insn(vp, &h);
	if (handler) {
		h = mshv_vp_run_expect_port(vp, PORT_HANDLER)->header;
		EXPECT_EQ(handler, h.rip);
		EXPECT_EQ(MAIN_BACK, stack_word(vp->vm, STACK_TOP - 6));
		mshv_vp_skip_insn(vp, &h);
	}
	h = mshv_vp_run_expect_port(vp, PORT_BACK)->header;
	EXPECT_EQ(MAIN_BACK, h.rip);
	mshv_vp_skip_insn(vp, &h);
	mshv_vp_run_expect_halt(vp);
}

/* The LAPIC's ISR and IRR are empty */
static void expect_apic_idle(struct __test_metadata *_metadata,
			     struct mshv_vp *vp)
{
	struct hv_local_interrupt_controller_state *l;
	unsigned int i;

	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, l);
	mshv_vp_lapic_state(vp, MSHV_GET_VP_STATE, l);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0U, l->apic_isr[i]);
		EXPECT_EQ(0U, l->apic_irr[i]);
	}
	free(l);
}

/*
 * ExtINT: the asserted vector (8) waits while IF is clear, is taken after
 * STI's shadow through IVT entry 8, never enters the ISR and needs no EOI
 */
TEST_F(irq, extint_pic_vector)
{
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get(), c;
	struct ext_counts e0 = ext_counts();

	write_pic_handler(self->vm);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_EXTINT, 0, 0,
					PIC_VECTOR));
	expect_ext(_metadata, &e0, 1, 0, 0, 0, 0);
	expect_apic_idle(_metadata, self->vp);
	run_main_expect(_metadata, self->vp, PIC_HANDLER_GPA);
	expect_ext(_metadata, &e0, 1, 1, 0, 0, 0);
	expect_apic_idle(_metadata, self->vp);
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.asserted, c.asserted);
	EXPECT_EQ(c0.delivered, c.delivered);
	EXPECT_EQ(c0.eois, c.eois);

	/* A second one, withdrawn by CLEAR_VIRTUAL_INTERRUPT: never taken */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_EXTINT, 0, 0,
					PIC_VECTOR));
	EXPECT_EQ(HV_STATUS_SUCCESS,
		  mshv_hvcall_status(self->vm->fd,
				     HVCALL_CLEAR_VIRTUAL_INTERRUPT,
				     &(struct hv_input_partition_id){ 0 },
				     sizeof(struct hv_input_partition_id)));
	expect_ext(_metadata, &e0, 2, 1, 1, 0, 0);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RFLAGS, 0x2);
	run_main_expect(_metadata, self->vp, 0);
	expect_ext(_metadata, &e0, 2, 1, 1, 0, 0);
}

/* Program LVT LINT0 / LINT1 and the spurious-vector register */
static void set_lvt(struct mshv_vp *vp, __u32 lint0, __u32 lint1, __u32 svr)
{
	struct hv_local_interrupt_controller_state *l;

	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(l, "out of memory");
	mshv_vp_lapic_state(vp, MSHV_GET_VP_STATE, l);
	l->apic_lvt_lint0 = lint0;
	l->apic_lvt_lint1 = lint1;
	l->apic_spurious = svr;
	mshv_vp_lapic_state(vp, MSHV_SET_VP_STATE, l);
	free(l);
}

static __u16 assert_lint(struct mshv_vm *vm, __u32 type, __u32 vector)
{
	return mshv_assert_interrupt(vm->fd, type, 0, 0, vector);
}

#define SVR_ON		0x1FF
#define LVT_EXTINT	(HV_X86_APIC_LVT_MODE_EXTINT << HV_X86_APIC_LVT_MODE_SHIFT)
#define LVT_NMI		(HV_X86_APIC_LVT_MODE_NMI << HV_X86_APIC_LVT_MODE_SHIFT)
#define LVT_INIT	(HV_X86_APIC_LVT_MODE_INIT << HV_X86_APIC_LVT_MODE_SHIFT)
#define LVT_SMI		(HV_X86_APIC_LVT_MODE_SMI << HV_X86_APIC_LVT_MODE_SHIFT)

/* LINT0 / LINT1 masked, the APIC disabled, or the entry refused */
TEST_F(irq, lint_masked_and_refused)
{
	static const struct {
		const char *what;
		__u32 lint0, lint1, svr, type;
		__u16 status;
		__u64 masked;
	} rows[] = {
		{ "reset state: masked", HV_X86_APIC_LVT_MASKED,
		  HV_X86_APIC_LVT_MASKED, 0xFF, HV_X64_INTERRUPT_TYPE_LOCALINT0,
		  HV_STATUS_SUCCESS, 1 },
		{ "LINT0 ExtINT, masked", HV_X86_APIC_LVT_MASKED | LVT_EXTINT, 0,
		  SVR_ON, HV_X64_INTERRUPT_TYPE_LOCALINT0, HV_STATUS_SUCCESS, 1 },
		{ "LINT1 NMI, APIC disabled", 0, LVT_NMI, 0xFF,
		  HV_X64_INTERRUPT_TYPE_LOCALINT1, HV_STATUS_SUCCESS, 1 },
		{ "LINT0 SMI", LVT_SMI, 0, SVR_ON,
		  HV_X64_INTERRUPT_TYPE_LOCALINT0, HV_STATUS_INVALID_PARAMETER,
		  0 },
		{ "LINT0 mode 1", 1 << HV_X86_APIC_LVT_MODE_SHIFT, 0, SVR_ON,
		  HV_X64_INTERRUPT_TYPE_LOCALINT0, HV_STATUS_INVALID_PARAMETER,
		  0 },
		{ "LINT0 mode 6", 6 << HV_X86_APIC_LVT_MODE_SHIFT, 0, SVR_ON,
		  HV_X64_INTERRUPT_TYPE_LOCALINT0, HV_STATUS_INVALID_PARAMETER,
		  0 },
		{ "LINT0 fixed vector 15", 15, 0, SVR_ON,
		  HV_X64_INTERRUPT_TYPE_LOCALINT0, HV_STATUS_INVALID_PARAMETER,
		  0 },
		{ "LINT1 fixed level", 0, HV_X86_APIC_LVT_LEVEL | VECTOR, SVR_ON,
		  HV_X64_INTERRUPT_TYPE_LOCALINT1, HV_STATUS_INVALID_PARAMETER,
		  0 },
		{ "LINT1 SMI, masked", 0, HV_X86_APIC_LVT_MASKED | LVT_SMI,
		  SVR_ON, HV_X64_INTERRUPT_TYPE_LOCALINT1, HV_STATUS_SUCCESS,
		  1 },
	};
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get();
	struct ext_counts e0 = ext_counts();
	__u64 masked = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		set_lvt(self->vp, rows[i].lint0, rows[i].lint1, rows[i].svr);
		EXPECT_EQ(rows[i].status,
			  assert_lint(self->vm, rows[i].type, PIC_VECTOR))
			TH_LOG("%s", rows[i].what);
		masked += rows[i].masked;
		expect_ext(_metadata, &e0, 0, 0, 0, 0, masked);
	}
	EXPECT_EQ(4ULL, masked);
	EXPECT_EQ(c0.asserted, mshv_dbg_irq_get().asserted);
	EXPECT_EQ(0ULL,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_INTERNAL_ACTIVITY_STATE));
	expect_apic_idle(_metadata, self->vp);
	run_main_expect(_metadata, self->vp, 0);
}

/* LINT0 in ExtINT mode: the asserted vector, as an ExtINT */
TEST_F(irq, lint0_extint)
{
	struct ext_counts e0 = ext_counts();

	write_pic_handler(self->vm);
	set_lvt(self->vp, LVT_EXTINT, HV_X86_APIC_LVT_MASKED | LVT_NMI, SVR_ON);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  assert_lint(self->vm, HV_X64_INTERRUPT_TYPE_LOCALINT0,
			      PIC_VECTOR));
	expect_ext(_metadata, &e0, 1, 0, 0, 1, 0);
	run_main_expect(_metadata, self->vp, PIC_HANDLER_GPA);
	expect_ext(_metadata, &e0, 1, 1, 0, 1, 0);
	expect_apic_idle(_metadata, self->vp);
}

/*
 * LINT0 in fixed mode, level-triggered: the entry's vector (the asserted
 * one is not used) enters the IRR and TMR; its EOI is reported to the root
 */
TEST_F(irq, lint0_fixed_level)
{
	struct hv_local_interrupt_controller_state *l;
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get(), c;
	struct ext_counts e0 = ext_counts();

	set_lvt(self->vp, HV_X86_APIC_LVT_LEVEL | VECTOR, 0, SVR_ON);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  assert_lint(self->vm, HV_X64_INTERRUPT_TYPE_LOCALINT0, 0x99));
	expect_ext(_metadata, &e0, 0, 0, 0, 1, 0);
	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, l);
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(1U << (VECTOR % 32), l->apic_irr[VECTOR / 32]);
	EXPECT_EQ(1U << (VECTOR % 32), l->apic_tmr[VECTOR / 32]);
	EXPECT_EQ(0U, l->apic_irr[0x99 / 32]);
	free(l);
	run_main_expect(_metadata, self->vp, HANDLER_GPA);
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.delivered + 1, c.delivered);
	EXPECT_EQ(c0.eois + 1, c.eois);
	EXPECT_EQ(c0.apic_eoi_msgs + 1, c.apic_eoi_msgs);
	expect_apic_idle(_metadata, self->vp);
}

/* LINT1 in NMI mode: an NMI, taken with IF clear; LINT0 in INIT mode */
TEST_F(irq, lint1_nmi_lint0_init)
{
	__u8 ivt[4] = { NMI_HANDLER_GPA & 0xFF, NMI_HANDLER_GPA >> 8, 0, 0 };
	struct ext_counts e0 = ext_counts();
	struct hv_x64_intercept_message_header h;
	__u64 inits0 = mshv_dbg_irq_field_get("inits");

	mshv_vm_write(self->vm, NMI_HANDLER_GPA, nmi_code,
		      MSHV_GUEST_SIZE(nmi_code));
	mshv_vm_write(self->vm, 2 * 4, ivt, sizeof(ivt));
	set_lvt(self->vp, LVT_INIT, LVT_NMI, SVR_ON);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  assert_lint(self->vm, HV_X64_INTERRUPT_TYPE_LOCALINT1, 0));
	expect_ext(_metadata, &e0, 0, 0, 0, 1, 0);
	h = mshv_vp_run_expect_port(self->vp, PORT_NMI)->header;
	EXPECT_EQ(NMI_HANDLER_GPA, h.rip);
	EXPECT_EQ(0ULL, h.rflags & HV_X86_RFLAGS_IF);
	EXPECT_EQ(CODE_GPA, stack_word(self->vm, STACK_TOP - 6));
	mshv_vp_skip_insn(self->vp, &h);
	run_main_expect(_metadata, self->vp, 0);

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  assert_lint(self->vm, HV_X64_INTERRUPT_TYPE_LOCALINT0, 0));
	expect_ext(_metadata, &e0, 0, 0, 0, 2, 0);
	EXPECT_EQ(inits0 + 1, mshv_dbg_irq_field_get("inits"));
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND,
		  mshv_vp_get_reg(self->vp,
				  HV_REGISTER_INTERNAL_ACTIVITY_STATE));
}

/* 64-bit handler: OUT HANDLER, write 0 to the xAPIC EOI register, IRETQ */
MSHV_GUEST_CODE(eoi64_handler, 64,
		"	out %al, $" MSHV_GUEST_STR(PORT_HANDLER) "\n"
		"	mov $0xfee000b0, %eax\n"	/* APIC_GPA + 0xb0 */
		"	movl $0, (%rax)\n"
		"	iretq\n");
static_assert(APIC_GPA + 0xb0 == 0xfee000b0, "eoi64_handler's EOI address");

/* 64-bit guest: IDT gate, the aligned frame, EOI in the xAPIC page */
TEST_F(irq, longmode_idt_mmio_eoi)
{
	const __u64 gate_lo = (HANDLER_GPA & 0xFFFF) |
			      ((__u64)MSHV_GDT_CODE64 << 16) |
			      (0x8EULL << 40) |
			      (((HANDLER_GPA >> 16) & 0xFFFF) << 48);
	const __u64 gate_hi = HANDLER_GPA >> 32;
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_IDTR,
		  .value.table = { .limit = 0xFFF, .base = IDT_GPA } },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP - 8 },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	const __u64 frame = STACK_TOP - 16 - 40;
	struct mshv_dbg_irq c0 = mshv_dbg_irq_get(), c;
	struct hv_x64_intercept_message_header h;
	struct mshv_paging pg;
	__u64 msgs0 = root_msgs();

	mshv_paging_init(&pg, self->vm, TABLES_GPA, TABLES_SIZE);
	mshv_paging_map(&pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_SIZE);
	mshv_paging_map(&pg, APIC_GPA, APIC_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vp_enter_long_mode(self->vp, &pg, GDT_GPA);
	mshv_vm_write(self->vm, IDT_GPA + VECTOR64 * 16, &gate_lo, 8);
	mshv_vm_write(self->vm, IDT_GPA + VECTOR64 * 16 + 8, &gate_hi, 8);
	mshv_vm_write(self->vm, HANDLER_GPA, eoi64_handler,
		      MSHV_GUEST_SIZE(eoi64_handler));
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_FIXED,
					HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, 0,
					VECTOR64));
	h = mshv_vp_run_expect_port(self->vp, PORT_READY)->header;
	mshv_vp_skip_insn(self->vp, &h);

	h = mshv_vp_run_expect_port(self->vp, PORT_HANDLER)->header;
	EXPECT_EQ(HANDLER_GPA, h.rip);
	EXPECT_EQ(0ULL, h.rflags & HV_X86_RFLAGS_IF);
	EXPECT_EQ(MAIN_BACK, stack_qword(self->vm, frame));
	EXPECT_EQ((__u64)MSHV_GDT_CODE64, stack_qword(self->vm, frame + 8));
	EXPECT_EQ(0x202ULL, stack_qword(self->vm, frame + 16));
	EXPECT_EQ(STACK_TOP - 8, stack_qword(self->vm, frame + 24));
	EXPECT_EQ((__u64)MSHV_GDT_DATA, stack_qword(self->vm, frame + 32));
	mshv_vp_skip_insn(self->vp, &h);

	h = mshv_vp_run_expect_port(self->vp, PORT_BACK)->header;
	EXPECT_EQ(MAIN_BACK, h.rip);
	c = mshv_dbg_irq_get();
	EXPECT_EQ(c0.delivered + 1, c.delivered);
	EXPECT_EQ(c0.eois + 1, c.eois);
	EXPECT_EQ(c0.apic_eoi_msgs + 1, c.apic_eoi_msgs);
	/* the EOI message and the signal that resumed the new VP */
	EXPECT_EQ(msgs0 + 2, root_msgs());
	mshv_vp_skip_insn(self->vp, &h);
	mshv_vp_run_expect_halt(self->vp);
}

TEST_HARNESS_MAIN
