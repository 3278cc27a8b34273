// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest time in hvsim, one real-mode guest program per feature, every
 * bound a relation between values the guest and the VMM read (order,
 * equality, counts), never a wall-clock duration:
 *
 *  - clock: the guest samples TIME_REF_COUNT, RDTSC, TIME_REF_COUNT and
 *    RDTSCP; the reference TSC page's time of the first TSC lies between
 *    the two counter reads, every sample follows the previous one, the
 *    TSC and TIME_REF_COUNT registers the VMM reads between two samples
 *    lie between them, RDTSCP's ECX is TSC_AUX, TSC_FREQUENCY and
 *    APIC_FREQUENCY are 1 GHz;
 *  - freeze: with TIME_FREEZE 1 two samples are equal and REFERENCE_TIME
 *    reads the frozen counter; a REFERENCE_TIME set while frozen is what
 *    the guest reads next (TSC = 100 x counter); unfrozen, the clock runs
 *    on from it;
 *  - periodic direct-mode timer: a halted guest is woken by each
 *    expiration, its handler counts to 5 and disables the timer; after
 *    five more periods of reference time the count is still 5;
 *  - one-shot message-mode timer (AUTO_ENABLE): exactly one
 *    HVMSG_TIMER_EXPIRED with timer index, expiration time (the COUNT
 *    written) and a delivery time at or after it; the timer disables
 *    itself;
 *  - a busy slot: the expiration stays pending (UNDELIVERED_MSG_PENDING
 *    and its time in GET_VP_STATE, MSG_PENDING in the slot), and the
 *    guest's EOM after freeing the slot delivers it;
 *  - a frozen clock stops the timers; SET_VP_STATE of the timers arms
 *    them; a VM torn down with timers armed leaves nothing behind.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000
#define HANDLER_GPA	0x2000
#define DATA_GPA	0x3000
#define LOG_GPA		0x3400	/* 32-byte records of the handler */
#define TSC_PAGE_GPA	0x5000
#define STACK_TOP	0x8000
#define SIMP_GPA	0xA000

/* Data words the guest and the test share (8 bytes each) */
#define D_A0		(DATA_GPA + 0x00)	/* TIME_REF_COUNT */
#define D_T0		(DATA_GPA + 0x08)	/* RDTSC */
#define D_A1		(DATA_GPA + 0x10)	/* TIME_REF_COUNT */
#define D_T1		(DATA_GPA + 0x18)	/* RDTSCP */
#define D_AUX		(DATA_GPA + 0x20)	/* RDTSCP's ECX */
#define D_FREQ		(DATA_GPA + 0x28)	/* TSC_FREQUENCY */
#define D_AFREQ		(DATA_GPA + 0x30)	/* APIC_FREQUENCY */
#define D_CNT		(DATA_GPA + 0x38)	/* handler runs */
#define D_EXP		(DATA_GPA + 0x40)	/* a timer's expiration */
#define D_WAIT		(DATA_GPA + 0x48)	/* wait until this time */
#define D_ZERO		(DATA_GPA + 0x50)	/* 0 */

#define PORT_SAMPLE	0x80
#define PORT_READY	0x81
#define PORT_CHECK	0x82
#define PORT_DONE	0x83

#define TIMER_VECTOR	0x60
#define MSG_VECTOR	0x50
#define MSG_SINT	2
#define SLOT_GPA	(SIMP_GPA + MSG_SINT * HV_MESSAGE_SIZE)

#define MSR_TIME_REF	HV_X64_MSR_TIME_REF_COUNT

#define SPF		HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES
#define REF_TIME	HV_PARTITION_PROPERTY_REFERENCE_TIME
#define FEATURES	0x6400ffbULL	/* SynIC, timers, direct timers */
#define PERIOD		10000		/* 1 ms in 100 ns units */
#define PERIODIC_RUNS	5

#define ONESHOT_DELTA	5000		/* 500 us */
#define FROZEN_DELTA	2000000		/* 200 ms */
#define SINT_BITS	((__u64)MSG_SINT << HV_STIMER_CONFIG_SINT_SHIFT)

/*
 * The guest programs are 16-bit code, written with the assembler macros
 * below; the symbols are the C macros of the same names.
 *
 *   gt_wrmsr msr, lo[, hi]	wrmsr @msr, @hi:@lo
 *   gt_wrmsr_mem msr, addr	wrmsr @msr, the 8 bytes at @addr
 *   gt_rdmsr msr, addr		rdmsr @msr into the 8 bytes at @addr
 *   gt_store addr		the 8 bytes at @addr = edx:eax
 *   gt_add addr, imm		the 8 bytes at @addr += @imm
 *   gt_copy dst, src		the 8 bytes at @dst = those at @src
 *   gt_wait_until addr		spin until TIME_REF_COUNT >= the 8 bytes
 *				at @addr (IF as it is)
 *   gt_halt_until n		sti; hlt; cli until dword [D_CNT] >= @n
 *   gt_done			out PORT_DONE, dword [D_CNT]; hlt
 *   gt_synic			SIMP, SINT MSG_SINT -> MSG_VECTOR, SCONTROL
 *   gt_arm n, delta		D_EXP = TIME_REF_COUNT + @delta; STIMER@n's
 *				COUNT = D_EXP
 *   gt_push, gt_pop_iret	save eax, ecx, edx, bx / restore them, iret
 *   gt_eoi			wrmsr x2APIC EOI
 *
 * "{disp16} jmp" keeps the near form of a backward jump.
 */
