// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory registered with userfaultfd.  A guest fault on a page the
 * userfaultfd handler must provide blocks the VP's MSHV_RUN_VP until the
 * handler resolves it, then the page is mapped and the guest goes on:
 *
 *   copy        MISSING, anonymous: the handler UFFDIO_COPYs a pattern
 *   zeropage    MISSING, anonymous: UFFDIO_ZEROPAGE, then the guest writes
 *   continue    MINOR, shmem: the handler fills the page cache through an
 *               alias mapping and UFFDIO_CONTINUEs
 *   wp          WP, anonymous: the guest writes, the VMM write-protects,
 *               guest reads map read-only and raise nothing, each page's
 *               next guest write raises one WP fault at its address, the
 *               handler un-protects it and the write lands
 *
 * and the ways a wait ends otherwise: a signal (MSHV_RUN_VP fails with
 * EINTR, a new run completes), the handler closing the userfaultfd (the
 * fault completes as an ordinary one: zero-filled memory), the VMM
 * unmapping the range (the run returns the UNMAPPED_GPA intercept), the
 * process killed with the partition fd closed (teardown completes), and
 * several VPs waiting on one page.  The guest verifies every dword it
 * reads against the exact pattern.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "mshv_region_common.h"

#define NPAGES		16
#define SIZE		(NPAGES * PAGE)
#define STRIDE		64
#define SEED_A		0x5eed0000U
#define SEED_B		0xb0b00000U
#define NVPS		4
#define WAIT_MS		5000
#define HELD		16	/* faults a handler holds at most */

enum uffd_mode {
	MODE_COPY,
	MODE_ZEROPAGE,
	MODE_CONTINUE,
	MODE_CONTINUE_HUGETLB,
	MODE_WP,
};

/**
 * struct uffd_handler - a userfaultfd and the thread that serves it
 * @uffd: the userfaultfd (-1 once closed)
 * @mode: how faults are resolved
 * @hva: the registered range
 * @gpa: the guest address of @hva
 * @psize: the unit of resolution (the page size of the backing)
 * @alias: a second mapping of the file behind @hva (MODE_CONTINUE*)
 * @thread: the handler thread
 * @stop: the thread ends
 * @hold: faults are read and kept, not resolved, while set
 * @close_on_fault: close the userfaultfd when a fault arrives
 * @faults: page-fault messages read
 * @wp_faults: of which write-protect faults
 * @resolved: faults resolved (or woken)
 * @per_page: messages read per page of the range
 * @bad: messages outside the range or with the wrong flags
 * @src: a page-aligned page for UFFDIO_COPY's source
 */
struct uffd_handler {
	int uffd;
	enum uffd_mode mode;
	char *hva;
	__u64 gpa;
	__u64 psize;
	char *alias;
	pthread_t thread;
	atomic_int stop;
	atomic_int hold;
	int close_on_fault;
	atomic_int faults;
	atomic_int wp_faults;
	atomic_int resolved;
	atomic_int per_page[NPAGES];
	atomic_int bad;
	char *src;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wait until *@v >= @n, at most WAIT_MS; return *@v */
static int wait_at_least(atomic_int *v, int n)
{
	double end = now_ms() + WAIT_MS;

	while (atomic_load(v) < n && now_ms() < end)
		usleep(1000);
	return atomic_load(v);
}

/* The pattern MSHV_G32_VERIFY expects at @gpa: one dword per 4 bytes */
static void fill_pattern(void *dst, __u64 gpa, __u32 seed)
{
	__u32 *p = dst;
	unsigned int i;

	for (i = 0; i < PAGE / 4; i++)
		p[i] = mshv_g32_value(gpa + i * 4, seed);
}

static int uffd_wake(int fd, __u64 addr, __u64 len)
{
	struct uffdio_range r = { .start = addr, .len = len };

	return ioctl(fd, UFFDIO_WAKE, &r);
}

static int uffd_wp(int fd, __u64 addr, __u64 len, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = addr, .len = len },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(fd, UFFDIO_WRITEPROTECT, &wp);
}

