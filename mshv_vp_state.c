// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: MSHV_GET_VP_STATE and MSHV_SET_VP_STATE.
 *
 * A VMM saves and restores the VP state that has no register name with
 * these two ioctls: the local APIC, the XSAVE area, the SynIC message and
 * event-flag pages and the synthetic timers.  Each maps to one
 * HVCALL_GET_VP_STATE / HVCALL_SET_VP_STATE:
 *
 *  - the page types (LAPIC, XSAVE, SIMP, SIEFP) are transferred by the
 *    hypervisor directly to or from the caller's buffer: the buffer's
 *    pages are pinned for the duration of the call and their PFNs are the
 *    hypercall's variable header;
 *  - the synthetic timers (200 bytes) travel inline in the hypercall
 *    input (SET) or output (GET) page.
 *
 * The ioctls run under the VP's run mutex, so the state never changes
 * under a dispatch of the same VP from another thread.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/linux/mshv.h"

#include "mshv_root.h"

/* PFNs that fit in the variable header after the 40-byte header */
#define MSHV_VP_STATE_MAX_PAGES \
	((HV_HYP_PAGE_SIZE - sizeof(struct hv_input_get_vp_state)) / sizeof(u64))

/* XSAVE components every transfer includes: x87 and SSE */
#define MSHV_XSAVE_STATES_REQUIRED	(BIT_ULL(0) | BIT_ULL(1))

/*
 * Read (once per partition) the size of the XSAVE state and the XSAVE
 * components the partition has.  Concurrent first readers read the same
 * values; the release store of the size publishes the component mask.
 */
static int mshv_vp_state_xsave(struct mshv_partition *partition, u32 *size,
			       u64 *states)
{
	u64 max_size, xsave_states;
	int ret;

	/* Pairs with the release below: a size implies the states */
	max_size = smp_load_acquire(&partition->xsave_size);
	if (max_size) {
		*size = max_size;
		*states = READ_ONCE(partition->xsave_states);
		return 0;
	}

	ret = mshv_hv_get_partition_property(partition->id,
					     HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
					     &max_size);
	if (ret)
		return ret;
	ret = mshv_hv_get_partition_property(partition->id,
					     HV_PARTITION_PROPERTY_XSAVE_STATES,
					     &xsave_states);
	if (ret)
		return ret;

	if (!max_size ||
	    max_size > MSHV_VP_STATE_MAX_PAGES * HV_HYP_PAGE_SIZE) {
		pr_warn_ratelimited("partition %#llx: bad MAX_XSAVE_DATA_SIZE %llu\n",
				    partition->id, max_size);
		return -EIO;
	}

	WRITE_ONCE(partition->xsave_states, xsave_states);
	/* Publish the states before the size that marks them valid */
	smp_store_release(&partition->xsave_size, max_size);
	*size = max_size;
	*states = xsave_states;
	return 0;
}

/*
 * The hypervisor state type, its transfer parameters and the size of the
 * state in bytes for MSHV_VP_STATE_* @type (already range checked).
 */
static int mshv_vp_state_describe(struct mshv_vp *vp, u8 type,
				  struct hv_vp_state_data *state, u32 *size)
{
	u64 states;
	int ret;

