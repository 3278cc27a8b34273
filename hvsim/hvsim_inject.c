// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: fault injection, driven through /sys/kernel/debug/hvsim/inject.
 *
 * One rule per write(2):
 *
 *   fail <code> <nth> <status>  the nth call of <code> (1-based, counted
 *                               from the write) fails with <status> before
 *                               doing anything (reps completed = rep start)
 *   max_reps <code> <k>         every call of rep hypercall <code> completes
 *                               at most k reps and returns success, like the
 *                               real hypervisor may (k = 0 removes the rule)
 *   pool_cap <pages>            partitions created from now on hold at most
 *                               <pages> deposited pages (0 = no cap)
 *   clear                       remove every rule (and lift the pool cap of
 *                               live partitions)
 *
 * <code> and <status> are hexadecimal with 0x or decimal.  Reading the file
 * lists the active rules in the same syntax.  Only calls that pass the
 * entry checks count.  A "fail" rule is used up when it fires.
 *
 * The rule table is fixed-size: the hypercall path neither sleeps nor
 * allocates.
 */
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hvsim.h"

#define HVSIM_INJECT_MAX_RULES	32
#define HVSIM_INJECT_LINE_MAX	64

enum hvsim_inject_op {
	HVSIM_INJECT_FAIL,
	HVSIM_INJECT_MAX_REPS,
	HVSIM_INJECT_POOL_CAP,
	HVSIM_INJECT_CLEAR,
};

/**
 * struct hvsim_inject_cmd - one parsed write to the "inject" file
 * @op: enum hvsim_inject_op
 * @code: hypercall code (FAIL, MAX_REPS)
 * @status: status to fail with (FAIL)
 * @count: nth call (FAIL), reps per call (MAX_REPS), pages (POOL_CAP)
 */
struct hvsim_inject_cmd {
	enum hvsim_inject_op op;
	u16 code;
	u16 status;
	u64 count;
};

/**
 * struct hvsim_inject_rule - an active "fail" or "max_reps" rule
 * @used: the slot holds a rule
 * @op: HVSIM_INJECT_FAIL or HVSIM_INJECT_MAX_REPS
 * @code: hypercall code
 * @status: status to fail with (FAIL)
 * @count: nth call (FAIL) or reps per call (MAX_REPS)
 * @seen: calls of @code seen since the rule was written (FAIL)
 */
struct hvsim_inject_rule {
	bool used;
	enum hvsim_inject_op op;
	u16 code;
	u16 status;
	u32 count;
	u32 seen;
};

/* Protects hvsim_inject_rules, hvsim_inject_nr and hvsim_inject_cap */
static DEFINE_SPINLOCK(hvsim_inject_lock);
static struct hvsim_inject_rule hvsim_inject_rules[HVSIM_INJECT_MAX_RULES];
/* Rules in use; read without the lock to skip it when there are none */
static unsigned int hvsim_inject_nr;
static u64 hvsim_inject_cap;

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

/**
 * hvsim_inject_parse() - parse one rule
 * @line: the text written, NUL-terminated; modified
 * @cmd: the rule
 *
 * Return: 0, or -EINVAL for unknown verbs, wrong argument counts, numbers
 * out of range, codes hvsim does not implement, a max_reps rule for a call
 * that is not a rep call, a fail rule with nth 0 or status 0.
 */
static int hvsim_inject_parse(char *line, struct hvsim_inject_cmd *cmd)
{
	u64 code = 0, a = 0, b = 0;
	char *tok[4];
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
	if (!strcmp(tok[0], "pool_cap") && n == 2) {
		cmd->op = HVSIM_INJECT_POOL_CAP;
		return kstrtoull(tok[1], 10, &cmd->count);
	}
	if (!strcmp(tok[0], "fail") && n == 4)
		cmd->op = HVSIM_INJECT_FAIL;
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
		hvsim_inject_cap = 0;
		break;
	case HVSIM_INJECT_POOL_CAP:
		hvsim_inject_cap = cmd->count;
		break;
	case HVSIM_INJECT_FAIL:
	case HVSIM_INJECT_MAX_REPS:
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
		};
		break;
	}
	spin_unlock_irq(&hvsim_inject_lock);
	if (cmd->op == HVSIM_INJECT_CLEAR)
		hvsim_partitions_uncap();
	return ret;
}

/**
 * hvsim_inject_hypercall() - apply the rules to a call about to run
 * @code: the call's code
 * @max_reps: returns the reps the call may complete (0: no limit)
 *
 * Counts the call for the "fail" rules of @code.
 *
 * Return: the status the call must fail with, or HV_STATUS_SUCCESS.
 */
u16 hvsim_inject_hypercall(u16 code, u16 *max_reps)
{
	u16 status = HV_STATUS_SUCCESS;
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
		if (++r->seen == r->count) {
			if (!status)
				status = r->status;
			inject_drop(r);
		}
	}
	spin_unlock(&hvsim_inject_lock);
	return status;
}

/**
 * hvsim_inject_pool_cap() - pool cap for a partition being created
 *
 * Return: the "pool_cap" rule's pages, 0 when there is none.
 */
u64 hvsim_inject_pool_cap(void)
{
	unsigned long flags;
	u64 cap;

	spin_lock_irqsave(&hvsim_inject_lock, flags);
	cap = hvsim_inject_cap;
	spin_unlock_irqrestore(&hvsim_inject_lock, flags);
	return cap;
}

static int inject_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	spin_lock_irq(&hvsim_inject_lock);
	for (i = 0; i < HVSIM_INJECT_MAX_RULES; i++) {
		const struct hvsim_inject_rule *r = &hvsim_inject_rules[i];

		if (!r->used)
			continue;
		if (r->op == HVSIM_INJECT_FAIL)
			seq_printf(m, "fail 0x%04x %u 0x%04x\n", r->code,
				   r->count, r->status);
		else
			seq_printf(m, "max_reps 0x%04x %u\n", r->code,
				   r->count);
	}
	if (hvsim_inject_cap)
		seq_printf(m, "pool_cap %llu\n", hvsim_inject_cap);
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

/**
 * hvsim_inject_init() - create the "inject" file
 * @dir: hvsim's debugfs directory
 */
void hvsim_inject_init(struct dentry *dir)
{
	debugfs_create_file("inject", 0644, dir, NULL, &inject_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_inject_test.c"
#endif
