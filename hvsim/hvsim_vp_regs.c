// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the registers of a guest VP, as GET/SET_VP_REGISTERS name them
 * and as the guest reaches them with RDMSR and WRMSR (hvsim_msr_exit():
 * the root's MSR intercepts first, then EFER, the FS/GS bases and the
 * table below).
 *
 * One table describes every register: its name (or a run of consecutive
 * names), the IA32 MSR index the guest uses (if any), where the value
 * lives (a field of struct hvsim_vp, or of struct hvsim_partition for the
 * registers one partition shares), its width, the bits a write may set,
 * and the privilege (CPUID 0x40000003, derived from PRIVILEGE_FLAGS and
 * SYNTHETIC_PROC_FEATURES) without which it does not exist.  Registers
 * with side effects have get/set hooks instead of (or besides) storage.
 * The VMM and the guest read and write the same storage; a write with a
 * bit outside the writable mask is refused (INVALID_PARAMETER for the
 * VMM, #GP for the guest).
 *
 * Synthetic features beyond their registers: the hypercall page is
 * written when the guest enables it (VMCALL: hvsim_guest_hcall.c);
 * the reference counter, the TSC and the reference TSC page come from the
 * partition clock (hvsim_time.c); the SynIC takes the root's direct
 * messages and events in its overlay pages (hvsim_guest_synic.c); the
 * synthetic timers run (hvsim_stimer.c); reading GUEST_IDLE is refused
 * (#GP for the guest, INVALID_PARAMETER for the VMM) and counted in the
 * partition's "refused" (debugfs partitions).
 *
 * Everything here runs under the partition's lock.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "hvsim_model.h"
#include "hvsim_guest_synic.h"
#include "hvsim_intercept.h"
#include "hvsim_irq.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"
#include "hvsim_time.h"
#include "hvsim_vp_msg.h"
#include "hvsim_vp_regs.h"

/* Privilege bits 0-15 (PRIVILEGE_FLAGS, CPUID 0x40000003 EAX) */
#define PRIV_REFERENCE_COUNTER	BIT_ULL(1)
#define PRIV_SYNIC		BIT_ULL(2)
#define PRIV_SYNTHETIC_TIMERS	BIT_ULL(3)
#define PRIV_APIC		BIT_ULL(4)
#define PRIV_HYPERCALL		BIT_ULL(5)
#define PRIV_VP_INDEX		BIT_ULL(6)
#define PRIV_REFERENCE_TSC	BIT_ULL(9)
#define PRIV_GUEST_IDLE		BIT_ULL(10)
#define PRIV_FREQUENCY		BIT_ULL(11)

/* Reset values */
#define APIC_BASE_DEFAULT	0xFEE00000ULL
#define APIC_BASE_ENABLE	BIT_ULL(11)
#define APIC_BASE_BSP		BIT_ULL(8)
#define PAT_DEFAULT		0x0007040600070406ULL
/* MTRR_CAP: VCNT 8, fixed ranges, write combining */
#define MTRR_CAP_DEFAULT	(HVSIM_MTRR_VARIABLE | BIT_ULL(8) | BIT_ULL(10))

/* MTRR MSRs: variable range n at 0x200 + 2n (base), 0x201 + 2n (mask) */
#define MSR_MTRR_CAP		0xFE
#define MSR_MTRR_PHYS_BASE0	0x200
#define MSR_MTRR_PHYS_MASK0	0x201
#define MSR_MTRR_FIX_64K_00000	0x250
#define MSR_MTRR_FIX_16K_80000	0x258
#define MSR_MTRR_FIX_4K_C0000	0x268
#define MSR_MTRR_DEF_TYPE	0x2FF

/* Writable bits */
#define ALL			~0ULL
#define MTRR_DEF_TYPE_BITS	0xCFFULL	/* type, FE, E */
#define MTRR_BASE_BITS		0x0000FFFFFFFFF0FFULL	/* 48-bit GPAs */
#define MTRR_MASK_BITS		0x0000FFFFFFFFF800ULL	/* valid, mask */
#define SINT_BITS		(HV_SYNIC_SINT_VECTOR_MASK | \
				 HV_SYNIC_SINT_MASKED | \
				 HV_SYNIC_SINT_AUTO_EOI | BIT_ULL(18))
#define PAGE_MSR_BITS		(HV_MSR_PAGE_GPA_MASK | HV_MSR_PAGE_ENABLE)
#define MXCSR_RESERVED		0xFFFF0000U

/* The XSAVE legacy area: x87 control and status, SSE status, ST0-7 */
#define XSAVE_FP_CONTROL	0
#define XSAVE_XMM_CONTROL	16
#define XSAVE_ST0		32
#define XSAVE_XSTATE_BV		512
#define XSTATE_X87		BIT_ULL(0)
#define XSTATE_SSE		BIT_ULL(1)

/* Register flags */
#define REG_PARTITION	BIT(0)	/* the storage is in struct hvsim_partition */
#define REG_RO		BIT(1)	/* nobody writes it */
#define REG_GUEST_RO	BIT(2)	/* the guest's WRMSR is a #GP */
#define REG_NO_NAME	BIT(3)	/* an MSR without a register name */

struct vp_reg;

/**
 * struct vp_reg - one register, or a run of @count consecutive ones
 * @name: register name of the first
 * @msr: IA32 MSR index of the first, 0 if the guest has no MSR for it
 * @count: registers in the run (1 if 0)
 * @msr_step: MSR index distance between two of the run (1 if 0)
 * @size: bytes of storage per register: 8 or 16
 * @flags: REG_*
 * @offset: the first one's storage in struct hvsim_vp (or struct
 *	hvsim_partition with REG_PARTITION); unused with both hooks
 * @priv: privilege bit without which it does not exist, 0 if none
 * @writable: 8-byte registers: the bits a write may set
 * @value: the value of a constant register (get_const())
 * @get: computes the value instead of reading the storage
 * @set: checks and stores the value (after the @writable check); @guest
 *	for a WRMSR
 */
struct vp_reg {
	u32 name;
	u32 msr;
	u8 count;
	u8 msr_step;
	u8 size;
	u8 flags;
	u16 offset;
	u64 priv;
	u64 writable;
	u64 value;
	u16 (*get)(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   union hv_register_value *v);
	u16 (*set)(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   const union hv_register_value *v, bool guest);
};

#define VP_OFF(field)	offsetof(struct hvsim_vp, field)
#define PT_OFF(field)	offsetof(struct hvsim_partition, field)
#define MSR_SLOT(slot)	VP_OFF(msrs[slot])

/* Hooks */

static u16 set_rip(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   const union hv_register_value *v, bool guest)
{
	hvsim_vp_rip_written(vp, v->reg64);
	return HV_STATUS_SUCCESS;
}

static u16 set_rflags(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		      const union hv_register_value *v, bool guest)
{
	vp->state.rflags = (v->reg64 & HVSIM_RFLAGS_MASK) | HV_X86_RFLAGS_FIXED;
	return HV_STATUS_SUCCESS;
}

/* EXPLICIT_SUSPEND, INTERCEPT_SUSPEND, DISPATCH_SUSPEND */
static bool *suspend_reg(struct hvsim_vp *vp, u32 name)
{
	switch (name) {
	case HV_REGISTER_EXPLICIT_SUSPEND:
		return &vp->explicit_suspend;
	case HV_REGISTER_INTERCEPT_SUSPEND:
		return &vp->intercept_suspend;
	default:
		return &vp->dispatch_suspend;
	}
}

static u16 get_suspend(struct hvsim_vp *vp, const struct vp_reg *r,
		       u32 i, union hv_register_value *v)
{
	v->reg64 = *suspend_reg(vp, r->name);
	return HV_STATUS_SUCCESS;
}

/* Clearing one may make the VP runnable: the root is told (hvsim_irq.c) */
static u16 set_suspend(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		       const union hv_register_value *v, bool guest)
{
	bool *reg = suspend_reg(vp, r->name);
	bool was = *reg;

	*reg = v->reg64;
	if (was && !*reg)
		hvsim_irq_resumed(vp);
	return HV_STATUS_SUCCESS;
}

/* A guest's IA32_APIC_BASE write: the APIC mode transitions (hvsim_irq.c) */
static u16 set_apic_base(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
			 const union hv_register_value *v, bool guest)
{
	if (!guest)
		vp->msrs[HVSIM_MSR_APIC_BASE] = v->reg64;
	else if (!hvsim_apic_base_write(vp, v->reg64))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

static u16 set_activity(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
			const union hv_register_value *v, bool guest)
{
	hvsim_irq_set_activity(vp, v->reg64);
	return HV_STATUS_SUCCESS;
}

static u16 get_interrupt_state(struct hvsim_vp *vp, const struct vp_reg *r,
			       u32 i, union hv_register_value *v)
{
	v->reg64 = (vp->state.interrupt_shadow ?
		    HV_INTERRUPT_STATE_INTERRUPT_SHADOW : 0) |
		   (vp->state.nmi_masked ? HV_INTERRUPT_STATE_NMI_MASKED : 0);
	return HV_STATUS_SUCCESS;
}

static u16 set_interrupt_state(struct hvsim_vp *vp, const struct vp_reg *r,
			       u32 i, const union hv_register_value *v,
			       bool guest)
{
	vp->state.interrupt_shadow =
		!!(v->reg64 & HV_INTERRUPT_STATE_INTERRUPT_SHADOW);
	vp->state.nmi_masked = !!(v->reg64 & HV_INTERRUPT_STATE_NMI_MASKED);
	return HV_STATUS_SUCCESS;
}

/*
 * PENDING_INTERRUPTION: 0, or a pending external interrupt (vector 16-255),
 * NMI (vector 2) or hardware exception (vector 0-31 but 2; an error code
 * only for 8, 10-14 and 17); no instruction length, nested-event or
 * reserved bits.
 */
static u16 pending_interruption_check(u64 v)
{
	u32 vector = (v & HV_X64_PENDING_INTERRUPTION_VECTOR_MASK) >>
		     HV_X64_PENDING_INTERRUPTION_VECTOR_SHIFT;
	bool err = v & HV_X64_PENDING_INTERRUPTION_DELIVER_ERROR_CODE;

	if (!(v & HV_X64_PENDING_INTERRUPTION_PENDING))
		return v ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
	if (v & (HV_X64_PENDING_INTERRUPTION_INSN_LENGTH_MASK |
		 HV_X64_PENDING_INTERRUPTION_NESTED_EVENT |
		 HV_X64_PENDING_INTERRUPTION_RESERVED))
		return HV_STATUS_INVALID_PARAMETER;
	if (!err && (v >> HV_X64_PENDING_INTERRUPTION_ERROR_CODE_SHIFT))
		return HV_STATUS_INVALID_PARAMETER;
	switch ((v & HV_X64_PENDING_INTERRUPTION_TYPE_MASK) >>
		HV_X64_PENDING_INTERRUPTION_TYPE_SHIFT) {
	case HV_X64_PENDING_INTERRUPT:
		if (err || vector < 16 || vector > 255)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_PENDING_NMI:
		if (err || vector != X86_EMU_VEC_NMI)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_PENDING_EXCEPTION:
		if (vector >= 32 || vector == X86_EMU_VEC_NMI)
			return HV_STATUS_INVALID_PARAMETER;
		if (err && vector != X86_EMU_VEC_DF && vector != X86_EMU_VEC_AC &&
		    (vector < X86_EMU_VEC_TS || vector > X86_EMU_VEC_PF))
			return HV_STATUS_INVALID_PARAMETER;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

static u16 set_pending_interruption(struct hvsim_vp *vp,
				    const struct vp_reg *r, u32 i,
				    const union hv_register_value *v,
				    bool guest)
{
	if (pending_interruption_check(v->reg64))
		return HV_STATUS_INVALID_PARAMETER;
	vp->pending_interruption = v->reg64;
	return HV_STATUS_SUCCESS;
}

/* PENDING_EVENT0/1: an event pending in them is not delivered: refused */
static u16 set_pending_event(struct hvsim_vp *vp, const struct vp_reg *r,
			     u32 i, const union hv_register_value *v,
			     bool guest)
{
	if (v->reg128.low_part & BIT_ULL(0))
		return HV_STATUS_INVALID_PARAMETER;
	vp->pending_event[i] = v->reg128;
	return HV_STATUS_SUCCESS;
}

/* A read-only register with a constant value */
static u16 get_const(struct hvsim_vp *vp, const struct vp_reg *r,
		     u32 i, union hv_register_value *v)
{
	v->reg64 = r->value;
	return HV_STATUS_SUCCESS;
}

static u16 get_vp_index(struct hvsim_vp *vp, const struct vp_reg *r,
			u32 i, union hv_register_value *v)
{
	v->reg64 = vp->index;
	return HV_STATUS_SUCCESS;
}

/* The partition reference counter (hvsim_time.c) */
static u16 get_time_ref_count(struct hvsim_vp *vp, const struct vp_reg *r,
			      u32 i, union hv_register_value *v)
{
	v->reg64 = hvsim_time_ref(vp->partition);
	return HV_STATUS_SUCCESS;
}

/* The TSC: partition time plus the VP's offset (hvsim_time.c) */
static u16 get_tsc(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   union hv_register_value *v)
{
	v->reg64 = hvsim_time_tsc(vp);
	return HV_STATUS_SUCCESS;
}

static bool write_tsc_page(struct hvsim_vp *vp, u64 msr);

/* A TSC write: the reference TSC page follows, if enabled */
static u16 set_tsc(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   const union hv_register_value *v, bool guest)
{
	u64 msr = vp->partition->reference_tsc;

	hvsim_time_set_tsc(vp, v->reg64);
	if (msr & HV_MSR_PAGE_ENABLE)
		write_tsc_page(vp, msr);
	return HV_STATUS_SUCCESS;
}

/* SYNTHETIC_TPR / HV_X64_MSR_TPR: the task priority, CR8 in bits 7:4 */
static u16 get_tpr(struct hvsim_vp *vp, const struct vp_reg *r,
		   u32 i, union hv_register_value *v)
{
	v->reg64 = vp->state.cr8 << 4;
	return HV_STATUS_SUCCESS;
}

static u16 set_tpr(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   const union hv_register_value *v, bool guest)
{
	vp->state.cr8 = v->reg64 >> 4;
	return HV_STATUS_SUCCESS;
}

/*
 * EOM: a timer message that found its slot full is delivered now if the
 * slot is free (hvsim_stimer.c); the root's direct posts are not queued
 * (a post to a full slot fails, the VMM posts again)
 */
static u16 set_eom(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   const union hv_register_value *v, bool guest)
{
	hvsim_stimer_poll(vp);
	return HV_STATUS_SUCCESS;
}

/* SINTn: a vector below 16 is refused unless the SINT is masked */
static u16 set_sint(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		    const union hv_register_value *v, bool guest)
{
	if (!(v->reg64 & HV_SYNIC_SINT_MASKED) &&
	    (v->reg64 & HV_SYNIC_SINT_VECTOR_MASK) < 16)
		return HV_STATUS_INVALID_PARAMETER;
	vp->msrs[HVSIM_MSR_SINT0 + i] = v->reg64;
	return HV_STATUS_SUCCESS;
}

/* SIMP / SIEFP: enabling one needs its overlay page (hvsim_guest_synic.c) */
static u16 set_synic_page(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
			  const union hv_register_value *v, bool guest)
{
	return hvsim_synic_page_set(vp, r->name == HV_REGISTER_SIMP ?
				    HVSIM_MSR_SIMP : HVSIM_MSR_SIEFP,
				    v->reg64);
}

/* A feature hvsim does not model beyond its registers: refused, counted */
static u16 refuse(struct hvsim_vp *vp)
{
	vp->partition->refused++;
	return HV_STATUS_INVALID_PARAMETER;
}

/* STIMERn_CONFIG / STIMERn_COUNT (hvsim_stimer.c) */
static u16 get_stimer(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		      union hv_register_value *v)
{
	v->reg64 = hvsim_stimer_get(vp, i);
	return HV_STATUS_SUCCESS;
}

static u16 set_stimer(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		      const union hv_register_value *v, bool guest)
{
	return hvsim_stimer_set(vp, i, v->reg64, guest);
}

static u16 get_guest_idle(struct hvsim_vp *vp, const struct vp_reg *r,
			  u32 i, union hv_register_value *v)
{
	return refuse(vp);
}

/*
 * Write @len bytes of @buf to guest physical address @gpa (in one page)
 * on behalf of a synthetic MSR: all of it, or nothing when the SLAT does
 * not let the guest write there.
 */
static bool write_guest_page(struct hvsim_vp *vp, u64 gpa, const void *buf,
			     unsigned int len)
{
	unsigned int off, n;
	int commit;

	for (commit = 0; commit < 2; commit++) {
		for (off = 0; off < len; off += n) {
			n = min_t(unsigned int, len - off, HV_GPA_ACCESS_MAX_BYTES);
			if (hvsim_gpa_copy(vp->partition, gpa + off,
					   (void *)buf + off, n,
					   X86_EMU_ACCESS_WRITE, commit) !=
			    HVSIM_GPA_OK)
				return false;
		}
	}
	return true;
}

/*
 * HYPERCALL: the guest enables the hypercall page once GUEST_OS_ID is set
 * (before that the enable bit stays clear); hvsim then writes the x64
 * calling sequence (VMCALL; RET) at the start of the page.  LOCKED makes
 * the guest's later writes #GP.  The VMM's writes only set the register.
 */
static u16 set_hypercall(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
			 const union hv_register_value *v, bool guest)
{
	static const u8 code[] = { 0x0F, 0x01, 0xC1, 0xC3 };
	struct hvsim_partition *pt = vp->partition;
	u64 val = v->reg64;

	if (!guest) {
		pt->hypercall = val;
		return HV_STATUS_SUCCESS;
	}
	if (pt->hypercall & HV_MSR_HYPERCALL_LOCKED)
		return HV_STATUS_INVALID_PARAMETER;
	if (!pt->guest_os_id)
		val &= ~HV_MSR_PAGE_ENABLE;
	if ((val & HV_MSR_PAGE_ENABLE) &&
	    !write_guest_page(vp, val & HV_MSR_PAGE_GPA_MASK, code,
			      sizeof(code)))
		return HV_STATUS_INVALID_PARAMETER;
	pt->hypercall = val;
	return HV_STATUS_SUCCESS;
}

/*
 * Write the reference TSC page (hvsim_time_next_tsc_page()) at the GPA of
 * REFERENCE_TSC value @msr; false if the SLAT does not let the guest
 * write there
 */
static bool write_tsc_page(struct hvsim_vp *vp, u64 msr)
{
	struct hv_reference_tsc_page page;

	hvsim_time_next_tsc_page(vp->partition, &page);
	return write_guest_page(vp, msr & HV_MSR_PAGE_GPA_MASK, &page,
				sizeof(page));
}

/*
 * REFERENCE_TSC: enabling it (the guest) writes the reference TSC page
 * (hvsim_time.c); the VMM's writes only set the register (a restored
 * guest's memory holds the page already).
 */
static u16 set_reference_tsc(struct hvsim_vp *vp, const struct vp_reg *r,
			     u32 i, const union hv_register_value *v,
			     bool guest)
{
	if (guest && (v->reg64 & HV_MSR_PAGE_ENABLE) &&
	    !write_tsc_page(vp, v->reg64))
		return HV_STATUS_INVALID_PARAMETER;
	vp->partition->reference_tsc = v->reg64;
	return HV_STATUS_SUCCESS;
}

/* The x87/SSE registers are components of the XSAVE area: mark one used */
static void xsave_used(struct hvsim_vp *vp, u64 component)
{
	u64 bv;

	memcpy(&bv, &vp->xsave[XSAVE_XSTATE_BV], sizeof(bv));
	bv |= component;
	memcpy(&vp->xsave[XSAVE_XSTATE_BV], &bv, sizeof(bv));
}

/* FP_MMXn: an 80-bit register in 16 bytes; bytes 10-15 read as zero */
static u16 set_fp_reg(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		      const union hv_register_value *v, bool guest)
{
	u8 *st = &vp->state.fx[XSAVE_ST0 + 16 * i];

	memcpy(st, v, 10);
	memset(st + 10, 0, 6);
	xsave_used(vp, XSTATE_X87);
	return HV_STATUS_SUCCESS;
}

static u16 set_fp_control(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
			  const union hv_register_value *v, bool guest)
{
	memcpy(&vp->state.fx[XSAVE_FP_CONTROL], v, sizeof(*v));
	xsave_used(vp, XSTATE_X87);
	return HV_STATUS_SUCCESS;
}

/* XMM_CONTROL_STATUS: last data pointer, MXCSR (checked), MXCSR mask */
static u16 set_xmm_control(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
			   const union hv_register_value *v, bool guest)
{
	u32 mxcsr = v->reg128.high_part;

	if (mxcsr & MXCSR_RESERVED)
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(&vp->state.fx[XSAVE_XMM_CONTROL], v, sizeof(*v));
	xsave_used(vp, XSTATE_SSE);
	return HV_STATUS_SUCCESS;
}

/*
 * The table.  Runs of names are in order; the MSR indices of §5.3 of the
 * TLFS register map.  Registers absent here do not exist for a guest VP.
 */
static const struct vp_reg vp_regs[] = {
	/* Suspend and state registers */
	{ HV_REGISTER_EXPLICIT_SUSPEND, 0, .size = 8, .writable = 1,
	  .get = get_suspend, .set = set_suspend },
	{ HV_REGISTER_INTERCEPT_SUSPEND, 0, .size = 8, .writable = 1,
	  .get = get_suspend, .set = set_suspend },
	{ HV_REGISTER_DISPATCH_SUSPEND, 0, .size = 8, .writable = 1,
	  .get = get_suspend, .set = set_suspend },
	{ HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0, .size = 8,
	  .offset = VP_OFF(activity), .writable = HV_INTERNAL_ACTIVITY_MASK,
	  .set = set_activity },
	{ HV_REGISTER_PENDING_INTERRUPTION, 0, .size = 8,
	  .offset = VP_OFF(pending_interruption), .writable = ALL,
	  .set = set_pending_interruption },
	{ HV_REGISTER_INTERRUPT_STATE, 0, .size = 8,
	  .writable = HV_INTERRUPT_STATE_MASK,
	  .get = get_interrupt_state, .set = set_interrupt_state },
	{ HV_REGISTER_PENDING_EVENT0, 0, .count = 2, .size = 16,
	  .offset = VP_OFF(pending_event), .set = set_pending_event },
	{ HV_REGISTER_DELIVERABILITY_NOTIFICATIONS, 0, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_DELIVERABILITY), .writable = ALL },

	/* General purpose, instruction pointer, flags */
	{ HV_X64_REGISTER_RAX, 0, .count = X86_NR_GPRS, .size = 8,
	  .offset = VP_OFF(state.gpr), .writable = ALL },
	{ HV_X64_REGISTER_RIP, 0, .size = 8, .offset = VP_OFF(state.rip),
	  .writable = ALL, .set = set_rip },
	{ HV_X64_REGISTER_RFLAGS, 0, .size = 8, .offset = VP_OFF(state.rflags),
	  .writable = ALL, .set = set_rflags },

	/* SSE and x87 (x86_emu_state.fx: the start of the FXSAVE image) */
	{ HV_X64_REGISTER_XMM0, 0, .count = 16, .size = 16,
	  .offset = VP_OFF(state.xmm) },
	{ HV_X64_REGISTER_FP_MMX0, 0, .count = 8, .size = 16,
	  .offset = VP_OFF(state.fx[XSAVE_ST0]), .set = set_fp_reg },
	{ HV_X64_REGISTER_FP_CONTROL_STATUS, 0, .size = 16,
	  .offset = VP_OFF(state.fx[XSAVE_FP_CONTROL]),
	  .set = set_fp_control },
	{ HV_X64_REGISTER_XMM_CONTROL_STATUS, 0, .size = 16,
	  .offset = VP_OFF(state.fx[XSAVE_XMM_CONTROL]),
	  .set = set_xmm_control },

	/* Control registers; the intermediate ones are the same (no nesting) */
	{ HV_X64_REGISTER_CR0, 0, .size = 8, .offset = VP_OFF(state.cr0),
	  .writable = ALL },
	{ HV_X64_REGISTER_CR2, 0, .size = 8, .offset = VP_OFF(state.cr2),
	  .writable = ALL },
	{ HV_X64_REGISTER_CR3, 0, .size = 8, .offset = VP_OFF(state.cr3),
	  .writable = ALL },
	{ HV_X64_REGISTER_CR4, 0, .size = 8, .offset = VP_OFF(state.cr4),
	  .writable = ALL },
	{ HV_X64_REGISTER_CR8, 0, .size = 8, .offset = VP_OFF(state.cr8),
	  .writable = 0xF },
	{ HV_X64_REGISTER_XFEM, 0, .size = 8, .offset = VP_OFF(state.xfem),
	  .writable = ALL },
	{ HV_X64_REGISTER_INTERMEDIATE_CR0, 0, .size = 8,
	  .offset = VP_OFF(state.cr0), .writable = ALL },
	{ HV_X64_REGISTER_INTERMEDIATE_CR3, 0, .size = 8,
	  .offset = VP_OFF(state.cr3), .writable = ALL },
	{ HV_X64_REGISTER_INTERMEDIATE_CR4, 0, .size = 8,
	  .offset = VP_OFF(state.cr4), .writable = ALL },
	{ HV_X64_REGISTER_INTERMEDIATE_CR8, 0, .size = 8,
	  .offset = VP_OFF(state.cr8), .writable = 0xF },

	/* Debug registers: DR0-DR3, DR6, DR7 */
	{ HV_X64_REGISTER_DR0, 0, .count = 6, .size = 8,
	  .offset = VP_OFF(state.dr), .writable = ALL },

	/* Segments and descriptor tables */
	{ HV_X64_REGISTER_ES, 0, .count = X86_NR_SEGS, .size = 16,
	  .offset = VP_OFF(state.seg) },
	{ HV_X64_REGISTER_LDTR, 0, .size = 16, .offset = VP_OFF(state.ldtr) },
	{ HV_X64_REGISTER_TR, 0, .size = 16, .offset = VP_OFF(state.tr) },
	{ HV_X64_REGISTER_IDTR, 0, .size = 16, .offset = VP_OFF(state.idtr) },
	{ HV_X64_REGISTER_GDTR, 0, .size = 16, .offset = VP_OFF(state.gdtr) },

	/*
	 * Virtualized MSRs (EFER, FS/GS base: hvsim_intercept.c for guests);
	 * KERNEL_GS_BASE and the SYSCALL MSRs live in the interpreter's state
	 */
	{ HV_X64_REGISTER_TSC, MSR_IA32_TSC, .size = 8, .writable = ALL,
	  .get = get_tsc, .set = set_tsc },
	{ HV_X64_REGISTER_EFER, 0, .size = 8, .offset = VP_OFF(state.efer),
	  .writable = ALL },
	{ HV_X64_REGISTER_KERNEL_GS_BASE, MSR_KERNEL_GS_BASE, .size = 8,
	  .offset = VP_OFF(state.kernel_gs_base), .writable = ALL },
	{ HV_X64_REGISTER_APIC_BASE, MSR_IA32_APICBASE, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_APIC_BASE), .writable = ALL,
	  .set = set_apic_base },
	{ HV_X64_REGISTER_PAT, MSR_IA32_CR_PAT, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_PAT), .writable = ALL },
	{ HV_X64_REGISTER_SYSENTER_CS, MSR_IA32_SYSENTER_CS, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SYSENTER_CS), .writable = ALL },
	{ HV_X64_REGISTER_SYSENTER_EIP, MSR_IA32_SYSENTER_EIP, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SYSENTER_EIP), .writable = ALL },
	{ HV_X64_REGISTER_SYSENTER_ESP, MSR_IA32_SYSENTER_ESP, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SYSENTER_ESP), .writable = ALL },
	{ HV_X64_REGISTER_STAR, MSR_STAR, .size = 8,
	  .offset = VP_OFF(state.star), .writable = ALL },
	{ HV_X64_REGISTER_LSTAR, MSR_LSTAR, .size = 8,
	  .offset = VP_OFF(state.lstar), .writable = ALL },
	{ HV_X64_REGISTER_CSTAR, MSR_CSTAR, .size = 8,
	  .offset = VP_OFF(state.cstar), .writable = ALL },
	{ HV_X64_REGISTER_SFMASK, MSR_SYSCALL_MASK, .size = 8,
	  .offset = VP_OFF(state.sfmask), .writable = ALL },
	{ HV_X64_REGISTER_MTRR_CAP, MSR_MTRR_CAP, .size = 8,
	  .flags = REG_GUEST_RO, .offset = MSR_SLOT(HVSIM_MSR_MTRR_CAP),
	  .writable = ALL },
	{ HV_X64_REGISTER_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_MTRR_DEF_TYPE),
	  .writable = MTRR_DEF_TYPE_BITS },
	{ HV_X64_REGISTER_MTRR_PHYS_BASE0, MSR_MTRR_PHYS_BASE0,
	  .count = HVSIM_MTRR_VARIABLE, .msr_step = 2, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_MTRR_BASE0),
	  .writable = MTRR_BASE_BITS },
	{ HV_X64_REGISTER_MTRR_PHYS_MASK0, MSR_MTRR_PHYS_MASK0,
	  .count = HVSIM_MTRR_VARIABLE, .msr_step = 2, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_MTRR_MASK0),
	  .writable = MTRR_MASK_BITS },
	{ HV_X64_REGISTER_MTRR_FIX64K00000, MSR_MTRR_FIX_64K_00000, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_MTRR_FIX0), .writable = ALL },
	{ HV_X64_REGISTER_MTRR_FIX64K00000 + 1, MSR_MTRR_FIX_16K_80000,
	  .count = 2, .size = 8, .offset = MSR_SLOT(HVSIM_MSR_MTRR_FIX0 + 1),
	  .writable = ALL },
	{ HV_X64_REGISTER_MTRR_FIX64K00000 + 3, MSR_MTRR_FIX_4K_C0000,
	  .count = 8, .size = 8, .offset = MSR_SLOT(HVSIM_MSR_MTRR_FIX0 + 3),
	  .writable = ALL },
	{ HV_X64_REGISTER_TSC_AUX, MSR_TSC_AUX, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_TSC_AUX), .writable = 0xFFFFFFFF },
	{ HV_X64_REGISTER_BNDCFGS, MSR_IA32_BNDCFGS, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_BNDCFGS), .writable = ALL },
	{ HV_X64_REGISTER_DEBUG_CTL, MSR_IA32_DEBUGCTLMSR, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_DEBUG_CTL), .writable = ALL },
	{ HV_X64_REGISTER_SPEC_CTRL, MSR_IA32_SPEC_CTRL, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SPEC_CTRL), .writable = ALL },
	{ HV_X64_REGISTER_TSC_ADJUST, MSR_IA32_TSC_ADJUST, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_TSC_ADJUST), .writable = ALL },
	{ HV_X64_REGISTER_MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_MISC_ENABLE), .writable = ALL },

	/* Synthetic registers and MSRs */
	{ HV_X64_REGISTER_HYPERCALL, HV_X64_MSR_HYPERCALL, .size = 8,
	  .flags = REG_PARTITION, .offset = PT_OFF(hypercall),
	  .priv = PRIV_HYPERCALL,
	  .writable = PAGE_MSR_BITS | HV_MSR_HYPERCALL_LOCKED,
	  .set = set_hypercall },
	{ HV_REGISTER_GUEST_OS_ID, HV_X64_MSR_GUEST_OS_ID, .size = 8,
	  .flags = REG_PARTITION, .offset = PT_OFF(guest_os_id),
	  .priv = PRIV_HYPERCALL, .writable = ALL },
	{ HV_REGISTER_VP_INDEX, HV_X64_MSR_VP_INDEX, .size = 8,
	  .flags = REG_RO, .priv = PRIV_VP_INDEX, .get = get_vp_index },
	{ HV_REGISTER_TIME_REF_COUNT, HV_X64_MSR_TIME_REF_COUNT, .size = 8,
	  .flags = REG_RO, .priv = PRIV_REFERENCE_COUNTER,
	  .get = get_time_ref_count },
	{ 0, HV_X64_MSR_TSC_FREQUENCY, .count = 2, .size = 8,
	  .flags = REG_RO | REG_NO_NAME, .priv = PRIV_FREQUENCY,
	  .value = HVSIM_TSC_HZ, .get = get_const },
	{ HV_X64_REGISTER_SYNTHETIC_TPR, HV_X64_MSR_TPR, .size = 8,
	  .priv = PRIV_APIC, .writable = 0xF0, .get = get_tpr,
	  .set = set_tpr },
	{ HV_REGISTER_VP_ASSIST_PAGE, HV_X64_MSR_VP_ASSIST_PAGE, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_VP_ASSIST_PAGE), .priv = PRIV_APIC,
	  .writable = PAGE_MSR_BITS },
	{ HV_REGISTER_REFERENCE_TSC, HV_X64_MSR_REFERENCE_TSC, .size = 8,
	  .flags = REG_PARTITION, .offset = PT_OFF(reference_tsc),
	  .priv = PRIV_REFERENCE_TSC, .writable = PAGE_MSR_BITS,
	  .set = set_reference_tsc },
	{ HV_REGISTER_SINT0, HV_X64_MSR_SINT0, .count = HV_SYNIC_SINT_COUNT,
	  .size = 8, .offset = MSR_SLOT(HVSIM_MSR_SINT0), .priv = PRIV_SYNIC,
	  .writable = SINT_BITS, .set = set_sint },
	{ HV_REGISTER_SCONTROL, HV_X64_MSR_SCONTROL, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SCONTROL), .priv = PRIV_SYNIC,
	  .writable = 1 },
	{ HV_REGISTER_SVERSION, HV_X64_MSR_SVERSION, .size = 8,
	  .flags = REG_RO, .priv = PRIV_SYNIC, .value = HV_SYNIC_VERSION_1,
	  .get = get_const },
	{ HV_REGISTER_SIEFP, HV_X64_MSR_SIEFP, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SIEFP), .priv = PRIV_SYNIC,
	  .writable = PAGE_MSR_BITS, .set = set_synic_page },
	{ HV_REGISTER_SIMP, HV_X64_MSR_SIMP, .size = 8,
	  .offset = MSR_SLOT(HVSIM_MSR_SIMP), .priv = PRIV_SYNIC,
	  .writable = PAGE_MSR_BITS, .set = set_synic_page },
	{ HV_REGISTER_EOM, HV_X64_MSR_EOM, .size = 8, .priv = PRIV_SYNIC,
	  .writable = ALL, .get = get_const, .set = set_eom },
	{ HV_REGISTER_STIMER0_CONFIG, HV_X64_MSR_STIMER0_CONFIG,
	  .count = 2 * HV_SYNIC_STIMER_COUNT, .size = 8,
	  .priv = PRIV_SYNTHETIC_TIMERS, .writable = ALL, .get = get_stimer,
	  .set = set_stimer },
	{ 0, HV_X64_MSR_GUEST_IDLE, .size = 8,
	  .flags = REG_RO | REG_NO_NAME, .priv = PRIV_GUEST_IDLE,
	  .get = get_guest_idle },
};

