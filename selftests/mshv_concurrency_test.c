// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSHV_RUN_VP and threads: a signal ends a run of a guest that never
 * exits, SIGKILL ends a process stuck in a run, a VP that spins does not
 * keep other threads of its CPU from running, VPs of one partition run
 * at the same time on different threads with every message accounted
 * for, and closing the VP or partition fd while a run is in progress is
 * safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "mshv_test.h"

#define MEM_SIZE	0x10000ULL
#define SPIN_GPA	0x1000ULL	/* jmp $ */
#define LOOP_GPA	0x2000ULL	/* RCX times OUT DX, AL; then HLT */
#define PORT_BASE	0x100

MSHV_GUEST_CODE(spin_code, 16,
		"	jmp .\n");

/* Real mode: CX times OUT DX, AL with AL counting up, then HLT */
MSHV_GUEST_CODE(loop_code, 16,
		"loop_out:\n"
		"	out %al, %dx\n"
		"	inc %ax\n"
		"	dec %cx\n"
		"	jnz loop_out\n"
		"loop_hlt:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(loop_out);
MSHV_GUEST_LABEL(loop_hlt);
#define LOOP_OUT	MSHV_GUEST_OFFSET(loop_code, loop_out)
#define LOOP_HLT	MSHV_GUEST_OFFSET(loop_code, loop_hlt)

static void on_sigusr1(int sig)
{
	(void)sig;
}

static void install_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	/* No SA_RESTART: the interrupted ioctl must return EINTR */
	MSHV_TEST_ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
}

static struct mshv_vm *vm_with_code(void)
{
	struct mshv_vm *vm = mshv_vm_create();

	mshv_vm_add_memory(vm, 0, MEM_SIZE);
	mshv_vm_write(vm, SPIN_GPA, spin_code, MSHV_GUEST_SIZE(spin_code));
	mshv_vm_write(vm, LOOP_GPA, loop_code, MSHV_GUEST_SIZE(loop_code));
	return vm;
}

/* A VP at @rip in real mode with @nr loop iterations on port @port */
static struct mshv_vp *vp_at(struct mshv_vm *vm, __u32 index, __u64 rip,
			     __u16 port, __u16 nr)
{
	struct mshv_vp *vp = mshv_vp_create(vm, index);
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = rip },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = port },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = nr },
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = 0 },
	};

	if (index)
		mshv_vp_start_ap(vp);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
	return vp;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One MSHV_RUN_VP in a thread, with its result */
struct run_one {
	int vp_fd;
	atomic_int started;
	atomic_int done;
	int ret;
	int err;
};

static void *run_one_thread(void *arg)
{
	struct run_one *r = arg;
	struct hv_message msg;

	atomic_store(&r->started, 1);
	r->ret = __mshv_run_vp(r->vp_fd, &msg);
	r->err = errno;
	atomic_store(&r->done, 1);
	return NULL;
}

/* Signal @thread until its run returns; returns the signals sent */
static unsigned int interrupt_run(pthread_t thread, struct run_one *r)
{
	unsigned int sent = 0;

	while (!atomic_load(&r->started))
		usleep(1000);
	/* Let it enter the ioctl; signals before that are simply repeated */
	usleep(20000);
	while (!atomic_load(&r->done)) {
		pthread_kill(thread, SIGUSR1);
		sent++;
		usleep(10000);
	}
	return sent;
}

