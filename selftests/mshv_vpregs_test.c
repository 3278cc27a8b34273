// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registers of a guest VP and the synthetic features behind them:
 *
 *  - SYNTHETIC_PROC_FEATURES takes what a VMM such as QEMU assigns
 *    (0x6400ffb), ASSIGNABLE_SYNTHETIC_PROC_FEATURES reports it, CPUID
 *    0x40000003 shows the privileges it grants;
 *  - every register a VMM saves and restores round-trips through
 *    GET/SET_VP_REGISTERS with its exact value, and reads its reset value
 *    before; a refused value or name gets HV_STATUS_INVALID_PARAMETER;
 *  - the guest reaches the same storage with RDMSR/WRMSR, enables the
 *    hypercall and reference TSC pages and the synthetic timers, and
 *    what hvsim does not model (GUEST_IDLE) is refused with a #GP and
 *    counted.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL
#define HYPERCALL_GPA	0x3000ULL
#define REF_TSC_GPA	0x4000ULL

#define QEMU_FEATURES	0x6400ffbULL
#define QEMU_PRIVILEGES	0xe7eULL	/* CPUID 0x40000003 EAX */

MSHV_GUEST_CODE(rdmsr_code, 16,
		"	rdmsr\n"
		"	hlt\n");
MSHV_GUEST_CODE(wrmsr_code, 16,
		"	wrmsr\n"
		"	hlt\n");

FIXTURE(regs)
{
	struct mshv_vm vm;
	struct mshv_vp *vp;
	__u64 id;
};

/* A partition with @features, initialized, with guest memory */
static void vm_with_features(struct mshv_vm *vm, __u64 features)
{
	const struct mshv_pt_property spf = {
		HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, features,
	};

	mshv_vm_setup(vm, &spf, 1, MEM_SIZE);
}

FIXTURE_SETUP(regs)
{
	vm_with_features(&self->vm, QEMU_FEATURES);
	self->id = mshv_dbg_newest_partition();
	self->vp = mshv_vp_create(&self->vm, 0);
}

FIXTURE_TEARDOWN(regs)
{
	mshv_vp_free(self->vp);
	close(self->vm.fd);
	close(self->vm.dev_fd);
	munmap(self->vm.mem, self->vm.mem_size);
}

/* GET_VP_REGISTERS of one register: the status (0 on success) */
static __u16 get_reg(struct mshv_vp *vp, __u32 name, union hv_register_value *v)
{
	struct mshv_root_hvcall args;

	__mshv_get_vp_registers(vp->fd, vp->index, &name, v, 1, &args);
	return args.status;
}

static __u16 set_reg(struct mshv_vp *vp, __u32 name,
		     const union hv_register_value *v)
{
	struct hv_register_assoc a = { .name = name, .value = *v };
	struct mshv_root_hvcall args;

	__mshv_set_vp_registers(vp->fd, vp->index, &a, 1, &args);
	return args.status;
}

static __u16 set_reg64(struct mshv_vp *vp, __u32 name, __u64 value)
{
	union hv_register_value v = { .reg64 = value };

	return set_reg(vp, name, &v);
}

/* GET_VP_CPUID_VALUES of one leaf */
static struct hv_cpuid_result cpuid_value(int fd, __u32 eax)
{
	struct {
		struct hv_input_get_vp_cpuid_values hdr;
		struct hv_cpuid_leaf_info info;
	} in = { .info = { .eax = eax } };
	struct hv_cpuid_result r;
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_VP_CPUID_VALUES, 1, &in, sizeof(in),
				 &r, sizeof(r));

	MSHV_TEST_ASSERT(__mshv_hvcall(fd, &args) == 0 && !args.status,
			 "GET_VP_CPUID_VALUES %#x: status %#x", eax, args.status);
	return r;
}

/* GET_PARTITION_PROPERTY_EX bank 0 */
static __u64 property_ex(int fd, __u32 code)
{
	__u64 v = ~0ULL;

	MSHV_TEST_ASSERT(mshv_partition_property_ex(fd, code, &v) == 0,
			 "GET_PARTITION_PROPERTY_EX %#x", code);
	return v;
}

