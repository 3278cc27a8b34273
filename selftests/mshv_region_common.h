/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the region selftests: host memory with a chosen alignment and
 * backing, a fixture-free guest setup, and counter deltas.
 */
#ifndef _MSHV_REGION_COMMON_H
#define _MSHV_REGION_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_test.h"

/*
 * The tests compare counters (__u64) with literal ints and deltas in
 * EXPECT_EQ(); the harness compares the two operands' own types, which
 * -Wsign-compare flags although every value here is small and
 * non-negative where it matters.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"
#include "mshv_guest32.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE	BIT(1)
#endif

#define PAGE		MSHV_PAGE_SIZE
#define SZ_2M		0x200000UL
#define PAGES_2M	512UL
#define MAP_BATCH	509UL	/* PFNs per MAP_GPA_PAGES input page */
#define RW		BIT(MSHV_SET_MEM_BIT_WRITABLE)
#define RWX		(RW | BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
#define UNMAP		BIT(MSHV_SET_MEM_BIT_UNMAP)
/* An unused, 1 GiB aligned host address for hugetlb backings */
#define HUGETLB_HINT	((void *)0x600000000000UL)
/* Data regions start at 1 GiB: 2 MiB aligned, far from the control region */
#define DATA_GPA	0x40000000ULL

static inline __u64 div_up(__u64 a, __u64 b)
{
	return (a + b - 1) / b;
}

/* after - before, signed: counters may go down (SLAT entries) */
static inline long long delta(__u64 after, __u64 before)
{
	return (long long)(after - before);
}

enum backing {
	BACK_4K,	/* anonymous, MADV_NOHUGEPAGE */
	BACK_THP,	/* anonymous, MADV_HUGEPAGE */
	BACK_HUGETLB,	/* MAP_HUGETLB, 2 MiB pages */
	BACK_SHMEM,	/* memfd, shared */
};

/**
 * struct hostmem - host memory backing a region
 * @base: what mmap() returned (unmapped by hostmem_free())
 * @len: its length
 * @hva: the usable start: @hva % 2 MiB == the requested offset
 * @size: the usable length
 */
struct hostmem {
	void *base;
	size_t len;
	char *hva;
	size_t size;
};

/*
 * Map @size bytes whose start is @offset bytes past a 2 MiB boundary, with
 * the given backing.  Returns false (errno set) if the backing is not
 * available (e.g. no free huge pages).
 */
static inline bool hostmem_alloc(struct hostmem *m, enum backing b,
				 size_t size, size_t offset)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uintptr_t p;

	memset(m, 0, sizeof(*m));
	m->size = size;
	if (b == BACK_HUGETLB) {
		m->len = size;
		/*
		 * In a 1 GiB range of its own where possible: its first
		 * touch then finds no page table at all, the case where
		 * the page walker holds the hugetlb lock around the fault
		 */
		m->base = mmap(HUGETLB_HINT, size, PROT_READ | PROT_WRITE,
			       flags | MAP_HUGETLB | MAP_FIXED_NOREPLACE, -1, 0);
		if (m->base == MAP_FAILED)
			m->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
				       flags | MAP_HUGETLB, -1, 0);
		if (m->base == MAP_FAILED)
			return false;
		m->hva = m->base;
		return true;
	}
	if (b == BACK_SHMEM)
		flags = MAP_SHARED | MAP_ANONYMOUS;
	m->len = size + 2 * SZ_2M;
	m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (m->base == MAP_FAILED)
		return false;
	p = ((uintptr_t)m->base + SZ_2M - 1) & ~(SZ_2M - 1);
	m->hva = (char *)(p + offset);
	if (b == BACK_4K && madvise(m->base, m->len, MADV_NOHUGEPAGE))
		return false;
	if (b == BACK_THP && madvise(m->base, m->len, MADV_HUGEPAGE))
		return false;
	return true;
}

