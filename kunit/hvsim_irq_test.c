// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's guest interrupt model: APIC priorities, EOI
 * through the MSRs and the xAPIC page, HLT and wake-up (also by an NMI or
 * an injected event), the register-page
 * scan, and the refusals of ASSERT / CLEAR_VIRTUAL_INTERRUPT.  Included at
 * the end of hvsim/hvsim_irq.c.  The APIC tests run on a VP that belongs
 * to no partition table; they only use edge-triggered vectors, so nothing
 * is posted to the root SynIC (level-triggered EOIs are covered by
 * selftests/mshv_interrupt_test.c).
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#define IRQ_HC_RESULT(status)	((u64)(status))

struct irq_fake {
	struct hvsim_partition pt;
	struct hvsim_vp vp;
};

static struct hvsim_vp *irq_fake_vp(struct kunit *test)
{
	struct irq_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->pt.lock);
	f->pt.id = 0x77;
	f->vp.partition = &f->pt;
	f->vp.index = 3;
	f->vp.state.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IF;
	f->vp.state.efer = X86_EFER_LMA;
	f->vp.msrs[HVSIM_MSR_APIC_BASE] = 0xFEE00900ULL;
	return &f->vp;
}

static void hvsim_irq_test_priority(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	u32 *isr = vp->lapic.apic_isr;

	spin_lock(&vp->partition->lock);
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), -1);
	apic_accept(vp, 0x30, false);
	apic_accept(vp, 0x51, false);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[1], BIT(0x10));
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[2], BIT(0x11));
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_tmr[2], 0U);
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), 0x51);

	/* An in-service vector of the same class blocks, a lower one not */
	apic_set(isr, 0x55);
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), -1);
	apic_clear(isr, 0x55);
	apic_set(isr, 0x45);
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), 0x51);

	/* The task priority (CR8) blocks its class and below */
	vp->state.cr8 = 5;
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), -1);
	vp->state.cr8 = 4;
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), 0x51);

	/* IF clear or an interrupt shadow: pending but not deliverable */
	vp->state.rflags &= ~X86_RFLAGS_IF;
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), -1);
	KUNIT_EXPECT_EQ(test, apic_pending(vp), 0x51);
	vp->state.rflags |= X86_RFLAGS_IF;
	vp->state.interrupt_shadow = 1;
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), -1);
	vp->state.interrupt_shadow = 0;

	/* Level sets the TMR, edge clears it again */
	apic_accept(vp, 0xFF, true);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_tmr[7], BIT(31));
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), 0xFF);
	apic_accept(vp, 0xFF, false);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_tmr[7], 0U);
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_irr), 0xFF);
	spin_unlock(&vp->partition->lock);
}

static void hvsim_irq_test_eoi(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_exit exit = {
		.reason = X86_EXIT_MSR,
		.insn_len = 2,
		.msr = { .index = X86_MSR_X2APIC_EOI, .write = true },
	};
	u64 eois = atomic64_read(&irq_eois);

	spin_lock(&vp->partition->lock);
	vp->state.rip = 0x1000;
	vp->state.interrupt_shadow = 1;
	apic_set(vp->lapic.apic_isr, 0x40);
	apic_set(vp->lapic.apic_isr, 0x90);

	/* x2APIC EOI: the highest in-service vector ends, WRMSR retires */
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp, &exit));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_isr), 0x40);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x1002ULL);
	KUNIT_EXPECT_EQ(test, vp->state.interrupt_shadow, 0);

	/* Synthetic EOI MSR */
	exit.msr.index = HV_X64_MSR_EOI;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp, &exit));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_isr), -1);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_eois), eois + 2);

	/* EOI with nothing in service: retired, nothing counted */
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp, &exit));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_eois), eois + 2);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x1006ULL);

	/* Reads and other MSRs are not the APIC's */
	exit.msr.write = false;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_msr(vp, &exit));
	exit.msr.write = true;
	exit.msr.index = 0x80A;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_msr(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x1006ULL);
	spin_unlock(&vp->partition->lock);
}

