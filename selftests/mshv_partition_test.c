// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/mshv and partition fd: open, MSHV_CREATE_PARTITION (v1 and v2) and
 * its validation, MSHV_INITIALIZE_PARTITION, and MSHV_ROOT_HVCALL on
 * /dev/mshv (self) and on a partition fd.
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

TEST(create_unknown_pt_flags)
{
	int dev = mshv_open_dev();
	unsigned int bit;

	for (bit = MSHV_PT_BIT_COUNT; bit < 64; bit++) {
		struct mshv_create_partition args = {
			.pt_flags = PT_BIT(LAPIC) | (1ULL << bit),
		};

		EXPECT_EQ(-1, __mshv_create_partition(dev, &args))
			TH_LOG("pt_flags bit %u accepted", bit);
		EXPECT_EQ(EINVAL, errno) TH_LOG("pt_flags bit %u", bit);
	}
	EXPECT_EQ(0, close(dev));
}

TEST(create_bad_isolation)
{
	static const __u64 values[] = {
		MSHV_PT_ISOLATION_COUNT, 2, 0x100, ~0ULL,
	};
	int dev = mshv_open_dev();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		struct mshv_create_partition args = {
			.pt_flags = PT_BIT(LAPIC),
			.pt_isolation = values[i],
		};

		EXPECT_EQ(-1, __mshv_create_partition(dev, &args))
			TH_LOG("pt_isolation %#llx accepted",
			       (unsigned long long)values[i]);
		EXPECT_EQ(EINVAL, errno);
	}
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

