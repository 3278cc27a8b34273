// SPDX-License-Identifier: GPL-2.0-only
/*
 * INIT, SIPI and inter-processor interrupts (hvsim's interrupt model),
 * driven through MSHV_ROOT_HVCALL and real-mode guests, observed through
 * intercepts, registers, the LAPIC state and the exact deltas of hvsim's
 * debugfs "interrupts" counters:
 *
 *  - the VMM asserts INIT (the VP resets and waits for a SIPI: its run
 *    blocks) and SIPI (it starts at the vector's page; a second SIPI is
 *    ignored);
 *  - a new application processor (VP 1) waits for a SIPI: its runs sleep
 *    (one dispatch each) until a signal, and a SIPI from VP 0's ICR or
 *    from the VMM starts it while its run waits;
 *  - every refusal of ASSERT_VIRTUAL_INTERRUPT with the INIT and SIPI
 *    types;
 *  - two VPs on two threads: VP 0 starts VP 1 with INIT-SIPI-SIPI through
 *    the x2APIC ICR, then a fixed IPI wakes the halted VP 1, whose handler
 *    runs through its IVT;
 *  - self IPIs through the x2APIC ICR (self shorthand) and the synthetic
 *    ICR (all-including-self), and the ICR read back with RDMSR;
 *  - the ICR in the LAPIC state (MSHV_GET/SET_VP_STATE);
 *  - with the X64_APIC_INIT_SIPI intercept installed, the INIT and SIPIs
 *    stop VP 0 with the intercept messages, and the VMM starts VP 1;
 *  - a 64-bit VP 0 starts VP 1 through the xAPIC ICR (stores to the APIC
 *    page);
 *  - ping-pong: fixed IPIs back and forth between two halted VPs on two
 *    threads, with exact counters and the time per round trip.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"
#include "mshv_paging.h"

#define MEM_SIZE	0x100000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL	/* VP 0 */
#define HANDLER_GPA	0x4000ULL	/* interrupt handler (CS 0) */
#define AP_STACK	0x6000ULL
#define BSP_STACK	0x7000ULL
#define GDT_GPA		0x2000ULL	/* 64-bit guest */
#define TABLES_GPA	0x10000ULL	/* 64-bit guest's page tables */
#define TABLES_SIZE	0x10000ULL
#define APIC_GPA	0xFEE00000ULL
#define SIPI_VECTOR	0x08		/* VP 1 starts at 0x8000 */
#define SIPI_GPA	(SIPI_VECTOR << 12)

#define VECTOR		0x40

#define PORT_SENT	0x80	/* VP 0: INIT-SIPI-SIPI sent */
#define PORT_FIXED	0x81	/* VP 0: fixed IPI sent */
#define PORT_BACK	0x82	/* VP 0: after its own interrupt */
#define PORT_AP_UP	0x90	/* VP 1: first OUT at the SIPI page */
#define PORT_HANDLER	0x92	/* the interrupt handler */
#define PORT_AP_WOKEN	0x93	/* VP 1: after its HLT */

#define ICR_INIT	0xC500	/* INIT, level, assert */
#define ICR_SIPI	(0x0600 | SIPI_VECTOR)
#define ICR_FIXED	(0x4000 | VECTOR)

/* A real-mode program under construction */
struct prog {
	__u8 b[64];
	unsigned int n;
};

static void put(struct prog *p, const __u8 *bytes, unsigned int n)
{
	MSHV_TEST_ASSERT(p->n + n <= sizeof(p->b), "program too long");
	memcpy(p->b + p->n, bytes, n);
	p->n += n;
}

/* 66 <op> imm32: mov ecx / edx / eax, @v in 16-bit code */
#define OP_MOV_ECX	0xB9
#define OP_MOV_EDX	0xBA
#define OP_MOV_EAX	0xB8

static void mov32(struct prog *p, __u8 op, __u32 v)
{
	const __u8 insn[] = { 0x66, op, v, v >> 8, v >> 16, v >> 24 };

	put(p, insn, sizeof(insn));
}

static void insn2(struct prog *p, __u8 b0, __u8 b1)
{
	const __u8 insn[] = { b0, b1 };

	put(p, insn, sizeof(insn));
}

#define wrmsr(p)	insn2(p, 0x0F, 0x30)
#define rdmsr(p)	insn2(p, 0x0F, 0x32)
#define out(p, port)	insn2(p, 0xE6, port)
#define cli_hlt(p)	insn2(p, 0xFA, 0xF4)
#define sti_nop(p)	insn2(p, 0xFB, 0x90)

/* Write @p to guest memory at @gpa */
static void prog_write(struct mshv_vm *vm, __u64 gpa, const struct prog *p)
{
	mshv_vm_write(vm, gpa, p->b, p->n);
}

/* VP 0: INIT, SIPI, SIPI to VP 1; then a fixed IPI to it */
static void write_bsp_code(struct mshv_vm *vm)
{
	struct prog p = { .n = 0 };

	mov32(&p, OP_MOV_ECX, HV_X86_MSR_X2APIC_ICR);	/* 0x00 */
	mov32(&p, OP_MOV_EDX, 1);			/* 0x06 */
	mov32(&p, OP_MOV_EAX, ICR_INIT);		/* 0x0C */
	wrmsr(&p);					/* 0x12 */
	mov32(&p, OP_MOV_EAX, ICR_SIPI);		/* 0x14 */
	wrmsr(&p);					/* 0x1A */
	wrmsr(&p);					/* 0x1C */
	out(&p, PORT_SENT);				/* 0x1E */
	mov32(&p, OP_MOV_EAX, ICR_FIXED);		/* 0x20 */
	wrmsr(&p);					/* 0x26 */
	out(&p, PORT_FIXED);				/* 0x28 */
	cli_hlt(&p);
	prog_write(vm, CODE_GPA, &p);
}

#define BSP_AFTER_INIT	(CODE_GPA + 0x14)
#define BSP_AFTER_SIPI1	(CODE_GPA + 0x1C)
#define BSP_AFTER_SIPI2	(CODE_GPA + 0x1E)