/* Resolve the fault on the page at @addr (already resolved: wake) */
static void resolve(struct uffd_handler *h, __u64 addr, __u64 flags)
{
	char *src = h->src;
	__u64 gpa = h->gpa + (addr - mshv_hva_u64(h->hva));
	int ret = 0;

	switch (h->mode) {
	case MODE_COPY: {
		struct uffdio_copy c = {
			.dst = addr, .src = mshv_hva_u64(src), .len = PAGE,
		};

		fill_pattern(src, gpa, SEED_A);
		ret = ioctl(h->uffd, UFFDIO_COPY, &c);
		break;
	}
	case MODE_ZEROPAGE: {
		struct uffdio_zeropage z = {
			.range = { .start = addr, .len = PAGE },
		};

		ret = ioctl(h->uffd, UFFDIO_ZEROPAGE, &z);
		break;
	}
	case MODE_CONTINUE:
	case MODE_CONTINUE_HUGETLB: {
		struct uffdio_continue c = {
			.range = { .start = addr, .len = h->psize },
		};

		ret = ioctl(h->uffd, UFFDIO_CONTINUE, &c);
		break;
	}
	case MODE_WP:
		if (!(flags & UFFD_PAGEFAULT_FLAG_WP))
			atomic_fetch_add(&h->bad, 1);
		atomic_fetch_add(&h->wp_faults, 1);
		ret = uffd_wp(h->uffd, addr, PAGE, false);
		break;
	}
	/* Already there (another VP's fault) or unmapped: wake the waiters */
	if (ret && (errno == EEXIST || errno == ENOENT))
		uffd_wake(h->uffd, addr, h->psize);
	atomic_fetch_add(&h->resolved, 1);
}

/*
 * Read every fault message; while @hold is set, keep the faults (up to
 * HELD) without resolving them, and resolve them once it is cleared.
 */
