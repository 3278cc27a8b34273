// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the root partition's SynIC.
 *
 * The driver learns about intercepts, doorbells, EOIs and runnable VPs
 * through its own SynIC, exactly as on the real hypervisor: it enables
 * the hypervisor-provided message page (SIMP), event-flags page (SIEFP)
 * and event-ring page (SIRBP) of each CPU and the SINTs it uses with
 * SET_VP_REGISTERS on HV_PARTITION_ID_SELF / HV_VP_INDEX_SELF, and
 * hvsim raises the root's interrupt line (the ISR installed with
 * hvsim_backend.set_root_isr) through an irq_work on the CPU the message
 * is for (always the CPU running the hypercall that posts it).
 *
 * Each possible CPU has one struct hvsim_root_synic.  hvsim posts to the
 * SynIC of the CPU running the hypercall that caused the message.  A
 * message that cannot be delivered yet (SynIC, SIMP or SINT disabled, or
 * the SINT's slot still holds an unconsumed message) waits in a bounded
 * queue and is delivered on EOM or when the SynIC becomes deliverable; a
 * value for a full event ring waits in a bounded overflow queue until
 * NOTIFY_PORT_RING_EMPTY.  Both queues drop (and count) when full.
 *
 * Locking: each CPU's SynIC has a spinlock taken with interrupts disabled;
 * it nests inside every other hvsim lock and nothing is called under it
 * but irq_work_queue_on().
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_synic.h"

/* Messages one CPU holds back while its SINT slots are busy or disabled */
#define SYNIC_MSG_QUEUE_LEN	32
/* Event-ring values one CPU holds back while rings are full */
#define SYNIC_RING_OVERFLOW_LEN	64

#define SYNIC_SINT_VALID_BITS						\
	(HV_SYNIC_SINT_VECTOR_MASK | HV_SYNIC_SINT_MASKED |		\
	 HV_SYNIC_SINT_AUTO_EOI | HV_SYNIC_SINT_POLLING |		\
	 HV_SYNIC_SINT_AS_INTERCEPT | HV_SYNIC_SINT_PROXY)

struct synic_queued_msg {
	u32 sint;
	struct hv_message msg;
};

struct synic_ring_value {
	u32 sint;
	u32 value;
};

/**
 * struct hvsim_root_synic - the root partition's SynIC on one CPU
 * @lock: protects all fields below but @cpu, the page pointers (constant)
 *	and @work
 * @cpu: the CPU (constant)
 * @scontrol: SCONTROL
 * @sint: SINT0..15
 * @simp_on: SIMP enable bit
 * @siefp_on: SIEFP enable bit
 * @sirbp_on: SIRBP enable bit
 * @simp: message page (hypervisor-provided, constant)
 * @siefp: event-flags page (constant; hvsim sets no flags in it)
 * @sirbp: event-ring page (constant)
 * @ring_head: next slot hvsim writes in each event ring
 * @signal_pending: SINTs signalled while they could not take it; signalled
 *	again when a register write makes that possible
 * @nr_queued: entries in @queue
 * @queue: messages waiting for their slot, oldest first
 * @nr_overflow: entries in @overflow
 * @overflow: event-ring values waiting for room, oldest first
 * @posted: messages written into a slot
 * @queued: messages that had to wait in @queue
 * @dropped: messages and ring values dropped because a queue was full
 * @ring_full: ring values that found their ring full
 * @raised: times the root ISR was raised
 * @raise_held: the ISR is due but held (fault injection "root_irq hold")
 * @work: raises the root ISR on @cpu
 */
struct hvsim_root_synic {
	spinlock_t lock;	/* protects the state below */
	unsigned int cpu;
	u64 scontrol;
	u64 sint[HV_SYNIC_SINT_COUNT];
	bool simp_on;
	bool siefp_on;
	bool sirbp_on;
	struct hv_message_page *simp;
	void *siefp;
	struct hv_synic_event_ring_page *sirbp;
	u8 ring_head[HV_SYNIC_SINT_COUNT];
	u32 signal_pending;
	unsigned int nr_queued;
	struct synic_queued_msg queue[SYNIC_MSG_QUEUE_LEN];
	unsigned int nr_overflow;
	struct synic_ring_value overflow[SYNIC_RING_OVERFLOW_LEN];
	u64 posted;
	u64 queued;
	u64 dropped;
	u64 ring_full;
	u64 raised;
	bool raise_held;
	struct irq_work work;
};

/* One per possible CPU, indexed by CPU number; set up at module load */
static struct hvsim_root_synic **hvsim_synics;

/*
 * Root interrupts are held back (fault injection): the CPUs' interrupt
 * flags stay off until released; read under each SynIC's lock
 */
static bool hvsim_root_irq_held;

/* The root's interrupt handler (hvsim_backend.set_root_isr) */
static void (*hvsim_root_isr)(void);
static DEFINE_MUTEX(hvsim_root_isr_mutex);

static void synic_work(struct irq_work *work)
{
	typeof(hvsim_root_isr) isr = READ_ONCE(hvsim_root_isr);

	if (isr)
		isr();
}

/**
 * hvsim_set_root_isr() - install or remove the root's SynIC interrupt handler
 * @isr: the handler, or NULL to remove the current one
 *
 * hvsim_backend.set_root_isr.  The handler runs in hard interrupt context
 * on the CPU whose SynIC received something.  Removal waits until no
 * invocation is running; it may sleep.
 *
 * Return: 0, or -EBUSY if a handler is installed already.
 */
int hvsim_set_root_isr(void (*isr)(void))
{
	unsigned int cpu;
	int ret = 0;

	mutex_lock(&hvsim_root_isr_mutex);
	if (isr) {
		if (hvsim_root_isr)
			ret = -EBUSY;
		else
			WRITE_ONCE(hvsim_root_isr, isr);
		goto out_unlock;
	}
	WRITE_ONCE(hvsim_root_isr, NULL);
	for_each_possible_cpu(cpu)
		irq_work_sync(&hvsim_synics[cpu]->work);
out_unlock:
	mutex_unlock(&hvsim_root_isr_mutex);
	return ret;
}

/*
 * Raise the root ISR.  hvsim only ever posts to the SynIC of the CPU it
 * runs on, so the work is queued locally (irq_work_queue_on() is not
 * exported to modules); it runs as soon as interrupts are enabled again.
 */
static void synic_raise(struct hvsim_root_synic *s)
{
	lockdep_assert_held(&s->lock);
	if (READ_ONCE(hvsim_root_irq_held)) {
		s->raise_held = true;
		return;
	}
	s->raised++;
	irq_work_queue(&s->work);
}

/* IPI: raise the ISR on this CPU if a raise was held back */
static void synic_release_cpu(void *unused)
{
	struct hvsim_root_synic *s = hvsim_synics[smp_processor_id()];

	spin_lock(&s->lock);
	if (s->raise_held) {
		s->raise_held = false;
		synic_raise(s);
	}
	spin_unlock(&s->lock);
}

/**
 * hvsim_root_irq_hold() - hold back or release the root's interrupts
 * @hold: true to hold them back, false to release them
 *
 * While held, a SynIC that would raise the root ISR only remembers it, as
 * if every root CPU ran with interrupts disabled; messages and event-ring
 * values are written as usual.  Releasing raises the ISR on every CPU that
 * has one due, on that CPU, before it returns.  May sleep (IPIs).
 */
void hvsim_root_irq_hold(bool hold)
{
	WRITE_ONCE(hvsim_root_irq_held, hold);
	if (!hold)
		on_each_cpu(synic_release_cpu, NULL, 1);
}

static bool synic_deliverable(struct hvsim_root_synic *s, u32 sint)
{
	lockdep_assert_held(&s->lock);
	return (s->scontrol & HV_SYNIC_CONTROL_ENABLE) && s->simp_on &&
	       !(s->sint[sint] & HV_SYNIC_SINT_MASKED);
}

static struct hv_message *synic_slot(struct hvsim_root_synic *s, u32 sint)
{
	return &s->simp->sint_message[sint];
}

static bool synic_slot_free(struct hvsim_root_synic *s, u32 sint)
{
	/* Pairs with the driver's release of the slot (HVMSG_NONE) */
	return smp_load_acquire(&synic_slot(s, sint)->header.message_type) ==
	       HVMSG_NONE;
}

/* Copy @msg into the free slot of @sint; the type is written last */
static void synic_write_slot(struct hvsim_root_synic *s, u32 sint,
			     const struct hv_message *msg, bool more)
{
	struct hv_message *slot = synic_slot(s, sint);

	lockdep_assert_held(&s->lock);
	slot->header.payload_size = msg->header.payload_size;
	slot->header.message_flags = more ? HV_MESSAGE_FLAG_PENDING : 0;
	slot->header.reserved[0] = 0;
	slot->header.reserved[1] = 0;
	slot->header.sender = msg->header.sender;
	memcpy(slot->u.payload_bytes, msg->u.payload_bytes,
	       msg->header.payload_size);
	memset(slot->u.payload_bytes + msg->header.payload_size, 0,
	       HV_MESSAGE_PAYLOAD_BYTE_COUNT - msg->header.payload_size);
	/* The driver reads the type first: publish the rest before it */
	smp_store_release(&slot->header.message_type,
			  msg->header.message_type);
	s->posted++;
}

static bool synic_sint_queued(struct hvsim_root_synic *s, u32 sint)
{
	unsigned int i;

	lockdep_assert_held(&s->lock);
	for (i = 0; i < s->nr_queued; i++) {
		if (s->queue[i].sint == sint)
			return true;
	}
	return false;
}

/*
 * Deliver what the queue holds for slots that are free and deliverable,
 * oldest first and one message per slot, and flag the busy slots that
 * have more waiting so that the driver writes EOM.
 */
static void synic_flush(struct hvsim_root_synic *s)
{
	unsigned int i, kept = 0;
	u32 blocked = 0;	/* SINTs whose oldest message stays queued */
	bool raise = false;

	lockdep_assert_held(&s->lock);
	for (i = 0; i < s->nr_queued; i++) {
		struct synic_queued_msg *q = &s->queue[i];

		if (!(blocked & BIT(q->sint)) &&
		    synic_deliverable(s, q->sint) &&
		    synic_slot_free(s, q->sint)) {
			blocked |= BIT(q->sint);
			synic_write_slot(s, q->sint, &q->msg, false);
			raise = true;
			continue;
		}
		blocked |= BIT(q->sint);
		if (kept != i)
			s->queue[kept] = *q;
		kept++;
	}
	s->nr_queued = kept;
	if (s->simp_on) {
		for (i = 0; i < s->nr_queued; i++) {
			struct hv_message *slot = synic_slot(s, s->queue[i].sint);

			if (READ_ONCE(slot->header.message_type) != HVMSG_NONE)
				WRITE_ONCE(slot->header.message_flags,
					   slot->header.message_flags |
					   HV_MESSAGE_FLAG_PENDING);
		}
	}
	if (raise)
		synic_raise(s);
}

static void synic_enqueue(struct hvsim_root_synic *s, u32 sint,
			  const struct hv_message *msg)
{
	lockdep_assert_held(&s->lock);
	if (s->nr_queued == SYNIC_MSG_QUEUE_LEN) {
		s->dropped++;
		return;
	}
	s->queue[s->nr_queued].sint = sint;
	s->queue[s->nr_queued].msg = *msg;
	s->nr_queued++;
	s->queued++;
}

static void synic_post(struct hvsim_root_synic *s, u32 sint,
		       const struct hv_message *msg)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	if (synic_deliverable(s, sint) && synic_slot_free(s, sint) &&
	    !synic_sint_queued(s, sint)) {
		synic_write_slot(s, sint, msg, false);
		synic_raise(s);
	} else {
		synic_enqueue(s, sint, msg);
		synic_flush(s);
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

static void synic_build_msg(struct hv_message *msg, u32 type, u64 sender,
			    const void *payload, u8 payload_size)
{
	memset(msg, 0, sizeof(*msg));
	msg->header.message_type = type;
	msg->header.payload_size = payload_size;
	msg->header.sender = sender;
	memcpy(msg->u.payload_bytes, payload, payload_size);
}

/**
 * hvsim_root_post_message() - post a message to a SINT of this CPU's root
 *	SynIC
 * @sint: SINT index (< HV_SYNIC_SINT_COUNT)
 * @type: HVMSG_*
 * @sender: header sender field (the guest partition id for intercepts)
 * @payload: @payload_size bytes of payload
 * @payload_size: at most HV_MESSAGE_PAYLOAD_BYTE_COUNT
 *
 * Delivered into the SINT's slot and the root ISR raised if the SynIC,
 * SIMP and the SINT are enabled and the slot is free; queued otherwise.
 */
void hvsim_root_post_message(u32 sint, u32 type, u64 sender,
			     const void *payload, u8 payload_size)
{
	struct hv_message msg;

	if (WARN_ON_ONCE(sint >= HV_SYNIC_SINT_COUNT ||
			 payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT))
		return;
	synic_build_msg(&msg, type, sender, payload, payload_size);
	synic_post(hvsim_synics[get_cpu()], sint, &msg);
	put_cpu();
}

static bool synic_is_intercept_of(const struct hv_message *m, u32 sint)
{
	const struct hv_synic_sint_intercept_message *p =
		(const void *)m->u.payload_bytes;

	return p->sint_index == sint;
}

/* Is an unconsumed SINT_INTERCEPT for @sint in slot 0 or the queue? */
static bool synic_intercept_pending(struct hvsim_root_synic *s, u32 sint)
{
	const struct hv_message *slot;
	unsigned int i;

	lockdep_assert_held(&s->lock);
	slot = synic_slot(s, HV_SYNIC_INTERCEPTION_SINT_INDEX);
	/* Pairs with the driver's release of the slot (HVMSG_NONE) */
	if (smp_load_acquire(&slot->header.message_type) ==
	    HVMSG_SYNIC_SINT_INTERCEPT && synic_is_intercept_of(slot, sint))
		return true;
	for (i = 0; i < s->nr_queued; i++) {
		const struct hv_message *m = &s->queue[i].msg;

		if (m->header.message_type == HVMSG_SYNIC_SINT_INTERCEPT &&
		    synic_is_intercept_of(m, sint))
			return true;
	}
	return false;
}

/* Signal SINT @sint: an intercept message if it is as_intercept */
static void synic_signal_sint(struct hvsim_root_synic *s, u32 sint)
{
	struct hv_synic_sint_intercept_message payload = { .sint_index = sint };
	struct hv_message msg;

	lockdep_assert_held(&s->lock);
	if (s->sint[sint] & HV_SYNIC_SINT_MASKED) {
		s->signal_pending |= BIT(sint);
		return;
	}
	if (!(s->sint[sint] & HV_SYNIC_SINT_AS_INTERCEPT)) {
		if (synic_deliverable(s, sint))
			synic_raise(s);
		else
			s->signal_pending |= BIT(sint);
		return;
	}
	if (synic_intercept_pending(s, sint))
		return;
	synic_build_msg(&msg, HVMSG_SYNIC_SINT_INTERCEPT, 0, &payload,
			sizeof(payload));
	if (synic_deliverable(s, HV_SYNIC_INTERCEPTION_SINT_INDEX) &&
	    synic_slot_free(s, HV_SYNIC_INTERCEPTION_SINT_INDEX) &&
	    !synic_sint_queued(s, HV_SYNIC_INTERCEPTION_SINT_INDEX)) {
		synic_write_slot(s, HV_SYNIC_INTERCEPTION_SINT_INDEX, &msg,
				 false);
		synic_raise(s);
	} else {
		synic_enqueue(s, HV_SYNIC_INTERCEPTION_SINT_INDEX, &msg);
		synic_flush(s);
	}
}

/* Write @value into ring @sint; false if SIRBP is off or the ring full */
static bool synic_ring_put(struct hvsim_root_synic *s, u32 sint, u32 value)
{
	struct hv_synic_event_ring *ring;
	u8 head = s->ring_head[sint];

	lockdep_assert_held(&s->lock);
	if (!s->sirbp_on)
		return false;
	ring = &s->sirbp->sint_event_ring[sint];
	if (READ_ONCE(ring->data[head])) {
		WRITE_ONCE(ring->ring_full, 1);
		s->ring_full++;
		return false;
	}
	WRITE_ONCE(ring->data[head], value);
	s->ring_head[sint] = (head + 1) % HV_SYNIC_EVENT_RING_MESSAGE_COUNT;
	return true;
}

static bool synic_overflow_has(struct hvsim_root_synic *s, u32 sint)
{
	unsigned int i;

	lockdep_assert_held(&s->lock);
	for (i = 0; i < s->nr_overflow; i++) {
		if (s->overflow[i].sint == sint)
			return true;
	}
	return false;
}

/* Move overflow values of ring @sint into it while it has room */
static bool synic_ring_refill(struct hvsim_root_synic *s, u32 sint)
{
	unsigned int i, kept = 0;
	bool moved = false, stuck = false;

	lockdep_assert_held(&s->lock);
	for (i = 0; i < s->nr_overflow; i++) {
		struct synic_ring_value *v = &s->overflow[i];

		if (v->sint == sint && !stuck) {
			if (synic_ring_put(s, sint, v->value)) {
				moved = true;
				continue;
			}
			stuck = true;
		}
		if (kept != i)
			s->overflow[kept] = *v;
		kept++;
	}
	s->nr_overflow = kept;
	return moved;
}

static void synic_ring_signal(struct hvsim_root_synic *s, u32 sint,
			      u32 value)
{
	unsigned long flags;
	bool written = false;

	spin_lock_irqsave(&s->lock, flags);
	if (!synic_overflow_has(s, sint))
		written = synic_ring_put(s, sint, value);
	if (!written) {
		if (s->nr_overflow == SYNIC_RING_OVERFLOW_LEN) {
			s->dropped++;
		} else {
			s->overflow[s->nr_overflow].sint = sint;
			s->overflow[s->nr_overflow].value = value;
			s->nr_overflow++;
		}
	}
	if (written &&
	    !READ_ONCE(s->sirbp->sint_event_ring[sint].signal_masked))
		synic_signal_sint(s, sint);
	spin_unlock_irqrestore(&s->lock, flags);
}

/**
 * hvsim_root_ring_signal() - queue a value in an event ring of this CPU's
 *	root SynIC and signal the SINT
 * @sint: ring / SINT index (< HV_SYNIC_SINT_COUNT)
 * @value: non-zero value (a port id)
 *
 * If the ring is full (or SIRBP disabled) the value waits in a bounded
 * overflow queue (ring_full set in the ring) until NOTIFY_PORT_RING_EMPTY.
 * A written value signals the SINT unless the ring's signal_masked is
 * set: an as_intercept SINT posts HVMSG_SYNIC_SINT_INTERCEPT to SINT 0
 * (not again while one for the same SINT is still unconsumed).
 */
void hvsim_root_ring_signal(u32 sint, u32 value)
{
	if (WARN_ON_ONCE(sint >= HV_SYNIC_SINT_COUNT || !value))
		return;
	synic_ring_signal(hvsim_synics[get_cpu()], sint, value);
	put_cpu();
}

static void synic_ring_empty(struct hvsim_root_synic *s, u32 sint)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	if (synic_ring_refill(s, sint) &&
	    !READ_ONCE(s->sirbp->sint_event_ring[sint].signal_masked))
		synic_signal_sint(s, sint);
	spin_unlock_irqrestore(&s->lock, flags);
}

/**
 * hvsim_hc_notify_port_ring_empty() - HVCALL_NOTIFY_PORT_RING_EMPTY (fast)
 * @call: decoded call
 *
 * The driver made room in the event ring: move the values that waited in
 * the overflow queue into it and signal the SINT.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for a SINT index > 15 or non-zero
 * reserved field, else HV_STATUS_SUCCESS.
 */
u16 hvsim_hc_notify_port_ring_empty(struct hvsim_call *call)
{
	const struct hv_input_notify_port_ring_empty *in = call->input;

	synic_ring_empty(hvsim_synics[get_cpu()], in->sint_index);
	put_cpu();
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_synic_reg() - is @name a register of the root SynIC?
 * @name: register name
 *
 * Return: true for SINT0..15, SCONTROL, SVERSION, SIEFP, SIMP, EOM, SIRBP.
 */
bool hvsim_synic_reg(u32 name)
{
	return (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15) ||
	       (name >= HV_REGISTER_SCONTROL && name <= HV_REGISTER_SIRBP);
}

static u64 synic_page_reg(void *page, bool on)
{
	return ((u64)page_to_pfn(virt_to_page(page)) << HV_SYNIC_PAGE_SHIFT) |
	       (on ? HV_SYNIC_PAGE_ENABLE : 0);
}

static u16 synic_get_reg(struct hvsim_root_synic *s, u32 name,
			 union hv_register_value *val)
{
	u16 status = HV_STATUS_SUCCESS;
	unsigned long flags;

	memset(val, 0, sizeof(*val));
	spin_lock_irqsave(&s->lock, flags);
	switch (name) {
	case HV_REGISTER_SINT0 ... HV_REGISTER_SINT15:
		val->reg64 = s->sint[name - HV_REGISTER_SINT0];
		break;
	case HV_REGISTER_SCONTROL:
		val->reg64 = s->scontrol;
		break;
	case HV_REGISTER_SVERSION:
		val->reg64 = HV_SYNIC_VERSION_1;
		break;
	case HV_REGISTER_SIEFP:
		val->reg64 = synic_page_reg(s->siefp, s->siefp_on);
		break;
	case HV_REGISTER_SIMP:
		val->reg64 = synic_page_reg(s->simp, s->simp_on);
		break;
	case HV_REGISTER_SIRBP:
		val->reg64 = synic_page_reg(s->sirbp, s->sirbp_on);
		break;
	default:		/* EOM is write-only */
		status = HV_STATUS_INVALID_PARAMETER;
		break;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return status;
}

/* A page register may only toggle its enable bit */
static bool synic_page_value_valid(void *page, u64 value)
{
	return (value & ~HV_SYNIC_PAGE_ENABLE) == synic_page_reg(page, false);
}

static void synic_rings_refill(struct hvsim_root_synic *s)
{
	u32 sint;

	lockdep_assert_held(&s->lock);
	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		if (synic_ring_refill(s, sint) &&
		    !READ_ONCE(s->sirbp->sint_event_ring[sint].signal_masked))
			synic_signal_sint(s, sint);
	}
}

/* Signal again the SINTs that could not take a signal before */
static void synic_resignal(struct hvsim_root_synic *s)
{
	u32 pending = s->signal_pending;
	u32 sint;

	lockdep_assert_held(&s->lock);
	s->signal_pending = 0;
	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		if (pending & BIT(sint))
			synic_signal_sint(s, sint);
	}
}

static u16 synic_set_reg(struct hvsim_root_synic *s, u32 name,
			 const union hv_register_value *val)
{
	u64 v = val->reg64;
	unsigned long flags;
	u16 status = HV_STATUS_SUCCESS;

	if (val->reg128.high_part)
		return HV_STATUS_INVALID_PARAMETER;
	spin_lock_irqsave(&s->lock, flags);
	switch (name) {
	case HV_REGISTER_SINT0 ... HV_REGISTER_SINT15:
		if (v & ~SYNIC_SINT_VALID_BITS)
			goto invalid;
		s->sint[name - HV_REGISTER_SINT0] = v;
		break;
	case HV_REGISTER_SCONTROL:
		if (v & ~HV_SYNIC_CONTROL_ENABLE)
			goto invalid;
		s->scontrol = v;
		break;
	case HV_REGISTER_SIEFP:
		if (!synic_page_value_valid(s->siefp, v))
			goto invalid;
		s->siefp_on = v & HV_SYNIC_PAGE_ENABLE;
		break;
	case HV_REGISTER_SIMP:
		if (!synic_page_value_valid(s->simp, v))
			goto invalid;
		s->simp_on = v & HV_SYNIC_PAGE_ENABLE;
		break;
	case HV_REGISTER_SIRBP:
		if (!synic_page_value_valid(s->sirbp, v))
			goto invalid;
		s->sirbp_on = v & HV_SYNIC_PAGE_ENABLE;
		if (s->sirbp_on)
			synic_rings_refill(s);
		break;
	case HV_REGISTER_EOM:
		break;
	default:		/* SVERSION is read-only */
		goto invalid;
	}
	synic_resignal(s);
	synic_flush(s);
	spin_unlock_irqrestore(&s->lock, flags);
	return status;

invalid:
	spin_unlock_irqrestore(&s->lock, flags);
	return HV_STATUS_INVALID_PARAMETER;
}

/**
 * hvsim_synic_get_reg() - read a register of this CPU's root SynIC
 * @name: register name (hvsim_synic_reg() true)
 * @val: the value
 *
 * SIMP, SIEFP and SIRBP always hold the number of the hypervisor-provided
 * page, with the enable bit as the root set it.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for EOM (write-only) or a name that
 * is not a SynIC register, else HV_STATUS_SUCCESS.
 */
u16 hvsim_synic_get_reg(u32 name, union hv_register_value *val)
{
	u16 status = synic_get_reg(hvsim_synics[get_cpu()], name, val);

	put_cpu();
	return status;
}

/**
 * hvsim_synic_set_reg() - write a register of this CPU's root SynIC
 * @name: register name (hvsim_synic_reg() true)
 * @val: the value
 *
 * Writing EOM (any value) delivers the next queued message into its free
 * slot.  Every successful write delivers what has become deliverable.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for SVERSION (read-only), reserved
 * bits, a page number other than the provided page, or a name that is not
 * a SynIC register; nothing changes then.  Else HV_STATUS_SUCCESS.
 */
u16 hvsim_synic_set_reg(u32 name, const union hv_register_value *val)
{
	u16 status = synic_set_reg(hvsim_synics[get_cpu()], name, val);

	put_cpu();
	return status;
}

static int synic_alloc_page(unsigned int cpu, void **page)
{
	struct page *p = alloc_pages_node(cpu_to_node(cpu),
					  GFP_KERNEL | __GFP_ZERO, 0);

	if (!p)
		return -ENOMEM;
	*page = page_address(p);
	return 0;
}

static void synic_free(struct hvsim_root_synic *s)
{
	if (!s)
		return;
	irq_work_sync(&s->work);
	if (s->sirbp)
		free_page((unsigned long)s->sirbp);
	if (s->siefp)
		free_page((unsigned long)s->siefp);
	if (s->simp)
		free_page((unsigned long)s->simp);
	kfree(s);
}

static struct hvsim_root_synic *synic_alloc(unsigned int cpu)
{
	struct hvsim_root_synic *s;
	unsigned int i;

	s = kzalloc_node(sizeof(*s), GFP_KERNEL, cpu_to_node(cpu));
	if (!s)
		return NULL;
	spin_lock_init(&s->lock);
	s->cpu = cpu;
	s->work = IRQ_WORK_INIT_HARD(synic_work);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		s->sint[i] = HV_SYNIC_SINT_MASKED;
	if (synic_alloc_page(cpu, (void **)&s->simp) ||
	    synic_alloc_page(cpu, &s->siefp) ||
	    synic_alloc_page(cpu, (void **)&s->sirbp)) {
		synic_free(s);
		return NULL;
	}
	return s;
}

/**
 * hvsim_synic_init() - set up the root SynIC of every possible CPU
 *
 * Return: 0 or -ENOMEM.
 */
int hvsim_synic_init(void)
{
	unsigned int cpu;

	hvsim_synics = kcalloc(nr_cpu_ids, sizeof(*hvsim_synics), GFP_KERNEL);
	if (!hvsim_synics)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		hvsim_synics[cpu] = synic_alloc(cpu);
		if (!hvsim_synics[cpu])
			goto free_synics;
	}
	return 0;

free_synics:
	hvsim_synic_exit();
	return -ENOMEM;
}

