// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl number space of /dev/mshv, partition and VP fds.
 *
 * At compile time: every mainline ioctl number and argument layout equals
 * the value VMMs were built with.  At run time: every ioctl that VMMs
 * declare but mainline does not implement (the "client-only" ioctls)
 * answers ENOTTY on the fd kind it belongs to, so that clients take their
 * fallback path; unknown numbers answer ENOTTY on every fd kind; and
 * MSHV_ROOT_HVCALL works on a VP fd.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "mshv_test.h"

#define ABI_CHECK(expr)	static_assert(expr, #expr)

/* The mainline ioctl numbers (uapi) */
ABI_CHECK(MSHV_IOCTL == 0xB8);
ABI_CHECK(MSHV_CREATE_PARTITION == 0x4010B800);
ABI_CHECK(MSHV_INITIALIZE_PARTITION == 0x0000B800);
ABI_CHECK(MSHV_CREATE_VP == 0x4004B801);
ABI_CHECK(MSHV_SET_GUEST_MEMORY == 0x4020B802);
ABI_CHECK(MSHV_IRQFD == 0x4010B803);
ABI_CHECK(MSHV_IOEVENTFD == 0x4020B804);
ABI_CHECK(MSHV_SET_MSI_ROUTING == 0x4008B805);
ABI_CHECK(MSHV_GET_GPAP_ACCESS_BITMAP == 0xC020B806);
ABI_CHECK(MSHV_ROOT_HVCALL == 0xC020B807);
ABI_CHECK(MSHV_RUN_VP == 0x8100B800);
ABI_CHECK(MSHV_GET_VP_STATE == 0xC010B801);
ABI_CHECK(MSHV_SET_VP_STATE == 0xC010B802);

/* Constants */
ABI_CHECK(MSHV_HV_PAGE_SIZE == 0x1000);
ABI_CHECK(MSHV_RUN_VP_BUF_SZ == 256);
ABI_CHECK(MSHV_NUM_CPU_FEATURES_BANKS == 2);
ABI_CHECK(MSHV_PT_BIT_COUNT == 6 && MSHV_PT_FLAGS_MASK == 0x3F);
ABI_CHECK(MSHV_PT_ISOLATION_COUNT == 1);
ABI_CHECK(MSHV_SET_MEM_BIT_UNMAP == 2 && MSHV_SET_MEM_FLAGS_MASK == 0x7);
ABI_CHECK(MSHV_IRQFD_BIT_RESAMPLE == 1 && MSHV_IRQFD_FLAGS_MASK == 0x3);
ABI_CHECK(MSHV_IOEVENTFD_BIT_DEASSIGN == 2 && MSHV_IOEVENTFD_FLAGS_MASK == 0x7);
ABI_CHECK(MSHV_GPAP_ACCESS_TYPE_COUNT == 2 && MSHV_GPAP_ACCESS_OP_COUNT == 3);
ABI_CHECK(MSHV_VP_MMAP_OFFSET_GHCB == 2 && MSHV_VP_MMAP_OFFSET_COUNT == 3);
ABI_CHECK(MSHV_VP_STATE_SYNTHETIC_TIMERS == 4 && MSHV_VP_STATE_COUNT == 5);

/* Argument layouts: size, then every field's offset */
#define ABI_FIELD(type, field, off) \
	ABI_CHECK(offsetof(struct type, field) == (off))

ABI_CHECK(sizeof(struct mshv_create_partition) == 16);
ABI_FIELD(mshv_create_partition, pt_flags, 0);
ABI_FIELD(mshv_create_partition, pt_isolation, 8);

ABI_CHECK(sizeof(struct mshv_create_partition_v2) == 64);
ABI_FIELD(mshv_create_partition_v2, pt_flags, 0);
ABI_FIELD(mshv_create_partition_v2, pt_isolation, 8);
ABI_FIELD(mshv_create_partition_v2, pt_num_cpu_fbanks, 16);
ABI_FIELD(mshv_create_partition_v2, pt_rsvd, 18);
ABI_FIELD(mshv_create_partition_v2, pt_cpu_fbanks, 24);
ABI_FIELD(mshv_create_partition_v2, pt_rsvd1, 40);
ABI_FIELD(mshv_create_partition_v2, pt_disabled_xsave, 56);

