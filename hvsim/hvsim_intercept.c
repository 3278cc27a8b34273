// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: intercepts the root installs (INSTALL_INTERCEPT), CPUID results it
 * registers (REGISTER_INTERCEPT_RESULT), the CPUID model a VP sees
 * (GET_VP_CPUID_VALUES), and what a guest's CPUID does.  A guest's RDMSR
 * and WRMSR are hvsim_vp_regs.c's, which asks hvsim_msr_intercepted().
 *
 * The installed intercepts of a partition live in one page of its deposit
 * pool (struct hvsim_intercepts), taken at the first install that needs it
 * and given back by FINALIZE_PARTITION.  The CPUID results registered for
 * a VP live in a chain of pages of the same pool (struct
 * hvsim_cpuid_results), one more page taken whenever the VP's pages are
 * full, so the partition's capacity grows with its VP count and its
 * deposits; they are given back when the VP is deleted.  Nothing is
 * allocated from the kernel.
 * Port I/O always exits to the root (an EXO partition's root gets every
 * port), so an I/O port install is validated and then changes nothing.
 */
#include <linux/bug.h>
#include <linux/lockdep.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "hvsim_model.h"
#include "hvsim_intercept.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"

#define HVSIM_MAX_CPUID_INTERCEPTS	64
#define HVSIM_MAX_MSR_INTERCEPTS	64

/* The default CPUID model (Documentation/hvsim.rst) */
#define CPUID_MAX_BASIC		0x0000000d
#define CPUID_XSAVE		0x0000000d
#define CPUID_HV_BASE		0x40000000
#define CPUID_MAX_HV		0x40000005
#define CPUID_EXT_BASE		0x80000000
#define CPUID_MAX_EXT		0x80000001
#define CPUID_SIGNATURE_FMS	0x00000663	/* family 6, model 6, step 3 */
/* EBX: CLFLUSH line size 8 qwords, one logical processor, APIC id */
#define CPUID_1_EBX		0x00010800
#define CPUID_1_ECX_CX16	BIT(13)		/* CMPXCHG16B */
#define CPUID_1_ECX_X2APIC	BIT(21)		/* X2APIC_CAPABLE partitions */
#define CPUID_1_ECX_POPCNT	BIT(23)
#define CPUID_1_ECX_TSC_DEADLINE	BIT(24)	/* LAPIC timer TSC-deadline mode */
#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_1_ECX_HV		BIT(31)		/* hypervisor present */
/* Leaf 0xD subleaf 1, EAX: XSAVEC (the compacted format) */
#define CPUID_XSAVE_1_EAX_XSAVEC	BIT(1)
/* EDX: FPU, TSC, MSR, PAE, CX8, APIC, CMOV, PAT, FXSR, SSE, SSE2 */
#define CPUID_1_EDX		(BIT(0) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | \
				 BIT(9) | BIT(15) | BIT(16) | BIT(24) | \
				 BIT(25) | BIT(26))
/* EDX: NX, long mode */
#define CPUID_EXT1_EDX		(BIT(20) | BIT(29))
/* "Microsoft Hv" in EBX, ECX, EDX, and the "Hv#1" interface signature */
#define CPUID_HV_EBX		0x7263694d
#define CPUID_HV_ECX		0x666f736f
#define CPUID_HV_EDX		0x76482074
#define CPUID_HV_INTERFACE	0x31237648
/* Leaf 0x40000003 EDX: the frequency MSRs are available */
#define CPUID_HV_PRIV_FREQUENCY		BIT_ULL(11)
#define CPUID_HV_EDX_FREQUENCY		BIT(8)

/**
 * struct hvsim_msr_intercept - one installed X64_MSR_INDEX intercept
 * @index: MSR index
 * @access: HV_INTERCEPT_ACCESS_MASK_READ / _WRITE bits
 */
struct hvsim_msr_intercept {
	u32 index;
	u32 access;
};

