// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real Microsoft Hypervisor behind the mshv_root seam.
 *
 * This is the only file of the project that includes the kernel's own
 * Hyper-V headers; it therefore must not include hvabi.h (the two define
 * the same TLFS names) and uses the kernel's names for the few constants
 * it needs.
 *
 * Hypercalls follow the kernel's wrappers: hv_do_hypercall() for
 * memory-based calls (it passes the physical addresses of the input and
 * output pages, which are directly mapped per-CPU pages), and
 * hv_do_fast_hypercall16() for fast calls, which takes only the call code,
 * so fast calls with a rep count or a variable header are refused.
 *
 * Root interrupts.  The hypervisor signals the root's SynIC on one vector,
 * HYPERVISOR_CALLBACK_VECTOR, whose handler in the kernel calls at most two
 * hooks: the VMBus hook and, from Linux 6.15, a separate mshv hook
 * (hv_setup_mshv_handler()).  On older kernels (Debian's 6.1 and 6.12) the
 * driver can borrow the VMBus hook only where VMBus leaves it empty: a
 * non-nested root partition, where the VMBus driver does not initialise.
 * An L1VH or nested root partition is a VMBus client, so there the vector
 * belongs to VMBus and the driver refuses to load rather than steal it.
 *
 * Everything here that needs a Microsoft Hypervisor is untested: no root
 * partition was available.  The choice of partition type and interrupt
 * hook is a pure function of what the kernel reports, tested by KUnit.
 */

#include <linux/crash_dump.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kconfig.h>
#include <linux/lockdep.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#if IS_ENABLED(CONFIG_HYPERV)
#include <asm/mshyperv.h>
#endif

#include "mshv_backend.h"

/*
 * Privilege bits of the high half of the partition privilege mask (TLFS;
 * the kernel's HV_CREATE_PARTITIONS, HV_CPU_MANAGEMENT, HV_ISOLATION),
 * named here so that the choice below also builds without CONFIG_HYPERV.
 */
#define MSHV_PRIV_HIGH_CREATE_PARTITIONS	BIT(0)
#define MSHV_PRIV_HIGH_CPU_MANAGEMENT		BIT(12)
#define MSHV_PRIV_HIGH_ISOLATION		BIT(22)

/* The call code of HVCALL_DISPATCH_VP (TLFS), which older kernels lack */
#define MSHV_HVCALL_DISPATCH_VP			0x00C2

/* Why a parent partition that is a VMBus client cannot work without the hook */
static const char *const mshv_hv_vmbus_taken[] = {
	[MSHV_HV_ROOT] =
		"VMBus uses the callback vector in a nested root; needs hv_setup_mshv_handler() (6.15+)",
	[MSHV_HV_L1VH] =
		"VMBus uses the callback vector in an L1VH partition; needs hv_setup_mshv_handler() (6.15+)",
};

/**
 * mshv_hv_real_choose() - decide how the driver can run on this kernel
 * @host: what the kernel reports about the hypervisor and itself
 * @plan: filled with the partition type, the interrupt hook to use and,
 *	when the driver cannot work, what is missing
 *
 * The partition type is decided as mainline does: a partition allowed to
 * create partitions and not isolated is the root when it also manages
 * CPUs, an L1VH partition otherwise; anything else is a guest (or no
 * hypervisor at all), which leaves /dev/mshv to hvsim.
 *
 * Return: 0 when @plan names a usable interrupt hook or the partition is
 * not a parent (@plan->type tells which), -ENODEV when this is a parent
 * partition on which the driver cannot work (@plan->missing says why).
 */
int mshv_hv_real_choose(const struct mshv_hv_host *host,
			struct mshv_hv_plan *plan)
{
	u32 priv = host->priv_high;

	*plan = (struct mshv_hv_plan){ .type = MSHV_HV_NO_HYPERVISOR };
	if (!host->hyperv)
		return 0;
	plan->type = MSHV_HV_GUEST;
	if (!(priv & MSHV_PRIV_HIGH_CREATE_PARTITIONS) ||
	    (priv & MSHV_PRIV_HIGH_ISOLATION))
		return 0;
	plan->type = (priv & MSHV_PRIV_HIGH_CPU_MANAGEMENT) ?
		     MSHV_HV_ROOT : MSHV_HV_L1VH;

	if (host->kdump) {
		plan->missing = "a kdump kernel does not manage partitions";
		return -ENODEV;
	}
	if (host->mshv_hook) {
		plan->irq = MSHV_HV_IRQ_MSHV_HOOK;
		return 0;
	}
	if (plan->type == MSHV_HV_ROOT && !host->nested) {
		plan->irq = MSHV_HV_IRQ_VMBUS_HOOK;
		return 0;
	}
	/* Either is a VMBus client: the VMBus hook is taken */
	plan->missing = mshv_hv_vmbus_taken[plan->type];
	return -ENODEV;
}

/**
 * mshv_hv_type_name() - printable name of a partition type
 * @type: the type
 *
 * Return: a static string.
 */
const char *mshv_hv_type_name(enum mshv_hv_type type)
{
	switch (type) {
	case MSHV_HV_GUEST:
		return "guest";
	case MSHV_HV_ROOT:
		return "root";
	case MSHV_HV_L1VH:
		return "L1VH";
	default:
		return "no hypervisor";
	}
}

#if IS_ENABLED(CONFIG_HYPERV)

static enum mshv_hv_irq mshv_hv_real_irq;

static u64 mshv_hv_real_hypercall(u64 control, void *input, void *output)
{
	const u64 *operands = input;
	u16 code = (u16)control;

	/*
	 * The backend contract (mshv_backend.h): this CPU's pages, which
	 * for DISPATCH_VP are its own and need only preemption disabled;
	 * the hypervisor delivers the root's interrupts while the VP runs
	 */
	if (code == MSHV_HVCALL_DISPATCH_VP)
		lockdep_assert_preemption_disabled();
	else
		lockdep_assert_irqs_disabled();
	if (!(control & HV_HYPERCALL_FAST_BIT))
		return hv_do_hypercall(control, input, output);

	if (control != (code | HV_HYPERCALL_FAST_BIT))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return hv_do_fast_hypercall16(code, operands[0], operands[1]);
}

/*
 * Removal runs after mshv_synic_exit() masked the root's SINTs on every
 * CPU, so no new callback interrupt of ours arrives; synchronize_rcu()
 * waits for handlers already running, which run with interrupts off.
 */
static int mshv_hv_real_set_root_isr(void (*isr)(void))
{
	switch (mshv_hv_real_irq) {
#ifdef MSHV_HAVE_SETUP_MSHV_HANDLER
	case MSHV_HV_IRQ_MSHV_HOOK:
		hv_setup_mshv_handler(isr);
		break;
#endif
	case MSHV_HV_IRQ_VMBUS_HOOK:
		if (isr)
			hv_setup_vmbus_handler(isr);
		else
			hv_remove_vmbus_handler();
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!isr)
		synchronize_rcu();
	return 0;
}

static const struct mshv_hv_backend mshv_hv_real = {
	.name = "Microsoft Hypervisor",
	.hypercall = mshv_hv_real_hypercall,
	.set_root_isr = mshv_hv_real_set_root_isr,
};

static void mshv_hv_real_host(struct mshv_hv_host *host)
{
	*host = (struct mshv_hv_host){
		.hyperv = hv_is_hyperv_initialized(),
		.priv_high = ms_hyperv.priv_high,
		.kdump = is_kdump_kernel(),
#ifdef MSHV_HAVE_HV_NESTED
		.nested = hv_nested,
#endif
#ifdef MSHV_HAVE_SETUP_MSHV_HANDLER
		.mshv_hook = true,
#endif
	};
}

#else /* !CONFIG_HYPERV */

static void mshv_hv_real_host(struct mshv_hv_host *host)
{
	*host = (struct mshv_hv_host){ .hyperv = false };
}

#endif /* CONFIG_HYPERV */

/**
 * mshv_hv_real_backend() - the real hypervisor, if this is a parent of it
 *
 * Return: the backend issuing hypercalls through the kernel's hypercall
 * page when Linux runs as a root or L1VH partition of the Microsoft
 * Hypervisor and can receive its root interrupts; NULL when it does not
 * (no hypervisor, or a guest: hvsim may serve /dev/mshv); ERR_PTR(-ENODEV)
 * after logging what is missing when it is a parent partition on which the
 * driver cannot work.
 */
const struct mshv_hv_backend *mshv_hv_real_backend(void)
{
	struct mshv_hv_host host;
	struct mshv_hv_plan plan;
	int ret;

	mshv_hv_real_host(&host);
	ret = mshv_hv_real_choose(&host, &plan);
	if (ret) {
		pr_err("Linux is a %s partition of the Microsoft Hypervisor, but /dev/mshv cannot work: %s\n",
		       mshv_hv_type_name(plan.type), plan.missing);
		return ERR_PTR(ret);
	}
	if (plan.type != MSHV_HV_ROOT && plan.type != MSHV_HV_L1VH)
		return NULL;
#if IS_ENABLED(CONFIG_HYPERV)
	mshv_hv_real_irq = plan.irq;
	pr_info("%s partition; root interrupts through the %s hook\n",
		mshv_hv_type_name(plan.type),
		plan.irq == MSHV_HV_IRQ_MSHV_HOOK ? "mshv" : "VMBus");
	return &mshv_hv_real;
#else
	return NULL;
#endif
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/mshv_hv_real_test.c"
#endif