#define GT_SET(sym)	"	.set " #sym ", " MSHV_GUEST_STR(sym) "\n"

__asm__(GT_SET(D_A0) GT_SET(D_T0) GT_SET(D_A1) GT_SET(D_T1) GT_SET(D_AUX)
	GT_SET(D_FREQ) GT_SET(D_AFREQ) GT_SET(D_CNT) GT_SET(D_EXP)
	GT_SET(D_WAIT) GT_SET(LOG_GPA) GT_SET(SLOT_GPA) GT_SET(SIMP_GPA)
	GT_SET(TSC_PAGE_GPA) GT_SET(PORT_SAMPLE) GT_SET(PORT_READY)
	GT_SET(PORT_CHECK) GT_SET(PORT_DONE) GT_SET(MSG_SINT)
	GT_SET(MSG_VECTOR) GT_SET(TIMER_VECTOR) GT_SET(PERIOD)
	GT_SET(PERIODIC_RUNS) GT_SET(ONESHOT_DELTA) GT_SET(FROZEN_DELTA)
	GT_SET(MSR_TIME_REF)
	/* HV_STIMER_CONFIG_*, HV_SYNIC_*_ENABLE: see the static_assert */
	"	.set STIMER_CONFIG, " MSHV_GUEST_STR(HV_X64_MSR_STIMER0_CONFIG) "\n"
	"	.set STIMER_COUNT, " MSHV_GUEST_STR(HV_X64_MSR_STIMER0_COUNT) "\n"
	"	.set CFG_ENABLE, 0x1\n"
	"	.set CFG_PERIODIC, 0x2\n"
	"	.set CFG_AUTO_ENABLE, 0x8\n"
	"	.set CFG_DIRECT, 0x1000\n"
	"	.set CFG_VECTOR_SHIFT, 4\n"
	"	.set SINT_BITS, 0x20000\n"
	"	.set PAGE_ENABLE, 0x1\n"
	"	.set CONTROL_ENABLE, 0x1\n"
	".macro gt_store addr\n"
	"	mov %eax, \\addr\n"
	"	mov %edx, \\addr+4\n"
	".endm\n"
	".macro gt_wrmsr msr, lo, hi=0\n"
	"	mov $\\msr, %ecx\n"
	"	mov $\\lo, %eax\n"
	"	mov $\\hi, %edx\n"
	"	wrmsr\n"
	".endm\n"
	".macro gt_wrmsr_mem msr, addr\n"
	"	mov $\\msr, %ecx\n"
	"	mov \\addr, %eax\n"
	"	mov \\addr+4, %edx\n"
	"	wrmsr\n"
	".endm\n"
	".macro gt_rdmsr msr, addr\n"
	"	mov $\\msr, %ecx\n"
	"	rdmsr\n"
	"	gt_store \\addr\n"
	".endm\n"
	".macro gt_add addr, imm\n"
	"	addl $\\imm, \\addr\n"
	"	adcl $0, \\addr+4\n"
	".endm\n"
	".macro gt_copy dst, src\n"
	"	mov \\src, %eax\n"
	"	mov \\src+4, %edx\n"
	"	gt_store \\dst\n"
	".endm\n"
	".macro gt_wait_until addr\n"
	"8:	mov $MSR_TIME_REF, %ecx\n"
	"	rdmsr\n"
	"	cmp \\addr+4, %edx\n"
	"	jb 8b\n"
	"	ja 9f\n"
	"	cmp \\addr, %eax\n"
	"	jb 8b\n"
	"9:\n"
	".endm\n"
	".macro gt_halt_until n\n"
	"8:	sti\n"
	"	hlt\n"
	"	cli\n"
	"	cmpl $\\n, D_CNT\n"
	"	jae 9f\n"
	"	{disp16} jmp 8b\n"
	"9:\n"
	".endm\n"
	".macro gt_done\n"
	"	mov D_CNT, %eax\n"
	"	out %eax, $PORT_DONE\n"
	"	hlt\n"
	".endm\n"
	".macro gt_synic\n"
	"	gt_wrmsr " MSHV_GUEST_STR(HV_X64_MSR_SIMP) ", SIMP_GPA|PAGE_ENABLE\n"
	"	gt_wrmsr " MSHV_GUEST_STR(HV_X64_MSR_SINT0) "+MSG_SINT, MSG_VECTOR\n"
	"	gt_wrmsr " MSHV_GUEST_STR(HV_X64_MSR_SCONTROL) ", CONTROL_ENABLE\n"
	".endm\n"
	".macro gt_arm n, delta\n"
	"	gt_rdmsr MSR_TIME_REF, D_EXP\n"
	"	gt_add D_EXP, \\delta\n"
	"	gt_wrmsr_mem STIMER_COUNT+2*\\n, D_EXP\n"
	".endm\n"
	".macro gt_push\n"
	"	push %eax\n"
	"	push %ecx\n"
	"	push %edx\n"
	"	push %bx\n"
	".endm\n"
	".macro gt_pop_iret\n"
	"	pop %bx\n"
	"	pop %edx\n"
	"	pop %ecx\n"
	"	pop %eax\n"
	"	iret\n"
	".endm\n"
	".macro gt_eoi\n"
	"	gt_wrmsr " MSHV_GUEST_STR(HV_X86_MSR_X2APIC_EOI) ", 0\n"
	".endm\n");

