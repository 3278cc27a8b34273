// SPDX-License-Identifier: GPL-2.0-only
/*
 * Movable regions under Linux memory management: with the guest running
 * between steps, the host moves, swaps, merges, collapses, splits, drops,
 * unmaps, forks and exits.  After each: the guest reads exactly the data
 * it should, hvsim caught no access to a freed page (stale_accesses), the
 * SLAT holds no entry for an invalidated page, and where memory is given
 * back the host's resident memory drops.
 *
 * Pinned regions (mshv_root.pin_regions=1) do not follow the host's page
 * tables by design; the tests that depend on that are skipped there, the
 * fork and exit tests run in both modes.
 */
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mshv_region_common.h"

FIXTURE(mm)
{
	struct mshv_g32 *g;
	struct mshv_hostmem m;
	__u64 rgpa;
	bool pinned;
	__u64 stale0;	/* hvsim/stale_accesses when the test started */
	__u64 numa;	/* numa_balancing mode to restore */
};

FIXTURE_SETUP(mm)
{
	/* Counts exact faults and mappings: no NUMA hinting unmaps */
	self->numa = mshv_numa_balancing_set(0);
	self->pinned = mshv_pin_regions();
	self->g = mshv_g32_create();
	self->stale0 = mshv_dbg_stale_accesses_get();
	self->rgpa = DATA_GPA;
}

FIXTURE_TEARDOWN(mm)
{
	mshv_g32_free(self->g);
	mshv_hostmem_free(&self->m);
	mshv_numa_balancing_set(self->numa);
}

#define NOT_FOR_PINNED	"pinned regions do not follow the host mm"

/*
 * Back a region at @rgpa with @b, map it, and have the guest write every
 * page (fails the test if the backing is not available).
 */
static void setup_written(struct mshv_g32 *g, struct mshv_hostmem *m, __u64 rgpa,
			  enum mshv_backing b, size_t size, __u32 seed)
{
	MSHV_TEST_ASSERT(mshv_hostmem_alloc(m, b, size, 0), "backing %d", b);
	MSHV_TEST_ASSERT(!__mshv_set_guest_memory(g->vm->fd, size,
						  MSHV_PFN(rgpa),
						  mshv_hva_u64(m->hva), RW),
			 "map %#llx", (unsigned long long)rgpa);
	mshv_g32_run_strided(g, MSHV_G32_WRITE, rgpa, PAGE, size / PAGE, seed);
}

/* The guest verifies every page of the region written by setup_written() */
static void verify_all(struct mshv_g32 *g, __u64 rgpa, size_t size,
		       __u32 seed)
{
	mshv_g32_run_strided(g, MSHV_G32_VERIFY, rgpa, PAGE, size / PAGE, seed);
}

/*
 * MADV_DONTNEED of 10 pages of a 4 KiB-mapped window: exactly those 10
 * SLAT entries go, in one UNMAP_GPA_PAGES call of 10 reps; the guest then
 * reads zeroes there and its data elsewhere.
 *
 *   page:   0 ......... 10 ==== 19 ........ 511
 *   SLAT:   mapped      removed    mapped
 */
TEST_F(mm, dontneed_4k)
{
	struct mshv_snap s0, s1, s2;
	struct mshv_dbg_region r0, r1;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	setup_written(self->g, &self->m, self->rgpa, BACK_4K, SZ_2M, 0xd0);
	mshv_snap(self->g->partition, &s0);
	r0 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(self->rgpa));
	ASSERT_EQ(0, madvise(self->m.hva + 10 * PAGE, 10 * PAGE,
			     MADV_DONTNEED));
	mshv_snap(self->g->partition, &s1);
	r1 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(self->rgpa));
	EXPECT_EQ(-10, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	EXPECT_EQ(1, mshv_delta(s1.unmap.calls, s0.unmap.calls));
	EXPECT_EQ(10, mshv_delta(s1.unmap.reps, s0.unmap.reps));
	EXPECT_EQ(1, r1.unmaps - r0.unmaps);
	EXPECT_EQ(1, r1.invalidations - r0.invalidations);
	EXPECT_EQ(PAGES_2M - 10, mshv_resident_pages(self->m.hva, SZ_2M));

	/* The guest sees zeroes in the hole and its data around it */
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY_CONST,
			     self->rgpa + 10 * PAGE, PAGE, 10, 0);
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY, self->rgpa, PAGE, 10,
			     0xd0);
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY,
			     self->rgpa + 20 * PAGE, PAGE, PAGES_2M - 20, 0xd0);
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(1, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	EXPECT_EQ(self->stale0, s2.stale);
}

