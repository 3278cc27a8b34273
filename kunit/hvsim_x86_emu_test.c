// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite of hvsim's x86 interpreter.
 *
 * Included at the end of hvsim/x86_emu.c (so it can see the interpreter's
 * static helpers), only when CONFIG_MSHV_ROOT_KUNIT_TEST is set.  The cases
 * themselves live in kunit/x86_emu_cases.h, shared with the userspace
 * harness in hvsim/user/.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "x86_emu_cases.h"

static void hvsim_x86_emu_fail(struct xt *t, int line, const char *what,
			       u64 got, u64 want)
{
	struct kunit *test = t->priv;

	KUNIT_FAIL(test, "x86_emu_cases.h:%d: %s = %#llx, expected %#llx",
		   line, what, got, want);
}

static struct xt *hvsim_x86_emu_xt(struct kunit *test)
{
	struct xt *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < XT_NPAGES; i++) {
		t->page[i] = kunit_kzalloc(test, XT_PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->page[i]);
	}
	t->tlb = kunit_kzalloc(test, sizeof(*t->tlb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->tlb);
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_EXEC;
	t->fail = hvsim_x86_emu_fail;
	t->priv = test;
	return t;
}

static void hvsim_x86_emu_desc(const struct xt_test *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hvsim_x86_emu, xt_tests, hvsim_x86_emu_desc);

/* One shared case of x86_emu_cases.h per parameter */
static void hvsim_x86_emu_case(struct kunit *test)
{
	const struct xt_test *c = test->param_value;
	struct xt *t = hvsim_x86_emu_xt(test);

	c->fn(t);
	KUNIT_EXPECT_EQ(test, t->bad_calls, 0U);
}

/*
 * The same case, stepped with the software TLB (fetches and loads from
 * host pages; stores through the access op, whose count some cases check)
 */
static void hvsim_x86_emu_case_tlb(struct kunit *test)
{
	const struct xt_test *c = test->param_value;
	struct xt *t = hvsim_x86_emu_xt(test);

	t->use_tlb = true;
	c->fn(t);
	KUNIT_EXPECT_EQ(test, t->bad_calls, 0U);
}

/* Internal helpers, directly */
static void hvsim_x86_emu_helpers(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, emu_sext(0x80, 1), 0xFFFFFFFFFFFFFF80ULL);
	KUNIT_EXPECT_EQ(test, emu_sext(0x7FFF, 2), 0x7FFFULL);
	KUNIT_EXPECT_EQ(test, emu_sext(0x80000000, 4), 0xFFFFFFFF80000000ULL);
	KUNIT_EXPECT_EQ(test, emu_sext(0x1234, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, emu_mask(8), ~0ULL);
	KUNIT_EXPECT_EQ(test, emu_mask(2), 0xFFFFULL);
	KUNIT_EXPECT_TRUE(test, emu_canonical(0x00007FFFFFFFFFFFULL));
	KUNIT_EXPECT_TRUE(test, emu_canonical(0xFFFF800000000000ULL));
	KUNIT_EXPECT_FALSE(test, emu_canonical(0x0000800000000000ULL));
	KUNIT_EXPECT_EQ(test, flags_szp(0, 1), EMU_FL_ZF | EMU_FL_PF);
	KUNIT_EXPECT_EQ(test, flags_szp(0x180, 1), EMU_FL_SF);
	KUNIT_EXPECT_TRUE(test, emu_cond(EMU_FL_SF, 0xC));	/* L */
	KUNIT_EXPECT_FALSE(test, emu_cond(EMU_FL_SF | EMU_FL_OF, 0xC));
	KUNIT_EXPECT_TRUE(test, emu_cond(EMU_FL_ZF, 0xE));	/* LE */
}

static struct kunit_case hvsim_x86_emu_test_cases[] = {
	KUNIT_CASE_PARAM(hvsim_x86_emu_case, hvsim_x86_emu_gen_params),
	KUNIT_CASE_PARAM(hvsim_x86_emu_case_tlb, hvsim_x86_emu_gen_params),
	KUNIT_CASE(hvsim_x86_emu_helpers),
	{}
};

static struct kunit_suite hvsim_x86_emu_test_suite = {
	.name = "hvsim_x86_emu",
	.test_cases = hvsim_x86_emu_test_cases,
};

kunit_test_suite(hvsim_x86_emu_test_suite);