static void *handler_thread(void *arg)
{
	struct uffd_handler *h = arg;
	struct { __u64 addr, flags; } held[HELD];
	unsigned int nheld = 0, i;
	struct uffd_msg msg;
	__u64 addr, page;

	while (!atomic_load(&h->stop)) {
		struct pollfd p = { .fd = h->uffd, .events = POLLIN };

		if (nheld && !atomic_load(&h->hold)) {
			for (i = 0; i < nheld; i++)
				resolve(h, held[i].addr, held[i].flags);
			nheld = 0;
		}
		if (poll(&p, 1, 20) <= 0)
			continue;
		if (read(h->uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		addr = msg.arg.pagefault.address & ~(h->psize - 1);
		page = (addr - mshv_hva_u64(h->hva)) / PAGE;
		if (addr < mshv_hva_u64(h->hva) || page >= NPAGES)
			atomic_fetch_add(&h->bad, 1);
		else
			atomic_fetch_add(&h->per_page[page], 1);
		atomic_fetch_add(&h->faults, 1);
		if (h->close_on_fault) {
			close(h->uffd);
			h->uffd = -1;
			break;
		}
		if (atomic_load(&h->hold) && nheld < HELD) {
			held[nheld].addr = addr;
			held[nheld++].flags = msg.arg.pagefault.flags;
			continue;
		}
		resolve(h, addr, msg.arg.pagefault.flags);
	}
	return NULL;
}

static void handler_start(struct uffd_handler *h)
{
	h->src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MSHV_TEST_ASSERT(h->src != MAP_FAILED, "mmap");
	MSHV_TEST_ASSERT(!pthread_create(&h->thread, NULL, handler_thread, h),
			 "pthread_create");
}

static void handler_stop(struct uffd_handler *h)
{
	atomic_store(&h->stop, 1);
	pthread_join(h->thread, NULL);
	munmap(h->src, PAGE);
}

/* One MSHV_RUN_VP on a thread, or two with a go-ahead between them */
struct vp_run {
	struct mshv_vp *vp;
	pthread_t thread;
	bool twice;
	atomic_int done;	/* runs completed */
	atomic_int go;		/* the second run may start */
	int ret[2];
	int err[2];
	struct hv_message msg;
};

static void *vp_thread(void *arg)
{
	struct vp_run *r = arg;
	int i;

	for (i = 0; i < (r->twice ? 2 : 1); i++) {
		if (i)
			while (!atomic_load(&r->go))
				usleep(1000);
		r->ret[i] = __mshv_run_vp(r->vp->fd, &r->msg);
		r->err[i] = r->ret[i] ? errno : 0;
		atomic_fetch_add(&r->done, 1);
	}
	return NULL;
}

static bool partition_exists(__u64 id)
{
	struct mshv_dbg_partition p;

	return !mshv_dbg_partition(id, &p);
}

static void sig_nop(int sig)
{
	(void)sig;
}

/**
 * struct uffd_env - a guest whose data region is registered with a
 *	userfaultfd
 * @g: the guest
 * @h: the userfaultfd and its handler
 * @mem: the region's backing, @size bytes at DATA_GPA
 * @size: SIZE, or 2 MiB for hugetlbfs
 * @memfd: the file behind @mem (MODE_CONTINUE*), else -1
 */
struct uffd_env {
	struct mshv_g32 *g;
	struct uffd_handler h;
	char *mem;
	size_t size;
	int memfd;
};

static void uffd_env_init(struct uffd_env *e)
{
	e->memfd = -1;
	e->h.uffd = -1;
	e->mem = MAP_FAILED;
	e->h.alias = MAP_FAILED;
	e->size = SIZE;
	e->h.psize = PAGE;
}

static void uffd_env_free(struct uffd_env *e)
{
	mshv_g32_free(e->g);
	if (e->h.uffd >= 0)
		close(e->h.uffd);
	if (e->mem != MAP_FAILED)
		munmap(e->mem, e->size);
	if (e->h.alias != MAP_FAILED)
		munmap(e->h.alias, e->size);
	if (e->memfd >= 0)
		close(e->memfd);
}

/*
 * The guest, a userfaultfd registered over its @mode backing (anonymous,
 * shmem for MODE_CONTINUE, hugetlbfs for MODE_CONTINUE_HUGETLB) mapped
 * at DATA_GPA, and the handler (not started).  The registration is for
 * missing pages (MODE_COPY, MODE_ZEROPAGE), minor faults (MODE_CONTINUE*)
 * or write protection (MODE_WP).
 *
 * Return: NULL, or why the test cannot run.
 */
static const char *uffd_env_setup(struct uffd_env *e, enum uffd_mode mode)
{
	__u64 reg = UFFDIO_REGISTER_MODE_MISSING;
	__u64 features = 0;
	int fd;

	if (mshv_pin_regions())
		return "pinned regions do not follow the host mm";
	if (mode == MODE_CONTINUE)
		features = UFFD_FEATURE_MINOR_SHMEM;
	if (mode == MODE_CONTINUE_HUGETLB) {
		if (!mshv_hugetlb_reserve(1))
			return "cannot reserve a 2 MiB huge page";
		features = UFFD_FEATURE_MINOR_HUGETLBFS;
		e->size = SZ_2M;
		e->h.psize = SZ_2M;
	}
	if (mode == MODE_CONTINUE || mode == MODE_CONTINUE_HUGETLB)
		reg = UFFDIO_REGISTER_MODE_MINOR;
	if (mode == MODE_WP) {
		features = UFFD_FEATURE_PAGEFAULT_FLAG_WP;
		reg = UFFDIO_REGISTER_MODE_WP;
	}
	fd = mshv_uffd_open(features);
	/* The debug kernel of the test VMs has no CONFIG_USERFAULTFD */
	if (fd < 0 && !strcmp(strerrorname_np(errno), "ENOSYS"))
		return "userfaultfd(2): ENOSYS (kernel without CONFIG_USERFAULTFD)";
	MSHV_TEST_ASSERT(fd >= 0, "userfaultfd with features %#llx",
			 (unsigned long long)features);

	e->g = mshv_g32_create();
	if (mode == MODE_CONTINUE || mode == MODE_CONTINUE_HUGETLB) {
		/* hugetlbfs: the default huge page size, 2 MiB */
		e->memfd = memfd_create("uffd", MFD_CLOEXEC |
					(mode == MODE_CONTINUE ? 0 :
					 MFD_HUGETLB));
		MSHV_TEST_ASSERT(e->memfd >= 0, "memfd_create");
		MSHV_TEST_ASSERT(!ftruncate(e->memfd, e->size), "ftruncate");
		e->mem = mmap(NULL, e->size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, e->memfd, 0);
		e->h.alias = mmap(NULL, e->size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, e->memfd, 0);
		MSHV_TEST_ASSERT(e->h.alias != MAP_FAILED, "mmap alias");
	} else {
		e->mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		MSHV_TEST_ASSERT(e->mem != MAP_FAILED, "mmap");
		madvise(e->mem, SIZE, MADV_NOHUGEPAGE);
	}
	MSHV_TEST_ASSERT(e->mem != MAP_FAILED, "mmap");
	MSHV_TEST_ASSERT(!mshv_uffd_register(fd, e->mem, e->size, reg),
			 "UFFDIO_REGISTER mode %#llx",
			 (unsigned long long)reg);
	MSHV_TEST_ASSERT(!__mshv_set_guest_memory(e->g->vm->fd, e->size,
						  MSHV_PFN(DATA_GPA),
						  mshv_hva_u64(e->mem), RW),
			 "MSHV_SET_GUEST_MEMORY");
	e->h.uffd = fd;
	e->h.mode = mode;
	e->h.hva = e->mem;
	e->h.gpa = DATA_GPA;
	return NULL;
}

FIXTURE(uffd)
{
	struct uffd_env e;
	const char *skip;	/* why the test cannot run, or NULL */
	__u64 numa;		/* numa_balancing mode to restore */
};

FIXTURE_SETUP(uffd)
{
	/* Exact counts: no NUMA hinting unmaps */
	self->numa = mshv_numa_balancing_set(0);
	uffd_env_init(&self->e);
}

FIXTURE_TEARDOWN(uffd)
{
	uffd_env_free(&self->e);
	mshv_numa_balancing_set(self->numa);
}

/* Dwords of page @page of @mem that differ from the pattern of @seed */
static unsigned int host_mismatches(const char *mem, unsigned int page,
				    __u32 seed)
{
	char want[PAGE];

	fill_pattern(want, DATA_GPA + page * PAGE, seed);
	return memcmp(want, mem + page * PAGE, PAGE) ? 1 : 0;
}

/* Set up @e for @mode, or skip the test (*@skip says why): false */
static bool setup_or_skip(struct __test_metadata *_metadata,
			  struct uffd_env *e, const char **skip,
			  enum uffd_mode mode)
{
	*skip = uffd_env_setup(e, mode);
	if (*skip)
		SKIP(return false, "%s", *skip);
	return true;
}

/*
 * The guest verifies the pattern of SEED_A in the first @size bytes of
 * DATA_GPA, which the handler (or, in the minor modes, the page cache
 * filled first) provides: one fault per @fault_size bytes, one per page
 * it covers, nothing bad.  @s0 and @s1, if not NULL, receive the
 * counters before and after the run.
 */
static void verify_faulting(struct __test_metadata *_metadata,
			    struct uffd_env *e, unsigned int size,
			    unsigned int fault_size, struct mshv_snap *s0,
			    struct mshv_snap *s1)
{
	unsigned int nfaults = size / fault_size, i;
	const struct hv_message *msg;

	if (e->h.alias != MAP_FAILED)
		for (i = 0; i < size / PAGE; i++)
			fill_pattern(e->h.alias + i * PAGE,
				     DATA_GPA + i * PAGE, SEED_A);
	handler_start(&e->h);
	if (s0)
		mshv_snap(e->g->partition, s0);
	msg = mshv_g32_exec_strided(e->g, MSHV_G32_VERIFY, DATA_GPA, STRIDE,
				    size / STRIDE, SEED_A);
	if (s1)
		mshv_snap(e->g->partition, s1);
	mshv_g32_expect_done(e->g, msg);
	handler_stop(&e->h);
	EXPECT_EQ(nfaults, atomic_load(&e->h.faults));
	for (i = 0; i < nfaults; i++)
		EXPECT_EQ(1, atomic_load(&e->h.per_page[i * fault_size / PAGE]));
	EXPECT_EQ(0, atomic_load(&e->h.bad));
}

TEST_F(uffd, copy)
{
	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_COPY))
		return;
	verify_faulting(_metadata, &self->e, SIZE, PAGE, NULL, NULL);
}