static inline void hostmem_free(struct hostmem *m)
{
	if (m->base && m->base != MAP_FAILED)
		munmap(m->base, m->len);
	m->base = NULL;
}

static inline __u64 hva_u64(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* THP can back anonymous memory (enabled is "always" or "madvise") */
static inline bool thp_available(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char buf[128] = "";

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return !strstr(buf, "[never]");
}

/* Make sure at least @n free 2 MiB huge pages exist */
static inline bool hugetlb_reserve(unsigned long n)
{
	__u64 total = 0, free_pages = 0;
	char buf[32];

	mshv_read_u64_file("/proc/sys/vm/nr_hugepages", &total);
	mshv_read_u64_file("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages",
			   &free_pages);
	if (free_pages >= n)
		return true;
	snprintf(buf, sizeof(buf), "%llu",
		 (unsigned long long)(total + n - free_pages));
	mshv_write_file("/proc/sys/vm/nr_hugepages", buf);
	free_pages = 0;
	mshv_read_u64_file("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages",
			   &free_pages);
	return free_pages >= n;
}

/* Value of "<field>: N kB" in the /proc/self/smaps entry containing @addr */
static inline __u64 smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	uintptr_t a = (uintptr_t)addr;
	unsigned long start, end;
	unsigned long long v = 0;
	size_t len = strlen(field);
	bool in = false;
	char line[512];

	MSHV_TEST_ASSERT(f, "open /proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && !strncmp(line, field, len) && line[len] == ':') {
			if (sscanf(line + len + 1, "%llu", &v) != 1)
				v = 0;
			break;
		}
	}
	fclose(f);
	return v;
}

/* GPA list: @n addresses, page @first + i * @step_pages, at byte @off */
static inline void gpa_list(__u32 *out, unsigned int n, __u64 gpa,
			    unsigned long first, unsigned long step_pages,
			    unsigned int off)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = (__u32)(gpa + (first + i * step_pages) * PAGE + off);
}

/* The dword the host sees at guest address @gpa of a region at @rgpa */
static inline __u32 host_dword(const struct hostmem *m, __u64 rgpa, __u64 gpa)
{
	__u32 v;

	/* the guest wrote it during an ioctl: no caching across that call */
	memcpy(&v, m->hva + (gpa - rgpa), sizeof(v));
	return v;
}

static inline void host_set_dword(struct hostmem *m, __u64 rgpa, __u64 gpa,
				  __u32 v)
{
	memcpy(m->hva + (gpa - rgpa), &v, sizeof(v));
}

#define STDVGA_VENDOR	0x1234
#define STDVGA_DEVICE	0x1111
#define IORESOURCE_MEM	0x200

static inline bool read_hex(const char *dir, const char *file,
			    unsigned long long *v)
{
	char path[300];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fscanf(f, "%llx", v) == 1;
	fclose(f);
	return ok;
}

/*
 * Find the test VM's standard VGA (PCI 1234:1111) with a memory BAR 0 of
 * at least @size bytes: the path of its resource0 file in @res0 and its
 * host physical address in @phys.  False if there is none.
 */
static inline bool find_stdvga(char *res0, size_t len, size_t size,
			       __u64 *phys)
{
	const char *base = "/sys/bus/pci/devices";
	unsigned long long vendor, device, start, end, flags;
	char dir[280], path[300];
	struct dirent *e;
	bool found = false;
	DIR *d = opendir(base);
	FILE *f;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		if (!read_hex(dir, "vendor", &vendor) ||
		    !read_hex(dir, "device", &device) ||
		    vendor != STDVGA_VENDOR || device != STDVGA_DEVICE)
			continue;
		snprintf(path, sizeof(path), "%s/resource", dir);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3 &&
		    (flags & IORESOURCE_MEM) && start &&
		    end - start + 1 >= size) {
			snprintf(res0, len, "%s/resource0", dir);
			*phys = start;
			found = true;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

#endif /* _MSHV_REGION_COMMON_H */
