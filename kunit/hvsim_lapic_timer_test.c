// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's LAPIC timer: the divide configuration's eight
 * encodings, the current count from elapsed time (one-shot and periodic,
 * at the period boundaries), and the registers on a VP whose partition
 * clock has not started, so that the test sets partition time itself
 * (hvsim_time_ns() reads base_ns): LVT writable bits and masking by the
 * software-disabled APIC, one-shot and periodic expirations into the IRR,
 * a masked timer that counts without delivering, a divide change that
 * keeps the count, mode changes that disarm, IA32_TSC_DEADLINE, and the
 * error status of an illegal vector, stores into the xAPIC page.  Accesses
 * are completed as the run loop does (hvsim_stimer_poll() after a write
 * that moved the expiration, hvsim_lapic_timer_rearm_due()), and only
 * those writes report it.  The VP is never halted, so
 * nothing is posted to the root SynIC.  Included at the end of
 * hvsim/hvsim_lapic_timer.c.
 */
#include <kunit/test.h>

#include "../hvsim/hvsim_irq.h"
#include "hvsim_fake.h"

#define LT_VECTOR	0x41

static struct hvsim_vp *lt_fake_vp(struct kunit *test)
{
	struct hvsim_vp *vp = &hvsim_fake_new(test)->vp[0];

	spin_lock(&vp->partition->lock);
	hvsim_stimer_vp_init(vp);
	vp->lapic.apic_spurious = HV_X86_APIC_SVR_ENABLE | 0xFF;
	vp->lapic.apic_lvt_timer = HV_X86_APIC_LVT_MASKED;
	vp->lapic.apic_lvt_error = HV_X86_APIC_LVT_MASKED;
	spin_unlock(&vp->partition->lock);
	return vp;
}

static bool lt_irr(const struct hvsim_vp *vp, u32 vector)
{
	return vp->lapic.apic_irr[vector / 32] & BIT(vector % 32);
}

static void lt_irr_clear(struct hvsim_vp *vp, u32 vector)
{
	vp->lapic.apic_irr[vector / 32] &= ~BIT(vector % 32);
}

static u32 lt_read(struct hvsim_vp *vp, u32 offset)
{
	u32 val = 0xDEADBEEF;

	lapic_reg_read(vp, offset, &val);
	return val;
}

/* Partition time moves to @ns; expirations due are taken */
static void lt_at(struct hvsim_vp *vp, u64 ns)
{
	vp->partition->time.base_ns = ns;
	hvsim_stimer_poll(vp);
}

/* A guest write of a register, as the run loop completes it */
static bool lt_write(struct hvsim_vp *vp, u32 offset, u32 val)
{
	bool done = lapic_reg_write(vp, offset, val);

	if (hvsim_lapic_timer_rearm_due(vp))
		hvsim_stimer_poll(vp);
	return done;
}

/* A guest RDMSR / WRMSR, as the run loop completes it */
static bool lt_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	bool done = hvsim_lapic_timer_msr(vp, exit);

	if (hvsim_lapic_timer_rearm_due(vp))
		hvsim_stimer_poll(vp);
	return done;
}

static void hvsim_lapic_timer_test_divisor(struct kunit *test)
{
	static const u32 div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	u32 dcr;

	for (dcr = 0; dcr < 16; dcr++) {
		u32 v = ((dcr & 8) >> 1) | (dcr & 3);

		/* bit 2 is not part of the encoding */
		KUNIT_EXPECT_EQ_MSG(test, hvsim_lapic_timer_divisor(dcr),
				    div[v], "dcr %#x", dcr);
	}
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_divisor(0xB), 1U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_divisor(0xFFFFFFF0), 2U);
}

static void hvsim_lapic_timer_test_count(struct kunit *test)
{
	/* one-shot, divisor 1 */
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(1000, 1, 0, false), 1000U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(1000, 1, 1, false), 999U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(1000, 1, 999, false), 1U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(1000, 1, 1000, false), 0U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(1000, 1, 5000, false), 0U);
	/* divisor 16: one count every 16 ns */
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 15, false), 100U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 16, false), 99U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 1599, false), 1U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 1600, false), 0U);
	/* periodic reloads every initial x divisor ns */
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 1600, true), 100U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 1616, true), 99U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(100, 16, 16000 + 799, true),
			51U);
	/* the largest period: 2^32 - 1 counts at divisor 128 */
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(U32_MAX, 128,
						      128ULL * U32_MAX - 1,
						      false), 1U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(U32_MAX, 128,
						      128ULL * U32_MAX + 128,
						      true), U32_MAX - 1);
	/* initial count 0: stopped */
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_count(0, 1, 0, true), 0U);
}

