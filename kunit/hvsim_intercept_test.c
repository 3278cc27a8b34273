// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's intercept logic: INSTALL_INTERCEPT input checks,
 * the intercept tables, the default CPUID model and the merge of
 * registered CPUID results.  Included at the end of
 * hvsim/hvsim_intercept.c.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "hvsim_fake.h"

struct install_check_case {
	u32 type;
	u32 access;
	u64 param;
	u16 status;
};

static const struct install_check_case install_check_cases[] = {
	{ HV_INTERCEPT_TYPE_X64_IO_PORT, 3, 0xffff, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_X64_IO_PORT, 0, 0x3f8, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_X64_IO_PORT, 4, 0x3f8, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_IO_PORT, 1, 0x10000,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_MSR, 3, 0, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_X64_MSR, 1, 1, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_MSR, 8, 0, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_MSR_INDEX, 2, 0xffffffff, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_X64_MSR_INDEX, 2, 0x100000000ULL,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_MSR_INDEX, 4, 0x10,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_CPUID, 4, 0x80000001, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_X64_CPUID, 1, 0, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_CPUID, 4, 0x100000000ULL,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID, 4, 0, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID, 4, 1,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID, 2, 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_EXCEPTION, 4, 13, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_EXCEPTION, 7, 31, HV_STATUS_SUCCESS },
	{ HV_INTERCEPT_TYPE_EXCEPTION, 4, 32, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_EXCEPTION, 8, 13, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_MMIO, 1, 0, HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_X64_APIC_WRITE, 2, 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ HV_INTERCEPT_TYPE_MAX, 1, 0, HV_STATUS_INVALID_PARAMETER },
	{ 0xffffffff, 1, 0, HV_STATUS_INVALID_PARAMETER },
};

static void hvsim_intercept_test_install_check(struct kunit *test)
{
	struct hv_input_install_intercept in = { .partition_id = 1 };
	struct hvsim_call call = { .input = &in };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(install_check_cases); i++) {
		const struct install_check_case *c = &install_check_cases[i];

		in.intercept_type = c->type;
		in.access_type = c->access;
		in.intercept_parameter = c->param;
		KUNIT_EXPECT_EQ_MSG(test, hvsim_decode_install_intercept(&call),
				    c->status, "case %u", i);
	}
}

static void hvsim_intercept_test_tables(struct kunit *test)
{
	struct hvsim_intercepts *ic;
	u32 i;

	ic = kunit_kzalloc(test, sizeof(*ic), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ic);

	/* MSR_INDEX: add, update, per-direction match, remove */
	KUNIT_EXPECT_EQ(test, table_set(ic->msr, sizeof(ic->msr[0]),
					&ic->nr_msr, HVSIM_MAX_MSR_INTERCEPTS,
					0x10, 1, true), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, msr_intercepted(ic, 0x10, false));
	KUNIT_EXPECT_FALSE(test, msr_intercepted(ic, 0x10, true));
	KUNIT_EXPECT_FALSE(test, msr_intercepted(ic, 0x11, false));
	KUNIT_EXPECT_EQ(test, table_set(ic->msr, sizeof(ic->msr[0]),
					&ic->nr_msr, HVSIM_MAX_MSR_INTERCEPTS,
					0x10, 2, true), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ic->nr_msr, 1);
	KUNIT_EXPECT_FALSE(test, msr_intercepted(ic, 0x10, false));
	KUNIT_EXPECT_TRUE(test, msr_intercepted(ic, 0x10, true));
	ic->msr_all = HV_INTERCEPT_ACCESS_MASK_READ;
	KUNIT_EXPECT_TRUE(test, msr_intercepted(ic, 0x10, false));
	KUNIT_EXPECT_TRUE(test, msr_intercepted(ic, 0x1234, false));
	KUNIT_EXPECT_FALSE(test, msr_intercepted(ic, 0x1234, true));
	ic->msr_all = 0;
	KUNIT_EXPECT_EQ(test, table_set(ic->msr, sizeof(ic->msr[0]),
					&ic->nr_msr, HVSIM_MAX_MSR_INTERCEPTS,
					0x10, 0, true), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ic->nr_msr, 0);
	KUNIT_EXPECT_FALSE(test, msr_intercepted(ic, 0x10, true));
	/* Removing what is not there is not an error */
	KUNIT_EXPECT_EQ(test, table_set(ic->msr, sizeof(ic->msr[0]),
					&ic->nr_msr, HVSIM_MAX_MSR_INTERCEPTS,
					0x10, 0, true), HV_STATUS_SUCCESS);

	/* CPUID leaves: fill the table, one more is refused, remove one */
	for (i = 0; i < HVSIM_MAX_CPUID_INTERCEPTS; i++)
		KUNIT_EXPECT_EQ(test, table_set(ic->cpuid, sizeof(u32),
						&ic->nr_cpuid,
						HVSIM_MAX_CPUID_INTERCEPTS,
						i, 4, false),
				HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, table_set(ic->cpuid, sizeof(u32), &ic->nr_cpuid,
					HVSIM_MAX_CPUID_INTERCEPTS, 1000, 4,
					false), HV_STATUS_INSUFFICIENT_BUFFERS);
	/* a leaf already present is still accepted when the table is full */
	KUNIT_EXPECT_EQ(test, table_set(ic->cpuid, sizeof(u32), &ic->nr_cpuid,
					HVSIM_MAX_CPUID_INTERCEPTS, 5, 4,
					false), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, table_set(ic->cpuid, sizeof(u32), &ic->nr_cpuid,
					HVSIM_MAX_CPUID_INTERCEPTS, 0, 0,
					false), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ic->nr_cpuid, HVSIM_MAX_CPUID_INTERCEPTS - 1);
	KUNIT_EXPECT_FALSE(test, cpuid_intercepted(ic, 0));
	KUNIT_EXPECT_TRUE(test, cpuid_intercepted(ic, 63));
	KUNIT_EXPECT_FALSE(test, cpuid_intercepted(ic, 64));
	ic->global_cpuid = true;
	KUNIT_EXPECT_TRUE(test, cpuid_intercepted(ic, 0x12345678));
	KUNIT_EXPECT_FALSE(test, cpuid_intercepted(NULL, 1));
	KUNIT_EXPECT_FALSE(test, msr_intercepted(NULL, 1, true));
}

