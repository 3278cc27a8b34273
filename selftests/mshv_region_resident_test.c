// SPDX-License-Identifier: GPL-2.0-only
/*
 * Movable regions: what is resident when the region is created is mapped
 * then.  The VMM populates the backing (MADV_POPULATE_WRITE, its own
 * writes) and writes a pattern before MSHV_SET_GUEST_MEMORY; the test
 * asserts the exact MAP_GPA_PAGES calls of the creation, the SLAT entries
 * (2 MiB where the backing allows), that the guest's touch of every
 * 2 MiB takes exactly as many GPA intercepts as there are chunks that
 * were not resident, and that the guest reads the VMM's pattern.
 *
 *   populated:        every chunk resident   -> 0 faults
 *   every other:      chunks 0, 2, 4 ...     -> the odd half faults
 *   MADV_DONTNEED:    populated, then zapped -> nothing mapped, all fault
 *   never touched:    no page, no walk       -> nothing mapped, all fault
 *
 * The race tests create regions while other threads zap, mprotect and
 * mremap the backing, or populate a backing that had no page: the guest
 * then reads the pattern and hvsim's invariant counters (stale accesses,
 * lost writes, stale entries) stay 0.
 *
 * With mshv_root.pin_regions=1 every region is pinned and mapped at
 * creation: the fault and data assertions hold, the call counts are not
 * checked, and the race test is skipped (a pinned region keeps the pages
 * it pinned when the VMM's mapping changes).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "mshv_region_common.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define SZ_1G		0x40000000UL
#define SEED		0x6b6b0000U

/* hvsim's invariant counters when a test started */
struct invariants {
	__u64 stale, lost, entries;
};

FIXTURE(resident)
{
	struct mshv_g32 *g;
	struct mshv_hostmem m;
	bool pinned;
	__u64 numa;
	struct invariants inv;
};

FIXTURE_SETUP(resident)
{
	/* Exact faults and mappings: no NUMA hinting unmaps */
	self->numa = mshv_numa_balancing_set(0);
	self->pinned = mshv_pin_regions();
	self->g = mshv_g32_create();
	self->inv.stale = mshv_dbg_stale_accesses_get();
	self->inv.lost = mshv_dbg_lost_writes_get();
	self->inv.entries = mshv_dbg_stale_entries_get();
}

FIXTURE_TEARDOWN(resident)
{
	mshv_g32_free(self->g);
	mshv_hostmem_free(&self->m);
	mshv_numa_balancing_set(self->numa);
}

/* The pattern: the first dword of every page holds its GPA ^ SEED */
static void write_pattern(struct mshv_hostmem *m, __u64 rgpa, size_t off,
			  size_t len)
{
	size_t o;

	for (o = off; o < off + len; o += PAGE)
		mshv_host_set_dword(m, rgpa, rgpa + o,
				    mshv_g32_value(rgpa + o, SEED));
}

static int add_region(struct mshv_g32 *g, __u64 gpa, struct mshv_hostmem *m,
		      __u8 flags)
{
	return __mshv_set_guest_memory(g->vm->fd, m->size, MSHV_PFN(gpa),
				       mshv_hva_u64(m->hva), flags);
}

/*
 * Populate @m (whole), write the pattern, create the region at @rgpa and
 * snapshot before (@s0) and after (@s1) the creation.
 */
static void populate_and_add(struct __test_metadata *_metadata,
			     struct mshv_g32 *g, struct mshv_hostmem *m,
			     __u64 rgpa, struct mshv_snap *s0,
			     struct mshv_snap *s1)
{
	ASSERT_EQ(0, madvise(m->hva, m->size, MADV_POPULATE_WRITE));
	write_pattern(m, rgpa, 0, m->size);
	mshv_snap(g->partition, s0);
	ASSERT_EQ(0, add_region(g, rgpa, m, RW));
	mshv_snap(g->partition, s1);
}

/*
 * The guest reads the pattern at the first dword of every 2 MiB, then of
 * every page (at most 16384, evenly spread), then writes every 2 MiB and
 * reads it back; returns the GPA intercepts the driver resolved for the
 * region meanwhile.
 */
