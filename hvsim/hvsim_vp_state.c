// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: GET_VP_STATE / SET_VP_STATE.
 *
 * State kept per VP and transferred byte for byte:
 *
 *  LAPIC              pages by PFN (1); the 176-byte
 *                     hv_local_interrupt_controller_state, rest of the page
 *                     zero on GET.  IRR, ISR, TMR and the ICR are the
 *                     interrupt model's (hvsim_irq.c); the timer, LVT,
 *                     ESR and SVR registers hvsim_lapic_timer.c's (GET
 *                     reports the current count, SET restarts the timer
 *                     from it); the rest is stored, not interpreted.
 *  XSAVE              pages by PFN (1); HVSIM_XSAVE_SIZE bytes in compacted
 *                     format (x87 + SSE: legacy area and XSAVE header).  The
 *                     XMM registers are the VP's (shared with
 *                     GET/SET_VP_REGISTERS and the register page).
 *  SIMP, SIEFP        pages by PFN (1); a 4 KiB page each.  The SynIC is not
 *                     modelled: the pages are stored, read as zeros until
 *                     set, and take a page of the partition's pool when set.
 *  SYNTHETIC_TIMERS   inline, 200 bytes.  Stored, not interpreted.
 *
 * PFN lists name root pages; each must be ordinary, allocated RAM.
 */
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_lapic_timer.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"
#include "hvsim_vp_state.h"

/* Architectural reset values */
#define LAPIC_VERSION_DEFAULT	0x50014	/* version 0x14, 6 LVT entries */
#define LAPIC_DFR_DEFAULT	0xFFFFFFFF
#define LAPIC_SPURIOUS_DEFAULT	0xFF
#define XSAVE_FCW_DEFAULT		0x037F
#define XSAVE_MXCSR_DEFAULT		0x1F80
#define XSAVE_MXCSR_MASK_DEFAULT	0xFFFF

/* XSAVE area layout (compacted format, x87 + SSE) */
#define XSAVE_FCW		0
#define XSAVE_MXCSR		24
#define XSAVE_MXCSR_MASK	28
#define XSAVE_XMM		160
#define XSAVE_HEADER		512
#define XSAVE_HEADER_SIZE	64
#define XSAVE_XCOMP_COMPACTED	BIT_ULL(63)
#define XSAVE_MXCSR_RESERVED		0xFFFF0000U

/**
 * struct xsave_header - the XSAVE header at offset 512
 * @xstate_bv: components not in their initial state
 * @xcomp_bv: bit 63 = compacted format, low bits = components present
 * @reserved: must be zero
 */
struct xsave_header {
	u64 xstate_bv;
	u64 xcomp_bv;
	u64 reserved[6];
};

/**
 * hvsim_vp_lapic_reset() - put a VP's LAPIC state in its reset values
 * @vp: the VP, its partition's lock held
 * @apic_id: the APIC id it keeps
 *
 * Everything zero (IRR, ISR, TMR, ICR ...) but: ID = @apic_id, version
 * 0x50014, DFR all ones, spurious vector 0xFF with the APIC
 * software-disabled, every LVT masked; the LAPIC timer stopped.  Used at
 * VP creation and by INIT.
 */
void hvsim_vp_lapic_reset(struct hvsim_vp *vp, u32 apic_id)
{
	struct hv_local_interrupt_controller_state *l = &vp->lapic;

	lockdep_assert_held(&vp->partition->lock);
	memset(l, 0, sizeof(*l));
	l->apic_id = apic_id;
	l->apic_version = LAPIC_VERSION_DEFAULT;
	l->apic_dfr = LAPIC_DFR_DEFAULT;
	l->apic_spurious = LAPIC_SPURIOUS_DEFAULT;
	l->apic_lvt_timer = HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_thermal = HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_perfmon = HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_lint0 = HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_lint1 = HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_error = HV_X86_APIC_LVT_MASKED;
	l->apic_lvt_cmci = HV_X86_APIC_LVT_MASKED;
	memset(&vp->time.lapic, 0, sizeof(vp->time.lapic));
}

/**
 * hvsim_vp_state_reset() - put a new VP's state in its reset values
 * @vp: the VP (zeroed), its partition's lock held
 *
 * LAPIC: hvsim_vp_lapic_reset() with ID = VP index.  XSAVE: FCW 0x37F,
 * MXCSR 0x1F80, compacted format with x87 and SSE in the initial state.
 * Timers, SIMP and SIEFP: zero.
 */
