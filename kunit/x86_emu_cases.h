/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test cases of hvsim's x86 interpreter, shared by the KUnit suite
 * (kunit/hvsim_x86_emu_test.c) and the userspace harness
 * (hvsim/user/x86_emu_test.c).  Plain C on the interpreter's own types:
 * no allocation and no output here; the harness provides the memory pages
 * of struct xt and the failure callback.
 *
 * Guest-physical memory of the fake: XT_LOW_PAGES pages from GPA 0 and one
 * page at 0xFFFFF000 (the reset vector), with a configurable unmapped range
 * and read-only range.  Everything else is unmapped.
 *
 * With @use_tlb, xt_step() runs the interpreter with the software TLB
 * (struct x86_emu_tlb) the harness provides; the fake's generation
 * (@gen, what hvsim's SLAT generation is to a VP) changes whenever a case
 * writes memory from outside (xt_put(), xt_poke(), xt_clear()) or changes
 * a range, as a VMM's changes between dispatches reach hvsim's VPs.
 */
#ifndef _HVSIM_X86_EMU_CASES_H
#define _HVSIM_X86_EMU_CASES_H

#include "hvsim/x86_emu.h"

#define XT_PAGE_SIZE	4096U
#define XT_LOW_PAGES	64U			/* GPA 0 - 0x3FFFF */
#define XT_NPAGES	(XT_LOW_PAGES + 1)
#define XT_HIGH_GPA	0xFFFFF000ULL

/* Guest page tables of the long-mode environment */
#define XT_PML4		0x30000ULL
#define XT_PDPT		0x31000ULL
#define XT_PD		0x32000ULL
#define XT_PT		0x33000ULL

#define XT_CODE		0x1000ULL
#define XT_STACK	0x8000ULL

/* RFLAGS bits the tests look at */
#define XT_CF	0x001ULL
#define XT_PF	0x004ULL
#define XT_AF	0x010ULL
#define XT_ZF	0x040ULL
#define XT_SF	0x080ULL
#define XT_IF	0x200ULL
#define XT_DF	0x400ULL
#define XT_OF	0x800ULL
#define XT_ARITH (XT_CF | XT_PF | XT_AF | XT_ZF | XT_SF | XT_OF)

struct xt {
	u8 *page[XT_NPAGES];		/* provided by the harness */
	u64 unmapped_lo, unmapped_hi;	/* [lo, hi) has no mapping */
	u64 ro_lo, ro_hi;		/* [lo, hi) is read-only */
	unsigned int writes;		/* committed writes */
	unsigned int bad_calls;		/* accesses breaking the ops contract */
	struct x86_emu_tlb *tlb;	/* provided by the harness */
	bool use_tlb;			/* xt_step() steps with @tlb */
	u32 map_rights;			/* X86_EMU_TLB_* xt_map() grants */
	u64 gen;			/* generation of the fake's memory */
	u64 ranges[4];			/* the ranges @gen was taken with */
	struct x86_emu_state s;
	struct x86_emu_state saved;
	struct x86_emu_exit x;
	unsigned int nfail;
	void (*fail)(struct xt *t, int line, const char *what, u64 got,
		     u64 want);
	void *priv;
};

static bool xt_eq(struct xt *t, int line, const char *what, u64 got, u64 want)
{
	if (got == want)
		return true;
	t->nfail++;
	t->fail(t, line, what, got, want);
	return false;
}

#define XT_EQ(t, got, want) \
	xt_eq((t), __LINE__, #got, (u64)(got), (u64)(want))

static u8 *xt_ptr(struct xt *t, u64 gpa)
{
	if (gpa < (u64)XT_LOW_PAGES * XT_PAGE_SIZE)
		return t->page[gpa / XT_PAGE_SIZE] + (gpa % XT_PAGE_SIZE);
	if (gpa >= XT_HIGH_GPA && gpa < XT_HIGH_GPA + XT_PAGE_SIZE)
		return t->page[XT_LOW_PAGES] + (gpa - XT_HIGH_GPA);
	return NULL;
}

static bool xt_overlap(u64 gpa, unsigned int len, u64 lo, u64 hi)
{
	return gpa < hi && gpa + len > lo;
}

static int xt_access(void *ctx, u64 gpa, void *buf, unsigned int len,
		     enum x86_emu_access access, bool commit)
{
	struct xt *t = ctx;
	u8 *p;

	if (!len || len > 16 || (gpa % XT_PAGE_SIZE) + len > XT_PAGE_SIZE ||
	    !buf) {
		t->bad_calls++;
		return -1;
	}
	if (xt_overlap(gpa, len, t->unmapped_lo, t->unmapped_hi))
		return -1;
	if (access == X86_EMU_ACCESS_WRITE &&
	    xt_overlap(gpa, len, t->ro_lo, t->ro_hi))
		return -1;
	p = xt_ptr(t, gpa);
	if (!p)
		return -1;
	if (!commit)
		return 0;
	if (access == X86_EMU_ACCESS_WRITE) {
		memcpy(p, buf, len);
		t->writes++;
	} else {
		memcpy(buf, p, len);
	}
	return 0;
}

/* The page at @gpa for the TLB: @map_rights, no write in the RO range */
static void *xt_map(void *ctx, u64 gpa, u32 *rights)
{
	struct xt *t = ctx;
	u8 *p = xt_ptr(t, gpa);

	if (gpa % XT_PAGE_SIZE) {
		t->bad_calls++;
		return NULL;
	}
	if (!p || xt_overlap(gpa, XT_PAGE_SIZE, t->unmapped_lo, t->unmapped_hi))
		return NULL;
	*rights = t->map_rights;
	if (xt_overlap(gpa, XT_PAGE_SIZE, t->ro_lo, t->ro_hi))
		*rights &= ~X86_EMU_TLB_WRITE;
	return p;
}

static const struct x86_emu_mem_ops xt_ops = {
	.access = xt_access,
	.map = xt_map,
};

static void xt_poke(struct xt *t, u64 gpa, const u8 *bytes, unsigned int n)
{
	unsigned int i;

	t->gen++;
	for (i = 0; i < n; i++)
		*xt_ptr(t, gpa + i) = bytes[i];
}

static void xt_put(struct xt *t, u64 gpa, u64 v, unsigned int n)
{
	unsigned int i;

	t->gen++;
	for (i = 0; i < n; i++, v >>= 8)
		*xt_ptr(t, gpa + i) = (u8)v;
}

static u64 xt_get(struct xt *t, u64 gpa, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | *xt_ptr(t, gpa + n);
	return v;
}

static u64 xt_size_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

#define XT_CODE_AT(t, gpa, ...) do {					\
	static const u8 code_[] = { __VA_ARGS__ };			\
	xt_poke((t), (gpa), code_, sizeof(code_));			\
} while (0)

/* Clear memory and the fault ranges */
static void xt_clear(struct xt *t)
{
	unsigned int i;

	for (i = 0; i < XT_NPAGES; i++)
		memset(t->page[i], 0, XT_PAGE_SIZE);
	t->unmapped_lo = 0;
	t->unmapped_hi = 0;
	t->ro_lo = 0;
	t->ro_hi = 0;
	t->writes = 0;
	t->bad_calls = 0;
	memset(&t->x, 0, sizeof(t->x));
	t->gen++;
	if (t->tlb)
		x86_emu_tlb_reset(t->tlb, &t->gen);
}

/* Real mode, all segment bases 0, IP XT_CODE, SP XT_STACK */
static void xt_real(struct xt *t)
{
	unsigned int i;

	xt_clear(t);
	x86_emu_reset(&t->s);
	for (i = 0; i < X86_NR_SEGS; i++) {
		t->s.seg[i].base = 0;
		t->s.seg[i].selector = 0;
	}
	t->s.rip = XT_CODE;
	t->s.gpr[X86_RSP] = XT_STACK;
	t->s.gpr[X86_RDX] = 0;
}

/* Flat segments: CS @cs / @cs_attr, the others @sel / @attr */
static void xt_flat_segs(struct xt *t, u16 cs, u16 cs_attr, u16 sel, u16 attr)
{
	unsigned int i;

	for (i = 0; i < X86_NR_SEGS; i++) {
		t->s.seg[i].limit = 0xFFFFFFFF;
		t->s.seg[i].attributes = attr;
		t->s.seg[i].selector = sel;
	}
	t->s.seg[X86_CS].attributes = cs_attr;
	t->s.seg[X86_CS].selector = cs;
}

/* Flat 32-bit protected mode without paging */
static void xt_prot32(struct xt *t)
{
	xt_real(t);
	t->s.cr0 = 0x11;	/* PE, ET */
	xt_flat_segs(t, 0x08, 0xC09B, 0x10, 0xC093);
}

/*
 * Guest page tables, without accessed/dirty bits:
 *   linear 0 - 2 MiB         -> GPA 0 - 2 MiB, 4 KiB pages (PT)
 *   linear 2 MiB - 4 MiB     -> GPA 0, one 2 MiB page (PD[1])
 *   linear 1 GiB - 2 GiB     -> GPA 0, one 1 GiB page (PDPT[1])
 *   linear 4 MiB - 6 MiB     -> not present (PD[2])
 */
static void xt_page_tables(struct xt *t)
{
	unsigned int i;

	xt_put(t, XT_PML4, XT_PDPT | 0x3, 8);
	xt_put(t, XT_PDPT, XT_PD | 0x3, 8);
	xt_put(t, XT_PDPT + 8, 0x0 | 0x83, 8);
	xt_put(t, XT_PD, XT_PT | 0x3, 8);
	xt_put(t, XT_PD + 8, 0x0 | 0x83, 8);
	for (i = 0; i < 512; i++)
		xt_put(t, XT_PT + i * 8, ((u64)i << 12) | 0x3, 8);
}

/* 64-bit mode, CPL 0, identity-mapped with xt_page_tables() */
static void xt_long(struct xt *t)
{
	unsigned int i;

	xt_prot32(t);
	xt_page_tables(t);
	t->s.cr0 = 0x80010011;	/* PG, WP, ET, PE */
	t->s.cr4 = 0x20;	/* PAE */
	t->s.cr3 = XT_PML4;
	t->s.efer = 0xD00;	/* NXE, LMA, LME */
	for (i = 0; i < X86_NR_SEGS; i++)
		t->s.seg[i].attributes = 0x93;
	t->s.seg[X86_CS].attributes = 0x209B;	/* L */
}

/* xt_long() at CPL 3, the code page (XT_CODE) a user page */
static void xt_long_cpl3(struct xt *t)
{
	t->s.seg[X86_CS].selector |= 3;
	t->s.seg[X86_SS].selector |= 3;
	t->s.seg[X86_SS].attributes |= 0x60;
	t->s.seg[X86_CS].attributes |= 0x60;
	xt_put(t, XT_PML4, XT_PDPT | 0x7, 8);
	xt_put(t, XT_PDPT, XT_PD | 0x7, 8);
	xt_put(t, XT_PD, XT_PT | 0x7, 8);
	xt_put(t, XT_PT + 8, 0x1000 | 0x7, 8);
}

static void xt_save(struct xt *t)
{
	t->saved = t->s;
}

/* The state is bit-for-bit what xt_save() recorded */
static bool xt_unchanged(struct xt *t)
{
	return !memcmp(&t->s, &t->saved, sizeof(t->s));
}

static bool xt_step(struct xt *t)
{
	const u64 ranges[4] = { t->unmapped_lo, t->unmapped_hi, t->ro_lo,
				t->ro_hi };

	if (!t->use_tlb)
		return x86_emu_step(&t->s, &xt_ops, t, &t->x);
	if (memcmp(ranges, t->ranges, sizeof(ranges))) {
		memcpy(t->ranges, ranges, sizeof(ranges));
		t->gen++;
	}
	return x86_emu_step_tlb(&t->s, &xt_ops, t, t->tlb, &t->x);
}

/* The last stop was exception @vector (error code @err, or none if < 0) */
#define XT_EXC(t, vector, err) xt_exc((t), __LINE__, (vector), (err))

static void xt_exc(struct xt *t, int line, u8 vector, long long err)
{
	xt_eq(t, line, "reason", t->x.reason, X86_EXIT_EXCEPTION);
	xt_eq(t, line, "exc.vector", t->x.exc.vector, vector);
	xt_eq(t, line, "exc.error_code_valid", t->x.exc.error_code_valid,
	      err >= 0);
	xt_eq(t, line, "exc.error_code", t->x.exc.error_code,
	      err >= 0 ? (u64)err : 0);
}

/* Run until a stop; returns the number of retired instructions */
static unsigned int xt_run(struct xt *t, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && xt_step(t))
		n++;
	return n;
}

/* The acceptance test's port-I/O program */
static void xt_test_portio(struct xt *t)
{
	xt_real(t);
	t->s.gpr[X86_RAX] = 2;
	t->s.gpr[X86_RBX] = 2;
	XT_CODE_AT(t, XT_CODE,
		   0xBA, 0xF8, 0x03,	/* mov dx, 0x3f8 */
		   0x00, 0xD8,		/* add al, bl */
		   0x04, 0x30,		/* add al, '0' */
		   0xEE);		/* out dx, al */
	XT_EQ(t, xt_run(t, 10), 3);
	XT_EQ(t, t->x.reason, X86_EXIT_IO);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x34);
	XT_EQ(t, t->x.io.port, 0x3F8);
	XT_EQ(t, t->x.io.size, 1);
	XT_EQ(t, t->x.io.write, true);
	XT_EQ(t, t->x.io.string, false);
	XT_EQ(t, t->x.io.rep, false);
	XT_EQ(t, t->s.rip, XT_CODE + 7);
	XT_EQ(t, t->x.insn_len, 1);
	XT_EQ(t, t->x.insn_byte_count, 1);
	XT_EQ(t, t->x.insn_bytes[0], 0xEE);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x3F8);
	/* not retired: stepping again stops at the same place */
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->s.rip, XT_CODE + 7);
	XT_EQ(t, t->bad_calls, 0);
}

static void xt_test_reset_state(struct xt *t)
{
	xt_clear(t);
	memset(&t->s, 0xA5, sizeof(t->s));
	x86_emu_reset(&t->s);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0xF000);
	XT_EQ(t, t->s.seg[X86_CS].base, 0xFFFF0000);
	XT_EQ(t, t->s.seg[X86_CS].limit, 0xFFFF);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0x9B);
	XT_EQ(t, t->s.seg[X86_DS].selector, 0);
	XT_EQ(t, t->s.seg[X86_DS].base, 0);
	XT_EQ(t, t->s.seg[X86_DS].limit, 0xFFFF);
	XT_EQ(t, t->s.seg[X86_DS].attributes, 0x93);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0x93);
	XT_EQ(t, t->s.seg[X86_GS].attributes, 0x93);
	XT_EQ(t, t->s.ldtr.attributes, 0x82);
	XT_EQ(t, t->s.tr.attributes, 0x8B);
	XT_EQ(t, t->s.gdtr.limit, 0xFFFF);
	XT_EQ(t, t->s.gdtr.base, 0);
	XT_EQ(t, t->s.idtr.limit, 0xFFFF);
	XT_EQ(t, t->s.rip, 0xFFF0);
	XT_EQ(t, t->s.rflags, 0x2);
	XT_EQ(t, t->s.cr0, 0x60000010);
	XT_EQ(t, t->s.cr3, 0);
	XT_EQ(t, t->s.cr4, 0);
	XT_EQ(t, t->s.efer, 0);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x600);
	XT_EQ(t, t->s.gpr[X86_RAX], 0);
	XT_EQ(t, t->s.gpr[X86_RSP], 0);
	XT_EQ(t, t->s.interrupt_shadow, 0);
	XT_EQ(t, x86_emu_exec_state(&t->s), 0);
}

static void xt_test_reset_vector(struct xt *t)
{
	xt_clear(t);
	x86_emu_reset(&t->s);
	XT_CODE_AT(t, 0xFFFFFFF0ULL,
		   0xB8, 0x34, 0x12,	/* mov ax, 0x1234 */
		   0xEB, 0x01,		/* jmp +1 */
		   0xCC,
		   0xF4);		/* hlt */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x1234);
	XT_EQ(t, t->s.rip, 0xFFF3);
	XT_EQ(t, t->x.insn_len, 3);
	XT_EQ(t, xt_run(t, 10), 1);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.rip, 0xFFF6);
	XT_EQ(t, t->x.insn_len, 1);

	/* the reset vector page is not mapped: fetch fault at 0xFFFFFFF0 */
	x86_emu_reset(&t->s);
	t->unmapped_lo = XT_HIGH_GPA;
	t->unmapped_hi = XT_HIGH_GPA + XT_PAGE_SIZE;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0xFFFFFFF0ULL);
	XT_EQ(t, t->x.mem.gva, 0xFFFFFFF0ULL);
	XT_EQ(t, t->x.mem.gva_valid, true);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_EXECUTE);
	XT_EQ(t, t->x.insn_len, 0);
	XT_EQ(t, t->x.insn_byte_count, 0);
	XT_EQ(t, xt_unchanged(t), true);
}

static void xt_test_exec_state(struct xt *t)
{
	xt_real(t);
	XT_EQ(t, x86_emu_exec_state(&t->s), 0);
	t->s.cr0 |= 0x40000;	/* AM */
	XT_EQ(t, x86_emu_exec_state(&t->s), HV_X64_EXEC_STATE_CR0_AM);
	t->s.interrupt_shadow = 1;
	XT_EQ(t, x86_emu_exec_state(&t->s),
	      HV_X64_EXEC_STATE_CR0_AM | HV_X64_EXEC_STATE_INTERRUPT_SHADOW);
	xt_long(t);
	XT_EQ(t, x86_emu_exec_state(&t->s),
	      HV_X64_EXEC_STATE_CR0_PE | HV_X64_EXEC_STATE_EFER_LMA);
	t->s.seg[X86_SS].attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
	t->s.seg[X86_CS].selector |= 3;
	XT_EQ(t, x86_emu_exec_state(&t->s),
	      3 | HV_X64_EXEC_STATE_CR0_PE | HV_X64_EXEC_STATE_EFER_LMA);
}

static void xt_test_mov_real(struct xt *t)
{
	xt_real(t);
	xt_put(t, 0x2000, 0x1111, 2);
	XT_CODE_AT(t, XT_CODE,
		   0xB0, 0x12,				/* mov al, 0x12 */
		   0xB4, 0x34,				/* mov ah, 0x34 */
		   0xB9, 0x78, 0x56,			/* mov cx, 0x5678 */
		   0x66, 0xBA, 0x44, 0x33, 0x22, 0x11,	/* mov edx, imm32 */
		   0x89, 0x0E, 0x00, 0x20,		/* mov [0x2000], cx */
		   0x8B, 0x1E, 0x00, 0x20,		/* mov bx, [0x2000] */
		   0xC6, 0x06, 0x02, 0x20, 0xAB,	/* mov byte [0x2002], */
		   0xC7, 0x06, 0x04, 0x20, 0xCD, 0xAB,	/* mov word [0x2004], */
		   0x88, 0xE7,				/* mov bh, ah */
		   0x8A, 0x36, 0x02, 0x20,		/* mov dh, [0x2002] */
		   0x8C, 0xC6,				/* mov si, es */
		   0xF4);
	t->s.gpr[X86_RSI] = 0xFFFF;
	t->s.seg[X86_ES].selector = 0x1234;
	XT_EQ(t, xt_run(t, 20), 11);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x3412);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x5678);
	XT_EQ(t, t->s.gpr[X86_RBX], 0x3478);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x1122AB44);
	XT_EQ(t, t->s.gpr[X86_RSI], 0x1234);
	XT_EQ(t, xt_get(t, 0x2000, 2), 0x5678);
	XT_EQ(t, xt_get(t, 0x2002, 1), 0xAB);
	XT_EQ(t, xt_get(t, 0x2004, 2), 0xABCD);
	XT_EQ(t, t->s.rip, XT_CODE + 40);
	XT_EQ(t, t->s.rflags, 0x2);
}

static void xt_test_mov_long(struct xt *t)
{
	xt_long(t);
	t->s.gpr[X86_R8] = 0xAAAAAAAAAAAAAAAAULL;
	t->s.gpr[X86_RBX] = 0x1F00;
	XT_CODE_AT(t, XT_CODE,
		   /* mov rax, 0x1122334455667788 */
		   0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		   /* mov r15, 0x0102030405060708 */
		   0x49, 0xBF, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		   0xB8, 0xFF, 0xFF, 0xFF, 0xFF,	/* mov eax, -1 */
		   0x41, 0xB0, 0x5A,			/* mov r8b, 0x5a */
		   0x40, 0xB6, 0x22,			/* mov sil, 0x22 */
		   0x48, 0xC7, 0xC1, 0xFE, 0xFF, 0xFF, 0xFF, /* mov rcx, -2 */
		   0x4C, 0x89, 0x3D, 0xD3, 0x0F, 0x00, 0x00, /* [rip+], r15 */
		   0x48, 0x8B, 0x54, 0xF3, 0xF0,	/* rdx, [rbx+rsi*8-16] */
		   0x4C, 0x63, 0xC8,			/* movsxd r9, eax */
		   0x66, 0x89, 0x04, 0x25, 0x08, 0x20, 0x00, 0x00,
							/* [0x2008], ax */
		   0xF4);
	XT_EQ(t, xt_run(t, 20), 10);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xFFFFFFFFULL);
	XT_EQ(t, t->s.gpr[X86_R15], 0x0102030405060708ULL);
	XT_EQ(t, t->s.gpr[X86_R8], 0xAAAAAAAAAAAAAA5AULL);
	XT_EQ(t, t->s.gpr[X86_RSI], 0x22);
	XT_EQ(t, t->s.gpr[X86_RCX], 0xFFFFFFFFFFFFFFFEULL);
	XT_EQ(t, xt_get(t, 0x2000, 8), 0x0102030405060708ULL);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x0102030405060708ULL);
	XT_EQ(t, t->s.gpr[X86_R9], 0xFFFFFFFFFFFFFFFFULL);
	XT_EQ(t, xt_get(t, 0x2008, 8), 0xFFFF);
	XT_EQ(t, t->s.rip, XT_CODE + 61);
}

/* One instruction per row with the flags expected after it */
struct xt_flag_step {
	u64 flags;
	u64 undefined;
};

static void xt_check_steps(struct xt *t, const struct xt_flag_step *st,
			   unsigned int n, bool then_hlt)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		u64 m = XT_ARITH & ~st[i].undefined;

		if (!XT_EQ(t, xt_step(t), true) ||
		    !XT_EQ(t, t->s.rflags & m, st[i].flags & m))
			return;
	}
	if (!then_hlt)
		return;
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
}

static void xt_test_alu_forms(struct xt *t)
{
	static const struct xt_flag_step st[] = {
		{ XT_OF | XT_SF | XT_AF, 0 },	/* add byte [0x2000], 0x7f */
		{ XT_CF | XT_PF | XT_AF, 0 },	/* sub word [0x2002], -1 */
		{ 0, 0 },				/* and dword [0x2004], */
		{ XT_CF | XT_AF | XT_SF, 0 },	/* cmp al, 5 */
		{ XT_SF, 0 },			/* or al, 0x80 */
		{ 0, 0 },				/* xor al, 0xff */
		{ XT_CF, 0 },			/* stc */
		{ XT_PF, 0 },			/* adc ax, 1 */
		{ XT_CF | XT_PF | XT_SF, 0 },	/* sbb ax, 0x100 */
		{ XT_SF | XT_PF, 0 },		/* sub ah, al */
		{ XT_ZF | XT_PF, 0 },		/* test ah, al */
		{ XT_SF | XT_PF, 0 },		/* test ax, 0x8000 */
		{ 0, 0 },				/* test ah, 1 */
		{ XT_ZF | XT_PF, 0 },		/* cmp ax, 0x817e */
		{ XT_SF, 0 },			/* add al, [0x2000] */
		{ 0, 0 },				/* xor ah, [0x2000] */
		{ XT_ZF | XT_PF, 0 },		/* and [0x2008], ah */
		{ XT_CF | XT_PF | XT_AF | XT_SF, 0 },	/* cmp [0x2008], ah */
	};

	xt_real(t);
	t->s.gpr[X86_RAX] = 3;
	xt_put(t, 0x2000, 0x01, 1);
	xt_put(t, 0x2002, 0x0005, 2);
	xt_put(t, 0x2004, 0x12345678, 4);
	xt_put(t, 0x2008, 0xFE, 1);
	XT_CODE_AT(t, XT_CODE,
		   0x80, 0x06, 0x00, 0x20, 0x7F,
		   0x83, 0x2E, 0x02, 0x20, 0xFF,
		   0x66, 0x81, 0x26, 0x04, 0x20, 0xF0, 0xF0, 0xF0, 0xF0,
		   0x3C, 0x05,
		   0x0C, 0x80,
		   0x34, 0xFF,
		   0xF9,
		   0x15, 0x01, 0x00,
		   0x1D, 0x00, 0x01,
		   0x28, 0xC4,
		   0x84, 0xC4,
		   0xA9, 0x00, 0x80,
		   0xF6, 0xC4, 0x01,
		   0x3D, 0x7E, 0x81,
		   0x02, 0x06, 0x00, 0x20,
		   0x32, 0x26, 0x00, 0x20,
		   0x20, 0x26, 0x08, 0x20,
		   0x38, 0x26, 0x08, 0x20,
		   0xF4);
	xt_check_steps(t, st, ARRAY_SIZE(st), true);
	XT_EQ(t, xt_get(t, 0x2000, 1), 0x80);
	XT_EQ(t, xt_get(t, 0x2002, 2), 0x0006);
	XT_EQ(t, xt_get(t, 0x2004, 4), 0x10305070);
	XT_EQ(t, xt_get(t, 0x2008, 1), 0x00);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x01FE);
}

static void xt_test_inc_dec_neg_not(struct xt *t)
{
	static const struct xt_flag_step st[] = {
		{ XT_ZF | XT_PF | XT_AF | XT_CF, 0 },	/* inc ax */
		{ XT_OF | XT_PF | XT_AF | XT_CF, 0 },	/* dec bx */
		{ XT_OF | XT_SF | XT_AF | XT_CF, 0 },	/* inc byte [0x2000] */
		{ XT_ZF | XT_PF | XT_CF, 0 },		/* dec word [0x2002] */
		{ XT_CF | XT_PF | XT_AF | XT_SF, 0 },	/* neg cl */
		{ XT_CF | XT_PF | XT_AF | XT_SF, 0 },	/* not dx */
		{ XT_ZF | XT_PF, 0 },			/* neg si */
		{ XT_OF | XT_SF | XT_AF | XT_PF, 0 },	/* inc edi */
		{ XT_OF | XT_SF | XT_AF | XT_PF, 0 },	/* not byte [0x2004] */
		{ XT_ZF | XT_PF, 0 },			/* dec ecx */
	};

	xt_real(t);
	t->s.rflags |= XT_CF;
	t->s.gpr[X86_RAX] = 0xFFFF;
	t->s.gpr[X86_RBX] = 0x8000;
	t->s.gpr[X86_RCX] = 0x01;
	t->s.gpr[X86_RDX] = 0x00FF;
	t->s.gpr[X86_RDI] = 0x7FFFFFFF;
	xt_put(t, 0x2000, 0x7F, 1);
	xt_put(t, 0x2002, 0x0001, 2);
	xt_put(t, 0x2004, 0x0F, 1);
	XT_CODE_AT(t, XT_CODE,
		   0x40,			/* inc ax */
		   0x4B,			/* dec bx */
		   0xFE, 0x06, 0x00, 0x20,	/* inc byte [0x2000] */
		   0xFF, 0x0E, 0x02, 0x20,	/* dec word [0x2002] */
		   0xF6, 0xD9,			/* neg cl */
		   0xF7, 0xD2,			/* not dx */
		   0xF7, 0xDE,			/* neg si */
		   0x66, 0xFF, 0xC7,		/* inc edi */
		   0xF6, 0x16, 0x04, 0x20,	/* not byte [0x2004] */
		   0xB1, 0x01, 0x66, 0x49,	/* mov cl, 1; dec ecx */
		   0xF4);
	/* mov cl, 1 sits between the last two rows */
	xt_check_steps(t, st, 9, false);
	XT_EQ(t, xt_step(t), true);
	xt_check_steps(t, st + 9, 1, true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0);
	XT_EQ(t, t->s.gpr[X86_RBX], 0x7FFF);
	XT_EQ(t, xt_get(t, 0x2000, 1), 0x80);
	XT_EQ(t, xt_get(t, 0x2002, 2), 0);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	XT_EQ(t, t->s.gpr[X86_RDX], 0xFF00);
	XT_EQ(t, t->s.gpr[X86_RSI], 0);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x80000000);
	XT_EQ(t, xt_get(t, 0x2004, 1), 0xF0);
}

