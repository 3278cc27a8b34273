// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the mshv_root hypercall layer.
 *
 * Included at the end of mshv_root_hv_call.c so that the static functions
 * can be tested.  The tests run the layer against a fake backend; they use
 * the per-CPU hypercall pages the module allocated at load time.
 */

#include <kunit/test.h>

/* Control word encoding */

static const struct {
	const char *name;
	u16 code;
	bool fast;
	u16 varhead_qwords;
	u16 rep_count;
	u16 rep_start;
	u64 control;
} mshv_test_controls[] = {
	{ "simple", HVCALL_CREATE_PARTITION, false, 0, 0, 0, 0x40 },
	{ "fast", HVCALL_DELETE_VP, true, 0, 0, 0, 0x1004F },
	{ "varhead", HVCALL_GET_VP_STATE, false, 3, 0, 0, 0x600E3 },
	{ "rep", HVCALL_MAP_GPA_PAGES, false, 0, 509, 0, 0x000001FD0000004BULL },
	{ "rep start", HVCALL_WITHDRAW_MEMORY, false, 0, 512, 100,
	  0x0064020000000049ULL },
	{ "all fields max", 0xFFFF, true, 0x3FF, 0xFFF, 0xFFF,
	  0x0FFF0FFF07FFFFFFULL },
};

static void mshv_test_control_word(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_test_controls); i++) {
		u64 control = mshv_hv_control(mshv_test_controls[i].code,
					      mshv_test_controls[i].fast,
					      mshv_test_controls[i].varhead_qwords,
					      mshv_test_controls[i].rep_count,
					      mshv_test_controls[i].rep_start);

		KUNIT_EXPECT_EQ_MSG(test, control, mshv_test_controls[i].control,
				    "case %s", mshv_test_controls[i].name);
		KUNIT_EXPECT_EQ_MSG(test, control & HV_HYPERCALL_RSVD_MASK, 0ULL,
				    "case %s", mshv_test_controls[i].name);
	}
}

/* Result word decoding */

static const struct {
	u64 result;
	u16 status;
	u16 reps;
} mshv_test_results[] = {
	{ 0, HV_STATUS_SUCCESS, 0 },
	{ 0xB, HV_STATUS_INSUFFICIENT_MEMORY, 0 },
	{ 0x000001FD00000000ULL, HV_STATUS_SUCCESS, 509 },
	{ 0x00000FFF0000FFFFULL, 0xFFFF, 0xFFF },
	/* reserved bits are ignored */
	{ 0xFFFFF000FFFF0005ULL, HV_STATUS_INVALID_PARAMETER, 0 },
};

static void mshv_test_result_word(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_test_results); i++) {
		u64 r = mshv_test_results[i].result;

		KUNIT_EXPECT_EQ_MSG(test, mshv_hv_result_status(r),
				    mshv_test_results[i].status, "result %#llx", r);
		KUNIT_EXPECT_EQ_MSG(test, mshv_hv_result_reps(r),
				    mshv_test_results[i].reps, "result %#llx", r);
		if (r == (r & (HV_HYPERCALL_RESULT_MASK |
			       HV_HYPERCALL_REP_COMP_MASK)))
			KUNIT_EXPECT_EQ(test,
					mshv_hv_make_result(mshv_test_results[i].status,
							    mshv_test_results[i].reps),
					r);
	}
}

/* Status to errno */

static const struct {
	u16 status;
	int err;
} mshv_test_errnos[] = {
	{ HV_STATUS_SUCCESS, 0 },
	{ HV_STATUS_INVALID_HYPERCALL_CODE, -EINVAL },
	{ HV_STATUS_INVALID_PARAMETER, -EINVAL },
	{ HV_STATUS_ACCESS_DENIED, -EIO },
	{ HV_STATUS_INSUFFICIENT_MEMORY, -ENOMEM },
	{ HV_STATUS_INVALID_VP_INDEX, -EINVAL },
	{ HV_STATUS_NO_RESOURCES, -EIO },
	{ HV_STATUS_INVALID_REGISTER_VALUE, -EINVAL },
	{ HV_STATUS_CALL_PENDING, -EIO },
	{ HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, -ENOMEM },
	/* not in the table */
	{ 0x0001, -EIO },
	{ 0x1234, -EIO },
	{ 0xFFFF, -EIO },
};

