// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmarks of the region layer (Documentation/regions.rst), run inside
 * the test VM by `make bench`.  Every figure is one line
 *
 *   bench: <name> <value> <unit> (target <...>)
 *
 * Ratios compare two measurements taken in the same run, so that the
 * (slow, TCG-emulated) machine cancels out.  A figure that needs something
 * the running configuration does not have (e.g. pinned regions) is printed
 * as "n/a" with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"
#include "mshv_guest32.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define PAGE		4096ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define SZ_1T		0x10000000000ULL
#define RW		BIT(MSHV_SET_MEM_BIT_WRITABLE)
#define UNMAP		BIT(MSHV_SET_MEM_BIT_UNMAP)
#define DATA_GPA	0x40000000ULL	/* 1 GiB */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 2 MiB-aligned anonymous memory, THP advised (or not) */
static char *alloc_2m(size_t size, bool thp, bool noreserve)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (noreserve ? MAP_NORESERVE : 0);
	char *p = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE, flags, -1, 0);
	char *a;

	MSHV_TEST_ASSERT(p != MAP_FAILED, "mmap %zu", size);
	a = (char *)(((unsigned long)p + SZ_2M - 1) & ~(SZ_2M - 1));
	if (a != p)
		munmap(p, a - p);
	munmap(a + size, p + SZ_2M - a);
	madvise(a, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return a;
}

static void map_region(struct mshv_g32 *g, __u64 gpa, void *hva, size_t size)
{
	MSHV_TEST_ASSERT(!__mshv_set_guest_memory(g->vm->fd, size,
						  MSHV_PFN(gpa),
						  (unsigned long)hva, RW),
			 "map %#llx + %zu", (unsigned long long)gpa, size);
}

static void unmap_region(struct mshv_g32 *g, __u64 gpa, void *hva,
			 size_t size)
{
	MSHV_TEST_ASSERT(!__mshv_set_guest_memory(g->vm->fd, size,
						  MSHV_PFN(gpa),
						  (unsigned long)hva, UNMAP),
			 "unmap %#llx + %zu", (unsigned long long)gpa, size);
}

/* AnonHugePages (kB) of the mapping holding @addr, from /proc/self/smaps */
static unsigned long long smaps_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long start, end, a = (unsigned long)addr;
	unsigned long long v = 0;
	bool in = false;
	char line[512];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %llu", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

static bool have_counters(void)
{
	struct mshv_hc_count c;

	return !mshv_dbg_hypercall(HVCALL_MAP_GPA_PAGES, &c);
}

/*
 * Host first touch of fresh anonymous THP memory: @whole: memset, else a
 * dword every @stride bytes
 */
static double host_first_touch(size_t size, bool whole, size_t stride)
{
	char *mem = alloc_2m(size, true, false);
	double t0, t;
	__u32 *h;
	size_t i;

	t0 = now();
	if (whole) {
		memset(mem, 0x5a, size);
		__asm__ volatile("" : : "r"(mem) : "memory");
	} else {
		for (i = 0; i < size; i += stride) {
			h = (__u32 *)(mem + i);
			*h = i;
			/* keep the compiler from merging or dropping the stores */
			__asm__ volatile("" : : "r"(h) : "memory");
		}
	}
	t = now() - t0;
	munmap(mem, size);
	return t;
}

/* Guest first touch of @size bytes, a dword every @stride, region creation included */
static double guest_first_touch(struct mshv_g32 *g, size_t size, size_t stride)
{
	char *mem = alloc_2m(size, true, false);
	double t0, t;

	t0 = now();
	map_region(g, DATA_GPA, mem, size);
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, stride, size / stride,
			     1);
	t = now() - t0;
	unmap_region(g, DATA_GPA, mem, size);
	munmap(mem, size);
	return t;
}

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

/*
 * Guest first touch of THP-backed memory through the fault path (region
 * creation included: pinned regions pin and map there), one dword per
 * 4 KiB page, against the same process's first-touch memset of fresh
 * anonymous THP memory (the definition) and, stricter, against the
 * process writing one dword per page like the guest; and the fault path
 * alone: one dword per 2 MiB by the guest and by the process (every store
 * a THP fault; the guest's also an intercept, the driver's fault and a
 * MAP_GPA_PAGES call).
 */
