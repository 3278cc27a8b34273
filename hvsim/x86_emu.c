// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim's x86 interpreter.
 *
 * One call of x86_emu_step() decodes one instruction completely (prefixes,
 * opcode, ModRM/SIB, displacement, immediate: its length is known before
 * anything executes), then executes it against a staging area: register
 * results, the single memory store an instruction of the supported subset
 * can make, and system-register updates are collected in struct emu and
 * only copied into the VP state and guest memory once every access of the
 * instruction has been checked.  Reads go to guest memory directly (they
 * have no side effects); the store is checked with commit=false first.
 * Accessed/dirty bits of the guest page tables are also part of the
 * commit: the walks an instruction made are remembered and repeated with
 * bit setting enabled when it retires.
 *
 * The file is plain C: it builds in the kernel (hvsim.ko) and in userspace
 * (hvsim/user/, unit tests and fuzzing) against a small shim header.
 */
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#endif

#include "x86_emu.h"

/* RFLAGS */
#define EMU_FL_CF	0x00000001ULL
#define EMU_FL_FIXED	0x00000002ULL
#define EMU_FL_PF	0x00000004ULL
#define EMU_FL_AF	0x00000010ULL
#define EMU_FL_ZF	0x00000040ULL
#define EMU_FL_SF	0x00000080ULL
#define EMU_FL_TF	0x00000100ULL
#define EMU_FL_IF	0x00000200ULL
#define EMU_FL_DF	0x00000400ULL
#define EMU_FL_OF	0x00000800ULL
#define EMU_FL_IOPL	0x00003000ULL
#define EMU_FL_IOPL_SHIFT 12
#define EMU_FL_NT	0x00004000ULL
#define EMU_FL_RF	0x00010000ULL
#define EMU_FL_VM	0x00020000ULL
#define EMU_FL_AC	0x00040000ULL
#define EMU_FL_ID	0x00200000ULL
#define EMU_FL_ARITH	(EMU_FL_CF | EMU_FL_PF | EMU_FL_AF | EMU_FL_ZF | \
			 EMU_FL_SF | EMU_FL_OF)
/* Flags POPF may change at CPL 0 (VM, RF, VIF and VIP are never loaded) */
#define EMU_FL_POPF	(EMU_FL_ARITH | EMU_FL_TF | EMU_FL_IF | EMU_FL_DF | \
			 EMU_FL_IOPL | EMU_FL_NT | EMU_FL_AC | EMU_FL_ID)

/* Control registers and EFER */
#define EMU_CR0_PE	0x00000001ULL
#define EMU_CR0_MP	0x00000002ULL
#define EMU_CR0_EM	0x00000004ULL
#define EMU_CR0_TS	0x00000008ULL
#define EMU_CR0_ET	0x00000010ULL
#define EMU_CR0_NE	0x00000020ULL
#define EMU_CR0_WP	0x00010000ULL
#define EMU_CR0_AM	0x00040000ULL
#define EMU_CR0_NW	0x20000000ULL
#define EMU_CR0_CD	0x40000000ULL
#define EMU_CR0_PG	0x80000000ULL
#define EMU_CR0_RESET	0x60000010ULL
#define EMU_CR4_TSD	0x00000004ULL
#define EMU_CR4_DE	0x00000008ULL
#define EMU_CR4_PAE	0x00000020ULL
#define EMU_CR4_OSFXSR	0x00000200ULL
#define EMU_CR4_UMIP	0x00000800ULL
#define EMU_CR4_OSXSAVE	0x00040000ULL
#define EMU_FSW_EXC	0x80FFULL	/* B, ES, SF and the exception flags */
#define EMU_FSW_ES	0x0080ULL	/* an unmasked exception is pending */
#define EMU_EFER_SCE	0x00000001ULL
#define EMU_EFER_LME	0x00000100ULL
#define EMU_EFER_LMA	0x00000400ULL
#define EMU_EFER_NXE	0x00000800ULL

/* 4-level paging entries */
#define EMU_PTE_P	0x001ULL
#define EMU_PTE_RW	0x002ULL
#define EMU_PTE_US	0x004ULL
#define EMU_PTE_A	0x020ULL
#define EMU_PTE_D	0x040ULL
#define EMU_PTE_PS	0x080ULL
#define EMU_PTE_PAT	0x1000ULL	/* in a large-page entry */
/* Guest physical addresses are 48 bits: bits 51:48 are reserved */
#define EMU_PTE_RSVD_HI	0x000F000000000000ULL
#define EMU_PTE_NX	0x8000000000000000ULL
#define EMU_PTE_ADDR	0x000FFFFFFFFFF000ULL

#define EMU_PAGE_SIZE	4096U
#define EMU_PAGE_MASK	(EMU_PAGE_SIZE - 1)
#define EMU_MAX_INSN	15U
#define EMU_NO_REG	0xFF

/* Staging capacity; the supported instructions need at most 3 and 6 */
#define EMU_MAX_GPR_WRITES	4
/* Staged store: an 8-byte operand, or a 64-bit frame with error code */
#define EMU_MAX_WDATA		48
#define EMU_MAX_WCHUNKS		4
#define EMU_MAX_CHUNK		16	/* what x86_emu_mem_ops.access takes */
#define EMU_MAX_WALKS		8

/* Decoder attributes: immediate kind in bits 0-2, then flags */
enum emu_imm {
	IMM_NONE,
	IMM_B,		/* 8 bits */
	IMM_W,		/* 16 bits */
	IMM_Z,		/* 16 or 32 bits by operand size, sign-extended */
	IMM_V,		/* 16, 32 or 64 bits by operand size (MOV r, imm) */
	IMM_MOFFS,	/* address-size offset (MOV A0-A3) */
	IMM_FAR,	/* ptr16:16 or ptr16:32 (far JMP/CALL): the offset,
			 * with the selector in bits 32-47
			 */
};

#define A_IMM_MASK	0x07
#define A_MODRM		0x08
#define A_OK		0x10
#define A_M		(A_OK | A_MODRM)

/* Kinds of staged system-register writes */
enum emu_sys {
	SYS_NONE,
	SYS_CR0,
	SYS_CR2,
	SYS_CR3,
	SYS_CR4,
	SYS_CR8,
	SYS_GDTR,
	SYS_IDTR,
	SYS_SEG,
	SYS_CS,		/* CS = @sys_cs, EMU_CS_* in @sys_seg */
	SYS_SEGREG,	/* a whole data segment register, @sys_seg */
	SYS_LDTR,	/* the whole LDTR, @sys_cs */
	SYS_TR,		/* the whole TR, @sys_cs */
	SYS_DR,		/* debug register @sys_seg (x86_emu_state.dr) */
	SYS_INVLPG,	/* invalidate the TLB entry of linear @sys_val */
	SYS_REP_MOVS,	/* copy @sys_val bytes, @wdst[1].host to [0].host */
	SYS_REP_STOS,	/* fill @sys_val bytes at @wdst[0].host with the
			 * @wlen[0]-byte element in @wdata
			 */
	SYS_SWAPGS,	/* exchange GS.base and IA32_KERNEL_GS_BASE */
	SYS_FNINIT,	/* the x87 control state of FNINIT */
	SYS_FXFIELD,	/* @sys_seg bytes of @sys_val at fx[@sys_limit] */
	SYS_XCR0,	/* XCR0 (x86_emu_state.xfem) = @sys_val */
	SYS_FXSTORE,	/* store the FXSAVE / XSAVE area (fx_commit()) */
	SYS_FXLOAD,	/* load it */
};

/*
 * The FXSAVE / XSAVE area, in qwords: which of them an instruction
 * accesses (@sys_seg of SYS_FXSTORE / SYS_FXLOAD), with @sys_limit the
 * area's offset in its first page and @wdst[0] / @wdst[1] the pages.
 */
#define FXA_X87		0x01	/* FCW..FDP and ST0-7: qwords 0-2, 4-19 */
#define FXA_MXCSR	0x02	/* MXCSR, MXCSR_MASK: qword 3 */
#define FXA_SSE		0x04	/* XMM0-7: qwords 20-35 */
#define FXA_XMM16	0x08	/* and XMM8-15: qwords 36-51 */
#define FXA_HDR		0x10	/* store XSTATE_BV = @sys_val: qword 64 */
#define FXA_COMP	0x20	/* store XCOMP_BV: qword 65 */
#define FXA_X87_INIT	0x40	/* load: x87 to its initial state */
#define FXA_SSE_INIT	0x80	/* load: XMM registers to zero */
#define FXA_QWORDS	66
#define FX_XSTATE_BV	512	/* offsets in the XSAVE area */
#define FX_XCOMP_BV	520
#define FX_HDR_END	576
#define FX_COMPACTED	0x8000000000000000ULL

/* Low bits of a TLB tag (the rest is the linear page) */
#define EMU_TLB_VALID	0x1ULL
#define EMU_TLB_USER	0x2ULL	/* filled at CPL 3 */

/* In a walk_lin entry of struct emu, beside the enum x86_emu_access */
#define EMU_WALK_ACCESS	0x3ULL
#define EMU_WALK_USER	0x4ULL	/* a CPL-3 access (not implicit supervisor) */

/*
 * @sys_seg of SYS_CS: bit n (ES, DS, FS, GS) makes segment n null; the
 * bits of CS and SS say how SS changes
 */
#define EMU_CS_LOAD_SS	BIT(X86_CS)	/* SS = @sys_ss */
#define EMU_CS_NULL_SS	BIT(X86_SS)	/* SS null, RPL and DPL the new CPL */

/* Segment attributes SYSCALL and SYSRET load (flat, 4 GiB, accessed) */
#define EMU_ATTR_CS64_K	0xA09B	/* G, L, P, DPL 0, code execute/read */
#define EMU_ATTR_SS_K	0xC093	/* G, B, P, DPL 0, data read/write */
#define EMU_ATTR_CS64_U	0xA0FB	/* the same at DPL 3 */
#define EMU_ATTR_CS32_U	0xC0FB	/* G, D, P, DPL 3, code execute/read */
#define EMU_ATTR_SS_U	0xC0F3
/* The RFLAGS bits SYSRET takes from R11 */
#define EMU_FL_SYSRET	0x3C7FD7ULL

/* Attributes of a translation, beside its GPA (emu_xlate()) */
#define EMU_XLATE_X	0x1	/* execute allowed */
#define EMU_XLATE_LARGE	0x2	/* a 2 MiB or 1 GiB page */

/*
 * emu_init() writes what struct emu needs before it is read: a kernel
 * built with CONFIG_INIT_STACK_ALL_ZERO would also clear all of it first,
 * at every step
 */
#ifdef __has_attribute
#if __has_attribute(__uninitialized__)
#define EMU_NO_AUTOINIT __attribute__((__uninitialized__))
#endif
#endif
#ifndef EMU_NO_AUTOINIT
#define EMU_NO_AUTOINIT
#endif

/*
 * struct emu - the working area of one x86_emu_step() call
 *
 * Lives on the caller's stack; nothing in it outlives the call.  @s is only
 * written by emu_commit().
 */
struct emu {
	struct x86_emu_state *s;
	const struct x86_emu_mem_ops *ops;
	void *ctx;
	struct x86_emu_exit *exit;
	struct x86_emu_tlb *tlb;	/* or NULL */

	/* Processor mode */
	u8 mode;		/* code size in bytes: 2, 4, or 8 (64-bit mode) */
	u8 cpl;

	/*
	 * Decoded instruction (its 64-bit fields follow the small ones),
	 * from @pos to @disp what the decode cache keeps (EMU_DC_FIELDS)
	 */
	u8 pos;			/* bytes consumed */
	u8 opsize;
	u8 adsize;
	u8 rex;			/* the REX byte, 0 if none */
	u8 rep;			/* 0, 0xF2 or 0xF3 */
	bool lock:1;
	bool op66:1;
	bool rip_rel:1;
	u8 seg_ovr;		/* segment override, EMU_NO_REG if none */
	u8 seg;			/* segment of the memory operand */
	u8 mod, reg, rm;	/* ModRM fields; reg and rm include REX bits */
	u8 base;		/* base register of the memory operand */
	u8 index;		/* its index register, EMU_NO_REG if none */
	u8 scale;		/* shift of the index */
	u8 attr;
	u16 op;			/* opcode; 0x0Fxx for the two-byte map */
	s32 disp;		/* displacement of the memory operand */

	/* Staged results (likewise) */
	bool internal_error:1;
	bool wpending:1;
	bool ext:1;		/* delivering an external event (EXT bit) */
	bool set_cr2:1;		/* load CR2 with @cr2 (delivering a #PF) */
	bool nmi_mask:1;	/* delivering an NMI: block NMIs */
	bool nmi_unmask:1;	/* IRET: unblock NMIs */
	bool sup:1;		/* implicit supervisor access (GDT, IDT, TSS) */
	u8 shadow;
	u8 ngpr;
	u8 gpr_idx[EMU_MAX_GPR_WRITES];
	u8 wchunks;
	u8 wlen[EMU_MAX_WCHUNKS];
	u8 wdirect;		/* bit i: chunk i is a TLB hit (@wdst[i].host) */
	u8 nwalks;
	u8 sys;			/* enum emu_sys */
	u8 sys_seg;

	u64 ea;			/* offset of the memory operand */
	u64 imm;
	u64 next_rip;

	/*
	 * emu_init() clears the fields above; the ones below are not read
	 * before they are written
	 */
	u64 gpr_val[EMU_MAX_GPR_WRITES];
	u64 rip;
	u64 rflags;
	union {
		union {
			u64 gpa;	/* through x86_emu_mem_ops.access */
			u8 *host;	/* a TLB hit: the host bytes */
		} wdst[EMU_MAX_WCHUNKS];
		/* SYS_CS with EMU_CS_LOAD_SS, which stages no store */
		struct hv_x64_segment_register sys_ss;
	};
	u8 wdata[EMU_MAX_WDATA];
	/* page of each walk, with its access and EMU_WALK_USER in the low bits */
	u64 walk_lin[EMU_MAX_WALKS];
	u64 cr2;
	union {
		struct {
			u16 sys_limit;
			u64 sys_val;
		};
		/* SYS_CS, SYS_SEGREG */
		struct hv_x64_segment_register sys_cs;
	};
};

static const u8 emu_map1[256] = {
	[0x00 ... 0x03] = A_M, [0x04] = A_OK | IMM_B, [0x05] = A_OK | IMM_Z,
	[0x06 ... 0x07] = A_OK,
	[0x08 ... 0x0b] = A_M, [0x0c] = A_OK | IMM_B, [0x0d] = A_OK | IMM_Z,
	[0x0e] = A_OK,
	[0x10 ... 0x13] = A_M, [0x14] = A_OK | IMM_B, [0x15] = A_OK | IMM_Z,
	[0x16 ... 0x17] = A_OK,
	[0x18 ... 0x1b] = A_M, [0x1c] = A_OK | IMM_B, [0x1d] = A_OK | IMM_Z,
	[0x1e ... 0x1f] = A_OK,
	[0x20 ... 0x23] = A_M, [0x24] = A_OK | IMM_B, [0x25] = A_OK | IMM_Z,
	[0x28 ... 0x2b] = A_M, [0x2c] = A_OK | IMM_B, [0x2d] = A_OK | IMM_Z,
	[0x30 ... 0x33] = A_M, [0x34] = A_OK | IMM_B, [0x35] = A_OK | IMM_Z,
	[0x38 ... 0x3b] = A_M, [0x3c] = A_OK | IMM_B, [0x3d] = A_OK | IMM_Z,
	[0x40 ... 0x5f] = A_OK,
	[0x63] = A_M,
	[0x68] = A_OK | IMM_Z, [0x69] = A_M | IMM_Z,
	[0x6a] = A_OK | IMM_B, [0x6b] = A_M | IMM_B,
	[0x6c ... 0x6f] = A_OK,
	[0x70 ... 0x7f] = A_OK | IMM_B,
	[0x80] = A_M | IMM_B, [0x81] = A_M | IMM_Z, [0x83] = A_M | IMM_B,
	[0x84 ... 0x8f] = A_M,
	[0x90 ... 0x99] = A_OK,
	[0x9a] = A_OK | IMM_FAR,
	[0x9b] = A_OK,
	[0x9c ... 0x9f] = A_OK,
	[0xa0 ... 0xa3] = A_OK | IMM_MOFFS,
	[0xa4 ... 0xa5] = A_OK,
	[0xa8] = A_OK | IMM_B, [0xa9] = A_OK | IMM_Z,
	[0xaa ... 0xad] = A_OK,
	[0xb0 ... 0xb7] = A_OK | IMM_B,
	[0xb8 ... 0xbf] = A_OK | IMM_V,
	[0xc0 ... 0xc1] = A_M | IMM_B,
	[0xc2] = A_OK | IMM_W, [0xc3] = A_OK,
	[0xc6] = A_M | IMM_B, [0xc7] = A_M | IMM_Z,
	[0xc9] = A_OK,
	[0xca] = A_OK | IMM_W, [0xcb] = A_OK,
	[0xcc] = A_OK, [0xcd] = A_OK | IMM_B,
	[0xcf] = A_OK,
	[0xd0 ... 0xd3] = A_M,
	[0xd8 ... 0xdf] = A_M,
	[0xe0 ... 0xe7] = A_OK | IMM_B,
	[0xe8 ... 0xe9] = A_OK | IMM_Z,
	[0xea] = A_OK | IMM_FAR,
	[0xeb] = A_OK | IMM_B,
	[0xec ... 0xef] = A_OK,
	[0xf4 ... 0xf5] = A_OK,
	[0xf6 ... 0xf7] = A_M,
	[0xf8 ... 0xfd] = A_OK,
	[0xfe ... 0xff] = A_M,
};

static u8 emu_map2(u8 op)
{
	switch (op) {
	case 0x00:
	case 0x01:
	case 0x0d:
	case 0x18 ... 0x1f:
	case 0x20 ... 0x23:
	case 0x40 ... 0x4f:
	case 0x90 ... 0x9f:
	case 0xae:
	case 0xaf:
	case 0xb6 ... 0xb7:
	case 0xbe ... 0xbf:
		return A_M;
	case 0x05:	/* SYSCALL */
	case 0x07:	/* SYSRET */
	case 0x08:	/* INVD */
	case 0x09:	/* WBINVD */
	case 0x0b:	/* UD2 */
	case 0x30 ... 0x32:	/* WRMSR, RDTSC, RDMSR */
	case 0xa0 ... 0xa2:
	case 0xa8 ... 0xa9:
		return A_OK;
	case 0xa3:
	case 0xab:
	case 0xb3:
	case 0xbb:
	case 0xa5:
	case 0xad:
		return A_M;
	case 0xa4:
	case 0xac:
		return A_M | IMM_B;
	case 0xba:
		return A_M | IMM_B;
	case 0xb0 ... 0xb1:	/* CMPXCHG */
	case 0xb8:		/* POPCNT (F3) */
	case 0xbc ... 0xbd:
	case 0xc0 ... 0xc1:	/* XADD */
	case 0xc7:		/* CMPXCHG8B / CMPXCHG16B */
		return A_M;
	case 0xc8 ... 0xcf:
		return A_OK;
	case 0xb9:	/* UD1 */
		return A_M;
	case 0x80 ... 0x8f:
		return A_OK | IMM_Z;
	default:
		return 0;
	}
}

/* Helpers on values */

static u64 emu_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static u64 emu_sext(u64 v, unsigned int size)
{
	u64 sign;

	if (!size)
		return 0;
	if (size >= 8)
		return v;
	sign = 1ULL << (size * 8 - 1);
	return ((v & emu_mask(size)) ^ sign) - sign;
}

/*
 * @n bytes at @p as a little-endian value: the operand sizes as single
 * loads and stores (x86 hosts only build hvsim), other sizes byte-wise
 */
static inline u64 emu_le_get(const u8 *p, unsigned int n)
{
	u16 w;
	u32 d;
	u64 v = 0;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		memcpy(&w, p, sizeof(w));
		return w;
	case 4:
		memcpy(&d, p, sizeof(d));
		return d;
	case 8:
		memcpy(&v, p, sizeof(v));
		return v;
	}
	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static inline void emu_le_put(u8 *p, u64 v, unsigned int n)
{
	u16 w = (u16)v;
	u32 d = (u32)v;
	unsigned int i;

	switch (n) {
	case 1:
		p[0] = (u8)v;
		return;
	case 2:
		memcpy(p, &w, sizeof(w));
		return;
	case 4:
		memcpy(p, &d, sizeof(d));
		return;
	case 8:
		memcpy(p, &v, sizeof(v));
		return;
	}
	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (u8)v;
}

static bool emu_canonical(u64 a)
{
	u64 top = a >> 47;

	return top == 0 || top == 0x1FFFF;
}

