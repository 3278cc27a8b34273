// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of hvsim's guest interrupt model: APIC priorities, EOI
 * through the MSRs and the xAPIC page, HLT and wake-up (also by an NMI or
 * an injected event), the register-page
 * scan, the INIT / SIPI state machine, ICR decoding and guest IPIs through
 * the three ICRs, and the refusals of ASSERT / CLEAR_VIRTUAL_INTERRUPT.
 * Included at the end of hvsim/hvsim_irq.c.  The APIC tests run on VPs
 * that belong to no partition table; they only use edge-triggered vectors
 * and wake or start no VP, so nothing is posted to the root SynIC
 * (level-triggered EOIs, wake-ups and SIPI starts are covered by
 * selftests/mshv_interrupt_test.c and selftests/mshv_ipi_test.c).
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../hvsim/hvsim_main.h"
#include "hvsim_fake.h"

#define IRQ_HC_RESULT(status)	((u64)(status))

static struct hvsim_vp *irq_fake_vp(struct kunit *test)
{
	struct hvsim_fake *f = hvsim_fake_new(test);
	struct hvsim_vp *vp = &f->vp[0];

	f->pt.id = 0x77;
	vp->index = 3;
	vp->state.rflags = HV_X86_RFLAGS_FIXED | HV_X86_RFLAGS_IF;
	vp->state.efer = HV_X86_EFER_LMA;
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0xFEE00900ULL;
	return vp;
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
	vp->state.rflags &= ~HV_X86_RFLAGS_IF;
	KUNIT_EXPECT_EQ(test, apic_deliverable(vp), -1);
	KUNIT_EXPECT_EQ(test, apic_pending(vp), 0x51);
	vp->state.rflags |= HV_X86_RFLAGS_IF;
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
		.msr = { .index = HV_X86_MSR_X2APIC_EOI, .write = true },
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
			.gpa = 0xFEE00000ULL + HV_X86_APIC_EOI_OFFSET,
			.access = X86_EMU_ACCESS_WRITE,
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
	exit.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_TPR_OFFSET;
	exit.mem.value = 0x5F;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.cr8, 5ULL);
	exit.mem.gpa = 0xFEE003F0ULL;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x2012ULL);

	/* Not the APIC's: a fetch, no value, outside the page */
	exit.mem.access = X86_EMU_ACCESS_EXECUTE;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.access = X86_EMU_ACCESS_WRITE;
	exit.mem.value_valid = false;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.value_valid = true;
	exit.mem.gpa = 0xFEE01000ULL;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.gpa = 0xFEDFFFFCULL;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));

	/* The page follows APIC_BASE */
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0x12345900ULL;
	exit.mem.gpa = 0x12345000ULL + HV_X86_APIC_TPR_OFFSET;
	exit.mem.value = 0x20;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.cr8, 2ULL);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x2018ULL);

	/* Nor while the APIC is disabled or in x2APIC mode */
	exit.mem.value = 0x70;
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0x12345100ULL;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0x12345D00ULL;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	exit.mem.access = X86_EMU_ACCESS_READ;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_mmio(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.cr8, 2ULL);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x2018ULL);
	spin_unlock(&vp->partition->lock);
}

/* Read @len bytes at xAPIC offset @offset, little-endian */
static u64 irq_page_read(struct hvsim_vp *vp, u32 offset, unsigned int len)
{
	u8 buf[16] = {};
	u64 v = 0;

	apic_page_read(vp, offset, buf, len);
	memcpy(&v, buf, min_t(unsigned int, len, sizeof(v)));
	return v;
}

/* A 32-bit xAPIC register store at @offset, as the guest's MOV makes it */
static void irq_page_store(struct kunit *test, struct hvsim_vp *vp,
			   u32 offset, u32 value)
{
	struct x86_emu_exit exit = {
		.reason = X86_EXIT_MEMORY,
		.insn_len = 6,
		.mem = {
			.gpa = 0xFEE00000ULL + offset,
			.access = X86_EMU_ACCESS_WRITE,
			.value_valid = true,
			.size = 4,
			.value = value,
		},
	};

	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp, &exit));
}

