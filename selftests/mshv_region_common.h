/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the region selftests: constants and the host memory library
 * (lib/mshv_hostmem.h).
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
#include "mshv_hostmem.h"

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
#define PAGES_2M	512UL
#define MAP_BATCH	509UL	/* PFNs per MAP_GPA_PAGES input page */
#define RW		BIT(MSHV_SET_MEM_BIT_WRITABLE)
#define RWX		(RW | BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
#define UNMAP		BIT(MSHV_SET_MEM_BIT_UNMAP)
/* Data regions start at 1 GiB: 2 MiB aligned, far from the control region */
#define DATA_GPA	0x40000000ULL

#endif /* _MSHV_REGION_COMMON_H */