static void xt_test_shifts(struct xt *t)
{
	static const struct xt_flag_step st[] = {
		{ XT_CF | XT_PF | XT_SF, 0 },		/* shl al, 1 */
		{ 0, XT_OF },				/* shr al, 3 */
		{ XT_CF | XT_PF | XT_SF, 0 },		/* sar bx, 1 */
		{ XT_ZF | XT_PF, XT_CF | XT_OF },	/* shl dx, cl(16) */
		{ XT_ZF | XT_PF, XT_CF | XT_OF },	/* shl si, 0 */
		{ XT_PF, XT_OF },			/* shr edi, cl */
		{ XT_PF, 0 },				/* rol al, 1 */
		{ XT_PF | XT_CF | XT_OF, 0 },		/* ror byte [], 1 */
	};

	xt_real(t);
	t->s.gpr[X86_RAX] = 0xC1;
	t->s.gpr[X86_RBX] = 0x8001;
	t->s.gpr[X86_RCX] = 16;
	t->s.gpr[X86_RDX] = 0x0001;
	t->s.gpr[X86_RSI] = 0x1234;
	t->s.gpr[X86_RDI] = 0x80000000;
	xt_put(t, 0x2000, 0x01, 1);
	XT_CODE_AT(t, XT_CODE,
		   0xD0, 0xE0,			/* shl al, 1 */
		   0xC0, 0xE8, 0x03,		/* shr al, 3 */
		   0xD1, 0xFB,			/* sar bx, 1 */
		   0xD3, 0xE2,			/* shl dx, cl */
		   0xC1, 0xE6, 0x00,		/* shl si, 0 */
		   0x66, 0xD3, 0xEF,		/* shr edi, cl */
		   0xD0, 0xC0,			/* rol al, 1 */
		   0xD0, 0x0E, 0x00, 0x20,	/* ror byte [0x2000], 1 */
		   0xF4);
	xt_check_steps(t, st, ARRAY_SIZE(st), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x20);
	XT_EQ(t, t->s.gpr[X86_RBX], 0xC000);
	XT_EQ(t, t->s.gpr[X86_RDX], 0);
	XT_EQ(t, t->s.gpr[X86_RSI], 0x1234);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x8000);
	XT_EQ(t, xt_get(t, 0x2000, 1), 0x80);
}

static void xt_test_lea_movx(struct xt *t)
{
	xt_real(t);
	t->s.gpr[X86_RBX] = 0x1000;
	t->s.gpr[X86_RSI] = 0x0234;
	t->s.gpr[X86_RCX] = 0x10000;
	xt_put(t, 0x2000, 0xFF80, 2);
	XT_CODE_AT(t, XT_CODE,
		   0x8D, 0x40, 0x10,		/* lea ax, [bx+si+0x10] */
		   0x8D, 0x1E, 0x34, 0x12,	/* lea bx, [0x1234] */
		   0x67, 0x66, 0x8D, 0x04, 0x4B, /* lea eax, [ebx+ecx*2] */
		   0x0F, 0xB6, 0x0E, 0x00, 0x20, /* movzx cx, byte [0x2000] */
		   0x66, 0x0F, 0xBE, 0xD1,	/* movsx edx, cl */
		   0x66, 0x0F, 0xBF, 0x36, 0x00, 0x20, /* movsx esi, [0x2000] */
		   0x0F, 0xB7, 0xFE,		/* movzx di, si */
		   0x8D, 0x6A, 0xFE,		/* lea bp, [bp+si-2] */
		   0xF4);
	t->s.gpr[X86_RBP] = 0x0001;
	XT_EQ(t, xt_run(t, 20), 8);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x21234);
	XT_EQ(t, t->s.gpr[X86_RBX], 0x1234);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x10080);
	XT_EQ(t, t->s.gpr[X86_RDX], 0xFFFFFF80);
	XT_EQ(t, t->s.gpr[X86_RSI], 0xFFFFFF80);
	XT_EQ(t, t->s.gpr[X86_RDI], 0xFF80);
	/* 16-bit address arithmetic wraps: 0x0001 + 0xFF80 - 2 */
	XT_EQ(t, t->s.gpr[X86_RBP], 0xFF7F);
}

static void xt_test_stack_real(struct xt *t)
{
	xt_real(t);
	t->s.gpr[X86_RAX] = 0x5555;
	xt_put(t, 0x2000, 0xBEEF, 2);
	XT_CODE_AT(t, XT_CODE,
		   0x68, 0x34, 0x12,		/* push 0x1234 */
		   0x6A, 0xFF,			/* push -1 */
		   0x5B,			/* pop bx */
		   0xFF, 0x36, 0x00, 0x20,	/* push word [0x2000] */
		   0x8F, 0x06, 0x02, 0x20,	/* pop word [0x2002] */
		   0xE8, 0x05, 0x00,		/* call 0x1016 */
		   0xF4,			/* 0x1011: hlt */
		   0x90, 0x90, 0x90, 0x90,
		   0x50,			/* 0x1016: push ax */
		   0x59,			/* pop cx */
		   0xC3);			/* ret */
	XT_EQ(t, xt_run(t, 20), 9);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.rip, 0x1011);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 2);
	XT_EQ(t, t->s.gpr[X86_RBX], 0xFFFF);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x5555);
	XT_EQ(t, xt_get(t, 0x2002, 2), 0xBEEF);
	XT_EQ(t, xt_get(t, XT_STACK - 2, 2), 0x1234);
	XT_EQ(t, xt_get(t, XT_STACK - 4, 2), 0x1011);
}

static void xt_test_stack_long(struct xt *t)
{
	xt_long(t);
	t->s.gpr[X86_RBX] = 0x1200;
	t->s.gpr[X86_RAX] = 0x123456789ULL;
	xt_put(t, 0x2008, 0x1100, 8);
	XT_CODE_AT(t, XT_CODE,
		   0x6A, 0x80,				/* push -128 */
		   0x41, 0x5A,				/* pop r10 */
		   0x68, 0x00, 0x00, 0x00, 0x80,	/* push imm32 */
		   0x8F, 0x05, 0xF1, 0x0F, 0x00, 0x00,	/* pop [rip+] */
		   0xFF, 0x15, 0xF3, 0x0F, 0x00, 0x00,	/* call [rip+] */
		   0xF4);				/* 0x1015 */
	XT_CODE_AT(t, 0x1100,
		   0x66, 0x50,			/* push ax */
		   0x66, 0x41, 0x5B,		/* pop r11w */
		   0x41, 0x53,			/* push r11 */
		   0x58,			/* pop rax */
		   0xFF, 0xE3);			/* jmp rbx */
	XT_CODE_AT(t, 0x1200,
		   0xC3);			/* ret */
	t->s.gpr[X86_R11] = 0xFFFFFFFFFFFF0000ULL;
	XT_EQ(t, xt_run(t, 20), 11);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.rip, 0x1015);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);
	XT_EQ(t, t->s.gpr[X86_R10], 0xFFFFFFFFFFFFFF80ULL);
	XT_EQ(t, xt_get(t, 0x2000, 8), 0xFFFFFFFF80000000ULL);
	XT_EQ(t, xt_get(t, XT_STACK - 8, 8), 0x1015);
	XT_EQ(t, t->s.gpr[X86_R11], 0xFFFFFFFFFFFF6789ULL);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xFFFFFFFFFFFF6789ULL);
}

static void xt_test_branches(struct xt *t)
{
	xt_real(t);
	XT_CODE_AT(t, XT_CODE,
		   0xB9, 0x03, 0x00,		/* mov cx, 3 */
		   0x31, 0xC0,			/* xor ax, ax */
		   0x40,			/* 0x1005: inc ax */
		   0xE2, 0xFD,			/* loop 0x1005 */
		   0x3D, 0x03, 0x00,		/* cmp ax, 3 */
		   0x75, 0x10,			/* jne fail */
		   0x74, 0x02,			/* je 0x1011 */
		   0xF4, 0xF4,
		   0x0F, 0x84, 0x05, 0x00,	/* 0x1011: je 0x101a */
		   0xF4, 0xF4, 0xF4, 0xF4, 0xF4,
		   0xEB, 0x02,			/* 0x101a: jmp 0x101e */
		   0xF4, 0xF4,
		   0xE9, 0xDF, 0x0F);		/* 0x101e: jmp 0x2000 */
	XT_CODE_AT(t, 0x2000,
		   0x7F, 0x02,			/* jg: not taken */
		   0x72, 0x01,			/* jb: not taken */
		   0xF4);			/* 0x2004 */
	XT_EQ(t, xt_run(t, 40), 16);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.rip, 0x2004);
	XT_EQ(t, t->s.gpr[X86_RAX], 3);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);

	/* 64-bit: rel32 Jcc, and a jump to a non-canonical target */
	xt_long(t);
	XT_CODE_AT(t, XT_CODE,
		   0x31, 0xC0,				/* xor eax, eax */
		   0x0F, 0x84, 0xF8, 0x0F, 0x00, 0x00,	/* je 0x2000 */
		   0xF4);
	XT_CODE_AT(t, 0x2000,
		   0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0x80, /* mov rax, */
		   0xFF, 0xE0);				/* jmp rax */
	XT_EQ(t, xt_run(t, 10), 3);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, t->x.exc.type, X86_EVENT_EXCEPTION);
	XT_EQ(t, t->s.rip, 0x200A);
}

static void xt_test_strings(struct xt *t)
{
	unsigned int i;

	/* rep stosb, one iteration per step */
	xt_real(t);
	t->s.gpr[X86_RAX] = 0xAA;
	t->s.gpr[X86_RDI] = 0x2000;
	t->s.gpr[X86_RCX] = 5;
	XT_CODE_AT(t, XT_CODE, 0xF3, 0xAA, 0xF4);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, t->s.gpr[X86_RCX], 4);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x2001);
	XT_EQ(t, xt_get(t, 0x2000, 1), 0xAA);
	XT_EQ(t, xt_get(t, 0x2001, 1), 0);
	XT_EQ(t, xt_run(t, 10), 4);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.rip, XT_CODE + 2);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x2005);
	XT_EQ(t, xt_get(t, 0x2000, 5), 0xAAAAAAAAAAULL);
	XT_EQ(t, xt_get(t, 0x2005, 1), 0);

	/* rep with a zero count retires at once */
	xt_real(t);
	XT_CODE_AT(t, XT_CODE, 0xF3, 0xAB, 0xF4);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE + 2);
	XT_EQ(t, t->writes, 0);

	/* std; rep movsw backwards; cld; lodsb; 66 stosd */
	xt_real(t);
	for (i = 0; i < 8; i++)
		xt_put(t, 0x2000 + i, 0x10 + i, 1);
	t->s.gpr[X86_RSI] = 0x2006;
	t->s.gpr[X86_RDI] = 0x3006;
	t->s.gpr[X86_RCX] = 3;
	t->s.gpr[X86_RAX] = 0x11223344;
	XT_CODE_AT(t, XT_CODE,
		   0xFD, 0xF3, 0xA5, 0xFC,
		   0xAC,			/* lodsb */
		   0x66, 0xAB,			/* stosd */
		   0x48,			/* dec ax */
		   0xAD,			/* lodsw */
		   0xF4);
	XT_EQ(t, xt_run(t, 20), 9);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	/* movsw copied 0x2002-0x2007; stosd then stored EAX at 0x3000 */
	XT_EQ(t, xt_get(t, 0x3000, 4), 0x11223310);
	XT_EQ(t, xt_get(t, 0x3004, 2), 0x1514);
	XT_EQ(t, xt_get(t, 0x3006, 2), 0x1716);
	XT_EQ(t, xt_get(t, 0x3008, 1), 0);
	/* lodsb loaded 0x10 into AL, lodsw 0x1211 from 0x2001 into AX */
	XT_EQ(t, t->s.gpr[X86_RAX], 0x11221211);
	XT_EQ(t, t->s.gpr[X86_RSI], 0x2003);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x3004);
	XT_EQ(t, t->s.rflags & XT_DF, 0);
}

/* REP MOVS, STOS and LODS in every width, 64-bit mode */
static void xt_test_string_widths(struct xt *t)
{
	static const u8 ops[] = { 0xA4, 0xAA, 0xAC };
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	const u64 rax = 0x8877665544332211ULL;
	unsigned int i, j, k;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			unsigned int size = sizes[j], n = 0;
			u64 want, m = xt_size_mask(size);
			u8 code[4];

			xt_long(t);
			for (k = 0; k < 16; k++)
				xt_put(t, 0x2000 + k, 0xA0 + k, 1);
			code[n++] = 0xF3;
			if (size == 2)
				code[n++] = 0x66;
			if (size == 8)
				code[n++] = 0x48;
			code[n++] = ops[i] + (size > 1);
			xt_poke(t, XT_CODE, code, n);
			t->s.gpr[X86_RAX] = rax;
			t->s.gpr[X86_RCX] = 2;
			t->s.gpr[X86_RSI] = 0x2000;
			t->s.gpr[X86_RDI] = 0x3000;
			XT_EQ(t, xt_run(t, 2), 2);
			XT_EQ(t, t->s.rip, XT_CODE + n);
			XT_EQ(t, t->s.gpr[X86_RCX], 0);
			XT_EQ(t, t->s.gpr[X86_RSI],
			      0x2000 + (ops[i] == 0xAA ? 0 : 2 * size));
			XT_EQ(t, t->s.gpr[X86_RDI],
			      0x3000 + (ops[i] == 0xAC ? 0 : 2 * size));
			switch (ops[i]) {
			case 0xA4:
				XT_EQ(t, xt_get(t, 0x3000, size),
				      xt_get(t, 0x2000, size));
				XT_EQ(t, xt_get(t, 0x3000 + size, size),
				      xt_get(t, 0x2000 + size, size));
				XT_EQ(t, t->s.gpr[X86_RAX], rax);
				break;
			case 0xAA:
				XT_EQ(t, xt_get(t, 0x3000, size), rax & m);
				XT_EQ(t, xt_get(t, 0x3000 + size, size),
				      rax & m);
				break;
			default:
				/* the last element, merged like a MOV */
				want = xt_get(t, 0x2000 + size, size);
				if (size < 4)
					want |= rax & ~m;
				XT_EQ(t, t->s.gpr[X86_RAX], want);
				break;
			}
			XT_EQ(t, xt_get(t, 0x3000 + 2 * size, 1), 0);
		}
	}
}

static void xt_test_io_forms(struct xt *t)
{
	static const struct {
		u8 code[4];
		u8 len;
		u16 port;
		u8 size;
		bool write, string, rep;
	} io[] = {
		{ { 0xE4, 0x60 }, 2, 0x60, 1, false, false, false },
		{ { 0xE5, 0x61 }, 2, 0x61, 2, false, false, false },
		{ { 0x66, 0xE5, 0x62 }, 3, 0x62, 4, false, false, false },
		{ { 0xEE }, 1, 0x1234, 1, true, false, false },
		{ { 0x66, 0xEF }, 2, 0x1234, 4, true, false, false },
		{ { 0x66, 0xE7, 0x70 }, 3, 0x70, 4, true, false, false },
		{ { 0xE6, 0x80 }, 2, 0x80, 1, true, false, false },
		{ { 0xEC }, 1, 0x1234, 1, false, false, false },
		{ { 0xED }, 1, 0x1234, 2, false, false, false },
		{ { 0x66, 0xED }, 2, 0x1234, 4, false, false, false },
		{ { 0xEF }, 1, 0x1234, 2, true, false, false },
		{ { 0xF3, 0x6E }, 2, 0x1234, 1, true, true, true },
		{ { 0x6D }, 1, 0x1234, 2, false, true, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(io); i++) {
		xt_real(t);
		t->s.gpr[X86_RDX] = 0xABCD1234;
		xt_poke(t, XT_CODE, io[i].code, io[i].len);
		xt_save(t);
		XT_EQ(t, xt_step(t), false);
		XT_EQ(t, t->x.reason, X86_EXIT_IO);
		XT_EQ(t, t->x.insn_len, io[i].len);
		XT_EQ(t, t->x.io.port, io[i].port);
		XT_EQ(t, t->x.io.size, io[i].size);
		XT_EQ(t, t->x.io.write, io[i].write);
		XT_EQ(t, t->x.io.string, io[i].string);
		XT_EQ(t, t->x.io.rep, io[i].rep);
		XT_EQ(t, xt_unchanged(t), true);
	}

	/* 64-bit: REX.W does not widen port I/O */
	xt_long(t);
	XT_CODE_AT(t, XT_CODE, 0x48, 0xE7, 0x42);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_IO);
	XT_EQ(t, t->x.io.size, 4);
	XT_EQ(t, t->x.io.port, 0x42);
	XT_EQ(t, t->x.insn_len, 3);
}

static void xt_test_exits(struct xt *t)
{
	xt_real(t);
	t->s.gpr[X86_RCX] = 0xC0000080;
	XT_CODE_AT(t, XT_CODE, 0x0F, 0xA2);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_CPUID);
	XT_EQ(t, t->x.insn_len, 2);
	XT_EQ(t, xt_unchanged(t), true);

	XT_CODE_AT(t, XT_CODE, 0x0F, 0x32);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MSR);
	XT_EQ(t, t->x.msr.index, 0xC0000080);
	XT_EQ(t, t->x.msr.write, false);
	XT_EQ(t, t->x.insn_len, 2);

	XT_CODE_AT(t, XT_CODE, 0x0F, 0x30);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MSR);
	XT_EQ(t, t->x.msr.write, true);

	XT_CODE_AT(t, XT_CODE, 0xF4);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->x.insn_len, 1);
	XT_EQ(t, xt_unchanged(t), true);

	/* privileged at CPL 3 */
	xt_long(t);
	t->s.seg[X86_SS].attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
	t->s.seg[X86_CS].selector |= 3;
	XT_CODE_AT(t, XT_CODE, 0xF4);
	xt_page_tables(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_P | X86_EMU_PF_U | X86_EMU_PF_I);	/* US=0 */
	XT_EQ(t, t->x.exc.cr2, XT_CODE);
}

static void xt_test_misc(struct xt *t)
{
	xt_real(t);
	t->s.rflags |= XT_IF;
	XT_CODE_AT(t, XT_CODE,
		   0x90,			/* nop */
		   0xF3, 0x90,			/* pause */
		   0x0F, 0x1F, 0x00,		/* nop [bx+si] */
		   0x0F, 0xAE, 0xE8,		/* lfence */
		   0x0F, 0xAE, 0xF0,		/* mfence */
		   0x0F, 0xAE, 0xF8,		/* sfence */
		   0xFA,			/* cli */
		   0xFB,			/* sti */
		   0x90,
		   0xFB,			/* sti with IF set */
		   0x93,			/* xchg ax, bx */
		   0x98,			/* cbw */
		   0x99,			/* cwd */
		   0xF4);
	t->s.gpr[X86_RBX] = 0x80;
	t->unmapped_lo = 0;	/* nothing but code is touched */
	XT_EQ(t, xt_run(t, 7), 7);
	XT_EQ(t, t->s.rflags & XT_IF, 0);
	XT_EQ(t, t->s.interrupt_shadow, 0);
	XT_EQ(t, xt_step(t), true);			/* sti */
	XT_EQ(t, t->s.rflags & XT_IF, XT_IF);
	XT_EQ(t, t->s.interrupt_shadow, 1);
	XT_EQ(t, x86_emu_exec_state(&t->s), HV_X64_EXEC_STATE_INTERRUPT_SHADOW);
	XT_EQ(t, xt_step(t), true);			/* nop */
	XT_EQ(t, t->s.interrupt_shadow, 0);
	XT_EQ(t, xt_step(t), true);			/* sti again */
	XT_EQ(t, t->s.interrupt_shadow, 0);
	XT_EQ(t, xt_run(t, 10), 3);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RBX], 0);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xFF80);
	XT_EQ(t, t->s.gpr[X86_RDX], 0xFFFF);
	XT_EQ(t, t->writes, 0);
}

static void xt_test_unsupported(struct xt *t)
{
	unsigned int i;

	xt_real(t);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x06);	/* clts: not modelled */
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_UNSUPPORTED);
	XT_EQ(t, t->x.insn_len, 0);
	XT_EQ(t, t->x.insn_bytes[0], 0x0F);
	XT_EQ(t, t->x.insn_bytes[1], 0x06);
	XT_EQ(t, t->x.insn_byte_count, 15);
	XT_EQ(t, xt_unchanged(t), true);

	/* UD2 is a genuine #UD, decoded in full */
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x0B);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, t->x.insn_len, 2);
	XT_EQ(t, t->x.insn_byte_count, 2);
	XT_EQ(t, xt_unchanged(t), true);

	/* 15 prefixes and an opcode: 16 bytes, #GP (no error code here) */
	for (i = 0; i < 15; i++)
		xt_put(t, XT_CODE + i, 0x66, 1);
	xt_put(t, XT_CODE + 15, 0x90, 1);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, -1);
	XT_EQ(t, t->x.insn_byte_count, 15);
	XT_EQ(t, xt_unchanged(t), true);

	/* 14 prefixes and a NOP: 15 bytes is fine */
	xt_put(t, XT_CODE + 14, 0x90, 1);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE + 15);

	/* LOCK on a register destination is #UD */
	xt_real(t);
	XT_CODE_AT(t, XT_CODE, 0xF0, 0x01, 0xC0);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, t->x.insn_len, 3);
	XT_EQ(t, t->x.insn_byte_count, 3);
	/* ... but fine on memory */
	XT_CODE_AT(t, XT_CODE, 0xF0, 0x01, 0x06, 0x00, 0x20);
	t->s.gpr[X86_RAX] = 7;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x2000, 2), 7);
}

static void xt_test_fetch_cross_page(struct xt *t)
{
	xt_real(t);
	t->s.rip = 0x1FFE;
	XT_CODE_AT(t, 0x1FFE, 0x66, 0xB8, 0x44, 0x33, 0x22, 0x11, 0xF4);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x11223344);
	XT_EQ(t, t->s.rip, 0x2004);

	t->s.rip = 0x1FFE;
	t->unmapped_lo = 0x2000;
	t->unmapped_hi = 0x3000;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0x2000);
	XT_EQ(t, t->x.mem.gva, 0x2000);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_EXECUTE);
	XT_EQ(t, t->x.insn_byte_count, 2);
	XT_EQ(t, t->x.insn_bytes[0], 0x66);
	XT_EQ(t, t->x.insn_bytes[1], 0xB8);
	XT_EQ(t, xt_unchanged(t), true);

	/* an instruction ending on the page boundary does not touch the next */
	t->s.rip = 0x1FFF;
	xt_put(t, 0x1FFF, 0x90, 1);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, 0x2000);
}

/* A faulting store changes nothing and names the GPA and GVA */
static void xt_test_restart_store(struct xt *t)
{
	xt_real(t);
	t->s.seg[X86_DS].base = 0x20000;
	t->s.gpr[X86_RBX] = 0x10;
	t->s.gpr[X86_RAX] = 0xBEEF;
	t->unmapped_lo = 0x20000;
	t->unmapped_hi = 0x21000;
	XT_CODE_AT(t, XT_CODE, 0x89, 0x07, 0xF4);	/* mov [bx], ax */
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0x20010);
	XT_EQ(t, t->x.mem.gva, 0x20010);
	XT_EQ(t, t->x.mem.gva_valid, true);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->x.insn_len, 2);
	XT_EQ(t, t->x.insn_byte_count, 2);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, t->writes, 0);
	/* the VMM maps the page: the same instruction now retires */
	t->unmapped_hi = 0;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x20010, 2), 0xBEEF);
	XT_EQ(t, t->s.rip, XT_CODE + 2);

	/* read-modify-write on a read-only page: read fine, write faults */
	xt_real(t);
	t->ro_lo = 0x2000;
	t->ro_hi = 0x3000;
	xt_put(t, 0x2000, 0x41, 1);
	t->s.gpr[X86_RAX] = 1;
	XT_CODE_AT(t, XT_CODE, 0x00, 0x06, 0x00, 0x20);	/* add [0x2000], al */
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->x.mem.gpa, 0x2000);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, xt_get(t, 0x2000, 1), 0x41);

	/* a store split over two pages, the second unmapped: no partial */
	xt_real(t);
	t->s.gpr[X86_RAX] = 0x11223344;
	t->unmapped_lo = 0x3000;
	t->unmapped_hi = 0x4000;
	/* mov [0x2FFE], eax */
	XT_CODE_AT(t, XT_CODE, 0x66, 0xA3, 0xFE, 0x2F);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0x3000);
	XT_EQ(t, t->x.mem.gva, 0x3000);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, xt_get(t, 0x2FFE, 2), 0);
	XT_EQ(t, t->writes, 0);
	XT_EQ(t, xt_unchanged(t), true);
	t->unmapped_hi = 0;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x2FFE, 4), 0x11223344);
}

/* The second access of an instruction faults: nothing of the first shows */
static void xt_test_restart_second_access(struct xt *t)
{
	/* push word [0x2000] with the stack page read-only */
	xt_real(t);
	xt_put(t, 0x2000, 0x1234, 2);
	t->ro_lo = 0x7000;
	t->ro_hi = 0x8000;
	XT_CODE_AT(t, XT_CODE, 0xFF, 0x36, 0x00, 0x20);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, XT_STACK - 2);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, xt_unchanged(t), true);

	/* movsb: the source reads, the destination is unmapped */
	xt_real(t);
	t->s.gpr[X86_RSI] = 0x2000;
	t->s.gpr[X86_RDI] = 0x5000;
	t->unmapped_lo = 0x5000;
	t->unmapped_hi = 0x6000;
	XT_CODE_AT(t, XT_CODE, 0xA4);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0x5000);
	XT_EQ(t, xt_unchanged(t), true);

	/* movsb: the source is unmapped */
	t->s.gpr[X86_RSI] = 0x5000;
	t->s.gpr[X86_RDI] = 0x2000;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_READ);
	XT_EQ(t, t->x.mem.gpa, 0x5000);
	XT_EQ(t, xt_unchanged(t), true);

	/* call with an unwritable stack leaves RIP and SP alone */
	xt_real(t);
	t->ro_lo = 0x7000;
	t->ro_hi = 0x8000;
	XT_CODE_AT(t, XT_CODE, 0xE8, 0x00, 0x10);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, xt_unchanged(t), true);
}

/* rep stosb running into an unmapped page */
static void xt_test_rep_fault(struct xt *t)
{
	unsigned int n;

	xt_real(t);
	t->s.gpr[X86_RAX] = 0x5A;
	t->s.gpr[X86_RDI] = 0x2FF0;
	t->s.gpr[X86_RCX] = 0x20;
	t->unmapped_lo = 0x3000;
	t->unmapped_hi = 0x4000;
	XT_CODE_AT(t, XT_CODE, 0xF3, 0xAA, 0xF4);
	n = xt_run(t, 100);
	XT_EQ(t, n, 16);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0x3000);
	XT_EQ(t, t->x.mem.gva, 0x3000);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x10);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x3000);
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, xt_get(t, 0x2FF0, 8), 0x5A5A5A5A5A5A5A5AULL);
	XT_EQ(t, xt_get(t, 0x2FF8, 8), 0x5A5A5A5A5A5A5A5AULL);
	XT_EQ(t, t->writes, 16);
	/* mapped again: the rest runs */
	t->unmapped_hi = 0;
	XT_EQ(t, xt_run(t, 100), 16);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x3010);
	XT_EQ(t, xt_get(t, 0x3008, 8), 0x5A5A5A5A5A5A5A5AULL);
	XT_EQ(t, xt_get(t, 0x3010, 1), 0);
}

