// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small VMM library for the /dev/mshv selftests and the demo: partitions,
 * guest memory, VPs, registers through MSHV_ROOT_HVCALL, running a VP and
 * checking the intercept message it returns.  See mshv_lib.h.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "mshv_lib.h"

/**
 * __mshv_test_assert() - report a failed MSHV_TEST_ASSERT() and exit
 * @file: source file of the assertion
 * @line: line of the assertion
 * @expr: the condition that did not hold, as text
 * @fmt: printf format of the explanation, followed by its arguments
 *
 * Prints the location, the condition, errno and the explanation as TAP
 * diagnostics on stderr, then exits with MSHV_EXIT_FAIL.
 */
noreturn void __mshv_test_assert(const char *file, int line,
				 const char *expr, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# ==== Test Assertion Failure ====\n");
	fprintf(stderr, "#   %s:%d: %s\n", file, line, expr);
	fprintf(stderr, "#   errno=%d (%s)\n#   ", err, strerror(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(MSHV_EXIT_FAIL);
}

/**
 * mshv_open_dev() - open /dev/mshv the way VMMs do (O_RDONLY | O_CLOEXEC)
 *
 * Return: the fd; fails the test if the open fails.
 */
int mshv_open_dev(void)
{
	int fd = open(MSHV_DEV_PATH, O_RDONLY | O_CLOEXEC);

	MSHV_TEST_ASSERT(fd >= 0, "open(%s, O_RDONLY | O_CLOEXEC) failed",
			 MSHV_DEV_PATH);
	return fd;
}

/**
 * __mshv_create_partition() - issue MSHV_CREATE_PARTITION
 * @dev_fd: /dev/mshv
 * @arg: a struct mshv_create_partition, or a struct mshv_create_partition_v2
 *	 when pt_flags has MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES
 *
 * Return: the partition fd, or -1 with errno set.
 */
int __mshv_create_partition(int dev_fd, void *arg)
{
	return ioctl(dev_fd, MSHV_CREATE_PARTITION, arg);
}

/**
 * mshv_create_partition() - create a partition with the v1 argument
 * @dev_fd: /dev/mshv
 * @pt_flags: bitmask of 1 << MSHV_PT_BIT_* (without CPU_AND_XSAVE_FEATURES)
 *
 * Return: the partition fd (not initialized); fails the test on error.
 */
int mshv_create_partition(int dev_fd, __u64 pt_flags)
{
	struct mshv_create_partition args = {
		.pt_flags = pt_flags,
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
	};
	int fd = __mshv_create_partition(dev_fd, &args);

	MSHV_TEST_ASSERT(fd >= 0, "MSHV_CREATE_PARTITION (v1, pt_flags %#llx)",
			 (unsigned long long)pt_flags);
	return fd;
}

/**
 * mshv_create_partition_v2() - create a partition with the v2 argument
 * @dev_fd: /dev/mshv
 * @pt_flags: bitmask of 1 << MSHV_PT_BIT_*; CPU_AND_XSAVE_FEATURES is added
 * @banks: processor features to disable (1 = disabled)
 * @disabled_xsave: XSAVE features to disable (1 = disabled)
 *
 * Return: the partition fd (not initialized); fails the test on error.
 */
int mshv_create_partition_v2(int dev_fd, __u64 pt_flags,
			     const __u64 banks[MSHV_NUM_CPU_FEATURES_BANKS],
			     __u64 disabled_xsave)
{
	struct mshv_create_partition_v2 args = {
		.pt_flags = pt_flags | (1ULL << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES),
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
		.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS,
		.pt_disabled_xsave = disabled_xsave,
	};
	int fd;

	memcpy(args.pt_cpu_fbanks, banks, sizeof(args.pt_cpu_fbanks));
	fd = __mshv_create_partition(dev_fd, &args);
	MSHV_TEST_ASSERT(fd >= 0, "MSHV_CREATE_PARTITION (v2, pt_flags %#llx)",
			 (unsigned long long)args.pt_flags);
	return fd;
}

/**
 * __mshv_hvcall() - issue MSHV_ROOT_HVCALL
 * @fd: /dev/mshv, a partition fd or a VP fd
 * @args: the call; status and reps are updated by the kernel
 *
 * Return: the ioctl's return value (0, or -1 with errno set).
 */
int __mshv_hvcall(int fd, struct mshv_root_hvcall *args)
{
	return ioctl(fd, MSHV_ROOT_HVCALL, args);
}

/**
 * mshv_hvcall_status() - a simple MSHV_ROOT_HVCALL (no reps, no output)
 * @fd: partition or VP fd
 * @code: HVCALL_*
 * @in: the input (its first 8 bytes are replaced by the partition id)
 * @in_sz: size of @in
 *
 * Fails the test if the ioctl's result and the status disagree (an errno
 * without a failed status, or a failed status without an errno).
 *
 * Return: the HV status of the call.
 */
__u16 mshv_hvcall_status(int fd, __u16 code, const void *in, __u16 in_sz)
{
	struct mshv_root_hvcall a = mshv_hvcall_args(code, 0, in, in_sz, NULL,
						     0);

	return mshv_hvcall_checked(fd, &a, NULL);
}

/**
 * mshv_hvcall_args() - the MSHV_ROOT_HVCALL argument of a call
 * @code: HVCALL_*
 * @reps: rep count (0 for a simple call)
 * @in: the input, or NULL
 * @in_sz: size of @in
 * @out: the output buffer, or NULL
 * @out_sz: size of @out
 *
 * Return: the argument, status and flags zero.
 */
struct mshv_root_hvcall mshv_hvcall_args(__u16 code, __u16 reps,
					 const void *in, __u16 in_sz,
					 void *out, __u16 out_sz)
{
	struct mshv_root_hvcall a = {
		.code = code,
		.reps = reps,
		.in_sz = in_sz,
		.out_sz = out_sz,
		.in_ptr = (__u64)(unsigned long)in,
		.out_ptr = (__u64)(unsigned long)out,
	};

	return a;
}

/**
 * mshv_hvcall_in() - MSHV_ROOT_HVCALL with input only, its status apart
 * @fd: partition or VP fd
 * @code: HVCALL_*
 * @in: the input
 * @in_sz: size of @in
 * @status: receives the hypercall status
 *
 * Return: 0, or -errno of the failed ioctl.
 */
int mshv_hvcall_in(int fd, __u16 code, const void *in, __u16 in_sz,
		   __u16 *status)
{
	struct mshv_root_hvcall a = mshv_hvcall_args(code, 0, in, in_sz, NULL,
						     0);
	int ret = __mshv_hvcall(fd, &a);

	*status = a.status;
	return ret ? -errno : 0;
}

/**
 * mshv_hvcall_checked() - MSHV_ROOT_HVCALL with any arguments
 * @fd: /dev/mshv, partition or VP fd
 * @args: the call (code, reps, input and output); the kernel updates its
 *	status and reps
 * @err: if not NULL, receives the errno of a failed ioctl, 0 on success
 *
 * Fails the test if the ioctl's result and the status disagree (an errno
 * without a failed status, or a failed status without an errno).
 *
 * Return: the HV status of the call.
 */
__u16 mshv_hvcall_checked(int fd, struct mshv_root_hvcall *args, int *err)
{
	int ret = __mshv_hvcall(fd, args);

	if (err)
		*err = ret ? errno : 0;
	MSHV_TEST_ASSERT(!ret == !args->status, "ret %d, status %#x", ret,
			 args->status);
	return args->status;
}

/**
 * mshv_assert_interrupt() - ASSERT_VIRTUAL_INTERRUPT through @fd
 * @fd: partition fd
 * @type: HV_X64_INTERRUPT_TYPE_*
 * @flags: HV_ASSERT_INTERRUPT_* control flags
 * @dest: destination APIC id (or logical mask)
 * @vector: the vector
 *
 * Return: the HV status of the call.
 */
__u16 mshv_assert_interrupt(int fd, __u32 type, __u32 flags, __u64 dest,
			    __u32 vector)
{
	const struct mshv_assert_case c = {
		.type = type,
		.flags = flags,
		.vector = vector,
		.dest = dest,
	};

	return mshv_assert_case_status(fd, &c);
}

/**
 * mshv_assert_case_status() - ASSERT_VIRTUAL_INTERRUPT of every input
 *	field of @c through @fd
 * @fd: partition fd
 * @c: the input; @c->what and @c->status are not used
 *
 * Return: the HV status of the call.
 */
__u16 mshv_assert_case_status(int fd, const struct mshv_assert_case *c)
{
	struct hv_input_assert_virtual_interrupt in = {
		.interrupt_type = c->type,
		.control_flags = c->flags,
		.dest_addr = c->dest,
		.vector = c->vector,
		.target_vtl = c->vtl,
		.rsvd_z0 = c->rsvd0,
		.rsvd_z1 = c->rsvd1,
	};

	return mshv_hvcall_status(fd, HVCALL_ASSERT_VIRTUAL_INTERRUPT, &in,
				  sizeof(in));
}

/**
 * mshv_get_partition_property() - GET_PARTITION_PROPERTY through @fd
 * @fd: /dev/mshv (the root partition itself) or a partition fd
 * @code: HV_PARTITION_PROPERTY_*
 *
 * Return: the property's value; fails the test unless the call succeeds.
 */
__u64 mshv_get_partition_property(int fd, __u32 code)
{
	struct hv_input_get_partition_property in = {
		.property_code = code,
	};
	struct hv_output_get_partition_property out = { 0 };
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_PARTITION_PROPERTY, 0, &in,
				 sizeof(in), &out, sizeof(out));
	int ret = __mshv_hvcall(fd, &args);

	MSHV_TEST_ASSERT(ret == 0 && args.status == HV_STATUS_SUCCESS,
			 "GET_PARTITION_PROPERTY %#x: ret %d, status %#x",
			 code, ret, args.status);
	return out.property_value;
}

/**
 * mshv_set_partition_property() - SET_PARTITION_PROPERTY through @fd
 * @fd: a partition fd
 * @code: HV_PARTITION_PROPERTY_*
 * @value: the new value
 * @status: receives the hypercall status
 *
 * Return: 0, or -errno of the failed ioctl.
 */
int mshv_set_partition_property(int fd, __u32 code, __u64 value,
				__u16 *status)
{
	struct hv_input_set_partition_property in = {
		.property_code = code,
		.property_value = value,
	};

	return mshv_hvcall_in(fd, HVCALL_SET_PARTITION_PROPERTY, &in,
			      sizeof(in), status);
}

/**
 * mshv_partition_property_ex() - bank 0 of a banked property through
 *	GET_PARTITION_PROPERTY_EX (of SELF)
 * @fd: /dev/mshv or a partition fd
 * @code: HV_PARTITION_PROPERTY_*
 * @bank0: receives the first bank
 *
 * Return: 0; -errno of the failed ioctl; -EPROTO unless the answer has
 * exactly one bank.
 */
int mshv_partition_property_ex(int fd, __u32 code, __u64 *bank0)
{
	struct hv_input_get_partition_property_ex in = {
		.partition_id = HV_PARTITION_ID_SELF,
		.property_code = code,
	};
	__u64 out[2] = { 0 };
	struct mshv_root_hvcall args =
		mshv_hvcall_args(HVCALL_GET_PARTITION_PROPERTY_EX, 0, &in,
				 sizeof(in), out, sizeof(out));

	if (__mshv_hvcall(fd, &args))
		return -errno;
	if (out[0] != 1)	/* bank_count 1, reserved 0 */
		return -EPROTO;
	*bank0 = out[1];
	return 0;
}

/**
 * mshv_vm_create() - open /dev/mshv, create and initialize a partition
 *
 * The partition is created with the v1 argument and MSHV_PT_BIT_LAPIC, and
 * has no memory yet (see mshv_vm_add_memory()).
 *
 * Return: the new VM, freed by mshv_vm_free(); fails the test on error.
 */
struct mshv_vm *mshv_vm_create(void)
{
	return mshv_vm_create_flags(1ULL << MSHV_PT_BIT_LAPIC);
}

/**
 * mshv_vm_create_flags() - mshv_vm_create() with other partition flags
 * @pt_flags: bitmask of 1 << MSHV_PT_BIT_* (v1 argument)
 *
 * Return: the new VM, freed by mshv_vm_free(); fails the test on error.
 */
struct mshv_vm *mshv_vm_create_flags(__u64 pt_flags)
{
	struct mshv_vm *vm = calloc(1, sizeof(*vm));

	MSHV_TEST_ASSERT(vm, "out of memory");
	vm->dev_fd = mshv_open_dev();
	vm->fd = mshv_create_partition(vm->dev_fd, pt_flags);
	mshv_initialize_partition(vm->fd);
	return vm;
}

/**
 * mshv_vm_setup() - open /dev/mshv, create, set up and initialize a
 *	partition in @vm
 * @vm: the VM to fill in; its previous contents are ignored
 * @props: partition properties set before the initialization, in order
 * @nr_props: how many @props there are (0: none, @props may be NULL)
 * @mem_size: bytes of guest memory added at GPA 0 (mshv_vm_add_memory());
 *	0 for none
 *
 * The partition is created with the v1 argument and MSHV_PT_BIT_LAPIC.
 * Fails the test unless every property is set with status 0.  The caller
 * owns @vm: close its fds and unmap @vm->mem when done.
 */
void mshv_vm_setup(struct mshv_vm *vm, const struct mshv_pt_property *props,
		   unsigned int nr_props, __u64 mem_size)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->dev_fd = mshv_open_dev();
	vm->fd = mshv_create_partition(vm->dev_fd, 1ULL << MSHV_PT_BIT_LAPIC);
	for (i = 0; i < nr_props; i++) {
		__u16 status = 0xFFFF;
		int ret = mshv_set_partition_property(vm->fd, props[i].code,
						      props[i].value, &status);

		MSHV_TEST_ASSERT(ret == 0 && !status,
				 "SET_PARTITION_PROPERTY %#x = %#llx: ret %d, status %#x",
				 props[i].code,
				 (unsigned long long)props[i].value, ret,
				 status);
	}
	mshv_initialize_partition(vm->fd);
	if (mem_size)
		mshv_vm_add_memory(vm, 0, mem_size);
}

