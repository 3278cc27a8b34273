// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the guest interrupt model.
 *
 * Each VP has a local APIC reduced to what interrupt delivery needs: the
 * IRR, ISR and TMR bitmaps, kept in the VP's LAPIC state (struct
 * hv_local_interrupt_controller_state, apic_irr / apic_isr / apic_tmr,
 * bit v % 32 of word v / 32, the xAPIC register layout), so that GET/SET_
 * VP_STATE of the LAPIC page reads and restores them; the task priority
 * is CR8.  The APIC id of a VP is its index.  The guest reads and writes
 * the registers through the x2APIC MSRs (hvsim_apic_msr()) and, in xAPIC
 * mode, through the xAPIC page (hvsim_apic_mmio()); IA32_APIC_BASE
 * selects the mode (hvsim_apic_base_write()).
 *
 * Interrupts arrive through ASSERT_VIRTUAL_INTERRUPT (fixed and lowest
 * priority, NMI, INIT, SIPI, ExtINT and the local interrupt pins LINT0 /
 * LINT1), from other VPs (IPIs: writes to the interrupt command
 * register), or through the register page's interrupt_vectors when the
 * root dispatches with SCAN_INTERRUPT_INJECTION.  An ExtINT is a PIC
 * interrupt: its vector comes with the assert, it is taken when RFLAGS.IF
 * allows whatever the task and in-service priorities say, and it never
 * enters the ISR (no EOI); one waits at a time per VP (a newer one
 * replaces it), and CLEAR_VIRTUAL_INTERRUPT withdraws it.  LINT0 and LINT1
 * are delivered as their LVT entries in the LAPIC state say: masked (or
 * the APIC software-disabled) -- dropped; fixed -- the entry's vector and
 * trigger mode; NMI; INIT; ExtINT -- the asserted vector.  vp_run() delivers the
 * highest deliverable vector at an instruction boundary through the x86
 * interpreter.  The guest ends it with an EOI (x2APIC MSR, the synthetic
 * EOI MSR or the xAPIC page); a level-triggered vector's EOI is reported
 * to the root as HVMSG_X64_APIC_EOI.  HLT with IF set halts the VP until
 * an interrupt is deliverable; an ASSERT or IPI that wakes halted VPs
 * tells the root with HVMSG_SCHEDULER_VP_SIGNAL_BITSET.
 *
 * INIT (asserted by the root or sent by a guest) puts a VP into the INIT
 * state and makes it wait for a SIPI (INTERNAL_ACTIVITY_STATE
 * STARTUP_SUSPEND); it does not run until a SIPI starts it in real mode at
 * the SIPI vector's page.  With an X64_APIC_INIT_SIPI intercept installed,
 * a guest's INIT and SIPI IPIs are reported to the root instead.
 *
 * Everything here runs under the partition's lock.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_intercept.h"
#include "hvsim_irq.h"
#include "hvsim_lapic_timer.h"
#include "hvsim_partition.h"
#include "hvsim_synic.h"
#include "hvsim_vp_msg.h"
#include "hvsim_vp_state.h"

#define APIC_BROADCAST		0xFF	/* physical destination: all VPs */
#define APIC_PAGE_SIZE		0x1000ULL
#define APIC_BASE_ADDR_MASK	0x000FFFFFFFFFF000ULL
#define APIC_BASE_EXTD		BIT_ULL(10)	/* x2APIC mode */
#define APIC_BASE_ENABLE	BIT_ULL(11)	/* APIC globally enabled */

/* xAPIC page offsets of the registers this file reads (hvabi.h: others) */
#define APIC_ID_OFFSET		0x20
#define APIC_VERSION_OFFSET	0x30
#define APIC_PPR_OFFSET		0xA0
#define APIC_RRD_OFFSET		0xC0
#define APIC_LDR_OFFSET		0xD0
#define APIC_DFR_OFFSET		0xE0
#define APIC_ISR_OFFSET		0x100
#define APIC_TMR_OFFSET		0x180
#define APIC_IRR_OFFSET		0x200
#define APIC_REG_SLOT		0x10	/* a register per 16 bytes */
#define APIC_REG_BYTES		4	/* the rest of the slot reads 0 */
#define APIC_LDR_BITS		0xFF000000U	/* logical APIC id */
#define APIC_DFR_BITS		0xF0000000U	/* model; 27:0 read as ones */
#define APIC_ICR_XAPIC_DEST	0xFF000000U
#define APIC_TPR_BITS		0xFFU
#define X2APIC_SELF_IPI_OFFSET	0x3F0
#define X2APIC_MSR_LAST		(HV_X86_MSR_X2APIC_BASE + 0xFF)
/* IA32_APIC_BASE bits a guest may not set: 7:0, 9, beyond 48-bit GPAs */
#define APIC_BASE_RESERVED	(GENMASK_ULL(63, 48) | BIT_ULL(9) | \
				 GENMASK_ULL(7, 0))

/* What the selftests observe (debugfs "interrupts") */
static atomic64_t irq_asserted;		/* VPs an ASSERT set an IRR bit in */
static atomic64_t irq_delivered;	/* vectors delivered into the guest */
static atomic64_t irq_eois;		/* EOIs that cleared an ISR bit */
static atomic64_t irq_eoi_msgs;		/* HVMSG_X64_APIC_EOI posted */
static atomic64_t irq_halts;		/* HLT with IF set that halted */
static atomic64_t irq_wakes;		/* halted VPs an ASSERT or IPI woke */
static atomic64_t irq_signal_msgs;	/* SCHEDULER_VP_SIGNAL_BITSET posted */
static atomic64_t irq_scanned;		/* vectors taken from register pages */
static atomic64_t irq_ipis;		/* guest IPIs that reached a VP */
static atomic64_t irq_ipi_drops;	/* guest IPIs not delivered */
static atomic64_t irq_inits;		/* VPs put into the INIT state */
static atomic64_t irq_sipis;		/* VPs a SIPI started */
static atomic64_t irq_sipis_ignored;	/* SIPIs to a VP not waiting for one */
static atomic64_t irq_init_sipi_msgs;	/* INIT / SIPI intercept messages */
static atomic64_t irq_resumes;		/* VPs a cleared suspend made runnable */
static atomic64_t irq_extints;		/* ExtINTs made pending */
static atomic64_t irq_extints_delivered;	/* ExtINTs taken by the guest */
static atomic64_t irq_extint_clears;	/* pending ExtINTs withdrawn */
static atomic64_t irq_lints;		/* LINT0/LINT1 asserts delivered */
static atomic64_t irq_lints_masked;	/* LINT0/LINT1 asserts dropped (masked) */
static atomic64_t irq_timer_signals;	/* SCHEDULER_VP_SIGNAL_BITSET of timers */

/* The IRR, ISR and TMR live in the LAPIC state, as 8 x u32 */
static bool apic_test(const u32 *reg, u32 vector)
{
	return reg[vector / 32] & BIT(vector % 32);
}

static void apic_set(u32 *reg, u32 vector)
{
	reg[vector / 32] |= BIT(vector % 32);
}

static void apic_clear(u32 *reg, u32 vector)
{
	reg[vector / 32] &= ~BIT(vector % 32);
}

/* Highest vector set in @reg, or -1 */
static int apic_highest(const u32 *reg)
{
	int i;

	for (i = 7; i >= 0; i--) {
		if (reg[i])
			return i * 32 + __fls(reg[i]);
	}
	return -1;
}

/*
 * The vector the APIC would present now, ignoring RFLAGS.IF: the highest
 * IRR vector whose priority class is above the highest in-service one's
 * and above the task priority (CR8).  -1 if none.
 */
static int apic_pending(const struct hvsim_vp *vp)
{
	int irr = apic_highest(vp->lapic.apic_irr);
	int isr = apic_highest(vp->lapic.apic_isr);

	if (irr < 0)
		return -1;
	if (isr >= 0 && (irr >> 4) <= (isr >> 4))
		return -1;
	if ((u64)(irr >> 4) <= (vp->state.cr8 & 0xF))
		return -1;
	return irr;
}

/* Could the VP take an interrupt at its next instruction boundary? */
static int apic_deliverable(const struct hvsim_vp *vp)
{
	if (!(vp->state.rflags & HV_X86_RFLAGS_IF) || vp->state.interrupt_shadow)
		return -1;
	return apic_pending(vp);
}

