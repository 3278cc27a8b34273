// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID and MSR intercepts through MSHV_ROOT_HVCALL and MSHV_RUN_VP:
 * INSTALL_INTERCEPT (CPUID, GLOBAL_CPUID, MSR, MSR_INDEX, I/O port),
 * REGISTER_INTERCEPT_RESULT (CPUID), GET_VP_CPUID_VALUES, hvsim's default
 * CPUID model, the MSRs hvsim implements and UNIMPLEMENTED_MSR_ACTION,
 * with a real-mode guest that runs "cpuid; hlt", "rdmsr; hlt" or
 * "wrmsr; hlt".  Message fields and register values are exact.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mshv_test.h"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "mshv_debugfs.h"

#define MEM_SIZE	0x10000ULL	/* guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL

#define MSR_TSC		0x10
#define MSR_APIC_BASE	0x1b
#define MSR_PAT		0x277
#define MSR_EFER	0xc0000080
#define MSR_LSTAR	0xc0000082
#define MSR_UNKNOWN	0x1234

/* hvsim's table sizes (hvsim_intercept.c) */
#define MAX_CPUID_INTERCEPTS	64

MSHV_GUEST_CODE(cpuid_code, 16,
		"	cpuid\n"
		"cpuid_hlt:\n"
		"	hlt\n");
MSHV_GUEST_CODE(rdmsr_code, 16,
		"	rdmsr\n"
		"rdmsr_hlt:\n"
		"	hlt\n");
MSHV_GUEST_CODE(wrmsr_code, 16,
		"	wrmsr\n"
		"wrmsr_hlt:\n"
		"	hlt\n");
MSHV_GUEST_LABEL(cpuid_hlt);
MSHV_GUEST_LABEL(rdmsr_hlt);
MSHV_GUEST_LABEL(wrmsr_hlt);
#define CPUID_HLT_GPA	(CODE_GPA + MSHV_GUEST_OFFSET(cpuid_code, cpuid_hlt))
#define RDMSR_HLT_GPA	(CODE_GPA + MSHV_GUEST_OFFSET(rdmsr_code, rdmsr_hlt))
#define WRMSR_HLT_GPA	(CODE_GPA + MSHV_GUEST_OFFSET(wrmsr_code, wrmsr_hlt))

FIXTURE(icpt)
{
	struct mshv_vm *vm;
	struct mshv_vp *vp;
};

FIXTURE_SETUP(icpt)
{
	self->vm = mshv_vm_create();
	mshv_vm_add_memory(self->vm, 0, MEM_SIZE);
	self->vp = mshv_vp_create(self->vm, 0);
}

FIXTURE_TEARDOWN(icpt)
{
	mshv_vp_free(self->vp);
	mshv_vm_free(self->vm);
}

static int install(struct mshv_vm *vm, __u32 type, __u32 access,
		   __u64 param, __u16 *status)
{
	struct hv_input_install_intercept in = {
		.access_type = access,
		.intercept_type = type,
		.intercept_parameter = param,
	};

	return mshv_hvcall_in(vm->fd, HVCALL_INSTALL_INTERCEPT, &in,
			      sizeof(in), status);
}

static void install_ok(struct mshv_vm *vm, __u32 type, __u32 access,
		       __u64 param)
{
	__u16 status;
	int ret = install(vm, type, access, param, &status);

	MSHV_TEST_ASSERT(!ret && !status, "INSTALL_INTERCEPT %u: %d %#x",
			 type, ret, status);
}

static int register_result(struct mshv_vm *vm, __u32 vp_index, __u32 type,
			   const struct hv_register_x64_cpuid_result_parameters *p,
			   __u16 *status)
{
	struct hv_input_register_intercept_result in = {
		.vp_index = vp_index,
		.intercept_type = type,
		.parameters.cpuid = *p,
	};
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in,
				 HV_INPUT_REGISTER_INTERCEPT_RESULT_SIZE, NULL,
				 0);
	int ret = __mshv_hvcall(vm->fd, &args);

	*status = args.status;
	return ret ? -errno : 0;
}

static void register_ok(struct mshv_vm *vm, __u32 vp_index,
			const struct hv_register_x64_cpuid_result_parameters *p)
{
	__u16 status;
	int ret = register_result(vm, vp_index, HV_INTERCEPT_TYPE_X64_CPUID, p,
				  &status);

	MSHV_TEST_ASSERT(!ret && !status, "REGISTER_INTERCEPT_RESULT: %d %#x",
			 ret, status);
}

/* GET_VP_CPUID_VALUES for @n leaves; returns 0 or -errno */
static int cpuid_values(struct mshv_vm *vm, __u32 vp_index, __u32 flags,
			__u32 reserved, const __u32 (*leaves)[2], unsigned int n,
			struct hv_cpuid_result *out, __u16 *status)
{
	struct {
		struct hv_input_get_vp_cpuid_values hdr;
		struct hv_cpuid_leaf_info info[16];
	} in = { .hdr = { .vp_index = vp_index, .flags = flags,
			  .reserved = reserved } };
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_VP_CPUID_VALUES, n, &in,
				 sizeof(in.hdr) + n * sizeof(in.info[0]), out,
				 n * sizeof(*out));
	unsigned int i;
	int ret;

	MSHV_TEST_ASSERT(n <= 16, "too many leaves");
	for (i = 0; i < n; i++) {
		in.info[i].eax = leaves[i][0];
		in.info[i].ecx = leaves[i][1];
	}
	ret = __mshv_hvcall(vm->fd, &args);
	*status = args.status;
	if (!ret)
		MSHV_TEST_ASSERT(args.reps == n, "reps %u", args.reps);
	return ret ? -errno : 0;
}