static __u64 guest_touch_all(struct __test_metadata *_metadata,
			     struct mshv_g32 *g, struct mshv_hostmem *m,
			     __u64 rgpa)
{
	struct mshv_dbg_region r0, r1;
	__u64 last = rgpa + m->size - SZ_2M + 8;
	__u32 n2m = m->size / SZ_2M;
	/* every page up to 64 MiB, then 16384 evenly spread */
	__u32 stride = m->size / 16384 > PAGE ? m->size / 16384 : PAGE;

	r0 = mshv_dbg_region_get(g->partition, MSHV_PFN(rgpa));
	mshv_g32_run_strided(g, MSHV_G32_VERIFY, rgpa, SZ_2M, n2m, SEED);
	mshv_g32_run_strided(g, MSHV_G32_VERIFY, rgpa, stride,
			     m->size / stride, SEED);
	mshv_g32_run_strided(g, MSHV_G32_WRITE, rgpa + 8, SZ_2M, n2m, SEED);
	mshv_g32_run_strided(g, MSHV_G32_VERIFY, rgpa + 8, SZ_2M, n2m, SEED);
	EXPECT_EQ(mshv_g32_value(last, SEED), mshv_host_dword(m, rgpa, last));
	r1 = mshv_dbg_region_get(g->partition, MSHV_PFN(rgpa));
	return r1.faults - r0.faults;
}

static void expect_invariants(struct __test_metadata *_metadata,
			      const struct invariants *inv)
{
	EXPECT_EQ(inv->stale, mshv_dbg_stale_accesses_get());
	EXPECT_EQ(inv->lost, mshv_dbg_lost_writes_get());
	EXPECT_EQ(inv->entries, mshv_dbg_stale_entries_get());
}

/*
 * Create the region at @rgpa over @m, of which no page is resident: the
 * creation maps nothing (no MAP_GPA_PAGES call, no SLAT entry, no page
 * faulted in) and the guest reads zeros at every 2 MiB, one fault each;
 * hvsim's invariant counters stay at @inv.  A pinned region (@pinned) is
 * mapped by its creation: nothing to check then.
 */
static void add_unmapped_read_zeros(struct __test_metadata *_metadata,
				    struct mshv_g32 *g, struct mshv_hostmem *m,
				    __u64 rgpa, bool pinned,
				    const struct invariants *inv)
{
	const unsigned int chunks = m->size / SZ_2M;
	struct mshv_snap s0, s1;

	mshv_snap(g->partition, &s0);
	ASSERT_EQ(0, add_region(g, rgpa, m, RW));
	mshv_snap(g->partition, &s1);
	if (pinned)
		return;
	EXPECT_EQ(0, mshv_delta(s1.map.calls, s0.map.calls));
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	EXPECT_EQ(0, mshv_resident_pages(m->hva, m->size));
	mshv_g32_run_strided(g, MSHV_G32_VERIFY_CONST, rgpa, SZ_2M, chunks, 0);
	EXPECT_EQ(chunks,
		  mshv_dbg_region_get(g->partition, MSHV_PFN(rgpa)).faults);
	expect_invariants(_metadata, inv);
}

/*
 * A populated THP GiB: 512 2 MiB entries in 2 calls (509 + 3 reps),
 * no 4 KiB entry; the guest's touch of every 2 MiB and of every page takes
 * no fault.
 */
