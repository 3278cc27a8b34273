// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory the driver deposits into partitions: a failed MSHV_CREATE_VP
 * leaves no deposit behind (hvsim's pool and the driver's count return
 * to their baseline exactly), the driver's per-partition count in
 * /sys/kernel/debug/mshv_root/partitions always equals the pages hvsim
 * holds for the partition, and the deposits are charged to the memory
 * cgroup of the VMM that caused them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define FAILED_CALLS	16
#define CGROOT		"/sys/fs/cgroup"
#define CGTEST		CGROOT "/mshv_deposit_test"
#define MEMCG_VMS	4

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

static bool cg_read(const char *file, __u64 *v)
{
	char path[128];

	snprintf(path, sizeof(path), CGTEST "/%s", file);
	return mshv_read_u64_file(path, v) == 0;
}

static bool cg_has_memory(void)
{
	char buf[256] = "";
	FILE *f = fopen(CGROOT "/cgroup.controllers", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, "memory");
}

/*
 * Deposits are charged to the VMM's memory cgroup: memory.current of a
 * cgroup holding only the test rises by at least the pages deposited for
 * its partitions, and falls back when they are closed.  The memory
 * controller charges ahead in per-CPU batches of 64 pages (a batch
 * charged before the first reading may pay for the first pages), so four
 * partitions are measured and the comparisons allow one batch per CPU.
 */
TEST(memcg_charged)
{
	const __u64 slack = 64 * 4096ULL * sysconf(_SC_NPROCESSORS_ONLN);
	struct mshv_vm *vm[MEMCG_VMS];
	struct mshv_vp *vp[MEMCG_VMS];
	__u64 m0, m1, m2, pages = 0;
	char pid[32];
	int i;

	if (access(CGROOT "/cgroup.controllers", F_OK)) {
		mkdir(CGROOT, 0755);
		if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
			SKIP(return, "no cgroup v2: %s", strerror(errno));
	}
	if (!cg_has_memory())
		SKIP(return, "cgroup v2 without the memory controller");
	ASSERT_EQ(0, mshv_write_file(CGROOT "/cgroup.subtree_control",
				     "+memory"));
	rmdir(CGTEST);
	ASSERT_EQ(0, mkdir(CGTEST, 0755));
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, mshv_write_file(CGTEST "/cgroup.procs", pid));

	ASSERT_TRUE(cg_read("memory.current", &m0));
	for (i = 0; i < MEMCG_VMS; i++) {
		vm[i] = mshv_vm_create();
		vp[i] = mshv_vp_create(vm[i], 0);
		pages += mshv_dbg_deposited_get(mshv_dbg_newest_partition());
	}
	ASSERT_TRUE(cg_read("memory.current", &m1));
	/* INITIALIZE_PARTITION and CREATE_VP deposits, at least */
	EXPECT_LE(MEMCG_VMS * (208 + 90), pages);
	EXPECT_LE(m0 + pages * 4096, m1 + slack)
		TH_LOG("memory.current %llu -> %llu, %llu pages deposited",
		       (unsigned long long)m0, (unsigned long long)m1,
		       (unsigned long long)pages);
	EXPECT_GE(m0 + pages * 4096 + 2 * slack, m1)
		TH_LOG("memory.current %llu -> %llu, %llu pages deposited",
		       (unsigned long long)m0, (unsigned long long)m1,
		       (unsigned long long)pages);

	for (i = 0; i < MEMCG_VMS; i++) {
		mshv_vp_free(vp[i]);
		mshv_vm_free(vm[i]);
	}
	ASSERT_TRUE(cg_read("memory.current", &m2));
	TH_LOG("%llu pages deposited; memory.current %llu, %llu, %llu after close",
	       (unsigned long long)pages, (unsigned long long)m0,
	       (unsigned long long)m1, (unsigned long long)m2);
	EXPECT_GE(m0 + slack, m2)
		TH_LOG("memory.current %llu after close, %llu before",
		       (unsigned long long)m2, (unsigned long long)m0);

	ASSERT_EQ(0, mshv_write_file(CGROOT "/cgroup.procs", pid));
	EXPECT_EQ(0, rmdir(CGTEST));
}

TEST_HARNESS_MAIN
