// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of a guest VP's SynIC in hvsim: the overlay pages a VP's
 * accesses reach, which vectors are auto-EOI, and the partition lookup of
 * SIGNAL_EVENT_DIRECT / POST_MESSAGE_DIRECT (a partition id the ioctl
 * path cannot pass).  Included at the end of hvsim/hvsim_guest_synic.c.
 */
#include <kunit/test.h>

#include "../hvsim/hvsim_main.h"
#include "hvsim_fake.h"

static struct hvsim_vp *synic_fake_vp(struct kunit *test)
{
	struct hvsim_vp *vp = &hvsim_fake_new(test)->vp[0];

	vp->simp = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	vp->siefp = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vp->simp);
	KUNIT_ASSERT_NOT_NULL(test, vp->siefp);
	return vp;
}

/* Enabled pages take the VP's accesses, disabled ones do not; SIMP first */
static void hvsim_guest_synic_test_overlay(struct kunit *test)
{
	struct hvsim_vp *vp = synic_fake_vp(test);
	u8 *simp = vp->simp, *siefp = vp->siefp;
	u64 v = 0x1122334455667788ULL, r = 0;

	spin_lock(&vp->partition->lock);
	vp->msrs[HVSIM_MSR_SIMP] = 0x5000;
	KUNIT_EXPECT_FALSE(test, hvsim_synic_overlay_access(vp, 0x5008, &r, 8,
							    X86_EMU_ACCESS_READ,
							    true));
	vp->msrs[HVSIM_MSR_SIMP] |= HV_SYNIC_PAGE_ENABLE;
	vp->msrs[HVSIM_MSR_SIEFP] = 0x6000 | HV_SYNIC_PAGE_ENABLE;
	KUNIT_EXPECT_TRUE(test, hvsim_synic_overlay_access(vp, 0x5FF8, &v, 8,
							   X86_EMU_ACCESS_WRITE,
							   true));
	KUNIT_EXPECT_EQ(test, simp[0xFF8], 0x88);
	KUNIT_EXPECT_EQ(test, simp[0xFFF], 0x11);
	KUNIT_EXPECT_TRUE(test, hvsim_synic_overlay_access(vp, 0x5FF8, &r, 8,
							   X86_EMU_ACCESS_READ,
							   true));
	KUNIT_EXPECT_EQ(test, r, v);
	/* A check does not copy */
	r = 0;
	KUNIT_EXPECT_TRUE(test, hvsim_synic_overlay_access(vp, 0x6010, &v, 8,
							   X86_EMU_ACCESS_WRITE,
							   false));
	KUNIT_EXPECT_EQ(test, siefp[0x10], 0);
	KUNIT_EXPECT_FALSE(test, hvsim_synic_overlay_access(vp, 0x7000, &r, 8,
							    X86_EMU_ACCESS_READ,
							    true));
	/* Both at one GPA: the SIMP wins */
	vp->msrs[HVSIM_MSR_SIEFP] = 0x5000 | HV_SYNIC_PAGE_ENABLE;
	KUNIT_EXPECT_TRUE(test, hvsim_synic_overlay_access(vp, 0x5FF8, &r, 8,
							   X86_EMU_ACCESS_EXECUTE,
							   true));
	KUNIT_EXPECT_EQ(test, r, v);
	spin_unlock(&vp->partition->lock);
}

static void hvsim_guest_synic_test_auto_eoi(struct kunit *test)
{
	struct hvsim_vp *vp = synic_fake_vp(test);
	unsigned int i;

	spin_lock(&vp->partition->lock);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		vp->msrs[HVSIM_MSR_SINT0 + i] = HV_SYNIC_SINT_MASKED;
	vp->msrs[HVSIM_MSR_SINT0 + 1] = 0x40;
	vp->msrs[HVSIM_MSR_SINT0 + 7] = 0x41 | HV_SYNIC_SINT_AUTO_EOI;
	vp->msrs[HVSIM_MSR_SINT0 + 9] = 0x42 | HV_SYNIC_SINT_AUTO_EOI |
					HV_SYNIC_SINT_MASKED;
	KUNIT_EXPECT_FALSE(test, hvsim_synic_auto_eoi(vp, 0x40));
	KUNIT_EXPECT_TRUE(test, hvsim_synic_auto_eoi(vp, 0x41));
	KUNIT_EXPECT_FALSE(test, hvsim_synic_auto_eoi(vp, 0x42));
	KUNIT_EXPECT_FALSE(test, hvsim_synic_auto_eoi(vp, 0x43));
	spin_unlock(&vp->partition->lock);
}

/* An unknown partition: INVALID_PARTITION_ID, no output written */
static void hvsim_guest_synic_test_no_partition(struct kunit *test)
{
	struct hv_input_post_message_direct *post;
	struct hv_input_signal_event_direct *sig;
	u8 *out;

	post = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	sig = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	out = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, post);
	KUNIT_ASSERT_NOT_NULL(test, sig);
	KUNIT_ASSERT_NOT_NULL(test, out);
	post->partition_id = 0x5EAD0001;
	post->message[0] = 1;	/* message_type 1 */
	KUNIT_EXPECT_EQ(test,
			hvsim_hypercall(HVCALL_POST_MESSAGE_DIRECT, post, NULL),
			(u64)HV_STATUS_INVALID_PARTITION_ID);
	sig->target_partition = 0x5EAD0001;
	memset(out, 0xEE, 8);
	KUNIT_EXPECT_EQ(test,
			hvsim_hypercall(HVCALL_SIGNAL_EVENT_DIRECT, sig, out),
			(u64)HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, out[0], 0xEE);
}

static struct kunit_case hvsim_guest_synic_test_cases[] = {
	KUNIT_CASE(hvsim_guest_synic_test_overlay),
	KUNIT_CASE(hvsim_guest_synic_test_auto_eoi),
	KUNIT_CASE(hvsim_guest_synic_test_no_partition),
	{}
};

static struct kunit_suite hvsim_guest_synic_test_suite = {
	.name = "hvsim_guest_synic",
	.test_cases = hvsim_guest_synic_test_cases,
};

kunit_test_suite(hvsim_guest_synic_test_suite);
