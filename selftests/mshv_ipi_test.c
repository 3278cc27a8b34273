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
 *    threads, with exact counters and the time per round trip;
 *  - x2APIC mode: two VPs of an X2APIC partition enter it, VP 0 sends VP 1
 *    a fixed IPI through MSR 0x830, IDs and LDRs, the #GPs of illegal
 *    accesses, the xAPIC page no longer the APIC; without the partition
 *    flag no CPUID bit and EXTD a #GP.
 */
#include <assert.h>
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

/* Copy guest code [@code, @end) to @gpa */
static void load(struct mshv_vm *vm, __u64 gpa, const __u8 *code,
		 const __u8 *end)
{
	mshv_vm_write(vm, gpa, code, end - code);
}

/* Write @v over the 4-byte immediate that ends at @end_gpa */
static void patch_imm32(struct mshv_vm *vm, __u64 end_gpa, __u32 v)
{
	mshv_vm_write(vm, end_gpa - sizeof(v), &v, sizeof(v));
}

/* VP 0: INIT, SIPI, SIPI to VP 1; then a fixed IPI to it */
MSHV_GUEST_CODE(bsp_code, 16,
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_ICR) ", %ecx\n"
		"	mov $1, %edx\n"
		"	mov $" MSHV_GUEST_STR(ICR_INIT) ", %eax\n"
		"	wrmsr\n"
		"bsp_after_init:\n"
		"	mov $" MSHV_GUEST_STR(ICR_SIPI) ", %eax\n"
		"	wrmsr\n"
		"bsp_after_sipi1:\n"
		"	wrmsr\n"
		"bsp_after_sipi2:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_SENT) "\n"
		"	mov $" MSHV_GUEST_STR(ICR_FIXED) ", %eax\n"
		"	wrmsr\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_FIXED) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(bsp_after_init);
MSHV_GUEST_LABEL(bsp_after_sipi1);
MSHV_GUEST_LABEL(bsp_after_sipi2);

#define BSP_AT(label)	(CODE_GPA + MSHV_GUEST_OFFSET(bsp_code, label))
#define BSP_AFTER_INIT	BSP_AT(bsp_after_init)
#define BSP_AFTER_SIPI1	BSP_AT(bsp_after_sipi1)
#define BSP_AFTER_SIPI2	BSP_AT(bsp_after_sipi2)

