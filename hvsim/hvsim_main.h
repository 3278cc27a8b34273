/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_main.c: the hypercall entry point and the module.
 */
#ifndef _HVSIM_MAIN_H
#define _HVSIM_MAIN_H

#include <linux/types.h>

u64 hvsim_hypercall(u64 control, void *input, void *output);

#endif /* _HVSIM_MAIN_H */