static struct hv_cpuid_result cpuid_value(struct mshv_vm *vm, __u32 vp_index,
					  __u32 flags, __u32 eax, __u32 ecx)
{
	const __u32 leaf[1][2] = { { eax, ecx } };
	struct hv_cpuid_result r;
	__u16 status;
	int ret = cpuid_values(vm, vp_index, flags, 0, leaf, 1, &r, &status);

	MSHV_TEST_ASSERT(!ret && !status, "GET_VP_CPUID_VALUES: %d %#x", ret,
			 status);
	return r;
}

static void set_property(struct mshv_vm *vm, __u32 code, __u64 value)
{
	__u16 status;
	int ret = mshv_set_partition_property(vm->fd, code, value, &status);

	MSHV_TEST_ASSERT(!ret && !status, "SET_PARTITION_PROPERTY %#x: %#x",
			 code, status);
}

/*
 * Real mode, CS base 0, at @code with the four GPRs given; no IVT (limit
 * 0), so a fault the guest takes ends in a triple fault
 */
static void setup(struct mshv_vm *vm, struct mshv_vp *vp, const __u8 *code,
		  const __u8 *code_end, __u64 rax, __u64 rbx, __u64 rcx,
		  __u64 rdx)
{
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_IDTR, .value.table = { .limit = 0 } },
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = rax },
		{ .name = HV_X64_REGISTER_RBX, .value.reg64 = rbx },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = rcx },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = rdx },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CODE_GPA },
	};

	mshv_vm_write(vm, CODE_GPA, code, code_end - code);
	mshv_vp_set_real_mode_cs(vp, 0, 0);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
}

/* Run to the HLT after the instruction at CODE_GPA */
static void run_to_hlt(struct __test_metadata *_metadata, struct mshv_vp *vp,
		       __u64 hlt_gpa)
{
	const struct hv_x64_halt_message *halt;
	struct hv_message *msg = mshv_vp_run(vp);

	ASSERT_EQ(HVMSG_X64_HALT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	halt = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(hlt_gpa, halt->header.rip);
}

/* Run "cpuid; hlt" for @eax/@ecx and return what the guest got */
static struct hv_cpuid_result guest_cpuid(struct __test_metadata *_metadata,
					  struct mshv_vm *vm,
					  struct mshv_vp *vp, __u32 eax,
					  __u32 ecx)
{
	static const __u32 names[] = {
		HV_X64_REGISTER_RAX, HV_X64_REGISTER_RBX,
		HV_X64_REGISTER_RCX, HV_X64_REGISTER_RDX,
	};
	union hv_register_value v[4];
	struct hv_cpuid_result r;

	/* Upper halves set: CPUID clears them */
	setup(vm, vp, cpuid_code, cpuid_code_end,
	      0xaaaaaaaa00000000ULL | eax, ~0ULL, 0xcccccccc00000000ULL | ecx,
	      ~0ULL);
	run_to_hlt(_metadata, vp, CPUID_HLT_GPA);
	mshv_vp_get_registers(vp, names, v, 4);
	EXPECT_EQ(0, v[0].reg64 >> 32);
	EXPECT_EQ(0, v[1].reg64 >> 32);
	EXPECT_EQ(0, v[2].reg64 >> 32);
	EXPECT_EQ(0, v[3].reg64 >> 32);
	r.eax = v[0].reg64;
	r.ebx = v[1].reg64;
	r.ecx = v[2].reg64;
	r.edx = v[3].reg64;
	return r;
}

static void expect_result(struct __test_metadata *_metadata,
			  struct hv_cpuid_result r, __u32 eax, __u32 ebx,
			  __u32 ecx, __u32 edx)
{
	EXPECT_EQ(eax, r.eax);
	EXPECT_EQ(ebx, r.ebx);
	EXPECT_EQ(ecx, r.ecx);
	EXPECT_EQ(edx, r.edx);
}

static void check_header(struct __test_metadata *_metadata,
			 const struct hv_x64_intercept_message_header *h,
			 __u8 access)
{
	EXPECT_EQ(0, h->vp_index);
	EXPECT_EQ(2, h->instruction_length_cr8 &
		  HV_X64_INSTRUCTION_LENGTH_MASK);
	EXPECT_EQ(access, h->intercept_access_type);
	EXPECT_EQ(CODE_GPA, h->rip);
	EXPECT_EQ(0ULL, h->cs_segment.base);
	EXPECT_EQ(MSHV_RFLAGS_RESET, h->rflags);
}

/* GET_VP_CPUID_VALUES of VP 0 answers what the guest reads, leaf by leaf */
static void expect_cpuid_values(struct __test_metadata *_metadata,
				struct mshv_vm *vm, struct mshv_vp *vp,
				const __u32 (*leaves)[2], unsigned int n)
{
	struct hv_cpuid_result r, v[16];
	unsigned int i;
	__u16 status;

	ASSERT_GE(ARRAY_SIZE(v), n);
	ASSERT_EQ(0, cpuid_values(vm, 0, 0, 0, leaves, n, v, &status));
	for (i = 0; i < n; i++) {
		r = guest_cpuid(_metadata, vm, vp, leaves[i][0], leaves[i][1]);
		EXPECT_EQ(0, memcmp(&r, &v[i], sizeof(r)))
			TH_LOG("leaf %#x.%u", leaves[i][0], leaves[i][1]);
	}
}

/* The default model as the guest and GET_VP_CPUID_VALUES see it */
TEST_F(icpt, cpuid_default_model)
{
	const __u32 leaves[][2] = {
		{ 0, 0 }, { 1, 0 }, { 2, 0 }, { 0x40000000, 0 },
		{ 0x40000001, 0 }, { 0x40000003, 0 }, { 0x40000005, 0 },
		{ 0x40000006, 0 }, { 0x80000000, 0 }, { 0x80000001, 0 },
		{ 0x80000002, 0 }, { 7, 1 }, { 0xd, 0 }, { 0xd, 1 },
		{ 0xd, 2 }, { 0xe, 0 },
	};
	struct hv_cpuid_result r;
	char vendor[13] = {};

	r = guest_cpuid(_metadata, self->vm, self->vp, 0, 0);
	EXPECT_EQ(0xd, r.eax);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	EXPECT_STREQ("HvSimHvSimHv", vendor);

	r = guest_cpuid(_metadata, self->vm, self->vp, 1, 0);
	expect_result(_metadata, r, 0x663, 0x00010800, 0x85802000, 0x07018371);

	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000000, 0);
	EXPECT_EQ(0x40000005, r.eax);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.ecx, 4);
	memcpy(vendor + 8, &r.edx, 4);
	EXPECT_STREQ("Microsoft Hv", vendor);

	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000001, 0);
	expect_result(_metadata, r, 0x31237648, 0, 0, 0);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x80000001, 0);
	expect_result(_metadata, r, 0, 0, 0, 0x20100000);
	r = guest_cpuid(_metadata, self->vm, self->vp, 2, 0);
	expect_result(_metadata, r, 0, 0, 0, 0);

	expect_cpuid_values(_metadata, self->vm, self->vp, leaves,
			    ARRAY_SIZE(leaves));
}

