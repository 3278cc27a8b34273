// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LAPIC timer in hvsim, one real-mode guest per feature, programmed
 * through the x2APIC MSRs and IA32_TSC_DEADLINE; every bound is a relation
 * between values the guest reads (TSC, current count) or a count, never a
 * wall-clock duration:
 *
 *  - registers: the reset values of the SVR and the seven LVT entries,
 *    their writable bits, the ESR, and the masking by a software-disabled
 *    APIC;
 *  - one-shot: a halted VP is woken (through the root's signal) by
 *    exactly one interrupt of the programmed vector, and the current
 *    count reads 0 after it;
 *  - periodic: five interrupts, the count read in the handler reloaded
 *    (between 1 and the initial count), none after the handler stops it;
 *  - TSC-deadline: the TSC the handler reads is at or after the
 *    deadline, the MSR reads 0 after the expiration, a deadline in the
 *    past interrupts before the next instruction, 0 disarms;
 *  - masked: the count runs down to 0 by at least the time between two
 *    reads, and nothing is delivered; initial count 0 stops the count;
 *  - divide: for each of the eight encodings the decrease of the current
 *    count times the divisor lies within the TSC ticks around the two
 *    reads (+/- one count);
 *  - IA32_TSC_DEADLINE outside TSC-deadline mode reads 0 and arms
 *    nothing;
 *  - GET/SET_VP_STATE: the current count is saved and restored, and a
 *    restored count expires;
 *  - the xAPIC page: stores and reads of every kind of register from a
 *    flat 32-bit guest, answered without a memory intercept;
 *  - a VM torn down with its periodic timer armed while its VP is halted
 *    (kmemleak, KASAN and the splat check of the run see what is left).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"
#include "mshv_guest32.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000
#define HANDLER_GPA	0x2000
#define BAD_GPA		0x2800		/* every other vector's handler */
#define STACK_TOP	0x8000

/* Data the guest and the test share (plain numbers: the assembler) */
#define D_CNT		0x3000	/* timer interrupts taken */
#define D_BAD		0x3004	/* other interrupts taken */
#define D_STOPAT	0x3008	/* the handler stops the count here */
#define D_ARG		0x300C	/* a parameter of the test */
#define D_T0		0x3010	/* scratch TSC */
#define D_C0		0x3014	/* current counts */
#define D_C1		0x3018
#define D_C2		0x301C
#define D_FAR		0x3020	/* a far TSC deadline (8 bytes) */
#define D_DL		0x3028	/* a TSC deadline (8 bytes) */
#define D_MSR1		0x3030	/* IA32_TSC_DEADLINE reads (8 bytes) */
#define D_MSR2		0x3038
#define D_AFTER		0x3040
#define LOG		0x3400	/* handler: 16 bytes per interrupt */
#define REGS		0x3800	/* register reads */
#define DIV_LOG		0x3C00	/* divide: 32 bytes per encoding */

#define VECTOR		0x60
#define PORT_DONE	0x80
#define PORT_CHECK	0x81

#define MSR_SVR		0x80F
#define MSR_ESR		0x828
#define MSR_CMCI	0x82F
#define MSR_TIMER	0x832
#define MSR_THERMAL	0x833
#define MSR_PERF	0x834
#define MSR_LINT0	0x835
#define MSR_LINT1	0x836
#define MSR_ERROR	0x837
#define MSR_INITIAL	0x838
#define MSR_CURRENT	0x839
#define MSR_DIVIDE	0x83E
#define MSR_EOI		0x80B
#define MSR_DEADLINE	0x6E0

#define LVT_MASKED	0x10000
#define LVT_PERIODIC	0x20000
#define LVT_DEADLINE	0x40000

#define S(x)		MSHV_GUEST_STR(x)

static_assert(HV_X86_MSR_X2APIC_BASE + HV_X86_APIC_LVT_TIMER_OFFSET / 16 ==
	      MSR_TIMER, "x2APIC LVT timer");
static_assert(HV_X86_MSR_TSC_DEADLINE == MSR_DEADLINE, "TSC_DEADLINE");

/* wrmsr @msr, @lo (EDX 0) */
#define WRMSR(msr, lo)						\
	"	mov $" S(msr) ", %ecx\n"			\
	"	mov $" S(lo) ", %eax\n"				\
	"	xor %edx, %edx\n"				\
	"	wrmsr\n"
/* wrmsr @msr, the dword at @addr (EDX 0) */
#define WRMSR_MEM(msr, addr)					\
	"	mov $" S(msr) ", %ecx\n"			\
	"	mov " S(addr) ", %eax\n"			\
	"	xor %edx, %edx\n"				\
	"	wrmsr\n"
/* the low dword of @msr to @addr */
#define RDMSR32(msr, addr)					\
	"	mov $" S(msr) ", %ecx\n"			\
	"	rdmsr\n"					\
	"	mov %eax, " S(addr) "\n"
/* @msr: its low dword to @lo, its high dword to @hi */
#define RDMSR64(msr, lo, hi)					\
	"	mov $" S(msr) ", %ecx\n"			\
	"	rdmsr\n"					\
	"	mov %eax, " S(lo) "\n"				\
	"	mov %edx, " S(hi) "\n"
/* spin until @ns TSC ticks passed (D_T0 scratch) */
#define SPIN(ns)						\
	"	rdtsc\n"					\
	"	mov %eax, " S(D_T0) "\n"			\
	"9:	rdtsc\n"					\
	"	sub " S(D_T0) ", %eax\n"			\
	"	cmp $" S(ns) ", %eax\n"				\
	"	jb 9b\n"
/* halt with IF set until at least @n timer interrupts were taken */
#define HALT_UNTIL(n)						\
	"	sti\n"						\
	"8:	hlt\n"						\
	"	cmpl $" S(n) ", " S(D_CNT) "\n"			\
	"	jb 8b\n"
#define APIC_ON		WRMSR(MSR_SVR, 0x1FF)
#define DONE							\
	"	out %al, $" S(PORT_DONE) "\n"			\
	"	cli\n"						\
	"	hlt\n"

/*
 * The timer's handler: count; at D_STOPAT interrupts stop the count first
 * (before any other APIC access, after which expirations are taken),
 * else log the TSC and the current count at LOG + 16 * (count - 1) % 16;
 * EOI
 */
MSHV_GUEST_CODE(handler, 16,
		"	push %eax\n"
		"	push %ecx\n"
		"	push %edx\n"
		"	push %bx\n"
		"	incl " S(D_CNT) "\n"
		"	mov " S(D_CNT) ", %eax\n"
		"	cmp " S(D_STOPAT) ", %eax\n"
		"	jb 1f\n"
		WRMSR(MSR_INITIAL, 0)
		"	jmp 2f\n"
		"1:	mov " S(D_CNT) ", %bx\n"
		"	dec %bx\n"
		"	and $15, %bx\n"
		"	shl $4, %bx\n"
		"	rdtsc\n"
		"	mov %eax, " S(LOG) "(%bx)\n"
		"	mov %edx, " S(LOG) "+4(%bx)\n"
		"	mov $" S(MSR_CURRENT) ", %ecx\n"
		"	rdmsr\n"
		"	mov %eax, " S(LOG) "+8(%bx)\n"
		"2:\n"
		WRMSR(MSR_EOI, 0)
		"	pop %bx\n"
		"	pop %edx\n"
		"	pop %ecx\n"
		"	pop %eax\n"
		"	iret\n");

/* Any other vector: count it, EOI */
MSHV_GUEST_CODE(bad_handler, 16,
		"	push %eax\n"
		"	push %ecx\n"
		"	push %edx\n"
		"	incl " S(D_BAD) "\n"
		WRMSR(MSR_EOI, 0)
		"	pop %edx\n"
		"	pop %ecx\n"
		"	pop %eax\n"
		"	iret\n");

FIXTURE(lapic)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
};