/* Every xAPIC register reads its architectural value */
static void hvsim_irq_test_xapic_read(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct hv_local_interrupt_controller_state *l = &vp->lapic;
	u8 buf[16];
	u32 off;

	spin_lock(&vp->partition->lock);
	l->apic_version = 0x50014;
	l->apic_dfr = 0xFFFFFFFF;
	l->apic_spurious = 0x1FF;
	l->apic_lvt_timer = 0x20031;
	l->apic_lvt_thermal = 0x10032;
	l->apic_lvt_perfmon = 0x433;
	l->apic_lvt_lint0 = 0x700;
	l->apic_lvt_lint1 = 0x400;
	l->apic_lvt_error = 0x34;
	l->apic_lvt_cmci = 0x10035;
	l->apic_esr = 0x40;
	l->apic_initial_count = 0x12345678;
	l->apic_divide_configuration = 0xB;
	/* a count SET_VP_STATE restored reads as such until it runs */
	l->apic_counter_value = 0x1234;
	vp->time.lapic.restored = true;

	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x20, 4), 0x03000000ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x30, 4), 0x50014ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x80, 4), 0ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xA0, 4), 0ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xE0, 4), 0xFFFFFFFFULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xF0, 4), 0x1FFULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x280, 4), 0x40ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x2F0, 4), 0x10035ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x320, 4), 0x20031ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x330, 4), 0x10032ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x340, 4), 0x433ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x350, 4), 0x700ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x360, 4), 0x400ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x370, 4), 0x34ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x380, 4), 0x12345678ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x390, 4), 0x1234ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x3E0, 4), 0xBULL);

	/* TPR is CR8 (bits 3:0 read 0); PPR the higher of it and the ISR's */
	irq_page_store(test, vp, HV_X86_APIC_TPR_OFFSET, 0x5F);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x80, 4), 0x50ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xA0, 4), 0x50ULL);
	apic_set(l->apic_isr, 0x41);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xA0, 4), 0x50ULL);
	apic_set(l->apic_isr, 0x73);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xA0, 4), 0x70ULL);

	/* ISR, TMR, IRR: eight registers each, bit v % 32 of register v / 32 */
	apic_accept(vp, 0xE2, true);
	apic_accept(vp, 0x20, false);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x120, 4), (u64)BIT(1));
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x130, 4), (u64)BIT(0x13));
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x1F0, 4), (u64)BIT(2));
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x1E0, 4), 0ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x210, 4), (u64)BIT(0));
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x270, 4), (u64)BIT(2));
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x100, 4), 0ULL);

	/* Stored registers keep their writable bits */
	irq_page_store(test, vp, 0xD0, 0x12345678);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xD0, 4), 0x12000000ULL);
	irq_page_store(test, vp, 0xE0, 0x0);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0xE0, 4), 0x0FFFFFFFULL);
	irq_page_store(test, vp, 0x310, 0xABCDEF12);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x310, 4), 0xAB000000ULL);
	irq_page_store(test, vp, 0x300, 0x10000 | HV_X86_APIC_ICR_BUSY);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x300, 4), 0x10000ULL);
	/* the ID ignores stores */
	irq_page_store(test, vp, 0x20, 0x7F000000);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x20, 4), 0x03000000ULL);

	/* EOI, APR, RRD, self IPI and the reserved offsets read 0 */
	for (off = 0; off < APIC_PAGE_SIZE; off += APIC_REG_SLOT) {
		if (off == 0 || off == 0x10 || off == 0x40 || off == 0x50 ||
		    off == 0x60 || off == 0x70 || off == 0x90 || off == 0xB0 ||
		    off == 0xC0 || (off >= 0x290 && off < 0x2F0) ||
		    (off >= 0x3A0 && off < 0x3E0) || off >= 0x3F0)
			KUNIT_EXPECT_EQ_MSG(test, irq_page_read(vp, off, 4),
					    0ULL, "offset %#x", off);
	}

	/* Other sizes and alignments: bytes 4-15 of a slot read 0 */
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x23, 1), 0x03ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x22, 2), 0x0300ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x21, 2), 0ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x381, 2), 0x3456ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x380, 8), 0x12345678ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x384, 4), 0ULL);
	KUNIT_EXPECT_EQ(test, irq_page_read(vp, 0x38E, 4), 0x12340000ULL);
	memset(buf, 0xEE, sizeof(buf));
	apic_page_read(vp, 0x370, buf, 16);
	KUNIT_EXPECT_EQ(test, buf[0], 0x34);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf + 1, 0, 15));
	spin_unlock(&vp->partition->lock);
}

/* IA32_APIC_BASE: the legal mode transitions and those that are a #GP */
static void hvsim_irq_test_x2apic_base(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	u64 *base = &vp->msrs[HVSIM_MSR_APIC_BASE];

	spin_lock(&vp->partition->lock);
	/* EXTD is reserved unless the partition is X2APIC_CAPABLE */
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, 0xFEE00D00ULL));
	KUNIT_EXPECT_EQ(test, *base, 0xFEE00900ULL);
	vp->partition->creation_flags =
		HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE;
	KUNIT_EXPECT_FALSE(test, hvsim_apic_x2apic(vp));
	KUNIT_EXPECT_TRUE(test, hvsim_apic_base_write(vp, 0xFEE00D00ULL));
	KUNIT_EXPECT_TRUE(test, hvsim_apic_x2apic(vp));
	/* x2APIC -> xAPIC, EXTD without EN, reserved bits */
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, 0xFEE00900ULL));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, 0xFEE00500ULL));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, 0xFEE00D01ULL));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, 0xFEE00F00ULL));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, BIT_ULL(48) |
						       0xFEE00D00ULL));
	KUNIT_EXPECT_EQ(test, *base, 0xFEE00D00ULL);
	/* x2APIC -> disabled; disabled -> x2APIC is not allowed */
	KUNIT_EXPECT_TRUE(test, hvsim_apic_base_write(vp, 0xFEE00100ULL));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_x2apic(vp));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_base_write(vp, 0xFEE00D00ULL));
	KUNIT_EXPECT_EQ(test, *base, 0xFEE00100ULL);
	/* disabled -> xAPIC, moved, BSP cleared, xAPIC -> x2APIC */
	KUNIT_EXPECT_TRUE(test, hvsim_apic_base_write(vp, 0xFEE00900ULL));
	KUNIT_EXPECT_TRUE(test, hvsim_apic_base_write(vp, 0x12345800ULL));
	KUNIT_EXPECT_EQ(test, *base, 0x12345800ULL);
	KUNIT_EXPECT_TRUE(test, hvsim_apic_base_write(vp, 0x0000FFFFFFFFFC00ULL));
	KUNIT_EXPECT_TRUE(test, hvsim_apic_x2apic(vp));
	spin_unlock(&vp->partition->lock);
}

