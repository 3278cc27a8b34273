// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the local APIC timer of a guest VP, with the registers around it:
 * the LVT entries, the error status register and the spurious-vector
 * register.
 *
 * Registers: the guest reaches them through the x2APIC MSRs (SVR 0x80F,
 * ESR 0x828, LVT CMCI 0x82F, LVT timer 0x832, thermal 0x833, perf 0x834,
 * LINT0 0x835, LINT1 0x836, error 0x837, initial count 0x838, current
 * count 0x839 (read only), divide configuration 0x83E) and IA32_TSC_
 * DEADLINE (0x6E0); a store into the xAPIC page writes the same
 * registers at their page offsets, and a read of the page reads them
 * (hvsim_apic_mmio() in hvsim_irq.c).  Their values live in the VP's LAPIC state
 * (struct hv_local_interrupt_controller_state), so that GET/SET_VP_STATE
 * transfers them.  Every LVT entry keeps its writable bits (vector,
 * delivery mode where it has one, mask, LINT pin polarity and trigger
 * mode, the timer mode); the delivery status reads idle, since a timer
 * interrupt enters the IRR at once.  While the APIC is software-disabled
 * (SVR bit 8 clear) every LVT entry stays masked.  A write of the ESR
 * latches the errors since the previous one into it.
 *
 * Counting: the APIC timer runs at the APIC_FREQUENCY the guest reads
 * (HVSIM_TSC_HZ, 1 GHz) divided by the divide configuration (2, 4 ... 128
 * or 1), from the partition clock: it advances with the TSC and the
 * reference counter, and stands still with them (TIME_FREEZE).  The
 * current count is computed when read, from when the count started.  A
 * write of the initial count (re)starts the count from it; 0 stops it.
 * One-shot: the count stops at 0 and the timer expires once.  Periodic:
 * the count reloads from the initial count and the timer expires every
 * initial count x divisor ns; expirations missed while the VP was not
 * dispatched are merged into one.  TSC-deadline: the initial count is
 * ignored and the current count reads 0; a non-zero IA32_TSC_DEADLINE
 * arms the timer, which expires when the VP's TSC reaches it (at once for
 * a deadline in the past) and clears the MSR; 0 disarms it.  Outside
 * TSC-deadline mode the MSR reads 0 and ignores writes.  A write of the
 * LVT timer that enters or leaves TSC-deadline mode disarms the timer
 * (initial count and deadline 0); between one-shot and periodic the count
 * runs on and the new mode applies at its expiration.  A change of the
 * divide configuration keeps the current count, which counts on at the
 * new rate.
 *
 * Expiration: a masked timer (or a software-disabled APIC) expires
 * without an interrupt.  Otherwise its vector is raised as a fixed,
 * edge-triggered interrupt, as a fixed IPI is (hvsim_irq.c), waking a
 * halted VP; a vector below 16 is not delivered and sets "receive
 * illegal vector" (bit 6) in the errors, which the error LVT entry
 * signals when unmasked.
 *
 * When: as for the synthetic timers, expirations are taken at the start
 * and the end of each dispatch, at HLT and after a guest write that
 * changed when the timer expires (the initial count, the divide
 * configuration of a running count, a change into or out of TSC-deadline
 * mode, IA32_TSC_DEADLINE: hvsim_lapic_timer_rearm_due());
 * hvsim_stimer_poll() calls hvsim_lapic_timer_poll() and raises the vector
 * it returns, and the VP's one hrtimer is armed for the earliest
 * expiration of all its timers (hvsim_stimer_rearm()), so that a halted VP
 * is dispatched when its LAPIC timer expires.  The hrtimer is cancelled
 * when the VP is deleted.
 *
 * GET_VP_STATE of the LAPIC state reports the current count in
 * apic_counter_value (hvsim_lapic_timer_save()); SET_VP_STATE marks the
 * state restored (struct hvsim_lapic_timer.restored), and a one-shot or
 * periodic count restarts from apic_counter_value at the VP's next
 * dispatch.  The TSC deadline has no field in that state: it survives a
 * SET_VP_STATE that stays in TSC-deadline mode.  INIT and VP creation stop
 * the timer (hvsim_vp_lapic_reset() clears its state).
 *
 * This file calls only the partition clock (hvsim_time.c): delivery and
 * the hrtimer are its callers'.  Everything here runs under the
 * partition's lock.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/math64.h>

