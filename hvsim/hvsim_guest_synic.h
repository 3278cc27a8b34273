/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_guest_synic.c: a guest VP's SynIC (partition lock held).
 */
#ifndef _HVSIM_GUEST_SYNIC_H
#define _HVSIM_GUEST_SYNIC_H

#include <linux/types.h>

#include "x86_emu.h"

struct hvsim_call;
struct hvsim_vp;

u16 hvsim_synic_page_set(struct hvsim_vp *vp, unsigned int slot, u64 val);
bool hvsim_synic_overlay_access(struct hvsim_vp *vp, u64 gpa, void *buf,
				unsigned int len, enum x86_emu_access access,
				bool commit);
u16 hvsim_hc_signal_event_direct(struct hvsim_call *call);
u16 hvsim_hc_post_message_direct(struct hvsim_call *call);

#endif /* _HVSIM_GUEST_SYNIC_H */
