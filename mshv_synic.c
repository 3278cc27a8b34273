// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: the root partition's own SynIC.
 *
 * The hypervisor tells the root about guest events through the SynIC of
 * the root's VP on each CPU, exactly as it talks to any partition:
 *  - SINT0 message slot of the SIMP page: scheduler messages (a blocked VP
 *    became runnable), APIC EOI messages (a guest ended a level-triggered
 *    interrupt), ASYNC_CALL_COMPLETION (an asynchronous hypercall of a
 *    partition finished), and SYNIC_SINT_INTERCEPT when an event ring was
 *    signalled;
 *  - event ring 5 of the SIRBP page: port ids of doorbells (ioeventfds)
 *    a guest wrote.
 *
 * At load the driver installs its handler on the root's interrupt line
 * (backend set_root_isr) and, on every online CPU (cpuhp, running on that
 * CPU), reads the hypervisor-provided SIMP/SIEFP/SIRBP page numbers through
 * GET_VP_REGISTERS on HV_PARTITION_ID_SELF / HV_VP_INDEX_SELF, maps them,
 * unmasks SINT0 and SINT5 (as_intercept), and enables the pages and
 * SCONTROL.  When the backend has no root interrupt line the driver still
 * loads, without MSHV_IRQFD and MSHV_IOEVENTFD.
 *
 * The handler runs in hard interrupt context on the CPU whose SynIC
 * received the message; it uses only this CPU's state and issues only
 * non-sleeping hypercalls (EOM, NOTIFY_PORT_RING_EMPTY); when one of them
 * needs memory, a work item on the same CPU issues it again and deposits.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include <asm/irq_vectors.h>

#include "mshv_root.h"

/*
 * The vector of the root SINTs: the hypervisor callback vector on real
 * hardware; hvsim raises the handler directly and ignores it.
 */
#ifdef HYPERVISOR_CALLBACK_VECTOR
#define MSHV_SYNIC_VECTOR	HYPERVISOR_CALLBACK_VECTOR
#else
#define MSHV_SYNIC_VECTOR	0xF3
#endif

/**
 * struct mshv_synic_cpu - the root SynIC of one CPU
 * @simp: the message page (HV_SYNIC_SINT_COUNT message slots)
 * @siefp: the event flags page (mapped, unused)
 * @sirbp: the event ring page
 * @simp_reg: SIMP as read at online, enable bit clear
 * @siefp_reg: SIEFP as read at online, enable bit clear
 * @sirbp_reg: SIRBP as read at online, enable bit clear
 * @doorbell_tail: next entry of the doorbell event ring to consume
 * @notify_owed: the ring overflowed and NOTIFY_PORT_RING_EMPTY has not
 *	succeeded since: doorbell values may wait in the hypervisor
 * @ready: the pages are mapped and the SINTs configured
 * @retry: MSHV_SYNIC_RETRY_* bits: calls the handler could not issue for
 *	want of memory (atomic bit operations)
 * @retry_work: issues the calls of @retry again on this CPU, where it may
 *	deposit
 *
 * Per CPU; used only on its CPU, by the cpuhp callbacks (with interrupts
 * disabled around @ready changes), by the interrupt handler, by
 * @retry_work (queued on this CPU, cancelled before the CPU goes down;
 * interrupts disabled while it changes @notify_owed) and by the IPI of
 * mshv_synic_doorbells_quiet().
 */
struct mshv_synic_cpu {
	struct hv_message *simp;
	void *siefp;
	struct hv_synic_event_ring_page *sirbp;
	u64 simp_reg;
	u64 siefp_reg;
	u64 sirbp_reg;
	u32 doorbell_tail;
	bool notify_owed;
	bool ready;
	unsigned long retry;
	struct work_struct retry_work;
};

/* Bits of mshv_synic_cpu.retry */
enum {
	MSHV_SYNIC_RETRY_NOTIFY,	/* NOTIFY_PORT_RING_EMPTY for SINT5 */
	MSHV_SYNIC_RETRY_EOM,		/* EOM */
};

