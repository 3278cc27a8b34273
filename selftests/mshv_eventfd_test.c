// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSHV_IRQFD and MSHV_IOEVENTFD: every errno, guest doorbell writes that
 * signal an ioeventfd without a userspace exit (and a datamatch mismatch
 * that does exit), an MSI asserted through an irqfd and acknowledged by
 * the guest, a level-triggered interrupt whose EOI fires the resamplefd,
 * and a halted VP woken by an irqfd (scheduler message -> kick).
 *
 * Guest code is real-mode x86 assembled by hand; guest memory is GPA
 * 0..MEM_SIZE, the doorbells sit above it (unmapped, reachable with DS 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x8000ULL
#define CODE_GPA	0x1000ULL
#define HANDLER_GPA	0x2000ULL
#define STACK_TOP	0x7000ULL
#define DOORBELL_A	0xE000ULL	/* len 1, any value */
#define DOORBELL_B	0xE008ULL	/* len 2, datamatch 0x4321 */
#define DOORBELL_C	0xE010ULL	/* len 2, any value */
#define DIAG_PORT	0x80
#define MAX_GSI		4096

/* The eventfd's counter (0 if not signalled); resets it */
static __u64 efd_count(int fd)
{
	__u64 v;

	if (read(fd, &v, sizeof(v)) != sizeof(v)) {
		MSHV_TEST_ASSERT(errno == EAGAIN, "eventfd read: %s",
				 strerror(errno));
		return 0;
	}
	return v;
}

static void efd_signal(int fd)
{
	__u64 one = 1;

	MSHV_TEST_ASSERT(write(fd, &one, sizeof(one)) == sizeof(one),
			 "eventfd write: %s", strerror(errno));
}

/* Route @gsi to @vector on APIC 0, fixed delivery, edge or level */
static void route(int pt_fd, __u32 gsi, __u8 vector, bool level)
{
	struct {
		struct mshv_user_irq_table hdr;
		struct mshv_user_irq_entry e[1];
	} t = {
		.hdr.nr = 1,
		.e[0] = {
			.gsi = gsi,
			.address_lo = 0xFEE00000,
			.data = vector | (level ? 0x8000 : 0),
		},
	};

	MSHV_TEST_ASSERT(ioctl(pt_fd, MSHV_SET_MSI_ROUTING, &t) == 0,
			 "MSHV_SET_MSI_ROUTING: %s", strerror(errno));
}

FIXTURE(efd)
{
	struct mshv_vm *vm;
	__u64 id;
	int efd[3];
};

FIXTURE_SETUP(efd)
{
	int i;

	/* No rule (a held root interrupt) left by a test that was killed */
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	self->vm = mshv_vm_create();
	self->id = mshv_dbg_newest_partition();
	for (i = 0; i < 3; i++) {
		self->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ASSERT_LE(0, self->efd[i]);
	}
}

FIXTURE_TEARDOWN(efd)
{
	int i;

	mshv_vm_free(self->vm);
	for (i = 0; i < 3; i++)
		close(self->efd[i]);
}

TEST_F(efd, irqfd_errnos)
{
	int pt = self->vm->fd, a = self->efd[0], b = self->efd[1];
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	route(pt, 5, 0x30, false);

	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, a, -1, 5, 1 << MSHV_IRQFD_BIT_COUNT));
	EXPECT_EQ(EINVAL, errno);
	/* Any GSI, as in mainline: one past the table binds, inert */
	EXPECT_EQ(0, __mshv_irqfd(pt, a, -1, MAX_GSI, 0));
	EXPECT_EQ(0, __mshv_irqfd(pt, a, -1, MAX_GSI, 1 << MSHV_IRQFD_BIT_DEASSIGN));
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, -1, -1, 5, 0));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, pipefd[0], -1, 5, 0));
	EXPECT_EQ(EINVAL, errno);
	/* RESAMPLE: only on a level-triggered route */
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, a, b, 5, 1 << MSHV_IRQFD_BIT_RESAMPLE));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, a, b, 6, 1 << MSHV_IRQFD_BIT_RESAMPLE));
	EXPECT_EQ(EINVAL, errno);
	route(pt, 6, 0x31, true);
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, a, -1, 6, 1 << MSHV_IRQFD_BIT_RESAMPLE));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, a, pipefd[1], 6, 1 << MSHV_IRQFD_BIT_RESAMPLE));
	EXPECT_EQ(EINVAL, errno);

	/* One irqfd per eventfd */
	EXPECT_EQ(0, __mshv_irqfd(pt, a, -1, 5, 0));
	errno = 0;
	EXPECT_EQ(-1, __mshv_irqfd(pt, a, -1, 7, 0));
	EXPECT_EQ(EBUSY, errno);
	/* Deassign: no match is not an error; then the eventfd is free */
	EXPECT_EQ(0, __mshv_irqfd(pt, a, -1, 7, 1 << MSHV_IRQFD_BIT_DEASSIGN));
	EXPECT_EQ(0, __mshv_irqfd(pt, a, -1, 5, 1 << MSHV_IRQFD_BIT_DEASSIGN));
	EXPECT_EQ(0, __mshv_irqfd(pt, a, -1, 5, 1 << MSHV_IRQFD_BIT_DEASSIGN));
	EXPECT_EQ(0, __mshv_irqfd(pt, a, b, 6, 1 << MSHV_IRQFD_BIT_RESAMPLE));
	/* A GSI without a route: accepted, the signal goes nowhere */
	EXPECT_EQ(0, __mshv_irqfd(pt, b, -1, 100, 0));
	efd_signal(b);

	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(efd, ioeventfd_errnos)
{
	int pt = self->vm->fd, a = self->efd[0], b = self->efd[1];
	const __u32 dm = 1 << MSHV_IOEVENTFD_BIT_DATAMATCH;
	const __u32 de = 1 << MSHV_IOEVENTFD_BIT_DEASSIGN;
	struct mshv_user_ioeventfd args = { .addr = 0x1000, .len = 4, .fd = a };
	static const __u32 bad_len[] = { 3, 5, 6, 7, 9, 16, 0xFFFFFFFF };
	struct mshv_dbg_port port;
	int pipefd[2];
	size_t i;

	ASSERT_EQ(0, pipe(pipefd));

	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, 4, 0, 1 << MSHV_IOEVENTFD_BIT_COUNT));
	EXPECT_EQ(EINVAL, errno);
	args.rsvd[3] = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(pt, MSHV_IOEVENTFD, &args));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x3f8, 1, 0, 1 << MSHV_IOEVENTFD_BIT_PIO));
	EXPECT_EQ(EOPNOTSUPP, errno);
	for (i = 0; i < ARRAY_SIZE(bad_len); i++) {
		errno = 0;
		EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, bad_len[i], 0, 0));
		EXPECT_EQ(EINVAL, errno);
	}
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0xFFFFFFFFFFFFFFFCULL, 8, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, -1, 0x1000, 4, 0, 0));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, pipefd[0], 0x1000, 4, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing was created by the refused calls */
	errno = 0;
	EXPECT_EQ(-1, mshv_dbg_port_at(self->id, 0x1000, &port));
	EXPECT_EQ(ENOENT, errno);

	/* Duplicates: equal datamatch, or either side any value */
	EXPECT_EQ(0, __mshv_ioeventfd(pt, a, 0x1000, 4, 7, dm));
	EXPECT_EQ(0, mshv_dbg_port_at(self->id, 0x1000, &port));
	EXPECT_EQ(0ULL, port.signals);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, b, 0x1000, 4, 7, dm));
	EXPECT_EQ(EEXIST, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, b, 0x1000, 4, 0, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, __mshv_ioeventfd(pt, b, 0x1000, 4, 8, dm));
	EXPECT_EQ(0, __mshv_ioeventfd(pt, b, 0x1000, 2, 0, 0));
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, 2, 9, dm));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, __mshv_ioeventfd(pt, a, 0x2000, 0, 0, 0));

	/* Deassign must match eventfd, addr, len, datamatch exactly */
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, b, 0x1000, 4, 7, dm | de));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, 4, 8, dm | de));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, 4, 7, de));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, 8, 7, dm | de));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, __mshv_ioeventfd(pt, a, 0x1000, 4, 7, dm | de));
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x1000, 4, 7, dm | de));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, __mshv_ioeventfd(pt, b, 0x1000, 2, 0, de));
	EXPECT_EQ(0, __mshv_ioeventfd(pt, a, 0x2000, 0, 0, de));
	/* The one left (0x1000/4, datamatch 8) goes with the partition */
	EXPECT_EQ(1, mshv_dbg_ports_of(self->id));

	close(pipefd[0]);
	close(pipefd[1]);
}

