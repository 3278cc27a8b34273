// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target of hvsim's hypercall decoders (hvsim/hvsim_decode.c,
 * built as plain C).  An input (fuzz_hvsim_decode.h) is a control word,
 * whether an output page is given, and the start of the input page.  The
 * call goes through the control-word decode, the entry checks of its code
 * and its input checks, as hvsim_hypercall() and the handler run them.
 * Any broken invariant aborts:
 *   - decoding is not deterministic, or the decoded fields do not encode
 *     back to the control word;
 *   - a call accepted at entry does not fit its page: fixed input +
 *     variable header + reps x input per rep above 4 KiB, an output that
 *     does not fit or is missing, reps outside the rep rules, a fast call
 *     or variable header the code does not take;
 *   - an input check reads beyond what the entry checks accepted: it runs
 *     a second time on a copy of exactly those bytes at the end of a heap
 *     block (ASan), and must answer the same;
 *   - a status that is not one hvsim's decoders document.
 * The shared test cases run once at start-up, so the harness itself is
 * known to be sound.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hvsim_decode.h"
#include "hvsim_hcalls.h"
#include "hvsim_decode_cases.h"
#include "fuzz.h"
#include "fuzz_hvsim_decode.h"

static u8 *in_page, *out_page;

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_hvsim_decode: %s:%d: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

int fuzz_initialize(int *argc, char ***argv)
{
	unsigned int i;

	in_page = malloc(HV_HYP_PAGE_SIZE);
	out_page = malloc(HV_HYP_PAGE_SIZE);
	FUZZ_CHECK(in_page && out_page);
	FUZZ_CHECK(hvsim_hc_table_sorted());
	for (i = 0; i < ARRAY_SIZE(hvsim_input_cases); i++) {
		const struct hvsim_input_case *c = &hvsim_input_cases[i];

		hvsim_input_case_fill(c, in_page);
		if (hvsim_decode_all(c->control, in_page,
				     c->no_output ? NULL : out_page) !=
		    c->status) {
			fprintf(stderr, "fuzz_hvsim_decode: case %s fails\n",
				c->what);
			abort();
		}
	}
	return 0;
}

/* Statuses the decoders return (Documentation/hvsim.rst) */
static bool status_documented(u16 status)
{
	switch (status) {
	case HV_STATUS_SUCCESS:
	case HV_STATUS_INVALID_HYPERCALL_CODE:
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_PARAMETER:
	case HV_STATUS_INVALID_PARTITION_ID:
	case HV_STATUS_INVALID_CONNECTION_ID:
	case HV_STATUS_INVALID_PORT_ID:
	case HV_STATUS_INVALID_VP_INDEX:
	case HV_STATUS_INSUFFICIENT_BUFFER:
		return true;
	default:
		return false;
	}
}

static u64 encode(const struct hvsim_call *call)
{
	return (u64)call->code |
	       (call->fast ? HV_HYPERCALL_FAST_BIT : 0) |
	       ((u64)call->varhead << HV_HYPERCALL_VARHEAD_OFFSET) |
	       ((u64)call->rep_count << HV_HYPERCALL_REP_COMP_OFFSET) |
	       ((u64)call->rep_start << HV_HYPERCALL_REP_START_OFFSET);
}

/* The entry checks accepted @call for @d: check it fits */
static u32 check_accepted(const struct hvsim_hc_desc *d,
			  const struct hvsim_call *call)
{
	u32 in_len = d->in_size + call->varhead * 8U +
		     call->rep_count * (u32)d->in_rep_size;

	FUZZ_CHECK(in_len <= HV_HYP_PAGE_SIZE);
	if (d->out_size || d->out_rep_size) {
		FUZZ_CHECK(call->output);
		FUZZ_CHECK(d->out_size + call->rep_count *
			   (u32)d->out_rep_size <= HV_HYP_PAGE_SIZE);
	}
	if (d->flags & HC_REP)
		FUZZ_CHECK(call->rep_start < call->rep_count);
	else
		FUZZ_CHECK(!call->rep_count && !call->rep_start);
	FUZZ_CHECK(!call->fast || (d->flags & HC_FAST));
	FUZZ_CHECK(!call->varhead || (d->flags & HC_VARHEAD));
	return in_len;
}

int fuzz_test_one_input(const u8 *data, size_t size)
{
	struct fuzz_hvsim_decode_input hdr;
	struct hvsim_call call = {}, again = {};
	const struct hvsim_hc_desc *d;
	u16 status, status2;
	u32 in_len;
	u8 *exact;

	if (size < sizeof(hdr) || size > sizeof(hdr) + HV_HYP_PAGE_SIZE)
		return -1;
	memcpy(&hdr, data, sizeof(hdr));
	memset(in_page, 0, HV_HYP_PAGE_SIZE);
	memcpy(in_page, data + sizeof(hdr), size - sizeof(hdr));
	call.input = in_page;
	call.output = hdr.flags & FUZZ_DECODE_OUTPUT ? out_page : NULL;
	again = call;

	status = hvsim_decode_control(hdr.control, &call);
	status2 = hvsim_decode_control(hdr.control, &again);
	FUZZ_CHECK(status == status2);
	FUZZ_CHECK(!memcmp(&call, &again, sizeof(call)));
	FUZZ_CHECK(status == HV_STATUS_SUCCESS ||
		   status == HV_STATUS_INVALID_HYPERCALL_INPUT);
	if (status)
		return 0;
	FUZZ_CHECK(encode(&call) == hdr.control);

	d = hvsim_hc_find(call.code);
	if (!d) {
		FUZZ_CHECK(hvsim_decode_all(hdr.control, call.input,
					    call.output) ==
			   HV_STATUS_INVALID_HYPERCALL_CODE);
		return 0;
	}
	FUZZ_CHECK(d->code == call.code);
	status = hvsim_hc_check(d, &call);
	FUZZ_CHECK(status == HV_STATUS_SUCCESS ||
		   status == HV_STATUS_INVALID_HYPERCALL_INPUT);
	if (status || !d->validate) {
		FUZZ_CHECK(hvsim_decode_all(hdr.control, call.input,
					    call.output) == status);
		return 0;
	}
	in_len = check_accepted(d, &call);

	status = d->validate(&call);
	FUZZ_CHECK(status_documented(status));
	FUZZ_CHECK(hvsim_decode_all(hdr.control, call.input, call.output) ==
		   status);

	/* Only the bytes the entry checks accepted, at the end of a block */
	exact = malloc(in_len ? in_len : 1);
	FUZZ_CHECK(exact);
	memcpy(exact, in_page, in_len);
	again = call;
	again.input = exact;
	status2 = d->validate(&again);
	free(exact);
	FUZZ_CHECK(status2 == status);
	return 0;
}
