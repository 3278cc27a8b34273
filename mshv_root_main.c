// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: /dev/mshv, the root-partition interface of the Microsoft
 * Hypervisor, with the userspace ABI of mainline Linux.
 *
 * /dev/mshv creates partitions; a partition fd creates VPs and maps guest
 * memory; a VP fd runs the VP and maps its register and intercept message
 * pages.  Everything reaches the hypervisor through the hypercall layer
 * (mshv_root_hv_call.c) and the one backend bound at module load: the real
 * hypervisor when Linux is its root partition, else hvsim.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/bits.h>
#include <linux/compat.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "uapi/linux/mshv.h"

#include "mshv_compat.h"
#include "mshv_regions.h"
#include "mshv_root.h"
#include "mshv_trace.h"

/* hvsim's backend when it is the one in use, for symbol_put() */
static const struct mshv_hv_backend *mshv_hvsim;

/*
 * Live partitions by hypervisor id, for the root SynIC interrupt handler:
 * changed under mshv_partitions_lock, looked up under RCU.
 */
static DEFINE_HASHTABLE(mshv_partitions, 6);
static DEFINE_SPINLOCK(mshv_partitions_lock);

/**
 * mshv_partition_find_rcu() - look a partition up by its hypervisor id
 * @id: the partition id
 *
 * The caller holds rcu_read_lock(); the partition stays valid until it
 * drops it (the teardown waits for a grace period after unhashing).
 *
 * Return: the partition or NULL.
 */
static struct mshv_partition *mshv_partition_find_rcu(u64 id)
{
	struct mshv_partition *partition;

	hash_for_each_possible_rcu(mshv_partitions, partition, id_node, id)
		if (partition->id == id)
			return partition;
	return NULL;
}

/**
 * mshv_partition_count_deposit() - account pages deposited or withdrawn
 * @id: the partition id (nothing is counted for other ids, e.g.
 *	HV_PARTITION_ID_SELF or a partition being torn down)
 * @pages: pages deposited (positive) or withdrawn (negative)
 */
static void mshv_partition_count_deposit(u64 id, s64 pages)
{
	struct mshv_partition *partition;

	if (!pages)
		return;
	rcu_read_lock();
	partition = mshv_partition_find_rcu(id);
	if (partition)
		atomic64_add(pages, &partition->deposited_pages);
	rcu_read_unlock();
}

/*
 * debugfs: /sys/kernel/debug/mshv_root/partitions, one line per live
 * partition with the pages the driver deposited into it and did not
 * withdraw, and the bytes of driver memory it keeps.
 */
static int mshv_partitions_show(struct seq_file *m, void *unused)
{
	struct mshv_partition *partition;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(mshv_partitions, bkt, partition, id_node)
		seq_printf(m, "id=0x%llx deposited_pages=%lld driver_bytes=%lld\n",
			   partition->id,
			   (s64)atomic64_read(&partition->deposited_pages),
			   (s64)atomic64_read(&partition->driver_bytes));
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_partitions);

/*
 * debugfs: /sys/kernel/debug/mshv_root/sizes, what each object counted in
 * driver_bytes costs in this build (Documentation/regions.rst, "Memory
 * overhead of a partition")
 */
static int mshv_sizes_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "partition=%zu vp=%zu",
		   kmalloc_size_roundup(sizeof(struct mshv_partition)),
		   kmalloc_size_roundup(sizeof(struct mshv_vp)));
	mshv_regions_sizes_show(m);
	mshv_eventfd_sizes_show(m);
	mshv_regions_sizes_show_pool(m);
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_sizes);

/* /sys/kernel/debug/mshv_root: one directory, each file's owner fills it */
static struct dentry *mshv_debugfs_dir;

static void mshv_debugfs_init(void)
{
	mshv_debugfs_dir = debugfs_create_dir("mshv_root", NULL);
	debugfs_create_file("partitions", 0444, mshv_debugfs_dir, NULL,
			    &mshv_partitions_fops);
	debugfs_create_file("sizes", 0444, mshv_debugfs_dir, NULL,
			    &mshv_sizes_fops);
	mshv_regions_debugfs_init(mshv_debugfs_dir);
}

static void mshv_debugfs_exit(void)
{
	debugfs_remove_recursive(mshv_debugfs_dir);
	mshv_debugfs_dir = NULL;
}

/*
 * Partition lifetime
 */

/**
 * mshv_partition_get() - take a reference on a partition
 * @partition: the partition
 */
void mshv_partition_get(struct mshv_partition *partition)
{
	kref_get(&partition->ref);
}