FIXTURE_SETUP(lapic)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	__u32 stopat = ~0U;
	unsigned int v;

	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	/* every page touched, so that all of it is mapped writable */
	memset(self->vm->mem, 0, MEM_SIZE);
	mshv_vm_write(self->vm, HANDLER_GPA, handler, MSHV_GUEST_SIZE(handler));
	mshv_vm_write(self->vm, BAD_GPA, bad_handler,
		      MSHV_GUEST_SIZE(bad_handler));
	for (v = 0; v < 256; v++) {
		__u16 ip = v == VECTOR ? HANDLER_GPA : BAD_GPA;
		__u8 ivt[4] = { ip & 0xFF, ip >> 8, 0, 0 };

		mshv_vm_write(self->vm, v * 4, ivt, sizeof(ivt));
	}
	mshv_vm_write(self->vm, D_STOPAT, &stopat, sizeof(stopat));
	self->vp = mshv_vp_create(self->vm, 0);
	mshv_vp_set_real_mode_cs(self->vp, 0, 0);
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));
}

FIXTURE_TEARDOWN(lapic)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

static __u32 rd32(struct mshv_vm *vm, __u64 gpa)
{
	__u32 v;

	mshv_vm_read(vm, gpa, &v, sizeof(v));
	return v;
}

static __u64 rd64(struct mshv_vm *vm, __u64 gpa)
{
	__u64 v;

	mshv_vm_read(vm, gpa, &v, sizeof(v));
	return v;
}

