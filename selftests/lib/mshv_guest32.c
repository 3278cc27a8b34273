// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flat 32-bit memory-test guest: see mshv_guest32.h.
 *
 * The program is assembled by the compiler's assembler from the .code32
 * block below and copied into guest memory; every jump in it is relative,
 * so it runs at any address.  Registers on entry:
 *
 *   EBP  operation (enum mshv_g32_op), | 0x10 for strided addressing
 *   ESI  table GPA, or the first address when strided
 *   ESP  stride when strided (the program uses no stack)
 *   ECX  number of addresses
 *   EDX  seed
 *   EDI  0 (MSHV_G32_READ adds every dword read to it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mshv_guest32.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

MSHV_GUEST_CODE_GLOBAL(mshv_g32_code, 32,
		       "	.globl mshv_g32_done\n"
		       "	jecxz mshv_g32_done\n"
		       "1:	testl $0x10, %ebp\n"
		       "	jnz 2f\n"
		       "	movl (%esi), %ebx\n"
		       "	addl $4, %esi\n"
		       "	jmp 3f\n"
		       "2:	movl %esi, %ebx\n"
		       "	addl %esp, %esi\n"
		       "3:	movl %ebp, %eax\n"
		       "	andl $0xf, %eax\n"
		       "	cmpl $1, %eax\n"
		       "	je 5f\n"
		       "	cmpl $2, %eax\n"
		       "	je 6f\n"
		       "	cmpl $3, %eax\n"
		       "	je 7f\n"
		       "	cmpl $4, %eax\n"
		       "	je 11f\n"
		       "	addl (%ebx), %edi\n"
		       "	jmp 8f\n"
		       "5:	movl %ebx, %eax\n"
		       "	xorl %edx, %eax\n"
		       "	movl %eax, (%ebx)\n"
		       "	jmp 8f\n"
		       "6:	movl %ebx, %eax\n"
		       "	xorl %edx, %eax\n"
		       "	cmpl (%ebx), %eax\n"
		       "	jne 10f\n"
		       "	jmp 8f\n"
		       "7:	cmpl (%ebx), %edx\n"
		       "	jne 10f\n"
		       "	jmp 8f\n"
		       "11:	movl %edx, (%ebx)\n"
		       "8:	decl %ecx\n"
		       "	jnz 1b\n"
		       "mshv_g32_done:\n"
		       "	hlt\n"
		       "10:	movl (%ebx), %eax\n"
		       "	outl %eax, $0x10\n"
		       "	hlt\n");

/* The pattern program (mshv_guest32.h); EBP points to its block */
MSHV_GUEST_CODE_GLOBAL(mshv_g32_pattern, 32,
		       "	.globl mshv_g32_pattern_irq\n"
		       "	sti\n"
		       "1:	movl 12(%ebp), %edx\n"
		       "	incl %edx\n"
		       "	movl %edx, 12(%ebp)\n"
		       "	movl %edx, %eax\n"
		       "	outl %eax, $0x11\n"
		       "	movl (%ebp), %esi\n"
		       "	movl %esi, %edi\n"
		       "	addl 4(%ebp), %edi\n"
		       "2:	movl %esi, %ebx\n"
		       "	andl 8(%ebp), %ebx\n"
		       "	movl %ebx, (%esi)\n"
		       "	movl %edx, 4(%esi)\n"
		       "	addl 16(%ebp), %esi\n"
		       "	cmpl %edi, %esi\n"
		       "	jb 2b\n"
		       "	movl (%ebp), %esi\n"
		       "3:	movl %esi, %ebx\n"
		       "	andl 8(%ebp), %ebx\n"
		       "	movl (%esi), %eax\n"
		       "	movl 4(%esi), %ecx\n"
		       "	cmpl %ebx, %eax\n"
		       "	jne 5f\n"
		       "	cmpl %edx, %ecx\n"
		       "	jne 5f\n"
		       "4:	addl 16(%ebp), %esi\n"
		       "	cmpl %edi, %esi\n"
		       "	jb 3b\n"
		       "	outl %eax, $0x12\n"
		       "	jmp 1b\n"
		       "5:	outl %eax, $0x13\n"
		       "	jmp 4b\n"
		       "mshv_g32_pattern_irq:\n"
		       "	pushl %eax\n"
		       "	pushl %ecx\n"
		       "	pushl %edx\n"
		       "	incl 20(%ebp)\n"
		       "	movl $0x80b, %ecx\n"
		       "	xorl %eax, %eax\n"
		       "	xorl %edx, %edx\n"
		       "	wrmsr\n"
		       "	popl %edx\n"
		       "	popl %ecx\n"
		       "	popl %eax\n"
		       "	iret\n");

static void set_flat_segment(struct hv_register_assoc *r, __u32 name,
			     __u16 attributes)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->value.segment.base = 0;
	r->value.segment.limit = 0xffffffff;
	r->value.segment.selector = name == HV_X64_REGISTER_CS ? 0x8 : 0x10;
	r->value.segment.attributes = attributes;
}