/* A CPUID intercept: message fields, completion by the VMM */
TEST_F(icpt, cpuid_intercept)
{
	const struct hv_x64_cpuid_intercept_message *m;
	struct hv_message *msg;
	struct hv_cpuid_result r;
	struct hv_register_assoc done[] = {
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = 0x11 },
		{ .name = HV_X64_REGISTER_RBX, .value.reg64 = 0x22 },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = 0x33 },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = 0x44 },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = CPUID_HLT_GPA },
	};

	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_CPUID,
		   HV_INTERCEPT_ACCESS_MASK_EXECUTE, 1);
	setup(self->vm, self->vp, cpuid_code, cpuid_code_end, 1, 0xb0b,
	      0x5, 0xd0d);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_CPUID_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(104, msg->header.payload_size);
	m = (const void *)msg->u.payload_bytes;
	check_header(_metadata, &m->header, HV_INTERCEPT_ACCESS_EXECUTE);
	EXPECT_EQ(1, m->rax);
	EXPECT_EQ(0x5, m->rcx);
	EXPECT_EQ(0xd0d, m->rdx);
	EXPECT_EQ(0xb0b, m->rbx);
	EXPECT_EQ(0x663, m->default_result_rax);
	EXPECT_EQ(0x00010800, m->default_result_rbx);
	EXPECT_EQ(0x85802000, m->default_result_rcx);
	EXPECT_EQ(0x07018371, m->default_result_rdx);
	/* Not retired */
	EXPECT_EQ(CODE_GPA, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	EXPECT_EQ(1, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));

	/* The VMM completes it: registers and RIP + 2 */
	mshv_vp_set_registers(self->vp, done, ARRAY_SIZE(done));
	run_to_hlt(_metadata, self->vp, CPUID_HLT_GPA);
	EXPECT_EQ(0x11, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));
	EXPECT_EQ(0x22, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RBX));
	EXPECT_EQ(0x33, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RCX));
	EXPECT_EQ(0x44, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RDX));

	/* Other leaves are answered by hvsim */
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x80000000, 0);
	expect_result(_metadata, r, 0x80000001, 0, 0, 0);

	/* Access mask NONE removes the intercept */
	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_CPUID,
		   HV_INTERCEPT_ACCESS_MASK_NONE, 1);
	r = guest_cpuid(_metadata, self->vm, self->vp, 1, 0);
	EXPECT_EQ(0x663, r.eax);
}

/* GLOBAL_CPUID intercepts every leaf, and default results are merged */
TEST_F(icpt, cpuid_global_intercept)
{
	struct hv_register_x64_cpuid_result_parameters p = {
		.input = { .eax = 0x40000001 },
		.result = { .ebx = 0x1234, .ebx_mask = 0xffff },
	};
	const struct hv_x64_cpuid_intercept_message *m;
	struct hv_message *msg;
	struct hv_cpuid_result r;

	register_ok(self->vm, 0, &p);
	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID,
		   HV_INTERCEPT_ACCESS_MASK_EXECUTE, 0);
	setup(self->vm, self->vp, cpuid_code, cpuid_code_end, 0x40000001,
	      0, 0, 0);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_CPUID_INTERCEPT, msg->header.message_type);
	m = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x40000001, m->rax);
	EXPECT_EQ(0x31237648, m->default_result_rax);
	EXPECT_EQ(0x1234, m->default_result_rbx);
	EXPECT_EQ(0, m->default_result_rcx);
	EXPECT_EQ(0, m->default_result_rdx);

	setup(self->vm, self->vp, cpuid_code, cpuid_code_end, 0x12345678,
	      0, 0, 0);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_CPUID_INTERCEPT, msg->header.message_type);
	m = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(0x12345678, m->rax);
	EXPECT_EQ(0, m->default_result_rax);

	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID,
		   HV_INTERCEPT_ACCESS_MASK_NONE, 0);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000001, 0);
	expect_result(_metadata, r, 0x31237648, 0x1234, 0, 0);
}

