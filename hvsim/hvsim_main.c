// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: a software model of the Microsoft Hypervisor's root-partition
 * hypercall interface, behind the same seam (struct mshv_hv_backend) as
 * the real hypervisor.
 *
 * This file decodes the TLFS control word, dispatches through a table
 * sorted by call code and builds the result word.
 */
#include <linux/bsearch.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "hvsim.h"
#include "mshv_backend.h"

/* hvsim_hc_desc.flags */
#define HC_REP		BIT(0)	/* rep call */
#define HC_FAST		BIT(1)	/* may be issued as a fast call */
#define HC_VARHEAD	BIT(2)	/* takes a variable header */

/**
 * struct hvsim_hc_desc - how hvsim accepts one hypercall code
 * @code: call code
 * @flags: HC_REP, HC_FAST, HC_VARHEAD
 * @in_size: fixed input header, bytes
 * @in_rep_size: input bytes per rep
 * @out_size: fixed output, bytes (0: no output page needed)
 * @out_rep_size: output bytes per rep
 * @handler: executes the call
 * @name: for debugfs
 */
struct hvsim_hc_desc {
	u16 code;
	u16 flags;
	u16 in_size;
	u16 in_rep_size;
	u16 out_size;
	u16 out_rep_size;
	u16 (*handler)(struct hvsim_call *call);
	const char *name;
};

#define HC(c, f, in, inrep, out, outrep, fn) {				\
	.code = HVCALL_##c, .flags = (f), .in_size = (in),		\
	.in_rep_size = (inrep), .out_size = (out),			\
	.out_rep_size = (outrep), .handler = (fn), .name = #c }

/* Sorted by code (checked at load and by KUnit) */
static const struct hvsim_hc_desc hvsim_hcalls[] = {
	HC(CREATE_PARTITION, 0, sizeof(struct hv_input_create_partition), 0,
	   sizeof(struct hv_output_create_partition), 0,
	   hvsim_hc_create_partition),
	HC(INITIALIZE_PARTITION, HC_FAST, sizeof(struct hv_input_partition_id),
	   0, 0, 0, hvsim_hc_initialize_partition),
	HC(FINALIZE_PARTITION, HC_FAST, sizeof(struct hv_input_partition_id),
	   0, 0, 0, hvsim_hc_finalize_partition),
	HC(DELETE_PARTITION, HC_FAST, sizeof(struct hv_input_partition_id),
	   0, 0, 0, hvsim_hc_delete_partition),
	HC(GET_PARTITION_PROPERTY, 0,
	   sizeof(struct hv_input_get_partition_property), 0,
	   sizeof(struct hv_output_get_partition_property), 0,
	   hvsim_hc_get_partition_property),
	HC(SET_PARTITION_PROPERTY, 0,
	   sizeof(struct hv_input_set_partition_property), 0, 0, 0,
	   hvsim_hc_set_partition_property),
	HC(DEPOSIT_MEMORY, HC_REP, sizeof(struct hv_input_deposit_memory),
	   sizeof(u64), 0, 0, hvsim_hc_deposit_memory),
	HC(WITHDRAW_MEMORY, HC_REP, sizeof(struct hv_input_withdraw_memory),
	   0, 0, sizeof(u64), hvsim_hc_withdraw_memory),
	HC(MAP_GPA_PAGES, HC_REP, sizeof(struct hv_input_map_gpa_pages),
	   sizeof(u64), 0, 0, hvsim_hc_map_gpa_pages),
	HC(UNMAP_GPA_PAGES, HC_REP, sizeof(struct hv_input_unmap_gpa_pages),
	   0, 0, 0, hvsim_hc_unmap_gpa_pages),
	HC(CREATE_VP, 0, sizeof(struct hv_input_create_vp), 0, 0, 0,
	   hvsim_hc_create_vp),
	HC(DELETE_VP, HC_FAST, sizeof(struct hv_input_delete_vp), 0, 0, 0,
	   hvsim_hc_delete_vp),
	HC(GET_VP_REGISTERS, HC_REP, sizeof(struct hv_input_get_vp_registers),
	   sizeof(u32), 0, sizeof(union hv_register_value),
	   hvsim_hc_get_vp_registers),
	HC(SET_VP_REGISTERS, HC_REP, sizeof(struct hv_input_set_vp_registers),
	   sizeof(struct hv_register_assoc), 0, 0, hvsim_hc_set_vp_registers),
	HC(TRANSLATE_VIRTUAL_ADDRESS, 0,
	   sizeof(struct hv_input_translate_virtual_address), 0,
	   sizeof(struct hv_output_translate_virtual_address), 0,
	   hvsim_hc_translate_virtual_address),
	HC(READ_GPA, 0, sizeof(struct hv_input_read_gpa), 0,
	   sizeof(struct hv_output_read_gpa), 0, hvsim_hc_read_gpa),
	HC(WRITE_GPA, 0, sizeof(struct hv_input_write_gpa), 0,
	   sizeof(struct hv_output_write_gpa), 0, hvsim_hc_write_gpa),
	HC(CLEAR_VIRTUAL_INTERRUPT, HC_FAST,
	   sizeof(struct hv_input_partition_id), 0, 0, 0,
	   hvsim_hc_clear_virtual_interrupt),
	HC(DELETE_PORT, HC_FAST, sizeof(struct hv_input_delete_port), 0, 0, 0,
	   hvsim_hc_delete_port),
	HC(DISCONNECT_PORT, HC_FAST, sizeof(struct hv_input_disconnect_port), 0,
	   0, 0, hvsim_hc_disconnect_port),
	HC(GET_SYSTEM_PROPERTY, 0, sizeof(struct hv_input_get_system_property),
	   0, sizeof(struct hv_output_get_system_property), 0,
	   hvsim_hc_get_system_property),
	HC(NOTIFY_PORT_RING_EMPTY, HC_FAST,
	   sizeof(struct hv_input_notify_port_ring_empty), 0, 0, 0,
	   hvsim_hc_notify_port_ring_empty),
	HC(ASSERT_VIRTUAL_INTERRUPT, 0,
	   sizeof(struct hv_input_assert_virtual_interrupt), 0, 0, 0,
	   hvsim_hc_assert_virtual_interrupt),
	HC(CREATE_PORT, 0, sizeof(struct hv_input_create_port), 0, 0, 0,
	   hvsim_hc_create_port),
	HC(CONNECT_PORT, 0, sizeof(struct hv_input_connect_port), 0, 0, 0,
	   hvsim_hc_connect_port),
	HC(DISPATCH_VP, 0, sizeof(struct hv_input_dispatch_vp), 0,
	   sizeof(struct hv_output_dispatch_vp), 0, hvsim_hc_dispatch_vp),
	HC(GET_GPA_PAGES_ACCESS_STATES, HC_REP,
	   sizeof(struct hv_input_get_gpa_pages_access_state), 0, 0, sizeof(u8),
	   hvsim_hc_get_gpa_pages_access_states),
	HC(MAP_VP_STATE_PAGE, 0, sizeof(struct hv_input_map_vp_state_page), 0,
	   sizeof(struct hv_output_map_vp_state_page), 0,
	   hvsim_hc_map_vp_state_page),
	HC(UNMAP_VP_STATE_PAGE, 0,
	   sizeof(struct hv_input_unmap_vp_state_page), 0, 0, 0,
	   hvsim_hc_unmap_vp_state_page),
	HC(GET_VP_STATE, HC_VARHEAD, sizeof(struct hv_input_get_vp_state), 0,
	   sizeof(struct hv_synthetic_timers_state), 0, hvsim_hc_get_vp_state),
	HC(SET_VP_STATE, HC_VARHEAD, sizeof(struct hv_input_set_vp_state), 0,
	   0, 0, hvsim_hc_set_vp_state),
	HC(GET_PARTITION_PROPERTY_EX, 0,
	   sizeof(struct hv_input_get_partition_property_ex), 0,
	   sizeof(struct hv_output_property_banks) + sizeof(u64), 0,
	   hvsim_hc_get_partition_property_ex),
};