/* Could the VP take its pending ExtINT at its next instruction boundary? */
static bool extint_deliverable(const struct hvsim_vp *vp)
{
	return vp->extint_pending && (vp->state.rflags & HV_X86_RFLAGS_IF) &&
	       !vp->state.interrupt_shadow;
}

/* An NMI, an injected event or a deliverable ExtINT waits: it wakes a HLT */
static bool irq_event_waiting(const struct hvsim_vp *vp)
{
	return (vp->pending_interruption & HV_X64_PENDING_INTERRUPTION_PENDING) ||
	       (vp->nmi_pending && !vp->state.nmi_masked) ||
	       extint_deliverable(vp);
}

/* Accept @vector into the IRR; level-triggered vectors set the TMR */
static void apic_accept(struct hvsim_vp *vp, u32 vector, bool level)
{
	lockdep_assert_held(&vp->partition->lock);
	apic_set(vp->lapic.apic_irr, vector);
	if (level)
		apic_set(vp->lapic.apic_tmr, vector);
	else
		apic_clear(vp->lapic.apic_tmr, vector);
}

/* End the highest in-service interrupt */
static void apic_eoi(struct hvsim_vp *vp)
{
	struct hv_x64_apic_eoi_message msg;
	int vector = apic_highest(vp->lapic.apic_isr);

	lockdep_assert_held(&vp->partition->lock);
	if (vector < 0)
		return;
	apic_clear(vp->lapic.apic_isr, vector);
	atomic64_inc(&irq_eois);
	if (!apic_test(vp->lapic.apic_tmr, vector))
		return;
	apic_clear(vp->lapic.apic_tmr, vector);
	msg.vp_index = vp->index;
	msg.interrupt_vector = vector;
	hvsim_root_post_message(HV_SYNIC_INTERCEPTION_SINT_INDEX,
				HVMSG_X64_APIC_EOI, vp->partition->id, &msg,
				sizeof(msg));
	atomic64_inc(&irq_eoi_msgs);
}

static void apic_icr_write(struct hvsim_vp *vp,
			   const struct x86_emu_exit *exit, u32 lo, u32 hi,
			   bool x2apic);
static void apic_self_ipi(struct hvsim_vp *vp, u32 vector);

static void vp_retire_insn(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	vp->state.rip += exit->insn_len;
	if (!(vp->state.efer & HV_X86_EFER_LMA))
		vp->state.rip &= 0xFFFFFFFFULL;
	vp->state.interrupt_shadow = 0;
}

/**
 * hvsim_apic_stopped() - did an APIC access just stop the VP?
 * @vp: the VP, its partition's lock held, after hvsim_apic_msr() or
 *	hvsim_apic_mmio() consumed an access
 *
 * An IPI can end the sender's dispatch: an INIT it sent to itself leaves
 * it waiting for a SIPI, and an intercepted INIT or SIPI posted a message.
 *
 * Return: true if the dispatch ends.
 */