/* Does @r exist for @vp's partition? */
static bool reg_exists(struct hvsim_vp *vp, const struct vp_reg *r)
{
	return !r->priv ||
	       (hvsim_partition_privileges(vp->partition) & r->priv);
}

static u32 reg_count(const struct vp_reg *r)
{
	return r->count ? r->count : 1;
}

/* The table entry of register @name, and its index in the run */
static const struct vp_reg *reg_by_name(u32 name, u32 *i)
{
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(vp_regs); n++) {
		const struct vp_reg *r = &vp_regs[n];

		if (r->flags & REG_NO_NAME)
			continue;
		if (name >= r->name && name - r->name < reg_count(r)) {
			*i = name - r->name;
			return r;
		}
	}
	return NULL;
}

/* The table entry of MSR @index, and its index in the run */
static const struct vp_reg *reg_by_msr(u32 index, u32 *i)
{
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(vp_regs); n++) {
		const struct vp_reg *r = &vp_regs[n];
		u32 step = r->msr_step ? r->msr_step : 1;

		if (!r->msr || index < r->msr || (index - r->msr) % step)
			continue;
		if ((index - r->msr) / step < reg_count(r)) {
			*i = (index - r->msr) / step;
			return r;
		}
	}
	return NULL;
}

static void *reg_storage(struct hvsim_vp *vp, const struct vp_reg *r, u32 i)
{
	void *base = r->flags & REG_PARTITION ? (void *)vp->partition :
						(void *)vp;

	return base + r->offset + i * r->size;
}

