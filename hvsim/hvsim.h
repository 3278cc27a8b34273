/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim internals: a software model of the Microsoft Hypervisor's
 * root-partition hypercall interface.
 *
 * Memory model: hvsim never allocates model memory with the kernel
 * allocator while serving a hypercall.  Every structure it keeps for a
 * partition lives in pages the root deposited (HVCALL_DEPOSIT_MEMORY):
 * partition objects in the root's (SELF) pool, VP objects, VP state pages
 * and SLAT tables in the partition's own pool.
 *
 * Locking: hvsim_lock protects the partition table, partition reference
 * counts and the SELF pool.  Each partition's lock protects everything
 * inside the partition (state, pool, SLAT, VPs).  Lock order: hvsim_lock
 * before a partition's lock, before a CPU's root SynIC lock.  Hypercalls
 * run with interrupts disabled (hvsim_hypercall() makes sure) and may come
 * from the root's SynIC ISR in hard interrupt context, so plain
 * spin_lock() is used inside them and every other path (debugfs, module
 * exit, KUnit) takes these locks with interrupts disabled.
 */
#ifndef _HVSIM_H
#define _HVSIM_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "hvabi.h"
#include "hvsim_decode.h"
#include "x86_emu.h"

/* Variable-range and fixed-range MTRRs of a VP (MTRR_CAP VCNT 8, FIX) */
#define HVSIM_MTRR_VARIABLE	8
#define HVSIM_MTRR_FIXED	11

/* RFLAGS bits a VMM may set; bit 1 always reads as one */
#define HVSIM_RFLAGS_MASK	0x3F7FD5ULL

/**
 * struct hvsim_pool - pages a partition (or the root) deposited
 * @lock: the lock that protects this pool (the owner's lock); helpers
 *	assert it is held
 * @free: first free page; free pages are chained through a header kept in
 *	the pages themselves
 * @nr_pages: pages owned by the pool (free or in use)
 * @nr_free: pages on the free list
 *
 * All fields are protected by *@lock.
 */
struct hvsim_pool {
	spinlock_t *lock;	/* the owner's lock, protects this pool */
	void *free;
	u64 nr_pages;
	u64 nr_free;
};

/**
 * struct hvsim_slat - second-level address translation of one partition
 * @lock: the lock that protects this SLAT (the partition's lock)
 * @root: top-level table (512 entries), NULL until the first mapping
 * @nr_tables: table pages taken from the pool
 * @nr_mapped: 4 KiB leaf entries present (including NO_ACCESS entries)
 * @nr_large: 2 MiB leaf entries present (level-1 entries)
 *
 * A four-level radix table of 512 u64 entries per level; a level-1 entry
 * is either a pointer to a table of 4 KiB leaves or one 2 MiB leaf.  Table
 * pages come from the partition's pool.  All fields are protected by
 * *@lock.
 */
struct hvsim_slat {
	spinlock_t *lock;	/* the partition's lock, protects this SLAT */
	u64 *root;
	u64 nr_tables;
	u64 nr_mapped;
	u64 nr_large;
};

/* Permissions of a SLAT leaf entry: the HV_MAP_GPA_* permission bits */
#define HVSIM_SLAT_PERM_MASK	HV_MAP_GPA_PERMISSIONS_MASK

enum hvsim_partition_state {
	HVSIM_PT_CREATED,
	HVSIM_PT_INITIALIZED,
	HVSIM_PT_FINALIZED,
	HVSIM_PT_DELETED,
};

/* States a hypercall accepts (hvsim_partition_call()) */
#define HVSIM_PT_STATE(s)	BIT(HVSIM_PT_##s)
#define HVSIM_PT_ANY		0
/* Between INITIALIZE_PARTITION and FINALIZE_PARTITION */
#define HVSIM_PT_RUNNING	HVSIM_PT_STATE(INITIALIZED)

/*
 * Registers hvsim stores in hvsim_vp.msrs (hvsim_vp_regs.c): MSRs it keeps
 * for the VMM and the guest but does not interpret (APIC_BASE places the
 * xAPIC page), and the per-VP synthetic registers.
 */