static void mshv_vp_unmap_state_pages(struct mshv_vp *vp)
{
	struct mshv_partition *partition = vp->partition;
	int ret;

	if (vp->register_page) {
		ret = mshv_hv_unmap_vp_state_page(partition->id, vp->index,
						  HV_VP_STATE_PAGE_REGISTERS);
		if (ret)
			pr_warn("partition %#llx VP %u: unmapping the register page failed: %d\n",
				partition->id, vp->index, ret);
		vp->register_page = NULL;
	}
	if (vp->intercept_page) {
		ret = mshv_hv_unmap_vp_state_page(partition->id, vp->index,
						  HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
		if (ret)
			pr_warn("partition %#llx VP %u: unmapping the intercept message page failed: %d\n",
				partition->id, vp->index, ret);
		vp->intercept_page = NULL;
	}
}

/* Undo the set-up of a VP in mshv_vp_create(), after its hypervisor VP */
static void mshv_vp_free(struct mshv_vp *vp)
{
	mutex_destroy(&vp->run_mutex);
	mshv_partition_account(vp->partition,
			       -(s64)kmalloc_size_roundup(sizeof(*vp)));
	kfree(vp);
}

/* The asynchronous call state (see "Asynchronous hypercalls" below) */
static void mshv_async_init(struct mshv_partition *partition)
{
	mutex_init(&partition->async_mutex);
	spin_lock_init(&partition->async_lock);
	init_waitqueue_head(&partition->async_wq);
	partition->async_state = MSHV_ASYNC_IDLE;
}

static void mshv_async_exit(struct mshv_partition *partition)
{
	mutex_destroy(&partition->async_mutex);
}

/*
 * Allocate a partition and set up what each file keeps in it; undone by
 * mshv_partition_free().
 */
static struct mshv_partition *mshv_partition_alloc(void)
{
	struct mshv_partition *partition;

	partition = kzalloc(sizeof(*partition), GFP_KERNEL_ACCOUNT);
	if (!partition)
		return NULL;
	kref_init(&partition->ref);
	mshv_partition_account(partition,
			       kmalloc_size_roundup(sizeof(*partition)));
	mutex_init(&partition->mutex);
	mshv_partition_regions_init(partition);
	mshv_irq_init(partition);
	mshv_eventfd_partition_init(partition);
	mshv_async_init(partition);
	return partition;
}

/*
 * Undo mshv_partition_alloc(), in reverse, for a partition the hypervisor
 * no longer knows (or never knew): the end of the teardown and of a failed
 * MSHV_CREATE_PARTITION.
 */
static void mshv_partition_free(struct mshv_partition *partition)
{
	mshv_async_exit(partition);
	mshv_eventfd_partition_exit(partition);
	mshv_irq_release(partition);
	mutex_destroy(&partition->mutex);
	kfree(partition);
}

/*
 * Tear a partition down: VP state pages, FINALIZE, guest memory, WITHDRAW
 * until nothing is left, DELETE.  Runs when the last file is released, so
 * nothing else can reach the partition.  It never fails: hypercall errors
 * are logged and the teardown goes on; every page the hypervisor hands
 * back is freed.
 */
static void mshv_partition_release(struct kref *ref)
{
	struct mshv_partition *partition =
		container_of(ref, struct mshv_partition, ref);
	int i, ret;

	/* The root SynIC handler must not find it any more */
	spin_lock(&mshv_partitions_lock);
	hash_del_rcu(&partition->id_node);
	spin_unlock(&mshv_partitions_lock);
	synchronize_rcu();
	mshv_eventfd_partition_release(partition);

	for (i = 0; i < MSHV_MAX_VPS; i++) {
		struct mshv_vp *vp = partition->vps[i];

		if (!vp)
			continue;
		mshv_vp_unmap_state_pages(vp);
		mshv_vp_free(vp);
		partition->vps[i] = NULL;
	}

	/* Unmapped before FINALIZE, while the partition still has a SLAT */
	mshv_partition_regions_destroy(partition);

	ret = mshv_hv_finalize_partition(partition->id);
	if (ret)
		pr_warn("partition %#llx: finalize failed: %d\n",
			partition->id, ret);

	ret = mshv_hv_withdraw_memory(partition->id);
	if (ret)
		pr_warn("partition %#llx: withdrawing its memory failed: %d\n",
			partition->id, ret);

	ret = mshv_hv_delete_partition(partition->id);
	if (ret)
		pr_warn("partition %#llx: delete failed: %d\n",
			partition->id, ret);

	mshv_partition_free(partition);
}

/**
 * mshv_partition_put() - drop a reference on a partition
 * @partition: the partition
 *
 * Dropping the last reference tears the partition down; that may sleep.
 */
void mshv_partition_put(struct mshv_partition *partition)
{
	might_sleep();
	kref_put(&partition->ref, mshv_partition_release);
}

/*
 * Asynchronous hypercalls
 *
 * HVCALL_SET_PARTITION_PROPERTY may return HV_STATUS_CALL_PENDING: the
 * hypervisor carries the call out later and posts HVMSG_ASYNC_CALL_COMPLETION
 * {partition id, status} to the root's SINT0.  The message names no call,
 * so a partition has at most one such call in flight (async_mutex), and
 * the state is armed before the call is issued: a completion that arrives
 * before the issuer starts waiting is not lost.
 *
 * The wait is killable.  A waiter killed before the completion arrived
 * leaves the partition ABANDONED: the hypervisor still owes that
 * completion, and it is dropped when it comes.  Until then every new
 * asynchronous call of the partition fails with -EPERM before anything is
 * issued (as mainline does while a completion is unconsumed), so a late
 * completion can never be taken for a later call.  Other signals do not
 * interrupt the wait.
 */

/* Ready the partition for a completion of a new call; -EPERM if abandoned */
static int mshv_async_arm(struct mshv_partition *partition, u64 *seq)
{
	int ret = 0;

	lockdep_assert_held(&partition->async_mutex);
	spin_lock_irq(&partition->async_lock);
	if (partition->async_state == MSHV_ASYNC_ABANDONED) {
		ret = -EPERM;
	} else {
		partition->async_state = MSHV_ASYNC_ARMED;
		*seq = ++partition->async_seq;
	}
	spin_unlock_irq(&partition->async_lock);
	return ret;
}

/* The armed call completed synchronously: nothing more will come */
static void mshv_async_disarm(struct mshv_partition *partition)
{
	lockdep_assert_held(&partition->async_mutex);
	spin_lock_irq(&partition->async_lock);
	partition->async_state = MSHV_ASYNC_IDLE;
	spin_unlock_irq(&partition->async_lock);
}

static bool mshv_async_done(struct mshv_partition *partition, u64 seq)
{
	return READ_ONCE(partition->async_done_seq) == seq;
}

/*
 * Wait for the completion of call @seq, which returned CALL_PENDING.  A
 * fatal signal abandons the call, unless its completion made it in time.
 */
static int mshv_async_wait(struct mshv_partition *partition, u64 seq,
			   u16 *status)
{
	int ret;

	lockdep_assert_held(&partition->async_mutex);
	ret = wait_event_killable(partition->async_wq,
				  mshv_async_done(partition, seq));
	spin_lock_irq(&partition->async_lock);
	if (partition->async_done_seq == seq) {
		*status = partition->async_status;
		partition->async_state = MSHV_ASYNC_IDLE;
		ret = 0;
	} else {
		partition->async_state = MSHV_ASYNC_ABANDONED;
		ret = ret ?: -EINTR;
	}
	spin_unlock_irq(&partition->async_lock);
	return ret;
}

/**
 * mshv_partition_async_complete() - an asynchronous call of @partition
 *	completed (HVMSG_ASYNC_CALL_COMPLETION)
 * @partition: the partition named by the message
 * @status: the call's HV status
 *
 * Called by the root SynIC interrupt handler, in hard interrupt context,
 * under rcu_read_lock().  Completes the call being waited for; drops the
 * completion of an abandoned call (and any completion nobody expects).
 */
static void mshv_partition_async_complete(struct mshv_partition *partition,
					  u16 status)
{
	unsigned long flags;
	bool wake = false;
	int state;

	spin_lock_irqsave(&partition->async_lock, flags);
	state = partition->async_state;
	switch (state) {
	case MSHV_ASYNC_ARMED:
		partition->async_status = status;
		WRITE_ONCE(partition->async_done_seq, partition->async_seq);
		partition->async_state = MSHV_ASYNC_DONE;
		wake = true;
		break;
	case MSHV_ASYNC_ABANDONED:
		/* The waiter is gone: new calls may go ahead again */
		partition->async_state = MSHV_ASYNC_IDLE;
		break;
	default:
		break;
	}
	spin_unlock_irqrestore(&partition->async_lock, flags);

	if (wake)
		wake_up(&partition->async_wq);
	else if (state != MSHV_ASYNC_ABANDONED)
		pr_warn_ratelimited("partition %#llx: unexpected asynchronous completion, status %#x\n",
				    partition->id, status);
}

/*
 * Issue a call that may complete asynchronously, through @issue (which
 * makes one attempt, with the synchronous deposit-and-retry, and returns
 * its errno and HV status), and wait for its completion when it goes
 * pending.  A completion with HV_STATUS_INSUFFICIENT_MEMORY deposits
 * one page into the partition and issues the call again, like a
 * synchronous failure does.  Without a root SynIC interrupt no completion
 * can arrive: a pending call then fails with -EIO, status CALL_PENDING.
 *
 * Return: 0 or the errno of the final status; -EPERM when an abandoned
 * call's completion is still owed (nothing issued); -EINTR when killed.
 */
static int mshv_partition_async_call(struct mshv_partition *partition,
				     int (*issue)(void *ctx, u16 *status),
				     void *ctx, u16 *status)
{
	u64 seq;
	int ret;

	if (mutex_lock_killable(&partition->async_mutex))
		return -EINTR;
	for (;;) {
		ret = mshv_async_arm(partition, &seq);
		if (ret)
			break;
		ret = issue(ctx, status);
		if (*status != HV_STATUS_CALL_PENDING ||
		    !mshv_synic_available()) {
			mshv_async_disarm(partition);
			break;
		}
		ret = mshv_async_wait(partition, seq, status);
		if (ret)
			break;
		ret = mshv_hv_status_to_errno(*status);
		if (*status != HV_STATUS_INSUFFICIENT_MEMORY)
			break;
		ret = mshv_hv_deposit_memory(partition->id,
					     MSHV_DEFAULT_DEPOSIT_PAGES);
		if (ret)
			break;
	}
	mutex_unlock(&partition->async_mutex);
	return ret;
}

/*
 * MSHV_ROOT_HVCALL
 */

static bool mshv_hvcall_allowed(u16 code, enum mshv_hvcall_target target)
{
	switch (code) {
	case HVCALL_GET_PARTITION_PROPERTY:
	case HVCALL_GET_PARTITION_PROPERTY_EX:
		return true;
	case HVCALL_SET_PARTITION_PROPERTY:
		/* May complete asynchronously: only on the partition fd */
		return target == MSHV_HVCALL_PARTITION;
	case HVCALL_INSTALL_INTERCEPT:
	case HVCALL_GET_VP_REGISTERS:
	case HVCALL_SET_VP_REGISTERS:
	case HVCALL_TRANSLATE_VIRTUAL_ADDRESS:
	case HVCALL_CLEAR_VIRTUAL_INTERRUPT:
	case HVCALL_REGISTER_INTERCEPT_RESULT:
	case HVCALL_ASSERT_VIRTUAL_INTERRUPT:
	case HVCALL_GET_GPA_PAGES_ACCESS_STATES:
	case HVCALL_SIGNAL_EVENT_DIRECT:
	case HVCALL_POST_MESSAGE_DIRECT:
	case HVCALL_GET_VP_CPUID_VALUES:
		return target != MSHV_HVCALL_SELF;
	default:
		return false;
	}
}

/**
 * struct mshv_passthrough_ctx - one MSHV_ROOT_HVCALL, for its issuer
 * @partition_id: partition id (also the first 8 bytes of @input)
 * @args: the ioctl argument
 * @input: the input bytes
 * @output: the output buffer, or NULL
 * @reps_done: result: reps completed
 * @issued: result: the call reached the hypervisor
 */
struct mshv_passthrough_ctx {
	u64 partition_id;
	const struct mshv_root_hvcall *args;
	void *input;
	void *output;
	u16 reps_done;
	bool issued;
};

static int mshv_passthrough_issue(void *ctx, u16 *status)
{
	struct mshv_passthrough_ctx *c = ctx;

	c->issued = true;
	return mshv_hv_passthrough(c->partition_id, c->args->code,
				   c->args->reps, c->input, c->args->in_sz,
				   c->output, c->args->out_sz, status,
				   &c->reps_done);
}

/*
 * A page of a movable region is in the SLAT only while the guest uses it,
 * and may be there read-only (a KSM or zero page).  A translation that
 * ends on such a page, which the VMM's instruction emulation then reads
 * or writes through its own mapping, would otherwise fail for as long as
 * the guest does not touch the page itself.  Map the page the way a GPA
 * intercept would, with the access the call validates, and ask again.
 */
static int mshv_translate_fault_in(struct mshv_partition *partition,
				   struct mshv_passthrough_ctx *c,
				   u16 *status)
{
	const struct hv_input_translate_virtual_address *in = c->input;
	const struct hv_output_translate_virtual_address *out = c->output;
	u8 access = HV_INTERCEPT_ACCESS_READ;

	if (!out || c->args->in_sz < sizeof(*in) ||
	    c->args->out_sz < sizeof(*out))
		return 0;
	switch (out->result_code) {
	case HV_TRANSLATE_GVA_GPA_UNMAPPED:
	case HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS:
	case HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS:
		break;
	default:
		return 0;
	}
	if (in->control_flags & HV_TRANSLATE_GVA_VALIDATE_WRITE)
		access = HV_INTERCEPT_ACCESS_WRITE;
	else if (in->control_flags & HV_TRANSLATE_GVA_VALIDATE_EXECUTE)
		access = HV_INTERCEPT_ACCESS_EXECUTE;
	if (mshv_partition_fault_gfn(partition, out->gpa_page, access) <= 0)
		return 0;
	return mshv_passthrough_issue(c, status);
}

/**
 * mshv_root_hvcall() - MSHV_ROOT_HVCALL: a hypercall built by userspace
 * @partition: the partition of a partition or VP fd, NULL for /dev/mshv
 * @partition_id: the partition the call is for (HV_PARTITION_ID_SELF for
 *	/dev/mshv)
 * @target: the kind of fd the call came through
 * @args: the ioctl argument, copied in; checked here
 * @uarg: where @args came from: status and reps completed go back there
 *
 * The first 8 bytes of the input are replaced by @partition_id.  Status
 * and reps completed are written back once the call was issued; the
 * output only on success.
 *
 * SET_PARTITION_PROPERTY may complete asynchronously
 * (HV_STATUS_CALL_PENDING, then an ASYNC_CALL_COMPLETION message): it goes
 * through mshv_partition_async_call(), and the status written back is the
 * completion's.
 *
 * A TRANSLATE_VIRTUAL_ADDRESS that ends on a page of a movable or MMIO
 * region the SLAT does not have with the validated access is asked again
 * once the page was mapped (mshv_translate_fault_in()).
 *
 * Return: 0 or a negative errno (-EINVAL for a bad argument or a code not
 * allowed on the fd, -EFAULT, -ENOMEM, or the hypervisor status's errno).
 */
long mshv_root_hvcall(struct mshv_partition *partition, u64 partition_id,
		      enum mshv_hvcall_target target,
		      struct mshv_root_hvcall *args, void __user *uarg)
{
	struct mshv_passthrough_ctx ctx = { .partition_id = partition_id };
	void *input, *output = NULL;
	u16 status = 0;
	long ret;

	if (args->status || !args->in_ptr || args->in_sz < sizeof(u64) ||
	    args->in_sz > HV_HYP_PAGE_SIZE ||
	    memchr_inv(args->rsvd, 0, sizeof(args->rsvd)))
		return -EINVAL;
	if (args->out_ptr && (!args->out_sz || args->out_sz > HV_HYP_PAGE_SIZE))
		return -EINVAL;
	if (args->reps > HV_HYPERCALL_REP_MAX)
		return -EINVAL;
	if (!mshv_hvcall_allowed(args->code, target))
		return -EINVAL;

	input = memdup_user(u64_to_user_ptr(args->in_ptr), args->in_sz);
	if (IS_ERR(input))
		return PTR_ERR(input);
	memcpy(input, &partition_id, sizeof(partition_id));

	if (args->out_ptr) {
		output = kzalloc(args->out_sz, GFP_KERNEL);
		if (!output) {
			ret = -ENOMEM;
			goto free_input;
		}
	}

	ctx.args = args;
	ctx.input = input;
	ctx.output = output;
	if (args->code == HVCALL_SET_PARTITION_PROPERTY)
		ret = mshv_partition_async_call(partition,
						mshv_passthrough_issue, &ctx,
						&status);
	else
		ret = mshv_passthrough_issue(&ctx, &status);
	if (!ret && args->code == HVCALL_TRANSLATE_VIRTUAL_ADDRESS)
		ret = mshv_translate_fault_in(partition, &ctx, &status);
	if (!ctx.issued)
		goto free_output;

	args->status = status;
	args->reps = ctx.reps_done;
	if (copy_to_user(uarg, args, sizeof(*args)))
		ret = -EFAULT;
	else if (!ret && output &&
		 copy_to_user(u64_to_user_ptr(args->out_ptr), output,
			      args->out_sz))
		ret = -EFAULT;

free_output:
	kfree(output);
free_input:
	kfree(input);
	return ret;
}

/*
 * VP fd
 */

/**
 * mshv_vp_kick() - wake a MSHV_RUN_VP that waits for its VP to be runnable
 * @vp: the VP
 *
 * Called through the root SynIC's callback table (mshv_root_synic_ops)
 * when the hypervisor signals that the VP became runnable.
 */
static void mshv_vp_kick(struct mshv_vp *vp)
{
	WRITE_ONCE(vp->kicked, true);
	wake_up(&vp->kick_wq);
}

static int mshv_vp_clear_explicit_suspend(struct mshv_vp *vp)
{
	struct hv_register_assoc assoc = {
		.name = HV_REGISTER_EXPLICIT_SUSPEND,
	};

	return mshv_hv_set_vp_registers(vp->partition->id, vp->index, 1,
					&assoc);
}

/*
 * Root-scheduler run loop: dispatch the VP until it stops with an
 * intercept (return 0; the message is on the intercept page) or a signal
 * arrives (-EINTR).
 */
static int mshv_vp_run(struct mshv_vp *vp)
{
	struct hv_vp_register_page *regs = page_address(vp->register_page);
	struct hv_output_dispatch_vp out;
	u32 flags;
	int ret;

	lockdep_assert_held(&vp->run_mutex);

	for (;;) {
		if (signal_pending(current))
			return -EINTR;
		cond_resched();

		flags = 0;
		if (vp->intercept_pending)
			flags |= HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND;
		if (READ_ONCE(regs->interrupt_vectors.as_uint64))
			flags |= HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION;

		/* This dispatch sees whatever an earlier kick announced */
		WRITE_ONCE(vp->kicked, false);
		ret = mshv_hv_dispatch_vp(vp->partition->id, vp->index, flags,
					  &out);
		if (ret)
			return ret;
		vp->intercept_pending = false;

		switch (out.dispatch_state) {
		case HV_VP_DISPATCH_STATE_READY:
			if (out.dispatch_event == HV_VP_DISPATCH_EVENT_INTERCEPT) {
				vp->intercept_pending = true;
				/* GPA intercepts of movable memory: resolved here */
				ret = mshv_vp_handle_gpa_intercept(vp);
				if (ret <= 0)
					return ret;
				break;
			}
			/* Time slice over: signals and rescheduling, then on */
			break;
		case HV_VP_DISPATCH_STATE_BLOCKED:
			/*
			 * A new VP starts explicitly suspended: clear that, as
			 * mainline does, and wait like for any other block.
			 * The hypervisor signals the VP once it can run; a
			 * suspend that remains (DISPATCH_SUSPEND set by the
			 * VMM) keeps the run asleep until then or a signal.
			 * Without root SynIC interrupts no signal can come:
			 * dispatch again.
			 */
			if (out.dispatch_event == HV_VP_DISPATCH_EVENT_SUSPEND) {
				ret = mshv_vp_clear_explicit_suspend(vp);
				if (ret)
					return ret;
				if (!mshv_synic_available())
					break;
			}
			if (wait_event_interruptible(vp->kick_wq,
						     READ_ONCE(vp->kicked)))
				return -EINTR;
			WRITE_ONCE(vp->kicked, false);
			break;
		default:
			pr_warn_ratelimited("partition %#llx VP %u: unexpected dispatch state %u event %u\n",
					    vp->partition->id, vp->index,
					    out.dispatch_state,
					    out.dispatch_event);
			return -EIO;
		}
	}
}

/* The type of the message on @vp's intercept page (also mapped to users) */
static u32 mshv_vp_message_type(struct mshv_vp *vp)
{
	const struct hv_message *msg = page_address(vp->intercept_page);

	return READ_ONCE(msg->header.message_type);
}

/**
 * mshv_vp_run_to_user() - MSHV_RUN_VP: run @vp until an intercept
 * @vp: the VP
 * @msg: the user buffer that receives the intercept message
 *	(HV_MESSAGE_SIZE bytes)
 *
 * Takes @vp's run mutex.
 *
 * Return: 0 with the message in @msg; -EFAULT if @msg cannot take it
 * (checked before the VP runs), -EINTR on a signal, or the error of the
 * dispatch.
 */
long mshv_vp_run_to_user(struct mshv_vp *vp, void __user *msg)
{
	long ret;

	BUILD_BUG_ON(sizeof(struct mshv_run_vp) != HV_MESSAGE_SIZE);

	/*
	 * The message buffer is output only: one that cannot take the
	 * message is refused before the VP runs, so that no intercept is
	 * consumed and lost.
	 */
	if (fault_in_safe_writeable(msg, HV_MESSAGE_SIZE))
		return -EFAULT;

	if (mutex_lock_interruptible(&vp->run_mutex))
		return -EINTR;
	trace_mshv_vp_run_enter(vp->partition->id, vp->index);
	ret = mshv_vp_run(vp);
	if (!ret && copy_to_user(msg, page_address(vp->intercept_page),
				 HV_MESSAGE_SIZE))
		ret = -EFAULT;
	trace_mshv_vp_run_exit(vp->partition->id, vp->index,
			       ret ? 0 : mshv_vp_message_type(vp), ret);
	mutex_unlock(&vp->run_mutex);
	return ret;
}

/*
 * mmap of the VP state pages.  The mapping keeps the VP file (and with it
 * the partition) alive, so the pages stay mapped in the hypervisor for as
 * long as userspace can see them.
 */
static int mshv_vp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mshv_vp *vp = file->private_data;
	struct page *page;

	switch (vma->vm_pgoff) {
	case MSHV_VP_MMAP_OFFSET_REGISTERS:
		page = vp->register_page;
		break;
	case MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE:
		page = vp->intercept_page;
		break;
	case MSHV_VP_MMAP_OFFSET_GHCB:
		/* Only SNP-isolated partitions have one */
		return -ENODEV;
	default:
		return -EINVAL;
	}
	if (!page)
		return -ENODEV;
	if (vma_pages(vma) != 1 || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mshv_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, page);
}