/* The synthetic features QEMU assigns are accepted and reported */
TEST(synthetic_features)
{
	const __u32 spf = HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES;
	struct mshv_vm vm = { .dev_fd = mshv_open_dev() };
	struct hv_cpuid_result r;
	__u16 status;
	int vp_fd;

	EXPECT_EQ(QEMU_FEATURES,
		  property_ex(vm.dev_fd,
			      HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES));
	vm.fd = mshv_create_partition(vm.dev_fd, 1ULL << MSHV_PT_BIT_LAPIC);
	EXPECT_EQ(QEMU_FEATURES,
		  property_ex(vm.fd,
			      HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES));
	/* VP runtime (bit 2) and access_vsm (bit 16) are not assignable */
	EXPECT_EQ(-EIO, mshv_set_partition_property(vm.fd, spf, QEMU_FEATURES | 0x4, &status));
	EXPECT_EQ(HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, status);
	EXPECT_EQ(-EIO, mshv_set_partition_property(vm.fd, spf, 0x10003, &status));
	EXPECT_EQ(HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, status);
	EXPECT_EQ(0, mshv_get_partition_property(vm.fd, spf));
	EXPECT_EQ(0, mshv_set_partition_property(vm.fd, spf, QEMU_FEATURES, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	EXPECT_EQ(QEMU_FEATURES, mshv_get_partition_property(vm.fd, spf));
	/* PRIVILEGE_FLAGS keeps what the root set: nothing */
	EXPECT_EQ(0, mshv_get_partition_property(vm.fd,
						 HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS));
	mshv_initialize_partition(vm.fd);
	vp_fd = __mshv_create_vp(vm.fd, 0);
	ASSERT_LE(0, vp_fd);
	r = cpuid_value(vm.fd, 0x40000003);
	EXPECT_EQ(QEMU_PRIVILEGES, r.eax);
	EXPECT_EQ(0, r.ebx);
	EXPECT_EQ(0, r.ecx);
	EXPECT_EQ(0x100, r.edx);	/* frequency MSRs */
	close(vp_fd);
	close(vm.fd);
	close(vm.dev_fd);
}

struct reg_value {
	__u32 name;
	__u64 reset;
	__u64 value;
};

/* 64-bit registers: reset value, then a value that round-trips */
static const struct reg_value regs64[] = {
	{ HV_X64_REGISTER_MTRR_CAP, 0x508, 0xd08 },
	{ HV_X64_REGISTER_MTRR_DEF_TYPE, 0, 0xc06 },
	{ HV_X64_REGISTER_MTRR_PHYS_BASE0, 0, 0x80000006 },
	{ HV_X64_REGISTER_MTRR_PHYS_BASE0 + 7, 0, 0xfff00000 },
	{ HV_X64_REGISTER_MTRR_PHYS_MASK0, 0, 0xffff80000800 },
	{ HV_X64_REGISTER_MTRR_PHYS_MASK0 + 7, 0, 0xfffffff00800 },
	{ HV_X64_REGISTER_MTRR_FIX64K00000, 0, 0x0606060606060606 },
	{ HV_X64_REGISTER_MTRR_FIX64K00000 + 1, 0, 0x0606060606060600 },
	{ HV_X64_REGISTER_MTRR_FIX64K00000 + 2, 0, 0x0000000000000001 },
	{ HV_X64_REGISTER_MTRR_FIX64K00000 + 5, 0, 0x0505050505050505 },
	{ HV_X64_REGISTER_MTRR_FIX4KF8000, 0, 0x0504050405040504 },
	{ HV_X64_REGISTER_DEBUG_CTL, 0, 0x1 },
	{ HV_X64_REGISTER_BNDCFGS, 0, 0x0 },
	{ HV_X64_REGISTER_TSC_ADJUST, 0, 0x123456789 },
	{ HV_X64_REGISTER_SPEC_CTRL, 0, 0x1 },
	{ HV_X64_REGISTER_MSR_IA32_MISC_ENABLE, 0, 0x1 },
	{ HV_REGISTER_DELIVERABILITY_NOTIFICATIONS, 0, 0x3 },
	{ HV_X64_REGISTER_HYPERCALL, 0, 0x5001 },
	{ HV_REGISTER_GUEST_OS_ID, 0, 0x8100000000000000ULL },
	{ HV_REGISTER_REFERENCE_TSC, 0, 0x6001 },
	{ HV_REGISTER_SCONTROL, 0, 0x1 },
	{ HV_REGISTER_SIEFP, 0, 0x7001 },
	{ HV_REGISTER_SIMP, 0, 0x8001 },
	{ HV_REGISTER_SINT0, 0x10000, 0x30 },
	{ HV_REGISTER_SINT0 + 1, 0x10000, 0x20031 },
	{ HV_REGISTER_SINT15, 0x10000, 0x10005 },
	{ HV_REGISTER_VP_ASSIST_PAGE, 0, 0x9001 },
	{ HV_REGISTER_STIMER0_CONFIG, 0, 0x30320 },
	{ HV_REGISTER_STIMER0_COUNT + 6, 0, 1000 },
	{ HV_X64_REGISTER_SYNTHETIC_TPR, 0, 0x50 },
	{ HV_X64_REGISTER_TSC_AUX, 0, 0xffffffff },
};

/* Every 64-bit register: its reset value, then an exact round trip */
TEST_F(regs, round_trip64)
{
	union hv_register_value v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(regs64); i++) {
		EXPECT_EQ(0, get_reg(self->vp, regs64[i].name, &v))
			TH_LOG("register %#x", regs64[i].name);
		EXPECT_EQ(regs64[i].reset, v.reg64)
			TH_LOG("register %#x", regs64[i].name);
		EXPECT_EQ(0, set_reg64(self->vp, regs64[i].name,
				       regs64[i].value))
			TH_LOG("register %#x", regs64[i].name);
	}
	for (i = 0; i < ARRAY_SIZE(regs64); i++) {
		memset(&v, 0xee, sizeof(v));
		EXPECT_EQ(0, get_reg(self->vp, regs64[i].name, &v));
		EXPECT_EQ(regs64[i].value, v.reg64)
			TH_LOG("register %#x", regs64[i].name);
		EXPECT_EQ(0, v.reg128.high_part);
	}
	/* SYNTHETIC_TPR is CR8 in bits 7:4 */
	EXPECT_EQ(5, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_CR8));
	/* EOM takes a write and reads 0; SVERSION is 1; VP_INDEX */
	EXPECT_EQ(0, set_reg64(self->vp, HV_REGISTER_EOM, 0));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_EOM));
	EXPECT_EQ(1, mshv_vp_get_reg(self->vp, HV_REGISTER_SVERSION));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_VP_INDEX));
}