enum hvsim_vp_msr {
	HVSIM_MSR_TSC,
	HVSIM_MSR_KERNEL_GS_BASE,
	HVSIM_MSR_APIC_BASE,
	HVSIM_MSR_PAT,
	HVSIM_MSR_SYSENTER_CS,
	HVSIM_MSR_SYSENTER_EIP,
	HVSIM_MSR_SYSENTER_ESP,
	HVSIM_MSR_STAR,
	HVSIM_MSR_LSTAR,
	HVSIM_MSR_CSTAR,
	HVSIM_MSR_SFMASK,
	HVSIM_MSR_TSC_AUX,
	HVSIM_MSR_MTRR_CAP,
	HVSIM_MSR_MTRR_DEF_TYPE,
	HVSIM_MSR_MTRR_BASE0,
	HVSIM_MSR_MTRR_MASK0 = HVSIM_MSR_MTRR_BASE0 + HVSIM_MTRR_VARIABLE,
	HVSIM_MSR_MTRR_FIX0 = HVSIM_MSR_MTRR_MASK0 + HVSIM_MTRR_VARIABLE,
	HVSIM_MSR_BNDCFGS = HVSIM_MSR_MTRR_FIX0 + HVSIM_MTRR_FIXED,
	HVSIM_MSR_DEBUG_CTL,
	HVSIM_MSR_SPEC_CTRL,
	HVSIM_MSR_TSC_ADJUST,
	HVSIM_MSR_MISC_ENABLE,
	HVSIM_MSR_DELIVERABILITY,
	HVSIM_MSR_VP_ASSIST_PAGE,
	HVSIM_MSR_SCONTROL,
	HVSIM_MSR_SIEFP,
	HVSIM_MSR_SIMP,
	HVSIM_MSR_SINT0,
	HVSIM_MSR_STIMER0 = HVSIM_MSR_SINT0 + HV_SYNIC_SINT_COUNT,
	HVSIM_NR_MSRS = HVSIM_MSR_STIMER0 + 2 * HV_SYNIC_STIMER_COUNT
};

struct hvsim_partition;
struct hvsim_intercepts;
struct hvsim_cpuid_results;
struct dentry;
struct page;
struct seq_file;

/**
 * struct hvsim_vp - a virtual processor; lives in one page of the
 *	partition's pool
 * @partition: owning partition
 * @index: VP index
 * @state: architectural state, run by the x86 interpreter
 * @explicit_suspend: HV_REGISTER_EXPLICIT_SUSPEND
 * @intercept_suspend: HV_REGISTER_INTERCEPT_SUSPEND, set when an intercept
 *	message is posted
 * @dispatch_suspend: HV_REGISTER_DISPATCH_SUSPEND
 * @nmi_pending: an NMI was asserted and not yet delivered (hvsim_irq.c)
 * @extint_pending: an ExtINT (a PIC interrupt: the EXTINT type, or LINT0 /
 *	LINT1 in ExtINT mode) was asserted and not yet delivered
 * @extint_vector: its vector (from the assert, as the PIC supplies it)
 * @activity: HV_REGISTER_INTERNAL_ACTIVITY_STATE; HALT_SUSPEND is set by
 *	HLT (hvsim_irq.c), STARTUP_SUSPEND by INIT; IDLE_SUSPEND is stored
 *	only
 * @hlt_len: a HLT with IF clear was reported (HVMSG_X64_HALT) and the VP
 *	is halted at it: the HLT's length, retired when something wakes the
 *	VP; 0 otherwise
 * @pending_interruption: HV_REGISTER_PENDING_INTERRUPTION: an event the
 *	VMM injects, delivered at the next instruction boundary of a dispatch
 * @msrs: registers stored for the VMM and the guest, enum hvsim_vp_msr
 * @pending_event: PENDING_EVENT0 and PENDING_EVENT1 (none pending)
 * @reg_page: the VP register page, or NULL when not mapped
 * @msg_page: the intercept message page, or NULL when not mapped
 * @msg: the last intercept message (copied to @msg_page when mapped)
 * @lapic: LAPIC state (GET/SET_VP_STATE); apic_irr, apic_isr and apic_tmr
 *	are the interrupt model's (hvsim_irq.c), the rest is stored only
 * @timers: synthetic timers state (stored, not interpreted)
 * @xsave: XSAVE area in compacted format; the XMM registers live in
 *	@state and are merged in and out of it
 * @simp: SynIC message page (the SIMP overlay page, also set by
 *	SET_VP_STATE), or NULL until first needed (reads as zeros)
 * @siefp: SynIC event flags page (the SIEFP overlay page), or NULL
 * @cpuid_results: the CPUID results registered for this VP, a chain of
 *	pages of the partition's pool (hvsim_intercept.c), or NULL
 *
 * All fields but @partition and @index (constant) are protected by the
 * partition's lock.
 */
