// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypercalls hvsim implements: one entry per call code, sorted by
 * code, holding what the entry checks accept (hvsim_hc_check()), the
 * call's input checks that need no model state (hvsim_decode.c) and its
 * handler.  hvsim_hypercall() runs them in that order.
 *
 * The same file builds in the kernel (hvsim.ko) and in userspace
 * (hvsim/user/, with kshim.h), where the handlers are NULL and the
 * table is unit-tested and fuzzed with the decoders.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>

#include "hvsim_gpa.h"
#include "hvsim_guest_synic.h"
#include "hvsim_intercept.h"
#include "hvsim_irq.h"
#include "hvsim_partition.h"
#include "hvsim_port.h"
#include "hvsim_synic.h"
#include "hvsim_vp.h"
#include "hvsim_vp_state.h"
#endif

#include "hvsim_decode.h"
#include "hvsim_hcalls.h"

#define V(call)	hvsim_decode_##call

/*
 * The handlers are kernel-only: in userspace an entry's handler is a null
 * pointer constant that still names the call, and the tests see the rest.
 */
#ifdef __KERNEL__
#define H(call)	hvsim_hc_##call
#else
#define H(call)	((void *)(0 * sizeof(#call)))
#endif

#define HC(c, f, in, inrep, out, outrep, val, fn) {			\
	.code = HVCALL_##c, .flags = (f), .in_size = (in),		\
	.in_rep_size = (inrep), .out_size = (out),			\
	.out_rep_size = (outrep), .validate = (val), .handler = (fn),	\
	.name = #c }

const struct hvsim_hc_desc hvsim_hcalls[] = {
	HC(CREATE_PARTITION, 0, sizeof(struct hv_input_create_partition), 0,
	   sizeof(struct hv_output_create_partition), 0,
	   V(create_partition),
	   H(create_partition)),
	HC(INITIALIZE_PARTITION, HC_FAST, sizeof(struct hv_input_partition_id),
	   0, 0, 0, NULL,
	   H(initialize_partition)),
	HC(FINALIZE_PARTITION, HC_FAST, sizeof(struct hv_input_partition_id),
	   0, 0, 0, NULL,
	   H(finalize_partition)),
	HC(DELETE_PARTITION, HC_FAST, sizeof(struct hv_input_partition_id),
	   0, 0, 0, NULL,
	   H(delete_partition)),
	HC(GET_PARTITION_PROPERTY, 0,
	   sizeof(struct hv_input_get_partition_property), 0,
	   sizeof(struct hv_output_get_partition_property), 0,
	   V(partition_property),
	   H(get_partition_property)),
	HC(SET_PARTITION_PROPERTY, 0,
	   sizeof(struct hv_input_set_partition_property), 0, 0, 0,
	   V(partition_property),
	   H(set_partition_property)),
	HC(DEPOSIT_MEMORY, HC_REP, sizeof(struct hv_input_deposit_memory),
	   sizeof(u64), 0, 0, NULL,
	   H(deposit_memory)),
	HC(WITHDRAW_MEMORY, HC_REP, sizeof(struct hv_input_withdraw_memory),
	   0, 0, sizeof(u64), V(withdraw_memory),
	   H(withdraw_memory)),
	HC(MAP_GPA_PAGES, HC_REP, sizeof(struct hv_input_map_gpa_pages),
	   sizeof(u64), 0, 0, V(map_gpa_pages),
	   H(map_gpa_pages)),
	HC(UNMAP_GPA_PAGES, HC_REP, sizeof(struct hv_input_unmap_gpa_pages),
	   0, 0, 0, V(unmap_gpa_pages),
	   H(unmap_gpa_pages)),
	HC(INSTALL_INTERCEPT, 0, sizeof(struct hv_input_install_intercept), 0,
	   0, 0, V(install_intercept),
	   H(install_intercept)),
	HC(CREATE_VP, 0, sizeof(struct hv_input_create_vp), 0, 0, 0,
	   V(create_vp),
	   H(create_vp)),
	HC(DELETE_VP, HC_FAST, sizeof(struct hv_input_delete_vp), 0, 0, 0,
	   V(delete_vp),
	   H(delete_vp)),
	HC(GET_VP_REGISTERS, HC_REP, sizeof(struct hv_input_get_vp_registers),
	   sizeof(u32), 0, sizeof(union hv_register_value),
	   V(vp_registers),
	   H(get_vp_registers)),
	HC(SET_VP_REGISTERS, HC_REP, sizeof(struct hv_input_set_vp_registers),
	   sizeof(struct hv_register_assoc), 0, 0, V(vp_registers),
	   H(set_vp_registers)),
	HC(TRANSLATE_VIRTUAL_ADDRESS, 0,
	   sizeof(struct hv_input_translate_virtual_address), 0,
	   sizeof(struct hv_output_translate_virtual_address), 0,
	   V(translate_virtual_address),
	   H(translate_virtual_address)),
	HC(READ_GPA, 0, sizeof(struct hv_input_read_gpa), 0,
	   sizeof(struct hv_output_read_gpa), 0, V(gpa_rw),
	   H(read_gpa)),
	HC(WRITE_GPA, 0, sizeof(struct hv_input_write_gpa), 0,
	   sizeof(struct hv_output_write_gpa), 0, V(gpa_rw),
	   H(write_gpa)),
	HC(CLEAR_VIRTUAL_INTERRUPT, HC_FAST,
	   sizeof(struct hv_input_partition_id), 0, 0, 0,
	   NULL,
	   H(clear_virtual_interrupt)),
	HC(DELETE_PORT, HC_FAST, sizeof(struct hv_input_delete_port), 0, 0, 0,
	   V(delete_port),
	   H(delete_port)),
	HC(DISCONNECT_PORT, HC_FAST, sizeof(struct hv_input_disconnect_port), 0,
	   0, 0, V(disconnect_port),
	   H(disconnect_port)),
	HC(GET_SYSTEM_PROPERTY, 0, sizeof(struct hv_input_get_system_property),
	   0, sizeof(struct hv_output_get_system_property), 0,
	   V(get_system_property),
	   H(get_system_property)),
	HC(NOTIFY_PORT_RING_EMPTY, HC_FAST,
	   sizeof(struct hv_input_notify_port_ring_empty), 0, 0, 0,
	   V(notify_port_ring_empty),
	   H(notify_port_ring_empty)),
	HC(REGISTER_INTERCEPT_RESULT, 0,
	   HV_INPUT_REGISTER_INTERCEPT_RESULT_SIZE, 0, 0, 0,
	   V(register_intercept_result),
	   H(register_intercept_result)),
	HC(ASSERT_VIRTUAL_INTERRUPT, 0,
	   sizeof(struct hv_input_assert_virtual_interrupt), 0, 0, 0,
	   V(assert_virtual_interrupt),
	   H(assert_virtual_interrupt)),
	HC(CREATE_PORT, 0, sizeof(struct hv_input_create_port), 0, 0, 0,
	   V(create_port),
	   H(create_port)),
	HC(CONNECT_PORT, 0, sizeof(struct hv_input_connect_port), 0, 0, 0,
	   V(connect_port),
	   H(connect_port)),
	HC(SIGNAL_EVENT_DIRECT, 0, sizeof(struct hv_input_signal_event_direct),
	   0, sizeof(struct hv_output_signal_event_direct), 0,
	   V(signal_event_direct),
	   H(signal_event_direct)),
	HC(POST_MESSAGE_DIRECT, 0, sizeof(struct hv_input_post_message_direct),
	   0, 0, 0, V(post_message_direct),
	   H(post_message_direct)),
	HC(DISPATCH_VP, 0, sizeof(struct hv_input_dispatch_vp), 0,
	   sizeof(struct hv_output_dispatch_vp), 0, V(dispatch_vp),
	   H(dispatch_vp)),
	HC(GET_GPA_PAGES_ACCESS_STATES, HC_REP,
	   sizeof(struct hv_input_get_gpa_pages_access_state), 0, 0, sizeof(u8),
	   V(get_gpa_pages_access_states),
	   H(get_gpa_pages_access_states)),
	HC(MAP_VP_STATE_PAGE, 0, sizeof(struct hv_input_map_vp_state_page), 0,
	   sizeof(struct hv_output_map_vp_state_page), 0,
	   V(map_vp_state_page),
	   H(map_vp_state_page)),
	HC(UNMAP_VP_STATE_PAGE, 0,
	   sizeof(struct hv_input_unmap_vp_state_page), 0, 0, 0,
	   V(unmap_vp_state_page),
	   H(unmap_vp_state_page)),
	HC(GET_VP_STATE, HC_VARHEAD, sizeof(struct hv_input_get_vp_state), 0,
	   sizeof(struct hv_synthetic_timers_state), 0, V(get_vp_state),
	   H(get_vp_state)),
	HC(SET_VP_STATE, HC_VARHEAD, sizeof(struct hv_input_set_vp_state), 0,
	   0, 0, V(set_vp_state),
	   H(set_vp_state)),
	HC(GET_VP_CPUID_VALUES, HC_REP,
	   sizeof(struct hv_input_get_vp_cpuid_values),
	   sizeof(struct hv_cpuid_leaf_info), 0, sizeof(struct hv_cpuid_result),
	   V(get_vp_cpuid_values),
	   H(get_vp_cpuid_values)),
	HC(GET_PARTITION_PROPERTY_EX, 0,
	   sizeof(struct hv_input_get_partition_property_ex), 0,
	   sizeof(struct hv_output_property_banks) + sizeof(u64), 0,
	   V(get_partition_property_ex),
	   H(get_partition_property_ex)),
};