/* RDMSR of x2APIC MSR @index into *@val; whether hvsim_apic_msr() took it */
static bool irq_rdmsr(struct hvsim_vp *vp, u32 index, u64 *val)
{
	struct x86_emu_exit exit = {
		.reason = X86_EXIT_MSR,
		.insn_len = 2,
		.msr = { .index = index },
	};
	bool done;

	vp->state.gpr[X86_RAX] = 0xDEAD;
	vp->state.gpr[X86_RDX] = 0xBEEF;
	done = hvsim_apic_msr(vp, &exit);
	*val = vp->state.gpr[X86_RDX] << 32 | (u32)vp->state.gpr[X86_RAX];
	return done;
}

/* WRMSR of @val to x2APIC MSR @index */
static bool irq_wrmsr(struct hvsim_vp *vp, u32 index, u64 val)
{
	struct x86_emu_exit exit = {
		.reason = X86_EXIT_MSR,
		.insn_len = 2,
		.msr = { .index = index, .write = true },
	};

	vp->state.gpr[X86_RAX] = lower_32_bits(val);
	vp->state.gpr[X86_RDX] = upper_32_bits(val);
	return hvsim_apic_msr(vp, &exit);
}

/* The x2APIC MSRs in x2APIC mode: values, write-only, read-only, reserved */
static void hvsim_irq_test_x2apic_msrs(struct kunit *test)
{
	static const u32 no_read[] = {
		0x800, 0x801, 0x804, 0x807, 0x809, 0x80B, 0x80C, 0x80E,
		0x829, 0x82E, 0x831, 0x83A, 0x83D, 0x83F, 0x840, 0x8FF,
	};
	static const u32 read_only[] = {
		0x802, 0x803, 0x80A, 0x80D, 0x810, 0x817, 0x818, 0x81F, 0x820,
		0x827, 0x839,
	};
	struct hvsim_vp *vp = irq_fake_vp(test);
	u64 val, drops = atomic64_read(&irq_ipi_drops);
	unsigned int i;

	spin_lock(&vp->partition->lock);
	vp->partition->creation_flags =
		HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE;
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0xFEE00D00ULL;
	vp->lapic.apic_version = 0x50014;
	vp->state.rip = 0x1000;

	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x802, &val));
	KUNIT_EXPECT_EQ(test, val, 3ULL);
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x803, &val));
	KUNIT_EXPECT_EQ(test, val, 0x50014ULL);
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x80D, &val));
	KUNIT_EXPECT_EQ(test, val, 0x8ULL);
	KUNIT_EXPECT_EQ(test, x2apic_ldr(0x25), 0x20020U);
	KUNIT_EXPECT_EQ(test, x2apic_ldr(0xFF), 0xF8000U);
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x1006ULL);

	/* TPR and PPR */
	KUNIT_EXPECT_TRUE(test, irq_wrmsr(vp, 0x808, 0x5F));
	KUNIT_EXPECT_EQ(test, vp->state.cr8, 5ULL);
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x808, &val));
	KUNIT_EXPECT_EQ(test, val, 0x50ULL);
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x808, 0x100));
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x808, BIT_ULL(32)));
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x80A, &val));
	KUNIT_EXPECT_EQ(test, val, 0x50ULL);
	apic_set(vp->lapic.apic_isr, 0x73);
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x80A, &val));
	KUNIT_EXPECT_EQ(test, val, 0x70ULL);
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x813, &val));
	KUNIT_EXPECT_EQ(test, val, (u64)BIT(0x13));

	/* EOI: only 0 may be written */
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x80B, 1));
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x80B, BIT_ULL(32)));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_isr), 0x73);
	KUNIT_EXPECT_TRUE(test, irq_wrmsr(vp, 0x80B, 0));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_isr), -1);

	/* SELF IPI: bits 31:8 reserved; the vector enters the IRR */
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x83F, 0x141));
	KUNIT_EXPECT_TRUE(test, irq_wrmsr(vp, 0x83F, 0x41));
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x822, &val));
	KUNIT_EXPECT_EQ(test, val, (u64)BIT(1));
	apic_accept(vp, 0xE2, true);
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x81F, &val));
	KUNIT_EXPECT_EQ(test, val, (u64)BIT(2));
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x827, &val));
	KUNIT_EXPECT_EQ(test, val, (u64)BIT(2));

	/* ICR: one 64-bit register, a 32-bit destination (no VP 0x12345678) */
	KUNIT_EXPECT_TRUE(test, irq_wrmsr(vp, 0x830,
					  0x1234567800000040ULL |
					  HV_X86_APIC_ICR_BUSY));
	KUNIT_EXPECT_TRUE(test, irq_rdmsr(vp, 0x830, &val));
	KUNIT_EXPECT_EQ(test, val, 0x1234567800000040ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipi_drops), drops + 1);

	/* Not taken (a #GP in x2APIC mode): reads, writes, reserved */
	for (i = 0; i < ARRAY_SIZE(no_read); i++)
		KUNIT_EXPECT_FALSE_MSG(test, irq_rdmsr(vp, no_read[i], &val),
				       "RDMSR %#x", no_read[i]);
	for (i = 0; i < ARRAY_SIZE(read_only); i++)
		KUNIT_EXPECT_FALSE_MSG(test, irq_wrmsr(vp, read_only[i], 0),
				       "WRMSR %#x", read_only[i]);
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x80E, 0));
	KUNIT_EXPECT_FALSE(test, irq_wrmsr(vp, 0x809, 0));

	/* Outside x2APIC mode EOI takes any value, as hvsim always did */
	vp->msrs[HVSIM_MSR_APIC_BASE] = 0xFEE00900ULL;
	apic_set(vp->lapic.apic_isr, 0x73);
	KUNIT_EXPECT_TRUE(test, irq_wrmsr(vp, 0x80B, 1));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_isr), -1);
	spin_unlock(&vp->partition->lock);
}

