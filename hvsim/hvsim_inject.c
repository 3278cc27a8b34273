// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: fault injection, driven through /sys/kernel/debug/hvsim/inject.
 *
 * One rule per write(2):
 *
 *   fail <code> <nth> <status>  the nth call of <code> (1-based, counted
 *                               from the write) fails with <status> before
 *                               doing anything (reps completed = rep start)
 *   delay <code> <nth> <ms>     the nth call of <code> spins <ms>
 *                               milliseconds (1 to 2000, interrupts off, as
 *                               a slow hypervisor would) before it runs
 *   max_reps <code> <k>         every call of rep hypercall <code> completes
 *                               at most k reps and returns success, like the
 *                               real hypervisor may (k = 0 removes the rule)
 *   pool_cap <pages>            partitions created from now on hold at most
 *                               <pages> deposited pages (0 = no cap)
 *   pending <code> <nth> [<delay_ms>|never] [<status>]
 *                               the nth call of <code> (only
 *                               SET_PARTITION_PROPERTY) runs (or fails with
 *                               <status>, doing nothing), returns
 *                               HV_STATUS_CALL_PENDING, and its
 *                               HVMSG_ASYNC_CALL_COMPLETION goes to root
 *                               SINT0 of the calling CPU <delay_ms> later
 *                               (default 0), or is held ("never")
 *   complete                    post every completion still owed now
 *   root_irq hold|release       hold back every root SynIC interrupt (as if
 *                               the root's CPUs ran with interrupts
 *                               disabled), or raise the ones held back
 *   clear                       remove every rule (and lift the pool cap of
 *                               live partitions, release held root
 *                               interrupts); owed completions stay
 *
 * <code> and <status> are hexadecimal with 0x or decimal.  Reading the file
 * lists the active rules in the same syntax.  Only calls that pass the
 * entry checks count.  A "fail" or "delay" rule is used up when it fires.
 *
 * The rule table is fixed-size: the hypercall path neither sleeps nor
 * allocates.
 *
 * Asynchronous completions owed by "pending" calls live in a fixed table
 * too; a delayed work item on the calling CPU posts each one (never from
 * inside a hypercall).  DELETE_PARTITION posts the partition's owed
 * completions at once (hvsim_inject_pending()); module exit
 * cancels what is left.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hvsim_model.h"
#include "hvsim_inject.h"
#include "hvsim_partition.h"
#include "hvsim_synic.h"
#include "hvsim_hcalls.h"

#define HVSIM_INJECT_MAX_RULES	32
#define HVSIM_INJECT_LINE_MAX	64
/* Completions owed at once; a "pending" call beyond that completes inline */
#define HVSIM_ASYNC_MAX		16
/* delay_ms of a "pending ... never" rule */
#define HVSIM_ASYNC_NEVER	U32_MAX
/* Longest "delay" */
#define HVSIM_DELAY_MAX_MS	2000

enum hvsim_inject_op {
	HVSIM_INJECT_FAIL,
	HVSIM_INJECT_MAX_REPS,
	HVSIM_INJECT_POOL_CAP,
	HVSIM_INJECT_CLEAR,
	HVSIM_INJECT_PENDING,
	HVSIM_INJECT_COMPLETE,
	HVSIM_INJECT_DELAY,
	HVSIM_INJECT_ROOT_IRQ,
};

/**
 * struct hvsim_inject_cmd - one parsed write to the "inject" file
 * @op: enum hvsim_inject_op
 * @code: hypercall code (FAIL, MAX_REPS, PENDING, DELAY)
 * @status: status to fail with (FAIL; PENDING: 0 = the call's own)
 * @count: nth call (FAIL, PENDING, DELAY), reps per call (MAX_REPS),
 *	pages (POOL_CAP), 1 to hold and 0 to release (ROOT_IRQ)
 * @delay_ms: PENDING: milliseconds until the completion is posted, or
 *	%HVSIM_ASYNC_NEVER; DELAY: milliseconds the call spins
 */
struct hvsim_inject_cmd {
	enum hvsim_inject_op op;
	u16 code;
	u16 status;
	u64 count;
	u32 delay_ms;
};