static void wr32(struct mshv_vm *vm, __u64 gpa, __u32 v)
{
	mshv_vm_write(vm, gpa, &v, sizeof(v));
}

/* Load guest code [@code, @end) at CODE_GPA */
static void load(struct mshv_vm *vm, const __u8 *code, const __u8 *end)
{
	mshv_vm_write(vm, CODE_GPA, code, end - code);
}

/* Run until port I/O on @port (any other stop fails) */
static void run_port(struct __test_metadata *_metadata, struct mshv_vp *vp,
		     __u16 port)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_io(vp);
	ASSERT_EQ(port, io->port_number);
	mshv_vp_skip_insn(vp, &io->header);
}

/* A page for the LAPIC state; free() it */
static struct hv_local_interrupt_controller_state *lapic_page(void)
{
	void *p = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);

	MSHV_TEST_ASSERT(p, "out of memory");
	memset(p, 0, MSHV_PAGE_SIZE);
	return p;
}

/* Is @vector pending or in service in the VP's LAPIC? */
static bool lapic_has(struct mshv_vp *vp, unsigned int vector)
{
	struct hv_local_interrupt_controller_state *l = lapic_page();
	__u32 bit = 1U << (vector % 32);
	bool has;

	mshv_vp_lapic_state(vp, MSHV_GET_VP_STATE, l);
	has = (l->apic_irr[vector / 32] | l->apic_isr[vector / 32]) & bit;
	free(l);
	return has;
}

/* Reset values, writable bits, ESR, a software-disabled APIC */
MSHV_GUEST_CODE(regs_guest, 16,
		RDMSR32(MSR_SVR, REGS + 0x00)
		RDMSR32(MSR_CMCI, REGS + 0x04)
		RDMSR32(MSR_TIMER, REGS + 0x08)
		RDMSR32(MSR_THERMAL, REGS + 0x0C)
		RDMSR32(MSR_PERF, REGS + 0x10)
		RDMSR32(MSR_LINT0, REGS + 0x14)
		RDMSR32(MSR_LINT1, REGS + 0x18)
		RDMSR32(MSR_ERROR, REGS + 0x1C)
		RDMSR32(MSR_DIVIDE, REGS + 0x20)
		RDMSR32(MSR_INITIAL, REGS + 0x24)
		RDMSR32(MSR_CURRENT, REGS + 0x28)
		APIC_ON
		RDMSR32(MSR_SVR, REGS + 0x40)
		WRMSR(MSR_CMCI, 0xFFFFFFFF)
		RDMSR32(MSR_CMCI, REGS + 0x44)
		WRMSR(MSR_TIMER, 0xFFFFFFFF)
		RDMSR32(MSR_TIMER, REGS + 0x48)
		WRMSR(MSR_THERMAL, 0xFFFFFFFF)
		RDMSR32(MSR_THERMAL, REGS + 0x4C)
		WRMSR(MSR_PERF, 0xFFFFFFFF)
		RDMSR32(MSR_PERF, REGS + 0x50)
		WRMSR(MSR_LINT0, 0xFFFFFFFF)
		RDMSR32(MSR_LINT0, REGS + 0x54)
		WRMSR(MSR_LINT1, 0xFFFFFFFF)
		RDMSR32(MSR_LINT1, REGS + 0x58)
		WRMSR(MSR_ERROR, 0xFFFFFFFF)
		RDMSR32(MSR_ERROR, REGS + 0x5C)
		WRMSR(MSR_DIVIDE, 0xFFFFFFFF)
		RDMSR32(MSR_DIVIDE, REGS + 0x60)
		WRMSR(MSR_ESR, 0)
		RDMSR32(MSR_ESR, REGS + 0x64)
		/* unmasked, then the APIC software-disabled */
		WRMSR(MSR_LINT0, 0x20)
		RDMSR32(MSR_LINT0, REGS + 0x68)
		WRMSR(MSR_SVR, 0xFF)
		RDMSR32(MSR_SVR, REGS + 0x6C)
		RDMSR32(MSR_LINT0, REGS + 0x70)
		WRMSR(MSR_LINT1, 0x30)
		RDMSR32(MSR_LINT1, REGS + 0x74)
		DONE);

TEST_F(lapic, registers)
{
	static const __u32 reset[] = {
		0xFF, 0x10000, 0x10000, 0x10000, 0x10000, 0x10000, 0x10000,
		0x10000, 0, 0, 0,
	};
	static const __u32 written[] = {
		0x1FF, 0x107FF, 0x700FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF,
		0x100FF, 0xB, 0, 0x20, 0xFF, 0x10020, 0x10030,
	};
	unsigned int i;

	load(self->vm, regs_guest, regs_guest_end);
	run_port(_metadata, self->vp, PORT_DONE);
	for (i = 0; i < ARRAY_SIZE(reset); i++)
		EXPECT_EQ(reset[i], rd32(self->vm, REGS + 4 * i))
			TH_LOG("reset value %u", i);
	for (i = 0; i < ARRAY_SIZE(written); i++)
		EXPECT_EQ(written[i], rd32(self->vm, REGS + 0x40 + 4 * i))
			TH_LOG("written value %u", i);
}

