// SPDX-License-Identifier: GPL-2.0-only
/*
 * Asynchronous HVCALL_SET_PARTITION_PROPERTY through MSHV_ROOT_HVCALL.
 *
 * hvsim's "pending" fault-injection rule makes the nth call return
 * HV_STATUS_CALL_PENDING and posts HVMSG_ASYNC_CALL_COMPLETION with the
 * real status later (or never).  The driver waits for the completion,
 * killably: these tests check the status and reps written back, the
 * errno of the completion's status, the property value, what a killed
 * waiter leaves behind (-EPERM until the owed completion arrives), that a
 * completion for a destroyed partition is dropped, and that other signals
 * do not interrupt the wait.  Counts come from hvsim/async and
 * hvsim/hypercalls.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define REF_TIME	HV_PARTITION_PROPERTY_REFERENCE_TIME
#define MSR_ACTION	HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION
/* How long a test waits for something hvsim does in the background */
#define WAIT_MS		5000

FIXTURE(async)
{
	struct mshv_vm *vm;
};

FIXTURE_SETUP(async)
{
	if (mshv_dbg_inject("clear"))
		SKIP(return, "no hvsim debugfs: not running on hvsim");
	self->vm = mshv_vm_create();
}

FIXTURE_TEARDOWN(async)
{
	/* A failed test may leave a held completion: not for the next one */
	mshv_dbg_inject("complete");
	mshv_dbg_inject("clear");
	mshv_vm_free(self->vm);
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Build SET_PARTITION_PROPERTY for MSHV_ROOT_HVCALL */
static void fill_set_property(__u32 code, __u64 value,
			      struct mshv_root_hvcall *args,
			      struct hv_input_set_partition_property *in)
{
	memset(in, 0, sizeof(*in));
	in->property_code = code;
	in->property_value = value;
	memset(args, 0, sizeof(*args));
	args->code = HVCALL_SET_PARTITION_PROPERTY;
	args->in_sz = sizeof(*in);
	args->in_ptr = (__u64)(unsigned long)in;
}

/* SET_PARTITION_PROPERTY through MSHV_ROOT_HVCALL on @fd */
static int set_property(int fd, __u32 code, __u64 value,
			struct mshv_root_hvcall *args,
			struct hv_input_set_partition_property *in)
{
	fill_set_property(code, value, args, in);
	return __mshv_hvcall(fd, args);
}

static int set_ref_time(int fd, __u64 value, struct mshv_root_hvcall *args)
{
	struct hv_input_set_partition_property in;

	return set_property(fd, REF_TIME, value, args, &in);
}

/* Wait until hvsim/async says @owed completions are owed */
static bool wait_owed(__u64 owed)
{
	__u64 end = now_ms() + WAIT_MS;

	while (mshv_dbg_async_get().owed != owed) {
		if (now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/*
 * A delayed completion: the ioctl returns only once it arrived, with its
 * status (success), and the value is set.  Exactly one call reached hvsim
 * and one completion was posted.
 */
TEST_F(async, pending_then_success)
{
	struct mshv_hc_count hc = mshv_dbg_hypercall_get(HVCALL_SET_PARTITION_PROPERTY);
	struct mshv_dbg_async a0 = mshv_dbg_async_get(), a1;
	struct mshv_root_hvcall args;
	__u64 t0;

	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 200"));
	t0 = now_ms();
	ASSERT_EQ(0, set_ref_time(self->vm->fd, 0x123456789abcdefULL, &args));
	EXPECT_GE(now_ms() - t0, 150);
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(0, args.reps);
	EXPECT_EQ(0x123456789abcdefULL,
		  mshv_get_partition_property(self->vm->fd, REF_TIME));

	a1 = mshv_dbg_async_get();
	EXPECT_EQ(1, a1.pending - a0.pending);
	EXPECT_EQ(1, a1.completed - a0.completed);
	EXPECT_EQ(0, a1.flushed - a0.flushed);
	EXPECT_EQ(0, a1.owed);
	EXPECT_EQ(1, mshv_dbg_hypercall_get(HVCALL_SET_PARTITION_PROPERTY).calls -
		     hc.calls);

	/* The rule was used up: the next call is synchronous */
	ASSERT_EQ(0, set_ref_time(self->vm->fd, 7, &args));
	EXPECT_EQ(1, mshv_dbg_async_get().pending - a0.pending);
	EXPECT_EQ(7, mshv_get_partition_property(self->vm->fd, REF_TIME));
}

/*
 * A completion with a failing status: the ioctl fails with that status's
 * errno and writes the status back.  With the rule's status the call did
 * nothing; with its own (a value out of range) it was refused by hvsim.
 */
TEST_F(async, pending_then_failure)
{
	static const struct {
		const char *rule;
		__u32 code;
		__u64 value;
		__u16 status;
		int err;
	} cases[] = {
		{ "pending 0x45 1 20 0x71", MSR_ACTION, 1,
		  HV_STATUS_OPERATION_FAILED, EIO },
		{ "pending 0x45 1 0 0x5", MSR_ACTION, 1,
		  HV_STATUS_INVALID_PARAMETER, EINVAL },
		{ "pending 0x45 1 0 0xd", MSR_ACTION, 1,
		  HV_STATUS_INVALID_PARTITION_ID, EINVAL },
		{ "pending 0x45 1 10", MSR_ACTION, 2,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, EIO },
		{ "pending 0x45 1 10", HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  HV_PRIVILEGE_CREATE_PARTITIONS,
		  HV_STATUS_INVALID_PARTITION_STATE, EIO },
		{ "pending 0x45 1 10", HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
		  40, HV_STATUS_ACCESS_DENIED, EIO },
	};
	struct hv_input_set_partition_property in;
	struct mshv_dbg_async a0 = mshv_dbg_async_get(), a1;
	struct mshv_root_hvcall args;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, mshv_dbg_inject(cases[i].rule));
		errno = 0;
		EXPECT_EQ(-1, set_property(self->vm->fd, cases[i].code,
					   cases[i].value, &args, &in))
			TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].err, errno) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].status, args.status) TH_LOG("case %u", i);
		EXPECT_EQ(0, args.reps) TH_LOG("case %u", i);
		EXPECT_EQ(0, mshv_get_partition_property(self->vm->fd,
							 MSR_ACTION))
			TH_LOG("case %u", i);
	}
	a1 = mshv_dbg_async_get();
	EXPECT_EQ(6, a1.pending - a0.pending);
	EXPECT_EQ(6, a1.completed - a0.completed);
	EXPECT_EQ(0, a1.owed);
}