/**
 * struct hvsim_inject_rule - an active "fail", "max_reps", "pending" or
 *	"delay" rule
 * @used: the slot holds a rule
 * @op: HVSIM_INJECT_FAIL, HVSIM_INJECT_MAX_REPS, HVSIM_INJECT_PENDING or
 *	HVSIM_INJECT_DELAY
 * @code: hypercall code
 * @status: status to fail with (FAIL, PENDING)
 * @count: nth call (FAIL, PENDING, DELAY) or reps per call (MAX_REPS)
 * @seen: calls of @code seen since the rule was written (FAIL, PENDING,
 *	DELAY)
 * @delay_ms: delay of the completion (PENDING) or of the call (DELAY)
 */
struct hvsim_inject_rule {
	bool used;
	enum hvsim_inject_op op;
	u16 code;
	u16 status;
	u32 count;
	u32 seen;
	u32 delay_ms;
};

enum hvsim_async_state {
	HVSIM_ASYNC_FREE,	/* slot unused */
	HVSIM_ASYNC_TIMED,	/* @work is queued and will post it */
	HVSIM_ASYNC_HELD,	/* "never": posted by "complete" or delete */
};

/**
 * struct hvsim_async - a completion hvsim owes the root
 * @state: enum hvsim_async_state
 * @partition_id: the partition of the pending call
 * @status: the call's status, carried by the completion
 * @work: posts the completion on the calling CPU (TIMED)
 *
 * @state, @partition_id and @status are protected by hvsim_inject_lock.
 */
struct hvsim_async {
	enum hvsim_async_state state;
	u64 partition_id;
	u16 status;
	struct delayed_work work;
};

/**
 * struct hvsim_async_next - a "pending" rule fired for the call running on
 *	this CPU; consumed by hvsim_inject_pending() after the handler
 * @fire: the call goes asynchronous
 * @delay_ms: delay of its completion
 *
 * Per CPU, used only inside one hypercall (interrupts disabled).
 */
struct hvsim_async_next {
	bool fire;
	u32 delay_ms;
};

/*
 * Protects hvsim_inject_rules, hvsim_inject_nr,
 * hvsim_inject_irq_held, the state of hvsim_async_table and the async
 * counters
 */
static DEFINE_SPINLOCK(hvsim_inject_lock);
static struct hvsim_inject_rule hvsim_inject_rules[HVSIM_INJECT_MAX_RULES];
/* Rules in use; read without the lock to skip it when there are none */
static unsigned int hvsim_inject_nr;
/* "root_irq hold" is in effect */
static bool hvsim_inject_irq_held;

static struct hvsim_async hvsim_async_table[HVSIM_ASYNC_MAX];
static DEFINE_PER_CPU(struct hvsim_async_next, hvsim_async_next);
/* Calls that returned CALL_PENDING; completions posted; posted by delete */
static u64 hvsim_async_pending, hvsim_async_completed, hvsim_async_flushed;

/* A number: hexadecimal with 0x, else decimal */
static int inject_parse_num(const char *tok, u64 *val)
{
	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X'))
		return kstrtoull(tok + 2, 16, val);
	return kstrtoull(tok, 10, val);
}

/* Split @line at whitespace into at most @max tokens; returns the count */
static int inject_tokens(char *line, char **tok, int max)
{
	int n = 0;
	char *t;

	while ((t = strsep(&line, " \t\n"))) {
		if (!*t)
			continue;
		if (n == max)
			return -EINVAL;
		tok[n++] = t;
	}
	return n;
}

/* pending <code> <nth> [<delay_ms>|never] [<status>] */
static int inject_parse_pending(char **tok, int n, struct hvsim_inject_cmd *cmd)
{
	u64 code, nth, delay = 0, status = 0;

	cmd->op = HVSIM_INJECT_PENDING;
	/* Only SET_PARTITION_PROPERTY completes asynchronously */
	if (inject_parse_num(tok[1], &code) ||
	    code != HVCALL_SET_PARTITION_PROPERTY)
		return -EINVAL;
	if (kstrtoull(tok[2], 10, &nth) || !nth || nth > U32_MAX)
		return -EINVAL;
	if (n >= 4) {
		if (!strcmp(tok[3], "never"))
			delay = HVSIM_ASYNC_NEVER;
		else if (kstrtoull(tok[3], 10, &delay) ||
			 delay >= HVSIM_ASYNC_NEVER)
			return -EINVAL;
	}
	if (n == 5 && (inject_parse_num(tok[4], &status) || !status ||
		       status > U16_MAX))
		return -EINVAL;
	cmd->code = code;
	cmd->count = nth;
	cmd->delay_ms = delay;
	cmd->status = status;
	return 0;
}

