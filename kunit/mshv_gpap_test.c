// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of mshv_gpap.c, included at its end: the hypercall flags of
 * each MSHV_GET_GPAP_ACCESS_BITMAP type and op.
 */

#include <kunit/test.h>

/* op -> hypercall flags, as mainline maps them (NOOP included) */
static const struct {
	u8 type, op;
	u64 flags;
} mshv_gpap_cases[] = {
	{ MSHV_GPAP_ACCESS_TYPE_ACCESSED, MSHV_GPAP_ACCESS_OP_NOOP,
	  HV_GPA_ACCESS_STATE_SET_ACCESSED },
	{ MSHV_GPAP_ACCESS_TYPE_ACCESSED, MSHV_GPAP_ACCESS_OP_SET,
	  HV_GPA_ACCESS_STATE_SET_ACCESSED },
	{ MSHV_GPAP_ACCESS_TYPE_ACCESSED, MSHV_GPAP_ACCESS_OP_CLEAR,
	  HV_GPA_ACCESS_STATE_CLEAR_ACCESSED | HV_GPA_ACCESS_STATE_CLEAR_DIRTY },
	{ MSHV_GPAP_ACCESS_TYPE_DIRTY, MSHV_GPAP_ACCESS_OP_NOOP,
	  HV_GPA_ACCESS_STATE_SET_DIRTY | HV_GPA_ACCESS_STATE_SET_ACCESSED },
	{ MSHV_GPAP_ACCESS_TYPE_DIRTY, MSHV_GPAP_ACCESS_OP_SET,
	  HV_GPA_ACCESS_STATE_SET_DIRTY | HV_GPA_ACCESS_STATE_SET_ACCESSED },
	{ MSHV_GPAP_ACCESS_TYPE_DIRTY, MSHV_GPAP_ACCESS_OP_CLEAR,
	  HV_GPA_ACCESS_STATE_CLEAR_DIRTY },
};

static void mshv_test_gpap_flags(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_gpap_cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    mshv_gpap_hv_flags(mshv_gpap_cases[i].type,
						       mshv_gpap_cases[i].op),
				    mshv_gpap_cases[i].flags,
				    "type %u op %u", mshv_gpap_cases[i].type,
				    mshv_gpap_cases[i].op);
}

static struct kunit_case mshv_gpap_test_cases[] = {
	KUNIT_CASE(mshv_test_gpap_flags),
	{}
};

static struct kunit_suite mshv_gpap_test_suite = {
	.name = "mshv_root_gpap",
	.test_cases = mshv_gpap_test_cases,
};

kunit_test_suite(mshv_gpap_test_suite);