static void mshv_test_status_errno(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_test_errnos); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    mshv_hv_status_to_errno(mshv_test_errnos[i].status),
				    mshv_test_errnos[i].err, "status %#x",
				    mshv_test_errnos[i].status);

	KUNIT_EXPECT_EQ(test, mshv_hv_result_to_errno(U64_MAX), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, mshv_hv_result_to_errno(0x000001FD00000000ULL), 0);
}

/* The fake hypervisor */

#define MSHV_FAKE_MAX_STARTS	16

/*
 * State of the fake backend.  Only one test runs at a time; the fake runs
 * on whatever CPU the test is on, with interrupts disabled (DISPATCH_VP:
 * preemption disabled).
 */
static struct {
	unsigned int calls;
	u16 starts[MSHV_FAKE_MAX_STARTS];
	unsigned int nr_starts;
	u16 max_reps_per_call;
	bool stall;
	u16 fail_at;
	u16 fail_status;
	u16 nomem_code;
	unsigned int nomem_left;
	u16 nomem_min_start;
	unsigned int deposits;
	u64 deposited_pages;
	u64 deposit_id;
	unsigned int withdraw_left;
	u64 withdrawn_pages;
	bool dispatch_irqs_disabled;
	bool dispatch_preemptible;
	int dispatch_cpu;
	void *dispatch_input;
	void *dispatch_output;
	struct hv_input_dispatch_vp dispatch_in;
} mshv_fake;

/* DISPATCH_VP: record the context and the input; READY + INTERCEPT */
static u64 mshv_fake_dispatch(void *input, void *output)
{
	struct hv_output_dispatch_vp *out = output;

	mshv_fake.dispatch_irqs_disabled = irqs_disabled();
	mshv_fake.dispatch_preemptible = preemptible();
	mshv_fake.dispatch_cpu = raw_smp_processor_id();
	mshv_fake.dispatch_input = input;
	mshv_fake.dispatch_output = output;
	memcpy(&mshv_fake.dispatch_in, input, sizeof(mshv_fake.dispatch_in));
	out->dispatch_state = HV_VP_DISPATCH_STATE_READY;
	out->dispatch_event = HV_VP_DISPATCH_EVENT_INTERCEPT;
	return mshv_hv_make_result(HV_STATUS_SUCCESS, 0);
}

static u64 mshv_fake_deposit(const void *input, u16 count, u16 start)
{
	const struct hv_input_deposit_memory *in = input;
	u16 i;

	for (i = start; i < count; i++)
		__free_page(pfn_to_page(in->gpa_page_list[i]));
	mshv_fake.deposits++;
	mshv_fake.deposited_pages += count - start;
	mshv_fake.deposit_id = in->partition_id;
	return mshv_hv_make_result(HV_STATUS_SUCCESS, count);
}

static u64 mshv_fake_withdraw(void *output, u16 count, u16 start)
{
	u64 *pfns = output;
	struct page *page;
	u16 i;

	for (i = start; i < count && mshv_fake.withdraw_left; i++) {
		page = alloc_page(GFP_ATOMIC);
		if (!page)
			break;
		pfns[i] = page_to_pfn(page);
		mshv_fake.withdraw_left--;
		mshv_fake.withdrawn_pages++;
	}
	return mshv_hv_make_result(i < count ? HV_STATUS_NO_RESOURCES :
				   HV_STATUS_SUCCESS, i);
}

