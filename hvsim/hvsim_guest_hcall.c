// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: hypercalls a guest VP issues with VMCALL or VMMCALL (normally
 * through its hypercall page).
 *
 * The control and result words are those of the root's calls: the same
 * decoder (hvsim_decode_control()), the same entry checks against a
 * descriptor (hvsim_hc_check()) and the same kind of per-call input checks
 * (hvsim_decode.c), run before anything changes.  The calls a guest may
 * make have a table of their own (guest_hcalls[]): a guest cannot reach
 * the root's calls, and the root's table cannot name the calling VP.
 *
 * Order of the checks, each ending the call with its status:
 *  1. #UD (nothing else happens) outside protected mode, in virtual-8086
 *     mode, at CPL > 0, and while the partition's hypercall page is not
 *     enabled or GUEST_OS_ID is 0;
 *  2. control word (INVALID_HYPERCALL_INPUT), code (INVALID_HYPERCALL_CODE),
 *     rep / variable header / fast bit and sizes (INVALID_HYPERCALL_INPUT;
 *     a fast call's input must fit its two registers: XMM fast input is
 *     not offered);
 *  3. input GPA alignment (8 bytes, not crossing a page: INVALID_ALIGNMENT);
 *  4. the synthetic feature or privilege the call needs (ACCESS_DENIED);
 *  5. the input is read from guest physical memory through the SLAT; a
 *     page that is not mapped (or not readable) stops the VP with the
 *     same UNMAPPED_GPA / GPA_INTERCEPT message a guest load would give,
 *     RIP at the VMCALL, nothing done: once the root has mapped the page
 *     the VMCALL runs again from the start;
 *  6. the call's input checks, then the call.
 * The result goes to RAX (EDX:EAX in 32-bit mode) and RIP moves past the
 * instruction.  Rep calls complete every rep from the rep start index.
 *
 * Everything runs in the caller's DISPATCH_VP, under the partition's lock
 * with interrupts disabled; the input buffer is per CPU for that reason.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_decode.h"
#include "hvsim_guest_hcall.h"
#include "hvsim_irq.h"
#include "hvsim_partition.h"
#include "x86_emu.h"

#define RFLAGS_VM	BIT_ULL(17)

/* Bytes a fast call passes in its two general registers */
#define FAST_INPUT_BYTES	(2 * sizeof(u64))

/**
 * struct guest_hcall - one hypercall a guest may issue
 * @hc: decoding: code, flags, sizes, input checks, name (no handler)
 * @feature: SYNTHETIC_PROC_FEATURES bit the partition needs, or 0
 * @privilege: PRIVILEGE bit (hvsim_partition_privileges()) it needs, or 0
 * @run: carries the call out for @vp; the partition's lock held
 */
struct guest_hcall {
	struct hvsim_hc_desc hc;
	u64 feature;
	u64 privilege;
	u16 (*run)(struct hvsim_vp *vp, struct hvsim_call *call);
};

/* Calls, reps and the refusals of each kind (debugfs guest_hypercalls) */
static atomic64_t ghc_ud;		/* #UD: mode, CPL, page not enabled */
static atomic64_t ghc_bad_code;		/* INVALID_HYPERCALL_CODE */
static atomic64_t ghc_input_faults;	/* input page intercepts */
static atomic64_t ghc_tlb_flushes;	/* flush calls that emptied TLBs */

/*
 * The input of the call being run on this CPU: a dispatch runs with
 * interrupts disabled from start to end, and hvsim allocates nothing while
 * it serves a hypercall.
 */
static DEFINE_PER_CPU(u64 [HV_HYP_PAGE_SIZE / sizeof(u64)], ghc_input);

/*
 * The flush calls: every VP named (all of them with ALL_PROCESSORS) must
 * stop using the translations it cached.  A VP's software TLB follows the
 * partition's SLAT generation (struct x86_emu_tlb), so bumping it empties
 * the caller's TLB before its next instruction and that of any VP running
 * meanwhile; one not running starts its next dispatch with an empty TLB.
 * That flushes every address space and every VP of the partition: more
 * than asked, never less.
 */
static void flush_tlbs(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	vp->partition->slat.gen++;
	atomic64_inc(&ghc_tlb_flushes);
}

static u16 run_flush(struct hvsim_vp *vp, struct hvsim_call *call)
{
	flush_tlbs(vp);
	call->reps_done = call->rep_count;
	return HV_STATUS_SUCCESS;
}

/* Send the IPI of SEND_IPI / SEND_IPI_EX to @vps */
static u16 send_ipi(struct hvsim_vp *vp, u32 vector, const u64 *vps)
{
	hvsim_irq_send_fixed(vp->partition, vps, vector);
	return HV_STATUS_SUCCESS;
}