static u64 xt_pte(struct xt *t, u64 table, unsigned int idx)
{
	return xt_get(t, table + idx * 8, 8);
}

/* rep stosq through 4 KiB and 2 MiB guest pages, with A/D bits */
static void xt_test_long_stosq(struct xt *t)
{
	xt_long(t);
	t->s.gpr[X86_RAX] = 0x0123456789ABCDEFULL;
	t->s.gpr[X86_RDI] = 0x10FF0;		/* crosses 0x11000 */
	t->s.gpr[X86_RCX] = 4;
	XT_CODE_AT(t, XT_CODE,
		   0xF3, 0x48, 0xAB,		/* rep stosq */
		   0x48, 0xBF, 0x00, 0x00, 0x21, 0, 0, 0, 0, 0, /* rdi */
		   0xB1, 0x03,			/* mov cl, 3 */
		   0xF3, 0x48, 0xAB,		/* rep stosq (2 MiB page) */
		   0xF4);
	XT_EQ(t, xt_run(t, 100), 4 + 2 + 3);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x210018);
	XT_EQ(t, xt_get(t, 0x10FF0, 8), 0x0123456789ABCDEFULL);
	XT_EQ(t, xt_get(t, 0x11008, 8), 0x0123456789ABCDEFULL);
	XT_EQ(t, xt_get(t, 0x11010, 8), 0);
	/* linear 0x210000 is GPA 0x10000 through the 2 MiB page */
	XT_EQ(t, xt_get(t, 0x10000, 8), 0x0123456789ABCDEFULL);
	XT_EQ(t, xt_get(t, 0x10010, 8), 0x0123456789ABCDEFULL);
	XT_EQ(t, xt_get(t, 0x10018, 8), 0);

	/* accessed everywhere on the way, dirty on the written leaves */
	XT_EQ(t, xt_pte(t, XT_PML4, 0), XT_PDPT | 0x23);
	XT_EQ(t, xt_pte(t, XT_PDPT, 0), XT_PD | 0x23);
	XT_EQ(t, xt_pte(t, XT_PD, 0), XT_PT | 0x23);
	XT_EQ(t, xt_pte(t, XT_PD, 1), 0x0 | 0xE3);
	XT_EQ(t, xt_pte(t, XT_PT, 0x10), 0x10000 | 0x63);
	XT_EQ(t, xt_pte(t, XT_PT, 0x11), 0x11000 | 0x63);
	XT_EQ(t, xt_pte(t, XT_PT, 0x12), 0x12000 | 0x03);
	/* code page: accessed, not dirty */
	XT_EQ(t, xt_pte(t, XT_PT, 0x1), 0x1000 | 0x23);
	/* not touched */
	XT_EQ(t, xt_pte(t, XT_PDPT, 1), 0x83);
	XT_EQ(t, t->bad_calls, 0);
}

static void xt_test_long_1g_and_faults(struct xt *t)
{
	xt_long(t);
	t->s.gpr[X86_RAX] = 0x55;
	XT_CODE_AT(t, XT_CODE,
		   /* mov [0x40011000], eax via the 1 GiB page */
		   0x89, 0x04, 0x25, 0x00, 0x10, 0x01, 0x40,
		   /* mov [0x400000], eax: PD[2] not present */
		   0x89, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x11000, 4), 0x55);
	XT_EQ(t, xt_pte(t, XT_PDPT, 1), 0xE3);
	xt_save(t);
	t->writes = 0;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_W);
	XT_EQ(t, t->x.exc.cr2, 0x400000);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, t->writes, 0);

	/* no A/D bits for an instruction that did not retire */
	xt_long(t);
	XT_CODE_AT(t, XT_CODE, 0x89, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_W);
	XT_EQ(t, xt_pte(t, XT_PML4, 0), XT_PDPT | 0x3);
	XT_EQ(t, xt_pte(t, XT_PT, 0x1), 0x1000 | 0x3);
	XT_EQ(t, t->writes, 0);

	/* a read-only guest page with CR0.WP */
	xt_long(t);
	xt_put(t, XT_PT + 0x20 * 8, 0x20000 | 0x1, 8);
	XT_CODE_AT(t, XT_CODE, 0x89, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00,
		   0x8B, 0x1C, 0x25, 0x00, 0x00, 0x02, 0x00);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_P | X86_EMU_PF_W);
	XT_EQ(t, t->x.exc.cr2, 0x20000);
	/* ... reading it is fine */
	t->s.rip = XT_CODE + 7;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_pte(t, XT_PT, 0x20), 0x20000 | 0x21);

	/* no-execute code page */
	xt_long(t);
	xt_put(t, XT_PT + 8, 0x1000 | 0x3 | 0x8000000000000000ULL, 8);
	XT_CODE_AT(t, XT_CODE, 0x90);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_P | X86_EMU_PF_I);
	XT_EQ(t, t->x.exc.cr2, XT_CODE);

	/* page table page not mapped by the SLAT: a memory exit on the walk */
	xt_long(t);
	t->unmapped_lo = XT_PT;
	t->unmapped_hi = XT_PT + XT_PAGE_SIZE;
	XT_CODE_AT(t, XT_CODE, 0x90);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, XT_PT + 8);
	XT_EQ(t, t->x.mem.gva_valid, false);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_READ);
	XT_EQ(t, xt_unchanged(t), true);

	/* page table page read-only in the SLAT: A bit cannot be set */
	xt_long(t);
	t->ro_lo = XT_PT;
	t->ro_hi = XT_PT + XT_PAGE_SIZE;
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, XT_PT + 8);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->x.mem.gva_valid, false);
	XT_EQ(t, t->writes, 0);
}

/* MUL, IMUL, DIV, IDIV of rCX, one row per instruction (64-bit mode) */
struct xt_muldiv_row {
	u8 code[3];
	u8 len;
	u64 rax, rdx, rcx;
	bool retired;		/* false: #DE, not retired */
	u64 want_rax, want_rdx;
	u64 cf_of;		/* CF and OF after it, or XT_KEEP */
};

#define XT_KEEP	(~0ULL)

static const struct xt_muldiv_row xt_muldiv_rows[] = {
	{ { 0xF6, 0xE1, 0x00 }, 2, 0x11223344556677f0ULL, 0x0ULL, 0x10ULL,
	  true, 0x1122334455660f00ULL, 0x0ULL, XT_CF | XT_OF },
	{ { 0x66, 0xF7, 0xE1 }, 3, 0xffffULL, 0x5555ULL, 0xffffULL,
	  true, 0x1ULL, 0xfffeULL, XT_CF | XT_OF },
	{ { 0xF7, 0xE1, 0x00 }, 2, 0xffffffff80000000ULL, 0xaaaaULL, 0x2ULL,
	  true, 0x0ULL, 0x1ULL, XT_CF | XT_OF },
	{ { 0xF7, 0xE1, 0x00 }, 2, 0x10ULL, 0x0ULL, 0x10ULL,
	  true, 0x100ULL, 0x0ULL, 0 },
	{ { 0x48, 0xF7, 0xE1 }, 3, 0x123456789abcdef0ULL, 0x0ULL, 0x10ULL,
	  true, 0x23456789abcdef00ULL, 0x1ULL, XT_CF | XT_OF },
	{ { 0x48, 0xF7, 0xE1 }, 3, 0xffffffffffffffffULL,
	  0x0ULL, 0xffffffffffffffffULL,
	  true, 0x1ULL, 0xfffffffffffffffeULL, XT_CF | XT_OF },
	{ { 0xF6, 0xE9, 0x00 }, 2, 0x80ULL, 0x0ULL, 0xffULL,
	  true, 0x80ULL, 0x0ULL, XT_CF | XT_OF },
	{ { 0xF6, 0xE9, 0x00 }, 2, 0x40ULL, 0x0ULL, 0x2ULL,
	  true, 0x80ULL, 0x0ULL, XT_CF | XT_OF },
	{ { 0x66, 0xF7, 0xE9 }, 3, 0x8000ULL, 0x0ULL, 0x8000ULL,
	  true, 0x0ULL, 0x4000ULL, XT_CF | XT_OF },
	{ { 0xF7, 0xE9, 0x00 }, 2, 0xffffffffULL, 0x0ULL, 0x7fffffffULL,
	  true, 0x80000001ULL, 0xffffffffULL, 0 },
	{ { 0x48, 0xF7, 0xE9 }, 3, 0x8000000000000000ULL,
	  0x0ULL, 0xffffffffffffffffULL,
	  true, 0x8000000000000000ULL, 0x0ULL, XT_CF | XT_OF },
	{ { 0x48, 0xF7, 0xE9 }, 3, 0xfffffffffffffffdULL, 0x0ULL, 0x7ULL,
	  true, 0xffffffffffffffebULL, 0xffffffffffffffffULL, 0 },
	{ { 0xF6, 0xF1, 0x00 }, 2, 0x1234ULL, 0x0ULL, 0x56ULL,
	  true, 0x1036ULL, 0x0ULL, XT_KEEP },
	{ { 0xF6, 0xF1, 0x00 }, 2, 0x1234ULL, 0x0ULL, 0x12ULL,
	  false, 0, 0, 0 },
	{ { 0x66, 0xF7, 0xF1 }, 3, 0x5678ULL, 0x1234ULL, 0x4321ULL,
	  true, 0x456cULL, 0x1f8cULL, XT_KEEP },
	{ { 0xF7, 0xF1, 0x00 }, 2, 0x89abcdefULL, 0x1234567ULL, 0x76543210ULL,
	  true, 0x2762762ULL, 0x367033cfULL, XT_KEEP },
	{ { 0x48, 0xF7, 0xF1 }, 3, 0x123456789abcdefULL,
	  0xfedcba9876543210ULL, 0xfedcba9876543211ULL,
	  true, 0xffffffffffffffffULL, 0x0ULL, XT_KEEP },
	{ { 0x48, 0xF7, 0xF1 }, 3, 0x0ULL, 0x1ULL, 0x1ULL,
	  false, 0, 0, 0 },
	{ { 0xF7, 0xF1, 0x00 }, 2, 0x5ULL, 0x0ULL, 0x0ULL,
	  false, 0, 0, 0 },
	{ { 0xF6, 0xF9, 0x00 }, 2, 0xff85ULL, 0x0ULL, 0x7ULL,
	  true, 0xfcefULL, 0x0ULL, XT_KEEP },
	{ { 0x66, 0xF7, 0xF9 }, 3, 0xffffULL, 0x8000ULL, 0x8000ULL,
	  false, 0, 0, 0 },
	{ { 0xF7, 0xF9, 0x00 }, 2, 0x0ULL, 0x80000000ULL, 0xffffffffULL,
	  false, 0, 0, 0 },
	{ { 0xF7, 0xF9, 0x00 }, 2, 0xfffffff9ULL, 0xffffffffULL, 0x2ULL,
	  true, 0xfffffffdULL, 0xffffffffULL, XT_KEEP },
	{ { 0x48, 0xF7, 0xF9 }, 3, 0x8000000000000000ULL,
	  0xffffffffffffffffULL, 0xffffffffffffffffULL,
	  false, 0, 0, 0 },
	{ { 0x48, 0xF7, 0xF9 }, 3, 0xfffffffffffffff9ULL,
	  0xffffffffffffffffULL, 0x2ULL,
	  true, 0xfffffffffffffffdULL, 0xffffffffffffffffULL, XT_KEEP },
	{ { 0x48, 0xF7, 0xF9 }, 3, 0x0ULL,
	  0xc000000000000000ULL, 0x8000000000000000ULL,
	  false, 0, 0, 0 },
	{ { 0x48, 0xF7, 0xF9 }, 3, 0x0ULL, 0x4000000000000000ULL,
	  0x8000000000000000ULL,
	  true, 0x8000000000000000ULL, 0x0ULL, XT_KEEP },
};

static void xt_test_muldiv(struct xt *t)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xt_muldiv_rows); i++) {
		const struct xt_muldiv_row *row = &xt_muldiv_rows[i];
		u64 flags = 0x2 | XT_ARITH;

		xt_long(t);
		xt_poke(t, XT_CODE, row->code, row->len);
		t->s.gpr[X86_RAX] = row->rax;
		t->s.gpr[X86_RDX] = row->rdx;
		t->s.gpr[X86_RCX] = row->rcx;
		t->s.rflags = flags;
		xt_save(t);
		if (!XT_EQ(t, xt_step(t), row->retired)) {
			t->fail(t, i, "muldiv row", row->code[0], row->code[1]);
			continue;
		}
		if (!row->retired) {
			/* #DE: the instruction stops, not retired */
			XT_EXC(t, X86_EMU_VEC_DE, -1);
			XT_EQ(t, xt_unchanged(t), true);
			continue;
		}
		/* the other arithmetic flags are undefined: left alone */
		if (row->cf_of != XT_KEEP)
			flags = (flags & ~(XT_CF | XT_OF)) | row->cf_of;
		if (!XT_EQ(t, t->s.gpr[X86_RAX], row->want_rax) ||
		    !XT_EQ(t, t->s.gpr[X86_RDX], row->want_rdx) ||
		    !XT_EQ(t, t->s.rflags, flags) ||
		    !XT_EQ(t, t->s.gpr[X86_RCX], row->rcx) ||
		    !XT_EQ(t, t->s.rip, XT_CODE + row->len))
			t->fail(t, i, "muldiv row", row->code[0], row->code[1]);
	}

	/* IMUL r, r/m (0F AF) and IMUL r, r/m, imm (6B, 69), memory too */
	xt_long(t);
	t->s.rflags = 0x2;
	xt_put(t, 0x2000, 0xFFFFFFFFFFFFFFFFULL, 8);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0xAF, 0xC1,			/* imul eax, ecx */
		   0x48, 0x0F, 0xAF, 0x1C, 0x25, 0x00, 0x20, 0x00, 0x00,
							/* imul rbx, [0x2000] */
		   0x6B, 0xD1, 0xFD,			/* imul edx, ecx, -3 */
		   0x66, 0x69, 0xF1, 0x00, 0x01,	/* imul si, cx, 0x100 */
		   0x48, 0x69, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF);
							/* imul rdi, rdi, -16 */
	t->s.gpr[X86_RAX] = 0xAAAA00007FFFFFFFULL;
	t->s.gpr[X86_RCX] = 2;
	t->s.gpr[X86_RBX] = 5;
	t->s.gpr[X86_RSI] = 0x1111111111111111ULL;
	t->s.gpr[X86_RDI] = 0x4000000000000000ULL;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xFFFFFFFE);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_OF), XT_CF | XT_OF);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RBX], 0xFFFFFFFFFFFFFFFBULL);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_OF), 0);
	t->s.gpr[X86_RCX] = 0x12345;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RDX], 0xFFFC9631);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_OF), 0);
	t->s.gpr[X86_RCX] = 0x100;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RSI], 0x1111111111110000ULL);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_OF), XT_CF | XT_OF);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RDI], 0);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_OF), XT_CF | XT_OF);
	XT_EQ(t, t->s.rip, XT_CODE + 27);

	/* DIV of a memory operand in real mode: AX / [0x2000] */
	xt_real(t);
	xt_put(t, 0x2000, 7, 1);
	t->s.gpr[X86_RAX] = 0x64;
	XT_CODE_AT(t, XT_CODE, 0xF6, 0x36, 0x00, 0x20);	/* div byte [0x2000] */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x020E);		/* 100 = 7 * 14 + 2 */
}

/* x86_emu_translate(), as TRANSLATE_VIRTUAL_ADDRESS uses it */
static enum x86_emu_xlate xt_xlate(struct xt *t, u64 gva,
				   enum x86_emu_access access, bool set_ad,
				   u64 *gpa)
{
	*gpa = 0xBAD;
	return x86_emu_translate(&t->s, &xt_ops, t, gva, access, set_ad, gpa);
}

#define XT_NX	0x8000000000000000ULL