/* The numbers the assembler macros are written with */
static_assert(HV_STIMER_CONFIG_ENABLE == 0x1 &&
	      HV_STIMER_CONFIG_PERIODIC == 0x2 &&
	      HV_STIMER_CONFIG_AUTO_ENABLE == 0x8 &&
	      HV_STIMER_CONFIG_DIRECT_MODE == 0x1000 &&
	      HV_STIMER_CONFIG_VECTOR_SHIFT == 4 && SINT_BITS == 0x20000 &&
	      HV_SYNIC_PAGE_ENABLE == 0x1 && HV_SYNIC_CONTROL_ENABLE == 0x1,
	      "guest time code: timer and SynIC bits");

FIXTURE(gtime)
{
	struct mshv_vm vm;
	struct mshv_vp *vp;
};

FIXTURE_SETUP(gtime)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	const struct mshv_pt_property spf = { SPF, FEATURES };

	mshv_vm_setup(&self->vm, &spf, 1, MEM_SIZE);
	/* every page touched, so that all of it is mapped writable */
	memset(self->vm.mem, 0, MEM_SIZE);
	self->vp = mshv_vp_create(&self->vm, 0);
	mshv_vp_set_real_mode_cs(self->vp, 0, 0);
	mshv_vp_set_registers(self->vp, regs, ARRAY_SIZE(regs));
}

FIXTURE_TEARDOWN(gtime)
{
	mshv_vp_free(self->vp);
	close(self->vm.fd);
	close(self->vm.dev_fd);
	munmap(self->vm.mem, self->vm.mem_size);
}

static __u64 rd64(struct mshv_vm *vm, __u64 gpa)
{
	__u64 v;

	memcpy(&v, (__u8 *)vm->mem + gpa, sizeof(v));
	return v;
}

static void set_property(struct __test_metadata *_metadata, int fd,
			 __u32 code, __u64 value)
{
	__u16 status = 0xFFFF;

	ASSERT_EQ(0, mshv_set_partition_property(fd, code, value, &status));
	ASSERT_EQ(0, status);
}

/* The reference time the page gives for @tsc */
static __u64 page_time(struct mshv_vm *vm, __u64 tsc)
{
	struct hv_reference_tsc_page p;

	memcpy(&p, (__u8 *)vm->mem + TSC_PAGE_GPA, sizeof(p));
	return (__u64)(((__uint128_t)tsc * p.tsc_scale) >> 64) +
	       p.tsc_offset;
}

/* One sample of the sampler guest */
struct sample {
	__u64 a0, t0, a1, t1, aux;
};

static struct sample take_sample(struct __test_metadata *_metadata,
				 struct mshv_vm *vm, struct mshv_vp *vp)
{
	struct sample s;

	mshv_vp_run_port(vp, PORT_SAMPLE);
	s.a0 = rd64(vm, D_A0);
	s.t0 = rd64(vm, D_T0);
	s.a1 = rd64(vm, D_A1);
	s.t1 = rd64(vm, D_T1);
	s.aux = rd64(vm, D_AUX) & 0xFFFFFFFF;
	return s;
}

/*
 * The sampler: enable the reference TSC page, read the frequencies, then
 * loop: TIME_REF_COUNT, RDTSC, TIME_REF_COUNT, RDTSCP, out SAMPLE
 */