/* The INTERMEDIATE control registers are the control registers */
TEST_F(regs, intermediate_cr)
{
	EXPECT_EQ(0, set_reg64(self->vp, HV_X64_REGISTER_INTERMEDIATE_CR0,
			       0x80000011));
	EXPECT_EQ(0x80000011, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_CR0));
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_CR3, 0x5000);
	EXPECT_EQ(0x5000, mshv_vp_get_reg(self->vp,
					  HV_X64_REGISTER_INTERMEDIATE_CR3));
	EXPECT_EQ(0, set_reg64(self->vp, HV_X64_REGISTER_INTERMEDIATE_CR4,
			       0x20));
	EXPECT_EQ(0x20, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_CR4));
	EXPECT_EQ(0, set_reg64(self->vp, HV_X64_REGISTER_INTERMEDIATE_CR8, 3));
	EXPECT_EQ(3, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_CR8));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg64(self->vp, HV_X64_REGISTER_INTERMEDIATE_CR8, 0x10));
}

/* x87 and SSE control registers, FP_MMX, PENDING_EVENT: 16 bytes exact */
TEST_F(regs, round_trip128)
{
	union hv_register_value v, w;
	unsigned int i;

	/* Reset: FCW 0x37f; MXCSR 0x1f80, mask 0xffff */
	ASSERT_EQ(0, get_reg(self->vp, HV_X64_REGISTER_FP_CONTROL_STATUS, &v));
	EXPECT_EQ(0x37f, v.reg64);
	EXPECT_EQ(0, v.reg128.high_part);
	ASSERT_EQ(0, get_reg(self->vp, HV_X64_REGISTER_XMM_CONTROL_STATUS, &v));
	EXPECT_EQ(0, v.reg128.low_part);
	EXPECT_EQ(0x0000ffff00001f80ULL, v.reg128.high_part);

	for (i = 0; i < 8; i++) {
		v.reg128.low_part = 0x8000000000000000ULL | i;
		v.reg128.high_part = 0x3fff + i;	/* exponent, sign 0 */
		EXPECT_EQ(0, set_reg(self->vp, HV_X64_REGISTER_FP_MMX0 + i, &v));
	}
	/* FCW 0x27f, FSW 0x3800, FTW 0xff, FOP 0x7ff, FIP 0x12345678 */
	v.reg128.low_part = 0x07ff00ff3800027fULL;
	v.reg128.high_part = 0x12345678;
	EXPECT_EQ(0, set_reg(self->vp, HV_X64_REGISTER_FP_CONTROL_STATUS, &v));
	/* FDP 0x9abc, MXCSR 0x1fa0, mask 0xffbf */
	v.reg128.low_part = 0x9abc;
	v.reg128.high_part = 0x0000ffbf00001fa0ULL;
	EXPECT_EQ(0, set_reg(self->vp, HV_X64_REGISTER_XMM_CONTROL_STATUS, &v));
	v.reg128.low_part = 0x00300000;	/* vector 0x30, not pending */
	v.reg128.high_part = 0x1234;
	EXPECT_EQ(0, set_reg(self->vp, HV_REGISTER_PENDING_EVENT1, &v));

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, get_reg(self->vp, HV_X64_REGISTER_FP_MMX0 + i, &w));
		EXPECT_EQ(0x8000000000000000ULL | i, w.reg128.low_part);
		EXPECT_EQ(0x3fff + i, w.reg128.high_part);
	}
	ASSERT_EQ(0, get_reg(self->vp, HV_X64_REGISTER_FP_CONTROL_STATUS, &w));
	EXPECT_EQ(0x07ff00ff3800027fULL, w.reg128.low_part);
	EXPECT_EQ(0x12345678, w.reg128.high_part);
	ASSERT_EQ(0, get_reg(self->vp, HV_X64_REGISTER_XMM_CONTROL_STATUS, &w));
	EXPECT_EQ(0x9abc, w.reg128.low_part);
	EXPECT_EQ(0x0000ffbf00001fa0ULL, w.reg128.high_part);
	ASSERT_EQ(0, get_reg(self->vp, HV_REGISTER_PENDING_EVENT0, &w));
	EXPECT_EQ(0, w.reg128.low_part);
	EXPECT_EQ(0, w.reg128.high_part);
	ASSERT_EQ(0, get_reg(self->vp, HV_REGISTER_PENDING_EVENT1, &w));
	EXPECT_EQ(0x00300000, w.reg128.low_part);
	EXPECT_EQ(0x1234, w.reg128.high_part);
}