/**
 * mshv_g32_enter_protected_mode() - put a VP in flat 32-bit protected mode
 * @vp: the VP
 *
 * Sets CR0.PE and loads flat 4 GiB segments without reading any
 * descriptor table: CS (selector 0x8) is 32-bit code, DS, ES, SS, FS and
 * GS (selector 0x10) are data.  Paging stays off.  A guest that takes
 * interrupts needs a GDT with the same two descriptors and an IDT of its
 * own.
 */
void mshv_g32_enter_protected_mode(struct mshv_vp *vp)
{
	static const __u32 data_segs[] = {
		HV_X64_REGISTER_DS, HV_X64_REGISTER_ES, HV_X64_REGISTER_SS,
		HV_X64_REGISTER_FS, HV_X64_REGISTER_GS,
	};
	const __u16 common = HV_X64_SEGMENT_GRANULARITY |
			     HV_X64_SEGMENT_DEFAULT | HV_X64_SEGMENT_PRESENT |
			     HV_X64_SEGMENT_NON_SYSTEM;
	struct hv_register_assoc regs[8];
	unsigned int i, n = 0;

	memset(&regs[n], 0, sizeof(regs[n]));
	regs[n].name = HV_X64_REGISTER_CR0;
	regs[n].value.reg64 = mshv_vp_get_reg(vp, HV_X64_REGISTER_CR0) | 1;
	n++;
	set_flat_segment(&regs[n++], HV_X64_REGISTER_CS, common | 0xb);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		set_flat_segment(&regs[n++], data_segs[i], common | 0x3);
	mshv_vp_set_registers(vp, regs, n);
}

/**
 * mshv_g32_create() - a partition with the control region and one flat
 *	32-bit VP
 *
 * The program is loaded and run once with no addresses, so that the
 * control region is mapped (one fault on a movable region) before the test
 * takes its first counter snapshot.  The partition id is the sender of the
 * message that run stopped with.
 *
 * Return: the guest, freed by mshv_g32_free(); fails the test on error.
 */
struct mshv_g32 *mshv_g32_create(void)
{
	struct mshv_g32 *g = calloc(1, sizeof(*g));
	const struct hv_message *msg;

	MSHV_TEST_ASSERT(g, "out of memory");
	g->vm = mshv_vm_create();
	mshv_vm_add_memory(g->vm, MSHV_G32_CTL_GPA, MSHV_G32_CTL_SIZE);
	g->ctl = g->vm->mem;
	/*
	 * Touch every control page from the host first: the warm-up run
	 * then maps them all writable, and later table writes change no
	 * page table entry (a zero page replaced by copy-on-write would
	 * invalidate, and the guest would fault on the table again).
	 */
	memset(g->ctl, 0, MSHV_G32_CTL_SIZE);
	mshv_vm_write(g->vm, MSHV_G32_CODE_GPA, mshv_g32_code,
		      MSHV_GUEST_SIZE(mshv_g32_code));
	g->vp = mshv_vp_create(g->vm, 0);
	mshv_g32_enter_protected_mode(g->vp);

	msg = mshv_g32_exec(g, MSHV_G32_READ, NULL, 0, 0);
	mshv_g32_expect_done(g, msg);
	g->partition = msg->header.sender;
	return g;
}

/**
 * mshv_g32_free() - close the VP and the partition, free the control region
 * @g: the guest, or NULL
 */
void mshv_g32_free(struct mshv_g32 *g)
{
	if (!g)
		return;
	mshv_vp_free(g->vp);
	mshv_vm_free(g->vm);
	free(g);
}

/**
 * mshv_g32_set() - load the program's registers without running it
 * @g: the guest
 * @op: the operation, | MSHV_MSHV_G32_STRIDED for strided addressing
 * @esi: table GPA, or the first address when strided
 * @esp: stride when strided
 * @count: number of addresses
 * @seed: EDX
 *
 * For tests that issue MSHV_RUN_VP themselves.
 */
void mshv_g32_set(struct mshv_g32 *g, __u32 op, __u32 esi, __u32 esp,
		  __u32 count, __u32 seed)
{
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = MSHV_G32_CODE_GPA },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 2 },
		{ .name = HV_X64_REGISTER_RBP, .value.reg64 = op },
		{ .name = HV_X64_REGISTER_RSI, .value.reg64 = esi },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = esp },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = count },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = seed },
		{ .name = HV_X64_REGISTER_RDI, .value.reg64 = 0 },
	};

	mshv_vp_set_registers(g->vp, regs, ARRAY_SIZE(regs));
}

