// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's hypercall entry: control-word decoding, the
 * rep / non-rep and size checks, and a partition lifecycle driven through
 * hvsim_hypercall() exactly as the driver does it.  Included at the end of
 * hvsim/hvsim_main.c.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/page_ref.h>

#include "hvsim_decode_cases.h"

#define HC_CONTROL(code, reps, start)				\
	((u64)(code) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET) |	\
	 ((u64)(start) << HV_HYPERCALL_REP_START_OFFSET))

static void hvsim_test_decode(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvsim_control_cases); i++) {
		const struct hvsim_control_case *c = &hvsim_control_cases[i];
		struct hvsim_call call = {};
		u16 status = hvsim_decode_control(c->control, &call);

		KUNIT_EXPECT_EQ_MSG(test, status, c->status, "%s", c->what);
		if (status)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, call.code, c->code, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, call.rep_count, c->rep_count, "%s",
				    c->what);
		KUNIT_EXPECT_EQ_MSG(test, call.rep_start, c->rep_start, "%s",
				    c->what);
		KUNIT_EXPECT_EQ_MSG(test, call.varhead, c->varhead, "%s",
				    c->what);
		KUNIT_EXPECT_EQ_MSG(test, call.fast, c->fast, "%s", c->what);
	}
}

/* The shared input cases, through the kernel build of hvsim_decode.c */
static void hvsim_test_decode_inputs(struct kunit *test)
{
	u8 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	void *out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < ARRAY_SIZE(hvsim_input_cases); i++) {
		const struct hvsim_input_case *c = &hvsim_input_cases[i];

		hvsim_input_case_fill(c, in);
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_decode_all(c->control, in,
						     c->no_output ? NULL : out),
				    c->status, "%s", c->what);
	}
}

/*
 * Calls with zeroed input pages: they either fail the entry checks or
 * reach a handler that finds no partition 0, so no state changes.
 */
struct entry_case {
	const char *what;
	u64 control;
	bool no_output;
	u64 result;
};

#define RESULT(status, reps) \
	((u64)(status) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET))

static const struct entry_case entry_cases[] = {
	{ "unknown code", 0x0001, false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_CODE, 0) },
	{ "unknown code 0xFFFF", 0xFFFF, false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_CODE, 0) },
	{ "reserved bit", HVCALL_CREATE_PARTITION | BIT_ULL(28), false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "rep code without reps", HC_CONTROL(HVCALL_DEPOSIT_MEMORY, 0, 0),
	  false, RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "simple code with reps", HC_CONTROL(HVCALL_CREATE_PARTITION, 1, 0),
	  false, RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "simple code with rep start",
	  HC_CONTROL(HVCALL_CREATE_PARTITION, 0, 1), false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "rep start = rep count", HC_CONTROL(HVCALL_DEPOSIT_MEMORY, 2, 2),
	  false, RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "fast call of a memory-only code",
	  HVCALL_CREATE_PARTITION | HV_HYPERCALL_FAST_BIT, false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "variable header where none is used",
	  HVCALL_CREATE_VP | (1ULL << HV_HYPERCALL_VARHEAD_OFFSET), false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "rep input beyond the page",
	  HC_CONTROL(HVCALL_DEPOSIT_MEMORY, 512, 0), false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "rep output beyond the page",
	  HC_CONTROL(HVCALL_GET_VP_REGISTERS, 257, 0), false,
	  RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "missing output page", HC_CONTROL(HVCALL_WITHDRAW_MEMORY, 1, 0),
	  true, RESULT(HV_STATUS_INVALID_HYPERCALL_INPUT, 0) },
	{ "fast initialize of partition 0",
	  HVCALL_INITIALIZE_PARTITION | HV_HYPERCALL_FAST_BIT, false,
	  RESULT(HV_STATUS_INVALID_PARTITION_ID, 0) },
	{ "full deposit into partition 0",
	  HC_CONTROL(HVCALL_DEPOSIT_MEMORY, 511, 0), false,
	  RESULT(HV_STATUS_INVALID_PARTITION_ID, 0) },
	{ "rep failure reports the rep start",
	  HC_CONTROL(HVCALL_MAP_GPA_PAGES, 10, 4), false,
	  RESULT(HV_STATUS_INVALID_PARTITION_ID, 4) },
	{ "simple call reaches its handler", HVCALL_DELETE_PARTITION, false,
	  RESULT(HV_STATUS_INVALID_PARTITION_ID, 0) },
};

static void hvsim_test_entry(struct kunit *test)
{
	void *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	void *out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < ARRAY_SIZE(entry_cases); i++) {
		const struct entry_case *c = &entry_cases[i];

		memset(in, 0, PAGE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_hypercall(c->control, in,
						    c->no_output ? NULL : out),
				    c->result, "%s", c->what);
	}
}