static DEFINE_PER_CPU(struct mshv_synic_cpu, mshv_synic_cpus);
static enum cpuhp_state mshv_synic_cpuhp;
static bool mshv_synic_enabled;
static const struct mshv_synic_ops *mshv_synic_ops;

/**
 * mshv_synic_available() - can the driver receive root SynIC interrupts?
 *
 * Return: true when the root interrupt handler is installed and the
 * per-CPU SynICs are configured.
 */
bool mshv_synic_available(void)
{
	return READ_ONCE(mshv_synic_enabled);
}

static void mshv_synic_kick_all(u64 partition_id)
{
	u32 i;

	for (i = 0; i < MSHV_MAX_VPS; i++)
		mshv_synic_ops->vp_signal(partition_id, i);
}

/* HVMSG_SCHEDULER_VP_SIGNAL_BITSET: a sparse VP set of one partition */
static void mshv_synic_vp_signal_bitset(const struct hv_message *msg)
{
	const struct hv_vp_signal_bitset_scheduler_message *m =
		(const void *)msg->u.payload;
	u64 banks = m->vp_bitset.bitset.valid_bank_mask;
	unsigned int bank, slot = 0, bit;
	u64 contents;

	if (m->vp_bitset.bitset.format == HV_GENERIC_SET_ALL) {
		mshv_synic_kick_all(m->partition_id);
		return;
	}
	if (m->vp_bitset.bitset.format != HV_GENERIC_SET_SPARSE_4K) {
		pr_warn_ratelimited("VP signal: unknown set format %llu\n",
				    m->vp_bitset.bitset.format);
		return;
	}
	for_each_set_bit(bank, (unsigned long *)&banks, 64) {
		if (slot >= HV_VP_SET_BANK_COUNT)
			break;
		contents = m->vp_bitset.bitset.bank_contents[slot++];
		for_each_set_bit(bit, (unsigned long *)&contents, 64)
			mshv_synic_ops->vp_signal(m->partition_id,
						   bank * HV_VP_SET_BANK_VPS + bit);
	}
}

/* HVMSG_SCHEDULER_VP_SIGNAL_PAIR: (partition, VP) pairs */
static void mshv_synic_vp_signal_pair(const struct hv_message *msg)
{
	const struct hv_vp_signal_pair_scheduler_message *m =
		(const void *)msg->u.payload;
	unsigned int i, n = min_t(unsigned int, m->vp_count,
				  HV_SCHEDULER_VP_SIGNAL_PAIR_MAX);

	for (i = 0; i < n; i++)
		mshv_synic_ops->vp_signal(m->partition_ids[i],
					   m->vp_indexes[i]);
}

/*
 * A call the handler could not issue because the hypervisor needs memory:
 * issue it again from process context on this CPU, depositing into the
 * root.  Giving up is not an option for either: the doorbell values that
 * overflowed the ring wait for NOTIFY_PORT_RING_EMPTY, and the messages
 * queued behind a SINT0 slot wait for EOM.
 */
static void mshv_synic_retry(struct mshv_synic_cpu *sc, int what)
{
	set_bit(what, &sc->retry);
	queue_work_on(smp_processor_id(), system_wq, &sc->retry_work);
}

/*
 * NOTIFY_PORT_RING_EMPTY from @retry_work.  The call and the update of
 * @sc->notify_owed run with interrupts disabled, so that the handler,
 * which may overflow the ring and owe another notification meanwhile,
 * never interleaves; the deposit in between may sleep.
 */
