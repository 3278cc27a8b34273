/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mshv_root: internal interfaces of the /dev/mshv driver.
 *
 * Objects
 * -------
 * A partition (struct mshv_partition) is created by MSHV_CREATE_PARTITION
 * and lives as long as its file and the files of its VPs: every one of
 * them holds a reference (@ref).  The last reference tears it down (see
 * mshv_partition_put()).  A VP (struct mshv_vp) belongs to its partition
 * and is freed with it; a VP file only holds a partition reference.  Guest
 * memory regions (struct mshv_mem_region) hang off the partition.
 *
 * Lock order (outermost first)
 * ----------------------------
 *   mshv_partition.mutex   VP creation, region list changes, initialize
 *     mm->mmap_lock        taken inside it while pinning user memory
 *       local_irq_save()   the per-CPU hypercall pages (innermost, never
 *                          held across anything that sleeps)
 *
 *   mshv_vp.run_mutex      serialises MSHV_RUN_VP of one VP; never held
 *                          together with mshv_partition.mutex.
 *
 * The hypercall layer (mshv_root_hv_call.c) takes no lock of its own: the
 * per-CPU pages are protected by running with interrupts disabled.
 */
#ifndef _MSHV_ROOT_H
#define _MSHV_ROOT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "hvabi.h"
#include "mshv_backend.h"

/* Driver limits */
#define MSHV_MAX_VPS			256
#define MSHV_PIN_PAGES_BATCH_SIZE	0x10000

/* Pages deposited into a partition before the calls that need them */
#define MSHV_INIT_PARTITION_DEPOSIT_PAGES	208
#define MSHV_CREATE_VP_DEPOSIT_PAGES		90
/* Pages deposited when a call returns HV_STATUS_INSUFFICIENT_MEMORY */
#define MSHV_MAP_GPA_DEPOSIT_PAGES		256
#define MSHV_DEFAULT_DEPOSIT_PAGES		1

/* Guest page frame numbers must stay below 2^64 bytes of GPA space */
#define MSHV_GPA_PFN_LIMIT	(1ULL << (64 - HV_HYP_PAGE_SHIFT))

struct mshv_partition;

/**
 * struct mshv_vp - a virtual processor of a partition
 * @partition: the owning partition (the VP file holds a reference on it)
 * @index: VP index in the hypervisor, below %MSHV_MAX_VPS
 * @register_page: hypervisor VP register page (MAP_VP_STATE_PAGE type
 *	REGISTERS), mmap offset 0; set at creation, constant afterwards
 * @intercept_page: hypervisor intercept message page (type
 *	INTERCEPT_MESSAGE), mmap offset 1; set at creation, constant
 * @run_mutex: serialises MSHV_RUN_VP; protects @intercept_pending
 * @intercept_pending: the last dispatch returned an intercept that was
 *	handed to userspace; the next dispatch must carry
 *	HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND.  Protected by @run_mutex.
 * @kick_wq: a blocked MSHV_RUN_VP waits here for mshv_vp_kick()
 * @kicked: set by mshv_vp_kick(), consumed by the waiter (accessed with
 *	READ_ONCE/WRITE_ONCE and ordered by the wait queue)
 */
struct mshv_vp {
	struct mshv_partition *partition;
	u32 index;
	struct page *register_page;
	struct page *intercept_page;
	struct mutex run_mutex;	/* serialises MSHV_RUN_VP */
	bool intercept_pending;
	wait_queue_head_t kick_wq;
	bool kicked;
};

/**
 * struct mshv_mem_region - guest memory backed by pinned user pages
 * @list: entry in &mshv_partition.regions (protected by its mutex)
 * @guest_pfn: first guest page frame number
 * @nr_pages: number of 4 KiB pages
 * @uaddr: userspace address of the first page
 * @user_flags: MSHV_SET_MEM_BIT_* flags given by userspace
 * @hv_map_flags: HV_MAP_GPA_* flags used to map the region
 * @pages: the pinned pages, @nr_pages entries
 *
 * A region is created, mapped, unmapped and destroyed under the owning
 * partition's mutex, so it needs no lock of its own.
 */