MSHV_GUEST_CODE(sampler_code, 16,
		"	gt_wrmsr " MSHV_GUEST_STR(HV_X64_MSR_REFERENCE_TSC) ", TSC_PAGE_GPA|1\n"
		"	gt_rdmsr " MSHV_GUEST_STR(HV_X64_MSR_TSC_FREQUENCY) ", D_FREQ\n"
		"	gt_rdmsr " MSHV_GUEST_STR(HV_X64_MSR_APIC_FREQUENCY) ", D_AFREQ\n"
		"1:	gt_rdmsr MSR_TIME_REF, D_A0\n"
		"	rdtsc\n"
		"	gt_store D_T0\n"
		"	gt_rdmsr MSR_TIME_REF, D_A1\n"
		"	rdtscp\n"
		"	gt_store D_T1\n"
		"	mov %ecx, D_AUX\n"
		"	out %al, $PORT_SAMPLE\n"
		"	{disp16} jmp 1b\n");

static void write_sampler(struct mshv_vm *vm)
{
	mshv_vm_write(vm, CODE_GPA, sampler_code, MSHV_GUEST_SIZE(sampler_code));
}

/* TSC, reference counter and TSC page agree; the registers too */
TEST_F(gtime, clock)
{
	struct sample prev, s;
	struct hv_reference_tsc_page page;
	unsigned int i;

	write_sampler(&self->vm);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_TSC_AUX, 0x1234);
	prev = take_sample(_metadata, &self->vm, self->vp);
	EXPECT_EQ(1000000000ULL, rd64(&self->vm, D_FREQ));
	EXPECT_EQ(1000000000ULL, rd64(&self->vm, D_AFREQ));
	memcpy(&page, (__u8 *)self->vm.mem + TSC_PAGE_GPA, sizeof(page));
	EXPECT_NE(0, page.tsc_sequence);
	EXPECT_EQ(0, page.reserved1);
	EXPECT_EQ(0x028F5C28F5C28F5DULL, page.tsc_scale);
	EXPECT_EQ(0, page.tsc_offset);
	for (i = 0; i < 20; i++) {
		__u64 tsc_reg = mshv_vp_get_reg(self->vp, HV_X64_REGISTER_TSC);
		__u64 ref_reg = mshv_vp_get_reg(self->vp,
						HV_REGISTER_TIME_REF_COUNT);

		s = take_sample(_metadata, &self->vm, self->vp);
		EXPECT_LE(s.a0, page_time(&self->vm, s.t0));
		EXPECT_LE(page_time(&self->vm, s.t0), s.a1);
		EXPECT_LE(s.t0, s.t1);
		EXPECT_LE(s.a0, s.a1);
		EXPECT_EQ(0x1234, s.aux);
		/* the registers read between two samples lie between them */
		EXPECT_LE(prev.t1, tsc_reg);
		EXPECT_LE(tsc_reg, s.t0);
		EXPECT_LE(prev.a1, ref_reg);
		EXPECT_LE(ref_reg, s.a0);
		/* the clock advances (100 ns between two dispatches at least) */
		EXPECT_LT(prev.t1, s.t0);
		prev = s;
	}
	EXPECT_LT(0, s.a1);
}

/* Frozen the clock stands still; REFERENCE_TIME restarts it */
TEST_F(gtime, freeze)
{
	const __u32 freeze = HV_PARTITION_PROPERTY_TIME_FREEZE;
	const __u32 reftime = HV_PARTITION_PROPERTY_REFERENCE_TIME;
	struct sample s1, s2, s3;
	__u64 restored;

	write_sampler(&self->vm);
	s1 = take_sample(_metadata, &self->vm, self->vp);
	set_property(_metadata, self->vm.fd, freeze, 1);
	EXPECT_EQ(1, mshv_get_partition_property(self->vm.fd, freeze));
	s2 = take_sample(_metadata, &self->vm, self->vp);
	s3 = take_sample(_metadata, &self->vm, self->vp);
	EXPECT_LE(s1.a1, s2.a0);
	EXPECT_EQ(s2.a0, s2.a1);
	EXPECT_EQ(s2.t0, s2.t1);
	EXPECT_EQ(s2.a0, page_time(&self->vm, s2.t0));
	EXPECT_EQ(s2.a0, s3.a0);
	EXPECT_EQ(s2.t0, s3.t1);
	EXPECT_EQ(s2.a0, mshv_get_partition_property(self->vm.fd, reftime));
	EXPECT_EQ(s2.t0, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_TSC));

	/* the VMM's restore: 10 s later, still frozen */
	restored = s2.a0 + 100000000ULL;
	set_property(_metadata, self->vm.fd, reftime, restored);
	s3 = take_sample(_metadata, &self->vm, self->vp);
	EXPECT_EQ(restored, s3.a0);
	EXPECT_EQ(restored, s3.a1);
	EXPECT_EQ(restored * 100, s3.t0);
	EXPECT_EQ(restored, page_time(&self->vm, s3.t0));

	set_property(_metadata, self->vm.fd, freeze, 0);
	s1 = take_sample(_metadata, &self->vm, self->vp);
	s2 = take_sample(_metadata, &self->vm, self->vp);
	EXPECT_LE(restored, s1.a0);
	EXPECT_LT(s1.t1, s2.t0);
	EXPECT_LE(s2.a0, page_time(&self->vm, s2.t0));
	EXPECT_LE(page_time(&self->vm, s2.t0), s2.a1);
	EXPECT_GT(s2.t0, restored * 100);
}