/* Registered results: masks, subleaves, always_override, per VP */
TEST_F(icpt, cpuid_registered_results)
{
	struct hv_register_x64_cpuid_result_parameters leaf1 = {
		.input = { .eax = 1 },
		.result = { .eax = 0xffffffff, .eax_mask = 0xff00,
			    .ecx = 0, .ecx_mask = 0x80000000,
			    .edx = 0x12345678, .edx_mask = 0 },
	}, sub = {
		.input = { .eax = 0x40000001, .ecx = 5,
			   .subleaf_specific = 1 },
		.result = { .edx = 0xabcd, .edx_mask = 0xffffffff },
	}, out_of_range = {
		.input = { .eax = 0xe },
		.result = { .ebx = 0x99, .ebx_mask = 0xff },
	};
	const __u32 apply = HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES;
	struct mshv_vp *vp1 = mshv_vp_create(self->vm, 1);
	struct hv_cpuid_result r;

	register_ok(self->vm, 0, &leaf1);
	register_ok(self->vm, 0, &sub);
	register_ok(self->vm, 0, &out_of_range);

	r = guest_cpuid(_metadata, self->vm, self->vp, 1, 0);
	expect_result(_metadata, r, 0xff63, 0x00010800, 0x05802000, 0x07018371);
	r = cpuid_value(self->vm, 0, apply, 1, 0);
	expect_result(_metadata, r, 0xff63, 0x00010800, 0x05802000, 0x07018371);
	r = cpuid_value(self->vm, 0, 0, 1, 0);
	expect_result(_metadata, r, 0x663, 0x00010800, 0x85802000,
		      0x07018371);
	/* VP 1 has nothing registered; its APIC id is 1 */
	r = cpuid_value(self->vm, 1, apply, 1, 0);
	expect_result(_metadata, r, 0x663, 0x01010800, 0x85802000,
		      0x07018371);

	/* Subleaf-specific: only ECX 5 */
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000001, 5);
	expect_result(_metadata, r, 0x31237648, 0, 0, 0xabcd);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000001, 4);
	expect_result(_metadata, r, 0x31237648, 0, 0, 0);

	/* Leaf 0xe is beyond the model's maximum: applied only with override */
	r = guest_cpuid(_metadata, self->vm, self->vp, 0xe, 0);
	expect_result(_metadata, r, 0, 0, 0, 0);
	out_of_range.input.always_override = 1;
	register_ok(self->vm, 0, &out_of_range);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0xe, 0);
	expect_result(_metadata, r, 0, 0x99, 0, 0);
	r = cpuid_value(self->vm, 0, apply, 0xe, 3);
	expect_result(_metadata, r, 0, 0x99, 0, 0);

	/* A leaf-wide result applies to subleaves without their own */
	sub.input.subleaf_specific = 0;
	sub.input.ecx = 0;
	sub.result.edx = 0x1;
	register_ok(self->vm, 0, &sub);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000001, 4);
	EXPECT_EQ(0x1, r.edx);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0x40000001, 5);
	EXPECT_EQ(0xabcd, r.edx);

	/* All masks zero removes a result */
	memset(&leaf1.result, 0, sizeof(leaf1.result));
	register_ok(self->vm, 0, &leaf1);
	r = guest_cpuid(_metadata, self->vm, self->vp, 1, 0);
	EXPECT_EQ(0x663, r.eax);
	EXPECT_EQ(0x85802000, r.ecx);
	mshv_vp_free(vp1);
}

/* The value a result of the capacity tests holds for leaf/subleaf @n */
static struct hv_register_x64_cpuid_result_parameters
numbered_result(__u32 eax, __u32 ecx, bool subleaf, __u32 n)
{
	struct hv_register_x64_cpuid_result_parameters p = {
		.input = { .eax = eax, .ecx = ecx, .subleaf_specific = subleaf,
			   .always_override = 1 },
		.result = { .eax = n, .eax_mask = ~0U, .ebx = ~n,
			    .ebx_mask = ~0U, .ecx = n << 8, .ecx_mask = ~0U,
			    .edx = eax ^ ecx, .edx_mask = ~0U },
	};

	return p;
}

/* The leaves a VMM such as QEMU registers for each VP */
#define QEMU_LEAVES	(0xd + 0x40 + 11)	/* 0-0xc, 0xd.0-0x3f, ext 0-0xa */

static void qemu_leaf(unsigned int i, __u32 *eax, __u32 *ecx, bool *subleaf)
{
	*ecx = 0;
	*subleaf = false;
	if (i < 0xd) {
		*eax = i;
	} else if (i < 0xd + 0x40) {
		*eax = 0xd;
		*ecx = i - 0xd;
		*subleaf = true;
	} else {
		*eax = 0x80000000 + i - 0xd - 0x40;
	}
}

/*
 * Every leaf and subleaf a VMM registers, for every VP: 88 results on each
 * of two VPs, each read back exactly; they take one pool page per VP.
 */
TEST_F(icpt, cpuid_results_every_vp)
{
	const __u32 apply = HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES;
	struct mshv_vp *vp1 = mshv_vp_create(self->vm, 1);
	struct mshv_dbg_partition before, after;
	__u64 id = mshv_dbg_newest_partition();
	struct hv_register_x64_cpuid_result_parameters p;
	struct hv_cpuid_result r;
	unsigned int i, v;
	__u32 eax, ecx;
	bool subleaf;

	before = mshv_dbg_partition_get(id);
	for (v = 0; v < 2; v++) {
		for (i = 0; i < QEMU_LEAVES; i++) {
			qemu_leaf(i, &eax, &ecx, &subleaf);
			p = numbered_result(eax, ecx, subleaf, v << 16 | i);
			register_ok(self->vm, v, &p);
		}
	}
	after = mshv_dbg_partition_get(id);
	EXPECT_EQ(before.pool_pages, after.pool_pages);
	EXPECT_EQ(before.pool_free - 2, after.pool_free);
	for (v = 0; v < 2; v++) {
		for (i = 0; i < QEMU_LEAVES; i++) {
			qemu_leaf(i, &eax, &ecx, &subleaf);
			r = cpuid_value(self->vm, v, apply, eax, ecx);
			expect_result(_metadata, r, v << 16 | i, ~(v << 16 | i),
				      (v << 16 | i) << 8, eax ^ ecx);
		}
	}
	/* The guest of VP 0 sees them too */
	r = guest_cpuid(_metadata, self->vm, self->vp, 0xd, 0x3f);
	expect_result(_metadata, r, 0xd + 0x3f, ~(0xd + 0x3f),
		      (0xd + 0x3f) << 8, 0xd ^ 0x3f);
	mshv_vp_free(vp1);
}