static u64 mshv_fake_hypercall(u64 control, void *input, void *output)
{
	u16 code = FIELD_GET(HV_HYPERCALL_CODE_MASK, control);
	u16 count = FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, control);
	u16 start = FIELD_GET(HV_HYPERCALL_REP_START_MASK, control);
	u16 done, i;

	mshv_fake.calls++;
	if (code == HVCALL_DISPATCH_VP)
		return mshv_fake_dispatch(input, output);
	if (code == HVCALL_DEPOSIT_MEMORY)
		return mshv_fake_deposit(input, count, start);
	if (code == HVCALL_WITHDRAW_MEMORY)
		return mshv_fake_withdraw(output, count, start);

	if (mshv_fake.nr_starts < MSHV_FAKE_MAX_STARTS)
		mshv_fake.starts[mshv_fake.nr_starts++] = start;

	if (code == mshv_fake.nomem_code && mshv_fake.nomem_left &&
	    start >= mshv_fake.nomem_min_start) {
		mshv_fake.nomem_left--;
		return mshv_hv_make_result(HV_STATUS_INSUFFICIENT_MEMORY,
					   start);
	}
	if (!count)
		return mshv_hv_make_result(HV_STATUS_SUCCESS, 0);
	if (mshv_fake.stall)
		return mshv_hv_make_result(HV_STATUS_SUCCESS, start);

	done = min_t(u16, count, start + mshv_fake.max_reps_per_call);
	if (mshv_fake.fail_at >= start && mshv_fake.fail_at < done)
		done = mshv_fake.fail_at;

	/* GET_VP_REGISTERS-like output: rep i yields i + 1 */
	if (output && code == HVCALL_GET_VP_REGISTERS)
		for (i = start; i < done; i++)
			((union hv_register_value *)output)[i].reg64 = i + 1;

	if (done == mshv_fake.fail_at)
		return mshv_hv_make_result(mshv_fake.fail_status, done);
	return mshv_hv_make_result(HV_STATUS_SUCCESS, done);
}

static const struct mshv_hv_backend mshv_fake_backend = {
	.name = "KUnit fake",
	.hypercall = mshv_fake_hypercall,
};

static int mshv_hv_test_init(struct kunit *test)
{
	if (!mshv_hv_pages_ready)
		kunit_skip(test, "hypercall pages not allocated");
	memset(&mshv_fake, 0, sizeof(mshv_fake));
	mshv_fake.fail_at = U16_MAX;
	mshv_fake.max_reps_per_call = HV_HYPERCALL_REP_MAX;
	return 0;
}

/* A GET_VP_REGISTERS-shaped rep call of @count reps through the fake */
static int mshv_test_rep_call(struct mshv_hvcall *call, u32 *names,
			      union hv_register_value *values, u16 count)
{
	static const struct hv_input_get_vp_registers hdr = {
		.partition_id = 0x1234,
	};

	call->code = HVCALL_GET_VP_REGISTERS;
	call->rep_count = count;
	call->in = &hdr;
	call->in_sz = sizeof(hdr);
	call->rep_in = names;
	call->rep_in_sz = count * sizeof(*names);
	call->out = values;
	call->out_sz = count * sizeof(*values);
	return mshv_hv_call_be(&mshv_fake_backend, call);
}

static void mshv_test_rep_resume(struct kunit *test)
{
	static const u16 expected[] = { 0, 3, 6, 9 };
	union hv_register_value values[10];
	struct mshv_hvcall call = {};
	u32 names[10] = {};
	unsigned int i;

	mshv_fake.max_reps_per_call = 3;
	KUNIT_EXPECT_EQ(test, mshv_test_rep_call(&call, names, values, 10), 0);
	KUNIT_EXPECT_EQ(test, call.reps_done, 10);
	KUNIT_EXPECT_EQ(test, call.status, HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, ARRAY_SIZE(expected));
	KUNIT_ASSERT_EQ(test, mshv_fake.nr_starts, ARRAY_SIZE(expected));
	for (i = 0; i < ARRAY_SIZE(expected); i++)
		KUNIT_EXPECT_EQ(test, mshv_fake.starts[i], expected[i]);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, values[i].reg64, i + 1);
}