static void xt_test_translate_sizes(struct xt *t)
{
	u64 gpa;

	xt_long(t);
	/* 4 KiB page, no A/D bits without set_ad */
	XT_EQ(t, xt_xlate(t, 0x12345, X86_EMU_ACCESS_WRITE, false, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x12345);
	XT_EQ(t, t->writes, 0);
	XT_EQ(t, xt_pte(t, XT_PT, 0x12), 0x12000 | 0x3);
	/* a read sets the accessed bits of every level, not dirty */
	XT_EQ(t, xt_xlate(t, 0x12FFF, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x12FFF);
	XT_EQ(t, xt_pte(t, XT_PML4, 0), XT_PDPT | 0x23);
	XT_EQ(t, xt_pte(t, XT_PDPT, 0), XT_PD | 0x23);
	XT_EQ(t, xt_pte(t, XT_PD, 0), XT_PT | 0x23);
	XT_EQ(t, xt_pte(t, XT_PT, 0x12), 0x12000 | 0x23);
	XT_EQ(t, t->writes, 4);
	/* a write adds the leaf's dirty bit only */
	XT_EQ(t, xt_xlate(t, 0x12000, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, xt_pte(t, XT_PT, 0x12), 0x12000 | 0x63);
	XT_EQ(t, xt_pte(t, XT_PD, 0), XT_PT | 0x23);
	XT_EQ(t, t->writes, 5);

	/* 2 MiB page: linear 2 MiB maps GPA 0 */
	XT_EQ(t, xt_xlate(t, 0x2ABCDE, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0xABCDE);
	XT_EQ(t, xt_pte(t, XT_PD, 1), 0x0 | 0xE3);
	/* 1 GiB page: linear 1 GiB maps GPA 0 */
	XT_EQ(t, xt_xlate(t, 0x7FFFFFFF, X86_EMU_ACCESS_EXECUTE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x3FFFFFFF);
	XT_EQ(t, xt_pte(t, XT_PDPT, 1), 0x0 | 0xA3);
	/* bit 12 of a large-page entry is PAT, not address */
	xt_put(t, XT_PD + 3 * 8, 0x200000 | 0x1000 | 0x83, 8);
	XT_EQ(t, xt_xlate(t, 0x601234, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x201234);

	/* without paging the address is the GPA */
	xt_prot32(t);
	XT_EQ(t, xt_xlate(t, 0xFEDCBA98, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0xFEDCBA98);
	xt_real(t);
	XT_EQ(t, xt_xlate(t, 0x12345, X86_EMU_ACCESS_EXECUTE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x12345);
	XT_EQ(t, t->writes, 0);
	/* 32-bit and PAE paging are not modelled */
	xt_prot32(t);
	t->s.cr0 |= 0x80000000;
	XT_EQ(t, xt_xlate(t, 0x1000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_UNSUPPORTED_MODE);
	t->s.cr4 = 0x20;
	XT_EQ(t, xt_xlate(t, 0x1000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_UNSUPPORTED_MODE);
}

static void xt_test_translate_faults(struct xt *t)
{
	u64 gpa;

	xt_long(t);
	/* not present at the PD level (PD[2]) and at the PT level */
	XT_EQ(t, xt_xlate(t, 0x400000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_PAGE_NOT_PRESENT);
	xt_put(t, XT_PT + 5 * 8, 0x5000, 8);
	XT_EQ(t, xt_xlate(t, 0x5000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_PAGE_NOT_PRESENT);
	XT_EQ(t, xt_xlate(t, 0x800000000000ULL, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_PAGE_NOT_PRESENT);
	/* a failed translation sets no bit, even with set_ad */
	XT_EQ(t, t->writes, 0);
	XT_EQ(t, xt_pte(t, XT_PML4, 0), XT_PDPT | 0x3);
	XT_EQ(t, gpa, 0xBAD);

	/* read-only page: supervisor writes fault only with CR0.WP */
	xt_put(t, XT_PT + 0x20 * 8, 0x20000 | 0x1, 8);
	XT_EQ(t, xt_xlate(t, 0x20008, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);
	XT_EQ(t, xt_pte(t, XT_PT, 0x20), 0x20000 | 0x1);
	XT_EQ(t, xt_xlate(t, 0x20008, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_OK);
	t->s.cr0 &= ~0x10000ULL;
	XT_EQ(t, xt_xlate(t, 0x20008, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x20008);
	XT_EQ(t, xt_pte(t, XT_PT, 0x20), 0x20000 | 0x61);
	/* read-only at a higher level counts too */
	t->s.cr0 |= 0x10000ULL;
	xt_put(t, XT_PD + 8, 0x0 | 0x81, 8);
	XT_EQ(t, xt_xlate(t, 0x200000, X86_EMU_ACCESS_WRITE, false, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);

	/* NX with EFER.NXE: execute faults, read does not */
	xt_put(t, XT_PT + 8, 0x1000 | 0x3 | XT_NX, 8);
	XT_EQ(t, xt_xlate(t, 0x1000, X86_EMU_ACCESS_EXECUTE, false, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);
	XT_EQ(t, xt_xlate(t, 0x1000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_OK);
	/* ... NX on a non-leaf level covers the whole range */
	xt_put(t, XT_PT + 8, 0x1000 | 0x3, 8);
	xt_put(t, XT_PDPT, XT_PD | 0x3 | XT_NX, 8);
	XT_EQ(t, xt_xlate(t, 0x1000, X86_EMU_ACCESS_EXECUTE, false, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);
	/* ... and without EFER.NXE bit 63 is reserved */
	t->s.efer &= ~0x800ULL;
	XT_EQ(t, xt_xlate(t, 0x1000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS);
	XT_EQ(t, t->writes, 4);	/* the A/D bits of the CR0.WP=0 write */
}

static void xt_test_translate_user_rsvd(struct xt *t)
{
	u64 gpa;

	xt_long(t);
	t->s.seg[X86_SS].attributes = 0xF3;	/* DPL 3: CPL 3 */
	t->s.seg[X86_CS].attributes = 0x20FB;
	/* supervisor-only pages */
	XT_EQ(t, xt_xlate(t, 0x30000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);
	/* user pages need U/S at every level */
	xt_put(t, XT_PT + 0x30 * 8, 0x30000 | 0x7, 8);
	XT_EQ(t, xt_xlate(t, 0x30000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);
	xt_put(t, XT_PML4, XT_PDPT | 0x7, 8);
	xt_put(t, XT_PDPT, XT_PD | 0x7, 8);
	xt_put(t, XT_PD, XT_PT | 0x7, 8);
	XT_EQ(t, xt_xlate(t, 0x30010, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x30010);
	XT_EQ(t, xt_pte(t, XT_PT, 0x30), 0x30000 | 0x67);
	/* user writes honour read-only pages even without CR0.WP */
	t->s.cr0 &= ~0x10000ULL;
	xt_put(t, XT_PT + 0x31 * 8, 0x31000 | 0x5, 8);
	XT_EQ(t, xt_xlate(t, 0x31000, X86_EMU_ACCESS_WRITE, false, &gpa),
	      X86_EMU_XLATE_PRIVILEGE_VIOLATION);
	XT_EQ(t, xt_xlate(t, 0x31000, X86_EMU_ACCESS_EXECUTE, false, &gpa),
	      X86_EMU_XLATE_OK);
	/* the supervisor may touch user pages (no SMEP/SMAP) */
	t->s.seg[X86_SS].attributes = 0x93;
	XT_EQ(t, xt_xlate(t, 0x31000, X86_EMU_ACCESS_WRITE, false, &gpa),
	      X86_EMU_XLATE_OK);

	/* reserved bits */
	xt_long(t);
	xt_put(t, XT_PT + 0x10 * 8, 0x1000000010000ULL | 0x3, 8);
	XT_EQ(t, xt_xlate(t, 0x10000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS);
	xt_put(t, XT_PD + 3 * 8, 0x200000 | 0x2000 | 0x83, 8);
	XT_EQ(t, xt_xlate(t, 0x600000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS);
	xt_put(t, XT_PDPT + 2 * 8, 0x40000000 | 0x200000 | 0x83, 8);
	XT_EQ(t, xt_xlate(t, 0x80000000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS);
	xt_put(t, XT_PML4 + 8, 0x0 | 0x83, 8);
	XT_EQ(t, xt_xlate(t, 0x8000000000ULL, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS);
	/* reserved bits of an entry that is not present do not matter */
	xt_put(t, XT_PML4 + 8, 0xFFFFFFFFFFFFFFFEULL, 8);
	XT_EQ(t, xt_xlate(t, 0x8000000000ULL, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_PAGE_NOT_PRESENT);
	XT_EQ(t, t->writes, 0);
}

static void xt_test_translate_slat(struct xt *t)
{
	u64 gpa;

	/* a paging structure outside the SLAT */
	xt_long(t);
	t->unmapped_lo = XT_PD;
	t->unmapped_hi = XT_PD + XT_PAGE_SIZE;
	XT_EQ(t, xt_xlate(t, 0x3000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_GPA_UNMAPPED);
	XT_EQ(t, t->writes, 0);
	/* ... unless the walk does not go through it (1 GiB page) */
	XT_EQ(t, xt_xlate(t, 0x40003000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x3000);

	/* read-only in the SLAT: fine until an A/D bit must be written */
	xt_long(t);
	t->ro_lo = XT_PT;
	t->ro_hi = XT_PT + XT_PAGE_SIZE;
	XT_EQ(t, xt_xlate(t, 0x3000, X86_EMU_ACCESS_READ, false, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, xt_xlate(t, 0x3000, X86_EMU_ACCESS_READ, true, &gpa),
	      X86_EMU_XLATE_GPA_NO_WRITE_ACCESS);
	/* the levels above got their accessed bits (like hardware may) */
	XT_EQ(t, xt_pte(t, XT_PD, 0), XT_PT | 0x23);
	XT_EQ(t, xt_pte(t, XT_PT, 3), 0x3000 | 0x3);
	/* already accessed and dirty: nothing to write */
	xt_put(t, XT_PT + 4 * 8, 0x4000 | 0x63, 8);
	XT_EQ(t, xt_xlate(t, 0x4000, X86_EMU_ACCESS_WRITE, true, &gpa),
	      X86_EMU_XLATE_OK);
	XT_EQ(t, gpa, 0x4000);
}

/* 32-bit protected mode enters long mode by itself */
static void xt_test_enter_long_mode(struct xt *t)
{
	xt_prot32(t);
	xt_page_tables(t);
	t->s.efer = 0x100;	/* LME, set by WRMSR through the VMM */
	xt_put(t, 0x2000, 0x17, 2);
	xt_put(t, 0x2002, 0x3000, 4);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0x01, 0x15, 0x00, 0x20, 0x00, 0x00, /* lgdt [0x2000] */
		   0x0F, 0x01, 0x1D, 0x00, 0x20, 0x00, 0x00, /* lidt [0x2000] */
		   0xB8, 0x00, 0x00, 0x03, 0x00,	/* mov eax, 0x30000 */
		   0x0F, 0x22, 0xD8,			/* mov cr3, eax */
		   0x0F, 0x20, 0xE0,			/* mov eax, cr4 */
		   0x83, 0xC8, 0x20,			/* or eax, 0x20 */
		   0x0F, 0x22, 0xE0,			/* mov cr4, eax */
		   0x0F, 0x20, 0xC0,			/* mov eax, cr0 */
		   0x0D, 0x00, 0x00, 0x00, 0x80,	/* or eax, 1 << 31 */
		   0x0F, 0x22, 0xC0,			/* mov cr0, eax */
		   0x90,
		   0xF4);
	XT_EQ(t, xt_run(t, 20), 11);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gdtr.limit, 0x17);
	XT_EQ(t, t->s.gdtr.base, 0x3000);
	XT_EQ(t, t->s.idtr.base, 0x3000);
	XT_EQ(t, t->s.cr3, 0x30000);
	XT_EQ(t, t->s.cr4, 0x20);
	XT_EQ(t, t->s.cr0, 0x80000011);
	XT_EQ(t, t->s.efer, 0x500);
	XT_EQ(t, x86_emu_exec_state(&t->s),
	      HV_X64_EXEC_STATE_CR0_PE | HV_X64_EXEC_STATE_EFER_LMA);
	/* the NOP was fetched through the new page tables */
	XT_EQ(t, xt_pte(t, XT_PT, 1), 0x1000 | 0x23);
}

/* Real mode: MOV to a segment register changes the base */
static void xt_test_real_segments(struct xt *t)
{
	xt_real(t);
	XT_CODE_AT(t, XT_CODE,
		   0xB8, 0x00, 0x20,		/* mov ax, 0x2000 */
		   0x8E, 0xD8,			/* mov ds, ax */
		   0xC6, 0x06, 0x10, 0x00, 0x77, /* mov byte [0x10], 0x77 */
		   0x26, 0x88, 0x06, 0x10, 0x00, /* mov es:[0x10], al */
		   0x8E, 0xD0,			/* mov ss, ax */
		   0xF4);
	XT_EQ(t, xt_run(t, 4), 4);
	XT_EQ(t, t->s.seg[X86_DS].selector, 0x2000);
	XT_EQ(t, t->s.seg[X86_DS].base, 0x20000);
	XT_EQ(t, xt_get(t, 0x20010, 1), 0x77);
	XT_EQ(t, xt_get(t, 0x10, 1), 0x00);
	XT_EQ(t, xt_step(t), true);		/* mov ss sets the shadow */
	XT_EQ(t, t->s.interrupt_shadow, 1);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
}

/* Real mode: far JMP, CALL and RET, PUSH/POP of segment registers */
static void xt_test_far_real(struct xt *t)
{
	xt_real(t);
	t->s.seg[X86_DS].selector = 0x2000;
	t->s.seg[X86_DS].base = 0x20000;
	XT_CODE_AT(t, XT_CODE, 0xEA, 0x00, 0x30, 0x00, 0x01); /* jmp 0100:3000 */
	XT_CODE_AT(t, 0x4000,
		   0x9A, 0x00, 0x20, 0x00, 0x00,	/* call 0000:2000 */
		   0x1E,				/* push ds */
		   0x07,				/* pop es */
		   0xFF, 0x2F);				/* jmp far [bx] */
	XT_CODE_AT(t, 0x2000, 0xCB);			/* retf */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x100);
	XT_EQ(t, t->s.seg[X86_CS].base, 0x1000);
	XT_EQ(t, t->s.rip, 0x3000);

	XT_EQ(t, xt_step(t), true);			/* call far */
	XT_EQ(t, t->x.reason, X86_EXIT_NONE);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0);
	XT_EQ(t, t->s.seg[X86_CS].base, 0);
	XT_EQ(t, t->s.rip, 0x2000);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 4);
	XT_EQ(t, xt_get(t, XT_STACK - 2, 2), 0x100);
	XT_EQ(t, xt_get(t, XT_STACK - 4, 2), 0x3005);

	XT_EQ(t, xt_step(t), true);			/* retf */
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x100);
	XT_EQ(t, t->s.rip, 0x3005);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);

	XT_EQ(t, xt_run(t, 2), 2);			/* push ds; pop es */
	XT_EQ(t, t->s.seg[X86_ES].selector, 0x2000);
	XT_EQ(t, t->s.seg[X86_ES].base, 0x20000);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);

	t->s.gpr[X86_RBX] = 0x40;			/* DS:BX = 0x20040 */
	xt_put(t, 0x20040, 0x0500, 2);
	xt_put(t, 0x20042, 0x1234, 2);
	XT_EQ(t, xt_step(t), true);			/* jmp far [bx] */
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x1234);
	XT_EQ(t, t->s.seg[X86_CS].base, 0x12340);
	XT_EQ(t, t->s.rip, 0x500);

	/* retf 4 releases four more bytes; pop ss sets the shadow */
	xt_real(t);
	XT_CODE_AT(t, XT_CODE, 0xCA, 0x04, 0x00);	/* retf 4 */
	xt_put(t, XT_STACK, 0x1111, 2);
	xt_put(t, XT_STACK + 2, 0x0222, 2);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, 0x1111);
	XT_EQ(t, t->s.seg[X86_CS].base, 0x2220);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK + 8);
	xt_real(t);
	XT_CODE_AT(t, XT_CODE, 0x17, 0xFF, 0xF8);	/* pop ss; jmp far ax */
	xt_put(t, XT_STACK, 0x0030, 2);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_SS].base, 0x300);
	XT_EQ(t, t->s.interrupt_shadow, 1);
	XT_EQ(t, xt_step(t), false);			/* no register form */
	XT_EXC(t, X86_EMU_VEC_UD, -1);
}

#define XT_GDT		0x5000ULL

/* GDT: 08 flat 32-bit code, 10 flat data, 18 16-bit code (base 0xF0000),
 * 20 16-bit data, 28 not present data, 30 execute-only code, 38 read-only
 * data, 40 DPL 3 data
 */
static void xt_gdt(struct xt *t)
{
	xt_put(t, XT_GDT + 0x08, 0x00CF9B000000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x10, 0x00CF93000000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x18, 0x00009B0F0000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x20, 0x000093000000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x28, 0x00CF13000000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x30, 0x00CF99000000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x38, 0x00CF91000000FFFFULL, 8);
	xt_put(t, XT_GDT + 0x40, 0x00CFF3000000FFFFULL, 8);
	t->s.gdtr.base = XT_GDT;
	t->s.gdtr.limit = 0x47;
}

/* Into 32-bit protected mode and down to 16-bit protected mode, the way
 * a BIOS switches: far jumps and data segment loads from the GDT
 */
static void xt_test_far_prot(struct xt *t)
{
	xt_real(t);
	xt_gdt(t);
	t->s.cr0 |= 0x1;				/* after mov cr0 (PE) */
	XT_CODE_AT(t, XT_CODE,
		   0x66, 0xEA, 0x00, 0x20, 0x00, 0x00, 0x08, 0x00); /* ljmpl 08:2000 */
	XT_CODE_AT(t, 0x2000,
		   0xB8, 0x10, 0x00, 0x00, 0x00,	/* mov eax, 0x10 */
		   0x8E, 0xD8,				/* mov ds, eax */
		   0x8E, 0xD0,				/* mov ss, eax */
		   0x0F, 0xA0,				/* push fs */
		   0x0F, 0xA9,				/* pop gs */
		   0x66, 0xEA, 0x00, 0x30, 0x18, 0x00); /* ljmpw 18:3000 */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x08);
	XT_EQ(t, t->s.seg[X86_CS].base, 0);
	XT_EQ(t, t->s.seg[X86_CS].limit, 0xFFFFFFFF);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xC09B);
	XT_EQ(t, t->s.rip, 0x2000);

	XT_EQ(t, xt_run(t, 2), 2);			/* mov eax; mov ds */
	XT_EQ(t, t->s.seg[X86_DS].selector, 0x10);
	XT_EQ(t, t->s.seg[X86_DS].base, 0);
	XT_EQ(t, t->s.seg[X86_DS].limit, 0xFFFFFFFF);
	XT_EQ(t, t->s.seg[X86_DS].attributes, 0xC093);
	XT_EQ(t, xt_step(t), true);			/* mov ss */
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0xC093);
	XT_EQ(t, t->s.interrupt_shadow, 1);

	t->s.seg[X86_FS].selector = 0x20;
	XT_EQ(t, xt_run(t, 2), 2);			/* push fs; pop gs */
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);
	XT_EQ(t, t->s.seg[X86_GS].selector, 0x20);
	XT_EQ(t, t->s.seg[X86_GS].limit, 0xFFFF);
	XT_EQ(t, t->s.seg[X86_GS].attributes, 0x0093);

	XT_EQ(t, xt_step(t), true);			/* ljmpw 18:3000 */
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x18);
	XT_EQ(t, t->s.seg[X86_CS].base, 0xF0000);
	XT_EQ(t, t->s.seg[X86_CS].limit, 0xFFFF);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0x009B);
	XT_EQ(t, t->s.rip, 0x3000);
}

/* Protected-mode segment loads that fault, and the null selector */
static void xt_test_seg_load_faults(struct xt *t)
{
	static const struct {
		u16 sel;
		bool ss;
		u8 vector;
		long long err;
	} rows[] = {
		{ 0x48, false, X86_EMU_VEC_GP, 0x48 },	/* beyond the limit */
		{ 0x4C, false, X86_EMU_VEC_GP, -2 },	/* LDT: not modelled */
		{ 0x28, false, X86_EMU_VEC_NP, 0x28 },	/* not present */
		{ 0x28, true, X86_EMU_VEC_SS, 0x28 },
		{ 0x30, false, X86_EMU_VEC_GP, 0x30 },	/* execute-only code */
		{ 0x08, true, X86_EMU_VEC_GP, 0x08 },	/* code into SS */
		{ 0x38, true, X86_EMU_VEC_GP, 0x38 },	/* read-only into SS */
		{ 0x13, false, X86_EMU_VEC_GP, 0x10 },	/* RPL 3 > DPL 0 */
		{ 0x00, true, X86_EMU_VEC_GP, 0 },		/* null into SS */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		xt_prot32(t);
		xt_gdt(t);
		t->s.gpr[X86_RAX] = rows[i].sel;
		/* mov ss/ds, ax */
		XT_CODE_AT(t, XT_CODE, 0x8E, 0xD8);
		if (rows[i].ss)
			xt_put(t, XT_CODE + 1, 0xD0, 1);
		xt_save(t);
		XT_EQ(t, xt_step(t), false);
		if (rows[i].err == -2)
			XT_EQ(t, t->x.reason, X86_EXIT_UNSUPPORTED);
		else
			XT_EXC(t, rows[i].vector, rows[i].err);
		XT_EQ(t, xt_unchanged(t), true);
	}

	/* A null selector makes DS unusable; DPL 3 data is fine at CPL 0 */
	xt_prot32(t);
	xt_gdt(t);
	XT_CODE_AT(t, XT_CODE, 0x8E, 0xD8, 0x8E, 0xC3);	/* mov ds, ax; mov es, bx */
	t->s.gpr[X86_RAX] = 0x3;
	t->s.gpr[X86_RBX] = 0x40;
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.seg[X86_DS].selector, 0x3);
	XT_EQ(t, t->s.seg[X86_DS].attributes, 0);
	XT_EQ(t, t->s.seg[X86_ES].attributes, 0xC0F3);
}

/* BT, BTS, BTR, BTC: register and memory, immediate and register offset */
static void xt_test_bit_test(struct xt *t)
{
	xt_prot32(t);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0xBA, 0xE2, 0x15,		/* bt edx, 21 */
		   0x0F, 0xBA, 0xEA, 0x03,		/* bts edx, 3 */
		   0x0F, 0xBA, 0xF2, 0x15,		/* btr edx, 21 */
		   0x0F, 0xBA, 0xFA, 0x20,		/* btc edx, 32 (= 0) */
		   0x0F, 0xA3, 0x0B,			/* bt [ebx], ecx */
		   0x0F, 0xAB, 0x0B,			/* bts [ebx], ecx */
		   0x0F, 0xB3, 0x0B,			/* btr [ebx], ecx */
		   0x66, 0x0F, 0xBB, 0x03,		/* btc word [ebx], ax */
		   0xF0, 0x0F, 0xAB, 0x0B,		/* lock bts [ebx], ecx */
		   0xF0, 0x0F, 0xA3, 0x0B);		/* lock bt: #UD */
	t->s.gpr[X86_RDX] = 0x00200000;
	t->s.rflags = 0x2 | XT_ZF;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rflags, 0x2 | XT_ZF | XT_CF);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x00200008);
	XT_EQ(t, t->s.rflags & XT_CF, 0);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x00000008);
	XT_EQ(t, t->s.rflags & XT_CF, XT_CF);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x00000009);
	XT_EQ(t, t->s.rflags & XT_CF, 0);

	/* ECX = 35: dword 1 of the bit string, bit 3; -1: the byte before */
	t->s.gpr[X86_RBX] = 0x3000;
	t->s.gpr[X86_RCX] = 35;
	xt_put(t, 0x3004, 0x8, 4);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rflags & XT_CF, XT_CF);
	t->s.gpr[X86_RCX] = (u32)-1;
	XT_EQ(t, xt_step(t), true);			/* bts [ebx], -1 */
	XT_EQ(t, xt_get(t, 0x2FFC, 4), 0x80000000);
	XT_EQ(t, t->s.rflags & XT_CF, 0);
	t->s.gpr[X86_RCX] = 35;
	XT_EQ(t, xt_step(t), true);			/* btr */
	XT_EQ(t, xt_get(t, 0x3004, 4), 0);
	XT_EQ(t, t->s.rflags & XT_CF, XT_CF);
	t->s.gpr[X86_RAX] = 17;				/* word 1, bit 1 */
	XT_EQ(t, xt_step(t), true);			/* btc word */
	XT_EQ(t, xt_get(t, 0x3002, 2), 0x2);
	XT_EQ(t, t->s.rflags & XT_CF, 0);
	t->s.gpr[X86_RCX] = 0;
	XT_EQ(t, xt_step(t), true);			/* lock bts */
	XT_EQ(t, xt_get(t, 0x3000, 1), 1);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
}

/* BSWAP (32 and 64 bits), BSF and BSR */
static void xt_test_bswap_bsf_bsr(struct xt *t)
{
	xt_long(t);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0xC9,				/* bswap ecx */
		   0x49, 0x0F, 0xC8,			/* bswap r8 */
		   0x0F, 0xBC, 0xC3,			/* bsf eax, ebx */
		   0x48, 0x0F, 0xBD, 0xD3,		/* bsr rdx, rbx */
		   0x0F, 0xBC, 0xC6,			/* bsf eax, esi (0) */
		   0x66, 0x0F, 0xBD, 0x03);		/* bsr ax, [rbx] */
	t->s.gpr[X86_RCX] = 0xAABBCCDD11223344ULL;
	t->s.gpr[X86_R8] = 0x0102030405060708ULL;
	t->s.gpr[X86_RBX] = 0x0000100000000600ULL;
	t->s.gpr[X86_RSI] = 0;
	t->s.gpr[X86_RAX] = 0x5555555555555555ULL;
	t->s.rflags = 0x2;
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x44332211);	/* 32 bits zero-extend */
	XT_EQ(t, t->s.gpr[X86_R8], 0x0807060504030201ULL);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 9);
	XT_EQ(t, t->s.rflags & XT_ZF, 0);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RDX], 44);
	XT_EQ(t, t->s.rflags & XT_ZF, 0);
	XT_EQ(t, xt_step(t), true);			/* source 0: ZF, dest kept */
	XT_EQ(t, t->s.gpr[X86_RAX], 9);
	XT_EQ(t, t->s.rflags & XT_ZF, XT_ZF);
	t->s.gpr[X86_RBX] = 0x3000;
	xt_put(t, 0x3000, 0x0180, 2);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 8);
	XT_EQ(t, t->s.rflags & XT_ZF, 0);
}

/*
 * One instruction at XT_CODE in 64-bit mode with RSI pointing at a 16-byte
 * memory operand: the registers, memory and RFLAGS it leaves, or the stop
 * it makes (nothing changed).
 */
struct xt_insn_row {
	const char *what;
	u8 code[8];
	u8 len;
	u8 stop;		/* enum x86_emu_exit_reason; NONE: retired */
	s8 vector;		/* X86_EXIT_EXCEPTION: vector, error code 0 */
	bool ro;		/* the operand's page is read-only */
	bool cpl3_tsd;		/* CPL 3 with CR4.TSD */
	u64 rsi;		/* operand address, 0x3000 when 0 */
	u64 in[4];		/* RAX, RCX, RDX, RBX */
	u64 mem_in[2];
	u64 fl_in;		/* RFLAGS */
	u64 out[4];
	u64 mem_out[2];
	u64 fl_out;
};

static const struct xt_insn_row xt_atomic_rows[] = {
	{ "cmpxchg [rsi], ecx: equal", { 0x0F, 0xB1, 0x0E }, 3,
	  .in = { 5, 7 }, .mem_in = { 0x1111111100000005ULL }, .fl_in = 0x2,
	  .out = { 5, 7 }, .mem_out = { 0x1111111100000007ULL },
	  .fl_out = 0x2 | XT_ZF | XT_PF },
	{ "cmpxchg [rsi], ecx: not equal",
	  { 0x0F, 0xB1, 0x0E }, 3,
	  .in = { 0xFFFFFFFF00000004ULL, 7 }, .mem_in = { 5 }, .fl_in = 0x2,
	  .out = { 5, 7 }, .mem_out = { 5 },
	  .fl_out = 0x2 | XT_CF | XT_PF | XT_AF | XT_SF },
	{ "lock cmpxchg [rsi], cl", { 0xF0, 0x0F, 0xB0, 0x0E }, 4,
	  .in = { 0x1210, 0x3399 }, .mem_in = { 0x7710 }, .fl_in = 0x2 | XT_CF,
	  .out = { 0x1210, 0x3399 }, .mem_out = { 0x7799 },
	  .fl_out = 0x2 | XT_ZF | XT_PF },
	{ "cmpxchg rdx, rcx: equal", { 0x48, 0x0F, 0xB1, 0xCA }, 4,
	  .in = { 0x8000000000000000ULL, 9, 0x8000000000000000ULL },
	  .fl_in = 0x2, .out = { 0x8000000000000000ULL, 9, 9 },
	  .fl_out = 0x2 | XT_ZF | XT_PF },
	{ "cmpxchg edx, ecx: not equal, edx kept",
	  { 0x0F, 0xB1, 0xCA }, 3,
	  .in = { 0xAAAA000000000001ULL, 9, 0xBBBB000000000003ULL },
	  .fl_in = 0x2, .out = { 3, 9, 0xBBBB000000000003ULL },
	  .fl_out = 0x2 | XT_CF | XT_AF | XT_SF },
	{ "cmpxchg on a read-only page: written either way",
	  { 0x0F, 0xB1, 0x0E }, 3, X86_EXIT_MEMORY, .ro = true,
	  .in = { 4, 7 }, .mem_in = { 5 }, .fl_in = 0x2 },
	{ "lock cmpxchg edx, ecx: #UD", { 0xF0, 0x0F, 0xB1, 0xCA }, 4,
	  X86_EXIT_EXCEPTION, X86_EMU_VEC_UD },
	{ "xadd [rsi], ecx", { 0x0F, 0xC1, 0x0E }, 3,
	  .in = { 0, 1 }, .mem_in = { 0xFFFFFFFF }, .fl_in = 0x2,
	  .out = { 0, 0xFFFFFFFF }, .mem_out = { 0 },
	  .fl_out = 0x2 | XT_CF | XT_PF | XT_AF | XT_ZF },
	{ "lock xadd [rsi], rcx", { 0xF0, 0x48, 0x0F, 0xC1, 0x0E }, 5,
	  .in = { 0, 0x20 }, .mem_in = { 0x10 }, .fl_in = 0x2 | XT_CF,
	  .out = { 0, 0x10 }, .mem_out = { 0x30 }, .fl_out = 0x2 | XT_PF },
	{ "xadd [rsi], cl: signed overflow", { 0x0F, 0xC0, 0x0E }, 3,
	  .in = { 0, 0x101 }, .mem_in = { 0x227F }, .fl_in = 0x2,
	  .out = { 0, 0x17F }, .mem_out = { 0x2280 },
	  .fl_out = 0x2 | XT_OF | XT_SF | XT_AF },
	{ "xadd eax, eax: the sum wins", { 0x0F, 0xC1, 0xC0 }, 3,
	  .in = { 0x100000003ULL }, .fl_in = 0x2, .out = { 6 },
	  .fl_out = 0x2 | XT_PF },
	{ "cmpxchg8b [rsi]: equal", { 0x0F, 0xC7, 0x0E }, 3,
	  .in = { 1, 0xC, 2, 0xB }, .mem_in = { 0x0000000200000001ULL },
	  .fl_in = 0x2 | XT_CF, .out = { 1, 0xC, 2, 0xB },
	  .mem_out = { 0x0000000C0000000BULL }, .fl_out = 0x2 | XT_CF | XT_ZF },
	{ "lock cmpxchg8b [rsi]: not equal", { 0xF0, 0x0F, 0xC7, 0x0E }, 4,
	  .in = { 0xFFFFFFFF00000001ULL, 0xC, 0xFFFFFFFF00000003ULL, 0xB },
	  .mem_in = { 0x0000000200000001ULL, 0x77 }, .fl_in = 0x2 | XT_ZF,
	  .out = { 1, 0xC, 2, 0xB },
	  .mem_out = { 0x0000000200000001ULL, 0x77 }, .fl_out = 0x2 },
	{ "cmpxchg16b [rsi]: equal", { 0x48, 0x0F, 0xC7, 0x0E }, 4,
	  .in = { 0x1111, 0x4444, 0x2222, 0x3333 },
	  .mem_in = { 0x1111, 0x2222 }, .fl_in = 0x2,
	  .out = { 0x1111, 0x4444, 0x2222, 0x3333 },
	  .mem_out = { 0x3333, 0x4444 }, .fl_out = 0x2 | XT_ZF },
	{ "cmpxchg16b [rsi]: not equal", { 0x48, 0x0F, 0xC7, 0x0E }, 4,
	  .in = { 0x1111, 0x4444, 0x2223, 0x3333 },
	  .mem_in = { 0x1111, 0x2222 }, .fl_in = 0x2 | XT_ZF,
	  .out = { 0x1111, 0x4444, 0x2222, 0x3333 },
	  .mem_out = { 0x1111, 0x2222 }, .fl_out = 0x2 },
	{ "cmpxchg16b not 16-byte aligned: #GP(0)",
	  { 0x48, 0x0F, 0xC7, 0x0E }, 4, X86_EXIT_EXCEPTION, X86_EMU_VEC_GP,
	  .rsi = 0x3008 },
	{ "cmpxchg8b eax: #UD", { 0x0F, 0xC7, 0xC8 }, 3,
	  X86_EXIT_EXCEPTION, X86_EMU_VEC_UD },
	{ "popcnt rax, rbx", { 0xF3, 0x48, 0x0F, 0xB8, 0xC3 }, 5,
	  .in = { 0, 0, 0, 0x80000000F0F0ULL },
	  .fl_in = 0x2 | XT_CF | XT_OF | XT_SF | XT_ZF | XT_AF | XT_PF,
	  .out = { 9, 0, 0, 0x80000000F0F0ULL }, .fl_out = 0x2 },
	{ "popcnt ax, [rsi]: zero", { 0x66, 0xF3, 0x0F, 0xB8, 0x06 }, 5,
	  .in = { 0x123456789ULL }, .mem_in = { 0x10000 }, .fl_in = 0x2 | XT_CF,
	  .out = { 0x123450000ULL }, .mem_out = { 0x10000 },
	  .fl_out = 0x2 | XT_ZF },
	{ "0F B8 without F3 (JMPE): #UD", { 0x0F, 0xB8, 0xC3 }, 3,
	  X86_EXIT_EXCEPTION, X86_EMU_VEC_UD },
	{ "rep bsf (tzcnt without BMI1) is bsf", { 0xF3, 0x0F, 0xBC, 0xC3 }, 4,
	  .in = { 0x77, 0, 0, 0x100 }, .fl_in = 0x2 | XT_ZF,
	  .out = { 8, 0, 0, 0x100 }, .fl_out = 0x2 },
	{ "rep bsr (lzcnt without ABM) is bsr", { 0xF3, 0x0F, 0xBD, 0xC3 }, 4,
	  .in = { 0x77, 0, 0, 0x100 }, .fl_in = 0x2 | XT_ZF,
	  .out = { 8, 0, 0, 0x100 }, .fl_out = 0x2 },
};

/* CMPXCHG, XADD, CMPXCHG8B/16B, POPCNT, rep BSF/BSR */
static void xt_test_atomics(struct xt *t)
{
	static const unsigned int regs[4] = { X86_RAX, X86_RCX, X86_RDX,
					      X86_RBX };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(xt_atomic_rows); i++) {
		const struct xt_insn_row *r = &xt_atomic_rows[i];
		u64 rsi = r->rsi ? r->rsi : 0x3000;
		bool retired;

		xt_long(t);
		xt_poke(t, XT_CODE, r->code, r->len);
		xt_put(t, rsi, r->mem_in[0], 8);
		xt_put(t, rsi + 8, r->mem_in[1], 8);
		for (j = 0; j < 4; j++)
			t->s.gpr[regs[j]] = r->in[j];
		t->s.gpr[X86_RSI] = rsi;
		t->s.rflags = r->fl_in ? r->fl_in : 0x2;
		if (r->ro) {
			t->ro_lo = rsi & ~0xFFFULL;
			t->ro_hi = t->ro_lo + XT_PAGE_SIZE;
		}
		if (r->cpl3_tsd) {
			t->s.cr4 |= 0x4;
			xt_long_cpl3(t);
		}
		xt_save(t);
		retired = xt_step(t);
		if (!xt_eq(t, i, r->what, t->x.reason, r->stop))
			continue;
		XT_EQ(t, retired, r->stop == X86_EXIT_NONE);
		XT_EQ(t, t->x.insn_len, r->len);
		if (r->stop == X86_EXIT_EXCEPTION)
			xt_exc(t, i, r->vector,
			       r->vector == X86_EMU_VEC_GP ? 0 : -1);
		if (r->stop == X86_EXIT_MEMORY) {
			XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
			XT_EQ(t, t->x.mem.gpa, rsi);
		}
		if (r->stop != X86_EXIT_NONE) {
			XT_EQ(t, xt_unchanged(t), true);
			continue;
		}
		for (j = 0; j < 4; j++)
			xt_eq(t, i, "register", t->s.gpr[regs[j]], r->out[j]);
		xt_eq(t, i, "memory", xt_get(t, rsi, 8), r->mem_out[0]);
		xt_eq(t, i, "memory + 8", xt_get(t, rsi + 8, 8), r->mem_out[1]);
		xt_eq(t, i, "rflags", t->s.rflags, r->fl_out);
		XT_EQ(t, t->s.rip, XT_CODE + r->len);
	}
}

/* SGDT and SIDT: limit, then base (4 bytes, 8 in 64-bit mode) */
static void xt_test_sgdt_sidt(struct xt *t)
{
	xt_real(t);
	XT_CODE_AT(t, XT_CODE,
		   0x67, 0x66, 0x0F, 0x01, 0x44, 0x24, 0x02, /* sgdtl [esp+2] */
		   0x0F, 0x01, 0x0F);			/* sidt [bx] */
	t->s.gdtr.base = 0x12345678;
	t->s.gdtr.limit = 0x37;
	t->s.idtr.base = 0xABCDEF;
	t->s.idtr.limit = 0x3FF;
	t->s.gpr[X86_RSP] = 0x3000;
	t->s.gpr[X86_RBX] = 0x3100;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3002, 2), 0x37);
	XT_EQ(t, xt_get(t, 0x3004, 4), 0x12345678);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3100, 2), 0x3FF);
	XT_EQ(t, xt_get(t, 0x3102, 4), 0xABCDEF);

	xt_long(t);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x01, 0x03,	/* sgdt [rbx] */
		   0x0F, 0x01, 0xC8);			/* register form: stop */
	t->s.gdtr.base = 0xFFFF800012345000ULL;
	t->s.gdtr.limit = 0xFFF;
	t->s.gpr[X86_RBX] = 0x3200;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3200, 2), 0xFFF);
	XT_EQ(t, xt_get(t, 0x3202, 8), 0xFFFF800012345000ULL);
	XT_EQ(t, xt_step(t), false);			/* monitor: not modelled */
	XT_EQ(t, t->x.reason, X86_EXIT_UNSUPPORTED);
}

