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
 *                          (the region locks: see mshv_regions.h)
 *       local_irq_save()   the per-CPU hypercall pages (innermost, never
 *                          held across anything that sleeps)
 *
 *   mshv_vp.run_mutex      serialises MSHV_RUN_VP and MSHV_GET/SET_VP_STATE
 *                          of one VP; never held together with
 *                          mshv_partition.mutex.  mm->mmap_lock may be
 *                          taken inside it (pinning a VP-state buffer).
 *
 *   mshv_partition.irq_lock  serialises MSI routing table updates; a leaf
 *                          (readers use RCU, see mshv_irq.c).
 *
 *   mshv_partition.async_mutex  one asynchronous hypercall per partition
 *                          (SET_PARTITION_PROPERTY); held across the call,
 *                          deposits and the killable wait for its
 *     mshv_partition.async_lock  completion.  The spinlock is a leaf taken
 *                          by the root SynIC interrupt handler (IRQ-safe).
 *
 * The hypercall layer (mshv_root_hv_call.c) takes no lock of its own: the
 * per-CPU pages are protected by running with interrupts disabled.
 */
#ifndef _MSHV_ROOT_H
#define _MSHV_ROOT_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "hvabi.h"
#include "mshv_backend.h"
#include "mshv_regions.h"

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

struct mshv_mem_region;
struct mshv_msi_routing;
struct mshv_partition;

/**
 * struct mshv_vp - a virtual processor of a partition
 * @partition: the owning partition (the VP file holds a reference on it)
 * @index: VP index in the hypervisor, below %MSHV_MAX_VPS
 * @register_page: hypervisor VP register page (MAP_VP_STATE_PAGE type
 *	REGISTERS), mmap offset 0; set at creation, constant afterwards
 * @intercept_page: hypervisor intercept message page (type
 *	INTERCEPT_MESSAGE), mmap offset 1; set at creation, constant
 * @run_mutex: serialises MSHV_RUN_VP and MSHV_GET/SET_VP_STATE; protects
 *	@intercept_pending
 * @intercept_pending: the last dispatch returned an intercept that was
 *	handed to userspace; the next dispatch must carry
 *	HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND.  Protected by @run_mutex.
 * @regions: the fault path's state of the VP (mshv_region_fault.c); used
 *	under @run_mutex
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
	struct mshv_vp_regions regions;
	wait_queue_head_t kick_wq;
	bool kicked;
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
 * @regions: the guest memory regions (&struct mshv_mem_region) by GFN;
 *	changed under @mutex and @regions_lock (write), looked up under
 *	@regions_lock (read) by the GPA-intercept path (mshv_regions.c)
 * @regions_lock: protects the shape of @regions
 * @fault_pool: the fault buffers of the partition's faults (its own lock)
 * @xsave_size: partition property MAX_XSAVE_DATA_SIZE, read at the first
 *	XSAVE VP-state transfer; 0 until then (READ_ONCE/WRITE_ONCE: every
 *	reader computes the same value)
 * @xsave_states: partition property XSAVE_STATES, cached with @xsave_size
 * @irq_lock: serialises MSHV_SET_MSI_ROUTING (writers of @msi_routing)
 * @msi_routing: the MSI routing table; written under @irq_lock, read
 *	under rcu_read_lock(); NULL when empty (mshv_irq.c)
 * @id_node: entry in the table of partitions by id (mshv_root_main.c),
 *	looked up under RCU by the root SynIC interrupt handler
 * @deposited_pages: pages deposited into the partition and not withdrawn
 *	(atomic; updated by the deposit and withdraw calls while the
 *	partition is in the table of partitions by id)
 * @driver_bytes: bytes of driver memory kept for the partition (atomic;
 *	updated by mshv_partition_account() where that memory is allocated
 *	and freed)
 * @irqfds_lock: protects @irqfds (taken from the root SynIC interrupt
 *	handler: IRQ-safe)
 * @irqfds: the partition's irqfds (mshv_eventfd.c)
 * @eventfds_mutex: protects @ioeventfds; serialises MSHV_IRQFD assign and
 *	deassign (an irqfd is hooked into its eventfd before a deassign can
 *	queue its shutdown)
 * @ioeventfds: the partition's ioeventfds (mshv_eventfd.c)
 * @async_mutex: serialises the partition's asynchronous hypercalls
 *	(mshv_partition_async_call()): at most one is in flight, so a
 *	completion, which names no call, is always for that one
 * @async_lock: protects @async_state, @async_seq, @async_done_seq and
 *	@async_status; taken by the root SynIC interrupt handler (IRQ-safe)
 * @async_state: enum mshv_async_state
 * @async_seq: sequence number of the last call armed (under @async_mutex)
 * @async_done_seq: sequence number of the last call whose completion
 *	arrived while it was waited for; the waiter of call @async_seq waits
 *	for the two to match (read without @async_lock by the wait condition)
 * @async_status: the HV status that completion carried
 * @async_wq: the waiter of the call in flight sleeps here
 */
