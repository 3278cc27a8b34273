// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: partitions (table, lifecycle, properties, deposited memory).
 *
 * Lifecycle: CREATE_PARTITION (object carved from the root's pool) ->
 * INITIALIZE_PARTITION (once) -> FINALIZE_PARTITION (deletes the VPs and
 * the SLAT: every page of the partition's pool is free afterwards) ->
 * DELETE_PARTITION (remaining pool pages and the partition object go back
 * to the root's pool).
 *
 * A partition is reference counted under hvsim_lock: the table holds one
 * reference, every hypercall using it holds one while it runs.  The last
 * reference frees it.
 */
#include <linux/bug.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"

DEFINE_SPINLOCK(hvsim_lock);

/* Pages deposited into HV_PARTITION_ID_SELF (hvsim_lock) */
struct hvsim_pool hvsim_root_pool;

/* Live partitions and the next id to hand out (hvsim_lock) */
static LIST_HEAD(hvsim_partitions);
static u64 hvsim_next_id = 1;
/* Most pages the pool of a partition created now may hold (hvsim_lock) */
static u64 hvsim_new_pool_cap;

/* Properties the model reports (a simple x86-64 machine) */
#define HVSIM_ROOT_PRIVILEGES	(HV_PRIVILEGE_CREATE_PARTITIONS | \
				 HV_PRIVILEGE_ACCESS_PARTITION_ID | \
				 HV_PRIVILEGE_ACCESS_MEMORY_POOL | \
				 HV_PRIVILEGE_POST_MESSAGES | \
				 HV_PRIVILEGE_SIGNAL_EVENTS | \
				 HV_PRIVILEGE_CREATE_PORT | \
				 HV_PRIVILEGE_CONNECT_PORT | \
				 HV_PRIVILEGE_ACCESS_STATS | \
				 HV_PRIVILEGE_CPU_MANAGEMENT | \
				 HV_PRIVILEGE_ACCESS_VP_REGISTERS)
/* Guests get the privileges their SYNTHETIC_PROC_FEATURES grant, no more */
#define HVSIM_GUEST_PRIVILEGES	0ULL
/* What the root may grant a guest (PRIVILEGE_FLAGS, before INITIALIZE) */
#define HVSIM_GRANTABLE_PRIVILEGES (HV_PRIVILEGE_SYNTHETIC_MSRS_MASK | \
				    HV_PRIVILEGE_ACCESS_PARTITION_ID | \
				    HV_PRIVILEGE_POST_MESSAGES | \
				    HV_PRIVILEGE_SIGNAL_EVENTS | \
				    HV_PRIVILEGE_CONNECT_PORT | \
				    HV_PRIVILEGE_ACCESS_STATS)
/*
 * What the root may assign a guest (SYNTHETIC_PROC_FEATURES): the set the
 * hypervisor assigns to guests, each modelled at least as registers
 * (hvsim_vp_regs.c; Documentation/hvsim.rst).
 */
#define HVSIM_ASSIGNABLE_SYNTHETIC_FEATURES \
	(HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT | \
	 HV_SYNTHETIC_PROC_FEATURE_HV1 | \
	 HV_SYNTHETIC_PROC_FEATURE_PARTITION_REFERENCE_COUNTER | \
	 HV_SYNTHETIC_PROC_FEATURE_SYNIC_REGS | \
	 HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_TIMER_REGS | \
	 HV_SYNTHETIC_PROC_FEATURE_INTR_CTRL_REGS | \
	 HV_SYNTHETIC_PROC_FEATURE_HYPERCALL_REGS | \
	 HV_SYNTHETIC_PROC_FEATURE_VP_INDEX | \
	 HV_SYNTHETIC_PROC_FEATURE_PARTITION_REFERENCE_TSC | \
	 HV_SYNTHETIC_PROC_FEATURE_GUEST_IDLE_REG | \
	 HV_SYNTHETIC_PROC_FEATURE_FREQUENCY_REGS | \
	 HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS | \
	 HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS | \
	 HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI)
#define HVSIM_VMM_CAPABILITIES	HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES
/* No optional processor feature is offered by the interpreter */
#define HVSIM_HOST_FEATURES0	0ULL
#define HVSIM_HOST_FEATURES1	0ULL
/* XSAVE with the compacted format (x87 and SSE state only) */
#define HVSIM_HOST_XSAVE_FEATURES (HV_XSAVE_FEATURE_XSAVE | \
				   HV_XSAVE_FEATURE_XSAVE_COMP)

