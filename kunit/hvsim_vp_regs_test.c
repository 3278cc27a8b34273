// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's register table: every run of names and of MSR
 * indices is disjoint from the others, storage stays inside its
 * structure, the name and MSR lookups, the privileges synthetic
 * features grant, and the APIC mode checks of IA32_APIC_BASE.  Included
 * at the end of hvsim/hvsim_vp_regs.c.
 */
#include <kunit/test.h>

#include "hvsim_fake.h"

static void hvsim_vp_regs_test_table(struct kunit *test)
{
	unsigned int a, b;

	for (a = 0; a < ARRAY_SIZE(vp_regs); a++) {
		const struct vp_reg *r = &vp_regs[a];
		size_t limit = r->flags & REG_PARTITION ?
			       sizeof(struct hvsim_partition) :
			       sizeof(struct hvsim_vp);

		KUNIT_EXPECT_TRUE_MSG(test, r->size == 8 || r->size == 16,
				      "entry %u", a);
		if (!r->get || !r->set)
			KUNIT_EXPECT_LE_MSG(test,
					    r->offset + reg_count(r) * r->size,
					    limit, "entry %u", a);
		for (b = a + 1; b < ARRAY_SIZE(vp_regs); b++) {
			const struct vp_reg *q = &vp_regs[b];
			u32 i;

			if (!(r->flags & REG_NO_NAME) &&
			    !(q->flags & REG_NO_NAME))
				KUNIT_EXPECT_FALSE_MSG(test,
						       q->name >= r->name &&
						       q->name - r->name < reg_count(r),
						       "entries %u %u", a, b);
			if (q->msr)
				KUNIT_EXPECT_FALSE_MSG(test,
						       reg_by_msr(q->msr, &i) == r,
						       "entries %u %u", a, b);
		}
	}
}

static void hvsim_vp_regs_test_lookup(struct kunit *test)
{
	const struct vp_reg *r;
	u32 i;

	r = reg_by_name(HV_X64_REGISTER_MTRR_FIX4KF8000, &i);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, i, 7);
	KUNIT_EXPECT_EQ(test, r->msr + i, 0x26F);
	r = reg_by_msr(0x20B, &i);	/* MTRR_PHYS_MASK5 */
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->name + i, HV_X64_REGISTER_MTRR_PHYS_MASK0 + 5);
	r = reg_by_msr(0x210, &i);	/* MTRR_PHYS_BASE8: not modelled */
	KUNIT_EXPECT_NULL(test, r);
	KUNIT_EXPECT_NULL(test, reg_by_name(HV_X64_REGISTER_MTRR_PHYS_BASE0 + 8,
					    &i));
	r = reg_by_msr(HV_X64_MSR_SINT0 + 15, &i);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->name + i, HV_REGISTER_SINT15);
	r = reg_by_msr(HV_X64_MSR_STIMER0_COUNT + 6, &i);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->name + i, HV_REGISTER_STIMER0_COUNT + 6);
	r = reg_by_msr(HV_X64_MSR_APIC_FREQUENCY, &i);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, i, 1);
	r = reg_by_name(HV_REGISTER_DISPATCH_SUSPEND, &i);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->name, HV_REGISTER_DISPATCH_SUSPEND);
	KUNIT_EXPECT_NULL(test, reg_by_name(HV_X64_REGISTER_U_CET, &i));
	KUNIT_EXPECT_NULL(test, reg_by_msr(MSR_EFER, &i));
}

static void hvsim_vp_regs_test_privileges(struct kunit *test)
{
	/* What QEMU assigns: reference counter ... frequencies, no runtime */
	KUNIT_EXPECT_EQ(test, hvsim_synthetic_privileges(0x6400ffbULL),
			0xe7eULL);
	KUNIT_EXPECT_EQ(test, hvsim_synthetic_privileges(0x3ULL), 0ULL);
	KUNIT_EXPECT_EQ(test, hvsim_synthetic_privileges(BIT_ULL(2)), 1ULL);
	KUNIT_EXPECT_EQ(test, hvsim_synthetic_privileges(BIT_ULL(8)),
			PRIV_VP_INDEX);
	KUNIT_EXPECT_EQ(test, hvsim_synthetic_privileges(BIT_ULL(9)),
			PRIV_REFERENCE_TSC);
}

/* IA32_APIC_BASE's mode transitions, and x2APIC MSRs that are a #GP */
static void hvsim_vp_regs_test_apic_msrs(struct kunit *test)
{
	struct hvsim_fake *f = hvsim_fake_new(test);
	struct hvsim_vp *vp = &f->vp[0];
	union hv_register_value v = { .reg64 = 0xFEE00500ULL };
	u64 val;

	spin_lock(&f->pt.lock);
	f->pt.creation_flags = HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE;
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0xFEE00900ULL;
	/* in xAPIC mode a reserved x2APIC MSR is not implemented */
	KUNIT_EXPECT_EQ(test, msr_access(vp, 0x809, false, &val),
			HVSIM_MSR_NONE);
	val = 0xFEE00D00ULL;
	KUNIT_EXPECT_EQ(test, msr_access(vp, MSR_IA32_APICBASE, true, &val),
			HVSIM_MSR_DONE);
	KUNIT_EXPECT_EQ(test, vp->msrs[HVSIM_MSR_APIC_BASE], 0xFEE00D00ULL);
	val = 0xFEE00900ULL;
	KUNIT_EXPECT_EQ(test, msr_access(vp, MSR_IA32_APICBASE, true, &val),
			HVSIM_MSR_GP);
	KUNIT_EXPECT_EQ(test, vp->msrs[HVSIM_MSR_APIC_BASE], 0xFEE00D00ULL);
	val = 0;
	KUNIT_EXPECT_EQ(test, msr_access(vp, MSR_IA32_APICBASE, false, &val),
			HVSIM_MSR_DONE);
	KUNIT_EXPECT_EQ(test, val, 0xFEE00D00ULL);
	/* in x2APIC mode: a #GP */
	KUNIT_EXPECT_EQ(test, msr_access(vp, 0x809, false, &val),
			HVSIM_MSR_GP);
	KUNIT_EXPECT_EQ(test, msr_access(vp, 0x80E, true, &val),
			HVSIM_MSR_GP);
	KUNIT_EXPECT_EQ(test, msr_access(vp, 0x8FF, false, &val),
			HVSIM_MSR_GP);
	/* the VMM's writes are not checked */
	KUNIT_EXPECT_EQ(test, hvsim_vp_set_reg(vp, HV_X64_REGISTER_APIC_BASE,
					       &v), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, vp->msrs[HVSIM_MSR_APIC_BASE], 0xFEE00500ULL);
	spin_unlock(&f->pt.lock);
}

static struct kunit_case hvsim_vp_regs_test_cases[] = {
	KUNIT_CASE(hvsim_vp_regs_test_table),
	KUNIT_CASE(hvsim_vp_regs_test_lookup),
	KUNIT_CASE(hvsim_vp_regs_test_privileges),
	KUNIT_CASE(hvsim_vp_regs_test_apic_msrs),
	{}
};

static struct kunit_suite hvsim_vp_regs_test_suite = {
	.name = "hvsim_vp_regs",
	.test_cases = hvsim_vp_regs_test_cases,
};

kunit_test_suite(hvsim_vp_regs_test_suite);
