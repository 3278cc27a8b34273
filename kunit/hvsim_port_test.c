// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's root ports: every status of CREATE / CONNECT /
 * DISCONNECT / DELETE_PORT, the root-pool accounting (a port is one page,
 * INSUFFICIENT_MEMORY on an empty pool, the page comes back on delete),
 * and the doorbell match rule.  Included at the end of hvsim/hvsim_port.c.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "../hvsim/hvsim_main.h"

struct port_test {
	struct kunit *test;
	void *in;
	u64 id;
};

static u16 pt_call(struct port_test *t, u16 code, bool fast)
{
	return hvsim_hypercall(code | (fast ? HV_HYPERCALL_FAST_BIT : 0),
			       t->in, NULL);
}

/* Deposit one fresh page into @id */
static void pt_deposit(struct port_test *t, u64 id)
{
	struct hv_input_deposit_memory *in = t->in;
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(t->test, page);
	memset(in, 0, PAGE_SIZE);
	in->partition_id = id;
	in->gpa_page_list[0] = page_to_pfn(page);
	KUNIT_ASSERT_EQ(t->test,
			hvsim_hypercall(HVCALL_DEPOSIT_MEMORY |
					(1ULL << HV_HYPERCALL_REP_COMP_OFFSET),
					t->in, NULL),
			1ULL << HV_HYPERCALL_REP_COMP_OFFSET);
}

/* Withdraw and free every page of @id's pool; returns the count */
static unsigned int pt_withdraw_all(struct port_test *t, u64 id)
{
	struct hv_input_withdraw_memory *in = t->in;
	u64 *out = kmalloc(PAGE_SIZE, GFP_KERNEL), result;
	unsigned int i, reps, total = 0;

	KUNIT_ASSERT_NOT_NULL(t->test, out);
	do {
		memset(in, 0, sizeof(*in));
		in->partition_id = id;
		result = hvsim_hypercall(HVCALL_WITHDRAW_MEMORY |
					 (64ULL << HV_HYPERCALL_REP_COMP_OFFSET),
					 t->in, out);
		reps = result >> HV_HYPERCALL_REP_COMP_OFFSET;
		for (i = 0; i < reps; i++)
			__free_page(pfn_to_page(out[i]));
		total += reps;
	} while ((u16)result == HV_STATUS_SUCCESS);
	kfree(out);
	return total;
}

static void pt_create_in(struct port_test *t, u32 port_id)
{
	struct hv_input_create_port *in = t->in;

	memset(in, 0, PAGE_SIZE);
	in->port_partition_id = HV_PARTITION_ID_SELF;
	in->port_id = port_id;
	in->connection_partition_id = t->id;
	in->port_type = HV_PORT_TYPE_DOORBELL;
	in->target_sint = HV_SYNIC_DOORBELL_SINT_INDEX;
	in->target_vp = HV_ANY_VP;
}

static void pt_connect_in(struct port_test *t, u32 port_id, u64 flags)
{
	struct hv_input_connect_port *in = t->in;

	memset(in, 0, PAGE_SIZE);
	in->connection_partition_id = t->id;
	in->connection_id = port_id;
	in->port_partition_id = HV_PARTITION_ID_SELF;
	in->port_id = port_id;
	in->port_type = HV_PORT_TYPE_DOORBELL;
	in->doorbell_gpa = 0xE008;
	in->doorbell_trigger_value = 0x4321;
	in->doorbell_flags = flags;
}

static u16 pt_disconnect(struct port_test *t, u64 pid, u32 conn, u32 flags)
{
	struct hv_input_disconnect_port *in = t->in;

	memset(in, 0, PAGE_SIZE);
	in->connection_partition_id = pid;
	in->connection_id = conn;
	in->flags = flags;
	return pt_call(t, HVCALL_DISCONNECT_PORT, true);
}

static u16 pt_delete(struct port_test *t, u64 pid, u32 port_id, u32 rsvd)
{
	struct hv_input_delete_port *in = t->in;

	memset(in, 0, PAGE_SIZE);
	in->port_partition_id = pid;
	in->port_id = port_id;
	in->reserved = rsvd;
	return pt_call(t, HVCALL_DELETE_PORT, true);
}

