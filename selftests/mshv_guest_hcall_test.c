// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercalls a 64-bit guest issues (hvsim_guest_hcall.c).  The guest sets
 * GUEST_OS_ID and enables the hypercall page with WRMSR, then calls through
 * the page with the control word, input and result from a parameter block
 * the test fills and checks:
 *
 *  - SEND_IPI (fast) to itself: its handler runs once;
 *  - SEND_IPI_EX (sparse VP set in memory) to a halted VP 1: VP 1 wakes,
 *    its handler runs once, VP 0's does not;
 *  - the flush calls after the guest rewrote a PTE: the read before the
 *    flush still sees the old page (the interpreter's TLB, as a processor),
 *    the read after it the new one; a call that is not a flush leaves the
 *    stale translation; rep calls report every rep from the start index;
 *  - each refusal with its exact status (code, control word, sizes,
 *    alignment, reserved fields, vectors, VP sets, connections);
 *  - the calls a partition without the features or privileges may not
 *    make: ACCESS_DENIED;
 *  - VMCALL and VMMCALL without the page enabled, and at CPL 3: #UD;
 *  - an input page in a movable region the guest never touched: the VP
 *    stops with the GPA intercept the driver resolves, the VMCALL runs
 *    again and the call completes (one fault when regions are movable).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mshv_test.h"
#include "mshv_debugfs.h"
#include "mshv_paging.h"

#define MEM_SIZE	0x400000ULL	/* 4 MiB of guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL
#define GDT_GPA		0x2000ULL
#define HCPAGE_GPA	0x3000ULL
#define PARAM_GPA	0x5000ULL
#define INPUT_GPA	0x6000ULL
#define IDT0_GPA	0x7000ULL
#define IDT1_GPA	0x8000ULL
#define STACK0_TOP	0xB000ULL
#define STACK1_TOP	0xC000ULL
#define DATA_A_GPA	0xD000ULL
#define DATA_B_GPA	0xE000ULL
#define TABLES_GPA	0x10000ULL
#define TABLES_SIZE	0x10000ULL
#define FLUSH_GVA	0x600000ULL	/* mapped to DATA_A, then DATA_B */
#define MOVABLE_GPA	0x1000000ULL	/* a second region, never touched */
#define MOVABLE_SIZE	0x200000ULL

/* The parameter block at PARAM_GPA */
#define P_CONTROL	0x00
#define P_RDX		0x08
#define P_R8		0x10
#define P_RESULT	0x18
#define P_READ1		0x20	/* flush: first read */
#define P_NEWPTE	0x28	/* flush: the PTE the guest writes */
#define P_PTEGPA	0x30	/* flush: where */
#define P_READ2		0x38	/* flush: read after the PTE write */
#define P_READ3		0x40	/* flush: read after the call */
#define P_OSID		0x50	/* GUEST_OS_ID the guest writes */
#define P_BODY		0x58	/* where the guest goes after the enable */
#define P_COUNT0	0x100	/* VP 0's handler runs */
#define P_COUNT1	0x108	/* VP 1's handler runs */

#define VECTOR		0x40
#define PORT_DONE	0x80
#define PORT_AP		0x81
#define VEC_UD		6

#define QEMU_FEATURES	0x6400ffbULL
#define TB_FLUSH	HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS
#define CLUSTER_IPI	HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI
#define PRIV_POST	HV_PRIVILEGE_POST_MESSAGES
#define PRIV_SIGNAL	HV_PRIVILEGE_SIGNAL_EVENTS

#define STATUS(s, reps)	((__u64)(s) | (__u64)(reps) << 32)

/*
 * The guest's code, at CODE_GPA (64-bit, CPL 0).  The addresses are
 * PARAM_GPA + P_*, HCPAGE_GPA and FLUSH_GVA (see the static_assert
 * below):
 *   start:  GUEST_OS_ID = [P_OSID]; HYPERCALL = HCPAGE_GPA | 1;
 *           jmp [P_BODY]
 *   hc_body_call: rcx, rdx, r8 = [P_CONTROL], [P_RDX], [P_R8];
 *           call HCPAGE_GPA; [P_RESULT] = rax; out PORT_DONE; hlt
 *   hc_body_flush: [P_READ1] = [FLUSH_GVA]; [[P_PTEGPA]] = [P_NEWPTE];
 *           [P_READ2] = [FLUSH_GVA]; the call of hc_body_call;
 *           [P_READ3] = [FLUSH_GVA]; out PORT_DONE; hlt
 *   hc_body_vmcall / hc_body_vmmcall: rcx = [P_CONTROL]; vmcall /
 *           vmmcall; [P_RESULT] = rax; out PORT_DONE; hlt
 *   hc_handler0 / hc_handler1: inc qword [P_COUNT0 / P_COUNT1]; EOI
 *           through the synthetic EOI MSR (RAX, RCX, RDX saved); iretq
 *   hc_ap:  hlt; out PORT_AP; hlt
 *
 * HC_CALL is "the call": rcx, rdx, r8 = [P_CONTROL], [P_RDX], [P_R8];
 * call HCPAGE_GPA; [P_RESULT] = rax.
 */
#define HC_CALL								\
	"	mov 0x5000, %rcx\n"					\
	"	mov 0x5008, %rdx\n"					\
	"	mov 0x5010, %r8\n"					\
	"	mov $0x3000, %eax\n"					\
	"	call *%rax\n"						\
	"	mov %rax, 0x5018\n"

MSHV_GUEST_CODE(hc_code, 64,
		"	mov $0x40000000, %ecx\n"	/* GUEST_OS_ID */
		"	mov 0x5050, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	mov $0x40000001, %ecx\n"	/* HYPERCALL */
		"	mov $0x3001, %eax\n"
		"	wrmsr\n"
		"	jmp *0x5058\n"
		"hc_body_call:\n"
		HC_CALL
		"	out %al, $0x80\n"
		"	hlt\n"
		"hc_body_flush:\n"
		"	mov 0x600000, %rax\n"
		"	mov %rax, 0x5020\n"
		"	mov 0x5030, %rbx\n"
		"	mov 0x5028, %rax\n"
		"	mov %rax, (%rbx)\n"
		"	mov 0x600000, %rax\n"
		"	mov %rax, 0x5038\n"
		HC_CALL
		"	mov 0x600000, %rax\n"
		"	mov %rax, 0x5040\n"
		"	out %al, $0x80\n"
		"	hlt\n"
		"hc_body_vmcall:\n"
		"	mov 0x5000, %rcx\n"
		"hc_vmcall_insn:\n"
		"	vmcall\n"
		"	mov %rax, 0x5018\n"
		"	out %al, $0x80\n"
		"	hlt\n"
		"hc_body_vmmcall:\n"
		"	mov 0x5000, %rcx\n"
		"	vmmcall\n"
		"	mov %rax, 0x5018\n"
		"	out %al, $0x80\n"
		"	hlt\n"
		"hc_handler0:\n"
		"	incq 0x5100\n"
		"	jmp 1f\n"
		"hc_handler1:\n"
		"	incq 0x5108\n"
		"1:	push %rax\n"
		"	push %rcx\n"
		"	push %rdx\n"
		"	mov $0x40000070, %ecx\n"	/* EOI */
		"	xor %eax, %eax\n"
		"	xor %edx, %edx\n"
		"	wrmsr\n"
		"	pop %rdx\n"
		"	pop %rcx\n"
		"	pop %rax\n"
		"	iretq\n"
		"hc_ap:\n"
		"	hlt\n"
		"	out %al, $0x81\n"
		"	hlt\n");
MSHV_GUEST_LABEL(hc_body_call);
MSHV_GUEST_LABEL(hc_body_flush);
MSHV_GUEST_LABEL(hc_body_vmcall);
MSHV_GUEST_LABEL(hc_vmcall_insn);
MSHV_GUEST_LABEL(hc_body_vmmcall);
MSHV_GUEST_LABEL(hc_handler0);
MSHV_GUEST_LABEL(hc_handler1);
MSHV_GUEST_LABEL(hc_ap);

/* The numbers the guest code above is written with */
static_assert(PARAM_GPA == 0x5000 && P_OSID == 0x50 && P_BODY == 0x58 &&
	      P_CONTROL == 0 && P_RDX == 8 && P_R8 == 0x10 &&
	      P_RESULT == 0x18 && P_READ1 == 0x20 && P_NEWPTE == 0x28 &&
	      P_PTEGPA == 0x30 && P_READ2 == 0x38 && P_READ3 == 0x40 &&
	      P_COUNT0 == 0x100 && P_COUNT1 == 0x108,
	      "hypercall guest code: parameter block");
static_assert(HCPAGE_GPA == 0x3000 && FLUSH_GVA == 0x600000 &&
	      PORT_DONE == 0x80 && PORT_AP == 0x81 &&
	      HV_X64_MSR_GUEST_OS_ID == 0x40000000 &&
	      HV_X64_MSR_HYPERCALL == 0x40000001 &&
	      HV_X64_MSR_EOI == 0x40000070,
	      "hypercall guest code: addresses, ports and MSRs");

#define OFF_BODY_CALL		MSHV_GUEST_OFFSET(hc_code, hc_body_call)
#define OFF_BODY_FLUSH		MSHV_GUEST_OFFSET(hc_code, hc_body_flush)
#define OFF_BODY_VMCALL		MSHV_GUEST_OFFSET(hc_code, hc_body_vmcall)
#define OFF_BODY_VMMCALL	MSHV_GUEST_OFFSET(hc_code, hc_body_vmmcall)
#define OFF_VMCALL_INSN		MSHV_GUEST_OFFSET(hc_code, hc_vmcall_insn)
#define OFF_HANDLER0		MSHV_GUEST_OFFSET(hc_code, hc_handler0)
#define OFF_HANDLER1		MSHV_GUEST_OFFSET(hc_code, hc_handler1)
#define OFF_AP			MSHV_GUEST_OFFSET(hc_code, hc_ap)

/* A partition, its VP 0 and page tables */
struct genv {
	struct mshv_vm vm;
	struct mshv_vp *vp;
	struct mshv_paging pg;
	__u64 id;
};

FIXTURE(ghc)
{
	struct genv g;
};

/* @vm: a partition with @features and @privileges, initialized, memory */
static void vm_setup(struct mshv_vm *vm, __u64 features, __u64 privileges)
{
	const struct mshv_pt_property props[] = {
		{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, features },
		{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, privileges },
	};

	mshv_vm_setup(vm, props, ARRAY_SIZE(props), MEM_SIZE);
}

static __u64 *param(struct mshv_vm *vm, unsigned int off)
{
	return (__u64 *)((char *)vm->mem + PARAM_GPA + off);
}

/* A 64-bit interrupt gate for @vector at @handler in the IDT at @idt */
static void idt_gate(struct mshv_vm *vm, __u64 idt, unsigned int vector,
		     __u64 handler)
{
	__u64 gate[2] = {
		(handler & 0xFFFF) | (__u64)MSHV_GDT_CODE64 << 16 |
		0x8EULL << 40 | ((handler >> 16) & 0xFFFF) << 48,
		handler >> 32,
	};

	mshv_vm_write(vm, idt + vector * 16, gate, sizeof(gate));
}

/* @vp in long mode at @rip, IF set, its IDT at @idt, stack at @rsp */
static void vp_setup(struct mshv_vp *vp, struct mshv_paging *pg, __u64 rip,
		     __u64 idt, __u64 rsp)
{
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = rip },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = rsp },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x202 },
		{ .name = HV_X64_REGISTER_IDTR,
		  .value.table = { .limit = 256 * 16 - 1, .base = idt } },
	};

	mshv_vp_enter_long_mode(vp, pg, GDT_GPA);
	mshv_vp_set_registers(vp, regs, ARRAY_SIZE(regs));
}