/* Guest code of the xAPIC read test: real mode, at the reset vector */
static const u8 irq_read_code[] = {
	0x66, 0xA1, 0x20, 0x00,			/* mov 0x20, %eax */
	0x66, 0x83, 0x0E, 0xF0, 0x00, 0x01,	/* orl $1, 0xF0 */
};

/*
 * Guest memory of the read test: the last 16 bytes below 4 GiB, the code
 * and zeros after it, to fetch from, and nothing else
 */
static int irq_read_mem(void *ctx, u64 gpa, void *buf, unsigned int len,
			enum x86_emu_access access, bool commit)
{
	u8 bytes[16] = {};
	u64 off = gpa - 0xFFFFFFF0ULL;

	BUILD_BUG_ON(sizeof(irq_read_code) > sizeof(bytes));
	if (access != X86_EMU_ACCESS_EXECUTE || gpa < 0xFFFFFFF0ULL ||
	    off + len > sizeof(bytes))
		return -ENOENT;
	memcpy(bytes, irq_read_code, sizeof(irq_read_code));
	if (commit)
		memcpy(buf, bytes + off, len);
	return 0;
}

static const struct x86_emu_mem_ops irq_read_ops = {
	.access = irq_read_mem,
};

/* A read of the page runs the instruction again with the register */
static void hvsim_irq_test_xapic_read_insn(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_state *s = &vp->state;

	spin_lock(&vp->partition->lock);
	x86_emu_reset(s);
	s->seg[X86_DS].base = 0xFEE00000ULL;
	s->gpr[X86_RAX] = 0xFFFFFFFFFFFFFFFFULL;
	KUNIT_EXPECT_TRUE(test, apic_mmio_read(vp, &irq_read_ops,
					       0xFEE00000ULL));
	KUNIT_EXPECT_EQ(test, s->gpr[X86_RAX], 0x03000000ULL);
	KUNIT_EXPECT_EQ(test, s->rip, 0xFFF4ULL);

	/* A read-modify-write of the page is not: nothing changes */
	KUNIT_EXPECT_FALSE(test, apic_mmio_read(vp, &irq_read_ops,
						0xFEE00000ULL));
	KUNIT_EXPECT_EQ(test, s->rip, 0xFFF4ULL);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_spurious, 0U);
	spin_unlock(&vp->partition->lock);
}

