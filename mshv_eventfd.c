// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: MSHV_IRQFD and MSHV_IOEVENTFD.
 *
 * irqfd: an eventfd whose signal asserts a guest interrupt.  The driver
 * hooks a wait-queue entry into the eventfd; the wakeup (atomic context,
 * the eventfd's wait-queue lock held) reads and clears the counter, looks
 * the GSI up in the MSI routing table (mshv_irq.c, RCU) and issues
 * ASSERT_VIRTUAL_INTERRUPT without sleeping.  If the hypervisor needs a
 * deposit for it, the assertion is retried from a work item that may
 * sleep.  With a resamplefd (level-triggered routes only), the guest's EOI
 * of the route's vector arrives as HVMSG_X64_APIC_EOI on the root SynIC
 * (mshv_synic.c) and signals the resamplefd.
 *
 * ioeventfd: a guest MMIO write to an address (optionally with one value)
 * signals an eventfd without a userspace exit.  Each ioeventfd is a
 * doorbell port of the root (CREATE_PORT) the guest partition connects to
 * (CONNECT_PORT with the GPA, trigger size and value); the hypervisor
 * queues the port id in the root's event ring 5 and the root SynIC handler
 * signals the eventfd found by port id (xarray, looked up under RCU).
 *
 * A port id is not reused while a doorbell value naming it may still come:
 * values wait in a CPU's ring until its handler runs, and in the
 * hypervisor after a ring overflow until NOTIFY_PORT_RING_EMPTY succeeds.
 * When an ioeventfd goes, its port is deleted (no new values) and its id
 * becomes a tombstone that signals nothing; tombstones are freed for reuse
 * only when every CPU has been seen with an empty ring and nothing owed
 * (mshv_synic_doorbells_quiet()), checked before an id is allocated.
 *
 * Both exist only while the root SynIC is available (mshv_synic.c); both
 * are torn down with the partition.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "uapi/linux/mshv.h"

#include "mshv_compat.h"
#include "mshv_root.h"

/**
 * struct mshv_irqfd - an eventfd bound to a guest interrupt
 * @partition: the partition (the irqfd holds no reference: the partition
 *	tears its irqfds down before it goes away)
 * @node: entry in &mshv_partition.irqfds: changed under
 *	&mshv_partition.irqfds_lock, walked under RCU by the EOI handler
 * @active: on the list (&mshv_partition.irqfds_lock)
 * @eventfd: the eventfd (reference held)
 * @resamplefd: eventfd signalled on EOI of the route's vector, or NULL
 * @gsi: the guest interrupt number (MSI routing table key)
 * @wait: our entry in the eventfd's wait queue
 * @pt: used once, to find that wait queue
 * @inject: asserts the interrupt when it needs a deposit (may sleep)
 * @shutdown: removes and frees the irqfd
 *
 * Fields are constant after assignment, except @node and @active.
 */
struct mshv_irqfd {
	struct mshv_partition *partition;
	struct list_head node;
	bool active;
	struct eventfd_ctx *eventfd;
	struct eventfd_ctx *resamplefd;
	u32 gsi;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;
};

/**
 * struct mshv_ioeventfd - a doorbell: guest MMIO write -> eventfd
 * @node: entry in &mshv_partition.ioeventfds
 *	(&mshv_partition.eventfds_mutex)
 * @partition_id: the guest partition
 * @eventfd: the eventfd (reference held)
 * @addr: guest physical address
 * @len: 0 (any size), 1, 2, 4 or 8
 * @datamatch: the value a write must carry, unless @wildcard
 * @wildcard: any value triggers
 * @port_id: the root's doorbell port (and the connection id)
 *
 * Constant after assignment, except @node; found by port id under RCU.
 */
struct mshv_ioeventfd {
	struct list_head node;
	u64 partition_id;
	struct eventfd_ctx *eventfd;
	u64 addr;
	u32 len;
	u64 datamatch;
	bool wildcard;
	u32 port_id;
};

/*
 * Doorbell ports by id (24 bits, 0 unused): a live &struct mshv_ioeventfd,
 * MSHV_DOORBELL_TOMBSTONE (port deleted, values for it may still come) or
 * MSHV_DOORBELL_LEAKED (DELETE_PORT failed: the hypervisor keeps the id).
 * Readers use RCU; tombstones are made and reaped under mshv_doorbell_mutex.
 */
static DEFINE_XARRAY_ALLOC1(mshv_doorbell_ports);
#define MSHV_DOORBELL_TOMBSTONE	xa_mk_value(0)
#define MSHV_DOORBELL_LEAKED	xa_mk_value(1)
static DEFINE_MUTEX(mshv_doorbell_mutex);
/* Tombstones in mshv_doorbell_ports (mshv_doorbell_mutex) */
static unsigned long mshv_doorbell_tombstones;

/* irqfd shutdown and deposit-and-assert work */
static struct workqueue_struct *mshv_irqfd_wq;

/*
 * irqfd
 */

static u32 mshv_irqfd_flags(const struct mshv_msi_route *route)
{
	u32 flags = 0;

	if (route->level_triggered)
		flags |= HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED;
	if (route->logical_dest)
		flags |= HV_ASSERT_INTERRUPT_LOGICAL_DEST;
	return flags;
}

/*
 * Assert the interrupt @irqfd's GSI routes to.  Returns -ENOMEM when the
 * hypervisor needs a deposit and @may_sleep is false.
 */
static int mshv_irqfd_assert(struct mshv_irqfd *irqfd, bool may_sleep)
{
	struct mshv_msi_route route;

	if (!mshv_msi_route_get(irqfd->partition, irqfd->gsi, &route) ||
	    !route.valid)
		return 0;	/* routes nowhere: dropped, as on hardware */
	return mshv_hv_assert_virtual_interrupt(irqfd->partition->id,
						route.vector,
						route.dest_apic_id,
						route.interrupt_type,
						mshv_irqfd_flags(&route),
						may_sleep);
}

static void mshv_irqfd_inject_work(struct work_struct *work)
{
	struct mshv_irqfd *irqfd = container_of(work, struct mshv_irqfd,
						inject);
	int ret;

	ret = mshv_irqfd_assert(irqfd, true);
	if (ret)
		pr_warn_ratelimited("partition %#llx GSI %u: assert failed: %d\n",
				    irqfd->partition->id, irqfd->gsi, ret);
}

static void mshv_irqfd_inject(struct mshv_irqfd *irqfd)
{
	int ret = mshv_irqfd_assert(irqfd, false);

	if (ret == -ENOMEM)
		queue_work(mshv_irqfd_wq, &irqfd->inject);
	else if (ret)
		pr_warn_ratelimited("partition %#llx GSI %u: assert failed: %d\n",
				    irqfd->partition->id, irqfd->gsi, ret);
}

/* Runs on mshv_irqfd_wq once @irqfd is off the partition's list */
static void mshv_irqfd_shutdown(struct work_struct *work)
{
	struct mshv_irqfd *irqfd = container_of(work, struct mshv_irqfd,
						shutdown);
	u64 cnt;

	/* After this, the wakeup cannot run or queue @inject any more */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	cancel_work_sync(&irqfd->inject);
	/* The EOI handler may still walk past it */
	synchronize_rcu();
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
	eventfd_ctx_put(irqfd->eventfd);
	mshv_partition_account(irqfd->partition,
			       -(s64)kmalloc_size_roundup(sizeof(*irqfd)));
	kfree(irqfd);
}

/* Take @irqfd off its partition's list and queue its shutdown */
static void mshv_irqfd_deactivate(struct mshv_irqfd *irqfd)
{
	lockdep_assert_held(&irqfd->partition->irqfds_lock);
	if (!irqfd->active)
		return;
	irqfd->active = false;
	list_del_rcu(&irqfd->node);
	queue_work(mshv_irqfd_wq, &irqfd->shutdown);
}

/* The eventfd's wait queue: its lock held, interrupts off */
static int mshv_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct mshv_irqfd *irqfd = container_of(wait, struct mshv_irqfd,
						wait);
	__poll_t flags = key_to_poll(key);
	unsigned long irqflags;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		mshv_irqfd_inject(irqfd);
	}
	if (flags & EPOLLHUP) {
		/* The eventfd is being closed: unbind it */
		spin_lock_irqsave(&irqfd->partition->irqfds_lock, irqflags);
		mshv_irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&irqfd->partition->irqfds_lock,
				       irqflags);
	}
	return 0;
}