/* VP 1 at the SIPI page (CS 0x800, IP 0): mov sp; out; sti; hlt; out */
static const __u8 ap_code[] = {
	0xBC, AP_STACK & 0xFF, AP_STACK >> 8,	/* 0 */
	0xE6, PORT_AP_UP,			/* 3 */
	0xFB, 0xF4,				/* 5: sti; hlt */
	0xE6, PORT_AP_WOKEN,			/* 7 */
	0xFA, 0xF4,
};

#define AP_UP_IP	3
#define AP_WOKEN_IP	7

/* out HANDLER; x2APIC EOI; iret */
static void write_handler(struct mshv_vm *vm)
{
	struct prog p = { .n = 0 };
	static const __u8 tail[] = {
		0x66, 0x31, 0xC0,	/* xor eax, eax */
		0x66, 0x31, 0xD2,	/* xor edx, edx */
		0x0F, 0x30,		/* wrmsr */
		0xCF,			/* iret */
	};

	out(&p, PORT_HANDLER);
	mov32(&p, OP_MOV_ECX, HV_X86_MSR_X2APIC_EOI);
	put(&p, tail, sizeof(tail));
	prog_write(vm, HANDLER_GPA, &p);
}

FIXTURE(ipi)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp0;
	struct mshv_vp *vp1;
};

FIXTURE_SETUP(ipi)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = BSP_STACK },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	__u8 ivt[4] = { HANDLER_GPA & 0xFF, HANDLER_GPA >> 8, 0, 0 };

	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	/* the stack pages, touched so that they are mapped writable */
	memset((__u8 *)self->vm->mem + AP_STACK - MSHV_PAGE_SIZE, 0,
	       2 * MSHV_PAGE_SIZE);
	write_bsp_code(self->vm);
	mshv_vm_write(self->vm, SIPI_GPA, ap_code, sizeof(ap_code));
	write_handler(self->vm);
	mshv_vm_write(self->vm, VECTOR * 4, ivt, sizeof(ivt));
	mshv_vm_write(self->vm, (VECTOR + 1) * 4, ivt, sizeof(ivt));
	self->vp0 = mshv_vp_create(self->vm, 0);
	mshv_vp_set_real_mode_cs(self->vp0, 0, 0);
	mshv_vp_set_registers(self->vp0, regs, ARRAY_SIZE(regs));
	self->vp1 = NULL;
}

FIXTURE_TEARDOWN(ipi)
{
	mshv_vp_free(self->vp1);
	mshv_vp_free(self->vp0);
	mshv_vm_free(self->vm);
}

/* The counters this test watches */
struct ipi_counts {
	__u64 delivered, eois, halts, wakes, signal_msgs;
	__u64 ipis, ipi_drops, inits, sipis, sipis_ignored, init_sipi_msgs;
};

static struct ipi_counts counts(void)
{
	struct mshv_dbg_irq c = mshv_dbg_irq_get();

	return (struct ipi_counts) {
		.delivered = c.delivered,
		.eois = c.eois,
		.halts = c.halts,
		.wakes = c.wakes,
		.signal_msgs = c.signal_msgs,
		.ipis = mshv_dbg_irq_field_get("ipis"),
		.ipi_drops = mshv_dbg_irq_field_get("ipi_drops"),
		.inits = mshv_dbg_irq_field_get("inits"),
		.sipis = mshv_dbg_irq_field_get("sipis"),
		.sipis_ignored = mshv_dbg_irq_field_get("sipis_ignored"),
		.init_sipi_msgs = mshv_dbg_irq_field_get("init_sipi_msgs"),
	};
}

/* @now minus @then of counter @name must be @want */
static void expect_delta(struct __test_metadata *_metadata, const char *name,
			 __u64 then, __u64 now, __u64 want)
{
	EXPECT_EQ(want, now - then) TH_LOG("counter %s", name);
}

static void on_signal(int sig)
{
	(void)sig;
}

static void install_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* No SA_RESTART: an interrupted MSHV_RUN_VP returns EINTR */
	MSHV_TEST_ASSERT(sigaction(sig, &sa, NULL) == 0, "sigaction");
}

static __u64 activity(struct mshv_vp *vp)
{
	return mshv_vp_get_reg(vp, HV_REGISTER_INTERNAL_ACTIVITY_STATE);
}

/* Run until an I/O intercept on @port; returns its header */
static struct hv_x64_intercept_message_header
run_port(struct __test_metadata *_metadata, struct mshv_vp *vp, __u16 port)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(port, io->port_number);
	return io->header;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wait up to 10 s for @vp's INTERNAL_ACTIVITY_STATE to become @want */
static bool wait_activity(struct mshv_vp *vp, __u64 want)
{
	double end = now_ms() + 10000;

	while (now_ms() < end) {
		if (activity(vp) == want)
			return true;
		usleep(2000);
	}
	return false;
}