static void hvsim_irq_test_hlt(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_exit exit = { .reason = X86_EXIT_HLT, .insn_len = 1 };
	u64 halts = atomic64_read(&irq_halts);

	spin_lock(&vp->partition->lock);
	vp->state.rip = 0x3000;

	/*
	 * IF clear: the caller posts X64_HALT; the VP halts at the HLT, an
	 * interrupt does not wake it, an NMI does and the HLT retires
	 */
	vp->state.rflags &= ~HV_X86_RFLAGS_IF;
	KUNIT_EXPECT_FALSE(test, hvsim_irq_hlt(vp, &exit));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3000ULL);
	KUNIT_EXPECT_EQ(test, vp->activity, HV_INTERNAL_ACTIVITY_HALT_SUSPEND);
	KUNIT_EXPECT_EQ(test, vp->hlt_len, 1);
	apic_accept(vp, 0x41, false);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3000ULL);
	vp->nmi_pending = true;
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3001ULL);
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);
	KUNIT_EXPECT_EQ(test, vp->hlt_len, 0);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_halts), halts);
	apic_clear(vp->lapic.apic_irr, 0x41);
	vp->nmi_pending = false;
	vp->state.rip = 0x3000;

	/* The VMM moving RIP ends such a halt; the same RIP does not */
	KUNIT_EXPECT_FALSE(test, hvsim_irq_hlt(vp, &exit));
	hvsim_vp_rip_written(vp, 0x3000);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	hvsim_vp_rip_written(vp, 0x3001);
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->state.rip, 0x3001ULL);
	KUNIT_EXPECT_EQ(test, vp->hlt_len, 0);
	vp->state.rip = 0x3000;

	/* IF set: retired and halted */
	vp->state.rflags |= HV_X86_RFLAGS_IF;
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
	vp->state.rflags &= ~HV_X86_RFLAGS_IF;
	vp->state.nmi_masked = 0;
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);

	/* HLT with an NMI waiting retires without halting */
	vp->state.rflags |= HV_X86_RFLAGS_IF;
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
		{ "ExtINT vector 256", HV_X64_INTERRUPT_TYPE_EXTINT, 0, 256, 0,
		  0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "LINT0 vector 256", HV_X64_INTERRUPT_TYPE_LOCALINT0, 0, 256,
		  0, 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
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
		{ "INIT vector 1", HV_X64_INTERRUPT_TYPE_INIT, 0, 1, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "INIT level", HV_X64_INTERRUPT_TYPE_INIT, 1, 0, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "SIPI level", HV_X64_INTERRUPT_TYPE_SIPI, 1, 0x10, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "SIPI vector 256", HV_X64_INTERRUPT_TYPE_SIPI, 0, 256, 0, 0,
		  0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "SIPI VTL 1", HV_X64_INTERRUPT_TYPE_SIPI, 0, 0x10, 0, 1, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "INIT no partition", HV_X64_INTERRUPT_TYPE_INIT, 2, 0, 0xFF,
		  0, 0, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "SIPI vector 0, no partition", HV_X64_INTERRUPT_TYPE_SIPI, 0,
		  0, 0, 0, 0, 0, HV_STATUS_INVALID_PARTITION_ID },
	};
	u64 inits = atomic64_read(&irq_inits);
	u64 sipis = atomic64_read(&irq_sipis);
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
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_inits), inits);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_sipis), sipis);

	memset(in, 0, sizeof(*in));
	KUNIT_EXPECT_EQ(test,
			hvsim_hypercall(HVCALL_CLEAR_VIRTUAL_INTERRUPT |
					HV_HYPERCALL_FAST_BIT, in, NULL),
			IRQ_HC_RESULT(HV_STATUS_INVALID_PARTITION_ID));
}