struct mshv_partition {
	struct kref ref;
	u64 id;
	struct mutex mutex;	/* VP creation, regions, initialize */
	bool initialized;
	struct mshv_vp *vps[MSHV_MAX_VPS];
	struct rb_root_cached regions;
	rwlock_t regions_lock;	/* the @regions tree */
	struct mshv_fault_pool fault_pool;
	u64 xsave_size;
	u64 xsave_states;
	struct mutex irq_lock;	/* writers of msi_routing */
	struct mshv_msi_routing __rcu *msi_routing;
	struct hlist_node id_node;
	atomic64_t deposited_pages;
	atomic64_t driver_bytes;
	spinlock_t irqfds_lock;	/* the @irqfds list */
	struct list_head irqfds;
	struct mutex eventfds_mutex;	/* @ioeventfds, irqfd (de)assign */
	struct list_head ioeventfds;
	struct mutex async_mutex;	/* one asynchronous call at a time */
	spinlock_t async_lock;	/* the async_* fields below */
	int async_state;
	u64 async_seq;
	u64 async_done_seq;
	u16 async_status;
	wait_queue_head_t async_wq;
};

/**
 * enum mshv_async_state - where a partition's asynchronous call stands
 * @MSHV_ASYNC_IDLE: no call in flight
 * @MSHV_ASYNC_ARMED: a call is being issued or its completion awaited
 * @MSHV_ASYNC_DONE: its completion arrived; the waiter takes the status
 * @MSHV_ASYNC_ABANDONED: the waiter was killed while the call was pending;
 *	the hypervisor still owes the completion, which is dropped when it
 *	arrives.  Until then new asynchronous calls fail with -EPERM.
 */
enum mshv_async_state {
	MSHV_ASYNC_IDLE,
	MSHV_ASYNC_ARMED,
	MSHV_ASYNC_DONE,
	MSHV_ASYNC_ABANDONED,
};

/**
 * enum mshv_hvcall_target - the kind of fd a MSHV_ROOT_HVCALL came through
 * @MSHV_HVCALL_SELF: /dev/mshv
 * @MSHV_HVCALL_PARTITION: a partition fd
 * @MSHV_HVCALL_VP: a VP fd
 */
enum mshv_hvcall_target {
	MSHV_HVCALL_SELF,
	MSHV_HVCALL_PARTITION,
	MSHV_HVCALL_VP,
};

struct file;
struct mshv_root_hvcall;

/* mshv_ioctl.c: the ioctl boundary */
long mshv_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long mshv_partition_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg);
long mshv_vp_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/**
 * mshv_partition_account() - count driver memory kept for a partition
 * @partition: the partition
 * @bytes: the size of an allocation made for @partition (positive) or of
 *	one freed (negative), as the allocator rounds it
 *	(kmalloc_size_roundup())
 *
 * Every allocation that lives as long as an object of the partition (the
 * partition, its VPs and their fault buffers, regions, the MSI routing
 * table, irqfds, ioeventfds) is counted here when it is made and when it
 * is freed; buffers of a single ioctl are not.
 */
static inline void mshv_partition_account(struct mshv_partition *partition,
					  s64 bytes)
{
	atomic64_add(bytes, &partition->driver_bytes);
}

