// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's root SynIC: register semantics, message delivery
 * and queueing, EOM, event rings and their overflow, and the root ISR.
 * Included at the end of hvsim/hvsim_synic.c.  Most tests run on a
 * private struct hvsim_root_synic so that a loaded mshv_root is not
 * disturbed; the hypercall-path tests change no state.
 */
#include <kunit/test.h>

#include "../hvsim/hvsim_main.h"

#define SYNIC_TEST_SENDER	0x1234ULL

#define SYNIC_HC(code, reps) \
	((u64)(code) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET))
#define SYNIC_RESULT(status, reps) \
	((u64)(status) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET))

static void synic_test_exit_free(void *s)
{
	synic_free(s);
}

static struct hvsim_root_synic *synic_test_new(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_alloc(raw_smp_processor_id());

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							synic_test_exit_free,
							s), 0);
	return s;
}

static u16 synic_test_set(struct hvsim_root_synic *s, u32 name, u64 v)
{
	union hv_register_value val = { .reg64 = v };

	return synic_set_reg(s, name, &val);
}

static u64 synic_test_get(struct kunit *test, struct hvsim_root_synic *s,
			  u32 name)
{
	union hv_register_value val;

	KUNIT_EXPECT_EQ(test, synic_get_reg(s, name, &val), HV_STATUS_SUCCESS);
	return val.reg64;
}

/* Enable the SynIC, SIMP, SIRBP and unmask SINT0 (and SINT5 as_intercept) */
static void synic_test_enable(struct kunit *test, struct hvsim_root_synic *s)
{
	u64 simp = synic_test_get(test, s, HV_REGISTER_SIMP);
	u64 sirbp = synic_test_get(test, s, HV_REGISTER_SIRBP);

	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SIMP,
					     simp | HV_SYNIC_PAGE_ENABLE), 0);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SIRBP,
					     sirbp | HV_SYNIC_PAGE_ENABLE), 0);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0, 0xF3), 0);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0 + 5,
					     0xF3 | HV_SYNIC_SINT_AS_INTERCEPT),
			0);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SCONTROL,
					     HV_SYNIC_CONTROL_ENABLE), 0);
}

static void synic_test_post(struct hvsim_root_synic *s, u32 sint, u32 type,
			    u32 payload)
{
	struct hv_message msg;

	synic_build_msg(&msg, type, SYNIC_TEST_SENDER, &payload,
			sizeof(payload));
	synic_post(s, sint, &msg);
}

static u32 synic_test_slot_type(struct hvsim_root_synic *s, u32 sint)
{
	return READ_ONCE(s->simp->sint_message[sint].header.message_type);
}

/* What the driver does after handling a slot */
static void synic_test_consume(struct hvsim_root_synic *s, u32 sint)
{
	struct hv_message *slot = &s->simp->sint_message[sint];
	bool pending = slot->header.message_flags & HV_MESSAGE_FLAG_PENDING;

	WRITE_ONCE(slot->header.message_type, HVMSG_NONE);
	if (pending)
		synic_test_set(s, HV_REGISTER_EOM, 0);
}