/* Per-code counters, indexed like hvsim_hcalls */
static atomic64_t hvsim_hc_calls[ARRAY_SIZE(hvsim_hcalls)];
static atomic64_t hvsim_hc_reps[ARRAY_SIZE(hvsim_hcalls)];

static struct dentry *hvsim_debugfs;

static int hc_cmp(const void *key, const void *elt)
{
	u16 code = *(const u16 *)key;
	const struct hvsim_hc_desc *d = elt;

	return (int)code - (int)d->code;
}

static const struct hvsim_hc_desc *hc_find(u16 code)
{
	return bsearch(&code, hvsim_hcalls, ARRAY_SIZE(hvsim_hcalls),
		       sizeof(hvsim_hcalls[0]), hc_cmp);
}

/**
 * hvsim_decode_control() - split a TLFS control word
 * @control: control word
 * @call: filled with the code, fast bit, variable header size, rep count
 *	and rep start
 *
 * hvsim models a non-nested hypervisor: the nested bit is refused like the
 * reserved bits.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_HYPERCALL_INPUT.
 */
u16 hvsim_decode_control(u64 control, struct hvsim_call *call)
{
	if (control & (HV_HYPERCALL_RSVD_MASK | HV_HYPERCALL_NESTED))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	call->code = control & HV_HYPERCALL_CODE_MASK;
	call->fast = !!(control & HV_HYPERCALL_FAST_BIT);
	call->varhead = (control & HV_HYPERCALL_VARHEAD_MASK) >>
			HV_HYPERCALL_VARHEAD_OFFSET;
	call->rep_count = (control & HV_HYPERCALL_REP_COMP_MASK) >>
			  HV_HYPERCALL_REP_COMP_OFFSET;
	call->rep_start = (control & HV_HYPERCALL_REP_START_MASK) >>
			  HV_HYPERCALL_REP_START_OFFSET;
	return HV_STATUS_SUCCESS;
}

