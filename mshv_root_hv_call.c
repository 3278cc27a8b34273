// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root hypercall layer.
 *
 * Every hypercall of the driver is described by a struct mshv_hvcall and
 * goes through mshv_hv_call_be(), which
 *  - copies the fixed input and the rep input into this CPU's input page
 *    and issues the call through the backend with interrupts disabled,
 *  - re-issues rep calls with rep start = reps completed until all reps
 *    are done or a status other than success comes back,
 *  - on HV_STATUS_INSUFFICIENT_MEMORY deposits pages into the partition
 *    named by the request and resumes,
 *  - copies the output out of this CPU's output page, and
 *  - maps the status to an errno.
 *
 * DISPATCH_VP is the exception (mshv_hv_dispatch_vp()): like mainline's
 * root scheduler it is issued with preemption disabled and interrupts
 * enabled, through this CPU's dispatch input and output pages, which no
 * other call uses, because the hypervisor delivers the root's interrupts
 * while it runs the guest and their handlers issue hypercalls through the
 * other pages on the same CPU.
 *
 * Context: a call with deposit_pages set may sleep (it allocates the pages
 * it deposits) and is made from process context only; a call without
 * never sleeps and may be made from any context, hard interrupt context
 * included (the root SynIC handler's EOM and NOTIFY_PORT_RING_EMPTY, an
 * eventfd wakeup's ASSERT_VIRTUAL_INTERRUPT).  The exported functions
 * without a may_sleep parameter deposit, and may sleep.
 *
 * The backend is a parameter of the internal functions so that the KUnit
 * suite (kunit/hv_call_test.c, included at the end) can run them against
 * fake hypervisors; the exported builders use the backend bound at init.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "mshv_root.h"
#include "mshv_trace.h"

/**
 * struct mshv_hvcall - one logical hypercall
 * @code: HVCALL_* code
 * @fast: issue as a fast call (operands in the first qwords of the input)
 * @varhead_qwords: variable-header size in 8-byte units
 * @rep_count: number of reps, 0 for a simple call
 * @in: fixed input (header), copied to the start of the input page
 * @in_sz: size of @in in bytes
 * @rep_in: rep input data, copied right after @in
 * @rep_in_sz: size of @rep_in in bytes (all reps)
 * @out: buffer the output page is copied to, or NULL
 * @out_sz: number of output bytes to copy
 * @deposit_id: partition that receives pages on INSUFFICIENT_MEMORY
 * @deposit_pages: pages to deposit then; 0 = no deposit and retry
 * @status: result: the last HV_STATUS_*
 * @reps_done: result: reps completed
 */
struct mshv_hvcall {
	u16 code;
	bool fast;
	u16 varhead_qwords;
	u16 rep_count;
	const void *in;
	size_t in_sz;
	const void *rep_in;
	size_t rep_in_sz;
	void *out;
	size_t out_sz;
	u64 deposit_id;
	u32 deposit_pages;
	u16 status;
	u16 reps_done;
};

/* The backend bound at init; constant while the module is loaded */
static const struct mshv_hv_backend *mshv_backend;
/* Told of the pages deposited and withdrawn (NULL: nobody); set at init */
static void (*mshv_hv_pages_counted)(u64 partition_id, s64 pages);

static void mshv_hv_count_pages(u64 partition_id, s64 pages)
{
	if (mshv_hv_pages_counted)
		mshv_hv_pages_counted(partition_id, pages);
}

/* Per-CPU hypercall pages, used only with interrupts disabled */
static DEFINE_PER_CPU(void *, mshv_hv_input_page);
static DEFINE_PER_CPU(void *, mshv_hv_output_page);
/* Per-CPU DISPATCH_VP pages, used only with preemption disabled */
static DEFINE_PER_CPU(void *, mshv_hv_dispatch_input_page);
static DEFINE_PER_CPU(void *, mshv_hv_dispatch_output_page);
static bool mshv_hv_pages_ready;

static u64 mshv_hv_control(u16 code, bool fast, u16 varhead_qwords,
			   u16 rep_count, u16 rep_start)
{
	u64 control = FIELD_PREP(HV_HYPERCALL_CODE_MASK, code);

	if (fast)
		control |= HV_HYPERCALL_FAST_BIT;
	control |= FIELD_PREP(HV_HYPERCALL_VARHEAD_MASK, varhead_qwords);
	control |= FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, rep_count);
	control |= FIELD_PREP(HV_HYPERCALL_REP_START_MASK, rep_start);
	return control;
}

static u16 mshv_hv_result_status(u64 result)
{
	return FIELD_GET(HV_HYPERCALL_RESULT_MASK, result);
}

static u16 mshv_hv_result_reps(u64 result)
{
	return FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, result);
}

static u64 mshv_hv_make_result(u16 status, u16 reps_done)
{
	return FIELD_PREP(HV_HYPERCALL_RESULT_MASK, status) |
	       FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, reps_done);
}

/* Result word of the kernel's hypercall wrapper when there is no hypervisor */
#define MSHV_HV_RESULT_NO_HYPERCALL_PAGE	U64_MAX

