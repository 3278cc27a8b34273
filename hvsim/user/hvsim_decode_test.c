// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace unit tests of hvsim/hvsim_decode.c (the hypercall decoders,
 * built as plain C): the descriptor table, the control-word cases and the
 * input cases of hvsim_decode_cases.h (the same ones KUnit runs against
 * the kernel build).  One "ok NAME" or "FAIL NAME" line per case.
 *   hvsim_decode_test              run the tests
 *   hvsim_decode_test --seeds DIR  write the input cases as seeds of
 *                                  fuzz_hvsim_decode (fuzz_hvsim_decode.h)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "hvsim_decode.h"
#include "hvsim_hcalls.h"
#include "hvsim_decode_cases.h"
#include "hvsim_vp_set_cases.h"
#include "fuzz_hvsim_decode.h"

static unsigned int passed, failed;

static void result(bool ok, const char *what, const char *name)
{
	printf("%s decode %s: %s\n", ok ? "ok  " : "FAIL", what, name);
	if (ok)
		passed++;
	else
		failed++;
}

static void test_table(void)
{
	unsigned int i;
	bool ok = true;

	result(hvsim_hc_table_sorted(), "table", "sorted by code");
	for (i = 0; i < HVSIM_NR_HCALLS; i++) {
		const struct hvsim_hc_desc *d = &hvsim_hcalls[i];

		if (hvsim_hc_find(d->code) != d) {
			fprintf(stderr, "%s: not found\n", d->name);
			ok = false;
		}
		/* Fast calls pass at most two qwords and get no output */
		if ((d->flags & HC_FAST) &&
		    (d->in_size > 16 || d->out_size || d->out_rep_size)) {
			fprintf(stderr, "%s: fast with memory operands\n",
				d->name);
			ok = false;
		}
		/* Only rep calls have bytes per rep */
		if (!(d->flags & HC_REP) &&
		    (d->in_rep_size || d->out_rep_size)) {
			fprintf(stderr, "%s: rep sizes\n", d->name);
			ok = false;
		}
	}
	result(ok, "table", "every code found, sizes consistent");
	result(!hvsim_hc_find(0) && !hvsim_hc_find(0xFFFF), "table",
	       "unknown codes not found");
}

static void test_control(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvsim_control_cases); i++) {
		const struct hvsim_control_case *c = &hvsim_control_cases[i];
		struct hvsim_call call = {};
		u16 status = hvsim_decode_control(c->control, &call);
		bool ok = status == c->status;

		if (ok && !status)
			ok = call.code == c->code &&
			     call.rep_count == c->rep_count &&
			     call.rep_start == c->rep_start &&
			     call.varhead == c->varhead && call.fast == c->fast;
		if (!ok)
			fprintf(stderr, "control %#llx: status %#x, expected %#x\n",
				(unsigned long long)c->control, status,
				c->status);
		result(ok, "control", c->what);
	}
}

static void test_inputs(void)
{
	u8 *in = malloc(HV_HYP_PAGE_SIZE), *out = malloc(HV_HYP_PAGE_SIZE);
	unsigned int i;

	if (!in || !out) {
		result(false, "input", "allocation");
		goto out_free;
	}
	for (i = 0; i < ARRAY_SIZE(hvsim_input_cases); i++) {
		const struct hvsim_input_case *c = &hvsim_input_cases[i];
		u16 status;

		hvsim_input_case_fill(c, in);
		status = hvsim_decode_all(c->control, in,
					  c->no_output ? NULL : out);
		if (status != c->status)
			fprintf(stderr, "%s: status %#x, expected %#x\n",
				c->what, status, c->status);
		result(status == c->status, "input", c->what);
	}
out_free:
	free(in);
	free(out);
}

/* hvsim_decode_vp_set(): status and the VPs named, exactly */
static void test_vp_sets(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvsim_vp_set_cases); i++) {
		const struct hvsim_vp_set_case *c = &hvsim_vp_set_cases[i];
		u64 buf[6], vps[HVSIM_VP_SET_WORDS];
		u16 status;
		bool ok;

		status = hvsim_decode_vp_set(hvsim_vp_set_case_fill(c, buf),
					     c->nbanks, vps);
		ok = status == c->status &&
		     (status || !memcmp(vps, c->vps, sizeof(vps)));
		if (!ok)
			fprintf(stderr, "%s: status %#x, expected %#x\n",
				c->what, status, c->status);
		result(ok, "vp set", c->what);
	}
}

static int write_seeds(const char *dir)
{
	u8 page[HV_HYP_PAGE_SIZE];
	char path[4096];
	unsigned int i;

	snprintf(path, sizeof(path), "%s/fuzz_hvsim_decode", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) ||
	    (mkdir(path, 0755) && errno != EEXIST)) {
		perror(path);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(hvsim_input_cases); i++) {
		const struct hvsim_input_case *c = &hvsim_input_cases[i];
		struct fuzz_hvsim_decode_input hdr = {
			.control = c->control,
			.flags = c->no_output ? 0 : FUZZ_DECODE_OUTPUT,
		};
		size_t len = 0;
		unsigned int j;
		FILE *f;

		hvsim_input_case_fill(c, page);
		for (j = 0; j < ARRAY_SIZE(c->set); j++) {
			if (c->set[j].off + c->set[j].size > len)
				len = c->set[j].off + c->set[j].size;
		}
		snprintf(path, sizeof(path), "%s/fuzz_hvsim_decode/case%03u",
			 dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(&hdr, sizeof(hdr), 1, f) != 1 ||
		    (len && fwrite(page, len, 1, f) != 1) || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	test_table();
	test_control();
	test_inputs();
	test_vp_sets();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