static void mshv_test_rep_one_call(struct kunit *test)
{
	union hv_register_value values[10];
	struct mshv_hvcall call = {};
	u32 names[10] = {};

	KUNIT_EXPECT_EQ(test, mshv_test_rep_call(&call, names, values, 10), 0);
	KUNIT_EXPECT_EQ(test, call.reps_done, 10);
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 1);
	KUNIT_EXPECT_EQ(test, mshv_fake.starts[0], 0);
}

static void mshv_test_rep_failure(struct kunit *test)
{
	union hv_register_value values[10];
	struct mshv_hvcall call = {};
	u32 names[10] = {};

	mshv_fake.max_reps_per_call = 3;
	mshv_fake.fail_at = 5;
	mshv_fake.fail_status = HV_STATUS_INVALID_PARAMETER;
	KUNIT_EXPECT_EQ(test, mshv_test_rep_call(&call, names, values, 10),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, call.status, HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, call.reps_done, 5);
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 2);
	KUNIT_ASSERT_EQ(test, mshv_fake.nr_starts, 2);
	KUNIT_EXPECT_EQ(test, mshv_fake.starts[0], 0);
	KUNIT_EXPECT_EQ(test, mshv_fake.starts[1], 3);
}

static void mshv_test_rep_stall(struct kunit *test)
{
	union hv_register_value values[4];
	struct mshv_hvcall call = {};
	u32 names[4] = {};

	/* Success without progress must not loop forever */
	mshv_fake.stall = true;
	KUNIT_EXPECT_EQ(test, mshv_test_rep_call(&call, names, values, 4),
			-EIO);
	KUNIT_EXPECT_EQ(test, call.status, HV_STATUS_OPERATION_FAILED);
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 1);
}

static void mshv_test_deposit_retry(struct kunit *test)
{
	struct hv_input_create_vp in = { .partition_id = 0x1234 };
	struct mshv_hvcall call = {
		.code = HVCALL_CREATE_VP,
		.in = &in,
		.in_sz = sizeof(in),
		.deposit_id = 0x1234,
		.deposit_pages = MSHV_DEFAULT_DEPOSIT_PAGES,
	};

	mshv_fake.nomem_code = HVCALL_CREATE_VP;
	mshv_fake.nomem_left = 3;
	KUNIT_EXPECT_EQ(test, mshv_hv_call_be(&mshv_fake_backend, &call), 0);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposits, 3);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposited_pages, 3);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposit_id, 0x1234);
	/* 4 CREATE_VP + 3 DEPOSIT_MEMORY */
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 7);
}

static void mshv_test_no_deposit(struct kunit *test)
{
	struct hv_input_partition_id in = { .partition_id = 0x1234 };
	struct mshv_hvcall call = {
		.code = HVCALL_FINALIZE_PARTITION,
		.fast = true,
		.in = &in,
		.in_sz = sizeof(in),
	};

	/* Without deposit_pages, INSUFFICIENT_MEMORY is an error */
	mshv_fake.nomem_code = HVCALL_FINALIZE_PARTITION;
	mshv_fake.nomem_left = 1;
	KUNIT_EXPECT_EQ(test, mshv_hv_call_be(&mshv_fake_backend, &call),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposits, 0);
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 1);
}

static void mshv_test_deposit_retry_rep(struct kunit *test)
{
	static const u16 expected[] = { 0, 2, 2, 2, 4 };
	union hv_register_value values[5];
	struct mshv_hvcall call = {
		.deposit_id = 0x5678,
		.deposit_pages = MSHV_MAP_GPA_DEPOSIT_PAGES,
	};
	u32 names[5] = {};
	unsigned int i;

	/* Two reps per call; out of memory twice once rep 2 is reached */
	mshv_fake.max_reps_per_call = 2;
	mshv_fake.nomem_code = HVCALL_GET_VP_REGISTERS;
	mshv_fake.nomem_left = 2;
	mshv_fake.nomem_min_start = 2;
	KUNIT_EXPECT_EQ(test, mshv_test_rep_call(&call, names, values, 5), 0);
	KUNIT_EXPECT_EQ(test, call.reps_done, 5);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposits, 2);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposited_pages,
			2 * MSHV_MAP_GPA_DEPOSIT_PAGES);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposit_id, 0x5678);
	KUNIT_ASSERT_EQ(test, mshv_fake.nr_starts, ARRAY_SIZE(expected));
	for (i = 0; i < ARRAY_SIZE(expected); i++)
		KUNIT_EXPECT_EQ(test, mshv_fake.starts[i], expected[i]);
	/* Output of the reps before the deposit survived the retry */
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, values[i].reg64, i + 1);
}