static void hvsim_test_table_sorted(struct kunit *test)
{
	unsigned int i;

	KUNIT_EXPECT_TRUE(test, hvsim_hc_table_valid());
	for (i = 0; i < HVSIM_NR_HCALLS; i++) {
		const struct hvsim_hc_desc *d = &hvsim_hcalls[i];

		KUNIT_EXPECT_PTR_EQ(test, hvsim_hc_find(d->code), d);
		/* Fast calls pass at most two qwords and get no output */
		if (d->flags & HC_FAST) {
			KUNIT_EXPECT_LE(test, d->in_size, 16);
			KUNIT_EXPECT_EQ(test, d->out_size + d->out_rep_size, 0);
		}
	}
	KUNIT_EXPECT_NULL(test, hvsim_hc_find(0));
}

static void hvsim_test_system_property(struct kunit *test)
{
	struct hv_input_get_system_property *in;
	struct hv_output_get_system_property *out;

	in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	in->property_id = HV_SYSTEM_PROPERTY_SCHEDULER_TYPE;
	KUNIT_EXPECT_EQ(test, hvsim_hypercall(HVCALL_GET_SYSTEM_PROPERTY, in,
					      out), 0);
	KUNIT_EXPECT_EQ(test, out->scheduler_type, HV_SCHEDULER_TYPE_ROOT);
	in->reserved = 1;
	KUNIT_EXPECT_EQ(test, hvsim_hypercall(HVCALL_GET_SYSTEM_PROPERTY, in,
					      out),
			HV_STATUS_INVALID_PARAMETER);
}

/* Lifecycle test helpers */
struct lc {
	struct kunit *test;
	void *in;
	void *out;
	u64 id;
};

static u64 lc_call(struct lc *lc, u64 control)
{
	return hvsim_hypercall(control, lc->in, lc->out);
}

/* Deposit @n fresh pages into partition @id; returns the result word */
static u64 lc_deposit(struct lc *lc, u64 id, unsigned int n)
{
	struct hv_input_deposit_memory *in = lc->in;
	struct page *page;
	unsigned int i;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = id;
	for (i = 0; i < n; i++) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(lc->test, page);
		in->gpa_page_list[i] = page_to_pfn(page);
	}
	return lc_call(lc, HC_CONTROL(HVCALL_DEPOSIT_MEMORY, n, 0));
}