static void guest_setup(struct genv *self, __u64 features, __u64 privileges)
{
	vm_setup(&self->vm, features, privileges);
	self->id = mshv_dbg_newest_partition();
	self->vp = mshv_vp_create(&self->vm, 0);
	mshv_paging_init(&self->pg, &self->vm, TABLES_GPA, TABLES_SIZE);
	mshv_paging_map(&self->pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_SIZE);
	mshv_paging_map(&self->pg, FLUSH_GVA, DATA_A_GPA, MSHV_PAGE_SIZE,
			MSHV_PAGE_SIZE);
	mshv_vm_write(&self->vm, CODE_GPA, hc_code, MSHV_GUEST_SIZE(hc_code));
	/*
	 * hvsim writes the hypercall page only to memory the SLAT already
	 * maps writable (no GPA intercept from a WRMSR): have the host
	 * fault it in, so that a movable region maps it writable.
	 */
	memset((char *)self->vm.mem + HCPAGE_GPA, 0xCC, MSHV_PAGE_SIZE);
	/*
	 * The stacks too: a write fault there changes the SLAT mid-run,
	 * which empties the TLB the flush test watches.
	 */
	memset((char *)self->vm.mem + STACK1_TOP - 3 * MSHV_PAGE_SIZE, 0,
	       3 * MSHV_PAGE_SIZE);
	idt_gate(&self->vm, IDT0_GPA, VECTOR, CODE_GPA + OFF_HANDLER0);
	idt_gate(&self->vm, IDT1_GPA, VECTOR, CODE_GPA + OFF_HANDLER1);
	*param(&self->vm, P_OSID) = 1;
	*param(&self->vm, P_BODY) = CODE_GPA + OFF_BODY_CALL;
	vp_setup(self->vp, &self->pg, CODE_GPA, IDT0_GPA, STACK0_TOP);
}