#define XAPIC		0xFEE00000
/* a 32-bit store of @val to xAPIC register @off */
#define XW(off, val)						\
	"	movl $" S(val) ", " S(XAPIC) "+" S(off) "\n"
/* xAPIC register @off (a 32-bit load) to @addr */
#define XR(off, addr)						\
	"	mov " S(XAPIC) "+" S(off) ", %eax\n"		\
	"	mov %eax, " S(addr) "\n"

/*
 * Flat 32-bit: the xAPIC registers read back through the page after
 * stores there, the current count between an x2APIC MSR read of it, a
 * self IPI's IRR bit, sizes other than 32 bits
 */
MSHV_GUEST_CODE(xapic_guest, 32,
		XR(0x20, REGS + 0x00)		/* ID */
		XR(0x30, REGS + 0x04)		/* version */
		XR(0xF0, REGS + 0x08)		/* SVR at reset */
		XR(0x320, REGS + 0x0C)		/* LVT timer at reset */
		XW(0xF0, 0x1FF)
		XR(0xF0, REGS + 0x10)
		XW(0x80, 0x5F)
		XR(0x80, REGS + 0x14)		/* TPR */
		XR(0xA0, REGS + 0x18)		/* PPR */
		XW(0xD0, 0x03FFFFFF)
		XR(0xD0, REGS + 0x1C)		/* LDR */
		XW(0xE0, 0)
		XR(0xE0, REGS + 0x20)		/* DFR */
		XW(0x320, 0xFFFFFFFF)
		XR(0x320, REGS + 0x24)		/* LVT timer */
		XW(0x350, 0x700)
		XR(0x350, REGS + 0x28)		/* LINT0 */
		XW(0x370, 0x1FF)
		XR(0x370, REGS + 0x2C)		/* LVT error */
		XW(0x280, 0)
		XR(0x280, REGS + 0x30)		/* ESR */
		XW(0x3E0, 0xA)
		XR(0x3E0, REGS + 0x34)		/* divide by 128 */
		XW(0x380, 0x40000000)
		XR(0x380, REGS + 0x38)		/* initial count */
		XR(0x390, REGS + 0x3C)		/* current count */
		RDMSR32(MSR_CURRENT, REGS + 0x40)
		XR(0x390, REGS + 0x44)
		XW(0x310, 0xFFFFFFFF)
		XR(0x310, REGS + 0x48)		/* ICR high */
		XW(0x300, 0x40051)		/* self IPI, vector 0x51 */
		XR(0x300, REGS + 0x4C)		/* ICR low */
		XR(0x220, REGS + 0x50)		/* IRR 0x40-0x5F */
		XR(0x1A0, REGS + 0x54)		/* TMR 0x40-0x5F */
		XR(0x120, REGS + 0x58)		/* ISR 0x40-0x5F */
		XR(0xB0, REGS + 0x5C)		/* EOI */
		XR(0x3F0, REGS + 0x60)		/* reserved in xAPIC mode */
		"	movzwl " S(XAPIC) "+0x300, %eax\n"
		"	mov %eax, " S(REGS) "+0x64\n"
		"	movzbl " S(XAPIC) "+0x312, %eax\n"
		"	mov %eax, " S(REGS) "+0x68\n"
		"	movzbl " S(XAPIC) "+0x313, %eax\n"
		"	mov %eax, " S(REGS) "+0x6C\n"
		"	mov " S(XAPIC) "+0x304, %eax\n"
		"	mov %eax, " S(REGS) "+0x70\n"
		DONE);

/*
 * Stores to the xAPIC page and reads of it, all answered by hvsim: the
 * run ends at the guest's OUT, and a second run counts no GPA fault
 */