/* VP 1 at the SIPI page (CS 0x800, IP 0); its stack is AP_STACK */
MSHV_GUEST_CODE(ap_code, 16,
		"	mov $0x6000, %sp\n"
		"ap_up:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_AP_UP) "\n"
		"	sti\n"
		"	hlt\n"
		"ap_woken:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_AP_WOKEN) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(ap_up);
MSHV_GUEST_LABEL(ap_woken);
static_assert(AP_STACK == 0x6000, "ap_code's stack");

#define AP_UP_IP	MSHV_GUEST_OFFSET(ap_code, ap_up)
#define AP_WOKEN_IP	MSHV_GUEST_OFFSET(ap_code, ap_woken)

/* The interrupt handler: OUT HANDLER, x2APIC EOI, IRET */
MSHV_GUEST_CODE(handler_code, 16,
		"	out %al, $" MSHV_GUEST_STR(PORT_HANDLER) "\n"
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_EOI) ", %ecx\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	iret\n");

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
	load(self->vm, CODE_GPA, bsp_code, bsp_code_end);
	load(self->vm, SIPI_GPA, ap_code, ap_code_end);
	load(self->vm, HANDLER_GPA, handler_code, handler_code_end);
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
	static const struct mshv_assert_case rows[] = {
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
		EXPECT_EQ(rows[i].status,
			  mshv_assert_case_status(self->vm->fd, &rows[i]))
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
/* VP 0: one SIPI to VP 1; OUT; CLI; HLT */
MSHV_GUEST_CODE(one_sipi_code, 16,
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_ICR) ", %ecx\n"
		"	mov $1, %edx\n"
		"	mov $" MSHV_GUEST_STR(ICR_SIPI) ", %eax\n"
		"	wrmsr\n"
		"one_sipi_sent:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_SENT) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(one_sipi_sent);

TEST_F(ipi, new_ap_waits_for_sipi)
{
	struct run_until_signal r = { 0 };
	struct hv_x64_intercept_message_header h;
	struct hv_x64_segment_register cs;
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

	load(self->vm, CODE_GPA, one_sipi_code, one_sipi_code_end);

	c0 = counts();
	start_waiting_run(_metadata, &r, self->vp1, &thread);
	h = mshv_vp_run_expect_port(self->vp0, PORT_SENT)->header;
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(one_sipi_code, one_sipi_sent),
		  h.rip);
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

	h = mshv_vp_run_expect_port(self->vp0, PORT_SENT)->header;
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
	h = mshv_vp_run_expect_port(self->vp0, PORT_FIXED)->header;
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
MSHV_GUEST_CODE(self_ipi_code, 16,
		"	mov $0, %ecx\n"
		"self_ipi_msr_end:\n"
		"	mov $0, %edx\n"
		"	mov $0, %eax\n"
		"self_ipi_lo_end:\n"
		"	wrmsr\n"
		"	mov $0, %eax\n"
		"	rdmsr\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_SENT) "\n"
		"	sti\n"
		"	nop\n"
		"self_ipi_back:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_BACK) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(self_ipi_msr_end);
MSHV_GUEST_LABEL(self_ipi_lo_end);
MSHV_GUEST_LABEL(self_ipi_back);
#define SELF_IPI_AT(label)	\
	(CODE_GPA + MSHV_GUEST_OFFSET(self_ipi_code, label))

static void self_ipi(struct __test_metadata *_metadata, struct mshv_vp *vp,
		     __u32 msr, __u32 lo)
{
	const struct hv_x64_io_port_intercept_message *io;
	struct ipi_counts c0 = counts(), c;
	struct hv_x64_intercept_message_header h;

	load(vp->vm, CODE_GPA, self_ipi_code, self_ipi_code_end);
	patch_imm32(vp->vm, SELF_IPI_AT(self_ipi_msr_end), msr);
	patch_imm32(vp->vm, SELF_IPI_AT(self_ipi_lo_end), lo);
	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(PORT_SENT, io->port_number);
	EXPECT_EQ((__u64)(lo & ~HV_X86_APIC_ICR_BUSY), io->rax);
	EXPECT_EQ(0ULL, mshv_vp_get_reg(vp, HV_X64_REGISTER_RDX));
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 1);
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 0);
	mshv_vp_skip_insn(vp, &io->header);

	h = mshv_vp_run_expect_port(vp, PORT_HANDLER)->header;
	EXPECT_EQ(HANDLER_GPA, h.rip);
	mshv_vp_skip_insn(vp, &h);
	h = mshv_vp_run_expect_port(vp, PORT_BACK)->header;
	EXPECT_EQ(SELF_IPI_AT(self_ipi_back), h.rip);
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
/* Fixed IPI to VP 5 (absent: dropped); OUT; RDMSR; OUT */
MSHV_GUEST_CODE(icr_code, 16,
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_ICR) ", %ecx\n"
		"	mov $5, %edx\n"
		"	mov $0x4077, %eax\n"
		"	wrmsr\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_SENT) "\n"
		"	rdmsr\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_FIXED) "\n"
		"	cli\n"
		"	hlt\n");