/* Withdraw everything from partition @id, free it; returns the count */
static unsigned int lc_withdraw_all(struct lc *lc, u64 id)
{
	struct hv_input_withdraw_memory *in = lc->in;
	u64 *out = lc->out, result;
	unsigned int i, reps, total = 0;

	do {
		memset(in, 0, sizeof(*in));
		in->partition_id = id;
		result = lc_call(lc, HC_CONTROL(HVCALL_WITHDRAW_MEMORY, 512, 0));
		reps = result >> HV_HYPERCALL_REP_COMP_OFFSET;
		for (i = 0; i < reps; i++)
			__free_page(pfn_to_page(out[i]));
		total += reps;
	} while ((u16)result == HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(lc->test, (u16)result, HV_STATUS_NO_RESOURCES);
	return total;
}

static u64 lc_simple(struct lc *lc, u16 code)
{
	struct hv_input_partition_id *in = lc->in;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = lc->id;
	return lc_call(lc, code | HV_HYPERCALL_FAST_BIT);
}

static u64 lc_create_vp(struct lc *lc, u32 index)
{
	struct hv_input_create_vp *in = lc->in;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = lc->id;
	in->vp_index = index;
	return lc_call(lc, HVCALL_CREATE_VP);
}

static u64 lc_map_state(struct lc *lc, u16 type, void **page)
{
	struct hv_input_map_vp_state_page *in = lc->in;
	struct hv_output_map_vp_state_page *out = lc->out;
	u64 result;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = lc->id;
	in->type = type;
	result = lc_call(lc, HVCALL_MAP_VP_STATE_PAGE);
	if (!result)
		*page = pfn_to_kaddr(out->map_location);
	return result;
}

static u64 lc_set_reg(struct lc *lc, u32 name, u64 value)
{
	struct hv_input_set_vp_registers *in = lc->in;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = lc->id;
	in->elements[0].name = name;
	in->elements[0].value.reg64 = value;
	return lc_call(lc, HC_CONTROL(HVCALL_SET_VP_REGISTERS, 1, 0));
}

static u64 lc_dispatch(struct lc *lc, u32 flags,
		       struct hv_output_dispatch_vp *res)
{
	struct hv_input_dispatch_vp *in = lc->in;
	u64 result;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = lc->id;
	in->flags = flags;
	result = lc_call(lc, HVCALL_DISPATCH_VP);
	*res = *(struct hv_output_dispatch_vp *)lc->out;
	return result;
}

/*
 * The driver's sequence, with the deposits it makes on
 * INSUFFICIENT_MEMORY, then a guest that executes OUT and HLT at the reset
 * vector, then teardown.  Every deposited page must come back.
 */
static void hvsim_test_lifecycle(struct kunit *test)
{
	struct lc lc = { .test = test };
	struct hv_input_create_partition *cp;
	struct hv_input_map_gpa_pages *map;
	struct hv_input_get_vp_registers *get;
	union hv_register_value *vals;
	struct hv_vp_register_page *rp = NULL;
	struct hv_message *msg = NULL;
	struct hv_x64_io_port_intercept_message *io;
	struct hv_x64_halt_message *halt;
	struct hv_output_dispatch_vp res;
	struct page *code;
	u8 *va;

	lc.in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	lc.out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	code = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, lc.in);
	KUNIT_ASSERT_NOT_NULL(test, lc.out);
	KUNIT_ASSERT_NOT_NULL(test, code);
	/* Reset vector 0xFFFFFFF0: out 0x10, al; hlt */
	va = page_address(code);
	va[0xFF0] = 0xE6;
	va[0xFF1] = 0x10;
	va[0xFF2] = 0xF4;

	/* The root pool is empty: CREATE_PARTITION asks for memory */
	KUNIT_ASSERT_EQ(test, hvsim_root_pool.nr_free, 0);
	cp = lc.in;
	cp->flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		    HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
	cp->compatibility_version = HV_COMPATIBILITY_21_H2;
	KUNIT_EXPECT_EQ(test, lc_call(&lc, HVCALL_CREATE_PARTITION),
			HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, lc_deposit(&lc, HV_PARTITION_ID_SELF, 1),
			RESULT(0, 1));
	cp = lc.in;
	memset(cp, 0, PAGE_SIZE);
	cp->flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION;
	cp->compatibility_version = HV_COMPATIBILITY_21_H2;
	cp->isolation_properties = HV_PARTITION_ISOLATION_TYPE_SNP;
	KUNIT_EXPECT_EQ(test, lc_call(&lc, HVCALL_CREATE_PARTITION),
			HV_STATUS_INVALID_PARAMETER);
	cp->isolation_properties = 0;
	KUNIT_ASSERT_EQ(test, lc_call(&lc, HVCALL_CREATE_PARTITION), 0);
	lc.id = *(u64 *)lc.out;
	KUNIT_EXPECT_NE(test, lc.id, 0);
	KUNIT_EXPECT_NE(test, lc.id, HV_PARTITION_ID_SELF);

	/* Nothing before INITIALIZE; INITIALIZE only once */
	KUNIT_EXPECT_EQ(test, lc_create_vp(&lc, 0),
			HV_STATUS_INVALID_PARTITION_STATE);
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_DELETE_PARTITION),
			HV_STATUS_INVALID_PARTITION_STATE);
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_INITIALIZE_PARTITION), 0);
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_INITIALIZE_PARTITION),
			HV_STATUS_INVALID_PARTITION_STATE);

	/* VP: one page from the partition pool */
	KUNIT_EXPECT_EQ(test, lc_create_vp(&lc, 0),
			HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, lc_deposit(&lc, lc.id, 1), RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, lc_create_vp(&lc, 0), 0);
	KUNIT_EXPECT_EQ(test, lc_create_vp(&lc, 0),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, lc_create_vp(&lc, HVSIM_MAX_VPS),
			HV_STATUS_INVALID_VP_INDEX);

	/* State pages: one page each */
	KUNIT_EXPECT_EQ(test, lc_map_state(&lc, HV_VP_STATE_PAGE_REGISTERS,
					   (void **)&rp),
			HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, lc_deposit(&lc, lc.id, 2), RESULT(0, 2));
	KUNIT_ASSERT_EQ(test, lc_map_state(&lc, HV_VP_STATE_PAGE_REGISTERS,
					   (void **)&rp), 0);
	KUNIT_ASSERT_EQ(test,
			lc_map_state(&lc, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE,
				     (void **)&msg), 0);
	KUNIT_EXPECT_EQ(test, lc_map_state(&lc, HV_VP_STATE_PAGE_GHCB,
					   (void **)&msg),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, rp->version, HV_VP_REGISTER_PAGE_VERSION_1);
	KUNIT_EXPECT_EQ(test, rp->isvalid, 1);
	KUNIT_EXPECT_EQ(test, rp->rip, 0xFFF0);

	/* Registers through the hypercall and through the page */
	KUNIT_EXPECT_EQ(test, lc_set_reg(&lc, HV_X64_REGISTER_RBX, 0x1234),
			RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, rp->rbx, 0x1234);
	rp->rbx = 0x5678;
	rp->dirty |= BIT(HV_X64_REGISTER_CLASS_GENERAL);
	get = lc.in;
	memset(get, 0, PAGE_SIZE);
	get->partition_id = lc.id;
	get->names[0] = HV_X64_REGISTER_RBX;
	get->names[1] = HV_REGISTER_EXPLICIT_SUSPEND;
	get->names[2] = 0xDEAD;
	vals = lc.out;
	KUNIT_EXPECT_EQ(test,
			lc_call(&lc, HC_CONTROL(HVCALL_GET_VP_REGISTERS, 3, 0)),
			RESULT(HV_STATUS_INVALID_PARAMETER, 2));
	KUNIT_EXPECT_EQ(test, vals[0].reg64, 0x5678);
	KUNIT_EXPECT_EQ(test, vals[1].reg64, 1);
	KUNIT_EXPECT_EQ(test, rp->dirty, 0);

	/* Explicitly suspended until the root clears it */
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, res.dispatch_state, HV_VP_DISPATCH_STATE_BLOCKED);
	KUNIT_EXPECT_EQ(test, res.dispatch_event, HV_VP_DISPATCH_EVENT_SUSPEND);
	KUNIT_EXPECT_EQ(test, lc_set_reg(&lc, HV_REGISTER_EXPLICIT_SUSPEND, 0),
			RESULT(0, 1));

	/* Nothing mapped at the reset vector */
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, res.dispatch_state, HV_VP_DISPATCH_STATE_READY);
	KUNIT_EXPECT_EQ(test, res.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, msg->header.message_type, HVMSG_UNMAPPED_GPA);
	KUNIT_EXPECT_EQ(test, msg->header.sender, lc.id);

	/* Map the code page: 4 SLAT tables needed, none in the pool */
	map = lc.in;
	memset(map, 0, PAGE_SIZE);
	map->target_partition_id = lc.id;
	map->target_gpa_base = 0xFFFFF;
	map->map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE;
	map->source_gpa_page_list[0] = page_to_pfn(code);
	KUNIT_EXPECT_EQ(test,
			lc_call(&lc, HC_CONTROL(HVCALL_MAP_GPA_PAGES, 1, 0)),
			RESULT(HV_STATUS_INSUFFICIENT_MEMORY, 0));
	KUNIT_EXPECT_EQ(test, lc_deposit(&lc, lc.id, 4), RESULT(0, 4));
	map = lc.in;
	memset(map, 0, PAGE_SIZE);
	map->target_partition_id = lc.id;
	map->target_gpa_base = 0xFFFFF;
	map->map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE;
	map->source_gpa_page_list[0] = page_to_pfn(code);
	KUNIT_EXPECT_EQ(test,
			lc_call(&lc, HC_CONTROL(HVCALL_MAP_GPA_PAGES, 1, 0)),
			RESULT(0, 1));

	/* Intercept-suspended until the root says it handled the message */
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, res.dispatch_state, HV_VP_DISPATCH_STATE_BLOCKED);
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc,
					  HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, res.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, msg->header.message_type,
			HVMSG_X64_IO_PORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, msg->header.payload_size, 128);
	io = (void *)msg->u.payload;
	KUNIT_EXPECT_EQ(test, io->port_number, 0x10);
	KUNIT_EXPECT_EQ(test, io->access_info, 1);
	KUNIT_EXPECT_EQ(test, io->header.intercept_access_type,
			HV_INTERCEPT_ACCESS_WRITE);
	KUNIT_EXPECT_EQ(test, io->header.rip, 0xFFF0);
	KUNIT_EXPECT_EQ(test, io->header.instruction_length_cr8 &
			HV_X64_INSTRUCTION_LENGTH_MASK, 2);
	KUNIT_EXPECT_EQ(test, io->instruction_bytes[0], 0xE6);

	/* The VMM completes the OUT by advancing RIP through the page */
	rp->rip = 0xFFF2;
	rp->dirty |= BIT(HV_X64_REGISTER_CLASS_IP);
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc,
					  HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, res.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, msg->header.message_type, HVMSG_X64_HALT);
	halt = (void *)msg->u.payload;
	KUNIT_EXPECT_EQ(test, halt->header.rip, 0xFFF2);

	/* Teardown: every deposited page comes back */
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_DELETE_PARTITION),
			HV_STATUS_INVALID_PARTITION_STATE);
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_FINALIZE_PARTITION), 0);
	KUNIT_EXPECT_EQ(test, lc_create_vp(&lc, 1),
			HV_STATUS_INVALID_PARTITION_STATE);
	KUNIT_EXPECT_EQ(test, lc_withdraw_all(&lc, lc.id), 7);
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_DELETE_PARTITION), 0);
	KUNIT_EXPECT_EQ(test, lc_simple(&lc, HVCALL_DELETE_PARTITION),
			HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, lc_withdraw_all(&lc, HV_PARTITION_ID_SELF), 1);
	__free_page(code);
}