/**
 * hvsim_partition_get() - look up a partition and take a reference
 * @id: partition id
 *
 * Return: the partition (no lock held), or NULL.  Release with
 * hvsim_partition_put().
 */
struct hvsim_partition *hvsim_partition_get(u64 id)
{
	struct hvsim_partition *pt, *found = NULL;

	spin_lock(&hvsim_lock);
	list_for_each_entry(pt, &hvsim_partitions, node) {
		if (pt->id == id) {
			pt->refs++;
			found = pt;
			break;
		}
	}
	spin_unlock(&hvsim_lock);
	return found;
}

/*
 * Free a partition whose VPs and intercepts are gone (FINALIZE_PARTITION,
 * or the teardown of hvsim_partitions_exit()); hvsim_lock held
 */
static void partition_free(struct hvsim_partition *pt)
{
	lockdep_assert_held(&hvsim_lock);
	hvsim_partition_lock(pt);
	hvsim_slat_destroy(&pt->slat, &pt->pool);
	hvsim_pool_move(&hvsim_root_pool, &pt->pool);
	hvsim_partition_unlock(pt);
	hvsim_pool_free(&hvsim_root_pool, pt);
}

/**
 * hvsim_partition_put() - drop a reference taken by hvsim_partition_get()
 * @pt: the partition; freed when this was the last reference
 */
void hvsim_partition_put(struct hvsim_partition *pt)
{
	spin_lock(&hvsim_lock);
	if (!--pt->refs)
		partition_free(pt);
	spin_unlock(&hvsim_lock);
}

/**
 * hvsim_partition_lock() - lock a partition, with none of its VPs executing
 * @pt: the partition (referenced)
 *
 * Takes @pt->run_lock for write, then @pt->lock.  A VP whose dispatch
 * runs instructions without @pt->lock holds @pt->run_lock for read and
 * lets go of it at its next instruction boundary once it sees
 * @pt->lock_waiters (hvsim_vp.c), so the wait lasts at most one
 * instruction of each running VP.  Interrupts must be off: hypercalls
 * take it in hard interrupt context too.
 */
void hvsim_partition_lock(struct hvsim_partition *pt)
	__acquires(&pt->run_lock) __acquires(&pt->lock)
{
	atomic_inc(&pt->lock_waiters);
	write_lock(&pt->run_lock);
	atomic_dec(&pt->lock_waiters);
	spin_lock(&pt->lock);
}

/**
 * hvsim_partition_unlock() - undo hvsim_partition_lock()
 * @pt: the partition
 */
void hvsim_partition_unlock(struct hvsim_partition *pt)
	__releases(&pt->lock) __releases(&pt->run_lock)
{
	spin_unlock(&pt->lock);
	write_unlock(&pt->run_lock);
}

/**
 * hvsim_partition_call() - the prologue of a hypercall on one partition
 * @id: partition id from the call's input
 * @states: the states the call accepts, HVSIM_PT_STATE() bits;
 *	HVSIM_PT_ANY: any state
 * @fn: called with the partition referenced and its lock held; NULL: only
 *	check
 * @arg: passed to @fn
 *
 * Look up and reference the partition, lock it, check its state, run @fn,
 * and undo it all.  Callers validate their input first, so input errors
 * take precedence over unknown partitions.
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE
 * (not in one of @states), or what @fn returns (HV_STATUS_SUCCESS without
 * @fn).
 */