/* SHLD and SHRD: imm8 and CL counts, CF, OF for one bit, count 0 */
static void xt_test_shld_shrd(struct xt *t)
{
	xt_prot32(t);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0xAC, 0xD0, 0x10,		/* shrd eax, edx, 16 */
		   0x0F, 0xA5, 0xD3,			/* shld ebx, edx, cl */
		   0x66, 0x0F, 0xA4, 0x13, 0x01,	/* shld word [ebx], dx, 1 */
		   0x0F, 0xAD, 0xD0);			/* shrd eax, edx, cl (0) */
	t->s.gpr[X86_RAX] = 0x12345678;
	t->s.gpr[X86_RDX] = 0x9ABCDEF0;
	t->s.rflags = 0x2;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xDEF01234);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_ZF | XT_SF), XT_SF); /* bit 15 */
	t->s.gpr[X86_RBX] = 0x80000001;
	t->s.gpr[X86_RCX] = 4;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RBX], 0x00000019);
	XT_EQ(t, t->s.rflags & (XT_CF | XT_ZF | XT_SF), 0);	/* bit 28 */
	t->s.gpr[X86_RBX] = 0x3000;
	xt_put(t, 0x3000, 0x4000, 2);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3000, 2), 0x8001);		/* DX bit 15 in */
	XT_EQ(t, t->s.rflags & (XT_CF | XT_OF | XT_SF), XT_OF | XT_SF);
	t->s.gpr[X86_RCX] = 32;				/* masked to 0 */
	t->s.rflags = 0x2 | XT_CF;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xDEF01234);
	XT_EQ(t, t->s.rflags, 0x2 | XT_CF);
}

/* WBINVD and INVD: nothing to do at CPL 0 (no caches), #GP above */
static void xt_test_wbinvd(struct xt *t)
{
	xt_prot32(t);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x09, 0x0F, 0x08, 0x0F, 0x09);
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.rip, XT_CODE + 4);
	t->s.seg[X86_CS].selector |= 3;			/* CPL 3 */
	t->s.seg[X86_CS].attributes |= 0x60;
	t->s.seg[X86_SS].attributes |= 0x60;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_unchanged(t), true);
}

/* Flags of the ALU and shift operations against values from hardware */
struct xt_flag_row {
	u8 op;		/* 0-7 ALU, 0x14 SHL, 0x15 SHR, 0x17 SAR */
	u8 size;
	u64 a, b;
	u8 cin;
	u64 res;
	u16 flags;
	u16 undefined;
};

static const struct xt_flag_row xt_flag_rows[] = {
	{ 0x00, 1, 0x7fULL, 0x1ULL, 0, 0x80ULL, 0x890, 0x000 },
	{ 0x00, 1, 0xffULL, 0x1ULL, 0, 0x0ULL, 0x055, 0x000 },
	{ 0x00, 1, 0x80ULL, 0x80ULL, 0, 0x0ULL, 0x845, 0x000 },
	{ 0x00, 1, 0xfULL, 0x1ULL, 0, 0x10ULL, 0x010, 0x000 },
	{ 0x00, 2, 0x7fffULL, 0x1ULL, 0, 0x8000ULL, 0x894, 0x000 },
	{ 0x00, 2, 0xffffULL, 0xffffULL, 0, 0xfffeULL, 0x091, 0x000 },
	{ 0x00, 4, 0x7fffffffULL, 0x1ULL, 0, 0x80000000ULL, 0x894, 0x000 },
	{ 0x00, 4, 0xffffffffULL, 0x1ULL, 0, 0x0ULL, 0x055, 0x000 },
	{ 0x00, 8, 0x7fffffffffffffffULL, 0x1ULL, 0, 0x8000000000000000ULL,
	  0x894, 0x000 },
	{ 0x00, 8, 0xffffffffffffffffULL, 0x1ULL, 0, 0x0ULL, 0x055, 0x000 },
	{ 0x00, 8, 0x123456789abcdef0ULL, 0xfedcba987654321ULL, 0,
	  0x2222222222222211ULL, 0x004, 0x000 },
	{ 0x02, 1, 0xffULL, 0x0ULL, 1, 0x0ULL, 0x055, 0x000 },
	{ 0x02, 1, 0x7fULL, 0x0ULL, 1, 0x80ULL, 0x890, 0x000 },
	{ 0x02, 2, 0xfffeULL, 0x1ULL, 1, 0x0ULL, 0x055, 0x000 },
	{ 0x02, 4, 0x80000000ULL, 0x7fffffffULL, 1, 0x0ULL, 0x055, 0x000 },
	{ 0x02, 8, 0x0ULL, 0xffffffffffffffffULL, 1, 0x0ULL, 0x055, 0x000 },
	{ 0x02, 8, 0x5ULL, 0x6ULL, 0, 0xbULL, 0x000, 0x000 },
	{ 0x05, 1, 0x0ULL, 0x1ULL, 0, 0xffULL, 0x095, 0x000 },
	{ 0x05, 1, 0x80ULL, 0x1ULL, 0, 0x7fULL, 0x810, 0x000 },
	{ 0x05, 1, 0x10ULL, 0x1ULL, 0, 0xfULL, 0x014, 0x000 },
	{ 0x05, 2, 0x8000ULL, 0x1ULL, 0, 0x7fffULL, 0x814, 0x000 },
	{ 0x05, 4, 0x1ULL, 0x1ULL, 0, 0x0ULL, 0x044, 0x000 },
	{ 0x05, 4, 0x0ULL, 0x80000000ULL, 0, 0x80000000ULL, 0x885, 0x000 },
	{ 0x05, 8, 0x0ULL, 0x1ULL, 0, 0xffffffffffffffffULL, 0x095, 0x000 },
	{ 0x05, 8, 0x8000000000000000ULL, 0x1ULL, 0,
	  0x7fffffffffffffffULL, 0x814, 0x000 },
	{ 0x03, 1, 0x0ULL, 0x0ULL, 1, 0xffULL, 0x095, 0x000 },
	{ 0x03, 1, 0x80ULL, 0x7fULL, 1, 0x0ULL, 0x854, 0x000 },
	{ 0x03, 2, 0x5ULL, 0x5ULL, 1, 0xffffULL, 0x095, 0x000 },
	{ 0x03, 4, 0x0ULL, 0xffffffffULL, 1, 0x0ULL, 0x055, 0x000 },
	{ 0x03, 8, 0xaULL, 0x3ULL, 0, 0x7ULL, 0x000, 0x000 },
	{ 0x03, 8, 0x0ULL, 0xffffffffffffffffULL, 1, 0x0ULL, 0x055, 0x000 },
	{ 0x07, 1, 0x3ULL, 0x5ULL, 0, 0x3ULL, 0x091, 0x000 },
	{ 0x07, 2, 0x5ULL, 0x3ULL, 0, 0x5ULL, 0x000, 0x000 },
	{ 0x07, 4, 0x80000000ULL, 0x1ULL, 0, 0x80000000ULL, 0x814, 0x000 },
	{ 0x07, 8, 0x1ULL, 0x1ULL, 0, 0x1ULL, 0x044, 0x000 },
	{ 0x04, 1, 0xf0ULL, 0xfULL, 0, 0x0ULL, 0x044, 0x010 },
	{ 0x04, 2, 0x8001ULL, 0x8000ULL, 0, 0x8000ULL, 0x084, 0x010 },
	{ 0x04, 4, 0xffffffffULL, 0x80000001ULL, 0,
	  0x80000001ULL, 0x080, 0x010 },
	{ 0x04, 8, 0xff00ff00ff00ff00ULL, 0xff00ff00ff00ff0ULL, 0,
	  0xf000f000f000f00ULL, 0x004, 0x010 },
	{ 0x01, 1, 0x0ULL, 0x0ULL, 1, 0x0ULL, 0x044, 0x010 },
	{ 0x01, 2, 0x4000ULL, 0x8000ULL, 0, 0xc000ULL, 0x084, 0x010 },
	{ 0x01, 4, 0x3ULL, 0x4ULL, 0, 0x7ULL, 0x000, 0x010 },
	{ 0x01, 8, 0x8000000000000000ULL, 0x0ULL, 0,
	  0x8000000000000000ULL, 0x084, 0x010 },
	{ 0x06, 1, 0xffULL, 0xffULL, 0, 0x0ULL, 0x044, 0x010 },
	{ 0x06, 2, 0x1234ULL, 0x4321ULL, 0, 0x5115ULL, 0x000, 0x010 },
	{ 0x06, 4, 0x80000000ULL, 0x1ULL, 0, 0x80000001ULL, 0x080, 0x010 },
	{ 0x06, 8, 0xaaaaaaaaaaaaaaaaULL, 0x5555555555555555ULL, 0,
	  0xffffffffffffffffULL, 0x084, 0x010 },
	{ 0x14, 1, 0x81ULL, 0x1ULL, 0, 0x2ULL, 0x801, 0x010 },
	{ 0x14, 1, 0x40ULL, 0x1ULL, 0, 0x80ULL, 0x880, 0x010 },
	{ 0x14, 1, 0x1ULL, 0x8ULL, 0, 0x0ULL, 0x045, 0x810 },
	{ 0x14, 2, 0x8000ULL, 0x1ULL, 0, 0x0ULL, 0x845, 0x010 },
	{ 0x14, 4, 0x40000000ULL, 0x1ULL, 0, 0x80000000ULL, 0x884, 0x010 },
	{ 0x14, 4, 0x3ULL, 0x4ULL, 0, 0x30ULL, 0x004, 0x810 },
	{ 0x14, 8, 0x8000000000000001ULL, 0x1ULL, 0, 0x2ULL, 0x801, 0x010 },
	{ 0x14, 8, 0x1ULL, 0x3fULL, 0, 0x8000000000000000ULL, 0x084, 0x810 },
	{ 0x15, 1, 0x81ULL, 0x1ULL, 0, 0x40ULL, 0x801, 0x010 },
	{ 0x15, 1, 0x80ULL, 0x7ULL, 0, 0x1ULL, 0x000, 0x810 },
	{ 0x15, 2, 0x8001ULL, 0x1ULL, 0, 0x4000ULL, 0x805, 0x010 },
	{ 0x15, 4, 0x80000000ULL, 0x1fULL, 0, 0x1ULL, 0x000, 0x810 },
	{ 0x15, 4, 0xf0ULL, 0x4ULL, 0, 0xfULL, 0x004, 0x810 },
	{ 0x15, 8, 0x8000000000000000ULL, 0x1ULL, 0,
	  0x4000000000000000ULL, 0x804, 0x010 },
	{ 0x15, 8, 0x3ULL, 0x1ULL, 0, 0x1ULL, 0x001, 0x010 },
	{ 0x17, 1, 0x81ULL, 0x1ULL, 0, 0xc0ULL, 0x085, 0x010 },
	{ 0x17, 1, 0x80ULL, 0x7ULL, 0, 0xffULL, 0x084, 0x810 },
	{ 0x17, 2, 0x8000ULL, 0x4ULL, 0, 0xf800ULL, 0x084, 0x810 },
	{ 0x17, 4, 0x80000001ULL, 0x1ULL, 0, 0xc0000000ULL, 0x085, 0x010 },
	{ 0x17, 4, 0x7fffffffULL, 0x1eULL, 0, 0x1ULL, 0x001, 0x810 },
	{ 0x17, 8, 0xfffffffffffffff0ULL, 0x4ULL, 0,
	  0xffffffffffffffffULL, 0x084, 0x810 },
	{ 0x17, 8, 0x4000000000000000ULL, 0x3eULL, 0, 0x1ULL, 0x000, 0x810 },
};

static void xt_flag_program(struct xt *t, const struct xt_flag_row *row)
{
	u8 code[4];
	unsigned int n = 0;

	if (row->size == 2)
		code[n++] = 0x66;
	else if (row->size == 8)
		code[n++] = 0x48;
	if (row->op < 8) {
		/* op r/m, r: rax = rax op rbx */
		code[n++] = (u8)((row->op << 3) | (row->size == 1 ? 0 : 1));
		code[n++] = 0xD8;
	} else {
		/* shift r/m, cl: rax = rax shift cl */
		code[n++] = row->size == 1 ? 0xD2 : 0xD3;
		code[n++] = (u8)(0xC0 | ((row->op & 7) << 3));
	}
	xt_poke(t, XT_CODE, code, n);
	t->s.gpr[X86_RAX] = row->a;
	t->s.gpr[X86_RBX] = row->b;
	t->s.gpr[X86_RCX] = row->b;
	t->s.rflags = 0x2 | (row->cin ? XT_CF : 0);
	t->s.rip = XT_CODE;
}

static void xt_test_flag_table(struct xt *t)
{
	unsigned int i;

	xt_long(t);
	for (i = 0; i < ARRAY_SIZE(xt_flag_rows); i++) {
		const struct xt_flag_row *row = &xt_flag_rows[i];
		u64 m = XT_ARITH & ~(u64)row->undefined;
		u64 want = row->res;

		xt_flag_program(t, row);
		/* 8- and 16-bit results merge, 32-bit ones zero-extend */
		if (row->size < 4)
			want |= row->a & ~xt_size_mask(row->size);
		if (!XT_EQ(t, xt_step(t), true) ||
		    !XT_EQ(t, t->s.gpr[X86_RAX], want) ||
		    !XT_EQ(t, t->s.rflags & m, row->flags & m) ||
		    !XT_EQ(t, t->s.rip, XT_CODE + (row->size == 2 ||
						   row->size == 8 ? 3 : 2)))
			t->fail(t, i, "flag table row", row->op, row->size);
	}
}

/* A plain MOV store the SLAT refuses reports the value it would store */
static void xt_test_store_value(struct xt *t)
{
	static const struct {
		u8 code[10];
		u8 len;
		u8 size;
		u64 gpa;
		u64 value;
	} rows[] = {
		{ { 0x89, 0x18 }, 2, 4, 0x20010, 0x55667788 },
		{ { 0x48, 0x89, 0x18 }, 3, 8, 0x20010, 0x1122334455667788ULL },
		{ { 0x66, 0x89, 0x18 }, 3, 2, 0x20010, 0x7788 },
		{ { 0x88, 0x18 }, 2, 1, 0x20010, 0x88 },
		{ { 0xC6, 0x00, 0x5A }, 3, 1, 0x20010, 0x5A },
		{ { 0xC7, 0x00, 0xEF, 0xBE, 0xAD, 0xDE }, 6, 4, 0x20010,
		  0xDEADBEEF },
		{ { 0x48, 0xC7, 0x40, 0x08, 0x00, 0x00, 0x00, 0x80 }, 8, 8,
		  0x20018, 0xFFFFFFFF80000000ULL },
		{ { 0xA3, 0x20, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 }, 9,
		  4, 0x20020, 0x00020010 },
		{ { 0x48, 0xA2, 0x30, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
		    0x00 }, 10, 1, 0x20030, 0x10 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		xt_long(t);
		t->unmapped_lo = 0x20000;
		t->unmapped_hi = 0x21000;
		t->s.gpr[X86_RAX] = 0x20010;
		t->s.gpr[X86_RBX] = 0x1122334455667788ULL;
		xt_poke(t, XT_CODE, rows[i].code, rows[i].len);
		xt_save(t);
		if (!XT_EQ(t, xt_step(t), false) ||
		    !XT_EQ(t, t->x.reason, X86_EXIT_MEMORY) ||
		    !XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE) ||
		    !XT_EQ(t, t->x.mem.gpa, rows[i].gpa) ||
		    !XT_EQ(t, t->x.mem.value_valid, true) ||
		    !XT_EQ(t, t->x.mem.size, rows[i].size) ||
		    !XT_EQ(t, t->x.mem.value, rows[i].value) ||
		    !XT_EQ(t, t->x.insn_len, rows[i].len) ||
		    !XT_EQ(t, xt_unchanged(t), true))
			t->fail(t, i, "store value row", 0, 0);
	}

	/* A read-only page (GPA intercept): the value is there too */
	t->unmapped_hi = 0;
	t->ro_lo = 0x20000;
	t->ro_hi = 0x21000;
	XT_CODE_AT(t, XT_CODE, 0x89, 0x18);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.mem.value_valid, true);
	XT_EQ(t, t->x.mem.value, 0x55667788);

	/* Not plain stores: read-modify-write, xchg, string */
	XT_CODE_AT(t, XT_CODE, 0x01, 0x18);		/* add [rax], ebx */
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->x.mem.value_valid, false);
	XT_CODE_AT(t, XT_CODE, 0x87, 0x18);		/* xchg [rax], ebx */
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.mem.value_valid, false);
	t->s.gpr[X86_RDI] = 0x20010;
	XT_CODE_AT(t, XT_CODE, 0xAB);			/* stosd */
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.value_valid, false);

	/* A store that crosses into the refused page: no value */
	t->s.gpr[X86_RAX] = 0x1FFFE;
	XT_CODE_AT(t, XT_CODE, 0x89, 0x18);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.mem.gpa, 0x20000);
	XT_EQ(t, t->x.mem.value_valid, false);
	XT_EQ(t, t->writes, 0);
}

#define XT_IRQ_HANDLER	0x4000ULL

static bool xt_deliver(struct xt *t, u8 vector)
{
	return x86_emu_deliver_interrupt(&t->s, &xt_ops, t, vector, &t->x);
}

/* Real mode: through the IVT and back with IRET */
static void xt_test_irq_real(struct xt *t)
{
	xt_real(t);
	xt_put(t, 0x20 * 4, 0x3000, 2);		/* IVT[0x20] = 0100:3000 */
	xt_put(t, 0x20 * 4 + 2, 0x0100, 2);
	XT_CODE_AT(t, 0x4000, 0xE6, 0x80, 0xCF);	/* out 0x80, al; iret */
	t->s.rflags = 0x2 | XT_IF | XT_CF;
	t->s.interrupt_shadow = 0;
	XT_EQ(t, xt_deliver(t, 0x20), true);
	XT_EQ(t, t->x.reason, X86_EXIT_NONE);
	XT_EQ(t, t->s.rip, 0x3000);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x100);
	XT_EQ(t, t->s.seg[X86_CS].base, 0x1000);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 6);
	XT_EQ(t, t->s.rflags, 0x2 | XT_CF);
	XT_EQ(t, xt_get(t, XT_STACK - 6, 2), XT_CODE);
	XT_EQ(t, xt_get(t, XT_STACK - 4, 2), 0);
	XT_EQ(t, xt_get(t, XT_STACK - 2, 2), 0x2 | XT_IF | XT_CF);

	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_IO);
	t->s.rip += t->x.insn_len;
	XT_EQ(t, xt_step(t), true);			/* iret */
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0);
	XT_EQ(t, t->s.seg[X86_CS].base, 0);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_CF);

	/* Stack not mapped: nothing changes; delivered once mapped */
	t->unmapped_lo = 0x7000;
	t->unmapped_hi = 0x8000;
	xt_save(t);
	t->writes = 0;
	XT_EQ(t, xt_deliver(t, 0x20), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->x.mem.gpa, XT_STACK - 6);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, t->writes, 0);
	t->unmapped_hi = 0;
	XT_EQ(t, xt_deliver(t, 0x20), true);
	XT_EQ(t, t->s.rip, 0x3000);

	/* IVT not mapped */
	xt_real(t);
	t->unmapped_lo = 0;
	t->unmapped_hi = 0x1000;
	xt_save(t);
	XT_EQ(t, xt_deliver(t, 0x20), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_READ);
	XT_EQ(t, t->x.mem.gpa, 0x80);
	XT_EQ(t, xt_unchanged(t), true);

	/* Beyond the IVT limit */
	t->unmapped_hi = 0;
	t->s.idtr.limit = 0x7F;
	xt_save(t);
	XT_EQ(t, xt_deliver(t, 0x20), false);
	XT_EXC(t, X86_EMU_VEC_GP, -1);
	XT_EQ(t, xt_unchanged(t), true);
}

/* 32-bit protected mode: an interrupt gate and IRETD */
static void xt_test_irq_prot32(struct xt *t)
{
	u64 gate = (XT_IRQ_HANDLER & 0xFFFF) | (0x08ULL << 16) |
		   (0x8EULL << 40) | ((XT_IRQ_HANDLER >> 16) << 48);

	xt_prot32(t);
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0x7FF;
	xt_put(t, 0x5000 + 0x21 * 8, gate, 8);
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0xCF);		/* iretd */
	t->s.rflags = 0x2 | XT_IF | XT_ZF;
	XT_EQ(t, xt_deliver(t, 0x21), true);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 12);
	XT_EQ(t, t->s.rflags, 0x2 | XT_ZF);
	XT_EQ(t, xt_get(t, XT_STACK - 12, 4), XT_CODE);
	XT_EQ(t, xt_get(t, XT_STACK - 8, 4), 0x08);
	XT_EQ(t, xt_get(t, XT_STACK - 4, 4), 0x2 | XT_IF | XT_ZF);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x08);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_ZF);
}

static void xt_long_gate(struct xt *t, u8 vector, u16 sel, u8 type, u8 ist)
{
	u64 lo = (XT_IRQ_HANDLER & 0xFFFF) | ((u64)sel << 16) |
		 ((u64)ist << 32) | ((u64)type << 40) |
		 (((XT_IRQ_HANDLER >> 16) & 0xFFFF) << 48);

	xt_put(t, 0x5000 + vector * 16, lo, 8);
	xt_put(t, 0x5000 + vector * 16 + 8, XT_IRQ_HANDLER >> 32, 8);
}

/* 64-bit mode: IDT gates, the 16-byte aligned frame, IRETQ */
static void xt_test_irq_long(struct xt *t)
{
	u64 sp = XT_STACK - 16 - 40;

	xt_long(t);
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0xFFF;
	xt_long_gate(t, 0x30, 0x08, 0x8E, 0);
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0xE6, 0x80, 0x48, 0xCF);
	t->s.gpr[X86_RSP] = XT_STACK - 8;
	t->s.rflags = 0x2 | XT_IF | XT_ZF;
	XT_EQ(t, xt_deliver(t, 0x30), true);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, t->s.gpr[X86_RSP], sp);
	XT_EQ(t, t->s.rflags, 0x2 | XT_ZF);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x08);
	XT_EQ(t, xt_get(t, sp, 8), XT_CODE);
	XT_EQ(t, xt_get(t, sp + 8, 8), 0x08);
	XT_EQ(t, xt_get(t, sp + 16, 8), 0x2 | XT_IF | XT_ZF);
	XT_EQ(t, xt_get(t, sp + 24, 8), XT_STACK - 8);
	XT_EQ(t, xt_get(t, sp + 32, 8), 0x10);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_IO);
	t->s.rip += t->x.insn_len;
	XT_EQ(t, xt_step(t), true);			/* iretq */
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 8);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_ZF);

	/* A trap gate keeps IF */
	xt_long_gate(t, 0x31, 0x08, 0x8F, 0);
	XT_EQ(t, xt_deliver(t, 0x31), true);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_ZF);

	/* A gate naming another code segment of the GDT, and back */
	xt_long(t);
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0xFFF;
	t->s.gdtr.base = 0x9000;
	t->s.gdtr.limit = 0x1F;
	xt_put(t, 0x9008, 0x00AF9B000000FFFFULL, 8);
	xt_put(t, 0x9018, 0x00AF9A000000FFFFULL, 8);
	xt_long_gate(t, 0x40, 0x18, 0x8E, 0);
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0xCF);
	t->s.rflags = 0x2 | XT_IF;
	XT_EQ(t, xt_deliver(t, 0x40), true);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x18);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA09A);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x08);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA09B);
	XT_EQ(t, t->s.rip, XT_CODE);

	/* Refused: not present, IST beyond TR's limit, beyond the IDT's, data */
	xt_long_gate(t, 0x41, 0x08, 0x0E, 0);
	xt_long_gate(t, 0x42, 0x08, 0x8E, 1);
	t->s.tr.selector = 0x28;
	t->s.tr.limit = 0x2A;
	xt_put(t, 0x9010, 0x00CF93000000FFFFULL, 8);
	xt_long_gate(t, 0x43, 0x10, 0x8E, 0);
	t->s.idtr.limit = 0x43F;
	xt_save(t);
	XT_EQ(t, xt_deliver(t, 0x41), false);
	XT_EXC(t, X86_EMU_VEC_NP, 0x41 * 8 + 3);
	XT_EQ(t, xt_deliver(t, 0x42), false);
	XT_EXC(t, X86_EMU_VEC_TS, 0x28 + 1);
	XT_EQ(t, xt_deliver(t, 0x43), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x10 + 1);
	XT_EQ(t, xt_deliver(t, 0x44), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x44 * 8 + 3);
	XT_EQ(t, xt_unchanged(t), true);

	/* Stack, then IDT, not mapped: nothing changes */
	xt_long(t);
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0xFFF;
	xt_long_gate(t, 0x30, 0x08, 0x8E, 0);
	t->s.rflags = 0x2 | XT_IF;
	t->unmapped_lo = 0x7000;
	t->unmapped_hi = 0x8000;
	xt_save(t);
	t->writes = 0;
	XT_EQ(t, xt_deliver(t, 0x30), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, t->x.mem.gpa, XT_STACK - 40);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, t->writes, 0);
	t->unmapped_lo = 0x5000;
	t->unmapped_hi = 0x6000;
	XT_EQ(t, xt_deliver(t, 0x30), false);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_READ);
	XT_EQ(t, t->x.mem.gpa, 0x5300);
	XT_EQ(t, xt_unchanged(t), true);
	t->unmapped_hi = 0;
	XT_EQ(t, xt_deliver(t, 0x30), true);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 40);
}

/* Deliver the exception the last stop raised */
static bool xt_take(struct xt *t)
{
	struct x86_emu_event ev = t->x.exc;

	return x86_emu_deliver_event(&t->s, &xt_ops, t, &ev, &t->x);
}

/*
 * Ring 3 in 64-bit mode, with Linux's GDT layout at 0x9000: kernel CS
 * 0x10, kernel DS 0x18, user CS32 0x20, user DS 0x28, user CS 0x30; the
 * 64-bit TSS at 0xA000 (TR 0x40, limit 0x67: RSP0 0x7008, IST1 0x6808,
 * both aligned down to 16 on use); the IDT at 0x5000; the user code page
 * XT_CODE and the user stack page 0xB000.  The VP runs at CPL 3 at
 * XT_CODE with CS 0x33, SS/DS/ES 0x2B, RSP 0xBFF8.
 */
#define XT_R3_GDT	0x9000ULL
#define XT_R3_TSS	0xA000ULL
#define XT_R3_RSP0	0x7008ULL
#define XT_R3_IST1	0x6808ULL
#define XT_R3_USTACK	0xBFF8ULL

static void xt_ring3(struct xt *t)
{
	xt_long(t);
	t->s.gdtr.base = XT_R3_GDT;
	t->s.gdtr.limit = 0x4F;
	xt_put(t, XT_R3_GDT + 0x10, 0x00AF9B000000FFFFULL, 8);
	xt_put(t, XT_R3_GDT + 0x18, 0x00CF93000000FFFFULL, 8);
	xt_put(t, XT_R3_GDT + 0x20, 0x00CFFB000000FFFFULL, 8);
	xt_put(t, XT_R3_GDT + 0x28, 0x00CFF3000000FFFFULL, 8);
	xt_put(t, XT_R3_GDT + 0x30, 0x00AFFB000000FFFFULL, 8);
	xt_put(t, XT_R3_TSS + 4, XT_R3_RSP0, 8);
	xt_put(t, XT_R3_TSS + 36, XT_R3_IST1, 8);
	t->s.tr.selector = 0x40;
	t->s.tr.base = XT_R3_TSS;
	t->s.tr.limit = 0x67;
	t->s.tr.attributes = 0x8B;
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0xFFF;
	xt_long_cpl3(t);
	xt_put(t, XT_PT + 0xB * 8, 0xB000 | 0x7, 8);
	xt_flat_segs(t, 0x33, 0xA0FB, 0x2B, 0xC0F3);
	t->s.seg[X86_FS].selector = 0;
	t->s.seg[X86_FS].attributes = 0;
	t->s.gpr[X86_RSP] = XT_R3_USTACK;
	t->s.rflags = 0x2 | XT_IF;
}

/* xt_ring3() but at CPL 0 in the kernel's CS and SS (null with @null_ss) */
static void xt_ring0(struct xt *t, bool null_ss)
{
	xt_ring3(t);
	t->s.seg[X86_CS].selector = 0x10;
	t->s.seg[X86_CS].attributes = 0xA09B;
	t->s.seg[X86_SS].selector = null_ss ? 0 : 0x18;
	t->s.seg[X86_SS].attributes = null_ss ? 0 : 0xC093;
}