/*
 * Periodic direct-mode STIMER0, vector TIMER_VECTOR: the handler counts
 * and disables the timer at PERIODIC_RUNS; the guest halts until then,
 * waits five more periods and reports the count
 */
MSHV_GUEST_CODE(periodic_code, 16,
		"	gt_wrmsr STIMER_COUNT, PERIOD\n"
		"	.set PERIODIC_CFG, CFG_ENABLE|CFG_PERIODIC|CFG_DIRECT\n"
		"	gt_wrmsr STIMER_CONFIG, PERIODIC_CFG|TIMER_VECTOR<<CFG_VECTOR_SHIFT\n"
		"	out %al, $PORT_READY\n"
		"	gt_halt_until PERIODIC_RUNS\n"
		"	gt_rdmsr MSR_TIME_REF, D_WAIT\n"
		"	gt_add D_WAIT, 5*PERIOD\n"
		"	sti\n"
		"	gt_wait_until D_WAIT\n"
		"	gt_done\n");

MSHV_GUEST_CODE(periodic_handler, 16,
		"	gt_push\n"
		"	incl D_CNT\n"
		"	cmpl $PERIODIC_RUNS, D_CNT\n"
		"	jb 1f\n"
		"	gt_wrmsr STIMER_CONFIG, 0\n"
		"1:	gt_eoi\n"
		"	gt_pop_iret\n");

static void write_periodic(struct mshv_vm *vm)
{
	mshv_vm_write(vm, CODE_GPA, periodic_code,
		      MSHV_GUEST_SIZE(periodic_code));
	mshv_vm_write(vm, HANDLER_GPA, periodic_handler,
		      MSHV_GUEST_SIZE(periodic_handler));
	mshv_vm_set_ivt(vm, TIMER_VECTOR, HANDLER_GPA);
}

TEST_F(gtime, periodic_direct)
{
	__u64 signals = mshv_dbg_irq_field_get("timer_signals");

	write_periodic(&self->vm);
	mshv_vp_run_port(self->vp, PORT_READY);
	EXPECT_EQ(HV_STIMER_CONFIG_ENABLE | HV_STIMER_CONFIG_PERIODIC |
		  HV_STIMER_CONFIG_DIRECT_MODE |
		  TIMER_VECTOR << HV_STIMER_CONFIG_VECTOR_SHIFT,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG));
	EXPECT_EQ(PERIOD, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_COUNT));
	EXPECT_EQ(PERIODIC_RUNS, mshv_vp_run_port(self->vp, PORT_DONE));
	EXPECT_EQ(PERIODIC_RUNS, rd64(&self->vm, D_CNT));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG));
	/* the halted VP was woken through the root's signal path */
	EXPECT_LE(signals + 1, mshv_dbg_irq_field_get("timer_signals"));
}

/* One record of the message handler */
struct record {
	__u32 type;
	__u32 size_flags;	/* payload_size | message_flags << 8 */
	__u32 timer_index;
	__u32 exp_lo, exp_hi;
	__u32 del_lo, del_hi;
	__u32 now;		/* TIME_REF_COUNT in the handler, low half */
};

static struct record record(struct mshv_vm *vm, unsigned int i)
{
	struct record r;

	memcpy(&r, (__u8 *)vm->mem + LOG_GPA + 32 * i, sizeof(r));
	return r;
}

/*
 * The message handler: log the slot (struct record) at LOG_GPA + 32 *
 * (count % 16), count, free the slot, EOM, EOI.  "{disp8}" keeps the
 * one-byte displacement of the first field.
 */
MSHV_GUEST_CODE(msg_handler, 16,
		"	gt_push\n"
		"	mov D_CNT, %bx\n"
		"	and $0xf, %bx\n"
		"	shl $5, %bx\n"
		"	add $LOG_GPA, %bx\n"
		"	mov SLOT_GPA, %eax\n"		/* type */
		"	{disp8} mov %eax, 0(%bx)\n"
		"	mov SLOT_GPA+4, %eax\n"		/* size, flags */
		"	mov %eax, 4(%bx)\n"
		"	mov SLOT_GPA+16, %eax\n"	/* timer index */
		"	mov %eax, 8(%bx)\n"
		"	mov SLOT_GPA+24, %eax\n"	/* expiration */
		"	mov %eax, 12(%bx)\n"
		"	mov SLOT_GPA+28, %eax\n"
		"	mov %eax, 16(%bx)\n"
		"	mov SLOT_GPA+32, %eax\n"	/* delivery */
		"	mov %eax, 20(%bx)\n"
		"	mov SLOT_GPA+36, %eax\n"
		"	mov %eax, 24(%bx)\n"
		"	mov $MSR_TIME_REF, %ecx\n"
		"	rdmsr\n"
		"	mov %eax, 28(%bx)\n"
		"	incl D_CNT\n"
		"	movl $0, SLOT_GPA\n"
		"	gt_wrmsr " MSHV_GUEST_STR(HV_X64_MSR_EOM) ", 0\n"
		"	gt_eoi\n"
		"	gt_pop_iret\n");

