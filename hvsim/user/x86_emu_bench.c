// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interpreter's loops of bench/mshv_bench_interp.c, natively: the same
 * guest code (bench/mshv_bench_interp_code.S) stepped by x86_emu_step_tlb()
 * in the userspace fake of kunit/x86_emu_cases.h (64-bit mode, identity
 * mapped 4 KiB pages, the software TLB), without a VM, a dispatch loop or
 * the root.  Prints guest instructions per second of CPU time (steady
 * under load); a profiler run on it (perf record, valgrind --tool=callgrind)
 * shows where a step spends its time.
 *
 *   x86_emu_bench [ITERATIONS [LOOP]]
 *
 * LOOP (alu, loadstore or mix) runs that loop alone: perf stat of two
 * runs with different ITERATIONS gives the host instructions per guest
 * instruction without the setup.  The mix loop runs ITERATIONS / 4 times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "x86_emu_cases.h"
#include "bench/mshv_bench_interp.h"
#include "bench_mix.h"

static u8 pages[XT_NPAGES][XT_PAGE_SIZE];
static struct x86_emu_tlb tlb;
static struct xt t;

static void report(struct xt *tt, int line, const char *what, u64 got,
		   u64 want)
{
	fprintf(stderr, "FAIL line %d: %s = 0x%llx, expected 0x%llx\n", line,
		what, (unsigned long long)got, (unsigned long long)want);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run @fn(@n, buf) as a guest until its RET reaches a HLT: @fn is in
 * bench/mshv_bench_interp_code.S, or in bench_mix.S (copied after it)
 */
static void run(const char *name, const void *fn, u64 n)
{
	const u8 *start = (const u8 *)bench_code_start;
	u64 len = (const u8 *)bench_code_end - start;
	u64 mix = XT_CODE + len;
	u64 steps = 0;
	double t0, t1;

	xt_long(&t);
	t.use_tlb = true;
	t.map_rights = X86_EMU_TLB_READ | X86_EMU_TLB_WRITE | X86_EMU_TLB_EXEC;
	xt_poke(&t, XT_CODE, start, len);
	xt_poke(&t, mix, bench_mix_start, bench_mix_end - bench_mix_start);
	xt_put(&t, 0x7000, 0xF4, 1);			/* hlt */
	t.s.gpr[X86_RSP] = XT_STACK - 8;
	xt_put(&t, XT_STACK - 8, 0x7000, 8);		/* return address */
	t.s.gpr[X86_RDI] = n;
	t.s.gpr[X86_RSI] = 0x10000;			/* buffer */
	if ((const u8 *)fn >= bench_mix_start &&
	    (const u8 *)fn < bench_mix_end)
		t.s.rip = mix + ((const u8 *)fn - bench_mix_start);
	else
		t.s.rip = XT_CODE + ((const u8 *)fn - start);
	t0 = now();
	while (x86_emu_step_tlb(&t.s, &xt_ops, &t, &tlb, &t.x))
		steps++;
	t1 = now();
	if (t.x.reason != X86_EXIT_HLT || t.s.rip != 0x7000)
		fprintf(stderr, "%s: stopped with %d at %#llx\n", name,
			t.x.reason, (unsigned long long)t.s.rip);
	printf("%s_ips %.0f (%llu steps)\n", name, steps / (t1 - t0),
	       (unsigned long long)steps);
}

int main(int argc, char **argv)
{
	u64 n = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000;
	const char *only = argc > 2 ? argv[2] : NULL;
	unsigned int i;

	for (i = 0; i < XT_NPAGES; i++)
		t.page[i] = pages[i];
	t.fail = report;
	t.tlb = &tlb;
	if (!only || !strcmp(only, "alu"))
		run("interp_alu", bench_alu, n);
	if (!only || !strcmp(only, "loadstore"))
		run("interp_loadstore", bench_loadstore, n);
	if (!only || !strcmp(only, "mix"))
		run("interp_mix", bench_mix, n / 4);
	return 0;
}