static void hvsim_port_test_statuses(struct kunit *test)
{
	struct port_test t = { .test = test };
	struct hv_input_create_partition *cp;
	struct hv_input_create_port *cr;
	struct hv_input_connect_port *cn;
	struct hvsim_port *port;
	const u64 word = HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD;

	t.in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t.in);
	cr = t.in;
	cn = t.in;

	/* A partition to connect (its object takes the one root page) */
	pt_deposit(&t, HV_PARTITION_ID_SELF);
	cp = t.in;
	memset(cp, 0, PAGE_SIZE);
	cp->flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION;
	cp->compatibility_version = HV_COMPATIBILITY_21_H2;
	KUNIT_ASSERT_EQ(test, hvsim_hypercall(HVCALL_CREATE_PARTITION, t.in,
					      t.in), 0ULL);
	t.id = *(u64 *)t.in;

	/* CREATE_PORT: the root pool is empty, then deposit and retry */
	pt_create_in(&t, 7);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INSUFFICIENT_MEMORY);
	pt_deposit(&t, HV_PARTITION_ID_SELF);
	pt_create_in(&t, 7);
	cr->port_partition_id = t.id;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PARTITION_ID);
	pt_create_in(&t, 7);
	cr->port_type = HV_PORT_TYPE_MESSAGE;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PARAMETER);
	pt_create_in(&t, 7);
	cr->target_sint = HV_SYNIC_SINT_COUNT;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PARAMETER);
	pt_create_in(&t, 7);
	cr->port_rsvdz = 1;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PARAMETER);
	pt_create_in(&t, 0);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PORT_ID);
	pt_create_in(&t, HV_PORT_ID_MASK + 1);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PORT_ID);
	pt_create_in(&t, 7);
	cr->connection_partition_id = t.id + 1000;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PARTITION_ID);
	pt_create_in(&t, 7);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_SUCCESS);
	pt_create_in(&t, 7);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CREATE_PORT, false),
			HV_STATUS_INVALID_PORT_ID);

	/* CONNECT_PORT */
	pt_connect_in(&t, 8, word);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_PORT_ID);
	pt_connect_in(&t, 7, word | 0x8);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_PARAMETER);
	pt_connect_in(&t, 7, 5);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_PARAMETER);
	pt_connect_in(&t, 7, word);
	cn->rsvdz1 = 1;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_PARAMETER);
	pt_connect_in(&t, 7, word);
	cn->connection_partition_id = t.id + 1000;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_PARTITION_ID);
	pt_connect_in(&t, 7, word);
	cn->connection_id = HV_PORT_ID_MASK + 1;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_CONNECTION_ID);
	pt_connect_in(&t, 7, word);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_SUCCESS);
	pt_connect_in(&t, 7, word);
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_CONNECT_PORT, false),
			HV_STATUS_INVALID_CONNECTION_ID);

	/* The doorbell rule: address, size and value */
	spin_lock_irq(&hvsim_ports_lock);
	port = port_find(7);
	KUNIT_ASSERT_NOT_NULL(test, port);
	KUNIT_EXPECT_TRUE(test, doorbell_matches(port, 0xE008, 2, 0x4321));
	KUNIT_EXPECT_FALSE(test, doorbell_matches(port, 0xE008, 2, 0x1234));
	KUNIT_EXPECT_FALSE(test, doorbell_matches(port, 0xE008, 4, 0x4321));
	KUNIT_EXPECT_FALSE(test, doorbell_matches(port, 0xE000, 2, 0x4321));
	port->flags = HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY |
		      HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE;
	KUNIT_EXPECT_TRUE(test, doorbell_matches(port, 0xE008, 8, 0x1234));
	KUNIT_EXPECT_TRUE(test, doorbell_matches(port, 0xE008, 1, 0));
	spin_unlock_irq(&hvsim_ports_lock);

	/* DISCONNECT_PORT */
	KUNIT_EXPECT_EQ(test, pt_disconnect(&t, t.id, 7, 2),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, pt_disconnect(&t, t.id, 8, 1),
			HV_STATUS_INVALID_CONNECTION_ID);
	KUNIT_EXPECT_EQ(test, pt_disconnect(&t, t.id, 7, 1),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, pt_disconnect(&t, t.id, 7, 1),
			HV_STATUS_INVALID_CONNECTION_ID);
	spin_lock_irq(&hvsim_ports_lock);
	KUNIT_EXPECT_FALSE(test, doorbell_matches(port, 0xE008, 2, 0x4321));
	spin_unlock_irq(&hvsim_ports_lock);

	/* DELETE_PORT; the page goes back to the root pool */
	KUNIT_EXPECT_EQ(test, pt_delete(&t, t.id, 7, 0),
			HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, pt_delete(&t, HV_PARTITION_ID_SELF, 7, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, pt_delete(&t, HV_PARTITION_ID_SELF, 8, 0),
			HV_STATUS_INVALID_PORT_ID);
	KUNIT_EXPECT_EQ(test, pt_delete(&t, HV_PARTITION_ID_SELF, 7, 0),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, pt_delete(&t, HV_PARTITION_ID_SELF, 7, 0),
			HV_STATUS_INVALID_PORT_ID);
	KUNIT_EXPECT_EQ(test, pt_withdraw_all(&t, HV_PARTITION_ID_SELF), 1U);

	/* Teardown: the partition object comes back too */
	memset(t.in, 0, PAGE_SIZE);
	*(u64 *)t.in = t.id;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_FINALIZE_PARTITION, true),
			HV_STATUS_SUCCESS);
	*(u64 *)t.in = t.id;
	KUNIT_EXPECT_EQ(test, pt_call(&t, HVCALL_DELETE_PARTITION, true),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, pt_withdraw_all(&t, HV_PARTITION_ID_SELF), 1U);
}

static struct kunit_case hvsim_port_test_cases[] = {
	KUNIT_CASE(hvsim_port_test_statuses),
	{}
};

static struct kunit_suite hvsim_port_test_suite = {
	.name = "hvsim_port",
	.test_cases = hvsim_port_test_cases,
};

kunit_test_suite(hvsim_port_test_suite);