static u16 reg_get(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   union hv_register_value *v)
{
	memset(v, 0, sizeof(*v));
	if (r->get)
		return r->get(vp, r, i, v);
	memcpy(v, reg_storage(vp, r, i), r->size);
	return HV_STATUS_SUCCESS;
}

static u16 reg_set(struct hvsim_vp *vp, const struct vp_reg *r, u32 i,
		   const union hv_register_value *v, bool guest)
{
	if ((r->flags & REG_RO) || (guest && (r->flags & REG_GUEST_RO)))
		return HV_STATUS_INVALID_PARAMETER;
	if (r->size == sizeof(u64) && (v->reg64 & ~r->writable))
		return HV_STATUS_INVALID_PARAMETER;
	if (r->set)
		return r->set(vp, r, i, v, guest);
	memcpy(reg_storage(vp, r, i), v, r->size);
	return HV_STATUS_SUCCESS;
}

/* Register @name of @vp if it exists for it (index in the run: *@i) */
static const struct vp_reg *reg_of_vp(struct hvsim_vp *vp, u32 name, u32 *i)
{
	const struct vp_reg *r = reg_by_name(name, i);

	lockdep_assert_held(&vp->partition->lock);
	return r && reg_exists(vp, r) ? r : NULL;
}

/**
 * hvsim_vp_get_reg() - GET_VP_REGISTERS of one register
 * @vp: the VP, its partition's lock held
 * @name: register name
 * @v: receives the value (unused bytes zero)
 *
 * Return: HV_STATUS_INVALID_PARAMETER for a name that does not exist for
 * this VP (unknown, or its privilege not granted), or a read hvsim
 * refuses; HV_STATUS_SUCCESS.
 */
