/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The objects of hvsim, a software model of the Microsoft Hypervisor's
 * root-partition hypercall interface: partitions, their VPs, deposit pools
 * and SLATs.  Declarations of functions are in the header of the file
 * that defines them.
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
#ifndef _HVSIM_MODEL_H
#define _HVSIM_MODEL_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "hvabi.h"
#include "hvsim_decode.h"
#include "hvsim_time.h"
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
 * @gen: generation of the guest physical address space the VPs see:
 *	bumped by every map, unmap and access-state update, and when a VP's
 *	SynIC overlay page is enabled, moved or disabled; a VP's TLB
 *	(struct x86_emu_tlb) compares it before every instruction and
 *	empties itself when it changed
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
	u64 gen;
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
	HVSIM_MSR_APIC_BASE,
	HVSIM_MSR_PAT,
	HVSIM_MSR_SYSENTER_CS,
	HVSIM_MSR_SYSENTER_EIP,
	HVSIM_MSR_SYSENTER_ESP,
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
	HVSIM_NR_MSRS = HVSIM_MSR_SINT0 + HV_SYNIC_SINT_COUNT
};

struct hvsim_intercepts;
struct hvsim_cpuid_results;

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
 *	are the interrupt model's (hvsim_irq.c), the SVR, ESR, LVT and timer
 *	registers the LAPIC timer's (hvsim_lapic_timer.c), the rest is
 *	stored only
 * @timers: the synthetic timers' registers and delivery state, as
 *	GET/SET_VP_STATE transfer them (hvsim_stimer.c); adjustment is
 *	stored only
 * @time: TSC offset, timer expirations, the LAPIC timer's running state
 *	and the VP's hrtimer (hvsim_time.h)
 * @xsave: XSAVE area in compacted format; its first 160 bytes (the x87
 *	state and MXCSR) and the XMM registers live in @state (fx, xmm),
 *	where the interpreter uses them, and are merged in and out of it
 * @simp: SynIC message page (the SIMP overlay page, also set by
 *	SET_VP_STATE), or NULL until first needed (reads as zeros)
 * @siefp: SynIC event flags page (the SIEFP overlay page), or NULL
 * @cpuid_results: the CPUID results registered for this VP, a chain of
 *	pages of the partition's pool (hvsim_intercept.c), or NULL
 * @retired: instructions the interpreter retired in its dispatches
 * @stops: times the interpreter stopped at an instruction it did not
 *	retire or an event it did not deliver (an intercept, a halt, an
 *	exception to deliver ...)
 * @last_stop: enum x86_emu_exit_reason of the last of them
 * @running: a dispatch of the VP is in progress (it may hold its
 *	partition's @run_lock for read instead of @lock): DELETE_VP refuses
 * @fatal_reason: enum x86_emu_exit_reason of the stop that made the VP
 *	post HVMSG_UNRECOVERABLE_EXCEPTION, X86_EXIT_NONE until one did
 * @fatal_len: bytes of that stop's instruction in @fatal_code
 * @fatal_code: the instruction's bytes, as fetched
 *
 * All fields but @partition and @index (constant) are protected by the
 * partition's lock; the VP's own dispatch also reads them, and writes
 * @state, @retired and the guest memory it reaches through its software
 * TLB, while it holds the partition's @run_lock for read instead.
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
	struct hvsim_vp_time time;
	u8 xsave[HVSIM_XSAVE_SIZE];
	void *simp;
	void *siefp;
	struct hvsim_cpuid_results *cpuid_results;
	u64 retired;
	u64 stops;
	u8 last_stop;
	bool running;
	u8 fatal_reason;
	u8 fatal_len;
	u8 fatal_code[16];
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
 * @run_lock: its VPs' dispatches hold it for read while their
 *	instructions run without @lock (hvsim_vp.c); every holder of @lock
 *	holds it for write first (hvsim_partition_lock()), so that no VP of
 *	the partition executes while anything under @lock changes
 * @fast_running: VPs in the part of their dispatch that runs under
 *	@run_lock for read right now (they let go of it at an interrupt
 *	window or for a waiting taker, and stay counted)
 * @lock_waiters: takers of @run_lock for write waiting for it: a running
 *	VP lets them in at its next instruction boundary
 * @lock: protects all fields below (and, with @run_lock held for read,
 *	lets a running VP read its own fields: no writer can hold it then)
 * @state: enum hvsim_partition_state
 * @pool: deposited pages
 * @slat: guest physical address space
 * @vps: VPs by index
 * @synthetic_proc_features: SYNTHETIC_PROC_FEATURES property
 * @unimplemented_msr_action: UNIMPLEMENTED_MSR_ACTION property
 * @gpa_access_tracking: GPA_PAGE_ACCESS_TRACKING property (0 or 1)
 * @time_freeze: TIME_FREEZE property (0 or 1): partition time stands still
 * @time: the partition clock (hvsim_time.c); REFERENCE_TIME reads it
 * @pool_cap: most pages @pool may hold (0: no cap), from the "pool_cap"
 *	fault-injection rule active at creation
 * @gpa_faults: UNMAPPED_GPA and GPA_INTERCEPT messages posted by its VPs
 * @dispatches: DISPATCH_VP calls that found one of its VPs
 * @refused: guest accesses refused because the synthetic feature they
 *	belong to is not modelled beyond its registers (hvsim_vp_regs.c)
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

	/*
	 * Every running VP writes @run_lock's line at its interrupt windows,
	 * and reads @lock_waiters and what follows @lock at every instruction
	 * boundary: they are written only while no VP runs, so they get a
	 * line of their own
	 */
	rwlock_t run_lock ____cacheline_aligned_in_smp;
	atomic_t fast_running;
	atomic_t lock_waiters ____cacheline_aligned_in_smp;
	spinlock_t lock;	/* protects the fields below */
	enum hvsim_partition_state state;
	struct hvsim_pool pool;
	struct hvsim_slat slat;
	struct hvsim_vp *vps[HVSIM_MAX_VPS];
	u64 synthetic_proc_features;
	u64 unimplemented_msr_action;
	u64 gpa_access_tracking;
	u64 time_freeze;
	struct hvsim_pt_time time;
	u64 pool_cap;
	u64 gpa_faults;
	u64 dispatches;
	u64 refused;
	u64 guest_os_id;
	u64 hypercall;
	u64 reference_tsc;
	bool stale_warned;
	bool lost_write_warned;
	struct hvsim_intercepts *intercepts;
	u64 privilege_flags;
};

#endif /* _HVSIM_MODEL_H */
