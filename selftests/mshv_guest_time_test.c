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
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL
#define HANDLER_GPA	0x2000ULL
#define DATA_GPA	0x3000ULL
#define LOG_GPA		0x3400ULL	/* 32-byte records of the handler */
#define TSC_PAGE_GPA	0x5000ULL
#define STACK_TOP	0x8000ULL
#define SIMP_GPA	0xA000ULL

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
#define MSR_STIMER_CONFIG(n)	(HV_X64_MSR_STIMER0_CONFIG + 2 * (n))
#define MSR_STIMER_COUNT(n)	(HV_X64_MSR_STIMER0_COUNT + 2 * (n))

#define SPF		HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES
#define REF_TIME	HV_PARTITION_PROPERTY_REFERENCE_TIME
#define FEATURES	0x6400ffbULL	/* SynIC, timers, direct timers */
#define PERIOD		10000		/* 1 ms in 100 ns units */
#define PERIODIC_RUNS	5

/* 16-bit guest code, assembled at run time */
struct code {
	__u8 b[512];
	unsigned int n;
};

static void emit(struct code *c, const __u8 *bytes, unsigned int n)
{
	MSHV_TEST_ASSERT(c->n + n <= sizeof(c->b), "code too long");
	memcpy(c->b + c->n, bytes, n);
	c->n += n;
}

/*
 * Append the bytes @fmt describes, separated by spaces: two hex digits
 * are a byte; b, w and d take the next argument (unsigned int) as 1, 2
 * or 4 little-endian bytes
 */
static void asmb(struct code *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	while (*fmt) {
		unsigned int n = 0, v = 0, i;

		switch (*fmt) {
		case ' ':
			fmt++;
			continue;
		case 'b':
			n = 1;
			break;
		case 'w':
			n = 2;
			break;
		case 'd':
			n = 4;
			break;
		default:
			v = strtoul((char[]){ fmt[0], fmt[1], 0 }, NULL, 16);
			emit(c, (__u8 *)&v, 1);
			fmt += 2;
			continue;
		}
		v = va_arg(ap, unsigned int);
		for (i = 0; i < n; i++) {
			__u8 byte = v >> (8 * i);

			emit(c, &byte, 1);
		}
		fmt++;
	}
	va_end(ap);
}

/* mov ecx, @msr */
static void emit_ecx(struct code *c, __u32 msr)
{
	asmb(c, "66 B9 d", msr);
}

/* mov [@addr], eax; mov [@addr + 4], edx */
static void emit_store(struct code *c, __u16 addr)
{
	asmb(c, "66 A3 w 66 89 16 w", addr, addr + 4);
}

/* wrmsr @msr, @lo:@hi */
static void emit_wrmsr(struct code *c, __u32 msr, __u32 lo, __u32 hi)
{
	emit_ecx(c, msr);
	asmb(c, "66 B8 d 66 BA d 0F 30", lo, hi);
}

/* wrmsr @msr, the 8 bytes at @addr */
static void emit_wrmsr_mem(struct code *c, __u32 msr, __u16 addr)
{
	emit_ecx(c, msr);
	asmb(c, "66 A1 w 66 8B 16 w 0F 30", addr, addr + 4);
}

/* rdmsr @msr into the 8 bytes at @addr */
static void emit_rdmsr(struct code *c, __u32 msr, __u16 addr)
{
	emit_ecx(c, msr);
	asmb(c, "0F 32");
	emit_store(c, addr);
}

/* the 8 bytes at @addr += @imm */
static void emit_add(struct code *c, __u16 addr, __u32 imm)
{
	asmb(c, "66 81 06 w d 66 83 16 w 00", addr, imm, addr + 4); /* add, adc */
}

/* copy the 8 bytes at @src to @dst */
static void emit_copy(struct code *c, __u16 dst, __u16 src)
{
	asmb(c, "66 A1 w 66 8B 16 w", src, src + 4);
	emit_store(c, dst);
}

/* spin until TIME_REF_COUNT >= the 8 bytes at @addr (IF as it is) */
static void emit_wait_until(struct code *c, __u16 addr)
{
	unsigned int top = c->n;

	emit_ecx(c, MSR_TIME_REF);
	/* rdmsr; cmp edx, [hi]; jb top; ja out; cmp eax, [lo]; jb top; out: */
	asmb(c, "0F 32 66 3B 16 w 72 b 77 07 66 3B 06 w 72 b",
	     addr + 4, (__u8)(top - (c->n + 9)), addr,
	     (__u8)(top - (c->n + 18)));
}

