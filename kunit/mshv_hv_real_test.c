// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the real backend's choice (mshv_hv_real.c, which
 * includes this file at its end): partition type from the privilege mask,
 * the root interrupt hook per kernel and configuration, and the refusal
 * with its reason where the driver cannot work.
 */

#include <kunit/test.h>
#include <linux/string.h>

#define CREATE	MSHV_PRIV_HIGH_CREATE_PARTITIONS
#define CPUMGT	MSHV_PRIV_HIGH_CPU_MANAGEMENT
#define ISOL	MSHV_PRIV_HIGH_ISOLATION

static const struct {
	const char *name;
	struct mshv_hv_host host;
	int ret;
	enum mshv_hv_type type;
	enum mshv_hv_irq irq;
	const char *missing;	/* a substring of plan.missing, or NULL */
} mshv_hv_real_test_cases[] = {
	{ "bare metal or another hypervisor", { .hyperv = false,
	  .priv_high = CREATE | CPUMGT }, 0, MSHV_HV_NO_HYPERVISOR,
	  MSHV_HV_IRQ_NONE, NULL },
	{ "Hyper-V guest", { .hyperv = true }, 0, MSHV_HV_GUEST,
	  MSHV_HV_IRQ_NONE, NULL },
	{ "CPU management without partition creation", { .hyperv = true,
	  .priv_high = CPUMGT }, 0, MSHV_HV_GUEST, MSHV_HV_IRQ_NONE, NULL },
	{ "isolated (confidential) guest claiming root", { .hyperv = true,
	  .priv_high = CREATE | CPUMGT | ISOL }, 0, MSHV_HV_GUEST,
	  MSHV_HV_IRQ_NONE, NULL },
	{ "guest in a kdump kernel", { .hyperv = true, .kdump = true }, 0,
	  MSHV_HV_GUEST, MSHV_HV_IRQ_NONE, NULL },
	{ "root, 6.1/6.12", { .hyperv = true, .priv_high = CREATE | CPUMGT },
	  0, MSHV_HV_ROOT, MSHV_HV_IRQ_VMBUS_HOOK, NULL },
	{ "root, 6.15+", { .hyperv = true, .priv_high = CREATE | CPUMGT,
	  .mshv_hook = true }, 0, MSHV_HV_ROOT, MSHV_HV_IRQ_MSHV_HOOK, NULL },
	{ "nested root, 6.12", { .hyperv = true,
	  .priv_high = CREATE | CPUMGT, .nested = true }, -ENODEV,
	  MSHV_HV_ROOT, MSHV_HV_IRQ_NONE, "in a nested root; needs hv_setup_mshv_handler()" },
	{ "nested root, 6.15+", { .hyperv = true,
	  .priv_high = CREATE | CPUMGT, .nested = true, .mshv_hook = true },
	  0, MSHV_HV_ROOT, MSHV_HV_IRQ_MSHV_HOOK, NULL },
	{ "L1VH, 6.1/6.12", { .hyperv = true, .priv_high = CREATE }, -ENODEV,
	  MSHV_HV_L1VH, MSHV_HV_IRQ_NONE, "in an L1VH partition; needs hv_setup_mshv_handler()" },
	{ "L1VH, 6.15+", { .hyperv = true, .priv_high = CREATE,
	  .mshv_hook = true }, 0, MSHV_HV_L1VH, MSHV_HV_IRQ_MSHV_HOOK, NULL },
	{ "root in a kdump kernel", { .hyperv = true,
	  .priv_high = CREATE | CPUMGT, .kdump = true, .mshv_hook = true },
	  -ENODEV, MSHV_HV_ROOT, MSHV_HV_IRQ_NONE, "kdump" },
};

static void mshv_hv_real_test_choose(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_hv_real_test_cases); i++) {
		typeof(mshv_hv_real_test_cases[0]) *c = &mshv_hv_real_test_cases[i];
		struct mshv_hv_plan plan;

		memset(&plan, 0xA5, sizeof(plan));
		KUNIT_EXPECT_EQ_MSG(test, mshv_hv_real_choose(&c->host, &plan),
				    c->ret, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, plan.type, c->type, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, plan.irq, c->irq, "%s", c->name);
		if (!c->missing) {
			KUNIT_EXPECT_NULL_MSG(test, plan.missing, "%s", c->name);
			continue;
		}
		KUNIT_ASSERT_NOT_NULL_MSG(test, plan.missing, "%s", c->name);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(plan.missing, c->missing),
					  "%s: %s", c->name, plan.missing);
	}
}

static void mshv_hv_real_test_type_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, mshv_hv_type_name(MSHV_HV_NO_HYPERVISOR),
			   "no hypervisor");
	KUNIT_EXPECT_STREQ(test, mshv_hv_type_name(MSHV_HV_GUEST), "guest");
	KUNIT_EXPECT_STREQ(test, mshv_hv_type_name(MSHV_HV_ROOT), "root");
	KUNIT_EXPECT_STREQ(test, mshv_hv_type_name(MSHV_HV_L1VH), "L1VH");
}

static struct kunit_case mshv_hv_real_test_cases_list[] = {
	KUNIT_CASE(mshv_hv_real_test_choose),
	KUNIT_CASE(mshv_hv_real_test_type_names),
	{}
};

static struct kunit_suite mshv_hv_real_test_suite = {
	.name = "mshv_root_hv_real",
	.test_cases = mshv_hv_real_test_cases_list,
};

kunit_test_suite(mshv_hv_real_test_suite);