/**
 * hvsim_synic_exit() - free the root SynICs
 *
 * The root's ISR must be removed already (mshv_root holds a reference on
 * hvsim while it uses it).
 */
void hvsim_synic_exit(void)
{
	unsigned int cpu;

	if (!hvsim_synics)
		return;
	for_each_possible_cpu(cpu)
		synic_free(hvsim_synics[cpu]);
	kfree(hvsim_synics);
	hvsim_synics = NULL;
}

static int root_synic_show(struct seq_file *m, void *unused)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hvsim_root_synic *s = hvsim_synics[cpu];
		unsigned long flags;

		spin_lock_irqsave(&s->lock, flags);
		seq_printf(m, "cpu=%u scontrol=%u simp=%u sint0=0x%llx sint5=0x%llx posted=%llu queued=%llu dropped=%llu ring_full=%llu\n",
			   cpu, (unsigned int)(s->scontrol &
					       HV_SYNIC_CONTROL_ENABLE),
			   (unsigned int)s->simp_on,
			   s->sint[HV_SYNIC_INTERCEPTION_SINT_INDEX],
			   s->sint[HV_SYNIC_DOORBELL_SINT_INDEX],
			   s->posted, s->queued, s->dropped, s->ring_full);
		spin_unlock_irqrestore(&s->lock, flags);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(root_synic);

/**
 * hvsim_synic_debugfs_init() - create debugfs "root_synic"
 * @dir: hvsim's debugfs directory
 */
void hvsim_synic_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("root_synic", 0444, dir, NULL, &root_synic_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_synic_test.c"
#endif
