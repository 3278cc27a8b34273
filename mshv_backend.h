/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one seam between mshv_root and the hypervisor.
 *
 * Everything mshv_root asks of the hypervisor goes through a single
 * function that takes the TLFS control word, a 4 KiB input page and a 4 KiB
 * output page, and returns the TLFS result word.  Two implementations sit
 * on the other side: the real Microsoft Hypervisor (mshv_hv_real.c, via the
 * hypercall page) and hvsim (hvsim/), a software model that decodes the
 * same bytes.
 */
#ifndef _MSHV_BACKEND_H
#define _MSHV_BACKEND_H

#include <linux/types.h>

/**
 * struct mshv_hv_backend - a hypervisor that can execute root hypercalls
 * @name: name shown in the kernel log when the driver binds to it
 * @hypercall: issue one hypercall.  @control is the TLFS control word.
 *	@input and @output are kernel virtual addresses of page-aligned
 *	4 KiB pages; @output may be NULL when the call has no output.  For a
 *	fast call (HV_HYPERCALL_FAST_BIT) the register operands are the first
 *	qwords of @input and the backend moves them into registers.  Returns
 *	the TLFS result word (status in bits 0-15, reps completed in bits
 *	32-43).  Must not sleep.  Every call but DISPATCH_VP is made with
 *	interrupts disabled (the pages are this CPU's), from process
 *	context, from an eventfd wakeup (atomic: a wait-queue spinlock held)
 *	and from hard interrupt context (the root SynIC handler writes EOM
 *	and NOTIFY_PORT_RING_EMPTY).  DISPATCH_VP, as in mainline's root
 *	scheduler, is made from process context with preemption disabled
 *	and interrupts enabled, through this CPU's dispatch pages, which no
 *	other call uses: the backend runs the VP with the root's interrupts
 *	deliverable (the real hypervisor delivers them while the guest
 *	runs; hvsim enables them at instruction boundaries where it holds no
 *	lock), and their handlers may issue any of the other calls on the
 *	same CPU, on the same partition, before the dispatch returns.
 * @set_root_isr: install (@isr non-NULL) or remove (@isr NULL) the handler
 *	of the root partition's SynIC interrupt: the hypervisor callback
 *	vector on real hardware.  The handler runs in hard interrupt context
 *	on the CPU whose SynIC (SIMP slot or event ring, configured through
 *	SET_VP_REGISTERS on HV_PARTITION_ID_SELF / HV_VP_INDEX_SELF) received
 *	something.  Returns 0, or -EOPNOTSUPP when the backend cannot deliver
 *	root interrupts.  May be NULL, which means the same as -EOPNOTSUPP.
 *	Removal waits until no invocation of the old handler is running.
 *
 * The hypercall function and the root's interrupt line are the whole
 * interface: everything else the driver learns from the hypervisor
 * arrives in pages it names through hypercalls.
 */
struct mshv_hv_backend {
	const char *name;
	u64 (*hypercall)(u64 control, void *input, void *output);
	int (*set_root_isr)(void (*isr)(void));
};

/*
 * hvsim exports its backend under this name; mshv_root looks it up with
 * symbol_get() when it does not run in a Microsoft Hypervisor root
 * partition, so neither module links against the other.
 */
extern const struct mshv_hv_backend hvsim_backend;

/**
 * enum mshv_hv_type - what Linux is to the Microsoft Hypervisor
 * @MSHV_HV_NO_HYPERVISOR: no Microsoft Hypervisor (hvsim may serve)
 * @MSHV_HV_GUEST: an ordinary guest partition (hvsim may serve)
 * @MSHV_HV_ROOT: the root partition: creates partitions, manages CPUs
 * @MSHV_HV_L1VH: a guest allowed to create partitions of its own
 */
enum mshv_hv_type {
	MSHV_HV_NO_HYPERVISOR,
	MSHV_HV_GUEST,
	MSHV_HV_ROOT,
	MSHV_HV_L1VH,
};

/**
 * enum mshv_hv_irq - how root interrupts reach the driver
 * @MSHV_HV_IRQ_NONE: they cannot
 * @MSHV_HV_IRQ_MSHV_HOOK: hv_setup_mshv_handler() (Linux 6.15 and later)
 * @MSHV_HV_IRQ_VMBUS_HOOK: the VMBus hook of the hypervisor callback
 *	vector, free in a non-nested root partition (VMBus does not run there)
 */
enum mshv_hv_irq {
	MSHV_HV_IRQ_NONE,
	MSHV_HV_IRQ_MSHV_HOOK,
	MSHV_HV_IRQ_VMBUS_HOOK,
};

/**
 * struct mshv_hv_host - what the kernel reports that decides the backend
 * @hyperv: the kernel found a Microsoft Hypervisor and set up hypercalls
 * @priv_high: the high 32 bits of the partition privilege mask
 * @nested: the hypervisor runs nested (the kernel's hv_nested)
 * @kdump: this is a kdump kernel
 * @mshv_hook: the kernel has hv_setup_mshv_handler()
 */
struct mshv_hv_host {
	bool hyperv;
	u32 priv_high;
	bool nested;
	bool kdump;
	bool mshv_hook;
};

/**
 * struct mshv_hv_plan - how the driver runs on the real hypervisor
 * @type: the partition type
 * @irq: the root interrupt hook (root and L1VH only)
 * @missing: when the driver cannot work, why (a static string)
 */
struct mshv_hv_plan {
	enum mshv_hv_type type;
	enum mshv_hv_irq irq;
	const char *missing;
};

int mshv_hv_real_choose(const struct mshv_hv_host *host,
			struct mshv_hv_plan *plan);
const char *mshv_hv_type_name(enum mshv_hv_type type);

/*
 * The real Microsoft Hypervisor (mshv_hv_real.c): NULL unless Linux runs as
 * its root or L1VH partition, an ERR_PTR() when it does but the driver
 * cannot work there.
 */
const struct mshv_hv_backend *mshv_hv_real_backend(void);

#endif /* _MSHV_BACKEND_H */