TEST_F(lapic, xapic_reads)
{
	static const __u32 want[] = {
		0, 0x50014, 0xFF, 0x10000, 0x1FF, 0x50, 0x50, 0x03000000,
		0x0FFFFFFF, 0x700FF, 0x700, 0xFF, 0, 0xA, 0x40000000,
	};
	__u64 id = mshv_dbg_newest_partition();
	struct mshv_dbg_partition p0, p1;
	__u32 c0, c1, c2;
	unsigned int i;

	load(self->vm, xapic_guest, xapic_guest_end);
	mshv_g32_enter_protected_mode(self->vp);
	run_port(_metadata, self->vp, PORT_DONE);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		EXPECT_EQ(want[i], rd32(self->vm, REGS + 4 * i))
			TH_LOG("register read %u", i);
	/* the count runs down between the three reads, from 0x40000000 */
	c0 = rd32(self->vm, REGS + 0x3C);
	c1 = rd32(self->vm, REGS + 0x40);
	c2 = rd32(self->vm, REGS + 0x44);
	EXPECT_GE(0x40000000U, c0);
	EXPECT_GE(c0, c1);
	EXPECT_GE(c1, c2);
	EXPECT_LT(0U, c2);
	EXPECT_EQ(0xFF000000U, rd32(self->vm, REGS + 0x48));
	EXPECT_EQ(0x40051U, rd32(self->vm, REGS + 0x4C));
	EXPECT_EQ(1U << 0x11, rd32(self->vm, REGS + 0x50));
	EXPECT_EQ(0U, rd32(self->vm, REGS + 0x54));
	EXPECT_EQ(0U, rd32(self->vm, REGS + 0x58));
	EXPECT_EQ(0U, rd32(self->vm, REGS + 0x5C));
	EXPECT_EQ(0U, rd32(self->vm, REGS + 0x60));
	EXPECT_EQ(0x51U, rd32(self->vm, REGS + 0x64));
	EXPECT_EQ(0U, rd32(self->vm, REGS + 0x68));
	EXPECT_EQ(0xFFU, rd32(self->vm, REGS + 0x6C));
	EXPECT_EQ(0U, rd32(self->vm, REGS + 0x70));
	EXPECT_TRUE(lapic_has(self->vp, 0x51));

	/* Again, with the guest's pages mapped: not one GPA fault */
	p0 = mshv_dbg_partition_get(id);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	run_port(_metadata, self->vp, PORT_DONE);
	p1 = mshv_dbg_partition_get(id);
	EXPECT_EQ(p0.gpa_faults, p1.gpa_faults);
	EXPECT_EQ(0x03000000U, rd32(self->vm, REGS + 0x1C));
}

/* One-shot of D_ARG ns (divide by 1), woken from HLT; 3 ms later */
MSHV_GUEST_CODE(oneshot_guest, 16,
		APIC_ON
		WRMSR(MSR_DIVIDE, 0xB)
		WRMSR(MSR_TIMER, VECTOR)
		WRMSR_MEM(MSR_INITIAL, D_ARG)
		HALT_UNTIL(1)
		SPIN(3000000)
		RDMSR32(MSR_CURRENT, D_C0)
		RDMSR32(MSR_INITIAL, D_C1)
		DONE);

#define ONESHOT_NS	10000000	/* 10 ms: the VP halts first */

TEST_F(lapic, oneshot)
{
	__u64 signals = mshv_dbg_irq_field_get("timer_signals");

	load(self->vm, oneshot_guest, oneshot_guest_end);
	wr32(self->vm, D_ARG, ONESHOT_NS);
	run_port(_metadata, self->vp, PORT_DONE);
	EXPECT_EQ(1, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_BAD));
	/* the handler's count, and the count after it, are 0 */
	EXPECT_EQ(0, rd32(self->vm, LOG + 8));
	EXPECT_EQ(0, rd32(self->vm, D_C0));
	EXPECT_EQ(ONESHOT_NS, rd32(self->vm, D_C1));
	EXPECT_FALSE(lapic_has(self->vp, VECTOR));
	/* the halted VP was woken through the root's signal path */
	EXPECT_LE(signals + 1, mshv_dbg_irq_field_get("timer_signals"));
}

/* Periodic, D_ARG ns; the handler stops it at 5; 5 periods later */
MSHV_GUEST_CODE(periodic_guest, 16,
		APIC_ON
		WRMSR(MSR_DIVIDE, 0xB)
		WRMSR(MSR_TIMER, LVT_PERIODIC | VECTOR)
		WRMSR_MEM(MSR_INITIAL, D_ARG)
		HALT_UNTIL(5)
		RDMSR32(MSR_CURRENT, D_C0)
		SPIN(5000000)
		DONE);

#define PERIOD_NS	1000000		/* 1 ms */
#define PERIODIC_RUNS	5