/* The VMM asserts INIT, then SIPI; a second SIPI is ignored */
TEST_F(ipi, vmm_init_sipi)
{
	const struct hv_x64_io_port_intercept_message *io;
	struct hv_x64_segment_register cs;
	struct ipi_counts c0, c;

	mshv_vp_set_reg(self->vp0, HV_X64_REGISTER_RAX, 0x55);
	c0 = counts();
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_INIT, 0, 0, 0));
	c = counts();
	expect_delta(_metadata, "inits", c0.inits, c.inits, 1);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 0);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp0));
	EXPECT_EQ(0xFFF0ULL, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RIP));
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RAX));
	EXPECT_EQ(0x600ULL, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RDX));
	cs = mshv_vp_get_segment(self->vp0, HV_X64_REGISTER_CS);
	EXPECT_EQ(0xF000, cs.selector);
	EXPECT_EQ(0xFFFF0000ULL, cs.base);

	/* Waiting for a SIPI: the run blocks until a signal */
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp0, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp0));

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_SIPI, 0, 0,
					SIPI_VECTOR));
	c = counts();
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 1);
	expect_delta(_metadata, "sipis_ignored", c0.sipis_ignored, c.sipis_ignored, 0);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 1);
	EXPECT_EQ(0ULL, activity(self->vp0));
	cs = mshv_vp_get_segment(self->vp0, HV_X64_REGISTER_CS);
	EXPECT_EQ(SIPI_VECTOR << 8, cs.selector);
	EXPECT_EQ((__u64)SIPI_GPA, cs.base);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RIP));

	io = mshv_vp_run_expect_io(self->vp0);
	EXPECT_EQ(PORT_AP_UP, io->port_number);
	EXPECT_EQ((__u64)AP_UP_IP, io->header.rip);
	EXPECT_EQ((__u64)SIPI_GPA, io->header.cs_segment.base);
	mshv_vp_skip_insn(self->vp0, &io->header);

	/* Running: a SIPI changes nothing */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_SIPI, 0, 0xFF,
					0x10));
	c = counts();
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 1);
	expect_delta(_metadata, "sipis_ignored", c0.sipis_ignored, c.sipis_ignored, 1);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 1);
	cs = mshv_vp_get_segment(self->vp0, HV_X64_REGISTER_CS);
	EXPECT_EQ(SIPI_VECTOR << 8, cs.selector);
	EXPECT_EQ((__u64)AP_UP_IP + 2,
		  mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RIP));
}

/* Every refusal of ASSERT with INIT and SIPI changes nothing */
TEST_F(ipi, assert_statuses)
{
	static const struct {
		const char *what;
		__u32 type, flags, vector;
		__u64 dest;
		__u8 vtl, rsvd0;
		__u16 rsvd1;
		__u16 status;
	} rows[] = {
		{ "INIT vector 1", HV_X64_INTERRUPT_TYPE_INIT, 0, 1, 0, 0, 0,
		  0, HV_STATUS_INVALID_PARAMETER },
		{ "INIT level", HV_X64_INTERRUPT_TYPE_INIT,
		  HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, 0, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "INIT control bit 34", HV_X64_INTERRUPT_TYPE_INIT, 4, 0, 0, 0,
		  0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "INIT logical 0x100", HV_X64_INTERRUPT_TYPE_INIT,
		  HV_ASSERT_INTERRUPT_LOGICAL_DEST, 0, 0x100, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "INIT VTL 1", HV_X64_INTERRUPT_TYPE_INIT, 0, 0, 0, 1, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "SIPI level", HV_X64_INTERRUPT_TYPE_SIPI,
		  HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, SIPI_VECTOR, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "SIPI vector 256", HV_X64_INTERRUPT_TYPE_SIPI, 0, 256, 0, 0,
		  0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "SIPI reserved u8", HV_X64_INTERRUPT_TYPE_SIPI, 0,
		  SIPI_VECTOR, 0, 0, 1, 0, HV_STATUS_INVALID_PARAMETER },
		{ "SIPI reserved u16", HV_X64_INTERRUPT_TYPE_SIPI, 0,
		  SIPI_VECTOR, 0, 0, 0, 1, HV_STATUS_INVALID_PARAMETER },
		{ "ExtINT vector 256", HV_X64_INTERRUPT_TYPE_EXTINT, 0, 256, 0,
		  0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "SMI", HV_X64_INTERRUPT_TYPE_SMI, 0, 0, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "REMOTEREAD", HV_X64_INTERRUPT_TYPE_REMOTEREAD, 0, 0, 0, 0,
		  0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "LOCALINT0 vector 256", HV_X64_INTERRUPT_TYPE_LOCALINT0, 0,
		  256, 0, 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "LOCALINT1 VTL 1", HV_X64_INTERRUPT_TYPE_LOCALINT1, 0, VECTOR,
		  0, 1, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "INIT no VP 1", HV_X64_INTERRUPT_TYPE_INIT, 0, 0, 1, 0, 0, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "SIPI no VP 5", HV_X64_INTERRUPT_TYPE_SIPI, 0, SIPI_VECTOR, 5,
		  0, 0, 0, HV_STATUS_INVALID_VP_INDEX },
		{ "SIPI logical none", HV_X64_INTERRUPT_TYPE_SIPI,
		  HV_ASSERT_INTERRUPT_LOGICAL_DEST, SIPI_VECTOR, 0x6, 0, 0, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "SIPI vector 0 to a running VP", HV_X64_INTERRUPT_TYPE_SIPI,
		  0, 0, 0, 0, 0, 0, HV_STATUS_SUCCESS },
		{ "SIPI vector 255, logical VP 0", HV_X64_INTERRUPT_TYPE_SIPI,
		  HV_ASSERT_INTERRUPT_LOGICAL_DEST, 0xFF, 1, 0, 0, 0,
		  HV_STATUS_SUCCESS },
	};
	struct ipi_counts c0 = counts(), c;
	struct hv_x64_segment_register cs;
	unsigned int i;
	int pt_fd;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_assert_virtual_interrupt in = {
			.interrupt_type = rows[i].type,
			.control_flags = rows[i].flags,
			.dest_addr = rows[i].dest,
			.vector = rows[i].vector,
			.target_vtl = rows[i].vtl,
			.rsvd_z0 = rows[i].rsvd0,
			.rsvd_z1 = rows[i].rsvd1,
		};

		EXPECT_EQ(rows[i].status,
			  mshv_hvcall_status(self->vm->fd,
					     HVCALL_ASSERT_VIRTUAL_INTERRUPT,
					     &in, sizeof(in)))
			TH_LOG("%s", rows[i].what);
	}
	c = counts();
	expect_delta(_metadata, "inits", c0.inits, c.inits, 0);
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 0);
	expect_delta(_metadata, "sipis_ignored", c0.sipis_ignored, c.sipis_ignored, 2);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 0);
	EXPECT_EQ(0ULL, activity(self->vp0));
	EXPECT_EQ(CODE_GPA, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RIP));
	cs = mshv_vp_get_segment(self->vp0, HV_X64_REGISTER_CS);
	EXPECT_EQ(0, cs.selector);

	/* A partition not initialized yet */
	pt_fd = mshv_create_partition(self->vm->dev_fd,
				      1ULL << MSHV_PT_BIT_LAPIC);
	EXPECT_EQ(HV_STATUS_INVALID_PARTITION_STATE,
		  mshv_assert_interrupt(pt_fd, HV_X64_INTERRUPT_TYPE_INIT, 0, 0, 0));
	EXPECT_EQ(HV_STATUS_INVALID_PARTITION_STATE,
		  mshv_assert_interrupt(pt_fd, HV_X64_INTERRUPT_TYPE_SIPI, 0, 0, 1));
	EXPECT_EQ(0, close(pt_fd));
	EXPECT_EQ(c0.inits, counts().inits);
}

