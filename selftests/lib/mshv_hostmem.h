/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host memory for the region selftests (lib/mshv_hostmem.c).
 */
#ifndef _MSHV_HOSTMEM_H
#define _MSHV_HOSTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define SZ_2M		0x200000UL

/* The backings of mshv_hostmem_alloc() */
enum mshv_backing {
	BACK_4K,	/* anonymous, MADV_NOHUGEPAGE */
	BACK_THP,	/* anonymous, MADV_HUGEPAGE */
	BACK_HUGETLB,	/* MAP_HUGETLB, 2 MiB pages */
	BACK_SHMEM,	/* memfd, shared */
	BACK_SPARSE,	/* BACK_THP with MAP_NORESERVE: sparse, larger */
			/* than memory and swap together */
};

/**
 * struct mshv_hostmem - host memory backing a region
 * @base: what mmap() returned (unmapped by mshv_hostmem_free())
 * @len: its length
 * @hva: the usable start: @hva % 2 MiB == the requested offset
 * @size: the usable length
 */
struct mshv_hostmem {
	void *base;
	size_t len;
	char *hva;
	size_t size;
};

bool mshv_hostmem_alloc(struct mshv_hostmem *m, enum mshv_backing b,
			size_t size, size_t offset);
void mshv_hostmem_free(struct mshv_hostmem *m);
bool mshv_thp_available(void);
int mshv_uffd_open(__u64 features);
int mshv_uffd_register(int fd, void *hva, size_t len, __u64 mode);
bool mshv_hugetlb_reserve(unsigned long n);
__u64 mshv_smaps_kb(const void *addr, const char *field);
void mshv_gpa_list(__u32 *out, unsigned int n, __u64 gpa,
		   unsigned long first, unsigned long step_pages,
		   unsigned int off);
__u32 mshv_host_dword(const struct mshv_hostmem *m, __u64 rgpa, __u64 gpa);
void mshv_host_set_dword(struct mshv_hostmem *m, __u64 rgpa, __u64 gpa,
			 __u32 v);
bool mshv_find_stdvga(char *res0, size_t len, size_t size, __u64 *phys);

#endif /* _MSHV_HOSTMEM_H */