u16 hvsim_vp_get_reg(struct hvsim_vp *vp, u32 name, union hv_register_value *v)
{
	u32 i;
	const struct vp_reg *r = reg_of_vp(vp, name, &i);

	return r ? reg_get(vp, r, i, v) : HV_STATUS_INVALID_PARAMETER;
}

/**
 * hvsim_vp_set_reg() - SET_VP_REGISTERS of one register
 * @vp: the VP, its partition's lock held
 * @name: register name
 * @v: the value
 *
 * Return: HV_STATUS_INVALID_PARAMETER for a name that does not exist for
 * this VP, a read-only register, a bit outside the writable ones or a
 * value hvsim refuses; HV_STATUS_SUCCESS.
 */
u16 hvsim_vp_set_reg(struct hvsim_vp *vp, u32 name,
		     const union hv_register_value *v)
{
	u32 i;
	const struct vp_reg *r = reg_of_vp(vp, name, &i);

	return r ? reg_set(vp, r, i, v, false) : HV_STATUS_INVALID_PARAMETER;
}

/**
 * hvsim_vp_msr_access() - a guest RDMSR or WRMSR of a register of the table
 * @vp: the VP, its partition's lock held
 * @index: MSR index
 * @write: WRMSR
 * @val: the value written, or receives the value read
 *
 * Return: HVSIM_MSR_NONE if no register of the table that exists for the
 * partition has this MSR index, HVSIM_MSR_GP for an access the register
 * refuses, HVSIM_MSR_DONE.
 */