/*
 * Results beyond what the pool holds: the call that needs a page the pool
 * does not have fails with INSUFFICIENT_MEMORY, the driver deposits once
 * and retries, and every result stays readable.  Thousands of calls: a
 * debug kernel under TCG needs more than the default 30 s.
 */
TEST_F_TIMEOUT(icpt, cpuid_results_deposit, 300)
{
	const __u32 apply = HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES;
	const unsigned int per_page = 92;
	__u64 id = mshv_dbg_newest_partition();
	struct hv_register_x64_cpuid_result_parameters p;
	struct mshv_hc_count dep0, reg0, dep, reg;
	struct mshv_dbg_partition pt;
	struct hv_cpuid_result r;
	unsigned int i, n;

	pt = mshv_dbg_partition_get(id);
	ASSERT_LT(0, pt.pool_free);
	n = (pt.pool_free + 1) * per_page;
	dep0 = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	reg0 = mshv_dbg_hypercall_get(HVCALL_REGISTER_INTERCEPT_RESULT);
	for (i = 0; i < n; i++) {
		p = numbered_result(0x100000 + i, 0, false, i);
		register_ok(self->vm, 0, &p);
	}
	dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	reg = mshv_dbg_hypercall_get(HVCALL_REGISTER_INTERCEPT_RESULT);
	EXPECT_EQ(1, dep.calls - dep0.calls);
	EXPECT_EQ(n + 1, reg.calls - reg0.calls);
	for (i = 0; i < n; i += 997) {
		r = cpuid_value(self->vm, 0, apply, 0x100000 + i, 0);
		expect_result(_metadata, r, i, ~i, i << 8, 0x100000 + i);
	}
	r = cpuid_value(self->vm, 0, apply, 0x100000 + n - 1, 0);
	expect_result(_metadata, r, n - 1, ~(n - 1), (n - 1) << 8,
		      0x100000 + n - 1);
}

