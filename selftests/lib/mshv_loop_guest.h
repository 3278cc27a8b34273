/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A CPU-bound real-mode guest loop, for the tests and benchmarks of how
 * hvsim dispatches VPs:
 *
 *	mov ecx, LOOPS
 *   1:	dec ecx
 *	jnz 1b
 *	out PORT, al
 *	hlt
 *
 * It retires 2 * LOOPS + 2 instructions before the OUT intercept.
 */
#ifndef _MSHV_SELFTEST_LOOP_GUEST_H
#define _MSHV_SELFTEST_LOOP_GUEST_H

#include <string.h>
#include <linux/types.h>

/* Bytes of the loop, and the OUT's offset in them */
#define MSHV_LOOP_GUEST_SIZE	13
#define MSHV_LOOP_GUEST_OUT	10

/* Write the loop's bytes for @loops iterations and @port into @buf */
static inline void mshv_loop_guest(__u8 buf[MSHV_LOOP_GUEST_SIZE],
				   __u32 loops, __u8 port)
{
	const __u8 code[MSHV_LOOP_GUEST_SIZE] = {
		0x66, 0xb9, 0, 0, 0, 0,	/* mov ecx, loops */
		0x66, 0x49,		/* 1: dec ecx */
		0x75, 0xfc,		/* jnz 1b */
		0xe6, port,		/* out port, al */
		0xf4,			/* hlt */
	};

	memcpy(buf, code, sizeof(code));
	memcpy(buf + 2, &loops, sizeof(loops));	/* little-endian x86 */
}

#endif /* _MSHV_SELFTEST_LOOP_GUEST_H */