static int mshv_vp_release(struct inode *inode, struct file *file)
{
	struct mshv_vp *vp = file->private_data;

	mshv_partition_put(vp->partition);
	return 0;
}

static const struct file_operations mshv_vp_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mshv_vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mshv_vp_mmap,
	.release = mshv_vp_release,
	.llseek = noop_llseek,
};

/*
 * Partition fd
 */

/**
 * mshv_partition_initialize() - MSHV_INITIALIZE_PARTITION
 * @partition: the partition
 *
 * Deposits the pages the call needs and initializes the partition; a
 * second call does nothing.
 *
 * Return: 0 or the error of the deposit or of the hypercall (the deposit
 * is withdrawn again).
 */
long mshv_partition_initialize(struct mshv_partition *partition)
{
	long ret = 0;
	int err;

	mutex_lock(&partition->mutex);
	if (partition->initialized)
		goto unlock;

	ret = mshv_hv_deposit_memory(partition->id,
				     MSHV_INIT_PARTITION_DEPOSIT_PAGES);
	if (ret)
		goto unlock;

	ret = mshv_hv_initialize_partition(partition->id);
	if (ret) {
		err = mshv_hv_withdraw_memory(partition->id);
		if (err)
			pr_warn("partition %#llx: withdraw after a failed initialize failed: %d\n",
				partition->id, err);
		goto unlock;
	}
	partition->initialized = true;

unlock:
	mutex_unlock(&partition->mutex);
	return ret;
}