#include "hvsim_model.h"
#include "hvsim_lapic_timer.h"
#include "hvsim_time.h"

/* Writable bits of each register */
#define SVR_BITS		0x000001FFU	/* vector, APIC enable */
#define LVT_TIMER_BITS		0x000700FFU	/* vector, mask, timer mode */
#define LVT_LINT_BITS		0x0001A7FFU	/* + mode, polarity, trigger */
#define LVT_MODE_BITS		0x000107FFU	/* vector, mode, mask */
#define LVT_ERROR_BITS		0x000100FFU	/* vector, mask */
#define LVT_REMOTE_IRR		0x00004000U	/* LINT0/1, read only */
#define DIVIDE_BITS		0x0000000BU

/**
 * hvsim_lapic_timer_divisor() - decode the divide configuration register
 * @dcr: its value (bits 0, 1 and 3)
 *
 * Return: the divisor, 2 << (bit 3 : bits 1-0) for 0-6, and 1 for 7.
 */
u32 hvsim_lapic_timer_divisor(u32 dcr)
{
	u32 v = ((dcr & 0x8) >> 1) | (dcr & 0x3);

	return v == 7 ? 1 : 2U << v;
}

/**
 * hvsim_lapic_timer_count() - the current count of a running timer
 * @initial: the initial count
 * @divisor: the divisor (hvsim_lapic_timer_divisor())
 * @elapsed_ns: partition time since the count started at @initial
 * @periodic: the count reloads at 0
 *
 * The count decreases by one every @divisor ns.  A one-shot count stays
 * at 0 once it got there; a periodic one reloads @initial every
 * @initial x @divisor ns.
 *
 * Return: the current count.
 */
u32 hvsim_lapic_timer_count(u32 initial, u32 divisor, u64 elapsed_ns,
			    bool periodic)
{
	u64 period = (u64)initial * divisor;

	if (!initial)
		return 0;
	if (elapsed_ns >= period) {
		if (!periodic)
			return 0;
		div64_u64_rem(elapsed_ns, period, &elapsed_ns);
	}
	return initial - (u32)div_u64(elapsed_ns, divisor);
}

static u32 timer_mode(const struct hvsim_vp *vp)
{
	return vp->lapic.apic_lvt_timer & HV_X86_APIC_LVT_TIMER_MODE_MASK;
}

static u32 timer_divisor(const struct hvsim_vp *vp)
{
	return hvsim_lapic_timer_divisor(vp->lapic.apic_divide_configuration);
}

static bool apic_sw_enabled(const struct hvsim_vp *vp)
{
	return vp->lapic.apic_spurious & HV_X86_APIC_SVR_ENABLE;
}

/* The current count, the partition clock reading @now */
static u32 timer_current(const struct hvsim_vp *vp, u64 now)
{
	const struct hvsim_lapic_timer *t = &vp->time.lapic;
	s64 elapsed = now - t->anchor_ns;

	if (t->restored)
		return vp->lapic.apic_counter_value;
	if (timer_mode(vp) == HV_X86_APIC_LVT_TIMER_TSC_DEADLINE ||
	    !t->deadline_ns)
		return 0;
	return hvsim_lapic_timer_count(vp->lapic.apic_initial_count,
				       timer_divisor(vp), max_t(s64, elapsed, 0),
				       timer_mode(vp) ==
				       HV_X86_APIC_LVT_TIMER_PERIODIC);
}

/* Count from @count down, @count x divisor ns from @now to expire */
static void timer_start(struct hvsim_vp *vp, u32 count, u64 now)
{
	struct hvsim_lapic_timer *t = &vp->time.lapic;
	u64 div = timer_divisor(vp);

	t->deadline_ns = 0;
	if (!count)
		return;
	t->deadline_ns = now + count * div;
	t->anchor_ns = t->deadline_ns - vp->lapic.apic_initial_count * div;
}

