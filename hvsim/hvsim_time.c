// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: time as a guest partition sees it.
 *
 * One clock per partition, in nanoseconds (struct hvsim_pt_time), gives
 * every time the guest and the VMM can read:
 *  - the reference counter (TIME_REF_COUNT, and the REFERENCE_TIME
 *    property): partition time / 100, in 100 ns units;
 *  - the TSC of each VP (RDTSC, RDTSCP, the TSC register): partition time
 *    at HVSIM_TSC_HZ (1 GHz: one tick per nanosecond), plus the VP's
 *    offset when the TSC was written;
 *  - the reference TSC page: TscScale and TscOffset such that
 *    ((TSC * TscScale) >> 64) + TscOffset is exactly the reference
 *    counter; TscSequence 0 (read the MSR instead) while the VPs' TSCs
 *    differ or are offset by a fraction of 100 ns;
 *  - the synthetic timers' expirations (hvsim_stimer.c).
 *
 * A file of the core: it calls only the root SynIC (to signal the VPs
 * when the clock's origin moves); the VP layer writes the reference TSC
 * page and runs the timers.
 *
 * The clock starts at the first dispatch of one of the partition's VPs
 * (until then it reads 0, or the REFERENCE_TIME the VMM set), stands
 * still while TIME_FREEZE is 1 (TSC, reference counter and timers alike)
 * and continues from REFERENCE_TIME when the VMM sets it: the VMM's save
 * (freeze, read REFERENCE_TIME) and restore (freeze, set REFERENCE_TIME,
 * unfreeze) of guest time.
 *
 * Everything here runs under the partition's lock.
 */
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/time64.h>

#include "hvsim_model.h"
#include "hvsim_synic.h"
#include "hvsim_time.h"

static_assert(HVSIM_TSC_HZ == NSEC_PER_SEC, "one TSC tick per nanosecond");

/* TSC ticks per reference time unit */
#define TSC_PER_REF	(HVSIM_TSC_HZ / (NSEC_PER_SEC / HVSIM_REF_NS))

/**
 * hvsim_time_running() - does the partition's clock advance?
 * @pt: the partition, its lock held
 *
 * Return: true once a VP was dispatched and while TIME_FREEZE is 0.
 */
bool hvsim_time_running(const struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	return pt->time.started && !pt->time_freeze;
}

/**
 * hvsim_time_ns() - partition time
 * @pt: the partition, its lock held
 *
 * Return: nanoseconds of partition time.
 */
u64 hvsim_time_ns(const struct hvsim_partition *pt)
{
	if (!hvsim_time_running(pt))
		return pt->time.base_ns;
	return pt->time.base_ns + (ktime_get_ns() - pt->time.host_ns);
}

/**
 * hvsim_time_ref() - the partition reference counter
 * @pt: the partition, its lock held
 *
 * Return: partition time in 100 ns units.
 */
u64 hvsim_time_ref(const struct hvsim_partition *pt)
{
	return div_u64(hvsim_time_ns(pt), HVSIM_REF_NS);
}

/**
 * hvsim_time_host_ns() - when partition time reaches a reference time
 * @pt: the partition, its lock held, its clock running
 * @ref: a reference time (100 ns units)
 *
 * Return: the host's ktime_get_ns() at that moment (a past one for a
 * reference time already reached).
 */
u64 hvsim_time_host_ns(struct hvsim_partition *pt, u64 ref)
{
	u64 ns = ref * HVSIM_REF_NS;

	lockdep_assert_held(&pt->lock);
	if (ns <= pt->time.base_ns)
		return pt->time.host_ns;
	return pt->time.host_ns + (ns - pt->time.base_ns);
}

/**
 * hvsim_time_tsc() - the TSC of a VP
 * @vp: the VP, its partition's lock held
 *
 * Return: partition time in TSC ticks plus the VP's TSC offset.
 */
u64 hvsim_time_tsc(struct hvsim_vp *vp)
{
	return hvsim_time_ns(vp->partition) + vp->time.tsc_offset;
}

/**
 * hvsim_time_set_tsc() - a write of a VP's TSC (VMM or guest)
 * @vp: the VP, its partition's lock held
 * @tsc: the new TSC value
 *
 * The VP's TSC counts on from @tsc.
 */
void hvsim_time_set_tsc(struct hvsim_vp *vp, u64 tsc)
{
	vp->time.tsc_offset = tsc - hvsim_time_ns(vp->partition);
}

/*
 * The clock's new origin.  The VPs' timers follow at their next dispatch
 * (hvsim_stimer_poll()): every VP of the partition is signalled to the
 * root (one HVMSG_SCHEDULER_VP_SIGNAL_BITSET for all), so that halted
 * ones are dispatched too.
 */
static void time_rebase(struct hvsim_partition *pt, u64 base_ns)
{
	struct hv_vp_signal_bitset_scheduler_message msg = {
		.partition_id = pt->id,
		.vp_bitset.bitset.format = HV_GENERIC_SET_ALL,
	};

	pt->time.base_ns = base_ns;
	pt->time.host_ns = ktime_get_ns();
	if (!pt->time.started)
		return;
	hvsim_root_post_message(HV_SYNIC_INTERCEPTION_SINT_INDEX,
				HVMSG_SCHEDULER_VP_SIGNAL_BITSET, 0, &msg,
				sizeof(msg));
}

/**
 * hvsim_time_start() - a VP of the partition is dispatched
 * @pt: the partition, its lock held
 *
 * The first dispatch starts the clock.
 */
void hvsim_time_start(struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	if (pt->time.started)
		return;
	pt->time.started = true;
	pt->time.host_ns = ktime_get_ns();
}

/**
 * hvsim_time_set_freeze() - the VMM sets TIME_FREEZE
 * @pt: the partition, its lock held
 * @value: 1 stops the clock, 0 lets it run on from where it stopped
 *
 * Return: HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE for another value,
 * HV_STATUS_SUCCESS.
 */
u16 hvsim_time_set_freeze(struct hvsim_partition *pt, u64 value)
{
	u64 ns;

	lockdep_assert_held(&pt->lock);
	if (value > 1)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	if (value == pt->time_freeze)
		return HV_STATUS_SUCCESS;
	ns = hvsim_time_ns(pt);
	pt->time_freeze = value;
	time_rebase(pt, ns);
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_time_set_reference() - the VMM sets REFERENCE_TIME
 * @pt: the partition, its lock held
 * @ref: the reference time the clock continues from (100 ns units)
 *
 * Timers keep their expiration times in reference time: those now in the
 * past expire at their VP's next dispatch.
 */
void hvsim_time_set_reference(struct hvsim_partition *pt, u64 ref)
{
	lockdep_assert_held(&pt->lock);
	time_rebase(pt, ref * HVSIM_REF_NS);
}

/**
 * hvsim_time_tsc_scale() - TscScale of the reference TSC page
 * @tsc_hz: the TSC frequency, above 10 MHz and below 2^32 Hz
 *
 * Return: 2^64 * 10^7 / @tsc_hz rounded up, so that (TSC * scale) >> 64
 * is exactly TSC * 10^7 / @tsc_hz rounded down for every TSC value below
 * 2^64 / 100 (centuries).
 */
u64 hvsim_time_tsc_scale(u64 tsc_hz)
{
	const u64 ref_hz = NSEC_PER_SEC / HVSIM_REF_NS;
	u64 hi, lo, rem;

	/* Long division of ref_hz << 64 by tsc_hz, 32 bits at a time */
	hi = div64_u64_rem(ref_hz << 32, tsc_hz, &rem);
	lo = div64_u64_rem(rem << 32, tsc_hz, &rem);
	return (hi << 32 | lo) + (rem ? 1 : 0);
}

/**
 * hvsim_time_tsc_page() - the contents of the reference TSC page
 * @pt: the partition, its lock held
 * @page: receives them; tsc_sequence is pt->time.tsc_sequence, or 0 when
 *	no single scale and offset give every VP's reference time
 *
 * Every VP's TSC must have the same offset from partition time, a
 * multiple of 100 ticks (the offset then is a whole number of reference
 * units).
 */
void hvsim_time_tsc_page(struct hvsim_partition *pt,
			 struct hv_reference_tsc_page *page)
{
	bool first = true, valid = true;
	s64 offset = 0;
	unsigned int i;

	lockdep_assert_held(&pt->lock);
	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		const struct hvsim_vp *vp = pt->vps[i];

		if (!vp)
			continue;
		if (first)
			offset = vp->time.tsc_offset;
		else if (vp->time.tsc_offset != offset)
			valid = false;
		first = false;
	}
	if (offset % (s64)TSC_PER_REF)
		valid = false;
	memset(page, 0, sizeof(*page));
	page->tsc_sequence = valid ? pt->time.tsc_sequence : 0;
	page->tsc_scale = hvsim_time_tsc_scale(HVSIM_TSC_HZ);
	page->tsc_offset = -div_s64(offset, TSC_PER_REF);
}

/**
 * hvsim_time_next_tsc_page() - the contents of a new reference TSC page
 * @pt: the partition, its lock held
 * @page: receives them (hvsim_time_tsc_page())
 *
 * A new TscSequence (never 0 or 0xFFFFFFFF) tells a guest reading the
 * page that its contents changed.
 */
void hvsim_time_next_tsc_page(struct hvsim_partition *pt,
			      struct hv_reference_tsc_page *page)
{
	lockdep_assert_held(&pt->lock);
	if (++pt->time.tsc_sequence == U32_MAX)
		pt->time.tsc_sequence = 1;
	if (!pt->time.tsc_sequence)
		pt->time.tsc_sequence = 1;
	hvsim_time_tsc_page(pt, page);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_time_test.c"
#endif