TEST_F_TIMEOUT(resident, thp_gib, 300)
{
	const __u64 rgpa = DATA_GPA;
	struct mshv_snap s0, s1, s2;
	struct mshv_dbg_region r;

	if (!mshv_thp_available())
		SKIP(return, "transparent_hugepage/enabled is never");
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_THP, SZ_1G, 0));
	populate_and_add(_metadata, self->g, &self->m, rgpa, &s0, &s1);
	if (mshv_smaps_kb(self->m.hva, "AnonHugePages") != SZ_1G / 1024)
		SKIP(return, "THP allocation failed");
	r = mshv_dbg_region_get(self->g->partition, MSHV_PFN(rgpa));
	TH_LOG("creation: %lld calls, %lld reps, %lld 2M entries",
	       mshv_delta(s1.map.calls, s0.map.calls),
	       mshv_delta(s1.map.reps, s0.map.reps),
	       mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
	EXPECT_EQ(0, r.faults);
	EXPECT_EQ(0, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));
	EXPECT_EQ(SZ_1G / SZ_2M, mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	if (!self->pinned) {
		EXPECT_EQ(2, mshv_delta(s1.map.calls, s0.map.calls));
		EXPECT_EQ(2, r.maps);
		EXPECT_EQ(SZ_1G / SZ_2M, mshv_delta(s1.map.reps, s0.map.reps));
	}

	EXPECT_EQ(0, guest_touch_all(_metadata, self->g, &self->m, rgpa));
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(0, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	EXPECT_EQ(0, mshv_delta(s2.map.calls, s1.map.calls));
	expect_invariants(_metadata, &self->inv);
}

/* hugetlbfs: 16 huge pages, 16 2 MiB entries in one call, no fault */
TEST_F(resident, hugetlb)
{
	const __u64 rgpa = DATA_GPA;
	struct mshv_snap s0, s1, s2;

	if (!mshv_hugetlb_reserve(16))
		SKIP(return, "no 16 free 2 MiB huge pages");
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_HUGETLB, 16 * SZ_2M, 0));
	populate_and_add(_metadata, self->g, &self->m, rgpa, &s0, &s1);
	EXPECT_EQ(16, mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
	EXPECT_EQ(0, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k));
	if (!self->pinned)
		EXPECT_EQ(1, mshv_delta(s1.map.calls, s0.map.calls));
	EXPECT_EQ(0, guest_touch_all(_metadata, self->g, &self->m, rgpa));
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(0, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	expect_invariants(_metadata, &self->inv);
}

/*
 * Shared memory (shmem) in 4 KiB pages: 8 MiB = 2048 reps in
 * ceil(2048 / 509) = 5 calls, no fault.
 */
TEST_F(resident, shmem)
{
	const __u64 rgpa = DATA_GPA;
	struct mshv_snap s0, s1, s2;

	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_SHMEM, 4 * SZ_2M, 0));
	populate_and_add(_metadata, self->g, &self->m, rgpa, &s0, &s1);
	EXPECT_EQ(4 * PAGES_2M, mshv_delta(s1.pt.slat_4k, s0.pt.slat_4k) +
				PAGES_2M * mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
	if (!self->pinned && !mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m))
		EXPECT_EQ(mshv_div_up(4 * PAGES_2M, MAP_BATCH),
			  mshv_delta(s1.map.calls, s0.map.calls));
	EXPECT_EQ(0, guest_touch_all(_metadata, self->g, &self->m, rgpa));
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(0, mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));
	expect_invariants(_metadata, &self->inv);
}

/*
 * Every other chunk of a 64 MiB THP backing resident: the 16 resident
 * chunks are mapped at creation (one call each: they are not contiguous);
 * the guest's touch of every 2 MiB faults exactly the 16 others.
 */
TEST_F(resident, every_other_chunk)
{
	const __u64 rgpa = DATA_GPA;
	const unsigned int chunks = 32;
	struct mshv_snap s0, s1;
	unsigned int i;

	if (!mshv_thp_available())
		SKIP(return, "transparent_hugepage/enabled is never");
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_THP, chunks * SZ_2M, 0));
	for (i = 0; i < chunks; i += 2)
		ASSERT_EQ(0, madvise(self->m.hva + i * SZ_2M, SZ_2M,
				     MADV_POPULATE_WRITE));
	if (mshv_smaps_kb(self->m.hva, "AnonHugePages") != chunks / 2 * 2048)
		SKIP(return, "THP allocation failed");
	/* The odd chunks get the pattern only when the guest faults them */
	for (i = 0; i < chunks; i += 2)
		write_pattern(&self->m, rgpa, i * SZ_2M, SZ_2M);
	mshv_snap(self->g->partition, &s0);
	ASSERT_EQ(0, add_region(self->g, rgpa, &self->m, RW));
	mshv_snap(self->g->partition, &s1);
	if (self->pinned) {
		/* everything is resident now, and mapped */
		EXPECT_EQ(0, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));
		return;
	}
	EXPECT_EQ(chunks / 2, mshv_delta(s1.pt.slat_2m, s0.pt.slat_2m));
	EXPECT_EQ(chunks / 2, mshv_delta(s1.map.calls, s0.map.calls));
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY, rgpa, 2 * SZ_2M,
			     chunks / 2, SEED);
	EXPECT_EQ(0, mshv_dbg_region_get(self->g->partition,
					 MSHV_PFN(rgpa)).faults);
	mshv_g32_run_strided(self->g, MSHV_G32_WRITE, rgpa + 8, SZ_2M, chunks,
			     SEED);
	mshv_g32_run_strided(self->g, MSHV_G32_VERIFY, rgpa + 8, SZ_2M, chunks,
			     SEED);
	EXPECT_EQ(chunks / 2, mshv_dbg_region_get(self->g->partition,
						  MSHV_PFN(rgpa)).faults);
	expect_invariants(_metadata, &self->inv);
}

