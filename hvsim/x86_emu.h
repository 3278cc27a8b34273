/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim's x86 interpreter: the interface between the partition model
 * (which owns the SLAT, intercepts and messages) and the instruction
 * executor.
 *
 * Plain C on <linux/types.h> plus hvabi.h so that it builds both in the
 * kernel and in userspace (unit tests, fuzzing).  The interpreter never
 * touches memory itself: every guest-physical access goes through
 * struct x86_emu_mem_ops, which applies the SLAT and its permissions.
 *
 * Restartability: an instruction either retires completely or changes
 * nothing (registers and memory) and reports why it stopped, so the
 * same instruction can be executed again after the VMM or the driver
 * resolved the cause (mapped the page, completed the I/O ...).  Rep string
 * instructions retire one iteration at a time, like hardware.
 */
#ifndef _HVSIM_X86_EMU_H
#define _HVSIM_X86_EMU_H

#include <linux/types.h>
#include "hvabi.h"

/* Indices of x86_emu_state.gpr, in hardware encoding order */
enum x86_emu_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

/* Indices of x86_emu_state.seg, in hardware encoding order */
enum x86_emu_seg {
	X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NR_SEGS
};

/**
 * struct x86_emu_state - architectural state of one virtual processor
 * @gpr: general purpose registers, enum x86_emu_gpr
 * @rip: instruction pointer
 * @rflags: flags
 * @seg: segment registers, enum x86_emu_seg
 * @ldtr: local descriptor table register
 * @tr: task register
 * @gdtr: global descriptor table register
 * @idtr: interrupt descriptor table register
 * @cr0: control register 0
 * @cr2: control register 2
 * @cr3: control register 3
 * @cr4: control register 4
 * @cr8: task priority
 * @efer: extended feature enable register
 * @kernel_gs_base: IA32_KERNEL_GS_BASE, which SWAPGS exchanges with GS's
 *	base
 * @star: IA32_STAR: the selectors SYSCALL and SYSRET load
 * @lstar: IA32_LSTAR: SYSCALL's target in 64-bit mode
 * @cstar: IA32_CSTAR: kept, not used (SYSCALL is #UD outside 64-bit mode)
 * @sfmask: IA32_FMASK: the RFLAGS bits SYSCALL clears
 * @xfem: XCR0
 * @dr: debug registers DR0-DR3, DR6, DR7
 * @xmm: XMM0-XMM15 (kept, not interpreted but for FXSAVE / XSAVE and
 *	their restores)
 * @fx: bytes 0-159 of the FXSAVE image of the x87 and MXCSR state: FCW,
 *	FSW, abridged FTW, FOP, FIP, FDP, MXCSR, MXCSR_MASK (not used: the
 *	interpreter stores X86_EMU_MXCSR_MASK) and ST0-ST7 in their 16-byte
 *	slots (X86_EMU_FX_*)
 * @interrupt_shadow: an STI or MOV SS shadow covers the next instruction
 * @nmi_masked: an NMI was delivered and no IRET has executed since: further
 *	NMIs are held (INTERRUPT_STATE.nmi_masked)
 */
struct x86_emu_state {
	__u64 gpr[X86_NR_GPRS];
	__u64 rip;
	__u64 rflags;
	struct hv_x64_segment_register seg[X86_NR_SEGS];
	struct hv_x64_segment_register ldtr;
	struct hv_x64_segment_register tr;
	struct hv_x64_table_register gdtr;
	struct hv_x64_table_register idtr;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 kernel_gs_base;
	__u64 star, lstar, cstar, sfmask;
	__u64 xfem;
	__u64 dr[6];
	struct hv_u128 xmm[16];
	__u8 fx[160];
	__u8 interrupt_shadow;
	__u8 nmi_masked;
};