TEST(ioeventfd_teardown)
{
	struct mshv_vm *vm = mshv_vm_create();
	__u64 id = mshv_dbg_newest_partition();
	int e = eventfd(0, EFD_NONBLOCK);
	int i;

	ASSERT_LE(0, e);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, __mshv_ioeventfd(vm->fd, e, 0x10000 + i * 8, 8, 0, 0));
	ASSERT_EQ(0, __mshv_irqfd(vm->fd, e, -1, 1, 0));
	EXPECT_EQ(4, mshv_dbg_ports_of(id));
	mshv_vm_free(vm);
	EXPECT_EQ(0, mshv_dbg_ports_of(id));
	close(e);
}

/* A port the hypervisor refuses leaves nothing behind */
TEST_F(efd, ioeventfd_hypervisor_errors)
{
	int pt = self->vm->fd, a = self->efd[0];
	struct mshv_dbg_port port;

	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	/* CONNECT_PORT fails: the port is deleted again */
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x96 1 0x12"));
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x10000, 4, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mshv_dbg_ports_of(self->id));
	/* CREATE_PORT fails */
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x95 1 0x11"));
	errno = 0;
	EXPECT_EQ(-1, __mshv_ioeventfd(pt, a, 0x10000, 4, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mshv_dbg_ports_of(self->id));
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	/* Nothing of the failed calls blocks the same ioeventfd now */
	EXPECT_EQ(0, __mshv_ioeventfd(pt, a, 0x10000, 4, 0, 0));
	EXPECT_EQ(0, mshv_dbg_port_at(self->id, 0x10000, &port));
	EXPECT_EQ(1, mshv_dbg_ports_of(self->id));
}