u16 hvsim_partition_call(u64 id, unsigned int states,
			 u16 (*fn)(struct hvsim_partition *pt, void *arg),
			 void *arg)
{
	struct hvsim_partition *pt = hvsim_partition_get(id);
	u16 status = HV_STATUS_SUCCESS;

	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	hvsim_partition_lock(pt);
	if (states && !(states & BIT(pt->state)))
		status = HV_STATUS_INVALID_PARTITION_STATE;
	else if (fn)
		status = fn(pt, arg);
	hvsim_partition_unlock(pt);
	hvsim_partition_put(pt);
	return status;
}

/**
 * hvsim_vp_find() - a VP of a partition
 * @pt: the partition, its lock held
 * @index: VP index (any value)
 *
 * Return: the VP, or NULL if @index names none.
 */
struct hvsim_vp *hvsim_vp_find(struct hvsim_partition *pt, u32 index)
{
	lockdep_assert_held(&pt->lock);
	if (index >= HVSIM_MAX_VPS)
		return NULL;
	return pt->vps[index];
}

struct vp_call {
	u32 index;
	u16 (*fn)(struct hvsim_vp *vp, void *arg);
	void *arg;
};

static u16 vp_call_locked(struct hvsim_partition *pt, void *arg)
{
	struct vp_call *c = arg;
	struct hvsim_vp *vp = hvsim_vp_find(pt, c->index);

	return vp ? c->fn(vp, c->arg) : HV_STATUS_INVALID_VP_INDEX;
}

/**
 * hvsim_vp_call() - the prologue of a hypercall on one VP
 * @partition_id: the VP's partition (in any state)
 * @vp_index: the VP
 * @fn: the body; runs with the partition referenced and its lock held
 * @arg: passed to @fn
 *
 * hvsim_partition_call() that also finds the VP.
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_VP_INDEX, or
 * what @fn returns.
 */
u16 hvsim_vp_call(u64 partition_id, u32 vp_index,
		  u16 (*fn)(struct hvsim_vp *vp, void *arg), void *arg)
{
	struct vp_call c = { .index = vp_index, .fn = fn, .arg = arg };

	return hvsim_partition_call(partition_id, HVSIM_PT_ANY,
				    vp_call_locked, &c);
}

/**
 * hvsim_partitions_init() - set up the partition table and the root pool
 */
void hvsim_partitions_init(void)
{
	hvsim_pool_init(&hvsim_root_pool, &hvsim_lock);
}

/**
 * hvsim_partitions_exit() - free everything at module exit
 * @teardown: callback that deletes what the layers above keep in a
 *	partition (its VPs and intercepts), called with hvsim_lock and the
 *	partition's lock held
 *
 * Partitions still alive are torn down with a warning and freed; then
 * every page left in the root pool is freed to the kernel.
 */
void hvsim_partitions_exit(void (*teardown)(struct hvsim_partition *pt))
{
	struct hvsim_partition *pt, *tmp;

	spin_lock(&hvsim_lock);
	list_for_each_entry_safe(pt, tmp, &hvsim_partitions, node) {
		WARN(1, "hvsim: partition %llu still alive at exit\n", pt->id);
		list_del(&pt->node);
		hvsim_partition_lock(pt);
		teardown(pt);
		hvsim_partition_unlock(pt);
		partition_free(pt);
	}
	hvsim_pool_release(&hvsim_root_pool);
	spin_unlock(&hvsim_lock);
}

static void partition_show(struct hvsim_partition *pt, void *arg)
{
	seq_printf(arg, "id=0x%llx pool_pages=%llu pool_free=%llu slat_4k=%llu slat_2m=%llu gpa_faults=%llu dispatches=%llu refused=%llu slat_tables=%llu\n",
		   pt->id, pt->pool.nr_pages, pt->pool.nr_free,
		   pt->slat.nr_mapped, pt->slat.nr_large,
		   pt->gpa_faults, pt->dispatches, pt->refused,
		   pt->slat.nr_tables);
}

/**
 * hvsim_partitions_show() - the debugfs "partitions" file
 * @m: the seq_file
 *
 * One line per live partition, in creation order: its pool (pages held
 * and free), its SLAT leaf entries (4 KiB and 2 MiB), the memory
 * intercepts its VPs produced, the DISPATCH_VP calls that ran or tried
 * to run them, the guest accesses refused because a synthetic feature
 * is modelled only as registers, and the SLAT's table pages (taken from
 * its pool).
 */