static void bench_first_touch(struct mshv_g32 *g)
{
	const size_t size = 128ULL << 20;
	double memset_t = 1e9, dword_t = 1e9, host_2m = 1e9;
	double guest = 1e9, guest_2m = 1e9;
	int round;

	/*
	 * The machine is shared: interleave the measurements and keep each
	 * one's best of 3 rounds, so that a burst of load elsewhere does not
	 * land on one side of a ratio only.
	 */
	for (round = 0; round < 3; round++) {
		memset_t = min_d(memset_t, host_first_touch(size, true, 0));
		guest = min_d(guest, guest_first_touch(g, size, PAGE));
		dword_t = min_d(dword_t, host_first_touch(size, false, PAGE));
		guest_2m = min_d(guest_2m, guest_first_touch(g, size, SZ_2M));
		host_2m = min_d(host_2m, host_first_touch(size, false, SZ_2M));
	}
	printf("bench: first_touch_host_memset %.1f MiB/s\n",
	       size / memset_t / (1 << 20));
	printf("bench: first_touch_host_dword %.1f MiB/s\n",
	       size / dword_t / (1 << 20));
	printf("bench: first_touch_guest %.1f MiB/s\n",
	       size / guest / (1 << 20));
	printf("bench: first_touch_ratio %.3f guest/host memset (target >= 0.7)\n",
	       memset_t / guest);
	printf("bench: first_touch_ratio_dword %.3f guest/host dword per page (informative)\n",
	       dword_t / guest);
	printf("bench: first_touch_ratio_2m %.3f guest/host faults only (informative)\n",
	       host_2m / guest_2m);
}

/*
 * MAP_GPA_PAGES calls while the guest reads every 2 MiB of a THP-backed
 * GiB that is already resident, in a region created with
 * mshv_root.map_resident=N: fault-around.  @suffix names the variant.
 */
static void bench_map_calls_populated(struct mshv_g32 *g, const char *suffix)
{
	struct mshv_hc_count a, b;
	bool resident;
	char *mem;

	mem = alloc_2m(SZ_1G, true, false);
	if (madvise(mem, SZ_1G, MADV_POPULATE_WRITE)) {
		printf("bench: map_calls_per_gib_populated%s n/a (MADV_POPULATE_WRITE: %s)\n",
		       suffix, strerror(errno));
		munmap(mem, SZ_1G);
		return;
	}
	printf("bench: populated_thp_kb%s %llu kB\n", suffix, smaps_kb(mem));
	/* the fault-around: nothing mapped at creation */
	resident = mshv_map_resident_set(false);
	map_region(g, DATA_GPA, mem, SZ_1G);
	mshv_map_resident_set(resident);
	a = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	mshv_g32_run_strided(g, MSHV_G32_READ, DATA_GPA, SZ_2M, SZ_1G / SZ_2M,
			     0);
	b = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	printf("bench: map_calls_per_gib_populated%s %llu calls (%s)\n",
	       suffix, (unsigned long long)(b.calls - a.calls),
	       *suffix ? "informative" : "target <= 4");
	unmap_region(g, DATA_GPA, mem, SZ_1G);
	munmap(mem, SZ_1G);
}

/*
 * MAP_GPA_PAGES calls per GiB faulted on THP backing: cold (every 2 MiB
 * window faults) and with the backing already resident (fault-around maps
 * up to 509 large pages per call); then UNMAP_GPA_PAGES calls for
 * MADV_DONTNEED of the whole GiB.
 */
static void bench_map_calls(struct mshv_g32 *g)
{
	struct mshv_hc_count a, b, c;
	char *mem;

	if (!have_counters()) {
		printf("bench: map_calls_per_gib_cold n/a (no hvsim counters)\n");
		return;
	}
	if (mshv_pin_regions()) {
		/* Pinned: everything is mapped when the region is created */
		mem = alloc_2m(SZ_1G, true, false);
		a = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
		map_region(g, DATA_GPA, mem, SZ_1G);
		b = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
		printf("bench: pinned_thp_kb %llu kB\n", smaps_kb(mem));
		printf("bench: pinned_map_calls_per_gib_create %llu calls (contrast)\n",
		       (unsigned long long)(b.calls - a.calls));
		unmap_region(g, DATA_GPA, mem, SZ_1G);
		munmap(mem, SZ_1G);
		return;
	}
	mem = alloc_2m(SZ_1G, true, false);
	map_region(g, DATA_GPA, mem, SZ_1G);
	a = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, SZ_2M, SZ_1G / SZ_2M,
			     2);
	b = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	printf("bench: cold_thp_kb %llu kB\n", smaps_kb(mem));
	printf("bench: map_calls_per_gib_cold %llu calls (target <= 512)\n",
	       (unsigned long long)(b.calls - a.calls));

	a = mshv_dbg_hypercall_get(HVCALL_UNMAP_GPA_PAGES);
	MSHV_TEST_ASSERT(!madvise(mem, SZ_1G, MADV_DONTNEED), "DONTNEED");
	c = mshv_dbg_hypercall_get(HVCALL_UNMAP_GPA_PAGES);
	printf("bench: unmap_calls_dontneed_gib %llu calls (target <= 4)\n",
	       (unsigned long long)(c.calls - a.calls));
	unmap_region(g, DATA_GPA, mem, SZ_1G);
	munmap(mem, SZ_1G);

	bench_map_calls_populated(g, "");
}

