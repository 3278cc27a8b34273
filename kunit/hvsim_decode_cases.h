/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test cases of hvsim_decode.c, shared by KUnit (kunit/hvsim_main_test.c)
 * and the userspace unit tests (hvsim/user/hvsim_decode_test.c): control
 * words -> decoded fields, and control word + input bytes -> the status of
 * the entry checks and the call's input checks.  Included once per test
 * program, after hvsim_decode.h.
 */
#ifndef _HVSIM_DECODE_CASES_H
#define _HVSIM_DECODE_CASES_H

#define DC_CONTROL(code, reps, start)					\
	((u64)(code) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET) |	\
	 ((u64)(start) << HV_HYPERCALL_REP_START_OFFSET))

struct hvsim_control_case {
	const char *what;
	u64 control;
	u16 status;
	u16 code, rep_count, rep_start, varhead;
	bool fast;
};

static const struct hvsim_control_case hvsim_control_cases[] = {
	{ "plain", 0x0040, HV_STATUS_SUCCESS, 0x40, 0, 0, 0, false },
	{ "fast", 0x10041, HV_STATUS_SUCCESS, 0x41, 0, 0, 0, true },
	{ "varhead", 0x00E3 | (5ULL << 17), HV_STATUS_SUCCESS, 0xE3, 0, 0, 5,
	  false },
	{ "reps", 0x0048 | (511ULL << 32) | (7ULL << 48), HV_STATUS_SUCCESS,
	  0x48, 511, 7, 0, false },
	{ "max reps", 0x0048 | (0xFFFULL << 32) | (0xFFEULL << 48),
	  HV_STATUS_SUCCESS, 0x48, 0xFFF, 0xFFE, 0, false },
	{ "reserved bit 27", 0x0040 | BIT_ULL(27),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "reserved bit 30", 0x0040 | BIT_ULL(30),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "nested bit", 0x0040 | BIT_ULL(31),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "reserved bit 44", 0x0040 | BIT_ULL(44),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "reserved bit 47", 0x0040 | BIT_ULL(47),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "reserved bit 60", 0x0040 | BIT_ULL(60),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ "reserved bit 63", 0x0040 | BIT_ULL(63),
	  HV_STATUS_INVALID_HYPERCALL_INPUT },
};

/* One field of the input page: @size bytes at @off, little-endian */
struct hvsim_input_field {
	u16 off;
	u16 size;
	u64 val;
};

/* DC_SET(input struct, value, field) */
#define DC_SET(type, value, ...)					\
	{ offsetof(struct type, __VA_ARGS__),				\
	  sizeof(((struct type *)0)->__VA_ARGS__), (value) }

/* POST_MESSAGE_DIRECT's message_type (u32) and payload_size (u8) */
#define DC_MSG_OFF	offsetof(struct hv_input_post_message_direct, message)
#define DC_MSG_TYPE(value)	{ DC_MSG_OFF, sizeof(u32), (value) }
#define DC_MSG_SIZE(value)	{ DC_MSG_OFF + sizeof(u32), sizeof(u8), (value) }

/*
 * A call on a zeroed input page with up to four fields set; @status is
 * what decoding, the entry checks and the call's input checks return.
 */
struct hvsim_input_case {
	const char *what;
	u64 control;
	bool no_output;
	u16 status;
	struct hvsim_input_field set[4];
};

#define DC_OK	HV_STATUS_SUCCESS
#define DC_HCI	HV_STATUS_INVALID_HYPERCALL_INPUT
#define DC_PAR	HV_STATUS_INVALID_PARAMETER