ABI_CHECK(sizeof(struct mshv_create_vp) == 4);
ABI_FIELD(mshv_create_vp, vp_index, 0);

ABI_CHECK(sizeof(struct mshv_user_mem_region) == 32);
ABI_FIELD(mshv_user_mem_region, size, 0);
ABI_FIELD(mshv_user_mem_region, guest_pfn, 8);
ABI_FIELD(mshv_user_mem_region, userspace_addr, 16);
ABI_FIELD(mshv_user_mem_region, flags, 24);
ABI_FIELD(mshv_user_mem_region, rsvd, 25);

ABI_CHECK(sizeof(struct mshv_user_irqfd) == 16);
ABI_FIELD(mshv_user_irqfd, fd, 0);
ABI_FIELD(mshv_user_irqfd, resamplefd, 4);
ABI_FIELD(mshv_user_irqfd, gsi, 8);
ABI_FIELD(mshv_user_irqfd, flags, 12);

ABI_CHECK(sizeof(struct mshv_user_ioeventfd) == 32);
ABI_FIELD(mshv_user_ioeventfd, datamatch, 0);
ABI_FIELD(mshv_user_ioeventfd, addr, 8);
ABI_FIELD(mshv_user_ioeventfd, len, 16);
ABI_FIELD(mshv_user_ioeventfd, fd, 20);
ABI_FIELD(mshv_user_ioeventfd, flags, 24);
ABI_FIELD(mshv_user_ioeventfd, rsvd, 28);

ABI_CHECK(sizeof(struct mshv_user_irq_entry) == 16);
ABI_FIELD(mshv_user_irq_entry, gsi, 0);
ABI_FIELD(mshv_user_irq_entry, address_lo, 4);
ABI_FIELD(mshv_user_irq_entry, address_hi, 8);
ABI_FIELD(mshv_user_irq_entry, data, 12);

ABI_CHECK(sizeof(struct mshv_user_irq_table) == 8);
ABI_FIELD(mshv_user_irq_table, nr, 0);
ABI_FIELD(mshv_user_irq_table, rsvd, 4);
ABI_FIELD(mshv_user_irq_table, entries, 8);

ABI_CHECK(sizeof(struct mshv_gpap_access_bitmap) == 32);
ABI_FIELD(mshv_gpap_access_bitmap, access_type, 0);
ABI_FIELD(mshv_gpap_access_bitmap, access_op, 1);
ABI_FIELD(mshv_gpap_access_bitmap, rsvd, 2);
ABI_FIELD(mshv_gpap_access_bitmap, page_count, 8);
ABI_FIELD(mshv_gpap_access_bitmap, gpap_base, 16);
ABI_FIELD(mshv_gpap_access_bitmap, bitmap_ptr, 24);

ABI_CHECK(sizeof(struct mshv_root_hvcall) == 32);
ABI_FIELD(mshv_root_hvcall, code, 0);
ABI_FIELD(mshv_root_hvcall, reps, 2);
ABI_FIELD(mshv_root_hvcall, in_sz, 4);
ABI_FIELD(mshv_root_hvcall, out_sz, 6);
ABI_FIELD(mshv_root_hvcall, status, 8);
ABI_FIELD(mshv_root_hvcall, rsvd, 10);
ABI_FIELD(mshv_root_hvcall, in_ptr, 16);
ABI_FIELD(mshv_root_hvcall, out_ptr, 24);

ABI_CHECK(sizeof(struct mshv_run_vp) == 256);
ABI_FIELD(mshv_run_vp, msg_buf, 0);

ABI_CHECK(sizeof(struct mshv_get_set_vp_state) == 16);
ABI_FIELD(mshv_get_set_vp_state, type, 0);
ABI_FIELD(mshv_get_set_vp_state, rsvd, 1);
ABI_FIELD(mshv_get_set_vp_state, buf_sz, 4);
ABI_FIELD(mshv_get_set_vp_state, buf_ptr, 8);

/*
 * The client-only ioctls: declared by VMMs (rust-vmm mshv-ioctls 0.7) but
 * not part of mainline.  Each is written as the encoded value the client
 * uses, and checked against the encoding of (direction, number, size).
 */