/*
 * A THP-backed GiB populated before its region is created: MAP_GPA_PAGES
 * calls of the creation, and GPA intercepts while the guest then writes
 * every 2 MiB (the resident backing is mapped at creation).
 */
static void bench_populated(struct mshv_g32 *g)
{
	struct mshv_hc_count a, b;
	struct mshv_dbg_region r;
	char *mem;

	if (mshv_pin_regions() || !have_counters()) {
		printf("bench: populated_map_calls_at_create n/a (pinned or no hvsim counters)\n");
		return;
	}
	mem = alloc_2m(SZ_1G, true, false);
	if (madvise(mem, SZ_1G, MADV_POPULATE_WRITE)) {
		printf("bench: populated_map_calls_at_create n/a (MADV_POPULATE_WRITE: %s)\n",
		       strerror(errno));
		munmap(mem, SZ_1G);
		return;
	}
	a = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	map_region(g, DATA_GPA, mem, SZ_1G);
	b = mshv_dbg_hypercall_get(HVCALL_MAP_GPA_PAGES);
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, SZ_2M, SZ_1G / SZ_2M,
			     5);
	MSHV_TEST_ASSERT(!mshv_dbg_region(g->partition, MSHV_PFN(DATA_GPA), &r),
			 "mshv_root/regions");
	printf("bench: populated_create_thp_kb %llu kB\n", smaps_kb(mem));
	printf("bench: populated_map_calls_at_create %llu calls (target <= 4)\n",
	       (unsigned long long)(b.calls - a.calls));
	printf("bench: populated_first_touch_faults %llu faults (target 0)\n",
	       (unsigned long long)r.faults);
	unmap_region(g, DATA_GPA, mem, SZ_1G);
	munmap(mem, SZ_1G);
}

/* Mean time of one MSHV_SET_GUEST_MEMORY map + unmap of @size bytes */
static double create_destroy(struct mshv_g32 *g, __u64 gpa, size_t size,
			     int iters)
{
	char *mem = alloc_2m(size, true, true);
	double t0, t;
	int i;

	t0 = now();
	for (i = 0; i < iters; i++) {
		map_region(g, gpa, mem, size);
		unmap_region(g, gpa, mem, size);
	}
	t = (now() - t0) / iters;
	munmap(mem, size);
	return t;
}

/*
 * Creation of an unpopulated, sparse (MAP_NORESERVE) 1 TiB region with and
 * without the mapping of its resident backing (mshv_root.map_resident):
 * best of three rounds each, interleaved.
 */
static void bench_create_nomap(struct mshv_g32 *g)
{
	double with = 1e9, without = 1e9;
	bool resident;
	int i;

	resident = mshv_map_resident_set(true);
	for (i = 0; i < 3; i++) {
		mshv_map_resident_set(true);
		with = min_d(with, create_destroy(g, SZ_1T, SZ_1T, 20));
		mshv_map_resident_set(false);
		without = min_d(without, create_destroy(g, SZ_1T, SZ_1T, 20));
	}
	mshv_map_resident_set(resident);
	printf("bench: unpopulated_1tib_create %.1f us\n", with * 1e6);
	printf("bench: unpopulated_1tib_create_nomap %.1f us\n", without * 1e6);
	printf("bench: unpopulated_1tib_create_vs_nomap %.2f ratio (target <= 1.2)\n",
	       with / without);
}