/* Offsets in x86_emu_state.fx (those of the FXSAVE image) */
#define X86_EMU_FX_FCW		0
#define X86_EMU_FX_FSW		2
#define X86_EMU_FX_FTW		4
#define X86_EMU_FX_MXCSR	24
#define X86_EMU_FX_MXCSR_MASK	28
#define X86_EMU_FX_ST0		32
/* The MXCSR bits that may be set (MXCSR_MASK): all of 0-15, DAZ included */
#define X86_EMU_MXCSR_MASK	0x0000FFFFU
/* FCW of FNINIT and of the x87 initial state; MXCSR's initial value */
#define X86_EMU_FCW_INIT	0x037F
#define X86_EMU_MXCSR_INIT	0x1F80
/* The state components XSETBV accepts in XCR0: x87 and SSE */
#define X86_EMU_XCR0_SUPPORTED	0x3ULL

/* Kinds of guest-physical access, as in the intercept message */
enum x86_emu_access {
	X86_EMU_ACCESS_READ = HV_INTERCEPT_ACCESS_READ,
	X86_EMU_ACCESS_WRITE = HV_INTERCEPT_ACCESS_WRITE,
	X86_EMU_ACCESS_EXECUTE = HV_INTERCEPT_ACCESS_EXECUTE,
};

/**
 * struct x86_emu_mem_ops - guest-physical memory seen through the SLAT
 * @access: copy @len bytes (1 to 16, never crossing a 4 KiB page) between
 *	@buf and guest physical address @gpa.  With @commit false nothing is
 *	copied: the call only checks that the access would succeed (used to
 *	validate every access of an instruction before any of it is
 *	committed).  Returns 0, or a negative value when the SLAT has no
 *	mapping or forbids the access; the interpreter then stops with
 *	X86_EXIT_MEMORY and does not retire the instruction.
 *	Guest page-table walks use this too (READ for the walk, WRITE when
 *	setting accessed/dirty bits).
 * @map: optional, used with a struct x86_emu_tlb: the host mapping of the
 *	4 KiB guest page at @gpa (page aligned), which must stay valid and
 *	mean the same guest page until the TLB's generation changes, with
 *	*@rights set to the X86_EMU_TLB_* accesses that may use it without
 *	@access (the SLAT allows them, and needs no accessed/dirty update or
 *	check the TLB would skip); NULL when every access must go through
 *	@access.
 * @tsc: optional: the guest's time stamp counter for RDTSC and RDTSCP,
 *	with *@tsc_aux set to IA32_TSC_AUX (RDTSCP's ECX); without it both
 *	instructions stop with X86_EXIT_UNSUPPORTED
 */
struct x86_emu_mem_ops {
	int (*access)(void *ctx, __u64 gpa, void *buf, unsigned int len,
		      enum x86_emu_access access, bool commit);
	void *(*map)(void *ctx, __u64 gpa, __u32 *rights);
	__u64 (*tsc)(void *ctx, __u32 *tsc_aux);
};

/* Rights of a software TLB entry: the accesses that may use its host page */
#define X86_EMU_TLB_READ	0x1
#define X86_EMU_TLB_WRITE	0x2
#define X86_EMU_TLB_EXEC	0x4

/* Entries of struct x86_emu_tlb (a power of two) */
#define X86_EMU_TLB_ENTRIES	64

/**
 * struct x86_emu_tlb_entry - one linear page of struct x86_emu_tlb
 * @tag: the page's linear address, bit 1 set when filled by a CPL-3
 *	access, bit 0 (valid); 0 for an empty entry
 * @gpa: the guest physical address of the page
 * @host: the host mapping of the page (x86_emu_mem_ops.map)
 * @rights: X86_EMU_TLB_*: the accesses that may go straight to @host
 */
struct x86_emu_tlb_entry {
	__u64 tag;
	__u64 gpa;
	__u8 *host;
	__u32 rights;
};

/* Entries of the decode cache of struct x86_emu_tlb (a power of two) */
#define X86_EMU_DCACHE_ENTRIES	256
/* Bytes of the decoded form an entry keeps (private to x86_emu.c) */
#define X86_EMU_DCACHE_FIELDS	32

