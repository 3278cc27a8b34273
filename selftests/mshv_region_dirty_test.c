// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest writes must survive reclaim.  A CPU's write through a page table
 * sets the PTE's dirty bit, which reclaim reads before it decides whether
 * a page must be written back; a guest's write through the SLAT sets no
 * host dirty bit.  Each case below leaves a 2 MiB region's pages in a
 * state where reclaim drops a clean page without writing it, then has
 * the guest (or, as the control, the host) overwrite every page and pages
 * it out:
 *
 *   guest writes A to every page
 *   host acts:     madv_free      MADV_FREE (lazily freed anonymous pages)
 *                  shmem_hole     MADV_REMOVE of shmem (the read fault
 *                                 allocates clean shmem pages)
 *                  swapcache      MADV_PAGEOUT + MADV_WILLNEED (clean
 *                                 anonymous pages in the swap cache)
 *   guest reads every page
 *   guest (control: host) writes B to every page
 *   host MADV_PAGEOUT
 *   guest reads every page back: every one must hold B
 *
 * hvsim's lost-write checker (hvsim/lost_writes) must count nothing, the
 * read must cost one fault and the guest's first write one more (the read
 * maps such pages read-only).
 */
#include "mshv_region_common.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define VAL_A		0x0a0a0a0aU
#define VAL_B		0x0b0b0b0bU

enum host_act {
	ACT_MADV_FREE,
	ACT_SHMEM_HOLE,
	ACT_SWAPCACHE,
};

FIXTURE(dirty)
{
	struct mshv_g32 *g;
	struct mshv_hostmem m;
	__u64 rgpa;
	__u64 numa;	/* numa_balancing mode to restore */
};

/**
 * FIXTURE_VARIANT(dirty) - one case
 * @act: what the host does after the guest wrote A
 * @host_writes: the host, not the guest, writes B (the control)
 */
FIXTURE_VARIANT(dirty)
{
	enum host_act act;
	bool host_writes;
};

FIXTURE_VARIANT_ADD(dirty, madv_free)
{
	.act = ACT_MADV_FREE,
};

FIXTURE_VARIANT_ADD(dirty, madv_free_host_writes)
{
	.act = ACT_MADV_FREE,
	.host_writes = true,
};

FIXTURE_VARIANT_ADD(dirty, shmem_hole)
{
	.act = ACT_SHMEM_HOLE,
};

FIXTURE_VARIANT_ADD(dirty, shmem_hole_host_writes)
{
	.act = ACT_SHMEM_HOLE,
	.host_writes = true,
};

FIXTURE_VARIANT_ADD(dirty, swapcache)
{
	.act = ACT_SWAPCACHE,
};

FIXTURE_VARIANT_ADD(dirty, swapcache_host_writes)
{
	.act = ACT_SWAPCACHE,
	.host_writes = true,
};

FIXTURE_SETUP(dirty)
{
	/* Counts exact faults: no NUMA hinting unmaps */
	self->numa = mshv_numa_balancing_set(0);
	self->g = mshv_g32_create();
	self->rgpa = DATA_GPA;
}

FIXTURE_TEARDOWN(dirty)
{
	mshv_g32_free(self->g);
	mshv_hostmem_free(&self->m);
	mshv_numa_balancing_set(self->numa);
}

/* A swap device is active (the test VM sets up zram) */
static bool have_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n >= 2;
}

