// SPDX-License-Identifier: GPL-2.0-only
/*
 * mshv_root: the MSI routing table of a partition (MSHV_SET_MSI_ROUTING).
 *
 * Userspace gives the whole table at once: up to MSHV_MAX_GUEST_IRQS
 * entries, each naming a guest interrupt number (GSI) and the x86 MSI
 * address/data pair it raises.  The driver decodes every entry into the
 * fields the hypervisor's interrupt assertion takes (vector, delivery
 * mode, trigger mode, destination) and publishes the table with RCU: it
 * is replaced as a whole under &mshv_partition.irq_lock, readers look GSIs
 * up under rcu_read_lock() (mshv_msi_route_get()) without any lock, and a
 * replaced table is freed after a grace period.
 *
 * The table is kept sorted by GSI, so a lookup is a binary search and
 * duplicate GSIs are found while building it.  Entries whose address and
 * data are zero are accepted and only reserve their GSI (QEMU registers
 * its unused GSIs that way); they route nowhere.
 *
 * MSHV_IRQFD (mshv_eventfd.c) reads it from eventfd wakeups and the root
 * SynIC interrupt handler, both atomic: hence the lockless lookup.
 */

#include <linux/bsearch.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uapi/linux/mshv.h"

#include "mshv_root.h"

/**
 * struct mshv_msi_routing - a partition's MSI routing table
 * @rcu: frees the table a grace period after it was replaced
 * @nr: number of entries in @routes
 * @routes: the decoded entries, sorted by GSI, no GSI twice
 *
 * Never modified once published in &mshv_partition.msi_routing.
 */
struct mshv_msi_routing {
	struct rcu_head rcu;
	u32 nr;
	struct mshv_msi_route routes[];
};

/* The fields of an x86 MSI address and data pair (asm/msi.h) */
static void mshv_msi_decode(const struct mshv_user_irq_entry *entry,
			    struct mshv_msi_route *route)
{
	struct msi_msg msg = {
		.address_lo = entry->address_lo,
		.address_hi = entry->address_hi,
		.data = entry->data,
	};

	route->gsi = entry->gsi;
	route->address_lo = entry->address_lo;
	route->data = entry->data;
	route->vector = msg.arch_data.vector;
	route->interrupt_type = msg.arch_data.delivery_mode;
	route->level_triggered = msg.arch_data.is_level;
	route->dest_apic_id = msg.arch_addr_lo.destid_0_7;
	route->logical_dest = msg.arch_addr_lo.dest_mode_logical;
	route->valid = entry->address_lo || entry->data;
}

static int mshv_msi_route_cmp(const void *a, const void *b)
{
	const struct mshv_msi_route *ra = a, *rb = b;

	if (ra->gsi != rb->gsi)
		return ra->gsi < rb->gsi ? -1 : 1;
	return 0;
}

static int mshv_msi_gsi_cmp(const void *key, const void *elt)
{
	const struct mshv_msi_route *route = elt;
	u32 gsi = *(const u32 *)key;

	if (gsi != route->gsi)
		return gsi < route->gsi ? -1 : 1;
	return 0;
}

/*
 * Check and decode @nr user entries into a new table.  Returns NULL for
 * an empty table, or an ERR_PTR: -EINVAL for a GSI out of range, a
 * non-zero address_hi or a GSI given twice.
 */