/* INIT resets a VP and parks it until a SIPI; a SIPI starts it once */
static void hvsim_irq_test_init_sipi(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	struct x86_emu_state *s = &vp->state;
	u64 inits = atomic64_read(&irq_inits);
	u64 sipis = atomic64_read(&irq_sipis);
	u64 ignored = atomic64_read(&irq_sipis_ignored);
	unsigned int i;

	spin_lock(&vp->partition->lock);
	s->rip = 0x123456;
	s->cr0 = HV_X86_CR0_PG | 1;
	s->cr3 = 0x9000;
	s->gpr[X86_RAX] = 0xAA;
	s->seg[X86_CS].selector = 0x10;
	s->xmm[3].low_part = 0x1234;
	s->star = 0x0023001000000000ULL;
	s->lstar = 0xFFFFFFFF81000000ULL;
	s->cstar = 0xFFFFFFFF81000100ULL;
	s->sfmask = 0x47700;
	s->interrupt_shadow = 1;
	s->nmi_masked = 1;
	vp->nmi_pending = true;
	vp->pending_interruption = 1;
	vp->activity = HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
	vp->lapic.apic_id = 9;
	vp->lapic.apic_spurious = 0x1FF;
	vp->lapic.apic_icr_low = 0x4500;
	vp->lapic.apic_icr_high = 1;
	apic_set(vp->lapic.apic_irr, 0x40);
	apic_set(vp->lapic.apic_isr, 0x50);
	apic_set(vp->lapic.apic_tmr, 0x40);

	KUNIT_EXPECT_FALSE(test, apic_deliver(vp, HV_X64_INTERRUPT_TYPE_INIT,
					      0, false));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_inits), inits + 1);
	KUNIT_EXPECT_EQ(test, vp->activity,
			HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_TRUE(test, hvsim_apic_stopped(vp));
	KUNIT_EXPECT_EQ(test, s->rip, 0xFFF0ULL);
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].selector, 0xF000);
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].base, 0xFFFF0000ULL);
	KUNIT_EXPECT_EQ(test, s->cr0, 0x60000010ULL);
	KUNIT_EXPECT_EQ(test, s->cr3, 0ULL);
	KUNIT_EXPECT_EQ(test, s->efer, 0ULL);
	KUNIT_EXPECT_EQ(test, s->rflags, HV_X86_RFLAGS_FIXED);
	KUNIT_EXPECT_EQ(test, s->gpr[X86_RAX], 0ULL);
	KUNIT_EXPECT_EQ(test, s->xmm[3].low_part, 0x1234ULL);
	KUNIT_EXPECT_EQ(test, s->star, 0x0023001000000000ULL);
	KUNIT_EXPECT_EQ(test, s->lstar, 0xFFFFFFFF81000000ULL);
	KUNIT_EXPECT_EQ(test, s->cstar, 0xFFFFFFFF81000100ULL);
	KUNIT_EXPECT_EQ(test, s->sfmask, 0x47700ULL);
	KUNIT_EXPECT_EQ(test, s->interrupt_shadow, 0);
	KUNIT_EXPECT_EQ(test, s->nmi_masked, 0);
	KUNIT_EXPECT_FALSE(test, vp->nmi_pending);
	KUNIT_EXPECT_EQ(test, vp->pending_interruption, 0ULL);
	KUNIT_EXPECT_EQ(test, vp->msrs[HVSIM_MSR_APIC_BASE], 0xFEE00900ULL);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_id, 9U);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_spurious, 0xFFU);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_lvt_lint0, 0x10000U);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_icr_low, 0U);
	KUNIT_EXPECT_EQ(test, vp->lapic.apic_icr_high, 0U);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, vp->lapic.apic_irr[i], 0U);
		KUNIT_EXPECT_EQ(test, vp->lapic.apic_isr[i], 0U);
		KUNIT_EXPECT_EQ(test, vp->lapic.apic_tmr[i], 0U);
	}

	/* A fixed interrupt waits in the IRR and does not start it */
	s->rflags |= HV_X86_RFLAGS_IF;
	KUNIT_EXPECT_FALSE(test, apic_deliver(vp, HV_X64_INTERRUPT_TYPE_FIXED,
					      0x60, false));
	KUNIT_EXPECT_EQ(test, apic_highest(vp->lapic.apic_irr), 0x60);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));

	/* SIPI: real mode at the vector's page */
	KUNIT_EXPECT_TRUE(test, apic_deliver(vp, HV_X64_INTERRUPT_TYPE_SIPI,
					     0x9A, false));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_sipis), sipis + 1);
	KUNIT_EXPECT_EQ(test, vp->activity, 0ULL);
	KUNIT_EXPECT_FALSE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_stopped(vp));
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].selector, 0x9A00);
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].base, 0x9A000ULL);
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].limit, 0xFFFFU);
	KUNIT_EXPECT_EQ(test, s->rip, 0ULL);

	/* A second SIPI (and one to a running VP) is ignored */
	s->rip = 0x20;
	KUNIT_EXPECT_FALSE(test, apic_deliver(vp, HV_X64_INTERRUPT_TYPE_SIPI,
					      0x10, false));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_sipis), sipis + 1);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_sipis_ignored),
			ignored + 1);
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].selector, 0x9A00);
	KUNIT_EXPECT_EQ(test, s->rip, 0x20ULL);

	/* The VMM parks a VP by setting STARTUP_SUSPEND itself */
	vp->activity = HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND;
	KUNIT_EXPECT_TRUE(test, apic_deliver(vp, HV_X64_INTERRUPT_TYPE_SIPI,
					     0, false));
	KUNIT_EXPECT_EQ(test, s->seg[X86_CS].base, 0ULL);
	KUNIT_EXPECT_EQ(test, s->rip, 0ULL);
	spin_unlock(&vp->partition->lock);
}