#define HVSIM_CPUID_RESULTS_PER_PAGE \
	((HV_HYP_PAGE_SIZE - 2 * sizeof(u64)) / \
	 sizeof(struct hv_register_x64_cpuid_result_parameters))

/**
 * struct hvsim_cpuid_results - one page of the CPUID results registered
 *	for a VP
 * @next: the VP's next page, or NULL
 * @nr: entries used in @e
 * @e: the registered parameters; at most one per leaf (or leaf and
 *	subleaf when subleaf_specific), in no particular order
 *
 * Lives in a page of the partition's pool; every field is protected by
 * the partition's lock.
 */
struct hvsim_cpuid_results {
	struct hvsim_cpuid_results *next;
	u32 nr;
	struct hv_register_x64_cpuid_result_parameters e[HVSIM_CPUID_RESULTS_PER_PAGE];
};

/**
 * struct hvsim_intercepts - a partition's intercept page
 * @msr_all: access mask of the X64_MSR intercept (all MSRs), 0 if none
 * @global_cpuid: an X64_GLOBAL_CPUID intercept is installed
 * @exceptions: vectors with an EXCEPTION intercept, one bit each
 * @nr_cpuid: entries used in @cpuid
 * @nr_msr: entries used in @msr
 * @cpuid: leaves with an X64_CPUID intercept
 * @msr: MSRs with an X64_MSR_INDEX intercept
 * @apic_init_sipi: access mask of the X64_APIC_INIT_SIPI intercept, 0 if
 *	none
 *
 * Lives in a page of the partition's pool; every field is protected by
 * the partition's lock.
 */
struct hvsim_intercepts {
	u32 msr_all;
	bool global_cpuid;
	u32 exceptions;
	u32 nr_cpuid;
	u32 nr_msr;
	u32 cpuid[HVSIM_MAX_CPUID_INTERCEPTS];
	struct hvsim_msr_intercept msr[HVSIM_MAX_MSR_INTERCEPTS];
	u32 apic_init_sipi;
};

/**
 * hvsim_intercepts_destroy() - give a partition's intercept page back
 * @pt: the partition; its lock held
 *
 * Drops every installed intercept (the VPs, and with them their
 * registered CPUID results, are gone already).
 */
void hvsim_intercepts_destroy(struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	if (!pt->intercepts)
		return;
	hvsim_pool_free(&pt->pool, pt->intercepts);
	pt->intercepts = NULL;
}

/**
 * hvsim_intercepts_vp_destroy() - forget what was registered for a VP
 * @vp: the VP being deleted; its partition's lock held
 *
 * Gives the pages of the CPUID results registered for @vp back to the
 * pool, so that a VP created later with the same index starts from the
 * default model.
 */
void hvsim_intercepts_vp_destroy(struct hvsim_vp *vp)
{
	struct hvsim_cpuid_results *page;

	lockdep_assert_held(&vp->partition->lock);
	while (vp->cpuid_results) {
		page = vp->cpuid_results;
		vp->cpuid_results = page->next;
		hvsim_pool_free(&vp->partition->pool, page);
	}
}

/* The intercept page of @pt, taken from its pool if needed; NULL if none */
static struct hvsim_intercepts *intercepts_get(struct hvsim_partition *pt)
{
	struct hvsim_intercepts *ic;

	BUILD_BUG_ON(sizeof(*ic) > HV_HYP_PAGE_SIZE);

	lockdep_assert_held(&pt->lock);
	if (pt->intercepts)
		return pt->intercepts;
	ic = hvsim_pool_alloc(&pt->pool);
	if (!ic)
		return NULL;
	memset(ic, 0, sizeof(*ic));
	pt->intercepts = ic;
	return ic;
}

/*
 * Set the access mask of @key in the table @keys (entries of @stride
 * bytes starting with the u32 key, @nr used, @max slots); the mask is
 * stored in the u32 after the key when @has_mask.  A zero @access removes
 * the entry.
 */