static struct mshv_msi_routing *
mshv_msi_routing_build(const struct mshv_user_irq_entry *entries, u32 nr)
{
	struct mshv_msi_routing *table;
	u32 i;

	if (nr > MSHV_MAX_GUEST_IRQS)
		return ERR_PTR(-EINVAL);
	if (!nr)
		return NULL;

	for (i = 0; i < nr; i++)
		if (entries[i].gsi >= MSHV_MAX_GUEST_IRQS ||
		    entries[i].address_hi)
			return ERR_PTR(-EINVAL);

	table = kvzalloc(struct_size(table, routes, nr), GFP_KERNEL_ACCOUNT);
	if (!table)
		return ERR_PTR(-ENOMEM);
	table->nr = nr;
	for (i = 0; i < nr; i++)
		mshv_msi_decode(&entries[i], &table->routes[i]);

	sort(table->routes, nr, sizeof(table->routes[0]), mshv_msi_route_cmp,
	     NULL);
	for (i = 1; i < nr; i++) {
		if (table->routes[i].gsi == table->routes[i - 1].gsi) {
			kvfree(table);
			return ERR_PTR(-EINVAL);
		}
	}
	return table;
}

/* The driver memory @table occupies (0 for none) */
static s64 mshv_msi_routing_bytes(const struct mshv_msi_routing *table)
{
	if (!table)
		return 0;
	return kmalloc_size_roundup(struct_size(table, routes, table->nr));
}

/* Publish @table (NULL = empty) and free the one it replaces */
static void mshv_msi_routing_replace(struct mshv_partition *partition,
				     struct mshv_msi_routing *table)
{
	struct mshv_msi_routing *old;

	mutex_lock(&partition->irq_lock);
	old = rcu_replace_pointer(partition->msi_routing, table,
				  lockdep_is_held(&partition->irq_lock));
	mutex_unlock(&partition->irq_lock);
	mshv_partition_account(partition, mshv_msi_routing_bytes(table) -
				mshv_msi_routing_bytes(old));
	if (old)
		kvfree_rcu(old, rcu);
}

/**
 * mshv_set_msi_routing() - MSHV_SET_MSI_ROUTING: replace the routing table
 * @partition: the partition
 * @entries: the new entries (a kernel copy)
 * @nr: number of @entries, at most %MSHV_MAX_GUEST_IRQS; 0 clears the table
 *
 * Return: 0, -EINVAL (an entry with a GSI out of range or a non-zero
 * address_hi, a GSI given twice) or -ENOMEM; on error the table is left
 * as it was.
 */
int mshv_set_msi_routing(struct mshv_partition *partition,
			 const struct mshv_user_irq_entry *entries, u32 nr)
{
	struct mshv_msi_routing *table;

	table = mshv_msi_routing_build(entries, nr);
	if (IS_ERR(table))
		return PTR_ERR(table);
	mshv_msi_routing_replace(partition, table);
	return 0;
}

/**
 * mshv_msi_route_get() - look up the route of a GSI
 * @partition: the partition
 * @gsi: the guest interrupt number
 * @route: receives a copy of the route
 *
 * Lockless (RCU); callable from any context.
 *
 * Return: true if the table has an entry for @gsi (which may be a
 * reservation: check @route->valid), false otherwise.
 */
bool mshv_msi_route_get(struct mshv_partition *partition, u32 gsi,
			struct mshv_msi_route *route)
{
	const struct mshv_msi_routing *table;
	const struct mshv_msi_route *found = NULL;

	rcu_read_lock();
	table = rcu_dereference(partition->msi_routing);
	if (table)
		found = bsearch(&gsi, table->routes, table->nr,
				sizeof(table->routes[0]), mshv_msi_gsi_cmp);
	if (found)
		*route = *found;
	rcu_read_unlock();
	return found;
}

/**
 * mshv_irq_init() - set up the interrupt state of a new partition
 * @partition: the partition, not yet visible to anyone else
 */
void mshv_irq_init(struct mshv_partition *partition)
{
	mutex_init(&partition->irq_lock);
	RCU_INIT_POINTER(partition->msi_routing, NULL);
}

/**
 * mshv_irq_release() - free the interrupt state of a partition
 * @partition: the partition being torn down (no file refers to it)
 */
void mshv_irq_release(struct mshv_partition *partition)
{
	mshv_msi_routing_replace(partition, NULL);
	mutex_destroy(&partition->irq_lock);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "kunit/mshv_irq_test.c"
#endif
