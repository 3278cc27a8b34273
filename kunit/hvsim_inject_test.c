// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's fault injection: the rule parser and the rules'
 * effect on hvsim_hypercall(), "pending" included (completions held, then
 * cancelled: nothing is posted to the root SynIC).  Included at the end of
 * hvsim/hvsim_inject.c.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "../hvsim/hvsim_main.h"

struct inject_parse_case {
	const char *line;
	int ret;
	enum hvsim_inject_op op;
	u16 code;
	u16 status;
	u64 count;
	u32 delay_ms;
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
	{ "root_irq hold\n", 0, HVSIM_INJECT_ROOT_IRQ, 0, 0, 1 },
	{ "root_irq release", 0, HVSIM_INJECT_ROOT_IRQ, 0, 0, 0 },
	{ "root_irq", -EINVAL },
	{ "root_irq hold 1", -EINVAL },
	{ "root_irq off", -EINVAL },
	{ "pending 0x45 2\n", 0, HVSIM_INJECT_PENDING, 0x45, 0, 2, 0 },
	{ "pending 69 1 250 0x7", 0, HVSIM_INJECT_PENDING, 0x45, 7, 1, 250 },
	{ "pending 0x45 3 never", 0, HVSIM_INJECT_PENDING, 0x45, 0, 3,
	  HVSIM_ASYNC_NEVER },
	{ "pending 0x45 1 never 0xb", 0, HVSIM_INJECT_PENDING, 0x45, 0xb, 1,
	  HVSIM_ASYNC_NEVER },
	{ "pending 0x45 4294967295 4294967294", 0, HVSIM_INJECT_PENDING, 0x45,
	  0, 4294967295U, 4294967294U },
	{ "complete\n", 0, HVSIM_INJECT_COMPLETE },
	{ "delay 0x4c 2 150\n", 0, HVSIM_INJECT_DELAY, 0x4c, 0, 2, 150 },
	{ "delay 76 1 2000", 0, HVSIM_INJECT_DELAY, 0x4c, 0, 1, 2000 },
	{ "delay 0x4c 1 2001", -EINVAL },
	{ "delay 0x4c 1 0", -EINVAL },
	{ "delay 0x4c 0 10", -EINVAL },
	{ "delay 0x4c 1 0x10", -EINVAL },
	{ "delay 0x4c 1", -EINVAL },
	{ "delay 0x1 1 10", -EINVAL },
	{ "pending 0x44 1", -EINVAL },		/* never asynchronous */
	{ "pending 0x4b 1 0", -EINVAL },
	{ "pending 0x45 0", -EINVAL },
	{ "pending 0x45 4294967296", -EINVAL },
	{ "pending 0x45", -EINVAL },
	{ "pending 0x45 1 soon", -EINVAL },
	{ "pending 0x45 1 -1", -EINVAL },
	{ "pending 0x45 1 0x10", -EINVAL },
	{ "pending 0x45 1 4294967295", -EINVAL },
	{ "pending 0x45 1 10 0", -EINVAL },
	{ "pending 0x45 1 10 0x10000", -EINVAL },
	{ "pending 0x45 1 never 0xb 1", -EINVAL },
	{ "complete now", -EINVAL },
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
		KUNIT_EXPECT_EQ_MSG(test, cmd.delay_ms, c->delay_ms,
				    "\"%s\"", c->line);
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

/* Completions owed (held or timed) */
static unsigned int inject_async_owed(void)
{
	unsigned int i, owed = 0;

	spin_lock_irq(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_ASYNC_MAX; i++)
		if (hvsim_async_table[i].state != HVSIM_ASYNC_FREE)
			owed++;
	spin_unlock_irq(&hvsim_inject_lock);
	return owed;
}

/*
 * "pending": exactly the nth call returns CALL_PENDING and owes a
 * completion with the call's own status (or the rule's, the call then
 * doing nothing); a full completion table makes the call synchronous.
 * SET_PARTITION_PROPERTY on SELF is refused (ACCESS_DENIED), which is a
 * status as good as any.  The held completions are cancelled, not posted.
 */
static void hvsim_inject_test_pending(struct kunit *test)
{
	struct hv_input_set_partition_property *in;
	char line[HVSIM_INJECT_LINE_MAX];
	u64 pending0 = hvsim_async_pending, completed0 = hvsim_async_completed;
	unsigned int i;

	in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	in->partition_id = HV_PARTITION_ID_SELF;
	in->property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS;
	KUNIT_ASSERT_EQ(test, inject_async_owed(), 0);

	KUNIT_ASSERT_EQ(test, inject_rule("pending 0x45 2 never"), 0);
	KUNIT_ASSERT_EQ(test, inject_rule("pending 0x45 3 never 0x71"), 0);
	for (i = 1; i <= 4; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_hypercall(HVCALL_SET_PARTITION_PROPERTY,
						    in, NULL),
				    i == 2 || i == 3 ? HV_STATUS_CALL_PENDING :
				    HV_STATUS_ACCESS_DENIED, "call %u", i);
	KUNIT_EXPECT_EQ(test, hvsim_inject_nr, 0);
	KUNIT_EXPECT_EQ(test, hvsim_async_pending - pending0, 2);
	KUNIT_EXPECT_EQ(test, inject_async_owed(), 2);
	spin_lock_irq(&hvsim_inject_lock);
	KUNIT_EXPECT_EQ(test, hvsim_async_table[0].state, HVSIM_ASYNC_HELD);
	KUNIT_EXPECT_EQ(test, hvsim_async_table[0].partition_id,
			HV_PARTITION_ID_SELF);
	KUNIT_EXPECT_EQ(test, hvsim_async_table[0].status,
			HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, hvsim_async_table[1].status,
			HV_STATUS_OPERATION_FAILED);
	spin_unlock_irq(&hvsim_inject_lock);
	async_cancel_all();
	KUNIT_EXPECT_EQ(test, inject_async_owed(), 0);

	/* One call more than the table holds: the last one is synchronous */
	for (i = 1; i <= HVSIM_ASYNC_MAX + 1; i++) {
		snprintf(line, sizeof(line), "pending 0x45 %u never", i);
		KUNIT_ASSERT_EQ(test, inject_rule(line), 0);
	}
	for (i = 1; i <= HVSIM_ASYNC_MAX + 1; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_hypercall(HVCALL_SET_PARTITION_PROPERTY,
						    in, NULL),
				    i <= HVSIM_ASYNC_MAX ?
				    HV_STATUS_CALL_PENDING :
				    HV_STATUS_ACCESS_DENIED, "call %u", i);
	KUNIT_EXPECT_EQ(test, inject_async_owed(), HVSIM_ASYNC_MAX);
	KUNIT_EXPECT_EQ(test, hvsim_async_pending - pending0,
			2 + HVSIM_ASYNC_MAX);
	async_cancel_all();
	KUNIT_EXPECT_EQ(test, inject_async_owed(), 0);
	KUNIT_EXPECT_EQ(test, hvsim_async_completed, completed0);
	KUNIT_EXPECT_EQ(test, inject_rule("clear"), 0);
}

static struct kunit_case hvsim_inject_test_cases[] = {
	KUNIT_CASE(hvsim_inject_test_parse),
	KUNIT_CASE(hvsim_inject_test_fail),
	KUNIT_CASE(hvsim_inject_test_max_reps),
	KUNIT_CASE(hvsim_inject_test_pool_cap_and_full_table),
	KUNIT_CASE(hvsim_inject_test_pending),
	{}
};

static struct kunit_suite hvsim_inject_test_suite = {
	.name = "hvsim_inject",
	.test_cases = hvsim_inject_test_cases,
};

kunit_test_suite(hvsim_inject_test_suite);