static void hvsim_intercept_test_cpuid_model(struct kunit *test)
{
	struct hv_cpuid_result r;
	char vendor[13] = {};

	cpuid_default(0, 0, 0, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, CPUID_MAX_BASIC);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	KUNIT_EXPECT_STREQ(test, vendor, "HvSimHvSimHv");

	cpuid_default(3, 0, 1, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, 0x663);
	KUNIT_EXPECT_EQ(test, r.ebx, 0x03010800);
	KUNIT_EXPECT_EQ(test, r.ecx, 0x81802000);
	KUNIT_EXPECT_EQ(test, r.edx, 0x07018371);

	cpuid_default(0, 0, CPUID_HV_BASE, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, 0x40000005);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.ecx, 4);
	memcpy(vendor + 8, &r.edx, 4);
	KUNIT_EXPECT_STREQ(test, vendor, "Microsoft Hv");
	cpuid_default(0, 0, CPUID_HV_BASE + 1, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, 0x31237648);	/* "Hv#1" */
	cpuid_default(0, 0x123456789ULL, CPUID_HV_BASE + 3, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, 0x23456789);
	KUNIT_EXPECT_EQ(test, r.ebx, 1);
	cpuid_default(0, 0, CPUID_EXT_BASE, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, 0x80000001);
	cpuid_default(0, 0, CPUID_EXT_BASE + 1, 0, &r);
	KUNIT_EXPECT_EQ(test, r.edx, 0x20100000);
	/* Unlisted leaves and leaves beyond the maxima are zero */
	cpuid_default(0, 0, 2, 7, &r);
	KUNIT_EXPECT_EQ(test, r.eax | r.ebx | r.ecx | r.edx, 0);
	cpuid_default(0, 0, 0x40000006, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax | r.ebx | r.ecx | r.edx, 0);

	KUNIT_EXPECT_TRUE(test, cpuid_in_range(1));
	KUNIT_EXPECT_TRUE(test, cpuid_in_range(0xd));
	KUNIT_EXPECT_FALSE(test, cpuid_in_range(0xe));
	KUNIT_EXPECT_TRUE(test, cpuid_in_range(0x40000005));
	KUNIT_EXPECT_FALSE(test, cpuid_in_range(0x40000006));
	KUNIT_EXPECT_TRUE(test, cpuid_in_range(0x80000001));
	KUNIT_EXPECT_FALSE(test, cpuid_in_range(0x80000002));
	KUNIT_EXPECT_FALSE(test, cpuid_in_range(0x3fffffff));
}