static_assert(ARRAY_SIZE(hvsim_hcalls) == HVSIM_NR_HCALLS,
	      "HVSIM_NR_HCALLS is the number of hvsim_hcalls entries");

/**
 * hvsim_hc_find() - the descriptor of a call code
 * @code: call code
 *
 * Return: the entry of hvsim_hcalls for @code, or NULL if hvsim does not
 * implement it.
 */
const struct hvsim_hc_desc *hvsim_hc_find(u16 code)
{
	unsigned int lo = 0, hi = HVSIM_NR_HCALLS;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (hvsim_hcalls[mid].code == code)
			return &hvsim_hcalls[mid];
		if (hvsim_hcalls[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/**
 * hvsim_hc_known() - is @code a hypercall hvsim implements?
 * @code: call code
 * @rep: returns whether it is a rep call
 *
 * Return: true if hvsim has a handler for @code.
 */
bool hvsim_hc_known(u16 code, bool *rep)
{
	const struct hvsim_hc_desc *d = hvsim_hc_find(code);

	if (d)
		*rep = d->flags & HC_REP;
	return d;
}

/**
 * hvsim_hc_table_sorted() - is hvsim_hcalls sorted by strictly
 *	increasing code, as hvsim_hc_find() needs?
 *
 * Return: true if it is.
 */
bool hvsim_hc_table_sorted(void)
{
	unsigned int i;

	for (i = 1; i < HVSIM_NR_HCALLS; i++) {
		if (hvsim_hcalls[i - 1].code >= hvsim_hcalls[i].code)
			return false;
	}
	return true;
}