/**
 * hvsim_inject_parse() - parse one rule
 * @line: the text written, NUL-terminated; modified
 * @cmd: the rule
 *
 * Return: 0, or -EINVAL for unknown verbs, wrong argument counts, numbers
 * out of range, codes hvsim does not implement, a max_reps rule for a call
 * that is not a rep call, a fail rule with nth 0 or status 0, a pending
 * rule for a code other than SET_PARTITION_PROPERTY, with nth 0, a delay
 * that is neither a number of milliseconds nor "never", or status 0, a
 * delay rule with nth 0 or a delay of 0 or more than HVSIM_DELAY_MAX_MS, a
 * root_irq rule other than "hold" or "release".
 */
static int hvsim_inject_parse(char *line, struct hvsim_inject_cmd *cmd)
{
	u64 code = 0, a = 0, b = 0;
	char *tok[5];
	bool rep;
	int n;

	n = inject_tokens(line, tok, ARRAY_SIZE(tok));
	if (n <= 0)
		return -EINVAL;
	memset(cmd, 0, sizeof(*cmd));
	if (!strcmp(tok[0], "clear") && n == 1) {
		cmd->op = HVSIM_INJECT_CLEAR;
		return 0;
	}
	if (!strcmp(tok[0], "complete") && n == 1) {
		cmd->op = HVSIM_INJECT_COMPLETE;
		return 0;
	}
	if (!strcmp(tok[0], "pending") && n >= 3 && n <= 5)
		return inject_parse_pending(tok, n, cmd);
	if (!strcmp(tok[0], "root_irq") && n == 2) {
		cmd->op = HVSIM_INJECT_ROOT_IRQ;
		if (!strcmp(tok[1], "hold"))
			cmd->count = 1;
		else if (strcmp(tok[1], "release"))
			return -EINVAL;
		return 0;
	}
	if (!strcmp(tok[0], "pool_cap") && n == 2) {
		cmd->op = HVSIM_INJECT_POOL_CAP;
		return kstrtoull(tok[1], 10, &cmd->count);
	}
	if (!strcmp(tok[0], "fail") && n == 4)
		cmd->op = HVSIM_INJECT_FAIL;
	else if (!strcmp(tok[0], "delay") && n == 4)
		cmd->op = HVSIM_INJECT_DELAY;
	else if (!strcmp(tok[0], "max_reps") && n == 3)
		cmd->op = HVSIM_INJECT_MAX_REPS;
	else
		return -EINVAL;

	if (inject_parse_num(tok[1], &code) || code > U16_MAX ||
	    !hvsim_hc_known(code, &rep))
		return -EINVAL;
	cmd->code = code;
	if (cmd->op == HVSIM_INJECT_MAX_REPS) {
		if (!rep || kstrtoull(tok[2], 10, &a) ||
		    a > HV_HYPERCALL_REP_MAX)
			return -EINVAL;
		cmd->count = a;
		return 0;
	}
	if (cmd->op == HVSIM_INJECT_DELAY) {
		if (kstrtoull(tok[2], 10, &a) || !a || a > U32_MAX ||
		    kstrtoull(tok[3], 10, &b) || !b ||
		    b > HVSIM_DELAY_MAX_MS)
			return -EINVAL;
		cmd->count = a;
		cmd->delay_ms = b;
		return 0;
	}
	if (kstrtoull(tok[2], 10, &a) || !a || a > U32_MAX ||
	    inject_parse_num(tok[3], &b) || !b || b > U16_MAX)
		return -EINVAL;
	cmd->count = a;
	cmd->status = b;
	return 0;
}

/* A free slot, or the max_reps rule of @code; lock held */
static struct hvsim_inject_rule *inject_slot(u16 code, bool max_reps)
{
	struct hvsim_inject_rule *free = NULL;
	unsigned int i;

	lockdep_assert_held(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_INJECT_MAX_RULES; i++) {
		struct hvsim_inject_rule *r = &hvsim_inject_rules[i];

		if (!r->used) {
			if (!free)
				free = r;
			continue;
		}
		if (max_reps && r->op == HVSIM_INJECT_MAX_REPS &&
		    r->code == code)
			return r;
	}
	return free;
}

static void inject_drop(struct hvsim_inject_rule *r)
{
	lockdep_assert_held(&hvsim_inject_lock);
	r->used = false;
	WRITE_ONCE(hvsim_inject_nr, hvsim_inject_nr - 1);
}