/* VP 1's run loop on its own thread: the ports it reached, in order */
struct ap_run {
	struct mshv_vp *vp;
	unsigned int n;
	__u16 port[4];
	__u64 rip[4];
	__u64 cs_base[4];
	__u32 last_type;
	int ret;
	int err;
	atomic_int done;
};

static void *ap_thread(void *arg)
{
	struct ap_run *r = arg;

	for (;;) {
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)r->vp->msg.u.payload;

		r->ret = __mshv_run_vp(r->vp->fd, &r->vp->msg);
		r->err = errno;
		if (r->ret)
			break;
		r->last_type = r->vp->msg.header.message_type;
		if (r->last_type != HVMSG_X64_IO_PORT_INTERCEPT ||
		    r->n == ARRAY_SIZE(r->port))
			break;
		r->port[r->n] = io->port_number;
		r->rip[r->n] = io->header.rip;
		r->cs_base[r->n] = io->header.cs_segment.base;
		r->n++;
		if (io->port_number == PORT_AP_WOKEN)
			break;
		mshv_vp_skip_insn(r->vp, &io->header);
	}
	atomic_store(&r->done, 1);
	return NULL;
}

/*
 * Wait up to 10 s for @thread to set @done; then interrupt its run with
 * SIGUSR1 until it does.  Return: whether it finished by itself.
 */
static bool join_or_kick(pthread_t thread, atomic_int *done)
{
	double end = now_ms() + 10000;
	bool finished = true;

	while (!atomic_load(done) && now_ms() < end)
		usleep(2000);
	while (!atomic_load(done)) {
		finished = false;
		pthread_kill(thread, SIGUSR1);
		usleep(10000);
	}
	pthread_join(thread, NULL);
	return finished;
}

/* One MSHV_RUN_VP of VP 1 on a thread: until an intercept or a signal */
struct run_until_signal {
	struct mshv_vp *vp;
	int ret;
	int err;
	atomic_int done;
};

static void *run_until_signal_thread(void *arg)
{
	struct run_until_signal *r = arg;

	r->ret = __mshv_run_vp(r->vp->fd, &r->vp->msg);
	r->err = errno;
	atomic_store(&r->done, 1);
	return NULL;
}

/* VP 1: an application processor, created waiting for a SIPI */
static struct mshv_vp *create_ap(struct mshv_vm *vm)
{
	return mshv_vp_create(vm, 1);
}

/* DISPATCH_VP calls for the VPs of this test's partition so far */
static __u64 dispatches(void)
{
	return mshv_dbg_partition_get(mshv_dbg_newest_partition()).dispatches;
}

/* One MSHV_RUN_VP of @vp on a thread, still waiting 100 ms later */
static void start_waiting_run(struct __test_metadata *_metadata,
			      struct run_until_signal *r, struct mshv_vp *vp,
			      pthread_t *thread)
{
	install_handler(SIGUSR1);
	r->vp = vp;
	ASSERT_EQ(0, pthread_create(thread, NULL, run_until_signal_thread, r));
	usleep(100000);
	EXPECT_EQ(0, atomic_load(&r->done));
}

/*
 * Since @c0: one SIPI started a VP (none ignored) and the root was told;
 * the waiting run of @r ends with VP 1's first OUT at the SIPI page.
 */
static void expect_ap_started(struct __test_metadata *_metadata,
			      const struct ipi_counts *c0,
			      struct run_until_signal *r, pthread_t thread)
{
	const struct hv_x64_io_port_intercept_message *io;
	struct ipi_counts c = counts();

	expect_delta(_metadata, "sipis", c0->sipis, c.sipis, 1);
	expect_delta(_metadata, "sipis_ignored", c0->sipis_ignored,
		     c.sipis_ignored, 0);
	expect_delta(_metadata, "signal_msgs", c0->signal_msgs,
		     c.signal_msgs, 1);
	EXPECT_TRUE(join_or_kick(thread, &r->done));
	ASSERT_EQ(0, r->ret) TH_LOG("VP 1 run: errno %d", r->err);
	mshv_expect_msg_type(&r->vp->msg, HVMSG_X64_IO_PORT_INTERCEPT);
	io = (const void *)r->vp->msg.u.payload;
	EXPECT_EQ(PORT_AP_UP, io->port_number);
	EXPECT_EQ((__u64)AP_UP_IP, io->header.rip);
	EXPECT_EQ((__u64)SIPI_GPA, io->header.cs_segment.base);
	EXPECT_EQ(SIPI_VECTOR << 8, io->header.cs_segment.selector);
	EXPECT_EQ(0ULL, activity(r->vp));
}

/*
 * A new application processor waits for a SIPI: INTERNAL_ACTIVITY_STATE
 * reads STARTUP_SUSPEND, its registers are the reset state, and a run
 * sleeps (one dispatch per run, no busy loop) until a signal ends it with
 * EINTR.  A SIPI alone from VP 0's x2APIC ICR -- no INIT -- starts it at
 * the vector's page while its run waits on another thread.
 */