FIXTURE_SETUP(ghc)
{
	guest_setup(&self->g, QEMU_FEATURES, PRIV_POST | PRIV_SIGNAL);
}

static void guest_teardown(struct genv *g)
{
	mshv_vp_free(g->vp);
	close(g->vm.fd);
	close(g->vm.dev_fd);
	munmap(g->vm.mem, g->vm.mem_size);
}

FIXTURE_TEARDOWN(ghc)
{
	guest_teardown(&self->g);
}

/* Run VP 0 from the start to its report; the call's result */
static __u64 run_call(struct __test_metadata *_metadata,
		      struct genv *self, __u64 control, __u64 rdx,
		      __u64 r8)
{
	const struct hv_x64_io_port_intercept_message *io;

	*param(&self->vm, P_CONTROL) = control;
	*param(&self->vm, P_RDX) = rdx;
	*param(&self->vm, P_R8) = r8;
	*param(&self->vm, P_RESULT) = 0xDEADBEEFULL;
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RIP, CODE_GPA);
	mshv_vp_set_reg(self->vp, HV_X64_REGISTER_RSP, STACK0_TOP);
	io = mshv_vp_run_expect_io(self->vp);
	EXPECT_EQ(PORT_DONE, io->port_number);
	return *param(&self->vm, P_RESULT);
}