TEST_F(ipi, icr_lapic_state)
{
	struct hv_local_interrupt_controller_state *l;
	const struct hv_x64_io_port_intercept_message *io;
	struct ipi_counts c0 = counts(), c;

	load(self->vm, CODE_GPA, icr_code, icr_code_end);
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
	h = mshv_vp_run_expect_port(self->vp0, PORT_SENT)->header;
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
	h = mshv_vp_run_expect_port(self->vp0, PORT_SENT)->header;
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
/* VP 0: SI = rounds; loop: IPI to VP 1; STI; HLT; CLI; DEC SI; JNZ loop */
MSHV_GUEST_CODE(ping_bsp_code, 16,
		"	mov $" MSHV_GUEST_STR(PING_ROUNDS) ", %si\n"
		"1:	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_ICR) ", %ecx\n"
		"	mov $1, %edx\n"
		"	mov $(0x4000 | " MSHV_GUEST_STR(VECTOR) "), %eax\n"
		"	wrmsr\n"
		"	sti\n"
		"	hlt\n"
		"	cli\n"
		"	dec %si\n"
		"	jnz 1b\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_SENT) "\n"
		"	cli\n"
		"	hlt\n");

/* VP 1's handler for VECTOR: EOI, answer PONG_VECTOR, IRET */
MSHV_GUEST_CODE(ping_handler_code, 16,
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_EOI) ", %ecx\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_ICR) ", %ecx\n"
		"	mov $(0x4000 | " MSHV_GUEST_STR(PONG_VECTOR) "), %eax\n"
		"	wrmsr\n"
		"	iret\n");

/* VP 0's handler for PONG_VECTOR: EOI, IRET */
MSHV_GUEST_CODE(pong_handler_code, 16,
		"	mov $" MSHV_GUEST_STR(HV_X86_MSR_X2APIC_EOI) ", %ecx\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	iret\n");

/* VP 1: wait for interrupts */
MSHV_GUEST_CODE(ap_loop_code, 16,
		"1:	sti\n"
		"	hlt\n"
		"	jmp 1b\n");

