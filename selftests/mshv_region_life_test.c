// SPDX-License-Identifier: GPL-2.0-only
/*
 * Region life cycle: removal while the backing goes away, map and unmap
 * of the same or an overlapping GFN range racing each other, pinning that
 * fails half-way, and unmaps the hypervisor fails.
 *
 * The races are made deterministic with hvsim's "delay" rule: the removal
 * runs in a forked child (another mm, so that the parent's munmap() needs
 * no TLB shootdown on the CPU the delayed hypercall spins on) and its
 * UNMAP_GPA_PAGES spins long enough for the parent to act in between.
 * The data regions and the control region are MADV_DONTFORK, so the fork
 * invalidates nothing.
 *
 * After each: hvsim's SLAT holds exactly the entries of the live regions,
 * no entry outlived its page (hvsim/stale_entries) and the pins taken
 * equal the pins released (/proc/vmstat).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mshv_region_common.h"

FIXTURE(life)
{
	__u64 numa;	/* numa_balancing mode to restore */
};

/* Counts exact SLAT entries: no NUMA hinting unmaps */
FIXTURE_SETUP(life)
{
	self->numa = mshv_numa_balancing_set(0);
}

FIXTURE_TEARDOWN(life)
{
	mshv_numa_balancing_set(self->numa);
}

/* The delayed UNMAP spins this long (interrupts off, one vCPU) */
#define DELAY_MS	1000
#define RACE_SECONDS	4

/* 4 KiB pages the SLAT of partition @id maps (a 2 MiB entry is 512) */
static __u64 slat_pages(__u64 id)
{
	struct mshv_dbg_partition p = mshv_dbg_partition_get(id);

	return p.slat_4k + PAGES_2M * p.slat_2m;
}

static int map_region(int fd, __u64 gpa, size_t size, void *hva, __u8 flags)
{
	return __mshv_set_guest_memory(fd, size, MSHV_PFN(gpa), mshv_hva_u64(hva),
				       flags);
}

/*
 * A child that removes a region when told to: it shares the partition fd
 * but not the mm.  Its exit status is 0 or the errno of the removal.
 */
struct remover {
	pid_t pid;
	int go;
};

static void remover_fork(struct remover *r, int fd, __u64 gpa, size_t size,
			 void *hva)
{
	int p[2];
	char c;

	MSHV_TEST_ASSERT(!pipe(p), "pipe");
	r->pid = fork();
	MSHV_TEST_ASSERT(r->pid >= 0, "fork");
	if (!r->pid) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(250);
		_exit(map_region(fd, gpa, size, hva, UNMAP) ? errno : 0);
	}
	close(p[0]);
	r->go = p[1];
}

static void remover_go(struct remover *r)
{
	MSHV_TEST_ASSERT(write(r->go, "x", 1) == 1, "pipe write");
	close(r->go);
}