enum hvsim_msr_result hvsim_vp_msr_access(struct hvsim_vp *vp, u32 index,
					  bool write, u64 *val)
{
	union hv_register_value v = { .reg64 = *val };
	const struct vp_reg *r;
	u32 i;

	lockdep_assert_held(&vp->partition->lock);
	r = reg_by_msr(index, &i);
	if (!r || !reg_exists(vp, r))
		return HVSIM_MSR_NONE;
	if (write)
		return reg_set(vp, r, i, &v, true) ? HVSIM_MSR_GP :
						     HVSIM_MSR_DONE;
	if (reg_get(vp, r, i, &v))
		return HVSIM_MSR_GP;
	*val = v.reg64;
	return HVSIM_MSR_DONE;
}

/**
 * hvsim_vp_regs_reset() - the reset values of a new VP's registers
 * @vp: the VP (zeroed), its partition's lock held
 *
 * APIC_BASE 0xFEE00000, enabled, BSP for VP 0; PAT 0x0007040600070406;
 * MTRR_CAP 0x508; every SINT masked; the rest zero.
 */
void hvsim_vp_regs_reset(struct hvsim_vp *vp)
{
	unsigned int i;

	lockdep_assert_held(&vp->partition->lock);
	vp->msrs[HVSIM_MSR_APIC_BASE] = APIC_BASE_DEFAULT | APIC_BASE_ENABLE |
					(vp->index ? 0 : APIC_BASE_BSP);
	vp->msrs[HVSIM_MSR_PAT] = PAT_DEFAULT;
	vp->msrs[HVSIM_MSR_MTRR_CAP] = MTRR_CAP_DEFAULT;
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		vp->msrs[HVSIM_MSR_SINT0 + i] = HV_SYNIC_SINT_MASKED;
}