static void hvsim_synic_test_registers(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);
	u64 simp_pfn = page_to_pfn(virt_to_page(s->simp));
	union hv_register_value val;
	unsigned int i;

	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		KUNIT_EXPECT_EQ(test,
				synic_test_get(test, s, HV_REGISTER_SINT0 + i),
				HV_SYNIC_SINT_MASKED);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SCONTROL),
			0ULL);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SVERSION),
			1ULL);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SIMP),
			simp_pfn << HV_HYP_PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SIEFP),
			(u64)page_to_pfn(virt_to_page(s->siefp)) <<
			HV_HYP_PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SIRBP),
			(u64)page_to_pfn(virt_to_page(s->sirbp)) <<
			HV_HYP_PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, synic_get_reg(s, HV_REGISTER_EOM, &val),
			HV_STATUS_INVALID_PARAMETER);

	/* Refused writes change nothing */
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SVERSION, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SIMP,
					     ((simp_pfn + 1) << 12) | 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SIMP,
					     (simp_pfn << 12) | 3),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_FALSE(test, s->simp_on);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0,
					     BIT_ULL(21) | 0x20),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SINT0),
			HV_SYNIC_SINT_MASKED);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SCONTROL, 2),
			HV_STATUS_INVALID_PARAMETER);
	val.reg128.low_part = 1;
	val.reg128.high_part = 1;
	KUNIT_EXPECT_EQ(test, synic_set_reg(s, HV_REGISTER_SCONTROL, &val),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, s->scontrol, 0ULL);

	/* Accepted writes */
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SIMP,
					     (simp_pfn << 12) | 1), 0);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SIMP),
			(simp_pfn << 12) | 1);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SINT15,
					     0x1F00FF), 0);
	KUNIT_EXPECT_EQ(test, synic_test_get(test, s, HV_REGISTER_SINT15),
			0x1F00FFULL);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_EOM, 0xABC), 0);

	KUNIT_EXPECT_TRUE(test, hvsim_synic_reg(HV_REGISTER_SINT0));
	KUNIT_EXPECT_TRUE(test, hvsim_synic_reg(HV_REGISTER_SIRBP));
	KUNIT_EXPECT_TRUE(test, hvsim_synic_reg(HV_REGISTER_SINT15));
	KUNIT_EXPECT_FALSE(test, hvsim_synic_reg(HV_REGISTER_SINT0 - 1));
	KUNIT_EXPECT_FALSE(test, hvsim_synic_reg(HV_REGISTER_SIRBP + 1));
	KUNIT_EXPECT_FALSE(test, hvsim_synic_reg(HV_X64_REGISTER_RIP));
}

static void hvsim_synic_test_post(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);
	struct hv_message *slot = &s->simp->sint_message[0];

	synic_test_enable(test, s);
	synic_test_post(s, 0, HVMSG_X64_APIC_EOI, 0xAABBCCDD);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_X64_APIC_EOI);
	KUNIT_EXPECT_EQ(test, slot->header.payload_size, 4);
	KUNIT_EXPECT_EQ(test, slot->header.message_flags, 0);
	KUNIT_EXPECT_EQ(test, slot->header.sender, SYNIC_TEST_SENDER);
	KUNIT_EXPECT_EQ(test, slot->u.payload[0], 0xAABBCCDDULL);
	KUNIT_EXPECT_EQ(test, s->posted, 1ULL);
	KUNIT_EXPECT_EQ(test, s->queued, 0ULL);
	KUNIT_EXPECT_EQ(test, s->raised, 1ULL);

	/* Slot busy: queued, the slot says more is pending */
	synic_test_post(s, 0, HVMSG_X64_HALT, 2);
	KUNIT_EXPECT_EQ(test, s->queued, 1ULL);
	KUNIT_EXPECT_EQ(test, s->nr_queued, 1U);
	KUNIT_EXPECT_EQ(test, slot->header.message_flags,
			HV_MESSAGE_FLAG_PENDING);
	KUNIT_EXPECT_EQ(test, slot->u.payload[0], 0xAABBCCDDULL);
	synic_test_post(s, 0, HVMSG_X64_HALT, 3);

	/* EOM delivers the next one, flagged since a third one waits */
	synic_test_consume(s, 0);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_X64_HALT);
	KUNIT_EXPECT_EQ(test, slot->u.payload[0], 2ULL);
	KUNIT_EXPECT_EQ(test, slot->header.message_flags,
			HV_MESSAGE_FLAG_PENDING);
	KUNIT_EXPECT_EQ(test, s->raised, 2ULL);
	synic_test_consume(s, 0);
	KUNIT_EXPECT_EQ(test, slot->u.payload[0], 3ULL);
	KUNIT_EXPECT_EQ(test, slot->header.message_flags, 0);
	KUNIT_EXPECT_EQ(test, s->posted, 3ULL);
	KUNIT_EXPECT_EQ(test, s->nr_queued, 0U);
	synic_test_consume(s, 0);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_NONE);
	KUNIT_EXPECT_EQ(test, s->raised, 3ULL);
	KUNIT_EXPECT_EQ(test, s->dropped, 0ULL);

	/* Another SINT's slot is independent */
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0 + 2, 0x30),
			0);
	synic_test_post(s, 2, HVMSG_X64_HALT, 4);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 2), HVMSG_X64_HALT);
	KUNIT_EXPECT_EQ(test, s->posted, 4ULL);
}