static int remover_wait(struct remover *r)
{
	int st = 0;

	MSHV_TEST_ASSERT(waitpid(r->pid, &st, 0) == r->pid, "waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* The guest's control region is not copied by fork(): no invalidation */
static struct mshv_g32 *guest_create(void)
{
	struct mshv_g32 *g = mshv_g32_create();

	MSHV_TEST_ASSERT(!madvise(g->ctl, MSHV_G32_CTL_SIZE, MADV_DONTFORK),
			 "MADV_DONTFORK");
	return g;
}

static void hostmem_nofork(struct mshv_hostmem *m, enum mshv_backing b)
{
	MSHV_TEST_ASSERT(mshv_hostmem_alloc(m, b, SZ_2M, 0), "backing %d", b);
	MSHV_TEST_ASSERT(!madvise(m->hva, SZ_2M, MADV_DONTFORK),
			 "MADV_DONTFORK");
}

static void delay_next_unmap(void)
{
	char rule[64];

	snprintf(rule, sizeof(rule), "delay %#x 1 %u", HVCALL_UNMAP_GPA_PAGES,
		 DELAY_MS);
	MSHV_TEST_ASSERT(!mshv_dbg_inject(rule), "%s", rule);
}

/*
 * Removal while the VMM unmaps the backing: the region's SLAT entries go
 * before the notifier that protects the pages does.  The removal's
 * UNMAP_GPA_PAGES is delayed; the parent's munmap() in that window must
 * wait for it (the notifier is still registered) instead of freeing pages
 * the SLAT maps.
 */
TEST_F(life, removal_vs_munmap)
{
	struct mshv_g32 *g;
	struct remover r;
	struct mshv_hostmem m;
	__u64 st0, base;
	int rc;

	if (mshv_pin_regions())
		SKIP(return, "pinned regions have no notifier");
	g = guest_create();
	base = slat_pages(g->partition);
	hostmem_nofork(&m, BACK_4K);
	ASSERT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, m.hva, RW));
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, PAGE, PAGES_2M, 0x21);
	ASSERT_EQ(base + PAGES_2M, slat_pages(g->partition));

	remover_fork(&r, g->vm->fd, DATA_GPA, SZ_2M, m.hva);
	st0 = mshv_dbg_stale_entries_get();
	delay_next_unmap();
	remover_go(&r);
	usleep(DELAY_MS * 1000 / 4);
	EXPECT_EQ(0, munmap(m.base, m.len));
	m.base = NULL;
	rc = remover_wait(&r);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	EXPECT_EQ(0, rc);
	/* No SLAT entry outlived its page */
	EXPECT_EQ(0, mshv_dbg_stale_entries_get() - st0);
	EXPECT_EQ(base, slat_pages(g->partition));
	mshv_g32_free(g);
	EXPECT_EQ(0, mshv_dbg_stale_entries_get() - st0);
}

/* Regions of partition @id in mshv_root/regions */
static int regions_of(__u64 id)
{
	struct mshv_dbg_region r[64];
	int i, n = 0, total = mshv_dbg_regions(r, 64);

	for (i = 0; i < total; i++)
		if (r[i].partition == id)
			n++;
	return n;
}

struct race {
	int fd;
	void *hva;
	atomic_bool stop;
	unsigned long maps, unmaps, reads;
	int bad_errno;
};

static void *race_map(void *arg)
{
	struct race *x = arg;

	while (!x->stop) {
		if (!map_region(x->fd, DATA_GPA, SZ_2M, x->hva, RW))
			x->maps++;
		else if (errno != EEXIST)
			x->bad_errno = errno;
	}
	return NULL;
}

static void *race_unmap(void *arg)
{
	struct race *x = arg;

	while (!x->stop) {
		if (!map_region(x->fd, DATA_GPA, SZ_2M, x->hva, UNMAP))
			x->unmaps++;
		else if (errno != EINVAL)
			x->bad_errno = errno;
	}
	return NULL;
}

/* Keeps the global region list's lock busy, as a debugfs reader does */
static void *race_read(void *arg)
{
	struct race *x = arg;
	char buf[4096];
	int fd;

	while (!x->stop) {
		fd = open(MSHV_DBG_ROOT "/regions", O_RDONLY);
		if (fd < 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		x->reads++;
	}
	return NULL;
}

/*
 * Map and unmap of the same range racing, with a reader of the region
 * list: every region the map published is fully set up (it is in the
 * list before anyone can remove it), and when the dust settles the list
 * holds exactly the partition's regions.  A use-after-free here is a
 * KASAN report on the debug kernel.
 */
TEST_F(life, map_vs_unmap_same_range)
{
	struct mshv_vm *vm = mshv_vm_create();
	__u64 id = mshv_dbg_newest_partition();
	pthread_t t[3];
	struct race x = { .fd = vm->fd };
	struct mshv_hostmem m;
	time_t end;

	ASSERT_TRUE(mshv_hostmem_alloc(&m, BACK_4K, SZ_2M, 0));
	memset(m.hva, 1, SZ_2M);
	x.hva = m.hva;
	ASSERT_EQ(0, pthread_create(&t[0], NULL, race_map, &x));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, race_unmap, &x));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, race_read, &x));
	end = time(NULL) + RACE_SECONDS;
	while (time(NULL) < end)
		usleep(100000);
	x.stop = true;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	pthread_join(t[2], NULL);
	TH_LOG("%lu maps, %lu unmaps, %lu list reads", x.maps, x.unmaps,
	       x.reads);
	EXPECT_EQ(0, x.bad_errno);
	EXPECT_LE(x.unmaps, x.maps);
	EXPECT_GE(x.unmaps + 1, x.maps);
	EXPECT_LT(0, x.unmaps);
	EXPECT_EQ(x.maps - x.unmaps, regions_of(id));
	if (x.maps > x.unmaps)
		EXPECT_EQ(0, map_region(vm->fd, DATA_GPA, SZ_2M, m.hva, UNMAP));
	EXPECT_EQ(0, regions_of(id));
	mshv_vm_free(vm);
	mshv_hostmem_free(&m);
}