TEST_F(uffd, zeropage)
{
	const struct hv_message *msg;
	unsigned int i;

	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_ZEROPAGE))
		return;
	handler_start(&self->e.h);
	msg = mshv_g32_exec_strided(self->e.g, MSHV_G32_VERIFY_CONST, DATA_GPA,
				    STRIDE, SIZE / STRIDE, 0);
	mshv_g32_expect_done(self->e.g, msg);
	EXPECT_EQ(NPAGES, atomic_load(&self->e.h.faults));
	/* The zero page is mapped read-only: writes copy it, no userfault */
	mshv_g32_run_strided(self->e.g, MSHV_G32_WRITE, DATA_GPA, 4,
			     SIZE / 4, SEED_B);
	mshv_g32_run_strided(self->e.g, MSHV_G32_VERIFY, DATA_GPA, STRIDE,
			     SIZE / STRIDE, SEED_B);
	handler_stop(&self->e.h);
	EXPECT_EQ(NPAGES, atomic_load(&self->e.h.faults));
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(0, host_mismatches(self->e.mem, i, SEED_B));
	EXPECT_EQ(0, atomic_load(&self->e.h.bad));
}

TEST_F(uffd, minor_continue)
{
	/* The page cache holds the data; the guest's mapping does not */
	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_CONTINUE))
		return;
	verify_faulting(_metadata, &self->e, SIZE, PAGE, NULL, NULL);
}