static void hvsim_irq_test_mmio(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_exit exit = {
		.reason = X86_EXIT_MEMORY,
		.insn_len = 6,
		.mem = {
			.gpa = 0xFEE00000ULL + X86_APIC_EOI_OFFSET,
			.access = X86_ACCESS_WRITE,
			.value_valid = true,
			.size = 4,
		},
	};

	spin_lock(&vp->partition->lock);
	vp->state.rip = 0x2000;
	apic_set(vp->lapic.apic_isr, 0x33);
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_isr), -1);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x2006ULL);

	/* TPR sets CR8; another register ignores the value */
	exit.mem.gpa = 0xFEE00000ULL + X86_APIC_TPR_OFFSET;
	exit.mem.value = 0x5F;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.cr8, 5ULL);
	exit.mem.gpa = 0xFEE00300ULL;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x2012ULL);

	/* Not the APIC's: a read, no value, outside the page */
	exit.mem.access = X86_ACCESS_READ;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.access = X86_ACCESS_WRITE;
	exit.mem.value_valid = false;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.value_valid = true;
	exit.mem.gpa = 0xFEE01000ULL;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.gpa = 0xFEDFFFFCULL;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));

	/* The page follows APIC_BASE */
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0x12345900ULL;
	exit.mem.gpa = 0x12345000ULL + X86_APIC_TPR_OFFSET;
	exit.mem.value = 0x20;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.cr8, 2ULL);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x2018ULL);
	spin_unlock(&vp->partition->lock);
}

static void hvsim_irq_test_hlt(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_exit exit = { .reason = X86_EXIT_HLT, .insn_len = 1 };
	u64 halts = atomic64_read(&irq_halts);

	spin_lock(&vp->partition->lock);
	vp->state.rip = 0x3000;

	/* IF clear: the caller posts X64_HALT */
	vp->state.rflags &= ~X86_RFLAGS_IF;
	KUNIT_EXPECT_FALSE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3000ULL);
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);

	/* IF set: retired and halted */
	vp->state.rflags |= X86_RFLAGS_IF;
	KUNIT_EXPECT_TRUE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3001ULL);
	KUNIT_EXPECT_EQ(test, vp->activity, HV_INTERNAL_ACTIVITY_HALT_SUSPEND);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_halts), halts + 1);

	/* A masked-by-priority vector does not wake it, a higher one does */
	vp->state.cr8 = 3;
	apic_accept(vp, 0x31, false);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	apic_accept(vp, 0x41, false);
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);

	/* HLT with a deliverable interrupt retires without halting */
	KUNIT_EXPECT_TRUE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3002ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_halts), halts + 1);
	spin_unlock(&vp->partition->lock);
}

/* A pending NMI or injected event wakes a halted VP; a blocked NMI not */
static void hvsim_irq_test_nmi_wake(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_exit exit = { .reason = X86_EXIT_HLT, .insn_len = 1 };

	spin_lock(&vp->partition->lock);
	vp->state.rip = 0x3000;
	KUNIT_EXPECT_TRUE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));

	/* NMIs blocked: still halted */
	vp->nmi_pending = true;
	vp->state.nmi_masked = 1;
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	/* unblocked, even with IF clear: woken */
	vp->state.rflags &= ~X86_RFLAGS_IF;
	vp->state.nmi_masked = 0;
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);

	/* HLT with an NMI waiting retires without halting */
	vp->state.rflags |= X86_RFLAGS_IF;
	KUNIT_EXPECT_TRUE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);

	/* PENDING_INTERRUPTION wakes it too */
	vp->nmi_pending = false;
	KUNIT_EXPECT_TRUE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	vp->pending_interruption = HV_X64_PENDING_INTERRUPTION_PENDING |
		((u64)HV_X64_PENDING_EXCEPTION <<
		 HV_X64_PENDING_INTERRUPTION_TYPE_SHIFT) |
		(6ULL << HV_X64_PENDING_INTERRUPTION_VECTOR_SHIFT);
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3003ULL);
	spin_unlock(&vp->partition->lock);
}