/**
 * struct x86_emu_dcache_entry - one decoded instruction
 * @lin: linear address of its first byte
 * @imm: its immediate
 * @epoch: the x86_emu_tlb.dc_epoch it was stored in; another is empty
 * @fields: the rest of its decoded form, independent of the registers
 * @bytes: its bytes, zero past @len, compared with the host page at
 *	every use
 * @len: its length (it lies in one page)
 * @mode: the code size it was decoded for (2, 4 or 8 bytes)
 */
struct x86_emu_dcache_entry {
	__u64 lin;
	__u64 imm;
	__u32 epoch;
	__u8 fields[X86_EMU_DCACHE_FIELDS];
	__u8 bytes[16];
	__u8 len;
	__u8 mode;
};

/**
 * struct x86_emu_tlb - software TLB: linear page -> host page
 * @gen: the owner's generation of the guest physical address space
 *	(x86_emu_tlb_reset()); a different value empties the TLB before the
 *	next instruction
 * @seen_gen: the value of *@gen the entries belong to
 * @cr0: CR0 the entries were filled under; also @cr3, @cr4, @efer: any
 *	change of them empties the TLB before the next instruction
 * @cr3: CR3 of the entries
 * @cr4: CR4 of the entries
 * @efer: EFER of the entries
 * @large: an entry was filled from a 2 MiB or 1 GiB guest page (INVLPG
 *	then empties the whole TLB)
 * @fills: entries filled since x86_emu_tlb_reset()
 * @flushes: times the TLB was emptied since x86_emu_tlb_reset()
 * @entry: the entries, direct-mapped by linear page number
 * @dc_epoch: the epoch of the decode cache's valid entries
 * @dc_hits: instructions taken from the decode cache since
 *	x86_emu_tlb_reset()
 * @dcache: the decode cache, direct-mapped by a hash of the linear address
 * @serialize_rmw: x86_emu_step_tlb() refuses, changing nothing
 *	(X86_EXIT_UNSUPPORTED), an instruction with a LOCK prefix and an
 *	XCHG with a memory operand: for an owner that runs the VP alongside
 *	others and executes those only where no other VP of the guest runs,
 *	so that they are atomic with respect to every other access
 *
 * An entry is filled when an instruction that accessed the page retires:
 * its guest page walk set the accessed bits (and the dirty bit for a
 * write) and the access was made through x86_emu_mem_ops.access, so the
 * bits need no update while the entry lives.  It grants READ and, when
 * the walk allows it, EXEC; WRITE only after a write was made through it.
 * x86_emu_mem_ops.map says which of them the host side lets go straight
 * to the host page.  A hit copies to or from the host page; a miss takes
 * the walk and x86_emu_mem_ops.access as without a TLB.  Emptied on MOV to
 * CR3 (any value), on INVLPG (the entry, or everything when @large), on
 * any change of CR0, CR3, CR4 or EFER however made, and on a change of
 * *@gen.
 *
 * The decode cache (@dcache) keeps decoded instructions by linear address
 * and code size.  An entry is used only when the TLB lets the instruction
 * be fetched straight from its host page (an EXEC hit) and the bytes
 * there are the entry's bytes, so it is never stale, whoever wrote the
 * page (the guest, another VP, the VMM, hvsim): the decode of the same
 * bytes in the same mode is the same.  x86_emu_tlb_reset() empties it
 * (a new @dc_epoch).
 *
 * Owned by one VP at a time; no locking of its own.
 */
struct x86_emu_tlb {
	const __u64 *gen;
	__u64 seen_gen;
	__u64 cr0, cr3, cr4, efer;
	bool large;
	__u64 fills;
	__u64 flushes;
	struct x86_emu_tlb_entry entry[X86_EMU_TLB_ENTRIES];
	__u32 dc_epoch;
	__u64 dc_hits;
	struct x86_emu_dcache_entry dcache[X86_EMU_DCACHE_ENTRIES];
	bool serialize_rmw;
};