void hvsim_vp_state_reset(struct hvsim_vp *vp)
{
	struct xsave_header *h = (void *)&vp->xsave[XSAVE_HEADER];

	BUILD_BUG_ON(sizeof(*h) != XSAVE_HEADER_SIZE);
	BUILD_BUG_ON(XSAVE_HEADER + XSAVE_HEADER_SIZE != HVSIM_XSAVE_SIZE);

	lockdep_assert_held(&vp->partition->lock);
	hvsim_vp_lapic_reset(vp, vp->index);

	*(u16 *)&vp->state.fx[XSAVE_FCW] = XSAVE_FCW_DEFAULT;
	*(u32 *)&vp->state.fx[XSAVE_MXCSR] = XSAVE_MXCSR_DEFAULT;
	*(u32 *)&vp->state.fx[XSAVE_MXCSR_MASK] = XSAVE_MXCSR_MASK_DEFAULT;
	h->xcomp_bv = XSAVE_XCOMP_COMPACTED | HVSIM_XSAVE_STATES;
}

/*
 * The input checks of GET or SET (hvsim_decode.c), then every PFN of the
 * variable header of a state passed in pages.
 */
static u16 vp_state_check(const struct hvsim_call *call, bool set)
{
	const struct hv_input_get_vp_state *in = call->input;
	unsigned int i;
	u16 status;

	if (!(in->state_data.type & HV_GET_SET_VP_STATE_TYPE_PFN))
		return HV_STATUS_SUCCESS;
	for (i = 0; i < call->varhead; i++) {
		status = hvsim_check_data_pfn(in->output_data_pfns[i]);
		if (status)
			return status;
	}
	return HV_STATUS_SUCCESS;
}

/* Copy @len bytes to the start of root page @pfn and zero the rest */
static void vp_state_to_pfn(u64 pfn, const void *src, size_t len)
{
	void *va = kmap_local_page(pfn_to_page(pfn));

	if (src)
		memcpy(va, src, len);
	else
		memset(va, 0, len);
	memset(va + len, 0, HV_HYP_PAGE_SIZE - len);
	kunmap_local(va);
}

static void vp_state_from_pfn(u64 pfn, void *dst, size_t len)
{
	void *va = kmap_local_page(pfn_to_page(pfn));

	memcpy(dst, va, len);
	kunmap_local(va);
}

/*
 * The XSAVE image of a VP: the stored area with the VP's x87 state and
 * XMM registers, which the interpreter keeps
 */
static void vp_xsave_to_pfn(struct hvsim_vp *vp, u64 pfn)
{
	u8 *va = kmap_local_page(pfn_to_page(pfn));

	memcpy(va, vp->xsave, HVSIM_XSAVE_SIZE);
	memcpy(va, vp->state.fx, sizeof(vp->state.fx));
	memcpy(va + XSAVE_XMM, vp->state.xmm, sizeof(vp->state.xmm));
	memset(va + HVSIM_XSAVE_SIZE, 0, HV_HYP_PAGE_SIZE - HVSIM_XSAVE_SIZE);
	kunmap_local(va);
}

/*
 * Load an XSAVE image.  The header and MXCSR are read once and checked
 * before anything changes, so a root page changing under us cannot slip
 * an unchecked header in.
 */
static u16 vp_xsave_from_pfn(struct hvsim_vp *vp, u64 pfn)
{
	const u8 *va = kmap_local_page(pfn_to_page(pfn));
	struct xsave_header h;
	u16 status = HV_STATUS_INVALID_PARAMETER;
	u32 mxcsr;

	memcpy(&h, va + XSAVE_HEADER, sizeof(h));
	memcpy(&mxcsr, va + XSAVE_MXCSR, sizeof(mxcsr));
	if (!(h.xcomp_bv & XSAVE_XCOMP_COMPACTED) ||
	    (h.xcomp_bv & ~(XSAVE_XCOMP_COMPACTED | HVSIM_XSAVE_STATES)) ||
	    (h.xstate_bv & ~h.xcomp_bv) ||
	    memchr_inv(h.reserved, 0, sizeof(h.reserved)) ||
	    (mxcsr & XSAVE_MXCSR_RESERVED))
		goto out_unmap;
	memcpy(vp->xsave, va, XSAVE_HEADER);
	memcpy(&vp->xsave[XSAVE_HEADER], &h, sizeof(h));
	memcpy(&vp->xsave[XSAVE_MXCSR], &mxcsr, sizeof(mxcsr));
	memcpy(vp->state.fx, vp->xsave, sizeof(vp->state.fx));
	memcpy(vp->state.xmm, va + XSAVE_XMM, sizeof(vp->state.xmm));
	status = HV_STATUS_SUCCESS;
out_unmap:
	kunmap_local(va);
	return status;
}