/* Check the decoded call against what its code accepts */
static u16 hc_check(const struct hvsim_hc_desc *d,
		    const struct hvsim_call *call)
{
	if (d->flags & HC_REP) {
		if (!call->rep_count || call->rep_start >= call->rep_count)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if (call->rep_count || call->rep_start) {
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (call->varhead && !(d->flags & HC_VARHEAD))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (call->fast && !(d->flags & HC_FAST))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!call->input ||
	    d->in_size + (u32)call->varhead * sizeof(u64) +
	    (u32)call->rep_count * d->in_rep_size > HV_HYP_PAGE_SIZE)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if ((d->out_size || d->out_rep_size) &&
	    (!call->output ||
	     d->out_size + (u32)call->rep_count * d->out_rep_size >
	     HV_HYP_PAGE_SIZE))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

static u64 hc_result(u16 status, u16 reps_done)
{
	return status | ((u64)reps_done << HV_HYPERCALL_REP_COMP_OFFSET);
}

/**
 * hvsim_hc_known() - is @code a hypercall hvsim implements?
 * @code: call code
 * @rep: returns whether it is a rep call
 *
 * Return: true if hvsim has a handler for @code.
 */
bool hvsim_hc_known(u16 code, bool *rep)
{
	const struct hvsim_hc_desc *d = hc_find(code);

	if (d)
		*rep = d->flags & HC_REP;
	return d;
}

static u64 hypercall_irqs_off(u64 control, void *input, void *output);

/**
 * hvsim_hypercall() - execute one hypercall
 * @control: TLFS control word
 * @input: input page (fast calls: the register operands, in order)
 * @output: output page, or NULL
 *
 * Runs with interrupts disabled (it disables them itself, for callers such
 * as KUnit that do not): the root's SynIC ISR issues hypercalls in hard
 * interrupt context, so every hvsim lock must be taken with interrupts
 * off.  Never sleeps and never allocates.
 * Fault-injection rules (debugfs "inject") apply to calls that pass the
 * entry checks: an injected failure does nothing and reports the rep
 * start; a "max_reps" rule ends a rep call early with success.
 *
 * Return: the TLFS result word: status in bits 0-15, reps completed (the
 * index of the first rep not completed) in bits 32-43.
 */
u64 hvsim_hypercall(u64 control, void *input, void *output)
{
	unsigned long flags;
	u64 result;

	local_irq_save(flags);
	result = hypercall_irqs_off(control, input, output);
	local_irq_restore(flags);
	return result;
}

static u64 hypercall_irqs_off(u64 control, void *input, void *output)
{
	struct hvsim_call call = { .input = input, .output = output };
	const struct hvsim_hc_desc *d;
	unsigned int idx;
	u16 status, max_reps;

	status = hvsim_decode_control(control, &call);
	if (status)
		return hc_result(status, 0);
	d = hc_find(call.code);
	if (!d)
		return hc_result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	status = hc_check(d, &call);
	if (status)
		return hc_result(status, 0);
	call.reps_done = call.rep_start;
	status = hvsim_inject_hypercall(call.code, &max_reps);
	if (!status) {
		if (max_reps && call.rep_count - call.rep_start > max_reps)
			call.rep_count = call.rep_start + max_reps;
		status = d->handler(&call);
	}

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

	for (i = 0; i < ARRAY_SIZE(hvsim_hcalls); i++)
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

static int stale_accesses_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%llu\n", hvsim_stale_accesses());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stale_accesses);

static bool hvsim_table_sorted(void)
{
	unsigned int i;

	for (i = 1; i < ARRAY_SIZE(hvsim_hcalls); i++) {
		if (hvsim_hcalls[i - 1].code >= hvsim_hcalls[i].code)
			return false;
	}
	return true;
}

static int __init hvsim_init(void)
{
	int ret;

	if (WARN_ON(!hvsim_table_sorted()))
		return -EINVAL;
	ret = hvsim_synic_init();
	if (ret)
		return ret;
	hvsim_partitions_init();
	hvsim_debugfs = debugfs_create_dir("hvsim", NULL);
	debugfs_create_file("hypercalls", 0444, hvsim_debugfs, NULL,
			    &hypercalls_fops);
	debugfs_create_file("partitions", 0444, hvsim_debugfs, NULL,
			    &partitions_fops);
	debugfs_create_file("stale_accesses", 0444, hvsim_debugfs, NULL,
			    &stale_accesses_fops);
	hvsim_inject_init(hvsim_debugfs);
	hvsim_synic_debugfs_init(hvsim_debugfs);
	hvsim_irq_debugfs_init(hvsim_debugfs);
	hvsim_port_debugfs_init(hvsim_debugfs);
	pr_info("hvsim: Microsoft Hypervisor model loaded\n");
	return 0;
}

static void __exit hvsim_exit(void)
{
	debugfs_remove_recursive(hvsim_debugfs);
	local_irq_disable();
	hvsim_partitions_exit();
	local_irq_enable();
	hvsim_synic_exit();
}

module_init(hvsim_init);
module_exit(hvsim_exit);

MODULE_DESCRIPTION("hvsim: software model of the Microsoft Hypervisor");
MODULE_LICENSE("GPL");

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_main_test.c"
#endif