/* LVT entries keep their writable bits; a disabled APIC masks them */
static void hvsim_lapic_timer_test_lvt(struct kunit *test)
{
	struct hvsim_vp *vp = lt_fake_vp(test);
	struct hv_local_interrupt_controller_state *l = &vp->lapic;

	spin_lock(&vp->partition->lock);
	KUNIT_EXPECT_TRUE(test, lt_write(vp, HV_X86_APIC_LVT_LINT0_OFFSET,
					 0xFFFFFFFF));
	KUNIT_EXPECT_EQ(test, l->apic_lvt_lint0, 0x1A7FFU);
	l->apic_lvt_lint1 = LVT_REMOTE_IRR;
	lt_write(vp, HV_X86_APIC_LVT_LINT1_OFFSET, 0x8420);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_lint1, 0xC420U);
	lt_write(vp, HV_X86_APIC_LVT_THERMAL_OFFSET, 0xFFFFFFFF);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_LVT_THERMAL_OFFSET),
			0x107FFU);
	lt_write(vp, HV_X86_APIC_LVT_PERF_OFFSET, 0xFFFFFFFF);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_perfmon, 0x107FFU);
	lt_write(vp, HV_X86_APIC_LVT_CMCI_OFFSET, 0xFFFFFFFF);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_cmci, 0x107FFU);
	lt_write(vp, HV_X86_APIC_LVT_ERROR_OFFSET, 0xFFFFFFFF);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_error, 0x100FFU);
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET, 0xFFFEFFFF);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_timer, 0x600FFU);
	lt_write(vp, HV_X86_APIC_TIMER_DIVIDE_OFFSET, 0xFFFFFFFF);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_DIVIDE_OFFSET),
			0xBU);
	KUNIT_EXPECT_FALSE(test, lt_write(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET,
					  5));
	KUNIT_EXPECT_FALSE(test, lt_write(vp, 0x3F0, 5));

	/* software-disabled: every entry masked, and stays masked */
	lt_write(vp, HV_X86_APIC_SVR_OFFSET, 0xFFFFFEFF);
	KUNIT_EXPECT_EQ(test, l->apic_spurious, 0xFFU);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_lint0, 0x1A7FFU);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_timer, 0x700FFU);
	lt_write(vp, HV_X86_APIC_LVT_LINT0_OFFSET, 0x20);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_lint0, 0x10020U);
	lt_write(vp, HV_X86_APIC_SVR_OFFSET, 0x1FF);
	lt_write(vp, HV_X86_APIC_LVT_LINT0_OFFSET, 0x20);
	KUNIT_EXPECT_EQ(test, l->apic_lvt_lint0, 0x20U);
	spin_unlock(&vp->partition->lock);
}

/* One-shot: one expiration, the count stops at 0; 0 stops the count */
static void hvsim_lapic_timer_test_oneshot(struct kunit *test)
{
	struct hvsim_vp *vp = lt_fake_vp(test);

	spin_lock(&vp->partition->lock);
	vp->partition->time.base_ns = 1000;
	lt_write(vp, HV_X86_APIC_TIMER_DIVIDE_OFFSET, 0x3);	/* 16 */
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET, LT_VECTOR);
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 100);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			100U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 2600ULL);
	lt_at(vp, 1000 + 16 * 40);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			60U);
	lt_at(vp, 2599);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));
	lt_at(vp, 2600);
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, LT_VECTOR));
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			0U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 0ULL);
	lt_irr_clear(vp, LT_VECTOR);
	lt_at(vp, 100000);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET),
			100U);

	/* initial count 0 stops a running count */
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 100);
	lt_at(vp, 100800);
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 0);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			0U);
	lt_at(vp, 200000);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));
	spin_unlock(&vp->partition->lock);
}

