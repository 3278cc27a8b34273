/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Userspace interface of /dev/mshv, the Microsoft Hypervisor root-partition
 * driver.
 *
 * Binary compatible with the mainline Linux header of the same name: the
 * ioctl numbers, structure layouts and flag values below are the ABI that
 * existing virtual machine monitors use.  See Documentation/api.rst.
 */
#ifndef _UAPI_LINUX_MSHV_H
#define _UAPI_LINUX_MSHV_H

#include <linux/types.h>

#define MSHV_IOCTL	0xB8

/* Size of the hypervisor page that guest memory and VP pages are made of. */
#define MSHV_HV_PAGE_SIZE	0x1000

/* Bit numbers of mshv_create_partition.pt_flags */
enum {
	MSHV_PT_BIT_LAPIC,
	MSHV_PT_BIT_X2APIC,
	MSHV_PT_BIT_GPA_SUPER_PAGES,
	MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES,
	MSHV_PT_BIT_NESTED_VIRTUALIZATION,
	MSHV_PT_BIT_SMT_ENABLED_GUEST,
	MSHV_PT_BIT_COUNT,
};

#define MSHV_PT_FLAGS_MASK ((1 << MSHV_PT_BIT_COUNT) - 1)

enum {
	MSHV_PT_ISOLATION_NONE,
	MSHV_PT_ISOLATION_COUNT,
};

/**
 * struct mshv_create_partition - arguments for MSHV_CREATE_PARTITION
 * @pt_flags: bitmask of 1 << MSHV_PT_BIT_*
 * @pt_isolation: MSHV_PT_ISOLATION_*
 *
 * The ioctl number encodes this 16-byte size.  When
 * MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES is set, the argument is a
 * struct mshv_create_partition_v2 instead.
 */
struct mshv_create_partition {
	__u64 pt_flags;
	__u64 pt_isolation;
};

#define MSHV_NUM_CPU_FEATURES_BANKS	2

/**
 * struct mshv_create_partition_v2 - extended MSHV_CREATE_PARTITION argument
 * @pt_flags: bitmask of 1 << MSHV_PT_BIT_*, must include
 *	      MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES
 * @pt_isolation: MSHV_PT_ISOLATION_*
 * @pt_num_cpu_fbanks: number of entries of @pt_cpu_fbanks; must be
 *		       MSHV_NUM_CPU_FEATURES_BANKS
 * @pt_rsvd: must be zero
 * @pt_cpu_fbanks: processor features to disable (1 = disabled)
 * @pt_rsvd1: must be zero
 * @pt_disabled_xsave: XSAVE features to disable (1 = disabled)
 *
 * Every field is naturally aligned, so the structure has no padding: it is
 * 64 bytes with the same layout with or without a packing attribute.
 */
struct mshv_create_partition_v2 {
	__u64 pt_flags;
	__u64 pt_isolation;
	__u16 pt_num_cpu_fbanks;
	__u8  pt_rsvd[6];
	__u64 pt_cpu_fbanks[MSHV_NUM_CPU_FEATURES_BANKS];
	__u64 pt_rsvd1[2];
#if defined(__x86_64__)
	__u64 pt_disabled_xsave;
#else
	__u64 pt_rsvd2;
#endif
};

/* /dev/mshv */
#define MSHV_CREATE_PARTITION	_IOW(MSHV_IOCTL, 0x00, struct mshv_create_partition)

/*
 * Partition fd
 */

/**
 * struct mshv_create_vp - arguments for MSHV_CREATE_VP
 * @vp_index: index of the new virtual processor, below 256
 */
struct mshv_create_vp {
	__u32 vp_index;
};

enum {
	MSHV_SET_MEM_BIT_WRITABLE,
	MSHV_SET_MEM_BIT_EXECUTABLE,
	MSHV_SET_MEM_BIT_UNMAP,
	MSHV_SET_MEM_BIT_COUNT
};

#define MSHV_SET_MEM_FLAGS_MASK ((1 << MSHV_SET_MEM_BIT_COUNT) - 1)