static u16 run_send_ipi(struct hvsim_vp *vp, struct hvsim_call *call)
{
	const struct hv_send_ipi *in = call->input;
	u64 vps[HVSIM_VP_SET_WORDS] = { in->cpu_mask };

	return send_ipi(vp, in->vector, vps);
}

static u16 run_send_ipi_ex(struct hvsim_vp *vp, struct hvsim_call *call)
{
	const struct hv_send_ipi_ex *in = call->input;
	u64 vps[HVSIM_VP_SET_WORDS];
	u16 status;

	status = hvsim_decode_vp_set(&in->vp_set, call->varhead, vps);
	if (status)
		return status;
	return send_ipi(vp, in->vector, vps);
}

/*
 * POST_MESSAGE, SIGNAL_EVENT: a guest reaches a port of another partition
 * through a connection of its own.  hvsim's ports are the root's doorbells
 * (hvsim_port.c), which a guest rings with a memory write, not a
 * connection: no connection id is valid.
 */
static u16 run_no_connection(struct hvsim_vp *vp, struct hvsim_call *call)
{
	return HV_STATUS_INVALID_CONNECTION_ID;
}

static u16 run_success(struct hvsim_vp *vp, struct hvsim_call *call)
{
	return HV_STATUS_SUCCESS;
}

#define GHC(c, f, in, inrep, val, feat, priv, fn) {			\
	.hc = { .code = HVCALL_##c, .flags = (f), .in_size = (in),	\
		.in_rep_size = (inrep), .validate = (val), .name = #c },\
	.feature = (feat), .privilege = (priv), .run = (fn) }

#define TB_FLUSH	HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS
#define CLUSTER_IPI	HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI

/* Sorted by code */
static const struct guest_hcall guest_hcalls[] = {
	GHC(FLUSH_VIRTUAL_ADDRESS_SPACE, HC_FAST,
	    sizeof(struct hv_tlb_flush), 0,
	    hvsim_decode_flush_va, TB_FLUSH, 0, run_flush),
	GHC(FLUSH_VIRTUAL_ADDRESS_LIST, HC_REP | HC_FAST,
	    sizeof(struct hv_tlb_flush), sizeof(u64),
	    hvsim_decode_flush_va, TB_FLUSH, 0, run_flush),
	GHC(NOTIFY_LONG_SPIN_WAIT, HC_FAST,
	    sizeof(struct hv_input_notify_long_spin_wait), 0, NULL, 0, 0,
	    run_success),
	GHC(SEND_IPI, HC_FAST, sizeof(struct hv_send_ipi), 0,
	    hvsim_decode_send_ipi, CLUSTER_IPI, 0, run_send_ipi),
	GHC(FLUSH_VIRTUAL_ADDRESS_SPACE_EX, HC_VARHEAD | HC_FAST,
	    sizeof(struct hv_tlb_flush_ex), 0,
	    hvsim_decode_flush_va_ex, TB_FLUSH, 0, run_flush),
	GHC(FLUSH_VIRTUAL_ADDRESS_LIST_EX, HC_REP | HC_VARHEAD | HC_FAST,
	    sizeof(struct hv_tlb_flush_ex), sizeof(u64),
	    hvsim_decode_flush_va_ex, TB_FLUSH, 0, run_flush),
	GHC(SEND_IPI_EX, HC_VARHEAD | HC_FAST,
	    sizeof(struct hv_send_ipi_ex), 0,
	    hvsim_decode_send_ipi_ex, CLUSTER_IPI, 0, run_send_ipi_ex),
	GHC(POST_MESSAGE, 0, sizeof(struct hv_input_post_message), 0,
	    hvsim_decode_post_message, 0, HV_PRIVILEGE_POST_MESSAGES,
	    run_no_connection),
	GHC(SIGNAL_EVENT, HC_FAST, sizeof(struct hv_input_signal_event), 0,
	    hvsim_decode_signal_event, 0, HV_PRIVILEGE_SIGNAL_EVENTS,
	    run_no_connection),
};

static atomic64_t ghc_calls[ARRAY_SIZE(guest_hcalls)];
static atomic64_t ghc_reps[ARRAY_SIZE(guest_hcalls)];

static const struct guest_hcall *guest_hcall_find(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guest_hcalls); i++)
		if (guest_hcalls[i].hc.code == code)
			return &guest_hcalls[i];
	return NULL;
}