static void hvsim_synic_test_masked(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);

	synic_test_enable(test, s);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0,
					     0xF3 | HV_SYNIC_SINT_MASKED), 0);
	synic_test_post(s, 0, HVMSG_X64_HALT, 1);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_NONE);
	KUNIT_EXPECT_EQ(test, s->queued, 1ULL);
	KUNIT_EXPECT_EQ(test, s->raised, 0ULL);

	/* Unmasking delivers it */
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0, 0xF3), 0);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_X64_HALT);
	KUNIT_EXPECT_EQ(test, s->posted, 1ULL);
	KUNIT_EXPECT_EQ(test, s->raised, 1ULL);
	synic_test_consume(s, 0);

	/* SCONTROL disabled: queued until enabled */
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SCONTROL, 0), 0);
	synic_test_post(s, 0, HVMSG_X64_HALT, 2);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_NONE);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SCONTROL, 1), 0);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_X64_HALT);
	synic_test_consume(s, 0);

	/* SIMP disabled: queued until enabled */
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SIMP,
					     synic_page_reg(s->simp, false)),
			0);
	synic_test_post(s, 0, HVMSG_X64_HALT, 3);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_NONE);
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SIMP,
					     synic_page_reg(s->simp, true)),
			0);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_X64_HALT);
	KUNIT_EXPECT_EQ(test, s->posted, 3ULL);
	KUNIT_EXPECT_EQ(test, s->queued, 3ULL);
	KUNIT_EXPECT_EQ(test, s->dropped, 0ULL);
}

static void hvsim_synic_test_overflow(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);
	unsigned int i;

	/* Nothing enabled: everything queues, the excess is dropped */
	for (i = 0; i < SYNIC_MSG_QUEUE_LEN + 2; i++)
		synic_test_post(s, 0, HVMSG_X64_HALT, i);
	KUNIT_EXPECT_EQ(test, s->queued, (u64)SYNIC_MSG_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, s->dropped, 2ULL);
	KUNIT_EXPECT_EQ(test, s->posted, 0ULL);

	/* Enabling delivers them in order, one per EOM */
	synic_test_enable(test, s);
	for (i = 0; i < SYNIC_MSG_QUEUE_LEN; i++) {
		KUNIT_EXPECT_EQ(test, s->simp->sint_message[0].u.payload[0],
				(u64)i);
		KUNIT_EXPECT_EQ(test,
				s->simp->sint_message[0].header.message_flags,
				i + 1 < SYNIC_MSG_QUEUE_LEN ?
				HV_MESSAGE_FLAG_PENDING : 0);
		synic_test_consume(s, 0);
	}
	KUNIT_EXPECT_EQ(test, s->posted, (u64)SYNIC_MSG_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_NONE);
}