/* out @port, al */
static void emit_out(struct code *c, __u8 port)
{
	asmb(c, "E6 b", port);
}

/* jmp to @target (an offset in @c) */
static void emit_jmp(struct code *c, unsigned int target)
{
	asmb(c, "E9 w", target - (c->n + 3));
}

/* sti; hlt; cli */
static void emit_halt(struct code *c)
{
	asmb(c, "FB F4 FA");
}

/* push eax, ecx, edx, bx / pop them, iret */
static void emit_push(struct code *c)
{
	asmb(c, "66 50 66 51 66 52 53");
}

static void emit_pop_iret(struct code *c)
{
	asmb(c, "5B 66 5A 66 59 66 58 CF");
}

/* inc dword [D_CNT] */
static void emit_count(struct code *c)
{
	asmb(c, "66 FF 06 w", D_CNT);
}

/* wrmsr x2APIC EOI */
static void emit_eoi(struct code *c)
{
	emit_wrmsr(c, HV_X86_MSR_X2APIC_EOI, 0, 0);
}

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
	__u16 status;
	int ret;

	memset(&self->vm, 0, sizeof(self->vm));
	self->vm.dev_fd = mshv_open_dev();
	self->vm.fd = mshv_create_partition(self->vm.dev_fd,
					    1ULL << MSHV_PT_BIT_LAPIC);
	ret = mshv_set_partition_property(self->vm.fd, SPF, FEATURES, &status);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, status);
	mshv_initialize_partition(self->vm.fd);
	mshv_vm_add_memory(&self->vm, 0, MEM_SIZE);
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

/* Point vector @vector of the real-mode IVT at @handler */
static void set_ivt(struct mshv_vm *vm, __u8 vector, __u16 handler)
{
	__u8 ivt[4] = { handler & 0xFF, handler >> 8, 0, 0 };

	mshv_vm_write(vm, vector * 4, ivt, sizeof(ivt));
}

/* Run until port I/O on @port (any other stop fails); the value of AL/EAX */
static __u64 run_port(struct __test_metadata *_metadata, struct mshv_vp *vp,
		      __u16 port)
{
	const struct hv_x64_io_port_intercept_message *io;
	__u64 rax;

	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(port, io->port_number);
	rax = io->rax;
	mshv_vp_skip_insn(vp, &io->header);
	return rax;
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

	run_port(_metadata, vp, PORT_SAMPLE);
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
static void write_sampler(struct mshv_vm *vm)
{
	struct code c = { .n = 0 };
	unsigned int loop;

	emit_wrmsr(&c, HV_X64_MSR_REFERENCE_TSC, TSC_PAGE_GPA | 1, 0);
	emit_rdmsr(&c, HV_X64_MSR_TSC_FREQUENCY, D_FREQ);
	emit_rdmsr(&c, HV_X64_MSR_APIC_FREQUENCY, D_AFREQ);
	loop = c.n;
	emit_rdmsr(&c, MSR_TIME_REF, D_A0);
	asmb(&c, "0F 31");			/* rdtsc */
	emit_store(&c, D_T0);
	emit_rdmsr(&c, MSR_TIME_REF, D_A1);
	asmb(&c, "0F 01 F9");		/* rdtscp */
	emit_store(&c, D_T1);
	asmb(&c, "66 89 0E w", D_AUX);	/* mov [aux], ecx */
	emit_out(&c, PORT_SAMPLE);
	emit_jmp(&c, loop);
	mshv_vm_write(vm, CODE_GPA, c.b, c.n);
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
static void write_periodic(struct mshv_vm *vm)
{
	struct code c = { .n = 0 };
	unsigned int loop, skip;
	__u32 config = HV_STIMER_CONFIG_ENABLE | HV_STIMER_CONFIG_PERIODIC |
		       HV_STIMER_CONFIG_DIRECT_MODE |
		       TIMER_VECTOR << HV_STIMER_CONFIG_VECTOR_SHIFT;

	emit_wrmsr(&c, MSR_STIMER_COUNT(0), PERIOD, 0);
	emit_wrmsr(&c, MSR_STIMER_CONFIG(0), config, 0);
	emit_out(&c, PORT_READY);
	loop = c.n;
	emit_halt(&c);
	asmb(&c, "66 83 3E w b 73 03", D_CNT, PERIODIC_RUNS);	/* cmp; jae */
	emit_jmp(&c, loop);
	emit_rdmsr(&c, MSR_TIME_REF, D_WAIT);
	emit_add(&c, D_WAIT, 5 * PERIOD);
	asmb(&c, "FB");						/* sti */
	emit_wait_until(&c, D_WAIT);
	asmb(&c, "66 A1 w 66 E7 b", D_CNT, PORT_DONE);
	asmb(&c, "F4");						/* hlt */
	mshv_vm_write(vm, CODE_GPA, c.b, c.n);

	c.n = 0;
	emit_push(&c);
	emit_count(&c);
	asmb(&c, "66 83 3E w b 72 00", D_CNT, PERIODIC_RUNS);	/* cmp; jb eoi */
	skip = c.n;
	emit_wrmsr(&c, MSR_STIMER_CONFIG(0), 0, 0);
	c.b[skip - 1] = c.n - skip;
	emit_eoi(&c);
	emit_pop_iret(&c);
	mshv_vm_write(vm, HANDLER_GPA, c.b, c.n);
	set_ivt(vm, TIMER_VECTOR, HANDLER_GPA);
}

TEST_F(gtime, periodic_direct)
{
	__u64 signals = mshv_dbg_irq_field_get("timer_signals");

	write_periodic(&self->vm);
	run_port(_metadata, self->vp, PORT_READY);
	EXPECT_EQ(HV_STIMER_CONFIG_ENABLE | HV_STIMER_CONFIG_PERIODIC |
		  HV_STIMER_CONFIG_DIRECT_MODE |
		  TIMER_VECTOR << HV_STIMER_CONFIG_VECTOR_SHIFT,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG));
	EXPECT_EQ(PERIOD, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_COUNT));
	EXPECT_EQ(PERIODIC_RUNS, run_port(_metadata, self->vp, PORT_DONE));
	EXPECT_EQ(PERIODIC_RUNS, rd64(&self->vm, D_CNT));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG));
	/* the halted VP was woken through the root's signal path */
	EXPECT_LE(signals + 1, mshv_dbg_irq_field_get("timer_signals"));
}