/* hugetlbfs: one minor fault and one 2 MiB entry for the whole page */
TEST_F(uffd, minor_continue_hugetlb)
{
	struct mshv_snap s0, s1;

	if (!setup_or_skip(_metadata, &self->e, &self->skip,
			   MODE_CONTINUE_HUGETLB))
		return;
	verify_faulting(_metadata, &self->e, SZ_2M, SZ_2M, &s0, &s1);
	EXPECT_EQ(1, mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
}

TEST_F(uffd, wp_dirty_tracking)
{
	struct mshv_snap s0, s1;
	unsigned int i;

	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_WP))
		return;
	handler_start(&self->e.h);
	/* Not protected yet: the writes fault as usual, no userfault */
	mshv_g32_run_strided(self->e.g, MSHV_G32_WRITE, DATA_GPA, 4, SIZE / 4,
			     SEED_A);
	EXPECT_EQ(0, atomic_load(&self->e.h.faults));

	/* Protect: the SLAT must lose write access to every page */
	ASSERT_EQ(0, uffd_wp(self->e.h.uffd, mshv_hva_u64(self->e.mem), SIZE, true));
	mshv_snap(self->e.g->partition, &s0);
	mshv_g32_run_strided(self->e.g, MSHV_G32_VERIFY, DATA_GPA, STRIDE,
			     SIZE / STRIDE, SEED_A);
	mshv_snap(self->e.g->partition, &s1);
	/* Reads map read-only and raise no userfault */
	EXPECT_EQ(0, atomic_load(&self->e.h.faults));
	EXPECT_LE(1, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));

	/* Each page's first write: one WP fault at its address */
	mshv_g32_run_strided(self->e.g, MSHV_G32_WRITE, DATA_GPA, 4, SIZE / 4,
			     SEED_B);
	mshv_g32_run_strided(self->e.g, MSHV_G32_VERIFY, DATA_GPA, STRIDE,
			     SIZE / STRIDE, SEED_B);
	handler_stop(&self->e.h);
	EXPECT_EQ(NPAGES, atomic_load(&self->e.h.faults));
	EXPECT_EQ(NPAGES, atomic_load(&self->e.h.wp_faults));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(1, atomic_load(&self->e.h.per_page[i]));
		EXPECT_EQ(0, host_mismatches(self->e.mem, i, SEED_B));
	}
	EXPECT_EQ(0, atomic_load(&self->e.h.bad));
}

