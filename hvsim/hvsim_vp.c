// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: virtual processors: creation, registers, state pages and
 * DISPATCH_VP (root scheduler).
 *
 * hvsim keeps each VP's architectural state in struct x86_emu_state.  The
 * register page, when mapped, mirrors it: hvsim writes the page whenever a
 * dispatch returns and after SET_VP_REGISTERS, and absorbs the register
 * classes the VMM marked dirty before a dispatch and before GET/SET_VP_
 * REGISTERS.
 *
 * Differences from the real hypervisor, by design of this model:
 *  - DISPATCH_VP runs the interpreter for a bounded number of instructions
 *    (module parameter dispatch_budget) and for a bounded time (module
 *    parameter dispatch_max_us, checked every HVSIM_DISPATCH_CHECK
 *    instructions), and stops early when the CPU has to reschedule or
 *    the guest executed PAUSE (a spin-wait: the other VPs get to run, as
 *    with a processor's PAUSE-loop exiting); then
 *    it returns READY + INVALID so that the root can handle signals and
 *    reschedule; the real hypervisor honours time_slice instead (hvsim
 *    ignores it).
 *  - A dispatch runs with preemption disabled, and with interrupts
 *    disabled only while it holds a lock: every HVSIM_DISPATCH_CHECK
 *    instructions it lets go of its locks and enables interrupts for an
 *    instruction boundary (an interrupt window), when the caller had
 *    them enabled (the driver's contract for DISPATCH_VP, mshv_backend.h;
 *    other callers, KUnit among them, get no windows).  The root's
 *    interrupt handlers run in the window and may issue hypercalls on
 *    the same partition.  It holds the partition's lock for its start
 *    and end and for each instruction or event that needs partition
 *    state; the other instructions run from the CPU's software TLB under
 *    the partition's run_lock held for read, alongside the partition's
 *    other VPs, and every taker of the lock makes them wait at an
 *    instruction boundary (hvsim_partition_lock()).  debugfs "dispatch"
 *    reports the longest stretch a dispatch kept interrupts off, the
 *    windows it opened, why dispatches stopped and the most VPs of a
 *    partition seen executing at once.
 *  - CPUID, RDMSR and WRMSR are answered from hvsim's CPUID model and
 *    MSRs (hvsim_intercept.c) unless the root installed an intercept.
 *  - HLT with IF clear stops with an X64_HALT message whose RIP is the
 *    HLT itself, once: the VP stays halted at it (a dispatch answers
 *    BLOCKED) until an NMI, an injected event or INIT wakes it, or the
 *    VMM moves RIP (past the HLT, as for I/O port intercepts) or clears
 *    HALT_SUSPEND.  HLT with IF set halts the VP until an interrupt
 *    (hvsim_irq.c).
 *  - Interrupts, NMIs, INIT and SIPI arrive through hvsim_irq.c; an
 *    event the root writes to PENDING_INTERRUPTION is delivered at the
 *    next dispatch.
 */
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/msr-index.h>

#include "hvsim_model.h"
#include "hvsim_guest_hcall.h"
#include "hvsim_guest_synic.h"
#include "hvsim_intercept.h"
#include "hvsim_irq.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"
#include "hvsim_port.h"
#include "hvsim_synic.h"
#include "hvsim_time.h"
#include "hvsim_vp.h"
#include "hvsim_vp_msg.h"
#include "hvsim_vp_regs.h"
#include "hvsim_vp_state.h"

static unsigned int dispatch_budget = 5000;
module_param(dispatch_budget, uint, 0644);
MODULE_PARM_DESC(dispatch_budget,
		 "Instructions a DISPATCH_VP runs before returning to the root");

static unsigned int dispatch_max_us;
module_param(dispatch_max_us, uint, 0644);
MODULE_PARM_DESC(dispatch_max_us,
		 "Microseconds a DISPATCH_VP runs guest instructions before returning to the root (0: no limit, no reschedule check)");

/*
 * Instructions between two checks of the clock and of need_resched(), and
 * between two interrupt windows
 */
#define HVSIM_DISPATCH_CHECK	16

/**
 * struct vp_dispatch_stats - what debugfs "dispatch" reports, per CPU
 * @irqoff_max_ns: the longest stretch a DISPATCH_VP kept interrupts off
 *	(from its start, or the end of an interrupt window, to the next
 *	window or its end, waits for the partition's lock included)
 * @irqoff_total_ns: the sum of those stretches
 * @irqoff_stretches: the stretches
 * @irq_windows: the interrupt windows opened
 * @irqoff_count: the dispatches
 * @budget_stops: dispatches that stopped at dispatch_budget instructions
 * @time_stops: ... at dispatch_max_us
 * @resched_stops: ... because the CPU had to reschedule
 * @pause_stops: ... after a PAUSE
 *
 * Only the dispatch running on a CPU writes that CPU's counters, with
 * preemption disabled (nothing an interrupt window lets run dispatches),
 * so they take no lock and a running VP touches no cache line another CPU
 * writes; debugfs sums them (vp_stats_sum()).
 */
struct vp_dispatch_stats {
	u64 irqoff_max_ns;
	u64 irqoff_total_ns;
	u64 irqoff_stretches;
	u64 irq_windows;
	u64 irqoff_count;
	u64 budget_stops;
	u64 time_stops;
	u64 resched_stops;
	u64 pause_stops;
};

static DEFINE_PER_CPU(struct vp_dispatch_stats, vp_stats);

/*
 * The most VPs of one partition seen in their lock-free phase at once
 * (fast_running), updated when a VP enters that phase
 */
static atomic64_t dispatch_max_parallel = ATOMIC64_INIT(0);

/* @sum: the counters of all CPUs added up, irqoff_max_ns their maximum */
static void vp_stats_sum(struct vp_dispatch_stats *sum)
{
	const struct vp_dispatch_stats *st;
	unsigned int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		st = per_cpu_ptr(&vp_stats, cpu);
		sum->irqoff_max_ns = max(sum->irqoff_max_ns,
					 READ_ONCE(st->irqoff_max_ns));
		sum->irqoff_total_ns += READ_ONCE(st->irqoff_total_ns);
		sum->irqoff_stretches += READ_ONCE(st->irqoff_stretches);
		sum->irq_windows += READ_ONCE(st->irq_windows);
		sum->irqoff_count += READ_ONCE(st->irqoff_count);
		sum->budget_stops += READ_ONCE(st->budget_stops);
		sum->time_stops += READ_ONCE(st->time_stops);
		sum->resched_stops += READ_ONCE(st->resched_stops);
		sum->pause_stops += READ_ONCE(st->pause_stops);
	}
}

/*
 * The software TLB of the VP a CPU dispatches (struct x86_emu_tlb): a
 * dispatch runs with preemption disabled from its start to its end, and
 * nothing an interrupt window lets run on the CPU dispatches, so the
 * CPU's TLB belongs to that VP meanwhile; it starts empty at every
 * dispatch (nothing a VMM changed between two dispatches, page tables
 * included, can be missed) and follows the partition's SLAT generation.
 * Per-CPU storage allocated at module load (with its decode cache it is
 * too large for a module's static per-CPU area): hvsim allocates nothing
 * while it serves a hypercall, and the VP object has no room for it.
 */