TEST_F(ipi, ping_pong)
{
	__u8 ivt[4] = { (HANDLER_GPA + 0x100) & 0xFF,
			(HANDLER_GPA + 0x100) >> 8, 0, 0 };
	struct run_until_signal r = { 0 };
	struct ipi_counts c0, c;
	pthread_t thread;
	double t0, t1;

	load(self->vm, CODE_GPA, ping_bsp_code, ping_bsp_code_end);
	load(self->vm, HANDLER_GPA, ping_handler_code, ping_handler_code_end);
	load(self->vm, HANDLER_GPA + 0x100, pong_handler_code,
	     pong_handler_code_end);
	mshv_vm_write(self->vm, PONG_VECTOR * 4, ivt, sizeof(ivt));
	load(self->vm, PING_GPA, ap_loop_code, ap_loop_code_end);

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
	mshv_vp_run_expect_port(self->vp0, PORT_SENT);
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
/* 64-bit: INIT and SIPI to VP 1 through the xAPIC ICR at APIC_GPA */
MSHV_GUEST_CODE(xapic_code, 64,
		"	mov $0xfee00310, %eax\n"
		"	movl $0x01000000, (%rax)\n"	/* VP 1 in 31:24 */
		"	mov $0xfee00300, %eax\n"
		"	movl $" MSHV_GUEST_STR(ICR_INIT) ", (%rax)\n"
		"	movl $" MSHV_GUEST_STR(ICR_SIPI) ", (%rax)\n"
		"xapic_sent:\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_SENT) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(xapic_sent);
static_assert(APIC_GPA == 0xfee00000, "xapic_code's ICR addresses");

TEST_F(ipi, xapic_longmode_init_sipi)
{
	struct hv_local_interrupt_controller_state *l;
	struct hv_x64_intercept_message_header h;
	struct ipi_counts c0, c;
	struct mshv_paging pg;

	mshv_paging_init(&pg, self->vm, TABLES_GPA, TABLES_SIZE);
	mshv_paging_map(&pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_2M);
	mshv_paging_map(&pg, APIC_GPA, APIC_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vp_enter_long_mode(self->vp0, &pg, GDT_GPA);
	load(self->vm, CODE_GPA, xapic_code, xapic_code_end);
	mshv_vp_set_reg(self->vp0, HV_X64_REGISTER_RIP, CODE_GPA);
	self->vp1 = create_ap(self->vm);
	c0 = counts();

	h = mshv_vp_run_expect_port(self->vp0, PORT_SENT)->header;
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(xapic_code, xapic_sent), h.rip);
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

	h = mshv_vp_run_expect_port(self->vp1, PORT_AP_UP)->header;
	EXPECT_EQ((__u64)AP_UP_IP, h.rip);
	EXPECT_EQ((__u64)SIPI_GPA, h.cs_segment.base);
	EXPECT_EQ(SIPI_VECTOR << 8, h.cs_segment.selector);
}

/*
 * x2APIC mode (a partition created with MSHV_PT_BIT_X2APIC).  Real-mode
 * guests; a #GP handler counts the #GPs in X2_GPS and skips the 2-byte
 * RDMSR / WRMSR that raised them.
 */
#define X2_GP_GPA	0x5000ULL	/* the #GP handler (CS 0) */
#define X2_GPS		0x3000	/* #GPs taken */
#define X2_DATA		0x3010	/* what the guests read */
#define PORT_DONE	0x84

#define X2_STORE(off)	"	mov %eax, " MSHV_GUEST_STR(X2_DATA) "+" #off "\n"
#define X2_RDMSR(msr)						\
	"	mov $" #msr ", %ecx\n"					\
	"	rdmsr\n"
#define X2_WRMSR(msr, lo, hi)					\
	"	mov $" #msr ", %ecx\n"					\
	"	mov $" #lo ", %eax\n"					\
	"	mov $" #hi ", %edx\n"					\
	"	wrmsr\n"

MSHV_GUEST_CODE(x2_gp_code, 16,
		"	push %bp\n"
		"	mov %sp, %bp\n"
		"	addw $2, 2(%bp)\n"
		"	incl " MSHV_GUEST_STR(X2_GPS) "\n"
		"	pop %bp\n"
		"	iret\n");

/*
 * VP 0: CPUID.1 ECX and APIC_BASE, into x2APIC mode, its ID and LDR, a
 * fixed IPI to VP 1 through the 64-bit ICR; then five #GPs: back to
 * xAPIC mode, RDMSR of EOI, WRMSR of the ID, RDMSR of DFR, a SELF IPI
 * with bit 8 set; APIC_BASE again; last a read of the xAPIC page through
 * FS (base 0xFEE00000), which is ordinary memory now.
 */
MSHV_GUEST_CODE(x2_bsp_code, 16,
		"	mov $1, %eax\n"
		"	cpuid\n"
		"	mov %ecx, %eax\n"
		X2_STORE(0x00)
		X2_RDMSR(0x1B)
		X2_STORE(0x04)
		"	or $0x400, %eax\n"
		"	wrmsr\n"
		"	rdmsr\n"
		X2_STORE(0x08)
		X2_RDMSR(0x802)
		X2_STORE(0x0C)
		X2_RDMSR(0x80D)
		X2_STORE(0x10)
		X2_WRMSR(0x80F, 0x1FF, 0)
		X2_WRMSR(0x830, 0x4041, 1)
		"	out %al, $" MSHV_GUEST_STR(PORT_FIXED) "\n"
		X2_RDMSR(0x1B)
		"	and $0xFFFFFBFF, %eax\n"
		"	wrmsr\n"
		X2_RDMSR(0x80B)
		X2_WRMSR(0x802, 0, 0)
		X2_RDMSR(0x80E)
		X2_WRMSR(0x83F, 0x141, 0)
		X2_RDMSR(0x1B)
		X2_STORE(0x14)
		X2_RDMSR(0x830)
		X2_STORE(0x18)
		"	mov %edx, %eax\n"
		X2_STORE(0x1C)
		"x2_page_read:\n"
		"	mov %fs:0x20, %eax\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_DONE) "\n"
		"	cli\n"
		"	hlt\n");
MSHV_GUEST_LABEL(x2_page_read);

/* VP 1 at 0x8000 (CS 0): into x2APIC mode, its ID and LDR, wait for VP 0 */
MSHV_GUEST_CODE(x2_ap_code, 16,
		X2_RDMSR(0x1B)
		"	or $0x400, %eax\n"
		"	wrmsr\n"
		X2_RDMSR(0x802)
		X2_STORE(0x20)
		X2_RDMSR(0x80D)
		X2_STORE(0x24)
		X2_WRMSR(0x80F, 0x1FF, 0)
		"	out %al, $" MSHV_GUEST_STR(PORT_AP_UP) "\n"
		"	sti\n"
		"	hlt\n"
		"	out %al, $" MSHV_GUEST_STR(PORT_AP_WOKEN) "\n"
		"	cli\n"
		"	hlt\n");

static __u32 x2_rd32(struct mshv_vm *vm, __u64 gpa)
{
	__u32 v;

	mshv_vm_read(vm, gpa, &v, sizeof(v));
	return v;
}

/* @vm's VP @index in real mode at CS 0, IP @ip, stack @sp, IF clear */
static struct mshv_vp *x2_vp(struct mshv_vm *vm, __u32 index, __u64 ip,
			     __u64 sp)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = ip },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = sp },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
	};
	struct mshv_vp *vp = mshv_vp_create(vm, index);

	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
	if (index)
		mshv_vp_start_ap(vp);
	return vp;
}