/* Periodic reloads; missed periods merge; masked counts without an IRQ */
static void hvsim_lapic_timer_test_periodic(struct kunit *test)
{
	struct hvsim_vp *vp = lt_fake_vp(test);

	spin_lock(&vp->partition->lock);
	lt_write(vp, HV_X86_APIC_TIMER_DIVIDE_OFFSET, 0xB);	/* 1 */
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET,
		 HV_X86_APIC_LVT_TIMER_PERIODIC | LT_VECTOR);
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 1000);
	lt_at(vp, 1000);
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, LT_VECTOR));
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			1000U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 2000ULL);
	lt_irr_clear(vp, LT_VECTOR);
	lt_at(vp, 5250);
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, LT_VECTOR));
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			750U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 6000ULL);
	lt_irr_clear(vp, LT_VECTOR);

	/* masked: counts and reloads, nothing delivered */
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET,
		 HV_X86_APIC_LVT_MASKED | HV_X86_APIC_LVT_TIMER_PERIODIC |
		 LT_VECTOR);
	lt_at(vp, 6100);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			900U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 7000ULL);

	/* a divide change keeps the count, which goes on at the new rate */
	lt_write(vp, HV_X86_APIC_TIMER_DIVIDE_OFFSET, 0x1);	/* 4 */
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			900U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 6100ULL + 3600);
	lt_at(vp, 6100 + 400);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			800U);
	spin_unlock(&vp->partition->lock);
}

/* TSC-deadline mode: the MSR, the disarming mode changes */
static void hvsim_lapic_timer_test_deadline(struct kunit *test)
{
	struct hvsim_vp *vp = lt_fake_vp(test);
	struct x86_emu_exit wr = {
		.reason = X86_EXIT_MSR,
		.msr = { .index = HV_X86_MSR_TSC_DEADLINE, .write = true },
	};
	struct x86_emu_exit rd = wr;
	u64 *gpr = vp->state.gpr;

	rd.msr.write = false;
	spin_lock(&vp->partition->lock);
	vp->partition->time.base_ns = 500;
	vp->time.tsc_offset = 10000;

	/* not in TSC-deadline mode: ignored, reads 0 */
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET, LT_VECTOR);
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 5000);
	gpr[X86_RAX] = 20000;
	gpr[X86_RDX] = 0;
	KUNIT_EXPECT_TRUE(test, lt_msr(vp, &wr));
	KUNIT_EXPECT_TRUE(test, lt_msr(vp, &rd));
	KUNIT_EXPECT_EQ(test, gpr[X86_RAX], 0ULL);
	KUNIT_EXPECT_EQ(test, vp->time.lapic.tsc_deadline, 0ULL);

	/* entering TSC-deadline mode disarms the count */
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET,
		 HV_X86_APIC_LVT_TIMER_TSC_DEADLINE | LT_VECTOR);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_initial_count, 0U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 0ULL);
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 5000);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_initial_count, 0U);

	/* TSC 10500 now; deadline 20000 = partition time 10000 */
	gpr[X86_RAX] = 20000;
	KUNIT_EXPECT_TRUE(test, lt_msr(vp, &wr));
	KUNIT_EXPECT_TRUE(test, lt_msr(vp, &rd));
	KUNIT_EXPECT_EQ(test, gpr[X86_RAX], 20000ULL);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 10000ULL);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			0U);
	lt_at(vp, 9999);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));
	lt_at(vp, 10000);
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, LT_VECTOR));
	KUNIT_EXPECT_EQ(test, vp->time.lapic.tsc_deadline, 0ULL);
	lt_irr_clear(vp, LT_VECTOR);

	/* a deadline in the past fires at once; 0 disarms */
	gpr[X86_RAX] = 5;
	lt_msr(vp, &wr);
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, LT_VECTOR));
	lt_irr_clear(vp, LT_VECTOR);
	gpr[X86_RAX] = 50000;
	lt_msr(vp, &wr);
	gpr[X86_RAX] = 0;
	lt_msr(vp, &wr);
	lt_at(vp, 100000);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));

	/* leaving TSC-deadline mode disarms the deadline */
	gpr[X86_RAX] = 200000;
	lt_msr(vp, &wr);
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET, LT_VECTOR);
	KUNIT_EXPECT_EQ(test, vp->time.lapic.tsc_deadline, 0ULL);
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET,
		 HV_X86_APIC_LVT_TIMER_TSC_DEADLINE | LT_VECTOR);
	lt_at(vp, 300000);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, LT_VECTOR));
	spin_unlock(&vp->partition->lock);
}