static const struct hv_message *g32_start(struct mshv_g32 *g, __u32 op,
					  __u32 esi, __u32 esp, __u32 count,
					  __u32 seed)
{
	const struct hv_message *msg;

	mshv_g32_set(g, op, esi, esp, count, seed);
	msg = mshv_vp_run(g->vp);
	if (msg->header.message_type == HVMSG_X64_HALT &&
	    (op & 0xf) == MSHV_G32_READ)
		g->sum = (__u32)mshv_vp_get_reg(g->vp, HV_X64_REGISTER_RDI);
	return msg;
}

/**
 * mshv_g32_exec() - run @op over a list of addresses until the VP stops
 * @g: the guest
 * @op: the operation
 * @gpas: the addresses (copied into the table), dword aligned, below 4 GiB
 * @n: how many (at most MSHV_G32_TABLE_MAX)
 * @seed: EDX
 *
 * Return: the message the VP stopped with (HALT when done).
 */
const struct hv_message *mshv_g32_exec(struct mshv_g32 *g, enum mshv_g32_op op,
				       const __u32 *gpas, unsigned int n,
				       __u32 seed)
{
	MSHV_TEST_ASSERT(n <= MSHV_G32_TABLE_MAX, "%u addresses", n);
	if (n)
		mshv_vm_write(g->vm, MSHV_G32_TABLE_GPA, gpas, n * sizeof(*gpas));
	return g32_start(g, op, MSHV_G32_TABLE_GPA, 0, n, seed);
}

/**
 * mshv_g32_exec_strided() - run @op over start + i * stride until the VP
 *	stops
 * @g: the guest
 * @op: the operation
 * @start: first address
 * @stride: distance between addresses
 * @count: number of addresses
 * @seed: EDX
 *
 * Return: the message the VP stopped with (HALT when done).
 */
const struct hv_message *mshv_g32_exec_strided(struct mshv_g32 *g,
					       enum mshv_g32_op op, __u32 start,
					       __u32 stride, __u32 count,
					       __u32 seed)
{
	return g32_start(g, op | MSHV_G32_STRIDED, start, stride, count, seed);
}

/**
 * mshv_g32_msg_gpa() - the guest physical address of a memory intercept
 * @msg: an UNMAPPED_GPA or GPA_INTERCEPT message
 *
 * Return: the address.
 */
__u64 mshv_g32_msg_gpa(const struct hv_message *msg)
{
	const struct hv_x64_memory_intercept_message *m =
		(const void *)msg->u.payload_bytes;

	return m->guest_physical_address;
}

/**
 * mshv_g32_expect_done() - fail the test unless the program ran to its end
 * @g: the guest
 * @msg: the message it stopped with
 *
 * A verification failure (OUT to MSHV_G32_PORT_MISMATCH) is reported with
 * the address and the value the guest read; any other stop with the
 * message type, RIP and (for memory intercepts) the GPA.
 */
void mshv_g32_expect_done(struct mshv_g32 *g, const struct hv_message *msg)
{
	const struct hv_x64_intercept_message_header *hdr =
		(const void *)msg->u.payload_bytes;
	__u32 type = msg->header.message_type;

	if (type == HVMSG_X64_IO_PORT_INTERCEPT) {
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)msg->u.payload_bytes;

		MSHV_TEST_ASSERT(io->port_number != MSHV_G32_PORT_MISMATCH,
				 "guest read %#llx at gpa %#llx: mismatch",
				 (unsigned long long)(io->rax & 0xffffffff),
				 (unsigned long long)
				 mshv_vp_get_reg(g->vp, HV_X64_REGISTER_RBX));
	}
	MSHV_TEST_ASSERT(type == HVMSG_X64_HALT && hdr->rip == MSHV_G32_DONE_GPA,
			 "guest stopped with %s (%#x) at rip %#llx (done: %#llx), gpa %#llx",
			 mshv_msg_type_name(type), type,
			 (unsigned long long)hdr->rip,
			 (unsigned long long)MSHV_G32_DONE_GPA,
			 (unsigned long long)mshv_g32_msg_gpa(msg));
}

/**
 * mshv_g32_run() - mshv_g32_exec() that must run to the end
 * @g: the guest
 * @op: the operation
 * @gpas: the addresses
 * @n: how many
 * @seed: EDX
 */
void mshv_g32_run(struct mshv_g32 *g, enum mshv_g32_op op, const __u32 *gpas,
		  unsigned int n, __u32 seed)
{
	mshv_g32_expect_done(g, mshv_g32_exec(g, op, gpas, n, seed));
}

/**
 * mshv_g32_run_strided() - mshv_g32_exec_strided() that must run to the end
 * @g: the guest
 * @op: the operation
 * @start: first address
 * @stride: distance between addresses
 * @count: number of addresses
 * @seed: EDX
 */
void mshv_g32_run_strided(struct mshv_g32 *g, enum mshv_g32_op op,
			  __u32 start, __u32 stride, __u32 count, __u32 seed)
{
	mshv_g32_expect_done(g, mshv_g32_exec_strided(g, op, start, stride,
						      count, seed));
}