static const struct {
	u16 status;
	int err;
} mshv_hv_status_errno[] = {
	{ HV_STATUS_SUCCESS,				0 },
	{ HV_STATUS_INVALID_HYPERCALL_CODE,		-EINVAL },
	{ HV_STATUS_INVALID_HYPERCALL_INPUT,		-EINVAL },
	{ HV_STATUS_INVALID_ALIGNMENT,			-EIO },
	{ HV_STATUS_INVALID_PARAMETER,			-EINVAL },
	{ HV_STATUS_ACCESS_DENIED,			-EIO },
	{ HV_STATUS_INVALID_PARTITION_STATE,		-EIO },
	{ HV_STATUS_OPERATION_DENIED,			-EIO },
	{ HV_STATUS_UNKNOWN_PROPERTY,			-EIO },
	{ HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE,	-EIO },
	{ HV_STATUS_INSUFFICIENT_MEMORY,		-ENOMEM },
	{ HV_STATUS_INVALID_PARTITION_ID,		-EINVAL },
	{ HV_STATUS_INVALID_VP_INDEX,			-EINVAL },
	{ HV_STATUS_NOT_FOUND,				-EIO },
	{ HV_STATUS_INVALID_PORT_ID,			-EINVAL },
	{ HV_STATUS_INVALID_CONNECTION_ID,		-EINVAL },
	{ HV_STATUS_INSUFFICIENT_BUFFERS,		-EIO },
	{ HV_STATUS_NOT_ACKNOWLEDGED,			-EIO },
	{ HV_STATUS_INVALID_VP_STATE,			-EIO },
	{ HV_STATUS_NO_RESOURCES,			-EIO },
	{ HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED,	-EIO },
	{ HV_STATUS_INVALID_LP_INDEX,			-EINVAL },
	{ HV_STATUS_INVALID_REGISTER_VALUE,		-EINVAL },
	{ HV_STATUS_OPERATION_FAILED,			-EIO },
	{ HV_STATUS_INSUFFICIENT_ROOT_MEMORY,		-ENOMEM },
	{ HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY,	-ENOMEM },
	{ HV_STATUS_TIME_OUT,				-EIO },
	{ HV_STATUS_CALL_PENDING,			-EIO },
	{ HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, -ENOMEM },
	{ HV_STATUS_VTL_ALREADY_ENABLED,		-EIO },
};

/**
 * mshv_hv_status_to_errno() - map a hypervisor status to an errno
 * @status: HV_STATUS_* value (low 16 bits of the result word)
 *
 * Return: 0 for success, the negative errno of the status table, or -EIO
 * for a status the table does not list.
 */
int mshv_hv_status_to_errno(u16 status)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_hv_status_errno); i++)
		if (mshv_hv_status_errno[i].status == status)
			return mshv_hv_status_errno[i].err;
	return -EIO;
}

static int mshv_hv_result_to_errno(u64 result)
{
	if (result == MSHV_HV_RESULT_NO_HYPERCALL_PAGE)
		return -EOPNOTSUPP;
	return mshv_hv_status_to_errno(mshv_hv_result_status(result));
}

/*
 * Issue @control and, for a rep call, re-issue it with rep start = reps
 * completed until all @rep_count reps are done or the status is not
 * success.  A backend that reports success without progress, or more reps
 * than asked for, ends the loop with HV_STATUS_OPERATION_FAILED so that a
 * broken hypervisor cannot hang this CPU with interrupts disabled.
 */
static u64 mshv_hv_do_reps(const struct mshv_hv_backend *be, u64 control,
			   u16 rep_count, u16 rep_start, void *input,
			   void *output)
{
	u64 result;
	u16 done;

	lockdep_assert_irqs_disabled();
	for (;;) {
		control &= ~HV_HYPERCALL_REP_START_MASK;
		control |= FIELD_PREP(HV_HYPERCALL_REP_START_MASK, rep_start);
		result = be->hypercall(control, input, output);
		if (!rep_count ||
		    mshv_hv_result_status(result) != HV_STATUS_SUCCESS)
			return result;
		done = mshv_hv_result_reps(result);
		if (done == rep_count)
			return result;
		if (done <= rep_start || done > rep_count) {
			pr_warn_ratelimited("hypercall %#llx: bogus reps completed %u (start %u, count %u)\n",
					    control & HV_HYPERCALL_CODE_MASK,
					    done, rep_start, rep_count);
			return mshv_hv_make_result(HV_STATUS_OPERATION_FAILED,
						   min(done, rep_count));
		}
		rep_start = done;
	}
}

/* One pass through the seam on this CPU's pages, from rep @rep_start */
static u64 mshv_hv_issue(const struct mshv_hv_backend *be,
			 struct mshv_hvcall *call, u16 rep_start)
{
	size_t in_total = call->in_sz + call->rep_in_sz;
	unsigned long flags;
	void *input, *output;
	u64 control, result;
	u64 t0 = 0;

	control = mshv_hv_control(call->code, call->fast, call->varhead_qwords,
				  call->rep_count, rep_start);

	local_irq_save(flags);
	input = *this_cpu_ptr(&mshv_hv_input_page);
	output = *this_cpu_ptr(&mshv_hv_output_page);

	memcpy(input, call->in, call->in_sz);
	if (call->rep_in_sz)
		memcpy(input + call->in_sz, call->rep_in, call->rep_in_sz);
	memset(input + in_total, 0, HV_HYP_PAGE_SIZE - in_total);
	/*
	 * Start from what earlier passes produced (zeroes at first), so that
	 * output of the reps completed before a deposit-and-retry survives
	 * and nothing of an earlier caller's output can leak.
	 */
	if (call->out_sz)
		memcpy(output, call->out, call->out_sz);

	if (trace_mshv_hvcall_enabled())
		t0 = ktime_get_ns();
	result = mshv_hv_do_reps(be, control, call->rep_count, rep_start,
				 input, output);
	if (t0)
		trace_mshv_hvcall(call->code, call->rep_count,
				  mshv_hv_result_reps(result),
				  mshv_hv_result_status(result),
				  ktime_get_ns() - t0);

	if (call->out_sz)
		memcpy(call->out, output, call->out_sz);
	local_irq_restore(flags);

	return result;
}

static int mshv_hv_deposit_be(const struct mshv_hv_backend *be,
			      u64 partition_id, u32 nr_pages);

/*
 * Issue @call through @be: rep resume, deposit and retry, output copy.
 * With @call->deposit_pages set it may sleep (process context only);
 * without, it never sleeps and runs in any context.
 */
static int mshv_hv_call_be(const struct mshv_hv_backend *be,
			   struct mshv_hvcall *call)
{
	u64 result;
	int ret;

	if (call->deposit_pages)
		might_sleep();

	if (WARN_ON_ONCE(call->in_sz + call->rep_in_sz > HV_HYP_PAGE_SIZE ||
			 call->out_sz > HV_HYP_PAGE_SIZE ||
			 call->rep_count > HV_HYPERCALL_REP_MAX ||
			 (call->out_sz && !call->out) ||
			 !mshv_hv_pages_ready))
		return -EINVAL;

	if (call->out_sz)
		memset(call->out, 0, call->out_sz);
	call->reps_done = 0;

