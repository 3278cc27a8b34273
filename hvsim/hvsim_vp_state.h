/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvsim_vp_state.c: GET_VP_STATE, SET_VP_STATE and the LAPIC state.
 */
#ifndef _HVSIM_VP_STATE_H
#define _HVSIM_VP_STATE_H

#include <linux/types.h>

struct hvsim_call;
struct hvsim_vp;

void hvsim_vp_state_reset(struct hvsim_vp *vp);
u16 hvsim_hc_get_vp_state(struct hvsim_call *call);
u16 hvsim_hc_set_vp_state(struct hvsim_call *call);

void hvsim_vp_lapic_reset(struct hvsim_vp *vp, u32 apic_id);

#endif /* _HVSIM_VP_STATE_H */