TEST_F(v2, num_banks)
{
	static const __u16 bad[] = { 0, 1, 3, 0xffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		self->args.pt_num_cpu_fbanks = bad[i];
		EXPECT_EQ(-1, v2_create(self->dev, &self->args))
			TH_LOG("pt_num_cpu_fbanks %u accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(v2, rsvd)
{
	unsigned int i;

	for (i = 0; i < sizeof(self->args.pt_rsvd); i++) {
		memset(self->args.pt_rsvd, 0, sizeof(self->args.pt_rsvd));
		self->args.pt_rsvd[i] = 0x80;
		EXPECT_EQ(-1, v2_create(self->dev, &self->args))
			TH_LOG("pt_rsvd[%u] != 0 accepted", i);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(v2, rsvd1)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		self->args.pt_rsvd1[0] = 0;
		self->args.pt_rsvd1[1] = 0;
		self->args.pt_rsvd1[i] = 1ULL << 40;
		EXPECT_EQ(-1, v2_create(self->dev, &self->args))
			TH_LOG("pt_rsvd1[%u] != 0 accepted", i);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(v2, unknown_flag)
{
	self->args.pt_flags |= 1ULL << MSHV_PT_BIT_COUNT;
	EXPECT_EQ(-1, v2_create(self->dev, &self->args));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(v2, isolation)
{
	self->args.pt_isolation = MSHV_PT_ISOLATION_COUNT;
	EXPECT_EQ(-1, v2_create(self->dev, &self->args));
	EXPECT_EQ(EINVAL, errno);
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
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.out_sz = sizeof(out),
		.in_ptr = (__u64)(unsigned long)&in,
		.out_ptr = (__u64)(unsigned long)&out,
	};
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

TEST(self_hvcall_not_allowed)
{
	static const __u16 codes[] = {
		HVCALL_SET_PARTITION_PROPERTY, HVCALL_GET_VP_REGISTERS,
		HVCALL_SET_VP_REGISTERS, HVCALL_CREATE_PARTITION,
		HVCALL_DELETE_PARTITION, HVCALL_DEPOSIT_MEMORY,
		HVCALL_MAP_GPA_PAGES, HVCALL_INSTALL_INTERCEPT, 0xffff,
	};
	__u8 in[64] = { 0 }, out[64];
	int dev = mshv_open_dev();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		struct mshv_root_hvcall args = {
			.code = codes[i],
			.in_sz = sizeof(in),
			.out_sz = sizeof(out),
			.in_ptr = (__u64)(unsigned long)in,
			.out_ptr = (__u64)(unsigned long)out,
		};

		EXPECT_EQ(-1, __mshv_hvcall(dev, &args))
			TH_LOG("code %#x allowed on /dev/mshv", codes[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("code %#x", codes[i]);
	}
	EXPECT_EQ(0, close(dev));
}

/* ROOT_HVCALL argument validation on a partition fd (facts 1.9) */
FIXTURE(hvcall)
{
	int dev;
	int fd;
	struct hv_input_get_partition_property in;
	struct hv_output_get_partition_property out;
	struct mshv_root_hvcall args;
};

FIXTURE_SETUP(hvcall)
{
	self->dev = mshv_open_dev();
	self->fd = mshv_create_partition(self->dev, PT_BIT(LAPIC));
	mshv_initialize_partition(self->fd);
	memset(&self->in, 0, sizeof(self->in));
	self->in.property_code = HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH;
	memset(&self->args, 0, sizeof(self->args));
	self->args.code = HVCALL_GET_PARTITION_PROPERTY;
	self->args.in_sz = sizeof(self->in);
	self->args.out_sz = sizeof(self->out);
	self->args.in_ptr = (__u64)(unsigned long)&self->in;
	self->args.out_ptr = (__u64)(unsigned long)&self->out;
}

FIXTURE_TEARDOWN(hvcall)
{
	close(self->fd);
	close(self->dev);
}

static void expect_hvcall_einval(struct __test_metadata *_metadata,
				 int fd, struct mshv_root_hvcall *args,
				 const char *what)
{
	EXPECT_EQ(-1, __mshv_hvcall(fd, args)) TH_LOG("%s accepted", what);
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s", what);
}

TEST_F(hvcall, status_nonzero)
{
	self->args.status = HV_STATUS_INVALID_PARAMETER;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "status != 0");
}

TEST_F(hvcall, in_ptr_null)
{
	self->args.in_ptr = 0;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "in_ptr == 0");
}

TEST_F(hvcall, in_sz_small)
{
	self->args.in_sz = 7;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "in_sz 7");
	self->args.in_sz = 0;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "in_sz 0");
}

TEST_F(hvcall, in_sz_large)
{
	self->args.in_sz = MSHV_HV_PAGE_SIZE + 1;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "in_sz 4097");
	self->args.in_sz = 0xffff;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "in_sz 65535");
}

TEST_F(hvcall, rsvd_nonzero)
{
	unsigned int i;

	for (i = 0; i < sizeof(self->args.rsvd); i++) {
		memset(self->args.rsvd, 0, sizeof(self->args.rsvd));
		self->args.rsvd[i] = 1;
		expect_hvcall_einval(_metadata, self->fd, &self->args,
				     "rsvd != 0");
	}
}

TEST_F(hvcall, out_sz_zero)
{
	self->args.out_sz = 0;
	expect_hvcall_einval(_metadata, self->fd, &self->args,
			     "out_ptr with out_sz 0");
}

TEST_F(hvcall, out_sz_large)
{
	self->args.out_sz = MSHV_HV_PAGE_SIZE + 1;
	expect_hvcall_einval(_metadata, self->fd, &self->args, "out_sz 4097");
}

TEST_F(hvcall, code_not_allowed)
{
	static const __u16 codes[] = {
		HVCALL_CREATE_PARTITION, HVCALL_INITIALIZE_PARTITION,
		HVCALL_FINALIZE_PARTITION, HVCALL_DELETE_PARTITION,
		HVCALL_DEPOSIT_MEMORY, HVCALL_WITHDRAW_MEMORY,
		HVCALL_MAP_GPA_PAGES, HVCALL_UNMAP_GPA_PAGES,
		HVCALL_CREATE_VP, HVCALL_DELETE_VP, HVCALL_DISPATCH_VP,
		HVCALL_MAP_VP_STATE_PAGE, HVCALL_GET_VP_STATE, 0x0000, 0xffff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		self->args.code = codes[i];
		EXPECT_EQ(-1, __mshv_hvcall(self->fd, &self->args))
			TH_LOG("code %#x allowed on a partition fd", codes[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("code %#x", codes[i]);
	}
}

TEST_HARNESS_MAIN