struct mshv_mem_region {
	struct list_head list;
	u64 guest_pfn;
	u64 nr_pages;
	u64 uaddr;
	u8 user_flags;
	u32 hv_map_flags;
	struct page **pages;
};

/**
 * struct mshv_partition - a guest partition
 * @ref: references: the partition file and every VP file
 * @id: hypervisor partition id
 * @mutex: serialises MSHV_INITIALIZE_PARTITION, MSHV_CREATE_VP and
 *	MSHV_SET_GUEST_MEMORY; protects @initialized, @vps and @regions
 * @initialized: INITIALIZE_PARTITION succeeded (protected by @mutex)
 * @vps: VPs by index (protected by @mutex; read without it only by the
 *	teardown, which runs when no reference is left)
 * @regions: list of &struct mshv_mem_region (protected by @mutex)
 */
struct mshv_partition {
	struct kref ref;
	u64 id;
	struct mutex mutex;	/* VP creation, regions, initialize */
	bool initialized;
	struct mshv_vp *vps[MSHV_MAX_VPS];
	struct list_head regions;
};

/* mshv_root_main.c */
void mshv_partition_get(struct mshv_partition *partition);
void mshv_partition_put(struct mshv_partition *partition);
void mshv_vp_kick(struct mshv_vp *vp);

/* mshv_regions.c */
struct mshv_mem_region *mshv_region_create(u64 guest_pfn, u64 nr_pages,
					   u64 uaddr, u8 user_flags);
int mshv_region_pin(struct mshv_mem_region *region);
int mshv_region_map(struct mshv_partition *partition,
		    struct mshv_mem_region *region);
void mshv_region_unmap(struct mshv_partition *partition,
		       struct mshv_mem_region *region);
void mshv_region_destroy(struct mshv_mem_region *region);
void mshv_region_free(struct mshv_mem_region *region);
bool mshv_region_overlaps(const struct mshv_mem_region *region,
			  u64 guest_pfn, u64 nr_pages);

/* mshv_root_hv_call.c: setup */
int mshv_hv_init(const struct mshv_hv_backend *backend);
void mshv_hv_exit(void);
int mshv_hv_status_to_errno(u16 status);

/* mshv_root_hv_call.c: hypercalls */
int mshv_hv_get_system_property(u32 property_id, u64 *value);
int mshv_hv_create_partition(const struct hv_input_create_partition *input,
			     u64 *partition_id);
int mshv_hv_initialize_partition(u64 partition_id);
int mshv_hv_finalize_partition(u64 partition_id);
int mshv_hv_delete_partition(u64 partition_id);
int mshv_hv_get_partition_property(u64 partition_id, u32 property_code,
				   u64 *value);
int mshv_hv_set_partition_property(u64 partition_id, u32 property_code,
				   u64 value);
int mshv_hv_deposit_memory(u64 partition_id, u32 nr_pages);
int mshv_hv_withdraw_memory(u64 partition_id);
int mshv_hv_map_gpa_pages(u64 partition_id, u64 guest_pfn,
			  struct page **pages, u64 nr_pages, u32 flags,
			  u64 *nr_mapped);
int mshv_hv_unmap_gpa_pages(u64 partition_id, u64 guest_pfn, u64 nr_pages,
			    u32 flags);
int mshv_hv_create_vp(u64 partition_id, u32 vp_index);
int mshv_hv_delete_vp(u64 partition_id, u32 vp_index);
int mshv_hv_get_vp_registers(u64 partition_id, u32 vp_index, u32 count,
			     const u32 *names, union hv_register_value *values);
int mshv_hv_set_vp_registers(u64 partition_id, u32 vp_index, u32 count,
			     const struct hv_register_assoc *assocs);
int mshv_hv_map_vp_state_page(u64 partition_id, u32 vp_index, u16 type,
			      u64 *pfn);
int mshv_hv_unmap_vp_state_page(u64 partition_id, u32 vp_index, u16 type);
int mshv_hv_dispatch_vp(u64 partition_id, u32 vp_index, u32 flags,
			struct hv_output_dispatch_vp *output);
int mshv_hv_passthrough(u64 partition_id, u16 code, u16 rep_count,
			const void *input, u16 in_sz, void *output,
			u16 out_sz, u16 *status, u16 *reps_done);

#endif /* _MSHV_ROOT_H */