/*
 * Errors @bits occurred: keep them for the ESR.  Returns the error LVT
 * entry's vector to raise, 0 if masked (or below 16).
 */
static u32 lapic_error(struct hvsim_vp *vp, u32 bits)
{
	u32 lvt = vp->lapic.apic_lvt_error;
	u32 vector = lvt & HV_X86_APIC_LVT_VECTOR_MASK;

	vp->lapic.apic_error_status |= bits;
	if ((lvt & HV_X86_APIC_LVT_MASKED) || !apic_sw_enabled(vp) ||
	    vector < APIC_FIRST_VECTOR)
		return 0;
	return vector;
}

/* The timer expired: the vector to raise, 0 if masked */
static u32 timer_fire(struct hvsim_vp *vp)
{
	u32 lvt = vp->lapic.apic_lvt_timer;
	u32 vector = lvt & HV_X86_APIC_LVT_VECTOR_MASK;

	if ((lvt & HV_X86_APIC_LVT_MASKED) || !apic_sw_enabled(vp))
		return 0;
	if (vector < APIC_FIRST_VECTOR)
		return lapic_error(vp, HV_X86_APIC_ESR_RECV_ILLEGAL_VECTOR);
	return vector;
}

/* SET_VP_STATE replaced the LAPIC state: count on from it */
static void timer_restore(struct hvsim_vp *vp, u64 now)
{
	struct hvsim_lapic_timer *t = &vp->time.lapic;
	u32 initial = vp->lapic.apic_initial_count;
	u32 count = min(vp->lapic.apic_counter_value, initial);

	t->restored = false;
	t->deadline_ns = 0;
	if (timer_mode(vp) == HV_X86_APIC_LVT_TIMER_TSC_DEADLINE)
		return;
	t->tsc_deadline = 0;
	if (!count && timer_mode(vp) == HV_X86_APIC_LVT_TIMER_PERIODIC)
		count = initial;
	timer_start(vp, count, now);
}

/**
 * hvsim_lapic_timer_poll() - take the LAPIC timer's expiration if due
 * @vp: the VP, its partition's lock held
 *
 * A state SET_VP_STATE restored is armed first.  Called by
 * hvsim_stimer_poll(), which raises the vector returned and then re-arms
 * the VP's hrtimer.
 *
 * Return: the vector to raise as a fixed, edge-triggered interrupt (the
 * timer's, or the error LVT entry's for an illegal timer vector), 0 for
 * none.
 */
u32 hvsim_lapic_timer_poll(struct hvsim_vp *vp)
{
	struct hvsim_lapic_timer *t = &vp->time.lapic;
	u64 now, period, late;
	u32 vector;

	lockdep_assert_held(&vp->partition->lock);
	now = hvsim_time_ns(vp->partition);
	if (t->restored)
		timer_restore(vp, now);
	if (timer_mode(vp) == HV_X86_APIC_LVT_TIMER_TSC_DEADLINE) {
		if (!t->tsc_deadline || hvsim_time_tsc(vp) < t->tsc_deadline)
			return 0;
		t->tsc_deadline = 0;
		return timer_fire(vp);
	}
	if (!t->deadline_ns || now < t->deadline_ns)
		return 0;
	vector = timer_fire(vp);
	period = (u64)vp->lapic.apic_initial_count * timer_divisor(vp);
	if (timer_mode(vp) != HV_X86_APIC_LVT_TIMER_PERIODIC || !period) {
		t->deadline_ns = 0;
		return vector;
	}
	/* the period that holds now starts */
	t->anchor_ns = t->deadline_ns;
	if (now - t->anchor_ns >= period) {
		div64_u64_rem(now - t->anchor_ns, period, &late);
		t->anchor_ns = now - late;
	}
	t->deadline_ns = t->anchor_ns + period;
	return vector;
}

