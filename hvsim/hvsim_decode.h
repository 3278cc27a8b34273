/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim's hypercall decoding: the control word, the per-code descriptor
 * and entry checks, and the input checks of each call that need no model
 * state (the table of descriptors is hvsim_hcalls.h's).  Plain C:
 * hvsim_decode.c builds in the kernel and, with hvsim/user/kshim.h, in
 * userspace (unit tests and fuzzing).
 */
#ifndef _HVSIM_DECODE_H
#define _HVSIM_DECODE_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/limits.h>
#include <linux/types.h>
#endif

#include "hvabi.h"

#define HVSIM_MAX_VPS		256
/* A set of VPs: one bit per VP, in qwords of 64 */
#define HVSIM_VP_SET_WORDS	(HVSIM_MAX_VPS / 64)

/*
 * VPs of the root, which a port may target: one per possible CPU.  The
 * userspace tests model a root with two.
 */
#ifdef __KERNEL__
#include <linux/cpumask.h>
#define HVSIM_ROOT_VPS		nr_cpu_ids
#else
#define HVSIM_ROOT_VPS		2U
#endif

/* XSAVE: x87 and SSE only, compacted format: legacy area + header */
#define HVSIM_XSAVE_STATES	0x3ULL
#define HVSIM_XSAVE_SIZE	576

/* Guest physical addresses are 48 bits wide: four levels of 9 bits */
#define HVSIM_SLAT_LEVELS	4
#define HVSIM_SLAT_SHIFT	9
#define HVSIM_SLAT_ENTRIES	BIT(HVSIM_SLAT_SHIFT)
#define HVSIM_GPA_BITS		(HV_HYP_PAGE_SHIFT + \
				 HVSIM_SLAT_LEVELS * HVSIM_SLAT_SHIFT)
#define HVSIM_GFN_LIMIT		(1ULL << (HVSIM_GPA_BITS - HV_HYP_PAGE_SHIFT))
/* Host PFNs a SLAT entry can hold (52-bit physical addresses) */
#define HVSIM_PFN_LIMIT		(1ULL << (52 - HV_HYP_PAGE_SHIFT))

/* Exception vectors an EXCEPTION intercept may name */
#define HVSIM_NR_EXCEPTIONS	32

/* Vectors of the local APIC; 0-15 are reserved */
#define APIC_VECTORS		256
#define APIC_FIRST_VECTOR	16

/**
 * struct hvsim_call - one decoded hypercall
 * @code: call code
 * @fast: operands were passed in registers (first qwords of @input)
 * @varhead: variable header size in qwords
 * @rep_count: rep count (0 for simple calls)
 * @rep_start: first rep to process
 * @reps_done: set by rep handlers: index of the first rep not completed
 * @input: input page (4 KiB)
 * @output: output page (4 KiB) or NULL
 * @irq_windows: the caller had interrupts enabled: a DISPATCH_VP may
 *	enable them at instruction boundaries where it holds no lock
 */
struct hvsim_call {
	u16 code;
	bool fast;
	u16 varhead;
	u16 rep_count;
	u16 rep_start;
	u16 reps_done;
	const void *input;
	void *output;
	bool irq_windows;
};

/* Only the two defined proximity flags may be set */
static inline bool proximity_valid_flags(u32 flags)
{
	return !(flags & ~(HV_PROXIMITY_PREFERRED | HV_PROXIMITY_INFO_VALID));
}

/* Only VTL 0 exists, named explicitly or implicitly */
static inline bool input_vtl_valid(u8 input_vtl)
{
	return input_vtl == 0 || input_vtl == HV_INPUT_VTL_USE_TARGET;
}

/* hvsim_hc_desc.flags */
#define HC_REP		BIT(0)	/* rep call */
#define HC_FAST		BIT(1)	/* may be issued as a fast call */
#define HC_VARHEAD	BIT(2)	/* takes a variable header */