/* ICR destinations: shorthands, physical, logical, broadcast */
static void hvsim_irq_test_icr_targets(struct kunit *test)
{
	static const struct {
		const char *what;
		u32 lo, dest;
		bool x2apic;
		u32 mask;	/* VPs 0-19 of the sender, VP 2 */
		u32 index;	/* an intercept message's target_vp_index */
	} rows[] = {
		{ "physical 5", 0x4030, 5, true, BIT(5), 5 },
		{ "physical 2 (self)", 0x4030, 2, false, BIT(2), 2 },
		{ "physical 300", 0x4030, 300, true, 0, 300 },
		{ "x2APIC broadcast", 0x4030, U32_MAX, true, 0xFFFFF,
		  HV_ANY_VP },
		{ "xAPIC broadcast", 0x4030, 0xFF, false, 0xFFFFF,
		  HV_ANY_VP },
		{ "x2APIC 0xFF is VP 255", 0x4030, 0xFF, true, 0, 0xFF },
		{ "self", 0x44030, 7, true, BIT(2), 2 },
		{ "all", 0x84030, 7, false, 0xFFFFF, HV_ANY_VP },
		{ "others", 0xC4030, 7, true, 0xFFFFB, HV_ANY_VP },
		{ "xAPIC logical", 0x4830, 0x81, false, BIT(0) | BIT(7),
		  HV_ANY_VP },
		{ "x2APIC cluster 1", 0x4830, 0x10009, true,
		  BIT(16) | BIT(19), HV_ANY_VP },
		{ "x2APIC cluster 0", 0x4830, 0x0006, true, BIT(1) | BIT(2),
		  HV_ANY_VP },
	};
	struct hvsim_vp *src = irq_fake_vp(test);
	unsigned int r, i;

	src->index = 2;
	for (r = 0; r < ARRAY_SIZE(rows); r++) {
		u32 mask = 0;

		for (i = 0; i < 20; i++)
			if (icr_targets(src, rows[r].lo, rows[r].dest,
					rows[r].x2apic, i))
				mask |= BIT(i);
		KUNIT_EXPECT_EQ_MSG(test, mask, rows[r].mask, "%s",
				    rows[r].what);
		KUNIT_EXPECT_EQ_MSG(test,
				    icr_target_index(src, rows[r].lo,
						     rows[r].dest,
						     rows[r].x2apic),
				    rows[r].index, "%s", rows[r].what);
	}
	KUNIT_EXPECT_TRUE(test, icr_targets(src, 0x4030, 255, false, 255));
	KUNIT_EXPECT_TRUE(test, icr_targets(src, 0x4030, 255, true, 255));
}

/* A partition of three running VPs (0, 1, 2) for the ICR tests */
static struct hvsim_vp *irq_fake_vps(struct kunit *test)
{
	struct hvsim_vp *vp0 = irq_fake_vp(test);
	struct hvsim_partition *pt = vp0->partition;
	unsigned int i;

	vp0->index = 0;
	pt->vps[0] = vp0;
	for (i = 1; i < 3; i++) {
		struct hvsim_vp *vp = kunit_kzalloc(test, sizeof(*vp),
						    GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, vp);
		*vp = *vp0;
		vp->index = i;
		pt->vps[i] = vp;
	}
	return vp0;
}

