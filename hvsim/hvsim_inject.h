/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_inject.c: fault injection (debugfs "inject") and owed
 * asynchronous completions ("pending" rules).
 */
#ifndef _HVSIM_INJECT_H
#define _HVSIM_INJECT_H

#include <linux/types.h>

#include "hvsim_decode.h"

struct dentry;

u16 hvsim_inject_hypercall(u16 code, u16 *max_reps);
u64 hvsim_inject_pool_cap(void);
void hvsim_inject_init(struct dentry *dir);

u16 hvsim_inject_pending(const struct hvsim_call *call, u16 status);
void hvsim_inject_exit(void);

#endif /* _HVSIM_INJECT_H */