struct hvsim_vp {
	struct hvsim_partition *partition;
	u32 index;
	struct x86_emu_state state;
	bool explicit_suspend;
	bool intercept_suspend;
	bool dispatch_suspend;
	bool nmi_pending;
	bool extint_pending;
	u8 extint_vector;
	u64 activity;
	u8 hlt_len;
	u64 pending_interruption;
	u64 msrs[HVSIM_NR_MSRS];
	struct hv_u128 pending_event[2];
	struct hv_vp_register_page *reg_page;
	struct hv_message *msg_page;
	struct hv_message msg;
	struct hv_local_interrupt_controller_state lapic;
	struct hv_synthetic_timers_state timers;
	u8 xsave[HVSIM_XSAVE_SIZE];
	void *simp;
	void *siefp;
	struct hvsim_cpuid_results *cpuid_results;
};

/**
 * struct hvsim_partition - a guest partition; lives in one page of the
 *	root's (SELF) pool
 * @node: entry in the partition table (hvsim_lock)
 * @refs: references: one for the table, one per hypercall using the
 *	partition (hvsim_lock)
 * @id: partition id (constant)
 * @creation_flags: CREATE_PARTITION flags (constant)
 * @disabled_features: disabled processor-feature banks (constant)
 * @disabled_xsave: disabled XSAVE features (constant)
 * @lock: protects all fields below
 * @state: enum hvsim_partition_state
 * @pool: deposited pages
 * @slat: guest physical address space
 * @vps: VPs by index
 * @synthetic_proc_features: SYNTHETIC_PROC_FEATURES property
 * @unimplemented_msr_action: UNIMPLEMENTED_MSR_ACTION property
 * @gpa_access_tracking: GPA_PAGE_ACCESS_TRACKING property (0 or 1)
 * @time_freeze: TIME_FREEZE property (0 or 1; stored, not interpreted)
 * @reference_time: REFERENCE_TIME property (stored, not interpreted)
 * @pool_cap: most pages @pool may hold (0: no cap), from the "pool_cap"
 *	fault-injection rule active at creation
 * @gpa_faults: UNMAPPED_GPA and GPA_INTERCEPT messages posted by its VPs
 * @dispatches: DISPATCH_VP calls that found one of its VPs
 * @refused: guest accesses refused because the synthetic feature they
 *	belong to is not modelled beyond its registers (hvsim_vp_regs.c)
 * @created_ns: creation time (ktime_get_ns()), start of the reference
 *	counter (constant)
 * @guest_os_id: GUEST_OS_ID (one for all VPs)
 * @hypercall: HYPERCALL MSR (one for all VPs)
 * @reference_tsc: REFERENCE_TSC MSR (one for all VPs)
 * @stale_warned: a guest access to a freed page has been reported
 * @lost_write_warned: a guest write reclaim may discard has been reported
 * @privilege_flags: PRIVILEGE_FLAGS property
 * @intercepts: installed intercepts, a page of @pool taken at the first
 *	install, or NULL
 */
struct hvsim_partition {
	struct list_head node;
	unsigned int refs;
	u64 id;
	u64 creation_flags;
	u64 disabled_features[HV_NUM_PROCESSOR_FEATURE_BANKS];
	u64 disabled_xsave;

	spinlock_t lock;	/* protects the fields below */
	enum hvsim_partition_state state;
	struct hvsim_pool pool;
	struct hvsim_slat slat;
	struct hvsim_vp *vps[HVSIM_MAX_VPS];
	u64 synthetic_proc_features;
	u64 unimplemented_msr_action;
	u64 gpa_access_tracking;
	u64 time_freeze;
	u64 reference_time;
	u64 pool_cap;
	u64 gpa_faults;
	u64 dispatches;
	u64 refused;
	u64 created_ns;
	u64 guest_os_id;
	u64 hypercall;
	u64 reference_tsc;
	bool stale_warned;
	bool lost_write_warned;
	struct hvsim_intercepts *intercepts;
	u64 privilege_flags;
};

/* hvsim_main.c */
u64 hvsim_hypercall(u64 control, void *input, void *output);

/* hvsim_inject.c: fault injection (debugfs "inject") */
u16 hvsim_inject_hypercall(u16 code, u16 *max_reps);
u64 hvsim_inject_pool_cap(void);
void hvsim_inject_init(struct dentry *dir);

/* hvsim_mem.c: deposit pool */
void hvsim_pool_init(struct hvsim_pool *pool, spinlock_t *lock);
u16 hvsim_pool_check_pfn(u64 pfn);
void hvsim_pool_add(struct hvsim_pool *pool, u64 pfn);
void *hvsim_pool_alloc(struct hvsim_pool *pool);
void hvsim_pool_free(struct hvsim_pool *pool, void *page);
bool hvsim_pool_withdraw(struct hvsim_pool *pool, u64 *pfn);
void hvsim_pool_move(struct hvsim_pool *dst, struct hvsim_pool *src);
void hvsim_pool_release(struct hvsim_pool *pool);

