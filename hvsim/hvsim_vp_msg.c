// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsim: what a VP exchanges with the root outside hypercall outputs: its
 * register page (absorbed before the VP's state is used, published when a
 * dispatch returns) and the intercept message it posts when it stops.
 *
 * The run loop (hvsim_vp.c) and the interrupt model (hvsim_irq.c) both
 * build on these; this file calls neither.
 */
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "hvsim_model.h"
#include "hvsim_vp_msg.h"

/**
 * hvsim_vp_absorb_reg_page() - take in what the VMM wrote to the register
 *	page
 * @vp: the VP; its partition's lock held
 *
 * Absorbs the register classes marked in the page's dirty field and
 * clears it.
 */
void hvsim_vp_absorb_reg_page(struct hvsim_vp *vp)
{
	struct hv_vp_register_page *rp = vp->reg_page;
	struct x86_emu_state *s = &vp->state;
	u32 dirty;

	lockdep_assert_held(&vp->partition->lock);
	if (!rp)
		return;
	dirty = READ_ONCE(rp->dirty);
	if (dirty & BIT(HV_X64_REGISTER_CLASS_GENERAL))
		memcpy(s->gpr, rp->gp_registers, sizeof(s->gpr));
	if (dirty & BIT(HV_X64_REGISTER_CLASS_IP))
		hvsim_vp_rip_written(vp, rp->rip);
	if (dirty & BIT(HV_X64_REGISTER_CLASS_XMM))
		memcpy(s->xmm, rp->xmm_registers, sizeof(rp->xmm_registers));
	if (dirty & BIT(HV_X64_REGISTER_CLASS_SEGMENT))
		memcpy(s->seg, rp->segment_registers, sizeof(s->seg));
	if (dirty & BIT(HV_X64_REGISTER_CLASS_FLAGS))
		s->rflags = (rp->rflags & HVSIM_RFLAGS_MASK) | HV_X86_RFLAGS_FIXED;
	WRITE_ONCE(rp->dirty, 0);
}

/**
 * hvsim_vp_publish_reg_page() - mirror the architectural state into the
 *	register page
 * @vp: the VP; its partition's lock held
 */
void hvsim_vp_publish_reg_page(struct hvsim_vp *vp)
{
	struct hv_vp_register_page *rp = vp->reg_page;
	const struct x86_emu_state *s = &vp->state;

	BUILD_BUG_ON(sizeof(rp->gp_registers) != sizeof(s->gpr));
	BUILD_BUG_ON(sizeof(rp->segment_registers) != sizeof(s->seg));

	lockdep_assert_held(&vp->partition->lock);
	if (!rp)
		return;
	rp->version = HV_VP_REGISTER_PAGE_VERSION_1;
	rp->isvalid = 1;
	rp->rsvdz = 0;
	rp->dirty = 0;
	memcpy(rp->gp_registers, s->gpr, sizeof(s->gpr));
	rp->rip = s->rip;
	rp->rflags = s->rflags;
	memset(rp->reserved, 0, sizeof(rp->reserved));
	memcpy(rp->xmm_registers, s->xmm, sizeof(rp->xmm_registers));
	memcpy(rp->segment_registers, s->seg, sizeof(s->seg));
	rp->cr0 = s->cr0;
	rp->cr3 = s->cr3;
	rp->cr4 = s->cr4;
	rp->cr8 = s->cr8;
	rp->efer = s->efer;
	rp->dr7 = s->dr[5];
	rp->pending_interruption = vp->pending_interruption;
	rp->interrupt_state = (s->interrupt_shadow ?
			       HV_INTERRUPT_STATE_INTERRUPT_SHADOW : 0) |
			      (vp->state.nmi_masked ? HV_INTERRUPT_STATE_NMI_MASKED : 0);
	rp->instruction_emulation_hints = 0;
	rp->xfem = s->xfem;
}

/**
 * hvsim_vp_rip_written() - the VMM writes RIP
 * @vp: the VP, its partition's lock held
 * @rip: the new value
 *
 * A VP halted at a reported HLT (IF clear) that the VMM moves elsewhere
 * is no longer halted: the VMM took the HLT over.  Writing the same RIP
 * changes nothing.
 */
void hvsim_vp_rip_written(struct hvsim_vp *vp, u64 rip)
{
	lockdep_assert_held(&vp->partition->lock);
	if (vp->hlt_len && rip != vp->state.rip) {
		vp->activity &= ~HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
		vp->hlt_len = 0;
	}
	vp->state.rip = rip;
}

/**
 * hvsim_vp_msg_header() - fill the common x64 intercept header from the
 *	VP's state
 * @vp: the VP; its partition's lock held
 * @h: the header, in @vp->msg
 * @exit: the stop the message reports (instruction length)
 * @access_type: the header's intercept_access_type
 */
void hvsim_vp_msg_header(struct hvsim_vp *vp,
			 struct hv_x64_intercept_message_header *h,
			 const struct x86_emu_exit *exit, u8 access_type)
{
	const struct x86_emu_state *s = &vp->state;

	h->vp_index = vp->index;
	h->instruction_length_cr8 =
		(exit->insn_len & HV_X64_INSTRUCTION_LENGTH_MASK) |
		((s->cr8 & 0xF) << HV_X64_CR8_SHIFT);
	h->intercept_access_type = access_type;
	h->execution_state = x86_emu_exec_state(s);
	h->cs_segment = s->seg[X86_CS];
	h->rip = s->rip;
	h->rflags = s->rflags;
}

/**
 * hvsim_vp_post_msg() - post @vp->msg and suspend the VP
 * @vp: the VP; its partition's lock held
 * @type: HVMSG_*
 * @payload_size: payload bytes (already written to @vp->msg)
 *
 * Copies the message to the intercept message page when it is mapped;
 * the dispatch that runs the VP returns to the root.
 */
void hvsim_vp_post_msg(struct hvsim_vp *vp, u32 type, u8 payload_size)
{
	struct hv_message_header *h = &vp->msg.header;

	h->message_type = type;
	h->payload_size = payload_size;
	h->message_flags = 0;
	h->reserved[0] = 0;
	h->reserved[1] = 0;
	h->sender = vp->partition->id;
	if (vp->msg_page)
		memcpy(vp->msg_page, &vp->msg, sizeof(vp->msg));
	vp->intercept_suspend = true;
}

/**
 * hvsim_vp_post_intercept() - post an intercept message and suspend the VP
 * @vp: the VP, its partition's lock held
 * @exit: the stop the message reports (instruction length)
 * @type: HVMSG_*
 * @access: the header's intercept_access_type
 * @payload_size: payload bytes, common header included
 *
 * The caller wrote the payload after the common header into @vp->msg;
 * this fills the header from the VP's current state.
 */
void hvsim_vp_post_intercept(struct hvsim_vp *vp,
			     const struct x86_emu_exit *exit, u32 type,
			     u8 access, u8 payload_size)
{
	lockdep_assert_held(&vp->partition->lock);
	hvsim_vp_msg_header(vp, (void *)vp->msg.u.payload, exit, access);
	hvsim_vp_post_msg(vp, type, payload_size);
}