/*
 * Populated, then MADV_DONTNEED before the creation: nothing is resident
 * and nothing is mapped; every 2 MiB the guest touches faults once.
 */
TEST_F(resident, dontneed_before_create)
{
	const __u64 rgpa = DATA_GPA;
	const unsigned int chunks = 8;

	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_THP, chunks * SZ_2M, 0));
	ASSERT_EQ(0, madvise(self->m.hva, self->m.size, MADV_POPULATE_WRITE));
	write_pattern(&self->m, rgpa, 0, self->m.size);
	ASSERT_EQ(0, madvise(self->m.hva, self->m.size, MADV_DONTNEED));
	ASSERT_EQ(0, mshv_resident_pages(self->m.hva, self->m.size));
	/* the pattern is gone: zero-filled again */
	add_unmapped_read_zeros(_metadata, self->g, &self->m, rgpa,
				self->pinned, &self->inv);
}

/*
 * A fresh anonymous backing, never touched: no VMA of it can map a page,
 * so the creation maps nothing (no page-table walk either); the guest
 * reads zeros, one fault per 2 MiB.
 */
TEST_F(resident, untouched_anon)
{
	const unsigned int chunks = 8;

	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_THP, chunks * SZ_2M, 0));
	add_unmapped_read_zeros(_metadata, self->g, &self->m, DATA_GPA,
				self->pinned, &self->inv);
}

/* The writer of populated_during_create */
struct populator {
	struct mshv_hostmem *m;
	__u64 rgpa;
	atomic_bool go;
};

/* Write the pattern into every page, first page first */
static void *populator_main(void *arg)
{
	struct populator *p = arg;

	while (!atomic_load(&p->go))
		;
	write_pattern(p->m, p->rgpa, 0, p->m->size);
	return NULL;
}

/*
 * Regions created over a fresh anonymous backing while another thread
 * populates it, starting with its first page: whether the creation saw
 * the VMA without a page (and mapped nothing) or with some (and mapped
 * what was resident), the guest then reads the pattern on every page,
 * its writes reach the VMM, and hvsim saw no stale access or entry.
 */
TEST_F_TIMEOUT(resident, populated_during_create, 300)
{
	const __u64 rgpa = DATA_GPA;
	const __u64 chunks = 4;
	const unsigned int iters = 8;
	struct populator p;
	unsigned int it;
	pthread_t t;

	if (self->pinned)
		SKIP(return, "pinned regions pin and map everything");
	for (it = 0; it < iters; it++) {
		ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_THP,
					       chunks * SZ_2M, 0));
		ASSERT_EQ(0, mshv_resident_pages(self->m.hva, self->m.size));
		p = (struct populator){ .m = &self->m, .rgpa = rgpa };
		ASSERT_EQ(0, pthread_create(&t, NULL, populator_main, &p));
		atomic_store(&p.go, true);
		usleep(it * 50);
		ASSERT_EQ(0, add_region(self->g, rgpa, &self->m, RW));
		pthread_join(t, NULL);
		/* at most one fault per 2 MiB: what creation did not map */
		EXPECT_GE(chunks, guest_touch_all(_metadata, self->g, &self->m,
						  rgpa));
		ASSERT_EQ(0, add_region(self->g, rgpa, &self->m, UNMAP));
		mshv_hostmem_free(&self->m);
		expect_invariants(_metadata, &self->inv);
	}
}

/* The racers of the race test */
struct racer {
	struct mshv_hostmem *m;
	__u64 rgpa;
	unsigned int chunks;
	atomic_bool stop;
	char *spare;	/* a 2 MiB-aligned 2 MiB hole for mremap */
	int op;
	unsigned int rounds;
};