/* Post one HVMSG_ASYNC_CALL_COMPLETION to SINT0 of this CPU's root SynIC */
static void async_post(u64 partition_id, u16 status)
{
	struct hv_async_completion_message payload = {
		.partition_id = partition_id,
		.status = status,
		.completion_count = 1,
	};

	hvsim_root_post_message(HV_SYNIC_INTERCEPTION_SINT_INDEX,
				HVMSG_ASYNC_CALL_COMPLETION, partition_id,
				&payload, sizeof(payload));
}

/* A delayed completion is due: post it on the CPU that made the call */
static void async_work(struct work_struct *work)
{
	struct hvsim_async *a = container_of(to_delayed_work(work),
					     struct hvsim_async, work);
	bool post = false;
	u64 id = 0;
	u16 status = 0;

	spin_lock_irq(&hvsim_inject_lock);
	if (a->state == HVSIM_ASYNC_TIMED) {
		post = true;
		id = a->partition_id;
		status = a->status;
		a->state = HVSIM_ASYNC_FREE;
		hvsim_async_completed++;
	}
	spin_unlock_irq(&hvsim_inject_lock);
	if (post)
		async_post(id, status);
}

/*
 * Post now every completion owed (of @partition_id only when @one), held or
 * still waiting for its delay.  A work item that is already running posts
 * its own.  Interrupts disabled (hypercall context or the caller's).
 */
static void async_flush(bool one, u64 partition_id)
{
	struct {
		u64 id;
		u16 status;
	} post[HVSIM_ASYNC_MAX];
	unsigned int i, n = 0;

	lockdep_assert_irqs_disabled();
	spin_lock(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_ASYNC_MAX; i++) {
		struct hvsim_async *a = &hvsim_async_table[i];

		if (a->state == HVSIM_ASYNC_FREE ||
		    (one && a->partition_id != partition_id))
			continue;
		if (a->state == HVSIM_ASYNC_TIMED &&
		    !cancel_delayed_work(&a->work))
			continue;
		post[n].id = a->partition_id;
		post[n].status = a->status;
		n++;
		a->state = HVSIM_ASYNC_FREE;
	}
	hvsim_async_completed += n;
	if (one)
		hvsim_async_flushed += n;
	spin_unlock(&hvsim_inject_lock);
	for (i = 0; i < n; i++)
		async_post(post[i].id, post[i].status);
}

/* Forget every owed completion without posting it; may sleep */
static void async_cancel_all(void)
{
	unsigned int i;

	for (i = 0; i < HVSIM_ASYNC_MAX; i++)
		cancel_delayed_work_sync(&hvsim_async_table[i].work);
	spin_lock_irq(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_ASYNC_MAX; i++)
		hvsim_async_table[i].state = HVSIM_ASYNC_FREE;
	spin_unlock_irq(&hvsim_inject_lock);
}

/*
 * A partition is gone (DELETE_PARTITION succeeded): post its owed
 * completions now.  hvsim finishes every outstanding asynchronous call of
 * a partition before the partition is gone, so the root receives their
 * completions right after the delete, for a partition id it no longer
 * knows.
 */
static void inject_partition_deleted(const struct hvsim_call *call)
{
	const struct hv_input_partition_id *in = call->input;

	async_flush(true, in->partition_id);
}

/**
 * hvsim_inject_pending() - make a call asynchronous if a "pending" rule
 *	fired for it
 * @call: the call, after its handler ran (or was skipped)
 * @status: its status
 *
 * Called by the dispatcher for every call that passed the entry checks,
 * interrupts disabled.  When hvsim_inject_hypercall() marked the call, the
 * completion carrying @status is owed: posted to SINT0 of this CPU's root
 * SynIC by a work item after the rule's delay, or held for "never".  With
 * every completion slot in use the call simply completes synchronously.
 * A DELETE_PARTITION that succeeded posts the partition's owed
 * completions first.
 *
 * Return: HV_STATUS_CALL_PENDING for a call that went asynchronous, else
 * @status.
 */