/* A counter of /proc/vmstat */
static __u64 vmstat_get(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	unsigned long long v = 0;
	size_t len = strlen(name);
	char line[128];

	MSHV_TEST_ASSERT(f, "open /proc/vmstat");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			v = strtoull(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Pages of the region whose first dword (as the host sees it) is not @v */
static unsigned int host_pages_not(const struct mshv_hostmem *m, __u32 v,
				   unsigned int *zero, unsigned int *a)
{
	unsigned int i, n = 0;
	__u32 d;

	*zero = 0;
	*a = 0;
	for (i = 0; i < PAGES_2M; i++) {
		memcpy(&d, m->hva + i * PAGE, sizeof(d));
		if (d == v)
			continue;
		n++;
		*zero += d == 0;
		*a += d == VAL_A;
	}
	return n;
}

TEST_F(dirty, lost_write)
{
	struct mshv_snap s0, s1, s2, s3;
	const struct hv_message *msg;
	__u64 lost0, pswpout0, pswpout1;
	unsigned int bad, zero, a, i;
	enum mshv_backing b;

	if (mshv_pin_regions())
		SKIP(return, "pinned regions do not follow the host mm");
	if (variant->act == ACT_SWAPCACHE && !have_swap())
		SKIP(return, "no swap device (the test VM sets up zram swap)");

	b = variant->act == ACT_SHMEM_HOLE ? BACK_SHMEM : BACK_4K;
	ASSERT_TRUE(mshv_hostmem_alloc(&self->m, b, SZ_2M, 0));
	ASSERT_EQ(0, __mshv_set_guest_memory(self->g->vm->fd, SZ_2M,
					     MSHV_PFN(self->rgpa),
					     mshv_hva_u64(self->m.hva), RW));
	lost0 = mshv_dbg_lost_writes_get();
	mshv_g32_run_strided(self->g, MSHV_G32_WRITE_CONST, self->rgpa, PAGE,
			     PAGES_2M, VAL_A);

	switch (variant->act) {
	case ACT_MADV_FREE:
		ASSERT_EQ(0, madvise(self->m.hva, SZ_2M, MADV_FREE));
		break;
	case ACT_SHMEM_HOLE:
		ASSERT_EQ(0, madvise(self->m.hva, SZ_2M, MADV_REMOVE));
		break;
	case ACT_SWAPCACHE:
		ASSERT_EQ(0, madvise(self->m.hva, SZ_2M, MADV_PAGEOUT));
		ASSERT_EQ(0, mshv_resident_pages(self->m.hva, SZ_2M));
		ASSERT_EQ(0, madvise(self->m.hva, SZ_2M, MADV_WILLNEED));
		break;
	}

	/* The guest reads every page: one fault maps the window */
	mshv_snap(self->g->partition, &s0);
	mshv_g32_run_strided(self->g, MSHV_G32_READ, self->rgpa, PAGE,
			     PAGES_2M, 0);
	mshv_snap(self->g->partition, &s1);
	EXPECT_EQ(1, mshv_delta(s1.pt.gpa_faults, s0.pt.gpa_faults));

	if (variant->host_writes) {
		for (i = 0; i < PAGES_2M; i++)
			mshv_host_set_dword(&self->m, 0, i * PAGE, VAL_B);
	} else {
		/* Mapped read-only: the first write faults once */
		mshv_g32_run_strided(self->g, MSHV_G32_WRITE_CONST, self->rgpa,
				     PAGE, PAGES_2M, VAL_B);
	}
	mshv_snap(self->g->partition, &s2);
	EXPECT_EQ(variant->host_writes ? 0 : 1,
		  mshv_delta(s2.pt.gpa_faults, s1.pt.gpa_faults));

	pswpout0 = vmstat_get("pswpout");
	ASSERT_EQ(0, madvise(self->m.hva, SZ_2M, MADV_PAGEOUT));
	pswpout1 = vmstat_get("pswpout");

	msg = mshv_g32_exec_strided(self->g, MSHV_G32_VERIFY_CONST, self->rgpa,
				    PAGE, PAGES_2M, VAL_B);
	mshv_snap(self->g->partition, &s3);
	bad = host_pages_not(&self->m, VAL_B, &zero, &a);
	TH_LOG("pswpout +%llu, lost_writes +%llu, pages without B: %u (zero %u, A %u)",
	       (unsigned long long)(pswpout1 - pswpout0),
	       (unsigned long long)(mshv_dbg_lost_writes_get() - lost0),
	       bad, zero, a);
	EXPECT_EQ(0, bad);
	mshv_g32_expect_done(self->g, msg);
	EXPECT_EQ(lost0, mshv_dbg_lost_writes_get());
	EXPECT_EQ(s0.stale, s3.stale);
}

TEST_HARNESS_MAIN