static void write_msg_handler(struct mshv_vm *vm)
{
	mshv_vm_write(vm, HANDLER_GPA, msg_handler,
		      MSHV_GUEST_SIZE(msg_handler));
	mshv_vm_set_ivt(vm, MSG_VECTOR, HANDLER_GPA);
}

/*
 * One-shot STIMER1 in message mode, enabled by AUTO_ENABLE and the
 * COUNT write, ONESHOT_DELTA after now; the guest halts until it fired,
 * waits three more deltas (D_WAIT = D_EXP + 3 deltas) and reports the
 * count
 */
MSHV_GUEST_CODE(oneshot_code, 16,
		"	gt_synic\n"
		"	gt_wrmsr STIMER_CONFIG+2, CFG_AUTO_ENABLE|SINT_BITS\n"
		"	gt_arm 1, ONESHOT_DELTA\n"
		"	out %al, $PORT_READY\n"
		"	gt_halt_until 1\n"
		"	gt_copy D_WAIT, D_EXP\n"
		"	gt_add D_WAIT, 3*ONESHOT_DELTA\n"
		"	sti\n"
		"	gt_wait_until D_WAIT\n"
		"	cli\n"
		"	gt_done\n");

/* Load @code at CODE_GPA and the message handler */
static void write_timer_guest(struct mshv_vm *vm, const __u8 *code,
			      size_t size)
{
	mshv_vm_write(vm, CODE_GPA, code, size);
	write_msg_handler(vm);
}

TEST_F(gtime, oneshot_message)
{
	struct record r;
	__u64 exp;

	write_timer_guest(&self->vm, oneshot_code,
			  MSHV_GUEST_SIZE(oneshot_code));

	mshv_vp_run_port(self->vp, PORT_READY);
	exp = rd64(&self->vm, D_EXP);
	/*
	 * AUTO_ENABLE set ENABLE with the COUNT write; whether the timer has
	 * already expired and cleared it depends on the host's speed.
	 */
	EXPECT_EQ(HV_STIMER_CONFIG_AUTO_ENABLE | SINT_BITS,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG + 2) &
		  ~HV_STIMER_CONFIG_ENABLE);
	EXPECT_EQ(exp, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_COUNT + 2));

	EXPECT_EQ(1, mshv_vp_run_port(self->vp, PORT_DONE));
	r = record(&self->vm, 0);
	EXPECT_EQ(HVMSG_TIMER_EXPIRED, r.type);
	EXPECT_EQ(sizeof(struct hv_timer_message_payload), r.size_flags);
	EXPECT_EQ(1, r.timer_index);
	EXPECT_EQ(exp, r.exp_lo | (__u64)r.exp_hi << 32);
	EXPECT_LE(exp, r.del_lo | (__u64)r.del_hi << 32);
	EXPECT_LE(r.del_lo, r.now);
	/* a one-shot timer disables itself */
	EXPECT_EQ(HV_STIMER_CONFIG_AUTO_ENABLE | SINT_BITS,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG + 2));
	EXPECT_EQ(HVMSG_NONE, rd64(&self->vm, LOG_GPA + 32) & 0xFFFFFFFF);
}

/* MSHV_GET_VP_STATE / MSHV_SET_VP_STATE of the synthetic timers */
static void timers_state(struct __test_metadata *_metadata,
			 struct mshv_vp *vp, unsigned long req,
			 struct hv_synthetic_timers_state *st)
{
	static __u8 *buf;

	if (!buf)
		buf = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, buf);
	if (req == MSHV_SET_VP_STATE)
		memcpy(buf, st, sizeof(*st));
	mshv_vp_state(vp, req, MSHV_VP_STATE_SYNTHETIC_TIMERS, buf);
	if (req == MSHV_GET_VP_STATE)
		memcpy(st, buf, sizeof(*st));
}

/* The SIMP page of @vp (MSHV_GET_VP_STATE): MSG_SINT's slot header */
static struct hv_message_header slot_header(struct __test_metadata *_metadata,
					    struct mshv_vp *vp)
{
	static __u8 *page;
	struct hv_message_header h;