/* Copy guest code [@code, @end) to @gpa */
static void load(struct mshv_vm *vm, __u64 gpa, const __u8 *code,
		 const __u8 *end)
{
	mshv_vm_write(vm, gpa, code, end - code);
}

/* Real mode, CS = DS = SS = 0, RIP at the program, stack below STACK_TOP */
static struct mshv_vp *guest(struct mshv_vm *vm)
{
	struct mshv_vp *vp;

	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	vp = mshv_vp_create(vm, 0);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RSP, STACK_TOP);
	return vp;
}

/* Writes to DOORBELL_A (0xe000) and DOORBELL_B (0xe008) */
MSHV_GUEST_CODE(doorbell_prog, 16,
		"	movb $0x5a, 0xe000\n"
		"	movb $0xa5, 0xe000\n"
		"doorbell_b1:\n"
		"	movw $0x1234, 0xe008\n"
		"	movw $0x4321, 0xe008\n"
		"	hlt\n");
MSHV_GUEST_LABEL(doorbell_b1);

TEST_F(efd, doorbell)
{
	int pt = self->vm->fd, a = self->efd[0], b = self->efd[1];
	const struct hv_x64_memory_intercept_message *mem;
	struct mshv_dbg_port pa, pb;
	struct mshv_vp *vp = guest(self->vm);
	struct mshv_dbg_partition before, after;
	struct hv_message *msg;
	__u64 posted;

	load(self->vm, CODE_GPA, doorbell_prog, doorbell_prog_end);
	ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0, 0));
	ASSERT_EQ(0, __mshv_ioeventfd(pt, b, DOORBELL_B, 2, 0x4321,
				      1 << MSHV_IOEVENTFD_BIT_DATAMATCH));
	posted = mshv_dbg_synic_get().posted;

	/* Two doorbell writes, then the mismatching one exits */
	msg = mshv_vp_run(vp);
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg->header.message_type);
	mem = (const void *)msg->u.payload;
	EXPECT_EQ(DOORBELL_B, mem->guest_physical_address);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, mem->header.intercept_access_type);
	/* The two writes before it completed in the hypervisor */
	EXPECT_EQ(CODE_GPA + MSHV_GUEST_OFFSET(doorbell_prog, doorbell_b1),
		  mem->header.rip);
	EXPECT_EQ(2ULL, efd_count(a));
	EXPECT_EQ(0ULL, efd_count(b));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_A, &pa));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_B, &pb));
	EXPECT_EQ(2ULL, pa.signals);
	EXPECT_EQ(0ULL, pb.signals);
	/*
	 * Both writes went through one SINT intercept message; the other
	 * message resumed the new VP on its first run
	 */
	EXPECT_EQ(posted + 2, mshv_dbg_synic_get().posted);

	/* Userspace completes it; the matching write signals, then HLT */
	before = mshv_dbg_partition_get(self->id);
	mshv_vp_skip_insn(vp, &mem->header);
	mshv_vp_run_expect_halt(vp);
	EXPECT_EQ(0ULL, efd_count(a));
	EXPECT_EQ(1ULL, efd_count(b));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_A, &pa));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_B, &pb));
	EXPECT_EQ(2ULL, pa.signals);
	EXPECT_EQ(1ULL, pb.signals);
	EXPECT_EQ(posted + 3, mshv_dbg_synic_get().posted);
	/* The matching write was no GPA intercept, not even a resolved one */
	after = mshv_dbg_partition_get(self->id);
	EXPECT_EQ(before.gpa_faults, after.gpa_faults);

	/* Deassigned: the same write is an ordinary intercept again */
	ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0,
				      1 << MSHV_IOEVENTFD_BIT_DEASSIGN));
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
	msg = mshv_vp_run(vp);
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg->header.message_type);
	mem = (const void *)msg->u.payload;
	EXPECT_EQ(DOORBELL_A, mem->guest_physical_address);
	EXPECT_EQ(0ULL, efd_count(a));
	mshv_vp_free(vp);
}