static u16 table_set(void *keys, size_t stride, u32 *nr, u32 max, u32 key,
		     u32 access, bool has_mask)
{
	u32 i;

	for (i = 0; i < *nr; i++) {
		u32 *e = keys + i * stride;

		if (*e != key)
			continue;
		if (!access) {
			(*nr)--;
			memmove(e, keys + *nr * stride, stride);
		} else if (has_mask) {
			e[1] = access;
		}
		return HV_STATUS_SUCCESS;
	}
	if (!access)
		return HV_STATUS_SUCCESS;
	if (*nr >= max)
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	((u32 *)(keys + *nr * stride))[0] = key;
	if (has_mask)
		((u32 *)(keys + *nr * stride))[1] = access;
	(*nr)++;
	return HV_STATUS_SUCCESS;
}

/* Install (or, with access mask NONE, remove) an intercept; lock held */
static u16 install_locked(struct hvsim_partition *pt, void *arg)
{
	const struct hv_input_install_intercept *in =
		((struct hvsim_call *)arg)->input;
	struct hvsim_intercepts *ic;
	u32 param = in->intercept_parameter;

	lockdep_assert_held(&pt->lock);
	if (in->intercept_type == HV_INTERCEPT_TYPE_X64_IO_PORT)
		return HV_STATUS_SUCCESS;	/* port I/O always exits */
	ic = pt->intercepts;
	if (!ic && !in->access_type)
		return HV_STATUS_SUCCESS;	/* nothing to remove */
	ic = intercepts_get(pt);
	if (!ic)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	switch (in->intercept_type) {
	case HV_INTERCEPT_TYPE_X64_MSR:
		ic->msr_all = in->access_type;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID:
		ic->global_cpuid = in->access_type;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_EXCEPTION:
		if (in->access_type)
			ic->exceptions |= BIT(param);
		else
			ic->exceptions &= ~BIT(param);
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI:
		ic->apic_init_sipi = in->access_type;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_CPUID:
		return table_set(ic->cpuid, sizeof(ic->cpuid[0]), &ic->nr_cpuid,
				 HVSIM_MAX_CPUID_INTERCEPTS, param,
				 in->access_type, false);
	default:	/* HV_INTERCEPT_TYPE_X64_MSR_INDEX */
		return table_set(ic->msr, sizeof(ic->msr[0]), &ic->nr_msr,
				 HVSIM_MAX_MSR_INTERCEPTS, param,
				 in->access_type, true);
	}
}

/**
 * hvsim_hc_install_intercept() - HVCALL_INSTALL_INTERCEPT
 * @call: decoded call
 *
 * X64_IO_PORT (port in the low 16 bits; READ/WRITE), X64_MSR (all MSRs,
 * parameter 0; READ/WRITE), X64_MSR_INDEX (MSR index in the low 32 bits;
 * READ/WRITE), X64_CPUID (leaf in the low 32 bits; EXECUTE) and
 * X64_GLOBAL_CPUID (parameter 0; EXECUTE), EXCEPTION (vector 0-31; any
 * of READ/WRITE/EXECUTE; see hvsim_exception_intercept()) and
 * X64_APIC_INIT_SIPI (parameter 0; any of READ/WRITE/EXECUTE).  The
 * access mask replaces the
 * one installed before; mask NONE removes the intercept.  Valid before and
 * after INITIALIZE_PARTITION.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for another type, an access bit the
 * type does not take or parameter bits beyond its width;
 * HV_STATUS_INVALID_PARTITION_STATE once finalized;
 * HV_STATUS_INSUFFICIENT_MEMORY when the pool has no page for the
 * intercept page; HV_STATUS_INSUFFICIENT_BUFFERS when the CPUID-leaf or
 * MSR-index table is full.
 */
u16 hvsim_hc_install_intercept(struct hvsim_call *call)
{
	const struct hv_input_install_intercept *in = call->input;

	return hvsim_partition_call(in->partition_id,
				    HVSIM_PT_STATE(CREATED) | HVSIM_PT_RUNNING,
				    install_locked, call);
}