/**
 * hvsim_lapic_timer_next_ns() - when the LAPIC timer expires next
 * @vp: the VP, its partition's lock held
 *
 * Return: the partition time (ns) of its next expiration, 0 if it is not
 * armed.
 */
u64 hvsim_lapic_timer_next_ns(struct hvsim_vp *vp)
{
	const struct hvsim_lapic_timer *t = &vp->time.lapic;
	s64 ns;

	lockdep_assert_held(&vp->partition->lock);
	if (timer_mode(vp) != HV_X86_APIC_LVT_TIMER_TSC_DEADLINE)
		return t->deadline_ns;
	if (!t->tsc_deadline)
		return 0;
	ns = t->tsc_deadline - vp->time.tsc_offset;
	return max_t(s64, ns, 1);
}

/* Store LVT entry @val in @lvt, masked while the APIC is disabled */
static void lvt_write(struct hvsim_vp *vp, u32 *lvt, u32 val)
{
	*lvt = val;
	if (!apic_sw_enabled(vp))
		*lvt |= HV_X86_APIC_LVT_MASKED;
}

static void timer_lvt_write(struct hvsim_vp *vp, u32 val)
{
	struct hvsim_lapic_timer *t = &vp->time.lapic;
	bool was_deadline =
		timer_mode(vp) == HV_X86_APIC_LVT_TIMER_TSC_DEADLINE;

	lvt_write(vp, &vp->lapic.apic_lvt_timer, val & LVT_TIMER_BITS);
	if (was_deadline ==
	    (timer_mode(vp) == HV_X86_APIC_LVT_TIMER_TSC_DEADLINE))
		return;
	vp->lapic.apic_initial_count = 0;
	t->deadline_ns = 0;
	t->tsc_deadline = 0;
	t->rearm = true;
}

static void timer_divide_write(struct hvsim_vp *vp, u32 val)
{
	u64 now = hvsim_time_ns(vp->partition);
	u32 count = timer_current(vp, now);
	bool running = vp->time.lapic.deadline_ns;

	vp->lapic.apic_divide_configuration = val & DIVIDE_BITS;
	if (!running)
		return;
	timer_start(vp, count, now);
	vp->time.lapic.rearm = true;
}

static void timer_initial_write(struct hvsim_vp *vp, u32 val)
{
	if (timer_mode(vp) == HV_X86_APIC_LVT_TIMER_TSC_DEADLINE)
		return;
	vp->lapic.apic_initial_count = val;
	timer_start(vp, val, hvsim_time_ns(vp->partition));
	vp->time.lapic.rearm = true;
}

/* The register at xAPIC offset @offset; false for one not kept here */
static bool lapic_reg_read(struct hvsim_vp *vp, u32 offset, u32 *val)
{
	const struct hv_local_interrupt_controller_state *l = &vp->lapic;

	switch (offset) {
	case HV_X86_APIC_SVR_OFFSET:
		*val = l->apic_spurious;
		break;
	case HV_X86_APIC_ESR_OFFSET:
		*val = l->apic_esr;
		break;
	case HV_X86_APIC_LVT_CMCI_OFFSET:
		*val = l->apic_lvt_cmci;
		break;
	case HV_X86_APIC_LVT_TIMER_OFFSET:
		*val = l->apic_lvt_timer;
		break;
	case HV_X86_APIC_LVT_THERMAL_OFFSET:
		*val = l->apic_lvt_thermal;
		break;
	case HV_X86_APIC_LVT_PERF_OFFSET:
		*val = l->apic_lvt_perfmon;
		break;
	case HV_X86_APIC_LVT_LINT0_OFFSET:
		*val = l->apic_lvt_lint0;
		break;
	case HV_X86_APIC_LVT_LINT1_OFFSET:
		*val = l->apic_lvt_lint1;
		break;
	case HV_X86_APIC_LVT_ERROR_OFFSET:
		*val = l->apic_lvt_error;
		break;
	case HV_X86_APIC_TIMER_INITIAL_OFFSET:
		*val = l->apic_initial_count;
		break;
	case HV_X86_APIC_TIMER_CURRENT_OFFSET:
		*val = timer_current(vp, hvsim_time_ns(vp->partition));
		break;
	case HV_X86_APIC_TIMER_DIVIDE_OFFSET:
		*val = l->apic_divide_configuration;
		break;
	default:
		return false;
	}
	return true;
}