/* 100 doorbell writes in one dispatch: more than the event ring holds */
MSHV_GUEST_CODE(burst_prog, 16,
		"	mov $100, %cx\n"
		"1:	movb $1, 0xe000\n"
		"	dec %cx\n"
		"	jnz 1b\n"
		"	hlt\n");

/* One write to DOORBELL_C, then HLT: loaded at ONE_GPA */
#define ONE_GPA		0x1800ULL
MSHV_GUEST_CODE(one_c_prog, 16,
		"	movw $0x1234, 0xe010\n"
		"	hlt\n");

/* A lone HLT: loaded at IDLE_GPA */
#define IDLE_GPA	0x1c00ULL
MSHV_GUEST_CODE(idle_prog, 16,
		"	hlt\n");

/*
 * Run @vp once to a HLT and point it back at CODE_GPA.  A VP's first run
 * waits for the hypervisor's signal that it may run (a root SynIC
 * message), which a held root interrupt would never deliver: tests that
 * hold it run the VP once before.
 */
static void first_run(struct mshv_vm *vm, struct mshv_vp *vp)
{
	load(vm, IDLE_GPA, idle_prog, idle_prog_end);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, IDLE_GPA);
	mshv_vp_run_expect_halt(vp);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
}

/* Pin the calling thread to @cpu */
static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * 100 doorbell writes in one dispatch, more than the event ring holds,
 * with the root interrupt held back: a dispatch takes the root's
 * interrupts in its interrupt windows, and the handler would empty the
 * ring every few writes.  On one CPU so that the release runs the
 * handler, and the NOTIFY_PORT_RING_EMPTY that moves the waiting values
 * in, before the write returns.
 */