TEST_F(ipi, new_ap_waits_for_sipi)
{
	struct run_until_signal r = { 0 };
	struct hv_x64_intercept_message_header h;
	struct hv_x64_segment_register cs;
	struct prog p = { .n = 0 };
	struct ipi_counts c0, c;
	pthread_t thread;
	__u64 d0;

	self->vp1 = create_ap(self->vm);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp1));
	EXPECT_EQ(0ULL, activity(self->vp0));
	EXPECT_EQ(0xFFF0ULL, mshv_vp_get_reg(self->vp1, HV_X64_REGISTER_RIP));
	cs = mshv_vp_get_segment(self->vp1, HV_X64_REGISTER_CS);
	EXPECT_EQ(0xF000, cs.selector);
	EXPECT_EQ(0xFFFF0000ULL, cs.base);

	/* Two runs of 200 ms: each dispatches once, then sleeps */
	d0 = dispatches();
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp1, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 1, dispatches());
	EXPECT_EQ(-1, mshv_vp_run_timeout(self->vp1, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(d0 + 2, dispatches());
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp1));
	EXPECT_EQ(0xFFF0ULL, mshv_vp_get_reg(self->vp1, HV_X64_REGISTER_RIP));

	/* VP 0: one SIPI to VP 1; out; cli; hlt */
	mov32(&p, OP_MOV_ECX, HV_X86_MSR_X2APIC_ICR);	/* 0x00 */
	mov32(&p, OP_MOV_EDX, 1);			/* 0x06 */
	mov32(&p, OP_MOV_EAX, ICR_SIPI);		/* 0x0C */
	wrmsr(&p);					/* 0x12 */
	out(&p, PORT_SENT);				/* 0x14 */
	cli_hlt(&p);
	prog_write(self->vm, CODE_GPA, &p);

	c0 = counts();
	start_waiting_run(_metadata, &r, self->vp1, &thread);
	h = run_port(_metadata, self->vp0, PORT_SENT);
	EXPECT_EQ(CODE_GPA + 0x14, h.rip);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 1);
	expect_delta(_metadata, "inits", c0.inits, c.inits, 0);
	expect_ap_started(_metadata, &c0, &r, thread);
}

/*
 * The VMM starts a new application processor whose run waits on another
 * thread: ASSERT_VIRTUAL_INTERRUPT SIPI wakes the run, the VP starts at
 * the vector's page.
 */
TEST_F(ipi, new_ap_vmm_sipi)
{
	struct run_until_signal r = { 0 };
	struct ipi_counts c0;
	pthread_t thread;

	self->vp1 = create_ap(self->vm);
	c0 = counts();
	start_waiting_run(_metadata, &r, self->vp1, &thread);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp1));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  mshv_assert_interrupt(self->vm->fd,
					HV_X64_INTERRUPT_TYPE_SIPI, 0, 1,
					SIPI_VECTOR));
	expect_ap_started(_metadata, &c0, &r, thread);
	/* VP 0 never waited */
	EXPECT_EQ(0ULL, activity(self->vp0));
}

/*
 * VP 0 starts VP 1 with INIT-SIPI-SIPI through the x2APIC ICR while VP 1's
 * thread waits in MSHV_RUN_VP; VP 1 reports from the SIPI page and halts;
 * a fixed IPI from VP 0 wakes it through its IVT handler.
 */
TEST_F(ipi, init_sipi_sipi_two_threads)
{
	struct ap_run r = { 0 };
	struct hv_x64_intercept_message_header h;
	struct ipi_counts c0, c;
	pthread_t thread;

	install_handler(SIGUSR1);
	self->vp1 = create_ap(self->vm);
	r.vp = self->vp1;
	c0 = counts();
	ASSERT_EQ(0, pthread_create(&thread, NULL, ap_thread, &r));

	h = run_port(_metadata, self->vp0, PORT_SENT);
	EXPECT_EQ(BSP_AFTER_SIPI2, h.rip);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 3);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 0);
	expect_delta(_metadata, "inits", c0.inits, c.inits, 1);
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 1);
	expect_delta(_metadata, "sipis_ignored", c0.sipis_ignored, c.sipis_ignored, 1);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 1);
	expect_delta(_metadata, "init_sipi_msgs", c0.init_sipi_msgs,
		     c.init_sipi_msgs, 0);

	/* VP 1 reports, then halts with IF set */
	EXPECT_TRUE(wait_activity(self->vp1,
				  HV_INTERNAL_ACTIVITY_HALT_SUSPEND));
	c = counts();
	expect_delta(_metadata, "halts", c0.halts, c.halts, 1);
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 0);

	mshv_vp_skip_insn(self->vp0, &h);
	h = run_port(_metadata, self->vp0, PORT_FIXED);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 4);
	expect_delta(_metadata, "wakes", c0.wakes, c.wakes, 1);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 2);

	EXPECT_TRUE(join_or_kick(thread, &r.done));
	EXPECT_EQ(0, r.ret) TH_LOG("VP 1 run: errno %d", r.err);
	ASSERT_EQ(3U, r.n) TH_LOG("last message %#x", r.last_type);
	EXPECT_EQ(PORT_AP_UP, r.port[0]);
	EXPECT_EQ((__u64)AP_UP_IP, r.rip[0]);
	EXPECT_EQ((__u64)SIPI_GPA, r.cs_base[0]);
	EXPECT_EQ(PORT_HANDLER, r.port[1]);
	EXPECT_EQ(HANDLER_GPA, r.rip[1]);
	EXPECT_EQ(0ULL, r.cs_base[1]);
	EXPECT_EQ(PORT_AP_WOKEN, r.port[2]);
	EXPECT_EQ((__u64)AP_WOKEN_IP, r.rip[2]);
	EXPECT_EQ((__u64)SIPI_GPA, r.cs_base[2]);
	c = counts();
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 1);
	expect_delta(_metadata, "eois", c0.eois, c.eois, 1);
	expect_delta(_metadata, "halts", c0.halts, c.halts, 1);

	/* VP 0 ends with cli; hlt */
	mshv_vp_skip_insn(self->vp0, &h);
	mshv_vp_run_expect_halt(self->vp0);
}

/*
 * A self IPI through @msr with command @lo while IF is clear: pending
 * until STI, then the handler; RDMSR reads the ICR back.
 */