/* A created and initialized partition with @pages in its pool */
static void lc_setup(struct lc *lc, struct kunit *test, unsigned int pages)
{
	struct hv_input_create_partition *cp;

	lc->test = test;
	lc->in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	lc->out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lc->in);
	KUNIT_ASSERT_NOT_NULL(test, lc->out);
	KUNIT_ASSERT_EQ(test, lc_deposit(lc, HV_PARTITION_ID_SELF, 1),
			RESULT(0, 1));
	cp = lc->in;
	memset(cp, 0, PAGE_SIZE);
	cp->flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION;
	cp->compatibility_version = HV_COMPATIBILITY_21_H2;
	KUNIT_ASSERT_EQ(test, lc_call(lc, HVCALL_CREATE_PARTITION), 0);
	lc->id = *(u64 *)lc->out;
	KUNIT_ASSERT_EQ(test, lc_simple(lc, HVCALL_INITIALIZE_PARTITION), 0);
	KUNIT_ASSERT_EQ(test, lc_deposit(lc, lc->id, pages), RESULT(0, pages));
}

static void lc_teardown(struct lc *lc, unsigned int pages)
{
	KUNIT_EXPECT_EQ(lc->test, lc_simple(lc, HVCALL_FINALIZE_PARTITION), 0);
	KUNIT_EXPECT_EQ(lc->test, lc_withdraw_all(lc, lc->id), pages);
	KUNIT_EXPECT_EQ(lc->test, lc_simple(lc, HVCALL_DELETE_PARTITION), 0);
	KUNIT_EXPECT_EQ(lc->test, lc_withdraw_all(lc, HV_PARTITION_ID_SELF),
			1);
}