/* Memory-input call: @len bytes of @in at INPUT_GPA + @off */
static __u64 run_mem_call(struct __test_metadata *_metadata,
			  struct genv *self, __u64 control,
			  const void *in, size_t len, __u64 off)
{
	memset((char *)self->vm.mem + INPUT_GPA, 0, MSHV_PAGE_SIZE);
	/* only what fits in the page: the next one is the IDT */
	if (len > MSHV_PAGE_SIZE - off)
		len = MSHV_PAGE_SIZE - off;
	memcpy((char *)self->vm.mem + INPUT_GPA + off, in, len);
	return run_call(_metadata, self, control, INPUT_GPA + off, 0);
}

static __u64 ctl(__u16 code, bool fast, __u16 varhead, __u16 reps,
		 __u16 start)
{
	return code | (fast ? HV_HYPERCALL_FAST_BIT : 0) |
	       (__u64)varhead << HV_HYPERCALL_VARHEAD_OFFSET |
	       (__u64)reps << HV_HYPERCALL_REP_COMP_OFFSET |
	       (__u64)start << HV_HYPERCALL_REP_START_OFFSET;
}

/* SEND_IPI fast, RDX: vector, VTL byte, the reserved bytes */
static __u64 ipi_rdx(__u32 vector, __u8 vtl, __u8 pad)
{
	return vector | (__u64)vtl << 32 | (__u64)pad << 40;
}

/* The page enabled by the guest, the call went through it, to itself */
TEST_F(ghc, ipi_self)
{
	struct genv *g = &self->g;

	EXPECT_EQ(STATUS(0, 0),
		  run_call(_metadata, g, ctl(HVCALL_SEND_IPI, true, 0, 0, 0),
			   ipi_rdx(VECTOR, 0, 0), 1));
	EXPECT_EQ(1ULL, *param(&g->vm, P_COUNT0));
	EXPECT_EQ(HCPAGE_GPA | 1,
		  mshv_vp_get_reg(g->vp, HV_X64_REGISTER_HYPERCALL));
}

/* SEND_IPI_EX, sparse set {1}, wakes the halted VP 1 */
TEST_F(ghc, ipi_ex_wakes_other_vp)
{
	struct genv *g = &self->g;
	struct {
		struct hv_send_ipi_ex hdr;
		__u64 bank0;
	} in = {
		.hdr = { .vector = VECTOR,
			 .vp_set = { .format = HV_GENERIC_SET_SPARSE_4K,
					    .valid_bank_mask = 1 } },
		.bank0 = 1ULL << 1,
	};
	const struct hv_x64_io_port_intercept_message *io;
	struct mshv_vp *ap = mshv_vp_create(&g->vm, 1);

	/* an application processor waits for a SIPI: start it directly */
	mshv_vp_start_ap(ap);
	vp_setup(ap, &g->pg, CODE_GPA + OFF_AP, IDT1_GPA, STACK1_TOP);
	/* VP 1 halts with IF set: its run sleeps until the alarm */
	EXPECT_EQ(-1, mshv_vp_run_timeout(ap, 200));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(0ULL, *param(&g->vm, P_COUNT1));

	EXPECT_EQ(STATUS(0, 0),
		  run_mem_call(_metadata, g,
			       ctl(HVCALL_SEND_IPI_EX, false, 1, 0, 0),
			       &in, sizeof(in), 0));
	EXPECT_EQ(0ULL, *param(&g->vm, P_COUNT0));

	io = mshv_vp_run_expect_io(ap);
	EXPECT_EQ(PORT_AP, io->port_number);
	EXPECT_EQ(1ULL, *param(&g->vm, P_COUNT1));
	EXPECT_EQ(0ULL, *param(&g->vm, P_COUNT0));
	mshv_vp_free(ap);
}