void hvsim_partitions_show(struct seq_file *m)
{
	hvsim_partitions_for_each(partition_show, m);
}

/**
 * hvsim_partitions_for_each() - run @fn on every live partition
 * @fn: called with hvsim_lock and the partition's lock held
 * @arg: passed to @fn
 *
 * Partitions in creation order.  Interrupts must be disabled (hvsim's
 * locks are taken in hard interrupt context too).
 */
void hvsim_partitions_for_each(void (*fn)(struct hvsim_partition *pt,
					  void *arg), void *arg)
{
	struct hvsim_partition *pt;

	lockdep_assert_irqs_disabled();
	spin_lock(&hvsim_lock);
	list_for_each_entry(pt, &hvsim_partitions, node) {
		hvsim_partition_lock(pt);
		fn(pt, arg);
		hvsim_partition_unlock(pt);
	}
	spin_unlock(&hvsim_lock);
}

/**
 * hvsim_partitions_set_pool_cap() - cap the pools of partitions to come
 * @pages: most pages the pool of a partition created from now on may
 *	hold; 0: no cap
 */
void hvsim_partitions_set_pool_cap(u64 pages)
{
	unsigned long flags;

	spin_lock_irqsave(&hvsim_lock, flags);
	hvsim_new_pool_cap = pages;
	spin_unlock_irqrestore(&hvsim_lock, flags);
}

/**
 * hvsim_partitions_pool_cap() - the cap set by hvsim_partitions_set_pool_cap()
 *
 * Return: the pages, 0 when there is no cap.
 */
u64 hvsim_partitions_pool_cap(void)
{
	unsigned long flags;
	u64 pages;

	spin_lock_irqsave(&hvsim_lock, flags);
	pages = hvsim_new_pool_cap;
	spin_unlock_irqrestore(&hvsim_lock, flags);
	return pages;
}

/**
 * hvsim_partitions_uncap() - lift the pool cap of every live partition
 *
 * Called when the fault-injection rules are cleared.
 */
void hvsim_partitions_uncap(void)
{
	struct hvsim_partition *pt;

	/* Hypercalls from the root's ISR take these: interrupts off */
	spin_lock_irq(&hvsim_lock);
	list_for_each_entry(pt, &hvsim_partitions, node) {
		hvsim_partition_lock(pt);
		pt->pool_cap = 0;
		hvsim_partition_unlock(pt);
	}
	spin_unlock_irq(&hvsim_lock);
}

/**
 * hvsim_partitions_audit() - look for leaves naming freed pages
 *
 * Runs hvsim_slat_audit() (freed pages only) over the SLAT of every live
 * partition; reading the debugfs "stale_entries" file calls it first.
 */
void hvsim_partitions_audit(void)
{
	struct hvsim_partition *pt;
	u64 n;

	spin_lock_irq(&hvsim_lock);
	list_for_each_entry(pt, &hvsim_partitions, node) {
		hvsim_partition_lock(pt);
		n = hvsim_slat_audit(&pt->slat, false);
		hvsim_partition_unlock(pt);
		if (n)
			pr_warn("hvsim: partition %#llx maps %llu freed page(s)\n",
				pt->id, n);
	}
	spin_unlock_irq(&hvsim_lock);
}

/**
 * hvsim_hc_create_partition() - HVCALL_CREATE_PARTITION
 * @call: decoded call
 *
 * The partition object is carved out of the root's pool: with an empty
 * pool the call fails with HV_STATUS_INSUFFICIENT_MEMORY.
 *
 * Return: HV_STATUS_*; the new id is written to the output page.
 */
