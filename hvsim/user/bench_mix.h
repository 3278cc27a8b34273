/* SPDX-License-Identifier: GPL-2.0-only */
/* The Linux-like mix of x86_emu_bench (bench_mix.S) */
#ifndef _HVSIM_USER_BENCH_MIX_H
#define _HVSIM_USER_BENCH_MIX_H

#include "bench/mshv_bench_interp.h"

extern const __u8 bench_mix_start[], bench_mix_end[];
bench_fn bench_mix;		/* (n, buf) */

#endif /* _HVSIM_USER_BENCH_MIX_H */