static void mshv_synic_retry_notify(struct mshv_synic_cpu *sc)
{
	int ret;

	for (;;) {
		local_irq_disable();
		ret = mshv_hv_notify_port_ring_empty(HV_SYNIC_DOORBELL_SINT_INDEX,
						     false);
		if (!ret)
			sc->notify_owed = false;
		local_irq_enable();
		if (ret != -ENOMEM)
			break;
		ret = mshv_hv_deposit_memory(HV_PARTITION_ID_SELF,
					     MSHV_DEFAULT_DEPOSIT_PAGES);
		if (ret)
			break;
		cond_resched();
	}
	if (ret)
		pr_warn_ratelimited("CPU %u: NOTIFY_PORT_RING_EMPTY failed: %d\n",
				    raw_smp_processor_id(), ret);
}

/* Runs on the CPU whose SynIC it retries (cancelled before it goes down) */
static void mshv_synic_retry_work(struct work_struct *work)
{
	struct mshv_synic_cpu *sc = container_of(work, struct mshv_synic_cpu,
						 retry_work);
	int ret;

	if (test_and_clear_bit(MSHV_SYNIC_RETRY_NOTIFY, &sc->retry))
		mshv_synic_retry_notify(sc);
	if (test_and_clear_bit(MSHV_SYNIC_RETRY_EOM, &sc->retry)) {
		ret = mshv_hv_set_root_synic_reg(HV_REGISTER_EOM, 0, true);
		if (ret)
			pr_warn_ratelimited("CPU %u: EOM failed: %d\n",
					    raw_smp_processor_id(), ret);
	}
}

/*
 * Drain this CPU's doorbell event ring: every non-zero entry is the port
 * id of a doorbell a guest wrote.  Masked while draining; re-checked after
 * unmasking so that nothing queued in between is left behind.  A ring that
 * overflowed is reported empty (NOTIFY_PORT_RING_EMPTY), which moves the
 * values that waited into it: drained in the same pass, since the
 * hypervisor need not signal again while this message is unconsumed.
 * Until a notification succeeds, values may wait in the hypervisor:
 * @sc->notify_owed says so to mshv_synic_doorbells_quiet().
 */
static void mshv_synic_drain_doorbells(struct mshv_synic_cpu *sc)
{
	struct hv_synic_event_ring *ring =
		&sc->sirbp->sint_event_ring[HV_SYNIC_DOORBELL_SINT_INDEX];
	u32 port_id;
	int ret;

	for (;;) {
		do {
			WRITE_ONCE(ring->signal_masked, 1);
			for (;;) {
				port_id = READ_ONCE(ring->data[sc->doorbell_tail]);
				if (!port_id)
					break;
				WRITE_ONCE(ring->data[sc->doorbell_tail], 0);
				sc->doorbell_tail = (sc->doorbell_tail + 1) %
					HV_SYNIC_EVENT_RING_MESSAGE_COUNT;
				mshv_synic_ops->doorbell(port_id);
			}
			WRITE_ONCE(ring->signal_masked, 0);
			/* Unmask before the re-check: the hypervisor reads both */
			smp_mb();
		} while (READ_ONCE(ring->data[sc->doorbell_tail]));

		if (!READ_ONCE(ring->ring_full))
			break;
		WRITE_ONCE(ring->ring_full, 0);
		sc->notify_owed = true;
		ret = mshv_hv_notify_port_ring_empty(HV_SYNIC_DOORBELL_SINT_INDEX,
						     false);
		if (!ret)
			sc->notify_owed = false;
		if (ret == -ENOMEM) {
			/*
			 * The values that wait stay queued in the hypervisor
			 * until the ring is reported empty: never give up.
			 */
			mshv_synic_retry(sc, MSHV_SYNIC_RETRY_NOTIFY);
			break;
		}
		if (ret) {
			pr_warn_ratelimited("NOTIFY_PORT_RING_EMPTY failed: %d\n",
					    ret);
			break;
		}
	}
}

/* IPI: does this CPU hold, or wait for, a doorbell value it has not taken? */
static void mshv_synic_doorbells_busy(void *busy)
{
	struct mshv_synic_cpu *sc = this_cpu_ptr(&mshv_synic_cpus);
	struct hv_synic_event_ring *ring;

	if (!sc->ready)
		return;
	ring = &sc->sirbp->sint_event_ring[HV_SYNIC_DOORBELL_SINT_INDEX];
	if (READ_ONCE(ring->data[sc->doorbell_tail]) ||
	    READ_ONCE(ring->ring_full) || sc->notify_owed)
		WRITE_ONCE(*(bool *)busy, true);
}