TEST_F(lapic, periodic)
{
	unsigned int i;

	load(self->vm, periodic_guest, periodic_guest_end);
	wr32(self->vm, D_ARG, PERIOD_NS);
	wr32(self->vm, D_STOPAT, PERIODIC_RUNS);
	run_port(_metadata, self->vp, PORT_DONE);
	EXPECT_EQ(PERIODIC_RUNS, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_BAD));
	/* the last one stopped the count instead of logging */
	for (i = 0; i < PERIODIC_RUNS - 1; i++) {
		__u32 count = rd32(self->vm, LOG + 16 * i + 8);

		/* reloaded when the handler reads it */
		EXPECT_LE(1, count) TH_LOG("interrupt %u", i);
		EXPECT_GE(PERIOD_NS, count) TH_LOG("interrupt %u", i);
		if (i)
			EXPECT_LE(rd64(self->vm, LOG + 16 * (i - 1)),
				  rd64(self->vm, LOG + 16 * i));
	}
	/* stopped by the handler's initial count 0 */
	EXPECT_EQ(0, rd32(self->vm, D_C0));
	EXPECT_FALSE(lapic_has(self->vp, VECTOR));
}

/* TSC deadline D_ARG ns ahead; then one in the past; then 0 */
MSHV_GUEST_CODE(deadline_guest, 16,
		APIC_ON
		WRMSR(MSR_TIMER, LVT_DEADLINE | VECTOR)
		/* a deadline 2^32 ticks ahead reads back */
		"	rdtsc\n"
		"	inc %edx\n"
		"	mov %eax, " S(D_FAR) "\n"
		"	mov %edx, " S(D_FAR) "+4\n"
		"	mov $" S(MSR_DEADLINE) ", %ecx\n"
		"	wrmsr\n"
		RDMSR64(MSR_DEADLINE, D_MSR1, D_MSR1 + 4)
		"	rdtsc\n"
		"	add " S(D_ARG) ", %eax\n"
		"	adc $0, %edx\n"
		"	mov %eax, " S(D_DL) "\n"
		"	mov %edx, " S(D_DL) "+4\n"
		"	wrmsr\n"
		HALT_UNTIL(1)
		RDMSR64(MSR_DEADLINE, D_MSR2, D_MSR2 + 4)
		/* in the past: taken before the next instruction */
		"	mov $" S(MSR_DEADLINE) ", %ecx\n"
		"	mov $1, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov " S(D_CNT) ", %eax\n"
		"	mov %eax, " S(D_AFTER) "\n"
		/* 1 ms ahead, then 0: disarmed */
		"	rdtsc\n"
		"	add $1000000, %eax\n"
		"	adc $0, %edx\n"
		"	wrmsr\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		SPIN(3000000)
		DONE);

TEST_F(lapic, tsc_deadline)
{
	__u64 deadline;

	load(self->vm, deadline_guest, deadline_guest_end);
	wr32(self->vm, D_ARG, 2000000);
	run_port(_metadata, self->vp, PORT_DONE);
	deadline = rd64(self->vm, D_DL);
	EXPECT_EQ(2, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_BAD));
	EXPECT_EQ(rd64(self->vm, D_FAR), rd64(self->vm, D_MSR1));
	EXPECT_EQ(0, rd64(self->vm, D_MSR2));
	/* never before the deadline */
	EXPECT_LE(deadline, rd64(self->vm, LOG));
	EXPECT_EQ(2, rd32(self->vm, D_AFTER));
	EXPECT_LE(rd64(self->vm, LOG), rd64(self->vm, LOG + 16));
	/* no count in TSC-deadline mode */
	EXPECT_EQ(0, rd32(self->vm, LOG + 8));
}

/* Masked one-shot of D_ARG ns: counts down, delivers nothing */
MSHV_GUEST_CODE(masked_guest, 16,
		APIC_ON
		WRMSR(MSR_DIVIDE, 0xB)
		WRMSR(MSR_TIMER, LVT_MASKED | VECTOR)
		WRMSR_MEM(MSR_INITIAL, D_ARG)
		RDMSR32(MSR_CURRENT, D_C0)
		"	sti\n"
		SPIN(500000)
		RDMSR32(MSR_CURRENT, D_C1)
		SPIN(25000000)
		RDMSR32(MSR_CURRENT, D_C2)
		DONE);

#define MASKED_NS	20000000	/* 20 ms, 25 ms spun */

TEST_F(lapic, masked)
{
	__u32 c0, c1;

	load(self->vm, masked_guest, masked_guest_end);
	wr32(self->vm, D_ARG, MASKED_NS);
	run_port(_metadata, self->vp, PORT_DONE);
	c0 = rd32(self->vm, D_C0);
	c1 = rd32(self->vm, D_C1);
	EXPECT_GE(MASKED_NS, c0);
	/* at least the 500 us of TSC between the reads, one count less */
	EXPECT_LE(500000 - 1, c0 - c1) TH_LOG("c0 %u c1 %u", c0, c1);
	EXPECT_LT(0, c1);
	EXPECT_EQ(0, rd32(self->vm, D_C2));
	EXPECT_EQ(0, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_BAD));
	EXPECT_FALSE(lapic_has(self->vp, VECTOR));
}

