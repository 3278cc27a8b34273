// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the MSI routing table (mshv_irq.c, which includes this
 * file at its end): entry decoding, validation, lookup, and that a failed
 * update leaves the table untouched.
 */

#include <kunit/test.h>

/* Entry decoding: address/data pairs and the fields they must give */
static const struct {
	const char *name;
	struct mshv_user_irq_entry entry;
	struct mshv_msi_route route;
} mshv_irq_test_decodes[] = {
	{ "fixed physical edge",
	  { .gsi = 5, .address_lo = 0xFEE00000, .data = 0x0031 },
	  { .gsi = 5, .address_lo = 0xFEE00000, .data = 0x0031,
	    .vector = 0x31, .interrupt_type = HV_X64_INTERRUPT_TYPE_FIXED,
	    .valid = true } },
	{ "destination 3, logical",
	  { .gsi = 7, .address_lo = 0xFEE03004, .data = 0x00EF },
	  { .gsi = 7, .address_lo = 0xFEE03004, .data = 0x00EF,
	    .dest_apic_id = 3, .vector = 0xEF, .logical_dest = true,
	    .valid = true } },
	{ "destination 255, lowest priority, level",
	  { .gsi = 4095, .address_lo = 0xFEEFF000, .data = 0x8120 },
	  { .gsi = 4095, .address_lo = 0xFEEFF000, .data = 0x8120,
	    .dest_apic_id = 0xFF, .vector = 0x20,
	    .interrupt_type = HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY,
	    .level_triggered = true, .valid = true } },
	{ "NMI",
	  { .gsi = 1, .address_lo = 0xFEE01000, .data = 0x0400 },
	  { .gsi = 1, .address_lo = 0xFEE01000, .data = 0x0400,
	    .dest_apic_id = 1, .interrupt_type = HV_X64_INTERRUPT_TYPE_NMI,
	    .valid = true } },
	{ "ExtINT, bits outside the fields ignored",
	  { .gsi = 2, .address_lo = 0xFEE00FF8, .data = 0xFFFF7702 },
	  { .gsi = 2, .address_lo = 0xFEE00FF8, .data = 0xFFFF7702,
	    .vector = 0x02, .interrupt_type = HV_X64_INTERRUPT_TYPE_EXTINT,
	    .valid = true } },
	{ "all zero: a reservation",
	  { .gsi = 9 },
	  { .gsi = 9 } },
	{ "data only",
	  { .gsi = 10, .data = 0x0041 },
	  { .gsi = 10, .data = 0x0041, .vector = 0x41, .valid = true } },
};

static void mshv_irq_test_decode(struct kunit *test)
{
	struct mshv_msi_route route;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_irq_test_decodes); i++) {
		const struct mshv_msi_route *want =
			&mshv_irq_test_decodes[i].route;

		memset(&route, 0xAA, sizeof(route));
		mshv_msi_decode(&mshv_irq_test_decodes[i].entry, &route);
		KUNIT_EXPECT_EQ_MSG(test, route.gsi, want->gsi, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.address_lo, want->address_lo,
				    "%s", mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.data, want->data, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.dest_apic_id,
				    want->dest_apic_id, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.vector, want->vector, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.interrupt_type,
				    want->interrupt_type, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.level_triggered,
				    want->level_triggered, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.logical_dest,
				    want->logical_dest, "%s",
				    mshv_irq_test_decodes[i].name);
		KUNIT_EXPECT_EQ_MSG(test, route.valid, want->valid, "%s",
				    mshv_irq_test_decodes[i].name);
	}
}

/* A partition with only what the routing table needs */
static struct mshv_partition *mshv_irq_test_partition(struct kunit *test)
{
	struct mshv_partition *partition;

	partition = kunit_kzalloc(test, sizeof(*partition), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, partition);
	mshv_irq_init(partition);
	return partition;
}

static u32 mshv_irq_test_nr(struct mshv_partition *partition)
{
	const struct mshv_msi_routing *table;
	u32 nr = 0;

	rcu_read_lock();
	table = rcu_dereference(partition->msi_routing);
	if (table)
		nr = table->nr;
	rcu_read_unlock();
	return nr;
}

static const struct mshv_user_irq_entry mshv_irq_test_table[] = {
	{ .gsi = 40, .address_lo = 0xFEE02000, .data = 0x0050 },
	{ .gsi = 3, .address_lo = 0xFEE00000, .data = 0x0030 },
	{ .gsi = 0 },
	{ .gsi = 4095, .address_lo = 0xFEE01000, .data = 0x80A0 },
};