u16 hvsim_hc_create_partition(struct hvsim_call *call)
{
	const struct hv_input_create_partition *in = call->input;
	struct hv_output_create_partition *out = call->output;
	struct hvsim_partition *pt;

	BUILD_BUG_ON(sizeof(*pt) > HV_HYP_PAGE_SIZE);

	spin_lock(&hvsim_lock);
	pt = hvsim_pool_alloc(&hvsim_root_pool);
	if (!pt) {
		spin_unlock(&hvsim_lock);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	pt->refs = 1;
	pt->id = hvsim_next_id++;
	pt->creation_flags = in->flags;
	pt->disabled_features[0] = in->disabled_processor_features[0];
	pt->disabled_features[1] = in->disabled_processor_features[1];
	pt->disabled_xsave = in->disabled_processor_xsave_features;
	rwlock_init(&pt->run_lock);
	spin_lock_init(&pt->lock);
	pt->state = HVSIM_PT_CREATED;
	hvsim_pool_init(&pt->pool, &pt->lock);
	hvsim_slat_init(&pt->slat, &pt->lock);
	pt->unimplemented_msr_action = HV_UNIMPLEMENTED_MSR_ACTION_FAULT;
	pt->privilege_flags = HVSIM_GUEST_PRIVILEGES;
	pt->pool_cap = hvsim_new_pool_cap;
	list_add_tail(&pt->node, &hvsim_partitions);
	out->partition_id = pt->id;
	spin_unlock(&hvsim_lock);
	return HV_STATUS_SUCCESS;
}

/* INITIALIZE, FINALIZE and DELETE take only a partition id */
static u64 input_partition_id(const struct hvsim_call *call)
{
	const struct hv_input_partition_id *in = call->input;

	return in->partition_id;
}

static u16 initialize_locked(struct hvsim_partition *pt, void *arg)
{
	pt->state = HVSIM_PT_INITIALIZED;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_initialize_partition() - HVCALL_INITIALIZE_PARTITION
 * @call: decoded call
 *
 * Return: HV_STATUS_INVALID_PARTITION_STATE unless the partition was just
 * created.
 */
u16 hvsim_hc_initialize_partition(struct hvsim_call *call)
{
	return hvsim_partition_call(input_partition_id(call),
				    HVSIM_PT_STATE(CREATED),
				    initialize_locked, NULL);
}

/**
 * hvsim_hc_delete_partition() - HVCALL_DELETE_PARTITION
 * @call: decoded call
 *
 * Pages still in the partition's pool and the partition object go to the
 * root's pool (once concurrent users of the partition are done).
 *
 * Return: HV_STATUS_INVALID_PARTITION_STATE unless finalized.
 */
u16 hvsim_hc_delete_partition(struct hvsim_call *call)
{
	u64 id = input_partition_id(call);
	struct hvsim_partition *pt;
	u16 status = HV_STATUS_INVALID_PARTITION_ID;

	spin_lock(&hvsim_lock);
	list_for_each_entry(pt, &hvsim_partitions, node) {
		if (pt->id != id)
			continue;
		hvsim_partition_lock(pt);
		if (pt->state == HVSIM_PT_FINALIZED) {
			pt->state = HVSIM_PT_DELETED;
			status = HV_STATUS_SUCCESS;
		} else {
			status = HV_STATUS_INVALID_PARTITION_STATE;
		}
		hvsim_partition_unlock(pt);
		if (status == HV_STATUS_SUCCESS) {
			list_del(&pt->node);
			if (!--pt->refs)
				partition_free(pt);
		}
		break;
	}
	spin_unlock(&hvsim_lock);
	return status;
}

/*
 * The pool of partition @id (the root pool for HV_PARTITION_ID_SELF), not
 * locked.  For a guest partition a reference is returned in *@ptp (NULL
 * for SELF); release it with pool_put().  NULL if there is no such
 * partition.
 */
static struct hvsim_pool *pool_get(u64 id, struct hvsim_partition **ptp)
{
	struct hvsim_partition *pt;

	*ptp = NULL;
	if (id == HV_PARTITION_ID_SELF)
		return &hvsim_root_pool;
	pt = hvsim_partition_get(id);
	if (!pt)
		return NULL;
	*ptp = pt;
	return &pt->pool;
}

static void pool_put(struct hvsim_partition *pt)
{
	if (pt)
		hvsim_partition_put(pt);
}

/**
 * hvsim_hc_deposit_memory() - HVCALL_DEPOSIT_MEMORY (rep)
 * @call: decoded call; one PFN per rep
 *
 * A pool capped by the "pool_cap" fault-injection rule accepts pages until
 * it holds the cap, then fails with HV_STATUS_INSUFFICIENT_MEMORY.
 *
 * Return: HV_STATUS_*; reps completed = pages accepted.
 */
u16 hvsim_hc_deposit_memory(struct hvsim_call *call)
{
	const struct hv_input_deposit_memory *in = call->input;
	struct hvsim_partition *pt;
	struct hvsim_pool *pool;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	pool = pool_get(in->partition_id, &pt);
	if (!pool)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(pool->lock);
	for (i = call->rep_start; i < call->rep_count; i++) {
		u64 pfn = in->gpa_page_list[i];

		/* A capped pool takes what fits and asks for no more */
		if (pt && pt->pool_cap && pool->nr_pages >= pt->pool_cap) {
			status = HV_STATUS_INSUFFICIENT_MEMORY;
			break;
		}
		status = hvsim_pool_check_pfn(pfn);
		if (status)
			break;
		hvsim_pool_add(pool, pfn);
	}
	call->reps_done = i;
	spin_unlock(pool->lock);
	pool_put(pt);
	return status;
}

/**
 * hvsim_hc_withdraw_memory() - HVCALL_WITHDRAW_MEMORY (rep)
 * @call: decoded call; one PFN per rep is written to the output page
 *
 * Return: HV_STATUS_NO_RESOURCES when fewer pages are free than asked
 * (reps completed = pages returned).
 */
u16 hvsim_hc_withdraw_memory(struct hvsim_call *call)
{
	const struct hv_input_withdraw_memory *in = call->input;
	u64 *out = call->output;
	struct hvsim_partition *pt;
	struct hvsim_pool *pool;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	pool = pool_get(in->partition_id, &pt);
	if (!pool)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(pool->lock);
	for (i = call->rep_start; i < call->rep_count; i++) {
		if (!hvsim_pool_withdraw(pool, &out[i])) {
			status = HV_STATUS_NO_RESOURCES;
			break;
		}
	}
	call->reps_done = i;
	spin_unlock(pool->lock);
	pool_put(pt);
	return status;
}

/* Host (SELF) property values */
static u16 root_property(u32 code, u64 *value)
{
	switch (code) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
		*value = HVSIM_ROOT_PRIVILEGES;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES:
		*value = HVSIM_ASSIGNABLE_SYNTHETIC_FEATURES;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		*value = HV_UNIMPLEMENTED_MSR_ACTION_FAULT;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0:
		*value = HVSIM_HOST_FEATURES0;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1:
		*value = HVSIM_HOST_FEATURES1;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES:
		*value = HVSIM_HOST_XSAVE_FEATURES;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH:
		*value = HVSIM_GPA_BITS;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE:
		*value = HVSIM_XSAVE_SIZE;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_XSAVE_STATES:
		*value = HVSIM_XSAVE_STATES;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY:
		*value = HVSIM_TSC_HZ;
		return HV_STATUS_SUCCESS;
	default:
		return HV_STATUS_UNKNOWN_PROPERTY;
	}
}

/* Guest partition property values; partition lock held */
static u16 guest_property(const struct hvsim_partition *pt, u32 code,
			  u64 *value)
{
	lockdep_assert_held(&pt->lock);
	switch (code) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
		*value = pt->privilege_flags;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES:
		*value = pt->synthetic_proc_features;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		*value = pt->unimplemented_msr_action;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING:
		*value = pt->gpa_access_tracking;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_TIME_FREEZE:
		*value = pt->time_freeze;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_REFERENCE_TIME:
		*value = hvsim_time_ref(pt);
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0:
		*value = HVSIM_HOST_FEATURES0 & ~pt->disabled_features[0];
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1:
		*value = HVSIM_HOST_FEATURES1 & ~pt->disabled_features[1];
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES:
		*value = hvsim_partition_xsave_features(pt);
		return HV_STATUS_SUCCESS;
	default:
		return root_property(code, value);
	}
}