/**
 * struct mshv_user_mem_region - arguments for MSHV_SET_GUEST_MEMORY
 * @size: size of the region in bytes, a multiple of the host page size
 * @guest_pfn: first guest page frame number (4 KiB units)
 * @userspace_addr: host virtual address of the backing, page aligned
 * @flags: bitmask of 1 << MSHV_SET_MEM_BIT_*; UNMAP removes the region
 * @rsvd: must be zero
 */
struct mshv_user_mem_region {
	__u64 size;
	__u64 guest_pfn;
	__u64 userspace_addr;
	__u8 flags;
	__u8 rsvd[7];
};

enum {
	MSHV_IRQFD_BIT_DEASSIGN,
	MSHV_IRQFD_BIT_RESAMPLE,
	MSHV_IRQFD_BIT_COUNT,
};

#define MSHV_IRQFD_FLAGS_MASK	((1 << MSHV_IRQFD_BIT_COUNT) - 1)

/**
 * struct mshv_user_irqfd - arguments for MSHV_IRQFD
 * @fd: eventfd that triggers the interrupt
 * @resamplefd: eventfd signalled on EOI (with MSHV_IRQFD_BIT_RESAMPLE)
 * @gsi: routing entry (see MSHV_SET_MSI_ROUTING)
 * @flags: bitmask of 1 << MSHV_IRQFD_BIT_*
 */
struct mshv_user_irqfd {
	__s32 fd;
	__s32 resamplefd;
	__u32 gsi;
	__u32 flags;
};

enum {
	MSHV_IOEVENTFD_BIT_DATAMATCH,
	MSHV_IOEVENTFD_BIT_PIO,
	MSHV_IOEVENTFD_BIT_DEASSIGN,
	MSHV_IOEVENTFD_BIT_COUNT,
};

#define MSHV_IOEVENTFD_FLAGS_MASK	((1 << MSHV_IOEVENTFD_BIT_COUNT) - 1)

/**
 * struct mshv_user_ioeventfd - arguments for MSHV_IOEVENTFD
 * @datamatch: value to match (with MSHV_IOEVENTFD_BIT_DATAMATCH)
 * @addr: guest physical address of the doorbell
 * @len: access length: 0 (any), 1, 2, 4 or 8
 * @fd: eventfd to signal
 * @flags: bitmask of 1 << MSHV_IOEVENTFD_BIT_*
 * @rsvd: must be zero
 */
struct mshv_user_ioeventfd {
	__u64 datamatch;
	__u64 addr;
	__u32 len;
	__s32 fd;
	__u32 flags;
	__u8  rsvd[4];
};

/**
 * struct mshv_user_irq_entry - one MSI routing entry
 * @gsi: routing entry number, below 4096
 * @address_lo: MSI address, low 32 bits
 * @address_hi: MSI address, high 32 bits; must be zero
 * @data: MSI data
 */
struct mshv_user_irq_entry {
	__u32 gsi;
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
};

/**
 * struct mshv_user_irq_table - arguments for MSHV_SET_MSI_ROUTING
 * @nr: number of entries, at most 4096; 0 clears the table
 * @rsvd: must be zero
 * @entries: the routing entries
 */
struct mshv_user_irq_table {
	__u32 nr;
	__u32 rsvd;
	struct mshv_user_irq_entry entries[];
};

enum {
	MSHV_GPAP_ACCESS_TYPE_ACCESSED,
	MSHV_GPAP_ACCESS_TYPE_DIRTY,
	MSHV_GPAP_ACCESS_TYPE_COUNT
};

enum {
	MSHV_GPAP_ACCESS_OP_NOOP,
	MSHV_GPAP_ACCESS_OP_CLEAR,
	MSHV_GPAP_ACCESS_OP_SET,
	MSHV_GPAP_ACCESS_OP_COUNT
};

/**
 * struct mshv_gpap_access_bitmap - arguments for MSHV_GET_GPAP_ACCESS_BITMAP
 * @access_type: MSHV_GPAP_ACCESS_TYPE_*
 * @access_op: MSHV_GPAP_ACCESS_OP_*, applied to the pages after reading
 * @rsvd: must be zero
 * @page_count: number of guest pages, not zero
 * @gpap_base: first guest page frame number
 * @bitmap_ptr: user buffer of DIV_ROUND_UP(page_count, 8) bytes
 */
