// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the guest interrupt model.
 *
 * Each VP has a local APIC reduced to what interrupt delivery needs: the
 * IRR, ISR and TMR bitmaps, kept in the VP's LAPIC state (struct
 * hv_local_interrupt_controller_state, apic_irr / apic_isr / apic_tmr,
 * bit v % 32 of word v / 32, the xAPIC register layout), so that GET/SET_
 * VP_STATE of the LAPIC page reads and restores them; the task priority
 * is CR8.  The APIC id of a VP is its index.
 *
 * Interrupts arrive through ASSERT_VIRTUAL_INTERRUPT (fixed and lowest
 * priority), or through the register page's interrupt_vectors when the
 * root dispatches with SCAN_INTERRUPT_INJECTION.  vp_run() delivers the
 * highest deliverable vector at an instruction boundary through the x86
 * interpreter.  The guest ends it with an EOI (x2APIC MSR, the synthetic
 * EOI MSR or the xAPIC page); a level-triggered vector's EOI is reported
 * to the root as HVMSG_X64_APIC_EOI.  HLT with IF set halts the VP until
 * an interrupt is deliverable; an ASSERT that wakes halted VPs tells the
 * root with HVMSG_SCHEDULER_VP_SIGNAL_BITSET.
 *
 * Everything here runs under the partition's lock.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "hvsim.h"

#define APIC_BROADCAST		0xFF	/* physical destination: all VPs */
#define APIC_PAGE_SIZE		0x1000ULL
#define APIC_BASE_ADDR_MASK	0x000FFFFFFFFFF000ULL

/* What the selftests observe (debugfs "interrupts") */
static atomic64_t irq_asserted;		/* VPs an ASSERT set an IRR bit in */
static atomic64_t irq_delivered;	/* vectors delivered into the guest */
static atomic64_t irq_eois;		/* EOIs that cleared an ISR bit */
static atomic64_t irq_eoi_msgs;		/* HVMSG_X64_APIC_EOI posted */
static atomic64_t irq_halts;		/* HLT with IF set that halted */
static atomic64_t irq_wakes;		/* halted VPs woken by an ASSERT */
static atomic64_t irq_signal_msgs;	/* SCHEDULER_VP_SIGNAL_BITSET posted */
static atomic64_t irq_scanned;		/* vectors taken from register pages */

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
	if (!(vp->state.rflags & X86_RFLAGS_IF) || vp->state.interrupt_shadow)
		return -1;
	return apic_pending(vp);
}