bool hvsim_apic_stopped(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	return vp->intercept_suspend ||
	       (vp->activity & HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
}

/* The processor priority: the task priority or the in-service class */
static u32 apic_ppr(const struct hvsim_vp *vp)
{
	int isr = apic_highest(vp->lapic.apic_isr);
	u32 tpr = (vp->state.cr8 & 0xF) << 4;

	return isr < 0 ? tpr : max_t(u32, tpr, isr & 0xF0);
}

/*
 * The value of the xAPIC register at page offset @offset (a multiple of
 * 16): 0 for the write-only EOI, the arbitration priority, the self IPI
 * and reserved offsets.
 */
static u32 apic_reg_read(struct hvsim_vp *vp, u32 offset)
{
	const struct hv_local_interrupt_controller_state *l = &vp->lapic;
	u32 val;

	switch (offset) {
	case APIC_ID_OFFSET:
		return (vp->index & 0xFF) << HV_X86_APIC_ICR_XAPIC_DEST_SHIFT;
	case APIC_VERSION_OFFSET:
		return l->apic_version;
	case HV_X86_APIC_TPR_OFFSET:
		return (vp->state.cr8 & 0xF) << 4;
	case APIC_PPR_OFFSET:
		return apic_ppr(vp);
	case APIC_RRD_OFFSET:
		return l->apic_remote_read;
	case APIC_LDR_OFFSET:
		return l->apic_ldr;
	case APIC_DFR_OFFSET:
		return l->apic_dfr;
	case APIC_ISR_OFFSET ... APIC_ISR_OFFSET + 7 * APIC_REG_SLOT:
		return l->apic_isr[(offset - APIC_ISR_OFFSET) / APIC_REG_SLOT];
	case APIC_TMR_OFFSET ... APIC_TMR_OFFSET + 7 * APIC_REG_SLOT:
		return l->apic_tmr[(offset - APIC_TMR_OFFSET) / APIC_REG_SLOT];
	case APIC_IRR_OFFSET ... APIC_IRR_OFFSET + 7 * APIC_REG_SLOT:
		return l->apic_irr[(offset - APIC_IRR_OFFSET) / APIC_REG_SLOT];
	case HV_X86_APIC_ICR_LOW_OFFSET:
		return l->apic_icr_low;
	case HV_X86_APIC_ICR_HIGH_OFFSET:
		return l->apic_icr_high;
	default:
		/* SVR, ESR, LVT and timer; else 0 */
		if (hvsim_lapic_timer_read(vp, offset, &val))
			return val;
		return 0;
	}
}

/*
 * Bytes [@offset, @offset + @len) of the xAPIC page, @len at most 16 and
 * within the page: byte i of a 16-byte slot is byte i of its register for
 * i < 4, and 0 for the other twelve.
 */
static void apic_page_read(struct hvsim_vp *vp, u32 offset, u8 *buf,
			   unsigned int len)
{
	u32 slot = U32_MAX, reg = 0, byte;
	unsigned int i;

	for (i = 0; i < len; i++, offset++) {
		if ((offset & ~(APIC_REG_SLOT - 1)) != slot) {
			slot = offset & ~(APIC_REG_SLOT - 1);
			reg = apic_reg_read(vp, slot);
		}
		byte = offset & (APIC_REG_SLOT - 1);
		buf[i] = byte < APIC_REG_BYTES ? reg >> (8 * byte) : 0;
	}
}

/* The xAPIC page's address, or U64_MAX when the APIC is not in xAPIC mode */
static u64 apic_xapic_base(const struct hvsim_vp *vp)
{
	u64 base = vp->msrs[HVSIM_MSR_APIC_BASE];

	if ((base & (APIC_BASE_ENABLE | APIC_BASE_EXTD)) != APIC_BASE_ENABLE)
		return U64_MAX;
	return base & APIC_BASE_ADDR_MASK;
}

/**
 * struct apic_read_ctx - guest memory for an instruction that reads the
 *	xAPIC page
 * @vp: the VP, its partition's lock held
 * @mem: its memory everywhere else
 * @base: the page's address
 */
struct apic_read_ctx {
	struct hvsim_vp *vp;
	const struct x86_emu_mem_ops *mem;
	u64 base;
};

/*
 * x86_emu_mem_ops.access of struct apic_read_ctx: reads of the xAPIC page
 * are its registers' values, fetches from and writes to it are refused;
 * everything else goes to @ctx->mem.
 */
static int apic_read_access(void *ctx, u64 gpa, void *buf, unsigned int len,
			    enum x86_emu_access access, bool commit)
{
	struct apic_read_ctx *c = ctx;

	if (gpa < c->base || gpa - c->base >= APIC_PAGE_SIZE)
		return c->mem->access(c->vp, gpa, buf, len, access, commit);
	if (access != X86_EMU_ACCESS_READ)
		return -EACCES;
	if (commit)
		apic_page_read(c->vp, gpa - c->base, buf, len);
	return 0;
}

static const struct x86_emu_mem_ops apic_read_ops = {
	.access = apic_read_access,
};

/*
 * Run the instruction that stopped reading the xAPIC page at @base again,
 * with @mem for the rest of guest memory and the page's reads answered by
 * the registers.  Returns true if it retired; when it stops again (for a
 * write to the page, a fetch from it, or anything else) nothing changed.
 */
static bool apic_mmio_read(struct hvsim_vp *vp,
			   const struct x86_emu_mem_ops *mem, u64 base)
{
	struct apic_read_ctx ctx = { .vp = vp, .mem = mem, .base = base };
	struct x86_emu_exit x;

	lockdep_assert_held(&vp->partition->lock);
	return x86_emu_step(&vp->state, &apic_read_ops, &ctx, &x);
}

/**
 * hvsim_apic_x2apic() - is the VP's APIC in x2APIC mode?
 * @vp: the VP, its partition's lock held
 *
 * Return: true if IA32_APIC_BASE has EN (bit 11) and EXTD (bit 10) set.
 */
bool hvsim_apic_x2apic(const struct hvsim_vp *vp)
{
	u64 mode = APIC_BASE_ENABLE | APIC_BASE_EXTD;

	lockdep_assert_held(&vp->partition->lock);
	return (vp->msrs[HVSIM_MSR_APIC_BASE] & mode) == mode;
}

/**
 * hvsim_apic_base_write() - a guest's WRMSR to IA32_APIC_BASE
 * @vp: the VP, its partition's lock held
 * @val: the value written
 *
 * The architectural checks: no reserved bit (7:0, 9, 63:48; EXTD too
 * unless the partition was created X2APIC_CAPABLE), not EXTD without EN,
 * not from x2APIC mode to xAPIC mode, not from disabled straight to
 * x2APIC mode.  Every other change is stored as it is: the base address,
 * BSP, enabling, disabling and entering x2APIC mode; the APIC's registers
 * keep their values.
 *
 * Return: true if stored, false for a #GP (nothing changed).
 */
bool hvsim_apic_base_write(struct hvsim_vp *vp, u64 val)
{
	u64 mode = APIC_BASE_ENABLE | APIC_BASE_EXTD;
	u64 old = vp->msrs[HVSIM_MSR_APIC_BASE] & mode, new = val & mode;
	u64 reserved = APIC_BASE_RESERVED;

	lockdep_assert_held(&vp->partition->lock);
	if (!(vp->partition->creation_flags &
	      HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE))
		reserved |= APIC_BASE_EXTD;
	if ((val & reserved) || new == APIC_BASE_EXTD)
		return false;
	if (old == mode && new == APIC_BASE_ENABLE)
		return false;
	if (!old && new == mode)
		return false;
	vp->msrs[HVSIM_MSR_APIC_BASE] = val;
	return true;
}

/* The x2APIC logical id: cluster (id / 16) in 31:16, bit id % 16 */
static u32 x2apic_ldr(u32 id)
{
	return (id >> 4) << 16 | BIT(id & 0xF);
}

/*
 * RDMSR of the x2APIC register at xAPIC offset @offset that this file
 * keeps (ID, version, TPR, PPR, LDR, ISR, TMR, IRR, the 64-bit ICR) into
 * @val.  Returns false for the others.
 */
static bool x2apic_read(struct hvsim_vp *vp, u32 offset, u64 *val)
{
	const struct hv_local_interrupt_controller_state *l = &vp->lapic;

	switch (offset) {
	case APIC_ID_OFFSET:
		*val = vp->index;
		return true;
	case APIC_LDR_OFFSET:
		*val = x2apic_ldr(vp->index);
		return true;
	case APIC_VERSION_OFFSET:
	case HV_X86_APIC_TPR_OFFSET:
	case APIC_PPR_OFFSET:
	case APIC_ISR_OFFSET ... APIC_IRR_OFFSET + 7 * APIC_REG_SLOT:
		*val = apic_reg_read(vp, offset);
		return true;
	case HV_X86_APIC_ICR_LOW_OFFSET:
		*val = (u64)l->apic_icr_high << 32 | l->apic_icr_low;
		return true;
	default:
		return false;
	}
}

/*
 * WRMSR of an EOI register, the synthetic one (0x40000070) or the x2APIC
 * one (0x80B): ends the highest in-service interrupt.  @strict (x2APIC
 * mode) refuses a value with any bit set.  RDMSR is not consumed.
 */
static bool apic_msr_eoi(struct hvsim_vp *vp,
			 const struct x86_emu_exit *exit, bool strict)
{
	const u64 *gpr = vp->state.gpr;
	u32 lo = gpr[X86_RAX], hi = gpr[X86_RDX];

	if (!exit->msr.write)
		return false;
	if (strict && (lo || hi))
		return false;
	vp_retire_insn(vp, exit);
	apic_eoi(vp);
	return true;
}

/*
 * An ICR register, the synthetic one (0x40000071; xAPIC destination in
 * EDX bits 31:24) or the x2APIC one (0x830, @x2apic; an x2APIC id in
 * EDX).  WRMSR stores the value and sends the IPI; RDMSR returns the last
 * value written (delivery status idle).  Always consumed.
 */
static bool apic_msr_icr(struct hvsim_vp *vp,
			 const struct x86_emu_exit *exit, bool x2apic)
{
	u64 *gpr = vp->state.gpr;
	u32 lo = gpr[X86_RAX], hi = gpr[X86_RDX];

	vp_retire_insn(vp, exit);
	if (exit->msr.write) {
		apic_icr_write(vp, exit, lo, hi, x2apic);
		return true;
	}
	gpr[X86_RAX] = vp->lapic.apic_icr_low;
	gpr[X86_RDX] = vp->lapic.apic_icr_high;
	return true;
}

/*
 * RDMSR / WRMSR of x2APIC MSR 0x800-0x8FF.  EDX:EAX hold the value.
 * Returns true if consumed (retired); false leaves it to hvsim_msr_exit(),
 * which makes it a #GP in x2APIC mode (hvsim_vp_regs.c).  The checks of
 * x2APIC mode alone (@strict): EOI and SELF IPI with reserved bits set.
 */
static bool x2apic_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	u32 offset = (exit->msr.index - HV_X86_MSR_X2APIC_BASE) << 4;
	bool strict = hvsim_apic_x2apic(vp);
	u64 *gpr = vp->state.gpr;
	u32 lo = gpr[X86_RAX], hi = gpr[X86_RDX];
	u64 val;

	if (!exit->msr.write && x2apic_read(vp, offset, &val)) {
		vp_retire_insn(vp, exit);
		gpr[X86_RAX] = lower_32_bits(val);
		gpr[X86_RDX] = upper_32_bits(val);
		return true;
	}
	if (!exit->msr.write)
		goto timer;
	switch (offset) {
	case HV_X86_APIC_EOI_OFFSET:
		return apic_msr_eoi(vp, exit, strict);
	case HV_X86_APIC_ICR_LOW_OFFSET:
		return apic_msr_icr(vp, exit, true);
	case X2APIC_SELF_IPI_OFFSET:
		if (strict && (hi || (lo & ~HV_X86_APIC_ICR_VECTOR_MASK)))
			return false;
		vp_retire_insn(vp, exit);
		apic_self_ipi(vp, lo & HV_X86_APIC_ICR_VECTOR_MASK);
		return true;
	case HV_X86_APIC_TPR_OFFSET:
		if (hi || (lo & ~APIC_TPR_BITS))
			return false;
		vp_retire_insn(vp, exit);
		vp->state.cr8 = (lo >> 4) & 0xF;
		return true;
	default:
		break;
	}
timer:
	/* timer, LVT, ESR and SVR */
	if (!hvsim_lapic_timer_msr(vp, exit))
		return false;
	vp_retire_insn(vp, exit);
	return true;
}

/**
 * hvsim_apic_msr() - the APIC's MSRs, before any other MSR handling
 * @vp: the VP, its partition's lock held
 * @exit: an X86_EXIT_MSR stop
 *
 * The x2APIC MSRs 0x800-0x8FF, as in x2APIC mode: RDMSR of ID (0x802, the
 * VP index), version (0x803), TPR (0x808, CR8 << 4), PPR (0x80A), LDR
 * (0x80D, derived from the ID), ISR, TMR and IRR (0x810-0x827) and the
 * 64-bit ICR (0x830); WRMSR of TPR (bits 7:0), EOI (0x80B: ends the
 * highest in-service interrupt), ICR (0x830; destination in EDX, an
 * x2APIC id) and SELF IPI (0x83F: the fixed vector in bits 7:0 to the VP
 * itself).  The synthetic EOI (0x40000070) and ICR (0x40000071; xAPIC
 * destination in EDX bits 31:24) MSRs do the same; RDMSR of the synthetic
 * ICR returns the last value written (delivery status idle).  The timer,
 * LVT, ESR and SVR registers and IA32_TSC_DEADLINE are
 * hvsim_lapic_timer_msr()'s.  Sending may stop the VP: see
 * hvsim_apic_stopped().
 *
 * Not consumed: RDMSR of EOI and SELF IPI, writes of read-only registers,
 * reserved MSRs (APR, RRD, DFR ...), a value with reserved bits set (EDX
 * of a 32-bit register, TPR bits 31:8, in x2APIC mode a non-zero EOI and
 * SELF IPI bits 31:8): in x2APIC mode hvsim_msr_exit() makes them a #GP,
 * outside it (where hvsim serves the x2APIC MSRs as well) they follow
 * UNIMPLEMENTED_MSR_ACTION.
 *
 * Return: true if the access was consumed (the instruction retired).
 */
