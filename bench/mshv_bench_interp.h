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

void bench_alu(__u64 n);
void bench_loadstore(__u64 n, void *buf);
void bench_movsb(void *dst, const void *src, __u64 len, __u64 n);
void bench_pio(__u64 n);

#endif /* _MSHV_BENCH_INTERP_H */