static void mshv_test_deposit_batches(struct kunit *test)
{
	/* 600 pages: one full batch of HV_DEPOSIT_MAX and the rest */
	KUNIT_EXPECT_EQ(test, mshv_hv_deposit_be(&mshv_fake_backend, 42, 600),
			0);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposits, 2);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposited_pages, 600);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposit_id, 42);
	KUNIT_EXPECT_EQ(test, HV_DEPOSIT_MAX, 511);
}

static void mshv_test_create_partition_deposits_self(struct kunit *test)
{
	const struct mshv_hv_backend *saved = mshv_backend;
	struct hv_input_create_partition in = {};
	u64 id = 0;

	/* Test hook: route the builder through the fake, then restore */
	mshv_fake.nomem_code = HVCALL_CREATE_PARTITION;
	mshv_fake.nomem_left = 2;
	mshv_backend = &mshv_fake_backend;
	KUNIT_EXPECT_EQ(test, mshv_hv_create_partition(&in, &id), 0);
	mshv_backend = saved;

	KUNIT_EXPECT_EQ(test, mshv_fake.deposits, 2);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposited_pages, 2);
	KUNIT_EXPECT_EQ(test, mshv_fake.deposit_id, HV_PARTITION_ID_SELF);
}

/*
 * The builders' answer to INSUFFICIENT_MEMORY on their first call: a page
 * deposited into the partition named (and the call retried), or, for the
 * calls that must not sleep, -ENOMEM with nothing deposited.
 */
static int mshv_test_b_sysprop(void)
{
	u64 v;

	return mshv_hv_get_system_property(HV_SYSTEM_PROPERTY_SCHEDULER_TYPE,
					   &v);
}

static int mshv_test_b_delete_vp(void)
{
	return mshv_hv_delete_vp(0x77, 3);
}

static int mshv_test_b_get_reg(void)
{
	u64 v;

	return mshv_hv_get_root_synic_reg(HV_REGISTER_SIMP, &v, true);
}

static int mshv_test_b_get_reg_atomic(void)
{
	u64 v;

	return mshv_hv_get_root_synic_reg(HV_REGISTER_SIMP, &v, false);
}

static int mshv_test_b_set_reg(void)
{
	return mshv_hv_set_root_synic_reg(HV_REGISTER_SCONTROL, 1, true);
}

static int mshv_test_b_set_reg_atomic(void)
{
	return mshv_hv_set_root_synic_reg(HV_REGISTER_EOM, 0, false);
}

static int mshv_test_b_notify(void)
{
	return mshv_hv_notify_port_ring_empty(HV_SYNIC_DOORBELL_SINT_INDEX,
					      true);
}

static int mshv_test_b_notify_atomic(void)
{
	return mshv_hv_notify_port_ring_empty(HV_SYNIC_DOORBELL_SINT_INDEX,
					      false);
}

static int mshv_test_b_disconnect(void)
{
	return mshv_hv_disconnect_doorbell_port(0x77, 5);
}

static int mshv_test_b_delete_port(void)
{
	return mshv_hv_delete_port(5);
}