static void bench_create_destroy(struct mshv_g32 *g)
{
	double small, big;

	/* warm-up: the first region of the process pays for cold caches */
	create_destroy(g, SZ_1T, SZ_1G, 2);
	if (mshv_pin_regions()) {
		small = create_destroy(g, DATA_GPA, 16ULL << 20, 5);
		big = create_destroy(g, DATA_GPA, 256ULL << 20, 5);
		printf("bench: pinned_create_destroy_256m_vs_16m %.2f ratio (contrast)\n",
		       big / small);
		return;
	}
	small = create_destroy(g, SZ_1T, SZ_1G, 20);
	big = create_destroy(g, SZ_1T, SZ_1T, 20);
	printf("bench: movable_create_destroy_1g %.1f us\n", small * 1e6);
	printf("bench: movable_create_destroy_1t %.1f us\n", big * 1e6);
	printf("bench: movable_create_destroy_1t_vs_1g %.2f ratio (target <= 2)\n",
	       big / small);
	bench_create_nomap(g);
}

/* Mean guest fault time over @n fresh 2 MiB windows of a THP region */
static double fault_latency(struct mshv_g32 *g, unsigned int n)
{
	size_t size = n * SZ_2M;
	char *mem = alloc_2m(size, true, false);
	double t0, t;

	map_region(g, DATA_GPA, mem, size);
	t0 = now();
	mshv_g32_run_strided(g, MSHV_G32_WRITE, DATA_GPA, SZ_2M, n, 3);
	t = (now() - t0) / n;
	unmap_region(g, DATA_GPA, mem, size);
	munmap(mem, size);
	return t;
}

static void bench_many_regions(struct mshv_g32 *g)
{
	const unsigned int nr = 10000, windows = 64;
	const size_t rsize = 16 * PAGE;
	const __u64 base = 0xC0000000ULL;
	double one, many;
	char *mem;
	unsigned int i;

	if (mshv_pin_regions()) {
		printf("bench: fault_latency_10000_vs_1 n/a (pinned regions do not fault)\n");
		return;
	}
	/* best of two each, measured one, many, many, one (shared machine) */
	one = fault_latency(g, windows);
	mem = alloc_2m(nr * rsize, false, true);
	for (i = 0; i < nr; i++)
		map_region(g, base + i * 0x10000ULL, mem + i * rsize, rsize);
	many = fault_latency(g, windows);
	many = min_d(many, fault_latency(g, windows));
	for (i = 0; i < nr; i++)
		unmap_region(g, base + i * 0x10000ULL, mem + i * rsize, rsize);
	munmap(mem, nr * rsize);
	one = min_d(one, fault_latency(g, windows));
	printf("bench: fault_latency_1_region %.1f us\n", one * 1e6);
	printf("bench: fault_latency_10000_regions %.1f us\n", many * 1e6);
	printf("bench: fault_latency_10000_vs_1 %.2f ratio (target <= 1.5)\n",
	       many / one);
}

/* Driver metadata per GiB, from mshv_root/regions */
static void bench_meta(struct mshv_g32 *g)
{
	struct mshv_dbg_region r;
	bool pinned = mshv_pin_regions();
	char *mem = alloc_2m(SZ_1G, true, !pinned);

	map_region(g, DATA_GPA, mem, SZ_1G);
	if (mshv_dbg_region(g->partition, MSHV_PFN(DATA_GPA), &r)) {
		printf("bench: meta_bytes_per_gib n/a (no mshv_root/regions)\n");
	} else if (pinned) {
		printf("bench: meta_bytes_per_gib_pinned_thp %llu bytes (target <= 65536)\n",
		       (unsigned long long)r.meta_bytes);
	} else {
		printf("bench: meta_bytes_per_gib_movable %llu bytes (target <= 4096)\n",
		       (unsigned long long)r.meta_bytes);
	}
	unmap_region(g, DATA_GPA, mem, SZ_1G);
	munmap(mem, SZ_1G);
}

int main(void)
{
	struct mshv_g32 *g = mshv_g32_create();
	__u64 numa;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench: pin_regions %d\n", mshv_pin_regions());
	/*
	 * Automatic NUMA balancing unmaps guest memory at random points of a
	 * measurement (mshv_numa_balancing_set()): the figures are taken
	 * without it; the fault-around figure is repeated with it at the end.
	 */
	numa = mshv_numa_balancing_set(0);
	printf("bench: numa_balancing 0 (was %llu)\n", (unsigned long long)numa);
	bench_meta(g);
	bench_create_destroy(g);
	bench_map_calls(g);
	bench_populated(g);
	bench_first_touch(g);
	bench_many_regions(g);
	if (numa) {
		mshv_numa_balancing_set(numa);
		if (!mshv_pin_regions() && have_counters())
			bench_map_calls_populated(g, "_numa_balancing");
	}
	mshv_g32_free(g);
	return 0;
}
