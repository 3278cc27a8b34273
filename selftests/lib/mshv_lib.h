/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small VMM library for the /dev/mshv selftests and the demo.
 *
 * Two flavours of every operation, in the style of the KVM selftests:
 *
 *  - __mshv_*() issue the call and return what the system call returned
 *    (-1 with errno set on failure), for tests that check error paths.
 *  - mshv_*() expect success: on failure they print a diagnostic that
 *    names the call, the caller's file and line and errno, then end the
 *    process with MSHV_EXIT_FAIL.  kselftest_harness runs every test in a
 *    child process, so a failing helper marks exactly that test failed.
 *
 * The library depends only on libc, <linux/mshv.h> and hvabi.h, so that the
 * demo can use it without kselftest_harness.h.
 */
#ifndef _MSHV_SELFTEST_LIB_H
#define _MSHV_SELFTEST_LIB_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/mshv.h>

#include "hvabi.h"

#ifndef BIT
#define BIT(nr)			(1UL << (nr))
#endif

/* Exit status of a failed assertion: KSFT_FAIL in kselftest.h */
#define MSHV_EXIT_FAIL		1

#define MSHV_DEV_PATH		"/dev/mshv"
#define MSHV_PAGE_SIZE		4096UL
#define MSHV_PFN(gpa)		((gpa) >> HV_HYP_PAGE_SHIFT)

/* RFLAGS after reset: only the always-one bit 1 */
#define MSHV_RFLAGS_RESET	HV_X86_RFLAGS_FIXED

noreturn void __mshv_test_assert(const char *file, int line,
				 const char *expr, const char *fmt, ...);

/*
 * MSHV_TEST_ASSERT() - fail the test (end the process) unless @cond holds.
 * The remaining arguments are a printf format and its arguments; errno at
 * the time of the failure is printed too.  The dead printf() gives them
 * the compiler's -Wformat check.
 */
#define MSHV_TEST_ASSERT(cond, ...)					\
	do {								\
		if (0)							\
			printf(__VA_ARGS__);				\
		if (!(cond))						\
			__mshv_test_assert(__FILE__, __LINE__, #cond,	\
					   __VA_ARGS__);		\
	} while (0)

/**
 * struct mshv_vm_region - a region of guest memory the library mapped
 * @next: the VM's next region (the list is in the order of adding)
 * @gpa: guest physical address of the first byte
 * @size: size in bytes
 * @hva: host mapping of the first byte
 * @flags: the MSHV_SET_GUEST_MEMORY flags it was mapped with
 * @owned: @hva was allocated by the library and is freed with the region
 */
struct mshv_vm_region {
	struct mshv_vm_region *next;
	__u64 gpa;
	__u64 size;
	void *hva;
	__u8 flags;
	bool owned;
};

/**
 * struct mshv_vm - a partition and its guest memory
 * @dev_fd: /dev/mshv
 * @fd: the partition fd
 * @mem: host mapping of the region added by mshv_vm_add_memory(), or NULL
 * @mem_gpa: guest physical address of @mem
 * @mem_size: size of @mem in bytes
 * @regions: every region added by mshv_vm_add_memory() and
 *	mshv_vm_add_region() and not removed
 */
struct mshv_vm {
	int dev_fd;
	int fd;
	void *mem;
	__u64 mem_gpa;
	__u64 mem_size;
	struct mshv_vm_region *regions;
};

/**
 * struct mshv_vp - a virtual processor
 * @vm: the partition the VP belongs to
 * @fd: the VP fd
 * @index: the VP index
 * @msg: the message returned by the last mshv_vp_run()
 */
struct mshv_vp {
	struct mshv_vm *vm;
	int fd;
	__u32 index;
	struct hv_message msg;
};

/* /dev/mshv */
int mshv_open_dev(void);
int __mshv_create_partition(int dev_fd, void *arg);
int mshv_create_partition(int dev_fd, __u64 pt_flags);
int mshv_create_partition_v2(int dev_fd, __u64 pt_flags,
			     const __u64 banks[MSHV_NUM_CPU_FEATURES_BANKS],
			     __u64 disabled_xsave);