static bool hvsim_tlb_on(void)
{
	FILE *f = fopen("/sys/module/hvsim/parameters/tlb", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y';
}

#define VAL_A	0xAAAA5555AAAA0001ULL
#define VAL_B	0xBBBB4444BBBB0002ULL

/*
 * The guest reads FLUSH_GVA (page A), points its PTE at page B, reads
 * again, makes the call of @control with @in, reads a third time.
 * Returns the call's result; *@stale: the second read, *@after: the third.
 */
static __u64 run_flush(struct __test_metadata *_metadata,
		       struct genv *self, __u64 control, const void *in,
		       size_t len, __u64 *stale, __u64 *after)
{
	__u64 *pte = mshv_paging_entry(&self->pg, FLUSH_GVA, 1);
	__u64 result;

	*pte = DATA_A_GPA | MSHV_PTE_P | MSHV_PTE_RW;
	*(__u64 *)((char *)self->vm.mem + DATA_A_GPA) = VAL_A;
	*(__u64 *)((char *)self->vm.mem + DATA_B_GPA) = VAL_B;
	*param(&self->vm, P_NEWPTE) = DATA_B_GPA | MSHV_PTE_P | MSHV_PTE_RW;
	*param(&self->vm, P_PTEGPA) = (__u64)((char *)pte -
					      (char *)self->vm.mem);
	*param(&self->vm, P_BODY) = CODE_GPA + OFF_BODY_FLUSH;
	result = run_mem_call(_metadata, self, control, in, len, 0);
	EXPECT_EQ(VAL_A, *param(&self->vm, P_READ1));
	*stale = *param(&self->vm, P_READ2);
	*after = *param(&self->vm, P_READ3);
	return result;
}

TEST_F(ghc, flush_drops_stale_translation)
{
	struct genv *g = &self->g;
	const __u64 cr3 = g->pg.pml4;
	const struct hv_tlb_flush space = {
		.address_space = cr3, .processor_mask = 1,
	};
	const struct {
		struct hv_tlb_flush hdr;
		__u64 gva[1];
	} list = { { cr3, 0, 1 }, { FLUSH_GVA } };
	const struct {
		struct hv_tlb_flush_ex hdr;
		__u64 bank0;
	} space_ex = {
		{ cr3, 0, { HV_GENERIC_SET_SPARSE_4K, 1 } }, 1,
	};
	const struct {
		struct hv_tlb_flush_ex hdr;
		__u64 bank0;
		__u64 gva[3];
	} list_ex = {
		{ cr3, HV_FLUSH_ALL_PROCESSORS,
		  { HV_GENERIC_SET_SPARSE_4K, 1 } },
		0, { FLUSH_GVA, FLUSH_GVA, FLUSH_GVA },
	};
	const __u64 none = 0;
	const bool tlb = hvsim_tlb_on();
	const __u64 stale_expected = tlb ? VAL_A : VAL_B;
	__u64 stale, after;

	TH_LOG("hvsim tlb=%d", tlb);
	/* fault in everything the runs below touch: no SLAT change in them */
	EXPECT_EQ(STATUS(0, 0),
		  run_flush(_metadata, g,
			    ctl(HVCALL_NOTIFY_LONG_SPIN_WAIT, true, 0, 0, 0),
			    &none, sizeof(none), &stale, &after));
	/* not a flush: the stale translation stays (with the TLB) */
	EXPECT_EQ(STATUS(0, 0),
		  run_flush(_metadata, g,
			    ctl(HVCALL_NOTIFY_LONG_SPIN_WAIT, true, 0, 0, 0),
			    &none, sizeof(none), &stale, &after));
	EXPECT_EQ(stale_expected, stale);
	EXPECT_EQ(stale_expected, after);

	EXPECT_EQ(STATUS(0, 0),
		  run_flush(_metadata, g,
			    ctl(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0,
				0, 0), &space, sizeof(space), &stale, &after));
	EXPECT_EQ(stale_expected, stale);
	EXPECT_EQ(VAL_B, after);

	EXPECT_EQ(STATUS(0, 1),
		  run_flush(_metadata, g,
			    ctl(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0,
				1, 0), &list, sizeof(list), &stale, &after));
	EXPECT_EQ(stale_expected, stale);
	EXPECT_EQ(VAL_B, after);

	EXPECT_EQ(STATUS(0, 0),
		  run_flush(_metadata, g,
			    ctl(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, false,
				1, 0, 0), &space_ex, sizeof(space_ex), &stale,
			    &after));
	EXPECT_EQ(stale_expected, stale);
	EXPECT_EQ(VAL_B, after);

	/* reps 1 and 2 of 3: the result counts every rep completed */
	EXPECT_EQ(STATUS(0, 3),
		  run_flush(_metadata, g,
			    ctl(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 1,
				3, 1), &list_ex, sizeof(list_ex), &stale,
			    &after));
	EXPECT_EQ(stale_expected, stale);
	EXPECT_EQ(VAL_B, after);
}

struct bad_case {
	const char *name;
	__u64 control;
	bool fast;		/* else: @in at INPUT_GPA + @off */
	__u64 rdx, r8;
	__u64 in[6];
	__u64 off;
	__u64 result;
};

#define C_INPUT		HV_STATUS_INVALID_HYPERCALL_INPUT
#define C_PARAM		HV_STATUS_INVALID_PARAMETER
#define IPI		HVCALL_SEND_IPI
#define IPI_EX		HVCALL_SEND_IPI_EX
#define FSPACE		HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define FLIST		HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define FSPACE_EX	HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX
#define SPARSE		HV_GENERIC_SET_SPARSE_4K

static const struct bad_case bad_cases[] = {
	{ "unknown code", 0x0001, true, .result = 2 },
	{ "root call CREATE_PARTITION", HVCALL_CREATE_PARTITION, false,
	  .result = 2 },
	{ "root call DISPATCH_VP", HVCALL_DISPATCH_VP, false, .result = 2 },
	{ "reserved control bit 27", IPI | HV_HYPERCALL_FAST_BIT | 1ULL << 27,
	  true, 0x40, 0, .result = C_INPUT },
	{ "nested bit", IPI | HV_HYPERCALL_FAST_BIT | HV_HYPERCALL_NESTED,
	  true, 0x40, 0, .result = C_INPUT },
	{ "rep count on a simple call",
	  IPI | HV_HYPERCALL_FAST_BIT | 1ULL << 32, true, 0x40, 0,
	  .result = C_INPUT },
	{ "rep call without reps", FLIST, false, .in = { 0, 1, 1 },
	  .result = C_INPUT },
	{ "rep start past the count", FLIST | 2ULL << 32 | 2ULL << 48, false,
	  .in = { 0, 1, 1 }, .result = C_INPUT },
	{ "variable header on SEND_IPI",
	  IPI | HV_HYPERCALL_FAST_BIT | 1ULL << 17, true, 0x40, 0,
	  .result = C_INPUT },
	{ "fast SEND_IPI_EX needs 24 bytes",
	  IPI_EX | HV_HYPERCALL_FAST_BIT, true, 0x40, 1, .result = C_INPUT },
	{ "fast POST_MESSAGE", HVCALL_POST_MESSAGE | HV_HYPERCALL_FAST_BIT,
	  true, .result = C_INPUT },
	{ "input not 8-byte aligned", FSPACE, false, .in = { 0, 1, 1 },
	  .off = 4, .result = HV_STATUS_INVALID_ALIGNMENT },
	{ "input crosses the page", FLIST | 2ULL << 32, false,
	  .in = { 0, 1, 1 }, .off = 4096 - 32,
	  .result = HV_STATUS_INVALID_ALIGNMENT },
	{ "unknown flush flag", FSPACE, false, .in = { 0, 1ULL << 4, 1 },
	  .result = C_PARAM },
	{ "empty processor mask", FSPACE, false, .in = { 0, 0, 0 },
	  .result = C_PARAM },
	{ "empty mask, all processors", FSPACE, false,
	  .in = { 0, HV_FLUSH_ALL_PROCESSORS, 0 }, .result = 0 },
	{ "address space above 48 bits", FSPACE, false,
	  .in = { 1ULL << 48, 0, 1 }, .result = C_PARAM },
	{ "address space ignored for all spaces", FSPACE, false,
	  .in = { 1ULL << 48, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, 1 },
	  .result = 0 },
	{ "empty sparse set", FSPACE_EX, false,
	  .in = { 0, 0, SPARSE, 0 }, .result = C_PARAM },
	{ "sparse set of zero banks", FSPACE_EX | 1ULL << 17, false,
	  .in = { 0, 0, SPARSE, 1, 0 }, .result = C_PARAM },
	{ "vector 0x0f", IPI | HV_HYPERCALL_FAST_BIT, true, 0x0F, 1,
	  .result = C_PARAM },
	{ "vector 0x100", IPI | HV_HYPERCALL_FAST_BIT, true, 0x100, 1,
	  .result = C_PARAM },
	{ "target VTL 1", IPI | HV_HYPERCALL_FAST_BIT, true,
	  0x40 | 0x11ULL << 32, 1, .result = C_PARAM },
	{ "IPI padding", IPI | HV_HYPERCALL_FAST_BIT, true,
	  0x40 | 1ULL << 40, 1, .result = C_PARAM },
	{ "IPI to nobody", IPI | HV_HYPERCALL_FAST_BIT, true, 0x40, 0,
	  .result = 0 },
	{ "unknown set format", IPI_EX, false, .in = { 0x40, 2, 0 },
	  .result = C_PARAM },
	{ "two banks, one passed", IPI_EX | 1ULL << 17, false,
	  .in = { 0x40, SPARSE, 3, 1 }, .result = C_INPUT },
	{ "set ALL with bank contents", IPI_EX | 1ULL << 17, false,
	  .in = { 0x40, HV_GENERIC_SET_ALL, 0, 1 }, .result = C_INPUT },
	{ "POST_MESSAGE: no connection", HVCALL_POST_MESSAGE, false,
	  .in = { 1, 1, 0 }, .result = HV_STATUS_INVALID_CONNECTION_ID },
	{ "POST_MESSAGE: padding", HVCALL_POST_MESSAGE, false,
	  .in = { 1ULL << 32 | 1, 1, 0 }, .result = C_PARAM },
	{ "POST_MESSAGE: hypervisor type", HVCALL_POST_MESSAGE, false,
	  .in = { 1, 0x80000001ULL, 0 }, .result = C_PARAM },
	{ "POST_MESSAGE: 241 bytes", HVCALL_POST_MESSAGE, false,
	  .in = { 1, 1 | 241ULL << 32, 0 }, .result = C_PARAM },
	{ "SIGNAL_EVENT: no connection",
	  HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, true, 1 | 5ULL << 32,
	  0, .result = HV_STATUS_INVALID_CONNECTION_ID },
	{ "SIGNAL_EVENT: flag 2048",
	  HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, true,
	  1 | 2048ULL << 32, 0, .result = C_PARAM },
	{ "SIGNAL_EVENT: reserved",
	  HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, true, 1 | 1ULL << 48,
	  0, .result = C_PARAM },
	{ "NOTIFY_LONG_SPIN_WAIT",
	  HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT, true, 4096, 0,
	  .result = 0 },
};

static void run_cases(struct __test_metadata *_metadata,
		      struct genv *self, const struct bad_case *cases,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct bad_case *c = &cases[i];
		__u64 r;

		if (c->fast)
			r = run_call(_metadata, self, c->control, c->rdx, c->r8);
		else
			r = run_mem_call(_metadata, self, c->control, c->in,
					 sizeof(c->in), c->off);
		EXPECT_EQ(c->result, r) {
			TH_LOG("%s: result %#llx", c->name,
			       (unsigned long long)r);
		}
	}
}

