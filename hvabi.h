/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Microsoft Hypervisor root-partition ABI (TLFS): hypercall control and
 * result words, hypercall codes, statuses, input/output layouts, register
 * names, SynIC message layouts and the VP register page.
 *
 * This header is the single place each hypervisor fact lives.  Both sides
 * of the hypercall seam use it: the driver (mshv_root) builds these bytes
 * and hvsim decodes them.  It is plain C on top of <linux/types.h> so that
 * the same definitions also build in userspace (hvsim's userspace unit
 * tests and the selftests' VMM library).
 *
 * All structures are little-endian and packed; every pad byte is named.
 * The names follow the TLFS so they can be compared with the specification,
 * which is also why this header must never be included together with the
 * kernel's own Hyper-V headers (only mshv_hv_real.c includes those).
 */
#ifndef _MSHV_HVABI_H
#define _MSHV_HVABI_H

#include <linux/const.h>
#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#else
#include <assert.h>
#include <stddef.h>
#endif

/*
 * The hypervisor's structures are laid out so that every field is naturally
 * aligned and every pad byte is an explicit field; the size check after each
 * structure proves the compiler added no padding of its own, so no packing
 * attribute is needed and the same definitions serve userspace.
 */
#define HV_ABI_SIZE(type, size) \
	static_assert(sizeof(type) == (size), "ABI size of " #type)

#define HV_HYP_PAGE_SHIFT		12
#define HV_HYP_PAGE_SIZE		_BITUL(HV_HYP_PAGE_SHIFT)
#define HV_HYP_LARGE_PAGE_SHIFT		21
#define HV_HYP_LARGE_PAGE_SIZE		_BITUL(HV_HYP_LARGE_PAGE_SHIFT)
#define HV_PAGES_PER_LARGE_PAGE \
	_BITUL(HV_HYP_LARGE_PAGE_SHIFT - HV_HYP_PAGE_SHIFT)

#define HV_PARTITION_ID_SELF		0xFFFFFFFFFFFFFFFFULL
#define HV_PARTITION_ID_INVALID		0ULL
#define HV_VP_INDEX_SELF		0xFFFFFFFEU
#define HV_ANY_VP			0xFFFFFFFFU
#define HV_INTERRUPT_VECTOR_NONE	0xFFFFFFFFU
#define HV_MAXIMUM_PROCESSORS		2048

/* Version the driver asks for at CREATE_PARTITION: 21H2, (6 << 8) | 9 */
#define HV_COMPATIBILITY_21_H2		0x0609

/*
 * Hypercall control word (input, RCX)
 */
#define HV_HYPERCALL_CODE_MASK		0x000000000000FFFFULL
#define HV_HYPERCALL_FAST_BIT		0x0000000000010000ULL
#define HV_HYPERCALL_VARHEAD_OFFSET	17
#define HV_HYPERCALL_VARHEAD_MASK	0x0000000007FE0000ULL
/* Bits 27-31, as in Linux: the range includes the nested bit (31) */
#define HV_HYPERCALL_RSVD0_MASK		0x00000000F8000000ULL
#define HV_HYPERCALL_NESTED		0x0000000080000000ULL
#define HV_HYPERCALL_REP_COMP_OFFSET	32
#define HV_HYPERCALL_REP_COMP_MASK	0x00000FFF00000000ULL
#define HV_HYPERCALL_RSVD1_MASK		0x0000F00000000000ULL
#define HV_HYPERCALL_REP_START_OFFSET	48
#define HV_HYPERCALL_REP_START_MASK	0x0FFF000000000000ULL
#define HV_HYPERCALL_RSVD2_MASK		0xF000000000000000ULL
#define HV_HYPERCALL_RSVD_MASK		(HV_HYPERCALL_RSVD0_MASK | \
					 HV_HYPERCALL_RSVD1_MASK | \
					 HV_HYPERCALL_RSVD2_MASK)
/* The rep count and rep start fields are 12 bits wide */
#define HV_HYPERCALL_REP_MAX		0xFFF

/*
 * Hypercall result word (output, RAX): status in bits 0-15, reps completed
 * in bits 32-43 (same position and width as the control word's rep count).
 */
#define HV_HYPERCALL_RESULT_MASK	0x000000000000FFFFULL

/* Hypercall codes */
/* ... that a guest partition issues (TLFS: guest TLB, IPI, SynIC, spin) */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE	0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST	0x0003
#define HVCALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVCALL_SEND_IPI				0x000B
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX	0x0013
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX	0x0014
#define HVCALL_SEND_IPI_EX			0x0015
#define HVCALL_POST_MESSAGE			0x005C
#define HVCALL_SIGNAL_EVENT			0x005D
/* ... that the root partition issues */
#define HVCALL_CREATE_PARTITION			0x0040
#define HVCALL_INITIALIZE_PARTITION		0x0041
#define HVCALL_FINALIZE_PARTITION		0x0042
#define HVCALL_DELETE_PARTITION			0x0043
#define HVCALL_GET_PARTITION_PROPERTY		0x0044
#define HVCALL_SET_PARTITION_PROPERTY		0x0045
#define HVCALL_GET_PARTITION_ID			0x0046
#define HVCALL_DEPOSIT_MEMORY			0x0048
#define HVCALL_WITHDRAW_MEMORY			0x0049
#define HVCALL_MAP_GPA_PAGES			0x004B
#define HVCALL_UNMAP_GPA_PAGES			0x004C
#define HVCALL_INSTALL_INTERCEPT		0x004D
#define HVCALL_CREATE_VP			0x004E
#define HVCALL_DELETE_VP			0x004F
#define HVCALL_GET_VP_REGISTERS			0x0050
#define HVCALL_SET_VP_REGISTERS			0x0051
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS	0x0052
#define HVCALL_READ_GPA				0x0053
#define HVCALL_WRITE_GPA			0x0054
#define HVCALL_CLEAR_VIRTUAL_INTERRUPT		0x0056
#define HVCALL_DELETE_PORT			0x0058
#define HVCALL_DISCONNECT_PORT			0x005B
#define HVCALL_MAP_STATS_PAGE			0x006C
#define HVCALL_UNMAP_STATS_PAGE			0x006D
#define HVCALL_GET_SYSTEM_PROPERTY		0x007B
#define HVCALL_NOTIFY_PORT_RING_EMPTY		0x008B
#define HVCALL_REGISTER_INTERCEPT_RESULT	0x0091
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT		0x0094
#define HVCALL_CREATE_PORT			0x0095
#define HVCALL_CONNECT_PORT			0x0096
#define HVCALL_SIGNAL_EVENT_DIRECT		0x00C0
#define HVCALL_POST_MESSAGE_DIRECT		0x00C1
#define HVCALL_DISPATCH_VP			0x00C2
#define HVCALL_GET_GPA_PAGES_ACCESS_STATES	0x00C9
#define HVCALL_MAP_VP_STATE_PAGE		0x00E1
#define HVCALL_UNMAP_VP_STATE_PAGE		0x00E2
#define HVCALL_GET_VP_STATE			0x00E3
#define HVCALL_SET_VP_STATE			0x00E4
#define HVCALL_GET_VP_CPUID_VALUES		0x00F4
#define HVCALL_GET_PARTITION_PROPERTY_EX	0x0101

/* Hypervisor statuses (low 16 bits of the result word) */
#define HV_STATUS_SUCCESS				0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE		0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT		0x0003
#define HV_STATUS_INVALID_ALIGNMENT			0x0004
#define HV_STATUS_INVALID_PARAMETER			0x0005
#define HV_STATUS_ACCESS_DENIED				0x0006
#define HV_STATUS_INVALID_PARTITION_STATE		0x0007
#define HV_STATUS_OPERATION_DENIED			0x0008
#define HV_STATUS_UNKNOWN_PROPERTY			0x0009
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE		0x000A
#define HV_STATUS_INSUFFICIENT_MEMORY			0x000B
#define HV_STATUS_PARTITION_TOO_DEEP			0x000C
#define HV_STATUS_INVALID_PARTITION_ID			0x000D
#define HV_STATUS_INVALID_VP_INDEX			0x000E
#define HV_STATUS_NOT_FOUND				0x0010
#define HV_STATUS_INVALID_PORT_ID			0x0011
#define HV_STATUS_INVALID_CONNECTION_ID			0x0012
#define HV_STATUS_INSUFFICIENT_BUFFERS			0x0013
#define HV_STATUS_NOT_ACKNOWLEDGED			0x0014
#define HV_STATUS_INVALID_VP_STATE			0x0015
#define HV_STATUS_ACKNOWLEDGED				0x0016
#define HV_STATUS_INVALID_SAVE_RESTORE_STATE		0x0017
#define HV_STATUS_INVALID_SYNIC_STATE			0x0018
#define HV_STATUS_OBJECT_IN_USE				0x0019
#define HV_STATUS_INVALID_PROXIMITY_DOMAIN_INFO		0x001A
#define HV_STATUS_NO_DATA				0x001B
#define HV_STATUS_INACTIVE				0x001C
#define HV_STATUS_NO_RESOURCES				0x001D
#define HV_STATUS_FEATURE_UNAVAILABLE			0x001E
#define HV_STATUS_PARTIAL_PACKET			0x001F
#define HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED	0x0020
#define HV_STATUS_INSUFFICIENT_BUFFER			0x0033
#define HV_STATUS_INVALID_LP_INDEX			0x0041
#define HV_STATUS_INVALID_REGISTER_VALUE		0x0050
#define HV_STATUS_OPERATION_FAILED			0x0071
#define HV_STATUS_INSUFFICIENT_ROOT_MEMORY		0x0073
#define HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY	0x0075
#define HV_STATUS_TIME_OUT				0x0078
#define HV_STATUS_CALL_PENDING				0x0079
#define HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY	0x0083
#define HV_STATUS_VTL_ALREADY_ENABLED			0x0086

/*
 * Partition creation (CREATE_PARTITION flags, u64)
 */
#define HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST		_BITULL(0)
#define HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE _BITULL(1)
#define HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED	_BITULL(4)
#define HV_PARTITION_CREATION_FLAG_EXO_PARTITION		_BITULL(8)
#define HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED		_BITULL(13)
#define HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED _BITULL(19)
#define HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE		_BITULL(22)

/* isolation_properties: bits 0-4 type, 5-6 host type, 12-63 boundary */
#define HV_PARTITION_ISOLATION_TYPE_MASK	0x1FULL
#define HV_PARTITION_ISOLATION_TYPE_NONE	0
#define HV_PARTITION_ISOLATION_TYPE_VBS		1
#define HV_PARTITION_ISOLATION_TYPE_SNP		2
#define HV_PARTITION_ISOLATION_TYPE_TDX		3

/* proximity_domain_info.flags */
#define HV_PROXIMITY_PREFERRED		_BITUL(0)
#define HV_PROXIMITY_INFO_VALID		_BITUL(31)

struct hv_proximity_domain_info {
	__u32 domain_id;
	__u32 flags;
};

HV_ABI_SIZE(struct hv_proximity_domain_info, 8);

#define HV_NUM_PROCESSOR_FEATURE_BANKS	2

struct hv_input_create_partition {
	__u64 flags;
	struct hv_proximity_domain_info proximity_domain_info;
	__u32 compatibility_version;
	__u32 padding;
	__u64 disabled_processor_features[HV_NUM_PROCESSOR_FEATURE_BANKS];
	__u64 disabled_processor_xsave_features;
	__u64 isolation_properties;
};

HV_ABI_SIZE(struct hv_input_create_partition, 56);

struct hv_output_create_partition {
	__u64 partition_id;
};

HV_ABI_SIZE(struct hv_output_create_partition, 8);

/* INITIALIZE/FINALIZE/DELETE_PARTITION are fast calls: partition id only */
struct hv_input_partition_id {
	__u64 partition_id;
};

HV_ABI_SIZE(struct hv_input_partition_id, 8);

/* Partition property codes */
#define HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS			0x00010000
#define HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES		0x00010001
#define HV_PARTITION_PROPERTY_SUSPEND				0x00020000
#define HV_PARTITION_PROPERTY_TIME_FREEZE			0x00030003
#define HV_PARTITION_PROPERTY_REFERENCE_TIME			0x00030005
#define HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING		0x00050005
#define HV_PARTITION_PROPERTY_ISOLATION_STATE			0x0005000C
#define HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION		0x00050017
#define HV_PARTITION_PROPERTY_PROCESSOR_VENDOR			0x00060000
#define HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES		0x00060002
#define HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE		0x00060003
#define HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION		0x00060005
#define HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH		0x00060006
#define HV_PARTITION_PROPERTY_XSAVE_STATES			0x00060007
#define HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE		0x00060008
#define HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY		0x00060009
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0		0x0006000A
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1		0x0006000B
#define HV_PARTITION_PROPERTY_GUEST_OS_ID			0x00070000
#define HV_PARTITION_PROPERTY_VMM_CAPABILITIES			0x00090007
#define HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES 0x00090009

/* UNIMPLEMENTED_MSR_ACTION values */
#define HV_UNIMPLEMENTED_MSR_ACTION_FAULT		0
#define HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO 1

/* PRIVILEGE_FLAGS bits (also CPUID 0x40000003 EAX:EBX) */
#define HV_PRIVILEGE_CREATE_PARTITIONS		_BITULL(32)
#define HV_PRIVILEGE_ACCESS_PARTITION_ID	_BITULL(33)
#define HV_PRIVILEGE_ACCESS_MEMORY_POOL		_BITULL(34)
#define HV_PRIVILEGE_POST_MESSAGES		_BITULL(36)
#define HV_PRIVILEGE_SIGNAL_EVENTS		_BITULL(37)
#define HV_PRIVILEGE_CREATE_PORT		_BITULL(38)
#define HV_PRIVILEGE_CONNECT_PORT		_BITULL(39)
#define HV_PRIVILEGE_ACCESS_STATS		_BITULL(40)
#define HV_PRIVILEGE_CPU_MANAGEMENT		_BITULL(44)
#define HV_PRIVILEGE_ACCESS_VP_REGISTERS	_BITULL(49)
/* Bits 0-15: access to the synthetic MSRs (VP runtime ... TSC invariant) */
#define HV_PRIVILEGE_SYNTHETIC_MSRS_MASK	0xFFFFULL

/* SYNTHETIC_PROC_FEATURES bank 0 bits (x64) */
#define HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT	_BITULL(0)
#define HV_SYNTHETIC_PROC_FEATURE_HV1			_BITULL(1)
#define HV_SYNTHETIC_PROC_FEATURE_VP_RUN_TIME_REG	_BITULL(2)
#define HV_SYNTHETIC_PROC_FEATURE_PARTITION_REFERENCE_COUNTER _BITULL(3)
#define HV_SYNTHETIC_PROC_FEATURE_SYNIC_REGS		_BITULL(4)
#define HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_TIMER_REGS	_BITULL(5)
#define HV_SYNTHETIC_PROC_FEATURE_INTR_CTRL_REGS	_BITULL(6)
#define HV_SYNTHETIC_PROC_FEATURE_HYPERCALL_REGS	_BITULL(7)
#define HV_SYNTHETIC_PROC_FEATURE_VP_INDEX		_BITULL(8)
#define HV_SYNTHETIC_PROC_FEATURE_PARTITION_REFERENCE_TSC _BITULL(9)
#define HV_SYNTHETIC_PROC_FEATURE_GUEST_IDLE_REG	_BITULL(10)
#define HV_SYNTHETIC_PROC_FEATURE_FREQUENCY_REGS	_BITULL(11)
#define HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS _BITULL(22)
#define HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS	_BITULL(25)
#define HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI	_BITULL(26)

/* PROCESSOR_XSAVE_FEATURES bits (also disabled_processor_xsave_features) */
#define HV_XSAVE_FEATURE_XSAVE		_BITULL(0)
#define HV_XSAVE_FEATURE_XSAVE_COMP	_BITULL(11)

/* VMM_CAPABILITIES bank 0 bits */
#define HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE		_BITULL(0)
#define HV_VMM_CAP_VMM_CAN_PROVIDE_OVERLAY_GPFN		_BITULL(1)
#define HV_VMM_CAP_VP_AFFINITY_PROPERTY			_BITULL(2)
#define HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES	_BITULL(4)

struct hv_input_get_partition_property {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
};

HV_ABI_SIZE(struct hv_input_get_partition_property, 16);

struct hv_output_get_partition_property {
	__u64 property_value;
};

HV_ABI_SIZE(struct hv_output_get_partition_property, 8);

struct hv_input_set_partition_property {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
	__u64 property_value;
};

HV_ABI_SIZE(struct hv_input_set_partition_property, 24);

struct hv_input_get_partition_property_ex {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
	union {
		__u64 arg;
		struct {
			__u32 vp_index;
			__u16 reserved0;
			__u8 reserved1;
			__u8 object_type;
		} arg_data;
	};
};

HV_ABI_SIZE(struct hv_input_get_partition_property_ex, 24);

/* Output of GET_PARTITION_PROPERTY_EX for the feature-bank properties */
struct hv_output_property_banks {
	__u16 bank_count;
	__u16 reserved[3];
	__u64 banks[];
};

HV_ABI_SIZE(struct hv_output_property_banks, 8);

/* GET_SYSTEM_PROPERTY */
#define HV_SYSTEM_PROPERTY_SCHEDULER_TYPE	15

#define HV_SCHEDULER_TYPE_LP			1
#define HV_SCHEDULER_TYPE_LP_SMT		2
#define HV_SCHEDULER_TYPE_CORE_SMT		3
#define HV_SCHEDULER_TYPE_ROOT			4

struct hv_input_get_system_property {
	__u32 property_id;
	__u32 reserved;
	__u64 arg;
};

HV_ABI_SIZE(struct hv_input_get_system_property, 16);

struct hv_output_get_system_property {
	union {
		__u32 scheduler_type;
		__u64 value;
	};
};

HV_ABI_SIZE(struct hv_output_get_system_property, 8);

/*
 * Memory: deposit, withdraw, map, unmap
 */
struct hv_input_deposit_memory {
	__u64 partition_id;
	__u64 gpa_page_list[];
};

HV_ABI_SIZE(struct hv_input_deposit_memory, 8);

struct hv_input_withdraw_memory {
	__u64 partition_id;
	struct hv_proximity_domain_info proximity_domain_info;
};

HV_ABI_SIZE(struct hv_input_withdraw_memory, 16);

/* WITHDRAW_MEMORY output: one __u64 PFN per rep completed */

/* MAP_GPA_PAGES flags */
#define HV_MAP_GPA_PERMISSIONS_NONE	0x0
#define HV_MAP_GPA_READABLE		0x1
#define HV_MAP_GPA_WRITABLE		0x2
#define HV_MAP_GPA_KERNEL_EXECUTABLE	0x4
#define HV_MAP_GPA_USER_EXECUTABLE	0x8
#define HV_MAP_GPA_EXECUTABLE		0xC
#define HV_MAP_GPA_PERMISSIONS_MASK	0xF
#define HV_MAP_GPA_ADJUSTABLE		0x8000
#define HV_MAP_GPA_NO_ACCESS		0x10000
#define HV_MAP_GPA_NOT_CACHED		0x200000
#define HV_MAP_GPA_LARGE_PAGE		0x80000000U

#define HV_UNMAP_GPA_LARGE_PAGE		0x2

struct hv_input_map_gpa_pages {
	__u64 target_partition_id;
	__u64 target_gpa_base;
	__u32 map_flags;
	__u32 padding;
	__u64 source_gpa_page_list[];
};

HV_ABI_SIZE(struct hv_input_map_gpa_pages, 24);

struct hv_input_unmap_gpa_pages {
	__u64 target_partition_id;
	__u64 target_gpa_base;
	__u32 unmap_flags;
	__u32 padding;
};

HV_ABI_SIZE(struct hv_input_unmap_gpa_pages, 24);

/* GET_GPA_PAGES_ACCESS_STATES */
#define HV_GPA_ACCESS_STATE_CLEAR_ACCESSED	_BITULL(0)
#define HV_GPA_ACCESS_STATE_SET_ACCESSED	_BITULL(1)
#define HV_GPA_ACCESS_STATE_CLEAR_DIRTY		_BITULL(2)
#define HV_GPA_ACCESS_STATE_SET_DIRTY		_BITULL(3)
#define HV_GPA_ACCESS_STATE_FLAGS_MASK		0xFULL

#define HV_GPA_PAGE_ACCESSED			_BITUL(0)
#define HV_GPA_PAGE_DIRTY			_BITUL(1)

struct hv_input_get_gpa_pages_access_state {
	__u64 partition_id;
	__u64 flags;
	__u64 hv_gpa_page_number;
};

HV_ABI_SIZE(struct hv_input_get_gpa_pages_access_state, 24);

/* TRANSLATE_VIRTUAL_ADDRESS control flags */
#define HV_TRANSLATE_GVA_VALIDATE_READ		0x0001ULL
#define HV_TRANSLATE_GVA_VALIDATE_WRITE		0x0002ULL
#define HV_TRANSLATE_GVA_VALIDATE_EXECUTE	0x0004ULL
#define HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT	0x0008ULL
#define HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS	0x0010ULL
#define HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT	0x0020ULL
#define HV_TRANSLATE_GVA_SUPERVISOR_ACCESS	0x0040ULL
#define HV_TRANSLATE_GVA_USER_ACCESS		0x0080ULL
#define HV_TRANSLATE_GVA_ENFORCE_SMAP		0x0100ULL
#define HV_TRANSLATE_GVA_OVERRIDE_SMAP		0x0200ULL
#define HV_TRANSLATE_GVA_SHADOW_STACK		0x0400ULL
#define HV_TRANSLATE_GVA_INPUT_VTL_SHIFT	56
#define HV_TRANSLATE_GVA_INPUT_VTL_MASK		0xFF00000000000000ULL

/* TRANSLATE_VIRTUAL_ADDRESS result codes */
#define HV_TRANSLATE_GVA_SUCCESS			0
#define HV_TRANSLATE_GVA_PAGE_NOT_PRESENT		1
#define HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION		2
#define HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS	3
#define HV_TRANSLATE_GVA_GPA_UNMAPPED			4
#define HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS		5
#define HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS		6
#define HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS	7
#define HV_TRANSLATE_GVA_INTERCEPT			8
#define HV_TRANSLATE_GVA_GPA_UNACCEPTED			9

struct hv_input_translate_virtual_address {
	__u64 partition_id;
	__u32 vp_index;
	__u32 padding;
	__u64 control_flags;
	__u64 gva_page;
};

HV_ABI_SIZE(struct hv_input_translate_virtual_address, 32);

/* cache_type in bits 0-7 of translation_result.flags, overlay_page bit 8 */
#define HV_TRANSLATE_GVA_CACHE_TYPE_MASK	0xFF
#define HV_TRANSLATE_GVA_OVERLAY_PAGE		0x100

struct hv_output_translate_virtual_address {
	__u32 result_code;
	__u32 flags;
	__u64 gpa_page;
};

HV_ABI_SIZE(struct hv_output_translate_virtual_address, 16);

/* READ_GPA / WRITE_GPA */
#define HV_GPA_ACCESS_MAX_BYTES			16
#define HV_GPA_ACCESS_CACHE_TYPE_MASK		0xFFULL

#define HV_GPA_ACCESS_RESULT_SUCCESS		0
#define HV_GPA_ACCESS_RESULT_UNMAPPED		1
#define HV_GPA_ACCESS_RESULT_READ_INTERCEPT	2
#define HV_GPA_ACCESS_RESULT_WRITE_INTERCEPT	3
#define HV_GPA_ACCESS_RESULT_ILLEGAL_OVERLAY	4

struct hv_gpa_access_result {
	__u32 result_code;
	__u32 reserved;
};

HV_ABI_SIZE(struct hv_gpa_access_result, 8);

struct hv_input_read_gpa {
	__u64 partition_id;
	__u32 vp_index;
	__u32 byte_count;
	__u64 base_gpa;
	__u64 control_flags;
};

HV_ABI_SIZE(struct hv_input_read_gpa, 32);

struct hv_output_read_gpa {
	struct hv_gpa_access_result access_result;
	__u8 data[HV_GPA_ACCESS_MAX_BYTES];
};

HV_ABI_SIZE(struct hv_output_read_gpa, 24);

struct hv_input_write_gpa {
	__u64 partition_id;
	__u32 vp_index;
	__u32 byte_count;
	__u64 base_gpa;
	__u64 control_flags;
	__u8 data[HV_GPA_ACCESS_MAX_BYTES];
};

HV_ABI_SIZE(struct hv_input_write_gpa, 48);

struct hv_output_write_gpa {
	struct hv_gpa_access_result access_result;
};

HV_ABI_SIZE(struct hv_output_write_gpa, 8);

/*
 * Maximum reps per call when the rep data fills one 4 KiB input (or output)
 * page after the fixed header.
 */
#define HV_MAX_REPS(header, rep_size) \
	((HV_HYP_PAGE_SIZE - (header)) / (rep_size))

#define HV_DEPOSIT_MAX \
	HV_MAX_REPS(sizeof(struct hv_input_deposit_memory), sizeof(__u64))
#define HV_WITHDRAW_BATCH_SIZE	(HV_HYP_PAGE_SIZE / sizeof(__u64))
#define HV_MAP_GPA_BATCH_SIZE \
	HV_MAX_REPS(sizeof(struct hv_input_map_gpa_pages), sizeof(__u64))
#define HV_UNMAP_GPA_BATCH_SIZE	HV_HYPERCALL_REP_MAX
#define HV_GPA_ACCESS_STATES_BATCH_SIZE	HV_HYPERCALL_REP_MAX

/*
 * Virtual processors
 */
#define HV_VP_SUBNODE_ANY	0

struct hv_input_create_vp {
	__u64 partition_id;
	__u32 vp_index;
	__u8 padding[3];
	__u8 subnode_type;
	__u64 subnode_id;
	struct hv_proximity_domain_info proximity_domain_info;
	__u64 flags;
};

HV_ABI_SIZE(struct hv_input_create_vp, 40);

struct hv_input_delete_vp {
	__u64 partition_id;
	__u32 vp_index;
	__u8 reserved[4];
};

HV_ABI_SIZE(struct hv_input_delete_vp, 16);

/* input_vtl: bits 0-3 target VTL, bit 4 use target VTL */
#define HV_INPUT_VTL_TARGET_MASK	0x0F
#define HV_INPUT_VTL_USE_TARGET		0x10

/* Register names (hv_register_name) */
#define HV_REGISTER_EXPLICIT_SUSPEND		0x00000000
#define HV_REGISTER_INTERCEPT_SUSPEND		0x00000001
#define HV_REGISTER_INSTRUCTION_EMULATION_HINTS	0x00000002
#define HV_REGISTER_DISPATCH_SUSPEND		0x00000003
#define HV_REGISTER_INTERNAL_ACTIVITY_STATE	0x00000004
#define HV_REGISTER_HYPERVISOR_VERSION		0x00000100
#define HV_REGISTER_PENDING_INTERRUPTION	0x00010002
#define HV_REGISTER_INTERRUPT_STATE		0x00010003
#define HV_REGISTER_PENDING_EVENT0		0x00010004
#define HV_REGISTER_PENDING_EVENT1		0x00010005
#define HV_REGISTER_DELIVERABILITY_NOTIFICATIONS 0x00010006

#define HV_X64_REGISTER_RAX		0x00020000
#define HV_X64_REGISTER_RCX		0x00020001
#define HV_X64_REGISTER_RDX		0x00020002
#define HV_X64_REGISTER_RBX		0x00020003
#define HV_X64_REGISTER_RSP		0x00020004
#define HV_X64_REGISTER_RBP		0x00020005
#define HV_X64_REGISTER_RSI		0x00020006
#define HV_X64_REGISTER_RDI		0x00020007
#define HV_X64_REGISTER_R8		0x00020008
#define HV_X64_REGISTER_R15		0x0002000F
#define HV_X64_REGISTER_RIP		0x00020010
#define HV_X64_REGISTER_RFLAGS		0x00020011

#define HV_X64_REGISTER_XMM0		0x00030000
#define HV_X64_REGISTER_XMM15		0x0003000F
#define HV_X64_REGISTER_FP_MMX0		0x00030010
#define HV_X64_REGISTER_FP_MMX7		0x00030017
#define HV_X64_REGISTER_FP_CONTROL_STATUS	0x00030018
#define HV_X64_REGISTER_XMM_CONTROL_STATUS	0x00030019

#define HV_X64_REGISTER_CR0		0x00040000
#define HV_X64_REGISTER_CR2		0x00040001
#define HV_X64_REGISTER_CR3		0x00040002
#define HV_X64_REGISTER_CR4		0x00040003
#define HV_X64_REGISTER_CR8		0x00040004
#define HV_X64_REGISTER_XFEM		0x00040005

/* Nested-virtualization views of the control registers */
#define HV_X64_REGISTER_INTERMEDIATE_CR0	0x00041000
#define HV_X64_REGISTER_INTERMEDIATE_CR3	0x00041002
#define HV_X64_REGISTER_INTERMEDIATE_CR4	0x00041003
#define HV_X64_REGISTER_INTERMEDIATE_CR8	0x00041004

#define HV_X64_REGISTER_DR0		0x00050000
#define HV_X64_REGISTER_DR1		0x00050001
#define HV_X64_REGISTER_DR2		0x00050002
#define HV_X64_REGISTER_DR3		0x00050003
#define HV_X64_REGISTER_DR6		0x00050004
#define HV_X64_REGISTER_DR7		0x00050005

#define HV_X64_REGISTER_ES		0x00060000
#define HV_X64_REGISTER_CS		0x00060001
#define HV_X64_REGISTER_SS		0x00060002
#define HV_X64_REGISTER_DS		0x00060003
#define HV_X64_REGISTER_FS		0x00060004
#define HV_X64_REGISTER_GS		0x00060005
#define HV_X64_REGISTER_LDTR		0x00060006
#define HV_X64_REGISTER_TR		0x00060007

#define HV_X64_REGISTER_IDTR		0x00070000
#define HV_X64_REGISTER_GDTR		0x00070001

#define HV_X64_REGISTER_TSC		0x00080000
#define HV_X64_REGISTER_EFER		0x00080001
#define HV_X64_REGISTER_KERNEL_GS_BASE	0x00080002
#define HV_X64_REGISTER_APIC_BASE	0x00080003
#define HV_X64_REGISTER_PAT		0x00080004
#define HV_X64_REGISTER_SYSENTER_CS	0x00080005
#define HV_X64_REGISTER_SYSENTER_EIP	0x00080006
#define HV_X64_REGISTER_SYSENTER_ESP	0x00080007
#define HV_X64_REGISTER_STAR		0x00080008
#define HV_X64_REGISTER_LSTAR		0x00080009
#define HV_X64_REGISTER_CSTAR		0x0008000A
#define HV_X64_REGISTER_SFMASK		0x0008000B
#define HV_X64_REGISTER_INITIAL_APIC_ID	0x0008000C
#define HV_X64_REGISTER_MTRR_CAP	0x0008000D
#define HV_X64_REGISTER_MTRR_DEF_TYPE	0x0008000E
#define HV_X64_REGISTER_MTRR_PHYS_BASE0	0x00080010	/* .. 0x8001F */
#define HV_X64_REGISTER_MTRR_PHYS_MASK0	0x00080040	/* .. 0x8004F */
#define HV_X64_REGISTER_MTRR_FIX64K00000	0x00080070	/* .. 0x8007A */
#define HV_X64_REGISTER_MTRR_FIX4KF8000	0x0008007A
#define HV_X64_REGISTER_TSC_AUX		0x0008007B
#define HV_X64_REGISTER_BNDCFGS		0x0008007C
#define HV_X64_REGISTER_DEBUG_CTL	0x0008007D
#define HV_X64_REGISTER_SPEC_CTRL	0x00080084
#define HV_X64_REGISTER_U_CET		0x0008008C
#define HV_X64_REGISTER_TSC_ADJUST	0x00080096
#define HV_X64_REGISTER_MSR_IA32_MISC_ENABLE	0x000800A0

#define HV_REGISTER_VP_RUNTIME		0x00090000
#define HV_X64_REGISTER_HYPERCALL	0x00090001
#define HV_REGISTER_GUEST_OS_ID		0x00090002
#define HV_REGISTER_VP_INDEX		0x00090003
#define HV_REGISTER_TIME_REF_COUNT	0x00090004
#define HV_X64_REGISTER_SYNTHETIC_TPR	0x00090012
#define HV_REGISTER_VP_ASSIST_PAGE	0x00090013
#define HV_REGISTER_VP_ROOT_SIGNAL_COUNT	0x00090014
#define HV_REGISTER_REFERENCE_TSC	0x00090017

/* Synthetic timers: STIMERn_CONFIG = 0xB0000 + 2n, STIMERn_COUNT + 1 */
#define HV_REGISTER_STIMER0_CONFIG	0x000B0000
#define HV_REGISTER_STIMER0_COUNT	0x000B0001
#define HV_STIMER_CONFIG_ENABLE		0x1ULL
#define HV_STIMER_CONFIG_AUTO_ENABLE	0x8ULL
#define HV_STIMER_CONFIG_MASK		0xF1FFFULL	/* bits 0-12, 16-19 */
#define HV_STIMER_CONFIG_PERIODIC	0x2ULL
#define HV_STIMER_CONFIG_LAZY		0x4ULL
#define HV_STIMER_CONFIG_VECTOR_SHIFT	4
#define HV_STIMER_CONFIG_VECTOR_MASK	0xFF0ULL
#define HV_STIMER_CONFIG_DIRECT_MODE	0x1000ULL
#define HV_STIMER_CONFIG_SINT_SHIFT	16
#define HV_STIMER_CONFIG_SINT_MASK	0xF0000ULL

/* Values of EXPLICIT/INTERCEPT/DISPATCH_SUSPEND */
#define HV_REGISTER_SUSPEND_SUSPENDED		0x1ULL

/* INTERNAL_ACTIVITY_STATE bits */
#define HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND	0x1ULL
#define HV_INTERNAL_ACTIVITY_HALT_SUSPEND	0x2ULL
#define HV_INTERNAL_ACTIVITY_IDLE_SUSPEND	0x4ULL
#define HV_INTERNAL_ACTIVITY_MASK		0x7ULL

/* INTERRUPT_STATE bits */
#define HV_INTERRUPT_STATE_INTERRUPT_SHADOW	0x1ULL
#define HV_INTERRUPT_STATE_NMI_MASKED		0x2ULL
#define HV_INTERRUPT_STATE_MASK			0x3ULL

/* Segment attributes (hv_x64_segment_register.attributes) */
#define HV_X64_SEGMENT_TYPE_MASK	0x000F
#define HV_X64_SEGMENT_NON_SYSTEM	0x0010
#define HV_X64_SEGMENT_DPL_SHIFT	5
#define HV_X64_SEGMENT_PRESENT		0x0080
#define HV_X64_SEGMENT_AVAILABLE	0x1000
#define HV_X64_SEGMENT_LONG		0x2000
#define HV_X64_SEGMENT_DEFAULT		0x4000
#define HV_X64_SEGMENT_GRANULARITY	0x8000

struct hv_x64_segment_register {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attributes;
};

HV_ABI_SIZE(struct hv_x64_segment_register, 16);

struct hv_x64_table_register {
	__u16 pad[3];
	__u16 limit;
	__u64 base;
};

HV_ABI_SIZE(struct hv_x64_table_register, 16);

struct hv_u128 {
	__u64 low_part;
	__u64 high_part;
};

HV_ABI_SIZE(struct hv_u128, 16);

union hv_register_value {
	struct hv_u128 reg128;
	__u64 reg64;
	__u32 reg32;
	__u16 reg16;
	__u8 reg8;
	struct hv_x64_segment_register segment;
	struct hv_x64_table_register table;
};

HV_ABI_SIZE(union hv_register_value, 16);

struct hv_register_assoc {
	__u32 name;
	__u32 reserved1;
	__u64 reserved2;
	union hv_register_value value;
};

HV_ABI_SIZE(struct hv_register_assoc, 32);

struct hv_input_get_vp_registers {
	__u64 partition_id;
	__u32 vp_index;
	__u8 input_vtl;
	__u8 rsvd_z8;
	__u16 rsvd_z16;
	__u32 names[];
};

HV_ABI_SIZE(struct hv_input_get_vp_registers, 16);

struct hv_input_set_vp_registers {
	__u64 partition_id;
	__u32 vp_index;
	__u8 input_vtl;
	__u8 rsvd_z8;
	__u16 rsvd_z16;
	struct hv_register_assoc elements[];
};

HV_ABI_SIZE(struct hv_input_set_vp_registers, 16);

/* Reps per call: GET is bounded by the 16-byte outputs, SET by 32-byte inputs */
#define HV_GET_VP_REGISTERS_BATCH_SIZE \
	(HV_HYP_PAGE_SIZE / sizeof(union hv_register_value))
#define HV_SET_VP_REGISTERS_BATCH_SIZE \
	HV_MAX_REPS(sizeof(struct hv_input_set_vp_registers), \
		    sizeof(struct hv_register_assoc))

/* VP state pages (MAP/UNMAP_VP_STATE_PAGE) */
#define HV_VP_STATE_PAGE_REGISTERS		0
#define HV_VP_STATE_PAGE_INTERCEPT_MESSAGE	1
#define HV_VP_STATE_PAGE_GHCB			2
#define HV_VP_STATE_PAGE_COUNT			3

#define HV_MAP_VP_STATE_PAGE_LOCATION_PROVIDED	0x1

struct hv_input_map_vp_state_page {
	__u64 partition_id;
	__u32 vp_index;
	__u16 type;
	__u8 input_vtl;
	__u8 flags;
	__u64 requested_map_location;
};

HV_ABI_SIZE(struct hv_input_map_vp_state_page, 24);

struct hv_output_map_vp_state_page {
	__u64 map_location;
};

HV_ABI_SIZE(struct hv_output_map_vp_state_page, 8);

struct hv_input_unmap_vp_state_page {
	__u64 partition_id;
	__u32 vp_index;
	__u16 type;
	__u8 input_vtl;
	__u8 reserved;
};

HV_ABI_SIZE(struct hv_input_unmap_vp_state_page, 16);

/*
 * GET/SET_VP_STATE.  State types with HV_GET_SET_VP_STATE_TYPE_PFN are
 * transferred through pages named by PFN in the variable header (one PFN
 * per qword); the others are inline: SET takes the bytes after the 40-byte
 * header (variable header = their size in qwords), GET writes them to the
 * output page.
 */
#define HV_GET_SET_VP_STATE_TYPE_PFN		_BITUL(31)
#define HV_GET_SET_VP_STATE_LAPIC_STATE		(0 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_XSAVE		(1 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_SIM_PAGE		(2 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_SIEF_PAGE		(3 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS	4

struct hv_vp_state_data_xsave {
	__u64 flags;
	__u64 states;		/* XFEM mask of the components transferred */
};

HV_ABI_SIZE(struct hv_vp_state_data_xsave, 16);

struct hv_vp_state_data {
	__u32 type;
	__u32 rsvd;
	struct hv_vp_state_data_xsave xsave;
};

HV_ABI_SIZE(struct hv_vp_state_data, 24);

struct hv_input_get_vp_state {
	__u64 partition_id;
	__u32 vp_index;
	__u8 input_vtl;
	__u8 rsvd0;
	__u16 rsvd1;
	struct hv_vp_state_data state_data;
	__u64 output_data_pfns[];
};

HV_ABI_SIZE(struct hv_input_get_vp_state, 40);

struct hv_input_set_vp_state {
	__u64 partition_id;
	__u32 vp_index;
	__u8 input_vtl;
	__u8 rsvd0;
	__u16 rsvd1;
	struct hv_vp_state_data state_data;
	__u64 data[];		/* PFNs, or the inline state bytes */
};

HV_ABI_SIZE(struct hv_input_set_vp_state, 40);

/* LAPIC state: the first 176 bytes of the LAPIC state page */
struct hv_local_interrupt_controller_state {
	__u32 apic_id;
	__u32 apic_version;
	__u32 apic_ldr;
	__u32 apic_dfr;
	__u32 apic_spurious;
	__u32 apic_isr[8];
	__u32 apic_tmr[8];
	__u32 apic_irr[8];
	__u32 apic_esr;
	__u32 apic_icr_high;
	__u32 apic_icr_low;
	__u32 apic_lvt_timer;
	__u32 apic_lvt_thermal;
	__u32 apic_lvt_perfmon;
	__u32 apic_lvt_lint0;
	__u32 apic_lvt_lint1;
	__u32 apic_lvt_error;
	__u32 apic_lvt_cmci;
	__u32 apic_error_status;
	__u32 apic_initial_count;
	__u32 apic_counter_value;
	__u32 apic_divide_configuration;
	__u32 apic_remote_read;
};

HV_ABI_SIZE(struct hv_local_interrupt_controller_state, 176);

#define HV_SYNIC_STIMER_COUNT			4
/* hv_synthetic_timer_state.flags */
#define HV_SYNTHETIC_TIMER_UNDELIVERED_MSG_PENDING	0x1

struct hv_synthetic_timer_state {
	__u32 flags;
	__u32 resvd;
	__u64 config;
	__u64 count;
	__u64 adjustment;
	__u64 undelivered_exp_time;
};

HV_ABI_SIZE(struct hv_synthetic_timer_state, 40);

struct hv_synthetic_timers_state {
	struct hv_synthetic_timer_state timers[HV_SYNIC_STIMER_COUNT];
	__u64 reserved[5];
};

HV_ABI_SIZE(struct hv_synthetic_timers_state, 200);

/*
 * DISPATCH_VP (root scheduler)
 */
#define HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND	0x01
#define HV_DISPATCH_VP_FLAG_ENABLE_CALLER_INTERRUPTS	0x02
#define HV_DISPATCH_VP_FLAG_SET_CALLER_SPEC_CTRL	0x04
#define HV_DISPATCH_VP_FLAG_SKIP_VP_SPEC_FLUSH		0x08
#define HV_DISPATCH_VP_FLAG_SKIP_CALLER_SPEC_FLUSH	0x10
#define HV_DISPATCH_VP_FLAG_SKIP_CALLER_USER_SPEC_FLUSH	0x20
#define HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION	0x40
#define HV_DISPATCH_VP_FLAGS_MASK			0x7F

#define HV_VP_DISPATCH_STATE_INVALID	0
#define HV_VP_DISPATCH_STATE_BLOCKED	1
#define HV_VP_DISPATCH_STATE_READY	2

#define HV_VP_DISPATCH_EVENT_INVALID	0
#define HV_VP_DISPATCH_EVENT_SUSPEND	1
#define HV_VP_DISPATCH_EVENT_INTERCEPT	2

struct hv_input_dispatch_vp {
	__u64 partition_id;
	__u32 vp_index;
	__u32 flags;
	__u64 time_slice;	/* 100 ns units, 0 = until an event */
	__u64 spec_ctrl;
};

HV_ABI_SIZE(struct hv_input_dispatch_vp, 32);

struct hv_output_dispatch_vp {
	__u32 dispatch_state;
	__u32 dispatch_event;
};

HV_ABI_SIZE(struct hv_output_dispatch_vp, 8);

/* Interrupt types (hv_interrupt_type; x86 MSI delivery modes share 0-7) */
#define HV_X64_INTERRUPT_TYPE_FIXED		0x0
#define HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY	0x1
#define HV_X64_INTERRUPT_TYPE_SMI		0x2
#define HV_X64_INTERRUPT_TYPE_REMOTEREAD	0x3
#define HV_X64_INTERRUPT_TYPE_NMI		0x4
#define HV_X64_INTERRUPT_TYPE_INIT		0x5
#define HV_X64_INTERRUPT_TYPE_SIPI		0x6
#define HV_X64_INTERRUPT_TYPE_EXTINT		0x7
#define HV_X64_INTERRUPT_TYPE_LOCALINT0		0x8
#define HV_X64_INTERRUPT_TYPE_LOCALINT1		0x9

/*
 * Intercepts
 */
#define HV_INTERCEPT_TYPE_X64_IO_PORT	0x0
#define HV_INTERCEPT_TYPE_X64_MSR	0x1
#define HV_INTERCEPT_TYPE_X64_CPUID	0x2
#define HV_INTERCEPT_TYPE_EXCEPTION	0x3
#define HV_INTERCEPT_TYPE_MMIO		0x5
#define HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID 0x6
#define HV_INTERCEPT_TYPE_X64_APIC_WRITE 0xB
#define HV_INTERCEPT_TYPE_X64_MSR_INDEX	0xC
#define HV_INTERCEPT_TYPE_MAX		0xD

#define HV_INTERCEPT_ACCESS_MASK_NONE		0x0
#define HV_INTERCEPT_ACCESS_MASK_READ		0x1
#define HV_INTERCEPT_ACCESS_MASK_WRITE		0x2
#define HV_INTERCEPT_ACCESS_MASK_EXECUTE	0x4

#define HV_INTERCEPT_ACCESS_READ	0
#define HV_INTERCEPT_ACCESS_WRITE	1
#define HV_INTERCEPT_ACCESS_EXECUTE	2

struct hv_input_install_intercept {
	__u64 partition_id;
	__u32 access_type;
	__u32 intercept_type;
	__u64 intercept_parameter;
};

HV_ABI_SIZE(struct hv_input_install_intercept, 24);

/*
 * REGISTER_INTERCEPT_RESULT, CPUID variant: each result register is
 * (default & ~mask) | (value & mask)
 */
struct hv_register_x64_cpuid_result_parameters {
	struct {
		__u32 eax;
		__u32 ecx;
		__u8 subleaf_specific;
		__u8 always_override;
		__u16 padding;
	} input;
	struct {
		__u32 eax;
		__u32 eax_mask;
		__u32 ebx;
		__u32 ebx_mask;
		__u32 ecx;
		__u32 ecx_mask;
		__u32 edx;
		__u32 edx_mask;
	} result;
};

HV_ABI_SIZE(struct hv_register_x64_cpuid_result_parameters, 44);

/* REGISTER_INTERCEPT_RESULT, MSR variant */
struct hv_register_x64_msr_result_parameters {
	__u32 msr_index;
	__u32 access_type;
	__u32 action;
};

HV_ABI_SIZE(struct hv_register_x64_msr_result_parameters, 12);

union hv_register_intercept_result_parameters {
	struct hv_register_x64_cpuid_result_parameters cpuid;
	struct hv_register_x64_msr_result_parameters msr;
};

HV_ABI_SIZE(union hv_register_intercept_result_parameters, 44);

/*
 * The hypervisor reads 60 bytes; @padding_end only makes the 8-byte
 * alignment of the structure explicit and is not part of the input.
 */
struct hv_input_register_intercept_result {
	__u64 partition_id;
	__u32 vp_index;
	__u32 intercept_type;
	union hv_register_intercept_result_parameters parameters;
	__u32 padding_end;
};

HV_ABI_SIZE(struct hv_input_register_intercept_result, 64);

#define HV_INPUT_REGISTER_INTERCEPT_RESULT_SIZE	60
static_assert(offsetof(struct hv_input_register_intercept_result,
		       padding_end) == HV_INPUT_REGISTER_INTERCEPT_RESULT_SIZE,
	      "hv_input_register_intercept_result.padding_end");

/* GET_VP_CPUID_VALUES (rep): hv_cpuid_leaf_info in, hv_cpuid_result out */
#define HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS		0x1
#define HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES	0x2
#define HV_GET_VP_CPUID_VALUES_FLAGS_MASK		0x3

struct hv_cpuid_leaf_info {
	__u32 eax;
	__u32 ecx;
	__u64 xfem;
	__u64 xss;
};

HV_ABI_SIZE(struct hv_cpuid_leaf_info, 24);

struct hv_input_get_vp_cpuid_values {
	__u64 partition_id;
	__u32 vp_index;
	__u32 flags;
	__u32 reserved;
	__u32 padding;
	struct hv_cpuid_leaf_info cpuid_leaf_info[];
};

HV_ABI_SIZE(struct hv_input_get_vp_cpuid_values, 24);

struct hv_cpuid_result {
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
};

HV_ABI_SIZE(struct hv_cpuid_result, 16);

/*
 * SynIC messages
 */
#define HV_MESSAGE_SIZE			256
#define HV_MESSAGE_PAYLOAD_BYTE_COUNT	240
#define HV_MESSAGE_PAYLOAD_QWORD_COUNT	30

#define HVMSG_NONE			0x00000000
#define HVMSG_UNMAPPED_GPA		0x80000000
#define HVMSG_GPA_INTERCEPT		0x80000001
#define HVMSG_UNACCEPTED_GPA		0x80000003
#define HVMSG_GPA_ATTRIBUTE_INTERCEPT	0x80000004
#define HVMSG_TIMER_EXPIRED		0x80000010
#define HVMSG_INVALID_VP_REGISTER_VALUE	0x80000020
#define HVMSG_UNRECOVERABLE_EXCEPTION	0x80000021
#define HVMSG_UNSUPPORTED_FEATURE	0x80000022
#define HVMSG_OPAQUE_INTERCEPT		0x8000003F
#define HVMSG_HYPERCALL_INTERCEPT	0x80000050
#define HVMSG_SYNIC_EVENT_INTERCEPT	0x80000060
#define HVMSG_SYNIC_SINT_INTERCEPT	0x80000061
#define HVMSG_SYNIC_SINT_DELIVERABLE	0x80000062
#define HVMSG_ASYNC_CALL_COMPLETION	0x80000070
#define HVMSG_SCHEDULER_VP_SIGNAL_BITSET 0x80000100
#define HVMSG_SCHEDULER_VP_SIGNAL_PAIR	0x80000101
#define HVMSG_X64_IO_PORT_INTERCEPT	0x80010000
#define HVMSG_X64_MSR_INTERCEPT		0x80010001
#define HVMSG_X64_CPUID_INTERCEPT	0x80010002
#define HVMSG_X64_EXCEPTION_INTERCEPT	0x80010003
#define HVMSG_X64_APIC_EOI		0x80010004
#define HVMSG_X64_LEGACY_FP_ERROR	0x80010005
#define HVMSG_X64_HALT			0x80010007
#define HVMSG_X64_INTERRUPTION_DELIVERABLE 0x80010008
#define HVMSG_X64_SIPI_INTERCEPT	0x80010009

#define HV_MESSAGE_FLAG_PENDING		0x01

struct hv_message_header {
	__u32 message_type;
	__u8 payload_size;
	__u8 message_flags;
	__u8 reserved[2];
	union {
		__u64 sender;
		__u32 port_id;
	};
};

HV_ABI_SIZE(struct hv_message_header, 16);

/* HVMSG_TIMER_EXPIRED payload: times in 100 ns units */
struct hv_timer_message_payload {
	__u32 timer_index;
	__u32 reserved;
	__u64 expiration_time;
	__u64 delivery_time;
};

HV_ABI_SIZE(struct hv_timer_message_payload, 24);

struct hv_message {
	struct hv_message_header header;
	union {
		__u64 payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
		__u8 payload_bytes[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	} u;
};

HV_ABI_SIZE(struct hv_message, HV_MESSAGE_SIZE);

/*
 * Root SynIC messages, ports and interrupt assertion (the root SynIC
 * registers and pages are further down)
 */
#define HV_SCHEDULER_VP_SIGNAL_PAIR_MAX	19

/* HVMSG_SCHEDULER_VP_SIGNAL_PAIR payload */
struct hv_vp_signal_pair_scheduler_message {
	__u32 overflow_count;
	__u8 vp_count;
	__u8 reserved1[3];
	__u64 partition_ids[HV_SCHEDULER_VP_SIGNAL_PAIR_MAX];
	__u32 vp_indexes[HV_SCHEDULER_VP_SIGNAL_PAIR_MAX];
	__u8 reserved2[4];
};

HV_ABI_SIZE(struct hv_vp_signal_pair_scheduler_message, 240);

#define HV_PORT_TYPE_MESSAGE		1
#define HV_PORT_TYPE_EVENT		2
#define HV_PORT_TYPE_MONITOR		3
#define HV_PORT_TYPE_DOORBELL		4
#define HV_PORT_ID_MASK			0xFFFFFFU

/* Doorbell connection flags: trigger size, any value */
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK	0x7ULL
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY	0x0ULL
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE	0x1ULL
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD	0x2ULL
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD	0x3ULL
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD	0x4ULL
#define HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE	0x80000000ULL

struct hv_input_create_port {
	__u64 port_partition_id;
	__u32 port_id;
	__u8 port_vtl;
	__u8 min_connection_vtl;
	__u16 padding;
	__u64 connection_partition_id;
	__u32 port_type;
	__u32 port_padding;
	__u32 target_sint;
	__u32 target_vp;
	__u64 port_rsvdz;
	__u64 proximity_domain_info;
};

HV_ABI_SIZE(struct hv_input_create_port, 56);

struct hv_input_connect_port {
	__u64 connection_partition_id;
	__u32 connection_id;
	__u8 connection_vtl;
	__u8 rsvdz0;
	__u16 rsvdz1;
	__u64 port_partition_id;
	__u32 port_id;
	__u32 reserved2;
	__u32 port_type;
	__u32 connection_padding;
	__u64 doorbell_gpa;
	__u64 doorbell_trigger_value;
	__u64 doorbell_flags;
	__u64 proximity_domain_info;
};

HV_ABI_SIZE(struct hv_input_connect_port, 72);

struct hv_input_delete_port {
	__u64 port_partition_id;
	__u32 port_id;
	__u32 reserved;
};

HV_ABI_SIZE(struct hv_input_delete_port, 16);

#define HV_DISCONNECT_PORT_IS_DOORBELL	0x1U

struct hv_input_disconnect_port {
	__u64 connection_partition_id;
	__u32 connection_id;
	__u32 flags;
};

HV_ABI_SIZE(struct hv_input_disconnect_port, 16);

/* hv_x64_intercept_message_header.execution_state */
#define HV_X64_EXEC_STATE_CPL_MASK		0x0003
#define HV_X64_EXEC_STATE_CR0_PE		0x0004
#define HV_X64_EXEC_STATE_CR0_AM		0x0008
#define HV_X64_EXEC_STATE_EFER_LMA		0x0010
#define HV_X64_EXEC_STATE_DEBUG_ACTIVE		0x0020
#define HV_X64_EXEC_STATE_INTERRUPTION_PENDING	0x0040
#define HV_X64_EXEC_STATE_VTL_SHIFT		7
#define HV_X64_EXEC_STATE_INTERRUPT_SHADOW	0x1000

/* instruction_length in bits 0-3, cr8 in bits 4-7 of the same byte */
#define HV_X64_INSTRUCTION_LENGTH_MASK		0x0F
#define HV_X64_CR8_SHIFT			4

struct hv_x64_intercept_message_header {
	__u32 vp_index;
	__u8 instruction_length_cr8;
	__u8 intercept_access_type;
	__u16 execution_state;
	struct hv_x64_segment_register cs_segment;
	__u64 rip;
	__u64 rflags;
};

HV_ABI_SIZE(struct hv_x64_intercept_message_header, 40);

/* hv_x64_io_port_intercept_message.access_info */
#define HV_X64_IO_ACCESS_SIZE_MASK	0x07
#define HV_X64_IO_ACCESS_STRING_OP	0x08
#define HV_X64_IO_ACCESS_REP_PREFIX	0x10

struct hv_x64_io_port_intercept_message {
	struct hv_x64_intercept_message_header header;
	__u16 port_number;
	__u8 access_info;
	__u8 instruction_byte_count;
	__u32 reserved;
	__u64 rax;
	__u8 instruction_bytes[16];
	struct hv_x64_segment_register ds_segment;
	struct hv_x64_segment_register es_segment;
	__u64 rcx;
	__u64 rsi;
	__u64 rdi;
};

HV_ABI_SIZE(struct hv_x64_io_port_intercept_message, 128);

/* hv_x64_memory_intercept_message.memory_access_info */
#define HV_X64_MEMORY_ACCESS_GVA_VALID			0x01
#define HV_X64_MEMORY_ACCESS_GVA_GPA_VALID		0x02
#define HV_X64_MEMORY_ACCESS_HYPERCALL_OUTPUT_PENDING	0x04
#define HV_X64_MEMORY_ACCESS_TLB_LOCKED_NO_OVERLAY	0x08

/* hv_x64_memory_intercept_message.cache_type */
#define HV_CACHE_TYPE_X64_WB		6

struct hv_x64_memory_intercept_message {
	struct hv_x64_intercept_message_header header;
	__u32 cache_type;
	__u8 instruction_byte_count;
	__u8 memory_access_info;
	__u8 tpr_priority;
	__u8 reserved1;
	__u64 guest_virtual_address;
	__u64 guest_physical_address;
	__u8 instruction_bytes[16];
};

HV_ABI_SIZE(struct hv_x64_memory_intercept_message, 80);

struct hv_x64_msr_intercept_message {
	struct hv_x64_intercept_message_header header;
	__u32 msr_number;
	__u32 reserved;
	__u64 rdx;
	__u64 rax;
};

HV_ABI_SIZE(struct hv_x64_msr_intercept_message, 64);

struct hv_x64_cpuid_intercept_message {
	struct hv_x64_intercept_message_header header;
	__u64 rax;
	__u64 rcx;
	__u64 rdx;
	__u64 rbx;
	__u64 default_result_rax;
	__u64 default_result_rcx;
	__u64 default_result_rdx;
	__u64 default_result_rbx;
};

HV_ABI_SIZE(struct hv_x64_cpuid_intercept_message, 104);

/* hv_x64_exception_intercept_message.exception_info */
#define HV_X64_EXCEPTION_INFO_ERROR_CODE_VALID	0x1
#define HV_X64_EXCEPTION_INFO_SOFTWARE		0x2

struct hv_x64_exception_intercept_message {
	struct hv_x64_intercept_message_header header;
	__u16 exception_vector;
	__u8 exception_info;
	__u8 instruction_byte_count;
	__u32 error_code;
	__u64 exception_parameter;
	__u64 reserved;
	__u8 instruction_bytes[16];
	struct hv_x64_segment_register ds_segment;
	struct hv_x64_segment_register ss_segment;
	__u64 rax;
	__u64 rcx;
	__u64 rdx;
	__u64 rbx;
	__u64 rsp;
	__u64 rbp;
	__u64 rsi;
	__u64 rdi;
	__u64 r8;
	__u64 r9;
	__u64 r10;
	__u64 r11;
	__u64 r12;
	__u64 r13;
	__u64 r14;
	__u64 r15;
};

HV_ABI_SIZE(struct hv_x64_exception_intercept_message, 240);
static_assert(offsetof(struct hv_x64_exception_intercept_message, rax) == 112,
	      "hv_x64_exception_intercept_message.rax");

/* HALT and UNRECOVERABLE_EXCEPTION carry the common header only */
struct hv_x64_halt_message {
	struct hv_x64_intercept_message_header header;
};

HV_ABI_SIZE(struct hv_x64_halt_message, 40);

struct hv_x64_apic_eoi_message {
	__u32 vp_index;
	__u32 interrupt_vector;
};

HV_ABI_SIZE(struct hv_x64_apic_eoi_message, 8);

/*
 * HVMSG_ASYNC_CALL_COMPLETION: a call that returned HV_STATUS_CALL_PENDING
 * has completed with @status (the message carries no call identifier)
 */
struct hv_async_completion_message {
	__u64 partition_id;
	__u32 status;
	__u32 completion_count;
	__u64 sub_status;
};

HV_ABI_SIZE(struct hv_async_completion_message, 24);

/*
 * VP register page (MAP_VP_STATE_PAGE type REGISTERS; VP fd mmap offset 0)
 */
#define HV_VP_REGISTER_PAGE_VERSION_1	1

#define HV_X64_REGISTER_CLASS_GENERAL	0
#define HV_X64_REGISTER_CLASS_IP	1
#define HV_X64_REGISTER_CLASS_XMM	2
#define HV_X64_REGISTER_CLASS_SEGMENT	3
#define HV_X64_REGISTER_CLASS_FLAGS	4

#define HV_VP_REGISTER_PAGE_MAX_VECTOR_COUNT	7

struct hv_vp_register_page {
	__u16 version;
	__u8 isvalid;
	__u8 rsvdz;
	__u32 dirty;
	union {
		struct {
			__u64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
			__u64 r8, r9, r10, r11, r12, r13, r14, r15;
		};
		__u64 gp_registers[16];
	};
	__u64 rip;
	__u64 rflags;
	__u8 reserved[8];
	struct hv_u128 xmm_registers[6];
	union {
		struct {
			struct hv_x64_segment_register es, cs, ss, ds, fs, gs;
		};
		struct hv_x64_segment_register segment_registers[6];
	};
	/* Read-only through the page */
	__u64 cr0;
	__u64 cr3;
	__u64 cr4;
	__u64 cr8;
	__u64 efer;
	__u64 dr7;
	__u64 pending_interruption;
	__u64 interrupt_state;
	__u64 instruction_emulation_hints;
	__u64 xfem;
	__u8 reserved1[256];
	union {
		struct {
			__u8 vector_count;
			__u8 vector[HV_VP_REGISTER_PAGE_MAX_VECTOR_COUNT];
		};
		__u64 as_uint64;
	} interrupt_vectors;
};

HV_ABI_SIZE(struct hv_vp_register_page, 696);

/* Layout checks of the register page against the hypervisor's offsets */
static_assert(offsetof(struct hv_vp_register_page, rip) == 136,
	      "hv_vp_register_page.rip");
static_assert(offsetof(struct hv_vp_register_page, xmm_registers) == 160,
	      "hv_vp_register_page.xmm");
static_assert(offsetof(struct hv_vp_register_page, es) == 256,
	      "hv_vp_register_page.es");
static_assert(offsetof(struct hv_vp_register_page, cr0) == 352,
	      "hv_vp_register_page.cr0");
static_assert(offsetof(struct hv_vp_register_page, interrupt_vectors) == 688,
	      "hv_vp_register_page.interrupt_vectors");

/* x86 architectural constants both sides need */
#define HV_X86_RFLAGS_FIXED	0x2ULL	/* bit 1 always reads as one */
#define HV_X86_RFLAGS_IF	0x200ULL
#define HV_X86_CR0_PE		0x1ULL
#define HV_X86_CR0_ET		0x10ULL
#define HV_X86_CR0_NW		0x20000000ULL
#define HV_X86_CR0_CD		0x40000000ULL
#define HV_X86_CR0_PG		0x80000000ULL
#define HV_X86_CR4_PAE		0x20ULL
#define HV_X86_CR0_RESET	(HV_X86_CR0_ET | HV_X86_CR0_NW | HV_X86_CR0_CD)
#define HV_X86_EFER_LME		0x100ULL
#define HV_X86_EFER_LMA		0x400ULL

/*
 * Root SynIC (registers of HV_PARTITION_ID_SELF / HV_VP_INDEX_SELF)
 */
#define HV_SYNIC_SINT_COUNT		16

#define HV_REGISTER_SINT0		0x000A0000
#define HV_REGISTER_SINT15		0x000A000F
#define HV_REGISTER_SCONTROL		0x000A0010
#define HV_REGISTER_SVERSION		0x000A0011
#define HV_REGISTER_SIEFP		0x000A0012
#define HV_REGISTER_SIMP		0x000A0013
#define HV_REGISTER_EOM			0x000A0014
#define HV_REGISTER_SIRBP		0x000A0015

#define HV_SYNIC_VERSION_1		0x1ULL

/* SINTn values */
#define HV_SYNIC_SINT_VECTOR_MASK	0x0000FFULL
#define HV_SYNIC_SINT_MASKED		0x010000ULL
#define HV_SYNIC_SINT_AUTO_EOI		0x020000ULL
#define HV_SYNIC_SINT_POLLING		0x040000ULL
#define HV_SYNIC_SINT_AS_INTERCEPT	0x080000ULL
#define HV_SYNIC_SINT_PROXY		0x100000ULL

/* SCONTROL value */
#define HV_SYNIC_CONTROL_ENABLE		0x1ULL

/* SIMP / SIEFP / SIRBP values: enable bit, page number in bits 12-63 */
#define HV_SYNIC_PAGE_ENABLE		0x1ULL
#define HV_SYNIC_PAGE_SHIFT		HV_HYP_PAGE_SHIFT

/* Root SINTs the driver uses */
#define HV_SYNIC_INTERCEPTION_SINT_INDEX	0
#define HV_SYNIC_DOORBELL_SINT_INDEX		5

/* SIMP page: one message slot per SINT */
struct hv_message_page {
	struct hv_message sint_message[HV_SYNIC_SINT_COUNT];
};

HV_ABI_SIZE(struct hv_message_page, HV_HYP_PAGE_SIZE);

/* SIRBP page: one event ring per SINT */
#define HV_SYNIC_EVENT_RING_MESSAGE_COUNT	63

struct hv_synic_event_ring {
	__u8 signal_masked;
	__u8 ring_full;
	__u16 reserved_z;
	__u32 data[HV_SYNIC_EVENT_RING_MESSAGE_COUNT];
};

HV_ABI_SIZE(struct hv_synic_event_ring, 256);

struct hv_synic_event_ring_page {
	struct hv_synic_event_ring sint_event_ring[HV_SYNIC_SINT_COUNT];
};

HV_ABI_SIZE(struct hv_synic_event_ring_page, HV_HYP_PAGE_SIZE);

/* NOTIFY_PORT_RING_EMPTY (fast) */
struct hv_input_notify_port_ring_empty {
	__u32 sint_index;
	__u32 reserved;
};

HV_ABI_SIZE(struct hv_input_notify_port_ring_empty, 8);

/* HVMSG_SYNIC_SINT_INTERCEPT payload */
struct hv_synic_sint_intercept_message {
	__u32 sint_index;
};

HV_ABI_SIZE(struct hv_synic_sint_intercept_message, 4);

/* Generic VP sets (hv_vp_set.format) */
#define HV_GENERIC_SET_SPARSE_4K	0
#define HV_GENERIC_SET_ALL		1

/*
 * A sparse VP set: one u64 of VPs per bit set in valid_bank_mask, in bank
 * order.  The scheduler message below holds up to 1024 VPs: 16 banks of 64.
 */
#define HV_VP_SET_BANK_COUNT		16
#define HV_VP_SET_BANK_VPS		64

struct hv_vp_set {
	__u64 format;
	__u64 valid_bank_mask;
	__u64 bank_contents[];
};

HV_ABI_SIZE(struct hv_vp_set, 16);

/* VP sets in a guest hypercall: banks 0-63, each of 64 VPs */
#define HV_VP_SET_MAX_BANKS		64

/*
 * Guest hypercalls (x64 convention: control word RCX, input GPA RDX,
 * output GPA R8, result RAX; in 32-bit mode EDX:EAX, EBX:ECX, EDI:ESI and
 * EDX:EAX).  The input GPA is 8-byte aligned and the input does not cross
 * a page (else HV_STATUS_INVALID_ALIGNMENT).
 */

/* FLUSH_VIRTUAL_ADDRESS_* flags (u64) */
#define HV_FLUSH_ALL_PROCESSORS			_BITULL(0)
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES	_BITULL(1)
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY	_BITULL(2)
#define HV_FLUSH_USE_EXTENDED_RANGE_FORMAT	_BITULL(3)
#define HV_FLUSH_VALID_FLAGS			0xFULL

/*
 * FLUSH_VIRTUAL_ADDRESS_SPACE (simple) and _LIST (rep: one GVA range per
 * rep after the header: page number in bits 12-63, additional pages in
 * bits 0-11)
 */
struct hv_tlb_flush {
	__u64 address_space;	/* CR3 */
	__u64 flags;		/* HV_FLUSH_* */
	__u64 processor_mask;	/* bit n: VP n */
};

HV_ABI_SIZE(struct hv_tlb_flush, 24);

/*
 * FLUSH_VIRTUAL_ADDRESS_SPACE_EX and _LIST_EX: the VP set's bank contents
 * are the variable header (one qword per bank in valid_bank_mask); the
 * _LIST_EX ranges follow them
 */
struct hv_tlb_flush_ex {
	__u64 address_space;
	__u64 flags;
	struct hv_vp_set hv_vp_set;
};

HV_ABI_SIZE(struct hv_tlb_flush_ex, 32);

/*
 * SEND_IPI (SendSyntheticClusterIpi): a fixed interrupt, vector 16-255.
 * The low byte of @reserved is the target VTL (hv_input_vtl); the rest is
 * zero.
 */
struct hv_send_ipi {
	__u32 vector;
	__u32 reserved;
	__u64 cpu_mask;		/* bit n: VP n */
};

HV_ABI_SIZE(struct hv_send_ipi, 16);

#define HV_SEND_IPI_TARGET_VTL_MASK	0xFFU

/* SEND_IPI_EX: the bank contents are the variable header */
struct hv_send_ipi_ex {
	__u32 vector;
	__u32 reserved;
	struct hv_vp_set vp_set;
};

HV_ABI_SIZE(struct hv_send_ipi_ex, 24);

#define HV_IPI_LOW_VECTOR	0x10
#define HV_IPI_HIGH_VECTOR	0xFF

/* POST_MESSAGE: a message for the port a connection of the caller names */
struct hv_input_post_message {
	__u32 connection_id;
	__u32 padding;
	__u32 message_type;	/* bit 31 (hypervisor types) must be clear */
	__u32 payload_size;	/* at most HV_MESSAGE_PAYLOAD_BYTE_COUNT */
	__u64 payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
};

HV_ABI_SIZE(struct hv_input_post_message, 256);

#define HV_MESSAGE_TYPE_HYPERVISOR_MASK	0x80000000U

/* SIGNAL_EVENT (may be fast): set a flag of an event port's SINT */
struct hv_input_signal_event {
	__u32 connection_id;
	__u16 flag_number;
	__u16 rsvdz;
};

HV_ABI_SIZE(struct hv_input_signal_event, 8);

/* NOTIFY_LONG_SPIN_WAIT (fast): the caller's spin count so far */
struct hv_input_notify_long_spin_wait {
	__u64 spin_count;
};

HV_ABI_SIZE(struct hv_input_notify_long_spin_wait, 8);

/* HVMSG_SCHEDULER_VP_SIGNAL_BITSET payload */
struct hv_vp_signal_bitset_scheduler_message {
	__u64 partition_id;
	__u32 overflow_count;
	__u16 vp_count;
	__u16 reserved;
	union {
		struct hv_vp_set bitset;
		__u64 bitset_buffer[2 + HV_VP_SET_BANK_COUNT];
	} vp_bitset;
};

HV_ABI_SIZE(struct hv_vp_signal_bitset_scheduler_message, 160);

/* ASSERT_VIRTUAL_INTERRUPT: control flags (bits 32-63 of the control) */
#define HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED	0x1
#define HV_ASSERT_INTERRUPT_LOGICAL_DEST	0x2
/* Bit 62 of the control: set by rust-vmm for x2APIC destinations */
#define HV_ASSERT_INTERRUPT_X2APIC_DEST		0x40000000
#define HV_ASSERT_INTERRUPT_FLAGS_MASK		0x40000003

struct hv_input_assert_virtual_interrupt {
	__u64 partition_id;
	__u32 interrupt_type;	/* HV_X64_INTERRUPT_TYPE_* */
	__u32 control_flags;	/* HV_ASSERT_INTERRUPT_* */
	__u64 dest_addr;	/* APIC id, or logical destination */
	__u32 vector;
	__u8 target_vtl;
	__u8 rsvd_z0;
	__u16 rsvd_z1;
};

HV_ABI_SIZE(struct hv_input_assert_virtual_interrupt, 32);

/* SIGNAL_EVENT_DIRECT: set an event flag of a guest VP's SINT */
struct hv_input_signal_event_direct {
	__u64 target_partition;
	__u32 target_vp;
	__u8 target_vtl;
	__u8 target_sint;
	__u16 flag_number;
};

HV_ABI_SIZE(struct hv_input_signal_event_direct, 16);

struct hv_output_signal_event_direct {
	__u8 newly_signaled;
	__u8 reserved[7];
};

HV_ABI_SIZE(struct hv_output_signal_event_direct, 8);

/* POST_MESSAGE_DIRECT: a message for a guest VP's SINT message slot */
struct hv_input_post_message_direct {
	__u64 partition_id;
	__u32 vp_index;
	__u8 vtl;
	__u8 padding[3];
	__u32 sint_index;
	__u8 message[HV_MESSAGE_SIZE];	/* a struct hv_message, unaligned */
	__u32 padding2;
};

HV_ABI_SIZE(struct hv_input_post_message_direct, 280);

/* Event flags of one SINT in the SIEFP page: 256 bytes */
#define HV_EVENT_FLAGS_COUNT		2048

/* Local APIC: EOI through the x2APIC MSR, the synthetic MSR, the xAPIC page */
#define HV_X86_MSR_X2APIC_EOI		0x80B
#define HV_X64_MSR_EOI			0x40000070

/* Synthetic MSRs of a guest (TLFS) */
#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_VP_INDEX		0x40000002
#define HV_X64_MSR_VP_RUNTIME		0x40000010
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022
#define HV_X64_MSR_APIC_FREQUENCY	0x40000023
#define HV_X64_MSR_TPR			0x40000072
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073
#define HV_X64_MSR_SCONTROL		0x40000080
#define HV_X64_MSR_SVERSION		0x40000081
#define HV_X64_MSR_SIEFP		0x40000082
#define HV_X64_MSR_SIMP			0x40000083
#define HV_X64_MSR_EOM			0x40000084
#define HV_X64_MSR_SINT0		0x40000090
#define HV_X64_MSR_STIMER0_CONFIG	0x400000B0
#define HV_X64_MSR_STIMER0_COUNT	0x400000B1
#define HV_X64_MSR_GUEST_IDLE		0x400000F0

/*
 * The reference TSC page: reference time = ((TSC * tsc_scale) >> 64) +
 * tsc_offset, valid while tsc_sequence is not 0 (0: read the reference
 * counter MSR instead); the sequence changes when scale or offset do.
 */
struct hv_reference_tsc_page {
	__u32 tsc_sequence;
	__u32 reserved1;
	__u64 tsc_scale;
	__s64 tsc_offset;
};

HV_ABI_SIZE(struct hv_reference_tsc_page, 24);

/* HYPERCALL, REFERENCE_TSC, SIMP, SIEFP, VP_ASSIST_PAGE: enable, GPA page */
#define HV_MSR_PAGE_ENABLE		0x1ULL
#define HV_MSR_HYPERCALL_LOCKED		0x2ULL
#define HV_MSR_PAGE_GPA_MASK		0xFFFFFFFFFFFFF000ULL
#define HV_X86_APIC_TPR_OFFSET		0x80
#define HV_X86_APIC_EOI_OFFSET		0xB0

/* INSTALL_INTERCEPT type X64_APIC_INIT_SIPI: guest INIT / SIPI IPIs */
#define HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI	0x9
#define HVMSG_X64_APIC_INIT_SIPI_INTERCEPT	0x8001000D

/* HVMSG_X64_SIPI_INTERCEPT payload */
struct hv_x64_sipi_intercept_message {
	struct hv_x64_intercept_message_header header;
	__u32 target_vp_index;
	__u32 interrupt_vector;
};

HV_ABI_SIZE(struct hv_x64_sipi_intercept_message, 48);

/* Local APIC: the interrupt command register (ICR) and self IPI */
#define HV_X86_MSR_X2APIC_ICR		0x830
#define HV_X86_MSR_X2APIC_SELF_IPI		0x83F
#define HV_X64_MSR_ICR			0x40000071
#define HV_X86_APIC_ICR_LOW_OFFSET		0x300
#define HV_X86_APIC_ICR_HIGH_OFFSET	0x310
#define HV_X86_APIC_ICR_VECTOR_MASK	0x000000FF
#define HV_X86_APIC_ICR_MODE_SHIFT		8	/* HV_X64_INTERRUPT_TYPE_* 0-7 */
#define HV_X86_APIC_ICR_MODE_MASK		0x00000700
#define HV_X86_APIC_ICR_LOGICAL		0x00000800
#define HV_X86_APIC_ICR_BUSY		0x00001000	/* delivery status */
#define HV_X86_APIC_ICR_ASSERT		0x00004000
#define HV_X86_APIC_ICR_LEVEL		0x00008000
#define HV_X86_APIC_ICR_SHORTHAND_MASK	0x000C0000
#define HV_X86_APIC_ICR_SELF		0x00040000
#define HV_X86_APIC_ICR_ALL		0x00080000
#define HV_X86_APIC_ICR_OTHERS		0x000C0000
/* xAPIC (and synthetic ICR) destination: bits 31:24 of the high dword */
#define HV_X86_APIC_ICR_XAPIC_DEST_SHIFT	24

/* Local APIC: LVT entries (LINT0, LINT1 ...) and the spurious vector reg. */
#define HV_X86_APIC_LVT_VECTOR_MASK	0x000000FF
#define HV_X86_APIC_LVT_MODE_SHIFT		8
#define HV_X86_APIC_LVT_MODE_MASK		0x00000700
#define HV_X86_APIC_LVT_MODE_FIXED		0
#define HV_X86_APIC_LVT_MODE_SMI		2
#define HV_X86_APIC_LVT_MODE_NMI		4
#define HV_X86_APIC_LVT_MODE_INIT		5
#define HV_X86_APIC_LVT_MODE_EXTINT	7
#define HV_X86_APIC_LVT_LEVEL		0x00008000
#define HV_X86_APIC_LVT_MASKED		0x00010000
#define HV_X86_APIC_SVR_ENABLE		0x00000100	/* software enable */

/*
 * Local APIC: timer, LVT, error status and spurious-vector registers, by
 * xAPIC page offset; the x2APIC MSR of a register is
 * HV_X86_MSR_X2APIC_BASE + offset / 16.
 */
#define HV_X86_MSR_X2APIC_BASE		0x800
#define HV_X86_MSR_TSC_DEADLINE		0x6E0
#define HV_X86_APIC_SVR_OFFSET		0xF0
#define HV_X86_APIC_ESR_OFFSET		0x280
#define HV_X86_APIC_LVT_CMCI_OFFSET	0x2F0
#define HV_X86_APIC_LVT_TIMER_OFFSET	0x320
#define HV_X86_APIC_LVT_THERMAL_OFFSET	0x330
#define HV_X86_APIC_LVT_PERF_OFFSET	0x340
#define HV_X86_APIC_LVT_LINT0_OFFSET	0x350
#define HV_X86_APIC_LVT_LINT1_OFFSET	0x360
#define HV_X86_APIC_LVT_ERROR_OFFSET	0x370
#define HV_X86_APIC_TIMER_INITIAL_OFFSET	0x380
#define HV_X86_APIC_TIMER_CURRENT_OFFSET	0x390
#define HV_X86_APIC_TIMER_DIVIDE_OFFSET	0x3E0
#define HV_X86_APIC_LVT_PENDING		0x00001000	/* delivery status */
#define HV_X86_APIC_LVT_TIMER_MODE_MASK	0x00060000
#define HV_X86_APIC_LVT_TIMER_ONESHOT	0x00000000
#define HV_X86_APIC_LVT_TIMER_PERIODIC	0x00020000
#define HV_X86_APIC_LVT_TIMER_TSC_DEADLINE	0x00040000
#define HV_X86_APIC_ESR_RECV_ILLEGAL_VECTOR	0x00000040

/* PENDING_INTERRUPTION register (u64) */
#define HV_X64_PENDING_INTERRUPTION_PENDING		0x1ULL
#define HV_X64_PENDING_INTERRUPTION_TYPE_SHIFT		1
#define HV_X64_PENDING_INTERRUPTION_TYPE_MASK		0xEULL
#define HV_X64_PENDING_INTERRUPTION_DELIVER_ERROR_CODE	0x10ULL
#define HV_X64_PENDING_INTERRUPTION_INSN_LENGTH_MASK	0x1E0ULL
#define HV_X64_PENDING_INTERRUPTION_NESTED_EVENT	0x200ULL
#define HV_X64_PENDING_INTERRUPTION_RESERVED		0xFC00ULL
#define HV_X64_PENDING_INTERRUPTION_VECTOR_SHIFT	16
#define HV_X64_PENDING_INTERRUPTION_VECTOR_MASK		0xFFFF0000ULL
#define HV_X64_PENDING_INTERRUPTION_ERROR_CODE_SHIFT	32
/* interruption_type values */
#define HV_X64_PENDING_INTERRUPT			0
#define HV_X64_PENDING_NMI				2
#define HV_X64_PENDING_EXCEPTION			3

#endif /* _MSHV_HVABI_H */