static void self_ipi(struct __test_metadata *_metadata, struct mshv_vp *vp,
		     __u32 msr, __u32 lo)
{
	struct prog p = { .n = 0 };
	const struct hv_x64_io_port_intercept_message *io;
	struct ipi_counts c0 = counts(), c;
	struct hv_x64_intercept_message_header h;

	mov32(&p, OP_MOV_ECX, msr);			/* 0x00 */
	mov32(&p, OP_MOV_EDX, 0);			/* 0x06 */
	mov32(&p, OP_MOV_EAX, lo);			/* 0x0C */
	wrmsr(&p);					/* 0x12 */
	mov32(&p, OP_MOV_EAX, 0);			/* 0x14 */
	rdmsr(&p);					/* 0x1A */
	out(&p, PORT_SENT);				/* 0x1C */
	sti_nop(&p);					/* 0x1E */
	out(&p, PORT_BACK);				/* 0x20 */
	cli_hlt(&p);
	prog_write(vp->vm, CODE_GPA, &p);
	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(PORT_SENT, io->port_number);
	EXPECT_EQ((__u64)(lo & ~HV_X86_APIC_ICR_BUSY), io->rax);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RDX));
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 1);
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 0);
	mshv_vp_skip_insn(vp, &io->header);

	h = run_port(_metadata, vp, PORT_HANDLER);
	EXPECT_EQ(HANDLER_GPA, h.rip);
	mshv_vp_skip_insn(vp, &h);
	h = run_port(_metadata, vp, PORT_BACK);
	EXPECT_EQ(CODE_GPA + 0x20, h.rip);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 1);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 0);
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 1);
	expect_delta(_metadata, "eois", c0.eois, c.eois, 1);
	expect_delta(_metadata, "wakes", c0.wakes, c.wakes, 0);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs, 0);
}

/* x2APIC ICR, self shorthand (the busy bit is not kept) */
TEST_F(ipi, self_ipi_x2apic)
{
	self_ipi(_metadata, self->vp0, HV_X86_MSR_X2APIC_ICR,
		 HV_X86_APIC_ICR_SELF | HV_X86_APIC_ICR_BUSY | 0x4000 | VECTOR);
}

/* Synthetic ICR, all-including-self shorthand on a one-VP partition */
TEST_F(ipi, self_ipi_synthetic_all)
{
	self_ipi(_metadata, self->vp0, HV_X64_MSR_ICR,
		 HV_X86_APIC_ICR_ALL | (VECTOR + 1));
}

/* The ICR is the LAPIC state's icr_low / icr_high, both ways */
TEST_F(ipi, icr_lapic_state)
{
	struct prog p = { .n = 0 };
	struct hv_local_interrupt_controller_state *l;
	const struct hv_x64_io_port_intercept_message *io;
	struct ipi_counts c0 = counts(), c;

	/* fixed IPI to VP 5 (absent: dropped); out; rdmsr; out */
	mov32(&p, OP_MOV_ECX, HV_X86_MSR_X2APIC_ICR);
	mov32(&p, OP_MOV_EDX, 5);
	mov32(&p, OP_MOV_EAX, 0x4077);
	wrmsr(&p);
	out(&p, PORT_SENT);
	rdmsr(&p);
	out(&p, PORT_FIXED);
	cli_hlt(&p);
	prog_write(self->vm, CODE_GPA, &p);
	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, l);
	io = mshv_vp_run_expect_io(self->vp0);
	EXPECT_EQ(PORT_SENT, io->port_number);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 0);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 1);
	mshv_vp_skip_insn(self->vp0, &io->header);

	mshv_vp_lapic_state(self->vp0, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(0x4077U, l->apic_icr_low);
	EXPECT_EQ(5U, l->apic_icr_high);

	/* Restored: not sent, read back without the busy bit */
	l->apic_icr_low = HV_X86_APIC_ICR_BUSY | 0x4234;
	l->apic_icr_high = 7;
	mshv_vp_lapic_state(self->vp0, MSHV_SET_VP_STATE, l);
	io = mshv_vp_run_expect_io(self->vp0);
	EXPECT_EQ(PORT_FIXED, io->port_number);
	EXPECT_EQ(0x4234ULL, io->rax);
	EXPECT_EQ(7ULL, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RDX));
	mshv_vp_lapic_state(self->vp0, MSHV_GET_VP_STATE, l);
	EXPECT_EQ(0x4234U, l->apic_icr_low);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 0);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 1);
	free(l);
}

static __u16 install_init_sipi(struct mshv_vm *vm, __u32 access, __u64 param)
{
	struct hv_input_install_intercept in = {
		.access_type = access,
		.intercept_type = HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI,
		.intercept_parameter = param,
	};

	return mshv_hvcall_status(vm->fd, HVCALL_INSTALL_INTERCEPT, &in, sizeof(in));
}

/* Check an INIT / SIPI intercept message of VP 0 */
static void expect_init_sipi_msg(struct __test_metadata *_metadata,
				 const struct hv_message *msg, __u32 type,
				 __u64 rip, __u32 vector)
{
	const struct hv_x64_sipi_intercept_message *m =
		(const void *)msg->u.payload;

	EXPECT_EQ(type, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(sizeof(*m), msg->header.payload_size);
	EXPECT_EQ(0U, m->header.vp_index);
	EXPECT_EQ(2, m->header.instruction_length_cr8 &
		     HV_X64_INSTRUCTION_LENGTH_MASK);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, m->header.intercept_access_type);
	EXPECT_EQ(rip, m->header.rip);
	EXPECT_EQ(0ULL, m->header.cs_segment.base);
	EXPECT_EQ(1U, m->target_vp_index);
	EXPECT_EQ(vector, m->interrupt_vector);
}

/*
 * X64_APIC_INIT_SIPI intercept: VP 0's INIT and SIPIs are reported, not
 * performed; the VMM starts VP 1 itself, whose run already waits on its
 * own thread.
 */