/**
 * hvsim_synthetic_privileges() - the privileges SYNTHETIC_PROC_FEATURES
 *	grant
 * @features: SYNTHETIC_PROC_FEATURES bank 0
 *
 * Features 2-8 (VP runtime ... VP index) are privileges 0-6, features
 * 9-11 (reference TSC, guest idle, frequencies) privileges 9-11.
 *
 * Return: HV_PRIVILEGE_* bits 0-15.
 */
u64 hvsim_synthetic_privileges(u64 features)
{
	return ((features >> 2) & GENMASK_ULL(6, 0)) |
	       (features & GENMASK_ULL(11, 9));
}

/**
 * hvsim_partition_privileges() - the privilege mask of a guest partition
 * @pt: the partition; its lock held
 *
 * What CPUID leaf 0x40000003 reports in EAX:EBX and what decides which
 * synthetic registers exist: PRIVILEGE_FLAGS, plus the privileges its
 * SYNTHETIC_PROC_FEATURES grant.
 *
 * Return: HV_PRIVILEGE_* bits.
 */
u64 hvsim_partition_privileges(const struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	return pt->privilege_flags |
	       hvsim_synthetic_privileges(pt->synthetic_proc_features);
}

/**
 * hvsim_partition_xsave_features() - the XSAVE features of a guest partition
 * @pt: the partition; its lock held
 *
 * What PROCESSOR_XSAVE_FEATURES reads and the CPUID model reports (leaf 1
 * ECX.XSAVE, leaf 0xD): the host's, less the disabled ones.
 *
 * Return: HV_XSAVE_FEATURE_* bits.
 */
