// SPDX-License-Identifier: GPL-2.0-only
/*
 * VPs: MSHV_CREATE_VP and its validation, the VP fd's mmap offsets, the x86
 * reset state of a new VP and register round trips through
 * MSHV_ROOT_HVCALL GET/SET_VP_REGISTERS.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_test.h"

FIXTURE(vp)
{
	struct mshv_vm *vm;
};

FIXTURE_SETUP(vp)
{
	self->vm = mshv_vm_create();
}

FIXTURE_TEARDOWN(vp)
{
	mshv_vm_free(self->vm);
}

TEST_F(vp, create_vp0)
{
	char path[64], target[PATH_MAX];
	int fd = __mshv_create_vp(self->vm->fd, 0);
	ssize_t n;

	ASSERT_LE(0, fd) TH_LOG("MSHV_CREATE_VP 0: %s", strerror(errno));
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	EXPECT_STREQ("anon_inode:mshv_vp", target);
	EXPECT_EQ(0, close(fd));
}

TEST_F(vp, create_vp_max_index)
{
	int fd = __mshv_create_vp(self->vm->fd, 255);

	ASSERT_LE(0, fd) TH_LOG("MSHV_CREATE_VP 255: %s", strerror(errno));
	EXPECT_EQ(0, close(fd));
}

TEST_F(vp, create_vp_duplicate)
{
	struct mshv_vp *vp0 = mshv_vp_create(self->vm, 0);
	struct mshv_vp *vp1;

	EXPECT_EQ(-1, __mshv_create_vp(self->vm->fd, 0));
	EXPECT_EQ(EEXIST, errno);
	/* Still a duplicate after the VP's fd is closed: it lives on */
	vp1 = mshv_vp_create(self->vm, 1);
	mshv_vp_free(vp0);
	EXPECT_EQ(-1, __mshv_create_vp(self->vm->fd, 0));
	EXPECT_EQ(EEXIST, errno);
	mshv_vp_free(vp1);
}

TEST_F(vp, mmap_offsets)
{
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);
	void *regs, *msg, *p;

	regs = __mshv_mmap_vp_page(vp->fd, MSHV_VP_MMAP_OFFSET_REGISTERS);
	ASSERT_NE(MAP_FAILED, regs) TH_LOG("mmap offset 0: %s",
					   strerror(errno));
	msg = __mshv_mmap_vp_page(vp->fd,
				  MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE);
	ASSERT_NE(MAP_FAILED, msg) TH_LOG("mmap offset 1: %s",
					  strerror(errno));

	/* No GHCB page: not an SNP partition */
	p = __mshv_mmap_vp_page(vp->fd, MSHV_VP_MMAP_OFFSET_GHCB);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);

	p = __mshv_mmap_vp_page(vp->fd, MSHV_VP_MMAP_OFFSET_COUNT);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = __mshv_mmap_vp_page(vp->fd, 100);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* Both pages can be read and written */
	EXPECT_EQ((__u32)HVMSG_NONE, ((struct hv_message *)msg)->header.message_type);
	((__u8 *)regs)[MSHV_HV_PAGE_SIZE - 1] = 0;
	EXPECT_EQ(0, munmap(regs, MSHV_HV_PAGE_SIZE));
	EXPECT_EQ(0, munmap(msg, MSHV_HV_PAGE_SIZE));
	mshv_vp_free(vp);
}

TEST_F(vp, reset_state)
{
	static const __u32 names[] = {
		HV_X64_REGISTER_CS, HV_X64_REGISTER_RIP,
		HV_X64_REGISTER_RFLAGS, HV_REGISTER_EXPLICIT_SUSPEND,
		HV_X64_REGISTER_DS,
	};
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);
	union hv_register_value v[ARRAY_SIZE(names)];

	memset(v, 0xcc, sizeof(v));
	mshv_vp_get_registers(vp, names, v, ARRAY_SIZE(names));
	EXPECT_EQ(0xF000, v[0].segment.selector);
	EXPECT_EQ(0xFFFF0000ULL, v[0].segment.base);
	EXPECT_EQ(0xFFFFU, v[0].segment.limit);
	EXPECT_EQ(0xFFF0ULL, v[1].reg64);
	EXPECT_EQ(0ULL, v[1].reg128.high_part);
	EXPECT_EQ(MSHV_RFLAGS_RESET, v[2].reg64);
	/* A new VP is explicitly suspended until it is first run */
	EXPECT_EQ(1ULL, v[3].reg64);
	EXPECT_EQ(0, v[4].segment.selector);
	EXPECT_EQ(0ULL, v[4].segment.base);
	EXPECT_EQ(0xFFFFU, v[4].segment.limit);
	mshv_vp_free(vp);
}