static u16 timers_check(const struct hv_synthetic_timers_state *t)
{
	unsigned int i;

	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		if (t->timers[i].resvd ||
		    (t->timers[i].flags &
		     ~HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING))
			return HV_STATUS_INVALID_PARAMETER;
	}
	if (memchr_inv(t->reserved, 0, sizeof(t->reserved)))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/* The SIMP or SIEFP slot of a VP */
static void **vp_synic_page(struct hvsim_vp *vp, u32 type)
{
	return type == HV_GET_SET_VP_STATE_SIM_PAGE ? &vp->simp : &vp->siefp;
}

static u16 get_vp_state_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_get_vp_state *in = call->input;
	u32 type = in->state_data.type;
	u64 pfn = in->output_data_pfns[0];

	switch (type) {
	case HV_GET_SET_VP_STATE_LAPIC_STATE:
		hvsim_lapic_timer_save(vp);
		vp_state_to_pfn(pfn, &vp->lapic, sizeof(vp->lapic));
		break;
	case HV_GET_SET_VP_STATE_XSAVE:
		vp_xsave_to_pfn(vp, pfn);
		break;
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE:
		vp_state_to_pfn(pfn, *vp_synic_page(vp, type),
				HV_HYP_PAGE_SIZE);
		break;
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		memcpy(call->output, &vp->timers, sizeof(vp->timers));
		break;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_get_vp_state() - HVCALL_GET_VP_STATE
 * @call: decoded call; variable header = the PFNs of the pages that
 *	receive page-based state
 *
 * Return: HV_STATUS_INVALID_PARAMETER for an unknown type, non-zero
 * reserved fields, bad XSAVE parameters or an invalid PFN;
 * HV_STATUS_INSUFFICIENT_BUFFER when fewer pages are named than the state
 * needs; HV_STATUS_INVALID_VP_INDEX; HV_STATUS_SUCCESS.
 */
u16 hvsim_hc_get_vp_state(struct hvsim_call *call)
{
	const struct hv_input_get_vp_state *in = call->input;
	u16 status;

	status = vp_state_check(call, false);
	if (status)
		return status;
	return hvsim_vp_call(in->partition_id, in->vp_index,
			     get_vp_state_locked, call);
}

static u16 set_vp_state_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_set_vp_state *in = call->input;
	const struct hv_synthetic_timers_state *timers = (const void *)in->data;
	u32 type = in->state_data.type;
	u64 pfn = in->data[0];
	u16 status = HV_STATUS_SUCCESS;
	void **slot;

	switch (type) {
	case HV_GET_SET_VP_STATE_LAPIC_STATE:
		vp_state_from_pfn(pfn, &vp->lapic, sizeof(vp->lapic));
		/* An ICR restored is not sent; it reads back idle */
		vp->lapic.apic_icr_low &= ~HV_X86_APIC_ICR_BUSY;
		/* the timer counts on from the current count restored */
		vp->time.lapic.restored = true;
		vp->time.lapic.deadline_ns = 0;
		break;
	case HV_GET_SET_VP_STATE_XSAVE:
		status = vp_xsave_from_pfn(vp, pfn);
		break;
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE:
		slot = vp_synic_page(vp, type);
		if (!*slot)
			*slot = hvsim_pool_alloc(&vp->partition->pool);
		if (!*slot) {
			status = HV_STATUS_INSUFFICIENT_MEMORY;
			break;
		}
		vp_state_from_pfn(pfn, *slot, HV_HYP_PAGE_SIZE);
		break;
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		status = timers_check(timers);
		if (status)
			break;
		/* armed at the next dispatch (hvsim_stimer_poll()) */
		memcpy(&vp->timers, timers, sizeof(vp->timers));
		vp->time.stimer_restored = true;
		break;
	}
	return status;
}

/**
 * hvsim_hc_set_vp_state() - HVCALL_SET_VP_STATE
 * @call: decoded call; variable header = the PFNs of the pages holding
 *	page-based state, or the inline state bytes
 *
 * A failed call changes nothing.  Setting SIMP or SIEFP the first time
 * takes a page from the partition's pool.
 *
 * Return: as hvsim_hc_get_vp_state(); also HV_STATUS_INVALID_PARAMETER for
 * an XSAVE image with a bad header or MXCSR, or timers with reserved bits
 * set, and HV_STATUS_INSUFFICIENT_MEMORY when the pool is empty.
 */
u16 hvsim_hc_set_vp_state(struct hvsim_call *call)
{
	const struct hv_input_set_vp_state *in = call->input;
	u16 status;

	status = vp_state_check(call, true);
	if (status)
		return status;
	return hvsim_vp_call(in->partition_id, in->vp_index,
			     set_vp_state_locked, call);
}
