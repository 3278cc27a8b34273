// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real Microsoft Hypervisor behind the mshv_root seam.
 *
 * This is the only file of the project that includes the kernel's own
 * Hyper-V headers; it therefore must not include hvabi.h (the two define
 * the same TLFS names) and uses the kernel's names for the few constants
 * it needs.
 *
 * Untested: no Microsoft Hypervisor root partition was available while
 * this was written.  It compiles against the 6.1 and 6.12 headers; the
 * calling convention follows the kernel's wrappers: hv_do_hypercall() for
 * memory-based calls (it passes the physical addresses of the input and
 * output pages, which are directly mapped per-CPU pages), and
 * hv_do_fast_hypercall16() for fast calls, which takes only the call code,
 * so fast calls with a rep count or a variable header are refused.
 */

#include <linux/errno.h>
#include <linux/kconfig.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#if IS_ENABLED(CONFIG_HYPERV)
#include <asm/mshyperv.h>
#endif

#include "mshv_backend.h"
#include "mshv_compat.h"

#if IS_ENABLED(CONFIG_HYPERV)

static u64 mshv_hv_real_hypercall(u64 control, void *input, void *output)
{
	const u64 *operands = input;
	u16 code = (u16)control;

	if (!(control & HV_HYPERCALL_FAST_BIT))
		return hv_do_hypercall(control, input, output);

	if (control != (code | HV_HYPERCALL_FAST_BIT))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return hv_do_fast_hypercall16(code, operands[0], operands[1]);
}

/*
 * The root's SynIC interrupt arrives on the hypervisor callback vector;
 * kernels with hv_setup_mshv_handler() (newer than 6.12) pass it on to one
 * handler.  Without it the driver cannot receive root interrupts.
 */
static int mshv_hv_real_set_root_isr(void (*isr)(void))
{
#ifdef MSHV_HAVE_SETUP_MSHV_HANDLER
	hv_setup_mshv_handler(isr);
	/* Removal: an invocation of the old handler runs with IRQs off */
	if (!isr)
		synchronize_rcu();
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

static const struct mshv_hv_backend mshv_hv_real = {
	.name = "Microsoft Hypervisor",
	.hypercall = mshv_hv_real_hypercall,
	.set_root_isr = mshv_hv_real_set_root_isr,
};

/**
 * mshv_hv_real_backend() - the real hypervisor, if this is its root
 *
 * Return: the backend issuing hypercalls through the kernel's hypercall
 * page when Linux runs as the root partition of the Microsoft Hypervisor,
 * else NULL.
 */
const struct mshv_hv_backend *mshv_hv_real_backend(void)
{
	return mshv_hv_root_partition() ? &mshv_hv_real : NULL;
}

#else /* !CONFIG_HYPERV */

const struct mshv_hv_backend *mshv_hv_real_backend(void)
{
	return NULL;
}

#endif /* CONFIG_HYPERV */