/**
 * hvsim_intercept_init_sipi() - is an X64_APIC_INIT_SIPI intercept installed?
 * @pt: the partition, its lock held
 *
 * Return: true if guest INIT and SIPI IPIs go to the root (hvsim_irq.c).
 */
bool hvsim_intercept_init_sipi(struct hvsim_partition *pt)
{
	lockdep_assert_held(&pt->lock);
	return pt->intercepts && pt->intercepts->apic_init_sipi;
}

/*
 * The default CPUID model: what leaf @eax (subleaf @ecx) answers on VP
 * @vp_index of a partition with privileges @privileges.  Leaves the model
 * does not list answer zeros.
 */
static void cpuid_default(u32 vp_index, u64 privileges, u32 eax, u32 ecx,
			  struct hv_cpuid_result *r)
{
	memset(r, 0, sizeof(*r));
	switch (eax) {
	case 0:
		r->eax = CPUID_MAX_BASIC;
		/* "HvSimHvSimHv": EBX "HvSi", EDX "mHvS", ECX "imHv" */
		r->ebx = 0x69537648;
		r->edx = 0x5376486d;
		r->ecx = 0x76486d69;
		break;
	case 1:
		r->eax = CPUID_SIGNATURE_FMS;
		r->ebx = CPUID_1_EBX | (vp_index & 0xff) << 24;
		r->ecx = CPUID_1_ECX_HV | CPUID_1_ECX_CX16 | CPUID_1_ECX_POPCNT |
			 CPUID_1_ECX_TSC_DEADLINE;
		r->edx = CPUID_1_EDX;
		break;
	case CPUID_HV_BASE:
		r->eax = CPUID_MAX_HV;
		r->ebx = CPUID_HV_EBX;
		r->ecx = CPUID_HV_ECX;
		r->edx = CPUID_HV_EDX;
		break;
	case CPUID_HV_BASE + 1:
		r->eax = CPUID_HV_INTERFACE;
		break;
	case CPUID_HV_BASE + 3:
		r->eax = lower_32_bits(privileges);
		r->ebx = upper_32_bits(privileges);
		/* no guest idle state: reading GUEST_IDLE is refused */
		if (privileges & CPUID_HV_PRIV_FREQUENCY)
			r->edx = CPUID_HV_EDX_FREQUENCY;
		break;
	case CPUID_HV_BASE + 5:
		r->eax = HVSIM_MAX_VPS;
		break;
	case CPUID_EXT_BASE:
		r->eax = CPUID_MAX_EXT;
		break;
	case CPUID_EXT_BASE + 1:
		r->edx = CPUID_EXT1_EDX;
		break;
	default:
		break;
	}
}

/*
 * The XSAVE part of the model, for a partition with XSAVE features
 * @features (PROCESSOR_XSAVE_FEATURES): with XSAVE, leaf 1 ECX.XSAVE and
 * leaf 0xD; subleaf 0: the XCR0 bits hvsim supports (HVSIM_XSAVE_STATES,
 * x87 and SSE) in EAX/EDX, the area size for the enabled ones and for all
 * (both HVSIM_XSAVE_SIZE, MAX_XSAVE_DATA_SIZE: legacy area and header,
 * whatever subset of x87 and SSE is enabled) in EBX/ECX; subleaf 1:
 * XSAVEC and the compacted size with XSAVE_COMP, no XSAVES and no IA32_XSS
 * bits.  x87 and SSE are described by subleaves 0 and 1: the subleaves of
 * the other components are zero.  Without XSAVE all of it is zero.
 */
