/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Input of fuzz_hvsim_decode: this header, then the first bytes of the
 * input page (the rest of the page is zero).
 */
#ifndef _HVSIM_USER_FUZZ_HVSIM_DECODE_H
#define _HVSIM_USER_FUZZ_HVSIM_DECODE_H

#define FUZZ_DECODE_OUTPUT	0x1	/* the call has an output page */

struct fuzz_hvsim_decode_input {
	u64 control;
	u64 flags;
};

#endif /* _HVSIM_USER_FUZZ_HVSIM_DECODE_H */