/* Why x86_emu_step() stopped */
enum x86_emu_exit_reason {
	X86_EXIT_NONE,		/* instruction retired; keep going */
	X86_EXIT_IO,		/* IN/OUT: needs the VMM (not retired) */
	X86_EXIT_HLT,		/* HLT (not retired: RIP is at the HLT) */
	X86_EXIT_MEMORY,	/* SLAT miss or permission fault (not retired) */
	X86_EXIT_CPUID,		/* CPUID (not retired) */
	X86_EXIT_MSR,		/* RDMSR/WRMSR (not retired) */
	X86_EXIT_UNSUPPORTED,	/* cannot execute: not modelled */
	X86_EXIT_EXCEPTION,	/* guest exception, @exc (not retired) */
	X86_EXIT_TRIPLE_FAULT,	/* a fault while delivering #DF (shutdown) */
	X86_EXIT_HYPERCALL,	/* VMCALL / VMMCALL, any mode and CPL (not retired) */
};

/* Exception vectors */
#define X86_EMU_VEC_DE	0	/* divide error */
#define X86_EMU_VEC_NMI	2
#define X86_EMU_VEC_BP	3	/* INT3 */
#define X86_EMU_VEC_UD	6	/* invalid opcode */
#define X86_EMU_VEC_NM	7	/* device not available */
#define X86_EMU_VEC_DF	8	/* double fault */
#define X86_EMU_VEC_TS	10	/* invalid TSS */
#define X86_EMU_VEC_NP	11	/* segment not present */
#define X86_EMU_VEC_SS	12	/* stack fault */
#define X86_EMU_VEC_GP	13	/* general protection */
#define X86_EMU_VEC_PF	14	/* page fault */
#define X86_EMU_VEC_MF	16	/* x87 floating-point error */
#define X86_EMU_VEC_AC	17	/* alignment check */

/* Page-fault error code bits */
#define X86_EMU_PF_P	0x01	/* protection violation (else not present) */
#define X86_EMU_PF_W	0x02	/* write access */
#define X86_EMU_PF_U	0x04	/* CPL 3 access */
#define X86_EMU_PF_RSVD	0x08	/* reserved bit set in a paging entry */
#define X86_EMU_PF_I	0x10	/* instruction fetch (with EFER.NXE) */

/* Selector error codes: EXT (external event) and IDT bits */
#define X86_EMU_ERR_EXT	0x1
#define X86_EMU_ERR_IDT	0x2

/* Kinds of events x86_emu_deliver_event() delivers */
enum x86_emu_event_type {
	X86_EVENT_EXTINT,	/* external interrupt */
	X86_EVENT_NMI,		/* non-maskable interrupt (vector 2) */
	X86_EVENT_EXCEPTION,	/* hardware exception (fault) */
	X86_EVENT_SOFTEXC,	/* INT3: a trap, RIP after the instruction */
	X86_EVENT_SOFTINT,	/* INT n: a trap, RIP after the instruction */
};

/**
 * struct x86_emu_event - an interrupt or exception to deliver
 * @type: enum x86_emu_event_type
 * @vector: the vector
 * @insn_len: SOFTEXC / SOFTINT: length of the instruction, added to the
 *	RIP that is pushed
 * @error_code_valid: @error_code is pushed (vectors 8, 10-14, 17 outside
 *	real mode)
 * @cr2_valid: @cr2 is loaded into CR2 on delivery: a #PF the interpreter
 *	raised, or the #DF it became
 * @error_code: the error code
 * @cr2: the faulting linear address of a #PF
 */
struct x86_emu_event {
	__u8 type;
	__u8 vector;
	__u8 insn_len;
	bool error_code_valid;
	bool cr2_valid;
	__u32 error_code;
	__u64 cr2;
};