enum fd_kind { FD_DEV, FD_PARTITION, FD_VP, FD_DEVICE };

/* (direction, number, size) encodings with the 0xB8 magic */
#define ENC_W(nr, size)		_IOC(_IOC_WRITE, 0xB8, nr, size)
#define ENC_RW(nr, size)	_IOC(_IOC_READ | _IOC_WRITE, 0xB8, nr, size)

#define MSHV_GET_HOST_PARTITION_PROPERTY	0xC010B801
ABI_CHECK(ENC_RW(0x01, 16) == MSHV_GET_HOST_PARTITION_PROPERTY);
#define MSHV_CREATE_DEVICE	0xC00CB808
ABI_CHECK(ENC_RW(0x08, 12) == MSHV_CREATE_DEVICE);
#define MSHV_MODIFY_GPA_HOST_ACCESS	0x4010B809
ABI_CHECK(ENC_W(0x09, 16) == MSHV_MODIFY_GPA_HOST_ACCESS);
#define MSHV_IMPORT_ISOLATED_PAGES	0x4010B80A
ABI_CHECK(ENC_W(0x0A, 16) == MSHV_IMPORT_ISOLATED_PAGES);
#define MSHV_INSTALL_INTERCEPT	0x4010B8F0
ABI_CHECK(ENC_W(0xF0, 16) == MSHV_INSTALL_INTERCEPT);
#define MSHV_ASSERT_INTERRUPT	0x4018B8F1
ABI_CHECK(ENC_W(0xF1, 24) == MSHV_ASSERT_INTERRUPT);
#define MSHV_SET_PARTITION_PROPERTY	0x4010B8F2
ABI_CHECK(ENC_W(0xF2, 16) == MSHV_SET_PARTITION_PROPERTY);
#define MSHV_GET_PARTITION_PROPERTY	0xC010B8F3
ABI_CHECK(ENC_RW(0xF3, 16) == MSHV_GET_PARTITION_PROPERTY);
#define MSHV_COMPLETE_ISOLATED_IMPORT	0x4D06B8F4
ABI_CHECK(ENC_W(0xF4, 3334) == MSHV_COMPLETE_ISOLATED_IMPORT);
#define MSHV_ISSUE_PSP_GUEST_REQUEST	0x4010B8F5
ABI_CHECK(ENC_W(0xF5, 16) == MSHV_ISSUE_PSP_GUEST_REQUEST);
#define MSHV_SEV_SNP_AP_CREATE	0x4010B8F6
ABI_CHECK(ENC_W(0xF6, 16) == MSHV_SEV_SNP_AP_CREATE);
#define MSHV_SIGNAL_EVENT_DIRECT	0xC00CB8F7
ABI_CHECK(ENC_RW(0xF7, 12) == MSHV_SIGNAL_EVENT_DIRECT);
#define MSHV_POST_MESSAGE_DIRECT	0x4010B8F8
ABI_CHECK(ENC_W(0xF8, 16) == MSHV_POST_MESSAGE_DIRECT);
#define MSHV_REGISTER_DELIVERABILITY_NOTIFICATIONS	0x4010B8F9
ABI_CHECK(ENC_W(0xF9, 16) == MSHV_REGISTER_DELIVERABILITY_NOTIFICATIONS);
#define MSHV_GET_VP_REGISTERS	0xC010B8F0
ABI_CHECK(ENC_RW(0xF0, 16) == MSHV_GET_VP_REGISTERS);
#define MSHV_SET_VP_REGISTERS	0x4010B8F1
ABI_CHECK(ENC_W(0xF1, 16) == MSHV_SET_VP_REGISTERS);
#define MSHV_VP_TRANSLATE_GVA	0xC020B8F2
ABI_CHECK(ENC_RW(0xF2, 32) == MSHV_VP_TRANSLATE_GVA);
#define MSHV_VP_REGISTER_INTERCEPT_RESULT	0x4030B8F3
ABI_CHECK(ENC_W(0xF3, 48) == MSHV_VP_REGISTER_INTERCEPT_RESULT);
#define MSHV_GET_VP_CPUID_VALUES	0xC028B8F4
ABI_CHECK(ENC_RW(0xF4, 40) == MSHV_GET_VP_CPUID_VALUES);
#define MSHV_READ_GPA	0xC020B8F5
ABI_CHECK(ENC_RW(0xF5, 32) == MSHV_READ_GPA);
#define MSHV_WRITE_GPA	0x4020B8F6
ABI_CHECK(ENC_W(0xF6, 32) == MSHV_WRITE_GPA);
#define MSHV_SET_DEVICE_ATTR	0x4018B800
ABI_CHECK(ENC_W(0x00, 24) == MSHV_SET_DEVICE_ATTR);
#define MSHV_GET_DEVICE_ATTR	0x4018B801
ABI_CHECK(ENC_W(0x01, 24) == MSHV_GET_DEVICE_ATTR);
#define MSHV_HAS_DEVICE_ATTR	0x4018B802
ABI_CHECK(ENC_W(0x02, 24) == MSHV_HAS_DEVICE_ATTR);