static const struct {
	const char *name;
	u16 code;
	int (*run)(void);
	int ret;
	u64 deposit_id;		/* with ret 0: one page went there */
} mshv_test_builders[] = {
	{ "system property", HVCALL_GET_SYSTEM_PROPERTY, mshv_test_b_sysprop,
	  0, HV_PARTITION_ID_SELF },
	{ "delete VP", HVCALL_DELETE_VP, mshv_test_b_delete_vp, 0, 0x77 },
	{ "root SynIC get", HVCALL_GET_VP_REGISTERS, mshv_test_b_get_reg, 0,
	  HV_PARTITION_ID_SELF },
	{ "root SynIC get, atomic", HVCALL_GET_VP_REGISTERS,
	  mshv_test_b_get_reg_atomic, -ENOMEM },
	{ "root SynIC set", HVCALL_SET_VP_REGISTERS, mshv_test_b_set_reg, 0,
	  HV_PARTITION_ID_SELF },
	{ "root SynIC EOM, atomic", HVCALL_SET_VP_REGISTERS,
	  mshv_test_b_set_reg_atomic, -ENOMEM },
	{ "ring empty", HVCALL_NOTIFY_PORT_RING_EMPTY, mshv_test_b_notify, 0,
	  HV_PARTITION_ID_SELF },
	{ "ring empty, atomic", HVCALL_NOTIFY_PORT_RING_EMPTY,
	  mshv_test_b_notify_atomic, -ENOMEM },
	{ "disconnect port", HVCALL_DISCONNECT_PORT, mshv_test_b_disconnect,
	  0, 0x77 },
	{ "delete port", HVCALL_DELETE_PORT, mshv_test_b_delete_port, 0,
	  HV_PARTITION_ID_SELF },
};

static void mshv_test_builders_deposit(struct kunit *test)
{
	const struct mshv_hv_backend *saved = mshv_backend;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mshv_test_builders); i++) {
		memset(&mshv_fake, 0, sizeof(mshv_fake));
		mshv_fake.fail_at = U16_MAX;
		mshv_fake.max_reps_per_call = HV_HYPERCALL_REP_MAX;
		mshv_fake.nomem_code = mshv_test_builders[i].code;
		mshv_fake.nomem_left = 1;
		/* Test hook: route the builder through the fake, then restore */
		mshv_backend = &mshv_fake_backend;
		KUNIT_EXPECT_EQ_MSG(test, mshv_test_builders[i].run(),
				    mshv_test_builders[i].ret, "%s",
				    mshv_test_builders[i].name);
		mshv_backend = saved;
		if (mshv_test_builders[i].ret) {
			KUNIT_EXPECT_EQ_MSG(test, mshv_fake.calls, 1, "%s",
					    mshv_test_builders[i].name);
			KUNIT_EXPECT_EQ_MSG(test, mshv_fake.deposits, 0, "%s",
					    mshv_test_builders[i].name);
			continue;
		}
		/* The refused call, the deposit, the retry */
		KUNIT_EXPECT_EQ_MSG(test, mshv_fake.calls, 3, "%s",
				    mshv_test_builders[i].name);
		KUNIT_EXPECT_EQ_MSG(test, mshv_fake.deposited_pages, 1, "%s",
				    mshv_test_builders[i].name);
		KUNIT_EXPECT_EQ_MSG(test, mshv_fake.deposit_id,
				    mshv_test_builders[i].deposit_id, "%s",
				    mshv_test_builders[i].name);
	}
}

static void mshv_test_withdraw_all(struct kunit *test)
{
	u64 freed = 0;

	mshv_fake.withdraw_left = 1000;
	KUNIT_EXPECT_EQ(test, mshv_hv_withdraw_be(&mshv_fake_backend, 7,
						  U64_MAX, &freed), 0);
	KUNIT_EXPECT_EQ(test, freed, 1000);
	KUNIT_EXPECT_EQ(test, mshv_fake.withdrawn_pages, 1000);
	/* 512 in the first call, 488 then NO_RESOURCES in the second */
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 2);
}

