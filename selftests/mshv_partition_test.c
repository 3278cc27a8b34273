// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/mshv and partition fd: open, MSHV_CREATE_PARTITION (v1 and v2),
 * MSHV_INITIALIZE_PARTITION, and MSHV_ROOT_HVCALL on /dev/mshv (self).
 * The refused arguments of these ioctls are rows of mshv_bad_input_test.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "mshv_test.h"

#define PT_BIT(b)	(1ULL << MSHV_PT_BIT_##b)

/* Check that @fd is an anon inode named @name (as in /proc/self/fd) */
static void expect_anon_inode(struct __test_metadata *_metadata, int fd,
			      const char *name)
{
	char path[64], target[PATH_MAX], expect[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(expect, sizeof(expect), "anon_inode:%s", name);
	n = readlink(path, target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ(expect, target);
}

TEST(dev_open_rdonly_cloexec)
{
	int fd = open(MSHV_DEV_PATH, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("open(%s): %s", MSHV_DEV_PATH, strerror(errno));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(fd));
}

TEST(create_v1_initialize_close)
{
	int dev = mshv_open_dev();
	int fd = mshv_create_partition(dev, PT_BIT(LAPIC));

	/* Partition fds are O_RDWR | O_CLOEXEC anon inodes */
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	expect_anon_inode(_metadata, fd, "mshv_partition");

	EXPECT_EQ(0, __mshv_initialize_partition(fd));
	/* Initializing again is a no-op that succeeds */
	EXPECT_EQ(0, __mshv_initialize_partition(fd));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(dev));
}

/* Close a partition that was never initialized */
TEST(create_v1_close_uninitialized)
{
	int dev = mshv_open_dev();
	int fd = mshv_create_partition(dev, 0);

	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(dev));
}

/* The flag set rust-vmm uses (without bit 3, i.e. the v1 struct) */
TEST(create_v1_vmm_flags)
{
	int dev = mshv_open_dev();
	int fd = mshv_create_partition(dev, PT_BIT(LAPIC) | PT_BIT(X2APIC) |
					    PT_BIT(GPA_SUPER_PAGES));

	EXPECT_EQ(0, __mshv_initialize_partition(fd));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, close(dev));
}

FIXTURE(v2)
{
	int dev;
	struct mshv_create_partition_v2 args;
};

FIXTURE_SETUP(v2)
{
	self->dev = mshv_open_dev();
	memset(&self->args, 0, sizeof(self->args));
	self->args.pt_flags = PT_BIT(LAPIC) | PT_BIT(CPU_AND_XSAVE_FEATURES);
	self->args.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
}

FIXTURE_TEARDOWN(v2)
{
	close(self->dev);
}

static int v2_create(int dev, struct mshv_create_partition_v2 *args)
{
	return __mshv_create_partition(dev, args);
}

TEST_F(v2, valid)
{
	int fd;

	/* Disable a few features: 1 = disabled, passed through verbatim */
	self->args.pt_cpu_fbanks[0] = 1ULL << 63;
	self->args.pt_disabled_xsave = 1ULL << 5;
	fd = v2_create(self->dev, &self->args);
	ASSERT_LE(0, fd) TH_LOG("valid v2 create: %s", strerror(errno));
	expect_anon_inode(_metadata, fd, "mshv_partition");
	EXPECT_EQ(0, __mshv_initialize_partition(fd));
	EXPECT_EQ(0, close(fd));
}

/* MSHV_ROOT_HVCALL on /dev/mshv targets the root partition itself */
TEST(self_hvcall_get_property)
{
	struct hv_input_get_partition_property in = {
		/* The kernel replaces this with HV_PARTITION_ID_SELF */
		.partition_id = 0x1234,
		.property_code = HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
	};
	struct hv_output_get_partition_property out = {
		.property_value = ~0ULL,
	};
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_PARTITION_PROPERTY, 0, &in,
				 sizeof(in), &out, sizeof(out));
	int dev = mshv_open_dev();

	ASSERT_EQ(0, __mshv_hvcall(dev, &args))
		TH_LOG("ROOT_HVCALL on /dev/mshv: %s", strerror(errno));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(0, args.reps);
	/* x86-64 implements 36 to 52 physical address bits */
	EXPECT_LE(36ULL, out.property_value);
	EXPECT_GE(52ULL, out.property_value);
	EXPECT_EQ(0, close(dev));
}

TEST_HARNESS_MAIN