/*
 * A completion with INSUFFICIENT_MEMORY: the driver deposits one page
 * into the partition and issues the call again, which succeeds.
 */
TEST_F(async, pending_insufficient_memory_retries)
{
	struct mshv_hc_count set = mshv_dbg_hypercall_get(HVCALL_SET_PARTITION_PROPERTY);
	struct mshv_hc_count dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	struct mshv_dbg_async a0 = mshv_dbg_async_get();
	struct mshv_root_hvcall args;

	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 10 0xb"));
	ASSERT_EQ(0, set_ref_time(self->vm->fd, 42, &args));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(42, mshv_get_partition_property(self->vm->fd, REF_TIME));
	EXPECT_EQ(2, mshv_dbg_hypercall_get(HVCALL_SET_PARTITION_PROPERTY).calls -
		     set.calls);
	EXPECT_EQ(1, mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY).calls -
		     dep.calls);
	EXPECT_EQ(1, mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY).reps -
		     dep.reps);
	EXPECT_EQ(1, mshv_dbg_async_get().completed - a0.completed);
}

/*
 * Fork a child that blocks in SET_PARTITION_PROPERTY on a completion that
 * is not sent ("never"), and SIGKILL it once hvsim owes the completion.
 */
static void kill_blocked_child(struct __test_metadata *_metadata, int fd)
{
	struct mshv_root_hvcall args;
	int status;
	pid_t pid;

	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 never"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		set_ref_time(fd, 99, &args);
		_exit(3);	/* the call must not return */
	}
	ASSERT_TRUE(wait_owed(1));
	usleep(20000);		/* most likely asleep in the wait by now */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

/*
 * A killed waiter abandons its call: until the owed completion arrives
 * every new asynchronous call of the partition fails with EPERM, reaches
 * no hypervisor and writes nothing back; once it arrived (and was dropped)
 * the next call works.  Synchronous calls are not affected.
 */