/* Leaf 1 ECX.x2APIC (bit 21) follows the partition's X2APIC_CAPABLE flag */
static void hvsim_intercept_test_cpuid_x2apic(struct kunit *test)
{
	struct hvsim_fake *f = hvsim_fake_new(test);
	struct hv_cpuid_result r0, r1, r7;

	spin_lock(&f->pt.lock);
	cpuid_answer(&f->vp[1], 1, 0, true, &r0);
	f->pt.creation_flags = HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |
			       HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE;
	cpuid_answer(&f->vp[1], 1, 0, true, &r1);
	cpuid_answer(&f->vp[1], 7, 0, true, &r7);
	spin_unlock(&f->pt.lock);
	KUNIT_EXPECT_EQ(test, r0.ecx & CPUID_1_ECX_X2APIC, 0U);
	KUNIT_EXPECT_EQ(test, r1.ecx, r0.ecx | 0x00200000U);
	KUNIT_EXPECT_EQ(test, r1.eax, r0.eax);
	KUNIT_EXPECT_EQ(test, r1.ebx, 0x01010800U);
	KUNIT_EXPECT_EQ(test, r1.edx, r0.edx);
	KUNIT_EXPECT_EQ(test, r7.eax | r7.ebx | r7.ecx | r7.edx, 0U);
}

static void hvsim_intercept_test_cpuid_merge(struct kunit *test)
{
	struct hv_register_x64_cpuid_result_parameters p = {
		.result = {
			.eax = 0xffffffff, .eax_mask = 0x0000ff00,
			.ebx = 0x00000000, .ebx_mask = 0xffffffff,
			.ecx = 0x12345678, .ecx_mask = 0,
			.edx = 0x0000000f, .edx_mask = 0x000000f0,
		},
	};
	struct hv_cpuid_result r = {
		.eax = 0x11111111, .ebx = 0x22222222,
		.ecx = 0x33333333, .edx = 0x44444444,
	};

	cpuid_merge(&r, &p);
	KUNIT_EXPECT_EQ(test, r.eax, 0x1111ff11);
	KUNIT_EXPECT_EQ(test, r.ebx, 0);
	KUNIT_EXPECT_EQ(test, r.ecx, 0x33333333);
	KUNIT_EXPECT_EQ(test, r.edx, 0x44444404);
}