static struct x86_emu_tlb __percpu *hvsim_vp_tlb;

static bool tlb = true;
module_param(tlb, bool, 0644);
MODULE_PARM_DESC(tlb,
		 "Run guests with the interpreter's software TLB (0: walk every access)");

/**
 * hvsim_vp_init() - allocate the per-CPU software TLBs
 *
 * Return: 0 or -ENOMEM.
 */
int hvsim_vp_init(void)
{
	hvsim_vp_tlb = alloc_percpu(struct x86_emu_tlb);
	return hvsim_vp_tlb ? 0 : -ENOMEM;
}

/**
 * hvsim_vp_exit() - free the per-CPU software TLBs; no dispatch may run
 */
void hvsim_vp_exit(void)
{
	free_percpu(hvsim_vp_tlb);
}

/**
 * hvsim_vp_destroy() - delete a VP and give its pages back to the pool
 * @vp: the VP; its partition's lock held
 */
void hvsim_vp_destroy(struct hvsim_vp *vp)
{
	struct hvsim_partition *pt = vp->partition;

	lockdep_assert_held(&pt->lock);
	hvsim_stimer_vp_destroy(vp);
	hvsim_intercepts_vp_destroy(vp);
	if (vp->reg_page)
		hvsim_pool_free(&pt->pool, vp->reg_page);
	if (vp->msg_page)
		hvsim_pool_free(&pt->pool, vp->msg_page);
	if (vp->simp)
		hvsim_pool_free(&pt->pool, vp->simp);
	if (vp->siefp)
		hvsim_pool_free(&pt->pool, vp->siefp);
	pt->vps[vp->index] = NULL;
	hvsim_pool_free(&pt->pool, vp);
}

static u16 create_vp_locked(struct hvsim_partition *pt, void *arg)
{
	const struct hv_input_create_vp *in = ((struct hvsim_call *)arg)->input;
	struct hvsim_vp *vp;

	BUILD_BUG_ON(sizeof(*vp) > HV_HYP_PAGE_SIZE);

	if (pt->vps[in->vp_index])
		return HV_STATUS_INVALID_PARAMETER;
	vp = hvsim_pool_alloc(&pt->pool);
	if (!vp)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	vp->partition = pt;
	vp->index = in->vp_index;
	x86_emu_reset(&vp->state);
	vp->explicit_suspend = true;
	/* Application processors wait for INIT/SIPI, as on a real machine */
	if (vp->index)
		vp->activity = HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND;
	hvsim_vp_regs_reset(vp);
	hvsim_vp_state_reset(vp);
	hvsim_stimer_vp_init(vp);
	pt->vps[vp->index] = vp;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_create_vp() - HVCALL_CREATE_VP
 * @call: decoded call
 *
 * The VP object comes from the partition's pool.  A new VP is in the x86
 * reset state and explicitly suspended.  VP 0 is the bootstrap processor;
 * every other VP is an application processor and, like one after power-on,
 * waits for a SIPI (INTERNAL_ACTIVITY_STATE STARTUP_SUSPEND): it does not
 * run until a SIPI (asserted by the VMM or sent by another VP) starts it,
 * or the VMM clears STARTUP_SUSPEND.  Until then a dispatch answers
 * BLOCKED, and the root's run sleeps until the VP is signalled.
 *
 * Return: HV_STATUS_INVALID_VP_INDEX for an index >= 256,
 * HV_STATUS_INVALID_PARAMETER if the VP exists, HV_STATUS_*.
 */
u16 hvsim_hc_create_vp(struct hvsim_call *call)
{
	const struct hv_input_create_vp *in = call->input;

	return hvsim_partition_call(in->partition_id, HVSIM_PT_RUNNING,
				    create_vp_locked, call);
}

static u16 delete_vp_locked(struct hvsim_vp *vp, void *arg)
{
	/* its dispatch runs on and comes back for it */
	if (vp->running)
		return HV_STATUS_INVALID_VP_STATE;
	hvsim_vp_destroy(vp);
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_delete_vp() - HVCALL_DELETE_VP
 * @call: decoded call
 *
 * Return: HV_STATUS_INVALID_VP_INDEX if there is no such VP.
 */
u16 hvsim_hc_delete_vp(struct hvsim_call *call)
{
	const struct hv_input_delete_vp *in = call->input;

	return hvsim_vp_call(in->partition_id, in->vp_index, delete_vp_locked,
			     NULL);
}

/* Delete every VP of @pt; its lock held */
static void vps_destroy(struct hvsim_partition *pt)
{
	unsigned int i;

	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		if (pt->vps[i])
			hvsim_vp_destroy(pt->vps[i]);
	}
}

/**
 * hvsim_partition_teardown() - delete what the VP layer keeps in a
 *	partition: its VPs and its intercepts
 * @pt: the partition, its lock held
 *
 * The callback of hvsim_partitions_exit() for partitions still alive at
 * module exit.
 */
void hvsim_partition_teardown(struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	vps_destroy(pt);
	hvsim_intercepts_destroy(pt);
}

/* *@arg: the SLAT entries the root left (stale) */
static u16 finalize_locked(struct hvsim_partition *pt, void *arg)
{
	u64 *stale = arg;
	unsigned int i;

	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		if (pt->vps[i] && pt->vps[i]->running)
			return HV_STATUS_INVALID_PARTITION_STATE;
	}
	vps_destroy(pt);
	/* The root removed its guest memory: what is left is stale */
	*stale = hvsim_slat_audit(&pt->slat, true);
	hvsim_slat_destroy(&pt->slat, &pt->pool);
	hvsim_intercepts_destroy(pt);
	WARN_ON(pt->pool.nr_free != pt->pool.nr_pages);
	pt->state = HVSIM_PT_FINALIZED;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_finalize_partition() - HVCALL_FINALIZE_PARTITION
 * @call: decoded call
 *
 * Deletes every VP (with its state pages) and the SLAT, so that every page
 * of the partition's pool is free and can be withdrawn.  The root removes
 * all guest memory before it finalizes a partition: a SLAT leaf still
 * present is counted as a stale entry (hvsim_slat_audit()).
 *
 * Return: HV_STATUS_INVALID_PARTITION_STATE if already finalized.
 */
u16 hvsim_hc_finalize_partition(struct hvsim_call *call)
{
	const struct hv_input_partition_id *in = call->input;
	u64 stale = 0;
	u16 status;

	status = hvsim_partition_call(in->partition_id,
				      HVSIM_PT_STATE(CREATED) |
				      HVSIM_PT_RUNNING, finalize_locked,
				      &stale);
	if (stale)
		pr_warn("hvsim: partition %#llx finalized with %llu SLAT entries left\n",
			in->partition_id, stale);
	return status;
}

static u16 get_vp_registers_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_get_vp_registers *in = call->input;
	union hv_register_value *out = call->output;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	hvsim_vp_absorb_reg_page(vp);
	for (i = call->rep_start; i < call->rep_count; i++) {
		status = hvsim_vp_get_reg(vp, in->names[i], &out[i]);
		if (status)
			break;
	}
	call->reps_done = i;
	return status;
}