/**
 * struct x86_emu_exit - details of a stop
 * @reason: enum x86_emu_exit_reason
 * @insn_len: length of the instruction that stopped (0 if not decoded)
 * @insn_bytes: the instruction's bytes, as fetched so far
 * @insn_byte_count: number of valid bytes in @insn_bytes
 * @pause: the instruction that retired is PAUSE, the hint of a spin-wait
 *	loop (the caller may end its run there, as a processor's PAUSE-loop
 *	exiting does)
 * @io: port access: @io.port, @io.size (1, 2 or 4), @io.write,
 *	@io.string (INS/OUTS), @io.rep (REP prefix)
 * @mem: faulting access: @mem.gpa, @mem.gva and @mem.gva_valid (a linear
 *	address exists: data and fetch accesses, not page-table walks),
 *	@mem.access (enum x86_emu_access); for a plain MOV store (88/89,
 *	C6/C7, A2/A3) that lies in one page, @mem.value_valid is set and
 *	@mem.value / @mem.size (1, 2, 4 or 8) are what it would store, so
 *	the caller may complete the write itself and retire the instruction
 *	(RIP + @insn_len)
 * @msr: @msr.index and @msr.write
 * @exc: X86_EXIT_EXCEPTION: the exception the guest must take, to be
 *	delivered with x86_emu_deliver_event() (or intercepted)
 */
struct x86_emu_exit {
	enum x86_emu_exit_reason reason;
	__u8 insn_len;
	__u8 insn_bytes[16];
	__u8 insn_byte_count;
	bool pause;
	union {
		struct {
			__u16 port;
			__u8 size;
			bool write;
			bool string;
			bool rep;
		} io;
		struct {
			__u64 gpa;
			__u64 gva;
			bool gva_valid;
			enum x86_emu_access access;
			bool value_valid;
			__u8 size;
			__u64 value;
		} mem;
		struct {
			__u32 index;
			bool write;
		} msr;
		struct x86_emu_event exc;
	};
};

/**
 * x86_emu_step() - execute at most one instruction
 * @s: VP state, updated only when the instruction retires
 * @ops: guest-physical memory
 * @ctx: passed to @ops
 * @exit: filled with the reason the step ended
 *
 * A guest exception (#DE, #UD, #GP, #SS, #PF, and the traps of INT3 and
 * INT n) stops the step with X86_EXIT_EXCEPTION and @exit->exc; @s is
 * unchanged (RIP is the instruction's, even for the traps: the event's
 * insn_len says how far the pushed RIP is) and the caller delivers it with
 * x86_emu_deliver_event() unless it intercepts it.
 *
 * Return: true if the instruction retired (@exit->reason == X86_EXIT_NONE),
 * false if it stopped; @s is then unchanged.
 */
bool x86_emu_step(struct x86_emu_state *s, const struct x86_emu_mem_ops *ops,
		  void *ctx, struct x86_emu_exit *exit);

/**
 * x86_emu_step_tlb() - x86_emu_step() with a software TLB
 * @s: VP state, updated only when the instruction retires
 * @ops: guest-physical memory, with @ops->map
 * @ctx: passed to @ops
 * @tlb: the VP's TLB (struct x86_emu_tlb), or NULL
 * @exit: filled with the reason the step ended
 *
 * The same instruction semantics, exits and restartability as
 * x86_emu_step(); fetches and data accesses that hit @tlb copy straight
 * to or from the host page, and INVLPG and MOV to CR3 flush it.
 *
 * Return: true if the instruction retired.
 */
bool x86_emu_step_tlb(struct x86_emu_state *s,
		      const struct x86_emu_mem_ops *ops, void *ctx,
		      struct x86_emu_tlb *tlb, struct x86_emu_exit *exit);

/**
 * x86_emu_tlb_reset() - empty a TLB and give it its owner
 * @tlb: the TLB
 * @gen: the owner's generation counter of the guest physical address
 *	space (read on every step; must outlive the TLB's use)
 *
 * Also clears @tlb->fills and @tlb->flushes.
 */
void x86_emu_tlb_reset(struct x86_emu_tlb *tlb, const __u64 *gen);

/**
 * x86_emu_tlb_flush() - empty a TLB
 * @tlb: the TLB
 */
void x86_emu_tlb_flush(struct x86_emu_tlb *tlb);