static const struct hvsim_input_case hvsim_input_cases[] = {
	/* entry checks */
	{ "unknown code", 0x0001, false, HV_STATUS_INVALID_HYPERCALL_CODE },
	{ "unknown code 0xFFFF", 0xFFFF, false,
	  HV_STATUS_INVALID_HYPERCALL_CODE },
	{ "rep code without reps", DC_CONTROL(HVCALL_DEPOSIT_MEMORY, 0, 0),
	  false, DC_HCI },
	{ "simple code with reps", DC_CONTROL(HVCALL_CREATE_VP, 1, 0), false,
	  DC_HCI },
	{ "rep start = rep count", DC_CONTROL(HVCALL_DEPOSIT_MEMORY, 2, 2),
	  false, DC_HCI },
	{ "fast memory-only call", HVCALL_CREATE_VP | HV_HYPERCALL_FAST_BIT,
	  false, DC_HCI },
	{ "unused variable header",
	  HVCALL_CREATE_VP | (1ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_HCI },
	{ "deposit fills the page", DC_CONTROL(HVCALL_DEPOSIT_MEMORY, 511, 0),
	  false, DC_OK },
	{ "deposit beyond the page", DC_CONTROL(HVCALL_DEPOSIT_MEMORY, 512, 0),
	  false, DC_HCI },
	{ "register values fill the page",
	  DC_CONTROL(HVCALL_GET_VP_REGISTERS, 256, 0), false, DC_OK },
	{ "register values beyond the page",
	  DC_CONTROL(HVCALL_GET_VP_REGISTERS, 257, 0), false, DC_HCI },
	{ "withdraw without output page",
	  DC_CONTROL(HVCALL_WITHDRAW_MEMORY, 1, 0), true, DC_HCI },
	{ "GET_VP_STATE variable header",
	  HVCALL_GET_VP_STATE | (1ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_OK, { DC_SET(hv_input_get_vp_state,
			  HV_GET_SET_VP_STATE_LAPIC_STATE,
			  state_data.type) } },
	{ "GET_VP_STATE header beyond the page",
	  HVCALL_GET_VP_STATE | (508ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_HCI, { DC_SET(hv_input_get_vp_state,
			   HV_GET_SET_VP_STATE_LAPIC_STATE,
			   state_data.type) } },
	{ "fast initialize", HVCALL_INITIALIZE_PARTITION |
	  HV_HYPERCALL_FAST_BIT, false, DC_OK },

	/* CREATE_PARTITION */
	{ "create: compatible", HVCALL_CREATE_PARTITION, false, DC_OK,
	  { DC_SET(hv_input_create_partition, HV_COMPATIBILITY_21_H2,
		   compatibility_version),
	    DC_SET(hv_input_create_partition,
		   HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED, flags) } },
	{ "create: old version", HVCALL_CREATE_PARTITION, false, DC_PAR },
	{ "create: unknown flag", HVCALL_CREATE_PARTITION, false, DC_PAR,
	  { DC_SET(hv_input_create_partition, HV_COMPATIBILITY_21_H2,
		   compatibility_version),
	    DC_SET(hv_input_create_partition, BIT_ULL(63), flags) } },
	{ "create: padding", HVCALL_CREATE_PARTITION, false, DC_PAR,
	  { DC_SET(hv_input_create_partition, HV_COMPATIBILITY_21_H2,
		   compatibility_version),
	    DC_SET(hv_input_create_partition, 1, padding) } },
	{ "create: proximity flag", HVCALL_CREATE_PARTITION, false, DC_PAR,
	  { DC_SET(hv_input_create_partition, HV_COMPATIBILITY_21_H2,
		   compatibility_version),
	    DC_SET(hv_input_create_partition, BIT(5),
		   proximity_domain_info.flags) } },
	{ "create: isolated", HVCALL_CREATE_PARTITION, false, DC_PAR,
	  { DC_SET(hv_input_create_partition, HV_COMPATIBILITY_21_H2,
		   compatibility_version),
	    DC_SET(hv_input_create_partition, 1, isolation_properties) } },

	/* WITHDRAW_MEMORY */
	{ "withdraw: proximity flag", DC_CONTROL(HVCALL_WITHDRAW_MEMORY, 1, 0),
	  false, DC_PAR,
	  { DC_SET(hv_input_withdraw_memory, BIT(7),
		   proximity_domain_info.flags) } },

	/* MAP_GPA_PAGES, UNMAP_GPA_PAGES */
	{ "map: read-write", DC_CONTROL(HVCALL_MAP_GPA_PAGES, 4, 0), false,
	  DC_OK, { DC_SET(hv_input_map_gpa_pages, HV_MAP_GPA_READABLE |
			  HV_MAP_GPA_WRITABLE, map_flags),
		   DC_SET(hv_input_map_gpa_pages, HVSIM_GFN_LIMIT - 1,
			  target_gpa_base) } },
	{ "map: unknown flag", DC_CONTROL(HVCALL_MAP_GPA_PAGES, 1, 0), false,
	  DC_PAR, { DC_SET(hv_input_map_gpa_pages, BIT(20), map_flags) } },
	{ "map: padding", DC_CONTROL(HVCALL_MAP_GPA_PAGES, 1, 0), false,
	  DC_PAR, { DC_SET(hv_input_map_gpa_pages, 1, padding) } },
	{ "map: beyond 48 bits", DC_CONTROL(HVCALL_MAP_GPA_PAGES, 1, 0),
	  false, DC_PAR, { DC_SET(hv_input_map_gpa_pages, HVSIM_GFN_LIMIT,
				  target_gpa_base) } },
	{ "map: 510 pages fit", DC_CONTROL(HVCALL_MAP_GPA_PAGES, 509, 0),
	  false, DC_OK },
	{ "map: 510 pages do not", DC_CONTROL(HVCALL_MAP_GPA_PAGES, 510, 0),
	  false, DC_HCI },
	{ "unmap: large, aligned", DC_CONTROL(HVCALL_UNMAP_GPA_PAGES, 1, 0),
	  false, DC_OK,
	  { DC_SET(hv_input_unmap_gpa_pages, HV_UNMAP_GPA_LARGE_PAGE,
		   unmap_flags),
	    DC_SET(hv_input_unmap_gpa_pages, 0x200, target_gpa_base) } },
	{ "unmap: large, misaligned", DC_CONTROL(HVCALL_UNMAP_GPA_PAGES, 1, 0),
	  false, DC_PAR,
	  { DC_SET(hv_input_unmap_gpa_pages, HV_UNMAP_GPA_LARGE_PAGE,
		   unmap_flags),
	    DC_SET(hv_input_unmap_gpa_pages, 0x201, target_gpa_base) } },
	{ "unmap: permission flag", DC_CONTROL(HVCALL_UNMAP_GPA_PAGES, 1, 0),
	  false, DC_PAR,
	  { DC_SET(hv_input_unmap_gpa_pages, HV_MAP_GPA_READABLE,
		   unmap_flags) } },
	{ "unmap: beyond 48 bits", DC_CONTROL(HVCALL_UNMAP_GPA_PAGES, 1, 0),
	  false, DC_PAR, { DC_SET(hv_input_unmap_gpa_pages, HVSIM_GFN_LIMIT,
				  target_gpa_base) } },

	/* INSTALL_INTERCEPT */
	{ "intercept: I/O port", HVCALL_INSTALL_INTERCEPT, false, DC_OK,
	  { DC_SET(hv_input_install_intercept, HV_INTERCEPT_TYPE_X64_IO_PORT,
		   intercept_type),
	    DC_SET(hv_input_install_intercept, 0xFFFF, intercept_parameter) } },
	{ "intercept: port beyond 16 bits", HVCALL_INSTALL_INTERCEPT, false,
	  DC_PAR, { DC_SET(hv_input_install_intercept,
			   HV_INTERCEPT_TYPE_X64_IO_PORT, intercept_type),
		    DC_SET(hv_input_install_intercept, 0x10000,
			   intercept_parameter) } },
	{ "intercept: CPUID write", HVCALL_INSTALL_INTERCEPT, false, DC_PAR,
	  { DC_SET(hv_input_install_intercept, HV_INTERCEPT_TYPE_X64_CPUID,
		   intercept_type),
	    DC_SET(hv_input_install_intercept, HV_INTERCEPT_ACCESS_MASK_WRITE,
		   access_type) } },
	{ "intercept: exception 32", HVCALL_INSTALL_INTERCEPT, false, DC_PAR,
	  { DC_SET(hv_input_install_intercept, HV_INTERCEPT_TYPE_EXCEPTION,
		   intercept_type),
	    DC_SET(hv_input_install_intercept, 32, intercept_parameter) } },
	{ "intercept: unknown type", HVCALL_INSTALL_INTERCEPT, false, DC_PAR,
	  { DC_SET(hv_input_install_intercept, 0xFFFF, intercept_type) } },
	{ "intercept: INIT/SIPI", HVCALL_INSTALL_INTERCEPT, false, DC_OK,
	  { DC_SET(hv_input_install_intercept,
		   HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI, intercept_type),
	    DC_SET(hv_input_install_intercept, HV_INTERCEPT_ACCESS_MASK_WRITE,
		   access_type) } },
	{ "intercept: INIT/SIPI parameter", HVCALL_INSTALL_INTERCEPT, false,
	  DC_PAR, { DC_SET(hv_input_install_intercept,
			   HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI,
			   intercept_type),
		    DC_SET(hv_input_install_intercept, 1,
			   intercept_parameter) } },
	{ "intercept: INIT/SIPI access bit 3", HVCALL_INSTALL_INTERCEPT, false,
	  DC_PAR, { DC_SET(hv_input_install_intercept,
			   HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI,
			   intercept_type),
		    DC_SET(hv_input_install_intercept, 8, access_type) } },

	/* GET/SET_VP_REGISTERS */
	{ "get regs: target VTL", DC_CONTROL(HVCALL_GET_VP_REGISTERS, 1, 0),
	  false, DC_OK, { DC_SET(hv_input_get_vp_registers,
				 HV_INPUT_VTL_USE_TARGET, input_vtl) } },
	{ "get regs: VTL 1", DC_CONTROL(HVCALL_GET_VP_REGISTERS, 1, 0), false,
	  DC_PAR, { DC_SET(hv_input_get_vp_registers, 1, input_vtl) } },
	{ "set regs: rsvd_z8", DC_CONTROL(HVCALL_SET_VP_REGISTERS, 1, 0),
	  false, DC_PAR, { DC_SET(hv_input_set_vp_registers, 1, rsvd_z8) } },
	{ "set regs: rsvd_z16", DC_CONTROL(HVCALL_SET_VP_REGISTERS, 1, 0),
	  false, DC_PAR, { DC_SET(hv_input_set_vp_registers, 1, rsvd_z16) } },

	/* TRANSLATE_VIRTUAL_ADDRESS */
	{ "translate: read", HVCALL_TRANSLATE_VIRTUAL_ADDRESS, false, DC_OK,
	  { DC_SET(hv_input_translate_virtual_address,
		   HV_TRANSLATE_GVA_VALIDATE_READ, control_flags),
	    DC_SET(hv_input_translate_virtual_address, (1ULL << 52) - 1,
		   gva_page) } },
	{ "translate: page beyond 64 bits", HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
	  false, DC_PAR, { DC_SET(hv_input_translate_virtual_address,
				  1ULL << 52, gva_page) } },
	{ "translate: user and supervisor", HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
	  false, DC_PAR,
	  { DC_SET(hv_input_translate_virtual_address,
		   HV_TRANSLATE_GVA_USER_ACCESS |
		   HV_TRANSLATE_GVA_SUPERVISOR_ACCESS, control_flags) } },
	{ "translate: padding", HVCALL_TRANSLATE_VIRTUAL_ADDRESS, false,
	  DC_PAR, { DC_SET(hv_input_translate_virtual_address, 1, padding) } },

	/* REGISTER_INTERCEPT_RESULT */
	{ "cpuid result", HVCALL_REGISTER_INTERCEPT_RESULT, false, DC_OK,
	  { DC_SET(hv_input_register_intercept_result,
		   HV_INTERCEPT_TYPE_X64_CPUID, intercept_type),
	    DC_SET(hv_input_register_intercept_result, 1,
		   parameters.cpuid.input.always_override) } },
	{ "cpuid result: override 2", HVCALL_REGISTER_INTERCEPT_RESULT, false,
	  DC_PAR, { DC_SET(hv_input_register_intercept_result,
			   HV_INTERCEPT_TYPE_X64_CPUID, intercept_type),
		    DC_SET(hv_input_register_intercept_result, 2,
			   parameters.cpuid.input.always_override) } },
	{ "cpuid result: not CPUID", HVCALL_REGISTER_INTERCEPT_RESULT, false,
	  DC_PAR, { DC_SET(hv_input_register_intercept_result,
			   HV_INTERCEPT_TYPE_X64_MSR, intercept_type) } },

	/* ASSERT_VIRTUAL_INTERRUPT */
	{ "assert: fixed vector 16", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_OK, { DC_SET(hv_input_assert_virtual_interrupt, 16, vector),
		   DC_SET(hv_input_assert_virtual_interrupt,
			  HV_X64_INTERRUPT_TYPE_FIXED, interrupt_type) } },
	{ "assert: vector 15", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_PAR,
	  { DC_SET(hv_input_assert_virtual_interrupt, 15, vector),
	    DC_SET(hv_input_assert_virtual_interrupt,
		   HV_X64_INTERRUPT_TYPE_FIXED, interrupt_type) } },
	{ "assert: VTL 1", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_PAR,
	  { DC_SET(hv_input_assert_virtual_interrupt, 32, vector),
	    DC_SET(hv_input_assert_virtual_interrupt, 1, target_vtl) } },
	{ "assert: logical destination 0x100", HVCALL_ASSERT_VIRTUAL_INTERRUPT,
	  false, DC_PAR,
	  { DC_SET(hv_input_assert_virtual_interrupt, 32, vector),
	    DC_SET(hv_input_assert_virtual_interrupt,
		   HV_ASSERT_INTERRUPT_LOGICAL_DEST, control_flags),
	    DC_SET(hv_input_assert_virtual_interrupt, 0x100, dest_addr) } },
	{ "assert: INIT", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_OK,
	  { DC_SET(hv_input_assert_virtual_interrupt,
		   HV_X64_INTERRUPT_TYPE_INIT, interrupt_type) } },
	{ "assert: INIT vector 1", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_PAR, { DC_SET(hv_input_assert_virtual_interrupt,
			   HV_X64_INTERRUPT_TYPE_INIT, interrupt_type),
		    DC_SET(hv_input_assert_virtual_interrupt, 1, vector) } },
	{ "assert: INIT level", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_PAR,
	  { DC_SET(hv_input_assert_virtual_interrupt,
		   HV_X64_INTERRUPT_TYPE_INIT, interrupt_type),
	    DC_SET(hv_input_assert_virtual_interrupt,
		   HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, control_flags) } },
	{ "assert: ExtINT vector 8", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_OK, { DC_SET(hv_input_assert_virtual_interrupt,
			  HV_X64_INTERRUPT_TYPE_EXTINT, interrupt_type),
		   DC_SET(hv_input_assert_virtual_interrupt, 8, vector) } },
	{ "assert: ExtINT vector 256", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_PAR, { DC_SET(hv_input_assert_virtual_interrupt,
			   HV_X64_INTERRUPT_TYPE_EXTINT, interrupt_type),
		    DC_SET(hv_input_assert_virtual_interrupt, 256, vector) } },
	{ "assert: LINT1 vector 0", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_OK, { DC_SET(hv_input_assert_virtual_interrupt,
			  HV_X64_INTERRUPT_TYPE_LOCALINT1, interrupt_type) } },
	{ "assert: LINT0 vector 256", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_PAR, { DC_SET(hv_input_assert_virtual_interrupt,
			   HV_X64_INTERRUPT_TYPE_LOCALINT0, interrupt_type),
		    DC_SET(hv_input_assert_virtual_interrupt, 256, vector) } },
	{ "assert: type 10", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_PAR,
	  { DC_SET(hv_input_assert_virtual_interrupt, 10, interrupt_type) } },
	{ "assert: SIPI vector 0", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_OK, { DC_SET(hv_input_assert_virtual_interrupt,
			  HV_X64_INTERRUPT_TYPE_SIPI, interrupt_type) } },
	{ "assert: SIPI vector 255", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_OK, { DC_SET(hv_input_assert_virtual_interrupt,
			  HV_X64_INTERRUPT_TYPE_SIPI, interrupt_type),
		   DC_SET(hv_input_assert_virtual_interrupt, 255, vector) } },
	{ "assert: SIPI vector 256", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false,
	  DC_PAR, { DC_SET(hv_input_assert_virtual_interrupt,
			   HV_X64_INTERRUPT_TYPE_SIPI, interrupt_type),
		    DC_SET(hv_input_assert_virtual_interrupt, 256, vector) } },
	{ "assert: SIPI level", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_PAR,
	  { DC_SET(hv_input_assert_virtual_interrupt,
		   HV_X64_INTERRUPT_TYPE_SIPI, interrupt_type),
	    DC_SET(hv_input_assert_virtual_interrupt,
		   HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, control_flags) } },
	{ "assert: ExtINT level", HVCALL_ASSERT_VIRTUAL_INTERRUPT, false, DC_OK,
	  { DC_SET(hv_input_assert_virtual_interrupt,
		   HV_X64_INTERRUPT_TYPE_EXTINT, interrupt_type),
	    DC_SET(hv_input_assert_virtual_interrupt,
		   HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED, control_flags) } },

	/* CONNECT_PORT */
	{ "connect: doorbell", HVCALL_CONNECT_PORT, false, DC_OK,
	  { DC_SET(hv_input_connect_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_connect_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_connect_port, HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD,
		   doorbell_flags) } },
	{ "connect: not the root's port", HVCALL_CONNECT_PORT, false,
	  HV_STATUS_INVALID_PARTITION_ID,
	  { DC_SET(hv_input_connect_port, HV_PORT_TYPE_DOORBELL, port_type) } },
	{ "connect: connection id", HVCALL_CONNECT_PORT, false,
	  HV_STATUS_INVALID_CONNECTION_ID,
	  { DC_SET(hv_input_connect_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_connect_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_connect_port, ~0U, connection_id) } },
	{ "connect: reserved2", HVCALL_CONNECT_PORT, false, DC_PAR,
	  { DC_SET(hv_input_connect_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_connect_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_connect_port, 1, reserved2) } },

	/* CREATE_PORT: the statuses in the order the checks run */
	{ "create port: doorbell, any VP", HVCALL_CREATE_PORT, false, DC_OK,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, 1, port_id),
	    DC_SET(hv_input_create_port, HV_ANY_VP, target_vp) } },
	{ "create port: SINT 15 of VP 1", HVCALL_CREATE_PORT, false, DC_OK,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, HV_PORT_ID_MASK, port_id),
	    /* target_sint 15 and target_vp 1, adjacent */
	    { offsetof(struct hv_input_create_port, target_sint), 8,
	      0x10000000FULL } } },
	{ "create port: not the root's port", HVCALL_CREATE_PORT, false,
	  HV_STATUS_INVALID_PARTITION_ID,
	  { DC_SET(hv_input_create_port, 1, port_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type) } },
	{ "create port: port VTL 1", HVCALL_CREATE_PORT, false, DC_PAR,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, 1, port_id),
	    DC_SET(hv_input_create_port, 1, port_vtl) } },
	{ "create port: padding", HVCALL_CREATE_PORT, false, DC_PAR,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, 1, port_id),
	    DC_SET(hv_input_create_port, 1, port_padding) } },
	{ "create port: reserved", HVCALL_CREATE_PORT, false, DC_PAR,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, 1, port_id),
	    DC_SET(hv_input_create_port, 1, port_rsvdz) } },
	{ "create port: not a doorbell", HVCALL_CREATE_PORT, false, DC_PAR,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, 1, port_id) } },
	{ "create port: SINT 16", HVCALL_CREATE_PORT, false, DC_PAR,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, 1, port_id),
	    DC_SET(hv_input_create_port, 16, target_sint) } },
	/* Before the port id: port id 0 is not what fails */
	{ "create port: VP beyond the root's", HVCALL_CREATE_PORT, false,
	  DC_PAR,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, 0x7FFFFFFF, target_vp) } },
	{ "create port: port id 0", HVCALL_CREATE_PORT, false,
	  HV_STATUS_INVALID_PORT_ID,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type) } },
	{ "create port: port id above 24 bits", HVCALL_CREATE_PORT, false,
	  HV_STATUS_INVALID_PORT_ID,
	  { DC_SET(hv_input_create_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_create_port, HV_PORT_TYPE_DOORBELL, port_type),
	    DC_SET(hv_input_create_port, HV_PORT_ID_MASK + 1, port_id) } },

	/* DISPATCH_VP */
	{ "dispatch: plain", HVCALL_DISPATCH_VP, false, DC_OK },
	{ "dispatch: spec_ctrl without its flag", HVCALL_DISPATCH_VP, false,
	  DC_PAR, { DC_SET(hv_input_dispatch_vp, 1, spec_ctrl) } },
	{ "dispatch: unknown flag", HVCALL_DISPATCH_VP, false, DC_PAR,
	  { DC_SET(hv_input_dispatch_vp, BIT(31), flags) } },
	{ "dispatch: no output page", HVCALL_DISPATCH_VP, true, DC_HCI },

	/* GET_GPA_PAGES_ACCESS_STATES */
	{ "access states: clear dirty",
	  DC_CONTROL(HVCALL_GET_GPA_PAGES_ACCESS_STATES, 8, 0), false, DC_OK,
	  { DC_SET(hv_input_get_gpa_pages_access_state,
		   HV_GPA_ACCESS_STATE_CLEAR_DIRTY, flags) } },
	{ "access states: set and clear dirty",
	  DC_CONTROL(HVCALL_GET_GPA_PAGES_ACCESS_STATES, 8, 0), false, DC_PAR,
	  { DC_SET(hv_input_get_gpa_pages_access_state,
		   HV_GPA_ACCESS_STATE_CLEAR_DIRTY |
		   HV_GPA_ACCESS_STATE_SET_DIRTY, flags) } },
	{ "access states: range wraps",
	  DC_CONTROL(HVCALL_GET_GPA_PAGES_ACCESS_STATES, 8, 0), false, DC_PAR,
	  { DC_SET(hv_input_get_gpa_pages_access_state, ~0ULL - 3,
		   hv_gpa_page_number) } },

	/* MAP_VP_STATE_PAGE */
	{ "state page: registers", HVCALL_MAP_VP_STATE_PAGE, false, DC_OK,
	  { DC_SET(hv_input_map_vp_state_page, HV_VP_STATE_PAGE_REGISTERS,
		   type) } },
	{ "state page: GHCB", HVCALL_MAP_VP_STATE_PAGE, false, DC_PAR,
	  { DC_SET(hv_input_map_vp_state_page, 2, type) } },
	{ "state page: requested location", HVCALL_MAP_VP_STATE_PAGE, false,
	  DC_PAR, { DC_SET(hv_input_map_vp_state_page, 0x1000,
			   requested_map_location) } },

	/* CREATE_VP, DELETE_VP, UNMAP_VP_STATE_PAGE */
	{ "create VP 255", HVCALL_CREATE_VP, false, DC_OK,
	  { DC_SET(hv_input_create_vp, HVSIM_MAX_VPS - 1, vp_index) } },
	{ "create VP 256", HVCALL_CREATE_VP, false, HV_STATUS_INVALID_VP_INDEX,
	  { DC_SET(hv_input_create_vp, HVSIM_MAX_VPS, vp_index) } },
	{ "create VP: padding before index", HVCALL_CREATE_VP, false, DC_PAR,
	  { DC_SET(hv_input_create_vp, HVSIM_MAX_VPS, vp_index),
	    DC_SET(hv_input_create_vp, 1, padding[2]) } },
	{ "create VP: subnode", HVCALL_CREATE_VP, false, DC_PAR,
	  { DC_SET(hv_input_create_vp, 1, subnode_id) } },
	{ "delete VP: reserved", HVCALL_DELETE_VP | HV_HYPERCALL_FAST_BIT,
	  false, DC_PAR, { DC_SET(hv_input_delete_vp, 1, reserved[3]) } },
	{ "delete VP", HVCALL_DELETE_VP | HV_HYPERCALL_FAST_BIT, false,
	  DC_OK },
	{ "unmap state page: type 3", HVCALL_UNMAP_VP_STATE_PAGE, false,
	  DC_PAR, { DC_SET(hv_input_unmap_vp_state_page, 3, type) } },
	{ "unmap state page: GHCB", HVCALL_UNMAP_VP_STATE_PAGE, false, DC_OK,
	  { DC_SET(hv_input_unmap_vp_state_page, 2, type) } },

	/* READ_GPA, WRITE_GPA */
	{ "read 16 bytes", HVCALL_READ_GPA, false, DC_OK,
	  { DC_SET(hv_input_read_gpa, 16, byte_count),
	    DC_SET(hv_input_read_gpa, 0xFF0, base_gpa) } },
	{ "read 17 bytes", HVCALL_READ_GPA, false, DC_PAR,
	  { DC_SET(hv_input_read_gpa, 17, byte_count) } },
	{ "read 0 bytes", HVCALL_READ_GPA, false, DC_PAR },
	{ "read across a page", HVCALL_READ_GPA, false, DC_PAR,
	  { DC_SET(hv_input_read_gpa, 16, byte_count),
	    DC_SET(hv_input_read_gpa, 0xFF1, base_gpa) } },
	{ "write: flag above the cache type", HVCALL_WRITE_GPA, false, DC_PAR,
	  { DC_SET(hv_input_write_gpa, 8, byte_count),
	    DC_SET(hv_input_write_gpa, 0x100, control_flags) } },
	{ "write 8 bytes", HVCALL_WRITE_GPA, false, DC_OK,
	  { DC_SET(hv_input_write_gpa, 8, byte_count) } },

	/* GET_VP_STATE, SET_VP_STATE */
	{ "get state: LAPIC without PFN", HVCALL_GET_VP_STATE, false,
	  HV_STATUS_INSUFFICIENT_BUFFER,
	  { DC_SET(hv_input_get_vp_state, HV_GET_SET_VP_STATE_LAPIC_STATE,
		   state_data.type) } },
	{ "get state: unknown type", HVCALL_GET_VP_STATE, false, DC_PAR,
	  { DC_SET(hv_input_get_vp_state, 5, state_data.type) } },
	{ "get state: XSAVE of AVX",
	  HVCALL_GET_VP_STATE | (1ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_PAR, { DC_SET(hv_input_get_vp_state, HV_GET_SET_VP_STATE_XSAVE,
			   state_data.type),
		    DC_SET(hv_input_get_vp_state, 0x7,
			   state_data.xsave.states) } },
	{ "get state: XSAVE of x87 and SSE",
	  HVCALL_GET_VP_STATE | (1ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_OK, { DC_SET(hv_input_get_vp_state, HV_GET_SET_VP_STATE_XSAVE,
			  state_data.type),
		   DC_SET(hv_input_get_vp_state, 0x3,
			  state_data.xsave.states) } },
	{ "get state: inline timers, variable header",
	  HVCALL_GET_VP_STATE | (1ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_PAR, { DC_SET(hv_input_get_vp_state,
			   HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
			   state_data.type) } },
	{ "set state: timers in 24 qwords",
	  HVCALL_SET_VP_STATE | (24ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  HV_STATUS_INSUFFICIENT_BUFFER,
	  { DC_SET(hv_input_set_vp_state, HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
		   state_data.type) } },
	{ "set state: timers in 25 qwords",
	  HVCALL_SET_VP_STATE | (25ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_OK,
	  { DC_SET(hv_input_set_vp_state, HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
		   state_data.type) } },
	{ "set state: VTL 1",
	  HVCALL_SET_VP_STATE | (25ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  DC_PAR,
	  { DC_SET(hv_input_set_vp_state, HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
		   state_data.type),
	    DC_SET(hv_input_set_vp_state, 1, input_vtl) } },

	/* properties */
	{ "get property: padding", HVCALL_GET_PARTITION_PROPERTY, false,
	  DC_PAR, { DC_SET(hv_input_get_partition_property, 1, padding) } },
	{ "set property", HVCALL_SET_PARTITION_PROPERTY, false, DC_OK,
	  { DC_SET(hv_input_set_partition_property, ~0ULL, property_value) } },
	{ "set property: padding", HVCALL_SET_PARTITION_PROPERTY, false,
	  DC_PAR, { DC_SET(hv_input_set_partition_property, 1, padding) } },
	{ "get property ex: argument", HVCALL_GET_PARTITION_PROPERTY_EX,
	  false, DC_PAR,
	  { DC_SET(hv_input_get_partition_property_ex, 1, arg) } },
	{ "system property: scheduler type", HVCALL_GET_SYSTEM_PROPERTY, false,
	  DC_OK, { DC_SET(hv_input_get_system_property,
			  HV_SYSTEM_PROPERTY_SCHEDULER_TYPE, property_id) } },
	{ "system property: other", HVCALL_GET_SYSTEM_PROPERTY, false, DC_PAR,
	  { DC_SET(hv_input_get_system_property,
		   HV_SYSTEM_PROPERTY_SCHEDULER_TYPE + 1, property_id) } },
	{ "system property: reserved", HVCALL_GET_SYSTEM_PROPERTY, false,
	  DC_PAR, { DC_SET(hv_input_get_system_property,
			   HV_SYSTEM_PROPERTY_SCHEDULER_TYPE, property_id),
		    DC_SET(hv_input_get_system_property, 1, reserved) } },

	/* DISCONNECT_PORT, DELETE_PORT, NOTIFY_PORT_RING_EMPTY */
	{ "disconnect: doorbell",
	  HVCALL_DISCONNECT_PORT | HV_HYPERCALL_FAST_BIT, false, DC_OK,
	  { DC_SET(hv_input_disconnect_port, HV_DISCONNECT_PORT_IS_DOORBELL,
		   flags) } },
	{ "disconnect: unknown flag", HVCALL_DISCONNECT_PORT, false, DC_PAR,
	  { DC_SET(hv_input_disconnect_port, 2, flags) } },
	{ "delete port: not the root's", HVCALL_DELETE_PORT, false,
	  HV_STATUS_INVALID_PARTITION_ID,
	  { DC_SET(hv_input_delete_port, 1, reserved) } },
	{ "delete port: reserved", HVCALL_DELETE_PORT, false, DC_PAR,
	  { DC_SET(hv_input_delete_port, HV_PARTITION_ID_SELF,
		   port_partition_id),
	    DC_SET(hv_input_delete_port, 1, reserved) } },
	{ "ring empty: SINT 15", HVCALL_NOTIFY_PORT_RING_EMPTY |
	  HV_HYPERCALL_FAST_BIT, false, DC_OK,
	  { DC_SET(hv_input_notify_port_ring_empty, 15, sint_index) } },
	{ "ring empty: SINT 16", HVCALL_NOTIFY_PORT_RING_EMPTY, false, DC_PAR,
	  { DC_SET(hv_input_notify_port_ring_empty, 16, sint_index) } },

	/* SIGNAL_EVENT_DIRECT */
	{ "signal event: SINT 15 flag 2047", HVCALL_SIGNAL_EVENT_DIRECT, false,
	  DC_OK, { DC_SET(hv_input_signal_event_direct, 15, target_sint),
		   DC_SET(hv_input_signal_event_direct, 2047, flag_number) } },
	{ "signal event: flag 2048", HVCALL_SIGNAL_EVENT_DIRECT, false, DC_PAR,
	  { DC_SET(hv_input_signal_event_direct, 2048, flag_number) } },
	{ "signal event: SINT 16", HVCALL_SIGNAL_EVENT_DIRECT, false, DC_PAR,
	  { DC_SET(hv_input_signal_event_direct, 16, target_sint) } },
	{ "signal event: VTL 1", HVCALL_SIGNAL_EVENT_DIRECT, false, DC_PAR,
	  { DC_SET(hv_input_signal_event_direct, 1, target_vtl) } },
	{ "signal event: no output page", HVCALL_SIGNAL_EVENT_DIRECT, true,
	  DC_HCI },

	/* POST_MESSAGE_DIRECT */
	{ "post message: type 1, 240 bytes, SINT 15",
	  HVCALL_POST_MESSAGE_DIRECT, true, DC_OK,
	  { DC_MSG_TYPE(1), DC_MSG_SIZE(240),
	    DC_SET(hv_input_post_message_direct, 15, sint_index) } },
	{ "post message: hypervisor type", HVCALL_POST_MESSAGE_DIRECT, true,
	  DC_OK, { DC_MSG_TYPE(HVMSG_TIMER_EXPIRED) } },
	{ "post message: type none", HVCALL_POST_MESSAGE_DIRECT, true, DC_PAR },
	{ "post message: 241 bytes", HVCALL_POST_MESSAGE_DIRECT, true, DC_PAR,
	  { DC_MSG_TYPE(1), DC_MSG_SIZE(241) } },
	{ "post message: SINT 16", HVCALL_POST_MESSAGE_DIRECT, true, DC_PAR,
	  { DC_MSG_TYPE(1),
	    DC_SET(hv_input_post_message_direct, 16, sint_index) } },
	{ "post message: VTL 1", HVCALL_POST_MESSAGE_DIRECT, true, DC_PAR,
	  { DC_MSG_TYPE(1),
	    DC_SET(hv_input_post_message_direct, 1, vtl) } },
	{ "post message: padding", HVCALL_POST_MESSAGE_DIRECT, true, DC_PAR,
	  { DC_MSG_TYPE(1),
	    DC_SET(hv_input_post_message_direct, 1, padding[2]) } },
	{ "post message: padding2", HVCALL_POST_MESSAGE_DIRECT, true, DC_PAR,
	  { DC_MSG_TYPE(1),
	    DC_SET(hv_input_post_message_direct, 1, padding2) } },

	/* GET_VP_CPUID_VALUES */
	{ "cpuid values: reserved",
	  DC_CONTROL(HVCALL_GET_VP_CPUID_VALUES, 1, 0), false, DC_PAR,
	  { DC_SET(hv_input_get_vp_cpuid_values, 1, reserved) } },
	{ "cpuid values: plain", DC_CONTROL(HVCALL_GET_VP_CPUID_VALUES, 1, 0),
	  false, DC_OK },
};

/*
 * What hvsim answers before touching any state: decode @control, find
 * the code, run the entry checks and the code's input checks.
 */
static inline u16 hvsim_decode_all(u64 control, const void *input,
				   void *output)
{
	struct hvsim_call call = { .input = input, .output = output };
	const struct hvsim_hc_desc *d;
	u16 status;

	status = hvsim_decode_control(control, &call);
	if (status)
		return status;
	d = hvsim_hc_find(call.code);
	if (!d)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	status = hvsim_hc_check(d, &call);
	if (status || !d->validate)
		return status;
	return d->validate(&call);
}

/* Build @c's input page in @page (4 KiB, zeroed first) */
static inline void hvsim_input_case_fill(const struct hvsim_input_case *c,
					 u8 *page)
{
	unsigned int i;

	memset(page, 0, HV_HYP_PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(c->set); i++) {
		if (c->set[i].size)
			memcpy(page + c->set[i].off, &c->set[i].val,
			       c->set[i].size);
	}
}

#endif /* _HVSIM_DECODE_CASES_H */