/*
 * GET/SET_VP_REGISTERS of the root's own VP (HV_PARTITION_ID_SELF /
 * HV_VP_INDEX_SELF): only its SynIC registers, on the current CPU.
 */
static u16 self_registers(struct hvsim_call *call, bool set)
{
	const struct hv_input_set_vp_registers *sin = call->input;
	const struct hv_input_get_vp_registers *gin = call->input;
	union hv_register_value *out = call->output;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	if (gin->vp_index != HV_VP_INDEX_SELF)
		return HV_STATUS_INVALID_VP_INDEX;
	for (i = call->rep_start; i < call->rep_count; i++) {
		u32 name = set ? sin->elements[i].name : gin->names[i];

		if (!hvsim_synic_reg(name) ||
		    (set && (sin->elements[i].reserved1 ||
			     sin->elements[i].reserved2))) {
			status = HV_STATUS_INVALID_PARAMETER;
			break;
		}
		status = set ? hvsim_synic_set_reg(name, &sin->elements[i].value) :
			       hvsim_synic_get_reg(name, &out[i]);
		if (status)
			break;
	}
	call->reps_done = i;
	return status;
}

/**
 * hvsim_hc_get_vp_registers() - HVCALL_GET_VP_REGISTERS (rep)
 * @call: decoded call; one name per rep in, one 16-byte value per rep out
 *
 * Return: HV_STATUS_INVALID_PARAMETER for an unknown register name, with
 * the reps done before it.
 */
u16 hvsim_hc_get_vp_registers(struct hvsim_call *call)
{
	const struct hv_input_get_vp_registers *in = call->input;

	if (in->partition_id == HV_PARTITION_ID_SELF)
		return self_registers(call, false);
	return hvsim_vp_call(in->partition_id, in->vp_index,
			     get_vp_registers_locked, call);
}

static u16 set_vp_registers_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_set_vp_registers *in = call->input;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	hvsim_vp_absorb_reg_page(vp);
	for (i = call->rep_start; i < call->rep_count; i++) {
		const struct hv_register_assoc *a = &in->elements[i];

		if (a->reserved1 || a->reserved2) {
			status = HV_STATUS_INVALID_PARAMETER;
			break;
		}
		status = hvsim_vp_set_reg(vp, a->name, &a->value);
		if (status)
			break;
	}
	call->reps_done = i;
	hvsim_vp_publish_reg_page(vp);
	return status;
}

/**
 * hvsim_hc_set_vp_registers() - HVCALL_SET_VP_REGISTERS (rep)
 * @call: decoded call; one hv_register_assoc per rep
 *
 * Return: HV_STATUS_INVALID_PARAMETER for an unknown register name, a
 * value hvsim refuses, or non-zero reserved fields, with the reps done
 * before it.
 */
u16 hvsim_hc_set_vp_registers(struct hvsim_call *call)
{
	const struct hv_input_set_vp_registers *in = call->input;

	if (in->partition_id == HV_PARTITION_ID_SELF)
		return self_registers(call, true);
	return hvsim_vp_call(in->partition_id, in->vp_index,
			     set_vp_registers_locked, call);
}

static u16 map_vp_state_page_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_map_vp_state_page *in = call->input;
	struct hv_output_map_vp_state_page *out = call->output;
	void **slot, *page;

	if (in->type == HV_VP_STATE_PAGE_REGISTERS)
		slot = (void **)&vp->reg_page;
	else
		slot = (void **)&vp->msg_page;
	page = *slot;
	if (!page) {
		page = hvsim_pool_alloc(&vp->partition->pool);
		if (!page)
			return HV_STATUS_INSUFFICIENT_MEMORY;
		*slot = page;
		if (in->type == HV_VP_STATE_PAGE_REGISTERS)
			hvsim_vp_publish_reg_page(vp);
		else
			memcpy(page, &vp->msg, sizeof(vp->msg));
	}
	out->map_location = PHYS_PFN(virt_to_phys(page));
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_map_vp_state_page() - HVCALL_MAP_VP_STATE_PAGE
 * @call: decoded call
 *
 * REGISTERS and INTERCEPT_MESSAGE pages come from the partition's pool;
 * mapping an already mapped page returns the same PFN.  hvsim does not
 * accept VMM-provided locations (it does not report
 * vmm_can_provide_overlay_gpfn) and has no GHCB (no SNP).
 *
 * Return: HV_STATUS_*; the page's PFN is written to the output page.
 */
u16 hvsim_hc_map_vp_state_page(struct hvsim_call *call)
{
	const struct hv_input_map_vp_state_page *in = call->input;

	return hvsim_vp_call(in->partition_id, in->vp_index,
			     map_vp_state_page_locked, call);
}