/*
 * MADV_DONTNEED of a 2 MiB chunk the VMM wrote but the guest never
 * touched: nothing of it was ever in the SLAT, so its invalidation issues
 * no UNMAP_GPA_PAGES call; the guest reads zeroes there afterwards and
 * its data in the chunk it wrote.
 *
 *   chunk:  0 (guest wrote: mapped)  1 (VMM wrote, then zapped: never mapped)
 */
TEST_F(mm, dontneed_never_mapped)
{
	struct mshv_snap s0, s1;
	struct mshv_dbg_region r0, r1;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_4K, 2 * SZ_2M, 0));
	ASSERT_EQ(0, __mshv_set_guest_memory(self->g->vm->fd, self->m.size,
					     MSHV_PFN(self->rgpa),
					     mshv_hva_u64(self->m.hva), RW));
	mshv_g32_run_strided(self->g, MSHV_G32_WRITE, self->rgpa, PAGE,
			     PAGES_2M, 0xe0);
	memset(self->m.hva + SZ_2M, 0x5a, SZ_2M);
	mshv_snap(self->g->partition, &s0);
	r0 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(self->rgpa));
	ASSERT_EQ(0, madvise(self->m.hva + SZ_2M, SZ_2M, MADV_DONTNEED));
	mshv_snap(self->g->partition, &s1);
	r1 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(self->rgpa));
	EXPECT_EQ(1, r1.invalidations - r0.invalidations);
	EXPECT_EQ(0, mshv_delta(s1.unmap.calls, s0.unmap.calls));
	EXPECT_EQ(0, r1.unmaps - r0.unmaps);
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));

	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY_CONST,
			     self->rgpa + SZ_2M, PAGE, PAGES_2M, 0);
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY, self->rgpa, PAGE,
			     PAGES_2M, 0xe0);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/*
 * MADV_DONTNEED of one page inside a 2 MiB mapping: the whole 2 MiB entry
 * goes, the rest refaults with 4 KiB entries once the host has split the
 * THP.  The large entry goes in one call of one large rep.  Debian's
 * 6.1.0-56 and 6.12.95 kernels then invalidate the whole PMD a second time
 * when they split it; the driver, keeping no per-page state, unmaps that
 * aligned 2 MiB range again as one 2 MiB rep in one more call (6.12.117
 * does not).
 */
TEST_F(mm, dontneed_inside_thp)
{
	struct mshv_snap s0, s1, s2;
	long long calls, reps;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	if (!mshv_thp_available())
		SKIP(return, "transparent_hugepage/enabled is never");
	setup_written(self->g, &self->m, self->rgpa, BACK_THP, SZ_2M, 0xe0);
	mshv_snap(self->g->partition, &s0);
	ASSERT_EQ(1, s0.pt.slat_2m) TH_LOG("window not mapped with 2 MiB");
	ASSERT_EQ(0, madvise(self->m.hva + 100 * PAGE, PAGE, MADV_DONTNEED));
	mshv_snap(self->g->partition, &s1);
	EXPECT_EQ(0, s1.pt.slat_2m);
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	calls = mshv_delta(s1.unmap.calls, s0.unmap.calls);
	reps = mshv_delta(s1.unmap.reps, s0.unmap.reps);
	EXPECT_TRUE((calls == 1 && reps == 1) ||
		    (calls == 2 && reps == 2))
		TH_LOG("%lld unmap calls, %lld reps", calls, reps);
	EXPECT_EQ(0, mshv_smaps_kb(self->m.hva, "AnonHugePages"));

	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY, self->rgpa, PAGE, 100,
			     0xe0);
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY_CONST,
			     self->rgpa + 100 * PAGE, PAGE, 1, 0);
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY,
			     self->rgpa + 101 * PAGE, PAGE, PAGES_2M - 101,
			     0xe0);
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(1, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	EXPECT_EQ(0, s2.pt.slat_2m);
	EXPECT_EQ(self->stale0, s2.stale);
}