/*
 * The handler holds the faults; @r's thread runs the guest, which verifies
 * the pattern of SEED_A.  Returns once the first fault was read.
 */
static void start_held_run(struct uffd_env *e, struct vp_run *r)
{
	int faults;

	atomic_store(&e->h.hold, 1);
	handler_start(&e->h);
	r->vp = e->g->vp;
	mshv_g32_set(e->g, MSHV_G32_VERIFY | MSHV_G32_STRIDED, DATA_GPA,
		     STRIDE, SIZE / STRIDE, SEED_A);
	MSHV_TEST_ASSERT(!pthread_create(&r->thread, NULL, vp_thread, r),
			 "pthread_create");
	faults = wait_at_least(&e->h.faults, 1);
	MSHV_TEST_ASSERT(faults == 1, "%d faults, expected 1", faults);
}

/* A signal ends the wait: RUN_VP fails with EINTR, a new run completes */
TEST_F(uffd, signal_interrupts_wait)
{
	struct sigaction sa = { .sa_handler = sig_nop };	/* no SA_RESTART */
	struct vp_run r = { .twice = true };

	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_COPY))
		return;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	/* The VP waits for the handler, which holds the fault */
	start_held_run(&self->e, &r);
	usleep(50 * 1000);
	EXPECT_EQ(0, atomic_load(&r.done));
	ASSERT_EQ(0, pthread_kill(r.thread, SIGUSR1));
	EXPECT_EQ(1, wait_at_least(&r.done, 1));
	EXPECT_EQ(-1, r.ret[0]);
	EXPECT_EQ(EINTR, r.err[0]);

	/* Resolved, and run again: the guest completes */
	atomic_store(&self->e.h.hold, 0);
	EXPECT_EQ(1, wait_at_least(&self->e.h.resolved, 1));
	atomic_store(&r.go, 1);
	EXPECT_EQ(2, wait_at_least(&r.done, 2));
	pthread_join(r.thread, NULL);
	handler_stop(&self->e.h);
	EXPECT_EQ(0, r.ret[1]);
	mshv_g32_expect_done(self->e.g, &r.msg);
	EXPECT_EQ(NPAGES, atomic_load(&self->e.h.faults));
}

/* Closing the userfaultfd ends the wait: the fault completes as usual */
TEST_F(uffd, close_uffd_while_waiting)
{
	const struct hv_message *msg;
	unsigned int i;

	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_COPY))
		return;
	self->e.h.close_on_fault = 1;
	handler_start(&self->e.h);
	msg = mshv_g32_exec_strided(self->e.g, MSHV_G32_VERIFY_CONST, DATA_GPA,
				    STRIDE, SIZE / STRIDE, 0);
	mshv_g32_expect_done(self->e.g, msg);
	handler_stop(&self->e.h);
	EXPECT_EQ(1, atomic_load(&self->e.h.faults));
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(0, self->e.mem[i * PAGE]);
}

/* The VMM unmaps the range while a fault waits: the run returns the exit */
TEST_F(uffd, munmap_while_waiting)
{
	struct vp_run r = { 0 };
	const struct hv_x64_memory_intercept_message *mem;

	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_COPY))
		return;
	start_held_run(&self->e, &r);

	ASSERT_EQ(0, munmap(self->e.mem, SIZE));
	self->e.mem = MAP_FAILED;
	usleep(50 * 1000);
	EXPECT_EQ(0, atomic_load(&r.done));
	/* Nothing to copy into any more: the handler wakes the waiter */
	atomic_store(&self->e.h.hold, 0);
	EXPECT_EQ(1, wait_at_least(&r.done, 1));
	pthread_join(r.thread, NULL);
	handler_stop(&self->e.h);
	EXPECT_EQ(0, r.ret[0]);
	EXPECT_EQ(HVMSG_UNMAPPED_GPA, r.msg.header.message_type);
	mem = (const void *)r.msg.u.payload_bytes;
	EXPECT_EQ(DATA_GPA, mem->guest_physical_address);
}