TEST_F(efd, doorbell_ring_overflow)
{
	int pt = self->vm->fd, a = self->efd[0];
	struct mshv_vp *vp = guest(self->vm);
	struct mshv_dbg_synic before, after;
	struct mshv_dbg_port pa;

	ASSERT_EQ(0, pin_to(sched_getcpu()));
	load(self->vm, CODE_GPA, burst_prog, burst_prog_end);
	ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0, 0));
	first_run(self->vm, vp);
	before = mshv_dbg_synic_get();
	ASSERT_EQ(0, mshv_dbg_inject("root_irq hold"));
	mshv_vp_run_expect_halt(vp);
	EXPECT_EQ(0ULL, efd_count(a));
	ASSERT_EQ(0, mshv_dbg_inject("root_irq release"));
	after = mshv_dbg_synic_get();
	/* Every write reached the eventfd: 63 through the ring, the rest
	 * after NOTIFY_PORT_RING_EMPTY
	 */
	EXPECT_EQ(100ULL, efd_count(a));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_A, &pa));
	EXPECT_EQ(100ULL, pa.signals);
	/* The 64th write found the ring full; the rest queued behind it */
	EXPECT_EQ(before.ring_full + 1, after.ring_full);
	EXPECT_EQ(before.dropped, after.dropped);
	EXPECT_EQ(0ULL, efd_count(a));
	mshv_vp_free(vp);
}

/*
 * Doorbell values the root has not taken yet when their ioeventfd goes
 * (63 in this CPU's event ring, 37 waiting in the hypervisor for
 * NOTIFY_PORT_RING_EMPTY) signal nothing afterwards, not even an
 * ioeventfd assigned in between that could have got the same port id.
 * The root interrupt is held back while the VMM deassigns and assigns, as
 * on a busy root CPU; everything runs on one CPU so that the release
 * runs the handler before the write returns.
 */
TEST_F(efd, doorbell_stale_values)
{
	int pt = self->vm->fd, a = self->efd[0], c = self->efd[2];
	struct mshv_vp *vp = guest(self->vm);
	struct mshv_dbg_synic before, after;
	struct mshv_dbg_port pa, pc;

	ASSERT_EQ(0, pin_to(sched_getcpu()));
	load(self->vm, CODE_GPA, burst_prog, burst_prog_end);
	load(self->vm, ONE_GPA, one_c_prog, one_c_prog_end);
	ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0, 0));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_A, &pa));
	first_run(self->vm, vp);
	before = mshv_dbg_synic_get();

	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	ASSERT_EQ(0, mshv_dbg_inject("root_irq hold"));
	mshv_vp_run_expect_halt(vp);
	/* All 100 writes were completed by the hypervisor, none taken yet */
	EXPECT_EQ(0ULL, efd_count(a));
	ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0,
				      1 << MSHV_IOEVENTFD_BIT_DEASSIGN));
	ASSERT_EQ(0, __mshv_ioeventfd(pt, c, DOORBELL_C, 2, 0, 0));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_C, &pc));
	TH_LOG("port ids: old %u, new %u", pa.port, pc.port);
	ASSERT_EQ(0, mshv_dbg_inject("root_irq release"));
	after = mshv_dbg_synic_get();
	EXPECT_EQ(before.ring_full + 1, after.ring_full);
	EXPECT_EQ(before.dropped, after.dropped);
	/* Dropped: neither the old eventfd nor the new one saw them */
	EXPECT_EQ(0ULL, efd_count(c));
	EXPECT_EQ(0ULL, efd_count(a));

	/* The new ioeventfd works: one write, one signal */
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, ONE_GPA);
	mshv_vp_run_expect_halt(vp);
	EXPECT_EQ(1ULL, efd_count(c));
	EXPECT_EQ(0ULL, efd_count(a));
	ASSERT_EQ(0, mshv_dbg_port_at(self->id, DOORBELL_C, &pc));
	EXPECT_EQ(1ULL, pc.signals);
	mshv_vp_free(vp);
}