/**
 * mshv_synic_doorbells_quiet() - has every doorbell value the hypervisor
 *	queued so far been taken?
 *
 * Looks at the doorbell event ring of every online CPU, on that CPU (an
 * IPI: the handler does not run meanwhile): the ring must be empty, not
 * marked full, and no NOTIFY_PORT_RING_EMPTY owed (values that overflowed
 * the ring wait in the hypervisor until one succeeds).  A value queued
 * before the call started is then known to have been handled.  May sleep
 * (waits for the IPIs).
 *
 * Return: true when no CPU holds or waits for a doorbell value.
 */
bool mshv_synic_doorbells_quiet(void)
{
	bool busy = false;

	on_each_cpu(mshv_synic_doorbells_busy, &busy, 1);
	return !READ_ONCE(busy);
}

static void mshv_synic_handle(struct mshv_synic_cpu *sc,
			      const struct hv_message *msg, u32 type)
{
	const struct hv_synic_sint_intercept_message *sint;
	const struct hv_async_completion_message *done;
	const struct hv_x64_apic_eoi_message *eoi;

	switch (type) {
	case HVMSG_SCHEDULER_VP_SIGNAL_BITSET:
		mshv_synic_vp_signal_bitset(msg);
		break;
	case HVMSG_SCHEDULER_VP_SIGNAL_PAIR:
		mshv_synic_vp_signal_pair(msg);
		break;
	case HVMSG_SYNIC_SINT_INTERCEPT:
		sint = (const void *)msg->u.payload;
		if (sint->sint_index == HV_SYNIC_DOORBELL_SINT_INDEX)
			mshv_synic_drain_doorbells(sc);
		else
			pr_warn_ratelimited("SINT intercept for unused SINT %u\n",
					    sint->sint_index);
		break;
	case HVMSG_X64_APIC_EOI:
		eoi = (const void *)msg->u.payload;
		mshv_synic_ops->apic_eoi(msg->header.sender,
					 eoi->interrupt_vector);
		break;
	case HVMSG_OPAQUE_INTERCEPT:
		mshv_synic_ops->vp_signal(msg->header.sender,
					  *(const u32 *)msg->u.payload);
		break;
	case HVMSG_ASYNC_CALL_COMPLETION:
		done = (const void *)msg->u.payload;
		mshv_synic_ops->async_complete(done->partition_id,
					       (u16)done->status);
		break;
	default:
		pr_warn_ratelimited("root SINT0: unhandled message type %#x\n",
				    type);
		break;
	}
}

/*
 * The root SynIC interrupt: one message of this CPU's SINT0 slot.  The
 * hypervisor delivers the next queued message after EOM and raises the
 * interrupt again.
 */
static void mshv_synic_isr(void)
{
	struct mshv_synic_cpu *sc = this_cpu_ptr(&mshv_synic_cpus);
	struct hv_message *msg;
	u32 type;
	int ret;

	if (!sc->ready)
		return;
	msg = &sc->simp[HV_SYNIC_INTERCEPTION_SINT_INDEX];
	/* The hypervisor writes message_type last, with release ordering */
	type = smp_load_acquire(&msg->header.message_type);
	if (type == HVMSG_NONE)
		return;

	mshv_synic_handle(sc, msg, type);

	WRITE_ONCE(msg->header.message_type, HVMSG_NONE);
	/* Free the slot before looking at msg_pending */
	smp_mb();
	if (READ_ONCE(msg->header.message_flags) & HV_MESSAGE_FLAG_PENDING) {
		ret = mshv_hv_set_root_synic_reg(HV_REGISTER_EOM, 0, false);
		if (ret == -ENOMEM)
			mshv_synic_retry(sc, MSHV_SYNIC_RETRY_EOM);
		else if (ret)
			pr_warn_ratelimited("EOM failed: %d\n", ret);
	}
}