TEST_F(async, killed_waiter_then_eperm)
{
	struct mshv_dbg_async a0 = mshv_dbg_async_get(), a1;
	struct mshv_hc_count hc;
	struct mshv_root_hvcall args;
	__u64 end;
	int ret;

	kill_blocked_child(_metadata, self->vm->fd);
	/* hvsim carried the call out when it went pending */
	EXPECT_EQ(99, mshv_get_partition_property(self->vm->fd, REF_TIME));

	hc = mshv_dbg_hypercall_get(HVCALL_SET_PARTITION_PROPERTY);
	memset(&args, 0, sizeof(args));
	errno = 0;
	ret = set_ref_time(self->vm->fd, 5, &args);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, args.status);
	EXPECT_EQ(0, args.reps);
	EXPECT_EQ(0, mshv_dbg_hypercall_get(HVCALL_SET_PARTITION_PROPERTY).calls -
		     hc.calls);
	/* Nothing was set; GET is synchronous and unaffected */
	EXPECT_EQ(99, mshv_get_partition_property(self->vm->fd, REF_TIME));

	/* hvsim sends the owed completion now; the driver drops it */
	ASSERT_EQ(0, mshv_dbg_inject("complete"));
	a1 = mshv_dbg_async_get();
	EXPECT_EQ(1, a1.pending - a0.pending);
	EXPECT_EQ(1, a1.completed - a0.completed);
	EXPECT_EQ(0, a1.owed);
	end = now_ms() + WAIT_MS;
	do {
		ret = set_ref_time(self->vm->fd, 6, &args);
	} while (ret && errno == EPERM && now_ms() < end && !usleep(1000));
	EXPECT_EQ(0, ret);
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(6, mshv_get_partition_property(self->vm->fd, REF_TIME));
}

/*
 * The completion of an abandoned call arrives after the partition is
 * destroyed: DELETE_PARTITION makes hvsim post it at once (held or
 * delayed alike, and only once), and the driver, which no longer knows
 * the partition id, drops it.  The console must show no splat.
 */
TEST_F(async, completion_after_destroy_is_dropped)
{
	static const char * const rules[] = {
		"pending 0x45 1 never", "pending 0x45 1 3000",
	};
	struct mshv_dbg_async a0, a1;
	struct mshv_root_hvcall args;
	struct mshv_vm *vm;
	unsigned int i;
	int status;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		vm = mshv_vm_create();
		a0 = mshv_dbg_async_get();
		ASSERT_EQ(0, mshv_dbg_inject(rules[i]));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			set_ref_time(vm->fd, 99, &args);
			_exit(3);
		}
		ASSERT_TRUE(wait_owed(1));
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status));
		mshv_vm_free(vm);

		a1 = mshv_dbg_async_get();
		EXPECT_EQ(1, a1.pending - a0.pending) TH_LOG("%s", rules[i]);
		EXPECT_EQ(1, a1.completed - a0.completed)
			TH_LOG("%s", rules[i]);
		EXPECT_EQ(1, a1.flushed - a0.flushed) TH_LOG("%s", rules[i]);
		EXPECT_EQ(0, a1.owed) TH_LOG("%s", rules[i]);
	}
	/* The delayed one's timer was cancelled: nothing is posted again */
	usleep(3500000);
	EXPECT_EQ(a1.completed, mshv_dbg_async_get().completed);
}

struct setter {
	int fd;
	__u32 code;
	__u64 value;
	int ret;
	__u16 status;
};

static void *setter_thread(void *arg)
{
	struct hv_input_set_partition_property in;
	struct mshv_root_hvcall args;
	struct setter *s = arg;

	s->ret = set_property(s->fd, s->code, s->value, &args, &in);
	s->status = args.status;
	return NULL;
}

/*
 * Two threads set properties of one partition at once, both calls going
 * asynchronous with 300 ms: a completion names no call, so the driver
 * issues the second only after the first completed (at least 600 ms in
 * all), and each gets its own status.
 */
TEST_F(async, concurrent_calls_are_serialised)
{
	struct setter s[2] = {
		{ .fd = self->vm->fd, .code = REF_TIME, .value = 0x5555 },
		{ .fd = self->vm->fd, .code = MSR_ACTION, .value = 1 },
	};
	struct mshv_dbg_async a0 = mshv_dbg_async_get(), a1;
	pthread_t t[2];
	__u64 t0;
	int i;

	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 300"));
	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 2 300"));
	t0 = now_ms();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, setter_thread, &s[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, s[i].ret) TH_LOG("thread %d", i);
		EXPECT_EQ(HV_STATUS_SUCCESS, s[i].status) TH_LOG("thread %d", i);
	}
	EXPECT_GE(now_ms() - t0, 550);
	EXPECT_EQ(0x5555, mshv_get_partition_property(self->vm->fd, REF_TIME));
	EXPECT_EQ(1, mshv_get_partition_property(self->vm->fd, MSR_ACTION));
	a1 = mshv_dbg_async_get();
	EXPECT_EQ(2, a1.pending - a0.pending);
	EXPECT_EQ(2, a1.completed - a0.completed);
	EXPECT_EQ(0, a1.owed);
}

