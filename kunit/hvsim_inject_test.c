// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's fault injection: the rule parser and the rules'
 * effect on hvsim_hypercall().  Included at the end of hvsim/hvsim_inject.c.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>

struct inject_parse_case {
	const char *line;
	int ret;
	enum hvsim_inject_op op;
	u16 code;
	u16 status;
	u64 count;
};

static const struct inject_parse_case inject_parse_cases[] = {
	{ "fail 0x4b 3 0xb\n", 0, HVSIM_INJECT_FAIL, 0x4b, 0xb, 3 },
	{ "fail 75 1 11", 0, HVSIM_INJECT_FAIL, 0x4b, 0xb, 1 },
	{ "  fail\t0x0050 2 0x0005\t", 0, HVSIM_INJECT_FAIL, 0x50, 5, 2 },
	{ "max_reps 0x48 7\n", 0, HVSIM_INJECT_MAX_REPS, 0x48, 0, 7 },
	{ "max_reps 0x48 0", 0, HVSIM_INJECT_MAX_REPS, 0x48, 0, 0 },
	{ "max_reps 0x51 4095", 0, HVSIM_INJECT_MAX_REPS, 0x51, 0, 4095 },
	{ "pool_cap 208\n", 0, HVSIM_INJECT_POOL_CAP, 0, 0, 208 },
	{ "pool_cap 0", 0, HVSIM_INJECT_POOL_CAP, 0, 0, 0 },
	{ "clear\n", 0, HVSIM_INJECT_CLEAR },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ "bogus 1", -EINVAL },
	{ "clear now", -EINVAL },
	{ "fail 0x4b 3", -EINVAL },
	{ "fail 0x4b 3 0xb 1", -EINVAL },
	{ "fail 0x4b 0 0xb", -EINVAL },
	{ "fail 0x4b 1 0", -EINVAL },
	{ "fail 0x4b 1 0x10000", -EINVAL },
	{ "fail 0x4b x 0xb", -EINVAL },
	{ "fail 0x4b 4294967296 0xb", -EINVAL },
	{ "fail 0x1 1 0xb", -EINVAL },		/* not a code hvsim knows */
	{ "fail 0x10040 1 0xb", -EINVAL },
	{ "fail 0xzz 1 0xb", -EINVAL },
	{ "fail -1 1 0xb", -EINVAL },
	{ "max_reps 0x40 3", -EINVAL },		/* not a rep call */
	{ "max_reps 0x48 4096", -EINVAL },
	{ "max_reps 0x48", -EINVAL },
	{ "pool_cap", -EINVAL },
	{ "pool_cap 0x10", -EINVAL },
	{ "pool_cap -1", -EINVAL },
};

static void hvsim_inject_test_parse(struct kunit *test)
{
	char buf[HVSIM_INJECT_LINE_MAX];
	struct hvsim_inject_cmd cmd;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(inject_parse_cases); i++) {
		const struct inject_parse_case *c = &inject_parse_cases[i];

		strscpy(buf, c->line, sizeof(buf));
		ret = hvsim_inject_parse(buf, &cmd);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "\"%s\"", c->line);
		if (ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, cmd.op, c->op, "\"%s\"", c->line);
		KUNIT_EXPECT_EQ_MSG(test, cmd.code, c->code, "\"%s\"",
				    c->line);
		KUNIT_EXPECT_EQ_MSG(test, cmd.status, c->status, "\"%s\"",
				    c->line);
		KUNIT_EXPECT_EQ_MSG(test, cmd.count, c->count, "\"%s\"",
				    c->line);
	}
}

/* Parse and apply one rule; returns the first error */
static int inject_rule(const char *line)
{
	char buf[HVSIM_INJECT_LINE_MAX];
	struct hvsim_inject_cmd cmd;
	int ret;

	strscpy(buf, line, sizeof(buf));
	ret = hvsim_inject_parse(buf, &cmd);
	return ret ? ret : hvsim_inject_apply(&cmd);
}

#define INJ_RESULT(status, reps) \
	((u64)(status) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET))
#define INJ_CONTROL(code, reps, start)					\
	((u64)(code) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET) |	\
	 ((u64)(start) << HV_HYPERCALL_REP_START_OFFSET))

/* "fail": exactly the nth call fails, once, with nothing done */
static void hvsim_inject_test_fail(struct kunit *test)
{
	struct hv_input_get_system_property *in;
	struct hv_output_get_system_property *out;
	unsigned int i;

	in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	in->property_id = HV_SYSTEM_PROPERTY_SCHEDULER_TYPE;

	KUNIT_ASSERT_EQ(test, inject_rule("fail 0x7b 2 0x6"), 0);
	KUNIT_ASSERT_EQ(test, inject_rule("fail 0x7b 4 0x71"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 2);
	for (i = 1; i <= 5; i++) {
		u64 expect = i == 2 ? HV_STATUS_ACCESS_DENIED :
			     i == 4 ? HV_STATUS_OPERATION_FAILED : 0;

		out->value = 0;
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_hypercall(HVCALL_GET_SYSTEM_PROPERTY,
						    in, out),
				    expect, "call %u", i);
		/* A failed call writes no output */
		KUNIT_EXPECT_EQ_MSG(test, out->scheduler_type,
				    expect ? 0 : HV_SCHEDULER_TYPE_ROOT,
				    "call %u", i);
	}
	/* Both rules fired and are gone */
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 0);

	/* Calls refused at entry do not count */
	KUNIT_ASSERT_EQ(test, inject_rule("fail 0x7b 1 0x6"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_hypercall(HVCALL_GET_SYSTEM_PROPERTY |
					      HV_HYPERCALL_FAST_BIT, in, out),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, hvsim_hypercall(HVCALL_GET_SYSTEM_PROPERTY, in,
					      out), HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, inject_rule("clear"), 0);
}