/* Map one VP state page and look up its struct page */
static int mshv_vp_map_state_page(struct mshv_vp *vp, u16 type,
				  struct page **page)
{
	struct mshv_partition *partition = vp->partition;
	u64 pfn;
	int ret;

	ret = mshv_hv_map_vp_state_page(partition->id, vp->index, type, &pfn);
	if (ret)
		return ret;

	if (!pfn_valid(pfn)) {
		pr_err("partition %#llx VP %u: state page %u at invalid pfn %#llx\n",
		       partition->id, vp->index, type, pfn);
		if (mshv_hv_unmap_vp_state_page(partition->id, vp->index, type))
			pr_warn("partition %#llx VP %u: unmapping state page %u failed\n",
				partition->id, vp->index, type);
		return -EIO;
	}
	*page = pfn_to_page(pfn);
	return 0;
}

/*
 * After a failed MSHV_CREATE_VP: withdraw as many free pages as were
 * deposited into @partition since its count was @before.  Other deposits
 * made meanwhile (faults of running VPs) may be withdrawn too: they are
 * free, and the hypervisor asks again when it needs memory.
 */
static void mshv_vp_withdraw_unused(struct mshv_partition *partition,
				    s64 before)
{
	s64 pages = atomic64_read(&partition->deposited_pages) - before;
	int err;

	lockdep_assert_held(&partition->mutex);
	if (pages <= 0)
		return;
	err = mshv_hv_withdraw_pages(partition->id, pages);
	if (err)
		pr_warn("partition %#llx: withdraw after a failed VP creation failed: %d\n",
			partition->id, err);
}