bool hvsim_apic_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	lockdep_assert_held(&vp->partition->lock);
	switch (exit->msr.index) {
	case HV_X64_MSR_EOI:
		return apic_msr_eoi(vp, exit, false);
	case HV_X64_MSR_ICR:
		return apic_msr_icr(vp, exit, false);
	case HV_X86_MSR_X2APIC_BASE ... X2APIC_MSR_LAST:
		return x2apic_msr(vp, exit);
	default:
		/* IA32_TSC_DEADLINE */
		if (!hvsim_lapic_timer_msr(vp, exit))
			return false;
		vp_retire_insn(vp, exit);
		return true;
	}
}

/* Guest memory as a VP sees it, handed down by hvsim_irq_init() */
static const struct x86_emu_mem_ops *irq_vp_mem;

/**
 * hvsim_irq_init() - hand the interrupt model the VPs' view of memory
 * @vp_mem: guest memory as a VP sees it (hvsim_vp_mem_ops)
 *
 * Called once at module init, before any VP exists.  hvsim_apic_mmio()
 * runs a read of the xAPIC page again through @vp_mem; the VP layer that
 * owns it sits above this file, which so never calls up into it.
 */
void hvsim_irq_init(const struct x86_emu_mem_ops *vp_mem)
{
	irq_vp_mem = vp_mem;
}

/**
 * hvsim_apic_mmio() - the xAPIC page, before doorbells and GPA intercepts
 * @vp: the VP, its partition's lock held
 * @exit: an X86_EXIT_MEMORY stop
 *
 * While the APIC is enabled in xAPIC mode (IA32_APIC_BASE EN set, EXTD
 * clear), the 4 KiB page at its base (default 0xFEE00000), where the
 * SLAT does not map it, is the APIC's.
 *
 * A plain store (exit->mem.value_valid) there is a register write: EOI
 * (0xB0) ends the highest in-service interrupt, TPR (0x80) sets CR8 to
 * bits 7:4 of the value, ICR high (0x310) stores the destination (bits
 * 31:24), ICR low (0x300) stores the command and sends the IPI (which may
 * stop the VP, see hvsim_apic_stopped()), LDR (0xD0) keeps bits 31:24,
 * DFR (0xE0) bits 31:28; the timer, LVT, ESR and SVR registers are
 * hvsim_lapic_timer_mmio()'s; other registers ignore it.  The instruction
 * retires first.
 *
 * A read there runs the instruction again with the page's bytes taken
 * from the registers (any size and alignment: bytes 0-3 of each 16-byte
 * slot are its register's, the others read 0; reserved and write-only
 * registers read 0).  An instruction that also writes the page or stops
 * for another reason is not consumed.  Fetches and other stores there,
 * and every access while the APIC is disabled or in x2APIC mode, go to
 * the VMM as usual.
 *
 * Return: true if the access was consumed.
 */
bool hvsim_apic_mmio(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	u64 base = apic_xapic_base(vp);
	u64 offset = exit->mem.gpa - base;

	lockdep_assert_held(&vp->partition->lock);
	if (base == U64_MAX || exit->mem.gpa < base || offset >= APIC_PAGE_SIZE)
		return false;
	if (exit->mem.access == X86_EMU_ACCESS_READ)
		return apic_mmio_read(vp, irq_vp_mem, base);
	if (exit->mem.access != X86_EMU_ACCESS_WRITE || !exit->mem.value_valid)
		return false;
	vp_retire_insn(vp, exit);
	switch (offset) {
	case HV_X86_APIC_EOI_OFFSET:
		apic_eoi(vp);
		break;
	case HV_X86_APIC_TPR_OFFSET:
		vp->state.cr8 = (exit->mem.value >> 4) & 0xF;
		break;
	case APIC_LDR_OFFSET:
		vp->lapic.apic_ldr = exit->mem.value & APIC_LDR_BITS;
		break;
	case APIC_DFR_OFFSET:
		vp->lapic.apic_dfr = (exit->mem.value & APIC_DFR_BITS) |
				     ~APIC_DFR_BITS;
		break;
	case HV_X86_APIC_ICR_HIGH_OFFSET:
		vp->lapic.apic_icr_high = exit->mem.value & APIC_ICR_XAPIC_DEST;
		break;
	case HV_X86_APIC_ICR_LOW_OFFSET:
		apic_icr_write(vp, exit, exit->mem.value,
			       vp->lapic.apic_icr_high, false);
		break;
	default:
		hvsim_lapic_timer_mmio(vp, offset, exit->mem.value);
		break;
	}
	return true;
}

/**
 * hvsim_irq_hlt() - HLT
 * @vp: the VP, its partition's lock held
 * @exit: the X86_EXIT_HLT stop
 *
 * With IF set the HLT retires and the VP halts (INTERNAL_ACTIVITY_STATE
 * HALT_SUSPEND) unless an interrupt is deliverable already.  With IF
 * clear the VP halts at the HLT, which stays unretired (@vp->hlt_len)
 * until something wakes the VP: only an NMI, an event the VMM injects,
 * INIT, or the VMM moving RIP or clearing HALT_SUSPEND can; the caller
 * reports it once with HVMSG_X64_HALT.
 *
 * Return: true if the HLT was handled here (IF set).
 */
bool hvsim_irq_hlt(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	lockdep_assert_held(&vp->partition->lock);
	if (!(vp->state.rflags & HV_X86_RFLAGS_IF)) {
		vp->activity |= HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
		vp->hlt_len = exit->insn_len;
		return false;
	}
	vp_retire_insn(vp, exit);
	if (apic_deliverable(vp) < 0 && !irq_event_waiting(vp)) {
		vp->activity |= HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
		atomic64_inc(&irq_halts);
	}
	return true;
}

/* The halt ends: a HLT reported with IF clear retires now */
static void irq_halt_end(struct hvsim_vp *vp)
{
	struct x86_emu_exit hlt = { .insn_len = vp->hlt_len };

	vp->activity &= ~HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
	if (!vp->hlt_len)
		return;
	vp_retire_insn(vp, &hlt);
	vp->hlt_len = 0;
}

/**
 * hvsim_irq_halted() - is the VP halted waiting for an interrupt or a SIPI?
 * @vp: the VP, its partition's lock held
 *
 * A halted VP with a deliverable interrupt (the VMM may have changed its
 * state or register page), NMI or injected event wakes up here.  A VP
 * waiting for a SIPI (STARTUP_SUSPEND, after INIT or set by the VMM) does
 * not run until a SIPI or the VMM clears it.
 *
 * Return: true if it stays halted.
 */
bool hvsim_irq_halted(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	if (vp->activity & HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND)
		return true;
	if (!(vp->activity & HV_INTERNAL_ACTIVITY_HALT_SUSPEND))
		return false;
	if (apic_deliverable(vp) < 0 && !irq_event_waiting(vp))
		return true;
	irq_halt_end(vp);
	return false;
}

/**
 * hvsim_irq_attention() - must the VP's dispatch take the lock at this
 *	boundary?
 * @vp: the VP, its partition's lock or its run_lock (for read) held: no
 *	one else changes it meanwhile
 *
 * For a dispatch that runs the VP without the partition's lock: an event
 * hvsim_irq_inject() could deliver now (an NMI, an injected event, a
 * deliverable ExtINT or APIC vector), or an activity state (halted,
 * waiting for a SIPI after another VP's INIT) ends or changes the run.
 *
 * Return: true if the next boundary needs the partition's lock.
 */
bool hvsim_irq_attention(const struct hvsim_vp *vp)
{
	return (vp->activity & HVSIM_RUN_ACTIVITY) || irq_event_waiting(vp) ||
	       apic_deliverable(vp) >= 0;
}

/**
 * hvsim_irq_scan() - take the vectors the root queued in the register page
 * @vp: the VP, its partition's lock held
 *
 * DISPATCH_VP with SCAN_INTERRUPT_INJECTION: interrupt_vectors (count and
 * up to 7 vectors) is taken atomically and cleared; each vector of 16 or
 * more enters the IRR as a fixed, edge-triggered interrupt.
 */