/**
 * x86_emu_deliver_interrupt() - deliver an external interrupt
 * @s: VP state, updated only when the interrupt is delivered
 * @ops: guest-physical memory
 * @ctx: passed to @ops
 * @vector: the vector
 * @exit: filled with the reason when it cannot be delivered
 *
 * Vectors through the real-mode IVT (push FLAGS, CS, IP; clear IF, TF,
 * AC), a 32-bit protected-mode IDT gate (push EFLAGS, CS, EIP) or a 64-bit
 * IDT gate (align RSP to 16, push SS, RSP, RFLAGS, CS, RIP); interrupt
 * gates clear IF, trap gates keep it; TF, NT, RF and VM are cleared.  The
 * gate's code segment is the current one or a GDT descriptor at the same
 * privilege level; in 64-bit mode also a more privileged one (the stack
 * then comes from RSPn of the TSS and SS becomes null), and a gate's IST
 * index switches to that stack of the TSS.  RIP pushed is the current
 * one: the interrupt arrives at an instruction boundary and the interrupt
 * shadow is cleared.  The caller checks RFLAGS.IF, the shadow and
 * priorities first.
 *
 * Restartable like an instruction: an IVT / IDT / GDT / TSS read or a
 * stack write the SLAT refuses stops with X86_EXIT_MEMORY and changes
 * nothing, so the same delivery can be tried again after the page is
 * mapped.  A privilege change outside 64-bit mode, compatibility or
 * virtual-8086 mode stop with X86_EXIT_UNSUPPORTED; a fault of the
 * delivery itself (a vector beyond the IDT limit, a gate that is not a
 * present interrupt or trap gate, a TSS too short ...) stops with
 * X86_EXIT_EXCEPTION, see x86_emu_deliver_event().
 *
 * Return: true if delivered (@exit->reason == X86_EXIT_NONE).
 */
bool x86_emu_deliver_interrupt(struct x86_emu_state *s,
			       const struct x86_emu_mem_ops *ops, void *ctx,
			       __u8 vector, struct x86_emu_exit *exit);

/**
 * x86_emu_deliver_event() - deliver an exception, an NMI or an interrupt
 * @s: VP state, updated only when the event is delivered
 * @ops: guest-physical memory
 * @ctx: passed to @ops
 * @ev: the event
 * @exit: filled with the reason when it cannot be delivered
 *
 * Like x86_emu_deliver_interrupt(), and also: the error code is pushed
 * (outside real mode) when @ev->error_code_valid; CR2 is loaded with
 * @ev->cr2 when @ev->cr2_valid; an NMI sets @s->nmi_masked; the traps (SOFTEXC, SOFTINT) push
 * RIP + @ev->insn_len and need a gate DPL >= CPL (else #GP).  Interrupts
 * and exceptions are delivered whatever RFLAGS.IF says: the caller decides.
 *
 * A fault while delivering (IDT limit, gate type, not-present gate or code
 * segment, TSS limit, non-canonical target or stack, a guest #PF on the
 * IDT, GDT, TSS or stack) stops with X86_EXIT_EXCEPTION and the exception to deliver next,
 * combined with @ev as the processor does: a contributory fault (#DE, #TS,
 * #NP, #SS, #GP) while delivering a contributory one, or a contributory
 * fault or #PF while delivering a #PF, becomes #DF (error code 0); any
 * other is delivered instead of @ev (the caller calls this again with
 * it); a contributory fault or #PF while delivering #DF stops with
 * X86_EXIT_TRIPLE_FAULT.  A SLAT miss stops with X86_EXIT_MEMORY and
 * changes nothing (restartable); what is not modelled (privilege change
 * outside 64-bit mode, task gates, compatibility and virtual-8086 mode)
 * stops with X86_EXIT_UNSUPPORTED.
 *
 * Return: true if delivered (@exit->reason == X86_EXIT_NONE).
 */
bool x86_emu_deliver_event(struct x86_emu_state *s,
			   const struct x86_emu_mem_ops *ops, void *ctx,
			   const struct x86_emu_event *ev,
			   struct x86_emu_exit *exit);

