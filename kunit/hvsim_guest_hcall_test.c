// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the decoding guest hypercalls share with the root's:
 * the sparse VP sets of the _EX calls (hvsim_decode_vp_set()), table
 * driven from kunit/hvsim_vp_set_cases.h (the userspace unit tests run the
 * same table).  Included at the end of hvsim/hvsim_guest_hcall.c.
 */
#include <kunit/test.h>

#include "hvsim_vp_set_cases.h"

static void hvsim_test_vp_set(struct kunit *test)
{
	unsigned int i, w;

	for (i = 0; i < ARRAY_SIZE(hvsim_vp_set_cases); i++) {
		const struct hvsim_vp_set_case *c = &hvsim_vp_set_cases[i];
		u64 buf[6], vps[HVSIM_VP_SET_WORDS];
		u16 status;

		status = hvsim_decode_vp_set(hvsim_vp_set_case_fill(c, buf),
					     c->nbanks, vps);
		KUNIT_EXPECT_EQ_MSG(test, status, c->status, "%s", c->what);
		if (status)
			continue;
		for (w = 0; w < HVSIM_VP_SET_WORDS; w++)
			KUNIT_EXPECT_EQ_MSG(test, vps[w], c->vps[w],
					    "%s: qword %u", c->what, w);
	}
}

/* The guest table is sorted, names each code once, and every call runs */
static void hvsim_test_guest_table(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guest_hcalls); i++) {
		KUNIT_EXPECT_NOT_NULL(test, guest_hcalls[i].run);
		KUNIT_EXPECT_NULL(test, guest_hcalls[i].hc.handler);
		if (i)
			KUNIT_EXPECT_LT(test, guest_hcalls[i - 1].hc.code,
					guest_hcalls[i].hc.code);
		KUNIT_EXPECT_PTR_EQ(test, guest_hcall_find(guest_hcalls[i].hc.code),
				    &guest_hcalls[i]);
	}
	KUNIT_EXPECT_NULL(test, guest_hcall_find(HVCALL_CREATE_PARTITION));
	KUNIT_EXPECT_NULL(test, guest_hcall_find(0x0001));
}

static struct kunit_case hvsim_guest_hcall_test_cases[] = {
	KUNIT_CASE(hvsim_test_vp_set),
	KUNIT_CASE(hvsim_test_guest_table),
	{}
};

static struct kunit_suite hvsim_guest_hcall_test_suite = {
	.name = "hvsim_guest_hcall",
	.test_cases = hvsim_guest_hcall_test_cases,
};

kunit_test_suite(hvsim_guest_hcall_test_suite);