/*
 * Unmap of region A racing a map of region B over the same GFNs: B may
 * only be mapped once A's SLAT entries are gone, so that A's removal
 * cannot delete what B maps.  A's UNMAP_GPA_PAGES is delayed; the parent
 * maps B as soon as the map is accepted and has the guest write B.
 * Afterwards every page of B is in the SLAT, holding B's data.
 */
TEST_F(life, unmap_vs_overlapping_map)
{
	struct mshv_hostmem a, b;
	struct mshv_g32 *g;
	struct remover r;
	__u64 base, st0;
	time_t end;
	int ret, rc;

	g = guest_create();
	base = slat_pages(g->partition);
	hostmem_nofork(&a, BACK_4K);
	hostmem_nofork(&b, BACK_4K);
	ASSERT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, a.hva, RW));
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, PAGE, PAGES_2M, 0xa);
	ASSERT_EQ(base + PAGES_2M, slat_pages(g->partition));
	st0 = mshv_dbg_stale_entries_get();

	remover_fork(&r, g->vm->fd, DATA_GPA, SZ_2M, a.hva);
	delay_next_unmap();
	remover_go(&r);
	end = time(NULL) + 10;
	do {
		ret = map_region(g->vm->fd, DATA_GPA, SZ_2M, b.hva, RW);
	} while (ret && errno == EEXIST && time(NULL) < end);
	ASSERT_EQ(0, ret) TH_LOG("map of B: errno %d", errno);
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, PAGE, PAGES_2M, 0xb);
	rc = remover_wait(&r);
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	EXPECT_EQ(0, rc);

	/* A's removal deleted nothing of B's */
	EXPECT_EQ(base + PAGES_2M, slat_pages(g->partition));
	mshv_g32_run_strided(g, MSHV_G32_VERIFY, DATA_GPA, PAGE, PAGES_2M, 0xb);
	EXPECT_EQ(base + PAGES_2M, slat_pages(g->partition));
	EXPECT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, b.hva, UNMAP));
	EXPECT_EQ(base, slat_pages(g->partition));
	mshv_g32_free(g);
	EXPECT_EQ(0, mshv_dbg_stale_entries_get() - st0);
	mshv_hostmem_free(&a);
	mshv_hostmem_free(&b);
}