TEST_F(vp, gpr_round_trip)
{
	struct hv_register_assoc set[18];
	union hv_register_value got[18];
	__u32 names[18];
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);
	unsigned int i;

	memset(set, 0, sizeof(set));
	for (i = 0; i < 16; i++) {
		set[i].name = HV_X64_REGISTER_RAX + i;
		set[i].value.reg64 = 0x0102030405060708ULL * (i + 1) + i;
	}
	set[16].name = HV_X64_REGISTER_RIP;
	set[16].value.reg64 = 0x1234;
	set[17].name = HV_X64_REGISTER_RFLAGS;
	/* CF, PF, ZF and the fixed bit */
	set[17].value.reg64 = 0x47;
	for (i = 0; i < ARRAY_SIZE(set); i++)
		names[i] = set[i].name;

	mshv_vp_set_registers(vp, set, ARRAY_SIZE(set));
	memset(got, 0, sizeof(got));
	mshv_vp_get_registers(vp, names, got, ARRAY_SIZE(names));
	for (i = 0; i < ARRAY_SIZE(set); i++) {
		__u32 name = names[i];

		EXPECT_EQ(set[i].value.reg64, got[i].reg64)
			TH_LOG("register %#x", name);
	}

	/* One at a time, through the single-register helpers */
	mshv_vp_set_reg(vp, HV_X64_REGISTER_R15, 0xfeedfacecafebeefULL);
	EXPECT_EQ(0xfeedfacecafebeefULL,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_R15));
	EXPECT_EQ(set[0].value.reg64, mshv_vp_get_reg(vp, HV_X64_REGISTER_RAX));
	mshv_vp_free(vp);
}

TEST_F(vp, segment_round_trip)
{
	struct hv_x64_segment_register ds = {
		.base = 0x12340,
		.limit = 0xffff,
		.selector = 0x1234,
		/* present, S, read/write data, accessed */
		.attributes = 0x93,
	}, got;
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);

	mshv_vp_set_segment(vp, HV_X64_REGISTER_DS, &ds);
	got = mshv_vp_get_segment(vp, HV_X64_REGISTER_DS);
	EXPECT_EQ(ds.base, got.base);
	EXPECT_EQ(ds.limit, got.limit);
	EXPECT_EQ(ds.selector, got.selector);
	EXPECT_EQ(ds.attributes, got.attributes);

	mshv_vp_set_real_mode_cs(vp, 0, 0);
	got = mshv_vp_get_segment(vp, HV_X64_REGISTER_CS);
	EXPECT_EQ(0ULL, got.base);
	EXPECT_EQ(0, got.selector);
	EXPECT_EQ(0xffffU, got.limit);
	mshv_vp_free(vp);
}

/* The partition id the caller puts in the input is replaced by the kernel */
TEST_F(vp, hvcall_partition_id_overwritten)
{
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);
	struct {
		struct hv_input_get_vp_registers hdr;
		__u32 name;
	} in = {
		.hdr.partition_id = HV_PARTITION_ID_SELF,
		.name = HV_X64_REGISTER_RIP,
	};
	union hv_register_value out = { .reg64 = 0 };
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_VP_REGISTERS, 1, &in, sizeof(in),
				 &out, sizeof(out));

	ASSERT_EQ(0, __mshv_hvcall(vp->fd, &args)) TH_LOG("%s",
							  strerror(errno));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(1, args.reps);
	EXPECT_EQ(0xFFF0ULL, out.reg64);
	mshv_vp_free(vp);
}

TEST_F(vp, get_registers_missing_vp)
{
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);
	__u32 name = HV_X64_REGISTER_RIP;
	union hv_register_value v;
	struct mshv_root_hvcall args;

	/* vp_index 7 does not exist in this partition */
	EXPECT_EQ(-1, __mshv_get_vp_registers(vp->fd, 7, &name, &v, 1, &args));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, args.status);
	EXPECT_EQ(0, args.reps);
	mshv_vp_free(vp);
}

/* SET_PARTITION_PROPERTY is only allowed on the partition fd */
TEST_F(vp, set_property_on_vp_fd)
{
	struct mshv_vp *vp = mshv_vp_create(self->vm, 0);
	struct hv_input_set_partition_property in = {
		.property_code = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
		.property_value = 1,
	};
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_SET_PARTITION_PROPERTY, 0, &in,
				 sizeof(in), NULL, 0);

	EXPECT_EQ(-1, __mshv_hvcall(vp->fd, &args));
	EXPECT_EQ(EINVAL, errno);
	mshv_vp_free(vp);
}

TEST_HARNESS_MAIN