void hvsim_irq_scan(struct hvsim_vp *vp)
{
	struct hv_vp_register_page *rp = vp->reg_page;
	typeof(rp->interrupt_vectors) iv;
	unsigned int i;

	lockdep_assert_held(&vp->partition->lock);
	if (!rp)
		return;
	iv.as_uint64 = xchg(&rp->interrupt_vectors.as_uint64, 0);
	for (i = 0; i < min_t(unsigned int, iv.vector_count,
			      HV_VP_REGISTER_PAGE_MAX_VECTOR_COUNT); i++) {
		if (iv.vector[i] < APIC_FIRST_VECTOR)
			continue;
		apic_accept(vp, iv.vector[i], false);
		atomic64_inc(&irq_scanned);
	}
}

/**
 * hvsim_synic_auto_eoi() - is @vector a SINT's with AUTO_EOI?
 * @vp: the VP, its partition's lock held
 * @vector: a vector being delivered
 *
 * Return: true if an unmasked SINT with AUTO_EOI uses @vector: it is
 * delivered without entering the ISR.
 */
bool hvsim_synic_auto_eoi(struct hvsim_vp *vp, u32 vector)
{
	unsigned int i;

	lockdep_assert_held(&vp->partition->lock);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		u64 sint = vp->msrs[HVSIM_MSR_SINT0 + i];

		if (!(sint & HV_SYNIC_SINT_MASKED) &&
		    (sint & HV_SYNIC_SINT_AUTO_EOI) &&
		    (sint & HV_SYNIC_SINT_VECTOR_MASK) == vector)
			return true;
	}
	return false;
}

/**
 * hvsim_irq_inject() - deliver an interrupt at an instruction boundary
 * @vp: the VP, its partition's lock held
 * @ops: the VP's guest memory (the caller's callbacks, the ones it runs
 *	the interpreter with), where the interrupt frame is pushed
 * @exit: filled when delivery stops (a memory or unsupported stop, to be
 *	handled like an instruction's)
 *
 * A pending NMI comes first: it is delivered (vector 2) whatever RFLAGS.IF
 * says unless NMIs are blocked (an NMI handler has not executed IRET yet)
 * or an interrupt shadow covers the instruction.  Then a pending ExtINT,
 * when IF is set and no shadow: its vector, without the ISR.  Then the
 * APIC's highest deliverable vector.  A fault while delivering leaves the
 * event pending (@exit has the exception).
 *
 * Return: HVSIM_IRQ_NONE (nothing deliverable), HVSIM_IRQ_DELIVERED (the
 * NMI was taken, or the vector moved from the IRR to the ISR: the guest is
 * at its handler) or HVSIM_IRQ_EXIT (nothing changed; see @exit).
 */
enum hvsim_irq_result hvsim_irq_inject(struct hvsim_vp *vp,
				       const struct x86_emu_mem_ops *ops,
				       struct x86_emu_exit *exit)
{
	static const struct x86_emu_event nmi = {
		.type = X86_EVENT_NMI,
		.vector = X86_EMU_VEC_NMI,
	};
	int vector;

	lockdep_assert_held(&vp->partition->lock);
	if (vp->nmi_pending && !vp->state.nmi_masked &&
	    !vp->state.interrupt_shadow) {
		if (!x86_emu_deliver_event(&vp->state, ops, vp, &nmi, exit))
			return HVSIM_IRQ_EXIT;
		vp->nmi_pending = false;
		return HVSIM_IRQ_DELIVERED;
	}
	if (extint_deliverable(vp)) {
		if (!x86_emu_deliver_interrupt(&vp->state, ops, vp,
					       vp->extint_vector, exit))
			return HVSIM_IRQ_EXIT;
		vp->extint_pending = false;
		atomic64_inc(&irq_extints_delivered);
		return HVSIM_IRQ_DELIVERED;
	}
	vector = apic_deliverable(vp);
	if (vector < 0)
		return HVSIM_IRQ_NONE;
	if (!x86_emu_deliver_interrupt(&vp->state, ops, vp, vector, exit))
		return HVSIM_IRQ_EXIT;
	apic_clear(vp->lapic.apic_irr, vector);
	if (!hvsim_synic_auto_eoi(vp, vector))
		apic_set(vp->lapic.apic_isr, vector);
	atomic64_inc(&irq_delivered);
	return HVSIM_IRQ_DELIVERED;
}

/*
 * Is VP @index a destination of the interrupt?  With the x2APIC flag the
 * destination is an x2APIC one, as in the x2APIC ICR: 0xFFFFFFFF is every
 * VP, so that 0xFF names VP 255; a logical destination is a cluster
 * (bits 16-31) and a bitmap of its 16 VPs.  Without it, 0xFF is the xAPIC
 * broadcast and a logical destination the flat model's 8-bit bitmap.
 */
static bool assert_targets(const struct hv_input_assert_virtual_interrupt *in,
			   u32 index)
{
	bool logical = in->control_flags & HV_ASSERT_INTERRUPT_LOGICAL_DEST;

	if (in->control_flags & HV_ASSERT_INTERRUPT_X2APIC_DEST) {
		if (in->dest_addr == U32_MAX)
			return true;
		if (logical)
			return (in->dest_addr >> 16) == index / 16 &&
			       (in->dest_addr & BIT_ULL(index % 16));
		return in->dest_addr == index;
	}
	if (logical)
		return index < 8 && (in->dest_addr & BIT_ULL(index));
	return in->dest_addr == APIC_BROADCAST || in->dest_addr == index;
}

#define VP_BANKS	(HVSIM_MAX_VPS / HV_VP_SET_BANK_VPS)

/* Tell the root which VPs can run now: one SCHEDULER_VP_SIGNAL_BITSET */
static void post_vp_signal(struct hvsim_partition *pt, const u64 *woken)
{
	struct hv_vp_signal_bitset_scheduler_message msg = {
		.partition_id = pt->id,
		.vp_bitset.bitset.format = HV_GENERIC_SET_SPARSE_4K,
	};
	unsigned int bank, n = 0;

	for (bank = 0; bank < VP_BANKS; bank++) {
		u64 bits = woken[bank];

		if (!bits)
			continue;
		msg.vp_bitset.bitset.valid_bank_mask |= BIT_ULL(bank);
		msg.vp_bitset.bitset.bank_contents[n++] = bits;
		msg.vp_count += hweight64(bits);
	}
	hvsim_root_post_message(HV_SYNIC_INTERCEPTION_SINT_INDEX,
				HVMSG_SCHEDULER_VP_SIGNAL_BITSET, 0, &msg,
				sizeof(msg));
}

static void post_signal_bitset(struct hvsim_partition *pt, const u64 *woken)
{
	post_vp_signal(pt, woken);
	atomic64_inc(&irq_signal_msgs);
}

/* Add VP @i to the VP bitmap @set */
static void vpset_add(u64 *set, u32 i)
{
	set[i / HV_VP_SET_BANK_VPS] |= BIT_ULL(i % HV_VP_SET_BANK_VPS);
}

/*
 * Tell the root that @vp alone can run now (one scheduler message), and
 * count the message in @count
 */
static void post_vp_runnable(struct hvsim_vp *vp, atomic64_t *count)
{
	u64 woken[VP_BANKS] = {};

	vpset_add(woken, vp->index);
	post_vp_signal(vp->partition, woken);
	atomic64_inc(count);
}

/*
 * INIT: the architectural INIT state -- the registers of x86_emu_reset()
 * but for the x87 state and XMM registers (x87/SSE state survives INIT,
 * and so do XCR0, IA32_KERNEL_GS_BASE and the SYSCALL MSRs), the LAPIC
 * reset but for its id, no interrupt shadow, NMIs unmasked, no NMI or
 * event pending -- and wait for a SIPI.  The MSRs hvsim stores (APIC_BASE,
 * PAT ...) keep their values.  What the VMM wrote to the register page
 * before is taken in first, so that it does not override the INIT state
 * later; the page shows the new state from the VP's next dispatch.
 */
