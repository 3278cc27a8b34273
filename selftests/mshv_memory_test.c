// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSHV_SET_GUEST_MEMORY: overlap rules, unmap matching, and partition
 * teardown with regions still mapped.  The refused arguments (exact
 * errno, nothing mapped) are rows of mshv_bad_input_test.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mshv_test.h"

#define PAGE		MSHV_PAGE_SIZE
#define NR_PAGES	16
#define RW		BIT(MSHV_SET_MEM_BIT_WRITABLE)
#define RWX		(RW | BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
#define UNMAP		BIT(MSHV_SET_MEM_BIT_UNMAP)
#define GFN		0x100ULL

FIXTURE(mem)
{
	struct mshv_vm *vm;
	char *buf;	/* NR_PAGES pages of host memory */
};

FIXTURE_SETUP(mem)
{
	self->vm = mshv_vm_create();
	self->buf = mshv_alloc_host_memory(NR_PAGES * PAGE);
}

FIXTURE_TEARDOWN(mem)
{
	mshv_vm_free(self->vm);
	munmap(self->buf, NR_PAGES * PAGE);
}

static __u64 uaddr(const void *p)
{
	return (__u64)(unsigned long)p;
}

/* Map/unmap @pages pages of @hva at @gfn and return the ioctl's result */
#define set_mem(self, gfn, hva, pages, flags)				\
	__mshv_set_guest_memory((self)->vm->fd, (pages) * PAGE, gfn,	\
				uaddr(hva), flags)

#define EXPECT_ERRNO(err, call) do {				\
		errno = 0;					\
		EXPECT_EQ(-1, (call)) TH_LOG("%s succeeded", #call); \
		EXPECT_EQ(err, errno) TH_LOG("%s", #call);	\
	} while (0)

TEST_F(mem, map_unmap_map_again)
{
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, RWX));
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, UNMAP));
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, RWX));
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, UNMAP));
	/* A different layout over the same GPA range once it is free */
	EXPECT_EQ(0, set_mem(self, GFN + 1, self->buf + PAGE, 8, RW));
	EXPECT_EQ(0, set_mem(self, GFN + 1, self->buf + PAGE, 8, UNMAP));
}

TEST_F(mem, map_read_only)
{
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 2, 0));
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 2, UNMAP));
}

TEST_F(mem, overlap_gpa)
{
	char *other = self->buf + 8 * PAGE;

	ASSERT_EQ(0, set_mem(self, GFN, self->buf, 4, RW));
	/* Same range, inside, straddling either end, covering it */
	EXPECT_ERRNO(EEXIST, set_mem(self, GFN, other, 4, RW));
	EXPECT_ERRNO(EEXIST, set_mem(self, GFN + 1, other, 2, RW));
	EXPECT_ERRNO(EEXIST, set_mem(self, GFN - 2, other, 3, RW));
	EXPECT_ERRNO(EEXIST, set_mem(self, GFN + 3, other, 4, RW));
	EXPECT_ERRNO(EEXIST, set_mem(self, GFN - 1, other, 6, RW));
	/* Adjacent ranges do not overlap */
	EXPECT_EQ(0, set_mem(self, GFN + 4, other, 2, RW));
	EXPECT_EQ(0, set_mem(self, GFN - 2, other + 2 * PAGE, 2, RW));
	/* The first region is unchanged by the failed calls */
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, UNMAP));
	EXPECT_EQ(0, set_mem(self, GFN + 4, other, 2, UNMAP));
	EXPECT_EQ(0, set_mem(self, GFN - 2, other + 2 * PAGE, 2, UNMAP));
}

/*
 * Only guest-physical overlap is refused (mainline's newer uapi text);
 * an older mainline revision also refused overlapping userspace ranges.
 * The same host memory may back two GPA ranges.
 */
TEST_F(mem, overlap_uaddr_only)
{
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, RW));
	EXPECT_EQ(0, set_mem(self, 2 * GFN, self->buf, 4, RW));
	EXPECT_EQ(0, set_mem(self, 3 * GFN, self->buf + 2 * PAGE, 4, RW));
	EXPECT_EQ(0, set_mem(self, 2 * GFN, self->buf, 4, UNMAP));
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, UNMAP));
	EXPECT_EQ(0, set_mem(self, 3 * GFN, self->buf + 2 * PAGE, 4, UNMAP));
}

TEST_F(mem, unmap_mismatch)
{
	ASSERT_EQ(0, set_mem(self, GFN, self->buf, 4, RW));
	/* Size smaller or larger than the region */
	EXPECT_ERRNO(EINVAL, set_mem(self, GFN, self->buf, 2, UNMAP));
	EXPECT_ERRNO(EINVAL, set_mem(self, GFN, self->buf, 8, UNMAP));
	/* Other host address */
	EXPECT_ERRNO(EINVAL, set_mem(self, GFN, self->buf + PAGE, 4, UNMAP));
	EXPECT_ERRNO(EINVAL, set_mem(self, GFN, self->buf + 8 * PAGE, 4,
				     UNMAP));
	/* guest_pfn inside the region, or where no region is */
	EXPECT_ERRNO(EINVAL, set_mem(self, GFN + 1, self->buf + PAGE, 3,
				     UNMAP));
	EXPECT_ERRNO(EINVAL, set_mem(self, 3 * GFN, self->buf, 4, UNMAP));
	/* The region survived all of that */
	EXPECT_EQ(0, set_mem(self, GFN, self->buf, 4, UNMAP));
	/* ...and is gone now */
	EXPECT_ERRNO(EINVAL, set_mem(self, GFN, self->buf, 4, UNMAP));
}

/* 512 pages: more than one MAP_GPA_PAGES batch (509 per call) */
TEST_F(mem, map_large_region)
{
	size_t size = 512 * PAGE;
	char *big = mshv_alloc_host_memory(size);

	EXPECT_EQ(0, set_mem(self, 0x200, big, 512, RWX));
	EXPECT_EQ(0, set_mem(self, 0x200, big, 512, UNMAP));
	EXPECT_EQ(0, munmap(big, size));
}

/* Teardown with regions still mapped: the release path unmaps them */
TEST_F(mem, exit_without_unmap)
{
	EXPECT_EQ(0, set_mem(self, 0, self->buf, 4, RWX));
	EXPECT_EQ(0, set_mem(self, GFN, self->buf + 4 * PAGE, 4, RW));
	EXPECT_EQ(0, set_mem(self, 2 * GFN, self->buf + 8 * PAGE, 8, 0));
	/* FIXTURE_TEARDOWN closes the partition, then frees self->buf */
}

/* Host memory unmapped while the guest still maps it (pages are pinned) */
TEST_F(mem, host_munmap_while_mapped)
{
	char *p = mshv_alloc_host_memory(4 * PAGE);

	memset(p, 0x5a, 4 * PAGE);
	EXPECT_EQ(0, set_mem(self, GFN, p, 4, RW));
	EXPECT_EQ(0, munmap(p, 4 * PAGE));
	/* Unmapping the region by its (now stale) address still works */
	EXPECT_EQ(0, set_mem(self, GFN, p, 4, UNMAP));
}

TEST_HARNESS_MAIN
