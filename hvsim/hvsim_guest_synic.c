// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: the SynIC of a guest VP, as the root reaches it with
 * SIGNAL_EVENT_DIRECT and POST_MESSAGE_DIRECT.
 *
 * The SynIC's registers are the register table's (hvsim_vp_regs.c):
 * SCONTROL, SIMP, SIEFP and SINT0-15 in hvsim_vp.msrs, written by the VMM
 * (SET_VP_REGISTERS) and by the guest (WRMSR).  The message and event
 * flags pages are overlay pages, as on the real hypervisor: hypervisor
 * pages taken from the partition's pool when SIMP or SIEFP is first
 * enabled (hvsim_vp.simp and .siefp, the pages GET/SET_VP_STATE transfer),
 * seen by the VP's own accesses at the GPA the register names instead of
 * guest memory, whatever the SLAT maps there.
 *
 * POST_MESSAGE_DIRECT copies the 256-byte message into the SINT's slot of
 * the message page if the slot is free (message_type HVMSG_NONE), else
 * fails with HV_STATUS_OBJECT_IN_USE: the hypervisor queues nothing, the
 * VMM keeps its own queue and posts again once the guest freed the slot.
 * SIGNAL_EVENT_DIRECT sets one bit of the SINT's 2048 event flags (256
 * bytes of the event flags page) and says whether it was clear.  A message
 * posted, or a flag that was clear, raises the SINT's vector as a fixed,
 * edge-triggered interrupt (none for a polling SINT); a halted VP that can
 * take it wakes up (hvsim_irq.c).  When a SINT with AUTO_EOI delivers its
 * vector, the vector does not enter the ISR: the guest does not EOI it.
 *
 * Everything here runs under the partition's lock.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_guest_synic.h"
#include "hvsim_irq.h"
#include "hvsim_mem.h"
#include "hvsim_partition.h"

/* Event flags of one SINT: 256 bytes of the SIEFP page */
#define SINT_FLAG_BYTES		(HV_EVENT_FLAGS_COUNT / BITS_PER_BYTE)

/* The overlay page of register slot @slot: HVSIM_MSR_SIMP or _SIEFP */
static void **synic_page(struct hvsim_vp *vp, unsigned int slot)
{
	return slot == HVSIM_MSR_SIMP ? &vp->simp : &vp->siefp;
}

/**
 * hvsim_synic_page_set() - the VMM or the guest writes SIMP or SIEFP
 * @vp: the VP, its partition's lock held
 * @slot: HVSIM_MSR_SIMP or HVSIM_MSR_SIEFP
 * @val: the value, already checked against the writable bits
 *
 * Enabling the page the first time takes its overlay page from the
 * partition's pool; the page keeps its contents when it is disabled or
 * moved, and goes back to the pool with the VP.  The VPs' TLBs are
 * emptied (hvsim_gpa_space_changed()).
 *
 * Return: HV_STATUS_INSUFFICIENT_MEMORY (nothing changed) when the pool
 * is empty, HV_STATUS_SUCCESS.
 */
u16 hvsim_synic_page_set(struct hvsim_vp *vp, unsigned int slot, u64 val)
{
	void **page = synic_page(vp, slot);

	lockdep_assert_held(&vp->partition->lock);
	if ((val & HV_SYNIC_PAGE_ENABLE) && !*page) {
		*page = hvsim_pool_alloc(&vp->partition->pool);
		if (!*page)
			return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	vp->msrs[slot] = val;
	/* the VP's accesses to the page's GPA change target */
	hvsim_gpa_space_changed(vp->partition);
	return HV_STATUS_SUCCESS;
}

/* The enabled overlay page at guest page @gfn, or NULL (SIMP first) */
static u8 *synic_overlay(struct hvsim_vp *vp, u64 gfn)
{
	static const unsigned int slots[] = { HVSIM_MSR_SIMP, HVSIM_MSR_SIEFP };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		u64 val = vp->msrs[slots[i]];

		if ((val & HV_SYNIC_PAGE_ENABLE) &&
		    (val & HV_MSR_PAGE_GPA_MASK) >> HV_HYP_PAGE_SHIFT == gfn)
			return *synic_page(vp, slots[i]);
	}
	return NULL;
}

/**
 * hvsim_synic_overlay_access() - a VP's access to its SIMP or SIEFP page
 * @vp: the VP, its partition's lock held
 * @gpa: guest physical address
 * @buf: source (write) or destination (read, execute)
 * @len: bytes, within one 4 KiB page
 * @access: the access
 * @commit: copy; false only checks
 *
 * Return: false if @gpa is not in an enabled overlay page of @vp (the
 * access goes to guest memory), true if the access was served from it.
 */