/* Values and names hvsim refuses, and what does not exist */
TEST_F(regs, refused)
{
	static const struct {
		__u32 name;
		__u64 value;
	} bad[] = {
		{ HV_X64_REGISTER_MTRR_DEF_TYPE, 0x1000 },
		{ HV_X64_REGISTER_MTRR_PHYS_BASE0, 0x1000000000000ULL },
		{ HV_X64_REGISTER_MTRR_PHYS_MASK0, 0x400 },
		{ HV_X64_REGISTER_MTRR_PHYS_BASE0 + 8, 0 },
		{ HV_X64_REGISTER_TSC_AUX, 0x100000000ULL },
		{ HV_REGISTER_SVERSION, 1 },
		{ HV_REGISTER_VP_INDEX, 0 },
		{ HV_REGISTER_TIME_REF_COUNT, 0 },
		{ HV_REGISTER_SINT0, 0x5 },		/* unmasked, vector < 16 */
		{ HV_REGISTER_SINT0, 0x100030 },	/* proxy */
		{ HV_REGISTER_SCONTROL, 0x2 },
		{ HV_REGISTER_SIMP, 0x8002 },
		{ HV_X64_REGISTER_HYPERCALL, 0x5004 },
		{ HV_REGISTER_STIMER0_CONFIG, 0x2000 },	/* reserved bit 13 */
		{ HV_X64_REGISTER_U_CET, 0 },		/* no CET */
	};
	struct mshv_dbg_partition p0 = mshv_dbg_partition_get(self->id);
	union hv_register_value v = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  set_reg64(self->vp, bad[i].name, bad[i].value))
			TH_LOG("register %#x value %#llx", bad[i].name,
			       (unsigned long long)bad[i].value);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  get_reg(self->vp, HV_X64_REGISTER_MTRR_PHYS_MASK0 + 8, &v));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  get_reg(self->vp, HV_X64_REGISTER_U_CET, &v));
	EXPECT_EQ(p0.refused, mshv_dbg_partition_get(self->id).refused);

	/* A pending event would not be delivered: refused */
	v.reg128.low_part = 0x00300001;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg(self->vp, HV_REGISTER_PENDING_EVENT0, &v));
	/* MXCSR reserved bits */
	v.reg128.low_part = 0;
	v.reg128.high_part = 0x0000ffff00011f80ULL;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg(self->vp, HV_X64_REGISTER_XMM_CONTROL_STATUS, &v));

	/* Direct mode with a vector below 16 cannot be enabled */
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg64(self->vp, HV_REGISTER_STIMER0_CONFIG, 0x10F1));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_CONFIG));

	/* Synthetic timers run: enabling one is not refused */
	EXPECT_EQ(0, set_reg64(self->vp, HV_REGISTER_STIMER0_CONFIG, 0x30321));
	EXPECT_EQ(0x30321, mshv_vp_get_reg(self->vp,
					   HV_REGISTER_STIMER0_CONFIG));
	/* the VMM's COUNT write does not auto-enable (a restore's order) */
	EXPECT_EQ(0, set_reg64(self->vp, HV_REGISTER_STIMER0_CONFIG + 2, 0x8));
	EXPECT_EQ(0, set_reg64(self->vp, HV_REGISTER_STIMER0_COUNT + 2, 5));
	EXPECT_EQ(0x8, mshv_vp_get_reg(self->vp,
				       HV_REGISTER_STIMER0_CONFIG + 2));
	EXPECT_EQ(5, mshv_vp_get_reg(self->vp, HV_REGISTER_STIMER0_COUNT + 2));
	EXPECT_EQ(p0.refused, mshv_dbg_partition_get(self->id).refused);
}