/* A guest that never exits: each signal ends the run with EINTR */
TEST(signal_interrupts_spinning_guest)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	unsigned int round;

	install_sigusr1();
	vm = vm_with_code();
	vp = vp_at(vm, 0, SPIN_GPA, 0, 0);

	for (round = 0; round < 3; round++) {
		struct run_one r = { .vp_fd = vp->fd };
		pthread_t thread;
		unsigned int sent;
		double t0;

		ASSERT_EQ(0, pthread_create(&thread, NULL, run_one_thread,
					    &r));
		t0 = now_ms();
		sent = interrupt_run(thread, &r);
		ASSERT_EQ(0, pthread_join(thread, NULL));
		EXPECT_EQ(-1, r.ret);
		EXPECT_EQ(EINTR, r.err);
		EXPECT_LE(1U, sent);
		TH_LOG("round %u: EINTR after %.1f ms, %u signal(s)", round,
		       now_ms() - t0, sent);
		/* The guest is still at its jmp $ */
		EXPECT_EQ(SPIN_GPA, mshv_vp_get_reg(vp, HV_X64_REGISTER_RIP));
	}

	/* And the VP still runs other code to completion afterwards */
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, LOOP_GPA);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RCX, 1);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RDX, PORT_BASE);
	{
		const struct hv_x64_io_port_intercept_message *io;

		io = mshv_vp_run_expect_io(vp);
		EXPECT_EQ(PORT_BASE, io->port_number);
		mshv_vp_skip_insn(vp, &io->header);
		mshv_vp_run_expect_halt(vp);
	}
	mshv_vp_free(vp);
	mshv_vm_free(vm);
}

/* SIGKILL ends a process whose thread is inside MSHV_RUN_VP */
TEST(sigkill_ends_run)
{
	int pipefd[2];
	pid_t pid;
	int status;
	char c;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mshv_vm *vm = vm_with_code();
		struct mshv_vp *vp = vp_at(vm, 0, SPIN_GPA, 0, 0);
		struct hv_message msg;

		close(pipefd[0]);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(2);
		__mshv_run_vp(vp->fd, &msg);
		/* Only a kill may end this run */
		_exit(3);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	usleep(50000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

/*
 * With everything on one CPU, a spinning guest must let the other thread
 * run (the run loop reschedules), or this test never ends.
 */
TEST(spinning_guest_yields_cpu)
{
	struct run_one r = { 0 };
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	pthread_t thread;
	cpu_set_t cpus;
	unsigned int ticks;

	install_sigusr1();
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));

	vm = vm_with_code();
	vp = vp_at(vm, 0, SPIN_GPA, 0, 0);
	r.vp_fd = vp->fd;
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_one_thread, &r));
	/* The created thread inherits the affinity: both share CPU 0 */
	for (ticks = 0; ticks < 20; ticks++)
		usleep(5000);
	EXPECT_EQ(0, atomic_load(&r.done));
	interrupt_run(thread, &r);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err);
	mshv_vp_free(vp);
	mshv_vm_free(vm);
}

/* A VP thread that runs the loop guest to its HLT and counts messages */
struct loop_run {
	struct mshv_vp *vp;
	__u16 port;
	__u16 nr;
	unsigned int outs;	/* OUTs on the right port, in sequence */
	unsigned int bad;	/* anything else */
	unsigned int halts;
	atomic_int *progress;	/* optional: OUTs seen so far */
	atomic_int finished;
};

static void *loop_thread(void *arg)
{
	struct loop_run *l = arg;
	struct hv_message msg;

	for (;;) {
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)msg.u.payload_bytes;

		if (__mshv_run_vp(l->vp->fd, &msg)) {
			if (errno == EINTR)
				continue;
			l->bad++;
			break;
		}
		if (msg.header.message_type == HVMSG_X64_HALT) {
			l->halts++;
			break;
		}
		if (msg.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT ||
		    io->port_number != l->port ||
		    io->header.vp_index != l->vp->index ||
		    io->header.rip != LOOP_GPA + LOOP_OUT ||
		    (io->rax & 0xffff) != l->outs) {
			l->bad++;
			break;
		}
		l->outs++;
		if (l->progress)
			atomic_fetch_add(l->progress, 1);
		mshv_vp_skip_insn(l->vp, &io->header);
	}
	atomic_store(&l->finished, 1);
	return NULL;
}