/* An NMI or an injected event waits: it wakes a halted VP */
static bool irq_event_waiting(const struct hvsim_vp *vp)
{
	return (vp->pending_interruption & HV_X64_PENDING_INTERRUPTION_PENDING) ||
	       (vp->nmi_pending && !vp->state.nmi_masked);
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

static void vp_retire_insn(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	vp->state.rip += exit->insn_len;
	if (!(vp->state.efer & X86_EFER_LMA))
		vp->state.rip &= 0xFFFFFFFFULL;
	vp->state.interrupt_shadow = 0;
}

/**
 * hvsim_apic_msr() - the APIC's MSRs, before any other MSR handling
 * @vp: the VP, its partition's lock held
 * @exit: an X86_EXIT_MSR stop
 *
 * A WRMSR to the x2APIC EOI register (0x80B) or the synthetic EOI MSR
 * (0x40000070) ends the highest in-service interrupt and retires the
 * instruction.
 *
 * Return: true if the access was consumed (the instruction retired).
 */
bool hvsim_apic_msr(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	lockdep_assert_held(&vp->partition->lock);
	if (!exit->msr.write ||
	    (exit->msr.index != X86_MSR_X2APIC_EOI &&
	     exit->msr.index != HV_X64_MSR_EOI))
		return false;
	apic_eoi(vp);
	vp_retire_insn(vp, exit);
	return true;
}

/**
 * hvsim_apic_mmio() - the xAPIC page, before doorbells and GPA intercepts
 * @vp: the VP, its partition's lock held
 * @exit: an X86_EXIT_MEMORY stop
 *
 * A plain store (exit->mem.value_valid) into the 4 KiB page at APIC_BASE
 * (default 0xFEE00000) that the SLAT does not map is a register write:
 * EOI (0xB0) ends the highest in-service interrupt, TPR (0x80) sets CR8
 * to bits 7:4 of the value, other registers ignore it.  The instruction
 * retires.  Reads and other stores there go to the VMM as usual.
 *
 * Return: true if the access was consumed.
 */
bool hvsim_apic_mmio(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	u64 base = vp->msrs[HVSIM_MSR_APIC_BASE] & APIC_BASE_ADDR_MASK;
	u64 offset = exit->mem.gpa - base;

	lockdep_assert_held(&vp->partition->lock);
	if (exit->mem.access != X86_ACCESS_WRITE || !exit->mem.value_valid ||
	    exit->mem.gpa < base || offset >= APIC_PAGE_SIZE)
		return false;
	switch (offset) {
	case X86_APIC_EOI_OFFSET:
		apic_eoi(vp);
		break;
	case X86_APIC_TPR_OFFSET:
		vp->state.cr8 = (exit->mem.value >> 4) & 0xF;
		break;
	default:
		break;
	}
	vp_retire_insn(vp, exit);
	return true;
}

/**
 * hvsim_irq_hlt() - HLT
 * @vp: the VP, its partition's lock held
 * @exit: the X86_EXIT_HLT stop
 *
 * With IF clear nothing happens here (the caller posts HVMSG_X64_HALT).
 * With IF set the HLT retires and the VP halts (INTERNAL_ACTIVITY_STATE
 * HALT_SUSPEND) unless an interrupt is deliverable already.
 *
 * Return: true if the HLT was handled here (IF set).
 */
bool hvsim_irq_hlt(struct hvsim_vp *vp, const struct x86_emu_exit *exit)
{
	lockdep_assert_held(&vp->partition->lock);
	if (!(vp->state.rflags & X86_RFLAGS_IF))
		return false;
	vp_retire_insn(vp, exit);
	if (apic_deliverable(vp) < 0 && !irq_event_waiting(vp)) {
		vp->activity |= HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
		atomic64_inc(&irq_halts);
	}
	return true;
}

/**
 * hvsim_irq_halted() - is the VP halted waiting for an interrupt?
 * @vp: the VP, its partition's lock held
 *
 * A halted VP with a deliverable interrupt (the VMM may have changed its
 * state or register page) wakes up here.
 *
 * Return: true if it stays halted.
 */
bool hvsim_irq_halted(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->partition->lock);
	if (!(vp->activity & HV_INTERNAL_ACTIVITY_HALT_SUSPEND))
		return false;
	if (apic_deliverable(vp) < 0 && !irq_event_waiting(vp))
		return true;
	vp->activity &= ~HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
	return false;
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
 * hvsim_irq_inject() - deliver an interrupt at an instruction boundary
 * @vp: the VP, its partition's lock held
 * @exit: filled when delivery stops (a memory or unsupported stop, to be
 *	handled like an instruction's)
 *
 * A pending NMI comes first: it is delivered (vector 2) whatever RFLAGS.IF
 * says unless NMIs are blocked (an NMI handler has not executed IRET yet)
 * or an interrupt shadow covers the instruction.  A fault while delivering
 * an NMI or an interrupt leaves it pending (@exit has the exception).
 *
 * Return: HVSIM_IRQ_NONE (nothing deliverable), HVSIM_IRQ_DELIVERED (the
 * NMI was taken, or the vector moved from the IRR to the ISR: the guest is
 * at its handler) or HVSIM_IRQ_EXIT (nothing changed; see @exit).
 */
enum hvsim_irq_result hvsim_irq_inject(struct hvsim_vp *vp,
				       struct x86_emu_exit *exit)
{
	static const struct x86_emu_event nmi = {
		.type = X86_EVENT_NMI,
		.vector = X86_VEC_NMI,
	};
	int vector;

	lockdep_assert_held(&vp->partition->lock);
	if (vp->nmi_pending && !vp->state.nmi_masked &&
	    !vp->state.interrupt_shadow) {
		if (!x86_emu_deliver_event(&vp->state, &hvsim_vp_mem_ops, vp,
					   &nmi, exit))
			return HVSIM_IRQ_EXIT;
		vp->nmi_pending = false;
		return HVSIM_IRQ_DELIVERED;
	}
	vector = apic_deliverable(vp);
	if (vector < 0)
		return HVSIM_IRQ_NONE;
	if (!x86_emu_deliver_interrupt(&vp->state, &hvsim_vp_mem_ops, vp,
				       vector, exit))
		return HVSIM_IRQ_EXIT;
	apic_clear(vp->lapic.apic_irr, vector);
	apic_set(vp->lapic.apic_isr, vector);
	atomic64_inc(&irq_delivered);
	return HVSIM_IRQ_DELIVERED;
}

/* Is VP @index a destination of the interrupt? */
static bool assert_targets(const struct hv_input_assert_virtual_interrupt *in,
			   u32 index)
{
	if (in->control_flags & HV_ASSERT_INTERRUPT_LOGICAL_DEST)
		return index < 8 && (in->dest_addr & BIT_ULL(index));
	return in->dest_addr == APIC_BROADCAST || in->dest_addr == index;
}

#define VP_BANKS	(HVSIM_MAX_VPS / HV_VP_SET_BANK_VPS)

static void post_signal_bitset(struct hvsim_partition *pt, const u64 *woken)
{
	struct hv_vp_signal_bitset_scheduler_message msg = {
		.partition_id = pt->id,
		.vp_bitset.format = HV_GENERIC_SET_SPARSE_4K,
	};
	unsigned int bank, n = 0;

	for (bank = 0; bank < VP_BANKS; bank++) {
		u64 bits = woken[bank];

		if (!bits)
			continue;
		msg.vp_bitset.valid_bank_mask |= BIT_ULL(bank);
		msg.vp_bitset.bank_contents[n++] = bits;
		msg.vp_count += hweight64(bits);
	}
	hvsim_root_post_message(HV_SYNIC_INTERCEPTION_SINT_INDEX,
				HVMSG_SCHEDULER_VP_SIGNAL_BITSET, 0, &msg,
				sizeof(msg));
	atomic64_inc(&irq_signal_msgs);
}

/**
 * hvsim_hc_assert_virtual_interrupt() - HVCALL_ASSERT_VIRTUAL_INTERRUPT
 * @call: decoded call
 *
 * Fixed and lowest-priority interrupts, edge or level, to a physical
 * destination (APIC id = VP index; 0xFF = every VP) or a logical one
 * (flat model: bit i = VP i).  Lowest priority goes to the lowest-indexed
 * destination VP.  Halted VPs that can now take the interrupt wake up,
 * and one HVMSG_SCHEDULER_VP_SIGNAL_BITSET lists them.
 *
 * An NMI (any vector below 256: the field is not used) makes an NMI
 * pending on each destination VP, one at most (NMIs asserted before it is
 * delivered merge); see hvsim_irq_inject().
 *
 * Return: HV_STATUS_INVALID_PARAMETER for another interrupt type, a vector
 * below 16 or above 255, a logical destination above 0xFF, unknown
 * control flags, a VTL other than 0 or non-zero reserved fields;
 * HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE (not
 * initialized), HV_STATUS_INVALID_VP_INDEX when no VP is a destination.
 */
u16 hvsim_hc_assert_virtual_interrupt(struct hvsim_call *call)
{
	const struct hv_input_assert_virtual_interrupt *in = call->input;
	u64 woken[VP_BANKS] = {};
	bool level = in->control_flags & HV_ASSERT_INTERRUPT_LEVEL_TRIGGERED;
	bool lowest = in->interrupt_type ==
		      HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY;
	struct hvsim_partition *pt;
	u16 status;
	unsigned int i, targets = 0, n_woken = 0;

	pt = hvsim_partition_get(in->partition_id);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(&pt->lock);
	if (pt->state != HVSIM_PT_INITIALIZED) {
		status = HV_STATUS_INVALID_PARTITION_STATE;
		goto out_unlock;
	}
	for (i = 0; i < HVSIM_MAX_VPS; i++) {
		struct hvsim_vp *vp = pt->vps[i];

		if (!vp || !assert_targets(in, i))
			continue;
		if (in->interrupt_type == HV_X64_INTERRUPT_TYPE_NMI) {
			vp->nmi_pending = true;
		} else {
			apic_accept(vp, in->vector, level);
			atomic64_inc(&irq_asserted);
		}
		targets++;
		if ((vp->activity & HV_INTERNAL_ACTIVITY_HALT_SUSPEND) &&
		    !hvsim_irq_halted(vp)) {
			woken[i / HV_VP_SET_BANK_VPS] |=
				BIT_ULL(i % HV_VP_SET_BANK_VPS);
			atomic64_inc(&irq_wakes);
			n_woken++;
		}
		if (lowest)
			break;
	}
	if (!targets)
		status = HV_STATUS_INVALID_VP_INDEX;
	else if (n_woken)
		post_signal_bitset(pt, woken);
out_unlock:
	spin_unlock(&pt->lock);
	hvsim_partition_put(pt);
	return status;
}

/**
 * hvsim_hc_clear_virtual_interrupt() - HVCALL_CLEAR_VIRTUAL_INTERRUPT (fast)
 * @call: decoded call
 *
 * The root uses it to withdraw a pending ExtINT (legacy PIC) interrupt;
 * hvsim does not model ExtINT, so there is never one to withdraw.
 *
 * Return: HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE
 * (not initialized) or HV_STATUS_SUCCESS.
 */
u16 hvsim_hc_clear_virtual_interrupt(struct hvsim_call *call)
{
	const struct hv_input_partition_id *in = call->input;
	struct hvsim_partition *pt = hvsim_partition_get(in->partition_id);
	u16 status = HV_STATUS_SUCCESS;

	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	spin_lock(&pt->lock);
	if (pt->state != HVSIM_PT_INITIALIZED)
		status = HV_STATUS_INVALID_PARTITION_STATE;
	spin_unlock(&pt->lock);
	hvsim_partition_put(pt);
	return status;
}

static int interrupts_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "asserted=%llu delivered=%llu eois=%llu apic_eoi_msgs=%llu halts=%llu wakes=%llu signal_msgs=%llu scanned=%llu\n",
		   (u64)atomic64_read(&irq_asserted),
		   (u64)atomic64_read(&irq_delivered),
		   (u64)atomic64_read(&irq_eois),
		   (u64)atomic64_read(&irq_eoi_msgs),
		   (u64)atomic64_read(&irq_halts),
		   (u64)atomic64_read(&irq_wakes),
		   (u64)atomic64_read(&irq_signal_msgs),
		   (u64)atomic64_read(&irq_scanned));
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