/**
 * mshv_vp_create() - MSHV_CREATE_VP
 * @partition: the partition
 * @vp_index: index of the new VP, below %MSHV_MAX_VPS
 *
 * Return: the new VP's fd; -EEXIST if @partition has a VP @vp_index,
 * -ENOMEM, -EMFILE or the error of a hypercall.  A failure withdraws what
 * was deposited for the VP.
 */
long mshv_vp_create(struct mshv_partition *partition, u32 vp_index)
{
	struct file *file;
	struct mshv_vp *vp;
	s64 deposited;
	int fd, err;
	long ret;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	vp->partition = partition;
	mshv_partition_account(partition, kmalloc_size_roundup(sizeof(*vp)));
	vp->index = vp_index;
	mutex_init(&vp->run_mutex);
	init_waitqueue_head(&vp->kick_wq);

	mutex_lock(&partition->mutex);
	if (partition->vps[vp->index]) {
		ret = -EEXIST;
		goto unlock;
	}

	deposited = atomic64_read(&partition->deposited_pages);
	ret = mshv_hv_deposit_memory(partition->id,
				     MSHV_CREATE_VP_DEPOSIT_PAGES);
	if (ret)
		goto withdraw;

	ret = mshv_hv_create_vp(partition->id, vp->index);
	if (ret)
		goto withdraw;

	ret = mshv_vp_map_state_page(vp, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE,
				     &vp->intercept_page);
	if (ret)
		goto delete_vp;

	ret = mshv_vp_map_state_page(vp, HV_VP_STATE_PAGE_REGISTERS,
				     &vp->register_page);
	if (ret)
		goto unmap_state_pages;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto unmap_state_pages;
	}

	/* The VP file's reference; the caller's partition fd holds another */
	mshv_partition_get(partition);
	file = anon_inode_getfile("mshv_vp", &mshv_vp_fops, vp, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_partition;
	}

	/* Published for the root SynIC handler (mshv_synic.c) */
	smp_store_release(&partition->vps[vp->index], vp);
	fd_install(fd, file);
	mutex_unlock(&partition->mutex);
	return fd;