/* Without the features, the synthetic registers do not exist */
TEST(synthetic_registers_need_features)
{
	static const __u32 names[] = {
		HV_X64_REGISTER_HYPERCALL, HV_REGISTER_GUEST_OS_ID,
		HV_REGISTER_VP_INDEX, HV_REGISTER_TIME_REF_COUNT,
		HV_REGISTER_REFERENCE_TSC, HV_REGISTER_SCONTROL,
		HV_REGISTER_SIMP, HV_REGISTER_SINT0, HV_REGISTER_EOM,
		HV_REGISTER_STIMER0_CONFIG, HV_REGISTER_VP_ASSIST_PAGE,
	};
	struct mshv_vm vm = { 0 };
	union hv_register_value v;
	struct mshv_vp *vp;
	unsigned int i;

	vm_with_features(&vm, 0x3);
	vp = mshv_vp_create(&vm, 0);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, get_reg(vp, names[i], &v))
			TH_LOG("register %#x", names[i]);
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, set_reg64(vp, names[i], 0))
			TH_LOG("register %#x", names[i]);
	}
	/* The architectural MSRs are there */
	EXPECT_EQ(0, get_reg(vp, HV_X64_REGISTER_MTRR_DEF_TYPE, &v));
	mshv_vp_free(vp);
	close(vm.fd);
	close(vm.dev_fd);
	munmap(vm.mem, vm.mem_size);
}

