// SPDX-License-Identifier: GPL-2.0-only
/*
 * Throughput of hvsim's x86 interpreter (Documentation/hvsim.rst), run
 * inside the test VM by `make bench`.  Each loop is one function of
 * position-independent x86-64 code (mshv_bench_interp_code.S); the same
 * bytes run
 *
 *  - natively, called from this process, and
 *  - as a 64-bit guest on identity-mapped 4 KiB pages, called with a
 *    return address that points at "out 0xE9, al; hlt",
 *
 * so that every figure has its native speed beside it, measured in the
 * same VM in the same run.  Lines:
 *
 *   bench: interp_alu_ips <guest instructions/s> ...
 *   bench: interp_alu_vs_native <guest/native> ...
 *
 * and the same for interp_loadstore_ips, interp_rep_movsb_bps (bytes/s)
 * and interp_pio_exits_per_s (OUT instructions completed by the VMM per
 * second; natively, OUT to port 0x80 after ioperm()).  When hvsim has
 * its "tlb" parameter, every figure is first taken without the software
 * TLB (names ending in _no_tlb), then with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/io.h>

#include "mshv_lib.h"
#include "mshv_debugfs.h"
#include "mshv_paging.h"
#include "mshv_bench_interp.h"

#define MEM_SIZE	0x400000ULL	/* 4 MiB of guest memory at GPA 0 */
#define CODE_GPA	0x1000ULL	/* the loop functions */
#define GDT_GPA		0x3000ULL
#define STUB_GPA	0x4000ULL	/* out 0xE9, al; hlt */
#define STACK_TOP	0x8000ULL
#define TABLES_GPA	0x10000ULL
#define TABLES_SIZE	0x10000ULL
#define BUF_GPA		0x100000ULL	/* load/store buffer, 64 KiB */
#define SRC_GPA		0x120000ULL	/* rep movsb source, 64 KiB */
#define DST_GPA		0x140000ULL	/* rep movsb destination */
#define BUF_SIZE	0x10000ULL
#define DONE_PORT	0xE9
#define LOOP_PORT	0x80

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Seconds a measurement aims at */
#define TARGET_S	1.0

/* hvsim's switch for the interpreter's software TLB */
#define TLB_PARAM	"/sys/module/hvsim/parameters/tlb"

/* Appended to every figure's name ("_no_tlb" for the run without TLB) */
static const char *suffix = "";

/* Instructions one run executes, but the RET: setup + n * per iteration */
#define ALU_INSNS(n)		(2 + 6 * (n))
#define LOADSTORE_INSNS(n)	(1 + 7 * (n))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct guest {
	struct mshv_vm *vm;
	struct mshv_vp *vp;
	struct mshv_paging pg;
	__u64 id;
	__u64 exits;
	__u64 dispatches;
};

static struct guest *guest_create(void)
{
	static const __u8 stub[] = { 0xE6, DONE_PORT, 0xF4 };
	struct guest *g = calloc(1, sizeof(*g));

	MSHV_TEST_ASSERT(g, "out of memory");
	g->vm = mshv_vm_create();
	g->id = mshv_dbg_newest_partition();
	mshv_vm_add_memory(g->vm, 0, MEM_SIZE);
	g->vp = mshv_vp_create(g->vm, 0);
	mshv_paging_init(&g->pg, g->vm, TABLES_GPA, TABLES_SIZE);
	/* identity, 4 KiB pages: every page the loops touch has its walk */
	mshv_paging_map(&g->pg, 0, 0, MSHV_PAGE_2M, MSHV_PAGE_SIZE);
	mshv_vp_enter_long_mode(g->vp, &g->pg, GDT_GPA);
	mshv_vm_write(g->vm, CODE_GPA, (void *)bench_code_start,
		      (const char *)(void *)bench_code_end -
		      (const char *)(void *)bench_code_start);
	mshv_vm_write(g->vm, STUB_GPA, stub, sizeof(stub));
	return g;
}

