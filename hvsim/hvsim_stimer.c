// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the synthetic timers of a guest VP (STIMER0-3).
 *
 * Registers: STIMERn_CONFIG (enable, periodic, lazy, auto-enable, APIC
 * vector, direct mode, SINT) and STIMERn_COUNT, kept with the delivery
 * state in the VP's struct hv_synthetic_timers_state, the structure
 * GET/SET_VP_STATE transfers (a SET arms the timers at the VP's next
 * dispatch).  Times are reference times (100 ns units, hvsim_time.c).
 *
 * Arming: an enabled timer with a non-zero count is armed: a one-shot
 * timer expires when the reference counter reaches COUNT (at once when
 * it is past), a periodic one COUNT units after it was enabled and every
 * COUNT units from then on.  A guest write of COUNT 0 disables the timer;
 * with AUTO_ENABLE a guest write of a non-zero COUNT enables it.  Any
 * write of CONFIG or COUNT re-arms the timer and forgets a message it
 * had pending.
 *
 * Expiration: in direct mode the APIC vector is raised as a fixed,
 * edge-triggered interrupt.  In message mode an HVMSG_TIMER_EXPIRED
 * message (timer index, expiration time, delivery time) goes into the
 * SINT's slot of the SIMP page and the SINT's vector is raised (unless
 * the SINT is masked or polling).  When the slot is busy (or the SynIC or
 * its message page is disabled) the message stays pending
 * (UNDELIVERED_MSG_PENDING, with its expiration time): the slot's
 * message_flags get MSG_PENDING, and the message is delivered once the
 * slot is free, at the guest's EOM or at the VP's next dispatch.  A
 * periodic timer's expirations while its message is pending are lost, as
 * are those missed while the VP was not dispatched (the next expiration
 * is the first period boundary still ahead).  A one-shot timer disables
 * itself when it expires.
 *
 * When: expirations are taken at the start and the end of each dispatch
 * of the VP, at its HLT, when its timer registers or EOM are written and
 * after each APIC register access hvsim_irq.c consumes, all under the
 * partition's lock.  One hrtimer per VP is armed for the earliest
 * expiration of its synthetic timers and its LAPIC timer
 * (hvsim_lapic_timer.c); its callback only tells the root that the VP
 * can run (a halted VP's dispatch then takes the expiration and wakes
 * it).  The hrtimer is cancelled when the VP is deleted: no callback
 * outlives its VP.  When the partition clock stops (TIME_FREEZE) or moves
 * (REFERENCE_TIME) every VP is signalled (hvsim_time.c) and its dispatch
 * re-arms the hrtimer, or cancels it while the clock stands still: a
 * callback that fires before that only signals the VP, whose dispatch
 * expires nothing early.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "mshv_compat.h"
#include "hvsim_model.h"
#include "hvsim_irq.h"
#include "hvsim_lapic_timer.h"
#include "hvsim_time.h"

#define STIMER_CONFIG(reg)	(!((reg) & 1))

static enum hrtimer_restart stimer_fire(struct hrtimer *t)
{
	struct hvsim_vp *vp = container_of(t, struct hvsim_vp, time.hrtimer);

	hvsim_irq_timer_signal(vp);
	return HRTIMER_NORESTART;
}

/**
 * hvsim_stimer_vp_init() - set up the timers of a new VP
 * @vp: the VP (zeroed), its partition's lock held
 */
void hvsim_stimer_vp_init(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	mshv_hrtimer_setup(&vp->time.hrtimer, stimer_fire, CLOCK_MONOTONIC,
			   HRTIMER_MODE_ABS);
}

/**
 * hvsim_stimer_vp_destroy() - stop the timers of a VP being deleted
 * @vp: the VP, its partition's lock held
 *
 * Waits for a callback running on another CPU (it does not take the
 * partition's lock).
 */
void hvsim_stimer_vp_destroy(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	hrtimer_cancel(&vp->time.hrtimer);
}

/**
 * hvsim_stimer_rearm() - arm the VP's hrtimer for its earliest expiration
 * @vp: the VP, its partition's lock held
 *
 * Its earliest expiration among the synthetic timers and the LAPIC timer
 * (hvsim_lapic_timer_next_ns(), rounded up to the reference time unit).
 * Cancelled when no timer is armed or the partition clock stands still.
 */