/* Run "rdmsr; hlt" or "wrmsr; hlt" at CODE_GPA in real mode */
static struct hv_message *guest_msr(struct mshv_vm *vm, struct mshv_vp *vp,
				    bool write, __u32 index, __u64 value)
{
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_IDTR, .value.table = { .limit = 0 } },
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = (__u32)value },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = value >> 32 },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = index },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
	};

	if (write)
		mshv_vm_write(vm, CODE_GPA, wrmsr_code,
			      MSHV_GUEST_SIZE(wrmsr_code));
	else
		mshv_vm_write(vm, CODE_GPA, rdmsr_code,
			      MSHV_GUEST_SIZE(rdmsr_code));
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
	return mshv_vp_run(vp);
}

static void guest_wrmsr(struct __test_metadata *_metadata, struct mshv_vm *vm,
			struct mshv_vp *vp, __u32 index, __u64 value)
{
	struct hv_message *msg = guest_msr(vm, vp, true, index, value);

	ASSERT_EQ(HVMSG_X64_HALT, msg->header.message_type)
		TH_LOG("WRMSR %#x: %s", index,
		       mshv_msg_type_name(msg->header.message_type));
}

static __u64 guest_rdmsr(struct __test_metadata *_metadata, struct mshv_vm *vm,
			 struct mshv_vp *vp, __u32 index)
{
	struct hv_message *msg = guest_msr(vm, vp, false, index, 0);

	EXPECT_EQ(HVMSG_X64_HALT, msg->header.message_type)
		TH_LOG("RDMSR %#x: %s", index,
		       mshv_msg_type_name(msg->header.message_type));
	return (mshv_vp_get_reg(vp, HV_X64_REGISTER_RAX) & 0xffffffff) |
	       mshv_vp_get_reg(vp, HV_X64_REGISTER_RDX) << 32;
}

/*
 * RDTSC and RDTSCP read the TSC, counting on from the value the VMM
 * set; RDTSCP also TSC_AUX into ECX.  EDX:EAX and ECX are zero-extended.
 */
TEST_F(regs, guest_rdtsc)
{
	static const struct {
		__u8 code[4];
		__u64 rcx;
	} runs[] = {
		{ { 0x0f, 0x31, 0xf4 }, ~0ULL },	/* rdtsc; hlt */
		{ { 0x0f, 0x01, 0xf9, 0xf4 }, 0x55 },	/* rdtscp; hlt */
	};
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_IDTR, .value.table = { .limit = 0 } },
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = ~0ULL },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = ~0ULL },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = ~0ULL },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
	};
	struct mshv_vm *vm = &self->vm;
	struct mshv_vp *vp = self->vp;
	struct hv_message *msg;
	__u64 rax, rdx;
	unsigned int i;

	mshv_vp_set_reg(vp, HV_X64_REGISTER_TSC, 0x123456789abcULL);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_TSC_AUX, 0x55);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	for (i = 0; i < ARRAY_SIZE(runs); i++) {
		mshv_vm_write(vm, CODE_GPA, runs[i].code, sizeof(runs[i].code));
		mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
		msg = mshv_vp_run(vp);
		ASSERT_EQ(HVMSG_X64_HALT, msg->header.message_type)
			TH_LOG("%s", mshv_msg_type_name(msg->header.message_type));
		rax = mshv_vp_get_reg(vp, HV_X64_REGISTER_RAX);
		rdx = mshv_vp_get_reg(vp, HV_X64_REGISTER_RDX);
		EXPECT_EQ(0ULL, rax >> 32);
		EXPECT_EQ(0ULL, rdx >> 32);
		/* the TSC counts on from the value set, at 1 GHz: < 100 s */
		EXPECT_LE(0x123456789abcULL, rdx << 32 | rax);
		EXPECT_GT(0x123456789abcULL + 100000000000ULL, rdx << 32 | rax);
		EXPECT_EQ(runs[i].rcx, mshv_vp_get_reg(vp, HV_X64_REGISTER_RCX));
		EXPECT_EQ(CODE_GPA + 2 + i,
			  mshv_vp_get_reg(vp, HV_X64_REGISTER_RIP));
	}
}