struct client_ioctl {
	const char *name;
	enum fd_kind fd;
	unsigned long value;
};

#define CLIENT_IOCTL(n, kind)	{ #n, kind, n }

static const struct client_ioctl client_ioctls[] = {
	CLIENT_IOCTL(MSHV_GET_HOST_PARTITION_PROPERTY, FD_DEV),
	CLIENT_IOCTL(MSHV_CREATE_DEVICE, FD_PARTITION),
	CLIENT_IOCTL(MSHV_MODIFY_GPA_HOST_ACCESS, FD_PARTITION),
	CLIENT_IOCTL(MSHV_IMPORT_ISOLATED_PAGES, FD_PARTITION),
	CLIENT_IOCTL(MSHV_INSTALL_INTERCEPT, FD_PARTITION),
	CLIENT_IOCTL(MSHV_ASSERT_INTERRUPT, FD_PARTITION),
	CLIENT_IOCTL(MSHV_SET_PARTITION_PROPERTY, FD_PARTITION),
	CLIENT_IOCTL(MSHV_GET_PARTITION_PROPERTY, FD_PARTITION),
	CLIENT_IOCTL(MSHV_COMPLETE_ISOLATED_IMPORT, FD_PARTITION),
	CLIENT_IOCTL(MSHV_ISSUE_PSP_GUEST_REQUEST, FD_PARTITION),
	CLIENT_IOCTL(MSHV_SEV_SNP_AP_CREATE, FD_PARTITION),
	CLIENT_IOCTL(MSHV_SIGNAL_EVENT_DIRECT, FD_PARTITION),
	CLIENT_IOCTL(MSHV_POST_MESSAGE_DIRECT, FD_PARTITION),
	CLIENT_IOCTL(MSHV_REGISTER_DELIVERABILITY_NOTIFICATIONS, FD_PARTITION),
	CLIENT_IOCTL(MSHV_GET_VP_REGISTERS, FD_VP),
	CLIENT_IOCTL(MSHV_SET_VP_REGISTERS, FD_VP),
	CLIENT_IOCTL(MSHV_VP_TRANSLATE_GVA, FD_VP),
	CLIENT_IOCTL(MSHV_VP_REGISTER_INTERCEPT_RESULT, FD_VP),
	CLIENT_IOCTL(MSHV_GET_VP_CPUID_VALUES, FD_VP),
	CLIENT_IOCTL(MSHV_READ_GPA, FD_VP),
	CLIENT_IOCTL(MSHV_WRITE_GPA, FD_VP),
	CLIENT_IOCTL(MSHV_SET_DEVICE_ATTR, FD_DEVICE),
	CLIENT_IOCTL(MSHV_GET_DEVICE_ATTR, FD_DEVICE),
	CLIENT_IOCTL(MSHV_HAS_DEVICE_ATTR, FD_DEVICE),
};

FIXTURE(abi)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	/* A zeroed argument larger than any ioctl's (3334 bytes at most) */
	__u8 arg[8192];
};

FIXTURE_SETUP(abi)
{
	self->vm = mshv_vm_create();
	self->vp = mshv_vp_create(self->vm, 0);
	memset(self->arg, 0, sizeof(self->arg));
}

FIXTURE_TEARDOWN(abi)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