/* The bits of EFER a guest may write */
#define HVSIM_EFER_WRITABLE	(EFER_SCE | EFER_LME | EFER_NX)

/*
 * RDMSR / WRMSR of an MSR hvsim implements: EFER and the FS/GS bases
 * here, every other one through the register table; in x2APIC mode an
 * x2APIC MSR that reaches here is a #GP.
 * Returns HVSIM_MSR_NONE for an MSR it does not implement and
 * HVSIM_MSR_GP for an access the hardware would refuse with #GP.
 */
static enum hvsim_msr_result msr_access(struct hvsim_vp *vp, u32 index,
					bool write, u64 *val)
{
	struct x86_emu_state *s = &vp->state;
	u64 *base;

	switch (index) {
	case MSR_EFER:
		if (!write) {
			*val = s->efer;
			return HVSIM_MSR_DONE;
		}
		if (*val & ~(HVSIM_EFER_WRITABLE | HV_X86_EFER_LMA))
			return HVSIM_MSR_GP;
		/* LME cannot change while paging is on; LMA is read-only */
		if ((s->cr0 & HV_X86_CR0_PG) &&
		    ((*val ^ s->efer) & HV_X86_EFER_LME))
			return HVSIM_MSR_GP;
		s->efer = (*val & HVSIM_EFER_WRITABLE) | (s->efer & HV_X86_EFER_LMA);
		return HVSIM_MSR_DONE;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		base = &s->seg[index == MSR_FS_BASE ? X86_FS : X86_GS].base;
		if (write)
			*base = *val;
		else
			*val = *base;
		return HVSIM_MSR_DONE;
	case HV_X86_MSR_X2APIC_BASE ... HV_X86_MSR_X2APIC_BASE + 0xFF:
		/* what hvsim_apic_msr() did not take: reserved, read-only ... */
		if (hvsim_apic_x2apic(vp))
			return HVSIM_MSR_GP;
		fallthrough;
	default:
		return hvsim_vp_msr_access(vp, index, write, val);
	}
}