static void hvsim_synic_test_ring(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);
	struct hv_synic_event_ring *ring = &s->sirbp->sint_event_ring[5];
	struct hv_message *slot = &s->simp->sint_message[0];
	unsigned int i;

	synic_test_enable(test, s);
	synic_ring_signal(s, 5, 7);
	KUNIT_EXPECT_EQ(test, ring->data[0], 7U);
	KUNIT_EXPECT_EQ(test, slot->header.message_type,
			HVMSG_SYNIC_SINT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, slot->header.payload_size, 4);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 0ULL);
	KUNIT_EXPECT_EQ(test, slot->u.payload[0], 5ULL);
	KUNIT_EXPECT_EQ(test, s->posted, 1ULL);

	/* An unconsumed intercept for the ring is not posted again */
	synic_ring_signal(s, 5, 8);
	KUNIT_EXPECT_EQ(test, ring->data[1], 8U);
	KUNIT_EXPECT_EQ(test, s->posted, 1ULL);
	KUNIT_EXPECT_EQ(test, s->nr_queued, 0U);

	/* The driver drains the ring with the signal masked */
	WRITE_ONCE(ring->signal_masked, 1);
	synic_test_consume(s, 0);
	ring->data[0] = 0;
	ring->data[1] = 0;
	synic_ring_signal(s, 5, 9);
	KUNIT_EXPECT_EQ(test, ring->data[2], 9U);
	KUNIT_EXPECT_EQ(test, s->posted, 1ULL);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0), HVMSG_NONE);
	ring->data[2] = 0;
	WRITE_ONCE(ring->signal_masked, 0);

	/* Fill the ring: 63 entries from head 3, then it is full */
	for (i = 0; i < HV_SYNIC_EVENT_RING_MESSAGE_COUNT; i++)
		synic_ring_signal(s, 5, 100 + i);
	KUNIT_EXPECT_EQ(test, ring->data[3], 100U);
	KUNIT_EXPECT_EQ(test, ring->data[2], 162U);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 0);
	KUNIT_EXPECT_EQ(test, s->posted, 2ULL);
	synic_ring_signal(s, 5, 500);
	synic_ring_signal(s, 5, 501);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 1);
	KUNIT_EXPECT_EQ(test, s->ring_full, 1ULL);
	KUNIT_EXPECT_EQ(test, s->nr_overflow, 2U);

	/* Drain one entry, clear ring_full, notify: one value moves in */
	synic_test_consume(s, 0);
	ring->data[3] = 0;
	ring->ring_full = 0;
	synic_ring_empty(s, 5);
	KUNIT_EXPECT_EQ(test, ring->data[3], 500U);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 1);
	KUNIT_EXPECT_EQ(test, s->ring_full, 2ULL);
	KUNIT_EXPECT_EQ(test, s->nr_overflow, 1U);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0),
			HVMSG_SYNIC_SINT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, s->posted, 3ULL);

	/* Drain everything: the last value lands at the head */
	for (i = 0; i < HV_SYNIC_EVENT_RING_MESSAGE_COUNT; i++)
		ring->data[i] = 0;
	ring->ring_full = 0;
	synic_test_consume(s, 0);
	synic_ring_empty(s, 5);
	KUNIT_EXPECT_EQ(test, ring->data[4], 501U);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 0);
	KUNIT_EXPECT_EQ(test, s->nr_overflow, 0U);
	KUNIT_EXPECT_EQ(test, s->posted, 4ULL);
	KUNIT_EXPECT_EQ(test, s->dropped, 0ULL);

	/* A SINT that is not as_intercept is just raised */
	KUNIT_ASSERT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0 + 3, 0x31),
			0);
	i = s->raised;
	synic_ring_signal(s, 3, 1);
	KUNIT_EXPECT_EQ(test, s->sirbp->sint_event_ring[3].data[0], 1U);
	KUNIT_EXPECT_EQ(test, s->raised, (u64)i + 1);
	KUNIT_EXPECT_EQ(test, s->posted, 4ULL);
}