/*
 * MADV_DONTNEED of a whole written 8-chunk THP region: one invalidation,
 * one UNMAP_GPA_PAGES call of 8 2 MiB reps (whole aligned chunks always go
 * as 2 MiB reps, however they were mapped), and every SLAT entry is gone.
 */
TEST_F(mm, dontneed_whole_thp)
{
	struct mshv_snap s0, s1, s2;
	struct mshv_dbg_region r0, r1;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	if (!mshv_thp_available())
		SKIP(return, "transparent_hugepage/enabled is never");
	setup_written(self->g, &self->m, self->rgpa, BACK_THP, 8 * SZ_2M, 0xf0);
	mshv_snap(self->g->partition, &s0);
	r0 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(self->rgpa));
	ASSERT_EQ(0, madvise(self->m.hva, 8 * SZ_2M, MADV_DONTNEED));
	mshv_snap(self->g->partition, &s1);
	r1 = mshv_dbg_region_get(self->g->partition, MSHV_PFN(self->rgpa));
	EXPECT_EQ(1, r1.invalidations - r0.invalidations);
	EXPECT_EQ(1, mshv_delta(s1.unmap.calls, s0.unmap.calls));
	EXPECT_EQ(8, mshv_delta(s1.unmap.reps, s0.unmap.reps));
	EXPECT_EQ(0, s1.pt.slat_2m);
	/* only the control region's 4 KiB entries are left */
	EXPECT_EQ(MSHV_PFN(MSHV_G32_CTL_SIZE), s1.pt.slat_4k);
	EXPECT_EQ(0, mshv_resident_pages(self->m.hva, 8 * SZ_2M));

	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY_CONST, self->rgpa,
			     SZ_2M, 8, 0);
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(8, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	EXPECT_EQ(self->stale0, s2.stale);
}

/*
 * munmap() of the second window of a region: its SLAT entries go, and a
 * guest access there reaches userspace as UNMAPPED_GPA (nothing backs it).
 */
TEST_F(mm, munmap_part)
{
	const struct hv_message *msg;
	struct mshv_snap s0, s1;
	__u32 gpa = self->rgpa + SZ_2M + 5 * PAGE;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	setup_written(self->g, &self->m, self->rgpa, BACK_4K, 2 * SZ_2M, 0xf0);
	mshv_snap(self->g->partition, &s0);
	ASSERT_EQ(0, munmap(self->m.hva + SZ_2M, SZ_2M));
	mshv_snap(self->g->partition, &s1);
	EXPECT_EQ(-(long long)PAGES_2M, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));

	msg = mshv_g32_exec(self->g, MSHV_G32_READ, &gpa, 1, 0);
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(gpa, mshv_g32_msg_gpa(msg));
	verify_all(self->g, self->rgpa, SZ_2M, 0xf0);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/* Swap on zram: MADV_PAGEOUT drops resident memory, the guest swaps in */