/**
 * struct mshv_assert_case - an ASSERT_VIRTUAL_INTERRUPT input and the
 *	status a test expects for it
 * @what: the case's name, for the log
 * @type: interrupt_type, HV_X64_INTERRUPT_TYPE_*
 * @flags: control_flags, HV_ASSERT_INTERRUPT_*
 * @vector: vector
 * @dest: dest_addr
 * @vtl: target_vtl
 * @rsvd0: rsvd_z0
 * @rsvd1: rsvd_z1
 * @status: the expected HV status
 */
struct mshv_assert_case {
	const char *what;
	__u32 type, flags, vector;
	__u64 dest;
	__u8 vtl, rsvd0;
	__u16 rsvd1;
	__u16 status;
};

/* MSHV_ROOT_HVCALL on any fd that accepts it */
int __mshv_hvcall(int fd, struct mshv_root_hvcall *args);
__u16 mshv_hvcall_status(int fd, __u16 code, const void *in, __u16 in_sz);
struct mshv_root_hvcall mshv_hvcall_args(__u16 code, __u16 reps,
					 const void *in, __u16 in_sz,
					 void *out, __u16 out_sz);
int mshv_hvcall_in(int fd, __u16 code, const void *in, __u16 in_sz,
		   __u16 *status);
__u16 mshv_hvcall_checked(int fd, struct mshv_root_hvcall *args, int *err);
__u16 mshv_assert_interrupt(int fd, __u32 type, __u32 flags, __u64 dest,
			    __u32 vector);
__u16 mshv_assert_case_status(int fd, const struct mshv_assert_case *c);
__u64 mshv_get_partition_property(int fd, __u32 code);
int mshv_set_partition_property(int fd, __u32 code, __u64 value,
				__u16 *status);
int mshv_partition_property_ex(int fd, __u32 code, __u64 *bank0);

/* Partitions */

/**
 * struct mshv_pt_property - a partition property and its value
 * @code: HV_PARTITION_PROPERTY_*
 * @value: the value
 */
struct mshv_pt_property {
	__u32 code;
	__u64 value;
};

struct mshv_vm *mshv_vm_create(void);
struct mshv_vm *mshv_vm_create_flags(__u64 pt_flags);
void mshv_vm_setup(struct mshv_vm *vm, const struct mshv_pt_property *props,
		   unsigned int nr_props, __u64 mem_size);
void mshv_vm_free(struct mshv_vm *vm);
int __mshv_initialize_partition(int pt_fd);
void mshv_initialize_partition(int pt_fd);

/* Guest memory */
void *mshv_alloc_host_memory(size_t size);
void mshv_free_host_memory(void *p, size_t size);
int __mshv_set_guest_memory(int pt_fd, __u64 size, __u64 guest_pfn,
			    __u64 userspace_addr, __u8 flags);
void mshv_map_guest_memory(int pt_fd, __u64 gpa, void *hva, __u64 size,
			   __u8 flags);
void mshv_unmap_guest_memory(int pt_fd, __u64 gpa, void *hva, __u64 size);
void mshv_vm_add_memory(struct mshv_vm *vm, __u64 gpa, __u64 size);
struct mshv_vm_region *mshv_vm_add_region(struct mshv_vm *vm, __u64 gpa,
					  __u64 size, void *hva, __u8 flags);
void mshv_vm_remove_region(struct mshv_vm *vm, struct mshv_vm_region *r);
struct mshv_vm_region *mshv_vm_find_region(struct mshv_vm *vm, __u64 gpa,
					   size_t len);
void *mshv_vm_gpa_to_hva(struct mshv_vm *vm, __u64 gpa, size_t len);
void mshv_vm_write(struct mshv_vm *vm, __u64 gpa, const void *buf,
		   size_t len);