static void apic_init(struct hvsim_vp *vp)
{
	struct x86_emu_state *s = &vp->state;
	struct hv_u128 xmm[ARRAY_SIZE(s->xmm)];
	u8 fx[sizeof(s->fx)];
	u64 xcr0 = s->xfem, kernel_gs_base = s->kernel_gs_base;
	u64 star = s->star, lstar = s->lstar, cstar = s->cstar;
	u64 sfmask = s->sfmask;

	lockdep_assert_held(&vp->partition->lock);
	hvsim_vp_absorb_reg_page(vp);
	memcpy(xmm, s->xmm, sizeof(xmm));
	memcpy(fx, s->fx, sizeof(fx));
	x86_emu_reset(s);
	memcpy(s->xmm, xmm, sizeof(xmm));
	memcpy(s->fx, fx, sizeof(fx));
	s->xfem = xcr0;
	s->kernel_gs_base = kernel_gs_base;
	s->star = star;
	s->lstar = lstar;
	s->cstar = cstar;
	s->sfmask = sfmask;
	hvsim_vp_lapic_reset(vp, vp->lapic.apic_id);
	vp->nmi_pending = false;	/* x86_emu_reset() unmasked NMIs */
	vp->extint_pending = false;
	vp->pending_interruption = 0;
	vp->activity = HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND;
	vp->hlt_len = 0;
	atomic64_inc(&irq_inits);
}

/*
 * SIPI with vector @vector: a VP waiting for one starts in real mode at
 * CS selector @vector << 8, base @vector << 12, IP 0.  Returns true if
 * the VP started; a VP not waiting ignores it.
 */
static bool apic_sipi(struct hvsim_vp *vp, u32 vector)
{
	struct hv_x64_segment_register *cs = &vp->state.seg[X86_CS];

	lockdep_assert_held(&vp->partition->lock);
	if (!(vp->activity & HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND)) {
		atomic64_inc(&irq_sipis_ignored);
		return false;
	}
	hvsim_vp_absorb_reg_page(vp);
	cs->selector = vector << 8;
	cs->base = (u64)vector << 12;
	vp->state.rip = 0;
	vp->activity &= ~HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND;
	atomic64_inc(&irq_sipis);
	return true;
}

/* The LVT entry of local interrupt pin @type (LOCALINT0 or LOCALINT1) */
static u32 lint_lvt(const struct hvsim_vp *vp, u32 type)
{
	return type == HV_X64_INTERRUPT_TYPE_LOCALINT0 ?
	       vp->lapic.apic_lvt_lint0 : vp->lapic.apic_lvt_lint1;
}

/* Is the pin masked: by its LVT entry, or the APIC software-disabled? */
static bool lint_masked(const struct hvsim_vp *vp, u32 lvt)
{
	return (lvt & HV_X86_APIC_LVT_MASKED) ||
	       !(vp->lapic.apic_spurious & HV_X86_APIC_SVR_ENABLE);
}

/*
 * Can local interrupt pin @type of @vp be delivered as its unmasked LVT
 * entry says?  Fixed mode needs a vector of 16 or more, and LINT1 is edge
 * only; SMI (not modelled) and the reserved modes cannot.
 */
static bool lint_valid(const struct hvsim_vp *vp, u32 type)
{
	u32 lvt = lint_lvt(vp, type);

	if (lint_masked(vp, lvt))
		return true;
	switch ((lvt & HV_X86_APIC_LVT_MODE_MASK) >> HV_X86_APIC_LVT_MODE_SHIFT) {
	case HV_X86_APIC_LVT_MODE_FIXED:
		return (lvt & HV_X86_APIC_LVT_VECTOR_MASK) >= APIC_FIRST_VECTOR &&
		       !(type == HV_X64_INTERRUPT_TYPE_LOCALINT1 &&
			 (lvt & HV_X86_APIC_LVT_LEVEL));
	case HV_X86_APIC_LVT_MODE_NMI:
	case HV_X86_APIC_LVT_MODE_INIT:
	case HV_X86_APIC_LVT_MODE_EXTINT:
		return true;
	default:	/* SMI, reserved */
		return false;
	}
}

static bool apic_deliver(struct hvsim_vp *vp, u32 type, u32 vector,
			 bool level);

/*
 * Local interrupt pin @type (LOCALINT0 or LOCALINT1) of @vp is asserted
 * with @vector: deliver what its LVT entry says (lint_valid() held).
 */
static bool apic_lint(struct hvsim_vp *vp, u32 type, u32 vector)
{
	u32 lvt = lint_lvt(vp, type);

	if (lint_masked(vp, lvt)) {
		atomic64_inc(&irq_lints_masked);
		return false;
	}
	atomic64_inc(&irq_lints);
	switch ((lvt & HV_X86_APIC_LVT_MODE_MASK) >> HV_X86_APIC_LVT_MODE_SHIFT) {
	case HV_X86_APIC_LVT_MODE_FIXED:
		return apic_deliver(vp, HV_X64_INTERRUPT_TYPE_FIXED,
				    lvt & HV_X86_APIC_LVT_VECTOR_MASK,
				    lvt & HV_X86_APIC_LVT_LEVEL);
	case HV_X86_APIC_LVT_MODE_NMI:
		return apic_deliver(vp, HV_X64_INTERRUPT_TYPE_NMI, 0, false);
	case HV_X86_APIC_LVT_MODE_INIT:
		return apic_deliver(vp, HV_X64_INTERRUPT_TYPE_INIT, 0, false);
	default:	/* ExtINT */
		return apic_deliver(vp, HV_X64_INTERRUPT_TYPE_EXTINT, vector,
				    false);
	}
}

/*
 * Deliver an interrupt of @type (FIXED, LOWESTPRIORITY, NMI, INIT, SIPI,
 * EXTINT, LOCALINT0 or LOCALINT1) to @vp.  Returns true if that made a VP
 * that was not running runnable (a halted VP that can now take the
 * vector, the ExtINT or the NMI, a VP a SIPI started): the root is to be
 * told.
 */
static bool apic_deliver(struct hvsim_vp *vp, u32 type, u32 vector,
			 bool level)
{
	lockdep_assert_held(&vp->partition->lock);
	switch (type) {
	case HV_X64_INTERRUPT_TYPE_INIT:
		apic_init(vp);
		return false;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		return apic_sipi(vp, vector);
	case HV_X64_INTERRUPT_TYPE_LOCALINT0:
	case HV_X64_INTERRUPT_TYPE_LOCALINT1:
		return apic_lint(vp, type, vector);
	case HV_X64_INTERRUPT_TYPE_NMI:
		vp->nmi_pending = true;
		break;
	case HV_X64_INTERRUPT_TYPE_EXTINT:
		vp->extint_pending = true;
		vp->extint_vector = vector;
		atomic64_inc(&irq_extints);
		break;
	default:	/* FIXED, LOWESTPRIORITY */
		apic_accept(vp, vector, level);
		break;
	}
	if (!(vp->activity & HV_INTERNAL_ACTIVITY_HALT_SUSPEND) ||
	    hvsim_irq_halted(vp))
		return false;
	atomic64_inc(&irq_wakes);
	return true;
}

/*
 * Is VP @i a destination of the ICR command @lo / destination @dest sent
 * by @src?  Shorthands first; then physical (APIC id = VP index, all ones
 * = every VP) or logical (xAPIC flat model: bit i = VP i; x2APIC cluster
 * model: cluster i / 16 in bits 31:16, bit i % 16 in bits 15:0).
 */
static bool icr_targets(const struct hvsim_vp *src, u32 lo, u32 dest,
			bool x2apic, u32 i)
{
	u32 broadcast = x2apic ? U32_MAX : APIC_BROADCAST;

	switch (lo & HV_X86_APIC_ICR_SHORTHAND_MASK) {
	case HV_X86_APIC_ICR_SELF:
		return i == src->index;
	case HV_X86_APIC_ICR_ALL:
		return true;
	case HV_X86_APIC_ICR_OTHERS:
		return i != src->index;
	default:
		break;
	}
	if (dest == broadcast)
		return true;
	if (!(lo & HV_X86_APIC_ICR_LOGICAL))
		return dest == i;
	if (x2apic)
		return (dest >> 16) == i / 16 && (dest & BIT(i % 16));
	return i < 8 && (dest & BIT(i));
}

/*
 * The VP an intercepted IPI names: the sender for the self shorthand, the
 * APIC id of a physical destination, else HV_ANY_VP (several VPs; the
 * root finds the command in the sender's LAPIC state).
 */
static u32 icr_target_index(const struct hvsim_vp *src, u32 lo, u32 dest,
			    bool x2apic)
{
	u32 broadcast = x2apic ? U32_MAX : APIC_BROADCAST;

	if ((lo & HV_X86_APIC_ICR_SHORTHAND_MASK) == HV_X86_APIC_ICR_SELF)
		return src->index;
	if ((lo & HV_X86_APIC_ICR_SHORTHAND_MASK) ||
	    (lo & HV_X86_APIC_ICR_LOGICAL) || dest == broadcast)
		return HV_ANY_VP;
	return dest;
}

