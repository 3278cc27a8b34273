// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: a software model of the Microsoft Hypervisor's root-partition
 * hypercall interface, behind the same seam (struct mshv_hv_backend) as
 * the real hypervisor.
 *
 * This file dispatches a call through its entry of the table of call codes
 * (hvsim_hcalls.c): decode, entry checks, input checks, handler; it counts
 * the call and builds the result word.
 */
#include <linux/debugfs.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/seq_file.h>

#include "hvsim_model.h"
#include "hvsim_guest_hcall.h"
#include "hvsim_inject.h"
#include "hvsim_irq.h"
#include "hvsim_main.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"
#include "hvsim_port.h"
#include "hvsim_synic.h"
#include "hvsim_vp.h"
#include "hvsim_hcalls.h"
#include "mshv_backend.h"

/* Per-code counters, indexed like hvsim_hcalls */
static atomic64_t hvsim_hc_calls[HVSIM_NR_HCALLS];
static atomic64_t hvsim_hc_reps[HVSIM_NR_HCALLS];

static struct dentry *hvsim_debugfs;

static u64 hc_result(u16 status, u16 reps_done)
{
	return status | ((u64)reps_done << HV_HYPERCALL_REP_COMP_OFFSET);
}

static u64 hypercall_irqs_off(u64 control, void *input, void *output,
			      bool irq_windows);

/**
 * hvsim_hypercall() - execute one hypercall
 * @control: TLFS control word
 * @input: input page (fast calls: the register operands, in order)
 * @output: output page, or NULL
 *
 * Runs with interrupts disabled (it disables them itself, for callers such
 * as KUnit that do not): the root's SynIC ISR issues hypercalls in hard
 * interrupt context, so every hvsim lock must be taken with interrupts
 * off.  The one exception is DISPATCH_VP called with interrupts enabled
 * (the driver's contract for it, mshv_backend.h): it enables them at
 * instruction boundaries where it holds no lock (hvsim_hc_dispatch_vp()).
 * Preemption stays disabled throughout.  Never sleeps and never allocates.
 * Fault-injection rules (debugfs "inject") apply to calls that pass the
 * entry checks: an injected failure does nothing and reports the rep
 * start; a "max_reps" rule ends a rep call early with success; a
 * "pending" rule returns HV_STATUS_CALL_PENDING and posts the status later.
 *
 * Return: the TLFS result word: status in bits 0-15, reps completed (the
 * index of the first rep not completed) in bits 32-43.
 */
u64 hvsim_hypercall(u64 control, void *input, void *output)
{
	unsigned long flags;
	u64 result;

	preempt_disable();
	local_irq_save(flags);
	result = hypercall_irqs_off(control, input, output,
				    !irqs_disabled_flags(flags));
	local_irq_restore(flags);
	preempt_enable();
	return result;
}

static u64 hypercall_irqs_off(u64 control, void *input, void *output,
			      bool irq_windows)
{
	struct hvsim_call call = {
		.input = input,
		.output = output,
		.irq_windows = irq_windows,
	};
	const struct hvsim_hc_desc *d;
	unsigned int idx;
	u16 status, max_reps;

	status = hvsim_decode_control(control, &call);
	if (status)
		return hc_result(status, 0);
	d = hvsim_hc_find(call.code);
	if (!d)
		return hc_result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	status = hvsim_hc_check(d, &call);
	if (status)
		return hc_result(status, 0);
	call.reps_done = call.rep_start;
	status = hvsim_inject_hypercall(call.code, &max_reps);
	if (!status) {
		if (max_reps && call.rep_count - call.rep_start > max_reps)
			call.rep_count = call.rep_start + max_reps;
		if (d->validate)
			status = d->validate(&call);
		if (!status)
			status = d->handler(&call);
	}
	/* A "pending" rule: HV_STATUS_CALL_PENDING, completion later */
	status = hvsim_inject_pending(&call, status);

	idx = d - hvsim_hcalls;
	atomic64_inc(&hvsim_hc_calls[idx]);
	if (!(d->flags & HC_REP))
		return hc_result(status, 0);
	atomic64_add(call.reps_done - call.rep_start, &hvsim_hc_reps[idx]);
	return hc_result(status, call.reps_done);
}