/* Lookups find every GSI of the table, sorted or not, and nothing else */
static void mshv_irq_test_lookup(struct kunit *test)
{
	struct mshv_partition *partition = mshv_irq_test_partition(test);
	struct mshv_msi_route route;
	size_t i;

	KUNIT_EXPECT_FALSE(test, mshv_msi_route_get(partition, 3, &route));
	KUNIT_ASSERT_EQ(test, mshv_set_msi_routing(partition,
						   mshv_irq_test_table,
						   ARRAY_SIZE(mshv_irq_test_table)),
			0);
	KUNIT_EXPECT_EQ(test, mshv_irq_test_nr(partition), 4);

	for (i = 0; i < ARRAY_SIZE(mshv_irq_test_table); i++) {
		const struct mshv_user_irq_entry *e = &mshv_irq_test_table[i];

		KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition, e->gsi,
							   &route));
		KUNIT_EXPECT_EQ(test, route.gsi, e->gsi);
		KUNIT_EXPECT_EQ(test, route.data, e->data);
		KUNIT_EXPECT_EQ(test, route.address_lo, e->address_lo);
	}
	KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition, 40, &route));
	KUNIT_EXPECT_EQ(test, route.vector, 0x50);
	KUNIT_EXPECT_EQ(test, route.dest_apic_id, 2);
	KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition, 4095, &route));
	KUNIT_EXPECT_TRUE(test, route.level_triggered);
	KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition, 0, &route));
	KUNIT_EXPECT_FALSE(test, route.valid);

	KUNIT_EXPECT_FALSE(test, mshv_msi_route_get(partition, 1, &route));
	KUNIT_EXPECT_FALSE(test, mshv_msi_route_get(partition, 41, &route));
	KUNIT_EXPECT_FALSE(test, mshv_msi_route_get(partition, 4096, &route));

	/* nr == 0 clears the table */
	KUNIT_EXPECT_EQ(test, mshv_set_msi_routing(partition, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, mshv_irq_test_nr(partition), 0);
	KUNIT_EXPECT_FALSE(test, mshv_msi_route_get(partition, 3, &route));

	mshv_irq_release(partition);
}

/* Invalid tables: -EINVAL and the table in place stays as it was */
static void mshv_irq_test_invalid_keeps_table(struct kunit *test)
{
	static const struct mshv_user_irq_entry bad_gsi[] = {
		{ .gsi = 1, .address_lo = 0xFEE00000, .data = 0x30 },
		{ .gsi = MSHV_MAX_GUEST_IRQS, .address_lo = 0xFEE00000 },
	};
	static const struct mshv_user_irq_entry bad_addr_hi[] = {
		{ .gsi = 1, .address_lo = 0xFEE00000, .address_hi = 1 },
	};
	static const struct mshv_user_irq_entry duplicate[] = {
		{ .gsi = 8, .address_lo = 0xFEE00000, .data = 0x30 },
		{ .gsi = 2 },
		{ .gsi = 8 },
	};
	struct mshv_partition *partition = mshv_irq_test_partition(test);
	const struct mshv_msi_routing *before;
	struct mshv_msi_route route;

	KUNIT_ASSERT_EQ(test, mshv_set_msi_routing(partition,
						   mshv_irq_test_table,
						   ARRAY_SIZE(mshv_irq_test_table)),
			0);
	before = rcu_access_pointer(partition->msi_routing);

	KUNIT_EXPECT_EQ(test, mshv_set_msi_routing(partition, bad_gsi,
						   ARRAY_SIZE(bad_gsi)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_set_msi_routing(partition, bad_addr_hi,
						   ARRAY_SIZE(bad_addr_hi)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_set_msi_routing(partition, duplicate,
						   ARRAY_SIZE(duplicate)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_set_msi_routing(partition,
						   mshv_irq_test_table,
						   MSHV_MAX_GUEST_IRQS + 1),
			-EINVAL);

	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(partition->msi_routing),
			    before);
	KUNIT_EXPECT_EQ(test, mshv_irq_test_nr(partition), 4);
	KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition, 40, &route));
	KUNIT_EXPECT_EQ(test, route.vector, 0x50);
	KUNIT_EXPECT_FALSE(test, mshv_msi_route_get(partition, 8, &route));

	mshv_irq_release(partition);
}

/* The largest table: every GSI once, in reverse order */
static void mshv_irq_test_full_table(struct kunit *test)
{
	struct mshv_partition *partition = mshv_irq_test_partition(test);
	struct mshv_user_irq_entry *entries;
	struct mshv_msi_route route;
	u32 i;

	entries = kunit_kcalloc(test, MSHV_MAX_GUEST_IRQS, sizeof(*entries),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, entries);
	for (i = 0; i < MSHV_MAX_GUEST_IRQS; i++) {
		entries[i].gsi = MSHV_MAX_GUEST_IRQS - 1 - i;
		entries[i].address_lo = 0xFEE00000;
		entries[i].data = entries[i].gsi & 0xFF;
	}
	KUNIT_ASSERT_EQ(test, mshv_set_msi_routing(partition, entries,
						   MSHV_MAX_GUEST_IRQS),
			0);
	KUNIT_EXPECT_EQ(test, mshv_irq_test_nr(partition), MSHV_MAX_GUEST_IRQS);
	for (i = 0; i < MSHV_MAX_GUEST_IRQS; i += 97) {
		KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition, i,
							   &route));
		KUNIT_EXPECT_EQ(test, route.vector, i & 0xFF);
	}
	KUNIT_ASSERT_TRUE(test, mshv_msi_route_get(partition,
						   MSHV_MAX_GUEST_IRQS - 1,
						   &route));

	/* Replacing a table frees the old one after a grace period */
	KUNIT_EXPECT_EQ(test, mshv_set_msi_routing(partition, entries, 1), 0);
	KUNIT_EXPECT_EQ(test, mshv_irq_test_nr(partition), 1);
	mshv_irq_release(partition);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(partition->msi_routing));
}

static struct kunit_case mshv_irq_test_cases[] = {
	KUNIT_CASE(mshv_irq_test_decode),
	KUNIT_CASE(mshv_irq_test_lookup),
	KUNIT_CASE(mshv_irq_test_invalid_keeps_table),
	KUNIT_CASE(mshv_irq_test_full_table),
	{}
};

static struct kunit_suite mshv_irq_test_suite = {
	.name = "mshv_root_irq",
	.test_cases = mshv_irq_test_cases,
};

kunit_test_suite(mshv_irq_test_suite);