TEST_F(ipi, init_sipi_intercept)
{
	const struct hv_x64_io_port_intercept_message *io;
	struct hv_x64_intercept_message_header h;
	struct run_until_signal r = { 0 };
	struct hv_x64_segment_register cs;
	struct ipi_counts c0, c;
	struct hv_message *msg;
	pthread_t thread;

	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  install_init_sipi(self->vm, 8, 0));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  install_init_sipi(self->vm, HV_INTERCEPT_ACCESS_MASK_WRITE,
				    1));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  install_init_sipi(self->vm, HV_INTERCEPT_ACCESS_MASK_WRITE,
				    0));
	self->vp1 = create_ap(self->vm);
	install_handler(SIGUSR1);
	r.vp = self->vp1;
	c0 = counts();
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_until_signal_thread,
				    &r));

	msg = mshv_vp_run(self->vp0);
	expect_init_sipi_msg(_metadata, msg, HVMSG_X64_APIC_INIT_SIPI_INTERCEPT,
			     BSP_AFTER_INIT, 0);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp1));
	msg = mshv_vp_run(self->vp0);
	expect_init_sipi_msg(_metadata, msg, HVMSG_X64_SIPI_INTERCEPT,
			     BSP_AFTER_SIPI1, SIPI_VECTOR);
	msg = mshv_vp_run(self->vp0);
	expect_init_sipi_msg(_metadata, msg, HVMSG_X64_SIPI_INTERCEPT,
			     BSP_AFTER_SIPI2, SIPI_VECTOR);
	h = run_port(_metadata, self->vp0, PORT_SENT);
	EXPECT_EQ(BSP_AFTER_SIPI2, h.rip);
	c = counts();
	expect_delta(_metadata, "init_sipi_msgs", c0.init_sipi_msgs,
		     c.init_sipi_msgs, 3);
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 0);
	expect_delta(_metadata, "inits", c0.inits, c.inits, 0);
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 0);
	expect_delta(_metadata, "sipis_ignored", c0.sipis_ignored, c.sipis_ignored, 0);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND, activity(self->vp1));

	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs,
		     0);
	EXPECT_EQ(0, atomic_load(&r.done));

	/*
	 * The VMM starts VP 1 at the SIPI page itself; clearing
	 * STARTUP_SUSPEND signals it, and its waiting run dispatches it.
	 */
	mshv_vp_set_real_mode_cs(self->vp1, SIPI_VECTOR << 8, SIPI_GPA);
	mshv_vp_set_reg(self->vp1, HV_X64_REGISTER_RIP, 0);
	mshv_vp_set_reg(self->vp1, HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0);
	c = counts();
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs,
		     1);
	EXPECT_TRUE(join_or_kick(thread, &r.done));
	ASSERT_EQ(0, r.ret) TH_LOG("VP 1 run: errno %d", r.err);
	mshv_expect_msg_type(&self->vp1->msg, HVMSG_X64_IO_PORT_INTERCEPT);
	io = (const void *)self->vp1->msg.u.payload;
	EXPECT_EQ(PORT_AP_UP, io->port_number);
	EXPECT_EQ((__u64)AP_UP_IP, io->header.rip);
	cs = mshv_vp_get_segment(self->vp1, HV_X64_REGISTER_CS);
	EXPECT_EQ((__u64)SIPI_GPA, cs.base);

	/* Removed: the next INIT is performed */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  install_init_sipi(self->vm, HV_INTERCEPT_ACCESS_MASK_NONE,
				    0));
	mshv_vp_set_reg(self->vp0, HV_X64_REGISTER_RIP, CODE_GPA);
	h = run_port(_metadata, self->vp0, PORT_SENT);
	c = counts();
	expect_delta(_metadata, "init_sipi_msgs", c0.init_sipi_msgs,
		     c.init_sipi_msgs, 3);
	expect_delta(_metadata, "inits", c0.inits, c.inits, 1);
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 1);
	expect_delta(_metadata, "sipis_ignored", c0.sipis_ignored, c.sipis_ignored, 1);
	EXPECT_EQ(0ULL, activity(self->vp1));
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp1, HV_X64_REGISTER_RIP));
}

#define PING_ROUNDS	50
#define PING_GPA	0x3000ULL	/* VP 1: sti; hlt; jmp back */
#define PONG_VECTOR	(VECTOR + 1)

/*
 * Ping-pong: VP 0 sends a fixed IPI to the halted VP 1 and halts; VP 1's
 * handler answers with an IPI that wakes VP 0; PING_ROUNDS times, each VP
 * on its own thread.  Every IPI wakes a halted VP, so the counters are
 * exact; the time per round trip is logged.
 */