	if (!page)
		page = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(page, "aligned_alloc");
	mshv_vp_state(vp, MSHV_GET_VP_STATE, MSHV_VP_STATE_SIMP, page);
	memcpy(&h, page + MSG_SINT * HV_MESSAGE_SIZE, sizeof(h));
	return h;
}

/*
 * The slot is busy (the VMM posted a message the guest has not taken):
 * the expiration stays pending; the guest frees the slot and writes EOM,
 * then the timer message arrives.  Interrupts stay off until PORT_CHECK:
 * the posted message stays in the slot.
 */
MSHV_GUEST_CODE(busy_code, 16,
		"	gt_synic\n"
		"	out %al, $PORT_READY\n"
		"	gt_arm 1, ONESHOT_DELTA\n"
		"	gt_wrmsr STIMER_CONFIG+2, CFG_ENABLE|SINT_BITS\n"
		"	gt_copy D_WAIT, D_EXP\n"
		"	gt_add D_WAIT, ONESHOT_DELTA\n"
		"	gt_wait_until D_WAIT\n"
		"	out %al, $PORT_CHECK\n"
		"	gt_halt_until 2\n"
		"	gt_done\n");

TEST_F(gtime, busy_slot)
{
	struct hv_input_post_message_direct in = { .sint_index = MSG_SINT };
	struct hv_message *posted = (void *)in.message;
	struct mshv_root_hvcall call = {
		.code = HVCALL_POST_MESSAGE_DIRECT,
		.in_sz = sizeof(in),
		.in_ptr = (__u64)(unsigned long)&in,
	};
	struct hv_synthetic_timers_state st;
	struct hv_message_header h;
	struct record r;
	__u64 exp;
	int err;

	write_timer_guest(&self->vm, busy_code, MSHV_GUEST_SIZE(busy_code));

	mshv_vp_run_port(self->vp, PORT_READY);
	posted->header.message_type = 1;
	posted->header.payload_size = 8;
	ASSERT_EQ(0, mshv_hvcall_checked(self->vm.fd, &call, &err));

	mshv_vp_run_port(self->vp, PORT_CHECK);
	exp = rd64(&self->vm, D_EXP);
	timers_state(_metadata, self->vp, MSHV_GET_VP_STATE, &st);
	EXPECT_EQ(HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING, st.timers[1].flags);
	EXPECT_EQ(exp, st.timers[1].undelivered_exp_time);
	EXPECT_EQ(SINT_BITS, st.timers[1].config);	/* one-shot: done */
	h = slot_header(_metadata, self->vp);
	EXPECT_EQ(1, h.message_type);
	EXPECT_EQ(HV_MESSAGE_FLAG_PENDING, h.message_flags);

	EXPECT_EQ(2, mshv_vp_run_port(self->vp, PORT_DONE));
	r = record(&self->vm, 0);
	EXPECT_EQ(1, r.type);
	EXPECT_EQ(8 | HV_MESSAGE_FLAG_PENDING << 8, r.size_flags);
	r = record(&self->vm, 1);
	EXPECT_EQ(HVMSG_TIMER_EXPIRED, r.type);
	EXPECT_EQ(sizeof(struct hv_timer_message_payload), r.size_flags);
	EXPECT_EQ(1, r.timer_index);
	EXPECT_EQ(exp, r.exp_lo | (__u64)r.exp_hi << 32);
	/* delivered after the wait, at the EOM */
	EXPECT_LE(exp + ONESHOT_DELTA, r.del_lo | (__u64)r.del_hi << 32);
	timers_state(_metadata, self->vp, MSHV_GET_VP_STATE, &st);
	EXPECT_EQ(0, st.timers[1].flags);
	EXPECT_EQ(0, st.timers[1].undelivered_exp_time);
}

/* A frozen clock stops the timers; they fire once it runs again */
MSHV_GUEST_CODE(frozen_code, 16,
		"	gt_synic\n"
		"	gt_arm 3, FROZEN_DELTA\n"
		"	gt_wrmsr STIMER_CONFIG+6, CFG_ENABLE|SINT_BITS\n"
		"	out %al, $PORT_READY\n"
		"	gt_halt_until 1\n"
		"	gt_done\n");