static u64 lc_map(struct lc *lc, u64 gfn, u64 pfn, u32 flags)
{
	struct hv_input_map_gpa_pages *map = lc->in;

	memset(map, 0, PAGE_SIZE);
	map->target_partition_id = lc->id;
	map->target_gpa_base = gfn;
	map->map_flags = flags;
	map->source_gpa_page_list[0] = pfn;
	return lc_call(lc, HC_CONTROL(HVCALL_MAP_GPA_PAGES, 1, 0));
}

static u64 lc_unmap(struct lc *lc, u64 gfn, u16 reps, u32 flags)
{
	struct hv_input_unmap_gpa_pages *unmap = lc->in;

	memset(unmap, 0, PAGE_SIZE);
	unmap->target_partition_id = lc->id;
	unmap->target_gpa_base = gfn;
	unmap->unmap_flags = flags;
	return lc_call(lc, HC_CONTROL(HVCALL_UNMAP_GPA_PAGES, reps, 0));
}

/* The counters of debugfs "partitions", and the stale-page check */
static void hvsim_test_counters_and_stale(struct kunit *test)
{
	struct lc lc;
	struct hvsim_partition *pt;
	struct hv_message *msg = NULL;
	struct hv_x64_memory_intercept_message *mem;
	struct hv_output_dispatch_vp res;
	struct page *code, *data;
	u64 stale;
	u8 *va;

	code = alloc_page(GFP_KERNEL | __GFP_ZERO);
	data = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, code);
	KUNIT_ASSERT_NOT_NULL(test, data);
	/* Reset vector: mov al, [0x1000]; hlt */
	va = page_address(code);
	va[0xFF0] = 0xA0;
	va[0xFF1] = 0x00;
	va[0xFF2] = 0x10;
	va[0xFF3] = 0xF4;
	*(u8 *)page_address(data) = 0x5A;

	lc_setup(&lc, test, 16);
	local_irq_disable();	/* hvsim's locks: interrupts off */
	pt = hvsim_partition_get(lc.id);
	local_irq_enable();
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_EXPECT_EQ(test, pt->pool.nr_pages, 16);
	KUNIT_EXPECT_EQ(test, pt->pool.nr_free, 16);

	/* 4 KiB maps: one entry each; a remap replaces */
	KUNIT_EXPECT_EQ(test, lc_map(&lc, 0xFFFFF, page_to_pfn(code),
				     HV_MAP_GPA_READABLE |
				     HV_MAP_GPA_EXECUTABLE), RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, lc_map(&lc, 1, page_to_pfn(data),
				     HV_MAP_GPA_READABLE), RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, lc_map(&lc, 1, page_to_pfn(data),
				     HV_MAP_GPA_READABLE), RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, pt->slat.nr_mapped, 2);
	KUNIT_EXPECT_EQ(test, pt->slat.nr_large, 0);
	/* Two walks sharing the top two levels: 6 table pages */
	KUNIT_EXPECT_EQ(test, pt->pool.nr_free, 16 - 6);

	/* A large map is one 2 MiB entry; misaligned is refused */
	KUNIT_EXPECT_EQ(test, lc_map(&lc, 0x400, 0x40000,
				     HV_MAP_GPA_READABLE |
				     HV_MAP_GPA_LARGE_PAGE), RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, lc_map(&lc, 0x600, 0x40001,
				     HV_MAP_GPA_READABLE |
				     HV_MAP_GPA_LARGE_PAGE),
			RESULT(HV_STATUS_INVALID_PARAMETER, 0));
	KUNIT_EXPECT_EQ(test, pt->slat.nr_mapped, 2);
	KUNIT_EXPECT_EQ(test, pt->slat.nr_large, 1);
	KUNIT_EXPECT_EQ(test, lc_unmap(&lc, 0x400, 1, HV_UNMAP_GPA_LARGE_PAGE),
			RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, pt->slat.nr_large, 0);
	KUNIT_EXPECT_EQ(test, pt->pool.nr_free, 16 - 6);

	/* A VP with its message page */
	KUNIT_ASSERT_EQ(test, lc_create_vp(&lc, 0), 0);
	KUNIT_ASSERT_EQ(test,
			lc_map_state(&lc, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE,
				     (void **)&msg), 0);
	KUNIT_ASSERT_EQ(test, lc_set_reg(&lc, HV_REGISTER_EXPLICIT_SUSPEND, 0),
			RESULT(0, 1));

	/*
	 * The data page "freed" behind the SLAT's back: the read is refused
	 * as unmapped and counted.  (stale_warned is preset so that the
	 * test does not WARN.)
	 */
	KUNIT_ASSERT_TRUE(test, page_ref_freeze(data, 1));
	spin_lock_irq(&pt->lock);
	pt->stale_warned = true;
	spin_unlock_irq(&pt->lock);
	stale = hvsim_stale_accesses();
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc, 0, &res), 0);
	KUNIT_EXPECT_EQ(test, res.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, msg->header.message_type, HVMSG_UNMAPPED_GPA);
	mem = (void *)msg->u.payload;
	KUNIT_EXPECT_EQ(test, mem->guest_physical_address, 0x1000);
	KUNIT_EXPECT_EQ(test, mem->header.intercept_access_type,
			HV_INTERCEPT_ACCESS_READ);
	KUNIT_EXPECT_EQ(test, hvsim_stale_accesses(), stale + 1);
	KUNIT_EXPECT_EQ(test, pt->gpa_faults, 1);
	page_ref_unfreeze(data, 1);

	/* Allocated again: the read succeeds, the guest halts */
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc,
					  HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, msg->header.message_type, HVMSG_X64_HALT);
	KUNIT_EXPECT_EQ(test, hvsim_stale_accesses(), stale + 1);
	KUNIT_EXPECT_EQ(test, pt->gpa_faults, 1);

	/* A write to the read-only page: GPA_INTERCEPT, counted */
	KUNIT_EXPECT_EQ(test, lc_set_reg(&lc, HV_X64_REGISTER_RIP, 0xFFF0),
			RESULT(0, 1));
	va[0xFF0] = 0xA2;	/* mov [0x1000], al */
	KUNIT_EXPECT_EQ(test, lc_dispatch(&lc,
					  HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND,
					  &res), 0);
	KUNIT_EXPECT_EQ(test, msg->header.message_type, HVMSG_GPA_INTERCEPT);
	KUNIT_EXPECT_EQ(test, pt->gpa_faults, 2);
	local_irq_disable();
	hvsim_partition_put(pt);
	local_irq_enable();

	lc_teardown(&lc, 16);
	__free_page(code);
	__free_page(data);
}