/* The guest's RDMSR/WRMSR and the VMM's registers share the storage */
TEST_F(regs, guest_msrs_shared)
{
	struct mshv_vm *vm = &self->vm;
	struct mshv_vp *vp = self->vp;
	__u64 t0, t1;

	mshv_vp_set_reg(vp, HV_X64_REGISTER_MTRR_PHYS_BASE0 + 3, 0xc0000000);
	EXPECT_EQ(0xc0000000, guest_rdmsr(_metadata, vm, vp, 0x206));
	guest_wrmsr(_metadata, vm, vp, 0x207, 0xffffc0000800ULL);
	EXPECT_EQ(0xffffc0000800ULL,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_MTRR_PHYS_MASK0 + 3));
	guest_wrmsr(_metadata, vm, vp, 0x26f, 0x0606060606060605ULL);
	EXPECT_EQ(0x0606060606060605ULL,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_MTRR_FIX4KF8000));
	EXPECT_EQ(0x508, guest_rdmsr(_metadata, vm, vp, 0xfe));
	guest_wrmsr(_metadata, vm, vp, 0x2ff, 0xc06);
	EXPECT_EQ(0xc06, mshv_vp_get_reg(vp, HV_X64_REGISTER_MTRR_DEF_TYPE));
	guest_wrmsr(_metadata, vm, vp, 0x3b, 0x42);
	EXPECT_EQ(0x42, mshv_vp_get_reg(vp, HV_X64_REGISTER_TSC_ADJUST));

	/* SynIC registers */
	guest_wrmsr(_metadata, vm, vp, 0x40000083, 0x8001);
	EXPECT_EQ(0x8001, mshv_vp_get_reg(vp, HV_REGISTER_SIMP));
	guest_wrmsr(_metadata, vm, vp, 0x40000093, 0x40);
	EXPECT_EQ(0x40, mshv_vp_get_reg(vp, HV_REGISTER_SINT0 + 3));
	mshv_vp_set_reg(vp, HV_REGISTER_SCONTROL, 1);
	EXPECT_EQ(1, guest_rdmsr(_metadata, vm, vp, 0x40000080));
	EXPECT_EQ(1, guest_rdmsr(_metadata, vm, vp, 0x40000081));
	EXPECT_EQ(0x10000, guest_rdmsr(_metadata, vm, vp, 0x4000009f));

	/* VP index, frequencies, reference counter */
	EXPECT_EQ(0, guest_rdmsr(_metadata, vm, vp, 0x40000002));
	EXPECT_EQ(1000000000, guest_rdmsr(_metadata, vm, vp, 0x40000022));
	EXPECT_EQ(1000000000, guest_rdmsr(_metadata, vm, vp, 0x40000023));
	t0 = guest_rdmsr(_metadata, vm, vp, 0x40000020);
	usleep(20000);
	t1 = mshv_vp_get_reg(vp, HV_REGISTER_TIME_REF_COUNT);
	EXPECT_LE(t0 + 200000, t1);	/* 20 ms in 100 ns units */
	EXPECT_GT(t0 + 100000000, t1);	/* less than 10 s */
	EXPECT_LT(0, t0);
}

/* What the hypercall page holds once enabled */
MSHV_GUEST_CODE(vmcall_ret, 64,
		"	vmcall\n"
		"	ret\n");

/*
 * The hypercall page: not enabled before GUEST_OS_ID is set; then the
 * calling sequence is written; LOCKED makes later writes a #GP (the guest
 * has no IVT: triple fault).  The reference TSC page reads TscSequence 0.
 */