void mshv_vm_read(struct mshv_vm *vm, __u64 gpa, void *buf, size_t len);
void mshv_vm_set_ivt(struct mshv_vm *vm, __u8 vector, __u16 handler);

/* Eventfds */
int __mshv_irqfd(int pt_fd, int fd, int resamplefd, __u32 gsi, __u32 flags);
int __mshv_ioeventfd(int pt_fd, int fd, __u64 addr, __u32 len,
		     __u64 datamatch, __u32 flags);

/* VPs */
int __mshv_create_vp(int pt_fd, __u32 vp_index);
struct mshv_vp *mshv_vp_create(struct mshv_vm *vm, __u32 vp_index);
void mshv_vp_free(struct mshv_vp *vp);

/* VP registers, through MSHV_ROOT_HVCALL GET/SET_VP_REGISTERS */
int __mshv_get_vp_registers(int fd, __u32 vp_index, const __u32 *names,
			    union hv_register_value *values, unsigned int count,
			    struct mshv_root_hvcall *args);
int __mshv_set_vp_registers(int fd, __u32 vp_index,
			    const struct hv_register_assoc *regs,
			    unsigned int count, struct mshv_root_hvcall *args);
void mshv_vp_get_registers(struct mshv_vp *vp, const __u32 *names,
			   union hv_register_value *values, unsigned int count);
void mshv_vp_set_registers(struct mshv_vp *vp,
			   const struct hv_register_assoc *regs,
			   unsigned int count);
__u64 mshv_vp_get_reg(struct mshv_vp *vp, __u32 name);
void mshv_vp_set_reg(struct mshv_vp *vp, __u32 name, __u64 value);
void mshv_vp_start_ap(struct mshv_vp *vp);
struct hv_x64_segment_register mshv_vp_get_segment(struct mshv_vp *vp,
						   __u32 name);
void mshv_vp_set_segment(struct mshv_vp *vp, __u32 name,
			 const struct hv_x64_segment_register *seg);
void mshv_vp_set_real_mode_cs(struct mshv_vp *vp, __u16 selector,
			      __u64 base);

/* Running */
int __mshv_run_vp(int vp_fd, struct hv_message *msg);
struct hv_message *mshv_vp_run(struct mshv_vp *vp);
const char *mshv_msg_type_name(__u32 type);
void mshv_expect_msg_type(const struct hv_message *msg, __u32 type);
const struct hv_x64_io_port_intercept_message *
mshv_vp_run_expect_io(struct mshv_vp *vp);
const struct hv_x64_halt_message *mshv_vp_run_expect_halt(struct mshv_vp *vp);
int mshv_vp_run_timeout(struct mshv_vp *vp, unsigned int ms);
void mshv_vp_skip_insn(struct mshv_vp *vp,
		       const struct hv_x64_intercept_message_header *hdr);
void mshv_vp_lapic_state(struct mshv_vp *vp, unsigned long req,
			 struct hv_local_interrupt_controller_state *page);
void mshv_vp_state(struct mshv_vp *vp, unsigned long req, __u8 type,
		   void *page);
__u64 mshv_vp_run_port(struct mshv_vp *vp, __u16 port);
const struct hv_x64_io_port_intercept_message *
mshv_vp_run_expect_port(struct mshv_vp *vp, __u16 port);

/*
 * Arithmetic the tests share; inline, as a call would hide from the
 * compiler that mshv_hva_u64() does not read the memory it points to.
 */

/* @a / @b rounded up */
static inline __u64 mshv_div_up(__u64 a, __u64 b)
{
	return (a + b - 1) / b;
}

/* @after - @before as a signed number: counters may go down (SLAT entries) */
static inline long long mshv_delta(__u64 after, __u64 before)
{
	return (long long)(after - before);
}

/* A host address as the __u64 the ioctls take */
static inline __u64 mshv_hva_u64(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* VP fd pages */
void *__mshv_mmap_vp_page(int vp_fd, unsigned long index);
void *mshv_mmap_vp_page(int vp_fd, unsigned long index);

#endif /* _MSHV_SELFTEST_LIB_H */
