// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace unit tests of hvsim's x86 interpreter: the table-driven cases
 * shared with KUnit (kunit/x86_emu_cases.h), plus a cross-check of the
 * arithmetic flags against the host CPU on random inputs.
 *
 *   x86_emu_test [ITERATIONS]    run everything
 *   x86_emu_test --seeds DIR     write fuzz_x86_emu's seed inputs to
 *                                DIR/fuzz_x86_emu/ and exit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "x86_emu_cases.h"
#include "fuzz_x86_emu.h"
#include "host_ops.h"

static u8 pages[XT_NPAGES][XT_PAGE_SIZE];
static struct xt t;
static const char *current;

static void report(struct xt *tt, int line, const char *what, u64 got,
		   u64 want)
{
	fprintf(stderr, "FAIL %s: line %d: %s = 0x%llx, expected 0x%llx\n",
		current, line, what, (unsigned long long)got,
		(unsigned long long)want);
}

static unsigned int size_index(unsigned int size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/* Host reference, flags in the arithmetic mask only */
static u64 host_op(unsigned int op, unsigned int size, u64 a, u64 b, u64 cin,
		   u64 *flags)
{
	unsigned int row = op;
	u64 f, r;

	if (op >= 8)	/* 0x14 SHL, 0x15 SHR, 0x17 SAR */
		row = (op & 7) == 4 ? 8 : (op & 7) == 5 ? 9 : 10;

	r = host_ops_table[row][size_index(size)](a, b, cin, &f);
	*flags = f & XT_ARITH;
	return r;
}

static u64 rng_state = 0x9E3779B97F4A7C15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random operands, biased towards the edges where flags change */
static u64 rnd_operand(unsigned int size)
{
	static const u64 edge[] = { 0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000,
				    0xFFFF, 0x7FFFFFFF, 0x80000000,
				    0xFFFFFFFF, 0x7FFFFFFFFFFFFFFFULL,
				    0x8000000000000000ULL, ~0ULL };
	u64 v = rnd();

	if ((v & 3) == 0)
		v = edge[(v >> 8) % ARRAY_SIZE(edge)] + ((v >> 4) & 1);
	return v & xt_size_mask(size);
}

static unsigned int crosscheck(unsigned int op, unsigned int size,
			       unsigned int iterations)
{
	unsigned int i, bad = 0;

	for (i = 0; i < iterations; i++) {
		struct xt_flag_row row = { .op = op, .size = size };
		u64 hf, hr, undef = 0, want, got, gf;
		unsigned int cnt;

		row.a = rnd_operand(size);
		row.b = op < 8 ? rnd_operand(size) : rnd() & 0xFF;
		row.cin = rnd() & 1;
		hr = host_op(op, size, row.a, row.b, row.cin, &hf);
		if (op == 1 || op == 4 || op == 6)
			undef = XT_AF;
		if (op >= 8) {
			cnt = row.b & (size == 8 ? 63 : 31);
			undef = XT_AF;
			if (cnt != 1)
				undef |= XT_OF;
			if (cnt >= size * 8)
				undef |= XT_CF;
			if (!cnt)
				undef = XT_ARITH;
		}
		xt_flag_program(&t, &row);
		if (!x86_emu_step(&t.s, &xt_ops, &t, &t.x)) {
			bad++;
			continue;
		}
		want = hr & xt_size_mask(size);
		if (size < 4)
			want |= row.a & ~xt_size_mask(size);
		if (op == 7)
			want = row.a;
		got = t.s.gpr[X86_RAX];
		gf = t.s.rflags & XT_ARITH & ~undef;
		if (got != want || gf != (hf & ~undef)) {
			if (bad < 5)
				fprintf(stderr,
					"FAIL host op %#x size %u a %#llx b %#llx cin %u: got %#llx/%#llx want %#llx/%#llx\n",
					op, size, (unsigned long long)row.a,
					(unsigned long long)row.b, row.cin,
					(unsigned long long)got,
					(unsigned long long)gf,
					(unsigned long long)want,
					(unsigned long long)(hf & ~undef));
			bad++;
		}
	}
	return bad;
}

/*
 * Random instruction bytes in each mode: whatever they are, a step that
 * does not retire leaves the state and memory alone, and every access
 * respects the ops contract.  Run under ASan/UBSan by the Makefile.
 */
static unsigned int fuzz(unsigned int iterations)
{
	unsigned int i, j, bad = 0;

	for (i = 0; i < iterations; i++) {
		unsigned int mode = i % 3;
		bool retired;

		if (mode == 0)
			xt_real(&t);
		else if (mode == 1)
			xt_prot32(&t);
		else
			xt_long(&t);
		for (j = 0; j < X86_NR_GPRS; j++)
			t.s.gpr[j] = (rnd() & 1) ? rnd() : rnd() & 0x3FFFF;
		t.s.rflags = 0x2 | (rnd() & 0xCD5);
		for (j = 0; j < 16; j++)
			xt_put(&t, XT_CODE + j, rnd() & 0xFF, 1);
		if (rnd() & 1) {
			t.unmapped_lo = rnd() & 0x3F000;
			t.unmapped_hi = t.unmapped_lo + 0x1000;
		}
		if (rnd() & 1) {
			t.ro_lo = rnd() & 0x3F000;
			t.ro_hi = t.ro_lo + 0x2000;
		}
		xt_save(&t);
		t.writes = 0;
		retired = x86_emu_step(&t.s, &xt_ops, &t, &t.x);
		if (t.bad_calls || t.x.insn_byte_count > 15 ||
		    t.x.insn_len > 15 ||
		    (!retired && (!xt_unchanged(&t) || t.writes))) {
			if (bad < 5)
				fprintf(stderr,
					"FAIL random bytes %u: mode %u reason %d bytes %02x %02x %02x %02x\n",
					i, mode, t.x.reason,
					t.x.insn_bytes[0], t.x.insn_bytes[1],
					t.x.insn_bytes[2], t.x.insn_bytes[3]);
			bad++;
		}
	}
	return bad;
}

/* One seed of fuzz_x86_emu: a program in a mode, with some registers */
struct seed {
	const char *name;
	u8 mode, flags;
	u64 rax, rcx, rdi, rsi;
	unsigned int len;
	u8 code[48];
};

static const struct seed seeds[] = {
	{ "real_portio", FUZZ_REAL, 0, 0, 0, 0, 0, 15,
	  { 0xB0, 0x05, 0xB3, 0x03, 0xBA, 0xF8, 0x03, 0x00, 0xD8, 0x04, 0x30,
	    0xEE, 0xEC, 0xE6, 0x80, } },
	{ "real_strings", FUZZ_REAL, 0, 0x41, 8, 0x3000, 0x2000, 12,
	  { 0xF3, 0xA4, 0xFD, 0xAC, 0xFC, 0xF3, 0xAB, 0xE2, 0xF4, 0x0F, 0xA2,
	    0xF4 } },
	{ "prot32_stack", FUZZ_PROT32, 0, 7, 3, 0x2000, 0x2100, 22,
	  { 0x50, 0x53, 0xE8, 0x03, 0x00, 0x00, 0x00, 0x5B, 0x58, 0xC3, 0x01,
	    0xC8, 0x29, 0xC1, 0x0F, 0xAF, 0xC1, 0xF7, 0xF1, 0x0F, 0x32, 0xF4 } },
	{ "long_stosq", FUZZ_LONG, 0, 0x0123456789ABCDEFULL, 16, 0x10FF0, 0,
	  8, { 0xF3, 0x48, 0xAB, 0x48, 0xF7, 0xE1, 0xE6, 0x10 } },
	{ "long_user", FUZZ_LONG, FUZZ_F_CPL3 | FUZZ_F_NO_WP, 1, 2, 0x20000,
	  0x20008, 18,
	  { 0x48, 0x89, 0x07, 0x48, 0x8B, 0x1E, 0x48, 0x8D, 0x44, 0x8E, 0x08,
	    0x0F, 0xB6, 0xC8, 0x48, 0x63, 0xD1, 0xF4 } },
	{ "long_tables", FUZZ_LONG_TABLES, FUZZ_F_UNMAPPED | FUZZ_F_READ_ONLY,
	  5, 0, 0x1000, 0, 16,
	  { 0x03, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0x83, 0, 0, 0, 0, 0, 0, 0 } },
};

static int write_seeds(const char *dir)
{
	char path[4096];
	unsigned int i;

	snprintf(path, sizeof(path), "%s/fuzz_x86_emu", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) ||
	    (mkdir(path, 0755) && errno != EEXIST)) {
		perror(path);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(seeds); i++) {
		const struct seed *sd = &seeds[i];
		struct fuzz_x86_input in = {
			.mode = sd->mode,
			.flags = sd->flags,
			.steps = 40,
			.xlate = FUZZ_X_SET_AD | X86_EMU_ACCESS_WRITE,
			.unmapped_page = 0x2A,
			.ro_page = 0x2B,
			.rflags = 0x2,
			.xlate_gva = sd->rdi,
		};
		FILE *f;

		in.gpr[X86_RAX] = sd->rax;
		in.gpr[X86_RCX] = sd->rcx;
		in.gpr[X86_RDI] = sd->rdi;
		in.gpr[X86_RSI] = sd->rsi;
		in.gpr[X86_RSP] = XT_STACK;
		in.gpr[X86_RBX] = 0x2000;
		snprintf(path, sizeof(path), "%s/fuzz_x86_emu/%s", dir,
			 sd->name);
		f = fopen(path, "wb");
		if (!f || fwrite(&in, sizeof(in), 1, f) != 1 ||
		    fwrite(sd->code, sd->len, 1, f) != 1 || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

/* The cases the stores-through-the-TLB pass leaves out (see main()) */
static bool rw_skip(const char *name)
{
	static const char *const skip[] = { "strings", "rep_fault",
					    "long_stosq" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(skip); i++)
		if (!strcmp(name, skip[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const unsigned int ops[] = { 0, 1, 2, 3, 4, 5, 6, 7,
					    0x14, 0x15, 0x17 };
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	static struct x86_emu_tlb tlb;
	unsigned int passed = 0, failed = 0, i, j, k, bad;
	unsigned int iterations;

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	iterations = argc > 1 ? (unsigned int)atoi(argv[1]) : 20000;

	for (i = 0; i < XT_NPAGES; i++)
		t.page[i] = pages[i];
	t.fail = report;
	t.tlb = &tlb;

	/*
	 * every case without the software TLB, with it for reads and
	 * instruction fetches, and with it for stores too (through the host
	 * page, not x86_emu_mem_ops.access), but for the cases that count
	 * the steps of a rep string instruction or its access calls: with
	 * stores through the TLB it does a page per step
	 */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < ARRAY_SIZE(xt_tests); i++) {
			current = xt_tests[i].name;
			if (k == 2 && rw_skip(current))
				continue;
			t.nfail = 0;
			t.bad_calls = 0;
			t.use_tlb = k;
			t.map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_EXEC;
			if (k == 2)
				t.map_rights |= X86_EMU_TLB_WRITE;
			xt_tests[i].fn(&t);
			if (t.bad_calls)
				report(&t, 0, "bad access calls", t.bad_calls, 0);
			if (t.nfail || t.bad_calls)
				failed++;
			else
				passed++;
			printf("%s %s%s\n", t.nfail || t.bad_calls ? "FAIL" : "ok  ",
			       current, k == 2 ? " (tlb rw)" : k ? " (tlb)" : "");
		}
	}
	t.use_tlb = false;

	xt_long(&t);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			current = "host crosscheck";
			bad = crosscheck(ops[i], sizes[j], iterations);
			if (bad)
				failed++;
			else
				passed++;
			printf("%s host_flags op %#x size %u (%u inputs)\n",
			       bad ? "FAIL" : "ok  ", ops[i], sizes[j],
			       iterations);
		}
	}

	bad = fuzz(iterations * 5);
	if (bad)
		failed++;
	else
		passed++;
	printf("%s random instruction bytes (%u inputs)\n",
	       bad ? "FAIL" : "ok  ", iterations * 5);

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