TEST_F(ghc, refusals)
{
	struct genv *g = &self->g;

	run_cases(_metadata, g, bad_cases, ARRAY_SIZE(bad_cases));
	EXPECT_EQ(0ULL, *param(&g->vm, P_COUNT0));
}

/* Without the features and privileges: ACCESS_DENIED */
static const struct bad_case denied_cases[] = {
	{ "flush", FSPACE, false, .in = { 0, 0, 1 },
	  .result = HV_STATUS_ACCESS_DENIED },
	{ "IPI", IPI | HV_HYPERCALL_FAST_BIT, true, 0x40, 1,
	  .result = HV_STATUS_ACCESS_DENIED },
	{ "POST_MESSAGE", HVCALL_POST_MESSAGE, false, .in = { 1, 1, 0 },
	  .result = HV_STATUS_ACCESS_DENIED },
	{ "SIGNAL_EVENT", HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, true,
	  1, 0, .result = HV_STATUS_ACCESS_DENIED },
	{ "NOTIFY_LONG_SPIN_WAIT",
	  HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT, true, 1, 0,
	  .result = 0 },
};

TEST(access_denied)
{
	struct genv g;

	memset(&g, 0, sizeof(g));
	guest_setup(&g, QEMU_FEATURES & ~(TB_FLUSH | CLUSTER_IPI), 0);
	run_cases(_metadata, &g, denied_cases, ARRAY_SIZE(denied_cases));
	EXPECT_EQ(0ULL, *param(&g.vm, P_COUNT0));
	guest_teardown(&g);
}