/**
 * mshv_vm_free() - close a VM's fds, then release its guest memory
 * @vm: the VM, or NULL
 *
 * Closing the partition fd removes its regions; the memory the library
 * allocated for them is freed after that.
 */
void mshv_vm_free(struct mshv_vm *vm)
{
	struct mshv_vm_region *r, *next;

	if (!vm)
		return;
	MSHV_TEST_ASSERT(close(vm->fd) == 0, "close(partition fd)");
	MSHV_TEST_ASSERT(close(vm->dev_fd) == 0, "close(/dev/mshv)");
	for (r = vm->regions; r; r = next) {
		next = r->next;
		if (r->owned)
			mshv_free_host_memory(r->hva, r->size);
		free(r);
	}
	free(vm);
}

/**
 * __mshv_initialize_partition() - issue MSHV_INITIALIZE_PARTITION
 * @pt_fd: partition fd
 *
 * Return: the ioctl's return value (0, or -1 with errno set).
 */
int __mshv_initialize_partition(int pt_fd)
{
	return ioctl(pt_fd, MSHV_INITIALIZE_PARTITION);
}

/**
 * mshv_initialize_partition() - MSHV_INITIALIZE_PARTITION, failing the test
 *	on error
 * @pt_fd: partition fd
 */
void mshv_initialize_partition(int pt_fd)
{
	MSHV_TEST_ASSERT(__mshv_initialize_partition(pt_fd) == 0,
			 "MSHV_INITIALIZE_PARTITION");
}