static void run_vps_concurrently(struct __test_metadata *_metadata,
				 unsigned int nr_vps, __u16 nr_outs)
{
	struct loop_run runs[16];
	pthread_t threads[16];
	struct mshv_vm *vm;
	unsigned int i, total = 0;

	ASSERT_GE(ARRAY_SIZE(runs), nr_vps);
	vm = vm_with_code();
	for (i = 0; i < nr_vps; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		runs[i].port = PORT_BASE + i;
		runs[i].nr = nr_outs;
		runs[i].vp = vp_at(vm, i, LOOP_GPA, runs[i].port, nr_outs);
	}
	for (i = 0; i < nr_vps; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, loop_thread,
					    &runs[i]));
	for (i = 0; i < nr_vps; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));

	for (i = 0; i < nr_vps; i++) {
		EXPECT_EQ(nr_outs, runs[i].outs) TH_LOG("VP %u", i);
		EXPECT_EQ(0U, runs[i].bad) TH_LOG("VP %u", i);
		EXPECT_EQ(1U, runs[i].halts) TH_LOG("VP %u", i);
		/* The VP is parked on its HLT with the count in AX */
		EXPECT_EQ(LOOP_GPA + LOOP_HLT,
			  mshv_vp_get_reg(runs[i].vp, HV_X64_REGISTER_RIP));
		EXPECT_EQ(nr_outs, mshv_vp_get_reg(runs[i].vp,
						   HV_X64_REGISTER_RAX));
		EXPECT_EQ(0ULL, mshv_vp_get_reg(runs[i].vp,
						HV_X64_REGISTER_RCX));
		total += runs[i].outs;
		mshv_vp_free(runs[i].vp);
	}
	EXPECT_EQ(nr_vps * nr_outs, total);
	mshv_vm_free(vm);
}

TEST(two_vps_concurrently)
{
	run_vps_concurrently(_metadata, 2, 500);
}

TEST(sixteen_vps_concurrently)
{
	run_vps_concurrently(_metadata, 16, 100);
}

/*
 * Close the VP fd and the partition fd while a run is in progress: the
 * run keeps its file, returns EINTR on a signal, and the partition goes
 * away only after that.
 */
TEST(close_fds_during_run)
{
	struct run_one r = { 0 };
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	pthread_t thread;
	int vp_fd;

	install_sigusr1();
	vm = vm_with_code();
	vp = vp_at(vm, 0, SPIN_GPA, 0, 0);
	vp_fd = vp->fd;
	r.vp_fd = vp_fd;
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_one_thread, &r));
	while (!atomic_load(&r.started))
		usleep(1000);
	usleep(20000);

	EXPECT_EQ(0, close(vp_fd));
	EXPECT_EQ(0, close(vm->fd));
	EXPECT_EQ(0, close(vm->dev_fd));
	usleep(20000);
	EXPECT_EQ(0, atomic_load(&r.done));

	interrupt_run(thread, &r);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err);
	errno = 0;
	EXPECT_EQ(-1, fcntl(vp_fd, F_GETFD));
	EXPECT_EQ(EBADF, errno);

	free(vp);
	mshv_free_host_memory(vm->mem, vm->mem_size);
	free(vm);
}

/*
 * Close the partition fd while its VP runs the loop guest: the VP fd
 * keeps the partition alive and the guest finishes, every OUT accounted.
 */
TEST(close_partition_fd_during_loop)
{
	atomic_int progress = 0;
	struct loop_run run = { 0 };
	struct mshv_vm *vm;
	pthread_t thread;

	vm = vm_with_code();
	run.port = PORT_BASE;
	run.nr = 2000;
	run.progress = &progress;
	run.vp = vp_at(vm, 0, LOOP_GPA, run.port, run.nr);
	ASSERT_EQ(0, pthread_create(&thread, NULL, loop_thread, &run));
	while (atomic_load(&progress) < 100 && !atomic_load(&run.finished))
		usleep(1000);
	EXPECT_EQ(0, close(vm->fd));
	EXPECT_EQ(0, close(vm->dev_fd));
	ASSERT_EQ(0, pthread_join(thread, NULL));

	EXPECT_EQ(2000U, run.outs);
	EXPECT_EQ(0U, run.bad);
	EXPECT_EQ(1U, run.halts);
	EXPECT_EQ(LOOP_GPA + LOOP_HLT,
		  mshv_vp_get_reg(run.vp, HV_X64_REGISTER_RIP));

	mshv_vp_free(run.vp);
	mshv_free_host_memory(vm->mem, vm->mem_size);
	free(vm);
}

TEST_HARNESS_MAIN
