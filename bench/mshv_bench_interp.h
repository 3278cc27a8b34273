/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loops mshv_bench_interp.c runs natively and as a guest
 * (mshv_bench_interp_code.S): [bench_code_start, bench_code_end) is
 * copied into guest memory as it is.
 */
#ifndef _MSHV_BENCH_INTERP_H
#define _MSHV_BENCH_INTERP_H

#include <linux/types.h>

void bench_code_start(void);
void bench_code_end(void);

/*
 * Every loop as one type, SysV registers RDI, RSI, RDX, RCX: each reads
 * only the arguments it names
 */
typedef void bench_fn(__u64 a0, __u64 a1, __u64 a2, __u64 a3);

bench_fn bench_alu;		/* (n) */
bench_fn bench_loadstore;	/* (n, buf) */
bench_fn bench_movsb;		/* (dst, src, len, n) */
bench_fn bench_pio;		/* (n) */

#endif /* _MSHV_BENCH_INTERP_H */