put_partition:
	mshv_partition_put(partition);
	put_unused_fd(fd);
unmap_state_pages:
	mshv_vp_unmap_state_pages(vp);
delete_vp:
	err = mshv_hv_delete_vp(partition->id, vp->index);
	if (err)
		pr_warn("partition %#llx VP %u: delete after a failed create failed: %d\n",
			partition->id, vp->index, err);
withdraw:
	/*
	 * What the hypervisor did not keep of the pages deposited for this
	 * VP (also for the deposits of its retries, and for a deleted VP)
	 * goes back: a failed call must cost nothing.
	 */
	mshv_vp_withdraw_unused(partition, deposited);
unlock:
	mutex_unlock(&partition->mutex);
	mshv_vp_free(vp);
	return ret;
}

static int mshv_partition_release_file(struct inode *inode, struct file *file)
{
	mshv_partition_put(file->private_data);
	return 0;
}

static const struct file_operations mshv_partition_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mshv_partition_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = mshv_partition_release_file,
	.llseek = noop_llseek,
};

/*
 * /dev/mshv
 */

/**
 * mshv_partition_create() - MSHV_CREATE_PARTITION
 * @in: the CREATE_PARTITION input built from the ioctl's argument
 *
 * Return: the new partition's fd, or -ENOMEM, -EMFILE or the error of the
 * hypercall.
 */