static void hvsim_synic_test_ring_overflow(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);
	struct hv_synic_event_ring *ring = &s->sirbp->sint_event_ring[5];
	unsigned int i;

	/* SIRBP disabled: values wait, the excess is dropped */
	for (i = 1; i <= SYNIC_RING_OVERFLOW_LEN + 3; i++)
		synic_ring_signal(s, 5, i);
	KUNIT_EXPECT_EQ(test, s->nr_overflow, SYNIC_RING_OVERFLOW_LEN);
	KUNIT_EXPECT_EQ(test, s->dropped, 3ULL);
	KUNIT_EXPECT_EQ(test, s->posted, 0ULL);

	/* Enabling moves 63 in, the ring is full, one intercept posted */
	synic_test_enable(test, s);
	KUNIT_EXPECT_EQ(test, ring->data[0], 1U);
	KUNIT_EXPECT_EQ(test, ring->data[62], 63U);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 1);
	KUNIT_EXPECT_EQ(test, s->nr_overflow,
			SYNIC_RING_OVERFLOW_LEN -
			HV_SYNIC_EVENT_RING_MESSAGE_COUNT);
	KUNIT_EXPECT_EQ(test, s->posted, 1ULL);
	KUNIT_EXPECT_EQ(test, synic_test_slot_type(s, 0),
			HVMSG_SYNIC_SINT_INTERCEPT);
}

static int synic_test_isr_calls;
static bool synic_test_isr_hardirq;
static u64 synic_test_isr_result;

/*
 * Like the driver's ISR, issue a hypercall in hard IRQ context: CLEAR on
 * partition 0 takes hvsim_lock, so lockdep checks that every other user
 * of it keeps interrupts off.
 */
static void synic_test_isr(void)
{
	static struct hv_input_partition_id in;

	WRITE_ONCE(synic_test_isr_hardirq, in_hardirq() && irqs_disabled());
	WRITE_ONCE(synic_test_isr_result,
		   hvsim_hypercall(HVCALL_CLEAR_VIRTUAL_INTERRUPT |
				   HV_HYPERCALL_FAST_BIT, &in, NULL));
	WRITE_ONCE(synic_test_isr_calls, synic_test_isr_calls + 1);
}

static void hvsim_synic_test_isr(struct kunit *test)
{
	struct hvsim_root_synic *s = synic_test_new(test);
	unsigned long flags;

	if (hvsim_set_root_isr(synic_test_isr))
		kunit_skip(test, "a root ISR is installed (mshv_root loaded)");
	KUNIT_EXPECT_EQ(test, hvsim_set_root_isr(synic_test_isr), -EBUSY);
	synic_test_isr_calls = 0;
	synic_test_enable(test, s);

	local_irq_save(flags);
	synic_test_post(s, 0, HVMSG_X64_HALT, 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(synic_test_isr_calls), 0);
	local_irq_restore(flags);
	irq_work_sync(&s->work);
	KUNIT_EXPECT_EQ(test, READ_ONCE(synic_test_isr_calls), 1);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(synic_test_isr_hardirq));
	KUNIT_EXPECT_EQ(test, READ_ONCE(synic_test_isr_result),
			SYNIC_RESULT(HV_STATUS_INVALID_PARTITION_ID, 0));

	/* Masked: not raised */
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0,
					     HV_SYNIC_SINT_MASKED), 0);
	synic_test_consume(s, 0);
	synic_test_post(s, 0, HVMSG_X64_HALT, 2);
	irq_work_sync(&s->work);
	KUNIT_EXPECT_EQ(test, READ_ONCE(synic_test_isr_calls), 1);

	/* Removed: raising calls nothing */
	KUNIT_EXPECT_EQ(test, hvsim_set_root_isr(NULL), 0);
	KUNIT_EXPECT_EQ(test, synic_test_set(s, HV_REGISTER_SINT0, 0x30), 0);
	KUNIT_EXPECT_EQ(test, s->raised, 2ULL);
	irq_work_sync(&s->work);
	KUNIT_EXPECT_EQ(test, READ_ONCE(synic_test_isr_calls), 1);
}