/* mshv_root_main.c */
long mshv_partition_create(const struct hv_input_create_partition *in);
long mshv_partition_initialize(struct mshv_partition *partition);
long mshv_vp_create(struct mshv_partition *partition, u32 vp_index);
long mshv_vp_run_to_user(struct mshv_vp *vp, void __user *msg);
long mshv_root_hvcall(struct mshv_partition *partition, u64 partition_id,
		      enum mshv_hvcall_target target,
		      struct mshv_root_hvcall *args, void __user *uarg);
void mshv_partition_get(struct mshv_partition *partition);
void mshv_partition_put(struct mshv_partition *partition);

/* mshv_vp_state.c */
long mshv_vp_state_transfer(struct mshv_vp *vp, u8 type, u64 buf_ptr,
			    u32 buf_sz, u32 __user *size_out, bool set);

/* mshv_irq.c */
#define MSHV_MAX_GUEST_IRQS	4096

/**
 * struct mshv_msi_route - one decoded MSI routing entry
 * @gsi: the guest interrupt number (below %MSHV_MAX_GUEST_IRQS)
 * @address_lo: MSI address as given by userspace
 * @data: MSI data as given by userspace
 * @dest_apic_id: destination APIC id (address bits 12-19)
 * @vector: interrupt vector (data bits 0-7)
 * @interrupt_type: HV_X64_INTERRUPT_TYPE_* (delivery mode, data bits 8-10)
 * @level_triggered: data bit 15
 * @logical_dest: logical destination mode (address bit 2)
 * @valid: the entry routes somewhere; an all-zero entry only reserves @gsi
 */
struct mshv_msi_route {
	u32 gsi;
	u32 address_lo;
	u32 data;
	u32 dest_apic_id;
	u8 vector;
	u8 interrupt_type;
	bool level_triggered;
	bool logical_dest;
	bool valid;
};

bool mshv_msi_route_get(struct mshv_partition *partition, u32 gsi,
			struct mshv_msi_route *route);
void mshv_irq_init(struct mshv_partition *partition);
void mshv_irq_release(struct mshv_partition *partition);
struct mshv_user_irq_entry;
int mshv_set_msi_routing(struct mshv_partition *partition,
			 const struct mshv_user_irq_entry *entries, u32 nr);

/* mshv_synic.c: the root partition's SynIC */

/**
 * struct mshv_synic_ops - what the root SynIC handler reports upwards
 * @vp_signal: VP @vp_index of partition @partition_id may run again
 *	(scheduler VP signal, opaque intercept); nothing when either is
 *	unknown
 * @apic_eoi: a guest of partition @partition_id ended level-triggered
 *	interrupt @vector
 * @async_complete: the asynchronous call of partition @partition_id
 *	completed with HV status @status
 * @doorbell: a guest wrote the doorbell of root port @port_id
 *
 * The handler lives in the lowest layer of the driver and knows neither
 * partitions nor eventfds: it decodes the root's SynIC messages and
 * doorbell ring and passes ids up through this table, which the module
 * init hands to mshv_synic_init().  Every operation is called in hard
 * interrupt context on the CPU that received the message and must not
 * sleep.
 */
struct mshv_synic_ops {
	void (*vp_signal)(u64 partition_id, u32 vp_index);
	void (*apic_eoi)(u64 partition_id, u32 vector);
	void (*async_complete)(u64 partition_id, u16 status);
	void (*doorbell)(u32 port_id);
};

int mshv_synic_init(const struct mshv_synic_ops *ops);
void mshv_synic_exit(void);
bool mshv_synic_available(void);
bool mshv_synic_doorbells_quiet(void);

/* mshv_eventfd.c: MSHV_IRQFD, MSHV_IOEVENTFD */
int mshv_eventfd_init(void);
void mshv_eventfd_exit(void);
void mshv_eventfd_partition_init(struct mshv_partition *partition);
void mshv_eventfd_partition_release(struct mshv_partition *partition);
void mshv_eventfd_partition_exit(struct mshv_partition *partition);
int mshv_irqfd_assign(struct mshv_partition *partition, int fd, u32 gsi,
		      bool resample, int resamplefd);