/* hvsim_mem.c: SLAT */
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

/* hvsim_mem.c: guest memory as the SLAT presents it */
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
enum hvsim_gpa_result hvsim_gpa_copy(struct hvsim_partition *pt, u64 gpa,
				     void *buf, unsigned int len,
				     enum x86_emu_access access, bool commit);
void hvsim_note_stale(struct hvsim_partition *pt, u64 gpa);
void hvsim_mmio_debugfs_init(struct dentry *dir);
void hvsim_mmio_exit(void);
u64 hvsim_stale_accesses(void);
u64 hvsim_lost_writes(void);
u16 hvsim_check_data_pfn(u64 pfn);

/* hvsim_partition.c */
extern spinlock_t hvsim_lock;
extern struct hvsim_pool hvsim_root_pool;
struct hvsim_partition *hvsim_partition_get(u64 id);
void hvsim_partition_put(struct hvsim_partition *pt);
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

/* hvsim_vp.c */
extern const struct x86_emu_mem_ops hvsim_vp_mem_ops;
void hvsim_vp_destroy(struct hvsim_vp *vp);
void hvsim_vps_show(struct seq_file *m);
void hvsim_partition_teardown(struct hvsim_partition *pt);
u16 hvsim_hc_finalize_partition(struct hvsim_call *call);
u16 hvsim_hc_create_vp(struct hvsim_call *call);
u16 hvsim_hc_delete_vp(struct hvsim_call *call);
u16 hvsim_hc_get_vp_registers(struct hvsim_call *call);
u16 hvsim_hc_set_vp_registers(struct hvsim_call *call);
u16 hvsim_hc_map_vp_state_page(struct hvsim_call *call);
u16 hvsim_hc_unmap_vp_state_page(struct hvsim_call *call);
u16 hvsim_hc_dispatch_vp(struct hvsim_call *call);

/* hvsim_vp_msg.c: a VP's register page and the messages it posts */
void hvsim_vp_absorb_reg_page(struct hvsim_vp *vp);
void hvsim_vp_publish_reg_page(struct hvsim_vp *vp);
void hvsim_vp_rip_written(struct hvsim_vp *vp, u64 rip);
void hvsim_vp_msg_header(struct hvsim_vp *vp,
			 struct hv_x64_intercept_message_header *h,
			 const struct x86_emu_exit *exit, u8 access_type);
void hvsim_vp_post_msg(struct hvsim_vp *vp, u32 type, u8 payload_size);
void hvsim_vp_post_intercept(struct hvsim_vp *vp,
			     const struct x86_emu_exit *exit, u32 type,
			     u8 access, u8 payload_size);

/* hvsim_gpa.c: guest addresses on behalf of the root */
u16 hvsim_hc_map_gpa_pages(struct hvsim_call *call);
u16 hvsim_hc_unmap_gpa_pages(struct hvsim_call *call);
u16 hvsim_hc_translate_virtual_address(struct hvsim_call *call);
u16 hvsim_hc_read_gpa(struct hvsim_call *call);
u16 hvsim_hc_write_gpa(struct hvsim_call *call);
u16 hvsim_hc_get_gpa_pages_access_states(struct hvsim_call *call);

/* hvsim_vp_regs.c: the registers of a VP, for the VMM and the guest */
enum hvsim_msr_result {
	HVSIM_MSR_NONE,		/* not an MSR of the register table */
	HVSIM_MSR_DONE,		/* read or written */
	HVSIM_MSR_GP,		/* the access is a #GP */
};

void hvsim_vp_regs_reset(struct hvsim_vp *vp);
u16 hvsim_vp_get_reg(struct hvsim_vp *vp, u32 name,
		     union hv_register_value *v);
u16 hvsim_vp_set_reg(struct hvsim_vp *vp, u32 name,
		     const union hv_register_value *v);
enum hvsim_msr_result hvsim_vp_msr_access(struct hvsim_vp *vp, u32 index,
					  bool write, u64 *val);
u32 hvsim_msr_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
		   u8 *access, u8 *size);

/* hvsim_vp_state.c */
void hvsim_vp_state_reset(struct hvsim_vp *vp);
u16 hvsim_hc_get_vp_state(struct hvsim_call *call);
u16 hvsim_hc_set_vp_state(struct hvsim_call *call);

/* hvsim_intercept.c: intercepts, CPUID model */
void hvsim_intercepts_destroy(struct hvsim_partition *pt);
void hvsim_intercepts_vp_destroy(struct hvsim_vp *vp);
u32 hvsim_cpuid_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
		     u8 *access, u8 *size);