/* Can @vp issue a hypercall at all (else #UD)? */
static bool guest_hcall_allowed(const struct hvsim_vp *vp)
{
	const struct x86_emu_state *s = &vp->state;
	const struct hvsim_partition *pt = vp->partition;
	u16 es = x86_emu_exec_state(s);

	if (!(es & HV_X64_EXEC_STATE_CR0_PE) || (s->rflags & RFLAGS_VM) ||
	    (es & HV_X64_EXEC_STATE_CPL_MASK))
		return false;
	return (pt->hypercall & HV_MSR_PAGE_ENABLE) && pt->guest_os_id;
}

static bool guest_long_mode(const struct x86_emu_state *s)
{
	return (s->efer & HV_X86_EFER_LMA) &&
	       (s->seg[X86_CS].attributes & HV_X64_SEGMENT_LONG);
}

/* Two 32-bit registers as one 64-bit value: @hi in bits 63:32 */
static u64 reg_pair(const struct x86_emu_state *s, unsigned int hi,
		    unsigned int lo)
{
	return (s->gpr[hi] << 32) | (u32)s->gpr[lo];
}

/* Guest memory as a VP sees it, handed down by hvsim_guest_hcall_init() */
static const struct x86_emu_mem_ops *ghc_vp_mem;

/**
 * hvsim_guest_hcall_init() - hand the guest hypercalls the VPs' view of
 *	memory
 * @vp_mem: guest memory as a VP sees it (hvsim_vp_mem_ops)
 *
 * Called once at module init, before any VP exists.  A hypercall's input
 * is read through @vp_mem, as the VP's own loads would see it; the VP
 * layer that owns it sits above this file, which so never calls up into
 * it.
 */
void hvsim_guest_hcall_init(const struct x86_emu_mem_ops *vp_mem)
{
	ghc_vp_mem = vp_mem;
}

/*
 * Copy @len bytes of input at @gpa (in one page) to @buf through the SLAT.
 * On a page the VP may not read, fill @mem as the interpreter would for a
 * load there (no GVA), from the VMCALL's @exit, and return false.
 */
static bool read_input(struct hvsim_vp *vp, u64 gpa, void *buf,
		       unsigned int len, const struct x86_emu_exit *exit,
		       struct x86_emu_exit *mem)
{
	unsigned int off, n;

	for (off = 0; off < len; off += n) {
		n = min_t(unsigned int, len - off, HV_GPA_ACCESS_MAX_BYTES);
		if (ghc_vp_mem->access(vp, gpa + off, buf + off, n,
				       X86_EMU_ACCESS_READ, true))
			goto fault;
	}
	return true;
fault:
	*mem = *exit;
	mem->reason = X86_EXIT_MEMORY;
	mem->mem.gpa = gpa + off;
	mem->mem.gva = 0;
	mem->mem.gva_valid = false;
	mem->mem.access = X86_EMU_ACCESS_READ;
	mem->mem.value_valid = false;
	atomic64_inc(&ghc_input_faults);
	return false;
}

/*
 * Run the call of @control with input at @in_gpa (or, fast, in @fast).
 * Returns the status and sets *@reps; false in *@done when the input page
 * stopped the VP (@mem filled).
 */
static u16 guest_hcall_run(struct hvsim_vp *vp, u64 control, u64 in_gpa,
			   const u64 *fast, u16 *reps,
			   const struct x86_emu_exit *exit,
			   struct x86_emu_exit *mem, bool *done)
{
	u64 *input = *this_cpu_ptr(&ghc_input);
	struct hvsim_call call = { .input = input };
	struct hvsim_partition *pt = vp->partition;
	const struct guest_hcall *g;
	unsigned int len, idx;
	u16 status;