const struct mshv_hv_backend hvsim_backend = {
	.name = "hvsim",
	.hypercall = hvsim_hypercall,
	.set_root_isr = hvsim_set_root_isr,
};
EXPORT_SYMBOL_GPL(hvsim_backend);

static int hypercalls_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < HVSIM_NR_HCALLS; i++)
		seq_printf(m, "0x%04x %s %llu %llu\n",
			   hvsim_hcalls[i].code, hvsim_hcalls[i].name,
			   (u64)atomic64_read(&hvsim_hc_calls[i]),
			   (u64)atomic64_read(&hvsim_hc_reps[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hypercalls);

static int partitions_show(struct seq_file *m, void *unused)
{
	/* hvsim's locks are taken in hard IRQ context too */
	local_irq_disable();
	hvsim_partitions_show(m);
	local_irq_enable();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(partitions);

static int vps_show(struct seq_file *m, void *unused)
{
	local_irq_disable();
	hvsim_vps_show(m);
	local_irq_enable();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vps);

static int stale_accesses_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%llu\n", hvsim_stale_accesses());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stale_accesses);

static int lost_writes_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%llu\n", hvsim_lost_writes());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lost_writes);

/* Audit the live partitions first: the count is current when read */
static int stale_entries_show(struct seq_file *m, void *unused)
{
	hvsim_partitions_audit();
	seq_printf(m, "%llu\n", hvsim_stale_entries());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stale_entries);

/* hvsim_hcalls is sorted and has a handler in every entry */
static bool hvsim_hc_table_valid(void)
{
	unsigned int i;

	for (i = 0; i < HVSIM_NR_HCALLS; i++) {
		if (!hvsim_hcalls[i].handler)
			return false;
	}
	return hvsim_hc_table_sorted();
}

static int __init hvsim_init(void)
{
	int ret;

	if (WARN_ON(!hvsim_hc_table_valid()))
		return -EINVAL;
	ret = hvsim_vp_init();
	if (ret)
		return ret;
	hvsim_irq_init(&hvsim_vp_mem_ops);
	hvsim_guest_hcall_init(&hvsim_vp_mem_ops);
	ret = hvsim_synic_init();
	if (ret)
		goto free_vp;
	hvsim_partitions_init();
	hvsim_debugfs = debugfs_create_dir("hvsim", NULL);
	debugfs_create_file("hypercalls", 0444, hvsim_debugfs, NULL,
			    &hypercalls_fops);
	debugfs_create_file("partitions", 0444, hvsim_debugfs, NULL,
			    &partitions_fops);
	debugfs_create_file("vps", 0444, hvsim_debugfs, NULL, &vps_fops);
	debugfs_create_file("stale_accesses", 0444, hvsim_debugfs, NULL,
			    &stale_accesses_fops);
	debugfs_create_file("lost_writes", 0444, hvsim_debugfs, NULL,
			    &lost_writes_fops);
	debugfs_create_file("stale_entries", 0444, hvsim_debugfs, NULL,
			    &stale_entries_fops);
	hvsim_inject_init(hvsim_debugfs);
	hvsim_synic_debugfs_init(hvsim_debugfs);
	hvsim_irq_debugfs_init(hvsim_debugfs);
	hvsim_guest_hcall_debugfs_init(hvsim_debugfs);
	hvsim_port_debugfs_init(hvsim_debugfs);
	hvsim_vp_debugfs_init(hvsim_debugfs);
	hvsim_mmio_debugfs_init(hvsim_debugfs);
	pr_info("hvsim: Microsoft Hypervisor model loaded\n");
	return 0;

free_vp:
	hvsim_vp_exit();
	return ret;
}

static void __exit hvsim_exit(void)
{
	debugfs_remove_recursive(hvsim_debugfs);
	hvsim_inject_exit();
	local_irq_disable();
	hvsim_partitions_exit(hvsim_partition_teardown);
	local_irq_enable();
	hvsim_mmio_exit();
	hvsim_synic_exit();
	hvsim_vp_exit();
}

module_init(hvsim_init);
module_exit(hvsim_exit);

MODULE_DESCRIPTION("hvsim: software model of the Microsoft Hypervisor");
MODULE_LICENSE("GPL");

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_main_test.c"
#endif