/* A bounded withdraw asks for no more than the bound */
static void mshv_test_withdraw_bounded(struct kunit *test)
{
	u64 freed = 0;

	mshv_fake.withdraw_left = 1000;
	KUNIT_EXPECT_EQ(test, mshv_hv_withdraw_be(&mshv_fake_backend, 7, 600,
						  &freed), 0);
	KUNIT_EXPECT_EQ(test, freed, 600);
	KUNIT_EXPECT_EQ(test, mshv_fake.withdrawn_pages, 600);
	/* 512 reps, then 88: both complete, no third call */
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 2);
	KUNIT_EXPECT_EQ(test, mshv_fake.withdraw_left, 400);

	/* Fewer free than the bound: what there is, and success */
	freed = 0;
	KUNIT_EXPECT_EQ(test, mshv_hv_withdraw_be(&mshv_fake_backend, 7, 600,
						  &freed), 0);
	KUNIT_EXPECT_EQ(test, freed, 400);
	KUNIT_EXPECT_EQ(test, mshv_fake.withdraw_left, 0);
}

/*
 * DISPATCH_VP: preemption disabled, interrupts enabled, on the CPU's
 * dispatch pages (not the pages of the other calls), the input as built,
 * the output copied back.
 */
static void mshv_test_dispatch_contract(struct kunit *test)
{
	struct hv_output_dispatch_vp out = {};
	int cpu;

	KUNIT_EXPECT_EQ(test, mshv_hv_dispatch_be(&mshv_fake_backend, 0x55, 7,
						  HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND,
						  &out), 0);
	KUNIT_EXPECT_EQ(test, mshv_fake.calls, 1);
	KUNIT_EXPECT_FALSE(test, mshv_fake.dispatch_irqs_disabled);
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT))
		KUNIT_EXPECT_FALSE(test, mshv_fake.dispatch_preemptible);
	cpu = mshv_fake.dispatch_cpu;
	KUNIT_EXPECT_PTR_EQ(test, mshv_fake.dispatch_input,
			    per_cpu(mshv_hv_dispatch_input_page, cpu));
	KUNIT_EXPECT_PTR_EQ(test, mshv_fake.dispatch_output,
			    per_cpu(mshv_hv_dispatch_output_page, cpu));
	KUNIT_EXPECT_PTR_NE(test, mshv_fake.dispatch_input,
			    per_cpu(mshv_hv_input_page, cpu));
	KUNIT_EXPECT_PTR_NE(test, mshv_fake.dispatch_output,
			    per_cpu(mshv_hv_output_page, cpu));
	KUNIT_EXPECT_EQ(test, mshv_fake.dispatch_in.partition_id, 0x55);
	KUNIT_EXPECT_EQ(test, mshv_fake.dispatch_in.vp_index, 7);
	KUNIT_EXPECT_EQ(test, mshv_fake.dispatch_in.flags,
			HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND);
	KUNIT_EXPECT_EQ(test, mshv_fake.dispatch_in.time_slice, 0);
	KUNIT_EXPECT_EQ(test, out.dispatch_state, HV_VP_DISPATCH_STATE_READY);
	KUNIT_EXPECT_EQ(test, out.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
}

static struct kunit_case mshv_hv_call_test_cases[] = {
	KUNIT_CASE(mshv_test_control_word),
	KUNIT_CASE(mshv_test_result_word),
	KUNIT_CASE(mshv_test_status_errno),
	KUNIT_CASE(mshv_test_rep_resume),
	KUNIT_CASE(mshv_test_rep_one_call),
	KUNIT_CASE(mshv_test_rep_failure),
	KUNIT_CASE(mshv_test_rep_stall),
	KUNIT_CASE(mshv_test_deposit_retry),
	KUNIT_CASE(mshv_test_no_deposit),
	KUNIT_CASE(mshv_test_deposit_retry_rep),
	KUNIT_CASE(mshv_test_deposit_batches),
	KUNIT_CASE(mshv_test_create_partition_deposits_self),
	KUNIT_CASE(mshv_test_withdraw_all),
	KUNIT_CASE(mshv_test_withdraw_bounded),
	KUNIT_CASE(mshv_test_builders_deposit),
	KUNIT_CASE(mshv_test_dispatch_contract),
	{}
};

static struct kunit_suite mshv_hv_call_test_suite = {
	.name = "mshv_root_hv_call",
	.init = mshv_hv_test_init,
	.test_cases = mshv_hv_call_test_cases,
};

kunit_test_suite(mshv_hv_call_test_suite);