/**
 * hvsim_msr_exit() - a guest RDMSR or WRMSR
 * @vp: the VP; its partition's lock held
 * @exit: the interpreter's stop (X86_EXIT_MSR)
 * @access: set to the intercept access type when a message is due
 * @size: set to the payload size when a message is due
 *
 * An installed X64_MSR or X64_MSR_INDEX intercept with the access's bit
 * (READ for RDMSR, WRITE for WRMSR) gives an X64_MSR_INTERCEPT message
 * (payload written to @vp->msg but for the common header, which the
 * caller fills).  Otherwise an MSR hvsim implements is read or written;
 * any other MSR follows UNIMPLEMENTED_MSR_ACTION: IGNORE_WRITE_READ_ZERO
 * reads 0 and drops writes; FAULT means a #GP(0), like a write the
 * hardware refuses: the caller raises it (an EXCEPTION intercept for
 * vector 13 takes precedence over delivering it to the guest).
 *
 * Return: the message type to post, HVMSG_NONE when the instruction
 * completed (the caller retires it), or HVSIM_MSR_FAULT for a #GP.
 */
u32 hvsim_msr_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
		   u8 *access, u8 *size)
{
	struct hv_x64_msr_intercept_message *m = (void *)vp->msg.u.payload;
	struct hvsim_partition *pt = vp->partition;
	u64 *gpr = vp->state.gpr;
	u32 index = exit->msr.index;
	bool write = exit->msr.write;
	u64 val = 0;

	BUILD_BUG_ON(sizeof(*m) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	/*
	 * APIC and synthetic MSRs: hvsim_irq.c handles x2APIC 0x800-0x8FF and
	 * 0x40000000-0x400000FF before this function is called.
	 */
	lockdep_assert_held(&pt->lock);
	*access = write ? HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ;
	if (hvsim_msr_intercepted(pt, index, write)) {
		m->msr_number = index;
		m->reserved = 0;
		m->rdx = gpr[X86_RDX];
		m->rax = gpr[X86_RAX];
		*size = sizeof(*m);
		return HVMSG_X64_MSR_INTERCEPT;
	}
	if (write)
		val = (u64)(u32)gpr[X86_RDX] << 32 | (u32)gpr[X86_RAX];
	switch (msr_access(vp, index, write, &val)) {
	case HVSIM_MSR_GP:
		return HVSIM_MSR_FAULT;
	case HVSIM_MSR_NONE:
		if (pt->unimplemented_msr_action !=
		    HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO)
			return HVSIM_MSR_FAULT;
		val = 0;
		break;
	case HVSIM_MSR_DONE:
		break;
	}
	if (!write) {
		gpr[X86_RAX] = lower_32_bits(val);
		gpr[X86_RDX] = upper_32_bits(val);
	}
	return HVMSG_NONE;
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_vp_regs_test.c"
#endif