/* Through the hypercall entry, on the current CPU; no state changes */
static void hvsim_synic_test_hypercalls(struct kunit *test)
{
	struct hv_input_set_vp_registers *set;
	struct hv_input_get_vp_registers *get;
	union hv_register_value *out;
	u64 *fast;
	u64 ret;

	get = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	out = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, get);
	KUNIT_ASSERT_NOT_NULL(test, out);
	set = (void *)get;
	fast = (void *)get;

	get->partition_id = HV_PARTITION_ID_SELF;
	get->vp_index = HV_VP_INDEX_SELF;
	get->names[0] = HV_REGISTER_SVERSION;
	get->names[1] = HV_X64_REGISTER_RIP;
	ret = hvsim_hypercall(SYNIC_HC(HVCALL_GET_VP_REGISTERS, 2), get,
			      out);
	KUNIT_EXPECT_EQ(test, ret, SYNIC_RESULT(HV_STATUS_INVALID_PARAMETER, 1));
	KUNIT_EXPECT_EQ(test, out[0].reg64, 1ULL);

	get->vp_index = 0;
	ret = hvsim_hypercall(SYNIC_HC(HVCALL_GET_VP_REGISTERS, 1), get,
			      out);
	KUNIT_EXPECT_EQ(test, ret, SYNIC_RESULT(HV_STATUS_INVALID_VP_INDEX, 0));

	memset(get, 0, HV_HYP_PAGE_SIZE);
	set->partition_id = HV_PARTITION_ID_SELF;
	set->vp_index = HV_VP_INDEX_SELF;
	set->elements[0].name = HV_REGISTER_SVERSION;
	set->elements[0].value.reg64 = 1;
	ret = hvsim_hypercall(SYNIC_HC(HVCALL_SET_VP_REGISTERS, 1), set,
			      NULL);
	KUNIT_EXPECT_EQ(test, ret, SYNIC_RESULT(HV_STATUS_INVALID_PARAMETER, 0));
	set->elements[0].name = HV_REGISTER_SIMP;
	set->elements[0].value.reg64 = 0x3;
	ret = hvsim_hypercall(SYNIC_HC(HVCALL_SET_VP_REGISTERS, 1), set,
			      NULL);
	KUNIT_EXPECT_EQ(test, ret, SYNIC_RESULT(HV_STATUS_INVALID_PARAMETER, 0));

	memset(get, 0, HV_HYP_PAGE_SIZE);
	fast[0] = HV_SYNIC_SINT_COUNT;
	ret = hvsim_hypercall(HVCALL_NOTIFY_PORT_RING_EMPTY |
			      HV_HYPERCALL_FAST_BIT, fast, NULL);
	KUNIT_EXPECT_EQ(test, ret, SYNIC_RESULT(HV_STATUS_INVALID_PARAMETER, 0));
	fast[0] = 3 | (1ULL << 32);
	ret = hvsim_hypercall(HVCALL_NOTIFY_PORT_RING_EMPTY |
			      HV_HYPERCALL_FAST_BIT, fast, NULL);
	KUNIT_EXPECT_EQ(test, ret, SYNIC_RESULT(HV_STATUS_INVALID_PARAMETER, 0));
}

static struct kunit_case hvsim_synic_test_cases[] = {
	KUNIT_CASE(hvsim_synic_test_registers),
	KUNIT_CASE(hvsim_synic_test_post),
	KUNIT_CASE(hvsim_synic_test_masked),
	KUNIT_CASE(hvsim_synic_test_overflow),
	KUNIT_CASE(hvsim_synic_test_ring),
	KUNIT_CASE(hvsim_synic_test_ring_overflow),
	KUNIT_CASE(hvsim_synic_test_isr),
	KUNIT_CASE(hvsim_synic_test_hypercalls),
	{}
};

static struct kunit_suite hvsim_synic_test_suite = {
	.name = "hvsim_synic",
	.test_cases = hvsim_synic_test_cases,
};

kunit_test_suite(hvsim_synic_test_suite);