/* A /proc/vmstat counter, per-CPU differences folded in first */
static __u64 vm_counter(const char *name)
{
	size_t len = strlen(name);
	char line[128];
	__u64 v = 0;
	FILE *f;

	mshv_write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	MSHV_TEST_ASSERT(f, "/proc/vmstat");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static __u64 pins_held(void)
{
	return vm_counter("nr_foll_pin_acquired") -
	       vm_counter("nr_foll_pin_released");
}

/* Physically contiguous runs of the @n pages at @p (root: real PFNs) */
static unsigned int pfn_runs(const char *p, unsigned int n)
{
	__u64 e, prev = 0;
	unsigned int i, runs = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	MSHV_TEST_ASSERT(fd >= 0, "pagemap");
	for (i = 0; i < n; i++) {
		MSHV_TEST_ASSERT(pread(fd, &e, sizeof(e),
				       ((uintptr_t)p / PAGE + i) * 8) == 8,
				 "pagemap read");
		e &= (1ULL << 55) - 1;
		if (!i || e != prev + 1)
			runs++;
		prev = e;
	}
	close(fd);
	return runs;
}

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define PIN_PAGES	64

/*
 * Pinning that fails half-way (every allocation of MSHV_SET_GUEST_MEMORY
 * failed in turn with the task's fail-nth; the PFN-run array grows at 16,
 * 32 and 64 runs): the map fails with ENOMEM and every page pinned is
 * unpinned exactly once.
 */
TEST_F(life, pin_failure_unpins_once)
{
	char path[64], wait_old[8] = "", verbose_old[8] = "", num[16];
	unsigned int n, failures = 0;
	struct mshv_vm *vm;
	__u64 held0, held1;
	int nth, ret, err, i;
	char *p, *q;

	if (!mshv_pin_regions())
		SKIP(return, "regions are not pinned");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	nth = open(path, O_RDWR);
	if (nth < 0 || access(FAILSLAB "/ignore-gfp-wait", W_OK))
		SKIP(return, "no slab fault injection in this kernel");
	i = open(FAILSLAB "/ignore-gfp-wait", O_RDONLY);
	ASSERT_LT(0, read(i, wait_old, sizeof(wait_old) - 1));
	close(i);
	i = open(FAILSLAB "/verbose", O_RDONLY);
	ASSERT_LT(0, read(i, verbose_old, sizeof(verbose_old) - 1));
	close(i);
	ASSERT_EQ(0, mshv_write_file(FAILSLAB "/ignore-gfp-wait", "N"));
	ASSERT_EQ(0, mshv_write_file(FAILSLAB "/verbose", "0"));

	vm = mshv_vm_create();
	p = mmap(NULL, 2 * PIN_PAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, 2 * PIN_PAGES * PAGE, MADV_NOHUGEPAGE));
	/*
	 * Each page of the region faulted in right after a page of another
	 * buffer: consecutive pages rarely get consecutive PFNs, nearly one
	 * run per page
	 */
	q = p + PIN_PAGES * PAGE;
	for (i = 0; i < PIN_PAGES; i++) {
		q[i * PAGE] = i;
		p[i * PAGE] = i;
	}
	ASSERT_LT(32, pfn_runs(p, PIN_PAGES));

	for (n = 1; n < 200; n++) {
		held0 = pins_held();
		snprintf(num, sizeof(num), "%u", n);
		ASSERT_LT(0, pwrite(nth, num, strlen(num), 0));
		ret = map_region(vm->fd, 0, PIN_PAGES * PAGE, p, RW);
		err = errno;
		memset(num, 0, sizeof(num));
		ASSERT_LT(0, pread(nth, num, sizeof(num) - 1, 0));
		ASSERT_LT(0, pwrite(nth, "0", 1, 0));
		if (!ret) {
			EXPECT_EQ(PIN_PAGES, pins_held() - held0);
			EXPECT_EQ(0, map_region(vm->fd, 0, PIN_PAGES * PAGE, p,
						UNMAP));
			EXPECT_EQ(0, pins_held() - held0);
			/* Nothing was left to fail: every point was tried */
			if (atoi(num))
				break;
			continue;
		}
		failures++;
		EXPECT_EQ(ENOMEM, err) TH_LOG("fail-nth %u", n);
		held1 = pins_held();
		EXPECT_EQ(0, (long long)(held1 - held0))
			TH_LOG("fail-nth %u: %lld pins left after the failed map",
			       n, (long long)(held1 - held0));
	}
	TH_LOG("%u allocations failed in turn", failures);
	EXPECT_LT(3, failures);
	EXPECT_GT(200, n);
	close(nth);
	mshv_write_file(FAILSLAB "/ignore-gfp-wait", wait_old);
	mshv_write_file(FAILSLAB "/verbose", verbose_old);
	/* The pages are intact and still the process's own */
	for (i = 0; i < PIN_PAGES; i++)
		EXPECT_EQ((char)i, p[i * PAGE]);
	mshv_vm_free(vm);
	munmap(p, 2 * PIN_PAGES * PAGE);
}