struct fail_loop {
	int pt;
	int fd;
	atomic_int stop;
	unsigned int calls;
	unsigned int unexpected;
};

/* Assign ioeventfds whose CONNECT_PORT fails, until told to stop */
static void *fail_assigns(void *arg)
{
	struct fail_loop *f = arg;

	/* The other CPU than the VP and the doorbell handler */
	if (pin_to(1))
		f->unexpected++;
	while (!atomic_load(&f->stop)) {
		if (mshv_dbg_inject("fail 0x96 1 0x12"))
			break;
		errno = 0;
		if (__mshv_ioeventfd(f->pt, f->fd, DOORBELL_C, 2, 0, 0) != -1 ||
		    errno != EINVAL)
			f->unexpected++;
		f->calls++;
	}
	return NULL;
}

/*
 * An ioeventfd whose assignment fails is never signalled: the doorbell
 * values of a deassigned ioeventfd are delivered on one CPU while another
 * CPU keeps assigning ioeventfds that fail in CONNECT_PORT, each of which
 * holds a port id for a moment.
 */
TEST_F(efd, doorbell_vs_failed_assign)
{
	int pt = self->vm->fd, a = self->efd[0], f = self->efd[1];
	struct mshv_vp *vp = guest(self->vm);
	struct fail_loop fl = { .pt = pt, .fd = f };
	__u64 signalled = 0;
	pthread_t thread;
	int round;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	ASSERT_EQ(0, pin_to(0));
	load(self->vm, CODE_GPA, burst_prog, burst_prog_end);
	first_run(self->vm, vp);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	for (round = 0; round < 20; round++) {
		ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0, 0));
		ASSERT_EQ(0, mshv_dbg_inject("root_irq hold"));
		mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, CODE_GPA);
		mshv_vp_run_expect_halt(vp);
		ASSERT_EQ(0, __mshv_ioeventfd(pt, a, DOORBELL_A, 1, 0,
					      1 << MSHV_IOEVENTFD_BIT_DEASSIGN));

		atomic_store(&fl.stop, 0);
		fl.calls = 0;
		ASSERT_EQ(0, pthread_create(&thread, NULL, fail_assigns, &fl));
		/* Let the other CPU get going, then deliver the 100 values */
		while (!fl.calls)
			sched_yield();
		usleep(1000);
		ASSERT_EQ(0, mshv_dbg_inject("root_irq release"));
		usleep(1000);
		atomic_store(&fl.stop, 1);
		ASSERT_EQ(0, pthread_join(thread, NULL));
		mshv_dbg_inject("clear");
		signalled += efd_count(f);
		EXPECT_EQ(0ULL, efd_count(a));
	}
	EXPECT_EQ(0U, fl.unexpected);
	EXPECT_EQ(0ULL, signalled);
	EXPECT_EQ(0, mshv_dbg_ports_of(self->id));
	mshv_vp_free(vp);
}

/*
 * Interrupt handler at HANDLER_GPA (the vector is patched in as the
 * immediate, the last byte of the MOV before handler_out): report the
 * vector on the diagnostic port, EOI through the x2APIC EOI MSR, HLT (IF
 * is clear in the handler, so HLT exits with a HALT message).
 */