static void hvsim_irq_test_scan(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct hv_vp_register_page *rp;
	u64 scanned = atomic64_read(&irq_scanned);

	rp = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rp);
	spin_lock(&vp->partition->lock);
	hvsim_irq_scan(vp);		/* no register page: nothing */
	vp->reg_page = rp;
	rp->interrupt_vectors.vector_count = 3;
	rp->interrupt_vectors.vector[0] = 0x20;
	rp->interrupt_vectors.vector[1] = 0x05;
	rp->interrupt_vectors.vector[2] = 0xE1;
	rp->interrupt_vectors.vector[3] = 0x77;	/* beyond the count */
	apic_set(vp->lapic.apic_tmr, 0x20);
	hvsim_irq_scan(vp);
	KUNIT_EXPECT_EQ(test, rp->interrupt_vectors.as_uint64, 0ULL);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[1], BIT(0));
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[7], BIT(1));
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[0], 0U);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[3], 0U);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_tmr[1], 0U);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_scanned), scanned + 2);
	vp->reg_page = NULL;
	spin_unlock(&vp->partition->lock);
}

/* Refusals through the hypercall entry: nothing changes */
static void hvsim_irq_test_refusals(struct kunit *test)
{
	struct hv_input_assert_virtual_interrupt *in;
	u64 asserted = atomic64_read(&irq_asserted);
	static const struct {
		const char *what;
		u32 type, flags, vector;
		u64 dest;
		u8 vtl, rsvd0;
		u16 rsvd1;
		u16 status;
	} rows[] = {
		{ "SMI", HV_X64_INTERRUPT_TYPE_SMI, 0, 2, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "NMI vector 256", HV_X64_INTERRUPT_TYPE_NMI, 0, 256, 0, 0, 0,
		  0, HV_STATUS_INVALID_PARAMETER },
		{ "ExtINT", HV_X64_INTERRUPT_TYPE_EXTINT, 0, 0x30, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "type 10", 10, 0, 0x30, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "vector 15", 0, 0, 15, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "vector 256", 0, 0, 256, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "flag bit 2", 0, 4, 0x30, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "logical 0x100", 0, 2, 0x30, 0x100, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "VTL 1", 0, 0, 0x30, 0, 1, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "reserved 0", 0, 0, 0x30, 0, 0, 1, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "reserved 1", 0, 0, 0x30, 0, 0, 0, 1,
		  HV_STATUS_INVALID_PARAMETER },
		{ "no partition", 1, 0x40000003, 0x30, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
	};
	unsigned int i;

	in = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		memset(in, 0, sizeof(*in));
		in->interrupt_type = rows[i].type;
		in->control_flags = rows[i].flags;
		in->vector = rows[i].vector;
		in->dest_addr = rows[i].dest;
		in->target_vtl = rows[i].vtl;
		in->rsvd_z0 = rows[i].rsvd0;
		in->rsvd_z1 = rows[i].rsvd1;
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_hypercall(HVCALL_ASSERT_VIRTUAL_INTERRUPT,
						    in, NULL),
				    IRQ_HC_RESULT(rows[i].status), "%s",
				    rows[i].what);
	}
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_asserted), asserted);

	memset(in, 0, sizeof(*in));
	KUNIT_EXPECT_EQ(test,
			hvsim_hypercall(HVCALL_CLEAR_VIRTUAL_INTERRUPT |
					HV_HYPERCALL_FAST_BIT, in, NULL),
			IRQ_HC_RESULT(HV_STATUS_INVALID_PARTITION_ID));
}

static struct kunit_case hvsim_irq_test_cases[] = {
	KUNIT_CASE(hvsim_irq_test_priority),
	KUNIT_CASE(hvsim_irq_test_eoi),
	KUNIT_CASE(hvsim_irq_test_mmio),
	KUNIT_CASE(hvsim_irq_test_hlt),
	KUNIT_CASE(hvsim_irq_test_nmi_wake),
	KUNIT_CASE(hvsim_irq_test_scan),
	KUNIT_CASE(hvsim_irq_test_refusals),
	{}
};

static struct kunit_suite hvsim_irq_test_suite = {
	.name = "hvsim_irq",
	.test_cases = hvsim_irq_test_cases,
};

kunit_test_suite(hvsim_irq_test_suite);
