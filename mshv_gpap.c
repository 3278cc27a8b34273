// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: MSHV_GET_GPAP_ACCESS_BITMAP, the accessed and dirty state of
 * a range of guest pages (GET_GPA_PAGES_ACCESS_STATES in batches) as a
 * user bitmap.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/linux/mshv.h"

#include "mshv_compat.h"
#include "mshv_regions.h"
#include "mshv_root.h"

/* Bitmap bytes buffered: one batch plus the 7 bits carried over */
#define MSHV_GPAP_BUF_BYTES	(HV_GPA_ACCESS_STATES_BATCH_SIZE / 8 + 2)

/*
 * The GET_GPA_PAGES_ACCESS_STATES flags for @type and @op.  Like mainline,
 * every op but CLEAR (NOOP too) takes the "set" branch.
 */
static u64 mshv_gpap_hv_flags(u8 type, u8 op)
{
	if (op == MSHV_GPAP_ACCESS_OP_CLEAR)
		return type == MSHV_GPAP_ACCESS_TYPE_ACCESSED ?
		       HV_GPA_ACCESS_STATE_CLEAR_ACCESSED |
		       HV_GPA_ACCESS_STATE_CLEAR_DIRTY :
		       HV_GPA_ACCESS_STATE_CLEAR_DIRTY;
	return type == MSHV_GPAP_ACCESS_TYPE_ACCESSED ?
	       HV_GPA_ACCESS_STATE_SET_ACCESSED :
	       HV_GPA_ACCESS_STATE_SET_DIRTY | HV_GPA_ACCESS_STATE_SET_ACCESSED;
}

/**
 * mshv_gpap_access_bitmap() - MSHV_GET_GPAP_ACCESS_BITMAP
 * @partition: the partition
 * @type: MSHV_GPAP_ACCESS_TYPE_*
 * @op: MSHV_GPAP_ACCESS_OP_*
 * @gfn: first guest page frame number; [@gfn, @gfn + @nr) is valid
 *	(mshv_gfn_range_valid())
 * @nr: number of pages
 * @bitmap: the user buffer of DIV_ROUND_UP(@nr, 8) bytes
 *
 * Reads the accessed or dirty state of @nr guest pages in batches of
 * HV_GPA_ACCESS_STATES_BATCH_SIZE, applies the op, and writes
 * ceil(@nr / 8) bytes, bit i for page i; bits past @nr are 0.
 *
 * Return: 0, -EFAULT (a bitmap that is not writable is refused before any
 * state changes), -ENOMEM, -EINTR, or the error of the hypercall.
 */
long mshv_gpap_access_bitmap(struct mshv_partition *partition, u8 type,
			     u8 op, u64 gfn, u64 nr, u8 __user *bitmap)
{
	u64 done = 0, pending = 0, flags, n, i, full;
	u8 __user *out = bitmap;
	u8 *states, *bits;
	u8 mask;
	long ret = 0;

	/*
	 * The whole bitmap must be writable before the first batch consumes
	 * (clears or sets) any page's state: a bad buffer changes nothing.
	 */
	if (fault_in_safe_writeable((const char __user *)out,
				    DIV_ROUND_UP(nr, 8)))
		return -EFAULT;

	flags = mshv_gpap_hv_flags(type, op);
	mask = type == MSHV_GPAP_ACCESS_TYPE_ACCESSED ?
	       HV_GPA_PAGE_ACCESSED : HV_GPA_PAGE_DIRTY;

	states = kmalloc(HV_GPA_ACCESS_STATES_BATCH_SIZE, GFP_KERNEL);
	bits = kzalloc(MSHV_GPAP_BUF_BYTES, GFP_KERNEL);
	if (!states || !bits) {
		ret = -ENOMEM;
		goto free;
	}

	while (done < nr) {
		n = min_t(u64, nr - done,
			  HV_GPA_ACCESS_STATES_BATCH_SIZE);
		ret = mshv_hv_get_gpa_access_states(partition->id,
						    gfn + done, n,
						    flags, states);
		if (ret)
			goto free;
		for (i = 0; i < n; i++)
			if (states[i] & mask)
				bits[(pending + i) / 8] |=
					BIT((pending + i) % 8);
		pending += n;
		done += n;

		full = done == nr ? DIV_ROUND_UP(pending, 8) :
						 pending / 8;
		if (copy_to_user(out, bits, full)) {
			ret = -EFAULT;
			goto free;
		}
		out += full;
		/* Carry the partial last byte over */
		bits[0] = pending % 8 ? bits[full] : 0;
		memset(bits + 1, 0, MSHV_GPAP_BUF_BYTES - 1);
		pending %= 8;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free;
		}
		cond_resched();
	}

free:
	kfree(bits);
	kfree(states);
	return ret;
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/mshv_gpap_test.c"
#endif