/*
 * A process killed while its VP waits, with the partition fd already
 * closed: the run ends, the process exits and the partition goes away.
 */
TEST(killed_while_waiting)
{
	int pipefd[2], status = 0;
	const char *skip;
	__u64 id = 0;
	double end;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vp_run r = { 0 };
		struct uffd_env e;
		struct pollfd p;

		close(pipefd[0]);
		uffd_env_init(&e);
		skip = uffd_env_setup(&e, MODE_COPY);
		if (skip) {
			/* The reason, then no partition id */
			if (write(pipefd[1], skip, strlen(skip) + 1) < 0)
				_exit(1);
			_exit(0);
		}
		r.vp = e.g->vp;
		mshv_g32_set(e.g, MSHV_G32_VERIFY | MSHV_G32_STRIDED, DATA_GPA,
			     STRIDE, SIZE / STRIDE, SEED_A);
		if (pthread_create(&r.thread, NULL, vp_thread, &r))
			_exit(3);
		/* A fault is pending once the userfaultfd is readable */
		p = (struct pollfd){ .fd = e.h.uffd, .events = POLLIN };
		if (poll(&p, 1, WAIT_MS) != 1)
			_exit(4);
		close(e.g->vm->fd);
		id = e.g->partition;
		if (write(pipefd[1], &id, sizeof(id)) != sizeof(id))
			_exit(5);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	{
		char buf[128] = "";
		ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);

		if (n != sizeof(id)) {
			waitpid(pid, &status, 0);
			if (n > 0 && WIFEXITED(status) && !WEXITSTATUS(status))
				SKIP(return, "%s", buf);
			ASSERT_TRUE(false) TH_LOG("child status %#x", status);
		}
		memcpy(&id, buf, sizeof(id));
	}
	close(pipefd[0]);
	usleep(50 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	end = now_ms() + WAIT_MS;
	while (waitpid(pid, &status, WNOHANG) == 0 && now_ms() < end)
		usleep(1000);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	/* The last reference went with the process: the partition is gone */
	end = now_ms() + WAIT_MS;
	while (partition_exists(id) && now_ms() < end)
		usleep(1000);
	EXPECT_FALSE(partition_exists(id));
}

/* Several VPs fault on one page: each waits, one resolution frees all */
TEST_F(uffd, vps_same_page)
{
	struct vp_run r[NVPS] = { 0 };
	struct mshv_vp *vp0;
	unsigned int i;

	if (!setup_or_skip(_metadata, &self->e, &self->skip, MODE_COPY))
		return;
	atomic_store(&self->e.h.hold, 1);
	handler_start(&self->e.h);
	vp0 = self->e.g->vp;
	for (i = 0; i < NVPS; i++) {
		r[i].vp = i ? mshv_vp_create(self->e.g->vm, i) : vp0;
		if (i) {
			mshv_vp_start_ap(r[i].vp);
			mshv_g32_enter_protected_mode(r[i].vp);
		}
		self->e.g->vp = r[i].vp;
		/* Every VP verifies the first page */
		mshv_g32_set(self->e.g, MSHV_G32_VERIFY | MSHV_G32_STRIDED,
			     DATA_GPA, STRIDE, PAGE / STRIDE, SEED_A);
	}
	self->e.g->vp = vp0;
	for (i = 0; i < NVPS; i++)
		ASSERT_EQ(0, pthread_create(&r[i].thread, NULL, vp_thread,
					    &r[i]));
	EXPECT_EQ(NVPS, wait_at_least(&self->e.h.faults, NVPS));
	EXPECT_EQ(NVPS, atomic_load(&self->e.h.per_page[0]));
	atomic_store(&self->e.h.hold, 0);
	for (i = 0; i < NVPS; i++) {
		pthread_join(r[i].thread, NULL);
		EXPECT_EQ(0, r[i].ret[0]);
		mshv_g32_expect_done(self->e.g, &r[i].msg);
		if (i)
			mshv_vp_free(r[i].vp);
	}
	handler_stop(&self->e.h);
	EXPECT_EQ(NVPS, atomic_load(&self->e.h.faults));
}

TEST_HARNESS_MAIN