long mshv_partition_create(const struct hv_input_create_partition *in)
{
	struct mshv_partition *partition;
	struct file *file;
	long ret;
	int fd;

	partition = mshv_partition_alloc();
	if (!partition)
		return -ENOMEM;

	ret = mshv_hv_create_partition(in, &partition->id);
	if (ret) {
		mshv_partition_free(partition);
		return ret;
	}
	spin_lock(&mshv_partitions_lock);
	hash_add_rcu(mshv_partitions, &partition->id_node, partition->id);
	spin_unlock(&mshv_partitions_lock);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_partition;
	}

	file = anon_inode_getfile("mshv_partition", &mshv_partition_fops,
				  partition, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}

	fd_install(fd, file);
	return fd;

put_fd:
	put_unused_fd(fd);
put_partition:
	/* The only reference: this deletes the partition again */
	mshv_partition_put(partition);
	return ret;
}

static const struct file_operations mshv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mshv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mshv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mshv",
	.fops = &mshv_dev_fops,
	.mode = 0600,
};

/*
 * Module
 */

static int mshv_check_scheduler(void)
{
	u64 type;
	int ret;

	ret = mshv_hv_get_system_property(HV_SYSTEM_PROPERTY_SCHEDULER_TYPE,
					  &type);
	if (ret) {
		pr_err("cannot read the hypervisor scheduler type: %d\n", ret);
		return ret;
	}
	/* Only the low 32 bits carry the scheduler type */
	type = lower_32_bits(type);
	if (type != HV_SCHEDULER_TYPE_ROOT) {
		pr_err("hypervisor scheduler type %llu is not supported; only the root scheduler (%u) is\n",
		       type, HV_SCHEDULER_TYPE_ROOT);
		return -ENODEV;
	}
	return 0;
}