TEST_F(gtime, frozen_timer)
{
	const __u32 freeze = HV_PARTITION_PROPERTY_TIME_FREEZE;
	__u64 exp, now;

	write_timer_guest(&self->vm, frozen_code,
			  MSHV_GUEST_SIZE(frozen_code));

	mshv_vp_run_port(self->vp, PORT_READY);
	set_property(_metadata, self->vm.fd, freeze, 1);
	exp = rd64(&self->vm, D_EXP);
	now = mshv_get_partition_property(self->vm.fd, REF_TIME);
	if (now >= exp)
		SKIP(return, "the host took 200 ms to freeze the clock");
	/* halted with its timer ahead of a clock that stands still */
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp, 2 * FROZEN_DELTA / 10000));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(0, rd64(&self->vm, D_CNT));
	EXPECT_EQ(now, mshv_get_partition_property(self->vm.fd, REF_TIME));

	set_property(_metadata, self->vm.fd, freeze, 0);
	EXPECT_EQ(1, mshv_vp_run_port(self->vp, PORT_DONE));
	EXPECT_EQ(3, record(&self->vm, 0).timer_index);
	EXPECT_EQ(exp, record(&self->vm, 0).exp_lo |
		  (__u64)record(&self->vm, 0).exp_hi << 32);
}

/* SET_VP_STATE arms the timers it restores; GET reads them back */
MSHV_GUEST_CODE(vp_state_code, 16,
		"	gt_synic\n"
		"	out %al, $PORT_READY\n"
		"	gt_halt_until 1\n"
		"	gt_done\n");

TEST_F(gtime, vp_state)
{
	const __u32 freeze = HV_PARTITION_PROPERTY_TIME_FREEZE;
	struct hv_synthetic_timers_state st, back;
	__u64 now;

	write_timer_guest(&self->vm, vp_state_code,
			  MSHV_GUEST_SIZE(vp_state_code));

	mshv_vp_run_port(self->vp, PORT_READY);
	timers_state(_metadata, self->vp, MSHV_GET_VP_STATE, &st);
	EXPECT_EQ(0, st.timers[2].config);
	/* frozen, so that nothing expires before the state is read back */
	set_property(_metadata, self->vm.fd, freeze, 1);
	now = mshv_get_partition_property(self->vm.fd, REF_TIME);
	memset(&st, 0, sizeof(st));
	st.timers[2].config = HV_STIMER_CONFIG_ENABLE | SINT_BITS;
	st.timers[2].count = now + 1000;
	st.timers[2].adjustment = 0x77;
	/* a periodic timer restored disabled stays so */
	st.timers[0].config = HV_STIMER_CONFIG_PERIODIC | SINT_BITS;
	st.timers[0].count = 1;
	timers_state(_metadata, self->vp, MSHV_SET_VP_STATE, &st);
	timers_state(_metadata, self->vp, MSHV_GET_VP_STATE, &back);
	EXPECT_EQ(0, memcmp(&st, &back, sizeof(st)));
	EXPECT_EQ(st.timers[2].config,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG + 4));
	EXPECT_EQ(now + 1000,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_COUNT + 4));
	set_property(_metadata, self->vm.fd, freeze, 0);

	EXPECT_EQ(1, mshv_vp_run_port(self->vp, PORT_DONE));
	EXPECT_EQ(2, record(&self->vm, 0).timer_index);
	EXPECT_EQ(now + 1000, record(&self->vm, 0).exp_lo |
		  (__u64)record(&self->vm, 0).exp_hi << 32);
	timers_state(_metadata, self->vp, MSHV_GET_VP_STATE, &back);
	EXPECT_EQ(SINT_BITS, back.timers[2].config);
	EXPECT_EQ(0x77, back.timers[2].adjustment);
	EXPECT_EQ(HV_STIMER_CONFIG_PERIODIC | SINT_BITS, back.timers[0].config);
	EXPECT_EQ(1, rd64(&self->vm, D_CNT));
}

/*
 * A VM torn down with all four timers armed, periodic at 10 ms, while
 * its VP is halted: the VP and its timers go (kmemleak, KASAN and the
 * splat check of the run see the rest)
 */
MSHV_GUEST_CODE(teardown_code, 16,
		"	gt_synic\n"
		"	.irp n, 0, 1, 2, 3\n"
		"	gt_wrmsr STIMER_COUNT+2*\\n, 100000\n"
		"	gt_wrmsr STIMER_CONFIG+2*\\n, CFG_ENABLE|CFG_PERIODIC|SINT_BITS\n"
		"	.endr\n"
		"	out %al, $PORT_READY\n"
		"	gt_halt_until 3\n"
		"	out %al, $PORT_CHECK\n"
		"1:	sti\n"
		"	hlt\n"
		"	jmp 1b\n");
static_assert(HV_SYNIC_STIMER_COUNT == 4, "teardown_code: four timers");

TEST_F(gtime, teardown_armed)
{
	write_timer_guest(&self->vm, teardown_code,
			  MSHV_GUEST_SIZE(teardown_code));

	mshv_vp_run_port(self->vp, PORT_READY);
	mshv_vp_run_port(self->vp, PORT_CHECK);
	EXPECT_LE(3, rd64(&self->vm, D_CNT));
	/* FIXTURE_TEARDOWN deletes the VP and the partition now */
}

TEST_HARNESS_MAIN
