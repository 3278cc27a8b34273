/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_time.c: the partition clock, the guest TSC and the reference TSC
 * page; hvsim_stimer.c: the synthetic timers and the VP's hrtimer, which
 * also serves the LAPIC timer (hvsim_lapic_timer.c).
 */
#ifndef _HVSIM_TIME_H
#define _HVSIM_TIME_H

#include <linux/hrtimer.h>
#include <linux/types.h>

#include "hvabi.h"
#include "hvsim_lapic_timer.h"

struct hvsim_partition;
struct hvsim_vp;
struct hvsim_call;

/* The guest TSC and APIC timer frequency (TSC_FREQUENCY, APIC_FREQUENCY) */
#define HVSIM_TSC_HZ		1000000000ULL
/* Reference time unit: 100 ns */
#define HVSIM_REF_NS		100

/**
 * struct hvsim_pt_time - the clock of a partition
 * @started: the clock runs (from the first dispatch of one of its VPs)
 * @base_ns: partition time, in ns, at host time @host_ns (or for ever
 *	while the clock is stopped)
 * @host_ns: ktime_get_ns() when @base_ns was taken
 * @tsc_sequence: TscSequence of the last reference TSC page written
 *
 * All fields are protected by the partition's lock.  Partition time
 * stands still while TIME_FREEZE is 1 (struct hvsim_partition.time_freeze).
 */
struct hvsim_pt_time {
	bool started;
	u64 base_ns;
	u64 host_ns;
	u32 tsc_sequence;
};

/**
 * struct hvsim_vp_time - the timers and TSC of a VP
 * @hrtimer: fires at the earliest armed expiration of the VP's timers,
 *	to wake the VP (the expiration itself is handled under the
 *	partition's lock, hvsim_stimer_poll()); its callback reads only
 *	constant fields of the VP
 * @tsc_offset: guest TSC minus partition time in TSC ticks (a write of
 *	the TSC register)
 * @stimer_deadline: reference time of the next expiration of each
 *	enabled synthetic timer, 0 when not armed
 * @stimer_restored: SET_VP_STATE replaced the timers' state: they are
 *	armed from it at the next hvsim_stimer_poll()
 * @lapic: the LAPIC timer's running state (hvsim_lapic_timer.c)
 *
 * All fields but @hrtimer are protected by the partition's lock; the
 * hrtimer is started and cancelled under it.
 */
struct hvsim_vp_time {
	struct hrtimer hrtimer;
	s64 tsc_offset;
	u64 stimer_deadline[HV_SYNIC_STIMER_COUNT];
	bool stimer_restored;
	struct hvsim_lapic_timer lapic;
};

u64 hvsim_time_ns(const struct hvsim_partition *pt);
u64 hvsim_time_ref(const struct hvsim_partition *pt);
u64 hvsim_time_tsc(struct hvsim_vp *vp);
void hvsim_time_set_tsc(struct hvsim_vp *vp, u64 tsc);
bool hvsim_time_running(const struct hvsim_partition *pt);
void hvsim_time_start(struct hvsim_partition *pt);
u16 hvsim_time_set_freeze(struct hvsim_partition *pt, u64 value);
void hvsim_time_set_reference(struct hvsim_partition *pt, u64 ref);
u64 hvsim_time_tsc_scale(u64 tsc_hz);
void hvsim_time_tsc_page(struct hvsim_partition *pt,
			 struct hv_reference_tsc_page *page);
void hvsim_time_next_tsc_page(struct hvsim_partition *pt,
			      struct hv_reference_tsc_page *page);
u64 hvsim_time_host_ns(struct hvsim_partition *pt, u64 ref);

void hvsim_stimer_vp_init(struct hvsim_vp *vp);
void hvsim_stimer_vp_destroy(struct hvsim_vp *vp);
u64 hvsim_stimer_get(struct hvsim_vp *vp, unsigned int reg);
u16 hvsim_stimer_set(struct hvsim_vp *vp, unsigned int reg, u64 val,
		     bool guest);
void hvsim_stimer_poll(struct hvsim_vp *vp);
void hvsim_stimer_rearm(struct hvsim_vp *vp);

#endif /* _HVSIM_TIME_H */