/* Errors of INSTALL_INTERCEPT, REGISTER_INTERCEPT_RESULT, GET_VP_CPUID_VALUES */
TEST_F(icpt, errors)
{
	struct hv_register_x64_cpuid_result_parameters p = {
		.input = { .eax = 1 },
		.result = { .eax = 1, .eax_mask = 1 },
	};
	const __u32 leaf[1][2] = { { 0, 0 } };
	struct hv_cpuid_result r;
	__u16 status;
	unsigned int i;

	/* INSTALL_INTERCEPT */
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_EXCEPTION, 4,
				   32, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_MMIO, 1, 0,
				   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_MAX, 1, 0,
				   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_X64_CPUID,
				   HV_INTERCEPT_ACCESS_MASK_READ, 1, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_X64_CPUID, 4,
				   1ULL << 32, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_X64_MSR,
				   HV_INTERCEPT_ACCESS_MASK_EXECUTE, 0,
				   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_X64_MSR, 1, 5,
				   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, install(self->vm, HV_INTERCEPT_TYPE_X64_IO_PORT, 1,
				   0x10000, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(0, install(self->vm, HV_INTERCEPT_TYPE_X64_IO_PORT, 3, 0x3f8,
			     &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	/* A full CPUID-leaf table */
	for (i = 0; i < MAX_CPUID_INTERCEPTS; i++)
		install_ok(self->vm, HV_INTERCEPT_TYPE_X64_CPUID, 4,
			   0x100 + i);
	EXPECT_EQ(-EIO, install(self->vm, HV_INTERCEPT_TYPE_X64_CPUID, 4, 0,
				&status));
	EXPECT_EQ(HV_STATUS_INSUFFICIENT_BUFFERS, status);
	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_CPUID, 4, 0x100);

	/* REGISTER_INTERCEPT_RESULT */
	EXPECT_EQ(-EINVAL, register_result(self->vm, 0,
					   HV_INTERCEPT_TYPE_X64_MSR, &p,
					   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, register_result(self->vm, 0,
					   HV_INTERCEPT_TYPE_X64_MSR_INDEX, &p,
					   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, register_result(self->vm, 1,
					   HV_INTERCEPT_TYPE_X64_CPUID, &p,
					   &status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
	p.input.padding = 1;
	EXPECT_EQ(-EINVAL, register_result(self->vm, 0,
					   HV_INTERCEPT_TYPE_X64_CPUID, &p,
					   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	p.input.padding = 0;
	p.input.subleaf_specific = 2;
	EXPECT_EQ(-EINVAL, register_result(self->vm, 0,
					   HV_INTERCEPT_TYPE_X64_CPUID, &p,
					   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	p.input.subleaf_specific = 0;
	p.input.always_override = 2;
	EXPECT_EQ(-EINVAL, register_result(self->vm, 0,
					   HV_INTERCEPT_TYPE_X64_CPUID, &p,
					   &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	p.input.always_override = 0;
	/* None of the failed calls registered anything */
	r = cpuid_value(self->vm, 0, HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES,
			1, 0);
	EXPECT_EQ(0x663, r.eax);

	/* GET_VP_CPUID_VALUES */
	EXPECT_EQ(-EINVAL, cpuid_values(self->vm, 0, 4, 0, leaf, 1, &r,
					&status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, cpuid_values(self->vm, 0, 0, 1, leaf, 1, &r,
					&status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, cpuid_values(self->vm, 3, 0, 0, leaf, 1, &r,
					&status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
	r = cpuid_value(self->vm, 0, HV_GET_VP_CPUID_VALUES_FLAGS_MASK, 0, 0);
	EXPECT_EQ(0xd, r.eax);
}

/*
 * The first INSTALL_INTERCEPT takes a page from the partition's pool: an
 * injected INSUFFICIENT_MEMORY is answered by a deposit and a retry.
 */
TEST_F(icpt, install_insufficient_memory)
{
	struct mshv_hc_count dep, inst;
	__u16 status;

	if (mshv_dbg_inject("clear"))
		SKIP(return, "no hvsim debugfs: not running on hvsim");
	dep = mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY);
	inst = mshv_dbg_hypercall_get(HVCALL_INSTALL_INTERCEPT);
	ASSERT_EQ(0, mshv_dbg_inject("fail 0x4d 1 0xb"));
	EXPECT_EQ(0, install(self->vm, HV_INTERCEPT_TYPE_X64_CPUID, 4, 1,
			     &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	mshv_dbg_inject("clear");
	EXPECT_EQ(2, mshv_dbg_hypercall_get(HVCALL_INSTALL_INTERCEPT).calls -
		  inst.calls);
	EXPECT_EQ(1, mshv_dbg_hypercall_get(HVCALL_DEPOSIT_MEMORY).calls -
		  dep.calls);
	setup(self->vm, self->vp, cpuid_code, cpuid_code_end, 1, 0, 0, 0);
	EXPECT_EQ(HVMSG_X64_CPUID_INTERCEPT,
		  mshv_vp_run(self->vp)->header.message_type);
}

/* MSR intercepts: READ and WRITE, per index and for all MSRs */
TEST_F(icpt, msr_intercept)
{
	const struct hv_x64_msr_intercept_message *m;
	struct hv_message *msg;
	__u64 tsc, rdmsr;

	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_MSR_INDEX,
		   HV_INTERCEPT_ACCESS_MASK_READ, MSR_TSC);

	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, 0x1111,
	      0, MSR_TSC, 0x2222);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_MSR_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(64, msg->header.payload_size);
	m = (const void *)msg->u.payload_bytes;
	check_header(_metadata, &m->header, HV_INTERCEPT_ACCESS_READ);
	EXPECT_EQ(MSR_TSC, m->msr_number);
	EXPECT_EQ(0, m->reserved);
	EXPECT_EQ(0x2222, m->rdx);
	EXPECT_EQ(0x1111, m->rax);
	EXPECT_EQ(CODE_GPA, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));
	/* The VMM completes the RDMSR */
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RAX, 0x89abcdef);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RDX, 0x01234567);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, RDMSR_HLT_GPA);
	run_to_hlt(_metadata, self->vp, RDMSR_HLT_GPA);
	EXPECT_EQ(0x89abcdef, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));

	/* WRMSR of the same MSR is not intercepted: the TSC counts on from it */
	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x55667788,
	      0, MSR_TSC, 0x11223344);
	run_to_hlt(_metadata, self->vp, WRMSR_HLT_GPA);
	tsc = mshv_vp_get_reg(self->vp, HV_X64_REGISTER_TSC);
	EXPECT_LE(0x1122334455667788ULL, tsc);
	EXPECT_GT(0x1122334455667788ULL + 100000000000ULL, tsc);	/* 100 s */

	/* All MSRs, WRITE */
	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_MSR,
		   HV_INTERCEPT_ACCESS_MASK_WRITE, 0);
	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end,
	      0xffffffff00000042ULL, 0, MSR_UNKNOWN, 0x7);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_MSR_INTERCEPT, msg->header.message_type);
	m = (const void *)msg->u.payload_bytes;
	check_header(_metadata, &m->header, HV_INTERCEPT_ACCESS_WRITE);
	EXPECT_EQ(MSR_UNKNOWN, m->msr_number);
	EXPECT_EQ(0x7, m->rdx);
	EXPECT_EQ(0xffffffff00000042ULL, m->rax);
	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_MSR,
		   HV_INTERCEPT_ACCESS_MASK_NONE, 0);
	install_ok(self->vm, HV_INTERCEPT_TYPE_X64_MSR_INDEX,
		   HV_INTERCEPT_ACCESS_MASK_NONE, MSR_TSC);
	/* Nothing installed: RDMSR of the TSC reads on from what WRMSR wrote */
	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, 0, 0,
	      MSR_TSC, 0);
	run_to_hlt(_metadata, self->vp, RDMSR_HLT_GPA);
	rdmsr = (mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RDX) << 32) |
		(mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX) & 0xffffffff);
	EXPECT_LE(tsc, rdmsr);
	EXPECT_GT(0x1122334455667788ULL + 100000000000ULL, rdmsr);
}

/* MSRs hvsim implements, read and written by the guest */
TEST_F(icpt, msr_implemented)
{
	struct hv_message *msg;

	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, ~0ULL, 0,
	      MSR_APIC_BASE, ~0ULL);
	run_to_hlt(_metadata, self->vp, RDMSR_HLT_GPA);
	EXPECT_EQ(0xfee00900, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RDX));

	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x00070106,
	      0, MSR_PAT, 0x00070406);
	run_to_hlt(_metadata, self->vp, WRMSR_HLT_GPA);
	EXPECT_EQ(0x0007040600070106ULL,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_PAT));

	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x801, 0,
	      MSR_EFER, 0);
	run_to_hlt(_metadata, self->vp, WRMSR_HLT_GPA);
	EXPECT_EQ(0x801, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_EFER));
	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, 0, 0,
	      MSR_EFER, 0);
	run_to_hlt(_metadata, self->vp, RDMSR_HLT_GPA);
	EXPECT_EQ(0x801, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));

	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x1000, 0,
	      MSR_LSTAR, 0xffffffff);
	run_to_hlt(_metadata, self->vp, WRMSR_HLT_GPA);
	EXPECT_EQ(0xffffffff00001000ULL,
		  mshv_vp_get_reg(self->vp, HV_X64_REGISTER_LSTAR));

	/*
	 * A reserved EFER bit is a #GP, even when ignoring unknown MSRs; the
	 * guest has no IVT: triple fault
	 */
	set_property(self->vm, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
		     HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO);
	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x2, 0,
	      MSR_EFER, 0);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type);
	EXPECT_EQ(0x801, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_EFER));
}