struct mshv_gpap_access_bitmap {
	__u8 access_type;
	__u8 access_op;
	__u8 rsvd[6];
	__u64 page_count;
	__u64 gpap_base;
	__u64 bitmap_ptr;
};

/**
 * struct mshv_root_hvcall - arguments for MSHV_ROOT_HVCALL
 * @code: hypercall code
 * @reps: in: rep count (0 for a simple call); out: reps completed
 * @in_sz: size of the input, 8 to 4096 bytes
 * @out_sz: size of the output buffer, at most 4096 bytes
 * @status: in: must be zero; out: the hypervisor status
 * @rsvd: must be zero
 * @in_ptr: user pointer to the input; its first 8 bytes are replaced
 *	    by the partition id
 * @out_ptr: user pointer to the output buffer, or 0
 */
struct mshv_root_hvcall {
	__u16 code;
	__u16 reps;
	__u16 in_sz;
	__u16 out_sz;
	__u16 status;
	__u8 rsvd[6];
	__u64 in_ptr;
	__u64 out_ptr;
};

/* Partition fd */
#define MSHV_INITIALIZE_PARTITION	_IO(MSHV_IOCTL, 0x00)
#define MSHV_CREATE_VP			_IOW(MSHV_IOCTL, 0x01, struct mshv_create_vp)
#define MSHV_SET_GUEST_MEMORY		_IOW(MSHV_IOCTL, 0x02, struct mshv_user_mem_region)
#define MSHV_IRQFD			_IOW(MSHV_IOCTL, 0x03, struct mshv_user_irqfd)
#define MSHV_IOEVENTFD			_IOW(MSHV_IOCTL, 0x04, struct mshv_user_ioeventfd)
#define MSHV_SET_MSI_ROUTING		_IOW(MSHV_IOCTL, 0x05, struct mshv_user_irq_table)
#define MSHV_GET_GPAP_ACCESS_BITMAP	_IOWR(MSHV_IOCTL, 0x06, struct mshv_gpap_access_bitmap)
/* Generic hypercall passthrough; also valid on VP fds and on /dev/mshv */
#define MSHV_ROOT_HVCALL		_IOWR(MSHV_IOCTL, 0x07, struct mshv_root_hvcall)

/*
 * VP fd
 */

/* Size of struct hv_message, the intercept message a VP run returns */
#define MSHV_RUN_VP_BUF_SZ 256

/**
 * struct mshv_run_vp - arguments for MSHV_RUN_VP
 * @msg_buf: on return, a copy of the 256-byte intercept message
 */
struct mshv_run_vp {
	__u8 msg_buf[MSHV_RUN_VP_BUF_SZ];
};

enum {
	MSHV_VP_MMAP_OFFSET_REGISTERS,
	MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE,
	MSHV_VP_MMAP_OFFSET_GHCB,
	MSHV_VP_MMAP_OFFSET_COUNT
};

enum {
	MSHV_VP_STATE_LAPIC,
	MSHV_VP_STATE_XSAVE,
	MSHV_VP_STATE_SIMP,
	MSHV_VP_STATE_SIEFP,
	MSHV_VP_STATE_SYNTHETIC_TIMERS,
	MSHV_VP_STATE_COUNT,
};

/**
 * struct mshv_get_set_vp_state - arguments for MSHV_GET/SET_VP_STATE
 * @type: MSHV_VP_STATE_*
 * @rsvd: must be zero
 * @buf_sz: in: size of the buffer, page aligned; out: size required
 * @buf_ptr: page-aligned user buffer
 */
struct mshv_get_set_vp_state {
	__u8 type;
	__u8 rsvd[3];
	__u32 buf_sz;
	__u64 buf_ptr;
};

#define MSHV_RUN_VP			_IOR(MSHV_IOCTL, 0x00, struct mshv_run_vp)
#define MSHV_GET_VP_STATE		_IOWR(MSHV_IOCTL, 0x01, struct mshv_get_set_vp_state)
#define MSHV_SET_VP_STATE		_IOWR(MSHV_IOCTL, 0x02, struct mshv_get_set_vp_state)
/* MSHV_ROOT_HVCALL (0x07) is also accepted on VP fds */

#endif /* _UAPI_LINUX_MSHV_H */