/*
 * Two VPs of an X2APIC partition enter x2APIC mode; VP 0 sends VP 1 a
 * fixed IPI through MSR 0x830 (destination: x2APIC id 1 in EDX), which VP
 * 1 takes through its IVT and ends with the x2APIC EOI.  The IDs are the
 * VP indices, the LDRs their cluster bits; the illegal accesses are #GPs;
 * and the xAPIC page is not the APIC any more: its read goes to the VMM.
 */
TEST_F(ipi, x2apic_ipi)
{
	__u8 ivt[4] = { HANDLER_GPA & 0xFF, HANDLER_GPA >> 8, 0, 0 };
	__u8 gp_ivt[4] = { X2_GP_GPA & 0xFF, X2_GP_GPA >> 8, 0, 0 };
	const struct hv_x64_memory_intercept_message *mem;
	struct hv_x64_segment_register fs;
	struct mshv_vp *vp0, *vp1;
	struct ipi_counts c0, c;
	struct hv_message *msg;
	struct mshv_vm *vm;

	vm = mshv_vm_create_flags(1ULL << MSHV_PT_BIT_LAPIC |
				  1ULL << MSHV_PT_BIT_X2APIC);
	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	memset((__u8 *)vm->mem + AP_STACK - MSHV_PAGE_SIZE, 0,
	       2 * MSHV_PAGE_SIZE);
	memset((__u8 *)vm->mem + X2_GPS, 0, MSHV_PAGE_SIZE);
	load(vm, CODE_GPA, x2_bsp_code, x2_bsp_code_end);
	load(vm, SIPI_GPA, x2_ap_code, x2_ap_code_end);
	load(vm, HANDLER_GPA, handler_code, handler_code_end);
	load(vm, X2_GP_GPA, x2_gp_code, x2_gp_code_end);
	mshv_vm_write(vm, (VECTOR + 1) * 4, ivt, sizeof(ivt));
	mshv_vm_write(vm, 13 * 4, gp_ivt, sizeof(gp_ivt));
	vp0 = x2_vp(vm, 0, CODE_GPA, BSP_STACK);
	vp1 = x2_vp(vm, 1, SIPI_GPA, AP_STACK);
	fs = mshv_vp_get_segment(vp0, HV_X64_REGISTER_FS);
	fs.base = APIC_GPA;
	mshv_vp_set_segment(vp0, HV_X64_REGISTER_FS, &fs);

	mshv_vp_skip_insn(vp1, &mshv_vp_run_expect_port(vp1,
							PORT_AP_UP)->header);
	c0 = counts();
	mshv_vp_skip_insn(vp0, &mshv_vp_run_expect_port(vp0,
							PORT_FIXED)->header);
	c = counts();
	expect_delta(_metadata, "ipis", c0.ipis, c.ipis, 1);
	expect_delta(_metadata, "ipi_drops", c0.ipi_drops, c.ipi_drops, 0);
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 0);

	/* VP 1 does not halt: the vector waits; handler, EOI, after HLT */
	mshv_vp_skip_insn(vp1, &mshv_vp_run_expect_port(vp1,
							PORT_HANDLER)->header);
	mshv_vp_run_expect_port(vp1, PORT_AP_WOKEN);
	c = counts();
	expect_delta(_metadata, "delivered", c0.delivered, c.delivered, 1);
	expect_delta(_metadata, "eois", c0.eois, c.eois, 1);
	expect_delta(_metadata, "halts", c0.halts, c.halts, 0);

	msg = mshv_vp_run(vp0);
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg->header.message_type);
	mem = (const void *)msg->u.payload;
	EXPECT_EQ(APIC_GPA + 0x20, mem->guest_physical_address);
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(x2_bsp_code, x2_page_read),
		  mem->header.rip);

	EXPECT_EQ(1U << 21, x2_rd32(vm, X2_DATA + 0x00) & (1U << 21));
	EXPECT_EQ(0xFEE00900U, x2_rd32(vm, X2_DATA + 0x04));
	EXPECT_EQ(0xFEE00D00U, x2_rd32(vm, X2_DATA + 0x08));
	EXPECT_EQ(0U, x2_rd32(vm, X2_DATA + 0x0C));
	EXPECT_EQ(1U, x2_rd32(vm, X2_DATA + 0x10));
	EXPECT_EQ(0xFEE00D00U, x2_rd32(vm, X2_DATA + 0x14));
	EXPECT_EQ(0x4041U, x2_rd32(vm, X2_DATA + 0x18));
	EXPECT_EQ(1U, x2_rd32(vm, X2_DATA + 0x1C));
	EXPECT_EQ(1U, x2_rd32(vm, X2_DATA + 0x20));
	EXPECT_EQ(2U, x2_rd32(vm, X2_DATA + 0x24));
	EXPECT_EQ(5U, x2_rd32(vm, X2_GPS));

	mshv_vp_free(vp1);
	mshv_vp_free(vp0);
	mshv_vm_free(vm);
}