void hvsim_stimer_rearm(struct hvsim_vp *vp)
{
	struct hvsim_partition *pt = vp->partition;
	u64 first = 0, lapic;
	unsigned int n;

	lockdep_assert_held(&pt->lock);
	for (n = 0; n < HV_SYNIC_STIMER_COUNT; n++) {
		u64 d = vp->time.stimer_deadline[n];

		if (d && (!first || d < first))
			first = d;
	}
	lapic = DIV_ROUND_UP_ULL(hvsim_lapic_timer_next_ns(vp), HVSIM_REF_NS);
	if (lapic && (!first || lapic < first))
		first = lapic;
	if (!first || !hvsim_time_running(pt)) {
		hrtimer_cancel(&vp->time.hrtimer);
		return;
	}
	hrtimer_start(&vp->time.hrtimer,
		      ns_to_ktime(hvsim_time_host_ns(pt, first)),
		      HRTIMER_MODE_ABS);
}

/* Arm timer @n from its registers (the clock reads @now) */
static void stimer_arm(struct hvsim_vp *vp, unsigned int n, u64 now)
{
	const struct hv_synthetic_timer_state *t = &vp->timers.timers[n];
	u64 *deadline = &vp->time.stimer_deadline[n];

	if (!(t->config & HV_STIMER_CONFIG_ENABLE) || !t->count)
		*deadline = 0;
	else if (t->config & HV_STIMER_CONFIG_PERIODIC)
		*deadline = now + t->count;
	else
		*deadline = t->count;
}

/*
 * Put timer @n's message (expiration time @exp) into its SINT's slot.
 * Returns false if the slot is busy (its MSG_PENDING flag is set then) or
 * the SynIC or its message page is disabled.
 */
