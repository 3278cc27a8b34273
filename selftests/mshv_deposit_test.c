// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory the driver deposits into partitions: a failed MSHV_CREATE_VP
 * leaves no deposit behind (hvsim's pool and the driver's count return
 * to their baseline exactly), the driver's per-partition count in
 * /sys/kernel/debug/mshv_root/partitions always equals the pages hvsim
 * holds for the partition.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define FAILED_CALLS	16

/*
 * The driver's count for @id equals hvsim's pool of @id, and both equal
 * @pages.
 */
static void expect_deposited(struct __test_metadata *_metadata, __u64 id,
			     __u64 pages, const char *what)
{
	struct mshv_dbg_partition p = mshv_dbg_partition_get(id);
	__u64 driver = 0;

	EXPECT_EQ(pages, p.pool_pages) TH_LOG("%s: hvsim pool", what);
	EXPECT_EQ(0, mshv_dbg_deposited(id, &driver))
		TH_LOG("%s: no line in %s/partitions", what, MSHV_DBG_ROOT);
	EXPECT_EQ(pages, driver) TH_LOG("%s: driver count", what);
}

/*
 * CREATE_VP on a partition that is not initialized fails in the
 * hypervisor (INVALID_PARTITION_STATE, -EIO) after the driver deposited
 * for it: every one of those pages comes back.
 */
TEST(create_vp_uninitialized)
{
	int dev = mshv_open_dev();
	int fd = mshv_create_partition(dev, 1ULL << MSHV_PT_BIT_LAPIC);
	__u64 id = mshv_dbg_newest_partition();
	struct mshv_dbg_partition p0 = mshv_dbg_partition_get(id), p1;
	unsigned int i;
	int vp;

	expect_deposited(_metadata, id, p0.pool_pages, "new partition");
	for (i = 0; i < FAILED_CALLS; i++) {
		EXPECT_EQ(-1, __mshv_create_vp(fd, i % 4));
		EXPECT_EQ(EIO, errno);
	}
	p1 = mshv_dbg_partition_get(id);
	EXPECT_EQ(p0.pool_free, p1.pool_free);
	expect_deposited(_metadata, id, p0.pool_pages, "after failed calls");

	/* Initialized, the partition creates the VP as usual */
	mshv_initialize_partition(fd);
	vp = __mshv_create_vp(fd, 0);
	EXPECT_LE(0, vp);
	p1 = mshv_dbg_partition_get(id);
	expect_deposited(_metadata, id, p1.pool_pages, "after CREATE_VP");
	EXPECT_LT(p0.pool_pages, p1.pool_pages);
	EXPECT_EQ(0, close(vp));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(dev));
}

/*
 * On an initialized partition: the hypervisor refuses CREATE_VP (fault
 * injection) and the pages deposited for it come back, also when the
 * pool held free pages before.
 */
TEST(create_vp_refused)
{
	struct mshv_vm *vm = mshv_vm_create();
	__u64 id = mshv_dbg_newest_partition();
	struct mshv_dbg_partition p0, p1;
	struct mshv_vp *vp0;
	unsigned int i;
	char rule[64];

	vp0 = mshv_vp_create(vm, 0);
	p0 = mshv_dbg_partition_get(id);
	expect_deposited(_metadata, id, p0.pool_pages, "VP 0 created");
	for (i = 0; i < FAILED_CALLS; i++) {
		snprintf(rule, sizeof(rule), "fail %#x 1 %#x",
			 HVCALL_CREATE_VP, HV_STATUS_INVALID_PARAMETER);
		ASSERT_EQ(0, mshv_dbg_inject(rule));
		EXPECT_EQ(-1, __mshv_create_vp(vm->fd, 1 + i % 4));
		EXPECT_EQ(EINVAL, errno);
	}
	mshv_dbg_inject("clear");
	p1 = mshv_dbg_partition_get(id);
	EXPECT_EQ(p0.pool_free, p1.pool_free);
	expect_deposited(_metadata, id, p0.pool_pages, "after refused calls");
	mshv_vp_free(vp0);
	mshv_vm_free(vm);
}

TEST_HARNESS_MAIN