static u64 lc_get_reg(struct lc *lc, u32 name, union hv_register_value *v)
{
	struct hv_input_get_vp_registers *get = lc->in;
	u64 result;

	memset(get, 0, PAGE_SIZE);
	get->partition_id = lc->id;
	get->names[0] = name;
	result = lc_call(lc, HC_CONTROL(HVCALL_GET_VP_REGISTERS, 1, 0));
	*v = *(union hv_register_value *)lc->out;
	return result;
}

static u64 lc_vp_state(struct lc *lc, bool set, u32 type, u64 states,
		       const u64 *pfns, unsigned int npfns)
{
	struct hv_input_get_vp_state *in = lc->in;

	memset(in, 0, PAGE_SIZE);
	in->partition_id = lc->id;
	in->state_data.type = type;
	in->state_data.xsave.states = states;
	memcpy(in->output_data_pfns, pfns, npfns * sizeof(u64));
	return lc_call(lc, (set ? HVCALL_SET_VP_STATE : HVCALL_GET_VP_STATE) |
			   ((u64)npfns << HV_HYPERCALL_VARHEAD_OFFSET));
}

/* GET/SET_VP_STATE: defaults, byte-exact round trips, every refusal */
static void hvsim_test_vp_state(struct kunit *test)
{
	struct hv_local_interrupt_controller_state *l;
	struct hv_synthetic_timers_state *t;
	union hv_register_value xmm0;
	struct page *buf, *buf2;
	struct lc lc;
	u64 pfn, pfn2, zero = 0;
	u8 *va, *va2;
	unsigned int i;

	buf = alloc_page(GFP_KERNEL | __GFP_ZERO);
	buf2 = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, buf2);
	pfn = page_to_pfn(buf);
	pfn2 = page_to_pfn(buf2);
	va = page_address(buf);
	va2 = page_address(buf2);

	lc_setup(&lc, test, 1);
	KUNIT_ASSERT_EQ(test, lc_create_vp(&lc, 0), 0);

	/* LAPIC defaults, and the rest of the page zeroed */
	memset(va, 0xCC, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_LAPIC_STATE, 0,
					  &pfn, 1), 0);
	l = (void *)va;
	KUNIT_EXPECT_EQ(test, l->apic_id, 0);
	KUNIT_EXPECT_EQ(test, l->apic_version, 0x50014);
	KUNIT_EXPECT_EQ(test, l->apic_spurious, 0xFF);
	KUNIT_EXPECT_EQ(test, l->apic_dfr, 0xFFFFFFFF);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_timer, 0x10000);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_lint0, 0x10000);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_cmci, 0x10000);
	KUNIT_EXPECT_EQ(test, l->apic_irr[0], 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va + sizeof(*l), 0,
					    PAGE_SIZE - sizeof(*l)));
	/* Round trip */
	for (i = 0; i < sizeof(*l); i++)
		va[i] = i * 7 + 1;
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_LAPIC_STATE, 0,
					  &pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_LAPIC_STATE, 0,
					  &pfn2, 1), 0);
	KUNIT_EXPECT_EQ(test, memcmp(va, va2, sizeof(*l)), 0);

	/* XSAVE: defaults, round trip, header checks */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, *(u16 *)va, 0x037F);
	KUNIT_EXPECT_EQ(test, *(u32 *)(va + 24), 0x1F80);
	KUNIT_EXPECT_EQ(test, *(u64 *)(va + 520), BIT_ULL(63) | 3);
	for (i = 0; i < 512; i++)
		va[i] = i * 13 + 5;
	*(u32 *)(va + 24) = 0x1F80;
	*(u64 *)(va + 512) = 3;
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn, 1), 0);
	memset(va2, 0xCC, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn2, 1), 0);
	KUNIT_EXPECT_EQ(test, memcmp(va, va2, HVSIM_XSAVE_SIZE), 0);
	/* XMM0 is the VP's register */
	KUNIT_EXPECT_EQ(test, lc_get_reg(&lc, HV_X64_REGISTER_XMM0, &xmm0),
			RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, xmm0.reg128.low_part, *(u64 *)(va + 160));
	KUNIT_EXPECT_EQ(test, xmm0.reg128.high_part, *(u64 *)(va + 168));
	*(u64 *)(va + 512) = 4;		/* AVX not in XCOMP_BV */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);
	*(u64 *)(va + 512) = 3;
	*(u64 *)(va + 520) = 3;		/* standard format */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);
	*(u64 *)(va + 520) = BIT_ULL(63) | 3;
	*(u32 *)(va + 24) = 0x10000;	/* MXCSR reserved bit */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false, HV_GET_SET_VP_STATE_XSAVE,
					  4, &pfn2, 1),
			HV_STATUS_INVALID_PARAMETER);
	/* The refused calls changed nothing */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false, HV_GET_SET_VP_STATE_XSAVE,
					  HVSIM_XSAVE_STATES, &pfn2, 1), 0);
	*(u32 *)(va + 24) = 0x1F80;
	*(u64 *)(va + 512) = 3;
	KUNIT_EXPECT_EQ(test, memcmp(va, va2, HVSIM_XSAVE_SIZE), 0);

	/* SIMP: zeros until set; setting takes a pool page */
	memset(va2, 0xCC, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_SIM_PAGE, 0,
					  &pfn2, 1), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va2, 0, PAGE_SIZE));
	memset(va, 0x3C, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_SIM_PAGE, 0,
					  &pfn, 1),
			HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, lc_deposit(&lc, lc.id, 1), RESULT(0, 1));
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_SIM_PAGE, 0,
					  &pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_SIM_PAGE, 0,
					  &pfn2, 1), 0);
	KUNIT_EXPECT_EQ(test, memcmp(va, va2, PAGE_SIZE), 0);
	/* SIEFP is a different page */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_SIEF_PAGE, 0,
					  &pfn2, 1), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va2, 0, PAGE_SIZE));

	/* Synthetic timers: inline, 25 qwords in, 200 bytes out */
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		t->timers[i].flags = i & 1;
		t->timers[i].config = 0x1000 + i;
		t->timers[i].count = 0x2000 + i;
		t->timers[i].adjustment = 0x3000 + i;
		t->timers[i].undelivered_exp_time = 0x4000 + i;
	}
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  0, (u64 *)t, 25), 0);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  0, (u64 *)t, 24),
			HV_STATUS_INSUFFICIENT_BUFFER);
	memset(lc.out, 0xCC, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, memcmp(lc.out, t, sizeof(*t)), 0);
	t->timers[2].resvd = 1;
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  0, (u64 *)t, 25),
			HV_STATUS_INVALID_PARAMETER);
	t->timers[2].resvd = 0;
	t->reserved[4] = 1;
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, true,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  0, (u64 *)t, 25),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  0, &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);

	/* Refusals common to every type */
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false, 5, 0, &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  5 | HV_GET_SET_VP_STATE_TYPE_PFN, 0,
					  &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_LAPIC_STATE, 0,
					  NULL, 0),
			HV_STATUS_INSUFFICIENT_BUFFER);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_LAPIC_STATE, 0,
					  &zero, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, lc_vp_state(&lc, false,
					  HV_GET_SET_VP_STATE_LAPIC_STATE, 3,
					  &pfn, 1),
			HV_STATUS_INVALID_PARAMETER);
	/* Varhead beyond the input page is refused at entry */
	KUNIT_EXPECT_EQ(test, lc_call(&lc, HVCALL_GET_VP_STATE |
				      (508ULL << HV_HYPERCALL_VARHEAD_OFFSET)),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	lc_vp_state(&lc, false, HV_GET_SET_VP_STATE_LAPIC_STATE, 0, &pfn, 1);
	((struct hv_input_get_vp_state *)lc.in)->vp_index = 1;
	KUNIT_EXPECT_EQ(test, lc_call(&lc, HVCALL_GET_VP_STATE |
				      (1ULL << HV_HYPERCALL_VARHEAD_OFFSET)),
			HV_STATUS_INVALID_VP_INDEX);
	((struct hv_input_get_vp_state *)lc.in)->vp_index = 0;
	((struct hv_input_get_vp_state *)lc.in)->rsvd1 = 1;
	KUNIT_EXPECT_EQ(test, lc_call(&lc, HVCALL_GET_VP_STATE |
				      (1ULL << HV_HYPERCALL_VARHEAD_OFFSET)),
			HV_STATUS_INVALID_PARAMETER);

	lc_teardown(&lc, 2);
	__free_page(buf);
	__free_page(buf2);
}

static struct kunit_case hvsim_main_test_cases[] = {
	KUNIT_CASE(hvsim_test_decode),
	KUNIT_CASE(hvsim_test_decode_inputs),
	KUNIT_CASE(hvsim_test_entry),
	KUNIT_CASE(hvsim_test_table_sorted),
	KUNIT_CASE(hvsim_test_system_property),
	KUNIT_CASE(hvsim_test_lifecycle),
	KUNIT_CASE(hvsim_test_counters_and_stale),
	KUNIT_CASE(hvsim_test_vp_state),
	{}
};

static struct kunit_suite hvsim_main_test_suite = {
	.name = "hvsim_main",
	.test_cases = hvsim_main_test_cases,
	.suite_init = hvsim_test_stale_save,
	.suite_exit = hvsim_test_stale_restore,
};

kunit_test_suite(hvsim_main_test_suite);