static unsigned int emu_min(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

/* Set bits of @v (the kernel has no libgcc for __builtin_popcountll()) */
static u64 emu_popcount(u64 v)
{
	v -= (v >> 1) & 0x5555555555555555ULL;
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

static u64 emu_min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

/*
 * Is the access being checked a user-mode one?  At CPL 3, but for the
 * implicit supervisor accesses to the GDT, IDT and TSS (@sup).
 */
static __always_inline bool emu_user(const struct emu *e)
{
	return e->cpl == 3 && !e->sup;
}

/* Stops */

static int emu_stop(struct emu *e, enum x86_emu_exit_reason reason)
{
	e->exit->reason = reason;
	return -1;
}

static int emu_unsupported(struct emu *e)
{
	return emu_stop(e, X86_EXIT_UNSUPPORTED);
}

/* Raise guest exception @vector: the instruction stops, not retired */
static int emu_raise(struct emu *e, u8 vector, bool has_error, u32 error)
{
	struct x86_emu_event *ev = &e->exit->exc;

	/* Real mode pushes no error code */
	if (!(e->s->cr0 & EMU_CR0_PE))
		has_error = false;
	memset(ev, 0, sizeof(*ev));
	ev->type = X86_EVENT_EXCEPTION;
	ev->vector = vector;
	ev->error_code_valid = has_error;
	ev->error_code = has_error ? error : 0;
	return emu_stop(e, X86_EXIT_EXCEPTION);
}

static int emu_gp(struct emu *e, u32 error)
{
	return emu_raise(e, X86_EMU_VEC_GP, true, error);
}

static int emu_ud(struct emu *e)
{
	return emu_raise(e, X86_EMU_VEC_UD, false, 0);
}

/* Error code of a fault on selector @sel (or IDT entry) while delivering */
static u32 emu_sel_error(const struct emu *e, u32 sel)
{
	return (sel & 0xFFFC) | (e->ext ? X86_EMU_ERR_EXT : 0);
}

static u32 emu_idt_error(const struct emu *e, u8 vector)
{
	return (u32)vector * 8 + X86_EMU_ERR_IDT + (e->ext ? X86_EMU_ERR_EXT : 0);
}

static int emu_mem_exit(struct emu *e, u64 gpa, u64 gva, bool gva_valid,
			enum x86_emu_access access)
{
	e->exit->mem.gpa = gpa;
	e->exit->mem.gva = gva_valid ? gva : 0;
	e->exit->mem.gva_valid = gva_valid;
	e->exit->mem.access = access;
	return emu_stop(e, X86_EXIT_MEMORY);
}

/* A guest page fault (#PF) on @lin; @why is the walk's result */
static int emu_page_fault(struct emu *e, u64 lin, enum x86_emu_access access,
			  enum x86_emu_xlate why)
{
	u32 err = 0;

	if (why == X86_EMU_XLATE_PRIVILEGE_VIOLATION)
		err |= X86_EMU_PF_P;
	else if (why == X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS)
		err |= X86_EMU_PF_P | X86_EMU_PF_RSVD;
	if (access == X86_EMU_ACCESS_WRITE)
		err |= X86_EMU_PF_W;
	if (emu_user(e))
		err |= X86_EMU_PF_U;
	if (access == X86_EMU_ACCESS_EXECUTE && (e->s->efer & EMU_EFER_NXE))
		err |= X86_EMU_PF_I;
	emu_raise(e, X86_EMU_VEC_PF, true, err);
	e->exit->exc.cr2 = lin;
	e->exit->exc.cr2_valid = true;
	return -1;
}

/* General purpose registers, read through the staging area */

static __always_inline u64 gpr_get(const struct emu *e, unsigned int idx)
{
	unsigned int i;

	idx &= 15;
	for (i = 0; i < e->ngpr; i++)
		if (e->gpr_idx[i] == idx)
			return e->gpr_val[i];
	return e->s->gpr[idx];
}

static __always_inline void gpr_set(struct emu *e, unsigned int idx,
				    u64 val)
{
	unsigned int i;

	idx &= 15;
	for (i = 0; i < e->ngpr; i++) {
		if (e->gpr_idx[i] == idx) {
			e->gpr_val[i] = val;
			return;
		}
	}
	if (e->ngpr >= EMU_MAX_GPR_WRITES) {
		e->internal_error = true;
		return;
	}
	e->gpr_idx[e->ngpr] = idx;
	e->gpr_val[e->ngpr] = val;
	e->ngpr++;
}

static bool reg_is_high_byte(const struct emu *e, unsigned int idx,
			     unsigned int size)
{
	return size == 1 && !e->rex && idx >= 4 && idx < 8;
}

static __always_inline u64 reg_read(const struct emu *e, unsigned int idx,
				    unsigned int size)
{
	if (reg_is_high_byte(e, idx, size))
		return (gpr_get(e, idx - 4) >> 8) & 0xFF;
	return gpr_get(e, idx) & emu_mask(size);
}

static void reg_write(struct emu *e, unsigned int idx, unsigned int size,
		      u64 v)
{
	unsigned int shift = 0;
	u64 m;

	if (size >= 8) {
		gpr_set(e, idx, v);
		return;
	}
	if (size == 4) {
		/* 32-bit results zero-extend into the full register */
		gpr_set(e, idx, v & 0xFFFFFFFFULL);
		return;
	}
	if (reg_is_high_byte(e, idx, size)) {
		idx -= 4;
		shift = 8;
	}
	m = emu_mask(size) << shift;
	gpr_set(e, idx, (gpr_get(e, idx) & ~m) | ((v << shift) & m));
}

/* Addresses and guest page tables */

static bool emu_paging(const struct emu *e)
{
	return (e->s->cr0 & EMU_CR0_PG) && (e->s->cr0 & EMU_CR0_PE);
}

static u64 emu_ip_mask(const struct emu *e)
{
	if (e->mode == 8)
		return ~0ULL;
	return e->mode == 4 ? 0xFFFFFFFFULL : 0xFFFFULL;
}

static int lin_of(struct emu *e, unsigned int seg, u64 off, unsigned int size,
		  u64 *lin)
{
	const struct hv_x64_segment_register *sr = &e->s->seg[seg];
	u64 a;

	if (e->mode == 8) {
		a = off;
		if (seg == X86_FS || seg == X86_GS)
			a += sr->base;
		if (!emu_canonical(a) || !emu_canonical(a + size - 1))
			return emu_raise(e, seg == X86_SS ? X86_EMU_VEC_SS :
					 X86_EMU_VEC_GP, true, 0);
		*lin = a;
		return 0;
	}
	/* Segment limits are not checked. */
	*lin = (sr->base + off) & 0xFFFFFFFFULL;
	return 0;
}

/* How a page walk treats the accessed and dirty bits */
enum emu_ad {
	AD_NONE,	/* leave them alone */
	AD_CHECK,	/* check that the ones to set could be written */
	AD_SET,		/* set them */
};

/*
 * The one walk of the guest's 4-level page tables, for the interpreter and
 * for x86_emu_translate().  The entries are read first; the accessed bits
 * of every level (and the dirty bit of the leaf for a write) are only
 * touched once the whole translation succeeded, through a one-byte store
 * of the entry's low byte so that no other bit of it can be lost.  When a
 * paging structure cannot be read, or its A/D byte written, *@fault_gpa is
 * that entry's GPA.  *@attr receives EMU_XLATE_* of a translation that
 * succeeded.
 */
static enum x86_emu_xlate emu_xlate(const struct x86_emu_state *s,
				    const struct x86_emu_mem_ops *ops,
				    void *ctx, u64 lin,
				    enum x86_emu_access access,
				    unsigned int cpl, enum emu_ad ad,
				    u64 *gpa, u64 *fault_gpa, u8 *attr)
{
	bool write = access == X86_EMU_ACCESS_WRITE;
	bool user = cpl == 3;
	bool allow_w = true, allow_u = true, allow_x = true;
	u64 table = s->cr3 & EMU_PTE_ADDR;
	u64 rsvd = EMU_PTE_RSVD_HI;
	u64 pte_gpa[4], pte = 0, size = 0;
	u8 pte_low[4];
	unsigned int n = 0, i;
	int level;
	u8 buf[8];

	if (!(s->efer & EMU_EFER_NXE))
		rsvd |= EMU_PTE_NX;
	if (!emu_canonical(lin))
		return X86_EMU_XLATE_PAGE_NOT_PRESENT;
	for (level = 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		pte_gpa[n] = table + ((lin >> shift) & 511) * 8;
		if (ops->access(ctx, pte_gpa[n], buf, 8, X86_EMU_ACCESS_READ,
				true)) {
			*fault_gpa = pte_gpa[n];
			return X86_EMU_XLATE_GPA_UNMAPPED;
		}
		pte = emu_le_get(buf, 8);
		pte_low[n++] = (u8)pte;
		if (!(pte & EMU_PTE_P))
			return X86_EMU_XLATE_PAGE_NOT_PRESENT;
		if (!(pte & EMU_PTE_RW))
			allow_w = false;
		if (!(pte & EMU_PTE_US))
			allow_u = false;
		if (pte & EMU_PTE_NX)
			allow_x = false;
		if (level == 1 || ((pte & EMU_PTE_PS) && level <= 3)) {
			size = 1ULL << shift;
			/* large pages: bit 12 is PAT, the rest below is reserved */
			if (level > 1 && (pte & (size - 1) & EMU_PTE_ADDR &
					  ~EMU_PTE_PAT))
				return X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS;
			if (pte & rsvd)
				return X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS;
			break;
		}
		/* PS is reserved in a PML4 entry */
		if (pte & (rsvd | (level == 4 ? EMU_PTE_PS : 0)))
			return X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS;
		table = pte & EMU_PTE_ADDR;
	}

	/* Supervisor writes honour read-only pages only with CR0.WP */
	if ((write && !allow_w && (user || (s->cr0 & EMU_CR0_WP))) ||
	    (user && !allow_u) ||
	    (access == X86_EMU_ACCESS_EXECUTE && !allow_x))
		return X86_EMU_XLATE_PRIVILEGE_VIOLATION;

	for (i = 0; ad != AD_NONE && i < n; i++) {
		u64 need = EMU_PTE_A;
		u8 low;

		if (i == n - 1 && write)
			need |= EMU_PTE_D;
		low = pte_low[i];
		if ((low & need) == need)
			continue;
		low |= (u8)need;
		if (ops->access(ctx, pte_gpa[i], &low, 1, X86_EMU_ACCESS_WRITE,
				ad == AD_SET)) {
			*fault_gpa = pte_gpa[i];
			return X86_EMU_XLATE_GPA_NO_WRITE_ACCESS;
		}
	}

	/* bits 51:12 of a leaf, less the large page's own offset bits */
	*gpa = (pte & EMU_PTE_ADDR & ~(size - 1)) | (lin & (size - 1));
	*attr = (allow_x ? EMU_XLATE_X : 0) |
		(size > EMU_PAGE_SIZE ? EMU_XLATE_LARGE : 0);
	return X86_EMU_XLATE_OK;
}

enum x86_emu_xlate x86_emu_translate(const struct x86_emu_state *s,
				     const struct x86_emu_mem_ops *ops,
				     void *ctx, __u64 gva,
				     enum x86_emu_access access, bool set_ad,
				     __u64 *gpa)
{
	unsigned int cpl = x86_emu_exec_state(s) & HV_X64_EXEC_STATE_CPL_MASK;
	u64 fault_gpa;
	u8 attr;

	if (!(s->cr0 & EMU_CR0_PG) || !(s->cr0 & EMU_CR0_PE)) {
		*gpa = gva;
		return X86_EMU_XLATE_OK;
	}
	/* 32-bit and PAE paging are not modelled */
	if (!(s->efer & EMU_EFER_LMA))
		return X86_EMU_XLATE_UNSUPPORTED_MODE;
	return emu_xlate(s, ops, ctx, gva, access, cpl,
			 set_ad ? AD_SET : AD_NONE, gpa, &fault_gpa, &attr);
}

/*
 * The interpreter's walk: with @set_ad false it only checks that the A/D
 * bits could be set (the instruction may still stop); with @set_ad true
 * (at commit) it sets them.  A paging structure outside the SLAT is a
 * memory intercept without a GVA; anything else is a guest page fault.
 */
static int emu_walk(struct emu *e, u64 lin, enum x86_emu_access access,
		    u64 *gpa, bool set_ad, u8 *attr)
{
	enum x86_emu_xlate r;
	u64 fault_gpa = 0;

	r = emu_xlate(e->s, e->ops, e->ctx, lin, access, emu_user(e) ? 3 : 0,
		      set_ad ? AD_SET : AD_CHECK, gpa, &fault_gpa, attr);
	switch (r) {
	case X86_EMU_XLATE_OK:
		return 0;
	case X86_EMU_XLATE_GPA_UNMAPPED:
		return emu_mem_exit(e, fault_gpa, 0, false, X86_EMU_ACCESS_READ);
	case X86_EMU_XLATE_GPA_NO_WRITE_ACCESS:
		return emu_mem_exit(e, fault_gpa, 0, false, X86_EMU_ACCESS_WRITE);
	default:
		return emu_page_fault(e, lin, access, r);
	}
}

/*
 * Translate @lin for @access (a TLB miss).  With paging, the walk is
 * remembered so that its A/D bits are set at commit, which also fills the
 * TLB; without paging only a TLB is filled, from the walks there is room
 * for.
 */
static int translate(struct emu *e, u64 lin, enum x86_emu_access access,
		     u64 *gpa)
{
	u64 page = (lin & ~(u64)EMU_PAGE_MASK) | access |
		   (emu_user(e) ? EMU_WALK_USER : 0);
	unsigned int i;
	u8 attr;

	if (!emu_paging(e)) {
		*gpa = lin;
		if (!e->tlb)
			return 0;
	} else {
		/* 32-bit and PAE paging are not modelled */
		if (!(e->s->efer & EMU_EFER_LMA))
			return emu_unsupported(e);
		if (emu_walk(e, lin, access, gpa, false, &attr))
			return -1;
	}
	for (i = 0; i < e->nwalks; i++)
		if (e->walk_lin[i] == page)
			return 0;
	if (e->nwalks >= EMU_MAX_WALKS) {
		if (!emu_paging(e))
			return 0;
		e->internal_error = true;
		return emu_unsupported(e);
	}
	e->walk_lin[e->nwalks] = page;
	e->nwalks++;
	return 0;
}

/* The TLB tag of linear page @lin for the current privilege */
static u64 tlb_tag(const struct emu *e, u64 lin)
{
	return (lin & ~(u64)EMU_PAGE_MASK) | EMU_TLB_VALID |
	       (emu_user(e) ? EMU_TLB_USER : 0);
}

static struct x86_emu_tlb_entry *tlb_slot(struct x86_emu_tlb *tlb, u64 lin)
{
	return &tlb->entry[(lin / EMU_PAGE_SIZE) & (X86_EMU_TLB_ENTRIES - 1)];
}

/*
 * The host address of linear @lin when the TLB lets @access go straight
 * to the host page (its GPA in *@gpa when @gpa), else NULL.
 */
static inline u8 *tlb_host(const struct emu *e, u64 lin,
			   enum x86_emu_access access, u64 *gpa)
{
	const struct x86_emu_tlb_entry *te;

	if (!e->tlb)
		return NULL;
	te = tlb_slot(e->tlb, lin);
	if (te->tag != tlb_tag(e, lin) || !(te->rights & (1U << access)))
		return NULL;
	if (gpa)
		*gpa = te->gpa | (lin & EMU_PAGE_MASK);
	return te->host + (lin & EMU_PAGE_MASK);
}

/*
 * Fill the TLB entry of linear page @lin after an @access through it
 * retired (walk @attr): READ, EXEC if the walk allows it, and WRITE for a
 * write, as far as x86_emu_mem_ops.map lets them use the host page.
 */
static void tlb_fill(struct emu *e, u64 lin, u64 gpa,
		     enum x86_emu_access access, u8 attr)
{
	struct x86_emu_tlb *tlb = e->tlb;
	struct x86_emu_tlb_entry *te;
	u32 rights, allowed = 0;
	u64 tag = tlb_tag(e, lin);
	u8 *host;

	if (!tlb || !e->ops->map)
		return;
	gpa &= ~(u64)EMU_PAGE_MASK;
	host = e->ops->map(e->ctx, gpa, &allowed);
	if (!host)
		return;
	rights = X86_EMU_TLB_READ | (attr & EMU_XLATE_X ? X86_EMU_TLB_EXEC : 0) |
		 (access == X86_EMU_ACCESS_WRITE ? X86_EMU_TLB_WRITE : 0);
	rights &= allowed;
	if (!rights)
		return;
	te = tlb_slot(tlb, lin);
	if (te->tag == tag && te->gpa == gpa && te->host == host)
		rights |= te->rights;
	te->tag = tag;
	te->gpa = gpa;
	te->host = host;
	te->rights = rights;
	if (attr & EMU_XLATE_LARGE)
		tlb->large = true;
	tlb->fills++;
}

void x86_emu_tlb_flush(struct x86_emu_tlb *tlb)
{
	unsigned int i;

	for (i = 0; i < X86_EMU_TLB_ENTRIES; i++)
		tlb->entry[i].tag = 0;
	tlb->large = false;
	tlb->flushes++;
}

/* The generation and paging mode the entries now belong to */
static void tlb_set_mode(struct x86_emu_tlb *tlb,
			 const struct x86_emu_state *s)
{
	tlb->seen_gen = *tlb->gen;
	tlb->cr0 = s->cr0;
	tlb->cr3 = s->cr3;
	tlb->cr4 = s->cr4;
	tlb->efer = s->efer;
}

void x86_emu_tlb_reset(struct x86_emu_tlb *tlb, const __u64 *gen)
{
	unsigned int i;

	x86_emu_tlb_flush(tlb);
	tlb->gen = gen;
	tlb->fills = 0;
	tlb->flushes = 0;
	tlb->dc_hits = 0;
	/* a new epoch empties the decode cache; epoch 0 is never valid */
	if (!++tlb->dc_epoch) {
		for (i = 0; i < X86_EMU_DCACHE_ENTRIES; i++)
			tlb->dcache[i].epoch = 0;
		tlb->dc_epoch = 1;
	}
	/* no CR0 has bits 63:32 set: the first step records the mode */
	tlb->cr0 = ~0ULL;
}

/* Before an instruction: empty the TLB if what it was filled under changed */
static void tlb_sync(struct x86_emu_tlb *tlb, const struct x86_emu_state *s)
{
	if (*tlb->gen == tlb->seen_gen && s->cr0 == tlb->cr0 &&
	    s->cr3 == tlb->cr3 && s->cr4 == tlb->cr4 && s->efer == tlb->efer)
		return;
	x86_emu_tlb_flush(tlb);
	tlb_set_mode(tlb, s);
}

/* Stage the destination of the next write chunk: a TLB hit or a GPA */
static void tlb_stage(struct emu *e, u64 gpa, u8 *host)
{
	if (host) {
		e->wdst[e->wchunks].host = host;
		e->wdirect |= 1U << e->wchunks;
	} else {
		e->wdst[e->wchunks].gpa = gpa;
		e->wdirect &= ~(1U << e->wchunks);
	}
}

/* INVLPG of linear @lin, at commit */
static void tlb_invlpg(struct emu *e, u64 lin)
{
	struct x86_emu_tlb_entry *te;

	if (!e->tlb)
		return;
	if (e->tlb->large) {
		x86_emu_tlb_flush(e->tlb);
		return;
	}
	te = tlb_slot(e->tlb, lin);
	if ((te->tag & ~(u64)EMU_PAGE_MASK) == (lin & ~(u64)EMU_PAGE_MASK))
		te->tag = 0;
}

/* Fetch until @want bytes are in exit->insn_bytes (emu_fetch()) */
static int emu_fetch_more(struct emu *e, unsigned int want)
{
	struct x86_emu_exit *x = e->exit;

	if (want > EMU_MAX_INSN)
		return emu_gp(e, 0);	/* longer than 15 bytes */

	while (x->insn_byte_count < want) {
		u64 ip = (e->s->rip + x->insn_byte_count) & emu_ip_mask(e);
		unsigned int chunk = EMU_MAX_INSN - x->insn_byte_count;
		u64 lin, gpa;
		u8 *host;

		if (lin_of(e, X86_CS, ip, 1, &lin))
			return -1;
		chunk = emu_min(chunk, EMU_PAGE_SIZE - (lin & EMU_PAGE_MASK));
		/* do not run past the wrap of a 16-bit IP */
		if (e->mode == 2)
			chunk = emu_min(chunk, 0x10000U - (unsigned int)ip);
		host = tlb_host(e, lin, X86_EMU_ACCESS_EXECUTE, NULL);
		if (host) {
			memcpy(x->insn_bytes + x->insn_byte_count, host, chunk);
			x->insn_byte_count += chunk;
			continue;
		}
		if (translate(e, lin, X86_EMU_ACCESS_EXECUTE, &gpa))
			return -1;
		if (e->ops->access(e->ctx, gpa,
				   x->insn_bytes + x->insn_byte_count, chunk,
				   X86_EMU_ACCESS_EXECUTE, true))
			return emu_mem_exit(e, gpa, lin, true,
					    X86_EMU_ACCESS_EXECUTE);
		x->insn_byte_count += chunk;
	}
	return 0;
}

/* Instruction fetch: make sure @n more bytes are in exit->insn_bytes */
static inline int emu_fetch(struct emu *e, unsigned int n)
{
	/* a fetch brings up to 15 bytes: most calls find them there */
	if (e->pos + n <= e->exit->insn_byte_count)
		return 0;
	return emu_fetch_more(e, e->pos + n);
}

static int fetch_imm(struct emu *e, unsigned int n, u64 *v)
{
	if (emu_fetch(e, n))
		return -1;
	*v = emu_le_get(e->exit->insn_bytes + e->pos, n);
	e->pos += n;
	return 0;
}

/* Data accesses */

/*
 * Copy @n bytes between a host page and the staging area: the operand
 * sizes as fixed-size moves, which the compiler inlines, not a call
 */
static inline void emu_copy(void *dst, const void *src, unsigned int n)
{
	switch (n) {
	case 1:
		memcpy(dst, src, 1);
		break;
	case 2:
		memcpy(dst, src, 2);
		break;
	case 4:
		memcpy(dst, src, 4);
		break;
	case 8:
		memcpy(dst, src, 8);
		break;
	default:
		memcpy(dst, src, n);
	}
}

/* Read @size (at most 8) bytes at linear address @lin */
static int mem_read_lin(struct emu *e, u64 lin, unsigned int size, u64 *val)
{
	unsigned int done = 0, chunk;
	u64 a, gpa;
	u8 buf[8], *host;

	if (size > sizeof(buf))
		return emu_unsupported(e);
	while (done < size) {
		a = lin + done;
		if (e->mode != 8)
			a &= 0xFFFFFFFFULL;
		chunk = emu_min(size - done, EMU_PAGE_SIZE - (a & EMU_PAGE_MASK));
		host = tlb_host(e, a, X86_EMU_ACCESS_READ, NULL);
		if (host) {
			emu_copy(buf + done, host, chunk);
			done += chunk;
			continue;
		}
		if (translate(e, a, X86_EMU_ACCESS_READ, &gpa))
			return -1;
		if (e->ops->access(e->ctx, gpa, buf + done, chunk,
				   X86_EMU_ACCESS_READ, true))
			return emu_mem_exit(e, gpa, a, true, X86_EMU_ACCESS_READ);
		done += chunk;
	}
	*val = emu_le_get(buf, size);
	return 0;
}

/*
 * The common case of a data access in 64-bit mode: @size bytes at @off in
 * @seg that stay in one page and hit the TLB for @access.  Return: the host
 * address of the bytes, or NULL to take the general path (lin_of() and
 * the page-wise access, which also raise what this does not check).
 */
static __always_inline u8 *mem_fast(const struct emu *e, unsigned int seg,
				    u64 off, unsigned int size,
				    enum x86_emu_access access)
{
	u64 a = off;

	if (e->mode != 8 || !e->tlb)
		return NULL;
	if (seg == X86_FS || seg == X86_GS)
		a += e->s->seg[seg].base;
	/* the last byte is canonical when the first is, in the same page */
	if (!emu_canonical(a) || (a & EMU_PAGE_MASK) > EMU_PAGE_SIZE - size)
		return NULL;
	return tlb_host(e, a, access, NULL);
}

static int mem_read(struct emu *e, unsigned int seg, u64 off,
		    unsigned int size, u64 *val)
{
	u64 lin;
	u8 *host;

	if (size <= sizeof(u64)) {
		host = mem_fast(e, seg, off, size, X86_EMU_ACCESS_READ);
		if (host) {
			*val = emu_le_get(host, size);
			return 0;
		}
	}
	if (lin_of(e, seg, off, size, &lin))
		return -1;
	return mem_read_lin(e, lin, size, val);
}

/* A plain MOV store (88/89, C6/C7 /0, A2/A3): hvsim may complete it */
static bool emu_plain_store(const struct emu *e)
{
	switch (e->op) {
	case 0x88:
	case 0x89:
	case 0xa2:
	case 0xa3:
		return true;
	case 0xc6:
	case 0xc7:
		return (e->reg & 7) == 0;
	default:
		return false;
	}
}

/*
 * Check a store of the first @len bytes of e->wdata (filled by the
 * caller, with no store staged yet) at linear address @lin and stage it.
 * A plain MOV store that faults in one page reports the value it would
 * have stored.
 */
static int stage_write_lin(struct emu *e, u64 lin, unsigned int len)
{
	unsigned int done = 0, chunk;
	u64 a, gpa;
	u8 *host;

	if (e->wpending || len > sizeof(e->wdata)) {
		e->internal_error = true;
		return emu_unsupported(e);
	}
	e->wchunks = 0;
	while (done < len) {
		a = lin + done;
		if (e->mode != 8)
			a &= 0xFFFFFFFFULL;
		chunk = emu_min(len - done, EMU_PAGE_SIZE - (a & EMU_PAGE_MASK));
		chunk = emu_min(chunk, EMU_MAX_CHUNK);
		if (e->wchunks == EMU_MAX_WCHUNKS) {
			e->internal_error = true;
			return emu_unsupported(e);
		}
		host = tlb_host(e, a, X86_EMU_ACCESS_WRITE, &gpa);
		if (!host && translate(e, a, X86_EMU_ACCESS_WRITE, &gpa))
			return -1;
		if (!host && e->ops->access(e->ctx, gpa, e->wdata + done, chunk,
					    X86_EMU_ACCESS_WRITE, false)) {
			if (!done && chunk == len && len <= sizeof(u64) &&
			    emu_plain_store(e)) {
				e->exit->mem.value_valid = true;
				e->exit->mem.value = emu_le_get(e->wdata, len);
				e->exit->mem.size = len;
			}
			return emu_mem_exit(e, gpa, a, true, X86_EMU_ACCESS_WRITE);
		}
		tlb_stage(e, gpa, host);
		e->wlen[e->wchunks] = chunk;
		e->wchunks++;
		done += chunk;
	}
	e->wpending = true;
	return 0;
}

/* Check a store of @size (at most 8) bytes and stage it for the commit */
static int mem_write(struct emu *e, unsigned int seg, u64 off,
		     unsigned int size, u64 val)
{
	u64 lin;
	u8 *host;

	if (size > sizeof(u64)) {
		e->internal_error = true;
		return emu_unsupported(e);
	}
	host = e->wpending ? NULL :
	       mem_fast(e, seg, off, size, X86_EMU_ACCESS_WRITE);
	if (host) {
		/* what stage_write_lin() stages for one chunk, a TLB hit */
		emu_le_put(e->wdata, val, size);
		e->wchunks = 0;
		tlb_stage(e, 0, host);
		e->wlen[0] = size;
		e->wchunks = 1;
		e->wpending = true;
		return 0;
	}
	if (lin_of(e, seg, off, size, &lin))
		return -1;
	emu_le_put(e->wdata, val, size);
	return stage_write_lin(e, lin, size);
}

static __always_inline int rm_read(struct emu *e, unsigned int size, u64 *v)
{
	if (e->mod == 3) {
		*v = reg_read(e, e->rm, size);
		return 0;
	}
	return mem_read(e, e->seg, e->ea, size, v);
}

static int rm_write(struct emu *e, unsigned int size, u64 v)
{
	if (e->mod == 3) {
		reg_write(e, e->rm, size, v);
		return 0;
	}
	return mem_write(e, e->seg, e->ea, size, v);
}

/* Stack */

static unsigned int stack_size(const struct emu *e)
{
	if (e->mode == 8)
		return 8;
	if ((e->s->cr0 & EMU_CR0_PE) &&
	    (e->s->seg[X86_SS].attributes & HV_X64_SEGMENT_DEFAULT))
		return 4;
	return 2;
}

static int emu_push(struct emu *e, unsigned int size, u64 val)
{
	unsigned int ss = stack_size(e);
	u64 sp = (gpr_get(e, X86_RSP) - size) & emu_mask(ss);

	if (mem_write(e, X86_SS, sp, size, val))
		return -1;
	reg_write(e, X86_RSP, ss, sp);
	return 0;
}

static int emu_pop(struct emu *e, unsigned int size, u64 *val)
{
	unsigned int ss = stack_size(e);
	u64 sp = gpr_get(e, X86_RSP) & emu_mask(ss);

	if (mem_read(e, X86_SS, sp, size, val))
		return -1;
	reg_write(e, X86_RSP, ss, sp + size);
	return 0;
}

/* Flags */

/*
 * ZF, SF and PF of result @r.  PF: 0x9669 has bit n set for the 4-bit
 * values n with an even number of set bits, the low byte folded to 4 bits
 * indexes it.
 */
static __always_inline u64 flags_szp(u64 r, unsigned int size)
{
	u64 p = (r ^ (r >> 4)) & 0xF;

	r &= emu_mask(size);
	return (r ? 0 : EMU_FL_ZF) |
	       (((r >> (size * 8 - 1)) & 1) << 7) |	/* SF */
	       (((0x9669U >> p) & 1) << 2);		/* PF */
}

static void flags_set(struct emu *e, u64 mask, u64 val)
{
	e->rflags = (e->rflags & ~mask) | (val & mask);
}

enum emu_alu {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
};

/* The eight ALU operations; updates all six arithmetic flags */
static __always_inline u64 emu_alu(struct emu *e, unsigned int op, u64 a,
				   u64 b, unsigned int size)
{
	u64 m = emu_mask(size);
	u64 msb = 1ULL << (size * 8 - 1);
	u64 cin = e->rflags & EMU_FL_CF ? 1 : 0;
	u64 r, f = 0;

	a &= m;
	b &= m;
	switch (op & 7) {
	case ALU_ADD:
		cin = 0;
		fallthrough;
	case ALU_ADC:
		r = (a + b + cin) & m;
		if (r < a || (cin && r == a))
			f |= EMU_FL_CF;
		if ((a ^ r) & (b ^ r) & msb)
			f |= EMU_FL_OF;
		f |= (a ^ b ^ r) & EMU_FL_AF;
		break;
	case ALU_SUB:
	case ALU_CMP:
		cin = 0;
		fallthrough;
	case ALU_SBB:
		r = (a - b - cin) & m;
		if (a < b || (cin && a == b))
			f |= EMU_FL_CF;
		if ((a ^ b) & (a ^ r) & msb)
			f |= EMU_FL_OF;
		f |= (a ^ b ^ r) & EMU_FL_AF;
		break;
	case ALU_OR:
		r = a | b;
		break;
	case ALU_AND:
		r = a & b;
		break;
	default:
		r = a ^ b;
		break;
	}
	flags_set(e, EMU_FL_ARITH, f | flags_szp(r, size));
	return r;
}

/*
 * INC/DEC: like ADD/SUB 1 but CF is kept.  OF: INC overflows into the
 * sign bit alone, DEC out of it alone; AF: bit 4 of a ^ 1 ^ r.
 */
static u64 emu_incdec(struct emu *e, bool dec, u64 a, unsigned int size)
{
	u64 m = emu_mask(size);
	u64 msb = 1ULL << (size * 8 - 1);
	u64 r = (dec ? a - 1 : a + 1) & m;
	u64 f = (a ^ r) & EMU_FL_AF;

	if (r == (dec ? msb - 1 : msb))
		f |= EMU_FL_OF;
	flags_set(e, EMU_FL_ARITH & ~EMU_FL_CF, f | flags_szp(r, size));
	return r;
}

/*
 * Group 2 shifts and rotates: ROL, ROR, SHL, SHR, SAR (/0 /1 /4 /5 /6 /7).
 * A masked count of 0 changes no flag.  OF is defined for a count of 1 and
 * computed with the same formula otherwise; AF is cleared.
 */
static int emu_shift(struct emu *e, unsigned int sub, u64 a, unsigned int cnt,
		     unsigned int size, u64 *res)
{
	unsigned int bits = size * 8;
	u64 m = emu_mask(size);
	u64 msb = 1ULL << (bits - 1);
	u64 r, f = 0;
	unsigned int c, n;

	a &= m;
	c = cnt & (size == 8 ? 0x3F : 0x1F);
	if (!c) {
		*res = a;
		return 0;
	}
	switch (sub) {
	case 0:	/* ROL */
	case 1:	/* ROR */
		n = c % bits;
		if (!n)
			r = a;
		else if (sub == 0)
			r = ((a << n) | (a >> (bits - n))) & m;
		else
			r = ((a >> n) | (a << (bits - n))) & m;
		/* rotates change only CF and OF */
		f = e->rflags & (EMU_FL_ARITH & ~(EMU_FL_CF | EMU_FL_OF));
		if (sub == 0) {
			if (r & 1)
				f |= EMU_FL_CF;
			if (((r & msb) ? 1 : 0) ^ (r & 1))
				f |= EMU_FL_OF;
		} else {
			if (r & msb)
				f |= EMU_FL_CF;
			if (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1)
				f |= EMU_FL_OF;
		}
		flags_set(e, EMU_FL_ARITH, f);
		*res = r;
		return 0;
	case 4:	/* SHL */
	case 6:	/* SAL */
		r = c >= bits ? 0 : (a << c) & m;
		if (c <= bits && ((a >> (bits - c)) & 1))
			f |= EMU_FL_CF;
		if (((r & msb) ? 1 : 0) ^ (f & EMU_FL_CF))
			f |= EMU_FL_OF;
		break;
	case 5:	/* SHR */
		r = c >= bits ? 0 : a >> c;
		if (c <= bits && ((a >> (c - 1)) & 1))
			f |= EMU_FL_CF;
		if (a & msb)
			f |= EMU_FL_OF;
		break;
	case 7:	/* SAR */
		if (c >= bits) {
			r = (a & msb) ? m : 0;
			if (a & msb)
				f |= EMU_FL_CF;
		} else {
			r = a >> c;
			if (a & msb)
				r |= m & ~(m >> c);
			if ((a >> (c - 1)) & 1)
				f |= EMU_FL_CF;
		}
		break;
	default:	/* RCL, RCR */
		return emu_unsupported(e);
	}
	flags_set(e, EMU_FL_ARITH, f | flags_szp(r, size));
	*res = r;
	return 0;
}

static bool emu_cond(u64 f, unsigned int cc)
{
	bool sf = f & EMU_FL_SF, of = f & EMU_FL_OF;
	bool r;

	switch ((cc >> 1) & 7) {
	case 0:
		r = f & EMU_FL_OF;
		break;
	case 1:
		r = f & EMU_FL_CF;
		break;
	case 2:
		r = f & EMU_FL_ZF;
		break;
	case 3:
		r = f & (EMU_FL_CF | EMU_FL_ZF);
		break;
	case 4:
		r = f & EMU_FL_SF;
		break;
	case 5:
		r = f & EMU_FL_PF;
		break;
	case 6:
		r = sf != of;
		break;
	default:
		r = (f & EMU_FL_ZF) || sf != of;
		break;
	}
	return (cc & 1) ? !r : r;
}

/* Near branch to @target (already relative-resolved) */
static int emu_jump(struct emu *e, u64 target)
{
	if (e->mode == 8) {
		if (!emu_canonical(target))
			return emu_gp(e, 0);
		e->rip = target;
	} else {
		e->rip = target & emu_mask(e->opsize);
	}
	return 0;
}

/* Decoder */

static void decode_modrm16(struct emu *e)
{
	static const u8 base[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
				    X86_RSI, X86_RDI, X86_RBP, X86_RBX };
	static const u8 index[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI,
				     EMU_NO_REG, EMU_NO_REG, EMU_NO_REG,
				     EMU_NO_REG };
	unsigned int rm = e->rm & 7;

	if (!(e->mod == 0 && rm == 6)) {
		e->base = base[rm];
		e->index = index[rm];
	}
	e->seg = e->base == X86_RBP ? X86_SS : X86_DS;
}

/*
 * The offset of the memory operand from the decoded addressing form and
 * the registers: the part of decoding that a cached decode redoes
 */
static void emu_ea(struct emu *e)
{
	const u64 *gpr = e->s->gpr;
	u64 ea = (u64)(s64)e->disp;

	if (e->base != EMU_NO_REG)
		ea += gpr[e->base];
	if (e->index != EMU_NO_REG)
		ea += gpr[e->index] << e->scale;
	if (e->rip_rel)
		ea += e->next_rip;
	e->ea = ea & emu_mask(e->adsize);
}

static int decode_modrm(struct emu *e)
{
	unsigned int modrm, sib = 0, rm, dsize = 0;
	bool has_sib, no_base = false;
	u64 v, disp = 0;

	if (fetch_imm(e, 1, &v))
		return -1;
	modrm = (unsigned int)v;
	e->mod = modrm >> 6;
	e->reg = ((modrm >> 3) & 7) | ((e->rex & 4) << 1);
	rm = modrm & 7;
	e->rm = rm | ((e->rex & 1) << 3);
	e->seg = X86_DS;
	/* MOV to/from CR always names a register, whatever mod says */
	if (e->op == 0x0f20 || e->op == 0x0f22)
		e->mod = 3;
	if (e->mod == 3)
		return 0;

	if (e->adsize == 2) {
		if (e->mod == 1)
			dsize = 1;
		else if (e->mod == 2 || rm == 6)
			dsize = 2;
		if (dsize && fetch_imm(e, dsize, &disp))
			return -1;
		e->disp = (s32)emu_sext(disp, dsize);
		decode_modrm16(e);
		goto seg;
	}

	has_sib = rm == 4;
	if (has_sib) {
		if (fetch_imm(e, 1, &v))
			return -1;
		sib = (unsigned int)v;
	}
	if (e->mod == 1)
		dsize = 1;
	else if (e->mod == 2)
		dsize = 4;
	else if ((has_sib ? (sib & 7) : rm) == 5)
		no_base = true;
	if (no_base)
		dsize = 4;
	if (dsize && fetch_imm(e, dsize, &disp))
		return -1;
	e->disp = (s32)emu_sext(disp, dsize);

	if (!has_sib && no_base) {
		/* disp32, or RIP-relative in 64-bit mode */
		e->rip_rel = e->mode == 8;
	} else if (has_sib) {
		unsigned int idx = ((sib >> 3) & 7) | ((e->rex & 2) << 2);

		if (!no_base)
			e->base = (sib & 7) | ((e->rex & 1) << 3);
		if (idx != X86_RSP) {
			e->index = idx;
			e->scale = sib >> 6;
		}
	} else {
		e->base = e->rm;
	}
	if (e->base == X86_RSP || e->base == X86_RBP)
		e->seg = X86_SS;
seg:
	if (e->seg_ovr != EMU_NO_REG)
		e->seg = e->seg_ovr;
	return 0;
}

static bool op_default64(u16 op, unsigned int reg)
{
	switch (op) {
	case 0x50 ... 0x5f:
	case 0x68:
	case 0x6a:
	case 0x8f:
	case 0x9c:
	case 0x9d:
	case 0xc9:
		return true;
	case 0xff:
		return reg == 6;
	default:
		return false;
	}
}

static bool op_branch(u16 op, unsigned int reg)
{
	switch (op) {
	case 0x70 ... 0x7f:
	case 0xc2:
	case 0xc3:
	case 0xe0 ... 0xe3:
	case 0xe8:
	case 0xe9:
	case 0xeb:
	case 0x0f80 ... 0x0f8f:
		return true;
	case 0xff:
		return reg == 2 || reg == 4;
	default:
		return false;
	}
}

/* A locked read-modify-write: LOCK prefix, or XCHG with memory */
static bool emu_locked_rmw(const struct emu *e)
{
	return e->lock || ((e->op == 0x86 || e->op == 0x87) && e->mod != 3);
}

/* May this instruction carry a LOCK prefix? (memory destination only) */
static bool op_lockable(const struct emu *e)
{
	if (e->mod == 3 || !(e->attr & A_MODRM))
		return false;
	switch (e->op) {
	case 0x00 ... 0x01:
	case 0x08 ... 0x09:
	case 0x10 ... 0x11:
	case 0x18 ... 0x19:
	case 0x20 ... 0x21:
	case 0x28 ... 0x29:
	case 0x30 ... 0x31:
	case 0x86 ... 0x87:
		return true;
	case 0x80 ... 0x83:
		return (e->reg & 7) != 7;
	case 0xf6 ... 0xf7:
		return (e->reg & 7) == 2 || (e->reg & 7) == 3;
	case 0xfe ... 0xff:
		return (e->reg & 7) <= 1;
	case 0x0fab:
	case 0x0fb0 ... 0x0fb1:
	case 0x0fb3:
	case 0x0fbb:
	case 0x0fc0 ... 0x0fc1:
		return true;
	case 0x0fba:
		return (e->reg & 7) >= 5;
	case 0x0fc7:
		return (e->reg & 7) == 1;
	default:
		return false;
	}
}

/* One-byte opcodes that do not exist in 64-bit mode (#UD) */
static bool emu_invalid64(u16 op)
{
	switch (op) {
	case 0x06:
	case 0x07:
	case 0x0e:
	case 0x16:
	case 0x17:
	case 0x1e:
	case 0x1f:
	case 0x27:
	case 0x2f:
	case 0x37:
	case 0x3f:
	case 0x60 ... 0x62:
	case 0x82:
	case 0x9a:
	case 0xce:
	case 0xd4 ... 0xd6:
	case 0xea:
		return true;
	default:
		return false;
	}
}

static int emu_decode(struct emu *e)
{
	const struct x86_emu_state *s = e->s;
	bool ad67 = false;
	unsigned int imm = 0, b;
	u64 v;

	e->seg_ovr = EMU_NO_REG;
	e->base = EMU_NO_REG;
	e->index = EMU_NO_REG;
	for (;;) {
		if (fetch_imm(e, 1, &v))
			return -1;
		b = (unsigned int)v;
		switch (b) {
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			/* ES, CS, SS and DS overrides are ignored in 64-bit */
			e->seg_ovr = e->mode == 8 ? EMU_NO_REG : (b >> 3) & 3;
			e->rex = 0;
			continue;
		case 0x64:
		case 0x65:
			e->seg_ovr = b == 0x64 ? X86_FS : X86_GS;
			e->rex = 0;
			continue;
		case 0x66:
			e->op66 = true;
			e->rex = 0;
			continue;
		case 0x67:
			ad67 = true;
			e->rex = 0;
			continue;
		case 0xf0:
			e->lock = true;
			e->rex = 0;
			continue;
		case 0xf2:
		case 0xf3:
			e->rep = b;
			e->rex = 0;
			continue;
		}
		if (e->mode == 8 && (b & 0xF0) == 0x40) {
			e->rex = b;
			continue;
		}
		break;
	}

	if (b == 0x0f) {
		if (fetch_imm(e, 1, &v))
			return -1;
		e->op = 0x0f00 | (u16)v;
		e->attr = emu_map2((u8)v);
	} else {
		e->op = b;
		e->attr = emu_map1[b];
	}
	if (e->mode == 8 && emu_invalid64(e->op))
		return emu_ud(e);
	if (!(e->attr & A_OK))
		return emu_unsupported(e);	/* not implemented */

	if (e->mode == 8) {
		e->opsize = (e->rex & 8) ? 8 : e->op66 ? 2 : 4;
		e->adsize = ad67 ? 4 : 8;
	} else {
		e->opsize = ((e->mode == 4) != e->op66) ? 4 : 2;
		e->adsize = ((e->mode == 4) != ad67) ? 4 : 2;
	}

	if (e->attr & A_MODRM) {
		if (decode_modrm(e))
			return -1;
	} else {
		e->reg = 0;
		e->rm = 0;
		e->mod = 3;
	}

	if (e->mode == 8) {
		if (op_branch(e->op, e->reg & 7))
			e->opsize = 8;
		else if (op_default64(e->op, e->reg & 7))
			e->opsize = e->op66 && !(e->rex & 8) ? 2 : 8;
	}

	imm = e->attr & A_IMM_MASK;
	if (e->op == 0xf6 && (e->reg & 7) <= 1)
		imm = IMM_B;
	else if (e->op == 0xf7 && (e->reg & 7) <= 1)
		imm = IMM_Z;
	switch (imm) {
	case IMM_B:
		if (fetch_imm(e, 1, &e->imm))
			return -1;
		break;
	case IMM_W:
		if (fetch_imm(e, 2, &e->imm))
			return -1;
		break;
	case IMM_Z:
		if (fetch_imm(e, e->opsize == 2 ? 2 : 4, &e->imm))
			return -1;
		e->imm = emu_sext(e->imm, e->opsize == 2 ? 2 : 4);
		break;
	case IMM_V:
		if (fetch_imm(e, e->opsize, &e->imm))
			return -1;
		break;
	case IMM_MOFFS:
		if (fetch_imm(e, e->adsize, &e->imm))
			return -1;
		break;
	case IMM_FAR:
		if (fetch_imm(e, e->opsize, &e->imm) || fetch_imm(e, 2, &v))
			return -1;
		e->imm |= v << 32;
		break;
	}

	e->exit->insn_len = e->pos;
	if (e->lock && !op_lockable(e))
		return emu_ud(e);

	e->next_rip = (s->rip + e->pos) & emu_ip_mask(e);
	if (e->mod != 3)
		emu_ea(e);
	return 0;
}

/* Decode cache */

/* The decoded form the cache keeps: struct emu from @pos to @disp */
#define EMU_DC_FIELDS_LEN \
	(offsetof(struct emu, disp) + sizeof(s32) - offsetof(struct emu, pos))
static_assert(EMU_DC_FIELDS_LEN <= X86_EMU_DCACHE_FIELDS,
	      "the decode cache keeps the decoded fields");

/* Those fields as bytes (a range of struct emu, not one member) */
static u8 *emu_dc_fields(struct emu *e)
{
	return (u8 *)e + offsetof(struct emu, pos);
}

/*
 * The decode-cache slot of the instruction at the current RIP, and its
 * linear address in *@lin; NULL without a cache, at a non-canonical RIP
 * or when the instruction may wrap the IP.
 */
static __always_inline struct x86_emu_dcache_entry *
dc_slot(struct emu *e, u64 *lin)
{
	u64 ip = e->s->rip & emu_ip_mask(e);

	if (!e->tlb)
		return NULL;
	if (e->mode == 8) {
		if (!emu_canonical(ip))
			return NULL;
		*lin = ip;
	} else {
		/* no instruction of it may wrap the IP */
		if (ip > emu_ip_mask(e) - EMU_MAX_INSN)
			return NULL;
		*lin = (e->s->seg[X86_CS].base + ip) & 0xFFFFFFFFULL;
	}
	return &e->tlb->dcache[((*lin * 0x9E3779B97F4A7C15ULL) >> 32) &
			       (X86_EMU_DCACHE_ENTRIES - 1)];
}

/* 8 bytes at @p, little-endian (x86 hosts only build hvsim) */
static inline u64 emu_load64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Are the bytes at @host (linear @lin of the instruction) those of @de?
 * Two 8-byte loads compared under the mask of @de->len when 16 bytes from
 * @host stay in its page, else byte by byte.
 */
static bool dc_same(const struct x86_emu_dcache_entry *de, const u8 *host,
		    u64 lin)
{
	unsigned int len = de->len;
	u64 lo, hi;

	if ((lin & EMU_PAGE_MASK) > EMU_PAGE_SIZE - sizeof(de->bytes))
		return !memcmp(host, de->bytes, len);
	lo = len >= 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
	hi = len <= 8 ? 0 : (1ULL << ((len - 8) * 8)) - 1;
	return !(((emu_load64(host) ^ emu_load64(de->bytes)) & lo) |
		 ((emu_load64(host + 8) ^ emu_load64(de->bytes + 8)) & hi));
}

/*
 * Take the instruction at RIP from the decode cache: its entry's bytes
 * must be what the host page (an EXEC TLB hit) holds now.  Does what
 * emu_decode() does on success.  Return: true on a hit.
 */
static __always_inline bool dc_lookup(struct emu *e)
{
	struct x86_emu_dcache_entry *de;
	const u8 *host;
	u64 lin;

	de = dc_slot(e, &lin);
	if (!de || de->epoch != e->tlb->dc_epoch || de->lin != lin ||
	    de->mode != e->mode)
		return false;
	host = tlb_host(e, lin, X86_EMU_ACCESS_EXECUTE, NULL);
	if (!host || !dc_same(de, host, lin))
		return false;
	memcpy(emu_dc_fields(e), de->fields, EMU_DC_FIELDS_LEN);
	e->imm = de->imm;
	/* all 16: the bytes past the instruction are zero, as in a fetch */
	memcpy(e->exit->insn_bytes, de->bytes, sizeof(de->bytes));
	e->exit->insn_byte_count = de->len;
	e->exit->insn_len = de->len;
	e->next_rip = (e->s->rip + de->len) & emu_ip_mask(e);
	if (e->mod != 3)
		emu_ea(e);
	e->tlb->dc_hits++;
	return true;
}

/* Keep the instruction emu_decode() just decoded, if it lies in a page */
static void dc_store(struct emu *e)
{
	struct x86_emu_dcache_entry *de;
	u64 lin;

	de = dc_slot(e, &lin);
	if (!de || (lin & EMU_PAGE_MASK) + e->pos > EMU_PAGE_SIZE)
		return;
	de->epoch = e->tlb->dc_epoch;
	de->lin = lin;
	de->mode = e->mode;
	de->len = e->pos;
	memset(de->bytes, 0, sizeof(de->bytes));
	memcpy(de->bytes, e->exit->insn_bytes, e->pos);
	memcpy(de->fields, emu_dc_fields(e), EMU_DC_FIELDS_LEN);
	de->imm = e->imm;
}

/* Execution */

/*
 * A rep MOVS or STOS (DF clear) whose source and destination pages are
 * TLB hits runs every iteration that stays inside both pages in one step:
 * nothing can stop it, so it is staged (SYS_REP_*) and done at commit.
 * Overlapping MOVS ranges keep to one iteration per step (their bytes
 * depend on the order).  Return: true if staged.
 */
static bool exec_string_pages(struct emu *e, unsigned int size, u64 am,
			      u64 rcx, u64 rsi, u64 rdi, unsigned int seg)
{
	bool movs = e->op == 0xa4 || e->op == 0xa5;
	u64 n, src_lin = 0, dst_lin, room;
	u8 *src = NULL, *dst;

	if (!e->tlb || !e->rep || (e->rflags & EMU_FL_DF))
		return false;
	/* whole elements inside both pages, no wrap of the address size */
	if (lin_of(e, X86_ES, rdi, size, &dst_lin))
		return false;
	n = emu_min64(rcx - 1, (am - rdi) / size);
	room = (EMU_PAGE_SIZE - (dst_lin & EMU_PAGE_MASK)) / size;
	if (movs) {
		if (lin_of(e, seg, rsi, size, &src_lin))
			return false;
		n = emu_min64(n, (am - rsi) / size);
		room = emu_min64(room, (EMU_PAGE_SIZE -
					(src_lin & EMU_PAGE_MASK)) / size);
	}
	n = emu_min64(n + 1, room);
	if (n < 2)
		return false;
	dst = tlb_host(e, dst_lin, X86_EMU_ACCESS_WRITE, NULL);
	if (movs)
		src = tlb_host(e, src_lin, X86_EMU_ACCESS_READ, NULL);
	if (!dst || (movs && (!src || (src < dst + n * size &&
				       dst < src + n * size))))
		return false;
	e->wdst[0].host = dst;
	if (movs) {
		e->wdst[1].host = src;
		e->sys = SYS_REP_MOVS;
		reg_write(e, X86_RSI, e->adsize, rsi + n * size);
	} else {
		emu_le_put(e->wdata, reg_read(e, X86_RAX, size), size);
		e->wlen[0] = size;
		e->sys = SYS_REP_STOS;
	}
	e->sys_val = n * size;
	reg_write(e, X86_RDI, e->adsize, rdi + n * size);
	reg_write(e, X86_RCX, e->adsize, rcx - n);
	if (rcx - n)
		e->rip = e->s->rip;
	return true;
}

static int exec_string(struct emu *e)
{
	unsigned int size = (e->op & 1) ? e->opsize : 1;
	unsigned int ad = e->adsize;
	u64 am = emu_mask(ad);
	u64 step = (e->rflags & EMU_FL_DF) ? -(u64)size : size;
	u64 rcx = gpr_get(e, X86_RCX) & am;
	u64 rsi = gpr_get(e, X86_RSI) & am;
	u64 rdi = gpr_get(e, X86_RDI) & am;
	unsigned int seg = e->seg_ovr != EMU_NO_REG ? e->seg_ovr : X86_DS;
	u64 v;

	if (e->rep && !rcx)
		return 0;	/* retires without an iteration */
	if (e->op != 0xac && e->op != 0xad &&
	    exec_string_pages(e, size, am, rcx, rsi, rdi, seg))
		return 0;

	switch (e->op) {
	case 0xa4:	/* MOVS */
	case 0xa5:
		if (mem_read(e, seg, rsi, size, &v) ||
		    mem_write(e, X86_ES, rdi, size, v))
			return -1;
		reg_write(e, X86_RSI, ad, rsi + step);
		reg_write(e, X86_RDI, ad, rdi + step);
		break;
	case 0xaa:	/* STOS */
	case 0xab:
		if (mem_write(e, X86_ES, rdi, size, reg_read(e, X86_RAX, size)))
			return -1;
		reg_write(e, X86_RDI, ad, rdi + step);
		break;
	default:	/* LODS */
		if (mem_read(e, seg, rsi, size, &v))
			return -1;
		reg_write(e, X86_RAX, size, v);
		reg_write(e, X86_RSI, ad, rsi + step);
		break;
	}
	if (e->rep) {
		reg_write(e, X86_RCX, ad, rcx - 1);
		/* one iteration per step: stay on the instruction */
		if (rcx - 1)
			e->rip = e->s->rip;
	}
	return 0;
}

static int exec_io(struct emu *e)
{
	struct x86_emu_exit *x = e->exit;
	unsigned int op = e->op;
	u64 iopl = (e->rflags & EMU_FL_IOPL) >> EMU_FL_IOPL_SHIFT;

	/* No I/O permission bitmap: CPL > IOPL is a #GP */
	if ((e->s->cr0 & EMU_CR0_PE) &&
	    (e->cpl > iopl || (e->rflags & EMU_FL_VM)))
		return emu_gp(e, 0);

	x->io.size = (op & 1) ? (e->opsize == 2 ? 2 : 4) : 1;
	switch (op) {
	case 0xe4 ... 0xe7:
		x->io.port = (u16)e->imm;
		break;
	default:
		x->io.port = (u16)gpr_get(e, X86_RDX);
		break;
	}
	x->io.write = (op >= 0x6e && op <= 0x6f) || op == 0xe6 ||
		      op == 0xe7 || op == 0xee || op == 0xef;
	x->io.string = op >= 0x6c && op <= 0x6f;
	x->io.rep = x->io.string && e->rep;
	return emu_stop(e, X86_EXIT_IO);
}

/* 64 x 64 -> 128-bit unsigned product */
static void emu_mul128(u64 a, u64 b, u64 *hi, u64 *lo)
{
	u64 al = a & 0xFFFFFFFFULL, ah = a >> 32;
	u64 bl = b & 0xFFFFFFFFULL, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	u64 mid = (ll >> 32) + (lh & 0xFFFFFFFFULL) + (hl & 0xFFFFFFFFULL);

	*lo = (mid << 32) | (ll & 0xFFFFFFFFULL);
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/* Two's complement negation of the 128-bit value hi:lo */
static void emu_neg128(u64 *hi, u64 *lo)
{
	*lo = ~*lo + 1;
	*hi = ~*hi + !*lo;
}

/*
 * Signed or unsigned product of two @size-byte operands: the low @size
 * bytes in *@lo and the high ones in *@hi (both masked to @size).  Returns
 * whether the high half is significant (CF and OF of MUL and IMUL).
 */
static bool emu_mul(u64 a, u64 b, unsigned int size, bool sign, u64 *hi,
		    u64 *lo)
{
	unsigned int bits = size * 8;
	u64 m = emu_mask(size);
	bool neg = false;
	u64 ph, pl;

	if (sign) {
		a = emu_sext(a, size);
		b = emu_sext(b, size);
		neg = (a ^ b) >> 63;
		a = (a >> 63) ? -a : a;
		b = (b >> 63) ? -b : b;
	} else {
		a &= m;
		b &= m;
	}
	emu_mul128(a, b, &ph, &pl);
	if (neg)
		emu_neg128(&ph, &pl);
	*lo = pl & m;
	*hi = size == 8 ? ph : (pl >> bits) & m;
	if (!sign)
		return *hi != 0;
	/* significant unless the high half is the low half's sign */
	return *hi != ((*lo >> (bits - 1)) & 1 ? m : 0);
}

/*
 * Unsigned 128 / 64-bit division of hi:lo by @d; the quotient must fit in
 * 64 bits (hi < d), which the caller checked.
 */
static void emu_div128(u64 hi, u64 lo, u64 d, u64 *q, u64 *r)
{
	unsigned int i;

	for (i = 0; i < 64; i++) {
		bool carry = hi >> 63;

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			lo |= 1;
		}
	}
	*q = lo;
	*r = hi;
}

/*
 * DIV and IDIV: rDX:rAX (AX for bytes) divided by @d.  A zero divisor or
 * a quotient that does not fit is a #DE.  The
 * arithmetic flags, undefined, are left alone.
 */
static int emu_div(struct emu *e, u64 d, unsigned int size, bool sign)
{
	unsigned int bits = size * 8;
	u64 m = emu_mask(size);
	u64 hi = 0, lo, q, r, lim;
	bool dneg = false, qneg = false;

	if (size == 8)
		hi = gpr_get(e, X86_RDX);
	if (size == 1)
		lo = reg_read(e, X86_RAX, 2);
	else if (size == 8)
		lo = gpr_get(e, X86_RAX);
	else
		lo = (reg_read(e, X86_RDX, size) << bits) |
		     reg_read(e, X86_RAX, size);
	d &= m;
	if (!d)
		return emu_raise(e, X86_EMU_VEC_DE, false, 0);
	if (sign) {
		if (size < 8)
			lo = emu_sext(lo, 2 * size);
		dneg = (size == 8 ? hi : lo) >> 63;
		if (size == 8 && dneg)
			emu_neg128(&hi, &lo);
		else if (dneg)
			lo = -lo;
		d = emu_sext(d, size);
		qneg = dneg != (d >> 63);
		d = (d >> 63) ? -d : d;
	}
	if (hi >= d)
		return emu_raise(e, X86_EMU_VEC_DE, false, 0);	/* too large */
	if (size == 8) {
		emu_div128(hi, lo, d, &q, &r);
	} else {
		q = lo / d;
		r = lo % d;
	}
	lim = sign ? (1ULL << (bits - 1)) - !qneg : m;
	if (q > lim)
		return emu_raise(e, X86_EMU_VEC_DE, false, 0);
	if (qneg)
		q = -q;
	if (dneg)
		r = -r;
	if (size == 1) {
		reg_write(e, X86_RAX, 2, ((r & m) << 8) | (q & m));
	} else {
		reg_write(e, X86_RAX, size, q);
		reg_write(e, X86_RDX, size, r);
	}
	return 0;
}

/* IMUL with an explicit destination (0F AF, 69, 6B) */
static int exec_imul2(struct emu *e)
{
	unsigned int size = e->opsize;
	u64 a, b, hi, lo;
	bool ov;

	if (rm_read(e, size, &a))
		return -1;
	if (e->op == 0x0faf)
		b = reg_read(e, e->reg, size);
	else
		b = e->op == 0x6b ? emu_sext(e->imm, 1) : e->imm;
	ov = emu_mul(a, b, size, true, &hi, &lo);
	flags_set(e, EMU_FL_CF | EMU_FL_OF,
		  ov ? EMU_FL_CF | EMU_FL_OF : 0);
	reg_write(e, e->reg, size, lo);
	return 0;
}

static int exec_group3(struct emu *e)
{
	unsigned int size = e->op == 0xf6 ? 1 : e->opsize;
	u64 a, r, hi;
	bool ov;

	if (rm_read(e, size, &a))
		return -1;
	switch (e->reg & 7) {
	case 0:
	case 1:	/* TEST r/m, imm */
		emu_alu(e, ALU_AND, a, e->imm, size);
		return 0;
	case 2:	/* NOT */
		return rm_write(e, size, ~a);
	case 3:	/* NEG */
		r = emu_alu(e, ALU_SUB, 0, a, size);
		return rm_write(e, size, r);
	case 4:	/* MUL */
	case 5:	/* IMUL */
		ov = emu_mul(reg_read(e, X86_RAX, size), a, size,
			     (e->reg & 7) == 5, &hi, &r);
		/* SF, ZF, AF and PF are undefined: left alone */
		flags_set(e, EMU_FL_CF | EMU_FL_OF,
			  ov ? EMU_FL_CF | EMU_FL_OF : 0);
		if (size == 1) {
			reg_write(e, X86_RAX, 2, (hi << 8) | r);
		} else {
			reg_write(e, X86_RAX, size, r);
			reg_write(e, X86_RDX, size, hi);
		}
		return 0;
	default:	/* DIV, IDIV */
		return emu_div(e, a, size, (e->reg & 7) == 7);
	}
}

/* Read @size bytes of the GDT, IDT or TSS: supervisor accesses at any CPL */
static int sys_read_lin(struct emu *e, u64 lin, unsigned int size, u64 *val)
{
	int ret;

	e->sup = true;
	ret = mem_read_lin(e, lin, size, val);
	e->sup = false;
	return ret;
}

/* The descriptor privilege level in segment attributes @attr */
static unsigned int emu_dpl(u16 attr)
{
	return (attr >> HV_X64_SEGMENT_DPL_SHIFT) & 3;
}

/*
 * The GDT descriptor of selector @sel (not null, not an LDT selector) in
 * @r: base, limit (scaled by G), attributes, and @sel.  Beyond the GDT
 * limit is #GP(selector).
 */
static int read_desc(struct emu *e, u16 sel, struct hv_x64_segment_register *r)
{
	const struct x86_emu_state *s = e->s;
	u64 d, limit;

	if ((sel | 7) > s->gdtr.limit)
		return emu_gp(e, emu_sel_error(e, sel));
	if (sys_read_lin(e, s->gdtr.base + (sel & ~7), 8, &d))
		return -1;
	r->attributes = ((d >> 40) & 0xFF) | (((d >> 52) & 0xF) << 12);
	limit = (d & 0xFFFF) | (((d >> 48) & 0xF) << 16);
	if (r->attributes & HV_X64_SEGMENT_GRANULARITY)
		limit = (limit << 12) | 0xFFF;
	r->base = ((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24);
	r->limit = (u32)limit;
	r->selector = sel;
	return 0;
}

/*
 * The code segment @sel names, whatever its privilege level: from the
 * GDT, a present code segment (64-bit with @long_mode).  Far JMP, CALL and
 * RET (@reload) always read the descriptor, as the hardware does, even
 * for the selector CS holds: a guest that loaded a new GDT changes mode
 * that way.  Event delivery and IRET to the current selector keep the
 * cached CS (the hardware reads the GDT there too).
 */
static int read_code_desc(struct emu *e, u16 sel, bool long_mode, bool reload,
			  struct hv_x64_segment_register *cs)
{
	const struct x86_emu_state *s = e->s;
	u16 attr;

	if (!reload && (sel & ~3) == (s->seg[X86_CS].selector & ~3)) {
		*cs = s->seg[X86_CS];
		return 0;
	}
	if (!(sel & ~7) || (sel & 4))
		return emu_gp(e, emu_sel_error(e, sel));
	if (read_desc(e, sel, cs))
		return -1;
	attr = cs->attributes;
	if (!(attr & HV_X64_SEGMENT_NON_SYSTEM) || !(attr & 0x8) ||
	    (long_mode && !(attr & HV_X64_SEGMENT_LONG)))
		return emu_gp(e, emu_sel_error(e, sel));
	if (!(attr & HV_X64_SEGMENT_PRESENT))
		return emu_raise(e, X86_EMU_VEC_NP, true, emu_sel_error(e, sel));
	return 0;
}

/*
 * The code segment of a far transfer to @sel at the current privilege
 * level (read_code_desc()); another level is not modelled.
 */
static int load_code_cs(struct emu *e, u16 sel, bool long_mode, bool reload,
			struct hv_x64_segment_register *cs)
{
	if (read_code_desc(e, sel, long_mode, reload, cs))
		return -1;
	if (emu_dpl(cs->attributes) != e->cpl)
		return emu_unsupported(e);
	cs->selector = (sel & ~3) | e->cpl;
	return 0;
}

/*
 * Stack segment @sel for privilege level @cpl in @r: a null selector
 * (the caller checked it is allowed) is unusable, with DPL @cpl, the
 * level the interpreter takes from SS; else a present writable data
 * segment with RPL = DPL = @cpl (#GP(selector), #SS(selector) when not
 * present).  LDT selectors are not modelled.
 */
static int read_ss_desc(struct emu *e, u16 sel, unsigned int cpl,
			struct hv_x64_segment_register *r)
{
	u16 attr;

	memset(r, 0, sizeof(*r));
	if (!(sel & ~3)) {
		r->selector = sel;
		r->attributes = cpl << HV_X64_SEGMENT_DPL_SHIFT;
		return 0;
	}
	if (sel & 4)
		return emu_unsupported(e);	/* LDT */
	if (read_desc(e, sel, r))
		return -1;
	attr = r->attributes;
	if (!(attr & HV_X64_SEGMENT_NON_SYSTEM) || (attr & 0x8) ||
	    !(attr & 0x2) || (sel & 3) != cpl || emu_dpl(attr) != cpl)
		return emu_gp(e, emu_sel_error(e, sel));
	if (!(attr & HV_X64_SEGMENT_PRESENT))
		return emu_raise(e, X86_EMU_VEC_SS, true, emu_sel_error(e, sel));
	r->attributes = attr | 0x1;	/* accessed */
	return 0;
}

/*
 * Stage the load of data segment register @sreg with selector @sel: in
 * real mode (and virtual-8086 mode, not modelled) base = sel << 4; in
 * protected and long mode the GDT descriptor, checked like the hardware
 * does (a null selector makes DS/ES/FS/GS unusable and faults for SS but
 * in 64-bit mode below CPL 3).  The descriptor's accessed bit is not
 * written back.  LDT selectors are not modelled.
 */
static int load_data_seg(struct emu *e, unsigned int sreg, u16 sel)
{
	const struct x86_emu_state *s = e->s;
	struct hv_x64_segment_register *r = &e->sys_cs;
	unsigned int dpl, rpl = sel & 3;
	bool code, ss = sreg == X86_SS;
	u16 attr;

	if (ss)
		e->shadow = 1;
	if (!(s->cr0 & EMU_CR0_PE)) {
		e->sys = SYS_SEG;
		e->sys_seg = sreg;
		e->sys_val = sel;
		return 0;
	}
	if (ss) {
		if (!(sel & ~3) &&
		    (e->mode != 8 || e->cpl == 3 || rpl != e->cpl))
			return emu_gp(e, 0);
		if (read_ss_desc(e, sel, e->cpl, r))
			return -1;
		goto staged;
	}
	memset(r, 0, sizeof(*r));
	if (!(sel & ~3)) {
		r->selector = sel;
		goto staged;
	}
	if (sel & 4)
		return emu_unsupported(e);	/* LDT */
	if (read_desc(e, sel, r))
		return -1;
	attr = r->attributes;
	dpl = emu_dpl(attr);
	code = attr & 0x8;
	if (!(attr & HV_X64_SEGMENT_NON_SYSTEM))
		return emu_gp(e, emu_sel_error(e, sel));
	/* data or readable code; DPL >= CPL, RPL unless conforming */
	if (code && !(attr & 0x2))
		return emu_gp(e, emu_sel_error(e, sel));
	if ((!code || !(attr & 0x4)) && (dpl < e->cpl || dpl < rpl))
		return emu_gp(e, emu_sel_error(e, sel));
	if (!(attr & HV_X64_SEGMENT_PRESENT))
		return emu_raise(e, X86_EMU_VEC_NP, true, emu_sel_error(e, sel));
	r->attributes = attr | 0x1;	/* accessed */
staged:
	e->sys = SYS_SEGREG;
	e->sys_seg = sreg;
	return 0;
}

/*
 * Far JMP or CALL to @sel:@off (operand size offset): real mode loads
 * CS = sel, base sel << 4; protected and long mode load a code segment
 * descriptor of the current privilege level (call gates, task switches
 * and privilege changes are not modelled).
 */
static int far_transfer(struct emu *e, u16 sel, u64 off, bool call)
{
	const struct x86_emu_state *s = e->s;
	u64 cs = s->seg[X86_CS].selector;

	if (call) {
		/* CS above the return IP, both of operand size: one store */
		unsigned int size = e->opsize, ss = stack_size(e);
		u64 sp = (gpr_get(e, X86_RSP) - 2 * size) & emu_mask(ss);
		u64 lin;

		if (lin_of(e, X86_SS, sp, 2 * size, &lin))
			return -1;
		emu_le_put(e->wdata, e->next_rip, size);
		emu_le_put(e->wdata + size, cs, size);
		if (stage_write_lin(e, lin, 2 * size))
			return -1;
		reg_write(e, X86_RSP, ss, sp);
	}
	e->rip = off & emu_mask(e->opsize);
	if (!(s->cr0 & EMU_CR0_PE)) {
		e->sys = SYS_SEG;
		e->sys_seg = X86_CS;
		e->sys_val = sel;
		return 0;
	}
	if (load_code_cs(e, sel, false, true, &e->sys_cs))
		return -1;
	if (e->sys_cs.attributes & HV_X64_SEGMENT_LONG) {
		if (!(s->efer & EMU_EFER_LMA))
			return emu_gp(e, emu_sel_error(e, sel));
		if (!emu_canonical(off))
			return emu_gp(e, 0);
	}
	e->sys = SYS_CS;
	return 0;
}

/* RET far [imm16]: pop IP, then CS, at the same privilege level */
static int exec_ret_far(struct emu *e)
{
	unsigned int size = e->opsize, ss = stack_size(e);
	u64 sp = gpr_get(e, X86_RSP) & emu_mask(ss);
	u64 ip, cs;

	if (mem_read(e, X86_SS, sp, size, &ip) ||
	    mem_read(e, X86_SS, (sp + size) & emu_mask(ss), size, &cs))
		return -1;
	if ((e->s->cr0 & EMU_CR0_PE) && (cs & 3) != e->cpl)
		return emu_unsupported(e);	/* return to another level */
	reg_write(e, X86_RSP, ss, sp + 2 * size + (e->op == 0xca ? e->imm : 0));
	return far_transfer(e, (u16)cs, ip, false);
}

static int exec_group5(struct emu *e)
{
	unsigned int size = e->op == 0xfe ? 1 : e->opsize;
	unsigned int sub = e->reg & 7;
	u64 v;

	if ((e->op == 0xfe && sub > 1) || sub == 7)
		return emu_ud(e);
	if (sub == 3 || sub == 5) {	/* far CALL/JMP m16:16/32/64 */
		u64 sel;

		if (e->mod == 3)
			return emu_ud(e);
		if (mem_read(e, e->seg, e->ea, e->opsize, &v) ||
		    mem_read(e, e->seg, (e->ea + e->opsize) & emu_mask(e->adsize),
			     2, &sel))
			return -1;
		return far_transfer(e, (u16)sel, v, sub == 3);
	}
	if (rm_read(e, size, &v))
		return -1;
	switch (sub) {
	case 0:
	case 1:
		return rm_write(e, size, emu_incdec(e, sub, v, size));
	case 2:	/* CALL r/m */
		if (emu_push(e, e->opsize, e->next_rip))
			return -1;
		return emu_jump(e, v);
	case 4:	/* JMP r/m */
		return emu_jump(e, v);
	default:	/* PUSH r/m */
		return emu_push(e, e->opsize, v);
	}
}

static int exec_mov_cr(struct emu *e)
{
	const struct x86_emu_state *s = e->s;
	unsigned int size = e->mode == 8 ? 8 : 4;
	unsigned int cr = e->reg;
	bool to_cr = e->op == 0x0f22;
	u64 v;

	if (e->cpl)
		return emu_gp(e, 0);
	if (!to_cr) {
		switch (cr) {
		case 0:
			v = s->cr0;
			break;
		case 2:
			v = s->cr2;
			break;
		case 3:
			v = s->cr3;
			break;
		case 4:
			v = s->cr4;
			break;
		case 8:
			if (e->mode != 8)
				return emu_ud(e);
			v = s->cr8;
			break;
		default:
			return emu_ud(e);
		}
		reg_write(e, e->rm, size, v);
		return 0;
	}

	v = reg_read(e, e->rm, size);
	switch (cr) {
	case 0:
		v |= EMU_CR0_ET;
		if ((v >> 32) || ((v & EMU_CR0_PG) && !(v & EMU_CR0_PE)) ||
		    ((v & EMU_CR0_NW) && !(v & EMU_CR0_CD)))
			return emu_gp(e, 0);
		if ((v & EMU_CR0_PG) && !(s->cr0 & EMU_CR0_PG) &&
		    (s->efer & EMU_EFER_LME) && !(s->cr4 & EMU_CR4_PAE))
			return emu_gp(e, 0);
		if (!(v & EMU_CR0_PG) && e->mode == 8)
			return emu_gp(e, 0);
		/* legacy paging is not modelled */
		if ((v & EMU_CR0_PG) && !(s->efer & EMU_EFER_LME))
			return emu_unsupported(e);
		e->sys = SYS_CR0;
		break;
	case 2:
		e->sys = SYS_CR2;
		break;
	case 3:
		e->sys = SYS_CR3;
		break;
	case 4:
		if ((s->efer & EMU_EFER_LMA) && !(v & EMU_CR4_PAE))
			return emu_gp(e, 0);
		e->sys = SYS_CR4;
		break;
	case 8:
		if (e->mode != 8)
			return emu_ud(e);
		if (v >> 4)
			return emu_gp(e, 0);
		e->sys = SYS_CR8;
		break;
	default:
		return emu_ud(e);
	}
	e->sys_val = v;
	return 0;
}

/*
 * Group 6 (0F 00), protected and long mode only (#UD in real mode).
 * SLDT, STR (/0, /1) store the LDTR or TR selector: 16 bits to memory,
 * zero-extended to a register (#GP(0) at CPL > 0 with CR4.UMIP).  LLDT,
 * LTR (/2, /3), at CPL 0, load an LDT descriptor or an available TSS
 * descriptor (32-bit; 16-bit ones outside long mode) from the GDT, 16
 * bytes with IA-32e mode active (base bits 63:32 in the second
 * quadword, which must be canonical); LTR marks it busy in the GDT as
 * the hardware does.  A null selector leaves the LDTR unusable (LLDT) or
 * faults (LTR).  LDT selectors fault like the hardware's (the descriptor
 * must be in the GDT).  VERR, VERW (/4, /5) are not modelled.
 */
static int exec_group6(struct emu *e)
{
	const struct x86_emu_state *s = e->s;
	struct hv_x64_segment_register *r = &e->sys_cs;
	unsigned int sub = e->reg & 7;
	bool ia32e = s->efer & EMU_EFER_LMA;
	u64 d, hi = 0, v, limit, lin;
	u8 type;
	u16 sel;

	if (!(s->cr0 & EMU_CR0_PE))
		return emu_ud(e);
	if (sub <= 1) {
		if ((s->cr4 & EMU_CR4_UMIP) && e->cpl)
			return emu_gp(e, 0);
		v = sub ? s->tr.selector : s->ldtr.selector;
		return rm_write(e, e->mod == 3 ? e->opsize : 2, v);
	}
	if (sub > 3)
		return emu_unsupported(e);
	if (e->cpl)
		return emu_gp(e, 0);
	if (rm_read(e, 2, &v))
		return -1;
	sel = (u16)v;
	memset(r, 0, sizeof(*r));
	e->sys = sub == 2 ? SYS_LDTR : SYS_TR;
	if (!(sel & ~3)) {
		if (sub == 3)
			return emu_gp(e, 0);
		r->selector = sel;
		return 0;
	}
	if ((sel & 4) || (sel | 7) + (ia32e ? 8 : 0) > s->gdtr.limit)
		return emu_gp(e, emu_sel_error(e, sel));
	lin = s->gdtr.base + (sel & ~7);
	if (mem_read_lin(e, lin, 8, &d))
		return -1;
	type = (d >> 40) & 0x1F;		/* S and the type */
	if (sub == 2 ? type != 0x02 :
	    type != 0x09 && (ia32e || type != 0x01))
		return emu_gp(e, emu_sel_error(e, sel));
	if (!(d & (1ULL << 47)))
		return emu_raise(e, X86_EMU_VEC_NP, true, emu_sel_error(e, sel));
	if (ia32e && mem_read_lin(e, lin + 8, 8, &hi))
		return -1;
	r->base = ((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24) |
		  (hi << 32);
	if (ia32e && !emu_canonical(r->base))
		return emu_gp(e, emu_sel_error(e, sel));
	limit = (d & 0xFFFF) | (((d >> 48) & 0xF) << 16);
	if (d & (1ULL << 55))			/* G */
		limit = (limit << 12) | 0xFFF;
	r->limit = (u32)limit;
	r->attributes = ((d >> 40) & 0xFF) | (((d >> 52) & 0xF) << 12);
	r->selector = sel;
	if (sub == 2)
		return 0;
	/* busy: the type's bit 1, in the descriptor's sixth byte */
	r->attributes |= 0x2;
	e->wdata[0] = (u8)(d >> 40) | 0x2;
	return stage_write_lin(e, lin + 5, 1);
}

/*
 * MOV from and to DR0-DR7 (0F 21, 0F 23), at CPL 0; the ModRM byte
 * always names a register.  DR4 and DR5 are DR6 and DR7 without CR4.DE
 * and #UD with it.  DR6 keeps its fixed bits (0xFFFF0FF0 set, bit 12
 * clear), DR7 bit 10 set and bits 11, 12, 14, 15 clear; in 64-bit mode
 * bits 63:32 of either must be 0 (#GP(0)).  Breakpoints are stored,
 * never armed; DR7.GD does not make the access fault.
 */
static int exec_mov_dr(struct emu *e)
{
	unsigned int size = e->mode == 8 ? 8 : 4;
	unsigned int dr = e->reg, idx;
	u64 v;

	if (dr == 4 || dr == 5) {
		if (e->s->cr4 & EMU_CR4_DE)
			return emu_ud(e);
		dr += 2;
	}
	if (dr > 7)
		return emu_ud(e);
	if (e->cpl)
		return emu_gp(e, 0);
	idx = dr < 4 ? dr : dr - 2;
	if (e->op == 0x0f21) {
		reg_write(e, e->rm, size, e->s->dr[idx]);
		return 0;
	}
	v = reg_read(e, e->rm, size);
	if (dr == 6 || dr == 7) {
		if (v >> 32)
			return emu_gp(e, 0);
		v = dr == 6 ? (v | 0xFFFF0FF0ULL) & ~0x1000ULL :
			      (v | 0x400ULL) & ~0xD800ULL;
	}
	e->sys = SYS_DR;
	e->sys_seg = idx;
	e->sys_val = v;
	return 0;
}

/* INVLPG m: drop the TLB entry of the linear address, at commit */
static int exec_invlpg(struct emu *e)
{
	const struct hv_x64_segment_register *sr = &e->s->seg[e->seg];
	u64 lin = e->ea;

	if (e->cpl)
		return emu_gp(e, 0);
	if (e->mode == 8) {
		if (e->seg == X86_FS || e->seg == X86_GS)
			lin += sr->base;
		/* a non-canonical address invalidates nothing */
		if (!emu_canonical(lin))
			return 0;
	} else {
		lin = (sr->base + lin) & 0xFFFFFFFFULL;
	}
	e->sys = SYS_INVLPG;
	e->sys_val = lin;
	return 0;
}

/*
 * RDTSC, RDTSCP: EDX:EAX = the TSC (x86_emu_mem_ops.tsc), RDTSCP also
 * ECX = IA32_TSC_AUX; with CR4.TSD only at CPL 0
 */
static int exec_rdtsc(struct emu *e, bool rdtscp)
{
	u32 aux = 0;
	u64 tsc;

	if (!e->ops->tsc)
		return emu_unsupported(e);
	if ((e->s->cr4 & EMU_CR4_TSD) && e->cpl)
		return emu_gp(e, 0);
	tsc = e->ops->tsc(e->ctx, &aux);
	gpr_set(e, X86_RAX, (u32)tsc);
	gpr_set(e, X86_RDX, tsc >> 32);
	if (rdtscp)
		gpr_set(e, X86_RCX, aux);
	return 0;
}

/* x87, SSE control state and the FXSAVE / XSAVE areas */

static u64 fx_get(const struct x86_emu_state *s, unsigned int off,
		  unsigned int n)
{
	return emu_le_get(s->fx + off, n);
}

/* An x87 instruction that waits (FWAIT, FLDCW): #MF if one is pending */
static int x87_wait_check(struct emu *e)
{
	if ((fx_get(e->s, X86_EMU_FX_FSW, 2) & EMU_FSW_ES) &&
	    (e->s->cr0 & EMU_CR0_NE))
		return emu_raise(e, X86_EMU_VEC_MF, false, 0);
	return 0;
}

/* Stage a store of @n bytes of @v at x86_emu_state.fx + @off */
static int fx_stage_field(struct emu *e, unsigned int off, u64 v,
			  unsigned int n)
{
	e->sys = SYS_FXFIELD;
	e->sys_limit = off;
	e->sys_seg = n;
	e->sys_val = v;
	return 0;
}

/*
 * The x87 escapes D8-DF: FNINIT, FNCLEX, FNSTSW, FNSTCW and FLDCW, the
 * control instructions an operating system's FPU set-up runs.  x87
 * arithmetic and loads or stores of ST registers are not modelled.
 */
static int exec_x87(struct emu *e)
{
	unsigned int op = e->op, sub = e->reg & 7, rm = e->rm & 7;
	u64 v;

	if (e->s->cr0 & (EMU_CR0_EM | EMU_CR0_TS))
		return emu_raise(e, X86_EMU_VEC_NM, false, 0);
	if (e->mod == 3) {
		if (op == 0xdb && sub == 4 && rm == 3) {	/* FNINIT */
			e->sys = SYS_FNINIT;
			return 0;
		}
		if (op == 0xdb && sub == 4 && rm == 2)		/* FNCLEX */
			return fx_stage_field(e, X86_EMU_FX_FSW,
					      fx_get(e->s, X86_EMU_FX_FSW, 2) &
					      ~EMU_FSW_EXC, 2);
		if (op == 0xdf && sub == 4 && rm == 0) {	/* FNSTSW AX */
			reg_write(e, X86_RAX, 2,
				  fx_get(e->s, X86_EMU_FX_FSW, 2));
			return 0;
		}
		return emu_unsupported(e);
	}
	if (op == 0xd9 && sub == 5) {				/* FLDCW */
		if (x87_wait_check(e) || rm_read(e, 2, &v))
			return -1;
		return fx_stage_field(e, X86_EMU_FX_FCW, v, 2);
	}
	if (op == 0xd9 && sub == 7)				/* FNSTCW */
		return rm_write(e, 2, fx_get(e->s, X86_EMU_FX_FCW, 2));
	if (op == 0xdd && sub == 7)				/* FNSTSW */
		return rm_write(e, 2, fx_get(e->s, X86_EMU_FX_FSW, 2));
	return emu_unsupported(e);
}

/* FWAIT: #NM with CR0.MP and CR0.TS, then #MF if one is pending */
static int exec_fwait(struct emu *e)
{
	if ((e->s->cr0 & (EMU_CR0_MP | EMU_CR0_TS)) ==
	    (EMU_CR0_MP | EMU_CR0_TS))
		return emu_raise(e, X86_EMU_VEC_NM, false, 0);
	return x87_wait_check(e);
}

/* Is qword @w of the area accessed for the FXA_* @parts? */
static bool fx_used(unsigned int parts, unsigned int w)
{
	if (w == 3)
		return parts & FXA_MXCSR;
	if (w < 20)
		return parts & FXA_X87;
	if (w < 36)
		return parts & FXA_SSE;
	if (w < 52)
		return (parts & (FXA_SSE | FXA_XMM16)) ==
		       (FXA_SSE | FXA_XMM16);
	if (w == FX_XSTATE_BV / 8)
		return parts & FXA_HDR;
	if (w == FX_XCOMP_BV / 8)
		return parts & FXA_COMP;
	return false;
}

/* The value a store writes in qword @w of the area */
static u64 fx_word(const struct emu *e, unsigned int w)
{
	const struct x86_emu_state *s = e->s;
	const struct hv_u128 *x;

	if (w == 3)
		return fx_get(s, X86_EMU_FX_MXCSR, 4) |
		       (u64)X86_EMU_MXCSR_MASK << 32;
	if (w < 20)
		return fx_get(s, w * 8, 8);
	if (w < 52) {
		x = &s->xmm[(w - 20) / 2];
		return (w & 1) ? x->high_part : x->low_part;
	}
	if (w == FX_XSTATE_BV / 8)
		return e->sys_val;
	return e->sys_val | FX_COMPACTED;
}

/* Load qword @w of the area into the state */
static void fx_set_word(struct x86_emu_state *s, unsigned int w, u64 v)
{
	struct hv_u128 *x;

	if (w < 20) {
		emu_le_put(s->fx + w * 8, v, 8);
		return;
	}
	x = &s->xmm[(w - 20) / 2];
	if (w & 1)
		x->high_part = v;
	else
		x->low_part = v;
}

/*
 * Check every qword of the area at linear @lin that @parts (FXA_*)
 * accesses and stage the area's pages (@wdst[0], and @wdst[1] when it
 * crosses a page) for fx_commit(), as SYS_FXSTORE or SYS_FXLOAD.
 */
static int fx_stage(struct emu *e, u64 lin, unsigned int parts, bool store)
{
	enum x86_emu_access access = store ? X86_EMU_ACCESS_WRITE :
					     X86_EMU_ACCESS_READ;
	unsigned int w, p, off, staged = 0;
	u8 buf[8] = {};
	u64 a, gpa;
	u8 *host;

	e->sys = store ? SYS_FXSTORE : SYS_FXLOAD;
	e->sys_seg = parts;
	e->sys_limit = lin & EMU_PAGE_MASK;
	e->wdirect = 0;
	for (w = 0; w < FXA_QWORDS; w++) {
		if (!fx_used(parts, w))
			continue;
		off = e->sys_limit + w * 8;
		p = off >= EMU_PAGE_SIZE;
		a = lin + w * 8;
		if (e->mode != 8)
			a &= 0xFFFFFFFFULL;
		if (!(staged & (1U << p))) {
			host = tlb_host(e, a, access, &gpa);
			if (host) {
				e->wdst[p].host = host - (a & EMU_PAGE_MASK);
				e->wdirect |= 1U << p;
			} else {
				if (translate(e, a, access, &gpa))
					return -1;
				e->wdst[p].gpa = gpa & ~(u64)EMU_PAGE_MASK;
			}
			staged |= 1U << p;
		}
		if (e->wdirect & (1U << p))
			continue;
		gpa = e->wdst[p].gpa | (a & EMU_PAGE_MASK);
		if (e->ops->access(e->ctx, gpa, buf, 8, access, false))
			return emu_mem_exit(e, gpa, a, true, access);
	}
	return 0;
}

/*
 * Store or load the area staged by fx_stage(), at commit: the accesses
 * were checked at the same step, so they succeed.
 */
static int fx_commit(struct emu *e)
{
	struct x86_emu_state *s = e->s;
	bool store = e->sys == SYS_FXSTORE;
	enum x86_emu_access access = store ? X86_EMU_ACCESS_WRITE :
					     X86_EMU_ACCESS_READ;
	unsigned int parts = e->sys_seg, w, off, p;
	u8 buf[8];

	if (!store && (parts & FXA_X87_INIT)) {
		memset(s->fx, 0, X86_EMU_FX_MXCSR);
		memset(s->fx + X86_EMU_FX_ST0, 0,
		       sizeof(s->fx) - X86_EMU_FX_ST0);
		emu_le_put(s->fx + X86_EMU_FX_FCW, X86_EMU_FCW_INIT, 2);
	}
	if (!store && (parts & FXA_SSE_INIT))
		memset(s->xmm, 0, (parts & FXA_XMM16 ? 16 : 8) *
		       sizeof(s->xmm[0]));
	if (!store && (parts & FXA_MXCSR))
		emu_le_put(s->fx + X86_EMU_FX_MXCSR, e->sys_val, 4);
	for (w = 0; w < FXA_QWORDS; w++) {
		/* a load's MXCSR is the value checked at execution */
		if (!fx_used(parts, w) || (!store && w == 3))
			continue;
		off = e->sys_limit + w * 8;
		p = off >= EMU_PAGE_SIZE;
		off &= EMU_PAGE_MASK;
		if (store)
			emu_le_put(buf, fx_word(e, w), 8);
		if (e->wdirect & (1U << p)) {
			if (store)
				memcpy(e->wdst[p].host + off, buf, 8);
			else
				memcpy(buf, e->wdst[p].host + off, 8);
		} else if (e->ops->access(e->ctx, e->wdst[p].gpa | off, buf, 8,
					  access, true)) {
			return emu_mem_exit(e, e->wdst[p].gpa | off, 0, false,
					    access);
		}
		if (!store)
			fx_set_word(s, w, emu_le_get(buf, 8));
	}
	return 0;
}

/* Read MXCSR at linear @lin for a load: #GP(0) for a reserved bit */
static int fx_read_mxcsr(struct emu *e, u64 lin, u64 *mxcsr)
{
	if (mem_read_lin(e, lin, 4, mxcsr))
		return -1;
	if (*mxcsr & ~(u64)X86_EMU_MXCSR_MASK)
		return emu_gp(e, 0);
	return 0;
}

/*
 * XRSTOR's header at linear @lin + 512: the FXA_* parts to load for
 * requested-feature bitmap @rfbm, MXCSR in e->sys_val.  #GP(0) for a
 * header the form (standard or compacted) does not allow.
 */
static int xrstor_parts(struct emu *e, u64 lin, u64 rfbm, unsigned int *parts)
{
	u64 xcr0 = e->s->xfem, bv, comp, v;
	unsigned int off;

	if (mem_read_lin(e, lin + FX_XSTATE_BV, 8, &bv) ||
	    mem_read_lin(e, lin + FX_XCOMP_BV, 8, &comp))
		return -1;
	for (off = FX_XCOMP_BV + 8; off < FX_HDR_END; off += 8) {
		if (mem_read_lin(e, lin + off, 8, &v))
			return -1;
		/* the standard form checks bytes 8-23 only */
		if (v && ((comp & FX_COMPACTED) || off == FX_XCOMP_BV + 8))
			return emu_gp(e, 0);
	}
	if (comp & FX_COMPACTED) {
		if ((comp & ~FX_COMPACTED & ~xcr0) || (bv & ~comp))
			return emu_gp(e, 0);
	} else if (comp || (bv & ~xcr0)) {
		return emu_gp(e, 0);
	}
	*parts = 0;
	if (rfbm & 1)
		*parts |= (bv & 1) ? FXA_X87 : FXA_X87_INIT;
	if (rfbm & 2) {
		*parts |= ((bv & 2) ? FXA_SSE : FXA_SSE_INIT) | FXA_MXCSR;
		if ((comp & FX_COMPACTED) && !(bv & 2))
			e->sys_val = X86_EMU_MXCSR_INIT;
		else if (fx_read_mxcsr(e, lin + X86_EMU_FX_MXCSR, &e->sys_val))
			return -1;
	}
	return 0;
}

/*
 * FXSAVE, FXRSTOR, LDMXCSR, STMXCSR (0F AE /0-/3), XSAVE, XRSTOR,
 * XSAVEOPT (0F AE /4-/6) and XSAVEC (0F C7 /4, @sub 8) of the x87 and SSE
 * state.  The processor keeps every enabled component in use (XINUSE =
 * XCR0), and XSAVEOPT writes what XSAVE writes.  FIP and FDP are kept as
 * loaded, whatever the operand size.
 */
static int exec_fxsave(struct emu *e, unsigned int sub)
{
	const struct x86_emu_state *s = e->s;
	unsigned int parts = 0, load;
	u64 lin, rfbm, v;
	bool xs = sub >= 4;

	if (e->mod == 3 || e->rep || (e->op66 && sub >= 6))
		return emu_unsupported(e);
	if (sub == 2 || sub == 3) {
		if ((s->cr0 & EMU_CR0_EM) || !(s->cr4 & EMU_CR4_OSFXSR))
			return emu_ud(e);
		if (s->cr0 & EMU_CR0_TS)
			return emu_raise(e, X86_EMU_VEC_NM, false, 0);
		if (sub == 3)
			return rm_write(e, 4, fx_get(s, X86_EMU_FX_MXCSR, 4));
		if (lin_of(e, e->seg, e->ea, 4, &lin) ||
		    fx_read_mxcsr(e, lin, &v))
			return -1;
		return fx_stage_field(e, X86_EMU_FX_MXCSR, v, 4);
	}
	if (xs ? !(s->cr4 & EMU_CR4_OSXSAVE) : !!(s->cr0 & EMU_CR0_EM))
		return emu_ud(e);
	if (s->cr0 & EMU_CR0_TS)
		return emu_raise(e, X86_EMU_VEC_NM, false, 0);
	if (lin_of(e, e->seg, e->ea, xs ? FX_HDR_END : 512, &lin))
		return -1;
	if (lin & (xs ? 63 : 15))
		return emu_gp(e, 0);
	rfbm = s->xfem & ((gpr_get(e, X86_RDX) << 32) |
			  (u32)gpr_get(e, X86_RAX));
	if (!xs)
		rfbm = 3;
	if (e->mode == 8)
		parts |= FXA_XMM16;
	if (sub == 1 || sub == 5) {
		if (sub == 5)
			return xrstor_parts(e, lin, rfbm, &load) ? -1 :
			       fx_stage(e, lin, parts | load, false);
		if (fx_read_mxcsr(e, lin + X86_EMU_FX_MXCSR, &e->sys_val))
			return -1;
		return fx_stage(e, lin, parts | FXA_X87 | FXA_SSE | FXA_MXCSR,
				false);
	}
	if (rfbm & 1)
		parts |= FXA_X87;
	if (rfbm & 2)
		parts |= FXA_SSE | FXA_MXCSR;
	if (sub == 8) {
		parts |= FXA_HDR | FXA_COMP;
		e->sys_val = rfbm;
	} else if (xs) {
		if (mem_read_lin(e, lin + FX_XSTATE_BV, 8, &v))
			return -1;
		parts |= FXA_HDR;
		e->sys_val = (v & ~rfbm) | rfbm;
	}
	return fx_stage(e, lin, parts, true);
}

/* XGETBV (0F 01 D0) and XSETBV (0F 01 D1) of XCR0 */
static int exec_xcr(struct emu *e, bool set)
{
	u64 v = (gpr_get(e, X86_RDX) << 32) | (u32)gpr_get(e, X86_RAX);

	if (!(e->s->cr4 & EMU_CR4_OSXSAVE))
		return emu_ud(e);
	if ((u32)gpr_get(e, X86_RCX))
		return emu_gp(e, 0);
	if (!set) {
		gpr_set(e, X86_RAX, (u32)e->s->xfem);
		gpr_set(e, X86_RDX, e->s->xfem >> 32);
		return 0;
	}
	if (e->cpl || !(v & 1) || (v & ~X86_EMU_XCR0_SUPPORTED))
		return emu_gp(e, 0);
	e->sys = SYS_XCR0;
	e->sys_val = v;
	return 0;
}

static int exec_0f01(struct emu *e)
{
	unsigned int sub = e->reg & 7;
	u64 limit, base;

	if (e->mod != 3 && sub == 7)
		return exec_invlpg(e);
	if (e->mod == 3 && sub == 7 && (e->rm & 7) == 0) {
		/* SWAPGS (0F 01 F8): 64-bit mode, CPL 0 */
		if (e->mode != 8)
			return emu_ud(e);
		if (e->cpl)
			return emu_gp(e, 0);
		e->sys = SYS_SWAPGS;
		return 0;
	}
	if (e->mod == 3 && sub == 7 && (e->rm & 7) == 1)
		return exec_rdtsc(e, true);	/* 0F 01 F9 */
	/* VMCALL (0F 01 C1), VMMCALL (0F 01 D9): the hypervisor decides */
	if (e->mod == 3 && (e->rm & 7) == 1 && (sub == 0 || sub == 3))
		return emu_stop(e, X86_EXIT_HYPERCALL);
	if (e->mod == 3 && sub == 2 && (e->rm & 7) <= 1 && !e->rep &&
	    !e->op66)
		return exec_xcr(e, e->rm & 1);
	if (e->mod == 3 || sub > 3)
		return emu_unsupported(e);
	if (sub <= 1) {
		/* SGDT, SIDT: the limit, then the base (8 bytes in 64-bit) */
		const struct hv_x64_table_register *tr =
			sub ? &e->s->idtr : &e->s->gdtr;
		unsigned int len = e->mode == 8 ? 10 : 6;
		u64 lin;

		if ((e->s->cr4 & EMU_CR4_UMIP) && e->cpl)
			return emu_gp(e, 0);
		if (lin_of(e, e->seg, e->ea, len, &lin))
			return -1;
		emu_le_put(e->wdata, tr->limit, 2);
		emu_le_put(e->wdata + 2, tr->base, len - 2);
		return stage_write_lin(e, lin, len);
	}
	if (e->cpl)
		return emu_gp(e, 0);
	if (mem_read(e, e->seg, e->ea, 2, &limit) ||
	    mem_read(e, e->seg, (e->ea + 2) & emu_mask(e->adsize),
		     e->mode == 8 ? 8 : 4, &base))
		return -1;
	if (e->mode != 8 && e->opsize == 2)
		base &= 0xFFFFFF;
	e->sys = sub == 2 ? SYS_GDTR : SYS_IDTR;
	e->sys_limit = (u16)limit;
	e->sys_val = base;
	return 0;
}

static int exec_mov_sreg(struct emu *e)
{
	unsigned int sreg = e->reg & 7;
	u64 v;

	if (sreg >= X86_NR_SEGS)
		return emu_ud(e);
	if (e->op == 0x8c) {
		v = e->s->seg[sreg].selector;
		return rm_write(e, e->mod == 3 ? e->opsize : 2, v);
	}
	if (sreg == X86_CS)
		return emu_ud(e);
	if (rm_read(e, 2, &v))
		return -1;
	return load_data_seg(e, sreg, (u16)v);
}

/* PUSH and POP of a segment register (POP CS does not exist) */
static int exec_push_pop_sreg(struct emu *e, unsigned int sreg, bool pop)
{
	u64 v;

	if (!pop)
		return emu_push(e, e->opsize, e->s->seg[sreg].selector);
	if (emu_pop(e, e->opsize, &v))
		return -1;
	return load_data_seg(e, sreg, (u16)v);
}

/*
 * BT, BTS, BTR, BTC (0F A3/AB/B3/BB r/m, r; 0F BA /4-/7 r/m, imm8): CF =
 * the bit, which BTS sets, BTR clears and BTC flips; the other flags are
 * kept.  A register offset into memory addresses a bit string: it may
 * reach below and beyond the operand, in operand-size units.
 */
static int exec_bit_test(struct emu *e)
{
	unsigned int size = e->opsize, bits = size * 8, kind;
	u64 off, v, bit;
	s64 unit;

	if (e->op == 0x0fba) {
		if ((e->reg & 7) < 4)
			return emu_ud(e);
		kind = e->reg & 3;
		off = e->imm & (bits - 1);
	} else {
		kind = (e->op >> 3) & 3;
		off = reg_read(e, e->reg, size);
		if (e->mod != 3) {
			unit = (s64)emu_sext(off, size) >> (size == 2 ? 4 :
							    size == 4 ? 5 : 6);
			e->ea = (e->ea + (u64)unit * size) & emu_mask(e->adsize);
		}
		off &= bits - 1;
	}
	if (rm_read(e, size, &v))
		return -1;
	bit = 1ULL << off;
	flags_set(e, EMU_FL_CF, v & bit ? EMU_FL_CF : 0);
	switch (kind) {
	case 1:		/* BTS */
		return rm_write(e, size, v | bit);
	case 2:		/* BTR */
		return rm_write(e, size, v & ~bit);
	case 3:		/* BTC */
		return rm_write(e, size, v ^ bit);
	default:	/* BT */
		return 0;
	}
}

/*
 * SHLD, SHRD (0F A4/A5, AC/AD): the destination shifted, filled from the
 * source register; the count (imm8 or CL) is taken modulo 32, 64 with a
 * 64-bit operand.  CF is the last bit shifted out, OF (one-bit shifts) a
 * sign change, SF/ZF/PF from the result, AF cleared; a count of 0 changes
 * nothing.  A 16-bit count above 16 (undefined) is not modelled.
 */
static int exec_shld_shrd(struct emu *e)
{
	unsigned int size = e->opsize, bits = size * 8, c;
	bool left = !(e->op & 8);
	u64 d, r, f, src = reg_read(e, e->reg, size);

	c = ((e->op & 1) ? gpr_get(e, X86_RCX) : e->imm) & (size == 8 ? 63 : 31);
	if (rm_read(e, size, &d))
		return -1;
	if (!c)
		return 0;
	if (c > bits)
		return emu_unsupported(e);
	if (left) {
		r = ((d << c) | (src >> (bits - c))) & emu_mask(size);
		f = (d >> (bits - c)) & 1 ? EMU_FL_CF : 0;
	} else {
		r = ((d >> c) | (src << (bits - c))) & emu_mask(size);
		f = (d >> (c - 1)) & 1 ? EMU_FL_CF : 0;
	}
	f |= flags_szp(r, size);
	if (c == 1 && ((r ^ d) >> (bits - 1)) & 1)
		f |= EMU_FL_OF;
	flags_set(e, EMU_FL_ARITH, f);
	return rm_write(e, size, r);
}

/*
 * CMPXCHG (0F B0/B1): the accumulator is compared with the destination,
 * with the flags of CMP.  Equal: the destination takes the source
 * register.  Different: the accumulator takes the destination; a memory
 * destination is written back with its own value (processors write it
 * either way, so a read-only page faults whatever the comparison), a
 * register destination is left alone (not zero-extended).
 */
static int exec_cmpxchg(struct emu *e)
{
	unsigned int size = e->op & 1 ? e->opsize : 1;
	u64 acc = reg_read(e, X86_RAX, size), d;

	if (rm_read(e, size, &d))
		return -1;
	emu_alu(e, ALU_CMP, acc, d, size);
	if (acc == d)
		return rm_write(e, size, reg_read(e, e->reg, size));
	reg_write(e, X86_RAX, size, d);
	return e->mod == 3 ? 0 : rm_write(e, size, d);
}

/*
 * XADD (0F C0/C1): the destination takes the sum (flags of ADD), the
 * source register the destination's old value; with the same register
 * for both, the sum.
 */
static int exec_xadd(struct emu *e)
{
	unsigned int size = e->op & 1 ? e->opsize : 1;
	u64 src = reg_read(e, e->reg, size), d, sum;

	if (rm_read(e, size, &d))
		return -1;
	sum = emu_alu(e, ALU_ADD, d, src, size);
	reg_write(e, e->reg, size, d);
	return rm_write(e, size, sum);
}

/*
 * CMPXCHG8B / CMPXCHG16B (0F C7 /1, memory only; REX.W: 16 bytes, which
 * must be 16-byte aligned): EDX:EAX (RDX:RAX) is compared with the
 * operand.  Equal: ZF set, the operand takes ECX:EBX (RCX:RBX).
 * Different: ZF clear, EDX:EAX takes the operand, which is written back.
 * The other flags are kept.
 */
static int exec_cmpxchg8b(struct emu *e)
{
	unsigned int half = e->rex & 8 ? 8 : 4;
	u64 lin, lo, hi;

	if ((e->reg & 7) != 1)
		return emu_unsupported(e);	/* RDRAND, RDSEED, RDPID */
	if (e->mod == 3)
		return emu_ud(e);
	if (lin_of(e, e->seg, e->ea, 2 * half, &lin))
		return -1;
	if (half == 8 && (lin & 15))
		return emu_gp(e, 0);
	if (mem_read_lin(e, lin, half, &lo) ||
	    mem_read_lin(e, lin + half, half, &hi))
		return -1;
	if (lo == reg_read(e, X86_RAX, half) &&
	    hi == reg_read(e, X86_RDX, half)) {
		flags_set(e, EMU_FL_ZF, EMU_FL_ZF);
		lo = reg_read(e, X86_RBX, half);
		hi = reg_read(e, X86_RCX, half);
	} else {
		flags_set(e, EMU_FL_ZF, 0);
		reg_write(e, X86_RAX, half, lo);
		reg_write(e, X86_RDX, half, hi);
	}
	emu_le_put(e->wdata, lo, half);
	emu_le_put(e->wdata + half, hi, half);
	return stage_write_lin(e, lin, 2 * half);
}

/* Opcodes of the two-byte map */
/*
 * SYSCALL (0F 05) and SYSRET (0F 07), in 64-bit mode only (#UD elsewhere,
 * as on Intel processors: CSTAR is kept but never used), with EFER.SCE:
 * flat CS and SS from STAR, RIP from LSTAR and RFLAGS masked with SFMASK
 * (RCX and R11 take RIP and RFLAGS); SYSRET at CPL 0 to RCX (REX.W, 64-bit
 * mode) or ECX (compatibility mode) at CPL 3, RFLAGS from R11.  SYSRET to
 * a non-canonical RIP raises #GP(0) at CPL 0, as on Intel processors.
 */
/* not inlined: the interpreter's stack frame stays small */
static noinline int exec_syscall(struct emu *e, bool sysret)
{
	const struct x86_emu_state *s = e->s;
	struct hv_x64_segment_register *cs = &e->sys_cs, *ss = &e->sys_ss;
	u16 sel;
	u64 rcx;

	if (e->mode != 8 || !(s->efer & EMU_EFER_SCE))
		return emu_ud(e);
	memset(cs, 0, sizeof(*cs));
	memset(ss, 0, sizeof(*ss));
	cs->limit = 0xFFFFFFFF;
	ss->limit = 0xFFFFFFFF;
	if (!sysret) {
		sel = (s->star >> 32) & 0xFFFF;
		gpr_set(e, X86_RCX, e->next_rip);
		gpr_set(e, X86_R11, e->rflags);
		e->rflags &= ~(s->sfmask | EMU_FL_RF);
		e->rip = s->lstar;
		cs->selector = sel & 0xFFFC;
		cs->attributes = EMU_ATTR_CS64_K;
		ss->selector = sel + 8;
		ss->attributes = EMU_ATTR_SS_K;
	} else {
		if (e->cpl)
			return emu_gp(e, 0);
		sel = (s->star >> 48) & 0xFFFF;
		rcx = gpr_get(e, X86_RCX);
		if (e->rex & 8) {
			if (!emu_canonical(rcx))
				return emu_gp(e, 0);
			e->rip = rcx;
			cs->selector = (sel + 16) | 3;
			cs->attributes = EMU_ATTR_CS64_U;
		} else {
			e->rip = rcx & 0xFFFFFFFFULL;
			cs->selector = sel | 3;
			cs->attributes = EMU_ATTR_CS32_U;
		}
		ss->selector = (sel + 8) | 3;
		ss->attributes = EMU_ATTR_SS_U;
		e->rflags = (gpr_get(e, X86_R11) & EMU_FL_SYSRET) | EMU_FL_FIXED;
	}
	e->sys_seg = EMU_CS_LOAD_SS;
	e->sys = SYS_CS;
	return 0;
}

static int exec_0f(struct emu *e)
{
	unsigned int op = e->op & 0xFF;
	unsigned int size = e->opsize;
	u64 v;

	switch (op) {
	case 0x00:
		return exec_group6(e);
	case 0x01:
		return exec_0f01(e);
	case 0x0b:	/* UD2 */
	case 0xb9:	/* UD1 */
		return emu_ud(e);
	case 0x05:
	case 0x07:
		return exec_syscall(e, op == 0x07);
	case 0x08:	/* INVD, WBINVD: no caches to write back or drop */
	case 0x09:
		return e->cpl ? emu_gp(e, 0) : 0;
	case 0x0d:	/* PREFETCH, PREFETCHW: hints, memory operand only */
		return e->mod == 3 ? emu_ud(e) : 0;
	case 0x18 ... 0x1f:	/* hint NOPs (NOP r/m, PREFETCH, ENDBR) */
		return 0;
	case 0x20:
	case 0x22:
		return exec_mov_cr(e);
	case 0x21:
	case 0x23:
		return exec_mov_dr(e);
	case 0x31:
		return exec_rdtsc(e, false);
	case 0x30:
	case 0x32:
		if (e->cpl)
			return emu_gp(e, 0);
		e->exit->msr.index = (u32)gpr_get(e, X86_RCX);
		e->exit->msr.write = op == 0x30;
		return emu_stop(e, X86_EXIT_MSR);
	case 0xa2:
		return emu_stop(e, X86_EXIT_CPUID);
	case 0xb0:
	case 0xb1:
		return exec_cmpxchg(e);
	case 0xc0:
	case 0xc1:
		return exec_xadd(e);
	case 0xc7:
		if (e->mod != 3 && (e->reg & 7) == 4 && !e->rep && !e->op66)
			return exec_fxsave(e, 8);		/* XSAVEC */
		return exec_cmpxchg8b(e);
	case 0xb8:	/* POPCNT (F3); 0F B8 alone is JMPE (IA-64): #UD */
		if (e->rep != 0xf3)
			return emu_ud(e);
		if (rm_read(e, size, &v))
			return -1;
		flags_set(e, EMU_FL_ARITH, v ? 0 : EMU_FL_ZF);
		reg_write(e, e->reg, size, emu_popcount(v));
		return 0;
	case 0xa0:
	case 0xa1:
	case 0xa8:
	case 0xa9:
		return exec_push_pop_sreg(e, op & 8 ? X86_GS : X86_FS, op & 1);
	case 0xa3:
	case 0xab:
	case 0xb3:
	case 0xbb:
	case 0xba:
		return exec_bit_test(e);
	case 0xa4:
	case 0xa5:
	case 0xac:
	case 0xad:
		return exec_shld_shrd(e);
	/*
	 * BSF: a zero source sets ZF, keeps the destination.  With F3 these
	 * are TZCNT / LZCNT where CPUID offers BMI1 / ABM; hvsim's CPUID
	 * offers neither, and processors without them run F3 0F BC/BD as
	 * BSF / BSR (Linux's __ffs() relies on it).
	 */
	case 0xbc:
	case 0xbd:	/* BSR */
		if (rm_read(e, size, &v))
			return -1;
		flags_set(e, EMU_FL_ZF, v ? 0 : EMU_FL_ZF);
		if (v)
			reg_write(e, e->reg, size, op == 0xbc ?
				  (u64)__builtin_ctzll(v) :
				  (u64)(63 - __builtin_clzll(v)));
		return 0;
	case 0xc8 ... 0xcf: {	/* BSWAP; 16 bits: the word reads as 0 */
		unsigned int r = (op & 7) | ((e->rex & 1) << 3);
		u64 x = reg_read(e, r, size), y = 0;
		unsigned int i;

		for (i = 0; size > 2 && i < size; i++, x >>= 8)
			y = (y << 8) | (x & 0xFF);
		reg_write(e, r, size, y);
		return 0;
	}
	case 0x40 ... 0x4f:	/* CMOVcc: the source is always read */
		if (rm_read(e, size, &v))
			return -1;
		if (emu_cond(e->rflags, op))
			reg_write(e, e->reg, size, v);
		else if (size == 4)
			reg_write(e, e->reg, 4, reg_read(e, e->reg, 4));
		return 0;
	case 0x80 ... 0x8f:
		if (emu_cond(e->rflags, op))
			return emu_jump(e, e->next_rip + e->imm);
		return 0;
	case 0x90 ... 0x9f:
		return rm_write(e, 1, emu_cond(e->rflags, op) ? 1 : 0);
	case 0xae:	/* LFENCE, MFENCE, SFENCE */
		if (e->mod == 3 && (e->reg & 7) >= 5)
			return 0;
		return exec_fxsave(e, e->reg & 7);
	case 0xaf:
		return exec_imul2(e);
	case 0xb6:
	case 0xb7:
	case 0xbe:
	case 0xbf:
		if (rm_read(e, (op & 1) ? 2 : 1, &v))
			return -1;
		if (op & 8)
			v = emu_sext(v, (op & 1) ? 2 : 1);
		reg_write(e, e->reg, size, v);
		return 0;
	default:
		return emu_unsupported(e);
	}
}

static int exec_alu(struct emu *e)
{
	unsigned int op = e->op;
	unsigned int alu = (op >> 3) & 7;
	unsigned int size = (op & 1) ? e->opsize : 1;
	u64 a, b, r;

	switch (op & 7) {
	case 0:
	case 1:	/* r/m, r */
		if (rm_read(e, size, &a))
			return -1;
		b = reg_read(e, e->reg, size);
		r = emu_alu(e, alu, a, b, size);
		return alu == ALU_CMP ? 0 : rm_write(e, size, r);
	case 2:
	case 3:	/* r, r/m */
		if (rm_read(e, size, &b))
			return -1;
		a = reg_read(e, e->reg, size);
		r = emu_alu(e, alu, a, b, size);
		if (alu != ALU_CMP)
			reg_write(e, e->reg, size, r);
		return 0;
	default:	/* AL/eAX, imm */
		a = reg_read(e, X86_RAX, size);
		r = emu_alu(e, alu, a, e->imm, size);
		if (alu != ALU_CMP)
			reg_write(e, X86_RAX, size, r);
		return 0;
	}
}

/*
 * The RFLAGS bits POPF and IRET load at the current privilege level: IOPL
 * only at CPL 0, IF only at CPL <= IOPL
 */
static u64 emu_popf_mask(const struct emu *e)
{
	u64 mask = EMU_FL_POPF;

	if (e->cpl)
		mask &= ~EMU_FL_IOPL;
	if (e->cpl > ((e->rflags & EMU_FL_IOPL) >> EMU_FL_IOPL_SHIFT))
		mask &= ~EMU_FL_IF;
	return mask;
}

/*
 * IRETQ (64-bit mode) to RIP @ip, CS @cs, RFLAGS @fl, RSP @nsp and SS
 * @nss: to the same privilege level or an outer one (CS's RPL), SS always
 * loaded (the current selector at the same level keeps the cached SS).
 * A return to an outer level makes ES, DS, FS and GS null where they
 * hold a data or non-conforming code segment of a DPL below the new CPL.
 * A return to compatibility mode is not modelled.
 */
static noinline int iret_long(struct emu *e, u64 ip, u16 cs, u64 fl, u64 nsp, u16 nss)
{
	const struct x86_emu_state *s = e->s;
	unsigned int rpl = cs & 3, i;
	u16 attr;

	if (!(cs & ~3) || !emu_canonical(ip) ||
	    (!(nss & ~3) && (rpl == 3 || (nss & 3) != rpl)))
		return emu_gp(e, 0);
	if (rpl < e->cpl)
		return emu_gp(e, emu_sel_error(e, cs));
	if (read_code_desc(e, cs, false, false, &e->sys_cs))
		return -1;
	attr = e->sys_cs.attributes;
	if ((attr & 0x4) ? emu_dpl(attr) > rpl : emu_dpl(attr) != rpl)
		return emu_gp(e, emu_sel_error(e, cs));
	if (!(attr & HV_X64_SEGMENT_LONG))
		return emu_unsupported(e);	/* compatibility mode */
	if (rpl != e->cpl || nss != s->seg[X86_SS].selector) {
		if (read_ss_desc(e, nss, rpl, &e->sys_ss))
			return -1;
		e->sys_seg |= EMU_CS_LOAD_SS;
	}
	for (i = 0; rpl != e->cpl && i < X86_NR_SEGS; i++) {
		attr = s->seg[i].attributes;
		if (i == X86_CS || i == X86_SS ||
		    !(attr & HV_X64_SEGMENT_NON_SYSTEM) ||
		    ((attr & 0xC) == 0xC) || emu_dpl(attr) >= rpl)
			continue;
		e->sys_seg |= 1U << i;
	}
	flags_set(e, emu_popf_mask(e) | EMU_FL_RF, fl);
	e->sys_cs.selector = cs;
	e->sys = SYS_CS;
	e->rip = ip;
	reg_write(e, X86_RSP, 8, nsp);
	return 0;
}

/*
 * IRET: real mode, IRETD in 32-bit protected mode at CPL 0 to the same
 * privilege level, IRETQ in 64-bit mode (iret_long())
 */
static int exec_iret(struct emu *e)
{
	const struct x86_emu_state *s = e->s;
	unsigned int size = e->opsize, ss = stack_size(e);
	u64 sp = gpr_get(e, X86_RSP) & emu_mask(ss);
	u64 ip, cs, fl, nsp = 0, nss = 0;

	/* Not modelled: 32-bit CPL > 0 (IF/IOPL rules), task returns, 16-bit forms */
	if ((e->cpl && e->mode != 8) || (e->mode == 8 && size != 8) ||
	    ((s->cr0 & EMU_CR0_PE) && e->mode != 8 && size != 4) ||
	    (s->rflags & (EMU_FL_NT | EMU_FL_VM)))
		return emu_unsupported(e);
	/* An IRET that retires ends NMI blocking */
	e->nmi_unmask = true;
	if (mem_read(e, X86_SS, sp, size, &ip) ||
	    mem_read(e, X86_SS, (sp + size) & emu_mask(ss), size, &cs) ||
	    mem_read(e, X86_SS, (sp + 2 * size) & emu_mask(ss), size, &fl))
		return -1;
	if (e->mode == 8) {
		if (mem_read(e, X86_SS, sp + 24, 8, &nsp) ||
		    mem_read(e, X86_SS, sp + 32, 8, &nss))
			return -1;
		return iret_long(e, ip, (u16)cs, fl, nsp, (u16)nss);
	}
	if (!(s->cr0 & EMU_CR0_PE)) {
		e->rip = ip & 0xFFFF;
		e->sys = SYS_SEG;
		e->sys_seg = X86_CS;
		e->sys_val = cs & 0xFFFF;
		flags_set(e, EMU_FL_POPF & 0xFFFF, fl);
		reg_write(e, X86_RSP, ss, sp + 6);
		return 0;
	}
	if ((cs & 3) != e->cpl)
		return emu_unsupported(e);	/* return to another level */
	if (load_code_cs(e, cs & 0xFFFF, false, false, &e->sys_cs))
		return -1;
	e->sys = SYS_CS;
	flags_set(e, (EMU_FL_POPF | EMU_FL_RF) & 0xFFFFFFFFULL, fl);
	e->rip = ip & 0xFFFFFFFFULL;
	reg_write(e, X86_RSP, ss, sp + 12);
	return 0;
}

static int exec_one(struct emu *e)
{
	unsigned int op = e->op;
	unsigned int size = e->opsize;
	u64 a, b, r;

	if (op >= 0x0f00)
		return exec_0f(e);

	switch (op) {
	case 0x00 ... 0x05:
	case 0x08 ... 0x0d:
	case 0x10 ... 0x15:
	case 0x18 ... 0x1d:
	case 0x20 ... 0x25:
	case 0x28 ... 0x2d:
	case 0x30 ... 0x35:
	case 0x38 ... 0x3d:
		return exec_alu(e);
	case 0x06:
	case 0x07:
	case 0x0e:
	case 0x16:
	case 0x17:
	case 0x1e:
	case 0x1f:
		return exec_push_pop_sreg(e, op >> 3, op & 1);
	case 0x9a:
	case 0xea:
		return far_transfer(e, (u16)(e->imm >> 32), (u32)e->imm,
				    op == 0x9a);
	case 0xca:
	case 0xcb:
		return exec_ret_far(e);
	case 0x40 ... 0x4f:	/* INC/DEC r (16/32-bit modes only) */
		reg_write(e, op & 7, size,
			  emu_incdec(e, op & 8, reg_read(e, op & 7, size),
				     size));
		return 0;
	case 0x50 ... 0x57:
		return emu_push(e, size,
				reg_read(e, (op & 7) | ((e->rex & 1) << 3),
					 size));
	case 0x58 ... 0x5f:
		if (emu_pop(e, size, &a))
			return -1;
		reg_write(e, (op & 7) | ((e->rex & 1) << 3), size, a);
		return 0;
	case 0x63:	/* MOVSXD (ARPL outside 64-bit mode) */
		if (e->mode != 8)
			return emu_unsupported(e);
		if (rm_read(e, size == 8 ? 4 : size, &a))
			return -1;
		reg_write(e, e->reg, size, emu_sext(a, 4));
		return 0;
	case 0x69:
	case 0x6b:
		return exec_imul2(e);
	case 0x68:
	case 0x6a:
		return emu_push(e, size, emu_sext(e->imm, op == 0x6a ? 1 : 8));
	case 0x6c ... 0x6f:
	case 0xe4 ... 0xe7:
	case 0xec ... 0xef:
		return exec_io(e);
	case 0x70 ... 0x7f:
		if (emu_cond(e->rflags, op))
			return emu_jump(e, e->next_rip + emu_sext(e->imm, 1));
		return 0;
	case 0x80 ... 0x83:
		size = (op & 1) ? size : 1;
		if (rm_read(e, size, &a))
			return -1;
		b = op == 0x83 ? emu_sext(e->imm, 1) : e->imm;
		r = emu_alu(e, e->reg & 7, a, b, size);
		return (e->reg & 7) == ALU_CMP ? 0 : rm_write(e, size, r);
	case 0x84:
	case 0x85:
		size = (op & 1) ? size : 1;
		if (rm_read(e, size, &a))
			return -1;
		emu_alu(e, ALU_AND, a, reg_read(e, e->reg, size), size);
		return 0;
	case 0x86:	/* XCHG */
	case 0x87:
		size = (op & 1) ? size : 1;
		if (rm_read(e, size, &a))
			return -1;
		b = reg_read(e, e->reg, size);
		if (rm_write(e, size, b))
			return -1;
		reg_write(e, e->reg, size, a);
		return 0;
	case 0x88:
	case 0x89:
		size = (op & 1) ? size : 1;
		return rm_write(e, size, reg_read(e, e->reg, size));
	case 0x8a:
	case 0x8b:
		size = (op & 1) ? size : 1;
		if (rm_read(e, size, &a))
			return -1;
		reg_write(e, e->reg, size, a);
		return 0;
	case 0x8c:
	case 0x8e:
		return exec_mov_sreg(e);
	case 0x8d:	/* LEA */
		if (e->mod == 3)
			return emu_ud(e);
		reg_write(e, e->reg, size, e->ea);
		return 0;
	case 0x8f:	/* POP r/m */
		if (e->reg & 7)
			return emu_unsupported(e);	/* XOP */
		if (emu_pop(e, size, &a))
			return -1;
		/* an RSP base is read after the pop incremented it */
		if (e->mod != 3 && e->base == X86_RSP)
			e->ea = (e->ea + size) & emu_mask(e->adsize);
		return rm_write(e, size, a);
	case 0x90 ... 0x97:	/* XCHG rAX, r; NOP; PAUSE */
		a = (op & 7) | ((e->rex & 1) << 3);
		if (a == X86_RAX) {
			e->exit->pause = e->rep == 0xf3;
			return 0;
		}
		b = reg_read(e, a, size);
		reg_write(e, a, size, reg_read(e, X86_RAX, size));
		reg_write(e, X86_RAX, size, b);
		return 0;
	case 0x98:	/* CBW, CWDE, CDQE */
		reg_write(e, X86_RAX, size,
			  emu_sext(reg_read(e, X86_RAX, size / 2), size / 2));
		return 0;
	case 0x99:	/* CWD, CDQ, CQO */
		a = reg_read(e, X86_RAX, size);
		reg_write(e, X86_RDX, size,
			  ((a >> (size * 8 - 1)) & 1) ? ~0ULL : 0);
		return 0;
	case 0x9c:	/* PUSHF */
		if ((e->rflags & EMU_FL_VM) && e->cpl)
			return emu_gp(e, 0);
		return emu_push(e, size,
				e->rflags & ~(EMU_FL_VM | EMU_FL_RF));
	case 0xcc:	/* INT3 */
	case 0xcd:	/* INT n */
		emu_raise(e, op == 0xcc ? X86_EMU_VEC_BP : (u8)e->imm, false, 0);
		e->exit->exc.type = op == 0xcc ? X86_EVENT_SOFTEXC :
				    X86_EVENT_SOFTINT;
		e->exit->exc.insn_len = e->pos;
		return -1;
	case 0xcf:
		return exec_iret(e);
	case 0x9b:
		return exec_fwait(e);
	case 0xd8 ... 0xdf:
		return exec_x87(e);
	case 0x9d:	/* POPF */
		if (e->rflags & EMU_FL_VM)
			return emu_unsupported(e);
		if (emu_pop(e, size, &a))
			return -1;
		flags_set(e, emu_popf_mask(e) & emu_mask(size), a);
		return 0;
	case 0x9e:	/* SAHF */
		flags_set(e, EMU_FL_ARITH & ~EMU_FL_OF,
			  gpr_get(e, X86_RAX) >> 8);
		return 0;
	case 0x9f:	/* LAHF */
		a = (e->rflags & (EMU_FL_ARITH & ~EMU_FL_OF)) | EMU_FL_FIXED;
		b = gpr_get(e, X86_RAX);
		gpr_set(e, X86_RAX, (b & ~0xFF00ULL) | (a << 8));
		return 0;
	case 0xa0 ... 0xa3:	/* MOV AL/eAX <-> moffs */
		size = (op & 1) ? size : 1;
		e->seg = e->seg_ovr != EMU_NO_REG ? e->seg_ovr : X86_DS;
		if (op & 2)
			return mem_write(e, e->seg, e->imm, size,
					 reg_read(e, X86_RAX, size));
		if (mem_read(e, e->seg, e->imm, size, &a))
			return -1;
		reg_write(e, X86_RAX, size, a);
		return 0;
	case 0xa4:
	case 0xa5:
	case 0xaa ... 0xad:
		return exec_string(e);
	case 0xa8:
	case 0xa9:
		size = (op & 1) ? size : 1;
		emu_alu(e, ALU_AND, reg_read(e, X86_RAX, size), e->imm, size);
		return 0;
	case 0xb0 ... 0xb7:
		reg_write(e, (op & 7) | ((e->rex & 1) << 3), 1, e->imm);
		return 0;
	case 0xb8 ... 0xbf:
		reg_write(e, (op & 7) | ((e->rex & 1) << 3), size, e->imm);
		return 0;
	case 0xc0:
	case 0xc1:
	case 0xd0 ... 0xd3:
		size = (op & 1) ? size : 1;
		if (rm_read(e, size, &a))
			return -1;
		b = op <= 0xc1 ? e->imm : op <= 0xd1 ? 1 :
		    reg_read(e, X86_RCX, 1);
		if (emu_shift(e, e->reg & 7, a, (unsigned int)b & 0xFF, size,
			      &r))
			return -1;
		return rm_write(e, size, r);
	case 0xc2:
	case 0xc3:	/* RET */
		if (emu_pop(e, size, &a))
			return -1;
		if (op == 0xc2)
			reg_write(e, X86_RSP, stack_size(e),
				  gpr_get(e, X86_RSP) + e->imm);
		return emu_jump(e, a);
	case 0xc6:
	case 0xc7:
		if (e->reg & 7)
			return emu_unsupported(e);	/* XABORT, XBEGIN */
		size = (op & 1) ? size : 1;
		return rm_write(e, size, e->imm);
	case 0xc9:	/* LEAVE */
		reg_write(e, X86_RSP, stack_size(e), gpr_get(e, X86_RBP));
		if (emu_pop(e, size, &a))
			return -1;
		reg_write(e, X86_RBP, size, a);
		return 0;
	case 0xe0 ... 0xe2:	/* LOOPNE, LOOPE, LOOP */
		a = (gpr_get(e, X86_RCX) - 1) & emu_mask(e->adsize);
		reg_write(e, X86_RCX, e->adsize, a);
		b = !!(e->rflags & EMU_FL_ZF);
		if (a && (op == 0xe2 || b == (op & 1)))
			return emu_jump(e, e->next_rip + emu_sext(e->imm, 1));
		return 0;
	case 0xe3:	/* JCXZ, JECXZ, JRCXZ */
		if (!(gpr_get(e, X86_RCX) & emu_mask(e->adsize)))
			return emu_jump(e, e->next_rip + emu_sext(e->imm, 1));
		return 0;
	case 0xe8:
		if (emu_push(e, size, e->next_rip))
			return -1;
		return emu_jump(e, e->next_rip + e->imm);
	case 0xe9:
		return emu_jump(e, e->next_rip + e->imm);
	case 0xeb:
		return emu_jump(e, e->next_rip + emu_sext(e->imm, 1));
	case 0xf4:
		if (e->cpl)
			return emu_gp(e, 0);
		return emu_stop(e, X86_EXIT_HLT);
	case 0xf5:	/* CMC */
		e->rflags ^= EMU_FL_CF;
		return 0;
	case 0xf6:
	case 0xf7:
		return exec_group3(e);
	case 0xf8:
	case 0xf9:	/* CLC, STC */
		flags_set(e, EMU_FL_CF, op & 1);
		return 0;
	case 0xfa:
	case 0xfb:	/* CLI, STI */
		if ((e->s->cr0 & EMU_CR0_PE) &&
		    e->cpl > ((e->rflags & EMU_FL_IOPL) >> EMU_FL_IOPL_SHIFT))
			return emu_gp(e, 0);
		if (op == 0xfb && !(e->rflags & EMU_FL_IF))
			e->shadow = 1;
		flags_set(e, EMU_FL_IF, op == 0xfb ? EMU_FL_IF : 0);
		return 0;
	case 0xfc:
	case 0xfd:	/* CLD, STD */
		flags_set(e, EMU_FL_DF, op == 0xfd ? EMU_FL_DF : 0);
		return 0;
	case 0xfe:
	case 0xff:
		return exec_group5(e);
	default:
		return emu_unsupported(e);
	}
}

/* The staged system-register update of a retiring instruction (e->sys) */
static void emu_commit_sys(struct emu *e)
{
	struct x86_emu_state *s = e->s;
	unsigned int done;

	switch (e->sys) {
	case SYS_CR0:
		if ((e->sys_val & EMU_CR0_PG) && !(s->cr0 & EMU_CR0_PG) &&
		    (s->efer & EMU_EFER_LME))
			s->efer |= EMU_EFER_LMA;
		else if (!(e->sys_val & EMU_CR0_PG))
			s->efer &= ~EMU_EFER_LMA;
		s->cr0 = e->sys_val;
		break;
	case SYS_CR2:
		s->cr2 = e->sys_val;
		break;
	case SYS_CR3:
		s->cr3 = e->sys_val;
		break;
	case SYS_CR4:
		s->cr4 = e->sys_val;
		break;
	case SYS_CR8:
		s->cr8 = e->sys_val;
		break;
	case SYS_GDTR:
	case SYS_IDTR:
		if (e->sys == SYS_GDTR) {
			s->gdtr.limit = e->sys_limit;
			s->gdtr.base = e->sys_val;
		} else {
			s->idtr.limit = e->sys_limit;
			s->idtr.base = e->sys_val;
		}
		break;
	case SYS_SEG:
		s->seg[e->sys_seg].selector = (u16)e->sys_val;
		s->seg[e->sys_seg].base = (e->sys_val & 0xFFFF) << 4;
		break;
	case SYS_CS:
		s->seg[X86_CS] = e->sys_cs;
		if (e->sys_seg & EMU_CS_LOAD_SS)
			s->seg[X86_SS] = e->sys_ss;
		if (e->sys_seg & EMU_CS_NULL_SS) {
			done = e->sys_cs.selector & 3;
			memset(&s->seg[X86_SS], 0, sizeof(s->seg[X86_SS]));
			s->seg[X86_SS].selector = done;
			s->seg[X86_SS].attributes =
				done << HV_X64_SEGMENT_DPL_SHIFT;
		}
		for (done = 0; done < X86_NR_SEGS; done++) {
			if (done == X86_CS || done == X86_SS ||
			    !(e->sys_seg & (1U << done)))
				continue;
			s->seg[done].selector = 0;
			s->seg[done].attributes = 0;
		}
		break;
	case SYS_SEGREG:
		s->seg[e->sys_seg] = e->sys_cs;
		break;
	case SYS_LDTR:
		s->ldtr = e->sys_cs;
		break;
	case SYS_TR:
		s->tr = e->sys_cs;
		break;
	case SYS_DR:
		s->dr[e->sys_seg] = e->sys_val;
		break;
	case SYS_INVLPG:
		tlb_invlpg(e, e->sys_val);
		break;
	case SYS_REP_MOVS:
		memcpy(e->wdst[0].host, e->wdst[1].host, e->sys_val);
		break;
	case SYS_REP_STOS:
		for (done = 0; done < e->sys_val; done += e->wlen[0])
			memcpy(e->wdst[0].host + done, e->wdata, e->wlen[0]);
		break;
	case SYS_SWAPGS:
		e->sys_val = s->seg[X86_GS].base;
		s->seg[X86_GS].base = s->kernel_gs_base;
		s->kernel_gs_base = e->sys_val;
		break;
	case SYS_FNINIT:
		memset(s->fx, 0, X86_EMU_FX_MXCSR);
		emu_le_put(s->fx + X86_EMU_FX_FCW, X86_EMU_FCW_INIT, 2);
		break;
	case SYS_FXFIELD:
		emu_le_put(s->fx + e->sys_limit, e->sys_val, e->sys_seg);
		break;
	case SYS_XCR0:
		s->xfem = e->sys_val;
		break;
	}
	/* MOV to CR3 flushes whatever the value; CR0 and CR4 change paging */
	if (e->tlb && (e->sys == SYS_CR0 || e->sys == SYS_CR3 ||
		       e->sys == SYS_CR4)) {
		x86_emu_tlb_flush(e->tlb);
		tlb_set_mode(e->tlb, s);
	}
}

/*
 * The memory part of the commit (emu_commit()): the accessed and dirty
 * bits of the walks, the staged store, the FXSAVE / XSAVE area
 */
static int emu_commit_mem(struct emu *e)
{
	enum x86_emu_access access;
	unsigned int i, done = 0;
	u64 gpa, lin;
	u8 attr;

	for (i = 0; i < e->nwalks; i++) {
		lin = e->walk_lin[i] & ~(u64)EMU_PAGE_MASK;
		access = e->walk_lin[i] & EMU_WALK_ACCESS;
		/* the privilege of the access (a user one only at CPL 3) */
		e->sup = !(e->walk_lin[i] & EMU_WALK_USER);
		gpa = lin;
		attr = EMU_XLATE_X;
		if (emu_paging(e) &&
		    emu_walk(e, lin, access, &gpa, true, &attr))
			goto fail;
		tlb_fill(e, lin, gpa, access, attr);
	}
	if (e->wpending) {
		for (i = 0; i < e->wchunks; i++) {
			if (e->wdirect & (1U << i)) {
				emu_copy(e->wdst[i].host, e->wdata + done,
					 e->wlen[i]);
			} else if (e->ops->access(e->ctx, e->wdst[i].gpa,
						  e->wdata + done, e->wlen[i],
						  X86_EMU_ACCESS_WRITE, true)) {
				emu_mem_exit(e, e->wdst[i].gpa, 0, false,
					     X86_EMU_ACCESS_WRITE);
				goto fail;
			}
			done += e->wlen[i];
		}
	}
	if ((e->sys == SYS_FXSTORE || e->sys == SYS_FXLOAD) && fx_commit(e))
		goto fail;
	return 0;

fail:
	/* entries filled for accesses that did not retire */
	if (e->tlb)
		x86_emu_tlb_flush(e->tlb);
	return -1;
}

/*
 * Make the instruction's effects visible; every access was checked.
 * Inline: most instructions stage registers only, or one store to a TLB
 * hit, which need none of emu_commit_mem().
 */
static __always_inline int emu_commit(struct emu *e)
{
	struct x86_emu_state *s = e->s;
	unsigned int i;

	if (e->nwalks || e->sys == SYS_FXSTORE || e->sys == SYS_FXLOAD ||
	    (e->wpending && (e->wchunks != 1 || !(e->wdirect & 1)))) {
		if (emu_commit_mem(e))
			return -1;
	} else if (e->wpending) {
		emu_copy(e->wdst[0].host, e->wdata, e->wlen[0]);
	}

	for (i = 0; i < e->ngpr; i++)
		s->gpr[e->gpr_idx[i]] = e->gpr_val[i];
	s->rip = e->rip;
	s->rflags = e->rflags | EMU_FL_FIXED;
	s->interrupt_shadow = e->shadow;
	if (e->set_cr2)
		s->cr2 = e->cr2;
	if (e->nmi_mask)
		s->nmi_masked = 1;
	if (e->nmi_unmask)
		s->nmi_masked = 0;

	if (e->sys)
		emu_commit_sys(e);
	return 0;
}

/*
 * End an instruction or a delivery that ran to its end without stopping:
 * refuse it if it needed something the interpreter lacks, else commit it.
 * Return: true if committed (exit reason X86_EXIT_NONE).
 */
static __always_inline bool emu_retire(struct emu *e)
{
	if (e->internal_error) {
		e->exit->reason = X86_EXIT_UNSUPPORTED;
		return false;
	}
	if (emu_commit(e))
		return false;
	e->exit->reason = X86_EXIT_NONE;
	return true;
}

/* The current privilege level (as x86_emu_exec_state() reports it) */
static unsigned int emu_cpl(const struct x86_emu_state *s)
{
	if (!(s->cr0 & EMU_CR0_PE))
		return 0;
	if (s->rflags & EMU_FL_VM)
		return 3;
	return (s->seg[X86_SS].attributes >> HV_X64_SEGMENT_DPL_SHIFT) & 3;
}

static __always_inline void emu_init(struct emu *e, struct x86_emu_state *s,
				     const struct x86_emu_mem_ops *ops,
				     void *ctx, struct x86_emu_exit *exit)
{
	const struct hv_x64_segment_register *cs = &s->seg[X86_CS];

	/*
	 * From @gpr_val on, every field is written before it is read (the
	 * counts and kinds before it say how much is valid): not cleared.
	 */
	memset(e, 0, offsetof(struct emu, gpr_val));
	e->s = s;
	e->ops = ops;
	e->ctx = ctx;
	e->exit = exit;
	if ((s->efer & EMU_EFER_LMA) && (cs->attributes & HV_X64_SEGMENT_LONG))
		e->mode = 8;
	else if ((s->cr0 & EMU_CR0_PE) && !(s->rflags & EMU_FL_VM) &&
		 (cs->attributes & HV_X64_SEGMENT_DEFAULT))
		e->mode = 4;
	else
		e->mode = 2;
	e->cpl = emu_cpl(s);
	e->rflags = s->rflags;
}

bool x86_emu_step(struct x86_emu_state *s, const struct x86_emu_mem_ops *ops,
		  void *ctx, struct x86_emu_exit *exit)
{
	return x86_emu_step_tlb(s, ops, ctx, NULL, exit);
}

bool x86_emu_step_tlb(struct x86_emu_state *s,
		      const struct x86_emu_mem_ops *ops, void *ctx,
		      struct x86_emu_tlb *tlb, struct x86_emu_exit *exit)
{
	struct emu e EMU_NO_AUTOINIT;

	memset(exit, 0, sizeof(*exit));
	emu_init(&e, s, ops, ctx, exit);
	if (tlb) {
		tlb_sync(tlb, s);
		e.tlb = tlb;
	}

	if (!tlb || !dc_lookup(&e)) {
		if (emu_decode(&e)) {
			/* #UD of a decoded instruction (LOCK): its bytes */
			if (exit->insn_len)
				exit->insn_byte_count = exit->insn_len;
			return false;
		}
		/* The instruction is decoded: report exactly its bytes */
		exit->insn_byte_count = exit->insn_len;
		dc_store(&e);
	}

	if (tlb && tlb->serialize_rmw && emu_locked_rmw(&e)) {
		emu_unsupported(&e);
		return false;
	}
	e.rip = e.next_rip;
	if (exec_one(&e))
		return false;
	return emu_retire(&e);
}

/* Interrupt and exception delivery */

#define EMU_GATE_INTR	0xE	/* 32/64-bit interrupt gate: clears IF */
#define EMU_GATE_TRAP	0xF	/* 32/64-bit trap gate */

static bool emu_soft_event(const struct x86_emu_event *ev)
{
	return ev->type == X86_EVENT_SOFTEXC || ev->type == X86_EVENT_SOFTINT;
}

/* An 8-byte IDT gate (or the low half of a 16-byte one): check it */
static int check_gate(struct emu *e, const struct x86_emu_event *ev, u64 gate)
{
	unsigned int type = (gate >> 40) & 0xF;

	if (type != EMU_GATE_INTR && type != EMU_GATE_TRAP)
		return emu_gp(e, emu_idt_error(e, ev->vector));
	/* INT n and INT3 need a gate the current privilege level may use */
	if (emu_soft_event(ev) && ((gate >> 45) & 3) < e->cpl)
		return emu_gp(e, emu_idt_error(e, ev->vector));
	if (!((gate >> 47) & 1))
		return emu_raise(e, X86_EMU_VEC_NP, true,
				 emu_idt_error(e, ev->vector));
	return 0;
}

/* Real mode: IVT entry (offset, segment); push FLAGS, CS, IP */
static int deliver_real(struct emu *e, const struct x86_emu_event *ev,
			u64 ret_rip)
{
	const struct x86_emu_state *s = e->s;
	const unsigned int len = 6;
	u8 *frame = e->wdata;
	u8 vector = ev->vector;
	u64 ent, sp;

	if ((u32)vector * 4 + 3 > s->idtr.limit)
		return emu_gp(e, 0);
	if (mem_read_lin(e, (s->idtr.base + vector * 4) & 0xFFFFFFFFULL, 4,
			 &ent))
		return -1;
	sp = gpr_get(e, X86_RSP) & 0xFFFF;
	if (sp < len)
		return emu_unsupported(e);	/* frame wraps at 64 KiB */
	sp -= len;
	emu_le_put(frame, ret_rip & 0xFFFF, 2);
	emu_le_put(frame + 2, s->seg[X86_CS].selector, 2);
	emu_le_put(frame + 4, s->rflags & 0xFFFF, 2);
	if (stage_write_lin(e, (s->seg[X86_SS].base + sp) & 0xFFFFFFFFULL,
			    len))
		return -1;
	reg_write(e, X86_RSP, 2, sp);
	e->rip = ent & 0xFFFF;
	e->sys = SYS_SEG;
	e->sys_seg = X86_CS;
	e->sys_val = (ent >> 16) & 0xFFFF;
	e->rflags &= ~(EMU_FL_IF | EMU_FL_TF | EMU_FL_AC | EMU_FL_RF);
	return 0;
}

/* 32-bit protected mode: 8-byte gate; push EFLAGS, CS, EIP, error code */
static int deliver_prot32(struct emu *e, const struct x86_emu_event *ev,
			  u64 ret_rip)
{
	const struct x86_emu_state *s = e->s;
	unsigned int ss = stack_size(e), type;
	unsigned int off = ev->error_code_valid ? 4 : 0;
	unsigned int len = 12 + off;
	u8 *frame = e->wdata;
	u8 vector = ev->vector;
	u64 gate, sp, target;

	if ((u32)vector * 8 + 7 > s->idtr.limit)
		return emu_gp(e, emu_idt_error(e, vector));
	if (sys_read_lin(e, s->idtr.base + vector * 8, 8, &gate))
		return -1;
	if (check_gate(e, ev, gate))
		return -1;
	type = (gate >> 40) & 0xF;
	if (load_code_cs(e, (gate >> 16) & 0xFFFF, false, false, &e->sys_cs))
		return -1;
	target = (gate & 0xFFFF) | (((gate >> 48) & 0xFFFF) << 16);
	sp = (gpr_get(e, X86_RSP) - len) & emu_mask(ss);
	emu_le_put(frame, ev->error_code, off);
	emu_le_put(frame + off, ret_rip & 0xFFFFFFFFULL, 4);
	emu_le_put(frame + off + 4, s->seg[X86_CS].selector, 4);
	emu_le_put(frame + off + 8, s->rflags & 0xFFFFFFFFULL, 4);
	if (stage_write_lin(e, (s->seg[X86_SS].base + sp) & 0xFFFFFFFFULL,
			    len))
		return -1;
	reg_write(e, X86_RSP, ss, sp);
	e->rip = target;
	e->sys = SYS_CS;
	e->rflags &= ~(EMU_FL_TF | EMU_FL_NT | EMU_FL_RF | EMU_FL_VM);
	if (type == EMU_GATE_INTR)
		e->rflags &= ~EMU_FL_IF;
	return 0;
}

/*
 * The stack pointer at offset @off of the 64-bit TSS (RSP0-2 at 4, 12, 20;
 * IST1-7 at 36 to 84): beyond TR's limit is #TS(TR's selector)
 */
static int tss_rsp(struct emu *e, unsigned int off, u64 *rsp)
{
	const struct x86_emu_state *s = e->s;

	if (off + 7 > s->tr.limit)
		return emu_raise(e, X86_EMU_VEC_TS, true,
				 emu_sel_error(e, s->tr.selector));
	return sys_read_lin(e, s->tr.base + off, 8, rsp);
}

/*
 * 64-bit mode: 16-byte gate; the stack of the gate's IST entry, or RSPn
 * of the TSS for a change to privilege level n (SS then null, RPL n), or
 * the current one; align RSP to 16 and push SS, RSP, RFLAGS, CS, RIP and
 * the error code
 */
static int deliver_long(struct emu *e, const struct x86_emu_event *ev,
			u64 ret_rip)
{
	const struct x86_emu_state *s = e->s;
	unsigned int off = ev->error_code_valid ? 8 : 0;
	unsigned int len = 40 + off;
	u8 *frame = e->wdata;
	u8 vector = ev->vector;
	u64 lo, hi, sp, target;
	unsigned int type, ist, dpl, cpl = e->cpl;
	u16 sel;

	if ((u32)vector * 16 + 15 > s->idtr.limit)
		return emu_gp(e, emu_idt_error(e, vector));
	if (sys_read_lin(e, s->idtr.base + vector * 16, 8, &lo) ||
	    sys_read_lin(e, s->idtr.base + vector * 16 + 8, 8, &hi))
		return -1;
	if (check_gate(e, ev, lo))
		return -1;
	type = (lo >> 40) & 0xF;
	ist = (lo >> 32) & 7;
	sel = (lo >> 16) & 0xFFFF;
	if (read_code_desc(e, sel, true, false, &e->sys_cs))
		return -1;
	/* a non-conforming segment of a lower DPL changes the privilege */
	dpl = emu_dpl(e->sys_cs.attributes);
	if (dpl > cpl)
		return emu_gp(e, emu_sel_error(e, sel));
	if (!(e->sys_cs.attributes & 0x4))
		cpl = dpl;
	target = (lo & 0xFFFF) | (((lo >> 48) & 0xFFFF) << 16) |
		 ((hi & 0xFFFFFFFFULL) << 32);
	if (!emu_canonical(target))
		return emu_gp(e, e->ext ? X86_EMU_ERR_EXT : 0);
	sp = gpr_get(e, X86_RSP);
	if ((ist || cpl != e->cpl) &&
	    tss_rsp(e, ist ? 28 + ist * 8 : 4 + cpl * 8, &sp))
		return -1;
	sp = (sp & ~0xFULL) - len;
	if (!emu_canonical(sp) || !emu_canonical(sp + len - 1))
		return emu_raise(e, X86_EMU_VEC_SS, true,
				 e->ext ? X86_EMU_ERR_EXT : 0);
	emu_le_put(frame, ev->error_code, off);
	emu_le_put(frame + off, ret_rip, 8);
	emu_le_put(frame + off + 8, s->seg[X86_CS].selector, 8);
	emu_le_put(frame + off + 16, s->rflags, 8);
	emu_le_put(frame + off + 24, gpr_get(e, X86_RSP), 8);
	emu_le_put(frame + off + 32, s->seg[X86_SS].selector, 8);
	if (cpl != e->cpl) {
		/* the frame is written at the new privilege level */
		e->sys_seg = EMU_CS_NULL_SS;
		e->cpl = cpl;
	}
	if (stage_write_lin(e, sp, len))
		return -1;
	reg_write(e, X86_RSP, 8, sp);
	e->sys_cs.selector = (sel & ~3) | cpl;
	e->rip = target;
	e->sys = SYS_CS;
	e->rflags &= ~(EMU_FL_TF | EMU_FL_NT | EMU_FL_RF | EMU_FL_VM);
	if (type == EMU_GATE_INTR)
		e->rflags &= ~EMU_FL_IF;
	return 0;
}

/* Exception classes, for the double-fault rules */
enum emu_exc_class {
	EXC_BENIGN,
	EXC_CONTRIBUTORY,
	EXC_PAGE_FAULT,
	EXC_DOUBLE_FAULT,
};

static enum emu_exc_class emu_exc_class(const struct x86_emu_event *ev)
{
	if (ev->type != X86_EVENT_EXCEPTION)
		return EXC_BENIGN;
	switch (ev->vector) {
	case X86_EMU_VEC_DE:
	case X86_EMU_VEC_TS:
	case X86_EMU_VEC_NP:
	case X86_EMU_VEC_SS:
	case X86_EMU_VEC_GP:
		return EXC_CONTRIBUTORY;
	case X86_EMU_VEC_PF:
		return EXC_PAGE_FAULT;
	case X86_EMU_VEC_DF:
		return EXC_DOUBLE_FAULT;
	default:
		return EXC_BENIGN;
	}
}

/*
 * The delivery of @first raised the exception in @exit->exc: make it the
 * exception to deliver next (#DF when the two are a contributory pair or
 * follow a #PF), or a triple fault after a #DF.
 */
static void emu_combine(const struct x86_emu_state *s,
			const struct x86_emu_event *first,
			struct x86_emu_exit *exit)
{
	enum emu_exc_class a = emu_exc_class(first);
	enum emu_exc_class b = emu_exc_class(&exit->exc);

	if (b == EXC_BENIGN)
		return;
	if (a == EXC_DOUBLE_FAULT) {
		exit->reason = X86_EXIT_TRIPLE_FAULT;
		return;
	}
	if ((a == EXC_CONTRIBUTORY && b == EXC_CONTRIBUTORY) ||
	    a == EXC_PAGE_FAULT) {
		/* CR2 holds the address of the last #PF detected */
		if (b != EXC_PAGE_FAULT) {
			exit->exc.cr2 = first->cr2;
			exit->exc.cr2_valid = first->cr2_valid;
		}
		exit->exc.type = X86_EVENT_EXCEPTION;
		exit->exc.vector = X86_EMU_VEC_DF;
		exit->exc.error_code_valid = !!(s->cr0 & EMU_CR0_PE);
		exit->exc.error_code = 0;
		exit->exc.insn_len = 0;
	}
}

bool x86_emu_deliver_event(struct x86_emu_state *s,
			   const struct x86_emu_mem_ops *ops, void *ctx,
			   const struct x86_emu_event *ev,
			   struct x86_emu_exit *exit)
{
	struct emu e EMU_NO_AUTOINIT;
	u64 ret_rip;
	int ret;

	memset(exit, 0, sizeof(*exit));
	emu_init(&e, s, ops, ctx, exit);
	e.rip = s->rip;
	e.ext = !emu_soft_event(ev);
	ret_rip = s->rip;
	if (!e.ext)
		ret_rip = (s->rip + ev->insn_len) & emu_ip_mask(&e);
	e.set_cr2 = ev->cr2_valid;
	e.cr2 = ev->cr2;
	e.nmi_mask = ev->type == X86_EVENT_NMI;
	/* Real mode pushes no error code: deliver_real() ignores it */
	if (!(s->cr0 & EMU_CR0_PE))
		ret = deliver_real(&e, ev, ret_rip);
	else if (e.mode == 8)
		ret = deliver_long(&e, ev, ret_rip);
	else if (!(s->efer & EMU_EFER_LMA) && !(s->rflags & EMU_FL_VM))
		ret = deliver_prot32(&e, ev, ret_rip);
	else
		ret = emu_unsupported(&e);	/* compatibility, virtual-8086 */
	if (ret) {
		if (exit->reason == X86_EXIT_EXCEPTION)
			emu_combine(s, ev, exit);
		return false;
	}
	return emu_retire(&e);
}

bool x86_emu_deliver_interrupt(struct x86_emu_state *s,
			       const struct x86_emu_mem_ops *ops, void *ctx,
			       __u8 vector, struct x86_emu_exit *exit)
{
	const struct x86_emu_event ev = {
		.type = X86_EVENT_EXTINT,
		.vector = vector,
	};

	return x86_emu_deliver_event(s, ops, ctx, &ev, exit);
}

void x86_emu_reset(struct x86_emu_state *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < X86_NR_SEGS; i++) {
		s->seg[i].limit = 0xFFFF;
		s->seg[i].attributes = 0x93;	/* present, data, RW, accessed */
	}
	s->seg[X86_CS].selector = 0xF000;
	s->seg[X86_CS].base = 0xFFFF0000ULL;
	s->seg[X86_CS].attributes = 0x9B;	/* present, code, RX, accessed */
	s->ldtr.limit = 0xFFFF;
	s->ldtr.attributes = 0x82;		/* present, LDT */
	s->tr.limit = 0xFFFF;
	s->tr.attributes = 0x8B;		/* present, busy 32-bit TSS */
	s->gdtr.limit = 0xFFFF;
	s->idtr.limit = 0xFFFF;
	s->rip = 0xFFF0;
	s->rflags = EMU_FL_FIXED;
	s->cr0 = EMU_CR0_RESET;
	s->gpr[X86_RDX] = 0x600;		/* family 6 */
}

__u16 x86_emu_exec_state(const struct x86_emu_state *s)
{
	__u16 st = emu_cpl(s) & HV_X64_EXEC_STATE_CPL_MASK;

	if (s->cr0 & EMU_CR0_PE)
		st |= HV_X64_EXEC_STATE_CR0_PE;
	if (s->cr0 & EMU_CR0_AM)
		st |= HV_X64_EXEC_STATE_CR0_AM;
	if (s->efer & EMU_EFER_LMA)
		st |= HV_X64_EXEC_STATE_EFER_LMA;
	if (s->interrupt_shadow)
		st |= HV_X64_EXEC_STATE_INTERRUPT_SHADOW;
	return st;
}

#ifdef __KERNEL__
#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_x86_emu_test.c"
#endif
#endif