	*reps = 0;
	*done = true;
	status = hvsim_decode_control(control, &call);
	if (status)
		return status;
	g = guest_hcall_find(call.code);
	if (!g) {
		atomic64_inc(&ghc_bad_code);
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
	status = hvsim_hc_check(&g->hc, &call);
	if (status)
		return status;
	len = g->hc.in_size + call.varhead * sizeof(u64) +
	      call.rep_count * g->hc.in_rep_size;
	if (call.fast) {
		if (len > FAST_INPUT_BYTES)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if ((in_gpa & (sizeof(u64) - 1)) ||
		   (in_gpa & (HV_HYP_PAGE_SIZE - 1)) + len > HV_HYP_PAGE_SIZE) {
		return HV_STATUS_INVALID_ALIGNMENT;
	}
	if ((g->feature && !(pt->synthetic_proc_features & g->feature)) ||
	    (g->privilege && !(hvsim_partition_privileges(pt) & g->privilege)))
		return HV_STATUS_ACCESS_DENIED;
	memset(input, 0, len);
	if (call.fast) {
		memcpy(input, fast, FAST_INPUT_BYTES);
	} else if (!read_input(vp, in_gpa, input, len, exit, mem)) {
		*done = false;
		return HV_STATUS_SUCCESS;
	}
	call.reps_done = call.rep_start;
	if (g->hc.validate)
		status = g->hc.validate(&call);
	if (!status)
		status = g->run(vp, &call);
	idx = g - guest_hcalls;
	atomic64_inc(&ghc_calls[idx]);
	if (g->hc.flags & HC_REP) {
		atomic64_add(call.reps_done - call.rep_start, &ghc_reps[idx]);
		*reps = call.reps_done;
	}
	return status;
}

/**
 * hvsim_guest_hcall() - a guest VP executed VMCALL or VMMCALL
 * @vp: the VP, its partition's lock held
 * @exit: the interpreter's X86_EXIT_HYPERCALL stop (not retired)
 * @mem: filled when the input page stops the VP
 *
 * In 64-bit mode the control word is RCX, the input GPA RDX (fast: input
 * qwords RDX, R8), the output GPA R8, the result RAX; otherwise EDX:EAX,
 * EBX:ECX (fast: EBX:ECX, EDI:ESI), EDI:ESI and EDX:EAX.  None of the
 * calls hvsim implements for guests writes output.  See the file comment
 * for the order of checks.
 *
 * Return: HVSIM_GHC_DONE (the VMCALL retired with its result),
 * HVSIM_GHC_UD (raise #UD: nothing else changed) or HVSIM_GHC_MEMORY
 * (@mem is the memory stop to report; nothing changed).
 */
enum hvsim_ghc_result hvsim_guest_hcall(struct hvsim_vp *vp,
					const struct x86_emu_exit *exit,
					struct x86_emu_exit *mem)
{
	struct x86_emu_state *s = &vp->state;
	u64 control, in_gpa, fast[2], result;
	bool long_mode, done;
	u16 status, reps;

	lockdep_assert_held(&vp->partition->lock);
	if (!guest_hcall_allowed(vp)) {
		atomic64_inc(&ghc_ud);
		return HVSIM_GHC_UD;
	}
	long_mode = guest_long_mode(s);
	if (long_mode) {
		control = s->gpr[X86_RCX];
		in_gpa = s->gpr[X86_RDX];
		fast[0] = s->gpr[X86_RDX];
		fast[1] = s->gpr[X86_R8];
	} else {
		control = reg_pair(s, X86_RDX, X86_RAX);
		in_gpa = reg_pair(s, X86_RBX, X86_RCX);
		fast[0] = in_gpa;
		fast[1] = reg_pair(s, X86_RDI, X86_RSI);
	}
	status = guest_hcall_run(vp, control, in_gpa, fast, &reps, exit, mem,
				 &done);
	if (!done)
		return HVSIM_GHC_MEMORY;
	result = status | ((u64)reps << HV_HYPERCALL_REP_COMP_OFFSET);
	if (long_mode) {
		s->gpr[X86_RAX] = result;
	} else {
		s->gpr[X86_RAX] = (u32)result;
		s->gpr[X86_RDX] = result >> 32;
	}
	s->rip += exit->insn_len;
	if (!long_mode)
		s->rip = (u32)s->rip;
	s->interrupt_shadow = 0;
	return HVSIM_GHC_DONE;
}

static int guest_hypercalls_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guest_hcalls); i++)
		seq_printf(m, "0x%04x %s %llu %llu\n",
			   guest_hcalls[i].hc.code, guest_hcalls[i].hc.name,
			   (u64)atomic64_read(&ghc_calls[i]),
			   (u64)atomic64_read(&ghc_reps[i]));
	seq_printf(m, "ud=%llu invalid_code=%llu input_faults=%llu tlb_flushes=%llu\n",
		   (u64)atomic64_read(&ghc_ud),
		   (u64)atomic64_read(&ghc_bad_code),
		   (u64)atomic64_read(&ghc_input_faults),
		   (u64)atomic64_read(&ghc_tlb_flushes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(guest_hypercalls);

/**
 * hvsim_guest_hcall_debugfs_init() - create debugfs "guest_hypercalls"
 * @dir: hvsim's debugfs directory
 *
 * One line per guest call: code, name, calls that passed the entry
 * checks and read their input, reps completed;
 * then the VMCALLs refused with #UD, the unknown codes, the input pages
 * that stopped a VP and the flushes.
 */
void hvsim_guest_hcall_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("guest_hypercalls", 0444, dir, NULL,
			    &guest_hypercalls_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_guest_hcall_test.c"
#endif