/*
 * Results of x86_emu_translate(): the values are the result codes of
 * TRANSLATE_VIRTUAL_ADDRESS (HV_TRANSLATE_GVA_*), except
 * X86_EMU_XLATE_UNSUPPORTED_MODE, which has no counterpart.
 */
enum x86_emu_xlate {
	X86_EMU_XLATE_OK = 0,			/* SUCCESS */
	X86_EMU_XLATE_PAGE_NOT_PRESENT = 1,		/* an entry is not present */
	X86_EMU_XLATE_PRIVILEGE_VIOLATION = 2,	/* W to R/O, U to S, NX */
	X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS = 3,	/* reserved bits set */
	X86_EMU_XLATE_GPA_UNMAPPED = 4,		/* a paging structure is not readable in the SLAT */
	X86_EMU_XLATE_GPA_NO_WRITE_ACCESS = 6,	/* its A/D bits cannot be written */
	X86_EMU_XLATE_UNSUPPORTED_MODE = 0x100,	/* 32-bit or PAE paging */
};

/**
 * x86_emu_translate() - translate a linear address the way the VP would
 * @s: VP state: paging mode (CR0.PG, CR4.PAE, EFER.LMA), CR3, CPL, CR0.WP
 *	and EFER.NXE decide the walk; without paging the address is the GPA
 * @ops: guest-physical memory, used for the page-table reads (and writes)
 * @ctx: passed to @ops
 * @gva: linear address (segmentation is not applied)
 * @access: the access to validate
 * @set_ad: set the accessed bits of the walk (and the dirty bit of the
 *	leaf for a write) like the processor would
 * @gpa: the guest physical address, valid when X86_EMU_XLATE_OK is returned
 *
 * Used by TRANSLATE_VIRTUAL_ADDRESS; the interpreter walks the same way
 * (one implementation).  4-level paging with 4 KiB, 2 MiB and 1 GiB pages;
 * the privilege checks are those of a CPL-3 access when the SS DPL is 3
 * (user: every level needs U/S, writes need R/W everywhere) and of a
 * supervisor access otherwise (writes need R/W only with CR0.WP); execute
 * needs NX clear everywhere.  SMEP, SMAP and protection keys are not
 * modelled.  Reserved bits: NX without EFER.NXE, bits 51:48 (guest
 * physical addresses are 48 bits), PS in a PML4 entry, bits 20:13 (29:13)
 * of a 2 MiB (1 GiB) leaf.  A non-canonical @gva reports
 * X86_EMU_XLATE_PAGE_NOT_PRESENT.  Accessed/dirty bits are set only when the
 * whole translation succeeds, by a one-byte store of each entry's low byte.
 * The final GPA itself is not checked against the SLAT.  Without paging
 * *@gpa is @gva; 32-bit and PAE paging return X86_EMU_XLATE_UNSUPPORTED_MODE.
 *
 * Return: enum x86_emu_xlate.
 */
enum x86_emu_xlate x86_emu_translate(const struct x86_emu_state *s,
				     const struct x86_emu_mem_ops *ops,
				     void *ctx, __u64 gva,
				     enum x86_emu_access access, bool set_ad,
				     __u64 *gpa);

/**
 * x86_emu_reset() - put @s into the x86 power-on state
 * @s: VP state
 *
 * CS selector 0xF000 with base 0xFFFF0000, RIP 0xFFF0, RFLAGS 0x2,
 * CR0 0x60000010, other segments base 0 limit 0xFFFF, everything else 0.
 */
void x86_emu_reset(struct x86_emu_state *s);

/**
 * x86_emu_exec_state() - hv_x64_intercept_message_header.execution_state
 * @s: VP state
 *
 * Return: CPL, CR0.PE, CR0.AM, EFER.LMA and interrupt-shadow bits.
 */
__u16 x86_emu_exec_state(const struct x86_emu_state *s);

#endif /* _HVSIM_X86_EMU_H */