bool hvsim_msr_intercepted(struct hvsim_partition *pt, u32 index,
			   bool write);
u16 hvsim_hc_install_intercept(struct hvsim_call *call);
u16 hvsim_hc_register_intercept_result(struct hvsim_call *call);
u16 hvsim_hc_get_vp_cpuid_values(struct hvsim_call *call);
/* hvsim_synic.c: the root partition's SynIC (of the current CPU) */
int hvsim_synic_init(void);
void hvsim_synic_exit(void);
void hvsim_synic_debugfs_init(struct dentry *dir);
bool hvsim_synic_reg(u32 name);
u16 hvsim_synic_get_reg(u32 name, union hv_register_value *val);
u16 hvsim_synic_set_reg(u32 name, const union hv_register_value *val);
void hvsim_root_post_message(u32 sint, u32 type, u64 sender,
			     const void *payload, u8 payload_size);
void hvsim_root_ring_signal(u32 sint, u32 value);
u16 hvsim_hc_notify_port_ring_empty(struct hvsim_call *call);
int hvsim_set_root_isr(void (*isr)(void));
void hvsim_root_irq_hold(bool hold);

/* hvsim_irq.c: the guest interrupt model (partition lock held) */
enum hvsim_irq_result {
	HVSIM_IRQ_NONE,		/* nothing deliverable */
	HVSIM_IRQ_DELIVERED,	/* the guest is at its handler */
	HVSIM_IRQ_EXIT,		/* delivery stopped; handle the exit */
};

u16 hvsim_hc_assert_virtual_interrupt(struct hvsim_call *call);
u16 hvsim_hc_clear_virtual_interrupt(struct hvsim_call *call);
bool hvsim_apic_mmio(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
bool hvsim_apic_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
bool hvsim_irq_hlt(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
bool hvsim_irq_halted(struct hvsim_vp *vp);
void hvsim_irq_scan(struct hvsim_vp *vp);
enum hvsim_irq_result hvsim_irq_inject(struct hvsim_vp *vp,
				       const struct x86_emu_mem_ops *ops,
				       struct x86_emu_exit *exit);
void hvsim_irq_debugfs_init(struct dentry *dir);
void hvsim_irq_synic(struct hvsim_vp *vp, u32 vector);
bool hvsim_synic_auto_eoi(struct hvsim_vp *vp, u32 vector);

/* hvsim_guest_synic.c: a guest VP's SynIC (partition lock held) */
u16 hvsim_synic_page_set(struct hvsim_vp *vp, unsigned int slot, u64 val);
bool hvsim_synic_overlay_access(struct hvsim_vp *vp, u64 gpa, void *buf,
				unsigned int len, enum x86_emu_access access,
				bool commit);
u16 hvsim_hc_signal_event_direct(struct hvsim_call *call);
u16 hvsim_hc_post_message_direct(struct hvsim_call *call);

/* hvsim_port.c: root ports and guest doorbells */
u16 hvsim_hc_create_port(struct hvsim_call *call);
u16 hvsim_hc_connect_port(struct hvsim_call *call);
u16 hvsim_hc_disconnect_port(struct hvsim_call *call);
u16 hvsim_hc_delete_port(struct hvsim_call *call);
bool hvsim_port_doorbell(struct hvsim_vp *vp, const struct x86_emu_exit *exit);
void hvsim_port_debugfs_init(struct dentry *dir);

/* INIT, SIPI and guest IPIs (hvsim_irq.c and the files it hooks into) */
void hvsim_vp_lapic_reset(struct hvsim_vp *vp, u32 apic_id);
bool hvsim_intercept_init_sipi(struct hvsim_partition *pt);
bool hvsim_apic_stopped(struct hvsim_vp *vp);
void hvsim_irq_set_activity(struct hvsim_vp *vp, u64 val);
void hvsim_irq_resumed(struct hvsim_vp *vp);

/*
 * Guest exceptions and injected events (hvsim_vp.c, hvsim_intercept.c).
 * hvsim_msr_exit() (hvsim_vp_regs.c) returns HVSIM_MSR_FAULT for an access
 * that is a #GP.
 */
#define HVSIM_MSR_FAULT		0xFFFFFFFFU

bool hvsim_exception_intercept(struct hvsim_vp *vp,
			       const struct x86_emu_exit *exit,
			       const struct x86_emu_event *ev, u8 *size);
/* hvsim_inject.c: asynchronous completions ("pending" rules) */
u16 hvsim_inject_pending(const struct hvsim_call *call, u16 status);
void hvsim_inject_exit(void);

#endif /* _HVSIM_H */