static void guest_free(struct guest *g)
{
	mshv_vp_free(g->vp);
	mshv_vm_free(g->vm);
	free(g);
}

/*
 * Call @fn in the guest with the four arguments; the VMM completes every
 * OUT to LOOP_PORT.  Return: seconds until the guest returned.
 */
static double guest_call(struct guest *g, const void *fn, __u64 a0,
			 __u64 a1, __u64 a2, __u64 a3)
{
	const __u64 ret_addr = STUB_GPA;
	const struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_RDI, .value.reg64 = a0 },
		{ .name = HV_X64_REGISTER_RSI, .value.reg64 = a1 },
		{ .name = HV_X64_REGISTER_RDX, .value.reg64 = a2 },
		{ .name = HV_X64_REGISTER_RCX, .value.reg64 = a3 },
		{ .name = HV_X64_REGISTER_RSP, .value.reg64 = STACK_TOP - 8 },
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 0x2 },
		{ .name = HV_X64_REGISTER_RIP,
		  .value.reg64 = CODE_GPA + ((const char *)fn -
				(const char *)(void *)bench_code_start) },
	};
	const struct hv_x64_io_port_intercept_message *io;
	double t0;

	mshv_vm_write(g->vm, STACK_TOP - 8, &ret_addr, sizeof(ret_addr));
	mshv_vp_set_registers(g->vp, regs, ARRAY_SIZE(regs));
	g->exits = 0;
	g->dispatches = mshv_dbg_partition_get(g->id).dispatches;
	t0 = now();
	for (;;) {
		io = mshv_vp_run_expect_io(g->vp);
		if (io->port_number == DONE_PORT)
			break;
		MSHV_TEST_ASSERT(io->port_number == LOOP_PORT,
				 "OUT to port %#x", io->port_number);
		g->exits++;
		mshv_vp_skip_insn(g->vp, &io->header);
	}
	t0 = now() - t0;
	g->dispatches = mshv_dbg_partition_get(g->id).dispatches -
			g->dispatches;
	return t0;
}

/* n scaled so that a run that took @t for @n takes about TARGET_S */
static __u64 scale(__u64 n, double t)
{
	double k = t > 0 ? TARGET_S / t : 1000;

	if (k > 1000)
		k = 1000;
	return n * k < 1 ? 1 : (__u64)(n * k);
}

static void report(const char *name, const char *unit, double guest,
		   double native)
{
	printf("bench: %s%s %.0f %s (native %.0f)\n", name, suffix, guest, unit,
	       native);
	printf("bench: %s_vs_native%s %.6f guest/native\n", name, suffix,
	       guest / native);
}

/*
 * Call @fn with @args twice in the guest, or natively: once to scale the
 * count in @args[@count] to about TARGET_S, then timed.  Return: seconds.
 */
static double timed(struct guest *g, bench_fn *fn, __u64 *args,
		    unsigned int count)
{
	double t;
	int i;

	for (i = 0; i < 2; i++) {
		if (i)
			args[count] = scale(args[count], t);
		if (g) {
			t = guest_call(g, (const void *)fn, args[0], args[1],
				       args[2], args[3]);
		} else {
			t = now();
			fn(args[0], args[1], args[2], args[3]);
			t = now() - t;
		}
	}
	return t;
}

static void bench_alu_all(struct guest *g)
{
	__u64 args[4] = { 1000 }, budget = 0;
	double t, guest;

	t = timed(g, bench_alu, args, 0);
	guest = ALU_INSNS(args[0]) / t;
	/*
	 * A dispatch runs with interrupts disabled: the wall time per
	 * dispatch (with the root's share between two) bounds that time
	 */
	mshv_read_u64_file("/sys/module/hvsim/parameters/dispatch_budget",
			   &budget);
	printf("bench: interp_dispatch_us%s %.1f us/dispatch (budget %llu)\n",
	       suffix, t * 1e6 / g->dispatches, (unsigned long long)budget);

	args[0] = 1000000;
	t = timed(NULL, bench_alu, args, 0);
	report("interp_alu_ips", "insn/s", guest, ALU_INSNS(args[0]) / t);
}