TEST_F(regs, hypercall_and_tsc_pages)
{
	struct mshv_vm *vm = &self->vm;
	struct mshv_vp *vp = self->vp;
	__u8 *mem = vm->mem;
	struct hv_message *msg;

	memset(mem + HYPERCALL_GPA, 0xcc, MSHV_PAGE_SIZE);
	memset(mem + REF_TSC_GPA, 0xcc, MSHV_PAGE_SIZE);
	guest_wrmsr(_metadata, vm, vp, 0x40000001, HYPERCALL_GPA | 1);
	EXPECT_EQ(HYPERCALL_GPA,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_HYPERCALL));
	EXPECT_EQ(0xcc, mem[HYPERCALL_GPA]);

	guest_wrmsr(_metadata, vm, vp, 0x40000000, 0x8100000000001234ULL);
	EXPECT_EQ(0x8100000000001234ULL,
		  mshv_vp_get_reg(vp, HV_REGISTER_GUEST_OS_ID));
	guest_wrmsr(_metadata, vm, vp, 0x40000001, HYPERCALL_GPA | 3);
	EXPECT_EQ(HYPERCALL_GPA | 3,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_HYPERCALL));
	EXPECT_EQ(0, memcmp(mem + HYPERCALL_GPA, vmcall_ret,
			    MSHV_GUEST_SIZE(vmcall_ret)));
	EXPECT_EQ(0xcc, mem[HYPERCALL_GPA + MSHV_GUEST_SIZE(vmcall_ret)]);
	EXPECT_EQ(HYPERCALL_GPA | 3, guest_rdmsr(_metadata, vm, vp, 0x40000001));

	guest_wrmsr(_metadata, vm, vp, 0x40000021, REF_TSC_GPA | 1);
	EXPECT_EQ(REF_TSC_GPA | 1,
		  mshv_vp_get_reg(vp, HV_REGISTER_REFERENCE_TSC));
	EXPECT_TRUE(!memchr(mem + REF_TSC_GPA, 0xcc, 24));
	EXPECT_EQ(0xcc, mem[REF_TSC_GPA + 24]);

	/* Locked */
	msg = guest_msr(vm, vp, true, 0x40000001, 0);
	EXPECT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type);
	EXPECT_EQ(HYPERCALL_GPA | 3,
		  mshv_vp_get_reg(vp, HV_X64_REGISTER_HYPERCALL));
}

/*
 * A synthetic timer the guest enables runs (mshv_guest_time_test); a
 * COUNT of 0 disables it, AUTO_ENABLE and a COUNT enable it; a
 * direct-mode vector below 16 is a #GP
 */
TEST_F(regs, guest_timer_enable)
{
	struct mshv_dbg_partition p0 = mshv_dbg_partition_get(self->id);
	struct hv_message *msg;

	guest_wrmsr(_metadata, &self->vm, self->vp, 0x400000b1, 1ULL << 40);
	guest_wrmsr(_metadata, &self->vm, self->vp, 0x400000b0, 0x30321);
	EXPECT_EQ(0x30321, mshv_vp_get_reg(self->vp,
					   HV_REGISTER_STIMER0_CONFIG));
	guest_wrmsr(_metadata, &self->vm, self->vp, 0x400000b1, 0);
	EXPECT_EQ(0x30320, mshv_vp_get_reg(self->vp,
					   HV_REGISTER_STIMER0_CONFIG));
	guest_wrmsr(_metadata, &self->vm, self->vp, 0x400000b0, 0x30328);
	guest_wrmsr(_metadata, &self->vm, self->vp, 0x400000b1, 1ULL << 40);
	EXPECT_EQ(0x30329, mshv_vp_get_reg(self->vp,
					   HV_REGISTER_STIMER0_CONFIG));
	msg = guest_msr(&self->vm, self->vp, true, 0x400000b2, 0x10F1);
	EXPECT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type);
	EXPECT_EQ(p0.refused, mshv_dbg_partition_get(self->id).refused);
}

/* Reading GUEST_IDLE (the guest idle state) is refused the same way */
TEST_F(regs, guest_idle_refused)
{
	struct mshv_dbg_partition p0 = mshv_dbg_partition_get(self->id);
	struct hv_message *msg;

	msg = guest_msr(&self->vm, self->vp, false, 0x400000f0, 0);
	EXPECT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type);
	EXPECT_EQ(p0.refused + 1, mshv_dbg_partition_get(self->id).refused);
}

TEST_HARNESS_MAIN
