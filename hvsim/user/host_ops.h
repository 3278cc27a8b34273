/* SPDX-License-Identifier: GPL-2.0-only */
/* The host CPU's reference results, from host_ops.S */
#ifndef _HVSIM_USER_HOST_OPS_H
#define _HVSIM_USER_HOST_OPS_H

typedef u64 (*host_op_fn)(u64 a, u64 b, u64 carry_in, u64 *rflags);

/* [op: 0-7 ALU, 8 SHL, 9 SHR, 10 SAR][size 1, 2, 4, 8] */
extern const host_op_fn host_ops_table[11][4];

#endif /* _HVSIM_USER_HOST_OPS_H */