static void cpuid_xsave(u64 features, u32 eax, u32 ecx,
			struct hv_cpuid_result *r)
{
	if (!(features & HV_XSAVE_FEATURE_XSAVE))
		return;
	if (eax == 1) {
		r->ecx |= CPUID_1_ECX_XSAVE;
		return;
	}
	if (eax != CPUID_XSAVE)
		return;
	if (ecx == 0) {
		r->eax = lower_32_bits(HVSIM_XSAVE_STATES);
		r->edx = upper_32_bits(HVSIM_XSAVE_STATES);
		r->ebx = HVSIM_XSAVE_SIZE;
		r->ecx = HVSIM_XSAVE_SIZE;
	} else if (ecx == 1 && (features & HV_XSAVE_FEATURE_XSAVE_COMP)) {
		r->eax = CPUID_XSAVE_1_EAX_XSAVEC;
		r->ebx = HVSIM_XSAVE_SIZE;
	}
}

/* Is @eax a leaf the default model reports (at most its range's maximum)? */
static bool cpuid_in_range(u32 eax)
{
	if (eax <= CPUID_MAX_BASIC)
		return true;
	if (eax >= CPUID_HV_BASE && eax <= CPUID_MAX_HV)
		return true;
	return eax >= CPUID_EXT_BASE && eax <= CPUID_MAX_EXT;
}

/* Apply a registered result to @r: the masked bits come from @p */
static void cpuid_merge(struct hv_cpuid_result *r,
			const struct hv_register_x64_cpuid_result_parameters *p)
{
	r->eax = (r->eax & ~p->result.eax_mask) |
		 (p->result.eax & p->result.eax_mask);
	r->ebx = (r->ebx & ~p->result.ebx_mask) |
		 (p->result.ebx & p->result.ebx_mask);
	r->ecx = (r->ecx & ~p->result.ecx_mask) |
		 (p->result.ecx & p->result.ecx_mask);
	r->edx = (r->edx & ~p->result.edx_mask) |
		 (p->result.edx & p->result.edx_mask);
}

/*
 * The registered result for leaf @eax / subleaf @ecx of @vp: a
 * subleaf-specific one for @ecx first, else one for the whole leaf.
 */
static const struct hv_register_x64_cpuid_result_parameters *
cpuid_registered(const struct hvsim_vp *vp, u32 eax, u32 ecx)
{
	const struct hv_register_x64_cpuid_result_parameters *any = NULL;
	const struct hvsim_cpuid_results *page;
	u32 i;

	for (page = vp->cpuid_results; page; page = page->next) {
		for (i = 0; i < page->nr; i++) {
			const struct hv_register_x64_cpuid_result_parameters *e =
				&page->e[i];

			if (e->input.eax != eax)
				continue;
			if (!e->input.subleaf_specific)
				any = e;
			else if (e->input.ecx == ecx)
				return e;
		}
	}
	return any;
}

/*
 * What CPUID leaf @eax / subleaf @ecx answers on @vp: the default model
 * (leaf 1 ECX.x2APIC for an X2APIC_CAPABLE partition), merged with the
 * VP's registered result if @registered.  A registered
 * result applies to leaves the model reports, and to any leaf when it
 * was registered with always_override.
 */
static void cpuid_answer(struct hvsim_vp *vp, u32 eax, u32 ecx,
			 bool registered, struct hv_cpuid_result *r)
{
	const struct hv_register_x64_cpuid_result_parameters *p;
	struct hvsim_partition *pt = vp->partition;

	lockdep_assert_held(&pt->lock);
	cpuid_default(vp->index, hvsim_partition_privileges(pt), eax, ecx, r);
	cpuid_xsave(hvsim_partition_xsave_features(pt), eax, ecx, r);
	if (eax == 1 &&
	    (pt->creation_flags & HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE))
		r->ecx |= CPUID_1_ECX_X2APIC;
	if (!registered)
		return;
	p = cpuid_registered(vp, eax, ecx);
	if (p && (p->input.always_override || cpuid_in_range(eax)))
		cpuid_merge(r, p);
}

/* Is there a CPUID intercept for leaf @eax? */
static bool cpuid_intercepted(const struct hvsim_intercepts *ic, u32 eax)
{
	u32 i;

	if (!ic)
		return false;
	if (ic->global_cpuid)
		return true;
	for (i = 0; i < ic->nr_cpuid; i++) {
		if (ic->cpuid[i] == eax)
			return true;
	}
	return false;
}

