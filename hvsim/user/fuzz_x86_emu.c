// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target of hvsim's x86 interpreter (built with clang
 * -fsanitize=fuzzer,address,undefined by the Makefile's "fuzz" goal).
 *
 * An input (fuzz_x86_emu.h) is a processor mode, flags, registers and
 * guest memory; the target delivers one interrupt through an IDT (and
 * GDT) in the input bytes, then runs x86_emu_step() (or, with FUZZ_F_TLB,
 * x86_emu_step_tlb() with a software TLB) up to 64 times, completing
 * I/O, CPUID, MSR and HLT stops the way a VMM would (skipping the
 * instruction), and x86_emu_translate() on one address.  The fake memory
 * of x86_emu_cases.h counts every access that breaks the contract of
 * struct x86_emu_mem_ops.  Any broken invariant aborts:
 *   - an access outside the contract (length 0 or > 16, crossing a page);
 *   - a step or interrupt delivery that did not complete but changed the
 *     state or wrote memory;
 *   - a store value reported for anything but a write of 1, 2, 4 or 8
 *     bytes, or wider than its size;
 *   - an instruction length outside 1..15, or bytes it did not report;
 *   - an exit reason, I/O size or access type outside its enum;
 *   - an exception outside vectors 0-31 (but INT n), an error code on a
 *     vector that has none, CR2 on anything but #PF / #DF, or a chain of
 *     faults while delivering that does not end (#DF, triple fault) within
 *     four deliveries;
 *   - x86_emu_translate() writing without set_ad, writing when it fails
 *     (but for the A/D store it reports), giving different GPAs with and
 *     without set_ad, or not being the identity without paging.
 * The shared test cases run once at start-up, so the harness itself is
 * known to be sound.
 */
#include <stdio.h>
#include <stdlib.h>

#include "x86_emu_cases.h"
#include "fuzz.h"
#include "fuzz_x86_emu.h"

static u8 pages[XT_NPAGES][XT_PAGE_SIZE];
static struct x86_emu_tlb tlb;
static struct xt t;

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_x86_emu: %s:%d: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

static void fuzz_case_fail(struct xt *tt, int line, const char *what,
			   u64 got, u64 want)
{
	fprintf(stderr, "x86_emu_cases.h:%d: %s = %#llx, expected %#llx\n",
		line, what, (unsigned long long)got, (unsigned long long)want);
}

int fuzz_initialize(int *argc, char ***argv)
{
	unsigned int i;

	for (i = 0; i < XT_NPAGES; i++)
		t.page[i] = pages[i];
	t.tlb = &tlb;
	t.fail = fuzz_case_fail;
	for (i = 0; i < ARRAY_SIZE(xt_tests); i++) {
		t.nfail = 0;
		xt_tests[i].fn(&t);
		if (t.nfail || t.bad_calls) {
			fprintf(stderr, "fuzz_x86_emu: case %s fails\n",
				xt_tests[i].name);
			abort();
		}
	}
	return 0;
}

static void fuzz_setup(const struct fuzz_x86_input *in, const u8 *data,
		       size_t len)
{
	unsigned int i;

	switch (in->mode & 3) {
	case FUZZ_REAL:
		xt_real(&t);
		break;
	case FUZZ_PROT32:
		xt_prot32(&t);
		if (in->flags & FUZZ_F_CODE16) {
			t.s.seg[X86_CS].attributes &= ~HV_X64_SEGMENT_DEFAULT;
			t.s.seg[X86_SS].attributes &= ~HV_X64_SEGMENT_DEFAULT;
		}
		break;
	default:
		xt_long(&t);
		if ((in->mode & 3) == FUZZ_LONG_TABLES)
			t.s.cr3 = XT_CODE + (u64)in->cr3_page * XT_PAGE_SIZE;
		if (in->flags & FUZZ_F_NO_WP)
			t.s.cr0 &= ~0x10000ULL;
		if (in->flags & FUZZ_F_NO_NXE)
			t.s.efer &= ~0x800ULL;
		break;
	}
	if ((in->mode & 3) != FUZZ_REAL && (in->flags & FUZZ_F_CPL3)) {
		t.s.seg[X86_SS].attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
		t.s.seg[X86_CS].attributes |= 3 << HV_X64_SEGMENT_DPL_SHIFT;
	}
	if (in->flags & FUZZ_F_UNMAPPED) {
		t.unmapped_lo = (u64)(in->unmapped_page % XT_LOW_PAGES) *
				XT_PAGE_SIZE;
		t.unmapped_hi = t.unmapped_lo + XT_PAGE_SIZE;
	}
	if (in->flags & FUZZ_F_READ_ONLY) {
		t.ro_lo = (u64)(in->ro_page % XT_LOW_PAGES) * XT_PAGE_SIZE;
		t.ro_hi = t.ro_lo + XT_PAGE_SIZE;
	}
	for (i = 0; i < X86_NR_GPRS; i++)
		t.s.gpr[i] = in->gpr[i];
	t.s.rflags = in->rflags | 0x2;
	t.s.idtr.base = XT_CODE;
	t.s.gdtr.base = XT_CODE;
	t.use_tlb = in->flags & FUZZ_F_TLB;
	t.map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	if (len > FUZZ_MAX_DATA)
		len = FUZZ_MAX_DATA;
	for (i = 0; i < len; i++)
		*xt_ptr(&t, XT_CODE + i) = data[i];
}

static void fuzz_translate(const struct fuzz_x86_input *in)
{
	enum x86_emu_access access = in->xlate & FUZZ_X_ACCESS_MASK;
	bool set_ad = in->xlate & FUZZ_X_SET_AD;
	bool paging = (t.s.cr0 & 0x80000001ULL) == 0x80000001ULL;
	enum x86_emu_xlate r, r2;
	u64 gpa = 0, gpa2 = 0;

	if (access > X86_EMU_ACCESS_EXECUTE)
		access = X86_EMU_ACCESS_READ;
	t.writes = 0;
	/* the read-only walk first: it must not write at all */
	r = x86_emu_translate(&t.s, &xt_ops, &t, in->xlate_gva, access, false,
			      &gpa);
	FUZZ_CHECK(t.writes == 0);
	FUZZ_CHECK(r == X86_EMU_XLATE_OK || r == X86_EMU_XLATE_PAGE_NOT_PRESENT ||
		   r == X86_EMU_XLATE_PRIVILEGE_VIOLATION ||
		   r == X86_EMU_XLATE_INVALID_PAGE_TABLE_FLAGS ||
		   r == X86_EMU_XLATE_GPA_UNMAPPED);
	if (!paging)
		FUZZ_CHECK(r == X86_EMU_XLATE_OK && gpa == in->xlate_gva);
	if (!set_ad)
		return;
	r2 = x86_emu_translate(&t.s, &xt_ops, &t, in->xlate_gva, access, true,
			       &gpa2);
	if (r2 == X86_EMU_XLATE_GPA_NO_WRITE_ACCESS) {
		FUZZ_CHECK(r == X86_EMU_XLATE_OK);
		return;
	}
	FUZZ_CHECK(r2 == r);
	if (r == X86_EMU_XLATE_OK)
		FUZZ_CHECK(gpa2 == gpa);
	else
		FUZZ_CHECK(t.writes == 0);
	/* at most one A/D store per level */
	FUZZ_CHECK(t.writes <= 4);
}

static void fuzz_check_event(const struct x86_emu_event *ev)
{
	FUZZ_CHECK(ev->type <= X86_EVENT_SOFTINT);
	if (ev->type == X86_EVENT_SOFTINT)
		return;
	FUZZ_CHECK(ev->vector < 32);
	if (ev->error_code_valid)
		FUZZ_CHECK(ev->vector == X86_EMU_VEC_DF ||
			   (ev->vector >= X86_EMU_VEC_TS &&
			    ev->vector <= X86_EMU_VEC_PF) ||
			   ev->vector == X86_EMU_VEC_AC);
	if (ev->cr2_valid)
		FUZZ_CHECK(ev->vector == X86_EMU_VEC_PF ||
			   ev->vector == X86_EMU_VEC_DF);
}

/*
 * Deliver the exception of the last stop, and what its delivery raises;
 * returns true when the guest is at a handler.
 */
static bool fuzz_take(void)
{
	unsigned int n;

	for (n = 0; n < 4; n++) {
		struct x86_emu_event ev = t.x.exc;

		xt_save(&t);
		t.writes = 0;
		if (x86_emu_deliver_event(&t.s, &xt_ops, &t, &ev, &t.x)) {
			FUZZ_CHECK(t.x.reason == X86_EXIT_NONE);
			return true;
		}
		FUZZ_CHECK(xt_unchanged(&t) && t.writes == 0);
		FUZZ_CHECK(!t.x.mem.value_valid ||
			   t.x.reason == X86_EXIT_EXCEPTION);
		if (t.x.reason != X86_EXIT_EXCEPTION) {
			FUZZ_CHECK(t.x.reason == X86_EXIT_MEMORY ||
				   t.x.reason == X86_EXIT_UNSUPPORTED ||
				   t.x.reason == X86_EXIT_TRIPLE_FAULT);
			return false;
		}
		fuzz_check_event(&t.x.exc);
		FUZZ_CHECK(t.x.exc.type == X86_EVENT_EXCEPTION);
	}
	FUZZ_CHECK(!"faults while delivering do not end");
	return false;
}

static void fuzz_check_exit(const struct x86_emu_exit *x, bool retired)
{
	FUZZ_CHECK(x->insn_byte_count <= 15 && x->insn_len <= 15);
	if (retired) {
		FUZZ_CHECK(x->reason == X86_EXIT_NONE);
		FUZZ_CHECK(x->insn_len >= 1 &&
			   x->insn_byte_count == x->insn_len);
		return;
	}
	switch (x->reason) {
	case X86_EXIT_IO:
		FUZZ_CHECK(x->io.size == 1 || x->io.size == 2 ||
			   x->io.size == 4);
		fallthrough;
	case X86_EXIT_HLT:
	case X86_EXIT_CPUID:
	case X86_EXIT_MSR:
	case X86_EXIT_HYPERCALL:
		/* decoded completely */
		FUZZ_CHECK(x->insn_len >= 1 &&
			   x->insn_byte_count == x->insn_len);
		break;
	case X86_EXIT_MEMORY:
		FUZZ_CHECK(x->mem.access == X86_EMU_ACCESS_READ ||
			   x->mem.access == X86_EMU_ACCESS_WRITE ||
			   x->mem.access == X86_EMU_ACCESS_EXECUTE);
		FUZZ_CHECK(x->mem.gva_valid || !x->mem.gva);
		if (!x->mem.value_valid)
			break;
		FUZZ_CHECK(x->mem.access == X86_EMU_ACCESS_WRITE);
		FUZZ_CHECK(x->mem.size == 1 || x->mem.size == 2 ||
			   x->mem.size == 4 || x->mem.size == 8);
		FUZZ_CHECK(x->mem.size == 8 ||
			   !(x->mem.value >> (x->mem.size * 8)));
		break;
	case X86_EXIT_UNSUPPORTED:
		break;
	case X86_EXIT_EXCEPTION:
		fuzz_check_event(&x->exc);
		if (x->exc.type == X86_EVENT_SOFTEXC ||
		    x->exc.type == X86_EVENT_SOFTINT)
			FUZZ_CHECK(x->exc.insn_len == x->insn_len &&
				   x->insn_len >= 1);
		break;
	default:
		FUZZ_CHECK(!"exit reason");
	}
}

int fuzz_test_one_input(const u8 *data, size_t size)
{
	struct fuzz_x86_input in;
	unsigned int i, steps;

	if (size < sizeof(in))
		return -1;	/* not added to the corpus */
	memcpy(&in, data, sizeof(in));
	fuzz_setup(&in, data + sizeof(in), size - sizeof(in));
	fuzz_translate(&in);

	xt_save(&t);
	t.writes = 0;
	if (x86_emu_deliver_interrupt(&t.s, &xt_ops, &t, in.vector, &t.x)) {
		FUZZ_CHECK(t.x.reason == X86_EXIT_NONE);
	} else {
		FUZZ_CHECK(t.x.reason == X86_EXIT_MEMORY ||
			   t.x.reason == X86_EXIT_UNSUPPORTED ||
			   t.x.reason == X86_EXIT_EXCEPTION);
		FUZZ_CHECK(t.x.reason == X86_EXIT_EXCEPTION ||
			   !t.x.mem.value_valid);
		FUZZ_CHECK(xt_unchanged(&t) && t.writes == 0);
		if (t.x.reason == X86_EXIT_EXCEPTION) {
			fuzz_check_event(&t.x.exc);
			fuzz_take();
		}
	}

	steps = in.steps % FUZZ_MAX_STEPS + 1;
	for (i = 0; i < steps; i++) {
		bool retired;

		xt_save(&t);
		t.writes = 0;
		retired = xt_step(&t);
		fuzz_check_exit(&t.x, retired);
		if (retired)
			continue;
		FUZZ_CHECK(xt_unchanged(&t) && t.writes == 0);
		if (t.x.reason == X86_EXIT_EXCEPTION) {
			if (fuzz_take())
				continue;
			break;
		}
		if (t.x.reason == X86_EXIT_MEMORY ||
		    t.x.reason == X86_EXIT_UNSUPPORTED)
			break;
		/* what a VMM does after completing the stop */
		t.s.rip += t.x.insn_len;
	}
	FUZZ_CHECK(t.bad_calls == 0);
	return 0;
}