/* Without MSHV_PT_BIT_X2APIC: no CPUID bit, and setting EXTD is a #GP */
MSHV_GUEST_CODE(x2_refused_code, 16,
		"	mov $1, %eax\n"
		"	cpuid\n"
		"	mov %ecx, %eax\n"
		X2_STORE(0x00)
		X2_RDMSR(0x1B)
		"	or $0x400, %eax\n"
		"	wrmsr\n"
		X2_RDMSR(0x1B)
		X2_STORE(0x04)
		"	out %al, $" MSHV_GUEST_STR(PORT_DONE) "\n"
		"	cli\n"
		"	hlt\n");

TEST_F(ipi, x2apic_not_capable)
{
	__u8 gp_ivt[4] = { X2_GP_GPA & 0xFF, X2_GP_GPA >> 8, 0, 0 };

	memset((__u8 *)self->vm->mem + X2_GPS, 0, MSHV_PAGE_SIZE);
	load(self->vm, CODE_GPA, x2_refused_code, x2_refused_code_end);
	load(self->vm, X2_GP_GPA, x2_gp_code, x2_gp_code_end);
	mshv_vm_write(self->vm, 13 * 4, gp_ivt, sizeof(gp_ivt));
	mshv_vp_run_expect_port(self->vp0, PORT_DONE);
	EXPECT_EQ(0U, x2_rd32(self->vm, X2_DATA + 0x00) & (1U << 21));
	EXPECT_EQ(0xFEE00900U, x2_rd32(self->vm, X2_DATA + 0x04));
	EXPECT_EQ(1U, x2_rd32(self->vm, X2_GPS));
}

TEST_HARNESS_MAIN