/* Map the hypervisor-provided page named by SynIC register @name */
static void *mshv_synic_map(u32 name, u64 *reg)
{
	void *addr;
	int ret;

	ret = mshv_hv_get_root_synic_reg(name, reg, true);
	if (ret)
		return ERR_PTR(ret);
	*reg &= ~HV_SYNIC_PAGE_ENABLE;
	addr = memremap(*reg & PAGE_MASK, PAGE_SIZE, MEMREMAP_WB);
	return addr ?: ERR_PTR(-ENOMEM);
}

static int mshv_synic_set(u32 name, u64 value)
{
	int ret = mshv_hv_set_root_synic_reg(name, value, true);

	if (ret)
		pr_err("CPU %u: writing SynIC register %#x failed: %d\n",
		       smp_processor_id(), name, ret);
	return ret;
}

/*
 * Undo a setup that got as far as mapping every page: mask the SINTs,
 * disable the pages and SCONTROL (with the page numbers read at online:
 * they are fixed, only the enable bits change), quiesce the handler and
 * its work, unmap the pages.  Never fails: the writes deposit when the
 * hypervisor needs memory and are logged if they fail otherwise.
 */
static void mshv_synic_cpu_teardown(struct mshv_synic_cpu *sc)
{
	mshv_synic_set(HV_REGISTER_SINT0 + HV_SYNIC_INTERCEPTION_SINT_INDEX,
		       HV_SYNIC_SINT_MASKED);
	mshv_synic_set(HV_REGISTER_SINT0 + HV_SYNIC_DOORBELL_SINT_INDEX,
		       HV_SYNIC_SINT_MASKED);
	mshv_synic_set(HV_REGISTER_SIMP, sc->simp_reg & ~HV_SYNIC_PAGE_ENABLE);
	mshv_synic_set(HV_REGISTER_SIEFP,
		       sc->siefp_reg & ~HV_SYNIC_PAGE_ENABLE);
	mshv_synic_set(HV_REGISTER_SIRBP,
		       sc->sirbp_reg & ~HV_SYNIC_PAGE_ENABLE);
	mshv_synic_set(HV_REGISTER_SCONTROL, 0);

	local_irq_disable();
	sc->ready = false;
	local_irq_enable();
	/* The handler may have queued it before the SynIC went off */
	cancel_work_sync(&sc->retry_work);
	sc->retry = 0;
	sc->notify_owed = false;

	memunmap(sc->sirbp);
	memunmap(sc->siefp);
	memunmap(sc->simp);
	sc->simp = NULL;
	sc->siefp = NULL;
	sc->sirbp = NULL;
}

/*
 * cpuhp online callback: runs on @cpu, in its hotplug thread (may sleep
 * to deposit into the root).  On failure the CPU stays offline and
 * nothing of the setup is left: pages unmapped, SINTs masked, SynIC
 * disabled.
 */
