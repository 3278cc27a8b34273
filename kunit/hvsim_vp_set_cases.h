/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test cases of hvsim_decode_vp_set() (the sparse VP sets of the guest
 * hypercalls), shared by KUnit (kunit/hvsim_guest_hcall_test.c) and the
 * userspace unit tests (hvsim/user/hvsim_decode_test.c).  Included once
 * per test program, after hvsim_decode.h.
 */
#ifndef _HVSIM_VP_SET_CASES_H
#define _HVSIM_VP_SET_CASES_H

/*
 * hvsim_decode_vp_set(): a set (format, valid bank mask, up to four bank
 * qwords), the bank contents the caller passed (@nbanks), the status and
 * the VPs named (HVSIM_VP_SET_WORDS qwords: VPs 0-255).
 */
struct hvsim_vp_set_case {
	const char *what;
	u64 format;
	u64 mask;
	u64 banks[4];
	u16 nbanks;
	u16 status;
	u64 vps[HVSIM_VP_SET_WORDS];
};

#define VS_ALL	{ ~0ULL, ~0ULL, ~0ULL, ~0ULL }
#define VS_OK	HV_STATUS_SUCCESS
#define VS_HCI	HV_STATUS_INVALID_HYPERCALL_INPUT
#define VS_PAR	HV_STATUS_INVALID_PARAMETER

static const struct hvsim_vp_set_case hvsim_vp_set_cases[] = {
	{ "all", HV_GENERIC_SET_ALL, 0, {}, 0, VS_OK, VS_ALL },
	{ "all ignores the mask", HV_GENERIC_SET_ALL, 0x5, {}, 0, VS_OK,
	  VS_ALL },
	{ "all with bank contents", HV_GENERIC_SET_ALL, 0, { 1 }, 1, VS_HCI },
	{ "unknown format", 2, 1, { 1 }, 1, VS_PAR },
	{ "empty sparse set", HV_GENERIC_SET_SPARSE_4K, 0, {}, 0, VS_OK },
	{ "bank 0", HV_GENERIC_SET_SPARSE_4K, 0x1, { 0x6 }, 1, VS_OK,
	  { 0x6 } },
	{ "bank 3 only: VPs 192, 255", HV_GENERIC_SET_SPARSE_4K, 0x8,
	  { BIT_ULL(63) | 1 }, 1, VS_OK, { 0, 0, 0, BIT_ULL(63) | 1 } },
	{ "banks 1 and 2, in order", HV_GENERIC_SET_SPARSE_4K, 0x6,
	  { 0x10, 0x20 }, 2, VS_OK, { 0, 0x10, 0x20 } },
	{ "bank 63: beyond the modelled VPs", HV_GENERIC_SET_SPARSE_4K,
	  BIT_ULL(63) | 0x1, { 0x1, 0xFF }, 2, VS_OK, { 0x1 } },
	{ "fewer bank qwords than banks", HV_GENERIC_SET_SPARSE_4K, 0x3,
	  { 1 }, 1, VS_HCI },
	{ "more bank qwords than banks", HV_GENERIC_SET_SPARSE_4K, 0x1,
	  { 1, 2 }, 2, VS_HCI },
	{ "bank qwords without banks", HV_GENERIC_SET_SPARSE_4K, 0, { 1 }, 1,
	  VS_HCI },
};

/* Fill a struct hv_vp_set and its bank contents at @buf from @c */
static inline const struct hv_vp_set *
hvsim_vp_set_case_fill(const struct hvsim_vp_set_case *c, u64 *buf)
{
	unsigned int i;

	buf[0] = c->format;
	buf[1] = c->mask;
	for (i = 0; i < 4; i++)
		buf[2 + i] = c->banks[i];
	return (const struct hv_vp_set *)buf;
}

#endif /* _HVSIM_VP_SET_CASES_H */