u64 hvsim_partition_xsave_features(const struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	return HVSIM_HOST_XSAVE_FEATURES & ~pt->disabled_xsave;
}

/* A property of a partition: its code and the value read or written */
struct property_arg {
	u32 code;
	u64 value;
};

static u16 get_property_locked(struct hvsim_partition *pt, void *arg)
{
	struct property_arg *p = arg;

	return guest_property(pt, p->code, &p->value);
}

/* Read property @code of partition @id */
static u16 get_property(u64 id, u32 code, u64 *value)
{
	struct property_arg p = { .code = code };
	u16 status;

	if (id == HV_PARTITION_ID_SELF)
		return root_property(code, value);
	status = hvsim_partition_call(id, HVSIM_PT_ANY, get_property_locked,
				      &p);
	if (!status)
		*value = p.value;
	return status;
}

/**
 * hvsim_hc_get_partition_property() - HVCALL_GET_PARTITION_PROPERTY
 * @call: decoded call
 *
 * Return: HV_STATUS_UNKNOWN_PROPERTY for properties hvsim does not model.
 */
u16 hvsim_hc_get_partition_property(struct hvsim_call *call)
{
	const struct hv_input_get_partition_property *in = call->input;
	struct hv_output_get_partition_property *out = call->output;
	u64 value;
	u16 status;

	status = get_property(in->partition_id, in->property_code, &value);
	if (!status)
		out->property_value = value;
	return status;
}

/* Properties that take 0 or 1 */
static u16 set_bool_property(u64 *prop, u64 value)
{
	if (value > 1)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	*prop = value;
	return HV_STATUS_SUCCESS;
}

static u16 set_property_locked(struct hvsim_partition *pt, void *arg)
{
	const struct property_arg *p = arg;
	u64 value = p->value;
	u64 unused;

	lockdep_assert_held(&pt->lock);
	switch (p->code) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
		if (pt->state != HVSIM_PT_CREATED)
			return HV_STATUS_INVALID_PARTITION_STATE;
		if (value & ~HVSIM_GRANTABLE_PRIVILEGES)
			return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
		pt->privilege_flags = value;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES:
		if (pt->state != HVSIM_PT_CREATED)
			return HV_STATUS_INVALID_PARTITION_STATE;
		if (value & ~HVSIM_ASSIGNABLE_SYNTHETIC_FEATURES)
			return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
		pt->synthetic_proc_features = value;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		if (value > HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO)
			return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
		pt->unimplemented_msr_action = value;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING:
		return set_bool_property(&pt->gpa_access_tracking, value);
	case HV_PARTITION_PROPERTY_TIME_FREEZE:
		return hvsim_time_set_freeze(pt, value);
	case HV_PARTITION_PROPERTY_REFERENCE_TIME:
		hvsim_time_set_reference(pt, value);
		return HV_STATUS_SUCCESS;
	default:
		/* a modelled property is read-only, an unknown one unknown */
		return guest_property(pt, p->code, &unused) ?:
		       HV_STATUS_ACCESS_DENIED;
	}
}