/* Enable the SynIC: SIMP, SINT MSG_SINT -> MSG_VECTOR, SCONTROL */
static void emit_synic(struct code *c)
{
	emit_wrmsr(c, HV_X64_MSR_SIMP, SIMP_GPA | HV_SYNIC_PAGE_ENABLE, 0);
	emit_wrmsr(c, HV_X64_MSR_SINT0 + MSG_SINT, MSG_VECTOR, 0);
	emit_wrmsr(c, HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE, 0);
}

/* halt until dword [D_CNT] >= @n (a halted VP only a timer wakes) */
static void emit_halt_until(struct code *c, __u8 n)
{
	unsigned int loop = c->n;

	emit_halt(c);
	asmb(c, "66 83 3E w b 73 03", D_CNT, n);	/* cmp; jae */
	emit_jmp(c, loop);
}

/* mov eax, [D_CNT]; out PORT_DONE, eax; hlt */
static void emit_done(struct code *c)
{
	asmb(c, "66 A1 w 66 E7 b F4", D_CNT, PORT_DONE);
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
 * (count % 16), count, free the slot, EOM, EOI
 */
static void write_msg_handler(struct mshv_vm *vm)
{
	static const __u8 fields[][2] = {
		{ 0, 0 }, { 4, 4 }, { 16, 8 }, { 24, 12 }, { 28, 16 },
		{ 32, 20 }, { 36, 24 },
	};
	struct code c = { .n = 0 };
	unsigned int i;

	emit_push(&c);
	/* bx = LOG_GPA + 32 * (count % 16) */
	asmb(&c, "8B 1E w 83 E3 0F C1 E3 05 81 C3 w", D_CNT, LOG_GPA);
	for (i = 0; i < ARRAY_SIZE(fields); i++)	/* mov [bx + d], eax */
		asmb(&c, "66 A1 w 66 89 47 b", SLOT_GPA + fields[i][0],
		     fields[i][1]);
	emit_ecx(&c, MSR_TIME_REF);
	asmb(&c, "0F 32 66 89 47 b", 28);
	emit_count(&c);
	asmb(&c, "66 C7 06 w b b b b", SLOT_GPA, 0, 0, 0, 0);
	emit_wrmsr(&c, HV_X64_MSR_EOM, 0, 0);
	emit_eoi(&c);
	emit_pop_iret(&c);
	mshv_vm_write(vm, HANDLER_GPA, c.b, c.n);
	set_ivt(vm, MSG_VECTOR, HANDLER_GPA);
}

/* D_EXP = TIME_REF_COUNT + @delta */
static void emit_exp(struct code *c, __u32 delta)
{
	emit_rdmsr(c, MSR_TIME_REF, D_EXP);
	emit_add(c, D_EXP, delta);
}

/* D_WAIT = D_EXP + @delta; sti; spin until then; cli */
static void emit_wait_after_exp(struct code *c, __u32 delta)
{
	emit_copy(c, D_WAIT, D_EXP);
	emit_add(c, D_WAIT, delta);
	asmb(c, "FB");
	emit_wait_until(c, D_WAIT);
	asmb(c, "FA");
}

#define ONESHOT_DELTA	5000		/* 500 us */
#define SINT_BITS	((__u64)MSG_SINT << HV_STIMER_CONFIG_SINT_SHIFT)

/*
 * One-shot STIMER1 in message mode, enabled by AUTO_ENABLE and the
 * COUNT write, ONESHOT_DELTA after now; the guest halts until it fired,
 * waits three more deltas and reports the count
 */
TEST_F(gtime, oneshot_message)
{
	struct code c = { .n = 0 };
	struct record r;
	__u64 exp;

	emit_synic(&c);
	emit_wrmsr(&c, MSR_STIMER_CONFIG(1),
		   HV_STIMER_CONFIG_AUTO_ENABLE | SINT_BITS, 0);
	emit_exp(&c, ONESHOT_DELTA);
	emit_wrmsr_mem(&c, MSR_STIMER_COUNT(1), D_EXP);
	emit_out(&c, PORT_READY);
	emit_halt_until(&c, 1);
	emit_wait_after_exp(&c, 3 * ONESHOT_DELTA);
	emit_done(&c);
	mshv_vm_write(&self->vm, CODE_GPA, c.b, c.n);
	write_msg_handler(&self->vm);

	run_port(_metadata, self->vp, PORT_READY);
	exp = rd64(&self->vm, D_EXP);
	/*
	 * AUTO_ENABLE set ENABLE with the COUNT write; whether the timer has
	 * already expired and cleared it depends on the host's speed.
	 */
	EXPECT_EQ(HV_STIMER_CONFIG_AUTO_ENABLE | SINT_BITS,
		  mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG + 2) &
		  ~HV_STIMER_CONFIG_ENABLE);
	EXPECT_EQ(exp, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_COUNT + 2));

	EXPECT_EQ(1, run_port(_metadata, self->vp, PORT_DONE));
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
	struct mshv_get_set_vp_state args = {
		.type = MSHV_VP_STATE_SYNTHETIC_TIMERS,
		.buf_sz = MSHV_PAGE_SIZE,
	};

	if (!buf)
		buf = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, buf);
	args.buf_ptr = (__u64)(unsigned long)buf;
	if (req == MSHV_SET_VP_STATE)
		memcpy(buf, st, sizeof(*st));
	ASSERT_EQ(0, ioctl(vp->fd, req, &args));
	if (req == MSHV_GET_VP_STATE)
		memcpy(st, buf, sizeof(*st));
}