/*
 * UNIMPLEMENTED_MSR_ACTION: FAULT (default: a #GP, a triple fault without
 * an IVT) and IGNORE_WRITE_READ_ZERO
 */
TEST_F(icpt, msr_unimplemented_action)
{
	const struct hv_x64_halt_message *h;
	struct hv_message *msg;

	const __u32 action = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;

	EXPECT_EQ(HV_UNIMPLEMENTED_MSR_ACTION_FAULT,
		  mshv_get_partition_property(self->vm->fd, action));
	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, 0x1, 0,
	      MSR_UNKNOWN, 0x2);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(40, msg->header.payload_size);
	h = (const void *)msg->u.payload_bytes;
	check_header(_metadata, &h->header, HV_INTERCEPT_ACCESS_READ);
	EXPECT_EQ(0x1, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));

	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x1, 0,
	      MSR_UNKNOWN, 0x2);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type);
	h = (const void *)msg->u.payload_bytes;
	check_header(_metadata, &h->header, HV_INTERCEPT_ACCESS_WRITE);

	set_property(self->vm, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
		     HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO);
	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, ~0ULL, 0,
	      MSR_UNKNOWN, ~0ULL);
	run_to_hlt(_metadata, self->vp, RDMSR_HLT_GPA);
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));
	EXPECT_EQ(0, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RDX));
	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x1, 0,
	      MSR_UNKNOWN, 0x2);
	run_to_hlt(_metadata, self->vp, WRMSR_HLT_GPA);
	EXPECT_EQ(0x1, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RAX));
}

/* With an EXCEPTION intercept for #GP, a faulting RDMSR/WRMSR reports it */
TEST_F(icpt, msr_fault_exception_intercept)
{
	const struct hv_x64_exception_intercept_message *m;
	struct hv_message *msg;
	unsigned int n;

	install_ok(self->vm, HV_INTERCEPT_TYPE_EXCEPTION,
		   HV_INTERCEPT_ACCESS_MASK_EXECUTE, 13);
	setup(self->vm, self->vp, wrmsr_code, wrmsr_code_end, 0x1111,
	      0x2222, MSR_UNKNOWN, 0x4444);
	msg = mshv_vp_run(self->vp);
	ASSERT_EQ(HVMSG_X64_EXCEPTION_INTERCEPT, msg->header.message_type)
		TH_LOG("got %s", mshv_msg_type_name(msg->header.message_type));
	EXPECT_EQ(240, msg->header.payload_size);
	m = (const void *)msg->u.payload_bytes;
	check_header(_metadata, &m->header, HV_INTERCEPT_ACCESS_WRITE);
	EXPECT_EQ(13, m->exception_vector);
	/* real mode: the #GP has no error code */
	EXPECT_EQ(0, m->exception_info);
	EXPECT_EQ(0, m->error_code);
	EXPECT_EQ(0, m->exception_parameter);
	n = m->instruction_byte_count < 2 ? m->instruction_byte_count : 2;
	EXPECT_GE(16, m->instruction_byte_count);
	EXPECT_EQ(0, memcmp(m->instruction_bytes, wrmsr_code, n));
	EXPECT_EQ(0x1111, m->rax);
	EXPECT_EQ(0x2222, m->rbx);
	EXPECT_EQ(MSR_UNKNOWN, m->rcx);
	EXPECT_EQ(0x4444, m->rdx);
	EXPECT_EQ(0ULL, m->ds_segment.base);
	EXPECT_EQ(CODE_GPA, mshv_vp_get_reg(self->vp, HV_X64_REGISTER_RIP));

	/* Removed: delivered, and without an IVT a triple fault */
	install_ok(self->vm, HV_INTERCEPT_TYPE_EXCEPTION,
		   HV_INTERCEPT_ACCESS_MASK_NONE, 13);
	setup(self->vm, self->vp, rdmsr_code, rdmsr_code_end, 0, 0,
	      MSR_UNKNOWN, 0);
	msg = mshv_vp_run(self->vp);
	EXPECT_EQ(HVMSG_UNRECOVERABLE_EXCEPTION, msg->header.message_type);
}

/*
 * PRIVILEGE_FLAGS is early-only: settable (grantable bits) until the
 * partition is initialized, then HV_STATUS_INVALID_PARTITION_STATE; CPUID
 * 0x40000003 reports it in EAX:EBX.
 */