/* Initial count 0 stops a running one-shot of 100 ms */
MSHV_GUEST_CODE(stop_guest, 16,
		APIC_ON
		WRMSR(MSR_DIVIDE, 0xB)
		WRMSR(MSR_TIMER, VECTOR)
		"	sti\n"
		WRMSR(MSR_INITIAL, 100000000)
		RDMSR32(MSR_CURRENT, D_C0)
		WRMSR(MSR_INITIAL, 0)
		RDMSR32(MSR_CURRENT, D_C1)
		SPIN(3000000)
		RDMSR32(MSR_CURRENT, D_C2)
		DONE);

TEST_F(lapic, initial_zero_stops)
{
	load(self->vm, stop_guest, stop_guest_end);
	run_port(_metadata, self->vp, PORT_DONE);
	EXPECT_LT(0, rd32(self->vm, D_C0));
	EXPECT_EQ(0, rd32(self->vm, D_C1));
	EXPECT_EQ(0, rd32(self->vm, D_C2));
	EXPECT_EQ(0, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_BAD));
}

#define DIV_SPIN	200000		/* TSC ticks between the two reads */

/*
 * For encodings 0-7 (divide configuration bit 3 : bits 1-0): a masked
 * one-shot of 2^32 - 1; TSC, current count, TSC, spin, TSC, current
 * count, TSC into DIV_LOG + 32 * encoding
 */
MSHV_GUEST_CODE(divide_guest, 16,
		APIC_ON
		WRMSR(MSR_TIMER, LVT_MASKED | VECTOR)
		"	xor %si, %si\n"
		"1:	mov %si, %ax\n"
		"	and $4, %ax\n"
		"	shl $1, %ax\n"
		"	mov %si, %bx\n"
		"	and $3, %bx\n"
		"	or %bx, %ax\n"
		"	movzwl %ax, %eax\n"
		"	xor %edx, %edx\n"
		"	mov $" S(MSR_DIVIDE) ", %ecx\n"
		"	wrmsr\n"
		WRMSR(MSR_INITIAL, 0xFFFFFFFF)
		"	mov %si, %bx\n"
		"	shl $5, %bx\n"
		"	mov $" S(MSR_CURRENT) ", %ecx\n"
		"	rdtsc\n"
		"	mov %eax, " S(DIV_LOG) "(%bx)\n"
		"	rdmsr\n"
		"	mov %eax, " S(DIV_LOG) "+4(%bx)\n"
		"	rdtsc\n"
		"	mov %eax, " S(DIV_LOG) "+8(%bx)\n"
		"2:	rdtsc\n"
		"	sub " S(DIV_LOG) "+8(%bx), %eax\n"
		"	cmp $" S(DIV_SPIN) ", %eax\n"
		"	jb 2b\n"
		"	rdtsc\n"
		"	mov %eax, " S(DIV_LOG) "+12(%bx)\n"
		"	rdmsr\n"
		"	mov %eax, " S(DIV_LOG) "+16(%bx)\n"
		"	rdtsc\n"
		"	mov %eax, " S(DIV_LOG) "+20(%bx)\n"
		"	inc %si\n"
		"	cmp $8, %si\n"
		"	jb 1b\n"
		DONE);

TEST_F(lapic, divide)
{
	static const __u32 divisor[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	unsigned int i;

	load(self->vm, divide_guest, divide_guest_end);
	run_port(_metadata, self->vp, PORT_DONE);
	for (i = 0; i < 8; i++) {
		__u64 base = DIV_LOG + 32 * i;
		__u32 ta = rd32(self->vm, base), c0 = rd32(self->vm, base + 4);
		__u32 tb = rd32(self->vm, base + 8);
		__u32 tc = rd32(self->vm, base + 12);
		__u32 c1 = rd32(self->vm, base + 16);
		__u32 td = rd32(self->vm, base + 20);
		__u32 dec = c0 - c1, d = divisor[i];

		/* the reads of c0 and c1 lie within [ta, td], around [tb, tc] */
		EXPECT_LE((tc - tb) / d, dec + 1)
			TH_LOG("divisor %u: dec %u, inner %u", d, dec, tc - tb);
		EXPECT_GE((td - ta) / d + 1, dec)
			TH_LOG("divisor %u: dec %u, outer %u", d, dec, td - ta);
		EXPECT_LE(DIV_SPIN / d, dec + 1);
		EXPECT_GE(0xFFFFFFFFU, c0);
	}
}

/* IA32_TSC_DEADLINE outside TSC-deadline mode */
MSHV_GUEST_CODE(msr_ignored_guest, 16,
		APIC_ON
		WRMSR(MSR_TIMER, VECTOR)
		"	sti\n"
		WRMSR(MSR_DEADLINE, 1)
		"	mov $0x12345678, %eax\n"
		"	mov $9, %edx\n"
		"	wrmsr\n"
		RDMSR64(MSR_DEADLINE, D_MSR1, D_MSR1 + 4)
		SPIN(1000000)
		WRMSR(MSR_TIMER, LVT_DEADLINE | VECTOR)
		RDMSR64(MSR_DEADLINE, D_MSR2, D_MSR2 + 4)
		SPIN(1000000)
		DONE);

TEST_F(lapic, deadline_msr_ignored)
{
	load(self->vm, msr_ignored_guest, msr_ignored_guest_end);
	run_port(_metadata, self->vp, PORT_DONE);
	EXPECT_EQ(0, rd64(self->vm, D_MSR1));
	EXPECT_EQ(0, rd64(self->vm, D_MSR2));
	EXPECT_EQ(0, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_BAD));
}