/* A vector below 16: not delivered, ESR bit 6, the error LVT fires */
static void hvsim_lapic_timer_test_esr(struct kunit *test)
{
	struct hvsim_vp *vp = lt_fake_vp(test);

	spin_lock(&vp->partition->lock);
	lt_write(vp, HV_X86_APIC_LVT_ERROR_OFFSET, 0x42);
	lt_write(vp, HV_X86_APIC_LVT_TIMER_OFFSET, 0x0F);
	lt_write(vp, HV_X86_APIC_TIMER_INITIAL_OFFSET, 10);
	lt_at(vp, 20);
	KUNIT_EXPECT_FALSE(test, lt_irr(vp, 0x0F));
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, 0x42));
	/* the ESR shows the errors once written */
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_ESR_OFFSET), 0U);
	lt_write(vp, HV_X86_APIC_ESR_OFFSET, 0);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_ESR_OFFSET), 0x40U);
	lt_write(vp, HV_X86_APIC_ESR_OFFSET, 0);
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_ESR_OFFSET), 0U);
	spin_unlock(&vp->partition->lock);
}

/* Stores into the xAPIC page reach the same registers */
static void hvsim_lapic_timer_test_xapic(struct kunit *test)
{
	struct hvsim_vp *vp = lt_fake_vp(test);
	struct x86_emu_exit st = {
		.reason = X86_EXIT_MEMORY,
		.insn_len = 6,
		.mem = {
			.access = X86_EMU_ACCESS_WRITE,
			.value_valid = true,
			.size = 4,
		},
	};

	spin_lock(&vp->partition->lock);
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0xFEE00900ULL;
	vp->state.rip = 0x1000;
	st.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_TIMER_DIVIDE_OFFSET;
	st.mem.value = 0xB;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &st));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x1006ULL);
	/* no count runs: nothing to re-arm, nor for an LVT or EOI write */
	KUNIT_EXPECT_FALSE(test, hvsim_lapic_timer_rearm_due(vp));
	st.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_LVT_TIMER_OFFSET;
	st.mem.value = LT_VECTOR;
	hvsim_apic_mmio(vp, &st);
	st.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_EOI_OFFSET;
	st.mem.value = 0;
	hvsim_apic_mmio(vp, &st);
	KUNIT_EXPECT_FALSE(test, hvsim_lapic_timer_rearm_due(vp));
	st.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_TIMER_INITIAL_OFFSET;
	st.mem.value = 300;
	hvsim_apic_mmio(vp, &st);
	KUNIT_EXPECT_TRUE(test, hvsim_lapic_timer_rearm_due(vp));
	KUNIT_EXPECT_FALSE(test, hvsim_lapic_timer_rearm_due(vp));
	hvsim_stimer_poll(vp);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_divide_configuration, 0xBU);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_lvt_timer, (u32)LT_VECTOR);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_initial_count, 300U);
	KUNIT_EXPECT_EQ(test, hvsim_lapic_timer_next_ns(vp), 300ULL);
	/* the current count is read only */
	st.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_TIMER_CURRENT_OFFSET;
	st.mem.value = 5;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &st));
	KUNIT_EXPECT_EQ(test, lt_read(vp, HV_X86_APIC_TIMER_CURRENT_OFFSET),
			300U);
	lt_at(vp, 300);
	KUNIT_EXPECT_TRUE(test, lt_irr(vp, LT_VECTOR));
	spin_unlock(&vp->partition->lock);
}

static struct kunit_case hvsim_lapic_timer_test_cases[] = {
	KUNIT_CASE(hvsim_lapic_timer_test_divisor),
	KUNIT_CASE(hvsim_lapic_timer_test_count),
	KUNIT_CASE(hvsim_lapic_timer_test_lvt),
	KUNIT_CASE(hvsim_lapic_timer_test_oneshot),
	KUNIT_CASE(hvsim_lapic_timer_test_periodic),
	KUNIT_CASE(hvsim_lapic_timer_test_deadline),
	KUNIT_CASE(hvsim_lapic_timer_test_esr),
	KUNIT_CASE(hvsim_lapic_timer_test_xapic),
	{}
};

static struct kunit_suite hvsim_lapic_timer_test_suite = {
	.name = "hvsim_lapic_timer",
	.test_cases = hvsim_lapic_timer_test_cases,
};

kunit_test_suite(hvsim_lapic_timer_test_suite);