TEST_F(mm, pageout)
{
	struct mshv_snap s0, s1;
	__u64 rss0, rss1;
	FILE *f;
	char line[256];
	int swaps = 0;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	f = fopen("/proc/swaps", "r");
	while (f && fgets(line, sizeof(line), f))
		swaps++;
	if (f)
		fclose(f);
	if (swaps < 2)
		SKIP(return, "no swap device (the test VM sets up zram swap)");

	setup_written(self->g, &self->m, self->rgpa, BACK_4K, SZ_2M, 0x77);
	mshv_snap(self->g->partition, &s0);
	rss0 = mshv_smaps_kb(self->m.hva, "Rss");
	ASSERT_EQ(0, madvise(self->m.hva, SZ_2M, MADV_PAGEOUT));
	mshv_snap(self->g->partition, &s1);
	rss1 = mshv_smaps_kb(self->m.hva, "Rss");
	EXPECT_EQ(2048, rss0);
	EXPECT_LT(rss1, rss0 / 2)
		TH_LOG("pageout left %llu kB", (unsigned long long)rss1);
	/* every remaining SLAT entry is backed by a present PTE */
	EXPECT_EQ(rss1 / 4, s1.pt.slat_4k - (s0.pt.slat_4k - PAGES_2M));
	verify_all(self->g, self->rgpa, SZ_2M, 0x77);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/* Migration to the other NUMA node (numa=fake=2 in the test VM) */
TEST_F(mm, move_pages)
{
	enum { N = 64 };
	void *pages[N];
	int nodes[N], status[N];
	struct mshv_snap s0, s1;
	unsigned int i;
	int target;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node (the test VM boots numa=fake=2)");
	setup_written(self->g, &self->m, self->rgpa, BACK_4K, SZ_2M, 0x3c);
	for (i = 0; i < N; i++)
		pages[i] = self->m.hva + (i * 3) * PAGE;
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, N, pages, NULL, status, 0));
	target = status[0] == 0 ? 1 : 0;
	for (i = 0; i < N; i++)
		nodes[i] = target;
	mshv_snap(self->g->partition, &s0);
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, N, pages, nodes, status,
			     MPOL_MF_MOVE));
	for (i = 0; i < N; i++)
		ASSERT_EQ(target, status[i]) TH_LOG("page %u", i);
	mshv_snap(self->g->partition, &s1);
	EXPECT_EQ(-N, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	verify_all(self->g, self->rgpa, SZ_2M, 0x3c);
	/* the pages stayed where they were moved */
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, N, pages, NULL, status, 0));
	EXPECT_EQ(target, status[N - 1]);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

static bool ksm_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", file);
	return mshv_write_file(path, val) == 0;
}

/*
 * KSM merges the guest's identical pages; the guest still reads them, and
 * its write to one of them breaks COW without touching the others.
 */