static int fd_of(const struct mshv_vm *vm, const struct mshv_vp *vp,
		 enum fd_kind kind)
{
	switch (kind) {
	case FD_DEV:
		return vm->dev_fd;
	case FD_PARTITION:
		return vm->fd;
	case FD_VP:
	default:
		return vp->fd;
	}
}

/* Every client-only ioctl: ENOTTY on its own fd kind */
TEST_F(abi, client_only_enotty)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(client_ioctls); i++) {
		const struct client_ioctl *c = &client_ioctls[i];
		enum fd_kind kind;

		for (kind = FD_DEV; kind <= FD_VP; kind++) {
			/* Device ioctls are tried on every fd kind there is */
			if (c->fd != FD_DEVICE && c->fd != kind)
				continue;
			errno = 0;
			EXPECT_EQ(-1, ioctl(fd_of(self->vm, self->vp, kind), c->value,
					    self->arg))
				TH_LOG("%s on fd kind %d", c->name, kind);
			EXPECT_EQ(ENOTTY, errno)
				TH_LOG("%s on fd kind %d", c->name, kind);
		}
	}
	/* Nothing happened to the objects: the VP still answers */
	EXPECT_EQ(0ULL, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));
}

/*
 * Numbers no fd kind implements: unknown numbers, known numbers with a
 * different size or direction, other magics.  (Each fd kind's ioctls on
 * the other kinds are rows of mshv_bad_input_test.)
 */
TEST_F(abi, unknown_enotty)
{
	static const unsigned long unknown[] = {
		_IO(MSHV_IOCTL, 0x50),
		_IOWR(MSHV_IOCTL, 0xFF, __u64),
		_IOW(MSHV_IOCTL, 0x02, __u64),		/* wrong size */
		_IOR(MSHV_IOCTL, 0x07, struct mshv_root_hvcall), /* wrong dir */
		_IOW(0xB9, 0x00, struct mshv_create_partition),
		_IOW(0xBA, 0x00, struct mshv_create_partition),
		_IO('K', 0x01),
		0,
	};
	enum fd_kind kind;
	size_t i;

	for (kind = FD_DEV; kind <= FD_VP; kind++) {
		for (i = 0; i < ARRAY_SIZE(unknown); i++) {
			errno = 0;
			EXPECT_EQ(-1, ioctl(fd_of(self->vm, self->vp, kind), unknown[i],
					    self->arg));
			EXPECT_EQ(ENOTTY, errno)
				TH_LOG("ioctl %#lx on fd kind %d", unknown[i],
				       kind);
		}
	}
}

/* MSHV_ROOT_HVCALL on a VP fd: the partition's calls, not the async one */
TEST_F(abi, root_hvcall_on_vp_fd)
{
	struct hv_input_get_partition_property in = {
		.property_code = HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
	};
	struct hv_input_set_partition_property set_in = {
		.property_code = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
	};
	struct hv_output_get_partition_property out = { 0 };
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.out_sz = sizeof(out),
		.in_ptr = (__u64)(unsigned long)&in,
		.out_ptr = (__u64)(unsigned long)&out,
	};
	struct hv_register_assoc rax = {
		.name = HV_X64_REGISTER_RAX,
		.value.reg64 = 0x1234567890ULL,
	};
	__u64 via_partition;

	ASSERT_EQ(0, ioctl(self->vp->fd, MSHV_ROOT_HVCALL, &args));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	via_partition = mshv_get_partition_property(self->vm->fd,
						    HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE);
	EXPECT_EQ(via_partition, out.property_value);
	EXPECT_NE(0ULL, out.property_value);

	/* Registers set through the VP fd read back through the partition */
	mshv_vp_set_registers(self->vp, &rax, 1);
	{
		union hv_register_value v;
		__u32 name = HV_X64_REGISTER_RAX;
		struct mshv_root_hvcall r;

		ASSERT_EQ(0, __mshv_get_vp_registers(self->vm->fd, 0, &name,
						     &v, 1, &r));
		EXPECT_EQ(0x1234567890ULL, v.reg64);
	}

	/* SET_PARTITION_PROPERTY completes asynchronously: partition fd only */
	memset(&args, 0, sizeof(args));
	args.code = HVCALL_SET_PARTITION_PROPERTY;
	args.in_sz = sizeof(set_in);
	args.in_ptr = (__u64)(unsigned long)&set_in;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->vp->fd, MSHV_ROOT_HVCALL, &args));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, args.status);
}