/*
 * An INIT or SIPI IPI with the X64_APIC_INIT_SIPI intercept installed:
 * not performed; the sender stops with HVMSG_X64_APIC_INIT_SIPI_INTERCEPT
 * (INIT) or HVMSG_X64_SIPI_INTERCEPT (SIPI), both laid out as
 * struct hv_x64_sipi_intercept_message (the vector is 0 for INIT).
 */
static void apic_ipi_intercept(struct hvsim_vp *vp,
			       const struct x86_emu_exit *exit, u32 type,
			       u32 vector, u32 target)
{
	struct hv_x64_sipi_intercept_message *m = (void *)vp->msg.u.payload;

	BUILD_BUG_ON(sizeof(*m) > HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	lockdep_assert_held(&vp->partition->lock);
	memset(m, 0, sizeof(*m));
	m->target_vp_index = target;
	m->interrupt_vector = type == HV_X64_INTERRUPT_TYPE_SIPI ? vector : 0;
	hvsim_vp_post_intercept(vp, exit,
				type == HV_X64_INTERRUPT_TYPE_SIPI ?
				HVMSG_X64_SIPI_INTERCEPT :
				HVMSG_X64_APIC_INIT_SIPI_INTERCEPT,
				HV_INTERCEPT_ACCESS_WRITE, sizeof(*m));
	atomic64_inc(&irq_init_sipi_msgs);
}

/*
 * Send the IPI the ICR command @lo names to @dest.  FIXED and
 * LOWESTPRIORITY (to the lowest-indexed destination) are edge-triggered
 * whatever the trigger bit says; NMI makes an NMI pending (the vector is
 * not used); INIT with the trigger and level bits of a level de-assert
 * does nothing.  Vectors below 16, SMI and the reserved modes are not
 * delivered.
 */
static void apic_send_ipi(struct hvsim_vp *vp, const struct x86_emu_exit *exit,
			  u32 lo, u32 dest, bool x2apic)
{
	struct hvsim_partition *pt = vp->partition;
	u32 type = (lo & HV_X86_APIC_ICR_MODE_MASK) >> HV_X86_APIC_ICR_MODE_SHIFT;
	u32 vector = lo & HV_X86_APIC_ICR_VECTOR_MASK;
	u64 woken[VP_BANKS] = {};
	unsigned int i, targets = 0;
	bool any_woken = false;

	lockdep_assert_held(&pt->lock);
	switch (type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		if (vector < APIC_FIRST_VECTOR)
			goto drop;
		break;
	case HV_X64_INTERRUPT_TYPE_NMI:
		break;
	case HV_X64_INTERRUPT_TYPE_INIT:
		if ((lo & (HV_X86_APIC_ICR_LEVEL | HV_X86_APIC_ICR_ASSERT)) ==
		    HV_X86_APIC_ICR_LEVEL)
			goto drop;	/* level de-assert */
		fallthrough;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		if (hvsim_intercept_init_sipi(pt)) {
			apic_ipi_intercept(vp, exit, type, vector,
					   icr_target_index(vp, lo, dest,
							    x2apic));
			return;
		}
		break;
	default:	/* SMI, reserved */
		goto drop;
	}
	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		struct hvsim_vp *t = pt->vps[i];

		if (!t || !icr_targets(vp, lo, dest, x2apic, i))
			continue;
		targets++;
		if (apic_deliver(t, type, vector, false)) {
			vpset_add(woken, i);
			any_woken = true;
		}
		if (type == HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY)
			break;
	}
	if (!targets)
		goto drop;
	atomic64_inc(&irq_ipis);
	if (any_woken)
		post_signal_bitset(pt, woken);
	return;
drop:
	atomic64_inc(&irq_ipi_drops);
}

/*
 * A guest wrote the ICR: low dword @lo, high dword @hi (an x2APIC id when
 * @x2apic, else an xAPIC id in bits 31:24).  Both are kept in the LAPIC
 * state with the delivery status idle, and the IPI goes out.
 */
static void apic_icr_write(struct hvsim_vp *vp,
			   const struct x86_emu_exit *exit, u32 lo, u32 hi,
			   bool x2apic)
{
	lockdep_assert_held(&vp->partition->lock);
	vp->lapic.apic_icr_low = lo & ~HV_X86_APIC_ICR_BUSY;
	vp->lapic.apic_icr_high = hi;
	apic_send_ipi(vp, exit, lo, x2apic ? hi :
		      hi >> HV_X86_APIC_ICR_XAPIC_DEST_SHIFT, x2apic);
}

/* x2APIC SELF IPI: a fixed, edge-triggered @vector to the VP itself */
static void apic_self_ipi(struct hvsim_vp *vp, u32 vector)
{
	lockdep_assert_held(&vp->partition->lock);
	if (vector < APIC_FIRST_VECTOR) {
		atomic64_inc(&irq_ipi_drops);
		return;
	}
	apic_accept(vp, vector, false);
	atomic64_inc(&irq_ipis);
}

/**
 * hvsim_irq_set_activity() - the VMM writes INTERNAL_ACTIVITY_STATE
 * @vp: the VP, its partition's lock held
 * @val: the new value (HV_INTERNAL_ACTIVITY_MASK bits only)
 *
 * A VP that waited (for a SIPI, or halted) and can run now -- the VMM
 * started an application processor itself, e.g. after an INIT/SIPI
 * intercept -- is signalled to the root with one
 * HVMSG_SCHEDULER_VP_SIGNAL_BITSET, so that a run already waiting for it
 * dispatches it.  Clearing HALT_SUSPEND of a VP halted at a reported HLT
 * retires the HLT.
 */
void hvsim_irq_set_activity(struct hvsim_vp *vp, u64 val)
{
	bool waited = hvsim_irq_halted(vp);

	lockdep_assert_held(&vp->partition->lock);
	vp->activity = val | HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
	if (!(val & HV_INTERNAL_ACTIVITY_HALT_SUSPEND))
		irq_halt_end(vp);
	if (!waited || hvsim_irq_halted(vp))
		return;
	post_vp_runnable(vp, &irq_signal_msgs);
}

/**
 * hvsim_irq_resumed() - the VMM cleared a suspend register of a VP
 * @vp: the VP, its partition's lock held
 *
 * When that leaves the VP runnable (no suspend register set, not halted
 * or waiting for a SIPI), the root is told with one
 * HVMSG_SCHEDULER_VP_SIGNAL_BITSET, so that a run waiting for the VP
 * dispatches it again; otherwise it stays blocked, and its run waits.
 */
void hvsim_irq_resumed(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	if (vp->explicit_suspend || vp->dispatch_suspend ||
	    vp->intercept_suspend || hvsim_irq_halted(vp))
		return;
	post_vp_runnable(vp, &irq_resumes);
}

/**
 * hvsim_irq_synic() - a guest SINT raises its vector
 * @vp: the VP, its partition's lock held
 * @vector: the SINT's vector (16-255)
 *
 * A fixed, edge-triggered interrupt, as an ASSERT of it would be: a halted
 * VP that can take it wakes up and the root is told with one
 * HVMSG_SCHEDULER_VP_SIGNAL_BITSET.
 */
void hvsim_irq_synic(struct hvsim_vp *vp, u32 vector)
{
	lockdep_assert_held(&vp->partition->lock);
	if (!apic_deliver(vp, HV_X64_INTERRUPT_TYPE_FIXED, vector, false))
		return;
	post_vp_runnable(vp, &irq_signal_msgs);
}

/**
 * hvsim_irq_timer_signal() - a VP's timer fired: tell the root
 * @vp: the VP; no lock needed (only its constant fields are read), called
 *	from its hrtimer
 *
 * One HVMSG_SCHEDULER_VP_SIGNAL_BITSET names the VP, so that a run
 * waiting for a halted VP dispatches it; the dispatch takes the
 * expiration (hvsim_stimer.c).
 */
void hvsim_irq_timer_signal(struct hvsim_vp *vp)
{
	post_vp_runnable(vp, &irq_timer_signals);
}

/**
 * hvsim_irq_send_fixed() - a fixed interrupt to a set of VPs
 * @pt: the partition, its lock held
 * @vps: the VPs, HVSIM_VP_SET_WORDS qwords (bit i % 64 of qword i / 64:
 *	VP i); indices without a VP are skipped
 * @vector: the vector (16-255)
 *
 * Edge-triggered, as an IPI through the local APIC: halted VPs that can
 * take it wake up and the root is told with one
 * HVMSG_SCHEDULER_VP_SIGNAL_BITSET.  Counted in "ipis" (debugfs
 * interrupts) when it reached a VP.
 *
 * Return: the number of VPs it was sent to.
 */