static void expect_ud(struct __test_metadata *_metadata,
		      struct genv *self, __u64 rip)
{
	const struct hv_x64_exception_intercept_message *x;
	struct hv_message *msg = mshv_vp_run(self->vp);

	mshv_expect_msg_type(msg, HVMSG_X64_EXCEPTION_INTERCEPT);
	x = (const void *)msg->u.payload_bytes;
	EXPECT_EQ(VEC_UD, x->exception_vector);
	EXPECT_EQ(rip, x->header.rip);
	EXPECT_EQ(0xDEADBEEFULL, *param(&self->vm, P_RESULT));
}

static void install_ud_intercept(struct mshv_vm *vm)
{
	struct hv_input_install_intercept in = {
		.access_type = HV_INTERCEPT_ACCESS_MASK_EXECUTE,
		.intercept_type = HV_INTERCEPT_TYPE_EXCEPTION,
		.intercept_parameter = VEC_UD,
	};

	MSHV_TEST_ASSERT(!mshv_hvcall_status(vm->fd, HVCALL_INSTALL_INTERCEPT,
					     &in, sizeof(in)),
			 "INSTALL_INTERCEPT #UD");
}

/* VMCALL and VMMCALL, with the page and without; at CPL 3 */
TEST_F(ghc, vmcall_vmmcall_ud)
{
	struct genv *g = &self->g;
	const __u64 spin = ctl(HVCALL_NOTIFY_LONG_SPIN_WAIT, true, 0, 0, 0);
	struct hv_x64_segment_register ss;

	install_ud_intercept(&g->vm);

	/* GUEST_OS_ID 0: the enable bit stays clear, VMCALL is a #UD */
	*param(&g->vm, P_OSID) = 0;
	*param(&g->vm, P_BODY) = CODE_GPA + OFF_BODY_VMCALL;
	*param(&g->vm, P_CONTROL) = spin;
	*param(&g->vm, P_RESULT) = 0xDEADBEEFULL;
	expect_ud(_metadata, g, CODE_GPA + OFF_VMCALL_INSN);
	EXPECT_EQ(HCPAGE_GPA,
		  mshv_vp_get_reg(g->vp, HV_X64_REGISTER_HYPERCALL));

	/* with the page: VMCALL and VMMCALL both reach the hypervisor */
	*param(&g->vm, P_OSID) = 1;
	EXPECT_EQ(STATUS(0, 0), run_call(_metadata, g, spin, 0, 0));
	*param(&g->vm, P_BODY) = CODE_GPA + OFF_BODY_VMMCALL;
	EXPECT_EQ(STATUS(0, 0), run_call(_metadata, g, spin, 0, 0));
	EXPECT_EQ(STATUS(HV_STATUS_INVALID_HYPERCALL_CODE, 0),
		  run_call(_metadata, g, 0x0001, 0, 0));

	/* CPL 3 (SS.DPL), page enabled: #UD, RAX untouched */
	mshv_vp_set_reg(g->vp, HV_X64_REGISTER_RIP,
			CODE_GPA + OFF_VMCALL_INSN);
	mshv_vp_set_reg(g->vp, HV_X64_REGISTER_RAX, 0x1234);
	mshv_vp_set_reg(g->vp, HV_X64_REGISTER_RCX, spin);
	for (unsigned int l = 1; l <= 4; l++)
		*mshv_paging_entry(&g->pg, CODE_GPA, l) |= MSHV_PTE_US;
	ss = mshv_vp_get_segment(g->vp, HV_X64_REGISTER_SS);
	ss.attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
	mshv_vp_set_segment(g->vp, HV_X64_REGISTER_SS, &ss);
	*param(&g->vm, P_RESULT) = 0xDEADBEEFULL;
	expect_ud(_metadata, g, CODE_GPA + OFF_VMCALL_INSN);
	EXPECT_EQ(0x1234ULL, mshv_vp_get_reg(g->vp, HV_X64_REGISTER_RAX));
}