TEST_F(mm, ksm)
{
	enum { N = 64 };
	struct mshv_snap s0, s1;
	__u64 sharing = 0;
	__u32 one = 0;
	unsigned int i, tries;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	if (access("/sys/kernel/mm/ksm/run", W_OK))
		SKIP(return, "no KSM");
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_4K, N * PAGE, 0));
	ASSERT_EQ(0, madvise(self->m.hva, N * PAGE, MADV_MERGEABLE));
	ASSERT_EQ(0, __mshv_set_guest_memory(self->g->vm->fd, N * PAGE,
					     MSHV_PFN(self->rgpa),
					     mshv_hva_u64(self->m.hva), RW));
	mshv_g32_run_strided(self->g, MSHV_G32_WRITE_CONST, self->rgpa, PAGE,
			     N, 0x4b534d);
	mshv_snap(self->g->partition, &s0);
	ASSERT_TRUE(ksm_set("pages_to_scan", "10000"));
	ASSERT_TRUE(ksm_set("sleep_millisecs", "0"));
	ASSERT_TRUE(ksm_set("run", "1"));
	for (tries = 0; tries < 300; tries++) {
		mshv_read_u64_file("/sys/kernel/mm/ksm/pages_sharing",
				   &sharing);
		if (sharing >= N - 1)
			break;
		usleep(100000);
	}
	mshv_snap(self->g->partition, &s1);
	EXPECT_LE(N - 1, sharing);
	/* merged pages were unmapped from the SLAT */
	EXPECT_GE(s0.pt.slat_4k - s1.pt.slat_4k, sharing);

	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY_CONST, self->rgpa, PAGE,
			     N, 0x4b534d);
	one = self->rgpa + 7 * PAGE;
	mshv_g32_run(self->g, MSHV_G32_WRITE_CONST, &one, 1, 0x1111);
	EXPECT_EQ(0x1111, mshv_host_dword(&self->m, self->rgpa, one));
	for (i = 0; i < N; i++)
		if (i != 7)
			EXPECT_EQ(0x4b534d, *(__u32 *)(self->m.hva + i * PAGE));
	ksm_set("run", "2");	/* unmerge everything, stop */
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/* MADV_COLLAPSE: 4 KiB entries go; the refault maps one 2 MiB entry */
TEST_F(mm, collapse)
{
	struct mshv_snap s0, s1, s2;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	if (!mshv_thp_available())
		SKIP(return, "transparent_hugepage/enabled is never");
	setup_written(self->g, &self->m, self->rgpa, BACK_4K, SZ_2M, 0xc011);
	mshv_snap(self->g->partition, &s0);
	ASSERT_EQ(0, mshv_smaps_kb(self->m.hva, "AnonHugePages"));
	ASSERT_EQ(0, madvise(self->m.base, self->m.len, MADV_HUGEPAGE));
	if (madvise(self->m.hva, SZ_2M, MADV_COLLAPSE)) {
		if (errno == EINVAL)
			SKIP(return, "kernel without MADV_COLLAPSE");
		ASSERT_EQ(0, errno);
	}
	mshv_snap(self->g->partition, &s1);
	EXPECT_EQ(2048, mshv_smaps_kb(self->m.hva, "AnonHugePages"));
	EXPECT_EQ(-(long long)PAGES_2M, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	verify_all(self->g, self->rgpa, SZ_2M, 0xc011);
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(1, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	EXPECT_EQ(1, mshv_delta(s2.pt.slat_2m, s1.pt.slat_2m));
	EXPECT_EQ(0, mshv_delta(s2.pt.slat_4k, s1.pt.slat_4k));
	EXPECT_EQ(self->stale0, s2.stale);
}

/*
 * mprotect(PROT_READ) of half a THP splits it: the 2 MiB entry goes; the
 * guest reads everything, writes the writable half, and a write to the
 * read-only half reaches userspace as the message.
 */
TEST_F(mm, mprotect_split)
{
	const struct hv_message *msg;
	struct mshv_snap s0, s1;
	__u32 rw = self->rgpa + 400 * PAGE, ro = self->rgpa + 3 * PAGE;

	if (self->pinned)
		SKIP(return, NOT_FOR_PINNED);
	if (!mshv_thp_available())
		SKIP(return, "transparent_hugepage/enabled is never");
	setup_written(self->g, &self->m, self->rgpa, BACK_THP, SZ_2M, 0x5917);
	mshv_snap(self->g->partition, &s0);
	ASSERT_EQ(1, s0.pt.slat_2m);
	ASSERT_EQ(0, mprotect(self->m.hva, SZ_2M / 2, PROT_READ));
	mshv_snap(self->g->partition, &s1);
	EXPECT_EQ(0, s1.pt.slat_2m);
	verify_all(self->g, self->rgpa, SZ_2M, 0x5917);
	mshv_g32_run(self->g, MSHV_G32_WRITE_CONST, &rw, 1, 0xaa);
	EXPECT_EQ(0xaa, mshv_host_dword(&self->m, self->rgpa, rw));
	msg = mshv_g32_exec(self->g, MSHV_G32_WRITE_CONST, &ro, 1, 0xbb);
	EXPECT_EQ(HVMSG_GPA_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(ro, mshv_g32_msg_gpa(msg));
	EXPECT_EQ(mshv_g32_value(ro, 0x5917),
		  mshv_host_dword(&self->m, self->rgpa, ro));
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

/*
 * fork(): the parent's pages become copy-on-write.  The guest's write goes
 * to the parent's (new) page; the child still sees the old data.
 */
TEST_F(mm, fork_cow)
{
	__u32 gpa = self->rgpa + 33 * PAGE;	/* written by setup_written() */
	int to_child[2], to_parent[2], status;
	__u32 seen = 0;
	char c = 0;
	pid_t pid;

	setup_written(self->g, &self->m, self->rgpa, BACK_4K, SZ_2M, 0x0f0f);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		seen = mshv_host_dword(&self->m, self->rgpa, gpa);
		_exit(write(to_parent[1], &seen, 4) == 4 ? 0 : 3);
	}
	mshv_g32_run(self->g, MSHV_G32_WRITE_CONST, &gpa, 1, 0xbeef);
	EXPECT_EQ(0xbeef, mshv_host_dword(&self->m, self->rgpa, gpa));
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(4, read(to_parent[0], &seen, 4));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(mshv_g32_value(gpa, 0x0f0f), seen);
	/* and the guest reads its own write back */
	mshv_g32_run(self->g, MSHV_G32_VERIFY_CONST, &gpa, 1, 0xbeef);
	EXPECT_EQ(self->stale0, mshv_dbg_stale_accesses_get());
}

static int send_fds(int sock, const int *fds, int n)
{
	char buf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char buf[CMSG_SPACE(2 * sizeof(int))], x;
	struct iovec iov = { .iov_base = &x, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *c;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

/*
 * Process exit with the partition still open elsewhere: a child builds a
 * guest, hands its partition and VP fds to the parent and exits.  Its mm
 * is torn down while the regions live on (the notifier fires with no mm
 * users): every SLAT entry must go, and the parent's run of the VP must
 * stop with UNMAPPED_GPA, never touch a freed page.  Pinned regions keep
 * their pages and the guest runs on.
 */
TEST(process_exit)
{
	struct mshv_dbg_partition before[64], p;
	int nbefore, sv[2], fds[2], status;
	struct hv_message msg;
	__u64 id = 0;
	bool pinned = mshv_pin_regions();
	__u64 stale0 = mshv_dbg_stale_accesses_get();
	pid_t pid;
	int ret;

	nbefore = mshv_dbg_partitions(before, 64);
	ASSERT_LE(0, nbefore);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct mshv_g32 *g = mshv_g32_create();
		struct mshv_hostmem m;

		if (!mshv_hostmem_alloc(&m, BACK_4K, SZ_2M, 0) ||
		    __mshv_set_guest_memory(g->vm->fd, SZ_2M,
					    MSHV_PFN(DATA_GPA),
					    mshv_hva_u64(m.hva), RW))
			_exit(2);
		mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, PAGE,
				     PAGES_2M, 0xe817);
		fds[0] = g->vm->fd;
		fds[1] = g->vp->fd;
		if (send_fds(sv[1], fds, 2) ||
		    write(sv[1], &g->partition, sizeof(g->partition)) !=
		    sizeof(g->partition))
			_exit(3);
		_exit(0);	/* no close, no munmap */
	}
	ASSERT_EQ(0, recv_fds(sv[0], fds, 2));
	ASSERT_EQ(sizeof(id), read(sv[0], &id, sizeof(id)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);

	p = mshv_dbg_partition_get(id);
	if (pinned) {
		EXPECT_EQ(16 + PAGES_2M, p.slat_4k + PAGES_2M * p.slat_2m);
	} else {
		EXPECT_EQ(0, p.slat_4k);
		EXPECT_EQ(0, p.slat_2m);
	}
	/*
	 * The VP stopped at a reported HLT, where a run would block: send it
	 * back to the start of its code.  A movable region followed the
	 * dead address space, so the fetch finds nothing mapped; a pinned
	 * one still maps its pages, and the program they hold runs again.
	 */
	if (!pinned) {
		struct hv_register_assoc rip = {
			.name = HV_X64_REGISTER_RIP,
			.value.reg64 = MSHV_G32_CODE_GPA,
		};
		struct mshv_root_hvcall args;

		ASSERT_EQ(0, __mshv_set_vp_registers(fds[0], 0, &rip, 1,
						     &args));
		do {
			ret = __mshv_run_vp(fds[1], &msg);
		} while (ret == -1 && errno == EINTR);
		ASSERT_EQ(0, ret);
		EXPECT_EQ(HVMSG_UNMAPPED_GPA, msg.header.message_type)
			TH_LOG("got %s",
			       mshv_msg_type_name(msg.header.message_type));
	}
	EXPECT_EQ(stale0, mshv_dbg_stale_accesses_get());
	EXPECT_EQ(0, close(fds[1]));
	EXPECT_EQ(0, close(fds[0]));
	EXPECT_EQ(nbefore, mshv_dbg_partitions(before, 64));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
