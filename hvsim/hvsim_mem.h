/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_mem.c: deposit pools, the SLAT, and guest memory as the SLAT
 * presents it.  The bottom of the model: it calls no other hvsim file.
 */
#ifndef _HVSIM_MEM_H
#define _HVSIM_MEM_H

#include <linux/spinlock.h>
#include <linux/types.h>

#include "x86_emu.h"

struct dentry;
struct hvsim_partition;
struct hvsim_pool;
struct hvsim_slat;
struct page;

/* Deposit pool */
void hvsim_pool_init(struct hvsim_pool *pool, spinlock_t *lock);
u16 hvsim_pool_check_pfn(u64 pfn);
void hvsim_pool_add(struct hvsim_pool *pool, u64 pfn);
void *hvsim_pool_alloc(struct hvsim_pool *pool);
void hvsim_pool_free(struct hvsim_pool *pool, void *page);
bool hvsim_pool_withdraw(struct hvsim_pool *pool, u64 *pfn);
void hvsim_pool_move(struct hvsim_pool *dst, struct hvsim_pool *src);
void hvsim_pool_release(struct hvsim_pool *pool);

/* SLAT */
void hvsim_slat_init(struct hvsim_slat *slat, spinlock_t *lock);
int hvsim_slat_map(struct hvsim_slat *slat, struct hvsim_pool *pool,
		   u64 gfn, u64 pfn, u32 perms);
int hvsim_slat_map_large(struct hvsim_slat *slat, struct hvsim_pool *pool,
			 u64 gfn, u64 pfn, u32 perms);
int hvsim_slat_unmap(struct hvsim_slat *slat, struct hvsim_pool *pool,
		     u64 gfn, u64 count);
bool hvsim_slat_lookup(struct hvsim_slat *slat, u64 gfn, u64 *pfn,
		       u32 *perms);
u8 hvsim_slat_access_state(struct hvsim_slat *slat, u64 gfn, u64 flags);
u64 hvsim_slat_audit(struct hvsim_slat *slat, bool all);
u64 hvsim_stale_entries(void);
#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
struct kunit_suite;
int hvsim_test_stale_save(struct kunit_suite *suite);
void hvsim_test_stale_restore(struct kunit_suite *suite);
#endif
void hvsim_slat_destroy(struct hvsim_slat *slat, struct hvsim_pool *pool);
void hvsim_gpa_space_changed(struct hvsim_partition *pt);

/* Guest memory */
enum hvsim_gpa_result {
	HVSIM_GPA_OK,		/* mapped, access allowed, page usable */
	HVSIM_GPA_UNMAPPED,	/* no SLAT entry */
	HVSIM_GPA_DENIED,	/* forbidden access, or not ordinary RAM */
	HVSIM_GPA_STALE,	/* the entry names a freed page */
	HVSIM_GPA_IO,		/* access allowed, device memory (hvsim_mmio) */
};

enum hvsim_gpa_result hvsim_gpa_page(struct hvsim_partition *pt, u64 gfn,
				     enum x86_emu_access access,
				     struct page **page);
void *hvsim_gpa_map(struct hvsim_partition *pt, u64 gfn, u32 *perms);
enum hvsim_gpa_result hvsim_gpa_copy(struct hvsim_partition *pt, u64 gpa,
				     void *buf, unsigned int len,
				     enum x86_emu_access access, bool commit);
void hvsim_note_stale(struct hvsim_partition *pt, u64 gpa);
void hvsim_mmio_debugfs_init(struct dentry *dir);
void hvsim_mmio_exit(void);
u64 hvsim_stale_accesses(void);
u64 hvsim_lost_writes(void);
u16 hvsim_check_data_pfn(u64 pfn);

#endif /* _HVSIM_MEM_H */