/* Deposit @n fresh pages into SELF from rep @start; result word */
static u64 inject_deposit(struct kunit *test, struct hv_input_deposit_memory *in,
			  unsigned int n, unsigned int start)
{
	return hvsim_hypercall(INJ_CONTROL(HVCALL_DEPOSIT_MEMORY, n, start),
			       in, NULL);
}

/* "max_reps": rep calls end early with success; fail reports rep start */
static void hvsim_inject_test_max_reps(struct kunit *test)
{
	struct hv_input_deposit_memory *in;
	struct hv_input_withdraw_memory *win;
	u64 *out, result;
	unsigned int i;

	in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	win = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, win);
	KUNIT_ASSERT_NOT_NULL(test, out);
	in->partition_id = HV_PARTITION_ID_SELF;
	for (i = 0; i < 5; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		in->gpa_page_list[i] = page_to_pfn(page);
	}

	KUNIT_ASSERT_EQ(test, inject_rule("max_reps 0x48 2"), 0);
	KUNIT_ASSERT_EQ(test, inject_rule("max_reps 0x48 3"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 1);	/* replaced */
	KUNIT_ASSERT_EQ(test, inject_rule("fail 0x48 2 0xb"), 0);
	KUNIT_EXPECT_EQ(test, inject_deposit(test, in, 5, 0), INJ_RESULT(0, 3));
	KUNIT_EXPECT_EQ(test, inject_deposit(test, in, 5, 3),
			INJ_RESULT(HV_STATUS_INSUFFICIENT_MEMORY, 3));
	KUNIT_EXPECT_EQ(test, inject_deposit(test, in, 5, 3), INJ_RESULT(0, 5));
	KUNIT_ASSERT_EQ(test, inject_rule("max_reps 0x48 0"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 0);

	/* All five pages went in: take them back, two per call */
	KUNIT_ASSERT_EQ(test, inject_rule("max_reps 0x49 2"), 0);
	win->partition_id = HV_PARTITION_ID_SELF;
	result = hvsim_hypercall(INJ_CONTROL(HVCALL_WITHDRAW_MEMORY, 5, 0),
				 win, out);
	KUNIT_EXPECT_EQ(test, result, INJ_RESULT(0, 2));
	result = hvsim_hypercall(INJ_CONTROL(HVCALL_WITHDRAW_MEMORY, 5, 2),
				 win, out);
	KUNIT_EXPECT_EQ(test, result, INJ_RESULT(0, 4));
	result = hvsim_hypercall(INJ_CONTROL(HVCALL_WITHDRAW_MEMORY, 5, 4),
				 win, out);
	KUNIT_EXPECT_EQ(test, result, INJ_RESULT(0, 5));
	KUNIT_EXPECT_EQ(test, inject_rule("clear"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 0);
	for (i = 0; i < 5; i++)
		__free_page(pfn_to_page(out[i]));
}

static void hvsim_inject_test_pool_cap_and_full_table(struct kunit *test)
{
	char line[HVSIM_INJECT_LINE_MAX];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, hvsim_inject_pool_cap(), 0);
	KUNIT_ASSERT_EQ(test, inject_rule("pool_cap 208"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_pool_cap(), 208);
	for (i = 0; i < HVSIM_INJECT_MAX_RULES; i++) {
		snprintf(line, sizeof(line), "fail 0x44 %u 0x5", i + 1);
		KUNIT_EXPECT_EQ(test, inject_rule(line), 0);
	}
	KUNIT_EXPECT_EQ(test, inject_rule("fail 0x44 99 0x5"), -ENOSPC);
	KUNIT_EXPECT_EQ(test, inject_rule("clear"), 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 0);
	KUNIT_EXPECT_EQ(test, hvsim_inject_pool_cap(), 0);
}

static struct kunit_case hvsim_inject_test_cases[] = {
	KUNIT_CASE(hvsim_inject_test_parse),
	KUNIT_CASE(hvsim_inject_test_fail),
	KUNIT_CASE(hvsim_inject_test_max_reps),
	KUNIT_CASE(hvsim_inject_test_pool_cap_and_full_table),
	{}
};

static struct kunit_suite hvsim_inject_test_suite = {
	.name = "hvsim_inject",
	.test_cases = hvsim_inject_test_cases,
};

kunit_test_suite(hvsim_inject_test_suite);