/**
 * mshv_alloc_host_memory() - anonymous memory to back guest memory
 * @size: size in bytes, a multiple of the page size
 *
 * The memory is a mapping of its own between two PROT_NONE guard pages,
 * so that no anonymous mapping made next to it later merges with it: a
 * madvise() or mprotect() of such a neighbour would then split the merged
 * VMA at the memory's edge, and splitting a VMA at an address that is not
 * 2 MiB aligned makes the kernel invalidate (MMU notifier) the whole 2 MiB
 * around it, huge page or not: guest memory there would be unmapped from
 * the SLAT and fault again, which tests counting faults must not see.
 *
 * Return: zeroed, page-aligned private anonymous memory; release it with
 * mshv_free_host_memory() (munmap() leaves the guard pages, which hold no
 * memory); fails the test if mmap() fails.
 */
void *mshv_alloc_host_memory(size_t size)
{
	size_t guard = MSHV_PAGE_SIZE;
	char *base;
	void *p;

	base = mmap(NULL, size + 2 * guard, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	MSHV_TEST_ASSERT(base != MAP_FAILED, "mmap(%zu bytes)", size);
	p = mmap(base + guard, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	MSHV_TEST_ASSERT(p == base + guard, "mmap(%zu bytes)", size);
	return p;
}

/**
 * mshv_free_host_memory() - release memory from mshv_alloc_host_memory()
 * @p: the memory, or NULL
 * @size: the size it was allocated with
 */
void mshv_free_host_memory(void *p, size_t size)
{
	if (p)
		munmap((char *)p - MSHV_PAGE_SIZE, size + 2 * MSHV_PAGE_SIZE);
}

/**
 * __mshv_set_guest_memory() - issue MSHV_SET_GUEST_MEMORY
 * @pt_fd: partition fd
 * @size: size in bytes
 * @guest_pfn: first guest page frame number
 * @userspace_addr: host virtual address of the backing
 * @flags: bitmask of 1 << MSHV_SET_MEM_BIT_*
 *
 * Return: the ioctl's return value (0, or -1 with errno set).
 */
int __mshv_set_guest_memory(int pt_fd, __u64 size, __u64 guest_pfn,
			    __u64 userspace_addr, __u8 flags)
{
	struct mshv_user_mem_region r = {
		.size = size,
		.guest_pfn = guest_pfn,
		.userspace_addr = userspace_addr,
		.flags = flags,
	};

	return ioctl(pt_fd, MSHV_SET_GUEST_MEMORY, &r);
}

/**
 * mshv_map_guest_memory() - map host memory into the guest
 * @pt_fd: partition fd
 * @gpa: guest physical address, page aligned
 * @hva: host virtual address, page aligned
 * @size: size in bytes, a multiple of the page size
 * @flags: bitmask of 1 << MSHV_SET_MEM_BIT_WRITABLE / _EXECUTABLE
 *
 * Fails the test on error.
 */
void mshv_map_guest_memory(int pt_fd, __u64 gpa, void *hva, __u64 size,
			   __u8 flags)
{
	int ret = __mshv_set_guest_memory(pt_fd, size, MSHV_PFN(gpa),
					  (__u64)(unsigned long)hva, flags);

	MSHV_TEST_ASSERT(ret == 0,
			 "MSHV_SET_GUEST_MEMORY map gpa %#llx size %#llx flags %#x",
			 (unsigned long long)gpa, (unsigned long long)size,
			 flags);
}

/**
 * mshv_unmap_guest_memory() - remove a region mapped by
 *	mshv_map_guest_memory()
 * @pt_fd: partition fd
 * @gpa: guest physical address the region was mapped at
 * @hva: host virtual address it was mapped from
 * @size: its size in bytes
 *
 * Fails the test on error.
 */
void mshv_unmap_guest_memory(int pt_fd, __u64 gpa, void *hva, __u64 size)
{
	int ret = __mshv_set_guest_memory(pt_fd, size, MSHV_PFN(gpa),
					  (__u64)(unsigned long)hva,
					  1 << MSHV_SET_MEM_BIT_UNMAP);

	MSHV_TEST_ASSERT(ret == 0,
			 "MSHV_SET_GUEST_MEMORY unmap gpa %#llx size %#llx",
			 (unsigned long long)gpa, (unsigned long long)size);
}

/**
 * mshv_vm_add_region() - map one more region of guest memory into a VM
 * @vm: the VM
 * @gpa: guest physical address of the region, page aligned
 * @size: size in bytes, a multiple of the page size
 * @hva: the backing, page aligned, or NULL for new anonymous memory
 * @flags: bitmask of 1 << MSHV_SET_MEM_BIT_WRITABLE / _EXECUTABLE
 *
 * The VM keeps the region until mshv_vm_remove_region() or
 * mshv_vm_free(); memory the library allocated (@hva NULL) is freed then,
 * a backing the caller passed stays the caller's.  mshv_vm_write(),
 * mshv_vm_read() and mshv_vm_gpa_to_hva() reach every region.
 *
 * Return: the region; fails the test on error.
 */
struct mshv_vm_region *mshv_vm_add_region(struct mshv_vm *vm, __u64 gpa,
					  __u64 size, void *hva, __u8 flags)
{
	struct mshv_vm_region *r = calloc(1, sizeof(*r)), **tail;

	MSHV_TEST_ASSERT(r, "out of memory");
	r->gpa = gpa;
	r->size = size;
	r->flags = flags;
	r->owned = !hva;
	r->hva = hva ? hva : mshv_alloc_host_memory(size);
	mshv_map_guest_memory(vm->fd, gpa, r->hva, size, flags);
	for (tail = &vm->regions; *tail; tail = &(*tail)->next)
		;
	*tail = r;
	return r;
}

/**
 * mshv_vm_remove_region() - unmap a region added by mshv_vm_add_region()
 * @vm: the VM
 * @r: the region; freed here
 *
 * Fails the test if the unmap fails or @r is not one of @vm's regions.
 */
void mshv_vm_remove_region(struct mshv_vm *vm, struct mshv_vm_region *r)
{
	struct mshv_vm_region **p;

	for (p = &vm->regions; *p && *p != r; p = &(*p)->next)
		;
	MSHV_TEST_ASSERT(*p, "region %p is not the VM's", (void *)r);
	mshv_unmap_guest_memory(vm->fd, r->gpa, r->hva, r->size);
	*p = r->next;
	if (r->hva == vm->mem) {
		vm->mem = NULL;
		vm->mem_gpa = 0;
		vm->mem_size = 0;
	}
	if (r->owned)
		mshv_free_host_memory(r->hva, r->size);
	free(r);
}

/**
 * mshv_vm_add_memory() - give a VM its main region of guest memory
 * @vm: the VM
 * @gpa: guest physical address of the region
 * @size: size in bytes
 *
 * The region is new anonymous memory, mapped readable, writable and
 * executable, and is also described by @vm->mem, @vm->mem_gpa and
 * @vm->mem_size; mshv_vm_free() releases it.  A VM has at most one such
 * region; more are added with mshv_vm_add_region().
 */
void mshv_vm_add_memory(struct mshv_vm *vm, __u64 gpa, __u64 size)
{
	struct mshv_vm_region *r;

	MSHV_TEST_ASSERT(!vm->mem, "the VM has its main region already");
	r = mshv_vm_add_region(vm, gpa, size, NULL,
			       (1 << MSHV_SET_MEM_BIT_WRITABLE) |
			       (1 << MSHV_SET_MEM_BIT_EXECUTABLE));
	vm->mem = r->hva;
	vm->mem_gpa = gpa;
	vm->mem_size = size;
}

/**
 * mshv_vm_find_region() - the VM's region that holds a range of GPAs
 * @vm: the VM
 * @gpa: guest physical address of the first byte
 * @len: length of the range in bytes
 *
 * Return: the region that holds all of [@gpa, @gpa + @len), or NULL.
 */
struct mshv_vm_region *mshv_vm_find_region(struct mshv_vm *vm, __u64 gpa,
					   size_t len)
{
	struct mshv_vm_region *r;

	for (r = vm->regions; r; r = r->next)
		if (gpa >= r->gpa && len <= r->size &&
		    gpa - r->gpa <= r->size - len)
			return r;
	return NULL;
}

/**
 * mshv_vm_set_ivt() - point a vector of the real-mode IVT at GPA 0 at
 *	@handler, in segment 0
 * @vm: the VM; the first KiB of guest memory holds the IVT
 * @vector: the vector
 * @handler: the handler's offset (and guest physical address)
 */
void mshv_vm_set_ivt(struct mshv_vm *vm, __u8 vector, __u16 handler)
{
	const __u8 ivt[4] = { handler & 0xFF, handler >> 8, 0, 0 };

	mshv_vm_write(vm, vector * 4, ivt, sizeof(ivt));
}

/**
 * mshv_vm_gpa_to_hva() - host address of guest memory
 * @vm: the VM
 * @gpa: guest physical address of the first byte
 * @len: length of the range the caller will access
 *
 * Return: the host address of @gpa; fails the test unless one region of
 * the VM holds the whole range.
 */
void *mshv_vm_gpa_to_hva(struct mshv_vm *vm, __u64 gpa, size_t len)
{
	struct mshv_vm_region *r = mshv_vm_find_region(vm, gpa, len);

	MSHV_TEST_ASSERT(r, "gpa %#llx + %zu outside guest memory",
			 (unsigned long long)gpa, len);
	return (char *)r->hva + (gpa - r->gpa);
}

/**
 * mshv_vm_write() - copy bytes into a VM's guest memory (e.g. guest code)
 * @vm: the VM
 * @gpa: guest physical address of the first byte
 * @buf: the bytes
 * @len: how many
 *
 * Fails the test if the range is not inside one of the VM's regions.
 */
void mshv_vm_write(struct mshv_vm *vm, __u64 gpa, const void *buf,
		   size_t len)
{
	memcpy(mshv_vm_gpa_to_hva(vm, gpa, len), buf, len);
}

/**
 * mshv_vm_read() - copy bytes out of a VM's guest memory
 * @vm: the VM
 * @gpa: guest physical address of the first byte
 * @buf: where to copy them
 * @len: how many
 *
 * Fails the test if the range is not inside one of the VM's regions.
 */
void mshv_vm_read(struct mshv_vm *vm, __u64 gpa, void *buf, size_t len)
{
	memcpy(buf, mshv_vm_gpa_to_hva(vm, gpa, len), len);
}

/**
 * __mshv_irqfd() - issue MSHV_IRQFD
 * @pt_fd: partition fd
 * @fd: the eventfd
 * @resamplefd: the resample eventfd, or -1
 * @gsi: the guest interrupt
 * @flags: MSHV_IRQFD_BIT_* bits
 *
 * Return: 0, or -1 with errno set.
 */
int __mshv_irqfd(int pt_fd, int fd, int resamplefd, __u32 gsi, __u32 flags)
{
	struct mshv_user_irqfd args = {
		.fd = fd,
		.resamplefd = resamplefd,
		.gsi = gsi,
		.flags = flags,
	};

	return ioctl(pt_fd, MSHV_IRQFD, &args);
}

/**
 * __mshv_ioeventfd() - issue MSHV_IOEVENTFD
 * @pt_fd: partition fd
 * @fd: the eventfd
 * @addr: guest physical address of the doorbell
 * @len: access length (0, 1, 2, 4 or 8)
 * @datamatch: the value to match (with MSHV_IOEVENTFD_BIT_DATAMATCH)
 * @flags: MSHV_IOEVENTFD_BIT_* bits
 *
 * Return: 0, or -1 with errno set.
 */
int __mshv_ioeventfd(int pt_fd, int fd, __u64 addr, __u32 len,
		     __u64 datamatch, __u32 flags)
{
	struct mshv_user_ioeventfd args = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = flags,
	};

	return ioctl(pt_fd, MSHV_IOEVENTFD, &args);
}

/**
 * __mshv_create_vp() - issue MSHV_CREATE_VP
 * @pt_fd: partition fd
 * @vp_index: index of the new VP
 *
 * Return: the VP fd, or -1 with errno set.
 */
int __mshv_create_vp(int pt_fd, __u32 vp_index)
{
	struct mshv_create_vp args = { .vp_index = vp_index };

	return ioctl(pt_fd, MSHV_CREATE_VP, &args);
}

/**
 * mshv_vp_create() - create a VP
 * @vm: the VM
 * @vp_index: index of the new VP
 *
 * Return: the VP, freed by mshv_vp_free(); fails the test on error.
 */
struct mshv_vp *mshv_vp_create(struct mshv_vm *vm, __u32 vp_index)
{
	struct mshv_vp *vp = calloc(1, sizeof(*vp));

	MSHV_TEST_ASSERT(vp, "out of memory");
	vp->vm = vm;
	vp->index = vp_index;
	vp->fd = __mshv_create_vp(vm->fd, vp_index);
	MSHV_TEST_ASSERT(vp->fd >= 0, "MSHV_CREATE_VP %u", vp_index);
	return vp;
}

/**
 * mshv_vp_free() - close a VP's fd and free it
 * @vp: the VP, or NULL
 */
void mshv_vp_free(struct mshv_vp *vp)
{
	if (!vp)
		return;
	MSHV_TEST_ASSERT(close(vp->fd) == 0, "close(VP fd)");
	free(vp);
}

/*
 * The input page of GET/SET_VP_REGISTERS: 16-byte header, then the rep
 * elements.  The partition id (first 8 bytes) is filled in by the kernel.
 */
union mshv_regs_input {
	struct hv_input_get_vp_registers get;
	struct hv_input_set_vp_registers set;
	__u8 page[MSHV_HV_PAGE_SIZE];
};

/**
 * __mshv_get_vp_registers() - HVCALL_GET_VP_REGISTERS through MSHV_ROOT_HVCALL
 * @fd: VP or partition fd
 * @vp_index: VP to read (input @8; the kernel fills in the partition id)
 * @names: register names (HV_*REGISTER_*), one per rep
 * @values: receives one 16-byte value per name
 * @count: number of registers (the rep count)
 * @args: receives the call as the kernel returned it (status, reps)
 *
 * Return: the ioctl's return value; -1 with errno E2BIG if @count exceeds
 * one call.
 */
int __mshv_get_vp_registers(int fd, __u32 vp_index, const __u32 *names,
			    union hv_register_value *values, unsigned int count,
			    struct mshv_root_hvcall *args)
{
	union mshv_regs_input in;

	if (count > HV_GET_VP_REGISTERS_BATCH_SIZE ||
	    sizeof(in.get) + count * sizeof(__u32) > sizeof(in)) {
		errno = E2BIG;
		return -1;
	}
	memset(&in, 0, sizeof(in));
	in.get.vp_index = vp_index;
	memcpy(in.get.names, names, count * sizeof(__u32));
	memset(args, 0, sizeof(*args));
	args->code = HVCALL_GET_VP_REGISTERS;
	args->reps = count;
	args->in_sz = sizeof(in.get) + count * sizeof(__u32);
	args->out_sz = count * sizeof(*values);
	args->in_ptr = (__u64)(unsigned long)&in;
	args->out_ptr = (__u64)(unsigned long)values;
	return __mshv_hvcall(fd, args);
}

/**
 * __mshv_set_vp_registers() - HVCALL_SET_VP_REGISTERS through MSHV_ROOT_HVCALL
 * @fd: VP or partition fd
 * @vp_index: VP to write
 * @regs: name/value pairs, one per rep
 * @count: number of registers (the rep count)
 * @args: receives the call as the kernel returned it (status, reps)
 *
 * Return: the ioctl's return value; -1 with errno E2BIG if @count exceeds
 * one call.
 */
int __mshv_set_vp_registers(int fd, __u32 vp_index,
			    const struct hv_register_assoc *regs,
			    unsigned int count, struct mshv_root_hvcall *args)
{
	union mshv_regs_input in;

	if (count > HV_SET_VP_REGISTERS_BATCH_SIZE) {
		errno = E2BIG;
		return -1;
	}
	memset(&in, 0, sizeof(in));
	in.set.vp_index = vp_index;
	memcpy(in.set.elements, regs, count * sizeof(*regs));
	memset(args, 0, sizeof(*args));
	args->code = HVCALL_SET_VP_REGISTERS;
	args->reps = count;
	args->in_sz = sizeof(in.set) + count * sizeof(*regs);
	args->in_ptr = (__u64)(unsigned long)&in;
	return __mshv_hvcall(fd, args);
}

/**
 * mshv_vp_get_registers() - read registers of @vp
 * @vp: the VP
 * @names: register names
 * @values: receives the values
 * @count: number of registers
 *
 * Fails the test unless the call succeeds with every rep completed.
 */
void mshv_vp_get_registers(struct mshv_vp *vp, const __u32 *names,
			   union hv_register_value *values, unsigned int count)
{
	struct mshv_root_hvcall args;
	int ret;

	ret = __mshv_get_vp_registers(vp->fd, vp->index, names, values, count,
				      &args);
	MSHV_TEST_ASSERT(ret == 0 && args.status == HV_STATUS_SUCCESS &&
			 args.reps == count,
			 "GET_VP_REGISTERS vp %u, %u regs (first %#x): ret %d, status %#x, reps %u",
			 vp->index, count, names[0], ret, args.status,
			 args.reps);
}

/**
 * mshv_vp_set_registers() - write registers of @vp
 * @vp: the VP
 * @regs: name/value pairs
 * @count: number of registers
 *
 * Fails the test unless the call succeeds with every rep completed.
 */
void mshv_vp_set_registers(struct mshv_vp *vp,
			   const struct hv_register_assoc *regs,
			   unsigned int count)
{
	struct mshv_root_hvcall args;
	int ret;

	ret = __mshv_set_vp_registers(vp->fd, vp->index, regs, count, &args);
	MSHV_TEST_ASSERT(ret == 0 && args.status == HV_STATUS_SUCCESS &&
			 args.reps == count,
			 "SET_VP_REGISTERS vp %u, %u regs (first %#x): ret %d, status %#x, reps %u",
			 vp->index, count, regs[0].name, ret, args.status,
			 args.reps);
}

/**
 * mshv_vp_get_reg() - read one 64-bit register of @vp
 * @vp: the VP
 * @name: register name
 *
 * Return: the register's value.
 */
__u64 mshv_vp_get_reg(struct mshv_vp *vp, __u32 name)
{
	union hv_register_value v;

	mshv_vp_get_registers(vp, &name, &v, 1);
	return v.reg64;
}

/**
 * mshv_vp_set_reg() - write one 64-bit register of @vp
 * @vp: the VP
 * @name: register name
 * @value: the value
 */
void mshv_vp_set_reg(struct mshv_vp *vp, __u32 name, __u64 value)
{
	struct hv_register_assoc r = {
		.name = name,
		.value.reg64 = value,
	};

	mshv_vp_set_registers(vp, &r, 1);
}

/**
 * mshv_vp_start_ap() - let an application processor run without a SIPI
 * @vp: the VP
 *
 * Every VP but VP 0 is created waiting for a SIPI (INTERNAL_ACTIVITY_STATE
 * STARTUP_SUSPEND), as application processors are; a test that sets up
 * such a VP's registers itself and runs it directly clears that state
 * first, the way a VMM starts an AP it has configured.
 */
void mshv_vp_start_ap(struct mshv_vp *vp)
{
	mshv_vp_set_reg(vp, HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0);
}

/**
 * mshv_vp_get_segment() - read a segment register of @vp
 * @vp: the VP
 * @name: HV_X64_REGISTER_ES ... _GS, _LDTR or _TR
 *
 * Return: the segment register.
 */
struct hv_x64_segment_register mshv_vp_get_segment(struct mshv_vp *vp,
						   __u32 name)
{
	union hv_register_value v;

	mshv_vp_get_registers(vp, &name, &v, 1);
	return v.segment;
}

/**
 * mshv_vp_set_segment() - write a segment register of @vp
 * @vp: the VP
 * @name: HV_X64_REGISTER_ES ... _GS, _LDTR or _TR
 * @seg: the new value
 */
void mshv_vp_set_segment(struct mshv_vp *vp, __u32 name,
			 const struct hv_x64_segment_register *seg)
{
	struct hv_register_assoc r = {
		.name = name,
		.value.segment = *seg,
	};

	mshv_vp_set_registers(vp, &r, 1);
}

/**
 * mshv_vp_set_real_mode_cs() - point CS at @base with selector @selector
 * @vp: the VP
 * @selector: the new selector
 * @base: the new base
 *
 * The limit and attributes of the VP's (real-mode) CS are kept.
 */
void mshv_vp_set_real_mode_cs(struct mshv_vp *vp, __u16 selector,
			      __u64 base)
{
	struct hv_x64_segment_register cs;

	cs = mshv_vp_get_segment(vp, HV_X64_REGISTER_CS);
	cs.base = base;
	cs.selector = selector;
	mshv_vp_set_segment(vp, HV_X64_REGISTER_CS, &cs);
}

/**
 * __mshv_run_vp() - issue MSHV_RUN_VP once
 * @vp_fd: VP fd
 * @msg: receives the 256-byte message when the call succeeds
 *
 * Return: the ioctl's return value (0, or -1 with errno set).
 */
int __mshv_run_vp(int vp_fd, struct hv_message *msg)
{
	struct mshv_run_vp run;
	int ret;

	static_assert(sizeof(run.msg_buf) == sizeof(*msg),
		      "MSHV_RUN_VP returns one hv_message");
	memset(&run, 0, sizeof(run));
	ret = ioctl(vp_fd, MSHV_RUN_VP, &run);
	if (!ret)
		memcpy(msg, run.msg_buf, sizeof(*msg));
	return ret;
}

/**
 * mshv_vp_run() - run @vp until it stops with a message
 * @vp: the VP
 *
 * MSHV_RUN_VP is repeated when it returns EINTR.
 *
 * Return: @vp->msg, the message; fails the test on other errors.
 */
struct hv_message *mshv_vp_run(struct mshv_vp *vp)
{
	int ret;

	do {
		ret = __mshv_run_vp(vp->fd, &vp->msg);
	} while (ret == -1 && errno == EINTR);
	MSHV_TEST_ASSERT(ret == 0, "MSHV_RUN_VP vp %u", vp->index);
	return &vp->msg;
}

/**
 * mshv_msg_type_name() - name of a SynIC message type, for diagnostics
 * @type: HVMSG_*
 *
 * Return: a static string, "unknown" for types the library does not know.
 */
const char *mshv_msg_type_name(__u32 type)
{
	switch (type) {
	case HVMSG_NONE:
		return "NONE";
	case HVMSG_UNMAPPED_GPA:
		return "UNMAPPED_GPA";
	case HVMSG_GPA_INTERCEPT:
		return "GPA_INTERCEPT";
	case HVMSG_UNRECOVERABLE_EXCEPTION:
		return "UNRECOVERABLE_EXCEPTION";
	case HVMSG_INVALID_VP_REGISTER_VALUE:
		return "INVALID_VP_REGISTER_VALUE";
	case HVMSG_UNSUPPORTED_FEATURE:
		return "UNSUPPORTED_FEATURE";
	case HVMSG_X64_IO_PORT_INTERCEPT:
		return "X64_IO_PORT_INTERCEPT";
	case HVMSG_X64_MSR_INTERCEPT:
		return "X64_MSR_INTERCEPT";
	case HVMSG_X64_CPUID_INTERCEPT:
		return "X64_CPUID_INTERCEPT";
	case HVMSG_X64_EXCEPTION_INTERCEPT:
		return "X64_EXCEPTION_INTERCEPT";
	case HVMSG_X64_HALT:
		return "X64_HALT";
	case HVMSG_X64_SIPI_INTERCEPT:
		return "X64_SIPI_INTERCEPT";
	case HVMSG_X64_APIC_INIT_SIPI_INTERCEPT:
		return "X64_APIC_INIT_SIPI_INTERCEPT";
	default:
		return "unknown";
	}
}

/**
 * mshv_expect_msg_type() - fail the test unless @msg is of type @type
 * @msg: the message
 * @type: the expected HVMSG_*
 *
 * On failure the type received, its payload size and RIP are shown.
 */
void mshv_expect_msg_type(const struct hv_message *msg, __u32 type)
{
	const struct hv_x64_intercept_message_header *hdr =
		(const void *)msg->u.payload_bytes;

	MSHV_TEST_ASSERT(msg->header.message_type == type,
			 "expected message %#x (%s), got %#x (%s), payload_size %u, rip %#llx",
			 type, mshv_msg_type_name(type),
			 msg->header.message_type,
			 mshv_msg_type_name(msg->header.message_type),
			 msg->header.payload_size,
			 (unsigned long long)hdr->rip);
}

/**
 * mshv_vp_run_expect_io() - run @vp and expect a port I/O intercept
 * @vp: the VP
 *
 * Return: the intercept's payload (inside @vp->msg).
 */
const struct hv_x64_io_port_intercept_message *
mshv_vp_run_expect_io(struct mshv_vp *vp)
{
	struct hv_message *msg = mshv_vp_run(vp);

	mshv_expect_msg_type(msg, HVMSG_X64_IO_PORT_INTERCEPT);
	return (const void *)msg->u.payload_bytes;
}

/**
 * mshv_vp_run_expect_halt() - run @vp and expect a HLT intercept
 * @vp: the VP
 *
 * Return: the intercept's payload (inside @vp->msg).
 */
const struct hv_x64_halt_message *mshv_vp_run_expect_halt(struct mshv_vp *vp)
{
	struct hv_message *msg = mshv_vp_run(vp);

	mshv_expect_msg_type(msg, HVMSG_X64_HALT);
	return (const void *)msg->u.payload_bytes;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/**
 * mshv_vp_run_timeout() - MSHV_RUN_VP into @vp->msg, ended by SIGALRM
 *	after @ms milliseconds
 * @vp: the VP
 * @ms: milliseconds
 *
 * Installs a SIGALRM handler without SA_RESTART, so that the interrupted
 * ioctl returns EINTR, and disarms the timer afterwards.
 *
 * Return: the ioctl's return value, errno preserved.
 */
int mshv_vp_run_timeout(struct mshv_vp *vp, unsigned int ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval t = {
		.it_value.tv_sec = ms / 1000,
		.it_value.tv_usec = ms % 1000 * 1000,
	};
	struct itimerval off = { 0 };
	int ret, err;

	MSHV_TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	MSHV_TEST_ASSERT(setitimer(ITIMER_REAL, &t, NULL) == 0, "setitimer");
	ret = __mshv_run_vp(vp->fd, &vp->msg);
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	errno = err;
	return ret;
}

/**
 * mshv_vp_lapic_state() - MSHV_GET_VP_STATE or MSHV_SET_VP_STATE of the
 *	LAPIC state, failing the test if the ioctl fails
 * @vp: the VP
 * @req: MSHV_GET_VP_STATE or MSHV_SET_VP_STATE
 * @page: a page-aligned, page-sized buffer
 */
void mshv_vp_lapic_state(struct mshv_vp *vp, unsigned long req,
			 struct hv_local_interrupt_controller_state *page)
{
	mshv_vp_state(vp, req, MSHV_VP_STATE_LAPIC, page);
}

/**
 * mshv_vp_state() - MSHV_GET_VP_STATE or MSHV_SET_VP_STATE of one page
 * @vp: the VP
 * @req: MSHV_GET_VP_STATE or MSHV_SET_VP_STATE
 * @type: MSHV_VP_STATE_*
 * @page: a page-aligned buffer of MSHV_PAGE_SIZE bytes
 *
 * Fails the test unless the ioctl succeeds.
 */
void mshv_vp_state(struct mshv_vp *vp, unsigned long req, __u8 type,
		   void *page)
{
	struct mshv_get_set_vp_state st = {
		.type = type,
		.buf_sz = MSHV_PAGE_SIZE,
		.buf_ptr = (__u64)(unsigned long)page,
	};

	MSHV_TEST_ASSERT(ioctl(vp->fd, req, &st) == 0, "%s VP state %u",
			 req == MSHV_GET_VP_STATE ? "get" : "set", type);
}

/**
 * mshv_vp_run_port() - run @vp, expect port I/O on @port and complete it
 * @vp: the VP
 * @port: the port the guest must access
 *
 * Fails the test on any other stop or another port; on success RIP is
 * past the IN or OUT.
 *
 * Return: RAX at the intercept (the value an OUT wrote).
 */
__u64 mshv_vp_run_port(struct mshv_vp *vp, __u16 port)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_port(vp, port);
	mshv_vp_skip_insn(vp, &io->header);
	return io->rax;
}

/**
 * mshv_vp_run_expect_port() - run @vp and expect port I/O on @port
 * @vp: the VP
 * @port: the port the guest must access
 *
 * Fails the test on any other stop or another port; RIP stays at the
 * IN or OUT.
 *
 * Return: the intercept's payload (inside @vp->msg).
 */
const struct hv_x64_io_port_intercept_message *
mshv_vp_run_expect_port(struct mshv_vp *vp, __u16 port)
{
	const struct hv_x64_io_port_intercept_message *io;

	io = mshv_vp_run_expect_io(vp);
	MSHV_TEST_ASSERT(io->port_number == port, "port %#x, expected %#x",
			 io->port_number, port);
	return io;
}

/**
 * mshv_vp_skip_insn() - complete an intercepted instruction
 * @vp: the VP
 * @hdr: the intercept's header
 *
 * Sets RIP to the reported RIP plus the reported instruction length.
 */
void mshv_vp_skip_insn(struct mshv_vp *vp,
		       const struct hv_x64_intercept_message_header *hdr)
{
	unsigned int len = hdr->instruction_length_cr8 &
			   HV_X64_INSTRUCTION_LENGTH_MASK;

	MSHV_TEST_ASSERT(len, "intercept at rip %#llx reports length 0",
			 (unsigned long long)hdr->rip);
	mshv_vp_set_reg(vp, HV_X64_REGISTER_RIP, hdr->rip + len);
}

/**
 * __mshv_mmap_vp_page() - mmap one page of a VP fd
 * @vp_fd: VP fd
 * @index: MSHV_VP_MMAP_OFFSET_*; the offset is @index host pages
 *
 * Return: 4096 bytes mapped shared and read/write, or MAP_FAILED with errno
 * set.
 */
void *__mshv_mmap_vp_page(int vp_fd, unsigned long index)
{
	long page = sysconf(_SC_PAGESIZE);

	return mmap(NULL, MSHV_HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, vp_fd, index * page);
}

/**
 * mshv_mmap_vp_page() - mmap one page of a VP fd, failing the test on error
 * @vp_fd: VP fd
 * @index: MSHV_VP_MMAP_OFFSET_*
 *
 * Return: the mapping (munmap() it).
 */
void *mshv_mmap_vp_page(int vp_fd, unsigned long index)
{
	void *p = __mshv_mmap_vp_page(vp_fd, index);

	MSHV_TEST_ASSERT(p != MAP_FAILED, "mmap of VP page %lu", index);
	return p;
}
