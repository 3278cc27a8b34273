// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim's hypercall decoding, as plain C: the TLFS control word, the
 * checks every call passes at entry (against its entry of hvsim_hcalls.c),
 * and each call's input checks that need no model state (reserved fields,
 * flag masks, enum ranges, counts).  The dispatcher runs a call's check
 * before its handler, before any state is touched, so a call these checks
 * refuse changes nothing.
 *
 * The same file builds in the kernel (hvsim.ko) and in userspace
 * (hvsim/user/, with kshim.h), where it is unit-tested and fuzzed.
 */
#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "hvsim_decode.h"

/**
 * hvsim_decode_control() - split a TLFS control word
 * @control: control word
 * @call: filled with the code, fast bit, variable header size, rep count
 *	and rep start
 *
 * hvsim models a non-nested hypervisor: the nested bit is refused like the
 * reserved bits.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_HYPERCALL_INPUT.
 */
u16 hvsim_decode_control(u64 control, struct hvsim_call *call)
{
	if (control & (HV_HYPERCALL_RSVD_MASK | HV_HYPERCALL_NESTED))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	call->code = control & HV_HYPERCALL_CODE_MASK;
	call->fast = !!(control & HV_HYPERCALL_FAST_BIT);
	call->varhead = (control & HV_HYPERCALL_VARHEAD_MASK) >>
			HV_HYPERCALL_VARHEAD_OFFSET;
	call->rep_count = (control & HV_HYPERCALL_REP_COMP_MASK) >>
			  HV_HYPERCALL_REP_COMP_OFFSET;
	call->rep_start = (control & HV_HYPERCALL_REP_START_MASK) >>
			  HV_HYPERCALL_REP_START_OFFSET;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_check() - check a decoded call against what its code accepts
 * @d: descriptor of the call's code
 * @call: decoded call, with its input and output pages
 *
 * Rep calls need reps and a rep start below the count, simple calls
 * neither; a variable header or the fast bit only where the code takes
 * them; an input page, and an output page when the code writes one, both
 * large enough for the fixed part, the variable header and every rep.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_HYPERCALL_INPUT.
 */
u16 hvsim_hc_check(const struct hvsim_hc_desc *d,
		   const struct hvsim_call *call)
{
	if (d->flags & HC_REP) {
		if (!call->rep_count || call->rep_start >= call->rep_count)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if (call->rep_count || call->rep_start) {
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (call->varhead && !(d->flags & HC_VARHEAD))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (call->fast && !(d->flags & HC_FAST))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!call->input ||
	    d->in_size + (u32)call->varhead * sizeof(u64) +
	    (u32)call->rep_count * d->in_rep_size > HV_HYP_PAGE_SIZE)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if ((d->out_size || d->out_rep_size) &&
	    (!call->output ||
	     d->out_size + (u32)call->rep_count * d->out_rep_size >
	     HV_HYP_PAGE_SIZE))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

static bool both_set(u64 flags, u64 a, u64 b)
{
	return (flags & a) && (flags & b);
}

#define HVSIM_CREATION_FLAGS \
	(HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST | \
	 HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE | \
	 HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_EXO_PARTITION | \
	 HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)

/**
 * hvsim_decode_create_partition() - HVCALL_CREATE_PARTITION input checks
 * @call: decoded call
 *
 * Known creation flags, the two proximity flags, zero padding, the one
 * compatibility version hvsim speaks, and no isolation (type NONE, no
 * host type, no boundary).
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_create_partition(const struct hvsim_call *call)
{
	const struct hv_input_create_partition *in = call->input;

	if (in->flags & ~HVSIM_CREATION_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	if (!proximity_valid_flags(in->proximity_domain_info.flags) ||
	    in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->compatibility_version != HV_COMPATIBILITY_21_H2)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->isolation_properties)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_withdraw_memory() - HVCALL_WITHDRAW_MEMORY input checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (unknown
 * proximity flags).
 */
u16 hvsim_decode_withdraw_memory(const struct hvsim_call *call)
{
	const struct hv_input_withdraw_memory *in = call->input;

	if (!proximity_valid_flags(in->proximity_domain_info.flags))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

#define MAP_GPA_VALID_FLAGS	(HV_MAP_GPA_PERMISSIONS_MASK | \
				 HV_MAP_GPA_ADJUSTABLE | \
				 HV_MAP_GPA_NO_ACCESS | \
				 HV_MAP_GPA_NOT_CACHED | \
				 HV_MAP_GPA_LARGE_PAGE)

/**
 * hvsim_decode_map_gpa_pages() - HVCALL_MAP_GPA_PAGES input checks
 * @call: decoded call
 *
 * Known map flags, zero padding, a base page inside the modelled guest
 * physical address space.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_map_gpa_pages(const struct hvsim_call *call)
{
	const struct hv_input_map_gpa_pages *in = call->input;

	if ((in->map_flags & ~MAP_GPA_VALID_FLAGS) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->target_gpa_base >= HVSIM_GFN_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_unmap_gpa_pages() - HVCALL_UNMAP_GPA_PAGES input checks
 * @call: decoded call
 *
 * Only LARGE_PAGE, zero padding, a base page inside the modelled guest
 * physical address space and, for 2 MiB pages, 2 MiB-aligned.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_unmap_gpa_pages(const struct hvsim_call *call)
{
	const struct hv_input_unmap_gpa_pages *in = call->input;
	u64 npages = in->unmap_flags & HV_UNMAP_GPA_LARGE_PAGE ?
		     HV_PAGES_PER_LARGE_PAGE : 1;

	if ((in->unmap_flags & ~HV_UNMAP_GPA_LARGE_PAGE) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->target_gpa_base >= HVSIM_GFN_LIMIT ||
	    (in->target_gpa_base & (npages - 1)))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_install_intercept() - HVCALL_INSTALL_INTERCEPT input checks
 * @call: decoded call
 *
 * An intercept type hvsim models, with the access types and the parameter
 * range that type allows.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_install_intercept(const struct hvsim_call *call)
{
	const struct hv_input_install_intercept *in = call->input;
	u32 rw = HV_INTERCEPT_ACCESS_MASK_READ | HV_INTERCEPT_ACCESS_MASK_WRITE;
	u64 param = in->intercept_parameter;

	switch (in->intercept_type) {
	case HV_INTERCEPT_TYPE_X64_IO_PORT:
		if (in->access_type & ~rw || param > U16_MAX)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_MSR:
		if (in->access_type & ~rw || param)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_MSR_INDEX:
		if (in->access_type & ~rw || param > U32_MAX)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_CPUID:
		if (in->access_type & ~HV_INTERCEPT_ACCESS_MASK_EXECUTE ||
		    param > U32_MAX)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID:
		if (in->access_type & ~HV_INTERCEPT_ACCESS_MASK_EXECUTE || param)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_EXCEPTION:
		if (in->access_type & ~(rw | HV_INTERCEPT_ACCESS_MASK_EXECUTE) ||
		    param >= HVSIM_NR_EXCEPTIONS)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI:
		if (in->access_type & ~(rw | HV_INTERCEPT_ACCESS_MASK_EXECUTE) ||
		    param)
			return HV_STATUS_INVALID_PARAMETER;
		return HV_STATUS_SUCCESS;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
}

/**
 * hvsim_decode_vp_registers() - GET/SET_VP_REGISTERS header checks
 * @call: decoded call (both inputs share the header)
 *
 * VTL 0 (explicit or implicit) and zero reserved fields; the register
 * names and values are checked per rep by the handler.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_vp_registers(const struct hvsim_call *call)
{
	const struct hv_input_get_vp_registers *in = call->input;

	static_assert(sizeof(struct hv_input_get_vp_registers) ==
		      sizeof(struct hv_input_set_vp_registers),
		      "GET and SET_VP_REGISTERS share their header");

	if (!input_vtl_valid(in->input_vtl) || in->rsvd_z8 || in->rsvd_z16)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/*
 * Control flags TRANSLATE_VIRTUAL_ADDRESS accepts.  TLB_FLUSH_INHIBIT is
 * a no-op (hvsim has no TLB); SMAP is not modelled, so ENFORCE_SMAP and
 * OVERRIDE_SMAP change nothing; SHADOW_STACK is refused.
 */
#define XLATE_VALID_FLAGS	(HV_TRANSLATE_GVA_VALIDATE_READ |	\
				 HV_TRANSLATE_GVA_VALIDATE_WRITE |	\
				 HV_TRANSLATE_GVA_VALIDATE_EXECUTE |	\
				 HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT |	\
				 HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS |	\
				 HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT |	\
				 HV_TRANSLATE_GVA_SUPERVISOR_ACCESS |	\
				 HV_TRANSLATE_GVA_USER_ACCESS |		\
				 HV_TRANSLATE_GVA_ENFORCE_SMAP |	\
				 HV_TRANSLATE_GVA_OVERRIDE_SMAP)

/* Guest linear addresses are at most 64 bits: 52 bits of page number */
#define XLATE_GVA_PAGE_BITS	(64 - HV_HYP_PAGE_SHIFT)

/**
 * hvsim_decode_translate_virtual_address() - TRANSLATE_VIRTUAL_ADDRESS
 *	input checks
 * @call: decoded call
 *
 * Zero padding, a page number of a 64-bit address, known control flags,
 * VTL 0, and no contradictory pair of flags.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_translate_virtual_address(const struct hvsim_call *call)
{
	const struct hv_input_translate_virtual_address *in = call->input;
	u64 flags = in->control_flags;

	if (in->padding || in->gva_page >> XLATE_GVA_PAGE_BITS)
		return HV_STATUS_INVALID_PARAMETER;
	if (flags & ~(XLATE_VALID_FLAGS | HV_TRANSLATE_GVA_INPUT_VTL_MASK))
		return HV_STATUS_INVALID_PARAMETER;
	if (!input_vtl_valid(flags >> HV_TRANSLATE_GVA_INPUT_VTL_SHIFT))
		return HV_STATUS_INVALID_PARAMETER;
	if (both_set(flags, HV_TRANSLATE_GVA_USER_ACCESS,
		     HV_TRANSLATE_GVA_SUPERVISOR_ACCESS |
		     HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT) ||
	    both_set(flags, HV_TRANSLATE_GVA_ENFORCE_SMAP,
		     HV_TRANSLATE_GVA_OVERRIDE_SMAP))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_register_intercept_result() - REGISTER_INTERCEPT_RESULT
 *	input checks
 * @call: decoded call
 *
 * Only CPUID results, with zero padding and boolean flags.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_register_intercept_result(const struct hvsim_call *call)
{
	const struct hv_input_register_intercept_result *in = call->input;
	const struct hv_register_x64_cpuid_result_parameters *p =
		&in->parameters.cpuid;

	if (in->intercept_type != HV_INTERCEPT_TYPE_X64_CPUID ||
	    p->input.padding || p->input.subleaf_specific > 1 ||
	    p->input.always_override > 1)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/*
 * The destination of ASSERT_VIRTUAL_INTERRUPT: with the x2APIC flag a
 * 32-bit x2APIC destination (physical id or cluster << 16 | bitmap),
 * otherwise any physical APIC id or an 8-bit logical (flat) destination
 */
static bool assert_dest_valid(const struct hv_input_assert_virtual_interrupt *in)
{
	if (in->control_flags & HV_ASSERT_INTERRUPT_X2APIC_DEST)
		return in->dest_addr <= U32_MAX;
	return !(in->control_flags & HV_ASSERT_INTERRUPT_LOGICAL_DEST) ||
	       in->dest_addr <= 0xFF;
}

/*
 * ASSERT_VIRTUAL_INTERRUPT of an NMI, ExtINT or LOCALINTn: a vector below
 * 256 (any trigger mode), the destination
 */
static u16 assert_any_vector_checks(const struct hv_input_assert_virtual_interrupt *in)
{
	if (in->vector >= APIC_VECTORS || !assert_dest_valid(in))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_assert_virtual_interrupt() - ASSERT_VIRTUAL_INTERRUPT input
 *	checks
 * @call: decoded call
 *
 * VTL 0, zero reserved fields, known control flags, an 8-bit logical
 * destination (any 32-bit one with the x2APIC flag), and a FIXED or
 * LOWESTPRIORITY interrupt with a vector the APIC can deliver (16-255), an
 * NMI, an edge-triggered INIT with vector 0, an edge-triggered SIPI with a
 * vector (start page) of 0-255, or an EXTINT, LOCALINT0 or LOCALINT1 with
 * a vector of 0-255.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_assert_virtual_interrupt(const struct hvsim_call *call)
{
	const struct hv_input_assert_virtual_interrupt *in = call->input;

	if (in->target_vtl || in->rsvd_z0 || in->rsvd_z1 ||
	    (in->control_flags & ~HV_ASSERT_INTERRUPT_FLAGS_MASK))
		return HV_STATUS_INVALID_PARAMETER;
	switch (in->interrupt_type) {
	case HV_X64_INTERRUPT_TYPE_NMI:
		/* NMI: vector 2, whatever the vector field says */
		return assert_any_vector_checks(in);
	case HV_X64_INTERRUPT_TYPE_EXTINT:
		/* The PIC's vector, whatever it is; ExtINT is level */
	case HV_X64_INTERRUPT_TYPE_LOCALINT0:
	case HV_X64_INTERRUPT_TYPE_LOCALINT1:
		/* The pin's LVT entry decides (vector for ExtINT mode) */
		return assert_any_vector_checks(in);
	case HV_X64_INTERRUPT_TYPE_INIT:
		/* No vector; edge only */
		if (in->vector ||
		    (in->control_flags & HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED))
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		/* The vector is the start page number; edge only */
		if (in->vector >= APIC_VECTORS ||
		    (in->control_flags & HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED))
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		if (in->vector < APIC_FIRST_VECTOR ||
		    in->vector >= APIC_VECTORS)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (!assert_dest_valid(in))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_connect_port() - HVCALL_CONNECT_PORT input checks
 * @call: decoded call
 *
 * A port of the root, VTL 0, zero reserved fields, a doorbell with known
 * flags and a trigger size up to a qword, and a connection id in range.
 * Whether the connecting partition exists is the handler's to check.
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID,
 * HV_STATUS_INVALID_PARAMETER or HV_STATUS_INVALID_CONNECTION_ID.
 */
u16 hvsim_decode_connect_port(const struct hvsim_call *call)
{
	const struct hv_input_connect_port *in = call->input;
	u64 size = in->doorbell_flags & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;

	if (in->port_partition_id != HV_PARTITION_ID_SELF)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->connection_vtl || in->rsvdz0 || in->rsvdz1 ||
	    in->reserved2 || in->connection_padding ||
	    in->port_type != HV_PORT_TYPE_DOORBELL ||
	    (in->doorbell_flags & ~(HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK |
				    HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE)) ||
	    size > HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->connection_id & ~HV_PORT_ID_MASK)
		return HV_STATUS_INVALID_CONNECTION_ID;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_create_port() - HVCALL_CREATE_PORT input checks
 * @call: decoded call
 *
 * A port of the root, VTL 0, zero padding and reserved fields, a doorbell
 * signalling SINT 0..15 of any root VP or of one (HVSIM_ROOT_VPS), and a
 * port id of 1..24 bits.  Whether the connecting partition exists and the
 * id is free are the handler's to check.
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID,
 * HV_STATUS_INVALID_PARAMETER or HV_STATUS_INVALID_PORT_ID, in this order.
 */
u16 hvsim_decode_create_port(const struct hvsim_call *call)
{
	const struct hv_input_create_port *in = call->input;

	if (in->port_partition_id != HV_PARTITION_ID_SELF)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->port_vtl || in->min_connection_vtl || in->padding ||
	    in->port_padding || in->port_rsvdz ||
	    in->port_type != HV_PORT_TYPE_DOORBELL ||
	    in->target_sint >= HV_SYNIC_SINT_COUNT ||
	    (in->target_vp != HV_ANY_VP && in->target_vp >= HVSIM_ROOT_VPS))
		return HV_STATUS_INVALID_PARAMETER;
	if (!in->port_id || in->port_id & ~HV_PORT_ID_MASK)
		return HV_STATUS_INVALID_PORT_ID;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_dispatch_vp() - HVCALL_DISPATCH_VP input checks
 * @call: decoded call
 *
 * Known flags; a SPEC_CTRL value only with the flag that asks to set it.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_dispatch_vp(const struct hvsim_call *call)
{
	const struct hv_input_dispatch_vp *in = call->input;

	if (in->flags & ~HV_DISPATCH_VP_FLAGS_MASK)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->spec_ctrl &&
	    !(in->flags & HV_DISPATCH_VP_FLAG_SET_CALLER_SPEC_CTRL))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_get_gpa_pages_access_states() - GET_GPA_PAGES_ACCESS_STATES
 *	input checks
 * @call: decoded call; rep count = pages
 *
 * Known flags, not both setting and clearing the same bit, and a page
 * range that does not wrap.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_get_gpa_pages_access_states(const struct hvsim_call *call)
{
	const struct hv_input_get_gpa_pages_access_state *in = call->input;

	if ((in->flags & ~HV_GPA_ACCESS_STATE_FLAGS_MASK) ||
	    both_set(in->flags, HV_GPA_ACCESS_STATE_CLEAR_ACCESSED,
		     HV_GPA_ACCESS_STATE_SET_ACCESSED) ||
	    both_set(in->flags, HV_GPA_ACCESS_STATE_CLEAR_DIRTY,
		     HV_GPA_ACCESS_STATE_SET_DIRTY))
		return HV_STATUS_INVALID_PARAMETER;
	if (in->hv_gpa_page_number + call->rep_count < in->hv_gpa_page_number)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_map_vp_state_page() - HVCALL_MAP_VP_STATE_PAGE input checks
 * @call: decoded call
 *
 * No flags, no VMM-provided location, VTL 0, and a REGISTERS or
 * INTERCEPT_MESSAGE page.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_map_vp_state_page(const struct hvsim_call *call)
{
	const struct hv_input_map_vp_state_page *in = call->input;

	if (in->flags || in->requested_map_location ||
	    !input_vtl_valid(in->input_vtl))
		return HV_STATUS_INVALID_PARAMETER;
	if (in->type != HV_VP_STATE_PAGE_REGISTERS &&
	    in->type != HV_VP_STATE_PAGE_INTERCEPT_MESSAGE)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_get_vp_cpuid_values() - GET_VP_CPUID_VALUES input checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (unknown flags,
 * non-zero reserved fields).
 */
u16 hvsim_decode_get_vp_cpuid_values(const struct hvsim_call *call)
{
	const struct hv_input_get_vp_cpuid_values *in = call->input;

	if (in->flags & ~HV_GET_VP_CPUID_VALUES_FLAGS_MASK || in->reserved ||
	    in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_create_vp() - HVCALL_CREATE_VP input checks
 * @call: decoded call
 *
 * Zero padding, flags and subnode, the two proximity flags, and a VP
 * index below HVSIM_MAX_VPS.
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER or
 * HV_STATUS_INVALID_VP_INDEX.
 */
u16 hvsim_decode_create_vp(const struct hvsim_call *call)
{
	const struct hv_input_create_vp *in = call->input;

	if (in->padding[0] || in->padding[1] || in->padding[2] ||
	    in->subnode_type != HV_VP_SUBNODE_ANY || in->subnode_id ||
	    !proximity_valid_flags(in->proximity_domain_info.flags) ||
	    in->flags)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->vp_index >= HVSIM_MAX_VPS)
		return HV_STATUS_INVALID_VP_INDEX;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_delete_vp() - HVCALL_DELETE_VP input checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (non-zero
 * reserved bytes).
 */
u16 hvsim_decode_delete_vp(const struct hvsim_call *call)
{
	const struct hv_input_delete_vp *in = call->input;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in->reserved); i++) {
		if (in->reserved[i])
			return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_unmap_vp_state_page() - HVCALL_UNMAP_VP_STATE_PAGE input
 *	checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (reserved
 * field, VTL, unknown page type).
 */
u16 hvsim_decode_unmap_vp_state_page(const struct hvsim_call *call)
{
	const struct hv_input_unmap_vp_state_page *in = call->input;

	if (in->reserved || !input_vtl_valid(in->input_vtl) ||
	    in->type >= HV_VP_STATE_PAGE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_gpa_rw() - READ_GPA and WRITE_GPA input checks
 * @call: decoded call (WRITE_GPA's input starts with READ_GPA's)
 *
 * 1 to HV_GPA_ACCESS_MAX_BYTES bytes, not crossing a 4 KiB page, and
 * only a cache type in the control flags.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_gpa_rw(const struct hvsim_call *call)
{
	const struct hv_input_read_gpa *in = call->input;
	unsigned int offset = in->base_gpa & (HV_HYP_PAGE_SIZE - 1);

	static_assert(offsetof(struct hv_input_write_gpa, data) ==
		      sizeof(struct hv_input_read_gpa),
		      "WRITE_GPA's input starts with READ_GPA's");

	if (!in->byte_count || in->byte_count > HV_GPA_ACCESS_MAX_BYTES ||
	    offset + in->byte_count > HV_HYP_PAGE_SIZE ||
	    (in->control_flags & ~HV_GPA_ACCESS_CACHE_TYPE_MASK))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/* Bytes of VP state of one GET/SET_VP_STATE type; 0: unknown type */
static u32 vp_state_size(u32 type)
{
	switch (type) {
	case HV_GET_SET_VP_STATE_LAPIC_STATE:
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE:
		return HV_HYP_PAGE_SIZE;
	case HV_GET_SET_VP_STATE_XSAVE:
		return HVSIM_XSAVE_SIZE;
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		return sizeof(struct hv_synthetic_timers_state);
	default:
		return 0;
	}
}

/*
 * Checks common to GET and SET (both inputs share the 40-byte header):
 * reserved fields, the state type, the XSAVE parameters and the size of
 * the variable header.  The PFNs in it are the handler's to check.
 */
static u16 vp_state_check(const struct hvsim_call *call, bool set)
{
	const struct hv_input_get_vp_state *in = call->input;
	const struct hv_vp_state_data *sd = &in->state_data;
	u32 size = vp_state_size(sd->type);

	static_assert(sizeof(struct hv_input_get_vp_state) ==
		      sizeof(struct hv_input_set_vp_state),
		      "GET and SET_VP_STATE share their header");

	if (!input_vtl_valid(in->input_vtl) || in->rsvd0 || in->rsvd1 ||
	    sd->rsvd || !size)
		return HV_STATUS_INVALID_PARAMETER;
	if (sd->type == HV_GET_SET_VP_STATE_XSAVE) {
		if (sd->xsave.flags || (sd->xsave.states & ~HVSIM_XSAVE_STATES))
			return HV_STATUS_INVALID_PARAMETER;
	} else if (sd->xsave.flags || sd->xsave.states) {
		return HV_STATUS_INVALID_PARAMETER;
	}

	if (sd->type & HV_GET_SET_VP_STATE_TYPE_PFN) {
		/* at least one PFN per started page of state */
		if ((u32)call->varhead * HV_HYP_PAGE_SIZE < size)
			return HV_STATUS_INSUFFICIENT_BUFFER;
	} else if (set) {
		if ((u32)call->varhead * sizeof(u64) < size)
			return HV_STATUS_INSUFFICIENT_BUFFER;
	} else if (call->varhead) {
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_get_vp_state() - HVCALL_GET_VP_STATE input checks
 * @call: decoded call; the variable header lists output PFNs
 *
 * A known state type, XSAVE parameters only for XSAVE (and only the
 * states hvsim keeps), and for a state returned in pages enough PFNs for
 * it; an inline state takes no variable header.
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER or
 * HV_STATUS_INSUFFICIENT_BUFFER.
 */
u16 hvsim_decode_get_vp_state(const struct hvsim_call *call)
{
	return vp_state_check(call, false);
}

/**
 * hvsim_decode_set_vp_state() - HVCALL_SET_VP_STATE input checks
 * @call: decoded call; the variable header holds PFNs or the state inline
 *
 * As GET_VP_STATE, but an inline state must fit the variable header.
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER or
 * HV_STATUS_INSUFFICIENT_BUFFER.
 */
u16 hvsim_decode_set_vp_state(const struct hvsim_call *call)
{
	return vp_state_check(call, true);
}

/**
 * hvsim_decode_partition_property() - GET/SET_PARTITION_PROPERTY input
 *	checks
 * @call: decoded call (both inputs start with the same 16 bytes)
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (padding).
 */
u16 hvsim_decode_partition_property(const struct hvsim_call *call)
{
	const struct hv_input_get_partition_property *in = call->input;

	static_assert(offsetof(struct hv_input_get_partition_property,
			       padding) ==
		      offsetof(struct hv_input_set_partition_property,
			       padding),
		      "GET and SET_PARTITION_PROPERTY share their padding");

	return in->padding ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_get_partition_property_ex() - GET_PARTITION_PROPERTY_EX
 *	input checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (padding, an
 * argument: no property hvsim models takes one).
 */
u16 hvsim_decode_get_partition_property_ex(const struct hvsim_call *call)
{
	const struct hv_input_get_partition_property_ex *in = call->input;

	if (in->padding || in->arg)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_get_system_property() - GET_SYSTEM_PROPERTY input checks
 * @call: decoded call
 *
 * Only SCHEDULER_TYPE is modelled, with no argument.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_get_system_property(const struct hvsim_call *call)
{
	const struct hv_input_get_system_property *in = call->input;

	if (in->reserved || in->arg)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->property_id != HV_SYSTEM_PROPERTY_SCHEDULER_TYPE)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_disconnect_port() - HVCALL_DISCONNECT_PORT input checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (unknown flag).
 */
u16 hvsim_decode_disconnect_port(const struct hvsim_call *call)
{
	const struct hv_input_disconnect_port *in = call->input;

	if (in->flags & ~HV_DISCONNECT_PORT_IS_DOORBELL)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_delete_port() - HVCALL_DELETE_PORT input checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID (not a port
 * of the root) or HV_STATUS_INVALID_PARAMETER (reserved field).
 */
u16 hvsim_decode_delete_port(const struct hvsim_call *call)
{
	const struct hv_input_delete_port *in = call->input;

	if (in->port_partition_id != HV_PARTITION_ID_SELF)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->reserved)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_notify_port_ring_empty() - NOTIFY_PORT_RING_EMPTY input
 *	checks
 * @call: decoded call
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER (SINT out of
 * range, reserved field).
 */
u16 hvsim_decode_notify_port_ring_empty(const struct hvsim_call *call)
{
	const struct hv_input_notify_port_ring_empty *in = call->input;

	if (in->sint_index >= HV_SYNIC_SINT_COUNT || in->reserved)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_signal_event_direct() - SIGNAL_EVENT_DIRECT input checks
 * @call: decoded call
 *
 * VTL 0, a SINT below 16 and a flag number below 2048 (the event flags of
 * one SINT: 256 bytes of the SIEFP page).
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_signal_event_direct(const struct hvsim_call *call)
{
	const struct hv_input_signal_event_direct *in = call->input;

	if (in->target_vtl || in->target_sint >= HV_SYNIC_SINT_COUNT ||
	    in->flag_number >= HV_EVENT_FLAGS_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_post_message_direct() - POST_MESSAGE_DIRECT input checks
 * @call: decoded call
 *
 * VTL 0, zero padding, a SINT below 16, and a message with a type (not
 * HVMSG_NONE, which marks a free slot) and a payload of at most 240 bytes.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_post_message_direct(const struct hvsim_call *call)
{
	const struct hv_input_post_message_direct *in = call->input;
	struct hv_message_header hdr;

	memcpy(&hdr, in->message, sizeof(hdr));
	if (in->vtl || in->padding[0] || in->padding[1] || in->padding[2] ||
	    in->padding2 || in->sint_index >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	if (hdr.message_type == HVMSG_NONE ||
	    hdr.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_vp_set() - the VPs a guest hypercall's VP set names
 * @set: the set; its bank contents follow it in the input
 * @nbanks: qwords of bank contents the caller passed (the call's variable
 *	header size)
 * @vps: returns the VPs named: bit i % 64 of qword i / 64 is VP i, for the
 *	HVSIM_MAX_VPS VPs hvsim models; VPs beyond them are dropped
 *
 * HV_GENERIC_SET_ALL names every VP and takes no bank contents (its valid
 * bank mask is not looked at).  HV_GENERIC_SET_SPARSE_4K takes exactly one
 * qword per bit of the valid bank mask, in bank order: bank b holds VPs
 * 64 * b to 64 * b + 63.
 *
 * Return: HV_STATUS_SUCCESS; HV_STATUS_INVALID_HYPERCALL_INPUT when the
 * bank contents passed are not the ones the set needs;
 * HV_STATUS_INVALID_PARAMETER for an unknown format.
 */
u16 hvsim_decode_vp_set(const struct hv_vp_set *set, u16 nbanks,
			u64 vps[HVSIM_VP_SET_WORDS])
{
	u64 mask = set->valid_bank_mask;
	unsigned int bank, n = 0;

	memset(vps, 0, HVSIM_VP_SET_WORDS * sizeof(u64));
	switch (set->format) {
	case HV_GENERIC_SET_ALL:
		if (nbanks)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		memset(vps, 0xFF, HVSIM_VP_SET_WORDS * sizeof(u64));
		return HV_STATUS_SUCCESS;
	case HV_GENERIC_SET_SPARSE_4K:
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (hweight64(mask) != nbanks)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	for (bank = 0; bank < HV_VP_SET_MAX_BANKS; bank++) {
		if (!(mask & BIT_ULL(bank)))
			continue;
		if (bank < HVSIM_VP_SET_WORDS)
			vps[bank] = set->bank_contents[n];
		n++;
	}
	return HV_STATUS_SUCCESS;
}

/* A well-formed VP set (hvsim_decode_vp_set()) that names no VP at all */
static bool vp_set_empty(const struct hv_vp_set *set, u16 nbanks)
{
	unsigned int i;

	if (set->format == HV_GENERIC_SET_ALL)
		return false;
	for (i = 0; i < nbanks; i++)
		if (set->bank_contents[i])
			return false;
	return true;
}

/*
 * Flush flags and address space: known flags only, and a CR3 value without
 * bits above the 48-bit guest physical address space unless every address
 * space is flushed.
 */
static u16 flush_common(u64 address_space, u64 flags)
{
	if (flags & ~HV_FLUSH_VALID_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	if (!(flags & HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES) &&
	    (address_space >> HVSIM_GPA_BITS))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_flush_va() - FLUSH_VIRTUAL_ADDRESS_SPACE / _LIST input
 *	checks
 * @call: decoded call
 *
 * Known flags, no reserved address-space bits (flush_common()), and a
 * processor mask that names a VP unless HV_FLUSH_ALL_PROCESSORS is set.
 * The GVA ranges of _LIST need no check.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_flush_va(const struct hvsim_call *call)
{
	const struct hv_tlb_flush *in = call->input;
	u16 status = flush_common(in->address_space, in->flags);

	if (status)
		return status;
	if (!(in->flags & HV_FLUSH_ALL_PROCESSORS) && !in->processor_mask)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_flush_va_ex() - FLUSH_VIRTUAL_ADDRESS_SPACE_EX / _LIST_EX
 *	input checks
 * @call: decoded call
 *
 * As hvsim_decode_flush_va(), with a VP set (hvsim_decode_vp_set()) in
 * place of the mask: it must be well-formed even with
 * HV_FLUSH_ALL_PROCESSORS, and name a VP (ALL, or a non-zero bank) without
 * it.
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER or
 * HV_STATUS_INVALID_HYPERCALL_INPUT (bank contents).
 */
u16 hvsim_decode_flush_va_ex(const struct hvsim_call *call)
{
	const struct hv_tlb_flush_ex *in = call->input;
	u64 vps[HVSIM_VP_SET_WORDS];
	u16 status = flush_common(in->address_space, in->flags);

	if (status)
		return status;
	status = hvsim_decode_vp_set(&in->hv_vp_set, call->varhead, vps);
	if (status)
		return status;
	if (!(in->flags & HV_FLUSH_ALL_PROCESSORS) &&
	    vp_set_empty(&in->hv_vp_set, call->varhead))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/* A fixed interrupt's vector; VTL 0 in the low byte of @reserved, zeros */
static u16 ipi_common(u32 vector, u32 reserved)
{
	if (vector < HV_IPI_LOW_VECTOR || vector > HV_IPI_HIGH_VECTOR)
		return HV_STATUS_INVALID_PARAMETER;
	if (!input_vtl_valid(reserved & HV_SEND_IPI_TARGET_VTL_MASK) ||
	    (reserved & ~HV_SEND_IPI_TARGET_VTL_MASK))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_send_ipi() - SEND_IPI (SendSyntheticClusterIpi) input
 *	checks
 * @call: decoded call
 *
 * A vector from 16 to 255, VTL 0 (named or implied), zero reserved bits.  An
 * empty processor mask is accepted: nothing is sent.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_send_ipi(const struct hvsim_call *call)
{
	const struct hv_send_ipi *in = call->input;

	return ipi_common(in->vector, in->reserved);
}

/**
 * hvsim_decode_send_ipi_ex() - SEND_IPI_EX input checks
 * @call: decoded call
 *
 * As hvsim_decode_send_ipi(), with a VP set (hvsim_decode_vp_set()).
 *
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER or
 * HV_STATUS_INVALID_HYPERCALL_INPUT (bank contents).
 */
u16 hvsim_decode_send_ipi_ex(const struct hvsim_call *call)
{
	const struct hv_send_ipi_ex *in = call->input;
	u64 vps[HVSIM_VP_SET_WORDS];
	u16 status = ipi_common(in->vector, in->reserved);

	if (status)
		return status;
	return hvsim_decode_vp_set(&in->vp_set, call->varhead, vps);
}

/**
 * hvsim_decode_post_message() - POST_MESSAGE input checks
 * @call: decoded call
 *
 * Zero padding, a message type that is not HVMSG_NONE and not one of the
 * hypervisor's (bit 31), a payload of at most 240 bytes.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_post_message(const struct hvsim_call *call)
{
	const struct hv_input_post_message *in = call->input;

	if (in->padding || in->message_type == HVMSG_NONE ||
	    (in->message_type & HV_MESSAGE_TYPE_HYPERVISOR_MASK) ||
	    in->payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_decode_signal_event() - SIGNAL_EVENT input checks
 * @call: decoded call
 *
 * A flag number below 2048 (the flags of one SINT) and a zero reserved
 * field.
 *
 * Return: HV_STATUS_SUCCESS or HV_STATUS_INVALID_PARAMETER.
 */
u16 hvsim_decode_signal_event(const struct hvsim_call *call)
{
	const struct hv_input_signal_event *in = call->input;

	if (in->flag_number >= HV_EVENT_FLAGS_COUNT || in->rsvdz)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}