MSHV_GUEST_CODE(handler_prog, 16,
		"	mov $0, %al\n"
		"handler_out:\n"
		"	out %al, $" MSHV_GUEST_STR(DIAG_PORT) "\n"
		"	mov $0x80b, %ecx\n"
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	hlt\n");
MSHV_GUEST_LABEL(handler_out);

/* Interrupts on, then spin */
MSHV_GUEST_CODE(spin_prog, 16,
		"	sti\n"
		"	nop\n"
		"	jmp .\n");

/* Interrupts on, then halt until an interrupt arrives */
MSHV_GUEST_CODE(sti_hlt_prog, 16,
		"	sti\n"
		"	hlt\n"
		"	jmp .\n");

static void install_handler(struct mshv_vm *vm, __u8 vector)
{
	__u16 ivt[2] = { HANDLER_GPA, 0 };

	load(vm, HANDLER_GPA, handler_prog, handler_prog_end);
	mshv_vm_write(vm, HANDLER_GPA +
		      MSHV_GUEST_OFFSET(handler_prog, handler_out) - 1,
		      &vector, 1);
	mshv_vm_write(vm, vector * 4, ivt, sizeof(ivt));
}

/* Run until the handler reports @vector on the diagnostic port */
static void expect_handler(struct __test_metadata *_metadata,
			   struct mshv_vp *vp, __u8 vector)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_io(vp);
	EXPECT_EQ(DIAG_PORT, io->port_number);
	EXPECT_EQ(vector, io->rax & 0xff);
	mshv_vp_skip_insn(vp, &io->header);
}

TEST_F(efd, irqfd_msi)
{
	int pt = self->vm->fd, a = self->efd[0];
	struct mshv_vp *vp = guest(self->vm);

	load(self->vm, CODE_GPA, spin_prog, spin_prog_end);
	install_handler(self->vm, 0x30);
	route(pt, 3, 0x30, false);
	ASSERT_EQ(0, __mshv_irqfd(pt, a, -1, 3, 0));

	/* Asserted from the eventfd wakeup, delivered once IF is set */
	efd_signal(a);
	expect_handler(_metadata, vp, 0x30);
	mshv_vp_run_expect_halt(vp);
	/* The counter was consumed by the irqfd */
	EXPECT_EQ(0ULL, efd_count(a));
	mshv_vp_free(vp);
}

TEST_F(efd, irqfd_resample)
{
	int pt = self->vm->fd, a = self->efd[0], r = self->efd[1];
	struct mshv_vp *vp = guest(self->vm);
	__u64 posted;

	load(self->vm, CODE_GPA, spin_prog, spin_prog_end);
	install_handler(self->vm, 0x31);
	route(pt, 9, 0x31, true);
	ASSERT_EQ(0, __mshv_irqfd(pt, a, r, 9, 1 << MSHV_IRQFD_BIT_RESAMPLE));

	efd_signal(a);
	posted = mshv_dbg_synic_get().posted;
	expect_handler(_metadata, vp, 0x31);
	/* Not yet acknowledged */
	EXPECT_EQ(0ULL, efd_count(r));
	/* WRMSR EOI -> HVMSG_X64_APIC_EOI -> resamplefd */
	mshv_vp_run_expect_halt(vp);
	EXPECT_EQ(1ULL, efd_count(r));
	/* and the signal that resumed the new VP on its first run */
	EXPECT_EQ(posted + 2, mshv_dbg_synic_get().posted);
	mshv_vp_free(vp);
}

/* The hypervisor wants memory for the assertion: deposit, then retry */
TEST_F(efd, irqfd_deposit_retry)
{
	int pt = self->vm->fd, a = self->efd[0];
	struct mshv_vp *vp = guest(self->vm);
	struct mshv_hc_count before, after;

	load(self->vm, CODE_GPA, spin_prog, spin_prog_end);
	install_handler(self->vm, 0x33);
	route(pt, 2, 0x33, false);
	ASSERT_EQ(0, __mshv_irqfd(pt, a, -1, 2, 0));

	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	before = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x94 1 0xb"));
	efd_signal(a);
	expect_handler(_metadata, vp, 0x33);
	mshv_vp_run_expect_halt(vp);
	mshv_dbg_inject("clear");
	/* The refused call from the wakeup, the retry from the work item */
	after = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	EXPECT_EQ(before.calls + 2, after.calls);
	mshv_vp_free(vp);
}