bool hvsim_synic_overlay_access(struct hvsim_vp *vp, u64 gpa, void *buf,
				unsigned int len, enum x86_emu_access access,
				bool commit)
{
	u8 *page;

	lockdep_assert_held(&vp->partition->lock);
	page = synic_overlay(vp, gpa >> HV_HYP_PAGE_SHIFT);
	if (!page)
		return false;
	page += gpa & (HV_HYP_PAGE_SIZE - 1);
	if (!commit)
		return true;
	if (access == X86_EMU_ACCESS_WRITE)
		memcpy(page, buf, len);
	else
		memcpy(buf, page, len);
	return true;
}

/*
 * Can SINT @sint of @vp take a message (@slot HVSIM_MSR_SIMP) or an event
 * (HVSIM_MSR_SIEFP)?  The SynIC enabled, the page enabled, the SINT
 * unmasked; *@val receives the SINT register.
 */
static u16 synic_target(struct hvsim_vp *vp, u32 sint, unsigned int slot,
			u64 *val)
{
	*val = vp->msrs[HVSIM_MSR_SINT0 + sint];
	if (!(vp->msrs[HVSIM_MSR_SCONTROL] & HV_SYNIC_CONTROL_ENABLE) ||
	    !(vp->msrs[slot] & HV_SYNIC_PAGE_ENABLE) || !*synic_page(vp, slot) ||
	    (*val & HV_SYNIC_SINT_MASKED))
		return HV_STATUS_INVALID_SYNIC_STATE;
	return HV_STATUS_SUCCESS;
}

/* Raise SINT @val's vector, unless it is a polling SINT */
static void synic_interrupt(struct hvsim_vp *vp, u64 val)
{
	if (!(val & HV_SYNIC_SINT_POLLING))
		hvsim_irq_synic(vp, val & HV_SYNIC_SINT_VECTOR_MASK);
}

static u16 post_message_locked(struct hvsim_vp *vp, void *arg)
{
	const struct hv_input_post_message_direct *in =
		((struct hvsim_call *)arg)->input;
	struct hv_message_page *simp;
	struct hv_message *slot;
	u64 sint;
	u16 status;

	status = synic_target(vp, in->sint_index, HVSIM_MSR_SIMP, &sint);
	if (status)
		return status;
	simp = vp->simp;
	slot = &simp->sint_message[in->sint_index];
	if (slot->header.message_type != HVMSG_NONE)
		return HV_STATUS_OBJECT_IN_USE;
	memcpy(slot, in->message, sizeof(*slot));
	synic_interrupt(vp, sint);
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_post_message_direct() - HVCALL_POST_MESSAGE_DIRECT
 * @call: decoded call
 *
 * Return: HV_STATUS_INVALID_PARAMETER (hvsim_decode_post_message_direct()),
 * HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_VP_INDEX,
 * HV_STATUS_INVALID_SYNIC_STATE (SynIC or message page disabled, SINT
 * masked), HV_STATUS_OBJECT_IN_USE (the slot holds a message),
 * HV_STATUS_SUCCESS.
 */
u16 hvsim_hc_post_message_direct(struct hvsim_call *call)
{
	const struct hv_input_post_message_direct *in = call->input;

	return hvsim_vp_call(in->partition_id, in->vp_index,
			     post_message_locked, call);
}

static u16 signal_event_locked(struct hvsim_vp *vp, void *arg)
{
	struct hvsim_call *call = arg;
	const struct hv_input_signal_event_direct *in = call->input;
	struct hv_output_signal_event_direct *out = call->output;
	u8 bit = BIT(in->flag_number % BITS_PER_BYTE);
	u8 *flags;
	u64 sint;
	u16 status;

	status = synic_target(vp, in->target_sint, HVSIM_MSR_SIEFP, &sint);
	if (status)
		return status;
	flags = (u8 *)vp->siefp + in->target_sint * SINT_FLAG_BYTES +
		in->flag_number / BITS_PER_BYTE;
	memset(out, 0, sizeof(*out));
	if (*flags & bit)
		return HV_STATUS_SUCCESS;
	*flags |= bit;
	out->newly_signaled = 1;
	synic_interrupt(vp, sint);
	return HV_STATUS_SUCCESS;
}

/**
 * hvsim_hc_signal_event_direct() - HVCALL_SIGNAL_EVENT_DIRECT
 * @call: decoded call; newly_signaled is 1 in the output when the flag
 *	was clear (the SINT's vector raised), 0 when it was set already
 *
 * Return: HV_STATUS_INVALID_PARAMETER
 * (hvsim_decode_signal_event_direct()), HV_STATUS_INVALID_PARTITION_ID,
 * HV_STATUS_INVALID_VP_INDEX, HV_STATUS_INVALID_SYNIC_STATE (SynIC or
 * event flags page disabled, SINT masked), HV_STATUS_SUCCESS.
 */
u16 hvsim_hc_signal_event_direct(struct hvsim_call *call)
{
	const struct hv_input_signal_event_direct *in = call->input;

	return hvsim_vp_call(in->target_partition, in->target_vp,
			     signal_event_locked, call);
}

#if IS_ENABLED(CONFIG_MSHV_ROOT_KUNIT_TEST)
#include "../kunit/hvsim_guest_synic_test.c"
#endif