TEST(privilege_flags_early_only)
{
	const __u64 priv = 0x3fULL | HV_PRIVILEGE_ACCESS_PARTITION_ID;
	const __u32 pf = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS;
	const __u32 spf = HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES;
	struct mshv_vm vm = { .dev_fd = mshv_open_dev() };
	struct hv_cpuid_result r;
	__u16 status;
	int vp_fd;

	vm.fd = mshv_create_partition(vm.dev_fd, 1ULL << MSHV_PT_BIT_LAPIC);
	EXPECT_EQ(0, mshv_get_partition_property(vm.fd, pf));
	EXPECT_EQ(-EIO, mshv_set_partition_property(vm.fd, pf,
						    HV_PRIVILEGE_CREATE_PARTITIONS,
						    &status));
	EXPECT_EQ(HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, status);
	EXPECT_EQ(0, mshv_set_partition_property(vm.fd, pf, priv, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	EXPECT_EQ(priv, mshv_get_partition_property(vm.fd, pf));

	mshv_initialize_partition(vm.fd);
	EXPECT_EQ(-EIO, mshv_set_partition_property(vm.fd, pf, 0, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARTITION_STATE, status);
	EXPECT_EQ(-EIO, mshv_set_partition_property(vm.fd, spf, 0, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARTITION_STATE, status);
	EXPECT_EQ(priv, mshv_get_partition_property(vm.fd, pf));

	vp_fd = __mshv_create_vp(vm.fd, 0);
	ASSERT_LE(0, vp_fd);
	r = cpuid_value(&vm, 0, 0, 0x40000003, 0);
	expect_result(_metadata, r, 0x3f, 0x2, 0, 0);
	close(vp_fd);
	close(vm.fd);
	close(vm.dev_fd);
}

/* Every property clients read, on a guest partition and on SELF */
TEST(property_values)
{
	static const struct {
		__u32 code;
		__u64 guest;
		__u64 self;	/* ~0: unknown for SELF */
	} props[] = {
		{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, 0, 0x211f700000000ULL },
		{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, 0, 0x6400ffb },
		{ HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, 0, 0 },
		{ HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, 0, ~0ULL },
		{ HV_PARTITION_PROPERTY_TIME_FREEZE, 0, ~0ULL },
		{ HV_PARTITION_PROPERTY_REFERENCE_TIME, 0, ~0ULL },
		{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, 0x1, 0x801 },
		{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, 576, 576 },
		{ HV_PARTITION_PROPERTY_XSAVE_STATES, 0x3, 0x3 },
		{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, 1000000000,
		  1000000000 },
		{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0, 0, 0 },
		{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1, 0, 0 },
		{ HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH, 48, 48 },
	};
	const __u64 banks[MSHV_NUM_CPU_FEATURES_BANKS] = { 0 };
	int dev = mshv_open_dev();
	/* XSAVE_COMP disabled: the guest sees XSAVE only */
	int fd = mshv_create_partition_v2(dev, 1ULL << MSHV_PT_BIT_LAPIC, banks,
					  HV_XSAVE_FEATURE_XSAVE_COMP);
	struct hv_input_get_partition_property in = {
		.partition_id = HV_PARTITION_ID_SELF,
	};
	struct hv_output_get_partition_property out;
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_PARTITION_PROPERTY, 0, &in,
				 sizeof(in), &out, sizeof(out));
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(props); i++) {
		EXPECT_EQ(props[i].guest,
			  mshv_get_partition_property(fd, props[i].code))
			TH_LOG("property %#x", props[i].code);
		in.property_code = props[i].code;
		args.status = 0;
		EXPECT_EQ(props[i].self == ~0ULL ? -1 : 0,
			  __mshv_hvcall(dev, &args));
		if (props[i].self == ~0ULL) {
			EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, args.status);
		} else {
			EXPECT_EQ(props[i].self, out.property_value)
				TH_LOG("SELF property %#x", props[i].code);
		}
	}
	close(fd);
	close(dev);
}

/* The banked (EX) properties, on a guest partition and on SELF */
TEST(property_ex_values)
{
	const __u32 assignable =
		HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES;
	struct mshv_vm *vm = mshv_vm_create();
	__u64 v;

	ASSERT_EQ(0, mshv_partition_property_ex(vm->fd, assignable, &v));
	EXPECT_EQ(0x6400ffb, v);
	ASSERT_EQ(0, mshv_partition_property_ex(vm->dev_fd, assignable, &v));
	EXPECT_EQ(0x6400ffb, v);
	ASSERT_EQ(0, mshv_partition_property_ex(vm->fd,
						HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
						&v));
	EXPECT_EQ(HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES, v);
	ASSERT_EQ(0, mshv_partition_property_ex(vm->dev_fd,
						HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
						&v));
	EXPECT_EQ(0x10, v);
	mshv_vm_free(vm);
}

/*
 * XSAVE: leaf 1 ECX.XSAVE and leaf 0xD as the guest and GET_VP_CPUID_VALUES
 * see them, consistent with the partition's XSAVE properties: supported
 * XCR0 bits = XSAVE_STATES (x87, SSE), sizes = MAX_XSAVE_DATA_SIZE, XSAVEC
 * with the compacted format (PROCESSOR_XSAVE_FEATURES XSAVE_COMP).
 */
TEST_F(icpt, cpuid_xsave)
{
	const __u32 leaves[][2] = { { 1, 0 }, { 0xd, 0 }, { 0xd, 1 },
				    { 0xd, 2 }, { 0xd, 0x3f } };
	struct hv_cpuid_result r;
	__u64 features, states, size;

	features = mshv_get_partition_property(self->vm->fd,
					       HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES);
	states = mshv_get_partition_property(self->vm->fd,
					     HV_PARTITION_PROPERTY_XSAVE_STATES);
	size = mshv_get_partition_property(self->vm->fd,
					   HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE);
	EXPECT_EQ(HV_XSAVE_FEATURE_XSAVE | HV_XSAVE_FEATURE_XSAVE_COMP,
		  features);
	EXPECT_EQ(0x3, states);
	EXPECT_EQ(576, size);

	r = guest_cpuid(_metadata, self->vm, self->vp, 1, 0);
	EXPECT_EQ(1 << 26, r.ecx & (1 << 26));
	r = guest_cpuid(_metadata, self->vm, self->vp, 0xd, 0);
	expect_result(_metadata, r, 0x3, 576, 576, 0);
	EXPECT_EQ(states, r.eax | (__u64)r.edx << 32);
	EXPECT_EQ(size, r.ecx);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0xd, 1);
	expect_result(_metadata, r, 0x2, 576, 0, 0);
	r = guest_cpuid(_metadata, self->vm, self->vp, 0xd, 2);
	expect_result(_metadata, r, 0, 0, 0, 0);

	expect_cpuid_values(_metadata, self->vm, self->vp, leaves,
			    ARRAY_SIZE(leaves));
}

TEST_HARNESS_MAIN
