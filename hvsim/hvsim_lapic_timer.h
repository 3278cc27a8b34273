/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_lapic_timer.c: the local APIC timer and the LVT, ESR and
 * spurious-vector registers of a guest VP (partition lock held).
 */
#ifndef _HVSIM_LAPIC_TIMER_H
#define _HVSIM_LAPIC_TIMER_H

#include <linux/types.h>

struct hvsim_vp;
struct x86_emu_exit;

/**
 * struct hvsim_lapic_timer - the running state of a VP's LAPIC timer
 * @anchor_ns: partition time (ns) at which the current count was (or
 *	would have been) the initial count: the start of the current period
 * @deadline_ns: partition time of the next expiration of a one-shot or
 *	periodic count, 0 while the count does not run
 * @tsc_deadline: IA32_TSC_DEADLINE in TSC-deadline mode (TSC ticks), 0
 *	when disarmed
 * @restored: SET_VP_STATE replaced the LAPIC state: the timer is armed
 *	from its initial and current count at the next
 *	hvsim_lapic_timer_poll()
 * @rearm: a register write changed when the timer expires next; taken by
 *	hvsim_lapic_timer_rearm_due()
 *
 * The registers themselves (LVT timer, initial count, divide
 * configuration) live in the VP's LAPIC state.  All fields are protected
 * by the partition's lock.
 */
struct hvsim_lapic_timer {
	u64 anchor_ns;
	u64 deadline_ns;
	u64 tsc_deadline;
	bool restored;
	bool rearm;
};

u32 hvsim_lapic_timer_divisor(u32 dcr);
u32 hvsim_lapic_timer_count(u32 initial, u32 divisor, u64 elapsed_ns,
			    bool periodic);
u32 hvsim_lapic_timer_poll(struct hvsim_vp *vp);
u64 hvsim_lapic_timer_next_ns(struct hvsim_vp *vp);
bool hvsim_lapic_timer_msr(struct hvsim_vp *vp,
			   const struct x86_emu_exit *exit);
bool hvsim_lapic_timer_read(struct hvsim_vp *vp, u32 offset, u32 *val);
bool hvsim_lapic_timer_mmio(struct hvsim_vp *vp, u32 offset, u32 value);
bool hvsim_lapic_timer_rearm_due(struct hvsim_vp *vp);
void hvsim_lapic_timer_save(struct hvsim_vp *vp);

#endif /* _HVSIM_LAPIC_TIMER_H */