int mshv_irqfd_deassign(struct mshv_partition *partition, int fd, u32 gsi);
int mshv_ioeventfd_assign(struct mshv_partition *partition, int fd, u64 addr,
			  u32 len, bool wildcard, u64 datamatch);
int mshv_ioeventfd_deassign(struct mshv_partition *partition, int fd,
			    u64 addr, u32 len, bool wildcard, u64 datamatch);
void mshv_irqfd_resample(struct mshv_partition *partition, u32 vector);
struct seq_file;
void mshv_eventfd_sizes_show(struct seq_file *m);
void mshv_doorbell_signal(u32 port_id);

/* mshv_regions.c: see mshv_regions.h */

/* mshv_root_hv_call.c: setup */
int mshv_hv_init(const struct mshv_hv_backend *backend,
		 void (*pages_counted)(u64 partition_id, s64 pages));
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
int mshv_hv_deposit_memory(u64 partition_id, u32 nr_pages);
int mshv_hv_withdraw_memory(u64 partition_id);
int mshv_hv_withdraw_pages(u64 partition_id, u64 max_pages);
int mshv_hv_map_gpa_batch(u64 partition_id, u64 guest_pfn, const u64 *pfns,
			  u16 count, u32 flags, bool deposit, u16 *reps_done);
int mshv_hv_unmap_gpa_batch(u64 partition_id, u64 guest_pfn, u16 count,
			    u32 flags);
int mshv_hv_get_gpa_access_states(u64 partition_id, u64 guest_pfn, u16 count,
				  u64 flags, u8 *states);
int mshv_hv_create_vp(u64 partition_id, u32 vp_index);
int mshv_hv_delete_vp(u64 partition_id, u32 vp_index);
int mshv_hv_get_vp_registers(u64 partition_id, u32 vp_index, u32 count,
			     const u32 *names, union hv_register_value *values);
int mshv_hv_set_vp_registers(u64 partition_id, u32 vp_index, u32 count,
			     const struct hv_register_assoc *assocs);
int mshv_hv_map_vp_state_page(u64 partition_id, u32 vp_index, u16 type,
			      u64 *pfn);
int mshv_hv_unmap_vp_state_page(u64 partition_id, u32 vp_index, u16 type);
int mshv_hv_get_vp_state(u64 partition_id, u32 vp_index,
			 const struct hv_vp_state_data *state,
			 struct page **pages, u32 nr_pages,
			 void *out, size_t out_sz);
int mshv_hv_set_vp_state(u64 partition_id, u32 vp_index,
			 const struct hv_vp_state_data *state,
			 struct page **pages, u32 nr_pages,
			 const void *bytes, size_t nr_bytes);
int mshv_hv_dispatch_vp(u64 partition_id, u32 vp_index, u32 flags,
			struct hv_output_dispatch_vp *output);
int mshv_hv_passthrough(u64 partition_id, u16 code, u16 rep_count,
			const void *input, u16 in_sz, void *output,
			u16 out_sz, u16 *status, u16 *reps_done);
int mshv_hv_get_root_synic_reg(u32 name, u64 *value, bool may_sleep);
int mshv_hv_set_root_synic_reg(u32 name, u64 value, bool may_sleep);
int mshv_hv_notify_port_ring_empty(u32 sint_index, bool may_sleep);
int mshv_hv_assert_virtual_interrupt(u64 partition_id, u32 vector,
				     u64 dest_addr, u32 type, u32 flags,
				     bool may_sleep);
int mshv_hv_create_doorbell_port(u32 port_id, u64 guest_id);
int mshv_hv_connect_doorbell_port(u64 guest_id, u32 port_id, u64 gpa,
				  u64 trigger_value, u64 flags);
int mshv_hv_disconnect_doorbell_port(u64 guest_id, u32 connection_id);
int mshv_hv_delete_port(u32 port_id);
int mshv_hv_set_root_isr(void (*isr)(void));

#endif /* _MSHV_ROOT_H */