/**
 * hvsim_cpuid_exit() - a guest CPUID
 * @vp: the VP; its partition's lock held
 * @exit: the interpreter's stop (X86_EXIT_CPUID)
 * @access: set to the intercept access type when a message is due
 * @size: set to the payload size when a message is due
 *
 * With an X64_CPUID intercept for the leaf (or X64_GLOBAL_CPUID) the
 * payload of an X64_CPUID_INTERCEPT message is written to @vp->msg (all
 * but the common header, which the caller fills), with the default_result
 * fields holding what hvsim would answer; the instruction is not retired.
 * Otherwise RAX, RBX, RCX and RDX receive that answer (upper halves
 * cleared) and the caller retires the instruction.
 *
 * Return: HVMSG_X64_CPUID_INTERCEPT, or HVMSG_NONE when answered.
 */
u32 hvsim_cpuid_exit(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
		     u8 *access, u8 *size)
{
	struct hv_x64_cpuid_intercept_message *m = (void *)vp->msg.u.payload;
	u64 *gpr = vp->state.gpr;
	struct hv_cpuid_result r;

	BUILD_BUG_ON(sizeof(*m) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	lockdep_assert_held(&vp->partition->lock);
	cpuid_answer(vp, gpr[X86_RAX], gpr[X86_RCX], true, &r);
	if (!cpuid_intercepted(vp->partition->intercepts, gpr[X86_RAX])) {
		gpr[X86_RAX] = r.eax;
		gpr[X86_RBX] = r.ebx;
		gpr[X86_RCX] = r.ecx;
		gpr[X86_RDX] = r.edx;
		return HVMSG_NONE;
	}
	m->rax = gpr[X86_RAX];
	m->rcx = gpr[X86_RCX];
	m->rdx = gpr[X86_RDX];
	m->rbx = gpr[X86_RBX];
	m->default_result_rax = r.eax;
	m->default_result_rcx = r.ecx;
	m->default_result_rdx = r.edx;
	m->default_result_rbx = r.ebx;
	*access = HV_INTERCEPT_ACCESS_EXECUTE;
	*size = sizeof(*m);
	return HVMSG_X64_CPUID_INTERCEPT;
}

/* Is there an MSR intercept for @index and this direction? */
static bool msr_intercepted(const struct hvsim_intercepts *ic, u32 index,
			    bool write)
{
	u32 mask = write ? HV_INTERCEPT_ACCESS_MASK_WRITE :
			   HV_INTERCEPT_ACCESS_MASK_READ;
	u32 i;

	if (!ic)
		return false;
	if (ic->msr_all & mask)
		return true;
	for (i = 0; i < ic->nr_msr; i++) {
		if (ic->msr[i].index == index)
			return ic->msr[i].access & mask;
	}
	return false;
}

/**
 * hvsim_msr_intercepted() - does the root intercept a guest RDMSR / WRMSR?
 * @pt: the partition; its lock held
 * @index: the MSR
 * @write: WRMSR (else RDMSR)
 *
 * Return: true if an X64_MSR or X64_MSR_INDEX intercept with the access's
 * bit is installed.
 */
bool hvsim_msr_intercepted(struct hvsim_partition *pt, u32 index, bool write)
{
	lockdep_assert_held(&pt->lock);
	return msr_intercepted(pt->intercepts, index, write);
}

/**
 * hvsim_exception_intercept() - does the root intercept a guest exception?
 * @vp: the VP; its partition's lock held
 * @exit: the stop of the instruction the exception belongs to (its bytes)
 * @ev: the exception (X86_EVENT_EXCEPTION or X86_EVENT_SOFTEXC)
 * @size: set to the payload size when a message is due
 *
 * With an EXCEPTION intercept installed for @ev->vector, the payload of an
 * X64_EXCEPTION_INTERCEPT message (all but the common header, which the
 * caller fills) is written to @vp->msg: vector, error code and its valid
 * bit, software_exception for INT3, exception_parameter = the faulting
 * address for #PF, the instruction bytes, DS, SS and the GPRs.  INT n is
 * never intercepted.
 *
 * Return: true if the exception is intercepted (not delivered).
 */
bool hvsim_exception_intercept(struct hvsim_vp *vp,
			       const struct x86_emu_exit *exit,
			       const struct x86_emu_event *ev, u8 *size)
{
	struct hv_x64_exception_intercept_message *m = (void *)vp->msg.u.payload;
	const struct hvsim_intercepts *ic = vp->partition->intercepts;
	const struct x86_emu_state *s = &vp->state;
	u8 count = min_t(u8, exit->insn_byte_count, sizeof(m->instruction_bytes));

	BUILD_BUG_ON(sizeof(*m) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	lockdep_assert_held(&vp->partition->lock);
	if (!ic || ev->vector >= 32 || !(ic->exceptions & BIT(ev->vector)) ||
	    (ev->type != X86_EVENT_EXCEPTION &&
	     ev->type != X86_EVENT_SOFTEXC))
		return false;
	memset(m, 0, sizeof(*m));
	m->exception_vector = ev->vector;
	m->exception_info =
		(ev->error_code_valid ? HV_X64_EXCEPTION_INFO_ERROR_CODE_VALID : 0) |
		(ev->type == X86_EVENT_SOFTEXC ? HV_X64_EXCEPTION_INFO_SOFTWARE : 0);
	m->instruction_byte_count = count;
	m->error_code = ev->error_code;
	m->exception_parameter = ev->vector == X86_EMU_VEC_PF ? ev->cr2 : 0;
	memcpy(m->instruction_bytes, exit->insn_bytes, count);
	m->ds_segment = s->seg[X86_DS];
	m->ss_segment = s->seg[X86_SS];
	m->rax = s->gpr[X86_RAX];
	m->rcx = s->gpr[X86_RCX];
	m->rdx = s->gpr[X86_RDX];
	m->rbx = s->gpr[X86_RBX];
	m->rsp = s->gpr[X86_RSP];
	m->rbp = s->gpr[X86_RBP];
	m->rsi = s->gpr[X86_RSI];
	m->rdi = s->gpr[X86_RDI];
	m->r8 = s->gpr[X86_R8];
	m->r9 = s->gpr[X86_R9];
	m->r10 = s->gpr[X86_R10];
	m->r11 = s->gpr[X86_R11];
	m->r12 = s->gpr[X86_R12];
	m->r13 = s->gpr[X86_R13];
	m->r14 = s->gpr[X86_R14];
	m->r15 = s->gpr[X86_R15];
	*size = sizeof(*m);
	return true;
}

/* Same leaf (and subleaf, when subleaf-specific) as @p? */
static bool cpuid_same_key(const struct hv_register_x64_cpuid_result_parameters *e,
			   const struct hv_register_x64_cpuid_result_parameters *p)
{
	return e->input.eax == p->input.eax &&
	       e->input.subleaf_specific == p->input.subleaf_specific &&
	       (!p->input.subleaf_specific || e->input.ecx == p->input.ecx);
}

/* Remove entry @i of @page, and the page itself if it is left empty */
static void cpuid_result_remove(struct hvsim_vp *vp,
				struct hvsim_cpuid_results **link, u32 i)
{
	struct hvsim_cpuid_results *page = *link;

	page->e[i] = page->e[--page->nr];
	if (page->nr)
		return;
	*link = page->next;
	hvsim_pool_free(&vp->partition->pool, page);
}

/* REGISTER_INTERCEPT_RESULT on one VP; partition lock held */
static u16 register_result_locked(struct hvsim_vp *vp, void *arg)
{
	const struct hv_register_x64_cpuid_result_parameters *p = arg;
	struct hvsim_cpuid_results **link, *page, *room = NULL;
	struct hv_register_x64_cpuid_result_parameters *e;
	bool clear = !(p->result.eax_mask | p->result.ebx_mask |
		       p->result.ecx_mask | p->result.edx_mask);
	u32 i;

	BUILD_BUG_ON(sizeof(*page) > HV_HYP_PAGE_SIZE);

	lockdep_assert_held(&vp->partition->lock);
	for (link = &vp->cpuid_results; *link; link = &(*link)->next) {
		page = *link;
		for (i = 0; i < page->nr; i++) {
			if (!cpuid_same_key(&page->e[i], p))
				continue;
			if (!clear)
				goto store;
			cpuid_result_remove(vp, link, i);
			return HV_STATUS_SUCCESS;
		}
		if (!room && page->nr < HVSIM_CPUID_RESULTS_PER_PAGE)
			room = page;
	}
	if (clear)
		return HV_STATUS_SUCCESS;
	if (!room) {
		room = hvsim_pool_alloc(&vp->partition->pool);
		if (!room)
			return HV_STATUS_INSUFFICIENT_MEMORY;
		room->nr = 0;
		room->next = vp->cpuid_results;
		vp->cpuid_results = room;
	}
	page = room;
	i = page->nr++;
store:
	e = &page->e[i];
	*e = *p;
	if (!p->input.subleaf_specific)
		e->input.ecx = 0;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_register_intercept_result() - HVCALL_REGISTER_INTERCEPT_RESULT
 * @call: decoded call
 *
 * Only the X64_CPUID variant: the result for leaf input.eax (and
 * input.ecx when subleaf_specific) on one VP, replacing an earlier one
 * for the same leaf/subleaf; all four masks zero removes it.  The number
 * of results a VP can hold is bounded only by the partition's pool: a
 * new page of it is taken for every HVSIM_CPUID_RESULTS_PER_PAGE (92)
 * results.  The MSR variant's actions are not known, so it is refused.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for another intercept type, a
 * non-zero padding, or subleaf_specific / always_override other than 0 or
 * 1; HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_VP_INDEX;
 * HV_STATUS_INSUFFICIENT_MEMORY when a new result needs a page and the
 * pool has none (nothing changed: the root deposits and retries).
 */
u16 hvsim_hc_register_intercept_result(struct hvsim_call *call)
{
	const struct hv_input_register_intercept_result *in = call->input;
	struct hv_register_x64_cpuid_result_parameters p = in->parameters.cpuid;

	return hvsim_vp_call(in->partition_id, in->vp_index,
			     register_result_locked, &p);
}

/* GET_VP_CPUID_VALUES on one VP; partition lock held */
static u16 get_cpuid_values_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_get_vp_cpuid_values *in = call->input;
	struct hv_cpuid_result *out = call->output;
	bool registered = in->flags &
			  HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES;
	unsigned int i;

	lockdep_assert_held(&vp->partition->lock);
	for (i = call->rep_start; i < call->rep_count; i++)
		cpuid_answer(vp, in->cpuid_leaf_info[i].eax,
			     in->cpuid_leaf_info[i].ecx, registered, &out[i]);
	call->reps_done = i;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_get_vp_cpuid_values() - HVCALL_GET_VP_CPUID_VALUES (rep)
 * @call: decoded call; per rep a leaf/subleaf in, four registers out
 *
 * Answers what the VP's CPUID would return: the default model, merged
 * with the VP's registered results with APPLY_REGISTERED_VALUES.  The
 * XSAVE sizes of leaf 0xD are the same for every subset of x87 and SSE,
 * so xfem/xss (and USE_VP_XFEM_XSS) change nothing.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for unknown flags or non-zero
 * reserved fields; HV_STATUS_INVALID_PARTITION_ID,
 * HV_STATUS_INVALID_VP_INDEX.
 */
u16 hvsim_hc_get_vp_cpuid_values(struct hvsim_call *call)
{
	const struct hv_input_get_vp_cpuid_values *in = call->input;

	return hvsim_vp_call(in->partition_id, in->vp_index,
			     get_cpuid_values_locked, call);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_intercept_test.c"
#endif