/* Each signal asserts once; nothing after deassign or close */
TEST_F(efd, irqfd_binding)
{
	int pt = self->vm->fd, a = self->efd[0], c = self->efd[2];
	struct mshv_vp *vp = guest(self->vm);
	struct mshv_hc_count c0, c1;
	int b;

	route(pt, 3, 0x30, false);
	ASSERT_EQ(0, __mshv_irqfd(pt, a, -1, 3, 0));
	c0 = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	efd_signal(a);
	efd_signal(a);
	c1 = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	EXPECT_EQ(c0.calls + 2, c1.calls);
	/* The irqfd consumed the counter */
	EXPECT_EQ(0ULL, efd_count(a));

	/* Deassigned: the eventfd is an ordinary eventfd again */
	ASSERT_EQ(0, __mshv_irqfd(pt, a, -1, 3, 1 << MSHV_IRQFD_BIT_DEASSIGN));
	efd_signal(a);
	c0 = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	EXPECT_EQ(c1.calls, c0.calls);
	EXPECT_EQ(1ULL, efd_count(a));

	/* Already signalled when bound: fires once */
	efd_signal(c);
	ASSERT_EQ(0, __mshv_irqfd(pt, c, -1, 3, 0));
	c1 = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	EXPECT_EQ(c0.calls + 1, c1.calls);

	/* Closing the eventfd unbinds it; the GSI takes a new one */
	b = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, __mshv_irqfd(pt, b, -1, 3, 0));
	close(b);
	b = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, __mshv_irqfd(pt, b, -1, 3, 0));
	efd_signal(b);
	c0 = mshv_dbg_hypercall_get(HVCALL_ASSERT_VIRTUAL_INTERRUPT);
	EXPECT_EQ(c1.calls + 1, c0.calls);
	close(b);
	mshv_vp_free(vp);
}

struct runner {
	struct mshv_vp *vp;
	struct hv_message msg;
	int ret;
	int err;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = __mshv_run_vp(r->vp->fd, &r->msg);
	r->err = errno;
	return NULL;
}

static bool vp_halted(struct mshv_vp *vp)
{
	const __u32 name = HV_REGISTER_INTERNAL_ACTIVITY_STATE;
	union hv_register_value v;

	mshv_vp_get_registers(vp, &name, &v, 1);
	return v.reg64 & HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
}

TEST_F(efd, irqfd_wakes_halted_vp)
{
	int pt = self->vm->fd, a = self->efd[0];
	struct mshv_vp *vp = guest(self->vm);
	const struct hv_x64_io_port_intercept_message *io;
	struct runner r = { .vp = vp };
	pthread_t thread;
	__u64 posted;
	int i;

	load(self->vm, CODE_GPA, sti_hlt_prog, sti_hlt_prog_end);
	install_handler(self->vm, 0x32);
	route(pt, 4, 0x32, false);
	ASSERT_EQ(0, __mshv_irqfd(pt, a, -1, 4, 0));

	ASSERT_EQ(0, pthread_create(&thread, NULL, run_thread, &r));
	/* Wait until the VP sits in HLT with interrupts on */
	for (i = 0; i < 1000 && !vp_halted(vp); i++)
		usleep(10000);
	ASSERT_TRUE(vp_halted(vp));
	usleep(50000);
	posted = mshv_dbg_synic_get().posted;

	/* Assert -> SCHEDULER_VP_SIGNAL_BITSET -> kick -> dispatch */
	efd_signal(a);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	io = (const void *)r.msg.u.payload;
	EXPECT_EQ(DIAG_PORT, io->port_number);
	EXPECT_EQ(0x32ULL, io->rax & 0xff);
	EXPECT_EQ(posted + 1, mshv_dbg_synic_get().posted);
	mshv_vp_free(vp);
}

TEST_HARNESS_MAIN