/* The CPL x86_emu_exec_state() reports */
static unsigned int xt_cpl(struct xt *t)
{
	return x86_emu_exec_state(&t->s) & HV_X64_EXEC_STATE_CPL_MASK;
}

/*
 * Interrupts and exceptions taken at CPL 3 through DPL-0 gates: RSP0 of
 * the TSS (aligned to 16), SS null with RPL 0, the user SS:RSP pushed;
 * IRETQ back to CPL 3 (SS from the GDT, a DPL-0 data segment made null);
 * INT n checks the gate's DPL
 */
static void xt_test_irq_ring3(struct xt *t)
{
	u64 sp = (XT_R3_RSP0 & ~0xFULL) - 40;

	xt_ring3(t);
	xt_long_gate(t, 0x30, 0x10, 0x8E, 0);
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0xCF);	/* iretq */
	t->s.rflags |= XT_ZF;
	XT_EQ(t, xt_deliver(t, 0x30), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x10);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA09B);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0);
	XT_EQ(t, t->s.gpr[X86_RSP], sp);
	XT_EQ(t, t->s.rflags, 0x2 | XT_ZF);
	XT_EQ(t, xt_get(t, sp, 8), XT_CODE);
	XT_EQ(t, xt_get(t, sp + 8, 8), 0x33);
	XT_EQ(t, xt_get(t, sp + 16, 8), 0x2 | XT_IF | XT_ZF);
	XT_EQ(t, xt_get(t, sp + 24, 8), XT_R3_USTACK);
	XT_EQ(t, xt_get(t, sp + 32, 8), 0x2B);
	/* the kernel loads its DS: IRETQ to CPL 3 makes it null */
	t->s.seg[X86_DS].selector = 0x18;
	t->s.seg[X86_DS].attributes = 0xC093;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_cpl(t), 3);
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_R3_USTACK);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_ZF);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x33);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA0FB);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x2B);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0xC0F3);
	XT_EQ(t, t->s.seg[X86_DS].selector, 0);
	XT_EQ(t, t->s.seg[X86_DS].attributes, 0);
	XT_EQ(t, t->s.seg[X86_ES].selector, 0x2B);
	XT_EQ(t, t->s.seg[X86_ES].attributes, 0xC0F3);

	/* A user read of a supervisor page: #PF (U, P) on the kernel stack */
	XT_CODE_AT(t, XT_CODE, 0x8A, 0x04, 0x25, 0x00, 0x80, 0x00, 0x00);
	xt_long_gate(t, X86_EMU_VEC_PF, 0x10, 0x8E, 0);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_U | X86_EMU_PF_P);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, t->s.cr2, 0x8000);
	XT_EQ(t, t->s.gpr[X86_RSP], sp - 8);
	XT_EQ(t, xt_get(t, sp - 8, 8), X86_EMU_PF_U | X86_EMU_PF_P);
	XT_EQ(t, xt_get(t, sp, 8), XT_CODE);
	XT_EQ(t, xt_get(t, sp + 8, 8), 0x33);
	XT_EQ(t, xt_get(t, sp + 32, 8), 0x2B);

	/* INT n through a DPL-0 gate at CPL 3: #GP(vector * 8 + 2) */
	xt_ring3(t);
	xt_long_gate(t, 0x31, 0x10, 0x8E, 0);
	xt_long_gate(t, 0x32, 0x10, 0xEE, 0);
	xt_long_gate(t, X86_EMU_VEC_GP, 0x10, 0x8E, 0);
	XT_CODE_AT(t, XT_CODE, 0xCD, 0x31, 0xCD, 0x32);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.exc.type, X86_EVENT_SOFTINT);
	xt_save(t);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x31 * 8 + 2);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.gpr[X86_RSP], sp - 8);
	XT_EQ(t, xt_get(t, sp - 8, 8), 0x31 * 8 + 2);
	XT_EQ(t, xt_get(t, sp, 8), XT_CODE);
	/* through a DPL-3 gate: delivered, RIP after the instruction */
	xt_ring3(t);
	xt_long_gate(t, 0x32, 0x10, 0xEE, 0);
	XT_CODE_AT(t, XT_CODE, 0xCD, 0x31, 0xCD, 0x32);
	t->s.rip = XT_CODE + 2;
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, t->s.gpr[X86_RSP], sp);
	XT_EQ(t, xt_get(t, sp, 8), XT_CODE + 4);
	XT_EQ(t, xt_get(t, sp + 8, 8), 0x33);

	/* A gate to a code segment of a higher DPL: #GP(selector + EXT) */
	xt_ring0(t, false);
	xt_long_gate(t, 0x30, 0x30, 0x8E, 0);
	xt_save(t);
	XT_EQ(t, xt_deliver(t, 0x30), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x30 + 1);
	XT_EQ(t, xt_unchanged(t), true);

	/* TR's limit below RSP0: #TS(TR + EXT) */
	xt_ring3(t);
	xt_long_gate(t, 0x30, 0x10, 0x8E, 0);
	t->s.tr.limit = 0xA;
	xt_save(t);
	XT_EQ(t, xt_deliver(t, 0x30), false);
	XT_EXC(t, X86_EMU_VEC_TS, 0x40 + 1);
	XT_EQ(t, xt_unchanged(t), true);
}

/*
 * IST: a gate with IST n switches to TSS.IST[n] (aligned to 16) at any
 * privilege level; a #PF on RSP0 while delivering a #PF becomes a #DF,
 * taken on its IST stack, as Linux's are
 */
static void xt_test_ist(struct xt *t)
{
	u64 ist = (XT_R3_IST1 & ~0xFULL) - 40;

	/* CPL 0, no privilege change: SS is kept */
	xt_ring0(t, false);
	xt_long_gate(t, 0x42, 0x10, 0x8E, 1);
	t->s.gpr[X86_RSP] = 0x8000;
	XT_EQ(t, xt_deliver(t, 0x42), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.gpr[X86_RSP], ist);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x18);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0xC093);
	XT_EQ(t, xt_get(t, ist + 24, 8), 0x8000);
	XT_EQ(t, xt_get(t, ist + 32, 8), 0x18);

	/* CPL 3: IST1, not RSP0 */
	xt_ring3(t);
	xt_long_gate(t, 0x42, 0x10, 0x8E, 1);
	XT_EQ(t, xt_deliver(t, 0x42), true);
	XT_EQ(t, t->s.gpr[X86_RSP], ist);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0);
	XT_EQ(t, xt_get(t, ist + 8, 8), 0x33);
	XT_EQ(t, xt_get(t, ist + 24, 8), XT_R3_USTACK);

	/* IST7 beyond TR's limit: #TS; a non-canonical IST2: #SS */
	xt_ring3(t);
	xt_long_gate(t, 0x43, 0x10, 0x8E, 7);
	xt_long_gate(t, 0x44, 0x10, 0x8E, 2);
	xt_put(t, XT_R3_TSS + 44, 0x0000800000000040ULL, 8);
	t->s.tr.limit = 0x5A;
	xt_save(t);
	XT_EQ(t, xt_deliver(t, 0x43), false);
	XT_EXC(t, X86_EMU_VEC_TS, 0x40 + 1);
	XT_EQ(t, xt_deliver(t, 0x44), false);
	XT_EXC(t, X86_EMU_VEC_SS, 1);
	XT_EQ(t, xt_unchanged(t), true);

	/* RSP0 not present: #GP -> #PF -> #DF on IST1 */
	xt_ring3(t);
	xt_long_gate(t, X86_EMU_VEC_GP, 0x10, 0x8E, 0);
	xt_long_gate(t, X86_EMU_VEC_PF, 0x10, 0x8E, 0);
	xt_long_gate(t, X86_EMU_VEC_DF, 0x10, 0x8E, 1);
	xt_put(t, XT_R3_TSS + 4, 0x401000, 8);	/* not present */
	XT_CODE_AT(t, XT_CODE, 0xFA);			/* cli at CPL 3 */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_W);
	XT_EQ(t, t->x.exc.cr2, 0x401000 - 48);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_DF, 0);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.cr2, 0x401000 - 48);
	XT_EQ(t, t->s.gpr[X86_RSP], ist - 8);
	XT_EQ(t, xt_get(t, ist - 8, 8), 0);
	XT_EQ(t, xt_get(t, ist, 8), XT_CODE);
	XT_EQ(t, xt_get(t, ist + 8, 8), 0x33);
	XT_EQ(t, xt_get(t, ist + 24, 8), XT_R3_USTACK);
	XT_EQ(t, xt_get(t, ist + 32, 8), 0x2B);
}

/*
 * IRETQ: to CPL 3 (IOPL loaded at CPL 0), at CPL 3 (IOPL and IF kept),
 * to the same level with another SS, and its faults
 */
static void xt_test_iret_ring3(struct xt *t)
{
	u64 sp = 0x7000 - 40;

	xt_ring0(t, true);
	t->s.gpr[X86_RSP] = sp;
	t->s.rip = XT_IRQ_HANDLER;
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0xCF);
	xt_put(t, sp, XT_CODE, 8);
	xt_put(t, sp + 8, 0x33, 8);
	xt_put(t, sp + 16, 0x3002 | XT_CF, 8);	/* IOPL 3 */
	xt_put(t, sp + 24, 0xBFF0, 8);
	xt_put(t, sp + 32, 0x2B, 8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_cpl(t), 3);
	XT_EQ(t, t->s.rflags, 0x3002 | XT_CF);
	XT_EQ(t, t->s.gpr[X86_RSP], 0xBFF0);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x2B);
	XT_EQ(t, t->s.seg[X86_SS].base, 0);
	XT_EQ(t, t->s.seg[X86_SS].limit, 0xFFFFFFFF);

	/* IRETQ at CPL 3 with IOPL 0: IOPL and IF stay */
	xt_ring3(t);
	XT_CODE_AT(t, XT_CODE, 0x48, 0xCF);
	sp = 0xBF00;
	t->s.gpr[X86_RSP] = sp;
	xt_put(t, sp, XT_CODE + 0x10, 8);
	xt_put(t, sp + 8, 0x33, 8);
	xt_put(t, sp + 16, 0x3002 | XT_CF, 8);
	xt_put(t, sp + 24, 0xBFF0, 8);
	xt_put(t, sp + 32, 0x2B, 8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE + 0x10);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_CF);
	XT_EQ(t, t->s.gpr[X86_RSP], 0xBFF0);

	/* Faults, nothing changed: to CPL 0, SS of another RPL, null SS */
	t->s.rip = XT_CODE;
	t->s.gpr[X86_RSP] = sp;
	xt_put(t, sp + 8, 0x10, 8);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x10);
	xt_put(t, sp + 8, 0x33, 8);
	xt_put(t, sp + 32, 0x28, 8);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x28);
	xt_put(t, sp + 32, 0x3, 8);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	xt_put(t, sp + 32, 0x2B, 8);
	xt_put(t, sp, 0x0000800000000000ULL, 8);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_unchanged(t), true);

	/* CPL 0 to CPL 0, SS 0 -> 0x18 read from the GDT */
	xt_ring0(t, true);
	t->s.rip = XT_IRQ_HANDLER;
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0xCF);
	sp = 0x7000 - 40;
	t->s.gpr[X86_RSP] = sp;
	xt_put(t, sp, XT_IRQ_HANDLER + 0x10, 8);
	xt_put(t, sp + 8, 0x10, 8);
	xt_put(t, sp + 16, 0x2, 8);
	xt_put(t, sp + 24, 0x6000, 8);
	xt_put(t, sp + 32, 0x18, 8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER + 0x10);
	XT_EQ(t, t->s.gpr[X86_RSP], 0x6000);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x18);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0xC093);
}

/*
 * SYSCALL / SYSRET: #UD without EFER.SCE and outside 64-bit mode; STAR,
 * LSTAR and SFMASK; SYSRET to 64-bit and compatibility mode, #GP(0) at
 * CPL 3 and for a non-canonical RCX (at CPL 0)
 */
static void xt_test_syscall(struct xt *t)
{
	xt_ring3(t);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x05);		/* syscall */
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0x0F, 0x07);	/* sysretq */
	t->s.star = 0x0023001000000000ULL;
	t->s.lstar = XT_IRQ_HANDLER;
	t->s.sfmask = XT_IF | XT_DF | 0x100;		/* and TF */
	t->s.rflags = 0x2 | XT_IF | XT_DF | XT_CF;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, xt_unchanged(t), true);
	t->s.efer |= 0x1;				/* SCE */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_cpl(t), 0);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, t->s.gpr[X86_RCX], XT_CODE + 2);
	XT_EQ(t, t->s.gpr[X86_R11], 0x2 | XT_IF | XT_DF | XT_CF);
	XT_EQ(t, t->s.rflags, 0x2 | XT_CF);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_R3_USTACK);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x10);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA09B);
	XT_EQ(t, t->s.seg[X86_CS].base, 0);
	XT_EQ(t, t->s.seg[X86_CS].limit, 0xFFFFFFFF);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x18);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0xC093);
	XT_EQ(t, t->s.seg[X86_SS].limit, 0xFFFFFFFF);

	/* SYSRET to a non-canonical RCX: #GP(0) at CPL 0 */
	t->s.gpr[X86_R11] = 0xFFFFFFFFFFFFFFFFULL;
	t->s.gpr[X86_RCX] = 0x0000800000000000ULL;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_unchanged(t), true);
	t->s.gpr[X86_RCX] = XT_CODE + 2;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_cpl(t), 3);
	XT_EQ(t, t->s.rip, XT_CODE + 2);
	XT_EQ(t, t->s.rflags, 0x3C7FD7 | 0x2);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x33);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA0FB);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x2B);
	XT_EQ(t, t->s.seg[X86_SS].attributes, 0xC0F3);

	/* SYSRET at CPL 3: #GP(0) */
	t->s.rflags = 0x2;
	t->s.rip = XT_IRQ_HANDLER;
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0x0F, 0x07);
	xt_put(t, XT_PT + 4 * 8, 0x4000 | 0x7, 8);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);

	/* SYSRET without REX.W: compatibility mode at ECX */
	xt_ring0(t, false);
	t->s.efer |= 0x1;
	t->s.star = 0x0023001000000000ULL;
	t->s.rip = XT_IRQ_HANDLER;
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x0F, 0x07);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x05);
	t->s.gpr[X86_RCX] = 0xFFFFFFFF00001000ULL;
	t->s.gpr[X86_R11] = 0x2 | XT_IF;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, 0x1000);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x23);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xC0FB);
	XT_EQ(t, t->s.seg[X86_SS].selector, 0x2B);
	XT_EQ(t, xt_cpl(t), 3);
	/* SYSCALL in compatibility mode: #UD (CSTAR is not used) */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
}

/*
 * CPL 3 rules: CLI, STI and HLT #GP(0) with IOPL 0; POPF keeps IF and
 * IOPL; MOV SS with a null selector #GP(0); a segment load reads the
 * (supervisor) GDT as the implicit supervisor access it is
 */
static void xt_test_cpl3_rules(struct xt *t)
{
	xt_ring3(t);
	XT_CODE_AT(t, XT_CODE, 0xFA, 0xFB, 0xF4, 0x9D, 0x8E, 0xD0,
		   0x8E, 0xD9);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);			/* cli */
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.rip = XT_CODE + 1;
	XT_EQ(t, xt_step(t), false);			/* sti */
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.rip = XT_CODE + 2;
	XT_EQ(t, xt_step(t), false);			/* hlt */
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.rip = XT_CODE + 3;				/* popf */
	t->s.gpr[X86_RSP] = XT_R3_USTACK - 8;
	xt_put(t, XT_R3_USTACK - 8, 0x3000 | XT_CF | XT_DF, 8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rflags, 0x2 | XT_IF | XT_CF | XT_DF);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_R3_USTACK);
	t->s.rip = XT_CODE + 4;				/* mov ss, ax */
	t->s.rflags = 0x2 | XT_IF;
	t->s.gpr[X86_RAX] = 0x3;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_unchanged(t), true);
	t->s.rip = XT_CODE + 6;				/* mov ds, cx */
	t->s.gpr[X86_RCX] = 0x2B;
	t->s.seg[X86_DS].selector = 0;
	t->s.seg[X86_DS].attributes = 0;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_DS].selector, 0x2B);
	XT_EQ(t, t->s.seg[X86_DS].attributes, 0xC0F3);
	/* a data segment of DPL 0: #GP(selector) */
	t->s.rip = XT_CODE + 6;
	t->s.gpr[X86_RCX] = 0x1B;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x18);
}

/* Real mode with IVT[v] = 0100:30vv */
static void xt_real_ivt(struct xt *t)
{
	unsigned int v;

	xt_real(t);
	for (v = 0; v < 0x30; v++) {
		xt_put(t, v * 4, 0x3000 + v, 2);
		xt_put(t, v * 4 + 2, 0x0100, 2);
	}
}

/* Real mode: #DE, #UD, INT3 and INT n through the IVT; #DF; triple fault */
static void xt_test_exc_real(struct xt *t)
{
	xt_real_ivt(t);
	XT_CODE_AT(t, XT_CODE, 0xF6, 0xF3);		/* div bl (bl = 0) */
	t->s.rflags = 0x2 | XT_IF;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_DE, -1);
	XT_EQ(t, t->x.insn_len, 2);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, t->s.rip, 0x3000);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x100);
	XT_EQ(t, t->s.seg[X86_CS].base, 0x1000);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 6);
	XT_EQ(t, t->s.rflags, 0x2);
	XT_EQ(t, xt_get(t, XT_STACK - 6, 2), XT_CODE);	/* a fault */
	XT_EQ(t, xt_get(t, XT_STACK - 4, 2), 0);
	XT_EQ(t, xt_get(t, XT_STACK - 2, 2), 0x2 | XT_IF);

	/* INT3 and INT n are traps: the pushed IP is past them */
	xt_real_ivt(t);
	XT_CODE_AT(t, XT_CODE, 0xCC);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_BP, -1);
	XT_EQ(t, t->x.exc.type, X86_EVENT_SOFTEXC);
	XT_EQ(t, t->x.exc.insn_len, 1);
	XT_EQ(t, t->s.rip, XT_CODE);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, t->s.rip, 0x3003);
	XT_EQ(t, xt_get(t, XT_STACK - 6, 2), XT_CODE + 1);
	xt_real_ivt(t);
	XT_CODE_AT(t, XT_CODE, 0xCD, 0x21);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, 0x21, -1);
	XT_EQ(t, t->x.exc.type, X86_EVENT_SOFTINT);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, t->s.rip, 0x3021);
	XT_EQ(t, xt_get(t, XT_STACK - 6, 2), XT_CODE + 2);

	/* #UD beyond the IVT limit: #GP, also beyond: #DF, also: shutdown */
	xt_real_ivt(t);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x0B);
	t->s.idtr.limit = 0x17;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, -1);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_DF, -1);
	XT_EQ(t, xt_take(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_TRIPLE_FAULT);
	XT_EQ(t, xt_unchanged(t), true);
}

/* The long-mode IDT of the exception tests: every vector at the handler */
static void xt_long_idt(struct xt *t)
{
	unsigned int v;

	xt_long(t);
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0xFFF;
	for (v = 0; v < 0x40; v++)
		xt_long_gate(t, v, 0x08, 0x8E, 0);
	t->s.rflags = 0x2 | XT_IF;
}

/* The 64-bit frame with an error code (or without one, @err < 0) */
static void xt_long_frame(struct xt *t, int line, u64 rsp, u64 rip,
			  long long err)
{
	u64 sp = (rsp & ~0xFULL) - (err >= 0 ? 48 : 40);
	unsigned int off = err >= 0 ? 8 : 0;

	xt_eq(t, line, "rsp", t->s.gpr[X86_RSP], sp);
	xt_eq(t, line, "rip", t->s.rip, XT_IRQ_HANDLER);
	if (err >= 0)
		xt_eq(t, line, "error code", xt_get(t, sp, 8), (u64)err);
	xt_eq(t, line, "pushed rip", xt_get(t, sp + off, 8), rip);
	xt_eq(t, line, "pushed cs", xt_get(t, sp + off + 8, 8), 0x08);
	xt_eq(t, line, "pushed rflags", xt_get(t, sp + off + 16, 8),
	      0x2 | XT_IF);
	xt_eq(t, line, "pushed rsp", xt_get(t, sp + off + 24, 8), rsp);
	xt_eq(t, line, "pushed ss", xt_get(t, sp + off + 32, 8), 0x10);
	xt_eq(t, line, "rflags", t->s.rflags, 0x2);
}

#define XT_LONG_FRAME(t, rsp, rip, err) \
	xt_long_frame((t), __LINE__, (rsp), (rip), (err))

/* 64-bit mode: #PF, #GP, #UD, #BP, #DE with exact frames and CR2 */
static void xt_test_exc_long(struct xt *t)
{
	/* #PF: PD[2] not present */
	xt_long_idt(t);
	t->s.cr2 = 0x1234;
	XT_CODE_AT(t, XT_CODE, 0x89, 0x04, 0x25, 0x08, 0x00, 0x40, 0x00);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_W);
	XT_EQ(t, t->x.exc.cr2, 0x400008);
	XT_EQ(t, t->x.exc.cr2_valid, true);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE, X86_EMU_PF_W);
	XT_EQ(t, t->s.cr2, 0x400008);

	/* ... a read of a reserved-bit entry, at CPL 0 */
	xt_long_idt(t);
	xt_put(t, XT_PT + 0x20 * 8, 0x20000 | 0x3 | (1ULL << 50), 8);
	XT_CODE_AT(t, XT_CODE, 0x8B, 0x04, 0x25, 0x10, 0x00, 0x02, 0x00);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_P | X86_EMU_PF_RSVD);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE, X86_EMU_PF_P | X86_EMU_PF_RSVD);
	XT_EQ(t, t->s.cr2, 0x20010);

	/* #GP(0): a non-canonical address */
	xt_long_idt(t);
	t->s.gpr[X86_RAX] = 0x8000000000000000ULL;
	t->s.gpr[X86_RSP] = XT_STACK - 8;
	XT_CODE_AT(t, XT_CODE, 0x8B, 0x00);		/* mov eax, [rax] */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK - 8, XT_CODE, 0);
	XT_EQ(t, t->s.cr2, 0);

	/* ... #SS(0) for a stack access */
	xt_long_idt(t);
	t->s.gpr[X86_RBP] = 0x8000000000000000ULL;
	XT_CODE_AT(t, XT_CODE, 0x8B, 0x45, 0x00);	/* mov eax, [rbp] */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_SS, 0);

	/* #UD: UD2, and an opcode that does not exist in 64-bit mode */
	xt_long_idt(t);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x0B);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE, -1);
	xt_long_idt(t);
	XT_CODE_AT(t, XT_CODE, 0x06);			/* push es */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);

	/* #BP: a trap */
	xt_long_idt(t);
	XT_CODE_AT(t, XT_CODE, 0xCC);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_BP, -1);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE + 1, -1);

	/* #DE */
	xt_long_idt(t);
	XT_CODE_AT(t, XT_CODE, 0x48, 0xF7, 0xF1);	/* div rcx (0) */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_DE, -1);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE, -1);

	/* #GP(0): CLI at CPL 3 with IOPL 0 (before any privilege change) */
	xt_long_idt(t);
	t->s.seg[X86_SS].attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
	xt_put(t, XT_PT + 8, 0x1000 | 0x7, 8);
	xt_put(t, XT_PD, XT_PT | 0x7, 8);
	xt_put(t, XT_PDPT, XT_PD | 0x7, 8);
	xt_put(t, XT_PML4, XT_PDPT | 0x7, 8);
	XT_CODE_AT(t, XT_CODE, 0xFA);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
}

/* Faults while delivering: #DF, triple fault, SLAT miss, #NP frames */
static void xt_test_exc_double(struct xt *t)
{
	u64 gate;

	/* #PF with its gate not present: #NP, so #DF (CR2 still loaded) */
	xt_long_idt(t);
	xt_long_gate(t, X86_EMU_VEC_PF, 0x08, 0x0E, 0);
	XT_CODE_AT(t, XT_CODE, 0x89, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_W);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_DF, 0);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE, 0);
	XT_EQ(t, t->s.cr2, 0x400000);

	/* ... and the #DF gate too: triple fault, nothing changes */
	xt_long_idt(t);
	xt_long_gate(t, X86_EMU_VEC_PF, 0x08, 0x0E, 0);
	xt_long_gate(t, X86_EMU_VEC_DF, 0x08, 0x0E, 0);
	XT_CODE_AT(t, XT_CODE, 0x89, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_DF, 0);
	XT_EQ(t, xt_take(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_TRIPLE_FAULT);
	XT_EQ(t, xt_unchanged(t), true);

	/* #UD, then a guest #PF on the stack: #PF, #PF again: #DF, triple */
	xt_long_idt(t);
	xt_put(t, XT_PT + 7 * 8, 0, 8);
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x0B);
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, X86_EMU_PF_W);
	XT_EQ(t, t->x.exc.cr2, XT_STACK - 40);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_DF, 0);
	XT_EQ(t, t->x.exc.cr2, XT_STACK - 48);
	XT_EQ(t, xt_take(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_TRIPLE_FAULT);
	XT_EQ(t, xt_unchanged(t), true);

	/* a SLAT miss while delivering is restartable */
	xt_long_idt(t);
	t->unmapped_lo = 0x7000;
	t->unmapped_hi = 0x8000;
	XT_CODE_AT(t, XT_CODE, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00);
	xt_save(t);
	t->writes = 0;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_PF, 0);
	XT_EQ(t, xt_take(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, XT_STACK - 48);
	XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	XT_EQ(t, xt_unchanged(t), true);
	XT_EQ(t, t->writes, 0);
	t->unmapped_hi = 0;
	XT_EQ(t, xt_step(t), false);			/* faults again */
	XT_EQ(t, xt_take(t), true);
	XT_LONG_FRAME(t, XT_STACK, XT_CODE, 0);
	XT_EQ(t, t->s.cr2, 0x400000);

	/* 32-bit: INT n to a not-present gate is #NP (no EXT bit) */
	xt_prot32(t);
	t->s.idtr.base = 0x5000;
	t->s.idtr.limit = 0x7FF;
	gate = (XT_IRQ_HANDLER & 0xFFFF) | (0x08ULL << 16) |
	       (0x8EULL << 40) | ((XT_IRQ_HANDLER >> 16) << 48);
	xt_put(t, 0x5000 + X86_EMU_VEC_NP * 8, gate, 8);
	xt_put(t, 0x5000 + 0x40 * 8, gate & ~(1ULL << 47), 8);
	XT_CODE_AT(t, XT_CODE, 0xCD, 0x40);
	t->s.rflags = 0x2 | XT_IF;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, 0x40, -1);
	XT_EQ(t, xt_take(t), false);
	XT_EXC(t, X86_EMU_VEC_NP, 0x40 * 8 + 2);
	XT_EQ(t, xt_take(t), true);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK - 16);
	XT_EQ(t, xt_get(t, XT_STACK - 16, 4), 0x40 * 8 + 2);
	XT_EQ(t, xt_get(t, XT_STACK - 12, 4), XT_CODE);
	XT_EQ(t, xt_get(t, XT_STACK - 8, 4), 0x08);
	XT_EQ(t, xt_get(t, XT_STACK - 4, 4), 0x2 | XT_IF);
	XT_EQ(t, t->s.rflags, 0x2);
}