unsigned int hvsim_irq_send_fixed(struct hvsim_partition *pt, const u64 *vps,
				  u32 vector)
{
	u64 woken[VP_BANKS] = {};
	unsigned int i, targets = 0;
	bool any_woken = false;

	lockdep_assert_held(&pt->lock);
	BUILD_BUG_ON(VP_BANKS != HVSIM_VP_SET_WORDS);
	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		struct hvsim_vp *t = pt->vps[i];

		if (!t || !(vps[i / HV_VP_SET_BANK_VPS] &
			    BIT_ULL(i % HV_VP_SET_BANK_VPS)))
			continue;
		targets++;
		if (apic_deliver(t, HV_X64_INTERRUPT_TYPE_FIXED, vector,
				 false)) {
			vpset_add(woken, i);
			any_woken = true;
		}
	}
	if (targets)
		atomic64_inc(&irq_ipis);
	if (any_woken)
		post_signal_bitset(pt, woken);
	return targets;
}

static u16 assert_locked(struct hvsim_partition *pt, void *arg)
{
	const struct hv_input_assert_virtual_interrupt *in =
		((struct hvsim_call *)arg)->input;
	u64 woken[VP_BANKS] = {};
	bool level = in->control_flags & HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED;
	bool lowest = in->interrupt_type ==
		      HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY;
	bool lint = in->interrupt_type == HV_X64_INTERRUPT_TYPE_LOCALINT0 ||
		    in->interrupt_type == HV_X64_INTERRUPT_TYPE_LOCALINT1;
	unsigned int i, targets = 0, n_woken = 0;

	/* A pin some destination cannot deliver: nothing is delivered */
	for (i = 0; lint && i < HVSIM_MAX_VPS; i++) {
		struct hvsim_vp *vp = pt->vps[i];

		if (vp && assert_targets(in, i) &&
		    !lint_valid(vp, in->interrupt_type))
			return HV_STATUS_INVALID_PARAMETER;
	}
	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		struct hvsim_vp *vp = pt->vps[i];

		if (!vp || !assert_targets(in, i))
			continue;
		targets++;
		if (in->interrupt_type == HV_X64_INTERRUPT_TYPE_FIXED || lowest)
			atomic64_inc(&irq_asserted);
		if (apic_deliver(vp, in->interrupt_type, in->vector, level)) {
			vpset_add(woken, i);
			n_woken++;
		}
		if (lowest)
			break;
	}
	if (!targets)
		return HV_STATUS_INVALID_VP_INDEX;
	if (n_woken)
		post_signal_bitset(pt, woken);
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_assert_virtual_interrupt() - HVCALL_ASSERT_VIRTUAL_INTERRUPT
 * @call: decoded call
 *
 * Fixed and lowest-priority interrupts, edge or level, NMI, INIT, SIPI,
 * ExtINT and the local interrupt pins LINT0 / LINT1, to a physical
 * destination (APIC id = VP index; 0xFF = every VP) or a logical one
 * (flat model: bit i = VP i); with HV_ASSERT_INTERRUPT_X2APIC_DEST to an
 * x2APIC one (0xFFFFFFFF = every VP; logical: cluster << 16 | bitmap), in
 * which VP 255 has a destination of its own.  Lowest priority goes to the
 * lowest-indexed destination VP.  INIT puts each destination into the
 * INIT state, waiting for a SIPI; a SIPI starts those that wait and is
 * ignored by the others.  Halted VPs that can now take the interrupt wake
 * up, and one HVMSG_SCHEDULER_VP_SIGNAL_BITSET lists them and the VPs a
 * SIPI started.
 *
 * An NMI (any vector below 256: the field is not used) makes an NMI
 * pending on each destination VP, one at most (NMIs asserted before it is
 * delivered merge); see hvsim_irq_inject().  An ExtINT (any vector below
 * 256, the trigger mode is not used) waits on each destination VP until
 * RFLAGS.IF lets it in; it replaces one still waiting.  LOCALINT0 and
 * LOCALINT1 go through each destination's LVT LINT0 / LINT1 entry of the
 * LAPIC state (the VMM programs it with MSHV_SET_VP_STATE): dropped when
 * masked or when the APIC is software-disabled (spurious-vector register
 * bit 8 clear), else delivered as a fixed interrupt with the entry's
 * vector and trigger mode, an NMI, an INIT or an ExtINT with the asserted
 * vector, as the entry's delivery mode says.
 *
 * Return: HV_STATUS_INVALID_PARAMETER for another interrupt type, a fixed
 * vector below 16, a vector above 255, an INIT vector other than 0, a
 * level-triggered INIT or SIPI, a logical destination above 0xFF (any
 * destination above 32 bits with the x2APIC flag), unknown control flags,
 * a VTL other than 0 or non-zero reserved fields, a LOCALINTn whose
 * unmasked LVT entry some destination cannot deliver (SMI or a reserved
 * delivery mode, a fixed vector below 16, a level-triggered fixed LINT1;
 * nothing is delivered then);
 * HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE (not
 * initialized), HV_STATUS_INVALID_VP_INDEX when no VP is a destination.
 */
u16 hvsim_hc_assert_virtual_interrupt(struct hvsim_call *call)
{
	const struct hv_input_assert_virtual_interrupt *in = call->input;

	return hvsim_partition_call(in->partition_id, HVSIM_PT_RUNNING,
				    assert_locked, call);
}

static u16 clear_locked(struct hvsim_partition *pt, void *arg)
{
	unsigned int i;

	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		struct hvsim_vp *vp = pt->vps[i];

		if (!vp || !vp->extint_pending)
			continue;
		vp->extint_pending = false;
		atomic64_inc(&irq_extint_clears);
	}
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_clear_virtual_interrupt() - HVCALL_CLEAR_VIRTUAL_INTERRUPT (fast)
 * @call: decoded call
 *
 * The root withdraws the pending ExtINT (legacy PIC) interrupt: every VP
 * of the partition that has one not yet delivered loses it.
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE
 * (not initialized) or HV_STATUS_SUCCESS.
 */
u16 hvsim_hc_clear_virtual_interrupt(struct hvsim_call *call)
{
	const struct hv_input_partition_id *in = call->input;

	return hvsim_partition_call(in->partition_id, HVSIM_PT_RUNNING,
				    clear_locked, NULL);
}

static int interrupts_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "asserted=%llu delivered=%llu eois=%llu apic_eoi_msgs=%llu halts=%llu wakes=%llu signal_msgs=%llu scanned=%llu ipis=%llu ipi_drops=%llu inits=%llu sipis=%llu sipis_ignored=%llu init_sipi_msgs=%llu resumes=%llu extints=%llu extints_delivered=%llu extint_clears=%llu lints=%llu lints_masked=%llu timer_signals=%llu\n",
		   (u64)atomic64_read(&irq_asserted),
		   (u64)atomic64_read(&irq_delivered),
		   (u64)atomic64_read(&irq_eois),
		   (u64)atomic64_read(&irq_eoi_msgs),
		   (u64)atomic64_read(&irq_halts),
		   (u64)atomic64_read(&irq_wakes),
		   (u64)atomic64_read(&irq_signal_msgs),
		   (u64)atomic64_read(&irq_scanned),
		   (u64)atomic64_read(&irq_ipis),
		   (u64)atomic64_read(&irq_ipi_drops),
		   (u64)atomic64_read(&irq_inits),
		   (u64)atomic64_read(&irq_sipis),
		   (u64)atomic64_read(&irq_sipis_ignored),
		   (u64)atomic64_read(&irq_init_sipi_msgs),
		   (u64)atomic64_read(&irq_resumes),
		   (u64)atomic64_read(&irq_extints),
		   (u64)atomic64_read(&irq_extints_delivered),
		   (u64)atomic64_read(&irq_extint_clears),
		   (u64)atomic64_read(&irq_lints),
		   (u64)atomic64_read(&irq_lints_masked),
		   (u64)atomic64_read(&irq_timer_signals));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(interrupts);

/**
 * hvsim_irq_debugfs_init() - create debugfs "interrupts"
 * @dir: hvsim's debugfs directory
 */
void hvsim_irq_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("interrupts", 0444, dir, NULL, &interrupts_fops);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_irq_test.c"
#endif