/**
 * hvsim_hc_set_partition_property() - HVCALL_SET_PARTITION_PROPERTY
 * @call: decoded call
 *
 * Writable: PRIVILEGE_FLAGS (before INITIALIZE, grantable bits only),
 * SYNTHETIC_PROC_FEATURES (before INITIALIZE, assignable bits only),
 * UNIMPLEMENTED_MSR_ACTION, GPA_PAGE_ACCESS_TRACKING and TIME_FREEZE (0 or
 * 1; 1 stops the partition clock), REFERENCE_TIME (any value: the clock
 * continues from it, hvsim_time.c).  Other
 * modelled properties and every property of SELF are read-only
 * (HV_STATUS_ACCESS_DENIED).
 *
 * Return: HV_STATUS_INVALID_PARTITION_STATE for an early-only property
 * after INITIALIZE, HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, HV_STATUS_*.
 */
u16 hvsim_hc_set_partition_property(struct hvsim_call *call)
{
	const struct hv_input_set_partition_property *in = call->input;
	struct property_arg p = {
		.code = in->property_code,
		.value = in->property_value,
	};
	u16 status;

	if (in->partition_id == HV_PARTITION_ID_SELF) {
		status = root_property(in->property_code, &p.value);
		return status ? status : HV_STATUS_ACCESS_DENIED;
	}
	return hvsim_partition_call(in->partition_id, HVSIM_PT_ANY,
				    set_property_locked, &p);
}

/**
 * hvsim_hc_get_partition_property_ex() - HVCALL_GET_PARTITION_PROPERTY_EX
 * @call: decoded call
 *
 * VMM_CAPABILITIES and ASSIGNABLE_SYNTHETIC_PROC_FEATURES answer with one
 * feature bank; every other property answers like
 * GET_PARTITION_PROPERTY (the value at offset 0).  @arg must be zero.
 *
 * Return: HV_STATUS_*.
 */
u16 hvsim_hc_get_partition_property_ex(struct hvsim_call *call)
{
	const struct hv_input_get_partition_property_ex *in = call->input;
	struct hv_output_property_banks *banks = call->output;
	u64 *value = call->output;
	u64 bank0;

	switch (in->property_code) {
	case HV_PARTITION_PROPERTY_VMM_CAPABILITIES:
		bank0 = HVSIM_VMM_CAPABILITIES;
		break;
	case HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES:
		bank0 = HVSIM_ASSIGNABLE_SYNTHETIC_FEATURES;
		break;
	default:
		return get_property(in->partition_id, in->property_code, value);
	}
	if (in->partition_id != HV_PARTITION_ID_SELF &&
	    hvsim_partition_call(in->partition_id, HVSIM_PT_ANY, NULL, NULL))
		return HV_STATUS_INVALID_PARTITION_ID;
	memset(banks, 0, sizeof(*banks));
	banks->bank_count = 1;
	banks->banks[0] = bank0;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_get_system_property() - HVCALL_GET_SYSTEM_PROPERTY
 * @call: decoded call
 *
 * Only SCHEDULER_TYPE is modelled: hvsim is a root scheduler (the root
 * dispatches VPs with HVCALL_DISPATCH_VP).
 *
 * Return: HV_STATUS_INVALID_PARAMETER for other properties.
 */
u16 hvsim_hc_get_system_property(struct hvsim_call *call)
{
	struct hv_output_get_system_property *out = call->output;

	out->value = 0;
	out->scheduler_type = HV_SCHEDULER_TYPE_ROOT;
	return HV_STATUS_SUCCESS;
}