/* Guest IPIs through the x2APIC, synthetic and xAPIC ICRs */
static void hvsim_irq_test_icr_send(struct kunit *test)
{
	struct hvsim_partition *pt = irq_fake_vps(test)->partition;
	struct hvsim_vp *vp0 = pt->vps[0], *vp1 = pt->vps[1];
	struct hvsim_vp *vp2 = pt->vps[2];
	struct x86_emu_exit wr = {
		.reason = X86_EXIT_MSR,
		.insn_len = 2,
		.msr = { .index = HV_X86_MSR_X2APIC_ICR, .write = true },
	};
	struct x86_emu_exit mmio = {
		.reason = X86_EXIT_MEMORY,
		.insn_len = 6,
		.mem = {
			.access = X86_EMU_ACCESS_WRITE,
			.value_valid = true,
			.size = 4,
		},
	};
	u64 ipis = atomic64_read(&irq_ipis);
	u64 drops = atomic64_read(&irq_ipi_drops);
	u64 inits = atomic64_read(&irq_inits);
	u64 ignored = atomic64_read(&irq_sipis_ignored);
	u64 *gpr = vp1->state.gpr;

	spin_lock(&pt->lock);
	vp1->state.rip = 0x1000;

	/* x2APIC: fixed 0x40 to VP 2, busy bit dropped, WRMSR retired */
	gpr[X86_RAX] = 0x1040;
	gpr[X86_RDX] = 2;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_stopped(vp1));
	KUNIT_EXPECT_EQ(test, vp1->state.rip, 0x1002ULL);
	KUNIT_EXPECT_EQ(test, apic_highest(vp2->lapic.apic_irr), 0x40);
	KUNIT_EXPECT_EQ(test, apic_highest(vp0->lapic.apic_irr), -1);
	KUNIT_EXPECT_EQ(test, apic_highest(vp1->lapic.apic_irr), -1);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_low, 0x40U);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_high, 2U);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipis), ipis + 1);

	/* RDMSR returns it */
	wr.msr.write = false;
	gpr[X86_RAX] = ~0ULL;
	gpr[X86_RDX] = ~0ULL;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_EQ(test, gpr[X86_RAX], 0x40ULL);
	KUNIT_EXPECT_EQ(test, gpr[X86_RDX], 2ULL);
	KUNIT_EXPECT_EQ(test, vp1->state.rip, 0x1004ULL);

	/* Synthetic ICR: lowest priority to all but self -> VP 0 only */
	wr.msr.write = true;
	wr.msr.index = HV_X64_MSR_ICR;
	gpr[X86_RAX] = 0xC0141;
	gpr[X86_RDX] = 0;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_EQ(test, apic_highest(vp0->lapic.apic_irr), 0x41);
	KUNIT_EXPECT_EQ(test, apic_highest(vp2->lapic.apic_irr), 0x40);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_low, 0xC0141U);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipis), ipis + 2);

	/* Synthetic ICR: fixed 0x42 to xAPIC id 2 (bits 63:56) */
	gpr[X86_RAX] = 0x42;
	gpr[X86_RDX] = 2U << 24;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_EQ(test, apic_highest(vp2->lapic.apic_irr), 0x42);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_high, 2U << 24);

	/* x2APIC SELF IPI register */
	wr.msr.index = HV_X86_MSR_X2APIC_SELF_IPI;
	gpr[X86_RAX] = 0x150;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_EQ(test, apic_highest(vp1->lapic.apic_irr), 0x50);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipis), ipis + 4);

	/* Not delivered: vector 15, SMI, a reserved mode, no such VP */
	wr.msr.index = HV_X86_MSR_X2APIC_ICR;
	gpr[X86_RDX] = 0;
	gpr[X86_RAX] = 0x0F;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	gpr[X86_RAX] = 0x230;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	gpr[X86_RAX] = 0x730;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	gpr[X86_RAX] = 0x30;
	gpr[X86_RDX] = 3;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	/* INIT level de-assert: nothing */
	gpr[X86_RAX] = 0x8500;
	gpr[X86_RDX] = 2;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_EQ(test, vp2->activity, 0ULL);
	KUNIT_EXPECT_EQ(test, apic_highest(vp0->lapic.apic_irr), 0x41);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipis), ipis + 4);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipi_drops), drops + 5);

	/* xAPIC page: destination in 0x310, the command in 0x300: INIT */
	mmio.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_ICR_HIGH_OFFSET;
	mmio.mem.value = 2U << 24;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp1, &mmio));
	KUNIT_EXPECT_EQ(test, vp2->activity, 0ULL);
	mmio.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_ICR_LOW_OFFSET;
	mmio.mem.value = 0xC500;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp1, &mmio));
	KUNIT_EXPECT_FALSE(test, hvsim_apic_stopped(vp1));
	KUNIT_EXPECT_EQ(test, vp2->activity,
			HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
	KUNIT_EXPECT_EQ(test, apic_highest(vp2->lapic.apic_irr), -1);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_low, 0xC500U);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_high, 2U << 24);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_inits), inits + 1);

	/* SIPI to VP 0, which runs: ignored */
	mmio.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_ICR_HIGH_OFFSET;
	mmio.mem.value = 0;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp1, &mmio));
	mmio.mem.gpa = 0xFEE00000ULL + HV_X86_APIC_ICR_LOW_OFFSET;
	mmio.mem.value = 0x0612;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_mmio(vp1, &mmio));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_sipis_ignored),
			ignored + 1);
	KUNIT_EXPECT_EQ(test, vp0->activity, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_ipis), ipis + 6);

	/* INIT to self through the shorthand: the sender stops */
	gpr[X86_RAX] = 0x44500;
	gpr[X86_RDX] = 0;
	KUNIT_EXPECT_TRUE(test, hvsim_apic_msr(vp1, &wr));
	KUNIT_EXPECT_TRUE(test, hvsim_apic_stopped(vp1));
	KUNIT_EXPECT_EQ(test, vp1->state.rip, 0xFFF0ULL);
	KUNIT_EXPECT_EQ(test, vp1->lapic.apic_icr_low, 0U);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_inits), inits + 2);
	spin_unlock(&pt->lock);
}

/* The VMM parks VPs through INTERNAL_ACTIVITY_STATE: nothing to signal */
static void hvsim_irq_test_set_activity(struct kunit *test)
{
	struct hvsim_vp *vp = irq_fake_vp(test);
	u64 msgs = atomic64_read(&irq_signal_msgs);

	spin_lock(&vp->partition->lock);
	hvsim_irq_set_activity(vp, HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
	KUNIT_EXPECT_EQ(test, vp->activity,
			HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	hvsim_irq_set_activity(vp, HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND |
			       HV_INTERNAL_ACTIVITY_HALT_SUSPEND);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	/* Still halted once unparked: nothing is deliverable */
	hvsim_irq_set_activity(vp, HV_INTERNAL_ACTIVITY_HALT_SUSPEND);
	KUNIT_EXPECT_TRUE(test, hvsim_irq_halted(vp));
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&irq_signal_msgs), msgs);
	spin_unlock(&vp->partition->lock);
}

static struct kunit_case hvsim_irq_test_cases[] = {
	KUNIT_CASE(hvsim_irq_test_set_activity),
	KUNIT_CASE(hvsim_irq_test_init_sipi),
	KUNIT_CASE(hvsim_irq_test_icr_targets),
	KUNIT_CASE(hvsim_irq_test_icr_send),
	KUNIT_CASE(hvsim_irq_test_priority),
	KUNIT_CASE(hvsim_irq_test_eoi),
	KUNIT_CASE(hvsim_irq_test_mmio),
	KUNIT_CASE(hvsim_irq_test_xapic_read),
	KUNIT_CASE(hvsim_irq_test_xapic_read_insn),
	KUNIT_CASE(hvsim_irq_test_x2apic_base),
	KUNIT_CASE(hvsim_irq_test_x2apic_msrs),
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