static void mshv_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct mshv_irqfd *irqfd = container_of(pt, struct mshv_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

/* -EBADF for a closed fd, -EINVAL for a file that is not an eventfd */
static struct eventfd_ctx *mshv_eventfd_get(int fd)
{
	return eventfd_ctx_fdget(fd);
}

/**
 * mshv_irqfd_assign() - MSHV_IRQFD: inject GSI @gsi when @fd is signalled
 * @partition: the partition
 * @fd: the eventfd
 * @gsi: the guest interrupt (any GSI: one without a route takes effect
 *	once a route for it is set)
 * @resample: signal @resamplefd when the guest ends the interrupt
 * @resamplefd: the resample eventfd (with @resample)
 *
 * Return: 0; -EINVAL (@resample on a GSI without a level-triggered
 * route), -EBADF (@fd or @resamplefd not open), the error of
 * eventfd_ctx_fileget() (-EINVAL) when one is not an eventfd, -EBUSY (the
 * eventfd already drives an irqfd), -ENODEV (no root SynIC: the backend
 * cannot deliver root interrupts), -ENOMEM.
 */
int mshv_irqfd_assign(struct mshv_partition *partition, int fd, u32 gsi,
		      bool resample, int resamplefd)
{
	struct mshv_irqfd *irqfd, *tmp;
	struct mshv_msi_route route;
	struct file *file;
	__poll_t events;
	int ret;

	/*
	 * Any GSI, like mainline: one without a route (also one past the
	 * routing table's end) takes effect once a route for it is set.
	 */
	if (!mshv_synic_available())
		return -ENODEV;

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->partition = partition;
	irqfd->gsi = gsi;
	INIT_WORK(&irqfd->inject, mshv_irqfd_inject_work);
	INIT_WORK(&irqfd->shutdown, mshv_irqfd_shutdown);

	file = fget(fd);
	if (!file) {
		ret = -EBADF;
		goto free_irqfd;
	}
	irqfd->eventfd = eventfd_ctx_fileget(file);
	if (IS_ERR(irqfd->eventfd)) {
		ret = PTR_ERR(irqfd->eventfd);
		goto put_file;
	}

	/* The resamplefd first, then its route: mainline's errno order */
	if (resample) {
		irqfd->resamplefd = mshv_eventfd_get(resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			ret = PTR_ERR(irqfd->resamplefd);
			irqfd->resamplefd = NULL;
			goto put_eventfd;
		}
		if (!mshv_msi_route_get(partition, gsi, &route) ||
		    !route.valid || !route.level_triggered) {
			ret = -EINVAL;
			goto put_resamplefd;
		}
	}

	init_waitqueue_func_entry(&irqfd->wait, mshv_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, mshv_irqfd_queue_proc);

	mutex_lock(&partition->eventfds_mutex);
	spin_lock_irq(&partition->irqfds_lock);
	list_for_each_entry(tmp, &partition->irqfds, node) {
		if (tmp->eventfd == irqfd->eventfd) {
			spin_unlock_irq(&partition->irqfds_lock);
			ret = -EBUSY;
			goto unlock;
		}
	}
	/* Counted from here on: only a listed irqfd is shut down */
	mshv_partition_account(partition, kmalloc_size_roundup(sizeof(*irqfd)));
	irqfd->active = true;
	list_add_tail_rcu(&irqfd->node, &partition->irqfds);
	spin_unlock_irq(&partition->irqfds_lock);

	/*
	 * Hook into the eventfd; a signal already pending fires once.  Under
	 * the mutex, so that no deassign queues the shutdown (which unhooks
	 * it) before this; the file reference keeps the eventfd open.
	 */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		mshv_irqfd_inject(irqfd);
	mutex_unlock(&partition->eventfds_mutex);

	fput(file);
	return 0;

unlock:
	mutex_unlock(&partition->eventfds_mutex);
put_resamplefd:
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
put_eventfd:
	eventfd_ctx_put(irqfd->eventfd);
put_file:
	fput(file);
free_irqfd:
	kfree(irqfd);
	return ret;
}

/**
 * mshv_irqfd_deassign() - MSHV_IRQFD with DEASSIGN
 * @partition: the partition
 * @fd: the eventfd
 * @gsi: the GSI it injects
 *
 * The irqfd is unbound when the call returns.
 *
 * Return: 0, also when nothing matched; the error of looking @fd up as
 * an eventfd.
 */
int mshv_irqfd_deassign(struct mshv_partition *partition, int fd, u32 gsi)
{
	struct mshv_irqfd *irqfd, *tmp;
	struct eventfd_ctx *eventfd;

	eventfd = mshv_eventfd_get(fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	mutex_lock(&partition->eventfds_mutex);
	spin_lock_irq(&partition->irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &partition->irqfds, node) {
		if (irqfd->eventfd == eventfd && irqfd->gsi == gsi)
			mshv_irqfd_deactivate(irqfd);
	}
	spin_unlock_irq(&partition->irqfds_lock);
	mutex_unlock(&partition->eventfds_mutex);
	eventfd_ctx_put(eventfd);

	/* Unbound when the call returns */
	flush_workqueue(mshv_irqfd_wq);
	return 0;
}

/**
 * mshv_irqfd_resample() - the guest ended a level-triggered interrupt
 * @partition: the partition (found under RCU by the caller)
 * @vector: the vector of the HVMSG_X64_APIC_EOI message
 *
 * Signals the resamplefd of every irqfd whose GSI routes to @vector.
 * Called from the root SynIC interrupt handler, under RCU (no lock: the
 * eventfd wakeup takes &mshv_partition.irqfds_lock inside an eventfd's
 * wait-queue lock).
 */
void mshv_irqfd_resample(struct mshv_partition *partition, u32 vector)
{
	struct mshv_msi_route route;
	struct mshv_irqfd *irqfd;

	rcu_read_lock();
	list_for_each_entry_rcu(irqfd, &partition->irqfds, node) {
		if (!irqfd->resamplefd)
			continue;
		if (mshv_msi_route_get(partition, irqfd->gsi, &route) &&
		    route.valid && route.vector == vector)
			mshv_eventfd_signal(irqfd->resamplefd);
	}
	rcu_read_unlock();
}

/*
 * ioeventfd
 */

static u64 mshv_ioeventfd_trigger_size(u32 len)
{
	switch (len) {
	case 1:
		return HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE;
	case 2:
		return HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD;
	case 4:
		return HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD;
	case 8:
		return HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD;
	default:
		return HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY;
	}
}

/*
 * Disconnect and delete @p's port, then retire its id: a tombstone until
 * the values the hypervisor queued for it are surely taken, or for good
 * when the port could not be deleted.  Readers that found @p before may
 * still use it until a grace period has passed.
 */
static void mshv_ioeventfd_unport(struct mshv_ioeventfd *p)
{
	void *tomb = MSHV_DOORBELL_TOMBSTONE;
	int ret;

	ret = mshv_hv_disconnect_doorbell_port(p->partition_id, p->port_id);
	if (ret)
		pr_warn("partition %#llx: disconnecting doorbell port %u failed: %d\n",
			p->partition_id, p->port_id, ret);
	ret = mshv_hv_delete_port(p->port_id);
	if (ret) {
		pr_warn("deleting doorbell port %u failed: %d\n", p->port_id,
			ret);
		tomb = MSHV_DOORBELL_LEAKED;
	}

	mutex_lock(&mshv_doorbell_mutex);
	/* Replaces the entry in place: allocates nothing, cannot fail */
	xa_store(&mshv_doorbell_ports, p->port_id, tomb, GFP_KERNEL);
	if (tomb == MSHV_DOORBELL_TOMBSTONE)
		mshv_doorbell_tombstones++;
	mutex_unlock(&mshv_doorbell_mutex);
}

/*
 * Free the ids of deleted ports once no CPU holds or waits for a doorbell
 * value: every value queued for them (before DELETE_PORT, which stops new
 * ones) has been taken, and dropped, by then.
 */
static void mshv_doorbell_reap(void)
{
	unsigned long id;
	void *entry;

	mutex_lock(&mshv_doorbell_mutex);
	if (mshv_doorbell_tombstones && mshv_synic_doorbells_quiet()) {
		xa_for_each(&mshv_doorbell_ports, id, entry) {
			if (entry == MSHV_DOORBELL_TOMBSTONE)
				xa_erase(&mshv_doorbell_ports, id);
		}
		mshv_doorbell_tombstones = 0;
	}
	mutex_unlock(&mshv_doorbell_mutex);
}

/*
 * Free ioeventfds of @partition already unhooked from the hypervisor and
 * the xarray
 */
static void mshv_ioeventfd_free_list(struct mshv_partition *partition,
				     struct list_head *list)
{
	struct mshv_ioeventfd *p, *tmp;

	if (list_empty(list))
		return;
	/* The root SynIC handler may still hold one of them */
	synchronize_rcu();
	list_for_each_entry_safe(p, tmp, list, node) {
		list_del(&p->node);
		eventfd_ctx_put(p->eventfd);
		mshv_partition_account(partition,
				       -(s64)kmalloc_size_roundup(sizeof(*p)));
		kfree(p);
	}
}

/**
 * mshv_ioeventfd_assign() - MSHV_IOEVENTFD: signal @fd on a guest write
 * @partition: the partition
 * @fd: the eventfd
 * @addr: guest physical address of the doorbell
 * @len: access length: 0 (any), 1, 2, 4 or 8
 * @wildcard: any value written signals (else only @datamatch)
 * @datamatch: the value to match (without @wildcard)
 *
 * Return: 0; -EINVAL (@len not 0/1/2/4/8, @addr + @len overflows, @fd not
 * an eventfd), -EBADF (@fd not open), -EEXIST (same @addr and @len as an
 * existing ioeventfd, with equal datamatch or either one matching any
 * value), -ENODEV (no root SynIC), -ENOMEM, or the hypervisor's error.
 */
int mshv_ioeventfd_assign(struct mshv_partition *partition, int fd, u64 addr,
			  u32 len, bool wildcard, u64 datamatch)
{
	struct mshv_ioeventfd *p, *tmp;
	u64 end;
	int ret;

	if (len != 0 && len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (check_add_overflow(addr, (u64)len, &end))
		return -EINVAL;
	if (!mshv_synic_available())
		return -ENODEV;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->partition_id = partition->id;
	p->addr = addr;
	p->len = len;
	p->wildcard = wildcard;
	p->datamatch = wildcard ? 0 : datamatch;
	p->eventfd = mshv_eventfd_get(fd);
	if (IS_ERR(p->eventfd)) {
		ret = PTR_ERR(p->eventfd);
		goto free_p;
	}

	mshv_doorbell_reap();
	mutex_lock(&partition->eventfds_mutex);
	list_for_each_entry(tmp, &partition->ioeventfds, node) {
		if (tmp->addr == p->addr && tmp->len == p->len &&
		    (tmp->wildcard || p->wildcard ||
		     tmp->datamatch == p->datamatch)) {
			ret = -EEXIST;
			goto unlock;
		}
	}

	ret = xa_alloc(&mshv_doorbell_ports, &p->port_id, p,
		       XA_LIMIT(1, HV_PORT_ID_MASK), GFP_KERNEL_ACCOUNT);
	if (ret)
		goto unlock;
	ret = mshv_hv_create_doorbell_port(p->port_id, partition->id);
	if (ret)
		goto erase_id;
	ret = mshv_hv_connect_doorbell_port(partition->id, p->port_id,
					    p->addr, p->datamatch,
					    mshv_ioeventfd_trigger_size(p->len) |
					    (wildcard ?
					     HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE :
					     0));
	if (ret)
		goto delete_port;

	mshv_partition_account(partition, kmalloc_size_roundup(sizeof(*p)));
	list_add_tail(&p->node, &partition->ioeventfds);
	mutex_unlock(&partition->eventfds_mutex);
	return 0;

delete_port:
	if (mshv_hv_delete_port(p->port_id)) {
		pr_warn("deleting doorbell port %u failed\n", p->port_id);
		xa_store(&mshv_doorbell_ports, p->port_id,
			 MSHV_DOORBELL_LEAKED, GFP_KERNEL);
		goto unlock_rcu;
	}
erase_id:
	/* Never connected: no doorbell value names this port */
	xa_erase(&mshv_doorbell_ports, p->port_id);
unlock_rcu:
	mutex_unlock(&partition->eventfds_mutex);
	/* It was visible by its id: the SynIC handler may hold it */
	synchronize_rcu();
	goto put_eventfd;
unlock:
	mutex_unlock(&partition->eventfds_mutex);
put_eventfd:
	eventfd_ctx_put(p->eventfd);
free_p:
	kfree(p);
	return ret;
}

/**
 * mshv_ioeventfd_deassign() - MSHV_IOEVENTFD with DEASSIGN
 * @partition: the partition
 * @fd: the eventfd
 * @addr: guest physical address of the doorbell
 * @len: access length
 * @wildcard: the ioeventfd matches any value
 * @datamatch: the value it matches (without @wildcard)
 *
 * Return: 0; -ENOENT if no such ioeventfd exists, or the error of looking
 * @fd up as an eventfd.
 */
int mshv_ioeventfd_deassign(struct mshv_partition *partition, int fd,
			    u64 addr, u32 len, bool wildcard, u64 datamatch)
{
	struct mshv_ioeventfd *p, *found = NULL;
	struct eventfd_ctx *eventfd;
	LIST_HEAD(dead);

	eventfd = mshv_eventfd_get(fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	mutex_lock(&partition->eventfds_mutex);
	list_for_each_entry(p, &partition->ioeventfds, node) {
		if (p->eventfd == eventfd && p->addr == addr && p->len == len &&
		    p->wildcard == wildcard &&
		    (wildcard || p->datamatch == datamatch)) {
			found = p;
			break;
		}
	}
	if (found) {
		mshv_ioeventfd_unport(found);
		list_move(&found->node, &dead);
	}
	mutex_unlock(&partition->eventfds_mutex);
	eventfd_ctx_put(eventfd);

	mshv_ioeventfd_free_list(partition, &dead);
	return found ? 0 : -ENOENT;
}

/**
 * mshv_doorbell_signal() - a guest wrote the doorbell of port @port_id
 * @port_id: the port id the hypervisor queued in the root's event ring
 *
 * Called from the root SynIC interrupt handler.
 */
void mshv_doorbell_signal(u32 port_id)
{
	struct mshv_ioeventfd *p;

	rcu_read_lock();
	p = xa_load(&mshv_doorbell_ports, port_id);
	/* A tombstone: a value that came after its ioeventfd went */
	if (p && !xa_is_value(p))
		mshv_eventfd_signal(p->eventfd);
	rcu_read_unlock();
}

/*
 * Partition and module
 */

/**
 * mshv_eventfd_partition_init() - set up the eventfd lists of a partition
 * @partition: the new partition, not yet visible to anyone else
 */
void mshv_eventfd_partition_init(struct mshv_partition *partition)
{
	spin_lock_init(&partition->irqfds_lock);
	INIT_LIST_HEAD(&partition->irqfds);
	mutex_init(&partition->eventfds_mutex);
	INIT_LIST_HEAD(&partition->ioeventfds);
}

/**
 * mshv_eventfd_partition_release() - tear down every irqfd and ioeventfd
 * @partition: the partition being destroyed (no file refers to it); still
 *	known to the hypervisor
 */
void mshv_eventfd_partition_release(struct mshv_partition *partition)
{
	struct mshv_ioeventfd *p, *tmp;
	struct mshv_irqfd *irqfd, *itmp;
	LIST_HEAD(dead);

	spin_lock_irq(&partition->irqfds_lock);
	list_for_each_entry_safe(irqfd, itmp, &partition->irqfds, node)
		mshv_irqfd_deactivate(irqfd);
	spin_unlock_irq(&partition->irqfds_lock);
	if (mshv_irqfd_wq)
		flush_workqueue(mshv_irqfd_wq);

	mutex_lock(&partition->eventfds_mutex);
	list_for_each_entry_safe(p, tmp, &partition->ioeventfds, node) {
		mshv_ioeventfd_unport(p);
		list_move(&p->node, &dead);
	}
	mutex_unlock(&partition->eventfds_mutex);
	mshv_ioeventfd_free_list(partition, &dead);
}

/**
 * mshv_eventfd_partition_exit() - undo mshv_eventfd_partition_init()
 * @partition: a partition without irqfds and ioeventfds (never had any,
 *	or mshv_eventfd_partition_release() removed them)
 */
void mshv_eventfd_partition_exit(struct mshv_partition *partition)
{
	WARN_ON_ONCE(!list_empty(&partition->irqfds) ||
		     !list_empty(&partition->ioeventfds));
	mutex_destroy(&partition->eventfds_mutex);
}

/**
 * mshv_eventfd_sizes_show() - the irqfd and ioeventfd terms of debugfs
 *	"sizes"
 * @m: the seq_file
 */
void mshv_eventfd_sizes_show(struct seq_file *m)
{
	seq_printf(m, " irqfd=%zu ioeventfd=%zu",
		   kmalloc_size_roundup(sizeof(struct mshv_irqfd)),
		   kmalloc_size_roundup(sizeof(struct mshv_ioeventfd)));
}

/**
 * mshv_eventfd_init() - module init: the irqfd workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int mshv_eventfd_init(void)
{
	mshv_irqfd_wq = alloc_workqueue("mshv_irqfd", 0, 0);
	return mshv_irqfd_wq ? 0 : -ENOMEM;
}

/**
 * mshv_eventfd_exit() - module exit (every partition is gone, the root
 *	SynIC handler is removed)
 */
void mshv_eventfd_exit(void)
{
	unsigned long id;
	void *entry;

	destroy_workqueue(mshv_irqfd_wq);
	mshv_irqfd_wq = NULL;
	/* Only retired ids are left */
	xa_for_each(&mshv_doorbell_ports, id, entry)
		WARN_ON(!xa_is_value(entry));
	xa_destroy(&mshv_doorbell_ports);
	mshv_doorbell_tombstones = 0;
}