/* NMI: delivered through vector 2, blocks NMIs until IRET */
static void xt_test_nmi(struct xt *t)
{
	const struct x86_emu_event nmi = {
		.type = X86_EVENT_NMI,
		.vector = X86_EMU_VEC_NMI,
	};

	xt_long_idt(t);
	t->s.rflags = 0x2;
	XT_CODE_AT(t, XT_IRQ_HANDLER, 0x48, 0xCF);	/* iretq */
	XT_EQ(t, x86_emu_deliver_event(&t->s, &xt_ops, t, &nmi, &t->x),
	      true);
	XT_EQ(t, t->s.nmi_masked, 1);
	XT_EQ(t, t->s.rip, XT_IRQ_HANDLER);
	XT_EQ(t, xt_get(t, XT_STACK - 40, 8), XT_CODE);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.nmi_masked, 0);
	XT_EQ(t, t->s.rip, XT_CODE);

	/* a failed delivery leaves NMIs unblocked */
	t->unmapped_lo = 0x5000;
	t->unmapped_hi = 0x6000;
	XT_EQ(t, x86_emu_deliver_event(&t->s, &xt_ops, t, &nmi, &t->x),
	      false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->s.nmi_masked, 0);
}

/*
 * The software TLB (struct x86_emu_tlb): what invalidates an entry and
 * what does not.  Each row runs, on the identity-mapped 4 KiB pages of
 * xt_long(), A: a load or store at 0x5000 (GPA 0x5000 holds 0x1111,
 * 0x6000 holds 0x2222), then changes something the way the row says,
 * B: a NOP, MOV CR3 or INVLPG [RBX], then C: a load or store (of 0x4444)
 * at 0x5000, and checks C's result and the TLB's fills and flushes.  A
 * change of the guest's page table is a store the guest made (the fake's
 * generation stays), as the processor's TLB does not see it either.
 */
#define XT_TLB_DATA	0x5000ULL
#define XT_TLB_OTHER	0x6000ULL
#define XT_TLB_PTE	(XT_PT + (XT_TLB_DATA >> 12) * 8)
#define XT_TLB_A	0x20ULL
#define XT_TLB_D	0x40ULL

enum xt_tlb_change {
	XT_TLB_NONE,
	XT_TLB_REMAP,		/* the PTE of 0x5000 names GPA 0x6000 */
	XT_TLB_REMAP_GEN,	/* that, and the generation changes */
	XT_TLB_REMAP_CR4,	/* that, and CR4 changes (UMIP) */
	XT_TLB_REMAP_EFER,	/* that, and EFER changes (NXE off) */
	XT_TLB_SLAT_RO,		/* the fake's SLAT makes 0x5000 read-only */
	XT_TLB_PTE_RO,		/* the guest clears R/W in the PTE */
	XT_TLB_PTE_CLEAR_AD,	/* the guest clears A and D in the PTE */
};

enum xt_tlb_between { XT_TLB_NOP, XT_TLB_MOV_CR3, XT_TLB_INVLPG };

struct xt_tlb_row {
	const char *name;
	bool a_store;		/* A stores RCX, else loads RAX */
	u8 change;		/* enum xt_tlb_change */
	u8 between;		/* enum xt_tlb_between */
	u64 rbx;		/* MOV CR3 / INVLPG operand */
	bool c_store;		/* C stores 0x4444, else loads RAX */
	u8 reason;		/* exit of C */
	u8 vector;		/* X86_EXIT_EXCEPTION: its vector, error code */
	u32 error;
	u64 value;		/* RAX after a load, [0x5000] after a store */
	u64 pte;		/* the PTE of 0x5000 after C, or XT_KEEP */
	u64 fills;		/* tlb->fills after C */
	u64 flushes;		/* tlb->flushes after C */
};

static const struct xt_tlb_row xt_tlb_rows[] = {
	{ "guest remaps, no flush: the old page", false, XT_TLB_REMAP,
	  XT_TLB_NOP, 0, false, X86_EXIT_NONE, 0, 0, 0x1111, XT_KEEP, 2, 1 },
	{ "MOV CR3 (same value) flushes", false, XT_TLB_REMAP,
	  XT_TLB_MOV_CR3, XT_PML4, false, X86_EXIT_NONE, 0, 0, 0x2222,
	  XT_KEEP, 4, 2 },
	{ "INVLPG of the page", false, XT_TLB_REMAP, XT_TLB_INVLPG,
	  XT_TLB_DATA + 0x123, false, X86_EXIT_NONE, 0, 0, 0x2222, XT_KEEP,
	  3, 1 },
	{ "INVLPG of another page", false, XT_TLB_REMAP, XT_TLB_INVLPG,
	  0x7000, false, X86_EXIT_NONE, 0, 0, 0x1111, XT_KEEP, 2, 1 },
	{ "generation change flushes", false, XT_TLB_REMAP_GEN, XT_TLB_NOP, 0,
	  false, X86_EXIT_NONE, 0, 0, 0x2222, XT_KEEP, 4, 2 },
	{ "CR4 change flushes", false, XT_TLB_REMAP_CR4, XT_TLB_NOP, 0, false,
	  X86_EXIT_NONE, 0, 0, 0x2222, XT_KEEP, 4, 2 },
	{ "EFER change flushes", false, XT_TLB_REMAP_EFER, XT_TLB_NOP, 0,
	  false, X86_EXIT_NONE, 0, 0, 0x2222, XT_KEEP, 4, 2 },
	{ "SLAT write revoked: GPA intercept", true, XT_TLB_SLAT_RO,
	  XT_TLB_NOP, 0, true, X86_EXIT_MEMORY, 0, 0, 0x3333, XT_KEEP, 3, 2 },
	{ "guest PTE read-only, no flush: writes", true, XT_TLB_PTE_RO,
	  XT_TLB_NOP, 0, true, X86_EXIT_NONE, 0, 0, 0x4444, XT_KEEP, 2, 1 },
	{ "guest PTE read-only, INVLPG: #PF", true, XT_TLB_PTE_RO,
	  XT_TLB_INVLPG, XT_TLB_DATA, true, X86_EXIT_EXCEPTION,
	  X86_EMU_VEC_PF, X86_EMU_PF_P | X86_EMU_PF_W, 0x3333, XT_KEEP, 2, 1 },
	{ "A set: no walk on a hit", false, XT_TLB_PTE_CLEAR_AD, XT_TLB_NOP, 0,
	  false, X86_EXIT_NONE, 0, 0, 0x1111, XT_TLB_DATA | 0x3, 2, 1 },
	{ "write after a read fill walks once, sets D", false, XT_TLB_NONE,
	  XT_TLB_NOP, 0, true, X86_EXIT_NONE, 0, 0, 0x4444,
	  XT_TLB_DATA | 0x3 | XT_TLB_A | XT_TLB_D, 3, 1 },
	{ "read after a write fill: no walk", true, XT_TLB_PTE_CLEAR_AD,
	  XT_TLB_NOP, 0, false, X86_EXIT_NONE, 0, 0, 0x3333,
	  XT_TLB_DATA | 0x3, 2, 1 },
};

static void xt_tlb_row(struct xt *t, const struct xt_tlb_row *r)
{
	static const u8 load[] = { 0x48, 0x8B, 0x04, 0x25, 0x00, 0x50, 0, 0 };
	static const u8 store[] = { 0x48, 0x89, 0x0C, 0x25, 0x00, 0x50, 0, 0 };
	static const u8 between[][3] = {
		[XT_TLB_NOP] = { 0x0F, 0x1F, 0x00 },		/* nop [rax] */
		[XT_TLB_MOV_CR3] = { 0x0F, 0x22, 0xDB },	/* mov cr3, rbx */
		[XT_TLB_INVLPG] = { 0x0F, 0x01, 0x3B },	/* invlpg [rbx] */
	};
	u8 *pte;

	xt_long(t);
	xt_put(t, XT_TLB_DATA, 0x1111, 8);
	xt_put(t, XT_TLB_OTHER, 0x2222, 8);
	xt_poke(t, XT_CODE, r->a_store ? store : load, 8);
	xt_poke(t, XT_CODE + 8, between[r->between], 3);
	xt_poke(t, XT_CODE + 11, r->c_store ? store : load, 8);
	t->s.gpr[X86_RCX] = 0x3333;
	t->s.gpr[X86_RBX] = r->rbx;
	t->use_tlb = true;
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	if (!XT_EQ(t, xt_step(t), true))
		return;

	/* the guest's own stores to its page table: no generation change */
	pte = xt_ptr(t, XT_TLB_PTE);
	switch (r->change) {
	case XT_TLB_REMAP:
	case XT_TLB_REMAP_GEN:
	case XT_TLB_REMAP_CR4:
	case XT_TLB_REMAP_EFER:
		pte[1] = XT_TLB_OTHER >> 8;
		break;
	case XT_TLB_PTE_RO:
		pte[0] &= ~0x2;
		break;
	case XT_TLB_PTE_CLEAR_AD:
		pte[0] &= ~(XT_TLB_A | XT_TLB_D);
		break;
	case XT_TLB_SLAT_RO:
		t->ro_lo = XT_TLB_DATA;
		t->ro_hi = XT_TLB_DATA + XT_PAGE_SIZE;
		break;
	}
	if (r->change == XT_TLB_REMAP_GEN)
		t->gen++;
	if (r->change == XT_TLB_REMAP_CR4)
		t->s.cr4 |= 0x800;
	if (r->change == XT_TLB_REMAP_EFER)
		t->s.efer &= ~0x800ULL;
	if (!XT_EQ(t, xt_step(t), true))
		return;

	t->s.gpr[X86_RCX] = 0x4444;
	xt_step(t);
	XT_EQ(t, t->x.reason, r->reason);
	if (r->reason == X86_EXIT_EXCEPTION)
		XT_EXC(t, r->vector, r->error);
	if (r->reason == X86_EXIT_MEMORY) {
		XT_EQ(t, t->x.mem.gpa, XT_TLB_DATA);
		XT_EQ(t, t->x.mem.access, X86_EMU_ACCESS_WRITE);
	}
	if (r->c_store)
		XT_EQ(t, xt_get(t, XT_TLB_DATA, 8), r->value);
	else
		XT_EQ(t, t->s.gpr[X86_RAX], r->value);
	if (r->pte != XT_KEEP)
		XT_EQ(t, xt_get(t, XT_TLB_PTE, 8), r->pte);
	XT_EQ(t, t->tlb->fills, r->fills);
	XT_EQ(t, t->tlb->flushes, r->flushes);
}

static void xt_test_tlb(struct xt *t)
{
	bool use_tlb = t->use_tlb;
	u32 rights = t->map_rights;
	unsigned int i, nfail;

	for (i = 0; i < ARRAY_SIZE(xt_tlb_rows); i++) {
		nfail = t->nfail;
		xt_tlb_row(t, &xt_tlb_rows[i]);
		if (t->nfail != nfail)
			XT_EQ(t, i, ~0U);	/* names the failing row */
	}
	t->use_tlb = use_tlb;
	t->map_rights = rights;
}

/*
 * Rep MOVS / STOS through the TLB: each step after the first on a page
 * does every iteration that stays inside the source and destination
 * pages; overlapping MOVS ranges and pages the TLB may not write keep to
 * one iteration per step.  Exact step counts, bytes and registers.
 */
static unsigned int xt_rep_steps(struct xt *t, u64 rip_after)
{
	unsigned int n = 0;

	while (n < 0x4000 && xt_step(t)) {
		n++;
		if (t->s.rip == rip_after)
			break;
	}
	return n;
}

static void xt_test_tlb_rep(struct xt *t)
{
	bool use_tlb = t->use_tlb;
	u32 rights = t->map_rights;
	unsigned int i, bad;

	/* rep movsb of 0x3000 bytes, source and destination pages unaligned */
	xt_long(t);
	for (i = 0; i < 0x3000; i++)
		xt_put(t, 0x10100 + i, (u8)(i * 7 + 1), 1);
	XT_CODE_AT(t, XT_CODE, 0xF3, 0xA4);		/* rep movsb */
	t->use_tlb = true;
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	t->s.gpr[X86_RSI] = 0x10100;
	t->s.gpr[X86_RDI] = 0x20F00;
	t->s.gpr[X86_RCX] = 0x3000;
	XT_EQ(t, xt_rep_steps(t, XT_CODE + 2), 14);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	XT_EQ(t, t->s.gpr[X86_RSI], 0x13100);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x23F00);
	for (bad = 0, i = 0; i < 0x3000; i++)
		bad += xt_get(t, 0x20F00 + i, 1) != (u8)(i * 7 + 1);
	XT_EQ(t, bad, 0);
	XT_EQ(t, xt_get(t, 0x20EFF, 1), 0);
	XT_EQ(t, xt_get(t, 0x23F00, 1), 0);

	/* overlapping: the first byte runs through, one byte per step */
	xt_long(t);
	xt_put(t, 0x10000, 0x5A, 1);
	XT_CODE_AT(t, XT_CODE, 0xF3, 0xA4);		/* rep movsb */
	t->use_tlb = true;
	t->s.gpr[X86_RSI] = 0x10000;
	t->s.gpr[X86_RDI] = 0x10001;
	t->s.gpr[X86_RCX] = 16;
	XT_EQ(t, xt_rep_steps(t, XT_CODE + 2), 16);
	for (bad = 0, i = 0; i <= 16; i++)
		bad += xt_get(t, 0x10000 + i, 1) != 0x5A;
	XT_EQ(t, bad, 0);
	XT_EQ(t, xt_get(t, 0x10011, 1), 0);

	/* rep stosq of 0x3FF qwords from 0x14008 */
	xt_long(t);
	XT_CODE_AT(t, XT_CODE, 0xF3, 0x48, 0xAB);	/* rep stosq */
	t->use_tlb = true;
	t->s.gpr[X86_RAX] = 0x0123456789ABCDEFULL;
	t->s.gpr[X86_RDI] = 0x14008;
	t->s.gpr[X86_RCX] = 0x3FF;
	XT_EQ(t, xt_rep_steps(t, XT_CODE + 3), 4);
	XT_EQ(t, t->s.gpr[X86_RCX], 0);
	XT_EQ(t, t->s.gpr[X86_RDI], 0x16000);
	for (bad = 0, i = 0; i < 0x3FF; i++)
		bad += xt_get(t, 0x14008 + i * 8, 8) != 0x0123456789ABCDEFULL;
	XT_EQ(t, bad, 0);
	XT_EQ(t, xt_get(t, 0x14000, 8), 0);
	XT_EQ(t, xt_get(t, 0x16000, 8), 0);

	/* a destination the TLB may not write: one iteration per step */
	xt_long(t);
	XT_CODE_AT(t, XT_CODE, 0xF3, 0x48, 0xAB);	/* rep stosq */
	t->use_tlb = true;
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_EXEC;
	t->s.gpr[X86_RDI] = 0x14000;
	t->s.gpr[X86_RCX] = 64;
	XT_EQ(t, xt_rep_steps(t, XT_CODE + 3), 64);
	/* 64 stores, the 4 accessed bits of the walk and the dirty bit */
	XT_EQ(t, t->writes, 64 + 5);

	t->use_tlb = use_tlb;
	t->map_rights = rights;
}

/*
 * Data accesses that hit the TLB (read and write rights for every page):
 * FS- and GS-relative operands use the segment base when the page of the
 * offset alone is in the TLB too, and an access that crosses into a page
 * the guest maps elsewhere reads and writes each page at its own GPA.
 */
static void xt_test_tlb_access(struct xt *t)
{
	bool use_tlb = t->use_tlb;
	u32 rights = t->map_rights;

	xt_long(t);
	t->use_tlb = true;
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	t->s.seg[X86_FS].base = 0x3000;
	t->s.seg[X86_GS].base = 0x4000;
	xt_put(t, 0x10, 0x1111, 8);
	xt_put(t, 0x3010, 0x3333, 8);
	t->s.gpr[X86_RCX] = 0xCCCC;
	t->s.gpr[X86_RSI] = 0x5555;
	XT_CODE_AT(t, XT_CODE,
		   0x48, 0x8B, 0x04, 0x25, 0x10, 0, 0, 0,	/* rax, [0x10] */
		   0x48, 0x89, 0x0C, 0x25, 0x28, 0, 0, 0,	/* [0x28], rcx */
		   /* mov rbx, fs:[0x10] (a TLB miss), rdx, fs:[0x10] */
		   0x64, 0x48, 0x8B, 0x1C, 0x25, 0x10, 0, 0, 0,
		   0x64, 0x48, 0x8B, 0x14, 0x25, 0x10, 0, 0, 0,
		   /* mov gs:[0x20], rcx (a TLB miss), gs:[0x30], rsi */
		   0x65, 0x48, 0x89, 0x0C, 0x25, 0x20, 0, 0, 0,
		   0x65, 0x48, 0x89, 0x34, 0x25, 0x30, 0, 0, 0,
		   0xF4);
	XT_EQ(t, xt_run(t, 10), 6);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x1111);
	XT_EQ(t, t->s.gpr[X86_RBX], 0x3333);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x3333);
	XT_EQ(t, xt_get(t, 0x4020, 8), 0xCCCC);
	XT_EQ(t, xt_get(t, 0x4030, 8), 0x5555);
	XT_EQ(t, xt_get(t, 0x28, 8), 0xCCCC);
	XT_EQ(t, xt_get(t, 0x30, 8), 0);

	/* linear 0x6000 -> GPA 0x9000; 8 bytes across 0x6000 */
	xt_long(t);
	t->use_tlb = true;
	xt_put(t, XT_PT + 6 * 8, 0x9000 | 0x3, 8);
	xt_put(t, 0x5FFC, 0x44332211, 4);
	xt_put(t, 0x6000, 0xEEEEEEEE, 4);
	xt_put(t, 0x9000, 0x88776655, 4);
	t->s.gpr[X86_RCX] = 0x0807060504030201ULL;
	XT_CODE_AT(t, XT_CODE,
		   /* fill both pages, with write rights */
		   0x48, 0x8B, 0x04, 0x25, 0xF8, 0x5F, 0, 0, /* rax, [0x5ff8] */
		   0x48, 0x8B, 0x04, 0x25, 0x00, 0x60, 0, 0, /* rax, [0x6000] */
		   0x48, 0x89, 0x34, 0x25, 0xF0, 0x5F, 0, 0, /* [0x5ff0], rsi */
		   0x48, 0x89, 0x34, 0x25, 0x10, 0x60, 0, 0, /* [0x6010], rsi */
		   0x48, 0x8B, 0x1C, 0x25, 0xFC, 0x5F, 0, 0, /* rbx, [0x5ffc] */
		   0x48, 0x89, 0x0C, 0x25, 0xFE, 0x5F, 0, 0, /* [0x5ffe], rcx */
		   0xF4);
	XT_EQ(t, xt_run(t, 10), 6);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x88776655);
	XT_EQ(t, t->s.gpr[X86_RBX], 0x8877665544332211ULL);
	XT_EQ(t, xt_get(t, 0x5FFC, 4), 0x02012211);
	XT_EQ(t, xt_get(t, 0x9000, 8), 0x0000080706050403ULL);
	XT_EQ(t, xt_get(t, 0x6000, 4), 0xEEEEEEEE);

	t->use_tlb = use_tlb;
	t->map_rights = rights;
}

/*
 * The decode cache (struct x86_emu_tlb.dcache): a decoded instruction is
 * used again only while its bytes are what memory holds, however memory
 * was written, and only for the code size it was decoded for; memory
 * operands are computed from the registers of each use.  Exact hit counts.
 */
static void xt_test_dcache(struct xt *t)
{
	bool use_tlb = t->use_tlb;
	u32 rights = t->map_rights;
	unsigned int i;

	/* a loop: from its second iteration on, every instruction hits */
	xt_long(t);
	t->use_tlb = true;
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	XT_CODE_AT(t, XT_CODE,
		   0xB9, 0x05, 0x00, 0x00, 0x00,	/* mov ecx, 5 */
		   0x03, 0x04, 0x8B,			/* add eax, [rbx+rcx*4] */
		   0xFF, 0xC9,				/* dec ecx */
		   0x75, 0xF9,				/* jnz -7 */
		   0xF4);				/* hlt */
	for (i = 1; i <= 5; i++)
		xt_put(t, 0x3000 + 4 * i, 1U << (i - 1), 4);
	t->s.gpr[X86_RAX] = 0;
	t->s.gpr[X86_RBX] = 0x3000;
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_run(t, 100), 16);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 31);
	XT_EQ(t, t->tlb->dc_hits, 12);
	XT_EQ(t, t->x.insn_len, 1);
	XT_EQ(t, t->x.insn_byte_count, 1);
	XT_EQ(t, t->x.insn_bytes[0], 0xF4);
	/* the HLT is cached too: its stop reports the same */
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->tlb->dc_hits, 13);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->x.insn_byte_count, 1);
	XT_EQ(t, t->x.insn_bytes[0], 0xF4);
	/* a reset empties it */
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->tlb->dc_hits, 0);

	/* the guest rewrites the immediate of a cached instruction */
	xt_long(t);
	t->use_tlb = true;
	XT_CODE_AT(t, XT_CODE,
		   0xB0, 0x11,				/* mov al, 0x11 */
		   0xC6, 0x05, 0xF8, 0xFF, 0xFF, 0xFF, 0x42, /* mov [rip-8], 0x42 */
		   0xFF, 0xC9,				/* dec ecx */
		   0x75, 0xF3,				/* jnz -13 */
		   0xF4);				/* hlt */
	t->s.gpr[X86_RCX] = 2;
	t->s.gpr[X86_RAX] = 0;
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_run(t, 100), 8);
	XT_EQ(t, t->x.reason, X86_EXIT_HLT);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x42);
	XT_EQ(t, xt_get(t, XT_CODE + 1, 1), 0x42);
	XT_EQ(t, t->tlb->dc_hits, 3);

	/*
	 * Memory written behind the interpreter's back, without a new
	 * generation (another VP, the VMM during a dispatch)
	 */
	xt_long(t);
	t->use_tlb = true;
	XT_CODE_AT(t, XT_CODE,
		   0xB8, 0x01, 0x00, 0x00, 0x00,	/* mov eax, 1 */
		   0xEB, 0xF9);				/* jmp -7 */
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_run(t, 3), 3);
	XT_EQ(t, t->s.gpr[X86_RAX], 1);
	XT_EQ(t, t->tlb->dc_hits, 1);
	t->page[XT_CODE / XT_PAGE_SIZE][1] = 7;
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.gpr[X86_RAX], 7);
	XT_EQ(t, t->tlb->dc_hits, 2);
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.gpr[X86_RAX], 7);
	XT_EQ(t, t->tlb->dc_hits, 4);

	/* the same bytes at the same address in another code size */
	xt_prot32(t);
	t->use_tlb = true;
	XT_CODE_AT(t, XT_CODE, 0xB8, 0x34, 0x12, 0x00, 0x00);	/* mov eax */
	t->s.gpr[X86_RAX] = 0xFFFF0000;
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_step(t), true);
	t->s.rip = XT_CODE;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->tlb->dc_hits, 1);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x1234);
	XT_EQ(t, t->s.rip, XT_CODE + 5);
	t->s.seg[X86_CS].attributes = 0x809B;		/* 16-bit code */
	t->s.rip = XT_CODE;
	t->s.gpr[X86_RAX] = 0xFFFF0000;
	XT_EQ(t, xt_step(t), true);			/* mov ax, 0x1234 */
	XT_EQ(t, t->tlb->dc_hits, 1);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xFFFF1234);
	XT_EQ(t, t->s.rip, XT_CODE + 3);
	XT_EQ(t, t->x.insn_len, 3);

	t->use_tlb = use_tlb;
	t->map_rights = rights;
}

/*
 * The decode cache compares an instruction's bytes with memory under a
 * mask of its length (two 8-byte words, or byte by byte in the last 16
 * bytes of a page): a change in any of its bytes, the first or the second
 * word, is a miss; a change just past it is not.  Exact hit counts.
 */
static void xt_test_dcache_compare(struct xt *t)
{
	bool use_tlb = t->use_tlb;
	u32 rights = t->map_rights;
	u8 *code = t->page[XT_CODE / XT_PAGE_SIZE];

	/* a 10-byte instruction: its last byte is in the second word */
	xt_long(t);
	t->use_tlb = true;
	t->map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	XT_CODE_AT(t, XT_CODE,
		   0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8,	/* mov rax, imm64 */
		   0xEB, 0xF4,				/* jmp -12 */
		   0x90);
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_run(t, 3), 3);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x0807060504030201ULL);
	XT_EQ(t, t->tlb->dc_hits, 1);
	code[9] = 0x7F;
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x7F07060504030201ULL);
	XT_EQ(t, t->tlb->dc_hits, 2);
	code[2] = 0x11;
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x7F07060504030211ULL);
	XT_EQ(t, t->tlb->dc_hits, 3);
	/* past both instructions: every step hits */
	code[12] = 0xCC;
	XT_EQ(t, xt_run(t, 4), 4);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x7F07060504030211ULL);
	XT_EQ(t, t->tlb->dc_hits, 7);
	XT_EQ(t, t->x.insn_bytes[9], 0x7F);
	XT_EQ(t, t->x.insn_bytes[10], 0);

	/* in the last 16 bytes of the page */
	xt_long(t);
	t->use_tlb = true;
	t->s.rip = XT_CODE + 0xFF8;
	XT_CODE_AT(t, XT_CODE + 0xFF8,
		   0xB8, 0x21, 0x43, 0x65, 0x07,	/* mov eax, imm32 */
		   0xEB, 0xF9,				/* jmp -7 */
		   0x90);
	x86_emu_tlb_reset(t->tlb, &t->gen);
	XT_EQ(t, xt_run(t, 3), 3);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x07654321);
	XT_EQ(t, t->tlb->dc_hits, 1);
	code[0xFFC] = 0x08;
	XT_EQ(t, xt_run(t, 2), 2);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x08654321);
	XT_EQ(t, t->tlb->dc_hits, 2);
	code[0xFFF] = 0xCC;
	XT_EQ(t, xt_run(t, 4), 4);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x08654321);
	XT_EQ(t, t->tlb->dc_hits, 6);

	t->use_tlb = use_tlb;
	t->map_rights = rights;
}

/*
 * LTR, STR, LLDT, SLDT (0F 00 /3, /1, /2, /0) in 64-bit mode, as Linux's
 * cpu_init() loads its TSS and clears its LDT: 16-byte system descriptors
 * (base bits 63:32 in the second quadword), the TSS marked busy in the
 * GDT, a null LDT selector, and the faults: a busy or wrong-type TSS, a
 * selector past the GDT limit, a not-present descriptor, CPL 3.
 */
static void xt_test_ltr_lldt(struct xt *t)
{
	xt_long(t);
	xt_put(t, XT_GDT + 0x18, 0xFE00890010000067ULL, 8);	/* TSS, avail */
	xt_put(t, XT_GDT + 0x20, 0x0000000000000001ULL, 8);
	xt_put(t, XT_GDT + 0x28, 0x00008203400007FFULL, 8);	/* LDT */
	xt_put(t, XT_GDT + 0x30, 0, 8);
	xt_put(t, XT_GDT + 0x38, 0x0000090000000067ULL, 8);	/* not present */
	xt_put(t, XT_GDT + 0x40, 0, 8);
	t->s.gdtr.base = XT_GDT;
	t->s.gdtr.limit = 0x47;
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0x00, 0xD8,			/* ltr ax */
		   0x0F, 0x00, 0xC9,			/* str ecx */
		   0x0F, 0x00, 0xD2,			/* lldt dx */
		   0x48, 0x0F, 0x00, 0x06,		/* sldt [rsi] */
		   0x0F, 0x00, 0xD3);			/* lldt bx (null) */
	t->s.gpr[X86_RAX] = 0xFFFF0018;
	t->s.gpr[X86_RCX] = 0x1111111111111111ULL;
	t->s.gpr[X86_RDX] = 0x28;
	t->s.gpr[X86_RBX] = 0;
	t->s.gpr[X86_RSI] = 0x3000;
	xt_put(t, 0x3000, 0x7777777777777777ULL, 8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.tr.selector, 0x18);
	XT_EQ(t, t->s.tr.base, 0x00000001FE001000ULL);
	XT_EQ(t, t->s.tr.limit, 0x67);
	XT_EQ(t, t->s.tr.attributes, 0x8B);		/* busy 64-bit TSS */
	XT_EQ(t, xt_get(t, XT_GDT + 0x18, 8), 0xFE008B0010000067ULL);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x18);		/* zero-extended */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.ldtr.selector, 0x28);
	XT_EQ(t, t->s.ldtr.base, 0x0000000000034000ULL);
	XT_EQ(t, t->s.ldtr.limit, 0x7FF);
	XT_EQ(t, t->s.ldtr.attributes, 0x82);
	XT_EQ(t, xt_step(t), true);			/* memory: 16 bits */
	XT_EQ(t, xt_get(t, 0x3000, 8), 0x7777777777770028ULL);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.ldtr.selector, 0);
	XT_EQ(t, t->s.ldtr.attributes, 0);
	XT_EQ(t, t->s.rip, XT_CODE + 16);

	/* LTR of the TSS again: now busy */
	t->s.rip = XT_CODE;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x18);
	XT_EQ(t, xt_unchanged(t), true);
	/* an LDT descriptor for LTR, past the limit, not present */
	t->s.gpr[X86_RAX] = 0x28;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x28);
	t->s.gpr[X86_RAX] = 0x48;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x48);
	t->s.gpr[X86_RAX] = 0x38;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_NP, 0x38);
	/* a null selector for LTR; a TSS for LLDT */
	t->s.gpr[X86_RAX] = 0;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.rip = XT_CODE + 6;
	t->s.gpr[X86_RDX] = 0x18;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0x18);
	/* CPL 3: LTR and LLDT fault, STR and SLDT do not (no UMIP) */
	xt_long_cpl3(t);
	t->s.rip = XT_CODE;
	t->s.gpr[X86_RAX] = 0x18;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.rip = XT_CODE + 3;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RCX], 0x18);
}