u16 hvsim_inject_pending(const struct hvsim_call *call, u16 status)
{
	struct hvsim_async_next *next = this_cpu_ptr(&hvsim_async_next);
	const struct hv_input_set_partition_property *in = call->input;
	struct hvsim_async *a = NULL;
	unsigned int i;

	if (call->code == HVCALL_DELETE_PARTITION &&
	    status == HV_STATUS_SUCCESS)
		inject_partition_deleted(call);
	if (!next->fire)
		return status;
	next->fire = false;
	spin_lock(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_ASYNC_MAX; i++) {
		if (hvsim_async_table[i].state == HVSIM_ASYNC_FREE) {
			a = &hvsim_async_table[i];
			break;
		}
	}
	if (a) {
		/* Only SET_PARTITION_PROPERTY: the partition id comes first */
		a->partition_id = in->partition_id;
		a->status = status;
		hvsim_async_pending++;
		if (next->delay_ms == HVSIM_ASYNC_NEVER) {
			a->state = HVSIM_ASYNC_HELD;
		} else {
			a->state = HVSIM_ASYNC_TIMED;
			queue_delayed_work_on(smp_processor_id(), system_wq,
					      &a->work,
					      msecs_to_jiffies(next->delay_ms));
		}
	}
	spin_unlock(&hvsim_inject_lock);
	return a ? HV_STATUS_CALL_PENDING : status;
}

/**
 * hvsim_inject_apply() - make a parsed rule take effect
 * @cmd: the rule
 *
 * Return: 0, or -ENOSPC when the rule table is full.
 */
static int hvsim_inject_apply(const struct hvsim_inject_cmd *cmd)
{
	struct hvsim_inject_rule *r;
	unsigned int i;
	int ret = 0;

	/* Also taken by hypercalls from the root's ISR: interrupts off */
	spin_lock_irq(&hvsim_inject_lock);
	switch (cmd->op) {
	case HVSIM_INJECT_CLEAR:
		for (i = 0; i < HVSIM_INJECT_MAX_RULES; i++)
			if (hvsim_inject_rules[i].used)
				inject_drop(&hvsim_inject_rules[i]);
		hvsim_inject_irq_held = false;
		break;
	case HVSIM_INJECT_ROOT_IRQ:
		hvsim_inject_irq_held = cmd->count;
		break;
	case HVSIM_INJECT_POOL_CAP:
		break;
	case HVSIM_INJECT_COMPLETE:
		break;
	case HVSIM_INJECT_FAIL:
	case HVSIM_INJECT_MAX_REPS:
	case HVSIM_INJECT_PENDING:
	case HVSIM_INJECT_DELAY:
		r = inject_slot(cmd->code, cmd->op == HVSIM_INJECT_MAX_REPS);
		if (r && r->used && !cmd->count) {
			inject_drop(r);		/* max_reps <code> 0 */
			break;
		}
		if (!cmd->count)
			break;
		if (!r) {
			ret = -ENOSPC;
			break;
		}
		if (!r->used)
			WRITE_ONCE(hvsim_inject_nr, hvsim_inject_nr + 1);
		*r = (struct hvsim_inject_rule) {
			.used = true,
			.op = cmd->op,
			.code = cmd->code,
			.status = cmd->status,
			.count = cmd->count,
			.delay_ms = cmd->delay_ms,
		};
		break;
	}
	spin_unlock_irq(&hvsim_inject_lock);
	/* The partition table's lock nests outside hvsim_inject_lock */
	if (cmd->op == HVSIM_INJECT_CLEAR)
		hvsim_partitions_set_pool_cap(0);
	if (cmd->op == HVSIM_INJECT_POOL_CAP)
		hvsim_partitions_set_pool_cap(cmd->count);
	if (cmd->op == HVSIM_INJECT_CLEAR)
		hvsim_partitions_uncap();
	/* Outside the lock: the release raises the ISR (IPIs) */
	if (cmd->op == HVSIM_INJECT_CLEAR || cmd->op == HVSIM_INJECT_ROOT_IRQ)
		hvsim_root_irq_hold(cmd->count);
	if (cmd->op == HVSIM_INJECT_COMPLETE) {
		local_irq_disable();
		async_flush(false, 0);
		local_irq_enable();
	}
	return ret;
}

/**
 * hvsim_inject_hypercall() - apply the rules to a call about to run
 * @code: the call's code
 * @max_reps: returns the reps the call may complete (0: no limit)
 *
 * Counts the call for the "fail", "pending" and "delay" rules of @code; a
 * pending rule that fires marks the call for hvsim_inject_pending(), a
 * delay rule that fires spins here (outside the rule lock).
 *
 * Return: the status the call must fail with, or HV_STATUS_SUCCESS.
 */