/*
 * The input page is in a movable region the guest never touched: the
 * VMCALL stops with the GPA intercept, the driver maps the page, the
 * VMCALL runs again and the IPI arrives once.
 */
TEST_F(ghc, input_in_unfaulted_movable_region)
{
	struct genv *g = &self->g;
	const struct hv_send_ipi in = {
		.vector = VECTOR, .cpu_mask = 1,
	};
	void *hva = mshv_alloc_host_memory(MOVABLE_SIZE);
	struct mshv_dbg_partition p0, p1;
	struct mshv_dbg_region r0, r1;
	bool pinned = mshv_pin_regions();
	__u64 result;

	mshv_map_guest_memory(g->vm.fd, MOVABLE_GPA, hva, MOVABLE_SIZE,
			      1 << MSHV_SET_MEM_BIT_WRITABLE);
	memcpy(hva, &in, sizeof(in));
	/* a first call faults in what the guest's code and stack use */
	EXPECT_EQ(STATUS(0, 0),
		  run_call(_metadata, g, ctl(HVCALL_NOTIFY_LONG_SPIN_WAIT, true,
					     0, 0, 0), 0, 0));
	p0 = mshv_dbg_partition_get(g->id);
	r0 = mshv_dbg_region_get(g->id, MOVABLE_GPA >> 12);

	result = run_call(_metadata, g, ctl(HVCALL_SEND_IPI, false, 0, 0, 0),
			  MOVABLE_GPA, 0);
	EXPECT_EQ(STATUS(0, 0), result);
	EXPECT_EQ(1ULL, *param(&g->vm, P_COUNT0));

	p1 = mshv_dbg_partition_get(g->id);
	r1 = mshv_dbg_region_get(g->id, MOVABLE_GPA >> 12);
	TH_LOG("pinned=%d gpa_faults %llu -> %llu, region faults %llu -> %llu",
	       pinned, (unsigned long long)p0.gpa_faults,
	       (unsigned long long)p1.gpa_faults,
	       (unsigned long long)r0.faults, (unsigned long long)r1.faults);
	EXPECT_EQ(pinned ? 0 : 1, (int)(p1.gpa_faults - p0.gpa_faults));
	EXPECT_EQ(pinned ? 0 : 1, (int)(r1.faults - r0.faults));
	mshv_unmap_guest_memory(g->vm.fd, MOVABLE_GPA, hva, MOVABLE_SIZE);
	mshv_free_host_memory(hva, MOVABLE_SIZE);
}

TEST_HARNESS_MAIN
