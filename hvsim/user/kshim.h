/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-ins for the few kernel-isms hvsim/x86_emu.c and
 * hvsim/hvsim_decode.c use, so the interpreter and the hypercall decoders
 * build as plain C for unit tests and fuzzing.  Force-included (-include)
 * before every translation unit of the harness.
 */
#ifndef _HVSIM_USER_KSHIM_H
#define _HVSIM_USER_KSHIM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include <sys/cdefs.h>	/* __always_inline, as the kernel's */

/* the kernel's choices: u64 is unsigned long long, as __u64 is */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define fallthrough	__attribute__((__fallthrough__))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define hweight64(x)	((unsigned int)__builtin_popcountll(x))
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)

#endif /* _HVSIM_USER_KSHIM_H */