enum { RACE_DONTNEED, RACE_MPROTECT, RACE_MREMAP, RACE_OPS };

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	unsigned int i = r->op;
	char *p;

	while (!atomic_load(&r->stop)) {
		/*
		 * mprotect the even chunks, mremap the odd ones: a chunk
		 * moved away between the two mprotect() calls would come back
		 * read-only
		 */
		p = r->m->hva + (i++ % r->chunks) * SZ_2M;
		if (r->op == RACE_MPROTECT)
			p = r->m->hva + (2 * i % r->chunks) * SZ_2M;
		else if (r->op == RACE_MREMAP)
			p = r->m->hva + ((2 * i + 1) % r->chunks) * SZ_2M;
		switch (r->op) {
		case RACE_DONTNEED:
			madvise(p, SZ_2M, MADV_DONTNEED);
			break;
		case RACE_MPROTECT:
			mprotect(p, SZ_2M, PROT_READ);
			mprotect(p, SZ_2M, PROT_READ | PROT_WRITE);
			break;
		case RACE_MREMAP:
			if (mremap(p, SZ_2M, SZ_2M, MREMAP_MAYMOVE | MREMAP_FIXED,
				   r->spare) != MAP_FAILED)
				mremap(r->spare, SZ_2M, SZ_2M,
				       MREMAP_MAYMOVE | MREMAP_FIXED, p);
			/* keep the hole reserved: nothing else lands there */
			mmap(r->spare, SZ_2M, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			     MAP_FIXED, -1, 0);
			break;
		}
		r->rounds++;
	}
	return NULL;
}

/*
 * Regions created while other threads zap (MADV_DONTNEED), write-protect
 * (mprotect) and move away and back (mremap) chunks of the populated
 * backing: after the racers stop and the VMM rewrites its pattern, the
 * guest reads it on every page, and hvsim saw no access to a page the
 * VMM no longer maps.
 */
TEST_F_TIMEOUT(resident, race_with_backing_changes, 300)
{
	const __u64 rgpa = DATA_GPA;
	const unsigned int chunks = 16, iters = 20;
	struct racer r[RACE_OPS];
	pthread_t t[RACE_OPS];
	unsigned int it, k;
	char *spare;

	/* A pinned region keeps the pages it pinned, whatever the VMM maps */
	if (self->pinned)
		SKIP(return, "pinned regions do not follow the backing");
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, BACK_THP, chunks * SZ_2M, 0));
	spare = mmap(NULL, 2 * SZ_2M, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, spare);
	for (it = 0; it < iters; it++) {
		ASSERT_EQ(0, madvise(self->m.hva, self->m.size,
				     MADV_POPULATE_WRITE));
		write_pattern(&self->m, rgpa, 0, self->m.size);
		for (k = 0; k < RACE_OPS; k++) {
			r[k] = (struct racer){
				.m = &self->m, .rgpa = rgpa, .chunks = chunks,
				.op = k,
				.spare = (char *)(((uintptr_t)spare + SZ_2M - 1) &
						  ~(SZ_2M - 1)),
			};
			ASSERT_EQ(0, pthread_create(&t[k], NULL, racer_main,
						    &r[k]));
		}
		usleep(it * 50);
		ASSERT_EQ(0, add_region(self->g, rgpa, &self->m, RW));
		for (k = 0; k < RACE_OPS; k++) {
			atomic_store(&r[k].stop, true);
			pthread_join(t[k], NULL);
		}
		/* The racers leave the backing RW, in place, maybe zapped */
		write_pattern(&self->m, rgpa, 0, self->m.size);
		mshv_g32_run_strided(self->g, MSHV_G32_VERIFY, rgpa, PAGE,
				     self->m.size / PAGE, SEED);
		ASSERT_EQ(0, add_region(self->g, rgpa, &self->m, UNMAP));
		expect_invariants(_metadata, &self->inv);
	}
	TH_LOG("last round: %u zaps, %u mprotects, %u mremaps",
	       r[RACE_DONTNEED].rounds, r[RACE_MPROTECT].rounds,
	       r[RACE_MREMAP].rounds);
	munmap(spare, 2 * SZ_2M);
}

TEST_HARNESS_MAIN