	memset(state, 0, sizeof(*state));
	switch (type) {
	case MSHV_VP_STATE_LAPIC:
		state->type = HV_GET_SET_VP_STATE_LAPIC_STATE;
		*size = HV_HYP_PAGE_SIZE;
		return 0;
	case MSHV_VP_STATE_XSAVE:
		ret = mshv_vp_state_xsave(vp->partition, size, &states);
		if (ret)
			return ret;
		state->type = HV_GET_SET_VP_STATE_XSAVE;
		state->xsave.states = states | MSHV_XSAVE_STATES_REQUIRED;
		state->xsave.flags = 0;
		return 0;
	case MSHV_VP_STATE_SIMP:
		state->type = HV_GET_SET_VP_STATE_SIM_PAGE;
		*size = HV_HYP_PAGE_SIZE;
		return 0;
	case MSHV_VP_STATE_SIEFP:
		state->type = HV_GET_SET_VP_STATE_SIEF_PAGE;
		*size = HV_HYP_PAGE_SIZE;
		return 0;
	case MSHV_VP_STATE_SYNTHETIC_TIMERS:
		state->type = HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS;
		*size = sizeof(struct hv_synthetic_timers_state);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Transfer a page-type state through the pinned pages of the buffer */
static int mshv_vp_state_pages(struct mshv_vp *vp,
			       const struct hv_vp_state_data *state,
			       u64 buf_ptr, u32 size, bool set)
{
	u32 nr_pages = DIV_ROUND_UP(size, HV_HYP_PAGE_SIZE);
	struct page **pages;
	int pinned, ret;

	pages = kcalloc(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	pinned = pin_user_pages_fast(buf_ptr, nr_pages, set ? 0 : FOLL_WRITE,
				     pages);
	if (pinned < 0) {
		ret = pinned;
		goto free_pages;
	}
	if (pinned != nr_pages) {
		ret = -EFAULT;
		goto unpin_pages;
	}

	if (set)
		ret = mshv_hv_set_vp_state(vp->partition->id, vp->index, state,
					   pages, nr_pages, NULL, 0);
	else
		ret = mshv_hv_get_vp_state(vp->partition->id, vp->index, state,
					   pages, nr_pages, NULL, 0);

unpin_pages:
	/* The hypervisor wrote the pages of a successful GET */
	unpin_user_pages_dirty_lock(pages, pinned, !set && !ret);
free_pages:
	kfree(pages);
	return ret;
}

/* Transfer an inline state type through a kernel copy */
static int mshv_vp_state_inline(struct mshv_vp *vp,
				const struct hv_vp_state_data *state,
				u64 buf_ptr, u32 size, bool set)
{
	void __user *ubuf = u64_to_user_ptr(buf_ptr);
	void *kbuf;
	int ret;

	kbuf = kzalloc(size, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;

	if (set) {
		if (copy_from_user(kbuf, ubuf, size)) {
			ret = -EFAULT;
			goto free_kbuf;
		}
		ret = mshv_hv_set_vp_state(vp->partition->id, vp->index, state,
					   NULL, 0, kbuf, size);
	} else {
		ret = mshv_hv_get_vp_state(vp->partition->id, vp->index, state,
					   NULL, 0, kbuf, size);
		if (!ret && copy_to_user(ubuf, kbuf, size))
			ret = -EFAULT;
	}

free_kbuf:
	kfree(kbuf);
	return ret;
}

/**
 * mshv_vp_state_transfer() - MSHV_GET_VP_STATE and MSHV_SET_VP_STATE
 * @vp: the VP
 * @type: MSHV_VP_STATE_*
 * @buf_ptr: the page-aligned user buffer, @buf_sz bytes of user space
 * @buf_sz: its size, page aligned, not 0
 * @size_out: where the size the state needs goes (in any case)
 * @set: load the state from the buffer (else copy it into the buffer)
 *
 * Takes @vp's run mutex.
 *
 * Return: 0 or a negative errno (-EINVAL for a buffer smaller than the
 * state, whose size is then in *@size_out; -EFAULT, -ENOMEM, -EINTR, or
 * the error of the hypercall).
 */
long mshv_vp_state_transfer(struct mshv_vp *vp, u8 type, u64 buf_ptr,
			    u32 buf_sz, u32 __user *size_out, bool set)
{
	struct hv_vp_state_data state;
	u32 size;
	long ret;

	if (mutex_lock_interruptible(&vp->run_mutex))
		return -EINTR;

	ret = mshv_vp_state_describe(vp, type, &state, &size);
	if (ret)
		goto unlock;

	/* The size the state needs goes back to userspace in any case */
	if (put_user(size, size_out)) {
		ret = -EFAULT;
		goto unlock;
	}
	if (size > buf_sz) {
		ret = -EINVAL;
		goto unlock;
	}

	if (state.type & HV_GET_SET_VP_STATE_TYPE_PFN)
		ret = mshv_vp_state_pages(vp, &state, buf_ptr, size, set);
	else
		ret = mshv_vp_state_inline(vp, &state, buf_ptr, size, set);

unlock:
	mutex_unlock(&vp->run_mutex);
	return ret;
}