/* Only halts: the timer comes from SET_VP_STATE */
MSHV_GUEST_CODE(restored_guest, 16,
		HALT_UNTIL(1)
		RDMSR32(MSR_CURRENT, D_C0)
		DONE);

#define RESTORED_INITIAL	5000000
#define RESTORED_COUNT		2000000

TEST_F(lapic, vp_state)
{
	struct hv_local_interrupt_controller_state *l = lapic_page();

	load(self->vm, restored_guest, restored_guest_end);
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(0, l->apic_counter_value);
	l->apic_spurious = 0x1FF;
	l->apic_lvt_timer = VECTOR;
	l->apic_divide_configuration = 0xB;
	l->apic_initial_count = RESTORED_INITIAL;
	l->apic_counter_value = RESTORED_COUNT;
	mshv_vp_lapic_state(self->vp, MSHV_SET_VP_STATE, l);
	memset(l, 0, MSHV_PAGE_SIZE);
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(RESTORED_COUNT, l->apic_counter_value);
	EXPECT_EQ(RESTORED_INITIAL, l->apic_initial_count);
	EXPECT_EQ(VECTOR, l->apic_lvt_timer);

	run_port(_metadata, self->vp, PORT_DONE);
	EXPECT_EQ(1, rd32(self->vm, D_CNT));
	EXPECT_EQ(0, rd32(self->vm, D_C0));
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(0, l->apic_counter_value);
	EXPECT_EQ(RESTORED_INITIAL, l->apic_initial_count);
	free(l);
}

/* A running count is in GET_VP_STATE, between the guest's two reads */
MSHV_GUEST_CODE(saved_guest, 16,
		APIC_ON
		WRMSR(MSR_DIVIDE, 0xB)
		WRMSR(MSR_TIMER, LVT_MASKED | VECTOR)
		WRMSR(MSR_INITIAL, 0xFFFFFFFF)
		RDMSR32(MSR_CURRENT, D_C0)
		"	out %al, $" S(PORT_CHECK) "\n"
		RDMSR32(MSR_CURRENT, D_C1)
		DONE);

TEST_F(lapic, vp_state_saved)
{
	struct hv_local_interrupt_controller_state *l = lapic_page();
	__u32 saved;

	load(self->vm, saved_guest, saved_guest_end);
	run_port(_metadata, self->vp, PORT_CHECK);
	mshv_vp_lapic_state(self->vp, MSHV_GET_VP_STATE, l);
	saved = l->apic_counter_value;
	run_port(_metadata, self->vp, PORT_DONE);
	EXPECT_GE(rd32(self->vm, D_C0), saved);
	EXPECT_LE(rd32(self->vm, D_C1), saved);
	EXPECT_LT(rd32(self->vm, D_C1), rd32(self->vm, D_C0));
	EXPECT_EQ(0x10000 | VECTOR, l->apic_lvt_timer);
	EXPECT_EQ(0xB, l->apic_divide_configuration);
	free(l);
}

/* Periodic 1 ms, halted for good after two interrupts */
MSHV_GUEST_CODE(teardown_guest, 16,
		APIC_ON
		WRMSR(MSR_DIVIDE, 0xB)
		WRMSR(MSR_TIMER, LVT_PERIODIC | VECTOR)
		WRMSR(MSR_INITIAL, 1000000)
		HALT_UNTIL(2)
		"	out %al, $" S(PORT_CHECK) "\n"
		"1:	sti\n"
		"	hlt\n"
		"	jmp 1b\n");

/* The VP and the partition go with the timer armed */
TEST_F(lapic, teardown_armed)
{
	load(self->vm, teardown_guest, teardown_guest_end);
	run_port(_metadata, self->vp, PORT_CHECK);
	EXPECT_LE(2, rd32(self->vm, D_CNT));
	/* FIXTURE_TEARDOWN deletes the VP and the partition now */
}

TEST_HARNESS_MAIN