static void bench_loadstore_all(struct guest *g)
{
	void *buf = aligned_alloc(4096, BUF_SIZE);
	__u64 args[4] = { 1000, BUF_GPA };
	double t, guest;

	MSHV_TEST_ASSERT(buf, "out of memory");
	memset(buf, 0, BUF_SIZE);
	t = timed(g, bench_loadstore, args, 0);
	guest = LOADSTORE_INSNS(args[0]) / t;

	args[0] = 1000000;
	args[1] = (unsigned long)buf;
	t = timed(NULL, bench_loadstore, args, 0);
	free(buf);
	report("interp_loadstore_ips", "insn/s", guest,
	       LOADSTORE_INSNS(args[0]) / t);
}

static void bench_movsb_all(struct guest *g)
{
	char *src = aligned_alloc(4096, BUF_SIZE);
	char *dst = aligned_alloc(4096, BUF_SIZE);
	__u64 args[4] = { DST_GPA, SRC_GPA, BUF_SIZE, 1 };
	__u8 *mem = g->vm->mem;
	double t, guest;
	__u64 i;

	MSHV_TEST_ASSERT(src && dst, "out of memory");
	for (i = 0; i < BUF_SIZE; i++) {
		src[i] = (char)(i * 7);
		mem[SRC_GPA + i] = (__u8)(i * 7);
	}
	memset(dst, 0, BUF_SIZE);
	t = timed(g, bench_movsb, args, 3);
	guest = BUF_SIZE * args[3] / t;
	MSHV_TEST_ASSERT(!memcmp(mem + DST_GPA, mem + SRC_GPA, BUF_SIZE),
			 "guest rep movsb copied wrong bytes");

	args[0] = (unsigned long)dst;
	args[1] = (unsigned long)src;
	args[3] = 100;
	t = timed(NULL, bench_movsb, args, 3);
	MSHV_TEST_ASSERT(!memcmp(dst, src, BUF_SIZE), "rep movsb");
	free(src);
	free(dst);
	report("interp_rep_movsb_bps", "bytes/s", guest, BUF_SIZE * args[3] / t);
}

static void bench_pio_all(struct guest *g)
{
	__u64 args[4] = { 100 };
	double t, guest;

	t = timed(g, bench_pio, args, 0);
	MSHV_TEST_ASSERT(g->exits == args[0], "%llu exits for %llu OUTs",
			 (unsigned long long)g->exits,
			 (unsigned long long)args[0]);
	guest = args[0] / t;

	MSHV_TEST_ASSERT(!ioperm(LOOP_PORT, 1, 1), "ioperm(%#x)", LOOP_PORT);
	args[0] = 1000;
	t = timed(NULL, bench_pio, args, 0);
	report("interp_pio_exits_per_s", "exits/s", guest, args[0] / t);
}

static void bench_all(struct guest *g)
{
	bench_alu_all(g);
	bench_loadstore_all(g);
	bench_movsb_all(g);
	bench_pio_all(g);
}

int main(void)
{
	struct guest *g;

	setvbuf(stdout, NULL, _IOLBF, 0);
	g = guest_create();
	/*
	 * The same figures without the software TLB first, when hvsim has
	 * the switch: the speedup in one run, whatever the machine's load
	 */
	if (!mshv_write_file(TLB_PARAM, "0")) {
		suffix = "_no_tlb";
		bench_all(g);
		MSHV_TEST_ASSERT(!mshv_write_file(TLB_PARAM, "1"), "%s",
				 TLB_PARAM);
		suffix = "";
	}
	bench_all(g);
	guest_free(g);
	return 0;
}
