// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host memory for the region selftests: mappings with a chosen alignment
 * and backing, THP and hugetlb availability, smaps figures, and the test
 * VM's standard VGA for MMIO regions.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "mshv_debugfs.h"
#include "mshv_hostmem.h"
#include "mshv_lib.h"

/* An unused, 1 GiB aligned host address for hugetlb backings */
#define HUGETLB_HINT	((void *)0x600000000000UL)

/**
 * mshv_hostmem_alloc() - map host memory with a chosen backing and offset
 * @m: filled in; release with mshv_hostmem_free()
 * @b: the backing
 * @size: usable bytes
 * @offset: where the usable start lies past a 2 MiB boundary (not for
 *	hugetlb, which starts on one)
 *
 * Return: true, or false (errno set) when the backing is not available
 * (e.g. no free huge pages).
 */
bool mshv_hostmem_alloc(struct mshv_hostmem *m, enum mshv_backing b,
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
	if (b == BACK_SPARSE)
		flags |= MAP_NORESERVE;
	m->len = size + 2 * SZ_2M;
	m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (m->base == MAP_FAILED)
		return false;
	p = ((uintptr_t)m->base + SZ_2M - 1) & ~(SZ_2M - 1);
	m->hva = (char *)(p + offset);
	if (b == BACK_4K && madvise(m->base, m->len, MADV_NOHUGEPAGE))
		return false;
	if ((b == BACK_THP || b == BACK_SPARSE) &&
	    madvise(m->base, m->len, MADV_HUGEPAGE))
		return false;
	return true;
}

/**
 * mshv_hostmem_free() - unmap what mshv_hostmem_alloc() mapped
 * @m: the memory; freeing twice is harmless
 */
void mshv_hostmem_free(struct mshv_hostmem *m)
{
	if (m->base && m->base != MAP_FAILED)
		munmap(m->base, m->len);
	m->base = NULL;
}

/**
 * mshv_thp_available() - can THP back anonymous memory?
 *
 * Return: whether transparent_hugepage/enabled is "always" or "madvise".
 */
bool mshv_thp_available(void)
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

/**
 * mshv_hugetlb_reserve() - make sure free 2 MiB huge pages exist
 * @n: how many
 *
 * Return: whether at least @n are free (raising nr_hugepages if needed).
 */
bool mshv_hugetlb_reserve(unsigned long n)
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

/**
 * mshv_smaps_kb() - one figure of this process's smaps
 * @addr: an address inside the mapping
 * @field: the field's name, e.g. "AnonHugePages"
 *
 * Return: N of "<field>: N kB" in the /proc/self/smaps entry containing
 * @addr, 0 if there is none.
 */
__u64 mshv_smaps_kb(const void *addr, const char *field)
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

/**
 * mshv_gpa_list() - a list of guest addresses for a guest program
 * @out: @n addresses
 * @n: how many
 * @gpa: the region's guest physical address
 * @first: the first page
 * @step_pages: pages between two addresses
 * @off: byte offset inside each page
 */
void mshv_gpa_list(__u32 *out, unsigned int n, __u64 gpa,
		   unsigned long first, unsigned long step_pages,
		   unsigned int off)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = (__u32)(gpa + (first + i * step_pages) * MSHV_PAGE_SIZE +
				 off);
}

/**
 * mshv_host_dword() - the dword the host sees at a guest address
 * @m: the region's backing
 * @rgpa: the region's guest physical address
 * @gpa: the guest address
 *
 * Return: the dword.
 */
__u32 mshv_host_dword(const struct mshv_hostmem *m, __u64 rgpa, __u64 gpa)
{
	__u32 v;

	/* the guest wrote it during an ioctl: no caching across that call */
	memcpy(&v, m->hva + (gpa - rgpa), sizeof(v));
	return v;
}

/**
 * mshv_host_set_dword() - write a dword at a guest address from the host
 * @m: the region's backing
 * @rgpa: the region's guest physical address
 * @gpa: the guest address
 * @v: the value
 */
void mshv_host_set_dword(struct mshv_hostmem *m, __u64 rgpa, __u64 gpa,
			 __u32 v)
{
	memcpy(m->hva + (gpa - rgpa), &v, sizeof(v));
}

#define STDVGA_VENDOR	0x1234
#define STDVGA_DEVICE	0x1111
#define IORESOURCE_MEM	0x200

static bool read_hex(const char *dir, const char *file,
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

/**
 * mshv_find_stdvga() - the test VM's standard VGA (PCI 1234:1111)
 * @res0: the path of its resource0 file
 * @len: the size of @res0
 * @size: the least size of its memory BAR 0
 * @phys: the BAR's host physical address
 *
 * Return: whether there is such a device.
 */
bool mshv_find_stdvga(char *res0, size_t len, size_t size, __u64 *phys)
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

/**
 * mshv_uffd_open() - a non-blocking userfaultfd with @features
 * @features: UFFD_FEATURE_* the UFFDIO_API handshake asks for
 *
 * Return: the fd, or -1 with errno set (ENOSYS: the kernel has no
 * CONFIG_USERFAULTFD; the handshake's errno if it refused @features).
 */
int mshv_uffd_open(__u64 features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	int err;

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/**
 * mshv_uffd_register() - UFFDIO_REGISTER @len bytes at @hva
 * @fd: the userfaultfd
 * @hva: the range's start
 * @len: its length in bytes
 * @mode: UFFDIO_REGISTER_MODE_*
 *
 * Return: 0, or -1 with errno set.
 */
int mshv_uffd_register(int fd, void *hva, size_t len, __u64 mode)
{
	struct uffdio_register reg = {
		.range = { .start = mshv_hva_u64(hva), .len = len },
		.mode = mode,
	};

	return ioctl(fd, UFFDIO_REGISTER, &reg);
}