/*
 * The root SynIC handler's callbacks (struct mshv_synic_ops): hard
 * interrupt context.  Each looks the partition up by id under RCU and
 * drops what names a partition that is gone.
 */
static void mshv_root_vp_signal(u64 partition_id, u32 vp_index)
{
	struct mshv_partition *partition;
	struct mshv_vp *vp;

	if (vp_index >= MSHV_MAX_VPS)
		return;
	rcu_read_lock();
	partition = mshv_partition_find_rcu(partition_id);
	if (partition) {
		/* Pairs with the release that publishes a new VP */
		vp = smp_load_acquire(&partition->vps[vp_index]);
		if (vp)
			mshv_vp_kick(vp);
	}
	rcu_read_unlock();
}

static void mshv_root_apic_eoi(u64 partition_id, u32 vector)
{
	struct mshv_partition *partition;

	rcu_read_lock();
	partition = mshv_partition_find_rcu(partition_id);
	if (partition)
		mshv_irqfd_resample(partition, vector);
	rcu_read_unlock();
}

static void mshv_root_async_complete(u64 partition_id, u16 status)
{
	struct mshv_partition *partition;

	rcu_read_lock();
	partition = mshv_partition_find_rcu(partition_id);
	if (partition)
		mshv_partition_async_complete(partition, status);
	rcu_read_unlock();
}

static const struct mshv_synic_ops mshv_root_synic_ops = {
	.vp_signal = mshv_root_vp_signal,
	.apic_eoi = mshv_root_apic_eoi,
	.async_complete = mshv_root_async_complete,
	.doorbell = mshv_doorbell_signal,
};

static int __init mshv_root_init(void)
{
	const struct mshv_hv_backend *backend;
	int ret;

	backend = mshv_hv_real_backend();
	if (IS_ERR(backend))
		return PTR_ERR(backend);
	if (!backend) {
		mshv_hvsim = symbol_get(hvsim_backend);
		backend = mshv_hvsim;
	}
	if (!backend) {
		pr_err("no hypervisor: Linux is not a root or L1VH partition of the Microsoft Hypervisor, and hvsim is not loaded (load hvsim.ko first to use the software model)\n");
		return -ENODEV;
	}

	ret = mshv_hv_init(backend, mshv_partition_count_deposit);
	if (ret)
		goto put_backend;

	ret = mshv_check_scheduler();
	if (ret)
		goto exit_hv;

	ret = mshv_eventfd_init();
	if (ret)
		goto exit_hv;
	ret = mshv_synic_init(&mshv_root_synic_ops);
	if (ret)
		goto exit_eventfd;

	ret = misc_register(&mshv_dev);
	if (ret)
		goto exit_synic;
	mshv_debugfs_init();

	pr_info("/dev/mshv ready, hypervisor: %s\n", backend->name);
	return 0;

exit_synic:
	mshv_synic_exit();
exit_eventfd:
	mshv_eventfd_exit();
exit_hv:
	mshv_hv_exit();
put_backend:
	if (mshv_hvsim)
		symbol_put(hvsim_backend);
	return ret;
}

static void __exit mshv_root_exit(void)
{
	mshv_debugfs_exit();
	misc_deregister(&mshv_dev);
	mshv_synic_exit();
	mshv_eventfd_exit();
	mshv_hv_exit();
	if (mshv_hvsim)
		symbol_put(hvsim_backend);
}

module_init(mshv_root_init);
module_exit(mshv_root_exit);

MODULE_DESCRIPTION("Microsoft Hypervisor root partition interface (/dev/mshv)");
MODULE_LICENSE("GPL");