/* Disabling the APIC masks every LVT entry */
static void svr_write(struct hvsim_vp *vp, u32 val)
{
	struct hv_local_interrupt_controller_state *l = &vp->lapic;

	l->apic_spurious = val & SVR_BITS;
	if (apic_sw_enabled(vp))
		return;
	l->apic_lvt_timer |= HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_thermal |= HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_perfmon |= HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_lint0 |= HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_lint1 |= HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_error |= HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_cmci |= HV_X86_APIC_LVT_MASKED;
}

/*
 * Write @val to the register at xAPIC offset @offset.  Returns false for
 * a register not kept here and for the read-only current count.  A write
 * that changed when the timer expires sets @vp->time.lapic.rearm.
 */
static bool lapic_reg_write(struct hvsim_vp *vp, u32 offset, u32 val)
{
	struct hv_local_interrupt_controller_state *l = &vp->lapic;

	switch (offset) {
	case HV_X86_APIC_SVR_OFFSET:
		svr_write(vp, val);
		return true;
	case HV_X86_APIC_ESR_OFFSET:
		l->apic_esr = l->apic_error_status;
		l->apic_error_status = 0;
		return true;
	case HV_X86_APIC_LVT_CMCI_OFFSET:
		lvt_write(vp, &l->apic_lvt_cmci, val & LVT_MODE_BITS);
		return true;
	case HV_X86_APIC_LVT_THERMAL_OFFSET:
		lvt_write(vp, &l->apic_lvt_thermal, val & LVT_MODE_BITS);
		return true;
	case HV_X86_APIC_LVT_PERF_OFFSET:
		lvt_write(vp, &l->apic_lvt_perfmon, val & LVT_MODE_BITS);
		return true;
	case HV_X86_APIC_LVT_LINT0_OFFSET:
		lvt_write(vp, &l->apic_lvt_lint0, (val & LVT_LINT_BITS) |
			  (l->apic_lvt_lint0 & LVT_REMOTE_IRR));
		return true;
	case HV_X86_APIC_LVT_LINT1_OFFSET:
		lvt_write(vp, &l->apic_lvt_lint1, (val & LVT_LINT_BITS) |
			  (l->apic_lvt_lint1 & LVT_REMOTE_IRR));
		return true;
	case HV_X86_APIC_LVT_ERROR_OFFSET:
		lvt_write(vp, &l->apic_lvt_error, val & LVT_ERROR_BITS);
		return true;
	case HV_X86_APIC_LVT_TIMER_OFFSET:
		timer_lvt_write(vp, val);
		return true;
	case HV_X86_APIC_TIMER_INITIAL_OFFSET:
		timer_initial_write(vp, val);
		return true;
	case HV_X86_APIC_TIMER_DIVIDE_OFFSET:
		timer_divide_write(vp, val);
		return true;
	default:
		return false;
	}
}

/**
 * hvsim_lapic_timer_msr() - the timer's, LVT, ESR and SVR x2APIC MSRs and
 *	IA32_TSC_DEADLINE
 * @vp: the VP, its partition's lock held
 * @exit: an X86_EXIT_MSR stop
 *
 * RDMSR reads the register (EDX 0); WRMSR writes it.  Not consumed (the
 * caller's MSR handling applies: UNIMPLEMENTED_MSR_ACTION): other MSRs, a
 * WRMSR of an x2APIC register with EDX non-zero, of the current count, or
 * of the ESR with a non-zero value.
 *
 * Return: true if the access was done; the caller retires the
 * instruction and, when hvsim_lapic_timer_rearm_due(), takes what expired
 * (a deadline in the past) and re-arms the hrtimer (hvsim_stimer_poll()).
 */