static u16 unmap_vp_state_page_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_unmap_vp_state_page *in = call->input;
	struct hvsim_partition *pt = vp->partition;

	if (in->type == HV_VP_STATE_PAGE_REGISTERS && vp->reg_page) {
		hvsim_vp_absorb_reg_page(vp);
		hvsim_pool_free(&pt->pool, vp->reg_page);
		vp->reg_page = NULL;
	} else if (in->type == HV_VP_STATE_PAGE_INTERCEPT_MESSAGE &&
		   vp->msg_page) {
		hvsim_pool_free(&pt->pool, vp->msg_page);
		vp->msg_page = NULL;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_unmap_vp_state_page() - HVCALL_UNMAP_VP_STATE_PAGE
 * @call: decoded call
 *
 * The page goes back to the partition's pool.  Unmapping a page that is
 * not mapped (including GHCB) succeeds, so that teardown never fails.
 *
 * Return: HV_STATUS_*.
 */
u16 hvsim_hc_unmap_vp_state_page(struct hvsim_call *call)
{
	const struct hv_input_unmap_vp_state_page *in = call->input;

	return hvsim_vp_call(in->partition_id, in->vp_index,
			     unmap_vp_state_page_locked, call);
}

/*
 * x86_emu_mem_ops.access: guest-physical access through the SLAT, but for
 * the VP's enabled SynIC overlay pages (hvsim_guest_synic.c).  Only
 * host pages that are mapped with the needed permission, are ordinary
 * RAM (a struct page, not reserved) and are still allocated, or
 * registered device memory, are ever touched (hvsim_gpa_copy()).
 */
static int vp_mem_access(void *ctx, u64 gpa, void *buf, unsigned int len,
			 enum x86_emu_access access, bool commit)
{
	struct hvsim_vp *vp = ctx;
	unsigned int offset = gpa & (HV_HYP_PAGE_SIZE - 1);

	if (!len || len > HV_GPA_ACCESS_MAX_BYTES ||
	    offset + len > HV_HYP_PAGE_SIZE)
		return -EINVAL;
	if (hvsim_synic_overlay_access(vp, gpa, buf, len, access, commit))
		return 0;
	switch (hvsim_gpa_copy(vp->partition, gpa, buf, len, access, commit)) {
	case HVSIM_GPA_OK:
		return 0;
	case HVSIM_GPA_DENIED:
		return -EACCES;
	default:
		return -ENOENT;
	}
}

/*
 * x86_emu_mem_ops.map: the host page a VP's TLB may use directly for
 * guest page @gpa: ordinary RAM the SLAT maps (hvsim_gpa_map()), not
 * behind one of the VP's overlay pages.
 */
static void *vp_mem_map(void *ctx, u64 gpa, u32 *rights)
{
	struct hvsim_vp *vp = ctx;
	u32 perms;
	void *va;
	u8 probe;

	if (hvsim_synic_overlay_access(vp, gpa, &probe, 1, X86_EMU_ACCESS_READ,
				       false))
		return NULL;
	va = hvsim_gpa_map(vp->partition, gpa >> HV_HYP_PAGE_SHIFT, &perms);
	if (!va)
		return NULL;
	*rights = (perms & HV_MAP_GPA_READABLE ? X86_EMU_TLB_READ : 0) |
		  (perms & HV_MAP_GPA_WRITABLE ? X86_EMU_TLB_WRITE : 0) |
		  (perms & HV_MAP_GPA_EXECUTABLE ? X86_EMU_TLB_EXEC : 0);
	return va;
}

/* x86_emu_mem_ops.tsc: the VP's TSC (hvsim_time.c) and TSC_AUX */
static u64 vp_tsc(void *ctx, u32 *tsc_aux)
{
	struct hvsim_vp *vp = ctx;

	*tsc_aux = vp->msrs[HVSIM_MSR_TSC_AUX];
	return hvsim_time_tsc(vp);
}

/* Guest memory as a VP sees it; the context is the struct hvsim_vp */
const struct x86_emu_mem_ops hvsim_vp_mem_ops = {
	.access = vp_mem_access,
	.map = vp_mem_map,
	.tsc = vp_tsc,
};

/*
 * x86_emu_mem_ops.access without the partition's lock: refused, so that
 * the instruction stops having changed nothing and runs again under the
 * lock (vp_run()).  Only the TLB's host pages are used without it.
 */
static int vp_mem_access_unlocked(void *ctx, u64 gpa, void *buf,
				  unsigned int len, enum x86_emu_access access,
				  bool commit)
{
	return -EAGAIN;
}

static void *vp_mem_map_unlocked(void *ctx, u64 gpa, u32 *rights)
{
	return NULL;
}

/*
 * Guest memory for a VP executing with its partition's run_lock held for
 * read: TLB hits only.  No TSC either: RDTSC and RDTSCP stop and run
 * again under the lock, which the partition clock needs.
 */
static const struct x86_emu_mem_ops vp_mem_ops_unlocked = {
	.access = vp_mem_access_unlocked,
	.map = vp_mem_map_unlocked,
};

/*
 * One line of the debugfs "vps" file; the VP's partition's lock held.
 * Where the VP is in the guest (CS, RIP, RFLAGS, CR0, EFER), what keeps
 * it from running (activity, the explicit, intercept and dispatch
 * suspend registers), its first eight general registers, the up to 16
 * bytes at CS:RIP (through the guest's page tables when paging is on),
 * the instructions it retired, the interpreter's stops and the last
 * one's reason, and the bytes of an instruction that made it
 * unrecoverable: enough to tell what a guest that makes no progress
 * executes, and whether it still changes.
 */
static void vp_show(struct seq_file *m, struct hvsim_vp *vp)
{
	const struct x86_emu_state *s = &vp->state;
	u64 lin = s->seg[X86_CS].base + s->rip;
	u64 gpa = lin;
	u8 code[16];
	unsigned int n;

	lockdep_assert_held(&vp->partition->lock);
	seq_printf(m, "partition=0x%llx vp=%u cs=%04x rip=0x%llx rflags=0x%llx cr0=0x%llx efer=0x%llx activity=0x%llx suspend=%d%d%d",
		   vp->partition->id, vp->index, s->seg[X86_CS].selector,
		   s->rip, s->rflags, s->cr0, s->efer, vp->activity,
		   vp->explicit_suspend, vp->intercept_suspend,
		   vp->dispatch_suspend);
	seq_printf(m, " rax=0x%llx rcx=0x%llx rdx=0x%llx rbx=0x%llx rsp=0x%llx rbp=0x%llx rsi=0x%llx rdi=0x%llx",
		   s->gpr[X86_RAX], s->gpr[X86_RCX], s->gpr[X86_RDX],
		   s->gpr[X86_RBX], s->gpr[X86_RSP], s->gpr[X86_RBP],
		   s->gpr[X86_RSI], s->gpr[X86_RDI]);
	seq_printf(m, " retired=%llu stops=%llu last_stop=%u",
		   vp->retired, vp->stops, vp->last_stop);
	if (vp->fatal_reason != X86_EXIT_NONE)
		seq_printf(m, " fatal=%u fatal_code=%*phN", vp->fatal_reason,
			   vp->fatal_len, vp->fatal_code);
	if ((s->cr0 & HV_X86_CR0_PG) &&
	    x86_emu_translate(s, &hvsim_vp_mem_ops, vp, lin,
			      X86_EMU_ACCESS_EXECUTE, false, &gpa))
		goto out;
	n = min_t(u64, sizeof(code),
		  HV_HYP_PAGE_SIZE - (gpa & (HV_HYP_PAGE_SIZE - 1)));
	if (!vp_mem_access(vp, gpa, code, n, X86_EMU_ACCESS_READ, true))
		seq_printf(m, " code=%*phN", n, code);
out:
	seq_putc(m, '\n');
}

static void partition_vps_show(struct hvsim_partition *pt, void *m)
{
	unsigned int i;

	for (i = 0; i < HVSIM_MAX_VPS; i++)
		if (pt->vps[i])
			vp_show(m, pt->vps[i]);
}

/**
 * hvsim_vps_show() - the debugfs "vps" file
 * @m: the seq_file
 *
 * One line per VP of every live partition, partitions in creation order,
 * VPs by index.  Interrupts disabled.
 */
void hvsim_vps_show(struct seq_file *m)
{
	hvsim_partitions_for_each(partition_vps_show, m);
}

static void vp_io_msg(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	struct hv_x64_io_port_intercept_message *m = (void *)vp->msg.u.payload;
	const struct x86_emu_state *s = &vp->state;
	u8 count = min_t(u8, exit->insn_byte_count, sizeof(m->instruction_bytes));

	BUILD_BUG_ON(sizeof(*m) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	hvsim_vp_msg_header(vp, &m->header, exit, exit->io.write ?
		      HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ);
	m->port_number = exit->io.port;
	m->access_info = (exit->io.size & HV_X64_IO_ACCESS_SIZE_MASK) |
			 (exit->io.string ? HV_X64_IO_ACCESS_STRING_OP : 0) |
			 (exit->io.rep ? HV_X64_IO_ACCESS_REP_PREFIX : 0);
	m->instruction_byte_count = count;
	m->reserved = 0;
	m->rax = s->gpr[X86_RAX];
	memcpy(m->instruction_bytes, exit->insn_bytes, count);
	m->ds_segment = s->seg[X86_DS];
	m->es_segment = s->seg[X86_ES];
	m->rcx = s->gpr[X86_RCX];
	m->rsi = s->gpr[X86_RSI];
	m->rdi = s->gpr[X86_RDI];
	hvsim_vp_post_msg(vp, HVMSG_X64_IO_PORT_INTERCEPT, sizeof(*m));
}

static void vp_mem_msg(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	struct hv_x64_memory_intercept_message *m = (void *)vp->msg.u.payload;
	u8 count = min_t(u8, exit->insn_byte_count, sizeof(m->instruction_bytes));
	struct hvsim_partition *pt = vp->partition;
	u32 type = HVMSG_GPA_INTERCEPT;
	struct page *page;

	BUILD_BUG_ON(sizeof(*m) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	/* A freed page behind the entry is refused as if it were unmapped */
	switch (hvsim_gpa_page(pt, exit->mem.gpa >> HV_HYP_PAGE_SHIFT,
			       exit->mem.access, &page)) {
	case HVSIM_GPA_STALE:
		hvsim_note_stale(pt, exit->mem.gpa);
		fallthrough;
	case HVSIM_GPA_UNMAPPED:
		type = HVMSG_UNMAPPED_GPA;
		break;
	default:
		break;
	}
	pt->gpa_faults++;
	hvsim_vp_msg_header(vp, &m->header, exit, exit->mem.access);
	m->cache_type = HV_CACHE_TYPE_X64_WB;
	m->instruction_byte_count = count;
	m->memory_access_info = exit->mem.gva_valid ?
				(HV_X64_MEMORY_ACCESS_GVA_VALID |
				 HV_X64_MEMORY_ACCESS_GVA_GPA_VALID) : 0;
	m->tpr_priority = 0;
	m->reserved1 = 0;
	m->guest_virtual_address = exit->mem.gva_valid ? exit->mem.gva : 0;
	m->guest_physical_address = exit->mem.gpa;
	memcpy(m->instruction_bytes, exit->insn_bytes, count);
	hvsim_vp_post_msg(vp, type, sizeof(*m));
}

/* Messages that carry only the common header (HALT, unrecoverable) */
static void vp_header_msg(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
			  u32 type)
{
	struct hv_x64_halt_message *m = (void *)vp->msg.u.payload;

	hvsim_vp_msg_header(vp, &m->header, exit, HV_INTERCEPT_ACCESS_READ);
	hvsim_vp_post_msg(vp, type, sizeof(*m));
}

/* Retire an instruction hvsim completed itself (CPUID, RDMSR, WRMSR) */
static void vp_retire(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	vp->state.rip += exit->insn_len;
	vp->state.interrupt_shadow = 0;
}

/*
 * A guest exception @ev of the instruction (or delivery) that stopped with
 * @exit.  An EXCEPTION intercept for its vector takes precedence: the VP
 * stops with X64_EXCEPTION_INTERCEPT (header access type @access, also
 * for the exceptions its delivery raises) and the
 * exception is not delivered; the instruction runs again when the VP is
 * resumed.  Otherwise it is delivered through the IVT / IDT; a fault while
 * delivering is treated the same way, as x86_emu_deliver_event() combined
 * it (#DF), until it is delivered, intercepted, stops on a SLAT miss
 * (memory intercept; nothing changed, so the instruction faults again and
 * the delivery is retried when the VP resumes) or ends in a triple fault
 * or an unmodelled case (UNRECOVERABLE_EXCEPTION).  Returns true when a
 * message was posted.
 */
static bool vp_exception(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
			 const struct x86_emu_event *ev, u8 access)
{
	struct x86_emu_event cur = *ev;
	struct x86_emu_exit x;
	unsigned int n;
	u8 size;

	lockdep_assert_held(&vp->partition->lock);
	x.reason = X86_EXIT_UNSUPPORTED;
	/* at most: benign, contributory, #PF, #DF */
	for (n = 0; n < 4; n++) {
		if (hvsim_exception_intercept(vp, exit, &cur, &size)) {
			hvsim_vp_post_intercept(vp, exit,
						HVMSG_X64_EXCEPTION_INTERCEPT,
						access, size);
			return true;
		}
		if (x86_emu_deliver_event(&vp->state, &hvsim_vp_mem_ops, vp,
					  &cur, &x))
			return false;
		if (x.reason != X86_EXIT_EXCEPTION)
			break;
		cur = x.exc;
	}
	if (x.reason == X86_EXIT_MEMORY) {
		vp_mem_msg(vp, &x);
		return true;
	}
	hvsim_vp_post_intercept(vp, exit, HVMSG_UNRECOVERABLE_EXCEPTION, access,
				sizeof(struct hv_x64_halt_message));
	return true;
}

/* The intercept access type of an exception the interpreter raised */
static u8 vp_exception_access(const struct x86_emu_event *ev)
{
	if (ev->vector != X86_EMU_VEC_PF || ev->type != X86_EVENT_EXCEPTION)
		return HV_INTERCEPT_ACCESS_READ;
	if (ev->error_code & X86_EMU_PF_I)
		return HV_INTERCEPT_ACCESS_EXECUTE;
	return ev->error_code & X86_EMU_PF_W ? HV_INTERCEPT_ACCESS_WRITE :
	       HV_INTERCEPT_ACCESS_READ;
}

/*
 * VMCALL / VMMCALL (hvsim_guest_hcall.c): retired with its result, a #UD,
 * or the memory intercept of an input page the VP may not read (the
 * VMCALL runs again once the root has mapped it).
 */
static bool vp_hypercall(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	static const struct x86_emu_event ud = {
		.type = X86_EVENT_EXCEPTION,
		.vector = X86_EMU_VEC_UD,
	};
	struct x86_emu_exit mem;

	switch (hvsim_guest_hcall(vp, exit, &mem)) {
	case HVSIM_GHC_DONE:
		return false;
	case HVSIM_GHC_MEMORY:
		vp_mem_msg(vp, &mem);
		return true;
	default:
		return vp_exception(vp, exit, &ud, HV_INTERCEPT_ACCESS_READ);
	}
}

/*
 * Complete an APIC access hvsim_irq.c consumed: a LAPIC timer write that
 * moved the expiration takes what is due and re-arms the hrtimer.
 * Returns true when the access stopped the VP.
 */
static bool vp_apic_done(struct hvsim_vp *vp)
{
	if (hvsim_lapic_timer_rearm_due(vp))
		hvsim_stimer_poll(vp);
	return hvsim_apic_stopped(vp);
}

/*
 * Handle a stop of the interpreter.  Returns true when an intercept
 * message was posted (the dispatch ends), false when hvsim completed the
 * instruction itself (or delivered the exception it raised) and the VP
 * keeps running.
 */
static bool vp_handle_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	/* #GP(0); real mode pushes no error code */
	const struct x86_emu_event gp = {
		.type = X86_EVENT_EXCEPTION,
		.vector = X86_EMU_VEC_GP,
		.error_code_valid = !!(vp->state.cr0 & HV_X86_CR0_PE),
	};
	u8 access, size;
	u32 type;

	memset(&vp->msg, 0, sizeof(vp->msg));
	switch (exit->reason) {
	case X86_EXIT_IO:
		vp_io_msg(vp, exit);
		return true;
	case X86_EXIT_HLT:
		/* a timer due now keeps the VP from halting */
		hvsim_stimer_poll(vp);
		if (hvsim_irq_hlt(vp, exit))
			return hvsim_irq_halted(vp);
		vp_header_msg(vp, exit, HVMSG_X64_HALT);
		return true;
	case X86_EXIT_MEMORY:
		if (hvsim_apic_mmio(vp, exit))
			return vp_apic_done(vp);
		if (hvsim_port_doorbell(vp, exit))
			return false;
		vp_mem_msg(vp, exit);
		return true;
	case X86_EXIT_CPUID:
		type = hvsim_cpuid_exit(vp, exit, &access, &size);
		if (type == HVMSG_NONE) {
			vp_retire(vp, exit);
			return false;
		}
		hvsim_vp_post_intercept(vp, exit, type, access, size);
		return true;
	case X86_EXIT_MSR:
		/* APIC and synthetic MSRs: hvsim_irq.c */
		if (hvsim_apic_msr(vp, exit))
			return vp_apic_done(vp);
		type = hvsim_msr_exit(vp, exit, &access, &size);
		if (type == HVMSG_NONE) {
			vp_retire(vp, exit);
			return false;
		}
		if (type == HVSIM_MSR_FAULT)
			return vp_exception(vp, exit, &gp, access);
		hvsim_vp_post_intercept(vp, exit, type, access, size);
		return true;
	case X86_EXIT_EXCEPTION:
		return vp_exception(vp, exit, &exit->exc,
				    vp_exception_access(&exit->exc));
	case X86_EXIT_HYPERCALL:
		return vp_hypercall(vp, exit);
	case X86_EXIT_NONE:
	case X86_EXIT_UNSUPPORTED:
	case X86_EXIT_TRIPLE_FAULT:
	default:
		vp->fatal_reason = exit->reason;
		vp->fatal_len = min_t(u8, exit->insn_byte_count,
				      sizeof(vp->fatal_code));
		memcpy(vp->fatal_code, exit->insn_bytes, vp->fatal_len);
		vp_header_msg(vp, exit, HVMSG_UNRECOVERABLE_EXCEPTION);
		return true;
	}
}

/*
 * Deliver the event the VMM injected through PENDING_INTERRUPTION, whatever
 * RFLAGS.IF and the interrupt shadow say, and clear the register.  A fault
 * while delivering it replaces it (the register is cleared, the exception
 * in @exit is handled like an instruction's); a SLAT miss keeps it pending.
 */
static enum hvsim_irq_result vp_inject_pending(struct hvsim_vp *vp,
					       struct x86_emu_exit *exit)
{
	u64 pi = vp->pending_interruption;
	struct x86_emu_event ev = {
		.type = X86_EVENT_EXCEPTION,
		.vector = (pi & HV_X64_PENDING_INTERRUPTION_VECTOR_MASK) >>
			  HV_X64_PENDING_INTERRUPTION_VECTOR_SHIFT,
		.error_code_valid =
			!!(pi & HV_X64_PENDING_INTERRUPTION_DELIVER_ERROR_CODE),
		.error_code = pi >> HV_X64_PENDING_INTERRUPTION_ERROR_CODE_SHIFT,
	};

	lockdep_assert_held(&vp->partition->lock);
	switch ((pi & HV_X64_PENDING_INTERRUPTION_TYPE_MASK) >>
		HV_X64_PENDING_INTERRUPTION_TYPE_SHIFT) {
	case HV_X64_PENDING_INTERRUPT:
		ev.type = X86_EVENT_EXTINT;
		break;
	case HV_X64_PENDING_NMI:
		ev.type = X86_EVENT_NMI;
		break;
	default:
		break;
	}
	if (x86_emu_deliver_event(&vp->state, &hvsim_vp_mem_ops, vp, &ev,
				  exit)) {
		vp->pending_interruption = 0;
		return HVSIM_IRQ_DELIVERED;
	}
	if (exit->reason == X86_EXIT_EXCEPTION)
		vp->pending_interruption = 0;
	return HVSIM_IRQ_EXIT;
}

/**
 * struct vp_dispatch - one DISPATCH_VP in progress
 * @call: the call
 * @budget: dispatch_budget when it started
 * @start: when it started running the VP (ktime_get_mono_fast_ns())
 * @max_ns: dispatch_max_us in nanoseconds (0: no time bound)
 * @irqoff_start: when interrupts went off last: the call's start or the
 *	end of the last interrupt window
 * @window_n: the instruction boundary of the last interrupt window
 */
struct vp_dispatch {
	const struct hvsim_call *call;
	unsigned int budget;
	u64 start;
	u64 max_ns;
	u64 irqoff_start;
	unsigned int window_n;
};

/* Account one stretch of @ns with interrupts off; preemption disabled */
static void vp_note_irqoff(u64 ns)
{
	this_cpu_add(vp_stats.irqoff_total_ns, ns);
	this_cpu_inc(vp_stats.irqoff_stretches);
	if (ns > __this_cpu_read(vp_stats.irqoff_max_ns))
		__this_cpu_write(vp_stats.irqoff_max_ns, ns);
}

/*
 * Dispatch @d opens an interrupt window at instruction boundary @n: every
 * HVSIM_DISPATCH_CHECK instructions, once per boundary, when its caller
 * had interrupts enabled.
 */
static bool vp_window_due(const struct vp_dispatch *d, unsigned int n)
{
	return d->call->irq_windows && n && !(n % HVSIM_DISPATCH_CHECK) &&
	       n != d->window_n;
}

/*
 * The interrupt window of dispatch @d at boundary @n, holding none of
 * @vp's partition's locks: the root's interrupts pending on this CPU are
 * taken here, and their handlers may issue hypercalls on the partition.
 * Preemption stays disabled, so nothing else dispatches on this CPU and
 * its TLB stays @vp's.
 */
static void vp_irq_window(struct hvsim_vp *vp, struct vp_dispatch *d,
			  unsigned int n)
{
	lockdep_assert_irqs_disabled();
	lockdep_assert_not_held(&vp->partition->lock);
	vp_note_irqoff(ktime_get_mono_fast_ns() - d->irqoff_start);
	d->window_n = n;
	local_irq_enable();
	/*
	 * At least one instruction with interrupts enabled: STI holds them
	 * off for the instruction after it
	 */
	this_cpu_inc(vp_stats.irq_windows);
	local_irq_disable();
	d->irqoff_start = ktime_get_mono_fast_ns();
}

/*
 * A dispatch that ran @n instructions since @start stops here: the CPU
 * has to reschedule, or it ran for dispatch_max_us (@max_ns; 0: neither
 * is checked).  The time is the clocksource's (ktime_get_mono_fast_ns(),
 * usable with interrupts off): local_clock() may advance only with the
 * tick when the TSC is not used, and the tick does not come while the
 * dispatch runs.
 */
static bool vp_run_must_stop(unsigned int n, u64 start, u64 max_ns)
{
	if (!max_ns || !n || n % HVSIM_DISPATCH_CHECK)
		return false;
	if (need_resched()) {
		this_cpu_inc(vp_stats.resched_stops);
		return true;
	}
	if (ktime_get_mono_fast_ns() - start >= max_ns) {
		this_cpu_inc(vp_stats.time_stops);
		return true;
	}
	return false;
}

/* Record that @n VPs of a partition executed at once */
static void vp_note_parallel(int n)
{
	s64 max = atomic64_read(&dispatch_max_parallel);

	while (n > max &&
	       !atomic64_try_cmpxchg(&dispatch_max_parallel, &max, n))
		;
}

/*
 * Leave the partition's lock for its run_lock held for read: the VP
 * executes alongside the other VPs of the partition, and whoever takes
 * the lock waits until it lets go at an instruction boundary.
 */
static void vp_unlock_to_read(struct hvsim_vp *vp)
	__releases(&vp->partition->lock)
{
	struct hvsim_partition *pt = vp->partition;

	hvsim_partition_unlock(pt);
	read_lock(&pt->run_lock);
	vp_note_parallel(atomic_inc_return(&pt->fast_running));
}

/* Back from vp_unlock_to_read(): the partition's lock held */
static void vp_read_to_lock(struct hvsim_vp *vp)
	__acquires(&vp->partition->lock)
{
	struct hvsim_partition *pt = vp->partition;

	atomic_dec(&pt->fast_running);
	read_unlock(&pt->run_lock);
	hvsim_partition_lock(pt);
}

/*
 * At instruction boundary @n of dispatch @d, with the run_lock held for
 * read: let go of it for the interrupt window, if one is due, or for a
 * waiting taker of the partition's lock, and take it back.  Neither
 * touches a cache line another CPU writes unless it lets go.
 */
static void vp_read_boundary(struct hvsim_vp *vp, struct vp_dispatch *d,
			     unsigned int n)
	__must_hold(&vp->partition->run_lock)
{
	struct hvsim_partition *pt = vp->partition;
	bool window = vp_window_due(d, n);

	if (!window && !atomic_read(&pt->lock_waiters))
		return;
	read_unlock(&pt->run_lock);
	if (window)
		vp_irq_window(vp, d, n);
	read_lock(&pt->run_lock);
}

/*
 * Run instructions of @vp with its partition's run_lock held for read,
 * from @*n on, while they retire from the TLB's host pages and nothing
 * needs the lock: no event to deliver, no activity state, no locked
 * read-modify-write.  Returns with the partition's lock held again, true
 * when a bound of dispatch @d (vp_run()) or a PAUSE ends the dispatch;
 * false when the next instruction runs under the lock (the one it
 * stopped at changed nothing).
 */
static bool vp_run_unlocked(struct hvsim_vp *vp, struct x86_emu_tlb *tlb,
			    unsigned int *n, struct vp_dispatch *d)
	__must_hold(&vp->partition->lock)
{
	struct x86_emu_exit exit;
	bool bound = false;

	tlb->serialize_rmw = true;
	vp_unlock_to_read(vp);
	for (;; ++*n) {
		if (*n == d->budget) {
			this_cpu_inc(vp_stats.budget_stops);
			bound = true;
			break;
		}
		if (vp_run_must_stop(*n, d->start, d->max_ns)) {
			bound = true;
			break;
		}
		vp_read_boundary(vp, d, *n);
		if (hvsim_irq_attention(vp) ||
		    !x86_emu_step_tlb(&vp->state, &vp_mem_ops_unlocked, vp,
				      tlb, &exit))
			break;
		vp->retired++;
		if (exit.pause) {
			/* a spin-wait: let the VP that holds the lock run */
			this_cpu_inc(vp_stats.pause_stops);
			++*n;
			bound = true;
			break;
		}
	}
	vp_read_to_lock(vp);
	tlb->serialize_rmw = false;
	return bound;
}

/*
 * At instruction boundary @n with the partition's lock held: the
 * interrupt window of dispatch @d, without the lock.
 */
static void vp_locked_window(struct hvsim_vp *vp, struct vp_dispatch *d,
			     unsigned int n)
	__must_hold(&vp->partition->lock)
{
	hvsim_partition_unlock(vp->partition);
	vp_irq_window(vp, d, n);
	hvsim_partition_lock(vp->partition);
}

/* Run a VP for dispatch @d; partition lock held */
static void vp_run(struct hvsim_vp *vp, struct vp_dispatch *d, u32 flags,
		   struct hv_output_dispatch_vp *out)
	__must_hold(&vp->partition->lock)
{
	struct x86_emu_tlb *vp_tlb = NULL;
	struct x86_emu_exit exit;
	unsigned int n;

	lockdep_assert_held(&vp->partition->lock);
	d->budget = max(READ_ONCE(dispatch_budget), 1U);
	d->max_ns = (u64)READ_ONCE(dispatch_max_us) * NSEC_PER_USEC;
	d->start = ktime_get_mono_fast_ns();
	if (READ_ONCE(tlb)) {
		vp_tlb = this_cpu_ptr(hvsim_vp_tlb);
		x86_emu_tlb_reset(vp_tlb, &vp->partition->slat.gen);
	}
	hvsim_vp_absorb_reg_page(vp);
	/* the partition clock starts; timer expirations due are taken */
	hvsim_time_start(vp->partition);
	hvsim_stimer_poll(vp);
	out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
	out->dispatch_event = HV_VP_DISPATCH_EVENT_SUSPEND;
	if (flags & HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND)
		vp->intercept_suspend = false;
	if (vp->explicit_suspend || vp->dispatch_suspend ||
	    vp->intercept_suspend)
		goto out_publish;

	if (flags & HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION)
		hvsim_irq_scan(vp);
	out->dispatch_event = HV_VP_DISPATCH_EVENT_INVALID;
	if (hvsim_irq_halted(vp))
		goto out_publish;	/* BLOCKED: nothing deliverable */

	out->dispatch_state = HV_VP_DISPATCH_STATE_READY;
	vp->running = true;
	for (n = 0; ; n++) {
		enum hvsim_irq_result res;

		/*
		 * Without the lock while the instructions allow; the one
		 * that stopped that runs under it
		 */
		if (vp_tlb && vp_run_unlocked(vp, vp_tlb, &n, d))
			break;
		if (n == d->budget) {
			this_cpu_inc(vp_stats.budget_stops);
			break;
		}
		if (vp_run_must_stop(n, d->start, d->max_ns))
			break;
		if (vp_window_due(d, n))
			vp_locked_window(vp, d, n);
		/* halted or INIT by another VP: the next dispatch decides */
		if (vp->activity & HVSIM_RUN_ACTIVITY)
			break;
		/* Events are taken at an instruction boundary */
		if (vp->pending_interruption & HV_X64_PENDING_INTERRUPTION_PENDING)
			res = vp_inject_pending(vp, &exit);
		else
			res = hvsim_irq_inject(vp, &hvsim_vp_mem_ops, &exit);
		switch (res) {
		case HVSIM_IRQ_DELIVERED:
			continue;
		case HVSIM_IRQ_EXIT:
			break;
		case HVSIM_IRQ_NONE:
			if (x86_emu_step_tlb(&vp->state, &hvsim_vp_mem_ops, vp,
					     vp_tlb, &exit)) {
				vp->retired++;
				if (!exit.pause)
					continue;
				this_cpu_inc(vp_stats.pause_stops);
				goto out_poll;
			}
			break;
		}
		vp->stops++;
		vp->last_stop = exit.reason;
		if (vp_handle_exit(vp, &exit)) {
			if (vp->intercept_suspend)
				out->dispatch_event =
					HV_VP_DISPATCH_EVENT_INTERCEPT;
			else if (hvsim_irq_halted(vp))
				out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
			else
				out->dispatch_state = HV_VP_DISPATCH_STATE_READY;
			break;
		}
	}
out_poll:
	vp->running = false;
	/* what expired meanwhile is in the VP's state when the VMM looks */
	hvsim_stimer_poll(vp);
out_publish:
	hvsim_vp_publish_reg_page(vp);
}

static u16 dispatch_vp_locked(struct hvsim_partition *pt, void *arg)
	__must_hold(&pt->lock)
{
	struct vp_dispatch *d = arg;
	const struct hv_input_dispatch_vp *in = d->call->input;
	struct hv_output_dispatch_vp *out = d->call->output;
	struct hv_output_dispatch_vp result;
	struct hvsim_vp *vp = hvsim_vp_find(pt, in->vp_index);

	if (!vp)
		return HV_STATUS_INVALID_VP_INDEX;
	/* dispatched on another CPU and executing without the lock */
	if (vp->running)
		return HV_STATUS_INVALID_VP_STATE;
	pt->dispatches++;
	vp_run(vp, d, in->flags, &result);
	*out = result;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_dispatch_vp() - HVCALL_DISPATCH_VP (root scheduler)
 * @call: decoded call
 *
 * CLEAR_INTERCEPT_SUSPEND clears INTERCEPT_SUSPEND first, whatever else
 * holds the VP.  BLOCKED + SUSPEND while the VP is explicitly, dispatch- or
 * still intercept-suspended.  BLOCKED + INVALID while it is halted (HLT)
 * and nothing can wake it, or waits for a SIPI (INTERNAL_ACTIVITY_STATE
 * STARTUP_SUSPEND).  Otherwise the VP runs, taking deliverable interrupts at
 * instruction boundaries, until an intercept (READY + INTERCEPT, message
 * on the intercept page), a halt (BLOCKED + INVALID), a PAUSE or until
 * dispatch_budget instructions ran (READY + INVALID).  With
 * SCAN_INTERRUPT_INJECTION the register page's interrupt_vectors are taken
 * first.  With @call->irq_windows the VP runs with interrupts enabled
 * at every HVSIM_DISPATCH_CHECK-th instruction boundary, where the
 * dispatch holds no lock.
 *
 * Context: interrupts and preemption disabled (hvsim_hypercall()).
 * Return: HV_STATUS_*.
 */
u16 hvsim_hc_dispatch_vp(struct hvsim_call *call)
{
	const struct hv_input_dispatch_vp *in = call->input;
	struct vp_dispatch d = {
		.call = call,
		.irqoff_start = ktime_get_mono_fast_ns(),
	};
	u16 status;

	status = hvsim_partition_call(in->partition_id, HVSIM_PT_RUNNING,
				      dispatch_vp_locked, &d);
	vp_note_irqoff(ktime_get_mono_fast_ns() - d.irqoff_start);
	this_cpu_inc(vp_stats.irqoff_count);
	return status;
}

static int dispatch_show(struct seq_file *m, void *unused)
{
	struct vp_dispatch_stats st;

	vp_stats_sum(&st);
	seq_printf(m, "irqoff_max_ns=%llu irqoff_total_ns=%llu irqoff_stretches=%llu irq_windows=%llu irqoff_dispatches=%llu budget_stops=%llu time_stops=%llu resched_stops=%llu pause_stops=%llu max_parallel=%lld\n",
		   st.irqoff_max_ns, st.irqoff_total_ns, st.irqoff_stretches,
		   st.irq_windows, st.irqoff_count, st.budget_stops,
		   st.time_stops, st.resched_stops, st.pause_stops,
		   atomic64_read(&dispatch_max_parallel));
	return 0;
}

static int dispatch_open(struct inode *inode, struct file *file)
{
	return single_open(file, dispatch_show, inode->i_private);
}

/*
 * Any write starts a new measurement of the interrupts-off times and the
 * parallelism (the stop counters go on); a dispatch running meanwhile may
 * keep part of what it counted before the write
 */
static ssize_t dispatch_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct vp_dispatch_stats *st;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		st = per_cpu_ptr(&vp_stats, cpu);
		WRITE_ONCE(st->irqoff_max_ns, 0);
		WRITE_ONCE(st->irqoff_total_ns, 0);
		WRITE_ONCE(st->irqoff_stretches, 0);
		WRITE_ONCE(st->irq_windows, 0);
		WRITE_ONCE(st->irqoff_count, 0);
	}
	atomic64_set(&dispatch_max_parallel, 0);
	return len;
}

static const struct file_operations dispatch_fops = {
	.owner = THIS_MODULE,
	.open = dispatch_open,
	.read = seq_read,
	.write = dispatch_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * hvsim_vp_debugfs_init() - create debugfs "dispatch"
 * @dir: hvsim's debugfs directory
 *
 * "dispatch" reads irqoff_max_ns (the longest stretch a DISPATCH_VP kept
 * interrupts off since the module loaded or the file was last written),
 * irqoff_total_ns and irqoff_stretches (the sum of those stretches and
 * their number), irq_windows (the interrupt windows the dispatches
 * opened), irqoff_dispatches (the dispatches measured), and how many
 * dispatches stopped at dispatch_budget instructions, at dispatch_max_us,
 * because the CPU had to reschedule and after a PAUSE.
 */
void hvsim_vp_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("dispatch", 0644, dir, NULL, &dispatch_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_vp_test.c"
#endif