	for (;;) {
		result = mshv_hv_issue(be, call, call->reps_done);
		call->status = mshv_hv_result_status(result);
		call->reps_done = min(mshv_hv_result_reps(result),
				      call->rep_count);

		if (call->status != HV_STATUS_INSUFFICIENT_MEMORY ||
		    !call->deposit_pages)
			return mshv_hv_result_to_errno(result);

		if (fatal_signal_pending(current))
			return -EINTR;
		ret = mshv_hv_deposit_be(be, call->deposit_id,
					 call->deposit_pages);
		if (ret)
			return ret;
		cond_resched();
	}
}

static int mshv_hv_call(struct mshv_hvcall *call)
{
	return mshv_hv_call_be(mshv_backend, call);
}

/*
 * Deposit @nr_pages freshly allocated pages into @partition_id, in batches
 * of HV_DEPOSIT_MAX.  Pages the hypervisor accepted belong to it until a
 * withdraw returns them; the others are freed here.  Pages for a guest
 * partition are charged to the memory cgroup of the caller (the VMM whose
 * request needs them), so that its limit covers its guests' hypervisor
 * overhead; the root partition's pages serve every partition and are not
 * charged.
 */
static int mshv_hv_deposit_be(const struct mshv_hv_backend *be,
			      u64 partition_id, u32 nr_pages)
{
	struct hv_input_deposit_memory hdr = { .partition_id = partition_id };
	struct mshv_hvcall call = {
		.code = HVCALL_DEPOSIT_MEMORY,
		.in = &hdr,
		.in_sz = sizeof(hdr),
	};
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
	u32 batch, first, i;
	u64 deposited = 0;
	u64 *pfns;
	int ret = 0;

	if (partition_id != HV_PARTITION_ID_SELF)
		gfp |= __GFP_ACCOUNT;
	pfns = kmalloc_array(HV_DEPOSIT_MAX, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;

	while (nr_pages) {
		batch = min_t(u32, nr_pages, HV_DEPOSIT_MAX);
		first = 0;
		for (i = 0; i < batch; i++) {
			struct page *page = alloc_page(gfp);

			if (!page) {
				ret = -ENOMEM;
				goto free_batch;
			}
			pfns[i] = page_to_pfn(page);
		}

		call.rep_count = batch;
		call.rep_in = pfns;
		call.rep_in_sz = batch * sizeof(*pfns);
		ret = mshv_hv_call_be(be, &call);
		mshv_hv_count_pages(partition_id, call.reps_done);
		deposited += call.reps_done;
		if (ret) {
			pr_err("depositing %u pages into partition %#llx failed: status %#x\n",
			       batch, partition_id, call.status);
			/* The pages from reps_done on were not taken */
			first = call.reps_done;
			goto free_batch;
		}
		nr_pages -= batch;
	}
	kfree(pfns);
	trace_mshv_deposit(partition_id, deposited, 0);
	return 0;

free_batch:
	while (i > first)
		__free_page(pfn_to_page(pfns[--i]));
	kfree(pfns);
	trace_mshv_deposit(partition_id, deposited, ret);
	return ret;
}

/*
 * Withdraw up to @max_pages free pages the hypervisor holds for
 * @partition_id and free them.  Stops at HV_STATUS_NO_RESOURCES (nothing
 * left), which is success.  Returns the number of pages freed in @freed
 * when it is not NULL.
 */
static int mshv_hv_withdraw_be(const struct mshv_hv_backend *be,
			       u64 partition_id, u64 max_pages, u64 *freed)
{
	struct hv_input_withdraw_memory hdr = { .partition_id = partition_id };
	struct mshv_hvcall call = {
		.code = HVCALL_WITHDRAW_MEMORY,
		.rep_count = HV_WITHDRAW_BATCH_SIZE,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.out_sz = HV_WITHDRAW_BATCH_SIZE * sizeof(u64),
	};
	u64 total = 0;
	u64 *pfns;
	int ret = 0;
	u16 i;

	/* Teardown must not fail for want of one page */
	pfns = kmalloc_array(HV_WITHDRAW_BATCH_SIZE, sizeof(*pfns),
			     GFP_KERNEL | __GFP_NOFAIL);
	call.out = pfns;

	while (total < max_pages) {
		call.rep_count = min_t(u64, HV_WITHDRAW_BATCH_SIZE,
				       max_pages - total);
		ret = mshv_hv_call_be(be, &call);
		mshv_hv_count_pages(partition_id, -(s64)call.reps_done);
		for (i = 0; i < call.reps_done; i++) {
			if (WARN_ON_ONCE(!pfn_valid(pfns[i])))
				continue;
			__free_page(pfn_to_page(pfns[i]));
			total++;
		}
		if (call.status == HV_STATUS_NO_RESOURCES) {
			ret = 0;
			break;
		}
		if (ret || !call.reps_done)
			break;
		cond_resched();
	}

	kfree(pfns);
	trace_mshv_withdraw(partition_id, total, ret);
	if (freed)
		*freed = total;
	return ret;
}

/**
 * mshv_hv_deposit_memory() - give pages to a partition
 * @partition_id: target partition (or %HV_PARTITION_ID_SELF)
 * @nr_pages: number of 4 KiB pages
 *
 * Return: 0 or a negative errno; on failure the pages the hypervisor did
 * not accept are freed again.
 */
int mshv_hv_deposit_memory(u64 partition_id, u32 nr_pages)
{
	return mshv_hv_deposit_be(mshv_backend, partition_id, nr_pages);
}

/**
 * mshv_hv_withdraw_memory() - take back and free all pages of a partition
 * @partition_id: the partition
 *
 * Issues WITHDRAW_MEMORY until the hypervisor reports
 * HV_STATUS_NO_RESOURCES and frees every page it returns.
 *
 * Return: 0 or the negative errno of a failed withdraw (pages returned
 * before the failure are freed).
 */
int mshv_hv_withdraw_memory(u64 partition_id)
{
	return mshv_hv_withdraw_be(mshv_backend, partition_id, U64_MAX, NULL);
}

/**
 * mshv_hv_withdraw_pages() - take back and free some pages of a partition
 * @partition_id: the partition
 * @max_pages: at most this many pages
 *
 * Like mshv_hv_withdraw_memory(), for the free pages a failed call left
 * behind: the hypervisor returns only pages it does not use.
 *
 * Return: 0 (also when fewer pages were free) or the negative errno of a
 * failed withdraw (pages returned before the failure are freed).
 */
int mshv_hv_withdraw_pages(u64 partition_id, u64 max_pages)
{
	return mshv_hv_withdraw_be(mshv_backend, partition_id, max_pages,
				   NULL);
}

/**
 * mshv_hv_get_system_property() - HVCALL_GET_SYSTEM_PROPERTY
 * @property_id: HV_SYSTEM_PROPERTY_*
 * @value: the property value
 *
 * Issued at module load.  Deposits into the root partition while the
 * hypervisor reports insufficient memory.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_get_system_property(u32 property_id, u64 *value)
{
	struct hv_input_get_system_property in = { .property_id = property_id };
	struct hv_output_get_system_property out;
	struct mshv_hvcall call = {
		.code = HVCALL_GET_SYSTEM_PROPERTY,
		.in = &in,
		.in_sz = sizeof(in),
		.out = &out,
		.out_sz = sizeof(out),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	int ret;

	ret = mshv_hv_call(&call);
	if (!ret)
		*value = out.value;
	return ret;
}

/**
 * mshv_hv_create_partition() - HVCALL_CREATE_PARTITION
 * @input: the complete hypercall input
 * @partition_id: the new partition's id
 *
 * Deposits single pages into the root partition while the hypervisor
 * reports insufficient memory.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_create_partition(const struct hv_input_create_partition *input,
			     u64 *partition_id)
{
	struct hv_output_create_partition out;
	struct mshv_hvcall call = {
		.code = HVCALL_CREATE_PARTITION,
		.in = input,
		.in_sz = sizeof(*input),
		.out = &out,
		.out_sz = sizeof(out),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	int ret;

	ret = mshv_hv_call(&call);
	if (!ret)
		*partition_id = out.partition_id;
	return ret;
}

static int mshv_hv_partition_fast_call(u16 code, u64 partition_id,
				       u64 deposit_id, u32 deposit_pages)
{
	struct hv_input_partition_id in = { .partition_id = partition_id };
	struct mshv_hvcall call = {
		.code = code,
		.fast = true,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = deposit_id,
		.deposit_pages = deposit_pages,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_initialize_partition() - HVCALL_INITIALIZE_PARTITION (fast)
 * @partition_id: the partition
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_initialize_partition(u64 partition_id)
{
	return mshv_hv_partition_fast_call(HVCALL_INITIALIZE_PARTITION,
					   partition_id, partition_id,
					   MSHV_DEFAULT_DEPOSIT_PAGES);
}

/**
 * mshv_hv_finalize_partition() - HVCALL_FINALIZE_PARTITION (fast)
 * @partition_id: the partition
 *
 * Teardown cannot give up: out of memory, a page is deposited into the
 * partition (the withdraw that follows returns it) and the call retried.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_finalize_partition(u64 partition_id)
{
	return mshv_hv_partition_fast_call(HVCALL_FINALIZE_PARTITION,
					   partition_id, partition_id,
					   MSHV_DEFAULT_DEPOSIT_PAGES);
}

/**
 * mshv_hv_delete_partition() - HVCALL_DELETE_PARTITION (fast)
 * @partition_id: the partition
 *
 * Teardown cannot give up: out of memory, a page is deposited into the
 * root's own pool (SELF, where the partition's remains go) and the call
 * retried.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_delete_partition(u64 partition_id)
{
	return mshv_hv_partition_fast_call(HVCALL_DELETE_PARTITION,
					   partition_id, HV_PARTITION_ID_SELF,
					   MSHV_DEFAULT_DEPOSIT_PAGES);
}

/**
 * mshv_hv_get_partition_property() - HVCALL_GET_PARTITION_PROPERTY
 * @partition_id: the partition (or %HV_PARTITION_ID_SELF)
 * @property_code: HV_PARTITION_PROPERTY_*
 * @value: the property value
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_get_partition_property(u64 partition_id, u32 property_code,
				   u64 *value)
{
	struct hv_input_get_partition_property in = {
		.partition_id = partition_id,
		.property_code = property_code,
	};
	struct hv_output_get_partition_property out;
	struct mshv_hvcall call = {
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in = &in,
		.in_sz = sizeof(in),
		.out = &out,
		.out_sz = sizeof(out),
	};
	int ret;

	ret = mshv_hv_call(&call);
	if (!ret)
		*value = out.property_value;
	return ret;
}

/**
 * mshv_hv_map_gpa_batch() - one MAP_GPA_PAGES request
 * @partition_id: the partition
 * @guest_pfn: first guest page frame number (4 KiB units, also with
 *	%HV_MAP_GPA_LARGE_PAGE)
 * @pfns: host PFNs, one per rep (the first 4 KiB PFN of each 2 MiB page
 *	with %HV_MAP_GPA_LARGE_PAGE)
 * @count: number of reps, 1 to %HV_MAP_GPA_BATCH_SIZE
 * @flags: HV_MAP_GPA_* flags
 * @deposit: on HV_STATUS_INSUFFICIENT_MEMORY deposit
 *	%MSHV_MAP_GPA_DEPOSIT_PAGES pages and resume (may sleep and allocate);
 *	when false the call fails with -ENOMEM instead and never sleeps
 * @reps_done: reps completed, also on failure
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_map_gpa_batch(u64 partition_id, u64 guest_pfn, const u64 *pfns,
			  u16 count, u32 flags, bool deposit, u16 *reps_done)
{
	struct hv_input_map_gpa_pages hdr = {
		.target_partition_id = partition_id,
		.target_gpa_base = guest_pfn,
		.map_flags = flags,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_MAP_GPA_PAGES,
		.rep_count = count,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.rep_in = pfns,
		.rep_in_sz = count * sizeof(*pfns),
		.deposit_id = partition_id,
		.deposit_pages = deposit ? MSHV_MAP_GPA_DEPOSIT_PAGES : 0,
	};
	int ret;

	if (WARN_ON_ONCE(!count || count > HV_MAP_GPA_BATCH_SIZE)) {
		*reps_done = 0;
		return -EINVAL;
	}
	ret = mshv_hv_call(&call);
	*reps_done = call.reps_done;
	return ret;
}

/**
 * mshv_hv_unmap_gpa_batch() - one UNMAP_GPA_PAGES request
 * @partition_id: the partition
 * @guest_pfn: first guest page frame number (4 KiB units)
 * @count: number of reps (2 MiB pages with %HV_UNMAP_GPA_LARGE_PAGE),
 *	1 to %HV_UNMAP_GPA_BATCH_SIZE
 * @flags: HV_UNMAP_GPA_* flags
 *
 * Never sleeps, so it may be called from an MMU notifier.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_unmap_gpa_batch(u64 partition_id, u64 guest_pfn, u16 count,
			    u32 flags)
{
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = partition_id,
		.target_gpa_base = guest_pfn,
		.unmap_flags = flags,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_UNMAP_GPA_PAGES,
		.rep_count = count,
		.in = &in,
		.in_sz = sizeof(in),
	};

	if (WARN_ON_ONCE(!count || count > HV_UNMAP_GPA_BATCH_SIZE))
		return -EINVAL;
	return mshv_hv_call(&call);
}

/**
 * mshv_hv_get_gpa_access_states() - one GET_GPA_PAGES_ACCESS_STATES request
 * @partition_id: the partition
 * @guest_pfn: first guest page frame number
 * @count: number of pages, 1 to %HV_GPA_ACCESS_STATES_BATCH_SIZE
 * @flags: HV_GPA_ACCESS_STATE_* operations applied after reading
 * @states: one HV_GPA_PAGE_* byte per page, @count bytes
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_get_gpa_access_states(u64 partition_id, u64 guest_pfn, u16 count,
				  u64 flags, u8 *states)
{
	struct hv_input_get_gpa_pages_access_state in = {
		.partition_id = partition_id,
		.flags = flags,
		.hv_gpa_page_number = guest_pfn,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_GET_GPA_PAGES_ACCESS_STATES,
		.rep_count = count,
		.in = &in,
		.in_sz = sizeof(in),
		.out = states,
		.out_sz = count,
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	if (WARN_ON_ONCE(!count || count > HV_GPA_ACCESS_STATES_BATCH_SIZE))
		return -EINVAL;
	return mshv_hv_call(&call);
}

/**
 * mshv_hv_create_vp() - HVCALL_CREATE_VP
 * @partition_id: the partition
 * @vp_index: index of the new VP
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_create_vp(u64 partition_id, u32 vp_index)
{
	struct hv_input_create_vp in = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.subnode_type = HV_VP_SUBNODE_ANY,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_CREATE_VP,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_delete_vp() - HVCALL_DELETE_VP (fast)
 * @partition_id: the partition
 * @vp_index: the VP
 *
 * Undoing a half-created VP cannot give up: out of memory, a page is
 * deposited into the partition and the call retried.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_delete_vp(u64 partition_id, u32 vp_index)
{
	struct hv_input_delete_vp in = {
		.partition_id = partition_id,
		.vp_index = vp_index,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_DELETE_VP,
		.fast = true,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_get_vp_registers() - read VP registers
 * @partition_id: the partition
 * @vp_index: the VP
 * @count: number of registers
 * @names: HV_*REGISTER_* names, @count entries
 * @values: the values, @count entries
 *
 * Batched by HV_GET_VP_REGISTERS_BATCH_SIZE.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_get_vp_registers(u64 partition_id, u32 vp_index, u32 count,
			     const u32 *names, union hv_register_value *values)
{
	struct hv_input_get_vp_registers hdr = {
		.partition_id = partition_id,
		.vp_index = vp_index,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_GET_VP_REGISTERS,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	u32 done = 0;
	int ret;

	while (done < count) {
		call.rep_count = min_t(u32, count - done,
				       HV_GET_VP_REGISTERS_BATCH_SIZE);
		call.rep_in = names + done;
		call.rep_in_sz = call.rep_count * sizeof(*names);
		call.out = values + done;
		call.out_sz = call.rep_count * sizeof(*values);
		ret = mshv_hv_call(&call);
		if (ret)
			return ret;
		done += call.rep_count;
	}
	return 0;
}

/**
 * mshv_hv_set_vp_registers() - write VP registers
 * @partition_id: the partition
 * @vp_index: the VP
 * @count: number of registers
 * @assocs: name/value pairs, @count entries
 *
 * Batched by HV_SET_VP_REGISTERS_BATCH_SIZE.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_set_vp_registers(u64 partition_id, u32 vp_index, u32 count,
			     const struct hv_register_assoc *assocs)
{
	struct hv_input_set_vp_registers hdr = {
		.partition_id = partition_id,
		.vp_index = vp_index,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_SET_VP_REGISTERS,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	u32 done = 0;
	int ret;

	while (done < count) {
		call.rep_count = min_t(u32, count - done,
				       HV_SET_VP_REGISTERS_BATCH_SIZE);
		call.rep_in = assocs + done;
		call.rep_in_sz = call.rep_count * sizeof(*assocs);
		ret = mshv_hv_call(&call);
		if (ret)
			return ret;
		done += call.rep_count;
	}
	return 0;
}

/**
 * mshv_hv_map_vp_state_page() - HVCALL_MAP_VP_STATE_PAGE
 * @partition_id: the partition
 * @vp_index: the VP
 * @type: HV_VP_STATE_PAGE_*
 * @pfn: host page frame number of the page the hypervisor provides
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_map_vp_state_page(u64 partition_id, u32 vp_index, u16 type,
			      u64 *pfn)
{
	struct hv_input_map_vp_state_page in = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.type = type,
	};
	struct hv_output_map_vp_state_page out;
	struct mshv_hvcall call = {
		.code = HVCALL_MAP_VP_STATE_PAGE,
		.in = &in,
		.in_sz = sizeof(in),
		.out = &out,
		.out_sz = sizeof(out),
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	int ret;

	ret = mshv_hv_call(&call);
	if (!ret)
		*pfn = out.map_location;
	return ret;
}

/**
 * mshv_hv_unmap_vp_state_page() - HVCALL_UNMAP_VP_STATE_PAGE
 * @partition_id: the partition
 * @vp_index: the VP
 * @type: HV_VP_STATE_PAGE_*
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_unmap_vp_state_page(u64 partition_id, u32 vp_index, u16 type)
{
	struct hv_input_unmap_vp_state_page in = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.type = type,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_UNMAP_VP_STATE_PAGE,
		.in = &in,
		.in_sz = sizeof(in),
	};

	return mshv_hv_call(&call);
}

/* DISPATCH_VP through @be on this CPU's dispatch pages */
static int mshv_hv_dispatch_be(const struct mshv_hv_backend *be,
			       u64 partition_id, u32 vp_index, u32 flags,
			       struct hv_output_dispatch_vp *output)
{
	struct hv_output_dispatch_vp *out;
	struct hv_input_dispatch_vp *in;
	u64 result;
	u64 t0 = 0;

	memset(output, 0, sizeof(*output));
	if (WARN_ON_ONCE(!mshv_hv_pages_ready))
		return -EINVAL;

	preempt_disable();
	in = *this_cpu_ptr(&mshv_hv_dispatch_input_page);
	out = *this_cpu_ptr(&mshv_hv_dispatch_output_page);
	memset(in, 0, sizeof(*in));
	in->partition_id = partition_id;
	in->vp_index = vp_index;
	in->flags = flags;
	memset(out, 0, sizeof(*out));

	if (trace_mshv_hvcall_enabled())
		t0 = ktime_get_ns();
	result = be->hypercall(mshv_hv_control(HVCALL_DISPATCH_VP, false, 0,
					       0, 0), in, out);
	if (t0)
		trace_mshv_hvcall(HVCALL_DISPATCH_VP, 0, 0,
				  mshv_hv_result_status(result),
				  ktime_get_ns() - t0);
	*output = *out;
	preempt_enable();

	return mshv_hv_result_to_errno(result);
}

/**
 * mshv_hv_dispatch_vp() - HVCALL_DISPATCH_VP (root scheduler)
 * @partition_id: the partition
 * @vp_index: the VP
 * @flags: HV_DISPATCH_VP_FLAG_*
 * @output: dispatch state and event
 *
 * Runs the VP until an event; time slice and spec_ctrl are 0.  Issued
 * with preemption disabled and interrupts enabled, through this CPU's
 * dispatch pages (mshv_backend.h): the root's interrupts are taken while
 * the VP runs.
 *
 * Context: process context, interrupts enabled; does not sleep.
 * Return: 0 or a negative errno.
 */
int mshv_hv_dispatch_vp(u64 partition_id, u32 vp_index, u32 flags,
			struct hv_output_dispatch_vp *output)
{
	lockdep_assert_irqs_enabled();
	return mshv_hv_dispatch_be(mshv_backend, partition_id, vp_index, flags,
				   output);
}

/**
 * mshv_hv_passthrough() - issue a hypercall built by userspace
 * @partition_id: partition receiving pages if memory runs out
 * @code: HVCALL_* code (checked against an allow-list by the caller)
 * @rep_count: number of reps, 0 for a simple call
 * @input: @in_sz bytes of input
 * @in_sz: input size, at most HV_HYP_PAGE_SIZE
 * @output: buffer for @out_sz bytes of output, or NULL
 * @out_sz: output size, at most HV_HYP_PAGE_SIZE
 * @status: the final HV_STATUS_*
 * @reps_done: reps completed
 *
 * Rep calls are resumed from the reps completed; on insufficient memory a
 * page is deposited into @partition_id and the call resumed.
 * HV_STATUS_CALL_PENDING is returned as is (-EIO): the caller waits for
 * the completion (mshv_partition_async_call() in mshv_root_main.c).
 *
 * Return: 0 or the negative errno of @status.
 */
int mshv_hv_passthrough(u64 partition_id, u16 code, u16 rep_count,
			const void *input, u16 in_sz, void *output,
			u16 out_sz, u16 *status, u16 *reps_done)
{
	struct mshv_hvcall call = {
		.code = code,
		.rep_count = rep_count,
		.in = input,
		.in_sz = in_sz,
		.out = output,
		.out_sz = output ? out_sz : 0,
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	int ret;

	ret = mshv_hv_call(&call);
	*status = call.status;
	*reps_done = call.reps_done;
	return ret;
}

/* The per-CPU pages of the hypercall layer, in one list */
static void *__percpu *const mshv_hv_cpu_pages[] = {
	&mshv_hv_input_page,
	&mshv_hv_output_page,
	&mshv_hv_dispatch_input_page,
	&mshv_hv_dispatch_output_page,
};

static void mshv_hv_free_pages(void)
{
	void **slot;
	size_t i;
	int cpu;

	mshv_hv_pages_ready = false;
	for_each_possible_cpu(cpu) {
		for (i = 0; i < ARRAY_SIZE(mshv_hv_cpu_pages); i++) {
			slot = per_cpu_ptr(mshv_hv_cpu_pages[i], cpu);
			free_page((unsigned long)*slot);
			*slot = NULL;
		}
	}
}

/**
 * mshv_hv_init() - set up the hypercall layer
 * @backend: the hypervisor every call goes to
 * @pages_counted: called with the pages each deposit gave to a partition
 *	(positive) and each withdraw took back (negative), in the context
 *	of the call; may be NULL
 *
 * Allocates one input and one output page for every possible CPU, and
 * one of each for DISPATCH_VP.
 *
 * Return: 0 or -ENOMEM.
 */
int mshv_hv_init(const struct mshv_hv_backend *backend,
		 void (*pages_counted)(u64 partition_id, s64 pages))
{
	struct page *page;
	size_t i;
	int cpu;

	BUILD_BUG_ON(PAGE_SIZE != HV_HYP_PAGE_SIZE);

	for_each_possible_cpu(cpu) {
		for (i = 0; i < ARRAY_SIZE(mshv_hv_cpu_pages); i++) {
			page = alloc_pages_node(cpu_to_node(cpu),
						GFP_KERNEL | __GFP_ZERO, 0);
			if (!page)
				goto free_pages;
			*per_cpu_ptr(mshv_hv_cpu_pages[i], cpu) =
				page_address(page);
		}
	}
	mshv_backend = backend;
	mshv_hv_pages_counted = pages_counted;
	mshv_hv_pages_ready = true;
	return 0;

free_pages:
	mshv_hv_free_pages();
	return -ENOMEM;
}

/**
 * mshv_hv_exit() - free the per-CPU hypercall pages
 */
void mshv_hv_exit(void)
{
	mshv_hv_free_pages();
	mshv_backend = NULL;
	mshv_hv_pages_counted = NULL;
}

/*
 * GET/SET_VP_STATE share their 40-byte header; the variable header is the
 * PFN list of @pages, or @nr_bytes inline bytes (SET only) padded to whole
 * qwords, or empty (GET of an inline state type).
 */
static int mshv_hv_vp_state_call(u16 code, u64 partition_id, u32 vp_index,
				 const struct hv_vp_state_data *state,
				 struct page **pages, u32 nr_pages,
				 const void *bytes, size_t nr_bytes,
				 void *out, size_t out_sz)
{
	struct hv_input_get_vp_state hdr = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.state_data = *state,
	};
	struct mshv_hvcall call = {
		.code = code,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.out = out,
		.out_sz = out_sz,
		.deposit_id = partition_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};
	size_t var_sz = nr_pages ? nr_pages * sizeof(u64) : nr_bytes;
	void *var;
	u32 i;
	int ret;

	BUILD_BUG_ON(sizeof(struct hv_input_set_vp_state) != sizeof(hdr));

	if (var_sz > HV_HYP_PAGE_SIZE - sizeof(hdr) || (nr_pages && nr_bytes))
		return -EINVAL;
	if (!var_sz)
		return mshv_hv_call(&call);

	var = kzalloc(round_up(var_sz, sizeof(u64)), GFP_KERNEL);
	if (!var)
		return -ENOMEM;
	if (nr_pages) {
		u64 *pfns = var;

		for (i = 0; i < nr_pages; i++)
			pfns[i] = page_to_pfn(pages[i]);
	} else {
		memcpy(var, bytes, nr_bytes);
	}

	call.rep_in = var;
	call.rep_in_sz = round_up(var_sz, sizeof(u64));
	call.varhead_qwords = call.rep_in_sz / sizeof(u64);
	ret = mshv_hv_call(&call);
	kfree(var);
	return ret;
}

/**
 * mshv_hv_get_vp_state() - HVCALL_GET_VP_STATE
 * @partition_id: the partition
 * @vp_index: the VP
 * @state: state type (HV_GET_SET_VP_STATE_*) and, for XSAVE, the
 *	components to read
 * @pages: for a PFN state type, the pages the hypervisor writes, else NULL
 * @nr_pages: number of @pages (0 for an inline state type)
 * @out: for an inline state type, receives @out_sz bytes, else NULL
 * @out_sz: size of @out
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_get_vp_state(u64 partition_id, u32 vp_index,
			 const struct hv_vp_state_data *state,
			 struct page **pages, u32 nr_pages,
			 void *out, size_t out_sz)
{
	return mshv_hv_vp_state_call(HVCALL_GET_VP_STATE, partition_id,
				     vp_index, state, pages, nr_pages, NULL, 0,
				     out, out_sz);
}

/**
 * mshv_hv_set_vp_state() - HVCALL_SET_VP_STATE
 * @partition_id: the partition
 * @vp_index: the VP
 * @state: state type (HV_GET_SET_VP_STATE_*) and, for XSAVE, the
 *	components to write
 * @pages: for a PFN state type, the pages holding the state, else NULL
 * @nr_pages: number of @pages (0 for an inline state type)
 * @bytes: for an inline state type, the state, else NULL
 * @nr_bytes: size of @bytes
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_set_vp_state(u64 partition_id, u32 vp_index,
			 const struct hv_vp_state_data *state,
			 struct page **pages, u32 nr_pages,
			 const void *bytes, size_t nr_bytes)
{
	return mshv_hv_vp_state_call(HVCALL_SET_VP_STATE, partition_id,
				     vp_index, state, pages, nr_pages, bytes,
				     nr_bytes, NULL, 0);
}

/*
 * Root SynIC registers, ports and interrupt assertion.  The calls with
 * @may_sleep false never sleep: they are issued from the root's SynIC
 * interrupt handler and from eventfd wakeups, which retry from a work item
 * when the hypervisor needs memory.
 */

/**
 * mshv_hv_get_root_synic_reg() - read a register of this CPU's root SynIC
 * @name: HV_REGISTER_SINT0.. HV_REGISTER_SIRBP
 * @value: the value
 * @may_sleep: deposit a page into the root (SELF) and retry when the
 *	hypervisor needs memory; when false the call never sleeps and
 *	returns -ENOMEM instead
 *
 * GET_VP_REGISTERS on HV_PARTITION_ID_SELF / HV_VP_INDEX_SELF: the
 * registers of the root VP running on the calling CPU.  The caller keeps
 * itself on one CPU (even across a deposit when @may_sleep).
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_get_root_synic_reg(u32 name, u64 *value, bool may_sleep)
{
	struct hv_input_get_vp_registers hdr = {
		.partition_id = HV_PARTITION_ID_SELF,
		.vp_index = HV_VP_INDEX_SELF,
	};
	union hv_register_value out;
	struct mshv_hvcall call = {
		.code = HVCALL_GET_VP_REGISTERS,
		.rep_count = 1,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.rep_in = &name,
		.rep_in_sz = sizeof(name),
		.out = &out,
		.out_sz = sizeof(out),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = may_sleep ? MSHV_DEFAULT_DEPOSIT_PAGES : 0,
	};
	int ret;

	ret = mshv_hv_call(&call);
	if (!ret)
		*value = out.reg64;
	return ret;
}

/**
 * mshv_hv_set_root_synic_reg() - write a register of this CPU's root SynIC
 * @name: HV_REGISTER_SINT0.. HV_REGISTER_SIRBP
 * @value: the value
 * @may_sleep: deposit a page into the root (SELF) and retry when the
 *	hypervisor needs memory; when false the call never sleeps (callable
 *	from the root SynIC interrupt handler, e.g. for EOM) and returns
 *	-ENOMEM instead
 *
 * SET_VP_REGISTERS on HV_PARTITION_ID_SELF / HV_VP_INDEX_SELF.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_set_root_synic_reg(u32 name, u64 value, bool may_sleep)
{
	struct hv_input_set_vp_registers hdr = {
		.partition_id = HV_PARTITION_ID_SELF,
		.vp_index = HV_VP_INDEX_SELF,
	};
	struct hv_register_assoc assoc = {
		.name = name,
		.value.reg64 = value,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_SET_VP_REGISTERS,
		.rep_count = 1,
		.in = &hdr,
		.in_sz = sizeof(hdr),
		.rep_in = &assoc,
		.rep_in_sz = sizeof(assoc),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = may_sleep ? MSHV_DEFAULT_DEPOSIT_PAGES : 0,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_notify_port_ring_empty() - HVCALL_NOTIFY_PORT_RING_EMPTY (fast)
 * @sint_index: the event ring the root drained
 * @may_sleep: deposit a page into the root (SELF) and retry when the
 *	hypervisor needs memory; when false the call never sleeps and
 *	returns -ENOMEM instead
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_notify_port_ring_empty(u32 sint_index, bool may_sleep)
{
	struct hv_input_notify_port_ring_empty in = {
		.sint_index = sint_index,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_NOTIFY_PORT_RING_EMPTY,
		.fast = true,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = may_sleep ? MSHV_DEFAULT_DEPOSIT_PAGES : 0,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_assert_virtual_interrupt() - HVCALL_ASSERT_VIRTUAL_INTERRUPT
 * @partition_id: the guest partition
 * @vector: the interrupt vector
 * @dest_addr: destination APIC id (or logical destination)
 * @type: HV_X64_INTERRUPT_TYPE_*
 * @flags: HV_ASSERT_INTERRUPT_* (trigger mode, destination mode)
 * @may_sleep: deposit a page into the partition and retry when the
 *	hypervisor needs memory; when false the call never sleeps and
 *	returns -ENOMEM instead
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_assert_virtual_interrupt(u64 partition_id, u32 vector,
				     u64 dest_addr, u32 type, u32 flags,
				     bool may_sleep)
{
	struct hv_input_assert_virtual_interrupt in = {
		.partition_id = partition_id,
		.interrupt_type = type,
		.control_flags = flags,
		.dest_addr = dest_addr,
		.vector = vector,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_ASSERT_VIRTUAL_INTERRUPT,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = partition_id,
		.deposit_pages = may_sleep ? MSHV_DEFAULT_DEPOSIT_PAGES : 0,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_create_doorbell_port() - HVCALL_CREATE_PORT for a doorbell
 * @port_id: the port id (24 bits), owned by the root
 * @guest_id: the partition that connects to it
 *
 * The port delivers into the root's event ring HV_SYNIC_DOORBELL_SINT_INDEX
 * on any CPU.  Deposits into the root while the hypervisor needs memory.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_create_doorbell_port(u32 port_id, u64 guest_id)
{
	struct hv_input_create_port in = {
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
		.connection_partition_id = guest_id,
		.port_type = HV_PORT_TYPE_DOORBELL,
		.target_sint = HV_SYNIC_DOORBELL_SINT_INDEX,
		.target_vp = HV_ANY_VP,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_CREATE_PORT,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_connect_doorbell_port() - HVCALL_CONNECT_PORT for a doorbell
 * @guest_id: the connecting partition
 * @port_id: the root's port, also used as the connection id
 * @gpa: guest physical address of the doorbell
 * @trigger_value: value a write must carry (unless ANY_VALUE in @flags)
 * @flags: HV_DOORBELL_FLAG_*
 *
 * Deposits into the guest partition while the hypervisor needs memory.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_connect_doorbell_port(u64 guest_id, u32 port_id, u64 gpa,
				  u64 trigger_value, u64 flags)
{
	struct hv_input_connect_port in = {
		.connection_partition_id = guest_id,
		.connection_id = port_id,
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
		.port_type = HV_PORT_TYPE_DOORBELL,
		.doorbell_gpa = gpa,
		.doorbell_trigger_value = trigger_value,
		.doorbell_flags = flags,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_CONNECT_PORT,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = guest_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_disconnect_doorbell_port() - HVCALL_DISCONNECT_PORT (fast)
 * @guest_id: the connecting partition
 * @connection_id: the connection id given to CONNECT_PORT
 *
 * Teardown cannot give up: out of memory, a page is deposited into the
 * guest partition and the call retried.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_disconnect_doorbell_port(u64 guest_id, u32 connection_id)
{
	struct hv_input_disconnect_port in = {
		.connection_partition_id = guest_id,
		.connection_id = connection_id,
		.flags = HV_DISCONNECT_PORT_IS_DOORBELL,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_DISCONNECT_PORT,
		.fast = true,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = guest_id,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_delete_port() - HVCALL_DELETE_PORT (fast) of a root port
 * @port_id: the port
 *
 * Teardown cannot give up: out of memory, a page is deposited into the
 * root (the port's owner) and the call retried.
 *
 * Return: 0 or a negative errno.
 */
int mshv_hv_delete_port(u32 port_id)
{
	struct hv_input_delete_port in = {
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
	};
	struct mshv_hvcall call = {
		.code = HVCALL_DELETE_PORT,
		.fast = true,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = HV_PARTITION_ID_SELF,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	return mshv_hv_call(&call);
}

/**
 * mshv_hv_set_root_isr() - install or remove the root SynIC interrupt handler
 * @isr: the handler, or NULL to remove it (waits for running invocations)
 *
 * Return: 0, or -EOPNOTSUPP when the backend cannot deliver root
 * interrupts.
 */
int mshv_hv_set_root_isr(void (*isr)(void))
{
	if (!mshv_backend || !mshv_backend->set_root_isr)
		return -EOPNOTSUPP;
	return mshv_backend->set_root_isr(isr);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/hv_call_test.c"
#endif
