/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_partition.c: the partition table, the prologue of every hypercall
 * on a partition or a VP, partition life cycle and properties, deposits.
 */
#ifndef _HVSIM_PARTITION_H
#define _HVSIM_PARTITION_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct hvsim_call;
struct hvsim_partition;
struct hvsim_pool;
struct hvsim_vp;
struct seq_file;

extern spinlock_t hvsim_lock;
extern struct hvsim_pool hvsim_root_pool;
struct hvsim_partition *hvsim_partition_get(u64 id);
void hvsim_partition_put(struct hvsim_partition *pt);
void hvsim_partition_lock(struct hvsim_partition *pt)
	__acquires(&pt->run_lock) __acquires(&pt->lock);
void hvsim_partition_unlock(struct hvsim_partition *pt)
	__releases(&pt->lock) __releases(&pt->run_lock);
u16 hvsim_partition_call(u64 id, unsigned int states,
			 u16 (*fn)(struct hvsim_partition *pt, void *arg),
			 void *arg);
struct hvsim_vp *hvsim_vp_find(struct hvsim_partition *pt, u32 index);
u16 hvsim_vp_call(u64 partition_id, u32 vp_index,
		  u16 (*fn)(struct hvsim_vp *vp, void *arg), void *arg);
void hvsim_partitions_init(void);
void hvsim_partitions_exit(void (*teardown)(struct hvsim_partition *pt));
void hvsim_partitions_for_each(void (*fn)(struct hvsim_partition *pt,
					  void *arg), void *arg);
void hvsim_partitions_show(struct seq_file *m);
void hvsim_partitions_set_pool_cap(u64 pages);
u64 hvsim_partitions_pool_cap(void);
void hvsim_partitions_uncap(void);
void hvsim_partitions_audit(void);
u16 hvsim_hc_create_partition(struct hvsim_call *call);
u16 hvsim_hc_initialize_partition(struct hvsim_call *call);
u16 hvsim_hc_delete_partition(struct hvsim_call *call);
u16 hvsim_hc_get_partition_property(struct hvsim_call *call);
u16 hvsim_hc_set_partition_property(struct hvsim_call *call);
u16 hvsim_hc_get_partition_property_ex(struct hvsim_call *call);
u16 hvsim_hc_get_system_property(struct hvsim_call *call);
u16 hvsim_hc_deposit_memory(struct hvsim_call *call);
u16 hvsim_hc_withdraw_memory(struct hvsim_call *call);
u64 hvsim_partition_privileges(const struct hvsim_partition *pt);
u64 hvsim_partition_xsave_features(const struct hvsim_partition *pt);
u64 hvsim_synthetic_privileges(u64 features);

#endif /* _HVSIM_PARTITION_H */