static void hvsim_intercept_test_cpuid_registered(struct kunit *test)
{
	struct hvsim_cpuid_results *p1, *p2;
	struct hvsim_vp *vp;

	vp = kunit_kzalloc(test, sizeof(*vp), GFP_KERNEL);
	p1 = kunit_kzalloc(test, sizeof(*p1), GFP_KERNEL);
	p2 = kunit_kzalloc(test, sizeof(*p2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vp);
	KUNIT_ASSERT_NOT_NULL(test, p1);
	KUNIT_ASSERT_NOT_NULL(test, p2);
	vp->cpuid_results = p1;
	p1->next = p2;
	/* The whole-leaf result first, the subleaf one on the next page */
	p1->e[0].input.eax = 7;
	p1->e[1].input.eax = 9;
	p1->e[1].input.subleaf_specific = 1;
	p1->e[1].input.ecx = 3;
	p1->nr = 2;
	p2->e[0].input.eax = 7;
	p2->e[0].input.subleaf_specific = 1;
	p2->e[0].input.ecx = 2;
	p2->nr = 1;

	KUNIT_EXPECT_PTR_EQ(test, cpuid_registered(vp, 7, 2), &p2->e[0]);
	KUNIT_EXPECT_PTR_EQ(test, cpuid_registered(vp, 7, 3), &p1->e[0]);
	KUNIT_EXPECT_PTR_EQ(test, cpuid_registered(vp, 9, 3), &p1->e[1]);
	KUNIT_EXPECT_NULL(test, cpuid_registered(vp, 9, 2));
	KUNIT_EXPECT_NULL(test, cpuid_registered(vp, 8, 0));
	vp->cpuid_results = NULL;
	KUNIT_EXPECT_NULL(test, cpuid_registered(vp, 7, 2));
}

/*
 * Results take pages of the pool as they grow, a removal that empties a
 * page gives it back, and deleting the VP gives back the rest.
 */
static void hvsim_intercept_test_results_pages(struct kunit *test)
{
	const u32 per_page = HVSIM_CPUID_RESULTS_PER_PAGE;
	struct hv_register_x64_cpuid_result_parameters p = {
		.result = { .eax = 1, .eax_mask = ~0U },
	};
	struct page *pages[3] = {};
	struct hvsim_partition *pt;
	unsigned long flags;
	struct hvsim_vp *vp;
	u32 i;

	KUNIT_EXPECT_EQ(test, per_page, 92);
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			KUNIT_FAIL(test, "no memory");
			return;
		}
	}
	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	vp = kunit_kzalloc(test, sizeof(*vp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NOT_NULL(test, vp);
	spin_lock_init(&pt->lock);
	hvsim_pool_init(&pt->pool, &pt->lock);
	vp->partition = pt;

	spin_lock_irqsave(&pt->lock, flags);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		hvsim_pool_add(&pt->pool, page_to_pfn(pages[i]));
	for (i = 0; i < 3 * per_page; i++) {
		p.input.eax = i;
		KUNIT_EXPECT_EQ(test, register_result_locked(vp, &p),
				HV_STATUS_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, pt->pool.nr_free, 0);
	/* Replacing an existing result needs no page */
	p.input.eax = 5;
	p.result.eax = 2;
	KUNIT_EXPECT_EQ(test, register_result_locked(vp, &p),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, cpuid_registered(vp, 5, 0)->result.eax, 2);
	p.input.eax = 3 * per_page;
	KUNIT_EXPECT_EQ(test, register_result_locked(vp, &p),
			HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_NULL(test, cpuid_registered(vp, 3 * per_page, 0));
	/* Empty the page of the first results (the last of the chain) */
	p.result.eax_mask = 0;
	for (i = 0; i < per_page; i++) {
		p.input.eax = i;
		KUNIT_EXPECT_EQ(test, register_result_locked(vp, &p),
				HV_STATUS_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, pt->pool.nr_free, 1);
	KUNIT_EXPECT_NULL(test, cpuid_registered(vp, 0, 0));
	KUNIT_EXPECT_NOT_NULL(test, cpuid_registered(vp, per_page, 0));
	hvsim_intercepts_vp_destroy(vp);
	KUNIT_EXPECT_NULL(test, vp->cpuid_results);
	KUNIT_EXPECT_EQ(test, pt->pool.nr_free, 3);
	/* Frees the pages */
	hvsim_pool_release(&pt->pool);
	spin_unlock_irqrestore(&pt->lock, flags);
}

/* Leaf 1 ECX.XSAVE and leaf 0xD for each partition XSAVE feature set */
static void hvsim_intercept_test_cpuid_xsave(struct kunit *test)
{
	static const struct {
		u64 features;
		u32 eax, ecx;
		struct hv_cpuid_result r;
	} cases[] = {
		{ 0, 1, 0, { 0x663, 0x00010800, 0x81802000, 0x07018371 } },
		{ 0, 0xd, 0, { 0, 0, 0, 0 } },
		{ 0, 0xd, 1, { 0, 0, 0, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE, 1, 0,
		  { 0x663, 0x00010800, 0x85802000, 0x07018371 } },
		{ HV_XSAVE_FEATURE_XSAVE, 0xd, 0, { 0x3, 576, 576, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE, 0xd, 1, { 0, 0, 0, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE | HV_XSAVE_FEATURE_XSAVE_COMP, 0xd, 0,
		  { 0x3, 576, 576, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE | HV_XSAVE_FEATURE_XSAVE_COMP, 0xd, 1,
		  { 0x2, 576, 0, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE | HV_XSAVE_FEATURE_XSAVE_COMP, 0xd, 2,
		  { 0, 0, 0, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE | HV_XSAVE_FEATURE_XSAVE_COMP, 0xd, 63,
		  { 0, 0, 0, 0 } },
		{ HV_XSAVE_FEATURE_XSAVE | HV_XSAVE_FEATURE_XSAVE_COMP, 0xe, 0,
		  { 0, 0, 0, 0 } },
	};
	struct hv_cpuid_result r;
	size_t i;

	cpuid_default(0, 0, 0, 0, &r);
	KUNIT_EXPECT_EQ(test, r.eax, 0xd);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		cpuid_default(0, 0, cases[i].eax, cases[i].ecx, &r);
		cpuid_xsave(cases[i].features, cases[i].eax, cases[i].ecx, &r);
		KUNIT_EXPECT_EQ_MSG(test, r.eax, cases[i].r.eax, "case %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, r.ebx, cases[i].r.ebx, "case %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, r.ecx, cases[i].r.ecx, "case %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, r.edx, cases[i].r.edx, "case %zu", i);
	}
	/* The sizes are MAX_XSAVE_DATA_SIZE, the bits XSAVE_STATES */
	KUNIT_EXPECT_EQ(test, HVSIM_XSAVE_SIZE, 576);
	KUNIT_EXPECT_EQ(test, HVSIM_XSAVE_STATES, 0x3ULL);
}

static struct kunit_case hvsim_intercept_test_cases[] = {
	KUNIT_CASE(hvsim_intercept_test_install_check),
	KUNIT_CASE(hvsim_intercept_test_tables),
	KUNIT_CASE(hvsim_intercept_test_cpuid_model),
	KUNIT_CASE(hvsim_intercept_test_cpuid_merge),
	KUNIT_CASE(hvsim_intercept_test_cpuid_x2apic),
	KUNIT_CASE(hvsim_intercept_test_cpuid_registered),
	KUNIT_CASE(hvsim_intercept_test_results_pages),
	KUNIT_CASE(hvsim_intercept_test_cpuid_xsave),
	{}
};

static struct kunit_suite hvsim_intercept_test_suite = {
	.name = "hvsim_intercept",
	.test_cases = hvsim_intercept_test_cases,
};

kunit_test_suite(hvsim_intercept_test_suite);