u16 hvsim_inject_hypercall(u16 code, u16 *max_reps)
{
	u16 status = HV_STATUS_SUCCESS;
	u32 delay_ms = 0;
	unsigned int i;

	*max_reps = 0;
	if (!READ_ONCE(hvsim_inject_nr))
		return HV_STATUS_SUCCESS;
	spin_lock(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_INJECT_MAX_RULES; i++) {
		struct hvsim_inject_rule *r = &hvsim_inject_rules[i];

		if (!r->used || r->code != code)
			continue;
		if (r->op == HVSIM_INJECT_MAX_REPS) {
			*max_reps = r->count;
			continue;
		}
		if (++r->seen != r->count)
			continue;
		if (r->op == HVSIM_INJECT_DELAY) {
			delay_ms += r->delay_ms;
			inject_drop(r);
			continue;
		}
		if (r->op == HVSIM_INJECT_PENDING) {
			struct hvsim_async_next *next =
				this_cpu_ptr(&hvsim_async_next);

			next->fire = true;
			next->delay_ms = r->delay_ms;
		}
		if (!status)
			status = r->status;
		inject_drop(r);
	}
	spin_unlock(&hvsim_inject_lock);
	if (delay_ms)
		mdelay(delay_ms);
	return status;
}

/**
 * hvsim_inject_pool_cap() - pool cap for a partition being created
 *
 * Return: the "pool_cap" rule's pages, 0 when there is none.
 */
u64 hvsim_inject_pool_cap(void)
{
	return hvsim_partitions_pool_cap();
}

static void inject_show_pending(struct seq_file *m,
				const struct hvsim_inject_rule *r)
{
	seq_printf(m, "pending 0x%04x %u ", r->code, r->count);
	if (r->delay_ms == HVSIM_ASYNC_NEVER)
		seq_puts(m, "never");
	else
		seq_printf(m, "%u", r->delay_ms);
	if (r->status)
		seq_printf(m, " 0x%04x", r->status);
	seq_putc(m, '\n');
}

static int inject_show(struct seq_file *m, void *unused)
{
	u64 pool_cap = hvsim_partitions_pool_cap();
	unsigned int i;

	spin_lock_irq(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_INJECT_MAX_RULES; i++) {
		const struct hvsim_inject_rule *r = &hvsim_inject_rules[i];

		if (!r->used)
			continue;
		if (r->op == HVSIM_INJECT_FAIL)
			seq_printf(m, "fail 0x%04x %u 0x%04x\n", r->code,
				   r->count, r->status);
		else if (r->op == HVSIM_INJECT_PENDING)
			inject_show_pending(m, r);
		else if (r->op == HVSIM_INJECT_DELAY)
			seq_printf(m, "delay 0x%04x %u %u\n", r->code,
				   r->count, r->delay_ms);
		else
			seq_printf(m, "max_reps 0x%04x %u\n", r->code,
				   r->count);
	}
	if (pool_cap)
		seq_printf(m, "pool_cap %llu\n", pool_cap);
	if (hvsim_inject_irq_held)
		seq_puts(m, "root_irq hold\n");
	spin_unlock_irq(&hvsim_inject_lock);
	return 0;
}

static int inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, inject_show, NULL);
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct hvsim_inject_cmd cmd;
	char line[HVSIM_INJECT_LINE_MAX];
	int ret;

	if (!len || len >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, len))
		return -EFAULT;
	line[len] = '\0';
	ret = hvsim_inject_parse(line, &cmd);
	if (!ret)
		ret = hvsim_inject_apply(&cmd);
	return ret ? ret : len;
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = inject_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = inject_write,
};

static int async_show(struct seq_file *m, void *unused)
{
	unsigned int i, owed = 0;

	spin_lock_irq(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_ASYNC_MAX; i++)
		if (hvsim_async_table[i].state != HVSIM_ASYNC_FREE)
			owed++;
	seq_printf(m, "pending=%llu completed=%llu flushed=%llu owed=%u\n",
		   hvsim_async_pending, hvsim_async_completed,
		   hvsim_async_flushed, owed);
	spin_unlock_irq(&hvsim_inject_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(async);

/**
 * hvsim_inject_init() - create the "inject" and "async" files
 * @dir: hvsim's debugfs directory
 */
void hvsim_inject_init(struct dentry *dir)
{
	unsigned int i;

	for (i = 0; i < HVSIM_ASYNC_MAX; i++)
		INIT_DELAYED_WORK(&hvsim_async_table[i].work, async_work);
	debugfs_create_file("inject", 0644, dir, NULL, &inject_fops);
	debugfs_create_file("async", 0444, dir, NULL, &async_fops);
}

/**
 * hvsim_inject_exit() - cancel the completions still owed
 *
 * Module exit: the root (mshv_root) is gone, nobody waits for them.
 */
void hvsim_inject_exit(void)
{
	async_cancel_all();
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_inject_test.c"
#endif