/* The SIMP page of @vp (MSHV_GET_VP_STATE): MSG_SINT's slot header */
static struct hv_message_header slot_header(struct __test_metadata *_metadata,
					    struct mshv_vp *vp)
{
	static __u8 *page;
	struct mshv_get_set_vp_state args = {
		.type = MSHV_VP_STATE_SIMP,
		.buf_sz = MSHV_PAGE_SIZE,
	};
	struct hv_message_header h;

	if (!page)
		page = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	MSHV_TEST_ASSERT(page, "aligned_alloc");
	args.buf_ptr = (__u64)(unsigned long)page;
	MSHV_TEST_ASSERT(ioctl(vp->fd, MSHV_GET_VP_STATE, &args) == 0,
			 "GET_VP_STATE SIMP");
	memcpy(&h, page + MSG_SINT * HV_MESSAGE_SIZE, sizeof(h));
	return h;
}

/*
 * The slot is busy (the VMM posted a message the guest has not taken):
 * the expiration stays pending; the guest frees the slot and writes EOM,
 * then the timer message arrives
 */
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
	struct code c = { .n = 0 };
	struct hv_message_header h;
	struct record r;
	__u64 exp;
	int err;

	emit_synic(&c);
	emit_out(&c, PORT_READY);
	emit_exp(&c, ONESHOT_DELTA);
	emit_wrmsr_mem(&c, MSR_STIMER_COUNT(1), D_EXP);
	emit_wrmsr(&c, MSR_STIMER_CONFIG(1),
		   HV_STIMER_CONFIG_ENABLE | SINT_BITS, 0);
	/* interrupts stay off: the posted message stays in the slot */
	emit_copy(&c, D_WAIT, D_EXP);
	emit_add(&c, D_WAIT, ONESHOT_DELTA);
	emit_wait_until(&c, D_WAIT);
	emit_out(&c, PORT_CHECK);
	emit_halt_until(&c, 2);
	emit_done(&c);
	mshv_vm_write(&self->vm, CODE_GPA, c.b, c.n);
	write_msg_handler(&self->vm);

	run_port(_metadata, self->vp, PORT_READY);
	posted->header.message_type = 1;
	posted->header.payload_size = 8;
	ASSERT_EQ(0, mshv_hvcall_checked(self->vm.fd, &call, &err));

	run_port(_metadata, self->vp, PORT_CHECK);
	exp = rd64(&self->vm, D_EXP);
	timers_state(_metadata, self->vp, MSHV_GET_VP_STATE, &st);
	EXPECT_EQ(HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING, st.timers[1].flags);
	EXPECT_EQ(exp, st.timers[1].undelivered_exp_time);
	EXPECT_EQ(SINT_BITS, st.timers[1].config);	/* one-shot: done */
	h = slot_header(_metadata, self->vp);
	EXPECT_EQ(1, h.message_type);
	EXPECT_EQ(HV_MESSAGE_FLAG_PENDING, h.message_flags);

	EXPECT_EQ(2, run_port(_metadata, self->vp, PORT_DONE));
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