static void fail_next_unmap(void)
{
	char rule[64];

	snprintf(rule, sizeof(rule), "fail %#x 1 0xb", HVCALL_UNMAP_GPA_PAGES);
	MSHV_TEST_ASSERT(!mshv_dbg_inject(rule), "%s", rule);
}

/*
 * The removal's UNMAP_GPA_PAGES fails (the whole 2 MiB chunk, one large
 * rep): the removal tries again, and nothing of the region stays in the
 * SLAT, nor at the partition's teardown.
 */
TEST_F(life, unmap_failure_at_removal)
{
	struct mshv_g32 *g = mshv_g32_create();
	struct mshv_hostmem m;
	__u64 base, st0, calls0;

	base = slat_pages(g->partition);
	ASSERT_TRUE(mshv_hostmem_alloc(&m, mshv_thp_available() ?
				       BACK_THP : BACK_4K, SZ_2M, 0));
	ASSERT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, m.hva, RW));
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, PAGE, PAGES_2M, 0x6);
	ASSERT_EQ(base + PAGES_2M, slat_pages(g->partition));
	st0 = mshv_dbg_stale_entries_get();
	calls0 = mshv_dbg_hypercall_get(HVCALL_UNMAP_GPA_PAGES).calls;
	fail_next_unmap();
	EXPECT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, m.hva, UNMAP));
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	EXPECT_EQ(2, mshv_dbg_hypercall_get(HVCALL_UNMAP_GPA_PAGES).calls -
		     calls0);
	EXPECT_EQ(base, slat_pages(g->partition));
	mshv_g32_free(g);
	EXPECT_EQ(0, mshv_dbg_stale_entries_get() - st0);
	mshv_hostmem_free(&m);
}

/*
 * An invalidation's unmap of a 2 MiB entry fails (mprotect() of one page
 * splits the THP): the chunk stays known as mapped large, so the next
 * unmap of any part of it removes the whole entry, and the removal of the
 * region leaves nothing behind.
 */
TEST_F(life, unmap_failure_at_invalidation)
{
	struct mshv_g32 *g;
	struct mshv_hostmem m;
	__u64 base, st0;

	if (mshv_pin_regions())
		SKIP(return, "pinned regions have no notifier");
	if (!mshv_thp_available())
		SKIP(return, "no THP");
	g = mshv_g32_create();
	base = slat_pages(g->partition);
	ASSERT_TRUE(mshv_hostmem_alloc(&m, BACK_THP, SZ_2M, 0));
	ASSERT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, m.hva, RW));
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, PAGE, PAGES_2M, 0x7);
	if (mshv_dbg_partition_get(g->partition).slat_2m != 1) {
		mshv_g32_free(g);
		mshv_hostmem_free(&m);
		SKIP(return, "the region is not backed by a THP");
	}
	st0 = mshv_dbg_stale_entries_get();
	fail_next_unmap();
	ASSERT_EQ(0, mprotect(m.hva, PAGE, PROT_READ));
	ASSERT_EQ(0, mshv_dbg_inject("clear"));
	EXPECT_EQ(0, map_region(g->vm->fd, DATA_GPA, SZ_2M, m.hva, UNMAP));
	EXPECT_EQ(base, slat_pages(g->partition));
	mshv_g32_free(g);
	EXPECT_EQ(0, mshv_dbg_stale_entries_get() - st0);
	mshv_hostmem_free(&m);
}

TEST_HARNESS_MAIN