/**
 * struct hvsim_hc_desc - how hvsim accepts one hypercall code
 * @code: call code
 * @flags: HC_REP, HC_FAST, HC_VARHEAD
 * @in_size: fixed input header, bytes
 * @in_rep_size: input bytes per rep
 * @out_size: fixed output, bytes (0: no output page needed)
 * @out_rep_size: output bytes per rep
 * @validate: the call's input checks that need no model state, or NULL;
 *	the dispatcher runs it right before @handler, so handlers see only
 *	inputs it accepted
 * @handler: carries the call out on the model (NULL in userspace builds)
 * @name: for debugfs
 */
struct hvsim_hc_desc {
	u16 code;
	u16 flags;
	u16 in_size;
	u16 in_rep_size;
	u16 out_size;
	u16 out_rep_size;
	u16 (*validate)(const struct hvsim_call *call);
	u16 (*handler)(struct hvsim_call *call);
	const char *name;
};

u16 hvsim_decode_control(u64 control, struct hvsim_call *call);
u16 hvsim_hc_check(const struct hvsim_hc_desc *d,
		   const struct hvsim_call *call);

/* Per-call input checks: HV_STATUS_SUCCESS or the call's failure status */
u16 hvsim_decode_create_partition(const struct hvsim_call *call);
u16 hvsim_decode_withdraw_memory(const struct hvsim_call *call);
u16 hvsim_decode_map_gpa_pages(const struct hvsim_call *call);
u16 hvsim_decode_unmap_gpa_pages(const struct hvsim_call *call);
u16 hvsim_decode_install_intercept(const struct hvsim_call *call);
u16 hvsim_decode_vp_registers(const struct hvsim_call *call);
u16 hvsim_decode_translate_virtual_address(const struct hvsim_call *call);
u16 hvsim_decode_register_intercept_result(const struct hvsim_call *call);
u16 hvsim_decode_assert_virtual_interrupt(const struct hvsim_call *call);
u16 hvsim_decode_connect_port(const struct hvsim_call *call);
u16 hvsim_decode_create_port(const struct hvsim_call *call);
u16 hvsim_decode_dispatch_vp(const struct hvsim_call *call);
u16 hvsim_decode_get_gpa_pages_access_states(const struct hvsim_call *call);
u16 hvsim_decode_map_vp_state_page(const struct hvsim_call *call);
u16 hvsim_decode_get_vp_cpuid_values(const struct hvsim_call *call);
u16 hvsim_decode_create_vp(const struct hvsim_call *call);
u16 hvsim_decode_delete_vp(const struct hvsim_call *call);
u16 hvsim_decode_unmap_vp_state_page(const struct hvsim_call *call);
u16 hvsim_decode_gpa_rw(const struct hvsim_call *call);
u16 hvsim_decode_get_vp_state(const struct hvsim_call *call);
u16 hvsim_decode_set_vp_state(const struct hvsim_call *call);
u16 hvsim_decode_partition_property(const struct hvsim_call *call);
u16 hvsim_decode_get_partition_property_ex(const struct hvsim_call *call);
u16 hvsim_decode_get_system_property(const struct hvsim_call *call);
u16 hvsim_decode_disconnect_port(const struct hvsim_call *call);
u16 hvsim_decode_delete_port(const struct hvsim_call *call);
u16 hvsim_decode_notify_port_ring_empty(const struct hvsim_call *call);
u16 hvsim_decode_signal_event_direct(const struct hvsim_call *call);
u16 hvsim_decode_post_message_direct(const struct hvsim_call *call);

/* Guest hypercalls (hvsim_guest_hcall.c) */
u16 hvsim_decode_vp_set(const struct hv_vp_set *set, u16 nbanks,
			u64 vps[HVSIM_VP_SET_WORDS]);
u16 hvsim_decode_flush_va(const struct hvsim_call *call);
u16 hvsim_decode_flush_va_ex(const struct hvsim_call *call);
u16 hvsim_decode_send_ipi(const struct hvsim_call *call);
u16 hvsim_decode_send_ipi_ex(const struct hvsim_call *call);
u16 hvsim_decode_post_message(const struct hvsim_call *call);
u16 hvsim_decode_signal_event(const struct hvsim_call *call);

#endif /* _HVSIM_DECODE_H */