static bool stimer_send(struct hvsim_vp *vp, unsigned int n, u64 exp)
{
	const struct hv_synthetic_timer_state *t = &vp->timers.timers[n];
	u32 sint = (t->config & HV_STIMER_CONFIG_SINT_MASK) >>
		   HV_STIMER_CONFIG_SINT_SHIFT;
	u64 sintv = vp->msrs[HVSIM_MSR_SINT0 + sint];
	struct hv_timer_message_payload *p;
	struct hv_message_page *simp = vp->simp;
	struct hv_message *slot;

	BUILD_BUG_ON(sizeof(*p) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	if (!(vp->msrs[HVSIM_MSR_SCONTROL] & HV_SYNIC_CONTROL_ENABLE) ||
	    !(vp->msrs[HVSIM_MSR_SIMP] & HV_SYNIC_PAGE_ENABLE) || !simp)
		return false;
	slot = &simp->sint_message[sint];
	if (slot->header.message_type != HVMSG_NONE) {
		slot->header.message_flags |= HV_MESSAGE_FLAG_PENDING;
		return false;
	}
	memset(slot, 0, sizeof(*slot));
	p = (void *)slot->u.payload;
	p->timer_index = n;
	p->expiration_time = exp;
	p->delivery_time = hvsim_time_ref(vp->partition);
	slot->header.payload_size = sizeof(*p);
	slot->header.message_type = HVMSG_TIMER_EXPIRED;
	if (!(sintv & (HV_SYNIC_SINT_MASKED | HV_SYNIC_SINT_POLLING)))
		hvsim_irq_synic(vp, sintv & HV_SYNIC_SINT_VECTOR_MASK);
	return true;
}

/* Timer @n expired (the clock reads @now) */
static void stimer_expire(struct hvsim_vp *vp, unsigned int n, u64 now)
{
	struct hv_synthetic_timer_state *t = &vp->timers.timers[n];
	u64 *deadline = &vp->time.stimer_deadline[n];
	u64 exp = *deadline;
	u32 vector = (t->config & HV_STIMER_CONFIG_VECTOR_MASK) >>
		     HV_STIMER_CONFIG_VECTOR_SHIFT;

	if (t->flags & HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING) {
		/* the previous message still waits: this one is lost */
	} else if (t->config & HV_STIMER_CONFIG_DIRECT_MODE) {
		if (vector >= 16)
			hvsim_irq_synic(vp, vector);
	} else if (!stimer_send(vp, n, exp)) {
		t->flags |= HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING;
		t->undelivered_exp_time = exp;
	}
	if (!(t->config & HV_STIMER_CONFIG_PERIODIC)) {
		t->config &= ~HV_STIMER_CONFIG_ENABLE;
		*deadline = 0;
		return;
	}
	/* the first period boundary after now */
	*deadline = exp + t->count;
	if (*deadline <= now)
		*deadline = now + t->count - (now - exp) % t->count;
}

/**
 * hvsim_stimer_poll() - take the VP's timer expirations that are due
 * @vp: the VP, its partition's lock held
 *
 * Timers a SET_VP_STATE restored are armed (as by a write of their
 * registers), expirations up to the reference counter's value are
 * delivered (or kept pending), pending messages whose slot is free now
 * are delivered, the LAPIC timer's expiration is taken
 * (hvsim_lapic_timer_poll(); its vector raised as a fixed interrupt), and
 * the hrtimer is armed for the next expiration.
 */
void hvsim_stimer_poll(struct hvsim_vp *vp)
{
	struct hvsim_partition *pt = vp->partition;
	unsigned int n;
	u32 vector;
	u64 now;

	lockdep_assert_held(&pt->lock);
	now = hvsim_time_ref(pt);
	for (n = 0; vp->time.stimer_restored && n < HV_SYNIC_STIMER_COUNT; n++)
		stimer_arm(vp, n, now);
	vp->time.stimer_restored = false;
	for (n = 0; n < HV_SYNIC_STIMER_COUNT; n++) {
		struct hv_synthetic_timer_state *t = &vp->timers.timers[n];
		u64 d = vp->time.stimer_deadline[n];

		if ((t->flags & HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING) &&
		    stimer_send(vp, n, t->undelivered_exp_time)) {
			t->flags &= ~HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING;
			t->undelivered_exp_time = 0;
		}
		if (d && d <= now && hvsim_time_running(pt))
			stimer_expire(vp, n, now);
	}
	vector = hvsim_lapic_timer_poll(vp);
	if (vector)
		hvsim_irq_synic(vp, vector);
	hvsim_stimer_rearm(vp);
}

/**
 * hvsim_stimer_get() - read STIMERn_CONFIG or STIMERn_COUNT
 * @vp: the VP, its partition's lock held
 * @reg: 2n for STIMERn_CONFIG, 2n + 1 for STIMERn_COUNT
 *
 * Return: the register's value.
 */
u64 hvsim_stimer_get(struct hvsim_vp *vp, unsigned int reg)
{
	const struct hv_synthetic_timer_state *t = &vp->timers.timers[reg / 2];

	lockdep_assert_held(&vp->partition->lock);
	return STIMER_CONFIG(reg) ? t->config : t->count;
}

/**
 * hvsim_stimer_set() - write STIMERn_CONFIG or STIMERn_COUNT
 * @vp: the VP, its partition's lock held
 * @reg: 2n for STIMERn_CONFIG, 2n + 1 for STIMERn_COUNT
 * @val: the value
 * @guest: a WRMSR (COUNT then disables or auto-enables the timer)
 *
 * Return: HV_STATUS_INVALID_PARAMETER (nothing changed) for a CONFIG
 * with reserved bits, or enabling direct mode with a vector below 16;
 * HV_STATUS_SUCCESS.
 */
u16 hvsim_stimer_set(struct hvsim_vp *vp, unsigned int reg, u64 val,
		     bool guest)
{
	struct hv_synthetic_timer_state *t = &vp->timers.timers[reg / 2];

	lockdep_assert_held(&vp->partition->lock);
	if (STIMER_CONFIG(reg)) {
		if (val & ~HV_STIMER_CONFIG_MASK)
			return HV_STATUS_INVALID_PARAMETER;
		if ((val & HV_STIMER_CONFIG_ENABLE) &&
		    (val & HV_STIMER_CONFIG_DIRECT_MODE) &&
		    (val & HV_STIMER_CONFIG_VECTOR_MASK) >>
		    HV_STIMER_CONFIG_VECTOR_SHIFT < 16)
			return HV_STATUS_INVALID_PARAMETER;
		t->config = val;
	} else {
		t->count = val;
		if (guest && !val)
			t->config &= ~HV_STIMER_CONFIG_ENABLE;
		else if (guest && (t->config & HV_STIMER_CONFIG_AUTO_ENABLE))
			t->config |= HV_STIMER_CONFIG_ENABLE;
	}
	t->flags &= ~HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING;
	t->undelivered_exp_time = 0;
	stimer_arm(vp, reg / 2, hvsim_time_ref(vp->partition));
	hvsim_stimer_poll(vp);
	return HV_STATUS_SUCCESS;
}