static int mshv_synic_cpu_online(unsigned int cpu)
{
	struct mshv_synic_cpu *sc = per_cpu_ptr(&mshv_synic_cpus, cpu);
	int ret;

	sc->simp = mshv_synic_map(HV_REGISTER_SIMP, &sc->simp_reg);
	if (IS_ERR(sc->simp)) {
		ret = PTR_ERR(sc->simp);
		goto clear_simp;
	}
	sc->siefp = mshv_synic_map(HV_REGISTER_SIEFP, &sc->siefp_reg);
	if (IS_ERR(sc->siefp)) {
		ret = PTR_ERR(sc->siefp);
		goto unmap_simp;
	}
	sc->sirbp = mshv_synic_map(HV_REGISTER_SIRBP, &sc->sirbp_reg);
	if (IS_ERR(sc->sirbp)) {
		ret = PTR_ERR(sc->sirbp);
		goto unmap_siefp;
	}
	sc->doorbell_tail = 0;

	local_irq_disable();
	sc->ready = true;
	local_irq_enable();

	ret = mshv_synic_set(HV_REGISTER_SINT0 + HV_SYNIC_INTERCEPTION_SINT_INDEX,
			     MSHV_SYNIC_VECTOR);
	if (!ret)
		ret = mshv_synic_set(HV_REGISTER_SINT0 +
				     HV_SYNIC_DOORBELL_SINT_INDEX,
				     MSHV_SYNIC_VECTOR |
				     HV_SYNIC_SINT_AS_INTERCEPT);
	if (!ret)
		ret = mshv_synic_set(HV_REGISTER_SIMP,
				     sc->simp_reg | HV_SYNIC_PAGE_ENABLE);
	if (!ret)
		ret = mshv_synic_set(HV_REGISTER_SIEFP,
				     sc->siefp_reg | HV_SYNIC_PAGE_ENABLE);
	if (!ret)
		ret = mshv_synic_set(HV_REGISTER_SIRBP,
				     sc->sirbp_reg | HV_SYNIC_PAGE_ENABLE);
	if (!ret)
		ret = mshv_synic_set(HV_REGISTER_SCONTROL,
				     HV_SYNIC_CONTROL_ENABLE);
	if (ret)
		mshv_synic_cpu_teardown(sc);
	return ret;

unmap_siefp:
	memunmap(sc->siefp);
unmap_simp:
	memunmap(sc->simp);
clear_simp:
	sc->simp = NULL;
	sc->siefp = NULL;
	sc->sirbp = NULL;
	return ret;
}

/* cpuhp offline callback: runs on @cpu, in its hotplug thread */
static int mshv_synic_cpu_offline(unsigned int cpu)
{
	struct mshv_synic_cpu *sc = per_cpu_ptr(&mshv_synic_cpus, cpu);

	if (sc->simp)
		mshv_synic_cpu_teardown(sc);
	return 0;
}

/**
 * mshv_synic_init() - set up the root SynIC on every CPU
 * @ops: where the handler reports what the hypervisor signalled; must
 *	stay valid until mshv_synic_exit() returns
 *
 * Installs the root interrupt handler and configures the SynIC of every
 * online CPU (and of CPUs that come online later).  A backend without a
 * root interrupt line is not an error: the driver runs without
 * MSHV_IRQFD and MSHV_IOEVENTFD.
 *
 * Return: 0, or a negative errno when the setup failed half way.
 */
int mshv_synic_init(const struct mshv_synic_ops *ops)
{
	unsigned int cpu;
	int ret;

	mshv_synic_ops = ops;
	ret = mshv_hv_set_root_isr(mshv_synic_isr);
	if (ret == -EOPNOTSUPP) {
		pr_info("the hypervisor backend delivers no root interrupts: MSHV_IRQFD and MSHV_IOEVENTFD are not available\n");
		return 0;
	}
	if (ret)
		return ret;

	for_each_possible_cpu(cpu)
		INIT_WORK(&per_cpu_ptr(&mshv_synic_cpus, cpu)->retry_work,
			  mshv_synic_retry_work);
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "mshv/synic:online",
				mshv_synic_cpu_online, mshv_synic_cpu_offline);
	if (ret < 0)
		goto remove_isr;
	mshv_synic_cpuhp = ret;
	WRITE_ONCE(mshv_synic_enabled, true);
	return 0;

remove_isr:
	mshv_hv_set_root_isr(NULL);
	return ret;
}

/**
 * mshv_synic_exit() - undo mshv_synic_init()
 */
void mshv_synic_exit(void)
{
	if (!mshv_synic_enabled)
		return;
	WRITE_ONCE(mshv_synic_enabled, false);
	cpuhp_remove_state(mshv_synic_cpuhp);
	mshv_hv_set_root_isr(NULL);
}