#define FROZEN_DELTA	2000000		/* 200 ms */

/* A frozen clock stops the timers; they fire once it runs again */
TEST_F(gtime, frozen_timer)
{
	const __u32 freeze = HV_PARTITION_PROPERTY_TIME_FREEZE;
	struct code c = { .n = 0 };
	__u64 exp, now;

	emit_synic(&c);
	emit_exp(&c, FROZEN_DELTA);
	emit_wrmsr_mem(&c, MSR_STIMER_COUNT(3), D_EXP);
	emit_wrmsr(&c, MSR_STIMER_CONFIG(3),
		   HV_STIMER_CONFIG_ENABLE | SINT_BITS, 0);
	emit_out(&c, PORT_READY);
	emit_halt_until(&c, 1);
	emit_done(&c);
	mshv_vm_write(&self->vm, CODE_GPA, c.b, c.n);
	write_msg_handler(&self->vm);

	run_port(_metadata, self->vp, PORT_READY);
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
	EXPECT_EQ(1, run_port(_metadata, self->vp, PORT_DONE));
	EXPECT_EQ(3, record(&self->vm, 0).timer_index);
	EXPECT_EQ(exp, record(&self->vm, 0).exp_lo |
		  (__u64)record(&self->vm, 0).exp_hi << 32);
}

/* SET_VP_STATE arms the timers it restores; GET reads them back */
TEST_F(gtime, vp_state)
{
	const __u32 freeze = HV_PARTITION_PROPERTY_TIME_FREEZE;
	struct hv_synthetic_timers_state st, back;
	struct code c = { .n = 0 };
	__u64 now;

	emit_synic(&c);
	emit_out(&c, PORT_READY);
	emit_halt_until(&c, 1);
	emit_done(&c);
	mshv_vm_write(&self->vm, CODE_GPA, c.b, c.n);
	write_msg_handler(&self->vm);

	run_port(_metadata, self->vp, PORT_READY);
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

	EXPECT_EQ(1, run_port(_metadata, self->vp, PORT_DONE));
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
TEST_F(gtime, teardown_armed)
{
	struct code c = { .n = 0 };
	unsigned int n;

	emit_synic(&c);
	for (n = 0; n < HV_SYNIC_STIMER_COUNT; n++) {
		emit_wrmsr(&c, MSR_STIMER_COUNT(n), 100000, 0);
		emit_wrmsr(&c, MSR_STIMER_CONFIG(n), HV_STIMER_CONFIG_ENABLE |
			   HV_STIMER_CONFIG_PERIODIC | SINT_BITS, 0);
	}
	emit_out(&c, PORT_READY);
	emit_halt_until(&c, 3);
	emit_out(&c, PORT_CHECK);
	asmb(&c, "FB F4 EB FC");	/* sti; hlt; jmp back */
	mshv_vm_write(&self->vm, CODE_GPA, c.b, c.n);
	write_msg_handler(&self->vm);

	run_port(_metadata, self->vp, PORT_READY);
	run_port(_metadata, self->vp, PORT_CHECK);
	EXPECT_LE(3, rd64(&self->vm, D_CNT));
	/* FIXTURE_TEARDOWN deletes the VP and the partition now */
}

TEST_HARNESS_MAIN