/* Read after the calls return: no compiler caching across them */
static sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * The wait is killable only: a signal with a handler arriving during it
 * does not interrupt the call, which completes successfully; the handler
 * runs when the ioctl returns.
 */
TEST_F(async, other_signal_does_not_interrupt)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct mshv_root_hvcall args;
	__u64 t0;
	int ret;

	alarms = 0;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));	/* no SA_RESTART */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 400"));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	t0 = now_ms();
	ret = set_ref_time(self->vm->fd, 0xfeed, &args);
	EXPECT_EQ(0, ret);
	EXPECT_GE(now_ms() - t0, 300);
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(1, alarms);
	EXPECT_EQ(0xfeed, mshv_get_partition_property(self->vm->fd, REF_TIME));

	/* SIGUSR1 from another process, same outcome */
	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 400"));
	if (!fork()) {
		usleep(50000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	ret = set_ref_time(self->vm->fd, 0xbeef, &args);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(2, alarms);
	EXPECT_EQ(0xbeef, mshv_get_partition_property(self->vm->fd, REF_TIME));
	wait(NULL);
}

/*
 * Errors before anything goes asynchronous: SET_PARTITION_PROPERTY is
 * only allowed on the partition fd (EINVAL on /dev/mshv and a VP fd,
 * nothing issued), and a call hvsim refuses at entry (a rep count on a
 * simple call) neither goes pending nor uses up the rule.
 */
TEST_F(async, refusals)
{
	struct hv_input_set_partition_property in;
	struct mshv_root_hvcall args;
	struct mshv_dbg_async a0 = mshv_dbg_async_get();
	struct mshv_vp *vp;

	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 0"));
	errno = 0;
	EXPECT_EQ(-1, set_ref_time(self->vm->dev_fd, 1, &args));
	EXPECT_EQ(EINVAL, errno);
	vp = mshv_vp_create(self->vm, 0);
	errno = 0;
	EXPECT_EQ(-1, set_ref_time(vp->fd, 1, &args));
	EXPECT_EQ(EINVAL, errno);
	mshv_vp_free(vp);

	fill_set_property(REF_TIME, 1, &args, &in);
	args.reps = 1;
	errno = 0;
	EXPECT_EQ(-1, __mshv_hvcall(self->vm->fd, &args));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT, args.status);
	EXPECT_EQ(0, mshv_dbg_async_get().pending - a0.pending);
	EXPECT_EQ(0, mshv_get_partition_property(self->vm->fd, REF_TIME));

	/* The rule is still there for the next valid call */
	ASSERT_EQ(0, set_ref_time(self->vm->fd, 3, &args));
	EXPECT_EQ(1, mshv_dbg_async_get().pending - a0.pending);
	EXPECT_EQ(3, mshv_get_partition_property(self->vm->fd, REF_TIME));
}

/*
 * The argument cannot be written back after the completion arrived:
 * EFAULT, although the hypervisor carried the call out.
 */
TEST_F(async, efault_after_completion)
{
	struct hv_input_set_partition_property *in;
	struct mshv_dbg_async a0 = mshv_dbg_async_get();
	struct mshv_root_hvcall *args;
	void *page;

	page = mmap(NULL, MSHV_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	args = page;
	in = (void *)((char *)page + 64);
	fill_set_property(REF_TIME, 0xfa17, args, in);
	ASSERT_EQ(0, mprotect(page, MSHV_PAGE_SIZE, PROT_READ));
	ASSERT_EQ(0, mshv_dbg_inject("pending 0x45 1 10"));
	errno = 0;
	EXPECT_EQ(-1, __mshv_hvcall(self->vm->fd, args));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0xfa17, mshv_get_partition_property(self->vm->fd, REF_TIME));
	EXPECT_EQ(1, mshv_dbg_async_get().completed - a0.completed);
	EXPECT_EQ(0, mshv_dbg_async_get().owed);
	munmap(page, MSHV_PAGE_SIZE);
}

TEST_HARNESS_MAIN