/*
 * MOV to and from the debug registers (0F 23, 0F 21) in 64-bit mode, as
 * Linux clears them in cpu_init(): DR0-DR3 as written, DR6 and DR7 with
 * their fixed bits, DR4/DR5 aliases of DR6/DR7 without CR4.DE and #UD
 * with it, #GP(0) for bits 63:32 of DR6/DR7 and at CPL 3.
 */
static void xt_test_mov_dr(struct xt *t)
{
	xt_long(t);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0x23, 0xC0,			/* mov dr0, rax */
		   0x41, 0x0F, 0x23, 0xD9,		/* mov dr3, r9 */
		   0x0F, 0x23, 0xF3,			/* mov dr6, rbx */
		   0x0F, 0x23, 0xFB,			/* mov dr7, rbx */
		   0x0F, 0x21, 0xF1,			/* mov rcx, dr6 */
		   0x0F, 0x21, 0xEA,			/* mov rdx, dr5 (dr7) */
		   0x0F, 0x21, 0xC6);			/* mov rsi, dr0 */
	t->s.gpr[X86_RAX] = 0xFFFFFFFF81000000ULL;
	t->s.gpr[X86_R9] = 0x1234;
	t->s.gpr[X86_RBX] = 0;
	XT_EQ(t, xt_run(t, 4), 4);
	XT_EQ(t, t->s.dr[0], 0xFFFFFFFF81000000ULL);
	XT_EQ(t, t->s.dr[3], 0x1234);
	XT_EQ(t, t->s.dr[4], 0xFFFF0FF0);		/* DR6 */
	XT_EQ(t, t->s.dr[5], 0x400);			/* DR7 */
	XT_EQ(t, xt_run(t, 3), 3);
	XT_EQ(t, t->s.gpr[X86_RCX], 0xFFFF0FF0);
	XT_EQ(t, t->s.gpr[X86_RDX], 0x400);
	XT_EQ(t, t->s.gpr[X86_RSI], 0xFFFFFFFF81000000ULL);

	t->s.rip = XT_CODE + 10;			/* mov dr7, rbx */
	t->s.gpr[X86_RBX] = 0x100000000ULL;
	xt_save(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_unchanged(t), true);
	t->s.rip = XT_CODE + 16;			/* mov rdx, dr5 */
	t->s.cr4 |= 0x8;				/* DE */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	t->s.cr4 &= ~0x8ULL;
	xt_long_cpl3(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
}

/*
 * A far return to the selector CS already holds reloads the descriptor
 * from the GDT, as the hardware does: Linux's PVH entry runs in 32-bit
 * code at selector 08 of its loader's GDT, loads its own GDT where 08 is
 * a 64-bit code segment, and enters 64-bit mode with LRET to 08.
 */
static void xt_test_lret_same_selector(struct xt *t)
{
	xt_long(t);
	xt_put(t, XT_GDT + 0x08, 0x00AF9B000000FFFFULL, 8);	/* 64-bit code */
	t->s.gdtr.base = XT_GDT;
	t->s.gdtr.limit = 0x0F;
	t->s.seg[X86_CS].selector = 0x08;
	t->s.seg[X86_CS].attributes = 0xC09B;	/* cached: 32-bit code */
	t->s.seg[X86_SS].attributes = 0xC093;
	t->s.gpr[X86_RSP] = XT_STACK - 8;
	xt_put(t, XT_STACK - 8, 0x2000, 4);
	xt_put(t, XT_STACK - 4, 0x08, 4);
	XT_CODE_AT(t, XT_CODE, 0xCB);			/* lret */
	XT_CODE_AT(t, 0x2000, 0x48, 0x89, 0xEB);	/* mov rbx, rbp */
	t->s.gpr[X86_RBP] = 0x1122334455667788ULL;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_CS].selector, 0x08);
	XT_EQ(t, t->s.seg[X86_CS].attributes, 0xA09B);
	XT_EQ(t, t->s.rip, 0x2000);
	XT_EQ(t, t->s.gpr[X86_RSP], XT_STACK);
	XT_EQ(t, xt_step(t), true);			/* 64-bit: REX.W */
	XT_EQ(t, t->s.gpr[X86_RBX], 0x1122334455667788ULL);
	XT_EQ(t, t->s.rip, 0x2003);
}

/* Put @n bytes of @v at byte @off of x86_emu_state.fx */
static void xt_fx_put(struct xt *t, unsigned int off, u64 v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, v >>= 8)
		t->s.fx[off + i] = (u8)v;
}

static u64 xt_fx_get(struct xt *t, unsigned int off, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | t->s.fx[off + n];
	return v;
}

/* A recognisable x87 / SSE state: byte i of fx is i + 1, XMM bytes 0x80 + i */
static void xt_fx_pattern(struct xt *t)
{
	unsigned int i;

	for (i = 0; i < sizeof(t->s.fx); i++)
		t->s.fx[i] = (u8)(i + 1);
	xt_fx_put(t, X86_EMU_FX_MXCSR, 0x1F80, 4);
	for (i = 0; i < sizeof(t->s.xmm); i++)
		((u8 *)t->s.xmm)[i] = (u8)(0x80 + i);
}

/* The qword at byte @off of the pattern's FXSAVE image */
static u64 xt_fx_pattern_q(unsigned int off)
{
	u64 v = 0;
	unsigned int i;

	for (i = 8; i--;) {
		unsigned int b = off + i;

		v <<= 8;
		if (b >= 160)
			v |= (u8)(0x80 + b - 160);
		else if (b >= 24 && b < 32)
			v |= (u8)(0x0000FFFF00001F80ULL >> ((b - 24) * 8));
		else
			v |= (u8)(b + 1);
	}
	return v;
}

static void xt_fill(struct xt *t, u64 gpa, u8 v, unsigned int n)
{
	while (n--)
		xt_put(t, gpa++, v, 1);
}

/* x87 control: FNINIT, FNSTSW, FNSTCW, FLDCW, FWAIT, #NM and #MF */
static void xt_test_x87_control(struct xt *t)
{
	xt_long(t);
	xt_fx_pattern(t);
	t->s.gpr[X86_RSI] = 0x3000;
	t->s.gpr[X86_RAX] = 0x1122334455667788ULL;
	xt_put(t, 0x3000, 0xAAAAAAAAAAAAAAAAULL, 8);
	xt_put(t, 0x3008, 0x027F, 2);
	XT_CODE_AT(t, XT_CODE,
		   0xDB, 0xE3,			/* fninit */
		   0xDF, 0xE0,			/* fnstsw ax */
		   0xD9, 0x3E,			/* fnstcw [rsi] */
		   0xD9, 0x6E, 0x08,		/* fldcw [rsi + 8] */
		   0xDD, 0x7E, 0x02,		/* fnstsw [rsi + 2] */
		   0x9B,			/* fwait */
		   0xD9, 0x7E, 0x04);		/* fnstcw [rsi + 4] */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_FCW, 2), 0x037F);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_FSW, 2), 0);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_FTW, 2), 0);	/* all empty */
	XT_EQ(t, xt_fx_get(t, 6, 2), 0);			/* FOP */
	XT_EQ(t, xt_fx_get(t, 8, 8), 0);			/* FIP */
	XT_EQ(t, xt_fx_get(t, 16, 8), 0);			/* FDP */
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x1F80);	/* kept */
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_ST0, 8), 0x2827262524232221ULL);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 0x1122334455660000ULL);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3000, 8), 0xAAAAAAAAAAAA037FULL);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_FCW, 2), 0x027F);
	xt_fx_put(t, X86_EMU_FX_FSW, 0x3800, 2);		/* TOP = 7 */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3000, 8), 0xAAAAAAAA3800037FULL);
	XT_EQ(t, xt_step(t), true);				/* fwait */
	XT_EQ(t, t->s.rip, XT_CODE + 13);

	/* CR0.TS: #NM for every x87 instruction, FWAIT only with CR0.MP */
	t->s.cr0 |= 0x8;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_NM, -1);
	XT_EQ(t, xt_get(t, 0x3004, 2), 0xAAAA);
	t->s.rip = XT_CODE + 12;
	XT_EQ(t, xt_step(t), true);				/* fwait, !MP */
	t->s.rip = XT_CODE + 12;
	t->s.cr0 |= 0x2;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_NM, -1);
	t->s.rip = XT_CODE;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_NM, -1);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_FCW, 2), 0x027F);
	/* CR0.EM: #NM too */
	t->s.cr0 &= ~0xAULL;
	t->s.cr0 |= 0x4;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_NM, -1);
	t->s.cr0 &= ~0x4ULL;

	/* A pending unmasked exception (FSW.ES): FWAIT raises #MF with NE */
	xt_fx_put(t, X86_EMU_FX_FSW, 0x0081, 2);
	t->s.cr0 |= 0x20;
	t->s.rip = XT_CODE + 12;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_MF, -1);
	XT_EQ(t, t->s.rip, XT_CODE + 12);
	t->s.rip = XT_CODE;					/* no-wait form */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_FSW, 2), 0);

	/* x87 arithmetic is not modelled: FLD1 */
	XT_CODE_AT(t, XT_CODE + 0x40, 0xD9, 0xE8);
	t->s.rip = XT_CODE + 0x40;
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_UNSUPPORTED);
}

/* FXSAVE, FXRSTOR, LDMXCSR, STMXCSR */
static void xt_test_fxsave(struct xt *t)
{
	unsigned int off;

	xt_long(t);
	t->s.cr4 |= 0x200;					/* OSFXSR */
	xt_fx_pattern(t);
	t->s.gpr[X86_RSI] = 0x3000;
	xt_fill(t, 0x3000, 0xEE, 1024);
	XT_CODE_AT(t, XT_CODE,
		   0x48, 0x0F, 0xAE, 0x06,	/* fxsave64 [rsi] */
		   0x48, 0x0F, 0xAE, 0x0E,	/* fxrstor64 [rsi] */
		   0x0F, 0xAE, 0x5E, 0x10,	/* stmxcsr [rsi + 16] */
		   0x0F, 0xAE, 0x56, 0x14);	/* ldmxcsr [rsi + 20] */
	XT_EQ(t, xt_step(t), true);
	for (off = 0; off < 416; off += 8)
		if (!XT_EQ(t, xt_get(t, 0x3000 + off, 8), xt_fx_pattern_q(off)))
			break;
	XT_EQ(t, xt_get(t, 0x3000 + 416, 8), 0xEEEEEEEEEEEEEEEEULL);
	XT_EQ(t, xt_get(t, 0x3000 + 504, 8), 0xEEEEEEEEEEEEEEEEULL);
	XT_EQ(t, t->s.rip, XT_CODE + 4);

	/* FXRSTOR loads everything but MXCSR_MASK */
	for (off = 0; off < 416; off++)
		xt_put(t, 0x3000 + off, (u8)(0x40 + off), 1);
	xt_put(t, 0x3000 + 24, 0x7F80, 4);			/* MXCSR */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, 0, 8), 0x4746454443424140ULL);
	XT_EQ(t, xt_fx_get(t, 16, 8), 0x5756555453525150ULL);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x7F80);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR_MASK, 4), 0x201F1E1D);
	XT_EQ(t, xt_fx_get(t, 152, 8), 0xDFDEDDDCDBDAD9D8ULL);
	XT_EQ(t, t->s.xmm[0].low_part, 0xE7E6E5E4E3E2E1E0ULL);
	XT_EQ(t, t->s.xmm[15].high_part, 0xDFDEDDDCDBDAD9D8ULL);

	/* STMXCSR, LDMXCSR */
	xt_put(t, 0x3014, 0x1F81, 4);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3010, 4), 0x7F80);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x1F81);
	xt_put(t, 0x3014, 0x10000, 4);				/* reserved */
	t->s.rip = XT_CODE + 12;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x1F81);

	/* FXRSTOR: a reserved MXCSR bit is #GP(0), nothing loaded */
	xt_put(t, 0x3000 + 24, 0x10000, 4);
	t->s.rip = XT_CODE + 4;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x1F81);
	XT_EQ(t, xt_fx_get(t, 0, 8), 0x4746454443424140ULL);

	/* Not 16-byte aligned: #GP(0) */
	t->s.gpr[X86_RSI] = 0x3008;
	t->s.rip = XT_CODE;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);

	/* Across a page whose second half cannot be written: nothing stored */
	t->s.gpr[X86_RSI] = 0x3F00;
	xt_fill(t, 0x3F00, 0xEE, 512);
	t->ro_lo = 0x4000;
	t->ro_hi = 0x5000;
	XT_EQ(t, xt_step(t), false);
	XT_EQ(t, t->x.reason, X86_EXIT_MEMORY);
	XT_EQ(t, t->x.mem.gpa, 0x4000);
	XT_EQ(t, xt_get(t, 0x3F00, 8), 0xEEEEEEEEEEEEEEEEULL);
	t->ro_lo = 0;
	t->ro_hi = 0;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3F00, 8), 0x4746454443424140ULL);
	XT_EQ(t, xt_get(t, 0x4000, 8), 0x4746454443424140ULL);	/* XMM6 */

	/* CR0.TS: #NM; CR0.EM: #UD */
	t->s.rip = XT_CODE;
	t->s.cr0 |= 0x8;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_NM, -1);
	t->s.cr0 = (t->s.cr0 & ~0x8ULL) | 0x4;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
}

/* XGETBV, XSETBV, XSAVE, XSAVEC, XRSTOR (x87 and SSE components) */
static void xt_test_xsave(struct xt *t)
{
	unsigned int off;

	xt_long(t);
	t->s.cr4 |= 0x200;					/* OSFXSR */
	t->s.xfem = 1;
	xt_fx_pattern(t);
	t->s.gpr[X86_RSI] = 0x3000;
	xt_fill(t, 0x3000, 0xEE, 1024);
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0x01, 0xD0,		/* xgetbv */
		   0x0F, 0x01, 0xD1,		/* xsetbv */
		   0x48, 0x0F, 0xAE, 0x26,	/* xsave64 [rsi] */
		   0x48, 0x0F, 0xC7, 0x26,	/* xsavec64 [rsi] */
		   0x48, 0x0F, 0xAE, 0x2E);	/* xrstor64 [rsi] */

	/* Without CR4.OSXSAVE: #UD */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	t->s.cr4 |= 0x40000;
	t->s.gpr[X86_RAX] = ~0ULL;
	t->s.gpr[X86_RDX] = ~0ULL;
	t->s.gpr[X86_RCX] = 1;
	XT_EQ(t, xt_step(t), false);				/* XCR1 */
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.gpr[X86_RCX] = 0;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.gpr[X86_RAX], 1);
	XT_EQ(t, t->s.gpr[X86_RDX], 0);

	/* XSETBV: x87 always, no unsupported or reserved bit */
	t->s.gpr[X86_RAX] = 2;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.gpr[X86_RAX] = 7;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.gpr[X86_RAX] = 3;
	t->s.gpr[X86_RDX] = 1;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.gpr[X86_RDX] = 0;
	t->s.gpr[X86_RCX] = 1;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	t->s.gpr[X86_RCX] = 0;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.xfem, 3);

	/* XSAVE, x87 only: FCW..FDP and ST, XSTATE_BV bit 0 */
	xt_put(t, 0x3200, 0x0000000000000102ULL, 8);		/* XSTATE_BV */
	t->s.gpr[X86_RAX] = 1;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3000, 8), xt_fx_pattern_q(0));
	XT_EQ(t, xt_get(t, 0x3010, 8), xt_fx_pattern_q(16));
	XT_EQ(t, xt_get(t, 0x3018, 8), 0xEEEEEEEEEEEEEEEEULL);	/* MXCSR */
	XT_EQ(t, xt_get(t, 0x3098, 8), xt_fx_pattern_q(152));
	XT_EQ(t, xt_get(t, 0x30A0, 8), 0xEEEEEEEEEEEEEEEEULL);	/* XMM0 */
	XT_EQ(t, xt_get(t, 0x3200, 8), 0x103);
	XT_EQ(t, xt_get(t, 0x3208, 8), 0xEEEEEEEEEEEEEEEEULL);

	/* XSAVE, RFBM x87 + SSE */
	t->s.rip = XT_CODE + 6;
	t->s.gpr[X86_RAX] = ~0ULL;
	XT_EQ(t, xt_step(t), true);
	for (off = 0; off < 416; off += 8)
		if (!XT_EQ(t, xt_get(t, 0x3000 + off, 8), xt_fx_pattern_q(off)))
			break;
	XT_EQ(t, xt_get(t, 0x31A0, 8), 0xEEEEEEEEEEEEEEEEULL);
	XT_EQ(t, xt_get(t, 0x3200, 8), 0x103);

	/* XSAVEC: the header's XSTATE_BV and XCOMP_BV, nothing after */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_get(t, 0x3200, 8), 3);
	XT_EQ(t, xt_get(t, 0x3208, 8), 0x8000000000000003ULL);
	XT_EQ(t, xt_get(t, 0x3210, 8), 0xEEEEEEEEEEEEEEEEULL);

	/* XRSTOR, compacted, SSE only in XSTATE_BV: x87 in its initial state */
	xt_put(t, 0x3200, 2, 8);
	xt_put(t, 0x3018, 0x0000FFFF00001F00ULL, 8);
	xt_put(t, 0x30A0, 0x0123456789ABCDEFULL, 8);
	for (off = 0x3210; off < 0x3240; off += 8)
		xt_put(t, off, 0, 8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, 0, 8), 0x037F);		/* FCW, FSW, FTW, FOP */
	XT_EQ(t, xt_fx_get(t, 8, 8), 0);
	XT_EQ(t, xt_fx_get(t, 16, 8), 0);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_ST0, 8), 0);
	XT_EQ(t, xt_fx_get(t, 152, 8), 0);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x1F00);
	XT_EQ(t, t->s.xmm[0].low_part, 0x0123456789ABCDEFULL);
	XT_EQ(t, t->s.xmm[15].high_part, 0x7F7E7D7C7B7A7978ULL);

	/* XRSTOR, standard form, XSTATE_BV 0: SSE initial, MXCSR loaded */
	xt_fx_pattern(t);
	xt_put(t, 0x3200, 0, 8);
	xt_put(t, 0x3208, 0, 8);
	xt_put(t, 0x3018, 0x1F40, 4);
	t->s.rip = XT_CODE + 14;
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, xt_fx_get(t, 0, 8), 0x037F);
	XT_EQ(t, xt_fx_get(t, X86_EMU_FX_MXCSR, 4), 0x1F40);
	XT_EQ(t, t->s.xmm[0].low_part, 0);
	XT_EQ(t, t->s.xmm[15].high_part, 0);

	/* XRSTOR refusals: #GP(0), nothing loaded */
	xt_fx_pattern(t);
	t->s.rip = XT_CODE + 14;
	xt_put(t, 0x3200, 4, 8);			/* not in XCR0 */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	xt_put(t, 0x3200, 1, 8);
	xt_put(t, 0x3208, 1, 8);			/* XCOMP_BV, standard */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	xt_put(t, 0x3208, 0x8000000000000002ULL, 8);	/* BV not in COMP */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	xt_put(t, 0x3208, 0x8000000000000003ULL, 8);
	xt_put(t, 0x3238, 1, 8);			/* reserved header */
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	xt_put(t, 0x3238, 0, 8);
	xt_put(t, 0x3018, 0x10000, 4);			/* MXCSR reserved */
	xt_put(t, 0x3200, 2, 8);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, xt_fx_get(t, 0, 8), xt_fx_pattern_q(0));
	XT_EQ(t, t->s.xmm[0].low_part, 0x8786858483828180ULL);

	/* Not 64-byte aligned: #GP(0) */
	t->s.gpr[X86_RSI] = 0x3010;
	t->s.rip = XT_CODE + 6;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
}

/* PAUSE retires and says so (a dispatch may yield there); NOP does not */
static void xt_test_pause(struct xt *t)
{
	xt_long(t);
	t->s.gpr[X86_RAX] = 1;
	t->s.gpr[X86_R8] = 2;
	XT_CODE_AT(t, XT_CODE,
		   0xF3, 0x90,			/* pause */
		   0x90,			/* nop */
		   0xF3, 0x41, 0x90);		/* xchg r8d, eax (REX.B) */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->x.pause, true);
	XT_EQ(t, t->s.rip, XT_CODE + 2);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->x.pause, false);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->x.pause, false);
	XT_EQ(t, t->s.gpr[X86_RAX], 2);
	XT_EQ(t, t->s.gpr[X86_R8], 1);
}

/* SWAPGS: GS's base and IA32_KERNEL_GS_BASE trade places */
static void xt_test_swapgs(struct xt *t)
{
	xt_long(t);
	t->s.seg[X86_GS].base = 0x1111;
	t->s.kernel_gs_base = 0xFFFF888000001000ULL;
	XT_CODE_AT(t, XT_CODE, 0x0F, 0x01, 0xF8, 0x0F, 0x01, 0xF8);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_GS].base, 0xFFFF888000001000ULL);
	XT_EQ(t, t->s.kernel_gs_base, 0x1111);
	XT_EQ(t, t->s.rip, XT_CODE + 3);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.seg[X86_GS].base, 0x1111);
	XT_EQ(t, t->s.kernel_gs_base, 0xFFFF888000001000ULL);

	/* compatibility mode: #UD; CPL 3: #GP(0) */
	t->s.rip = XT_CODE;
	t->s.seg[X86_CS].attributes = 0xC09B;
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	t->s.seg[X86_CS].attributes = 0x209B;
	xt_long_cpl3(t);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_GP, 0);
	XT_EQ(t, t->s.seg[X86_GS].base, 0x1111);
}

/*
 * PREFETCH / PREFETCHW (0F 0D /0 - /7): hints that retire without an
 * access, so an address that does not translate raises no #PF; a register
 * operand is #UD
 */
static void xt_test_prefetchw(struct xt *t)
{
	xt_long(t);
	t->s.gpr[X86_RAX] = 0xFFFF888000146000ULL;	/* not mapped */
	XT_CODE_AT(t, XT_CODE,
		   0x0F, 0x0D, 0x88, 0x88, 0x00, 0x00, 0x00, /* prefetchw [rax+0x88] */
		   0x0F, 0x0D, 0x00,		/* prefetch [rax] */
		   0x0F, 0x0D, 0x7C, 0x24, 0x08,	/* /7 [rsp+8] */
		   0x0F, 0x0D, 0xC8);		/* register operand */
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE + 7);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE + 10);
	XT_EQ(t, xt_step(t), true);
	XT_EQ(t, t->s.rip, XT_CODE + 15);
	XT_EQ(t, t->s.gpr[X86_RAX], 0xFFFF888000146000ULL);
	XT_EQ(t, xt_step(t), false);
	XT_EXC(t, X86_EMU_VEC_UD, -1);
	XT_EQ(t, t->s.rip, XT_CODE + 15);
}

struct xt_test {
	const char *name;
	void (*fn)(struct xt *t);
};

static const struct xt_test xt_tests[] = {
	{ "portio", xt_test_portio },
	{ "reset_state", xt_test_reset_state },
	{ "reset_vector", xt_test_reset_vector },
	{ "exec_state", xt_test_exec_state },
	{ "mov_real", xt_test_mov_real },
	{ "mov_long", xt_test_mov_long },
	{ "alu_forms", xt_test_alu_forms },
	{ "flag_table", xt_test_flag_table },
	{ "inc_dec_neg_not", xt_test_inc_dec_neg_not },
	{ "shifts", xt_test_shifts },
	{ "lea_movx", xt_test_lea_movx },
	{ "stack_real", xt_test_stack_real },
	{ "stack_long", xt_test_stack_long },
	{ "branches", xt_test_branches },
	{ "strings", xt_test_strings },
	{ "string_widths", xt_test_string_widths },
	{ "io_forms", xt_test_io_forms },
	{ "exits", xt_test_exits },
	{ "misc", xt_test_misc },
	{ "unsupported", xt_test_unsupported },
	{ "fetch_cross_page", xt_test_fetch_cross_page },
	{ "restart_store", xt_test_restart_store },
	{ "restart_second_access", xt_test_restart_second_access },
	{ "rep_fault", xt_test_rep_fault },
	{ "long_stosq", xt_test_long_stosq },
	{ "long_1g_and_faults", xt_test_long_1g_and_faults },
	{ "enter_long_mode", xt_test_enter_long_mode },
	{ "real_segments", xt_test_real_segments },
	{ "far_real", xt_test_far_real },
	{ "far_prot", xt_test_far_prot },
	{ "seg_load_faults", xt_test_seg_load_faults },
	{ "bit_test", xt_test_bit_test },
	{ "bswap_bsf_bsr", xt_test_bswap_bsf_bsr },
	{ "atomics", xt_test_atomics },
	{ "sgdt_sidt", xt_test_sgdt_sidt },
	{ "shld_shrd", xt_test_shld_shrd },
	{ "wbinvd", xt_test_wbinvd },
	{ "muldiv", xt_test_muldiv },
	{ "translate_sizes", xt_test_translate_sizes },
	{ "translate_faults", xt_test_translate_faults },
	{ "translate_user_rsvd", xt_test_translate_user_rsvd },
	{ "translate_slat", xt_test_translate_slat },
	{ "store_value", xt_test_store_value },
	{ "irq_real", xt_test_irq_real },
	{ "irq_prot32", xt_test_irq_prot32 },
	{ "irq_long", xt_test_irq_long },
	{ "exc_real", xt_test_exc_real },
	{ "exc_long", xt_test_exc_long },
	{ "exc_double", xt_test_exc_double },
	{ "irq_ring3", xt_test_irq_ring3 },
	{ "ist", xt_test_ist },
	{ "iret_ring3", xt_test_iret_ring3 },
	{ "syscall", xt_test_syscall },
	{ "cpl3_rules", xt_test_cpl3_rules },
	{ "nmi", xt_test_nmi },
	{ "tlb", xt_test_tlb },
	{ "tlb_rep", xt_test_tlb_rep },
	{ "tlb_access", xt_test_tlb_access },
	{ "dcache", xt_test_dcache },
	{ "dcache_compare", xt_test_dcache_compare },
	{ "ltr_lldt", xt_test_ltr_lldt },
	{ "mov_dr", xt_test_mov_dr },
	{ "lret_same_selector", xt_test_lret_same_selector },
	{ "x87_control", xt_test_x87_control },
	{ "fxsave", xt_test_fxsave },
	{ "xsave", xt_test_xsave },
	{ "pause", xt_test_pause },
	{ "swapgs", xt_test_swapgs },
	{ "prefetchw", xt_test_prefetchw },
};

#endif /* _HVSIM_X86_EMU_CASES_H */