TEST_F(ipi, ping_pong)
{
	static const __u8 ap_loop[] = { 0xFB, 0xF4, 0xEB, 0xFC };
	static const __u8 mov_si[] = { 0xBE, PING_ROUNDS, 0x00 };
	static const __u8 iret[] = { 0xCF };
	static const __u8 eoi_tail[] = {
		0x66, 0x31, 0xC0,	/* xor eax, eax */
		0x66, 0x31, 0xD2,	/* xor edx, edx */
		0x0F, 0x30,		/* wrmsr */
	};
	struct prog bsp = { .n = 0 }, pong = { .n = 0 }, ping = { .n = 0 };
	__u8 ivt[4] = { (HANDLER_GPA + 0x100) & 0xFF,
			(HANDLER_GPA + 0x100) >> 8, 0, 0 };
	struct run_until_signal r = { 0 };
	struct ipi_counts c0, c;
	unsigned int loop;
	pthread_t thread;
	double t0, t1;

	/* VP 0: si = rounds; loop: IPI to VP 1; sti; hlt; cli; dec si; jnz */
	put(&bsp, mov_si, sizeof(mov_si));
	loop = bsp.n;
	mov32(&bsp, OP_MOV_ECX, HV_X86_MSR_X2APIC_ICR);
	mov32(&bsp, OP_MOV_EDX, 1);
	mov32(&bsp, OP_MOV_EAX, 0x4000 | VECTOR);
	wrmsr(&bsp);
	insn2(&bsp, 0xFB, 0xF4);			/* sti; hlt */
	insn2(&bsp, 0xFA, 0x4E);			/* cli; dec si */
	insn2(&bsp, 0x75, loop - (bsp.n + 2));		/* jnz loop */
	out(&bsp, PORT_SENT);
	cli_hlt(&bsp);
	prog_write(self->vm, CODE_GPA, &bsp);

	/* VP 1's handler for VECTOR: EOI, answer PONG_VECTOR, iret */
	mov32(&ping, OP_MOV_ECX, HV_X86_MSR_X2APIC_EOI);
	put(&ping, eoi_tail, sizeof(eoi_tail));
	mov32(&ping, OP_MOV_ECX, HV_X86_MSR_X2APIC_ICR);
	mov32(&ping, OP_MOV_EAX, 0x4000 | PONG_VECTOR);
	wrmsr(&ping);
	put(&ping, iret, sizeof(iret));
	prog_write(self->vm, HANDLER_GPA, &ping);

	/* VP 0's handler for PONG_VECTOR: EOI, iret */
	mov32(&pong, OP_MOV_ECX, HV_X86_MSR_X2APIC_EOI);
	put(&pong, eoi_tail, sizeof(eoi_tail));
	put(&pong, iret, sizeof(iret));
	prog_write(self->vm, HANDLER_GPA + 0x100, &pong);
	mshv_vm_write(self->vm, PONG_VECTOR * 4, ivt, sizeof(ivt));
	mshv_vm_write(self->vm, PING_GPA, ap_loop, sizeof(ap_loop));

	install_handler(SIGUSR1);
	self->vp1 = mshv_vp_create(self->vm, 1);
	mshv_vp_start_ap(self->vp1);
	mshv_vp_set_real_mode_cs(self->vp1, 0, 0);
	mshv_vp_set_reg(self->vp1, HV_X64_REGISTER_RIP, PING_GPA);
	mshv_vp_set_reg(self->vp1, HV_X64_REGISTER_RSP, AP_STACK);
	r.vp = self->vp1;
	c0 = counts();
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_until_signal_thread,
				    &r));
	EXPECT_TRUE(wait_activity(self->vp1,
				  HV_INTERNAL_ACTIVITY_HALT_SUSPEND));

	t0 = now_ms();
	run_port(_metadata, self->vp0, PORT_SENT);
	t1 = now_ms();
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp0, HV_X64_REGISTER_RSI) &
			0xFFFF);
	while (!atomic_load(&r.done)) {
		pthread_kill(thread, SIGUSR1);
		usleep(10000);
	}
	pthread_join(thread, NULL);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err);
	TH_LOG("%u round trips in %.1f ms: %.3f ms each", PING_ROUNDS,
	       t1 - t0, (t1 - t0) / PING_ROUNDS);

	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 2 * PING_ROUNDS);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 0);
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered,
		     2 * PING_ROUNDS);
	expect_delta(_metadata, "eois", c0.eois, c.eois, 2 * PING_ROUNDS);
	expect_delta(_metadata, "halts", c0.halts, c.halts,
		     2 * PING_ROUNDS + 1);
	expect_delta(_metadata, "wakes", c0.wakes, c.wakes, 2 * PING_ROUNDS);
	expect_delta(_metadata, "signal_msgs", c0.signal_msgs, c.signal_msgs,
		     2 * PING_ROUNDS);
	EXPECT_EQ(HV_INTERNAL_ACTIVITY_HALT_SUSPEND, activity(self->vp1));
}

/* A 64-bit VP 0 sends INIT and SIPI to VP 1 through the xAPIC page */
TEST_F(ipi, xapic_longmode_init_sipi)
{
	/* mov eax, addr; mov dword [rax], imm32 */
	const __u8 code[] = {
		0xB8, 0x10, 0x03, 0xE0, 0xFE,
		0xC7, 0x00, 0x00, 0x00, 0x00, 0x01,	/* VP 1 in 31:24 */
		0xB8, 0x00, 0x03, 0xE0, 0xFE,
		0xC7, 0x00, ICR_INIT & 0xFF, ICR_INIT >> 8, 0x00, 0x00,
		0xC7, 0x00, ICR_SIPI & 0xFF, ICR_SIPI >> 8, 0x00, 0x00,
		0xE6, PORT_SENT,
		0xFA, 0xF4,
	};
	struct hv_local_interrupt_controller_state *l;
	struct hv_x64_intercept_message_header h;
	struct ipi_counts c0, c;
	struct mshv_paging pg;

	mshv_paging_init(&pg, self->vm, TABLES_GPA, TABLES_SIZE);
	mshv_paging_map(&pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_2M);
	mshv_paging_map(&pg, APIC_GPA, APIC_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vp_enter_long_mode(self->vp0, &pg, GDT_GPA);
	mshv_vm_write(self->vm, CODE_GPA, code, sizeof(code));
	mshv_vp_set_reg(self->vp0, HV_X64_REGISTER_RIP, CODE_GPA);
	self->vp1 = create_ap(self->vm);
	c0 = counts();

	h = run_port(_metadata, self->vp0, PORT_SENT);
	EXPECT_EQ(CODE_GPA + sizeof(code) - 4, h.rip);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 2);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 0);
	expect_delta(_metadata, "inits", c0.inits, c.inits, 1);
	expect_delta(_metadata, "sipis", c0.sipis, c.sipis, 1);
	EXPECT_EQ(0ULL, activity(self->vp1));

	l = aligned_alloc(MSHV_PAGE_SIZE, MSHV_PAGE_SIZE);
	ASSERT_NE(NULL, l);
	mshv_vp_lapic_state(self->vp0, MSHV_GET_VP_STATE, l);
	EXPECT_EQ((__u32)ICR_SIPI, l->apic_icr_low);
	EXPECT_EQ(1U << 24, l->apic_icr_high);
	free(l);

	h = run_port(_metadata, self->vp1, PORT_AP_UP);
	EXPECT_EQ((__u64)AP_UP_IP, h.rip);
	EXPECT_EQ((__u64)SIPI_GPA, h.cs_segment.base);
	EXPECT_EQ(SIPI_VECTOR << 8, h.cs_segment.selector);
}

TEST_HARNESS_MAIN