/*
 * The MSHV_ROOT_HVCALL allow-lists of the released mainline driver: these
 * calls on a partition fd (VP fd: all but the asynchronous
 * SET_PARTITION_PROPERTY), the first two on /dev/mshv.  Every other code
 * is refused before it reaches the hypervisor: EINVAL with the status
 * left at 0.  SCRUB_PARTITION (0x8D) was allowed during 7.0's merge window
 * and removed before the release; READ_GPA and WRITE_GPA were never
 * allowed by a released kernel.  testvm/abi-check.py compares the source
 * list with mainline's; this test checks what the driver does.
 */
static const __u16 allowed_hvcalls[] = {
	HVCALL_GET_PARTITION_PROPERTY,
	HVCALL_GET_PARTITION_PROPERTY_EX,
	HVCALL_SET_PARTITION_PROPERTY,
	HVCALL_INSTALL_INTERCEPT,
	HVCALL_GET_VP_REGISTERS,
	HVCALL_SET_VP_REGISTERS,
	HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
	HVCALL_CLEAR_VIRTUAL_INTERRUPT,
	HVCALL_REGISTER_INTERCEPT_RESULT,
	HVCALL_ASSERT_VIRTUAL_INTERRUPT,
	HVCALL_GET_GPA_PAGES_ACCESS_STATES,
	HVCALL_SIGNAL_EVENT_DIRECT,
	HVCALL_POST_MESSAGE_DIRECT,
	HVCALL_GET_VP_CPUID_VALUES,
};

static bool hvcall_allowed(__u16 code, enum fd_kind kind)
{
	size_t i;

	if (kind == FD_DEV)
		return code == HVCALL_GET_PARTITION_PROPERTY ||
		       code == HVCALL_GET_PARTITION_PROPERTY_EX;
	if (kind == FD_VP && code == HVCALL_SET_PARTITION_PROPERTY)
		return false;
	for (i = 0; i < ARRAY_SIZE(allowed_hvcalls); i++)
		if (allowed_hvcalls[i] == code)
			return true;
	return false;
}

/* Every code up to 0x1FF and the top one, on every fd kind */
TEST_F(abi, root_hvcall_allow_list)
{
	/* The hypercalls named in the comment above: refused everywhere */
	static const __u16 named[] = { 0x008D, 0x0053, 0x0054 };
	__u64 in[8] = { 0 };
	unsigned int code, i;
	int refused = 0;
	enum fd_kind kind;

	for (i = 0; i < ARRAY_SIZE(named); i++)
		for (kind = FD_DEV; kind <= FD_VP; kind++)
			ASSERT_FALSE(hvcall_allowed(named[i], kind));

	for (kind = FD_DEV; kind <= FD_VP; kind++) {
		for (code = 0; code <= 0x200; code++) {
			__u16 c = code == 0x200 ? 0xFFFF : code;
			struct mshv_root_hvcall args = {
				.code = c,
				.in_sz = sizeof(in),
				.in_ptr = (__u64)(unsigned long)in,
			};
			int ret;

			if (hvcall_allowed(c, kind))
				continue;
			errno = 0;
			ret = ioctl(fd_of(self->vm, self->vp, kind),
				    MSHV_ROOT_HVCALL, &args);
			EXPECT_EQ(-1, ret)
				TH_LOG("code %#x on fd kind %d: issued", c, kind);
			EXPECT_EQ(EINVAL, errno)
				TH_LOG("code %#x on fd kind %d", c, kind);
			EXPECT_EQ(0, args.status)
				TH_LOG("code %#x on fd kind %d: status %#x", c,
				       kind, args.status);
			refused += ret == -1 && errno == EINVAL && !args.status;
		}
	}
	/* 0x1FF + 1 codes per fd kind, minus the allowed ones */
	EXPECT_EQ(3 * 0x201 - 2 - 14 - 13, refused);
}

TEST_HARNESS_MAIN