bool hvsim_lapic_timer_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	struct hvsim_lapic_timer *t = &vp->time.lapic;
	u64 *gpr = vp->state.gpr;
	u32 index = exit->msr.index, offset;
	bool deadline_mode;
	u32 val;

	lockdep_assert_held(&vp->partition->lock);
	if (index == HV_X86_MSR_TSC_DEADLINE) {
		deadline_mode = timer_mode(vp) ==
				HV_X86_APIC_LVT_TIMER_TSC_DEADLINE;
		if (!exit->msr.write) {
			gpr[X86_RAX] = deadline_mode ?
				       lower_32_bits(t->tsc_deadline) : 0;
			gpr[X86_RDX] = deadline_mode ?
				       upper_32_bits(t->tsc_deadline) : 0;
			return true;
		}
		if (!deadline_mode)
			return true;
		t->tsc_deadline = (u64)(u32)gpr[X86_RDX] << 32 |
				  (u32)gpr[X86_RAX];
		t->rearm = true;
		return true;
	}
	if (index < HV_X86_MSR_X2APIC_BASE ||
	    index > HV_X86_MSR_X2APIC_BASE + 0xFF)
		return false;
	offset = (index - HV_X86_MSR_X2APIC_BASE) << 4;
	if (!exit->msr.write) {
		if (!lapic_reg_read(vp, offset, &val))
			return false;
		gpr[X86_RAX] = val;
		gpr[X86_RDX] = 0;
		return true;
	}
	if ((u32)gpr[X86_RDX] ||
	    (offset == HV_X86_APIC_ESR_OFFSET && (u32)gpr[X86_RAX]))
		return false;
	return lapic_reg_write(vp, offset, gpr[X86_RAX]);
}

/**
 * hvsim_lapic_timer_read() - read one of this file's registers
 * @vp: the VP, its partition's lock held
 * @offset: the register's xAPIC page offset (16-byte aligned)
 * @val: receives its value (the current count as of now)
 *
 * For a guest's read of the xAPIC page or of an x2APIC MSR.
 *
 * Return: true if the register is one of this file's.
 */
bool hvsim_lapic_timer_read(struct hvsim_vp *vp, u32 offset, u32 *val)
{
	lockdep_assert_held(&vp->partition->lock);
	return lapic_reg_read(vp, offset, val);
}

/**
 * hvsim_lapic_timer_mmio() - a store into the xAPIC page
 * @vp: the VP, its partition's lock held
 * @offset: the register's offset in the page
 * @value: the value stored (the low 32 bits are the register's)
 *
 * Return: true if the register is one of this file's; the caller takes
 * what expired then when hvsim_lapic_timer_rearm_due().
 */
bool hvsim_lapic_timer_mmio(struct hvsim_vp *vp, u32 offset, u32 value)
{
	lockdep_assert_held(&vp->partition->lock);
	return lapic_reg_write(vp, offset, value);
}

/**
 * hvsim_lapic_timer_rearm_due() - did a register write move the expiration?
 * @vp: the VP, its partition's lock held, after hvsim_lapic_timer_msr() or
 *	hvsim_lapic_timer_mmio() (directly or through the APIC's handlers)
 *
 * Takes the indication: a second call returns false until another such
 * write.  Writes of other registers (EOI, ICR, LVT masks, SVR, ESR) leave
 * the hrtimer as it is; an expiration they would mask is taken when it
 * fires.
 *
 * Return: true if the caller must take what expired and re-arm the VP's
 * hrtimer (hvsim_stimer_poll()).
 */
bool hvsim_lapic_timer_rearm_due(struct hvsim_vp *vp)
{
	struct hvsim_lapic_timer *t = &vp->time.lapic;
	bool due = t->rearm;

	lockdep_assert_held(&vp->partition->lock);
	t->rearm = false;
	return due;
}

/**
 * hvsim_lapic_timer_save() - put the current count into the LAPIC state
 * @vp: the VP, its partition's lock held; before GET_VP_STATE copies it
 */
void hvsim_lapic_timer_save(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	vp->lapic.apic_counter_value =
		timer_current(vp, hvsim_time_ns(vp->partition));
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_lapic_timer_test.c"
#endif
